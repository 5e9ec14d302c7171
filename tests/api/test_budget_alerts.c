/*
 * cockpitctl alerts deliver: budget alerts made by usage recorded through
 * the API, posted to a receiver that this test runs (a small HTTP server
 * on a thread, recording every request), signed with the webhook's
 * secret. The test checks the body and recomputes the signature; then a
 * receiver that fails (retries, backoff, giving up), one that redirects,
 * answers too much or not at all; an account with no webhook; an address
 * the operator did not allow; a secret sealed for another account; the
 * deliverer running as a daemon, woken by cockpit_alerts and stopped by
 * SIGTERM; and a webhook set through PUT …/alerts/webhook.
 *
 * The webhook rows are written as the owner, their secret sealed with the
 * stack's keys (cockpit.conf) as budgets.fcgi seals them.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "harness.h"
#include "secret.h"

#define MODEL		"alerts-model"
#define SECRET		"whsec_test-alerts-secret-0123456789"
#define HOOK_PATH	"/hooks/budget"
#define SEEN_MAX	8
#define HEAD_MAX	16384
#define BIG_ANSWER	100000

/* What the receiver answers. */
enum hook_mode {
	HOOK_ANSWER,		/* status, a short body */
	HOOK_REDIRECT,		/* 302 to another path of its own */
	HOOK_BIG,		/* 200 and BIG_ANSWER bytes */
	HOOK_SILENT		/* nothing, until the client hangs up */
};

/* A request the receiver took. */
struct seen {
	char		 method[16];
	char		 path[256];
	char		 head[HEAD_MAX];	/* the header lines */
	struct buf	 body;
};

/* The receiver: a socket on 127.0.0.1, a thread, what it saw. */
struct hook {
	int		 fd;
	int		 port;
	pthread_t	 thread;
	pthread_mutex_t	 mu;		/* guards what follows */
	enum hook_mode	 mode;
	int		 status;
	int		 n;
	struct seen	 seen[SEEN_MAX];
	int		 stop;
};

/* A test's account: a user with 10 credits of the account's 100. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 user[UUID_LEN + 1];
	char	 user_pool[UUID_LEN + 1];
};

static int
hook_stopping(struct hook *h)
{
	int	 stop;

	ck_assert_int_eq(pthread_mutex_lock(&h->mu), 0);
	stop = h->stop;
	ck_assert_int_eq(pthread_mutex_unlock(&h->mu), 0);
	return stop;
}

/* Waits until fd is readable or the receiver stops; 1 when readable. */
static int
readable(struct hook *h, int fd)
{
	struct pollfd	 p = { fd, POLLIN, 0 };

	while (!hook_stopping(h))
		if (poll(&p, 1, 100) == 1)
			return 1;
	return 0;
}

/* Reads the request head (to the blank line) and as much of the body. */
static int
read_request(struct hook *h, int fd, struct buf *in, size_t *head_len)
{
	char	 chunk[4096], *end;
	ssize_t	 n;

	while ((end = in->data != NULL ? strstr(in->data, "\r\n\r\n") :
	    NULL) == NULL) {
		if (in->len > HEAD_MAX || !readable(h, fd) ||
		    (n = read(fd, chunk, sizeof(chunk))) <= 0)
			return -1;
		ck_assert_int_eq(buf_append(in, chunk, (size_t)n), 0);
	}
	*head_len = (size_t)(end - in->data) + 4;
	return 0;
}

/* The value of a header in a head, or NULL; copied into out. */
static const char *
header_value(const char *head, const char *name, char *out, size_t len)
{
	const char	*p;
	size_t		 n = strlen(name), v;

	for (p = strstr(head, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
			p += 3 + n;
			while (*p == ' ')
				p++;
			v = strcspn(p, "\r\n");
			(void)snprintf(out, len, "%.*s", (int)v, p);
			return out;
		}
	return NULL;
}

/* Writes all of s (no SIGPIPE: the client may be gone). */
static void
send_all(int fd, const char *s, size_t len)
{
	ssize_t	 n;

	while (len > 0 && (n = send(fd, s, len, MSG_NOSIGNAL)) > 0) {
		s += n;
		len -= (size_t)n;
	}
}

static void
answer(struct hook *h, int fd, enum hook_mode mode, int status)
{
	char		 head[512];
	char		*big;

	switch (mode) {
	case HOOK_ANSWER:
		(void)snprintf(head, sizeof(head), "HTTP/1.1 %d Test\r\n"
		    "Content-Length: 2\r\nConnection: close\r\n\r\nok", status);
		break;
	case HOOK_REDIRECT:
		(void)snprintf(head, sizeof(head), "HTTP/1.1 302 Found\r\n"
		    "Location: http://127.0.0.1:%d/elsewhere\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n", h->port);
		break;
	case HOOK_BIG:
		(void)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %d\r\nConnection: close\r\n\r\n",
		    BIG_ANSWER);
		send_all(fd, head, strlen(head));
		ck_assert_ptr_nonnull(big = malloc(BIG_ANSWER));
		memset(big, 'x', BIG_ANSWER);
		send_all(fd, big, BIG_ANSWER);
		free(big);
		return;
	case HOOK_SILENT:
		/* Until the client gives up: read() answers 0 then. */
		while (readable(h, fd) && read(fd, head, sizeof(head)) > 0)
			continue;
		return;
	}
	send_all(fd, head, strlen(head));
}

/* Takes one request on fd: records it, answers as the test said. */
static void
serve_one(struct hook *h, int fd)
{
	struct buf	 in = { 0 };
	struct seen	*s;
	char		 value[64], chunk[4096];
	size_t		 head_len, want;
	ssize_t		 n;
	enum hook_mode	 mode;
	int		 status;

	if (read_request(h, fd, &in, &head_len) == -1) {
		buf_free(&in);
		return;
	}
	want = header_value(in.data, "Content-Length", value, sizeof(value))
	    != NULL ? strtoul(value, NULL, 10) : 0;
	if (header_value(in.data, "Expect", value, sizeof(value)) != NULL)
		send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	while (in.len < head_len + want && readable(h, fd) &&
	    (n = read(fd, chunk, sizeof(chunk))) > 0)
		ck_assert_int_eq(buf_append(&in, chunk, (size_t)n), 0);
	ck_assert_int_eq(pthread_mutex_lock(&h->mu), 0);
	if (h->n < SEEN_MAX) {
		s = &h->seen[h->n++];
		(void)sscanf(in.data, "%15s %255s", s->method, s->path);
		(void)snprintf(s->head, sizeof(s->head), "%.*s",
		    (int)head_len, in.data);
		ck_assert_int_eq(buf_append(&s->body, in.data + head_len,
		    in.len - head_len), 0);
	}
	mode = h->mode;
	status = h->status;
	ck_assert_int_eq(pthread_mutex_unlock(&h->mu), 0);
	answer(h, fd, mode, status);
	buf_free(&in);
}

static void *
hook_main(void *arg)
{
	struct hook	*h = arg;
	int		 fd;

	while (readable(h, h->fd))
		if ((fd = accept(h->fd, NULL, NULL)) != -1) {
			serve_one(h, fd);
			(void)close(fd);
		}
	return NULL;
}

/* Starts a receiver on a free port of 127.0.0.1. */
static void
hook_start(struct hook *h, enum hook_mode mode, int status)
{
	struct sockaddr_in	 a;
	socklen_t		 len = sizeof(a);

	memset(h, 0, sizeof(*h));
	h->mode = mode;
	h->status = status;
	ck_assert_int_eq(pthread_mutex_init(&h->mu, NULL), 0);
	ck_assert_int_ne(h->fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(h->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(h->fd, 8), 0);
	ck_assert_int_eq(getsockname(h->fd, (struct sockaddr *)&a, &len), 0);
	h->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&h->thread, NULL, hook_main, h), 0);
}

static void
hook_stop(struct hook *h)
{
	int	 i;

	ck_assert_int_eq(pthread_mutex_lock(&h->mu), 0);
	h->stop = 1;
	ck_assert_int_eq(pthread_mutex_unlock(&h->mu), 0);
	ck_assert_int_eq(pthread_join(h->thread, NULL), 0);
	(void)close(h->fd);
	for (i = 0; i < h->n; i++)
		buf_free(&h->seen[i].body);
}

static void
hook_answer(struct hook *h, enum hook_mode mode, int status)
{
	ck_assert_int_eq(pthread_mutex_lock(&h->mu), 0);
	h->mode = mode;
	h->status = status;
	ck_assert_int_eq(pthread_mutex_unlock(&h->mu), 0);
}

static int
hook_count(struct hook *h)
{
	int	 n;

	ck_assert_int_eq(pthread_mutex_lock(&h->mu), 0);
	n = h->n;
	ck_assert_int_eq(pthread_mutex_unlock(&h->mu), 0);
	return n;
}

static int
hook_has(void *arg)
{
	return hook_count(arg) > 0;
}

/* Runs sql (a printf format) as the owner, acting for the platform. */
static void	owner_exec(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static void
owner_exec(const char *fmt, ...)
{
	char	 sql[4096];
	va_list	 ap;
	PGconn	*c;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(sql, sizeof(sql), fmt, ap),
	    (int)sizeof(sql));
	va_end(ap);
	c = db_owner();
	db_exec(c, sql);
	PQfinish(c);
}

/* The text of the one value sql answers (NULL: "NULL") into out. */
static void	owner_text(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
owner_text(char *out, size_t len, const char *fmt, ...)
{
	char		 sql[2048];
	va_list		 ap;
	PGconn		*c = db_owner();
	PGresult	*res;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(sql, sizeof(sql), fmt, ap),
	    (int)sizeof(sql));
	va_end(ap);
	res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	ck_assert_int_lt(snprintf(out, len, "%s", PQgetisnull(res, 0, 0) ?
	    "NULL" : PQgetvalue(res, 0, 0)), (int)len);
	PQclear(res);
	PQfinish(c);
}

/* A request in the account that must answer status; its "id" into id. */
static void
call(const struct acct *a, const char *method, const char *path,
    const char *json, long status, char *id, size_t idlen)
{
	struct reply	 r;

	api_in_account(&r, a->id, method, path, json);
	ck_assert_msg(r.status == status, "%s %s %s: %ld %s", method, path,
	    json != NULL ? json : "", r.status, r.body.data);
	if (id != NULL)
		ck_assert_int_lt(snprintf(id, idlen, "%s", json_str(r.json,
		    "id")), (int)idlen);
	reply_free(&r);
}

/* An account whose user has 10 credits of the Unallocated pool's 100. */
static void
acct_open(struct acct *a)
{
	char	 slug[64];

	memset(a, 0, sizeof(*a));
	unique_slug(slug, sizeof(slug), "alerts");
	create_account("Alerts", slug, a->id);
	call(a, "POST", "/v1/copilot/users", "{\"email\":\"watched@"
	    "alerts.test\",\"display_name\":\"Watched\"}", 201, a->user,
	    sizeof(a->user));
	owner_exec("INSERT INTO credit_grants (account_id, pool_id,"
	    " micro_credits, granted_by) SELECT account_id, id, 100000000,"
	    " 'test_budget_alerts' FROM credit_pools WHERE account_id = '%s'"
	    " AND scope_type = 'unallocated'", a->id);
	owner_text(a->user_pool, sizeof(a->user_pool), "INSERT INTO"
	    " credit_pools (account_id, scope_type, scope_id, micro_credits,"
	    " parent_id, rule) SELECT account_id, 'user', '%s', 10000000, id,"
	    " 'override' FROM credit_pools WHERE account_id = '%s'"
	    " AND scope_type = 'unallocated' RETURNING id", a->user, a->id);
}

/*
 * Settles the account's alerts that are still pending, so that a later
 * test's pass does not try them again: --once delivers every account's.
 */
static void
settle(const struct acct *a)
{
	owner_exec("UPDATE budget_alerts SET delivery = 'failed' WHERE"
	    " account_id = '%s' AND delivery = 'pending'", a->id);
}

/* A usage of the user's of cost credits; key its idempotency key. */
static void
spend(const struct acct *a, const char *cost, const char *key)
{
	char	 body[512];

	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\""
	    MODEL "\",\"cost\":\"%s\",\"idempotency_key\":\"%s\"}", a->user,
	    cost, key);
	call(a, "POST", "/v1/budgets/copilot/usage", body, 200, NULL, 0);
}

/*
 * The account's webhook: the receiver's URL and secret, sealed with the
 * stack's keys for the account named in the associated data, sealed_for.
 */
static void
webhook_set(const struct acct *a, const struct hook *h, const char *secret,
    const char *sealed_for)
{
	struct config	 cfg;
	struct buf	 sealed = { 0 };
	char		 path[4096], err[CONFIG_ERRLEN], aad[128];

	(void)snprintf(path, sizeof(path), "%s/cockpit.conf",
	    env("COCKPIT_STATE_DIR"));
	ck_assert_msg(config_load(&cfg, "test", path, err, sizeof(err)) == 0,
	    "%s", err);
	(void)snprintf(aad, sizeof(aad), "account:%s|account_webhooks|secret",
	    sealed_for);
	ck_assert_int_eq(secret_seal(&cfg.secrets, aad, secret, &sealed), 0);
	config_free(&cfg);
	owner_exec("INSERT INTO account_webhooks (account_id, url,"
	    " secret_sealed) VALUES ('%s', 'http://127.0.0.1:%d" HOOK_PATH "',"
	    " '%s') ON CONFLICT (account_id) DO UPDATE SET url = EXCLUDED.url,"
	    " secret_sealed = EXCLUDED.secret_sealed", a->id, h->port,
	    sealed.data);
	buf_free(&sealed);
}

/*
 * Runs cockpitctl ARGS with the stack's configuration and loopback
 * allowed, unless envs (assignments) says otherwise; output into out.
 */
static int
ctl_env(const char *envs, const char *args, struct buf *out)
{
	char	 cmd[8192], chunk[512];
	FILE	*p;
	size_t	 n;
	int	 st;

	(void)snprintf(cmd, sizeof(cmd), "COCKPIT_CONFIG='%s/cockpit.conf' "
	    "COCKPIT_ALLOW_PRIVATE_URLS=on %s '%s/cgi-bin/cockpitctl' %s 2>&1",
	    env("COCKPIT_STATE_DIR"), envs, env("COCKPIT_BUILD_DIR"), args);
	ck_assert((p = popen(cmd, "r")) != NULL);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ck_assert_int_eq(buf_append(out, chunk, n), 0);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* alerts deliver --once; it must succeed. */
static void
deliver(struct buf *out)
{
	int	 rc = ctl_env("", "alerts deliver --once", out);

	ck_assert_msg(rc == 0, "exit %d:\n%s", rc, out->data);
}

static void
assert_out(const struct buf *out, const char *needle)
{
	ck_assert_msg(out->data != NULL && strstr(out->data, needle) != NULL,
	    "no \"%s\" in:\n%s", needle, out->data != NULL ? out->data : "");
}

/* The account's alert at threshold, its id into id. */
static void
alert_id(const struct acct *a, int threshold, char *id, size_t len)
{
	owner_text(id, len, "SELECT id FROM budget_alerts WHERE account_id ="
	    " '%s' AND threshold = %d", a->id, threshold);
}

/* A column (or expression over budget_alerts) of alert id, as text. */
static void
alert_col(const char *id, const char *col, char *out, size_t len)
{
	owner_text(out, len, "SELECT (%s)::text FROM budget_alerts WHERE"
	    " id = %s", col, id);
}

static void
assert_alert(const char *id, const char *col, const char *want)
{
	char	 v[256];

	alert_col(id, col, v, sizeof(v));
	ck_assert_msg(strcmp(v, want) == 0, "alert %s: %s is %s, not %s", id,
	    col, v, want);
}

/* "sha256=" and HMAC-SHA256(secret, ts "." body) in hex, into out. */
static void
sign(const char *secret, const char *ts, const char *body, char *out,
    size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	struct buf	 text = { 0 };
	int		 n;

	ck_assert_int_eq(buf_printf(&text, "%s.%s", ts, body), 0);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)text.data, text.len, md, &mdlen));
	ck_assert_uint_eq(mdlen, 32);
	n = snprintf(out, len, "sha256=");
	for (i = 0; i < mdlen; i++)
		n += snprintf(out + n, len - (size_t)n, "%02x", md[i]);
	buf_free(&text);
}

/*
 * Request i of the receiver: a signed budget.alert POST of alert id, at
 * threshold, spent credits, with secret; its JSON checked member by
 * member.
 */
static void
assert_delivery(struct hook *h, int i, const struct acct *a,
    const char *secret, const char *id, int threshold, const char *spent)
{
	const struct seen	*s = &h->seen[i];
	char			 v[256], ts[64], want[128];
	const cJSON		*o;
	cJSON			*j;
	size_t			 k;

	ck_assert_int_gt(hook_count(h), i);
	ck_assert_str_eq(s->method, "POST");
	ck_assert_str_eq(s->path, HOOK_PATH);
	ck_assert_ptr_nonnull(header_value(s->head, "Content-Type", v,
	    sizeof(v)));
	ck_assert_str_eq(v, "application/json");
	ck_assert_ptr_nonnull(header_value(s->head, "X-Cockpit-Event", v,
	    sizeof(v)));
	ck_assert_str_eq(v, "budget.alert");
	ck_assert_ptr_nonnull(header_value(s->head, "X-Cockpit-Timestamp", ts,
	    sizeof(ts)));
	for (k = 0; ts[k] != '\0'; k++)
		ck_assert(isdigit((unsigned char)ts[k]));
	ck_assert_ptr_nonnull(header_value(s->head, "X-Cockpit-Signature", v,
	    sizeof(v)));
	sign(secret, ts, s->body.data, want, sizeof(want));
	ck_assert_str_eq(v, want);
	/* The signature covers the body: another body does not verify. */
	sign(secret, ts, "{}", want, sizeof(want));
	ck_assert_str_ne(v, want);

	ck_assert_ptr_nonnull(j = cJSON_Parse(s->body.data));
	ck_assert_str_eq(json_str(j, "id"), id);
	ck_assert_str_eq(json_str(j, "account_id"), a->id);
	o = cJSON_GetObjectItem(j, "scope");
	ck_assert_str_eq(json_str(o, "type"), "user");
	ck_assert_str_eq(json_str(o, "id"), a->user);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "threshold")->valueint,
	    threshold);
	o = cJSON_GetObjectItem(j, "period");
	ck_assert(is_timestamp(json_str(o, "start")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "end")));
	ck_assert_str_eq(json_str(j, "limit"), "10");
	ck_assert_str_eq(json_str(j, "spent"), spent);
	ck_assert(is_timestamp(json_str(j, "created_at")));
	ck_assert_int_eq(cJSON_GetArraySize(j), 8);
	cJSON_Delete(j);
}

START_TEST(test_delivered)
{
	struct acct	 a;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32], id100[32], line[256];

	acct_open(&a);
	hook_start(&h, HOOK_ANSWER, 200);
	webhook_set(&a, &h, SECRET, a.id);
	spend(&a, "9", "u1");		/* 90 %: the 80 % threshold */
	alert_id(&a, 80, id, sizeof(id));
	assert_alert(id, "delivery", "pending");
	deliver(&out);
	(void)snprintf(line, sizeof(line), "delivered alert %s of account %s",
	    id, a.id);
	assert_out(&out, line);
	assert_out(&out, "1 delivered, 0 to retry, 0 failed, 0 without a "
	    "webhook");
	ck_assert_int_eq(hook_count(&h), 1);
	assert_delivery(&h, 0, &a, SECRET, id, 80, "9");
	assert_alert(id, "delivery", "delivered");
	assert_alert(id, "attempts", "1");
	assert_alert(id, "delivered_at IS NOT NULL", "true");
	assert_alert(id, "last_error", "NULL");

	/* Delivered once: nothing more to do. */
	deliver(&out);
	assert_out(&out, "0 delivered, 0 to retry, 0 failed, 0 without a "
	    "webhook");
	ck_assert_int_eq(hook_count(&h), 1);

	spend(&a, "1", "u2");		/* 100 % */
	alert_id(&a, 100, id100, sizeof(id100));
	deliver(&out);
	assert_out(&out, "1 delivered, 0 to retry");
	ck_assert_int_eq(hook_count(&h), 2);
	assert_delivery(&h, 1, &a, SECRET, id100, 100, "10");
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

/* next_attempt_at is within [t0, t1] plus seconds. */
static void
assert_next(const char *id, const char *t0, const char *t1, int seconds)
{
	char	 expr[256];

	(void)snprintf(expr, sizeof(expr), "next_attempt_at BETWEEN"
	    " '%s'::timestamptz + interval '%d s' AND '%s'::timestamptz +"
	    " interval '%d s'", t0, seconds, t1, seconds);
	assert_alert(id, expr, "true");
}

static void
now(char *out, size_t len)
{
	owner_text(out, len, "SELECT clock_timestamp()");
}

/* Makes the alert due now, as if its time had come. */
static void
due(const char *id, int attempts)
{
	owner_exec("UPDATE budget_alerts SET next_attempt_at ="
	    " clock_timestamp() - interval '1 s', attempts = %d WHERE id = %s",
	    attempts, id);
}

START_TEST(test_retry)
{
	struct acct	 a;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32], t0[64], t1[64], line[256];

	acct_open(&a);
	hook_start(&h, HOOK_ANSWER, 500);
	webhook_set(&a, &h, SECRET, a.id);
	spend(&a, "8", "u1");
	alert_id(&a, 80, id, sizeof(id));
	now(t0, sizeof(t0));
	deliver(&out);
	now(t1, sizeof(t1));
	(void)snprintf(line, sizeof(line), "retry alert %s of account %s at ",
	    id, a.id);
	assert_out(&out, line);
	assert_out(&out, "(attempt 1): HTTP 500");
	assert_out(&out, "0 delivered, 1 to retry, 0 failed");
	ck_assert_int_eq(hook_count(&h), 1);
	assert_alert(id, "delivery", "pending");
	assert_alert(id, "attempts", "1");
	assert_alert(id, "last_error", "HTTP 500");
	assert_next(id, t0, t1, 60);

	/* Not due yet: not tried again. */
	deliver(&out);
	assert_out(&out, "0 delivered, 0 to retry");
	ck_assert_int_eq(hook_count(&h), 1);

	/* The fourth attempt fails too: eight minutes. */
	due(id, 3);
	now(t0, sizeof(t0));
	deliver(&out);
	now(t1, sizeof(t1));
	ck_assert_int_eq(hook_count(&h), 2);
	assert_alert(id, "attempts", "4");
	assert_next(id, t0, t1, 480);
	/* The seventh: an hour, at most. */
	due(id, 6);
	now(t0, sizeof(t0));
	deliver(&out);
	now(t1, sizeof(t1));
	assert_alert(id, "attempts", "7");
	assert_next(id, t0, t1, 3600);

	/* The receiver is back: delivered, the same alert each time. */
	hook_answer(&h, HOOK_ANSWER, 204);
	due(id, 1);
	deliver(&out);
	assert_out(&out, "1 delivered, 0 to retry");
	ck_assert_int_eq(hook_count(&h), 4);
	assert_alert(id, "delivery", "delivered");
	assert_alert(id, "attempts", "2");
	assert_alert(id, "last_error", "NULL");
	assert_delivery(&h, 0, &a, SECRET, id, 80, "8");
	assert_delivery(&h, 3, &a, SECRET, id, 80, "8");
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

START_TEST(test_gives_up)
{
	struct acct	 a;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32], line[256];

	acct_open(&a);
	hook_start(&h, HOOK_ANSWER, 503);
	webhook_set(&a, &h, SECRET, a.id);
	spend(&a, "8", "u1");
	alert_id(&a, 80, id, sizeof(id));
	due(id, 7);
	deliver(&out);
	(void)snprintf(line, sizeof(line), "failed alert %s of account %s "
	    "after 8 attempts: HTTP 503", id, a.id);
	assert_out(&out, line);
	assert_out(&out, "0 delivered, 0 to retry, 1 failed");
	assert_alert(id, "delivery", "failed");
	assert_alert(id, "attempts", "8");
	assert_alert(id, "last_error", "HTTP 503");
	/* Failed for good: never tried again. */
	owner_exec("UPDATE budget_alerts SET next_attempt_at ="
	    " clock_timestamp() - interval '1 s' WHERE id = %s", id);
	deliver(&out);
	assert_out(&out, "0 delivered, 0 to retry, 0 failed");
	ck_assert_int_eq(hook_count(&h), 1);
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

START_TEST(test_no_webhook)
{
	struct acct	 a;
	struct buf	 out = { 0 };
	char		 id[32], line[256];

	acct_open(&a);
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	deliver(&out);
	(void)snprintf(line, sizeof(line), "no webhook for alert %s of "
	    "account %s", id, a.id);
	assert_out(&out, line);
	assert_out(&out, "1 without a webhook");
	assert_alert(id, "delivery", "no_webhook");
	assert_alert(id, "attempts", "0");
	buf_free(&out);
}
END_TEST

START_TEST(test_private_address_refused)
{
	struct acct	 a;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32];

	acct_open(&a);
	hook_start(&h, HOOK_ANSWER, 200);
	webhook_set(&a, &h, SECRET, a.id);
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	/* What the operator did not allow (the default) is not reached. */
	ck_assert_int_eq(ctl_env("COCKPIT_ALLOW_PRIVATE_URLS=",
	    "alerts deliver --once", &out), 0);
	assert_out(&out, "no answer: refused to connect to 127.0.0.1: not a "
	    "public address");
	assert_out(&out, "0 delivered, 1 to retry");
	ck_assert_int_eq(hook_count(&h), 0);
	assert_alert(id, "delivery", "pending");
	assert_alert(id, "attempts", "1");
	assert_alert(id, "last_error", "no answer: refused to connect to "
	    "127.0.0.1: not a public address");
	settle(&a);
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

START_TEST(test_secret_of_another_account)
{
	struct acct	 a, b;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32];

	acct_open(&a);
	acct_open(&b);
	hook_start(&h, HOOK_ANSWER, 200);
	/* A sealed secret copied from another account's row. */
	webhook_set(&a, &h, SECRET, b.id);
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	deliver(&out);
	assert_out(&out, "the webhook's secret does not open with "
	    "COCKPIT_SECRET_KEYS");
	ck_assert_int_eq(hook_count(&h), 0);
	assert_alert(id, "attempts", "1");
	assert_alert(id, "last_error", "the webhook's secret does not open "
	    "with COCKPIT_SECRET_KEYS");
	ck_assert_ptr_null(strstr(out.data, SECRET));
	settle(&a);
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

START_TEST(test_redirect_and_large_answer)
{
	struct acct	 a;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32];

	acct_open(&a);
	hook_start(&h, HOOK_REDIRECT, 0);
	webhook_set(&a, &h, SECRET, a.id);
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	deliver(&out);
	/* Not followed: one request, to the webhook's path. */
	ck_assert_int_eq(hook_count(&h), 1);
	assert_alert(id, "last_error", "HTTP 302");
	hook_answer(&h, HOOK_BIG, 200);
	due(id, 1);
	deliver(&out);
	ck_assert_int_eq(hook_count(&h), 2);
	assert_alert(id, "delivery", "pending");
	assert_alert(id, "last_error", "the answer is larger than 65536 "
	    "bytes");
	settle(&a);
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

START_TEST(test_no_answer)
{
	struct acct	 a;
	struct hook	 h;
	struct buf	 out = { 0 };
	char		 id[32];

	acct_open(&a);
	hook_start(&h, HOOK_SILENT, 0);
	webhook_set(&a, &h, SECRET, a.id);
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	deliver(&out);
	ck_assert_int_eq(hook_count(&h), 1);
	assert_alert(id, "delivery", "pending");
	assert_alert(id, "last_error LIKE 'no answer: %'", "true");
	settle(&a);
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

/* The daemon's output, which it writes to a file. */
struct daemon {
	pid_t	 pid;
	char	 log[4096];
	char	 needle[128];
};

static int
daemon_said(void *arg)
{
	const struct daemon	*d = arg;
	char			 text[8192];
	FILE			*f;
	size_t			 n;

	if ((f = fopen(d->log, "r")) == NULL)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	(void)fclose(f);
	text[n] = '\0';
	return strstr(text, d->needle) != NULL;
}

/* Starts cockpitctl alerts deliver, its output into d->log. */
static void
daemon_start(struct daemon *d)
{
	char	 bin[4096], conf[4096];

	(void)snprintf(d->log, sizeof(d->log), "%s/log/test-alerts-%ld.log",
	    env("COCKPIT_STATE_DIR"), (long)getpid());
	(void)snprintf(bin, sizeof(bin), "%s/cgi-bin/cockpitctl",
	    env("COCKPIT_BUILD_DIR"));
	(void)snprintf(conf, sizeof(conf), "%s/cockpit.conf",
	    env("COCKPIT_STATE_DIR"));
	ck_assert_int_ne(d->pid = fork(), -1);
	if (d->pid == 0) {
		if (freopen(d->log, "w", stdout) == NULL ||
		    dup2(fileno(stdout), 2) == -1 ||
		    setenv("COCKPIT_CONFIG", conf, 1) == -1 ||
		    setenv("COCKPIT_ALLOW_PRIVATE_URLS", "on", 1) == -1)
			_exit(127);
		(void)execl(bin, bin, "alerts", "deliver", "--batch", "5",
		    (char *)NULL);
		_exit(127);
	}
	(void)snprintf(d->needle, sizeof(d->needle), "listening on "
	    "cockpit_alerts");
	ck_assert_msg(wait_until(daemon_said, d, 20000), "the deliverer did "
	    "not start: %s", d->log);
}

START_TEST(test_daemon)
{
	struct acct	 a;
	struct hook	 h;
	struct daemon	 d;
	char		 id[32];
	int		 st;

	acct_open(&a);
	hook_start(&h, HOOK_ANSWER, 200);
	webhook_set(&a, &h, SECRET, a.id);
	daemon_start(&d);
	/* The usage's notification wakes it: no waiting for a poll. */
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	ck_assert_msg(wait_until(hook_has, &h, 20000), "nothing delivered");
	(void)snprintf(d.needle, sizeof(d.needle), "delivered alert %s ", id);
	ck_assert(wait_until(daemon_said, &d, 20000));
	assert_alert(id, "delivery", "delivered");
	assert_delivery(&h, 0, &a, SECRET, id, 80, "9");
	ck_assert_int_eq(kill(d.pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(d.pid, &st, 0), d.pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	(void)snprintf(d.needle, sizeof(d.needle), "alerts deliver: stopped");
	ck_assert(daemon_said(&d));
	hook_stop(&h);
	(void)unlink(d.log);
}
END_TEST

START_TEST(test_webhook_set_through_api)
{
	struct acct	 a;
	struct hook	 h;
	struct reply	 r;
	struct buf	 out = { 0 };
	char		 id[32], body[256], secret[128];

	acct_open(&a);
	hook_start(&h, HOOK_ANSWER, 200);
	(void)snprintf(body, sizeof(body), "{\"url\":\"http://127.0.0.1:%d"
	    HOOK_PATH "\"}", h.port);
	api_in_account(&r, a.id, "PUT", "/v1/budgets/copilot/alerts/webhook",
	    body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert_int_lt(snprintf(secret, sizeof(secret), "%s",
	    json_str(r.json, "secret")), (int)sizeof(secret));
	reply_free(&r);
	spend(&a, "9", "u1");
	alert_id(&a, 80, id, sizeof(id));
	deliver(&out);
	assert_out(&out, "1 delivered");
	assert_delivery(&h, 0, &a, secret, id, 80, "9");
	hook_stop(&h);
	buf_free(&out);
}
END_TEST

START_TEST(test_usage_errors)
{
	struct buf	 out = { 0 };

	ck_assert_int_eq(ctl_env("", "alerts", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts send", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver --batch 0", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver --batch 1001", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver --batch x", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver --batch", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver --bogus", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver extra", &out), 64);
	ck_assert_int_eq(ctl_env("", "alerts deliver --help", &out), 0);
	assert_out(&out, "deliver [--once] [--batch N]");
	ck_assert_int_eq(ctl_env("", "help alerts", &out), 0);
	/* No keys to open the secrets with: it does not start. */
	ck_assert_int_eq(ctl_env("COCKPIT_CONFIG=/dev/null "
	    "COCKPIT_SECRET_KEYS=", "alerts deliver --once", &out), 1);
	assert_out(&out, "COCKPIT_SECRET_KEYS is not set");
	/* No database. */
	ck_assert_int_eq(ctl_env("DATABASE_URL='host=/nonexistent dbname=x'",
	    "alerts deliver --once", &out), 1);
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("alerts deliver");
	TCase	*tc = tcase_create("deliver");

	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_delivered);
	tcase_add_test(tc, test_retry);
	tcase_add_test(tc, test_gives_up);
	tcase_add_test(tc, test_no_webhook);
	tcase_add_test(tc, test_private_address_refused);
	tcase_add_test(tc, test_secret_of_another_account);
	tcase_add_test(tc, test_redirect_and_large_answer);
	tcase_add_test(tc, test_no_answer);
	tcase_add_test(tc, test_daemon);
	tcase_add_test(tc, test_webhook_set_through_api);
	tcase_add_test(tc, test_usage_errors);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
