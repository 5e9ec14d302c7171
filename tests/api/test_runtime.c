/*
 * The runtime every program shares: request ids and logs, metrics summed
 * across workers, health and readiness, worker recycling, SIGHUP reloads.
 */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WORKERS		4	/* COCKPIT_WORKERS in the suite */
#define MAX_REQUESTS	500	/* COCKPIT_MAX_REQUESTS in the suite */
#define ACCOUNT_ROUTE	"/v1/accounts/{account_id}"

static void
get_ok(const char *path)
{
	struct reply	 r;

	api_get(&r, path);
	ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status,
	    r.body.data);
	reply_free(&r);
}

/* GET path; copies the answer's X-Request-Id into id[128]. */
static void
get_id(const char *path, const char *auth, long status, char *id)
{
	struct reply	 r;

	ck_assert_int_eq(http(&r, "GET", path, NULL, NULL, 0, auth), 0);
	ck_assert_msg(r.status == status, "%s: %ld %s", path, r.status,
	    r.body.data);
	ck_assert_int_eq(reply_header_count(&r, "X-Request-Id"), 1);
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", id, 128), 0);
	reply_free(&r);
}

static void
new_account_path(char *path, size_t len)
{
	char	 id[UUID_LEN + 1], slug[64];

	unique_slug(slug, sizeof(slug), "rt");
	create_account("Runtime", slug, id);
	account_path(path, len, id);
}

/* --- request ids and logs -------------------------------------------- */

START_TEST(test_every_answer_has_one_request_id)
{
	static const struct {
		const char	*method, *path, *type, *body, *auth;
		long		 status;
	} cases[] = {
		{ "GET", "/health", NULL, NULL, AUTH_NONE, 200 },
		{ "GET", "/readiness", NULL, NULL, AUTH_NONE, 200 },
		{ "GET", "/metrics", NULL, NULL, AUTH_NONE, 200 },
		{ "GET", "/v1/accounts?limit=1", NULL, NULL, AUTH_MASTER, 200 },
		{ "GET", "/v1/accounts", NULL, NULL, AUTH_NONE, 401 },
		{ "GET", "/v1/accounts/" NIL_ID, NULL, NULL, AUTH_MASTER, 404 },
		{ "DELETE", "/v1/accounts", NULL, NULL, AUTH_MASTER, 405 },
		{ "POST", "/v1/accounts", "application/json", "{}", AUTH_MASTER,
		    422 },
		{ "POST", "/v1/accounts", "text/plain", "{}", AUTH_MASTER, 415 },
	};
	struct reply	 r;
	char		 id[128];
	size_t		 i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(http(&r, cases[i].method, cases[i].path,
		    cases[i].type, cases[i].body, cases[i].body != NULL ?
		    strlen(cases[i].body) : 0, cases[i].auth), 0);
		ck_assert_msg(r.status == cases[i].status, "%s %s: %ld",
		    cases[i].method, cases[i].path, r.status);
		ck_assert_msg(reply_header_count(&r, "X-Request-Id") == 1,
		    "%s %s: %d X-Request-Id", cases[i].method, cases[i].path,
		    reply_header_count(&r, "X-Request-Id"));
		ck_assert_int_eq(reply_header(&r, "X-Request-Id", id,
		    sizeof(id)), 0);
		ck_assert_uint_ge(strlen(id), 16);
		for (k = 0; id[k] != '\0'; k++)
			ck_assert(isalnum((unsigned char)id[k]) || id[k] == '-');
		reply_free(&r);
	}
}
END_TEST

START_TEST(test_request_ids_are_unique)
{
	char	 ids[64][128];
	int	 i, k;

	for (i = 0; i < 64; i++) {
		get_id("/health", AUTH_NONE, 200, ids[i]);
		for (k = 0; k < i; k++)
			ck_assert_str_ne(ids[i], ids[k]);
	}
}
END_TEST

/*
 * The access line ("msg":"request") of request id, parsed, or NULL when
 * there is none yet. Other lines may carry the id too (a refused token).
 */
static cJSON *
log_line_of(const char *id)
{
	char	 path[4096], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;
	cJSON	*j, *found = NULL;

	(void)snprintf(path, sizeof(path), "%s/log/accounts.log",
	    env("COCKPIT_STATE_DIR"));
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (found == NULL && getline(&line, &cap, f) != -1) {
		if (strstr(line, id) == NULL)
			continue;
		ck_assert_ptr_nonnull(j = cJSON_Parse(line));
		if (json_str(j, "request_id") != NULL &&
		    strcmp(json_str(j, "request_id"), id) == 0 &&
		    json_str(j, "msg") != NULL &&
		    strcmp(json_str(j, "msg"), "request") == 0)
			found = j;
		else
			cJSON_Delete(j);
	}
	free(line);
	ck_assert_int_eq(fclose(f), 0);
	return found;
}

static int
is_logged(void *id)
{
	cJSON	*j = log_line_of(id);

	cJSON_Delete(j);
	return j != NULL;
}

static void
assert_logged(const char *id, const char *method, const char *route,
    long status)
{
	cJSON	*j;

	/* The line is written once the answer is out: give it a moment. */
	ck_assert_msg(wait_until(is_logged, (void *)id, 3000),
	    "request %s is not in accounts.log", id);
	j = log_line_of(id);
	ck_assert_str_eq(json_str(j, "method"), method);
	ck_assert_str_eq(json_str(j, "route"), route);
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "status")));
	ck_assert_int_eq(cJSON_GetObjectItem(j, "status")->valueint, status);
	ck_assert_ptr_nonnull(json_str(j, "ts"));
	ck_assert_ptr_nonnull(json_str(j, "level"));
	cJSON_Delete(j);
}

START_TEST(test_request_is_logged_with_its_id_route_and_status)
{
	char	 path[128], id[128];

	new_account_path(path, sizeof(path));
	get_id(path, AUTH_MASTER, 200, id);
	assert_logged(id, "GET", ACCOUNT_ROUTE, 200);
	get_id("/v1/accounts/" NIL_ID, AUTH_MASTER, 404, id);
	assert_logged(id, "GET", ACCOUNT_ROUTE, 404);
	get_id("/v1/accounts/" NIL_ID "/nope", AUTH_MASTER, 404, id);
	assert_logged(id, "GET", "unmatched", 404);
}
END_TEST

START_TEST(test_every_log_line_is_a_json_object)
{
	char	 path[4096], *line = NULL;
	size_t	 cap = 0;
	FILE	*f;
	cJSON	*j;
	int	 lines = 0;

	get_ok("/health");
	(void)snprintf(path, sizeof(path), "%s/log/accounts.log",
	    env("COCKPIT_STATE_DIR"));
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (getline(&line, &cap, f) != -1) {
		lines++;
		j = cJSON_Parse(line);
		ck_assert_msg(cJSON_IsObject(j), "line %d is not JSON: %s",
		    lines, line);
		ck_assert_msg(json_str(j, "ts") != NULL &&
		    json_str(j, "level") != NULL && json_str(j, "msg") != NULL,
		    "line %d lacks ts, level or msg: %s", lines, line);
		cJSON_Delete(j);
	}
	free(line);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_gt(lines, 10);
}
END_TEST

START_TEST(test_log_never_holds_credentials)
{
	char		 wrong[600], id[128];
	const char	*key = env("COCKPIT_MASTER_KEY");

	get_id("/v1/accounts?limit=1", AUTH_MASTER, 200, id);
	assert_logged(id, "GET", "/v1/accounts", 200);
	(void)snprintf(wrong, sizeof(wrong), "Bearer %sx", key);
	get_id("/v1/accounts?limit=1", wrong, 401, id);
	assert_logged(id, "GET", "/v1/accounts", 401);
	ck_assert(!log_contains("accounts", key));
}
END_TEST

/* --- metrics --------------------------------------------------------- */

/* The value of one exact series in body, or 0 when it is absent. */
static double
series_in(const char *body, const char *series)
{
	const char	*p;
	size_t		 len = strlen(series);

	for (p = body; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, series, len) == 0 && p[len] == ' ')
			return strtod(p + len + 1, NULL);
	}
	return 0;
}

static void
metrics(struct reply *r)
{
	ck_assert_int_eq(http(r, "GET", "/metrics", NULL, NULL, 0, AUTH_NONE),
	    0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(r->body.data);
}

static double
metric(const char *series)
{
	struct reply	 r;
	double		 v;

	metrics(&r);
	v = series_in(r.body.data, series);
	reply_free(&r);
	return v;
}

struct load {
	char		 path[128];
	int		 requests;
	atomic_int	 failures;
};

static void *
load_run(void *arg)
{
	struct load	*l = arg;
	int		 i;

	for (i = 0; i < l->requests; i++)
		if (status_of("GET", l->path) != 200)
			atomic_fetch_add(&l->failures, 1);
	return NULL;
}

START_TEST(test_metrics_count_requests_across_workers)
{
	const char	*ok = "cockpit_http_requests_total{program=\"accounts\","
	    "method=\"GET\",route=\"" ACCOUNT_ROUTE "\",status=\"200\"}";
	const char	*count = "cockpit_http_request_duration_seconds_count{"
	    "program=\"accounts\",route=\"" ACCOUNT_ROUTE "\"}";
	struct load	 l;
	pthread_t	 t[4];
	double		 before, count_before;
	int		 i;

	new_account_path(l.path, sizeof(l.path));
	l.requests = 5;
	atomic_init(&l.failures, 0);
	before = metric(ok);
	count_before = metric(count);
	/* Four at once, so that several workers serve them. */
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, load_run, &l), 0);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_int_eq(atomic_load(&l.failures), 0);
	ck_assert_int_eq((long long)(metric(ok) - before), 20);
	ck_assert_int_eq((long long)(metric(count) - count_before), 20);
}
END_TEST

START_TEST(test_metrics_label_routes_by_template)
{
	struct reply	 r;
	char		 path[128];

	new_account_path(path, sizeof(path));
	get_ok(path);
	metrics(&r);
	ck_assert_ptr_null(strstr(r.body.data, path + strlen("/v1/accounts/")));
	ck_assert_ptr_nonnull(strstr(r.body.data, "route=\"" ACCOUNT_ROUTE
	    "\""));
	reply_free(&r);
}
END_TEST

START_TEST(test_metrics_count_unmatched_routes)
{
	const char	*series = "cockpit_http_requests_total{program="
	    "\"accounts\",method=\"GET\",route=\"unmatched\",status=\"404\"}";
	double		 before = metric(series);
	int		 i;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(status_of("GET", "/v1/accounts/" NIL_ID
		    "/nope"), 404);
	ck_assert_int_eq((long long)(metric(series) - before), 5);
}
END_TEST

START_TEST(test_metrics_histogram_is_cumulative)
{
	const char	*prefix = "cockpit_http_request_duration_seconds_bucket{"
	    "program=\"accounts\",route=\"" ACCOUNT_ROUTE "\",le=\"";
	struct reply	 r;
	char		 path[128], series[256];
	const char	*p;
	double		 le, last_le = -1, n, last_n = -1, count;
	int		 buckets = 0, inf = 0;

	new_account_path(path, sizeof(path));
	get_ok(path);
	metrics(&r);
	for (p = strstr(r.body.data, prefix); p != NULL && !inf;
	    p = strstr(p + 1, prefix)) {
		p += strlen(prefix);
		if (strncmp(p, "+Inf\"", 5) == 0) {
			inf = 1;
			n = strtod(strchr(p, ' ') + 1, NULL);
		} else {
			le = strtod(p, NULL);
			ck_assert(le > last_le);
			last_le = le;
			n = strtod(strchr(p, ' ') + 1, NULL);
			buckets++;
		}
		ck_assert(n >= last_n);
		last_n = n;
	}
	ck_assert(inf);
	ck_assert_int_ge(buckets, 5);
	ck_assert_ptr_nonnull(strstr(r.body.data, "route=\"" ACCOUNT_ROUTE
	    "\",le=\"0.005\"}"));
	(void)snprintf(series, sizeof(series), "cockpit_http_request_duration_"
	    "seconds_count{program=\"accounts\",route=\"%s\"}", ACCOUNT_ROUTE);
	count = series_in(r.body.data, series);
	ck_assert(count >= 1);
	ck_assert(count == last_n);
	(void)snprintf(series, sizeof(series), "cockpit_http_request_duration_"
	    "seconds_sum{program=\"accounts\",route=\"%s\"}", ACCOUNT_ROUTE);
	ck_assert_ptr_nonnull(strstr(r.body.data, series));
	ck_assert(series_in(r.body.data, series) > 0);
	reply_free(&r);
}
END_TEST

/* The end of the label set of a sample line: its last '}'. */
static const char *
labels_end(const char *p, const char *end)
{
	const char	*q = NULL;

	for (; p < end; p++)
		if (*p == '}')
			q = p;
	return q;
}

START_TEST(test_metrics_are_prometheus_text)
{
	struct reply	 r;
	char		 ct[128];
	const char	*p, *end, *brace;

	metrics(&r);
	ck_assert_int_eq(reply_header(&r, "Content-Type", ct, sizeof(ct)), 0);
	ck_assert_ptr_nonnull(strstr(ct, "text/plain"));
	ck_assert_ptr_nonnull(strstr(ct, "version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "# HELP cockpit_http_requests_total "));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "# TYPE cockpit_http_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "# HELP cockpit_http_request_duration_seconds "));
	ck_assert_ptr_nonnull(strstr(r.body.data,
	    "# TYPE cockpit_http_request_duration_seconds histogram\n"));
	/* Every other line: name{labels} value. */
	for (p = r.body.data; *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "\n");
		if (*p == '#' || p == end)
			continue;
		brace = labels_end(p, end);
		ck_assert_msg(strncmp(p, "cockpit_", 8) == 0 && brace != NULL &&
		    brace + 2 < end && brace[1] == ' ' &&
		    isdigit((unsigned char)brace[2]), "%.*s", (int)(end - p), p);
	}
	reply_free(&r);
}
END_TEST

/* Prometheus refuses a scrape that gives one series twice. */
START_TEST(test_metrics_have_no_duplicate_series)
{
	struct reply	 r, w;
	const char	*p, *end, *q, *qend;
	char		 path[128];
	size_t		 len;

	new_account_path(path, sizeof(path));
	get_ok(path);
	api_patch_json(&w, path, "{\"name\":\"Twice\"}");
	ck_assert_int_eq(w.status, 200);
	reply_free(&w);
	metrics(&r);
	for (p = r.body.data; *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "\n");
		if (*p == '#' || p == end)
			continue;
		ck_assert_ptr_nonnull(labels_end(p, end));
		len = (size_t)(labels_end(p, end) + 1 - p);
		for (q = end + (*end != '\0'); *q != '\0';
		    q = qend + (*qend != '\0')) {
			qend = q + strcspn(q, "\n");
			ck_assert_msg(!(strncmp(p, q, len) == 0 && q[len] == ' '),
			    "series given twice: %.*s", (int)len, p);
		}
	}
	reply_free(&r);
}
END_TEST

/* --- health and readiness -------------------------------------------- */

START_TEST(test_health_needs_no_credentials)
{
	struct reply	 r;

	ck_assert_int_eq(http(&r, "GET", "/health", NULL, NULL, 0, AUTH_NONE),
	    0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(r.json);
	ck_assert_str_eq(json_str(r.json, "status"), "ok");
	reply_free(&r);
}
END_TEST

/* The highest NNNN of sql/NNNN_*.sql. */
static long
newest_migration(void)
{
	struct dirent	*e;
	DIR		*d;
	char		 dir[4096];
	long		 newest = 0, n;
	size_t		 len;

	(void)snprintf(dir, sizeof(dir), "%s/sql", env("COCKPIT_SRC_DIR"));
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (len < 9 || e->d_name[4] != '_' ||
		    strcmp(e->d_name + len - 4, ".sql") != 0 ||
		    strspn(e->d_name, "0123456789") != 4)
			continue;
		if ((n = strtol(e->d_name, NULL, 10)) > newest)
			newest = n;
	}
	ck_assert_int_eq(closedir(d), 0);
	return newest;
}

START_TEST(test_readiness_reports_schema_version)
{
	struct reply	 r;
	const cJSON	*v;
	long		 newest = newest_migration();

	ck_assert_int_ge(newest, 1);
	ck_assert_int_eq(http(&r, "GET", "/readiness", NULL, NULL, 0,
	    AUTH_NONE), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "ready");
	v = cJSON_GetObjectItemCaseSensitive(r.json, "schema_version");
	ck_assert(cJSON_IsNumber(v));
	ck_assert(v->valuedouble == (double)newest);
	reply_free(&r);
}
END_TEST

/* --- workers --------------------------------------------------------- */

START_TEST(test_workers_are_recycled_after_max_requests)
{
	long	 before[16], after[16];
	int	 nb, na, i;

	nb = worker_pids(before, 16);
	ck_assert_int_eq(nb, WORKERS);
	for (i = 0; i < WORKERS * MAX_REQUESTS + 100; i++)
		get_ok("/health");
	msleep(300);
	na = worker_pids(after, 16);
	ck_assert_int_eq(na, WORKERS);
	ck_assert_int_lt(pids_shared(before, nb, after, na), WORKERS);
	get_ok("/v1/accounts?limit=1");
}
END_TEST

/*
 * The configuration file, as it was before these tests: restored by each
 * test that changes it, and by the tcase's teardown when one fails half
 * way (in the parent process, so it runs whatever became of the test).
 */
static struct buf	 saved_conf;

static void
conf_path(char *path, size_t len)
{
	const char	*dir = getenv("COCKPIT_STATE_DIR");

	(void)snprintf(path, len, "%s/cockpit.conf", dir != NULL ? dir : ".");
}

static int
conf_read(struct buf *b)
{
	char	 path[4096], chunk[4096];
	FILE	*f;
	size_t	 n;
	int	 rc = 0;

	conf_path(path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) == -1)
			rc = -1;
	if (ferror(f))
		rc = -1;
	return fclose(f) == 0 ? rc : -1;
}

static int
conf_write(const struct buf *b)
{
	char	 path[4096];
	FILE	*f;
	int	 rc = 0;

	conf_path(path, sizeof(path));
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	if (b->len > 0 && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	return fclose(f) == 0 ? rc : -1;
}

static void
conf_save(void)
{
	if (getenv("COCKPIT_STATE_DIR") == NULL)
		return;
	buf_reset(&saved_conf);
	if (conf_read(&saved_conf) == -1)
		fprintf(stderr, "cannot read cockpit.conf\n");
}

/* Puts the saved file back and, if it had changed, reloads it. */
static void
conf_put_back(void)
{
	struct buf	 now = { 0 };
	char		 cmd[4096];
	int		 changed;

	if (saved_conf.data == NULL)
		return;
	changed = conf_read(&now) == -1 || now.len != saved_conf.len ||
	    memcmp(now.data, saved_conf.data, now.len) != 0;
	buf_free(&now);
	if (!changed)
		return;
	if (conf_write(&saved_conf) == -1)
		fprintf(stderr, "cannot restore cockpit.conf\n");
	(void)snprintf(cmd, sizeof(cmd), "kill -HUP \"$('%s/script/stack' "
	    "supervisor-pid '%s' accounts)\"", getenv("COCKPIT_SRC_DIR"),
	    getenv("COCKPIT_STATE_DIR"));
	if (system(cmd) != 0)
		fprintf(stderr, "cannot reload accounts\n");
}

static void
conf_teardown(void)
{
	conf_put_back();
	buf_free(&saved_conf);
}

static void
conf_append(const char *line)
{
	struct buf	 b = { 0 };

	ck_assert_int_eq(conf_read(&b), 0);
	ck_assert_int_eq(buf_puts(&b, line), 0);
	ck_assert_int_eq(conf_write(&b), 0);
	buf_free(&b);
}

static void
conf_restore(void)
{
	ck_assert_ptr_nonnull(saved_conf.data);
	ck_assert_int_eq(conf_write(&saved_conf), 0);
}

struct generation {
	long	 old[16];
	int	 nold;
};

/* True once there are WORKERS workers and none of the old ones. */
static int
replaced(void *arg)
{
	struct generation	*g = arg;
	long			 now[16];
	int			 n = worker_pids(now, 16);

	return n == WORKERS && pids_shared(g->old, g->nold, now, n) == 0;
}

static void
hup(long sup)
{
	ck_assert_int_eq(kill((pid_t)sup, SIGHUP), 0);
}

/* HUPs the supervisor and waits (5 s at most) for a new generation. */
static void
reload(long sup)
{
	struct generation	 g;

	g.nold = worker_pids(g.old, 16);
	ck_assert_int_eq(g.nold, WORKERS);
	hup(sup);
	ck_assert_msg(wait_until(replaced, &g, 5000),
	    "workers not all replaced within 5 s of SIGHUP");
}

struct loop {
	atomic_int	 stop, ok, failed;
};

static void *
loop_run(void *arg)
{
	struct loop	*l = arg;

	while (!atomic_load(&l->stop)) {
		if (status_of("GET", "/v1/accounts?limit=1") == 200)
			atomic_fetch_add(&l->ok, 1);
		else
			atomic_fetch_add(&l->failed, 1);
	}
	return NULL;
}

START_TEST(test_sighup_replaces_every_worker_without_failing_requests)
{
	struct loop	 l;
	pthread_t	 t[2];
	long		 sup = supervisor_pid();
	int		 i;

	atomic_init(&l.stop, 0);
	atomic_init(&l.ok, 0);
	atomic_init(&l.failed, 0);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, loop_run, &l), 0);
	msleep(200);
	conf_append("COCKPIT_LOG_LEVEL=debug\n");
	reload(sup);
	msleep(200);
	atomic_store(&l.stop, 1);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
	ck_assert_int_eq(atomic_load(&l.failed), 0);
	ck_assert_int_gt(atomic_load(&l.ok), 10);
	ck_assert_int_eq(supervisor_pid(), sup);
	conf_restore();
	reload(sup);
	get_ok("/health");
}
END_TEST

START_TEST(test_sighup_applies_the_new_configuration)
{
	char	 id[128];
	long	 sup = supervisor_pid();

	/* At level warn, answered requests are no longer logged... */
	conf_append("COCKPIT_LOG_LEVEL=warn\n");
	reload(sup);
	get_id("/v1/accounts?limit=1", AUTH_MASTER, 200, id);
	msleep(300);
	ck_assert_msg(!is_logged(id), "logged at level warn");
	/* ...and once the old file is back, they are again. */
	conf_restore();
	reload(sup);
	get_id("/v1/accounts?limit=1", AUTH_MASTER, 200, id);
	ck_assert(wait_until(is_logged, id, 3000));
}
END_TEST

START_TEST(test_sighup_with_bad_config_keeps_serving)
{
	long	 before[16], after[16], sup = supervisor_pid(), off;
	int	 nb, na, i;

	nb = worker_pids(before, 16);
	ck_assert_int_eq(nb, WORKERS);
	off = log_size("accounts");
	conf_append("COCKPIT_WORKRES=2\n");
	hup(sup);
	msleep(1000);
	for (i = 0; i < 20; i++)
		get_ok("/v1/accounts?limit=1");
	na = worker_pids(after, 16);
	ck_assert_int_eq(na, WORKERS);
	ck_assert_int_eq(pids_shared(before, nb, after, na), WORKERS);
	ck_assert_int_eq(supervisor_pid(), sup);
	ck_assert(log_contains_since("accounts", off, "COCKPIT_WORKRES"));
	ck_assert(log_contains_since("accounts", off, "\"level\":\"error\""));
	/* Still able to reload once the file is right again. */
	conf_restore();
	reload(sup);
	get_ok("/health");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("runtime");
	TCase	*tc = tcase_create("api"), *hup_tc = tcase_create("sighup");

	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_every_answer_has_one_request_id);
	tcase_add_test(tc, test_request_ids_are_unique);
	tcase_add_test(tc, test_request_is_logged_with_its_id_route_and_status);
	tcase_add_test(tc, test_every_log_line_is_a_json_object);
	tcase_add_test(tc, test_log_never_holds_credentials);
	tcase_add_test(tc, test_metrics_count_requests_across_workers);
	tcase_add_test(tc, test_metrics_label_routes_by_template);
	tcase_add_test(tc, test_metrics_count_unmatched_routes);
	tcase_add_test(tc, test_metrics_histogram_is_cumulative);
	tcase_add_test(tc, test_metrics_are_prometheus_text);
	tcase_add_test(tc, test_metrics_have_no_duplicate_series);
	tcase_add_test(tc, test_health_needs_no_credentials);
	tcase_add_test(tc, test_readiness_reports_schema_version);
	tcase_add_test(tc, test_workers_are_recycled_after_max_requests);
	suite_add_tcase(s, tc);

	tcase_set_timeout(hup_tc, 120);
	tcase_add_unchecked_fixture(hup_tc, conf_save, conf_teardown);
	tcase_add_test(hup_tc,
	    test_sighup_replaces_every_worker_without_failing_requests);
	tcase_add_test(hup_tc, test_sighup_applies_the_new_configuration);
	tcase_add_test(hup_tc, test_sighup_with_bad_config_keeps_serving);
	suite_add_tcase(s, hup_tc);
	return harness_run(s);
}
