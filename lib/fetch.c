/* A careful GET with libcurl. */
#include <stdio.h>

#include <curl/curl.h>

#include "fetch.h"

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

/* GETs url into out (at most max bytes); 0, or -1 with a reason in err. */
int
fetch_get(const char *url, size_t max, struct buf *out, char *err,
    size_t errlen)
{
	struct sink	 s = { out, max, 0 };
	CURL		*c;
	CURLcode	 rc;
	long		 status = 0;

	buf_reset(out);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot make an HTTP client");
		return -1;
	}
	options(c, url, &s);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (s.too_large || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(err, errlen, "answer larger than %zu bytes", max);
	else if (rc != CURLE_OK)
		snprintf(err, errlen, "%s", curl_easy_strerror(rc));
	else if (status != 200)
		snprintf(err, errlen, "answered HTTP %ld", status);
	else
		return 0;
	return -1;
}
