/*
 * accounts.fcgi: the platform's tenants and their API keys. Handlers in
 * handlers.c and api_keys.c, their SQL in statements.c, the route table in
 * ../accounts.c.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include "app.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

#define API_KEYS_ACTIVE_MAX	100	/* unrevoked keys per account */
#define API_KEY_GRACE_DEFAULT	86400	/* seconds a rotated key still works */
#define API_KEY_GRACE_MAX	604800

/* Indexes into accounts_stmts[], in the same order. */
enum accounts_stmt {
	ST_ACCOUNT_CREATE,
	ST_ACCOUNT_GET,
	ST_ACCOUNT_LIST,
	ST_ACCOUNT_UPDATE,
	ST_ACCOUNT_STATUS,
	ST_ACCOUNT_DELETE,
	ST_SSO_GET,
	ST_SSO_SET,
	ST_SSO_CLEAR,
	ST_API_KEY_ACCOUNT,
	ST_API_KEY_CREATE,
	ST_API_KEY_GET,
	ST_API_KEY_LIST,
	ST_API_KEY_LOCK,
	ST_API_KEY_REVOKE,
	ST_API_KEY_ROTATE,
	ST_ADMIN_LIST,
	ST_ADMIN_FIND,
	ST_ADMIN_ADD,
	ST_ADMIN_UPDATE,
	ST_ADMIN_REMOVE,
	ST_FEATURE_PACK_GET,
	ST_FEATURE_PACK_SET,
	ST_MODEL_POLICY_GET,
	ST_MODEL_POLICY_SET,
	ST__MAX
};

extern const struct stmt accounts_stmts[ST__MAX];


void	account_create(struct req *);
void	account_list(struct req *);
void	account_get(struct req *);
void	account_update(struct req *);
void	account_status(struct req *);
void	account_delete(struct req *);
void	account_answer(struct req *, PGresult *, int);
int	account_status_valid(const char *);
void	sso_get(struct req *);
void	sso_set(struct req *);
void	sso_clear(struct req *);

void	admin_list(struct req *);
void	admin_add(struct req *);
void	admin_update(struct req *);
void	admin_remove(struct req *);

void	feature_pack_get(struct req *);
void	feature_pack_set(struct req *);
void	model_policy_get(struct req *);
void	model_policy_set(struct req *);

void	api_key_create(struct req *);
void	api_key_list(struct req *);
void	api_key_get(struct req *);
void	api_key_revoke(struct req *);
void	api_key_rotate(struct req *);

#endif
