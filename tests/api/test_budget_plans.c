/*
 * Budget Plans (budgets.fcgi, /v1/budgets/copilot/plans): made by an
 * account's admins, the newest the active one, ending the one before;
 * listed newest first in pages; looked at one by one and as the active
 * plan with its current period; changed field by field, a new cycle or
 * anchor restarting the current period and refused for a plan that has
 * ended. Bad bodies are refused naming the field and change nothing;
 * another account's plans are invisible; end users are refused, super
 * admins must name the account. The periods themselves are proved on
 * cockpit_period(), the pure function every period comes from, so that
 * renewal needs no job: each instant has its period, computed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PLANS		"/v1/budgets/copilot/plans"
#define RACERS		8
#define TS_LEN		27	/* 2026-11-23T10:00:00.123456Z */

/* Runs sql as the owner; its one text value into out (len bytes). */
static void
db_text(const char *sql, char *out, size_t len)
{
	PGconn		*c = db_owner();
	PGresult	*res = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	(void)snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
}

/* Whether sql (one boolean) is true, asked as the owner. */
static int
db_true(const char *sql)
{
	char	 v[8];

	db_text(sql, v, sizeof(v));
	return strcmp(v, "t") == 0;
}

/* A new account, mapped to the identity provider's organisation org. */
static void
fresh(char *id, char *slug, size_t len, char *org, size_t olen)
{
	unique_slug(slug, len, "bp");
	create_account("Budget plans", slug, id);
	(void)snprintf(org, olen, "org-%s", slug);
	account_set_org(id, org);
}

static void
plan_path(char *out, size_t len, const char *id)
{
	int	 w;

	w = snprintf(out, len, PLANS "/%s", id);
	ck_assert(w > 0 && (size_t)w < len);
}

/* Copies member name of obj (a string) into out. */
static void
copy_str(const cJSON *obj, const char *name, char *out, size_t len)
{
	const char	*s = json_str(obj, name);

	ck_assert_msg(s != NULL, "no %s", name);
	(void)snprintf(out, len, "%s", s);
}

static int
json_bool(const cJSON *obj, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);

	ck_assert_msg(cJSON_IsBool(v), "%s is not a boolean", name);
	return cJSON_IsTrue(v);
}

/* alert_thresholds of a plan as "80,100". */
static void
thresholds_text(const cJSON *plan, char *out, size_t len)
{
	const cJSON	*list, *item;
	size_t		 used = 0;

	list = cJSON_GetObjectItemCaseSensitive(plan, "alert_thresholds");
	ck_assert(cJSON_IsArray(list));
	out[0] = '\0';
	cJSON_ArrayForEach(item, list) {
		ck_assert(cJSON_IsNumber(item));
		used += (size_t)snprintf(out + used, len - used, "%s%d",
		    used > 0 ? "," : "", item->valueint);
		ck_assert(used < len);
	}
}

/* Every member of a plan, in its shape. */
static void
assert_plan(const cJSON *p)
{
	static const char *const times[] = {
		"anchor", "cycle_from", "created_at", "updated_at"
	};
	const cJSON	*until;
	size_t		 i;

	ck_assert(cJSON_IsObject(p));
	ck_assert_int_eq(cJSON_GetArraySize(p), 11);
	ck_assert(is_uuid(json_str(p, "id")));
	ck_assert_ptr_nonnull(json_str(p, "name"));
	ck_assert_ptr_nonnull(json_str(p, "cycle"));
	ck_assert_ptr_nonnull(json_str(p, "created_by"));
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		ck_assert_msg(is_timestamp(json_str(p, times[i])), "%s: %s",
		    times[i], json_str(p, times[i]));
	until = cJSON_GetObjectItemCaseSensitive(p, "active_until");
	if (json_bool(p, "active"))
		ck_assert(cJSON_IsNull(until));
	else
		ck_assert(is_timestamp(json_str(p, "active_until")));
}

/* POSTs body in the account: 201, the plan's id into id (may be NULL). */
static void
create(const char *account, const char *body, char *id)
{
	struct reply	 r;
	char		 loc[160], want[160];

	api_in_account(&r, account, "POST", PLANS, body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	assert_plan(r.json);
	ck_assert(json_bool(r.json, "active"));
	plan_path(want, sizeof(want), json_str(r.json, "id"));
	ck_assert_int_eq(reply_header(&r, "Location", loc, sizeof(loc)), 0);
	ck_assert_str_eq(loc, want);
	if (id != NULL)
		copy_str(r.json, "id", id, UUID_LEN + 1);
	reply_free(&r);
}

/* GETs plans/active in the account: 200, r holds it. */
static void
active(struct reply *r, const char *account)
{
	api_in_account(r, account, "GET", PLANS "/active", NULL);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body.data);
	ck_assert_int_eq(cJSON_GetArraySize(r->json), 2);
}

static const cJSON *
member(const cJSON *obj, const char *name)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(obj, name);

	ck_assert_msg(m != NULL, "no %s", name);
	return m;
}

/* The account's plans and its budget events, as one text. */
static void
state(const char *account, char *out, size_t len)
{
	char	 sql[600];

	(void)snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT md5(string_agg("
	    "row_to_json(p)::text, ',' ORDER BY p.id)) FROM budget_plans p "
	    "WHERE p.account_id = '%s'), '-') || '/' || (SELECT count(*) "
	    "FROM audit_events WHERE account_id = '%s' AND action LIKE "
	    "'budget.%%')", account, account);
	db_text(sql, out, len);
}

/* Made with the defaults: active, thresholds 80 and 100, audited. */
START_TEST(test_create_active)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
			 th[64], path[128], sql[600];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	active(&r, a);
	ck_assert(cJSON_IsNull(member(r.json, "plan")));
	reply_free(&r);

	api_in_account(&r, a, "POST", PLANS,
	    "{\"name\":\"Monthly\",\"cycle\":\"monthly\"}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	assert_plan(r.json);
	copy_str(r.json, "id", id, sizeof(id));
	ck_assert_str_eq(json_str(r.json, "name"), "Monthly");
	ck_assert_str_eq(json_str(r.json, "cycle"), "monthly");
	ck_assert(json_bool(r.json, "active"));
	thresholds_text(r.json, th, sizeof(th));
	ck_assert_str_eq(th, "80,100");
	ck_assert_str_eq(json_str(r.json, "cycle_from"),
	    json_str(r.json, "created_at"));
	ck_assert_str_eq(json_str(r.json, "created_by"), "master_key");
	reply_free(&r);
	plan_path(path, sizeof(path), id);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s' AND id = "
	    "'%s' AND active_until IS NULL AND alert_thresholds = '{80,100}'",
	    a, id), 1);
	/* The default anchor: the start of the month it was made in (UTC). */
	(void)snprintf(sql, sizeof(sql), "SELECT anchor = date_trunc('month', "
	    "cycle_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM "
	    "budget_plans WHERE id = '%s'", id);
	ck_assert(db_true(sql));
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'budget.plan.create' AND target_id = '%s' AND before_digest IS "
	    "NULL AND after_digest IS NOT NULL", a, id), 1);

	active(&r, a);
	ck_assert_str_eq(json_str(member(r.json, "plan"), "id"), id);
	ck_assert_str_eq(json_str(member(r.json, "period"), "start"),
	    json_str(member(r.json, "plan"), "cycle_from"));
	/* Its period ends at the next month's start. */
	(void)snprintf(sql, sizeof(sql), "SELECT '%s'::timestamptz = "
	    "(date_trunc('month', cycle_from AT TIME ZONE 'UTC') + "
	    "interval '1 month') AT TIME ZONE 'UTC' FROM budget_plans "
	    "WHERE id = '%s'", json_str(member(r.json, "period"), "end"), id);
	ck_assert(db_true(sql));
	reply_free(&r);
}
END_TEST

/* Each cycle's default anchor: the start of its UTC day, week, month. */
START_TEST(test_default_anchors)
{
	static const char *const cycles[][2] = {
		{ "daily", "day" }, { "weekly", "week" },
		{ "monthly", "month" }, { "none", "day" },
	};
	char		 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
			 body[128], sql[600];
	size_t		 i;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	for (i = 0; i < sizeof(cycles) / sizeof(cycles[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"name\":\"%s\","
		    "\"cycle\":\"%s\"}", cycles[i][0], cycles[i][0]);
		create(a, body, id);
		(void)snprintf(sql, sizeof(sql), "SELECT anchor = date_trunc("
		    "'%s', cycle_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' "
		    "AND cycle = '%s' FROM budget_plans WHERE id = '%s'",
		    cycles[i][1], cycles[i][0], id);
		ck_assert_msg(db_true(sql), "%s", cycles[i][0]);
	}
	/* A week starts on a Monday. */
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s' AND cycle = "
	    "'weekly' AND extract(isodow FROM anchor AT TIME ZONE 'UTC') = 1 "
	    "AND (anchor AT TIME ZONE 'UTC')::time = '00:00'", a), 1);
}
END_TEST

/* Everything given: kept as given. */
START_TEST(test_create_given)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], th[64];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	api_in_account(&r, a, "POST", PLANS, "{\"name\":\"Leap\",\"cycle\":"
	    "\"weekly\",\"anchor\":\"2028-02-29T06:30:00.5Z\","
	    "\"alert_thresholds\":[1,50,99,100]}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "anchor"),
	    "2028-02-29T06:30:00.500000Z");
	thresholds_text(r.json, th, sizeof(th));
	ck_assert_str_eq(th, "1,50,99,100");
	reply_free(&r);
	api_in_account(&r, a, "POST", PLANS, "{\"name\":\"Ten\",\"cycle\":"
	    "\"none\",\"anchor\":\"1970-01-01T00:00:00Z\","
	    "\"alert_thresholds\":[10,20,30,40,50,60,70,80,90,100]}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	thresholds_text(r.json, th, sizeof(th));
	ck_assert_str_eq(th, "10,20,30,40,50,60,70,80,90,100");
	reply_free(&r);
}
END_TEST

/* A second plan ends the first, at the moment the second begins. */
START_TEST(test_second_ends_first)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], first[UUID_LEN + 1],
			 second[UUID_LEN + 1], path[128], from[TS_LEN + 1];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"One\",\"cycle\":\"daily\"}", first);
	api_in_account(&r, a, "POST", PLANS,
	    "{\"name\":\"Two\",\"cycle\":\"weekly\"}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	copy_str(r.json, "id", second, sizeof(second));
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);

	plan_path(path, sizeof(path), first);
	api_in_account(&r, a, "GET", path, NULL);
	ck_assert_int_eq(r.status, 200);
	assert_plan(r.json);
	ck_assert(!json_bool(r.json, "active"));
	ck_assert_str_eq(json_str(r.json, "active_until"), from);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s'", a), 2);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s' AND "
	    "active_until IS NULL AND id = '%s'", a, second), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'budget.plan.end' AND target_id = '%s' AND before_digest <> "
	    "after_digest", a, first), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'budget.plan.create'", a), 2);

	/* The new plan's period starts when it was made. */
	active(&r, a);
	ck_assert_str_eq(json_str(member(r.json, "plan"), "id"), second);
	ck_assert_str_eq(json_str(member(r.json, "period"), "start"), from);
	reply_free(&r);
}
END_TEST

struct racer {
	pthread_t	 t;
	const char	*account;
	char		 body[96];
	long		 status;
};

static void *
race(void *arg)
{
	struct racer	*w = arg;
	struct reply	 r;

	api_in_account(&r, w->account, "POST", PLANS, w->body);
	w->status = r.status;
	reply_free(&r);
	return NULL;
}

/* Plans made at once: each is made, each ends the one before, one stays. */
START_TEST(test_concurrent_creates)
{
	struct racer	 w[RACERS];
	char		 a[UUID_LEN + 1], slug[64], org[96];
	int		 i;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	for (i = 0; i < RACERS; i++) {
		w[i].account = a;
		(void)snprintf(w[i].body, sizeof(w[i].body), "{\"name\":"
		    "\"Racer %d\",\"cycle\":\"daily\"}", i);
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, race, &w[i]),
		    0);
	}
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
		ck_assert_int_eq(w[i].status, 201);
	}
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s'", a), RACERS);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s' AND "
	    "active_until IS NULL", a), 1);
	/* Every plan but the last ended as the next one began. */
	ck_assert_int_eq(db_count_where("budget_plans p", "account_id = '%s' AND "
	    "active_until IS NOT NULL AND EXISTS (SELECT 1 FROM budget_plans "
	    "q WHERE q.account_id = p.account_id AND q.cycle_from = "
	    "p.active_until)", a), RACERS - 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'budget.plan.end'", a), RACERS - 1);
}
END_TEST

/* Pages of plans, newest first; ?q= finds by name. */
START_TEST(test_list_pages)
{
	struct reply	 r;
	const cJSON	*items;
	char		 a[UUID_LEN + 1], slug[64], org[96], id[3][UUID_LEN + 1],
			 path[512], cursor[256];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"Alpha\",\"cycle\":\"daily\"}", id[0]);
	create(a, "{\"name\":\"Beta\",\"cycle\":\"weekly\"}", id[1]);
	create(a, "{\"name\":\"Gamma\",\"cycle\":\"monthly\"}", id[2]);

	api_in_account(&r, a, "GET", PLANS "?limit=2", NULL);
	ck_assert_int_eq(r.status, 200);
	items = json_items(&r);
	ck_assert_int_eq(cJSON_GetArraySize(items), 2);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 0), "id"), id[2]);
	ck_assert(json_bool(cJSON_GetArrayItem(items, 0), "active"));
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 1), "id"), id[1]);
	ck_assert(!json_bool(cJSON_GetArrayItem(items, 1), "active"));
	assert_plan(cJSON_GetArrayItem(items, 1));
	copy_str(r.json, "next_cursor", cursor, sizeof(cursor));
	reply_free(&r);

	(void)snprintf(path, sizeof(path), PLANS "?limit=2&cursor=%s", cursor);
	api_in_account(&r, a, "GET", path, NULL);
	ck_assert_int_eq(r.status, 200);
	items = json_items(&r);
	ck_assert_int_eq(cJSON_GetArraySize(items), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 0), "id"), id[0]);
	ck_assert(!json_bool(cJSON_GetArrayItem(items, 0), "active"));
	ck_assert(cJSON_IsNull(member(r.json, "next_cursor")));
	reply_free(&r);

	api_in_account(&r, a, "GET", PLANS "?q=ET", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "id"), id[1]);
	reply_free(&r);

	api_in_account(&r, a, "GET", PLANS "?limit=0", NULL);
	assert_error(&r, 400, "invalid_parameter", "limit");
	reply_free(&r);
	api_in_account(&r, a, "GET", PLANS "?cursor=nope", NULL);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	api_in_account(&r, a, "GET", PLANS "?account_id=x", NULL);
	assert_error(&r, 400, "unknown_parameter", "account_id");
	reply_free(&r);
}
END_TEST

/* One plan, as it was made; unknown ids are 404. */
START_TEST(test_get)
{
	struct reply	 r, g;
	char		 a[UUID_LEN + 1], slug[64], org[96], path[128];
	char		*made, *got;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	api_in_account(&r, a, "POST", PLANS, "{\"name\":\"Solo\",\"cycle\":"
	    "\"monthly\",\"anchor\":\"2026-01-31T00:00:00Z\"}");
	ck_assert_int_eq(r.status, 201);
	plan_path(path, sizeof(path), json_str(r.json, "id"));
	api_in_account(&g, a, "GET", path, NULL);
	ck_assert_int_eq(g.status, 200);
	made = cJSON_PrintUnformatted(r.json);
	got = cJSON_PrintUnformatted(g.json);
	ck_assert_str_eq(made, got);
	cJSON_free(made);
	cJSON_free(got);
	reply_free(&r);
	reply_free(&g);

	api_in_account(&r, a, "GET", PLANS "/" NIL_ID, NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	api_in_account(&r, a, "GET", PLANS "/not-an-id", NULL);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
}
END_TEST

/* PATCHes body into path: 200, r holds the plan. */
static void
patch(struct reply *r, const char *account, const char *path,
    const char *body)
{
	api_in_account(r, account, "PATCH", path, body);
	ck_assert_msg(r->status == 200, "%s: %ld %s", body, r->status,
	    r->body.data);
	assert_plan(r->json);
}

/*
 * Each field changes alone; a name or thresholds keep the period, a new
 * cycle or anchor restarts it from the change; each change audited.
 */
START_TEST(test_patch_fields)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
			 path[128], from[TS_LEN + 1], th[64];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"Before\",\"cycle\":\"daily\"}", id);
	plan_path(path, sizeof(path), id);
	api_in_account(&r, a, "GET", path, NULL);
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);

	patch(&r, a, path, "{\"name\":\"After\"}");
	ck_assert_str_eq(json_str(r.json, "name"), "After");
	ck_assert_str_eq(json_str(r.json, "cycle"), "daily");
	ck_assert_str_eq(json_str(r.json, "cycle_from"), from);
	ck_assert_str_ne(json_str(r.json, "updated_at"), from);
	reply_free(&r);

	patch(&r, a, path, "{\"alert_thresholds\":[25,75]}");
	thresholds_text(r.json, th, sizeof(th));
	ck_assert_str_eq(th, "25,75");
	ck_assert_str_eq(json_str(r.json, "name"), "After");
	ck_assert_str_eq(json_str(r.json, "cycle_from"), from);
	reply_free(&r);

	/* The same cycle again is no change. */
	patch(&r, a, path, "{\"cycle\":\"daily\"}");
	ck_assert_str_eq(json_str(r.json, "cycle_from"), from);
	reply_free(&r);

	patch(&r, a, path, "{\"cycle\":\"monthly\"}");
	ck_assert_str_eq(json_str(r.json, "cycle"), "monthly");
	ck_assert_str_gt(json_str(r.json, "cycle_from"), from);
	ck_assert_str_eq(json_str(r.json, "cycle_from"),
	    json_str(r.json, "updated_at"));
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);

	patch(&r, a, path, "{\"anchor\":\"2026-01-31T12:00:00Z\"}");
	ck_assert_str_eq(json_str(r.json, "anchor"),
	    "2026-01-31T12:00:00.000000Z");
	ck_assert_str_gt(json_str(r.json, "cycle_from"), from);
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);

	/* The same instant written another way is the same anchor. */
	patch(&r, a, path, "{\"anchor\":\"2026-01-31T12:00:00.000Z\"}");
	ck_assert_str_eq(json_str(r.json, "cycle_from"), from);
	reply_free(&r);

	patch(&r, a, path, "{\"name\":\"All\",\"cycle\":\"weekly\","
	    "\"anchor\":\"2026-11-02T00:00:00Z\",\"alert_thresholds\":[100]}");
	ck_assert_str_eq(json_str(r.json, "name"), "All");
	ck_assert_str_eq(json_str(r.json, "cycle"), "weekly");
	ck_assert_str_eq(json_str(r.json, "anchor"),
	    "2026-11-02T00:00:00.000000Z");
	thresholds_text(r.json, th, sizeof(th));
	ck_assert_str_eq(th, "100");
	ck_assert_str_gt(json_str(r.json, "cycle_from"), from);
	reply_free(&r);

	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'budget.plan.update' AND target_id = '%s' AND before_digest IS "
	    "NOT NULL AND after_digest IS NOT NULL", a, id), 7);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s'", a), 1);
}
END_TEST

/*
 * After a change of cycle or anchor the current period starts at the
 * change, and ends on the new cycle's boundary; a name change keeps it.
 */
START_TEST(test_period_after_change)
{
	struct reply	 r;
	const cJSON	*period, *plan;
	char		 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
			 path[128], from[TS_LEN + 1], start[TS_LEN + 1],
			 sql[700];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"Daily\",\"cycle\":\"daily\"}", id);
	plan_path(path, sizeof(path), id);
	active(&r, a);
	copy_str(member(r.json, "period"), "start", start, sizeof(start));
	ck_assert_str_eq(start, json_str(member(r.json, "plan"),
	    "cycle_from"));
	reply_free(&r);

	patch(&r, a, path, "{\"cycle\":\"weekly\"}");
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);
	ck_assert_str_gt(from, start);
	active(&r, a);
	plan = member(r.json, "plan");
	period = member(r.json, "period");
	ck_assert_str_eq(json_str(plan, "cycle"), "weekly");
	ck_assert_str_eq(json_str(period, "start"), from);
	/* It ends a whole number of weeks from the anchor, within a week. */
	(void)snprintf(sql, sizeof(sql), "SELECT e > s AND e - s <= interval "
	    "'7 days' AND extract(epoch FROM e - a)::numeric %% 604800 = 0 "
	    "FROM (SELECT '%s'::timestamptz s, '%s'::timestamptz e, "
	    "'%s'::timestamptz a) x", json_str(period, "start"),
	    json_str(period, "end"), json_str(plan, "anchor"));
	ck_assert_msg(db_true(sql), "%s", r.body.data);
	reply_free(&r);

	patch(&r, a, path, "{\"anchor\":\"2026-01-31T00:00:00Z\","
	    "\"cycle\":\"monthly\"}");
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);
	active(&r, a);
	period = member(r.json, "period");
	ck_assert_str_eq(json_str(period, "start"), from);
	/* A month from the 31st ends on a 28th to 31st: a month's last day. */
	(void)snprintf(sql, sizeof(sql), "SELECT e > s AND e - s <= interval "
	    "'31 days' AND (e AT TIME ZONE 'UTC')::time = '00:00' AND "
	    "((e AT TIME ZONE 'UTC') + interval '1 day')::date = "
	    "date_trunc('month', (e AT TIME ZONE 'UTC') + interval '1 day') "
	    "FROM (SELECT '%s'::timestamptz s, '%s'::timestamptz e) x",
	    json_str(period, "start"), json_str(period, "end"));
	ck_assert_msg(db_true(sql), "%s", r.body.data);
	reply_free(&r);

	patch(&r, a, path, "{\"name\":\"Renamed\"}");
	reply_free(&r);
	active(&r, a);
	ck_assert_str_eq(json_str(member(r.json, "period"), "start"), from);
	reply_free(&r);

	patch(&r, a, path, "{\"cycle\":\"none\"}");
	copy_str(r.json, "cycle_from", from, sizeof(from));
	reply_free(&r);
	active(&r, a);
	period = member(r.json, "period");
	ck_assert_str_eq(json_str(period, "start"), from);
	ck_assert(cJSON_IsNull(member(period, "end")));
	reply_free(&r);
}
END_TEST

/* A plan that has ended keeps its cycle and anchor; its name may change. */
START_TEST(test_patch_inactive)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], old[UUID_LEN + 1],
			 path[128], before[128], after[128];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"Old\",\"cycle\":\"daily\"}", old);
	create(a, "{\"name\":\"New\",\"cycle\":\"daily\"}", NULL);
	plan_path(path, sizeof(path), old);
	state(a, before, sizeof(before));
	api_in_account(&r, a, "PATCH", path, "{\"cycle\":\"weekly\"}");
	assert_error(&r, 409, "plan_not_active", "cycle");
	reply_free(&r);
	api_in_account(&r, a, "PATCH", path,
	    "{\"anchor\":\"2026-03-01T00:00:00Z\"}");
	assert_error(&r, 409, "plan_not_active", "anchor");
	reply_free(&r);
	api_in_account(&r, a, "PATCH", path,
	    "{\"name\":\"Renamed\",\"cycle\":\"monthly\"}");
	assert_error(&r, 409, "plan_not_active", "cycle");
	reply_free(&r);
	state(a, after, sizeof(after));
	ck_assert_str_eq(before, after);

	/* Its own cycle again is no change; a name is. */
	patch(&r, a, path, "{\"name\":\"Renamed\",\"cycle\":\"daily\"}");
	ck_assert_str_eq(json_str(r.json, "name"), "Renamed");
	ck_assert(!json_bool(r.json, "active"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s' AND "
	    "active_until IS NULL", a), 1);
}
END_TEST

/* Bodies a create refuses: body, status, code, field. */
static const char *const bad_creates[][4] = {
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"id\":\"" NIL_ID "\"}",
	    "400", "unknown_field", "id" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"account_id\":\"" NIL_ID
	    "\"}", "400", "unknown_field", "account_id" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"active\":true}", "400",
	    "unknown_field", "active" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"cycle_from\":"
	    "\"2026-01-01T00:00:00Z\"}", "400", "unknown_field", "cycle_from" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[0],"
	    "\"created_by\":\"me\"}", "400", "unknown_field", "created_by" },
	{ "{\"cycle\":\"daily\"}", "422", "invalid_field", "name" },
	{ "{\"name\":\"x\"}", "422", "invalid_field", "cycle" },
	{ "{\"name\":5,\"cycle\":\"daily\"}", "422", "invalid_field", "name" },
	{ "{\"name\":null,\"cycle\":\"daily\"}", "422", "invalid_field",
	    "name" },
	{ "{\"name\":\"\",\"cycle\":\"daily\"}", "422", "invalid_field",
	    "name" },
	{ "{\"name\":\"a\\u0001b\",\"cycle\":\"daily\"}", "422",
	    "invalid_field", "name" },
	{ "{\"name\":\"x\",\"cycle\":1}", "422", "invalid_field", "cycle" },
	{ "{\"name\":\"x\",\"cycle\":\"yearly\"}", "422", "invalid_field",
	    "cycle" },
	{ "{\"name\":\"x\",\"cycle\":\"Daily\"}", "422", "invalid_field",
	    "cycle" },
	{ "{\"name\":\"x\",\"cycle\":\"\"}", "422", "invalid_field", "cycle" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":5}", "422",
	    "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":null}", "422",
	    "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":\"now\"}", "422",
	    "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":\"2026-01-31\"}",
	    "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-02-30T00:00:00Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2025-02-29T00:00:00Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-13-01T00:00:00Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T24:00:00Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T00:00:60Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T00:00:00\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T00:00:00+01:00\"}", "422", "invalid_field",
	    "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31 00:00:00Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T00:00:00.1234567Z\"}", "422", "invalid_field",
	    "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T00:00:00.Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"1969-12-31T23:59:59Z\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"anchor\":"
	    "\"2026-01-31T00:00:00ZZ\"}", "422", "invalid_field", "anchor" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":\"80\"}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":null}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[]}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[0,50]}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[-5]}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[101]}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[80.5]}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":"
	    "[80,\"100\"]}", "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":[true]}",
	    "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":"
	    "[100,80]}", "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":"
	    "[50,80,80]}", "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":"
	    "[1,2,3,4,5,6,7,8,9,10,11]}", "422", "invalid_field",
	    "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\",\"alert_thresholds\":"
	    "{\"a\":1}}", "422", "invalid_field", "alert_thresholds" },
	{ "{\"name\":\"x\",\"cycle\":\"daily\"", "400", "invalid_json",
	    NULL },
	{ "[]", "400", "invalid_json", NULL },
};

/* Bodies a PATCH refuses. */
static const char *const bad_patches[][4] = {
	{ "{}", "400", "empty_update", NULL },
	{ "{\"id\":\"" NIL_ID "\"}", "400", "unknown_field", "id" },
	{ "{\"active_until\":null}", "400", "unknown_field", "active_until" },
	{ "{\"cycle_from\":\"2026-01-01T00:00:00Z\"}", "400", "unknown_field",
	    "cycle_from" },
	{ "{\"name\":\"\"}", "422", "invalid_field", "name" },
	{ "{\"name\":null}", "422", "invalid_field", "name" },
	{ "{\"cycle\":\"hourly\"}", "422", "invalid_field", "cycle" },
	{ "{\"cycle\":null}", "422", "invalid_field", "cycle" },
	{ "{\"anchor\":\"yesterday\"}", "422", "invalid_field", "anchor" },
	{ "{\"alert_thresholds\":[90,50]}", "422", "invalid_field",
	    "alert_thresholds" },
	{ "{\"alert_thresholds\":[50,50]}", "422", "invalid_field",
	    "alert_thresholds" },
	{ "{\"name\":\"fine\",\"alert_thresholds\":[200]}", "422",
	    "invalid_field", "alert_thresholds" },
	{ "{\"name\":7,\"alert_thresholds\":[50]}", "422", "invalid_field",
	    "name" },
};

static void
assert_refused(const struct reply *r, const char *const bad[4])
{
	ck_assert_msg(r->status == atol(bad[1]), "%s: %ld %s", bad[0],
	    r->status, r->body.data);
	assert_error(r, atol(bad[1]), bad[2], bad[3]);
}

/* Every bad body is refused, naming the field, and changes nothing. */
START_TEST(test_bad_inputs)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
			 path[128], before[128], after[128], body[512];
	size_t		 i;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"Kept\",\"cycle\":\"monthly\"}", id);
	plan_path(path, sizeof(path), id);
	state(a, before, sizeof(before));
	for (i = 0; i < sizeof(bad_creates) / sizeof(bad_creates[0]); i++) {
		api_in_account(&r, a, "POST", PLANS, bad_creates[i][0]);
		assert_refused(&r, bad_creates[i]);
		reply_free(&r);
	}
	for (i = 0; i < sizeof(bad_patches) / sizeof(bad_patches[0]); i++) {
		api_in_account(&r, a, "PATCH", path, bad_patches[i][0]);
		assert_refused(&r, bad_patches[i]);
		reply_free(&r);
	}
	/* A name of 201 characters; 200 pass. */
	(void)snprintf(body, sizeof(body), "{\"name\":\"%0201d\","
	    "\"cycle\":\"daily\"}", 0);
	api_in_account(&r, a, "POST", PLANS, body);
	assert_error(&r, 422, "invalid_field", "name");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"name\":\"%0201d\"}", 0);
	api_in_account(&r, a, "PATCH", path, body);
	assert_error(&r, 422, "invalid_field", "name");
	reply_free(&r);
	state(a, after, sizeof(after));
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s'", a), 1);

	(void)snprintf(body, sizeof(body), "{\"name\":\"%0200d\"}", 0);
	patch(&r, a, path, body);
	reply_free(&r);
}
END_TEST

/* Another account's plans are not there, by id, list or active plan. */
START_TEST(test_foreign)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], b[UUID_LEN + 1], slug[64], org[96],
			 id[UUID_LEN + 1], path[128], before[128], after[128],
			 email[128], *t;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"Theirs\",\"cycle\":\"daily\"}", id);
	plan_path(path, sizeof(path), id);
	state(a, before, sizeof(before));
	fresh(b, slug, sizeof(slug), org, sizeof(org));

	api_in_account(&r, b, "GET", path, NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	api_in_account(&r, b, "PATCH", path, "{\"name\":\"Mine\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	api_in_account(&r, b, "PATCH", path, "{\"cycle\":\"weekly\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	api_in_account(&r, b, "GET", PLANS, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	active(&r, b);
	ck_assert(cJSON_IsNull(member(r.json, "plan")));
	reply_free(&r);

	/* B's own admin, too. */
	(void)snprintf(email, sizeof(email), "admin@%s.test", slug);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	ck_assert(api_as(&r, t, "GET", path, NULL) == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert(api_as(&r, t, "PATCH", path, "{\"name\":\"Mine\"}") == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	free(t);
	state(a, after, sizeof(after));
	ck_assert_str_eq(before, after);
	/* A's plan did not become B's active plan either. */
	ck_assert_int_eq(db_count_where("budget_plans", "account_id = '%s'", b), 0);
}
END_TEST

/*
 * Account admins may; end users get 403 and nobody without credentials
 * gets in; super admins must name the account.
 */
START_TEST(test_roles)
{
	static const char *const calls[][3] = {
		{ "POST", PLANS, "{\"name\":\"x\",\"cycle\":\"daily\"}" },
		{ "GET", PLANS, NULL },
		{ "GET", PLANS "/active", NULL },
		{ "GET", NULL, NULL },
		{ "PATCH", NULL, "{\"name\":\"y\"}" },
	};
	struct reply	 r;
	char		 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
			 path[128], email[128], before[128], after[128], *t;
	const char	*p;
	size_t		 i;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "admin@%s.test", slug);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	ck_assert(api_as(&r, t, "POST", PLANS,
	    "{\"name\":\"Admin's\",\"cycle\":\"weekly\"}") == 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	copy_str(r.json, "id", id, sizeof(id));
	ck_assert_str_eq(json_str(r.json, "created_by"), email);
	reply_free(&r);
	plan_path(path, sizeof(path), id);
	ck_assert(api_as(&r, t, "PATCH", path, "{\"name\":\"Renamed\"}") == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert(api_as(&r, t, "GET", PLANS "/active", NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(member(r.json, "plan"), "id"), id);
	reply_free(&r);
	free(t);

	state(a, before, sizeof(before));
	(void)snprintf(email, sizeof(email), "end@%s.test", slug);
	t = user_token(AS_END_USER, org, email);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		p = calls[i][1] != NULL ? calls[i][1] : path;
		ck_assert(api_as(&r, t, calls[i][0], p, calls[i][2]) == 0);
		assert_error(&r, 403, "forbidden", NULL);
		reply_free(&r);
		ck_assert(http(&r, calls[i][0], p, calls[i][2] != NULL ?
		    "application/json" : NULL, calls[i][2], calls[i][2] !=
		    NULL ? strlen(calls[i][2]) : 0, AUTH_NONE) == 0);
		assert_error(&r, 401, "unauthorized", NULL);
		reply_free(&r);
		ck_assert(api(&r, calls[i][0], p, calls[i][2]) == 0);
		assert_error(&r, 400, "account_required", NULL);
		reply_free(&r);
	}
	free(t);
	state(a, after, sizeof(after));
	ck_assert_str_eq(before, after);
}
END_TEST

/*
 * cockpit_period(cycle, anchor, from, at): the period containing at, in
 * UTC whatever the session's time zone; "infinity" for no end.
 */
static void
period_is(PGconn *c, const char *cycle, const char *anchor,
    const char *from, const char *at, const char *start, const char *end)
{
	char		 sql[700];
	PGresult	*res;

	(void)snprintf(sql, sizeof(sql), "SELECT cockpit_ts(period_start), "
	    "CASE WHEN period_end = 'infinity' THEN 'infinity' ELSE "
	    "cockpit_ts(period_end) END FROM cockpit_period('%s', "
	    "'%s'::timestamptz, '%s'::timestamptz, '%s'::timestamptz)", cycle,
	    anchor, from, at);
	res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	ck_assert_msg(strcmp(PQgetvalue(res, 0, 0), start) == 0 &&
	    strcmp(PQgetvalue(res, 0, 1), end) == 0, "%s %s from %s at %s: "
	    "[%s, %s), expected [%s, %s)", cycle, anchor, from, at,
	    PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), start, end);
	PQclear(res);
}

#define EARLY	"2000-01-01T00:00:00Z"	/* a cycle_from that clips nothing */
#define T(s)	s ".000000Z"

START_TEST(test_period_daily_weekly)
{
	PGconn	*c = db_owner();

	db_exec(c, "SET TimeZone = 'Pacific/Chatham'");
	/* Daily from 06:00: the day runs 06:00 to 06:00, start included. */
	period_is(c, "daily", "2026-01-01T06:00:00Z", EARLY,
	    "2026-03-10T05:59:59.999999Z", T("2026-03-09T06:00:00"),
	    T("2026-03-10T06:00:00"));
	period_is(c, "daily", "2026-01-01T06:00:00Z", EARLY,
	    "2026-03-10T06:00:00Z", T("2026-03-10T06:00:00"),
	    T("2026-03-11T06:00:00"));
	/* Before the anchor: the periods run backwards from it too. */
	period_is(c, "daily", "2026-01-10T00:00:00Z", EARLY,
	    "2026-01-05T12:00:00Z", T("2026-01-05T00:00:00"),
	    T("2026-01-06T00:00:00"));
	/* Weekly from a Monday. */
	period_is(c, "weekly", "2026-11-02T00:00:00Z", EARLY,
	    "2026-11-25T10:00:00Z", T("2026-11-23T00:00:00"),
	    T("2026-11-30T00:00:00"));
	period_is(c, "weekly", "2026-11-02T00:00:00Z", EARLY,
	    "2026-10-30T00:00:00Z", T("2026-10-26T00:00:00"),
	    T("2026-11-02T00:00:00"));
	/* Weekly from a Thursday noon. */
	period_is(c, "weekly", "2026-01-01T12:00:00Z", EARLY,
	    "2026-01-08T11:59:59Z", T("2026-01-01T12:00:00"),
	    T("2026-01-08T12:00:00"));
	/* cycle_from clips the period it falls in, not the next. */
	period_is(c, "daily", "2026-01-01T00:00:00Z", "2026-03-10T15:30:00Z",
	    "2026-03-10T20:00:00Z", T("2026-03-10T15:30:00"),
	    T("2026-03-11T00:00:00"));
	period_is(c, "daily", "2026-01-01T00:00:00Z", "2026-03-10T15:30:00Z",
	    "2026-03-11T01:00:00Z", T("2026-03-11T00:00:00"),
	    T("2026-03-12T00:00:00"));
	period_is(c, "weekly", "2026-11-02T00:00:00Z", "2026-11-25T10:00:00Z",
	    "2026-11-25T10:00:00Z", T("2026-11-25T10:00:00"),
	    T("2026-11-30T00:00:00"));
	PQfinish(c);
}
END_TEST

START_TEST(test_period_monthly)
{
	PGconn	*c = db_owner();

	db_exec(c, "SET TimeZone = 'America/Los_Angeles'");
	/* From the 31st: Jan 31, Feb 28, Mar 31, Apr 30, May 31. */
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2026-02-15T00:00:00Z", T("2026-01-31T00:00:00"),
	    T("2026-02-28T00:00:00"));
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2026-02-27T23:59:59.999999Z", T("2026-01-31T00:00:00"),
	    T("2026-02-28T00:00:00"));
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2026-02-28T00:00:00Z", T("2026-02-28T00:00:00"),
	    T("2026-03-31T00:00:00"));
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2026-03-30T23:00:00Z", T("2026-02-28T00:00:00"),
	    T("2026-03-31T00:00:00"));
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2026-03-31T00:00:00Z", T("2026-03-31T00:00:00"),
	    T("2026-04-30T00:00:00"));
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2026-05-01T00:00:00Z", T("2026-04-30T00:00:00"),
	    T("2026-05-31T00:00:00"));
	/* A leap year's February ends on the 29th. */
	period_is(c, "monthly", "2028-01-31T00:00:00Z", EARLY,
	    "2028-02-10T00:00:00Z", T("2028-01-31T00:00:00"),
	    T("2028-02-29T00:00:00"));
	period_is(c, "monthly", "2028-01-31T00:00:00Z", EARLY,
	    "2028-02-29T10:00:00Z", T("2028-02-29T00:00:00"),
	    T("2028-03-31T00:00:00"));
	/* Across a year. */
	period_is(c, "monthly", "2026-01-31T00:00:00Z", EARLY,
	    "2027-01-01T00:00:00Z", T("2026-12-31T00:00:00"),
	    T("2027-01-31T00:00:00"));
	/* Before the anchor. */
	period_is(c, "monthly", "2026-03-31T00:00:00Z", EARLY,
	    "2026-02-15T00:00:00Z", T("2026-01-31T00:00:00"),
	    T("2026-02-28T00:00:00"));
	/* A time of day in the anchor is kept. */
	period_is(c, "monthly", "2026-01-15T12:00:00Z", EARLY,
	    "2026-02-15T11:59:59Z", T("2026-01-15T12:00:00"),
	    T("2026-02-15T12:00:00"));
	period_is(c, "monthly", "2026-01-15T12:00:00Z", EARLY,
	    "2026-02-15T12:00:00Z", T("2026-02-15T12:00:00"),
	    T("2026-03-15T12:00:00"));
	/* Clipped by cycle_from. */
	period_is(c, "monthly", "2026-01-31T00:00:00Z", "2026-02-20T08:00:00Z",
	    "2026-02-21T00:00:00Z", T("2026-02-20T08:00:00"),
	    T("2026-02-28T00:00:00"));
	PQfinish(c);
}
END_TEST

START_TEST(test_period_none)
{
	PGconn	*c = db_owner();
	char	 a[UUID_LEN + 1], slug[64], org[96], sql[600];

	db_exec(c, "SET TimeZone = 'Asia/Kolkata'");
	/* One endless period from cycle_from, the anchor aside. */
	period_is(c, "none", "2026-01-10T00:00:00Z", "2026-05-05T10:00:00Z",
	    "2027-01-05T12:00:00Z", T("2026-05-05T10:00:00"), "infinity");
	period_is(c, "none", "2030-01-10T00:00:00Z", "2026-05-05T10:00:00Z",
	    "2026-05-05T10:00:00Z", T("2026-05-05T10:00:00"), "infinity");
	PQfinish(c);

	/* An account without a plan: one period from its creation. */
	fresh(a, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(sql, sizeof(sql), "SELECT bp.period_start = a.created_at "
	    "AND bp.period_end = 'infinity' AND bp.plan_id IS NULL AND "
	    "bp.thresholds = '{80,100}' FROM accounts a, cockpit_budget_period("
	    "a.id, clock_timestamp()) bp WHERE a.id = '%s'", a);
	ck_assert(db_true(sql));
}
END_TEST

/* An account's period follows its active plan, computed at any instant. */
START_TEST(test_budget_period_follows_plan)
{
	char	 a[UUID_LEN + 1], slug[64], org[96], id[UUID_LEN + 1],
		 sql[700];

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	create(a, "{\"name\":\"M\",\"cycle\":\"monthly\",\"anchor\":"
	    "\"2026-01-31T00:00:00Z\",\"alert_thresholds\":[50,100]}", id);
	/* Periods to come, with no job run: each instant has its own. */
	(void)snprintf(sql, sizeof(sql), "SELECT bp.plan_id = '%s' AND "
	    "bp.thresholds = '{50,100}' AND cockpit_ts(bp.period_start) = "
	    "'2031-02-28T00:00:00.000000Z' AND cockpit_ts(bp.period_end) = "
	    "'2031-03-31T00:00:00.000000Z' FROM cockpit_budget_period('%s', "
	    "'2031-03-01T00:00:00Z') bp", id, a);
	ck_assert(db_true(sql));
	(void)snprintf(sql, sizeof(sql), "SELECT cockpit_ts(bp.period_start) = "
	    "'2032-02-29T00:00:00.000000Z' AND cockpit_ts(bp.period_end) = "
	    "'2032-03-31T00:00:00.000000Z' FROM cockpit_budget_period('%s', "
	    "'2032-03-30T23:59:59Z') bp", a);
	ck_assert(db_true(sql));
}
END_TEST

static Suite *
budget_plans_suite(void)
{
	Suite	*s = suite_create("budget_plans");
	TCase	*tc = tcase_create("budget_plans");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_active);
	tcase_add_test(tc, test_default_anchors);
	tcase_add_test(tc, test_create_given);
	tcase_add_test(tc, test_second_ends_first);
	tcase_add_test(tc, test_concurrent_creates);
	tcase_add_test(tc, test_list_pages);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_patch_fields);
	tcase_add_test(tc, test_period_after_change);
	tcase_add_test(tc, test_patch_inactive);
	tcase_add_test(tc, test_bad_inputs);
	tcase_add_test(tc, test_foreign);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_period_daily_weekly);
	tcase_add_test(tc, test_period_monthly);
	tcase_add_test(tc, test_period_none);
	tcase_add_test(tc, test_budget_period_follows_plan);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(budget_plans_suite());
}
