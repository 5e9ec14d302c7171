/*
 * lib/token and lib/jwks: every token attack SECURITY.md names is refused
 * for the right reason, and a good token yields Zitadel's claims. Tokens
 * are made here with OpenSSL so that headers can be forged at will.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "auth.h"
#include "base64.h"
#include "config.h"
#include "buf.h"
#include "jwks.h"
#include "suites.h"
#include "token.h"

#define ISS	"https://id.example.test"
#define AUD	"cockpit-api"

/* Made once, before the tests fork. */
static EVP_PKEY	*good, *other;
static char	 jwks_json[8192];

static void
b64(struct buf *b, const unsigned char *p, size_t n)
{
	char	*s = malloc(B64URL_LEN(n) + 1);

	ck_assert_ptr_nonnull(s);
	b64url_encode(p, n, s);
	ck_assert_int_eq(buf_puts(b, s), 0);
	free(s);
}

static void
jwk_of(EVP_PKEY *k, const char *kid, struct buf *out)
{
	BIGNUM		*n = NULL, *e = NULL;
	unsigned char	 raw[1024];
	int		 len;

	ck_assert(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n));
	ck_assert(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e));
	ck_assert_int_eq(buf_printf(out, "{\"kty\":\"RSA\",\"use\":\"sig\","
	    "\"alg\":\"RS256\",\"kid\":\"%s\",\"n\":\"", kid), 0);
	len = BN_bn2bin(n, raw);
	b64(out, raw, (size_t)len);
	ck_assert_int_eq(buf_puts(out, "\",\"e\":\""), 0);
	len = BN_bn2bin(e, raw);
	b64(out, raw, (size_t)len);
	ck_assert_int_eq(buf_puts(out, "\"}"), 0);
	BN_free(n);
	BN_free(e);
}

static void
keys_make(void)
{
	struct buf	 b = { 0 };

	good = EVP_RSA_gen(2048);
	other = EVP_RSA_gen(2048);
	ck_assert(good != NULL && other != NULL);
	ck_assert_int_eq(buf_puts(&b, "{\"keys\":[{\"kty\":\"EC\",\"kid\":"
	    "\"ec\"},"), 0);
	jwk_of(good, "k1", &b);
	ck_assert_int_eq(buf_puts(&b, "]}"), 0);
	ck_assert_uint_lt(b.len, sizeof(jwks_json));
	memcpy(jwks_json, b.data, b.len + 1);
	buf_free(&b);
}

static void
keys_free(void)
{
	EVP_PKEY_free(good);
	EVP_PKEY_free(other);
}

static void
sign_rs256(EVP_PKEY *k, const char *input, struct buf *out)
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	unsigned char	 sig[512];
	size_t		 n = sizeof(sig);

	ck_assert(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) == 1);
	ck_assert(EVP_DigestSign(ctx, sig, &n, (const unsigned char *)input,
	    strlen(input)) == 1);
	EVP_MD_CTX_free(ctx);
	b64(out, sig, n);
}

/* HMAC-SHA256 keyed with the server's own public key PEM: the classic. */
static void
sign_hs256_with_public_pem(const char *input, struct buf *out)
{
	BIO		*bio = BIO_new(BIO_s_mem());
	char		*pem;
	long		 len;
	unsigned char	 mac[32];
	unsigned int	 n = sizeof(mac);

	ck_assert(PEM_write_bio_PUBKEY(bio, good) == 1);
	len = BIO_get_mem_data(bio, &pem);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), pem, (int)len,
	    (const unsigned char *)input, strlen(input), mac, &n));
	BIO_free(bio);
	b64(out, mac, n);
}

enum signer { RS256_GOOD, RS256_OTHER, HS256_PEM, NO_SIGNATURE };

/* header.payload.signature from JSON texts. */
static char *
make(const char *header, const char *payload, enum signer how)
{
	struct buf	 t = { 0 };

	b64(&t, (const unsigned char *)header, strlen(header));
	ck_assert_int_eq(buf_puts(&t, "."), 0);
	b64(&t, (const unsigned char *)payload, strlen(payload));
	switch (how) {
	case RS256_GOOD:
	case RS256_OTHER: {
		char	*input = strdup(t.data);

		ck_assert_int_eq(buf_puts(&t, "."), 0);
		sign_rs256(how == RS256_GOOD ? good : other, input, &t);
		free(input);
		break;
	}
	case HS256_PEM: {
		char	*input = strdup(t.data);

		ck_assert_int_eq(buf_puts(&t, "."), 0);
		sign_hs256_with_public_pem(input, &t);
		free(input);
		break;
	}
	case NO_SIGNATURE:
		ck_assert_int_eq(buf_puts(&t, "."), 0);
		break;
	}
	return t.data;
}

static char *
payload(long exp_delta, const char *extra)
{
	static char	 p[2048];
	long		 now = (long)time(NULL);

	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":[\"x\",\""
	    AUD "\"],\"sub\":\"u-1\",\"email\":\"ada@example.test\","
	    "\"iat\":%ld,\"exp\":%ld%s%s}", now - 10, now + exp_delta,
	    *extra ? "," : "", extra);
	return p;
}

#define HDR	"{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"

static enum token_result
verify(const char *token, struct token_claims *c)
{
	static const char *const claims[] = { "urn:cockpit:account_id", NULL };
	struct token_policy	 pol = { ISS, AUD, claims, TOKEN_LEEWAY };
	struct jwks		 set;
	char			 err[128];
	enum token_result	 rc;

	ck_assert_int_eq(jwks_parse(&set, jwks_json, strlen(jwks_json), err,
	    sizeof(err)), 0);
	rc = token_verify(token, &set, &pol, time(NULL), c);
	jwks_free(&set);
	return rc;
}

static enum token_result
check(const char *header, const char *body, enum signer how)
{
	struct token_claims	 c;
	char			*t = make(header, body, how);
	enum token_result	 rc = verify(t, &c);

	free(t);
	return rc;
}

START_TEST(test_good_token_gives_zitadel_claims)
{
	struct token_claims	 c;
	char			*t;

	t = make(HDR, payload(300, "\"urn:zitadel:iam:user:resourceowner:id\":"
	    "\"org-7\",\"urn:zitadel:iam:org:project:roles\":{\"admin\":{},"
	    "\"viewer\":{}},\"urn:zitadel:iam:org:project:42:roles\":"
	    "{\"admin\":{},\"super\":{}},\"urn:cockpit:account_id\":\"acc-9\""),
	    RS256_GOOD);
	ck_assert_int_eq(verify(t, &c), TOKEN_OK);
	free(t);
	ck_assert_str_eq(c.sub, "u-1");
	ck_assert_str_eq(c.email, "ada@example.test");
	ck_assert_str_eq(c.org_id, "org-7");
	ck_assert_str_eq(c.account_hint, "acc-9");
	ck_assert_uint_eq(c.nroles, 3);
	ck_assert_str_eq(c.roles[0], "admin");
	ck_assert_str_eq(c.roles[1], "viewer");
	ck_assert_str_eq(c.roles[2], "super");
	ck_assert_int_gt(c.exp, (long)time(NULL));
}
END_TEST

START_TEST(test_algorithm_attacks_are_refused)
{
	ck_assert_int_eq(check("{\"alg\":\"HS256\",\"kid\":\"k1\"}",
	    payload(300, ""), HS256_PEM), TOKEN_ALGORITHM);
	ck_assert_int_eq(check("{\"alg\":\"none\",\"kid\":\"k1\"}",
	    payload(300, ""), NO_SIGNATURE), TOKEN_MALFORMED);
	ck_assert_int_eq(check("{\"alg\":\"none\",\"kid\":\"k1\"}",
	    payload(300, ""), RS256_GOOD), TOKEN_ALGORITHM);
	ck_assert_int_eq(check("{\"alg\":\"RS512\",\"kid\":\"k1\"}",
	    payload(300, ""), RS256_GOOD), TOKEN_ALGORITHM);
	ck_assert_int_eq(check("{\"kid\":\"k1\"}", payload(300, ""),
	    RS256_GOOD), TOKEN_ALGORITHM);
	/* An RS256 header over an HMAC made with the public key. */
	ck_assert_int_eq(check(HDR, payload(300, ""), HS256_PEM),
	    TOKEN_SIGNATURE);
}
END_TEST

START_TEST(test_key_attacks_are_refused)
{
	ck_assert_int_eq(check(HDR, payload(300, ""), RS256_OTHER),
	    TOKEN_SIGNATURE);
	ck_assert_int_eq(check("{\"alg\":\"RS256\",\"kid\":\"k2\"}",
	    payload(300, ""), RS256_OTHER), TOKEN_UNKNOWN_KEY);
	ck_assert_int_eq(check("{\"alg\":\"RS256\"}", payload(300, ""),
	    RS256_GOOD), TOKEN_UNKNOWN_KEY);
	ck_assert_int_eq(check("{\"alg\":\"RS256\",\"kid\":\"ec\"}",
	    payload(300, ""), RS256_GOOD), TOKEN_UNKNOWN_KEY);
	/* jku, x5u, jwk: never followed; the cached set decides. */
	ck_assert_int_eq(check("{\"alg\":\"RS256\",\"kid\":\"evil\",\"jku\":"
	    "\"http://127.0.0.1:1/keys\",\"x5u\":\"http://127.0.0.1:1/x\"}",
	    payload(300, ""), RS256_OTHER), TOKEN_UNKNOWN_KEY);
	ck_assert_int_eq(check("{\"alg\":\"RS256\",\"kid\":\"k1\",\"jku\":"
	    "\"http://127.0.0.1:1/keys\"}", payload(300, ""), RS256_OTHER),
	    TOKEN_SIGNATURE);
	ck_assert_int_eq(check("{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":"
	    "[\"exp\"]}", payload(300, ""), RS256_GOOD), TOKEN_CRITICAL);
}
END_TEST

START_TEST(test_time_claims)
{
	long	 now = (long)time(NULL);
	char	 p[512];

	ck_assert_int_eq(check(HDR, payload(-30, ""), RS256_GOOD), TOKEN_OK);
	ck_assert_int_eq(check(HDR, payload(-61, ""), RS256_GOOD),
	    TOKEN_EXPIRED);
	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\",\"exp\":%ld,\"nbf\":%ld}", now + 600, now + 120);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_NOT_YET_VALID);
	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\",\"exp\":%ld,\"iat\":%ld}", now + 600, now + 120);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_ISSUED_IN_FUTURE);
	ck_assert_int_eq(check(HDR, "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\"}", RS256_GOOD), TOKEN_MALFORMED);
	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\",\"exp\":\"%ld\"}", now + 600);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_MALFORMED);
}
END_TEST

START_TEST(test_issuer_and_audience)
{
	long	 now = (long)time(NULL);
	char	 p[512];

	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "/\",\"aud\":\"" AUD
	    "\",\"exp\":%ld}", now + 600);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_ISSUER);
	(void)snprintf(p, sizeof(p), "{\"aud\":\"" AUD "\",\"exp\":%ld}",
	    now + 600);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_ISSUER);
	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":\"other\","
	    "\"exp\":%ld}", now + 600);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_AUDIENCE);
	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":[\"a\","
	    "\"b\"],\"exp\":%ld}", now + 600);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_AUDIENCE);
	(void)snprintf(p, sizeof(p), "{\"iss\":\"" ISS "\",\"aud\":\"" AUD
	    "\",\"exp\":%ld}", now + 600);
	ck_assert_int_eq(check(HDR, p, RS256_GOOD), TOKEN_OK);
}
END_TEST

START_TEST(test_tampered_and_malformed)
{
	struct token_claims	 c;
	char			*t, *dot, big[TOKEN_MAX_LEN + 2];

	t = make(HDR, payload(300, ""), RS256_GOOD);
	dot = strchr(t, '.') + 3;
	*dot = *dot == 'A' ? 'B' : 'A';
	ck_assert_int_ne(verify(t, &c), TOKEN_OK);
	free(t);
	ck_assert_int_eq(verify("abc", &c), TOKEN_MALFORMED);
	ck_assert_int_eq(verify("a.b", &c), TOKEN_MALFORMED);
	ck_assert_int_eq(verify("a.b.c.d", &c), TOKEN_MALFORMED);
	ck_assert_int_eq(verify("!!.b.c", &c), TOKEN_MALFORMED);
	ck_assert_int_eq(verify("..", &c), TOKEN_MALFORMED);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(verify(big, &c), TOKEN_TOO_LARGE);
}
END_TEST

START_TEST(test_unconfigured_policy_refuses_everything)
{
	struct token_policy	 pol = { NULL, AUD, NULL, TOKEN_LEEWAY };
	struct token_claims	 c;
	struct jwks		 set;
	char			 err[128], *t;

	ck_assert_int_eq(jwks_parse(&set, jwks_json, strlen(jwks_json), err,
	    sizeof(err)), 0);
	t = make(HDR, payload(300, ""), RS256_GOOD);
	ck_assert_int_ne(token_verify(t, &set, &pol, time(NULL), &c),
	    TOKEN_OK);
	pol.issuer = ISS;
	pol.audience = NULL;
	ck_assert_int_ne(token_verify(t, &set, &pol, time(NULL), &c),
	    TOKEN_OK);
	free(t);
	jwks_free(&set);
}
END_TEST

START_TEST(test_jwks_keeps_only_rs256_signing_keys)
{
	struct jwks	 set;
	struct buf	 b = { 0 };
	char		 err[128];
	EVP_PKEY	*small = EVP_RSA_gen(1024);

	ck_assert_int_eq(buf_puts(&b, "{\"keys\":[{\"kty\":\"oct\",\"kid\":"
	    "\"h\",\"k\":\"AAAA\"},"), 0);
	jwk_of(small, "small", &b);
	ck_assert_int_eq(buf_puts(&b, ","), 0);
	jwk_of(good, "k1", &b);
	ck_assert_int_eq(buf_puts(&b, ","), 0);
	jwk_of(other, "k1", &b);
	ck_assert_int_eq(buf_puts(&b, "]}"), 0);
	ck_assert_int_eq(jwks_parse(&set, b.data, b.len, err, sizeof(err)), 0);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_ptr_nonnull(jwks_find(&set, "k1"));
	ck_assert_ptr_null(jwks_find(&set, "small"));
	jwks_free(&set);
	ck_assert_int_eq(jwks_parse(&set, "{\"keys\":[]}", 11, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(jwks_parse(&set, "nope", 4, err, sizeof(err)), -1);
	buf_free(&b);
	EVP_PKEY_free(small);
}
END_TEST

START_TEST(test_verified_tokens_are_remembered_until_they_expire)
{
	struct keyring_shared	*shm = keyring_create();
	struct config		 cfg;
	struct auth		 a;
	struct principal	 p;
	struct credential	 c;
	const char		*why;
	char			 err[128], bearer[4096], second[4096], *t;
	time_t			 now = time(NULL);

	ck_assert_ptr_nonnull(shm);
	memset(&cfg, 0, sizeof(cfg));
	cfg.issuer = ISS;
	cfg.audience = AUD;
	cfg.jwks_url = "http://127.0.0.1:1/unreachable";
	cfg.jwks_cooldown = 3600;
	cfg.super_admin_roles = "root";
	ck_assert_int_eq(auth_init(&a, &cfg, shm), 0);
	ck_assert_int_eq(jwks_parse(&a.keyring.keys, jwks_json,
	    strlen(jwks_json), err, sizeof(err)), 0);
	t = make(HDR, payload(300, "\"urn:zitadel:iam:org:project:roles\":"
	    "{\"root\":{}}"), RS256_GOOD);
	(void)snprintf(bearer, sizeof(bearer), "Bearer %s", t);
	free(t);
	t = make(HDR, payload(301, ""), RS256_GOOD);
	(void)snprintf(second, sizeof(second), "Bearer %s", t);
	free(t);
	ck_assert_int_eq(auth_authenticate(&a, bearer, NULL, now, &p, &c, &why), AUTH_OK);
	ck_assert_int_eq(p.role, ROLE_SUPER_ADMIN);
	/* Without keys, only the remembered token still passes... */
	jwks_free(&a.keyring.keys);
	ck_assert_int_eq(auth_authenticate(&a, bearer, NULL, now, &p, &c, &why), AUTH_OK);
	ck_assert_str_eq(p.actor, "ada@example.test");
	ck_assert_int_eq(auth_authenticate(&a, second, NULL, now, &p, &c, &why),
	    AUTH_INVALID);
	/* ...and only until it expires. */
	ck_assert_int_eq(auth_authenticate(&a, bearer, NULL, now + 300 + 61, &p,
	    &c, &why), AUTH_INVALID);
	auth_free(&a);
	keyring_destroy(shm);
}
END_TEST

Suite *
token_suite(void)
{
	Suite	*s = suite_create("token");
	TCase	*tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, keys_make, keys_free);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_good_token_gives_zitadel_claims);
	tcase_add_test(tc, test_algorithm_attacks_are_refused);
	tcase_add_test(tc, test_key_attacks_are_refused);
	tcase_add_test(tc, test_time_claims);
	tcase_add_test(tc, test_issuer_and_audience);
	tcase_add_test(tc, test_tampered_and_malformed);
	tcase_add_test(tc, test_unconfigured_policy_refuses_everything);
	tcase_add_test(tc, test_jwks_keeps_only_rs256_signing_keys);
	tcase_add_test(tc, test_verified_tokens_are_remembered_until_they_expire);
	suite_add_tcase(s, tc);
	return s;
}
