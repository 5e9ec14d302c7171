/*
 * An account's life: suspension (reversible, audited, locks the account's
 * principals out) and the confirmed hard delete (the account's data goes
 * in one transaction, its audit chain stays).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* A fresh account, its slug and an organisation mapped to it. */
static void
fresh(char *id, char *slug, size_t slen, char *org, size_t olen)
{
	unique_slug(slug, slen, "life");
	create_account("Life", slug, id);
	(void)snprintf(org, olen, "org-%s", slug);
	account_set_org(id, org);
}

static void
post_status(struct reply *r, const char *id, const char *json)
{
	char	 path[128];

	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/status", id);
	api_post_json(r, path, json);
}

static long long
count_for(const char *table, const char *id)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE "
	    "account_id = '%s'", table, id);
	return db_count(sql);
}

static long long
events(const char *id, const char *action)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action = '%s'", id, action);
	return db_count(sql);
}

/* Suspending is audited once, repeating it changes nothing. */
START_TEST(test_suspend_and_activate)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[80];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	post_status(&r, id, "{\"status\":\"suspended\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "suspended");
	reply_free(&r);
	post_status(&r, id, "{\"status\":\"suspended\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(events(id, "account.suspend"), 1);
	post_status(&r, id, "{\"status\":\"active\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	reply_free(&r);
	ck_assert_int_eq(events(id, "account.activate"), 1);
}
END_TEST

/* A suspended account's users are turned away, but may ask who they are. */
START_TEST(test_suspended_account_is_locked_out)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[80], email[128], path[128];
	char		*t;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	post_status(&r, id, "{\"status\":\"suspended\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "admin@%s.test", slug);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	account_path(path, sizeof(path), id);
	ck_assert_int_eq(api_as(&r, t, "GET", path, NULL), 0);
	assert_error(&r, 403, "account_suspended", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/api-keys", id);
	ck_assert_int_eq(api_as(&r, t, "POST", path, "{\"name\":\"x\"}"), 0);
	assert_error(&r, 403, "account_suspended", NULL);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, t, "GET", "/v1/me/context", NULL), 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	free(t);
}
END_TEST

START_TEST(test_status_bad_bodies)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[80];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	post_status(&r, id, "{\"status\":\"deleted\"}");
	assert_error(&r, 422, "invalid_field", "status");
	reply_free(&r);
	post_status(&r, id, "{\"status\":1}");
	assert_error(&r, 422, "invalid_field", "status");
	reply_free(&r);
	post_status(&r, id, "{}");
	assert_error(&r, 422, "invalid_field", "status");
	reply_free(&r);
	post_status(&r, id, "{\"status\":\"active\",\"id\":\"x\"}");
	assert_error(&r, 400, "unknown_field", "id");
	reply_free(&r);
	post_status(&r, NIL_ID, "{\"status\":\"active\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(events(id, "account.suspend"), 0);
}
END_TEST

/* DELETE without confirmation suspends, and keeps everything. */
START_TEST(test_delete_without_confirm_suspends)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[80], path[128];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	account_path(path, sizeof(path), id);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "suspended");
	reply_free(&r);
	ck_assert_int_eq(events(id, "account.suspend"), 1);
	ck_assert_int_eq(events(id, "account.delete"), 0);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}
END_TEST

/* A wrong or empty confirmation is 409 and deletes nothing. */
START_TEST(test_delete_needs_the_slug)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[80], path[200];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s?confirm=%s-x", id,
	    slug);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	assert_error(&r, 409, "confirm_mismatch", "confirm");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s?confirm=", id);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	assert_error(&r, 409, "confirm_mismatch", "confirm");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s?confirm=%s&x=1",
	    id, slug);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	assert_error(&r, 400, "unknown_parameter", "x");
	reply_free(&r);
	account_path(path, sizeof(path), id);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	reply_free(&r);
	ck_assert_int_eq(events(id, "account.delete"), 0);
}
END_TEST

/* The confirmed delete takes the account's data and keeps its chain. */
START_TEST(test_hard_delete)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[80], path[200];
	char		 email[128], sql[256], *t;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "user@%s.test", slug);
	t = user_token(AS_END_USER, org, email);
	ck_assert_int_eq(api_as(&r, t, "GET", "/v1/me/context", NULL), 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/api-keys", id);
	api_post_json(&r, path, "{\"name\":\"doomed\"}");
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	ck_assert_int_eq(count_for("users", id), 1);
	ck_assert_int_eq(count_for("api_keys", id), 1);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s?confirm=%s", id,
	    slug);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "id"), id);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "deleted")));
	reply_free(&r);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM accounts WHERE "
	    "id = '%s'", id);
	ck_assert_int_eq(db_count(sql), 0);
	ck_assert_int_eq(count_for("users", id), 0);
	ck_assert_int_eq(count_for("api_keys", id), 0);
	/* The chain stays, the deletion last. */
	(void)snprintf(sql, sizeof(sql), "SELECT seq FROM audit_events WHERE "
	    "account_id = '%s' AND action = 'account.delete'", id);
	ck_assert_int_eq(db_count(sql), count_for("audit_events", id));
	ck_assert_int_ge(count_for("audit_events", id), 4);
	account_path(path, sizeof(path), id);
	api_get(&r, path);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s?confirm=%s", id,
	    slug);
	ck_assert_int_eq(api(&r, "DELETE", path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	/* Its users' tokens no longer resolve. */
	ck_assert_int_eq(api_as(&r, t, "GET", "/v1/me/context", NULL), 0);
	ck_assert_int_ne(r.status, 200);
	reply_free(&r);
	free(t);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("lifecycle");
	TCase	*tc = tcase_create("accounts");

	tcase_add_test(tc, test_suspend_and_activate);
	tcase_add_test(tc, test_suspended_account_is_locked_out);
	tcase_add_test(tc, test_status_bad_bodies);
	tcase_add_test(tc, test_delete_without_confirm_suspends);
	tcase_add_test(tc, test_delete_needs_the_slug);
	tcase_add_test(tc, test_hard_delete);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
