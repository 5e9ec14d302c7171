/*
 * Signing in with the identity provider: the authorization code flow with
 * PKCE. /v1/auth/login keeps the state's digest, the verifier and the
 * nonce, and sends the browser to the provider; /v1/auth/callback takes
 * them back (once), redeems the code, verifies both tokens, resolves the
 * user as any bearer token is resolved, and starts a session.
 *
 * The callback answers the browser, not a program: its failures redirect
 * to the console with ?signin_error=<code>, never to an address the
 * request chose.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "identity.h"
#include "oidc.h"
#include "signin.h"

#define RETURN_TO_MAX	512
#define LOGIN_COOKIE	"cockpit_login"	/* ties a sign-in to its browser */

static const char *const login_params[] = { "return_to", NULL };
static const char *const callback_params[] = {
	"code", "state", "error", "error_description", "session_state",
	"iss", NULL
};

/*
 * A place in the console to come back to: a path on this origin only
 * ("/..." but not "//..." nor "/\..."), printable, short.
 */
static int
return_to_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > RETURN_TO_MAX || s[0] != '/' || s[1] == '/' ||
	    s[1] == '\\')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f ||
		    s[i] == '\\')
			return 0;
	return 1;
}

static void
redirect(struct req *r, const char *location)
{
	buf_reset(&r->out);
	if (resp_header(r, "Location", location) == -1 ||
	    resp_header(r, "Cache-Control", "no-store") == -1 ||
	    buf_puts(&r->out, "{}") == -1) {
		resp_nomem(r);
		return;
	}
	resp_ok(r, 302);
}

/* The callback's answers: the sign-in's login cookie is done with. */
static void
callback_redirect(struct req *r, const char *location)
{
	if (resp_header(r, "Set-Cookie", LOGIN_COOKIE "=; Path=/v1/auth/; "
	    "Max-Age=0; Secure; HttpOnly; SameSite=Lax") == -1) {
		resp_nomem(r);
		return;
	}
	redirect(r, location);
}

/* Back to the console's sign-in page, saying what went wrong. */
static void
signin_failed(struct req *r, const char *code, const char *why)
{
	char	 location[128];

	log_info(&r->w->log, "sign-in failed", "request_id", r->request_id,
	    "error", code, "reason", why);
	(void)snprintf(location, sizeof(location), "/?signin_error=%s", code);
	buf_free(&r->headers);
	callback_redirect(r, location);
}

static int
sso_ready(struct req *r)
{
	char	 err[200];

	if (!oidc_configured(r->w->cfg)) {
		resp_error(r, 503, "sso_unavailable", NULL, "sign-in with the "
		    "identity provider is not configured");
		return -1;
	}
	if (oidc_discover(&r->w->oidc, r->w->cfg, time(NULL), err,
	    sizeof(err)) == -1) {
		log_warn(&r->w->log, "identity provider discovery failed",
		    "request_id", r->request_id, "error", err);
		resp_error(r, 503, "sso_unavailable", NULL, "the identity "
		    "provider cannot be reached; retry shortly");
		(void)resp_header(r, "Retry-After", "5");
		return -1;
	}
	return 0;
}

/*
 * GET /v1/auth/login?return_to=/path: 302 to the provider's authorization
 * endpoint; 400 invalid_parameter; 503 sso_unavailable.
 */
void
auth_login(struct req *r)
{
	char		 state[SESSION_SECRET_LEN + 1], nonce[SESSION_SECRET_LEN + 1];
	char		 verifier[OIDC_VERIFIER_LEN + 1], challenge[64];
	char		 browser[SESSION_SECRET_LEN + 1], cookie[128];
	char		 d[AUTH_BYTEA_LEN], bd[AUTH_BYTEA_LEN];
	const char	*back = req_query(r, "return_to"), *v[5];
	struct buf	 url = { 0 };
	PGresult	*res;

	if (req_query_allow(r, login_params) == -1)
		return;
	if (back != NULL && !return_to_valid(back)) {
		resp_error(r, 400, "invalid_parameter", "return_to", "return_to "
		    "must be a path in this console");
		return;
	}
	if (sso_ready(r) == -1)
		return;
	if (oidc_random(state, 32) == -1 || oidc_random(nonce, 32) == -1 ||
	    oidc_random(verifier, 32) == -1 || oidc_random(browser, 32) == -1 ||
	    oidc_challenge(verifier, challenge, sizeof(challenge)) == -1 ||
	    auth_secret_bytea(state, d) == -1 ||
	    auth_secret_bytea(browser, bd) == -1) {
		resp_error(r, 500, "internal_error", NULL, "no randomness");
		return;
	}
	v[0] = d;
	v[1] = verifier;
	v[2] = nonce;
	v[3] = back != NULL ? back : "/";
	v[4] = bd;
	if ((res = platform_sql(r, ST_LOGIN_START, 5, v)) == NULL)
		return;
	PQclear(res);
	(void)snprintf(cookie, sizeof(cookie), LOGIN_COOKIE "=%s; "
	    "Path=/v1/auth/; Max-Age=600; Secure; HttpOnly; SameSite=Lax",
	    browser);
	if (oidc_authorize_url(&r->w->oidc, r->w->cfg, state, nonce, challenge,
	    &url) == -1 || resp_header(r, "Set-Cookie", cookie) == -1)
		resp_nomem(r);
	else
		redirect(r, url.data);
	buf_free(&url);
}

/*
 * The sign-in in flight that state names, taken, provided this browser
 * started it (its login cookie); NULL when answered.
 */
static PGresult *
login_take(struct req *r, const char *state)
{
	char		 d[AUTH_BYTEA_LEN], bd[AUTH_BYTEA_LEN];
	char		 browser[SESSION_SECRET_LEN + 2];
	const char	*v[2] = { d, bd }, *cookies = req_env(r, "HTTP_COOKIE");
	PGresult	*res;

	if (strlen(state) > 256 || auth_secret_bytea(state, d) == -1) {
		signin_failed(r, "state_invalid", "unusable state");
		return NULL;
	}
	if (cookies == NULL || strlen(cookies) > AUTH_MAX_HEADER ||
	    cookie_value(cookies, LOGIN_COOKIE, browser, sizeof(browser)) ==
	    -1 || auth_secret_bytea(browser, bd) == -1) {
		signin_failed(r, "state_invalid", "the sign-in was not started "
		    "by this browser");
		return NULL;
	}
	if ((res = platform_sql(r, ST_LOGIN_TAKE, 2, v)) == NULL)
		return NULL;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
		PQclear(res);
		signin_failed(r, "state_invalid", "unknown or expired state");
		return NULL;
	}
	return res;
}

/* Verifies what the provider gave and decides who signed in. */
static int
callback_principal(struct req *r, const struct oidc_tokens *t,
    const char *nonce, struct principal *p)
{
	struct token_claims	 idc;
	const char		*reason = NULL;
	enum auth_result	 rc;

	if (t->id_token == NULL || auth_id_token(&r->w->auth, t->id_token,
	    r->w->cfg->client_id, nonce, time(NULL), &idc, &reason) == -1) {
		signin_failed(r, "token_invalid", reason != NULL ? reason :
		    "no ID token");
		return -1;
	}
	rc = identity_token(r, t->access_token, p, &reason);
	if (rc == AUTH_UNAVAILABLE)
		return -1;
	if (rc == AUTH_OK && strcmp(idc.sub, p->subject) != 0) {
		rc = AUTH_INVALID;
		reason = "the ID token and access token name different users";
	}
	if (rc == AUTH_OK)
		return 0;
	signin_failed(r, rc == AUTH_UNRESOLVED ? "account_unresolved" :
	    "token_invalid", reason != NULL ? reason : "refused");
	return -1;
}

/* Redeems the code, verifies, starts the session, returns to the console. */
static void
callback_finish(struct req *r, const char *code, const PGresult *login)
{
	struct oidc_tokens	 t;
	struct principal	 p;
	struct session_spec	 s;
	char			 err[200];

	if (oidc_redeem(&r->w->oidc, r->w->cfg, code, PQgetvalue(login, 0, 0),
	    &t, err, sizeof(err)) == -1) {
		signin_failed(r, "code_refused", err);
		return;
	}
	if (callback_principal(r, &t, PQgetvalue(login, 0, 1), &p) == 0) {
		s.method = "sso";
		s.who = &p;
		s.refresh_token = t.refresh_token;
		s.token_ttl = t.expires_in;
		s.absolute = r->w->cfg->session_absolute;
		if (session_start(r, &s) == 0)
			callback_redirect(r, PQgetvalue(login, 0, 2));
	}
	oidc_tokens_free(&t);
}

/*
 * GET /v1/auth/callback?code=&state=: 302 to where the sign-in started,
 * with the session's cookies; else 302 to /?signin_error= (state_invalid,
 * idp_error, code_refused, token_invalid, account_unresolved); 503 when
 * the provider or the database cannot be reached.
 */
void
auth_callback(struct req *r)
{
	const char	*code = req_query(r, "code"), *state = req_query(r,
			    "state");
	PGresult	*login;

	if (req_query_allow(r, callback_params) == -1)
		return;
	if (state == NULL) {
		signin_failed(r, "state_invalid", "no state");
		return;
	}
	if ((login = login_take(r, state)) == NULL)
		return;
	if (req_query(r, "error") != NULL || code == NULL || *code == '\0' ||
	    strlen(code) > 2048)
		signin_failed(r, "idp_error", req_query(r, "error") != NULL ?
		    req_query(r, "error") : "no code");
	else if (sso_ready(r) == 0)
		callback_finish(r, code, login);
	PQclear(login);
}

/*
 * POST /v1/auth/logout: 200 {"signed_out":true,"end_session_url":...}
 * with the cookies cleared; 409 no_session for a bearer credential.
 */
void
auth_logout(struct req *r)
{
	const struct principal	*p = &r->principal;
	const char		*v[4];
	PGresult		*res;
	char			 err[200];
	struct buf		 end = { 0 };

	if (strcmp(p->kind, "session") != 0) {
		resp_error(r, 409, "no_session", NULL, "only a console session "
		    "signs out; a bearer credential is simply not sent again");
		return;
	}
	v[0] = p->credential_id;
	v[1] = p->actor;
	v[2] = role_name(p->role);
	v[3] = r->request_id;
	if ((res = platform_sql(r, ST_SESSION_END, 4, v)) == NULL)
		return;
	PQclear(res);
	if (p->method != NULL && strcmp(p->method, "sso") == 0 &&
	    oidc_configured(r->w->cfg) && oidc_discover(&r->w->oidc,
	    r->w->cfg, time(NULL), err, sizeof(err)) == 0 &&
	    oidc_end_session_url(&r->w->oidc, r->w->cfg, &end) == -1)
		buf_reset(&end);
	if (cookies_clear(r) == -1 ||
	    buf_puts(&r->out, "{\"signed_out\":true,\"end_session_url\":") ==
	    -1 || (end.len > 0 ? buf_json_string(&r->out, end.data) :
	    buf_puts(&r->out, "null")) == -1 || buf_puts(&r->out, "}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	buf_free(&end);
}
