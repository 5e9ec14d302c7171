/*
 * What an account may use. Its feature pack is its subscription: the plan
 * (which turns features on and sets quotas) and the product domains its
 * people use, Copilot and Console; reading it also shows the features and
 * quotas as they come out (sql/0003_plans.sql). Its console model policy
 * says which Console (BYOK) model providers its admins may add. Only the
 * platform changes either; account admins read them.
 */
#include <string.h>

#include "accounts.h"
#include "audit.h"

static int
product_domain_valid(const char *s)
{
	return strcmp(s, "copilot") == 0 || strcmp(s, "console") == 0;
}

static int
policy_mode_valid(const char *s)
{
	return strcmp(s, "open") == 0 || strcmp(s, "allow_list") == 0 ||
	    strcmp(s, "disabled") == 0;
}

static const struct field pack_fields[] = {
	{ "plan", FIELD_TEXT, FIELD_NULLABLE, SLUG_MIN, SLUG_MAX, slug_valid,
	    "a plan's slug" },
	{ "product_domains", FIELD_TEXT_LIST, 0, 1, 16, product_domain_valid,
	    "copilot or console" },
};

static const struct field policy_fields[] = {
	{ "mode", FIELD_TEXT, FIELD_REQUIRED, 1, 16, policy_mode_valid,
	    "open, allow_list or disabled" },
	{ "allowed_providers", FIELD_TEXT_LIST, 0, SLUG_MIN, SLUG_MAX,
	    slug_valid, "a provider's slug (openai, azure-openai, ...)" },
};

/*
 * GET /v1/accounts/{account_id}/feature-pack: 200 {"account_id", "plan",
 * "product_domains", "started_at", "updated_at", "features": [{"key",
 * "name", "product_domain", "enabled", "source"}], "quotas": {"users":
 * {"limit", "used"}, ...}, "credits_per_cycle"}; 404 not_found.
 */
void
feature_pack_get(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_FEATURE_PACK_GET, 1, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (buf_puts(&r->out, PQgetvalue(res, 0, 0)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/* Answers a feature-pack write from ST_FEATURE_PACK_SET's row. */
static int
pack_set_failed(struct req *r, const PGresult *res)
{
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0)
		resp_error(r, 422, "invalid_field", "plan", "no plan has this "
		    "slug");
	else if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
		resp_error(r, 422, "invalid_field", "plan", "the plan is "
		    "retired; choose an active one");
	else
		return 0;
	return 1;
}

/*
 * PUT /v1/accounts/{account_id}/feature-pack {"plan"?: slug or null,
 * "product_domains"?: ["copilot", "console"]}: 200 with the feature pack
 * (as GET); 400 empty_update or unknown_field; 422 invalid_field (also
 * for an unknown or retired plan); 404 not_found. A new plan restarts the
 * subscription (started_at).
 */
void
feature_pack_set(struct req *r)
{
	struct field_error	 e;
	struct buf		 domains = { 0 };
	const cJSON		*list;
	const char		*v[4 + AUDIT_WHO_PARAMS];
	PGresult		*res;
	int			 failed;

	if (validate_object(r->body, pack_fields, NFIELDS(pack_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give at least one of "
		    "plan, product_domains");
		return;
	}
	list = cJSON_GetObjectItemCaseSensitive(r->body, "product_domains");
	if (list != NULL && cJSON_GetArraySize(list) == 0) {
		resp_error(r, 422, "invalid_field", "product_domains", "must "
		    "name at least one of copilot, console");
		return;
	}
	if (list != NULL && sql_text_array(list, &domains) == -1) {
		buf_free(&domains);
		resp_nomem(r);
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = text_member(r->body, "plan");
	v[2] = cJSON_GetObjectItemCaseSensitive(r->body, "plan") != NULL ?
	    "t" : "f";
	v[3] = list != NULL ? domains.data : NULL;
	audit_who(r, v + 4);
	res = req_sql(r, ST_FEATURE_PACK_SET, 7, v, 0);
	buf_free(&domains);
	if (res == NULL)
		return;
	failed = pack_set_failed(r, res);
	PQclear(res);
	if (!failed)
		feature_pack_get(r);
}

/* Answers with the policy in res, or 404 when there is no account. */
static void
policy_answer(struct req *r, PGresult *res)
{
	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (buf_puts(&r->out, "{\"mode\":") == -1 ||
	    buf_json_string(&r->out, PQgetvalue(res, 0, 0)) == -1 ||
	    buf_puts(&r->out, ",\"allowed_providers\":") == -1 ||
	    buf_puts(&r->out, PQgetvalue(res, 0, 1)) == -1 ||
	    buf_puts(&r->out, ",\"updated_by\":") == -1 ||
	    sql_json_text(&r->out, res, 0, 2) == -1 ||
	    buf_puts(&r->out, ",\"updated_at\":") == -1 ||
	    sql_json_text(&r->out, res, 0, 3) == -1 ||
	    buf_puts(&r->out, "}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * GET /v1/accounts/{account_id}/console-model-policy: 200 {"mode",
 * "allowed_providers", "updated_by", "updated_at"} (open, and nulls, until
 * one is set); 404 not_found.
 */
void
model_policy_get(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_MODEL_POLICY_GET, 1, v, DB_LAST)) != NULL)
		policy_answer(r, res);
}

/*
 * PUT /v1/accounts/{account_id}/console-model-policy {"mode",
 * "allowed_providers"?}: 200 with the policy; 400 unknown_field; 422
 * invalid_field (allow_list needs providers, the other modes take none);
 * 404 not_found.
 */
void
model_policy_set(struct req *r)
{
	struct field_error	 e;
	struct buf		 providers = { 0 };
	const cJSON		*list;
	const char		*v[3 + AUDIT_WHO_PARAMS], *mode;
	PGresult		*res;

	if (validate_object(r->body, policy_fields, NFIELDS(policy_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	mode = text_member(r->body, "mode");
	list = cJSON_GetObjectItemCaseSensitive(r->body, "allowed_providers");
	if ((strcmp(mode, "allow_list") == 0) != (cJSON_GetArraySize(list) > 0)) {
		resp_error(r, 422, "invalid_field", "allowed_providers",
		    strcmp(mode, "allow_list") == 0 ? "allow_list needs at "
		    "least one provider" : "only allow_list takes providers");
		return;
	}
	if (list != NULL ? sql_text_array(list, &providers) == -1 :
	    buf_puts(&providers, "{}") == -1) {
		buf_free(&providers);
		resp_nomem(r);
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = mode;
	v[2] = providers.data;
	audit_who(r, v + 3);
	res = req_sql(r, ST_MODEL_POLICY_SET, 6, v, DB_LAST);
	buf_free(&providers);
	if (res != NULL)
		policy_answer(r, res);
}
