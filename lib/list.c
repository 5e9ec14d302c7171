/* The parameters every list route reads, and their refusals. */
#include <string.h>

#include "app.h"
#include "list.h"

/*
 * Reads ?limit= and ?cursor= into p; keyed: the list is sorted by a key
 * and takes key cursors. 0, or -1 with the request answered (400).
 */
int
req_page(struct req *r, struct page *p, int keyed)
{
	const char	*limit = req_query(r, "limit"),
			*cursor = req_query(r, "cursor"), *bad;

	if ((keyed ? page_parse_keyed(limit, cursor, p, &bad) :
	    page_parse(limit, cursor, p, &bad)) == 0)
		return 0;
	if (strcmp(bad, "limit") == 0)
		resp_error(r, 400, "invalid_parameter", bad, "limit must be a "
		    "whole number from 1 to %d", PAGE_MAX);
	else
		resp_error(r, 400, "invalid_parameter", bad, "cursor is not one "
		    "this list gave out%s", keyed ? " with this sort" : "");
	return -1;
}

/*
 * Reads ?q= into pattern, an ILIKE pattern matching it anywhere; pattern
 * stays empty (its data NULL) without one. 0, or -1 with the request
 * answered (400, or 500 out of memory).
 */
int
req_search(struct req *r, struct buf *pattern)
{
	const char	*q = req_query(r, "q");

	if (q == NULL || *q == '\0')
		return 0;
	if (!utf8_valid(q, strlen(q)) || utf8_chars(q) > SEARCH_MAX) {
		resp_error(r, 400, "invalid_parameter", "q", "q must be UTF-8 "
		    "text of at most %d characters", SEARCH_MAX);
		return -1;
	}
	if (like_contains(q, pattern) == -1) {
		resp_nomem(r);
		return -1;
	}
	return 0;
}
