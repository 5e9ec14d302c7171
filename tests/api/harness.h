/*
 * The API test harness: drives the real stack (nginx, the programs,
 * PostgreSQL) that tests/api/suite.sh started, with libcurl for HTTP and
 * libpq for looking at the database directly. Modelled on kcgi's regress/.
 *
 * The stack is described by the environment suite.sh exports from the
 * stack's env file: COCKPIT_URL, COCKPIT_MASTER_KEY, DATABASE_URL (owner),
 * COCKPIT_DATABASE_URL (service role), COCKPIT_STATE_DIR, COCKPIT_SRC_DIR.
 */
#ifndef API_HARNESS_H
#define API_HARNESS_H

#include <stddef.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "buf.h"

#define AUTH_MASTER	NULL	/* send the platform master key */
#define AUTH_NONE	""	/* send no Authorization header */

struct reply {
	long		 status;
	struct buf	 headers;	/* raw header lines */
	struct buf	 body;
	cJSON		*json;		/* the body parsed, or NULL */
};

const char	*env(const char *);
int		 http(struct reply *, const char *method, const char *path,
		    const char *content_type, const char *body, size_t len,
		    const char *authorization);
int		 http_at(struct reply *, const char *base, const char *method,
		    const char *path, const char *content_type,
		    const char *body, size_t len, const char *authorization);
int		 api(struct reply *, const char *method, const char *path,
		    const char *json);
void		 reply_free(struct reply *);
int		 reply_header(const struct reply *, const char *name, char *out,
		    size_t);
int		 reply_header_count(const struct reply *, const char *name);
const char	*json_str(const cJSON *, const char *name);
void		 assert_error(const struct reply *, long status,
		    const char *code, const char *field);

PGconn		*db_connect(const char *conninfo);
PGconn		*db_owner(void);
long long	 db_scalar(PGconn *, const char *sql);
long long	 db_count(const char *sql);
void		 db_exec(PGconn *, const char *sql);

void		 unique_slug(char *out, size_t len, const char *prefix);
void		 create_account(const char *name, const char *slug, char *id);
int		 stack(const char *command, const char *program,
		    struct buf *out);
int		 worker_pids(long *pids, int max);
long		 supervisor_pid(void);
int		 log_contains(const char *program, const char *needle);
void		 msleep(long ms);

int		 harness_run(Suite *);

#endif
