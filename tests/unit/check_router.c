/* lib/router: patterns, UUID parameters, 404 against 405, Allow. */
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "suites.h"

static void h(struct req *r) { (void)r; }

static const struct route table[] = {
	{ METHOD_GET, "/v1/accounts", PERM_SUPER_ADMIN, h, 0 },
	{ METHOD_POST, "/v1/accounts", PERM_SUPER_ADMIN, h, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN, h, 0 },
	{ METHOD_PATCH, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN, h, 0 },
	{ METHOD_GET, "/v1/things/{name}/x", PERM_PUBLIC, h, 0 },
};
#define N	(sizeof(table) / sizeof(table[0]))

#define ID	"68b7c7c5-7f3f-4745-82ee-9c698a5b8886"

START_TEST(test_router_literal_and_method)
{
	struct route_match	 m;

	ck_assert_int_eq(router_match(table, N, METHOD_POST, "/v1/accounts",
	    &m), ROUTER_FOUND);
	ck_assert_uint_eq(m.index, 1);
	ck_assert_uint_eq(m.nparams, 0);
	route_match_free(&m);
}
END_TEST

START_TEST(test_router_uuid_param_lowercased)
{
	struct route_match	 m;

	ck_assert_int_eq(router_match(table, N, METHOD_PATCH,
	    "/v1/accounts/68B7C7C5-7F3F-4745-82EE-9C698A5B8886", &m),
	    ROUTER_FOUND);
	ck_assert_uint_eq(m.index, 3);
	ck_assert_uint_eq(m.nparams, 1);
	ck_assert_str_eq(m.params[0], ID);
	route_match_free(&m);
}
END_TEST

START_TEST(test_router_bad_id_is_not_found)
{
	struct route_match	 m;

	ck_assert_int_eq(router_match(table, N, METHOD_GET, "/v1/accounts/abc",
	    &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(router_match(table, N, METHOD_GET,
	    "/v1/accounts/" ID "/", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(router_match(table, N, METHOD_GET, "/v1/accounts/",
	    &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(router_match(table, N, METHOD_GET, "/v1//accounts",
	    &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(router_match(table, N, METHOD_GET, "/v1/account",
	    &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(router_match(table, N, METHOD_GET, "", &m),
	    ROUTER_NOT_FOUND);
}
END_TEST

START_TEST(test_router_wrong_method_lists_allow)
{
	struct route_match	 m;
	char			 allow[64];

	ck_assert_int_eq(router_match(table, N, METHOD_DELETE, "/v1/accounts",
	    &m), ROUTER_NO_METHOD);
	ck_assert_int_eq(router_allow(m.allow, allow, sizeof(allow)), 0);
	ck_assert_str_eq(allow, "GET, POST");
	ck_assert_int_eq(router_match(table, N, METHOD_PUT,
	    "/v1/accounts/" ID, &m), ROUTER_NO_METHOD);
	ck_assert_int_eq(router_allow(m.allow, allow, sizeof(allow)), 0);
	ck_assert_str_eq(allow, "GET, PATCH");
	ck_assert_uint_eq(m.nparams, 0);
	ck_assert_int_eq(router_allow(m.allow, allow, 5), -1);
}
END_TEST

START_TEST(test_router_param_decoded)
{
	struct route_match	 m;

	ck_assert_int_eq(router_match(table, N, METHOD_GET,
	    "/v1/things/a%20b%2Fc/x", &m), ROUTER_FOUND);
	ck_assert_str_eq(m.params[0], "a b/c");
	route_match_free(&m);
	ck_assert_int_eq(router_match(table, N, METHOD_GET,
	    "/v1/things/a%00/x", &m), ROUTER_NOT_FOUND);
	ck_assert_int_eq(router_match(table, N, METHOD_GET,
	    "/v1/things/a%2/x", &m), ROUTER_NOT_FOUND);
}
END_TEST

START_TEST(test_percent_decode_plus)
{
	char	*out;

	ck_assert_int_eq(percent_decode("a+b%41", 6, &out, 1), 0);
	ck_assert_str_eq(out, "a bA");
	free(out);
	ck_assert_int_eq(percent_decode("a+b", 3, &out, 0), 0);
	ck_assert_str_eq(out, "a+b");
	free(out);
	ck_assert_int_eq(percent_decode("%4", 2, &out, 0), 1);
	ck_assert_int_eq(percent_decode("%zz", 3, &out, 0), 1);
}
END_TEST

START_TEST(test_method_names)
{
	ck_assert_int_eq(method_parse("PATCH"), METHOD_PATCH);
	ck_assert_int_eq(method_parse("patch"), METHOD_OTHER);
	ck_assert_int_eq(method_parse("BREW"), METHOD_OTHER);
	ck_assert_str_eq(method_name(METHOD_DELETE), "DELETE");
}
END_TEST

Suite *
router_suite(void)
{
	Suite	*s = suite_create("router");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_router_literal_and_method);
	tcase_add_test(tc, test_router_uuid_param_lowercased);
	tcase_add_test(tc, test_router_bad_id_is_not_found);
	tcase_add_test(tc, test_router_wrong_method_lists_allow);
	tcase_add_test(tc, test_router_param_decoded);
	tcase_add_test(tc, test_percent_decode_plus);
	tcase_add_test(tc, test_method_names);
	suite_add_tcase(s, tc);
	return s;
}
