/*
 * budgets.fcgi: the Copilot money path, in Budget Plans, Credit Pools,
 * User Overrides and Effective Allocation (sql/0007_budgets.sql has the
 * model and its rules).
 *
 *   pools.c    the account allocation (super admins), allocations, equal
 *              distribution and User Overrides (account admins)
 *   plans.c    Budget Plans: cycle, anchor, alert thresholds
 *   usage.c    recording usage, and reservations (client applications)
 *   reports.c  effective allocation, usage by scope, cost breakdowns,
 *              alerts and their webhook, credit factors
 *   common.c   what they share
 *
 * Each file prepares its own statements (a struct stmt_set it exports);
 * the route table is ../budgets.c. Credits cross the API as decimal
 * strings and are integer micro-credits inside (lib/credits.h).
 */
#ifndef BUDGETS_H
#define BUDGETS_H

#include "app.h"
#include "credits.h"
#include "tenant.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

extern const struct stmt_set budget_plan_set;
extern const struct stmt_set budget_pool_set;
extern const struct stmt_set budget_report_set;
extern const struct stmt_set budget_usage_set;

/* common.c */
int	credits_text_valid(const char *);
int	credits_positive_valid(const char *);
void	budget_answer(struct req *, PGresult *);
int	budget_exceeded(struct req *);

/* pools.c */
void	account_allocation_get(struct req *);
void	account_allocation_set(struct req *);
void	allocations_list(struct req *);
void	allocation_upsert(struct req *);
void	allocation_delete(struct req *);
void	distribute_equal(struct req *);
void	overrides_list(struct req *);
void	override_set(struct req *);
void	override_delete(struct req *);

/* plans.c */
void	budget_plan_create(struct req *);
void	budget_plan_list(struct req *);
void	budget_plan_active(struct req *);
void	budget_plan_get(struct req *);
void	budget_plan_update(struct req *);

/* usage.c */
void	usage_record(struct req *);
void	reservation_create(struct req *);
void	reservation_get(struct req *);
void	reservation_capture(struct req *);
void	reservation_release(struct req *);

/* reports.c */
void	effective_allocation(struct req *);
void	usage_list(struct req *);
void	usage_by_scope(struct req *);
void	cost_breakdown(struct req *);
void	alerts_list(struct req *);
void	webhook_get(struct req *);
void	webhook_set(struct req *);
void	webhook_delete(struct req *);
void	credit_factors_list(struct req *);
void	credit_factor_set(struct req *);
void	credit_factor_delete(struct req *);

#endif
