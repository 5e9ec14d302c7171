/*
 * Configuration: KEY=value lines in cockpit.conf(5), each overridden by an
 * environment variable of the same name. A struct config owns its strings;
 * config_free() releases them. Loading either fills the whole struct or
 * fails with a message naming the key or line; a half-read configuration is
 * never used.
 */
#ifndef COCKPIT_CONFIG_H
#define COCKPIT_CONFIG_H

#include <stddef.h>

#include "log.h"
#include "secret.h"

#define CONFIG_DEFAULT_PATH	COCKPIT_SYSCONFDIR "/cockpit.conf"
#define CONFIG_MASTER_KEY_MIN	32
#define CONFIG_ERRLEN		256

struct config {
	char		*path;		/* file read, or NULL when none */
	char		*listen;	/* "unix:/path", "host:port" or ":port" */
	int		 workers;
	long		 max_requests;	/* 0: never recycle */
	int		 request_timeout; /* seconds */
	size_t		 max_body;	/* bytes */
	char		*database_url;
	int		 statement_timeout; /* milliseconds */
	char		*master_key;	/* NULL: master key sign-in off */
	char		*issuer;	/* ZITADEL_ISSUER; NULL: tokens off */
	char		*jwks_url;
	int		 jwks_cooldown;	/* seconds between refreshes */
	char		*audience;
	char		*account_claims;	/* comma-separated */
	char		*super_admin_roles;	/* comma-separated */
	char		*account_admin_roles;	/* comma-separated */
	char		*client_id;	/* the console's OIDC client */
	char		*client_secret;	/* NULL: a public client (PKCE) */
	char		*public_url;	/* the console's origin, no final / */
	char		*mgmt_url;	/* ZITADEL_MGMT_URL; NULL: the issuer */
	char		*mgmt_token;	/* ZITADEL_MGMT_API_TOKEN, or NULL */
	char		*mgmt_client_id;	/* ZITADEL_CLIENT_ID, or NULL */
	char		*mgmt_client_secret;	/* ZITADEL_CLIENT_SECRET */
	int		 session_idle;	/* seconds */
	int		 session_absolute; /* seconds */
	int		 break_glass;	/* break-glass sign-in allowed */
	int		 allow_private_urls; /* URLs users give may reach
					   loopback, private, link-local */
	struct secret_keys secrets;	/* COCKPIT_SECRET_KEYS */
	enum log_level	 log_level;
	int		 access_log;
	char		 credits_factor[24]; /* CREDITS_FACTOR: credits per
					   unit of cost, a decimal ("1") */
	char		 warning[CONFIG_ERRLEN]; /* empty, or one to log */
};

int	config_load(struct config *, const char *program, const char *path,
	    char *err, size_t errlen);
void	config_free(struct config *);

#endif
