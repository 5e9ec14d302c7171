/*
 * An account's admins (accounts.fcgi /v1/accounts/{id}/admins) and the
 * plan's user quota, which adding a new user must respect even when many
 * requests race for the last place.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RACERS		12
#define RACE_LIMIT	5

/* A new account mapped to organisation org-<slug>. */
static void
fresh(char *id, char *slug, size_t len, char *org, size_t olen)
{
	unique_slug(slug, len, "adm");
	create_account("Admins", slug, id);
	(void)snprintf(org, olen, "org-%s", slug);
	account_set_org(id, org);
}

static void
admins_path(char *out, size_t len, const char *account, const char *email)
{
	if (email == NULL)
		(void)snprintf(out, len, "/v1/accounts/%s/admins", account);
	else
		(void)snprintf(out, len, "/v1/accounts/%s/admins/%s", account,
		    email);
}

static long
add_admin(const char *account, const char *email)
{
	struct reply	 r;
	char		 path[160], body[256];
	long		 status;

	admins_path(path, sizeof(path), account, NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	api_post_json(&r, path, body);
	status = r.status;
	reply_free(&r);
	return status;
}

/* A plan limiting users to max, on the account. */
static void
limit_users(const char *account, int max)
{
	struct reply	 r;
	char		 slug[64], body[256], path[128];

	unique_slug(slug, sizeof(slug), "quota");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"Q\","
	    "\"quotas\":{\"users\":%d}}", slug, max);
	api_post_json(&r, "/v1/plans", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack",
	    account);
	(void)snprintf(body, sizeof(body), "{\"plan\":\"%s\"}", slug);
	ck_assert(api(&r, "PUT", path, body) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}

/* A user straight into the database: an end user of the account. */
static void
seed_user(const char *account, const char *email, const char *status)
{
	PGconn	*c = db_owner();
	char	 sql[512];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, email, "
	    "status) VALUES ('%s', '%s', '%s')", account, email, status);
	db_exec(c, sql);
	PQfinish(c);
}

/* Added by email: a new user, pending sign-in, audited. */
START_TEST(test_add_new_admin)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[160], body[256];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "Ada@%s.test", slug);
	admins_path(path, sizeof(path), id, NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\","
	    "\"display_name\":\"Ada Admin\"}", email);
	api_post_json(&r, path, body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "email"), email);
	ck_assert_str_eq(json_str(r.json, "role"), "account_admin");
	ck_assert_str_eq(json_str(r.json, "display_name"), "Ada Admin");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "signed_in")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "last_login_at")));
	ck_assert(is_uuid(json_str(r.json, "user_id")));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND role = "
	    "'account_admin' AND subject IS NULL", id), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'account.admin.add' AND after_digest IS NOT NULL AND "
	    "before_digest IS NULL", id), 1);
}
END_TEST

/* An existing user is promoted (200); adding again changes nothing. */
START_TEST(test_promote_existing_user)
{
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 upper[128];
	size_t		 i;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "bo@%s.test", slug);
	seed_user(id, email, "active");
	for (i = 0; email[i] != '\0'; i++)
		upper[i] = (char)(email[i] >= 'a' && email[i] <= 'z' ?
		    email[i] - 32 : email[i]);
	upper[i] = '\0';
	ck_assert_int_eq(add_admin(id, upper), 200);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND role = "
	    "'account_admin'", id), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 1);
	ck_assert_int_eq(add_admin(id, email), 200);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'account.admin.add'", id), 1);
}
END_TEST

/* The list pages through the admins only, not the end users. */
START_TEST(test_list_admins)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[256], next[200] = "";
	const cJSON	*it, *c;
	int		 i, seen = 0;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	for (i = 0; i < 3; i++) {
		(void)snprintf(email, sizeof(email), "a%d@%s.test", i, slug);
		ck_assert_int_eq(add_admin(id, email), 201);
	}
	(void)snprintf(email, sizeof(email), "end@%s.test", slug);
	seed_user(id, email, "active");
	do {
		(void)snprintf(path, sizeof(path), "/v1/accounts/%s/admins?"
		    "limit=2%s%s", id, *next ? "&cursor=" : "", next);
		api_get(&r, path);
		ck_assert_int_eq(r.status, 200);
		cJSON_ArrayForEach(it, json_items(&r)) {
			(void)snprintf(email, sizeof(email), "a%d@%s.test", seen,
			    slug);
			ck_assert_str_eq(json_str(it, "email"), email);
			seen++;
		}
		c = cJSON_GetObjectItem(r.json, "next_cursor");
		(void)snprintf(next, sizeof(next), "%s", cJSON_IsString(c) ?
		    c->valuestring : "");
		reply_free(&r);
	} while (*next != '\0');
	ck_assert_int_eq(seen, 3);
	admins_path(path, sizeof(path), NIL_ID, NULL);
	api_get(&r, path);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* PATCH changes an admin's name and status; DELETE demotes, never deletes. */
START_TEST(test_update_and_remove)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[200];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "cy@%s.test", slug);
	ck_assert_int_eq(add_admin(id, email), 201);
	admins_path(path, sizeof(path), id, email);
	api_patch_json(&r, path, "{\"display_name\":\"Cy\",\"status\":"
	    "\"inactive\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "inactive");
	ck_assert_str_eq(json_str(r.json, "display_name"), "Cy");
	reply_free(&r);
	api_patch_json(&r, path, "{}");
	assert_error(&r, 400, "empty_update", NULL);
	reply_free(&r);
	api_patch_json(&r, path, "{\"status\":\"gone\"}");
	assert_error(&r, 422, "invalid_field", "status");
	reply_free(&r);
	api_patch_json(&r, path, "{\"role\":\"super_admin\"}");
	assert_error(&r, 400, "unknown_field", "role");
	reply_free(&r);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "role"), "end_user");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND lower(email) = "
	    "lower('%s') AND role = 'end_user'", id, email), 1);
	ck_assert(api(&r, "DELETE", path, NULL) == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	api_patch_json(&r, path, "{\"display_name\":\"X\"}");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action "
	    "IN ('account.admin.add', 'account.admin.update', "
	    "'account.admin.remove')", id), 3);
}
END_TEST

/* Bad bodies are refused, naming the field, and create nobody. */
START_TEST(test_bad_bodies)
{
	static const char *const bad[][3] = {
		{ "{}", "422", "email" },
		{ "{\"email\":\"not-an-email\"}", "422", "email" },
		{ "{\"email\":\"a@b\"}", "422", "email" },
		{ "{\"email\":\"two@@x.test\"}", "422", "email" },
		{ "{\"email\":42}", "422", "email" },
		{ "{\"email\":\"a@x.test\",\"role\":\"super_admin\"}", "400",
		    "role" },
		{ "{\"email\":\"a@x.test\",\"display_name\":\"\"}", "422",
		    "display_name" },
	};
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], path[160];
	size_t		 i;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	admins_path(path, sizeof(path), id, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_post_json(&r, path, bad[i][0]);
		assert_error(&r, atol(bad[i][1]), atol(bad[i][1]) == 400 ?
		    "unknown_field" : "invalid_field", bad[i][2]);
		reply_free(&r);
	}
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 0);
}
END_TEST

/*
 * An account admin manages the admins of their own account, cannot remove
 * themselves, and sees no other account's; an end user sees none.
 */
START_TEST(test_roles)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], other[UUID_LEN + 1],
			 oslug[64], oorg[96], me[128], peer[128], path[200],
			 body[200];
	char		*admin, *user;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	fresh(other, oslug, sizeof(oslug), oorg, sizeof(oorg));
	(void)snprintf(me, sizeof(me), "me@%s.test", slug);
	(void)snprintf(peer, sizeof(peer), "peer@%s.test", slug);
	ck_assert_int_eq(add_admin(id, me), 201);
	admin = user_token(AS_ACCOUNT_ADMIN, org, me);
	user = user_token(AS_END_USER, org, peer);

	admins_path(path, sizeof(path), id, NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"}", peer);
	ck_assert(api_as(&r, admin, "POST", path, body) == 0);
	ck_assert_msg(r.status == 201 || r.status == 200, "%ld", r.status);
	reply_free(&r);
	admins_path(path, sizeof(path), id, me);
	ck_assert(api_as(&r, admin, "DELETE", path, NULL) == 0);
	assert_error(&r, 409, "cannot_remove_self", NULL);
	reply_free(&r);
	admins_path(path, sizeof(path), id, peer);
	ck_assert(api_as(&r, admin, "DELETE", path, NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	admins_path(path, sizeof(path), other, NULL);
	ck_assert(api_as(&r, admin, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	ck_assert(api_as(&r, admin, "POST", path, body) == 0);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", other), 0);

	admins_path(path, sizeof(path), id, NULL);
	ck_assert(api_as(&r, user, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	ck_assert(api_as(&r, user, "POST", path, body) == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	free(admin);
	free(user);
}
END_TEST

/* An admin added by email takes their identity at their first sign-in. */
START_TEST(test_first_sign_in_adopts_the_admin)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[160];
	char		*t;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "dee@%s.test", slug);
	ck_assert_int_eq(add_admin(id, email), 201);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	ck_assert(api_as(&r, t, "GET", "/v1/me/context", NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	free(t);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND subject IS NOT "
	    "NULL AND role = 'account_admin'", id), 1);
	admins_path(path, sizeof(path), id, NULL);
	api_get(&r, path);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    json_items(&r), 0), "signed_in")));
	reply_free(&r);
}
END_TEST

/*
 * The plan's user quota: new users stop at the limit (409), counting
 * only active users; promoting someone already there needs no room.
 */
START_TEST(test_user_quota)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[160];
	int		 i;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	limit_users(id, 2);
	for (i = 0; i < 2; i++) {
		(void)snprintf(email, sizeof(email), "q%d@%s.test", i, slug);
		ck_assert_int_eq(add_admin(id, email), 201);
	}
	admins_path(path, sizeof(path), id, NULL);
	(void)snprintf(email, sizeof(email), "{\"email\":\"q9@%s.test\"}",
	    slug);
	api_post_json(&r, path, email);
	assert_error(&r, 409, "quota_exceeded", NULL);
	ck_assert_ptr_nonnull(strstr(json_str(cJSON_GetObjectItem(r.json,
	    "error"), "message"), "allows 2 users"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 2);

	/* Someone already there (put in past the limit) can be promoted. */
	(void)snprintf(email, sizeof(email), "old@%s.test", slug);
	seed_user(id, email, "active");
	ck_assert_int_eq(add_admin(id, email), 200);

	/* Inactive users leave room. */
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/admins/q0@%s.test",
	    id, slug);
	api_patch_json(&r, path, "{\"status\":\"inactive\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/admins/old@%s.test",
	    id, slug);
	api_patch_json(&r, path, "{\"status\":\"inactive\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "q3@%s.test", slug);
	ck_assert_int_eq(add_admin(id, email), 201);
	(void)snprintf(email, sizeof(email), "q4@%s.test", slug);
	ck_assert_int_eq(add_admin(id, email), 409);

	/* Nor may an inactive admin come back while it is full. */
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/admins/q0@%s.test",
	    id, slug);
	api_patch_json(&r, path, "{\"status\":\"active\"}");
	assert_error(&r, 409, "quota_exceeded", NULL);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/admins/q1@%s.test",
	    id, slug);
	api_patch_json(&r, path, "{\"status\":\"active\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);

	/* The feature pack shows the quota and its use; the effective view,
	 * asked on every request, its limit. */
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack", id);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(r.json, "quotas"), "users"), "limit")->valueint,
	    2);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(r.json, "quotas"), "users"), "used")->valueint,
	    2);
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/features/effective", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(r.json, "quotas"), "users"), "limit")->valueint,
	    2);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(r.json, "quotas"), "users"), "used"));
	reply_free(&r);
}
END_TEST

struct racer {
	pthread_t	 t;
	const char	*account;
	char		 email[128];
	long		 status;
};

static void *
race(void *arg)
{
	struct racer	*w = arg;

	w->status = add_admin(w->account, w->email);
	return NULL;
}

/* Requests racing for the last places: exactly the limit get in. */
START_TEST(test_user_quota_under_concurrency)
{
	struct racer	 w[RACERS];
	char		 id[UUID_LEN + 1], slug[64], org[96];
	int		 i, created = 0, refused = 0;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	limit_users(id, RACE_LIMIT);
	for (i = 0; i < RACERS; i++) {
		w[i].account = id;
		(void)snprintf(w[i].email, sizeof(w[i].email), "r%d@%s.test",
		    i, slug);
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, race, &w[i]),
		    0);
	}
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
		created += w[i].status == 201;
		refused += w[i].status == 409;
	}
	ck_assert_int_eq(created, RACE_LIMIT);
	ck_assert_int_eq(refused, RACERS - RACE_LIMIT);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), RACE_LIMIT);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'account.admin.add'", id), RACE_LIMIT);
}
END_TEST

static Suite *
admins_suite(void)
{
	Suite	*s = suite_create("admins");
	TCase	*tc = tcase_create("admins");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_add_new_admin);
	tcase_add_test(tc, test_promote_existing_user);
	tcase_add_test(tc, test_list_admins);
	tcase_add_test(tc, test_update_and_remove);
	tcase_add_test(tc, test_bad_bodies);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_first_sign_in_adopts_the_admin);
	tcase_add_test(tc, test_user_quota);
	tcase_add_test(tc, test_user_quota_under_concurrency);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(admins_suite());
}
