/*
 * The identity provider's signing keys, shared by all workers of a
 * program. The JWKS document lives in one shared mapping made before the
 * workers fork; each worker keeps the keys parsed from it and re-parses
 * only when the document's version moves. A token with an unknown kid
 * asks for a refresh: under one process-shared lock, the first worker
 * fetches (at most once per cooldown) and every waiter
 * then uses what it got. A failed fetch keeps the last good set.
 * The cooldown is COCKPIT_JWKS_COOLDOWN.
 */
#ifndef COCKPIT_KEYRING_H
#define COCKPIT_KEYRING_H

#include <stdint.h>
#include <time.h>

#include "jwks.h"


struct keyring_shared;

struct keyring {
	struct keyring_shared	*shm;
	const char		*url;
	int			 cooldown;	/* seconds between fetches */
	uint64_t		 version;	/* of the document parsed */
	struct jwks		 keys;
};

struct keyring_shared	*keyring_create(void);
void			 keyring_destroy(struct keyring_shared *);
void			 keyring_init(struct keyring *, struct keyring_shared *,
			    const char *url, int cooldown);
void			 keyring_free(struct keyring *);
const struct jwks	*keyring_keys(struct keyring *, const char *kid,
			    time_t now, char *err, size_t errlen);
int			 keyring_status(struct keyring_shared *, time_t *fetched,
			    size_t *nkeys, char *error, size_t errlen);

#endif
