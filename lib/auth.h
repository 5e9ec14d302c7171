/*
 * Authentication and the permission check. A request's principal is decided
 * once, before its handler runs; a route's permission is checked against it.
 * Fail closed: a route whose permission is PERM_UNSET is denied to everyone.
 *
 * Principals today: the platform master key, a super-admin service
 * principal. Tokens, API keys and sessions come with identity and access.
 */
#ifndef COCKPIT_AUTH_H
#define COCKPIT_AUTH_H

#include <stddef.h>

#define AUTH_MAX_HEADER	8192	/* longer credentials are refused unread */
#define AUTH_DIGEST_LEN	32

enum perm {
	PERM_UNSET = 0,		/* no entry: denied */
	PERM_PUBLIC,		/* no credentials needed */
	PERM_SUPER_ADMIN	/* platform operators */
};

enum role {
	ROLE_NONE = 0,
	ROLE_END_USER,
	ROLE_ACCOUNT_ADMIN,
	ROLE_SUPER_ADMIN
};

enum auth_result {
	AUTH_OK,
	AUTH_NONE,		/* no credentials given */
	AUTH_INVALID		/* credentials given and refused */
};

struct principal {
	enum role	 role;
	const char	*kind;		/* "anonymous", "master_key" */
	const char	*actor;		/* for logs and audit */
	int		 platform;	/* acts for the platform (RLS) */
	char		 account_id[37]; /* tenant, or "" */
};

struct auth_keys {
	int		 master_key_set;
	unsigned char	 master_key[AUTH_DIGEST_LEN]; /* SHA-256 of the key */
};

int			 auth_keys_init(struct auth_keys *, const char *master);
void			 auth_keys_clear(struct auth_keys *);
enum auth_result	 auth_authenticate(const struct auth_keys *,
			    const char *authorization, struct principal *);
int			 auth_permits(enum perm, const struct principal *);
const char		*role_name(enum role);

#endif
