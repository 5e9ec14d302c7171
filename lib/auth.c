/*
 * Who is calling. The master key is kept only as its SHA-256 digest and
 * compared digest to digest with CRYPTO_memcmp, so neither the comparison's
 * time nor an early length mismatch tells an attacker anything.
 */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"

static int
digest(const char *s, size_t len, unsigned char out[AUTH_DIGEST_LEN])
{
	unsigned int	 n = 0;

	if (EVP_Digest(s, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != AUTH_DIGEST_LEN)
		return -1;
	return 0;
}

/* Prepares the credentials a worker checks against; master may be NULL. */
int
auth_keys_init(struct auth_keys *k, const char *master)
{
	memset(k, 0, sizeof(*k));
	if (master == NULL)
		return 0;
	if (digest(master, strlen(master), k->master_key) == -1)
		return -1;
	k->master_key_set = 1;
	return 0;
}

void
auth_keys_clear(struct auth_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

static void
principal_anonymous(struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->role = ROLE_NONE;
	p->kind = "anonymous";
	p->actor = "anonymous";
}

/*
 * Decides the principal from the Authorization header value (NULL when
 * absent). Only the Bearer scheme is understood.
 */
enum auth_result
auth_authenticate(const struct auth_keys *k, const char *authorization,
    struct principal *p)
{
	unsigned char	 given[AUTH_DIGEST_LEN];
	const char	*token;
	size_t		 len;

	principal_anonymous(p);
	if (authorization == NULL || *authorization == '\0')
		return AUTH_NONE;
	len = strlen(authorization);
	if (len > AUTH_MAX_HEADER || len < 8 ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return AUTH_INVALID;
	token = authorization + 7;
	while (*token == ' ')
		token++;
	if (!k->master_key_set || digest(token, strlen(token), given) == -1 ||
	    CRYPTO_memcmp(given, k->master_key, AUTH_DIGEST_LEN) != 0)
		return AUTH_INVALID;
	p->role = ROLE_SUPER_ADMIN;
	p->kind = "master_key";
	p->actor = "master_key";
	p->platform = 1;
	return AUTH_OK;
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
