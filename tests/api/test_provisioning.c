/*
 * Zitadel provisioning (provisioning.fcgi) against the test identity
 * provider's management API (tests/idp/mgmt.mjs), which keeps the
 * projects, roles and user grants of each organisation and counts the
 * requests that could change them: the settings, every route's steps,
 * dry runs that change nothing (neither in Zitadel nor in the database),
 * runs that find nothing left to do, a Zitadel that fails in every way
 * it can, the roles, and a program run by hand without the management
 * API's configuration, or with a token of its own.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define ADMIN_ROLE	"cockpit-account-admin"
#define USER_ROLE	"cockpit-user"
#define CLIENT_SECRET	"cockpit-provisioner-secret"

/* An account set up for provisioning: its organisation and project. */
struct world {
	char	 id[UUID_LEN + 1];
	char	 slug[64];
	char	 org[96];
	char	 project[96];
	char	 path[160];	/* /v1/accounts/ID/zitadel */
};

/* POST /test/mgmt with body; the state it answers, in r. */
static void
idp_mgmt(struct reply *r, const char *body)
{
	ck_assert_int_eq(http_at(r, env("COCKPIT_TEST_IDP"), "POST",
	    "/test/mgmt", "application/json", body, strlen(body), AUTH_NONE),
	    0);
	ck_assert_msg(r->status == 200, "/test/mgmt: %ld %s", r->status,
	    r->body.data);
}

/* GET /test/mgmt?org_id=org into r. */
static void
idp_state(struct reply *r, const char *org)
{
	char	 path[256];

	(void)snprintf(path, sizeof(path), "/test/mgmt?org_id=%s", org);
	ck_assert_int_eq(http_at(r, env("COCKPIT_TEST_IDP"), "GET", path,
	    NULL, NULL, 0, AUTH_NONE), 0);
	ck_assert_int_eq(r->status, 200);
}

/* A number of the organisation's state ("reads", "writes", ...). */
static long
idp_count(const char *org, const char *name)
{
	struct reply	 r;
	const cJSON	*v;
	long		 n;

	idp_state(&r, org);
	v = cJSON_GetObjectItemCaseSensitive(r.json, name);
	ck_assert(cJSON_IsNumber(v));
	n = (long)v->valuedouble;
	reply_free(&r);
	return n;
}

/* The state's text, to compare before and after. */
static char *
idp_snapshot(const char *org)
{
	struct reply	 r;
	cJSON		*s;
	char		*text;

	idp_state(&r, org);
	ck_assert_ptr_nonnull(s = cJSON_Duplicate(r.json, 1));
	cJSON_DeleteItemFromObject(s, "token_grants");
	cJSON_DeleteItemFromObject(s, "tokens_active");
	cJSON_DeleteItemFromObject(s, "reads");
	ck_assert_ptr_nonnull(text = cJSON_PrintUnformatted(s));
	cJSON_Delete(s);
	reply_free(&r);
	return text;
}

/* The Zitadel id of the test user of that email: zu-<email, @ . as ->. */
static void
zitadel_id(const char *email, char *out, size_t len)
{
	size_t	 i;

	ck_assert_int_lt(snprintf(out, len, "zu-%s", email), (int)len);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == '@' || out[i] == '.')
			out[i] = '-';
}

/* A user of the identity provider in org. */
static void
idp_user(const char *org, const char *email)
{
	struct reply	 r;
	char		 body[512], id[200];

	zitadel_id(email, id, sizeof(id));
	(void)snprintf(body, sizeof(body), "{\"sub\":\"%s\",\"email\":"
	    "\"%s\",\"name\":\"Zitadel user\",\"org_id\":\"%s\",\"roles\":[]}",
	    id, email, org);
	ck_assert_int_eq(http_at(&r, env("COCKPIT_TEST_IDP"), "POST",
	    "/test/users", "application/json", body, strlen(body), AUTH_NONE),
	    0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}

/* The roles of the project in the provider, as "a,b" in key order. */
static void
idp_roles(const char *org, const char *project, char *out, size_t len)
{
	struct reply	 r;
	const cJSON	*p, *roles, *role;
	size_t		 o = 0;

	idp_state(&r, org);
	p = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
	    r.json, "projects"), project);
	ck_assert_msg(cJSON_IsObject(p), "no project %s", project);
	roles = cJSON_GetObjectItemCaseSensitive(p, "roles");
	out[0] = '\0';
	cJSON_ArrayForEach(role, roles) {
		o += (size_t)snprintf(out + o, len - o, "%s%s", o > 0 ? "," :
		    "", json_str(role, "key"));
		ck_assert_uint_lt(o, len);
	}
	reply_free(&r);
}

/* The role keys of the user's grant in the provider ("" without one). */
static void
idp_grant(const char *org, const char *email, char *out, size_t len)
{
	struct reply	 r;
	const cJSON	*g, *k;
	size_t		 o = 0;

	idp_state(&r, org);
	out[0] = '\0';
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(r.json,
	    "grants")) {
		if (strcmp(json_str(g, "email"), email) != 0)
			continue;
		cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(g,
		    "roleKeys")) {
			o += (size_t)snprintf(out + o, len - o, "%s%s",
			    o > 0 ? "," : "", k->valuestring);
			ck_assert_uint_lt(o, len);
		}
	}
	reply_free(&r);
}

/* The account's audit events whose action starts with "zitadel.". */
static long long
audits(const char *account)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action LIKE 'zitadel.%%'", account);
	return db_count(sql);
}

static long long
config_rows(const char *account)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "zitadel_configs WHERE account_id = '%s'", account);
	return db_count(sql);
}

/* An account admin of the account (status active or inactive). */
static void
local_admin(const char *account, const char *email, const char *status,
    const char *role)
{
	PGconn	*c = db_owner();
	char	 sql[512];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, "
	    "email, role, status) VALUES ('%s', '%s', '%s', '%s')", account,
	    email, role, status);
	db_exec(c, sql);
	PQfinish(c);
}

/* path + suffix, e.g. "/provision/plan". */
static void
route(char *out, size_t len, const struct world *w, const char *suffix)
{
	ck_assert_int_lt(snprintf(out, len, "%s%s", w->path, suffix),
	    (int)len);
}

/* The world's account, organisation and project, and its settings. */
static void
world(struct world *w, const char *tag)
{
	struct reply	 r;
	char		 body[512], path[256];

	memset(w, 0, sizeof(*w));
	unique_slug(w->slug, sizeof(w->slug), tag);
	create_account("Provisioning", w->slug, w->id);
	(void)snprintf(w->org, sizeof(w->org), "org-%s", w->slug);
	(void)snprintf(w->project, sizeof(w->project), "proj-%s", w->slug);
	(void)snprintf(w->path, sizeof(w->path), "/v1/accounts/%s/zitadel",
	    w->id);
	account_set_org(w->id, w->org);
	(void)snprintf(body, sizeof(body), "{\"org_id\":\"%s\",\"projects\":"
	    "[{\"id\":\"%s\"}]}", w->org, w->project);
	idp_mgmt(&r, body);
	reply_free(&r);
	route(path, sizeof(path), w, "/config");
	(void)snprintf(body, sizeof(body), "{\"project_id\":\"%s\"}",
	    w->project);
	ck_assert_int_eq(api(&r, "PUT", path, body), 0);
	ck_assert_msg(r.status == 200, "PUT config: %ld %s", r.status,
	    r.body.data);
	reply_free(&r);
}

/* POST suffix with body (master key); the answer in r. */
static void
prov(struct reply *r, const struct world *w, const char *suffix,
    const char *body)
{
	char	 path[256];

	route(path, sizeof(path), w, suffix);
	ck_assert_int_eq(api(r, "POST", path, body), 0);
}

static const cJSON *
steps(const struct reply *r)
{
	const cJSON	*s = cJSON_GetObjectItemCaseSensitive(r->json, "steps");

	ck_assert_msg(cJSON_IsArray(s), "no steps: %ld %s", r->status,
	    r->body.data);
	return s;
}

/* Step i: its target and status. */
static void
assert_step(const struct reply *r, int i, const char *action,
    const char *target, const char *status)
{
	const cJSON	*s = cJSON_GetArrayItem(steps(r), i);

	ck_assert_msg(s != NULL, "no step %d: %s", i, r->body.data);
	ck_assert_str_eq(json_str(s, "action"), action);
	ck_assert_str_eq(json_str(s, "target"), target);
	ck_assert_msg(strcmp(json_str(s, "status"), status) == 0,
	    "step %d is %s, not %s: %s", i, json_str(s, "status"), status,
	    json_str(s, "detail"));
	ck_assert_ptr_nonnull(json_str(s, "detail"));
}

/* A 200 with n steps, all of status. */
static void
assert_all(const struct reply *r, int n, const char *status)
{
	const cJSON	*s;

	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body.data);
	ck_assert_int_eq(cJSON_GetArraySize(steps(r)), n);
	cJSON_ArrayForEach(s, steps(r))
		ck_assert_msg(strcmp(json_str(s, "status"), status) == 0,
		    "%s, not %s: %s", json_str(s, "status"), status,
		    r->body.data);
}

/* The settings start unset, with the defaults and the organisation. */
START_TEST(test_config_starts_unset)
{
	struct reply	 r;
	char		 slug[64], id[UUID_LEN + 1], path[160];

	unique_slug(slug, sizeof(slug), "zcfg");
	create_account("Zitadel config", slug, id);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/zitadel/config",
	    id);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "account_id"), id);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "project_id")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "auth_org_id")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "configured")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json,
	    "management_api_configured")));
	ck_assert_str_eq(json_str(r.json, "admin_role_key"), ADMIN_ROLE);
	ck_assert_str_eq(json_str(r.json, "user_role_key"), USER_ROLE);
	reply_free(&r);
}
END_TEST

/* PUT replaces the settings, audited; GET shows them. */
START_TEST(test_config_put_and_get)
{
	struct reply	 r;
	struct world	 w;
	char		 path[256];

	world(&w, "zput");
	ck_assert_int_eq(audits(w.id), 1);
	route(path, sizeof(path), &w, "/config");
	ck_assert_int_eq(api(&r, "PUT", path, "{\"project_id\":\"p-1\","
	    "\"admin_role_key\":\"tenant.admin\",\"user_role_key\":"
	    "\"tenant:user\"}"), 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "project_id"), "p-1");
	ck_assert_str_eq(json_str(r.json, "admin_role_key"), "tenant.admin");
	ck_assert_str_eq(json_str(r.json, "user_role_key"), "tenant:user");
	ck_assert_str_eq(json_str(r.json, "auth_org_id"), w.org);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "configured")));
	ck_assert(is_timestamp(json_str(r.json, "updated_at")));
	ck_assert_ptr_nonnull(json_str(r.json, "updated_by"));
	reply_free(&r);
	ck_assert_int_eq(audits(w.id), 2);
	/* A PUT replaces: absent role keys are the defaults again. */
	ck_assert_int_eq(api(&r, "PUT", path, "{\"project_id\":\"p-2\"}"), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "project_id"), "p-2");
	ck_assert_str_eq(json_str(r.json, "admin_role_key"), ADMIN_ROLE);
	ck_assert_str_eq(json_str(r.json, "user_role_key"), USER_ROLE);
	reply_free(&r);
	ck_assert_int_eq(config_rows(w.id), 1);
}
END_TEST

/* Bad settings are refused, naming the field, and change nothing. */
START_TEST(test_config_put_refuses_bad_input)
{
	static const struct {
		const char	*body;
		long		 status;
		const char	*code, *field;
	} cases[] = {
		{ "{\"project_id\":\"p\",\"account_id\":\"x\"}", 400,
		    "unknown_field", "account_id" },
		{ "{}", 422, "invalid_field", "project_id" },
		{ "{\"project_id\":\"a/b\"}", 422, "invalid_field",
		    "project_id" },
		{ "{\"project_id\":42}", 422, "invalid_field", "project_id" },
		{ "{\"project_id\":\"p\",\"admin_role_key\":\"a b\"}", 422,
		    "invalid_field", "admin_role_key" },
		{ "{\"project_id\":\"p\",\"user_role_key\":\""
		    ADMIN_ROLE "\"}", 422, "invalid_field", "user_role_key" },
	};
	struct reply	 r;
	char		 slug[64], id[UUID_LEN + 1], path[160];
	size_t		 i;

	unique_slug(slug, sizeof(slug), "zbad");
	create_account("Zitadel bad", slug, id);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/zitadel/config",
	    id);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(api(&r, "PUT", path, cases[i].body), 0);
		assert_error(&r, cases[i].status, cases[i].code,
		    cases[i].field);
		reply_free(&r);
	}
	ck_assert_int_eq(config_rows(id), 0);
	ck_assert_int_eq(audits(id), 0);
	ck_assert_int_eq(api(&r, "PUT", "/v1/accounts/" NIL_ID
	    "/zitadel/config", "{\"project_id\":\"p\"}"), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* Without a project, or an organisation, provisioning says what to do. */
START_TEST(test_not_set_up)
{
	struct reply	 r;
	struct world	 w;
	char		 slug[64], id[UUID_LEN + 1], path[200], sql[256];
	PGconn		*c;

	unique_slug(slug, sizeof(slug), "znot");
	create_account("Zitadel not set up", slug, id);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/zitadel/provision/"
	    "plan", id);
	api_get(&r, path);
	assert_error(&r, 409, "zitadel_not_set_up", NULL);
	ck_assert_ptr_nonnull(strstr(r.body.data, "zitadel/config"));
	reply_free(&r);
	world(&w, "znoorg");
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "UPDATE accounts SET auth_org_id = "
	    "NULL WHERE id = '%s'", w.id);
	db_exec(c, sql);
	PQfinish(c);
	prov(&r, &w, "/provision/sync-roles", "{}");
	assert_error(&r, 409, "zitadel_not_set_up", NULL);
	ck_assert_ptr_nonnull(strstr(r.body.data, "/sso"));
	reply_free(&r);
	ck_assert_int_eq(idp_count(w.org, "writes"), 0);
}
END_TEST

/* sync-roles adds both role keys, audited; again, nothing to do. */
START_TEST(test_sync_roles)
{
	struct reply	 r;
	struct world	 w;
	char		 roles[256];

	world(&w, "zroles");
	prov(&r, &w, "/provision/sync-roles", "{}");
	assert_all(&r, 2, "done");
	assert_step(&r, 0, "project_role", ADMIN_ROLE, "done");
	assert_step(&r, 1, "project_role", USER_ROLE, "done");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "dry_run")));
	ck_assert_str_eq(json_str(r.json, "project_id"), w.project);
	ck_assert_str_eq(json_str(r.json, "org_id"), w.org);
	reply_free(&r);
	idp_roles(w.org, w.project, roles, sizeof(roles));
	ck_assert_str_eq(roles, ADMIN_ROLE "," USER_ROLE);
	ck_assert_int_eq(audits(w.id), 3);
	{
		char	 sql[512];

		(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "audit_events WHERE account_id = '%s' AND action = "
		    "'zitadel.role.add' AND target_type = "
		    "'zitadel_project_role' AND target_id = '%s:" USER_ROLE
		    "' AND after_digest IS NOT NULL", w.id, w.project);
		ck_assert_int_eq(db_count(sql), 1);
	}
	ck_assert_int_eq(idp_count(w.org, "writes"), 2);
	prov(&r, &w, "/provision/sync-roles", "{\"dry_run\":false}");
	assert_all(&r, 2, "unchanged");
	reply_free(&r);
	ck_assert_int_eq(idp_count(w.org, "writes"), 2);
	ck_assert_int_eq(audits(w.id), 3);
}
END_TEST

/* project-role adds one role with its name and group, once. */
START_TEST(test_project_role)
{
	struct reply	 r;
	struct world	 w;
	char		 roles[256];

	world(&w, "zprole");
	prov(&r, &w, "/provision/project-role", "{\"role_key\":\"reviewer\","
	    "\"display_name\":\"Reviewer\",\"group\":\"team\"}");
	assert_all(&r, 1, "done");
	assert_step(&r, 0, "project_role", "reviewer", "done");
	reply_free(&r);
	idp_roles(w.org, w.project, roles, sizeof(roles));
	ck_assert_str_eq(roles, "reviewer");
	prov(&r, &w, "/provision/project-role", "{\"role_key\":\"reviewer\","
	    "\"display_name\":\"Reviewer\"}");
	assert_all(&r, 1, "unchanged");
	reply_free(&r);
	prov(&r, &w, "/provision/project-role", "{\"role_key\":\"x\"}");
	assert_error(&r, 422, "invalid_field", "display_name");
	reply_free(&r);
	prov(&r, &w, "/provision/project-role", "{\"role_key\":\"a b\","
	    "\"display_name\":\"X\"}");
	assert_error(&r, 422, "invalid_field", "role_key");
	reply_free(&r);
	prov(&r, &w, "/provision/project-role", "{\"role_key\":\"x\","
	    "\"display_name\":\"X\",\"dry_run\":\"yes\"}");
	assert_error(&r, 422, "invalid_field", "dry_run");
	reply_free(&r);
	ck_assert_int_eq(audits(w.id), 2);
	ck_assert_int_eq(idp_count(w.org, "writes"), 1);
}
END_TEST

/* user-grant by email: added, widened, then nothing to do. */
START_TEST(test_user_grant_by_email)
{
	struct reply	 r;
	struct world	 w;
	char		 email[160], body[512], keys[256];

	world(&w, "zgrant");
	(void)snprintf(email, sizeof(email), "member@%s.test", w.slug);
	idp_user(w.org, email);
	prov(&r, &w, "/provision/sync-roles", "{}");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"roles\":[\""
	    USER_ROLE "\"]}", email);
	prov(&r, &w, "/provision/user-grant", body);
	assert_all(&r, 1, "done");
	assert_step(&r, 0, "user_grant", email, "done");
	reply_free(&r);
	idp_grant(w.org, email, keys, sizeof(keys));
	ck_assert_str_eq(keys, USER_ROLE);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"roles\":[\""
	    ADMIN_ROLE "\",\"" USER_ROLE "\"]}", email);
	prov(&r, &w, "/provision/user-grant", body);
	assert_all(&r, 1, "done");
	reply_free(&r);
	idp_grant(w.org, email, keys, sizeof(keys));
	ck_assert_str_eq(keys, USER_ROLE "," ADMIN_ROLE);
	prov(&r, &w, "/provision/user-grant", body);
	assert_all(&r, 1, "unchanged");
	reply_free(&r);
	/* Two roles, one grant added, one widened. */
	ck_assert_int_eq(audits(w.id), 1 + 2 + 2);
	{
		char	 sql[512], id[200];

		zitadel_id(email, id, sizeof(id));
		(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "audit_events WHERE account_id = '%s' AND action IN "
		    "('zitadel.grant.add', 'zitadel.grant.update') AND "
		    "target_id = '%s'", w.id, id);
		ck_assert_int_eq(db_count(sql), 2);
	}
}
END_TEST

/* user-grant by Zitadel's user id; and what it refuses. */
START_TEST(test_user_grant_by_id_and_refusals)
{
	static const struct {
		const char	*body, *field;
		long		 status;
	} bad[] = {
		{ "{\"roles\":[\"" USER_ROLE "\"]}", "email", 422 },
		{ "{\"email\":\"a@b.test\",\"user_id\":\"x\",\"roles\":[\""
		    USER_ROLE "\"]}", "email", 422 },
		{ "{\"email\":\"a@b.test\",\"roles\":[]}", "roles", 422 },
		{ "{\"email\":\"a@b.test\"}", "roles", 422 },
		{ "{\"email\":\"not-an-email\",\"roles\":[\"r\"]}", "email",
		    422 },
		{ "{\"user_id\":\"../x\",\"roles\":[\"r\"]}", "user_id", 422 },
		{ "{\"user_id\":\"x\",\"roles\":[\"r\"],\"role\":\"x\"}",
		    "role", 400 },
	};
	struct reply	 r;
	struct world	 w;
	char		 email[160], body[512], keys[256], id[200];
	size_t		 i;

	world(&w, "zgrantid");
	(void)snprintf(email, sizeof(email), "byid@%s.test", w.slug);
	idp_user(w.org, email);
	zitadel_id(email, id, sizeof(id));
	prov(&r, &w, "/provision/sync-roles", "{}");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"roles\":"
	    "[\"" ADMIN_ROLE "\"]}", id);
	prov(&r, &w, "/provision/user-grant", body);
	assert_all(&r, 1, "done");
	reply_free(&r);
	idp_grant(w.org, email, keys, sizeof(keys));
	ck_assert_str_eq(keys, ADMIN_ROLE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		prov(&r, &w, "/provision/user-grant", bad[i].body);
		assert_error(&r, bad[i].status, bad[i].status == 400 ?
		    "unknown_field" : "invalid_field", bad[i].field);
		reply_free(&r);
	}
	/* Users Zitadel does not have, and a role the project lacks. */
	(void)snprintf(body, sizeof(body), "{\"email\":\"ghost@%s.test\","
	    "\"roles\":[\"" USER_ROLE "\"]}", w.slug);
	prov(&r, &w, "/provision/user-grant", body);
	assert_error(&r, 404, "zitadel_user_not_found", "email");
	reply_free(&r);
	prov(&r, &w, "/provision/user-grant", "{\"user_id\":\"123456\","
	    "\"roles\":[\"" USER_ROLE "\"]}");
	assert_error(&r, 404, "zitadel_user_not_found", "user_id");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"roles\":"
	    "[\"no-such-role\"]}", email);
	prov(&r, &w, "/provision/user-grant", body);
	assert_error(&r, 422, "invalid_field", "roles");
	ck_assert_ptr_nonnull(strstr(r.body.data, "no-such-role"));
	reply_free(&r);
	idp_grant(w.org, email, keys, sizeof(keys));
	ck_assert_str_eq(keys, ADMIN_ROLE);
	ck_assert_int_eq(audits(w.id), 1 + 2 + 1);
}
END_TEST

/*
 * sync-admin-grants: each active account admin gets the admin role; one
 * Zitadel does not know is a failed step, and the others go on.
 */
START_TEST(test_sync_admin_grants)
{
	struct reply	 r;
	struct world	 w;
	char		 a[160], b[160], ghost[160], gone[160], user[160],
			 keys[256];

	world(&w, "zadmins");
	(void)snprintf(a, sizeof(a), "a-admin@%s.test", w.slug);
	(void)snprintf(b, sizeof(b), "b-admin@%s.test", w.slug);
	(void)snprintf(ghost, sizeof(ghost), "c-ghost@%s.test", w.slug);
	(void)snprintf(gone, sizeof(gone), "d-gone@%s.test", w.slug);
	(void)snprintf(user, sizeof(user), "e-user@%s.test", w.slug);
	local_admin(w.id, a, "active", "account_admin");
	local_admin(w.id, b, "active", "account_admin");
	local_admin(w.id, ghost, "active", "account_admin");
	local_admin(w.id, gone, "inactive", "account_admin");
	local_admin(w.id, user, "active", "end_user");
	idp_user(w.org, a);
	idp_user(w.org, b);
	idp_user(w.org, gone);
	idp_user(w.org, user);
	prov(&r, &w, "/provision/sync-roles", "{}");
	reply_free(&r);
	prov(&r, &w, "/provision/sync-admin-grants", "{}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(steps(&r)), 3);
	assert_step(&r, 0, "user_grant", a, "done");
	assert_step(&r, 1, "user_grant", b, "done");
	assert_step(&r, 2, "user_grant", ghost, "failed");
	ck_assert_ptr_nonnull(strstr(json_str(cJSON_GetArrayItem(steps(&r), 2),
	    "detail"), "no Zitadel user"));
	ck_assert_int_eq((int)cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "summary"), "failed")->valuedouble, 1);
	reply_free(&r);
	idp_grant(w.org, a, keys, sizeof(keys));
	ck_assert_str_eq(keys, ADMIN_ROLE);
	idp_grant(w.org, gone, keys, sizeof(keys));
	ck_assert_str_eq(keys, "");
	idp_grant(w.org, user, keys, sizeof(keys));
	ck_assert_str_eq(keys, "");
	ck_assert_int_eq(audits(w.id), 1 + 2 + 2);
	prov(&r, &w, "/provision/sync-admin-grants", "{}");
	assert_step(&r, 0, "user_grant", a, "unchanged");
	assert_step(&r, 1, "user_grant", b, "unchanged");
	assert_step(&r, 2, "user_grant", ghost, "failed");
	reply_free(&r);
	ck_assert_int_eq(audits(w.id), 1 + 2 + 2);
}
END_TEST

/* Every write route as a dry run; nothing may change. */
static void
dry_runs(const struct world *w, const char *email)
{
	struct reply	 r;
	char		 body[512], path[256];

	prov(&r, w, "/provision/bootstrap", "{\"dry_run\":true}");
	assert_all(&r, 3, "would_do");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "dry_run")));
	assert_step(&r, 2, "user_grant", email, "would_do");
	reply_free(&r);
	route(path, sizeof(path), w, "/provision/plan");
	api_get(&r, path);
	assert_all(&r, 3, "would_do");
	reply_free(&r);
	prov(&r, w, "/provision/sync-roles", "{\"dry_run\":true}");
	assert_all(&r, 2, "would_do");
	reply_free(&r);
	prov(&r, w, "/provision/sync-admin-grants", "{\"dry_run\":true}");
	assert_all(&r, 1, "would_do");
	reply_free(&r);
	prov(&r, w, "/provision/project-role", "{\"role_key\":\"extra\","
	    "\"display_name\":\"Extra\",\"dry_run\":true}");
	assert_all(&r, 1, "would_do");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"roles\":"
	    "[\"viewer\"],\"dry_run\":true}", email);
	prov(&r, w, "/provision/user-grant", body);
	assert_all(&r, 1, "would_do");
	reply_free(&r);
}

/*
 * Provisioning dry run changes nothing: not Zitadel (no write request
 * reaches it, its state is the same) and not the database (no audit
 * event, the settings the same); then the same routes for real do what
 * the dry run said, and the plan is empty after.
 */
START_TEST(test_provisioning_dry_run_changes_nothing)
{
	struct reply	 r;
	struct world	 w;
	char		 email[160], *before, *after, path[256], body[512];
	long long	 events;
	long		 reads;

	world(&w, "zdry");
	(void)snprintf(body, sizeof(body), "{\"org_id\":\"%s\",\"projects\":"
	    "[{\"id\":\"%s\",\"roles\":[{\"key\":\"viewer\"}]}]}", w.org,
	    w.project);
	idp_mgmt(&r, body);
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "admin@%s.test", w.slug);
	local_admin(w.id, email, "active", "account_admin");
	idp_user(w.org, email);
	before = idp_snapshot(w.org);
	events = db_count("SELECT count(*) FROM audit_events");
	reads = idp_count(w.org, "reads");
	dry_runs(&w, email);
	after = idp_snapshot(w.org);
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(idp_count(w.org, "writes"), 0);
	ck_assert_int_gt(idp_count(w.org, "reads"), reads);
	ck_assert_int_eq(audits(w.id), 1);
	ck_assert_int_eq(db_count("SELECT count(*) FROM audit_events"),
	    events);
	ck_assert_int_eq(config_rows(w.id), 1);
	free(before);
	free(after);
	/* For real: what the dry run said. */
	prov(&r, &w, "/provision/bootstrap", "{}");
	assert_all(&r, 3, "done");
	reply_free(&r);
	ck_assert_int_eq(idp_count(w.org, "writes"), 3);
	ck_assert_int_eq(audits(w.id), 1 + 3);
	route(path, sizeof(path), &w, "/provision/plan");
	api_get(&r, path);
	assert_all(&r, 3, "unchanged");
	reply_free(&r);
}
END_TEST

/* bootstrap twice: the second run finds nothing to do and writes nothing. */
START_TEST(test_bootstrap_is_idempotent)
{
	struct reply	 r;
	struct world	 w;
	char		 email[160], keys[256];

	world(&w, "zboot");
	(void)snprintf(email, sizeof(email), "boot@%s.test", w.slug);
	local_admin(w.id, email, "active", "account_admin");
	idp_user(w.org, email);
	prov(&r, &w, "/provision/bootstrap", "{\"dry_run\":false}");
	assert_all(&r, 3, "done");
	assert_step(&r, 0, "project_role", ADMIN_ROLE, "done");
	assert_step(&r, 1, "project_role", USER_ROLE, "done");
	assert_step(&r, 2, "user_grant", email, "done");
	reply_free(&r);
	idp_grant(w.org, email, keys, sizeof(keys));
	ck_assert_str_eq(keys, ADMIN_ROLE);
	prov(&r, &w, "/provision/bootstrap", "{}");
	assert_all(&r, 3, "unchanged");
	reply_free(&r);
	ck_assert_int_eq(idp_count(w.org, "writes"), 3);
	ck_assert_int_eq(audits(w.id), 1 + 3);
}
END_TEST

/*
 * Zitadel failing: a 500, an answer that is not JSON, one too large, and
 * none in time; each a clear 502 saying so, nothing changed or audited.
 */
START_TEST(test_zitadel_failures)
{
	static const char *const cases[][3] = {
		{ "500", "zitadel_error", "HTTP 500: failing on purpose" },
		{ "garbage", "zitadel_error", "without a JSON object" },
		{ "oversize", "zitadel_error", "larger than" },
		{ "slow", "zitadel_unavailable", "did not answer" },
	};
	struct reply	 r;
	struct world	 w;
	char		 body[256], roles[256];
	size_t		 i;

	world(&w, "zfail");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"org_id\":\"%s\","
		    "\"fail\":\"%s\",\"slow_ms\":15000}", w.org, cases[i][0]);
		idp_mgmt(&r, body);
		reply_free(&r);
		prov(&r, &w, "/provision/bootstrap", "{}");
		assert_error(&r, 502, cases[i][1], NULL);
		ck_assert_msg(strstr(json_str(cJSON_GetObjectItem(r.json,
		    "error"), "message"), cases[i][2]) != NULL, "%s: %s",
		    cases[i][0], r.body.data);
		reply_free(&r);
	}
	(void)snprintf(body, sizeof(body), "{\"org_id\":\"%s\",\"fail\":null}",
	    w.org);
	idp_mgmt(&r, body);
	reply_free(&r);
	idp_roles(w.org, w.project, roles, sizeof(roles));
	ck_assert_str_eq(roles, "");
	ck_assert_int_eq(audits(w.id), 1);
	ck_assert_int_eq(idp_count(w.org, "writes"), 0);
	/* The program recovers. */
	prov(&r, &w, "/provision/sync-roles", "{}");
	assert_all(&r, 2, "done");
	reply_free(&r);
}
END_TEST

/*
 * Zitadel failing after a change: the change stays audited, and the
 * error says so.
 */
START_TEST(test_failure_midway_keeps_what_was_done)
{
	struct reply	 r;
	struct world	 w;
	char		 body[256], roles[256];

	world(&w, "zmid");
	/* Two requests pass (a search, an add), then Zitadel fails. */
	(void)snprintf(body, sizeof(body), "{\"org_id\":\"%s\",\"fail\":"
	    "\"500\",\"fail_after\":2}", w.org);
	idp_mgmt(&r, body);
	reply_free(&r);
	prov(&r, &w, "/provision/sync-roles", "{}");
	assert_error(&r, 502, "zitadel_error", NULL);
	ck_assert_msg(strstr(json_str(cJSON_GetObjectItem(r.json, "error"),
	    "message"), "the 1 change made before stays, audited") != NULL,
	    "%s", r.body.data);
	reply_free(&r);
	idp_roles(w.org, w.project, roles, sizeof(roles));
	ck_assert_str_eq(roles, ADMIN_ROLE);
	(void)snprintf(body, sizeof(body), "{\"org_id\":\"%s\",\"fail\":null}",
	    w.org);
	idp_mgmt(&r, body);
	reply_free(&r);
	ck_assert_int_eq(audits(w.id), 2);
}
END_TEST

/* The client credentials token is kept by each worker, not asked anew. */
START_TEST(test_token_is_cached_and_replaced)
{
	struct reply	 r;
	struct world	 w;
	char		 path[256];
	long		 before, after;
	int		 i;

	world(&w, "ztoken");
	route(path, sizeof(path), &w, "/provision/plan");
	api_get(&r, path);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	before = idp_count(w.org, "token_grants");
	for (i = 0; i < 16; i++) {
		api_get(&r, path);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
	}
	after = idp_count(w.org, "token_grants");
	/* At most one for each of the stack's 4 workers. */
	ck_assert_int_le(after - before, 4);
	/* Revoked tokens: Zitadel's 401, a new token, the call again. */
	idp_mgmt(&r, "{\"revoke_tokens\":true}");
	reply_free(&r);
	api_get(&r, path);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	ck_assert_int_gt(idp_count(w.org, "token_grants"), after);
	ck_assert_int_eq(log_contains("provisioning", CLIENT_SECRET), 0);
}
END_TEST

/*
 * Roles: end users may not; account admins read their own account's
 * settings and plan but change nothing; another account's are not found.
 */
START_TEST(test_roles)
{
	struct reply	 r;
	struct world	 w, other;
	char		 email[160], path[256], *admin, *enduser;

	world(&w, "zrole");
	world(&other, "zrole-other");
	(void)snprintf(email, sizeof(email), "adm@%s.test", w.slug);
	admin = user_token(AS_ACCOUNT_ADMIN, w.org, email);
	(void)snprintf(email, sizeof(email), "usr@%s.test", w.slug);
	enduser = user_token(AS_END_USER, w.org, email);
	route(path, sizeof(path), &w, "/config");
	ck_assert_int_eq(api_as(&r, enduser, "GET", path, NULL), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, admin, "GET", path, NULL), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "project_id"), w.project);
	reply_free(&r);
	ck_assert_int_eq(api_as(&r, admin, "PUT", path,
	    "{\"project_id\":\"mine\"}"), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	route(path, sizeof(path), &w, "/provision/plan");
	ck_assert_int_eq(api_as(&r, admin, "GET", path, NULL), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	assert_step(&r, 0, "project_role", ADMIN_ROLE, "would_do");
	assert_step(&r, 1, "project_role", USER_ROLE, "would_do");
	reply_free(&r);
	route(path, sizeof(path), &w, "/provision/bootstrap");
	ck_assert_int_eq(api_as(&r, admin, "POST", path, "{}"), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	route(path, sizeof(path), &other, "/provision/plan");
	ck_assert_int_eq(api_as(&r, admin, "GET", path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	route(path, sizeof(path), &other, "/config");
	ck_assert_int_eq(api_as(&r, admin, "GET", path, NULL), 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(idp_count(w.org, "writes"), 0);
	ck_assert_int_eq(idp_count(other.org, "writes"), 0);
	free(admin);
	free(enduser);
}
END_TEST

/* ---------------------------------------------- a program run by hand */

static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd, port;

	ck_assert((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* provisioning.fcgi with a configuration of its own (extra lines). */
struct hand {
	pid_t	 pid;
	char	 conf[4096];
	char	 log[4096];
	char	 address[64];
};

static void
hand_start(struct hand *h, const char *extra)
{
	char	 prog[4096];
	FILE	*f;
	int	 fd;

	(void)snprintf(h->conf, sizeof(h->conf), "%s/prov-%ld.conf",
	    env("COCKPIT_STATE_DIR"), (long)getpid());
	(void)snprintf(h->log, sizeof(h->log), "%s/log/prov-hand-%ld.log",
	    env("COCKPIT_STATE_DIR"), (long)getpid());
	ck_assert((f = fopen(h->conf, "w")) != NULL);
	ck_assert_int_ge(fprintf(f, "COCKPIT_DATABASE_URL=\"%s\"\n"
	    "COCKPIT_MASTER_KEY=%s\nZITADEL_ISSUER=%s\n%s",
	    env("COCKPIT_DATABASE_URL"), env("COCKPIT_MASTER_KEY"),
	    env("COCKPIT_TEST_IDP"), extra), 0);
	ck_assert_int_eq(fclose(f), 0);
	(void)snprintf(h->address, sizeof(h->address), "127.0.0.1:%d",
	    free_port());
	(void)snprintf(prog, sizeof(prog), "%s/cgi-bin/provisioning.fcgi",
	    env("COCKPIT_BUILD_DIR"));
	ck_assert((h->pid = fork()) != -1);
	if (h->pid != 0)
		return;
	(void)setpgid(0, 0);
	if ((fd = open(h->log, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1 ||
	    dup2(fd, 2) == -1)
		_exit(127);
	(void)unsetenv("COCKPIT_LISTEN");
	(void)unsetenv("COCKPIT_MASTER_KEY");
	(void)unsetenv("ZITADEL_CLIENT_ID");
	(void)unsetenv("ZITADEL_CLIENT_SECRET");
	(void)unsetenv("ZITADEL_ISSUER");
	execl(prog, prog, "-f", h->conf, "-w", "1", "-l", h->address,
	    (char *)NULL);
	_exit(127);
}

static void
hand_stop(struct hand *h)
{
	int	 status;

	ck_assert_int_eq(kill(h->pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(h->pid, &status, 0), h->pid);
	(void)unlink(h->conf);
}

/*
 * GET path over FastCGI with the master key, until the program listens:
 * the answer's status, its body in body.
 */
static long
hand_get(const struct hand *h, const char *path, struct buf *body)
{
	struct buf	 out = { 0 };
	char		 cmd[8192], chunk[512], *b;
	FILE		*p;
	size_t		 n;
	long		 status = 0;
	int		 i;

	(void)snprintf(cmd, sizeof(cmd), "env -i REQUEST_METHOD=GET "
	    "REQUEST_URI='%s' QUERY_STRING= HTTP_AUTHORIZATION='Bearer %s' "
	    "cgi-fcgi -bind -connect '%s' 2>/dev/null", path,
	    env("COCKPIT_MASTER_KEY"), h->address);
	for (i = 0; i < 50 && status == 0; i++) {
		buf_reset(&out);
		ck_assert((p = popen(cmd, "r")) != NULL);
		while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
			ck_assert_int_eq(buf_append(&out, chunk, n), 0);
		(void)pclose(p);
		if (out.data != NULL && strncmp(out.data, "Status: ", 8) == 0)
			status = strtol(out.data + 8, NULL, 10);
		else
			msleep(100);
	}
	ck_assert_ptr_nonnull(out.data);
	b = strstr(out.data, "\r\n\r\n");
	buf_reset(body);
	ck_assert_int_eq(buf_puts(body, b != NULL ? b + 4 : ""), 0);
	buf_free(&out);
	return status;
}

/*
 * Without the management API's credentials: 503 zitadel_not_configured,
 * and the settings say so. With a token of its own (a personal access
 * token): it works; with a wrong one, Zitadel's 401 is a clear 502. The
 * token never reaches the log.
 */
START_TEST(test_not_configured_or_own_token)
{
	struct hand	 h;
	struct world	 w;
	struct buf	 body = { 0 };
	struct reply	 r;
	char		 path[256], extra[256], pat[64];
	FILE		*f;
	char		 line[4096];

	world(&w, "zhand");
	route(path, sizeof(path), &w, "/provision/plan");
	hand_start(&h, "");
	ck_assert_int_eq(hand_get(&h, path, &body), 503);
	ck_assert_ptr_nonnull(strstr(body.data, "zitadel_not_configured"));
	route(path, sizeof(path), &w, "/config");
	ck_assert_int_eq(hand_get(&h, path, &body), 200);
	ck_assert_ptr_nonnull(strstr(body.data,
	    "\"management_api_configured\":false"));
	hand_stop(&h);

	unique_slug(pat, sizeof(pat), "pat");
	(void)snprintf(extra, sizeof(extra), "{\"pat\":\"%s\"}", pat);
	idp_mgmt(&r, extra);
	reply_free(&r);
	(void)snprintf(extra, sizeof(extra), "ZITADEL_MGMT_API_TOKEN=%s\n",
	    pat);
	hand_start(&h, extra);
	route(path, sizeof(path), &w, "/provision/plan");
	ck_assert_int_eq(hand_get(&h, path, &body), 200);
	ck_assert_ptr_nonnull(strstr(body.data, "would_do"));
	hand_stop(&h);

	hand_start(&h, "ZITADEL_MGMT_API_TOKEN=wrong-token\n");
	ck_assert_int_eq(hand_get(&h, path, &body), 502);
	ck_assert_ptr_nonnull(strstr(body.data, "zitadel_error"));
	ck_assert_ptr_nonnull(strstr(body.data, "HTTP 401"));
	hand_stop(&h);
	buf_free(&body);

	ck_assert((f = fopen(h.log, "r")) != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		ck_assert_ptr_null(strstr(line, pat));
		ck_assert_ptr_null(strstr(line, "wrong-token"));
	}
	(void)fclose(f);
	ck_assert_int_eq(idp_count(w.org, "writes"), 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("provisioning");
	TCase	*tc = tcase_create("zitadel");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_config_starts_unset);
	tcase_add_test(tc, test_config_put_and_get);
	tcase_add_test(tc, test_config_put_refuses_bad_input);
	tcase_add_test(tc, test_not_set_up);
	tcase_add_test(tc, test_sync_roles);
	tcase_add_test(tc, test_project_role);
	tcase_add_test(tc, test_user_grant_by_email);
	tcase_add_test(tc, test_user_grant_by_id_and_refusals);
	tcase_add_test(tc, test_sync_admin_grants);
	tcase_add_test(tc, test_provisioning_dry_run_changes_nothing);
	tcase_add_test(tc, test_bootstrap_is_idempotent);
	tcase_add_test(tc, test_zitadel_failures);
	tcase_add_test(tc, test_failure_midway_keeps_what_was_done);
	tcase_add_test(tc, test_token_is_cached_and_replaced);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_not_configured_or_own_token);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
