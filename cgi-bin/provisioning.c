/*
 * provisioning.fcgi: an account's Zitadel settings, and making Zitadel
 * match them through its management API. Reading the settings and the
 * plan is for the account's admins; every route that writes, to the
 * settings or to Zitadel (also as a dry run), is the super admin's.
 */
#include "provisioning/provisioning.h"

#define PROVISION	"/v1/accounts/{account_id}/zitadel/provision/"

static const struct route routes[] = {
	{ METHOD_GET, "/v1/accounts/{account_id}/zitadel/config",
	    PERM_ACCOUNT_ADMIN, config_get, 0 },
	{ METHOD_PUT, "/v1/accounts/{account_id}/zitadel/config",
	    PERM_SUPER_ADMIN, config_put, ROUTE_JSON_BODY },
	{ METHOD_GET, PROVISION "plan", PERM_ACCOUNT_ADMIN, plan, 0 },
	{ METHOD_POST, PROVISION "user-grant", PERM_SUPER_ADMIN, user_grant,
	    ROUTE_JSON_BODY },
	{ METHOD_POST, PROVISION "project-role", PERM_SUPER_ADMIN,
	    project_role, ROUTE_JSON_BODY },
	{ METHOD_POST, PROVISION "sync-roles", PERM_SUPER_ADMIN, sync_roles,
	    ROUTE_JSON_BODY },
	{ METHOD_POST, PROVISION "sync-admin-grants", PERM_SUPER_ADMIN,
	    sync_admin_grants, ROUTE_JSON_BODY },
	{ METHOD_POST, PROVISION "bootstrap", PERM_SUPER_ADMIN, bootstrap,
	    ROUTE_JSON_BODY },
};

static const struct app provisioning = {
	.program = "provisioning",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = provisioning_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &provisioning);
}
