/*
 * invites.fcgi: invites into an account's Copilot and Console
 * directories. The admin routes act in the caller's account (a super
 * admin names it with X-Account-Id); the two public routes are for the
 * person holding an invite's token, who has no credentials yet.
 */
#include "invites/invites.h"

static const struct route routes[] = {
	{ METHOD_POST, "/v1/copilot/invites", PERM_ACCOUNT_ADMIN,
	    invite_create, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/copilot/invites", PERM_ACCOUNT_ADMIN,
	    invite_list, 0 },
	{ METHOD_GET, "/v1/copilot/invites/{invite_id}", PERM_ACCOUNT_ADMIN,
	    invite_get, 0 },
	{ METHOD_POST, "/v1/copilot/invites/{invite_id}/revoke",
	    PERM_ACCOUNT_ADMIN, invite_revoke, 0 },
	{ METHOD_POST, "/v1/copilot/invites/{invite_id}/resend",
	    PERM_ACCOUNT_ADMIN, invite_resend, 0 },
	{ METHOD_POST, "/v1/console/invites", PERM_ACCOUNT_ADMIN,
	    invite_create, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/console/invites", PERM_ACCOUNT_ADMIN,
	    invite_list, 0 },
	{ METHOD_GET, "/v1/console/invites/{invite_id}", PERM_ACCOUNT_ADMIN,
	    invite_get, 0 },
	{ METHOD_POST, "/v1/console/invites/{invite_id}/revoke",
	    PERM_ACCOUNT_ADMIN, invite_revoke, 0 },
	{ METHOD_POST, "/v1/console/invites/{invite_id}/resend",
	    PERM_ACCOUNT_ADMIN, invite_resend, 0 },
	{ METHOD_GET, "/v1/invites/lookup", PERM_PUBLIC, invite_lookup, 0 },
	{ METHOD_POST, "/v1/invites/accept", PERM_PUBLIC, invite_accept,
	    ROUTE_JSON_BODY },
};

static const struct app invites = {
	.program = "invites",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = invites_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &invites);
}
