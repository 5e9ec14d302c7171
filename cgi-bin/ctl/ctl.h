/*
 * cockpitctl: the operator's command-line tool. cockpitctl.c holds main(),
 * the command table and what every command shares (messages, the database
 * connection, the SQL directory); each command lives in its own file.
 */
#ifndef COCKPITCTL_CTL_H
#define COCKPITCTL_CTL_H

#include <stdio.h>

#include <libpq-fe.h>

/* Exit statuses, as cockpitctl(8) documents them. */
#define CTL_OK		0
#define CTL_ERROR	1
#define CTL_BEHIND	2	/* status: migrations are pending */
#define CTL_BROKEN	1	/* audit verify: a chain is broken */
#define CTL_FAILED	2	/* audit verify: an error, so unverified */
#define CTL_USAGE	64	/* EX_USAGE in sysexits(3) */

/*
 * A command: argv[0] is its name, getopt(3) is reset for it. It returns
 * an exit status.
 */
int	ctl_alerts(int, char **);
int	ctl_audit(int, char **);
int	ctl_break_glass(int, char **);
int	ctl_budgets(int, char **);
int	ctl_migrate(int, char **);
int	ctl_status(int, char **);

/* A subcommand of a command such as "audit verify". */
struct ctl_sub {
	const char	*name;
	int		(*run)(int argc, char **argv);
};

/* cockpitctl.c: shared by the commands. */
void	ctl_warnx(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
int	ctl_usage(const char *, FILE *);
int	ctl_bad_option(const char *, int, char *const *);
int	ctl_subcommand(const char *, int, char **, const struct ctl_sub *,
	    size_t);
int	ctl_extra_args(const char *, int, char *const *);
const char *ctl_sqldir(const char *);
PGconn	*ctl_connect(void);
PGconn	*ctl_platform_connect(const char *ready_sql, const char *what);
int	ctl_session_reset(PGconn *);
int	ctl_exec(PGconn *, const char *);
int	ctl_result_ok(const PGresult *);
void	ctl_pgerror(const char *, PGconn *, const PGresult *, const char *);

/*
 * One migration, known from its file, from its row in cockpit_migrations,
 * or from both. file is NULL when the row has no file; applied_sha256 is
 * NULL when the file was never applied.
 */
struct migration {
	int	 version;
	char	*file;		/* "0001_core.sql" */
	char	*sql;		/* the file's bytes, NUL-terminated */
	char	 sha256[65];	/* hex SHA-256 of those bytes */
	char	*applied_name;
	char	*applied_sha256;
	char	*applied_at;	/* ISO 8601, UTC */
};

enum migration_state {
	MIGRATION_APPLIED,
	MIGRATION_PENDING,
	MIGRATION_CHANGED,	/* applied, but the file differs now */
	MIGRATION_MISSING	/* applied, but there is no file */
};

/* Every migration known, in version order. Owns everything it points to. */
struct migrations {
	struct migration *v;
	size_t		 n;
	size_t		 cap;
	int		 latest;	/* newest file's version */
	int		 current;	/* newest applied version, 0: none */
};

/* migrate.c: the files, the recorded rows, and how they compare. */
int	migrations_read_dir(struct migrations *, const char *);
int	migrations_read_applied(struct migrations *, PGconn *);
enum migration_state migration_state(const struct migration *);
const char *migration_name(const struct migration *);
void	migrations_free(struct migrations *);

#endif
