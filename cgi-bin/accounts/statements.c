/* The SQL of accounts.fcgi, prepared once per connection. */
#include "accounts.h"

/* Columns in the order account_json() reads them. */
#define ACCOUNT_COLUMNS \
	"id, name, slug, status, " \
	"to_char(created_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), " \
	"to_char(updated_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

const struct stmt accounts_stmts[ST__MAX] = {
	[ST_ACCOUNT_CREATE] = { "account_create",
	    "INSERT INTO accounts (name, slug, created_at, updated_at) "
	    "SELECT $1, $2, t, t FROM clock_timestamp() AS t "
	    "RETURNING " ACCOUNT_COLUMNS },
	[ST_ACCOUNT_GET] = { "account_get",
	    "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = $1" },
	/*
	 * $1 ILIKE pattern or NULL, $2 status or NULL, $3/$4 the cursor's
	 * (created_at, id) or NULL, $5 rows to fetch (the page size + 1, to
	 * know whether another page follows).
	 */
	[ST_ACCOUNT_LIST] = { "account_list",
	    "SELECT " ACCOUNT_COLUMNS " FROM accounts "
	    "WHERE ($1::text IS NULL OR name ILIKE $1 OR slug ILIKE $1) "
	    "AND ($2::text IS NULL OR status = $2) "
	    "AND ($3::timestamptz IS NULL OR "
	    "(created_at, id) > ($3::timestamptz, $4::uuid)) "
	    "ORDER BY created_at, id LIMIT $5" },
	[ST_ACCOUNT_UPDATE] = { "account_update",
	    "UPDATE accounts SET name = coalesce($2, name), "
	    "slug = coalesce($3, slug), updated_at = clock_timestamp() "
	    "WHERE id = $1 RETURNING " ACCOUNT_COLUMNS },
};
