/*
 * accounts.fcgi: the platform's tenants. Handlers in handlers.c, their SQL
 * in statements.c, the route table in ../accounts.c.
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include "app.h"

/* Indexes into accounts_stmts[], in the same order. */
enum accounts_stmt {
	ST_ACCOUNT_CREATE,
	ST_ACCOUNT_GET,
	ST_ACCOUNT_LIST,
	ST_ACCOUNT_UPDATE,
	ST__MAX
};

extern const struct stmt accounts_stmts[ST__MAX];

void	account_create(struct req *);
void	account_list(struct req *);
void	account_get(struct req *);
void	account_update(struct req *);

#endif
