/*
 * superadmin.fcgi: the platform's view of every account (summary.c) and
 * actions over many accounts in one request (bulk.c), their SQL in
 * statements.c, the route table in ../superadmin.c.
 */
#ifndef SUPERADMIN_H
#define SUPERADMIN_H

#include "app.h"

#define BULK_IDS_MAX	500	/* accounts in one bulk action */
#define REASON_MAX	500	/* characters in a grant's reason */

/* Indexes into superadmin_stmts[], in the same order. */
enum superadmin_stmt {
	ST_SUMMARY,
	ST_BULK_STATUS,
	ST_BULK_PLAN,
	ST_BULK_GRANT,
	ST__MAX
};

/* The columns every bulk statement returns, one row per account asked. */
enum bulk_col {
	BC_ACCOUNT,		/* the id as asked, in its canonical text */
	BC_OUTCOME,		/* changed, would_change, unchanged, failed */
	BC_ERROR,		/* failed: not_found or credits_overflow */
	BC_BEFORE,		/* the action's value before, as text */
	BC_AFTER,		/* and after (or as it would be) */
	BC_PLAN_FOUND,		/* change_plan: the plan exists ("t"/"f") */
	BC_PLAN_ACTIVE		/* and is active */
};

extern const struct stmt superadmin_stmts[ST__MAX];

int	credits_json(struct buf *, const char *micro);

void	summary_get(struct req *);
void	bulk_action(struct req *);

#endif
