/*
 * What an account may use: the plan and feature catalogues (plans.fcgi),
 * an account's feature pack, entitlements, effective view and console
 * model policy, and what every account starts with.
 *
 * The catalogues are the platform's, shared with every suite running at
 * the same time: every plan and feature made here carries this run's tag,
 * and no plan made here stays the default with limits on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A new account and its id; its slug into slug. */
static void
fresh(char *id, char *slug, size_t len)
{
	unique_slug(slug, len, "plan");
	create_account("Plans", slug, id);
}

/* POST /v1/plans with json; the plan's id into id when 201. */
static long
make_plan(const char *json, char *id)
{
	struct reply	 r;
	long		 status;

	api_post_json(&r, "/v1/plans", json);
	status = r.status;
	if (status == 201 && id != NULL)
		(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
	return status;
}

static void
make_feature(const char *key, const char *domain, int on)
{
	struct reply	 r;
	char		 body[256];

	(void)snprintf(body, sizeof(body), "{\"key\":\"%s\",\"name\":\"F %s\","
	    "\"product_domain\":\"%s\",\"default_enabled\":%s}", key, key,
	    domain, on ? "true" : "false");
	api_post_json(&r, "/v1/features", body);
	ck_assert_msg(r.status == 201, "POST /v1/features %s: %ld %s", key,
	    r.status, r.body.data);
	reply_free(&r);
}

/* A feature key unique to this run: prefix.<tag>. */
static void
feature_key(char *out, size_t len, const char *prefix)
{
	char	 tag[64];

	unique_slug(tag, sizeof(tag), prefix);
	(void)snprintf(out, len, "%s.x", tag);
}

static void
put_pack(struct reply *r, const char *account, const char *json)
{
	char	 path[128];

	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack",
	    account);
	ck_assert(api(r, "PUT", path, json) == 0);
}

static void
get_pack(struct reply *r, const char *account)
{
	char	 path[128];

	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack",
	    account);
	api_get(r, path);
	ck_assert_int_eq(r->status, 200);
}

/* The feature key's member of a feature pack or entitlement list. */
static const cJSON *
feature_in(const cJSON *list, const char *key)
{
	const cJSON	*f;

	cJSON_ArrayForEach(f, list)
		if (strcmp(json_str(f, "key"), key) == 0)
			return f;
	ck_abort_msg("feature %s is not listed", key);
	return NULL;
}

/* An account starts with its global organisation and Unallocated pool. */
START_TEST(test_new_account_has_its_defaults)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64];
	const cJSON	*q;

	fresh(id, slug, sizeof(slug));
	ck_assert_int_eq(db_count_where("organisations", "account_id = '%s' AND "
	    "domain = 'copilot' AND is_global AND name = 'Global'", id), 1);
	ck_assert_int_eq(db_count_where("credit_pools", "account_id = '%s' AND "
	    "scope_type = 'unallocated' AND scope_id IS NULL", id), 1);
	ck_assert_int_eq(db_count_where("account_subscriptions", "account_id = '%s'",
	    id), 1);
	get_pack(&r, id);
	ck_assert_str_eq(json_str(r.json, "account_id"), id);
	ck_assert(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "product_domains")) == 2);
	q = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "quotas"), "users");
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(cJSON_GetObjectItem(q, "used")->valueint, 0);
	reply_free(&r);
}
END_TEST

/*
 * The defaults come in the account's own transaction: inside it they are
 * there, and rolled back they are gone with it.
 */
START_TEST(test_defaults_share_the_accounts_transaction)
{
	PGconn	*c = db_owner();
	char	 slug[64], sql[512];

	unique_slug(slug, sizeof(slug), "plantx");
	db_exec(c, "BEGIN");
	(void)snprintf(sql, sizeof(sql), "INSERT INTO accounts (name, slug) "
	    "VALUES ('Tx', '%s')", slug);
	db_exec(c, sql);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM organisations o "
	    "JOIN accounts a ON a.id = o.account_id WHERE a.slug = '%s' "
	    "AND o.is_global", slug);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM credit_pools p "
	    "JOIN accounts a ON a.id = p.account_id WHERE a.slug = '%s'", slug);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	db_exec(c, "ROLLBACK");
	PQfinish(c);
	ck_assert_int_eq(db_count("SELECT count(*) FROM organisations o "
	    "WHERE NOT EXISTS (SELECT 1 FROM accounts a "
	    "WHERE a.id = o.account_id)"), 0);
	ck_assert_int_eq(db_count_where("accounts", "slug = '%s'", slug), 0);
}
END_TEST

/* A plan: made, read, listed, changed in part, audited on the platform. */
START_TEST(test_plan_lifecycle)
{
	struct reply	 r;
	char		 slug[64], id[UUID_LEN + 1], fa[80], fb[80], body[512],
			 path[128];
	const cJSON	*q, *f;
	long long	 audited;

	feature_key(fa, sizeof(fa), "pfa");
	feature_key(fb, sizeof(fb), "pfb");
	make_feature(fa, "copilot", 0);
	make_feature(fb, "console", 0);
	unique_slug(slug, sizeof(slug), "plan");
	audited = db_count_where("audit_events", "account_id IS NULL AND action LIKE "
	    "'plan.%%'");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"Team\","
	    "\"description\":\"For teams\",\"quotas\":{\"users\":25,\"teams\":5,"
	    "\"credits_per_cycle\":\"1500.25\"},\"features\":[\"%s\"]}", slug,
	    fa);
	api_post_json(&r, "/v1/plans", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	(void)snprintf(id, sizeof(id), "%s", json_str(r.json, "id"));
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	q = cJSON_GetObjectItem(r.json, "quotas");
	ck_assert_int_eq(cJSON_GetObjectItem(q, "users")->valueint, 25);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(q, "agents")));
	ck_assert_str_eq(json_str(q, "credits_per_cycle"), "1500.25");
	f = cJSON_GetObjectItem(r.json, "features");
	ck_assert_int_eq(cJSON_GetArraySize(f), 1);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "accounts")->valueint, 0);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("plans", "id = '%s' AND credits_per_cycle = "
	    "1500250000", id), 1);

	/* Only the quotas given change; the feature list replaces. */
	(void)snprintf(path, sizeof(path), "/v1/plans/%s", id);
	(void)snprintf(body, sizeof(body), "{\"quotas\":{\"users\":null,"
	    "\"agents\":3},\"features\":[\"%s\"]}", fb);
	api_patch_json(&r, path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	q = cJSON_GetObjectItem(r.json, "quotas");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(q, "users")));
	ck_assert_int_eq(cJSON_GetObjectItem(q, "teams")->valueint, 5);
	ck_assert_int_eq(cJSON_GetObjectItem(q, "agents")->valueint, 3);
	ck_assert_str_eq(json_str(q, "credits_per_cycle"), "1500.25");
	f = cJSON_GetObjectItem(r.json, "features");
	ck_assert_int_eq(cJSON_GetArraySize(f), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(f, 0)->valuestring, fb);
	reply_free(&r);

	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "slug"), slug);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/plans?q=%s", slug);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id IS NULL AND action "
	    "LIKE 'plan.%%'"), audited + 2);
}
END_TEST

/* Pages of plans walk the catalogue without repeating one. */
START_TEST(test_plan_pages)
{
	struct reply	 r;
	char		 slug[96], tag[64], body[192], path[256], next[256] = "";
	int		 i, seen = 0;
	const cJSON	*items, *p;

	unique_slug(tag, sizeof(tag), "pg");
	for (i = 0; i < 5; i++) {
		(void)snprintf(slug, sizeof(slug), "%s-%d", tag, i);
		(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\","
		    "\"name\":\"Page %d\"}", slug, i);
		ck_assert_int_eq(make_plan(body, NULL), 201);
	}
	do {
		(void)snprintf(path, sizeof(path), "/v1/plans?q=%s&limit=2%s%s",
		    tag, *next != '\0' ? "&cursor=" : "", next);
		api_get(&r, path);
		ck_assert_int_eq(r.status, 200);
		items = json_items(&r);
		cJSON_ArrayForEach(p, items) {
			(void)snprintf(slug, sizeof(slug), "%s-%d", tag, seen);
			ck_assert_str_eq(json_str(p, "slug"), slug);
			seen++;
		}
		p = cJSON_GetObjectItem(r.json, "next_cursor");
		(void)snprintf(next, sizeof(next), "%s", cJSON_IsString(p) ?
		    p->valuestring : "");
		reply_free(&r);
	} while (*next != '\0');
	ck_assert_int_eq(seen, 5);
}
END_TEST

/* Bad plans are refused, naming the field, and change nothing. */
START_TEST(test_plan_bad_bodies)
{
	static const char *const bad[][3] = {
		{ "\"name\":\"X\",\"price\":1}", "400",
		    "price" },
		{ "}", "422", "name" },
		{ "\"name\":\"X\",\"quotas\":{\"users\":-1}}",
		    "422", "quotas.users" },
		{ "\"name\":\"X\",\"quotas\":{\"users\":1.5}}",
		    "422", "quotas.users" },
		{ "\"name\":\"X\",\"quotas\":{\"seats\":1}}",
		    "400", "quotas.seats" },
		{ "\"name\":\"X\",\"quotas\":"
		    "{\"credits_per_cycle\":1500}}", "422",
		    "quotas.credits_per_cycle" },
		{ "\"name\":\"X\",\"quotas\":"
		    "{\"credits_per_cycle\":\"1e3\"}}", "422",
		    "quotas.credits_per_cycle" },
		{ "\"name\":\"X\",\"quotas\":"
		    "{\"credits_per_cycle\":\"-5\"}}", "422",
		    "quotas.credits_per_cycle" },
		{ "\"name\":\"X\",\"quotas\":[]}", "422",
		    "quotas" },
		{ "\"name\":\"X\",\"features\":"
		    "[\"no.such-feature-here\"]}", "422", "features" },
		{ "\"name\":\"X\",\"status\":\"gone\"}", "422",
		    "status" },
		{ "\"name\":\"X\",\"status\":\"retired\","
		    "\"is_default\":true}", "422", "is_default" },
	};
	struct reply	 r;
	char		 slug[64], body[512];
	long long	 plans = db_count("SELECT count(*) FROM plans"), defaults;
	size_t		 i;

	defaults = db_count("SELECT count(*) FROM plans WHERE is_default");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unique_slug(slug, sizeof(slug), "bad");
		(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\"%s%s",
		    slug, *bad[i][0] == '}' ? "" : ",", bad[i][0]);
		api_post_json(&r, "/v1/plans", body);
		assert_error(&r, atol(bad[i][1]), atol(bad[i][1]) == 400 ?
		    "unknown_field" : "invalid_field", bad[i][2]);
		reply_free(&r);
		ck_assert_int_eq(db_count_where("plans", "slug = '%s'", slug), 0);
	}
	ck_assert_int_ge(db_count("SELECT count(*) FROM plans"), plans);
	ck_assert_int_eq(db_count("SELECT count(*) FROM plans WHERE is_default"),
	    defaults);
}
END_TEST

/* A taken slug is 409; a plan in use cannot go, a retired one stays. */
START_TEST(test_plan_in_use_and_retired)
{
	struct reply	 r;
	char		 slug[64], id[UUID_LEN + 1], acct[UUID_LEN + 1],
			 aslug[64], body[256], path[128];

	unique_slug(slug, sizeof(slug), "use");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"U\"}",
	    slug);
	ck_assert_int_eq(make_plan(body, id), 201);
	ck_assert_int_eq(make_plan(body, NULL), 409);
	fresh(acct, aslug, sizeof(aslug));
	(void)snprintf(body, sizeof(body), "{\"plan\":\"%s\"}", slug);
	put_pack(&r, acct, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/plans/%s", id);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	assert_error(&r, 409, "plan_in_use", NULL);
	reply_free(&r);
	api_patch_json(&r, path, "{\"status\":\"retired\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	/* The account keeps it; no other account may choose it. */
	get_pack(&r, acct);
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "plan"), "slug"),
	    slug);
	reply_free(&r);
	fresh(acct, aslug, sizeof(aslug));
	put_pack(&r, acct, body);
	assert_error(&r, 422, "invalid_field", "plan");
	reply_free(&r);
	put_pack(&r, acct, "{\"plan\":\"no-such-plan-anywhere\"}");
	assert_error(&r, 422, "invalid_field", "plan");
	reply_free(&r);
	/* Unused, it can be deleted. */
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s-2\",\"name\":\"V\"}",
	    slug);
	ck_assert_int_eq(make_plan(body, id), 201);
	(void)snprintf(path, sizeof(path), "/v1/plans/%s", id);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* One default at a time; new accounts get it. */
START_TEST(test_default_plan)
{
	struct reply	 r;
	char		 a[64], b[64], ida[UUID_LEN + 1], idb[UUID_LEN + 1],
			 acct[UUID_LEN + 1], aslug[64], body[256], path[128];

	unique_slug(a, sizeof(a), "defa");
	unique_slug(b, sizeof(b), "defb");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"A\","
	    "\"is_default\":true}", a);
	ck_assert_int_eq(make_plan(body, ida), 201);
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"B\"}",
	    b);
	ck_assert_int_eq(make_plan(body, idb), 201);
	ck_assert_int_eq(db_count("SELECT count(*) FROM plans WHERE "
	    "is_default"), 1);
	fresh(acct, aslug, sizeof(aslug));
	ck_assert_int_eq(db_count_where("account_subscriptions", "account_id = '%s' "
	    "AND plan_id = '%s'", acct, ida), 1);
	(void)snprintf(path, sizeof(path), "/v1/plans/%s", idb);
	api_patch_json(&r, path, "{\"is_default\":true}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("plans", "is_default AND id = '%s'", idb), 1);
	ck_assert_int_eq(db_count("SELECT count(*) FROM plans WHERE "
	    "is_default"), 1);
	api_patch_json(&r, path, "{\"is_default\":false}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count("SELECT count(*) FROM plans WHERE "
	    "is_default"), 0);
}
END_TEST

/* The feature catalogue: made, listed, changed, deleted; bad keys. */
START_TEST(test_features)
{
	struct reply	 r;
	char		 key[80], path[160];
	const cJSON	*f;
	int		 found = 0;

	feature_key(key, sizeof(key), "feat");
	make_feature(key, "copilot", 1);
	api_get(&r, "/v1/features?product_domain=copilot");
	ck_assert_int_eq(r.status, 200);
	cJSON_ArrayForEach(f, json_items(&r)) {
		ck_assert_str_eq(json_str(f, "product_domain"), "copilot");
		found += strcmp(json_str(f, "key"), key) == 0;
	}
	ck_assert_int_eq(found, 1);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/features/%s", key);
	api_patch_json(&r, path, "{\"name\":\"Renamed\",\"default_enabled\":"
	    "false}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "name"), "Renamed");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "default_enabled")));
	reply_free(&r);
	api_post_json(&r, "/v1/features", "{\"key\":\"entitlements\","
	    "\"name\":\"X\",\"product_domain\":\"copilot\"}");
	assert_error(&r, 422, "invalid_field", "key");
	reply_free(&r);
	api_post_json(&r, "/v1/features", "{\"key\":\"Bad Key\",\"name\":\"X\","
	    "\"product_domain\":\"copilot\"}");
	assert_error(&r, 422, "invalid_field", "key");
	reply_free(&r);
	api_post_json(&r, "/v1/features", "{\"key\":\"ok.key\",\"name\":\"X\","
	    "\"product_domain\":\"mobile\"}");
	assert_error(&r, 422, "invalid_field", "product_domain");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "{\"key\":\"%s\",\"name\":\"X\","
	    "\"product_domain\":\"copilot\"}", key);
	api_post_json(&r, "/v1/features", path);
	assert_error(&r, 409, "key_taken", "key");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/features/%s", key);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("features", "key = '%s'", key), 0);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/*
 * Override, then plan, then default decide a feature; a product domain
 * the account does not use turns its features off.
 */
START_TEST(test_entitlements_resolve)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], aslug[64], plan[64], on[80],
			 off[80], dflt[80], body[512], path[160];
	const cJSON	*items;

	feature_key(on, sizeof(on), "ent-on");
	feature_key(off, sizeof(off), "ent-off");
	feature_key(dflt, sizeof(dflt), "ent-dflt");
	make_feature(on, "copilot", 0);
	make_feature(off, "copilot", 1);
	make_feature(dflt, "console", 1);
	fresh(acct, aslug, sizeof(aslug));
	put_pack(&r, acct, "{\"plan\":null}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(path, sizeof(path),
	    "/v1/features/entitlements?account_id=%s", acct);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	items = json_items(&r);
	ck_assert_str_eq(json_str(feature_in(items, dflt), "source"),
	    "default");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(feature_in(items, dflt),
	    "enabled")));
	reply_free(&r);

	/* On a plan that lists only `on`, `off` is off although on by
	 * default; an override turns it on again. */
	unique_slug(plan, sizeof(plan), "ent");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"E\","
	    "\"features\":[\"%s\"]}", plan, on);
	ck_assert_int_eq(make_plan(body, NULL), 201);
	(void)snprintf(body, sizeof(body), "{\"plan\":\"%s\"}", plan);
	put_pack(&r, acct, body);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\",\"feature\":"
	    "\"%s\",\"enabled\":true}", acct, off);
	api_post_json(&r, "/v1/features/entitlements", body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	items = json_items(&r);
	ck_assert_str_eq(json_str(feature_in(items, on), "source"), "plan");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(feature_in(items, on),
	    "enabled")));
	ck_assert_str_eq(json_str(feature_in(items, off), "source"),
	    "override");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(feature_in(items, off),
	    "enabled")));
	ck_assert_str_eq(json_str(feature_in(items, dflt), "source"), "plan");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(feature_in(items, dflt),
	    "enabled")));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'account.entitlement.set' AND target_id = '%s'", acct, off), 1);

	/* Without Copilot, Copilot's features are off whatever else says. */
	put_pack(&r, acct, "{\"product_domains\":[\"console\"]}");
	ck_assert_int_eq(r.status, 200);
	items = cJSON_GetObjectItem(r.json, "features");
	ck_assert_str_eq(json_str(feature_in(items, off), "source"),
	    "product_domain");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(feature_in(items, off),
	    "enabled")));
	reply_free(&r);

	/* Clearing the override goes back to the plan. */
	put_pack(&r, acct, "{\"product_domains\":[\"copilot\",\"console\"]}");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\",\"feature\":"
	    "\"%s\",\"enabled\":null}", acct, off);
	api_post_json(&r, "/v1/features/entitlements", body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(feature_in(json_items(&r), off), "source"),
	    "plan");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("account_entitlements", "account_id = '%s'",
	    acct), 0);
}
END_TEST

/* Entitlement writes: bad bodies, unknown account or feature. */
START_TEST(test_entitlement_bad_writes)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], aslug[64], key[80], body[256];

	fresh(acct, aslug, sizeof(aslug));
	feature_key(key, sizeof(key), "entbad");
	make_feature(key, "copilot", 0);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\",\"feature\":"
	    "\"%s\"}", acct, key);
	api_post_json(&r, "/v1/features/entitlements", body);
	assert_error(&r, 422, "invalid_field", "enabled");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\",\"feature\":"
	    "\"%s\",\"enabled\":\"yes\"}", acct, key);
	api_post_json(&r, "/v1/features/entitlements", body);
	assert_error(&r, 422, "invalid_field", "enabled");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\",\"feature\":"
	    "\"no.such-feature\",\"enabled\":true}", acct);
	api_post_json(&r, "/v1/features/entitlements", body);
	assert_error(&r, 404, "not_found", "feature");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"account_id\":\"" NIL_ID "\","
	    "\"feature\":\"%s\",\"enabled\":true}", key);
	api_post_json(&r, "/v1/features/entitlements", body);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("account_entitlements", "account_id = '%s'",
	    acct), 0);
	/* A super admin reading must name the account. */
	api_get(&r, "/v1/features/entitlements");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
}
END_TEST

/*
 * Account admins read their own account's pack and entitlements, never
 * another's, and change neither; any principal of the account reads the
 * effective view.
 */
START_TEST(test_account_principals)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], other[UUID_LEN + 1], aslug[64],
			 oslug[64], org[96], email[160], path[160];
	char		*admin, *user;

	fresh(acct, aslug, sizeof(aslug));
	fresh(other, oslug, sizeof(oslug));
	(void)snprintf(org, sizeof(org), "org-%s", aslug);
	account_set_org(acct, org);
	(void)snprintf(email, sizeof(email), "admin@%s.test", aslug);
	admin = user_token(AS_ACCOUNT_ADMIN, org, email);
	(void)snprintf(email, sizeof(email), "user@%s.test", aslug);
	user = user_token(AS_END_USER, org, email);

	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack", acct);
	ck_assert(api_as(&r, admin, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert(api_as(&r, admin, "PUT", path, "{\"plan\":null}") == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	ck_assert(api_as(&r, user, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack",
	    other);
	ck_assert(api_as(&r, admin, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);

	/* ?account_id= of another account does not move an admin there. */
	(void)snprintf(path, sizeof(path),
	    "/v1/features/entitlements?account_id=%s", other);
	ck_assert(api_as(&r, admin, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "account_id"), acct);
	reply_free(&r);
	ck_assert(api_as(&r, admin, "POST", "/v1/features/entitlements",
	    "{}") == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);

	ck_assert(api_as(&r, user, "GET", "/v1/features/effective", NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "account_id"), acct);
	ck_assert(cJSON_IsObject(cJSON_GetObjectItem(r.json, "features")));
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json,
	    "console_model_policy"), "mode"), "open");
	reply_free(&r);
	ck_assert(api_as(&r, user, "GET", "/v1/plans", NULL) == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	free(admin);
	free(user);
}
END_TEST

/* The feature pack's product domains are what /v1/me/context allows. */
START_TEST(test_context_follows_the_product_domains)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], aslug[64], org[96], email[160];
	const cJSON	*d;
	char		*user;

	fresh(acct, aslug, sizeof(aslug));
	(void)snprintf(org, sizeof(org), "org-%s", aslug);
	account_set_org(acct, org);
	(void)snprintf(email, sizeof(email), "ctx@%s.test", aslug);
	user = user_token(AS_END_USER, org, email);
	ck_assert(api_as(&r, user, "GET", "/v1/me/context", NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	d = cJSON_GetObjectItem(r.json, "product_domains_allowed");
	ck_assert_int_eq(cJSON_GetArraySize(d), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(d, 0)->valuestring, "console");
	reply_free(&r);
	put_pack(&r, acct, "{\"product_domains\":[\"copilot\"]}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert(api_as(&r, user, "GET", "/v1/me/context", NULL) == 0);
	d = cJSON_GetObjectItem(r.json, "product_domains_allowed");
	ck_assert_int_eq(cJSON_GetArraySize(d), 1);
	ck_assert_str_eq(cJSON_GetArrayItem(d, 0)->valuestring, "copilot");
	reply_free(&r);
	free(user);
}
END_TEST

/* A super admin's effective view needs X-Account-Id. */
START_TEST(test_effective_for_a_super_admin)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], aslug[64];

	fresh(acct, aslug, sizeof(aslug));
	api_get(&r, "/v1/features/effective");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
	api_in_account(&r, acct, "GET", "/v1/features/effective", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "account_id"), acct);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "quotas"), "connections"));
	reply_free(&r);
	api_in_account(&r, acct, "GET", "/v1/features/entitlements", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "account_id"), acct);
	reply_free(&r);
}
END_TEST

/* The console model policy: open until set; allow_list needs providers. */
START_TEST(test_console_model_policy)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], aslug[64], path[160];

	fresh(acct, aslug, sizeof(aslug));
	(void)snprintf(path, sizeof(path),
	    "/v1/accounts/%s/console-model-policy", acct);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "mode"), "open");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "updated_at")));
	reply_free(&r);
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"allow_list\"}") == 0);
	assert_error(&r, 422, "invalid_field", "allowed_providers");
	reply_free(&r);
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"open\","
	    "\"allowed_providers\":[\"openai\"]}") == 0);
	assert_error(&r, 422, "invalid_field", "allowed_providers");
	reply_free(&r);
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"sometimes\"}") == 0);
	assert_error(&r, 422, "invalid_field", "mode");
	reply_free(&r);
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"allow_list\","
	    "\"allowed_providers\":[\"Open AI\"]}") == 0);
	assert_error(&r, 422, "invalid_field", "allowed_providers");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("console_model_policies", "account_id = '%s'",
	    acct), 0);
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"allow_list\","
	    "\"allowed_providers\":[\"openai\",\"azure-openai\"]}") == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "allowed_providers")), 2);
	reply_free(&r);
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"disabled\"}") == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "allowed_providers")), 0);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'account.console_model_policy.update'", acct), 2);
	(void)snprintf(path, sizeof(path),
	    "/v1/accounts/" NIL_ID "/console-model-policy");
	ck_assert(api(&r, "PUT", path, "{\"mode\":\"open\"}") == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* Feature pack writes: empty, unknown members, bad domains. */
START_TEST(test_feature_pack_bad_bodies)
{
	struct reply	 r;
	char		 acct[UUID_LEN + 1], aslug[64];

	fresh(acct, aslug, sizeof(aslug));
	put_pack(&r, acct, "{}");
	assert_error(&r, 400, "empty_update", NULL);
	reply_free(&r);
	put_pack(&r, acct, "{\"tier\":\"gold\"}");
	assert_error(&r, 400, "unknown_field", "tier");
	reply_free(&r);
	put_pack(&r, acct, "{\"product_domains\":[\"mobile\"]}");
	assert_error(&r, 422, "invalid_field", "product_domains");
	reply_free(&r);
	put_pack(&r, acct, "{\"product_domains\":[]}");
	assert_error(&r, 422, "invalid_field", "product_domains");
	reply_free(&r);
	put_pack(&r, acct, "{\"plan\":5}");
	assert_error(&r, 422, "invalid_field", "plan");
	reply_free(&r);
	put_pack(&r, NIL_ID, "{\"plan\":null}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'account.feature_pack.update'", acct), 0);
}
END_TEST

static Suite *
plans_suite(void)
{
	Suite	*s = suite_create("plans");
	TCase	*tc = tcase_create("plans");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_new_account_has_its_defaults);
	tcase_add_test(tc, test_defaults_share_the_accounts_transaction);
	tcase_add_test(tc, test_plan_lifecycle);
	tcase_add_test(tc, test_plan_pages);
	tcase_add_test(tc, test_plan_bad_bodies);
	tcase_add_test(tc, test_plan_in_use_and_retired);
	tcase_add_test(tc, test_default_plan);
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_entitlements_resolve);
	tcase_add_test(tc, test_entitlement_bad_writes);
	tcase_add_test(tc, test_account_principals);
	tcase_add_test(tc, test_context_follows_the_product_domains);
	tcase_add_test(tc, test_effective_for_a_super_admin);
	tcase_add_test(tc, test_console_model_policy);
	tcase_add_test(tc, test_feature_pack_bad_bodies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(plans_suite());
}
