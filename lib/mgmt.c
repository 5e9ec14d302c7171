/* Calls to Zitadel's management API (see mgmt.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "config.h"
#include "fetch.h"
#include "mgmt.h"

/* The API's origin: ZITADEL_MGMT_URL, else the issuer; NULL: none. */
static const char *
mgmt_base(const struct config *cfg)
{
	return cfg->mgmt_url != NULL ? cfg->mgmt_url : cfg->issuer;
}

/*
 * Whether provisioning can work: an origin, and a token or client
 * credentials (which need the issuer's discovery document).
 */
int
mgmt_configured(const struct config *cfg)
{
	return mgmt_base(cfg) != NULL && (cfg->mgmt_token != NULL ||
	    (cfg->mgmt_client_id != NULL && cfg->mgmt_client_secret != NULL &&
	    cfg->issuer != NULL));
}

void
mgmt_init(struct mgmt *m, const struct config *cfg, struct oidc *oidc,
    struct mgmt_cache *cache, const char *org,
    const struct timespec *deadline)
{
	m->cfg = cfg;
	m->oidc = oidc;
	m->cache = cache;
	m->org = org;
	m->deadline = *deadline;
}

/* Milliseconds left before the deadline; 0 or less: none. */
long
mgmt_remaining_ms(const struct mgmt *m)
{
	struct timespec	 now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	return (long)(m->deadline.tv_sec - now.tv_sec) * 1000 +
	    (m->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

/* What Zitadel's error answer says, in printable ASCII, cut short. */
static void
zitadel_message(const cJSON *j, char *out, size_t len)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(j, "message");
	const char	*s;
	size_t		 n = 0;

	if (!cJSON_IsString(m) || m->valuestring[0] == '\0') {
		(void)snprintf(out, len, "no message");
		return;
	}
	for (s = m->valuestring; *s != '\0' && n + 1 < len &&
	    n < MGMT_MESSAGE_MAX; s++)
		out[n++] = *s >= ' ' && *s <= '~' ? *s : '?';
	out[n] = '\0';
}

/* Turns an answer of status into *answer (2xx) or an error. */
static enum mgmt_result
answer_read(const struct buf *b, long status, cJSON **answer, char *err,
    size_t errlen)
{
	cJSON	*j = cJSON_ParseWithLength(b->data != NULL ? b->data : "",
		    b->len);
	char	 said[MGMT_MESSAGE_MAX + 1];

	if (status >= 200 && status < 300 && cJSON_IsObject(j)) {
		*answer = j;
		return MGMT_OK;
	}
	if (status >= 200 && status < 300)
		snprintf(err, errlen, "Zitadel answered HTTP %ld without a "
		    "JSON object", status);
	else if (!cJSON_IsObject(j))
		snprintf(err, errlen, "Zitadel answered HTTP %ld, not JSON",
		    status);
	else {
		zitadel_message(j, said, sizeof(said));
		snprintf(err, errlen, "Zitadel answered HTTP %ld: %s", status,
		    said);
	}
	cJSON_Delete(j);
	if (status == 404)
		return MGMT_NOT_FOUND;
	return status == 409 ? MGMT_CONFLICT : MGMT_ERROR;
}

/* One attempt with token; *status says what came back. */
static enum mgmt_result
attempt(struct mgmt *m, const char *method, const char *url,
    const char *body, const char *token, long *status, cJSON **answer,
    char *err, size_t errlen)
{
	struct buf		 auth = { 0 }, org = { 0 }, out = { 0 };
	const char		*headers[3] = { NULL, NULL, NULL };
	struct fetch_call	 fc = { method, url, headers, body,
				    MGMT_MAX_ANSWER, 0 };
	char			 why[256];
	enum fetch_result	 fr;
	enum mgmt_result	 rc = MGMT_ERROR;

	if ((fc.timeout_ms = mgmt_remaining_ms(m)) <= 0) {
		snprintf(err, errlen, "no time is left to call Zitadel within "
		    "the request's timeout");
		return MGMT_UNAVAILABLE;
	}
	if (fc.timeout_ms > MGMT_TIMEOUT_MS)
		fc.timeout_ms = MGMT_TIMEOUT_MS;
	if (buf_printf(&auth, "Authorization: Bearer %s", token) == -1 ||
	    (m->org != NULL && buf_printf(&org, "x-zitadel-orgid: %s",
	    m->org) == -1)) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	headers[0] = auth.data;
	headers[1] = org.data;
	fr = fetch_json(&fc, &out, status, why, sizeof(why));
	if (fr == FETCH_NO_ANSWER) {
		snprintf(err, errlen, "Zitadel did not answer: %s", why);
		rc = MGMT_UNAVAILABLE;
	} else if (fr == FETCH_TOO_LARGE)
		snprintf(err, errlen, "Zitadel's answer is larger than %d "
		    "bytes", MGMT_MAX_ANSWER);
	else
		rc = answer_read(&out, *status, answer, err, errlen);
done:
	if (auth.data != NULL)
		OPENSSL_cleanse(auth.data, auth.len);
	buf_free(&auth);
	buf_free(&org);
	buf_free(&out);
	return rc;
}

/*
 * Calls method path (from /management/v1/...) with body (NULL: none).
 * MGMT_OK with *answer, a JSON object the caller deletes; else the
 * result and err. A cached token that Zitadel refuses (401) is replaced
 * once.
 */
enum mgmt_result
mgmt_call(struct mgmt *m, const char *method, const char *path,
    const cJSON *body, cJSON **answer, char *err, size_t errlen)
{
	struct buf		 url = { 0 };
	char			*text = NULL;
	const char		*token;
	long			 status = 0;
	int			 cached, tries;
	enum mgmt_result	 rc = MGMT_ERROR;

	*answer = NULL;
	if (buf_printf(&url, "%s%s", mgmt_base(m->cfg), path) == -1 ||
	    (body != NULL && (text = cJSON_PrintUnformatted(body)) == NULL)) {
		snprintf(err, errlen, "out of memory");
		buf_free(&url);
		return MGMT_ERROR;
	}
	for (tries = 0; tries < 2; tries++) {
		if ((rc = mgmt_token(m, &token, &cached, err, errlen)) !=
		    MGMT_OK)
			break;
		rc = attempt(m, method, url.data, text, token, &status, answer,
		    err, errlen);
		if (rc == MGMT_OK || status != 401 || !cached)
			break;
		mgmt_token_drop(m->cache);
	}
	cJSON_free(text);
	buf_free(&url);
	return rc;
}
