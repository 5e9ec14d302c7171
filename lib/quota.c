/* The one quota check every domain makes before it adds something. */
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "quota.h"

const struct stmt quota_stmts[QUOTA__MAX] = {
	/* $1 account, $2 quota: the limit (NULL: none) and what is used. */
	[QUOTA_CHECK] = { "cockpit_quota_check",
	    "SELECT quota_limit, used FROM cockpit_quota_check($1, $2)" },
};

/*
 * Whether account may add `adding` more of quota, in the request's
 * transaction, which then holds the quota's lock until it ends. 1: it
 * may; 0: it may not and the request is answered 409 quota_exceeded
 * (its message names the quota, its limit and what is used); -1: the
 * request is answered with the error.
 */
int
quota_allows(struct req *r, const char *account_id, const char *quota,
    long long adding)
{
	const char	*v[2] = { account_id, quota };
	PGresult	*res;
	long long	 limit, used;

	if ((res = req_stmt(r, &quota_stmts[QUOTA_CHECK], 2, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return 1;
	}
	limit = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	used = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	if (used + adding <= limit)
		return 1;
	resp_error(r, 409, "quota_exceeded", NULL, "the account's plan allows "
	    "%lld %s and it has %lld; ask the platform for a larger plan",
	    limit, quota, used);
	return 0;
}
