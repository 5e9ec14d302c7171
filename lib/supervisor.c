/* Forking, watching and replacing workers. */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor.h"

static void
now(struct timespec *ts)
{
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
}

static long
ms_since(const struct timespec *then)
{
	struct timespec	 t;

	now(&t);
	return (t.tv_sec - then->tv_sec) * 1000 +
	    (t.tv_nsec - then->tv_nsec) / 1000000;
}

static void
signals_of_interest(sigset_t *set)
{
	(void)sigemptyset(set);
	(void)sigaddset(set, SIGCHLD);
	(void)sigaddset(set, SIGTERM);
	(void)sigaddset(set, SIGINT);
	(void)sigaddset(set, SIGHUP);
}

static void
log_pid(struct supervisor *s, enum log_level lv, const char *msg, pid_t pid,
    const char *key, const char *value)
{
	char	 p[24];

	(void)snprintf(p, sizeof(p), "%ld", (long)pid);
	log_kv(&s->log, lv, msg, "worker", p, key, value, (char *)NULL);
}

/* In the new child: become a worker and never come back. */
static void
child_run(struct supervisor *s, pid_t parent)
{
	sigset_t	 all;

	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != parent)
		_exit(1);
	signals_of_interest(&all);
	if (sigprocmask(SIG_UNBLOCK, &all, NULL) == -1)
		_exit(1);
	exit(s->worker(s->arg, s->cfg, s->listen_fd));
}

static int
spawn(struct supervisor *s)
{
	struct child	*c;
	pid_t		 pid, parent = getpid();

	c = realloc(s->children, (s->nchildren + 1) * sizeof(*c));
	if (c == NULL)
		return -1;
	s->children = c;
	if ((pid = fork()) == -1) {
		log_error(&s->log, "fork failed", "error", strerror(errno));
		return -1;
	}
	if (pid == 0)
		child_run(s, parent);
	c[s->nchildren].pid = pid;
	c[s->nchildren++].generation = s->generation;
	metrics_worker_started(s->metrics);
	return 0;
}

static size_t
current_workers(const struct supervisor *s)
{
	size_t	 i, n = 0;

	for (i = 0; i < s->nchildren; i++)
		if (s->children[i].generation == s->generation)
			n++;
	return n;
}

/* Whether more than SUP_CRASH_LIMIT abnormal deaths fell in the window. */
static int
crashing(const struct supervisor *s)
{
	time_t	 oldest;

	if (s->ndeaths <= SUP_CRASH_LIMIT)
		return 0;
	oldest = s->deaths[s->ndeaths % (SUP_CRASH_LIMIT + 1)];
	return time(NULL) - oldest < SUP_CRASH_WINDOW;
}

/* Starts workers until there are enough, one a second while crashing. */
static void
spawn_missing(struct supervisor *s)
{
	while (current_workers(s) < (size_t)s->cfg->workers) {
		if (crashing(s)) {
			if (ms_since(&s->next_spawn) < 0)
				return;
			if (spawn(s) == 0)
				log_warn(&s->log, "workers keep dying; starting "
				    "one a second");
			now(&s->next_spawn);
			s->next_spawn.tv_sec += 1;
			return;
		}
		if (spawn(s) == -1)
			return;
	}
}

static void
note_death(struct supervisor *s, pid_t pid, int status)
{
	char	 detail[32];
	int	 abnormal = !WIFEXITED(status) || WEXITSTATUS(status) != 0;

	metrics_worker_died(s->metrics, abnormal);
	if (!abnormal)
		return;
	s->deaths[s->ndeaths++ % (SUP_CRASH_LIMIT + 1)] = time(NULL);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
		log_pid(s, LOG_LEVEL_WARN, "worker exceeded the request timeout "
		    "and was killed", pid, "signal", "SIGALRM");
		return;
	}
	if (WIFSIGNALED(status))
		(void)snprintf(detail, sizeof(detail), "%s",
		    strsignal(WTERMSIG(status)));
	else
		(void)snprintf(detail, sizeof(detail), "exit %d",
		    WEXITSTATUS(status));
	log_pid(s, LOG_LEVEL_ERROR, "worker died", pid, "cause", detail);
}

static void
reap(struct supervisor *s)
{
	pid_t	 pid;
	size_t	 i;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < s->nchildren; i++)
			if (s->children[i].pid == pid)
				break;
		if (i == s->nchildren)
			continue;
		s->children[i] = s->children[--s->nchildren];
		if (!s->stopping)
			note_death(s, pid, status);
	}
}

static void
signal_all(struct supervisor *s, int sig, int old_only)
{
	size_t	 i;

	for (i = 0; i < s->nchildren; i++)
		if (!old_only || s->children[i].generation != s->generation)
			(void)kill(s->children[i].pid, sig);
}

static void
begin_stop(struct supervisor *s)
{
	if (s->stopping)
		return;
	s->stopping = 1;
	log_info(&s->log, "stopping: in-flight requests finish first");
	signal_all(s, SIGTERM, 0);
	now(&s->last_term);
	now(&s->stop_deadline);
	s->stop_deadline.tv_sec += s->cfg->request_timeout + 1;
}

/*
 * While stopping: a worker can miss a SIGTERM that lands just before it
 * blocks in accept(), so repeat it every second; past the deadline, kill.
 */
static void
stop_tick(struct supervisor *s)
{
	if (ms_since(&s->stop_deadline) >= 0) {
		log_warn(&s->log, "workers still busy at the deadline; killing "
		    "them");
		signal_all(s, SIGKILL, 0);
		return;
	}
	if (ms_since(&s->last_term) >= 1000) {
		signal_all(s, SIGTERM, 0);
		now(&s->last_term);
	}
}

/* SIGHUP: a new configuration, then a new generation of workers. */
static void
reload(struct supervisor *s)
{
	struct config	*next;
	char		 err[CONFIG_ERRLEN];

	if ((next = calloc(1, sizeof(*next))) == NULL)
		return;
	if (s->reload(s->arg, next, err, sizeof(err)) == -1) {
		log_error(&s->log, "configuration not reloaded; keeping the "
		    "running one", "error", err);
		free(next);
		return;
	}
	if (strcmp(next->listen, s->cfg->listen) != 0)
		log_warn(&s->log, "a new listen address takes a restart",
		    "listen", next->listen);
	config_free(s->cfg);
	free(s->cfg);
	s->cfg = next;
	s->log.min = next->log_level;
	if (next->warning[0] != '\0')
		log_warn(&s->log, next->warning);
	s->generation++;
	signal_all(s, SIGTERM, 1);
	log_info(&s->log, "configuration reloaded; replacing workers");
}

static void
wait_signal(struct supervisor *s, const sigset_t *set)
{
	struct timespec	 timeout = { 1, 0 };
	int		 sig;

	if (s->stopping || crashing(s))
		timeout = (struct timespec){ 0, 100000000 };
	sig = sigtimedwait(set, NULL, &timeout);
	if (sig == SIGTERM || sig == SIGINT)
		begin_stop(s);
	else if (sig == SIGHUP && !s->stopping)
		reload(s);
}

/* Runs until stopped; returns the program's exit status. */
int
supervisor_run(struct supervisor *s)
{
	sigset_t	 set;

	signals_of_interest(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
		log_error(&s->log, "cannot set up signals", "error",
		    strerror(errno));
		return 1;
	}
	log_info(&s->log, "started", "listen", s->cfg->listen);
	for (;;) {
		reap(s);
		if (s->stopping && s->nchildren == 0)
			break;
		if (s->stopping)
			stop_tick(s);
		else
			spawn_missing(s);
		wait_signal(s, &set);
	}
	free(s->children);
	s->children = NULL;
	log_info(&s->log, "stopped");
	return 0;
}
