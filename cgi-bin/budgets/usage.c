/*
 * Recording usage, and reservations: what client applications call on
 * every end-user request, under /v1/budgets/copilot/. Each is one call of
 * a function of sql/0007_budgets.sql, one round trip, which debits or
 * holds every limited scope on the user's path at once or changes
 * nothing (402 budget_exceeded, naming the scope).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "budgets.h"
#include "uuid.h"

#define TOKENS_MAX	1000000000000L	/* per usage */
#define HOLD_TTL_DEFAULT	300	/* seconds */
#define HOLD_TTL_MAX		86400

enum {
	ST_RECORD,
	ST_HOLD,
	ST_RESERVATION,
	ST_CAPTURE,
	ST_RELEASE,
	ST__N
};

static const struct stmt stmts[ST__N] = {
	/*
	 * $1 account, $2 user (id or email), $3 team, $4 organisation, $5
	 * model, $6 cost, $7 CREDITS_FACTOR, $8 input and $9 output tokens,
	 * $10 idempotency key, $11 who: (status, body).
	 */
	[ST_RECORD] = { "usage_record",
	    "SELECT status, body FROM cockpit_usage_record($1::uuid, $2, "
	    "$3::uuid, $4::uuid, $5, $6::numeric, $7::numeric, $8::bigint, "
	    "$9::bigint, $10, NULL, $11)" },
	/*
	 * $1 account, $2 user, $3 team, $4 organisation, $5 model, $6
	 * estimated cost, $7 CREDITS_FACTOR, $8 seconds, $9 key, $10 who.
	 */
	[ST_HOLD] = { "reservation_hold",
	    "SELECT status, body FROM cockpit_reservation_hold($1::uuid, $2, "
	    "$3::uuid, $4::uuid, $5, $6::numeric, $7::numeric, $8::int, $9, "
	    "$10)" },
	/* $1 account, $2 reservation: it, or no row. */
	[ST_RESERVATION] = { "reservation_get",
	    "SELECT cockpit_reservation_json(r) FROM budget_reservations r "
	    "WHERE r.account_id = $1 AND r.id = $2" },
	/*
	 * $1 account, $2 reservation, $3 cost, $4 CREDITS_FACTOR, $5 and $6
	 * tokens, $7 key or NULL, $8 who.
	 */
	[ST_CAPTURE] = { "reservation_capture",
	    "SELECT status, body FROM cockpit_reservation_capture($1::uuid, "
	    "$2::uuid, $3::numeric, $4::numeric, $5::bigint, $6::bigint, $7, "
	    "$8)" },
	/* $1 account, $2 reservation. */
	[ST_RELEASE] = { "reservation_release",
	    "SELECT status, body FROM cockpit_reservation_release($1::uuid, "
	    "$2::uuid)" },
};

const struct stmt_set budget_usage_set = { stmts, ST__N };

#define COST_EXPECT	"a decimal string, not negative, with at most 9 " \
	"digits before the point and 12 after"

static const struct field usage_fields[] = {
	{ "user", FIELD_TEXT, FIELD_REQUIRED, 1, 320, NULL, NULL },
	{ "team_id", FIELD_TEXT, FIELD_NULLABLE, 36, 36, uuid_valid,
	    "a team id" },
	{ "organisation_id", FIELD_TEXT, FIELD_NULLABLE, 36, 36, uuid_valid,
	    "an organisation id" },
	{ "model", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "cost", FIELD_TEXT, FIELD_REQUIRED, 1, 22, cost_valid,
	    COST_EXPECT },
	{ "input_tokens", FIELD_INTEGER, 0, 0, TOKENS_MAX, NULL, NULL },
	{ "output_tokens", FIELD_INTEGER, 0, 0, TOKENS_MAX, NULL, NULL },
	{ "idempotency_key", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
};

static const struct field hold_fields[] = {
	{ "user", FIELD_TEXT, FIELD_REQUIRED, 1, 320, NULL, NULL },
	{ "team_id", FIELD_TEXT, FIELD_NULLABLE, 36, 36, uuid_valid,
	    "a team id" },
	{ "organisation_id", FIELD_TEXT, FIELD_NULLABLE, 36, 36, uuid_valid,
	    "an organisation id" },
	{ "model", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "estimated_cost", FIELD_TEXT, FIELD_REQUIRED, 1, 22, cost_valid,
	    COST_EXPECT },
	{ "expires_in", FIELD_INTEGER, 0, 1, HOLD_TTL_MAX, NULL, NULL },
	{ "idempotency_key", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
};

static const struct field capture_fields[] = {
	{ "cost", FIELD_TEXT, FIELD_REQUIRED, 1, 22, cost_valid,
	    COST_EXPECT },
	{ "input_tokens", FIELD_INTEGER, 0, 0, TOKENS_MAX, NULL, NULL },
	{ "output_tokens", FIELD_INTEGER, 0, 0, TOKENS_MAX, NULL, NULL },
	{ "idempotency_key", FIELD_TEXT, 0, 1, 200, NULL, NULL },
};

/* An integer member of a validated body as text into out; dflt if absent. */
static const char *
integer_text(const cJSON *body, const char *name, long dflt, char *out,
    size_t len)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	(void)snprintf(out, len, "%ld", cJSON_IsNumber(v) ?
	    (long)llround(v->valuedouble) : dflt);
	return out;
}

/* Validates the body against fields; 0, or -1 with the request answered. */
static int
body_valid(struct req *r, const struct field *fields, size_t n)
{
	struct field_error	 e;

	if (validate_object(r->body, fields, n, &e) == -1) {
		resp_field_error(r, &e);
		return -1;
	}
	return 0;
}

/* Runs one of the functions and answers what it said (or 402). */
static void
call(struct req *r, int stmt, int n, const char *const *v)
{
	PGresult	*res;

	if ((res = req_stmt(r, &stmts[stmt], n, v, DB_LAST)) == NULL) {
		(void)budget_exceeded(r);
		return;
	}
	budget_answer(r, res);
}

/*
 * POST /v1/budgets/copilot/usage {"user" (id or email), "team_id"?,
 * "organisation_id"?, "model", "cost" (a decimal string), "input_tokens"?,
 * "output_tokens"?, "idempotency_key"}: 200 with the record (credits,
 * the period, and per scope charged: limit, spent, held, remaining), the
 * first answer again for a retried key; 402 budget_exceeded naming the
 * scope; 409 idempotency_conflict; 422 invalid_field (an unknown user or
 * context).
 */
void
usage_record(struct req *r)
{
	char		 in[24], out[24];
	const char	*v[11];

	if (body_valid(r, usage_fields, NFIELDS(usage_fields)) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = text_member(r->body, "user");
	v[2] = text_member(r->body, "team_id");
	v[3] = text_member(r->body, "organisation_id");
	v[4] = text_member(r->body, "model");
	v[5] = text_member(r->body, "cost");
	v[6] = r->w->cfg->credits_factor;
	v[7] = integer_text(r->body, "input_tokens", 0, in, sizeof(in));
	v[8] = integer_text(r->body, "output_tokens", 0, out, sizeof(out));
	v[9] = text_member(r->body, "idempotency_key");
	v[10] = r->principal.actor;
	call(r, ST_RECORD, 11, v);
}

/*
 * POST /v1/budgets/copilot/reservations {"user", "team_id"?,
 * "organisation_id"?, "model", "estimated_cost", "expires_in"? (seconds,
 * 300 by default, at most a day), "idempotency_key"}: 201 with the
 * reservation, holding the estimate's credits on every scope of the path
 * until it is captured, released or expires (200 and the reservation as
 * it is for a retried key); 402, 409 and 422 as a usage.
 */
void
reservation_create(struct req *r)
{
	char		 ttl[24];
	const char	*v[10];

	if (body_valid(r, hold_fields, NFIELDS(hold_fields)) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = text_member(r->body, "user");
	v[2] = text_member(r->body, "team_id");
	v[3] = text_member(r->body, "organisation_id");
	v[4] = text_member(r->body, "model");
	v[5] = text_member(r->body, "estimated_cost");
	v[6] = r->w->cfg->credits_factor;
	v[7] = integer_text(r->body, "expires_in", HOLD_TTL_DEFAULT, ttl,
	    sizeof(ttl));
	v[8] = text_member(r->body, "idempotency_key");
	v[9] = r->principal.actor;
	call(r, ST_HOLD, 10, v);
}

/*
 * GET /v1/budgets/copilot/reservations/{reservation_id}: 200 with it
 * (state held, captured, released or expired); 404 not_found.
 */
void
reservation_get(struct req *r)
{
	const char	*v[2];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = req_param(r, 0);
	if ((res = req_stmt(r, &stmts[ST_RESERVATION], 2, v, DB_LAST)) != NULL)
		json_answer(r, res, 200, "no such reservation");
}

/*
 * POST /v1/budgets/copilot/reservations/{reservation_id}/capture
 * {"cost", "input_tokens"?, "output_tokens"?, "idempotency_key"?}: the
 * holds end and the real cost is recorded as a usage: 200 with it (the
 * same answer for the same capture again); 402 when the cost is more than
 * the holds and what is left; 404; 409 reservation_released or
 * idempotency_conflict (captured with another cost); 410
 * reservation_expired.
 */
void
reservation_capture(struct req *r)
{
	char		 in[24], out[24];
	const char	*v[8];

	if (body_valid(r, capture_fields, NFIELDS(capture_fields)) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = req_param(r, 0);
	v[2] = text_member(r->body, "cost");
	v[3] = r->w->cfg->credits_factor;
	v[4] = integer_text(r->body, "input_tokens", 0, in, sizeof(in));
	v[5] = integer_text(r->body, "output_tokens", 0, out, sizeof(out));
	v[6] = text_member(r->body, "idempotency_key");
	v[7] = r->principal.actor;
	call(r, ST_CAPTURE, 8, v);
}

/*
 * POST /v1/budgets/copilot/reservations/{reservation_id}/release: 200
 * with the reservation, its holds ended (also when it was released or
 * had expired already); 404; 409 reservation_captured.
 */
void
reservation_release(struct req *r)
{
	const char	*v[2];

	if ((v[0] = req_account(r)) == NULL)
		return;
	v[1] = req_param(r, 0);
	call(r, ST_RELEASE, 2, v);
}
