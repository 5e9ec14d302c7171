/* The shared harness of the API suites. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

#define SETOPT(c, opt, val) \
	ck_assert_int_eq(curl_easy_setopt((c), (opt), (val)), CURLE_OK)

const char *
env(const char *name)
{
	const char	*v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "%s is not set", name);
	return v;
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	return buf_append(arg, data, size * n) == 0 ? size * n : 0;
}

static struct curl_slist *
header_add(struct curl_slist *h, const char *line)
{
	struct curl_slist	*n = curl_slist_append(h, line);

	ck_assert_ptr_nonnull(n);
	return n;
}

/* The request headers: credentials, media type, no Expect: 100. */
static struct curl_slist *
request_headers(const char *content_type, const char *authorization)
{
	struct curl_slist	*h = NULL;
	char			 line[8192];

	if (authorization == AUTH_MASTER) {
		(void)snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    env("COCKPIT_MASTER_KEY"));
		h = header_add(h, line);
	} else if (*authorization != '\0') {
		ck_assert_uint_lt(strlen(authorization), sizeof(line) - 20);
		(void)snprintf(line, sizeof(line), "Authorization: %s",
		    authorization);
		h = header_add(h, line);
	}
	if (content_type != NULL) {
		(void)snprintf(line, sizeof(line), "Content-Type: %s",
		    content_type);
		h = header_add(h, line);
	} else
		h = header_add(h, "Content-Type:");	/* none at all */
	return header_add(h, "Expect:");
}

/*
 * One HTTP request to the stack. Returns 0, or -1 when no answer came at
 * all; the reply is then empty but still safe to reply_free().
 */
int
http(struct reply *r, const char *method, const char *path,
    const char *content_type, const char *body, size_t len,
    const char *authorization)
{
	return http_at(r, env("COCKPIT_URL"), method, path, content_type, body,
	    len, authorization);
}

/* The same, to another server (the test identity provider). */
static int	http_extra(struct reply *, const char *base, const char *method,
		    const char *path, const char *content_type, const char *body,
		    size_t len, const char *authorization, const char *extra);

int
http_at(struct reply *r, const char *base, const char *method,
    const char *path, const char *content_type, const char *body, size_t len,
    const char *authorization)
{
	return http_extra(r, base, method, path, content_type, body, len,
	    authorization, NULL);
}

/* http_at() with one more header line ("Name: value"), unless NULL. */
static int
http_extra(struct reply *r, const char *base, const char *method,
    const char *path, const char *content_type, const char *body, size_t len,
    const char *authorization, const char *extra)
{
	struct curl_slist	*h;
	CURL			*c;
	char			 url[8192];
	CURLcode		 rc;

	memset(r, 0, sizeof(*r));
	ck_assert_uint_lt(strlen(base) + strlen(path), sizeof(url));
	(void)snprintf(url, sizeof(url), "%s%s", base, path);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	h = request_headers(content_type, authorization);
	if (extra != NULL)
		ck_assert_ptr_nonnull(h = curl_slist_append(h, extra));
	SETOPT(c, CURLOPT_URL, url);
	SETOPT(c, CURLOPT_CUSTOMREQUEST, method);
	SETOPT(c, CURLOPT_HTTPHEADER, h);
	SETOPT(c, CURLOPT_TIMEOUT, 30L);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_WRITEFUNCTION, collect);
	SETOPT(c, CURLOPT_WRITEDATA, &r->body);
	SETOPT(c, CURLOPT_HEADERFUNCTION, collect);
	SETOPT(c, CURLOPT_HEADERDATA, &r->headers);
	if (body != NULL) {
		SETOPT(c, CURLOPT_POSTFIELDS, body);
		SETOPT(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else if (strcmp(method, "GET") == 0)
		SETOPT(c, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		ck_assert_int_eq(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE,
		    &r->status), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		return -1;
	if (r->body.len > 0)
		r->json = cJSON_ParseWithLength(r->body.data, r->body.len);
	return 0;
}

/* A JSON request with the master key; json NULL sends no body. */
int
api(struct reply *r, const char *method, const char *path, const char *json)
{
	return http(r, method, path, json != NULL ? "application/json" : NULL,
	    json, json != NULL ? strlen(json) : 0, AUTH_MASTER);
}

/* api() acting inside account (X-Account-Id), failing when no answer. */
void
api_in_account(struct reply *r, const char *account, const char *method,
    const char *path, const char *json)
{
	char	 auth[512], hdr[128];

	(void)snprintf(auth, sizeof(auth), "Bearer %s",
	    env("COCKPIT_MASTER_KEY"));
	(void)snprintf(hdr, sizeof(hdr), "X-Account-Id: %s", account);
	ck_assert_msg(http_extra(r, env("COCKPIT_URL"), method, path,
	    json != NULL ? "application/json" : NULL, json,
	    json != NULL ? strlen(json) : 0, auth, hdr) == 0,
	    "%s %s: no answer", method, path);
}

/* The same, failing the test when no answer came. */
void
api_get(struct reply *r, const char *path)
{
	ck_assert_msg(api(r, "GET", path, NULL) == 0, "GET %s: no answer",
	    path);
}

void
api_post_json(struct reply *r, const char *path, const char *json)
{
	ck_assert_msg(api(r, "POST", path, json) == 0, "POST %s: no answer",
	    path);
}

void
api_patch_json(struct reply *r, const char *path, const char *json)
{
	ck_assert_msg(api(r, "PATCH", path, json) == 0, "PATCH %s: no answer",
	    path);
}

/* The status of a bodiless request with the master key; -1: no answer. */
long
status_of(const char *method, const char *path)
{
	struct reply	 r;
	long		 st;

	if (api(&r, method, path, NULL) == -1) {
		reply_free(&r);
		return -1;
	}
	st = r.status;
	reply_free(&r);
	return st;
}

void
reply_free(struct reply *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

/* The next header line after p, or NULL; sets *end to the line's end. */
static const char *
header_line(const char *p, const char **end)
{
	if (p == NULL || *p == '\0')
		return NULL;
	*end = p + strcspn(p, "\n");
	return p;
}

static const char *
header_next(const char *end)
{
	return *end == '\0' ? end : end + 1;
}

/* Copies the first value of header name into out; 0, or -1 when absent. */
int
reply_header(const struct reply *r, const char *name, char *out, size_t len)
{
	const char	*p, *end;
	size_t		 n = strlen(name), vlen;

	for (p = r->headers.data; header_line(p, &end) != NULL;
	    p = header_next(end)) {
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		p += n + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		vlen = (size_t)(end - p);
		while (vlen > 0 && (p[vlen - 1] == '\r' || p[vlen - 1] == ' '))
			vlen--;
		if (vlen >= len)
			return -1;
		memcpy(out, p, vlen);
		out[vlen] = '\0';
		return 0;
	}
	return -1;
}

int
reply_header_count(const struct reply *r, const char *name)
{
	const char	*p, *end;
	size_t		 n = strlen(name);
	int		 count = 0;

	for (p = r->headers.data; header_line(p, &end) != NULL;
	    p = header_next(end))
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			count++;
	return count;
}

const char *
json_str(const cJSON *obj, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The "items" array of a list answer; fails the test without one. */
const cJSON *
json_items(const struct reply *r)
{
	const cJSON	*items = cJSON_GetObjectItemCaseSensitive(r->json,
	    "items");

	ck_assert_msg(cJSON_IsArray(items), "no items: %s",
	    r->body.data != NULL ? r->body.data : "");
	return items;
}

/*
 * The error shape of console-cockpit(7): the status, JSON, exactly
 * {"error":{"code","message","field"?,"request_id"}}, the request id the
 * same as the one X-Request-Id header, and the field only when expected.
 */
void
assert_error(const struct reply *r, long status, const char *code,
    const char *field)
{
	const cJSON	*e;
	char		 id[128], ct[128];

	ck_assert_msg(r->status == status, "status %ld, expected %ld: %s",
	    r->status, status, r->body.data != NULL ? r->body.data : "");
	ck_assert_msg(r->json != NULL, "not JSON: %s", r->body.data);
	ck_assert_int_eq(reply_header(r, "Content-Type", ct, sizeof(ct)), 0);
	ck_assert_msg(strncmp(ct, "application/json", 16) == 0,
	    "Content-Type %s", ct);
	e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	ck_assert_msg(cJSON_IsObject(e), "no error object: %s", r->body.data);
	ck_assert_int_eq(cJSON_GetArraySize(r->json), 1);
	ck_assert_ptr_nonnull(json_str(e, "code"));
	ck_assert_msg(strcmp(json_str(e, "code"), code) == 0,
	    "code %s, expected %s: %s", json_str(e, "code"), code,
	    r->body.data);
	ck_assert_ptr_nonnull(json_str(e, "message"));
	ck_assert_uint_gt(strlen(json_str(e, "message")), 0);
	ck_assert_ptr_nonnull(json_str(e, "request_id"));
	ck_assert_int_eq(reply_header_count(r, "X-Request-Id"), 1);
	ck_assert_int_eq(reply_header(r, "X-Request-Id", id, sizeof(id)), 0);
	ck_assert_str_eq(json_str(e, "request_id"), id);
	if (field != NULL) {
		ck_assert_msg(json_str(e, "field") != NULL,
		    "no field, expected %s: %s", field, r->body.data);
		ck_assert_str_eq(json_str(e, "field"), field);
	} else
		ck_assert_msg(cJSON_GetObjectItemCaseSensitive(e, "field") ==
		    NULL, "unexpected field: %s", r->body.data);
}

/* 8-4-4-4-12 lowercase hex digits. */
int
is_uuid(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != UUID_LEN)
		return 0;
	for (i = 0; i < UUID_LEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/* RFC 3339 in UTC with microseconds: 2026-11-23T10:00:00.123456Z. */
int
is_timestamp(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t			 i;

	if (s == NULL || strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	return 1;
}

/* An Account: exactly its six members, each of the right form. */
void
assert_account(const cJSON *a)
{
	const char	*st;

	ck_assert_msg(cJSON_IsObject(a), "not an account");
	ck_assert_int_eq(cJSON_GetArraySize(a), 6);
	ck_assert_msg(is_uuid(json_str(a, "id")), "id %s", json_str(a, "id"));
	ck_assert_ptr_nonnull(json_str(a, "name"));
	ck_assert_ptr_nonnull(json_str(a, "slug"));
	ck_assert_ptr_nonnull(st = json_str(a, "status"));
	ck_assert(strcmp(st, "active") == 0 || strcmp(st, "suspended") == 0);
	ck_assert_msg(is_timestamp(json_str(a, "created_at")), "created_at %s",
	    json_str(a, "created_at"));
	ck_assert_msg(is_timestamp(json_str(a, "updated_at")), "updated_at %s",
	    json_str(a, "updated_at"));
}

PGconn *
db_connect(const char *conninfo)
{
	PGconn	*c = PQconnectdb(conninfo);

	ck_assert_ptr_nonnull(c);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

/*
 * The owner's connection, acting for the platform: row-level security is
 * forced on the owner too, so without this it would see no rows at all.
 */
PGconn *
db_owner(void)
{
	PGconn	*c = db_connect(env("DATABASE_URL"));

	db_exec(c, "SELECT set_config('cockpit.platform', 'on', false)");
	return c;
}

/* The single number a query answers on connection c. */
long long
db_scalar(PGconn *c, const char *sql)
{
	PGresult	*res = PQexec(c, sql);
	long long	 n;

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/* The same, asked as the owner acting for the platform. */
long long
db_count(const char *sql)
{
	PGconn		*c = db_owner();
	long long	 n = db_scalar(c, sql);

	PQfinish(c);
	return n;
}

/*
 * The rows of table matching the condition (a printf format and its
 * arguments), as the owner counts them.
 */
long long
db_count_where(const char *table, const char *fmt, ...)
{
	va_list		 ap;
	long long	 n;

	va_start(ap, fmt);
	n = db_vcount_where(table, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * The rows of table matching the condition (a printf format and its
 * va_list), as the owner counts them.
 */
long long
db_vcount_where(const char *table, const char *fmt, va_list ap)
{
	char	 sql[2048], cond[1800];
	int	 n;

	n = vsnprintf(cond, sizeof(cond), fmt, ap);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof(cond), "condition too long");
	n = snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s",
	    table, cond);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof(sql), "query too long");
	return db_count(sql);
}

void
db_exec(PGconn *c, const char *sql)
{
	PGresult	*res = PQexec(c, sql);
	ExecStatusType	 st = PQresultStatus(res);

	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
}

/* A token from the test provider; request is its /test/token body. */
char *
idp_mint(const char *request)
{
	struct reply	 r;
	char		*t;

	ck_assert_int_eq(http_at(&r, env("COCKPIT_TEST_IDP"), "POST",
	    "/test/token", "application/json", request, strlen(request),
	    AUTH_NONE), 0);
	ck_assert_msg(r.status == 200, "idp /test/token: %ld", r.status);
	t = strdup(json_str(r.json, "token"));
	reply_free(&r);
	ck_assert_ptr_nonnull(t);
	return t;
}

/*
 * An access token of a user of organisation org_id (NULL: none) with the
 * given role; the subject is derived from the email, so one email is one
 * user.
 */
char *
user_token(enum test_role role, const char *org_id, const char *email)
{
	char		 req[2048], org[300] = "";
	const char	*roles = "";

	if (role == AS_SUPER_ADMIN)
		roles = ",\"urn:zitadel:iam:org:project:roles\":{\""
		    TEST_SUPER_ROLE "\":{}}";
	else if (role == AS_ACCOUNT_ADMIN)
		roles = ",\"urn:zitadel:iam:org:project:99:roles\":{\""
		    TEST_ADMIN_ROLE "\":{}}";
	if (org_id != NULL)
		(void)snprintf(org, sizeof(org), ",\"urn:zitadel:iam:user:"
		    "resourceowner:id\":\"%s\"", org_id);
	(void)snprintf(req, sizeof(req), "{\"claims\":{\"aud\":[\""
	    TEST_AUDIENCE "\"],\"sub\":\"sub-%s\",\"email\":\"%s\","
	    "\"email_verified\":true%s%s}}",
	    email, email, org, roles);
	return idp_mint(req);
}

/* Gives the account the identity provider's organisation org_id. */
void
account_set_org(const char *account_id, const char *org_id)
{
	PGconn	*c = db_owner();
	char	 sql[400];

	(void)snprintf(sql, sizeof(sql), "UPDATE accounts SET auth_org_id = "
	    "'%s' WHERE id = '%s'", org_id, account_id);
	db_exec(c, sql);
	PQfinish(c);
}

void
bearer(char *out, size_t len, const char *secret)
{
	ck_assert_int_lt(snprintf(out, len, "Bearer %s", secret), (int)len);
}

/* A request with a bearer credential (a token or an API key). */
int
api_as(struct reply *r, const char *secret, const char *method,
    const char *path, const char *json)
{
	char	 auth[9000];

	bearer(auth, sizeof(auth), secret);
	return http(r, method, path, json != NULL ? "application/json" : NULL,
	    json, json != NULL ? strlen(json) : 0, auth);
}

long long
accounts_count(void)
{
	return db_count("SELECT count(*) FROM accounts");
}

/* prefix-PID-NANOSECONDS-COUNTER: a valid slug no other run has made. */
void
unique_slug(char *out, size_t len, const char *prefix)
{
	static unsigned	 n;
	struct timespec	 ts;
	int		 w;

	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &ts), 0);
	w = snprintf(out, len, "%s-%ld-%ld-%u", prefix, (long)getpid(),
	    ts.tv_nsec, n++);
	ck_assert(w > 0 && (size_t)w < len);
}

/* Creates an account (slug may be NULL) and copies its id into id[37]. */
void
create_account(const char *name, const char *slug, char *id)
{
	struct reply	 r;
	cJSON		*o;
	char		*body;

	ck_assert_ptr_nonnull(o = cJSON_CreateObject());
	ck_assert_ptr_nonnull(cJSON_AddStringToObject(o, "name", name));
	if (slug != NULL)
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(o, "slug", slug));
	ck_assert_ptr_nonnull(body = cJSON_PrintUnformatted(o));
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "create: %ld %s", r.status,
	    r.body.data);
	ck_assert(is_uuid(json_str(r.json, "id")));
	(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
	free(body);
	cJSON_Delete(o);
}

void
account_path(char *out, size_t len, const char *id)
{
	int	 w = snprintf(out, len, "/v1/accounts/%s", id);

	ck_assert(w > 0 && (size_t)w < len);
}

/* Runs script/stack COMMAND $COCKPIT_STATE_DIR [PROGRAM]; its exit status. */
int
stack(const char *command, const char *program, struct buf *out)
{
	char	 cmd[4096], chunk[512];
	FILE	*p;
	size_t	 n;
	int	 st;

	(void)snprintf(cmd, sizeof(cmd), "'%s/script/stack' %s '%s' %s",
	    env("COCKPIT_SRC_DIR"), command, env("COCKPIT_STATE_DIR"),
	    program != NULL ? program : "");
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out != NULL)
			ck_assert_int_eq(buf_append(out, chunk, n), 0);
	ck_assert_int_ne(st = pclose(p), -1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The accounts program's worker pids, sorted; returns how many. */
int
worker_pids(long *pids, int max)
{
	struct buf	 out = { 0 };
	char		*p, *end;
	int		 n = 0, i, k;
	long		 t;

	ck_assert_int_eq(stack("pids", "accounts", &out), 0);
	for (p = out.data; p != NULL && *p != '\0' && n < max; p = end) {
		t = strtol(p, &end, 10);
		if (end == p)
			break;
		pids[n++] = t;
		while (*end == '\n')
			end++;
	}
	buf_free(&out);
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && pids[k - 1] > pids[k]; k--) {
			t = pids[k];
			pids[k] = pids[k - 1];
			pids[k - 1] = t;
		}
	return n;
}

/* How many pids of a are also in b. */
int
pids_shared(const long *a, int na, const long *b, int nb)
{
	int	 i, k, shared = 0;

	for (i = 0; i < na; i++)
		for (k = 0; k < nb; k++)
			shared += a[i] == b[k];
	return shared;
}

long
supervisor_pid(void)
{
	struct buf	 out = { 0 };
	long		 pid;

	ck_assert_int_eq(stack("supervisor-pid", "accounts", &out), 0);
	ck_assert_ptr_nonnull(out.data);
	pid = strtol(out.data, NULL, 10);
	buf_free(&out);
	ck_assert_int_gt(pid, 1);
	return pid;
}

static void
log_path(char *path, size_t len, const char *program)
{
	int	 w = snprintf(path, len, "%s/log/%s.log",
	    env("COCKPIT_STATE_DIR"), program);

	ck_assert(w > 0 && (size_t)w < len);
}

/* The size of the program's log now: where later lines will start. */
long
log_size(const char *program)
{
	struct stat	 st;
	char		 path[4096];

	log_path(path, sizeof(path), program);
	ck_assert_int_eq(stat(path, &st), 0);
	return (long)st.st_size;
}

/* Whether the program's log holds needle past byte offset. */
int
log_contains_since(const char *program, long offset, const char *needle)
{
	char	 path[4096], line[65536];
	FILE	*f;
	int	 found = 0;

	log_path(path, sizeof(path), program);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fseek(f, offset, SEEK_SET), 0);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	ck_assert_int_eq(fclose(f), 0);
	return found;
}

/* Whether the program's log holds needle anywhere. */
int
log_contains(const char *program, const char *needle)
{
	return log_contains_since(program, 0, needle);
}

/* Polls cond every 50 ms for up to timeout_ms; whether it came true. */
int
wait_until(int (*cond)(void *), void *arg, long timeout_ms)
{
	struct timespec	 start;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &start), 0);
	for (;;) {
		if (cond(arg))
			return 1;
		if (elapsed_ms(&start) >= timeout_ms)
			return cond(arg);
		msleep(50);
	}
}

void
msleep(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Milliseconds since a CLOCK_MONOTONIC time. */
long
elapsed_ms(const struct timespec *since)
{
	struct timespec	 now;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &now), 0);
	return (long)(now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
}

/*
 * Runs the suite, each test in its own process so that a crash is counted
 * as a failure; the last line printed is "N passed, N failed".
 */
int
harness_run(Suite *s)
{
	SRunner	*sr;
	int	 run, failed;

	sr = srunner_create(s);	/* owns s from here on */
	if (getenv("COCKPIT_URL") == NULL || *getenv("COCKPIT_URL") == '\0') {
		printf("COCKPIT_URL is not set: run me from tests/api/suite.sh\n");
		printf("0 passed, 1 failed\n");
		srunner_free(sr);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		printf("curl_global_init failed\n");
		printf("0 passed, 1 failed\n");
		srunner_free(sr);
		return 1;
	}
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_VERBOSE);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	(void)fflush(stderr);
	printf("%d passed, %d failed\n", run - failed, failed);
	(void)fflush(stdout);
	return failed == 0 && run > 0 ? 0 : 1;
}
