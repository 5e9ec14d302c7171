/*
 * The account's users enrolled in a domain's directory, named by id or
 * email. A user is one person of the account: adding one that exists
 * (say, in the other domain) enrols it; a new one counts against the
 * plan's users quota and waits for its first sign-in, which adopts it.
 * Deleting a user, or setting it inactive, deactivates its enrolment and
 * ends its memberships in the domain; the person becomes inactive too
 * when it is active in no other domain. Nothing is erased: its history
 * stays.
 */
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "pagination.h"
#include "audit.h"
#include "quota.h"

static const char *const list_params[] = {
	"limit", "cursor", "sort", "q", "status", NULL
};

static int
status_valid(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "inactive") == 0;
}

#define NAME_FIELDS \
	{ "display_name", FIELD_TEXT, 0, 1, 200, NULL, NULL }, \
	{ "given_name", FIELD_TEXT, 0, 1, 200, NULL, NULL }, \
	{ "family_name", FIELD_TEXT, 0, 1, 200, NULL, NULL }

static const struct field create_fields[] = {
	{ "email", FIELD_TEXT, FIELD_REQUIRED, 3, 320, email_valid,
	    "an email address" },
	NAME_FIELDS,
};

static const struct field update_fields[] = {
	NAME_FIELDS,
	{ "status", FIELD_TEXT, 0, 1, 16, status_valid, "active or inactive" },
};

/*
 * GET /v1/{domain}/users?q=&status=&sort=&limit=&cursor=: 200 with a page
 * of the domain's users; 400 invalid_parameter or account_required.
 */
void
user_list(struct req *r)
{
	struct dir	 d;
	struct dir_list	 l;
	const char	*v[7], *status;
	PGresult	*res;

	if (dir_context(r, &d) == -1)
		return;
	if (dir_list_parse(r, &l, list_params) == -1) {
		dir_list_free(&l);
		return;
	}
	status = req_query(r, "status");
	if (status != NULL && !status_valid(status)) {
		dir_list_free(&l);
		resp_error(r, 400, "invalid_parameter", "status", "status must "
		    "be active or inactive");
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = l.pattern.data;
	v[3] = status;
	page_after(&l.page, &v[4], &v[5]);
	v[6] = l.fetch;
	res = req_sql(r, l.by_name ? ST_USER_LIST_NAME : ST_USER_LIST_CREATED,
	    7, v, DB_LAST);
	if (res != NULL)
		dir_list_answer(r, res, &l, 1, 2, 3);
	dir_list_free(&l);
}

/* Answers the user u of the domain, ending the transaction (status). */
static void
user_answer(struct req *r, const struct dir *d, const struct user_ref *u,
    int status)
{
	const char	*v[4] = { d->account, d->domain, u->id, u->email };
	PGresult	*res;

	if ((res = req_sql(r, ST_USER_GET, 4, v, DB_LAST)) != NULL)
		json_answer(r, res, status, "no such user in this directory");
}

/* GET /v1/{domain}/users/{user} (an id or an email): 200, or 404. */
void
user_get(struct req *r)
{
	struct dir	 d;
	struct user_ref	 u;

	if (dir_context(r, &d) == -1 ||
	    user_ref(r, req_param(r, 0), &u, NULL) == -1)
		return;
	user_answer(r, &d, &u, 200);
}

/*
 * The user u as the account knows it, the account locked for the change
 * that follows. 0 with *exists, *active (the person) and *enrolled (in
 * the domain: "active", "inactive" or ""), or -1 with the request
 * answered.
 */
static int
user_find(struct req *r, const struct dir *d, const struct user_ref *u,
    int *exists, int *active, char *enrolled, size_t len)
{
	const char	*v[4] = { d->account, d->domain, u->id, u->email };
	PGresult	*res;

	if ((res = req_sql(r, ST_USER_FIND, 4, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such account");
		return -1;
	}
	*exists = !PQgetisnull(res, 0, 1);
	*active = *exists && strcmp(PQgetvalue(res, 0, 2), "active") == 0;
	(void)snprintf(enrolled, len, "%s", PQgetvalue(res, 0, 3));
	PQclear(res);
	return 0;
}

/*
 * POST /v1/{domain}/users {"email", "display_name"?, "given_name"?,
 * "family_name"?}: 201 with the user, enrolled (and made when new); 400
 * unknown_field; 422 invalid_field; 409 user_exists (already in this
 * directory) or quota_exceeded.
 */
void
user_create(struct req *r)
{
	struct field_error	 e;
	struct dir		 d;
	struct user_ref		 u = { NULL, NULL };
	const char		*v[6 + AUDIT_WHO_PARAMS];
	char			 enrolled[16];
	PGresult		*res;
	int			 exists, active;

	if (dir_context(r, &d) == -1)
		return;
	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	u.email = text_member(r->body, "email");
	if (user_find(r, &d, &u, &exists, &active, enrolled,
	    sizeof(enrolled)) == -1)
		return;
	if (*enrolled != '\0') {
		resp_error(r, 409, "user_exists", "email", "this user is in the "
		    "directory already%s", strcmp(enrolled, "inactive") == 0 ?
		    " (inactive: set its status to active)" : "");
		return;
	}
	if (!exists && quota_allows(r, d.account, "users", 1) != 1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = u.email;
	v[3] = text_member(r->body, "display_name");
	v[4] = text_member(r->body, "given_name");
	v[5] = text_member(r->body, "family_name");
	audit_who(r, v + 6);
	if ((res = req_sql(r, ST_USER_CREATE, 9, v, DB_LAST)) != NULL)
		json_answer(r, res, 201, "no such user in this directory");
}

/* Sets the user's status: activate (within the quota) or deactivate. */
static int
user_set_status(struct req *r, const struct dir *d, const struct user_ref *u,
    const char *status)
{
	const char	*v[4 + AUDIT_WHO_PARAMS] = { d->account, d->domain, u->id,
			    u->email };
	char		 enrolled[16];
	PGresult	*res;
	int		 exists, active, activate = strcmp(status, "active") == 0;

	if (activate) {
		if (user_find(r, d, u, &exists, &active, enrolled,
		    sizeof(enrolled)) == -1)
			return -1;
		if (exists && !active &&
		    quota_allows(r, d->account, "users", 1) != 1)
			return -1;
	}
	audit_who(r, v + 4);
	if ((res = req_sql(r, activate ? ST_USER_ACTIVATE : ST_USER_DEACTIVATE,
	    7, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such user in this "
		    "directory");
		return -1;
	}
	PQclear(res);
	return 0;
}

/* Changes the user's names, when the body gives any. 0, or -1 answered. */
static int
user_set_names(struct req *r, const struct dir *d, const struct user_ref *u)
{
	const char	*v[7 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[4] = text_member(r->body, "display_name");
	v[5] = text_member(r->body, "given_name");
	v[6] = text_member(r->body, "family_name");
	if (v[4] == NULL && v[5] == NULL && v[6] == NULL)
		return 0;
	v[0] = d->account;
	v[1] = d->domain;
	v[2] = u->id;
	v[3] = u->email;
	audit_who(r, v + 7);
	if ((res = req_sql(r, ST_USER_UPDATE, 10, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such user in this "
		    "directory");
		return -1;
	}
	PQclear(res);
	return 0;
}

/*
 * PATCH /v1/{domain}/users/{user} {"display_name"?, "given_name"?,
 * "family_name"?, "status"?}: 200 with the user; 400 empty_update or
 * unknown_field; 422; 404; 409 quota_exceeded (making it active).
 */
void
user_update(struct req *r)
{
	struct field_error	 e;
	struct dir		 d;
	struct user_ref		 u;
	const char		*status;

	if (dir_context(r, &d) == -1 ||
	    user_ref(r, req_param(r, 0), &u, NULL) == -1)
		return;
	if (validate_object(r->body, update_fields, NFIELDS(update_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "display_name, given_name, family_name, status");
		return;
	}
	status = text_member(r->body, "status");
	if (user_set_names(r, &d, &u) == -1 ||
	    (status != NULL && user_set_status(r, &d, &u, status) == -1))
		return;
	user_answer(r, &d, &u, 200);
}

/*
 * DELETE /v1/{domain}/users/{user}: 200 with the user, now inactive in
 * the directory and in none of its teams or organisations; 404.
 */
void
user_delete(struct req *r)
{
	struct dir	 d;
	struct user_ref	 u;
	const char	*v[4 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if (dir_context(r, &d) == -1 ||
	    user_ref(r, req_param(r, 0), &u, NULL) == -1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = u.id;
	v[3] = u.email;
	audit_who(r, v + 4);
	if ((res = req_sql(r, ST_USER_DEACTIVATE, 7, v, 0)) == NULL)
		return;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such user in this "
		    "directory");
		return;
	}
	PQclear(res);
	user_answer(r, &d, &u, 200);
}
