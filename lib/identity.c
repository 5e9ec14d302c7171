/*
 * Finishing a principal in the database (see identity.h). Every statement
 * here runs in a platform transaction of its own; the request's own
 * transaction, with its tenant, comes after.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app.h"
#include "identity.h"
#include "oidc.h"
#include "sql.h"
#include "uuid.h"

const struct stmt identity_stmts[IDENTITY__MAX] = {
	[IDENTITY_SIGN_IN] = { "cockpit_identity_sign_in",
	    "SELECT account_id, account_status, user_id, user_status"
	    " FROM cockpit_sign_in($1, $2, $3, $4, $5, $6, $7, $8)" },
	[IDENTITY_API_KEY] = { "cockpit_identity_api_key",
	    "WITH k AS ("
	    "  SELECT k.id, k.account_id, k.prefix, a.status, k.scope"
	    "  FROM api_keys k JOIN accounts a ON a.id = k.account_id"
	    "  WHERE k.revoked_at IS NULL"
	    "  AND (k.digest = $1::bytea OR (k.previous_digest = $1::bytea"
	    "       AND k.previous_expires_at > clock_timestamp()))),"
	    " used AS ("
	    "  UPDATE api_keys u SET last_used_at = clock_timestamp() FROM k"
	    "  WHERE u.id = k.id AND (u.last_used_at IS NULL"
	    "       OR u.last_used_at < clock_timestamp() - interval '1 minute')"
	    "  RETURNING u.id)"
	    " SELECT id, account_id, prefix, status, scope FROM k" },
	[IDENTITY_SESSION] = { "cockpit_identity_session",
	    "WITH s AS ("
	    "  SELECT s.id, s.method, s.subject, s.email, s.role,"
	    "         s.account_id, s.csrf_digest, a.status,"
	    "         s.token_expires_at"
	    "  FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id"
	    "  WHERE s.digest = $1::bytea AND s.revoked_at IS NULL"
	    "  AND s.idle_expires_at > clock_timestamp()"
	    "  AND s.absolute_expires_at > clock_timestamp()),"
	    " seen AS ("
	    "  UPDATE sessions u SET last_seen_at = clock_timestamp(),"
	    "         idle_expires_at = least(u.absolute_expires_at,"
	    "             clock_timestamp() + make_interval(secs => $2::int))"
	    "  FROM s WHERE u.id = s.id"
	    "  AND u.last_seen_at < clock_timestamp() - interval '15 seconds'"
	    "  RETURNING u.id)"
	    " SELECT id, method, subject, email, role,"
	    "        coalesce(account_id::text, ''), encode(csrf_digest, 'hex'),"
	    "        coalesce(status, ''),"
	    "        coalesce(token_expires_at < clock_timestamp(), false)"
	    " FROM s" },
	/*
	 * The renewal of an expired session token, claimed by one request:
	 * the others go on with the session as it is meanwhile.
	 */
	[IDENTITY_SESSION_CLAIM] = { "cockpit_identity_session_claim",
	    "UPDATE sessions"
	    " SET token_expires_at = clock_timestamp() + interval '30 seconds'"
	    " WHERE id = $1 AND revoked_at IS NULL"
	    " AND token_expires_at < clock_timestamp()"
	    " RETURNING coalesce(refresh_token, '')" },
	[IDENTITY_SESSION_RENEW] = { "cockpit_identity_session_renew",
	    "UPDATE sessions SET role = $2, account_id = NULLIF($3, '')::uuid,"
	    " refresh_token = NULLIF($4, ''),"
	    " token_expires_at = clock_timestamp() + make_interval(secs => $5::int)"
	    " WHERE id = $1 AND revoked_at IS NULL RETURNING id" },
	[IDENTITY_SESSION_END] = { "cockpit_identity_session_end",
	    "UPDATE sessions SET revoked_at = clock_timestamp()"
	    " WHERE id = $1 AND revoked_at IS NULL RETURNING id" },
};

/* The lowercased domain of an address, into out; -1 if there is none. */
int
email_domain(const char *email, char *out, size_t len)
{
	const char	*at = strrchr(email, '@');
	size_t		 i, n;

	if (at == NULL || at == email || (n = strlen(at + 1)) < 3 || n >= len)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)at[1 + i]);
	out[n] = '\0';
	return 0;
}

/*
 * The associated data a session's refresh token is sealed with: its
 * account (or the platform), its row (by digest) and its field.
 */
void
session_token_aad(char *out, size_t len, const char *account_id,
    const char *digest_hex)
{
	(void)snprintf(out, len, "account:%s|sessions:%s|refresh_token",
	    account_id[0] != '\0' ? account_id : "platform", digest_hex);
}

static int
hex_to_bytes(const char *hex, unsigned char *out, size_t n)
{
	size_t		 i;
	unsigned int	 v;

	if (strlen(hex) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

static void
copy_field(char *dst, size_t len, const PGresult *res, int col)
{
	(void)snprintf(dst, len, "%s", PQgetisnull(res, 0, col) ? "" :
	    PQgetvalue(res, 0, col));
}

/* The token's user: its account, and its local user, made on first use. */
static enum auth_result
resolve_token(struct req *r, struct principal *p, struct credential *c,
    const char **reason, enum db_result *rc)
{
	const struct token_claims *cl = &c->claims;
	char			 domain[256] = "";
	const char		*v[8];
	PGresult		*res;
	enum auth_result	 result;

	if (cl->email_verified)
		(void)email_domain(cl->email, domain, sizeof(domain));
	v[0] = cl->org_id;
	v[1] = uuid_valid(cl->account_hint) ? cl->account_hint : "";
	v[2] = domain;
	v[3] = cl->sub;
	v[4] = cl->email;
	v[5] = cl->name;
	v[6] = role_name(p->role);
	v[7] = r->request_id;
	if (cl->sub[0] == '\0' || cl->email[0] == '\0') {
		*reason = "the token names no subject or no email";
		return AUTH_UNRESOLVED;
	}
	if ((res = req_platform_sql(r, &identity_stmts[IDENTITY_SIGN_IN], 8, v,
	    rc)) == NULL)
		return AUTH_UNAVAILABLE;
	result = AUTH_UNRESOLVED;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		*reason = "no account resolves for this user";
	else if (PQgetisnull(res, 0, 2))
		*reason = "the email belongs to another user of the account";
	else if (strcmp(PQgetvalue(res, 0, 3), "active") != 0)
		*reason = "the user is deactivated";
	else {
		copy_field(p->account_id, sizeof(p->account_id), res, 0);
		copy_field(p->user_id, sizeof(p->user_id), res, 2);
		p->suspended = strcmp(PQgetvalue(res, 0, 1), "active") != 0;
		result = AUTH_OK;
	}
	PQclear(res);
	return result;
}

static enum auth_result
resolve_api_key(struct req *r, struct credential *c, const char **reason,
    enum db_result *rc)
{
	struct principal	*p = &r->principal;
	char			 hex[AUTH_BYTEA_LEN];
	const char		*v[1] = { hex };
	PGresult		*res;
	enum auth_result	 result = AUTH_INVALID;

	auth_digest_bytea(c->digest, hex);
	if ((res = req_platform_sql(r, &identity_stmts[IDENTITY_API_KEY], 1, v,
	    rc)) == NULL)
		return AUTH_UNAVAILABLE;
	if (PQntuples(res) != 1)
		*reason = "unknown, revoked or expired API key";
	else {
		p->role = ROLE_ACCOUNT_ADMIN;
		copy_field(p->credential_id, sizeof(p->credential_id), res, 0);
		copy_field(p->account_id, sizeof(p->account_id), res, 1);
		(void)snprintf(p->actor, sizeof(p->actor), "api_key:%s",
		    PQgetvalue(res, 0, 2));
		p->suspended = strcmp(PQgetvalue(res, 0, 3), "active") != 0;
		p->scim = strcmp(PQgetvalue(res, 0, 4), "scim") == 0;
		result = AUTH_OK;
	}
	PQclear(res);
	return result;
}

static enum role
role_parse(const char *s)
{
	if (strcmp(s, "super_admin") == 0)
		return ROLE_SUPER_ADMIN;
	if (strcmp(s, "account_admin") == 0)
		return ROLE_ACCOUNT_ADMIN;
	return ROLE_END_USER;
}

/* The principal a session row stands for. */
static void
session_principal(struct principal *p, const PGresult *res)
{
	copy_field(p->credential_id, sizeof(p->credential_id), res, 0);
	p->method = strcmp(PQgetvalue(res, 0, 1), "break_glass") == 0 ?
	    "break_glass" : "sso";
	copy_field(p->subject, sizeof(p->subject), res, 2);
	copy_field(p->email, sizeof(p->email), res, 3);
	p->role = role_parse(PQgetvalue(res, 0, 4));
	copy_field(p->account_id, sizeof(p->account_id), res, 5);
	if (hex_to_bytes(PQgetvalue(res, 0, 6), p->csrf, sizeof(p->csrf)) ==
	    -1)
		memset(p->csrf, 0, sizeof(p->csrf));
	p->suspended = strcmp(PQgetvalue(res, 0, 7), "suspended") == 0;
	p->platform = p->role == ROLE_SUPER_ADMIN && p->account_id[0] == '\0';
	(void)snprintf(p->actor, sizeof(p->actor), "%s", p->email[0] != '\0' ?
	    p->email : p->subject);
}

/*
 * The principal of an access token, resolved as for a bearer token: for
 * the sign-in callback and session renewal. AUTH_UNAVAILABLE has answered
 * the request.
 */
enum auth_result
identity_token(struct req *r, const char *token, struct principal *p,
    const char **reason)
{
	struct credential	 c;
	enum auth_result	 result;
	enum db_result		 rc = DB_OK;

	memset(&c, 0, sizeof(c));
	result = auth_token(&r->w->auth, token, time(NULL), p, &c, reason);
	if (result != AUTH_LOOKUP)
		return result;
	result = resolve_token(r, p, &c, reason, &rc);
	if (result == AUTH_UNAVAILABLE)
		req_db_failed(r, rc);
	else
		auth_remember(&r->w->auth, &c, time(NULL), p, result);
	return result;
}

static enum auth_result
session_end(struct req *r, const char *why, const char **reason)
{
	const char		*v[1] = { r->principal.credential_id };
	PGresult		*res;
	enum db_result		 rc;

	*reason = why;
	if ((res = req_platform_sql(r, &identity_stmts[IDENTITY_SESSION_END],
	    1, v, &rc)) == NULL) {
		req_db_failed(r, rc);
		return AUTH_UNAVAILABLE;
	}
	PQclear(res);
	return AUTH_INVALID;
}

/*
 * The session's access token has expired: renew it with the refresh token
 * and decide the role and account again; a session that cannot be renewed
 * ends.
 */
/* The refresh token a session row keeps, opened into out; -1 if none. */
static int
session_token_open(struct req *r, const char *sealed, const char *hex,
    struct buf *out)
{
	char	 aad[200];

	if (sealed[0] == '\0')
		return -1;
	session_token_aad(aad, sizeof(aad), r->principal.account_id, hex);
	return secret_open(&r->w->cfg->secrets, aad, sealed, out);
}

/* Seals the renewed session's refresh token for its (new) account. */
static int
session_token_seal(struct req *r, const struct principal *q,
    const char *token, const char *hex, struct buf *out)
{
	char	 aad[200];

	session_token_aad(aad, sizeof(aad), q->platform ? "" : q->account_id,
	    hex);
	return secret_seal(&r->w->cfg->secrets, aad, token, out);
}

static enum auth_result
session_renew(struct req *r, const struct principal *q,
    const struct oidc_tokens *t, const char *hex)
{
	struct buf	 sealed = { 0 };
	enum db_result	 rc;
	char		 ttl[24];
	const char	*v[5];
	PGresult	*res;

	if (t->refresh_token == NULL || session_token_seal(r, q,
	    t->refresh_token, hex, &sealed) == -1)
		buf_reset(&sealed);
	(void)snprintf(ttl, sizeof(ttl), "%ld", t->expires_in);
	v[0] = r->principal.credential_id;
	v[1] = role_name(q->role);
	v[2] = q->platform ? "" : q->account_id;
	v[3] = sealed.len > 0 ? sealed.data : "";
	v[4] = ttl;
	res = req_platform_sql(r, &identity_stmts[IDENTITY_SESSION_RENEW], 5,
	    v, &rc);
	buf_free(&sealed);
	if (res == NULL) {
		req_db_failed(r, rc);
		return AUTH_UNAVAILABLE;
	}
	PQclear(res);
	return AUTH_OK;
}

/*
 * Claims the renewal of the session's token; 1 with the sealed refresh
 * token in *res (the caller clears it), 0 when another request has it,
 * -1 with the request answered.
 */
static int
session_claim(struct req *r, PGresult **res)
{
	const char	*v[1] = { r->principal.credential_id };
	enum db_result	 rc;

	if ((*res = req_platform_sql(r, &identity_stmts[IDENTITY_SESSION_CLAIM],
	    1, v, &rc)) == NULL) {
		req_db_failed(r, rc);
		return -1;
	}
	if (PQntuples(*res) == 1)
		return 1;
	PQclear(*res);
	*res = NULL;
	return 0;
}

static enum auth_result
session_refresh(struct req *r, const char *hex, const char **reason)
{
	struct worker		*w = r->w;
	struct principal	 q;
	struct oidc_tokens	 t;
	struct buf		 refresh = { 0 };
	enum auth_result	 result;
	PGresult		*claim;
	char			 err[200];
	int			 ok;

	if ((ok = session_claim(r, &claim)) != 1)
		return ok == 0 ? AUTH_OK : AUTH_UNAVAILABLE;
	ok = session_token_open(r, PQgetvalue(claim, 0, 0), hex, &refresh) == 0 &&
	    oidc_configured(w->cfg) && oidc_discover(&w->oidc, w->cfg,
	    time(NULL), err, sizeof(err)) == 0 && oidc_refresh(&w->oidc,
	    w->cfg, refresh.data, &t, err, sizeof(err)) == 0;
	if (refresh.data != NULL)
		OPENSSL_cleanse(refresh.data, refresh.len);
	buf_free(&refresh);
	PQclear(claim);
	if (!ok)
		return session_end(r, "the session could not be renewed",
		    reason);
	result = identity_token(r, t.access_token, &q, reason);
	if (result != AUTH_OK) {
		oidc_tokens_free(&t);
		return result == AUTH_UNAVAILABLE ? result :
		    session_end(r, *reason, reason);
	}
	result = session_renew(r, &q, &t, hex);
	oidc_tokens_free(&t);
	if (result != AUTH_OK)
		return result;
	r->principal.role = q.role;
	(void)snprintf(r->principal.account_id,
	    sizeof(r->principal.account_id), "%s", q.platform ? "" :
	    q.account_id);
	r->principal.platform = q.platform;
	r->principal.suspended = q.suspended;
	return AUTH_OK;
}

static enum auth_result
resolve_session(struct req *r, struct credential *c, const char **reason,
    enum db_result *rc)
{
	char			 hex[AUTH_BYTEA_LEN], idle[16];
	const char		*v[2] = { hex, idle };
	PGresult		*res;
	enum auth_result	 result = AUTH_INVALID;

	auth_digest_bytea(c->digest, hex);
	(void)snprintf(idle, sizeof(idle), "%d", r->w->cfg->session_idle);
	if ((res = req_platform_sql(r, &identity_stmts[IDENTITY_SESSION], 2, v,
	    rc)) == NULL)
		return AUTH_UNAVAILABLE;
	if (PQntuples(res) != 1)
		*reason = "unknown, expired or ended session";
	else {
		session_principal(&r->principal, res);
		result = AUTH_OK;
		if (strcmp(PQgetvalue(res, 0, 8), "t") == 0)
			result = session_refresh(r, hex, reason);
	}
	PQclear(res);
	return result;
}

/*
 * Completes the principal of an AUTH_LOOKUP credential. Returns AUTH_OK,
 * AUTH_INVALID or AUTH_UNRESOLVED with *reason, or AUTH_UNAVAILABLE when
 * the database could not be asked (the request then answers 503).
 */
enum auth_result
identity_complete(struct req *r, struct credential *c, const char **reason)
{
	enum auth_result	 result;
	enum db_result		 rc = DB_OK;

	switch (c->kind) {
	case CREDENTIAL_TOKEN:
		result = resolve_token(r, &r->principal, c, reason, &rc);
		if (result == AUTH_OK || result == AUTH_UNRESOLVED)
			auth_remember(&r->w->auth, c, time(NULL), &r->principal,
			    result);
		break;
	case CREDENTIAL_API_KEY:
		result = resolve_api_key(r, c, reason, &rc);
		break;
	case CREDENTIAL_SESSION:
	default:
		result = resolve_session(r, c, reason, &rc);
		break;
	}
	if (result == AUTH_UNAVAILABLE) {
		*reason = "the database is unavailable";
		req_db_failed(r, rc);
	}
	return result;
}
