/* lib/buf: growth, formatting and JSON string escaping. */
#include <string.h>

#include "buf.h"
#include "suites.h"

START_TEST(test_buf_grows_and_stays_terminated)
{
	struct buf	 b = { 0 };
	int		 i;

	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(buf_puts(&b, "abc"), 0);
	ck_assert_uint_eq(b.len, 3000);
	ck_assert_int_eq(b.data[3000], '\0');
	ck_assert_int_eq(memcmp(b.data + 2997, "abc", 3), 0);
	buf_free(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_buf_printf_appends)
{
	struct buf	 b = { 0 };

	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "x"), 0);
	ck_assert_int_eq(buf_printf(&b, "|%05d", 7), 0);
	ck_assert_str_eq(b.data, "42-x|00007");
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	buf_free(&b);
}
END_TEST

START_TEST(test_buf_json_string_escapes)
{
	struct buf	 b = { 0 };

	ck_assert_int_eq(buf_json_string(&b, "a\"b\\c\n\x01/é"), 0);
	ck_assert_str_eq(b.data, "\"a\\\"b\\\\c\\u000a\\u0001/é\"");
	buf_free(&b);
}
END_TEST

Suite *
buf_suite(void)
{
	Suite	*s = suite_create("buf");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_buf_grows_and_stays_terminated);
	tcase_add_test(tc, test_buf_printf_appends);
	tcase_add_test(tc, test_buf_json_string_escapes);
	suite_add_tcase(s, tc);
	return s;
}
