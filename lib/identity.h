/*
 * Finishing a principal in the database: what lib/auth could not decide
 * alone (AUTH_LOOKUP). Each is one statement in a transaction of its own
 * that acts for the platform, before the request's tenant is known.
 *
 *	access token	the account, by precedence: the account whose
 *			auth_org_id is the token's organisation; an account
 *			id in a configured claim; the account that verified
 *			the domain of the token's (verified) email. Its user
 *			gets a local row on first sign-in, audited.
 *	API key		by its digest, or its previous digest while the
 *			rotation's grace lasts; not revoked. last_used_at is
 *			kept to the minute.
 *	session		by its digest, neither revoked nor past its idle or
 *			absolute expiry; each use extends the idle expiry.
 *			When its access token has expired, one request claims
 *			the renewal (the others go on meanwhile) and renews it
 *			with the refresh token; a session that cannot be
 *			renewed ends.
 */
#ifndef COCKPIT_IDENTITY_H
#define COCKPIT_IDENTITY_H

#include "auth.h"
#include "db.h"

struct req;

enum identity_stmt {
	IDENTITY_SIGN_IN,
	IDENTITY_API_KEY,
	IDENTITY_SESSION,
	IDENTITY_SESSION_CLAIM,
	IDENTITY_SESSION_RENEW,
	IDENTITY_SESSION_END,
	IDENTITY__MAX
};

extern const struct stmt identity_stmts[IDENTITY__MAX];

enum auth_result	 identity_complete(struct req *, struct credential *,
			    const char **reason);
enum auth_result	 identity_token(struct req *, const char *token,
			    struct principal *, const char **reason);
void			 session_token_aad(char *, size_t,
			    const char *account_id, const char *digest_hex);
int			 email_domain(const char *email, char *out, size_t);

#endif
