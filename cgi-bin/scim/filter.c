/*
 * List and item queries (RFC 7644 3.4.2): filter (one "attr eq" of the
 * resource's filterable attributes, lib/scim_filter), startIndex and
 * count (3.4.2.4), attributes and excludedAttributes (3.4.2.5, as far as
 * the resource's references go: a Group's members, a User's groups), and
 * the ListResponse that answers them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scim.h"

static const char *const list_params[] = { "filter", "startIndex", "count",
    "attributes", "excludedAttributes", NULL };
static const char *const item_params[] = { "attributes",
    "excludedAttributes", NULL };

/* Whether a comma-separated attribute list names attr (or urn:...:attr). */
static int
names(const char *list, const char *attr)
{
	const char	*p = list, *end, *colon, *c;
	size_t		 n, a = strlen(attr);

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		n = strcspn(p, ",");
		end = p + n;
		while (end > p && end[-1] == ' ')
			end--;
		colon = NULL;
		for (c = p; c < end; c++)
			if (*c == ':')
				colon = c;
		if (colon != NULL)
			p = colon + 1;
		if ((size_t)(end - p) == a && strncasecmp(p, attr, a) == 0)
			return 1;
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Whether the answer carries refs, after attributes/excludedAttributes. */
static int
refs_wanted(const struct req *r, const char *refs)
{
	const char	*only = req_query(r, "attributes"),
			*except = req_query(r, "excludedAttributes");

	return (only == NULL || names(only, refs)) &&
	    (except == NULL || !names(except, refs));
}

/* An integer query parameter; -1 with 400 invalidValue when it is not. */
static int
query_int(struct req *r, const char *name, long long def, long long *out)
{
	const char	*s = req_query(r, name);
	char		*end;

	*out = def;
	if (s == NULL)
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0) {
		resp_error(r, 400, "invalidValue", name, "%s must be an integer",
		    name);
		return -1;
	}
	return 0;
}

static int
query_filter(struct req *r, const char *const *filterable,
    struct scim_query *q)
{
	const char		*s = req_query(r, "filter");
	struct scim_filter	 f;
	size_t			 i;

	q->attr = NULL;
	if (s == NULL)
		return 0;
	if (scim_filter_parse(s, &f) == 0 && f.sub[0] == '\0')
		for (i = 0; filterable[i] != NULL; i++)
			if (scim_name_is(f.attr, filterable[i])) {
				q->attr = filterable[i];
				memcpy(q->value, f.value, sizeof(q->value));
				return 0;
			}
	resp_error(r, 400, "invalidFilter", "filter", "the filter must be "
	    "one comparison 'attribute eq \"value\"' of %s%s%s", filterable[0],
	    filterable[1] != NULL ? ", " : "", filterable[1] != NULL ?
	    filterable[1] : "");
	return -1;
}

/*
 * A list request's query into q: 0, or -1 with the request answered
 * (400 unknown_parameter, invalidFilter or invalidValue). startIndex
 * below 1 is 1, count below 0 is 0 and above SCIM_COUNT_MAX is that.
 */
int
scim_list_query(struct req *r, const char *const *filterable,
    const char *refs, struct scim_query *q)
{
	long long	 start, count;

	memset(q, 0, sizeof(*q));
	if (req_query_allow(r, list_params) == -1 ||
	    query_filter(r, filterable, q) == -1 ||
	    query_int(r, "startIndex", 1, &start) == -1 ||
	    query_int(r, "count", SCIM_COUNT_DEFAULT, &count) == -1)
		return -1;
	if (start < 1)
		start = 1;
	if (start > 1000000000LL)
		start = 1000000000LL;
	if (count < 0)
		count = 0;
	if (count > SCIM_COUNT_MAX)
		count = SCIM_COUNT_MAX;
	(void)snprintf(q->start, sizeof(q->start), "%lld", start);
	(void)snprintf(q->offset, sizeof(q->offset), "%lld", start - 1);
	(void)snprintf(q->count, sizeof(q->count), "%lld", count);
	q->refs = refs_wanted(r, refs);
	scim_base(r, q->base, sizeof(q->base));
	return 0;
}

/* One resource's query (attributes, excludedAttributes); 0 or -1. */
int
scim_item_query(struct req *r, const char *refs, struct scim_query *q)
{
	memset(q, 0, sizeof(*q));
	if (req_query_allow(r, item_params) == -1)
		return -1;
	q->refs = refs_wanted(r, refs);
	scim_base(r, q->base, sizeof(q->base));
	return 0;
}

/*
 * The ListResponse of a page (rows: the total, then a resource each or
 * one NULL). Clears res. 0, or -1 answered.
 */
int
scim_list_answer(struct req *r, const struct scim_query *q, PGresult *res)
{
	int	 i, n = PQntuples(res), items = 0, rc = 0;

	for (i = 0; i < n; i++)
		if (!PQgetisnull(res, i, 1))
			items++;
	if (n < 1 || buf_printf(&r->out, "{\"schemas\":[\"" SCIM_LIST_URN
	    "\"],\"totalResults\":%s,\"startIndex\":%s,\"itemsPerPage\":%d,"
	    "\"Resources\":[", PQgetvalue(res, 0, 0), q->start, items) == -1)
		rc = -1;
	for (i = 0; rc == 0 && i < n; i++)
		if (!PQgetisnull(res, i, 1) && ((i > 0 &&
		    buf_puts(&r->out, ",") == -1) ||
		    buf_puts(&r->out, PQgetvalue(res, i, 1)) == -1))
			rc = -1;
	if (rc == 0 && buf_puts(&r->out, "]}") == -1)
		rc = -1;
	PQclear(res);
	if (rc == -1) {
		resp_nomem(r);
		return -1;
	}
	resp_ok(r, 200);
	return 0;
}

/* One resource (res: its JSON, or no row: 404). Clears res. */
void
scim_resource_answer(struct req *r, PGresult *res, int status,
    const char *what)
{
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		resp_error(r, 404, "not_found", NULL, "no such %s", what);
	else if (buf_puts(&r->out, PQgetvalue(res, 0, 0)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, status);
	PQclear(res);
}
