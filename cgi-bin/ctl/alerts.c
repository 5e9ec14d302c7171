/*
 * alerts deliver: posts budget alerts (sql/0007_budgets.sql makes them,
 * one per pool, threshold and period, and notifies cockpit_alerts) to
 * their account's webhook, signed with its secret:
 *
 *	X-Cockpit-Event: budget.alert
 *	X-Cockpit-Timestamp: <unix seconds>
 *	X-Cockpit-Signature: sha256=<hex HMAC-SHA256(secret, ts "." body)>
 *
 * A pass first marks the due alerts of accounts without a webhook
 * no_webhook, then claims due alerts a batch at a time (FOR UPDATE SKIP
 * LOCKED, so that deliverers never take the same alert) by moving their
 * next attempt past the time the batch may take: a deliverer that dies
 * leaves them to be tried again then. Each alert's outcome is written as
 * soon as it is known: a 2xx answer delivers it; anything else is tried
 * again 30 s · 2^attempts later (1, 2, 4, 8, 16, 32 minutes, then at most
 * an hour), and the 8th attempt that fails gives up. Delivery is at least
 * once: a receiver tells repeats by the alert's id.
 *
 * With --once it makes passes until nothing is due and exits; otherwise
 * it runs until SIGTERM or SIGINT, a pass whenever cockpit_alerts is
 * notified and every 30 s for the retries, connecting again when the
 * database goes away. The webhook secrets are opened with the keys of
 * cockpit.conf(5) (COCKPIT_SECRET_KEYS); webhooks reach public addresses
 * only, unless COCKPIT_ALLOW_PRIVATE_URLS is on.
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "config.h"
#include "ctl.h"
#include "fetch.h"
#include "secret.h"

#define CMD		"alerts deliver"
#define BATCH_DEFAULT	20
#define BATCH_MAX	1000
#define POLL_MS		30000	/* a pass at least this often */
#define RECONNECT_MS	5000	/* after the database went away */
#define ANSWER_MAX	65536	/* bytes of a receiver's answer read */
#define ERROR_MAX	200	/* bytes of last_error */
#define HMAC_LEN	32

/*
 * The most attempts; the wait after a failed one, BACKOFF_BASE · 2^attempts
 * (attempts counting it), at most BACKOFF_MAX, in seconds.
 */
#define ATTEMPTS_MAX	"8"
#define BACKOFF_BASE	"30"
#define BACKOFF_MAX	"3600"

static const char schema_check[] =
    "SELECT to_regclass('budget_alerts') IS NOT NULL"
    " AND to_regclass('account_webhooks') IS NOT NULL";

/* Due alerts of accounts that have no webhook: (id, account). */
static const char no_webhook_sql[] =
    "UPDATE budget_alerts a SET delivery = 'no_webhook'"
    " WHERE a.delivery = 'pending' AND a.next_attempt_at <= clock_timestamp()"
    " AND NOT EXISTS (SELECT 1 FROM account_webhooks w"
    " WHERE w.account_id = a.account_id)"
    " RETURNING a.id, a.account_id";

/*
 * Claims up to $1 due alerts for $2 seconds, the oldest due first, with
 * what their delivery needs (the columns of enum claim_col).
 */
static const char claim_sql[] =
    "UPDATE budget_alerts a"
    " SET next_attempt_at = clock_timestamp() + $2::int * interval '1 second'"
    " FROM (SELECT d.id FROM budget_alerts d"
    " WHERE d.delivery = 'pending' AND d.next_attempt_at <= clock_timestamp()"
    " ORDER BY d.next_attempt_at, d.id LIMIT $1::int"
    " FOR UPDATE SKIP LOCKED) d, account_webhooks w"
    " WHERE a.id = d.id AND w.account_id = a.account_id"
    " RETURNING a.id, a.account_id, w.url, w.secret_sealed, a.scope_type,"
    " coalesce(a.scope_id, a.account_id), a.threshold,"
    " cockpit_ts(a.period_start),"
    " CASE WHEN a.period_end = 'infinity' THEN NULL"
    " ELSE cockpit_ts(a.period_end) END,"
    " cockpit_credits_text(a.limit_micro),"
    " cockpit_credits_text(a.spent_micro), cockpit_ts(a.created_at)";

enum claim_col {
	COL_ID,
	COL_ACCOUNT,
	COL_URL,
	COL_SEALED,
	COL_SCOPE_TYPE,
	COL_SCOPE_ID,
	COL_THRESHOLD,
	COL_PERIOD_START,
	COL_PERIOD_END,
	COL_LIMIT,
	COL_SPENT,
	COL_CREATED,
	COL__N
};

/*
 * An attempt's outcome: $1 the alert, $2 delivered, $3 why not. Answers
 * (delivery, attempts, next attempt) as they now are.
 */
static const char outcome_sql[] =
    "UPDATE budget_alerts SET attempts = attempts + 1,"
    " delivery = CASE WHEN $2::boolean THEN 'delivered'"
    " WHEN attempts + 1 >= " ATTEMPTS_MAX " THEN 'failed' ELSE 'pending' END,"
    " delivered_at = CASE WHEN $2::boolean THEN clock_timestamp() END,"
    " next_attempt_at = CASE WHEN $2::boolean"
    " OR attempts + 1 >= " ATTEMPTS_MAX " THEN clock_timestamp()"
    " ELSE clock_timestamp() + least(" BACKOFF_BASE
    " * power(2, attempts + 1), " BACKOFF_MAX ") * interval '1 second' END,"
    " last_error = CASE WHEN $2::boolean THEN NULL ELSE $3 END"
    " WHERE id = $1::bigint AND delivery = 'pending'"
    " RETURNING delivery, attempts, cockpit_ts(next_attempt_at)";

/* What happened to the alerts, for --once's summary. */
struct tally {
	long	 delivered;
	long	 retry;
	long	 failed;
	long	 no_webhook;
};

/* The deliverer: its settings, its connection, its scratch buffers. */
struct deliverer {
	struct config	 cfg;
	int		 once;
	int		 batch;
	PGconn		*conn;		/* NULL: to connect again */
	int		 sigfd;		/* SIGTERM, SIGINT; -1 with --once */
	int		 stop;		/* a signal came */
	struct tally	 tally;
	struct buf	 body;
	struct buf	 signed_text;	/* ts "." body */
	struct buf	 secret;
	struct buf	 answer;
};

/* One line on standard output, at once: it may be a log file. */
static void	say(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	(void)putchar('\n');
	(void)fflush(stdout);
}

/* Whether a signal asked to stop, without waiting. */
static int
stopping(struct deliverer *d)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 p;

	if (d->stop || d->sigfd == -1)
		return d->stop;
	p.fd = d->sigfd;
	p.events = POLLIN;
	if (poll(&p, 1, 0) == 1 &&
	    read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		say("%s: %s: stopping", CMD, strsignal((int)si.ssi_signo));
		d->stop = 1;
	}
	return d->stop;
}

/* Runs a statement with params; NULL (reported) unless it answers rows. */
static PGresult *
run(struct deliverer *d, const char *sql, int n, const char *const *params,
    int nfields)
{
	PGresult	*res;

	res = PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK ||
	    PQnfields(res) != nfields) {
		ctl_pgerror("alerts", d->conn, res, NULL);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* A member "name":"value" (or null when value is NULL), after a comma. */
static int
member(struct buf *b, const char *name, const char *value)
{
	if (buf_printf(b, ",\"%s\":", name) == -1)
		return -1;
	return value != NULL ? buf_json_string(b, value) : buf_puts(b, "null");
}

/* The alert's JSON body, from the claimed row. */
static int
body_make(struct buf *b, const PGresult *res, int i)
{
	const char	*end;

	end = PQgetisnull(res, i, COL_PERIOD_END) ? NULL :
	    PQgetvalue(res, i, COL_PERIOD_END);
	buf_reset(b);
	return buf_puts(b, "{\"id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, COL_ID)) == -1 ||
	    member(b, "account_id", PQgetvalue(res, i, COL_ACCOUNT)) == -1 ||
	    buf_puts(b, ",\"scope\":{\"type\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, COL_SCOPE_TYPE)) == -1 ||
	    member(b, "id", PQgetvalue(res, i, COL_SCOPE_ID)) == -1 ||
	    buf_printf(b, "},\"threshold\":%d,\"period\":{\"start\":",
	    atoi(PQgetvalue(res, i, COL_THRESHOLD))) == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, COL_PERIOD_START)) == -1 ||
	    member(b, "end", end) == -1 || buf_puts(b, "}") == -1 ||
	    member(b, "limit", PQgetvalue(res, i, COL_LIMIT)) == -1 ||
	    member(b, "spent", PQgetvalue(res, i, COL_SPENT)) == -1 ||
	    member(b, "created_at", PQgetvalue(res, i, COL_CREATED)) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/*
 * The webhook's secret of the account, opened into d->secret: sealed for
 * the account's row of account_webhooks, its field secret.
 */
static int
secret_of(struct deliverer *d, const char *account, const char *sealed)
{
	char	 aad[128];

	(void)snprintf(aad, sizeof(aad), "account:%s|account_webhooks|secret",
	    account);
	return secret_open(&d->cfg.secrets, aad, sealed, &d->secret);
}

/* "sha256=" and the hex HMAC-SHA256 of ts "." body under the secret. */
static int
signature(struct deliverer *d, long long ts, char *out, size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0, i;
	int		 n;

	buf_reset(&d->signed_text);
	if (buf_printf(&d->signed_text, "%lld.", ts) == -1 ||
	    buf_append(&d->signed_text, d->body.data, d->body.len) == -1 ||
	    d->secret.len > INT_MAX ||
	    HMAC(EVP_sha256(), d->secret.data, (int)d->secret.len,
	    (const unsigned char *)d->signed_text.data, d->signed_text.len,
	    md, &mdlen) == NULL || mdlen != HMAC_LEN ||
	    len < sizeof("sha256=") + 2 * HMAC_LEN)
		return -1;
	n = snprintf(out, len, "sha256=");
	for (i = 0; i < mdlen; i++)
		n += snprintf(out + n, len - (size_t)n, "%02x", md[i]);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/*
 * POSTs the body, signed, to url. 1 when it answered 2xx, 0 when not
 * (why, short and without the secret or the URL, in err), -1 on error.
 */
static int
post(struct deliverer *d, const char *url, char *err, size_t errlen)
{
	char			 ts_h[64], sig_h[128], sig[96],
				 why[ERROR_MAX - 16];
	const char		*headers[] = { "X-Cockpit-Event: budget.alert",
				    ts_h, sig_h, NULL };
	struct fetch_call	 fc = { "POST", url, headers, d->body.data,
				    ANSWER_MAX, FETCH_TIMEOUT_MS };
	enum fetch_result	 fr;
	long long		 ts;
	long			 status;

	ts = (long long)time(NULL);
	if (signature(d, ts, sig, sizeof(sig)) == -1) {
		ctl_warnx("alerts: HMAC-SHA256 failed");
		return -1;
	}
	(void)snprintf(ts_h, sizeof(ts_h), "X-Cockpit-Timestamp: %lld", ts);
	(void)snprintf(sig_h, sizeof(sig_h), "X-Cockpit-Signature: %s", sig);
	fr = d->cfg.allow_private_urls ?
	    fetch_json(&fc, &d->answer, &status, why, sizeof(why)) :
	    fetch_json_public(&fc, &d->answer, &status, why, sizeof(why));
	buf_reset(&d->answer);
	if (fr == FETCH_ANSWERED && status >= 200 && status <= 299)
		return 1;
	if (fr == FETCH_ANSWERED)
		(void)snprintf(err, errlen, "HTTP %ld", status);
	else if (fr == FETCH_TOO_LARGE)
		(void)snprintf(err, errlen, "the answer is larger than %d "
		    "bytes", ANSWER_MAX);
	else
		(void)snprintf(err, errlen, "no answer: %s", why);
	return 0;
}

/* Writes the attempt's outcome and says it; -1 on a database error. */
static int
outcome(struct deliverer *d, const char *id, const char *account, int ok,
    const char *err)
{
	const char	*params[3] = { id, ok ? "true" : "false", err };
	const char	*state;
	PGresult	*res;

	if ((res = run(d, outcome_sql, 3, params, 3)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		/* Another deliverer settled it meanwhile: nothing to say. */
		PQclear(res);
		return 0;
	}
	state = PQgetvalue(res, 0, 0);
	if (strcmp(state, "delivered") == 0) {
		d->tally.delivered++;
		say("delivered alert %s of account %s", id, account);
	} else if (strcmp(state, "failed") == 0) {
		d->tally.failed++;
		say("failed alert %s of account %s after %s attempts: %s", id,
		    account, PQgetvalue(res, 0, 1), err);
	} else {
		d->tally.retry++;
		say("retry alert %s of account %s at %s (attempt %s): %s", id,
		    account, PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 1),
		    err);
	}
	PQclear(res);
	return 0;
}

/* Delivers the claimed row i once; -1 on a database or memory error. */
static int
deliver_one(struct deliverer *d, const PGresult *res, int i)
{
	const char	*id = PQgetvalue(res, i, COL_ID),
			*account = PQgetvalue(res, i, COL_ACCOUNT);
	char		 err[ERROR_MAX];
	int		 ok;

	if (body_make(&d->body, res, i) == -1) {
		ctl_warnx("out of memory");
		return -1;
	}
	if (secret_of(d, account, PQgetvalue(res, i, COL_SEALED)) == -1) {
		ok = 0;
		(void)snprintf(err, sizeof(err), "the webhook's secret does "
		    "not open with COCKPIT_SECRET_KEYS");
	} else
		ok = post(d, PQgetvalue(res, i, COL_URL), err, sizeof(err));
	if (d->secret.data != NULL)
		OPENSSL_cleanse(d->secret.data, d->secret.len);
	buf_reset(&d->secret);
	if (d->signed_text.data != NULL)
		OPENSSL_cleanse(d->signed_text.data, d->signed_text.len);
	if (ok == -1)
		return -1;
	return outcome(d, id, account, ok, ok ? NULL : err);
}

/* Marks the due alerts of accounts without a webhook; -1 on error. */
static int
mark_no_webhook(struct deliverer *d)
{
	PGresult	*res;
	int		 i;

	if ((res = run(d, no_webhook_sql, 0, NULL, 2)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		d->tally.no_webhook++;
		say("no webhook for alert %s of account %s",
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
	}
	PQclear(res);
	return 0;
}

/*
 * Claims a batch and delivers it. Returns how many were claimed, -1 on
 * error. A claim lasts as long as the batch may take, and a minute more.
 */
static int
deliver_batch(struct deliverer *d)
{
	char		 batch[16], lease[16];
	const char	*params[2] = { batch, lease };
	PGresult	*res;
	int		 i, n, rc = 0;

	(void)snprintf(batch, sizeof(batch), "%d", d->batch);
	(void)snprintf(lease, sizeof(lease), "%d",
	    d->batch * (FETCH_TIMEOUT_MS / 1000 + 1) + 60);
	if ((res = run(d, claim_sql, 2, params, COL__N)) == NULL)
		return -1;
	n = PQntuples(res);
	for (i = 0; i < n && rc == 0 && !stopping(d); i++)
		rc = deliver_one(d, res, i);
	PQclear(res);
	return rc == -1 ? -1 : n;
}

/* Delivers whatever is due, a batch at a time; -1 on error. */
static int
pass(struct deliverer *d)
{
	int	 n;

	if (mark_no_webhook(d) == -1)
		return -1;
	do {
		if ((n = deliver_batch(d)) == -1)
			return -1;
	} while (n == d->batch && !stopping(d));
	return 0;
}

/* The owner's session, listening on cockpit_alerts unless --once. */
static PGconn *
session(const struct deliverer *d)
{
	PGconn	*conn;

	if ((conn = ctl_platform_connect(schema_check, "alerts: the database "
	    "has no budget alerts")) == NULL)
		return NULL;
	if (!d->once && ctl_exec(conn, "LISTEN cockpit_alerts") == -1) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* Drops the notifications that came: a pass follows anyway. */
static int
notifications_drain(PGconn *conn)
{
	PGnotify	*n;

	if (PQconsumeInput(conn) == 0) {
		ctl_pgerror("alerts", conn, NULL, NULL);
		return -1;
	}
	while ((n = PQnotifies(conn)) != NULL)
		PQfreemem(n);
	return 0;
}

/*
 * Waits for a notification, a signal or ms milliseconds. -1 when the
 * connection broke (it is then closed).
 */
static int
wait_for_work(struct deliverer *d, int ms)
{
	struct pollfd	 p[2];
	int		 n = 1;

	p[0].fd = d->sigfd;
	p[0].events = POLLIN;
	if (d->conn != NULL) {
		p[1].fd = PQsocket(d->conn);
		p[1].events = POLLIN;
		n = 2;
	}
	if (poll(p, (nfds_t)n, ms) == -1 && errno != EINTR) {
		ctl_warnx("alerts: poll: %s", strerror(errno));
		return 0;
	}
	if (n == 2 && (p[1].revents & (POLLIN | POLLERR | POLLHUP)) &&
	    notifications_drain(d->conn) == -1)
		return -1;
	(void)stopping(d);
	return 0;
}

/* Blocks SIGTERM and SIGINT, to read them from d->sigfd instead. */
static int
signals_open(struct deliverer *d)
{
	sigset_t	 set;

	if (sigemptyset(&set) == -1 || sigaddset(&set, SIGTERM) == -1 ||
	    sigaddset(&set, SIGINT) == -1 ||
	    sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (d->sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		ctl_warnx("alerts: signals: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Until a signal: passes, waits, connects again when it must. */
static int
serve(struct deliverer *d)
{
	while (!d->stop) {
		if (d->conn == NULL) {
			if ((d->conn = session(d)) == NULL) {
				(void)wait_for_work(d, RECONNECT_MS);
				continue;
			}
			say("%s: listening on cockpit_alerts, batches of %d",
			    CMD, d->batch);
		}
		if (pass(d) == 0 && (d->stop ||
		    wait_for_work(d, POLL_MS) == 0))
			continue;
		ctl_warnx("alerts: the database failed: connecting again in "
		    "%d s", RECONNECT_MS / 1000);
		PQfinish(d->conn);
		d->conn = NULL;
		(void)wait_for_work(d, RECONNECT_MS);
	}
	say("%s: stopped", CMD);
	return CTL_OK;
}

/* One pass and its summary. */
static int
once(struct deliverer *d)
{
	if ((d->conn = session(d)) == NULL || pass(d) == -1)
		return CTL_ERROR;
	say("%ld delivered, %ld to retry, %ld failed, %ld without a webhook",
	    d->tally.delivered, d->tally.retry, d->tally.failed,
	    d->tally.no_webhook);
	return CTL_OK;
}

/* The configuration, which must hold the keys that open the secrets. */
static int
configure(struct deliverer *d)
{
	char	 err[CONFIG_ERRLEN];

	if (config_load(&d->cfg, "cockpitctl", NULL, err, sizeof(err)) == -1) {
		ctl_warnx("alerts: the configuration: %s", err);
		return -1;
	}
	if (d->cfg.secrets.n == 0) {
		ctl_warnx("alerts: COCKPIT_SECRET_KEYS is not set: the "
		    "webhooks' secrets cannot be opened");
		config_free(&d->cfg);
		return -1;
	}
	return 0;
}

static int
deliver(struct deliverer *d)
{
	int	 rc;

	if (configure(d) == -1)
		return CTL_ERROR;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    (!d->once && signals_open(d) == -1))
		rc = CTL_ERROR;
	else
		rc = d->once ? once(d) : serve(d);
	PQfinish(d->conn);
	if (d->sigfd != -1)
		(void)close(d->sigfd);
	buf_free(&d->body);
	buf_free(&d->signed_text);
	buf_free(&d->secret);
	buf_free(&d->answer);
	config_free(&d->cfg);
	return rc;
}

enum {
	OPT_ONCE = 256,
	OPT_BATCH
};

/* --batch N: 1 to BATCH_MAX. */
static int
batch_parse(const char *s, int *out)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 || n > BATCH_MAX) {
		ctl_warnx("%s: --batch: not a number from 1 to %d: %s", CMD,
		    BATCH_MAX, s);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* alerts deliver [--once] [--batch N] */
static int
deliver_cmd(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct deliverer	 d;
	int			 ch;

	memset(&d, 0, sizeof(d));
	d.batch = BATCH_DEFAULT;
	d.sigfd = -1;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_ONCE:
			d.once = 1;
			break;
		case OPT_BATCH:
			if (batch_parse(optarg, &d.batch) == -1)
				return ctl_usage("alerts", stderr);
			break;
		case 'h':
			return ctl_usage("alerts", stdout);
		default:
			return ctl_bad_option("alerts", ch, argv);
		}
	}
	if (ctl_extra_args(CMD, argc, argv) == -1)
		return ctl_usage("alerts", stderr);
	return deliver(&d);
}

/* alerts deliver [--once] [--batch N] */
int
ctl_alerts(int argc, char **argv)
{
	static const struct ctl_sub	 subs[] = {
		{ "deliver", deliver_cmd },
	};

	return ctl_subcommand("alerts", argc, argv, subs,
	    sizeof(subs) / sizeof(subs[0]));
}
