/* Matching a request path against a route table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "uuid.h"

static const char *const method_names[METHOD__MAX] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "OTHER"
};

enum method
method_parse(const char *s)
{
	int	 m;

	for (m = 0; m < METHOD_OTHER; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum method)m;
	return METHOD_OTHER;
}

const char *
method_name(enum method m)
{
	return m < METHOD__MAX ? method_names[m] : "OTHER";
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes n bytes of s into a new string in *out. Returns 0, 1 when the
 * input is malformed or decodes to a NUL, -1 when memory runs out.
 */
int
percent_decode(const char *s, size_t n, char **out, int plus_is_space)
{
	char	*d;
	size_t	 i, j = 0;
	int	 hi, lo;

	if ((d = malloc(n + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '+' && plus_is_space)
			d[j++] = ' ';
		else if (s[i] != '%')
			d[j++] = s[i];
		else if (i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0 && (hi | lo) != 0) {
			d[j++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			free(d);
			return 1;
		}
	}
	d[j] = '\0';
	*out = d;
	return 0;
}

/* Matches one path segment against one pattern segment, capturing params. */
static int
segment_match(const char *pat, size_t plen, const char *seg, size_t slen,
    struct route_match *m)
{
	char	*value;
	int	 rc;

	if (plen < 2 || pat[0] != '{' || pat[plen - 1] != '}')
		return plen == slen && memcmp(pat, seg, plen) == 0;
	if (slen == 0 || m->nparams == ROUTE_MAX_PARAMS)
		return 0;
	if ((rc = percent_decode(seg, slen, &value, 0)) != 0)
		return rc == -1 ? -1 : 0;
	if (plen > 5 && memcmp(pat + plen - 4, "_id}", 4) == 0) {
		if (!uuid_valid(value)) {
			free(value);
			return 0;
		}
		uuid_lower(value);
	}
	m->params[m->nparams++] = value;
	return 1;
}

/* Returns 1 when path matches pattern, 0 when not, -1 on memory failure. */
static int
pattern_match(const char *pattern, const char *path, struct route_match *m)
{
	const char	*pe, *se;
	int		 rc;

	while (*pattern == '/' && *path == '/') {
		pattern++;
		path++;
		pe = pattern + strcspn(pattern, "/");
		se = path + strcspn(path, "/");
		rc = segment_match(pattern, (size_t)(pe - pattern), path,
		    (size_t)(se - path), m);
		if (rc != 1)
			return rc;
		pattern = pe;
		path = se;
	}
	return *pattern == '\0' && *path == '\0';
}

enum router_result
router_match(const struct route *routes, size_t n, enum method method,
    const char *path, struct route_match *m)
{
	size_t	 i;
	int	 rc;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		rc = pattern_match(routes[i].pattern, path, m);
		if (rc == -1) {
			route_match_free(m);
			return ROUTER_ERROR;
		}
		if (rc == 1 && routes[i].method == method) {
			m->index = i;
			m->allow = 0;
			return ROUTER_FOUND;
		}
		if (rc == 1)
			m->allow |= 1u << routes[i].method;
		route_match_free(m);
	}
	return m->allow != 0 ? ROUTER_NO_METHOD : ROUTER_NOT_FOUND;
}

void
route_match_free(struct route_match *m)
{
	size_t	 i;

	for (i = 0; i < m->nparams; i++) {
		free(m->params[i]);
		m->params[i] = NULL;
	}
	m->nparams = 0;
}

/* Writes the Allow header value for a method set, e.g. "GET, POST". */
int
router_allow(unsigned allow, char *out, size_t len)
{
	size_t	 used = 0;
	int	 m, n;

	out[0] = '\0';
	for (m = 0; m < METHOD_OTHER; m++) {
		if ((allow & (1u << m)) == 0)
			continue;
		n = snprintf(out + used, len - used, "%s%s",
		    used ? ", " : "", method_names[m]);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

/*
 * The position of placeholder {name} among a pattern's placeholders, or
 * -1 when the pattern has none of that name.
 */
int
router_param_index(const char *pattern, const char *name)
{
	const char	*p;
	size_t		 n = strlen(name);
	int		 i = 0;

	for (p = strchr(pattern, '{'); p != NULL; p = strchr(p + 1, '{'), i++)
		if (strncmp(p + 1, name, n) == 0 && p[n + 1] == '}')
			return i;
	return -1;
}
