/* lib/secret: AES-256-GCM envelopes for secrets at rest. */
#include <string.h>

#include "secret.h"
#include "suites.h"

#define KEY_A	"a1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B	"b2:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"
#define AAD	"account:platform|sessions:\\xab|refresh_token"

static void
keys(struct secret_keys *ks, const char *spec)
{
	char	 err[256];

	ck_assert_msg(secret_keys_parse(ks, spec, err, sizeof(err)) == 0, "%s",
	    err);
}

START_TEST(test_secret_round_trips)
{
	struct secret_keys	 ks;
	struct buf		 sealed = { 0 }, plain = { 0 };

	keys(&ks, KEY_A);
	ck_assert_int_eq(secret_seal(&ks, AAD, "refresh-me", &sealed), 0);
	ck_assert_ptr_null(strstr(sealed.data, "refresh-me"));
	ck_assert_int_eq(strncmp(sealed.data, "v1:a1:", 6), 0);
	ck_assert_int_eq(secret_open(&ks, AAD, sealed.data, &plain), 0);
	ck_assert_str_eq(plain.data, "refresh-me");
	/* The empty secret too. */
	ck_assert_int_eq(secret_seal(&ks, AAD, "", &sealed), 0);
	ck_assert_int_eq(secret_open(&ks, AAD, sealed.data, &plain), 0);
	ck_assert_uint_eq(plain.len, 0);
	buf_free(&sealed);
	buf_free(&plain);
	secret_keys_free(&ks);
}
END_TEST

/* A fresh data key and nonce each time: equal secrets seal differently. */
START_TEST(test_secret_seals_differ)
{
	struct secret_keys	 ks;
	struct buf		 a = { 0 }, b = { 0 };

	keys(&ks, KEY_A);
	ck_assert_int_eq(secret_seal(&ks, AAD, "same", &a), 0);
	ck_assert_int_eq(secret_seal(&ks, AAD, "same", &b), 0);
	ck_assert_str_ne(a.data, b.data);
	buf_free(&a);
	buf_free(&b);
	secret_keys_free(&ks);
}
END_TEST

/* Another place, a changed byte, another key: nothing opens. */
START_TEST(test_secret_is_bound_and_authentic)
{
	struct secret_keys	 ks, other;
	struct buf		 sealed = { 0 }, plain = { 0 };
	char			*last;

	keys(&ks, KEY_A);
	keys(&other, "a1:" "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706"
	    "050403020100");
	ck_assert_int_eq(secret_seal(&ks, AAD, "refresh-me", &sealed), 0);
	ck_assert_int_eq(secret_open(&ks, "account:other|sessions:\\xab|"
	    "refresh_token", sealed.data, &plain), -1);
	ck_assert_uint_eq(plain.len, 0);
	ck_assert_int_eq(secret_open(&other, AAD, sealed.data, &plain), -1);
	last = sealed.data + sealed.len - 2;
	*last = *last == 'A' ? 'B' : 'A';
	ck_assert_int_eq(secret_open(&ks, AAD, sealed.data, &plain), -1);
	ck_assert_int_eq(secret_open(&ks, AAD, "v1:a1:xx:yy", &plain), -1);
	ck_assert_int_eq(secret_open(&ks, AAD, "v2:a1:AA:AA", &plain), -1);
	ck_assert_int_eq(secret_open(&ks, AAD, "", &plain), -1);
	buf_free(&sealed);
	buf_free(&plain);
	secret_keys_free(&ks);
	secret_keys_free(&other);
}
END_TEST

/* A new key first seals; the old one still opens what it sealed. */
START_TEST(test_secret_key_rotation)
{
	struct secret_keys	 old, rotated, gone;
	struct buf		 sealed = { 0 }, plain = { 0 };

	keys(&old, KEY_A);
	keys(&rotated, KEY_B "," KEY_A);
	keys(&gone, KEY_B);
	ck_assert_int_eq(secret_seal(&old, AAD, "kept", &sealed), 0);
	ck_assert_int_eq(secret_open(&rotated, AAD, sealed.data, &plain), 0);
	ck_assert_str_eq(plain.data, "kept");
	ck_assert_int_eq(secret_open(&gone, AAD, sealed.data, &plain), -1);
	ck_assert_int_eq(secret_seal(&rotated, AAD, "new", &sealed), 0);
	ck_assert_int_eq(strncmp(sealed.data, "v1:b2:", 6), 0);
	buf_free(&sealed);
	buf_free(&plain);
	secret_keys_free(&old);
	secret_keys_free(&rotated);
	secret_keys_free(&gone);
}
END_TEST

START_TEST(test_secret_keys_parse)
{
	struct secret_keys	 ks;
	struct buf		 sealed = { 0 };
	char			 err[256];

	ck_assert_int_eq(secret_keys_parse(&ks, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(ks.n, 0);
	ck_assert_int_eq(secret_seal(&ks, AAD, "x", &sealed), -1);
	ck_assert_int_eq(secret_keys_parse(&ks, "", err, sizeof(err)), 0);
	ck_assert_int_eq(secret_keys_parse(&ks, KEY_A "," KEY_B, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ks.n, 2);
	ck_assert_str_eq(ks.k[1].id, "b2");
	ck_assert_int_eq(secret_keys_parse(&ks, "nokey", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(secret_keys_parse(&ks, "a:0011", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(secret_keys_parse(&ks, "bad id:000102030405060708090a"
	    "0b0c0d0e0f101112131415161718191a1b1c1d1e1f", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(secret_keys_parse(&ks, "a:zz0102030405060708090a0b0c"
	    "0d0e0f101112131415161718191a1b1c1d1e1f", err, sizeof(err)), -1);
	ck_assert_int_eq(secret_keys_parse(&ks, KEY_A "," KEY_A, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	buf_free(&sealed);
	secret_keys_free(&ks);
}
END_TEST

Suite *
secret_suite(void)
{
	Suite	*s = suite_create("secret");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_secret_round_trips);
	tcase_add_test(tc, test_secret_seals_differ);
	tcase_add_test(tc, test_secret_is_bound_and_authentic);
	tcase_add_test(tc, test_secret_key_rotation);
	tcase_add_test(tc, test_secret_keys_parse);
	suite_add_tcase(s, tc);
	return s;
}
