/*
 * Credit Pools: the account allocation a super admin grants, and the
 * allocations, equal distributions and User Overrides an account admin
 * makes from it. The rules live in sql/0007_budgets.sql's functions; a
 * change runs in a transaction of its own that a refusal rolls back.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "budgets.h"
#include "list.h"
#include "pagination.h"
#include "uuid.h"

enum {
	ST_ACCOUNT_GET,
	ST_ACCOUNT_SET,
	ST_POOLS,
	ST_SET,
	ST_DELETE,
	ST_DISTRIBUTE,
	ST__N
};

/*
 * The pools of account $1 (rule $2, or any), a page after ($3, $4)
 * (page_after(): '' and the nil id on the first page).
 */
#define POOL_PAGE(rule) \
	"SELECT cockpit_pool_json(p, per.period_start)::text, " \
	"(5 - cockpit_pool_depth(p.scope_type))::text, p.id " \
	"FROM credit_pools p, cockpit_budget_period($1, clock_timestamp()) per " \
	"WHERE p.account_id = $1 AND p.active AND " rule " AND " \
	PAGE_AFTER_KEY("(5 - cockpit_pool_depth(p.scope_type))::text, p.id", \
	"$3", "$4") " ORDER BY 2, 3 LIMIT $5"

static const struct stmt stmts[ST__N] = {
	/* $1 account: its account allocation, or no row. */
	[ST_ACCOUNT_GET] = { "pools_account_get",
	    "SELECT jsonb_build_object('account_id', p.account_id, "
	    "'credits', cockpit_credits_text(p.micro_credits), "
	    "'allocated', cockpit_credits_text(cockpit_pool_committed(p.id, "
	    "per.period_start)), "
	    "'unallocated', cockpit_credits_text(p.micro_credits - u.spent - "
	    "u.held - cockpit_pool_committed(p.id, per.period_start)), "
	    "'period', cockpit_period_json(per.period_start, per.period_end), "
	    "'spent', cockpit_credits_text(u.spent), "
	    "'held', cockpit_credits_text(u.held), "
	    "'remaining', cockpit_credits_text(p.micro_credits - u.spent - "
	    "u.held), "
	    "'grants', (SELECT coalesce(jsonb_agg(jsonb_build_object("
	    "'credits', cockpit_credits_text(g.micro_credits), 'reason', "
	    "g.reason, 'granted_by', g.granted_by, 'granted_at', "
	    "cockpit_ts(g.granted_at)) ORDER BY g.id DESC), '[]') FROM "
	    "(SELECT * FROM credit_grants g WHERE g.account_id = p.account_id "
	    "ORDER BY g.id DESC LIMIT 20) g))::text "
	    "FROM credit_pools p, cockpit_budget_period($1, clock_timestamp()) "
	    "per, cockpit_pool_use(p.id, per.period_start) u "
	    "WHERE p.account_id = $1 AND p.scope_type = 'unallocated'" },
	/* $1 account, $2 micro-credits, $3 reason, $4-$6 who. */
	[ST_ACCOUNT_SET] = { "pools_account_set",
	    "SELECT status, body FROM cockpit_account_allocation_set($1, "
	    "$2::bigint, $3, $4, $5, $6)" },
	/* $1 account, $2 unused, $3 $4 after, $5 count. */
	[ST_POOLS] = { "pools_list",
	    POOL_PAGE("($2::text IS NULL OR p.rule = $2)") },
	/*
	 * $1 account, $2 scope type, $3 its id (a user's: or email), $4
	 * micro-credits, $5 $6 the source's type and id, $7 rule, $8-$10 who.
	 */
	[ST_SET] = { "pools_set",
	    "SELECT status, body FROM cockpit_allocation_set($1, $2, $3, "
	    "$4::bigint, $5, $6, $7, $8, $9, $10)" },
	/* $1 account, $2 scope type, $3 its id, $4 rule or NULL, $5-$7 who. */
	[ST_DELETE] = { "pools_delete",
	    "SELECT status, body FROM cockpit_allocation_delete($1, $2, $3, $4, "
	    "$5, $6, $7)" },
	/* $1 account, $2 scope type, $3 id, $4 micro, $5 dry run, $6-$8 who. */
	[ST_DISTRIBUTE] = { "pools_distribute",
	    "SELECT status, body FROM cockpit_distribute_equal($1, $2, $3, "
	    "$4::bigint, $5::boolean, $6, $7, $8)" },
};

const struct stmt_set budget_pool_set = { stmts, ST__N };

static int
allocated_type(const char *s)
{
	return strcmp(s, "organisation") == 0 || strcmp(s, "team") == 0 ||
	    strcmp(s, "user") == 0;
}

/* A scope allocations come from, and equal distribution splits. */
static int
source_type(const char *s)
{
	return strcmp(s, "account") == 0 || strcmp(s, "organisation") == 0 ||
	    strcmp(s, "team") == 0;
}

static const struct field scope_fields[] = {
	{ "type", FIELD_TEXT, FIELD_REQUIRED, 4, 12, allocated_type,
	    "organisation, team or user" },
	{ "id", FIELD_TEXT, FIELD_REQUIRED, 1, 320, NULL, NULL },
};

static const struct field from_fields[] = {
	{ "type", FIELD_TEXT, FIELD_REQUIRED, 4, 12, source_type,
	    "account, organisation or team" },
	{ "id", FIELD_TEXT, 0, 36, 36, uuid_valid, "an id" },
};

static const struct field dist_scope_fields[] = {
	{ "type", FIELD_TEXT, FIELD_REQUIRED, 4, 12, source_type,
	    "account, organisation or team" },
	{ "id", FIELD_TEXT, 0, 36, 36, uuid_valid, "an id" },
};

#define CREDITS_FIELD(flags) \
	{ "credits", FIELD_TEXT, flags, 1, CREDITS_STRLEN, \
	    credits_text_valid, "a decimal string of credits with at most " \
	    "6 decimals" }

static const struct field upsert_fields[] = {
	{ "scope", FIELD_OBJECT, FIELD_REQUIRED, 0, 0, NULL, NULL },
	CREDITS_FIELD(FIELD_REQUIRED),
	{ "from", FIELD_OBJECT, 0, 0, 0, NULL, NULL },
};

static const struct field override_fields[] = {
	{ "user", FIELD_TEXT, FIELD_REQUIRED, 1, 320, NULL, NULL },
	CREDITS_FIELD(FIELD_REQUIRED),
	{ "from", FIELD_OBJECT, 0, 0, 0, NULL, NULL },
};

static const struct field distribute_fields[] = {
	{ "scope", FIELD_OBJECT, FIELD_REQUIRED, 0, 0, NULL, NULL },
	{ "credits", FIELD_TEXT, FIELD_REQUIRED, 1, CREDITS_STRLEN,
	    credits_positive_valid, "a decimal string of credits above 0" },
	{ "dry_run", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
};

static const struct field account_fields[] = {
	{ "account_id", FIELD_TEXT, FIELD_REQUIRED, 36, 36, uuid_valid,
	    "an account id" },
	CREDITS_FIELD(FIELD_REQUIRED),
	{ "reason", FIELD_TEXT, 0, 0, 500, NULL, NULL },
};

/*
 * Validates obj (the body, or its member name when name is not NULL)
 * against fields. 0, or -1 with the request answered; an error in a
 * member names it ("scope.type").
 */
static int
object_valid(struct req *r, const char *name, const struct field *fields,
    size_t n)
{
	const cJSON		*obj = name == NULL ? r->body :
				    cJSON_GetObjectItemCaseSensitive(r->body, name);
	struct field_error	 e;
	char			 field[sizeof(e.field) + 16];

	if (obj == NULL || validate_object(obj, fields, n, &e) == 0)
		return 0;
	if (name != NULL) {
		(void)snprintf(field, sizeof(field), "%.12s.%.48s", name,
		    e.field);
		(void)snprintf(e.field, sizeof(e.field), "%.63s", field);
	}
	resp_field_error(r, &e);
	return -1;
}

/* A text member of the body's object member name, or NULL. */
static const char *
inner(const struct req *r, const char *name, const char *member)
{
	return text_member(cJSON_GetObjectItemCaseSensitive(r->body, name),
	    member);
}

/* Micro-credits of the validated member "credits", as text into out. */
static const char *
micro_text(const struct req *r, char *out, size_t len)
{
	int64_t	 micro = 0;

	(void)credits_parse(text_member(r->body, "credits"), &micro);
	(void)snprintf(out, len, "%lld", (long long)micro);
	return out;
}

/*
 * Runs a change (not the transaction's end: a refusal, or a dry run,
 * rolls it back) and answers what it said, or 402/500 as it failed.
 * Returns the status answered.
 */
static int
change(struct req *r, int stmt, int n, const char *const *v)
{
	PGresult	*res;

	if ((res = req_stmt(r, &stmts[stmt], n, v, 0)) == NULL)
		return r->status;
	budget_answer(r, res);
	return r->status;
}

/* Answers the account allocation of account (200), in the transaction. */
static void
account_answer(struct req *r, const char *account)
{
	PGresult	*res;

	buf_reset(&r->out);
	if ((res = req_stmt(r, &stmts[ST_ACCOUNT_GET], 1, &account, 0)) != NULL)
		json_answer(r, res, 200, "no such account");
}

/*
 * GET /v1/budgets/account-allocation and
 * /v1/budgets/copilot/account-allocation: the account's credits per
 * period, allocated, Unallocated, the period's spent, held and remaining,
 * and the latest grants.
 */
void
account_allocation_get(struct req *r)
{
	const char	*account;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (account = req_account(r)) == NULL)
		return;
	account_answer(r, account);
}

/*
 * POST /v1/budgets/account-allocation {"account_id", "credits",
 * "reason"?} (super admins): sets the account's credits per period; the
 * difference is granted into its Unallocated pool. 200 with the account
 * allocation; 404; 409 below_spend or allocations_exceed.
 */
void
account_allocation_set(struct req *r)
{
	char		 micro[24];
	const char	*v[6];

	if (object_valid(r, NULL, account_fields, NFIELDS(account_fields)) == -1)
		return;
	v[0] = text_member(r->body, "account_id");
	v[1] = micro_text(r, micro, sizeof(micro));
	v[2] = text_member(r->body, "reason");
	audit_who(r, v + 3);
	if (change(r, ST_ACCOUNT_SET, 6, v) == 200)
		account_answer(r, v[0]);
}

static int
pool_item(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, PQgetvalue(res, i, 0));
}

/* Answers a page of pools of rule (NULL: all). */
static void
pool_page(struct req *r, const char *rule)
{
	static const char *const params[] = { "limit", "cursor", NULL };
	struct page	 page;
	char		 fetch[16];
	const char	*v[5];
	PGresult	*res;

	if (req_query_allow(r, params) == -1 || req_page(r, &page, 1) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[1] = rule;
	page_after(&page, &v[2], &v[3]);
	v[4] = fetch;
	if ((res = req_stmt(r, &stmts[ST_POOLS], 5, v, DB_LAST)) == NULL)
		return;
	if (page_json_keyed(&r->out, res, PQntuples(res), page.limit, 1, 2,
	    pool_item) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * GET /v1/budgets/copilot/allocations?limit=&cursor=: the account's
 * active pools, the account's first, then organisations, teams, users:
 * each with its scope, rule, credits, source (allocated_from), and the
 * current period's spent, held, remaining and unallocated.
 */
void
allocations_list(struct req *r)
{
	pool_page(r, NULL);
}

/* GET /v1/budgets/copilot/overrides: the User Overrides, as pools. */
void
overrides_list(struct req *r)
{
	pool_page(r, "override");
}

/*
 * POST /v1/budgets/copilot/allocations/upsert {"scope": {"type":
 * organisation|team|user, "id" (a user's: or email)}, "credits",
 * "from"?: {"type": account|organisation|team, "id"?}}: sets the scope's
 * allocation. 201 made, 200 changed, with the pool; 409
 * insufficient_unallocated (the source has too little), allocations_exceed
 * (its own allocations need more), below_spend, override_set; 422.
 */
void
allocation_upsert(struct req *r)
{
	char		 micro[24];
	const char	*v[10];

	if (object_valid(r, NULL, upsert_fields, NFIELDS(upsert_fields)) == -1 ||
	    object_valid(r, "scope", scope_fields, NFIELDS(scope_fields)) == -1 ||
	    object_valid(r, "from", from_fields, NFIELDS(from_fields)) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = inner(r, "scope", "type");
	v[2] = inner(r, "scope", "id");
	v[3] = micro_text(r, micro, sizeof(micro));
	v[4] = inner(r, "from", "type");
	v[5] = inner(r, "from", "id");
	v[6] = "allocation";
	audit_who(r, v + 7);
	(void)change(r, ST_SET, 10, v);
}

/*
 * POST /v1/budgets/copilot/overrides {"user" (id or email), "credits",
 * "from"?}: sets the user's User Override, which replaces an allocation
 * and which equal distribution leaves alone. As allocations/upsert.
 */
void
override_set(struct req *r)
{
	char		 micro[24];
	const char	*v[10];

	if (object_valid(r, NULL, override_fields,
	    NFIELDS(override_fields)) == -1 ||
	    object_valid(r, "from", from_fields, NFIELDS(from_fields)) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = "user";
	v[2] = text_member(r->body, "user");
	v[3] = micro_text(r, micro, sizeof(micro));
	v[4] = inner(r, "from", "type");
	v[5] = inner(r, "from", "id");
	v[6] = "override";
	audit_who(r, v + 7);
	(void)change(r, ST_SET, 10, v);
}

/*
 * DELETE /v1/budgets/copilot/allocations?scope_type=&scope_id=: ends the
 * scope's allocation (or User Override); its unspent credits go back to
 * its source. 200 {"deleted": the pool, "returned": credits}; 404; 409
 * has_allocations.
 */
void
allocation_delete(struct req *r)
{
	static const char *const params[] = { "scope_type", "scope_id", NULL };
	const char	*v[7];

	if (req_query_allow(r, params) == -1 || (v[0] = req_account(r)) == NULL)
		return;
	v[1] = req_query(r, "scope_type");
	v[2] = req_query(r, "scope_id");
	if (v[1] == NULL || !allocated_type(v[1])) {
		resp_error(r, 400, "invalid_parameter", "scope_type", "scope_type "
		    "must be organisation, team or user");
		return;
	}
	if (v[2] == NULL || *v[2] == '\0' || strlen(v[2]) > 320) {
		resp_error(r, 400, "invalid_parameter", "scope_id", "scope_id "
		    "must name the scope (a user: its id or email)");
		return;
	}
	v[3] = NULL;
	audit_who(r, v + 4);
	(void)change(r, ST_DELETE, 7, v);
}

/* DELETE /v1/budgets/copilot/overrides/{user}: as allocations' DELETE. */
void
override_delete(struct req *r)
{
	const char	*v[7];

	if ((v[0] = req_account(r)) == NULL)
		return;
	v[1] = "user";
	v[2] = req_param(r, 0);
	v[3] = "override";
	audit_who(r, v + 4);
	(void)change(r, ST_DELETE, 7, v);
}

/*
 * POST /v1/budgets/copilot/distribute/equal {"scope": {"type": account|
 * organisation|team, "id"?}, "credits", "dry_run"?}: an allocation of
 * credits / n to each of the scope's n active users (not those with a
 * User Override), from the scope's pool; the remainder stays
 * unallocated. 200 {"each", "users", "remainder", "skipped_overrides",
 * "dry_run"}, nothing changed when dry_run; 409 as an allocation (naming
 * the first user refused; nothing changes) or not_allocated; 422.
 */
void
distribute_equal(struct req *r)
{
	char		 micro[24];
	const char	*v[8];

	if (object_valid(r, NULL, distribute_fields,
	    NFIELDS(distribute_fields)) == -1 ||
	    object_valid(r, "scope", dist_scope_fields,
	    NFIELDS(dist_scope_fields)) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = inner(r, "scope", "type");
	v[2] = inner(r, "scope", "id");
	if (strcmp(v[1], "account") != 0 && v[2] == NULL) {
		resp_error(r, 422, "invalid_field", "scope.id", "scope.id names "
		    "the %s", v[1]);
		return;
	}
	v[3] = micro_text(r, micro, sizeof(micro));
	v[4] = bool_member(r->body, "dry_run");
	if (v[4] == NULL)
		v[4] = "f";
	audit_who(r, v + 5);
	if (change(r, ST_DISTRIBUTE, 8, v) == 200 && strcmp(v[4], "t") == 0 &&
	    db_finish(&r->w->db, 0) != DB_OK)
		resp_error(r, 503, "database_unavailable", NULL, "the database is "
		    "unavailable; retry shortly");
}
