/* The project's roles: one added, or the configured ones synced. */
#include "provisioning.h"

static const struct field role_fields[] = {
	{ "role_key", FIELD_TEXT, FIELD_REQUIRED, 1, ROLE_KEY_MAX,
	    role_key_valid, "a role key: letters, digits, . _ : and -" },
	{ "display_name", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "group", FIELD_TEXT, 0, 0, 200, NULL, NULL },
	{ "dry_run", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
};

static const struct field sync_fields[] = {
	{ "dry_run", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
};

static const char *
text(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * POST /v1/accounts/{account_id}/zitadel/provision/project-role
 * {"role_key","display_name","group"?,"dry_run"?}: the project has the
 * role, added when it lacks it. 200 with the steps; 400, 422; 404
 * not_found; 409 zitadel_not_set_up; 502 zitadel_unavailable or
 * zitadel_error; 503 zitadel_not_configured.
 */
void
project_role(struct req *r)
{
	struct prov	 p;

	if (prov_open(r, &p, role_fields, NFIELDS(role_fields)) == 0 &&
	    prov_load(&p) == 0) {
		prov_finish(&p, ensure_role(&p, text(r->body, "role_key"),
		    text(r->body, "display_name"), text(r->body, "group")));
		return;
	}
	prov_close(&p);
}

/*
 * POST /v1/accounts/{account_id}/zitadel/provision/sync-roles
 * {"dry_run"?}: the project has the admin and end user role keys. 200
 * with the steps; as project-role otherwise.
 */
void
sync_roles(struct req *r)
{
	struct prov	 p;

	if (prov_open(r, &p, sync_fields, NFIELDS(sync_fields)) == 0 &&
	    prov_load(&p) == 0) {
		prov_finish(&p, sync_roles_run(&p));
		return;
	}
	prov_close(&p);
}
