/*
 * Faults while serving: the database stopped and started, a worker killed
 * with SIGKILL under load, workers that keep crashing, a request past the
 * timeout, a graceful stop with a request in flight. Runs last: it stops
 * and restarts things. Each test is a test case of its own whose teardown
 * (in the parent process, whatever became of the test) brings the
 * database and the program back.
 */
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define WORKERS		4	/* COCKPIT_WORKERS in the suite */

static void
new_account_path(char *path, size_t len)
{
	char	 id[UUID_LEN + 1], slug[64];

	unique_slug(slug, sizeof(slug), "fault");
	create_account("Faulty", slug, id);
	account_path(path, len, id);
}

static void
assert_retry_after(const struct reply *r)
{
	char	 v[32];

	ck_assert_int_eq(reply_header(r, "Retry-After", v, sizeof(v)), 0);
	ck_assert_msg(strspn(v, "0123456789") == strlen(v) && atoi(v) >= 1,
	    "Retry-After: %s", v);
}

static int
answers_200(void *arg)
{
	return status_of("GET", arg) == 200;
}

START_TEST(test_database_down_is_503_then_recovers)
{
	struct reply	 r;
	char		 path[128];
	long		 sup = supervisor_pid(), off;
	int		 i;

	new_account_path(path, sizeof(path));
	off = log_size("accounts");
	ck_assert_int_eq(stack("db-stop", NULL, NULL), 0);
	for (i = 0; i < 8; i++) {	/* every worker, more than once */
		api_get(&r, path);
		assert_error(&r, 503, "database_unavailable", NULL);
		assert_retry_after(&r);
		reply_free(&r);
	}
	api_get(&r, "/v1/accounts?limit=1");
	assert_error(&r, 503, "database_unavailable", NULL);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", "/readiness", NULL, NULL, 0,
	    AUTH_NONE), 0);
	assert_error(&r, 503, "database_unavailable", NULL);
	assert_retry_after(&r);
	reply_free(&r);
	ck_assert_int_eq(status_of("GET", "/health"), 200);

	ck_assert_int_eq(stack("db-start", NULL, NULL), 0);
	ck_assert_msg(wait_until(answers_200, path, 15000),
	    "no recovery within 15 s of the database's return");
	ck_assert_int_eq(status_of("GET", "/readiness"), 200);
	/* Every worker reconnected: a run of reads all succeed. */
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(status_of("GET", path), 200);
	/* And none died on the way. */
	ck_assert_int_eq(supervisor_pid(), sup);
	ck_assert(!log_contains_since("accounts", off, "worker died"));
}
END_TEST

struct load {
	int		 requests;
	atomic_int	 done, failures;
};

static void *
load_run(void *arg)
{
	struct load	*l = arg;
	int		 i;

	for (i = 0; i < l->requests; i++) {
		if (status_of("GET", "/health") != 200)
			atomic_fetch_add(&l->failures, 1);
		atomic_fetch_add(&l->done, 1);
	}
	return NULL;
}

struct respawn {
	long	 old[16];
	int	 nold;
	long	 killed;
};

/* True once there are WORKERS workers again, one new, the killed gone. */
static int
respawned(void *arg)
{
	struct respawn	*w = arg;
	long		 now[16];
	int		 n = worker_pids(now, 16), i;

	if (n != WORKERS || pids_shared(w->old, w->nold, now, n) != WORKERS - 1)
		return 0;
	for (i = 0; i < n; i++)
		if (now[i] == w->killed)
			return 0;
	return 1;
}

START_TEST(test_sigkilled_worker_is_replaced_under_load)
{
	struct respawn	 w;
	struct load	 l;
	pthread_t	 t;
	int		 i;

	w.nold = worker_pids(w.old, 16);
	ck_assert_int_eq(w.nold, WORKERS);
	w.killed = w.old[0];
	l.requests = 300;
	atomic_init(&l.done, 0);
	atomic_init(&l.failures, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, load_run, &l), 0);
	while (atomic_load(&l.done) < 50)
		msleep(5);
	ck_assert_int_eq(kill((pid_t)w.killed, SIGKILL), 0);
	ck_assert_msg(wait_until(respawned, &w, 2000),
	    "the killed worker was not replaced within 2 s");
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	/* At most the request the worker had in hand is lost. */
	ck_assert_int_le(atomic_load(&l.failures), 1);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(status_of("GET", "/health"), 200);
}
END_TEST

static int
four_workers(void *arg)
{
	long	 pids[16];

	(void)arg;
	return worker_pids(pids, 16) == WORKERS;
}

START_TEST(test_crashing_workers_are_throttled_not_abandoned)
{
	long	 pids[16], off = log_size("accounts");
	int	 i;

	/* More than five abnormal deaths within ten seconds. */
	for (i = 0; i < 7; i++) {
		ck_assert(wait_until(four_workers, NULL, 3000));
		ck_assert_int_eq(worker_pids(pids, 16), WORKERS);
		ck_assert_int_eq(kill((pid_t)pids[0], SIGKILL), 0);
		msleep(20);
	}
	ck_assert(wait_until(four_workers, NULL, 8000));
	ck_assert(log_contains_since("accounts", off, "workers keep dying"));
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(status_of("GET", "/health"), 200);
}
END_TEST

START_TEST(test_readiness_refuses_another_schema_version)
{
	struct reply	 r;
	PGconn		*owner = db_owner();

	db_exec(owner, "BEGIN");
	db_exec(owner, "INSERT INTO cockpit_migrations (version, name, sha256) "
	    "VALUES (9999, '9999_future.sql', 'test')");
	db_exec(owner, "COMMIT");
	api_get(&r, "/readiness");
	assert_error(&r, 503, "schema_mismatch", NULL);
	assert_retry_after(&r);
	reply_free(&r);
	db_exec(owner, "DELETE FROM cockpit_migrations WHERE version = 9999");
	PQfinish(owner);
	ck_assert_int_eq(status_of("GET", "/readiness"), 200);
}
END_TEST

/* An owner connection holding an ACCESS EXCLUSIVE lock on accounts. */
static PGconn *
lock_accounts(void)
{
	PGconn	*owner = db_connect(env("DATABASE_URL"));

	db_exec(owner, "BEGIN");
	db_exec(owner, "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
	return owner;
}

static void
unlock_accounts(PGconn *owner)
{
	db_exec(owner, "ROLLBACK");
	PQfinish(owner);
}

START_TEST(test_request_past_timeout_kills_its_worker)
{
	struct reply	 r;
	struct timespec	 start;
	PGconn		*owner;
	char		 path[128];
	long		 off, ms;

	new_account_path(path, sizeof(path));
	off = log_size("accounts");
	owner = lock_accounts();
	/* COCKPIT_REQUEST_TIMEOUT=3 in the suite; the read waits on the lock. */
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &start), 0);
	api_get(&r, path);
	ms = elapsed_ms(&start);
	if (r.status == 504)
		assert_error(&r, 504, "gateway_timeout", NULL);
	else
		assert_error(&r, 502, "bad_gateway", NULL);
	reply_free(&r);
	ck_assert_msg(ms >= 2500 && ms < 10000, "answered after %ld ms", ms);
	unlock_accounts(owner);
	ck_assert(wait_until(four_workers, NULL, 3000));
	ck_assert_int_eq(status_of("GET", path), 200);
	ck_assert(log_contains_since("accounts", off, "request timeout"));
}
END_TEST

struct slow {
	char		 path[128];
	atomic_long	 status;
};

static void *
slow_get(void *arg)
{
	struct slow	*s = arg;

	atomic_store(&s->status, status_of("GET", s->path));
	return NULL;
}

static int
gone(void *arg)
{
	return kill((pid_t)*(long *)arg, 0) == -1;
}

START_TEST(test_sigterm_lets_in_flight_requests_finish)
{
	struct reply	 r;
	struct slow	 s;
	pthread_t	 t;
	PGconn		*owner;
	long		 sup, off;

	new_account_path(s.path, sizeof(s.path));
	atomic_init(&s.status, 0);
	sup = supervisor_pid();
	off = log_size("accounts");
	owner = lock_accounts();
	ck_assert_int_eq(pthread_create(&t, NULL, slow_get, &s), 0);
	msleep(1000);
	ck_assert_int_eq(kill((pid_t)sup, SIGTERM), 0);
	msleep(500);		/* held 1.5 s: under the 3 s timeout */
	unlock_accounts(owner);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(atomic_load(&s.status), 200);
	ck_assert_msg(wait_until(gone, &sup, 5000), "the supervisor is still "
	    "running 5 s after SIGTERM");
	ck_assert(log_contains_since("accounts", off, "\"msg\":\"stopped\""));
	/* With the program gone, nginx answers for it, in JSON. */
	api_get(&r, "/health");
	assert_error(&r, 502, "bad_gateway", NULL);
	reply_free(&r);
	ck_assert_int_eq(stack("restart-program", "accounts", NULL), 0);
	ck_assert_int_eq(status_of("GET", "/health"), 200);
	ck_assert_int_eq(status_of("GET", s.path), 200);
}
END_TEST

/*
 * Brings the stack back after a test, whatever became of it: the
 * database started, the program answering /readiness 8 times in a row
 * (every worker reconnected); restarted if it does not within 5 s (it may
 * have been stopped, or be stopping). Runs in the parent: no ck_assert.
 */
static const char recover_sh[] =
    "S=\"$COCKPIT_SRC_DIR/script/stack\" D=\"$COCKPIT_STATE_DIR\"\n"
    "healthy() {\n"
    "	ok=0\n"
    "	for _ in $(seq \"$1\"); do\n"
    "		if curl -fs -o /dev/null --max-time 2 \"$COCKPIT_URL/readiness\"\n"
    "		then ok=$((ok + 1)); [ $ok -ge 8 ] && return 0\n"
    "		else ok=0; sleep 0.1; fi\n"
    "	done\n"
    "	return 1\n"
    "}\n"
    "\"$S\" db-start \"$D\" || exit 1\n"
    "healthy 50 && exit 0\n"
    "\"$S\" restart-program \"$D\" accounts && healthy 150\n";

static void
recover(void)
{
	pid_t	 pid;
	int	 st;

	if (getenv("COCKPIT_STATE_DIR") == NULL || getenv("COCKPIT_URL") == NULL)
		return;
	if ((pid = fork()) == -1) {
		perror("recover: fork");
		return;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", recover_sh, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			perror("recover: waitpid");
			return;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "recover: the stack did not come back\n");
}

/* A test case of one test, with recover() after it. */
static TCase *
fault_case(Suite *s, const char *name)
{
	TCase	*tc = tcase_create(name);

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, NULL, recover);
	suite_add_tcase(s, tc);
	return tc;
}

int
main(void)
{
	Suite	*s = suite_create("faults");

	tcase_add_test(fault_case(s, "database"),
	    test_database_down_is_503_then_recovers);
	tcase_add_test(fault_case(s, "sigkill"),
	    test_sigkilled_worker_is_replaced_under_load);
	tcase_add_test(fault_case(s, "schema"),
	    test_readiness_refuses_another_schema_version);
	tcase_add_test(fault_case(s, "crashes"),
	    test_crashing_workers_are_throttled_not_abandoned);
	tcase_add_test(fault_case(s, "timeout"),
	    test_request_past_timeout_kills_its_worker);
	tcase_add_test(fault_case(s, "sigterm"),
	    test_sigterm_lets_in_flight_requests_finish);
	return harness_run(s);
}
