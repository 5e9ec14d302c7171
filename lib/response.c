/* Building and writing responses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "response.h"

const char *
resp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status < 400 ? "Redirect" : status < 500 ?
	    "Client Error" : "Internal Server Error";
	}
}

/* The handler wrote its JSON body into r->out. */
void
resp_ok(struct req *r, int status)
{
	r->status = status;
}

/* Adds a response header; values with line breaks are refused. */
int
resp_header(struct req *r, const char *name, const char *value)
{
	if (strpbrk(value, "\r\n") != NULL)
		return -1;
	return buf_printf(&r->headers, "%s: %s\r\n", name, value);
}

/* When even the error does not fit in memory: a fixed answer. */
void
resp_nomem(struct req *r)
{
	buf_free(&r->headers);
	buf_free(&r->out);
	r->status = 500;
}

/*
 * RFC 7644 3.12's scimType for an error code: the code itself when it is
 * one of them (SCIM handlers pass it as the code), invalidSyntax for a
 * body that is not JSON, else none.
 */
static const char *
scim_type(const char *code)
{
	static const char *const types[] = { "invalidFilter", "tooMany",
	    "uniqueness", "mutability", "invalidSyntax", "invalidPath",
	    "noTarget", "invalidValue", "invalidVers", "sensitive" };
	size_t	 i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(code, types[i]) == 0)
			return code;
	return strcmp(code, "invalid_json") == 0 ? "invalidSyntax" : NULL;
}

/*
 * An error on a SCIM route (r->scim, set by the front line), in SCIM's
 * shape: {"schemas":[...Error],"status":"409","scimType":"uniqueness",
 * "detail":"..."}. The request id is in X-Request-Id.
 */
static int
scim_error(struct req *r, int status, const char *code, const char *message)
{
	const char	*type = scim_type(code);

	return buf_printf(&r->out, "{\"schemas\":[\"urn:ietf:params:scim:api:"
	    "messages:2.0:Error\"],\"status\":\"%d\"", status) == -1 ||
	    (type != NULL && (buf_puts(&r->out, ",\"scimType\":") == -1 ||
	    buf_json_string(&r->out, type) == -1)) ||
	    buf_puts(&r->out, ",\"detail\":") == -1 ||
	    buf_json_string(&r->out, message) == -1 ||
	    buf_puts(&r->out, "}") == -1 ? -1 : 0;
}

/*
 * Replaces whatever response was being built with an error. field names
 * the offending field or parameter, or is NULL.
 */
void
resp_error(struct req *r, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	char	 message[512];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	buf_reset(&r->headers);
	buf_reset(&r->out);
	r->status = status;
	if (r->scim) {
		if (scim_error(r, status, code, message) == -1)
			resp_nomem(r);
		return;
	}
	if (buf_puts(&r->out, "{\"error\":{\"code\":") == -1 ||
	    buf_json_string(&r->out, code) == -1 ||
	    buf_puts(&r->out, ",\"message\":") == -1 ||
	    buf_json_string(&r->out, message) == -1 ||
	    (field != NULL && (buf_puts(&r->out, ",\"field\":") == -1 ||
	    buf_json_string(&r->out, field) == -1)) ||
	    buf_puts(&r->out, ",\"request_id\":") == -1 ||
	    buf_json_string(&r->out, r->request_id) == -1 ||
	    buf_puts(&r->out, "}}") == -1)
		resp_nomem(r);
}

/* The answer to a body that failed validate_object(). */
void
resp_field_error(struct req *r, const struct field_error *e)
{
	resp_error(r, e->status, e->code, e->field, "%s %s", e->field,
	    e->message);
}

/* Writes the response; 0, or -1 when the client went away. */
int
resp_send(struct req *r, const char *content_type)
{
	char			 nomem[160];
	struct buf		 head = { 0 };
	const char		*body = r->out.data != NULL ? r->out.data : "";
	size_t			 len = r->out.len;
	int			 rc = 0;

	if (r->status == 0)
		r->status = 500;
	if (r->status == 500 && len == 0) {
		/* resp_nomem() left no body: say so without allocating. */
		(void)snprintf(nomem, sizeof(nomem), "{\"error\":{\"code\":"
		    "\"internal_error\",\"message\":\"out of memory\","
		    "\"request_id\":\"%s\"}}", r->request_id);
		body = nomem;
		len = strlen(nomem);
	}
	if (buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nX-Request-Id: %s\r\n"
	    "Cache-Control: no-store\r\n%s\r\n", r->status,
	    resp_reason(r->status), content_type, len, r->request_id,
	    r->headers.data != NULL ? r->headers.data : "") == -1)
		rc = -1;
	else if (FCGX_PutStr(head.data, (int)head.len, r->fcgi->out) < 0 ||
	    (len > 0 && FCGX_PutStr(body, (int)len, r->fcgi->out) < 0))
		rc = -1;
	buf_free(&head);
	return rc;
}
