/*
 * What every provisioning route shares: its body's dry_run, the
 * account's settings, the management API's context with the request's
 * deadline, the steps taken, their audit events and the answer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "provisioning.h"
#include "audit.h"

static const char *const step_names[STEP__MAX] = {
	"done", "would_do", "unchanged", "failed"
};

/*
 * Starts p for r. fields is the body's allow-list (it must hold
 * "dry_run"); NULL for a route without a body, which only plans. 0, or
 * -1 with the request answered (400, 422).
 */
int
prov_open(struct req *r, struct prov *p, const struct field *fields,
    size_t n)
{
	struct field_error	 e;
	const cJSON		*dry;

	memset(p, 0, sizeof(*p));
	p->r = r;
	p->account = req_param(r, 0);
	p->failure = MGMT_OK;
	p->dry_run = 1;
	if (fields == NULL)
		return 0;
	if (validate_object(r->body, fields, n, &e) == -1) {
		resp_field_error(r, &e);
		return -1;
	}
	dry = cJSON_GetObjectItemCaseSensitive(r->body, "dry_run");
	p->dry_run = cJSON_IsTrue(dry);
	return 0;
}

void
prov_close(struct prov *p)
{
	buf_free(&p->steps);
}

static void
copy(char *out, size_t len, const PGresult *res, int col)
{
	(void)snprintf(out, len, "%s", PQgetvalue(res, 0, col));
}

/* The settings' row, checked: 0, or -1 with the request answered. */
static int
settings(struct prov *p, PGresult *res)
{
	struct req	*r = p->r;

	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (PQgetisnull(res, 0, 1))
		resp_error(r, 409, "zitadel_not_set_up", NULL, "the account "
		    "has no Zitadel project: set it with PUT /v1/accounts/%s/"
		    "zitadel/config first", p->account);
	else if (PQgetisnull(res, 0, 0) ||
	    !zitadel_id_valid(PQgetvalue(res, 0, 0)))
		resp_error(r, 409, "zitadel_not_set_up", NULL, "the account "
		    "has no usable Zitadel organisation: set auth_org_id with "
		    "POST /v1/accounts/%s/sso first", p->account);
	else {
		copy(p->org, sizeof(p->org), res, 0);
		copy(p->project, sizeof(p->project), res, 1);
		copy(p->admin_role, sizeof(p->admin_role), res, 2);
		copy(p->user_role, sizeof(p->user_role), res, 3);
		PQclear(res);
		return 0;
	}
	PQclear(res);
	return -1;
}

/*
 * The calls' deadline: the request's own (COCKPIT_REQUEST_TIMEOUT from
 * when it started) less a margin for the database, and never less than
 * half a second.
 */
static void
deadline(const struct req *r, struct timespec *d)
{
	long	 ms = (long)r->w->cfg->request_timeout * 1000 -
		    DEADLINE_MARGIN_MS;

	if (ms < 500)
		ms = 500;
	*d = r->started;
	d->tv_sec += ms / 1000;
	d->tv_nsec += (ms % 1000) * 1000000L;
	if (d->tv_nsec >= 1000000000L) {
		d->tv_sec++;
		d->tv_nsec -= 1000000000L;
	}
}

/*
 * Loads what provisioning needs: the management API's configuration
 * (503 zitadel_not_configured), the account (404) and its settings (409
 * zitadel_not_set_up). 0, or -1 with the request answered.
 */
int
prov_load(struct prov *p)
{
	struct req	*r = p->r;
	const char	*v[1] = { p->account };
	struct timespec	 d;
	PGresult	*res;

	if (!mgmt_configured(r->w->cfg)) {
		resp_error(r, 503, "zitadel_not_configured", NULL, "Zitadel's "
		    "management API is not configured: set "
		    "ZITADEL_MGMT_API_TOKEN, or ZITADEL_CLIENT_ID and "
		    "ZITADEL_CLIENT_SECRET with ZITADEL_ISSUER "
		    "(cockpit.conf(5))");
		return -1;
	}
	if ((res = req_sql(r, ST_CONFIG_GET, 1, v, DB_LAST)) == NULL ||
	    settings(p, res) == -1)
		return -1;
	deadline(r, &d);
	mgmt_init(&p->m, r->w->cfg, &r->w->oidc, &r->w->mgmt, p->org, &d);
	return 0;
}

/* Appends one step {action, target, status, detail} to the answer. */
void
prov_step(struct prov *p, const char *action, const char *target,
    enum step_status status, const char *fmt, ...)
{
	char	 detail[512];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	p->count[status]++;
	if (buf_puts(&p->steps, p->steps.len > 0 ? ",{\"action\":" :
	    "{\"action\":") == -1 ||
	    buf_json_string(&p->steps, action) == -1 ||
	    buf_puts(&p->steps, ",\"target\":") == -1 ||
	    buf_json_string(&p->steps, target) == -1 ||
	    buf_printf(&p->steps, ",\"status\":\"%s\",\"detail\":",
	    step_names[status]) == -1 ||
	    buf_json_string(&p->steps, detail) == -1 ||
	    buf_puts(&p->steps, "}") == -1)
		p->nomem = 1;
}

/*
 * Audits a change made in Zitadel, in a transaction of its own: action,
 * the target's type and id, and the change as text (digested). 0, or -1
 * with the request answered.
 */
int
prov_audit(struct prov *p, const char *action, const char *type,
    const char *target, const char *after)
{
	const char	*v[5 + AUDIT_WHO_PARAMS] = { p->account, action, type,
			    target, after };
	PGresult	*res;

	audit_who(p->r, v + 5);
	if ((res = req_sql(p->r, ST_AUDIT, 8, v, DB_LAST)) == NULL) {
		log_error(&p->r->w->log, "a change made in Zitadel is not "
		    "audited", "request_id", p->r->request_id, "action",
		    action, "target", target);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* The steps as a JSON array member, and the summary. */
static int
steps_json(const struct prov *p, struct buf *b)
{
	return buf_puts(b, "\"steps\":[") == -1 ||
	    (p->steps.len > 0 && buf_append(b, p->steps.data,
	    p->steps.len) == -1) ||
	    buf_printf(b, "],\"summary\":{\"done\":%u,\"would_do\":%u,"
	    "\"unchanged\":%u,\"failed\":%u}", p->count[STEP_DONE],
	    p->count[STEP_WOULD_DO], p->count[STEP_UNCHANGED],
	    p->count[STEP_FAILED]) == -1 ? -1 : 0;
}

/*
 * 200 {"account_id","org_id","project_id","dry_run","steps":[...],
 * "summary":{"done","would_do","unchanged","failed"}}.
 */
void
prov_answer(struct prov *p)
{
	struct buf	*b = &p->r->out;

	if (p->nomem || buf_puts(b, "{\"account_id\":") == -1 ||
	    buf_json_string(b, p->account) == -1 ||
	    buf_puts(b, ",\"org_id\":") == -1 ||
	    buf_json_string(b, p->org) == -1 ||
	    buf_puts(b, ",\"project_id\":") == -1 ||
	    buf_json_string(b, p->project) == -1 ||
	    buf_printf(b, ",\"dry_run\":%s,", p->dry_run ? "true" :
	    "false") == -1 || steps_json(p, b) == -1 || buf_puts(b, "}") == -1)
		resp_nomem(p->r);
	else
		resp_ok(p->r, 200);
}

/*
 * 502 zitadel_unavailable (no answer in time) or zitadel_error (an
 * answer that is not a usable one), saying what Zitadel did, and how many
 * changes made before the failure stay (each audited).
 */
void
prov_failed(struct prov *p)
{
	struct req	*r = p->r;
	unsigned	 done = p->count[STEP_DONE];

	log_warn(&r->w->log, "Zitadel failed", "request_id", r->request_id,
	    "account_id", p->account, "error", p->err);
	if (done == 0)
		resp_error(r, 502, p->failure == MGMT_UNAVAILABLE ?
		    "zitadel_unavailable" : "zitadel_error", NULL, "%s",
		    p->err);
	else
		resp_error(r, 502, p->failure == MGMT_UNAVAILABLE ?
		    "zitadel_unavailable" : "zitadel_error", NULL, "%s; the %u "
		    "change%s made before stay%s, audited", p->err, done,
		    done == 1 ? "" : "s", done == 1 ? "s" : "");
}

/* Answers a route's run: rc 0 is the steps, -1 a failure. */
void
prov_finish(struct prov *p, int rc)
{
	if (rc == 0)
		prov_answer(p);
	else if (p->failure != MGMT_OK)
		prov_failed(p);
	prov_close(p);
}

/*
 * The account's active admins' emails, at most SYNC_ADMINS_MAX: the
 * result, or NULL with the request answered.
 */
PGresult *
prov_admin_emails(struct prov *p)
{
	char		 max[16];
	const char	*v[2] = { p->account, max };

	(void)snprintf(max, sizeof(max), "%d", SYNC_ADMINS_MAX);
	return req_sql(p->r, ST_ADMIN_EMAILS, 2, v, DB_LAST);
}
