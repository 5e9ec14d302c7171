/*
 * Verifying the identity provider's access tokens (JWT, RFC 7519) with
 * the care RFC 8725 and SECURITY.md ask of libjwt 1.10, which takes the
 * algorithm from the token and checks no claim at all:
 *
 *	- the header is read first, by us: alg must be RS256, kid must name a
 *	  key of the cached JWKS, any crit is refused; jku, x5u, jwk and x5c
 *	  are ignored and never fetched;
 *	- libjwt then checks the signature with that key, never with none,
 *	  and must agree the algorithm was RS256;
 *	- then the claims, by us: exp, nbf, iat (with leeway), iss exactly,
 *	  the audience among aud.
 *
 * The result says why a token was refused, for the log; the token itself
 * is never logged.
 */
#ifndef COCKPIT_TOKEN_H
#define COCKPIT_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "jwks.h"

#define TOKEN_MAX_LEN		8192
#define TOKEN_MAX_ROLES		16
#define TOKEN_LEEWAY		60

enum token_result {
	TOKEN_OK,
	TOKEN_TOO_LARGE,
	TOKEN_MALFORMED,
	TOKEN_ALGORITHM,
	TOKEN_CRITICAL,
	TOKEN_UNKNOWN_KEY,
	TOKEN_SIGNATURE,
	TOKEN_EXPIRED,
	TOKEN_NOT_YET_VALID,
	TOKEN_ISSUED_IN_FUTURE,
	TOKEN_ISSUER,
	TOKEN_AUDIENCE
};

struct token_policy {
	const char	*issuer;	/* exact match; NULL: refuse all */
	const char	*audience;	/* must be in aud; NULL: refuse all */
	const char *const *account_claims; /* NULL-terminated, or NULL */
	long		 leeway;	/* seconds */
};

struct token_claims {
	char	 sub[256];
	char	 email[320];
	int	 email_verified;	/* the provider vouches for it */
	char	 name[201];
	char	 nonce[129];		/* ID tokens */
	char	 org_id[128];		/* urn:zitadel:iam:user:resourceowner:id */
	char	 account_hint[64];	/* first configured account claim */
	char	 roles[TOKEN_MAX_ROLES][64];
	size_t	 nroles;
	long	 exp;
};

enum token_result	 token_verify(const char *, const struct jwks *,
			    const struct token_policy *, time_t now,
			    struct token_claims *);
const char		*token_reason(enum token_result);
int			 token_kid(const char *, char *kid, size_t);

#endif
