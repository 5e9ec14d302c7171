/*
 * The plan catalogue: what a plan turns on (features) and how much it
 * allows (quotas, NULL: unlimited; credits per cycle as a decimal
 * string). At most one plan is the default, which new accounts get; a
 * retired plan stays with the accounts on it but cannot be chosen; a plan
 * in use cannot be deleted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plans.h"
#include "audit.h"
#include "credits.h"
#include "list.h"

static const char *const list_params[] = {
	"limit", "cursor", "q", "status", NULL
};

static int
plan_status_valid(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "retired") == 0;
}

static int
credits_valid(const char *s)
{
	int64_t	 micro;

	return credits_parse(s, &micro) == 0;
}

#define PLAN_FIELDS(required) \
	{ "slug", FIELD_TEXT, required, SLUG_MIN, SLUG_MAX, slug_valid, \
	    "lowercase letters and digits in groups joined by single " \
	    "hyphens" }, \
	{ "name", FIELD_TEXT, required, 1, 200, NULL, NULL }, \
	{ "description", FIELD_TEXT, 0, 0, 2000, NULL, NULL }, \
	{ "status", FIELD_TEXT, 0, 1, 16, plan_status_valid, \
	    "active or retired" }, \
	{ "is_default", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL }, \
	{ "quotas", FIELD_OBJECT, 0, 0, 0, NULL, NULL }, \
	{ "features", FIELD_TEXT_LIST, 0, 2, 63, feature_key_valid, \
	    "a feature's key" }

static const struct field create_fields[] = { PLAN_FIELDS(FIELD_REQUIRED) };
static const struct field update_fields[] = { PLAN_FIELDS(0) };

static const struct field quota_fields[] = {
	{ "users", FIELD_INTEGER, FIELD_NULLABLE, 0, QUOTA_MAX, NULL, NULL },
	{ "teams", FIELD_INTEGER, FIELD_NULLABLE, 0, QUOTA_MAX, NULL, NULL },
	{ "agents", FIELD_INTEGER, FIELD_NULLABLE, 0, QUOTA_MAX, NULL, NULL },
	{ "connections", FIELD_INTEGER, FIELD_NULLABLE, 0, QUOTA_MAX, NULL,
	    NULL },
	{ "credits_per_cycle", FIELD_TEXT, FIELD_NULLABLE, 1,
	    CREDITS_STRLEN, credits_valid, "a decimal string of credits with "
	    "at most 6 decimals, such as \"1500\" or \"0.25\"" },
};

/*
 * Checks the body against fields and its quotas object; fills the
 * quotas' JSON (the object as given, or {}) for the statement. 0, or -1
 * with the request answered.
 */
static int
plan_body(struct req *r, const struct field *fields, size_t n,
    char **quotas)
{
	struct field_error	 e;
	const cJSON		*q;
	char			 name[sizeof(e.field) + 8];

	*quotas = NULL;
	if (validate_object(r->body, fields, n, &e) == -1) {
		resp_field_error(r, &e);
		return -1;
	}
	q = cJSON_GetObjectItemCaseSensitive(r->body, "quotas");
	if (q != NULL && validate_object(q, quota_fields, NFIELDS(quota_fields),
	    &e) == -1) {
		(void)snprintf(name, sizeof(name), "quotas.%s", e.field);
		(void)snprintf(e.field, sizeof(e.field), "%.*s",
		    (int)sizeof(e.field) - 1, name);
		resp_field_error(r, &e);
		return -1;
	}
	*quotas = q != NULL ? cJSON_PrintUnformatted(q) : strdup("{}");
	if (*quotas == NULL) {
		resp_nomem(r);
		return -1;
	}
	return 0;
}

/* The features of the body as a text[] literal into b, or NULL. */
static int
plan_features(struct req *r, struct buf *b, const char **v)
{
	const cJSON	*list = cJSON_GetObjectItemCaseSensitive(r->body,
			    "features");

	*v = NULL;
	if (list == NULL)
		return 0;
	if (sql_text_array(list, b) == -1) {
		resp_nomem(r);
		return -1;
	}
	*v = b->data;
	return 0;
}

/* A write refused by a constraint: which one says what is wrong. */
static void
plan_refused(struct req *r)
{
	if (req_sqlstate(r, "23505") &&
	    strstr(r->w->db.message, "slug") != NULL)
		resp_error(r, 409, "slug_taken", "slug", "another plan has this "
		    "slug");
	else if (req_sqlstate(r, "23503"))
		resp_error(r, 422, "invalid_field", "features", "no feature "
		    "in the catalogue has one of these keys");
	else if (req_sqlstate(r, "23514"))
		resp_error(r, 422, "invalid_field", "is_default", "a retired "
		    "plan cannot be the default");
}

/* Makes plan (NULL: the one being created) the only default. */
static int
plan_take_default(struct req *r, const char *plan)
{
	const char	*v[1 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = plan;
	audit_who(r, v + 1);
	if ((res = req_sql(r, ST_PLAN_CLEAR_DEFAULT, 4, v, 0)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* Answers with plan id's JSON, ending the transaction. */
static void
plan_answer(struct req *r, const char *id, int status)
{
	const char	*v[1] = { id };
	PGresult	*res;
	char		 location[128];

	if ((res = req_sql(r, ST_PLAN_GET, 1, v, DB_LAST)) == NULL)
		return;
	json_answer(r, res, status, "no such plan");
	if (status == 201 && r->status == 201) {
		(void)snprintf(location, sizeof(location), "/v1/plans/%s", id);
		(void)resp_header(r, "Location", location);
	}
}

static int
wants_default(const struct req *r)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->body,
	    "is_default"));
}

/*
 * POST /v1/plans {"slug", "name", "description"?, "status"?,
 * "is_default"?, "quotas"?: {"users", "teams", "agents", "connections",
 * "credits_per_cycle"}, "features"?: [keys]}: 201 with the plan; 400
 * unknown_field; 422 invalid_field; 409 slug_taken or catalogue_full.
 */
void
plan_create(struct req *r)
{
	struct buf	 features = { 0 };
	const char	*v[7 + AUDIT_WHO_PARAMS];
	char		*quotas, id[64];
	PGresult	*res;

	if (plan_body(r, create_fields, NFIELDS(create_fields), &quotas) == -1)
		return;
	v[0] = text_member(r->body, "slug");
	v[1] = text_member(r->body, "name");
	v[2] = text_member(r->body, "description");
	v[3] = text_member(r->body, "status");
	v[4] = bool_member(r->body, "is_default");
	v[5] = quotas;
	if (plan_features(r, &features, &v[6]) == -1 ||
	    (wants_default(r) && plan_take_default(r, NULL) == -1)) {
		free(quotas);
		buf_free(&features);
		return;
	}
	audit_who(r, v + 7);
	res = req_sql(r, ST_PLAN_CREATE, 10, v, 0);
	free(quotas);
	buf_free(&features);
	if (res == NULL) {
		plan_refused(r);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 409, "catalogue_full", NULL, "the catalogue holds "
		    "at most %d plans; delete or reuse one", PLANS_MAX);
		return;
	}
	(void)snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	plan_answer(r, id, 201);
}

/*
 * PATCH /v1/plans/{plan_id} with any of POST's fields: 200 with the plan
 * (quotas: only the members given change; features: the list replaces
 * the plan's); 400 empty_update or unknown_field; 422 invalid_field; 404
 * not_found; 409 slug_taken.
 */
void
plan_update(struct req *r)
{
	struct buf	 features = { 0 };
	const char	*v[8 + AUDIT_WHO_PARAMS];
	char		*quotas;
	PGresult	*res;

	if (plan_body(r, update_fields, NFIELDS(update_fields), &quotas) == -1)
		return;
	if (r->body->child == NULL) {
		free(quotas);
		resp_error(r, 400, "empty_update", NULL, "give at least one "
		    "field to change");
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = text_member(r->body, "slug");
	v[2] = text_member(r->body, "name");
	v[3] = text_member(r->body, "description");
	v[4] = text_member(r->body, "status");
	v[5] = bool_member(r->body, "is_default");
	v[6] = quotas;
	if (plan_features(r, &features, &v[7]) == -1 ||
	    (wants_default(r) && plan_take_default(r, v[0]) == -1)) {
		free(quotas);
		buf_free(&features);
		return;
	}
	audit_who(r, v + 8);
	res = req_sql(r, ST_PLAN_UPDATE, 11, v, 0);
	free(quotas);
	buf_free(&features);
	if (res == NULL) {
		plan_refused(r);
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such plan");
		return;
	}
	PQclear(res);
	plan_answer(r, v[0], 200);
}

/* GET /v1/plans/{plan_id}: 200 with the plan; 404 not_found. */
void
plan_get(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_PLAN_GET, 1, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such plan");
}

/* Appends row i of a plan list: its JSON text as it is. */
static int
plan_item(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, PQgetvalue(res, i, 0));
}

/* Checks ?q= and ?status=; fills the ILIKE pattern. */
static int
plan_filters(struct req *r, struct buf *pattern, const char **status)
{
	*status = req_query(r, "status");
	if (*status != NULL && !plan_status_valid(*status)) {
		resp_error(r, 400, "invalid_parameter", "status", "status must "
		    "be active or retired");
		return -1;
	}
	return req_search(r, pattern);
}

/*
 * GET /v1/plans?q=&status=&limit=&cursor=: 200 with a page of plans in
 * creation order; 400 unknown_parameter or invalid_parameter.
 */
void
plan_list(struct req *r)
{
	struct buf	 pattern = { 0 };
	struct page	 page;
	const char	*status, *v[5];
	char		 fetch[16];
	PGresult	*res;

	if (req_query_allow(r, list_params) == -1 || req_page(r, &page, 0) == -1)
		return;
	if (plan_filters(r, &pattern, &status) == -1) {
		buf_free(&pattern);
		return;
	}
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[0] = pattern.data;
	v[1] = status;
	page_after(&page, &v[2], &v[3]);
	v[4] = fetch;
	res = req_sql(r, ST_PLAN_LIST, 5, v, DB_LAST);
	buf_free(&pattern);
	if (res == NULL)
		return;
	if (page_json(&r->out, res, PQntuples(res), page.limit, 1, 2,
	    plan_item) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * DELETE /v1/plans/{plan_id}: 200 {"id", "deleted": true}; 404 not_found;
 * 409 plan_in_use (accounts are on it: move them, or retire the plan).
 */
void
plan_delete(struct req *r)
{
	const char	*v[1 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = req_param(r, 0);
	audit_who(r, v + 1);
	if ((res = req_sql(r, ST_PLAN_DELETE, 4, v, DB_LAST)) == NULL)
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "no such plan");
	else if (PQgetisnull(res, 0, 2))
		resp_error(r, 409, "plan_in_use", NULL, "%s accounts are on "
		    "this plan; move them to another or retire it",
		    PQgetvalue(res, 0, 1));
	else if (buf_printf(&r->out, "{\"id\":\"%s\",\"deleted\":true}",
	    PQgetvalue(res, 0, 2)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}
