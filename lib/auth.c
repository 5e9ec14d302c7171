/*
 * Who is calling. Bearer credentials are either the platform master key,
 * kept only as its SHA-256 digest and compared digest to digest with
 * CRYPTO_memcmp, or an access token of the identity provider, verified by
 * lib/token against the shared keyring. Reasons for refusing a token go
 * to the log; the token never does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "config.h"

static int
digest(const char *s, size_t len, unsigned char out[AUTH_DIGEST_LEN])
{
	unsigned int	 n = 0;

	if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != AUTH_DIGEST_LEN)
		return -1;
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
		if (digest(cfg->master_key, strlen(cfg->master_key),
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
	    digest(secret, strlen(secret), given) == 0 &&
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
	if ((long)now > m->exp + TOKEN_LEEWAY) {
		m->exp = 0;
		return 0;
	}
	*p = m->principal;
	*rc = m->result;
	return 1;
}

static void
memo_keep(struct auth *a, const unsigned char *digest, long exp,
    const struct principal *p, enum auth_result rc)
{
	struct token_memo	*m = memo_slot(a, digest);

	memcpy(m->digest, digest, AUTH_DIGEST_LEN);
	m->exp = exp;
	m->principal = *p;
	m->result = rc;
}

static enum auth_result
verify_token(struct auth *a, const char *t, const unsigned char *d,
    time_t now, struct principal *p, const char **reason)
{
	struct token_claims	 c;
	const struct jwks	*keys;
	enum token_result	 rc;
	char			 kid[JWKS_KID_MAX + 1], err[200];
	enum auth_result	 result;

	if (token_kid(t, kid, sizeof(kid)) == -1)
		kid[0] = '\0';
	keys = keyring_keys(&a->keyring, kid, now, err, sizeof(err));
	if ((rc = token_verify(t, keys, &a->policy, now, &c)) != TOKEN_OK) {
		*reason = token_reason(rc);
		return AUTH_INVALID;
	}
	p->kind = "token";
	p->role = role_resolve(&c, a->super_admin_roles.names,
	    a->account_admin_roles.names);
	(void)snprintf(p->actor, sizeof(p->actor), "%s",
	    c.email[0] != '\0' ? c.email : c.sub);
	if (p->role == ROLE_SUPER_ADMIN) {
		p->platform = 1;
		result = AUTH_OK;
	} else {
		*reason = "no account resolves for this user";
		result = AUTH_UNRESOLVED;
	}
	memo_keep(a, d, c.exp, p, result);
	return result;
}

static enum auth_result
from_token(struct auth *a, const char *t, time_t now, struct principal *p,
    const char **reason)
{
	unsigned char		 d[AUTH_DIGEST_LEN];
	enum auth_result	 rc;

	if (!a->tokens) {
		*reason = "no identity provider is configured";
		return AUTH_INVALID;
	}
	if (digest(t, strlen(t), d) == -1) {
		*reason = "cannot hash the token";
		return AUTH_INVALID;
	}
	if (memo_recall(a, d, now, p, &rc)) {
		*reason = rc == AUTH_OK ? NULL : "no account resolves for this "
		    "user";
		return rc;
	}
	return verify_token(a, t, d, now, p, reason);
}

/*
 * Decides the principal from the Authorization header value (NULL when
 * absent). Only the Bearer scheme is understood. *reason says why a
 * credential was refused, for the log.
 */
enum auth_result
auth_authenticate(struct auth *a, const char *authorization, time_t now,
    struct principal *p, const char **reason)
{
	const char	*secret;
	size_t		 len;

	principal_anonymous(p);
	*reason = NULL;
	if (authorization == NULL || *authorization == '\0')
		return AUTH_NONE;
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
	if (strchr(secret, '.') != NULL)
		return from_token(a, secret, now, p, reason);
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
