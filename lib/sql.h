/*
 * A request's SQL: the first statement connects if need be, opens the
 * transaction and sets the tenant from the request's principal; a failure
 * becomes the right error response (503 with Retry-After when the database
 * is unreachable or too slow, 500 otherwise) and is logged with the request
 * id, never shown to the client.
 */
#ifndef COCKPIT_SQL_H
#define COCKPIT_SQL_H

#include <libpq-fe.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "db.h"
#include "request.h"

/*
 * A time as the API writes it, in a statement's text: timestamptz column
 * c as RFC 3339 text in UTC, with microseconds.
 */
#define SQL_TS(c) \
	"to_char(" c " AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

PGresult	*req_stmt(struct req *, const struct stmt *, int n,
		    const char *const *values, int flags);
PGresult	*req_sql(struct req *, size_t stmt, int n,
		    const char *const *values, int flags);
PGresult	*req_platform_sql(struct req *, const struct stmt *, int n,
		    const char *const *values, enum db_result *);
void		 req_db_failed(struct req *, enum db_result);
int		 req_sqlstate(const struct req *, const char *);
int		 sql_text_array(const cJSON *, struct buf *);
int		 sql_json_text(struct buf *, const PGresult *, int row,
		    int col);
void		 json_answer(struct req *, PGresult *, int status,
		    const char *missing);

#endif
