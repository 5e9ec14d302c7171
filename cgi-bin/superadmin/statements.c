/* The SQL of superadmin.fcgi, prepared once per connection. */
#include "audit.h"
#include "superadmin.h"

/* A plan as JSON text, p naming it; "null" without one. */
#define PLAN_JSON(p) \
	"CASE WHEN " p ".id IS NULL THEN 'null' ELSE json_build_object(" \
	"'id', " p ".id, 'slug', " p ".slug, 'name', " p ".name)::text END"

/* The accounts asked for, n their place in the request. */
#define REQ_IDS \
	"req AS (SELECT x.id, x.n FROM unnest($1::uuid[]) " \
	"WITH ORDINALITY AS x (id, n))"

/* What an account's granted credits may add up to: bigint's maximum. */
#define GRANTED_MAX	"9223372036854775807"

/* The credits to grant would take the account past GRANTED_MAX. */
#define GRANT_OVERFLOWS \
	"cur.granted > " GRANTED_MAX " - $3::bigint"

const struct stmt superadmin_stmts[ST__MAX] = {
	/*
	 * $1 ILIKE pattern or NULL, $2 status or NULL, $3 plan slug or NULL,
	 * $4/$5 the cursor's (created_at, id) or NULL, $6 rows to fetch. The
	 * totals over every matching account (sums as numeric text), then
	 * the page's accounts, in creation order; one row of totals and
	 * nulls when the page is empty. The page's counts and sums are
	 * taken per account, by its indexes. Credits used are the debits of
	 * the account's own pool (every usage charges it once, and the pools
	 * below it too); open alerts are those of the account's current
	 * period; both come last, the totals' before the account's.
	 */
	[ST_SUMMARY] = { "superadmin_summary",
	    "WITH m AS (SELECT a.id, a.status, a.created_at FROM accounts a "
	    "LEFT JOIN account_subscriptions s ON s.account_id = a.id "
	    "LEFT JOIN plans p ON p.id = s.plan_id "
	    "WHERE ($1::text IS NULL OR a.name ILIKE $1 OR a.slug ILIKE $1) "
	    "AND ($2::text IS NULL OR a.status = $2) "
	    "AND ($3::text IS NULL OR p.slug = $3)), "
	    "t AS (SELECT count(*) AS accounts, "
	    "count(*) FILTER (WHERE m.status = 'active') AS active, "
	    "count(*) FILTER (WHERE m.status = 'suspended') AS suspended, "
	    "(SELECT count(*) FROM users u JOIN m ON u.account_id = m.id "
	    "WHERE u.status = 'active') AS users, "
	    "(SELECT coalesce(sum(g.micro_credits), 0) FROM credit_grants g "
	    "JOIN m ON g.account_id = m.id) AS granted, "
	    "(SELECT coalesce(sum(l.micro_credits), 0) FROM credit_ledger l "
	    "JOIN m ON l.account_id = m.id JOIN credit_pools cp "
	    "ON cp.id = l.pool_id AND cp.scope_type = 'unallocated') AS used, "
	    "(SELECT count(*) FROM m, cockpit_budget_period(m.id, "
	    "clock_timestamp()) bp, budget_alerts al WHERE al.account_id = m.id "
	    "AND al.period_start = bp.period_start) AS open_alerts FROM m), "
	    "pg AS (SELECT m.id FROM m WHERE ($4::timestamptz IS NULL OR "
	    "(m.created_at, m.id) > ($4::timestamptz, $5::uuid)) "
	    "ORDER BY m.created_at, m.id LIMIT $6) "
	    "SELECT t.accounts, t.active, t.suspended, t.users, t.granted, "
	    "t.used, a.id, a.name, a.slug, a.status, "
	    "CASE WHEN a.id IS NULL THEN NULL ELSE " PLAN_JSON("p") " END, "
	    "(SELECT count(*) FROM users u WHERE u.account_id = a.id "
	    "AND u.status = 'active'), "
	    "(SELECT coalesce(sum(g.micro_credits), 0) FROM credit_grants g "
	    "WHERE g.account_id = a.id), "
	    "(SELECT coalesce(sum(l.micro_credits), 0) FROM credit_ledger l "
	    "JOIN credit_pools cp ON cp.id = l.pool_id "
	    "AND cp.scope_type = 'unallocated' WHERE l.account_id = a.id), "
	    SQL_TS("a.created_at") ", t.open_alerts, "
	    "(SELECT count(*) FROM cockpit_budget_period(a.id, "
	    "clock_timestamp()) bp, budget_alerts al WHERE al.account_id = a.id "
	    "AND al.period_start = bp.period_start) "
	    "FROM t LEFT JOIN (pg JOIN accounts a ON a.id = pg.id "
	    "LEFT JOIN account_subscriptions s ON s.account_id = a.id "
	    "LEFT JOIN plans p ON p.id = s.plan_id) ON true "
	    "ORDER BY a.created_at, a.id" },
	/*
	 * $1 accounts (a uuid array), $2 dry run, $3 the status to set,
	 * $4-$6 who. One row per account asked, in its order (enum
	 * bulk_col): the account's status before and after. A change is
	 * audited in the account's chain (account.suspend or
	 * account.activate); nothing is written in a dry run.
	 */
	[ST_BULK_STATUS] = { "superadmin_bulk_status",
	    "WITH " REQ_IDS ", "
	    "old AS (SELECT a.* FROM accounts a WHERE a.id = ANY ($1::uuid[]) "
	    "ORDER BY a.id FOR UPDATE), "
	    "ch AS (UPDATE accounts SET status = $3::text, "
	    "updated_at = clock_timestamp() FROM old "
	    "WHERE accounts.id = old.id AND old.status <> $3::text "
	    "AND NOT $2::boolean RETURNING accounts.*) "
	    "SELECT req.id::text, CASE WHEN old.id IS NULL THEN 'failed' "
	    "WHEN old.status = $3::text THEN 'unchanged' "
	    "WHEN ch.id IS NULL THEN 'would_change' ELSE 'changed' END, "
	    "CASE WHEN old.id IS NULL THEN 'not_found' END, "
	    "old.status, CASE WHEN old.id IS NOT NULL THEN $3::text END, "
	    "NULL, NULL, "
	    "CASE WHEN ch.id IS NOT NULL THEN cockpit_audit(ch.id, $4::text, "
	    "$5::text, CASE WHEN $3::text = 'suspended' THEN 'account.suspend' "
	    "ELSE 'account.activate' END, 'account', ch.id::text, $6::text, "
	    AUDIT_ROW_DIGEST("old") ", " AUDIT_ROW_DIGEST("ch") ") END "
	    "FROM req LEFT JOIN old ON old.id = req.id "
	    "LEFT JOIN ch ON ch.id = req.id ORDER BY req.n" },
	/*
	 * $1 accounts, $2 dry run, $3 the plan's slug, $4-$6 who. One row
	 * per account asked: its plan before and after (JSON text), and
	 * whether the plan exists and is active; without an active plan
	 * nothing changes. A change is audited (account.plan.change).
	 */
	[ST_BULK_PLAN] = { "superadmin_bulk_plan",
	    "WITH " REQ_IDS ", "
	    "np AS (SELECT id, slug, name, status FROM plans "
	    "WHERE slug = $3::text), "
	    "old AS (SELECT s.* FROM account_subscriptions s "
	    "WHERE s.account_id = ANY ($1::uuid[]) ORDER BY s.account_id "
	    "FOR UPDATE), "
	    "ch AS (UPDATE account_subscriptions t SET plan_id = np.id, "
	    "started_at = clock_timestamp(), updated_at = clock_timestamp() "
	    "FROM old, np WHERE t.account_id = old.account_id "
	    "AND np.status = 'active' AND old.plan_id IS DISTINCT FROM np.id "
	    "AND NOT $2::boolean RETURNING t.*) "
	    "SELECT req.id::text, CASE WHEN old.account_id IS NULL THEN "
	    "'failed' WHEN old.plan_id IS NOT DISTINCT FROM "
	    "(SELECT id FROM np) THEN 'unchanged' "
	    "WHEN ch.account_id IS NULL THEN 'would_change' "
	    "ELSE 'changed' END, "
	    "CASE WHEN old.account_id IS NULL THEN 'not_found' END, "
	    PLAN_JSON("op") ", (SELECT " PLAN_JSON("np") " FROM np), "
	    "EXISTS (SELECT 1 FROM np), "
	    "EXISTS (SELECT 1 FROM np WHERE np.status = 'active'), "
	    "CASE WHEN ch.account_id IS NOT NULL THEN "
	    AUDIT_EVENT("ch.account_id", "account.plan.change", "account",
	    "ch.account_id::text", AUDIT_ROW_DIGEST("old"),
	    AUDIT_ROW_DIGEST("ch"), "$4", "$5", "$6") " END "
	    "FROM req LEFT JOIN old ON old.account_id = req.id "
	    "LEFT JOIN plans op ON op.id = old.plan_id "
	    "LEFT JOIN ch ON ch.account_id = req.id ORDER BY req.n" },
	/*
	 * $1 accounts, $2 dry run, $3 micro-credits (> 0), $4 reason, $5-$7
	 * who. Grants into each account's Unallocated pool, under the
	 * account's lock, unless its grants would add up past bigint. One
	 * row per account asked: its granted micro-credits before and after.
	 * A grant is audited (credits.grant, on the grant).
	 */
	[ST_BULK_GRANT] = { "superadmin_bulk_grant",
	    "WITH " REQ_IDS ", "
	    "acc AS (SELECT a.id FROM accounts a WHERE a.id = ANY ($1::uuid[]) "
	    "ORDER BY a.id FOR NO KEY UPDATE), "
	    "cur AS (SELECT acc.id, p.id AS pool_id, "
	    "(SELECT coalesce(sum(g.micro_credits), 0) FROM credit_grants g "
	    "WHERE g.account_id = acc.id) AS granted FROM acc "
	    "JOIN credit_pools p ON p.account_id = acc.id "
	    "AND p.scope_type = 'unallocated'), "
	    "ins AS (INSERT INTO credit_grants (account_id, pool_id, "
	    "micro_credits, reason, granted_by, request_id) "
	    "SELECT cur.id, cur.pool_id, $3::bigint, $4::text, $5::text, "
	    "$7::text FROM cur WHERE NOT $2::boolean AND NOT "
	    GRANT_OVERFLOWS " RETURNING *) "
	    "SELECT req.id::text, CASE WHEN cur.id IS NULL OR "
	    GRANT_OVERFLOWS " THEN 'failed' "
	    "WHEN ins.id IS NULL THEN 'would_change' ELSE 'changed' END, "
	    "CASE WHEN cur.id IS NULL THEN 'not_found' "
	    "WHEN " GRANT_OVERFLOWS " THEN 'credits_overflow' END, "
	    "cur.granted::text, (cur.granted + $3::bigint)::text, NULL, NULL, "
	    "CASE WHEN ins.id IS NOT NULL THEN "
	    AUDIT_EVENT("ins.account_id", "credits.grant", "credit_grant",
	    "ins.id::text", "NULL", AUDIT_ROW_DIGEST("ins"), "$5", "$6", "$7")
	    " END "
	    "FROM req LEFT JOIN cur ON cur.id = req.id "
	    "LEFT JOIN ins ON ins.account_id = req.id ORDER BY req.n" },
};
