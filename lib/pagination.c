/* Cursors, page sizes and search patterns. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "pagination.h"
#include "uuid.h"

/* Checks the exact timestamp form the API writes: 2026-11-23T10:00:00.123456Z */
int
timestamp_valid(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t			 i;

	if (strlen(s) != CURSOR_TS_LEN)
		return 0;
	for (i = 0; i < CURSOR_TS_LEN; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) :
		    s[i] != shape[i])
			return 0;
	return 1;
}

int
cursor_encode(const char *ts, const char *id, char *out, size_t len)
{
	char	 raw[CURSOR_TS_LEN + 1 + 36 + 1];
	int	 n;

	n = snprintf(raw, sizeof(raw), "%s|%s", ts, id);
	if (n != (int)sizeof(raw) - 1 || len < B64URL_LEN((size_t)n) + 1)
		return -1;
	b64url_encode((const unsigned char *)raw, (size_t)n, out);
	return 0;
}

int
cursor_decode(const char *cursor, struct page *p)
{
	unsigned char	 raw[CURSOR_TS_LEN + 1 + 36];
	long		 n;

	if (strlen(cursor) > CURSOR_MAX ||
	    (n = b64url_decode(cursor, strlen(cursor), raw, sizeof(raw))) !=
	    (long)sizeof(raw) || raw[CURSOR_TS_LEN] != '|')
		return -1;
	memcpy(p->after_ts, raw, CURSOR_TS_LEN);
	p->after_ts[CURSOR_TS_LEN] = '\0';
	memcpy(p->after_id, raw + CURSOR_TS_LEN + 1, 36);
	p->after_id[36] = '\0';
	if (!timestamp_valid(p->after_ts) || !uuid_valid(p->after_id))
		return -1;
	uuid_lower(p->after_id);
	return 0;
}

/*
 * A cursor for lists sorted by a key other than creation (a name):
 * "k|<id>|<key>", base64url. Returns 0, or -1 when it does not fit.
 */
int
key_cursor_encode(const char *key, const char *id, char *out, size_t len)
{
	char	 raw[2 + 36 + 1 + PAGE_KEY_MAX + 1];
	int	 n;

	if (strlen(id) != 36 || strlen(key) > PAGE_KEY_MAX)
		return -1;
	n = snprintf(raw, sizeof(raw), "k|%s|%s", id, key);
	if (n < 0 || (size_t)n >= sizeof(raw) ||
	    B64URL_LEN((size_t)n) + 1 > len)
		return -1;
	b64url_encode((const unsigned char *)raw, (size_t)n, out);
	return 0;
}

/* A key cursor into p; 0, or -1 when it is not one of ours. */
static int
key_cursor_decode(const char *cursor, struct page *p)
{
	unsigned char	 raw[2 + 36 + 1 + PAGE_KEY_MAX];
	long		 n;

	if (strlen(cursor) > KEY_CURSOR_MAX || (n = b64url_decode(cursor,
	    strlen(cursor), raw, sizeof(raw))) < 2 + 36 + 1 ||
	    raw[0] != 'k' || raw[1] != '|' || raw[38] != '|' ||
	    memchr(raw, '\0', (size_t)n) != NULL)
		return -1;
	memcpy(p->after_id, raw + 2, 36);
	p->after_id[36] = '\0';
	memcpy(p->after_key, raw + 39, (size_t)n - 39);
	p->after_key[n - 39] = '\0';
	if (!uuid_valid(p->after_id))
		return -1;
	uuid_lower(p->after_id);
	p->keyed = 1;
	return 0;
}

static int
limit_parse(const char *s, int *out)
{
	long	 n = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = n * 10 + (*s - '0');
	}
	if (n < 1 || n > PAGE_MAX)
		return -1;
	*out = (int)n;
	return 0;
}

/*
 * Fills p from the raw ?limit= and ?cursor= values (either may be NULL).
 * On a bad value returns -1 with *bad naming the parameter.
 */
int
page_parse(const char *limit, const char *cursor, struct page *p,
    const char **bad)
{
	memset(p, 0, sizeof(*p));
	p->limit = PAGE_DEFAULT;
	if (limit != NULL && limit_parse(limit, &p->limit) == -1) {
		*bad = "limit";
		return -1;
	}
	if (cursor != NULL) {
		if (cursor_decode(cursor, p) == -1) {
			*bad = "cursor";
			return -1;
		}
		p->has_cursor = 1;
	}
	return 0;
}

/* page_parse() for a list sorted by a key: the cursor is a key cursor. */
int
page_parse_keyed(const char *limit, const char *cursor, struct page *p,
    const char **bad)
{
	if (page_parse(limit, NULL, p, bad) == -1)
		return -1;
	p->keyed = 1;
	if (cursor != NULL) {
		if (key_cursor_decode(cursor, p) == -1) {
			*bad = "cursor";
			return -1;
		}
		p->has_cursor = 1;
	}
	return 0;
}

/* Appends the ILIKE pattern matching q anywhere, with \ % _ escaped. */
int
like_contains(const char *q, struct buf *b)
{
	if (buf_append(b, "%", 1) == -1)
		return -1;
	for (; *q != '\0'; q++) {
		if ((*q == '%' || *q == '_' || *q == '\\') &&
		    buf_append(b, "\\", 1) == -1)
			return -1;
		if (buf_append(b, q, 1) == -1)
			return -1;
	}
	return buf_append(b, "%", 1);
}

/*
 * A cursor for tables walked by a serial id alone (the audit trail):
 * "n|<id>", base64url. Returns 0, or -1 when id is not a positive number
 * or does not fit.
 */
int
serial_cursor_encode(const char *id, char *out, size_t len)
{
	char	 raw[32];
	int	 n;

	if (*id == '\0' || strspn(id, "0123456789") != strlen(id) ||
	    strlen(id) > 19)
		return -1;
	n = snprintf(raw, sizeof(raw), "n|%s", id);
	if (n < 0 || (size_t)n >= sizeof(raw) ||
	    B64URL_LEN((size_t)n) + 1 > len)
		return -1;
	b64url_encode((const unsigned char *)raw, (size_t)n, out);
	return 0;
}

/* The id a serial cursor holds; 0, or -1 when it is not one of ours. */
int
serial_cursor_decode(const char *cursor, long long *id)
{
	unsigned char	 raw[32];
	char		 digits[24], *end;
	long		 n;

	if (strlen(cursor) > CURSOR_MAX || (n = b64url_decode(cursor,
	    strlen(cursor), raw, sizeof(raw) - 1)) < 3 || raw[0] != 'n' ||
	    raw[1] != '|' || n - 2 >= (long)sizeof(digits))
		return -1;
	memcpy(digits, raw + 2, (size_t)n - 2);
	digits[n - 2] = '\0';
	if (strspn(digits, "0123456789") != strlen(digits))
		return -1;
	errno = 0;
	*id = strtoll(digits, &end, 10);
	return errno != 0 || *end != '\0' || *id < 1 ? -1 : 0;
}

/* Writes {"items":[ and the first nrows rows, at most limit. */
static int
page_items(struct buf *b, const PGresult *res, int nrows, int limit,
    page_item_fn item)
{
	int	 i;

	if (buf_puts(b, "{\"items\":[") == -1)
		return -1;
	for (i = 0; i < nrows && i < limit; i++)
		if ((i > 0 && buf_puts(b, ",") == -1) ||
		    item(b, res, i) == -1)
			return -1;
	return 0;
}

/*
 * Writes {"items":[...],"next_cursor":...} for the first nrows rows of a
 * page query that fetched limit + 1: the extra row says there is a next
 * page, whose cursor is the last item's (ts_col, id_col), or its serial
 * id_col alone when ts_col is -1.
 */
int
page_json(struct buf *b, const PGresult *res, int nrows, int limit,
    int ts_col, int id_col, page_item_fn item)
{
	char	 cursor[CURSOR_MAX + 1];

	if (page_items(b, res, nrows, limit, item) == -1)
		return -1;
	if (nrows <= limit)
		return buf_puts(b, "],\"next_cursor\":null}");
	if ((ts_col < 0 ? serial_cursor_encode(PQgetvalue(res, limit - 1,
	    id_col), cursor, sizeof(cursor)) : cursor_encode(PQgetvalue(res,
	    limit - 1, ts_col), PQgetvalue(res, limit - 1, id_col), cursor,
	    sizeof(cursor))) == -1)
		return -1;
	return buf_printf(b, "],\"next_cursor\":\"%s\"}", cursor);
}

/* The same for a list sorted by key_col: a key cursor. */
int
page_json_keyed(struct buf *b, const PGresult *res, int nrows, int limit,
    int key_col, int id_col, page_item_fn item)
{
	char	 cursor[KEY_CURSOR_MAX + 1];

	if (page_items(b, res, nrows, limit, item) == -1)
		return -1;
	if (nrows <= limit)
		return buf_puts(b, "],\"next_cursor\":null}");
	if (key_cursor_encode(PQgetvalue(res, limit - 1, key_col),
	    PQgetvalue(res, limit - 1, id_col), cursor, sizeof(cursor)) == -1)
		return -1;
	return buf_printf(b, "],\"next_cursor\":\"%s\"}", cursor);
}

/*
 * The values of a list's "after the cursor" condition (PAGE_AFTER_*):
 * the cursor's, or on the first page the smallest there are (no key, the
 * start of time, the nil id), so that every page is the same statement
 * walking the same index range.
 */
void
page_after(const struct page *p, const char **key, const char **id)
{
	*id = p->has_cursor ? p->after_id : PAGE_NIL_UUID;
	if (p->keyed)
		*key = p->has_cursor ? p->after_key : "";
	else
		*key = p->has_cursor ? p->after_ts : "-infinity";
}

/*
 * The values a newest-first list's PAGE_BEFORE_TIME condition compares
 * with: the cursor's, or on the first page the largest there are.
 */
void
page_before(const struct page *p, const char **ts, const char **id)
{
	*id = p->has_cursor ? p->after_id : PAGE_MAX_UUID;
	*ts = p->has_cursor ? p->after_ts : "infinity";
}
