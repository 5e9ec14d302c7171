/*
 * cockpitctl audit verify and export against the suite's database. The
 * events come from real writes through the API (every API key created
 * appends api_key.create to its account's chain); the tampering is done
 * as the owner, each test on chains of its own accounts only, which it
 * removes again when it is done so that later suites find every chain
 * whole. Whole-database runs are judged by their accounts' lines only.
 */
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

#define WRITERS		50	/* concurrent key creations */
#define SPREAD		5	/* accounts they spread over */
#define HEX_HASH	64	/* a 32-byte hash in hex */
#define EXPORT_MEMBERS	14
#define ZERO_HASH	"0000000000000000000000000000000000000000000000000000000000000000"

/* A fresh account, and where its keys are made. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 keys[96];
};

/* What one writer thread does: a key in an account. */
struct writer {
	pthread_t	 t;
	const char	*keys;
	atomic_int	*failures;
};

/*
 * Runs cockpitctl ARGS on the suite's database, in the environment envs
 * adds; its standard output into out.
 */
static int
ctl_env(const char *envs, const char *args, struct buf *out)
{
	char	 cmd[8192], chunk[4096];
	FILE	*p;
	size_t	 n;
	int	 st;

	(void)env("DATABASE_URL");
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "%s '%s/cgi-bin/cockpitctl' "
	    "%s", envs, env("COCKPIT_BUILD_DIR"), args), (int)sizeof(cmd));
	ck_assert((p = popen(cmd, "r")) != NULL);
	buf_reset(out);
	ck_assert_int_eq(buf_puts(out, ""), 0);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ck_assert_int_eq(buf_append(out, chunk, n), 0);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
ctl(const char *args, struct buf *out)
{
	return ctl_env("", args, out);
}

/* cockpitctl audit verify --account id. */
static int
verify_account(const char *id, struct buf *out)
{
	char	 args[128];

	(void)snprintf(args, sizeof(args), "audit verify --account %s", id);
	return ctl(args, out);
}

static void
acct_new(struct acct *a)
{
	char	 slug[64];

	unique_slug(slug, sizeof(slug), "audit");
	create_account("Audited", slug, a->id);
	ck_assert_int_lt(snprintf(a->keys, sizeof(a->keys),
	    "/v1/accounts/%s/api-keys", a->id), (int)sizeof(a->keys));
}

/* Creates a key in a: one api_key.create event on its chain. */
static void
key_new(const struct acct *a)
{
	struct reply	 r;

	api_post_json(&r, a->keys, "{\"name\":\"audited\"}");
	ck_assert_msg(r.status == 201, "%s: %ld %s", a->keys, r.status,
	    r.body.data);
	reply_free(&r);
}

/* The events on a's chain. */
static long long
chain_len(const char *id)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s'", id);
	return db_count(sql);
}

/* A fresh account whose chain has at least keys + 1 events. */
static long long
chain_new(struct acct *a, int keys)
{
	int	 i;

	acct_new(a);
	for (i = 0; i < keys; i++)
		key_new(a);
	return chain_len(a->id);
}

/* Runs the SQL fmt makes as the owner, acting for the platform. */
static void
owner_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
owner_sql(const char *fmt, ...)
{
	char	 sql[2048];
	va_list	 ap;
	PGconn	*c;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(sql));
	c = db_owner();
	db_exec(c, sql);
	PQfinish(c);
}

/* The id of the event at seq on a's chain. */
static long long
event_id(const char *id, long long seq)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT id FROM audit_events "
	    "WHERE account_id = '%s' AND seq = %lld", id, seq);
	return db_count(sql);
}

/* Drops a tampered chain whole, so that it is no chain at all. */
static void
chain_drop(const char *id)
{
	owner_sql("DELETE FROM audit_events WHERE account_id = '%s'; "
	    "DELETE FROM audit_chains WHERE account_id = '%s'", id, id);
}

/* The line of out that starts with prefix, copied into line; 0 or -1. */
static int
line_of(const struct buf *out, const char *prefix, char *line, size_t len)
{
	const char	*p, *end;
	size_t		 n;

	for (p = out->data; p != NULL && *p != '\0'; p = end + 1) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (strncmp(p, prefix, strlen(prefix)) == 0 && n < len) {
			memcpy(line, p, n);
			line[n] = '\0';
			return 0;
		}
		if (*end == '\0')
			break;
	}
	return -1;
}

/* out has "ok <id> <n> events". */
static void
assert_ok_line(const struct buf *out, const char *id, long long n)
{
	char	 want[128], line[512];

	(void)snprintf(want, sizeof(want), "ok %s ", id);
	ck_assert_msg(line_of(out, want, line, sizeof(line)) == 0,
	    "no ok line for %s in:\n%s", id, out->data);
	(void)snprintf(want, sizeof(want), "ok %s %lld event%s", id, n,
	    n == 1 ? "" : "s");
	ck_assert_str_eq(line, want);
}

/* out has "BROKEN <id>: <where>: <what...>". */
static void
assert_broken(const struct buf *out, const char *id, const char *where,
    const char *what)
{
	char	 want[256], line[512];

	(void)snprintf(want, sizeof(want), "BROKEN %s: ", id);
	ck_assert_msg(line_of(out, want, line, sizeof(line)) == 0,
	    "no BROKEN line for %s in:\n%s", id, out->data);
	(void)snprintf(want, sizeof(want), "BROKEN %s: %s: %s", id, where,
	    what);
	ck_assert_msg(strncmp(line, want, strlen(want)) == 0,
	    "\"%s\" does not start with \"%s\"", line, want);
}

/* verify --account on a tampered chain: exit 1, the line, the summary. */
static void
assert_verify_broken(const char *id, const char *where, const char *what)
{
	struct buf	 out = { 0 };

	ck_assert_int_eq(verify_account(id, &out), 1);
	assert_broken(&out, id, where, what);
	ck_assert_ptr_nonnull(strstr(out.data, ", 1 broken\n"));
	buf_free(&out);
}

/* The last line of out is "N chains, M events, K broken". */
static void
assert_summary(const struct buf *out)
{
	regex_t	 re;

	ck_assert_int_eq(regcomp(&re, "\n[0-9]+ chains?, [0-9]+ events?, "
	    "[0-9]+ broken\n$", REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, out->data, 0, NULL, 0) == 0,
	    "no summary: %s", out->data);
	regfree(&re);
}

/* "seq N (event id X)" of the event at seq on id's chain. */
static void
link_of(char *out, size_t len, const char *id, long long seq)
{
	(void)snprintf(out, len, "seq %lld (event id %lld)", seq,
	    event_id(id, seq));
}

START_TEST(test_verify_ok)
{
	struct buf	 out = { 0 };
	struct acct	 a;
	char		 want[128];
	long long	 n;
	int		 rc;

	n = chain_new(&a, 3);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(verify_account(a.id, &out), 0);
	(void)snprintf(want, sizeof(want), "ok %s %lld events\n1 chain, "
	    "%lld events, 0 broken\n", a.id, n, n);
	ck_assert_str_eq(out.data, want);
	/* Every chain: exit 1 exactly when some line says BROKEN. */
	rc = ctl("audit verify", &out);
	assert_ok_line(&out, a.id, n);
	ck_assert_int_eq(rc, strstr(out.data, "BROKEN ") != NULL ? 1 : 0);
	assert_summary(&out);
	buf_free(&out);
}
END_TEST

START_TEST(test_changed_field)
{
	struct acct	 a, b;
	char		 where[96];

	(void)chain_new(&a, 4);
	owner_sql("UPDATE audit_events SET action = 'api_key.revoke' "
	    "WHERE account_id = '%s' AND seq = 3", a.id);
	link_of(where, sizeof(where), a.id, 3);
	assert_verify_broken(a.id, where, "hash is not SHA-256(prev_hash || "
	    "canonical text)");
	chain_drop(a.id);

	(void)chain_new(&b, 4);
	owner_sql("UPDATE audit_events SET actor = 'someone else' "
	    "WHERE account_id = '%s' AND seq = 2", b.id);
	link_of(where, sizeof(where), b.id, 2);
	assert_verify_broken(b.id, where, "hash is not SHA-256");
	chain_drop(b.id);
}
END_TEST

START_TEST(test_deleted_event)
{
	struct acct	 a, b;
	char		 what[128], where[32];
	long long	 n;

	/* In the middle: the first seq missing is named, then what follows. */
	(void)chain_new(&a, 4);
	owner_sql("DELETE FROM audit_events WHERE account_id = '%s' "
	    "AND seq = 3", a.id);
	(void)snprintf(what, sizeof(what), "missing (the next event is seq 4, "
	    "event id %lld)", event_id(a.id, 4));
	assert_verify_broken(a.id, "seq 3", what);
	chain_drop(a.id);

	/* The newest: only the head knows it was there. */
	n = chain_new(&b, 4);
	owner_sql("DELETE FROM audit_events WHERE account_id = '%s' "
	    "AND seq = %lld", b.id, n);
	(void)snprintf(where, sizeof(where), "seq %lld", n);
	(void)snprintf(what, sizeof(what), "missing (the head is at seq %lld, "
	    "the last event is seq %lld, event id %lld)", n, n - 1,
	    event_id(b.id, n - 1));
	assert_verify_broken(b.id, where, what);
	chain_drop(b.id);
}
END_TEST

START_TEST(test_swapped_events)
{
	struct acct	 a;
	char		 where[96];
	long long	 third;

	(void)chain_new(&a, 4);
	third = event_id(a.id, 3);
	/* One statement at a time: (account_id, seq) stays unique. */
	owner_sql("UPDATE audit_events SET seq = 1000000 "
	    "WHERE account_id = '%s' AND seq = 2; "
	    "UPDATE audit_events SET seq = 2 "
	    "WHERE account_id = '%s' AND seq = 3; "
	    "UPDATE audit_events SET seq = 3 "
	    "WHERE account_id = '%s' AND seq = 1000000", a.id, a.id, a.id);
	ck_assert_int_eq(event_id(a.id, 2), third);
	link_of(where, sizeof(where), a.id, 2);
	assert_verify_broken(a.id, where, "prev_hash is not the hash of seq 1");
	chain_drop(a.id);
}
END_TEST

START_TEST(test_forged_event)
{
	struct acct	 a, b;
	char		 what[128], where[96];
	long long	 n;

	/* A wrong prev_hash. */
	n = chain_new(&a, 3);
	owner_sql("INSERT INTO audit_events (account_id, seq, actor, "
	    "actor_role, action, target_type, prev_hash, hash) VALUES ('%s', "
	    "%lld, 'forger', 'operator', 'api_key.create', 'api_key', "
	    "sha256('x'), sha256('y'))", a.id, n + 1);
	link_of(where, sizeof(where), a.id, n + 1);
	(void)snprintf(what, sizeof(what), "prev_hash is not the hash of seq "
	    "%lld (event id %lld)", n, event_id(a.id, n));
	assert_verify_broken(a.id, where, what);
	chain_drop(a.id);

	/* Linked and hashed right, but the head was left behind. */
	n = chain_new(&b, 3);
	owner_sql("INSERT INTO audit_events (account_id, seq, actor, "
	    "actor_role, action, target_type, prev_hash, hash) "
	    "SELECT account_id, seq + 1, 'forger', 'operator', "
	    "'api_key.create', 'api_key', hash, hash FROM audit_events "
	    "WHERE account_id = '%s' AND seq = %lld; "
	    "UPDATE audit_events t SET hash = sha256(t.prev_hash || "
	    "convert_to(cockpit_audit_canonical(t), 'UTF8')) "
	    "WHERE account_id = '%s' AND seq = %lld", b.id, n, b.id, n + 1);
	link_of(where, sizeof(where), b.id, n + 1);
	(void)snprintf(what, sizeof(what), "past the chain's head at seq %lld",
	    n);
	assert_verify_broken(b.id, where, what);
	chain_drop(b.id);
}
END_TEST

START_TEST(test_changed_head)
{
	struct acct	 a, b, c, d;
	char		 want[128], where[32];
	long long	 n;

	n = chain_new(&a, 2);
	owner_sql("UPDATE audit_chains SET hash = sha256('forged') "
	    "WHERE account_id = '%s'", a.id);
	(void)snprintf(want, sizeof(want), "hash is not the hash of seq %lld "
	    "(event id %lld)", n, event_id(a.id, n));
	assert_verify_broken(a.id, "head", want);
	chain_drop(a.id);

	n = chain_new(&b, 2);
	owner_sql("UPDATE audit_chains SET seq = seq + 2 "
	    "WHERE account_id = '%s'", b.id);
	(void)snprintf(where, sizeof(where), "seq %lld", n + 1);
	(void)snprintf(want, sizeof(want), "missing (the head is at seq %lld",
	    n + 2);
	assert_verify_broken(b.id, where, want);
	chain_drop(b.id);

	/* Events with no head, and a head with no events. */
	(void)chain_new(&c, 2);
	owner_sql("DELETE FROM audit_chains WHERE account_id = '%s'", c.id);
	assert_verify_broken(c.id, "head", "missing");
	chain_drop(c.id);

	n = chain_new(&d, 2);
	owner_sql("DELETE FROM audit_events WHERE account_id = '%s'", d.id);
	(void)snprintf(want, sizeof(want), "missing (the head is at seq %lld, "
	    "the chain has no events)", n);
	assert_verify_broken(d.id, "seq 1", want);
	chain_drop(d.id);
}
END_TEST

START_TEST(test_account_limits_verify)
{
	struct buf	 out = { 0 };
	struct acct	 bad, good;
	char		 where[96];
	long long	 n;

	(void)chain_new(&bad, 2);
	n = chain_new(&good, 2);
	owner_sql("UPDATE audit_events SET target_id = 'elsewhere' "
	    "WHERE account_id = '%s' AND seq = 2", bad.id);
	ck_assert_int_eq(verify_account(good.id, &out), 0);
	assert_ok_line(&out, good.id, n);
	ck_assert_ptr_null(strstr(out.data, bad.id));
	ck_assert_int_eq(verify_account(bad.id, &out), 1);
	ck_assert_ptr_null(strstr(out.data, good.id));
	/* Every chain: the broken one fails the run, the good one is ok. */
	ck_assert_int_eq(ctl("audit verify", &out), 1);
	assert_ok_line(&out, good.id, n);
	link_of(where, sizeof(where), bad.id, 2);
	assert_broken(&out, bad.id, where, "hash is not SHA-256");
	chain_drop(bad.id);
	buf_free(&out);
}
END_TEST

/* Creates one key; counts a failure instead of asserting (a thread). */
static void *
writer_run(void *arg)
{
	struct writer	*w = arg;
	struct reply	 r;

	if (api(&r, "POST", w->keys, "{\"name\":\"concurrent\"}") == -1 ||
	    r.status != 201)
		atomic_fetch_add(w->failures, 1);
	reply_free(&r);
	return NULL;
}

/* WRITERS keys at once, the i-th in accounts[i % n]. */
static void
write_at_once(struct acct *accounts, int n)
{
	struct writer	 w[WRITERS];
	atomic_int	 failures;
	int		 i;

	atomic_init(&failures, 0);
	for (i = 0; i < WRITERS; i++) {
		w[i].keys = accounts[i % n].keys;
		w[i].failures = &failures;
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, writer_run,
		    &w[i]), 0);
	}
	for (i = 0; i < WRITERS; i++)
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
	ck_assert_int_eq(atomic_load(&failures), 0);
}

/* a's chain: seqs 1..n with none twice, keys of them api_key.create. */
static long long
assert_contiguous(const char *id, long long keys)
{
	char		 sql[512];
	long long	 n;

	n = chain_len(id);
	(void)snprintf(sql, sizeof(sql), "SELECT (count(DISTINCT seq) = %lld "
	    "AND min(seq) = 1 AND max(seq) = %lld)::int FROM audit_events "
	    "WHERE account_id = '%s'", n, n, id);
	ck_assert_int_eq(db_count(sql), 1);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action = 'api_key.create'", id);
	ck_assert_int_eq(db_count(sql), keys);
	(void)snprintf(sql, sizeof(sql), "SELECT seq FROM audit_chains "
	    "WHERE account_id = '%s'", id);
	ck_assert_int_eq(db_count(sql), n);
	return n;
}

START_TEST(test_concurrent_writers_one_account)
{
	struct buf	 out = { 0 };
	struct acct	 a;
	long long	 before, n;

	acct_new(&a);
	before = chain_len(a.id);
	write_at_once(&a, 1);
	n = assert_contiguous(a.id, WRITERS);
	ck_assert_int_eq(n, before + WRITERS);
	ck_assert_int_eq(verify_account(a.id, &out), 0);
	assert_ok_line(&out, a.id, n);
	buf_free(&out);
}
END_TEST

START_TEST(test_concurrent_writers_five_accounts)
{
	struct buf	 out = { 0 };
	struct acct	 a[SPREAD];
	long long	 n;
	int		 i, rc;

	for (i = 0; i < SPREAD; i++)
		acct_new(&a[i]);
	write_at_once(a, SPREAD);
	rc = ctl("audit verify", &out);
	ck_assert_int_eq(rc, strstr(out.data, "BROKEN ") != NULL ? 1 : 0);
	assert_summary(&out);
	for (i = 0; i < SPREAD; i++) {
		n = assert_contiguous(a[i].id, WRITERS / SPREAD);
		assert_ok_line(&out, a[i].id, n);
	}
	buf_free(&out);
}
END_TEST

/* Lowercase hex of 64 digits. */
static int
is_hash(const char *s)
{
	return s != NULL && strlen(s) == HEX_HASH &&
	    strspn(s, "0123456789abcdef") == HEX_HASH;
}

/* A digest: null or a hash. */
static int
digest_or_null(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNull(v) || is_hash(json_str(o, name));
}

/* A string member, or null. */
static int
text_or_null(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNull(v) || cJSON_IsString(v);
}

/*
 * Every line of out is one event of id's chain (or of the platform's when
 * id is NULL), in seq order, linked; returns how many there are.
 */
static long long
assert_export(const struct buf *out, const char *id)
{
	static const char *const names[EXPORT_MEMBERS] = { "id",
	    "account_id", "seq", "occurred_at", "actor", "actor_role",
	    "action", "target_type", "target_id", "request_id",
	    "before_digest", "after_digest", "prev_hash", "hash" };
	const cJSON	*m;
	const char	*p, *end;
	char		 prev[HEX_HASH + 1];
	cJSON		*o;
	long long	 n, seq;
	int		 i;

	n = 0;
	seq = 0;
	for (p = out->data; *p != '\0'; p = end + 1) {
		ck_assert_ptr_nonnull(end = strchr(p, '\n'));
		ck_assert_ptr_nonnull(o = cJSON_ParseWithLength(p,
		    (size_t)(end - p)));
		ck_assert_int_eq(cJSON_GetArraySize(o), EXPORT_MEMBERS);
		for (i = 0, m = o->child; i < EXPORT_MEMBERS; i++, m = m->next)
			ck_assert_str_eq(m->string, names[i]);
		ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "id")));
		if (id == NULL)
			ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o,
			    "account_id")));
		else
			ck_assert_str_eq(json_str(o, "account_id"), id);
		ck_assert(is_timestamp(json_str(o, "occurred_at")));
		ck_assert_ptr_nonnull(json_str(o, "actor"));
		ck_assert_ptr_nonnull(json_str(o, "action"));
		ck_assert(text_or_null(o, "target_id"));
		ck_assert(text_or_null(o, "request_id"));
		ck_assert(digest_or_null(o, "before_digest"));
		ck_assert(digest_or_null(o, "after_digest"));
		ck_assert(is_hash(json_str(o, "prev_hash")));
		ck_assert(is_hash(json_str(o, "hash")));
		/* In order, each linked to the one before. */
		if (seq == 0) {
			seq = (long long)cJSON_GetObjectItem(o,
			    "seq")->valuedouble;
			if (seq == 1)
				ck_assert_str_eq(json_str(o, "prev_hash"),
				    ZERO_HASH);
		} else {
			ck_assert_int_eq((long long)cJSON_GetObjectItem(o,
			    "seq")->valuedouble, ++seq);
			ck_assert_str_eq(json_str(o, "prev_hash"), prev);
		}
		(void)snprintf(prev, sizeof(prev), "%s", json_str(o, "hash"));
		cJSON_Delete(o);
		n++;
	}
	return n;
}

START_TEST(test_export)
{
	struct buf	 out = { 0 };
	struct acct	 a;
	PGconn		*c;
	cJSON		*o;
	char		 args[256], sql[512];
	const char	*p;
	long long	 n;

	n = chain_new(&a, 3);
	/* An actor that needs escaping, appended as the system does. */
	(void)snprintf(sql, sizeof(sql), "SELECT cockpit_audit('%s', "
	    "E'\"quoted\" back\\\\slash\\nnew line\\ttab \u00e9\u2713', "
	    "'operator', 'test.escape', 'test', NULL, NULL, sha256('b'), "
	    "NULL)", a.id);
	c = db_owner();
	db_exec(c, sql);
	PQfinish(c);
	n++;
	(void)snprintf(args, sizeof(args), "audit export --account %s", a.id);
	ck_assert_int_eq(ctl(args, &out), 0);
	ck_assert_int_eq(assert_export(&out, a.id), n);
	/* The last line is the escaped event. */
	ck_assert_ptr_nonnull(p = strstr(out.data, "\"test.escape\""));
	while (p > out.data && p[-1] != '\n')
		p--;
	ck_assert_ptr_nonnull(o = cJSON_ParseWithLength(p, strcspn(p, "\n")));
	ck_assert_str_eq(json_str(o, "actor"),
	    "\"quoted\" back\\slash\nnew line\ttab \u00e9\u2713");
	ck_assert(is_hash(json_str(o, "before_digest")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "after_digest")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "target_id")));
	ck_assert_int_eq((long long)cJSON_GetObjectItem(o, "seq")->valuedouble,
	    n);
	cJSON_Delete(o);
	/* The C hash over that UTF-8 text agrees with the database's. */
	ck_assert_int_eq(verify_account(a.id, &out), 0);
	assert_ok_line(&out, a.id, n);
	buf_free(&out);
}
END_TEST

START_TEST(test_export_since)
{
	struct buf	 out = { 0 };
	struct acct	 a;
	char		 t[64], sql[512], args[256];
	PGconn		*c;
	PGresult	*res;
	long long	 n, want;

	n = chain_new(&a, 4);
	/* The time of seq 3, as export prints it, then in +02:00. */
	(void)snprintf(sql, sizeof(sql), "SELECT to_char(occurred_at AT TIME "
	    "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
	    "to_char(occurred_at AT TIME ZONE '-02:00', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+02:00\"') FROM audit_events "
	    "WHERE account_id = '%s' AND seq = 3", a.id);
	c = db_owner();
	res = PQexec(c, sql);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(res), 1);
	(void)snprintf(t, sizeof(t), "%s", PQgetvalue(res, 0, 0));
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND occurred_at >= '%s'", a.id, t);
	want = db_scalar(c, sql);
	ck_assert_int_ge(want, n - 2);
	ck_assert_int_lt(want, n);

	(void)snprintf(args, sizeof(args), "audit export --account %s "
	    "--since %s", a.id, t);
	ck_assert_int_eq(ctl(args, &out), 0);
	ck_assert_int_eq(assert_export(&out, a.id), want);
	ck_assert_ptr_nonnull(strstr(out.data, t));
	(void)snprintf(args, sizeof(args), "audit export --account %s "
	    "--since %s", a.id, PQgetvalue(res, 0, 1));
	ck_assert_int_eq(ctl(args, &out), 0);
	ck_assert_int_eq(assert_export(&out, a.id), want);
	/* Before everything, and after everything. */
	(void)snprintf(args, sizeof(args), "audit export --account %s "
	    "--since 2000-01-01T00:00:00Z", a.id);
	ck_assert_int_eq(ctl(args, &out), 0);
	ck_assert_int_eq(assert_export(&out, a.id), n);
	(void)snprintf(args, sizeof(args), "audit export --account %s "
	    "--since 9999-12-31T23:59:59.999999Z", a.id);
	ck_assert_int_eq(ctl(args, &out), 0);
	ck_assert_str_eq(out.data, "");
	PQclear(res);
	PQfinish(c);
	buf_free(&out);
}
END_TEST

/* Appends events to a's chain with cockpit_audit() until it holds n. */
static void
chain_grow(const char *id, long long n)
{
	char	 sql[512];
	PGconn	*c;

	(void)snprintf(sql, sizeof(sql), "SELECT count(cockpit_audit('%s', "
	    "'bulk', 'operator', 'test.bulk', 'test', g::text, NULL, NULL, "
	    "NULL)) FROM generate_series(1, %lld - (SELECT count(*) FROM "
	    "audit_events WHERE account_id = '%s')) g", id, n, id);
	c = db_owner();
	db_exec(c, sql);
	PQfinish(c);
	ck_assert_int_eq(chain_len(id), n);
}

/* Chains longer than one FETCH, ending on a batch boundary and not. */
START_TEST(test_long_chains)
{
	static const long long	 lengths[] = { 2000, 2501 };
	struct buf		 out = { 0 };
	struct acct		 a;
	char			 args[128], where[96];
	size_t			 i;

	for (i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		(void)chain_new(&a, 1);
		chain_grow(a.id, lengths[i]);
		ck_assert_int_eq(verify_account(a.id, &out), 0);
		assert_ok_line(&out, a.id, lengths[i]);
		(void)snprintf(args, sizeof(args), "audit export --account %s",
		    a.id);
		ck_assert_int_eq(ctl(args, &out), 0);
		ck_assert_int_eq(assert_export(&out, a.id), lengths[i]);
	}
	/* A break past the first batch is found, and named. */
	owner_sql("UPDATE audit_events SET target_id = 'x' "
	    "WHERE account_id = '%s' AND seq = 1777", a.id);
	link_of(where, sizeof(where), a.id, 1777);
	assert_verify_broken(a.id, where, "hash is not SHA-256");
	chain_drop(a.id);
	buf_free(&out);
}
END_TEST

START_TEST(test_export_everything)
{
	struct buf	 out = { 0 };
	const char	*p;
	long long	 lines;

	ck_assert_int_eq(ctl("audit export", &out), 0);
	for (lines = 0, p = out.data; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	ck_assert_int_eq(lines, db_count("SELECT count(*) FROM audit_events"));
	ck_assert_int_eq(ctl("audit export --platform", &out), 0);
	ck_assert_int_eq(assert_export(&out, NULL),
	    db_count("SELECT count(*) FROM audit_events "
	    "WHERE account_id IS NULL"));
	buf_free(&out);
}
END_TEST

START_TEST(test_usage_and_errors)
{
	static const char *const usage[] = {
		"audit", "audit frobnicate", "audit verify --bogus",
		"audit verify extra", "audit verify --since 2026-01-01T00:00:00Z",
		"audit verify --account nope",
		"audit verify --account " NIL_ID " --platform",
		"audit export --platform --account " NIL_ID,
		"audit export --since", "audit export --since yesterday",
		"audit export --since 2026-02-30T00:00:00Z",
		"audit export --since 2026-01-01",
		"audit export --since 2026-01-01T24:00:00Z",
		"audit export --since 2026-01-01T00:00:00",
		"audit export --since 2026-01-01T00:00:00+2:00",
		"audit export --since '2026-01-01T00:00:00Z junk'",
		NULL
	};
	struct buf	 out = { 0 };
	char		 cmd[256];
	size_t		 i;

	for (i = 0; usage[i] != NULL; i++) {
		(void)snprintf(cmd, sizeof(cmd), "%s 2>&1", usage[i]);
		ck_assert_msg(ctl(cmd, &out) == 64, "%s: %s", usage[i],
		    out.data);
		ck_assert_msg(strstr(out.data, "usage: cockpitctl audit") !=
		    NULL, "%s: %s", usage[i], out.data);
	}
	ck_assert_int_eq(ctl("audit export --since 2024-02-29T23:59:59.5-01:30 "
	    "--platform", &out), 0);
	/* No such account: an error, not an empty chain that is ok. */
	ck_assert_int_eq(ctl("audit verify --account " NIL_ID " 2>&1", &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "no account and no audit "
	    "chain"));
	ck_assert_int_eq(ctl("audit export --account " NIL_ID " 2>&1", &out), 1);
	/* No DATABASE_URL, or a database that cannot be reached. */
	ck_assert_int_eq(ctl_env("DATABASE_URL=", "audit verify 2>&1", &out),
	    2);
	ck_assert_ptr_nonnull(strstr(out.data, "DATABASE_URL is not set"));
	ck_assert_int_eq(ctl_env("DATABASE_URL='host=/nonexistent "
	    "connect_timeout=2'", "audit verify 2>&1", &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "cockpitctl: connection"));
	ck_assert_int_eq(ctl_env("DATABASE_URL='host=/nonexistent "
	    "connect_timeout=2'", "audit export 2>&1", &out), 1);
	ck_assert_int_eq(ctl("-h", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "audit verify | export"));
	ck_assert_int_eq(ctl("help audit", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "[--since TIME]"));
	ck_assert_int_eq(ctl("audit verify --help", &out), 0);
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("audit");
	TCase	*tc = tcase_create("verify");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_verify_ok);
	tcase_add_test(tc, test_changed_field);
	tcase_add_test(tc, test_deleted_event);
	tcase_add_test(tc, test_swapped_events);
	tcase_add_test(tc, test_forged_event);
	tcase_add_test(tc, test_changed_head);
	tcase_add_test(tc, test_account_limits_verify);
	tcase_add_test(tc, test_long_chains);
	suite_add_tcase(s, tc);
	tc = tcase_create("concurrency");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_concurrent_writers_one_account);
	tcase_add_test(tc, test_concurrent_writers_five_accounts);
	suite_add_tcase(s, tc);
	tc = tcase_create("export");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_export);
	tcase_add_test(tc, test_export_since);
	tcase_add_test(tc, test_export_everything);
	tcase_add_test(tc, test_usage_and_errors);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
