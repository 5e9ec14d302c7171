/* Users' grants on the account's project: one user's, or the admins'. */
#include <stdio.h>

#include "provisioning.h"

static const struct field grant_fields[] = {
	{ "email", FIELD_TEXT, 0, 3, 320, email_valid, "an email address" },
	{ "user_id", FIELD_TEXT, 0, 1, ZITADEL_ID_MAX, zitadel_id_valid,
	    "a Zitadel id: letters, digits, - and _" },
	{ "roles", FIELD_TEXT_LIST, FIELD_REQUIRED, 1, ROLE_KEY_MAX,
	    role_key_valid, "a role key: letters, digits, . _ : and -" },
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

/* One of email and user_id, and a role: 0, or -1 with 422 answered. */
static int
grant_body_check(struct req *r)
{
	const char	*email = text(r->body, "email"),
			*id = text(r->body, "user_id");

	if ((email == NULL) == (id == NULL)) {
		resp_error(r, 422, "invalid_field", "email", "give either "
		    "email or user_id");
		return -1;
	}
	if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->body,
	    "roles")) == 0) {
		resp_error(r, 422, "invalid_field", "roles", "roles must name "
		    "at least one role key");
		return -1;
	}
	return 0;
}

/*
 * The roles exist on the project: 0; -1 with 422 answered, or with
 * p->failure when Zitadel failed.
 */
static int
roles_exist(struct prov *p, const cJSON *roles)
{
	const cJSON		*k;
	enum mgmt_result	 rc;
	int			 exists;

	cJSON_ArrayForEach(k, roles) {
		if ((rc = zitadel_role_exists(p, k->valuestring, &exists)) !=
		    MGMT_OK) {
			p->failure = rc == MGMT_UNAVAILABLE ? rc : MGMT_ERROR;
			return -1;
		}
		if (!exists) {
			resp_error(p->r, 422, "invalid_field", "roles",
			    "project %s has no role %s", p->project,
			    k->valuestring);
			return -1;
		}
	}
	return 0;
}

/*
 * The Zitadel user the body names, its id into id: 0; -1 with 404
 * zitadel_user_not_found or 409 zitadel_user_ambiguous answered, or with
 * p->failure when Zitadel failed.
 */
static int
grant_user(struct prov *p, char *id, size_t len)
{
	const char		*email = text(p->r->body, "email"),
				*uid = text(p->r->body, "user_id");
	enum mgmt_result	 rc;

	if (email != NULL)
		rc = zitadel_user_by_email(p, email, id, len);
	else {
		(void)snprintf(id, len, "%s", uid);
		rc = zitadel_user_get(p, uid);
	}
	if (rc == MGMT_OK)
		return 0;
	if (rc == MGMT_NOT_FOUND)
		resp_error(p->r, 404, "zitadel_user_not_found", email != NULL ?
		    "email" : "user_id", "%s", p->err);
	else if (rc == MGMT_CONFLICT)
		resp_error(p->r, 409, "zitadel_user_ambiguous", "email", "%s",
		    p->err);
	else
		p->failure = rc == MGMT_UNAVAILABLE ? rc : MGMT_ERROR;
	return -1;
}

/* The checks, then the grant. */
static int
user_grant_run(struct prov *p)
{
	const cJSON	*roles = cJSON_GetObjectItemCaseSensitive(p->r->body,
			    "roles");
	const char	*email = text(p->r->body, "email");
	char		 id[ZITADEL_ID_MAX + 1];

	if (roles_exist(p, roles) == -1 || grant_user(p, id, sizeof(id)) ==
	    -1)
		return -1;
	return ensure_grant(p, email != NULL ? email : id, id, roles);
}

/*
 * POST /v1/accounts/{account_id}/zitadel/provision/user-grant {"email" or
 * "user_id" (Zitadel's), "roles":[role keys],"dry_run"?}: the user's
 * grant on the project has at least the roles (added, or widened). 200
 * with the steps; 400, 422 (also a role the project lacks); 404 not_found
 * or zitadel_user_not_found; 409 zitadel_not_set_up or
 * zitadel_user_ambiguous; 502 zitadel_unavailable or zitadel_error; 503
 * zitadel_not_configured.
 */
void
user_grant(struct req *r)
{
	struct prov	 p;

	if (prov_open(r, &p, grant_fields, NFIELDS(grant_fields)) == 0 &&
	    grant_body_check(r) == 0 && prov_load(&p) == 0) {
		prov_finish(&p, user_grant_run(&p));
		return;
	}
	prov_close(&p);
}

/*
 * POST /v1/accounts/{account_id}/zitadel/provision/sync-admin-grants
 * {"dry_run"?}: every active account admin has a grant with the admin
 * role key, found in Zitadel by email; one that is not is a failed step,
 * and the others go on. 200 with the steps; otherwise as user-grant.
 */
void
sync_admin_grants(struct req *r)
{
	struct prov	 p;

	if (prov_open(r, &p, sync_fields, NFIELDS(sync_fields)) == 0 &&
	    prov_load(&p) == 0) {
		prov_finish(&p, sync_admins_run(&p));
		return;
	}
	prov_close(&p);
}
