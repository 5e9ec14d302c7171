/*
 * superadmin.fcgi end to end: the cross-account summary (its numbers
 * against rows written here, its filters and pages) and the bulk actions
 * (each action, dry runs, partial failure, refused input, roles), under
 * /v1/super-admin/ and the /copilot/super-admin/ alias. Other suites make
 * accounts in the same database at the same time, so every summary is
 * narrowed to this test's accounts with ?q= and a unique tag.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SUMMARY		"/v1/super-admin/summary"
#define BULK		"/v1/super-admin/bulk-actions"

/* A fresh account named and slugged after tag: its id into id. */
static void
account_new(const char *tag, const char *suffix, char *id)
{
	char	 slug[128];

	(void)snprintf(slug, sizeof(slug), "%s-%s", tag, suffix);
	create_account(slug, slug, id);
}

/* Rows of table matching the printf condition, as the owner counts. */
static long long
count_where(const char *table, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static long long
count_where(const char *table, const char *fmt, ...)
{
	va_list		 ap;
	long long	 n;

	va_start(ap, fmt);
	n = db_vcount_where(table, fmt, ap);
	va_end(ap);
	return n;
}

static long long
events(const char *id, const char *action)
{
	return count_where("audit_events", "account_id = '%s' AND action = "
	    "'%s'", id, action);
}

/* Every event of the account but its creation. */
static long long
events_after_create(const char *id)
{
	return count_where("audit_events", "account_id = '%s' AND action <> "
	    "'account.create'", id);
}

/* Runs SQL as the owner, acting for the platform. */
static void
owner_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
owner_exec(const char *fmt, ...)
{
	PGconn	*c = db_owner();
	char	 sql[2048];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(sql));
	db_exec(c, sql);
	PQfinish(c);
}

/* A grant (or, ledger true, a debit) of micro-credits to the account. */
static void
credits_row(const char *id, long long micro, int ledger)
{
	if (ledger)
		owner_exec("INSERT INTO credit_ledger (account_id, pool_id, "
		    "micro_credits) SELECT account_id, id, %lld FROM "
		    "credit_pools WHERE account_id = '%s' AND scope_type = "
		    "'unallocated'", micro, id);
	else
		owner_exec("INSERT INTO credit_grants (account_id, pool_id, "
		    "micro_credits, granted_by) SELECT account_id, id, %lld, "
		    "'test' FROM credit_pools WHERE account_id = '%s' AND "
		    "scope_type = 'unallocated'", micro, id);
}

static void
user_row(const char *id, const char *tag, int n, const char *status)
{
	owner_exec("INSERT INTO users (account_id, email, status) VALUES "
	    "('%s', 'u%d@%s.test', '%s')", id, n, tag, status);
}

/* A plan made by the platform: its slug into slug. */
static void
plan_new(char *slug, size_t len, const char *status)
{
	unique_slug(slug, len, "plan");
	owner_exec("INSERT INTO plans (slug, name, status) VALUES ('%s', "
	    "'Plan %s', '%s')", slug, slug, status);
}

static void
status_set(const char *id, const char *status)
{
	owner_exec("UPDATE accounts SET status = '%s' WHERE id = '%s'", status,
	    id);
}

static const char *
status_of_account(const char *id)
{
	static char	 status[16];
	struct reply	 r;
	char		 path[128];

	account_path(path, sizeof(path), id);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	(void)snprintf(status, sizeof(status), "%s", json_str(r.json,
	    "status"));
	reply_free(&r);
	return status;
}

static const cJSON *
member(const cJSON *o, const char *name)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(m != NULL, "no member %s", name);
	return m;
}

static long
number(const cJSON *o, const char *name)
{
	const cJSON	*m = member(o, name);

	ck_assert_msg(cJSON_IsNumber(m), "%s is not a number", name);
	return (long)m->valuedouble;
}

/* The summary item of account id in r, or NULL. */
static const cJSON *
item_of(const struct reply *r, const char *id)
{
	const cJSON	*item;

	cJSON_ArrayForEach(item, json_items(r))
		if (strcmp(json_str(item, "account_id"), id) == 0)
			return item;
	return NULL;
}

static void
summary(struct reply *r, const char *query)
{
	char	 path[512];

	(void)snprintf(path, sizeof(path), SUMMARY "?%s", query);
	api_get(r, path);
	ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status,
	    r->body.data);
}

static void
assert_totals(const struct reply *r, long accounts, long active,
    long suspended, long users, const char *granted, const char *used)
{
	const cJSON	*t = member(r->json, "totals");

	ck_assert_int_eq(cJSON_GetArraySize(t), 7);
	ck_assert(cJSON_IsNumber(member(t, "open_alerts")));
	ck_assert_int_eq(number(t, "accounts"), accounts);
	ck_assert_int_eq(number(t, "active"), active);
	ck_assert_int_eq(number(t, "suspended"), suspended);
	ck_assert_int_eq(number(t, "users"), users);
	ck_assert_str_eq(json_str(t, "credits_granted"), granted);
	ck_assert_str_eq(json_str(t, "credits_used"), used);
}

static void
assert_item(const cJSON *item, const char *status, long users,
    const char *granted, const char *used)
{
	ck_assert_ptr_nonnull(item);
	ck_assert_int_eq(cJSON_GetArraySize(item), 10);
	ck_assert_str_eq(json_str(item, "status"), status);
	ck_assert_int_eq(number(item, "users"), users);
	ck_assert_str_eq(json_str(item, "credits_granted"), granted);
	ck_assert_str_eq(json_str(item, "credits_used"), used);
	ck_assert(is_timestamp(json_str(item, "created_at")));
	ck_assert_ptr_nonnull(json_str(item, "name"));
	ck_assert_ptr_nonnull(json_str(item, "slug"));
	/* These accounts spent nothing through budgets: no alerts. */
	ck_assert_int_eq(number(item, "open_alerts"), 0);
}

/*
 * Three accounts: A active with two active users and one inactive, two
 * grants and a debit; B suspended with a grant; C bare. A is on a plan.
 */
START_TEST(test_summary_counts_what_is_there)
{
	struct reply	 r;
	char		 tag[64], q[256], a[UUID_LEN + 1], b[UUID_LEN + 1];
	char		 c[UUID_LEN + 1], plan[64];
	const cJSON	*p;

	unique_slug(tag, sizeof(tag), "sum");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	account_new(tag, "c", c);
	user_row(a, tag, 1, "active");
	user_row(a, tag, 2, "active");
	user_row(a, tag, 3, "inactive");
	credits_row(a, 10500000, 0);
	credits_row(a, 2000000, 0);
	credits_row(a, 3250000, 1);
	credits_row(b, 1, 0);
	status_set(b, "suspended");
	plan_new(plan, sizeof(plan), "active");
	owner_exec("UPDATE account_subscriptions SET plan_id = (SELECT id FROM "
	    "plans WHERE slug = '%s') WHERE account_id = '%s'", plan, a);

	(void)snprintf(q, sizeof(q), "q=%s", tag);
	summary(&r, q);
	assert_totals(&r, 3, 2, 1, 2, "12.500001", "3.25");
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 3);
	ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
	assert_item(item_of(&r, a), "active", 2, "12.5", "3.25");
	assert_item(item_of(&r, b), "suspended", 0, "0.000001", "0");
	assert_item(item_of(&r, c), "active", 0, "0", "0");
	p = member(item_of(&r, a), "plan");
	ck_assert(cJSON_IsObject(p));
	ck_assert_str_eq(json_str(p, "slug"), plan);
	ck_assert(is_uuid(json_str(p, "id")));
	ck_assert_ptr_nonnull(json_str(p, "name"));
	/* In creation order. */
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "account_id"), a);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 2),
	    "account_id"), c);
	reply_free(&r);

	(void)snprintf(q, sizeof(q), "q=%s&status=suspended", tag);
	summary(&r, q);
	assert_totals(&r, 1, 0, 1, 0, "0.000001", "0");
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_ptr_nonnull(item_of(&r, b));
	reply_free(&r);

	(void)snprintf(q, sizeof(q), "q=%s&plan=%s", tag, plan);
	summary(&r, q);
	assert_totals(&r, 1, 1, 0, 2, "12.5", "3.25");
	ck_assert_ptr_nonnull(item_of(&r, a));
	reply_free(&r);

	/* Totals cover every match, not just the page. */
	(void)snprintf(q, sizeof(q), "q=%s&limit=1", tag);
	summary(&r, q);
	assert_totals(&r, 3, 2, 1, 2, "12.500001", "3.25");
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_ptr_nonnull(json_str(r.json, "next_cursor"));
	reply_free(&r);

	/* Nothing matches: zero totals, no items. */
	(void)snprintf(q, sizeof(q), "q=%s-none", tag);
	summary(&r, q);
	assert_totals(&r, 0, 0, 0, 0, "0", "0");
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
}
END_TEST

/*
 * Usage recorded through budgets.fcgi with a team allocation charges the
 * user's path (team and account pools): the summary counts it once, and
 * the alerts it raised in the period are its open alerts.
 */
START_TEST(test_summary_counts_usage_once_and_alerts)
{
	struct reply	 r;
	char		 tag[64], q[256], a[UUID_LEN + 1], team[UUID_LEN + 1],
			 body[400];
	const cJSON	*item;

	unique_slug(tag, sizeof(tag), "sua");
	account_new(tag, "a", a);
	(void)snprintf(body, sizeof(body), "{\"email\":\"u1@%s.test\"}", tag);
	api_in_account(&r, a, "POST", "/v1/copilot/users", body);
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	api_in_account(&r, a, "POST", "/v1/copilot/teams", "{\"name\":\"T\"}");
	ck_assert_int_eq(r.status, 201);
	(void)snprintf(team, sizeof(team), "%s", json_str(r.json, "id"));
	reply_free(&r);
	(void)snprintf(q, sizeof(q), "/v1/copilot/teams/%s/members", team);
	(void)snprintf(body, sizeof(body), "{\"users\":[\"u1@%s.test\"]}", tag);
	api_in_account(&r, a, "POST", q, body);
	ck_assert_int_lt(r.status, 300);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\","
	    "\"credits\":\"100\"}", a);
	api_post_json(&r, "/v1/budgets/account-allocation", body);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"scope\":{\"type\":\"team\","
	    "\"id\":\"%s\"},\"credits\":\"10\"}", team);
	api_in_account(&r, a, "POST", "/v1/budgets/copilot/allocations/upsert",
	    body);
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	/* 9 of the team's 10: its 80% alert; the account is at 9%. */
	(void)snprintf(body, sizeof(body), "{\"user\":\"u1@%s.test\","
	    "\"team_id\":\"%s\",\"model\":\"m\",\"cost\":\"9\","
	    "\"idempotency_key\":\"once\"}", tag, team);
	api_in_account(&r, a, "POST", "/v1/budgets/copilot/usage", body);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	(void)snprintf(q, sizeof(q), "q=%s", tag);
	summary(&r, q);
	item = item_of(&r, a);
	ck_assert_ptr_nonnull(item);
	ck_assert_str_eq(json_str(item, "credits_granted"), "100");
	ck_assert_str_eq(json_str(item, "credits_used"), "9");
	ck_assert_int_eq(number(item, "open_alerts"), 1);
	ck_assert_str_eq(json_str(member(r.json, "totals"), "credits_used"),
	    "9");
	ck_assert_int_eq(number(member(r.json, "totals"), "open_alerts"), 1);
	reply_free(&r);
}
END_TEST

/* Sums past 64 bits (a platform-wide total can get there) stay exact. */
START_TEST(test_summary_totals_past_64_bits)
{
	struct reply	 r;
	char		 tag[64], q[256], a[UUID_LEN + 1], b[UUID_LEN + 1];

	unique_slug(tag, sizeof(tag), "big");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	credits_row(a, 9000000000000000000LL, 0);
	credits_row(b, 9000000000000000000LL, 0);
	credits_row(b, 250000, 0);
	(void)snprintf(q, sizeof(q), "q=%s", tag);
	summary(&r, q);
	assert_totals(&r, 2, 2, 0, 0, "18000000000000.25", "0");
	assert_item(item_of(&r, b), "active", 0, "9000000000000.25", "0");
	reply_free(&r);
}
END_TEST

/* Pages of 2 over 5 accounts: each once, in order, the same totals. */
START_TEST(test_summary_pages)
{
	struct reply	 r;
	char		 tag[64], q[600], made[5][UUID_LEN + 1], suffix[8];
	char		 seen[8][UUID_LEN + 1], cursor[256] = "";
	const cJSON	*item;
	int		 i, n = 0, pages = 0;

	unique_slug(tag, sizeof(tag), "pg");
	for (i = 0; i < 5; i++) {
		(void)snprintf(suffix, sizeof(suffix), "%d", i);
		account_new(tag, suffix, made[i]);
	}
	do {
		(void)snprintf(q, sizeof(q), "q=%s&limit=2%s%s", tag,
		    *cursor != '\0' ? "&cursor=" : "", cursor);
		summary(&r, q);
		assert_totals(&r, 5, 5, 0, 0, "0", "0");
		cJSON_ArrayForEach(item, json_items(&r)) {
			ck_assert_int_lt(n, 8);
			(void)snprintf(seen[n++], UUID_LEN + 1, "%s",
			    json_str(item, "account_id"));
		}
		(void)snprintf(cursor, sizeof(cursor), "%s",
		    json_str(r.json, "next_cursor") != NULL ?
		    json_str(r.json, "next_cursor") : "");
		reply_free(&r);
		pages++;
	} while (*cursor != '\0' && pages < 10);
	ck_assert_int_eq(pages, 3);
	ck_assert_int_eq(n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_str_eq(seen[i], made[i]);
}
END_TEST

static void
summary_refused(const char *query, const char *code, const char *field)
{
	struct reply	 r;
	char		 path[512];

	(void)snprintf(path, sizeof(path), SUMMARY "?%s", query);
	api_get(&r, path);
	assert_error(&r, 400, code, field);
	reply_free(&r);
}

START_TEST(test_summary_bad_parameters)
{
	summary_refused("account_id=x", "unknown_parameter", "account_id");
	summary_refused("status=deleted", "invalid_parameter", "status");
	summary_refused("plan=Not_A_Slug", "invalid_parameter", "plan");
	summary_refused("limit=0", "invalid_parameter", "limit");
	summary_refused("limit=201", "invalid_parameter", "limit");
	summary_refused("limit=ten", "invalid_parameter", "limit");
	summary_refused("cursor=bm90LWEtY3Vyc29y", "invalid_parameter",
	    "cursor");
}
END_TEST

/* The body of a bulk action over ids (a JSON array's inside). */
static void
bulk(struct reply *r, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
bulk(struct reply *r, const char *path, const char *fmt, ...)
{
	static char	 body[40000];
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(body));
	api_post_json(r, path, body);
}

static const cJSON *
result_at(const struct reply *r, int i)
{
	const cJSON	*results = member(r->json, "results");

	ck_assert(cJSON_IsArray(results));
	ck_assert_int_gt(cJSON_GetArraySize(results), i);
	return cJSON_GetArrayItem(results, i);
}

static void
assert_counts(const struct reply *r, long changed, long unchanged,
    long failed)
{
	const cJSON	*c = member(r->json, "counts");

	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body.data);
	ck_assert_int_eq(number(c, "changed"), changed);
	ck_assert_int_eq(number(c, "unchanged"), unchanged);
	ck_assert_int_eq(number(c, "failed"), failed);
	ck_assert_int_eq(cJSON_GetArraySize(member(r->json, "results")),
	    changed + unchanged + failed);
}

/* Result i: the account and its outcome; the before/after value of key. */
static void
assert_result(const struct reply *r, int i, const char *id,
    const char *outcome, const char *key, const char *before,
    const char *after)
{
	const cJSON	*res = result_at(r, i);

	ck_assert_str_eq(json_str(res, "account_id"), id);
	ck_assert_str_eq(json_str(res, "outcome"), outcome);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(res, "error"));
	if (key == NULL)
		return;
	ck_assert_str_eq(json_str(member(res, "before"), key), before);
	ck_assert_str_eq(json_str(member(res, "after"), key), after);
}

static void
assert_failed(const struct reply *r, int i, const char *id, const char *code)
{
	const cJSON	*res = result_at(r, i), *e = member(res, "error");

	ck_assert_str_eq(json_str(res, "account_id"), id);
	ck_assert_str_eq(json_str(res, "outcome"), "failed");
	ck_assert_str_eq(json_str(e, "code"), code);
	ck_assert_ptr_nonnull(json_str(e, "message"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(res, "after"));
}

START_TEST(test_bulk_suspend_and_activate)
{
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], b[UUID_LEN + 1];

	unique_slug(tag, sizeof(tag), "sus");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	bulk(&r, BULK, "{\"action\":\"suspend\",\"account_ids\":[\"%s\","
	    "\"%s\"]}", a, b);
	assert_counts(&r, 2, 0, 0);
	ck_assert_str_eq(json_str(r.json, "action"), "suspend");
	ck_assert(cJSON_IsFalse(member(r.json, "dry_run")));
	assert_result(&r, 0, a, "changed", "status", "active", "suspended");
	assert_result(&r, 1, b, "changed", "status", "active", "suspended");
	reply_free(&r);
	ck_assert_str_eq(status_of_account(a), "suspended");
	ck_assert_str_eq(status_of_account(b), "suspended");
	ck_assert_int_eq(events(a, "account.suspend"), 1);
	ck_assert_int_eq(events(b, "account.suspend"), 1);

	bulk(&r, BULK, "{\"action\":\"activate\",\"account_ids\":[\"%s\","
	    "\"%s\"],\"dry_run\":false}", b, a);
	assert_counts(&r, 2, 0, 0);
	assert_result(&r, 0, b, "changed", "status", "suspended", "active");
	assert_result(&r, 1, a, "changed", "status", "suspended", "active");
	reply_free(&r);
	ck_assert_str_eq(status_of_account(a), "active");
	ck_assert_int_eq(events(a, "account.activate"), 1);
	ck_assert_int_eq(events(b, "account.activate"), 1);
	ck_assert_int_eq(events_after_create(a), 2);
}
END_TEST

/*
 * The partial failure: real, unknown and already suspended accounts in
 * one request. The real ones change, the others are reported, and only
 * the changed accounts get an event, one each.
 */
START_TEST(test_bulk_partial_failure)
{
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], b[UUID_LEN + 1];
	char		 c[UUID_LEN + 1];
	const char	*nobody = "7b0c7a64-1f4e-4c1b-9a55-2f0d3c0e9e11";

	unique_slug(tag, sizeof(tag), "part");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	account_new(tag, "c", c);
	status_set(c, "suspended");
	bulk(&r, BULK, "{\"action\":\"suspend\",\"account_ids\":[\"%s\","
	    "\"%s\",\"%s\",\"%s\"],\"dry_run\":false}", a, nobody, c, b);
	assert_counts(&r, 2, 1, 1);
	assert_result(&r, 0, a, "changed", "status", "active", "suspended");
	assert_failed(&r, 1, nobody, "not_found");
	assert_result(&r, 2, c, "unchanged", "status", "suspended",
	    "suspended");
	assert_result(&r, 3, b, "changed", "status", "active", "suspended");
	reply_free(&r);
	ck_assert_str_eq(status_of_account(a), "suspended");
	ck_assert_str_eq(status_of_account(b), "suspended");
	ck_assert_int_eq(events_after_create(a), 1);
	ck_assert_int_eq(events_after_create(b), 1);
	ck_assert_int_eq(events(a, "account.suspend"), 1);
	ck_assert_int_eq(events_after_create(c), 0);
	ck_assert_int_eq(count_where("audit_events", "target_id = '%s'",
	    nobody), 0);
}
END_TEST

/* A dry run answers what would happen and writes nothing at all. */
START_TEST(test_bulk_dry_run_writes_nothing)
{
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], b[UUID_LEN + 1], plan[64];
	const char	*nobody = "5d6e4c1a-8b2f-4e3d-a1c0-9f8e7d6c5b4a";

	unique_slug(tag, sizeof(tag), "dry");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	status_set(b, "suspended");
	plan_new(plan, sizeof(plan), "active");

	bulk(&r, BULK, "{\"action\":\"suspend\",\"dry_run\":true,"
	    "\"account_ids\":[\"%s\",\"%s\",\"%s\"]}", a, b, nobody);
	assert_counts(&r, 1, 1, 1);
	ck_assert(cJSON_IsTrue(member(r.json, "dry_run")));
	assert_result(&r, 0, a, "would_change", "status", "active",
	    "suspended");
	assert_result(&r, 1, b, "unchanged", "status", "suspended",
	    "suspended");
	assert_failed(&r, 2, nobody, "not_found");
	reply_free(&r);
	ck_assert_str_eq(status_of_account(a), "active");

	bulk(&r, BULK, "{\"action\":\"change_plan\",\"plan\":\"%s\","
	    "\"dry_run\":true,\"account_ids\":[\"%s\"]}", plan, a);
	assert_counts(&r, 1, 0, 0);
	assert_result(&r, 0, a, "would_change", NULL, NULL, NULL);
	ck_assert_str_eq(json_str(member(member(result_at(&r, 0), "after"),
	    "plan"), "slug"), plan);
	reply_free(&r);
	ck_assert_int_eq(count_where("account_subscriptions s JOIN plans p ON "
	    "p.id = s.plan_id", "s.account_id = '%s' AND p.slug = '%s'", a,
	    plan), 0);

	bulk(&r, BULK, "{\"action\":\"grant_credits\",\"credits\":\"5\","
	    "\"dry_run\":true,\"account_ids\":[\"%s\",\"%s\"]}", a, b);
	assert_counts(&r, 2, 0, 0);
	assert_result(&r, 0, a, "would_change", "credits_granted", "0", "5");
	reply_free(&r);
	ck_assert_int_eq(count_where("credit_grants", "account_id IN ('%s', "
	    "'%s')", a, b), 0);

	ck_assert_int_eq(events_after_create(a), 0);
	ck_assert_int_eq(events_after_create(b), 0);
}
END_TEST

START_TEST(test_bulk_change_plan)
{
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], plan[64], retired[64];
	const char	*nobody = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
	const cJSON	*after;

	unique_slug(tag, sizeof(tag), "plan");
	account_new(tag, "a", a);
	plan_new(plan, sizeof(plan), "active");
	plan_new(retired, sizeof(retired), "retired");

	bulk(&r, BULK, "{\"action\":\"change_plan\",\"plan\":\"%s\","
	    "\"account_ids\":[\"%s\",\"%s\"]}", plan, nobody, a);
	assert_counts(&r, 1, 0, 1);
	assert_failed(&r, 0, nobody, "not_found");
	assert_result(&r, 1, a, "changed", NULL, NULL, NULL);
	ck_assert_ptr_nonnull(member(result_at(&r, 1), "before"));
	after = member(member(result_at(&r, 1), "after"), "plan");
	ck_assert_str_eq(json_str(after, "slug"), plan);
	ck_assert(is_uuid(json_str(after, "id")));
	reply_free(&r);
	ck_assert_int_eq(count_where("account_subscriptions s JOIN plans p ON "
	    "p.id = s.plan_id", "s.account_id = '%s' AND p.slug = '%s'", a,
	    plan), 1);
	ck_assert_int_eq(events(a, "account.plan.change"), 1);

	/* Again: already on it. */
	bulk(&r, BULK, "{\"action\":\"change_plan\",\"plan\":\"%s\","
	    "\"account_ids\":[\"%s\"]}", plan, a);
	assert_counts(&r, 0, 1, 0);
	assert_result(&r, 0, a, "unchanged", NULL, NULL, NULL);
	reply_free(&r);
	ck_assert_int_eq(events(a, "account.plan.change"), 1);

	/* A retired or unknown plan refuses the whole request. */
	bulk(&r, BULK, "{\"action\":\"change_plan\",\"plan\":\"%s\","
	    "\"account_ids\":[\"%s\"]}", retired, a);
	assert_error(&r, 422, "invalid_field", "plan");
	reply_free(&r);
	bulk(&r, BULK, "{\"action\":\"change_plan\",\"plan\":\"%s-gone\","
	    "\"account_ids\":[\"%s\"]}", plan, a);
	assert_error(&r, 422, "invalid_field", "plan");
	reply_free(&r);
	ck_assert_int_eq(count_where("account_subscriptions s JOIN plans p ON "
	    "p.id = s.plan_id", "s.account_id = '%s' AND p.slug = '%s'", a,
	    plan), 1);
	ck_assert_int_eq(events_after_create(a), 1);
}
END_TEST

START_TEST(test_bulk_grant_credits)
{
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], b[UUID_LEN + 1];
	char		 rid[128];

	unique_slug(tag, sizeof(tag), "grant");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	bulk(&r, BULK, "{\"action\":\"grant_credits\",\"credits\":\"12.5\","
	    "\"reason\":\"welcome\",\"account_ids\":[\"%s\",\"%s\"]}", a, b);
	assert_counts(&r, 2, 0, 0);
	assert_result(&r, 0, a, "changed", "credits_granted", "0", "12.5");
	assert_result(&r, 1, b, "changed", "credits_granted", "0", "12.5");
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", rid, sizeof(rid)),
	    0);
	reply_free(&r);
	ck_assert_int_eq(count_where("credit_grants g JOIN credit_pools p ON "
	    "p.id = g.pool_id", "g.account_id = '%s' AND p.scope_type = "
	    "'unallocated' AND g.micro_credits = 12500000 AND g.reason = "
	    "'welcome' AND g.granted_by <> '' AND g.request_id = '%s'", a,
	    rid), 1);
	ck_assert_int_eq(events(a, "credits.grant"), 1);
	ck_assert_int_eq(events(b, "credits.grant"), 1);
	ck_assert_int_eq(count_where("audit_events e JOIN credit_grants g ON "
	    "g.id::text = e.target_id", "e.account_id = '%s' AND e.action = "
	    "'credits.grant' AND e.target_type = 'credit_grant' AND "
	    "g.account_id = '%s'", a, a), 1);

	bulk(&r, BULK, "{\"action\":\"grant_credits\",\"credits\":\"0.000001\","
	    "\"account_ids\":[\"%s\"]}", a);
	assert_counts(&r, 1, 0, 0);
	assert_result(&r, 0, a, "changed", "credits_granted", "12.5",
	    "12.500001");
	reply_free(&r);
	ck_assert_int_eq(count_where("credit_grants", "account_id = '%s' AND "
	    "reason = ''", a), 1);
	ck_assert_int_eq(events(a, "credits.grant"), 2);
}
END_TEST

/* A grant past what the platform counts fails that account alone. */
START_TEST(test_bulk_grant_overflow_fails_one_account)
{
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], b[UUID_LEN + 1];

	unique_slug(tag, sizeof(tag), "over");
	account_new(tag, "a", a);
	account_new(tag, "b", b);
	credits_row(b, 9223372036854000000LL, 0);
	bulk(&r, BULK, "{\"action\":\"grant_credits\",\"credits\":\"1\","
	    "\"account_ids\":[\"%s\",\"%s\"]}", a, b);
	assert_counts(&r, 1, 0, 1);
	assert_result(&r, 0, a, "changed", "credits_granted", "0", "1");
	assert_failed(&r, 1, b, "credits_overflow");
	reply_free(&r);
	ck_assert_int_eq(count_where("credit_grants", "account_id = '%s'", b),
	    1);
	ck_assert_int_eq(events_after_create(b), 0);
	ck_assert_int_eq(events(a, "credits.grant"), 1);
}
END_TEST

/* The most ids a request takes, in a dry run: each answered. */
START_TEST(test_bulk_five_hundred_accounts)
{
	struct buf	 body = { 0 };
	struct reply	 r;
	int		 i;

	ck_assert_int_eq(buf_puts(&body, "{\"action\":\"activate\","
	    "\"dry_run\":true,\"account_ids\":["), 0);
	for (i = 0; i < 500; i++)
		ck_assert_int_eq(buf_printf(&body, "%s\"%08x-0000-4000-8000-"
		    "%012x\"", i == 0 ? "" : ",", 0xfeed0000u + (unsigned)i,
		    (unsigned)i), 0);
	ck_assert_int_eq(buf_puts(&body, "]}"), 0);
	api_post_json(&r, BULK, body.data);
	assert_counts(&r, 0, 0, 500);
	assert_failed(&r, 499, "feed01f3-0000-4000-8000-0000000001f3",
	    "not_found");
	reply_free(&r);
	buf_free(&body);
}
END_TEST

/* Each refused body: the error, and the account untouched. */
static void
bulk_refused(const char *a, const char *body, long status, const char *code,
    const char *field)
{
	struct reply	 r;

	api_post_json(&r, BULK, body);
	assert_error(&r, status, code, field);
	reply_free(&r);
	ck_assert_str_eq(status_of_account(a), "active");
	ck_assert_int_eq(events_after_create(a), 0);
	ck_assert_int_eq(count_where("credit_grants", "account_id = '%s'", a),
	    0);
}

START_TEST(test_bulk_refuses_bad_bodies)
{
	struct buf	 many = { 0 };
	char		 tag[64], a[UUID_LEN + 1], up[UUID_LEN + 1], b[4096];
	char		 plan[64], reason[600];
	size_t		 i;
	int		 k;

	unique_slug(tag, sizeof(tag), "bad");
	account_new(tag, "a", a);
	plan_new(plan, sizeof(plan), "active");
#define REFUSE(status, code, field, ...) do { \
	(void)snprintf(b, sizeof(b), __VA_ARGS__); \
	bulk_refused(a, b, status, code, field); \
} while (0)
	REFUSE(400, "unknown_field", "id", "{\"action\":\"suspend\","
	    "\"account_ids\":[\"%s\"],\"id\":\"x\"}", a);
	REFUSE(422, "invalid_field", "action", "{\"action\":\"delete\","
	    "\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "action", "{\"account_ids\":[\"%s\"]}",
	    a);
	REFUSE(422, "invalid_field", "action", "{\"action\":1,"
	    "\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "account_ids", "{\"action\":\"suspend\"}");
	REFUSE(422, "invalid_field", "account_ids", "{\"action\":\"suspend\","
	    "\"account_ids\":[]}");
	REFUSE(422, "invalid_field", "account_ids", "{\"action\":\"suspend\","
	    "\"account_ids\":\"%s\"}", a);
	REFUSE(422, "invalid_field", "account_ids[1]", "{\"action\":"
	    "\"suspend\",\"account_ids\":[\"%s\",\"not-an-id\"]}", a);
	REFUSE(422, "invalid_field", "account_ids[1]", "{\"action\":"
	    "\"suspend\",\"account_ids\":[\"%s\",7]}", a);
	(void)snprintf(up, sizeof(up), "%s", a);
	for (i = 0; up[i] != '\0'; i++)
		if (up[i] >= 'a' && up[i] <= 'f')
			up[i] = (char)(up[i] - 'a' + 'A');
	REFUSE(422, "invalid_field", "account_ids[1]", "{\"action\":"
	    "\"suspend\",\"account_ids\":[\"%s\",\"%s\"]}", a, up);
	REFUSE(422, "invalid_field", "plan", "{\"action\":\"suspend\","
	    "\"plan\":\"%s\",\"account_ids\":[\"%s\"]}", plan, a);
	REFUSE(422, "invalid_field", "plan", "{\"action\":\"change_plan\","
	    "\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "plan", "{\"action\":\"change_plan\","
	    "\"plan\":\"Not A Slug\",\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "credits", "{\"action\":"
	    "\"grant_credits\",\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "credits", "{\"action\":"
	    "\"grant_credits\",\"credits\":\"0\",\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "credits", "{\"action\":"
	    "\"grant_credits\",\"credits\":5,\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "credits", "{\"action\":"
	    "\"grant_credits\",\"credits\":\"1.0000001\",\"account_ids\":"
	    "[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "credits", "{\"action\":"
	    "\"grant_credits\",\"credits\":\"-1\",\"account_ids\":[\"%s\"]}",
	    a);
	REFUSE(422, "invalid_field", "credits", "{\"action\":\"activate\","
	    "\"credits\":\"1\",\"account_ids\":[\"%s\"]}", a);
	REFUSE(422, "invalid_field", "reason", "{\"action\":\"suspend\","
	    "\"reason\":\"why\",\"account_ids\":[\"%s\"]}", a);
	memset(reason, 'x', 501);
	reason[501] = '\0';
	REFUSE(422, "invalid_field", "reason", "{\"action\":"
	    "\"grant_credits\",\"credits\":\"1\",\"reason\":\"%s\","
	    "\"account_ids\":[\"%s\"]}", reason, a);
	REFUSE(422, "invalid_field", "dry_run", "{\"action\":\"suspend\","
	    "\"dry_run\":\"yes\",\"account_ids\":[\"%s\"]}", a);
#undef REFUSE
	/* 501 ids, the first of them real. */
	ck_assert_int_eq(buf_printf(&many, "{\"action\":\"suspend\","
	    "\"account_ids\":[\"%s\"", a), 0);
	for (k = 1; k < 501; k++)
		ck_assert_int_eq(buf_printf(&many, ",\"%08x-0000-4000-8000-"
		    "%012x\"", 0xbad00000u + (unsigned)k, (unsigned)k), 0);
	ck_assert_int_eq(buf_puts(&many, "]}"), 0);
	bulk_refused(a, many.data, 422, "invalid_field", "account_ids");
	buf_free(&many);
}
END_TEST

/* Only super admins: 401 without credentials, 403 for anyone else. */
START_TEST(test_only_super_admins)
{
	static const char *const paths[] = {
		SUMMARY, BULK, "/copilot/super-admin/summary",
		"/copilot/super-admin/bulk-actions"
	};
	struct reply	 r;
	char		 tag[64], a[UUID_LEN + 1], org[96], email[160];
	char		 body[256], keypath[128], *who[3];
	size_t		 i, k;

	unique_slug(tag, sizeof(tag), "role");
	account_new(tag, "a", a);
	(void)snprintf(org, sizeof(org), "org-%s", tag);
	account_set_org(a, org);
	(void)snprintf(email, sizeof(email), "admin@%s.test", tag);
	who[0] = user_token(AS_ACCOUNT_ADMIN, org, email);
	(void)snprintf(email, sizeof(email), "user@%s.test", tag);
	who[1] = user_token(AS_END_USER, org, email);
	(void)snprintf(keypath, sizeof(keypath), "/v1/accounts/%s/api-keys",
	    a);
	api_post_json(&r, keypath, "{\"name\":\"bulk\"}");
	ck_assert_int_eq(r.status, 201);
	ck_assert_ptr_nonnull(who[2] = strdup(json_str(r.json, "key")));
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"action\":\"suspend\","
	    "\"account_ids\":[\"%s\"]}", a);
	for (i = 0; i < 4; i++) {
		const char	*m = i % 2 == 0 ? "GET" : "POST";
		const char	*json = i % 2 == 0 ? NULL : body;

		for (k = 0; k < 3; k++) {
			ck_assert_int_eq(api_as(&r, who[k], m, paths[i], json),
			    0);
			assert_error(&r, 403, "forbidden", NULL);
			reply_free(&r);
		}
		ck_assert_int_eq(http(&r, m, paths[i], json != NULL ?
		    "application/json" : NULL, json, json != NULL ?
		    strlen(json) : 0, AUTH_NONE), 0);
		assert_error(&r, 401, "unauthorized", NULL);
		reply_free(&r);
	}
	ck_assert_str_eq(status_of_account(a), "active");
	ck_assert_int_eq(events(a, "account.suspend"), 0);
	for (k = 0; k < 3; k++)
		free(who[k]);

	/* A super admin's token is let through, and is the actor. */
	(void)snprintf(email, sizeof(email), "super@%s.test", tag);
	who[0] = user_token(AS_SUPER_ADMIN, NULL, email);
	ck_assert_int_eq(api_as(&r, who[0], "POST", BULK, body), 0);
	assert_counts(&r, 1, 0, 0);
	reply_free(&r);
	ck_assert_int_eq(count_where("audit_events", "account_id = '%s' AND "
	    "action = 'account.suspend' AND actor = '%s' AND actor_role = "
	    "'super_admin'", a, email), 1);
	free(who[0]);
}
END_TEST

/* /copilot/super-admin/ answers as /v1/super-admin/ does. */
START_TEST(test_copilot_alias)
{
	struct reply	 v1, old;
	char		 tag[64], q[256], a[UUID_LEN + 1];

	unique_slug(tag, sizeof(tag), "alias");
	account_new(tag, "a", a);
	credits_row(a, 7000000, 0);
	(void)snprintf(q, sizeof(q), SUMMARY "?q=%s", tag);
	api_get(&v1, q);
	(void)snprintf(q, sizeof(q), "/copilot/super-admin/summary?q=%s", tag);
	api_get(&old, q);
	ck_assert_int_eq(v1.status, 200);
	ck_assert_int_eq(old.status, 200);
	ck_assert_msg(cJSON_Compare(v1.json, old.json, 1), "%s <> %s",
	    v1.body.data, old.body.data);
	assert_totals(&old, 1, 1, 0, 0, "7", "0");
	reply_free(&v1);
	reply_free(&old);

	bulk(&old, "/copilot/super-admin/bulk-actions", "{\"action\":"
	    "\"suspend\",\"account_ids\":[\"%s\"]}", a);
	assert_counts(&old, 1, 0, 0);
	assert_result(&old, 0, a, "changed", "status", "active", "suspended");
	reply_free(&old);
	ck_assert_str_eq(status_of_account(a), "suspended");
	ck_assert_int_eq(events(a, "account.suspend"), 1);
	bulk(&old, "/copilot/super-admin/bulk-actions", "{\"action\":"
	    "\"suspend\",\"x\":1,\"account_ids\":[\"%s\"]}", a);
	assert_error(&old, 400, "unknown_field", "x");
	reply_free(&old);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("superadmin");
	TCase	*sum = tcase_create("summary");
	TCase	*bk = tcase_create("bulk");

	tcase_add_test(sum, test_summary_counts_what_is_there);
	tcase_add_test(sum, test_summary_counts_usage_once_and_alerts);
	tcase_add_test(sum, test_summary_totals_past_64_bits);
	tcase_add_test(sum, test_summary_pages);
	tcase_add_test(sum, test_summary_bad_parameters);
	tcase_add_test(bk, test_bulk_suspend_and_activate);
	tcase_add_test(bk, test_bulk_partial_failure);
	tcase_add_test(bk, test_bulk_dry_run_writes_nothing);
	tcase_add_test(bk, test_bulk_change_plan);
	tcase_add_test(bk, test_bulk_grant_credits);
	tcase_add_test(bk, test_bulk_grant_overflow_fails_one_account);
	tcase_add_test(bk, test_bulk_five_hundred_accounts);
	tcase_add_test(bk, test_bulk_refuses_bad_bodies);
	tcase_add_test(bk, test_only_super_admins);
	tcase_add_test(bk, test_copilot_alias);
	suite_add_tcase(s, sum);
	suite_add_tcase(s, bk);
	return harness_run(s);
}
