/* lib/metrics: counts shared across processes, Prometheus text. */
#include <sys/wait.h>

#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "suites.h"

static void h(struct req *r) { (void)r; }

static const struct route routes[] = {
	{ METHOD_GET, "/health", PERM_PUBLIC, h, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN, h, 0 },
};

START_TEST(test_metrics_sum_across_processes)
{
	struct metrics	*m = metrics_create(2);
	struct buf	 b = { 0 };
	pid_t		 pid;
	int		 status, i;

	ck_assert_ptr_nonnull(m);
	if ((pid = fork()) == 0) {
		for (i = 0; i < 7; i++)
			metrics_observe(m, 1, METHOD_GET, 200, 3000);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	for (i = 0; i < 5; i++)
		metrics_observe(m, 1, METHOD_GET, 200, 3000);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(metrics_render(m, "accounts", routes, 2, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "cockpit_http_requests_total{"
	    "program=\"accounts\",method=\"GET\",route=\"/v1/accounts/"
	    "{account_id}\",status=\"200\"} 12\n"));
	buf_free(&b);
	metrics_destroy(m);
}
END_TEST

START_TEST(test_metrics_histogram_buckets)
{
	struct metrics	*m = metrics_create(2);
	struct buf	 b = { 0 };

	metrics_observe(m, 0, METHOD_GET, 200, 800);
	metrics_observe(m, 0, METHOD_GET, 200, 4000);
	metrics_observe(m, 0, METHOD_GET, 503, 20000000);
	metrics_observe(m, 2, METHOD_DELETE, 404, 100);
	ck_assert_int_eq(metrics_render(m, "accounts", routes, 2, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "route=\"/health\",le=\"0.001\"} "
	    "1\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "route=\"/health\",le=\"0.005\"} "
	    "2\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "route=\"/health\",le=\"10\"} "
	    "2\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "route=\"/health\",le=\"+Inf\"} "
	    "3\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "cockpit_http_request_duration_"
	    "seconds_sum{program=\"accounts\",route=\"/health\"} 20.004800\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "method=\"DELETE\",route="
	    "\"unmatched\",status=\"404\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "status=\"503\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "# TYPE cockpit_http_requests_total"
	    " counter\n"));
	buf_free(&b);
	metrics_destroy(m);
}
END_TEST

START_TEST(test_metrics_unknown_status_is_other)
{
	struct metrics	*m = metrics_create(2);
	struct buf	 b = { 0 };

	metrics_observe(m, 0, METHOD_GET, 418, 10);
	ck_assert_int_eq(metrics_render(m, "accounts", routes, 2, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "status=\"other\"} 1\n"));
	buf_free(&b);
	metrics_destroy(m);
}
END_TEST

Suite *
metrics_suite(void)
{
	Suite	*s = suite_create("metrics");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_metrics_sum_across_processes);
	tcase_add_test(tc, test_metrics_histogram_buckets);
	tcase_add_test(tc, test_metrics_unknown_status_is_other);
	suite_add_tcase(s, tc);
	return s;
}
