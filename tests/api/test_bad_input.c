/*
 * Every bad input gets a clear error and changes nothing: malformed JSON,
 * wrong media types, oversize bodies, nesting bombs, NUL bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static long long
accounts(void)
{
	return db_count("SELECT count(*) FROM accounts");
}

static void
still_healthy(void)
{
	struct reply	 r;

	ck_assert_int_eq(api(&r, "GET", "/health", NULL), 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}

START_TEST(test_malformed_json_is_400)
{
	static const char *const bodies[] = {
		"{\"name\":", "{name:\"x\"}", "{\"name\":\"x\"} x", "[]",
		"\"str\"", "null", "42", "{\"name\":\"x\",}", "{\"a\":1}{}",
		"{\"name\":\"\xc3\"}", "{\"name\":\"x\ty\"}",
		"{\"name\":\"a\",\"name\":\"b\"}",
		"{\"name\":\"x\",\"o\":{\"k\":1,\"k\":2}}",
		"{\"name\":\"a\\u0000b\"}",
	};
	struct reply	 r;
	long long	 before = accounts();
	size_t		 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_int_eq(api(&r, "POST", "/v1/accounts", bodies[i]), 0);
		assert_error(&r, 400, "invalid_json", NULL);
		reply_free(&r);
	}
	ck_assert_int_eq(accounts(), before);
	still_healthy();
}
END_TEST

START_TEST(test_empty_body_is_400)
{
	struct reply	 r;

	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    "", 0, AUTH_MASTER), 0);
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_media_type_must_be_json)
{
	static const char *const types[] = {
		"text/plain", "application/x-www-form-urlencoded",
		"application/jsonx", NULL
	};
	struct reply	 r;
	long long	 before = accounts();
	const char	*body = "{\"name\":\"Typed\"}";
	size_t		 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		ck_assert_int_eq(http(&r, "POST", "/v1/accounts", types[i],
		    body, strlen(body), AUTH_MASTER), 0);
		assert_error(&r, 415, "unsupported_media_type", NULL);
		reply_free(&r);
	}
	ck_assert_int_eq(accounts(), before);
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts",
	    "Application/JSON; charset=utf-8", "{\"name\":\"!\"}", 12,
	    AUTH_MASTER), 0);
	assert_error(&r, 422, "invalid_field", "slug");
	reply_free(&r);
}
END_TEST

START_TEST(test_oversize_body_is_413)
{
	struct reply	 r;
	long long	 before = accounts();
	size_t		 len = 1048577;
	char		*body = malloc(len);

	ck_assert_ptr_nonnull(body);
	memset(body, ' ', len);
	body[0] = '{';
	body[len - 1] = '}';
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    body, len, AUTH_MASTER), 0);
	assert_error(&r, 413, "body_too_large", NULL);
	reply_free(&r);
	free(body);
	ck_assert_int_eq(accounts(), before);
	still_healthy();
}
END_TEST

START_TEST(test_body_just_under_the_cap_is_read)
{
	struct reply	 r;
	size_t		 len = 1048000, i;
	char		*body = malloc(len + 1);

	/* {"name":"nnnn...n"}: valid JSON, far too long a name. */
	ck_assert_ptr_nonnull(body);
	memcpy(body, "{\"name\":\"", 9);
	for (i = 9; i < len - 2; i++)
		body[i] = 'n';
	memcpy(body + len - 2, "\"}", 2);
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    body, len, AUTH_MASTER), 0);
	assert_error(&r, 422, "invalid_field", "name");
	reply_free(&r);
	free(body);
}
END_TEST

START_TEST(test_nesting_bomb_is_400)
{
	struct reply	 r;
	size_t		 depth = 10000;
	char		*body = malloc(depth + 16);

	ck_assert_ptr_nonnull(body);
	memcpy(body, "{\"a\":", 5);
	memset(body + 5, '[', depth);
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    body, depth + 5, AUTH_MASTER), 0);
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
	free(body);
	still_healthy();
}
END_TEST

START_TEST(test_patch_bad_input_changes_nothing)
{
	struct reply	 r, after;
	char		 id[37], slug[64], path[128];

	unique_slug(slug, sizeof(slug), "bad");
	create_account("Unchanged", slug, id);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s", id);
	ck_assert_int_eq(api(&r, "PATCH", path, "{\"name\":\"x\",\"slug\":"
	    "\"NOT OK\"}"), 0);
	assert_error(&r, 422, "invalid_field", "slug");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "PATCH", path, "{\"name\":\"x\",\"name\":"
	    "\"y\"}"), 0);
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&after, "GET", path, NULL), 0);
	ck_assert_str_eq(json_str(after.json, "name"), "Unchanged");
	ck_assert_str_eq(json_str(after.json, "slug"), slug);
	reply_free(&after);
}
END_TEST

START_TEST(test_bad_query_encoding_is_400)
{
	struct reply	 r;

	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?q=%zz", NULL), 0);
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?q=%ff", NULL), 0);
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bad_input");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_malformed_json_is_400);
	tcase_add_test(tc, test_empty_body_is_400);
	tcase_add_test(tc, test_media_type_must_be_json);
	tcase_add_test(tc, test_oversize_body_is_413);
	tcase_add_test(tc, test_body_just_under_the_cap_is_read);
	tcase_add_test(tc, test_nesting_bomb_is_400);
	tcase_add_test(tc, test_patch_bad_input_changes_nothing);
	tcase_add_test(tc, test_bad_query_encoding_is_400);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
