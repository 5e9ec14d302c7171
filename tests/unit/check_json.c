/* lib/json: strict request bodies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "suites.h"

static enum json_result
parse(const char *s)
{
	cJSON			*j = NULL;
	char			 err[160];
	enum json_result	 rc;

	rc = json_parse_object(s, strlen(s), &j, err, sizeof(err));
	if (rc == JSON_OK)
		ck_assert_ptr_nonnull(j);
	else
		ck_assert_ptr_null(j);
	cJSON_Delete(j);
	return rc;
}

START_TEST(test_json_accepts_objects)
{
	ck_assert_int_eq(parse("{}"), JSON_OK);
	ck_assert_int_eq(parse(" {\"a\":1,\"b\":[1,2,{\"c\":\"é\"}]} \n"),
	    JSON_OK);
	ck_assert_int_eq(parse("{\"a\":\"x\\u0041\\\"\"}"), JSON_OK);
}
END_TEST

START_TEST(test_json_refuses_non_objects)
{
	ck_assert_int_eq(parse("[]"), JSON_INVALID);
	ck_assert_int_eq(parse("\"s\""), JSON_INVALID);
	ck_assert_int_eq(parse("null"), JSON_INVALID);
	ck_assert_int_eq(parse("1"), JSON_INVALID);
	ck_assert_int_eq(parse(""), JSON_INVALID);
	ck_assert_int_eq(parse("   "), JSON_INVALID);
}
END_TEST

START_TEST(test_json_refuses_malformed)
{
	ck_assert_int_eq(parse("{\"name\":"), JSON_INVALID);
	ck_assert_int_eq(parse("{name:\"x\"}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":1} x"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":1}{}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":1,}"), JSON_INVALID);
}
END_TEST

START_TEST(test_json_refuses_duplicates_at_any_depth)
{
	ck_assert_int_eq(parse("{\"a\":1,\"a\":2}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"x\":{\"b\":1,\"c\":2,\"b\":3}}"),
	    JSON_INVALID);
	ck_assert_int_eq(parse("{\"x\":[{\"k\":1,\"k\":1}]}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":{\"a\":1}}"), JSON_OK);
}
END_TEST

START_TEST(test_json_duplicates_in_wide_objects)
{
	char	 s[4096];
	size_t	 n = 0;
	int	 i;

	n += (size_t)snprintf(s + n, sizeof(s) - n, "{");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "\"k%d\":%d,", i, i);
	(void)snprintf(s + n, sizeof(s) - n, "\"k57\":0}");
	ck_assert_int_eq(parse(s), JSON_INVALID);
	(void)snprintf(s + n, sizeof(s) - n, "\"k100\":0}");
	ck_assert_int_eq(parse(s), JSON_OK);
}
END_TEST

START_TEST(test_json_refuses_nul_and_control_characters)
{
	ck_assert_int_eq(parse("{\"a\":\"x\\u0000y\"}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":\"x\ty\"}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":\"x\\\\u0000\"}"), JSON_OK);
	ck_assert_int_eq(parse("{\"a\":\"x\\ty\"}"), JSON_OK);
}
END_TEST

START_TEST(test_json_refuses_bad_utf8)
{
	ck_assert_int_eq(parse("{\"a\":\"\xc3\"}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":\"\xed\xa0\x80\"}"), JSON_INVALID);
	ck_assert_int_eq(parse("{\"a\":\"\xc0\xaf\"}"), JSON_INVALID);
}
END_TEST

START_TEST(test_json_deep_nesting_is_refused_not_fatal)
{
	char	*s;

	s = malloc(20002);
	ck_assert_ptr_nonnull(s);
	s[0] = '{';
	memcpy(s + 1, "\"a\":", 4);
	memset(s + 5, '[', 10000);
	s[10005] = '\0';
	ck_assert_int_eq(parse(s), JSON_INVALID);
	free(s);
}
END_TEST

Suite *
json_suite(void)
{
	Suite	*s = suite_create("json");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_json_accepts_objects);
	tcase_add_test(tc, test_json_refuses_non_objects);
	tcase_add_test(tc, test_json_refuses_malformed);
	tcase_add_test(tc, test_json_refuses_duplicates_at_any_depth);
	tcase_add_test(tc, test_json_duplicates_in_wide_objects);
	tcase_add_test(tc, test_json_refuses_nul_and_control_characters);
	tcase_add_test(tc, test_json_refuses_bad_utf8);
	tcase_add_test(tc, test_json_deep_nesting_is_refused_not_fatal);
	suite_add_tcase(s, tc);
	return s;
}
