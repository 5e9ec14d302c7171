/* Running a request's statements and turning failures into answers. */
#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "sql.h"

static int
sqlstate_class(const struct db *db, const char *cls)
{
	return strncmp(db->sqlstate, cls, 2) == 0;
}

/*
 * Whether PostgreSQL rolled the transaction back to let another go on: a
 * deadlock's victim, or a serialization failure. A transaction of one
 * statement is then run again, up to VICTIM_TRIES times in all: nothing
 * of it was answered or kept.
 */
#define VICTIM_TRIES	3

static int
victim(const struct db *db)
{
	return db_sqlstate_is(db, "40P01") || db_sqlstate_is(db, "40001");
}

/* Answers and logs a database failure the handler did not handle. */
void
req_db_failed(struct req *r, enum db_result rc)
{
	struct db	*db = &r->w->db;

	if (rc == DB_UNAVAILABLE || db_sqlstate_is(db, "57014") ||
	    sqlstate_class(db, "40")) {
		log_warn(&r->w->log, "database unavailable", "request_id",
		    r->request_id, "sqlstate", db->sqlstate, "error",
		    db->message);
		resp_error(r, 503, "database_unavailable", NULL, "the database "
		    "is unavailable or busy; retry shortly");
		(void)resp_header(r, "Retry-After", "1");
		return;
	}
	if (db_sqlstate_is(db, "42501")) {
		log_warn(&r->w->log, "row-level security refused a write",
		    "request_id", r->request_id, "error", db->message);
		resp_error(r, 403, "forbidden", NULL, "this write is not "
		    "permitted in the request's account");
		return;
	}
	if (sqlstate_class(db, "23")) {
		log_info(&r->w->log, "constraint refused a write",
		    "request_id", r->request_id, "sqlstate", db->sqlstate,
		    "error", db->message);
		resp_error(r, 409, "conflict", NULL, "the change conflicts "
		    "with existing data");
		return;
	}
	log_error(&r->w->log, "statement failed", "request_id", r->request_id,
	    "sqlstate", db->sqlstate, "error", db->message);
	resp_error(r, 500, "internal_error", NULL, "internal error; quote the "
	    "request id when reporting it");
}

/*
 * Runs statement s in the request's transaction: the first connects if
 * need be, opens it and sets the tenant from the request's principal.
 * A statement that is the whole transaction (the first, with DB_LAST)
 * runs again when PostgreSQL made it a deadlock's victim. Returns the
 * result, which the caller clears, or NULL with the request answered; a
 * handler may then look at req_sqlstate() and answer better.
 */
PGresult *
req_stmt(struct req *r, const struct stmt *s, int n,
    const char *const *values, int flags)
{
	struct db	*db = &r->w->db;
	enum db_result	 rc;
	PGresult	*res;
	int		 whole, tries;

	if (!r->db_started) {
		r->db_started = 1;
		if ((rc = db_ready(db)) != DB_OK) {
			req_db_failed(r, rc);
			return NULL;
		}
		db_tenant(db, r->principal.account_id, r->principal.platform);
	}
	whole = !db->in_tx && (flags & DB_LAST);
	for (tries = 1; (res = db_query(db, s, n, values, flags, &rc)) == NULL;
	    tries++) {
		if (!whole || tries == VICTIM_TRIES || !victim(db))
			break;
		log_info(&r->w->log, "the transaction runs again", "request_id",
		    r->request_id, "sqlstate", db->sqlstate);
	}
	if (res == NULL)
		req_db_failed(r, rc);
	return res;
}

/* req_stmt() of the program's statement stmt (an index). */
PGresult *
req_sql(struct req *r, size_t stmt, int n, const char *const *values,
    int flags)
{
	return req_stmt(r, &r->w->app->stmts[stmt], n, values, flags);
}

/*
 * Runs one of libcockpit's statements as a transaction of its own that
 * acts for the platform, ahead of the request's: the credential checks
 * made before the request's tenant is known. One round trip. Returns the
 * result, or NULL with *rc saying why (nothing is answered).
 */
PGresult *
req_platform_sql(struct req *r, const struct stmt *s, int n,
    const char *const *values, enum db_result *rc)
{
	struct db	*db = &r->w->db;

	if ((*rc = db_ready(db)) != DB_OK)
		return NULL;
	db_tenant(db, "", 1);
	return db_query(db, s, n, values, DB_LAST, rc);
}

int
req_sqlstate(const struct req *r, const char *state)
{
	return db_sqlstate_is(&r->w->db, state);
}

/*
 * A JSON array of strings as a PostgreSQL text[] literal, each element
 * double-quoted with its quotes and backslashes escaped, so any text
 * passes as a parameter unchanged. 0, or -1 when out of memory.
 */
int
sql_text_array(const cJSON *list, struct buf *out)
{
	const cJSON	*item;
	const char	*c;

	if (buf_puts(out, "{") == -1)
		return -1;
	cJSON_ArrayForEach(item, list) {
		if (item != list->child && buf_puts(out, ",") == -1)
			return -1;
		if (buf_puts(out, "\"") == -1)
			return -1;
		for (c = item->valuestring; *c != '\0'; c++)
			if ((*c == '"' || *c == '\\') &&
			    buf_puts(out, "\\") == -1)
				return -1;
			else if (buf_append(out, c, 1) == -1)
				return -1;
		if (buf_puts(out, "\"") == -1)
			return -1;
	}
	return buf_puts(out, "}");
}

/* Appends column c of row i as a JSON string, or null when it is NULL. */
int
sql_json_text(struct buf *b, const PGresult *res, int i, int c)
{
	return PQgetisnull(res, i, c) ? buf_puts(b, "null") :
	    buf_json_string(b, PQgetvalue(res, i, c));
}

/*
 * Answers with the JSON text in res's first column (status), or 404
 * not_found saying missing when there is no row; clears res.
 */
void
json_answer(struct req *r, PGresult *res, int status, const char *missing)
{
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		resp_error(r, 404, "not_found", NULL, "%s", missing);
	else if (buf_puts(&r->out, PQgetvalue(res, 0, 0)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, status);
	PQclear(res);
}
