/*
 * Quotas: what an account's plan lets it have (users, teams, agents,
 * connections). A handler about to add one asks quota_allows() in the
 * request's transaction, before its insert: the check counts under a lock
 * held until the transaction ends (cockpit_quota_check() in
 * sql/0003_plans.sql), so concurrent requests for the last place take
 * turns and at most the limit succeed.
 */
#ifndef COCKPIT_QUOTA_H
#define COCKPIT_QUOTA_H

#include "db.h"

struct req;

enum quota_stmt {
	QUOTA_CHECK,
	QUOTA__MAX
};

extern const struct stmt quota_stmts[QUOTA__MAX];

int	quota_allows(struct req *, const char *account_id, const char *quota,
	    long long adding);

#endif
