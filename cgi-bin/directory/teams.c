/*
 * Teams, inside an organisation of the same domain (the global one when
 * none is named, in Copilot). Creating one counts against the plan's
 * teams quota; deleting one ends its memberships.
 */
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "pagination.h"
#include "audit.h"
#include "quota.h"
#include "uuid.h"

static const char *const list_params[] = {
	"limit", "cursor", "sort", "q", "organisation_id", NULL
};

static int
id_valid(const char *s)
{
	return uuid_valid(s);
}

static const struct field create_fields[] = {
	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "description", FIELD_TEXT, 0, 0, 2000, NULL, NULL },
	{ "organisation_id", FIELD_TEXT, 0, 36, 36, id_valid,
	    "an organisation's id" },
};

static const struct field update_fields[] = {
	{ "name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
	{ "description", FIELD_TEXT, 0, 0, 2000, NULL, NULL },
	{ "organisation_id", FIELD_TEXT, 0, 36, 36, id_valid,
	    "an organisation's id" },
};

static void
name_taken(struct req *r)
{
	resp_error(r, 409, "name_taken", "name", "another team of this "
	    "organisation has this name");
}

static void
no_organisation(struct req *r)
{
	resp_error(r, 422, "invalid_field", "organisation_id", "no "
	    "organisation of this directory has this id%s",
	    strncmp(r->path, "/v1/console/", 12) == 0 ? " (Console teams need "
	    "one)" : "");
}

/*
 * GET /v1/{domain}/teams?organisation_id=&q=&sort=&limit=&cursor=: 200
 * with a page of teams; 400 invalid_parameter or account_required.
 */
void
team_list(struct req *r)
{
	struct dir	 d;
	struct dir_list	 l;
	const char	*v[7], *org;
	PGresult	*res;

	if (dir_context(r, &d) == -1)
		return;
	if (dir_list_parse(r, &l, list_params) == -1) {
		dir_list_free(&l);
		return;
	}
	org = req_query(r, "organisation_id");
	if (org != NULL && !uuid_valid(org)) {
		dir_list_free(&l);
		resp_error(r, 400, "invalid_parameter", "organisation_id",
		    "organisation_id must be an organisation's id");
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = l.pattern.data;
	v[3] = org;
	page_after(&l.page, &v[4], &v[5]);
	v[6] = l.fetch;
	res = req_sql(r, l.by_name ? ST_TEAM_LIST_NAME : ST_TEAM_LIST_CREATED,
	    7, v, DB_LAST);
	if (res != NULL)
		dir_list_answer(r, res, &l, 1, 2, 3);
	dir_list_free(&l);
}

/* GET /v1/{domain}/teams/{team_id}: 200, or 404. */
void
team_get(struct req *r)
{
	struct dir	 d;
	const char	*v[3];
	PGresult	*res;

	if (dir_context(r, &d) == -1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	if ((res = req_sql(r, ST_TEAM_GET, 3, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such team");
}

/*
 * POST /v1/{domain}/teams {"name", "description"?, "organisation_id"?}:
 * 201 with it; 400 unknown_field; 422 invalid_field (also an
 * organisation not of this directory); 409 name_taken or quota_exceeded.
 */
void
team_create(struct req *r)
{
	struct field_error	 e;
	struct dir		 d;
	const char		*v[5 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (dir_context(r, &d) == -1)
		return;
	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (quota_allows(r, d.account, "teams", 1) != 1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = text_member(r->body, "organisation_id");
	v[3] = text_member(r->body, "name");
	v[4] = text_member(r->body, "description");
	audit_who(r, v + 5);
	if ((res = req_sql(r, ST_TEAM_CREATE, 8, v, DB_LAST)) == NULL) {
		if (req_sqlstate(r, "23505"))
			name_taken(r);
		return;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		no_organisation(r);
		return;
	}
	json_answer(r, res, 201, "no such team");
}

/* Answers team id after a write, ending the transaction. */
static void
team_answer(struct req *r, const struct dir *d, const char *id)
{
	const char	*v[3] = { d->account, d->domain, id };
	PGresult	*res;

	if ((res = req_sql(r, ST_TEAM_GET, 3, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such team");
}

/*
 * PATCH /v1/{domain}/teams/{team_id} {"name"?, "description"?,
 * "organisation_id"?}: 200; 400 empty_update or unknown_field; 422
 * invalid_field; 404; 409 name_taken.
 */
void
team_update(struct req *r)
{
	struct field_error	 e;
	struct dir		 d;
	const char		*v[6 + AUDIT_WHO_PARAMS];
	PGresult		*res;
	int			 found, org;

	if (dir_context(r, &d) == -1)
		return;
	if (validate_object(r->body, update_fields, NFIELDS(update_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "name, description, organisation_id");
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	v[3] = text_member(r->body, "name");
	v[4] = text_member(r->body, "description");
	v[5] = text_member(r->body, "organisation_id");
	audit_who(r, v + 6);
	if ((res = req_sql(r, ST_TEAM_UPDATE, 9, v, 0)) == NULL) {
		if (req_sqlstate(r, "23505"))
			name_taken(r);
		return;
	}
	found = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	org = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	if (!found)
		resp_error(r, 404, "not_found", NULL, "no such team");
	else if (!org)
		no_organisation(r);
	else
		team_answer(r, &d, v[2]);
}

/* DELETE /v1/{domain}/teams/{team_id}: 200 {"id", "deleted": true}; 404. */
void
team_delete(struct req *r)
{
	struct dir	 d;
	const char	*v[3 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if (dir_context(r, &d) == -1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	audit_who(r, v + 3);
	if ((res = req_sql(r, ST_TEAM_DELETE, 6, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such team");
	else if (buf_printf(&r->out, "{\"id\":\"%s\",\"deleted\":true}",
	    PQgetvalue(res, 0, 0)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}
