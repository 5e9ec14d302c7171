/*
 * A floor for script/bench: a pre-forked libfcgi program that runs one
 * prepared PostgreSQL query per request, on one connection per worker,
 * and answers its result.
 *
 *	COCKPIT_DATABASE_URL=conninfo floor_query.fcgi
 *	    [SOCKET [WORKERS [read | write]]]
 *
 * SOCKET is a path (or :port) as FCGX_OpenSocket takes it, else
 * $FLOOR_LISTEN; WORKERS defaults to 4. With "write", the query inserts a
 * row into bench_floor_writes, which the caller made, and each request is
 * a durable transaction of its own: the floor of anything that records.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <libpq-fe.h>

/* One request: the query, then its value or a 503. -1 if the client went. */
static int
answer(PGconn *conn, FCGX_Request *req)
{
	const char	*v[1] = { "41" };
	PGresult	*res;
	int		 rc;

	res = PQexecPrepared(conn, "q", 1, v, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		PQclear(res);
		rc = FCGX_PutS("Status: 503 Service Unavailable\r\n"
		    "Content-Type: text/plain\r\n\r\ndatabase\n", req->out);
		return rc < 0 ? -1 : 0;
	}
	rc = FCGX_FPrintF(req->out, "Status: 200 OK\r\nContent-Type: "
	    "text/plain\r\n\r\n%s\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	return rc < 0 ? -1 : 0;
}

#define READ_SQL	"SELECT $1::int + 1"
#define WRITE_SQL	"INSERT INTO bench_floor_writes (n) VALUES ($1::int) " \
			"RETURNING n + 1"

/* A worker's connection with the statement sql prepared, or NULL. */
static PGconn *
connect_prepared(const char *conninfo, const char *sql)
{
	PGconn		*conn;
	PGresult	*res;
	int		 ok;

	conn = PQconnectdb(conninfo);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "floor_query: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	res = PQprepare(conn, "q", sql, 1, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		fprintf(stderr, "floor_query: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

static int
serve(int fd, const char *conninfo, const char *sql)
{
	FCGX_Request	 req;
	PGconn		*conn;

	if ((conn = connect_prepared(conninfo, sql)) == NULL)
		return 1;
	if (FCGX_InitRequest(&req, fd, 0) != 0) {
		PQfinish(conn);
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		if (answer(conn, &req) == -1)
			break;
		FCGX_Finish_r(&req);
	}
	PQfinish(conn);
	return 0;
}

/* Forks n workers on fd and waits for them; 0 once all are gone. */
static int
prefork(int fd, int n, const char *conninfo, const char *sql)
{
	int	 i;
	pid_t	 pid;

	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(serve(fd, conninfo, sql));
	}
	while (wait(NULL) > 0)
		continue;
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*conninfo = getenv("COCKPIT_DATABASE_URL");
	const char	*path = argc > 1 ? argv[1] : getenv("FLOOR_LISTEN");
	const char	*mode = argc > 3 ? argv[3] : "read";
	int		 fd, workers = argc > 2 ? atoi(argv[2]) : 4;

	if (path == NULL || conninfo == NULL || workers < 1 ||
	    (strcmp(mode, "read") != 0 && strcmp(mode, "write") != 0)) {
		fprintf(stderr, "usage: COCKPIT_DATABASE_URL=conninfo "
		    "floor_query.fcgi [socket [workers [read | write]]]\n");
		return 1;
	}
	if (FCGX_Init() != 0 || (fd = FCGX_OpenSocket(path, 1024)) < 0) {
		fprintf(stderr, "floor_query: cannot listen on %s\n", path);
		return 1;
	}
	return prefork(fd, workers, conninfo,
	    strcmp(mode, "write") == 0 ? WRITE_SQL : READ_SQL);
}
