/*
 * The pre-fork supervisor every program runs as: it holds the listening
 * socket and the configuration, forks the workers, and keeps their number
 * up. A worker that dies is replaced at once; when more than
 * SUP_CRASH_LIMIT die abnormally within SUP_CRASH_WINDOW seconds, at most
 * one is started a second. SIGTERM or SIGINT stops gracefully (in-flight
 * requests finish; stragglers are killed after the request timeout);
 * SIGHUP re-reads the configuration and replaces every worker gracefully.
 */
#ifndef COCKPIT_SUPERVISOR_H
#define COCKPIT_SUPERVISOR_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "metrics.h"

#define SUP_CRASH_LIMIT		5
#define SUP_CRASH_WINDOW	10

struct child {
	pid_t		 pid;
	unsigned	 generation;
};

struct supervisor {
	struct config	*cfg;		/* owned; replaced by a reload */
	int		 listen_fd;
	struct metrics	*metrics;
	struct log	 log;
	/* Runs in a new worker; its result is the worker's exit status. */
	int		(*worker)(void *arg, const struct config *, int fd);
	/* Reads the configuration again, for SIGHUP. */
	int		(*reload)(void *arg, struct config *, char *, size_t);
	void		*arg;
	/* Supervisor state. */
	struct child	*children;
	size_t		 nchildren;
	unsigned	 generation;
	time_t		 deaths[SUP_CRASH_LIMIT + 1];
	size_t		 ndeaths;
	struct timespec	 next_spawn;
	int		 stopping;
	struct timespec	 stop_deadline;
	struct timespec	 last_term;
};

int	supervisor_run(struct supervisor *);

#endif
