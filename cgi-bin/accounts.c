/*
 * accounts.fcgi: the platform's accounts, their admins, single sign-on,
 * feature packs and console model policies, and the API keys of their
 * services. Each route names the least role it needs.
 */
#include "accounts/accounts.h"

static const struct route routes[] = {
	{ METHOD_POST, "/v1/accounts", PERM_SUPER_ADMIN, account_create,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/accounts", PERM_SUPER_ADMIN, account_list, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}", PERM_ACCOUNT_ADMIN,
	    account_get, 0 },
	{ METHOD_PATCH, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN,
	    account_update, ROUTE_JSON_BODY },
	{ METHOD_DELETE, "/v1/accounts/{account_id}", PERM_SUPER_ADMIN,
	    account_delete, 0 },
	{ METHOD_POST, "/v1/accounts/{account_id}/status", PERM_SUPER_ADMIN,
	    account_status, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/accounts/{account_id}/sso", PERM_ACCOUNT_ADMIN,
	    sso_get, 0 },
	{ METHOD_POST, "/v1/accounts/{account_id}/sso", PERM_SUPER_ADMIN,
	    sso_set, ROUTE_JSON_BODY },
	{ METHOD_DELETE, "/v1/accounts/{account_id}/sso", PERM_SUPER_ADMIN,
	    sso_clear, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}/admins", PERM_ACCOUNT_ADMIN,
	    admin_list, 0 },
	{ METHOD_POST, "/v1/accounts/{account_id}/admins", PERM_ACCOUNT_ADMIN,
	    admin_add, ROUTE_JSON_BODY },
	{ METHOD_PATCH, "/v1/accounts/{account_id}/admins/{email}",
	    PERM_ACCOUNT_ADMIN, admin_update, ROUTE_JSON_BODY },
	{ METHOD_DELETE, "/v1/accounts/{account_id}/admins/{email}",
	    PERM_ACCOUNT_ADMIN, admin_remove, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}/feature-pack",
	    PERM_ACCOUNT_ADMIN, feature_pack_get, 0 },
	{ METHOD_PUT, "/v1/accounts/{account_id}/feature-pack",
	    PERM_SUPER_ADMIN, feature_pack_set, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/accounts/{account_id}/console-model-policy",
	    PERM_ACCOUNT_ADMIN, model_policy_get, 0 },
	{ METHOD_PUT, "/v1/accounts/{account_id}/console-model-policy",
	    PERM_SUPER_ADMIN, model_policy_set, ROUTE_JSON_BODY },
	{ METHOD_POST, "/v1/accounts/{account_id}/api-keys", PERM_ACCOUNT_ADMIN,
	    api_key_create, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/accounts/{account_id}/api-keys", PERM_ACCOUNT_ADMIN,
	    api_key_list, 0 },
	{ METHOD_GET, "/v1/accounts/{account_id}/api-keys/{key_id}",
	    PERM_ACCOUNT_ADMIN, api_key_get, 0 },
	{ METHOD_DELETE, "/v1/accounts/{account_id}/api-keys/{key_id}",
	    PERM_ACCOUNT_ADMIN, api_key_revoke, 0 },
	{ METHOD_POST, "/v1/accounts/{account_id}/api-keys/{key_id}/rotate",
	    PERM_ACCOUNT_ADMIN, api_key_rotate, ROUTE_JSON_BODY },
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
