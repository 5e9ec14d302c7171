/*
 * Routes every program answers: /health (the process is up), /readiness
 * (the database answers and its schema is the version this build expects)
 * and /metrics (Prometheus text; nginx lets only loopback reach it).
 */
#ifndef COCKPIT_BUILTIN_H
#define COCKPIT_BUILTIN_H

#include <stddef.h>

#include "router.h"

#define BUILTIN_NROUTES	3

extern const struct route builtin_routes[BUILTIN_NROUTES];

#endif
