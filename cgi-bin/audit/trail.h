/*
 * audit.fcgi: reading the audit trail. The route table is in ../audit.c,
 * the handler in events.c, its SQL in statements.c.
 */
#ifndef TRAIL_H
#define TRAIL_H

#include "app.h"

/* Indexes into trail_stmts[], in the same order. */
enum trail_stmt {
	ST_EVENTS,
	ST__MAX
};

extern const struct stmt trail_stmts[ST__MAX];

void	audit_events(struct req *);

#endif
