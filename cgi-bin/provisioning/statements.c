/* The SQL of provisioning.fcgi, prepared once per connection. */
#include "provisioning.h"
#include "audit.h"

const struct stmt provisioning_stmts[ST__MAX] = {
	/*
	 * $1 account: no row when there is no such account; else its
	 * organisation, its project (NULL: not set up), the role keys
	 * (defaults without settings), who set them and when.
	 */
	[ST_CONFIG_GET] = { "zitadel_config_get",
	    "SELECT a.auth_org_id, z.project_id, "
	    "coalesce(z.admin_role_key, '" DEFAULT_ADMIN_ROLE "'), "
	    "coalesce(z.user_role_key, '" DEFAULT_USER_ROLE "'), "
	    "z.updated_by, " SQL_TS("z.updated_at") " FROM accounts a "
	    "LEFT JOIN zitadel_configs z ON z.account_id = a.id "
	    "WHERE a.id = $1" },
	/*
	 * $1 account, $2 project, $3 admin role key, $4 end user role key,
	 * $5-$7 who. Replaces the settings; no row when there is no such
	 * account.
	 */
	[ST_CONFIG_PUT] = { "zitadel_config_put",
	    "WITH old AS (SELECT z.* FROM accounts a LEFT JOIN "
	    "zitadel_configs z ON z.account_id = a.id WHERE a.id = $1), "
	    "z AS (INSERT INTO zitadel_configs (account_id, project_id, "
	    "admin_role_key, user_role_key, updated_by) "
	    "SELECT $1, $2, $3, $4, $5 FROM old "
	    "ON CONFLICT (account_id) DO UPDATE SET "
	    "project_id = EXCLUDED.project_id, "
	    "admin_role_key = EXCLUDED.admin_role_key, "
	    "user_role_key = EXCLUDED.user_role_key, "
	    "updated_by = EXCLUDED.updated_by, "
	    "updated_at = clock_timestamp() RETURNING *) "
	    "SELECT " AUDIT_EVENT("z.account_id", "zitadel.config.update",
	    "account", "z.account_id::text",
	    "(SELECT CASE WHEN old.account_id IS NULL THEN NULL ELSE "
	    AUDIT_ROW_DIGEST("old") " END FROM old)", AUDIT_ROW_DIGEST("z"),
	    "$5", "$6", "$7") " FROM z" },
	/* $1 account: its active account admins' emails, in order. */
	[ST_ADMIN_EMAILS] = { "zitadel_admin_emails",
	    "SELECT email FROM users WHERE account_id = $1 "
	    "AND role = 'account_admin' AND status = 'active' "
	    "ORDER BY email_lower LIMIT $2" },
	/*
	 * $1 account, $2 action, $3 target type, $4 target, $5 the change
	 * as text (its digest is the event's after), $6-$8 who: one change
	 * made in Zitadel, audited.
	 */
	[ST_AUDIT] = { "zitadel_audit",
	    "SELECT cockpit_audit($1, $6::text, $7::text, $2, $3, $4, "
	    "$8::text, NULL, sha256(convert_to($5, 'UTF8')))" },
};
