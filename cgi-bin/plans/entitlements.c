/*
 * What one account's subscription comes to. Its entitlements are the
 * catalogue's features as the account gets them, each saying why (its
 * own override, its plan, the feature's default, or a product domain the
 * account does not use); the platform sets or clears an override. The
 * effective view is what client applications ask on behalf of any
 * signed-in principal: features, quotas, credits per cycle and the
 * console model policy of the caller's account.
 */
#include <string.h>

#include "plans.h"
#include "audit.h"
#include "uuid.h"

static const char *const list_params[] = { "account_id", NULL };

static const struct field set_fields[] = {
	{ "account_id", FIELD_TEXT, FIELD_REQUIRED, 36, 36, uuid_valid,
	    "an account id" },
	{ "feature", FIELD_TEXT, FIELD_REQUIRED, 2, 63, feature_key_valid,
	    "a feature's key" },
	{ "enabled", FIELD_BOOLEAN, FIELD_REQUIRED | FIELD_NULLABLE, 0, 0,
	    NULL, NULL },
};

/*
 * The account a read is about: the principal's (a super admin's from
 * X-Account-Id), else, for the platform, ?account_id=. NULL with the
 * request answered (400) when there is none.
 */
static const char *
subject_account(struct req *r)
{
	const char	*q = req_query(r, "account_id");

	if (r->principal.account_id[0] != '\0')
		return r->principal.account_id;
	if (r->principal.platform && q != NULL && uuid_valid(q))
		return q;
	if (r->principal.platform && q != NULL)
		resp_error(r, 400, "invalid_parameter", "account_id",
		    "account_id must be an account id");
	else
		resp_error(r, 400, "account_required", NULL, "name the account: "
		    "send X-Account-Id (or ?account_id=)");
	return NULL;
}

/*
 * GET /v1/features/entitlements[?account_id=]: 200 {"account_id",
 * "items": [{"key", "name", "product_domain", "enabled", "source",
 * "override"}]}; 400 account_required; 404 not_found.
 */
void
entitlement_list(struct req *r)
{
	const char	*v[1];
	PGresult	*res;

	if (req_query_allow(r, list_params) == -1 ||
	    (v[0] = subject_account(r)) == NULL)
		return;
	if ((res = req_sql(r, ST_ENTITLEMENT_LIST, 1, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such account");
}

/*
 * POST /v1/features/entitlements {"account_id", "feature", "enabled":
 * true, false or null (clear the override)}: 200 with the account's
 * entitlements (as GET); 400 unknown_field; 422 invalid_field; 404
 * not_found (account or feature).
 */
void
entitlement_set(struct req *r)
{
	struct field_error	 e;
	const char		*v[3 + AUDIT_WHO_PARAMS];
	PGresult		*res;
	int			 found;

	if (validate_object(r->body, set_fields, NFIELDS(set_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = text_member(r->body, "account_id");
	v[1] = text_member(r->body, "feature");
	v[2] = bool_member(r->body, "enabled");
	audit_who(r, v + 3);
	if ((res = req_sql(r, ST_ENTITLEMENT_SET, 6, v, 0)) == NULL)
		return;
	found = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	if (!found)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		found = 0;
		resp_error(r, 404, "not_found", "feature", "no such feature");
	}
	PQclear(res);
	if (!found)
		return;
	if ((res = req_sql(r, ST_ENTITLEMENT_LIST, 1, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such account");
}

/*
 * GET /v1/features/effective: 200 {"account_id", "plan", "product_domains",
 * "features": {key: enabled}, "quotas": {"users": {"limit"}, ...} (the
 * limits only: counting what is used is the feature pack's business),
 * "credits_per_cycle",
 * "console_model_policy": {"mode", "allowed_providers"}} for the caller's
 * account; 400 account_required (a super admin without X-Account-Id).
 */
void
effective(struct req *r)
{
	const char	*v[1] = { r->principal.account_id };
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1)
		return;
	if (v[0][0] == '\0') {
		resp_error(r, 400, "account_required", NULL, "name the account: "
		    "send X-Account-Id");
		return;
	}
	if ((res = req_sql(r, ST_EFFECTIVE, 1, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such account");
}
