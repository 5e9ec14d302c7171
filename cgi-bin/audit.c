/*
 * audit.fcgi: the audit trail, for super admins (every account and the
 * platform) and account admins (their own account). Handlers in audit/.
 */
#include "audit/trail.h"

static const struct route routes[] = {
	{ METHOD_GET, "/v1/audit", PERM_ACCOUNT_ADMIN, audit_events, 0 },
};

static const struct app audit = {
	.program = "audit",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmts = trail_stmts,
	.nstmts = ST__MAX,
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &audit);
}
