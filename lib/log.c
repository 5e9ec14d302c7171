/* JSON-lines logging on standard error. */
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const level_names[] = { "debug", "info", "warn", "error" };

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

static int
log_head(struct buf *b, const struct log *lg, enum log_level lv,
    const char *msg)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 when[40];

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 ||
	    gmtime_r(&ts.tv_sec, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return -1;
	if (buf_printf(b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"program\":",
	    when, ts.tv_nsec / 1000000L, level_names[lv]) == -1 ||
	    buf_json_string(b, lg->program) == -1 ||
	    buf_printf(b, ",\"pid\":%ld,\"msg\":", (long)getpid()) == -1 ||
	    buf_json_string(b, msg) == -1)
		return -1;
	return 0;
}

/* One write(2); a failing standard error has nowhere to report to. */
static void
log_emit(struct buf *b)
{
	const char	*p = b->data;
	size_t		 left = b->len;
	ssize_t		 n;

	while (left > 0) {
		if ((n = write(STDERR_FILENO, p, left)) <= 0)
			return;
		p += n;
		left -= (size_t)n;
	}
}

void
log_fields(const struct log *lg, enum log_level lv, const char *msg,
    const struct buf *fields)
{
	struct buf	 b = { 0 };

	if (lv < lg->min)
		return;
	if (log_head(&b, lg, lv, msg) == 0 &&
	    (fields == NULL || fields->len == 0 ||
	     buf_append(&b, fields->data, fields->len) == 0) &&
	    buf_append(&b, "}\n", 2) == 0)
		log_emit(&b);
	buf_free(&b);
}

void
log_kv(const struct log *lg, enum log_level lv, const char *msg, ...)
{
	struct buf	 fields = { 0 };
	const char	*key, *value;
	va_list		 ap;
	int		 rc = 0;

	if (lv < lg->min)
		return;
	va_start(ap, msg);
	while (rc == 0 && (key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		rc = buf_puts(&fields, ",");
		if (rc == 0)
			rc = buf_json_string(&fields, key);
		if (rc == 0)
			rc = buf_puts(&fields, ":");
		if (rc == 0)
			rc = buf_json_string(&fields, value ? value : "");
	}
	va_end(ap);
	if (rc == 0)
		log_fields(lg, lv, msg, &fields);
	buf_free(&fields);
}

void
log_msg(const struct log *lg, enum log_level lv, const char *msg)
{
	log_fields(lg, lv, msg, NULL);
}
