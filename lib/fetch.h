/*
 * Outbound HTTP GET with libcurl, for documents the operator configured
 * (the identity provider's JWKS): http and https only, no redirects,
 * short timeouts, a cap on the size of the answer, and 200 required.
 */
#ifndef COCKPIT_FETCH_H
#define COCKPIT_FETCH_H

#include <stddef.h>

#include "buf.h"

#define FETCH_TIMEOUT_MS	5000
#define FETCH_CONNECT_MS	2000

int	fetch_get(const char *url, size_t max, struct buf *out, char *err,
	    size_t errlen);

#endif
