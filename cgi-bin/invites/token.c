/*
 * Invite tokens: "cki_" and 32 random bytes in base64url, like the API
 * keys' secrets. Only the SHA-256 of the whole token is stored.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base64.h"
#include "invites.h"

/* A new token and its digest into t; 0, or -1 with the request answered. */
int
token_make(struct req *r, struct invite_token *t)
{
	unsigned char	 secret[INVITE_TOKEN_BYTES];
	char		 text[B64URL_LEN(INVITE_TOKEN_BYTES) + 1];
	int		 n = -1;

	if (RAND_bytes(secret, sizeof(secret)) == 1) {
		b64url_encode(secret, sizeof(secret), text);
		n = snprintf(t->token, sizeof(t->token), INVITE_TOKEN_PREFIX
		    "%s", text);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(text, sizeof(text));
	if (n == INVITE_TOKEN_LEN &&
	    auth_secret_bytea(t->token, t->digest) == 0)
		return 0;
	token_forget(t);
	log_error(&r->w->log, "cannot make an invite token", "request_id",
	    r->request_id);
	resp_error(r, 500, "internal_error", NULL, "internal error; quote the "
	    "request id when reporting it");
	return -1;
}

/*
 * The digest of a token as a client gave it, into out: 0, or -1 when it
 * is not the shape of a token (which the caller answers as it answers an
 * unknown one).
 */
int
token_digest(const char *token, char out[AUTH_BYTEA_LEN])
{
	unsigned char	 raw[INVITE_TOKEN_BYTES + 1];
	const size_t	 plen = strlen(INVITE_TOKEN_PREFIX);

	if (strlen(token) != INVITE_TOKEN_LEN ||
	    strncmp(token, INVITE_TOKEN_PREFIX, plen) != 0 ||
	    b64url_decode(token + plen, INVITE_TOKEN_LEN - plen, raw,
	    sizeof(raw)) != INVITE_TOKEN_BYTES)
		return -1;
	OPENSSL_cleanse(raw, sizeof(raw));
	return auth_secret_bytea(token, out);
}

void
token_forget(struct invite_token *t)
{
	OPENSSL_cleanse(t, sizeof(*t));
}
