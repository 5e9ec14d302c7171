/*
 * A list request's common parameters: ?limit= and ?cursor= (a creation
 * cursor, or a key cursor for lists sorted by name) and the ?q= search,
 * each refused with 400 invalid_parameter naming it. The pure parsing is
 * lib/pagination's.
 */
#ifndef COCKPIT_LIST_H
#define COCKPIT_LIST_H

#include "buf.h"
#include "pagination.h"

struct req;

int	req_page(struct req *, struct page *, int keyed);
int	req_search(struct req *, struct buf *pattern);

#endif
