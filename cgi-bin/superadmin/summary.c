/*
 * GET /v1/super-admin/summary: every account at a glance, with the
 * totals over all the accounts the filters match.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credits.h"
#include "list.h"
#include "pagination.h"
#include "superadmin.h"

/* Summary columns (ST_SUMMARY), the totals first. */
enum {
	SC_ACCOUNTS, SC_ACTIVE, SC_SUSPENDED, SC_USERS, SC_GRANTED, SC_USED,
	SC_ID, SC_NAME, SC_SLUG, SC_STATUS, SC_PLAN, SC_ITEM_USERS,
	SC_ITEM_GRANTED, SC_ITEM_USED, SC_CREATED, SC_OPEN_ALERTS,
	SC_ITEM_OPEN_ALERTS
};

static const char *const params[] = {
	"q", "status", "plan", "limit", "cursor", NULL
};

/*
 * Micro-credits that do not fit in 64 bits (only a sum over many accounts
 * can): the same decimal text, from the digits.
 */
static int
credits_json_wide(struct buf *b, const char *micro)
{
	size_t	 n = strlen(micro), whole, end = n;

	if (n <= CREDITS_FRACTION_MAX)
		return -1;
	whole = n - CREDITS_FRACTION_MAX;
	while (end > whole && micro[end - 1] == '0')
		end--;
	if (buf_printf(b, "\"%.*s", (int)whole, micro) == -1)
		return -1;
	if (end > whole && buf_printf(b, ".%.*s", (int)(end - whole),
	    micro + whole) == -1)
		return -1;
	return buf_puts(b, "\"");
}

/*
 * Appends micro-credits given as decimal text (a count or a sum from the
 * database, never negative) as a JSON string of credits ("12.5").
 */
int
credits_json(struct buf *b, const char *micro)
{
	char		 out[CREDITS_STRLEN + 8], *end;
	long long	 v;

	if (micro[0] < '0' || micro[0] > '9' ||
	    strspn(micro, "0123456789") != strlen(micro))
		return -1;
	errno = 0;
	v = strtoll(micro, &end, 10);
	if (errno == ERANGE)
		return credits_json_wide(b, micro);
	if (credits_format(v, out, sizeof(out)) == -1)
		return -1;
	return buf_json_string(b, out);
}

static int
totals_json(struct buf *b, const PGresult *res)
{
	return buf_printf(b, "{\"totals\":{\"accounts\":%s,\"active\":%s,"
	    "\"suspended\":%s,\"users\":%s,\"credits_granted\":",
	    PQgetvalue(res, 0, SC_ACCOUNTS), PQgetvalue(res, 0, SC_ACTIVE),
	    PQgetvalue(res, 0, SC_SUSPENDED), PQgetvalue(res, 0, SC_USERS))
	    == -1 || credits_json(b, PQgetvalue(res, 0, SC_GRANTED)) == -1 ||
	    buf_puts(b, ",\"credits_used\":") == -1 ||
	    credits_json(b, PQgetvalue(res, 0, SC_USED)) == -1 ||
	    buf_printf(b, ",\"open_alerts\":%s},", PQgetvalue(res, 0,
	    SC_OPEN_ALERTS)) == -1 ? -1 : 0;
}

static int
text_field(struct buf *b, const char *name, const PGresult *res, int i,
    int col)
{
	return buf_printf(b, ",\"%s\":", name) == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, col)) == -1 ? -1 : 0;
}

/* Row i as one account of the summary. */
static int
item_json(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, "{\"account_id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, i, SC_ID)) == -1 ||
	    text_field(b, "name", res, i, SC_NAME) == -1 ||
	    text_field(b, "slug", res, i, SC_SLUG) == -1 ||
	    text_field(b, "status", res, i, SC_STATUS) == -1 ||
	    buf_printf(b, ",\"plan\":%s,\"users\":%s,\"credits_granted\":",
	    PQgetvalue(res, i, SC_PLAN), PQgetvalue(res, i, SC_ITEM_USERS))
	    == -1 || credits_json(b, PQgetvalue(res, i, SC_ITEM_GRANTED)) ==
	    -1 || buf_puts(b, ",\"credits_used\":") == -1 ||
	    credits_json(b, PQgetvalue(res, i, SC_ITEM_USED)) == -1 ||
	    buf_printf(b, ",\"open_alerts\":%s", PQgetvalue(res, i,
	    SC_ITEM_OPEN_ALERTS)) == -1 ||
	    text_field(b, "created_at", res, i, SC_CREATED) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

static int
bad(struct req *r, const char *param, const char *what)
{
	resp_error(r, 400, "invalid_parameter", param, "%s must be %s", param,
	    what);
	return -1;
}

/* ?q=, ?status=, ?plan=, ?limit=, ?cursor= into v[0..4] and page. */
static int
filters(struct req *r, struct buf *pattern, struct page *page,
    const char **v)
{
	v[1] = req_query(r, "status");
	v[2] = req_query(r, "plan");
	if (v[1] != NULL && strcmp(v[1], "active") != 0 &&
	    strcmp(v[1], "suspended") != 0)
		return bad(r, "status", "active or suspended");
	if (v[2] != NULL && !slug_valid(v[2]))
		return bad(r, "plan", "a plan's slug");
	if (req_page(r, page, 0) == -1 || req_search(r, pattern) == -1)
		return -1;
	v[0] = pattern->data;
	v[3] = page->has_cursor ? page->after_ts : NULL;
	v[4] = page->has_cursor ? page->after_id : NULL;
	return 0;
}

/* The answer: the totals, then the page as every list writes it. */
static int
summary_json(struct buf *out, const PGresult *res, int limit)
{
	struct buf	 page = { 0 };
	int		 rows = PQntuples(res), rc;

	if (rows == 1 && PQgetisnull(res, 0, SC_ID))
		rows = 0;
	rc = page_json(&page, res, rows, limit, SC_CREATED, SC_ID,
	    item_json) == -1 || totals_json(out, res) == -1 ||
	    buf_append(out, page.data + 1, page.len - 1) == -1 ? -1 : 0;
	buf_free(&page);
	return rc;
}

/*
 * GET /v1/super-admin/summary?q=&status=&plan=&limit=&cursor=: 200 with
 * {"totals", "items", "next_cursor"}, the accounts in creation order;
 * 400 unknown_parameter or invalid_parameter.
 */
void
summary_get(struct req *r)
{
	struct buf	 pattern = { 0 };
	struct page	 page;
	const char	*v[6];
	char		 fetch[16];
	PGresult	*res;

	if (req_query_allow(r, params) == -1)
		return;
	if (filters(r, &pattern, &page, v) == -1) {
		buf_free(&pattern);
		return;
	}
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[5] = fetch;
	res = req_sql(r, ST_SUMMARY, 6, v, DB_LAST);
	buf_free(&pattern);
	if (res == NULL)
		return;
	if (PQntuples(res) < 1)
		resp_error(r, 500, "internal_error", NULL, "the summary had no "
		    "totals; quote the request id when reporting it");
	else if (summary_json(&r->out, res, page.limit) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}
