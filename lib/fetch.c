/* Careful outbound HTTP with libcurl. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "fetch.h"
#include "netaddr.h"

struct sink {
	struct buf	*out;
	size_t		 max;
	int		 too_large;
};

static size_t
take(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;

	if (s->out->len + len > s->max) {
		s->too_large = 1;
		return 0;
	}
	return buf_append(s->out, data, len) == 0 ? len : 0;
}

static void
options(CURL *c, const char *url, struct sink *s)
{
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)FETCH_CONNECT_MS);
	(void)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)s->max);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "console-cockpit");
}

/* Performs c; 0 with *status when an answer came, else -1 and err. */
static int
perform(CURL *c, struct sink *s, long *status, char *err,
    size_t errlen)
{
	CURLcode	 rc;

	*status = 0;
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (rc == CURLE_FILESIZE_EXCEEDED)
		s->too_large = 1;
	if (s->too_large)
		snprintf(err, errlen, "answer larger than %zu bytes", s->max);
	else if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	else
		return 0;
	return -1;
}

/* GETs url into out (at most max bytes); 0, or -1 with a reason in err. */
int
fetch_get(const char *url, size_t max, struct buf *out, char *err,
    size_t errlen)
{
	struct sink	 s = { out, max, 0 };
	CURL		*c;
	long		 status;
	int		 rc;

	buf_reset(out);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot make an HTTP client");
		return -1;
	}
	options(c, url, &s);
	rc = perform(c, &s, &status, err, errlen);
	curl_easy_cleanup(c);
	if (rc == 0 && status != 200) {
		snprintf(err, errlen, "answered HTTP %ld", status);
		rc = -1;
	}
	return rc;
}

/*
 * POSTs the form (application/x-www-form-urlencoded, already encoded) to
 * url, with HTTP Basic credentials when user is not NULL. Whatever the
 * status, the answer goes to out and the status to *status; -1 with err
 * when no answer came.
 */
int
fetch_post_form(const char *url, const char *form, const char *user,
    const char *password, size_t max, struct buf *out, long *status,
    char *err, size_t errlen)
{
	struct sink		 s = { out, max, 0 };
	struct curl_slist	*h;
	CURL			*c;
	int			 rc = -1;

	buf_reset(out);
	if ((c = curl_easy_init()) == NULL ||
	    (h = curl_slist_append(NULL, "Accept: application/json")) ==
	    NULL) {
		curl_easy_cleanup(c);
		snprintf(err, errlen, "cannot make an HTTP client");
		return -1;
	}
	options(c, url, &s);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if (user != NULL) {
		(void)curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		(void)curl_easy_setopt(c, CURLOPT_USERNAME, user);
		(void)curl_easy_setopt(c, CURLOPT_PASSWORD, password);
	}
	rc = perform(c, &s, status, err, errlen);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return rc;
}

/* Appends a header line to *h; -1, with *h freed, when out of memory. */
static int
header_add(struct curl_slist **h, const char *line)
{
	struct curl_slist	*n;

	if ((n = curl_slist_append(*h, line)) == NULL) {
		curl_slist_free_all(*h);
		*h = NULL;
		return -1;
	}
	*h = n;
	return 0;
}

/* The request's header lines, with a JSON body's type; NULL: no memory. */
static struct curl_slist *
call_headers(const struct fetch_call *fc)
{
	struct curl_slist	*h = NULL;
	const char *const	*line;

	if (header_add(&h, "Accept: application/json") == -1 ||
	    (fc->body != NULL && header_add(&h,
	    "Content-Type: application/json") == -1))
		return NULL;
	for (line = fc->headers; line != NULL && *line != NULL; line++)
		if (header_add(&h, *line) == -1)
			return NULL;
	return h;
}

/* What the socket gate refused: the last address, as text. */
struct gate {
	int	 refused;
	char	 addr[INET6_ADDRSTRLEN];
};

/* CURLOPT_OPENSOCKETFUNCTION: a socket only to a public address. */
static curl_socket_t
gate_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct gate	*g = arg;
	const void	*bytes;

	if (purpose == CURLSOCKTYPE_IPCXN &&
	    netaddr_sockaddr(&a->addr) == ADDR_PUBLIC)
		return socket(a->family, a->socktype, a->protocol);
	g->refused = 1;
	if (a->family == AF_INET6)
		bytes = &((struct sockaddr_in6 *)(void *)&a->addr)->sin6_addr;
	else
		bytes = &((struct sockaddr_in *)(void *)&a->addr)->sin_addr;
	if (inet_ntop(a->family, bytes, g->addr, sizeof(g->addr)) == NULL)
		(void)snprintf(g->addr, sizeof(g->addr), "?");
	return CURL_SOCKET_BAD;
}

/* fetch_json(), through the socket gate when public_only. */
static enum fetch_result
json_call(const struct fetch_call *fc, int public_only, struct buf *out,
    long *status, char *err, size_t errlen)
{
	struct sink		 s = { out, fc->max, 0 };
	struct gate		 g = { 0, "" };
	struct curl_slist	*h;
	CURL			*c;
	long			 timeout = fc->timeout_ms > 0 ? fc->timeout_ms :
				    FETCH_TIMEOUT_MS;
	int			 rc;

	buf_reset(out);
	*status = 0;
	if ((c = curl_easy_init()) == NULL || (h = call_headers(fc)) == NULL) {
		curl_easy_cleanup(c);
		snprintf(err, errlen, "cannot make an HTTP client");
		return FETCH_NO_ANSWER;
	}
	options(c, fc->url, &s);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	(void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout < FETCH_CONNECT_MS ? timeout : (long)FETCH_CONNECT_MS);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	(void)curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, fc->method);
	if (fc->body != NULL)
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, fc->body);
	if (public_only) {
		(void)curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION,
		    gate_open);
		(void)curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &g);
	}
	rc = perform(c, &s, status, err, errlen);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (rc == 0)
		return FETCH_ANSWERED;
	if (g.refused)
		snprintf(err, errlen, "refused to connect to %s: not a public "
		    "address", g.addr);
	return s.too_large ? FETCH_TOO_LARGE : FETCH_NO_ANSWER;
}

/*
 * One request with a JSON body (or none) and extra header lines, within
 * fc->timeout_ms (0: FETCH_TIMEOUT_MS). Whatever the status, the answer
 * goes to out and the status to *status: FETCH_ANSWERED. Else
 * FETCH_TOO_LARGE (more than fc->max bytes) or FETCH_NO_ANSWER, with err.
 */
enum fetch_result
fetch_json(const struct fetch_call *fc, struct buf *out, long *status,
    char *err, size_t errlen)
{
	return json_call(fc, 0, out, status, err, errlen);
}

/*
 * fetch_json() to a URL a user gave: it connects only to public addresses
 * (lib/netaddr.h), whatever the name resolves to when it connects.
 */
enum fetch_result
fetch_json_public(const struct fetch_call *fc, struct buf *out,
    long *status, char *err, size_t errlen)
{
	return json_call(fc, 1, out, status, err, errlen);
}

/* Appends name=value to a form, percent-encoding the value. */
int
form_add(struct buf *form, const char *name, const char *value)
{
	char	*e;
	int	 rc;

	if ((e = curl_easy_escape(NULL, value, 0)) == NULL)
		return -1;
	rc = buf_printf(form, "%s%s=%s", form->len > 0 ? "&" : "", name, e);
	curl_free(e);
	return rc;
}
