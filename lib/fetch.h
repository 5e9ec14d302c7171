/*
 * Outbound HTTP with libcurl, to the places the operator configured (the
 * identity provider's JWKS, discovery document and token endpoint): http
 * and https only, no redirects, short timeouts, a cap on the size of the
 * answer. fetch_get requires 200; fetch_post_form hands back any status.
 */
#ifndef COCKPIT_FETCH_H
#define COCKPIT_FETCH_H

#include <stddef.h>

#include "buf.h"

#define FETCH_TIMEOUT_MS	5000
#define FETCH_CONNECT_MS	2000

int	fetch_get(const char *url, size_t max, struct buf *out, char *err,
	    size_t errlen);
int	fetch_post_form(const char *url, const char *form, const char *user,
	    const char *password, size_t max, struct buf *out, long *status,
	    char *err, size_t errlen);
int	form_add(struct buf *form, const char *name, const char *value);

#endif
