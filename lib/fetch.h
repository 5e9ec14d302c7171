/*
 * Outbound HTTP with libcurl, to the places the operator configured (the
 * identity provider's JWKS, discovery document and token endpoint): http
 * and https only, no redirects, short timeouts, a cap on the size of the
 * answer. fetch_get requires 200; fetch_post_form and fetch_json hand
 * back any status.
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

/* A request with a JSON body for fetch_json(). */
struct fetch_call {
	const char		*method;	/* "GET", "POST", "PUT" */
	const char		*url;
	const char *const	*headers;	/* "Name: value", NULL-ended;
						   NULL: none */
	const char		*body;		/* JSON text, or NULL */
	size_t			 max;		/* bytes of answer */
	long			 timeout_ms;	/* 0: FETCH_TIMEOUT_MS */
};

enum fetch_result {
	FETCH_ANSWERED,		/* an answer, of any status */
	FETCH_NO_ANSWER,	/* refused, reset, timed out */
	FETCH_TOO_LARGE		/* the answer exceeds max */
};

enum fetch_result fetch_json(const struct fetch_call *, struct buf *out,
	    long *status, char *err, size_t errlen);

/*
 * The same to a URL that a user gave: only to public addresses
 * (netaddr_sockaddr, lib/netaddr.h), checked as each connection opens,
 * else FETCH_NO_ANSWER.
 */
enum fetch_result fetch_json_public(const struct fetch_call *,
	    struct buf *out, long *status, char *err, size_t errlen);

#endif
