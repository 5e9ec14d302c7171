/* Secrets at rest: AES-256-GCM envelopes (see secret.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base64.h"
#include "secret.h"

#define NONCE_LEN	12
#define TAG_LEN		16
#define WRAPPED_LEN	(NONCE_LEN + SECRET_KEY_LEN + TAG_LEN)

static int
key_id_valid(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > SECRET_KEY_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

static int
hex_key(const char *s, size_t n, unsigned char *out)
{
	size_t		 i;
	unsigned int	 v;

	if (n != 2 * SECRET_KEY_LEN)
		return -1;
	for (i = 0; i < SECRET_KEY_LEN; i++) {
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

/* One "id:hex" entry of the specification. */
static int
parse_entry(struct secret_keys *ks, const char *e, size_t len, char *err,
    size_t errlen)
{
	const char	*colon = memchr(e, ':', len);
	size_t		 idlen, i;

	if (colon == NULL || !key_id_valid(e, (idlen = (size_t)(colon - e))) ||
	    hex_key(colon + 1, len - idlen - 1, ks->k[ks->n].key) == -1) {
		snprintf(err, errlen, "COCKPIT_SECRET_KEYS: each key is id:hex, "
		    "an id of letters, digits, - and _ and 64 hex digits");
		return -1;
	}
	memcpy(ks->k[ks->n].id, e, idlen);
	ks->k[ks->n].id[idlen] = '\0';
	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i].id, ks->k[ks->n].id) == 0) {
			snprintf(err, errlen, "COCKPIT_SECRET_KEYS: key id %s "
			    "given twice", ks->k[i].id);
			return -1;
		}
	ks->n++;
	return 0;
}

/* Reads "id:hex,id:hex"; NULL or empty is no keys. */
int
secret_keys_parse(struct secret_keys *ks, const char *spec, char *err,
    size_t errlen)
{
	const char	*p, *end;

	memset(ks, 0, sizeof(*ks));
	for (p = spec; p != NULL && *p != '\0'; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if (ks->n == SECRET_KEYS_MAX) {
			snprintf(err, errlen, "COCKPIT_SECRET_KEYS: more than %d "
			    "keys", SECRET_KEYS_MAX);
			secret_keys_free(ks);
			return -1;
		}
		if (parse_entry(ks, p, (size_t)(end - p), err, errlen) == -1) {
			secret_keys_free(ks);
			return -1;
		}
	}
	return 0;
}

void
secret_keys_free(struct secret_keys *ks)
{
	OPENSSL_cleanse(ks, sizeof(*ks));
}

/*
 * AES-256-GCM of in (len bytes) under key with aad: out gets nonce,
 * ciphertext and tag (NONCE_LEN + len + TAG_LEN bytes).
 */
static int
gcm_seal(const unsigned char *key, const char *aad, const unsigned char *in,
    size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX	*c;
	int		 n, ok;

	if (RAND_bytes(out, NONCE_LEN) != 1 ||
	    (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, out) == 1 &&
	    EVP_EncryptUpdate(c, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_EncryptUpdate(c, out + NONCE_LEN, &n, in, (int)len) == 1 &&
	    (size_t)n == len &&
	    EVP_EncryptFinal_ex(c, out + NONCE_LEN + len, &n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    out + NONCE_LEN + len) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* The reverse: in is nonce, ciphertext, tag; out gets len - 28 bytes. */
static int
gcm_open(const unsigned char *key, const char *aad, const unsigned char *in,
    size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX	*c;
	size_t		 clen;
	int		 n, ok;

	if (len < NONCE_LEN + TAG_LEN || (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	clen = len - NONCE_LEN - TAG_LEN;
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, in) == 1 &&
	    EVP_DecryptUpdate(c, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    EVP_DecryptUpdate(c, out, &n, in + NONCE_LEN, (int)clen) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    (void *)(in + NONCE_LEN + clen)) == 1 &&
	    EVP_DecryptFinal_ex(c, out + clen, &n) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int
put_b64(struct buf *out, const unsigned char *b, size_t n)
{
	char	*t;
	int	 rc;

	if ((t = malloc(B64URL_LEN(n) + 1)) == NULL)
		return -1;
	b64url_encode(b, n, t);
	rc = buf_puts(out, t);
	free(t);
	return rc;
}

static const char *
wrap_aad(const char *id, char *out, size_t len)
{
	(void)snprintf(out, len, "cockpit-data-key:%s", id);
	return out;
}

/*
 * Seals plain (a NUL-terminated secret) for the place aad names, with
 * the first key. 0, or -1 (no keys, too long, no memory, no randomness).
 */
int
secret_seal(const struct secret_keys *ks, const char *aad, const char *plain,
    struct buf *out)
{
	unsigned char	 dek[SECRET_KEY_LEN], wrapped[WRAPPED_LEN], *sealed;
	char		 wa[SECRET_KEY_ID_MAX + 32];
	size_t		 len = strlen(plain);
	int		 rc = -1;

	buf_reset(out);
	if (ks->n == 0 || len > SECRET_PLAIN_MAX ||
	    (sealed = malloc(NONCE_LEN + len + TAG_LEN)) == NULL)
		return -1;
	if (RAND_bytes(dek, sizeof(dek)) == 1 &&
	    gcm_seal(ks->k[0].key, wrap_aad(ks->k[0].id, wa, sizeof(wa)), dek,
	    sizeof(dek), wrapped) == 0 &&
	    gcm_seal(dek, aad, (const unsigned char *)plain, len, sealed) == 0 &&
	    buf_printf(out, "v1:%s:", ks->k[0].id) == 0 &&
	    put_b64(out, wrapped, sizeof(wrapped)) == 0 &&
	    buf_puts(out, ":") == 0 &&
	    put_b64(out, sealed, NONCE_LEN + len + TAG_LEN) == 0)
		rc = 0;
	OPENSSL_cleanse(dek, sizeof(dek));
	free(sealed);
	return rc;
}

static const unsigned char *
key_of(const struct secret_keys *ks, const char *id, size_t idlen)
{
	size_t	 i;

	for (i = 0; i < ks->n; i++)
		if (strlen(ks->k[i].id) == idlen &&
		    memcmp(ks->k[i].id, id, idlen) == 0)
			return ks->k[i].key;
	return NULL;
}

/* Unwraps the data key of a sealed value: its key id and wrapped part. */
static int
unwrap(const struct secret_keys *ks, const char *id, size_t idlen,
    const char *w, size_t wlen, unsigned char *dek)
{
	unsigned char		 wrapped[WRAPPED_LEN + 4];
	const unsigned char	*kek = key_of(ks, id, idlen);
	char			 wa[SECRET_KEY_ID_MAX + 32], idz[SECRET_KEY_ID_MAX + 1];

	if (kek == NULL || idlen > SECRET_KEY_ID_MAX ||
	    b64url_decode(w, wlen, wrapped, sizeof(wrapped)) != WRAPPED_LEN)
		return -1;
	memcpy(idz, id, idlen);
	idz[idlen] = '\0';
	return gcm_open(kek, wrap_aad(idz, wa, sizeof(wa)), wrapped,
	    WRAPPED_LEN, dek);
}

/*
 * Opens a sealed value for the place aad names into out, NUL-terminated.
 * 0, or -1: malformed, unknown key, or not authentic (another place, a
 * changed byte).
 */
int
secret_open(const struct secret_keys *ks, const char *aad, const char *sealed,
    struct buf *out)
{
	const char	*id, *w, *d;
	unsigned char	 dek[SECRET_KEY_LEN], *raw = NULL, *plain = NULL;
	size_t		 dlen, cap;
	long		 n;
	int		 rc = -1;

	buf_reset(out);
	if (strncmp(sealed, "v1:", 3) != 0 || (id = sealed + 3,
	    w = strchr(id, ':')) == NULL || (d = strchr(w + 1, ':')) == NULL)
		return -1;
	w++;
	d++;
	dlen = strlen(d);
	cap = dlen * 3 / 4 + 3;
	if (cap > SECRET_PLAIN_MAX + NONCE_LEN + TAG_LEN + 3 ||
	    unwrap(ks, id, (size_t)(w - 1 - id), w, (size_t)(d - 1 - w),
	    dek) == -1 || (raw = malloc(cap)) == NULL)
		goto done;
	n = b64url_decode(d, dlen, raw, cap);
	if (n >= NONCE_LEN + TAG_LEN && (plain = malloc((size_t)n)) != NULL &&
	    gcm_open(dek, aad, raw, (size_t)n, plain) == 0 &&
	    memchr(plain, '\0', (size_t)n - NONCE_LEN - TAG_LEN) == NULL &&
	    buf_append(out, (const char *)plain, (size_t)n - NONCE_LEN -
	    TAG_LEN) == 0)
		rc = 0;
	if (plain != NULL)
		OPENSSL_cleanse(plain, (size_t)n);
done:
	OPENSSL_cleanse(dek, sizeof(dek));
	free(plain);
	free(raw);
	if (rc == -1 && out->data != NULL) {
		OPENSSL_cleanse(out->data, out->len);
		buf_reset(out);
	}
	return rc;
}
