/* lib/password: scrypt hashes, their one spelling, and what is refused. */
#include <string.h>

#include "password.h"
#include "suites.h"

/*
 * Computed with Python's hashlib.scrypt(PASSWORD, salt=bytes(range(16)),
 * n=2**15, r=8, p=1, dklen=32), base64url without padding: pins the format
 * and the parameters to an implementation other than ours.
 */
#define PASSWORD	"correct horse battery staple"
#define SALT		"AAECAwQFBgcICQoLDA0ODw"
#define KEY		"eo40JB24mNWRdcaWU4xBdGepdf_laQaEJfFhiNMVnFg"
#define PARAMS		"$scrypt$ln=15,r=8,p=1$"
#define VECTOR		PARAMS SALT "$" KEY

/* The same password and salt with N = 2^10, r = 4, p = 2. */
#define VECTOR_SMALL	"$scrypt$ln=10,r=4,p=2$" SALT \
			"$D7onDztpvQrFnPjxZx8IoIheyiv1i65eheldc62GUjE"

START_TEST(test_password_round_trips)
{
	char	 h[PASSWORD_ENCODED_MAX];

	ck_assert_int_eq(password_hash(PASSWORD, h, sizeof(h)), 0);
	ck_assert_int_eq(strncmp(h, PARAMS, strlen(PARAMS)), 0);
	ck_assert_uint_eq(strlen(h), strlen(VECTOR));
	ck_assert_int_eq(password_verify(PASSWORD, h), 1);
}
END_TEST

START_TEST(test_password_wrong_is_refused)
{
	char	 h[PASSWORD_ENCODED_MAX];

	ck_assert_int_eq(password_hash(PASSWORD, h, sizeof(h)), 0);
	ck_assert_int_eq(password_verify(PASSWORD "!", h), 0);
	ck_assert_int_eq(password_verify("correct horse battery stapl", h), 0);
	ck_assert_int_eq(password_verify("", h), 0);
	ck_assert_int_eq(password_verify(PASSWORD "!", VECTOR), 0);
}
END_TEST

START_TEST(test_password_known_vector)
{
	ck_assert_int_eq(password_verify(PASSWORD, VECTOR), 1);
	ck_assert_int_eq(password_verify(PASSWORD, VECTOR_SMALL), 1);
	ck_assert_int_eq(password_verify("Correct horse battery staple",
	    VECTOR), 0);
}
END_TEST

START_TEST(test_password_salted)
{
	char	 a[PASSWORD_ENCODED_MAX], b[PASSWORD_ENCODED_MAX];

	ck_assert_int_eq(password_hash(PASSWORD, a, sizeof(a)), 0);
	ck_assert_int_eq(password_hash(PASSWORD, b, sizeof(b)), 0);
	ck_assert_str_ne(a, b);
	/* The salts differ, not only the keys. */
	ck_assert_int_ne(strncmp(a, b, strlen(PARAMS SALT)), 0);
	ck_assert_int_eq(password_verify(PASSWORD, a), 1);
	ck_assert_int_eq(password_verify(PASSWORD, b), 1);
}
END_TEST

START_TEST(test_password_malformed_is_refused)
{
	static const char *const bad[] = {
		"",
		"$scrypt$",
		"$argon2id$ln=15,r=8,p=1$" SALT "$" KEY,
		"scrypt$ln=15,r=8,p=1$" SALT "$" KEY,
		" " VECTOR,
		"$SCRYPT$ln=15,r=8,p=1$" SALT "$" KEY,
		/* ln, r, p: bounds, spelling, order */
		"$scrypt$ln=9,r=8,p=1$" SALT "$" KEY,
		"$scrypt$ln=21,r=8,p=1$" SALT "$" KEY,
		"$scrypt$ln=015,r=8,p=1$" SALT "$" KEY,
		"$scrypt$ln=+15,r=8,p=1$" SALT "$" KEY,
		"$scrypt$ln=150,r=8,p=1$" SALT "$" KEY,
		"$scrypt$ln=,r=8,p=1$" SALT "$" KEY,
		"$scrypt$ln=15,r=0,p=1$" SALT "$" KEY,
		"$scrypt$ln=15,r=33,p=1$" SALT "$" KEY,
		"$scrypt$ln=15,r=8,p=0$" SALT "$" KEY,
		"$scrypt$ln=15,r=8,p=17$" SALT "$" KEY,
		"$scrypt$r=8,ln=15,p=1$" SALT "$" KEY,
		"$scrypt$ln=15,r=8$" SALT "$" KEY,
		"$scrypt$ln=15,r=8,p=1,x=1$" SALT "$" KEY,
		"$scrypt$ln=15 ,r=8,p=1$" SALT "$" KEY,
		/* the salt: 16 bytes, canonical base64url */
		PARAMS "AAECAwQFBgcICQoLDA0OD$" KEY,
		PARAMS SALT "A$" KEY,
		PARAMS "AAECAwQFBgcICQoLDA0ODx$" KEY,
		PARAMS "AAECAwQFBgcICQoLDA0ODw==$" KEY,
		PARAMS "AAECAwQFBgcICQoLDA0OD+$" KEY,
		PARAMS "$" KEY,
		/* the key: 32 bytes, canonical, and nothing after it */
		PARAMS SALT "$" "eo40JB24mNWRdcaWU4xBdGepdf_laQaEJfFhiNMVnF",
		PARAMS SALT "$" KEY "g",
		PARAMS SALT "$" "eo40JB24mNWRdcaWU4xBdGepdf_laQaEJfFhiNMVnFh",
		PARAMS SALT "$" "eo40JB24mNWRdcaWU4xBdGepdf/laQaEJfFhiNMVnFg",
		PARAMS SALT "$",
		PARAMS SALT,
		VECTOR "$",
		VECTOR "\n",
		VECTOR " ",
		VECTOR "$" KEY,
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(password_verify(PASSWORD, bad[i]) == -1,
		    "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_password_limits)
{
	char	 h[PASSWORD_ENCODED_MAX], small[8], big[PASSWORD_MAX_LEN + 2];
	char	 long_hash[PASSWORD_ENCODED_MAX + 8];

	/* Within the grammar, but beyond the memory scrypt may take. */
	ck_assert_int_eq(password_verify(PASSWORD, "$scrypt$ln=20,r=32,p=16$"
	    SALT "$" KEY), -1);
	memset(long_hash, 'A', sizeof(long_hash) - 1);
	long_hash[sizeof(long_hash) - 1] = '\0';
	memcpy(long_hash, PARAMS, strlen(PARAMS));
	ck_assert_int_eq(password_verify(PASSWORD, long_hash), -1);
	/* Too short or too long to hash; out too small. */
	ck_assert_int_eq(password_hash("fifteen bytes..", h, sizeof(h)), -1);
	ck_assert_str_eq(h, "");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(password_hash(big, h, sizeof(h)), -1);
	big[PASSWORD_MAX_LEN] = '\0';
	ck_assert_int_eq(password_hash(big, h, sizeof(h)), 0);
	ck_assert_int_eq(password_verify(big, h), 1);
	ck_assert_int_eq(password_hash("sixteen bytes...", h, sizeof(h)), 0);
	ck_assert_int_eq(password_hash(PASSWORD, small, sizeof(small)), -1);
	ck_assert_str_eq(small, "");
}
END_TEST

Suite *
password_suite(void)
{
	Suite	*s = suite_create("password");
	TCase	*tc = tcase_create("core");

	/* scrypt at N = 2^15 takes a tenth of a second, more when sanitized. */
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_password_round_trips);
	tcase_add_test(tc, test_password_wrong_is_refused);
	tcase_add_test(tc, test_password_known_vector);
	tcase_add_test(tc, test_password_salted);
	tcase_add_test(tc, test_password_malformed_is_refused);
	tcase_add_test(tc, test_password_limits);
	suite_add_tcase(s, tc);
	return s;
}
