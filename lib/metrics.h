/*
 * Request metrics shared by all workers of a program: counters in one
 * anonymous shared mapping made by the supervisor before it forks, updated
 * with atomic adds, so /metrics served by any worker shows the sum over all
 * of them. Rendered in the Prometheus text format (version 0.0.4).
 */
#ifndef COCKPIT_METRICS_H
#define COCKPIT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "router.h"

struct metrics;

struct metrics	*metrics_create(size_t nroutes);
void		 metrics_destroy(struct metrics *);
void		 metrics_observe(struct metrics *, size_t route, enum method,
		    int status, uint64_t duration_us);
void		 metrics_worker_started(struct metrics *);
void		 metrics_worker_died(struct metrics *, int abnormal);
int		 metrics_render(const struct metrics *, const char *program,
		    const struct route *, size_t nroutes, struct buf *);

#endif
