/* Reading a request: path, query, request id and body. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "response.h"
#include "uuid.h"

const char *
req_env(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

/* The request id nginx made (REQUEST_ID), or a fresh one. */
static void
request_id(struct req *r)
{
	const char	*id = req_env(r, "REQUEST_ID");
	size_t		 i, n;

	if (id != NULL && (n = strlen(id)) > 0 && n <= REQ_ID_MAX) {
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)id[i]) && id[i] != '-')
				break;
		if (i == n) {
			memcpy(r->request_id, id, n + 1);
			return;
		}
	}
	if (random_hex(r->request_id, 16) == -1)
		strcpy(r->request_id, "unknown");
}

static int
query_add(struct req *r, const char *s, size_t n)
{
	const char	*eq = memchr(s, '=', n);
	size_t		 klen = eq != NULL ? (size_t)(eq - s) : n, i;
	char		*name, *value;

	if (percent_decode(s, klen, &name, 1) != 0) {
		resp_error(r, 400, "invalid_parameter", NULL,
		    "a query parameter name is badly encoded");
		return -1;
	}
	if (percent_decode(eq != NULL ? eq + 1 : s + n,
	    eq != NULL ? n - klen - 1 : 0, &value, 1) != 0) {
		resp_error(r, 400, "invalid_parameter", name,
		    "%s is badly encoded", name);
		free(name);
		return -1;
	}
	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, name) == 0)
			break;
	if (i < r->nquery || r->nquery == REQ_MAX_QUERY) {
		resp_error(r, 400, "invalid_parameter", name, i < r->nquery ?
		    "%s is given more than once" : "too many query parameters "
		    "(at %s)", name);
		free(name);
		free(value);
		return -1;
	}
	r->query[r->nquery].name = name;
	r->query[r->nquery++].value = value;
	return 0;
}

static int
query_parse(struct req *r)
{
	const char	*q = req_env(r, "QUERY_STRING"), *amp;
	size_t		 n;

	if (q == NULL)
		return 0;
	while (*q != '\0') {
		amp = strchr(q, '&');
		n = amp != NULL ? (size_t)(amp - q) : strlen(q);
		if (n > 0 && query_add(r, q, n) == -1)
			return -1;
		q += n;
		if (*q == '&')
			q++;
	}
	return 0;
}

/*
 * Reads the request line. Returns 0, or -1 when the request is already
 * answered with an error.
 */
int
req_init(struct req *r, struct worker *w, FCGX_Request *f)
{
	const char	*m, *uri;
	size_t		 n;

	memset(r, 0, sizeof(*r));
	r->w = w;
	r->fcgi = f;
	(void)clock_gettime(CLOCK_MONOTONIC, &r->started);
	request_id(r);
	m = req_env(r, "REQUEST_METHOD");
	r->method = method_parse(m != NULL ? m : "");
	if ((uri = req_env(r, "REQUEST_URI")) == NULL &&
	    (uri = req_env(r, "DOCUMENT_URI")) == NULL)
		uri = "/";
	n = strcspn(uri, "?#");
	if ((r->path = strndup(uri, n)) == NULL) {
		resp_nomem(r);
		return -1;
	}
	return query_parse(r);
}

void
req_free(struct req *r)
{
	size_t	 i;

	for (i = 0; i < r->nquery; i++) {
		free(r->query[i].name);
		free(r->query[i].value);
	}
	route_match_free(&r->match);
	cJSON_Delete(r->body);
	buf_free(&r->raw);
	buf_free(&r->headers);
	buf_free(&r->out);
	free(r->path);
	memset(r, 0, sizeof(*r));
}

/* Route parameter i, decoded (UUIDs in lower case). */
const char *
req_param(const struct req *r, size_t i)
{
	return i < r->match.nparams ? r->match.params[i] : NULL;
}

/* A query parameter's decoded value, or NULL when absent. */
const char *
req_query(const struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].name, name) == 0)
			return r->query[i].value;
	return NULL;
}

/* Refuses a query parameter the route does not take (400). */
int
req_query_allow(struct req *r, const char *const *names)
{
	size_t	 i, k;

	for (i = 0; i < r->nquery; i++) {
		for (k = 0; names[k] != NULL; k++)
			if (strcmp(r->query[i].name, names[k]) == 0)
				break;
		if (names[k] == NULL) {
			resp_error(r, 400, "unknown_parameter",
			    r->query[i].name, "%s is not a parameter of this "
			    "route", r->query[i].name);
			return -1;
		}
	}
	return 0;
}

/*
 * Reads CONTENT_LENGTH bytes of body into r->raw, refusing more than max
 * before reading any. Returns 0, or -1 with the error answered.
 */
int
req_read_body(struct req *r, size_t max)
{
	const char		*cl = req_env(r, "CONTENT_LENGTH");
	char			*end, chunk[16384];
	unsigned long long	 len;
	size_t			 want;
	int			 got;

	if (cl == NULL || *cl == '\0')
		return 0;
	errno = 0;
	len = strtoull(cl, &end, 10);
	if (errno != 0 || *end != '\0' || !isdigit((unsigned char)*cl)) {
		resp_error(r, 400, "invalid_request", NULL,
		    "Content-Length is not a number");
		return -1;
	}
	if (len > max) {
		resp_error(r, 413, "body_too_large", NULL,
		    "request body is larger than %zu bytes", max);
		return -1;
	}
	while (r->raw.len < len) {
		want = len - r->raw.len < sizeof(chunk) ?
		    (size_t)(len - r->raw.len) : sizeof(chunk);
		if ((got = FCGX_GetStr(chunk, (int)want, r->fcgi->in)) <= 0) {
			resp_error(r, 400, "invalid_request", NULL,
			    "request body ended before Content-Length bytes");
			return -1;
		}
		if (buf_append(&r->raw, chunk, (size_t)got) == -1) {
			resp_nomem(r);
			return -1;
		}
	}
	return 0;
}
