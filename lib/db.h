/*
 * Database access for one worker: one persistent libpq connection in
 * pipeline mode, with every statement prepared once when it connects.
 *
 * A request is one transaction. Its first query goes out together with
 * BEGIN and the statement that sets the tenant for row-level security
 * (set_config(..., true), so it ends with the transaction); a query sent
 * with DB_LAST carries COMMIT and the sync in the same write. A read is thus
 * one round trip. When the connection is lost the worker answers 503 and
 * connects again on a later request, at most once every DB_RETRY_MS.
 */
#ifndef COCKPIT_DB_H
#define COCKPIT_DB_H

#include <stddef.h>
#include <time.h>

#include <libpq-fe.h>

#define DB_RETRY_MS	500
#define DB_LAST		0x01	/* the transaction ends with this query */
/*
 * Plan this query, and the rest of the transaction's, for its parameters
 * rather than once for any: for a list whose optional filters
 * ("$n IS NULL OR ...") make PostgreSQL's generic plan guess that a page
 * is a row or two, and read and sort the whole list to find it.
 */
#define DB_CUSTOM_PLAN	0x02

struct stmt {
	const char	*name;
	const char	*sql;
};

/* Statements come in sets: libcockpit's concerns' own, then the app's. */
struct stmt_set {
	const struct stmt	*stmts;
	size_t			 n;
};

#define DB_STMT_SETS	8

enum db_result {
	DB_OK,
	DB_ERROR,		/* the statement failed: see sqlstate */
	DB_UNAVAILABLE		/* no usable connection */
};

struct db {
	PGconn		*conn;
	const char	*conninfo;
	const char	*application_name;
	int		 statement_timeout;	/* ms */
	struct stmt_set	 sets[DB_STMT_SETS];	/* prepared on connecting */
	size_t		 nsets;
	struct timespec	 last_attempt;
	int		 schema_error;	/* statements did not prepare */
	/* The current request's transaction. */
	int		 in_tx;
	const char	*tenant;	/* account id or "" */
	int		 platform;
	char		 sqlstate[6];
	char		 message[256];
};

void		 db_init(struct db *, const char *conninfo, const char *app,
		    int statement_timeout);
int		 db_statements(struct db *, const struct stmt_set *, size_t);
void		 db_close(struct db *);
enum db_result	 db_ready(struct db *);
void		 db_tenant(struct db *, const char *account_id, int platform);
PGresult	*db_query(struct db *, const struct stmt *, int nparams,
		    const char *const *values, int flags, enum db_result *);
enum db_result	 db_finish(struct db *, int commit);
enum db_result	 db_schema_version(struct db *, long *);
int		 db_sqlstate_is(const struct db *, const char *);

#endif
