/*
 * POST /v1/super-admin/bulk-actions: one action over up to BULK_IDS_MAX
 * accounts in one statement (so one round trip, all or nothing), with an
 * answer per account. An account that is not there, or that the action
 * cannot take, is reported and does not stop the others.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "credits.h"
#include "superadmin.h"
#include "uuid.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

/* An action: its statement and how its before and after are written. */
struct action {
	const char	*name;
	enum superadmin_stmt stmt;
	const char	*status;	/* suspend and activate: the status */
	const char	*key;		/* the member of before and after */
	int		(*value)(struct buf *, const char *);
};

/* A request, checked: the action, the ids as a uuid[] literal. */
struct bulk {
	const struct action	*a;
	struct buf		 ids;
	int			 count;		/* ids */
	int			 dry_run;
	char			 micro[24];	/* grant_credits */
};

/* A plan's JSON text, as the statement made it. */
static int
raw_json(struct buf *b, const char *json)
{
	return buf_puts(b, json);
}

static const struct action actions[] = {
	{ "suspend", ST_BULK_STATUS, "suspended", "status", buf_json_string },
	{ "activate", ST_BULK_STATUS, "active", "status", buf_json_string },
	{ "change_plan", ST_BULK_PLAN, NULL, "plan", raw_json },
	{ "grant_credits", ST_BULK_GRANT, NULL, "credits_granted",
	    credits_json },
};

/* The string member name of body, or NULL. */
static const char *
text_value(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const struct action *
action_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < NFIELDS(actions); i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	return NULL;
}

static int
action_valid(const char *s)
{
	return action_find(s) != NULL;
}

/* Credits to grant: a decimal string above 0. */
static int
credits_valid(const char *s)
{
	int64_t	 micro;

	return credits_parse(s, &micro) == 0 && micro > 0;
}

/* Every member but account_ids, which ids_parse() checks. */
static const struct field fields[] = {
	{ "action", FIELD_TEXT, FIELD_REQUIRED, 1, 32, action_valid,
	    "suspend, activate, change_plan or grant_credits" },
	{ "plan", FIELD_TEXT, 0, SLUG_MIN, SLUG_MAX, slug_valid,
	    "a plan's slug" },
	{ "credits", FIELD_TEXT, 0, 1, CREDITS_STRLEN, credits_valid,
	    "a decimal string of credits above 0, with at most 6 decimals" },
	{ "reason", FIELD_TEXT, 0, 0, REASON_MAX, NULL, NULL },
	{ "dry_run", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
};

static int
fail(struct field_error *e, const char *field, const char *message)
{
	e->status = 422;
	e->code = "invalid_field";
	(void)snprintf(e->field, sizeof(e->field), "%s", field);
	(void)snprintf(e->message, sizeof(e->message), "%s", message);
	return -1;
}

/* Item i of account_ids: a UUID not given before. */
static int
id_check(const cJSON *ids, const cJSON *item, int i, struct field_error *e)
{
	const cJSON	*prev;
	char		 field[32], msg[64];
	int		 k = 0;

	(void)snprintf(field, sizeof(field), "account_ids[%d]", i);
	if (!cJSON_IsString(item) || !uuid_valid(item->valuestring))
		return fail(e, field, "must be an account id (a UUID)");
	for (prev = ids->child; prev != item; prev = prev->next, k++)
		if (strcasecmp(prev->valuestring, item->valuestring) == 0) {
			(void)snprintf(msg, sizeof(msg), "repeats "
			    "account_ids[%d]", k);
			return fail(e, field, msg);
		}
	return 0;
}

/*
 * account_ids: 1 to BULK_IDS_MAX distinct account ids, written into out
 * as a PostgreSQL uuid[] literal. Their number, -1 with e filled, or -2
 * out of memory.
 */
static int
ids_parse(const cJSON *ids, struct buf *out, struct field_error *e)
{
	const cJSON	*item;
	char		 id[UUID_STRLEN + 1], msg[64];
	int		 i = 0, n;

	if (ids == NULL)
		return fail(e, "account_ids", "is required");
	if (!cJSON_IsArray(ids))
		return fail(e, "account_ids", "must be an array of account "
		    "ids");
	if ((n = cJSON_GetArraySize(ids)) < 1 || n > BULK_IDS_MAX) {
		(void)snprintf(msg, sizeof(msg), "must name 1 to %d accounts",
		    BULK_IDS_MAX);
		return fail(e, "account_ids", msg);
	}
	cJSON_ArrayForEach(item, ids)
		if (id_check(ids, item, i++, e) == -1)
			return -1;
	if (buf_puts(out, "{") == -1)
		return -2;
	cJSON_ArrayForEach(item, ids) {
		(void)snprintf(id, sizeof(id), "%s", item->valuestring);
		uuid_lower(id);
		if (buf_printf(out, "%s%s", item == ids->child ? "" : ",",
		    id) == -1)
			return -2;
	}
	return buf_puts(out, "}") == -1 ? -2 : n;
}

/* A member that only one action takes: required there, refused elsewhere. */
static int
only_for(const cJSON *body, const char *member, const char *action,
    const struct action *a, int required, struct field_error *e)
{
	char	 msg[96];
	int	 given = cJSON_GetObjectItemCaseSensitive(body, member) != NULL;

	if (strcmp(a->name, action) == 0 && required && !given) {
		(void)snprintf(msg, sizeof(msg), "is required for %s", action);
		return fail(e, member, msg);
	}
	if (strcmp(a->name, action) != 0 && given) {
		(void)snprintf(msg, sizeof(msg), "is taken only with %s",
		    action);
		return fail(e, member, msg);
	}
	return 0;
}

/* The body's members but account_ids, against the allow-list. */
static int
members_check(cJSON *body, struct field_error *e, int *nomem)
{
	cJSON	*ids;
	int	 rc;

	ids = cJSON_DetachItemFromObjectCaseSensitive(body, "account_ids");
	rc = validate_object(body, fields, NFIELDS(fields), e);
	if (ids != NULL && !cJSON_AddItemToObject(body, "account_ids", ids)) {
		cJSON_Delete(ids);
		*nomem = 1;
		return -1;
	}
	return rc;
}

/*
 * The whole body, before anything is looked up: 0 with bk filled, or -1
 * with the request answered (400, 422 or out of memory).
 */
static int
body_check(struct req *r, struct bulk *bk)
{
	struct field_error	 e;
	const char		*credits;
	int64_t			 micro;
	int			 nomem = 0, rc;

	if (members_check(r->body, &e, &nomem) == -1) {
		if (nomem)
			resp_nomem(r);
		else
			resp_field_error(r, &e);
		return -1;
	}
	bk->a = action_find(text_value(r->body, "action"));
	bk->dry_run = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->body,
	    "dry_run"));
	if ((rc = ids_parse(cJSON_GetObjectItemCaseSensitive(r->body,
	    "account_ids"), &bk->ids, &e)) == -2) {
		resp_nomem(r);
		return -1;
	}
	bk->count = rc;
	if (rc == -1 ||
	    only_for(r->body, "plan", "change_plan", bk->a, 1, &e) == -1 ||
	    only_for(r->body, "credits", "grant_credits", bk->a, 1, &e) == -1 ||
	    only_for(r->body, "reason", "grant_credits", bk->a, 0, &e) == -1) {
		resp_field_error(r, &e);
		return -1;
	}
	/* Checked by credits_valid() already: it parses. */
	if ((credits = text_value(r->body, "credits")) != NULL &&
	    credits_parse(credits, &micro) == 0)
		(void)snprintf(bk->micro, sizeof(bk->micro), "%" PRId64, micro);
	return 0;
}

static const char *
error_message(const char *code)
{
	if (strcmp(code, "not_found") == 0)
		return "no such account";
	return "the account's granted credits would pass the most the "
	    "platform counts";
}

static int
side_json(struct buf *b, const char *side, const struct action *a,
    const char *value)
{
	return buf_printf(b, ",\"%s\":{\"%s\":", side, a->key) == -1 ||
	    a->value(b, value) == -1 || buf_puts(b, "}") == -1 ? -1 : 0;
}

/* Row i: one account's result. */
static int
result_json(struct buf *b, const struct action *a, const PGresult *res,
    int i)
{
	const char	*outcome = PQgetvalue(res, i, BC_OUTCOME),
			*code = PQgetvalue(res, i, BC_ERROR);

	if (buf_puts(b, i == 0 ? "{\"account_id\":" : ",{\"account_id\":")
	    == -1 || buf_json_string(b, PQgetvalue(res, i, BC_ACCOUNT)) == -1 ||
	    buf_printf(b, ",\"outcome\":\"%s\"", outcome) == -1)
		return -1;
	if (strcmp(outcome, "failed") == 0)
		return buf_printf(b, ",\"error\":{\"code\":\"%s\",\"message\":"
		    "\"%s\"}}", code, error_message(code)) == -1 ? -1 : 0;
	return side_json(b, "before", a, PQgetvalue(res, i, BC_BEFORE)) ==
	    -1 || side_json(b, "after", a, PQgetvalue(res, i, BC_AFTER)) ==
	    -1 || buf_puts(b, "}") == -1 ? -1 : 0;
}

/* The answer: the action, the counts, then each account in order. */
static int
bulk_json(struct buf *b, const struct action *a, int dry_run,
    const PGresult *res)
{
	const char	*o;
	int		 i, n = PQntuples(res), changed = 0, unchanged = 0;

	for (i = 0; i < n; i++) {
		o = PQgetvalue(res, i, BC_OUTCOME);
		if (strcmp(o, "changed") == 0 || strcmp(o, "would_change") == 0)
			changed++;
		else if (strcmp(o, "unchanged") == 0)
			unchanged++;
	}
	if (buf_printf(b, "{\"action\":\"%s\",\"dry_run\":%s,\"counts\":"
	    "{\"changed\":%d,\"unchanged\":%d,\"failed\":%d},\"results\":[",
	    a->name, dry_run ? "true" : "false", changed, unchanged,
	    n - changed - unchanged) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (result_json(b, a, res, i) == -1)
			return -1;
	return buf_puts(b, "]}");
}

/* change_plan: whether the plan may be given; else 422 and 0. */
static int
plan_usable(struct req *r, const PGresult *res, const char *plan)
{
	if (strcmp(PQgetvalue(res, 0, BC_PLAN_FOUND), "t") != 0)
		resp_error(r, 422, "invalid_field", "plan", "no plan has the "
		    "slug \"%s\"", plan);
	else if (strcmp(PQgetvalue(res, 0, BC_PLAN_ACTIVE), "t") != 0)
		resp_error(r, 422, "invalid_field", "plan", "plan \"%s\" is "
		    "retired", plan);
	else
		return 1;
	return 0;
}

/* Runs the action's statement with its parameters; NULL: answered. */
static PGresult *
run(struct req *r, const struct bulk *bk)
{
	const char	*v[5 + AUDIT_WHO_PARAMS], *reason;
	int		 n = 0;

	v[n++] = bk->ids.data;
	v[n++] = bk->dry_run ? "t" : "f";
	if (bk->a->stmt == ST_BULK_STATUS)
		v[n++] = bk->a->status;
	else if (bk->a->stmt == ST_BULK_PLAN)
		v[n++] = text_value(r->body, "plan");
	else {
		reason = text_value(r->body, "reason");
		v[n++] = bk->micro;
		v[n++] = reason != NULL ? reason : "";
	}
	audit_who(r, v + n);
	return req_sql(r, bk->a->stmt, n + AUDIT_WHO_PARAMS, v, DB_LAST);
}

/*
 * POST /v1/super-admin/bulk-actions {"action", "account_ids", "plan"?,
 * "credits"?, "reason"?, "dry_run"?}: 200 with a result per account, in
 * the order asked; 400 unknown_field; 422 invalid_field (nothing is then
 * changed). Exactly one audit event per account changed, none in a dry
 * run.
 */
void
bulk_action(struct req *r)
{
	struct bulk	 bk;
	PGresult	*res;

	memset(&bk, 0, sizeof(bk));
	if (body_check(r, &bk) == -1) {
		buf_free(&bk.ids);
		return;
	}
	res = run(r, &bk);
	buf_free(&bk.ids);
	if (res == NULL)
		return;
	if (PQntuples(res) != bk.count)
		resp_error(r, 500, "internal_error", NULL, "not every account "
		    "was answered; quote the request id when reporting it");
	else if (bk.a->stmt != ST_BULK_PLAN ||
	    plan_usable(r, res, text_value(r->body, "plan"))) {
		if (bulk_json(&r->out, bk.a, bk.dry_run, res) == -1)
			resp_nomem(r);
		else
			resp_ok(r, 200);
	}
	PQclear(res);
}
