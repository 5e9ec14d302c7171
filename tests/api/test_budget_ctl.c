/*
 * cockpitctl budgets reconcile against the stack's database: an account
 * whose books were written by the API (usage, reservations captured and
 * released) balances; then each invariant is broken with SQL as the
 * owner, and reconcile names the check, the account and the row, and
 * exits 1. Every test works in an account of its own, checked with
 * --account: the other suites' accounts are theirs.
 */
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A pool's spend in one of its slots made a micro-credit more than its
 * ledger says. */
#define ONE_MICRO_MORE \
	"UPDATE pool_slots SET spent_micro = spent_micro + 1," \
	" quota_micro = quota_micro + 1 WHERE (pool_id, period_start, slot) =" \
	" (SELECT pool_id, period_start, slot FROM pool_slots" \
	" WHERE pool_id = '%s' ORDER BY period_start, slot LIMIT 1)"

#define MODEL	"reconcile-model"

/* An account's books; its pools: Unallocated 100, Global 50, user 10. */
struct books {
	char	 account[UUID_LEN + 1];
	char	 user[UUID_LEN + 1];
	char	 account_pool[UUID_LEN + 1];
	char	 org_pool[UUID_LEN + 1];
	char	 user_pool[UUID_LEN + 1];
	char	 captured[UUID_LEN + 1];	/* a reservation */
	char	 released[UUID_LEN + 1];	/* another */
	char	 usage[3][24];			/* usage ids, as text */
	long long granted;			/* the Unallocated pool's */
};

/* Runs sql (a printf format) as the owner, acting for the platform. */
static void	owner_exec(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static void
owner_exec(const char *fmt, ...)
{
	char	 sql[2048];
	va_list	 ap;
	PGconn	*c;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(sql, sizeof(sql), fmt, ap),
	    (int)sizeof(sql));
	va_end(ap);
	c = db_owner();
	db_exec(c, sql);
	PQfinish(c);
}

/* The one text value sql answers, as the owner, into out. */
static void
owner_text(const char *sql, char *out, size_t len)
{
	PGconn		*c = db_owner();
	PGresult	*res = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1 && !PQgetisnull(res, 0, 0), "%s: %s", sql,
	    PQerrorMessage(c));
	ck_assert_int_lt(snprintf(out, len, "%s", PQgetvalue(res, 0, 0)),
	    (int)len);
	PQclear(res);
	PQfinish(c);
}

/* A request in the account that must answer status; its id into id. */
static void
call(const struct books *b, const char *method, const char *path,
    const char *json, long status, char *id, size_t idlen)
{
	struct reply	 r;

	api_in_account(&r, b->account, method, path, json);
	ck_assert_msg(r.status == status, "%s %s %s: %ld %s", method, path,
	    json != NULL ? json : "", r.status, r.body.data);
	if (id != NULL)
		ck_assert_int_lt(snprintf(id, idlen, "%s", json_str(r.json,
		    "id")), (int)idlen);
	reply_free(&r);
}

/* A usage of cost credits, its idempotency key key; its id into id. */
static void
usage(const struct books *b, const char *cost, const char *key, char *id)
{
	char	 body[512];

	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\""
	    MODEL "\",\"cost\":\"%s\",\"idempotency_key\":\"%s\"}", b->user,
	    cost, key);
	call(b, "POST", "/v1/budgets/copilot/usage", body, 200, id, 24);
}

/* A reservation of cost credits; its id into id. */
static void
reserve(const struct books *b, const char *cost, const char *key, char *id)
{
	char	 body[512];

	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\""
	    MODEL "\",\"estimated_cost\":\"%s\",\"idempotency_key\":\"%s\"}",
	    b->user, cost, key);
	call(b, "POST", "/v1/budgets/copilot/reservations", body, 201, id,
	    UUID_LEN + 1);
}

/* The pools: 100 granted, 50 to the Global organisation, 10 to the user. */
static void
pools_make(struct books *b)
{
	char	 sql[512];

	owner_exec("INSERT INTO credit_grants (account_id, pool_id,"
	    " micro_credits, granted_by) SELECT account_id, id, 100000000,"
	    " 'test_budget_ctl' FROM credit_pools WHERE account_id = '%s'"
	    " AND scope_type = 'unallocated'", b->account);
	(void)snprintf(sql, sizeof(sql), "SELECT id FROM credit_pools WHERE"
	    " account_id = '%s' AND scope_type = 'unallocated'", b->account);
	owner_text(sql, b->account_pool, sizeof(b->account_pool));
	/* With what the default plan (another suite's) may grant too. */
	(void)snprintf(sql, sizeof(sql), "SELECT micro_credits FROM"
	    " credit_pools WHERE id = '%s'", b->account_pool);
	b->granted = db_count(sql);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO credit_pools"
	    " (account_id, scope_type, scope_id, micro_credits, parent_id)"
	    " SELECT o.account_id, 'organisation', o.id, 50000000, '%s'"
	    " FROM organisations o WHERE o.account_id = '%s' AND o.is_global"
	    " AND o.domain = 'copilot' RETURNING id", b->account_pool,
	    b->account);
	owner_text(sql, b->org_pool, sizeof(b->org_pool));
	(void)snprintf(sql, sizeof(sql), "INSERT INTO credit_pools"
	    " (account_id, scope_type, scope_id, micro_credits, parent_id,"
	    " rule) VALUES ('%s', 'user', '%s', 10000000, '%s', 'override')"
	    " RETURNING id", b->account, b->user, b->org_pool);
	owner_text(sql, b->user_pool, sizeof(b->user_pool));
}

/*
 * An account whose books the API wrote: three usages (1.5 credits each),
 * a reservation captured for 0.5 and one released.
 */
static void
books_open(struct books *b)
{
	char	 slug[64], path[256];

	memset(b, 0, sizeof(*b));
	unique_slug(slug, sizeof(slug), "recon");
	create_account("Reconcile", slug, b->account);
	call(b, "POST", "/v1/copilot/users", "{\"email\":\"spender@"
	    "reconcile.test\",\"display_name\":\"Spender\"}", 201, b->user,
	    sizeof(b->user));
	pools_make(b);
	usage(b, "1.5", "u1", b->usage[0]);
	usage(b, "1.5", "u2", b->usage[1]);
	usage(b, "1.5", "u3", b->usage[2]);
	reserve(b, "1", "r1", b->captured);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/reservations/"
	    "%s/capture", b->captured);
	call(b, "POST", path, "{\"cost\":\"0.5\"}", 200, NULL, 0);
	reserve(b, "1", "r2", b->released);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/reservations/"
	    "%s/release", b->released);
	call(b, "POST", path, NULL, 200, NULL, 0);
}

/* micro-credits as the API writes credits, into out. */
static void
credits_text(long long micro, char *out, size_t len)
{
	char	 sql[128];

	(void)snprintf(sql, sizeof(sql), "SELECT cockpit_credits_text(%lld)",
	    micro);
	owner_text(sql, out, len);
}

/*
 * Runs cockpitctl ARGS (stderr too) with the environment assignments
 * envs before it, into out; its exit status.
 */
static int
ctl_env(const char *envs, const char *args, struct buf *out)
{
	char	 cmd[4096], chunk[512];
	FILE	*p;
	size_t	 n;
	int	 st;

	(void)snprintf(cmd, sizeof(cmd), "%s '%s/cgi-bin/cockpitctl' %s 2>&1",
	    envs, env("COCKPIT_BUILD_DIR"), args);
	ck_assert((p = popen(cmd, "r")) != NULL);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ck_assert_int_eq(buf_append(out, chunk, n), 0);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
ctl(const char *args, struct buf *out)
{
	return ctl_env("", args, out);
}

/* budgets reconcile --account (the books' account) [extra]. */
static int
reconcile(const struct books *b, const char *extra, struct buf *out)
{
	char	 args[256];

	(void)snprintf(args, sizeof(args), "budgets reconcile --account %s%s",
	    b->account, extra);
	return ctl(args, out);
}

/* The output names check, the account and the subject in a FAIL line. */
static void
assert_fails(const struct buf *out, const char *check,
    const struct books *b, const char *subject)
{
	char	 line[256];

	(void)snprintf(line, sizeof(line), "FAIL %s: account %s, %s:", check,
	    b->account, subject);
	ck_assert_msg(out->data != NULL && strstr(out->data, line) != NULL,
	    "no \"%s\" in:\n%s", line, out->data != NULL ? out->data : "");
}

static void
assert_count(const struct buf *out, int violations)
{
	char	 line[128];

	(void)snprintf(line, sizeof(line), "7 checks, 1 account, %d "
	    "violation%s\n", violations, violations == 1 ? "" : "s");
	ck_assert_msg(strstr(out->data, line) != NULL, "no \"%s\" in:\n%s",
	    line, out->data);
}

START_TEST(test_books_balance)
{
	static const char *const names[] = { "grants", "spend", "remaining", "escrow",
	    "allocations", "ledger", "reservations" };
	struct books	 b;
	struct buf	 out = { 0 };
	char		 line[64];
	const cJSON	*checks, *c;
	cJSON		*j;
	size_t		 i;

	books_open(&b);
	ck_assert_int_eq(reconcile(&b, "", &out), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)snprintf(line, sizeof(line), "ok %s: ", names[i]);
		ck_assert_msg(strstr(out.data, line) != NULL, "%s", out.data);
	}
	assert_count(&out, 0);
	ck_assert_int_eq(reconcile(&b, " --json", &out), 0);
	ck_assert_ptr_nonnull(j = cJSON_Parse(out.data));
	ck_assert_int_eq(cJSON_GetObjectItem(j, "accounts")->valueint, 1);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "violations")->valueint, 0);
	checks = cJSON_GetObjectItem(j, "checks");
	ck_assert_int_eq(cJSON_GetArraySize(checks), 7);
	for (i = 0; i < 7; i++) {
		c = cJSON_GetArrayItem(checks, (int)i);
		ck_assert_str_eq(json_str(c, "name"), names[i]);
		ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(c, "ok")));
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(c,
		    "violations")), 0);
	}
	cJSON_Delete(j);
	/* Every account: it runs, whatever the other suites left. */
	ck_assert_int_ne(ctl("budgets reconcile", &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "7 checks, "));
	buf_free(&out);
}
END_TEST

START_TEST(test_grants)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64], held[32], granted[32], text[256];
	const cJSON	*grants, *v;
	cJSON		*j;

	books_open(&b);
	owner_exec("UPDATE credit_pools SET micro_credits = micro_credits + 1"
	    " WHERE id = '%s'", b.account_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.account_pool);
	assert_fails(&out, "grants", &b, subject);
	credits_text(b.granted + 1, held, sizeof(held));
	credits_text(b.granted, granted, sizeof(granted));
	(void)snprintf(text, sizeof(text), "the Unallocated pool holds %s "
	    "credits per period; the account's grants sum to %s\n", held,
	    granted);
	ck_assert_msg(strstr(out.data, text) != NULL, "%s", out.data);
	assert_count(&out, 1);
	ck_assert_int_eq(reconcile(&b, " --json", &out), 1);
	ck_assert_ptr_nonnull(j = cJSON_Parse(out.data));
	ck_assert_int_eq(cJSON_GetObjectItem(j, "violations")->valueint, 1);
	grants = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "checks"), 0);
	ck_assert_str_eq(json_str(grants, "name"), "grants");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(grants, "ok")));
	v = cJSON_GetArrayItem(cJSON_GetObjectItem(grants, "violations"), 0);
	ck_assert_str_eq(json_str(v, "account_id"), b.account);
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(v, "subject"), "type"),
	    "pool");
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(v, "subject"), "id"),
	    b.account_pool);
	ck_assert_ptr_nonnull(strstr(json_str(v, "message"), held));
	cJSON_Delete(j);
	/* A grant gone from under the pool. */
	owner_exec("UPDATE credit_pools SET micro_credits = micro_credits - 1"
	    " WHERE id = '%s'", b.account_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 0);
	owner_exec("DELETE FROM credit_grants WHERE account_id = '%s' AND"
	    " granted_by = 'test_budget_ctl'", b.account);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	assert_fails(&out, "grants", &b, subject);
	credits_text(b.granted - 100000000, granted, sizeof(granted));
	(void)snprintf(text, sizeof(text), "the account's grants sum to %s\n",
	    granted);
	ck_assert_msg(strstr(out.data, text) != NULL, "%s", out.data);
	buf_free(&out);
}
END_TEST

START_TEST(test_spend)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64];

	books_open(&b);
	owner_exec(ONE_MICRO_MORE, b.org_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.org_pool);
	assert_fails(&out, "spend", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it has spent 5.000001 "
	    "credits; its debits in the ledger sum to 5\n"));
	assert_count(&out, 1);
	/* A period with debits and no spend at all. */
	owner_exec("DELETE FROM pool_slots WHERE pool_id = '%s'",
	    b.user_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.user_pool);
	assert_fails(&out, "spend", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it has spent 0 credits; its "
	    "debits in the ledger sum to 5\n"));
	assert_count(&out, 2);
	buf_free(&out);
}
END_TEST

START_TEST(test_remaining)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64], held[UUID_LEN + 1];

	books_open(&b);
	/* 5 spent, 2 held: 6 credits are not enough, 5 spent alone are. */
	reserve(&b, "2", "r3", held);
	ck_assert_int_eq(reconcile(&b, "", &out), 0);
	owner_exec("UPDATE credit_pools SET micro_credits = 6000000"
	    " WHERE id = '%s'", b.user_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.user_pool);
	assert_fails(&out, "remaining", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "the pool of user "));
	ck_assert_ptr_nonnull(strstr(out.data, "has 6 credits; in the period "
	    "from "));
	ck_assert_ptr_nonnull(strstr(out.data, "it has spent 5 and holds 2: "
	    "-1 remaining"));
	/* Fewer credits took back the slots' unspent quota: they may spend
	 * the 5 spent, which with the 2 held is more than 6 too. */
	assert_fails(&out, "escrow", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "its slots may spend 5 and it "
	    "holds 2"));
	assert_count(&out, 2);
	buf_free(&out);
}
END_TEST

START_TEST(test_escrow)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64];

	books_open(&b);
	/* One slot may spend all the pool's credits and a micro-credit more. */
	owner_exec("UPDATE pool_slots SET quota_micro = (SELECT micro_credits"
	    " FROM credit_pools WHERE id = pool_id) + 1"
	    " WHERE (pool_id, period_start, slot) = (SELECT pool_id,"
	    " period_start, slot FROM pool_slots WHERE pool_id = '%s'"
	    " ORDER BY period_start DESC, slot LIMIT 1)", b.org_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.org_pool);
	assert_fails(&out, "escrow", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "its slots may spend "));
	assert_count(&out, 1);
	buf_free(&out);
}
END_TEST

START_TEST(test_allocations)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64], has[32], take[32], text[256];

	books_open(&b);
	owner_exec("UPDATE credit_pools SET micro_credits = %lld"
	    " WHERE id = '%s'", b.granted + 1, b.org_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.account_pool);
	assert_fails(&out, "allocations", &b, subject);
	credits_text(b.granted, has, sizeof(has));
	credits_text(b.granted + 1, take, sizeof(take));
	(void)snprintf(text, sizeof(text), "the Unallocated pool has %s "
	    "credits; its active allocations take %s\n", has, take);
	ck_assert_msg(strstr(out.data, text) != NULL, "%s", out.data);
	assert_count(&out, 1);
	/* Allocations from a pool that was deleted. */
	owner_exec("UPDATE credit_pools SET micro_credits = 50000000,"
	    " active = false WHERE id = '%s'", b.org_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", b.user_pool);
	assert_fails(&out, "allocations", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "is active, but the pool "));
	ck_assert_ptr_nonnull(strstr(out.data, b.org_pool));
	assert_count(&out, 1);
	buf_free(&out);
}
END_TEST

START_TEST(test_ledger)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64];

	books_open(&b);
	/* A debit twice, a usage not debited, a debit of another amount. */
	owner_exec("INSERT INTO credit_ledger (account_id, pool_id,"
	    " micro_credits, period_start, usage_id) SELECT account_id,"
	    " pool_id, micro_credits, period_start, usage_id"
	    " FROM credit_ledger WHERE usage_id = %s AND pool_id = '%s'",
	    b.usage[0], b.user_pool);
	owner_exec("DELETE FROM credit_ledger WHERE usage_id = %s",
	    b.usage[1]);
	owner_exec("UPDATE credit_ledger SET micro_credits = 1400000 WHERE"
	    " usage_id = %s AND pool_id = '%s'", b.usage[2], b.org_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "usage %s", b.usage[0]);
	assert_fails(&out, "ledger", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "a pool is debited twice"));
	(void)snprintf(subject, sizeof(subject), "usage %s", b.usage[1]);
	assert_fails(&out, "ledger", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it charged 1.5 credits, but "
	    "the ledger has no debit for it"));
	(void)snprintf(subject, sizeof(subject), "usage %s", b.usage[2]);
	assert_fails(&out, "ledger", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it charged 1.5 credits, but "
	    "its debits are of 1.4 to 1.5"));
	/* And the pools' spend no longer matches their debits. */
	(void)snprintf(subject, sizeof(subject), "pool %s", b.org_pool);
	assert_fails(&out, "spend", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it has spent 5 credits; its "
	    "debits in the ledger sum to 3.4\n"));
	assert_count(&out, 5);
	buf_free(&out);
}
END_TEST

START_TEST(test_ledger_unallocated)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64];

	books_open(&b);
	/* The account's debit gone, the others right. */
	owner_exec("DELETE FROM credit_ledger WHERE usage_id = %s"
	    " AND pool_id = '%s'", b.usage[0], b.account_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "usage %s", b.usage[0]);
	assert_fails(&out, "ledger", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "none of its debits is on the "
	    "account's Unallocated pool"));
	/* A debit naming a usage that was never recorded. */
	owner_exec("UPDATE credit_ledger SET usage_id = 999999999 WHERE"
	    " usage_id = %s", b.usage[1]);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	assert_fails(&out, "ledger", &b, "usage 999999999");
	ck_assert_ptr_nonnull(strstr(out.data, "3 debits in the ledger name "
	    "this usage, which the account has no record of"));
	(void)snprintf(subject, sizeof(subject), "usage %s", b.usage[1]);
	assert_fails(&out, "ledger", &b, subject);
	buf_free(&out);
}
END_TEST

START_TEST(test_reservations)
{
	struct books	 b;
	struct buf	 out = { 0 };
	char		 subject[64];

	books_open(&b);
	owner_exec("UPDATE budget_holds SET live = true WHERE"
	    " reservation_id = '%s' AND pool_id = '%s'", b.released,
	    b.user_pool);
	owner_exec("UPDATE budget_reservations SET usage_id = NULL WHERE"
	    " id = '%s'", b.captured);
	ck_assert_int_eq(reconcile(&b, "", &out), 1);
	(void)snprintf(subject, sizeof(subject), "reservation %s", b.released);
	assert_fails(&out, "reservations", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it was released, but its "
	    "hold of 1 credits on the pool "));
	(void)snprintf(subject, sizeof(subject), "reservation %s", b.captured);
	assert_fails(&out, "reservations", &b, subject);
	ck_assert_ptr_nonnull(strstr(out.data, "it was captured, but no usage "
	    "records the capture"));
	assert_count(&out, 2);
	buf_free(&out);
}
END_TEST

START_TEST(test_account_scope)
{
	struct books	 a, b;
	struct buf	 out = { 0 };
	char		 subject[64];

	books_open(&a);
	books_open(&b);
	owner_exec(ONE_MICRO_MORE, a.user_pool);
	ck_assert_int_eq(reconcile(&b, "", &out), 0);
	ck_assert_int_eq(reconcile(&a, "", &out), 1);
	/* Every account: the broken one is among them. */
	ck_assert_int_eq(ctl("budgets reconcile", &out), 1);
	(void)snprintf(subject, sizeof(subject), "pool %s", a.user_pool);
	assert_fails(&out, "spend", &a, subject);
	ck_assert_ptr_null(strstr(out.data, b.account));
	buf_free(&out);
}
END_TEST

START_TEST(test_usage_errors)
{
	struct buf	 out = { 0 };

	ck_assert_int_eq(ctl("budgets", &out), 64);
	ck_assert_int_eq(ctl("budgets frobnicate", &out), 64);
	ck_assert_int_eq(ctl("budgets reconcile --account", &out), 64);
	ck_assert_int_eq(ctl("budgets reconcile --account not-an-id", &out),
	    64);
	ck_assert_ptr_nonnull(strstr(out.data, "not an account id"));
	ck_assert_int_eq(ctl("budgets reconcile --bogus", &out), 64);
	ck_assert_int_eq(ctl("budgets reconcile extra", &out), 64);
	ck_assert_int_eq(ctl("budgets reconcile --account " NIL_ID, &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "no account " NIL_ID));
	ck_assert_int_eq(ctl("budgets reconcile --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "reconcile [--account ID]"));
	ck_assert_int_eq(ctl("help budgets", &out), 0);
	ck_assert_int_eq(ctl("help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "budgets reconcile"));
	/* No database to reach: the checks did not run. */
	ck_assert_int_eq(ctl_env("DATABASE_URL='host=/nonexistent dbname=x'",
	    "budgets reconcile", &out), 2);
	ck_assert_ptr_null(strstr(out.data, "checks, "));
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("budgets reconcile");
	TCase	*tc = tcase_create("reconcile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_books_balance);
	tcase_add_test(tc, test_grants);
	tcase_add_test(tc, test_spend);
	tcase_add_test(tc, test_remaining);
	tcase_add_test(tc, test_escrow);
	tcase_add_test(tc, test_allocations);
	tcase_add_test(tc, test_ledger);
	tcase_add_test(tc, test_ledger_unallocated);
	tcase_add_test(tc, test_reservations);
	tcase_add_test(tc, test_account_scope);
	tcase_add_test(tc, test_usage_errors);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
