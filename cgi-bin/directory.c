/*
 * directory.fcgi: organisations, teams, users and memberships of each
 * product domain's directory. The two domains have the same routes under
 * their own prefix and never see each other's entities; every route is
 * for the account's admins (super admins name the account with
 * X-Account-Id).
 */
#include "directory/directory.h"

#define DOMAIN_ROUTES(d) \
	{ METHOD_GET, "/v1/" d "/orgs", PERM_ACCOUNT_ADMIN, org_list, 0 }, \
	{ METHOD_POST, "/v1/" d "/orgs", PERM_ACCOUNT_ADMIN, org_create, \
	    ROUTE_JSON_BODY }, \
	{ METHOD_GET, "/v1/" d "/orgs/{org_id}", PERM_ACCOUNT_ADMIN, \
	    org_get, 0 }, \
	{ METHOD_PATCH, "/v1/" d "/orgs/{org_id}", PERM_ACCOUNT_ADMIN, \
	    org_update, ROUTE_JSON_BODY }, \
	{ METHOD_DELETE, "/v1/" d "/orgs/{org_id}", PERM_ACCOUNT_ADMIN, \
	    org_delete, 0 }, \
	{ METHOD_GET, "/v1/" d "/orgs/{org_id}/members", PERM_ACCOUNT_ADMIN, \
	    org_member_list, 0 }, \
	{ METHOD_POST, "/v1/" d "/orgs/{org_id}/members", PERM_ACCOUNT_ADMIN, \
	    org_member_add, ROUTE_JSON_BODY }, \
	{ METHOD_PATCH, "/v1/" d "/orgs/{org_id}/members/{user}", \
	    PERM_ACCOUNT_ADMIN, org_member_role, ROUTE_JSON_BODY }, \
	{ METHOD_DELETE, "/v1/" d "/orgs/{org_id}/members/{user}", \
	    PERM_ACCOUNT_ADMIN, org_member_remove, 0 }, \
	{ METHOD_GET, "/v1/" d "/teams", PERM_ACCOUNT_ADMIN, team_list, 0 }, \
	{ METHOD_POST, "/v1/" d "/teams", PERM_ACCOUNT_ADMIN, team_create, \
	    ROUTE_JSON_BODY }, \
	{ METHOD_GET, "/v1/" d "/teams/{team_id}", PERM_ACCOUNT_ADMIN, \
	    team_get, 0 }, \
	{ METHOD_PATCH, "/v1/" d "/teams/{team_id}", PERM_ACCOUNT_ADMIN, \
	    team_update, ROUTE_JSON_BODY }, \
	{ METHOD_DELETE, "/v1/" d "/teams/{team_id}", PERM_ACCOUNT_ADMIN, \
	    team_delete, 0 }, \
	{ METHOD_GET, "/v1/" d "/teams/{team_id}/members", \
	    PERM_ACCOUNT_ADMIN, team_member_list, 0 }, \
	{ METHOD_POST, "/v1/" d "/teams/{team_id}/members", \
	    PERM_ACCOUNT_ADMIN, team_member_add, ROUTE_JSON_BODY }, \
	{ METHOD_PATCH, "/v1/" d "/teams/{team_id}/members/{user}", \
	    PERM_ACCOUNT_ADMIN, team_member_role, ROUTE_JSON_BODY }, \
	{ METHOD_DELETE, "/v1/" d "/teams/{team_id}/members/{user}", \
	    PERM_ACCOUNT_ADMIN, team_member_remove, 0 }, \
	{ METHOD_GET, "/v1/" d "/users", PERM_ACCOUNT_ADMIN, user_list, 0 }, \
	{ METHOD_POST, "/v1/" d "/users", PERM_ACCOUNT_ADMIN, user_create, \
	    ROUTE_JSON_BODY }, \
	{ METHOD_GET, "/v1/" d "/users/{user}", PERM_ACCOUNT_ADMIN, \
	    user_get, 0 }, \
	{ METHOD_PATCH, "/v1/" d "/users/{user}", PERM_ACCOUNT_ADMIN, \
	    user_update, ROUTE_JSON_BODY }, \
	{ METHOD_DELETE, "/v1/" d "/users/{user}", PERM_ACCOUNT_ADMIN, \
	    user_delete, 0 }, \
	{ METHOD_GET, "/v1/" d "/users/{user}/teams", PERM_ACCOUNT_ADMIN, \
	    user_teams, 0 }

static const struct route routes[] = {
	DOMAIN_ROUTES("copilot"),
	DOMAIN_ROUTES("console"),
};

static const struct app directory = {
	.program = "directory",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = directory_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &directory);
}
