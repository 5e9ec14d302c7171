/*
 * Organisations of a domain's directory. Each account has one global
 * Copilot organisation, which cannot be deleted; an organisation with
 * teams cannot be deleted either (move or delete its teams first).
 */
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "pagination.h"
#include "audit.h"
#include "uuid.h"

static const char *const list_params[] = {
	"limit", "cursor", "sort", "q", NULL
};

static const struct field create_fields[] = {
	{ "name", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "description", FIELD_TEXT, 0, 0, 2000, NULL, NULL },
};

static const struct field update_fields[] = {
	{ "name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
	{ "description", FIELD_TEXT, 0, 0, 2000, NULL, NULL },
};

static void
name_taken(struct req *r)
{
	resp_error(r, 409, "name_taken", "name", "another organisation of "
	    "this directory has this name");
}

/*
 * GET /v1/{domain}/orgs?q=&sort=&limit=&cursor=: 200 with a page of
 * organisations; 400 invalid_parameter or account_required.
 */
void
org_list(struct req *r)
{
	struct dir	 d;
	struct dir_list	 l;
	const char	*v[6];
	PGresult	*res;

	if (dir_context(r, &d) == -1)
		return;
	if (dir_list_parse(r, &l, list_params) == -1) {
		dir_list_free(&l);
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = l.pattern.data;
	page_after(&l.page, &v[3], &v[4]);
	v[5] = l.fetch;
	res = req_sql(r, l.by_name ? ST_ORG_LIST_NAME : ST_ORG_LIST_CREATED,
	    6, v, DB_LAST);
	if (res != NULL)
		dir_list_answer(r, res, &l, 1, 2, 3);
	dir_list_free(&l);
}

/* GET /v1/{domain}/orgs/{org_id}: 200, or 404. */
void
org_get(struct req *r)
{
	struct dir	 d;
	const char	*v[3];
	PGresult	*res;

	if (dir_context(r, &d) == -1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	if ((res = req_sql(r, ST_ORG_GET, 3, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such organisation");
}

/*
 * POST /v1/{domain}/orgs {"name", "description"?}: 201 with it; 400
 * unknown_field; 422 invalid_field; 409 name_taken.
 */
void
org_create(struct req *r)
{
	struct field_error	 e;
	struct dir		 d;
	const char		*v[4 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (dir_context(r, &d) == -1)
		return;
	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = text_member(r->body, "name");
	v[3] = text_member(r->body, "description");
	audit_who(r, v + 4);
	if ((res = req_sql(r, ST_ORG_CREATE, 7, v, DB_LAST)) == NULL) {
		if (req_sqlstate(r, "23505"))
			name_taken(r);
		return;
	}
	json_answer(r, res, 201, "no such organisation");
}

/*
 * PATCH /v1/{domain}/orgs/{org_id} {"name"?, "description"?}: 200; 400
 * empty_update or unknown_field; 422; 404; 409 name_taken.
 */
void
org_update(struct req *r)
{
	struct field_error	 e;
	struct dir		 d;
	const char		*v[5 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (dir_context(r, &d) == -1)
		return;
	if (validate_object(r->body, update_fields, NFIELDS(update_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "name, description");
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	v[3] = text_member(r->body, "name");
	v[4] = text_member(r->body, "description");
	audit_who(r, v + 5);
	if ((res = req_sql(r, ST_ORG_UPDATE, 8, v, DB_LAST)) == NULL) {
		if (req_sqlstate(r, "23505"))
			name_taken(r);
		return;
	}
	json_answer(r, res, 200, "no such organisation");
}

/*
 * DELETE /v1/{domain}/orgs/{org_id}: 200 {"id", "deleted": true}; 404;
 * 409 cannot_delete_global or organisation_not_empty.
 */
void
org_delete(struct req *r)
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
	if ((res = req_sql(r, ST_ORG_DELETE, 6, v, DB_LAST)) == NULL)
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "no such organisation");
	else if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		resp_error(r, 409, "cannot_delete_global", NULL, "the global "
		    "organisation stays as long as the account");
	else if (PQgetisnull(res, 0, 3))
		resp_error(r, 409, "organisation_not_empty", NULL, "the "
		    "organisation has %s teams; move or delete them first",
		    PQgetvalue(res, 0, 2));
	else if (buf_printf(&r->out, "{\"id\":\"%s\",\"deleted\":true}",
	    PQgetvalue(res, 0, 3)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}
