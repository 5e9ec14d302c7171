/*
 * Faults while serving: the database stopped and started, a worker killed
 * with SIGKILL under load, a request past the timeout, a graceful stop
 * with a request in flight. Runs last: it restarts things.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void
account_path(char *path, size_t len)
{
	char	 id[37], slug[64];

	unique_slug(slug, sizeof(slug), "fault");
	create_account("Faulty", slug, id);
	(void)snprintf(path, len, "/v1/accounts/%s", id);
}

static long
status_of(const char *path)
{
	struct reply	 r;
	long		 st;

	if (api(&r, "GET", path, NULL) == -1)
		return -1;
	st = r.status;
	reply_free(&r);
	return st;
}

START_TEST(test_database_down_is_503_then_recovers)
{
	struct reply	 r;
	char		 path[128], retry[16];
	long		 sup = supervisor_pid();
	int		 i;

	account_path(path, sizeof(path));
	ck_assert_int_eq(stack("db-stop", NULL, NULL), 0);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
		assert_error(&r, 503, "database_unavailable", NULL);
		ck_assert_int_eq(reply_header(&r, "Retry-After", retry,
		    sizeof(retry)), 0);
		reply_free(&r);
	}
	ck_assert_int_eq(api(&r, "GET", "/readiness", NULL), 0);
	assert_error(&r, 503, "database_unavailable", NULL);
	reply_free(&r);
	ck_assert_int_eq(status_of("/health"), 200);
	ck_assert_int_eq(stack("db-start", NULL, NULL), 0);
	for (i = 0; i < 150 && status_of(path) != 200; i++)
		msleep(100);
	ck_assert_int_eq(status_of(path), 200);
	ck_assert_int_eq(status_of("/readiness"), 200);
	ck_assert_int_eq(supervisor_pid(), sup);
	/* Every worker reconnected: a run of reads all succeed. */
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(status_of(path), 200);
}
END_TEST

static void *
load(void *arg)
{
	int	*failures = arg, i;

	for (i = 0; i < 300; i++)
		if (status_of("/health") != 200)
			(*failures)++;
	return NULL;
}

START_TEST(test_sigkilled_worker_is_replaced)
{
	pthread_t	 t;
	long		 before[16], after[16];
	int		 failures = 0, n, i, k, fresh;

	ck_assert_int_eq(worker_pids(before, 16), 4);
	ck_assert_int_eq(pthread_create(&t, NULL, load, &failures), 0);
	msleep(100);
	ck_assert_int_eq(kill((pid_t)before[0], SIGKILL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	/* At most the request the worker had in hand is lost. */
	ck_assert_int_le(failures, 1);
	for (i = 0; i < 20; i++) {
		if ((n = worker_pids(after, 16)) == 4)
			break;
		msleep(100);
	}
	ck_assert_int_eq(n, 4);
	for (fresh = 0, i = 0; i < 4; i++) {
		for (k = 0; k < 4 && after[i] != before[k]; k++)
			continue;
		fresh += k == 4;
		ck_assert(after[i] != before[0]);
	}
	ck_assert_int_eq(fresh, 1);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(status_of("/health"), 200);
}
END_TEST

START_TEST(test_request_past_timeout_kills_its_worker)
{
	struct reply	 r;
	PGconn		*owner;
	char		 path[128];
	long		 after[16];
	int		 i, n = 0;

	account_path(path, sizeof(path));
	owner = db_connect(env("DATABASE_URL"));
	db_exec(owner, "BEGIN");
	db_exec(owner, "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
	/* COCKPIT_REQUEST_TIMEOUT=3 in the suite; the statement waits. */
	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	ck_assert_msg(r.status == 502 || r.status == 504, "status %ld",
	    r.status);
	ck_assert_ptr_nonnull(r.json);
	reply_free(&r);
	db_exec(owner, "ROLLBACK");
	PQfinish(owner);
	for (i = 0; i < 30 && (n = worker_pids(after, 16)) != 4; i++)
		msleep(100);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(status_of(path), 200);
	ck_assert(log_contains("accounts", "request timeout"));
}
END_TEST

struct slow {
	char	 path[128];
	long	 status;
};

static void *
slow_get(void *arg)
{
	struct slow	*s = arg;

	s->status = status_of(s->path);
	return NULL;
}

START_TEST(test_sigterm_lets_in_flight_requests_finish)
{
	struct slow	 s;
	pthread_t	 t;
	PGconn		*owner;
	long		 sup;
	int		 i;

	account_path(s.path, sizeof(s.path));
	s.status = 0;
	sup = supervisor_pid();
	owner = db_connect(env("DATABASE_URL"));
	db_exec(owner, "BEGIN");
	db_exec(owner, "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
	ck_assert_int_eq(pthread_create(&t, NULL, slow_get, &s), 0);
	msleep(700);
	ck_assert_int_eq(kill((pid_t)sup, SIGTERM), 0);
	msleep(500);
	db_exec(owner, "ROLLBACK");
	PQfinish(owner);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(s.status, 200);
	for (i = 0; i < 50 && kill((pid_t)sup, 0) == 0; i++)
		msleep(100);
	ck_assert_int_ne(kill((pid_t)sup, 0), 0);
	ck_assert(log_contains("accounts", "\"msg\":\"stopped\""));
	ck_assert_int_eq(stack("restart-program", "accounts", NULL), 0);
	ck_assert_int_eq(status_of("/health"), 200);
}
END_TEST

START_TEST(test_readiness_refuses_another_schema_version)
{
	struct reply	 r;
	PGconn		*owner = db_owner();

	db_exec(owner, "INSERT INTO cockpit_migrations (version, name, sha256) "
	    "VALUES (9999, '9999_future.sql', 'test')");
	ck_assert_int_eq(api(&r, "GET", "/readiness", NULL), 0);
	assert_error(&r, 503, "schema_mismatch", NULL);
	reply_free(&r);
	db_exec(owner, "DELETE FROM cockpit_migrations WHERE version = 9999");
	PQfinish(owner);
	ck_assert_int_eq(status_of("/readiness"), 200);
}
END_TEST

/* Waits for 4 workers; returns how many there were at the end. */
static int
await_workers(long *pids, long ms)
{
	int	 n = 0;

	for (; ms > 0; ms -= 50) {
		if ((n = worker_pids(pids, 16)) == 4)
			break;
		msleep(50);
	}
	return n;
}

START_TEST(test_crashing_workers_are_throttled_not_abandoned)
{
	long	 pids[16];
	int	 i;

	/* More than five abnormal deaths within ten seconds. */
	for (i = 0; i < 7; i++) {
		ck_assert_int_eq(await_workers(pids, 3000), 4);
		ck_assert_int_eq(kill((pid_t)pids[0], SIGKILL), 0);
		msleep(20);
	}
	ck_assert_int_eq(await_workers(pids, 5000), 4);
	ck_assert(log_contains("accounts", "workers keep dying"));
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(status_of("/health"), 200);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("faults");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_database_down_is_503_then_recovers);
	tcase_add_test(tc, test_sigkilled_worker_is_replaced);
	tcase_add_test(tc, test_readiness_refuses_another_schema_version);
	tcase_add_test(tc, test_crashing_workers_are_throttled_not_abandoned);
	tcase_add_test(tc, test_request_past_timeout_kills_its_worker);
	tcase_add_test(tc, test_sigterm_lets_in_flight_requests_finish);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
