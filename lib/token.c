/* JWT verification: our checks around libjwt's signature check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <jwt.h>

#include "base64.h"
#include "token.h"

#define PART_MAX	6144	/* decoded header or payload bytes */
#define ROLES_PREFIX	"urn:zitadel:iam:org:project:"
#define ROLES_SUFFIX	":roles"
#define ORG_CLAIM	"urn:zitadel:iam:user:resourceowner:id"

static const char *const reasons[] = {
	[TOKEN_OK] = "valid",
	[TOKEN_TOO_LARGE] = "token too large",
	[TOKEN_MALFORMED] = "malformed token",
	[TOKEN_ALGORITHM] = "algorithm is not RS256",
	[TOKEN_CRITICAL] = "unknown critical header",
	[TOKEN_UNKNOWN_KEY] = "unknown signing key",
	[TOKEN_SIGNATURE] = "bad signature",
	[TOKEN_EXPIRED] = "expired",
	[TOKEN_NOT_YET_VALID] = "not yet valid",
	[TOKEN_ISSUED_IN_FUTURE] = "issued in the future",
	[TOKEN_ISSUER] = "wrong issuer",
	[TOKEN_AUDIENCE] = "wrong audience",
};

const char *
token_reason(enum token_result r)
{
	return r <= TOKEN_AUDIENCE ? reasons[r] : "invalid";
}

/* Decodes a base64url part of a token as a JSON object. */
static cJSON *
part_json(const char *s, size_t len)
{
	unsigned char	 raw[PART_MAX];
	long		 n;
	cJSON		*j;

	if ((n = b64url_decode(s, len, raw, sizeof(raw))) <= 0)
		return NULL;
	j = cJSON_ParseWithLength((const char *)raw, (size_t)n);
	if (j != NULL && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

/* Splits header.payload.signature; 0, or -1 unless all three are there. */
static int
split(const char *t, size_t *hlen, const char **payload, size_t *plen)
{
	const char	*dot1 = strchr(t, '.'), *dot2;

	if (dot1 == NULL || (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL || dot1 == t || dot2 == dot1 + 1 ||
	    dot2[1] == '\0')
		return -1;
	*hlen = (size_t)(dot1 - t);
	*payload = dot1 + 1;
	*plen = (size_t)(dot2 - dot1 - 1);
	return 0;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Checks the header; on success copies the key id. */
static enum token_result
check_header(const char *t, size_t hlen, char *kid, size_t kidlen)
{
	cJSON			*h = part_json(t, hlen);
	const char		*alg, *k;
	enum token_result	 rc = TOKEN_OK;

	if (h == NULL)
		return TOKEN_MALFORMED;
	alg = str(h, "alg");
	k = str(h, "kid");
	if (alg == NULL || strcmp(alg, "RS256") != 0)
		rc = TOKEN_ALGORITHM;
	else if (cJSON_GetObjectItemCaseSensitive(h, "crit") != NULL)
		rc = TOKEN_CRITICAL;
	else if (k == NULL || *k == '\0' || strlen(k) >= kidlen)
		rc = TOKEN_UNKNOWN_KEY;
	else
		(void)snprintf(kid, kidlen, "%s", k);
	cJSON_Delete(h);
	return rc;
}

/* The key id of a token's header, for a JWKS refresh; 0 or -1. */
int
token_kid(const char *t, char *kid, size_t kidlen)
{
	const char	*payload;
	size_t		 hlen, plen;

	if (strlen(t) > TOKEN_MAX_LEN || split(t, &hlen, &payload, &plen) == -1)
		return -1;
	return check_header(t, hlen, kid, kidlen) == TOKEN_OK ? 0 : -1;
}

static enum token_result
check_signature(const char *t, const struct jwk *key)
{
	jwt_t			*jwt = NULL;
	enum token_result	 rc = TOKEN_OK;

	if (jwt_decode(&jwt, t, (const unsigned char *)key->pem,
	    (int)key->pem_len) != 0 || jwt == NULL)
		rc = TOKEN_SIGNATURE;
	else if (jwt_get_alg(jwt) != JWT_ALG_RS256)
		rc = TOKEN_ALGORITHM;
	jwt_free(jwt);
	return rc;
}

static int
has_audience(const cJSON *aud, const char *want)
{
	const cJSON	*a;

	if (cJSON_IsString(aud))
		return strcmp(aud->valuestring, want) == 0;
	if (cJSON_IsArray(aud))
		cJSON_ArrayForEach(a, aud)
			if (cJSON_IsString(a) && strcmp(a->valuestring, want) == 0)
				return 1;
	return 0;
}

static enum token_result
check_times(const cJSON *p, const struct token_policy *pol, time_t now,
    struct token_claims *c)
{
	const cJSON	*exp = cJSON_GetObjectItemCaseSensitive(p, "exp"),
			*nbf = cJSON_GetObjectItemCaseSensitive(p, "nbf"),
			*iat = cJSON_GetObjectItemCaseSensitive(p, "iat");
	double		 t = (double)now, leeway = (double)pol->leeway;

	if (!cJSON_IsNumber(exp) || (nbf != NULL && !cJSON_IsNumber(nbf)) ||
	    (iat != NULL && !cJSON_IsNumber(iat)))
		return TOKEN_MALFORMED;
	if (t > exp->valuedouble + leeway)
		return TOKEN_EXPIRED;
	if (nbf != NULL && t + leeway < nbf->valuedouble)
		return TOKEN_NOT_YET_VALID;
	if (iat != NULL && iat->valuedouble > t + leeway)
		return TOKEN_ISSUED_IN_FUTURE;
	c->exp = (long)exp->valuedouble;
	return TOKEN_OK;
}

static int
is_roles_claim(const char *name)
{
	size_t	 n = strlen(name), p = strlen(ROLES_PREFIX),
		 s = strlen(ROLES_SUFFIX);

	return n >= p + s - 1 && strncmp(name, ROLES_PREFIX, p) == 0 &&
	    strcmp(name + n - s, ROLES_SUFFIX) == 0;
}

/* Role keys from Zitadel's role claims (objects keyed by role key). */
static void
collect_roles(const cJSON *p, struct token_claims *c)
{
	const cJSON	*claim, *role;
	size_t		 i;

	cJSON_ArrayForEach(claim, p) {
		if (!cJSON_IsObject(claim) || !is_roles_claim(claim->string))
			continue;
		cJSON_ArrayForEach(role, claim) {
			for (i = 0; i < c->nroles; i++)
				if (strcmp(c->roles[i], role->string) == 0)
					break;
			if (i < c->nroles || c->nroles == TOKEN_MAX_ROLES ||
			    strlen(role->string) >= sizeof(c->roles[0]))
				continue;
			(void)snprintf(c->roles[c->nroles++], sizeof(c->roles[0]),
			    "%s", role->string);
		}
	}
}

static void
copy(char *dst, size_t len, const char *src)
{
	if (src != NULL && strlen(src) < len)
		(void)snprintf(dst, len, "%s", src);
}

static enum token_result
check_claims(const char *payload, size_t plen, const struct token_policy *pol,
    time_t now, struct token_claims *c)
{
	cJSON			*p = part_json(payload, plen);
	const char		*iss;
	const char *const	*name;
	enum token_result	 rc;

	if (p == NULL)
		return TOKEN_MALFORMED;
	iss = str(p, "iss");
	if ((rc = check_times(p, pol, now, c)) == TOKEN_OK) {
		if (iss == NULL || strcmp(iss, pol->issuer) != 0)
			rc = TOKEN_ISSUER;
		else if (!has_audience(cJSON_GetObjectItemCaseSensitive(p,
		    "aud"), pol->audience))
			rc = TOKEN_AUDIENCE;
	}
	if (rc == TOKEN_OK) {
		copy(c->sub, sizeof(c->sub), str(p, "sub"));
		copy(c->email, sizeof(c->email), str(p, "email"));
		c->email_verified = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(p, "email_verified"));
		copy(c->name, sizeof(c->name), str(p, "name"));
		copy(c->nonce, sizeof(c->nonce), str(p, "nonce"));
		copy(c->org_id, sizeof(c->org_id), str(p, ORG_CLAIM));
		for (name = pol->account_claims; name != NULL && *name != NULL &&
		    c->account_hint[0] == '\0'; name++)
			copy(c->account_hint, sizeof(c->account_hint),
			    str(p, *name));
		collect_roles(p, c);
	}
	cJSON_Delete(p);
	return rc;
}

/* Verifies token t against the key set and the policy, at time now. */
enum token_result
token_verify(const char *t, const struct jwks *keys,
    const struct token_policy *pol, time_t now, struct token_claims *c)
{
	const struct jwk	*key;
	const char		*payload;
	char			 kid[JWKS_KID_MAX + 1];
	size_t			 hlen, plen;
	enum token_result	 rc;

	memset(c, 0, sizeof(*c));
	if (strlen(t) > TOKEN_MAX_LEN)
		return TOKEN_TOO_LARGE;
	if (pol->issuer == NULL || pol->audience == NULL)
		return TOKEN_ISSUER;
	if (split(t, &hlen, &payload, &plen) == -1)
		return TOKEN_MALFORMED;
	if ((rc = check_header(t, hlen, kid, sizeof(kid))) != TOKEN_OK)
		return rc;
	if ((key = jwks_find(keys, kid)) == NULL)
		return TOKEN_UNKNOWN_KEY;
	if ((rc = check_signature(t, key)) != TOKEN_OK)
		return rc;
	return check_claims(payload, plen, pol, now, c);
}
