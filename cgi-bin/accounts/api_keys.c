/*
 * The API key handlers of accounts.fcgi. A key is "ck_<prefix>_<secret>":
 * 8 characters of [a-z0-9] that name it in lists and logs, and 32 random
 * bytes in base64url. Only the SHA-256 of the whole key is stored; the
 * secret is in the answer that made it and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "accounts.h"
#include "base64.h"
#include "list.h"

#define KEY_PREFIX_LEN		8
#define KEY_SECRET_BYTES	32
#define KEY_SECRET_LEN		B64URL_LEN(KEY_SECRET_BYTES)
#define KEY_LEN			(3 + KEY_PREFIX_LEN + 1 + KEY_SECRET_LEN)
#define KEY_DIGEST_LEN		32

/* A key just made, and its digest as bytea input ("\x" and hex). */
struct new_key {
	char	 prefix[KEY_PREFIX_LEN + 1];
	char	 key[KEY_LEN + 1];
	char	 digest[2 + 2 * KEY_DIGEST_LEN + 1];
};

static const char *const list_params[] = {
	"limit", "cursor", "status", NULL
};

static int
key_scope_valid(const char *s)
{
	return strcmp(s, "api") == 0 || strcmp(s, "scim") == 0;
}

static const struct field create_fields[] = {
	{ "name", FIELD_TEXT, 1, 1, 200, NULL, NULL },
	{ "scope", FIELD_TEXT, 0, 1, 8, key_scope_valid, "api or scim" },
};

static const struct field rotate_fields[] = {
	{ "grace_seconds", FIELD_INTEGER, 0, 0, API_KEY_GRACE_MAX, NULL, NULL },
};

/*
 * The members of a key, in the order of KEY_COLUMNS; a secret, when there
 * is one, follows the prefix.
 */
static const char *const key_members[] = {
	"id", "name", "prefix", "created_by", "created_at", "rotated_at",
	"last_used_at", "revoked_at", "previous_expires_at", "status", "scope"
};

#define KEY_NCOLS	(int)(sizeof(key_members) / sizeof(key_members[0]))
#define KEY_COL_PREFIX	2

/* Fills out with KEY_PREFIX_LEN characters of [a-z0-9], without bias. */
static int
prefix_make(char *out)
{
	static const char	 alphabet[] =
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	const unsigned		 n = sizeof(alphabet) - 1;
	const unsigned		 cut = 256 - 256 % n;	/* a multiple of n */
	unsigned char		 b[16];
	size_t			 i, len = 0;

	while (len < KEY_PREFIX_LEN) {
		if (RAND_bytes(b, sizeof(b)) != 1)
			return -1;
		for (i = 0; i < sizeof(b) && len < KEY_PREFIX_LEN; i++)
			if (b[i] < cut)
				out[len++] = alphabet[b[i] % n];
	}
	out[len] = '\0';
	return 0;
}

/* Writes "ck_<prefix>_<secret>" with a new secret into k->key. */
static int
secret_make(struct new_key *k)
{
	unsigned char	 secret[KEY_SECRET_BYTES];
	char		 text[KEY_SECRET_LEN + 1];
	int		 n = -1;

	if (RAND_bytes(secret, sizeof(secret)) == 1) {
		b64url_encode(secret, sizeof(secret), text);
		n = snprintf(k->key, sizeof(k->key), "ck_%s_%s", k->prefix,
		    text);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(text, sizeof(text));
	return n == KEY_LEN ? 0 : -1;
}

/* Writes the SHA-256 of k->key into k->digest as "\x" and hex. */
static int
digest_make(struct new_key *k)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[KEY_DIGEST_LEN];
	unsigned int		 len = 0;
	size_t			 i;

	if (EVP_Digest(k->key, strlen(k->key), md, &len, EVP_sha256(),
	    NULL) != 1 || len != sizeof(md))
		return -1;
	k->digest[0] = '\\';
	k->digest[1] = 'x';
	for (i = 0; i < sizeof(md); i++) {
		k->digest[2 + 2 * i] = hex[md[i] >> 4];
		k->digest[3 + 2 * i] = hex[md[i] & 15];
	}
	k->digest[2 + 2 * sizeof(md)] = '\0';
	return 0;
}

/* A new key under prefix, or under a new prefix when it is NULL. */
static int
key_make(struct req *r, struct new_key *k, const char *prefix)
{
	int	 rc;

	if (prefix != NULL)
		rc = snprintf(k->prefix, sizeof(k->prefix), "%s", prefix) ==
		    KEY_PREFIX_LEN ? 0 : -1;
	else
		rc = prefix_make(k->prefix);
	if (rc == 0 && secret_make(k) == 0 && digest_make(k) == 0)
		return 0;
	OPENSSL_cleanse(k, sizeof(*k));
	log_error(&r->w->log, "cannot make an API key", "request_id",
	    r->request_id);
	resp_error(r, 500, "internal_error", NULL, "internal error; quote the "
	    "request id when reporting it");
	return -1;
}

/* Appends row i of a KEY_COLUMNS result as a JSON object, with key. */
static int
api_key_json(struct buf *b, const PGresult *res, int i, const char *key)
{
	int	 c;

	for (c = 0; c < KEY_NCOLS; c++) {
		if (buf_printf(b, "%s\"%s\":", c == 0 ? "{" : ",",
		    key_members[c]) == -1)
			return -1;
		if (sql_json_text(b, res, i, c) == -1)
			return -1;
		if (c == KEY_COL_PREFIX && key != NULL &&
		    (buf_puts(b, ",\"key\":") == -1 ||
		    buf_json_string(b, key) == -1))
			return -1;
	}
	return buf_puts(b, "}");
}

static void
account_not_found(struct req *r)
{
	resp_error(r, 404, "not_found", NULL, "no such account");
}

static void
key_not_found(struct req *r)
{
	resp_error(r, 404, "not_found", NULL, "no such API key");
}

/* Answers with the one key in res, and its secret if key; or 404. */
static void
api_key_answer(struct req *r, PGresult *res, int status, const char *key)
{
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0))
		key_not_found(r);
	else if (api_key_json(&r->out, res, 0, key) == -1)
		resp_nomem(r);
	else
		resp_ok(r, status);
	PQclear(res);
}

/*
 * Locks the path's account until the transaction ends, so that keys are
 * made one at a time there; 0, or -1 with the request answered.
 */
static int
account_lock(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;
	int		 n;

	if ((res = req_sql(r, ST_API_KEY_ACCOUNT, 1, v, 0)) == NULL)
		return -1;
	n = PQntuples(res);
	PQclear(res);
	if (n != 1) {
		account_not_found(r);
		return -1;
	}
	return 0;
}

/*
 * Locks the path's key until the transaction ends and copies its prefix
 * (if prefix is not NULL); 0, or -1 with the request answered: 404, or
 * 409 already_revoked with message.
 */
static int
key_lock(struct req *r, const char *message, char *prefix)
{
	const char	*v[2] = { req_param(r, 0), req_param(r, 1) };
	PGresult	*res;
	int		 rc = -1;

	if ((res = req_sql(r, ST_API_KEY_LOCK, 2, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1)
		key_not_found(r);
	else if (strcmp(PQgetvalue(res, 0, 1), "t") == 0)
		resp_error(r, 409, "already_revoked", NULL, "%s", message);
	else {
		if (prefix != NULL)
			(void)snprintf(prefix, KEY_PREFIX_LEN + 1, "%s",
			    PQgetvalue(res, 0, 0));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

/* The 201 of a key just made: the key with its secret, and Location. */
static void
created(struct req *r, PGresult *res, const char *key)
{
	char	 location[128];

	(void)snprintf(location, sizeof(location),
	    "/v1/accounts/%s/api-keys/%s", req_param(r, 0),
	    PQgetvalue(res, 0, 0));
	if (api_key_json(&r->out, res, 0, key) == -1)
		resp_nomem(r);
	else if (resp_header(r, "Location", location) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 201);
}

/*
 * One try at making a key, in a transaction of its own. Returns 0 with the
 * request answered, or 1 when the new prefix (or digest) was taken and
 * nothing was written.
 */
static int
create_try(struct req *r, const char *name, const char *scope)
{
	struct new_key	 k;
	const char	*v[8];
	PGresult	*res;
	int		 rc = 0;

	if (account_lock(r) == -1 || key_make(r, &k, NULL) == -1)
		return 0;
	v[0] = req_param(r, 0);
	v[1] = name;
	v[2] = k.prefix;
	v[3] = k.digest;
	v[4] = r->principal.actor;
	v[5] = role_name(r->principal.role);
	v[6] = r->request_id;
	v[7] = scope;
	if ((res = req_sql(r, ST_API_KEY_CREATE, 8, v, DB_LAST)) != NULL) {
		if (PQntuples(res) != 1)
			resp_error(r, 500, "internal_error", NULL, "internal "
			    "error; quote the request id when reporting it");
		else if (!PQgetisnull(res, 0, 0))
			created(r, res, k.key);
		else if (atol(PQgetvalue(res, 0, KEY_NCOLS)) >=
		    API_KEYS_ACTIVE_MAX)
			resp_error(r, 409, "limit_reached", NULL, "an account "
			    "may have at most %d active API keys; revoke one "
			    "first", API_KEYS_ACTIVE_MAX);
		else
			rc = 1;
		PQclear(res);
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return rc;
}

/*
 * POST /v1/accounts/{account_id}/api-keys {"name", "scope"?: "api" (the
 * default) or "scim" (the SCIM routes only)}: 201 with the key, its
 * secret "key" included this once, and its Location; 400 unknown_field;
 * 422 invalid_field; 404 not_found (no such account); 409 limit_reached.
 * A prefix already taken is drawn again, once.
 */
void
api_key_create(struct req *r)
{
	struct field_error	 e;
	const char		*name, *scope;

	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	name = text_member(r->body, "name");
	if ((scope = text_member(r->body, "scope")) == NULL)
		scope = "api";
	if (create_try(r, name, scope) == 1 &&
	    create_try(r, name, scope) == 1) {
		log_error(&r->w->log, "API key prefix taken twice",
		    "request_id", r->request_id);
		resp_error(r, 500, "internal_error", NULL, "internal error; "
		    "quote the request id when reporting it");
	}
}

static int
key_item(struct buf *b, const PGresult *res, int i)
{
	return api_key_json(b, res, i, NULL);
}

/* Writes a page of keys; a lone row of NULLs is the account, keyless. */
static int
key_list_json(struct buf *b, const PGresult *res, int limit)
{
	int	 n = PQntuples(res);

	if (n == 1 && PQgetisnull(res, 0, 0))
		n = 0;
	return page_json(b, res, n, limit, 4, 0, key_item);
}

/*
 * GET /v1/accounts/{account_id}/api-keys?status=&limit=&cursor=: 200 with
 * a page of keys in creation order, never a secret; 400 unknown_parameter
 * or invalid_parameter; 404 not_found (no such account).
 */
void
api_key_list(struct req *r)
{
	struct page	 page;
	const char	*status, *v[5];
	char		 fetch[16];
	PGresult	*res;

	if (req_query_allow(r, list_params) == -1 || req_page(r, &page, 0) == -1)
		return;
	status = req_query(r, "status");
	if (status != NULL && strcmp(status, "active") != 0 &&
	    strcmp(status, "revoked") != 0) {
		resp_error(r, 400, "invalid_parameter", "status", "status must "
		    "be active or revoked");
		return;
	}
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[0] = req_param(r, 0);
	v[1] = status;
	page_after(&page, &v[2], &v[3]);
	v[4] = fetch;
	if ((res = req_sql(r, ST_API_KEY_LIST, 5, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) == 0)
		account_not_found(r);
	else if (key_list_json(&r->out, res, page.limit) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/* GET /v1/accounts/{account_id}/api-keys/{key_id}: 200, or 404 not_found. */
void
api_key_get(struct req *r)
{
	const char	*v[2] = { req_param(r, 0), req_param(r, 1) };
	PGresult	*res;

	if ((res = req_sql(r, ST_API_KEY_GET, 2, v, DB_LAST)) != NULL)
		api_key_answer(r, res, 200, NULL);
}

/*
 * DELETE /v1/accounts/{account_id}/api-keys/{key_id}: revokes the key at
 * once, and its previous secret with it; 200 with the key; 404 not_found;
 * 409 already_revoked.
 */
void
api_key_revoke(struct req *r)
{
	const char	*v[5];
	PGresult	*res;

	if (key_lock(r, "the API key is already revoked", NULL) == -1)
		return;
	v[0] = req_param(r, 0);
	v[1] = req_param(r, 1);
	v[2] = r->principal.actor;
	v[3] = role_name(r->principal.role);
	v[4] = r->request_id;
	if ((res = req_sql(r, ST_API_KEY_REVOKE, 5, v, DB_LAST)) != NULL)
		api_key_answer(r, res, 200, NULL);
}

/*
 * POST /v1/accounts/{account_id}/api-keys/{key_id}/rotate
 * {"grace_seconds"?}: a new secret under the same prefix; the previous one
 * keeps working for grace_seconds (default 86400). 200 with the key, its
 * new "key" included this once; 400 unknown_field; 422 invalid_field;
 * 404 not_found; 409 already_revoked.
 */
void
api_key_rotate(struct req *r)
{
	struct field_error	 e;
	struct new_key		 k;
	const cJSON		*g;
	const char		*v[7];
	char			 prefix[KEY_PREFIX_LEN + 1], grace[24];
	PGresult		*res;

	if (validate_object(r->body, rotate_fields, NFIELDS(rotate_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	g = cJSON_GetObjectItemCaseSensitive(r->body, "grace_seconds");
	(void)snprintf(grace, sizeof(grace), "%ld", g != NULL ?
	    (long)g->valuedouble : (long)API_KEY_GRACE_DEFAULT);
	if (key_lock(r, "a revoked API key cannot be rotated", prefix) == -1 ||
	    key_make(r, &k, prefix) == -1)
		return;
	v[0] = req_param(r, 0);
	v[1] = req_param(r, 1);
	v[2] = k.digest;
	v[3] = grace;
	v[4] = r->principal.actor;
	v[5] = role_name(r->principal.role);
	v[6] = r->request_id;
	if ((res = req_sql(r, ST_API_KEY_ROTATE, 7, v, DB_LAST)) != NULL)
		api_key_answer(r, res, 200, k.key);
	OPENSSL_cleanse(&k, sizeof(k));
}
