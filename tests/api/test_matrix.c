/*
 * The route x role x account matrix, over the real route tables: every
 * program under $COCKPIT_BUILD_DIR/cgi-bin prints its table with -r, and
 * every route in it is called by every kind of principal, on its own
 * account and on another's. The front line (lib/app.c) decides, in this
 * order: credentials (401), role (403 forbidden), account scope (404 "no
 * such account" for another account's {account_id}); a principal let
 * through is the handler's business, which the matrix only asks not to
 * be a denial. A new route is in the matrix the moment it is in a table;
 * one without a permission fails it. Routes flagged scim take only a
 * SCIM-scoped key, which no other route takes (403 either way), and
 * answer in SCIM's shape (RFC 7644 3.12).
 *
 * Only accounts made here are touched; {x_id} placeholders other than the
 * account get a fresh random id, so DELETE and rotate find nothing, and
 * bodies are "{}", which no write accepts.
 */
#include <sys/wait.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_ROUTES	256
#define MAX_PROGRAMS	32

/* Permission levels; a principal meets a route when its level >= it. */
enum level { LV_PUBLIC, LV_SIGNED_IN, LV_ACCOUNT_ADMIN, LV_SUPER_ADMIN,
    LV_NOBODY };

struct route_row {
	char		 program[64];	/* "accounts" for accounts.fcgi */
	char		 method[16];
	char		 pattern[256];
	char		 perm[32];	/* as printed */
	enum level	 level;
	int		 json_body;
	int		 any_status;
	int		 scim;
};

struct table {
	struct route_row r[MAX_ROUTES];
	size_t		 n;
	char		 programs[MAX_PROGRAMS][64];
	size_t		 own[MAX_PROGRAMS];	/* routes not built in */
	size_t		 nprograms;
};

/* A caller: its Authorization header value, its role as a level. */
struct who {
	const char	*name;
	enum level	 level;		/* LV_PUBLIC: anonymous */
	int		 platform;	/* reaches every account */
	int		 scim;		/* a SCIM-scoped key */
	char		 auth[9000];
};

enum { ANON, END_USER, ACCOUNT_ADMIN, API_KEY, SCIM_KEY, SUPER_TOKEN, MASTER,
    NWHO };

struct world {
	char		 a[UUID_LEN + 1];	/* own */
	char		 b[UUID_LEN + 1];	/* foreign */
	struct who	 who[NWHO];
};

static int
builtin(const char *pattern)
{
	return strcmp(pattern, "/health") == 0 ||
	    strcmp(pattern, "/readiness") == 0 ||
	    strcmp(pattern, "/metrics") == 0;
}

static int
perm_level(const char *s, enum level *lv)
{
	static const struct {
		const char	*name;
		enum level	 level;
	} perms[] = {
		{ "public", LV_PUBLIC },
		{ "signed_in", LV_SIGNED_IN },
		{ "account_admin", LV_ACCOUNT_ADMIN },
		{ "super_admin", LV_SUPER_ADMIN },
		{ "unset", LV_NOBODY },
	};
	size_t	 i;

	for (i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
		if (strcmp(s, perms[i].name) == 0) {
			*lv = perms[i].level;
			return 0;
		}
	return -1;
}

/* "-", or flags joined by commas: json_body, any_status, scim. */
static int
parse_flags(const char *s, struct route_row *rr)
{
	size_t	 n;

	if (strcmp(s, "-") == 0)
		return 0;
	for (; *s != '\0'; s += n + (s[n] == ',')) {
		n = strcspn(s, ",");
		if (n == 9 && strncmp(s, "json_body", n) == 0)
			rr->json_body = 1;
		else if (n == 10 && strncmp(s, "any_status", n) == 0)
			rr->any_status = 1;
		else if (n == 4 && strncmp(s, "scim", n) == 0)
			rr->scim = 1;
		else
			return -1;
	}
	return 0;
}

static int
seen(const struct table *t, const char *method, const char *pattern)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->r[i].method, method) == 0 &&
		    strcmp(t->r[i].pattern, pattern) == 0)
			return 1;
	return 0;
}

/* One program's table into t; what is wrong with it into problems. */
static void
load_program(struct table *t, const char *path, struct buf *problems)
{
	const char	*base = strrchr(path, '/') != NULL ?
			    strrchr(path, '/') + 1 : path;
	char		 cmd[4200], line[1024], extra[8], flags[64];
	struct route_row rr;
	size_t		 p = t->nprograms, lines = 0;
	FILE		*f;
	int		 st, n;

	ck_assert_uint_lt(p, MAX_PROGRAMS);
	(void)snprintf(t->programs[p], sizeof(t->programs[p]), "%.*s",
	    (int)(strlen(base) - strlen(".fcgi")), base);
	t->own[p] = 0;
	t->nprograms++;
	(void)snprintf(cmd, sizeof(cmd), "'%s' -r", path);
	ck_assert_ptr_nonnull(f = popen(cmd, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		lines++;
		memset(&rr, 0, sizeof(rr));
		(void)snprintf(rr.program, sizeof(rr.program), "%s",
		    t->programs[p]);
		n = sscanf(line, "%15s %255s %31s %63s %7s", rr.method,
		    rr.pattern, rr.perm, flags, extra);
		if (n != 4 || perm_level(rr.perm, &rr.level) == -1 ||
		    parse_flags(flags, &rr) == -1 || rr.pattern[0] != '/') {
			(void)buf_printf(problems, "  %s: malformed line: %s",
			    base, line);
			continue;
		}
		if (rr.level == LV_NOBODY)
			(void)buf_printf(problems, "  %s: %s %s has no "
			    "permission (unset)\n", base, rr.method,
			    rr.pattern);
		if (builtin(rr.pattern) && seen(t, rr.method, rr.pattern))
			continue;
		if (seen(t, rr.method, rr.pattern))
			(void)buf_printf(problems, "  %s: %s %s is also in "
			    "another program's table\n", base, rr.method,
			    rr.pattern);
		if (!builtin(rr.pattern))
			t->own[p]++;
		ck_assert_uint_lt(t->n, MAX_ROUTES);
		t->r[t->n++] = rr;
	}
	st = pclose(f);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		(void)buf_printf(problems, "  %s -r: exit status %d\n", base,
		    st);
	if (lines == 0)
		(void)buf_printf(problems, "  %s -r printed nothing\n", base);
	if (t->own[p] == 0)
		(void)buf_printf(problems, "  %s: no routes of its own\n",
		    base);
}

/* Every program's table; fails the test on none. */
static void
load_tables(struct table *t, struct buf *problems)
{
	char	 pat[4096];
	glob_t	 g;
	size_t	 i;

	memset(t, 0, sizeof(*t));
	(void)snprintf(pat, sizeof(pat), "%s/cgi-bin/*.fcgi",
	    env("COCKPIT_BUILD_DIR"));
	ck_assert_msg(glob(pat, 0, NULL, &g) == 0, "no programs: %s", pat);
	for (i = 0; i < g.gl_pathc; i++)
		load_program(t, g.gl_pathv[i], problems);
	globfree(&g);
	ck_assert_uint_gt(t->nprograms, 0);
}

/* A fresh version 4 UUID from the kernel's random source. */
static void
random_uuid(char *out)
{
	unsigned char	 b[16];
	FILE		*f;

	ck_assert_ptr_nonnull(f = fopen("/dev/urandom", "r"));
	ck_assert_uint_eq(fread(b, 1, sizeof(b), f), sizeof(b));
	(void)fclose(f);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	(void)snprintf(out, UUID_LEN + 1, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}

/* The pattern with {account_id} as account, every other {x} random. */
static void
fill(char *out, size_t len, const char *pattern, const char *account)
{
	const char	*p = pattern, *end;
	char		 id[UUID_LEN + 1];
	size_t		 o = 0;
	int		 w;

	while (*p != '\0') {
		if (*p != '{' || (end = strchr(p, '}')) == NULL) {
			ck_assert_uint_lt(o + 1, len);
			out[o++] = *p++;
			continue;
		}
		if (strncmp(p, "{account_id}", 12) == 0)
			(void)snprintf(id, sizeof(id), "%s", account);
		else
			random_uuid(id);
		w = snprintf(out + o, len - o, "%s", id);
		ck_assert(w > 0 && (size_t)w < len - o);
		o += (size_t)w;
		p = end + 1;
	}
	out[o] = '\0';
}

static int
scoped(const struct route_row *rr)
{
	return strstr(rr->pattern, "{account_id}") != NULL;
}

/*
 * The routes that change the account itself (suspend, delete, its
 * single sign-on): whoever they let through calls them on an account
 * made for the purpose, so that A stays as the other principals need it.
 */
static int
changes_account(const struct route_row *rr)
{
	if (strcmp(rr->method, "GET") == 0)
		return 0;
	return (strcmp(rr->method, "DELETE") == 0 &&
	    strcmp(rr->pattern, "/v1/accounts/{account_id}") == 0) ||
	    strcmp(rr->pattern, "/v1/accounts/{account_id}/status") == 0 ||
	    strcmp(rr->pattern, "/v1/accounts/{account_id}/sso") == 0;
}

/* The route called by who, on account (NULL: the route names none). */
static int
call(struct reply *r, const struct route_row *rr, const struct who *w,
    const char *account)
{
	char	 path[1024], spare[UUID_LEN + 1], slug[64];

	if (account != NULL && w->platform && changes_account(rr)) {
		unique_slug(slug, sizeof(slug), "spare");
		create_account("Matrix spare", slug, spare);
		account = spare;
	}
	fill(path, sizeof(path), rr->pattern, account != NULL ? account :
	    NIL_ID);
	return http(r, rr->method, path, rr->json_body ? "application/json" :
	    NULL, rr->json_body ? "{}" : NULL, rr->json_body ? 2 : 0, w->auth);
}

static void
who_set(struct who *w, const char *name, enum level lv, int platform,
    const char *secret)
{
	w->name = name;
	w->level = lv;
	w->platform = platform;
	if (secret == NULL)
		w->auth[0] = '\0';
	else
		bearer(w->auth, sizeof(w->auth), secret);
}

/* A key of the account (scope api or scim), made with the master key. */
static char *
api_key_of(const char *account, const char *scope)
{
	struct reply	 r;
	char		 path[128], body[96], *key;

	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/api-keys",
	    account);
	(void)snprintf(body, sizeof(body), "{\"name\":\"matrix\","
	    "\"scope\":\"%s\"}", scope);
	api_post_json(&r, path, body);
	ck_assert_msg(r.status == 201, "api key: %ld %s", r.status,
	    r.body.data);
	ck_assert_ptr_nonnull(json_str(r.json, "key"));
	ck_assert_ptr_nonnull(key = strdup(json_str(r.json, "key")));
	reply_free(&r);
	return key;
}

/*
 * Accounts A and B, A with an organisation of its own, and the
 * principals: nobody, A's end user, A's account admin, an API key of A,
 * a SCIM key of A, a super admin, the master key.
 */
static void
world_init(struct world *wd)
{
	char	 slug[64], org[96], email[160], *t;

	memset(wd, 0, sizeof(*wd));
	unique_slug(slug, sizeof(slug), "matrix-a");
	create_account("Matrix A", slug, wd->a);
	(void)snprintf(org, sizeof(org), "org-%s", slug);
	account_set_org(wd->a, org);
	unique_slug(slug, sizeof(slug), "matrix-b");
	create_account("Matrix B", slug, wd->b);

	who_set(&wd->who[ANON], "anonymous", LV_PUBLIC, 0, NULL);
	(void)snprintf(email, sizeof(email), "user-%s@matrix.test", org);
	t = user_token(AS_END_USER, org, email);
	who_set(&wd->who[END_USER], "end_user", LV_SIGNED_IN, 0, t);
	free(t);
	(void)snprintf(email, sizeof(email), "admin-%s@matrix.test", org);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	who_set(&wd->who[ACCOUNT_ADMIN], "account_admin", LV_ACCOUNT_ADMIN, 0,
	    t);
	free(t);
	t = api_key_of(wd->a, "api");
	who_set(&wd->who[API_KEY], "api_key", LV_ACCOUNT_ADMIN, 0, t);
	free(t);
	t = api_key_of(wd->a, "scim");
	who_set(&wd->who[SCIM_KEY], "scim_key", LV_ACCOUNT_ADMIN, 0, t);
	wd->who[SCIM_KEY].scim = 1;
	free(t);
	(void)snprintf(email, sizeof(email), "super-%s@matrix.test", org);
	t = user_token(AS_SUPER_ADMIN, NULL, email);
	who_set(&wd->who[SUPER_TOKEN], "super_admin", LV_SUPER_ADMIN, 1, t);
	free(t);
	who_set(&wd->who[MASTER], "master_key", LV_SUPER_ADMIN, 1,
	    env("COCKPIT_MASTER_KEY"));
}

static const char *
error_member(const struct reply *r, const char *name)
{
	return json_str(cJSON_GetObjectItemCaseSensitive(r->json, "error"),
	    name);
}

/*
 * Whether r is the front line's denial: status with code, or on a SCIM
 * route status in SCIM's error shape (no code there).
 */
static int
denial(const struct route_row *rr, const struct reply *r, long status,
    const char *code)
{
	const cJSON	*schemas = cJSON_GetObjectItemCaseSensitive(r->json,
			    "schemas");
	const char	*ecode = error_member(r, "code");
	const char	*st = json_str(r->json, "status");
	char		 want[8];

	if (r->status != status)
		return 0;
	if (!rr->scim)
		return ecode != NULL && strcmp(ecode, code) == 0;
	(void)snprintf(want, sizeof(want), "%ld", status);
	return cJSON_IsArray(schemas) && cJSON_IsString(schemas->child) &&
	    strcmp(schemas->child->valuestring,
	    "urn:ietf:params:scim:api:messages:2.0:Error") == 0 &&
	    st != NULL && strcmp(st, want) == 0;
}

static int
is_front_404(const struct reply *r)
{
	const char	*code = error_member(r, "code"),
			*msg = error_member(r, "message");

	return r->status == 404 && code != NULL &&
	    strcmp(code, "not_found") == 0 && msg != NULL &&
	    strcmp(msg, "no such account") == 0;
}

/*
 * What the front line must answer who on the route, on the account
 * (foreign: another account's). Writes the expectation into expected;
 * returns whether the reply meets it.
 */
static int
judge(const struct route_row *rr, const struct who *w, int foreign,
    const struct reply *r, char *expected, size_t len)
{
	char		 www[256];

	if (rr->level == LV_PUBLIC) {
		(void)snprintf(expected, len, "neither 401 nor 403 (public)");
		return r->status != 401 && r->status != 403 &&
		    r->status < 500;
	}
	if (w->level == LV_PUBLIC) {
		(void)snprintf(expected, len, "401 unauthorized with "
		    "WWW-Authenticate");
		return denial(rr, r, 401, "unauthorized") &&
		    reply_header(r, "WWW-Authenticate", www, sizeof(www)) == 0;
	}
	if (rr->scim != w->scim) {
		(void)snprintf(expected, len, "403 forbidden (SCIM routes and "
		    "SCIM keys only together)");
		return denial(rr, r, 403, "forbidden");
	}
	if (w->level < rr->level) {
		(void)snprintf(expected, len, "403 forbidden (role below %s)",
		    rr->perm);
		return denial(rr, r, 403, "forbidden");
	}
	if (foreign && !w->platform) {
		(void)snprintf(expected, len, "404 not_found \"no such "
		    "account\"");
		return is_front_404(r);
	}
	(void)snprintf(expected, len, "through: neither 401 nor 403%s, no "
	    "5xx", scoped(rr) ? " nor \"no such account\"" : "");
	return r->status != 401 && r->status != 403 && r->status < 500 &&
	    !(scoped(rr) && is_front_404(r));
}

/* One cell; a mismatch is appended to out. Returns 1 on a mismatch. */
static int
cell(const struct route_row *rr, const struct who *w, const char *account,
    int foreign, struct buf *out)
{
	struct reply	 r;
	char		 expected[160];
	const char	*scope = account == NULL ? "-" : foreign ? "foreign" :
			    "own";
	int		 bad;

	if (call(&r, rr, w, account) == -1) {
		(void)buf_printf(out, "  %s %s as %s (%s): no answer\n",
		    rr->method, rr->pattern, w->name, scope);
		reply_free(&r);
		return 1;
	}
	bad = !judge(rr, w, foreign, &r, expected, sizeof(expected));
	if (bad)
		(void)buf_printf(out, "  %s %s [%s] as %s (%s): got %ld %.200s;"
		    " expected %s\n", rr->method, rr->pattern, rr->perm,
		    w->name, scope, r.status, r.body.data != NULL ?
		    r.body.data : "", expected);
	reply_free(&r);
	return bad;
}

START_TEST(test_route_tables_are_whole)
{
	struct table	*t = calloc(1, sizeof(*t));
	struct buf	 problems = { 0 };
	size_t		 i;

	ck_assert_ptr_nonnull(t);
	load_tables(t, &problems);
	for (i = 0; i < t->nprograms; i++)
		ck_assert_msg(t->own[i] > 0, "%s: no routes", t->programs[i]);
	ck_assert_msg(problems.len == 0, "route tables:\n%s", problems.data);
	/* The probes are in the matrix, once. */
	ck_assert(seen(t, "GET", "/health"));
	ck_assert(seen(t, "GET", "/readiness"));
	ck_assert(seen(t, "GET", "/metrics"));
	free(t);
}
END_TEST

/* What the matrix takes each principal for, asked of the platform. */
START_TEST(test_principals_are_what_the_matrix_assumes)
{
	static const char *const roles[NWHO] = { NULL, "end_user",
	    "account_admin", "account_admin", NULL, "super_admin",
	    "super_admin" };
	struct world	 wd;
	struct reply	 r;
	const cJSON	*acct, *plat;
	int		 i;

	world_init(&wd);
	for (i = 0; i < NWHO; i++) {
		ck_assert_int_eq(http(&r, "GET", "/v1/me/context", NULL, NULL,
		    0, wd.who[i].auth), 0);
		if (i == ANON || i == SCIM_KEY) {
			/* A SCIM key serves the SCIM routes only. */
			if (i == ANON)
				assert_error(&r, 401, "unauthorized", NULL);
			else
				assert_error(&r, 403, "forbidden", NULL);
			reply_free(&r);
			continue;
		}
		ck_assert_msg(r.status == 200, "%s: %ld %s", wd.who[i].name,
		    r.status, r.body.data);
		ck_assert_str_eq(json_str(r.json, "role"), roles[i]);
		acct = cJSON_GetObjectItemCaseSensitive(r.json, "account");
		plat = cJSON_GetObjectItemCaseSensitive(r.json,
		    "acting_for_platform");
		if (wd.who[i].platform) {
			ck_assert_msg(cJSON_IsNull(acct), "%s has an account",
			    wd.who[i].name);
			ck_assert(cJSON_IsTrue(plat));
		} else {
			ck_assert_msg(cJSON_IsObject(acct), "%s: no account",
			    wd.who[i].name);
			ck_assert_str_eq(json_str(acct, "id"), wd.a);
			ck_assert(cJSON_IsFalse(plat));
		}
		reply_free(&r);
	}
}
END_TEST

START_TEST(test_route_role_account_matrix)
{
	struct table	*t = calloc(1, sizeof(*t));
	struct buf	 problems = { 0 }, mismatches = { 0 };
	struct world	 wd;
	size_t		 i, k, checked[MAX_PROGRAMS] = { 0 }, cells = 0;
	int		 bad = 0, w;

	ck_assert_ptr_nonnull(t);
	load_tables(t, &problems);
	world_init(&wd);
	for (i = 0; i < t->n; i++) {
		for (w = 0; w < NWHO; w++) {
			if (scoped(&t->r[i])) {
				bad += cell(&t->r[i], &wd.who[w], wd.a, 0,
				    &mismatches);
				bad += cell(&t->r[i], &wd.who[w], wd.b, 1,
				    &mismatches);
				cells += 2;
			} else {
				bad += cell(&t->r[i], &wd.who[w], NULL, 0,
				    &mismatches);
				cells++;
			}
		}
		for (k = 0; k < t->nprograms; k++)
			if (strcmp(t->programs[k], t->r[i].program) == 0)
				checked[k]++;
	}
	for (k = 0; k < t->nprograms; k++)
		ck_assert_msg(checked[k] > 0, "no routes of %s were checked",
		    t->programs[k]);
	if (bad > 0)
		fprintf(stderr, "matrix: %d of %zu cells wrong:\n%s", bad,
		    cells, mismatches.data);
	ck_assert_msg(bad == 0, "%d of %zu cells wrong:\n%.7000s", bad, cells,
	    mismatches.data);
	buf_free(&mismatches);
	buf_free(&problems);
	free(t);
}
END_TEST

/* Whether one line of the program's log past offset holds both. */
static int
log_line_has(const char *program, long offset, const char *a, const char *b)
{
	char	 path[4096], line[65536];
	FILE	*f;
	int	 found = 0;

	(void)snprintf(path, sizeof(path), "%s/log/%s.log",
	    env("COCKPIT_STATE_DIR"), program);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fseek(f, offset, SEEK_SET), 0);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, a) != NULL && strstr(line, b) != NULL;
	(void)fclose(f);
	return found;
}

struct logged {
	const char	*program;
	long		 offset;
	char		 request_id[128];
	const char	*reason;
};

static int
denial_logged(void *arg)
{
	const struct logged	*l = arg;

	return log_line_has(l->program, l->offset, l->request_id,
	    "\"access denied\"") && log_line_has(l->program, l->offset,
	    l->request_id, l->reason);
}

/*
 * Calls the route as who and checks the answer is status/code and that
 * the program logged "access denied" with the request's id and reason.
 */
static void
denial_is_logged(const struct route_row *rr, const struct who *w,
    const char *account, long status, const char *code, const char *reason)
{
	struct reply	 r;
	struct logged	 l;

	l.program = rr->program;
	l.offset = log_size(rr->program);
	l.reason = reason;
	ck_assert_int_eq(call(&r, rr, w, account), 0);
	if (rr->scim)
		ck_assert_msg(denial(rr, &r, status, code), "%s %s: %ld %s",
		    rr->method, rr->pattern, r.status, r.body.data);
	else
		assert_error(&r, status, code, NULL);
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", l.request_id,
	    sizeof(l.request_id)), 0);
	reply_free(&r);
	ck_assert_msg(wait_until(denial_logged, &l, 3000), "%s: %s %s as %s: "
	    "no \"access denied\" (%s) for %s in its log", rr->program,
	    rr->method, rr->pattern, w->name, reason, l.request_id);
	/* Also what log_contains() sees, from the start of the log. */
	ck_assert(log_contains(rr->program, "access denied"));
}

/* Every program logs a role's 403 with who, the request and the reason. */
START_TEST(test_role_denials_are_logged)
{
	struct table	*t = calloc(1, sizeof(*t));
	struct buf	 problems = { 0 };
	struct world	 wd;
	size_t		 i, k, done = 0;

	ck_assert_ptr_nonnull(t);
	load_tables(t, &problems);
	world_init(&wd);
	for (k = 0; k < t->nprograms; k++)
		for (i = 0; i < t->n; i++) {
			if (strcmp(t->r[i].program, t->programs[k]) != 0 ||
			    t->r[i].level <= wd.who[END_USER].level)
				continue;
			denial_is_logged(&t->r[i], &wd.who[END_USER],
			    scoped(&t->r[i]) ? wd.a : NULL, 403, "forbidden",
			    t->r[i].scim ? "SCIM routes and SCIM keys go only "
			    "together" : "the role may not use the route");
			done++;
			break;
		}
	ck_assert_uint_gt(done, 0);
	free(t);
	buf_free(&problems);
}
END_TEST

/* And the 404 for another account's route, with its real reason. */
START_TEST(test_foreign_account_denials_are_logged)
{
	struct table	*t = calloc(1, sizeof(*t));
	struct buf	 problems = { 0 };
	struct world	 wd;
	size_t		 i, k, done = 0;

	ck_assert_ptr_nonnull(t);
	load_tables(t, &problems);
	world_init(&wd);
	for (k = 0; k < t->nprograms; k++)
		for (i = 0; i < t->n; i++) {
			if (strcmp(t->r[i].program, t->programs[k]) != 0 ||
			    !scoped(&t->r[i]) || t->r[i].level == LV_PUBLIC ||
			    t->r[i].level > wd.who[ACCOUNT_ADMIN].level)
				continue;
			denial_is_logged(&t->r[i], &wd.who[ACCOUNT_ADMIN],
			    wd.b, 404, "not_found", "another account's route");
			done++;
			break;
		}
	ck_assert_uint_gt(done, 0);
	free(t);
	buf_free(&problems);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("matrix");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_route_tables_are_whole);
	tcase_add_test(tc, test_principals_are_what_the_matrix_assumes);
	tcase_add_test(tc, test_route_role_account_matrix);
	tcase_add_test(tc, test_role_denials_are_logged);
	tcase_add_test(tc, test_foreign_account_denials_are_logged);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
