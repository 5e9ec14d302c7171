/*
 * How a program finds its socket and its configuration, outside the
 * stack's nginx: a TCP address from -l, a socket handed over by systemd
 * (LISTEN_FDS), and a refusal to start on a bad configuration. FastCGI is
 * spoken with cgi-fcgi(1) from libfcgi.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* A configuration file for a program run by hand; returns its path. */
static void
write_conf(char *path, size_t len, const char *extra)
{
	FILE	*f;

	(void)snprintf(path, len, "%s/listen-%ld.conf", env("COCKPIT_STATE_DIR"),
	    (long)getpid());
	ck_assert((f = fopen(path, "w")) != NULL);
	ck_assert_int_ge(fprintf(f, "COCKPIT_DATABASE_URL=\"%s\"\n%s",
	    env("COCKPIT_DATABASE_URL"), extra), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void
program(char *out, size_t len)
{
	(void)snprintf(out, len, "%s/cgi-bin/accounts.fcgi",
	    env("COCKPIT_BUILD_DIR"));
}

/* Starts the program in its own process group with a clean environment. */
static pid_t
start(const char *conf, const char *listen, int listen_fd)
{
	char	 prog[4096], fds[16];
	pid_t	 pid;

	program(prog, sizeof(prog));
	ck_assert((pid = fork()) != -1);
	if (pid != 0)
		return pid;
	(void)setpgid(0, 0);
	(void)unsetenv("COCKPIT_LISTEN");
	(void)unsetenv("COCKPIT_MASTER_KEY");
	if (listen_fd != -1) {
		if (dup2(listen_fd, 3) == -1)
			_exit(127);
		(void)snprintf(fds, sizeof(fds), "%ld", (long)getpid());
		(void)setenv("LISTEN_PID", fds, 1);
		(void)setenv("LISTEN_FDS", "1", 1);
	}
	if (listen != NULL)
		execl(prog, prog, "-f", conf, "-w", "1", "-l", listen,
		    (char *)NULL);
	else
		execl(prog, prog, "-f", conf, "-w", "1", (char *)NULL);
	_exit(127);
}

static void
stop(pid_t pid)
{
	int	 status;

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

/* GET /health over FastCGI at address; returns whether it answered 200. */
static int
health_at(const char *address)
{
	struct buf	 out = { 0 };
	char		 cmd[4096], chunk[512];
	FILE		*p;
	size_t		 n;
	int		 i, ok = 0;

	(void)snprintf(cmd, sizeof(cmd), "env -i REQUEST_METHOD=GET "
	    "REQUEST_URI=/health QUERY_STRING= cgi-fcgi -bind -connect '%s' "
	    "2>/dev/null", address);
	for (i = 0; i < 50 && !ok; i++) {
		buf_reset(&out);
		ck_assert((p = popen(cmd, "r")) != NULL);
		while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
			ck_assert_int_eq(buf_append(&out, chunk, n), 0);
		(void)pclose(p);
		ok = out.data != NULL && strstr(out.data, "Status: 200") &&
		    strstr(out.data, "{\"status\":\"ok\"}");
		if (!ok)
			msleep(100);
	}
	buf_free(&out);
	return ok;
}

static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, port;

	ck_assert((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

START_TEST(test_listens_on_tcp)
{
	char	 conf[4096], address[64];
	pid_t	 pid;

	write_conf(conf, sizeof(conf), "");
	(void)snprintf(address, sizeof(address), "127.0.0.1:%d", free_port());
	pid = start(conf, address, -1);
	ck_assert(health_at(address));
	stop(pid);
	(void)unlink(conf);
}
END_TEST

START_TEST(test_takes_the_socket_systemd_passes)
{
	struct sockaddr_un	 sun;
	char			 conf[4096];
	pid_t			 pid;
	int			 fd;

	write_conf(conf, sizeof(conf), "");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/run/sd-%ld.sock",
	    env("COCKPIT_STATE_DIR"), (long)getpid());
	(void)unlink(sun.sun_path);
	ck_assert((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	/* The configured address must lose to the socket handed over. */
	pid = start(conf, "unix:/nonexistent/dir/x.sock", fd);
	close(fd);
	ck_assert(health_at(sun.sun_path));
	stop(pid);
	/* The socket was systemd's: the program leaves its file alone. */
	ck_assert_int_eq(access(sun.sun_path, F_OK), 0);
	(void)unlink(sun.sun_path);
	(void)unlink(conf);
}
END_TEST

START_TEST(test_refuses_a_bad_configuration)
{
	char	 conf[4096], cmd[16384], prog[4096];
	FILE	*p;
	char	 out[4096];
	size_t	 n;
	int	 st;

	write_conf(conf, sizeof(conf), "COCKPIT_WORKRES=2\n");
	program(prog, sizeof(prog));
	(void)snprintf(cmd, sizeof(cmd), "'%s' -f '%s' -l 127.0.0.1:%d 2>&1",
	    prog, conf, free_port());
	ck_assert((p = popen(cmd, "r")) != NULL);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	ck_assert_msg(strstr(out, ":2: unknown key COCKPIT_WORKRES") != NULL,
	    "%s", out);
	(void)unlink(conf);
}
END_TEST

START_TEST(test_usage)
{
	char	 cmd[8192], prog[4096];
	int	 st;

	program(prog, sizeof(prog));
	(void)snprintf(cmd, sizeof(cmd), "'%s' -x >/dev/null 2>&1", prog);
	st = system(cmd);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 64);
	(void)snprintf(cmd, sizeof(cmd), "'%s' -h | grep -q '^usage: accounts"
	    ".fcgi'", prog);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("listen");
	TCase	*tc = tcase_create("program");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_listens_on_tcp);
	tcase_add_test(tc, test_takes_the_socket_systemd_passes);
	tcase_add_test(tc, test_refuses_a_bad_configuration);
	tcase_add_test(tc, test_usage);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
