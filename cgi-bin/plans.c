/*
 * plans.fcgi: the plan and feature catalogues the platform keeps, and
 * what an account's subscription makes of them. Each route names the
 * least role it needs.
 */
#include "plans/plans.h"

static const struct route routes[] = {
	{ METHOD_GET, "/v1/plans", PERM_SUPER_ADMIN, plan_list, 0 },
	{ METHOD_POST, "/v1/plans", PERM_SUPER_ADMIN, plan_create,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/plans/{plan_id}", PERM_SUPER_ADMIN, plan_get, 0 },
	{ METHOD_PATCH, "/v1/plans/{plan_id}", PERM_SUPER_ADMIN, plan_update,
	    ROUTE_JSON_BODY },
	{ METHOD_DELETE, "/v1/plans/{plan_id}", PERM_SUPER_ADMIN, plan_delete,
	    0 },
	{ METHOD_GET, "/v1/features", PERM_SUPER_ADMIN, feature_list, 0 },
	{ METHOD_POST, "/v1/features", PERM_SUPER_ADMIN, feature_create,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/features/entitlements", PERM_ACCOUNT_ADMIN,
	    entitlement_list, 0 },
	{ METHOD_POST, "/v1/features/entitlements", PERM_SUPER_ADMIN,
	    entitlement_set, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/features/effective", PERM_SIGNED_IN, effective, 0 },
	{ METHOD_PATCH, "/v1/features/{feature_key}", PERM_SUPER_ADMIN,
	    feature_update, ROUTE_JSON_BODY },
	{ METHOD_DELETE, "/v1/features/{feature_key}", PERM_SUPER_ADMIN,
	    feature_delete, 0 },
};

static const struct app plans = {
	.program = "plans",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = plans_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &plans);
}
