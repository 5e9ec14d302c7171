/*
 * A floor for script/bench: a pre-forked libfcgi program that runs one
 * prepared PostgreSQL query per request, on one connection per worker.
 * floor_query.fcgi SOCKET [WORKERS], conninfo in COCKPIT_DATABASE_URL.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <libpq-fe.h>

static int
answer(PGconn *conn, FCGX_Request *req)
{
	const char	*v[1] = { "41" };
	PGresult	*res;
	int		 rc;

	res = PQexecPrepared(conn, "q", 1, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return FCGX_PutS("Status: 503 Service Unavailable\r\n\r\n",
		    req->out) < 0 ? -1 : 0;
	}
	rc = FCGX_FPrintF(req->out, "Status: 200 OK\r\nContent-Type: "
	    "text/plain\r\n\r\n%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc < 0 ? -1 : 0;
}

static int
serve(int fd, const char *conninfo)
{
	FCGX_Request	 req;
	PGconn		*conn;
	PGresult	*res;

	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK)
		return 1;
	res = PQprepare(conn, "q", "SELECT $1::int + 1", 1, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK ||
	    FCGX_InitRequest(&req, fd, 0) != 0)
		return 1;
	PQclear(res);
	while (FCGX_Accept_r(&req) >= 0) {
		if (answer(conn, &req) == -1)
			break;
		FCGX_Finish_r(&req);
	}
	PQfinish(conn);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*conninfo = getenv("COCKPIT_DATABASE_URL");
	int		 fd, i, workers = argc > 2 ? atoi(argv[2]) : 4;

	if (argc < 2 || workers < 1 || conninfo == NULL || FCGX_Init() != 0 ||
	    (fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		fprintf(stderr, "usage: COCKPIT_DATABASE_URL=... "
		    "floor_query.fcgi socket [workers]\n");
		return 1;
	}
	for (i = 0; i < workers; i++)
		if (fork() == 0)
			return serve(fd, conninfo);
	while (wait(NULL) > 0)
		continue;
	return 0;
}
