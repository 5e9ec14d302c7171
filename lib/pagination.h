/*
 * Keyset pagination and search for every list route. A page is asked for
 * with ?limit= and ?cursor=; the cursor is opaque to clients (base64url of
 * the last row's creation time and id) and the query walks the
 * (created_at, id) index from there, so pages stay stable while rows are
 * added. ?q= is a case-insensitive substring search, its LIKE wildcards
 * taken literally.
 */
#ifndef COCKPIT_PAGINATION_H
#define COCKPIT_PAGINATION_H

#include <stddef.h>

#include <libpq-fe.h>

#include "buf.h"

#define PAGE_DEFAULT	50
#define PAGE_MAX	200
#define SEARCH_MAX	200	/* characters in ?q= */
#define CURSOR_TS_LEN	27	/* 2026-11-23T10:00:00.123456Z */
#define CURSOR_MAX	128
#define PAGE_KEY_MAX	800	/* bytes of a sort key in a key cursor */
#define KEY_CURSOR_MAX	1200	/* characters of a key cursor */

/*
 * A list's SQL condition "after the cursor": cols (the sort key and the
 * id) greater than parameters that page_after() fills, on the first page
 * too (with the smallest values), never "$n IS NULL OR ...": then the
 * generic plan PostgreSQL settles on for a prepared statement after a few
 * calls walks the index from the cursor, not from the list's start.
 */
#define PAGE_NIL_UUID	"00000000-0000-0000-0000-000000000000"
#define PAGE_AFTER_TIME(cols, ts, id) \
	"(" cols ") > (" ts "::timestamptz, " id "::uuid)"
#define PAGE_AFTER_KEY(cols, key, id) \
	"(" cols ") > (" key "::text, " id "::uuid)"
#define PAGE_AFTER_ID(col, id) \
	col " > " id "::uuid"

/*
 * The same for a list newest first: cols before parameters that
 * page_before() fills, with the largest values on the first page. A list
 * of serial ids, newest first, compares its id with PAGE_SERIAL_MAX on
 * its first page.
 */
#define PAGE_MAX_UUID	"ffffffff-ffff-ffff-ffff-ffffffffffff"
#define PAGE_SERIAL_MAX	"9223372036854775807"
#define PAGE_BEFORE_TIME(cols, ts, id) \
	"(" cols ") < (" ts "::timestamptz, " id "::uuid)"

/*
 * A page asked for. A cursor is a creation cursor (after_ts, after_id)
 * or, for lists sorted by another key (a name), a key cursor (keyed:
 * after_key, after_id).
 */
struct page {
	int	 limit;
	int	 has_cursor;
	int	 keyed;
	char	 after_ts[CURSOR_TS_LEN + 1];
	char	 after_id[37];
	char	 after_key[PAGE_KEY_MAX + 1];
};

int	page_parse(const char *limit, const char *cursor, struct page *,
	    const char **bad);
int	page_parse_keyed(const char *limit, const char *cursor, struct page *,
	    const char **bad);
int	cursor_encode(const char *ts, const char *id, char *out, size_t len);
int	cursor_decode(const char *cursor, struct page *);
int	key_cursor_encode(const char *key, const char *id, char *out,
	    size_t len);
int	serial_cursor_encode(const char *id, char *out, size_t len);
int	serial_cursor_decode(const char *cursor, long long *id);
int	like_contains(const char *q, struct buf *);
void	page_after(const struct page *, const char **key, const char **id);
void	page_before(const struct page *, const char **ts, const char **id);

/* Appends row i of a result as one JSON item. */
typedef int (*page_item_fn)(struct buf *, const PGresult *, int i);

int	page_json(struct buf *, const PGresult *, int nrows, int limit,
	    int ts_col, int id_col, page_item_fn);
int	page_json_keyed(struct buf *, const PGresult *, int nrows, int limit,
	    int key_col, int id_col, page_item_fn);
int	timestamp_valid(const char *);

#endif
