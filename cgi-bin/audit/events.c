/* GET /v1/audit: the audit trail, filtered, newest first. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pagination.h"
#include "trail.h"
#include "uuid.h"

#define FILTER_MAX	320	/* characters in a text filter */

static const char *const params[] = {
	"account_id", "actor", "action", "target_type", "target_id", "from",
	"to", "limit", "cursor", NULL
};

static const char *const text_filters[] = {
	"actor", "action", "target_type", "target_id", NULL
};

/* An optional column as a JSON string, or null. */
static int
text_or_null(struct buf *b, const PGresult *res, int i, int col)
{
	return PQgetisnull(res, i, col) || *PQgetvalue(res, i, col) == '\0' ?
	    buf_puts(b, "null") : buf_json_string(b, PQgetvalue(res, i, col));
}

static int
field(struct buf *b, const char *name, const PGresult *res, int i, int col)
{
	return buf_printf(b, ",\"%s\":", name) == -1 ||
	    text_or_null(b, res, i, col) == -1 ? -1 : 0;
}

/* Row i of ST_EVENTS as one event. */
static int
event_json(struct buf *b, const PGresult *res, int i)
{
	return buf_printf(b, "{\"id\":%s,\"seq\":%s", PQgetvalue(res, i, 0),
	    PQgetvalue(res, i, 2)) == -1 ||
	    field(b, "account_id", res, i, 1) == -1 ||
	    field(b, "occurred_at", res, i, 3) == -1 ||
	    field(b, "actor", res, i, 4) == -1 ||
	    field(b, "actor_role", res, i, 5) == -1 ||
	    field(b, "action", res, i, 6) == -1 ||
	    field(b, "target_type", res, i, 7) == -1 ||
	    field(b, "target_id", res, i, 8) == -1 ||
	    field(b, "request_id", res, i, 9) == -1 ||
	    field(b, "before_digest", res, i, 10) == -1 ||
	    field(b, "after_digest", res, i, 11) == -1 ||
	    field(b, "hash", res, i, 12) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

static int
digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
number(const char *s, size_t n)
{
	int	 v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* YYYY-MM-DD, a day the calendar has. */
static int
date_valid(const char *s)
{
	static const int	 days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			 y, m, d, leap;

	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2))
		return 0;
	y = number(s, 4);
	m = number(s + 5, 2);
	d = number(s + 8, 2);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	return m != 2 || d < 29 || leap;
}

/*
 * A time filter: YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS with up to six
 * decimals of a second, then Z (UTC); a real day and time.
 */
static int
time_valid(const char *s)
{
	size_t	 n = strlen(s), f;

	if (n == 10)
		return date_valid(s);
	if (n < 20 || n > 27 || !date_valid(s) || s[10] != 'T' ||
	    !digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2) ||
	    s[16] != ':' || !digits(s + 17, 2) || s[n - 1] != 'Z' ||
	    number(s + 11, 2) > 23 || number(s + 14, 2) > 59 ||
	    number(s + 17, 2) > 59)
		return 0;
	if (n == 20)
		return 1;
	f = n - 21;
	return s[19] == '.' && f >= 1 && digits(s + 20, f);
}

static int
bad(struct req *r, const char *param, const char *what)
{
	resp_error(r, 400, "invalid_parameter", param, "%s must be %s", param,
	    what);
	return -1;
}

/*
 * ?account_id=: a super admin may name an account, or "platform" for the
 * platform's own chain; anyone else only their own account (404 for any
 * other). v[0] and v[1] get the statement's two parameters.
 */
static int
account_filter(struct req *r, const char **v)
{
	const char		*a = req_query(r, "account_id");
	const struct principal	*p = &r->principal;

	v[0] = v[1] = NULL;
	if (a == NULL)
		return 0;
	if (strcmp(a, "platform") == 0) {
		if (!p->platform)
			return bad(r, "account_id", "an account id");
		v[1] = "platform";
		return 0;
	}
	if (!uuid_valid(a))
		return bad(r, "account_id", "an account id or platform");
	if (!p->platform && strcasecmp(a, p->account_id) != 0) {
		resp_error(r, 404, "not_found", "account_id", "no such account");
		return -1;
	}
	v[0] = a;
	return 0;
}

/* The text filters, the time range and the cursor, into v[2..8]. */
static int
filters(struct req *r, const char **v, char *after, size_t len)
{
	const char	*s, *cursor = req_query(r, "cursor");
	long long	 id;
	size_t		 i;

	for (i = 0; text_filters[i] != NULL; i++) {
		s = req_query(r, text_filters[i]);
		if (s != NULL && (*s == '\0' || !utf8_valid(s, strlen(s)) ||
		    utf8_chars(s) > FILTER_MAX))
			return bad(r, text_filters[i], "UTF-8 text of 1 to 320 "
			    "characters");
		v[2 + i] = s;
	}
	if ((v[6] = req_query(r, "from")) != NULL && !time_valid(v[6]))
		return bad(r, "from", "a real date, or an RFC 3339 UTC time");
	if ((v[7] = req_query(r, "to")) != NULL && !time_valid(v[7]))
		return bad(r, "to", "a real date, or an RFC 3339 UTC time");
	v[8] = PAGE_SERIAL_MAX;
	if (cursor != NULL) {
		if (serial_cursor_decode(cursor, &id) == -1) {
			resp_error(r, 400, "invalid_parameter", "cursor",
			    "cursor is not one this list gave out");
			return -1;
		}
		(void)snprintf(after, len, "%lld", id);
		v[8] = after;
	}
	return 0;
}

/*
 * GET /v1/audit?account_id=&actor=&action=&target_type=&target_id=
 * &from=&to=&limit=&cursor=: 200 with a page of events, newest first;
 * 400 unknown_parameter or invalid_parameter; 404 for another account.
 * Super admins see every chain, account admins their account's.
 */
void
audit_events(struct req *r)
{
	struct page	 page;
	const char	*v[10], *bad_param;
	char		 after[24], fetch[16];
	PGresult	*res;

	if (req_query_allow(r, params) == -1)
		return;
	if (page_parse(req_query(r, "limit"), NULL, &page, &bad_param) == -1) {
		(void)bad(r, "limit", "a whole number from 1 to 200");
		return;
	}
	if (account_filter(r, v) == -1 ||
	    filters(r, v, after, sizeof(after)) == -1)
		return;
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[9] = fetch;
	if ((res = req_sql(r, ST_EVENTS, 10, v, DB_LAST | DB_CUSTOM_PLAN)) ==
	    NULL)
		return;
	if (page_json(&r->out, res, PQntuples(res), page.limit, -1, 0,
	    event_json) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}
