/*
 * Who is calling. Bearer credentials are either the platform master key,
 * kept only as its SHA-256 digest and compared digest to digest with
 * CRYPTO_memcmp, or an access token of the identity provider, verified by
 * lib/token against the shared keyring. Reasons for refusing a token go
 * to the log; the token never does.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "config.h"

int
auth_digest(const char *s, size_t len, unsigned char out[AUTH_DIGEST_LEN])
{
	unsigned int	 n = 0;

	if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != AUTH_DIGEST_LEN)
		return -1;
	return 0;
}

/* A digest as PostgreSQL's bytea text: "\\x" and hex. */
void
auth_digest_bytea(const unsigned char d[AUTH_DIGEST_LEN],
    char out[AUTH_BYTEA_LEN])
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < AUTH_DIGEST_LEN; i++) {
		out[2 + 2 * i] = hex[d[i] >> 4];
		out[3 + 2 * i] = hex[d[i] & 15];
	}
	out[2 + 2 * AUTH_DIGEST_LEN] = '\0';
}

/* The SHA-256 of a secret as bytea text; 0, or -1. */
int
auth_secret_bytea(const char *secret, char out[AUTH_BYTEA_LEN])
{
	unsigned char	 d[AUTH_DIGEST_LEN];

	if (auth_digest(secret, strlen(secret), d) == -1)
		return -1;
	auth_digest_bytea(d, out);
	return 0;
}

/* Splits "a, b,c" into names; an empty or NULL value is an empty list. */
int
name_list_init(struct name_list *l, const char *value)
{
	char	*p, *tok, *save = NULL, *end;
	size_t	 n = 0;

	memset(l, 0, sizeof(*l));
	if (value == NULL)
		return 0;
	if ((l->storage = strdup(value)) == NULL)
		return -1;
	for (p = l->storage; (tok = strtok_r(p, ",", &save)) != NULL;
	    p = NULL) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok != '\0' && n < AUTH_MAX_LIST)
			l->names[n++] = tok;
	}
	l->names[n] = NULL;
	return 0;
}

void
name_list_free(struct name_list *l)
{
	free(l->storage);
	memset(l, 0, sizeof(*l));
}

/* Prepares a worker's credential checks from its configuration. */
int
auth_init(struct auth *a, const struct config *cfg,
    struct keyring_shared *keys)
{
	memset(a, 0, sizeof(*a));
	if (cfg->master_key != NULL) {
		if (auth_digest(cfg->master_key, strlen(cfg->master_key),
		    a->master_key) == -1)
			return -1;
		a->master_key_set = 1;
	}
	if (name_list_init(&a->account_claims, cfg->account_claims) == -1 ||
	    name_list_init(&a->super_admin_roles, cfg->super_admin_roles) == -1 ||
	    name_list_init(&a->account_admin_roles,
	    cfg->account_admin_roles) == -1) {
		auth_free(a);
		return -1;
	}
	a->tokens = cfg->issuer != NULL && keys != NULL;
	keyring_init(&a->keyring, keys, cfg->jwks_url, cfg->jwks_cooldown);
	a->policy.issuer = cfg->issuer;
	a->policy.audience = cfg->audience;
	a->policy.account_claims = a->account_claims.names;
	a->policy.leeway = TOKEN_LEEWAY;
	return 0;
}

void
auth_free(struct auth *a)
{
	keyring_free(&a->keyring);
	name_list_free(&a->account_claims);
	name_list_free(&a->super_admin_roles);
	name_list_free(&a->account_admin_roles);
	OPENSSL_cleanse(a, sizeof(*a));
}

static void
principal_anonymous(struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->role = ROLE_NONE;
	p->kind = "anonymous";
	(void)snprintf(p->actor, sizeof(p->actor), "anonymous");
}

static int
listed(const char *role, const char *const *names)
{
	for (; names != NULL && *names != NULL; names++)
		if (strcmp(role, *names) == 0)
			return 1;
	return 0;
}

/* super_admin > account_admin > end_user, from the token's role keys. */
enum role
role_resolve(const struct token_claims *c, const char *const *super_admin,
    const char *const *account_admin)
{
	enum role	 r = ROLE_END_USER;
	size_t		 i;

	for (i = 0; i < c->nroles; i++) {
		if (listed(c->roles[i], super_admin))
			return ROLE_SUPER_ADMIN;
		if (listed(c->roles[i], account_admin))
			r = ROLE_ACCOUNT_ADMIN;
	}
	return r;
}

static int
is_master_key(const struct auth *a, const char *secret)
{
	unsigned char	 given[AUTH_DIGEST_LEN];

	return a->master_key_set &&
	    auth_digest(secret, strlen(secret), given) == 0 &&
	    CRYPTO_memcmp(given, a->master_key, AUTH_DIGEST_LEN) == 0;
}

/*
 * Verified tokens are remembered per worker, by their SHA-256, until they
 * expire: a client sending the same token again costs neither a JWKS
 * lookup nor a second signature check.
 */
static struct token_memo *
memo_slot(struct auth *a, const unsigned char *digest)
{
	return &a->memo[digest[0] % AUTH_CACHE_SLOTS];
}

static int
memo_recall(struct auth *a, const unsigned char *digest, time_t now,
    struct principal *p, enum auth_result *rc)
{
	struct token_memo	*m = memo_slot(a, digest);

	if (m->exp == 0 || CRYPTO_memcmp(m->digest, digest,
	    AUTH_DIGEST_LEN) != 0)
		return 0;
	if ((long)now > m->exp) {
		m->exp = 0;
		return 0;
	}
	*p = m->principal;
	*rc = m->result;
	return 1;
}

/*
 * Remembers what a verified token turned out to be: a super admin until
 * the token expires, a user's account (or that none resolved) for at most
 * AUTH_MEMO_SECONDS, so that a change of the account's mapping or status
 * is seen soon.
 */
void
auth_remember(struct auth *a, const struct credential *c, time_t now,
    const struct principal *p, enum auth_result rc)
{
	struct token_memo	*m;
	long			 exp = c->claims.exp + TOKEN_LEEWAY;

	if (c->kind != CREDENTIAL_TOKEN ||
	    (rc != AUTH_OK && rc != AUTH_UNRESOLVED))
		return;
	if (p->role != ROLE_SUPER_ADMIN && exp > (long)now + AUTH_MEMO_SECONDS)
		exp = (long)now + AUTH_MEMO_SECONDS;
	m = memo_slot(a, c->digest);
	memcpy(m->digest, c->digest, AUTH_DIGEST_LEN);
	m->exp = exp;
	m->principal = *p;
	m->result = rc;
}

static enum auth_result
verify_token(struct auth *a, const char *t, time_t now, struct principal *p,
    struct credential *c, const char **reason)
{
	const struct jwks	*keys;
	enum token_result	 rc;
	char			 kid[JWKS_KID_MAX + 1], err[200];

	if (token_kid(t, kid, sizeof(kid)) == -1)
		kid[0] = '\0';
	keys = keyring_keys(&a->keyring, kid, now, err, sizeof(err));
	if ((rc = token_verify(t, keys, &a->policy, now, &c->claims)) !=
	    TOKEN_OK) {
		*reason = token_reason(rc);
		return AUTH_INVALID;
	}
	p->kind = "token";
	p->role = role_resolve(&c->claims, a->super_admin_roles.names,
	    a->account_admin_roles.names);
	(void)snprintf(p->subject, sizeof(p->subject), "%s", c->claims.sub);
	(void)snprintf(p->email, sizeof(p->email), "%s", c->claims.email);
	(void)snprintf(p->actor, sizeof(p->actor), "%s",
	    c->claims.email[0] != '\0' ? c->claims.email : c->claims.sub);
	if (p->role != ROLE_SUPER_ADMIN)
		return AUTH_LOOKUP;
	p->platform = 1;
	auth_remember(a, c, now, p, AUTH_OK);
	return AUTH_OK;
}

/*
 * An access token's principal: AUTH_OK for a super admin or a user whose
 * account is remembered, AUTH_LOOKUP when the account is to be resolved.
 */
enum auth_result
auth_token(struct auth *a, const char *t, time_t now, struct principal *p,
    struct credential *c, const char **reason)
{
	enum auth_result	 rc;

	principal_anonymous(p);
	memset(c, 0, sizeof(*c));
	if (!a->tokens) {
		*reason = "no identity provider is configured";
		return AUTH_INVALID;
	}
	c->kind = CREDENTIAL_TOKEN;
	if (auth_digest(t, strlen(t), c->digest) == -1) {
		*reason = "cannot hash the token";
		return AUTH_INVALID;
	}
	if (memo_recall(a, c->digest, now, p, &rc)) {
		*reason = rc == AUTH_OK ? NULL : "no account resolves for this "
		    "user";
		return rc;
	}
	return verify_token(a, t, now, p, c, reason);
}

/*
 * Verifies an ID token from the sign-in flow: the same checks as an access
 * token's, but for the console's client as the audience, and its nonce
 * must be the one sent. 0, or -1 with *reason.
 */
int
auth_id_token(struct auth *a, const char *t, const char *client_id,
    const char *nonce, time_t now, struct token_claims *c,
    const char **reason)
{
	struct token_policy	 pol = a->policy;
	const struct jwks	*keys;
	enum token_result	 rc;
	char			 kid[JWKS_KID_MAX + 1], err[200];

	pol.audience = client_id;
	if (token_kid(t, kid, sizeof(kid)) == -1)
		kid[0] = '\0';
	keys = keyring_keys(&a->keyring, kid, now, err, sizeof(err));
	if ((rc = token_verify(t, keys, &pol, now, c)) != TOKEN_OK) {
		*reason = token_reason(rc);
		return -1;
	}
	if (strcmp(c->nonce, nonce) != 0) {
		*reason = "the ID token's nonce is not the one sent";
		return -1;
	}
	return 0;
}

static int
base64url_chars(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return s[len] == '\0';
}

/* "ck_" 8 lowercase letters or digits "_" 43 base64url characters. */
static int
api_key_shaped(const char *k)
{
	size_t	 i;

	if (strlen(k) != API_KEY_LEN || strncmp(k, "ck_", 3) != 0 ||
	    k[11] != '_')
		return 0;
	for (i = 3; i < 11; i++)
		if (!islower((unsigned char)k[i]) &&
		    !isdigit((unsigned char)k[i]))
			return 0;
	return base64url_chars(k + 12, API_KEY_LEN - 12);
}

/* A secret to look up by its digest: an API key or a session. */
static enum auth_result
lookup(const char *secret, enum credential_kind kind, struct principal *p,
    struct credential *c, const char **reason)
{
	c->kind = kind;
	p->kind = kind == CREDENTIAL_API_KEY ? "api_key" : "session";
	if (auth_digest(secret, strlen(secret), c->digest) == -1) {
		*reason = "cannot hash the credential";
		return AUTH_INVALID;
	}
	return AUTH_LOOKUP;
}

/*
 * The value of cookie name in a Cookie header, copied into out. Returns 0,
 * or -1 when it is absent or does not fit.
 */
int
cookie_value(const char *header, const char *name, char *out, size_t len)
{
	size_t		 n = strlen(name), vlen;
	const char	*p = header, *end;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		vlen = end != NULL ? (size_t)(end - p) : strlen(p);
		if (vlen > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			vlen -= n + 1;
			if (vlen >= len)
				return -1;
			memcpy(out, p + n + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

static enum auth_result
from_cookie(const char *header, struct principal *p, struct credential *c,
    const char **reason)
{
	char	 secret[SESSION_SECRET_LEN + 2];

	if (header == NULL || strlen(header) > AUTH_MAX_HEADER ||
	    cookie_value(header, SESSION_COOKIE, secret, sizeof(secret)) == -1)
		return AUTH_NONE;
	if (strlen(secret) != SESSION_SECRET_LEN ||
	    !base64url_chars(secret, SESSION_SECRET_LEN)) {
		*reason = "malformed session cookie";
		return AUTH_INVALID;
	}
	return lookup(secret, CREDENTIAL_SESSION, p, c, reason);
}

/*
 * Decides the principal from the Authorization header value and, when
 * there is none, the session cookie (NULL when absent). Only the Bearer
 * scheme is understood. AUTH_LOOKUP leaves c for lib/identity to finish.
 * *reason says why a credential was refused, for the log.
 */
enum auth_result
auth_authenticate(struct auth *a, const char *authorization,
    const char *cookie, time_t now, struct principal *p,
    struct credential *c, const char **reason)
{
	const char	*secret;
	size_t		 len;

	principal_anonymous(p);
	memset(c, 0, sizeof(*c));
	*reason = NULL;
	if (authorization == NULL || *authorization == '\0')
		return from_cookie(cookie, p, c, reason);
	len = strlen(authorization);
	*reason = "not a bearer credential";
	if (len > AUTH_MAX_HEADER || len < 8 ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return AUTH_INVALID;
	secret = authorization + 7;
	while (*secret == ' ')
		secret++;
	if (is_master_key(a, secret)) {
		*reason = NULL;
		p->role = ROLE_SUPER_ADMIN;
		p->kind = "master_key";
		p->platform = 1;
		(void)snprintf(p->actor, sizeof(p->actor), "master_key");
		return AUTH_OK;
	}
	if (api_key_shaped(secret))
		return lookup(secret, CREDENTIAL_API_KEY, p, c, reason);
	if (strchr(secret, '.') != NULL)
		return auth_token(a, secret, now, p, c, reason);
	*reason = "unknown key";
	return AUTH_INVALID;
}

/* Whether the principal may use a route with permission perm. */
int
auth_permits(enum perm perm, const struct principal *p)
{
	switch (perm) {
	case PERM_PUBLIC:
		return 1;
	case PERM_SIGNED_IN:
		return p->role != ROLE_NONE;
	case PERM_ACCOUNT_ADMIN:
		return p->role == ROLE_ACCOUNT_ADMIN ||
		    p->role == ROLE_SUPER_ADMIN;
	case PERM_SUPER_ADMIN:
		return p->role == ROLE_SUPER_ADMIN;
	case PERM_UNSET:
	default:
		return 0;
	}
}

const char *
role_name(enum role r)
{
	switch (r) {
	case ROLE_END_USER:
		return "end_user";
	case ROLE_ACCOUNT_ADMIN:
		return "account_admin";
	case ROLE_SUPER_ADMIN:
		return "super_admin";
	case ROLE_NONE:
	default:
		return "none";
	}
}

/* A permission's name, as route tables, openapi.yaml and scopes spell it. */
const char *
perm_name(enum perm p)
{
	switch (p) {
	case PERM_PUBLIC:
		return "public";
	case PERM_SIGNED_IN:
		return "signed_in";
	case PERM_ACCOUNT_ADMIN:
		return "account_admin";
	case PERM_SUPER_ADMIN:
		return "super_admin";
	case PERM_UNSET:
	default:
		return "unset";
	}
}
