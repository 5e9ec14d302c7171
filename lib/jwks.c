/* JWKS documents to PEM public keys, with OpenSSL 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "base64.h"
#include "jwks.h"

#define MODULUS_MAX	1024	/* bytes: RSA up to 8192 bits */

static BIGNUM *
bignum(const char *b64)
{
	unsigned char	 raw[MODULUS_MAX];
	long		 n;

	n = b64url_decode(b64, strlen(b64), raw, sizeof(raw));
	return n > 0 ? BN_bin2bn(raw, (int)n, NULL) : NULL;
}

/* The PEM of the RSA public key (n, e); NULL when they are not one. */
static char *
rsa_pem(const char *n64, const char *e64, size_t *len)
{
	OSSL_PARAM_BLD	*bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY	*pkey = NULL;
	BIGNUM		*n = bignum(n64), *e = bignum(e64);
	BIO		*bio = BIO_new(BIO_s_mem());
	char		*pem = NULL, *data;
	long		 dlen;

	if (bld != NULL && ctx != NULL && n != NULL && e != NULL &&
	    bio != NULL && BN_num_bits(n) >= 2048 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1 &&
	    PEM_write_bio_PUBKEY(bio, pkey) == 1 &&
	    (dlen = BIO_get_mem_data(bio, &data)) > 0 &&
	    (pem = malloc((size_t)dlen + 1)) != NULL) {
		memcpy(pem, data, (size_t)dlen);
		pem[dlen] = '\0';
		*len = (size_t)dlen;
	}
	BIO_free(bio);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(pkey);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pem;
}

static const char *
member(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Adds k to the set if it is an RSA signing key for RS256. */
static void
add_key(struct jwks *set, const cJSON *k)
{
	const char	*kty = member(k, "kty"), *use = member(k, "use"),
			*alg = member(k, "alg"), *kid = member(k, "kid"),
			*n = member(k, "n"), *e = member(k, "e");
	struct jwk	*j;

	if (set->n == JWKS_MAX_KEYS || kty == NULL ||
	    strcmp(kty, "RSA") != 0 || (use != NULL && strcmp(use, "sig")) ||
	    (alg != NULL && strcmp(alg, "RS256") != 0) || kid == NULL ||
	    *kid == '\0' || strlen(kid) > JWKS_KID_MAX || n == NULL ||
	    e == NULL || jwks_find(set, kid) != NULL)
		return;
	j = &set->keys[set->n];
	if ((j->pem = rsa_pem(n, e, &j->pem_len)) == NULL)
		return;
	(void)snprintf(j->kid, sizeof(j->kid), "%s", kid);
	set->n++;
}

/* Parses a JWKS document; a set without one usable key is an error. */
int
jwks_parse(struct jwks *set, const char *json, size_t len, char *err,
    size_t errlen)
{
	cJSON		*doc;
	const cJSON	*keys, *k;

	memset(set, 0, sizeof(*set));
	if (len > JWKS_MAX_BYTES ||
	    (doc = cJSON_ParseWithLength(json, len)) == NULL) {
		snprintf(err, errlen, "JWKS is not JSON or too large");
		return -1;
	}
	keys = cJSON_GetObjectItemCaseSensitive(doc, "keys");
	if (cJSON_IsArray(keys))
		cJSON_ArrayForEach(k, keys)
			if (cJSON_IsObject(k))
				add_key(set, k);
	cJSON_Delete(doc);
	if (set->n == 0) {
		snprintf(err, errlen, "JWKS holds no RSA signing key for RS256");
		return -1;
	}
	return 0;
}

const struct jwk *
jwks_find(const struct jwks *set, const char *kid)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->keys[i].kid, kid) == 0)
			return &set->keys[i];
	return NULL;
}

void
jwks_free(struct jwks *set)
{
	size_t	 i;

	for (i = 0; i < set->n; i++)
		free(set->keys[i].pem);
	memset(set, 0, sizeof(*set));
}
