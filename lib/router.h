/*
 * Routing: a program's routes are a table of (method, pattern, permission,
 * handler). Patterns are literal segments and {name} parameters; a parameter
 * whose name ends in "_id" matches only a UUID, so a malformed id is simply
 * an unknown path (404), never a database error.
 */
#ifndef COCKPIT_ROUTER_H
#define COCKPIT_ROUTER_H

#include <stddef.h>

#include "auth.h"

enum method {
	METHOD_GET,
	METHOD_POST,
	METHOD_PUT,
	METHOD_PATCH,
	METHOD_DELETE,
	METHOD_HEAD,
	METHOD_OPTIONS,
	METHOD_OTHER,
	METHOD__MAX
};

#define ROUTE_MAX_PARAMS	4
#define ROUTE_JSON_BODY		0x01	/* takes a JSON object body */
#define ROUTE_ANY_STATUS	0x02	/* open to suspended accounts too */
#define ROUTE_SCIM		0x04	/* SCIM provisioning: SCIM-scoped API
					   keys only, and they nowhere else */

struct req;
typedef void (*handler_fn)(struct req *);

struct route {
	enum method	 method;
	const char	*pattern;
	enum perm	 perm;		/* PERM_UNSET: denied to everyone */
	handler_fn	 handler;
	unsigned	 flags;
};

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_NO_METHOD,	/* the path exists; allow lists its methods */
	ROUTER_ERROR		/* out of memory */
};

struct route_match {
	size_t		 index;		/* into the table, when found */
	char		*params[ROUTE_MAX_PARAMS]; /* decoded, owned */
	size_t		 nparams;
	unsigned	 allow;		/* bit per enum method */
};

enum method		method_parse(const char *);
const char		*method_name(enum method);
enum router_result	 router_match(const struct route *, size_t,
			    enum method, const char *path,
			    struct route_match *);
void			 route_match_free(struct route_match *);
int			 router_param_index(const char *pattern,
			    const char *name);
int			 router_allow(unsigned allow, char *out, size_t len);
int			 percent_decode(const char *, size_t, char **out,
			    int plus_is_space);

#endif
