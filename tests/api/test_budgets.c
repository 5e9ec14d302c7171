/*
 * budgets.fcgi's money path against the real stack: usage recorded under
 * concurrency is exact at every level, a retried idempotency key counts
 * once, bad input debits nothing, allocations never exceed their source
 * and give back their unspent credits, reservations hold and expire, and
 * a cycle boundary starts a new period from zero. After each test the
 * ledger agrees with the pools.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RECORDS		200
#define RETRIES		50

/* Runs sql as the owner. */
static void
owner_sql(const char *sql)
{
	PGconn	*c = db_owner();

	db_exec(c, sql);
	PQfinish(c);
}

/* A scalar of sql as the owner. */
static long long
owner_scalar(const char *sql)
{
	PGconn		*c = db_owner();
	long long	 n = db_scalar(c, sql);

	PQfinish(c);
	return n;
}

/* A fresh account with n Copilot users u1..un@<slug>.test. */
static void
fresh(char *id, char *slug, size_t len, int n)
{
	struct reply	 r;
	char		 body[200];
	int		 i;

	unique_slug(slug, len, "bud");
	create_account("Budgets", slug, id);
	for (i = 1; i <= n; i++) {
		(void)snprintf(body, sizeof(body), "{\"email\":\"u%d@%s.test\"}",
		    i, slug);
		api_in_account(&r, id, "POST", "/v1/copilot/users", body);
		ck_assert_int_eq(r.status, 201);
		reply_free(&r);
	}
}

/* Sets the account's credits per period (super admin). */
static void
grant(const char *id, const char *credits)
{
	struct reply	 r;
	char		 body[200];

	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\","
	    "\"credits\":\"%s\"}", id, credits);
	api_post_json(&r, "/v1/budgets/account-allocation", body);
	ck_assert_msg(r.status == 200, "grant: %ld %s", r.status, r.body.data);
	reply_free(&r);
}

/* A team of the global organisation with users u1..un; its id. */
static void
team_of(const char *id, const char *slug, int n, char *team)
{
	struct reply	 r;
	struct buf	 users = { 0 };
	int		 i;

	api_in_account(&r, id, "POST", "/v1/copilot/teams",
	    "{\"name\":\"Crew\"}");
	ck_assert_int_eq(r.status, 201);
	(void)snprintf(team, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
	ck_assert_int_eq(buf_puts(&users, "{\"users\":["), 0);
	for (i = 1; i <= n; i++)
		ck_assert_int_eq(buf_printf(&users, "%s\"u%d@%s.test\"",
		    i > 1 ? "," : "", i, slug), 0);
	ck_assert_int_eq(buf_puts(&users, "]}"), 0);
	{
		char	 path[128];

		(void)snprintf(path, sizeof(path), "/v1/copilot/teams/%s/members",
		    team);
		api_in_account(&r, id, "POST", path, users.data);
	}
	ck_assert_msg(r.status == 200 || r.status == 201, "members: %ld %s",
	    r.status, r.body.data);
	reply_free(&r);
	buf_free(&users);
}

/* Sets an allocation; the answer's status. */
static long
allocate(const char *id, const char *type, const char *scope,
    const char *credits)
{
	struct reply	 r;
	char		 body[400];
	long		 status;

	(void)snprintf(body, sizeof(body), "{\"scope\":{\"type\":\"%s\","
	    "\"id\":\"%s\"},\"credits\":\"%s\"}", type, scope, credits);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/allocations/upsert",
	    body);
	status = r.status;
	reply_free(&r);
	return status;
}

/* Records a usage; the reply is the caller's. */
static void
record(struct reply *r, const char *id, const char *user, const char *team,
    const char *cost, const char *key)
{
	char	 body[600];

	if (team != NULL)
		(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"team_id\":"
		    "\"%s\",\"model\":\"gpt-test\",\"cost\":\"%s\","
		    "\"idempotency_key\":\"%s\"}", user, team, cost, key);
	else
		(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":"
		    "\"gpt-test\",\"cost\":\"%s\",\"idempotency_key\":\"%s\"}",
		    user, cost, key);
	api_in_account(r, id, "POST", "/v1/budgets/copilot/usage", body);
}

/* Records a usage and checks the answer's status. */
static void
record_status(const char *id, const char *user, const char *team,
    const char *cost, const char *key, long status)
{
	struct reply	 r;

	record(&r, id, user, team, cost, key);
	ck_assert_msg(r.status == status, "%s credits: %ld %s", cost, r.status,
	    r.body.data);
	reply_free(&r);
}

/*
 * The ledger and the pools agree: every pool period's spend is its
 * debits, and no pool has spent more than its credits.
 */
static void
assert_reconciled(const char *id)
{
	char	 sql[800];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM pool_periods pp "
	    "WHERE pp.account_id = '%s' AND pp.spent_micro <> (SELECT "
	    "coalesce(sum(l.micro_credits), 0) FROM credit_ledger l WHERE "
	    "l.pool_id = pp.pool_id AND l.period_start = pp.period_start)", id);
	ck_assert_int_eq(owner_scalar(sql), 0);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM pool_periods pp "
	    "JOIN credit_pools p ON p.id = pp.pool_id WHERE pp.account_id = "
	    "'%s' AND pp.spent_micro > p.micro_credits", id);
	ck_assert_int_eq(owner_scalar(sql), 0);
}

struct racer {
	pthread_t	 t;
	const char	*account, *user, *team, *key;
	char		 own_key[64];
	long		 status;
	char		 scope[16];
	char		*body;
};

static void *
race(void *arg)
{
	struct racer	*w = arg;
	struct reply	 r;
	const cJSON	*e, *s;

	record(&r, w->account, w->user, w->team, "3", w->key != NULL ?
	    w->key : w->own_key);
	w->status = r.status;
	if ((e = cJSON_GetObjectItem(r.json, "error")) != NULL &&
	    (s = cJSON_GetObjectItem(e, "scope")) != NULL)
		(void)snprintf(w->scope, sizeof(w->scope), "%s",
		    json_str(s, "type"));
	w->body = strdup(r.body.data != NULL ? r.body.data : "");
	reply_free(&r);
	return NULL;
}

/*
 * 200 records of 3 credits at once against a team of 100: exactly 33
 * succeed, the team keeps 1, the account is debited 99, nothing goes
 * below zero; the refusals name the team; each alert threshold crossed
 * is raised once, with the spend that crossed it.
 */
START_TEST(test_concurrent_records_are_exact)
{
	static struct racer	 w[RECORDS];
	struct reply		 r;
	char			 id[UUID_LEN + 1], slug[64], team[UUID_LEN + 1],
				 user[128], sql[400];
	int			 i, ok = 0, refused = 0;

	fresh(id, slug, sizeof(slug), 4);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/plans",
	    "{\"name\":\"Tens\",\"cycle\":\"none\","
	    "\"alert_thresholds\":[10,80]}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	grant(id, "1000");
	team_of(id, slug, 4, team);
	ck_assert_int_eq(allocate(id, "team", team, "100"), 201);
	for (i = 0; i < RECORDS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].account = id;
		w[i].team = team;
		(void)snprintf(user, sizeof(user), "u%d@%s.test", i % 4 + 1,
		    slug);
		w[i].user = strdup(user);
		(void)snprintf(w[i].own_key, sizeof(w[i].own_key), "race-%d", i);
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, race, &w[i]), 0);
	}
	for (i = 0; i < RECORDS; i++) {
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
		ck_assert_msg(w[i].status == 200 || w[i].status == 402,
		    "record %d: %ld %s", i, w[i].status, w[i].body);
		ok += w[i].status == 200;
		if (w[i].status == 402) {
			refused++;
			ck_assert_str_eq(w[i].scope, "team");
		}
		free((void *)w[i].user);
		free(w[i].body);
	}
	ck_assert_int_eq(ok, 33);
	ck_assert_int_eq(refused, RECORDS - 33);
	ck_assert_int_eq(db_count_where("usage_records", "account_id = '%s'", id), 33);
	(void)snprintf(sql, sizeof(sql), "SELECT pp.spent_micro FROM "
	    "pool_periods pp JOIN credit_pools p ON p.id = pp.pool_id WHERE "
	    "p.account_id = '%s' AND p.scope_type = 'team'", id);
	ck_assert_int_eq(owner_scalar(sql), 99000000);
	(void)snprintf(sql, sizeof(sql), "SELECT pp.spent_micro FROM "
	    "pool_periods pp JOIN credit_pools p ON p.id = pp.pool_id WHERE "
	    "p.account_id = '%s' AND p.scope_type = 'unallocated'", id);
	ck_assert_int_eq(owner_scalar(sql), 99000000);
	/*
	 * The team's alerts, each once and raised by the record that crossed
	 * it (9 -> 12 credits, 78 -> 81), whatever slots the others were
	 * debited in; the account, at 9.9%, has none.
	 */
	ck_assert_int_eq(db_count_where("budget_alerts", "account_id = '%s'",
	    id), 2);
	ck_assert_int_eq(db_count_where("budget_alerts", "account_id = '%s' "
	    "AND scope_type = 'team' AND threshold = 10 AND spent_micro = "
	    "12000000", id), 1);
	ck_assert_int_eq(db_count_where("budget_alerts", "account_id = '%s' "
	    "AND scope_type = 'team' AND threshold = 80 AND spent_micro = "
	    "81000000", id), 1);
	assert_reconciled(id);
	/* Fewer credits take back the slots' unspent quotas: what is left
	 * is exactly what the team has. */
	ck_assert_int_eq(allocate(id, "team", team, "99.5"), 200);
	ck_assert_int_eq(db_count_where("pool_slots", "account_id = '%s' AND "
	    "quota_micro > spent_micro AND pool_id IN (SELECT p.id FROM "
	    "credit_pools p WHERE p.scope_type = 'team')", id), 0);
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	record_status(id, user, team, "0.500001", "after-1", 402);
	record_status(id, user, team, "0.5", "after-2", 200);
	/* A new Budget Plan (its thresholds may be new) takes back every
	 * slot's unspent quota of the period: here a micro-credit left in
	 * a slot of the account's pool. */
	(void)snprintf(sql, sizeof(sql), "UPDATE pool_slots SET quota_micro ="
	    " spent_micro WHERE account_id = '%s'", id);
	owner_sql(sql);
	(void)snprintf(sql, sizeof(sql), "UPDATE pool_slots SET quota_micro ="
	    " quota_micro + 1 WHERE (pool_id, period_start, slot) = (SELECT"
	    " s.pool_id, s.period_start, s.slot FROM pool_slots s JOIN"
	    " credit_pools p ON p.id = s.pool_id WHERE p.account_id = '%s'"
	    " AND p.scope_type = 'unallocated' ORDER BY s.period_start DESC,"
	    " s.slot LIMIT 1)", id);
	owner_sql(sql);
	ck_assert_int_eq(db_count_where("pool_slots", "account_id = '%s' AND "
	    "quota_micro > spent_micro", id), 1);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/plans",
	    "{\"name\":\"Daily\",\"cycle\":\"daily\","
	    "\"alert_thresholds\":[50]}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("pool_slots", "account_id = '%s' AND "
	    "quota_micro > spent_micro", id), 0);
	assert_reconciled(id);
}
END_TEST

/* 50 records with one key at once: one record, the same answer to all. */
START_TEST(test_one_key_counts_once)
{
	static struct racer	 w[RETRIES];
	char			 id[UUID_LEN + 1], slug[64], user[128];
	int			 i;

	fresh(id, slug, sizeof(slug), 1);
	grant(id, "1000");
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	for (i = 0; i < RETRIES; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].account = id;
		w[i].user = user;
		w[i].key = "the-one-key";
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, race, &w[i]), 0);
	}
	for (i = 0; i < RETRIES; i++)
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
	for (i = 0; i < RETRIES; i++) {
		ck_assert_int_eq(w[i].status, 200);
		ck_assert_str_eq(w[i].body, w[0].body);
	}
	for (i = 0; i < RETRIES; i++)
		free(w[i].body);
	ck_assert_int_eq(db_count_where("usage_records", "account_id = '%s'", id), 1);
	ck_assert_int_eq(db_count_where("credit_ledger", "account_id = '%s'", id), 1);
	assert_reconciled(id);
}
END_TEST

/* The same key with another body: 409, nothing more recorded. */
START_TEST(test_key_reused_for_another_usage)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], user[128];

	fresh(id, slug, sizeof(slug), 1);
	grant(id, "10");
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	record(&r, id, user, NULL, "1.25", "k");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "credits"), "1.25");
	reply_free(&r);
	record(&r, id, user, NULL, "1.5", "k");
	assert_error(&r, 409, "idempotency_conflict", "idempotency_key");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("usage_records", "account_id = '%s'", id), 1);
}
END_TEST

/* tmpl with each "%s" replaced by user, into out. */
static void
subst(char *out, size_t len, const char *tmpl, const char *user)
{
	struct buf	 b = { 0 };
	const char	*p;

	for (p = tmpl; *p != '\0'; p++)
		if (p[0] == '%' && p[1] == 's') {
			ck_assert_int_eq(buf_puts(&b, user), 0);
			p++;
		} else
			ck_assert_int_eq(buf_printf(&b, "%c", *p), 0);
	ck_assert_int_lt(b.len, len);
	(void)snprintf(out, len, "%s", b.data);
	buf_free(&b);
}

/* Every bad usage is refused with its field, and debits nothing. */
START_TEST(test_bad_usage_debits_nothing)
{
	static const struct {
		const char	*body;
		long		 status;
		const char	*code, *field;
	} cases[] = {
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"-1\","
		  "\"idempotency_key\":\"a\"}", 422, "invalid_field", "cost" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"NaN\","
		  "\"idempotency_key\":\"a\"}", 422, "invalid_field", "cost" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"1e3\","
		  "\"idempotency_key\":\"a\"}", 422, "invalid_field", "cost" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":"
		  "\"0.0000000000001\",\"idempotency_key\":\"a\"}", 422,
		  "invalid_field", "cost" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"1234567890\","
		  "\"idempotency_key\":\"a\"}", 422, "invalid_field", "cost" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":1.5,"
		  "\"idempotency_key\":\"a\"}", 422, "invalid_field", "cost" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"1\"}", 422,
		  "invalid_field", "idempotency_key" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"1\","
		  "\"idempotency_key\":\"a\",\"price\":1}", 400,
		  "unknown_field", "price" },
		{ "{\"user\":\"nobody@nowhere.test\",\"model\":\"m\","
		  "\"cost\":\"1\",\"idempotency_key\":\"a\"}", 422,
		  "invalid_field", "user" },
		{ "{\"user\":\"%s\",\"team_id\":\"" NIL_ID "\",\"model\":\"m\","
		  "\"cost\":\"1\",\"idempotency_key\":\"a\"}", 422,
		  "invalid_field", "team_id" },
		{ "{\"user\":\"%s\",\"model\":\"m\",\"cost\":\"1\"", 400,
		  "invalid_json", NULL },
	};
	struct reply	 r;
	char		 id[UUID_LEN + 1], other[UUID_LEN + 1], slug[64],
			 oslug[64], user[128], body[400], team[UUID_LEN + 1];
	size_t		 i;

	fresh(id, slug, sizeof(slug), 1);
	grant(id, "10");
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		subst(body, sizeof(body), cases[i].body, user);
		api_in_account(&r, id, "POST", "/v1/budgets/copilot/usage", body);
		assert_error(&r, cases[i].status, cases[i].code, cases[i].field);
		reply_free(&r);
	}
	/* Another account's team and user are not this account's. */
	fresh(other, oslug, sizeof(oslug), 1);
	team_of(other, oslug, 1, team);
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"team_id\":"
	    "\"%s\",\"model\":\"m\",\"cost\":\"1\",\"idempotency_key\":\"b\"}",
	    user, team);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/usage", body);
	assert_error(&r, 422, "invalid_field", "team_id");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"user\":\"u1@%s.test\","
	    "\"model\":\"m\",\"cost\":\"1\",\"idempotency_key\":\"c\"}", oslug);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/usage", body);
	assert_error(&r, 422, "invalid_field", "user");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("usage_records", "account_id = '%s'", id), 0);
	ck_assert_int_eq(db_count_where("credit_ledger", "account_id = '%s'", id), 0);
}
END_TEST

/*
 * Allocations: never more than the source has unallocated (409); a
 * delete gives back the unspent credits; equal distribution leaves the
 * remainder unallocated and a dry run changes nothing; a User Override
 * is left alone by it.
 */
START_TEST(test_allocations)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], team[UUID_LEN + 1],
			 body[400], path[300], user[128];

	fresh(id, slug, sizeof(slug), 3);
	grant(id, "100");
	team_of(id, slug, 3, team);
	ck_assert_int_eq(allocate(id, "team", team, "101"), 409);
	ck_assert_int_eq(allocate(id, "team", team, "40"), 201);
	ck_assert_int_eq(allocate(id, "team", team, "100"), 200);
	ck_assert_int_eq(allocate(id, "team", team, "40"), 200);
	(void)snprintf(user, sizeof(user), "u3@%s.test", slug);
	(void)snprintf(path, sizeof(path), "/v1/copilot/users/%s", user);
	api_in_account(&r, id, "PATCH", path, "{\"display_name\":\"Ada\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"credits\":\"5\"}",
	    user);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/overrides", body);
	ck_assert_int_eq(r.status, 201);
	/* A user's pool is named as the reports name the user. */
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "scope"), "name"),
	    "Ada");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"scope\":{\"type\":\"team\","
	    "\"id\":\"%s\"},\"credits\":\"25\",\"dry_run\":true}", team);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/distribute/equal",
	    body);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("credit_pools", "account_id = '%s' AND "
	    "scope_type = 'user' AND rule = 'allocation'", id), 0);
	(void)snprintf(body, sizeof(body), "{\"scope\":{\"type\":\"team\","
	    "\"id\":\"%s\"},\"credits\":\"25.000001\"}", team);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/distribute/equal",
	    body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "each"), "12.5");
	ck_assert_str_eq(json_str(r.json, "remainder"), "0.000001");
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "skipped_overrides")->valueint, 1);
	reply_free(&r);
	/* u1 spends 10 of its 12.5 (and the team's, and the account's). */
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	record(&r, id, user, team, "10", "spend");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/allocations?"
	    "scope_type=user&scope_id=%s", user);
	api_in_account(&r, id, "DELETE", path, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "returned"), "2.5");
	reply_free(&r);
	/* The team cannot go below what it spent and what it gave. */
	ck_assert_int_eq(allocate(id, "team", team, "9"), 409);
	ck_assert_int_eq(allocate(id, "team", team, "22.4"), 409);
	ck_assert_int_eq(allocate(id, "team", team, "22.5"), 200);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/allocations?"
	    "scope_type=team&scope_id=%s", team);
	api_in_account(&r, id, "DELETE", path, NULL);
	assert_error(&r, 409, "has_allocations", NULL);
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/budgets/copilot/account-allocation",
	    NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "spent"), "10");
	/* 100 - 10 spent - (12.5 the team can still spend) - 5 (u3). */
	ck_assert_str_eq(json_str(r.json, "unallocated"), "72.5");
	reply_free(&r);
	assert_reconciled(id);
}
END_TEST

/*
 * A reservation holds credits until released; a usage cannot take them;
 * a capture records the real cost; an expired one holds nothing.
 */
START_TEST(test_reservations)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], user[128], body[400],
			 path[300], res[UUID_LEN + 1];

	fresh(id, slug, sizeof(slug), 1);
	grant(id, "10");
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\"m\","
	    "\"estimated_cost\":\"8\",\"idempotency_key\":\"h1\"}", user);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/reservations", body);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_str(r.json, "state"), "held");
	(void)snprintf(res, sizeof(res), "%s", json_str(r.json, "id"));
	reply_free(&r);
	record(&r, id, user, NULL, "3", "u1");
	assert_error(&r, 402, "budget_exceeded", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/reservations/%s"
	    "/capture", res);
	api_in_account(&r, id, "POST", path, "{\"cost\":\"7.5\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "credits"), "7.5");
	reply_free(&r);
	api_in_account(&r, id, "POST", path, "{\"cost\":\"7.5\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("usage_records", "account_id = '%s'", id), 1);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/reservations/%s"
	    "/release", res);
	api_in_account(&r, id, "POST", path, NULL);
	assert_error(&r, 409, "reservation_captured", NULL);
	reply_free(&r);
	/* 2.5 left: a hold of 2 that expires gives it back. */
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\"m\","
	    "\"estimated_cost\":\"2\",\"expires_in\":1,\"idempotency_key\":"
	    "\"h2\"}", user);
	api_in_account(&r, id, "POST", "/v1/budgets/copilot/reservations", body);
	ck_assert_int_eq(r.status, 201);
	(void)snprintf(res, sizeof(res), "%s", json_str(r.json, "id"));
	reply_free(&r);
	record(&r, id, user, NULL, "1", "u2");
	assert_error(&r, 402, "budget_exceeded", NULL);
	reply_free(&r);
	msleep(1200);
	record(&r, id, user, NULL, "1", "u3");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/budgets/copilot/reservations/%s"
	    "/capture", res);
	api_in_account(&r, id, "POST", path, "{\"cost\":\"1\"}");
	assert_error(&r, 410, "reservation_expired", NULL);
	reply_free(&r);
	assert_reconciled(id);
}
END_TEST

/*
 * A daily cycle whose boundary falls between two records: the second
 * starts the new period from zero; the first stays in its own.
 */
START_TEST(test_cycle_boundary_starts_from_zero)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], user[128], sql[600];

	fresh(id, slug, sizeof(slug), 1);
	grant(id, "10");
	(void)snprintf(sql, sizeof(sql), "INSERT INTO budget_plans (account_id, "
	    "name, cycle, anchor, cycle_from, created_by) VALUES ('%s', 'Daily', "
	    "'daily', now() - interval '1 day' + interval '2 seconds', "
	    "now() - interval '2 days', 'test')", id);
	owner_sql(sql);
	(void)snprintf(user, sizeof(user), "u1@%s.test", slug);
	record(&r, id, user, NULL, "9", "before");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	record(&r, id, user, NULL, "9", "too-much");
	assert_error(&r, 402, "budget_exceeded", NULL);
	reply_free(&r);
	msleep(2500);
	record(&r, id, user, NULL, "9", "after");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("pool_periods", "account_id = '%s' AND "
	    "spent_micro = 9000000", id), 2);
	assert_reconciled(id);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("budgets");
	TCase	*tc = tcase_create("money");

	tcase_add_test(tc, test_concurrent_records_are_exact);
	tcase_add_test(tc, test_one_key_counts_once);
	tcase_add_test(tc, test_key_reused_for_another_usage);
	tcase_add_test(tc, test_bad_usage_debits_nothing);
	tcase_add_test(tc, test_allocations);
	tcase_add_test(tc, test_reservations);
	tcase_add_test(tc, test_cycle_boundary_starts_from_zero);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
