/*
 * Authentication and the permission check. A request's principal is decided
 * once, before its handler runs; a route's permission is checked against it.
 * Fail closed: a route whose permission is PERM_UNSET is denied to everyone.
 *
 * Credentials, read from the Authorization header or else the session
 * cookie, never from the query string:
 *	master key	the platform master key: a super-admin service
 *	access token	the identity provider's JWT, verified here; its user's
 *			account is resolved in the database (lib/identity)
 *	API key		"ck_<prefix>_<secret>", looked up by its SHA-256
 *	session		the console's cookie, looked up by its SHA-256
 * What needs the database is finished by lib/identity (AUTH_LOOKUP).
 */
#ifndef COCKPIT_AUTH_H
#define COCKPIT_AUTH_H

#include <stddef.h>
#include <time.h>

#include "keyring.h"
#include "token.h"

#define AUTH_MAX_HEADER	8192	/* longer credentials are refused unread */
#define AUTH_DIGEST_LEN	32
#define AUTH_BYTEA_LEN		(2 + 2 * AUTH_DIGEST_LEN + 1)	/* "\\x" hex NUL */
#define API_KEY_LEN		55	/* "ck_" prefix(8) "_" secret(43) */
#define SESSION_SECRET_LEN	43	/* 256 bits, base64url */

/*
 * What a route needs. A route whose path names an {account_id} is also
 * scoped to that account: any other account's principal gets 404, as if
 * the account did not exist; super admins reach every account.
 */
enum perm {
	PERM_UNSET = 0,		/* no entry: denied */
	PERM_PUBLIC,		/* no credentials needed */
	PERM_SIGNED_IN,		/* any authenticated principal */
	PERM_ACCOUNT_ADMIN,	/* account admins and super admins */
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
	AUTH_UNRESOLVED,	/* a valid user whose account is not known */
	AUTH_LOOKUP,		/* valid so far; the database decides */
	AUTH_UNAVAILABLE	/* the database could not be asked */
};

#define PRINCIPAL_ACTOR_MAX	320
#define SESSION_COOKIE		"cockpit_session"
#define CSRF_COOKIE		"cockpit_csrf"
#define CSRF_HEADER		"HTTP_X_CSRF_TOKEN"

struct principal {
	enum role	 role;
	const char	*kind;		/* "anonymous", "master_key", "token",
					   "api_key", "session" */
	const char	*method;	/* how a session signed in: "sso",
					   "break_glass"; else NULL */
	int		 platform;	/* acts for the platform (RLS) */
	int		 suspended;	/* the account is suspended */
	int		 scim;		/* an API key scoped to SCIM */
	char		 account_id[37]; /* tenant, or "" */
	char		 user_id[37];	/* the local user, or "" */
	char		 credential_id[37]; /* API key or session id, or "" */
	char		 subject[256];	/* the provider's user id, or "" */
	char		 email[320];
	char		 actor[PRINCIPAL_ACTOR_MAX]; /* for logs and audit */
	unsigned char	 csrf[32];	/* sessions: SHA-256 of the token */
};

/* What a credential left for the database to decide. */
enum credential_kind {
	CREDENTIAL_TOKEN,		/* claims verified, account unknown */
	CREDENTIAL_API_KEY,
	CREDENTIAL_SESSION
};

struct credential {
	enum credential_kind	 kind;
	unsigned char		 digest[32];	/* of the token or secret */
	struct token_claims	 claims;	/* CREDENTIAL_TOKEN */
};

#define AUTH_MAX_LIST	16

/* A comma-separated configuration value, split. */
struct name_list {
	char		*storage;	/* owned */
	const char	*names[AUTH_MAX_LIST + 1];	/* NULL-terminated */
};

#define AUTH_CACHE_SLOTS	64
#define AUTH_MEMO_SECONDS	30	/* a resolved account is kept so long */

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
			    const char *authorization, const char *cookie,
			    time_t now, struct principal *,
			    struct credential *, const char **reason);
enum auth_result	 auth_token(struct auth *, const char *token,
			    time_t now, struct principal *,
			    struct credential *, const char **reason);
int			 auth_id_token(struct auth *, const char *token,
			    const char *client_id, const char *nonce,
			    time_t now, struct token_claims *,
			    const char **reason);
void			 auth_remember(struct auth *,
			    const struct credential *, time_t now,
			    const struct principal *, enum auth_result);
int			 auth_digest(const char *, size_t,
			    unsigned char[AUTH_DIGEST_LEN]);
void			 auth_digest_bytea(const unsigned char[AUTH_DIGEST_LEN],
			    char[AUTH_BYTEA_LEN]);
int			 auth_secret_bytea(const char *, char[AUTH_BYTEA_LEN]);
int			 cookie_value(const char *header, const char *name,
			    char *out, size_t len);
int			 auth_permits(enum perm, const struct principal *);
const char		*role_name(enum role);
const char		*perm_name(enum perm);
enum role		 role_resolve(const struct token_claims *,
			    const char *const *super_admin,
			    const char *const *account_admin);
int			 name_list_init(struct name_list *, const char *);
void			 name_list_free(struct name_list *);

#endif
