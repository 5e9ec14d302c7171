/*
 * scrypt password hashes; password.h gives the format. A hash's parameters
 * are bounded while it is parsed, before any work is done; what they cost
 * in memory is bounded again by scrypt itself (PASSWORD_MAXMEM). Derived
 * keys are cleansed once used, and compared with CRYPTO_memcmp.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base64.h"
#include "password.h"

#define SCRYPT_LN	15	/* N = 2^15 */
#define SCRYPT_R	8
#define SCRYPT_P	1
#define SALT_LEN	16
#define KEY_LEN		32

/* N = 2^15, r = 8 needs 32 MiB and a little more: OpenSSL's default. */
#define PASSWORD_MAXMEM	(64 * 1024 * 1024)

/* One hash, parsed or about to be written. */
struct hash {
	unsigned int	 ln;
	unsigned int	 r;
	unsigned int	 p;
	unsigned char	 salt[SALT_LEN];
	unsigned char	 key[KEY_LEN];
};

/* The key for password under h's parameters and salt into key. */
static int
derive(const char *password, size_t len, const struct hash *h,
    unsigned char key[KEY_LEN])
{
	if (EVP_PBE_scrypt(password, len, h->salt, SALT_LEN,
	    (uint64_t)1 << h->ln, h->r, h->p, PASSWORD_MAXMEM, key,
	    KEY_LEN) != 1) {
		/* Leave nothing on the queue for the next OpenSSL caller. */
		ERR_clear_error();
		return -1;
	}
	return 0;
}

static int
encode(const struct hash *h, char *out, size_t outlen)
{
	char	 salt[B64URL_LEN(SALT_LEN) + 1], key[B64URL_LEN(KEY_LEN) + 1];
	int	 n;

	b64url_encode(h->salt, SALT_LEN, salt);
	b64url_encode(h->key, KEY_LEN, key);
	n = snprintf(out, outlen, "$scrypt$ln=%u,r=%u,p=%u$%s$%s", h->ln,
	    h->r, h->p, salt, key);
	OPENSSL_cleanse(key, sizeof(key));
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/*
 * Hashes password (PASSWORD_MIN_LEN to PASSWORD_MAX_LEN bytes) with a
 * fresh salt into out. Returns 0, or -1 (out then holds "").
 */
int
password_hash(const char *password, char *out, size_t outlen)
{
	struct hash	 h;
	size_t		 len;
	int		 rc;

	if (outlen > 0)
		out[0] = '\0';
	len = strlen(password);
	if (len < PASSWORD_MIN_LEN || len > PASSWORD_MAX_LEN)
		return -1;
	h.ln = SCRYPT_LN;
	h.r = SCRYPT_R;
	h.p = SCRYPT_P;
	if (RAND_bytes(h.salt, SALT_LEN) != 1) {
		ERR_clear_error();
		return -1;
	}
	rc = derive(password, len, &h, h.key) == 0 &&
	    encode(&h, out, outlen) == 0 ? 0 : -1;
	OPENSSL_cleanse(&h, sizeof(h));
	if (rc == -1 && outlen > 0)
		OPENSSL_cleanse(out, outlen);
	return rc;
}

/* Skips the literal s at *p. */
static int
literal(const char **p, const char *s)
{
	size_t	 n;

	n = strlen(s);
	if (strncmp(*p, s, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/*
 * A decimal of one or two digits in lo..hi (lo > 0), without sign or
 * leading zero, after the literal name at *p.
 */
static int
number(const char **p, const char *name, unsigned int lo, unsigned int hi,
    unsigned int *v)
{
	const char	*s;
	unsigned int	 n;
	int		 digits;

	if (literal(p, name) == -1)
		return -1;
	s = *p;
	if (*s == '0')
		return -1;
	n = 0;
	for (digits = 0; digits < 3 && *s >= '0' && *s <= '9'; digits++)
		n = n * 10 + (unsigned int)(*s++ - '0');
	if (digits == 0 || digits > 2 || n < lo || n > hi)
		return -1;
	*p = s;
	*v = n;
	return 0;
}

/* Exactly len bytes of base64url, up to the next '$' or the end. */
static int
field(const char **p, unsigned char *out, size_t len)
{
	const char	*end;
	size_t		 n;

	if ((end = strchr(*p, '$')) == NULL)
		end = *p + strlen(*p);
	n = (size_t)(end - *p);
	if (n != B64URL_LEN(len) || b64url_decode(*p, n, out, len) !=
	    (long)len)
		return -1;
	*p = end;
	return 0;
}

static int
parse(const char *encoded, struct hash *h)
{
	const char	*p;

	if (strnlen(encoded, PASSWORD_ENCODED_MAX) == PASSWORD_ENCODED_MAX)
		return -1;
	p = encoded;
	if (literal(&p, "$scrypt$") == -1 ||
	    number(&p, "ln=", 10, 20, &h->ln) == -1 ||
	    number(&p, ",r=", 1, 32, &h->r) == -1 ||
	    number(&p, ",p=", 1, 16, &h->p) == -1 ||
	    literal(&p, "$") == -1 ||
	    field(&p, h->salt, SALT_LEN) == -1 ||
	    literal(&p, "$") == -1 ||
	    field(&p, h->key, KEY_LEN) == -1)
		return -1;
	return *p == '\0' ? 0 : -1;
}

/*
 * Whether password is the one encoded hashes: 1 it is, 0 it is not, -1
 * the hash is malformed or scrypt failed (parameters needing more than
 * PASSWORD_MAXMEM fail too).
 */
int
password_verify(const char *password, const char *encoded)
{
	struct hash	 h;
	unsigned char	 key[KEY_LEN];
	int		 rc;

	if (parse(encoded, &h) == -1)
		rc = -1;
	else if (derive(password, strlen(password), &h, key) == -1)
		rc = -1;
	else
		rc = CRYPTO_memcmp(key, h.key, KEY_LEN) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(&h, sizeof(h));
	return rc;
}
