/*
 * cockpitctl(8): the operator's tool for the console-cockpit database.
 *
 * main() finds the command in a table and hands it its arguments; a new
 * command is one line in that table plus its function in its own file
 * under ctl/. The helpers below are what the commands share.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

#ifndef COCKPIT_SQLDIR
#define COCKPIT_SQLDIR	"/usr/local/share/console-cockpit/sql"
#endif

struct command {
	const char	*name;
	int		(*run)(int, char **);
	const char	*args;		/* the usage after the name */
	const char	*summary;	/* one line for the help */
};

static int	ctl_help(int, char **);

static const struct command commands[] = {
	{ "migrate", ctl_migrate, "[--dir DIR] [--dry-run]",
	    "apply the pending schema migrations, in order" },
	{ "status", ctl_status, "[--dir DIR] [--json]",
	    "show the schema version and every migration's state" },
	{ "break-glass", ctl_break_glass,
	    "set [--user NAME] | on | off | status",
	    "set, switch or show the break-glass credential" },
	{ "audit", ctl_audit,
	    "verify | export [--account ID | --platform] [--since TIME]",
	    "verify the audit hash chains, or export their events" },
	{ "budgets", ctl_budgets, "reconcile [--account ID] [--json]",
	    "check that the Credit Pools' books balance" },
	{ "alerts", ctl_alerts, "deliver [--once] [--batch N]",
	    "deliver budget alerts to the accounts' webhooks" },
	{ "help", ctl_help, "[command]",
	    "show this help, or one command's usage" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct command *
command_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void
usage(FILE *fp)
{
	size_t	 i;
	int	 w;

	(void)fputs("usage: cockpitctl [-h] command [args]\n\ncommands:\n",
	    fp);
	for (i = 0; i < NCOMMANDS; i++) {
		w = (int)strlen(commands[i].name) + 1;
		/* Usage too long for its column: the summary goes below. */
		if (w + (int)strlen(commands[i].args) > 32)
			(void)fprintf(fp, "  %s %s\n  %-32s %s\n",
			    commands[i].name, commands[i].args, "",
			    commands[i].summary);
		else
			(void)fprintf(fp, "  %s %-*s %s\n", commands[i].name,
			    32 - w, commands[i].args, commands[i].summary);
	}
	(void)fputs("\nenvironment:\n"
	    "  DATABASE_URL      the owner role's connection string"
	    " (required)\n"
	    "  COCKPIT_SQL_DIR   the migrations, when --dir is not given"
	    " (default " COCKPIT_SQLDIR ")\n"
	    "  COCKPIT_CONFIG    the configuration alerts deliver reads"
	    " (cockpit.conf(5))\n", fp);
}

/* Prints one command's usage line; returns the status that goes with fp. */
int
ctl_usage(const char *name, FILE *fp)
{
	const struct command	*c;

	if ((c = command_find(name)) == NULL) {
		usage(fp);
	} else
		(void)fprintf(fp, "usage: cockpitctl %s %s\n", c->name,
		    c->args);
	return fp == stdout ? CTL_OK : CTL_USAGE;
}

/*
 * A command made of subcommands: takes the command's own -h, then runs
 * the subcommand named next with the arguments from its name on, getopt
 * reset for it.
 */
int
ctl_subcommand(const char *cmd, int argc, char **argv,
    const struct ctl_sub *subs, size_t nsubs)
{
	static const struct option	 opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t	 i;
	int	 ch;

	/* "+": the subcommand's options are its own. */
	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (ch == 'h')
			return ctl_usage(argv[0], stdout);
		return ctl_bad_option(argv[0], ch, argv);
	}
	if (optind >= argc) {
		ctl_warnx("%s: missing subcommand", cmd);
		return ctl_usage(argv[0], stderr);
	}
	argc -= optind;
	argv += optind;
	optind = 0;
	for (i = 0; i < nsubs; i++)
		if (strcmp(argv[0], subs[i].name) == 0)
			return subs[i].run(argc, argv);
	ctl_warnx("%s: unknown subcommand: %s", cmd, argv[0]);
	return ctl_usage(cmd, stderr);
}

/*
 * Reports what getopt_long(3) rejected (opterr is off, so that the message
 * names cockpitctl and the command rather than argv[0]).
 */
int
ctl_bad_option(const char *cmd, int ch, char *const *argv)
{
	const char	*what;

	what = ch == ':' ? "option needs an argument" : "unknown option";
	/* Long options have values past 255 (see the commands' tables). */
	if (optopt > 0 && optopt < 256)
		ctl_warnx("%s: %s: -%c", cmd, what, optopt);
	else
		ctl_warnx("%s: %s: %s", cmd, what, argv[optind - 1]);
	return ctl_usage(cmd, stderr);
}

/* Commands take no operands yet: refuse them instead of ignoring them. */
int
ctl_extra_args(const char *cmd, int argc, char *const *argv)
{
	if (optind >= argc)
		return 0;
	ctl_warnx("%s: unexpected argument: %s", cmd, argv[optind]);
	return -1;
}

void
ctl_warnx(const char *fmt, ...)
{
	va_list	 ap;

	(void)fputs("cockpitctl: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
}

/* The length of s without its trailing white space (libpq ends with \n). */
static int
trimmed_len(const char *s)
{
	size_t	 n;

	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

/* --dir, else $COCKPIT_SQL_DIR, else where make install put the files. */
const char *
ctl_sqldir(const char *dir)
{
	const char	*env;

	if (dir != NULL)
		return dir;
	if ((env = getenv("COCKPIT_SQL_DIR")) != NULL && *env != '\0')
		return env;
	return COCKPIT_SQLDIR;
}

/* Server notices and warnings, prefixed like every other message. */
static void
notice(void *arg, const char *message)
{
	(void)arg;
	ctl_warnx("%.*s", trimmed_len(message), message);
}

/*
 * Opens the session every command works in. client_encoding is fixed
 * because the migrations are UTF-8 files; positions in errors are counted
 * in characters of that encoding.
 */
PGconn *
ctl_connect(void)
{
	const char *const keys[] = { "dbname", "application_name",
	    "client_encoding", NULL };
	const char	*vals[4];
	const char	*url;
	PGconn		*conn;

	url = getenv("DATABASE_URL");
	if (url == NULL || *url == '\0') {
		ctl_warnx("DATABASE_URL is not set: set it to the owner "
		    "role's connection string, e.g. "
		    "postgresql://cockpit_owner@/cockpit");
		return NULL;
	}
	vals[0] = url;
	vals[1] = "cockpitctl";
	vals[2] = "UTF8";
	vals[3] = NULL;
	if ((conn = PQconnectdbParams(keys, vals, 1)) == NULL) {
		ctl_warnx("out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		ctl_pgerror(NULL, conn, NULL, NULL);
		PQfinish(conn);
		return NULL;
	}
	(void)PQsetNoticeProcessor(conn, notice, NULL);
	if (ctl_session_reset(conn) == -1) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/*
 * The owner's session acting for the platform (row-level security is
 * forced on the owner too, so without it the tables look empty), once
 * ready_sql, a query answering one boolean, says the migrations the
 * command needs have run; otherwise what names them in the message.
 */
PGconn *
ctl_platform_connect(const char *ready_sql, const char *what)
{
	PGconn		*conn;
	PGresult	*res;
	int		 ready;

	if ((conn = ctl_connect()) == NULL)
		return NULL;
	if (ctl_exec(conn,
	    "SELECT set_config('cockpit.platform', 'on', false)") == -1) {
		PQfinish(conn);
		return NULL;
	}
	res = PQexec(conn, ready_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		ctl_pgerror(NULL, conn, res, NULL);
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	ready = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ready) {
		ctl_warnx("%s: run cockpitctl migrate first", what);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/*
 * Puts the session back to its defaults (RESET ALL leaves SET ROLE alone),
 * so that a SET in one migration cannot change how the next one runs.
 * NOTICEs (IF NOT EXISTS and the like) are noise to an operator; warnings
 * are not.
 */
int
ctl_session_reset(PGconn *conn)
{
	return ctl_exec(conn,
	    "RESET ALL; RESET ROLE; SET client_min_messages = warning");
}

int
ctl_result_ok(const PGresult *res)
{
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return 1;
	default:
		return 0;
	}
}

/* Runs sql, discarding any rows; reports a failure. */
int
ctl_exec(PGconn *conn, const char *sql)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(conn, sql);
	if (!(ok = ctl_result_ok(res)))
		ctl_pgerror(NULL, conn, res, NULL);
	PQclear(res);
	return ok ? 0 : -1;
}

/* The line of sql that holds character pos (1-based, as PostgreSQL counts). */
static unsigned long
sql_line(const char *sql, unsigned long pos)
{
	const unsigned char	*p;
	unsigned long		 line, chars;

	line = 1;
	chars = 0;
	for (p = (const unsigned char *)sql; *p != '\0'; p++) {
		/* UTF-8: only a lead byte starts a character. */
		if ((*p & 0xc0) != 0x80 && ++chars == pos)
			break;
		if (*p == '\n')
			line++;
	}
	return line;
}

static void
pgerror_field(const char *label, const PGresult *res, int field)
{
	const char	*s;

	if ((s = PQresultErrorField(res, field)) != NULL)
		(void)fprintf(stderr, "  %s: %.*s\n", label, trimmed_len(s), s);
}

/*
 * Reports a failed libpq call as "cockpitctl: [what: ][line N: ]message",
 * then the server's detail, hint and context when it sent them. sql, when
 * given, is the text that ran, to turn the error position into a line.
 */
void
ctl_pgerror(const char *what, PGconn *conn, const PGresult *res,
    const char *sql)
{
	const char	*msg, *pos;
	char		 where[64];
	char		*end;
	unsigned long	 n;

	msg = NULL;
	pos = NULL;
	if (res != NULL) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	}
	if (msg == NULL)
		msg = res != NULL && *PQresultErrorMessage(res) != '\0' ?
		    PQresultErrorMessage(res) : PQerrorMessage(conn);
	where[0] = '\0';
	if (pos != NULL && sql != NULL) {
		n = strtoul(pos, &end, 10);
		if (*end == '\0' && n > 0)
			(void)snprintf(where, sizeof(where), "line %lu: ",
			    sql_line(sql, n));
	}
	ctl_warnx("%s%s%s%.*s", what != NULL ? what : "",
	    what != NULL ? ": " : "", where, trimmed_len(msg), msg);
	if (res == NULL)
		return;
	pgerror_field("DETAIL", res, PG_DIAG_MESSAGE_DETAIL);
	pgerror_field("HINT", res, PG_DIAG_MESSAGE_HINT);
	pgerror_field("CONTEXT", res, PG_DIAG_CONTEXT);
}

/* help [command] */
static int
ctl_help(int argc, char **argv)
{
	if (argc > 2) {
		ctl_warnx("help: unexpected argument: %s", argv[2]);
		return ctl_usage("help", stderr);
	}
	if (argc == 2) {
		if (command_find(argv[1]) == NULL) {
			ctl_warnx("unknown command: %s", argv[1]);
			usage(stderr);
			return CTL_USAGE;
		}
		return ctl_usage(argv[1], stdout);
	}
	usage(stdout);
	return CTL_OK;
}

int
main(int argc, char *argv[])
{
	const struct command	*c;
	int			 ch, rc;

	opterr = 0;
	/* "+": stop at the command; its options are its own. */
	while ((ch = getopt(argc, argv, "+h")) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			return CTL_OK;
		default:
			ctl_warnx("unknown option: -%c", optopt);
			usage(stderr);
			return CTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return CTL_USAGE;
	}
	if ((c = command_find(argv[0])) == NULL) {
		ctl_warnx("unknown command: %s", argv[0]);
		usage(stderr);
		return CTL_USAGE;
	}
	/* glibc re-initialises getopt on optind 0, for the new argv. */
	optind = 0;
	rc = c->run(argc, argv);
	/* A full disk or closed pipe must not pass for success. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		ctl_warnx("write error on standard output");
		return CTL_ERROR;
	}
	return rc;
}
