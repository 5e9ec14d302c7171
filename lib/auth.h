/*
 * Authentication and the permission check. A request's principal is decided
 * once, before its handler runs; a route's permission is checked against it.
 * Fail closed: a route whose permission is PERM_UNSET is denied to everyone.
 *
 * Principals: the platform master key (a super-admin service principal)
 * and users of the identity provider, by their access tokens; super admins
 * act for the platform, other users wait for account resolution (403
 * account_unresolved until it exists). API keys and console sessions are
 * still to come.
 */
#ifndef COCKPIT_AUTH_H
#define COCKPIT_AUTH_H

#include <stddef.h>
#include <time.h>

#include "keyring.h"
#include "token.h"

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
	AUTH_INVALID,		/* credentials given and refused */
	AUTH_UNRESOLVED		/* a valid user whose account is not known */
};

#define PRINCIPAL_ACTOR_MAX	320

struct principal {
	enum role	 role;
	const char	*kind;		/* "anonymous", "master_key", "token" */
	int		 platform;	/* acts for the platform (RLS) */
	char		 account_id[37]; /* tenant, or "" */
	char		 actor[PRINCIPAL_ACTOR_MAX]; /* for logs and audit */
};

#define AUTH_MAX_LIST	16

/* A comma-separated configuration value, split. */
struct name_list {
	char		*storage;	/* owned */
	const char	*names[AUTH_MAX_LIST + 1];	/* NULL-terminated */
};

#define AUTH_CACHE_SLOTS	64

/* A token verified before: its digest, who it is, until when. */
struct token_memo {
	unsigned char		 digest[AUTH_DIGEST_LEN];
	long			 exp;		/* 0: empty slot */
	enum auth_result	 result;	/* AUTH_OK or AUTH_UNRESOLVED */
	struct principal	 principal;
};

/* What a worker checks credentials against. */
struct auth {
	int			 master_key_set;
	unsigned char		 master_key[AUTH_DIGEST_LEN]; /* SHA-256 */
	int			 tokens;	/* an issuer is configured */
	struct keyring		 keyring;
	struct token_policy	 policy;
	struct name_list	 account_claims;
	struct name_list	 super_admin_roles;
	struct name_list	 account_admin_roles;
	struct token_memo	 memo[AUTH_CACHE_SLOTS];	/* by digest */
};

struct config;
struct keyring_shared;

int			 auth_init(struct auth *, const struct config *,
			    struct keyring_shared *);
void			 auth_free(struct auth *);
enum auth_result	 auth_authenticate(struct auth *,
			    const char *authorization, time_t now,
			    struct principal *, const char **reason);
int			 auth_permits(enum perm, const struct principal *);
const char		*role_name(enum role);
enum role		 role_resolve(const struct token_claims *,
			    const char *const *super_admin,
			    const char *const *account_admin);
int			 name_list_init(struct name_list *, const char *);
void			 name_list_free(struct name_list *);

#endif
