/*
 * A floor for script/bench: the least a pre-forked libfcgi program can do,
 * answering "hello" to every request.
 *
 *	floor_hello.fcgi [SOCKET [WORKERS]]
 *
 * SOCKET is a path (or :port) as FCGX_OpenSocket takes it, else
 * $FLOOR_LISTEN; WORKERS defaults to 4. Stop it by signalling its process
 * group.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcgiapp.h>

static int
serve(int fd)
{
	FCGX_Request	 req;

	if (FCGX_InitRequest(&req, fd, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		if (FCGX_PutS("Status: 200 OK\r\nContent-Type: text/plain\r\n"
		    "\r\nhello\n", req.out) < 0)
			return 1;
		FCGX_Finish_r(&req);
	}
	return 0;
}

/* Forks n workers on fd and waits for them; 0 once all are gone. */
static int
prefork(int fd, int n)
{
	int	 i;
	pid_t	 pid;

	for (i = 0; i < n; i++) {
		if ((pid = fork()) == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(serve(fd));
	}
	while (wait(NULL) > 0)
		continue;
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*path = argc > 1 ? argv[1] : getenv("FLOOR_LISTEN");
	int		 fd, workers = argc > 2 ? atoi(argv[2]) : 4;

	if (path == NULL || workers < 1) {
		fprintf(stderr, "usage: floor_hello.fcgi [socket [workers]]\n");
		return 1;
	}
	if (FCGX_Init() != 0 || (fd = FCGX_OpenSocket(path, 1024)) < 0) {
		fprintf(stderr, "floor_hello: cannot listen on %s\n", path);
		return 1;
	}
	return prefork(fd, workers);
}
