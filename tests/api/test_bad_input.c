/*
 * Every bad input gets a clear error and changes nothing: malformed JSON,
 * wrong media types, oversize bodies, nesting bombs, NUL bytes, bad
 * encodings. After each, the program still answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"

#define MAX_BODY	1048576		/* COCKPIT_MAX_BODY in the suite */

static void
still_healthy(void)
{
	struct reply	 r;

	ck_assert_int_eq(http(&r, "GET", "/health", NULL, NULL, 0, AUTH_NONE),
	    0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "ok");
	reply_free(&r);
}

/* POSTs len bytes as type; expects the error and no new account. */
static void
post_refused(const char *type, const char *body, size_t len, long status,
    const char *code, const char *field)
{
	struct reply	 r;
	long long	 before = accounts_count();

	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", type, body, len,
	    AUTH_MASTER), 0);
	assert_error(&r, status, code, field);
	reply_free(&r);
	ck_assert_int_eq(accounts_count(), before);
}

static void
json_refused(const char *body)
{
	post_refused("application/json", body, strlen(body), 400,
	    "invalid_json", NULL);
}

START_TEST(test_truncated_json_is_400)
{
	json_refused("{\"name\":");
	json_refused("{\"name\":\"x\"");
	json_refused("{");
	still_healthy();
}
END_TEST

START_TEST(test_unquoted_key_is_400)
{
	json_refused("{name:\"x\"}");
	json_refused("{'name':'x'}");
}
END_TEST

START_TEST(test_trailing_garbage_is_400)
{
	json_refused("{\"name\":\"x\"} x");
	json_refused("{\"name\":\"x\"}{}");
	json_refused("{\"name\":\"x\",}");
}
END_TEST

START_TEST(test_top_level_non_object_is_400)
{
	json_refused("[]");
	json_refused("[{\"name\":\"x\"}]");
	json_refused("\"str\"");
	json_refused("null");
	json_refused("42");
	json_refused("true");
}
END_TEST

START_TEST(test_duplicate_key_is_400)
{
	json_refused("{\"name\":\"a\",\"name\":\"b\"}");
	json_refused("{\"name\":\"x\",\"o\":{\"k\":1,\"k\":2}}");
}
END_TEST

START_TEST(test_invalid_utf8_is_400)
{
	json_refused("{\"name\":\"\xc3\"}");		/* truncated */
	json_refused("{\"name\":\"\xc0\xaf\"}");	/* overlong */
	json_refused("{\"name\":\"\xed\xa0\x80\"}");	/* a surrogate */
	json_refused("{\"name\":\"\xff\"}");
	json_refused("{\"name\":\"\xf4\x90\x80\x80\"}");	/* past U+10FFFF */
}
END_TEST

START_TEST(test_lone_surrogate_escape_is_400)
{
	json_refused("{\"name\":\"a\\ud800b\"}");
	json_refused("{\"name\":\"a\\udc00b\"}");
}
END_TEST

START_TEST(test_raw_control_character_in_string_is_400)
{
	json_refused("{\"name\":\"x\ty\"}");
	json_refused("{\"name\":\"x\ny\"}");
}
END_TEST

/* cJSON would cut "a\u0000b" to "a": the parser refuses it outright. */
START_TEST(test_escaped_nul_is_refused)
{
	json_refused("{\"name\":\"a\\u0000b\"}");
	json_refused("{\"name\":\"x\",\"slug\":\"ab\\u0000cd\"}");
}
END_TEST

START_TEST(test_raw_nul_byte_is_400)
{
	static const char body[] = "{\"name\":\"a\0b\"}";

	post_refused("application/json", body, sizeof(body) - 1, 400,
	    "invalid_json", NULL);
	still_healthy();
}
END_TEST

START_TEST(test_empty_body_is_400)
{
	post_refused("application/json", "", 0, 400, "invalid_json", NULL);
	post_refused("application/json", "  \r\n", 4, 400, "invalid_json",
	    NULL);
}
END_TEST

START_TEST(test_patch_empty_body_is_400)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], path[64];

	unique_slug(slug, sizeof(slug), "emptypatch");
	create_account("Empty patch", slug, id);
	account_path(path, sizeof(path), id);
	ck_assert_int_eq(http(&r, "PATCH", path, "application/json", "", 0,
	    AUTH_MASTER), 0);
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_other_media_types_are_415)
{
	static const char *const types[] = {
		"text/plain", "application/x-www-form-urlencoded",
		"application/jsonx", "multipart/form-data; boundary=x",
		"text/json", "application/json-patch+json",
	};
	const char	*body = "{\"name\":\"Typed\"}";
	size_t		 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		post_refused(types[i], body, strlen(body), 415,
		    "unsupported_media_type", NULL);
}
END_TEST

START_TEST(test_missing_media_type_is_415)
{
	const char	*body = "{\"name\":\"Untyped\"}";

	post_refused(NULL, body, strlen(body), 415, "unsupported_media_type",
	    NULL);
}
END_TEST

START_TEST(test_json_with_charset_is_accepted)
{
	struct reply	 r;
	char		 slug[64], body[128];
	int		 len;

	unique_slug(slug, sizeof(slug), "charset");
	len = snprintf(body, sizeof(body), "{\"name\":\"Charset\",\"slug\":"
	    "\"%s\"}", slug);
	ck_assert(len > 0 && (size_t)len < sizeof(body));
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts",
	    "application/json; charset=utf-8", body, (size_t)len, AUTH_MASTER),
	    0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	/* Media types are case-insensitive. */
	post_refused("Application/JSON; charset=UTF-8", "{\"name\":\"!\"}", 12,
	    422, "invalid_field", "slug");
}
END_TEST

/* len bytes of {"name":"nnn…"}: valid JSON whatever its length. */
static char *
long_name_body(size_t len)
{
	char	*body = malloc(len);

	ck_assert_ptr_nonnull(body);
	ck_assert_uint_gt(len, 12);
	memcpy(body, "{\"name\":\"", 9);
	memset(body + 9, 'n', len - 11);
	memcpy(body + len - 2, "\"}", 2);
	return body;
}

START_TEST(test_body_over_1mib_is_413)
{
	char	*body = long_name_body(MAX_BODY + 1);

	post_refused("application/json", body, MAX_BODY + 1, 413,
	    "body_too_large", NULL);
	free(body);
	still_healthy();
}
END_TEST

START_TEST(test_much_larger_body_is_413)
{
	size_t	 len = 8 * MAX_BODY;
	char	*body = long_name_body(len);

	post_refused("application/json", body, len, 413, "body_too_large",
	    NULL);
	free(body);
	still_healthy();
}
END_TEST

struct source {
	const char	*data;
	size_t		 left;
};

static size_t
feed(char *out, size_t size, size_t n, void *arg)
{
	struct source	*src = arg;
	size_t		 len = size * n < src->left ? size * n : src->left;

	memcpy(out, src->data, len);
	src->data += len;
	src->left -= len;
	return len;
}

static size_t
discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* POSTs body chunked (no Content-Length); the status, or -1. */
static long
post_chunked(const char *body, size_t len)
{
	struct curl_slist	*h = NULL, *t;
	struct source		 src = { body, len };
	char			 url[4096], auth[1024];
	CURL			*c;
	CURLcode		 rc;
	long			 status = -1;

	(void)snprintf(url, sizeof(url), "%s/v1/accounts", env("COCKPIT_URL"));
	(void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    env("COCKPIT_MASTER_KEY"));
	ck_assert_ptr_nonnull(c = curl_easy_init());
	ck_assert_ptr_nonnull(t = curl_slist_append(h, auth));
	h = t;
	ck_assert_ptr_nonnull(t = curl_slist_append(h,
	    "Content-Type: application/json"));
	ck_assert_ptr_nonnull(t = curl_slist_append(h,
	    "Transfer-Encoding: chunked"));
	ck_assert_ptr_nonnull(t = curl_slist_append(h, "Expect:"));
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_POST, 1L), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_HTTPHEADER, h), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_READFUNCTION, feed),
	    CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_READDATA, &src), CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard),
	    CURLE_OK);
	ck_assert_int_eq(curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L), CURLE_OK);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		ck_assert_int_eq(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE,
		    &status), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

/* Chunked: no Content-Length for a cap to look at up front. */
START_TEST(test_chunked_body_over_1mib_is_413)
{
	size_t		 len = MAX_BODY + 4096;
	char		*body = long_name_body(len);
	long long	 before = accounts_count();

	ck_assert_int_eq(post_chunked(body, len), 413);
	free(body);
	ck_assert_int_eq(accounts_count(), before);
	still_healthy();
}
END_TEST

START_TEST(test_small_chunked_body_is_read)
{
	char		 slug[64], body[128];
	int		 len;

	unique_slug(slug, sizeof(slug), "chunked");
	len = snprintf(body, sizeof(body), "{\"name\":\"Chunked\",\"slug\":"
	    "\"%s\"}", slug);
	ck_assert(len > 0 && (size_t)len < sizeof(body));
	ck_assert_int_eq(post_chunked(body, (size_t)len), 201);
}
END_TEST

START_TEST(test_body_just_under_the_cap_is_read)
{
	size_t	 len = 1048000;
	char	*body = long_name_body(len);

	/* Read whole and parsed: the name is too long, not the body. */
	post_refused("application/json", body, len, 422, "invalid_field",
	    "name");
	free(body);
}
END_TEST

START_TEST(test_body_exactly_at_the_cap_is_read)
{
	char	*body = long_name_body(MAX_BODY);

	post_refused("application/json", body, MAX_BODY, 422, "invalid_field",
	    "name");
	free(body);
}
END_TEST

START_TEST(test_unterminated_nesting_bomb_is_400)
{
	size_t	 depth = 10000;
	char	*body = malloc(depth + 16);

	ck_assert_ptr_nonnull(body);
	memcpy(body, "{\"a\":", 5);
	memset(body + 5, '[', depth);
	post_refused("application/json", body, depth + 5, 400, "invalid_json",
	    NULL);
	free(body);
	still_healthy();
}
END_TEST

START_TEST(test_balanced_nesting_bomb_is_400)
{
	size_t	 depth = 10000, len = 0;
	char	*body = malloc(2 * depth + 64);

	/* Well-formed, but nested far deeper than any request needs. */
	ck_assert_ptr_nonnull(body);
	memcpy(body, "{\"name\":\"x\",\"a\":", 16);
	len = 16;
	memset(body + len, '[', depth);
	len += depth;
	memset(body + len, ']', depth);
	len += depth;
	body[len++] = '}';
	post_refused("application/json", body, len, 400, "invalid_json", NULL);
	free(body);
	still_healthy();
}
END_TEST

START_TEST(test_patch_bad_input_changes_nothing)
{
	struct reply	 r, after;
	char		 id[UUID_LEN + 1], slug[64], path[64];

	unique_slug(slug, sizeof(slug), "bad");
	create_account("Unchanged", slug, id);
	account_path(path, sizeof(path), id);
	api_patch_json(&r, path, "{\"name\":\"x\",\"slug\":\"NOT OK\"}");
	assert_error(&r, 422, "invalid_field", "slug");
	reply_free(&r);
	api_patch_json(&r, path, "{\"name\":\"x\",\"name\":\"y\"}");
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
	api_patch_json(&r, path, "{\"name\":\"x\"");
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "PATCH", path, "text/plain",
	    "{\"name\":\"x\"}", 12, AUTH_MASTER), 0);
	assert_error(&r, 415, "unsupported_media_type", NULL);
	reply_free(&r);
	api_get(&after, path);
	ck_assert_str_eq(json_str(after.json, "name"), "Unchanged");
	ck_assert_str_eq(json_str(after.json, "slug"), slug);
	ck_assert_str_eq(json_str(after.json, "created_at"),
	    json_str(after.json, "updated_at"));
	reply_free(&after);
}
END_TEST

START_TEST(test_bad_query_encoding_is_400)
{
	struct reply	 r;

	api_get(&r, "/v1/accounts?q=%zz");
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
	api_get(&r, "/v1/accounts?q=%ff");
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
	api_get(&r, "/v1/accounts?q=%00");
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
	api_get(&r, "/v1/accounts?q=%");
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
	still_healthy();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("bad_input");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_truncated_json_is_400);
	tcase_add_test(tc, test_unquoted_key_is_400);
	tcase_add_test(tc, test_trailing_garbage_is_400);
	tcase_add_test(tc, test_top_level_non_object_is_400);
	tcase_add_test(tc, test_duplicate_key_is_400);
	tcase_add_test(tc, test_invalid_utf8_is_400);
	tcase_add_test(tc, test_lone_surrogate_escape_is_400);
	tcase_add_test(tc, test_raw_control_character_in_string_is_400);
	tcase_add_test(tc, test_escaped_nul_is_refused);
	tcase_add_test(tc, test_raw_nul_byte_is_400);
	tcase_add_test(tc, test_empty_body_is_400);
	tcase_add_test(tc, test_patch_empty_body_is_400);
	tcase_add_test(tc, test_other_media_types_are_415);
	tcase_add_test(tc, test_missing_media_type_is_415);
	tcase_add_test(tc, test_json_with_charset_is_accepted);
	tcase_add_test(tc, test_body_over_1mib_is_413);
	tcase_add_test(tc, test_much_larger_body_is_413);
	tcase_add_test(tc, test_chunked_body_over_1mib_is_413);
	tcase_add_test(tc, test_small_chunked_body_is_read);
	tcase_add_test(tc, test_body_just_under_the_cap_is_read);
	tcase_add_test(tc, test_body_exactly_at_the_cap_is_read);
	tcase_add_test(tc, test_unterminated_nesting_bomb_is_400);
	tcase_add_test(tc, test_balanced_nesting_bomb_is_400);
	tcase_add_test(tc, test_patch_bad_input_changes_nothing);
	tcase_add_test(tc, test_bad_query_encoding_is_400);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
