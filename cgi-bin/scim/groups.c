/*
 * /scim/v2/Groups: the teams of the account's global Copilot
 * organisation. displayName is the team's name, members its members:
 * users of the account's Copilot directory (an unknown one is 400
 * invalidValue; an inactive one is accepted and stays out, as a
 * deactivated user is out of every team). A new group takes a place of
 * the plan's team quota; deleting one deletes the team.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "quota.h"
#include "scim.h"
#include "uuid.h"

static const char *const filterable[] = { "displayName", "externalId",
    NULL };

struct scim_group {
	char	 name[SCIM_TEXT_BYTES(SCIM_NAME_CHARS)];
	char	 external[SCIM_TEXT_BYTES(SCIM_EXTERNAL_MAX)];
	int	 has_name, has_external;
	int	 cleared;	/* members not in delta go */
	cJSON	*delta;		/* user id: true (member) or false (not) */
};

static int
group_init(struct req *r, struct scim_group *g)
{
	memset(g, 0, sizeof(*g));
	if ((g->delta = cJSON_CreateObject()) != NULL)
		return 0;
	resp_nomem(r);
	return -1;
}

/* One member's state in the change; 0, or -1 answered. */
static int
member_set(struct req *r, struct scim_group *g, const char *id, int in)
{
	char	 lower[37];

	if (!uuid_valid(id)) {
		resp_error(r, 400, "invalidValue", "members", "a member's value "
		    "is a user's id");
		return -1;
	}
	(void)snprintf(lower, sizeof(lower), "%s", id);
	uuid_lower(lower);
	cJSON_DeleteItemFromObjectCaseSensitive(g->delta, lower);
	if (cJSON_AddBoolToObject(g->delta, lower, in) != NULL)
		return 0;
	resp_nomem(r);
	return -1;
}

/* Every member named in v ([{"value": id}, ...] or one such object). */
static int
members_set(struct req *r, struct scim_group *g, const cJSON *v, int in)
{
	static const char *const known[] = { "value", "display", "$ref",
	    "type", NULL };
	const cJSON	*m, *f, *one = cJSON_IsObject(v) ? v : NULL;
	size_t		 i;

	if (!cJSON_IsArray(v) && one == NULL)
		goto bad;
	for (m = one != NULL ? one : v->child; m != NULL;
	    m = one != NULL ? NULL : m->next) {
		if (!cJSON_IsObject(m) ||
		    !cJSON_IsString(cJSON_GetObjectItem(m, "value")))
			goto bad;
		cJSON_ArrayForEach(f, m) {
			for (i = 0; known[i] != NULL; i++)
				if (strcasecmp(f->string, known[i]) == 0)
					break;
			if (known[i] == NULL)
				goto bad;
		}
		if (member_set(r, g, cJSON_GetObjectItem(m, "value")->valuestring,
		    in) == -1)
			return -1;
	}
	return 0;
bad:
	resp_error(r, 400, "invalidValue", "members", "members is a list of "
	    "{\"value\": a user's id}");
	return -1;
}

static void
members_clear(struct scim_group *g)
{
	while (g->delta->child != NULL)
		cJSON_Delete(cJSON_DetachItemViaPointer(g->delta,
		    g->delta->child));
	g->cleared = 1;
}

static int
bad_path(struct req *r, const struct patch_op *op)
{
	resp_error(r, 400, op->kind == PATCH_BODY ? "invalidSyntax" :
	    "invalidPath", op->path.attr, "%s is not an attribute of a Group "
	    "this service keeps in that form", op->path.attr);
	return -1;
}

/* members, members[value eq "id"] (remove only). */
static int
members_apply(struct req *r, struct scim_group *g, const struct patch_op *op)
{
	const struct scim_path	*p = &op->path;

	if (p->sub[0] != '\0')
		return bad_path(r, op);
	if (p->has_filter) {
		if (op->kind != PATCH_REMOVE ||
		    !scim_name_is(p->filter.attr, "value"))
			return bad_path(r, op);
		return member_set(r, g, p->filter.value, 0);
	}
	switch (op->kind) {
	case PATCH_ADD:
		return members_set(r, g, op->value, 1);
	case PATCH_REMOVE:
		if (op->value == NULL) {
			members_clear(g);
			return 0;
		}
		return members_set(r, g, op->value, 0);
	default:
		members_clear(g);
		return cJSON_IsNull(op->value) ? 0 :
		    members_set(r, g, op->value, 1);
	}
}

static int
display_name_apply(struct req *r, struct scim_group *g,
    const struct patch_op *op)
{
	if (op->kind != PATCH_REMOVE && scim_text(r, op->value, "displayName",
	    SCIM_NAME_CHARS, g->name, sizeof(g->name), &g->has_name) == -1)
		return -1;
	if (op->kind != PATCH_REMOVE && g->has_name && g->name[0] != '\0')
		return 0;
	resp_error(r, 400, op->kind == PATCH_REMOVE ? "mutability" :
	    "invalidValue", "displayName", "displayName is required text");
	return -1;
}

/* One attribute (or PATCH operation) onto the group. 0, or -1 answered. */
static int
group_apply(struct req *r, const struct patch_op *op, void *arg)
{
	struct scim_group	*g = arg;
	const struct scim_path	*p = &op->path;

	if (!scim_urn_is_core(p, SCIM_GROUP_URN))
		return bad_path(r, op);
	if (scim_name_is(p->attr, "id") || scim_name_is(p->attr, "meta")) {
		if (op->kind == PATCH_BODY || op->in_value)
			return 0;
		resp_error(r, 400, "mutability", p->attr, "%s is read-only",
		    p->attr);
		return -1;
	}
	if (scim_name_is(p->attr, "members"))
		return members_apply(r, g, op);
	if (p->has_filter || p->sub[0] != '\0')
		return bad_path(r, op);
	if (scim_name_is(p->attr, "displayName"))
		return display_name_apply(r, g, op);
	if (scim_name_is(p->attr, "externalId")) {
		if (scim_text(r, op->kind == PATCH_REMOVE ? NULL : op->value,
		    "externalId", SCIM_EXTERNAL_MAX, g->external,
		    sizeof(g->external), &g->has_external) == -1)
			return -1;
		g->has_external = g->external[0] != '\0';
		return 0;
	}
	return bad_path(r, op);
}

/* The ids the change makes members (in) or not, as a uuid[] literal. */
static int
member_array(const struct scim_group *g, int in, struct buf *b)
{
	const cJSON	*m;
	int		 n = 0;

	if (buf_puts(b, "{") == -1)
		return -1;
	cJSON_ArrayForEach(m, g->delta)
		if (cJSON_IsTrue(m) == in && buf_printf(b, "%s%s",
		    n++ > 0 ? "," : "", m->string) == -1)
			return -1;
	return buf_puts(b, "}");
}

/* 0 when every member to add is in the directory; else -1 answered. */
static int
members_known(struct req *r, const char *ids)
{
	const char	*v[2] = { r->principal.account_id, ids };
	PGresult	*res;
	int		 ok;

	if ((res = req_sql(r, ST_MEMBER_UNKNOWN, 2, v, 0)) == NULL)
		return -1;
	if (!(ok = PQntuples(res) == 0))
		resp_error(r, 400, "invalidValue", "members", "no user %s in "
		    "the directory", PQgetvalue(res, 0, 0));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Answers with group id as it is now (status), in its transaction. */
static void
group_answer(struct req *r, const char *id, int status)
{
	struct scim_query	 q;
	const char		*v[4];
	PGresult		*res;

	if (scim_item_query(r, "members", &q) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = id;
	v[2] = q.base;
	v[3] = q.refs ? "true" : "false";
	if (status == 201 && scim_location(r, q.base, "Groups", id) == -1) {
		resp_nomem(r);
		return;
	}
	if ((res = req_sql(r, ST_GROUP_GET, 4, v, DB_LAST)) != NULL)
		scim_resource_answer(r, res, status, "group");
}

/*
 * GET /scim/v2/Groups?filter=&startIndex=&count=&attributes=
 * &excludedAttributes=: 200 ListResponse; 400 invalidFilter,
 * invalidValue.
 */
void
group_list(struct req *r)
{
	struct scim_query	 q;
	const char		*v[7];
	PGresult		*res;

	if (scim_list_query(r, filterable, "members", &q) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = q.attr;
	v[2] = q.attr != NULL ? q.value : NULL;
	v[3] = q.count;
	v[4] = q.offset;
	v[5] = q.base;
	v[6] = q.refs ? "true" : "false";
	if ((res = req_sql(r, ST_GROUP_LIST, 7, v, DB_LAST)) != NULL)
		(void)scim_list_answer(r, &q, res);
}

/* GET /scim/v2/Groups/{group_id}: 200 the Group; 404. */
void
group_get(struct req *r)
{
	struct scim_query	 q;
	const char		*v[4];
	PGresult		*res;

	if (scim_item_query(r, "members", &q) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = req_param(r, 0);
	v[2] = q.base;
	v[3] = q.refs ? "true" : "false";
	if ((res = req_sql(r, ST_GROUP_GET, 4, v, DB_LAST)) != NULL)
		scim_resource_answer(r, res, 200, "group");
}

/* A POST or PUT body onto g; displayName required. 0, or -1 answered. */
static int
group_body(struct req *r, struct scim_group *g)
{
	if (scim_body_schemas(r, SCIM_GROUP_URN, NULL) == -1 ||
	    scim_body_each(r, group_apply, g) == -1)
		return -1;
	if (g->has_name)
		return 0;
	resp_error(r, 400, "invalidValue", "displayName", "displayName is "
	    "required");
	return -1;
}

static int
group_insert(struct req *r, const struct scim_group *g, char *id)
{
	const char	*v[4 + AUDIT_WHO_PARAMS];
	struct buf	 add = { 0 };
	PGresult	*res;
	int		 rc = -1;

	if (member_array(g, 1, &add) == -1) {
		resp_nomem(r);
		goto done;
	}
	if (members_known(r, add.data) == -1 ||
	    quota_allows(r, r->principal.account_id, "teams", 1) != 1)
		goto done;
	v[0] = r->principal.account_id;
	v[1] = g->name;
	v[2] = g->has_external ? g->external : NULL;
	v[3] = add.data;
	audit_who(r, v + 4);
	if ((res = req_sql(r, ST_GROUP_CREATE, 7, v, 0)) == NULL) {
		rc = scim_conflict(r, "the displayName or externalId");
		goto done;
	}
	if (PQntuples(res) == 1) {
		(void)snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
		rc = 0;
	} else
		resp_error(r, 409, "conflict", NULL, "the account has no "
		    "global Copilot organisation");
	PQclear(res);
done:
	buf_free(&add);
	return rc;
}

/*
 * POST /scim/v2/Groups {Group}: 201 the Group, a new team of the global
 * organisation with its members; 400 invalidSyntax, invalidValue; 409
 * uniqueness (displayName or externalId taken), quota_exceeded.
 */
void
group_create(struct req *r)
{
	struct scim_group	 g;
	char			 id[37];

	if (group_init(r, &g) == -1)
		return;
	if (group_body(r, &g) == 0 && group_insert(r, &g, id) == 0)
		group_answer(r, id, 201);
	cJSON_Delete(g.delta);
}

/* The group, locked, into g: 1, 0 answered 404, -1 answered. */
static int
group_lock(struct req *r, struct scim_group *g)
{
	const char	*v[2] = { r->principal.account_id, req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_GROUP_LOCK, 2, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such group");
		return 0;
	}
	g->has_name = 1;
	(void)snprintf(g->name, sizeof(g->name), "%s", PQgetvalue(res, 0, 0));
	g->has_external = !PQgetisnull(res, 0, 1);
	(void)snprintf(g->external, sizeof(g->external), "%s",
	    PQgetvalue(res, 0, 1));
	PQclear(res);
	return 1;
}

/* Writes the group as g says. 0, or -1 answered. */
static int
group_write(struct req *r, const struct scim_group *g)
{
	const char	*v[7 + AUDIT_WHO_PARAMS];
	struct buf	 add = { 0 }, drop = { 0 };
	PGresult	*res;
	int		 rc = -1;

	if (member_array(g, 1, &add) == -1 || member_array(g, 0, &drop) == -1) {
		resp_nomem(r);
		goto done;
	}
	if (members_known(r, add.data) == -1)
		goto done;
	v[0] = r->principal.account_id;
	v[1] = req_param(r, 0);
	v[2] = g->name;
	v[3] = g->has_external ? g->external : NULL;
	v[4] = add.data;
	v[5] = drop.data;
	v[6] = g->cleared ? "true" : "false";
	audit_who(r, v + 7);
	if ((res = req_sql(r, ST_GROUP_UPDATE, 10, v, 0)) == NULL) {
		rc = scim_conflict(r, "the displayName or externalId");
		goto done;
	}
	if (PQntuples(res) == 1)
		rc = 0;
	else
		resp_error(r, 404, "not_found", NULL, "no such group");
	PQclear(res);
done:
	buf_free(&add);
	buf_free(&drop);
	return rc;
}

/*
 * PUT /scim/v2/Groups/{group_id} {Group}: 200 the Group, replaced
 * (members not given are removed; externalId not given is kept); 400;
 * 404; 409 uniqueness.
 */
void
group_replace(struct req *r)
{
	struct scim_group	 g;

	if (group_init(r, &g) == -1)
		return;
	if (group_lock(r, &g) == 1) {
		g.has_name = 0;
		g.cleared = 1;
		if (group_body(r, &g) == 0 && group_write(r, &g) == 0)
			group_answer(r, req_param(r, 0), 200);
	}
	cJSON_Delete(g.delta);
}

/*
 * PATCH /scim/v2/Groups/{group_id} {PatchOp}: 200 the Group; 400
 * invalidSyntax, invalidPath, invalidValue, mutability, noTarget; 404;
 * 409 uniqueness.
 */
void
group_patch(struct req *r)
{
	struct scim_group	 g;

	if (group_init(r, &g) == -1)
		return;
	if (group_lock(r, &g) == 1 && scim_patch(r, group_apply, &g) == 0 &&
	    group_write(r, &g) == 0)
		group_answer(r, req_param(r, 0), 200);
	cJSON_Delete(g.delta);
}

/* DELETE /scim/v2/Groups/{group_id}: 204, the team deleted; 404. */
void
group_delete(struct req *r)
{
	const char	*v[2 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = r->principal.account_id;
	v[1] = req_param(r, 0);
	audit_who(r, v + 2);
	if ((res = req_sql(r, ST_GROUP_DELETE, 5, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) == 1)
		resp_ok(r, 204);
	else
		resp_error(r, 404, "not_found", NULL, "no such group");
	PQclear(res);
}
