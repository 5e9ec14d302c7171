/*
 * An account's life: active, suspended, deleted. Suspension is reversible
 * and keeps everything; a hard delete removes the account's data in one
 * transaction, needs the account's slug as confirmation, and leaves its
 * audit chain, which ends with the deletion.
 */
#include <string.h>

#include "accounts.h"
#include "audit.h"

static const char *const delete_params[] = { "confirm", NULL };

static const struct field status_fields[] = {
	{ "status", FIELD_TEXT, 1, 1, 16, account_status_valid,
	    "active or suspended" },
};

/* Sets the status; answers the account (200) or 404. */
static void
set_status(struct req *r, const char *status)
{
	const char	*v[2 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = req_param(r, 0);
	v[1] = status;
	audit_who(r, v + 2);
	if ((res = req_sql(r, ST_ACCOUNT_STATUS, 5, v, DB_LAST)) != NULL)
		account_answer(r, res, 200);
}

/*
 * POST /v1/accounts/{account_id}/status {"status"}: 200 with the account
 * (unchanged when it already had that status); 400 unknown_field; 422
 * invalid_field; 404 not_found. Suspending turns the account's principals
 * away with 403 account_suspended.
 */
void
account_status(struct req *r)
{
	struct field_error	 e;
	const cJSON		*s;

	if (validate_object(r->body, status_fields, sizeof(status_fields) /
	    sizeof(status_fields[0]), &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	s = cJSON_GetObjectItemCaseSensitive(r->body, "status");
	set_status(r, s->valuestring);
}

/* The hard delete, confirmed by the account's slug. */
static void
hard_delete(struct req *r, const char *confirm)
{
	const char	*v[2 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = req_param(r, 0);
	v[1] = confirm;
	audit_who(r, v + 2);
	if ((res = req_sql(r, ST_ACCOUNT_DELETE, 5, v, DB_LAST)) == NULL)
		return;
	if (!PQgetisnull(res, 0, 0)) {
		if (buf_printf(&r->out, "{\"id\":\"%s\",\"deleted\":true}",
		    PQgetvalue(res, 0, 0)) == -1)
			resp_nomem(r);
		else
			resp_ok(r, 200);
	} else if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		resp_error(r, 409, "confirm_mismatch", "confirm", "confirm must "
		    "be the account's slug");
	else
		resp_error(r, 404, "not_found", NULL, "no such account");
	PQclear(res);
}

/*
 * DELETE /v1/accounts/{account_id}: suspends the account (200 with it).
 * DELETE /v1/accounts/{account_id}?confirm=<slug>: deletes it and all its
 * data (200 {"id","deleted":true}); 409 confirm_mismatch; 404 not_found.
 */
void
account_delete(struct req *r)
{
	const char	*confirm;

	if (req_query_allow(r, delete_params) == -1)
		return;
	if ((confirm = req_query(r, "confirm")) == NULL)
		set_status(r, "suspended");
	else
		hard_delete(r, confirm);
}
