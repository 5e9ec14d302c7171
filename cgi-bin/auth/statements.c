/* The SQL of auth.fcgi, prepared once per connection. */
#include "signin.h"

const struct stmt auth_stmts[ST__MAX] = {
	/*
	 * $1 state digest, $2 verifier, $3 nonce, $4 return_to, $5 the
	 * digest of the browser's login cookie.
	 */
	[ST_LOGIN_START] = { "auth_login_start",
	    "WITH stale AS (DELETE FROM auth_logins"
	    "  WHERE expires_at < clock_timestamp())"
	    " INSERT INTO auth_logins (state_digest, browser_digest,"
	    "  code_verifier, nonce, return_to, expires_at)"
	    " VALUES ($1::bytea, $5::bytea, $2, $3, $4,"
	    "  clock_timestamp() + interval '10 minutes')" },
	/*
	 * Used once, by the browser that started it: taken whether or not it
	 * is still fresh. $1 state digest, $2 login cookie digest.
	 */
	[ST_LOGIN_TAKE] = { "auth_login_take",
	    "DELETE FROM auth_logins WHERE state_digest = $1::bytea"
	    " AND browser_digest = $2::bytea"
	    " RETURNING code_verifier, nonce, return_to,"
	    "  expires_at > clock_timestamp()" },
	/*
	 * $1 digest, $2 CSRF digest, $3 method, $4 subject, $5 email, $6 role,
	 * $7 account or '', $8 sealed refresh token or '', $9 token lifetime
	 * or '', $10 idle, $11 absolute (seconds), $12 request id. Sessions
	 * ended a week ago go.
	 */
	[ST_SESSION_CREATE] = { "auth_session_create",
	    "WITH gone AS (DELETE FROM sessions"
	    "  WHERE absolute_expires_at < clock_timestamp() - interval '7 days'),"
	    " s AS (INSERT INTO sessions (digest, csrf_digest, method,"
	    "  subject, email, role, account_id, refresh_token,"
	    "  token_expires_at, idle_expires_at, absolute_expires_at)"
	    " VALUES ($1::bytea, $2::bytea, $3, $4, $5, $6,"
	    "  NULLIF($7, '')::uuid, NULLIF($8, ''),"
	    "  CASE WHEN $9 = '' THEN NULL"
	    "   ELSE clock_timestamp() + make_interval(secs => $9::int) END,"
	    "  clock_timestamp() + make_interval(secs => $10::int),"
	    "  clock_timestamp() + make_interval(secs => $11::int))"
	    " RETURNING id, account_id, absolute_expires_at)"
	    " SELECT s.id, " SQL_TS("s.absolute_expires_at") ","
	    "  cockpit_audit(s.account_id, CASE WHEN $5 = '' THEN $4 ELSE $5"
	    "   END, $6, 'session.sign_in', 'session', s.id::text,"
	    "   $12, NULL, NULL)"
	    " FROM s" },
	/* $1 session, $2 actor, $3 role, $4 request id. */
	[ST_SESSION_END] = { "auth_session_end",
	    "WITH s AS (UPDATE sessions SET revoked_at = clock_timestamp()"
	    "  WHERE id = $1 AND revoked_at IS NULL"
	    "  RETURNING id, account_id)"
	    " SELECT s.id, cockpit_audit(s.account_id, $2, $3,"
	    "  'session.sign_out', 'session', s.id::text, $4, NULL, NULL)"
	    " FROM s" },
	/* Whether a credential is there and switched on. */
	[ST_BREAK_GLASS_AVAILABLE] = { "auth_break_glass_available",
	    "SELECT EXISTS (SELECT 1 FROM break_glass WHERE enabled)" },
	/* $1 source address, $2 and $3 the failure limits. */
	[ST_BREAK_GLASS_ATTEMPT] = { "auth_break_glass_attempt",
	    "SELECT allowed, attempt_id, username, hash,"
	    " coalesce(enabled, true), username IS NOT NULL"
	    " FROM cockpit_break_glass_attempt($1, $2::int, $3::int)" },
	/* $1 attempt, $2 succeeded, $3 actor, $4 request id. */
	[ST_BREAK_GLASS_RECORD] = { "auth_break_glass_record",
	    "WITH a AS (UPDATE break_glass_attempts SET succeeded = $2::boolean"
	    "  WHERE id = $1::bigint RETURNING id)"
	    " SELECT cockpit_audit(NULL, $3,"
	    "  CASE WHEN $2::boolean THEN 'super_admin' ELSE 'none' END,"
	    "  CASE WHEN $2::boolean THEN 'break_glass.sign_in'"
	    "   ELSE 'break_glass.refused' END,"
	    "  'break_glass', a.id::text, $4, NULL, NULL)"
	    " FROM a" },
	/*
	 * $1 account, $2 subject. In the caller's tenant: the account, the
	 * caller's user id and name, the product domains of its feature
	 * pack (a JSON array).
	 */
	[ST_CONTEXT] = { "auth_context",
	    "SELECT a.id, a.name, a.slug, a.status,"
	    " (SELECT u.id FROM users u WHERE u.account_id = a.id"
	    "   AND u.subject = $2 AND $2 <> ''),"
	    " (SELECT u.display_name FROM users u WHERE u.account_id = a.id"
	    "   AND u.subject = $2 AND $2 <> ''),"
	    " (SELECT to_json(ARRAY(SELECT d FROM unnest(s.product_domains)"
	    "   AS d ORDER BY d))::text FROM account_subscriptions s"
	    "   WHERE s.account_id = a.id)"
	    " FROM accounts a WHERE a.id = $1::uuid" },
};
