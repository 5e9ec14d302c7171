/* The account handlers of accounts.fcgi, and what api_keys.c shares. */
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"
#include "list.h"

static const char *const list_params[] = {
	"limit", "cursor", "q", "status", NULL
};

/* An account's status: active or suspended. */
int
account_status_valid(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "suspended") == 0;
}

static const struct field create_fields[] = {
	{ "name", FIELD_TEXT, 1, 1, 200, NULL, NULL },
	{ "slug", FIELD_TEXT, 0, SLUG_MIN, SLUG_MAX, slug_valid,
	    "lowercase letters and digits in groups joined by single hyphens" },
};

static const struct field update_fields[] = {
	{ "name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
	{ "slug", FIELD_TEXT, 0, SLUG_MIN, SLUG_MAX, slug_valid,
	    "lowercase letters and digits in groups joined by single hyphens" },
};

/* Appends row i of an ACCOUNT_COLUMNS result as a JSON object. */
static int
account_json(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, "{\"id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 0)) == -1 ||
	    buf_puts(b, ",\"name\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 1)) == -1 ||
	    buf_puts(b, ",\"slug\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 2)) == -1 ||
	    buf_puts(b, ",\"status\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 3)) == -1 ||
	    buf_puts(b, ",\"created_at\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 4)) == -1 ||
	    buf_puts(b, ",\"updated_at\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, 5)) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/* Answers with the one account in res, or 404 when there is none. */
void
account_answer(struct req *r, PGresult *res, int status)
{
	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (account_json(&r->out, res, 0) == -1)
		resp_nomem(r);
	else
		resp_ok(r, status);
	PQclear(res);
}

static void
slug_taken(struct req *r, const char *slug)
{
	resp_error(r, 409, "slug_taken", "slug", "slug \"%s\" is already in "
	    "use", slug);
}

/*
 * POST /v1/accounts {"name", "slug"?}: 201 with the account and its
 * Location; 400 unknown_field; 422 invalid_field; 409 slug_taken.
 * Without a slug, one is made from the name.
 */
void
account_create(struct req *r)
{
	struct field_error	 e;
	const char		*name, *slug, *v[2 + AUDIT_WHO_PARAMS];
	char			 derived[SLUG_MAX + 1], location[64];
	PGresult		*res;

	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	name = text_member(r->body, "name");
	if ((slug = text_member(r->body, "slug")) == NULL) {
		if (slug_from_name(name, derived, sizeof(derived)) == -1) {
			resp_error(r, 422, "invalid_field", "slug", "slug cannot "
			    "be made from this name; give one");
			return;
		}
		slug = derived;
	}
	v[0] = name;
	v[1] = slug;
	audit_who(r, v + 2);
	if ((res = req_sql(r, ST_ACCOUNT_CREATE, 5, v, DB_LAST)) == NULL) {
		if (req_sqlstate(r, "23505"))
			slug_taken(r, slug);
		return;
	}
	(void)snprintf(location, sizeof(location), "/v1/accounts/%s",
	    PQgetvalue(res, 0, 0));
	account_answer(r, res, 201);
	if (r->status == 201)
		(void)resp_header(r, "Location", location);
}

/* Checks ?q= and ?status=; fills the pattern for ILIKE. */
static int
list_filters(struct req *r, struct buf *pattern, const char **status)
{
	*status = req_query(r, "status");
	if (*status != NULL && !account_status_valid(*status)) {
		resp_error(r, 400, "invalid_parameter", "status", "status must "
		    "be active or suspended");
		return -1;
	}
	return req_search(r, pattern);
}

/*
 * GET /v1/accounts?q=&status=&limit=&cursor=: 200 with a page, in
 * creation order; 400 unknown_parameter or invalid_parameter.
 */
void
account_list(struct req *r)
{
	struct buf	 pattern = { 0 };
	struct page	 page;
	const char	*status, *v[5];
	char		 fetch[16];
	PGresult	*res;

	if (req_query_allow(r, list_params) == -1 || req_page(r, &page, 0) == -1)
		return;
	if (list_filters(r, &pattern, &status) == -1) {
		buf_free(&pattern);
		return;
	}
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[0] = pattern.data;
	v[1] = status;
	page_after(&page, &v[2], &v[3]);
	v[4] = fetch;
	res = req_sql(r, ST_ACCOUNT_LIST, 5, v, DB_LAST | DB_CUSTOM_PLAN);
	buf_free(&pattern);
	if (res == NULL)
		return;
	if (page_json(&r->out, res, PQntuples(res), page.limit, 4, 0,
	    account_json) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/* GET /v1/accounts/{account_id}: 200, or 404 not_found. */
void
account_get(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_ACCOUNT_GET, 1, v, DB_LAST)) != NULL)
		account_answer(r, res, 200);
}

/*
 * PATCH /v1/accounts/{account_id} {"name"?, "slug"?}: 200 with the
 * account; 400 empty_update or unknown_field; 422 invalid_field;
 * 404 not_found; 409 slug_taken.
 */
void
account_update(struct req *r)
{
	struct field_error	 e;
	const char		*v[3 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (validate_object(r->body, update_fields, NFIELDS(update_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "name, slug");
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = text_member(r->body, "name");
	v[2] = text_member(r->body, "slug");
	audit_who(r, v + 3);
	if ((res = req_sql(r, ST_ACCOUNT_UPDATE, 6, v, DB_LAST)) == NULL) {
		if (req_sqlstate(r, "23505"))
			slug_taken(r, v[2]);
		return;
	}
	account_answer(r, res, 200);
}
