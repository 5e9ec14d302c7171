/*
 * auth.fcgi: signing in and out of the console, the caller's context, and
 * the identity provider's status. Handlers in auth/.
 */
#include "auth/signin.h"

static const struct route routes[] = {
	{ METHOD_GET, "/v1/auth/methods", PERM_PUBLIC, auth_methods, 0 },
	{ METHOD_GET, "/v1/auth/login", PERM_PUBLIC, auth_login, 0 },
	{ METHOD_GET, "/v1/auth/callback", PERM_PUBLIC, auth_callback, 0 },
	{ METHOD_POST, "/v1/auth/logout", PERM_SIGNED_IN, auth_logout,
	    ROUTE_ANY_STATUS },
	{ METHOD_POST, "/v1/auth/break-glass", PERM_PUBLIC, auth_break_glass,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/auth/zitadel/status", PERM_SUPER_ADMIN,
	    zitadel_status, 0 },
	{ METHOD_GET, "/v1/me/context", PERM_SIGNED_IN, me_context,
	    ROUTE_ANY_STATUS },
};

static const struct app auth = {
	.program = "auth",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = auth_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &auth);
}
