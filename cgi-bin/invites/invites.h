/*
 * invites.fcgi: people asked by email to join a product domain's
 * directory (copilot or console) of an account, with a single-use token.
 * The admin routes (manage.c) make, list, revoke and resend invites; the
 * public routes (accept.c) show an invite by its token and accept it. The
 * token is "cki_" and 43 base64url characters (32 random bytes); only its
 * SHA-256 is kept (token.c). The SQL is in statements.c, the route table
 * in ../invites.c.
 */
#ifndef INVITES_H
#define INVITES_H

#include "app.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

#define INVITE_TTL_DEFAULT	604800	/* seconds: 7 days */
#define INVITE_TTL_MIN		3600	/* 1 hour */
#define INVITE_TTL_MAX		2592000	/* 30 days */

#define INVITE_TOKEN_BYTES	32
#define INVITE_TOKEN_PREFIX	"cki_"
#define INVITE_TOKEN_LEN	(4 + 43)	/* "cki_" and base64url */

/* Indexes into invites_stmts[], in the same order. */
enum invites_stmt {
	ST_INVITE_CREATE,
	ST_INVITE_LIST,
	ST_INVITE_GET,
	ST_INVITE_REVOKE,
	ST_INVITE_RESEND,
	ST_INVITE_LOOKUP,
	ST_INVITE_FIND,
	ST_INVITE_CLAIM,
	ST_INVITE_ACCEPT,
	ST__MAX
};

extern const struct stmt invites_stmts[ST__MAX];

/* The columns of INVITE_COLUMNS, in order, as invite_json() reads them. */
#define INVITE_NCOLS		15
#define INVITE_COL_CREATED	11	/* the cursor's time */

/* A token just made, and its digest as bytea input ("\x" and hex). */
struct invite_token {
	char	 token[INVITE_TOKEN_LEN + 1];
	char	 digest[AUTH_BYTEA_LEN];
};

int		 token_make(struct req *, struct invite_token *);
int		 token_digest(const char *, char[AUTH_BYTEA_LEN]);
void		 token_forget(struct invite_token *);

int		 invite_json(struct buf *, const PGresult *, int row, int col);
void		 invite_not_found(struct req *);

void	invite_create(struct req *);
void	invite_list(struct req *);
void	invite_get(struct req *);
void	invite_revoke(struct req *);
void	invite_resend(struct req *);
void	invite_lookup(struct req *);
void	invite_accept(struct req *);

#endif
