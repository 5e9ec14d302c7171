/* What the SCIM handlers share: the base URL, Location, conflicts. */
#include <stdio.h>
#include <string.h>

#include "scim.h"

/* Whether a Host header is a plain host[:port] (no path, no spaces). */
static int
host_plain(const char *h)
{
	size_t	 n = strlen(h);

	return n > 0 && n < 256 && strspn(h, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/*
 * The service's SCIM base, "<scheme>://<host>/scim/v2", from the request
 * as nginx passes it; "/scim/v2" when the host is missing or odd.
 */
void
scim_base(const struct req *r, char *out, size_t len)
{
	const char	*scheme = req_env(r, "REQUEST_SCHEME"),
			*host = req_env(r, "HTTP_HOST");

	if (scheme == NULL || (strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0) || host == NULL || !host_plain(host))
		(void)snprintf(out, len, "/scim/v2");
	else
		(void)snprintf(out, len, "%s://%s/scim/v2", scheme, host);
}

/* Location: of a new resource (RFC 7644 3.3). 0, or -1 out of memory. */
int
scim_location(struct req *r, const char *base, const char *kind,
    const char *id)
{
	char	 loc[SCIM_BASE_MAX + 64];

	(void)snprintf(loc, sizeof(loc), "%s/%s/%s", base, kind, id);
	return resp_header(r, "Location", loc);
}

/*
 * After a write failed: a unique violation is SCIM's 409 uniqueness
 * (what names the attribute); anything else keeps the answer libcockpit
 * gave. Always returns -1.
 */
int
scim_conflict(struct req *r, const char *what)
{
	if (req_sqlstate(r, "23505"))
		resp_error(r, 409, "uniqueness", NULL, "%s is already taken in "
		    "the account", what);
	return -1;
}
