/*
 * budgets reconcile: checks that the Credit Pools' books balance
 * (sql/0007_budgets.sql has the model), for every account or one:
 *
 *   grants        every Unallocated pool holds the sum of its grants;
 *   spend         every pool's spend in a period is the sum of its
 *                 ledger debits of that period;
 *   remaining     no pool has spent and held more than its credits in
 *                 the current period;
 *   allocations   no active pool has given its active allocations more
 *                 than its own credits;
 *   ledger        every usage is debited once, for its credits, on each
 *                 pool it was charged to;
 *   reservations  every captured reservation has its usage, and a settled
 *                 one holds nothing.
 *
 * Each check is one query, answering one row per violation: the account,
 * what is wrong (its type and id) and a sentence saying how. All of them
 * read one snapshot, so that usage recorded meanwhile cannot show as a
 * difference between two checks. Exits 0 when every check holds, 1 when
 * one does not, 2 when the checks could not run, 64 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "uuid.h"

#define CMD	"budgets reconcile"

static const char schema_check[] =
    "SELECT to_regclass('pool_slots') IS NOT NULL"
    " AND to_regclass('budget_holds') IS NOT NULL"
    " AND to_regprocedure('cockpit_budget_period(uuid, timestamptz)')"
    " IS NOT NULL";

static const char begin_snapshot[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/* $1 is the account asked for, or NULL for every account. */
#define ACCOUNT_IS(c)	"($1::uuid IS NULL OR " c " = $1::uuid)"

/* Credits as the API writes them. */
#define CREDITS(x)	"cockpit_credits_text(" x ")"

/* A pool named by its scope, for the sentences. */
#define POOL_NAME(p) \
	"CASE " p ".scope_type WHEN 'unallocated'" \
	" THEN 'the Unallocated pool' ELSE format('the pool of %s %s', " \
	p ".scope_type, " p ".scope_id) END"

static const char accounts_sql[] =
    "SELECT count(*) FROM accounts WHERE " ACCOUNT_IS("id");

/* A check: its name, what holds when it passes, its query. */
struct check {
	const char	*name;
	const char	*holds;
	const char	*sql;
};

/*
 * Each query answers (account id, subject type, subject id, message),
 * ordered. The account's grants are summed by account, so that a grant
 * made to any other pool shows too.
 */
static const struct check checks[] = {
	{ "grants", "every Unallocated pool holds the sum of its grants",
	    "SELECT a.id, CASE WHEN p.id IS NULL THEN 'account' ELSE 'pool'"
	    " END, coalesce(p.id, a.id)::text,"
	    " CASE WHEN p.id IS NULL THEN 'the account has no Unallocated"
	    " pool' ELSE format('the Unallocated pool holds %s credits per"
	    " period; the account''s grants sum to %s', "
	    CREDITS("p.micro_credits") ", " CREDITS("g.total") ") END"
	    " FROM accounts a"
	    " LEFT JOIN credit_pools p ON p.account_id = a.id"
	    " AND p.scope_type = 'unallocated'"
	    " CROSS JOIN LATERAL (SELECT coalesce(sum(g.micro_credits), 0)"
	    "::bigint AS total FROM credit_grants g"
	    " WHERE g.account_id = a.id) g"
	    " WHERE " ACCOUNT_IS("a.id")
	    " AND (p.id IS NULL OR p.micro_credits <> g.total)"
	    " ORDER BY a.id" },
	{ "spend", "every pool's spend in a period is the sum of its debits",
	    "WITH l AS (SELECT account_id, pool_id, period_start,"
	    " sum(micro_credits)::bigint AS total FROM credit_ledger"
	    " WHERE period_start IS NOT NULL AND " ACCOUNT_IS("account_id")
	    " GROUP BY account_id, pool_id, period_start),"
	    " s AS (SELECT account_id, pool_id, period_start, spent_micro"
	    " FROM pool_periods WHERE " ACCOUNT_IS("account_id") ")"
	    " SELECT coalesce(s.account_id, l.account_id), 'pool',"
	    " coalesce(s.pool_id, l.pool_id)::text,"
	    " format('in the period from %s it has spent %s credits; its"
	    " debits in the ledger sum to %s',"
	    " cockpit_ts(coalesce(s.period_start, l.period_start)), "
	    CREDITS("coalesce(s.spent_micro, 0)") ", "
	    CREDITS("coalesce(l.total, 0)") ")"
	    " FROM s FULL JOIN l ON l.pool_id = s.pool_id"
	    " AND l.period_start = s.period_start"
	    " WHERE coalesce(s.spent_micro, 0) <> coalesce(l.total, 0)"
	    " ORDER BY 1, 3, coalesce(s.period_start, l.period_start)" },
	{ "remaining", "no pool has spent and held more than its credits "
	    "this period",
	    "WITH per AS (SELECT a.id AS account_id, b.period_start"
	    " FROM accounts a CROSS JOIN LATERAL"
	    " cockpit_budget_period(a.id, clock_timestamp()) b"
	    " WHERE " ACCOUNT_IS("a.id") ")"
	    " SELECT p.account_id, 'pool', p.id::text,"
	    " format('%s has %s credits; in the period from %s it has spent"
	    " %s and holds %s: %s remaining', " POOL_NAME("p") ", "
	    CREDITS("p.micro_credits") ", cockpit_ts(per.period_start), "
	    CREDITS("s.spent") ", " CREDITS("s.held") ", "
	    CREDITS("p.micro_credits - s.spent - s.held") ")"
	    " FROM credit_pools p JOIN per ON per.account_id = p.account_id"
	    " LEFT JOIN pool_periods pp ON pp.pool_id = p.id"
	    " AND pp.period_start = per.period_start"
	    " CROSS JOIN LATERAL (SELECT coalesce(pp.spent_micro, 0) AS spent,"
	    " cockpit_pool_held(p.id, per.period_start) AS held) s"
	    " WHERE p.active AND s.spent + s.held > p.micro_credits"
	    " ORDER BY 1, 3" },
	{ "escrow", "no pool's slots may spend, with its holds, more than "
	    "its credits this period",
	    "WITH per AS (SELECT a.id AS account_id, b.period_start"
	    " FROM accounts a CROSS JOIN LATERAL"
	    " cockpit_budget_period(a.id, clock_timestamp()) b"
	    " WHERE " ACCOUNT_IS("a.id") ")"
	    " SELECT p.account_id, 'pool', p.id::text,"
	    " format('%s has %s credits; in the period from %s its slots may"
	    " spend %s and it holds %s', " POOL_NAME("p") ", "
	    CREDITS("p.micro_credits") ", cockpit_ts(per.period_start), "
	    CREDITS("q.quota") ", " CREDITS("q.held") ")"
	    " FROM credit_pools p JOIN per ON per.account_id = p.account_id"
	    " CROSS JOIN LATERAL (SELECT coalesce(sum(s.quota_micro), 0)"
	    "::bigint AS quota, cockpit_pool_held(p.id, per.period_start)"
	    " AS held FROM pool_slots s WHERE s.pool_id = p.id"
	    " AND s.period_start = per.period_start) q"
	    " WHERE p.active AND q.quota + q.held > p.micro_credits"
	    " ORDER BY 1, 3" },
	{ "allocations", "no active pool has allocated more than its credits",
	    "SELECT p.account_id, 'pool', p.id::text,"
	    " format('%s has %s credits; its active allocations take %s',"
	    " " POOL_NAME("p") ", " CREDITS("p.micro_credits") ", "
	    CREDITS("c.total") ")"
	    " FROM credit_pools p JOIN (SELECT parent_id,"
	    " sum(micro_credits)::bigint AS total"
	    " FROM credit_pools WHERE active AND parent_id IS NOT NULL"
	    " GROUP BY parent_id) c ON c.parent_id = p.id"
	    " WHERE " ACCOUNT_IS("p.account_id")
	    " AND p.active AND c.total > p.micro_credits"
	    " UNION ALL"
	    " SELECT c.account_id, 'pool', c.id::text,"
	    " format('%s is active, but the pool %s it is allocated from is"
	    " not', " POOL_NAME("c") ", p.id)"
	    " FROM credit_pools c JOIN credit_pools p ON p.id = c.parent_id"
	    " WHERE " ACCOUNT_IS("c.account_id")
	    " AND c.active AND NOT p.active"
	    " ORDER BY 1, 3" },
	{ "ledger", "every usage is debited once on each pool it was "
	    "charged to",
	    "WITH l AS (SELECT l.account_id, l.usage_id, count(*) AS n,"
	    " count(DISTINCT l.pool_id) AS pools,"
	    " min(l.micro_credits) AS lo, max(l.micro_credits) AS hi,"
	    " count(*) FILTER (WHERE l.period_start IS NULL) AS no_period,"
	    " min(l.period_start) AS first, max(l.period_start) AS last,"
	    " bool_or(p.scope_type = 'unallocated') AS account_pool"
	    " FROM credit_ledger l JOIN credit_pools p ON p.id = l.pool_id"
	    " WHERE l.usage_id IS NOT NULL AND " ACCOUNT_IS("l.account_id")
	    " GROUP BY l.account_id, l.usage_id),"
	    " u AS (SELECT id, account_id, micro_credits, period_start"
	    " FROM usage_records WHERE " ACCOUNT_IS("account_id") ")"
	    " SELECT coalesce(u.account_id, l.account_id), 'usage',"
	    " coalesce(u.id, l.usage_id)::text, CASE"
	    " WHEN u.id IS NULL THEN format('%s debits in the ledger name this"
	    " usage, which the account has no record of', l.n)"
	    " WHEN l.n IS NULL THEN format('it charged %s credits, but the"
	    " ledger has no debit for it', " CREDITS("u.micro_credits") ")"
	    " WHEN u.micro_credits = 0 THEN format('it charged 0 credits, but"
	    " the ledger has %s debits for it', l.n)"
	    " WHEN l.pools <> l.n THEN format('the ledger has %s debits for it"
	    " on %s pools: a pool is debited twice', l.n, l.pools)"
	    " WHEN l.lo <> u.micro_credits OR l.hi <> u.micro_credits"
	    " THEN format('it charged %s credits, but its debits are of %s to"
	    " %s', " CREDITS("u.micro_credits") ", " CREDITS("l.lo") ", "
	    CREDITS("l.hi") ")"
	    " WHEN l.no_period > 0 OR l.first <> u.period_start"
	    " OR l.last <> u.period_start THEN format('its debits are not all"
	    " in its period, from %s', cockpit_ts(u.period_start))"
	    " ELSE 'none of its debits is on the account''s Unallocated pool'"
	    " END"
	    " FROM u FULL JOIN l ON l.usage_id = u.id"
	    " AND l.account_id = u.account_id"
	    " WHERE u.id IS NULL"
	    " OR (u.micro_credits = 0 AND l.n IS NOT NULL)"
	    " OR (u.micro_credits > 0 AND (l.n IS NULL OR l.pools <> l.n"
	    " OR l.lo <> u.micro_credits OR l.hi <> u.micro_credits"
	    " OR l.no_period > 0 OR l.first <> u.period_start"
	    " OR l.last <> u.period_start OR NOT l.account_pool))"
	    " ORDER BY 1, coalesce(u.id, l.usage_id)" },
	{ "reservations", "every captured reservation has its usage; a "
	    "settled one holds nothing",
	    "SELECT r.account_id, 'reservation', r.id::text, 'it was"
	    " captured, but no usage records the capture'"
	    " FROM budget_reservations r"
	    " WHERE " ACCOUNT_IS("r.account_id") " AND r.state = 'captured'"
	    " AND NOT EXISTS (SELECT 1 FROM usage_records u"
	    " WHERE u.account_id = r.account_id AND u.id = r.usage_id"
	    " AND u.reservation_id = r.id)"
	    " UNION ALL"
	    " SELECT r.account_id, 'reservation', r.id::text,"
	    " format('it was %s, but its hold of %s credits on the pool %s is"
	    " live', r.state, " CREDITS("h.micro_credits") ", h.pool_id)"
	    " FROM budget_holds h JOIN budget_reservations r"
	    " ON r.id = h.reservation_id AND r.account_id = h.account_id"
	    " WHERE " ACCOUNT_IS("h.account_id")
	    " AND h.live AND r.state <> 'held'"
	    " ORDER BY 1, 3" },
};

#define NCHECKS	(sizeof(checks) / sizeof(checks[0]))

/* What the command line asked for. */
struct reconcile_opts {
	char	 account[UUID_STRLEN + 1];	/* lowercase, or empty: all */
	int	 json;
};

/* What the checks found. */
struct tally {
	long long	 accounts;
	long long	 violations;
	struct buf	 json;		/* --json: the checks' array so far */
};

/* Runs sql with the account (or NULL) as $1; NULL on error, reported. */
static PGresult *
query(PGconn *conn, const struct reconcile_opts *o, const char *sql,
    int nfields)
{
	const char	*params[1];
	PGresult	*res;

	params[0] = o->account[0] != '\0' ? o->account : NULL;
	res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ctl_pgerror("budgets", conn, res, sql);
		PQclear(res);
		return NULL;
	}
	if (PQnfields(res) != nfields) {
		ctl_warnx("budgets: a query answered %d columns, not %d",
		    PQnfields(res), nfields);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* The accounts checked; an --account that does not exist is an error. */
static int
accounts_count(PGconn *conn, const struct reconcile_opts *o, struct tally *t)
{
	PGresult	*res;

	if ((res = query(conn, o, accounts_sql, 1)) == NULL)
		return -1;
	t->accounts = PQntuples(res) == 1 ?
	    strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	PQclear(res);
	if (o->account[0] != '\0' && t->accounts == 0) {
		ctl_warnx("budgets: no account %s", o->account);
		return -1;
	}
	return 0;
}

/* One violation as a JSON object, into b. */
static int
violation_json(struct buf *b, const PGresult *res, int row)
{
	return buf_puts(b, row > 0 ? ",{\"account_id\":" :
	    "{\"account_id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, row, 0)) == -1 ||
	    buf_puts(b, ",\"subject\":{\"type\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, row, 1)) == -1 ||
	    buf_puts(b, ",\"id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, row, 2)) == -1 ||
	    buf_puts(b, "},\"message\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, row, 3)) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/* The check's result as a JSON object, into b. */
static int
check_json(struct buf *b, const struct check *c, const PGresult *res,
    int first)
{
	int	 i;

	if (buf_puts(b, first ? "{\"name\":" : ",{\"name\":") == -1 ||
	    buf_json_string(b, c->name) == -1 ||
	    buf_puts(b, ",\"holds\":") == -1 ||
	    buf_json_string(b, c->holds) == -1 ||
	    buf_printf(b, ",\"ok\":%s,\"violations\":[",
	    PQntuples(res) == 0 ? "true" : "false") == -1)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		if (violation_json(b, res, i) == -1)
			return -1;
	return buf_puts(b, "]}");
}

/* The check's result as lines: ok, or one FAIL line per violation. */
static void
check_text(const struct check *c, const PGresult *res)
{
	int	 i;

	if (PQntuples(res) == 0)
		(void)printf("ok %s: %s\n", c->name, c->holds);
	for (i = 0; i < PQntuples(res); i++)
		(void)printf("FAIL %s: account %s, %s %s: %s\n", c->name,
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
}

/* Runs one check and reports it; -1 on error. */
static int
check_run(PGconn *conn, const struct reconcile_opts *o, size_t i,
    struct tally *t)
{
	PGresult	*res;
	int		 rc = 0;

	if ((res = query(conn, o, checks[i].sql, 4)) == NULL)
		return -1;
	t->violations += PQntuples(res);
	if (!o->json)
		check_text(&checks[i], res);
	else if (check_json(&t->json, &checks[i], res, i == 0) == -1) {
		ctl_warnx("out of memory");
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* Every check, in the snapshot conn holds. */
static int
reconcile(PGconn *conn, const struct reconcile_opts *o, struct tally *t)
{
	size_t	 i;

	if (accounts_count(conn, o, t) == -1)
		return -1;
	for (i = 0; i < NCHECKS; i++)
		if (check_run(conn, o, i, t) == -1)
			return -1;
	return ctl_exec(conn, "COMMIT");
}

static void
summary(const struct reconcile_opts *o, const struct tally *t)
{
	if (o->json)
		(void)printf("{\"accounts\":%lld,\"checks\":[%s],"
		    "\"violations\":%lld}\n", t->accounts,
		    t->json.data != NULL ? t->json.data : "", t->violations);
	else
		(void)printf("%zu checks, %lld account%s, %lld violation%s\n",
		    NCHECKS, t->accounts, t->accounts == 1 ? "" : "s",
		    t->violations, t->violations == 1 ? "" : "s");
}

/* CTL_BROKEN when a check fails, CTL_FAILED when they could not run. */
static int
budgets_reconcile(const struct reconcile_opts *o)
{
	struct tally	 t;
	PGconn		*conn;
	int		 rc;

	if ((conn = ctl_platform_connect(schema_check, "budgets: the "
	    "database has no Credit Pools")) == NULL)
		return CTL_FAILED;
	if (ctl_exec(conn, begin_snapshot) == -1) {
		PQfinish(conn);
		return CTL_FAILED;
	}
	memset(&t, 0, sizeof(t));
	rc = reconcile(conn, o, &t);
	PQfinish(conn);
	if (rc == 0)
		summary(o, &t);
	buf_free(&t.json);
	if (rc == -1)
		return CTL_FAILED;
	return t.violations > 0 ? CTL_BROKEN : CTL_OK;
}

enum {
	OPT_ACCOUNT = 256,
	OPT_JSON
};

/* budgets reconcile [--account ID] [--json] */
static int
reconcile_cmd(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "account", required_argument, NULL, OPT_ACCOUNT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct reconcile_opts	 o;
	int			 ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_ACCOUNT:
			if (!uuid_valid(optarg)) {
				ctl_warnx("%s: --account: not an account id: "
				    "%s", CMD, optarg);
				return ctl_usage("budgets", stderr);
			}
			(void)snprintf(o.account, sizeof(o.account), "%s",
			    optarg);
			uuid_lower(o.account);
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case 'h':
			return ctl_usage("budgets", stdout);
		default:
			return ctl_bad_option("budgets", ch, argv);
		}
	}
	if (ctl_extra_args(CMD, argc, argv) == -1)
		return ctl_usage("budgets", stderr);
	return budgets_reconcile(&o);
}

/* budgets reconcile [--account ID] [--json] */
int
ctl_budgets(int argc, char **argv)
{
	static const struct ctl_sub	 subs[] = {
		{ "reconcile", reconcile_cmd },
	};

	return ctl_subcommand("budgets", argc, argv, subs,
	    sizeof(subs) / sizeof(subs[0]));
}
