/*
 * The management API's requests that provisioning makes, in the shapes
 * of Zitadel's management API v1 (zitadel.management.v1.ManagementService
 * over its REST gateway): ListUsers, GetUserByID, ListProjectRoles,
 * AddProjectRole, ListUserGrants, AddUserGrant, UpdateUserGrant. Ids
 * that go into a path are checked first (zitadel_id_valid), whether
 * they come from a client or from Zitadel.
 */
#include <stdio.h>
#include <string.h>

#include "provisioning.h"

#define PATH_MAX_LEN	512
#define SEARCH_LIMIT	100

/* One call; the failure's message in p->err. */
static enum mgmt_result
call(struct prov *p, const char *method, const char *path, cJSON *body,
    cJSON **answer)
{
	enum mgmt_result	 rc;

	if (body == NULL && strcmp(method, "GET") != 0) {
		(void)snprintf(p->err, sizeof(p->err), "out of memory");
		return MGMT_ERROR;
	}
	rc = mgmt_call(&p->m, method, path, body, answer, p->err,
	    sizeof(p->err));
	cJSON_Delete(body);
	return rc;
}

/* A search's body: {"query":{"limit":N},"queries":[q1, q2?]}. */
static cJSON *
search(cJSON *q1, cJSON *q2)
{
	cJSON	*b = cJSON_CreateObject(), *query, *list;

	if (b == NULL || (query = cJSON_AddObjectToObject(b, "query")) ==
	    NULL || cJSON_AddNumberToObject(query, "limit", SEARCH_LIMIT) ==
	    NULL || (list = cJSON_AddArrayToObject(b, "queries")) == NULL ||
	    q1 == NULL || !cJSON_AddItemToArray(list, q1)) {
		cJSON_Delete(q1);
		cJSON_Delete(q2);
		cJSON_Delete(b);
		return NULL;
	}
	if (q2 != NULL && !cJSON_AddItemToArray(list, q2)) {
		cJSON_Delete(q2);
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

/* One search query: {"<kind>":{"<field>":value[,"method":method]}}. */
static cJSON *
query(const char *kind, const char *field, const char *value,
    const char *method)
{
	cJSON	*q = cJSON_CreateObject(), *inner;

	if (q == NULL || (inner = cJSON_AddObjectToObject(q, kind)) == NULL ||
	    cJSON_AddStringToObject(inner, field, value) == NULL ||
	    (method != NULL && cJSON_AddStringToObject(inner, "method",
	    method) == NULL)) {
		cJSON_Delete(q);
		return NULL;
	}
	return q;
}

/*
 * The "result" list of a search's answer into *list: NULL when absent,
 * which is how Zitadel says it is empty. -1 (p->err) when not a list.
 */
static int
results(struct prov *p, const cJSON *answer, const cJSON **list)
{
	*list = cJSON_GetObjectItemCaseSensitive(answer, "result");
	if (*list == NULL || cJSON_IsArray(*list))
		return 0;
	(void)snprintf(p->err, sizeof(p->err), "Zitadel's search answer has "
	    "no result list");
	return -1;
}

static const char *
string_member(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The one user of a search's results: its usable id into id. */
static enum mgmt_result
only_user(struct prov *p, const cJSON *list, const char *email, char *id,
    size_t len)
{
	const char	*v;
	int		 n = cJSON_GetArraySize(list);

	if (n == 0) {
		(void)snprintf(p->err, sizeof(p->err), "no Zitadel user of "
		    "organisation %s has the email %s", p->org, email);
		return MGMT_NOT_FOUND;
	}
	if (n > 1) {
		(void)snprintf(p->err, sizeof(p->err), "%d Zitadel users of "
		    "organisation %s have the email %s", n, p->org, email);
		return MGMT_CONFLICT;
	}
	v = string_member(cJSON_GetArrayItem(list, 0), "id");
	if (v == NULL || !zitadel_id_valid(v)) {
		(void)snprintf(p->err, sizeof(p->err), "Zitadel gave a user "
		    "without a usable id");
		return MGMT_ERROR;
	}
	(void)snprintf(id, len, "%s", v);
	return MGMT_OK;
}

/*
 * ListUsers (POST /management/v1/users/_search) with an emailQuery: the
 * one user of the organisation with that email. MGMT_NOT_FOUND when
 * there is none, MGMT_CONFLICT when there are several.
 */
enum mgmt_result
zitadel_user_by_email(struct prov *p, const char *email, char *id,
    size_t len)
{
	cJSON			*answer;
	const cJSON		*list;
	enum mgmt_result	 rc;

	rc = call(p, "POST", "/management/v1/users/_search", search(
	    query("emailQuery", "emailAddress", email,
	    "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE"), NULL), &answer);
	if (rc != MGMT_OK)
		return rc;
	if (results(p, answer, &list) == -1)
		rc = MGMT_ERROR;
	else
		rc = only_user(p, list, email, id, len);
	cJSON_Delete(answer);
	return rc;
}

/* GetUserByID (GET /management/v1/users/{id}): MGMT_NOT_FOUND if none. */
enum mgmt_result
zitadel_user_get(struct prov *p, const char *id)
{
	char			 path[PATH_MAX_LEN];
	cJSON			*answer;
	enum mgmt_result	 rc;

	(void)snprintf(path, sizeof(path), "/management/v1/users/%s", id);
	rc = call(p, "GET", path, NULL, &answer);
	if (rc == MGMT_NOT_FOUND)
		(void)snprintf(p->err, sizeof(p->err), "no Zitadel user of "
		    "organisation %s has the id %s", p->org, id);
	else if (rc == MGMT_OK && !cJSON_IsObject(
	    cJSON_GetObjectItemCaseSensitive(answer, "user"))) {
		(void)snprintf(p->err, sizeof(p->err), "Zitadel's user answer "
		    "has no user");
		rc = MGMT_ERROR;
	}
	cJSON_Delete(answer);
	return rc;
}

/*
 * ListProjectRoles (POST /management/v1/projects/{id}/roles/_search)
 * with a keyQuery: whether the project has the role key.
 */
enum mgmt_result
zitadel_role_exists(struct prov *p, const char *key, int *exists)
{
	char			 path[PATH_MAX_LEN];
	cJSON			*answer;
	const cJSON		*list, *item;
	const char		*k;
	enum mgmt_result	 rc;

	*exists = 0;
	(void)snprintf(path, sizeof(path), "/management/v1/projects/%s/roles/"
	    "_search", p->project);
	rc = call(p, "POST", path, search(query("keyQuery", "key", key,
	    "TEXT_QUERY_METHOD_EQUALS"), NULL), &answer);
	if (rc != MGMT_OK)
		return rc;
	if (results(p, answer, &list) == -1)
		rc = MGMT_ERROR;
	else
		cJSON_ArrayForEach(item, list)
			if ((k = string_member(item, "key")) != NULL &&
			    strcmp(k, key) == 0)
				*exists = 1;
	cJSON_Delete(answer);
	return rc;
}

/* AddProjectRole (POST /management/v1/projects/{id}/roles). */
enum mgmt_result
zitadel_role_add(struct prov *p, const char *key, const char *display_name,
    const char *group)
{
	char			 path[PATH_MAX_LEN];
	cJSON			*body = cJSON_CreateObject(), *answer;
	enum mgmt_result	 rc;

	if (body != NULL && (cJSON_AddStringToObject(body, "roleKey", key) ==
	    NULL || cJSON_AddStringToObject(body, "displayName",
	    display_name) == NULL || (group != NULL && group[0] != '\0' &&
	    cJSON_AddStringToObject(body, "group", group) == NULL))) {
		cJSON_Delete(body);
		body = NULL;
	}
	(void)snprintf(path, sizeof(path), "/management/v1/projects/%s/roles",
	    p->project);
	if ((rc = call(p, "POST", path, body, &answer)) == MGMT_OK)
		cJSON_Delete(answer);
	return rc;
}

/* Whether item is the user's own grant on the project, with its keys. */
static int
grant_of(const struct prov *p, const cJSON *item, const char *user_id)
{
	const char	*u = string_member(item, "userId"),
			*pr = string_member(item, "projectId"),
			*pg = string_member(item, "projectGrantId");

	return u != NULL && pr != NULL && strcmp(u, user_id) == 0 &&
	    strcmp(pr, p->project) == 0 && (pg == NULL || pg[0] == '\0');
}

/* The grant's id and a copy of its role keys, checked. */
static enum mgmt_result
grant_take(struct prov *p, const cJSON *item, char *grant_id, size_t len,
    cJSON **role_keys)
{
	const char	*id = string_member(item, "id");
	const cJSON	*keys = cJSON_GetObjectItemCaseSensitive(item,
			    "roleKeys"), *k;

	if (id == NULL || !zitadel_id_valid(id) ||
	    (keys != NULL && !cJSON_IsArray(keys))) {
		(void)snprintf(p->err, sizeof(p->err), "Zitadel gave a user "
		    "grant without a usable id or role keys");
		return MGMT_ERROR;
	}
	cJSON_ArrayForEach(k, keys)
		if (!cJSON_IsString(k)) {
			(void)snprintf(p->err, sizeof(p->err), "Zitadel gave "
			    "a user grant with a role key that is not text");
			return MGMT_ERROR;
		}
	*role_keys = keys != NULL ? cJSON_Duplicate(keys, 1) :
	    cJSON_CreateArray();
	if (*role_keys == NULL) {
		(void)snprintf(p->err, sizeof(p->err), "out of memory");
		return MGMT_ERROR;
	}
	(void)snprintf(grant_id, len, "%s", id);
	return MGMT_OK;
}

/*
 * ListUserGrants (POST /management/v1/users/grants/_search) with a
 * userIdQuery and a projectIdQuery: the user's grant on the project
 * (grant_id "" when there is none) and its role keys (*role_keys, the
 * caller's, NULL when none).
 */
enum mgmt_result
zitadel_grant_find(struct prov *p, const char *user_id, char *grant_id,
    size_t len, cJSON **role_keys)
{
	cJSON			*answer;
	const cJSON		*list, *item;
	enum mgmt_result	 rc;

	grant_id[0] = '\0';
	*role_keys = NULL;
	rc = call(p, "POST", "/management/v1/users/grants/_search",
	    search(query("userIdQuery", "userId", user_id, NULL),
	    query("projectIdQuery", "projectId", p->project, NULL)), &answer);
	if (rc != MGMT_OK)
		return rc;
	if (results(p, answer, &list) == -1)
		rc = MGMT_ERROR;
	else
		cJSON_ArrayForEach(item, list)
			if (grant_of(p, item, user_id)) {
				rc = grant_take(p, item, grant_id, len,
				    role_keys);
				break;
			}
	cJSON_Delete(answer);
	return rc;
}

/* {"projectId"?, "roleKeys":[...]} */
static cJSON *
grant_body(const char *project, const cJSON *role_keys)
{
	cJSON	*b = cJSON_CreateObject(), *keys;

	if (b == NULL || (project != NULL && cJSON_AddStringToObject(b,
	    "projectId", project) == NULL) ||
	    (keys = cJSON_Duplicate(role_keys, 1)) == NULL) {
		cJSON_Delete(b);
		return NULL;
	}
	if (!cJSON_AddItemToObject(b, "roleKeys", keys)) {
		cJSON_Delete(keys);
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

/* AddUserGrant (POST /management/v1/users/{id}/grants). */
enum mgmt_result
zitadel_grant_add(struct prov *p, const char *user_id,
    const cJSON *role_keys)
{
	char			 path[PATH_MAX_LEN];
	cJSON			*answer;
	enum mgmt_result	 rc;

	(void)snprintf(path, sizeof(path), "/management/v1/users/%s/grants",
	    user_id);
	rc = call(p, "POST", path, grant_body(p->project, role_keys),
	    &answer);
	if (rc == MGMT_OK)
		cJSON_Delete(answer);
	return rc;
}

/* UpdateUserGrant (PUT /management/v1/users/{id}/grants/{grant_id}). */
enum mgmt_result
zitadel_grant_update(struct prov *p, const char *user_id,
    const char *grant_id, const cJSON *role_keys)
{
	char			 path[PATH_MAX_LEN];
	cJSON			*answer;
	enum mgmt_result	 rc;

	(void)snprintf(path, sizeof(path), "/management/v1/users/%s/grants/%s",
	    user_id, grant_id);
	rc = call(p, "PUT", path, grant_body(NULL, role_keys), &answer);
	if (rc == MGMT_OK)
		cJSON_Delete(answer);
	return rc;
}
