/*
 * A FastCGI program is a struct app, a route table and the statements its
 * handlers prepare, handed to app_main(). libcockpit does the rest: the
 * configuration, the listening socket, the pre-fork supervisor, and in each
 * worker the front line every request passes (route, credentials,
 * permission, body) before its handler runs in one transaction.
 */
#ifndef COCKPIT_APP_H
#define COCKPIT_APP_H

#include <stddef.h>

#include "auth.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "keyring.h"
#include "log.h"
#include "metrics.h"
#include "mgmt.h"
#include "oidc.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "sql.h"
#include "validate.h"

struct app {
	const char		*program;	/* "accounts" */
	const struct route	*routes;
	size_t			 nroutes;
	const struct stmt	*stmts;		/* prepared per connection */
	size_t			 nstmts;
	/*
	 * More statements for a domain of several concerns: each file's own
	 * set (a struct stmt_set it exports), run with req_stmt().
	 */
	const struct stmt_set *const *stmt_sets;
	size_t			 nstmt_sets;
};

/* Everything one worker process owns; there is no other state. */
struct worker {
	const struct app	*app;
	const struct config	*cfg;
	struct log		 log;
	struct db		 db;
	struct auth		 auth;
	struct oidc		 oidc;		/* the provider's endpoints */
	struct mgmt_cache	 mgmt;		/* the management API's token */
	struct metrics		*metrics;
	const struct route	*routes;	/* built-in routes, then the app's */
	size_t			 nroutes;
	unsigned long		 served;
};

int	app_main(int argc, char **argv, const struct app *);

#endif
