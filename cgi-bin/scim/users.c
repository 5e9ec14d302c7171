/*
 * /scim/v2/Users: the account's users enrolled in its Copilot directory.
 * userName is the email; name.givenName, name.familyName, displayName,
 * externalId and active are kept; the other attributes of RFC 7643's
 * User (emails, phoneNumbers, title, locale, password, the enterprise
 * extension, ...) are accepted and not kept. Creating a user whose email
 * the account already has adopts that user into the directory; making a
 * user inactive (active false, or DELETE) deactivates it and its
 * enrolment and ends its memberships there, and keeps its rows. A user
 * made or made active again takes a place of the plan's user quota.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "quota.h"
#include "scim.h"

static const char *const filterable[] = { "userName", "externalId",
    "displayName", NULL };

/* User attributes RFC 7643 defines that are accepted and not kept. */
static const char *const unkept[] = { "emails", "nickName", "profileUrl",
    "title", "userType", "preferredLanguage", "locale", "timezone",
    "password", "phoneNumbers", "ims", "photos", "addresses",
    "entitlements", "roles", "x509Certificates", NULL };

/* And the read-only ones: ignored in a body, refused by PATCH. */
static const char *const read_only[] = { "id", "meta", "groups", NULL };

struct scim_user {
	char	 user_name[SCIM_TEXT_BYTES(SCIM_EMAIL_MAX)];
	char	 given[SCIM_TEXT_BYTES(SCIM_NAME_CHARS)];
	char	 family[SCIM_TEXT_BYTES(SCIM_NAME_CHARS)];
	char	 display[SCIM_TEXT_BYTES(SCIM_NAME_CHARS)];
	char	 external[SCIM_TEXT_BYTES(SCIM_EXTERNAL_MAX)];
	int	 has_user_name, has_given, has_family, has_display;
	int	 has_external;
	int	 active;
};

/* The user as locked: its statuses and what SCIM keeps of it. */
struct user_row {
	char		 id[37];
	int		 user_active;	/* users.status */
	int		 active;	/* and its enrolment's */
	struct scim_user u;
};

static int
listed(const char *name, const char *const *list)
{
	size_t	 i;

	for (i = 0; list[i] != NULL; i++)
		if (scim_name_is(name, list[i]))
			return 1;
	return 0;
}

static int
bad_path(struct req *r, const struct patch_op *op)
{
	resp_error(r, 400, op->kind == PATCH_BODY ? "invalidSyntax" :
	    "invalidPath", op->path.attr, "%s%s%s is not an attribute of a "
	    "User this service keeps", op->path.attr, op->path.sub[0] != '\0' ?
	    "." : "", op->path.sub);
	return -1;
}

/* name.givenName, name.familyName; name's other parts are not kept. */
static int
name_part(struct req *r, struct scim_user *u, const char *part,
    const cJSON *v)
{
	static const char *const others[] = { "formatted", "middleName",
	    "honorificPrefix", "honorificSuffix", NULL };

	if (scim_name_is(part, "givenName"))
		return scim_text(r, v, "name.givenName", SCIM_NAME_CHARS,
		    u->given, sizeof(u->given), &u->has_given);
	if (scim_name_is(part, "familyName"))
		return scim_text(r, v, "name.familyName", SCIM_NAME_CHARS,
		    u->family, sizeof(u->family), &u->has_family);
	if (listed(part, others))
		return 0;
	resp_error(r, 400, "invalidValue", "name", "name.%s is not an "
	    "attribute of a User", part);
	return -1;
}

static int
name_apply(struct req *r, struct scim_user *u, const struct patch_op *op)
{
	const cJSON	*m;

	if (op->path.sub[0] != '\0')
		return name_part(r, u, op->path.sub, op->kind == PATCH_REMOVE ?
		    NULL : op->value);
	if (op->kind == PATCH_REMOVE || cJSON_IsNull(op->value)) {
		u->has_given = u->has_family = 0;
		return 0;
	}
	if (!cJSON_IsObject(op->value)) {
		resp_error(r, 400, "invalidValue", "name", "name is an object");
		return -1;
	}
	cJSON_ArrayForEach(m, op->value)
		if (name_part(r, u, m->string, m) == -1)
			return -1;
	return 0;
}

static int
user_name_apply(struct req *r, struct scim_user *u, const struct patch_op *op)
{
	if (op->kind == PATCH_REMOVE) {
		resp_error(r, 400, "mutability", "userName", "userName is "
		    "required and cannot be removed");
		return -1;
	}
	if (scim_text(r, op->value, "userName", SCIM_EMAIL_MAX, u->user_name,
	    sizeof(u->user_name), &u->has_user_name) == -1)
		return -1;
	if (u->has_user_name && email_valid(u->user_name))
		return 0;
	resp_error(r, 400, "invalidValue", "userName", "userName must be the "
	    "user's email address");
	return -1;
}

static int
active_apply(struct req *r, struct scim_user *u, const struct patch_op *op)
{
	if (op->kind != PATCH_REMOVE && scim_bool(op->value, &u->active) == 0)
		return 0;
	resp_error(r, 400, "invalidValue", "active", "active must be true or "
	    "false");
	return -1;
}

/* One attribute (or PATCH operation) onto the user. 0, or -1 answered. */
static int
user_apply(struct req *r, const struct patch_op *op, void *arg)
{
	struct scim_user	*u = arg;
	const struct scim_path	*p = &op->path;
	const cJSON		*v = op->kind == PATCH_REMOVE ? NULL : op->value;

	if (!scim_urn_is_core(p, SCIM_USER_URN))
		return strcasecmp(p->urn, SCIM_ENTERPRISE_URN) == 0 ? 0 :
		    bad_path(r, op);
	if (listed(p->attr, read_only)) {
		if (op->kind == PATCH_BODY || op->in_value)
			return 0;
		resp_error(r, 400, "mutability", p->attr, "%s is read-only",
		    p->attr);
		return -1;
	}
	if (listed(p->attr, unkept))
		return 0;
	if (p->has_filter)
		return bad_path(r, op);
	if (scim_name_is(p->attr, "name"))
		return name_apply(r, u, op);
	if (p->sub[0] != '\0')
		return bad_path(r, op);
	if (scim_name_is(p->attr, "userName"))
		return user_name_apply(r, u, op);
	if (scim_name_is(p->attr, "active"))
		return active_apply(r, u, op);
	if (scim_name_is(p->attr, "displayName"))
		return scim_text(r, v, "displayName", SCIM_NAME_CHARS,
		    u->display, sizeof(u->display), &u->has_display);
	if (scim_name_is(p->attr, "externalId")) {
		if (scim_text(r, v, "externalId", SCIM_EXTERNAL_MAX,
		    u->external, sizeof(u->external), &u->has_external) == -1)
			return -1;
		u->has_external = u->external[0] != '\0';
		return 0;
	}
	return bad_path(r, op);
}

static void
copy_col(char *out, size_t len, int *has, const PGresult *res, int col)
{
	*has = !PQgetisnull(res, 0, col);
	(void)snprintf(out, len, "%s", *has ? PQgetvalue(res, 0, col) : "");
}

/* The user, locked: 1, 0 answered 404, -1 answered. */
static int
user_lock(struct req *r, struct user_row *row)
{
	const char	*v[2] = { r->principal.account_id, req_param(r, 0) };
	PGresult	*res;
	struct scim_user *u = &row->u;

	memset(row, 0, sizeof(*row));
	if ((res = req_sql(r, ST_USER_LOCK, 2, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such user");
		return 0;
	}
	(void)snprintf(row->id, sizeof(row->id), "%s", v[1]);
	row->user_active = strcmp(PQgetvalue(res, 0, 0), "active") == 0;
	row->active = row->user_active &&
	    strcmp(PQgetvalue(res, 0, 1), "active") == 0;
	u->active = row->active;
	copy_col(u->user_name, sizeof(u->user_name), &u->has_user_name, res, 2);
	copy_col(u->given, sizeof(u->given), &u->has_given, res, 3);
	copy_col(u->family, sizeof(u->family), &u->has_family, res, 4);
	copy_col(u->display, sizeof(u->display), &u->has_display, res, 5);
	copy_col(u->external, sizeof(u->external), &u->has_external, res, 6);
	PQclear(res);
	return 1;
}

/* Answers with the user id as it is now (status), in its transaction. */
static void
user_answer(struct req *r, const char *id, int status)
{
	struct scim_query	 q;
	const char		*v[4];
	PGresult		*res;

	if (scim_item_query(r, "groups", &q) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = id;
	v[2] = q.base;
	v[3] = q.refs ? "true" : "false";
	if (status == 201 && scim_location(r, q.base, "Users", id) == -1) {
		resp_nomem(r);
		return;
	}
	if ((res = req_sql(r, ST_USER_GET, 4, v, DB_LAST)) != NULL)
		scim_resource_answer(r, res, status, "user");
}

#define OPT(u, f)	((u)->has_ ## f ? (u)->f : NULL)

/*
 * Writes the user as u says (action audited), making it active within
 * the quota when it was not (users_active: users.status now). 0, or -1
 * answered.
 */
static int
user_write(struct req *r, const char *id, int user_active,
    const struct scim_user *u, const char *action)
{
	const char	*v[9 + AUDIT_WHO_PARAMS];
	PGresult	*res;
	int		 ok;

	if (u->active && !user_active &&
	    quota_allows(r, r->principal.account_id, "users", 1) != 1)
		return -1;
	v[0] = r->principal.account_id;
	v[1] = id;
	v[2] = u->user_name;
	v[3] = OPT(u, given);
	v[4] = OPT(u, family);
	v[5] = OPT(u, display);
	v[6] = OPT(u, external);
	v[7] = u->active ? "active" : "inactive";
	v[8] = action;
	audit_who(r, v + 9);
	if ((res = req_sql(r, ST_USER_WRITE, 12, v, 0)) == NULL)
		return scim_conflict(r, "the userName or externalId");
	ok = PQntuples(res) == 1;
	PQclear(res);
	if (!ok)
		resp_error(r, 404, "not_found", NULL, "no such user");
	return ok ? 0 : -1;
}

/*
 * GET /scim/v2/Users?filter=&startIndex=&count=&attributes=
 * &excludedAttributes=: 200 ListResponse of the directory's users, in
 * the order they were enrolled; 400 invalidFilter, invalidValue.
 */
void
user_list(struct req *r)
{
	struct scim_query	 q;
	const char		*v[7];
	PGresult		*res;

	if (scim_list_query(r, filterable, "groups", &q) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = q.attr;
	v[2] = q.attr != NULL ? q.value : NULL;
	v[3] = q.count;
	v[4] = q.offset;
	v[5] = q.base;
	v[6] = q.refs ? "true" : "false";
	if ((res = req_sql(r, ST_USER_LIST, 7, v, DB_LAST)) != NULL)
		(void)scim_list_answer(r, &q, res);
}

/* GET /scim/v2/Users/{user_id}: 200 the User; 404. */
void
user_get(struct req *r)
{
	struct scim_query	 q;
	const char		*v[4];
	PGresult		*res;

	if (scim_item_query(r, "groups", &q) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = req_param(r, 0);
	v[2] = q.base;
	v[3] = q.refs ? "true" : "false";
	if ((res = req_sql(r, ST_USER_GET, 4, v, DB_LAST)) != NULL)
		scim_resource_answer(r, res, 200, "user");
}

/* A POST or PUT body onto u; userName required. 0, or -1 answered. */
static int
user_body(struct req *r, struct scim_user *u)
{
	if (scim_body_schemas(r, SCIM_USER_URN, SCIM_ENTERPRISE_URN) == -1 ||
	    scim_body_each(r, user_apply, u) == -1)
		return -1;
	if (u->has_user_name)
		return 0;
	resp_error(r, 400, "invalidValue", "userName", "userName (the "
	    "user's email address) is required");
	return -1;
}

/* A new user, enrolled; its id into id. 0, or -1 answered. */
static int
user_insert(struct req *r, const struct scim_user *u, char *id)
{
	const char	*v[7 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if (u->active && quota_allows(r, r->principal.account_id, "users",
	    1) != 1)
		return -1;
	v[0] = r->principal.account_id;
	v[1] = u->user_name;
	v[2] = OPT(u, given);
	v[3] = OPT(u, family);
	v[4] = OPT(u, display);
	v[5] = OPT(u, external);
	v[6] = u->active ? "active" : "inactive";
	audit_who(r, v + 7);
	if ((res = req_sql(r, ST_USER_CREATE, 10, v, 0)) == NULL)
		return scim_conflict(r, "the userName or externalId");
	(void)snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * The account's user of that email (res from ST_USER_FIND) adopted into
 * the directory: unless it is there already and provisioned (it has an
 * externalId and the request none or another; or neither has one):
 * 409 uniqueness.
 */
static int
user_adopt(struct req *r, PGresult *res, struct scim_user *u, char *id)
{
	int	 enrolled = !PQgetisnull(res, 0, 3);
	int	 db_external = !PQgetisnull(res, 0, 2);

	if (enrolled && !(u->has_external && (!db_external ||
	    strcmp(PQgetvalue(res, 0, 2), u->external) == 0))) {
		resp_error(r, 409, "uniqueness", "userName", "a user with this "
		    "userName is already provisioned");
		return -1;
	}
	(void)snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
	if (!u->has_external && db_external) {
		u->has_external = 1;
		(void)snprintf(u->external, sizeof(u->external), "%s",
		    PQgetvalue(res, 0, 2));
	}
	return user_write(r, id, strcmp(PQgetvalue(res, 0, 1), "active") == 0,
	    u, "scim.user.create");
}

/*
 * POST /scim/v2/Users {User}: 201 the User (new, or the account's user
 * of that email adopted into the directory); 400 invalidSyntax,
 * invalidValue; 409 uniqueness (userName or externalId taken),
 * quota_exceeded.
 */
void
user_create(struct req *r)
{
	struct scim_user	 u;
	char			 id[37];
	const char		*v[2];
	PGresult		*res;
	int			 rc;

	memset(&u, 0, sizeof(u));
	u.active = 1;
	if (user_body(r, &u) == -1)
		return;
	v[0] = r->principal.account_id;
	v[1] = u.user_name;
	if ((res = req_sql(r, ST_USER_FIND, 2, v, 0)) == NULL)
		return;
	if (PQntuples(res) == 0)
		rc = user_insert(r, &u, id);
	else
		rc = user_adopt(r, res, &u, id);
	PQclear(res);
	if (rc == 0)
		user_answer(r, id, 201);
}

/*
 * PUT /scim/v2/Users/{user_id} {User}: 200 the User, replaced (name and
 * displayName not given are cleared; externalId and active not given are
 * kept); 400; 404; 409 uniqueness, quota_exceeded.
 */
void
user_replace(struct req *r)
{
	struct user_row	 row;
	struct scim_user *u = &row.u;

	if (user_lock(r, &row) != 1)
		return;
	u->has_user_name = u->has_given = u->has_family = u->has_display = 0;
	if (user_body(r, u) == -1 ||
	    user_write(r, row.id, row.user_active, u, row.active &&
	    !u->active ? "scim.user.deactivate" : "scim.user.update") == -1)
		return;
	user_answer(r, row.id, 200);
}

/*
 * PATCH /scim/v2/Users/{user_id} {PatchOp}: 200 the User; 400
 * invalidSyntax, invalidPath, invalidValue, mutability, noTarget; 404;
 * 409 uniqueness, quota_exceeded.
 */
void
user_patch(struct req *r)
{
	struct user_row	 row;
	struct scim_user *u = &row.u;

	if (user_lock(r, &row) != 1 || scim_patch(r, user_apply, u) == -1 ||
	    user_write(r, row.id, row.user_active, u, row.active &&
	    !u->active ? "scim.user.deactivate" : "scim.user.update") == -1)
		return;
	user_answer(r, row.id, 200);
}

/*
 * DELETE /scim/v2/Users/{user_id}: 204; the user is deactivated (with
 * its enrolment, out of its teams), its rows kept; 404.
 */
void
user_delete(struct req *r)
{
	struct user_row	 row;

	if (user_lock(r, &row) != 1)
		return;
	row.u.active = 0;
	if (user_write(r, row.id, row.user_active, &row.u,
	    "scim.user.deactivate") == 0)
		resp_ok(r, 204);
}
