/* The SQL of directory.fcgi, prepared once per connection. */
#include "audit.h"
#include "directory.h"
#include "pagination.h"

/* An organisation as the API shows it, o naming it. */
#define ORG_JSON(o) \
	"json_build_object('id', " o ".id, 'domain', " o ".domain, " \
	"'name', " o ".name, 'description', " o ".description, " \
	"'is_global', " o ".is_global, " \
	"'teams', (SELECT count(*) FROM teams t WHERE t.account_id = " \
	o ".account_id AND t.organisation_id = " o ".id), " \
	"'members', (SELECT count(*) FROM organisation_members m " \
	"WHERE m.account_id = " o ".account_id " \
	"AND m.organisation_id = " o ".id), " \
	"'created_at', " SQL_TS(o ".created_at") ", " \
	"'updated_at', " SQL_TS(o ".updated_at") ")::text"

/* A team as the API shows it, t naming it and o its organisation. */
#define TEAM_JSON(t, o) \
	"json_build_object('id', " t ".id, 'domain', " t ".domain, " \
	"'organisation', json_build_object('id', " o ".id, 'name', " o \
	".name), 'name', " t ".name, 'description', " t ".description, " \
	"'external_id', " t ".external_id, " \
	"'members', (SELECT count(*) FROM team_members m " \
	"WHERE m.account_id = " t ".account_id AND m.team_id = " t ".id), " \
	"'created_at', " SQL_TS(t ".created_at") ", " \
	"'updated_at', " SQL_TS(t ".updated_at") ")::text"

/* A user of the domain, u naming the user and d its enrolment. */
#define USER_JSON(u, d) \
	"json_build_object('id', " u ".id, 'email', " u ".email, " \
	"'display_name', " u ".display_name, 'given_name', " u \
	".given_name, 'family_name', " u ".family_name, " \
	"'status', CASE WHEN " d ".status = 'active' AND " u ".status = " \
	"'active' THEN 'active' ELSE 'inactive' END, " \
	"'role', " u ".role, 'signed_in', " u ".subject IS NOT NULL, " \
	"'last_login_at', " SQL_TS(u ".last_login_at") ", " \
	"'external_id', " u ".external_id, " \
	"'teams', (SELECT count(*) FROM team_members m " \
	"WHERE m.account_id = " d ".account_id AND m.domain = " d ".domain " \
	"AND m.user_id = " d ".user_id), " \
	"'enrolled_at', " SQL_TS(d ".created_at") ", " \
	"'updated_at', " SQL_TS("greatest(" u ".updated_at, " d ".updated_at)") \
	")::text"

/* The sort key of a user in name order (sql/0005_directory.sql). */
#define USER_NAME_KEY(u)	u ".sort_name"

/*
 * The user of account $1 named by $3 (id) or $4 (email), u naming users:
 * resolved once, in a sub-select, so that both ways are an index lookup
 * (by email on email_lower: under row-level security, lower(email) is
 * not indexable).
 */
#define USER_ID(id, email) \
	"(SELECT coalesce(" id "::uuid, (SELECT x.id FROM users x " \
	"WHERE x.account_id = $1::uuid AND x.email_lower = lower(" email \
	"::text))))"
#define USER_REF(u)	u ".id = " USER_ID("$3", "$4")

/* A user of domain $2 in account $1 whose enrolment is d. */
#define ENROLLED(d, u) \
	"domain_users " d " JOIN users " u " ON " u ".account_id = " d \
	".account_id AND " u ".id = " d ".user_id WHERE " d ".account_id = $1 " \
	"AND " d ".domain = $2"

/* The ILIKE search of users by $3. */
#define USER_SEARCH(u) \
	"($3::text IS NULL OR " u ".email ILIKE $3 OR " u \
	".display_name ILIKE $3)"

/* ?status=: $4 active (both active) or inactive (either not). */
#define USER_STATUS(u, d) \
	"($4::text IS NULL OR ($4 = 'active') = (" d ".status = 'active' " \
	"AND " u ".status = 'active'))"

/*
 * Memberships of a team or an organisation (tbl, its parent column col,
 * the parent table ptbl), listed in user id order.
 */
#define MEMBERS_LIST(tbl, col, ptbl) \
	"SELECT json_build_object('user_id', u.id, 'email', u.email, " \
	"'display_name', u.display_name, 'role', m.role, " \
	"'added_at', " SQL_TS("m.created_at") ")::text, m.user_id::text, " \
	"m.user_id FROM " ptbl " p LEFT JOIN LATERAL (SELECT * FROM " tbl \
	" x WHERE x.account_id = p.account_id AND x." col " = p.id " \
	"AND " PAGE_AFTER_ID("x.user_id", "$4") " ORDER BY x.user_id " \
	"LIMIT $5) m ON true LEFT JOIN users u ON u.account_id = m.account_id " \
	"AND u.id = m.user_id WHERE p.account_id = $1 AND p.domain = $2 " \
	"AND p.id = $3 ORDER BY m.user_id"

/*
 * Adds users to a team or an organisation: $1 account, $2 domain, $3
 * the parent, $4 user ids (uuid[]), $5 emails (text[]), $6 role or NULL,
 * $7-$9 who. Only active users of the domain; when any named is not one,
 * none is added. One row: whether the parent exists, the names that are
 * no active user of the domain (comma-separated, or NULL), how many
 * were added.
 */
#define MEMBERS_ADD(tbl, col, ptbl, action, type) \
	"WITH p AS (SELECT id FROM " ptbl " WHERE account_id = $1 " \
	"AND domain = $2 AND id = $3), " \
	"want AS (SELECT u.id, u.email_lower AS email FROM " \
	ENROLLED("du", "u") " AND du.status = 'active' " \
	"AND u.status = 'active' AND (u.id = ANY ($4::uuid[]) " \
	"OR u.email_lower = ANY (SELECT lower(e) FROM unnest($5::text[]) e))), " \
	"missing AS (SELECT i::text AS name FROM unnest($4::uuid[]) i " \
	"WHERE NOT EXISTS (SELECT 1 FROM want WHERE want.id = i) " \
	"UNION ALL SELECT e FROM unnest($5::text[]) e WHERE NOT EXISTS " \
	"(SELECT 1 FROM want WHERE want.email = lower(e))), " \
	"ins AS (INSERT INTO " tbl " (account_id, domain, " col ", user_id, " \
	"role) SELECT $1, $2, p.id, want.id, coalesce($6, 'member') " \
	"FROM p, want WHERE NOT EXISTS (SELECT 1 FROM missing) " \
	"ON CONFLICT DO NOTHING RETURNING *), " \
	"ev AS (SELECT " AUDIT_EVENT("ins.account_id", action, type, \
	"ins." col "::text || '/' || ins.user_id", "NULL", \
	AUDIT_ROW_DIGEST("ins"), "$7", "$8", "$9") " FROM ins) " \
	"SELECT EXISTS (SELECT 1 FROM p), " \
	"(SELECT string_agg(name, ', ') FROM missing), " \
	"(SELECT count(*) FROM ev)"

/*
 * Ends a membership: $1 account, $2 domain, $3 the parent, $4 the user's
 * id, $5 its email, $6-$8 who. One row: whether the parent exists, the
 * user removed (NULL: was no member).
 */
#define MEMBER_REMOVE(tbl, col, ptbl, action, type) \
	"WITH p AS (SELECT id FROM " ptbl " WHERE account_id = $1 " \
	"AND domain = $2 AND id = $3), " \
	"gone AS (DELETE FROM " tbl " m USING p, users u " \
	"WHERE m.account_id = $1 AND m." col " = p.id " \
	"AND u.account_id = $1 AND u.id = m.user_id " \
	"AND u.id = " USER_ID("$4", "$5") " " \
	"RETURNING m.*), " \
	"ev AS (SELECT " AUDIT_EVENT("gone.account_id", action, type, \
	"gone." col "::text || '/' || gone.user_id", \
	AUDIT_ROW_DIGEST("gone"), "NULL", "$6", "$7", "$8") " FROM gone) " \
	"SELECT EXISTS (SELECT 1 FROM p), (SELECT user_id FROM gone), " \
	"(SELECT count(*) FROM ev)"

/*
 * Changes a member's role: $1 account, $2 domain, $3 the parent, $4 the
 * user's id, $5 its email, $6 the role, $7-$9 who. One row: whether the
 * parent exists, the membership as JSON (NULL: no such member).
 */
#define MEMBER_ROLE(tbl, col, ptbl, action, type) \
	"WITH p AS (SELECT id FROM " ptbl " WHERE account_id = $1 " \
	"AND domain = $2 AND id = $3), " \
	"old AS (SELECT m.* FROM " tbl " m, p WHERE m.account_id = $1 " \
	"AND m." col " = p.id AND m.user_id = " USER_ID("$4", "$5") " " \
	"FOR UPDATE OF m), " \
	"n AS (UPDATE " tbl " x SET role = $6 FROM old " \
	"WHERE x.account_id = old.account_id AND x." col " = old." col " " \
	"AND x.user_id = old.user_id RETURNING x.*), " \
	"ev AS (SELECT " AUDIT_EVENT("n.account_id", action, type, \
	"n." col "::text || '/' || n.user_id", AUDIT_ROW_DIGEST("old"), \
	AUDIT_ROW_DIGEST("n"), "$7", "$8", "$9") " FROM n, old) " \
	"SELECT EXISTS (SELECT 1 FROM p), (SELECT json_build_object(" \
	"'user_id', n.user_id, 'role', n.role)::text FROM n), " \
	"(SELECT count(*) FROM ev)"

const struct stmt directory_stmts[ST__MAX] = {
	/*
	 * Lists: $1 account, $2 domain, $3 ILIKE pattern or NULL, $4 the
	 * cursor's time (or key), $5 its id, $6 rows to fetch. Each row: the
	 * item's JSON, created_at, the name key, the id.
	 */
	[ST_ORG_LIST_CREATED] = { "org_list_created",
	    "SELECT " ORG_JSON("o") ", " SQL_TS("o.created_at") ", o.sort_name, "
	    "o.id FROM organisations o WHERE o.account_id = $1 "
	    "AND o.domain = $2 AND ($3::text IS NULL OR o.name ILIKE $3) "
	    "AND " PAGE_AFTER_TIME("o.created_at, o.id", "$4", "$5") " "
	    "ORDER BY o.created_at, o.id LIMIT $6" },
	[ST_ORG_LIST_NAME] = { "org_list_name",
	    "SELECT " ORG_JSON("o") ", " SQL_TS("o.created_at") ", o.sort_name, "
	    "o.id FROM organisations o WHERE o.account_id = $1 "
	    "AND o.domain = $2 AND ($3::text IS NULL OR o.name ILIKE $3) "
	    "AND " PAGE_AFTER_KEY("o.sort_name, o.id", "$4", "$5") " "
	    "ORDER BY o.sort_name, o.id LIMIT $6" },
	/* $1 account, $2 domain, $3 id. */
	[ST_ORG_GET] = { "org_get",
	    "SELECT " ORG_JSON("o") " FROM organisations o "
	    "WHERE o.account_id = $1 AND o.domain = $2 AND o.id = $3" },
	/* $1 account, $2 domain, $3 name, $4 description, $5-$7 who. */
	[ST_ORG_CREATE] = { "org_create",
	    "WITH o AS (INSERT INTO organisations (account_id, domain, name, "
	    "description) VALUES ($1, $2, $3, coalesce($4, '')) RETURNING *) "
	    "SELECT " ORG_JSON("o") ", "
	    AUDIT_EVENT("o.account_id", "directory.org.create", "organisation",
	    "o.id::text", "NULL", AUDIT_ROW_DIGEST("o"), "$5", "$6", "$7")
	    " FROM o" },
	/* $1 account, $2 domain, $3 id, $4 name, $5 description, $6-$8 who. */
	[ST_ORG_UPDATE] = { "org_update",
	    "WITH old AS (SELECT * FROM organisations WHERE account_id = $1 "
	    "AND domain = $2 AND id = $3 FOR UPDATE), "
	    "o AS (UPDATE organisations x SET name = coalesce($4, x.name), "
	    "description = coalesce($5, x.description), "
	    "updated_at = clock_timestamp() FROM old WHERE x.id = old.id "
	    "RETURNING x.*) "
	    "SELECT " ORG_JSON("o") ", "
	    AUDIT_EVENT("o.account_id", "directory.org.update", "organisation",
	    "o.id::text", AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("o"), "$6",
	    "$7", "$8") " FROM o, old" },
	/*
	 * $1 account, $2 domain, $3 id, $4-$6 who. One row: whether it
	 * existed, whether it is the global one, its teams, the id deleted
	 * (NULL: kept). Only an organisation without teams goes.
	 */
	[ST_ORG_DELETE] = { "org_delete",
	    "WITH old AS (SELECT * FROM organisations WHERE account_id = $1 "
	    "AND domain = $2 AND id = $3 FOR UPDATE), "
	    "n AS (SELECT count(*) AS teams FROM teams t, old "
	    "WHERE t.account_id = $1 AND t.organisation_id = old.id), "
	    "gone AS (DELETE FROM organisations x USING old, n "
	    "WHERE x.id = old.id AND NOT old.is_global AND n.teams = 0 "
	    "RETURNING x.*), "
	    "ev AS (SELECT " AUDIT_EVENT("gone.account_id", "directory.org.delete",
	    "organisation", "gone.id::text", AUDIT_ROW_DIGEST("gone"), "NULL",
	    "$4", "$5", "$6") " FROM gone) "
	    "SELECT EXISTS (SELECT 1 FROM old), "
	    "coalesce((SELECT is_global FROM old), false), "
	    "(SELECT teams FROM n), (SELECT id FROM gone), "
	    "(SELECT count(*) FROM ev)" },
	/*
	 * Teams: $1 account, $2 domain, $3 pattern or NULL, $4 organisation
	 * or NULL, $5 the cursor's time (or key), $6 its id, $7 rows.
	 */
	[ST_TEAM_LIST_CREATED] = { "team_list_created",
	    "SELECT " TEAM_JSON("t", "o") ", " SQL_TS("t.created_at") ", "
	    "t.sort_name, t.id FROM teams t JOIN organisations o "
	    "ON o.id = t.organisation_id WHERE t.account_id = $1 "
	    "AND t.domain = $2 AND ($3::text IS NULL OR t.name ILIKE $3) "
	    "AND ($4::uuid IS NULL OR t.organisation_id = $4::uuid) "
	    "AND " PAGE_AFTER_TIME("t.created_at, t.id", "$5", "$6") " "
	    "ORDER BY t.created_at, t.id LIMIT $7" },
	[ST_TEAM_LIST_NAME] = { "team_list_name",
	    "SELECT " TEAM_JSON("t", "o") ", " SQL_TS("t.created_at") ", "
	    "t.sort_name, t.id FROM teams t JOIN organisations o "
	    "ON o.id = t.organisation_id WHERE t.account_id = $1 "
	    "AND t.domain = $2 AND ($3::text IS NULL OR t.name ILIKE $3) "
	    "AND ($4::uuid IS NULL OR t.organisation_id = $4::uuid) "
	    "AND " PAGE_AFTER_KEY("t.sort_name, t.id", "$5", "$6") " "
	    "ORDER BY t.sort_name, t.id LIMIT $7" },
	[ST_TEAM_GET] = { "team_get",
	    "SELECT " TEAM_JSON("t", "o") " FROM teams t JOIN organisations o "
	    "ON o.id = t.organisation_id WHERE t.account_id = $1 "
	    "AND t.domain = $2 AND t.id = $3" },
	/*
	 * $1 account, $2 domain, $3 organisation (NULL: the domain's global
	 * one), $4 name, $5 description, $6-$8 who. No row: no such
	 * organisation in the domain.
	 */
	[ST_TEAM_CREATE] = { "team_create",
	    "WITH o AS (SELECT * FROM organisations WHERE account_id = $1 "
	    "AND domain = $2 AND (id = $3::uuid OR ($3::uuid IS NULL "
	    "AND is_global))), "
	    "t AS (INSERT INTO teams (account_id, domain, organisation_id, "
	    "name, description) SELECT $1, $2, o.id, $4, coalesce($5, '') "
	    "FROM o RETURNING *) "
	    "SELECT " TEAM_JSON("t", "o") ", "
	    AUDIT_EVENT("t.account_id", "directory.team.create", "team",
	    "t.id::text", "NULL", AUDIT_ROW_DIGEST("t"), "$6", "$7", "$8")
	    " FROM t JOIN o ON o.id = t.organisation_id" },
	/*
	 * $1 account, $2 domain, $3 id, $4 name, $5 description, $6 the
	 * organisation to move it to (each NULL: kept), $7-$9 who. One
	 * row: whether the team exists, whether the organisation does (or
	 * none was asked for), the id changed.
	 */
	[ST_TEAM_UPDATE] = { "team_update",
	    "WITH old AS (SELECT * FROM teams WHERE account_id = $1 "
	    "AND domain = $2 AND id = $3 FOR UPDATE), "
	    "np AS (SELECT id FROM organisations WHERE account_id = $1 "
	    "AND domain = $2 AND id = $6::uuid), "
	    "t AS (UPDATE teams x SET name = coalesce($4, x.name), "
	    "description = coalesce($5, x.description), "
	    "organisation_id = coalesce((SELECT id FROM np), x.organisation_id), "
	    "updated_at = clock_timestamp() FROM old WHERE x.id = old.id "
	    "AND ($6::uuid IS NULL OR EXISTS (SELECT 1 FROM np)) "
	    "RETURNING x.*), "
	    "ev AS (SELECT " AUDIT_EVENT("t.account_id", "directory.team.update",
	    "team", "t.id::text", AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("t"),
	    "$7", "$8", "$9") " FROM t, old) "
	    "SELECT EXISTS (SELECT 1 FROM old), "
	    "$6::uuid IS NULL OR EXISTS (SELECT 1 FROM np), "
	    "(SELECT id FROM t), (SELECT count(*) FROM ev)" },
	/* $1 account, $2 domain, $3 id, $4-$6 who: the id deleted, or none. */
	[ST_TEAM_DELETE] = { "team_delete",
	    "WITH gone AS (DELETE FROM teams WHERE account_id = $1 "
	    "AND domain = $2 AND id = $3 RETURNING *) "
	    "SELECT gone.id, " AUDIT_EVENT("gone.account_id",
	    "directory.team.delete", "team", "gone.id::text",
	    AUDIT_ROW_DIGEST("gone"), "NULL", "$4", "$5", "$6") " FROM gone" },
	/*
	 * Users: $1 account, $2 domain, $3 pattern or NULL, $4 status or
	 * NULL, $5 the cursor's time (or key), $6 its id, $7 rows.
	 */
	[ST_USER_LIST_CREATED] = { "user_list_created",
	    "SELECT " USER_JSON("u", "du") ", " SQL_TS("du.created_at") ", "
	    USER_NAME_KEY("u") ", u.id FROM " ENROLLED("du", "u") " AND "
	    USER_SEARCH("u") " AND " USER_STATUS("u", "du") " "
	    "AND " PAGE_AFTER_TIME("du.created_at, du.user_id", "$5", "$6") " "
	    "ORDER BY du.created_at, du.user_id LIMIT $7" },
	[ST_USER_LIST_NAME] = { "user_list_name",
	    "SELECT " USER_JSON("u", "du") ", " SQL_TS("du.created_at") ", "
	    USER_NAME_KEY("u") ", u.id FROM " ENROLLED("du", "u") " AND "
	    USER_SEARCH("u") " AND " USER_STATUS("u", "du") " "
	    "AND " PAGE_AFTER_KEY(USER_NAME_KEY("u") ", u.id", "$5", "$6") " "
	    "ORDER BY " USER_NAME_KEY("u") ", u.id LIMIT $7" },
	/* $1 account, $2 domain, $3 id or NULL, $4 email or NULL. */
	[ST_USER_GET] = { "user_get",
	    "SELECT " USER_JSON("u", "du") " FROM " ENROLLED("du", "u")
	    " AND " USER_REF("u") },
	/*
	 * $1 account, $2 domain, $3 id or NULL, $4 email or NULL, the
	 * account locked: whether it exists, the user (id, status) and its
	 * enrolment's status in the domain, if any.
	 */
	[ST_USER_FIND] = { "user_find",
	    "SELECT a.id, u.id, u.status, du.status FROM accounts a "
	    "LEFT JOIN users u ON u.account_id = a.id AND " USER_REF("u") " "
	    "LEFT JOIN domain_users du ON du.account_id = a.id "
	    "AND du.domain = $2 AND du.user_id = u.id "
	    "WHERE a.id = $1 FOR NO KEY UPDATE OF a" },
	/*
	 * $1 account, $2 domain, $3 email, $4 display name, $5 given name,
	 * $6 family name, $7-$9 who. Enrols the user of that email in the
	 * domain, creating it (pending its first sign-in) when there is
	 * none. No row: it was enrolled already.
	 */
	[ST_USER_CREATE] = { "user_create",
	    "WITH old AS (SELECT * FROM users WHERE account_id = $1 "
	    "AND email_lower = lower($3)), "
	    "ins AS (INSERT INTO users (account_id, email, display_name, "
	    "given_name, family_name) SELECT $1, $3, $4, $5, $6 "
	    "WHERE NOT EXISTS (SELECT 1 FROM old) RETURNING *), "
	    "u AS (SELECT * FROM ins UNION ALL SELECT * FROM old), "
	    "du AS (INSERT INTO domain_users (account_id, domain, user_id) "
	    "SELECT u.account_id, $2, u.id FROM u ON CONFLICT DO NOTHING "
	    "RETURNING *) "
	    "SELECT " USER_JSON("u", "du") ", "
	    AUDIT_EVENT("u.account_id", "directory.user.create", "user",
	    "u.id::text", "NULL", AUDIT_ROW_DIGEST("du"), "$7", "$8", "$9")
	    " FROM u JOIN du ON du.user_id = u.id" },
	/*
	 * $1 account, $2 domain, $3 id or NULL, $4 email or NULL, $5
	 * display name, $6 given name, $7 family name (each NULL: kept),
	 * $8-$10 who. The user's id, or no row.
	 */
	[ST_USER_UPDATE] = { "user_update",
	    "WITH t AS (SELECT u.* FROM " ENROLLED("du", "u") " AND "
	    USER_REF("u") " FOR UPDATE OF u), "
	    "n AS (UPDATE users x SET display_name = coalesce($5, "
	    "x.display_name), given_name = coalesce($6, x.given_name), "
	    "family_name = coalesce($7, x.family_name), "
	    "updated_at = clock_timestamp() FROM t WHERE x.id = t.id "
	    "RETURNING x.*) "
	    "SELECT n.id, " AUDIT_EVENT("n.account_id", "directory.user.update",
	    "user", "n.id::text", AUDIT_ROW_DIGEST("t"), AUDIT_ROW_DIGEST("n"),
	    "$8", "$9", "$10") " FROM n, t" },
	/*
	 * $1 account, $2 domain, $3 id or NULL, $4 email or NULL, $5-$7
	 * who: the user active again, in the domain and the account. Its
	 * id, or no row.
	 */
	[ST_USER_ACTIVATE] = { "user_activate",
	    "WITH t AS (SELECT du.* FROM " ENROLLED("du", "u") " AND "
	    USER_REF("u") " FOR UPDATE OF du), "
	    "d AS (UPDATE domain_users x SET status = 'active', "
	    "updated_at = clock_timestamp() FROM t "
	    "WHERE x.account_id = t.account_id AND x.domain = t.domain "
	    "AND x.user_id = t.user_id RETURNING x.*), "
	    "uu AS (UPDATE users x SET status = 'active', "
	    "updated_at = clock_timestamp() FROM t WHERE x.id = t.user_id "
	    "AND x.status <> 'active' RETURNING x.id) "
	    "SELECT d.user_id, " AUDIT_EVENT("d.account_id",
	    "directory.user.activate", "user", "d.user_id::text",
	    "(SELECT " AUDIT_ROW_DIGEST("t") " FROM t)", AUDIT_ROW_DIGEST("d"),
	    "$5", "$6", "$7") ", (SELECT count(*) FROM uu) FROM d" },
	/*
	 * $1 account, $2 domain, $3 id or NULL, $4 email or NULL, $5-$7
	 * who: the user's enrolment inactive, its memberships in the domain
	 * ended, and the user itself inactive when it is active in no other
	 * domain. One row: its id and the memberships ended, or no row.
	 */
	[ST_USER_DEACTIVATE] = { "user_deactivate",
	    "WITH t AS (SELECT du.* FROM " ENROLLED("du", "u") " AND "
	    USER_REF("u") " FOR UPDATE OF du), "
	    "d AS (UPDATE domain_users x SET status = 'inactive', "
	    "updated_at = clock_timestamp() FROM t "
	    "WHERE x.account_id = t.account_id AND x.domain = t.domain "
	    "AND x.user_id = t.user_id RETURNING x.*), "
	    "tm AS (DELETE FROM team_members m USING t "
	    "WHERE m.account_id = t.account_id AND m.domain = t.domain "
	    "AND m.user_id = t.user_id RETURNING 1), "
	    "om AS (DELETE FROM organisation_members m USING t "
	    "WHERE m.account_id = t.account_id AND m.domain = t.domain "
	    "AND m.user_id = t.user_id RETURNING 1), "
	    "uu AS (UPDATE users x SET status = 'inactive', "
	    "updated_at = clock_timestamp() FROM t WHERE x.id = t.user_id "
	    "AND NOT EXISTS (SELECT 1 FROM domain_users o "
	    "WHERE o.account_id = t.account_id AND o.user_id = t.user_id "
	    "AND o.domain <> t.domain AND o.status = 'active') RETURNING x.id) "
	    "SELECT d.user_id, (SELECT count(*) FROM tm) + "
	    "(SELECT count(*) FROM om), "
	    AUDIT_EVENT("d.account_id", "directory.user.deactivate", "user",
	    "d.user_id::text", "(SELECT " AUDIT_ROW_DIGEST("t") " FROM t)",
	    AUDIT_ROW_DIGEST("d"), "$5", "$6", "$7") ", "
	    "(SELECT count(*) FROM uu) FROM d" },
	/* $1 account, $2 domain, $3 team, $4 after user id, $5 rows. */
	[ST_TEAM_MEMBERS] = { "team_members",
	    MEMBERS_LIST("team_members", "team_id", "teams") },
	[ST_TEAM_MEMBER_ADD] = { "team_member_add",
	    MEMBERS_ADD("team_members", "team_id", "teams",
	    "directory.team.member.add", "team_member") },
	[ST_TEAM_MEMBER_REMOVE] = { "team_member_remove",
	    MEMBER_REMOVE("team_members", "team_id", "teams",
	    "directory.team.member.remove", "team_member") },
	[ST_ORG_MEMBERS] = { "org_members",
	    MEMBERS_LIST("organisation_members", "organisation_id",
	    "organisations") },
	[ST_ORG_MEMBER_ADD] = { "org_member_add",
	    MEMBERS_ADD("organisation_members", "organisation_id",
	    "organisations", "directory.org.member.add", "organisation_member") },
	[ST_ORG_MEMBER_REMOVE] = { "org_member_remove",
	    MEMBER_REMOVE("organisation_members", "organisation_id",
	    "organisations", "directory.org.member.remove",
	    "organisation_member") },
	[ST_TEAM_MEMBER_ROLE] = { "team_member_role",
	    MEMBER_ROLE("team_members", "team_id", "teams",
	    "directory.team.member.update", "team_member") },
	[ST_ORG_MEMBER_ROLE] = { "org_member_role",
	    MEMBER_ROLE("organisation_members", "organisation_id",
	    "organisations", "directory.org.member.update",
	    "organisation_member") },
	/*
	 * $1 account, $2 domain, $3 id or NULL, $4 email or NULL, $5 after
	 * team id, $6 rows: the user's teams in team id order. No row: no
	 * such user; one row of nulls: in no team.
	 */
	[ST_USER_TEAMS] = { "user_teams",
	    "SELECT json_build_object('team_id', t.id, 'name', t.name, "
	    "'organisation', json_build_object('id', o.id, 'name', o.name), "
	    "'role', m.role, 'added_at', " SQL_TS("m.created_at") ")::text, "
	    "m.team_id::text, m.team_id FROM domain_users du "
	    "JOIN users u ON u.account_id = du.account_id AND u.id = du.user_id "
	    "LEFT JOIN LATERAL (SELECT * FROM team_members x "
	    "WHERE x.account_id = du.account_id AND x.user_id = du.user_id "
	    "AND x.domain = du.domain AND " PAGE_AFTER_ID("x.team_id", "$5")
	    " ORDER BY x.team_id LIMIT $6) m ON true "
	    "LEFT JOIN teams t ON t.id = m.team_id "
	    "LEFT JOIN organisations o ON o.id = t.organisation_id "
	    "WHERE du.account_id = $1 AND du.domain = $2 AND " USER_REF("u")
	    " ORDER BY m.team_id" },
};
