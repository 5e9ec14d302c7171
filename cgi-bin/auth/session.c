/*
 * Console sessions, shared by both ways of signing in. A session is a
 * 256-bit secret in an HttpOnly, Secure, SameSite=Lax cookie, of which the
 * database keeps only the SHA-256; a second cookie, readable by the
 * console, carries the CSRF token that cookie-authenticated writes echo in
 * X-CSRF-Token (the database keeps its SHA-256 too).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "identity.h"
#include "oidc.h"
#include "signin.h"

#define SECRET_BYTES	32

/*
 * Runs one of this program's statements in a platform transaction of its
 * own: sign-in happens before there is a tenant. NULL with the request
 * answered on failure.
 */
PGresult *
platform_sql(struct req *r, enum auth_stmt s, int n, const char *const *v)
{
	enum db_result	 rc;
	PGresult	*res;

	if ((res = req_platform_sql(r, &auth_stmts[s], n, v, &rc)) == NULL)
		req_db_failed(r, rc);
	return res;
}

static int
set_cookie(struct req *r, const char *name, const char *value, int max_age,
    const char *attributes)
{
	char	 c[256];

	if (snprintf(c, sizeof(c), "%s=%s; Path=/; Max-Age=%d; Secure; %s",
	    name, value, max_age, attributes) >= (int)sizeof(c))
		return -1;
	return resp_header(r, "Set-Cookie", c);
}

/* Ends the browser's copies of both cookies. */
int
cookies_clear(struct req *r)
{
	return set_cookie(r, SESSION_COOKIE, "", 0, "HttpOnly; SameSite=Lax") ==
	    -1 || set_cookie(r, CSRF_COOKIE, "", 0, "SameSite=Strict") == -1 ?
	    -1 : 0;
}

/*
 * The refresh token, sealed for this session's row (COCKPIT_SECRET_KEYS);
 * without keys it is not kept, and the session ends with its token.
 */
static int
refresh_sealed(struct req *r, const struct session_spec *s, const char *d,
    struct buf *out)
{
	char	 aad[200];

	if (s->refresh_token == NULL)
		return 0;
	if (r->w->cfg->secrets.n == 0) {
		log_warn(&r->w->log, "no COCKPIT_SECRET_KEYS: the session "
		    "keeps no refresh token", "request_id", r->request_id);
		return 0;
	}
	session_token_aad(aad, sizeof(aad), s->who->platform ? "" :
	    s->who->account_id, d);
	return secret_seal(&r->w->cfg->secrets, aad, s->refresh_token, out);
}

static int
session_insert(struct req *r, const struct session_spec *s,
    const char *secret, const char *csrf)
{
	const struct principal	*p = s->who;
	char			 d[AUTH_BYTEA_LEN], cd[AUTH_BYTEA_LEN];
	char			 ttl[16], idle[16], abs[16];
	const char		*v[12];
	struct buf		 sealed = { 0 };
	PGresult		*res;

	if (auth_secret_bytea(secret, d) == -1 ||
	    auth_secret_bytea(csrf, cd) == -1 ||
	    refresh_sealed(r, s, d, &sealed) == -1) {
		buf_free(&sealed);
		resp_nomem(r);
		return -1;
	}
	(void)snprintf(ttl, sizeof(ttl), "%ld", s->token_ttl);
	(void)snprintf(idle, sizeof(idle), "%d", r->w->cfg->session_idle);
	(void)snprintf(abs, sizeof(abs), "%d", s->absolute);
	v[0] = d;
	v[1] = cd;
	v[2] = s->method;
	v[3] = p->subject;
	v[4] = p->email;
	v[5] = role_name(p->role);
	v[6] = p->platform ? "" : p->account_id;
	v[7] = sealed.len > 0 ? sealed.data : "";
	v[8] = s->token_ttl > 0 ? ttl : "";
	v[9] = idle;
	v[10] = abs;
	v[11] = r->request_id;
	res = platform_sql(r, ST_SESSION_CREATE, 12, v);
	buf_free(&sealed);
	if (res == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/*
 * Starts a session for s->who and sets its cookies on the answer being
 * built. 0, or -1 with the request answered.
 */
int
session_start(struct req *r, const struct session_spec *s)
{
	char	 secret[SESSION_SECRET_LEN + 1], csrf[SESSION_SECRET_LEN + 1];
	int	 rc = -1;

	if (oidc_random(secret, SECRET_BYTES) == -1 ||
	    oidc_random(csrf, SECRET_BYTES) == -1)
		resp_error(r, 500, "internal_error", NULL, "no randomness");
	else if (session_insert(r, s, secret, csrf) == 0) {
		if (set_cookie(r, SESSION_COOKIE, secret, s->absolute,
		    "HttpOnly; SameSite=Lax") == -1 ||
		    set_cookie(r, CSRF_COOKIE, csrf, s->absolute,
		    "SameSite=Strict") == -1)
			resp_nomem(r);
		else
			rc = 0;
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	return rc;
}
