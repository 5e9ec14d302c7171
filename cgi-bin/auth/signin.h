/*
 * auth.fcgi: signing in and out of the console (OIDC with PKCE, and the
 * break-glass credential), the caller's context, and the identity
 * provider's status. The route table is in ../auth.c; sso.c signs in with
 * the provider, break_glass.c with the break-glass credential, session.c
 * makes and ends sessions for both, context.c answers who is calling.
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include "app.h"

/* Indexes into auth_stmts[], in the same order. */
enum auth_stmt {
	ST_LOGIN_START,
	ST_LOGIN_TAKE,
	ST_SESSION_CREATE,
	ST_SESSION_END,
	ST_BREAK_GLASS_AVAILABLE,
	ST_BREAK_GLASS_ATTEMPT,
	ST_BREAK_GLASS_RECORD,
	ST_CONTEXT,
	ST__MAX
};

extern const struct stmt auth_stmts[ST__MAX];

/* What a new session is for. */
struct session_spec {
	const char		*method;	/* "sso", "break_glass" */
	const struct principal	*who;
	const char		*refresh_token;	/* or NULL */
	long			 token_ttl;	/* seconds; 0: no token */
	int			 absolute;	/* seconds */
};

PGresult	*platform_sql(struct req *, enum auth_stmt, int n,
		    const char *const *values);
int		 session_start(struct req *, const struct session_spec *);
int		 cookies_clear(struct req *);

void	auth_methods(struct req *);
void	auth_login(struct req *);
void	auth_callback(struct req *);
void	auth_logout(struct req *);
void	auth_break_glass(struct req *);
void	me_context(struct req *);
void	zitadel_status(struct req *);

#endif
