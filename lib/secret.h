/*
 * Secrets at rest: envelope encryption with AES-256-GCM. Each secret gets
 * a fresh 256-bit data key and a random 96-bit nonce; the data key is
 * wrapped by a key-encryption key named by its id; the associated data
 * binds the secret to its account, row and field, so a sealed value copied
 * to another row does not open. Tags are 16 bytes. The sealed text is
 *
 *	v1:<key id>:<wrapped data key>:<sealed secret>
 *
 * both parts base64url: nonce, ciphertext, tag. The key-encryption keys
 * come from COCKPIT_SECRET_KEYS, "id:hex,id:hex,...": the first seals,
 * all of them open, so a key is retired by putting a new one first and
 * re-sealing.
 */
#ifndef COCKPIT_SECRET_H
#define COCKPIT_SECRET_H

#include <stddef.h>

#include "buf.h"

#define SECRET_KEYS_MAX		8
#define SECRET_KEY_ID_MAX	32
#define SECRET_KEY_LEN		32
#define SECRET_PLAIN_MAX	16384	/* bytes a secret may have */

struct secret_keys {
	size_t	 n;				/* 0: no keys, sealing is off */
	struct {
		char		 id[SECRET_KEY_ID_MAX + 1];
		unsigned char	 key[SECRET_KEY_LEN];
	}	 k[SECRET_KEYS_MAX];
};

int	secret_keys_parse(struct secret_keys *, const char *spec, char *err,
	    size_t errlen);
void	secret_keys_free(struct secret_keys *);
int	secret_seal(const struct secret_keys *, const char *aad,
	    const char *plain, struct buf *out);
int	secret_open(const struct secret_keys *, const char *aad,
	    const char *sealed, struct buf *out);

#endif
