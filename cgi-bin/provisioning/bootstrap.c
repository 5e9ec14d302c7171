/* An account's whole provisioning: planned, or done. */
#include "provisioning.h"

static const struct field sync_fields[] = {
	{ "dry_run", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
};

/* Roles, then the admins' grants. */
static int
bootstrap_run(struct prov *p)
{
	return sync_roles_run(p) == -1 || sync_admins_run(p) == -1 ? -1 : 0;
}

/*
 * GET /v1/accounts/{account_id}/zitadel/provision/plan: what bootstrap
 * would do now (a dry run: nothing is written). 200 with the steps; 404
 * not_found; 409 zitadel_not_set_up; 502 zitadel_unavailable or
 * zitadel_error; 503 zitadel_not_configured.
 */
void
plan(struct req *r)
{
	struct prov	 p;

	if (prov_open(r, &p, NULL, 0) == 0 && prov_load(&p) == 0) {
		prov_finish(&p, bootstrap_run(&p));
		return;
	}
	prov_close(&p);
}

/*
 * POST /v1/accounts/{account_id}/zitadel/provision/bootstrap
 * {"dry_run"?}: sync-roles, then sync-admin-grants, in one answer. 200
 * with every step; 400, 422; otherwise as plan.
 */
void
bootstrap(struct req *r)
{
	struct prov	 p;

	if (prov_open(r, &p, sync_fields, NFIELDS(sync_fields)) == 0 &&
	    prov_load(&p) == 0) {
		prov_finish(&p, bootstrap_run(&p));
		return;
	}
	prov_close(&p);
}
