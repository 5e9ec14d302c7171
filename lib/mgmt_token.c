/*
 * The management API's bearer token (see mgmt.h): ZITADEL_MGMT_API_TOKEN
 * when set, else the client credentials grant's, cached by the worker.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "config.h"
#include "fetch.h"
#include "mgmt.h"
#include "oidc.h"

#define TOKEN_ANSWER_MAX	(64 * 1024)
#define TOKEN_LIFE_DEFAULT	300	/* seconds, when none is said */

/* Whether s is a token that can go in a header: visible ASCII only. */
static int
token_usable(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return n > 0 && n < MGMT_TOKEN_MAX;
}

/* The OAuth error code of a refusal, for a message: a plain word only. */
static const char *
refusal(const cJSON *j)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const char	*c;

	if (!cJSON_IsString(e) || strlen(e->valuestring) > 64)
		return "no error code";
	for (c = e->valuestring; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
			return "an unreadable error code";
	return e->valuestring;
}

/* Keeps the token of a token endpoint's answer in the cache. */
static enum mgmt_result
token_keep(struct mgmt_cache *c, const cJSON *j, time_t now, char *err,
    size_t errlen)
{
	const cJSON	*t = cJSON_GetObjectItemCaseSensitive(j, "access_token"),
			*type = cJSON_GetObjectItemCaseSensitive(j, "token_type"),
			*exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	long		 life = TOKEN_LIFE_DEFAULT;

	if (!cJSON_IsString(t) || !token_usable(t->valuestring) ||
	    (type != NULL && (!cJSON_IsString(type) ||
	    strcasecmp(type->valuestring, "bearer") != 0))) {
		snprintf(err, errlen, "Zitadel's token endpoint gave no usable "
		    "bearer token");
		return MGMT_ERROR;
	}
	if (cJSON_IsNumber(exp) && exp->valuedouble >= 1 &&
	    exp->valuedouble <= 86400 * 30)
		life = (long)exp->valuedouble;
	(void)snprintf(c->token, sizeof(c->token), "%s", t->valuestring);
	c->expires = now + life - (life / 2 < MGMT_TOKEN_LEEWAY ? life / 2 :
	    MGMT_TOKEN_LEEWAY);
	return MGMT_OK;
}

/* Reads the token endpoint's answer of status into the cache. */
static enum mgmt_result
token_answer(struct mgmt_cache *c, const struct buf *b, long status,
    time_t now, char *err, size_t errlen)
{
	cJSON			*j;
	enum mgmt_result	 rc = MGMT_ERROR;

	j = cJSON_ParseWithLength(b->data != NULL ? b->data : "", b->len);
	if (!cJSON_IsObject(j))
		snprintf(err, errlen, "Zitadel's token endpoint answered HTTP "
		    "%ld without a JSON object", status);
	else if (status != 200)
		snprintf(err, errlen, "Zitadel's token endpoint refused the "
		    "client credentials (HTTP %ld, %s)", status, refusal(j));
	else
		rc = token_keep(c, j, now, err, errlen);
	cJSON_Delete(j);
	return rc;
}

/* The client credentials grant at the issuer's token endpoint. */
static enum mgmt_result
token_fetch(struct mgmt *m, time_t now, char *err, size_t errlen)
{
	struct buf		 form = { 0 }, answer = { 0 };
	char			 why[256];
	long			 status;
	enum mgmt_result	 rc = MGMT_ERROR;

	if (oidc_discover(m->oidc, m->cfg, now, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "cannot read Zitadel's discovery "
		    "document: %s", why);
		return MGMT_UNAVAILABLE;
	}
	if (form_add(&form, "grant_type", "client_credentials") == -1 ||
	    form_add(&form, "scope", MGMT_SCOPE) == -1)
		snprintf(err, errlen, "out of memory");
	else if (fetch_post_form(m->oidc->token, form.data,
	    m->cfg->mgmt_client_id, m->cfg->mgmt_client_secret,
	    TOKEN_ANSWER_MAX, &answer, &status, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "Zitadel's token endpoint did not "
		    "answer: %s", why);
		rc = MGMT_UNAVAILABLE;
	} else
		rc = token_answer(m->cache, &answer, status, now, err, errlen);
	if (answer.data != NULL)
		OPENSSL_cleanse(answer.data, answer.len);
	buf_free(&answer);
	buf_free(&form);
	return rc;
}

/*
 * The token for a call: the configured one, or the cached one (*cached
 * set), fetched first when there is none or it is about to expire.
 */
enum mgmt_result
mgmt_token(struct mgmt *m, const char **token, int *cached, char *err,
    size_t errlen)
{
	time_t			 now = time(NULL);
	enum mgmt_result	 rc;

	*cached = 0;
	if (m->cfg->mgmt_token != NULL) {
		*token = m->cfg->mgmt_token;
		return MGMT_OK;
	}
	if (m->cache->token[0] == '\0' || now >= m->cache->expires) {
		mgmt_token_drop(m->cache);
		if ((rc = token_fetch(m, now, err, errlen)) != MGMT_OK)
			return rc;
	}
	*cached = 1;
	*token = m->cache->token;
	return MGMT_OK;
}

/* Forgets the cached token (refused, expired, or the worker ends). */
void
mgmt_token_drop(struct mgmt_cache *c)
{
	OPENSSL_cleanse(c->token, sizeof(c->token));
	c->expires = 0;
}
