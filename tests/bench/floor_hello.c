/*
 * A floor for script/bench: the least a pre-forked libfcgi program can do,
 * answering "hello" to everything. floor_hello.fcgi SOCKET [WORKERS]
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

int
main(int argc, char *argv[])
{
	int	 fd, i, workers = argc > 2 ? atoi(argv[2]) : 4;

	if (argc < 2 || workers < 1 || FCGX_Init() != 0 ||
	    (fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		fprintf(stderr, "usage: floor_hello.fcgi socket [workers]\n");
		return 1;
	}
	for (i = 0; i < workers; i++)
		if (fork() == 0)
			return serve(fd);
	while (wait(NULL) > 0)
		continue;
	return 0;
}
