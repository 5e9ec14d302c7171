/*
 * The program's main and each worker's request loop. Every request passes
 * the same front line, in this order, before its handler runs:
 *
 *	route		404 not_found, 405 method_not_allowed (with Allow)
 *	credentials	401 unauthorized (with WWW-Authenticate);
 *			403 account_unresolved; 503 when the database is
 *			needed and down; 400 invalid_header (X-Account-Id)
 *	permission	403 forbidden; a route without one is denied
 *	account		404 not_found for another account's {account_id};
 *			403 account_suspended
 *	CSRF		403 csrf_failed: a session's write without its token
 *	body		413 body_too_large, 415 unsupported_media_type,
 *			400 invalid_json
 *
 * The handler then runs in one transaction, committed when its answer is
 * a success and rolled back otherwise; the answer is written after that.
 * A SCIM program's answers, these errors included, are SCIM's
 * (front_scim).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "app.h"
#include "builtin.h"
#include "identity.h"
#include "quota.h"
#include "json.h"
#include "listen.h"
#include "supervisor.h"
#include "uuid.h"

/*
 * The one global: set by the SIGTERM handler of a worker, which has no
 * other way to reach its context. Only the worker loop reads it.
 */
static volatile sig_atomic_t worker_stop;

struct options {
	const struct app *app;
	const char	*config_path;	/* -f */
	const char	*listen;	/* -l */
	int		 workers;	/* -w, 0: from the configuration */
	struct metrics	*metrics;
	struct keyring_shared *keyring;	/* the provider's keys, shared */
	struct route	*routes;	/* built-in, then the app's */
	size_t		 nroutes;
	int		 print_routes;	/* -r */
};

static void
on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/* application/json, or on SCIM routes also application/scim+json. */
static int
media_type_is_json(const char *ct, int scim)
{
	size_t	 n = 16;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	if (scim && strncasecmp(ct, "application/scim+json", 21) == 0)
		n = 21;
	else if (strncasecmp(ct, "application/json", 16) != 0)
		return 0;
	ct += n;
	return *ct == '\0' || *ct == ';' || *ct == ' ' || *ct == '\t';
}

/* 413, 415 or 400 unless the body is one JSON object within the cap. */
static int
front_body(struct req *r)
{
	char			 err[160];
	enum json_result	 rc;

	if (req_read_body(r, r->w->cfg->max_body) == -1)
		return -1;
	if (!media_type_is_json(req_env(r, "CONTENT_TYPE"), r->scim)) {
		resp_error(r, 415, "unsupported_media_type", NULL,
		    "send the body as Content-Type: application/json%s",
		    r->scim ? " or application/scim+json" : "");
		return -1;
	}
	rc = json_parse_object(r->raw.data != NULL ? r->raw.data : "",
	    r->raw.len, &r->body, err, sizeof(err));
	if (rc == JSON_NOMEM) {
		resp_nomem(r);
		return -1;
	}
	if (rc == JSON_INVALID) {
		resp_error(r, 400, "invalid_json", NULL, "%s", err);
		return -1;
	}
	return 0;
}

/* Records a refusal with its reason; the answer says less. */
static void
denied(struct req *r, const char *reason)
{
	log_info(&r->w->log, "access denied", "request_id", r->request_id,
	    "principal", r->principal.kind, "actor", r->principal.actor,
	    "role", role_name(r->principal.role), "reason", reason);
}

static void
unauthorized(struct req *r, enum auth_result rc)
{
	resp_error(r, 401, "unauthorized", NULL, rc == AUTH_NONE ?
	    "credentials are required" : "the credentials are not valid");
	(void)resp_header(r, "WWW-Authenticate",
	    "Bearer realm=\"console-cockpit\"");
}

/*
 * X-Account-Id: a super admin acts inside that account (its tenant, not
 * the platform's), except on the super-admin routes, which are the
 * platform's business whatever the header says; from anyone else it is
 * only a hint, and one that disagrees with the resolved account is
 * ignored.
 */
static int
front_account_hint(struct req *r, const struct route *rt)
{
	const char		*hint = req_env(r, "HTTP_X_ACCOUNT_ID");
	struct principal	*p = &r->principal;

	if (hint == NULL || *hint == '\0')
		return 0;
	if (!uuid_valid(hint)) {
		resp_error(r, 400, "invalid_header", NULL, "X-Account-Id must "
		    "be an account id");
		return -1;
	}
	if (p->role != ROLE_SUPER_ADMIN) {
		if (strcasecmp(hint, p->account_id) != 0)
			log_info(&r->w->log, "account hint ignored",
			    "request_id", r->request_id, "actor", p->actor);
		return 0;
	}
	if (rt->perm == PERM_SUPER_ADMIN)
		return 0;
	(void)snprintf(p->account_id, sizeof(p->account_id), "%s", hint);
	uuid_lower(p->account_id);
	p->platform = 0;
	p->suspended = 0;
	return 0;
}

/* A cookie-authenticated write must carry the session's CSRF token. */
static int
front_csrf(struct req *r)
{
	const char	*token = req_env(r, CSRF_HEADER);
	unsigned char	 d[AUTH_DIGEST_LEN];

	if (strcmp(r->principal.kind, "session") != 0 ||
	    r->method == METHOD_GET || r->method == METHOD_HEAD ||
	    r->method == METHOD_OPTIONS)
		return 0;
	if (token != NULL && strlen(token) <= 128 &&
	    auth_digest(token, strlen(token), d) == 0 &&
	    CRYPTO_memcmp(d, r->principal.csrf, sizeof(d)) == 0)
		return 0;
	denied(r, "missing or wrong CSRF token");
	resp_error(r, 403, "csrf_failed", NULL, "send the session's CSRF token "
	    "in X-CSRF-Token");
	return -1;
}

/*
 * After the role: a route naming an {account_id} is the business of that
 * account only (404 for anyone else's principal, as if it did not
 * exist), and a suspended account's principals are turned away.
 */
static int
front_account(struct req *r, const struct route *rt)
{
	const struct principal	*p = &r->principal;
	const char		*id = NULL;
	int			 i;

	if ((i = router_param_index(rt->pattern, "account_id")) >= 0)
		id = req_param(r, (size_t)i);
	if (id != NULL && !p->platform && strcasecmp(id, p->account_id) != 0) {
		denied(r, "another account's route");
		resp_error(r, 404, "not_found", NULL, "no such account");
		return -1;
	}
	if (p->suspended && p->role != ROLE_SUPER_ADMIN &&
	    !(rt->flags & ROUTE_ANY_STATUS)) {
		denied(r, "the account is suspended");
		resp_error(r, 403, "account_suspended", NULL, "the account is "
		    "suspended");
		return -1;
	}
	return 0;
}

/* Decides the principal; 0, or -1 with the request answered. */
static int
front_principal(struct req *r, const struct route *rt)
{
	struct credential	 cred;
	enum auth_result	 rc;
	const char		*reason;

	rc = auth_authenticate(&r->w->auth, req_env(r, "HTTP_AUTHORIZATION"),
	    req_env(r, "HTTP_COOKIE"), time(NULL), &r->principal, &cred,
	    &reason);
	if (rt->perm == PERM_PUBLIC) {
		if (rc != AUTH_OK)
			(void)auth_authenticate(&r->w->auth, NULL, NULL, 0,
			    &r->principal, &cred, &reason);
		return 0;
	}
	if (rc == AUTH_LOOKUP)
		rc = identity_complete(r, &cred, &reason);
	if (rc == AUTH_UNAVAILABLE)
		return -1;
	if (rc == AUTH_INVALID || rc == AUTH_UNRESOLVED)
		log_info(&r->w->log, "credentials refused", "request_id",
		    r->request_id, "reason", reason);
	if (rc == AUTH_NONE || rc == AUTH_INVALID) {
		unauthorized(r, rc);
		return -1;
	}
	if (rc == AUTH_UNRESOLVED) {
		resp_error(r, 403, "account_unresolved", NULL, "no account "
		    "could be resolved for this user");
		return -1;
	}
	return front_account_hint(r, rt);
}

/* 401, 403 or 404 unless the principal may use the route. */
static int
front_auth(struct req *r, const struct route *rt)
{
	if (front_principal(r, rt) == -1)
		return -1;
	if (rt->perm == PERM_PUBLIC)
		return 0;
	if (((rt->flags & ROUTE_SCIM) != 0) != (r->principal.scim != 0)) {
		denied(r, "SCIM routes and SCIM keys go only together");
		resp_error(r, 403, "forbidden", NULL, r->principal.scim ?
		    "a SCIM key serves only the SCIM routes" : "the SCIM routes "
		    "take a SCIM key (an API key with scope scim)");
		return -1;
	}
	if (!auth_permits(rt->perm, &r->principal)) {
		denied(r, "the role may not use the route");
		resp_error(r, 403, "forbidden", NULL, "the %s role may not use "
		    "this route", role_name(r->principal.role));
		return -1;
	}
	return front_account(r, rt) == -1 || front_csrf(r) == -1 ? -1 : 0;
}

/*
 * SCIM's answers (RFC 7644): a route flagged ROUTE_SCIM, or a path that
 * matches none in a program that has such routes, answers in
 * application/scim+json with its errors in SCIM's shape (r->scim).
 */
static void
front_scim(struct req *r, enum router_result rc)
{
	const struct worker	*w = r->w;
	size_t			 i;

	if (rc == ROUTER_FOUND)
		r->scim = (w->routes[r->match.index].flags & ROUTE_SCIM) != 0;
	else
		for (i = 0; i < w->nroutes && !r->scim; i++)
			r->scim = (w->routes[i].flags & ROUTE_SCIM) != 0;
	if (r->scim)
		r->content_type = "application/scim+json";
}

static void
front_line(struct req *r)
{
	struct worker		*w = r->w;
	const struct route	*rt;
	char			 allow[64];
	enum router_result	 rc;

	rc = router_match(w->routes, w->nroutes, r->method, r->path,
	    &r->match);
	front_scim(r, rc);
	switch (rc) {
	case ROUTER_FOUND:
		break;
	case ROUTER_NO_METHOD:
		resp_error(r, 405, "method_not_allowed", NULL, "%s is not "
		    "allowed here", method_name(r->method));
		if (router_allow(r->match.allow, allow, sizeof(allow)) == 0)
			(void)resp_header(r, "Allow", allow);
		return;
	case ROUTER_NOT_FOUND:
		resp_error(r, 404, "not_found", NULL, "no such resource");
		return;
	case ROUTER_ERROR:
		resp_nomem(r);
		return;
	}
	r->route = r->match.index;
	rt = &w->routes[r->route];
	if (front_auth(r, rt) == -1 ||
	    ((rt->flags & ROUTE_JSON_BODY) && front_body(r) == -1))
		return;
	rt->handler(r);
}

static void
access_log(struct req *r)
{
	struct worker	*w = r->w;
	struct timespec	 end;
	struct buf	 f = { 0 };
	double		 ms;

	if (!w->cfg->access_log && r->status < 500)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	ms = (double)(end.tv_sec - r->started.tv_sec) * 1e3 +
	    (double)(end.tv_nsec - r->started.tv_nsec) / 1e6;
	if (buf_puts(&f, ",\"request_id\":") == 0 &&
	    buf_json_string(&f, r->request_id) == 0 &&
	    buf_printf(&f, ",\"method\":\"%s\",\"path\":",
	    method_name(r->method)) == 0 &&
	    buf_json_string(&f, r->path != NULL ? r->path : "") == 0 &&
	    buf_puts(&f, ",\"route\":") == 0 &&
	    buf_json_string(&f, r->route < w->nroutes ?
	    w->routes[r->route].pattern : "unmatched") == 0 &&
	    buf_printf(&f, ",\"status\":%d,\"duration_ms\":%.3f,\"principal\":"
	    "\"%s\"", r->status, ms, r->principal.kind != NULL ?
	    r->principal.kind : "anonymous") == 0)
		log_fields(&w->log, r->status >= 500 ? LOG_LEVEL_ERROR :
		    LOG_LEVEL_INFO, "request", &f);
	buf_free(&f);
}

static void
observe(struct req *r)
{
	struct timespec	 end;
	uint64_t	 us;

	(void)clock_gettime(CLOCK_MONOTONIC, &end);
	us = (uint64_t)((end.tv_sec - r->started.tv_sec) * 1000000 +
	    (end.tv_nsec - r->started.tv_nsec) / 1000);
	metrics_observe(r->w->metrics, r->route, r->method, r->status, us);
}

/* One request, from the front line to the written answer. */
static void
serve(struct worker *w, FCGX_Request *f)
{
	struct req	 r;
	enum db_result	 rc;

	if (req_init(&r, w, f) == 0) {
		r.route = w->nroutes;
		front_line(&r);
	} else
		r.route = w->nroutes;
	if (r.db_started && (rc = db_finish(&w->db, r.status < 400)) != DB_OK)
		req_db_failed(&r, rc);
	if (resp_send(&r, r.content_type != NULL ? r.content_type :
	    "application/json") == -1)
		log_info(&w->log, "client went away", "request_id",
		    r.request_id);
	observe(&r);
	access_log(&r);
	req_free(&r);
}

static int
worker_signals(sigset_t *term)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept() returns */
	(void)sigemptyset(&sa.sa_mask);
	(void)sigemptyset(term);
	(void)sigaddset(term, SIGTERM);
	(void)sigaddset(term, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    signal(SIGHUP, SIG_IGN) == SIG_ERR ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    signal(SIGALRM, SIG_DFL) == SIG_ERR)
		return -1;
	return sigprocmask(SIG_BLOCK, term, NULL);
}

/*
 * Waits for the next request with SIGTERM deliverable. Returns 0 when one
 * came, 1 when interrupted, -1 when accepting failed for good.
 */
static int
worker_accept(struct worker *w, FCGX_Request *f, const sigset_t *term)
{
	int	 rc;

	if (sigprocmask(SIG_UNBLOCK, term, NULL) == -1)
		return -1;
	rc = worker_stop ? -EINTR : FCGX_Accept_r(f);
	if (sigprocmask(SIG_BLOCK, term, NULL) == -1)
		return -1;
	if (rc == -EINTR)
		return 1;
	if (rc < 0) {
		log_error(&w->log, "accept failed", "error", strerror(-rc));
		return -1;
	}
	return 0;
}

/* Serves until stopped or recycled (0), or until accept fails (1). */
static int
worker_loop(struct worker *w, FCGX_Request *f, const sigset_t *term)
{
	int	 rc;

	while (!worker_stop) {
		if ((rc = worker_accept(w, f, term)) == 1)
			continue;
		if (rc == -1)
			return 1;
		(void)alarm((unsigned)w->cfg->request_timeout);
		serve(w, f);
		FCGX_Finish_r(f);
		(void)alarm(0);
		if (w->cfg->max_requests > 0 &&
		    ++w->served >= (unsigned long)w->cfg->max_requests)
			return 0;
	}
	return 0;
}

/* A worker's life: set up its context, serve, clean up. */
static int
worker_main(void *arg, const struct config *cfg, int fd)
{
	struct options		*o = arg;
	const struct app	*app = o->app;
	struct stmt_set		 sets[DB_STMT_SETS] = {
		{ identity_stmts, IDENTITY__MAX },
		{ quota_stmts, QUOTA__MAX },
		{ app->stmts, app->nstmts },
	};
	size_t			 nsets = 3, i;
	struct worker		 w;
	FCGX_Request		 f;
	sigset_t		 term;
	int			 rc;

	memset(&w, 0, sizeof(w));
	w.app = o->app;
	w.cfg = cfg;
	w.log = (struct log){ o->app->program, cfg->log_level };
	w.metrics = o->metrics;
	w.routes = o->routes;
	w.nroutes = o->nroutes;
	if (worker_signals(&term) == -1 || FCGX_Init() != 0 ||
	    FCGX_InitRequest(&f, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0 ||
	    auth_init(&w.auth, cfg, o->keyring) == -1) {
		log_error(&w.log, "worker set-up failed");
		return 1;
	}
	db_init(&w.db, cfg->database_url, o->app->program,
	    cfg->statement_timeout);
	for (i = 0; i < app->nstmt_sets && nsets < DB_STMT_SETS; i++)
		sets[nsets++] = *app->stmt_sets[i];
	if (i < app->nstmt_sets ||
	    db_statements(&w.db, sets, nsets) == -1) {
		log_error(&w.log, "too many statement sets");
		return 1;
	}
	if (db_ready(&w.db) != DB_OK)
		log_warn(&w.log, "database not reachable yet; answering 503 "
		    "until it is", "error", w.db.message);
	rc = worker_loop(&w, &f, &term);
	mgmt_token_drop(&w.mgmt);
	db_close(&w.db);
	auth_free(&w.auth);
	FCGX_Free(&f, 1);
	return rc;
}

/* Loads the configuration and applies the command line over it. */
static int
load_config(void *arg, struct config *cfg, char *err, size_t errlen)
{
	struct options	*o = arg;
	char		*listen;

	if (config_load(cfg, o->app->program, o->config_path, err,
	    errlen) == -1)
		return -1;
	if (o->workers > 0)
		cfg->workers = o->workers;
	if (o->listen != NULL) {
		if ((listen = strdup(o->listen)) == NULL) {
			snprintf(err, errlen, "out of memory");
			config_free(cfg);
			return -1;
		}
		free(cfg->listen);
		cfg->listen = listen;
	}
	return 0;
}

static int
usage(const char *program, int status)
{
	fprintf(status == 0 ? stdout : stderr, "usage: %s.fcgi [-hr] "
	    "[-f config] [-l listen] [-w workers]\n", program);
	return status;
}

/* Returns -1 to go on, else the exit status. */
static int
parse_flags(struct options *o, int argc, char **argv)
{
	char	*end;
	long	 n;
	int	 ch;

	while ((ch = getopt(argc, argv, "f:hl:rw:")) != -1) {
		switch (ch) {
		case 'f':
			o->config_path = optarg;
			break;
		case 'l':
			o->listen = optarg;
			break;
		case 'w':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 256) {
				fprintf(stderr, "%s.fcgi: -w takes 1 to 256\n",
				    o->app->program);
				return 64;
			}
			o->workers = (int)n;
			break;
		case 'h':
			return usage(o->app->program, 0);
		case 'r':
			o->print_routes = 1;
			break;
		default:
			return usage(o->app->program, 64);
		}
	}
	return optind == argc ? -1 : usage(o->app->program, 64);
}

/* The built-in routes followed by the program's, in one table. */
static int
build_routes(struct options *o)
{
	const struct app	*app = o->app;

	o->nroutes = BUILTIN_NROUTES + app->nroutes;
	if ((o->routes = calloc(o->nroutes, sizeof(*o->routes))) == NULL)
		return -1;
	memcpy(o->routes, builtin_routes, sizeof(builtin_routes));
	memcpy(o->routes + BUILTIN_NROUTES, app->routes,
	    app->nroutes * sizeof(*app->routes));
	return 0;
}

static int
start(struct options *o, struct supervisor *s)
{
	char	 err[CONFIG_ERRLEN];
	int	 owned, rc;

	if ((s->cfg = calloc(1, sizeof(*s->cfg))) == NULL ||
	    load_config(o, s->cfg, err, sizeof(err)) == -1) {
		log_error(&s->log, "configuration error", "error",
		    s->cfg != NULL ? err : "out of memory");
		free(s->cfg);
		return 1;
	}
	s->log.min = s->cfg->log_level;
	if (s->cfg->warning[0] != '\0')
		log_warn(&s->log, s->cfg->warning);
	if ((s->listen_fd = listen_open(s->cfg->listen, &owned, err,
	    sizeof(err))) == -1) {
		log_error(&s->log, "cannot listen", "error", err);
		rc = 1;
	} else if ((o->metrics = metrics_create(o->nroutes)) == NULL ||
	    (o->keyring = keyring_create()) == NULL) {
		log_error(&s->log, "cannot map shared memory");
		rc = 1;
	} else {
		s->metrics = o->metrics;
		rc = supervisor_run(s);
	}
	if (s->listen_fd != -1 && owned)
		listen_close(s->listen_fd, s->cfg->listen);
	metrics_destroy(o->metrics);
	keyring_destroy(o->keyring);
	config_free(s->cfg);
	free(s->cfg);
	return rc;
}

/*
 * -r: the route table, one route a line: method, pattern, permission and
 * the flags ("json_body", "any_status", "scim", joined by commas, or
 * "-"), for tests and operators.
 */
static int
print_routes(const struct options *o)
{
	static const struct {
		int		 flag;
		const char	*name;
	} names[] = {
		{ ROUTE_JSON_BODY, "json_body" },
		{ ROUTE_ANY_STATUS, "any_status" },
		{ ROUTE_SCIM, "scim" },
	};
	const struct route	*rt;
	char			 flags[64];
	size_t			 i, k, n;

	for (i = 0; i < o->nroutes; i++) {
		rt = &o->routes[i];
		n = 0;
		flags[0] = '\0';
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (rt->flags & names[k].flag)
				n += (size_t)snprintf(flags + n, sizeof(flags) - n,
				    "%s%s", n > 0 ? "," : "", names[k].name);
		if (printf("%s %s %s %s\n", method_name(rt->method),
		    rt->pattern, perm_name(rt->perm), n > 0 ? flags : "-") < 0)
			return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The whole life of a FastCGI program. */
int
app_main(int argc, char **argv, const struct app *app)
{
	struct options		 o;
	struct supervisor	 s;
	int			 rc;

	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	o.app = app;
	s.log = (struct log){ app->program, LOG_LEVEL_INFO };
	s.worker = worker_main;
	s.reload = load_config;
	s.arg = &o;
	if ((rc = parse_flags(&o, argc, argv)) != -1)
		return rc;
	if (build_routes(&o) == -1) {
		log_error(&s.log, "out of memory");
		return 1;
	}
	rc = o.print_routes ? print_routes(&o) : start(&o, &s);
	free(o.routes);
	return rc;
}
