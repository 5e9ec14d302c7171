/* One pipelined PostgreSQL connection per worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

enum builtin {
	B_BEGIN,
	B_COMMIT,
	B_ROLLBACK,
	B_TENANT,
	B_CUSTOM_PLAN,
	B__MAX
};

static const struct stmt builtins[B__MAX] = {
	{ "cockpit_begin", "BEGIN" },
	{ "cockpit_commit", "COMMIT" },
	{ "cockpit_rollback", "ROLLBACK" },
	{ "cockpit_tenant", "SELECT set_config('cockpit.account_id', $1, true),"
	    " set_config('cockpit.platform', $2, true)" },
	{ "cockpit_custom_plan",
	    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)" },
};

void
db_init(struct db *db, const char *conninfo, const char *app,
    int statement_timeout)
{
	memset(db, 0, sizeof(*db));
	db->conninfo = conninfo;
	db->application_name = app;
	db->statement_timeout = statement_timeout;
	db->tenant = "";
}

/*
 * The statements prepared on every connection, in sets: libcockpit's,
 * the app's. 0, or -1 when there are more than DB_STMT_SETS.
 */
int
db_statements(struct db *db, const struct stmt_set *sets, size_t n)
{
	size_t	 i;

	if (n > DB_STMT_SETS)
		return -1;
	for (i = 0; i < n; i++)
		db->sets[i] = sets[i];
	db->nsets = n;
	return 0;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db->in_tx = 0;
}

static void
note(struct db *db, const char *sqlstate, const char *message)
{
	size_t	 n;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
	    sqlstate != NULL ? sqlstate : "");
	snprintf(db->message, sizeof(db->message), "%s",
	    message != NULL ? message : "");
	n = strlen(db->message);
	while (n > 0 && (db->message[n - 1] == '\n' ||
	    db->message[n - 1] == ' '))
		db->message[--n] = '\0';
}

static enum db_result
lost(struct db *db)
{
	note(db, "08006", db->conn != NULL ? PQerrorMessage(db->conn) :
	    "no connection");
	db_close(db);
	return DB_UNAVAILABLE;
}

/* The one result of the next query in the pipeline, or NULL if lost. */
static PGresult *
take(struct db *db)
{
	PGresult	*res, *extra;

	if ((res = PQgetResult(db->conn)) == NULL)
		return NULL;
	while ((extra = PQgetResult(db->conn)) != NULL)
		PQclear(extra);
	return res;
}

/* Reads up to and including the sync point; 0, or -1 when lost. */
static int
drain(struct db *db)
{
	PGresult	*res;
	ExecStatusType	 st;

	for (;;) {
		if ((res = PQgetResult(db->conn)) == NULL) {
			if (PQstatus(db->conn) == CONNECTION_BAD)
				return -1;
			continue;
		}
		st = PQresultStatus(res);
		PQclear(res);
		if (st == PGRES_PIPELINE_SYNC)
			return 0;
		if (st == PGRES_FATAL_ERROR &&
		    PQstatus(db->conn) == CONNECTION_BAD)
			return -1;
	}
}

/* Checks one result's status, noting the error; frees it unless kept. */
static int
expect(struct db *db, PGresult *res, PGresult **keep)
{
	ExecStatusType	 st;

	if (res == NULL)
		return -1;
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		if (keep != NULL)
			*keep = res;
		else
			PQclear(res);
		return 0;
	}
	if (st != PGRES_PIPELINE_ABORTED || db->sqlstate[0] == '\0')
		note(db, PQresultErrorField(res, PG_DIAG_SQLSTATE),
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) != NULL ?
		    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
		    PQresultErrorMessage(res));
	PQclear(res);
	return -1;
}

/* Prepares n statements in one round trip. */
static int
prepare(struct db *db, const struct stmt *s, size_t n)
{
	size_t	 i;
	int	 failed = 0;

	for (i = 0; i < n; i++)
		if (!PQsendPrepare(db->conn, s[i].name, s[i].sql, 0, NULL))
			return -1;
	if (!PQpipelineSync(db->conn))
		return -1;
	for (i = 0; i < n; i++)
		if (expect(db, take(db), NULL) == -1)
			failed = 1;
	if (drain(db) == -1)
		return -1;
	return failed ? -1 : 0;
}

static int
throttled(struct db *db)
{
	struct timespec	 now;
	long		 ms;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	ms = (now.tv_sec - db->last_attempt.tv_sec) * 1000 +
	    (now.tv_nsec - db->last_attempt.tv_nsec) / 1000000;
	if (db->last_attempt.tv_sec != 0 && ms < DB_RETRY_MS)
		return 1;
	db->last_attempt = now;
	return 0;
}

static enum db_result
db_connect(struct db *db)
{
	char		 options[64];
	const char	*keys[] = { "dbname", "application_name", "options",
	    "connect_timeout", NULL };
	const char	*values[] = { db->conninfo, db->application_name,
	    options, "5", NULL };
	size_t		 i;

	if (throttled(db)) {
		note(db, "08006", "reconnecting later");
		return DB_UNAVAILABLE;
	}
	(void)snprintf(options, sizeof(options), "-c statement_timeout=%d "
	    "-c TimeZone=UTC", db->statement_timeout);
	db->conn = PQconnectdbParams(keys, values, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK ||
	    !PQenterPipelineMode(db->conn))
		return lost(db);
	db->schema_error = 0;
	if (prepare(db, builtins, B__MAX) == -1)
		return lost(db);
	for (i = 0; i < db->nsets; i++)
		if (prepare(db, db->sets[i].stmts, db->sets[i].n) == -1) {
			db->schema_error = PQstatus(db->conn) == CONNECTION_OK;
			db_close(db);
			return DB_UNAVAILABLE;
		}
	return DB_OK;
}

/*
 * Called as a request starts: makes sure there is a connection, noticing
 * one the server closed while we were idle (a restart, an administrator).
 */
enum db_result
db_ready(struct db *db)
{
	db->in_tx = 0;
	db->sqlstate[0] = db->message[0] = '\0';
	db->tenant = "";
	db->platform = 0;
	if (db->conn != NULL && (!PQconsumeInput(db->conn) ||
	    PQstatus(db->conn) != CONNECTION_OK ||
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE))
		db_close(db);
	if (db->conn == NULL)
		return db_connect(db);
	return DB_OK;
}

void
db_tenant(struct db *db, const char *account_id, int platform)
{
	db->tenant = account_id != NULL ? account_id : "";
	db->platform = platform;
}

static int
send(struct db *db, const struct stmt *s, int n, const char *const *v)
{
	return PQsendQueryPrepared(db->conn, s->name, n, v, NULL, NULL, 0);
}

/* Sends BEGIN and the tenant ahead of a request's first query. */
static int
send_begin(struct db *db)
{
	const char	*v[2] = { db->tenant, db->platform ? "on" : "off" };

	return send(db, &builtins[B_BEGIN], 0, NULL) &&
	    send(db, &builtins[B_TENANT], 2, v);
}

/* After a failure: end the pipeline and the transaction, keep the link. */
static enum db_result
recover(struct db *db, int synced)
{
	PGresult	*res;

	db->in_tx = 0;
	if (PQstatus(db->conn) != CONNECTION_OK ||
	    (!synced && (!PQpipelineSync(db->conn) || drain(db) == -1)))
		return lost(db);
	if (PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return DB_ERROR;
	if (!send(db, &builtins[B_ROLLBACK], 0, NULL) ||
	    !PQpipelineSync(db->conn) || (res = take(db)) == NULL)
		return lost(db);
	PQclear(res);
	if (drain(db) == -1)
		return lost(db);
	return DB_ERROR;
}

static int
send_query(struct db *db, const struct stmt *s, int n, const char *const *v,
    int flags)
{
	if (!db->in_tx && !send_begin(db))
		return 0;
	if ((flags & DB_CUSTOM_PLAN) &&
	    !send(db, &builtins[B_CUSTOM_PLAN], 0, NULL))
		return 0;
	if (!send(db, s, n, v))
		return 0;
	if (flags & DB_LAST)
		return send(db, &builtins[B_COMMIT], 0, NULL) &&
		    PQpipelineSync(db->conn);
	return PQsendFlushRequest(db->conn) && PQflush(db->conn) == 0;
}

/*
 * Runs prepared statement i with its parameters in the request's
 * transaction. Returns its result (the caller clears it), or NULL with *rc
 * saying why.
 */
PGresult *
db_query(struct db *db, const struct stmt *s, int n, const char *const *v,
    int flags, enum db_result *rc)
{
	PGresult	*res = NULL;
	int		 began = !db->in_tx, ok;

	if (db->conn == NULL) {
		*rc = DB_UNAVAILABLE;
		return NULL;
	}
	if (!send_query(db, s, n, v, flags)) {
		*rc = lost(db);
		return NULL;
	}
	db->in_tx = 1;
	ok = !began || (expect(db, take(db), NULL) == 0 &&
	    expect(db, take(db), NULL) == 0);
	if (flags & DB_CUSTOM_PLAN)
		ok = expect(db, take(db), NULL) == 0 && ok;
	ok = expect(db, take(db), &res) == 0 && ok;
	if (flags & DB_LAST) {
		ok = expect(db, take(db), NULL) == 0 && ok;
		if (drain(db) == -1) {
			PQclear(res);
			*rc = lost(db);
			return NULL;
		}
		db->in_tx = 0;
	}
	if (ok) {
		*rc = DB_OK;
		return res;
	}
	PQclear(res);
	*rc = recover(db, flags & DB_LAST);
	return NULL;
}

/* Ends the request's transaction, if one is open. */
enum db_result
db_finish(struct db *db, int commit)
{
	int	 ok;

	if (!db->in_tx || db->conn == NULL)
		return DB_OK;
	if (!send(db, &builtins[commit ? B_COMMIT : B_ROLLBACK], 0, NULL) ||
	    !PQpipelineSync(db->conn))
		return lost(db);
	ok = expect(db, take(db), NULL) == 0;
	if (drain(db) == -1)
		return lost(db);
	if (!ok)
		return recover(db, 1);
	db->in_tx = 0;
	return DB_OK;
}

/* The newest migration applied; 0 when cockpitctl never ran. */
enum db_result
db_schema_version(struct db *db, long *version)
{
	PGresult	*res;
	int		 ok;

	if (db->conn == NULL)
		return DB_UNAVAILABLE;
	if (!PQsendQueryParams(db->conn, "SELECT coalesce(max(version), 0) "
	    "FROM cockpit_migrations", 0, NULL, NULL, NULL, NULL, 0) ||
	    !PQpipelineSync(db->conn))
		return lost(db);
	res = NULL;
	ok = expect(db, take(db), &res) == 0;
	if (drain(db) == -1) {
		PQclear(res);
		return lost(db);
	}
	*version = ok ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	return ok || db_sqlstate_is(db, "42P01") ? DB_OK : DB_ERROR;
}

int
db_sqlstate_is(const struct db *db, const char *state)
{
	return strcmp(db->sqlstate, state) == 0;
}
