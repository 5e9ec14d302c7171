/*
 * break-glass: the one local credential that still signs in when the
 * identity provider cannot. set stores the scrypt hash (lib/password) of a
 * password read from standard input; on and off switch it; status shows
 * it. Every change appends an event to the platform's audit chain in the
 * transaction that makes it.
 *
 * The password and its hash are never printed. Errors in the statements
 * that carry the hash report the server's message only: a DETAIL such as
 * "Failing row contains (...)" would echo the hash.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctl.h"
#include "password.h"

#define DEFAULT_USER	"breakglass"
#define USER_MAX	64		/* break_glass.username */
#define ACTOR_MAX	128
#define PASSWORD_BUF	(PASSWORD_MAX_LEN + 2)	/* and a CR, and a NUL */

enum line_result {
	LINE_OK,
	LINE_NONE,		/* end of file before anything */
	LINE_TOO_LONG,
	LINE_NUL,
	LINE_INTERRUPTED,
	LINE_ERROR
};

enum credential {
	CREDENTIAL_NONE,
	CREDENTIAL_ON,
	CREDENTIAL_OFF
};

static const char schema_check[] =
    "SELECT to_regclass('break_glass') IS NOT NULL"
    " AND to_regclass('break_glass_attempts') IS NOT NULL"
    " AND to_regprocedure('cockpit_audit(uuid, text, text, text, text,"
    " text, text, bytea, bytea)') IS NOT NULL";

static const char upsert[] =
    "INSERT INTO break_glass (id, username, hash, enabled, updated_at)"
    " VALUES (1, $1, $2, true, clock_timestamp())"
    " ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username,"
    " hash = EXCLUDED.hash, enabled = true,"
    " updated_at = EXCLUDED.updated_at";

static const char select_for_update[] =
    "SELECT enabled FROM break_glass WHERE id = 1 FOR UPDATE";

static const char update_enabled[] =
    "UPDATE break_glass SET enabled = $1, updated_at = clock_timestamp()"
    " WHERE id = 1";

/* Any change ends the break-glass sessions signed in before it. */
static const char audit_event[] =
    "WITH ended AS (UPDATE sessions SET revoked_at = clock_timestamp()"
    " WHERE method = 'break_glass' AND revoked_at IS NULL)"
    " SELECT cockpit_audit(NULL, $1, 'operator', $2, 'break_glass', NULL,"
    " NULL, NULL, NULL)";

static const char select_status[] =
    "SELECT b.username, b.enabled,"
    " to_char(b.updated_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.failed"
    " FROM (SELECT count(*) AS failed FROM break_glass_attempts"
    " WHERE NOT succeeded"
    " AND occurred_at > clock_timestamp() - interval '15 minutes') a"
    " LEFT JOIN break_glass b ON b.id = 1";

static volatile sig_atomic_t	 caught;

static void
on_signal(int signo)
{
	caught = signo;
}

/*
 * Reads one line from fd into buf (size bytes, NUL-terminated), a byte at
 * a time so that nothing after it is consumed. The newline, and a carriage
 * return before it, are not kept. *len is the line's length.
 */
static enum line_result
line_read(int fd, char *buf, size_t size, size_t *len)
{
	ssize_t	 r;
	size_t	 n;
	char	 c;
	int	 any;

	n = 0;
	any = 0;
	for (;;) {
		if ((r = read(fd, &c, 1)) == -1) {
			if (errno == EINTR && caught == 0)
				continue;
			return errno == EINTR ? LINE_INTERRUPTED : LINE_ERROR;
		}
		if (r == 0 || c == '\n')
			break;
		any = 1;
		if (c == '\0')
			return LINE_NUL;
		if (n + 1 >= size)
			return LINE_TOO_LONG;
		buf[n++] = c;
	}
	if (!any && r == 0)
		return LINE_NONE;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return LINE_OK;
}

/* Says what is wrong with a password read as rc, len bytes long. */
static int
password_acceptable(enum line_result rc, size_t len)
{
	switch (rc) {
	case LINE_OK:
		break;
	case LINE_NONE:
		ctl_warnx("break-glass: no password on standard input");
		return -1;
	case LINE_TOO_LONG:
		ctl_warnx("break-glass: the password is longer than %d bytes",
		    PASSWORD_MAX_LEN);
		return -1;
	case LINE_NUL:
		ctl_warnx("break-glass: the password holds a NUL byte");
		return -1;
	case LINE_INTERRUPTED:
		ctl_warnx("break-glass: interrupted");
		return -1;
	case LINE_ERROR:
	default:
		ctl_warnx("break-glass: standard input: %s", strerror(errno));
		return -1;
	}
	if (len > PASSWORD_MAX_LEN) {
		ctl_warnx("break-glass: the password is longer than %d bytes",
		    PASSWORD_MAX_LEN);
		return -1;
	}
	if (len < PASSWORD_MIN_LEN) {
		ctl_warnx("break-glass: the password is shorter than %d bytes",
		    PASSWORD_MIN_LEN);
		return -1;
	}
	return 0;
}

static const int	 tty_signals[] = {
	SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU
};
#define NTTY_SIGNALS	(sizeof(tty_signals) / sizeof(tty_signals[0]))

/* Catches the signals that would leave the terminal without echo. */
static void
tty_catch(struct sigaction *saved)
{
	struct sigaction	 sa;
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;	/* no SA_RESTART: read(2) returns */
	caught = 0;
	for (i = 0; i < NTTY_SIGNALS; i++)
		(void)sigaction(tty_signals[i], &sa, &saved[i]);
}

static void
tty_release(const struct sigaction *saved)
{
	size_t	 i;

	for (i = 0; i < NTTY_SIGNALS; i++)
		(void)sigaction(tty_signals[i], &saved[i], NULL);
}

/*
 * Prompts on standard error and reads a line from the terminal on standard
 * input without echo, as readpassphrase(3) would: the terminal is put back
 * before a signal caught meanwhile is delivered again.
 */
static enum line_result
tty_read(const char *prompt, char *buf, size_t size, size_t *len)
{
	struct sigaction	 saved[NTTY_SIGNALS];
	struct termios		 term, quiet;
	enum line_result	 rc;
	int			 error;

	if (tcgetattr(STDIN_FILENO, &term) == -1)
		return LINE_ERROR;
	quiet = term;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	tty_catch(saved);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == -1) {
		tty_release(saved);
		return LINE_ERROR;
	}
	(void)fputs(prompt, stderr);
	rc = line_read(STDIN_FILENO, buf, size, len);
	error = errno;
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &term);
	tty_release(saved);
	errno = error;
	if (caught != 0) {
		OPENSSL_cleanse(buf, size);
		(void)raise(caught);
		return LINE_INTERRUPTED;
	}
	return rc;
}

/* On a terminal: the password twice, and both must agree. */
static int
password_prompt(char *pw, size_t size)
{
	enum line_result	 rc;
	char			 again[PASSWORD_BUF];
	size_t			 len, len2;
	int			 ok;

	len = len2 = 0;
	rc = tty_read("break-glass password: ", pw, size, &len);
	if (password_acceptable(rc, len) == -1)
		return -1;
	rc = tty_read("again: ", again, sizeof(again), &len2);
	ok = password_acceptable(rc, len2);
	if (ok == 0 && (len != len2 || CRYPTO_memcmp(pw, again, len) != 0)) {
		ctl_warnx("break-glass: the passwords do not match");
		ok = -1;
	}
	OPENSSL_cleanse(again, sizeof(again));
	return ok;
}

/* The first line of standard input, or what is typed at the terminal. */
static int
password_read(char *pw, size_t size)
{
	enum line_result	 rc;
	size_t			 len;

	if (isatty(STDIN_FILENO))
		return password_prompt(pw, size);
	len = 0;
	rc = line_read(STDIN_FILENO, pw, size, &len);
	return password_acceptable(rc, len);
}

/* "cockpitctl:" and who runs us: the login name, else the user, else uid. */
static void
actor_name(char *out, size_t size)
{
	char		 login[64];
	struct passwd	*pw;

	if (getlogin_r(login, sizeof(login)) == 0 && login[0] != '\0')
		(void)snprintf(out, size, "cockpitctl:%s", login);
	else if ((pw = getpwuid(getuid())) != NULL && pw->pw_name[0] != '\0')
		(void)snprintf(out, size, "cockpitctl:%s", pw->pw_name);
	else
		(void)snprintf(out, size, "cockpitctl:%lu",
		    (unsigned long)getuid());
}

/* Letters, digits and ". _ - @", 1 to USER_MAX of them. */
static int
user_valid(const char *user)
{
	size_t	 len;

	len = strlen(user);
	return len > 0 && len <= USER_MAX &&
	    strspn(user, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@") == len;
}

/* The server's one-line message, without what could echo a row. */
static void
pgerror_brief(const char *what, PGconn *conn, const PGresult *res)
{
	const char	*msg;

	msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	if (msg == NULL) {
		ctl_warnx("%s: %s", what, PQstatus(conn) == CONNECTION_OK ?
		    "the statement failed" : "the connection was lost");
		return;
	}
	ctl_warnx("%s: %s", what, msg);
}

/* Runs sql with text parameters; a result with rows goes to *resp. */
static int
exec_params(PGconn *conn, const char *what, const char *sql, int n,
    const char *const *params, PGresult **resp)
{
	PGresult	*res;

	res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	if (!ctl_result_ok(res)) {
		pgerror_brief(what, conn, res);
		PQclear(res);
		return -1;
	}
	if (resp != NULL)
		*resp = res;
	else
		PQclear(res);
	return 0;
}

/* Appends action to the platform's audit chain, as whoever runs us. */
static int
audit(PGconn *conn, const char *action)
{
	const char	*params[2];
	char		 actor[ACTOR_MAX];

	actor_name(actor, sizeof(actor));
	params[0] = actor;
	params[1] = action;
	return exec_params(conn, "audit", audit_event, 2, params, NULL);
}

/* The platform's session, once the break-glass tables exist. */
static PGconn *
platform_connect(void)
{
	return ctl_platform_connect(schema_check, "break-glass: the database "
	    "has no break-glass credential table");
}

/* COMMIT when rc is 0, else ROLLBACK; the transaction's outcome. */
static int
transaction_end(PGconn *conn, int rc)
{
	if (rc == 0)
		return ctl_exec(conn, "COMMIT");
	if (PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		(void)ctl_exec(conn, "ROLLBACK");
	return -1;
}

/* The credential and its audit event, in one transaction. */
static int
store(PGconn *conn, const char *user, const char *hash)
{
	const char	*params[2];
	int		 rc;

	if (ctl_exec(conn, "BEGIN") == -1)
		return -1;
	params[0] = user;
	params[1] = hash;
	rc = exec_params(conn, "break_glass", upsert, 2, params, NULL);
	if (rc == 0)
		rc = audit(conn, "break_glass.set");
	return transaction_end(conn, rc);
}

/* Reads, hashes and stores the password; the secrets die here. */
static int
set_credential(PGconn *conn, const char *user)
{
	char	 pw[PASSWORD_BUF], hash[PASSWORD_ENCODED_MAX];
	int	 rc;

	rc = password_read(pw, sizeof(pw));
	if (rc == 0 && (rc = password_hash(pw, hash, sizeof(hash))) == -1)
		ctl_warnx("break-glass: cannot hash the password");
	OPENSSL_cleanse(pw, sizeof(pw));
	if (rc == 0 && (rc = store(conn, user, hash)) == 0)
		(void)printf("break-glass credential set for %s, enabled\n",
		    user);
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}

enum {
	OPT_USER = 256
};

/* break-glass set [--user NAME] */
static int
bg_set(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "user", required_argument, NULL, OPT_USER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	PGconn		*conn;
	const char	*user;
	int		 ch, rc;

	user = DEFAULT_USER;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_USER:
			user = optarg;
			break;
		case 'h':
			return ctl_usage("break-glass", stdout);
		default:
			return ctl_bad_option("break-glass", ch, argv);
		}
	}
	if (ctl_extra_args("break-glass set", argc, argv) == -1)
		return ctl_usage("break-glass", stderr);
	if (!user_valid(user)) {
		ctl_warnx("break-glass set: --user: 1 to %d letters, digits, "
		    "'.', '_', '-' or '@'", USER_MAX);
		return CTL_USAGE;
	}
	if ((conn = platform_connect()) == NULL)
		return CTL_ERROR;
	rc = set_credential(conn, user) == 0 ? CTL_OK : CTL_ERROR;
	PQfinish(conn);
	return rc;
}

/* The credential's state, its row locked until the transaction ends. */
static int
credential_lock(PGconn *conn, enum credential *state)
{
	PGresult	*res;

	if (exec_params(conn, "break_glass", select_for_update, 0, NULL,
	    &res) == -1)
		return -1;
	if (PQntuples(res) == 0)
		*state = CREDENTIAL_NONE;
	else
		*state = strcmp(PQgetvalue(res, 0, 0), "t") == 0 ?
		    CREDENTIAL_ON : CREDENTIAL_OFF;
	PQclear(res);
	return 0;
}

/*
 * Turns the credential on or off and audits it, when that changes
 * anything. Returns the exit status: off without a credential is done,
 * on without one is an error.
 */
static int
switch_locked(PGconn *conn, int on)
{
	const char	*params[1];
	enum credential	 state;

	if (credential_lock(conn, &state) == -1)
		return CTL_ERROR;
	if (state == CREDENTIAL_NONE) {
		if (!on) {
			(void)printf("no break-glass credential is set: "
			    "nothing to disable\n");
			return CTL_OK;
		}
		ctl_warnx("break-glass on: no credential is set: run "
		    "cockpitctl break-glass set");
		return CTL_ERROR;
	}
	if (state == (on ? CREDENTIAL_ON : CREDENTIAL_OFF)) {
		(void)printf("break-glass credential already %s\n",
		    on ? "enabled" : "disabled");
		return CTL_OK;
	}
	params[0] = on ? "true" : "false";
	if (exec_params(conn, "break_glass", update_enabled, 1, params,
	    NULL) == -1 ||
	    audit(conn, on ? "break_glass.enable" :
	    "break_glass.disable") == -1)
		return CTL_ERROR;
	(void)printf("break-glass credential %s\n", on ? "enabled" :
	    "disabled");
	return CTL_OK;
}

static int
switch_credential(PGconn *conn, int on)
{
	int	 rc;

	if (ctl_exec(conn, "BEGIN") == -1)
		return CTL_ERROR;
	rc = switch_locked(conn, on);
	if (transaction_end(conn, rc == CTL_OK ? 0 : -1) == -1)
		return CTL_ERROR;
	return rc;
}

/*
 * break-glass status, on, off: no options but -h. Returns -1 to go on,
 * else the exit status.
 */
static int
bg_no_options(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (ch == 'h')
			return ctl_usage("break-glass", stdout);
		return ctl_bad_option("break-glass", ch, argv);
	}
	if (ctl_extra_args("break-glass", argc, argv) == -1)
		return ctl_usage("break-glass", stderr);
	return -1;
}

/* break-glass on, break-glass off */
static int
bg_switch(int argc, char **argv, int on)
{
	PGconn	*conn;
	int	 rc;

	if ((rc = bg_no_options(argc, argv)) != -1)
		return rc;
	if ((conn = platform_connect()) == NULL)
		return CTL_ERROR;
	rc = switch_credential(conn, on);
	PQfinish(conn);
	return rc;
}

static void
status_print(const PGresult *res)
{
	if (PQgetisnull(res, 0, 0))
		(void)printf("no break-glass credential is set\n");
	else {
		(void)printf("user: %s\n", PQgetvalue(res, 0, 0));
		(void)printf("enabled: %s\n", strcmp(PQgetvalue(res, 0, 1),
		    "t") == 0 ? "yes" : "no");
		(void)printf("updated_at: %s\n", PQgetvalue(res, 0, 2));
	}
	(void)printf("failed attempts in the last 15 minutes: %s\n",
	    PQgetvalue(res, 0, 3));
}

/* break-glass status: never the hash. */
static int
bg_status(int argc, char **argv)
{
	PGresult	*res;
	PGconn		*conn;
	int		 rc;

	if ((rc = bg_no_options(argc, argv)) != -1)
		return rc;
	if ((conn = platform_connect()) == NULL)
		return CTL_ERROR;
	rc = CTL_ERROR;
	if (exec_params(conn, "break_glass", select_status, 0, NULL,
	    &res) == 0) {
		if (PQntuples(res) == 1 && PQnfields(res) == 4) {
			status_print(res);
			rc = CTL_OK;
		} else
			ctl_warnx("break-glass status: unexpected answer");
		PQclear(res);
	}
	PQfinish(conn);
	return rc;
}

static int
bg_on(int argc, char **argv)
{
	return bg_switch(argc, argv, 1);
}

static int
bg_off(int argc, char **argv)
{
	return bg_switch(argc, argv, 0);
}

/* break-glass set [--user NAME] | on | off | status */
int
ctl_break_glass(int argc, char **argv)
{
	static const struct ctl_sub	 subs[] = {
		{ "set", bg_set },
		{ "on", bg_on },
		{ "off", bg_off },
		{ "status", bg_status },
	};

	return ctl_subcommand("break-glass", argc, argv, subs,
	    sizeof(subs) / sizeof(subs[0]));
}
