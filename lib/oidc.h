/*
 * The console's OpenID Connect client: the authorization code flow with
 * PKCE (RFC 7636) against the issuer's discovery document, and refresh.
 * Endpoints come from ZITADEL_ISSUER's /.well-known/openid-configuration,
 * fetched when first needed and kept by the worker for OIDC_DISCOVERY_TTL.
 * The client is ZITADEL_CONSOLE_CLIENT_ID, with ZITADEL_CONSOLE_CLIENT_SECRET
 * sent by HTTP Basic when set (else a public client); the redirect URI is
 * COCKPIT_PUBLIC_URL/v1/auth/callback.
 */
#ifndef COCKPIT_OIDC_H
#define COCKPIT_OIDC_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define OIDC_URL_MAX		512
#define OIDC_DISCOVERY_TTL	3600
#define OIDC_MAX_ANSWER		(64 * 1024)
#define OIDC_VERIFIER_LEN	43	/* base64url of 32 random bytes */

struct config;

struct oidc {
	time_t	 fetched;		/* 0: not yet */
	char	 authorize[OIDC_URL_MAX];
	char	 token[OIDC_URL_MAX];
	char	 end_session[OIDC_URL_MAX];	/* "" when not offered */
};

/* A token endpoint's answer; oidc_tokens_free() releases it. */
struct oidc_tokens {
	char	*access_token;
	char	*id_token;
	char	*refresh_token;		/* NULL when none was given */
	long	 expires_in;		/* seconds */
};

int	oidc_configured(const struct config *);
int	oidc_discover(struct oidc *, const struct config *, time_t now,
	    char *err, size_t errlen);
int	oidc_random(char *out, size_t bytes);
int	oidc_challenge(const char *verifier, char *out, size_t len);
int	oidc_authorize_url(const struct oidc *, const struct config *,
	    const char *state, const char *nonce, const char *challenge,
	    struct buf *out);
int	oidc_redeem(const struct oidc *, const struct config *,
	    const char *code, const char *verifier, struct oidc_tokens *,
	    char *err, size_t errlen);
int	oidc_refresh(const struct oidc *, const struct config *,
	    const char *refresh_token, struct oidc_tokens *, char *err,
	    size_t errlen);
int	oidc_end_session_url(const struct oidc *, const struct config *,
	    struct buf *);
void	oidc_tokens_free(struct oidc_tokens *);

#endif
