/* The SQL of accounts.fcgi, prepared once per connection. */
#include "accounts.h"
#include "audit.h"
#include "pagination.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)

/* Columns in the order account_json() reads them. */
#define ACCOUNT_COLUMNS \
	"id, name, slug, status, " SQL_TS("created_at") ", " SQL_TS("updated_at")

/* An API key's columns as stored, t naming the table ("api_keys."). */
#define KEY_RAW(t) \
	t "id, " t "account_id, " t "name, " t "prefix, " t "created_by, " \
	t "created_at, " t "rotated_at, " t "last_used_at, " t "revoked_at, " \
	t "previous_expires_at, " t "scope"

/*
 * The same in the order api_key_json() reads them, k naming the relation
 * ("k."); never a digest. created_at is fifth, as the cursor wants it.
 */
#define KEY_COLUMNS(k) \
	k "id, " k "name, " k "prefix, " k "created_by, " \
	SQL_TS(k "created_at") ", " SQL_TS(k "rotated_at") ", " \
	SQL_TS(k "last_used_at") ", " SQL_TS(k "revoked_at") ", " \
	SQL_TS(k "previous_expires_at") ", " \
	"CASE WHEN " k "revoked_at IS NULL THEN 'active' ELSE 'revoked' END, " \
	k "scope"

/*
 * The audit event of the key k just written: actor, role and request name
 * the parameters that hold them.
 */
#define KEY_AUDIT(action, actor, role, request) \
	AUDIT_EVENT("k.account_id", action, "api_key", "k.id::text", "NULL", \
	    "NULL", actor, role, request)

/* An admin (a user) in the order admin_json() reads them, u naming it. */
#define ADMIN_COLUMNS(u) \
	u "id, " u "email, " u "display_name, " u "status, " u "role, " \
	u "subject IS NOT NULL, " SQL_TS(u "last_login_at") ", " \
	SQL_TS(u "created_at") ", " SQL_TS(u "updated_at")

/* The account admin $2 (an email) of account $1, locked. */
#define ADMIN_OLD \
	"old AS (SELECT * FROM users WHERE account_id = $1 " \
	"AND email_lower = lower($2) AND role = 'account_admin' FOR UPDATE)"

/* A plan as JSON, p naming it; null without one. */
#define PLAN_REF(p) \
	"CASE WHEN " p ".id IS NULL THEN NULL ELSE json_build_object('id', " \
	p ".id, 'slug', " p ".slug, 'name', " p ".name, 'status', " p \
	".status) END"

const struct stmt accounts_stmts[ST__MAX] = {
	/* $1 name, $2 slug, $3-$5 who (audit_who). */
	[ST_ACCOUNT_CREATE] = { "account_create",
	    "WITH a AS (INSERT INTO accounts (name, slug, created_at, "
	    "updated_at) SELECT $1, $2, t, t FROM clock_timestamp() AS t "
	    "RETURNING *) "
	    "SELECT " ACCOUNT_COLUMNS ", "
	    AUDIT_EVENT("a.id", "account.create", "account", "a.id::text",
	    "NULL", AUDIT_ROW_DIGEST("a"), "$3", "$4", "$5") " FROM a" },
	[ST_ACCOUNT_GET] = { "account_get",
	    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1" },
	/*
	 * $1 ILIKE pattern or NULL, $2 status or NULL, $3/$4 the cursor's
	 * (created_at, id) as page_after() gives them, $5 rows to fetch (the
	 * page size + 1, to know whether another page follows).
	 */
	[ST_ACCOUNT_LIST] = { "account_list",
	    "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE ($1::text IS NULL OR name ILIKE $1 OR slug ILIKE $1) "
	    "AND ($2::text IS NULL OR status = $2) "
	    "AND " PAGE_AFTER_TIME("created_at, id", "$3", "$4") " "
	    "ORDER BY created_at, id LIMIT $5" },
	/* $1 account, $2 name or NULL, $3 slug or NULL, $4-$6 who. */
	[ST_ACCOUNT_UPDATE] = { "account_update",
	    "WITH old AS (SELECT * FROM accounts WHERE id = $1 FOR UPDATE), "
	    "a AS (UPDATE accounts SET name = coalesce($2, accounts.name), "
	    "slug = coalesce($3, accounts.slug), "
	    "updated_at = clock_timestamp() FROM old "
	    "WHERE accounts.id = old.id RETURNING accounts.*) "
	    "SELECT " ACCOUNT_COLUMNS ", "
	    AUDIT_EVENT("a.id", "account.update", "account", "a.id::text",
	    "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old)",
	    AUDIT_ROW_DIGEST("a"), "$4", "$5", "$6") " FROM a" },
	/*
	 * $1 account, $2 status, $3-$5 who. The account, changed or not;
	 * a change is audited (account.suspend, account.activate).
	 */
	[ST_ACCOUNT_STATUS] = { "account_status",
	    "WITH old AS (SELECT * FROM accounts WHERE id = $1 FOR UPDATE), "
	    "a AS (UPDATE accounts SET status = $2, "
	    "updated_at = clock_timestamp() FROM old "
	    "WHERE accounts.id = old.id AND old.status <> $2 "
	    "RETURNING accounts.*), "
	    "ev AS (SELECT cockpit_audit(a.id, $3::text, $4::text, "
	    "CASE WHEN $2 = 'suspended' THEN 'account.suspend' "
	    "ELSE 'account.activate' END, 'account', a.id::text, $5::text, "
	    AUDIT_ROW_DIGEST("old") ", " AUDIT_ROW_DIGEST("a") ") "
	    "FROM a, old), "
	    "x AS (SELECT * FROM a UNION ALL "
	    "SELECT * FROM old WHERE NOT EXISTS (SELECT 1 FROM a)) "
	    "SELECT " ACCOUNT_COLUMNS ", (SELECT count(*) FROM ev) FROM x" },
	/*
	 * $1 account, $2 its slug (the confirmation), $3-$5 who. Deletes the
	 * account and, by cascade, its data; its audit chain stays, ending
	 * with account.delete. One row: the id deleted or NULL, and whether
	 * the account existed.
	 */
	[ST_ACCOUNT_DELETE] = { "account_delete",
	    "WITH old AS (SELECT * FROM accounts WHERE id = $1 AND slug = $2 "
	    "FOR UPDATE), "
	    "ev AS (SELECT old.id, "
	    AUDIT_EVENT("old.id", "account.delete", "account", "old.id::text",
	    AUDIT_ROW_DIGEST("old"), "NULL", "$3", "$4", "$5") " AS h "
	    "FROM old), "
	    "gone AS (DELETE FROM accounts d USING ev WHERE d.id = ev.id "
	    "RETURNING d.id) "
	    "SELECT (SELECT id FROM gone), "
	    "EXISTS (SELECT 1 FROM accounts WHERE id = $1)" },
	/* $1 account: its organisation and domains (JSON), or no row. */
	[ST_SSO_GET] = { "sso_get",
	    "SELECT a.auth_org_id, coalesce(json_agg(json_build_object("
	    "'domain', d.domain, 'verified_at', " SQL_TS("d.verified_at") ", "
	    "'created_at', " SQL_TS("d.created_at") ") ORDER BY d.domain) "
	    "FILTER (WHERE d.domain IS NOT NULL), '[]') "
	    "FROM accounts a LEFT JOIN account_domains d "
	    "ON d.account_id = a.id WHERE a.id = $1 GROUP BY a.id" },
	/*
	 * $1 account, $2 organisation or NULL (kept), $3 domains (a text
	 * array) or NULL (kept), $4-$6 who. Given domains replace the
	 * others, verified now. No row when the account does not exist.
	 */
	[ST_SSO_SET] = { "sso_set",
	    "WITH old AS (SELECT * FROM accounts WHERE id = $1 FOR UPDATE), "
	    "a AS (UPDATE accounts SET auth_org_id = "
	    "coalesce($2, accounts.auth_org_id), updated_at = clock_timestamp() "
	    "FROM old WHERE accounts.id = old.id RETURNING accounts.*), "
	    "gone AS (DELETE FROM account_domains d USING a "
	    "WHERE d.account_id = a.id AND $3::text[] IS NOT NULL "
	    "AND d.domain <> ALL ($3::text[]) RETURNING d.domain), "
	    "added AS (INSERT INTO account_domains (account_id, domain, "
	    "verified_at) SELECT a.id, x, clock_timestamp() FROM a, "
	    "unnest(coalesce($3::text[], '{}')) AS x "
	    "ON CONFLICT (account_id, domain) DO UPDATE SET verified_at = "
	    "coalesce(account_domains.verified_at, EXCLUDED.verified_at) "
	    "RETURNING domain) "
	    "SELECT a.id, (SELECT count(*) FROM gone), (SELECT count(*) FROM "
	    "added), "
	    AUDIT_EVENT("a.id", "account.sso.update", "account", "a.id::text",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("a"), "$4", "$5", "$6")
	    " FROM a, old" },
	/* $1 account, $2-$4 who. */
	[ST_SSO_CLEAR] = { "sso_clear",
	    "WITH old AS (SELECT * FROM accounts WHERE id = $1 FOR UPDATE), "
	    "a AS (UPDATE accounts SET auth_org_id = NULL, "
	    "updated_at = clock_timestamp() FROM old "
	    "WHERE accounts.id = old.id RETURNING accounts.*), "
	    "gone AS (DELETE FROM account_domains d USING a "
	    "WHERE d.account_id = a.id RETURNING d.domain) "
	    "SELECT a.id, (SELECT count(*) FROM gone), "
	    AUDIT_EVENT("a.id", "account.sso.delete", "account", "a.id::text",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("a"), "$2", "$3", "$4")
	    " FROM a, old" },
	/* Serialises key creation in the account, for the limit. */
	[ST_API_KEY_ACCOUNT] = { "api_key_account",
	    "SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE" },
	/*
	 * $1 account, $2 name, $3 prefix, $4 digest ('\x' and hex), $5 actor,
	 * $6 role, $7 request id, $8 scope. One row: the key, or nulls when none was
	 * made (the limit was reached, or the prefix or digest is taken),
	 * then the number of active keys before.
	 */
	[ST_API_KEY_CREATE] = { "api_key_create",
	    "WITH n AS (SELECT count(*) AS active FROM api_keys "
	    "WHERE account_id = $1::uuid AND revoked_at IS NULL), "
	    "k AS (INSERT INTO api_keys (account_id, name, prefix, digest, "
	    "created_by, scope) SELECT $1::uuid, $2::text, $3::text, "
	    "$4::bytea, $5::text, $8::text FROM n WHERE n.active < " XSTR(API_KEYS_ACTIVE_MAX) " "
	    "ON CONFLICT DO NOTHING RETURNING " KEY_RAW("") ") "
	    "SELECT " KEY_COLUMNS("k.") ", n.active, "
	    "CASE WHEN k.id IS NOT NULL THEN "
	    KEY_AUDIT("api_key.create", "$5", "$6", "$7") " END "
	    "FROM n LEFT JOIN k ON true" },
	[ST_API_KEY_GET] = { "api_key_get",
	    "SELECT " KEY_COLUMNS("") " FROM api_keys "
	    "WHERE account_id = $1 AND id = $2" },
	/*
	 * $1 account, $2 status or NULL, $3/$4 the cursor as page_after()
	 * gives it, $5 rows to fetch. No row: no such account; one row of
	 * nulls: no keys.
	 */
	[ST_API_KEY_LIST] = { "api_key_list",
	    "SELECT " KEY_COLUMNS("k.") " FROM accounts AS a "
	    "LEFT JOIN LATERAL (SELECT " KEY_RAW("") " FROM api_keys "
	    "WHERE account_id = a.id "
	    "AND ($2::text IS NULL OR "
	    "($2::text = 'revoked') = (revoked_at IS NOT NULL)) "
	    "AND " PAGE_AFTER_TIME("created_at, id", "$3", "$4") " "
	    "ORDER BY created_at, id LIMIT $5) AS k ON true "
	    "WHERE a.id = $1 ORDER BY k.created_at, k.id" },
	/* The key, locked until the transaction ends: prefix, revoked. */
	[ST_API_KEY_LOCK] = { "api_key_lock",
	    "SELECT prefix, revoked_at IS NOT NULL FROM api_keys "
	    "WHERE account_id = $1 AND id = $2 FOR UPDATE" },
	/* $1 account, $2 key, $3 actor, $4 role, $5 request id. */
	[ST_API_KEY_REVOKE] = { "api_key_revoke",
	    "WITH k AS (UPDATE api_keys SET revoked_at = clock_timestamp(), "
	    "previous_digest = NULL, previous_expires_at = NULL "
	    "WHERE account_id = $1::uuid AND id = $2::uuid "
	    "AND revoked_at IS NULL RETURNING " KEY_RAW("") ") "
	    "SELECT " KEY_COLUMNS("k.") ", "
	    KEY_AUDIT("api_key.revoke", "$3", "$4", "$5") " FROM k" },
	/*
	 * $1 account, $2 key, $3 the new digest, $4 seconds the old one keeps
	 * working, $5 actor, $6 role, $7 request id.
	 */
	[ST_API_KEY_ROTATE] = { "api_key_rotate",
	    "WITH k AS (UPDATE api_keys SET previous_digest = digest, "
	    "digest = $3::bytea, rotated_at = t, "
	    "previous_expires_at = t + $4::integer * interval '1 second' "
	    "FROM clock_timestamp() AS t "
	    "WHERE account_id = $1::uuid AND id = $2::uuid "
	    "AND revoked_at IS NULL RETURNING " KEY_RAW("api_keys.") ") "
	    "SELECT " KEY_COLUMNS("k.") ", "
	    KEY_AUDIT("api_key.rotate", "$5", "$6", "$7") " FROM k" },
	/*
	 * $1 account, $2/$3 the cursor as page_after() gives it, $4 rows to
	 * fetch. No row: no such account; one row of nulls: no admins.
	 */
	[ST_ADMIN_LIST] = { "admin_list",
	    "SELECT " ADMIN_COLUMNS("u.") " FROM accounts AS a "
	    "LEFT JOIN LATERAL (SELECT * FROM users WHERE account_id = a.id "
	    "AND role = 'account_admin' "
	    "AND " PAGE_AFTER_TIME("created_at, id", "$2", "$3") " "
	    "ORDER BY created_at, id LIMIT $4) AS u ON true "
	    "WHERE a.id = $1 ORDER BY u.created_at, u.id" },
	/*
	 * $1 account, $2 email: whether the account exists and the user of
	 * that email, if any (id, role, status), the account locked.
	 */
	[ST_ADMIN_FIND] = { "admin_find",
	    "SELECT a.id, u.id, u.role, u.status FROM accounts a "
	    "LEFT JOIN users u "
	    "ON u.account_id = a.id AND u.email_lower = lower($2) "
	    "WHERE a.id = $1 FOR UPDATE OF a" },
	/*
	 * $1 account, $2 email, $3 display name or NULL, $4-$6 who. Makes the
	 * user of that email an account admin, creating it (pending its first
	 * sign-in) when there is none. The admin, then how: created,
	 * promoted or unchanged.
	 */
	[ST_ADMIN_ADD] = { "admin_add",
	    "WITH old AS (SELECT * FROM users WHERE account_id = $1 "
	    "AND email_lower = lower($2) FOR UPDATE), "
	    "up AS (UPDATE users u SET role = 'account_admin', "
	    "display_name = coalesce($3, u.display_name), "
	    "updated_at = clock_timestamp() FROM old WHERE u.id = old.id "
	    "AND old.role <> 'account_admin' RETURNING u.*), "
	    "ins AS (INSERT INTO users (account_id, email, display_name, role) "
	    "SELECT $1, $2, $3, 'account_admin' "
	    "WHERE NOT EXISTS (SELECT 1 FROM old) RETURNING *), "
	    "x AS (SELECT ins.*, 'created' AS how FROM ins UNION ALL "
	    "SELECT up.*, 'promoted' FROM up UNION ALL "
	    "SELECT old.*, 'unchanged' FROM old "
	    "WHERE old.role = 'account_admin') "
	    "SELECT " ADMIN_COLUMNS("x.") ", x.how, CASE WHEN x.how <> "
	    "'unchanged' THEN "
	    AUDIT_EVENT("x.account_id", "account.admin.add", "user",
	    "x.id::text", "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old)",
	    AUDIT_ROW_DIGEST("x"), "$4", "$5", "$6") " END FROM x" },
	/*
	 * $1 account, $2 email, $3 display name or NULL, $4 status or NULL,
	 * $5-$7 who. The admin, or no row.
	 */
	[ST_ADMIN_UPDATE] = { "admin_update",
	    "WITH " ADMIN_OLD ", "
	    "u AS (UPDATE users SET display_name = coalesce($3, "
	    "users.display_name), status = coalesce($4, users.status), "
	    "updated_at = clock_timestamp() FROM old WHERE users.id = old.id "
	    "RETURNING users.*) "
	    "SELECT " ADMIN_COLUMNS("u.") ", "
	    AUDIT_EVENT("u.account_id", "account.admin.update", "user",
	    "u.id::text", "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old)",
	    AUDIT_ROW_DIGEST("u"), "$5", "$6", "$7") " FROM u" },
	/* $1 account, $2 email, $3-$5 who: the user, now an end user. */
	[ST_ADMIN_REMOVE] = { "admin_remove",
	    "WITH " ADMIN_OLD ", "
	    "u AS (UPDATE users SET role = 'end_user', "
	    "updated_at = clock_timestamp() FROM old WHERE users.id = old.id "
	    "RETURNING users.*) "
	    "SELECT " ADMIN_COLUMNS("u.") ", "
	    AUDIT_EVENT("u.account_id", "account.admin.remove", "user",
	    "u.id::text", "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old)",
	    AUDIT_ROW_DIGEST("u"), "$3", "$4", "$5") " FROM u" },
	/*
	 * $1 account: its feature pack as one JSON object, or no row. The
	 * features and quotas as its people get them (sql/0003_plans.sql).
	 */
	[ST_FEATURE_PACK_GET] = { "feature_pack_get",
	    "SELECT json_build_object('account_id', s.account_id, "
	    "'plan', " PLAN_REF("p") ", "
	    "'product_domains', to_json(s.product_domains), "
	    "'started_at', " SQL_TS("s.started_at") ", "
	    "'updated_at', " SQL_TS("s.updated_at") ", "
	    "'features', (SELECT coalesce(json_agg(json_build_object("
	    "'key', f.key, 'name', f.name, 'product_domain', f.product_domain, "
	    "'enabled', f.enabled, 'source', f.source) ORDER BY f.key), '[]') "
	    "FROM cockpit_account_features(s.account_id) f), "
	    "'quotas', (SELECT json_object_agg(q.quota, json_build_object("
	    "'limit', q.quota_limit, 'used', q.used)) "
	    "FROM cockpit_account_quotas(s.account_id) q), "
	    "'credits_per_cycle', "
	    "trim_scale(p.credits_per_cycle::numeric / 1000000)::text)::text "
	    "FROM account_subscriptions s LEFT JOIN plans p ON p.id = s.plan_id "
	    "WHERE s.account_id = $1" },
	/*
	 * $1 account, $2 plan slug or NULL, $3 whether the plan is given
	 * ("t": set it, $2 NULL meaning none), $4 product domains (text
	 * array) or NULL (kept), $5-$7 who. One row: whether the account
	 * exists, whether the plan was found (or not asked for), whether it
	 * is active, and the change's audit hash (NULL: nothing changed).
	 */
	[ST_FEATURE_PACK_SET] = { "feature_pack_set",
	    "WITH old AS (SELECT * FROM account_subscriptions "
	    "WHERE account_id = $1 FOR UPDATE), "
	    "np AS (SELECT id, status FROM plans WHERE slug = $2), "
	    "ok AS (SELECT old.account_id FROM old WHERE NOT $3::boolean OR $2 "
	    "IS NULL OR EXISTS (SELECT 1 FROM np WHERE status = 'active')), "
	    "s AS (UPDATE account_subscriptions t SET "
	    "plan_id = CASE WHEN $3::boolean THEN (SELECT id FROM np) "
	    "ELSE t.plan_id END, "
	    "product_domains = coalesce($4::text[], t.product_domains), "
	    "started_at = CASE WHEN $3::boolean AND t.plan_id IS DISTINCT FROM "
	    "(SELECT id FROM np) THEN clock_timestamp() ELSE t.started_at END, "
	    "updated_at = clock_timestamp() FROM ok "
	    "WHERE t.account_id = ok.account_id RETURNING t.*) "
	    "SELECT EXISTS (SELECT 1 FROM old), "
	    "NOT $3::boolean OR $2 IS NULL OR EXISTS (SELECT 1 FROM np), "
	    "NOT $3::boolean OR $2 IS NULL OR "
	    "EXISTS (SELECT 1 FROM np WHERE status = 'active'), "
	    "(SELECT " AUDIT_EVENT("s.account_id", "account.feature_pack.update",
	    "account", "s.account_id::text",
	    "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old)",
	    AUDIT_ROW_DIGEST("s"), "$5", "$6", "$7") " FROM s)" },
	/* $1 account: its console model policy (defaults without a row). */
	[ST_MODEL_POLICY_GET] = { "model_policy_get",
	    "SELECT coalesce(m.mode, 'open'), "
	    "to_json(coalesce(m.allowed_providers, '{}'))::text, "
	    "m.updated_by, " SQL_TS("m.updated_at") " FROM accounts a "
	    "LEFT JOIN console_model_policies m ON m.account_id = a.id "
	    "WHERE a.id = $1" },
	/*
	 * $1 account, $2 mode, $3 providers (text array), $4-$6 who. The
	 * policy, or no row when there is no such account.
	 */
	[ST_MODEL_POLICY_SET] = { "model_policy_set",
	    "WITH old AS (SELECT m.* FROM accounts a LEFT JOIN "
	    "console_model_policies m ON m.account_id = a.id WHERE a.id = $1), "
	    "m AS (INSERT INTO console_model_policies (account_id, mode, "
	    "allowed_providers, updated_by) SELECT $1, $2, $3::text[], $4 "
	    "FROM old ON CONFLICT (account_id) DO UPDATE SET "
	    "mode = EXCLUDED.mode, allowed_providers = "
	    "EXCLUDED.allowed_providers, updated_by = EXCLUDED.updated_by, "
	    "updated_at = clock_timestamp() RETURNING *) "
	    "SELECT m.mode, to_json(m.allowed_providers)::text, m.updated_by, "
	    SQL_TS("m.updated_at") ", "
	    AUDIT_EVENT("m.account_id", "account.console_model_policy.update",
	    "account", "m.account_id::text",
	    "(SELECT CASE WHEN old.account_id IS NULL THEN NULL ELSE "
	    AUDIT_ROW_DIGEST("old") " END FROM old)", AUDIT_ROW_DIGEST("m"),
	    "$4", "$5", "$6") " FROM m" },
};
