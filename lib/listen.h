/*
 * The FastCGI listening socket: a Unix socket path ("unix:/run/x.sock"),
 * a TCP address ("127.0.0.1:9000", "[::1]:9000", ":9000"), or the socket
 * systemd passes as file descriptor 3 (LISTEN_FDS, LISTEN_PID).
 */
#ifndef COCKPIT_LISTEN_H
#define COCKPIT_LISTEN_H

#include <stddef.h>

int	listen_open(const char *spec, int *owned, char *err, size_t errlen);
void	listen_close(int fd, const char *spec);

#endif
