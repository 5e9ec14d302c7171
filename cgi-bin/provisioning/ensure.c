/*
 * Changes made in Zitadel only when needed: each looks first, then
 * answers a step: unchanged, would_do (a dry run: no write at all), or
 * done (and audited at once). A Zitadel failure stops the run (-1, with
 * p->failure); a user that is not in Zitadel is a failed step of its
 * own, and the run goes on.
 */
#include <stdio.h>
#include <string.h>

#include "provisioning.h"

/* A failure of Zitadel's that ends the run. */
static int
stop(struct prov *p, enum mgmt_result rc)
{
	p->failure = rc == MGMT_UNAVAILABLE ? MGMT_UNAVAILABLE : MGMT_ERROR;
	return -1;
}

/*
 * The project has the role key (display_name and group used when it is
 * added): step "project_role".
 */
int
ensure_role(struct prov *p, const char *key, const char *display_name,
    const char *group)
{
	char			 target[ZITADEL_ID_MAX + ROLE_KEY_MAX + 2];
	enum mgmt_result	 rc;
	int			 exists;

	if ((rc = zitadel_role_exists(p, key, &exists)) != MGMT_OK)
		return stop(p, rc);
	if (exists) {
		prov_step(p, "project_role", key, STEP_UNCHANGED, "project %s "
		    "has the role", p->project);
		return 0;
	}
	if (p->dry_run) {
		prov_step(p, "project_role", key, STEP_WOULD_DO, "would add "
		    "the role \"%s\" to project %s", display_name, p->project);
		return 0;
	}
	rc = zitadel_role_add(p, key, display_name, group);
	if (rc == MGMT_CONFLICT) {
		prov_step(p, "project_role", key, STEP_UNCHANGED, "project %s "
		    "has the role (added meanwhile)", p->project);
		return 0;
	}
	if (rc != MGMT_OK)
		return stop(p, rc);
	prov_step(p, "project_role", key, STEP_DONE, "added the role \"%s\" "
	    "to project %s", display_name, p->project);
	(void)snprintf(target, sizeof(target), "%s:%s", p->project, key);
	return prov_audit(p, "zitadel.role.add", "zitadel_project_role",
	    target, display_name);
}

/* Whether the list of strings has s. */
static int
has(const cJSON *list, const char *s)
{
	const cJSON	*k;

	cJSON_ArrayForEach(k, list)
		if (cJSON_IsString(k) && strcmp(k->valuestring, s) == 0)
			return 1;
	return 0;
}

/* The keys as "a, b", for a step's detail and the audit. */
static int
keys_text(const cJSON *list, struct buf *b)
{
	const cJSON	*k;

	buf_reset(b);
	cJSON_ArrayForEach(k, list)
		if (buf_printf(b, "%s%s", k == list->child ? "" : ", ",
		    k->valuestring) == -1)
			return -1;
	return buf_puts(b, "") == -1 ? -1 : 0;
}

/* Adds to have the roles it lacks, listing them in missing. */
static int
merge(cJSON *have, const cJSON *roles, cJSON *missing)
{
	const cJSON	*k;

	cJSON_ArrayForEach(k, roles)
		if (!has(have, k->valuestring) &&
		    (!cJSON_AddItemToArray(have, cJSON_CreateString(
		    k->valuestring)) || !cJSON_AddItemToArray(missing,
		    cJSON_CreateString(k->valuestring))))
			return -1;
	return 0;
}

/* No grant yet: add one with roles. */
static int
grant_new(struct prov *p, const char *label, const char *user_id,
    const cJSON *roles, struct buf *text)
{
	enum mgmt_result	 rc;

	if (p->dry_run) {
		prov_step(p, "user_grant", label, STEP_WOULD_DO, "would grant "
		    "%s on project %s", text->data, p->project);
		return 0;
	}
	if ((rc = zitadel_grant_add(p, user_id, roles)) != MGMT_OK)
		return stop(p, rc);
	prov_step(p, "user_grant", label, STEP_DONE, "granted %s on project "
	    "%s", text->data, p->project);
	return prov_audit(p, "zitadel.grant.add", "zitadel_user", user_id,
	    text->data);
}

/* A grant lacking some roles: add them to it. */
static int
grant_more(struct prov *p, const char *label, const char *user_id,
    const char *grant_id, const cJSON *all, struct buf *text)
{
	enum mgmt_result	 rc;

	if (p->dry_run) {
		prov_step(p, "user_grant", label, STEP_WOULD_DO, "would add %s "
		    "to the user's grant on project %s", text->data,
		    p->project);
		return 0;
	}
	if ((rc = zitadel_grant_update(p, user_id, grant_id, all)) != MGMT_OK)
		return stop(p, rc);
	prov_step(p, "user_grant", label, STEP_DONE, "added %s to the user's "
	    "grant on project %s", text->data, p->project);
	if (keys_text(all, text) == -1) {
		resp_nomem(p->r);
		return -1;
	}
	return prov_audit(p, "zitadel.grant.update", "zitadel_user", user_id,
	    text->data);
}

/* Decides on the user's grant have (NULL: none) and acts. */
static int
grant_decide(struct prov *p, const char *label, const char *user_id,
    const char *grant_id, cJSON *have, const cJSON *roles)
{
	struct buf	 text = { 0 };
	cJSON		*missing = cJSON_CreateArray();
	int		 rc = -1;

	if (missing == NULL || (have != NULL && merge(have, roles,
	    missing) == -1) || keys_text(have != NULL ? missing : roles,
	    &text) == -1)
		resp_nomem(p->r);
	else if (have == NULL)
		rc = grant_new(p, label, user_id, roles, &text);
	else if (cJSON_GetArraySize(missing) == 0) {
		prov_step(p, "user_grant", label, STEP_UNCHANGED, "the user's "
		    "grant on project %s has the roles", p->project);
		rc = 0;
	} else
		rc = grant_more(p, label, user_id, grant_id, have, &text);
	cJSON_Delete(missing);
	buf_free(&text);
	return rc;
}

/*
 * The user (label: how the client named it) has a grant on the project
 * with at least roles: added, or widened; never narrowed. Step
 * "user_grant".
 */
int
ensure_grant(struct prov *p, const char *label, const char *user_id,
    const cJSON *roles)
{
	char			 grant_id[ZITADEL_ID_MAX + 1];
	cJSON			*have;
	enum mgmt_result	 rc;
	int			 done;

	rc = zitadel_grant_find(p, user_id, grant_id, sizeof(grant_id),
	    &have);
	if (rc != MGMT_OK)
		return stop(p, rc);
	done = grant_decide(p, label, user_id, grant_id, have, roles);
	cJSON_Delete(have);
	return done;
}

/* The project has the configured role keys. */
int
sync_roles_run(struct prov *p)
{
	return ensure_role(p, p->admin_role, ADMIN_ROLE_NAME, ROLE_GROUP) ==
	    -1 || ensure_role(p, p->user_role, USER_ROLE_NAME, ROLE_GROUP) ==
	    -1 ? -1 : 0;
}

/* One account admin, by email, has the admin role. */
static int
sync_admin(struct prov *p, const char *email, const cJSON *roles)
{
	char			 id[ZITADEL_ID_MAX + 1];
	enum mgmt_result	 rc;

	rc = zitadel_user_by_email(p, email, id, sizeof(id));
	if (rc == MGMT_NOT_FOUND || rc == MGMT_CONFLICT) {
		prov_step(p, "user_grant", email, STEP_FAILED, "%s", p->err);
		return 0;
	}
	if (rc != MGMT_OK)
		return stop(p, rc);
	return ensure_grant(p, email, id, roles);
}

/*
 * Every active account admin of the account has a grant with the admin
 * role key, found in Zitadel by email.
 */
int
sync_admins_run(struct prov *p)
{
	PGresult	*res;
	cJSON		*roles;
	int		 i, n, rc = 0;

	if ((res = prov_admin_emails(p)) == NULL)
		return -1;
	if ((roles = cJSON_CreateArray()) == NULL ||
	    !cJSON_AddItemToArray(roles, cJSON_CreateString(p->admin_role))) {
		cJSON_Delete(roles);
		PQclear(res);
		resp_nomem(p->r);
		return -1;
	}
	if ((n = PQntuples(res)) == 0)
		prov_step(p, "user_grant", p->account, STEP_UNCHANGED, "the "
		    "account has no active account admin");
	for (i = 0; i < n && rc == 0; i++)
		rc = sync_admin(p, PQgetvalue(res, i, 0), roles);
	cJSON_Delete(roles);
	PQclear(res);
	return rc;
}
