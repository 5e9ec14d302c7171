/*
 * JSON Web Key Sets (RFC 7517) as the identity provider publishes them:
 * parsed into the RSA public keys, in PEM, that token verification hands to
 * libjwt. Only keys usable for RS256 signatures are kept; anything else in
 * the set is skipped, so one odd key cannot make the whole set unusable.
 */
#ifndef COCKPIT_JWKS_H
#define COCKPIT_JWKS_H

#include <stddef.h>

#define JWKS_MAX_KEYS	16
#define JWKS_KID_MAX	128
#define JWKS_MAX_BYTES	(256 * 1024)

struct jwk {
	char	 kid[JWKS_KID_MAX + 1];
	char	*pem;		/* owned */
	size_t	 pem_len;
};

struct jwks {
	struct jwk	 keys[JWKS_MAX_KEYS];
	size_t		 n;
};

int		 jwks_parse(struct jwks *, const char *json, size_t len,
		    char *err, size_t errlen);
const struct jwk *jwks_find(const struct jwks *, const char *kid);
void		 jwks_free(struct jwks *);

#endif
