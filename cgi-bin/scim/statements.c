/*
 * The SQL of scim.fcgi, prepared once per connection. Resources are built
 * as JSON here (RFC 7643's User and Group, nulls left out); base is the
 * parameter holding ".../scim/v2" for meta.location and $ref.
 */
#include "audit.h"
#include "scim.h"

/* The account's global Copilot organisation, acct naming the account. */
#define GLOBAL_ORG(acct) \
	"(SELECT o.id FROM organisations o WHERE o.account_id = " acct " " \
	"AND o.domain = 'copilot' AND o.is_global)"

/* The account's users enrolled in the copilot domain, as m's columns. */
#define USER_ROWS \
	"SELECT u.id, u.account_id, u.email, u.given_name, u.family_name, " \
	"u.display_name, u.external_id, u.status, u.created_at, " \
	"u.updated_at, d.status AS d_status, d.created_at AS d_created, " \
	"d.updated_at AS d_updated FROM users u JOIN domain_users d " \
	"ON d.account_id = u.account_id AND d.user_id = u.id " \
	"AND d.domain = 'copilot' "

/* User m as SCIM JSON; groups (a boolean parameter): with its groups. */
#define USER_JSON(base, groups) \
	"json_strip_nulls(json_build_object(" \
	"'schemas', json_build_array('" SCIM_USER_URN "'), " \
	"'id', m.id, 'externalId', m.external_id, 'userName', m.email, " \
	"'name', CASE WHEN m.given_name IS NULL AND m.family_name IS NULL " \
	"THEN NULL ELSE json_build_object('givenName', m.given_name, " \
	"'familyName', m.family_name, 'formatted', " \
	"nullif(concat_ws(' ', m.given_name, m.family_name), '')) END, " \
	"'displayName', m.display_name, " \
	"'emails', json_build_array(json_build_object('value', m.email, " \
	"'type', 'work', 'primary', true)), " \
	"'active', m.status = 'active' AND m.d_status = 'active', " \
	"'groups', CASE WHEN " groups "::boolean THEN (SELECT " \
	"coalesce(json_agg(json_build_object('value', t.id, 'display', " \
	"t.name, '$ref', " base "::text || '/Groups/' || t.id, 'type', " \
	"'direct') ORDER BY lower(t.name), t.id), '[]') FROM team_members tm " \
	"JOIN teams t ON t.account_id = tm.account_id AND t.id = tm.team_id " \
	"WHERE tm.account_id = m.account_id AND tm.user_id = m.id " \
	"AND t.organisation_id = " GLOBAL_ORG("m.account_id") ") END, " \
	"'meta', json_build_object('resourceType', 'User', " \
	"'created', " SQL_TS("m.created_at") ", " \
	"'lastModified', " SQL_TS("greatest(m.updated_at, m.d_updated)") ", " \
	"'location', " base "::text || '/Users/' || m.id, " \
	"'version', 'W/\"' || md5(m.id::text || m.updated_at::text || " \
	"m.d_updated::text) || '\"')))::text"

/* The account's teams that are SCIM's groups, as g's columns. */
#define GROUP_ROWS(acct) \
	"SELECT * FROM teams WHERE account_id = " acct " " \
	"AND domain = 'copilot' AND organisation_id = " GLOBAL_ORG(acct) " "

/* Group g as SCIM JSON; members (a boolean parameter): with them. */
#define GROUP_JSON(base, members) \
	"json_strip_nulls(json_build_object(" \
	"'schemas', json_build_array('" SCIM_GROUP_URN "'), " \
	"'id', g.id, 'externalId', g.external_id, 'displayName', g.name, " \
	"'members', CASE WHEN " members "::boolean THEN (SELECT " \
	"coalesce(json_agg(json_build_object('value', u.id, 'display', " \
	"coalesce(u.display_name, u.email), '$ref', " base "::text || " \
	"'/Users/' || u.id, 'type', 'User') ORDER BY tm.created_at, u.id), " \
	"'[]') FROM team_members tm JOIN users u ON u.account_id = " \
	"tm.account_id AND u.id = tm.user_id WHERE tm.account_id = " \
	"g.account_id AND tm.team_id = g.id) END, " \
	"'meta', json_build_object('resourceType', 'Group', " \
	"'created', " SQL_TS("g.created_at") ", " \
	"'lastModified', " SQL_TS("g.updated_at") ", " \
	"'location', " base "::text || '/Groups/' || g.id, " \
	"'version', 'W/\"' || md5(g.id::text || g.updated_at::text) || " \
	"'\"')))::text"

/*
 * A page: the total first, then one resource a row (a NULL resource when
 * the page is empty). $4 rows from offset $5.
 */
#define PAGE(rows, json, order) \
	"WITH m AS (" rows ") SELECT (SELECT count(*) FROM m), x.r " \
	"FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT " json " AS r, " \
	order " FROM m ORDER BY " order " LIMIT $4::bigint " \
	"OFFSET $5::bigint) AS x ON true"

const struct stmt scim_stmts[ST__MAX] = {
	/*
	 * $1 account, $2 filter attribute (userName, externalId,
	 * displayName) or NULL, $3 its value, $4 count, $5 offset, $6 base,
	 * $7 with groups.
	 */
	[ST_USER_LIST] = { "scim_user_list",
	    PAGE(USER_ROWS "WHERE u.account_id = $1 AND ($2::text IS NULL OR "
	    "($2 = 'userName' AND u.email_lower = lower($3)) OR "
	    "($2 = 'externalId' AND u.external_id = $3) OR "
	    "($2 = 'displayName' AND lower(u.display_name) = lower($3)))",
	    "(SELECT " USER_JSON("$6", "$7") ")", "m.d_created, m.id") },
	/* $1 account, $2 user, $3 base, $4 with groups: the user or none. */
	[ST_USER_GET] = { "scim_user_get",
	    "SELECT " USER_JSON("$3", "$4") " FROM (" USER_ROWS
	    "WHERE u.account_id = $1 AND u.id = $2) AS m" },
	/*
	 * $1 account, $2 user enrolled in copilot, locked: users.status,
	 * domain status, email, given, family, display, external id.
	 */
	[ST_USER_LOCK] = { "scim_user_lock",
	    "SELECT u.status, d.status, u.email, u.given_name, u.family_name, "
	    "u.display_name, u.external_id FROM users u JOIN domain_users d "
	    "ON d.account_id = u.account_id AND d.user_id = u.id "
	    "AND d.domain = 'copilot' WHERE u.account_id = $1 AND u.id = $2 "
	    "FOR UPDATE OF u, d" },
	/*
	 * $1 account, $2 email: its user, locked (id, status, external id,
	 * copilot enrolment's status or NULL), or no row.
	 */
	[ST_USER_FIND] = { "scim_user_find",
	    "SELECT u.id, u.status, u.external_id, d.status FROM users u "
	    "LEFT JOIN domain_users d ON d.account_id = u.account_id "
	    "AND d.user_id = u.id AND d.domain = 'copilot' "
	    "WHERE u.account_id = $1 AND u.email_lower = lower($2) "
	    "FOR UPDATE OF u" },
	/*
	 * $1 account, $2 email, $3 given, $4 family, $5 display, $6 external
	 * id, $7 status, $8-$10 who: a new user enrolled in copilot; its id.
	 */
	[ST_USER_CREATE] = { "scim_user_create",
	    "WITH u AS (INSERT INTO users (account_id, email, given_name, "
	    "family_name, display_name, external_id, status) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *), "
	    "d AS (INSERT INTO domain_users (account_id, domain, user_id, "
	    "status) SELECT account_id, 'copilot', id, status FROM u "
	    "RETURNING *) "
	    "SELECT u.id, "
	    AUDIT_EVENT("u.account_id", "scim.user.create", "user",
	    "u.id::text", "NULL", AUDIT_ROW_DIGEST("u"), "$8", "$9", "$10")
	    " FROM u, d" },
	/*
	 * $1 account, $2 user, $3 email, $4 given, $5 family, $6 display,
	 * $7 external id, $8 status (of the user and its copilot enrolment,
	 * made if need be), $9 the audit action, $10-$12 who. Inactive ends
	 * its copilot memberships. The user's id, or no row.
	 */
	[ST_USER_WRITE] = { "scim_user_write",
	    "WITH old AS (SELECT * FROM users WHERE account_id = $1 "
	    "AND id = $2 FOR UPDATE), "
	    "u AS (UPDATE users SET email = $3, given_name = $4, "
	    "family_name = $5, display_name = $6, external_id = $7, "
	    "status = $8, updated_at = clock_timestamp() FROM old "
	    "WHERE users.id = old.id RETURNING users.*), "
	    "d AS (INSERT INTO domain_users (account_id, domain, user_id, "
	    "status) SELECT account_id, 'copilot', id, $8 FROM u "
	    "ON CONFLICT (account_id, domain, user_id) DO UPDATE SET "
	    "status = EXCLUDED.status, updated_at = clock_timestamp() "
	    "RETURNING *), "
	    "tm AS (DELETE FROM team_members t USING u WHERE $8 = 'inactive' "
	    "AND t.account_id = u.account_id AND t.domain = 'copilot' "
	    "AND t.user_id = u.id RETURNING t.team_id), "
	    "om AS (DELETE FROM organisation_members o USING u "
	    "WHERE $8 = 'inactive' AND o.account_id = u.account_id "
	    "AND o.domain = 'copilot' AND o.user_id = u.id "
	    "RETURNING o.organisation_id), "
	    "tt AS (UPDATE teams SET updated_at = clock_timestamp() "
	    "WHERE account_id = $1 AND id IN (SELECT team_id FROM tm) "
	    "RETURNING id) "
	    "SELECT u.id, (SELECT count(*) FROM d), (SELECT count(*) FROM tt), "
	    "(SELECT count(*) FROM om), "
	    "cockpit_audit(u.account_id, $10::text, $11::text, $9::text, "
	    "'user', u.id::text, $12::text, (SELECT " AUDIT_ROW_DIGEST("old")
	    " FROM old), " AUDIT_ROW_DIGEST("u") ") FROM u" },
	/*
	 * $1 account, $2 user ids (uuid[]): the first that is not enrolled in
	 * the account's copilot directory, or no row.
	 */
	[ST_MEMBER_UNKNOWN] = { "scim_member_unknown",
	    "SELECT x::text FROM unnest($2::uuid[]) AS x WHERE NOT EXISTS "
	    "(SELECT 1 FROM domain_users d WHERE d.account_id = $1 "
	    "AND d.domain = 'copilot' AND d.user_id = x) LIMIT 1" },
	/*
	 * $1 account, $2 filter attribute (displayName, externalId) or NULL,
	 * $3 its value, $4 count, $5 offset, $6 base, $7 with members.
	 */
	[ST_GROUP_LIST] = { "scim_group_list",
	    PAGE(GROUP_ROWS("$1") "AND ($2::text IS NULL OR "
	    "($2 = 'displayName' AND lower(name) = lower($3)) OR "
	    "($2 = 'externalId' AND external_id = $3))",
	    "(SELECT " GROUP_JSON("$6", "$7") " FROM (SELECT m.*) AS g)",
	    "m.created_at, m.id") },
	/* $1 account, $2 team, $3 base, $4 with members: the group or none. */
	[ST_GROUP_GET] = { "scim_group_get",
	    "SELECT " GROUP_JSON("$3", "$4") " FROM (" GROUP_ROWS("$1")
	    "AND id = $2) AS g" },
	/* $1 account, $2 team, locked: name, external id; or no row. */
	[ST_GROUP_LOCK] = { "scim_group_lock",
	    "SELECT name, external_id FROM (" GROUP_ROWS("$1") "AND id = $2 "
	    "FOR UPDATE) AS g" },
	/*
	 * $1 account, $2 name, $3 external id, $4 members (uuid[]; the active
	 * ones are added), $5-$7 who: the team's id, or no row when the
	 * account has no global organisation.
	 */
	[ST_GROUP_CREATE] = { "scim_group_create",
	    "WITH t AS (INSERT INTO teams (account_id, domain, "
	    "organisation_id, name, external_id) SELECT $1, 'copilot', o.id, "
	    "$2, $3 FROM organisations o WHERE o.account_id = $1 "
	    "AND o.domain = 'copilot' AND o.is_global RETURNING *), "
	    "mm AS (INSERT INTO team_members (account_id, domain, team_id, "
	    "user_id) SELECT t.account_id, 'copilot', t.id, d.user_id FROM t "
	    "JOIN domain_users d ON d.account_id = t.account_id "
	    "AND d.domain = 'copilot' AND d.status = 'active' "
	    "AND d.user_id = ANY ($4::uuid[]) JOIN users u "
	    "ON u.account_id = d.account_id AND u.id = d.user_id "
	    "AND u.status = 'active' RETURNING user_id) "
	    "SELECT t.id, (SELECT count(*) FROM mm), "
	    AUDIT_EVENT("t.account_id", "scim.group.create", "team",
	    "t.id::text", "NULL", AUDIT_ROW_DIGEST("t"), "$5", "$6", "$7")
	    " FROM t" },
	/*
	 * $1 account, $2 team, $3 name, $4 external id, $5 members to have
	 * (uuid[]; the active ones are added), $6 members to drop (uuid[]),
	 * $7 whether every member not in $5 goes, $8-$10 who. The team's
	 * id, or no row.
	 */
	[ST_GROUP_UPDATE] = { "scim_group_update",
	    "WITH old AS (" GROUP_ROWS("$1") "AND id = $2 FOR UPDATE), "
	    "t AS (UPDATE teams SET name = $3, external_id = $4, "
	    "updated_at = clock_timestamp() FROM old WHERE teams.id = old.id "
	    "RETURNING teams.*), "
	    "gone AS (DELETE FROM team_members m USING t "
	    "WHERE m.account_id = t.account_id AND m.team_id = t.id "
	    "AND (($7::boolean AND m.user_id <> ALL ($5::uuid[])) "
	    "OR m.user_id = ANY ($6::uuid[])) RETURNING m.user_id), "
	    "added AS (INSERT INTO team_members (account_id, domain, team_id, "
	    "user_id) SELECT t.account_id, 'copilot', t.id, d.user_id FROM t "
	    "JOIN domain_users d ON d.account_id = t.account_id "
	    "AND d.domain = 'copilot' AND d.status = 'active' "
	    "AND d.user_id = ANY ($5::uuid[]) JOIN users u "
	    "ON u.account_id = d.account_id AND u.id = d.user_id "
	    "AND u.status = 'active' ON CONFLICT (account_id, team_id, user_id) "
	    "DO NOTHING RETURNING user_id) "
	    "SELECT t.id, (SELECT count(*) FROM gone), "
	    "(SELECT count(*) FROM added), "
	    AUDIT_EVENT("t.account_id", "scim.group.update", "team",
	    "t.id::text", "(SELECT " AUDIT_ROW_DIGEST("old") " FROM old)",
	    AUDIT_ROW_DIGEST("t"), "$8", "$9", "$10") " FROM t" },
	/* $1 account, $2 team, $3-$5 who: the deleted team's id, or none. */
	[ST_GROUP_DELETE] = { "scim_group_delete",
	    "WITH old AS (" GROUP_ROWS("$1") "AND id = $2 FOR UPDATE), "
	    "ev AS (SELECT old.id, "
	    AUDIT_EVENT("old.account_id", "scim.group.delete", "team",
	    "old.id::text", AUDIT_ROW_DIGEST("old"), "NULL", "$3", "$4", "$5")
	    " AS h FROM old), "
	    "gone AS (DELETE FROM teams t USING ev WHERE t.id = ev.id "
	    "RETURNING t.id) "
	    "SELECT id FROM gone" },
};
