/*
 * Who is calling (GET /v1/me/context), which ways of signing in are open
 * (GET /v1/auth/methods), and how the identity provider is configured and
 * doing (GET /v1/auth/zitadel/status).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keyring.h"
#include "oidc.h"
#include "signin.h"

/* The permission levels the principal meets, by the route table's names. */
static int
scopes_json(struct buf *b, const struct principal *p)
{
	static const struct {
		enum perm	 perm;
		const char	*name;
	} levels[] = {
		{ PERM_SIGNED_IN, "signed_in" },
		{ PERM_ACCOUNT_ADMIN, "account_admin" },
		{ PERM_SUPER_ADMIN, "super_admin" },
	};
	size_t	 i;
	int	 n = 0;

	if (buf_puts(b, "[") == -1)
		return -1;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (auth_permits(levels[i].perm, p) &&
		    buf_printf(b, "%s\"%s\"", n++ > 0 ? "," : "",
		    levels[i].name) == -1)
			return -1;
	return buf_puts(b, "]");
}

static int
json_text_or_null(struct buf *b, const char *s)
{
	return s != NULL && *s != '\0' ? buf_json_string(b, s) :
	    buf_puts(b, "null");
}

/* {"id",...} of the account row, or null. */
static int
account_json(struct buf *b, const PGresult *res)
{
	if (res == NULL || PQntuples(res) != 1)
		return buf_puts(b, "null");
	return buf_puts(b, "{\"id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 0)) == -1 ||
	    buf_puts(b, ",\"name\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 1)) == -1 ||
	    buf_puts(b, ",\"slug\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 2)) == -1 ||
	    buf_puts(b, ",\"status\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 3)) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/*
 * The caller's context. The product domains are the account's feature
 * pack's; the platform's own principals have both.
 */
static int
context_json(struct buf *b, const struct principal *p, const PGresult *acct)
{
	const char	*user_id = p->user_id, *name = NULL,
			*domains = p->platform ? "[\"console\",\"copilot\"]" :
			    "[]";

	if (acct != NULL && PQntuples(acct) == 1) {
		if (!PQgetisnull(acct, 0, 4))
			user_id = PQgetvalue(acct, 0, 4);
		if (!PQgetisnull(acct, 0, 5))
			name = PQgetvalue(acct, 0, 5);
		if (!PQgetisnull(acct, 0, 6))
			domains = PQgetvalue(acct, 0, 6);
	}
	return buf_puts(b, "{\"user\":{\"id\":") == -1 ||
	    json_text_or_null(b, user_id) == -1 ||
	    buf_puts(b, ",\"subject\":") == -1 ||
	    json_text_or_null(b, p->subject) == -1 ||
	    buf_puts(b, ",\"email\":") == -1 ||
	    json_text_or_null(b, p->email) == -1 ||
	    buf_puts(b, ",\"display_name\":") == -1 ||
	    json_text_or_null(b, name) == -1 ||
	    buf_puts(b, ",\"actor\":") == -1 ||
	    buf_json_string(b, p->actor) == -1 ||
	    buf_printf(b, "},\"role\":\"%s\",\"account\":",
	    role_name(p->role)) == -1 ||
	    account_json(b, acct) == -1 ||
	    buf_printf(b, ",\"acting_for_platform\":%s,\"scopes\":",
	    p->platform ? "true" : "false") == -1 ||
	    scopes_json(b, p) == -1 ||
	    buf_puts(b, ",\"product_domains_allowed\":") == -1 ||
	    buf_puts(b, domains) == -1 ||
	    buf_printf(b, ",\"auth\":{\"kind\":\"%s\",\"method\":", p->kind) ==
	    -1 || json_text_or_null(b, p->method) == -1 ||
	    buf_printf(b, ",\"csrf_required\":%s}}",
	    strcmp(p->kind, "session") == 0 ? "true" : "false") == -1 ? -1 : 0;
}

/*
 * GET /v1/me/context: 200 with the caller: user, role, account (null for
 * a super admin acting for the platform), scopes (the permission levels
 * met), product_domains_allowed, and how the caller signed in. Open to a
 * suspended account's principals, whose account says so. 404 when a
 * super admin's X-Account-Id names no account.
 */
void
me_context(struct req *r)
{
	const struct principal	*p = &r->principal;
	const char		*v[2] = { p->account_id, p->subject };
	PGresult		*acct = NULL;

	if (p->account_id[0] != '\0' &&
	    (acct = req_sql(r, ST_CONTEXT, 2, v, DB_LAST)) == NULL)
		return;
	if (acct != NULL && PQntuples(acct) != 1) {
		PQclear(acct);
		resp_error(r, 404, "not_found", NULL, "no such account");
		return;
	}
	if (context_json(&r->out, p, acct) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(acct);
}

/*
 * GET /v1/auth/methods: 200 {"sso":{"available","login_url"},
 * "break_glass":{"available"}}, for the sign-in page. Public.
 */
void
auth_methods(struct req *r)
{
	PGresult	*st;
	int		 bg;

	if ((st = platform_sql(r, ST_BREAK_GLASS_AVAILABLE, 0, NULL)) == NULL)
		return;
	bg = r->w->cfg->break_glass && strcmp(PQgetvalue(st, 0, 0), "t") == 0;
	PQclear(st);
	if (buf_printf(&r->out, "{\"sso\":{\"available\":%s,\"login_url\":"
	    "\"/v1/auth/login\"},\"break_glass\":{\"available\":%s}}",
	    oidc_configured(r->w->cfg) ? "true" : "false", bg ? "true" :
	    "false") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
}

static int
list_json(struct buf *b, const struct name_list *l)
{
	size_t	 i;

	if (buf_puts(b, "[") == -1)
		return -1;
	for (i = 0; l->names[i] != NULL; i++)
		if ((i > 0 && buf_puts(b, ",") == -1) ||
		    buf_json_string(b, l->names[i]) == -1)
			return -1;
	return buf_puts(b, "]");
}

static int
jwks_json(struct buf *b, struct keyring_shared *shm)
{
	time_t		 fetched = 0;
	size_t		 nkeys = 0;
	char		 err[200] = "", when[32] = "";
	struct tm	 tm;

	if (shm == NULL || keyring_status(shm, &fetched, &nkeys, err,
	    sizeof(err)) == -1)
		return buf_puts(b, "{\"keys\":0,\"fetched_at\":null,"
		    "\"last_error\":null,\"healthy\":false}");
	if (fetched != 0 && gmtime_r(&fetched, &tm) != NULL)
		(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf_printf(b, "{\"keys\":%zu,\"fetched_at\":", nkeys) == -1 ||
	    json_text_or_null(b, when) == -1 ||
	    buf_puts(b, ",\"last_error\":") == -1 ||
	    json_text_or_null(b, err) == -1 ||
	    buf_printf(b, ",\"healthy\":%s}", nkeys > 0 && err[0] == '\0' ?
	    "true" : "false") == -1 ? -1 : 0;
}

/*
 * GET /v1/auth/zitadel/status: 200 with the identity provider's
 * configuration (never a secret) and the health of its JWKS.
 */
void
zitadel_status(struct req *r)
{
	const struct config	*c = r->w->cfg;
	const struct auth	*a = &r->w->auth;
	struct buf		*b = &r->out;

	if (buf_printf(b, "{\"configured\":%s,\"issuer\":", c->issuer != NULL ?
	    "true" : "false") == -1 ||
	    json_text_or_null(b, c->issuer) == -1 ||
	    buf_puts(b, ",\"jwks_url\":") == -1 ||
	    json_text_or_null(b, c->jwks_url) == -1 ||
	    buf_puts(b, ",\"audience\":") == -1 ||
	    json_text_or_null(b, c->audience) == -1 ||
	    buf_puts(b, ",\"account_id_claims\":") == -1 ||
	    list_json(b, &a->account_claims) == -1 ||
	    buf_puts(b, ",\"super_admin_role_keys\":") == -1 ||
	    list_json(b, &a->super_admin_roles) == -1 ||
	    buf_puts(b, ",\"account_admin_role_keys\":") == -1 ||
	    list_json(b, &a->account_admin_roles) == -1 ||
	    buf_puts(b, ",\"console_sign_in\":{\"configured\":") == -1 ||
	    buf_puts(b, oidc_configured(c) ? "true" : "false") == -1 ||
	    buf_puts(b, ",\"client_id\":") == -1 ||
	    json_text_or_null(b, c->client_id) == -1 ||
	    buf_printf(b, ",\"confidential\":%s},\"jwks\":",
	    c->client_secret != NULL ? "true" : "false") == -1 ||
	    jwks_json(b, a->keyring.shm) == -1 ||
	    buf_puts(b, "}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
}
