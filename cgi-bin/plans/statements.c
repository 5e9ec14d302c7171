/* The SQL of plans.fcgi, prepared once per connection. */
#include "plans.h"
#include "audit.h"
#include "pagination.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Micro-credits as the API writes credits: the shortest exact decimal. */
#define CREDITS(c) \
	"trim_scale(" c "::numeric / 1000000)::text"

/* A plan as the API shows it, p naming the row. */
#define PLAN_JSON(p) \
	"json_build_object('id', " p ".id, 'slug', " p ".slug, " \
	"'name', " p ".name, 'description', " p ".description, " \
	"'status', " p ".status, 'is_default', " p ".is_default, " \
	"'quotas', json_build_object('users', " p ".max_users, " \
	"'teams', " p ".max_teams, 'agents', " p ".max_agents, " \
	"'connections', " p ".max_connections, " \
	"'credits_per_cycle', " CREDITS(p ".credits_per_cycle") "), " \
	"'features', (SELECT coalesce(json_agg(pf.feature_key ORDER BY " \
	"pf.feature_key), '[]') FROM plan_features pf " \
	"WHERE pf.plan_id = " p ".id), " \
	"'accounts', (SELECT count(*) FROM account_subscriptions s " \
	"WHERE s.plan_id = " p ".id), " \
	"'created_at', " SQL_TS(p ".created_at") ", " \
	"'updated_at', " SQL_TS(p ".updated_at") ")::text"

/* A quota from the validated quotas object $q (jsonb); k its member. */
#define QUOTA_INT(q, k)		"(" q "->>'" k "')::integer"
#define QUOTA_CREDITS(q) \
	"((" q "->>'credits_per_cycle')::numeric * 1000000)::bigint"

/* Column c keeps its value unless the quotas object q has member k. */
#define QUOTA_SET(c, q, k, v) \
	c " = CASE WHEN " q " ? '" k "' THEN " v " ELSE p." c " END"

/* A feature as the API shows it, f naming the row. */
#define FEATURE_JSON(f) \
	"json_build_object('key', " f ".key, 'name', " f ".name, " \
	"'description', " f ".description, 'product_domain', " \
	f ".product_domain, 'default_enabled', " f ".default_enabled, " \
	"'created_at', " SQL_TS(f ".created_at") ", " \
	"'updated_at', " SQL_TS(f ".updated_at") ")"

/* One of an account's features (cockpit_account_features), f naming it. */
#define ENTITLEMENT_JSON(f) \
	"json_build_object('key', " f ".key, 'name', " f ".name, " \
	"'product_domain', " f ".product_domain, 'enabled', " f ".enabled, " \
	"'source', " f ".source, 'override', " f ".override)"

const struct stmt plans_stmts[ST__MAX] = {
	/*
	 * $1 ILIKE pattern or NULL, $2 status or NULL, $3/$4 the cursor as
	 * page_after() gives it, $5 rows to fetch: plan JSON, then created_at
	 * and id for the cursor.
	 */
	[ST_PLAN_LIST] = { "plan_list",
	    "SELECT " PLAN_JSON("p") ", " SQL_TS("p.created_at") ", p.id "
	    "FROM plans p "
	    "WHERE ($1::text IS NULL OR p.name ILIKE $1 OR p.slug ILIKE $1) "
	    "AND ($2::text IS NULL OR p.status = $2) "
	    "AND " PAGE_AFTER_TIME("p.created_at, p.id", "$3", "$4") " "
	    "ORDER BY p.created_at, p.id LIMIT $5" },
	[ST_PLAN_GET] = { "plan_get",
	    "SELECT " PLAN_JSON("p") " FROM plans p WHERE p.id = $1" },
	/*
	 * $1 the plan that becomes the default (NULL: a new one), $2-$4
	 * who: the old default stops being it.
	 */
	[ST_PLAN_CLEAR_DEFAULT] = { "plan_clear_default",
	    "WITH old AS (SELECT * FROM plans WHERE is_default "
	    "AND id IS DISTINCT FROM $1::uuid FOR UPDATE), "
	    "p AS (UPDATE plans SET is_default = false, "
	    "updated_at = clock_timestamp() FROM old "
	    "WHERE plans.id = old.id RETURNING plans.*) "
	    "SELECT " AUDIT_EVENT("NULL", "plan.update", "plan", "p.id::text",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("p"), "$2", "$3", "$4")
	    " FROM p, old" },
	/*
	 * $1 slug, $2 name, $3 description, $4 status, $5 is_default, $6
	 * quotas (jsonb), $7 features (text[]), $8-$10 who. The plan, or
	 * no row when the catalogue is full. 23505: the slug is taken;
	 * 23503: a feature is unknown.
	 */
	[ST_PLAN_CREATE] = { "plan_create",
	    "WITH p AS (INSERT INTO plans (slug, name, description, status, "
	    "is_default, max_users, max_teams, max_agents, max_connections, "
	    "credits_per_cycle) SELECT $1, $2, coalesce($3, ''), "
	    "coalesce($4, 'active'), coalesce($5::boolean, false), "
	    QUOTA_INT("$6::jsonb", "users") ", "
	    QUOTA_INT("$6::jsonb", "teams") ", "
	    QUOTA_INT("$6::jsonb", "agents") ", "
	    QUOTA_INT("$6::jsonb", "connections") ", "
	    QUOTA_CREDITS("$6::jsonb") " "
	    "WHERE (SELECT count(*) FROM plans) < " XSTR(PLANS_MAX) " "
	    "RETURNING *), "
	    "f AS (INSERT INTO plan_features (plan_id, feature_key) "
	    "SELECT p.id, k FROM p, unnest($7::text[]) AS k RETURNING 1) "
	    "SELECT p.id, (SELECT count(*) FROM f), "
	    AUDIT_EVENT("NULL", "plan.create", "plan", "p.id::text", "NULL",
	    AUDIT_ROW_DIGEST("p"), "$8", "$9", "$10") " FROM p" },
	/*
	 * $1 plan, $2 slug, $3 name, $4 description, $5 status, $6
	 * is_default (each NULL: kept), $7 quotas (jsonb: only its members
	 * change), $8 features (text[], NULL: kept), $9-$11 who. The plan's
	 * id, or no row.
	 */
	[ST_PLAN_UPDATE] = { "plan_update",
	    "WITH old AS (SELECT * FROM plans WHERE id = $1 FOR UPDATE), "
	    "n AS (UPDATE plans p SET slug = coalesce($2, p.slug), "
	    "name = coalesce($3, p.name), "
	    "description = coalesce($4, p.description), "
	    "status = coalesce($5, p.status), "
	    "is_default = coalesce($6::boolean, p.is_default), "
	    QUOTA_SET("max_users", "$7::jsonb", "users",
	    QUOTA_INT("$7::jsonb", "users")) ", "
	    QUOTA_SET("max_teams", "$7::jsonb", "teams",
	    QUOTA_INT("$7::jsonb", "teams")) ", "
	    QUOTA_SET("max_agents", "$7::jsonb", "agents",
	    QUOTA_INT("$7::jsonb", "agents")) ", "
	    QUOTA_SET("max_connections", "$7::jsonb", "connections",
	    QUOTA_INT("$7::jsonb", "connections")) ", "
	    QUOTA_SET("credits_per_cycle", "$7::jsonb", "credits_per_cycle",
	    QUOTA_CREDITS("$7::jsonb")) ", "
	    "updated_at = clock_timestamp() FROM old WHERE p.id = old.id "
	    "RETURNING p.*), "
	    "gone AS (DELETE FROM plan_features pf USING n "
	    "WHERE pf.plan_id = n.id AND $8::text[] IS NOT NULL "
	    "AND pf.feature_key <> ALL ($8::text[]) RETURNING 1), "
	    "added AS (INSERT INTO plan_features (plan_id, feature_key) "
	    "SELECT n.id, k FROM n, unnest(coalesce($8::text[], '{}')) AS k "
	    "ON CONFLICT DO NOTHING RETURNING 1) "
	    "SELECT n.id, (SELECT count(*) FROM gone), "
	    "(SELECT count(*) FROM added), "
	    AUDIT_EVENT("NULL", "plan.update", "plan", "n.id::text",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("n"), "$9", "$10", "$11")
	    " FROM n, old" },
	/*
	 * $1 plan, $2-$4 who. One row: whether it existed, how many
	 * accounts use it, and the id deleted (NULL: kept, being used).
	 */
	[ST_PLAN_DELETE] = { "plan_delete",
	    "WITH old AS (SELECT * FROM plans WHERE id = $1 FOR UPDATE), "
	    "used AS (SELECT count(*) AS n FROM account_subscriptions "
	    "WHERE plan_id = $1), "
	    "gone AS (DELETE FROM plans p USING old, used "
	    "WHERE p.id = old.id AND used.n = 0 RETURNING p.id), "
	    "ev AS (SELECT " AUDIT_EVENT("NULL", "plan.delete", "plan",
	    "old.id::text", AUDIT_ROW_DIGEST("old"), "NULL", "$2", "$3", "$4")
	    " FROM old, gone) "
	    "SELECT EXISTS (SELECT 1 FROM old), (SELECT n FROM used), "
	    "(SELECT id FROM gone), (SELECT count(*) FROM ev)" },
	/* $1 product domain or NULL: the catalogue as one JSON array. */
	[ST_FEATURE_LIST] = { "feature_list",
	    "SELECT coalesce(json_agg(" FEATURE_JSON("f") " ORDER BY f.key), "
	    "'[]')::text FROM features f "
	    "WHERE $1::text IS NULL OR f.product_domain = $1" },
	/*
	 * $1 key, $2 name, $3 description, $4 product domain, $5
	 * default_enabled, $6-$8 who. The feature, or no row when the
	 * catalogue is full; 23505: the key is taken.
	 */
	[ST_FEATURE_CREATE] = { "feature_create",
	    "WITH f AS (INSERT INTO features (key, name, description, "
	    "product_domain, default_enabled) SELECT $1, $2, coalesce($3, ''), "
	    "$4, coalesce($5::boolean, false) "
	    "WHERE (SELECT count(*) FROM features) < " XSTR(FEATURES_MAX) " "
	    "RETURNING *) "
	    "SELECT " FEATURE_JSON("f") "::text, "
	    AUDIT_EVENT("NULL", "feature.create", "feature", "f.key",
	    "NULL", AUDIT_ROW_DIGEST("f"), "$6", "$7", "$8") " FROM f" },
	/*
	 * $1 key, $2 name, $3 description, $4 product domain, $5
	 * default_enabled (each NULL: kept), $6-$8 who. The feature, or no
	 * row.
	 */
	[ST_FEATURE_UPDATE] = { "feature_update",
	    "WITH old AS (SELECT * FROM features WHERE key = $1 FOR UPDATE), "
	    "f AS (UPDATE features t SET name = coalesce($2, t.name), "
	    "description = coalesce($3, t.description), "
	    "product_domain = coalesce($4, t.product_domain), "
	    "default_enabled = coalesce($5::boolean, t.default_enabled), "
	    "updated_at = clock_timestamp() FROM old WHERE t.key = old.key "
	    "RETURNING t.*) "
	    "SELECT " FEATURE_JSON("f") "::text, "
	    AUDIT_EVENT("NULL", "feature.update", "feature", "f.key",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("f"), "$6", "$7", "$8")
	    " FROM f, old" },
	/*
	 * $1 key, $2-$4 who: the key deleted, or no row. Plans and accounts
	 * lose it with it.
	 */
	[ST_FEATURE_DELETE] = { "feature_delete",
	    "WITH old AS (SELECT * FROM features WHERE key = $1 FOR UPDATE), "
	    "f AS (DELETE FROM features t USING old WHERE t.key = old.key "
	    "RETURNING t.key) "
	    "SELECT f.key, "
	    AUDIT_EVENT("NULL", "feature.delete", "feature", "old.key",
	    AUDIT_ROW_DIGEST("old"), "NULL", "$2", "$3", "$4") " FROM f, old" },
	/* $1 account: its features as JSON, or no row (no such account). */
	[ST_ENTITLEMENT_LIST] = { "entitlement_list",
	    "SELECT json_build_object('account_id', a.id, 'items', "
	    "(SELECT coalesce(json_agg(" ENTITLEMENT_JSON("f") " ORDER BY "
	    "f.key), '[]') FROM cockpit_account_features(a.id) f))::text "
	    "FROM accounts a WHERE a.id = $1" },
	/*
	 * $1 account, $2 feature, $3 enabled ('t', 'f', or NULL: clear the
	 * override), $4-$6 who. One row: whether the account and the
	 * feature exist, then the feature as the account now gets it.
	 */
	[ST_ENTITLEMENT_SET] = { "entitlement_set",
	    "WITH t AS (SELECT a.id AS account_id, f.key FROM accounts a, "
	    "features f WHERE a.id = $1 AND f.key = $2), "
	    "old AS (SELECT e.* FROM account_entitlements e, t "
	    "WHERE e.account_id = t.account_id AND e.feature_key = t.key "
	    "FOR UPDATE), "
	    "up AS (INSERT INTO account_entitlements (account_id, "
	    "feature_key, enabled, updated_by) SELECT t.account_id, t.key, "
	    "$3::boolean, $4 FROM t WHERE $3::boolean IS NOT NULL "
	    "ON CONFLICT (account_id, feature_key) DO UPDATE SET "
	    "enabled = EXCLUDED.enabled, updated_by = EXCLUDED.updated_by, "
	    "updated_at = clock_timestamp() RETURNING *), "
	    "gone AS (DELETE FROM account_entitlements e USING t "
	    "WHERE $3::boolean IS NULL AND e.account_id = t.account_id "
	    "AND e.feature_key = t.key RETURNING e.*), "
	    "ev AS (SELECT cockpit_audit(t.account_id, $4::text, $5::text, "
	    "CASE WHEN $3::boolean IS NULL THEN 'account.entitlement.clear' "
	    "ELSE 'account.entitlement.set' END, 'feature', t.key, $6::text, "
	    "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old), "
	    "(SELECT " AUDIT_ROW_DIGEST("up") " FROM up)) FROM t "
	    "WHERE EXISTS (SELECT 1 FROM up) OR EXISTS (SELECT 1 FROM gone)) "
	    "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1), "
	    "EXISTS (SELECT 1 FROM features WHERE key = $2), "
	    "(SELECT count(*) FROM ev)" },
	/*
	 * $1 account: what its people may use, as one JSON object, or no
	 * row (no such account). Client applications ask on every request,
	 * so the quotas are the plan's limits only: what is used (counted)
	 * is in the feature pack.
	 */
	[ST_EFFECTIVE] = { "effective",
	    "SELECT json_build_object('account_id', s.account_id, "
	    "'plan', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object("
	    "'id', p.id, 'slug', p.slug, 'name', p.name) END, "
	    "'product_domains', to_json(s.product_domains), "
	    "'features', (SELECT coalesce(json_object_agg(f.key, f.enabled "
	    "ORDER BY f.key), '{}') FROM cockpit_account_features(s.account_id) "
	    "f), "
	    "'quotas', json_build_object("
	    "'users', json_build_object('limit', p.max_users), "
	    "'teams', json_build_object('limit', p.max_teams), "
	    "'agents', json_build_object('limit', p.max_agents), "
	    "'connections', json_build_object('limit', p.max_connections)), "
	    "'credits_per_cycle', " CREDITS("p.credits_per_cycle") ", "
	    "'console_model_policy', json_build_object('mode', "
	    "coalesce(m.mode, 'open'), 'allowed_providers', "
	    "to_json(coalesce(m.allowed_providers, '{}'))))::text "
	    "FROM account_subscriptions s "
	    "LEFT JOIN plans p ON p.id = s.plan_id "
	    "LEFT JOIN console_model_policies m ON m.account_id = s.account_id "
	    "WHERE s.account_id = $1" },
};
