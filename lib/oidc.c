/* The console's OpenID Connect client (see oidc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base64.h"
#include "config.h"
#include "fetch.h"
#include "oidc.h"

/* Whether sign-in with the identity provider can work at all. */
int
oidc_configured(const struct config *cfg)
{
	return cfg->issuer != NULL && cfg->client_id != NULL &&
	    cfg->public_url != NULL;
}

static int
url_member(const cJSON *doc, const char *name, char *out, size_t len,
    int required)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(doc, name);

	out[0] = '\0';
	if (!cJSON_IsString(v))
		return required ? -1 : 0;
	if (strlen(v->valuestring) >= len ||
	    (strncmp(v->valuestring, "https://", 8) != 0 &&
	    strncmp(v->valuestring, "http://", 7) != 0))
		return -1;
	(void)snprintf(out, len, "%s", v->valuestring);
	return 0;
}

/* Fetches the discovery document, unless a fresh one is at hand. */
int
oidc_discover(struct oidc *o, const struct config *cfg, time_t now,
    char *err, size_t errlen)
{
	struct buf	 doc = { 0 }, url = { 0 };
	cJSON		*j = NULL;
	const cJSON	*iss;
	int		 rc = -1;

	if (o->fetched != 0 && now - o->fetched < OIDC_DISCOVERY_TTL)
		return 0;
	if (buf_printf(&url, "%s%s.well-known/openid-configuration",
	    cfg->issuer, cfg->issuer[strlen(cfg->issuer) - 1] == '/' ? "" :
	    "/") == -1)
		snprintf(err, errlen, "out of memory");
	else if (fetch_get(url.data, OIDC_MAX_ANSWER, &doc, err, errlen) == 0) {
		if ((j = cJSON_ParseWithLength(doc.data, doc.len)) == NULL ||
		    !cJSON_IsString(iss = cJSON_GetObjectItemCaseSensitive(j,
		    "issuer")) || strcmp(iss->valuestring, cfg->issuer) != 0)
			snprintf(err, errlen, "the discovery document is not "
			    "the issuer's");
		else if (url_member(j, "authorization_endpoint", o->authorize,
		    sizeof(o->authorize), 1) == -1 ||
		    url_member(j, "token_endpoint", o->token, sizeof(o->token),
		    1) == -1 ||
		    url_member(j, "end_session_endpoint", o->end_session,
		    sizeof(o->end_session), 0) == -1)
			snprintf(err, errlen, "the discovery document lacks "
			    "usable endpoints");
		else {
			o->fetched = now;
			rc = 0;
		}
	}
	cJSON_Delete(j);
	buf_free(&doc);
	buf_free(&url);
	return rc;
}

/* bytes random bytes, base64url-encoded into out (B64URL_LEN + 1). */
int
oidc_random(char *out, size_t bytes)
{
	unsigned char	 r[64];

	if (bytes > sizeof(r) || RAND_bytes(r, (int)bytes) != 1)
		return -1;
	b64url_encode(r, bytes, out);
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

/* The S256 code challenge of a verifier: BASE64URL(SHA256(verifier)). */
int
oidc_challenge(const char *verifier, char *out, size_t len)
{
	unsigned char	 d[32];
	unsigned int	 n = 0;

	if (len < B64URL_LEN(sizeof(d)) + 1 ||
	    EVP_Digest(verifier, strlen(verifier), d, &n, EVP_sha256(),
	    NULL) != 1 || n != sizeof(d))
		return -1;
	b64url_encode(d, sizeof(d), out);
	return 0;
}

/* Appends name=value to a URL's query, with & unless just after ? or &. */
static int
query_add(struct buf *b, const char *name, const char *value)
{
	char	*e;
	int	 rc;

	if ((e = curl_easy_escape(NULL, value, 0)) == NULL)
		return -1;
	rc = buf_printf(b, "%s%s=%s", b->len > 0 && b->data[b->len - 1] != '?' &&
	    b->data[b->len - 1] != '&' ? "&" : "", name, e);
	curl_free(e);
	return rc;
}

/* Where to send the browser to sign in. */
int
oidc_authorize_url(const struct oidc *o, const struct config *cfg,
    const char *state, const char *nonce, const char *challenge,
    struct buf *out)
{
	struct buf	 redirect = { 0 };
	int		 rc;

	if (buf_printf(&redirect, "%s/v1/auth/callback", cfg->public_url) == -1)
		return -1;
	rc = buf_printf(out, "%s%sresponse_type=code", o->authorize,
	    strchr(o->authorize, '?') != NULL ? "&" : "?") == -1 ||
	    query_add(out, "client_id", cfg->client_id) == -1 ||
	    query_add(out, "redirect_uri", redirect.data) == -1 ||
	    query_add(out, "scope", "openid profile email offline_access "
	    "urn:zitadel:iam:user:resourceowner") == -1 ||
	    query_add(out, "state", state) == -1 ||
	    query_add(out, "nonce", nonce) == -1 ||
	    query_add(out, "code_challenge", challenge) == -1 ||
	    query_add(out, "code_challenge_method", "S256") == -1 ? -1 : 0;
	buf_free(&redirect);
	return rc;
}

/* Where to send the browser to end its session at the provider too. */
int
oidc_end_session_url(const struct oidc *o, const struct config *cfg,
    struct buf *out)
{
	struct buf	 back = { 0 };
	int		 rc;

	if (o->end_session[0] == '\0' ||
	    buf_printf(&back, "%s/", cfg->public_url) == -1)
		return -1;
	rc = buf_printf(out, "%s%s", o->end_session,
	    strchr(o->end_session, '?') != NULL ? "&" : "?") == -1 ||
	    query_add(out, "client_id", cfg->client_id) == -1 ||
	    query_add(out, "post_logout_redirect_uri", back.data) == -1 ?
	    -1 : 0;
	buf_free(&back);
	return rc;
}

static char *
dup_member(const cJSON *j, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(j, name);

	return cJSON_IsString(v) && v->valuestring[0] != '\0' ?
	    strdup(v->valuestring) : NULL;
}

/* Reads a token endpoint's answer into t. */
static int
tokens_parse(const struct buf *b, long status, struct oidc_tokens *t,
    char *err, size_t errlen)
{
	cJSON		*j = cJSON_ParseWithLength(b->data != NULL ? b->data : "",
			    b->len);
	const cJSON	*e, *exp;
	int		 rc = -1;

	if (j == NULL)
		snprintf(err, errlen, "the token endpoint answered HTTP %ld "
		    "without JSON", status);
	else if (status != 200) {
		e = cJSON_GetObjectItemCaseSensitive(j, "error");
		snprintf(err, errlen, "the token endpoint refused: %.64s",
		    cJSON_IsString(e) ? e->valuestring : "unknown error");
	} else {
		t->access_token = dup_member(j, "access_token");
		t->id_token = dup_member(j, "id_token");
		t->refresh_token = dup_member(j, "refresh_token");
		exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
		t->expires_in = cJSON_IsNumber(exp) && exp->valuedouble > 0 &&
		    exp->valuedouble < 86400 * 30 ? (long)exp->valuedouble : 300;
		if (t->access_token == NULL)
			snprintf(err, errlen, "the token endpoint gave no "
			    "access token");
		else
			rc = 0;
	}
	cJSON_Delete(j);
	if (rc == -1)
		oidc_tokens_free(t);
	return rc;
}

static int
token_request(const struct oidc *o, const struct config *cfg,
    const struct buf *form, struct oidc_tokens *t, char *err, size_t errlen)
{
	struct buf	 answer = { 0 };
	long		 status;
	int		 rc;

	memset(t, 0, sizeof(*t));
	rc = fetch_post_form(o->token, form->data, cfg->client_secret != NULL ?
	    cfg->client_id : NULL, cfg->client_secret, OIDC_MAX_ANSWER,
	    &answer, &status, err, errlen);
	if (rc == 0)
		rc = tokens_parse(&answer, status, t, err, errlen);
	buf_free(&answer);
	return rc;
}

/* Exchanges an authorization code and its PKCE verifier for tokens. */
int
oidc_redeem(const struct oidc *o, const struct config *cfg,
    const char *code, const char *verifier, struct oidc_tokens *t,
    char *err, size_t errlen)
{
	struct buf	 form = { 0 }, redirect = { 0 };
	int		 rc = -1;

	if (buf_printf(&redirect, "%s/v1/auth/callback", cfg->public_url) ==
	    -1 || form_add(&form, "grant_type", "authorization_code") == -1 ||
	    form_add(&form, "code", code) == -1 ||
	    form_add(&form, "redirect_uri", redirect.data) == -1 ||
	    form_add(&form, "code_verifier", verifier) == -1 ||
	    form_add(&form, "client_id", cfg->client_id) == -1)
		snprintf(err, errlen, "out of memory");
	else
		rc = token_request(o, cfg, &form, t, err, errlen);
	buf_free(&form);
	buf_free(&redirect);
	return rc;
}

/* Renews tokens with a refresh token. */
int
oidc_refresh(const struct oidc *o, const struct config *cfg,
    const char *refresh_token, struct oidc_tokens *t, char *err,
    size_t errlen)
{
	struct buf	 form = { 0 };
	int		 rc = -1;

	if (form_add(&form, "grant_type", "refresh_token") == -1 ||
	    form_add(&form, "refresh_token", refresh_token) == -1 ||
	    form_add(&form, "client_id", cfg->client_id) == -1)
		snprintf(err, errlen, "out of memory");
	else
		rc = token_request(o, cfg, &form, t, err, errlen);
	if (form.data != NULL)
		OPENSSL_cleanse(form.data, form.len);
	buf_free(&form);
	return rc;
}

void
oidc_tokens_free(struct oidc_tokens *t)
{
	free(t->access_token);
	free(t->id_token);
	if (t->refresh_token != NULL)
		OPENSSL_cleanse(t->refresh_token, strlen(t->refresh_token));
	free(t->refresh_token);
	memset(t, 0, sizeof(*t));
}
