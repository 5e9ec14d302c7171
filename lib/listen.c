/* Opening the listening socket the workers accept on. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

#define LISTEN_BACKLOG	1024
#define SD_LISTEN_FD	3

/* The socket systemd handed over, or -1 when there is none for us. */
static int
listen_systemd(void)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char		*end;
	long		 n;

	if (pid == NULL || fds == NULL)
		return -1;
	n = strtol(pid, &end, 10);
	if (*end != '\0' || n != (long)getpid())
		return -1;
	n = strtol(fds, &end, 10);
	if (*end != '\0' || n < 1)
		return -1;
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	return SD_LISTEN_FD;
}

static int
listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A socket file left by an earlier run would make bind fail. */
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		(void)close(fd);
		return -1;
	}
	return fd;
}

static int
listen_inet_one(const struct addrinfo *ai)
{
	int	 fd, on = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* spec is host:port, [v6]:port or :port. */
static int
listen_inet(const char *spec, char *err, size_t errlen)
{
	struct addrinfo		 hints, *res, *ai;
	char			 host[256];
	const char		*colon, *port, *h;
	int			 fd = -1, rc;
	size_t			 hlen;

	if ((colon = strrchr(spec, ':')) == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "listen address needs a port: %s", spec);
		return -1;
	}
	port = colon + 1;
	h = spec;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host)) {
		snprintf(err, errlen, "listen host too long");
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(hlen ? host : NULL, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = listen_inet_one(ai);
	if (fd == -1)
		snprintf(err, errlen, "%s: %s", spec, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/*
 * Returns the listening descriptor, or -1 with a message in err. *owned is
 * set when we created the socket (and so should remove its file at exit).
 */
int
listen_open(const char *spec, int *owned, char *err, size_t errlen)
{
	int	 fd;

	*owned = 0;
	if ((fd = listen_systemd()) != -1)
		return fd;
	*owned = 1;
	if (strncmp(spec, "unix:", 5) == 0)
		return listen_unix(spec + 5, err, errlen);
	return listen_inet(spec, err, errlen);
}

/* Closes fd and removes the socket file we created, if any. */
void
listen_close(int fd, const char *spec)
{
	(void)close(fd);
	if (strncmp(spec, "unix:", 5) == 0)
		(void)unlink(spec + 5);
}
