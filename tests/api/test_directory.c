/*
 * The directory (directory.fcgi): organisations, teams, users and
 * memberships of each product domain, kept apart from the other domain
 * and from other accounts; quotas; pages that stay stable while users
 * are added.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WRITERS		4
#define WRITES_EACH	10

/* An account to work in; the requests act inside it as a super admin. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 slug[64];
};

static void
acct_new(struct acct *a)
{
	unique_slug(a->slug, sizeof(a->slug), "dir");
	create_account("Directory", a->slug, a->id);
}

/* A request in the account; json NULL sends no body. */
static void	call(struct reply *, const struct acct *, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 4, 6)));

static void
call(struct reply *r, const struct acct *a, const char *method,
    const char *fmt, const char *json, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, json);
	(void)vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_in_account(r, a->id, method, path, json);
}

/* POSTs json to path and keeps the new object's id; fails unless 201. */
static void
make(const struct acct *a, const char *path, const char *json, char *id)
{
	struct reply	 r;

	call(&r, a, "POST", "%s", json, path);
	ck_assert_msg(r.status == 201, "POST %s %s: %ld %s", path, json,
	    r.status, r.body.data);
	if (id != NULL)
		(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
}

static void
make_user(const struct acct *a, const char *domain, const char *email,
    const char *name, char *id)
{
	char	 path[64], body[512];

	(void)snprintf(path, sizeof(path), "/v1/%s/users", domain);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\","
	    "\"display_name\":\"%s\"}", email, name);
	make(a, path, body, id);
}

static void
make_team(const struct acct *a, const char *domain, const char *name,
    const char *org, char *id)
{
	char	 path[64], body[512];

	(void)snprintf(path, sizeof(path), "/v1/%s/teams", domain);
	if (org == NULL)
		(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	else
		(void)snprintf(body, sizeof(body), "{\"name\":\"%s\","
		    "\"organisation_id\":\"%s\"}", name, org);
	make(a, path, body, id);
}

/* The id of the account's global Copilot organisation. */
static void
global_org(const struct acct *a, char *id)
{
	struct reply	 r;
	const cJSON	*o;

	call(&r, a, "GET", "/v1/copilot/orgs", NULL);
	ck_assert_int_eq(r.status, 200);
	*id = '\0';
	cJSON_ArrayForEach(o, json_items(&r))
		if (cJSON_IsTrue(cJSON_GetObjectItem(o, "is_global")))
			(void)snprintf(id, UUID_LEN + 1, "%s", json_str(o, "id"));
	reply_free(&r);
	ck_assert_msg(*id != '\0', "no global organisation");
}

/* Organisations: made, renamed, listed; the global one and full ones stay. */
START_TEST(test_organisations)
{
	struct acct	 a;
	struct reply	 r;
	char		 g[UUID_LEN + 1], o[UUID_LEN + 1], t[UUID_LEN + 1];

	acct_new(&a);
	global_org(&a, g);
	make(&a, "/v1/copilot/orgs", "{\"name\":\"Research\","
	    "\"description\":\"R&D\"}", o);
	call(&r, &a, "POST", "/v1/copilot/orgs", "{\"name\":\"research\"}");
	assert_error(&r, 409, "name_taken", "name");
	reply_free(&r);
	/* The same name is free in the other domain. */
	make(&a, "/v1/console/orgs", "{\"name\":\"Research\"}", NULL);
	call(&r, &a, "PATCH", "/v1/copilot/orgs/%s", "{\"name\":\"Labs\"}", o);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "name"), "Labs");
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/orgs?sort=name", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "name"), "Global");
	reply_free(&r);
	call(&r, &a, "DELETE", "/v1/copilot/orgs/%s", NULL, g);
	assert_error(&r, 409, "cannot_delete_global", NULL);
	reply_free(&r);
	make_team(&a, "copilot", "Inside", o, t);
	call(&r, &a, "DELETE", "/v1/copilot/orgs/%s", NULL, o);
	assert_error(&r, 409, "organisation_not_empty", NULL);
	reply_free(&r);
	call(&r, &a, "DELETE", "/v1/copilot/teams/%s", NULL, t);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, &a, "DELETE", "/v1/copilot/orgs/%s", NULL, o);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/orgs/%s", NULL, o);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action "
	    "LIKE 'directory.org.%%'", a.id), 4);
	/* Even the database refuses to drop the global organisation. */
	ck_assert_int_eq(db_count_where("organisations", "id = '%s'", g), 1);
}
END_TEST

/* Teams: in the global organisation by default, moved, renamed. */
START_TEST(test_teams)
{
	struct acct	 a;
	struct reply	 r;
	char		 g[UUID_LEN + 1], o[UUID_LEN + 1], t[UUID_LEN + 1],
			 co[UUID_LEN + 1], body[160];

	acct_new(&a);
	global_org(&a, g);
	make_team(&a, "copilot", "Platform", NULL, t);
	call(&r, &a, "GET", "/v1/copilot/teams/%s", NULL, t);
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "organisation"),
	    "id"), g);
	reply_free(&r);
	call(&r, &a, "POST", "/v1/copilot/teams", "{\"name\":\"platform\"}");
	assert_error(&r, 409, "name_taken", "name");
	reply_free(&r);
	/* Console has no global organisation: its teams name one. */
	call(&r, &a, "POST", "/v1/console/teams", "{\"name\":\"Ops\"}");
	assert_error(&r, 422, "invalid_field", "organisation_id");
	reply_free(&r);
	make(&a, "/v1/console/orgs", "{\"name\":\"Ops\"}", co);
	make_team(&a, "console", "Ops", co, NULL);
	make(&a, "/v1/copilot/orgs", "{\"name\":\"Sales\"}", o);
	/* A Copilot team moves to a Copilot organisation, never a Console one. */
	(void)snprintf(body, sizeof(body), "{\"organisation_id\":\"%s\","
	    "\"description\":\"moved\"}", o);
	call(&r, &a, "PATCH", "/v1/copilot/teams/%s", body, t);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "organisation"),
	    "id"), o);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"organisation_id\":\"%s\"}", co);
	call(&r, &a, "PATCH", "/v1/copilot/teams/%s", body, t);
	assert_error(&r, 422, "invalid_field", "organisation_id");
	reply_free(&r);
	call(&r, &a, "PATCH", "/v1/copilot/teams/%s",
	    "{\"organisation_id\":\"" NIL_ID "\"}", t);
	assert_error(&r, 422, "invalid_field", "organisation_id");
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/teams?organisation_id=%s", NULL, o);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/teams?sort=size", NULL);
	assert_error(&r, 400, "invalid_parameter", "sort");
	reply_free(&r);
	/* In name order, one a page: alpha, Beta, Platform (case aside). */
	make_team(&a, "copilot", "Beta", NULL, NULL);
	make_team(&a, "copilot", "alpha", NULL, NULL);
	{
		static const char *const order[] = { "alpha", "Beta",
		    "Platform" };
		char		 next[1300] = "", p[1500];
		const cJSON	*c;
		int		 k = 0;

		do {
			(void)snprintf(p, sizeof(p), "/v1/copilot/teams?sort=name"
			    "&limit=1%s%s", *next ? "&cursor=" : "", next);
			call(&r, &a, "GET", "%s", NULL, p);
			ck_assert_int_eq(r.status, 200);
			ck_assert_int_lt(k, 3);
			ck_assert_str_eq(json_str(cJSON_GetArrayItem(
			    json_items(&r), 0), "name"), order[k++]);
			c = cJSON_GetObjectItem(r.json, "next_cursor");
			(void)snprintf(next, sizeof(next), "%s",
			    cJSON_IsString(c) ? c->valuestring : "");
			reply_free(&r);
		} while (*next != '\0');
		ck_assert_int_eq(k, 3);
	}
}
END_TEST

/* Users: by id or email; names; deleting deactivates and ends memberships. */
START_TEST(test_users)
{
	struct acct	 a;
	struct reply	 r;
	char		 u[UUID_LEN + 1], t[UUID_LEN + 1], email[128],
			 body[256];

	acct_new(&a);
	(void)snprintf(email, sizeof(email), "Zed@%s.test", a.slug);
	make_user(&a, "copilot", email, "Zed", u);
	(void)snprintf(body, sizeof(body), "{\"email\":\"zed@%s.test\"}",
	    a.slug);
	call(&r, &a, "POST", "/v1/copilot/users", body);
	assert_error(&r, 409, "user_exists", "email");
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/users/zed@%s.test", NULL, a.slug);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "id"), u);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	reply_free(&r);
	call(&r, &a, "PATCH", "/v1/copilot/users/%s",
	    "{\"given_name\":\"Zed\",\"family_name\":\"Zulu\"}", u);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "family_name"), "Zulu");
	reply_free(&r);
	make_team(&a, "copilot", "Zteam", NULL, t);
	(void)snprintf(body, sizeof(body), "{\"users\":[\"%s\"],"
	    "\"role\":\"lead\"}", u);
	call(&r, &a, "POST", "/v1/copilot/teams/%s/members", body, t);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/users/zed@%s.test/teams", NULL, a.slug);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "role"), "lead");
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
	    "team_id"), t);
	reply_free(&r);
	call(&r, &a, "DELETE", "/v1/copilot/users/%s", NULL, u);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "inactive");
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "teams")->valueint, 0);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "id = '%s' AND status = 'inactive'", u),
	    1);
	call(&r, &a, "GET", "/v1/copilot/users/%s/teams", NULL, u);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/console/users/%s/teams", NULL, u);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("team_members", "user_id = '%s'", u), 0);
	call(&r, &a, "GET", "/v1/copilot/users?status=inactive", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);
	call(&r, &a, "PATCH", "/v1/copilot/users/%s", "{\"status\":\"active\"}",
	    u);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/users/nobody@%s.test", NULL, a.slug);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/users/not-a-user", NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &a, "POST", "/v1/copilot/users", "{\"email\":\"x\"}");
	assert_error(&r, 422, "invalid_field", "email");
	reply_free(&r);
	call(&r, &a, "POST", "/v1/copilot/users", "{\"email\":\"a@b.test\","
	    "\"role\":\"account_admin\"}");
	assert_error(&r, 400, "unknown_field", "role");
	reply_free(&r);
}
END_TEST

/* Members: many at once by id or email; all or none; in user id order. */
START_TEST(test_members)
{
	struct acct	 a;
	struct reply	 r;
	char		 t[UUID_LEN + 1], ids[5][UUID_LEN + 1], email[128],
			 body[512], path[256], next[1300] = "";
	const cJSON	*c, *m;
	int		 i, seen = 0;

	acct_new(&a);
	make_team(&a, "copilot", "Crew", NULL, t);
	call(&r, &a, "GET", "/v1/copilot/teams/%s/members", NULL, t);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/teams/" NIL_ID "/members", NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	for (i = 0; i < 5; i++) {
		(void)snprintf(email, sizeof(email), "m%d@%s.test", i, a.slug);
		make_user(&a, "copilot", email, "M", ids[i]);
	}
	(void)snprintf(body, sizeof(body), "{\"users\":[\"%s\",\"%s\","
	    "\"m2@%s.test\",\"ghost@%s.test\"]}", ids[0], ids[1], a.slug,
	    a.slug);
	call(&r, &a, "POST", "/v1/copilot/teams/%s/members", body, t);
	assert_error(&r, 422, "invalid_field", "users");
	ck_assert_ptr_nonnull(strstr(r.body.data, "ghost@"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s'", t), 0);
	(void)snprintf(body, sizeof(body), "{\"users\":[\"%s\",\"%s\","
	    "\"M2@%s.test\",\"m3@%s.test\",\"%s\"]}", ids[0], ids[1], a.slug,
	    a.slug, ids[4]);
	call(&r, &a, "POST", "/v1/copilot/teams/%s/members", body, t);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "added")->valueint, 5);
	reply_free(&r);
	call(&r, &a, "POST", "/v1/copilot/teams/%s/members", body, t);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "added")->valueint, 0);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "unchanged")->valueint, 5);
	reply_free(&r);
	do {
		(void)snprintf(path, sizeof(path), "/v1/copilot/teams/%s/members"
		    "?limit=2%s%s", t, *next ? "&cursor=" : "", next);
		call(&r, &a, "GET", "%s", NULL, path);
		ck_assert_int_eq(r.status, 200);
		cJSON_ArrayForEach(m, json_items(&r))
			seen++;
		c = cJSON_GetObjectItem(r.json, "next_cursor");
		(void)snprintf(next, sizeof(next), "%s", cJSON_IsString(c) ?
		    c->valuestring : "");
		reply_free(&r);
	} while (*next != '\0');
	ck_assert_int_eq(seen, 5);
	call(&r, &a, "PATCH", "/v1/copilot/teams/%s/members/m3@%s.test",
	    "{\"role\":\"lead\"}", t, a.slug);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "role"), "lead");
	reply_free(&r);
	call(&r, &a, "PATCH", "/v1/copilot/teams/%s/members/m3@%s.test",
	    "{\"role\":\"owner\"}", t, a.slug);
	assert_error(&r, 422, "invalid_field", "role");
	reply_free(&r);
	call(&r, &a, "PATCH", "/v1/copilot/teams/%s/members/ghost@%s.test",
	    "{\"role\":\"lead\"}", t, a.slug);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s' AND role = "
	    "'lead'", t), 1);
	call(&r, &a, "DELETE", "/v1/copilot/teams/%s/members/m3@%s.test", NULL,
	    t, a.slug);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, &a, "DELETE", "/v1/copilot/teams/%s/members/m3@%s.test", NULL,
	    t, a.slug);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &a, "POST", "/v1/copilot/teams/%s/members",
	    "{\"users\":[\"m1@x.test\"],\"role\":\"admin\"}", t);
	assert_error(&r, 422, "invalid_field", "role");
	reply_free(&r);
	call(&r, &a, "POST", "/v1/copilot/teams/%s/members", "{\"users\":[]}",
	    t);
	assert_error(&r, 422, "invalid_field", "users");
	reply_free(&r);
	/* Organisations take members the same way, with their own roles. */
	{
		char	 g[UUID_LEN + 1];

		global_org(&a, g);
		(void)snprintf(body, sizeof(body), "{\"users\":[\"%s\"],"
		    "\"role\":\"admin\"}", ids[0]);
		call(&r, &a, "POST", "/v1/copilot/orgs/%s/members", body, g);
		ck_assert_int_eq(r.status, 200);
		reply_free(&r);
		call(&r, &a, "GET", "/v1/copilot/orgs/%s/members", NULL, g);
		ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0),
		    "role"), "admin");
		reply_free(&r);
	}
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'directory.team.member.add'", a.id), 5);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'directory.team.member.update'", a.id), 1);
}
END_TEST

/* The two domains never see each other's entities. */
START_TEST(test_domains_are_apart)
{
	struct acct	 a;
	struct reply	 r;
	char		 u[UUID_LEN + 1], t[UUID_LEN + 1], ct[UUID_LEN + 1],
			 co[UUID_LEN + 1], email[128], body[256];

	acct_new(&a);
	(void)snprintf(email, sizeof(email), "cop@%s.test", a.slug);
	make_user(&a, "copilot", email, "Cop", u);
	make_team(&a, "copilot", "Only copilot", NULL, t);
	call(&r, &a, "GET", "/v1/console/teams/%s", NULL, t);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/console/users/%s", NULL, u);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/console/users", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/console/orgs", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	make(&a, "/v1/console/orgs", "{\"name\":\"Con\"}", co);
	make_team(&a, "console", "Con team", co, ct);
	(void)snprintf(body, sizeof(body), "{\"users\":[\"%s\"]}", u);
	call(&r, &a, "POST", "/v1/console/teams/%s/members", body, ct);
	assert_error(&r, 422, "invalid_field", "users");
	reply_free(&r);
	/* Enrolled in Console too, the same person joins the Console team. */
	make_user(&a, "console", email, "Cop", NULL);
	call(&r, &a, "POST", "/v1/console/teams/%s/members", body, ct);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", a.id), 1);
	/* Leaving Console keeps the person active for Copilot. */
	call(&r, &a, "DELETE", "/v1/console/users/%s", NULL, u);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	call(&r, &a, "GET", "/v1/copilot/users/%s", NULL, u);
	ck_assert_str_eq(json_str(r.json, "status"), "active");
	reply_free(&r);
}
END_TEST

/* Another account's ids are 404; end users 403; platform needs the header. */
START_TEST(test_accounts_and_roles)
{
	struct acct	 a, b;
	struct reply	 r;
	char		 t[UUID_LEN + 1], u[UUID_LEN + 1], org[96], email[128],
			 path[160];
	char		*admin, *user;

	acct_new(&a);
	acct_new(&b);
	make_team(&b, "copilot", "Theirs", NULL, t);
	(void)snprintf(email, sizeof(email), "b@%s.test", b.slug);
	make_user(&b, "copilot", email, "B", u);
	(void)snprintf(org, sizeof(org), "org-%s", a.slug);
	account_set_org(a.id, org);
	(void)snprintf(email, sizeof(email), "admin@%s.test", a.slug);
	admin = user_token(AS_ACCOUNT_ADMIN, org, email);
	(void)snprintf(email, sizeof(email), "user@%s.test", a.slug);
	user = user_token(AS_END_USER, org, email);
	(void)snprintf(path, sizeof(path), "/v1/copilot/teams/%s", t);
	ck_assert(api_as(&r, admin, "GET", path, NULL) == 0);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert(api_as(&r, admin, "DELETE", path, NULL) == 0);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/copilot/users/%s", u);
	ck_assert(api_as(&r, admin, "GET", path, NULL) == 0);
	ck_assert_int_eq(r.status, 404);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("teams", "id = '%s'", t), 1);
	ck_assert(api_as(&r, admin, "GET", "/v1/copilot/teams", NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	/* Their first sign-in put the admin in the Copilot directory. */
	ck_assert_int_eq(db_count_where("users u", "u.account_id = '%s' AND "
	    "lower(u.email) = 'admin@%s.test' AND EXISTS (SELECT 1 FROM "
	    "domain_users d WHERE d.user_id = u.id AND d.domain = 'copilot')",
	    a.id, a.slug), 1);
	ck_assert(api_as(&r, user, "GET", "/v1/copilot/users", NULL) == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	ck_assert(api_as(&r, user, "POST", "/v1/copilot/teams",
	    "{\"name\":\"Mine\"}") == 0);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	api_get(&r, "/v1/copilot/teams");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
	free(admin);
	free(user);
}
END_TEST

/* The plan's teams and users quotas hold. */
START_TEST(test_quotas)
{
	struct acct	 a;
	struct reply	 r;
	char		 slug[64], body[256], path[128], email[128];

	acct_new(&a);
	unique_slug(slug, sizeof(slug), "dirq");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"Q\","
	    "\"quotas\":{\"teams\":1,\"users\":1}}", slug);
	api_post_json(&r, "/v1/plans", body);
	ck_assert_int_eq(r.status, 201);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack", a.id);
	(void)snprintf(body, sizeof(body), "{\"plan\":\"%s\"}", slug);
	ck_assert(api(&r, "PUT", path, body) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	make_team(&a, "copilot", "One", NULL, NULL);
	call(&r, &a, "POST", "/v1/copilot/teams", "{\"name\":\"Two\"}");
	assert_error(&r, 409, "quota_exceeded", NULL);
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "q1@%s.test", a.slug);
	make_user(&a, "copilot", email, "Q", NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"q2@%s.test\"}", a.slug);
	call(&r, &a, "POST", "/v1/copilot/users", body);
	assert_error(&r, 409, "quota_exceeded", NULL);
	reply_free(&r);
	/* An existing person joins the other domain without a new place. */
	make_user(&a, "console", email, "Q", NULL);
	ck_assert_int_eq(db_count_where("teams", "account_id = '%s'", a.id), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", a.id), 1);
}
END_TEST

struct writer {
	pthread_t		 t;
	const struct acct	*a;
	int			 n;
	int			 failed;
};

static void *
write_users(void *arg)
{
	struct writer	*w = arg;
	struct reply	 r;
	char		 body[160];
	int		 i;

	for (i = 0; i < WRITES_EACH; i++) {
		(void)snprintf(body, sizeof(body), "{\"email\":\"late-%d-%d@%s"
		    ".test\",\"display_name\":\"%c late\"}", w->n, i, w->a->slug,
		    'a' + (i % 26));
		api_in_account(&r, w->a->id, "POST", "/v1/copilot/users", body);
		w->failed += r.status != 201;
		reply_free(&r);
	}
	return NULL;
}

/*
 * Pages walked while users are added: every user there at the start is
 * seen exactly once, in creation order and in name order.
 */
START_TEST(test_pages_stable_under_inserts)
{
	static const char *const sorts[] = { "created", "name" };
	struct acct	 a;
	struct writer	 w[WRITERS];
	struct reply	 r;
	char		 email[128], path[1600], next[1300], seen[40];
	const cJSON	*it, *c;
	size_t		 s;
	int		 i, n, pages;

	acct_new(&a);
	for (i = 0; i < 30; i++) {
		(void)snprintf(email, sizeof(email), "early%02d@%s.test", i,
		    a.slug);
		make_user(&a, "copilot", email, email, NULL);
	}
	for (s = 0; s < sizeof(sorts) / sizeof(sorts[0]); s++) {
		for (i = 0; i < WRITERS; i++) {
			w[i] = (struct writer){ .a = &a, .n = (int)s * WRITERS + i };
			ck_assert_int_eq(pthread_create(&w[i].t, NULL,
			    write_users, &w[i]), 0);
		}
		memset(seen, 0, sizeof(seen));
		*next = '\0';
		pages = 0;
		do {
			(void)snprintf(path, sizeof(path), "/v1/copilot/users?"
			    "sort=%s&limit=4%s%s", sorts[s],
			    *next ? "&cursor=" : "", next);
			call(&r, &a, "GET", "%s", NULL, path);
			ck_assert_int_eq(r.status, 200);
			cJSON_ArrayForEach(it, json_items(&r))
				if (sscanf(json_str(it, "email"), "early%d@",
				    &n) == 1) {
					ck_assert_int_eq(seen[n], 0);
					seen[n] = 1;
				}
			c = cJSON_GetObjectItem(r.json, "next_cursor");
			(void)snprintf(next, sizeof(next), "%s",
			    cJSON_IsString(c) ? c->valuestring : "");
			reply_free(&r);
			pages++;
		} while (*next != '\0' && pages < 100);
		for (i = 0; i < WRITERS; i++) {
			ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
			ck_assert_int_eq(w[i].failed, 0);
		}
		for (i = 0; i < 30; i++)
			ck_assert_msg(seen[i], "%s: early%02d not seen", sorts[s],
			    i);
	}
}
END_TEST

static Suite *
directory_suite(void)
{
	Suite	*s = suite_create("directory");
	TCase	*tc = tcase_create("directory");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_organisations);
	tcase_add_test(tc, test_teams);
	tcase_add_test(tc, test_users);
	tcase_add_test(tc, test_members);
	tcase_add_test(tc, test_domains_are_apart);
	tcase_add_test(tc, test_accounts_and_roles);
	tcase_add_test(tc, test_quotas);
	tcase_add_test(tc, test_pages_stable_under_inserts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(directory_suite());
}
