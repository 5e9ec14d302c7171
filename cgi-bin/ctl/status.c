/*
 * status: where the database's schema stands against the migration files.
 * It only reads: no lock, no table created. Exits 0 when up to date, 2 when
 * migrations are pending, 1 when the database and the files disagree (a
 * changed or missing file) or on error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"

struct tally {
	int	 applied;
	int	 pending;
	int	 changed;
	int	 missing;
};

static const char *const state_names[] = {
	[MIGRATION_APPLIED] = "applied",
	[MIGRATION_PENDING] = "pending",
	[MIGRATION_CHANGED] = "changed",
	[MIGRATION_MISSING] = "missing",
};

static void
tally_count(const struct migrations *ms, struct tally *t)
{
	size_t	 i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < ms->n; i++) {
		switch (migration_state(&ms->v[i])) {
		case MIGRATION_APPLIED:
			t->applied++;
			break;
		case MIGRATION_PENDING:
			t->pending++;
			break;
		case MIGRATION_CHANGED:
			t->changed++;
			break;
		case MIGRATION_MISSING:
			t->missing++;
			break;
		}
	}
}

/* A mismatch outranks pending work: migrate would refuse to run. */
static int
tally_exit(const struct tally *t)
{
	if (t->changed > 0 || t->missing > 0)
		return CTL_ERROR;
	return t->pending > 0 ? CTL_BEHIND : CTL_OK;
}

static const char *
host_of(PGconn *conn)
{
	const char	*host;

	host = PQhost(conn);
	return host != NULL && *host != '\0' ? host : "localhost";
}

static void
text_migration(const struct migration *m)
{
	const char	*name;

	name = migration_name(m);
	switch (migration_state(m)) {
	case MIGRATION_APPLIED:
		(void)printf("  %-40s applied %s\n", name, m->applied_at);
		break;
	case MIGRATION_PENDING:
		(void)printf("  %-40s pending\n", name);
		break;
	case MIGRATION_CHANGED:
		(void)printf("  %-40s CHANGED (checksum differs)\n", name);
		break;
	case MIGRATION_MISSING:
		(void)printf("  %-40s missing file\n", name);
		break;
	}
}

static void
status_text(PGconn *conn, const struct migrations *ms, const char *dir,
    const struct tally *t)
{
	size_t	 i;

	(void)printf("database: %s on %s port %s\n", PQdb(conn),
	    host_of(conn), PQport(conn));
	(void)printf("schema version: %d (expected by files: %d)\n",
	    ms->current, ms->latest);
	for (i = 0; i < ms->n; i++)
		text_migration(&ms->v[i]);
	if (ms->current > ms->latest)
		(void)printf("database schema is newer than this cockpitctl: "
		    "version %d, %s ends at version %d\n", ms->current, dir,
		    ms->latest);
	else if (t->changed > 0 || t->missing > 0)
		(void)printf("%d changed, %d missing: the database does not "
		    "match %s; migrate will refuse to run\n", t->changed,
		    t->missing, dir);
	else if (t->pending > 0)
		(void)printf("%d pending: run cockpitctl migrate\n",
		    t->pending);
	else
		(void)printf("up to date (%d applied)\n", t->applied);
}

/* A JSON string, or null for NULL. */
static int
json_string_or_null(struct buf *b, const char *s)
{
	return s != NULL ? buf_json_string(b, s) : buf_puts(b, "null");
}

/* "key":[names of the migrations in state] */
static int
json_names(struct buf *b, const char *key, const struct migrations *ms,
    enum migration_state state)
{
	size_t	 i;
	int	 first;

	if (buf_printf(b, ",\"%s\":[", key) == -1)
		return -1;
	first = 1;
	for (i = 0; i < ms->n; i++) {
		if (migration_state(&ms->v[i]) != state)
			continue;
		if ((!first && buf_puts(b, ",") == -1) ||
		    buf_json_string(b, migration_name(&ms->v[i])) == -1)
			return -1;
		first = 0;
	}
	return buf_puts(b, "]");
}

/* sha256 is the file's, or the recorded one when the file is missing. */
static int
json_migration(struct buf *b, const struct migration *m)
{
	enum migration_state	 state;

	state = migration_state(m);
	if (buf_printf(b, "{\"version\":%d,\"name\":", m->version) == -1 ||
	    buf_json_string(b, migration_name(m)) == -1 ||
	    buf_puts(b, ",\"sha256\":") == -1 ||
	    buf_json_string(b, m->file != NULL ? m->sha256 :
	    m->applied_sha256) == -1 ||
	    buf_puts(b, ",\"applied_sha256\":") == -1 ||
	    json_string_or_null(b, m->applied_sha256) == -1 ||
	    buf_printf(b, ",\"state\":\"%s\",\"applied_at\":",
	    state_names[state]) == -1 ||
	    json_string_or_null(b, m->applied_at) == -1)
		return -1;
	return buf_puts(b, "}");
}

static int
json_status(struct buf *b, PGconn *conn, const struct migrations *ms)
{
	size_t	 i;

	if (buf_puts(b, "{\"database\":") == -1 ||
	    buf_json_string(b, PQdb(conn)) == -1 ||
	    buf_puts(b, ",\"host\":") == -1 ||
	    buf_json_string(b, host_of(conn)) == -1 ||
	    buf_printf(b, ",\"version\":%d,\"latest\":%d", ms->current,
	    ms->latest) == -1 ||
	    json_names(b, "pending", ms, MIGRATION_PENDING) == -1 ||
	    json_names(b, "changed", ms, MIGRATION_CHANGED) == -1 ||
	    json_names(b, "missing", ms, MIGRATION_MISSING) == -1 ||
	    buf_puts(b, ",\"migrations\":[") == -1)
		return -1;
	for (i = 0; i < ms->n; i++)
		if ((i > 0 && buf_puts(b, ",") == -1) ||
		    json_migration(b, &ms->v[i]) == -1)
			return -1;
	return buf_puts(b, "]}\n");
}

static int
status_json(PGconn *conn, const struct migrations *ms)
{
	struct buf	 b;
	int		 rc;

	memset(&b, 0, sizeof(b));
	if ((rc = json_status(&b, conn, ms)) == -1)
		ctl_warnx("out of memory");
	else
		(void)fputs(b.data, stdout);
	buf_free(&b);
	return rc;
}

static int
status(const char *dir, int json)
{
	struct migrations	 ms;
	struct tally		 t;
	PGconn			*conn;
	int			 rc;

	if (migrations_read_dir(&ms, dir) == -1)
		return CTL_ERROR;
	if ((conn = ctl_connect()) == NULL) {
		migrations_free(&ms);
		return CTL_ERROR;
	}
	rc = CTL_ERROR;
	if (migrations_read_applied(&ms, conn) == 0) {
		tally_count(&ms, &t);
		rc = tally_exit(&t);
		if (json) {
			if (status_json(conn, &ms) == -1)
				rc = CTL_ERROR;
		} else
			status_text(conn, &ms, dir, &t);
	}
	PQfinish(conn);
	migrations_free(&ms);
	return rc;
}

enum {
	OPT_DIR = 256,
	OPT_JSON
};

/* status [--dir DIR] [--json] */
int
ctl_status(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*dir;
	int		 ch, json;

	dir = NULL;
	json = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			return ctl_usage(argv[0], stdout);
		default:
			return ctl_bad_option(argv[0], ch, argv);
		}
	}
	if (ctl_extra_args(argv[0], argc, argv) == -1)
		return ctl_usage(argv[0], stderr);
	return status(ctl_sqldir(dir), json);
}
