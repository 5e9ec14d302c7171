/*
 * accounts.fcgi end to end: create, read, update, list, search, page, and
 * the front line (credentials, routes, methods) in front of them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_SEEN	4096

/* A fresh account: its id, its path and its slug. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 path[64];
	char	 slug[64];
};

static void
acct_new(struct acct *a, const char *name)
{
	unique_slug(a->slug, sizeof(a->slug), "acct");
	create_account(name, a->slug, a->id);
	account_path(a->path, sizeof(a->path), a->id);
}

/* POSTs body and expects the error, with no account created. */
static void
post_refused(const char *body, long status, const char *code,
    const char *field)
{
	struct reply	 r;
	long long	 before = accounts_count();

	api_post_json(&r, "/v1/accounts", body);
	assert_error(&r, status, code, field);
	reply_free(&r);
	ck_assert_int_eq(accounts_count(), before);
}

/* PATCHes body and expects the error, with the account as it was. */
static void
patch_refused(const char *path, const char *body, long status,
    const char *code, const char *field)
{
	struct reply	 before, r, after;

	api_get(&before, path);
	ck_assert_int_eq(before.status, 200);
	api_patch_json(&r, path, body);
	assert_error(&r, status, code, field);
	reply_free(&r);
	api_get(&after, path);
	ck_assert_int_eq(after.status, 200);
	ck_assert_msg(cJSON_Compare(before.json, after.json, 1),
	    "changed: %s -> %s", before.body.data, after.body.data);
	reply_free(&before);
	reply_free(&after);
}

/* Percent-encodes s for a query string. */
static void
query_escape(char *out, size_t len, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		ck_assert_uint_lt(n + 4, len);
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '~')
			out[n++] = (char)c;
		else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

/*
 * Lists /v1/accounts?QUERY page by page with limit, copying the ids into
 * ids; checks every item's shape and every page's size. Returns how many.
 */
static int
walk(const char *query, int limit, char ids[][UUID_LEN + 1], int max,
    int *pages)
{
	struct reply	 r;
	const cJSON	*item, *next;
	char		 path[1024], cursor[512] = "";
	int		 n = 0, got;

	*pages = 0;
	do {
		(void)snprintf(path, sizeof(path), "/v1/accounts?%s%slimit=%d%s%s",
		    query, *query != '\0' ? "&" : "", limit,
		    *cursor != '\0' ? "&cursor=" : "", cursor);
		api_get(&r, path);
		ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status,
		    r.body.data);
		(*pages)++;
		got = 0;
		cJSON_ArrayForEach(item, json_items(&r)) {
			assert_account(item);
			ck_assert_int_lt(n, max);
			(void)snprintf(ids[n++], UUID_LEN + 1, "%s",
			    json_str(item, "id"));
			got++;
		}
		ck_assert_int_le(got, limit);
		next = cJSON_GetObjectItemCaseSensitive(r.json, "next_cursor");
		ck_assert(cJSON_IsString(next) || cJSON_IsNull(next));
		if (cJSON_IsString(next)) {
			ck_assert_int_eq(got, limit);
			query_escape(cursor, sizeof(cursor), next->valuestring);
		} else
			*cursor = '\0';
		reply_free(&r);
	} while (*cursor != '\0');
	return n;
}

/* How many accounts a search for q finds, over all pages. */
static int
search_count(const char *q)
{
	static char	 ids[MAX_SEEN][UUID_LEN + 1];
	char		 query[700], esc[640];
	int		 pages;

	query_escape(esc, sizeof(esc), q);
	(void)snprintf(query, sizeof(query), "q=%s", esc);
	return walk(query, 200, ids, MAX_SEEN, &pages);
}

static void
upper(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* --- create ---------------------------------------------------------- */

START_TEST(test_post_answers_201_with_the_account)
{
	struct reply	 r;
	char		 slug[64], body[256], loc[128], want[128];

	unique_slug(slug, sizeof(slug), "create");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Acme\",\"slug\":\"%s\"}",
	    slug);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_int_eq(r.status, 201);
	assert_account(r.json);
	ck_assert_str_eq(json_str(r.json, "name"), "Acme");
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	ck_assert_str_eq(json_str(r.json, "created_at"),
	    json_str(r.json, "updated_at"));
	ck_assert_int_eq(reply_header(&r, "Location", loc, sizeof(loc)), 0);
	account_path(want, sizeof(want), json_str(r.json, "id"));
	ck_assert_str_eq(loc, want);
	ck_assert_int_eq(reply_header(&r, "Content-Type", want, sizeof(want)),
	    0);
	ck_assert_int_eq(strncmp(want, "application/json", 16), 0);
	reply_free(&r);
}
END_TEST

START_TEST(test_post_location_reads_back_the_same_account)
{
	struct reply	 made, got;
	char		 slug[64], body[256], loc[128];

	unique_slug(slug, sizeof(slug), "readback");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Read \\\"back\\\" "
	    "\\u00e9\",\"slug\":\"%s\"}", slug);
	api_post_json(&made, "/v1/accounts", body);
	ck_assert_int_eq(made.status, 201);
	ck_assert_str_eq(json_str(made.json, "name"), "Read \"back\" \xc3\xa9");
	ck_assert_int_eq(reply_header(&made, "Location", loc, sizeof(loc)), 0);
	api_get(&got, loc);
	ck_assert_int_eq(got.status, 200);
	ck_assert_msg(cJSON_Compare(made.json, got.json, 1), "%s != %s",
	    made.body.data, got.body.data);
	reply_free(&made);
	reply_free(&got);
}
END_TEST

START_TEST(test_post_derives_slug_from_name)
{
	struct reply	 r;
	char		 marker[64], loud[64], body[256], want[96];

	unique_slug(marker, sizeof(marker), "derive");
	(void)snprintf(loud, sizeof(loud), "%s", marker);
	upper(loud);
	/* Lowercased; every run of other characters one hyphen; trimmed. */
	(void)snprintf(body, sizeof(body), "{\"name\":\"\xc2\xa1\xc2\xa1"
	    "Acme  Corp!_ %s ??\"}", loud);
	(void)snprintf(want, sizeof(want), "acme-corp-%s", marker);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "slug"), want);
	reply_free(&r);
}
END_TEST

START_TEST(test_post_derived_slug_is_cut_to_63_characters)
{
	struct reply	 r;
	char		 want[64], name[128], body[256];
	size_t		 len;

	unique_slug(want, sizeof(want), "cut");
	len = strlen(want);
	memset(want + len, 'a', 63 - len);
	want[63] = '\0';
	(void)snprintf(name, sizeof(name), "%szzzzzzzz", want);
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "slug"), want);
	reply_free(&r);
}
END_TEST

START_TEST(test_post_derived_slug_ends_without_hyphen_after_cut)
{
	struct reply	 r;
	char		 want[64], body[256];
	size_t		 len;

	/* 62 characters, then a separator that lands on the 63rd. */
	unique_slug(want, sizeof(want), "trim");
	len = strlen(want);
	memset(want + len, 'b', 62 - len);
	want[62] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s tail\"}", want);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "slug"), want);
	reply_free(&r);
}
END_TEST

START_TEST(test_post_underivable_slug_is_422)
{
	post_refused("{\"name\":\"!?\"}", 422, "invalid_field", "slug");
	post_refused("{\"name\":\"a\"}", 422, "invalid_field", "slug");
	post_refused("{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\"}", 422,
	    "invalid_field", "slug");
	post_refused("{\"name\":\" - x - \"}", 422, "invalid_field", "slug");
}
END_TEST

START_TEST(test_post_taken_slug_is_409)
{
	char	 slug[64], body[128], id[UUID_LEN + 1];

	unique_slug(slug, sizeof(slug), "dup");
	create_account("First", slug, id);
	(void)snprintf(body, sizeof(body), "{\"name\":\"Second\",\"slug\":\"%s\"}",
	    slug);
	post_refused(body, 409, "slug_taken", "slug");
}
END_TEST

START_TEST(test_post_taken_derived_slug_is_409)
{
	char	 marker[64], name[96], body[160], id[UUID_LEN + 1];

	unique_slug(marker, sizeof(marker), "twice");
	(void)snprintf(name, sizeof(name), "Twice %s", marker);
	create_account(name, NULL, id);
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	post_refused(body, 409, "slug_taken", "slug");
}
END_TEST

START_TEST(test_post_without_name_is_422_required)
{
	struct reply	 r;
	char		 slug[64], body[128];
	long long	 before = accounts_count();

	unique_slug(slug, sizeof(slug), "noname");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\"}", slug);
	api_post_json(&r, "/v1/accounts", body);
	assert_error(&r, 422, "invalid_field", "name");
	ck_assert_ptr_nonnull(strstr(json_str(cJSON_GetObjectItem(r.json,
	    "error"), "message"), "required"));
	reply_free(&r);
	post_refused("{}", 422, "invalid_field", "name");
	ck_assert_int_eq(accounts_count(), before);
}
END_TEST

START_TEST(test_post_name_of_wrong_type_is_422)
{
	post_refused("{\"name\":1}", 422, "invalid_field", "name");
	post_refused("{\"name\":null}", 422, "invalid_field", "name");
	post_refused("{\"name\":[\"x\"]}", 422, "invalid_field", "name");
	post_refused("{\"name\":{\"x\":\"y\"}}", 422, "invalid_field", "name");
	post_refused("{\"name\":true}", 422, "invalid_field", "name");
	post_refused("{\"name\":false}", 422, "invalid_field", "name");
}
END_TEST

START_TEST(test_post_empty_or_long_name_is_422)
{
	char	 body[512], name[256];

	post_refused("{\"name\":\"\"}", 422, "invalid_field", "name");
	memset(name, 'n', 201);
	name[201] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	post_refused(body, 422, "invalid_field", "name");
}
END_TEST

START_TEST(test_post_name_counts_characters_not_bytes)
{
	struct reply	 r;
	char		 name[512], body[700], slug[64];
	size_t		 i;

	/* 200 two-byte characters are 400 bytes and a valid name. */
	for (i = 0; i < 200; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[400] = '\0';
	unique_slug(slug, sizeof(slug), "chars");
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\",\"slug\":\"%s\"}",
	    name, slug);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "name"), name);
	reply_free(&r);
	/* 201 of them are one too many. */
	unique_slug(slug, sizeof(slug), "chars");
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\xc3\xa9\",\"slug\":"
	    "\"%s\"}", name, slug);
	post_refused(body, 422, "invalid_field", "name");
	/* And exactly 200 ASCII ones are accepted. */
	memset(name, 'n', 200);
	name[200] = '\0';
	unique_slug(slug, sizeof(slug), "chars");
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\",\"slug\":\"%s\"}",
	    name, slug);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
}
END_TEST

START_TEST(test_post_name_with_control_character_is_422)
{
	static const char *const bodies[] = {
		"{\"name\":\"tab\\there\"}",
		"{\"name\":\"new\\nline\"}",
		"{\"name\":\"bell\\u0007\"}",
		"{\"name\":\"esc\\u001b[31m\"}",
		"{\"name\":\"del\\u007f\"}",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		post_refused(bodies[i], 422, "invalid_field", "name");
}
END_TEST

/* U+0080..U+009F are control characters too (Unicode category Cc). */
START_TEST(test_post_name_with_c1_control_character_is_422)
{
	post_refused("{\"name\":\"next\\u0085line\"}", 422, "invalid_field",
	    "name");
	post_refused("{\"name\":\"csi\xc2\x9b" "31m\"}", 422, "invalid_field",
	    "name");
}
END_TEST

START_TEST(test_post_bad_slug_is_422)
{
	static const char *const slugs[] = {
		"\"Bad Slug\"", "\"-x\"", "\"x-\"", "\"a\"", "\"a--b\"",
		"\"UPPER\"", "\"under_score\"", "\"dot.ted\"", "\"\"",
		"\"sl\xc3\xbcg\"", "7", "null", "[\"ab\"]", "true",
		"\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
	};
	char	 body[256];
	size_t	 i;

	ck_assert_uint_eq(strlen(slugs[sizeof(slugs) / sizeof(slugs[0]) - 1]),
	    64 + 2);
	for (i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"name\":\"Slugged\","
		    "\"slug\":%s}", slugs[i]);
		post_refused(body, 422, "invalid_field", "slug");
	}
}
END_TEST

START_TEST(test_post_slug_of_63_characters_is_accepted)
{
	struct reply	 r;
	char		 slug[64], body[160];
	size_t		 len;

	unique_slug(slug, sizeof(slug), "max");
	len = strlen(slug);
	memset(slug + len, '9', 63 - len);
	slug[63] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"Max\",\"slug\":\"%s\"}",
	    slug);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	reply_free(&r);
}
END_TEST

START_TEST(test_post_unknown_field_is_400)
{
	static const char *const fields[] = {
		"id", "account_id", "status", "created_at", "updated_at", "foo",
		"Name", "role",
	};
	char	 body[256];
	size_t	 i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"name\":\"Mass\",\"%s\":"
		    "\"" NIL_ID "\"}", fields[i]);
		post_refused(body, 400, "unknown_field", fields[i]);
	}
}
END_TEST

/* --- read ------------------------------------------------------------ */

START_TEST(test_get_unknown_id_is_404)
{
	struct reply	 r;

	api_get(&r, "/v1/accounts/" NIL_ID);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_get_malformed_id_is_404)
{
	static const char *const ids[] = {
		"abc", "123", NIL_ID "0", "00000000-0000-4000-8000-00000000000g",
		"%27%20OR%201%3D1--", "00000000000040008000000000000000",
	};
	struct reply	 r;
	char		 path[160];
	size_t		 i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		(void)snprintf(path, sizeof(path), "/v1/accounts/%s", ids[i]);
		api_get(&r, path);
		assert_error(&r, 404, "not_found", NULL);
		reply_free(&r);
	}
}
END_TEST

/* --- update ---------------------------------------------------------- */

START_TEST(test_patch_name_changes_only_the_name)
{
	struct reply	 before, r, after;
	struct acct	 a;

	acct_new(&a, "Before");
	api_get(&before, a.path);
	msleep(2);
	api_patch_json(&r, a.path, "{\"name\":\"After\"}");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	assert_account(r.json);
	ck_assert_str_eq(json_str(r.json, "id"), a.id);
	ck_assert_str_eq(json_str(r.json, "name"), "After");
	ck_assert_str_eq(json_str(r.json, "slug"), a.slug);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	ck_assert_str_eq(json_str(r.json, "created_at"),
	    json_str(before.json, "created_at"));
	ck_assert_msg(strcmp(json_str(r.json, "updated_at"),
	    json_str(before.json, "updated_at")) > 0, "updated_at %s !> %s",
	    json_str(r.json, "updated_at"), json_str(before.json, "updated_at"));
	api_get(&after, a.path);
	ck_assert(cJSON_Compare(r.json, after.json, 1));
	reply_free(&before);
	reply_free(&r);
	reply_free(&after);
}
END_TEST

START_TEST(test_patch_slug_changes_only_the_slug)
{
	struct reply	 r, after;
	struct acct	 a;
	char		 slug[64], body[128];

	acct_new(&a, "Reslugged");
	unique_slug(slug, sizeof(slug), "moved");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\"}", slug);
	api_patch_json(&r, a.path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	ck_assert_str_eq(json_str(r.json, "name"), "Reslugged");
	api_get(&after, a.path);
	ck_assert_str_eq(json_str(after.json, "slug"), slug);
	reply_free(&r);
	reply_free(&after);
	/* The old slug is free again. */
	create_account("Old slug reused", a.slug, a.id);
}
END_TEST

START_TEST(test_patch_own_slug_is_not_a_conflict)
{
	struct reply	 r;
	struct acct	 a;
	char		 body[160];

	acct_new(&a, "Same");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Same again\",\"slug\":"
	    "\"%s\"}", a.slug);
	api_patch_json(&r, a.path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "name"), "Same again");
	reply_free(&r);
}
END_TEST

START_TEST(test_patch_empty_object_is_400)
{
	struct acct	 a;

	acct_new(&a, "Empty");
	patch_refused(a.path, "{}", 400, "empty_update", NULL);
}
END_TEST

START_TEST(test_patch_invalid_values_are_422_and_change_nothing)
{
	static const struct {
		const char	*body, *field;
	} cases[] = {
		{ "{\"name\":\"\"}", "name" },
		{ "{\"name\":null}", "name" },
		{ "{\"name\":42}", "name" },
		{ "{\"name\":[]}", "name" },
		{ "{\"name\":\"tab\\there\"}", "name" },
		{ "{\"slug\":\"Bad Slug\"}", "slug" },
		{ "{\"slug\":\"a--b\"}", "slug" },
		{ "{\"slug\":\"a\"}", "slug" },
		{ "{\"slug\":null}", "slug" },
		{ "{\"name\":\"Fine\",\"slug\":\"-x\"}", "slug" },
	};
	struct acct	 a;
	char		 body[512], name[256];
	size_t		 i;

	acct_new(&a, "Guarded");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		patch_refused(a.path, cases[i].body, 422, "invalid_field",
		    cases[i].field);
	memset(name, 'n', 201);
	name[201] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	patch_refused(a.path, body, 422, "invalid_field", "name");
}
END_TEST

START_TEST(test_patch_unknown_field_is_400_and_changes_nothing)
{
	static const char *const fields[] = {
		"status", "id", "account_id", "created_at", "updated_at", "foo",
	};
	struct acct	 a;
	char		 body[160];
	size_t		 i;

	acct_new(&a, "Allow-listed");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"name\":\"Changed\",\"%s\":"
		    "\"suspended\"}", fields[i]);
		patch_refused(a.path, body, 400, "unknown_field", fields[i]);
	}
}
END_TEST

START_TEST(test_patch_taken_slug_is_409_and_changes_nothing)
{
	struct acct	 a, b;
	char		 body[160];

	acct_new(&a, "Holder");
	acct_new(&b, "Taker");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Taken\",\"slug\":\"%s\"}",
	    a.slug);
	patch_refused(b.path, body, 409, "slug_taken", "slug");
}
END_TEST

START_TEST(test_patch_unknown_or_malformed_id_is_404)
{
	struct reply	 r;

	api_patch_json(&r, "/v1/accounts/" NIL_ID, "{\"name\":\"x\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	api_patch_json(&r, "/v1/accounts/abc", "{\"name\":\"x\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* --- list ------------------------------------------------------------ */

START_TEST(test_list_items_are_accounts)
{
	struct reply	 r;
	const cJSON	*item;
	struct acct	 a;
	int		 n = 0;

	acct_new(&a, "Listed");
	api_get(&r, "/v1/accounts?limit=5");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(r.json), 2);
	ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(r.json,
	    "next_cursor"));
	cJSON_ArrayForEach(item, json_items(&r)) {
		assert_account(item);
		n++;
	}
	ck_assert_int_eq(n, 5);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_default_page_is_50)
{
	struct reply	 r;
	char		 marker[64], name[96], id[UUID_LEN + 1];
	long long	 have;

	unique_slug(marker, sizeof(marker), "fill");
	for (have = accounts_count(); have < 51; have++) {
		(void)snprintf(name, sizeof(name), "%s %lld", marker, have);
		create_account(name, NULL, id);
	}
	api_get(&r, "/v1/accounts");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 50);
	ck_assert_ptr_nonnull(json_str(r.json, "next_cursor"));
	reply_free(&r);
}
END_TEST

START_TEST(test_list_limit_bounds_are_accepted)
{
	struct reply	 r;
	struct acct	 a, b;
	long long	 all;

	acct_new(&a, "Bound one");
	acct_new(&b, "Bound two");
	api_get(&r, "/v1/accounts?limit=1");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_ptr_nonnull(json_str(r.json, "next_cursor"));
	reply_free(&r);
	all = accounts_count();
	api_get(&r, "/v1/accounts?limit=200");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)),
	    all < 200 ? all : 200);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_pages_3_3_1_in_creation_order)
{
	char	 marker[64], query[96], slug[80], name[96], made[7][UUID_LEN + 1];
	char	 seen[16][UUID_LEN + 1];
	int	 i, n, pages;

	unique_slug(marker, sizeof(marker), "page");
	for (i = 0; i < 7; i++) {
		(void)snprintf(name, sizeof(name), "%s %d", marker, i);
		(void)snprintf(slug, sizeof(slug), "%s-%d", marker, i);
		create_account(name, slug, made[i]);
	}
	(void)snprintf(query, sizeof(query), "q=%s", marker);
	n = walk(query, 3, seen, 16, &pages);
	ck_assert_int_eq(n, 7);
	ck_assert_int_eq(pages, 3);
	for (i = 0; i < 7; i++)
		ck_assert_str_eq(seen[i], made[i]);
}
END_TEST

START_TEST(test_list_walk_sees_every_account_once_in_order)
{
	static char	 ids[MAX_SEEN][UUID_LEN + 1];
	PGconn		*c;
	PGresult	*res;
	int		 n, pages, i;

	n = walk("", 37, ids, MAX_SEEN, &pages);
	c = db_owner();
	res = PQexec(c, "SELECT id FROM accounts ORDER BY created_at, id");
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(res), n);
	ck_assert_int_ge(pages, n / 37);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(ids[i], PQgetvalue(res, i, 0));
	PQclear(res);
	PQfinish(c);
}
END_TEST

START_TEST(test_list_keyset_stays_stable_under_inserts)
{
	struct reply	 r;
	const cJSON	*item;
	char		 marker[64], slug[80], made[8][UUID_LEN + 1];
	char		 seen[16][UUID_LEN + 1], path[1024], cursor[512] = "";
	int		 i, n = 0, page;

	unique_slug(marker, sizeof(marker), "stable");
	for (i = 0; i < 7; i++) {
		(void)snprintf(slug, sizeof(slug), "%s-%d", marker, i);
		create_account(slug, slug, made[i]);
	}
	for (page = 0; page == 0 || *cursor != '\0'; page++) {
		(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s&limit=3%s%s",
		    marker, *cursor != '\0' ? "&cursor=" : "", cursor);
		api_get(&r, path);
		ck_assert_int_eq(r.status, 200);
		cJSON_ArrayForEach(item, json_items(&r)) {
			ck_assert_int_lt(n, 16);
			(void)snprintf(seen[n++], UUID_LEN + 1, "%s",
			    json_str(item, "id"));
		}
		query_escape(cursor, sizeof(cursor),
		    json_str(r.json, "next_cursor") != NULL ?
		    json_str(r.json, "next_cursor") : "");
		reply_free(&r);
		if (page == 0) {	/* a newcomer between two pages */
			(void)snprintf(slug, sizeof(slug), "%s-new", marker);
			create_account(slug, slug, made[7]);
		}
	}
	ck_assert_int_eq(n, 8);
	for (i = 0; i < 8; i++)
		ck_assert_str_eq(seen[i], made[i]);
}
END_TEST

START_TEST(test_list_q_matches_name_case_insensitively)
{
	struct reply	 r;
	char		 marker[64], name[96], id[UUID_LEN + 1], path[160];

	unique_slug(marker, sizeof(marker), "casey");
	(void)snprintf(name, sizeof(name), "Mixed %s Case", marker);
	create_account(name, NULL, id);
	upper(marker);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", marker);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    id);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_q_matches_slug)
{
	struct reply	 r;
	char		 slug[64], id[UUID_LEN + 1], path[160];

	unique_slug(slug, sizeof(slug), "slugonly");
	create_account("Nothing in common", slug, id);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", slug + 4);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    id);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_q_percent_and_underscore_are_literal)
{
	char		 marker[64], name[128], q[128], id[UUID_LEN + 1];
	long long	 percent, underscore;

	unique_slug(marker, sizeof(marker), "lit");
	(void)snprintf(name, sizeof(name), "%s 100%% Real_Name", marker);
	create_account(name, NULL, id);
	percent = db_count("SELECT count(*) FROM accounts WHERE "
	    "strpos(name, '%') > 0 OR strpos(slug, '%') > 0");
	underscore = db_count("SELECT count(*) FROM accounts WHERE "
	    "strpos(name, '_') > 0 OR strpos(slug, '_') > 0");
	ck_assert_int_lt(percent, accounts_count());
	ck_assert_int_eq(search_count("%"), percent);
	ck_assert_int_eq(search_count("_"), underscore);
	/* Wildcards would match these; literally, nothing does. */
	(void)snprintf(q, sizeof(q), "%s 10%% Real", marker);
	ck_assert_int_eq(search_count(q), 0);
	(void)snprintf(q, sizeof(q), "%s 100_ Real", marker);
	ck_assert_int_eq(search_count(q), 0);
	(void)snprintf(q, sizeof(q), "%s 100%% real_n", marker);
	ck_assert_int_eq(search_count(q), 1);
}
END_TEST

START_TEST(test_list_q_backslash_is_literal)
{
	char	 marker[64], name[128], q[128], id[UUID_LEN + 1];

	unique_slug(marker, sizeof(marker), "bs");
	(void)snprintf(name, sizeof(name), "%s back\\slash", marker);
	create_account(name, NULL, id);
	/* A trailing backslash would end an unescaped LIKE pattern badly. */
	(void)snprintf(q, sizeof(q), "%s back\\", marker);
	ck_assert_int_eq(search_count(q), 1);
	(void)snprintf(q, sizeof(q), "%s back\\s", marker);
	ck_assert_int_eq(search_count(q), 1);
	(void)snprintf(q, sizeof(q), "%s backs", marker);
	ck_assert_int_eq(search_count(q), 0);
}
END_TEST

START_TEST(test_list_q_of_200_characters_is_accepted_201_refused)
{
	struct reply	 r;
	char		 path[1400], q[1300];
	size_t		 i;

	/* 200 characters of two bytes each: counted as characters. */
	for (i = 0; i < 200; i++)
		memcpy(q + 6 * i, "%C3%A9", 6);
	q[1200] = '\0';
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", q);
	api_get(&r, path);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	memset(q, 'q', 200);
	q[200] = '\0';
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", q);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	q[200] = 'q';
	q[201] = '\0';
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", q);
	api_get(&r, path);
	assert_error(&r, 400, "invalid_parameter", "q");
	reply_free(&r);
}
END_TEST

static void
list_refused(const char *query, const char *code, const char *field)
{
	struct reply	 r;
	char		 path[512];

	(void)snprintf(path, sizeof(path), "/v1/accounts?%s", query);
	api_get(&r, path);
	assert_error(&r, 400, code, field);
	reply_free(&r);
}

START_TEST(test_list_bad_limit_is_400)
{
	static const char *const limits[] = {
		"0", "201", "-1", "abc", "", "10x", "1.5", "%2B5", "99999999999999999999",
	};
	char	 query[64];
	size_t	 i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		(void)snprintf(query, sizeof(query), "limit=%s", limits[i]);
		list_refused(query, "invalid_parameter", "limit");
	}
}
END_TEST

START_TEST(test_list_bad_cursor_is_400)
{
	list_refused("cursor=garbage", "invalid_parameter", "cursor");
	list_refused("cursor=%00", "invalid_parameter", "cursor");
	list_refused("cursor=" NIL_ID, "invalid_parameter", "cursor");
}
END_TEST

START_TEST(test_list_bad_status_is_400)
{
	list_refused("status=deleted", "invalid_parameter", "status");
	list_refused("status=ACTIVE", "invalid_parameter", "status");
	list_refused("status=", "invalid_parameter", "status");
}
END_TEST

START_TEST(test_list_unknown_parameter_is_400)
{
	list_refused("foo=1", "unknown_parameter", "foo");
	list_refused("limit=5&account_id=" NIL_ID, "unknown_parameter",
	    "account_id");
}
END_TEST

START_TEST(test_list_status_filter_selects_suspended)
{
	struct reply	 r;
	PGconn		*c;
	char		 marker[64], name[96], id[UUID_LEN + 1], other[UUID_LEN + 1];
	char		 sql[160], path[256];

	unique_slug(marker, sizeof(marker), "susp");
	(void)snprintf(name, sizeof(name), "%s asleep", marker);
	create_account(name, NULL, id);
	(void)snprintf(name, sizeof(name), "%s awake", marker);
	create_account(name, NULL, other);
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "UPDATE accounts SET status = "
	    "'suspended' WHERE id = '%s'", id);
	db_exec(c, sql);
	PQfinish(c);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s&status=suspended",
	    marker);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    id);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "status"), "suspended");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s&status=active",
	    marker);
	api_get(&r, path);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    other);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", marker);
	api_get(&r, path);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	reply_free(&r);
}
END_TEST

/* --- the front line -------------------------------------------------- */

static void
assert_unauthorized(const struct reply *r)
{
	char	 www[128];

	assert_error(r, 401, "unauthorized", NULL);
	ck_assert_int_eq(reply_header(r, "WWW-Authenticate", www, sizeof(www)),
	    0);
	ck_assert_str_eq(www, "Bearer realm=\"console-cockpit\"");
}

START_TEST(test_missing_credentials_are_401_on_every_route)
{
	struct reply	 r;
	struct acct	 a;
	const char	*body = "{\"name\":\"Intruder\"}";
	long long	 before;

	acct_new(&a, "Guarded");
	before = accounts_count();
	ck_assert_int_eq(http(&r, "GET", "/v1/accounts", NULL, NULL, 0,
	    AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    body, strlen(body), AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", a.path, NULL, NULL, 0, AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "PATCH", a.path, "application/json", body,
	    strlen(body), AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(accounts_count(), before);
	api_get(&r, a.path);
	ck_assert_str_eq(json_str(r.json, "name"), "Guarded");
	reply_free(&r);
}
END_TEST

START_TEST(test_wrong_credentials_are_401)
{
	struct reply	 r;
	const char	*key = env("COCKPIT_MASTER_KEY");
	char		 bad[8][600];
	size_t		 i, len = strlen(key);

	ck_assert_uint_gt(len, 8);
	(void)snprintf(bad[0], sizeof(bad[0]), "Bearer %s", key);
	bad[0][7 + len / 2] ^= 1;			/* one character off */
	(void)snprintf(bad[1], sizeof(bad[1]), "Bearer %.*s", (int)len - 1,
	    key);					/* a prefix */
	(void)snprintf(bad[2], sizeof(bad[2]), "Bearer %sx", key);
	(void)snprintf(bad[3], sizeof(bad[3]), "Basic %s", key);
	(void)snprintf(bad[4], sizeof(bad[4]), "Bearer");
	(void)snprintf(bad[5], sizeof(bad[5]), "Bearer ");
	(void)snprintf(bad[6], sizeof(bad[6]), "%s", key);
	(void)snprintf(bad[7], sizeof(bad[7]), "Bearer %s", key + 1);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(http(&r, "GET", "/v1/accounts", NULL, NULL, 0,
		    bad[i]), 0);
		assert_unauthorized(&r);
		reply_free(&r);
	}
}
END_TEST

START_TEST(test_credentials_in_the_query_string_are_ignored)
{
	struct reply	 r;
	char		 path[700];
	const char	*key = env("COCKPIT_MASTER_KEY");

	(void)snprintf(path, sizeof(path), "/v1/accounts/" NIL_ID
	    "?access_token=%s", key);
	ck_assert_int_eq(http(&r, "GET", path, NULL, NULL, 0, AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
}
END_TEST

START_TEST(test_credentials_are_checked_before_the_body)
{
	struct reply	 r;

	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "application/json",
	    "{", 1, AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "POST", "/v1/accounts", "text/plain", "x", 1,
	    AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
}
END_TEST

START_TEST(test_unknown_route_is_404_before_credentials)
{
	struct reply	 r;

	ck_assert_int_eq(http(&r, "GET", "/v1/accounts/" NIL_ID "/nope", NULL,
	    NULL, 0, AUTH_NONE), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "DELETE", "/v1/accounts", NULL, NULL, 0,
	    AUTH_NONE), 0);
	assert_error(&r, 405, "method_not_allowed", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_wrong_method_is_405_with_allow)
{
	static const struct {
		const char	*method, *path, *allow;
	} cases[] = {
		{ "DELETE", "/v1/accounts", "GET, POST" },
		{ "PUT", "/v1/accounts", "GET, POST" },
		{ "PATCH", "/v1/accounts", "GET, POST" },
		{ "PUT", "/v1/accounts/" NIL_ID, "GET, PATCH, DELETE" },
		{ "POST", "/v1/accounts/" NIL_ID, "GET, PATCH, DELETE" },
	};
	struct reply	 r;
	char		 allow[64];
	size_t		 i;
	long long	 before = accounts_count();

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(api(&r, cases[i].method, cases[i].path,
		    "{\"name\":\"Verb\"}"), 0);
		assert_error(&r, 405, "method_not_allowed", NULL);
		ck_assert_int_eq(reply_header(&r, "Allow", allow, sizeof(allow)),
		    0);
		ck_assert_str_eq(allow, cases[i].allow);
		reply_free(&r);
	}
	ck_assert_int_eq(accounts_count(), before);
}
END_TEST

START_TEST(test_unknown_paths_are_404)
{
	static const char *const paths[] = {
		"/v1/nope", "/v1/accounts/" NIL_ID "/nope", "/v1/accountsx",
		"/v1/accounts/" NIL_ID "/", "/v2/accounts",
	};
	struct reply	 r;
	size_t		 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		api_get(&r, paths[i]);
		assert_error(&r, 404, "not_found", NULL);
		reply_free(&r);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("accounts");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_post_answers_201_with_the_account);
	tcase_add_test(tc, test_post_location_reads_back_the_same_account);
	tcase_add_test(tc, test_post_derives_slug_from_name);
	tcase_add_test(tc, test_post_derived_slug_is_cut_to_63_characters);
	tcase_add_test(tc, test_post_derived_slug_ends_without_hyphen_after_cut);
	tcase_add_test(tc, test_post_underivable_slug_is_422);
	tcase_add_test(tc, test_post_taken_slug_is_409);
	tcase_add_test(tc, test_post_taken_derived_slug_is_409);
	tcase_add_test(tc, test_post_without_name_is_422_required);
	tcase_add_test(tc, test_post_name_of_wrong_type_is_422);
	tcase_add_test(tc, test_post_empty_or_long_name_is_422);
	tcase_add_test(tc, test_post_name_counts_characters_not_bytes);
	tcase_add_test(tc, test_post_name_with_control_character_is_422);
	tcase_add_test(tc, test_post_name_with_c1_control_character_is_422);
	tcase_add_test(tc, test_post_bad_slug_is_422);
	tcase_add_test(tc, test_post_slug_of_63_characters_is_accepted);
	tcase_add_test(tc, test_post_unknown_field_is_400);
	tcase_add_test(tc, test_get_unknown_id_is_404);
	tcase_add_test(tc, test_get_malformed_id_is_404);
	tcase_add_test(tc, test_patch_name_changes_only_the_name);
	tcase_add_test(tc, test_patch_slug_changes_only_the_slug);
	tcase_add_test(tc, test_patch_own_slug_is_not_a_conflict);
	tcase_add_test(tc, test_patch_empty_object_is_400);
	tcase_add_test(tc, test_patch_invalid_values_are_422_and_change_nothing);
	tcase_add_test(tc, test_patch_unknown_field_is_400_and_changes_nothing);
	tcase_add_test(tc, test_patch_taken_slug_is_409_and_changes_nothing);
	tcase_add_test(tc, test_patch_unknown_or_malformed_id_is_404);
	tcase_add_test(tc, test_list_items_are_accounts);
	tcase_add_test(tc, test_list_default_page_is_50);
	tcase_add_test(tc, test_list_limit_bounds_are_accepted);
	tcase_add_test(tc, test_list_pages_3_3_1_in_creation_order);
	tcase_add_test(tc, test_list_walk_sees_every_account_once_in_order);
	tcase_add_test(tc, test_list_keyset_stays_stable_under_inserts);
	tcase_add_test(tc, test_list_q_matches_name_case_insensitively);
	tcase_add_test(tc, test_list_q_matches_slug);
	tcase_add_test(tc, test_list_q_percent_and_underscore_are_literal);
	tcase_add_test(tc, test_list_q_backslash_is_literal);
	tcase_add_test(tc, test_list_q_of_200_characters_is_accepted_201_refused);
	tcase_add_test(tc, test_list_bad_limit_is_400);
	tcase_add_test(tc, test_list_bad_cursor_is_400);
	tcase_add_test(tc, test_list_bad_status_is_400);
	tcase_add_test(tc, test_list_unknown_parameter_is_400);
	tcase_add_test(tc, test_list_status_filter_selects_suspended);
	tcase_add_test(tc, test_missing_credentials_are_401_on_every_route);
	tcase_add_test(tc, test_wrong_credentials_are_401);
	tcase_add_test(tc, test_credentials_in_the_query_string_are_ignored);
	tcase_add_test(tc, test_credentials_are_checked_before_the_body);
	tcase_add_test(tc, test_unknown_route_is_404_before_credentials);
	tcase_add_test(tc, test_wrong_method_is_405_with_allow);
	tcase_add_test(tc, test_unknown_paths_are_404);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
