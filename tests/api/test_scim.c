/*
 * scim.fcgi (/scim/v2): SCIM 2.0 provisioning as Okta and Entra do it,
 * in their request shapes; errors in SCIM's shape, the front line's
 * included; account isolation; the plan's user and team quotas;
 * deprovisioning; pagination; discovery; the audit trail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define USER_URN	"urn:ietf:params:scim:schemas:core:2.0:User"
#define GROUP_URN	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define ENTERPRISE_URN	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define LIST_URN	"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define PATCH_URN	"urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define ERROR_URN	"urn:ietf:params:scim:api:messages:2.0:Error"

#define SCIM_CT		"application/scim+json"

/* An account with a SCIM key. */
struct tenant {
	char	 id[UUID_LEN + 1];
	char	 slug[64];
	char	 key[128];
	char	 auth[160];
};

/* A key of the account with the scope given ("scim" or "api"). */
static void
key_of(const char *account, const char *scope, char *out, size_t len)
{
	struct reply	 r;
	char		 path[128], body[128];

	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/api-keys", account);
	(void)snprintf(body, sizeof(body), "{\"name\":\"%s key\","
	    "\"scope\":\"%s\"}", scope, scope);
	api_post_json(&r, path, body);
	ck_assert_msg(r.status == 201, "key: %ld %s", r.status, r.body.data);
	(void)snprintf(out, len, "%s", json_str(r.json, "key"));
	reply_free(&r);
}

static void
tenant_new(struct tenant *t, const char *prefix)
{
	unique_slug(t->slug, sizeof(t->slug), prefix);
	create_account("SCIM", t->slug, t->id);
	key_of(t->id, "scim", t->key, sizeof(t->key));
	bearer(t->auth, sizeof(t->auth), t->key);
}

/* A SCIM request with the tenant's key; body sent as scim+json. */
static void
scim(struct reply *r, const struct tenant *t, const char *method,
    const char *path, const char *body)
{
	ck_assert_msg(http(r, method, path, body != NULL ? SCIM_CT : NULL,
	    body, body != NULL ? strlen(body) : 0, t->auth) == 0,
	    "%s %s: no answer", method, path);
}

static void
assert_scim_ct(const struct reply *r)
{
	char	 ct[128];

	ck_assert_int_eq(reply_header(r, "Content-Type", ct, sizeof(ct)), 0);
	ck_assert_msg(strncmp(ct, SCIM_CT, strlen(SCIM_CT)) == 0,
	    "Content-Type %s", ct);
}

static int
has_string(const cJSON *list, const char *s)
{
	const cJSON	*e;

	cJSON_ArrayForEach(e, list)
		if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
			return 1;
	return 0;
}

/* A SCIM error: status, scimType (NULL: none), a detail. */
static void
assert_scim_error(const struct reply *r, long status, const char *type)
{
	char	 st[8];

	ck_assert_msg(r->status == status, "status %ld, expected %ld: %s",
	    r->status, status, r->body.data != NULL ? r->body.data : "");
	ck_assert_msg(r->json != NULL, "not JSON: %s", r->body.data);
	assert_scim_ct(r);
	ck_assert(has_string(cJSON_GetObjectItem(r->json, "schemas"),
	    ERROR_URN));
	(void)snprintf(st, sizeof(st), "%ld", status);
	ck_assert_str_eq(json_str(r->json, "status"), st);
	if (type == NULL)
		ck_assert_ptr_null(cJSON_GetObjectItem(r->json, "scimType"));
	else {
		ck_assert_ptr_nonnull(json_str(r->json, "scimType"));
		ck_assert_str_eq(json_str(r->json, "scimType"), type);
	}
	ck_assert_ptr_nonnull(json_str(r->json, "detail"));
	ck_assert_ptr_null(cJSON_GetObjectItem(r->json, "error"));
}

/* s with everything but unreserved characters percent-encoded. */
static void
encode(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	 o = 0;

	for (; *s != '\0'; s++) {
		ck_assert_uint_lt(o + 4, len);
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~", *s) != NULL)
			out[o++] = *s;
		else {
			out[o++] = '%';
			out[o++] = hex[(unsigned char)*s >> 4];
			out[o++] = hex[(unsigned char)*s & 15];
		}
	}
	out[o] = '\0';
}

/* GET <resource>?filter=<filter>&<extra>: the ListResponse (200). */
static void
list_filtered(struct reply *r, const struct tenant *t, const char *resource,
    const char *filter, const char *extra)
{
	char	 enc[1024], path[1400];

	encode(filter, enc, sizeof(enc));
	(void)snprintf(path, sizeof(path), "/scim/v2/%s?filter=%s%s%s",
	    resource, enc, extra != NULL ? "&" : "", extra != NULL ? extra : "");
	scim(r, t, "GET", path, NULL);
}

static int
total(const struct reply *r)
{
	const cJSON	*n = cJSON_GetObjectItem(r->json, "totalResults");

	ck_assert_msg(cJSON_IsNumber(n), "no totalResults: %s", r->body.data);
	return n->valueint;
}

static const cJSON *
resources(const struct reply *r)
{
	const cJSON	*res = cJSON_GetObjectItem(r->json, "Resources");

	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body.data);
	assert_scim_ct(r);
	ck_assert(has_string(cJSON_GetObjectItem(r->json, "schemas"),
	    LIST_URN));
	ck_assert(cJSON_IsArray(res));
	ck_assert_int_eq(cJSON_GetObjectItem(r->json, "itemsPerPage")->valueint,
	    cJSON_GetArraySize(res));
	return res;
}

static int
active_of(const cJSON *user)
{
	const cJSON	*a = cJSON_GetObjectItem(user, "active");

	ck_assert(cJSON_IsBool(a));
	return cJSON_IsTrue(a);
}

static void
assert_meta(const cJSON *res, const char *type, const char *kind)
{
	const cJSON	*meta = cJSON_GetObjectItem(res, "meta");
	char		 tail[128];
	const char	*loc, *ver;

	ck_assert(is_uuid(json_str(res, "id")));
	ck_assert_str_eq(json_str(meta, "resourceType"), type);
	ck_assert(is_timestamp(json_str(meta, "created")));
	ck_assert(is_timestamp(json_str(meta, "lastModified")));
	ck_assert_ptr_nonnull(loc = json_str(meta, "location"));
	(void)snprintf(tail, sizeof(tail), "/scim/v2/%s/%s", kind,
	    json_str(res, "id"));
	ck_assert_msg(strlen(loc) >= strlen(tail) && strcmp(loc + strlen(loc) -
	    strlen(tail), tail) == 0, "location %s", loc);
	ck_assert_ptr_nonnull(ver = json_str(meta, "version"));
	ck_assert_msg(strncmp(ver, "W/\"", 3) == 0 && ver[strlen(ver) - 1] ==
	    '"', "version %s", ver);
}

/* Okta's POST /Users body. */
static void
okta_user_body(char *out, size_t len, const char *email, const char *given,
    const char *family)
{
	(void)snprintf(out, len, "{\"schemas\":[\"" USER_URN "\"],"
	    "\"userName\":\"%s\",\"name\":{\"givenName\":\"%s\","
	    "\"familyName\":\"%s\"},\"emails\":[{\"primary\":true,"
	    "\"value\":\"%s\",\"type\":\"work\"}],\"displayName\":\"%s %s\","
	    "\"locale\":\"en-US\",\"externalId\":\"00u%s\",\"groups\":[],"
	    "\"password\":\"Not-kept-1\",\"active\":true}", email, given,
	    family, email, given, family, given);
}

/* A user made through SCIM; its id into id. */
static void
user_new(const struct tenant *t, const char *local, char *id)
{
	struct reply	 r;
	char		 body[1024], email[160];

	(void)snprintf(email, sizeof(email), "%s@%s.test", local, t->slug);
	okta_user_body(body, sizeof(body), email, local, "Tester");
	scim(&r, t, "POST", "/scim/v2/Users", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
}

static void
path_of(char *out, size_t len, const char *kind, const char *id)
{
	(void)snprintf(out, len, "/scim/v2/%s/%s", kind, id);
}

static int
members_count(const cJSON *group)
{
	const cJSON	*m = cJSON_GetObjectItem(group, "members");

	return m == NULL ? 0 : cJSON_GetArraySize(m);
}

static int
has_member(const cJSON *group, const char *id)
{
	const cJSON	*m;

	cJSON_ArrayForEach(m, cJSON_GetObjectItem(group, "members"))
		if (strcmp(json_str(m, "value"), id) == 0)
			return 1;
	return 0;
}

static long long
audited(const struct tenant *t, const char *action, const char *target)
{
	return db_count_where("audit_events", "account_id = '%s' AND action = '%s' "
	    "AND target_id = '%s' AND actor LIKE 'api_key:%%'", t->id, action,
	    target);
}

/*
 * Okta's user sequence: look up by userName (none), create, read, replace,
 * deactivate with a value object and no path.
 */
START_TEST(test_okta_user_sequence)
{
	struct tenant	 t;
	struct reply	 r;
	char		 body[1024], email[160], filter[256], path[128], id[64],
			 loc[512];
	const cJSON	*res;

	tenant_new(&t, "okta");
	(void)snprintf(email, sizeof(email), "ada@%s.test", t.slug);
	(void)snprintf(filter, sizeof(filter), "userName eq \"%s\"", email);
	list_filtered(&r, &t, "Users", filter, "startIndex=1&count=100");
	res = resources(&r);
	ck_assert_int_eq(total(&r), 0);
	ck_assert_int_eq(cJSON_GetArraySize(res), 0);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "startIndex")->valueint,
	    1);
	reply_free(&r);

	okta_user_body(body, sizeof(body), email, "Ada", "Lovelace");
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	assert_scim_ct(&r);
	assert_meta(r.json, "User", "Users");
	ck_assert(has_string(cJSON_GetObjectItem(r.json, "schemas"), USER_URN));
	ck_assert_str_eq(json_str(r.json, "userName"), email);
	ck_assert_str_eq(json_str(r.json, "externalId"), "00uAda");
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "name"),
	    "givenName"), "Ada");
	ck_assert_str_eq(json_str(r.json, "displayName"), "Ada Lovelace");
	ck_assert(active_of(r.json));
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "password"));
	(void)snprintf(id, sizeof(id), "%s", json_str(r.json, "id"));
	ck_assert_int_eq(reply_header(&r, "Location", loc, sizeof(loc)), 0);
	ck_assert_str_eq(loc, json_str(cJSON_GetObjectItem(r.json, "meta"),
	    "location"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND id = '%s' AND "
	    "email = '%s' AND status = 'active' AND given_name = 'Ada' AND "
	    "family_name = 'Lovelace' AND external_id = '00uAda'", t.id, id,
	    email), 1);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s' AND user_id "
	    "= '%s' AND domain = 'copilot' AND status = 'active'", t.id, id), 1);
	ck_assert_int_eq(audited(&t, "scim.user.create", id), 1);

	path_of(path, sizeof(path), "Users", id);
	scim(&r, &t, "GET", path, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "id"), id);
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r.json, "groups")));
	reply_free(&r);
	list_filtered(&r, &t, "Users", filter, "startIndex=1&count=100");
	res = resources(&r);
	ck_assert_int_eq(total(&r), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), id);
	reply_free(&r);

	/* PUT: the whole user again, name changed. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" USER_URN "\"],"
	    "\"id\":\"%s\",\"userName\":\"%s\",\"name\":{\"givenName\":"
	    "\"Augusta\",\"familyName\":\"King\"},\"emails\":[{\"primary\":"
	    "true,\"value\":\"%s\",\"type\":\"work\"}],\"displayName\":"
	    "\"Augusta King\",\"active\":true,\"groups\":[],\"meta\":"
	    "{\"resourceType\":\"User\"}}", id, email, email);
	scim(&r, &t, "PUT", path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "name"),
	    "givenName"), "Augusta");
	ck_assert_str_eq(json_str(r.json, "displayName"), "Augusta King");
	/* externalId not given by PUT is kept. */
	ck_assert_str_eq(json_str(r.json, "externalId"), "00uAda");
	reply_free(&r);
	ck_assert_int_eq(audited(&t, "scim.user.update", id), 1);

	/* Okta deactivates with a value object and no path. */
	scim(&r, &t, "PATCH", path, "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":"
	    "false}}]}");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(!active_of(r.json));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "id = '%s' AND status = 'inactive'",
	    id), 1);
	ck_assert_int_eq(db_count_where("domain_users", "user_id = '%s' AND status = "
	    "'inactive'", id), 1);
	ck_assert_int_eq(audited(&t, "scim.user.deactivate", id), 1);
	/* And back. */
	scim(&r, &t, "PATCH", path, "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"replace\",\"value\":{\"active\":"
	    "true}}]}");
	ck_assert_int_eq(r.status, 200);
	ck_assert(active_of(r.json));
	reply_free(&r);
}
END_TEST

static void
group_create(const struct tenant *t, const char *body, char *id)
{
	struct reply	 r;

	scim(&r, t, "POST", "/scim/v2/Groups", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	assert_meta(r.json, "Group", "Groups");
	(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
}

/* Okta's group sequence: create with members, add, remove, PUT, DELETE. */
START_TEST(test_okta_group_sequence)
{
	struct tenant	 t;
	struct reply	 r;
	char		 a[64], b[64], g[64], body[1024], path[128];

	tenant_new(&t, "oktag");
	user_new(&t, "ann", a);
	user_new(&t, "bob", b);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" GROUP_URN "\"],"
	    "\"displayName\":\"Engineering\",\"members\":[{\"value\":\"%s\","
	    "\"display\":\"ann\"}]}", a);
	group_create(&t, body, g);
	ck_assert_int_eq(db_count_where("teams t JOIN organisations o ON o.id = "
	    "t.organisation_id", "t.account_id = '%s' AND t.id = '%s' AND "
	    "t.name = 'Engineering' AND o.is_global AND o.domain = 'copilot'",
	    t.id, g), 1);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s' AND user_id = "
	    "'%s'", g, a), 1);
	ck_assert_int_eq(audited(&t, "scim.group.create", g), 1);
	path_of(path, sizeof(path), "Groups", g);

	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":"
	    "[{\"value\":\"%s\",\"display\":\"bob\"}]}]}", b);
	scim(&r, &t, "PATCH", path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_int_eq(members_count(r.json), 2);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"remove\",\"path\":\"members[value eq "
	    "\\\"%s\\\"]\"}]}", a);
	scim(&r, &t, "PATCH", path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_int_eq(members_count(r.json), 1);
	ck_assert(has_member(r.json, b));
	reply_free(&r);
	/* Okta renames with a value object holding id and displayName. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"replace\",\"value\":{\"id\":\"%s\","
	    "\"displayName\":\"Platform\"}}]}", g);
	scim(&r, &t, "PATCH", path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "displayName"), "Platform");
	ck_assert_int_eq(members_count(r.json), 1);
	reply_free(&r);
	/* PUT replaces the members too. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" GROUP_URN "\"],"
	    "\"id\":\"%s\",\"displayName\":\"Platform\",\"members\":"
	    "[{\"value\":\"%s\"}]}", g, a);
	scim(&r, &t, "PUT", path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_int_eq(members_count(r.json), 1);
	ck_assert(has_member(r.json, a));
	reply_free(&r);
	ck_assert_int_eq(audited(&t, "scim.group.update", g), 4);
	/* The user's groups. */
	path_of(body, sizeof(body), "Users", a);
	scim(&r, &t, "GET", body, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "groups")), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    r.json, "groups"), 0), "value"), g);
	reply_free(&r);

	scim(&r, &t, "DELETE", path, NULL);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(r.body.len, 0);
	reply_free(&r);
	scim(&r, &t, "GET", path, NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("teams", "id = '%s'", g), 0);
	ck_assert_int_eq(audited(&t, "scim.group.delete", g), 1);
}
END_TEST

/*
 * Entra's sequence: look up by externalId and userName, create with the
 * enterprise extension, capitalised ops with paths (name.givenName,
 * emails[type eq "work"].value, active as "False"), groups by
 * displayName without members, members added as [{"value"}] and removed
 * both ways.
 */
START_TEST(test_entra_sequence)
{
	struct tenant	 t;
	struct reply	 r;
	char		 body[2048], email[160], filter[256], path[128],
			 gpath[128], id[64], g[64];
	const cJSON	*res;

	tenant_new(&t, "entra");
	(void)snprintf(email, sizeof(email), "grace@%s.test", t.slug);
	list_filtered(&r, &t, "Users", "externalId eq \"e-1\"", NULL);
	ck_assert_int_eq(total(&r), 0);
	reply_free(&r);
	(void)snprintf(filter, sizeof(filter), "userName eq \"%s\"", email);
	list_filtered(&r, &t, "Users", filter, NULL);
	ck_assert_int_eq(total(&r), 0);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" USER_URN "\","
	    "\"" ENTERPRISE_URN "\"],\"externalId\":\"e-1\",\"userName\":"
	    "\"%s\",\"active\":true,\"displayName\":\"Grace Hopper\","
	    "\"emails\":[{\"primary\":true,\"type\":\"work\",\"value\":\"%s\"}],"
	    "\"meta\":{\"resourceType\":\"User\"},\"name\":{\"formatted\":"
	    "\"Grace Hopper\",\"familyName\":\"Hopper\",\"givenName\":"
	    "\"Grace\"},\"title\":\"Rear Admiral\",\"" ENTERPRISE_URN "\":"
	    "{\"department\":\"Navy\",\"employeeNumber\":\"7\"}}", email, email);
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	(void)snprintf(id, sizeof(id), "%s", json_str(r.json, "id"));
	reply_free(&r);
	list_filtered(&r, &t, "Users", "externalId eq \"e-1\"", NULL);
	res = resources(&r);
	ck_assert_int_eq(total(&r), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), id);
	reply_free(&r);
	/* userName compares without case. */
	(void)snprintf(filter, sizeof(filter), "userName eq \"GRACE@%s.TEST\"",
	    t.slug);
	list_filtered(&r, &t, "Users", filter, NULL);
	ck_assert_int_eq(total(&r), 1);
	reply_free(&r);

	path_of(path, sizeof(path), "Users", id);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"Replace\",\"path\":\"displayName\","
	    "\"value\":\"Amazing Grace\"},{\"op\":\"Replace\",\"path\":"
	    "\"name.givenName\",\"value\":\"Gracie\"},{\"op\":\"Add\","
	    "\"path\":\"name.familyName\",\"value\":\"Murray\"},"
	    "{\"op\":\"Replace\",\"path\":\"emails[type eq \\\"work\\\"].value\","
	    "\"value\":\"%s\"},{\"op\":\"Add\",\"path\":\"" ENTERPRISE_URN
	    ":department\",\"value\":\"Science\"},{\"op\":\"Replace\","
	    "\"path\":\"title\",\"value\":\"Admiral\"}]}", email);
	scim(&r, &t, "PATCH", path, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "displayName"), "Amazing Grace");
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "name"),
	    "givenName"), "Gracie");
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "name"),
	    "familyName"), "Murray");
	ck_assert_str_eq(json_str(r.json, "userName"), email);
	reply_free(&r);

	/* A group, found by displayName without its members, then made. */
	list_filtered(&r, &t, "Groups", "displayName eq \"Research\"",
	    "excludedAttributes=members");
	ck_assert_int_eq(total(&r), 0);
	reply_free(&r);
	group_create(&t, "{\"schemas\":[\"" GROUP_URN "\"],\"externalId\":"
	    "\"g-1\",\"displayName\":\"Research\"}", g);
	path_of(gpath, sizeof(gpath), "Groups", g);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"Add\",\"path\":\"members\",\"value\":"
	    "[{\"value\":\"%s\"}]}]}", id);
	scim(&r, &t, "PATCH", gpath, body);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(has_member(r.json, id));
	reply_free(&r);
	list_filtered(&r, &t, "Groups", "displayName eq \"research\"",
	    "excludedAttributes=members");
	res = resources(&r);
	ck_assert_int_eq(total(&r), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), g);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "externalId"),
	    "g-1");
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0),
	    "members"));
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"Remove\",\"path\":\"members\",\"value\":"
	    "[{\"value\":\"%s\"}]}]}", id);
	scim(&r, &t, "PATCH", gpath, body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(members_count(r.json), 0);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"Add\",\"path\":\"members\",\"value\":"
	    "[{\"value\":\"%s\"}]},{\"op\":\"Replace\",\"path\":\"displayName\","
	    "\"value\":\"R&D\"}]}", id);
	scim(&r, &t, "PATCH", gpath, body);
	ck_assert_int_eq(members_count(r.json), 1);
	ck_assert_str_eq(json_str(r.json, "displayName"), "R&D");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"Remove\",\"path\":\"members[value eq "
	    "\\\"%s\\\"]\"}]}", id);
	scim(&r, &t, "PATCH", gpath, body);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(members_count(r.json), 0);
	reply_free(&r);

	/* Entra disables with "False", a string. */
	scim(&r, &t, "PATCH", path, "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"Replace\",\"path\":\"active\","
	    "\"value\":\"False\"}]}");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(!active_of(r.json));
	reply_free(&r);
	ck_assert_int_eq(audited(&t, "scim.user.deactivate", id), 1);
}
END_TEST

/* A user in a team, deprovisioned: inactive, out of the team, kept. */
START_TEST(test_deprovisioning_keeps_the_row)
{
	struct tenant	 t;
	struct reply	 r;
	char		 a[64], b[64], g[64], body[512], path[128];

	tenant_new(&t, "deprov");
	user_new(&t, "cat", a);
	user_new(&t, "dan", b);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" GROUP_URN "\"],"
	    "\"displayName\":\"Ops\",\"members\":[{\"value\":\"%s\"},"
	    "{\"value\":\"%s\"}]}", a, b);
	group_create(&t, body, g);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s'", g), 2);

	path_of(path, sizeof(path), "Users", a);
	scim(&r, &t, "PATCH", path, "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\","
	    "\"value\":false}]}");
	ck_assert_int_eq(r.status, 200);
	ck_assert(!active_of(r.json));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "groups")), 0);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s' AND user_id = "
	    "'%s'", g, a), 0);
	ck_assert_int_eq(db_count_where("users", "id = '%s' AND status = 'inactive'",
	    a), 1);
	/* An inactive user is accepted as a member and stays out. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"add\",\"path\":\"members\",\"value\":"
	    "[{\"value\":\"%s\"}]}]}", a);
	path_of(path, sizeof(path), "Groups", g);
	scim(&r, &t, "PATCH", path, body);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!has_member(r.json, a));
	ck_assert(has_member(r.json, b));
	reply_free(&r);

	/* DELETE deactivates too; the row stays and reads inactive. */
	path_of(path, sizeof(path), "Users", b);
	scim(&r, &t, "DELETE", path, NULL);
	ck_assert_int_eq(r.status, 204);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "id = '%s' AND status = 'inactive'",
	    b), 1);
	ck_assert_int_eq(db_count_where("domain_users", "user_id = '%s' AND status = "
	    "'inactive'", b), 1);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s'", g), 0);
	ck_assert_int_eq(audited(&t, "scim.user.deactivate", b), 1);
	scim(&r, &t, "GET", path, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert(!active_of(r.json));
	reply_free(&r);
}
END_TEST

/* A user the account has already (not in the directory) is adopted. */
START_TEST(test_existing_user_is_adopted)
{
	struct tenant	 t;
	struct reply	 r;
	char		 body[1024], email[160], sql[512], id[64];
	PGconn		*c;

	tenant_new(&t, "adopt");
	(void)snprintf(email, sizeof(email), "eve@%s.test", t.slug);
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, "
	    "email) VALUES ('%s', '%s')", t.id, email);
	db_exec(c, sql);
	PQfinish(c);
	okta_user_body(body, sizeof(body), email, "Eve", "Existing");
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	(void)snprintf(id, sizeof(id), "%s", json_str(r.json, "id"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND id = '%s' AND "
	    "lower(email) = lower('%s') AND external_id = '00uEve'", t.id, id,
	    email), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", t.id), 1);
	ck_assert_int_eq(db_count_where("domain_users", "user_id = '%s' AND domain = "
	    "'copilot'", id), 1);
	/* Provisioned now: the same userName again is a conflict. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" USER_URN "\"],"
	    "\"userName\":\"%s\",\"externalId\":\"other\"}", email);
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	assert_scim_error(&r, 409, "uniqueness");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" USER_URN "\"],"
	    "\"userName\":\"%s\"}", email);
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	assert_scim_error(&r, 409, "uniqueness");
	reply_free(&r);
}
END_TEST

static void
patch_error(const struct tenant *t, const char *path, const char *ops,
    long status, const char *type)
{
	struct reply	 r;
	char		 body[1024];

	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":%s}", ops);
	scim(&r, t, "PATCH", path, body);
	assert_scim_error(&r, status, type);
	reply_free(&r);
}

/* Errors, in SCIM's shape, and nothing changed by them. */
START_TEST(test_errors_are_scim_errors)
{
	static const char *const bad_filters[] = {
		"userName co \"a\"", "title eq \"a\"", "userName eq \"a\" and "
		"active eq true", "userName eq a", "active eq true",
		"emails.value eq \"a@b.c\"",
	};
	struct tenant	 t;
	struct reply	 r;
	char		 body[1024], email[160], path[128], id[64], api[128],
			 auth[160], allow[64];
	size_t		 i;

	tenant_new(&t, "errors");
	for (i = 0; i < sizeof(bad_filters) / sizeof(bad_filters[0]); i++) {
		list_filtered(&r, &t, "Users", bad_filters[i], NULL);
		assert_scim_error(&r, 400, "invalidFilter");
		reply_free(&r);
	}
	list_filtered(&r, &t, "Groups", "userName eq \"x\"", NULL);
	assert_scim_error(&r, 400, "invalidFilter");
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?count=many", NULL);
	assert_scim_error(&r, 400, "invalidValue");
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?sortBy=userName", NULL);
	assert_scim_error(&r, 400, NULL);
	reply_free(&r);

	path_of(path, sizeof(path), "Users", NIL_ID);
	scim(&r, &t, "GET", path, NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users/not-an-id", NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Nothing", NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	scim(&r, &t, "DELETE", "/scim/v2/Users", NULL);
	assert_scim_error(&r, 405, NULL);
	ck_assert_int_eq(reply_header(&r, "Allow", allow, sizeof(allow)), 0);
	reply_free(&r);

	user_new(&t, "fay", id);
	(void)snprintf(email, sizeof(email), "fay@%s.test", t.slug);
	okta_user_body(body, sizeof(body), email, "Fay", "Again");
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	assert_scim_error(&r, 409, "uniqueness");
	reply_free(&r);
	/* Another user may not take fay's externalId. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" USER_URN "\"],"
	    "\"userName\":\"gus@%s.test\",\"externalId\":\"00ufay\"}", t.slug);
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	assert_scim_error(&r, 409, "uniqueness");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", t.id), 1);

	scim(&r, &t, "POST", "/scim/v2/Users", "{\"schemas\":");
	assert_scim_error(&r, 400, "invalidSyntax");
	reply_free(&r);
	scim(&r, &t, "POST", "/scim/v2/Users", "{\"userName\":\"a@b.test\"}");
	assert_scim_error(&r, 400, "invalidSyntax");
	reply_free(&r);
	scim(&r, &t, "POST", "/scim/v2/Users", "{\"schemas\":[\"" USER_URN
	    "\"],\"userName\":\"not an email\"}");
	assert_scim_error(&r, 400, "invalidValue");
	reply_free(&r);
	scim(&r, &t, "POST", "/scim/v2/Users", "{\"schemas\":[\"" USER_URN
	    "\"],\"userName\":\"x@y.test\",\"shoeSize\":44}");
	assert_scim_error(&r, 400, "invalidSyntax");
	reply_free(&r);
	scim(&r, &t, "POST", "/scim/v2/Users", "{\"schemas\":[\"" USER_URN
	    "\"],\"userName\":\"x@y.test\",\"active\":\"maybe\"}");
	assert_scim_error(&r, 400, "invalidValue");
	reply_free(&r);

	path_of(path, sizeof(path), "Users", id);
	patch_error(&t, path, "[{\"op\":\"replace\",\"path\":\"shoeSize\","
	    "\"value\":1}]", 400, "invalidPath");
	patch_error(&t, path, "[{\"op\":\"replace\",\"path\":\"name[x\","
	    "\"value\":1}]", 400, "invalidPath");
	patch_error(&t, path, "[{\"op\":\"remove\",\"path\":\"userName\"}]",
	    400, "mutability");
	patch_error(&t, path, "[{\"op\":\"replace\",\"path\":\"id\","
	    "\"value\":\"x\"}]", 400, "mutability");
	patch_error(&t, path, "[{\"op\":\"move\",\"path\":\"active\","
	    "\"value\":true}]", 400, "invalidSyntax");
	patch_error(&t, path, "[]", 400, "invalidSyntax");
	patch_error(&t, path, "[{\"op\":\"remove\"}]", 400, "noTarget");
	/* A failed operation takes the others back with it. */
	patch_error(&t, path, "[{\"op\":\"replace\",\"path\":\"displayName\","
	    "\"value\":\"Changed\"},{\"op\":\"replace\",\"path\":\"active\","
	    "\"value\":7}]", 400, "invalidValue");
	ck_assert_int_eq(db_count_where("users", "id = '%s' AND display_name = 'fay "
	    "Tester'", id), 1);
	scim(&r, &t, "PATCH", path, "{\"Operations\":[{\"op\":\"replace\","
	    "\"path\":\"active\",\"value\":false}]}");
	assert_scim_error(&r, 400, "invalidSyntax");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" GROUP_URN "\"],"
	    "\"displayName\":\"G\",\"members\":[{\"value\":\"%s\"}]}", NIL_ID);
	scim(&r, &t, "POST", "/scim/v2/Groups", body);
	assert_scim_error(&r, 400, "invalidValue");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("teams", "account_id = '%s'", t.id), 0);

	/* The front line: no key, a wrong one, an API key, the master key. */
	ck_assert_int_eq(http(&r, "GET", "/scim/v2/Users", NULL, NULL, 0,
	    AUTH_NONE), 0);
	assert_scim_error(&r, 401, NULL);
	ck_assert_int_eq(reply_header(&r, "WWW-Authenticate", allow,
	    sizeof(allow)), 0);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", "/scim/v2/Users", NULL, NULL, 0,
	    "Bearer ck_abcdefgh_0000000000000000000000000000000000000000000"),
	    0);
	assert_scim_error(&r, 401, NULL);
	reply_free(&r);
	key_of(t.id, "api", api, sizeof(api));
	bearer(auth, sizeof(auth), api);
	ck_assert_int_eq(http(&r, "GET", "/scim/v2/Users", NULL, NULL, 0, auth),
	    0);
	assert_scim_error(&r, 403, NULL);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", "/scim/v2/Users", NULL, NULL, 0,
	    AUTH_MASTER), 0);
	assert_scim_error(&r, 403, NULL);
	reply_free(&r);
	/* The SCIM key is refused elsewhere, in the API's own shape. */
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s", t.id);
	ck_assert_int_eq(http(&r, "GET", path, NULL, NULL, 0, t.auth), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	/* Bodies: scim+json and json are taken, anything else 415. */
	ck_assert_int_eq(http(&r, "POST", "/scim/v2/Groups", "text/plain",
	    "{}", 2, t.auth), 0);
	assert_scim_error(&r, 415, NULL);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "POST", "/scim/v2/Groups", "application/json",
	    "{\"schemas\":[\"" GROUP_URN "\"],\"displayName\":\"Plain\"}",
	    strlen("{\"schemas\":[\"" GROUP_URN "\"],\"displayName\":"
	    "\"Plain\"}"), t.auth), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	reply_free(&r);
}
END_TEST

/* nginx's own 413 on a SCIM path is SCIM's too. */
START_TEST(test_oversized_body_is_a_scim_error)
{
	struct tenant	 t;
	struct reply	 r;
	size_t		 n = 2 * 1024 * 1024;
	char		*big;

	tenant_new(&t, "big");
	ck_assert_ptr_nonnull(big = malloc(n + 1));
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	ck_assert_int_eq(http(&r, "POST", "/scim/v2/Users", SCIM_CT, big, n,
	    t.auth), 0);
	free(big);
	assert_scim_error(&r, 413, NULL);
	reply_free(&r);
}
END_TEST

/* Another account's key sees none of this one's users and groups. */
START_TEST(test_accounts_are_isolated)
{
	struct tenant	 a, b;
	struct reply	 r;
	char		 u[64], g[64], bg[64], path[128], body[512];

	tenant_new(&a, "iso-a");
	tenant_new(&b, "iso-b");
	user_new(&a, "hal", u);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" GROUP_URN "\"],"
	    "\"displayName\":\"A team\",\"members\":[{\"value\":\"%s\"}]}", u);
	group_create(&a, body, g);

	scim(&r, &b, "GET", "/scim/v2/Users", NULL);
	ck_assert_int_eq(total(&r), 0);
	reply_free(&r);
	scim(&r, &b, "GET", "/scim/v2/Groups", NULL);
	ck_assert_int_eq(total(&r), 0);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "userName eq \"hal@%s.test\"",
	    a.slug);
	list_filtered(&r, &b, "Users", body, NULL);
	ck_assert_int_eq(total(&r), 0);
	reply_free(&r);
	path_of(path, sizeof(path), "Users", u);
	scim(&r, &b, "GET", path, NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	scim(&r, &b, "PATCH", path, "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\","
	    "\"value\":false}]}");
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	scim(&r, &b, "DELETE", path, NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	path_of(path, sizeof(path), "Groups", g);
	scim(&r, &b, "GET", path, NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	scim(&r, &b, "DELETE", path, NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
	/* A's user is no member B's group can have. */
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" GROUP_URN "\"],"
	    "\"displayName\":\"B team\",\"members\":[{\"value\":\"%s\"}]}", u);
	scim(&r, &b, "POST", "/scim/v2/Groups", body);
	assert_scim_error(&r, 400, "invalidValue");
	reply_free(&r);
	group_create(&b, "{\"schemas\":[\"" GROUP_URN "\"],\"displayName\":"
	    "\"B team\"}", bg);
	/* The same userName in B is B's own user. */
	user_new(&b, "hal", u);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", b.id), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND status = "
	    "'active'", a.id), 1);
	ck_assert_int_eq(db_count_where("team_members", "team_id = '%s'", g), 1);
}
END_TEST

/* A plan with the quota at max, on the account. */
static void
limit(const char *account, const char *quota, int max)
{
	struct reply	 r;
	char		 slug[64], body[256], path[128];

	unique_slug(slug, sizeof(slug), "scimq");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"Q\","
	    "\"quotas\":{\"%s\":%d}}", slug, quota, max);
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

static void
active_patch(const struct tenant *t, const char *id, const char *value,
    long status)
{
	struct reply	 r;
	char		 path[128], body[256];

	path_of(path, sizeof(path), "Users", id);
	(void)snprintf(body, sizeof(body), "{\"schemas\":[\"" PATCH_URN "\"],"
	    "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\","
	    "\"value\":%s}]}", value);
	scim(&r, t, "PATCH", path, body);
	if (status == 409)
		assert_scim_error(&r, 409, NULL);
	else
		ck_assert_msg(r.status == status, "%ld %s", r.status,
		    r.body.data);
	reply_free(&r);
}

/* The plan's users and teams: 409 past them, in SCIM's shape. */
START_TEST(test_quotas)
{
	struct tenant	 t;
	struct reply	 r;
	char		 a[64], b[64], g[64], body[1024];

	tenant_new(&t, "quota");
	limit(t.id, "users", 1);
	user_new(&t, "ivy", a);
	okta_user_body(body, sizeof(body), "jon@quota.test", "Jon", "Full");
	scim(&r, &t, "POST", "/scim/v2/Users", body);
	assert_scim_error(&r, 409, NULL);
	ck_assert_ptr_nonnull(strstr(json_str(r.json, "detail"), "users"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", t.id), 1);
	/* An inactive new user takes no place. */
	scim(&r, &t, "POST", "/scim/v2/Users", "{\"schemas\":[\"" USER_URN
	    "\"],\"userName\":\"kim@quota.test\",\"active\":false}");
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert(!active_of(r.json));
	(void)snprintf(b, sizeof(b), "%s", json_str(r.json, "id"));
	reply_free(&r);
	active_patch(&t, b, "true", 409);
	active_patch(&t, a, "false", 200);
	active_patch(&t, b, "true", 200);
	active_patch(&t, a, "\"True\"", 409);

	limit(t.id, "teams", 1);
	group_create(&t, "{\"schemas\":[\"" GROUP_URN "\"],\"displayName\":"
	    "\"One\"}", g);
	scim(&r, &t, "POST", "/scim/v2/Groups", "{\"schemas\":[\"" GROUP_URN
	    "\"],\"displayName\":\"Two\"}");
	assert_scim_error(&r, 409, NULL);
	ck_assert_ptr_nonnull(strstr(json_str(r.json, "detail"), "teams"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("teams", "account_id = '%s'", t.id), 1);
	/* The same name again is a uniqueness conflict, not the quota's. */
	limit(t.id, "teams", 5);
	scim(&r, &t, "POST", "/scim/v2/Groups", "{\"schemas\":[\"" GROUP_URN
	    "\"],\"displayName\":\"one\"}");
	assert_scim_error(&r, 409, "uniqueness");
	reply_free(&r);
}
END_TEST

/* startIndex and count: pages of the users in the order they came. */
START_TEST(test_pagination)
{
	struct tenant	 t;
	struct reply	 r;
	char		 ids[5][64], local[16];
	const cJSON	*res;
	int		 i;

	tenant_new(&t, "pages");
	for (i = 0; i < 5; i++) {
		(void)snprintf(local, sizeof(local), "p%d", i);
		user_new(&t, local, ids[i]);
	}
	scim(&r, &t, "GET", "/scim/v2/Users?startIndex=1&count=2", NULL);
	res = resources(&r);
	ck_assert_int_eq(total(&r), 5);
	ck_assert_int_eq(cJSON_GetArraySize(res), 2);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), ids[0]);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 1), "id"), ids[1]);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?startIndex=3&count=2", NULL);
	res = resources(&r);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "startIndex")->valueint,
	    3);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), ids[2]);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 1), "id"), ids[3]);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?startIndex=5&count=2", NULL);
	res = resources(&r);
	ck_assert_int_eq(cJSON_GetArraySize(res), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), ids[4]);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?startIndex=9", NULL);
	res = resources(&r);
	ck_assert_int_eq(total(&r), 5);
	ck_assert_int_eq(cJSON_GetArraySize(res), 0);
	reply_free(&r);
	/* Below 1 is 1; count 0 only counts; more than 200 is 200. */
	scim(&r, &t, "GET", "/scim/v2/Users?startIndex=0&count=1", NULL);
	res = resources(&r);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "startIndex")->valueint,
	    1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), ids[0]);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?count=0", NULL);
	res = resources(&r);
	ck_assert_int_eq(total(&r), 5);
	ck_assert_int_eq(cJSON_GetArraySize(res), 0);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Users?count=100000&excludedAttributes="
	    "groups", NULL);
	res = resources(&r);
	ck_assert_int_eq(cJSON_GetArraySize(res), 5);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(res, 0),
	    "groups"));
	reply_free(&r);
}
END_TEST

/* ServiceProviderConfig, Schemas, ResourceTypes. */
START_TEST(test_discovery)
{
	struct tenant	 t;
	struct reply	 r;
	const cJSON	*res;
	char		 path[256];

	tenant_new(&t, "disco");
	scim(&r, &t, "GET", "/scim/v2/ServiceProviderConfig", NULL);
	ck_assert_int_eq(r.status, 200);
	assert_scim_ct(&r);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "patch"), "supported")));
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "filter"), "supported")));
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "filter"), "maxResults")->valueint, 200);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "bulk"), "supported")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "sort"), "supported")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "etag"), "supported")));
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "changePassword"), "supported")));
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    r.json, "authenticationSchemes"), 0), "type"), "oauthbearertoken");
	reply_free(&r);

	scim(&r, &t, "GET", "/scim/v2/Schemas", NULL);
	res = resources(&r);
	ck_assert_int_eq(total(&r), 2);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "id"), USER_URN);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 1), "id"),
	    GROUP_URN);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(res, 0), "attributes"), 0), "name"), "userName");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/scim/v2/Schemas/%s", GROUP_URN);
	scim(&r, &t, "GET", path, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "name"), "Group");
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/Schemas/urn:x", NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);

	scim(&r, &t, "GET", "/scim/v2/ResourceTypes", NULL);
	res = resources(&r);
	ck_assert_int_eq(total(&r), 2);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 0), "endpoint"),
	    "/Users");
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(res, 1), "endpoint"),
	    "/Groups");
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/ResourceTypes/Group", NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "schema"), GROUP_URN);
	reply_free(&r);
	scim(&r, &t, "GET", "/scim/v2/ResourceTypes/Team", NULL);
	assert_scim_error(&r, 404, NULL);
	reply_free(&r);
}
END_TEST

/* The writes are in the account's audit chain, by the key. */
START_TEST(test_writes_are_audited_by_the_key)
{
	struct tenant	 t;
	struct reply	 r;
	char		 id[64], prefix[16];

	tenant_new(&t, "audit");
	user_new(&t, "kay", id);
	(void)snprintf(prefix, sizeof(prefix), "%.8s", t.key + 3);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action "
	    "= 'scim.user.create' AND target_type = 'user' AND target_id = "
	    "'%s' AND actor = 'api_key:%s' AND actor_role = 'account_admin' "
	    "AND after_digest IS NOT NULL", t.id, id, prefix), 1);
	/* A failed write leaves no event. */
	scim(&r, &t, "POST", "/scim/v2/Users", "{\"schemas\":[\"" USER_URN
	    "\"],\"userName\":\"bad\"}");
	ck_assert_int_eq(r.status, 400);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action "
	    "LIKE 'scim.%%'", t.id), 1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("scim");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_okta_user_sequence);
	tcase_add_test(tc, test_okta_group_sequence);
	tcase_add_test(tc, test_entra_sequence);
	tcase_add_test(tc, test_deprovisioning_keeps_the_row);
	tcase_add_test(tc, test_existing_user_is_adopted);
	tcase_add_test(tc, test_errors_are_scim_errors);
	tcase_add_test(tc, test_oversized_body_is_a_scim_error);
	tcase_add_test(tc, test_accounts_are_isolated);
	tcase_add_test(tc, test_quotas);
	tcase_add_test(tc, test_pagination);
	tcase_add_test(tc, test_discovery);
	tcase_add_test(tc, test_writes_are_audited_by_the_key);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
