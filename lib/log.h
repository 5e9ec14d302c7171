/*
 * Logging: one JSON object a line on standard error, written with a single
 * write(2) so lines from concurrent workers do not interleave.
 *
 *	{"ts":"2026-11-23T06:30:00.123Z","level":"info","program":"accounts",
 *	 "pid":4242,"msg":"request", ...fields}
 *
 * A struct log is plain configuration owned by its caller (the supervisor or
 * the worker context); there is no global logger.
 */
#ifndef COCKPIT_LOG_H
#define COCKPIT_LOG_H

#include "buf.h"

enum log_level {
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR
};

struct log {
	const char	*program;
	enum log_level	 min;
};

int	log_level_parse(const char *, enum log_level *);
void	log_msg(const struct log *, enum log_level, const char *msg);
void	log_kv(const struct log *, enum log_level, const char *msg, ...)
	    __attribute__((sentinel));
void	log_fields(const struct log *, enum log_level, const char *msg,
	    const struct buf *fields);

#define log_error(lg, ...)	log_kv((lg), LOG_LEVEL_ERROR, __VA_ARGS__, (char *)NULL)
#define log_warn(lg, ...)	log_kv((lg), LOG_LEVEL_WARN, __VA_ARGS__, (char *)NULL)
#define log_info(lg, ...)	log_kv((lg), LOG_LEVEL_INFO, __VA_ARGS__, (char *)NULL)
#define log_debug(lg, ...)	log_kv((lg), LOG_LEVEL_DEBUG, __VA_ARGS__, (char *)NULL)

#endif
