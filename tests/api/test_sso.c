/*
 * An account's single sign-on settings, /v1/accounts/{id}/sso: the
 * organisation and the verified domains that account resolution uses,
 * proven by tokens that resolve (or stop resolving) through them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void
sso_path(char *out, size_t len, const char *id)
{
	ck_assert_int_lt(snprintf(out, len, "/v1/accounts/%s/sso", id),
	    (int)len);
}

static void
fresh(char *id, char *slug, size_t len)
{
	unique_slug(slug, len, "sso");
	create_account("Sso", slug, id);
}

/* The account a token of org and email resolves to, or "" when none. */
static void
resolved(const char *org, const char *email, char *out, size_t len)
{
	struct reply	 r;
	char		*t = user_token(AS_END_USER, org, email);
	const cJSON	*a;

	ck_assert_int_eq(api_as(&r, t, "GET", "/v1/me/context", NULL), 0);
	out[0] = '\0';
	if (r.status == 200 && cJSON_IsObject(a = cJSON_GetObjectItem(r.json,
	    "account")))
		(void)snprintf(out, len, "%s", json_str(a, "id"));
	else
		assert_error(&r, 403, "account_unresolved", NULL);
	reply_free(&r);
	free(t);
}

START_TEST(test_sso_starts_empty)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], path[128];

	fresh(id, slug, sizeof(slug));
	sso_path(path, sizeof(path), id);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "auth_org_id")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "domains")), 0);
	reply_free(&r);
}
END_TEST

/* The organisation set here is what a token's organisation resolves by. */
START_TEST(test_sso_org_resolves_users)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], path[128], body[200];
	char		 org[80], email[128], got[UUID_LEN + 1];

	fresh(id, slug, sizeof(slug));
	(void)snprintf(org, sizeof(org), "org-%s", slug);
	(void)snprintf(email, sizeof(email), "a@%s.test", slug);
	resolved(org, email, got, sizeof(got));
	ck_assert_str_eq(got, "");
	sso_path(path, sizeof(path), id);
	(void)snprintf(body, sizeof(body), "{\"auth_org_id\":\"%s\"}", org);
	api_post_json(&r, path, body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "auth_org_id"), org);
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "b@%s.test", slug);
	resolved(org, email, got, sizeof(got));
	ck_assert_str_eq(got, id);
}
END_TEST

/* Domains given replace the others; a verified one resolves by email. */
START_TEST(test_sso_domains_replace_and_resolve)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], path[128], body[300];
	char		 email[128], got[UUID_LEN + 1];
	const cJSON	*d;

	fresh(id, slug, sizeof(slug));
	sso_path(path, sizeof(path), id);
	(void)snprintf(body, sizeof(body), "{\"domains\":[\"%s.example\","
	    "\"mail.%s.example\"]}", slug, slug);
	api_post_json(&r, path, body);
	ck_assert_int_eq(r.status, 200);
	d = cJSON_GetObjectItem(r.json, "domains");
	ck_assert_int_eq(cJSON_GetArraySize(d), 2);
	ck_assert(is_timestamp(json_str(cJSON_GetArrayItem(d, 0),
	    "verified_at")));
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "c@mail.%s.example", slug);
	resolved("org-none", email, got, sizeof(got));
	ck_assert_str_eq(got, id);
	(void)snprintf(body, sizeof(body), "{\"domains\":[\"%s.example\"]}",
	    slug);
	api_post_json(&r, path, body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "domains")), 1);
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "d@mail.%s.example", slug);
	resolved("org-none", email, got, sizeof(got));
	ck_assert_str_eq(got, "");
}
END_TEST

/* An organisation or a verified domain belongs to one account only. */
START_TEST(test_sso_taken_elsewhere_is_409)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], b[UUID_LEN + 1], sa[64], sb[64];
	char		 path[128], body[200];

	fresh(a, sa, sizeof(sa));
	fresh(b, sb, sizeof(sb));
	sso_path(path, sizeof(path), a);
	(void)snprintf(body, sizeof(body), "{\"auth_org_id\":\"org-%s\","
	    "\"domains\":[\"%s.example\"]}", sa, sa);
	api_post_json(&r, path, body);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	sso_path(path, sizeof(path), b);
	(void)snprintf(body, sizeof(body), "{\"auth_org_id\":\"org-%s\"}", sa);
	api_post_json(&r, path, body);
	assert_error(&r, 409, "org_taken", "auth_org_id");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"domains\":[\"%s.example\"]}",
	    sa);
	api_post_json(&r, path, body);
	assert_error(&r, 409, "domain_taken", "domains");
	reply_free(&r);
	api_get(&r, path);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "auth_org_id")));
	reply_free(&r);
}
END_TEST

/* DELETE clears both, audited; the organisation resolves no more. */
START_TEST(test_sso_clear)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], path[128], body[200];
	char		 sql[256], email[128], got[UUID_LEN + 1];

	fresh(id, slug, sizeof(slug));
	sso_path(path, sizeof(path), id);
	(void)snprintf(body, sizeof(body), "{\"auth_org_id\":\"org-%s\","
	    "\"domains\":[\"%s.example\"]}", slug, slug);
	api_post_json(&r, path, body);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "auth_org_id")));
	reply_free(&r);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action LIKE 'account.sso.%%'", id);
	ck_assert_int_eq(db_count(sql), 2);
	(void)snprintf(body, sizeof(body), "org-%s", slug);
	(void)snprintf(email, sizeof(email), "e@%s.example", slug);
	resolved(body, email, got, sizeof(got));
	ck_assert_str_eq(got, "");
}
END_TEST

START_TEST(test_sso_bad_bodies)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], path[128];
	static const char *const bad[] = {
		"{\"domains\":[\"Upper.example\"]}",
		"{\"domains\":[\"nodot\"]}",
		"{\"domains\":[\"-a.example\"]}",
		"{\"domains\":[\"a-.example\"]}",
		"{\"domains\":[\"a..example\"]}",
		"{\"domains\":\"a.example\"}",
		"{\"domains\":[\"a.example\",\"a.example\"]}",
		"{\"auth_org_id\":\"\"}",
		"{\"auth_org_id\":\"has space\"}",
		"{\"auth_org_id\":7}",
		NULL
	};
	size_t		 i;

	fresh(id, slug, sizeof(slug));
	sso_path(path, sizeof(path), id);
	for (i = 0; bad[i] != NULL; i++) {
		api_post_json(&r, path, bad[i]);
		ck_assert_msg(r.status == 422, "%s: %ld", bad[i], r.status);
		assert_error(&r, 422, "invalid_field", strstr(bad[i],
		    "domains") != NULL ? "domains" : "auth_org_id");
		reply_free(&r);
	}
	api_post_json(&r, path, "{}");
	assert_error(&r, 400, "empty_update", NULL);
	reply_free(&r);
	api_post_json(&r, path, "{\"verified\":true}");
	assert_error(&r, 400, "unknown_field", "verified");
	reply_free(&r);
	sso_path(path, sizeof(path), NIL_ID);
	api_post_json(&r, path, "{\"auth_org_id\":\"x\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* An account admin reads its own settings, and changes nothing. */
START_TEST(test_sso_account_admin_reads_only)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], other[UUID_LEN + 1], slug[64];
	char		 slug2[64], path[128], org[80], email[128], *t;

	fresh(id, slug, sizeof(slug));
	fresh(other, slug2, sizeof(slug2));
	(void)snprintf(org, sizeof(org), "org-%s", slug);
	account_set_org(id, org);
	(void)snprintf(email, sizeof(email), "admin@%s.test", slug);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	sso_path(path, sizeof(path), id);
	ck_assert_int_eq(api_as(&r, t, "GET", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "auth_org_id"), org);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, t, "POST", path, "{\"auth_org_id\":\"x\"}"),
	    0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	sso_path(path, sizeof(path), other);
	ck_assert_int_eq(api_as(&r, t, "GET", path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sso");
	TCase	*tc = tcase_create("accounts");

	tcase_add_test(tc, test_sso_starts_empty);
	tcase_add_test(tc, test_sso_org_resolves_users);
	tcase_add_test(tc, test_sso_domains_replace_and_resolve);
	tcase_add_test(tc, test_sso_taken_elsewhere_is_409);
	tcase_add_test(tc, test_sso_clear);
	tcase_add_test(tc, test_sso_bad_bodies);
	tcase_add_test(tc, test_sso_account_admin_reads_only);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
