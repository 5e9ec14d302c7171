/*
 * audit: the audit trail's hash chains (sql/0002_identity.sql), one per
 * account and one for the platform. verify walks every event of a chain
 * in seq order and recomputes its hash, SHA-256(prev_hash || canonical
 * text), here rather than trusting the stored one; export prints the
 * events as JSON lines.
 *
 * Both read in one REPEATABLE READ transaction, so that the events and
 * the heads are of one moment while others append, and through server-side
 * cursors, FETCH_ROWS rows at a time: a chain may hold millions of events.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "ctl.h"
#include "uuid.h"

#define FETCH_ROWS	1000
#define HASH_LEN	32		/* SHA-256 */
#define ID_MAX		24		/* a bigint's text and a NUL */
#define PLATFORM	"platform"	/* the chain whose account_id is NULL */

static const char schema_check[] =
    "SELECT to_regclass('audit_chains') IS NOT NULL"
    " AND to_regproc('cockpit_audit_canonical') IS NOT NULL";

static const char begin_snapshot[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/* An account that has no chain yet is still a valid --account. */
static const char chain_known[] =
    "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)"
    " OR EXISTS (SELECT 1 FROM audit_chains WHERE account_id = $1)"
    " OR EXISTS (SELECT 1 FROM audit_events WHERE account_id = $1)";

/* Every query reads its table as t; the platform's chain comes last. */
static const char verify_events[] =
    "SELECT t.account_id, t.seq, t.id, encode(t.prev_hash, 'hex'),"
    " encode(t.hash, 'hex'), cockpit_audit_canonical(t)"
    " FROM audit_events t";

static const char verify_heads[] =
    "SELECT t.account_id, t.seq, encode(t.hash, 'hex')"
    " FROM audit_chains t";

/* The columns in export_fields' order. */
static const char export_events[] =
    "SELECT t.id, t.account_id, t.seq,"
    " to_char(t.occurred_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
    " t.actor, t.actor_role, t.action, t.target_type, t.target_id,"
    " t.request_id, encode(t.before_digest, 'hex'),"
    " encode(t.after_digest, 'hex'), encode(t.prev_hash, 'hex'),"
    " encode(t.hash, 'hex')"
    " FROM audit_events t";

#define EVENT_ORDER	" ORDER BY t.account_id, t.seq, t.id"
#define HEAD_ORDER	" ORDER BY t.account_id"

enum scope {
	SCOPE_ALL,
	SCOPE_PLATFORM,
	SCOPE_ACCOUNT		/* $1 */
};

static const char *const scope_where[] = {
	[SCOPE_ALL] = "",
	[SCOPE_PLATFORM] = " WHERE t.account_id IS NULL",
	[SCOPE_ACCOUNT] = " WHERE t.account_id = $1",
};

/* The same, and export --since, its time the last parameter. */
static const char *const since_where[] = {
	[SCOPE_ALL] = " WHERE t.occurred_at >= $1::timestamptz",
	[SCOPE_PLATFORM] = " WHERE t.account_id IS NULL"
	    " AND t.occurred_at >= $1::timestamptz",
	[SCOPE_ACCOUNT] = " WHERE t.account_id = $1"
	    " AND t.occurred_at >= $2::timestamptz",
};

/* What the command line asked for. */
struct audit_opts {
	enum scope	 scope;
	char		 account[UUID_STRLEN + 1];	/* lowercase */
	const char	*since;				/* RFC 3339, or NULL */
};

/* A server-side cursor of the current transaction, read in batches. */
struct cursor {
	PGconn		*conn;
	const char	*name;
	int		 nfields;
	PGresult	*res;		/* the last FETCH's rows, or NULL */
	int		 row;		/* the current row of res */
	int		 end;		/* no current row: all were read */
};

/* A chain's head, as audit_chains holds it. */
struct head {
	int		 found;
	long long	 seq;
	int		 hash_ok;	/* hash is 32 bytes */
	unsigned char	 hash[HASH_LEN];
};

/* One chain while verify walks it. */
struct chain {
	char		 name[UUID_STRLEN + 1];	/* account id, or PLATFORM */
	int		 platform;
	struct head	 head;
	long long	 n;		/* events read */
	long long	 seq;		/* the last good event's seq, 0: none */
	char		 id[ID_MAX];	/* its id */
	unsigned char	 hash[HASH_LEN];	/* its hash */
	int		 broken;
};

/* verify's state: its two cursors, its scratch buffer, its counts. */
struct verify {
	struct cursor	 events;
	struct cursor	 heads;
	struct buf	 msg;		/* prev_hash || canonical text */
	long long	 chains;
	long long	 nevents;
	long long	 broken;
};

/* A JSON member of an export line: its name, and whether a number. */
struct export_field {
	const char	*name;
	int		 number;
};

static const struct export_field export_fields[] = {
	{ "id", 1 }, { "account_id", 0 }, { "seq", 1 },
	{ "occurred_at", 0 }, { "actor", 0 }, { "actor_role", 0 },
	{ "action", 0 }, { "target_type", 0 }, { "target_id", 0 },
	{ "request_id", 0 }, { "before_digest", 0 }, { "after_digest", 0 },
	{ "prev_hash", 0 }, { "hash", 0 },
};

#define NEXPORT_FIELDS	(sizeof(export_fields) / sizeof(export_fields[0]))

/*
 * The owner's session, acting for the platform (row-level security is
 * forced on the owner too), in a read-only snapshot.
 */
static PGconn *
snapshot_connect(void)
{
	PGconn	*conn;

	if ((conn = ctl_platform_connect(schema_check, "audit: the database "
	    "has no audit chains")) == NULL)
		return NULL;
	if (ctl_exec(conn, begin_snapshot) == -1) {
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/* The parameters the scope's query takes; *n is how many. */
static void
scope_params(const struct audit_opts *o, const char **params, int *n)
{
	*n = 0;
	if (o->scope == SCOPE_ACCOUNT)
		params[(*n)++] = o->account;
}

/*
 * Whether the account asked for exists or has a chain: a mistyped id must
 * not pass for an empty, valid chain.
 */
static int
account_known(PGconn *conn, const struct audit_opts *o)
{
	const char	*params[1];
	PGresult	*res;
	int		 known;

	if (o->scope != SCOPE_ACCOUNT)
		return 0;
	params[0] = o->account;
	res = PQexecParams(conn, chain_known, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		ctl_pgerror("audit", conn, res, NULL);
		PQclear(res);
		return -1;
	}
	known = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!known) {
		ctl_warnx("audit: no account and no audit chain %s",
		    o->account);
		return -1;
	}
	return 0;
}

/* The next FETCH_ROWS rows into c->res; 0, or -1 on error. */
static int
cursor_fetch(struct cursor *c)
{
	char	 sql[128];

	PQclear(c->res);
	(void)snprintf(sql, sizeof(sql), "FETCH FORWARD %d FROM %s",
	    FETCH_ROWS, c->name);
	c->res = PQexec(c->conn, sql);
	c->row = 0;
	if (PQresultStatus(c->res) != PGRES_TUPLES_OK) {
		ctl_pgerror("audit", c->conn, c->res, NULL);
		return -1;
	}
	if (PQnfields(c->res) != c->nfields) {
		ctl_warnx("audit: unexpected answer: %d columns",
		    PQnfields(c->res));
		return -1;
	}
	return 0;
}

/* Moves to the next row: 1 when there is one, 0 at the end, -1 on error. */
static int
cursor_next(struct cursor *c)
{
	if (c->end)
		return 0;
	if (c->res != NULL && ++c->row < PQntuples(c->res))
		return 1;
	/* A short batch was the last: no need to ask again. */
	if (c->res != NULL && PQntuples(c->res) < FETCH_ROWS) {
		c->end = 1;
		return 0;
	}
	if (cursor_fetch(c) == -1) {
		c->end = 1;
		return -1;
	}
	if (PQntuples(c->res) == 0) {
		c->end = 1;
		return 0;
	}
	return 1;
}

/*
 * Declares cursor name for select ... where ... order, with n text
 * parameters, and reads its first batch. c->end tells whether it is empty.
 */
static int
cursor_open(struct cursor *c, PGconn *conn, const char *name, int nfields,
    const char *select, const char *where, const char *order, int n,
    const char *const *params)
{
	PGresult	*res;
	struct buf	 sql;
	int		 ok;

	memset(c, 0, sizeof(*c));
	c->conn = conn;
	c->name = name;
	c->nfields = nfields;
	memset(&sql, 0, sizeof(sql));
	if (buf_printf(&sql, "DECLARE %s NO SCROLL CURSOR FOR %s%s%s", name,
	    select, where, order) == -1) {
		ctl_warnx("out of memory");
		buf_free(&sql);
		return -1;
	}
	res = PQexecParams(conn, sql.data, n, NULL, params, NULL, NULL, 0);
	if (!(ok = PQresultStatus(res) == PGRES_COMMAND_OK))
		ctl_pgerror("audit", conn, res, sql.data);
	PQclear(res);
	buf_free(&sql);
	if (!ok)
		return -1;
	return cursor_next(c) == -1 ? -1 : 0;
}

/* A column of the current row, "" when it is NULL. */
static const char *
cursor_value(const struct cursor *c, int col)
{
	return PQgetvalue(c->res, c->row, col);
}

/* A column of the current row, or NULL when it is NULL. */
static const char *
cursor_text(const struct cursor *c, int col)
{
	return PQgetisnull(c->res, c->row, col) ? NULL :
	    PQgetvalue(c->res, c->row, col);
}

/* Frees the batch; the transaction's end closes the cursor itself. */
static void
cursor_close(struct cursor *c)
{
	PQclear(c->res);
	c->res = NULL;
	c->end = 1;
}

/* The current row's seq: a positive bigint, or -1. */
static long long
cursor_seq(const struct cursor *c, int col)
{
	const char	*s;
	char		*end;
	long long	 seq;

	s = cursor_value(c, col);
	seq = strtoll(s, &end, 10);
	return *s != '\0' && *end == '\0' && seq >= 0 ? seq : -1;
}

/* 2 * len hexadecimal digits into len bytes; -1 when s is not that. */
static int
hex_decode(const char *s, unsigned char *out, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*hi, *lo;
	size_t			 i;

	if (s == NULL || strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		/* strlen() says neither is the NUL, which strchr() finds. */
		if ((hi = strchr(digits, s[2 * i])) == NULL ||
		    (lo = strchr(digits, s[2 * i + 1])) == NULL)
			return -1;
		out[i] = (unsigned char)((hi - digits) << 4 | (lo - digits));
	}
	return 0;
}

/* Orders chain keys as the queries do: by account id, the platform last. */
static int
key_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

/* The chain the current row of c belongs to: its account id, or NULL. */
static const char *
row_key(const struct cursor *c)
{
	return cursor_text(c, 0);
}

/* The key of the chain ch is, as row_key() gives it. */
static const char *
chain_key(const struct chain *ch)
{
	return ch->platform ? NULL : ch->name;
}

/* Prints "BROKEN <chain>: <where>: <what>" for the first broken link. */
static void
chain_broken(struct chain *ch, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
chain_broken(struct chain *ch, const char *where, const char *fmt, ...)
{
	va_list	 ap;

	ch->broken = 1;
	(void)printf("BROKEN %s: %s: ", ch->name, where);
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	(void)putchar('\n');
}

/* "seq N (event id X)" into out, or "seq N" when id is NULL. */
static void
link_name(char *out, size_t len, long long seq, const char *id)
{
	if (id != NULL)
		(void)snprintf(out, len, "seq %lld (event id %s)", seq, id);
	else
		(void)snprintf(out, len, "seq %lld", seq);
}

/* Reads the head at the current row of the heads' cursor into h. */
static void
head_read(const struct cursor *c, struct head *h)
{
	h->found = 1;
	h->seq = cursor_seq(c, 1);
	h->hash_ok = hex_decode(cursor_text(c, 2), h->hash, HASH_LEN) == 0;
}

/* SHA-256(prev || text) into md, over v->msg. */
static int
event_digest(struct verify *v, const unsigned char *prev, const char *text,
    unsigned char *md)
{
	unsigned int	 mdlen;

	buf_reset(&v->msg);
	if (buf_append(&v->msg, (const char *)prev, HASH_LEN) == -1 ||
	    buf_append(&v->msg, text, strlen(text)) == -1) {
		ctl_warnx("out of memory");
		return -1;
	}
	if (EVP_Digest(v->msg.data, v->msg.len, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen != HASH_LEN) {
		ctl_warnx("audit: SHA-256 failed");
		return -1;
	}
	return 0;
}

/*
 * Whether the event's seq follows the last good one. A gap names the
 * first seq missing, which has no event.
 */
static int
event_in_sequence(struct chain *ch, long long seq, const char *id)
{
	char	 where[96];

	if (seq == ch->seq + 1)
		return 1;
	if (seq > ch->seq + 1) {
		link_name(where, sizeof(where), ch->seq + 1, NULL);
		chain_broken(ch, where, "missing (the next event is seq %lld, "
		    "event id %s)", seq, id);
	} else {
		link_name(where, sizeof(where), seq, id);
		chain_broken(ch, where, seq < 0 ? "not a valid seq" :
		    "a second event with this seq");
	}
	return 0;
}

/*
 * Whether the event links to the one before it and its hash covers it:
 * prev_hash is 32 zero bytes for seq 1, else the hash of seq - 1; hash is
 * SHA-256(prev_hash || canonical text). An event past the head was
 * appended without it. Returns 1, 0 when broken, -1 on error.
 */
static int
event_linked(struct verify *v, struct chain *ch, const char *where)
{
	static const unsigned char	 zero[HASH_LEN];
	const struct cursor		*c = &v->events;
	unsigned char			 prev[HASH_LEN], hash[HASH_LEN];
	unsigned char			 md[HASH_LEN];
	const char			*text;

	if (hex_decode(cursor_text(c, 3), prev, HASH_LEN) == -1) {
		chain_broken(ch, where, "prev_hash is not 32 bytes");
		return 0;
	}
	if (ch->seq == 0 && memcmp(prev, zero, HASH_LEN) != 0) {
		chain_broken(ch, where, "prev_hash is not 32 zero bytes, as "
		    "the first event's must be");
		return 0;
	}
	if (ch->seq > 0 && memcmp(prev, ch->hash, HASH_LEN) != 0) {
		chain_broken(ch, where, "prev_hash is not the hash of seq %lld "
		    "(event id %s)", ch->seq, ch->id);
		return 0;
	}
	if (hex_decode(cursor_text(c, 4), hash, HASH_LEN) == -1) {
		chain_broken(ch, where, "hash is not 32 bytes");
		return 0;
	}
	if ((text = cursor_text(c, 5)) == NULL) {
		chain_broken(ch, where, "no canonical text");
		return 0;
	}
	if (event_digest(v, prev, text, md) == -1)
		return -1;
	if (memcmp(md, hash, HASH_LEN) != 0) {
		chain_broken(ch, where, "hash is not SHA-256(prev_hash || "
		    "canonical text): the event or its hash was changed");
		return 0;
	}
	if (ch->head.found && ch->seq + 1 > ch->head.seq) {
		chain_broken(ch, where, "past the chain's head at seq %lld",
		    ch->head.seq);
		return 0;
	}
	memcpy(ch->hash, hash, HASH_LEN);
	return 1;
}

/* Checks the current event against the chain so far; -1 on error. */
static int
event_check(struct verify *v, struct chain *ch)
{
	const struct cursor	*c = &v->events;
	const char		*id;
	char			 where[96];
	long long		 seq;
	int			 rc;

	seq = cursor_seq(c, 1);
	id = cursor_value(c, 2);
	if (!event_in_sequence(ch, seq, id))
		return 0;
	link_name(where, sizeof(where), seq, id);
	if ((rc = event_linked(v, ch, where)) != 1)
		return rc;
	ch->seq = seq;
	(void)snprintf(ch->id, sizeof(ch->id), "%s", id);
	return 0;
}

/*
 * The head must be the last event: its seq and its hash. A head ahead of
 * the events means the newest were deleted; the first missing is named.
 */
static void
head_check(struct chain *ch)
{
	static const unsigned char	 zero[HASH_LEN];
	const struct head		*h = &ch->head;
	char				 where[96];

	if (!h->found) {
		chain_broken(ch, "head", "missing (the last event is seq %lld, "
		    "event id %s)", ch->seq, ch->id);
		return;
	}
	if (h->seq > ch->seq) {
		link_name(where, sizeof(where), ch->seq + 1, NULL);
		if (ch->seq == 0)
			chain_broken(ch, where, "missing (the head is at seq "
			    "%lld, the chain has no events)", h->seq);
		else
			chain_broken(ch, where, "missing (the head is at seq "
			    "%lld, the last event is seq %lld, event id %s)",
			    h->seq, ch->seq, ch->id);
		return;
	}
	if (h->seq < 0 || !h->hash_ok)
		chain_broken(ch, "head", "not a valid seq and hash");
	else if (ch->seq == 0 && memcmp(h->hash, zero, HASH_LEN) != 0)
		chain_broken(ch, "head", "hash is not 32 zero bytes, at seq 0");
	else if (ch->seq > 0 && memcmp(h->hash, ch->hash, HASH_LEN) != 0)
		chain_broken(ch, "head", "hash is not the hash of seq %lld "
		    "(event id %s)", ch->seq, ch->id);
}

/* A chain with nothing seen yet, named by key (NULL: the platform). */
static void
chain_init(struct chain *ch, const char *key)
{
	memset(ch, 0, sizeof(*ch));
	ch->platform = key == NULL;
	(void)snprintf(ch->name, sizeof(ch->name), "%s",
	    key != NULL ? key : PLATFORM);
}

/* "ok <chain> <n> events" unless it was broken; counts it. */
static void
chain_report(struct verify *v, const struct chain *ch)
{
	if (!ch->broken)
		(void)printf("ok %s %lld event%s\n", ch->name, ch->n,
		    ch->n == 1 ? "" : "s");
	v->chains++;
	v->nevents += ch->n;
	if (ch->broken)
		v->broken++;
}

/*
 * Verifies the chain key names, the next in order: its head, then its
 * events, which the cursors stand at. Past the first broken link the
 * events are only counted.
 */
static int
chain_verify(struct verify *v, const char *key)
{
	struct chain	 ch;

	chain_init(&ch, key);
	/* key may point into a batch that the cursors free: ch has a copy. */
	if (!v->heads.end && key_cmp(row_key(&v->heads), chain_key(&ch)) == 0) {
		head_read(&v->heads, &ch.head);
		if (cursor_next(&v->heads) == -1)
			return -1;
	}
	while (!v->events.end &&
	    key_cmp(row_key(&v->events), chain_key(&ch)) == 0) {
		if (!ch.broken && event_check(v, &ch) == -1)
			return -1;
		ch.n++;
		if (cursor_next(&v->events) == -1)
			return -1;
	}
	if (!ch.broken)
		head_check(&ch);
	chain_report(v, &ch);
	return 0;
}

/* Merges the heads and the events, both in chain order, chain by chain. */
static int
verify_chains(struct verify *v)
{
	const char	*key;

	while (!v->heads.end || !v->events.end) {
		if (v->heads.end)
			key = row_key(&v->events);
		else if (v->events.end)
			key = row_key(&v->heads);
		else if (key_cmp(row_key(&v->heads), row_key(&v->events)) <= 0)
			key = row_key(&v->heads);
		else
			key = row_key(&v->events);
		if (chain_verify(v, key) == -1)
			return -1;
	}
	return 0;
}

/* Verifies the chains o asks for, in the snapshot conn holds. */
static int
verify(PGconn *conn, const struct audit_opts *o, struct verify *v)
{
	const char	*params[1];
	struct chain	 ch;
	int		 n;

	scope_params(o, params, &n);
	if (account_known(conn, o) == -1 ||
	    cursor_open(&v->heads, conn, "audit_heads", 3, verify_heads,
	    scope_where[o->scope], HEAD_ORDER, n, params) == -1 ||
	    cursor_open(&v->events, conn, "audit_events", 6, verify_events,
	    scope_where[o->scope], EVENT_ORDER, n, params) == -1 ||
	    verify_chains(v) == -1)
		return -1;
	/* The one chain asked for has no event and no head: it is empty. */
	if (o->scope != SCOPE_ALL && v->chains == 0) {
		chain_init(&ch, o->scope == SCOPE_ACCOUNT ? o->account : NULL);
		chain_report(v, &ch);
	}
	return ctl_exec(conn, "COMMIT");
}

/* verify's exit status: CTL_BROKEN when a chain is, CTL_FAILED on error. */
static int
audit_verify(const struct audit_opts *o)
{
	struct verify	 v;
	PGconn		*conn;
	int		 rc;

	if ((conn = snapshot_connect()) == NULL)
		return CTL_FAILED;
	memset(&v, 0, sizeof(v));
	rc = verify(conn, o, &v);
	cursor_close(&v.heads);
	cursor_close(&v.events);
	buf_free(&v.msg);
	PQfinish(conn);
	if (rc == -1)
		return CTL_FAILED;
	(void)printf("%lld chain%s, %lld event%s, %lld broken\n", v.chains,
	    v.chains == 1 ? "" : "s", v.nevents, v.nevents == 1 ? "" : "s",
	    v.broken);
	return v.broken > 0 ? CTL_BROKEN : CTL_OK;
}

/* The current row as one JSON object and a newline, into line. */
static int
export_line(const struct cursor *c, struct buf *line)
{
	const char	*s;
	size_t		 i;

	buf_reset(line);
	for (i = 0; i < NEXPORT_FIELDS; i++) {
		if (buf_printf(line, "%s\"%s\":", i == 0 ? "{" : ",",
		    export_fields[i].name) == -1)
			return -1;
		s = cursor_text(c, (int)i);
		if (s == NULL) {
			if (buf_puts(line, "null") == -1)
				return -1;
		} else if (export_fields[i].number) {
			if (buf_puts(line, s) == -1)
				return -1;
		} else if (buf_json_string(line, s) == -1)
			return -1;
	}
	return buf_puts(line, "}\n");
}

/* Prints every event of the cursor, a line at a time. */
static int
export_rows(struct cursor *c)
{
	struct buf	 line;
	int		 rc;

	memset(&line, 0, sizeof(line));
	rc = 0;
	while (!c->end) {
		if (export_line(c, &line) == -1) {
			ctl_warnx("out of memory");
			rc = -1;
			break;
		}
		if (fwrite(line.data, 1, line.len, stdout) != line.len) {
			ctl_warnx("write error on standard output");
			rc = -1;
			break;
		}
		if (cursor_next(c) == -1) {
			rc = -1;
			break;
		}
	}
	buf_free(&line);
	return rc;
}

/* Exports the events o asks for, in the snapshot conn holds. */
static int
export(PGconn *conn, const struct audit_opts *o, struct cursor *c)
{
	const char	*params[2], *where;
	int		 n;

	scope_params(o, params, &n);
	where = scope_where[o->scope];
	if (o->since != NULL) {
		where = since_where[o->scope];
		params[n++] = o->since;
	}
	if (account_known(conn, o) == -1 ||
	    cursor_open(c, conn, "audit_export", (int)NEXPORT_FIELDS,
	    export_events, where, EVENT_ORDER, n, params) == -1 ||
	    export_rows(c) == -1)
		return -1;
	return ctl_exec(conn, "COMMIT");
}

/* export's exit status. */
static int
audit_export(const struct audit_opts *o)
{
	struct cursor	 c;
	PGconn		*conn;
	int		 rc;

	if ((conn = snapshot_connect()) == NULL)
		return CTL_ERROR;
	memset(&c, 0, sizeof(c));
	rc = export(conn, o, &c);
	cursor_close(&c);
	PQfinish(conn);
	return rc == 0 ? CTL_OK : CTL_ERROR;
}

/* Whether the n characters at s are all digits. */
static int
digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The number in the n digits at s, which digits() accepted. */
static int
number(const char *s, size_t n)
{
	int	 v;

	for (v = 0; n > 0; n--)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* YYYY-MM-DD, a day that exists, from year 1. */
static int
date_valid(const char *s)
{
	static const int	 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int			 y, m, d;

	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return 0;
	y = number(s, 4);
	m = number(s + 5, 2);
	d = number(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	/* 29 February only in leap years. */
	return m != 2 || d != 29 ||
	    (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* HH:MM:SS, a second up to 60 (a leap second). */
static int
time_valid(const char *s)
{
	return digits(s, 2) && s[2] == ':' && digits(s + 3, 2) &&
	    s[5] == ':' && digits(s + 6, 2) && number(s, 2) < 24 &&
	    number(s + 3, 2) < 60 && number(s + 6, 2) <= 60;
}

/*
 * An RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS, an optional fraction of a
 * second, then Z or +HH:MM or -HH:MM.
 */
static int
rfc3339_valid(const char *s)
{
	const char	*p;

	if (strlen(s) < 20 || !date_valid(s) || (s[10] != 'T' &&
	    s[10] != 't') || !time_valid(s + 11))
		return 0;
	p = s + 19;
	if (*p == '.') {
		if (!digits(++p, 1))
			return 0;
		while (digits(p, 1))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		return 1;
	return (*p == '+' || *p == '-') && strlen(p) == 6 &&
	    digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) &&
	    number(p + 1, 2) < 24 && number(p + 4, 2) < 60;
}

enum {
	OPT_ACCOUNT = 256,
	OPT_PLATFORM,
	OPT_SINCE
};

/* Takes one option of audit's into o; -1 when it is wrong. */
static int
audit_option(const char *cmd, int ch, struct audit_opts *o)
{
	enum scope	 scope;

	scope = ch == OPT_ACCOUNT ? SCOPE_ACCOUNT : SCOPE_PLATFORM;
	if (ch != OPT_SINCE && o->scope != SCOPE_ALL && o->scope != scope) {
		ctl_warnx("%s: --account and --platform exclude each other",
		    cmd);
		return -1;
	}
	switch (ch) {
	case OPT_ACCOUNT:
		if (!uuid_valid(optarg)) {
			ctl_warnx("%s: --account: not an account id: %s", cmd,
			    optarg);
			return -1;
		}
		(void)snprintf(o->account, sizeof(o->account), "%s", optarg);
		uuid_lower(o->account);
		break;
	case OPT_PLATFORM:
		break;
	case OPT_SINCE:
		if (!rfc3339_valid(optarg)) {
			ctl_warnx("%s: --since: not an RFC 3339 time, such as "
			    "2026-11-23T10:00:00Z: %s", cmd, optarg);
			return -1;
		}
		o->since = optarg;
		return 0;
	}
	o->scope = scope;
	return 0;
}

/*
 * The options of audit verify (since 0) or export (since 1) into o.
 * Returns -1 to go on, else the exit status.
 */
static int
audit_options(int argc, char **argv, int since, struct audit_opts *o)
{
	static const struct option	 export_opts[] = {
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "platform", no_argument, NULL, OPT_PLATFORM },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct option	 verify_opts[] = {
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "platform", no_argument, NULL, OPT_PLATFORM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*cmd;
	int		 ch;

	cmd = since ? "audit export" : "audit verify";
	memset(o, 0, sizeof(*o));
	o->scope = SCOPE_ALL;
	while ((ch = getopt_long(argc, argv, ":h", since ? export_opts :
	    verify_opts, NULL)) != -1) {
		switch (ch) {
		case OPT_ACCOUNT:
		case OPT_PLATFORM:
		case OPT_SINCE:
			if (audit_option(cmd, ch, o) == -1)
				return ctl_usage("audit", stderr);
			break;
		case 'h':
			return ctl_usage("audit", stdout);
		default:
			return ctl_bad_option("audit", ch, argv);
		}
	}
	if (ctl_extra_args(cmd, argc, argv) == -1)
		return ctl_usage("audit", stderr);
	return -1;
}

/* audit verify [--account ID | --platform] */
static int
audit_verify_cmd(int argc, char **argv)
{
	struct audit_opts	 o;
	int			 rc;

	if ((rc = audit_options(argc, argv, 0, &o)) != -1)
		return rc;
	return audit_verify(&o);
}

/* audit export [--account ID | --platform] [--since TIME] */
static int
audit_export_cmd(int argc, char **argv)
{
	struct audit_opts	 o;
	int			 rc;

	if ((rc = audit_options(argc, argv, 1, &o)) != -1)
		return rc;
	return audit_export(&o);
}

/* audit verify | export [--account ID | --platform] [--since TIME] */
int
ctl_audit(int argc, char **argv)
{
	static const struct ctl_sub	 subs[] = {
		{ "verify", audit_verify_cmd },
		{ "export", audit_export_cmd },
	};

	return ctl_subcommand("audit", argc, argv, subs,
	    sizeof(subs) / sizeof(subs[0]));
}
