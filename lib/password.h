/*
 * Password hashes for the break-glass credential: scrypt (RFC 7914) with
 * OpenSSL's EVP_PBE_scrypt, kept as one string that names its parameters,
 *
 *	$scrypt$ln=15,r=8,p=1$<salt>$<key>
 *
 * where ln is log2 of N, salt is 16 random bytes and key the 32-byte
 * derived key, both base64url without padding (lib/base64). Parsing is
 * strict: one spelling per hash, nothing before or after it.
 */
#ifndef COCKPIT_PASSWORD_H
#define COCKPIT_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MIN_LEN	16	/* bytes */
#define PASSWORD_MAX_LEN	1024	/* bytes */
#define PASSWORD_ENCODED_MAX	128	/* a buffer for any hash, with NUL */

int	password_hash(const char *password, char *out, size_t outlen);
int	password_verify(const char *password, const char *encoded);

#endif
