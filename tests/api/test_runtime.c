/*
 * The runtime every program shares: request ids and logs, metrics summed
 * across workers, readiness, worker recycling, SIGHUP reloads.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void
get_ok(const char *path)
{
	struct reply	 r;

	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	ck_assert_msg(r.status == 200, "%s: %ld", path, r.status);
	reply_free(&r);
}

START_TEST(test_request_ids_are_unique_and_logged)
{
	struct reply	 r;
	char		 a[128], b[128], path[4096], line[16384];
	FILE		*f;
	cJSON		*j;
	int		 found = 0, lines = 0;

	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?limit=1", NULL), 0);
	ck_assert_int_eq(reply_header_count(&r, "X-Request-Id"), 1);
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", a, sizeof(a)), 0);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?limit=1", NULL), 0);
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", b, sizeof(b)), 0);
	reply_free(&r);
	ck_assert_str_ne(a, b);
	ck_assert_uint_ge(strlen(a), 16);

	/* Every log line is one JSON object; ours has the request's fields. */
	(void)snprintf(path, sizeof(path), "%s/log/accounts.log",
	    env("COCKPIT_STATE_DIR"));
	ck_assert((f = fopen(path, "r")) != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		lines++;
		ck_assert_msg((j = cJSON_Parse(line)) != NULL, "not JSON: %s",
		    line);
		ck_assert_ptr_nonnull(json_str(j, "ts"));
		ck_assert_ptr_nonnull(json_str(j, "level"));
		if (json_str(j, "request_id") != NULL &&
		    strcmp(json_str(j, "request_id"), b) == 0) {
			found = 1;
			ck_assert_str_eq(json_str(j, "route"), "/v1/accounts");
			ck_assert_str_eq(json_str(j, "method"), "GET");
			ck_assert_int_eq(cJSON_GetObjectItem(j, "status")->valueint,
			    200);
		}
		cJSON_Delete(j);
	}
	fclose(f);
	ck_assert_int_gt(lines, 0);
	ck_assert(found);
}
END_TEST

/* The value of one exact metrics series, 0 when absent. */
static long long
metric(const char *series)
{
	struct reply	 r;
	const char	*p;
	long long	 n = 0;
	size_t		 len = strlen(series);

	ck_assert_int_eq(api(&r, "GET", "/metrics", NULL), 0);
	ck_assert_int_eq(r.status, 200);
	for (p = r.body.data; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, series, len) == 0 && p[len] == ' ') {
			n = strtoll(p + len + 1, NULL, 10);
			break;
		}
	}
	reply_free(&r);
	return n;
}

START_TEST(test_metrics_count_every_worker)
{
	struct reply	 r;
	const char	*series = "cockpit_http_requests_total{program="
	    "\"accounts\",method=\"GET\",route=\"/v1/accounts/{account_id}\","
	    "status=\"404\"}";
	char		 ct[128];
	long long	 before, after;
	int		 i;

	before = metric(series);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(api(&r, "GET", "/v1/accounts/"
		    "00000000-0000-4000-8000-000000000000", NULL), 0);
		ck_assert_int_eq(r.status, 404);
		reply_free(&r);
	}
	after = metric(series);
	ck_assert_int_eq(after - before, 20);
	ck_assert_int_eq(api(&r, "GET", "/metrics", NULL), 0);
	ck_assert_int_eq(reply_header(&r, "Content-Type", ct, sizeof(ct)), 0);
	ck_assert_ptr_nonnull(strstr(ct, "text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "# TYPE "
	    "cockpit_http_request_duration_seconds histogram"));
	ck_assert_ptr_nonnull(strstr(r.body.data, "cockpit_http_request_"
	    "duration_seconds_bucket{program=\"accounts\",route=\"/v1/accounts/"
	    "{account_id}\",le=\"+Inf\"}"));
	ck_assert_ptr_null(strstr(r.body.data, "00000000-0000"));
	reply_free(&r);
}
END_TEST

START_TEST(test_readiness_reports_schema_version)
{
	struct reply	 r;
	struct dirent	*e;
	DIR		*d;
	char		 dir[4096];
	long		 newest = 0, n;

	(void)snprintf(dir, sizeof(dir), "%s/sql", env("COCKPIT_SRC_DIR"));
	ck_assert((d = opendir(dir)) != NULL);
	while ((e = readdir(d)) != NULL)
		if ((n = strtol(e->d_name, NULL, 10)) > newest)
			newest = n;
	closedir(d);
	ck_assert_int_eq(http(&r, "GET", "/readiness", NULL, NULL, 0,
	    AUTH_NONE), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "ready");
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "schema_version")->valueint,
	    newest);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", "/health", NULL, NULL, 0, AUTH_NONE),
	    0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "ok");
	reply_free(&r);
}
END_TEST

static int
same_pids(const long *a, int na, const long *b, int nb)
{
	int	 i, k, shared = 0;

	for (i = 0; i < na; i++)
		for (k = 0; k < nb; k++)
			shared += a[i] == b[k];
	return shared;
}

START_TEST(test_workers_are_recycled)
{
	long	 before[16], after[16];
	int	 nb, na, i;

	nb = worker_pids(before, 16);
	ck_assert_int_eq(nb, 4);
	/* COCKPIT_MAX_REQUESTS=500 in the suite: 4 workers, 2100 requests. */
	for (i = 0; i < 2100; i++)
		get_ok("/health");
	msleep(300);
	na = worker_pids(after, 16);
	ck_assert_int_eq(na, 4);
	ck_assert_int_lt(same_pids(before, nb, after, na), 4);
}
END_TEST

static void
conf_append(const char *line)
{
	char	 path[4096];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/cockpit.conf",
	    env("COCKPIT_STATE_DIR"));
	ck_assert((f = fopen(path, "a")) != NULL);
	ck_assert_int_ge(fputs(line, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* Drops the lines conf_append() added (they all start with "# test"). */
static void
conf_restore(void)
{
	char	 cmd[4096];

	(void)snprintf(cmd, sizeof(cmd), "sed -i '/^# test/,$d' '%s/cockpit.conf'",
	    env("COCKPIT_STATE_DIR"));
	ck_assert_int_eq(system(cmd), 0);
}

/* Waits until no worker of before is left; returns the new count. */
static int
await_new_generation(const long *before, int nb)
{
	long	 now[16];
	int	 n = 0, i;

	for (i = 0; i < 100; i++) {
		n = worker_pids(now, 16);
		if (n == 4 && same_pids(before, nb, now, n) == 0)
			return n;
		msleep(100);
	}
	return -1;
}

START_TEST(test_sighup_reloads_and_replaces_workers)
{
	long	 before[16], sup = supervisor_pid();
	int	 nb, i;

	nb = worker_pids(before, 16);
	conf_append("# test: reload\nCOCKPIT_LOG_LEVEL=debug\n");
	ck_assert_int_eq(kill((pid_t)sup, SIGHUP), 0);
	for (i = 0; i < 200; i++)
		get_ok("/v1/accounts?limit=1");
	ck_assert_int_eq(await_new_generation(before, nb), 4);
	ck_assert_int_eq(supervisor_pid(), sup);
	ck_assert(log_contains("accounts", "configuration reloaded"));
	nb = worker_pids(before, 16);
	conf_restore();
	ck_assert_int_eq(kill((pid_t)sup, SIGHUP), 0);
	ck_assert_int_eq(await_new_generation(before, nb), 4);
	get_ok("/health");
}
END_TEST

START_TEST(test_bad_config_on_sighup_keeps_running)
{
	long	 before[16], after[16], sup = supervisor_pid();
	int	 nb, na;

	nb = worker_pids(before, 16);
	conf_append("# test: typo\nCOCKPIT_WORKRES=2\n");
	ck_assert_int_eq(kill((pid_t)sup, SIGHUP), 0);
	msleep(500);
	get_ok("/v1/accounts?limit=1");
	na = worker_pids(after, 16);
	ck_assert_int_eq(na, 4);
	ck_assert_int_eq(same_pids(before, nb, after, na), 4);
	ck_assert(log_contains("accounts", "unknown key COCKPIT_WORKRES"));
	conf_restore();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("runtime");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_request_ids_are_unique_and_logged);
	tcase_add_test(tc, test_metrics_count_every_worker);
	tcase_add_test(tc, test_readiness_reports_schema_version);
	tcase_add_test(tc, test_workers_are_recycled);
	tcase_add_test(tc, test_sighup_reloads_and_replaces_workers);
	tcase_add_test(tc, test_bad_config_on_sighup_keeps_running);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
