/* /health, /readiness and /metrics. */
#include <stdio.h>

#include "app.h"
#include "builtin.h"
#include "schema.h"

/* 200 while the worker can answer at all. */
static void
health(struct req *r)
{
	if (buf_puts(&r->out, "{\"status\":\"ok\"}") == -1) {
		resp_nomem(r);
		return;
	}
	resp_ok(r, 200);
}

static void
not_ready(struct req *r, const char *code, const char *message)
{
	resp_error(r, 503, code, NULL, "%s", message);
	(void)resp_header(r, "Retry-After", "1");
}

/* 200 when the database answers at COCKPIT_SCHEMA_VERSION; 503 otherwise. */
static void
readiness(struct req *r)
{
	struct db	*db = &r->w->db;
	long		 version = 0;
	char		 msg[160];

	if (db_ready(db) != DB_OK) {
		if (db->schema_error)
			not_ready(r, "schema_mismatch", "this build's "
			    "statements do not prepare against the database "
			    "schema; run cockpitctl migrate");
		else
			not_ready(r, "database_unavailable",
			    "the database is unavailable");
		return;
	}
	if (db_schema_version(db, &version) != DB_OK) {
		not_ready(r, "database_unavailable",
		    "the database is unavailable");
		return;
	}
	if (version != COCKPIT_SCHEMA_VERSION) {
		(void)snprintf(msg, sizeof(msg), "database schema is at version "
		    "%ld; this build expects %d", version,
		    COCKPIT_SCHEMA_VERSION);
		not_ready(r, "schema_mismatch", msg);
		return;
	}
	if (buf_printf(&r->out, "{\"status\":\"ready\",\"schema_version\":%ld}",
	    version) == -1) {
		resp_nomem(r);
		return;
	}
	resp_ok(r, 200);
}

static void
metrics(struct req *r)
{
	struct worker	*w = r->w;

	if (metrics_render(w->metrics, w->app->program, w->routes, w->nroutes,
	    &r->out) == -1) {
		resp_nomem(r);
		return;
	}
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp_ok(r, 200);
}

const struct route builtin_routes[BUILTIN_NROUTES] = {
	{ METHOD_GET, "/health", PERM_PUBLIC, health, 0 },
	{ METHOD_GET, "/readiness", PERM_PUBLIC, readiness, 0 },
	{ METHOD_GET, "/metrics", PERM_PUBLIC, metrics, 0 },
};
