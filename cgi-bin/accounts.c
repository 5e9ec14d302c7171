/*
 * accounts.fcgi: create, list, read and update the platform's accounts.
 * Every route is for super admins (the platform master key, for now).
 */
#include "accounts/accounts.h"

static const struct route routes[] = {
	{ METHOD_POST, "/v1/accounts", PERM_SUPER_ADMIN, account_create,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/accounts", PERM_SUPER_ADMIN, account_list, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN,
	    account_get, 0 },
	{ METHOD_PATCH, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN,
	    account_update, ROUTE_JSON_BODY },
};

static const struct app accounts = {
	.program = "accounts",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = accounts_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &accounts);
}
