/*
 * Budget Plans, under /v1/budgets/copilot/plans: an account's cycle
 * (daily, weekly, monthly or none), its anchor and its alert thresholds.
 * One plan of an account is active (active_until NULL); making a plan
 * makes it the active one and ends the one before, in one statement. The
 * periods are computed in UTC by cockpit_period() (sql/0007_budgets.sql)
 * from the active plan's anchor, starting no earlier than its cycle_from:
 * the moment it was made, or its cycle or anchor last changed. Spend is
 * kept per period, so a new plan, or a new cycle, starts a new period
 * while what was spent stays in the period it was recorded in.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "budgets.h"
#include "audit.h"
#include "list.h"

#define PLANS_PATH	"/v1/budgets/copilot/plans"
#define THRESHOLDS_MAX	10
#define THRESHOLDS_TEXT	64	/* "{1,2,...}": 10 numbers of 3 digits */
#define ANCHOR_YEAR_MIN	1970

enum {
	ST_LOCK,
	ST_CREATE,
	ST_LIST,
	ST_ACTIVE,
	ST_GET,
	ST_UPDATE,
	ST__N
};

/* A plan as the API shows it, p naming its row: json. */
#define PLAN_JSON(p) \
	"json_build_object('id', " p ".id, 'name', " p ".name, " \
	"'cycle', " p ".cycle, 'anchor', " SQL_TS(p ".anchor") ", " \
	"'alert_thresholds', to_json(" p ".alert_thresholds), " \
	"'cycle_from', " SQL_TS(p ".cycle_from") ", " \
	"'active', " p ".active_until IS NULL, " \
	"'active_until', " SQL_TS(p ".active_until") ", " \
	"'created_by', " p ".created_by, " \
	"'created_at', " SQL_TS(p ".created_at") ", " \
	"'updated_at', " SQL_TS(p ".updated_at") ")"

/* The start of the UTC day, week (Monday) or month of t, as fits cycle c. */
#define ANCHOR_DEFAULT(c, t) \
	"(date_trunc(CASE " c " WHEN 'weekly' THEN 'week' " \
	"WHEN 'monthly' THEN 'month' ELSE 'day' END, " \
	t " AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"

static const struct stmt stmts[ST__N] = {
	/*
	 * $1 account: two plans made at once take turns, so that each ends
	 * the one active before it (the next statement sees it committed).
	 */
	[ST_LOCK] = { "plans_lock",
	    "SELECT pg_advisory_xact_lock(hashtextextended("
	    "'cockpit.budget_plan/' || $1::text, 0))" },
	/*
	 * $1 account, $2 name, $3 cycle, $4 anchor (NULL: the start of the
	 * current period of the cycle), $5 thresholds (NULL: {80,100}), $6-$8
	 * who. Ends the active plan (an event budget.plan.end) and makes the
	 * new one active from now: the plan's JSON, its id, then the events.
	 */
	[ST_CREATE] = { "plans_create",
	    "WITH now AS (SELECT clock_timestamp() AS t), "
	    "prev AS (SELECT * FROM budget_plans WHERE account_id = $1 "
	    "AND active_until IS NULL), "
	    "ended AS (UPDATE budget_plans x SET active_until = now.t, "
	    "updated_at = now.t FROM now, prev WHERE x.id = prev.id "
	    "RETURNING x.*), "
	    "p AS (INSERT INTO budget_plans (account_id, name, cycle, anchor, "
	    "alert_thresholds, cycle_from, created_by, created_at, updated_at) "
	    "SELECT $1::uuid, $2::text, $3::text, coalesce($4::timestamptz, "
	    ANCHOR_DEFAULT("$3::text", "now.t") "), "
	    "coalesce($5::smallint[], '{80,100}'), now.t, $6::text, now.t, "
	    "now.t "
	    "FROM now, (SELECT count(*) FROM ended) e RETURNING *), "
	    "ev AS (SELECT " AUDIT_EVENT("ended.account_id", "budget.plan.end",
	    "budget_plan", "ended.id::text", AUDIT_ROW_DIGEST("prev"),
	    AUDIT_ROW_DIGEST("ended"), "$6", "$7", "$8")
	    " FROM ended JOIN prev ON prev.id = ended.id) "
	    "SELECT " PLAN_JSON("p") "::text, p.id, (SELECT count(*) FROM ev), "
	    AUDIT_EVENT("p.account_id", "budget.plan.create", "budget_plan",
	    "p.id::text", "NULL", AUDIT_ROW_DIGEST("p"), "$6", "$7", "$8")
	    " FROM p" },
	/*
	 * $1 account, $2 ILIKE pattern or NULL, $3 the cursor's time, $4 its
	 * id (page_before(): the largest on the first page), $5 rows to
	 * fetch; newest first. Each row: the plan's JSON, created_at, the id.
	 */
	[ST_LIST] = { "plans_list",
	    "SELECT " PLAN_JSON("p") "::text, " SQL_TS("p.created_at") ", p.id "
	    "FROM budget_plans p WHERE p.account_id = $1 "
	    "AND ($2::text IS NULL OR p.name ILIKE $2) "
	    "AND " PAGE_BEFORE_TIME("p.created_at, p.id", "$3", "$4") " "
	    "ORDER BY p.created_at DESC, p.id DESC LIMIT $5" },
	/* $1 account: {"plan": the active plan or null, "period": now's}. */
	[ST_ACTIVE] = { "plans_active",
	    "SELECT json_build_object('plan', (SELECT " PLAN_JSON("p")
	    " FROM budget_plans p WHERE p.account_id = $1 "
	    "AND p.id = bp.plan_id), "
	    "'period', cockpit_period_json(bp.period_start, bp.period_end))"
	    "::text FROM cockpit_budget_period($1, clock_timestamp()) bp" },
	/* $1 account, $2 plan. */
	[ST_GET] = { "plans_get",
	    "SELECT " PLAN_JSON("p") "::text FROM budget_plans p "
	    "WHERE p.account_id = $1 AND p.id = $2" },
	/*
	 * $1 account, $2 plan, $3 name, $4 thresholds, $5 cycle, $6 anchor
	 * (each NULL: kept), $7-$9 who. A cycle or anchor other than the
	 * plan's restarts its periods from now (cycle_from), and is refused
	 * for a plan no longer active. One row: whether the plan exists, the
	 * field refused (NULL: none), the plan's JSON when changed, events.
	 */
	[ST_UPDATE] = { "plans_update",
	    "WITH now AS (SELECT clock_timestamp() AS t), "
	    "old AS (SELECT * FROM budget_plans WHERE account_id = $1 "
	    "AND id = $2 FOR UPDATE), "
	    "ch AS (SELECT CASE WHEN $5::text IS NOT NULL "
	    "AND $5::text <> old.cycle THEN 'cycle' "
	    "WHEN $6::timestamptz IS NOT NULL "
	    "AND $6::timestamptz <> old.anchor THEN 'anchor' END AS changed, "
	    "old.active_until IS NULL AS active FROM old), "
	    "p AS (UPDATE budget_plans x SET name = coalesce($3, x.name), "
	    "alert_thresholds = coalesce($4::smallint[], x.alert_thresholds), "
	    "cycle = coalesce($5::text, x.cycle), "
	    "anchor = coalesce($6::timestamptz, x.anchor), "
	    "cycle_from = CASE WHEN ch.changed IS NULL THEN x.cycle_from "
	    "ELSE now.t END, updated_at = now.t "
	    "FROM old, ch, now WHERE x.id = old.id "
	    "AND (ch.active OR ch.changed IS NULL) RETURNING x.*), "
	    "ev AS (SELECT " AUDIT_EVENT("p.account_id", "budget.plan.update",
	    "budget_plan", "p.id::text", AUDIT_ROW_DIGEST("old"),
	    AUDIT_ROW_DIGEST("p"), "$7", "$8", "$9") " FROM p, old) "
	    "SELECT EXISTS (SELECT 1 FROM old), "
	    "(SELECT changed FROM ch WHERE NOT active), "
	    "(SELECT " PLAN_JSON("p") "::text FROM p), "
	    "(SELECT count(*) FROM ev)" },
};

const struct stmt_set budget_plan_set = { stmts, ST__N };

static int
cycle_valid(const char *s)
{
	return strcmp(s, "daily") == 0 || strcmp(s, "weekly") == 0 ||
	    strcmp(s, "monthly") == 0 || strcmp(s, "none") == 0;
}

/* The n digits at s as a number (they are digits: the shape says so). */
static int
digits(const char *s, int n)
{
	int	 v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

static int
month_days(int year, int month)
{
	static const int	 days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			 leap;

	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[month - 1] + (month == 2 && leap);
}

/*
 * An anchor: an RFC 3339 time in UTC, 2026-01-31T00:00:00Z, with at most
 * six digits of a second's fraction, in the years 1970 to 9999.
 */
static int
anchor_valid(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t			 i, frac;
	int			 month;

	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	if (s[i] == '.') {
		frac = strspn(s + i + 1, "0123456789");
		if (frac < 1 || frac > 6)
			return 0;
		i += 1 + frac;
	}
	if (strcmp(s + i, "Z") != 0)
		return 0;
	month = digits(s + 5, 2);
	return digits(s, 4) >= ANCHOR_YEAR_MIN && month >= 1 && month <= 12 &&
	    digits(s + 8, 2) >= 1 &&
	    digits(s + 8, 2) <= month_days(digits(s, 4), month) &&
	    digits(s + 11, 2) <= 23 && digits(s + 14, 2) <= 59 &&
	    digits(s + 17, 2) <= 59;
}

#define CYCLE_EXPECT	"daily, weekly, monthly or none"
#define ANCHOR_EXPECT	"an RFC 3339 time in UTC from 1970 on, such as " \
	"2026-01-31T00:00:00Z"

static const struct field create_fields[] = {
	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "cycle", FIELD_TEXT, FIELD_REQUIRED, 1, 16, cycle_valid,
	    CYCLE_EXPECT },
	{ "anchor", FIELD_TEXT, 0, 1, 64, anchor_valid, ANCHOR_EXPECT },
};

static const struct field update_fields[] = {
	{ "name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
	{ "cycle", FIELD_TEXT, 0, 1, 16, cycle_valid, CYCLE_EXPECT },
	{ "anchor", FIELD_TEXT, 0, 1, 64, anchor_valid, ANCHOR_EXPECT },
};

static int
thresholds_refused(struct field_error *e, const char *message)
{
	e->status = 422;
	e->code = "invalid_field";
	(void)snprintf(e->field, sizeof(e->field), "alert_thresholds");
	(void)snprintf(e->message, sizeof(e->message), "%s", message);
	return -1;
}

/*
 * alert_thresholds: 1 to 10 whole percentages from 1 to 100, each above
 * the one before, written into out as a smallint[] literal. 0, or -1
 * with e saying what is wrong.
 */
static int
thresholds_parse(const cJSON *list, char *out, size_t len,
    struct field_error *e)
{
	const cJSON	*item;
	double		 d;
	int		 n = 0, prev = 0, w;
	size_t		 used = 1;

	if (!cJSON_IsArray(list))
		return thresholds_refused(e, "must be an array of whole "
		    "numbers from 1 to 100");
	if (cJSON_GetArraySize(list) < 1 ||
	    cJSON_GetArraySize(list) > THRESHOLDS_MAX)
		return thresholds_refused(e, "must have 1 to 10 items");
	(void)snprintf(out, len, "{");
	cJSON_ArrayForEach(item, list) {
		if (!cJSON_IsNumber(item) || !isfinite(d = item->valuedouble) ||
		    d != floor(d) || d < 1 || d > 100)
			return thresholds_refused(e, "must hold whole numbers "
			    "from 1 to 100");
		if (n > 0 && (int)d <= prev)
			return thresholds_refused(e, "must be distinct and in "
			    "ascending order, such as [50, 80, 100]");
		w = snprintf(out + used, len - used, "%s%d", n > 0 ? "," : "",
		    (int)d);
		if (w < 0 || (size_t)w >= len - used)
			return thresholds_refused(e, "is too long");
		used += (size_t)w;
		prev = (int)d;
		n++;
	}
	if (used + 1 >= len)
		return thresholds_refused(e, "is too long");
	(void)snprintf(out + used, len - used, "}");
	return 0;
}

/*
 * Validates a plan's body against fields, and alert_thresholds, which
 * validate_object() has no kind for, here: out gets its smallint[]
 * literal, or "" when there is none. Unknown fields are refused first.
 * 0, or -1 with the request answered (400, 422).
 */
static int
plan_body_valid(struct req *r, const struct field *fields, size_t n,
    char *out, size_t len)
{
	struct field_error	 e;
	cJSON			*t;
	int			 rc;

	*out = '\0';
	t = cJSON_DetachItemFromObjectCaseSensitive(r->body,
	    "alert_thresholds");
	rc = validate_object(r->body, fields, n, &e);
	if (rc == 0 && t != NULL)
		rc = thresholds_parse(t, out, len, &e);
	if (t != NULL && !cJSON_AddItemToObject(r->body, "alert_thresholds",
	    t)) {
		cJSON_Delete(t);
		resp_nomem(r);
		return -1;
	}
	if (rc == -1)
		resp_field_error(r, &e);
	return rc;
}

/* The 201 of a plan just made: the plan, and Location. Clears res. */
static void
created(struct req *r, PGresult *res)
{
	char	 location[128] = "";

	if (PQntuples(res) == 1)
		(void)snprintf(location, sizeof(location), PLANS_PATH "/%s",
		    PQgetvalue(res, 0, 1));
	json_answer(r, res, 201, "the plan was not made");
	if (r->status == 201 && resp_header(r, "Location", location) == -1)
		resp_nomem(r);
}

/*
 * POST /v1/budgets/copilot/plans {"name", "cycle", "anchor"?,
 * "alert_thresholds"?}: 201 with the plan, now the account's active one
 * (the one before ended now), and Location; 400 unknown_field or
 * account_required; 422 invalid_field.
 */
void
budget_plan_create(struct req *r)
{
	char		 thresholds[THRESHOLDS_TEXT];
	const char	*v[5 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if ((v[0] = req_account(r)) == NULL ||
	    plan_body_valid(r, create_fields, NFIELDS(create_fields),
	    thresholds, sizeof(thresholds)) == -1)
		return;
	if ((res = req_stmt(r, &stmts[ST_LOCK], 1, v, 0)) == NULL)
		return;
	PQclear(res);
	v[1] = text_member(r->body, "name");
	v[2] = text_member(r->body, "cycle");
	v[3] = text_member(r->body, "anchor");
	v[4] = *thresholds != '\0' ? thresholds : NULL;
	audit_who(r, v + 5);
	if ((res = req_stmt(r, &stmts[ST_CREATE], 8, v, DB_LAST)) != NULL)
		created(r, res);
}

/* A list row's item: its first column, the plan's JSON. */
static int
list_item(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, PQgetvalue(res, i, 0));
}

/*
 * GET /v1/budgets/copilot/plans?q=&limit=&cursor=: 200 with a page of the
 * account's plans, newest first; 400 invalid_parameter,
 * unknown_parameter or account_required.
 */
void
budget_plan_list(struct req *r)
{
	static const char *const params[] = { "limit", "cursor", "q", NULL };
	struct page	 page;
	struct buf	 pattern = { 0 };
	char		 fetch[16];
	const char	*v[5];
	PGresult	*res;

	if (req_query_allow(r, params) == -1 ||
	    (v[0] = req_account(r)) == NULL || req_page(r, &page, 0) == -1 ||
	    req_search(r, &pattern) == -1) {
		buf_free(&pattern);
		return;
	}
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[1] = pattern.data;
	page_before(&page, &v[2], &v[3]);
	v[4] = fetch;
	if ((res = req_stmt(r, &stmts[ST_LIST], 5, v, DB_LAST)) != NULL) {
		if (page_json(&r->out, res, PQntuples(res), page.limit, 1, 2,
		    list_item) == -1)
			resp_nomem(r);
		else
			resp_ok(r, 200);
		PQclear(res);
	}
	buf_free(&pattern);
}

/*
 * GET /v1/budgets/copilot/plans/active: 200 {"plan": the active plan or
 * null, "period": {"start", "end"}}, the period now (end null when it
 * has none: cycle none, or no plan, one period from the account's
 * creation); 400 account_required.
 */
void
budget_plan_active(struct req *r)
{
	const char	*v[1];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	if ((res = req_stmt(r, &stmts[ST_ACTIVE], 1, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such account");
}

/* GET /v1/budgets/copilot/plans/{plan_id}: 200 with it; 404 not_found. */
void
budget_plan_get(struct req *r)
{
	const char	*v[2];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = req_param(r, 0);
	if ((res = req_stmt(r, &stmts[ST_GET], 2, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such budget plan");
}

/* Answers the row of ST_UPDATE. Clears res. */
static void
updated(struct req *r, PGresult *res)
{
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "no such budget plan");
	else if (!PQgetisnull(res, 0, 1))
		resp_error(r, 409, "plan_not_active", PQgetvalue(res, 0, 1),
		    "the plan is no longer active: its %s cannot change; make "
		    "a new plan instead", PQgetvalue(res, 0, 1));
	else if (PQgetisnull(res, 0, 2) ||
	    buf_puts(&r->out, PQgetvalue(res, 0, 2)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * PATCH /v1/budgets/copilot/plans/{plan_id} {"name"?, "alert_thresholds"?,
 * "cycle"?, "anchor"?}: 200 with the plan; a cycle or anchor other than
 * the plan's restarts its current period from now; 400 empty_update,
 * unknown_field or account_required; 422 invalid_field; 404 not_found;
 * 409 plan_not_active (a new cycle or anchor for a plan that has ended).
 */
void
budget_plan_update(struct req *r)
{
	char		 thresholds[THRESHOLDS_TEXT];
	const char	*v[6 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if ((v[0] = req_account(r)) == NULL ||
	    plan_body_valid(r, update_fields, NFIELDS(update_fields),
	    thresholds, sizeof(thresholds)) == -1)
		return;
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "name, alert_thresholds, cycle, anchor");
		return;
	}
	v[1] = req_param(r, 0);
	v[2] = text_member(r->body, "name");
	v[3] = *thresholds != '\0' ? thresholds : NULL;
	v[4] = text_member(r->body, "cycle");
	v[5] = text_member(r->body, "anchor");
	audit_who(r, v + 6);
	if ((res = req_stmt(r, &stmts[ST_UPDATE], 9, v, DB_LAST)) != NULL)
		updated(r, res);
}
