/*
 * An account's Zitadel settings: its project, and the role keys that
 * mean account admin and end user there. The organisation is the
 * account's auth_org_id, set by the /sso routes of accounts.fcgi.
 */
#include <string.h>

#include "provisioning.h"
#include "audit.h"

/* A Zitadel id (project, user, grant): 1 to 200 of [A-Za-z0-9_-]. */
int
zitadel_id_valid(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return n >= 1 && n <= ZITADEL_ID_MAX;
}

/* A role key: 1 to 200 of [A-Za-z0-9._:-]. */
int
role_key_valid(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == '.' || *s == ':'))
			return 0;
	return n >= 1 && n <= ROLE_KEY_MAX;
}

static const struct field config_fields[] = {
	{ "project_id", FIELD_TEXT, FIELD_REQUIRED, 1, ZITADEL_ID_MAX,
	    zitadel_id_valid, "a Zitadel id: letters, digits, - and _" },
	{ "admin_role_key", FIELD_TEXT, 0, 1, ROLE_KEY_MAX, role_key_valid,
	    "a role key: letters, digits, . _ : and -" },
	{ "user_role_key", FIELD_TEXT, 0, 1, ROLE_KEY_MAX, role_key_valid,
	    "a role key: letters, digits, . _ : and -" },
};

/* Appends ,"name":value (null when the column is NULL). */
static int
member(struct buf *b, const char *name, const PGresult *res, int col)
{
	return buf_printf(b, ",\"%s\":", name) == -1 ||
	    sql_json_text(b, res, 0, col) == -1 ? -1 : 0;
}

/* Answers the settings from ST_CONFIG_GET's row. */
static void
config_answer(struct req *r, PGresult *res)
{
	struct buf	*b = &r->out;

	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (buf_puts(b, "{\"account_id\":") == -1 ||
	    buf_json_string(b, req_param(r, 0)) == -1 ||
	    member(b, "auth_org_id", res, 0) == -1 ||
	    member(b, "project_id", res, 1) == -1 ||
	    member(b, "admin_role_key", res, 2) == -1 ||
	    member(b, "user_role_key", res, 3) == -1 ||
	    buf_printf(b, ",\"configured\":%s,\"management_api_configured\":"
	    "%s", PQgetisnull(res, 0, 1) ? "false" : "true",
	    mgmt_configured(r->w->cfg) ? "true" : "false") == -1 ||
	    member(b, "updated_by", res, 4) == -1 ||
	    member(b, "updated_at", res, 5) == -1 ||
	    buf_puts(b, "}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * GET /v1/accounts/{account_id}/zitadel/config: 200 {"account_id",
 * "auth_org_id","project_id","admin_role_key","user_role_key",
 * "configured","management_api_configured","updated_by","updated_at"};
 * 404 not_found.
 */
void
config_get(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_CONFIG_GET, 1, v, DB_LAST)) != NULL)
		config_answer(r, res);
}

static const char *
text_or(const cJSON *body, const char *name, const char *dflt)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return cJSON_IsString(v) ? v->valuestring : dflt;
}

/*
 * PUT /v1/accounts/{account_id}/zitadel/config {"project_id",
 * "admin_role_key"?, "user_role_key"?}: replaces the settings (an absent
 * role key takes its default); 200 with them; 400 unknown_field; 422
 * invalid_field (also when both role keys are the same); 404 not_found.
 */
void
config_put(struct req *r)
{
	struct field_error	 e;
	const char		*v[4 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (validate_object(r->body, config_fields, NFIELDS(config_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = req_param(r, 0);
	v[1] = text_or(r->body, "project_id", NULL);
	v[2] = text_or(r->body, "admin_role_key", DEFAULT_ADMIN_ROLE);
	v[3] = text_or(r->body, "user_role_key", DEFAULT_USER_ROLE);
	if (strcmp(v[2], v[3]) == 0) {
		resp_error(r, 422, "invalid_field", "user_role_key",
		    "user_role_key must differ from admin_role_key");
		return;
	}
	audit_who(r, v + 4);
	if ((res = req_sql(r, ST_CONFIG_PUT, 7, v, 0)) == NULL)
		return;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", NULL, "no such account");
		return;
	}
	PQclear(res);
	if ((res = req_sql(r, ST_CONFIG_GET, 1, v, DB_LAST)) != NULL)
		config_answer(r, res);
}
