/*
 * The read side of the Copilot budgets, and what goes with it:
 *
 *   effective allocation  a user's Credit Pools, level by level, in the
 *                         current period, and the rule that decided
 *   usage                 the usage records, newest first
 *   usage by scope        every pool of the account in a period, this
 *                         one or a past one
 *   cost breakdowns       usage summed by model, user, team, day (and by
 *                         account, platform-wide, for super admins)
 *   alerts                the alerts the thresholds made, and the
 *                         account's webhook they are delivered to
 *   credit factors        the platform's credits per unit of a model's
 *                         cost, overriding CREDITS_FACTOR
 *
 * Reads are one statement each (usage by scope two), built as JSON in
 * PostgreSQL; credits are decimal strings (cockpit_credits_text). Lists
 * page with ?limit= and an opaque ?cursor= of their own: base64url of
 * "<kind>|<a>|<b>", the sort key of the page's last item.
 *
 * The webhook's signing secret is made here (32 random bytes, base64url,
 * after "whsec_"), shown once, and stored sealed (lib/secret.h) with the
 * associated data "account:<account id>|account_webhooks|secret", which
 * is what the alert deliverer opens it with.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "audit.h"
#include "base64.h"
#include "budgets.h"
#include "netaddr.h"
#include "pagination.h"
#include "secret.h"
#include "uuid.h"

#define STR(x)		#x
#define XSTR(x)		STR(x)

#define COSTS_PREFIX	"/v1/costs/"	/* the platform-wide route */
#define KEY_MAX		800	/* bytes of a cursor's sort key */
#define NAME_KEY_CHARS	150	/* characters of a name in a sort key */
#define MODEL_MAX	200
#define REF_MAX		320	/* characters of a user's id or email */
#define PERIODS_MAX	100	/* past periods listed by usage by scope */
#define SECRET_BYTES	32
#define SECRET_PREFIX	"whsec_"
#define FACTOR_MAX	((int64_t)1000000 * CREDITS_SCALE)
#define CREDITS_TOP	"Infinity"	/* above every sum: a first page's */

enum {
	ST_EFFECTIVE,
	ST_USAGE,
	ST_PERIOD,
	ST_POOLS,
	ST_BREAKDOWN,
	ST_ALERTS,
	ST_HOOK_GET,
	ST_HOOK_SET,
	ST_HOOK_DELETE,
	ST_FACTORS,
	ST_FACTOR_SET,
	ST_FACTOR_DELETE,
	ST__N
};

/* A user as the reports name one, i its id; NULL when there is none. */
#define USER_JSON(i) \
	"(SELECT json_build_object('id', ux.id, 'email', ux.email, " \
	"'display_name', ux.display_name) FROM users ux WHERE ux.id = " i ")"

/*
 * A scope as the reports name one: {type, id, name}, t its type as
 * stored ('unallocated') or as the API says it ('account'), i its id
 * (the account's for the account). A user's name is its display name,
 * else its email.
 */
#define SCOPE_JSON(t, i) \
	"json_build_object('type', CASE " t " WHEN 'unallocated' THEN " \
	"'account' ELSE " t " END, 'id', " i ", 'name', CASE " t " " \
	"WHEN 'organisation' THEN (SELECT so.name FROM organisations so " \
	"WHERE so.id = " i ") " \
	"WHEN 'team' THEN (SELECT st.name FROM teams st WHERE st.id = " i \
	") WHEN 'user' THEN (SELECT coalesce(su.display_name, su.email) " \
	"FROM users su WHERE su.id = " i ") " \
	"ELSE (SELECT sa.name FROM accounts sa WHERE sa.id = " i ") END)"

/* The scope of pool p (a credit_pools row). */
#define POOL_SCOPE(p) \
	SCOPE_JSON(p ".scope_type", "coalesce(" p ".scope_id, " p ".account_id)")

/* The scope a pool was allocated from, parent naming its parent_id. */
#define PARENT_SCOPE(parent) \
	"(SELECT " POOL_SCOPE("pq") " FROM credit_pools pq WHERE pq.id = " \
	parent ")"

#define CREDITS(m)	"cockpit_credits_text(" m ")"

/* A sum of micro-credits (numeric) as credits. */
#define SUM_CREDITS(m)	"trim_scale(coalesce(" m ", 0) / 1000000)::text"

/* The digest of a webhook for the audit trail: never its secret. */
#define HOOK_DIGEST(w) \
	"sha256(convert_to(json_build_array(" w ".url, " w \
	".updated_at)::text, 'UTF8'))"

/* The digest of a credit factor f for the audit trail. */
#define FACTOR_DIGEST(f) \
	"sha256(convert_to(json_build_array(" f ".model, " f ".factor, " f \
	".updated_by, " f ".updated_at)::text, 'UTF8'))"

/* One level of the effective allocation, l naming it (see ST_EFFECTIVE). */
#define LEVEL_JSON \
	"json_build_object('scope', " SCOPE_JSON("l.scope_type", \
	"l.scope_id") ", 'rule', l.rule, 'limit', " CREDITS("l.lim") ", " \
	"'spent', " CREDITS("l.spent") ", 'held', " CREDITS("l.held") ", " \
	"'remaining', " CREDITS("l.rem") ", " \
	"'allocated_from', " PARENT_SCOPE("l.parent_id") ")"

/* A pool in a period (see ST_POOLS), p the pool, s its sums. */
#define POOL_JSON \
	"json_build_object('scope', " POOL_SCOPE("p") ", 'rule', p.rule, " \
	"'active', p.active, 'limit', " CREDITS("p.micro_credits") ", " \
	"'spent', " CREDITS("s.spent") ", 'held', " CREDITS("s.held") ", " \
	"'remaining', " CREDITS("greatest(p.micro_credits - s.spent - " \
	"s.held, 0)") ", 'allocated', " CREDITS("s.alloc") ", " \
	"'unallocated', " CREDITS("greatest(p.micro_credits - s.alloc, 0)") \
	", 'allocated_from', " PARENT_SCOPE("p.parent_id") ")"

/* A breakdown's group key, by $4. */
#define GROUP_KEY \
	"CASE $4 WHEN 'model' THEN u.model " \
	"WHEN 'user' THEN u.user_id::text " \
	"WHEN 'team' THEN coalesce(u.team_id::text, '') " \
	"WHEN 'day' THEN to_char(u.occurred_at AT TIME ZONE 'UTC', " \
	"'YYYY-MM-DD') ELSE u.account_id::text END"

/* What a breakdown's group is, by $4: a model, a user, a team, ... */
#define GROUP_LABEL \
	"CASE $4 WHEN 'user' THEN coalesce(" USER_JSON("g.k::uuid") ", " \
	"json_build_object('id', g.k)) " \
	"WHEN 'team' THEN CASE WHEN g.k = '' THEN NULL ELSE " \
	"json_build_object('id', g.k, 'name', (SELECT t.name FROM teams t " \
	"WHERE t.id = g.k::uuid)) END " \
	"WHEN 'account' THEN (SELECT json_build_object('id', a.id, " \
	"'name', a.name, 'slug', a.slug) FROM accounts a " \
	"WHERE a.id = g.k::uuid) " \
	"ELSE to_json(g.k) END"

#define GROUP_JSON \
	"json_build_object($4::text, " GROUP_LABEL ", " \
	"'credits', " SUM_CREDITS("g.m") ", " \
	"'cost', trim_scale(g.c)::text, 'input_tokens', g.i, " \
	"'output_tokens', g.o, 'count', g.n)"

static const struct stmt stmts[ST__N] = {
	/*
	 * $1 account, $2 the user asked about (id or email), $3 the same if
	 * an id, $4 if an email, $5 the end user asking (NULL: an admin), $6
	 * team, $7 organisation: (status, body). 403 when an end user asks
	 * about another; 404 no such user, team or organisation; 400 the
	 * user is not in the team or organisation given; 200 the levels of
	 * the user's path in lock order.
	 */
	[ST_EFFECTIVE] = { "reports_effective",
	    "WITH a AS (SELECT cockpit_copilot_user($1::uuid, $2) AS uid, "
	    "($5::uuid IS NULL OR EXISTS (SELECT 1 FROM users s "
	    "WHERE s.account_id = $1 AND s.id = $5::uuid "
	    "AND (s.id = $3::uuid OR s.email_lower = lower($4)))) AS self_ok), "
	    "b AS (SELECT a.*, CASE WHEN a.uid IS NOT NULL AND a.self_ok THEN "
	    "cockpit_context_refusal($1::uuid, a.uid, $6::uuid, $7::uuid) END "
	    "AS refusal FROM a), "
	    "per AS (SELECT period_start, period_end "
	    "FROM cockpit_budget_period($1::uuid, clock_timestamp())), "
	    "l AS (SELECT p.scope_type, p.scope_id, p.rule, p.n, "
	    "p.micro_credits AS lim, coalesce(pp.spent_micro, 0) AS spent, "
	    "cockpit_pool_held(p.pool_id, per.period_start) AS held, "
	    "c.parent_id FROM b CROSS JOIN per CROSS JOIN LATERAL "
	    "cockpit_budget_path($1::uuid, b.uid, $6::uuid, $7::uuid) "
	    "WITH ORDINALITY AS p(pool_id, scope_type, scope_id, rule, "
	    "micro_credits, n) "
	    "JOIN credit_pools c ON c.id = p.pool_id "
	    "LEFT JOIN pool_periods pp ON pp.pool_id = p.pool_id "
	    "AND pp.period_start = per.period_start "
	    "WHERE b.uid IS NOT NULL AND b.self_ok AND b.refusal IS NULL), "
	    "r AS (SELECT l.*, greatest(l.lim - l.spent - l.held, 0) AS rem "
	    "FROM l) "
	    "SELECT CASE WHEN NOT b.self_ok THEN 403 WHEN b.uid IS NULL THEN 404 "
	    "WHEN b.refusal LIKE '%:no such %' THEN 404 "
	    "WHEN b.refusal IS NOT NULL THEN 400 ELSE 200 END, "
	    "CASE WHEN NOT b.self_ok THEN json_build_object('code', "
	    "'forbidden', 'message', 'an end user may ask only about their "
	    "own allocation') "
	    "WHEN b.uid IS NULL THEN json_build_object('code', 'not_found', "
	    "'field', 'user', 'message', 'no active user of the Copilot "
	    "directory has this id or email') "
	    "WHEN b.refusal IS NOT NULL THEN json_build_object('code', "
	    "CASE WHEN b.refusal LIKE '%:no such %' THEN 'not_found' "
	    "ELSE 'invalid_parameter' END, 'field', "
	    "split_part(b.refusal, ':', 1), 'message', "
	    "split_part(b.refusal, ':', 2)) "
	    "ELSE json_build_object('user', " USER_JSON("b.uid") ", "
	    "'period', (SELECT cockpit_period_json(period_start, period_end) "
	    "FROM per), "
	    "'levels', (SELECT json_agg(" LEVEL_JSON " ORDER BY l.n) "
	    "FROM r l), "
	    "'user_rule', coalesce((SELECT r.rule FROM r "
	    "WHERE r.scope_type = 'user'), 'inheritance'), "
	    "'limited_by', (SELECT " SCOPE_JSON("r.scope_type", "r.scope_id")
	    " FROM r ORDER BY r.rem, r.n LIMIT 1), "
	    "'remaining', (SELECT " CREDITS("min(r.rem)") " FROM r)) END "
	    "FROM b" },
	/*
	 * $1 account, $2 user id or $3 email (both NULL: everyone), $4
	 * model, $5 from, $6 to, $7 team, $8 organisation, $9/$10 the
	 * cursor (occurred_at, id; on the first page the largest there are,
	 * see cursor_before()), $11 rows to fetch: (item, occurred_at, id),
	 * newest first.
	 */
	[ST_USAGE] = { "reports_usage",
	    "SELECT json_build_object('id', u.id::text, "
	    "'user', " USER_JSON("u.user_id") ", 'team_id', u.team_id, "
	    "'organisation_id', u.organisation_id, 'model', u.model, "
	    "'cost', u.cost::text, 'credits_factor', u.credits_factor::text, "
	    "'credits', " CREDITS("u.micro_credits") ", "
	    "'input_tokens', u.input_tokens, 'output_tokens', u.output_tokens, "
	    "'idempotency_key', u.idempotency_key, "
	    "'reservation_id', u.reservation_id, "
	    "'period_start', cockpit_ts(u.period_start), "
	    "'occurred_at', cockpit_ts(u.occurred_at), "
	    "'recorded_by', u.recorded_by)::text, "
	    "cockpit_ts(u.occurred_at), u.id::text "
	    "FROM usage_records u WHERE u.account_id = $1 "
	    "AND (($2::uuid IS NULL AND $3::text IS NULL) OR u.user_id IN "
	    "(SELECT x.id FROM users x WHERE x.account_id = $1 "
	    "AND (x.id = $2::uuid OR x.email_lower = lower($3)))) "
	    "AND ($4::text IS NULL OR u.model = $4) "
	    "AND ($5::timestamptz IS NULL OR u.occurred_at >= $5::timestamptz) "
	    "AND ($6::timestamptz IS NULL OR u.occurred_at < $6::timestamptz) "
	    "AND ($7::uuid IS NULL OR u.team_id = $7::uuid) "
	    "AND ($8::uuid IS NULL OR u.organisation_id = $8::uuid) "
	    "AND (u.occurred_at, u.id) < ($9::timestamptz, $10::bigint) "
	    "ORDER BY u.occurred_at DESC, u.id DESC LIMIT $11" },
	/*
	 * $1 account, $2 a period's start (NULL: the current period): the
	 * period (start, end as parameters for ST_POOLS; its JSON) and the
	 * periods there are, newest first; no row when there is no such
	 * period. A past period is one the account's pool has a row for:
	 * every usage and hold touches the account's pool.
	 */
	[ST_PERIOD] = { "reports_period",
	    "WITH cur AS (SELECT period_start AS s, period_end AS e "
	    "FROM cockpit_budget_period($1::uuid, clock_timestamp())), "
	    "past AS (SELECT pp.period_start AS s, pp.period_end AS e "
	    "FROM credit_pools ap JOIN pool_periods pp ON pp.pool_id = ap.id "
	    "WHERE ap.account_id = $1 AND ap.scope_type = 'unallocated'), "
	    "pick AS (SELECT s, e FROM cur WHERE $2::timestamptz IS NULL "
	    "OR cur.s = $2::timestamptz UNION ALL SELECT s, e FROM past "
	    "WHERE past.s = $2::timestamptz LIMIT 1) "
	    "SELECT cockpit_ts(pick.s), CASE WHEN pick.e = 'infinity' THEN "
	    "'infinity' ELSE cockpit_ts(pick.e) END, "
	    "cockpit_period_json(pick.s, pick.e)::text, "
	    "(SELECT coalesce(json_agg(cockpit_period_json(x.s, x.e) "
	    "ORDER BY x.s DESC), '[]') FROM (SELECT s, e FROM past UNION "
	    "SELECT s, e FROM cur ORDER BY s DESC LIMIT "
	    XSTR(PERIODS_MAX) ") x)::text FROM pick" },
	/*
	 * $1 account, $2 period start, $3 scope type as stored or NULL,
	 * $4/$5 the cursor (sort key, pool id; '' and the nil id on the
	 * first page), $6 rows to fetch: (item, id, sort key). The account's
	 * pools, active or spent from in the period: the account first, then
	 * organisations, teams and users, each by name.
	 */
	[ST_POOLS] = { "reports_pools",
	    "SELECT " POOL_JSON "::text, p.id::text, k.key "
	    "FROM credit_pools p "
	    "LEFT JOIN pool_periods pp ON pp.pool_id = p.id "
	    "AND pp.period_start = $2::timestamptz "
	    "CROSS JOIN LATERAL (SELECT coalesce(pp.spent_micro, 0) AS spent, "
	    "cockpit_pool_held(p.id, $2::timestamptz) AS held, "
	    "(SELECT coalesce(sum(c.micro_credits), 0)::bigint "
	    "FROM credit_pools c WHERE c.parent_id = p.id AND c.active) "
	    "AS alloc) s "
	    "CROSS JOIN LATERAL (SELECT (5 - cockpit_pool_depth(p.scope_type))"
	    "::text || ' ' || left(lower(coalesce((" SCOPE_JSON("p.scope_type",
	    "coalesce(p.scope_id, p.account_id)") ")->>'name', '')), "
	    XSTR(NAME_KEY_CHARS) ") AS key) k "
	    "WHERE p.account_id = $1 AND (p.active OR pp.spent_micro > 0) "
	    "AND ($3::text IS NULL OR p.scope_type = $3) "
	    "AND " PAGE_AFTER_KEY("k.key, p.id", "$4", "$5") " "
	    "ORDER BY k.key, p.id LIMIT $6" },
	/*
	 * $1 account (NULL: every account, for the platform), $2 from, $3
	 * to (both NULL: each account's current period), $4 by (model,
	 * user, team, day, account), $5/$6 the cursor (sort credits, key;
	 * 'Infinity' and '' on the first page), $7 rows to fetch, $8 the
	 * page size. One row: the page's items, whether more follow, the
	 * last item's cursor (sort credits, key), the totals, and the range:
	 * from and to (NULL: open).
	 */
	[ST_BREAKDOWN] = { "reports_breakdown",
	    "WITH rng AS (SELECT a.id, CASE WHEN $2::timestamptz IS NULL "
	    "AND $3::timestamptz IS NULL THEN p.period_start "
	    "ELSE $2::timestamptz END AS f, "
	    "CASE WHEN $2::timestamptz IS NULL AND $3::timestamptz IS NULL "
	    "THEN p.period_end ELSE $3::timestamptz END AS t "
	    "FROM accounts a CROSS JOIN LATERAL "
	    "cockpit_budget_period(a.id, clock_timestamp()) p "
	    "WHERE $1::uuid IS NULL OR a.id = $1::uuid), "
	    "g AS (SELECT " GROUP_KEY " AS k, sum(u.micro_credits) AS m, "
	    "sum(u.cost) AS c, sum(u.input_tokens) AS i, "
	    "sum(u.output_tokens) AS o, count(*) AS n "
	    "FROM rng JOIN usage_records u ON u.account_id = rng.id "
	    "AND (rng.f IS NULL OR u.occurred_at >= rng.f) "
	    "AND (rng.t IS NULL OR u.occurred_at < rng.t) GROUP BY 1), "
	    "s AS (SELECT g.*, CASE WHEN $4 = 'day' THEN 0 ELSE g.m END AS sm "
	    "FROM g), "
	    "pg AS (SELECT s.*, row_number() OVER (ORDER BY s.sm DESC, s.k) "
	    "AS nr FROM s WHERE s.sm < $5::numeric "
	    "OR (s.sm = $5::numeric AND s.k > $6::text) "
	    "ORDER BY s.sm DESC, s.k LIMIT $7) "
	    "SELECT coalesce((SELECT json_agg(" GROUP_JSON " ORDER BY g.nr) "
	    "FROM pg g WHERE g.nr <= $8), '[]')::text, "
	    "(SELECT count(*) FROM pg) > $8, "
	    "(SELECT sm::text FROM pg WHERE nr = $8), "
	    "(SELECT k FROM pg WHERE nr = $8), "
	    "(SELECT json_build_object('credits', " SUM_CREDITS("sum(m)") ", "
	    "'cost', trim_scale(coalesce(sum(c), 0))::text, "
	    "'input_tokens', coalesce(sum(i), 0), "
	    "'output_tokens', coalesce(sum(o), 0), "
	    "'count', coalesce(sum(n), 0), 'groups', count(*)) FROM g)::text, "
	    "CASE WHEN $1::uuid IS NULL THEN cockpit_ts($2::timestamptz) "
	    "ELSE (SELECT cockpit_ts(f) FROM rng) END, "
	    "CASE WHEN $1::uuid IS NULL THEN cockpit_ts($3::timestamptz) "
	    "ELSE (SELECT CASE WHEN t = 'infinity' THEN NULL "
	    "ELSE cockpit_ts(t) END FROM rng) END" },
	/*
	 * $1 account, $2 delivery, $3 scope type (as the API says it), $4/$5
	 * the cursor (created_at, id; the largest there are on the first
	 * page), $6 rows to fetch: (item, created_at, id), newest first.
	 */
	[ST_ALERTS] = { "reports_alerts",
	    "SELECT json_build_object('id', a.id::text, 'scope', "
	    SCOPE_JSON("a.scope_type", "coalesce(a.scope_id, a.account_id)")
	    ", 'threshold', a.threshold, "
	    "'period', cockpit_period_json(a.period_start, a.period_end), "
	    "'limit', " CREDITS("a.limit_micro") ", "
	    "'spent', " CREDITS("a.spent_micro") ", "
	    "'created_at', cockpit_ts(a.created_at), 'delivery', a.delivery, "
	    "'attempts', a.attempts, 'next_attempt_at', CASE WHEN "
	    "a.delivery = 'pending' THEN cockpit_ts(a.next_attempt_at) END, "
	    "'delivered_at', cockpit_ts(a.delivered_at), "
	    "'last_error', a.last_error)::text, cockpit_ts(a.created_at), "
	    "a.id::text FROM budget_alerts a WHERE a.account_id = $1 "
	    "AND ($2::text IS NULL OR a.delivery = $2) "
	    "AND ($3::text IS NULL OR a.scope_type = $3) "
	    "AND (a.created_at, a.id) < ($4::timestamptz, $5::bigint) "
	    "ORDER BY a.created_at DESC, a.id DESC LIMIT $6" },
	/* $1 account: the webhook, never its secret; or no row. */
	[ST_HOOK_GET] = { "reports_hook_get",
	    "SELECT json_build_object('url', url, 'created_at', "
	    "cockpit_ts(created_at), 'updated_at', cockpit_ts(updated_at))"
	    "::text FROM account_webhooks WHERE account_id = $1" },
	/*
	 * $1 account, $2 url, $3 the new secret sealed, $4 whether it
	 * replaces one kept, $5-$7 who: (url, created_at, updated_at,
	 * whether the webhook is new, whether the new secret was stored, the
	 * event). A new webhook always stores it.
	 */
	[ST_HOOK_SET] = { "reports_hook_set",
	    "WITH old AS (SELECT * FROM account_webhooks WHERE account_id = $1 "
	    "FOR UPDATE), "
	    "w AS (INSERT INTO account_webhooks AS h (account_id, url, "
	    "secret_sealed) VALUES ($1, $2, $3) ON CONFLICT (account_id) "
	    "DO UPDATE SET url = EXCLUDED.url, secret_sealed = CASE WHEN "
	    "$4::boolean THEN EXCLUDED.secret_sealed ELSE h.secret_sealed END, "
	    "updated_at = clock_timestamp() "
	    "RETURNING h.*, (h.xmax = 0) AS inserted) "
	    "SELECT w.url, cockpit_ts(w.created_at), cockpit_ts(w.updated_at), "
	    "w.inserted, w.inserted OR $4::boolean, "
	    AUDIT_EVENT("w.account_id", "budget.webhook.set", "webhook",
	    "w.account_id::text", "(SELECT " HOOK_DIGEST("old") " FROM old)",
	    HOOK_DIGEST("w"), "$5", "$6", "$7") " FROM w" },
	/* $1 account, $2-$4 who: a row when there was a webhook. */
	[ST_HOOK_DELETE] = { "reports_hook_delete",
	    "WITH old AS (DELETE FROM account_webhooks WHERE account_id = $1 "
	    "RETURNING *) SELECT "
	    AUDIT_EVENT("old.account_id", "budget.webhook.delete", "webhook",
	    "old.account_id::text", HOOK_DIGEST("old"), "NULL", "$2", "$3",
	    "$4") " FROM old" },
	/*
	 * $1 the cursor (a model; '' on the first page), $2 rows to fetch:
	 * (item, "", model).
	 */
	[ST_FACTORS] = { "reports_factors",
	    "SELECT json_build_object('model', f.model, 'factor', "
	    "trim_scale(f.factor)::text, 'updated_at', "
	    "cockpit_ts(f.updated_at))::text, '', f.model "
	    "FROM model_credit_factors f WHERE f.model > $1::text "
	    "ORDER BY f.model LIMIT $2" },
	/*
	 * $1 model, $2 factor, $3-$5 who: (the factor, whether it is new,
	 * the event on the platform's chain).
	 */
	[ST_FACTOR_SET] = { "reports_factor_set",
	    "WITH old AS (SELECT * FROM model_credit_factors WHERE model = $1 "
	    "FOR UPDATE), "
	    "f AS (INSERT INTO model_credit_factors AS m (model, factor, "
	    "updated_by) VALUES ($1, $2::numeric, $3) ON CONFLICT (model) "
	    "DO UPDATE SET factor = EXCLUDED.factor, "
	    "updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp() "
	    "RETURNING m.*, (m.xmax = 0) AS inserted) "
	    "SELECT json_build_object('model', f.model, 'factor', "
	    "trim_scale(f.factor)::text, 'updated_at', "
	    "cockpit_ts(f.updated_at))::text, f.inserted, "
	    AUDIT_EVENT("NULL", "budget.credit_factor.set", "credit_factor",
	    "f.model", "(SELECT " FACTOR_DIGEST("old") " FROM old)",
	    FACTOR_DIGEST("f"), "$3", "$4", "$5") " FROM f" },
	/* $1 model, $2-$4 who: a row when there was a factor. */
	[ST_FACTOR_DELETE] = { "reports_factor_delete",
	    "WITH old AS (DELETE FROM model_credit_factors WHERE model = $1 "
	    "RETURNING *) SELECT "
	    AUDIT_EVENT("NULL", "budget.credit_factor.delete", "credit_factor",
	    "old.model", FACTOR_DIGEST("old"), "NULL", "$2", "$3", "$4")
	    " FROM old" },
};

const struct stmt_set budget_report_set = { stmts, ST__N };

/* 400 invalid_parameter naming param; returns -1. */
static int
bad_param(struct req *r, const char *param, const char *what)
{
	resp_error(r, 400, "invalid_parameter", param, "%s must be %s", param,
	    what);
	return -1;
}

/* ?name=, an id when given: into *out (NULL without); 0, or -1 (400). */
static int
uuid_param(struct req *r, const char *name, const char **out)
{
	*out = req_query(r, name);
	if (*out != NULL && !uuid_valid(*out))
		return bad_param(r, name, "an id");
	return 0;
}

/* ?name=, one of values when given; 0, or -1 (400). */
static int
enum_param(struct req *r, const char *name, const char *const *values,
    const char *what, const char **out)
{
	size_t	 i;

	if ((*out = req_query(r, name)) == NULL)
		return 0;
	for (i = 0; values[i] != NULL; i++)
		if (strcmp(*out, values[i]) == 0)
			return 0;
	return bad_param(r, name, what);
}

/* ?name=, UTF-8 text of 1 to max characters when given; 0, or -1. */
static int
text_param(struct req *r, const char *name, size_t max, const char **out)
{
	char	 what[64];

	*out = req_query(r, name);
	if (*out == NULL || (**out != '\0' && utf8_valid(*out, strlen(*out)) &&
	    utf8_chars(*out) <= max))
		return 0;
	(void)snprintf(what, sizeof(what), "text of 1 to %zu characters", max);
	return bad_param(r, name, what);
}

/* The n digits at s as a number, or -1. */
static int
number_at(const char *s, int n)
{
	int	 v = 0;

	for (; n > 0; n--, s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* YYYY-MM-DD at s (10 characters at least), a day the calendar has. */
static int
date_valid(const char *s)
{
	static const int	 days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			 y, m, d;

	y = number_at(s, 4);
	m = number_at(s + 5, 2);
	d = number_at(s + 8, 2);
	if (y < 1 || s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 ||
	    d > days[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0));
}

/* HH:MM:SS at s, a time of day. */
static int
clock_valid(const char *s)
{
	int	 h = number_at(s, 2), m = number_at(s + 3, 2),
		 sec = number_at(s + 6, 2);

	return h >= 0 && h <= 23 && s[2] == ':' && m >= 0 && m <= 59 &&
	    s[5] == ':' && sec >= 0 && sec <= 59;
}

/*
 * An RFC 3339 time: YYYY-MM-DDTHH:MM:SS, up to 9 decimals of a second,
 * then Z or an offset (+HH:MM, -HH:MM); or a date alone, which means its
 * midnight UTC.
 */
static int
time_valid(const char *s)
{
	size_t	 n = strlen(s), i = 19, f;

	if (n < 10 || !date_valid(s))
		return 0;
	if (n == 10)
		return 1;
	if (n < 20 || s[10] != 'T' || !clock_valid(s + 11))
		return 0;
	if (s[19] == '.') {
		f = strspn(s + 20, "0123456789");
		if (f < 1 || f > 9)
			return 0;
		i = 20 + f;
	}
	if (strcmp(s + i, "Z") == 0)
		return 1;
	return (s[i] == '+' || s[i] == '-') && strlen(s + i) == 6 &&
	    number_at(s + i + 1, 2) >= 0 && number_at(s + i + 1, 2) <= 23 &&
	    s[i + 3] == ':' && number_at(s + i + 4, 2) >= 0 &&
	    number_at(s + i + 4, 2) <= 59;
}

/* ?name=, a time when given, into out (a date: its midnight UTC). */
static int
time_param(struct req *r, const char *name, char *out, size_t len,
    const char **value)
{
	static const char	 midnight[] = "T00:00:00Z";
	const char		*s = req_query(r, name);
	size_t			 n;

	*value = NULL;
	if (s == NULL)
		return 0;
	n = strlen(s);
	if (!time_valid(s) || n + sizeof(midnight) > len)
		return bad_param(r, name, "an RFC 3339 time "
		    "(2026-11-23T10:00:00Z) or a date");
	memcpy(out, s, n + 1);
	if (n == 10)
		memcpy(out + n, midnight, sizeof(midnight));
	*value = out;
	return 0;
}

/* ?limit=, into *limit and its fetch (one more) as text; 0, or -1. */
static int
limit_param(struct req *r, int *limit, char *fetch, size_t len)
{
	struct page	 p;
	const char	*bad;

	if (page_parse(req_query(r, "limit"), NULL, &p, &bad) == -1)
		return bad_param(r, "limit", "a whole number from 1 to "
		    XSTR(PAGE_MAX));
	*limit = p.limit;
	(void)snprintf(fetch, len, "%d", p.limit + 1);
	return 0;
}

/* A list's cursor, read: the sort key of the last item of a page. */
struct cursor {
	int	 set;
	char	 a[40];			/* a time, a number or an id */
	char	 b[KEY_MAX + 1];	/* an id or a key */
};

/* Writes the cursor "<kind>|<a>|<b>", base64url, into out; 0 or -1. */
static int
cursor_make(char kind, const char *a, const char *b, char *out, size_t len)
{
	char	 raw[2 + 40 + 1 + KEY_MAX + 1];
	int	 n;

	if (strchr(a, '|') != NULL || strlen(a) >= 40 || strlen(b) > KEY_MAX)
		return -1;
	n = snprintf(raw, sizeof(raw), "%c|%s|%s", kind, a, b);
	if (n < 0 || (size_t)n >= sizeof(raw) ||
	    B64URL_LEN((size_t)n) + 1 > len)
		return -1;
	b64url_encode((const unsigned char *)raw, (size_t)n, out);
	return 0;
}

/* Splits a decoded cursor of kind into c; 0, or -1 when it is not one. */
static int
cursor_split(const char *raw, char kind, struct cursor *c)
{
	const char	*bar;

	if (raw[0] != kind || raw[1] != '|' ||
	    (bar = strchr(raw + 2, '|')) == NULL ||
	    (size_t)(bar - raw - 2) >= sizeof(c->a) ||
	    strlen(bar + 1) > KEY_MAX || !utf8_valid(bar + 1, strlen(bar + 1)))
		return -1;
	(void)snprintf(c->a, sizeof(c->a), "%.*s", (int)(bar - raw - 2),
	    raw + 2);
	(void)snprintf(c->b, sizeof(c->b), "%s", bar + 1);
	c->set = 1;
	return 0;
}

/* Digits only, 1 to max of them. */
static int
digits_valid(const char *s, size_t max)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= max && strspn(s, "0123456789") == n;
}

/*
 * ?cursor= of a list of kind, into c (c->set 0 without one): the kinds
 * 'u' (usage) and 'l' (alerts) hold a time and a number, 'f' (factors)
 * a model, 's' (pools) a pool id and a key, the breakdowns (their by's
 * initial) credits and a key. 0, or -1 with the request answered (400).
 */
static int
cursor_param(struct req *r, char kind, struct cursor *c)
{
	const char	*s = req_query(r, "cursor");
	char		 raw[2 + 40 + 1 + KEY_MAX + 1];
	long		 n;
	int		 ok;

	memset(c, 0, sizeof(*c));
	if (s == NULL)
		return 0;
	ok = strlen(s) <= B64URL_LEN(sizeof(raw) - 1) &&
	    (n = b64url_decode(s, strlen(s), (unsigned char *)raw,
	    sizeof(raw) - 1)) >= 4 && memchr(raw, '\0', (size_t)n) == NULL;
	if (ok) {
		raw[n] = '\0';
		ok = cursor_split(raw, kind, c) == 0;
	}
	if (ok && (kind == 'u' || kind == 'l'))
		ok = timestamp_valid(c->a) && time_valid(c->a) &&
		    digits_valid(c->b, 18);
	else if (ok && kind == 'f')
		ok = c->a[0] == '\0' && c->b[0] != '\0';
	else if (ok && kind == 's')
		ok = uuid_valid(c->a);
	else if (ok)
		ok = digits_valid(c->a, 30);
	if (ok)
		return 0;
	resp_error(r, 400, "invalid_parameter", "cursor", "cursor is not one "
	    "this list gave out");
	return -1;
}

/*
 * The values a newest-first list's (time, serial id) condition compares
 * with: the cursor's ('u', 'l'), or on the first page the largest there
 * are, so that every page is one plain range of the index.
 */
static void
cursor_before(const struct cursor *c, const char **ts, const char **id)
{
	*ts = c->set ? c->a : "infinity";
	*id = c->set ? c->b : PAGE_SERIAL_MAX;
}

/*
 * Answers a page: {<head>"items":[col 0 of the first limit rows],
 * "next_cursor":...}, the cursor of kind made of the last item's columns
 * 1 and 2 when another row follows. Clears res.
 */
static void
page_answer(struct req *r, PGresult *res, int limit, char kind,
    const char *head)
{
	char	 cursor[B64URL_LEN(2 + 40 + 1 + KEY_MAX) + 1];
	int	 i, n, rc;

	if (res == NULL)
		return;
	n = PQntuples(res);
	rc = buf_printf(&r->out, "{%s\"items\":[", head);
	for (i = 0; rc == 0 && i < n && i < limit; i++)
		rc = buf_printf(&r->out, "%s%s", i > 0 ? "," : "",
		    PQgetvalue(res, i, 0));
	if (rc == 0 && n > limit)
		rc = cursor_make(kind, PQgetvalue(res, limit - 1, 1),
		    PQgetvalue(res, limit - 1, 2), cursor, sizeof(cursor)) ==
		    -1 ? -1 : buf_printf(&r->out, "],\"next_cursor\":\"%s\"}",
		    cursor);
	else if (rc == 0)
		rc = buf_puts(&r->out, "],\"next_cursor\":null}");
	PQclear(res);
	if (rc == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
}

static const char *const effective_params[] = {
	"user", "team_id", "organisation_id", NULL
};

/*
 * GET /v1/budgets/copilot/effective-allocation?user=&team_id=
 * &organisation_id=: 200 with the user's Effective Allocation in the
 * current period: the user, the period, every level of the user's path
 * (scope, rule, limit, spent, held, remaining, allocated_from) in lock
 * order, the user's rule (override, allocation, or inheritance when the
 * user has no pool of their own), the level that limits first and what
 * the user can spend now. user is an id or an email; without it, the
 * principal's own user. End users may ask only about themselves (403).
 * 400 invalid_parameter (also: the user is not in the team or
 * organisation given); 404 not_found for an unknown user, team or
 * organisation.
 */
void
effective_allocation(struct req *r)
{
	const struct principal	*p = &r->principal;
	int			 end_user = p->role == ROLE_END_USER;
	const char		*v[7], *ref;
	PGresult		*res;

	if (req_query_allow(r, effective_params) == -1 ||
	    (v[0] = req_account(r)) == NULL ||
	    uuid_param(r, "team_id", &v[5]) == -1 ||
	    uuid_param(r, "organisation_id", &v[6]) == -1)
		return;
	ref = req_query(r, "user");
	if (end_user && p->user_id[0] == '\0') {
		/* Signed in, but no user of the account's directory. */
		if (ref != NULL)
			resp_error(r, 403, "forbidden", NULL, "an end user may "
			    "ask only about their own allocation");
		else
			resp_error(r, 404, "not_found", "user", "you are no "
			    "user of this account's Copilot directory");
		return;
	}
	if (ref == NULL && p->user_id[0] != '\0')
		ref = p->user_id;
	if (ref == NULL || *ref == '\0' || !utf8_valid(ref, strlen(ref)) ||
	    utf8_chars(ref) > REF_MAX) {
		(void)bad_param(r, "user", "a user's id or email");
		return;
	}
	v[1] = ref;
	v[2] = uuid_valid(ref) ? ref : NULL;
	v[3] = uuid_valid(ref) ? NULL : ref;
	v[4] = end_user ? p->user_id : NULL;
	if ((res = req_stmt(r, &stmts[ST_EFFECTIVE], 7, v, DB_LAST)) != NULL)
		budget_answer(r, res);
}

static const char *const usage_params[] = {
	"user", "model", "from", "to", "team_id", "organisation_id", "limit",
	"cursor", NULL
};

/*
 * GET /v1/budgets/copilot/usage?user=&model=&from=&to=&team_id=
 * &organisation_id=&limit=&cursor=: 200 with a page of the account's
 * usage records, newest first (from inclusive, to exclusive; a user by
 * id or email, one that matches no user matching nothing); 400
 * unknown_parameter or invalid_parameter.
 */
void
usage_list(struct req *r)
{
	struct cursor	 c;
	char		 from[48], to[48], fetch[16];
	const char	*v[11], *user;
	int		 limit;

	if (req_query_allow(r, usage_params) == -1 ||
	    (v[0] = req_account(r)) == NULL ||
	    text_param(r, "user", REF_MAX, &user) == -1 ||
	    text_param(r, "model", MODEL_MAX, &v[3]) == -1 ||
	    time_param(r, "from", from, sizeof(from), &v[4]) == -1 ||
	    time_param(r, "to", to, sizeof(to), &v[5]) == -1 ||
	    uuid_param(r, "team_id", &v[6]) == -1 ||
	    uuid_param(r, "organisation_id", &v[7]) == -1 ||
	    limit_param(r, &limit, fetch, sizeof(fetch)) == -1 ||
	    cursor_param(r, 'u', &c) == -1)
		return;
	v[1] = user != NULL && uuid_valid(user) ? user : NULL;
	v[2] = user != NULL && !uuid_valid(user) ? user : NULL;
	cursor_before(&c, &v[8], &v[9]);
	v[10] = fetch;
	page_answer(r, req_stmt(r, &stmts[ST_USAGE], 11, v,
	    DB_LAST | DB_CUSTOM_PLAN), limit, 'u', "");
}

static const char *const scope_params[] = {
	"period", "scope_type", "limit", "cursor", NULL
};

static const char *const scope_types[] = {
	"account", "organisation", "team", "user", NULL
};

/* ?period=: current (or none), else a period's start, into *start. */
static int
period_param(struct req *r, char *out, size_t len, const char **start)
{
	const char	*s = req_query(r, "period");

	*start = NULL;
	if (s == NULL || strcmp(s, "current") == 0)
		return 0;
	if (!time_valid(s))
		return bad_param(r, "period", "current or a period's start "
		    "(an RFC 3339 time)");
	return time_param(r, "period", out, len, start);
}

/*
 * The period asked for into start and end (parameters), and the head
 * of the answer ("period", "periods") into head; 0, or -1 with the
 * request answered (404 no such period).
 */
static int
scope_period(struct req *r, const char *account, const char *asked,
    char *start, char *end, size_t len, struct buf *head)
{
	const char	*v[2] = { account, asked };
	PGresult	*res;
	int		 rc;

	if ((res = req_stmt(r, &stmts[ST_PERIOD], 2, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 404, "not_found", "period", "no period of this "
		    "account starts then: GET usage-by-scope lists them");
		return -1;
	}
	(void)snprintf(start, len, "%s", PQgetvalue(res, 0, 0));
	(void)snprintf(end, len, "%s", PQgetvalue(res, 0, 1));
	rc = buf_printf(head, "\"period\":%s,\"periods\":%s,",
	    PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3));
	PQclear(res);
	if (rc == -1) {
		resp_nomem(r);
		return -1;
	}
	return 0;
}

/*
 * GET /v1/budgets/copilot/usage-by-scope?period=current|<start>
 * &scope_type=&limit=&cursor=: 200 with the period, the periods there
 * are (newest first, at most 100; older ones stay queryable by their
 * start) and a page of the account's pools in that period (the active
 * ones, and those spent from in it): scope, rule, active, limit, spent,
 * held, remaining, allocated (to active children), unallocated,
 * allocated_from; the account first, then organisations, teams and
 * users by name. 400; 404 no such period.
 */
void
usage_by_scope(struct req *r)
{
	struct buf	 head = { 0 };
	struct cursor	 c;
	char		 asked[48], start[48], end[48], fetch[16];
	const char	*v[6], *type;
	int		 limit;

	if (req_query_allow(r, scope_params) == -1 ||
	    (v[0] = req_account(r)) == NULL ||
	    period_param(r, asked, sizeof(asked), &v[1]) == -1 ||
	    enum_param(r, "scope_type", scope_types, "account, organisation, "
	    "team or user", &type) == -1 ||
	    limit_param(r, &limit, fetch, sizeof(fetch)) == -1 ||
	    cursor_param(r, 's', &c) == -1 ||
	    scope_period(r, v[0], v[1], start, end, sizeof(start), &head) == -1) {
		buf_free(&head);
		return;
	}
	v[1] = start;
	v[2] = type == NULL ? NULL : strcmp(type, "account") == 0 ?
	    "unallocated" : type;
	v[3] = c.set ? c.b : "";
	v[4] = c.set ? c.a : PAGE_NIL_UUID;
	v[5] = fetch;
	page_answer(r, req_stmt(r, &stmts[ST_POOLS], 6, v, DB_LAST), limit,
	    's', head.data);
	buf_free(&head);
}

static const char *const breakdown_params[] = {
	"by", "from", "to", "limit", "cursor", NULL
};

static const char *const by_account[] = {
	"model", "user", "team", "day", NULL
};

static const char *const by_platform[] = {
	"model", "user", "team", "day", "account", NULL
};

/* A column of a row as a JSON string, or null. */
static int
text_or_null(struct buf *b, const PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? buf_puts(b, "null") :
	    buf_json_string(b, PQgetvalue(res, 0, col));
}

/* Answers ST_BREAKDOWN's row; kind the cursor's. Clears res. */
static void
breakdown_answer(struct req *r, PGresult *res, const char *by, char kind,
    int current)
{
	char	 cursor[B64URL_LEN(2 + 40 + 1 + KEY_MAX) + 1];
	int	 rc, more;

	if (res == NULL)
		return;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 500, "internal_error", NULL, "internal error; "
		    "quote the request id when reporting it");
		return;
	}
	more = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	rc = buf_printf(&r->out, "{\"by\":\"%s\",\"from\":", by) == -1 ||
	    text_or_null(&r->out, res, 5) == -1 ||
	    buf_puts(&r->out, ",\"to\":") == -1 ||
	    text_or_null(&r->out, res, 6) == -1 ||
	    buf_printf(&r->out, ",\"current_period\":%s,\"total\":%s,"
	    "\"items\":%s,\"next_cursor\":", current ? "true" : "false",
	    PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 0)) == -1 ? -1 : 0;
	if (rc == 0 && more)
		rc = cursor_make(kind, PQgetvalue(res, 0, 2), PQgetvalue(res, 0,
		    3), cursor, sizeof(cursor)) == -1 ? -1 :
		    buf_printf(&r->out, "\"%s\"}", cursor);
	else if (rc == 0)
		rc = buf_puts(&r->out, "null}");
	PQclear(res);
	if (rc == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
}

/*
 * GET /v1/budgets/copilot/cost-breakdown?by=model|user|team|day&from=
 * &to=&limit=&cursor=, and GET /v1/costs/breakdown: 200 with the usage
 * of the range (from inclusive, to exclusive; neither: the current
 * period) summed per group (credits, cost, input and output tokens,
 * count), the largest credits first (days in order), and the totals.
 * A super admin without X-Account-Id on /v1/costs/breakdown sees the
 * whole platform, by account unless by says otherwise (neither from nor
 * to: each account's current period). 400.
 */
void
cost_breakdown(struct req *r)
{
	const struct principal	*p = &r->principal;
	struct cursor		 c;
	char			 from[48], to[48], fetch[16], size[16];
	const char		*v[8], *by;
	int			 limit, platform;

	platform = p->platform && p->account_id[0] == '\0' &&
	    strncmp(r->path, COSTS_PREFIX, strlen(COSTS_PREFIX)) == 0;
	if (req_query_allow(r, breakdown_params) == -1)
		return;
	v[0] = NULL;
	if ((!platform && (v[0] = req_account(r)) == NULL) ||
	    enum_param(r, "by", platform ? by_platform : by_account,
	    platform ? "model, user, team, day or account" :
	    "model, user, team or day", &by) == -1 ||
	    time_param(r, "from", from, sizeof(from), &v[1]) == -1 ||
	    time_param(r, "to", to, sizeof(to), &v[2]) == -1 ||
	    limit_param(r, &limit, fetch, sizeof(fetch)) == -1)
		return;
	if (by == NULL)
		by = platform ? "account" : "model";
	if (cursor_param(r, (char)toupper((unsigned char)by[0]), &c) == -1)
		return;
	(void)snprintf(size, sizeof(size), "%d", limit);
	v[3] = by;
	v[4] = c.set ? c.a : CREDITS_TOP;
	v[5] = c.set ? c.b : "";
	v[6] = fetch;
	v[7] = size;
	breakdown_answer(r, req_stmt(r, &stmts[ST_BREAKDOWN], 8, v, DB_LAST),
	    by, (char)toupper((unsigned char)by[0]),
	    v[1] == NULL && v[2] == NULL);
}

static const char *const alert_params[] = {
	"delivery", "scope_type", "limit", "cursor", NULL
};

static const char *const deliveries[] = {
	"pending", "delivered", "failed", "no_webhook", NULL
};

/*
 * GET /v1/budgets/copilot/alerts?delivery=&scope_type=&limit=&cursor=:
 * 200 with a page of the account's budget alerts, newest first: scope,
 * threshold, period, limit and spent when it was made, delivery (pending,
 * delivered, failed, no_webhook), attempts, next_attempt_at (pending
 * ones), delivered_at, last_error. 400.
 */
void
alerts_list(struct req *r)
{
	struct cursor	 c;
	char		 fetch[16];
	const char	*v[6];
	int		 limit;

	if (req_query_allow(r, alert_params) == -1 ||
	    (v[0] = req_account(r)) == NULL ||
	    enum_param(r, "delivery", deliveries, "pending, delivered, failed "
	    "or no_webhook", &v[1]) == -1 ||
	    enum_param(r, "scope_type", scope_types, "account, organisation, "
	    "team or user", &v[2]) == -1 ||
	    limit_param(r, &limit, fetch, sizeof(fetch)) == -1 ||
	    cursor_param(r, 'l', &c) == -1)
		return;
	cursor_before(&c, &v[3], &v[4]);
	v[5] = fetch;
	page_answer(r, req_stmt(r, &stmts[ST_ALERTS], 6, v,
	    DB_LAST | DB_CUSTOM_PLAN), limit, 'l', "");
}

/* GET /v1/budgets/copilot/alerts/webhook: 200 (never the secret); 404. */
void
webhook_get(struct req *r)
{
	const char	*v[1];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	if ((res = req_stmt(r, &stmts[ST_HOOK_GET], 1, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "this account has no webhook");
}

/* The ":port" that may end an authority, p to end: 1 to 65535. */
static int
port_valid(const char *p, const char *end)
{
	size_t	 n = (size_t)(end - p);
	long	 v = 0;
	size_t	 i;

	if (n == 0)
		return 1;
	if (*p != ':' || n < 2 || n > 6)
		return 0;
	for (i = 1; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/*
 * Why url cannot be a webhook's, or NULL: https:// to a public host
 * always; http://, or a host that is this machine (127.0.0.0/8, [::1],
 * localhost) or in a private, link-local, shared, documentation or
 * reserved range (lib/netaddr.h), only when the operator allows private
 * URLs (COCKPIT_ALLOW_PRIVATE_URLS). No user or password, no fragment,
 * ASCII only (a name in punycode). Names are resolved only when an alert
 * is delivered, which checks the address it connects to.
 */
static const char *
webhook_url_refusal(const char *url, int allow_private)
{
	const char	*host, *end, *p;
	enum addr_class	 k;
	int		 https;

	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return "the URL must be ASCII without spaces";
	if ((https = strncasecmp(url, "https://", 8) == 0))
		host = url + 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return "the URL must start with https://";
	if (strchr(url, '#') != NULL)
		return "a webhook's URL has no fragment";
	end = host + strcspn(host, "/?");
	if (memchr(host, '@', (size_t)(end - host)) != NULL)
		return "a webhook's URL has no user or password";
	if (*host == '[')
		p = (p = memchr(host, ']', (size_t)(end - host))) == NULL ?
		    end : p + 1;
	else
		p = host + strcspn(host, ":/?");
	if (!port_valid(p, end) ||
	    netaddr_host(host, (size_t)(p - host), &k) == -1)
		return "the URL's host or port is not valid";
	if (allow_private)
		return NULL;
	if (k != ADDR_PUBLIC)
		return "the URL may not point at this machine or at a private, "
		    "link-local, shared, documentation or reserved address "
		    "unless the operator allows it (COCKPIT_ALLOW_PRIVATE_URLS)";
	if (!https)
		return "the URL must start with https:// (http:// only when the "
		    "operator allows it: COCKPIT_ALLOW_PRIVATE_URLS)";
	return NULL;
}

/* A new signing secret into out: "whsec_" and 43 base64url characters. */
static int
secret_make(char *out, size_t len)
{
	unsigned char	 raw[SECRET_BYTES];
	size_t		 n = sizeof(SECRET_PREFIX) - 1;

	if (len < n + B64URL_LEN(sizeof(raw)) + 1 ||
	    RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	memcpy(out, SECRET_PREFIX, n);
	b64url_encode(raw, sizeof(raw), out + n);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

/* The secret, sealed for the account's webhook row, into sealed. */
static int
secret_sealed(struct req *r, const char *account, const char *secret,
    struct buf *sealed)
{
	char	 aad[128];

	(void)snprintf(aad, sizeof(aad), "account:%s|account_webhooks|secret",
	    account);
	return secret_seal(&r->w->cfg->secrets, aad, secret, sealed);
}

/* Answers ST_HOOK_SET's row, with the secret when it was stored. */
static void
webhook_answer(struct req *r, PGresult *res, const char *secret)
{
	int	 rc, created;

	if (res == NULL)
		return;
	if (PQntuples(res) != 1) {
		PQclear(res);
		resp_error(r, 500, "internal_error", NULL, "internal error; "
		    "quote the request id when reporting it");
		return;
	}
	created = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
	rc = buf_puts(&r->out, "{\"url\":") == -1 ||
	    buf_json_string(&r->out, PQgetvalue(res, 0, 0)) == -1 ||
	    (strcmp(PQgetvalue(res, 0, 4), "t") == 0 &&
	    (buf_puts(&r->out, ",\"secret\":") == -1 ||
	    buf_json_string(&r->out, secret) == -1)) ||
	    buf_printf(&r->out, ",\"created_at\":\"%s\",\"updated_at\":\"%s\"}",
	    PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2)) == -1 ? -1 : 0;
	PQclear(res);
	if (rc == -1)
		resp_nomem(r);
	else
		resp_ok(r, created ? 201 : 200);
}

static const struct field webhook_fields[] = {
	{ "url", FIELD_TEXT, FIELD_REQUIRED, 8, 2000, NULL, NULL },
	{ "rotate_secret", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
};

/*
 * PUT /v1/budgets/copilot/alerts/webhook {"url", "rotate_secret"?}: the
 * account's alerts go to url, each body signed with the webhook's
 * secret. 201 with url, secret, created_at, updated_at when it is new;
 * 200 when it is changed, with a new secret only when rotate_secret is
 * true (the old one stops signing at once). The secret is shown this
 * once and never again. 400 unknown_field; 422 invalid_field (url, as
 * webhook_url_refusal says, after COCKPIT_ALLOW_PRIVATE_URLS); 503
 * secrets_unavailable when the platform has no COCKPIT_SECRET_KEYS.
 */
void
webhook_set(struct req *r)
{
	struct field_error	 e;
	struct buf		 sealed = { 0 };
	char			 secret[sizeof(SECRET_PREFIX) +
				    B64URL_LEN(SECRET_BYTES)];
	const char		*v[4 + AUDIT_WHO_PARAMS], *why;

	if (validate_object(r->body, webhook_fields, NFIELDS(webhook_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if ((v[0] = req_account(r)) == NULL)
		return;
	v[1] = text_member(r->body, "url");
	if ((why = webhook_url_refusal(v[1],
	    r->w->cfg->allow_private_urls)) != NULL) {
		resp_error(r, 422, "invalid_field", "url", "%s", why);
		return;
	}
	if (r->w->cfg->secrets.n == 0) {
		resp_error(r, 503, "secrets_unavailable", NULL, "the platform "
		    "has no keys to seal the webhook's secret with "
		    "(COCKPIT_SECRET_KEYS)");
		return;
	}
	if (secret_make(secret, sizeof(secret)) == -1 ||
	    secret_sealed(r, v[0], secret, &sealed) == -1) {
		buf_free(&sealed);
		resp_error(r, 500, "internal_error", NULL, "internal error; "
		    "quote the request id when reporting it");
		return;
	}
	v[2] = sealed.data;
	v[3] = bool_member(r->body, "rotate_secret") != NULL ?
	    bool_member(r->body, "rotate_secret") : "f";
	audit_who(r, v + 4);
	webhook_answer(r, req_stmt(r, &stmts[ST_HOOK_SET], 7, v, DB_LAST),
	    secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	buf_free(&sealed);
}

/* DELETE /v1/budgets/copilot/alerts/webhook: 204; 404 when none. */
void
webhook_delete(struct req *r)
{
	const char	*v[1 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	audit_who(r, v + 1);
	if ((res = req_stmt(r, &stmts[ST_HOOK_DELETE], 4, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) == 1)
		resp_ok(r, 204);
	else
		resp_error(r, 404, "not_found", NULL, "this account has no "
		    "webhook");
	PQclear(res);
}

/*
 * GET /v1/budgets/credit-factors?limit=&cursor=: 200 with the default
 * (CREDITS_FACTOR) and a page of the models' own factors, by model.
 */
void
credit_factors_list(struct req *r)
{
	struct buf	 head = { 0 };
	struct cursor	 c;
	char		 fetch[16];
	const char	*v[2];
	int		 limit;

	if (req_query_allow(r, (const char *const[]){ "limit", "cursor",
	    NULL }) == -1 || limit_param(r, &limit, fetch, sizeof(fetch)) ==
	    -1 || cursor_param(r, 'f', &c) == -1)
		return;
	if (buf_puts(&head, "\"default\":") == -1 ||
	    buf_json_string(&head, r->w->cfg->credits_factor) == -1 ||
	    buf_puts(&head, ",") == -1) {
		buf_free(&head);
		resp_nomem(r);
		return;
	}
	v[0] = c.set ? c.b : "";
	v[1] = fetch;
	page_answer(r, req_stmt(r, &stmts[ST_FACTORS], 2, v, DB_LAST), limit,
	    'f', head.data);
	buf_free(&head);
}

/* A factor: a decimal above 0 and at most 1000000, 6 decimals at most. */
static int
factor_valid(const char *s)
{
	int64_t	 micro;

	return credits_parse(s, &micro) == 0 && micro > 0 &&
	    micro <= FACTOR_MAX;
}

static const struct field factor_fields[] = {
	{ "model", FIELD_TEXT, FIELD_REQUIRED, 1, MODEL_MAX, NULL, NULL },
	{ "factor", FIELD_TEXT, FIELD_REQUIRED, 1, CREDITS_STRLEN,
	    factor_valid, "a decimal string above 0 and at most 1000000, "
	    "with at most 6 decimals" },
};

/*
 * PUT /v1/budgets/credit-factors {"model", "factor"}: the credits a unit
 * of the model's cost comes to from now on, instead of CREDITS_FACTOR:
 * 201 with {model, factor, updated_at} when new, 200 when changed. 400
 * unknown_field; 422 invalid_field. Super admins; audited on the
 * platform's chain.
 */
void
credit_factor_set(struct req *r)
{
	struct field_error	 e;
	char			 factor[CREDITS_STRLEN + 1];
	const char		*v[2 + AUDIT_WHO_PARAMS];
	int64_t			 micro;
	PGresult		*res;
	int			 created;

	if (validate_object(r->body, factor_fields, NFIELDS(factor_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = text_member(r->body, "model");
	if (credits_parse(text_member(r->body, "factor"), &micro) == -1 ||
	    credits_format(micro, factor, sizeof(factor)) == -1) {
		resp_nomem(r);
		return;
	}
	v[1] = factor;
	audit_who(r, v + 2);
	if ((res = req_stmt(r, &stmts[ST_FACTOR_SET], 5, v, DB_LAST)) == NULL)
		return;
	created = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 1),
	    "t") == 0;
	json_answer(r, res, created ? 201 : 200, "no such credit factor");
}

/*
 * DELETE /v1/budgets/credit-factors?model=: 204, the model back on
 * CREDITS_FACTOR; 400 invalid_parameter; 404 when it has no factor.
 */
void
credit_factor_delete(struct req *r)
{
	const char	*v[1 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ "model", NULL }) == -1)
		return;
	if ((v[0] = req_query(r, "model")) == NULL || *v[0] == '\0' ||
	    !utf8_valid(v[0], strlen(v[0])) || utf8_chars(v[0]) > MODEL_MAX) {
		(void)bad_param(r, "model", "a model's name");
		return;
	}
	audit_who(r, v + 1);
	if ((res = req_stmt(r, &stmts[ST_FACTOR_DELETE], 4, v, DB_LAST)) ==
	    NULL)
		return;
	if (PQntuples(res) == 1)
		resp_ok(r, 204);
	else
		resp_error(r, 404, "not_found", "model", "this model has no "
		    "credit factor of its own");
	PQclear(res);
}
