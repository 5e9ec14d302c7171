/* lib/base64: unpadded, strict base64url. */
#include <string.h>

#include "base64.h"
#include "suites.h"

START_TEST(test_base64url_round_trips)
{
	const unsigned char	 in[] = { 0xfb, 0xff, 0x00, 0x41, 0x42 };
	unsigned char		 out[8];
	char			 s[16];
	size_t			 n;

	for (n = 0; n <= sizeof(in); n++) {
		b64url_encode(in, n, s);
		ck_assert_uint_eq(strlen(s), B64URL_LEN(n));
		ck_assert_int_eq(b64url_decode(s, strlen(s), out, sizeof(out)),
		    (long)n);
		ck_assert_int_eq(memcmp(in, out, n), 0);
	}
	b64url_encode(in, 2, s);
	ck_assert_str_eq(s, "-_8");
}
END_TEST

START_TEST(test_base64url_is_strict)
{
	unsigned char	 out[8];

	ck_assert_int_eq(b64url_decode("QQ==", 4, out, sizeof(out)), -1);
	ck_assert_int_eq(b64url_decode("+/8", 3, out, sizeof(out)), -1);
	ck_assert_int_eq(b64url_decode("QR", 2, out, sizeof(out)), -1);
	ck_assert_int_eq(b64url_decode("Q", 1, out, sizeof(out)), -1);
	ck_assert_int_eq(b64url_decode("QUFBQUFBQUFB", 12, out, 8), -1);
	ck_assert_int_eq(b64url_decode("QQ", 2, out, sizeof(out)), 1);
}
END_TEST

Suite *
base64_suite(void)
{
	Suite	*s = suite_create("base64");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_base64url_round_trips);
	tcase_add_test(tc, test_base64url_is_strict);
	suite_add_tcase(s, tc);
	return s;
}
