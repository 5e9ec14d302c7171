/*
 * budgets.fcgi: Budget Plans, Credit Pools, User Overrides, Effective
 * Allocation, usage recording and reservations, alerts and cost reports,
 * for the Copilot domain. Super admins grant accounts their credits;
 * account admins allocate and watch them; client applications (API keys)
 * record what their users spend, on every end-user request.
 */
#include "budgets/budgets.h"

#define B	"/v1/budgets/copilot"

static const struct route routes[] = {
	{ METHOD_POST, "/v1/budgets/account-allocation", PERM_SUPER_ADMIN,
	    account_allocation_set, ROUTE_JSON_BODY },
	{ METHOD_GET, "/v1/budgets/account-allocation", PERM_ACCOUNT_ADMIN,
	    account_allocation_get, 0 },
	{ METHOD_GET, B "/account-allocation", PERM_ACCOUNT_ADMIN,
	    account_allocation_get, 0 },
	{ METHOD_GET, "/v1/budgets/credit-factors", PERM_ACCOUNT_ADMIN,
	    credit_factors_list, 0 },
	{ METHOD_PUT, "/v1/budgets/credit-factors", PERM_SUPER_ADMIN,
	    credit_factor_set, ROUTE_JSON_BODY },
	{ METHOD_DELETE, "/v1/budgets/credit-factors", PERM_SUPER_ADMIN,
	    credit_factor_delete, 0 },

	{ METHOD_POST, B "/plans", PERM_ACCOUNT_ADMIN, budget_plan_create,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, B "/plans", PERM_ACCOUNT_ADMIN, budget_plan_list, 0 },
	{ METHOD_GET, B "/plans/active", PERM_ACCOUNT_ADMIN,
	    budget_plan_active, 0 },
	{ METHOD_GET, B "/plans/{plan_id}", PERM_ACCOUNT_ADMIN,
	    budget_plan_get, 0 },
	{ METHOD_PATCH, B "/plans/{plan_id}", PERM_ACCOUNT_ADMIN,
	    budget_plan_update, ROUTE_JSON_BODY },

	{ METHOD_GET, B "/allocations", PERM_ACCOUNT_ADMIN, allocations_list,
	    0 },
	{ METHOD_POST, B "/allocations/upsert", PERM_ACCOUNT_ADMIN,
	    allocation_upsert, ROUTE_JSON_BODY },
	{ METHOD_DELETE, B "/allocations", PERM_ACCOUNT_ADMIN,
	    allocation_delete, 0 },
	{ METHOD_POST, B "/distribute/equal", PERM_ACCOUNT_ADMIN,
	    distribute_equal, ROUTE_JSON_BODY },
	{ METHOD_GET, B "/overrides", PERM_ACCOUNT_ADMIN, overrides_list, 0 },
	{ METHOD_POST, B "/overrides", PERM_ACCOUNT_ADMIN, override_set,
	    ROUTE_JSON_BODY },
	{ METHOD_DELETE, B "/overrides/{user}", PERM_ACCOUNT_ADMIN,
	    override_delete, 0 },

	{ METHOD_POST, B "/usage", PERM_ACCOUNT_ADMIN, usage_record,
	    ROUTE_JSON_BODY },
	{ METHOD_GET, B "/usage", PERM_ACCOUNT_ADMIN, usage_list, 0 },
	{ METHOD_POST, B "/reservations", PERM_ACCOUNT_ADMIN,
	    reservation_create, ROUTE_JSON_BODY },
	{ METHOD_GET, B "/reservations/{reservation_id}", PERM_ACCOUNT_ADMIN,
	    reservation_get, 0 },
	{ METHOD_POST, B "/reservations/{reservation_id}/capture",
	    PERM_ACCOUNT_ADMIN, reservation_capture, ROUTE_JSON_BODY },
	{ METHOD_POST, B "/reservations/{reservation_id}/release",
	    PERM_ACCOUNT_ADMIN, reservation_release, 0 },

	{ METHOD_GET, B "/effective-allocation", PERM_SIGNED_IN,
	    effective_allocation, 0 },
	{ METHOD_GET, B "/usage-by-scope", PERM_ACCOUNT_ADMIN, usage_by_scope,
	    0 },
	{ METHOD_GET, B "/cost-breakdown", PERM_ACCOUNT_ADMIN, cost_breakdown,
	    0 },
	{ METHOD_GET, "/v1/costs/breakdown", PERM_ACCOUNT_ADMIN, cost_breakdown,
	    0 },
	{ METHOD_GET, B "/alerts", PERM_ACCOUNT_ADMIN, alerts_list, 0 },
	{ METHOD_GET, B "/alerts/webhook", PERM_ACCOUNT_ADMIN, webhook_get, 0 },
	{ METHOD_PUT, B "/alerts/webhook", PERM_ACCOUNT_ADMIN, webhook_set,
	    ROUTE_JSON_BODY },
	{ METHOD_DELETE, B "/alerts/webhook", PERM_ACCOUNT_ADMIN,
	    webhook_delete, 0 },
};

static const struct stmt_set *const sets[] = {
	&budget_plan_set, &budget_pool_set, &budget_report_set,
	&budget_usage_set,
};

static const struct app budgets = {
	.program = "budgets",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmt_sets = sets,
	.nstmt_sets = sizeof(sets) / sizeof(sets[0]),
};

int
main(int argc, char *argv[])
{
	return app_main(argc, argv, &budgets);
}
