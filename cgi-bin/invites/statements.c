/* The SQL of invites.fcgi, prepared once per connection. */
#include "audit.h"
#include "invites.h"
#include "pagination.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)

/* What an invite is now: its status, or expired for a pending one past it. */
#define STATE(i) \
	"CASE WHEN " i "status = 'pending' AND " i "expires_at <= " \
	"clock_timestamp() THEN 'expired' ELSE " i "status END"

/*
 * An invite in the order invite_json() reads them (INVITE_NCOLS), i naming
 * the relation ("i."); never its token digest. created_at is at
 * INVITE_COL_CREATED, for the cursor.
 */
#define INVITE_COLUMNS(i) \
	i "id, " i "domain, " i "email, " i "display_name, " \
	i "organisation_id, " i "team_id, " STATE(i) ", " \
	SQL_TS(i "expires_at") ", " i "sent_count, " \
	SQL_TS(i "last_sent_at") ", " i "created_by, " \
	SQL_TS(i "created_at") ", " SQL_TS(i "accepted_at") ", " \
	i "accepted_user_id, " SQL_TS(i "revoked_at")

/* The invite $3 of domain $2 in account $1, locked. */
#define INVITE_OLD \
	"old AS (SELECT * FROM invites WHERE account_id = $1::uuid " \
	"AND domain = $2::text AND id = $3::uuid FOR UPDATE)"

const struct stmt invites_stmts[ST__MAX] = {
	/*
	 * $1 account, $2 domain, $3 email, $4 display name or NULL, $5
	 * organisation or NULL, $6 team or NULL, $7 token digest, $8 seconds
	 * it lasts, $9-$11 who. One row: the invite (nulls when none was
	 * made), then whether the account exists, whether the organisation
	 * and the team are the domain's (and the team the organisation's),
	 * whether the email's user is already an active member of the
	 * domain, the id of the invite pending for the email, and the audit
	 * hash.
	 */
	[ST_INVITE_CREATE] = { "invite_create",
	    "WITH chk AS (SELECT "
	    "EXISTS (SELECT 1 FROM accounts WHERE id = $1::uuid) AS account_ok, "
	    "($5::uuid IS NULL OR EXISTS (SELECT 1 FROM organisations o "
	    "WHERE o.account_id = $1::uuid AND o.domain = $2::text "
	    "AND o.id = $5::uuid)) AS org_ok, "
	    "($6::uuid IS NULL OR EXISTS (SELECT 1 FROM teams t "
	    "WHERE t.account_id = $1::uuid AND t.domain = $2::text "
	    "AND t.id = $6::uuid AND ($5::uuid IS NULL "
	    "OR t.organisation_id = $5::uuid))) AS team_ok, "
	    "EXISTS (SELECT 1 FROM users u JOIN domain_users d "
	    "ON d.account_id = u.account_id AND d.user_id = u.id "
	    "WHERE u.account_id = $1::uuid AND u.email_lower = lower($3::text) "
	    "AND d.domain = $2::text AND u.status = 'active' "
	    "AND d.status = 'active') AS member), "
	    "i AS (INSERT INTO invites (account_id, domain, email, "
	    "display_name, organisation_id, team_id, token_digest, expires_at, "
	    "created_by, last_sent_at, created_at) "
	    "SELECT $1::uuid, $2::text, $3::text, $4::text, $5::uuid, $6::uuid, "
	    "$7::bytea, t + $8::integer * interval '1 second', $9::text, t, t "
	    "FROM chk, clock_timestamp() AS t WHERE chk.account_ok "
	    "AND chk.org_ok AND chk.team_ok AND NOT chk.member "
	    "ON CONFLICT DO NOTHING RETURNING *) "
	    "SELECT " INVITE_COLUMNS("i.") ", chk.account_ok, chk.org_ok, "
	    "chk.team_ok, chk.member, (SELECT p.id FROM invites p "
	    "WHERE p.account_id = $1::uuid AND p.domain = $2::text "
	    "AND lower(p.email) = lower($3::text) AND p.status = 'pending'), "
	    "CASE WHEN i.id IS NOT NULL THEN "
	    AUDIT_EVENT("i.account_id", "invite.create", "invite", "i.id::text",
	    "NULL", AUDIT_ROW_DIGEST("i"), "$9", "$10", "$11") " END "
	    "FROM chk LEFT JOIN i ON true" },
	/*
	 * $1 account, $2 domain, $3 state or NULL, $4 ILIKE pattern or NULL
	 * (email or display name), $5/$6 the cursor as page_after() gives
	 * it, $7 rows to fetch.
	 */
	[ST_INVITE_LIST] = { "invite_list",
	    "SELECT " INVITE_COLUMNS("") " FROM invites "
	    "WHERE account_id = $1::uuid AND domain = $2::text "
	    "AND ($3::text IS NULL OR " STATE("") " = $3::text) "
	    "AND ($4::text IS NULL OR email ILIKE $4::text "
	    "OR display_name ILIKE $4::text) "
	    "AND " PAGE_AFTER_TIME("created_at, id", "$5", "$6") " "
	    "ORDER BY created_at, id LIMIT $7" },
	/* $1 account, $2 domain, $3 invite. */
	[ST_INVITE_GET] = { "invite_get",
	    "SELECT " INVITE_COLUMNS("") " FROM invites "
	    "WHERE account_id = $1::uuid AND domain = $2::text "
	    "AND id = $3::uuid" },
	/*
	 * $1 account, $2 domain, $3 invite, $4-$6 who. One row when the
	 * invite exists: its status before, then the invite revoked (nulls
	 * when it was not pending) and the audit hash.
	 */
	[ST_INVITE_REVOKE] = { "invite_revoke",
	    "WITH " INVITE_OLD ", "
	    "i AS (UPDATE invites SET status = 'revoked', "
	    "revoked_at = clock_timestamp() FROM old "
	    "WHERE invites.id = old.id AND old.status = 'pending' "
	    "RETURNING invites.*) "
	    "SELECT old.status, " INVITE_COLUMNS("i.") ", "
	    "CASE WHEN i.id IS NOT NULL THEN "
	    AUDIT_EVENT("i.account_id", "invite.revoke", "invite", "i.id::text",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("i"), "$4", "$5", "$6")
	    " END FROM old LEFT JOIN i ON true" },
	/*
	 * $1 account, $2 domain, $3 invite, $4 the new token's digest, $5-$7
	 * who. A pending invite (expired or not) gets the new token, which
	 * lasts as long as the first one did (within the bounds) from now.
	 * As revoke.
	 */
	[ST_INVITE_RESEND] = { "invite_resend",
	    "WITH " INVITE_OLD ", "
	    "i AS (UPDATE invites SET token_digest = $4::bytea, "
	    "expires_at = t + least(greatest(old.expires_at - old.last_sent_at, "
	    "interval '" XSTR(INVITE_TTL_MIN) " seconds'), "
	    "interval '" XSTR(INVITE_TTL_MAX) " seconds'), "
	    "last_sent_at = t, sent_count = invites.sent_count + 1 "
	    "FROM old, clock_timestamp() AS t "
	    "WHERE invites.id = old.id AND old.status = 'pending' "
	    "RETURNING invites.*) "
	    "SELECT old.status, " INVITE_COLUMNS("i.") ", "
	    "CASE WHEN i.id IS NOT NULL THEN "
	    AUDIT_EVENT("i.account_id", "invite.resend", "invite", "i.id::text",
	    AUDIT_ROW_DIGEST("old"), AUDIT_ROW_DIGEST("i"), "$5", "$6", "$7")
	    " END FROM old LEFT JOIN i ON true" },
	/*
	 * For the platform: $1 a token's digest. What the accept page shows
	 * of its invite: the account's name, the domain, email, display
	 * name, expiry and state.
	 */
	[ST_INVITE_LOOKUP] = { "invite_lookup",
	    "SELECT a.name, i.domain, i.email, i.display_name, "
	    SQL_TS("i.expires_at") ", " STATE("i.") " FROM invites i "
	    "JOIN accounts a ON a.id = i.account_id "
	    "WHERE i.token_digest = $1::bytea" },
	/*
	 * For the platform: $1 a token's digest. The account its invite
	 * belongs to, and the account's status.
	 */
	[ST_INVITE_FIND] = { "invite_find",
	    "SELECT i.account_id, a.status FROM invites i "
	    "JOIN accounts a ON a.id = i.account_id "
	    "WHERE i.token_digest = $1::bytea" },
	/*
	 * In the invite's account: $1 a token's digest. Its invite, locked
	 * until the transaction ends (a concurrent accept or resend waits):
	 * id, status, whether it has expired, email, and the user of that
	 * email if any (id, status).
	 */
	[ST_INVITE_CLAIM] = { "invite_claim",
	    "SELECT i.id, i.status, i.expires_at <= clock_timestamp(), "
	    "i.email, u.id, u.status FROM invites i LEFT JOIN users u "
	    "ON u.account_id = i.account_id AND u.email_lower = lower(i.email) "
	    "WHERE i.token_digest = $1::bytea FOR UPDATE OF i" },
	/*
	 * In the invite's account: $1 the claimed invite, $2 a display name
	 * or NULL, $3-$5 who. Marks it accepted; makes the user of its email
	 * (pending its first sign-in, which adopts it) or makes the existing
	 * one active; enrols it in the domain and adds the membership the
	 * invite grants, when its organisation or team is still there. One
	 * row: the invite, the user (id, email, display name, whether it is
	 * new), the memberships added, and the audit hash; no row when the
	 * invite was no longer pending.
	 */
	[ST_INVITE_ACCEPT] = { "invite_accept",
	    "WITH prev AS (SELECT * FROM invites WHERE id = $1::uuid), "
	    "old AS (SELECT u.* FROM users u, prev "
	    "WHERE u.account_id = prev.account_id "
	    "AND u.email_lower = lower(prev.email) FOR UPDATE OF u), "
	    "nid AS (SELECT coalesce((SELECT id FROM old), gen_random_uuid()) "
	    "AS id), "
	    "inv AS (UPDATE invites SET status = 'accepted', "
	    "accepted_at = clock_timestamp(), "
	    "accepted_user_id = (SELECT id FROM nid) WHERE id = $1::uuid "
	    "AND status = 'pending' RETURNING *), "
	    "up AS (UPDATE users u SET status = 'active', display_name = "
	    "coalesce(u.display_name, $2::text, inv.display_name), "
	    "updated_at = clock_timestamp() FROM old, inv "
	    "WHERE u.id = old.id RETURNING u.*), "
	    "ins AS (INSERT INTO users (id, account_id, email, display_name) "
	    "SELECT nid.id, inv.account_id, inv.email, "
	    "coalesce($2::text, inv.display_name) FROM inv, nid "
	    "WHERE NOT EXISTS (SELECT 1 FROM old) RETURNING *), "
	    "usr AS (SELECT id, email, display_name, false AS created FROM up "
	    "UNION ALL SELECT id, email, display_name, true FROM ins), "
	    "du AS (INSERT INTO domain_users (account_id, domain, user_id) "
	    "SELECT inv.account_id, inv.domain, usr.id FROM inv, usr "
	    "ON CONFLICT (account_id, domain, user_id) DO UPDATE "
	    "SET status = 'active', updated_at = clock_timestamp() "
	    "RETURNING user_id), "
	    "om AS (INSERT INTO organisation_members (account_id, domain, "
	    "organisation_id, user_id) SELECT inv.account_id, inv.domain, "
	    "inv.organisation_id, usr.id FROM inv, usr "
	    "WHERE inv.organisation_id IS NOT NULL "
	    "ON CONFLICT DO NOTHING RETURNING organisation_id), "
	    "tm AS (INSERT INTO team_members (account_id, domain, team_id, "
	    "user_id) SELECT inv.account_id, inv.domain, inv.team_id, usr.id "
	    "FROM inv, usr WHERE inv.team_id IS NOT NULL "
	    "ON CONFLICT DO NOTHING RETURNING team_id) "
	    "SELECT " INVITE_COLUMNS("inv.") ", usr.id, usr.email, "
	    "usr.display_name, usr.created, (SELECT count(*) FROM du), "
	    "(SELECT organisation_id FROM om), (SELECT team_id FROM tm), "
	    AUDIT_EVENT("inv.account_id", "invite.accept", "invite",
	    "inv.id::text", AUDIT_ROW_DIGEST("prev"), AUDIT_ROW_DIGEST("inv"),
	    "$3", "$4", "$5") " FROM inv, usr, prev" },
};
