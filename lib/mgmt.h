/*
 * Zitadel's management API (v1), for provisioning: JSON requests to
 * ZITADEL_MGMT_URL (default: ZITADEL_ISSUER) under /management/v1/, acting
 * in the organisation that x-zitadel-orgid names, with a bearer token:
 * ZITADEL_MGMT_API_TOKEN as given, or else one obtained with the client
 * credentials grant (ZITADEL_CLIENT_ID, ZITADEL_CLIENT_SECRET by HTTP
 * Basic, scope MGMT_SCOPE) at the token endpoint of the issuer's discovery
 * document, kept by the worker until shortly before it expires and
 * replaced once when Zitadel refuses it.
 *
 * Every call has a connect and a total timeout, never past the request's
 * deadline, and a cap on the size of the answer. An answer that is not a
 * 2xx JSON object becomes an error whose message says what Zitadel
 * answered. Tokens and secrets are never logged nor put in a message.
 */
#ifndef COCKPIT_MGMT_H
#define COCKPIT_MGMT_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#define MGMT_TOKEN_MAX		4096	/* bytes of a token, with its NUL */
#define MGMT_MAX_ANSWER		(512 * 1024)
#define MGMT_TIMEOUT_MS		5000	/* one call, at most */
#define MGMT_TOKEN_LEEWAY	30	/* seconds before expiry: renew */
#define MGMT_MESSAGE_MAX	160	/* characters of Zitadel's message */
#define MGMT_SCOPE \
	"openid urn:zitadel:iam:org:project:id:zitadel:aud"

struct config;
struct oidc;

/* The worker's token from the client credentials grant. */
struct mgmt_cache {
	char	 token[MGMT_TOKEN_MAX];	/* "": none */
	time_t	 expires;
};

/* One request's calls. */
struct mgmt {
	const struct config	*cfg;
	struct oidc		*oidc;		/* the worker's discovery */
	struct mgmt_cache	*cache;		/* the worker's token */
	const char		*org;		/* x-zitadel-orgid; NULL: none */
	struct timespec		 deadline;	/* CLOCK_MONOTONIC */
};

enum mgmt_result {
	MGMT_OK,
	MGMT_NOT_FOUND,		/* Zitadel answered 404 */
	MGMT_CONFLICT,		/* 409: it exists already */
	MGMT_UNAVAILABLE,	/* no answer, or none in time */
	MGMT_ERROR		/* an answer that is not a usable one */
};

int		 mgmt_configured(const struct config *);
void		 mgmt_init(struct mgmt *, const struct config *, struct oidc *,
		    struct mgmt_cache *, const char *org,
		    const struct timespec *deadline);
enum mgmt_result mgmt_call(struct mgmt *, const char *method,
		    const char *path, const cJSON *body, cJSON **answer,
		    char *err, size_t errlen);
long		 mgmt_remaining_ms(const struct mgmt *);

/* mgmt_token.c: the bearer token. */
enum mgmt_result mgmt_token(struct mgmt *, const char **token, int *cached,
		    char *err, size_t errlen);
void		 mgmt_token_drop(struct mgmt_cache *);

#endif
