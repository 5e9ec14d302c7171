/*
 * superadmin.fcgi: the super admin's operations over every account at once:
 * a cross-account summary and bulk actions. Each route is also served under
 * /copilot/super-admin/ for older clients. Handlers in superadmin/.
 */
#include "superadmin/superadmin.h"

static const struct route routes[] = {
	{ METHOD_GET, "/v1/super-admin/summary", PERM_SUPER_ADMIN,
	    summary_get, 0 },
	{ METHOD_POST, "/v1/super-admin/bulk-actions", PERM_SUPER_ADMIN,
	    bulk_action, ROUTE_JSON_BODY },
	{ METHOD_GET, "/copilot/super-admin/summary", PERM_SUPER_ADMIN,
	    summary_get, 0 },
	{ METHOD_POST, "/copilot/super-admin/bulk-actions", PERM_SUPER_ADMIN,
	    bulk_action, ROUTE_JSON_BODY },
};

static const struct app superadmin = {
	.program = "superadmin",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = superadmin_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &superadmin);
}
