/* accounts.fcgi end to end: create, read, update, list, search, page. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NIL_ID	"00000000-0000-4000-8000-000000000000"

static void
path_of(char *out, size_t len, const char *id)
{
	(void)snprintf(out, len, "/v1/accounts/%s", id);
}

START_TEST(test_create_answers_201_with_location)
{
	struct reply	 r;
	char		 slug[64], body[256], loc[128], want[128];
	const char	*ts;

	unique_slug(slug, sizeof(slug), "create");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Acme\",\"slug\":\"%s\"}",
	    slug);
	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", body), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_str(r.json, "name"), "Acme");
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	ck_assert_uint_eq(strlen(json_str(r.json, "id")), 36);
	ts = json_str(r.json, "created_at");
	ck_assert_uint_eq(strlen(ts), 27);
	ck_assert_int_eq(ts[26], 'Z');
	ck_assert_str_eq(ts, json_str(r.json, "updated_at"));
	ck_assert_int_eq(reply_header(&r, "Location", loc, sizeof(loc)), 0);
	path_of(want, sizeof(want), json_str(r.json, "id"));
	ck_assert_str_eq(loc, want);
	ck_assert_int_eq(cJSON_GetArraySize(r.json), 6);
	reply_free(&r);
}
END_TEST

START_TEST(test_create_derives_slug_from_name)
{
	struct reply	 r;
	char		 marker[64], body[160], want[96];

	unique_slug(marker, sizeof(marker), "x");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Derived Corp! %s\"}",
	    marker);
	(void)snprintf(want, sizeof(want), "derived-corp-%s", marker);
	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", body), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_str(r.json, "slug"), want);
	reply_free(&r);
}
END_TEST

START_TEST(test_create_underivable_slug_is_422)
{
	struct reply	 r;

	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", "{\"name\":\"!?\"}"),
	    0);
	assert_error(&r, 422, "invalid_field", "slug");
	reply_free(&r);
}
END_TEST

START_TEST(test_create_duplicate_slug_is_409)
{
	struct reply	 r;
	char		 slug[64], body[128], id[37];

	unique_slug(slug, sizeof(slug), "dup");
	create_account("First", slug, id);
	(void)snprintf(body, sizeof(body), "{\"name\":\"Second\",\"slug\":\"%s\"}",
	    slug);
	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", body), 0);
	assert_error(&r, 409, "slug_taken", "slug");
	reply_free(&r);
}
END_TEST

START_TEST(test_create_field_errors_name_the_field)
{
	static const struct {
		const char	*body;
		long		 status;
		const char	*code, *field;
	} cases[] = {
		{ "{}", 422, "invalid_field", "name" },
		{ "{\"name\":\"\"}", 422, "invalid_field", "name" },
		{ "{\"name\":1}", 422, "invalid_field", "name" },
		{ "{\"name\":null}", 422, "invalid_field", "name" },
		{ "{\"name\":[\"x\"]}", 422, "invalid_field", "name" },
		{ "{\"name\":{}}", 422, "invalid_field", "name" },
		{ "{\"name\":true}", 422, "invalid_field", "name" },
		{ "{\"name\":\"x\",\"slug\":\"Bad Slug\"}", 422, "invalid_field", "slug" },
		{ "{\"name\":\"x\",\"slug\":\"-x\"}", 422, "invalid_field", "slug" },
		{ "{\"name\":\"x\",\"slug\":\"x-\"}", 422, "invalid_field", "slug" },
		{ "{\"name\":\"x\",\"slug\":\"a\"}", 422, "invalid_field", "slug" },
		{ "{\"name\":\"x\",\"slug\":\"a--b\"}", 422, "invalid_field", "slug" },
		{ "{\"name\":\"x\",\"slug\":7}", 422, "invalid_field", "slug" },
		{ "{\"name\":\"x\",\"id\":\"" NIL_ID "\"}", 400, "unknown_field", "id" },
		{ "{\"name\":\"x\",\"account_id\":\"a\"}", 400, "unknown_field", "account_id" },
		{ "{\"name\":\"x\",\"status\":\"active\"}", 400, "unknown_field", "status" },
		{ "{\"name\":\"x\",\"created_at\":\"x\"}", 400, "unknown_field", "created_at" },
		{ "{\"name\":\"x\",\"updated_at\":\"x\"}", 400, "unknown_field", "updated_at" },
		{ "{\"name\":\"x\",\"foo\":1}", 400, "unknown_field", "foo" },
	};
	struct reply	 r;
	long long	 before = db_count("SELECT count(*) FROM accounts");
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(api(&r, "POST", "/v1/accounts", cases[i].body),
		    0);
		assert_error(&r, cases[i].status, cases[i].code,
		    cases[i].field);
		reply_free(&r);
	}
	ck_assert_int_eq(db_count("SELECT count(*) FROM accounts"), before);
}
END_TEST

START_TEST(test_name_length_limits)
{
	struct reply	 r;
	char		 body[1024], name[256], slug[64];

	memset(name, 'n', 201);
	name[201] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", body), 0);
	assert_error(&r, 422, "invalid_field", "name");
	reply_free(&r);
	name[200] = '\0';
	unique_slug(slug, sizeof(slug), "long");
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\",\"slug\":\"%s\"}",
	    name, slug);
	ck_assert_int_eq(api(&r, "POST", "/v1/accounts", body), 0);
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
}
END_TEST

START_TEST(test_get_known_unknown_and_malformed)
{
	struct reply	 r;
	char		 id[37], path[128], slug[64];

	unique_slug(slug, sizeof(slug), "get");
	create_account("Readable", slug, id);
	path_of(path, sizeof(path), id);
	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "id"), id);
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts/" NIL_ID, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts/abc", NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts/123", NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_patch_updates_and_validates)
{
	struct reply	 r, before;
	char		 id[37], path[128], slug[64], other[64], body[160];

	unique_slug(slug, sizeof(slug), "patch");
	create_account("Before", slug, id);
	path_of(path, sizeof(path), id);
	ck_assert_int_eq(api(&before, "GET", path, NULL), 0);
	msleep(5);
	ck_assert_int_eq(api(&r, "PATCH", path, "{\"name\":\"After\"}"), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "name"), "After");
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	ck_assert_str_eq(json_str(r.json, "created_at"),
	    json_str(before.json, "created_at"));
	ck_assert(strcmp(json_str(r.json, "updated_at"),
	    json_str(before.json, "updated_at")) > 0);
	reply_free(&r);
	reply_free(&before);

	ck_assert_int_eq(api(&r, "PATCH", path, "{}"), 0);
	assert_error(&r, 400, "empty_update", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "PATCH", path, "{\"status\":\"suspended\"}"),
	    0);
	assert_error(&r, 400, "unknown_field", "status");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "PATCH", path, "{\"name\":\"\"}"), 0);
	assert_error(&r, 422, "invalid_field", "name");
	reply_free(&r);

	unique_slug(other, sizeof(other), "taken");
	create_account("Other", other, id);
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\"}", other);
	ck_assert_int_eq(api(&r, "PATCH", path, body), 0);
	assert_error(&r, 409, "slug_taken", "slug");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "PATCH", "/v1/accounts/" NIL_ID,
	    "{\"name\":\"x\"}"), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* Lists the accounts matching marker, page by page; returns how many. */
static int
walk(const char *marker, int limit, char ids[][37], int max, int *pages)
{
	struct reply	 r;
	const cJSON	*item, *next;
	char		 path[512], cursor[256] = "";
	int		 n = 0;

	*pages = 0;
	do {
		(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s&limit=%d%s%s",
		    marker, limit, *cursor ? "&cursor=" : "", cursor);
		ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
		ck_assert_int_eq(r.status, 200);
		(*pages)++;
		cJSON_ArrayForEach(item, cJSON_GetObjectItem(r.json, "items")) {
			ck_assert_int_lt(n, max);
			(void)snprintf(ids[n++], 37, "%s", json_str(item, "id"));
		}
		next = cJSON_GetObjectItem(r.json, "next_cursor");
		ck_assert(cJSON_IsString(next) || cJSON_IsNull(next));
		(void)snprintf(cursor, sizeof(cursor), "%s",
		    cJSON_IsString(next) ? next->valuestring : "");
		reply_free(&r);
	} while (*cursor != '\0');
	return n;
}

START_TEST(test_list_pages_in_creation_order)
{
	char	 marker[64], slug[80], name[96], made[7][37], seen[16][37];
	int	 i, n, pages;

	unique_slug(marker, sizeof(marker), "page");
	for (i = 0; i < 7; i++) {
		(void)snprintf(name, sizeof(name), "%s %d", marker, i);
		(void)snprintf(slug, sizeof(slug), "%s-%d", marker, i);
		create_account(name, slug, made[i]);
	}
	n = walk(marker, 3, seen, 16, &pages);
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(pages, 3);
	for (i = 0; i < 7; i++)
		ck_assert_str_eq(seen[i], made[i]);
}
END_TEST

START_TEST(test_list_keyset_stable_under_inserts)
{
	struct reply	 r;
	char		 marker[64], slug[80], ids[8][37], path[512], cursor[256];
	const cJSON	*items;
	int		 i;

	unique_slug(marker, sizeof(marker), "stable");
	for (i = 0; i < 4; i++) {
		(void)snprintf(slug, sizeof(slug), "%s-%d", marker, i);
		create_account(slug, slug, ids[i]);
	}
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s&limit=2", marker);
	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	(void)snprintf(cursor, sizeof(cursor), "%s",
	    json_str(r.json, "next_cursor"));
	reply_free(&r);
	(void)snprintf(slug, sizeof(slug), "%s-new", marker);
	create_account(slug, slug, ids[4]);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s&limit=10&cursor=%s",
	    marker, cursor);
	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	items = cJSON_GetObjectItem(r.json, "items");
	ck_assert_int_eq(cJSON_GetArraySize(items), 3);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 0), "id"), ids[2]);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 1), "id"), ids[3]);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(items, 2), "id"), ids[4]);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_search_is_literal_and_case_insensitive)
{
	struct reply	 r;
	char		 marker[64], slug[80], id[37], path[256], *p;
	long long	 with_percent;

	unique_slug(marker, sizeof(marker), "lit");
	(void)snprintf(slug, sizeof(slug), "%s-a", marker);
	create_account("100% Real_Name", slug, id);
	with_percent = db_count("SELECT count(*) FROM accounts WHERE "
	    "position('%' in name) > 0 OR position('%' in slug) > 0");
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?q=%25&limit=200", NULL),
	    0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "items")), with_percent);
	reply_free(&r);
	for (p = marker; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", marker);
	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "items")), 1);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_parameter_errors)
{
	static const struct {
		const char	*query, *code, *field;
	} cases[] = {
		{ "limit=0", "invalid_parameter", "limit" },
		{ "limit=201", "invalid_parameter", "limit" },
		{ "limit=-1", "invalid_parameter", "limit" },
		{ "limit=abc", "invalid_parameter", "limit" },
		{ "limit=", "invalid_parameter", "limit" },
		{ "limit=10x", "invalid_parameter", "limit" },
		{ "cursor=garbage", "invalid_parameter", "cursor" },
		{ "status=deleted", "invalid_parameter", "status" },
		{ "foo=1", "unknown_parameter", "foo" },
		{ "limit=1&limit=2", "invalid_parameter", "limit" },
	};
	struct reply	 r;
	char		 path[512], q[300];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(path, sizeof(path), "/v1/accounts?%s",
		    cases[i].query);
		ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
		assert_error(&r, 400, cases[i].code, cases[i].field);
		reply_free(&r);
	}
	memset(q, 'q', 201);
	q[201] = '\0';
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", q);
	ck_assert_int_eq(api(&r, "GET", path, NULL), 0);
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
}
END_TEST

START_TEST(test_list_status_filter)
{
	struct reply	 r;
	const cJSON	*item;

	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?status=active&limit=200",
	    NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "items")), 0);
	cJSON_ArrayForEach(item, cJSON_GetObjectItem(r.json, "items"))
		ck_assert_str_eq(json_str(item, "status"), "active");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts?status=suspended", NULL),
	    0);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "items")), db_count("SELECT count(*) FROM accounts WHERE status = "
	    "'suspended'"));
	reply_free(&r);
}
END_TEST

START_TEST(test_credentials_are_required_and_checked)
{
	struct reply	 r;
	char		 wrong[512], prefix[512], auth[600], www[128];
	const char	*key = env("COCKPIT_MASTER_KEY");
	const char	*bad[5];
	size_t		 i;

	(void)snprintf(wrong, sizeof(wrong), "Bearer %s", key);
	wrong[strlen(wrong) - 1] ^= 1;
	(void)snprintf(prefix, sizeof(prefix), "Bearer %.*s",
	    (int)strlen(key) - 1, key);
	(void)snprintf(auth, sizeof(auth), "Basic %s", key);
	bad[0] = AUTH_NONE;
	bad[1] = wrong;
	bad[2] = prefix;
	bad[3] = auth;
	bad[4] = "Bearer";
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(http(&r, "GET", "/v1/accounts", NULL, NULL, 0,
		    bad[i]), 0);
		assert_error(&r, 401, "unauthorized", NULL);
		ck_assert_int_eq(reply_header(&r, "WWW-Authenticate", www,
		    sizeof(www)), 0);
		ck_assert_str_eq(www, "Bearer realm=\"console-cockpit\"");
		reply_free(&r);
	}
	/* Credentials come before the body: bad JSON without them is 401. */
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    "{", 1, AUTH_NONE), 0);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_wrong_method_and_unknown_path)
{
	struct reply	 r;
	char		 allow[64];

	ck_assert_int_eq(api(&r, "DELETE", "/v1/accounts", NULL), 0);
	assert_error(&r, 405, "method_not_allowed", NULL);
	ck_assert_int_eq(reply_header(&r, "Allow", allow, sizeof(allow)), 0);
	ck_assert_str_eq(allow, "GET, POST");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "PUT", "/v1/accounts/" NIL_ID, "{}"), 0);
	assert_error(&r, 405, "method_not_allowed", NULL);
	ck_assert_int_eq(reply_header(&r, "Allow", allow, sizeof(allow)), 0);
	ck_assert_str_eq(allow, "GET, PATCH");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/accounts/" NIL_ID "/nope", NULL),
	    0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "GET", "/v1/nope", NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("accounts");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_answers_201_with_location);
	tcase_add_test(tc, test_create_derives_slug_from_name);
	tcase_add_test(tc, test_create_underivable_slug_is_422);
	tcase_add_test(tc, test_create_duplicate_slug_is_409);
	tcase_add_test(tc, test_create_field_errors_name_the_field);
	tcase_add_test(tc, test_name_length_limits);
	tcase_add_test(tc, test_get_known_unknown_and_malformed);
	tcase_add_test(tc, test_patch_updates_and_validates);
	tcase_add_test(tc, test_list_pages_in_creation_order);
	tcase_add_test(tc, test_list_keyset_stable_under_inserts);
	tcase_add_test(tc, test_list_search_is_literal_and_case_insensitive);
	tcase_add_test(tc, test_list_parameter_errors);
	tcase_add_test(tc, test_list_status_filter);
	tcase_add_test(tc, test_credentials_are_required_and_checked);
	tcase_add_test(tc, test_wrong_method_and_unknown_path);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
