/* The shared harness of the API suites. */
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

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

/*
 * One HTTP request to the stack. authorization is AUTH_MASTER, AUTH_NONE
 * or a whole header value. Returns 0, or -1 when no answer came at all.
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
int
http_at(struct reply *r, const char *base, const char *method,
    const char *path, const char *content_type, const char *body, size_t len,
    const char *authorization)
{
	struct curl_slist	*h = NULL;
	CURL			*c;
	char			 url[4096], line[8192];
	CURLcode		 rc;

	memset(r, 0, sizeof(*r));
	ck_assert((c = curl_easy_init()) != NULL);
	(void)snprintf(url, sizeof(url), "%s%s", base, path);
	if (authorization == AUTH_MASTER) {
		(void)snprintf(line, sizeof(line), "Authorization: Bearer %s",
		    env("COCKPIT_MASTER_KEY"));
		h = curl_slist_append(h, line);
	} else if (*authorization != '\0') {
		(void)snprintf(line, sizeof(line), "Authorization: %s",
		    authorization);
		h = curl_slist_append(h, line);
	}
	(void)snprintf(line, sizeof(line), "Content-Type: %s",
	    content_type != NULL ? content_type : "");
	h = curl_slist_append(h, content_type != NULL ? line : "Content-Type:");
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	} else if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
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

void
reply_free(struct reply *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

/* Copies the first value of header name into out; 0, or -1 when absent. */
int
reply_header(const struct reply *r, const char *name, char *out, size_t len)
{
	const char	*p = r->headers.data, *end;
	size_t		 n = strlen(name), vlen;

	for (; p != NULL && *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "\n");
		if (strncasecmp(p, name, n) != 0 || p[n] != ':')
			continue;
		p += n + 1;
		while (*p == ' ')
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
	const char	*p = r->headers.data;
	size_t		 n = strlen(name);
	int		 count = 0;

	for (; p != NULL && *p != '\0'; p += strcspn(p, "\n") + (p[strcspn(p,
	    "\n")] != '\0'))
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

/* The error shape of console-cockpit(7), with the given status and code. */
void
assert_error(const struct reply *r, long status, const char *code,
    const char *field)
{
	const cJSON	*e;
	char		 id[128];

	ck_assert_msg(r->status == status, "status %ld, expected %ld: %s",
	    r->status, status, r->body.data ? r->body.data : "");
	ck_assert_msg(r->json != NULL, "not JSON: %s", r->body.data);
	e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	ck_assert_msg(cJSON_IsObject(e), "no error object: %s", r->body.data);
	ck_assert_str_eq(json_str(e, "code"), code);
	ck_assert(json_str(e, "message") != NULL &&
	    strlen(json_str(e, "message")) > 0);
	ck_assert_ptr_nonnull(json_str(e, "request_id"));
	ck_assert_int_eq(reply_header(r, "X-Request-Id", id, sizeof(id)), 0);
	ck_assert_str_eq(json_str(e, "request_id"), id);
	if (field != NULL) {
		ck_assert_ptr_nonnull(json_str(e, "field"));
		ck_assert_str_eq(json_str(e, "field"), field);
	}
}

PGconn *
db_connect(const char *conninfo)
{
	PGconn	*c = PQconnectdb(conninfo);

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

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(c));
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

void
db_exec(PGconn *c, const char *sql)
{
	PGresult	*res = PQexec(c, sql);
	ExecStatusType	 st = PQresultStatus(res);

	ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQerrorMessage(c));
	PQclear(res);
}

void
unique_slug(char *out, size_t len, const char *prefix)
{
	static unsigned	 n;
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)snprintf(out, len, "%s-%ld-%ld-%u", prefix, (long)getpid(),
	    ts.tv_nsec, n++);
}

/* Creates an account (slug may be NULL) and copies its id into id[37]. */
void
create_account(const char *name, const char *slug, char *id)
{
	struct reply	 r;
	cJSON		*o = cJSON_CreateObject();
	char		*body;

	cJSON_AddStringToObject(o, "name", name);
	if (slug != NULL)
		cJSON_AddStringToObject(o, "slug", slug);
	body = cJSON_PrintUnformatted(o);
	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", body), 0);
	ck_assert_msg(r.status == 201, "create: %ld %s", r.status,
	    r.body.data);
	(void)snprintf(id, 37, "%s", json_str(r.json, "id"));
	reply_free(&r);
	free(body);
	cJSON_Delete(o);
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
	ck_assert((p = popen(cmd, "r")) != NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (out != NULL)
			ck_assert_int_eq(buf_append(out, chunk, n), 0);
	st = pclose(p);
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

long
supervisor_pid(void)
{
	struct buf	 out = { 0 };
	long		 pid;

	ck_assert_int_eq(stack("supervisor-pid", "accounts", &out), 0);
	pid = strtol(out.data, NULL, 10);
	buf_free(&out);
	return pid;
}

/* Whether the program's log holds needle. */
int
log_contains(const char *program, const char *needle)
{
	char	 path[4096], line[16384];
	FILE	*f;
	int	 found = 0;

	(void)snprintf(path, sizeof(path), "%s/log/%s.log",
	    env("COCKPIT_STATE_DIR"), program);
	ck_assert((f = fopen(path, "r")) != NULL);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

void
msleep(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Runs the suite; the last line printed is "N passed, N failed". */
int
harness_run(Suite *s)
{
	SRunner	*sr;
	int	 run, failed;

	if (getenv("COCKPIT_URL") == NULL) {
		printf("COCKPIT_URL is not set: run me from tests/api/suite.sh\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	fflush(stderr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? 0 : 1;
}
