/* lib/uuid: the canonical text form and random identifiers. */
#include <string.h>

#include "suites.h"
#include "uuid.h"

START_TEST(test_uuid_valid_forms)
{
	ck_assert(uuid_valid("68b7c7c5-7f3f-4745-82ee-9c698a5b8886"));
	ck_assert(uuid_valid("68B7C7C5-7F3F-4745-82EE-9C698A5B8886"));
	ck_assert(!uuid_valid("68b7c7c57f3f474582ee9c698a5b8886"));
	ck_assert(!uuid_valid("68b7c7c5-7f3f-4745-82ee-9c698a5b888"));
	ck_assert(!uuid_valid("68b7c7c5-7f3f-4745-82ee-9c698a5b88866"));
	ck_assert(!uuid_valid("g8b7c7c5-7f3f-4745-82ee-9c698a5b8886"));
	ck_assert(!uuid_valid("68b7c7c5+7f3f-4745-82ee-9c698a5b8886"));
	ck_assert(!uuid_valid(""));
}
END_TEST

START_TEST(test_uuid_lower)
{
	char	 s[] = "68B7C7C5-7F3F-4745-82EE-9C698A5B8886";

	uuid_lower(s);
	ck_assert_str_eq(s, "68b7c7c5-7f3f-4745-82ee-9c698a5b8886");
}
END_TEST

START_TEST(test_random_hex_differs)
{
	char	 a[33], b[33];

	ck_assert_int_eq(random_hex(a, 16), 0);
	ck_assert_int_eq(random_hex(b, 16), 0);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 32);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(random_hex(a, 65), -1);
}
END_TEST

Suite *
uuid_suite(void)
{
	Suite	*s = suite_create("uuid");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_uuid_valid_forms);
	tcase_add_test(tc, test_uuid_lower);
	tcase_add_test(tc, test_random_hex_differs);
	suite_add_tcase(s, tc);
	return s;
}
