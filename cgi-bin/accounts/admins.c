/*
 * An account's admins: users whose role in the account is account_admin.
 * Adding one by email promotes the user of that email, or creates it
 * (pending its first sign-in, which adopts it) within the plan's user
 * quota; removing one makes it an end user again, never deletes it. The
 * identity provider learns of them through sync-admin-grants.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "audit.h"
#include "list.h"
#include "quota.h"

static const char *const list_params[] = { "limit", "cursor", NULL };

static int
user_status_valid(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "inactive") == 0;
}

static const struct field add_fields[] = {
	{ "email", FIELD_TEXT, FIELD_REQUIRED, 3, 320, email_valid,
	    "an email address" },
	{ "display_name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
};

static const struct field update_fields[] = {
	{ "display_name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
	{ "status", FIELD_TEXT, 0, 1, 16, user_status_valid,
	    "active or inactive" },
};

/* Appends row i of an ADMIN_COLUMNS result as a JSON object. */
static int
admin_json(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, "{\"user_id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 0)) == -1 ||
	    buf_puts(b, ",\"email\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 1)) == -1 ||
	    buf_puts(b, ",\"display_name\":") == -1 ||
	    sql_json_text(b, res, i, 2) == -1 ||
	    buf_puts(b, ",\"status\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 3)) == -1 ||
	    buf_puts(b, ",\"role\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 4)) == -1 ||
	    buf_printf(b, ",\"signed_in\":%s", strcmp(PQgetvalue(res, i, 5),
	    "t") == 0 ? "true" : "false") == -1 ||
	    buf_puts(b, ",\"last_login_at\":") == -1 ||
	    sql_json_text(b, res, i, 6) == -1 ||
	    buf_puts(b, ",\"created_at\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 7)) == -1 ||
	    buf_puts(b, ",\"updated_at\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 8)) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/* Answers with the admin in res (status), or 404 when there is none. */
static void
admin_answer(struct req *r, PGresult *res, int status)
{
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		resp_error(r, 404, "not_found", NULL, "no such account admin");
	else if (admin_json(&r->out, res, 0) == -1)
		resp_nomem(r);
	else
		resp_ok(r, status);
	PQclear(res);
}

/*
 * GET /v1/accounts/{account_id}/admins?limit=&cursor=: 200 with a page of
 * admins in the order they became users; 404 not_found (no account).
 */
void
admin_list(struct req *r)
{
	struct page	 page;
	const char	*v[4];
	char		 fetch[16];
	PGresult	*res;
	int		 n;

	if (req_query_allow(r, list_params) == -1 || req_page(r, &page, 0) == -1)
		return;
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[0] = req_param(r, 0);
	page_after(&page, &v[1], &v[2]);
	v[3] = fetch;
	if ((res = req_sql(r, ST_ADMIN_LIST, 4, v, DB_LAST)) == NULL)
		return;
	n = PQntuples(res);
	if (n == 1 && PQgetisnull(res, 0, 0))
		n = 0;
	if (PQntuples(res) == 0)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (page_json(&r->out, res, n, page.limit, 7, 0,
	    admin_json) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * Whether the email's user may be added (or, activating, made active
 * again): the account exists (else 404) and, when the user would be new
 * (or is inactive), the plan's user quota has room (else 409
 * quota_exceeded). 1, or 0 with the request answered.
 */
static int
admin_may_add(struct req *r, const char *email, int activating)
{
	const char	*v[2] = { req_param(r, 0), email };
	PGresult	*res;
	int		 counted;

	if ((res = req_sql(r, ST_ADMIN_FIND, 2, v, 0)) == NULL)
		return 0;
	if (PQntuples(res) == 0) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such account");
		return 0;
	}
	counted = activating ? PQgetisnull(res, 0, 1) ||
	    strcmp(PQgetvalue(res, 0, 3), "active") == 0 :
	    !PQgetisnull(res, 0, 1);
	PQclear(res);
	if (counted)
		return 1;
	return quota_allows(r, v[0], "users", 1) == 1;
}

/*
 * POST /v1/accounts/{account_id}/admins {"email", "display_name"?}: 201
 * with the admin when the user is new, 200 when an existing user is
 * promoted or already an admin; 400 unknown_field; 422 invalid_field;
 * 404 not_found; 409 quota_exceeded.
 */
void
admin_add(struct req *r)
{
	struct field_error	 e;
	const char		*v[3 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (validate_object(r->body, add_fields, NFIELDS(add_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = text_member(r->body, "email");
	v[2] = text_member(r->body, "display_name");
	if (!admin_may_add(r, v[1], 0))
		return;
	audit_who(r, v + 3);
	if ((res = req_sql(r, ST_ADMIN_ADD, 6, v, DB_LAST)) == NULL)
		return;
	admin_answer(r, res, PQntuples(res) == 1 &&
	    strcmp(PQgetvalue(res, 0, 9), "created") == 0 ? 201 : 200);
}

/*
 * PATCH /v1/accounts/{account_id}/admins/{email} {"display_name"?,
 * "status"?}: 200 with the admin; 400 empty_update or unknown_field; 422
 * invalid_field; 404 not_found; 409 quota_exceeded (making an inactive
 * admin active again when the plan's users are all taken).
 */
void
admin_update(struct req *r)
{
	struct field_error	 e;
	const char		*v[4 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (validate_object(r->body, update_fields, NFIELDS(update_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "display_name, status");
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = req_param(r, 1);
	v[2] = text_member(r->body, "display_name");
	v[3] = text_member(r->body, "status");
	if (v[3] != NULL && strcmp(v[3], "active") == 0 &&
	    !admin_may_add(r, v[1], 1))
		return;
	audit_who(r, v + 4);
	if ((res = req_sql(r, ST_ADMIN_UPDATE, 7, v, DB_LAST)) != NULL)
		admin_answer(r, res, 200);
}

/*
 * DELETE /v1/accounts/{account_id}/admins/{email}: 200 with the user, now
 * an end user; 404 not_found; 409 cannot_remove_self (an account admin
 * removing themselves, which would leave no one to undo it).
 */
void
admin_remove(struct req *r)
{
	const char	*v[2 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = req_param(r, 0);
	v[1] = req_param(r, 1);
	if (r->principal.role == ROLE_ACCOUNT_ADMIN &&
	    strcasecmp(r->principal.email, v[1]) == 0) {
		resp_error(r, 409, "cannot_remove_self", NULL, "an account "
		    "admin cannot remove themselves; ask another admin");
		return;
	}
	audit_who(r, v + 2);
	if ((res = req_sql(r, ST_ADMIN_REMOVE, 5, v, DB_LAST)) != NULL)
		admin_answer(r, res, 200);
}
