/*
 * scim.fcgi: SCIM 2.0 provisioning of an account's Copilot directory
 * (RFC 7643, RFC 7644) for Zitadel, Okta and Entra. Every route takes
 * only a SCIM-scoped API key (ROUTE_SCIM), which acts as the account's
 * admin and serves no other route; answers are application/scim+json,
 * errors too.
 */
#include "scim/scim.h"

#define SCIM		PERM_ACCOUNT_ADMIN
#define BODY		(ROUTE_SCIM | ROUTE_JSON_BODY)

static const struct route routes[] = {
	{ METHOD_GET, "/scim/v2/ServiceProviderConfig", SCIM,
	    service_provider_config, ROUTE_SCIM },
	{ METHOD_GET, "/scim/v2/Schemas", SCIM, schema_list, ROUTE_SCIM },
	{ METHOD_GET, "/scim/v2/Schemas/{schema}", SCIM, schema_get,
	    ROUTE_SCIM },
	{ METHOD_GET, "/scim/v2/ResourceTypes", SCIM, resource_type_list,
	    ROUTE_SCIM },
	{ METHOD_GET, "/scim/v2/ResourceTypes/{type}", SCIM,
	    resource_type_get, ROUTE_SCIM },
	{ METHOD_GET, "/scim/v2/Users", SCIM, user_list, ROUTE_SCIM },
	{ METHOD_POST, "/scim/v2/Users", SCIM, user_create, BODY },
	{ METHOD_GET, "/scim/v2/Users/{user_id}", SCIM, user_get, ROUTE_SCIM },
	{ METHOD_PUT, "/scim/v2/Users/{user_id}", SCIM, user_replace, BODY },
	{ METHOD_PATCH, "/scim/v2/Users/{user_id}", SCIM, user_patch, BODY },
	{ METHOD_DELETE, "/scim/v2/Users/{user_id}", SCIM, user_delete,
	    ROUTE_SCIM },
	{ METHOD_GET, "/scim/v2/Groups", SCIM, group_list, ROUTE_SCIM },
	{ METHOD_POST, "/scim/v2/Groups", SCIM, group_create, BODY },
	{ METHOD_GET, "/scim/v2/Groups/{group_id}", SCIM, group_get,
	    ROUTE_SCIM },
	{ METHOD_PUT, "/scim/v2/Groups/{group_id}", SCIM, group_replace, BODY },
	{ METHOD_PATCH, "/scim/v2/Groups/{group_id}", SCIM, group_patch, BODY },
	{ METHOD_DELETE, "/scim/v2/Groups/{group_id}", SCIM, group_delete,
	    ROUTE_SCIM },
};

static const struct app scim = {
	.program = "scim",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = scim_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &scim);
}
