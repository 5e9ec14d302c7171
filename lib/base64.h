/*
 * base64url without padding (RFC 4648, section 5), as JWTs, JWKs and the
 * API's cursors use it. Decoding is strict: only the url alphabet, and
 * the unused bits of the last character must be zero, so every value has
 * exactly one spelling.
 */
#ifndef COCKPIT_BASE64_H
#define COCKPIT_BASE64_H

#include <stddef.h>

#define B64URL_LEN(n)	(((n) * 4 + 2) / 3)	/* characters for n bytes */

void	b64url_encode(const unsigned char *, size_t, char *out);
long	b64url_decode(const char *, size_t, unsigned char *out, size_t outlen);

#endif
