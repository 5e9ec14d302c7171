/* The provider's keys: one shared document, one parsed copy per worker. */
#include <sys/mman.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fetch.h"
#include "keyring.h"

#define FIRST_COOLDOWN	2	/* seconds, while no key was ever fetched */

struct keyring_shared {
	pthread_mutex_t	 lock;
	uint64_t	 version;	/* 0: never fetched */
	time_t		 fetched_at;
	time_t		 attempted_at;
	char		 error[256];
	size_t		 len;
	char		 doc[JWKS_MAX_BYTES];
};

struct keyring_shared *
keyring_create(void)
{
	struct keyring_shared	*s;
	pthread_mutexattr_t	 attr;
	int			 ok;

	s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return NULL;
	ok = pthread_mutexattr_init(&attr) == 0 &&
	    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0 &&
	    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0 &&
	    pthread_mutex_init(&s->lock, &attr) == 0;
	(void)pthread_mutexattr_destroy(&attr);
	if (!ok) {
		(void)munmap(s, sizeof(*s));
		return NULL;
	}
	return s;
}

void
keyring_destroy(struct keyring_shared *s)
{
	if (s != NULL)
		(void)munmap(s, sizeof(*s));
}

/* Takes the lock, also from a worker that died holding it. */
static int
lock(struct keyring_shared *s)
{
	int	 rc = pthread_mutex_lock(&s->lock);

	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(&s->lock);
	return rc == 0 ? 0 : -1;
}

static void
unlock(struct keyring_shared *s)
{
	(void)pthread_mutex_unlock(&s->lock);
}

void
keyring_init(struct keyring *kr, struct keyring_shared *s, const char *url,
    int cooldown)
{
	memset(kr, 0, sizeof(*kr));
	kr->shm = s;
	kr->url = url;
	kr->cooldown = cooldown;
}

void
keyring_free(struct keyring *kr)
{
	jwks_free(&kr->keys);
	kr->version = 0;
}

/* With the lock held: parse the shared document if it is newer. */
static void
reload_locked(struct keyring *kr)
{
	struct jwks	 next;
	char		 err[128];

	if (kr->shm->version == kr->version ||
	    jwks_parse(&next, kr->shm->doc, kr->shm->len, err,
	    sizeof(err)) == -1)
		return;
	jwks_free(&kr->keys);
	kr->keys = next;
	kr->version = kr->shm->version;
}

/* With the lock held: fetch, and publish the document if it parses. */
static void
refresh_locked(struct keyring *kr, time_t now)
{
	struct keyring_shared	*s = kr->shm;
	struct buf		 doc = { 0 };
	struct jwks		 check;
	char			 err[200];

	s->attempted_at = now;
	if (fetch_get(kr->url, JWKS_MAX_BYTES, &doc, err, sizeof(err)) == 0 &&
	    jwks_parse(&check, doc.data, doc.len, err, sizeof(err)) == 0) {
		jwks_free(&check);
		memcpy(s->doc, doc.data, doc.len);
		s->len = doc.len;
		__atomic_store_n(&s->version, s->version + 1, __ATOMIC_RELEASE);
		s->fetched_at = now;
		s->error[0] = '\0';
	} else
		(void)snprintf(s->error, sizeof(s->error), "%s", err);
	buf_free(&doc);
}

static uint64_t
shared_version(const struct keyring_shared *s)
{
	return __atomic_load_n(&s->version, __ATOMIC_ACQUIRE);
}

/*
 * The keys to verify a token signed with kid. When kid is unknown the
 * shared document is refreshed if the cooldown allows. The set may still
 * lack kid; err then says why when a fetch failed.
 */
const struct jwks *
keyring_keys(struct keyring *kr, const char *kid, time_t now, char *err,
    size_t errlen)
{
	struct keyring_shared	*s = kr->shm;
	time_t			 cooldown;

	err[0] = '\0';
	if (shared_version(s) == kr->version && jwks_find(&kr->keys, kid))
		return &kr->keys;
	if (kr->url == NULL || lock(s) == -1) {
		(void)snprintf(err, errlen, "no JWKS URL configured");
		return &kr->keys;
	}
	reload_locked(kr);
	cooldown = s->version == 0 && kr->cooldown > FIRST_COOLDOWN ?
	    FIRST_COOLDOWN : kr->cooldown;
	if (jwks_find(&kr->keys, kid) == NULL &&
	    now - s->attempted_at >= cooldown) {
		refresh_locked(kr, now);
		reload_locked(kr);
	}
	if (s->error[0] != '\0')
		(void)snprintf(err, errlen, "%s", s->error);
	unlock(s);
	return &kr->keys;
}

/* For status pages: when keys were last fetched, how many, last error. */
int
keyring_status(struct keyring_shared *s, time_t *fetched, size_t *nkeys,
    char *error, size_t errlen)
{
	struct jwks	 keys;
	char		 err[128];

	if (lock(s) == -1)
		return -1;
	*fetched = s->fetched_at;
	*nkeys = 0;
	if (s->version != 0 && jwks_parse(&keys, s->doc, s->len, err,
	    sizeof(err)) == 0) {
		*nkeys = keys.n;
		jwks_free(&keys);
	}
	(void)snprintf(error, errlen, "%s", s->error);
	unlock(s);
	return 0;
}
