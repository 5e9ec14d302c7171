/*
 * The API test harness: drives the real stack (nginx, the programs,
 * PostgreSQL) that tests/api/suite.sh started, with libcurl for HTTP and
 * libpq for looking at the database directly. Modelled on kcgi's regress/:
 * one small test per behaviour, all over this one file.
 *
 * The stack is described by the environment suite.sh exports from the
 * stack's env file: COCKPIT_URL, COCKPIT_MASTER_KEY, DATABASE_URL (owner),
 * COCKPIT_DATABASE_URL (service role), COCKPIT_STATE_DIR (logs in log/,
 * the configuration in cockpit.conf), COCKPIT_SRC_DIR (script/stack, sql/).
 *
 * Every helper fails the running test (ck_assert) when something it needs
 * is missing; none returns an error the caller could forget, except where
 * a test wants to see the failure (http() with no answer at all).
 */
#ifndef API_HARNESS_H
#define API_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include <check.h>
#include <cjson/cJSON.h>
#include <libpq-fe.h>

#include "buf.h"

#define AUTH_MASTER	NULL	/* send the platform master key */
#define AUTH_NONE	""	/* send no Authorization header */

#define UUID_LEN	36	/* an id's text; buffers are UUID_LEN + 1 */
#define NIL_ID		"00000000-0000-4000-8000-000000000000"

/* One answer. Owns everything in it; reply_free() releases it. */
struct reply {
	long		 status;
	struct buf	 headers;	/* raw header lines, as received */
	struct buf	 body;
	cJSON		*json;		/* the body parsed, or NULL */
};

/* The environment of the stack; fails the test when name is unset. */
const char	*env(const char *name);

/*
 * HTTP. authorization is AUTH_MASTER, AUTH_NONE or a whole header value
 * ("Bearer x", "Basic y"). content_type NULL sends no Content-Type at all.
 * Returns 0, or -1 when no answer came (connection refused, reset, 30 s).
 */
int		 http(struct reply *, const char *method, const char *path,
		    const char *content_type, const char *body, size_t len,
		    const char *authorization);
int		 http_at(struct reply *, const char *base, const char *method,
		    const char *path, const char *content_type,
		    const char *body, size_t len, const char *authorization);
int		 api(struct reply *, const char *method, const char *path,
		    const char *json);
void		 api_get(struct reply *, const char *path);
void		 api_in_account(struct reply *, const char *account,
		    const char *method, const char *path, const char *json);
void		 api_post_json(struct reply *, const char *path,
		    const char *json);
void		 api_patch_json(struct reply *, const char *path,
		    const char *json);
long		 status_of(const char *method, const char *path);
void		 reply_free(struct reply *);

/* The first value of a header copied into out; 0, or -1 when absent. */
int		 reply_header(const struct reply *, const char *name, char *out,
		    size_t);
int		 reply_header_count(const struct reply *, const char *name);
const char	*json_str(const cJSON *, const char *name);
const cJSON	*json_items(const struct reply *);

/* The shapes of the contract. */
void		 assert_error(const struct reply *, long status,
		    const char *code, const char *field);
void		 assert_account(const cJSON *);
int		 is_uuid(const char *);
int		 is_timestamp(const char *);

/* PostgreSQL. db_owner() acts for the platform (sees every row). */
PGconn		*db_connect(const char *conninfo);
PGconn		*db_owner(void);
long long	 db_scalar(PGconn *, const char *sql);
long long	 db_count(const char *sql);
long long	 db_count_where(const char *table, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
long long	 db_vcount_where(const char *table, const char *fmt,
		    va_list) __attribute__((format(printf, 2, 0)));
void		 db_exec(PGconn *, const char *sql);
long long	 accounts_count(void);

/* Accounts. */
void		 unique_slug(char *out, size_t len, const char *prefix);
void		 create_account(const char *name, const char *slug, char *id);
void		 account_path(char *out, size_t len, const char *id);

/*
 * Principals. Tokens come from the test identity provider
 * (COCKPIT_TEST_IDP); the suite configures it as tests/api/suite.sh says:
 * audience TEST_AUDIENCE, the role keys below, the account claim
 * TEST_ACCOUNT_CLAIM. A token's organisation is what account resolution
 * looks up first, so an account with auth_org_id set (account_set_org)
 * takes that organisation's users.
 */
#define TEST_AUDIENCE		"cockpit-api"
#define TEST_SUPER_ROLE		"cockpit-super-admin"
#define TEST_ADMIN_ROLE		"cockpit-account-admin"
#define TEST_ACCOUNT_CLAIM	"urn:cockpit:account_id"

enum test_role { AS_END_USER, AS_ACCOUNT_ADMIN, AS_SUPER_ADMIN };

char		*idp_mint(const char *request);	/* /test/token body */
char		*user_token(enum test_role, const char *org_id,
		    const char *email);
void		 account_set_org(const char *account_id, const char *org_id);
void		 bearer(char *out, size_t len, const char *secret);
int		 api_as(struct reply *, const char *secret, const char *method,
		    const char *path, const char *json);

/* The stack: script/stack, processes, logs, configuration. */
int		 stack(const char *command, const char *program,
		    struct buf *out);
int		 worker_pids(long *pids, int max);
int		 pids_shared(const long *a, int na, const long *b, int nb);
long		 supervisor_pid(void);
int		 log_contains(const char *program, const char *needle);
long		 log_size(const char *program);
int		 log_contains_since(const char *program, long offset,
		    const char *needle);
int		 wait_until(int (*cond)(void *), void *arg, long timeout_ms);
void		 msleep(long ms);
long		 elapsed_ms(const struct timespec *since);

/* Runs the suite in fork mode; prints "N passed, N failed" last. */
int		 harness_run(Suite *);

#endif
