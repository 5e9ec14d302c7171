/*
 * The feature catalogue: every switchable capability of the platform, by
 * key, in a product domain (copilot, console, or platform-wide), with
 * what an account without a plan gets. Bounded (FEATURES_MAX), so it is
 * listed whole. Deleting a feature removes it from every plan and
 * account override.
 */
#include <stdio.h>
#include <string.h>

#include "plans.h"
#include "audit.h"

static const char *const list_params[] = { "product_domain", NULL };

/*
 * A feature key: 2 to 63 of [a-z0-9] in runs joined by single dots,
 * hyphens or underscores ("copilot.agents", "sso"); not one of the words
 * that name routes beside the features.
 */
int
feature_key_valid(const char *s)
{
	size_t	 len = strlen(s), i;

	if (len < 2 || len > 63 || strcmp(s, "entitlements") == 0 ||
	    strcmp(s, "effective") == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			continue;
		if (s[i] >= '0' && s[i] <= '9')
			continue;
		if (strchr("._-", s[i]) == NULL || i == 0 || i == len - 1 ||
		    strchr("._-", s[i + 1]) != NULL)
			return 0;
	}
	return 1;
}

int
product_domain_valid(const char *s)
{
	return strcmp(s, "copilot") == 0 || strcmp(s, "console") == 0 ||
	    strcmp(s, "platform") == 0;
}

#define FEATURE_FIELDS(required) \
	{ "name", FIELD_TEXT, required, 1, 200, NULL, NULL }, \
	{ "description", FIELD_TEXT, 0, 0, 2000, NULL, NULL }, \
	{ "product_domain", FIELD_TEXT, required, 1, 16, \
	    product_domain_valid, "copilot, console or platform" }, \
	{ "default_enabled", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL }

static const struct field create_fields[] = {
	{ "key", FIELD_TEXT, FIELD_REQUIRED, 2, 63, feature_key_valid,
	    "2 to 63 lowercase letters and digits in runs joined by single "
	    "dots, hyphens or underscores (not entitlements or effective)" },
	FEATURE_FIELDS(FIELD_REQUIRED),
};

static const struct field update_fields[] = { FEATURE_FIELDS(0) };

/*
 * GET /v1/features?product_domain=: 200 {"items": [features by key]};
 * 400 unknown_parameter or invalid_parameter.
 */
void
feature_list(struct req *r)
{
	const char	*v[1];
	PGresult	*res;

	if (req_query_allow(r, list_params) == -1)
		return;
	v[0] = req_query(r, "product_domain");
	if (v[0] != NULL && !product_domain_valid(v[0])) {
		resp_error(r, 400, "invalid_parameter", "product_domain",
		    "product_domain must be copilot, console or platform");
		return;
	}
	if ((res = req_sql(r, ST_FEATURE_LIST, 1, v, DB_LAST)) == NULL)
		return;
	if (buf_puts(&r->out, "{\"items\":") == -1 ||
	    buf_puts(&r->out, PQgetvalue(res, 0, 0)) == -1 ||
	    buf_puts(&r->out, "}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * POST /v1/features {"key", "name", "description"?, "product_domain",
 * "default_enabled"?}: 201 with the feature; 400 unknown_field; 422
 * invalid_field; 409 key_taken or catalogue_full.
 */
void
feature_create(struct req *r)
{
	struct field_error	 e;
	const char		*v[5 + AUDIT_WHO_PARAMS];
	char			 location[128];
	PGresult		*res;

	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = text_member(r->body, "key");
	v[1] = text_member(r->body, "name");
	v[2] = text_member(r->body, "description");
	v[3] = text_member(r->body, "product_domain");
	v[4] = bool_member(r->body, "default_enabled");
	audit_who(r, v + 5);
	if ((res = req_sql(r, ST_FEATURE_CREATE, 8, v, DB_LAST)) == NULL) {
		if (req_sqlstate(r, "23505"))
			resp_error(r, 409, "key_taken", "key", "another feature "
			    "has this key");
		return;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 409, "catalogue_full", NULL, "the catalogue holds "
		    "at most %d features", FEATURES_MAX);
		return;
	}
	json_answer(r, res, 201, "no such feature");
	(void)snprintf(location, sizeof(location), "/v1/features/%s", v[0]);
	if (r->status == 201)
		(void)resp_header(r, "Location", location);
}

/*
 * PATCH /v1/features/{feature_key} {"name"?, "description"?,
 * "product_domain"?, "default_enabled"?}: 200 with the feature; 400
 * empty_update or unknown_field; 422 invalid_field; 404 not_found.
 */
void
feature_update(struct req *r)
{
	struct field_error	 e;
	const char		*v[5 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (validate_object(r->body, update_fields, NFIELDS(update_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "name, description, product_domain, default_enabled");
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = text_member(r->body, "name");
	v[2] = text_member(r->body, "description");
	v[3] = text_member(r->body, "product_domain");
	v[4] = bool_member(r->body, "default_enabled");
	audit_who(r, v + 5);
	if ((res = req_sql(r, ST_FEATURE_UPDATE, 8, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such feature");
}

/*
 * DELETE /v1/features/{feature_key}: 200 {"key", "deleted": true}; 404
 * not_found. Every plan and account override loses the feature.
 */
void
feature_delete(struct req *r)
{
	const char	*v[1 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = req_param(r, 0);
	audit_who(r, v + 1);
	if ((res = req_sql(r, ST_FEATURE_DELETE, 4, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such feature");
	else if (buf_puts(&r->out, "{\"key\":") == -1 ||
	    buf_json_string(&r->out, PQgetvalue(res, 0, 0)) == -1 ||
	    buf_puts(&r->out, ",\"deleted\":true}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}
