/* The SQL of audit.fcgi, prepared once per connection. */
#include "trail.h"

const struct stmt trail_stmts[ST__MAX] = {
	/*
	 * Newest first. $1 account or NULL, $2 'platform' for the platform's
	 * chain only, $3 actor, $4 action, $5 target type, $6 target id,
	 * $7 from, $8 to (each NULL: any), $9 the cursor's id
	 * (PAGE_SERIAL_MAX on the first page, so that every page is one
	 * range of the id index), $10 rows to fetch. Row-level security
	 * keeps an account admin to its own account.
	 */
	[ST_EVENTS] = { "audit_events",
	    "SELECT e.id, e.account_id, e.seq, " SQL_TS("e.occurred_at") ","
	    " e.actor, e.actor_role, e.action, e.target_type, e.target_id,"
	    " e.request_id, encode(e.before_digest, 'hex'),"
	    " encode(e.after_digest, 'hex'), encode(e.hash, 'hex')"
	    " FROM audit_events e"
	    " WHERE ($1::uuid IS NULL OR e.account_id = $1::uuid)"
	    " AND ($2::text IS NULL OR e.account_id IS NULL)"
	    " AND ($3::text IS NULL OR e.actor = $3)"
	    " AND ($4::text IS NULL OR e.action = $4)"
	    " AND ($5::text IS NULL OR e.target_type = $5)"
	    " AND ($6::text IS NULL OR e.target_id = $6)"
	    " AND ($7::timestamptz IS NULL OR e.occurred_at >= $7)"
	    " AND ($8::timestamptz IS NULL OR e.occurred_at < $8)"
	    " AND e.id < $9::bigint"
	    " ORDER BY e.id DESC LIMIT $10" },
};
