/*
 * API keys of accounts.fcgi end to end: create, list, read, revoke and
 * rotate (TCase "api"); who may manage them (TCase "roles"); and keys used
 * as credentials (TCase "use"), which lib/auth checks.
 */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define KEY_LEN		55	/* ck_ + 8 + _ + 43 */
#define KEY_MEMBERS	11	/* a key's members without its secret */
#define GRACE_DEFAULT	86400

/* A fresh account: its id and its path. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 path[64];
	char	 keys[96];	/* its /api-keys */
};

/* A key just made: its id, its path, its prefix and its secret. */
struct made {
	char	 id[UUID_LEN + 1];
	char	 path[160];
	char	 prefix[9];
	char	 key[KEY_LEN + 1];
};

static void
acct_new(struct acct *a)
{
	char	 slug[64];

	unique_slug(slug, sizeof(slug), "keys");
	create_account("Key holder", slug, a->id);
	account_path(a->path, sizeof(a->path), a->id);
	(void)snprintf(a->keys, sizeof(a->keys), "%s/api-keys", a->path);
}

/* ck_<8 of [a-z0-9]>_<43 of base64url>. */
static int
key_shaped(const char *key)
{
	regex_t	 re;
	int	 ok;

	ck_assert_int_eq(regcomp(&re, "^ck_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$",
	    REG_EXTENDED | REG_NOSUB), 0);
	ok = key != NULL && regexec(&re, key, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static void
assert_time_or_null(const cJSON *k, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(k, name);

	ck_assert_msg(cJSON_IsNull(v) || is_timestamp(json_str(k, name)),
	    "%s is neither a time nor null", name);
}

/*
 * An API key: exactly its members, each of the right form, with "key"
 * (ck_<prefix>_...) exactly when secret is set. Never a digest.
 */
static void
assert_key(const cJSON *k, int secret)
{
	const char	*st;

	ck_assert_msg(cJSON_IsObject(k), "not a key");
	ck_assert_int_eq(cJSON_GetArraySize(k), KEY_MEMBERS + (secret ? 1 : 0));
	ck_assert(is_uuid(json_str(k, "id")));
	ck_assert_ptr_nonnull(json_str(k, "name"));
	ck_assert_ptr_nonnull(json_str(k, "prefix"));
	ck_assert_uint_eq(strlen(json_str(k, "prefix")), 8);
	ck_assert_ptr_nonnull(json_str(k, "created_by"));
	ck_assert(is_timestamp(json_str(k, "created_at")));
	assert_time_or_null(k, "rotated_at");
	assert_time_or_null(k, "last_used_at");
	assert_time_or_null(k, "revoked_at");
	assert_time_or_null(k, "previous_expires_at");
	ck_assert_ptr_nonnull(st = json_str(k, "status"));
	ck_assert(strcmp(st, "active") == 0 || strcmp(st, "revoked") == 0);
	ck_assert_msg(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(k,
	    "revoked_at")) == (strcmp(st, "active") == 0), "status %s", st);
	ck_assert_ptr_nonnull(st = json_str(k, "scope"));
	ck_assert(strcmp(st, "api") == 0 || strcmp(st, "scim") == 0);
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(k, "digest"));
	ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(k,
	    "previous_digest"));
	if (secret) {
		ck_assert_msg(key_shaped(json_str(k, "key")), "key %s",
		    json_str(k, "key"));
		ck_assert_int_eq(strncmp(json_str(k, "key") + 3,
		    json_str(k, "prefix"), 8), 0);
	} else
		ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(k, "key"));
}

static int
is_null(const cJSON *k, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(k, name));
}

/* Makes a key named name in a; fails the test unless 201. */
static void
key_new(const struct acct *a, const char *name, struct made *k)
{
	struct reply	 r;
	char		 body[300];

	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	api_post_json(&r, a->keys, body);
	ck_assert_msg(r.status == 201, "create: %ld %s", r.status, r.body.data);
	assert_key(r.json, 1);
	(void)snprintf(k->id, sizeof(k->id), "%s", json_str(r.json, "id"));
	(void)snprintf(k->path, sizeof(k->path), "%s/%s", a->keys, k->id);
	(void)snprintf(k->prefix, sizeof(k->prefix), "%s",
	    json_str(r.json, "prefix"));
	(void)snprintf(k->key, sizeof(k->key), "%s", json_str(r.json, "key"));
	reply_free(&r);
}

/* Rotates k with body, expecting 200; copies the new secret into k. */
static void
key_rotate(struct made *k, const char *body, struct reply *r)
{
	char	 path[200];

	(void)snprintf(path, sizeof(path), "%s/rotate", k->path);
	api_post_json(r, path, body);
	ck_assert_msg(r->status == 200, "rotate: %ld %s", r->status,
	    r->body.data);
	assert_key(r->json, 1);
	(void)snprintf(k->key, sizeof(k->key), "%s", json_str(r->json, "key"));
}

static void
key_revoke(const struct made *k)
{
	struct reply	 r;

	ck_assert_int_eq(api(&r, "DELETE", k->path, NULL), 0);
	ck_assert_msg(r.status == 200, "revoke: %ld %s", r.status,
	    r.body.data);
	reply_free(&r);
}

/* How many rows of api_keys match the condition, asked as the owner. */
static long long
keys_where(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static long long
keys_where(const char *fmt, ...)
{
	va_list		 ap;
	long long	 n;

	va_start(ap, fmt);
	n = db_vcount_where("api_keys", fmt, ap);
	va_end(ap);
	return n;
}

/* Whether the row of id holds the SHA-256 of key as its digest. */
static int
digest_is(const char *id, const char *key)
{
	return keys_where("id = '%s' AND digest = sha256('%s'::bytea)", id,
	    key) == 1;
}

static long long
keys_of(const struct acct *a)
{
	return keys_where("account_id = '%s'", a->id);
}

/* POSTs body to a's keys and expects the error, with no key made. */
static void
create_refused(const struct acct *a, const char *body, long status,
    const char *code, const char *field)
{
	struct reply	 r;
	long long	 before = keys_of(a);

	api_post_json(&r, a->keys, body);
	assert_error(&r, status, code, field);
	reply_free(&r);
	ck_assert_int_eq(keys_of(a), before);
}

/* POSTs body to k's rotate and expects the error, k unchanged. */
static void
rotate_refused(const struct made *k, const char *body, long status,
    const char *code, const char *field)
{
	struct reply	 before, r, after;
	char		 path[200];

	(void)snprintf(path, sizeof(path), "%s/rotate", k->path);
	api_get(&before, k->path);
	ck_assert_int_eq(before.status, 200);
	api_post_json(&r, path, body);
	assert_error(&r, status, code, field);
	reply_free(&r);
	api_get(&after, k->path);
	ck_assert_msg(cJSON_Compare(before.json, after.json, 1),
	    "changed: %s -> %s", before.body.data, after.body.data);
	reply_free(&before);
	reply_free(&after);
}

static void
assert_unauthorized(const struct reply *r)
{
	char	 www[128];

	assert_error(r, 401, "unauthorized", NULL);
	ck_assert_int_eq(reply_header(r, "WWW-Authenticate", www, sizeof(www)),
	    0);
	ck_assert_str_eq(www, "Bearer realm=\"console-cockpit\"");
}

/* --- create ---------------------------------------------------------- */

START_TEST(test_create_answers_201_with_the_key)
{
	struct acct	 a;
	struct reply	 r;
	char		 loc[200], want[200];

	acct_new(&a);
	api_post_json(&r, a.keys, "{\"name\":\"CI deploys\"}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	assert_key(r.json, 1);
	ck_assert_str_eq(json_str(r.json, "name"), "CI deploys");
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	ck_assert_str_eq(json_str(r.json, "created_by"), "master_key");
	ck_assert(is_null(r.json, "rotated_at"));
	ck_assert(is_null(r.json, "last_used_at"));
	ck_assert(is_null(r.json, "revoked_at"));
	ck_assert(is_null(r.json, "previous_expires_at"));
	ck_assert_uint_eq(strlen(json_str(r.json, "key")), KEY_LEN);
	ck_assert_int_eq(reply_header(&r, "Location", loc, sizeof(loc)), 0);
	(void)snprintf(want, sizeof(want), "%s/%s", a.keys,
	    json_str(r.json, "id"));
	ck_assert_str_eq(loc, want);
	reply_free(&r);
}
END_TEST

START_TEST(test_create_shows_the_key_once)
{
	struct acct	 a;
	struct reply	 made, got;
	cJSON		*key;
	char		 path[200];

	acct_new(&a);
	api_post_json(&made, a.keys, "{\"name\":\"once\"}");
	ck_assert_int_eq(made.status, 201);
	(void)snprintf(path, sizeof(path), "%s/%s", a.keys,
	    json_str(made.json, "id"));
	api_get(&got, path);
	ck_assert_int_eq(got.status, 200);
	assert_key(got.json, 0);
	/* Reading answers what creating did, without the secret. */
	key = cJSON_DetachItemFromObjectCaseSensitive(made.json, "key");
	ck_assert_ptr_nonnull(key);
	ck_assert_msg(cJSON_Compare(made.json, got.json, 1), "%s != %s",
	    made.body.data, got.body.data);
	ck_assert_ptr_null(strstr(got.body.data, key->valuestring + 12));
	reply_free(&got);
	api_get(&got, a.keys);
	ck_assert_int_eq(got.status, 200);
	ck_assert_ptr_null(strstr(got.body.data, key->valuestring + 12));
	reply_free(&got);
	cJSON_Delete(key);
	reply_free(&made);
}
END_TEST

START_TEST(test_create_stores_only_the_sha256_of_the_key)
{
	struct acct	 a;
	struct made	 k;

	acct_new(&a);
	key_new(&a, "digest", &k);
	ck_assert(digest_is(k.id, k.key));
	ck_assert_int_eq(keys_where("id = '%s' AND prefix = '%s'", k.id,
	    k.prefix), 1);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_digest IS NULL",
	    k.id), 1);
	/* The secret is nowhere in the row. */
	ck_assert_int_eq(keys_where("id = '%s' AND strpos(api_keys::text, "
	    "'%s') > 0", k.id, k.key + 12), 0);
}
END_TEST

START_TEST(test_create_draws_a_new_prefix_and_secret_each_time)
{
	struct acct	 a;
	struct made	 k1, k2;

	acct_new(&a);
	key_new(&a, "one", &k1);
	key_new(&a, "two", &k2);
	ck_assert_str_ne(k1.prefix, k2.prefix);
	ck_assert_str_ne(k1.key + 12, k2.key + 12);
	ck_assert_str_ne(k1.id, k2.id);
}
END_TEST

START_TEST(test_create_name_rules)
{
	struct acct	 a;
	struct reply	 r;
	char		 body[1024], name[256];

	acct_new(&a);
	create_refused(&a, "{}", 422, "invalid_field", "name");
	create_refused(&a, "{\"name\":\"\"}", 422, "invalid_field", "name");
	create_refused(&a, "{\"name\":5}", 422, "invalid_field", "name");
	create_refused(&a, "{\"name\":null}", 422, "invalid_field", "name");
	create_refused(&a, "{\"name\":[\"x\"]}", 422, "invalid_field", "name");
	create_refused(&a, "{\"name\":\"tab\\there\"}", 422, "invalid_field",
	    "name");
	memset(name, 'n', 201);
	name[201] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	create_refused(&a, body, 422, "invalid_field", "name");
	name[200] = '\0';
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	api_post_json(&r, a.keys, body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "name"), name);
	reply_free(&r);
}
END_TEST

START_TEST(test_create_unknown_fields_are_400)
{
	static const char *const bodies[][2] = {
		{ "{\"name\":\"k\",\"key\":\"ck_aaaaaaaa_x\"}", "key" },
		{ "{\"name\":\"k\",\"prefix\":\"aaaaaaaa\"}", "prefix" },
		{ "{\"name\":\"k\",\"account_id\":\"" NIL_ID "\"}",
		    "account_id" },
		{ "{\"name\":\"k\",\"digest\":\"00\"}", "digest" },
		{ "{\"name\":\"k\",\"status\":\"revoked\"}", "status" },
	};
	struct acct	 a;
	size_t		 i;

	acct_new(&a);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		create_refused(&a, bodies[i][0], 400, "unknown_field",
		    bodies[i][1]);
}
END_TEST

START_TEST(test_create_body_is_required_json)
{
	struct acct	 a;
	struct reply	 r;

	acct_new(&a);
	ck_assert_int_eq(api(&r, "POST", a.keys, "[]"), 0);
	assert_error(&r, 400, "invalid_json", NULL);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "POST", a.keys, "text/plain", "{}", 2,
	    AUTH_MASTER), 0);
	assert_error(&r, 415, "unsupported_media_type", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 0);
}
END_TEST

START_TEST(test_create_in_unknown_account_is_404)
{
	struct reply	 r;

	api_post_json(&r, "/v1/accounts/" NIL_ID "/api-keys",
	    "{\"name\":\"nowhere\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_where("account_id = '%s'", NIL_ID), 0);
}
END_TEST

START_TEST(test_create_stops_at_100_active_keys)
{
	struct acct	 a;
	struct reply	 r;
	struct made	 k;
	PGconn		*c;
	char		 sql[600];

	acct_new(&a);
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "INSERT INTO api_keys (account_id, "
	    "name, prefix, digest, created_by) SELECT '%s', 'bulk ' || g, "
	    "substr(md5(gen_random_uuid()::text), 1, 8), "
	    "sha256(gen_random_uuid()::text::bytea), 'test' "
	    "FROM generate_series(1, 99) AS g", a.id);
	db_exec(c, sql);
	PQfinish(c);
	key_new(&a, "the hundredth", &k);
	api_post_json(&r, a.keys, "{\"name\":\"one too many\"}");
	assert_error(&r, 409, "limit_reached", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 100);
	/* Revoked keys do not count. */
	key_revoke(&k);
	api_post_json(&r, a.keys, "{\"name\":\"in its place\"}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 101);
}
END_TEST

START_TEST(test_create_limit_counts_rows_made_elsewhere)
{
	struct acct	 a;
	struct reply	 r;
	PGconn		*c;
	char		 sql[600];

	acct_new(&a);
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "INSERT INTO api_keys (account_id, "
	    "name, prefix, digest, created_by) SELECT '%s', 'bulk ' || g, "
	    "substr(md5(gen_random_uuid()::text), 1, 8), "
	    "sha256(gen_random_uuid()::text::bytea), 'test' "
	    "FROM generate_series(1, 100) AS g", a.id);
	db_exec(c, sql);
	PQfinish(c);
	api_post_json(&r, a.keys, "{\"name\":\"over\"}");
	assert_error(&r, 409, "limit_reached", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 100);
}
END_TEST

/* --- list and read --------------------------------------------------- */

START_TEST(test_list_pages_2_2_1_in_creation_order)
{
	struct acct	 a;
	struct made	 k[5];
	struct reply	 r;
	const cJSON	*item, *next;
	char		 path[600], cursor[400] = "", name[16];
	int		 i, n = 0, pages = 0, got;
	static const int sizes[] = { 2, 2, 1 };

	acct_new(&a);
	for (i = 0; i < 5; i++) {
		(void)snprintf(name, sizeof(name), "key %d", i);
		key_new(&a, name, &k[i]);
	}
	do {
		(void)snprintf(path, sizeof(path), "%s?limit=2%s%s", a.keys,
		    *cursor != '\0' ? "&cursor=" : "", cursor);
		api_get(&r, path);
		ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
		ck_assert_int_eq(cJSON_GetArraySize(r.json), 2);
		ck_assert_int_lt(pages, 3);
		got = 0;
		cJSON_ArrayForEach(item, json_items(&r)) {
			assert_key(item, 0);
			ck_assert_int_lt(n, 5);
			ck_assert_str_eq(json_str(item, "id"), k[n].id);
			n++;
			got++;
		}
		ck_assert_int_eq(got, sizes[pages]);
		pages++;
		next = cJSON_GetObjectItemCaseSensitive(r.json, "next_cursor");
		if (cJSON_IsString(next)) {
			ck_assert_uint_lt(strlen(next->valuestring),
			    sizeof(cursor));
			/* base64url: nothing to escape. */
			(void)snprintf(cursor, sizeof(cursor), "%s",
			    next->valuestring);
		} else {
			ck_assert(cJSON_IsNull(next));
			*cursor = '\0';
		}
		reply_free(&r);
	} while (*cursor != '\0');
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(pages, 3);
}
END_TEST

START_TEST(test_list_never_shows_a_secret)
{
	struct acct	 a;
	struct made	 k[3];
	struct reply	 r;
	const cJSON	*item;
	int		 i;

	acct_new(&a);
	for (i = 0; i < 3; i++)
		key_new(&a, "secretive", &k[i]);
	key_rotate(&k[0], "{}", &r);
	reply_free(&r);
	api_get(&r, a.keys);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 3);
	cJSON_ArrayForEach(item, json_items(&r))
		assert_key(item, 0);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_null(strstr(r.body.data, k[i].key + 12));
	ck_assert_ptr_null(strstr(r.body.data, "digest"));
	reply_free(&r);
}
END_TEST

START_TEST(test_list_of_account_without_keys_is_empty)
{
	struct acct	 a;
	struct reply	 r;
	const cJSON	*next;

	acct_new(&a);
	api_get(&r, a.keys);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	next = cJSON_GetObjectItemCaseSensitive(r.json, "next_cursor");
	ck_assert(cJSON_IsNull(next));
	reply_free(&r);
}
END_TEST

START_TEST(test_list_shows_only_the_accounts_keys)
{
	struct acct	 a, b;
	struct made	 ka, kb;
	struct reply	 r;

	acct_new(&a);
	acct_new(&b);
	key_new(&a, "mine", &ka);
	key_new(&b, "theirs", &kb);
	api_get(&r, a.keys);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "id"), ka.id);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_status_filter)
{
	struct acct	 a;
	struct made	 k1, k2;
	struct reply	 r;
	char		 path[200];

	acct_new(&a);
	key_new(&a, "kept", &k1);
	key_new(&a, "gone", &k2);
	key_revoke(&k2);
	(void)snprintf(path, sizeof(path), "%s?status=active", a.keys);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "id"), k1.id);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s?status=revoked", a.keys);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "id"), k2.id);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "status"), "revoked");
	reply_free(&r);
	api_get(&r, a.keys);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	reply_free(&r);
}
END_TEST

START_TEST(test_list_bad_parameters_are_400)
{
	static const struct {
		const char	*query, *code, *field;
	} cases[] = {
		{ "status=expired", "invalid_parameter", "status" },
		{ "status=", "invalid_parameter", "status" },
		{ "limit=0", "invalid_parameter", "limit" },
		{ "limit=201", "invalid_parameter", "limit" },
		{ "cursor=nope", "invalid_parameter", "cursor" },
		{ "q=x", "unknown_parameter", "q" },
		{ "prefix=abc", "unknown_parameter", "prefix" },
	};
	struct acct	 a;
	struct reply	 r;
	char		 path[200];
	size_t		 i;

	acct_new(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s?%s", a.keys,
		    cases[i].query);
		api_get(&r, path);
		assert_error(&r, 400, cases[i].code, cases[i].field);
		reply_free(&r);
	}
}
END_TEST

START_TEST(test_list_of_unknown_account_is_404)
{
	struct reply	 r;

	api_get(&r, "/v1/accounts/" NIL_ID "/api-keys");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_get_answers_the_key)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	key_new(&a, "read me", &k);
	api_get(&r, k.path);
	ck_assert_int_eq(r.status, 200);
	assert_key(r.json, 0);
	ck_assert_str_eq(json_str(r.json, "id"), k.id);
	ck_assert_str_eq(json_str(r.json, "name"), "read me");
	ck_assert_str_eq(json_str(r.json, "prefix"), k.prefix);
	reply_free(&r);
}
END_TEST

START_TEST(test_get_unknown_or_malformed_key_is_404)
{
	struct acct	 a;
	struct reply	 r;
	char		 path[200];

	acct_new(&a);
	(void)snprintf(path, sizeof(path), "%s/" NIL_ID, a.keys);
	api_get(&r, path);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/not-a-uuid", a.keys);
	api_get(&r, path);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_foreign_key_ids_are_404)
{
	struct acct	 a, b;
	struct made	 k;
	struct reply	 r;
	char		 path[300];

	acct_new(&a);
	acct_new(&b);
	key_new(&a, "of a", &k);
	(void)snprintf(path, sizeof(path), "%s/%s", b.keys, k.id);
	api_get(&r, path);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/%s/rotate", b.keys, k.id);
	api_post_json(&r, path, "{}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/" NIL_ID
	    "/api-keys/%s", k.id);
	api_get(&r, path);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	/* Nothing happened to it. */
	ck_assert_int_eq(keys_where("id = '%s' AND digest = sha256('%s'::bytea)"
	    " AND revoked_at IS NULL AND rotated_at IS NULL", k.id, k.key), 1);
}
END_TEST

/* --- revoke ---------------------------------------------------------- */

START_TEST(test_revoke_answers_200_then_409)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	key_new(&a, "short-lived", &k);
	ck_assert_int_eq(api(&r, "DELETE", k.path, NULL), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	assert_key(r.json, 0);
	ck_assert_str_eq(json_str(r.json, "status"), "revoked");
	ck_assert(is_timestamp(json_str(r.json, "revoked_at")));
	reply_free(&r);
	ck_assert_int_eq(api(&r, "DELETE", k.path, NULL), 0);
	assert_error(&r, 409, "already_revoked", NULL);
	reply_free(&r);
	api_get(&r, k.path);
	ck_assert_str_eq(json_str(r.json, "status"), "revoked");
	reply_free(&r);
}
END_TEST

START_TEST(test_revoke_ends_the_grace_of_a_rotated_key)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	key_new(&a, "rotated then revoked", &k);
	key_rotate(&k, "{\"grace_seconds\":3600}", &r);
	reply_free(&r);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_digest IS NOT "
	    "NULL", k.id), 1);
	key_revoke(&k);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_digest IS NULL AND "
	    "previous_expires_at IS NULL AND revoked_at <= now()", k.id), 1);
}
END_TEST

START_TEST(test_revoke_unknown_key_is_404)
{
	struct acct	 a;
	struct reply	 r;
	char		 path[200];

	acct_new(&a);
	(void)snprintf(path, sizeof(path), "%s/" NIL_ID, a.keys);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* --- rotate ---------------------------------------------------------- */

START_TEST(test_rotate_keeps_the_prefix_with_a_new_secret)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 old[KEY_LEN + 1];

	acct_new(&a);
	key_new(&a, "rotating", &k);
	(void)snprintf(old, sizeof(old), "%s", k.key);
	key_rotate(&k, "{\"grace_seconds\":3600}", &r);
	ck_assert_str_eq(json_str(r.json, "id"), k.id);
	ck_assert_str_eq(json_str(r.json, "prefix"), k.prefix);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	ck_assert_str_ne(k.key, old);
	ck_assert_int_eq(strncmp(k.key, old, 12), 0);
	ck_assert(is_timestamp(json_str(r.json, "rotated_at")));
	ck_assert(is_timestamp(json_str(r.json, "previous_expires_at")));
	reply_free(&r);
	ck_assert(digest_is(k.id, k.key));
	ck_assert_int_eq(keys_where("id = '%s' AND previous_digest = "
	    "sha256('%s'::bytea)", k.id, old), 1);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_expires_at = "
	    "rotated_at + interval '3600 seconds' AND previous_expires_at "
	    "BETWEEN now() + interval '3540 seconds' AND now() + "
	    "interval '3660 seconds'", k.id), 1);
	/* The new secret is never shown again. */
	api_get(&r, k.path);
	assert_key(r.json, 0);
	ck_assert_ptr_null(strstr(r.body.data, k.key + 12));
	reply_free(&r);
}
END_TEST

START_TEST(test_rotate_defaults_to_a_day_of_grace)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	key_new(&a, "default grace", &k);
	key_rotate(&k, "{}", &r);
	reply_free(&r);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_expires_at = "
	    "rotated_at + interval '86400 seconds'", k.id), 1);
}
END_TEST

START_TEST(test_rotate_grace_bounds_are_accepted)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	key_new(&a, "bounds", &k);
	key_rotate(&k, "{\"grace_seconds\":0}", &r);
	reply_free(&r);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_expires_at = "
	    "rotated_at", k.id), 1);
	key_rotate(&k, "{\"grace_seconds\":604800}", &r);
	reply_free(&r);
	ck_assert_int_eq(keys_where("id = '%s' AND previous_expires_at = "
	    "rotated_at + interval '604800 seconds'", k.id), 1);
}
END_TEST

START_TEST(test_rotate_bad_bodies_are_refused)
{
	struct acct	 a;
	struct made	 k;

	acct_new(&a);
	key_new(&a, "refusing", &k);
	rotate_refused(&k, "{\"grace_seconds\":-1}", 422, "invalid_field",
	    "grace_seconds");
	rotate_refused(&k, "{\"grace_seconds\":604801}", 422, "invalid_field",
	    "grace_seconds");
	rotate_refused(&k, "{\"grace_seconds\":1.5}", 422, "invalid_field",
	    "grace_seconds");
	rotate_refused(&k, "{\"grace_seconds\":\"60\"}", 422, "invalid_field",
	    "grace_seconds");
	rotate_refused(&k, "{\"grace_seconds\":null}", 422, "invalid_field",
	    "grace_seconds");
	rotate_refused(&k, "{\"grace\":60}", 400, "unknown_field", "grace");
	rotate_refused(&k, "{\"name\":\"renamed\"}", 400, "unknown_field",
	    "name");
	rotate_refused(&k, "[]", 400, "invalid_json", NULL);
}
END_TEST

START_TEST(test_rotate_needs_a_json_body)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 path[200];

	acct_new(&a);
	key_new(&a, "bodiless", &k);
	(void)snprintf(path, sizeof(path), "%s/rotate", k.path);
	ck_assert_int_eq(api(&r, "POST", path, NULL), 0);
	assert_error(&r, 415, "unsupported_media_type", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_where("id = '%s' AND rotated_at IS NULL", k.id),
	    1);
}
END_TEST

START_TEST(test_rotate_revoked_key_is_409)
{
	struct acct	 a;
	struct made	 k;

	acct_new(&a);
	key_new(&a, "revoked first", &k);
	key_revoke(&k);
	rotate_refused(&k, "{}", 409, "already_revoked", NULL);
	ck_assert(digest_is(k.id, k.key));
}
END_TEST

START_TEST(test_rotate_unknown_key_is_404)
{
	struct acct	 a;
	struct reply	 r;
	char		 path[200];

	acct_new(&a);
	(void)snprintf(path, sizeof(path), "%s/" NIL_ID "/rotate", a.keys);
	api_post_json(&r, path, "{}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* --- audit, front line ----------------------------------------------- */

/* Audit events of action on target with the request id of r. */
static long long
audit_count(const struct acct *a, const char *action, const char *target,
    const struct reply *r)
{
	char	 sql[800], rid[128];

	ck_assert_int_eq(reply_header(r, "X-Request-Id", rid, sizeof(rid)), 0);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action = '%s' AND target_type = "
	    "'api_key' AND target_id = '%s' AND actor = 'master_key' AND "
	    "actor_role = 'super_admin' AND request_id = '%s'", a->id, action,
	    target, rid);
	return db_count(sql);
}

START_TEST(test_every_write_is_audited)
{
	struct acct	 a;
	struct reply	 r;
	char		 id[UUID_LEN + 1], path[200], sql[300];

	acct_new(&a);
	api_post_json(&r, a.keys, "{\"name\":\"audited\"}");
	ck_assert_int_eq(r.status, 201);
	(void)snprintf(id, sizeof(id), "%s", json_str(r.json, "id"));
	ck_assert_int_eq(audit_count(&a, "api_key.create", id, &r), 1);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/%s/rotate", a.keys, id);
	api_post_json(&r, path, "{}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(audit_count(&a, "api_key.rotate", id, &r), 1);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/%s", a.keys, id);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(audit_count(&a, "api_key.revoke", id, &r), 1);
	reply_free(&r);
	/* A refused write leaves no event. */
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	ck_assert_int_eq(r.status, 409);
	reply_free(&r);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action LIKE 'api_key.%%'", a.id);
	ck_assert_int_eq(db_count(sql), 3);
}
END_TEST

START_TEST(test_missing_credentials_are_401_on_every_route)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 rotate[200];

	acct_new(&a);
	key_new(&a, "guarded", &k);
	(void)snprintf(rotate, sizeof(rotate), "%s/rotate", k.path);
	ck_assert_int_eq(http(&r, "POST", a.keys, "application/json",
	    "{\"name\":\"x\"}", 12, AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", a.keys, NULL, NULL, 0, AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", k.path, NULL, NULL, 0, AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "DELETE", k.path, NULL, NULL, 0, AUTH_NONE),
	    0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "POST", rotate, "application/json", "{}", 2,
	    AUTH_NONE), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 1);
	ck_assert_int_eq(keys_where("id = '%s' AND digest = sha256('%s'::bytea)"
	    " AND revoked_at IS NULL", k.id, k.key), 1);
}
END_TEST

START_TEST(test_wrong_method_is_405_with_allow)
{
	static const struct {
		const char	*method, *suffix, *allow;
	} cases[] = {
		{ "PUT", "/api-keys", "GET, POST" },
		{ "DELETE", "/api-keys", "GET, POST" },
		{ "PATCH", "/api-keys/" NIL_ID, "GET, DELETE" },
		{ "POST", "/api-keys/" NIL_ID, "GET, DELETE" },
		{ "GET", "/api-keys/" NIL_ID "/rotate", "POST" },
		{ "DELETE", "/api-keys/" NIL_ID "/rotate", "POST" },
	};
	struct reply	 r;
	char		 path[200], allow[64];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(path, sizeof(path), "/v1/accounts/" NIL_ID "%s",
		    cases[i].suffix);
		ck_assert_int_eq(api(&r, cases[i].method, path, "{}"), 0);
		assert_error(&r, 405, "method_not_allowed", NULL);
		ck_assert_int_eq(reply_header(&r, "Allow", allow,
		    sizeof(allow)), 0);
		ck_assert_str_eq(allow, cases[i].allow);
		reply_free(&r);
	}
}
END_TEST

/* --- roles: tokens of the identity provider --------------------------- */

/* A token of role for a user of a's organisation (set here). */
static char *
member_token(const struct acct *a, enum test_role role, const char *who)
{
	char	 org[64], email[128];

	unique_slug(org, sizeof(org), "org");
	account_set_org(a->id, org);
	(void)snprintf(email, sizeof(email), "%s-%s@example.com", who, org);
	return user_token(role, org, email);
}

START_TEST(test_account_admin_manages_the_accounts_keys)
{
	struct acct	 a;
	struct reply	 r;
	char		*t, path[200], id[UUID_LEN + 1], sql[300];

	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, "admin");
	ck_assert_int_eq(api_as(&r, t, "POST", a.keys,
	    "{\"name\":\"by an admin\"}"), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	assert_key(r.json, 1);
	ck_assert_str_ne(json_str(r.json, "created_by"), "master_key");
	(void)snprintf(id, sizeof(id), "%s", json_str(r.json, "id"));
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, t, "GET", a.keys, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/%s/rotate", a.keys, id);
	ck_assert_int_eq(api_as(&r, t, "POST", path, "{}"), 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/%s", a.keys, id);
	ck_assert_int_eq(api_as(&r, t, "DELETE", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND actor_role = 'account_admin' AND "
	    "action LIKE 'api_key.%%'", a.id);
	ck_assert_int_eq(db_count(sql), 3);
	free(t);
}
END_TEST

START_TEST(test_end_user_is_403)
{
	struct acct	 a;
	struct reply	 r;
	char		*t;

	acct_new(&a);
	t = member_token(&a, AS_END_USER, "user");
	ck_assert_int_eq(api_as(&r, t, "GET", a.keys, NULL), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, t, "POST", a.keys, "{\"name\":\"no\"}"),
	    0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 0);
	free(t);
}
END_TEST

START_TEST(test_admin_of_another_account_is_404)
{
	struct acct	 a, b;
	struct made	 k;
	struct reply	 r;
	char		*t, path[200];

	acct_new(&a);
	acct_new(&b);
	key_new(&a, "not yours", &k);
	t = member_token(&b, AS_ACCOUNT_ADMIN, "other");
	ck_assert_int_eq(api_as(&r, t, "GET", a.keys, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, t, "POST", a.keys, "{\"name\":\"no\"}"),
	    0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, t, "DELETE", k.path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "%s/rotate", k.path);
	ck_assert_int_eq(api_as(&r, t, "POST", path, "{}"), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(keys_of(&a), 1);
	ck_assert_int_eq(keys_where("id = '%s' AND revoked_at IS NULL AND "
	    "rotated_at IS NULL", k.id), 1);
	free(t);
}
END_TEST

/* --- use: the key as a credential (lib/auth) -------------------------- */

static long
status_as(const char *key, const char *path)
{
	struct reply	 r;
	long		 st;

	ck_assert_int_eq(api_as(&r, key, "GET", path, NULL), 0);
	st = r.status;
	reply_free(&r);
	return st;
}

START_TEST(test_use_key_reaches_its_account)
{
	struct acct	 a;
	struct made	 k;

	acct_new(&a);
	key_new(&a, "user", &k);
	ck_assert_int_eq(status_as(k.key, a.path), 200);
}
END_TEST

START_TEST(test_use_key_of_another_account_is_404)
{
	struct acct	 a, b;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	acct_new(&b);
	key_new(&a, "a's", &k);
	ck_assert_int_eq(api_as(&r, k.key, "GET", b.path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

START_TEST(test_use_unknown_or_mangled_key_is_401)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 bad[KEY_LEN + 2];

	acct_new(&a);
	key_new(&a, "mangled", &k);
	(void)snprintf(bad, sizeof(bad), "%s", k.key);
	bad[KEY_LEN - 1] = bad[KEY_LEN - 1] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(api_as(&r, bad, "GET", a.path, NULL), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	(void)snprintf(bad, sizeof(bad), "%.*s", KEY_LEN - 1, k.key);
	ck_assert_int_eq(status_as(bad, a.path), 401);
	(void)snprintf(bad, sizeof(bad), "%sx", k.key);
	ck_assert_int_eq(status_as(bad, a.path), 401);
}
END_TEST

START_TEST(test_use_old_and_new_key_work_within_the_grace)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 old[KEY_LEN + 1], sql[300];
	PGconn		*c;

	acct_new(&a);
	key_new(&a, "rotated", &k);
	(void)snprintf(old, sizeof(old), "%s", k.key);
	key_rotate(&k, "{\"grace_seconds\":600}", &r);
	reply_free(&r);
	ck_assert_int_eq(status_as(old, a.path), 200);
	ck_assert_int_eq(status_as(k.key, a.path), 200);
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "UPDATE api_keys SET "
	    "previous_expires_at = now() - interval '1 second' WHERE id = '%s'",
	    k.id);
	db_exec(c, sql);
	PQfinish(c);
	ck_assert_int_eq(status_as(old, a.path), 401);
	ck_assert_int_eq(status_as(k.key, a.path), 200);
}
END_TEST

START_TEST(test_use_old_key_stops_at_once_without_grace)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 old[KEY_LEN + 1];

	acct_new(&a);
	key_new(&a, "no grace", &k);
	(void)snprintf(old, sizeof(old), "%s", k.key);
	key_rotate(&k, "{\"grace_seconds\":0}", &r);
	reply_free(&r);
	ck_assert_int_eq(status_as(old, a.path), 401);
	ck_assert_int_eq(status_as(k.key, a.path), 200);
}
END_TEST

START_TEST(test_use_revoked_key_is_401)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;
	char		 old[KEY_LEN + 1];

	acct_new(&a);
	key_new(&a, "revoked", &k);
	ck_assert_int_eq(status_as(k.key, a.path), 200);
	(void)snprintf(old, sizeof(old), "%s", k.key);
	key_rotate(&k, "{\"grace_seconds\":600}", &r);
	reply_free(&r);
	key_revoke(&k);
	ck_assert_int_eq(api_as(&r, k.key, "GET", a.path, NULL), 0);
	assert_unauthorized(&r);
	reply_free(&r);
	ck_assert_int_eq(status_as(old, a.path), 401);
}
END_TEST

/*
 * A key is for the API (the default) or, scoped to SCIM, for the SCIM
 * routes only: refused everywhere else (403), as an unknown scope is.
 */
START_TEST(test_scim_scoped_key_serves_nothing_else)
{
	struct acct	 a;
	struct reply	 r;
	struct made	 k;

	acct_new(&a);
	key_new(&a, "plain", &k);
	ck_assert_int_eq(status_as(k.key, a.path), 200);
	api_post_json(&r, a.keys, "{\"name\":\"provisioner\","
	    "\"scope\":\"scim\"}");
	ck_assert_int_eq(r.status, 201);
	assert_key(r.json, 1);
	ck_assert_str_eq(json_str(r.json, "scope"), "scim");
	(void)snprintf(k.key, sizeof(k.key), "%s", json_str(r.json, "key"));
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, k.key, "GET", a.path, NULL), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	ck_assert_int_eq(status_as(k.key, a.keys), 403);
	api_post_json(&r, a.keys, "{\"name\":\"x\",\"scope\":\"admin\"}");
	assert_error(&r, 422, "invalid_field", "scope");
	reply_free(&r);
}
END_TEST

static int
used(void *arg)
{
	const struct made	*k = arg;

	return keys_where("id = '%s' AND last_used_at IS NOT NULL", k->id) == 1;
}

START_TEST(test_use_sets_last_used_at)
{
	struct acct	 a;
	struct made	 k;
	struct reply	 r;

	acct_new(&a);
	key_new(&a, "used", &k);
	ck_assert(!used(&k));
	ck_assert_int_eq(status_as(k.key, a.path), 200);
	ck_assert_msg(wait_until(used, &k, 3000), "last_used_at still null");
	api_get(&r, k.path);
	ck_assert(is_timestamp(json_str(r.json, "last_used_at")));
	reply_free(&r);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("api_keys");
	TCase	*tc = tcase_create("api");
	TCase	*roles = tcase_create("roles");
	TCase	*use = tcase_create("use");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_create_answers_201_with_the_key);
	tcase_add_test(tc, test_create_shows_the_key_once);
	tcase_add_test(tc, test_create_stores_only_the_sha256_of_the_key);
	tcase_add_test(tc, test_create_draws_a_new_prefix_and_secret_each_time);
	tcase_add_test(tc, test_create_name_rules);
	tcase_add_test(tc, test_create_unknown_fields_are_400);
	tcase_add_test(tc, test_create_body_is_required_json);
	tcase_add_test(tc, test_create_in_unknown_account_is_404);
	tcase_add_test(tc, test_create_stops_at_100_active_keys);
	tcase_add_test(tc, test_create_limit_counts_rows_made_elsewhere);
	tcase_add_test(tc, test_list_pages_2_2_1_in_creation_order);
	tcase_add_test(tc, test_list_never_shows_a_secret);
	tcase_add_test(tc, test_list_of_account_without_keys_is_empty);
	tcase_add_test(tc, test_list_shows_only_the_accounts_keys);
	tcase_add_test(tc, test_list_status_filter);
	tcase_add_test(tc, test_list_bad_parameters_are_400);
	tcase_add_test(tc, test_list_of_unknown_account_is_404);
	tcase_add_test(tc, test_get_answers_the_key);
	tcase_add_test(tc, test_get_unknown_or_malformed_key_is_404);
	tcase_add_test(tc, test_foreign_key_ids_are_404);
	tcase_add_test(tc, test_revoke_answers_200_then_409);
	tcase_add_test(tc, test_revoke_ends_the_grace_of_a_rotated_key);
	tcase_add_test(tc, test_revoke_unknown_key_is_404);
	tcase_add_test(tc, test_rotate_keeps_the_prefix_with_a_new_secret);
	tcase_add_test(tc, test_rotate_defaults_to_a_day_of_grace);
	tcase_add_test(tc, test_rotate_grace_bounds_are_accepted);
	tcase_add_test(tc, test_rotate_bad_bodies_are_refused);
	tcase_add_test(tc, test_rotate_needs_a_json_body);
	tcase_add_test(tc, test_rotate_revoked_key_is_409);
	tcase_add_test(tc, test_rotate_unknown_key_is_404);
	tcase_add_test(tc, test_every_write_is_audited);
	tcase_add_test(tc, test_missing_credentials_are_401_on_every_route);
	tcase_add_test(tc, test_wrong_method_is_405_with_allow);
	suite_add_tcase(s, tc);

	tcase_set_timeout(roles, 120);
	tcase_add_test(roles, test_account_admin_manages_the_accounts_keys);
	tcase_add_test(roles, test_end_user_is_403);
	tcase_add_test(roles, test_admin_of_another_account_is_404);
	suite_add_tcase(s, roles);

	tcase_set_timeout(use, 120);
	tcase_add_test(use, test_use_key_reaches_its_account);
	tcase_add_test(use, test_use_key_of_another_account_is_404);
	tcase_add_test(use, test_use_unknown_or_mangled_key_is_401);
	tcase_add_test(use, test_use_old_and_new_key_work_within_the_grace);
	tcase_add_test(use, test_use_old_key_stops_at_once_without_grace);
	tcase_add_test(use, test_use_revoked_key_is_401);
	tcase_add_test(use, test_scim_scoped_key_serves_nothing_else);
	tcase_add_test(use, test_use_sets_last_used_at);
	suite_add_tcase(s, use);
	return harness_run(s);
}
