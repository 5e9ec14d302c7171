/*
 * A request as the handlers see it: method, path, decoded route
 * parameters, query parameters, the parsed JSON body, the principal, and
 * the response being built (status, extra headers, body). One struct req
 * lives for one request; req_free() releases everything it owns.
 */
#ifndef COCKPIT_REQUEST_H
#define COCKPIT_REQUEST_H

#include <stddef.h>
#include <time.h>

#include <fcgiapp.h>
#include <cjson/cJSON.h>

#include "auth.h"
#include "buf.h"
#include "router.h"

#define REQ_MAX_QUERY	16
#define REQ_ID_MAX	64

struct worker;

struct query_param {
	char	*name;
	char	*value;
};

struct req {
	struct worker		*w;
	FCGX_Request		*fcgi;
	enum method		 method;
	char			*path;
	struct query_param	 query[REQ_MAX_QUERY];
	size_t			 nquery;
	char			 request_id[REQ_ID_MAX + 1];
	size_t			 route;		/* table index; none: count */
	struct route_match	 match;
	struct buf		 raw;		/* the body as read */
	cJSON			*body;
	struct principal	 principal;
	int			 db_started;
	int			 scim;		/* errors in SCIM's shape (RFC
						   7644 3.12): lib/response.c */
	struct timespec		 started;
	/* The response. */
	int			 status;
	const char		*content_type;	/* NULL: JSON */
	struct buf		 headers;
	struct buf		 out;
};

int		 req_init(struct req *, struct worker *, FCGX_Request *);
void		 req_free(struct req *);
const char	*req_env(const struct req *, const char *);
const char	*req_param(const struct req *, size_t);
const char	*req_query(const struct req *, const char *);
int		 req_query_allow(struct req *, const char *const *names);
int		 req_read_body(struct req *, size_t max);

#endif
