/*
 * Migrations: the numbered SQL files on disk, the rows that record which
 * of them ran (cockpit_migrations), and the migrate command, which applies
 * the pending files in order, each in its own transaction.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "ctl.h"

/* A migration is schema, not data: anything bigger is a mistake. */
#define MIGRATION_MAX	(16 * 1024 * 1024)

/*
 * Every migrate holds this advisory lock for its session, so two of them
 * (two hosts deploying at once) take turns instead of racing. The number
 * is "cockpitm" in ASCII; nothing else in the database may use it.
 */
#define MIGRATE_LOCK	"7165054845268358253"

static const char create_table[] =
    "CREATE TABLE IF NOT EXISTS cockpit_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " sha256 text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static const char select_applied[] =
    "SELECT version, name, sha256,"
    " to_char(applied_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM cockpit_migrations ORDER BY version";

static const char insert_applied[] =
    "INSERT INTO cockpit_migrations (version, name, sha256)"
    " VALUES ($1, $2, $3)";

/* The version of a file named NNNN_name.sql (name: [a-z0-9_]+), or -1. */
static int
file_version(const char *name)
{
	size_t	 len, i;
	char	 c;

	len = strlen(name);
	if (len < sizeof("0000_x.sql") - 1 || name[4] != '_' ||
	    strcmp(name + len - 4, ".sql") != 0)
		return -1;
	for (i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return -1;
	for (i = 5; i < len - 4; i++) {
		c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return -1;
	}
	return (name[0] - '0') * 1000 + (name[1] - '0') * 100 +
	    (name[2] - '0') * 10 + (name[3] - '0');
}

/* A .sql file that is not a migration is likely a typo: say so. */
static void
warn_ignored(const char *dir, const char *name)
{
	size_t	 len;

	len = strlen(name);
	if (name[0] != '.' && len > 4 && strcmp(name + len - 4, ".sql") == 0)
		ctl_warnx("%s/%s: ignored: not named NNNN_name.sql", dir, name);
}

static int
read_fd(int fd, const char *dir, const char *name, struct buf *b)
{
	char	 chunk[65536];
	ssize_t	 n;

	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			ctl_warnx("%s/%s: %s", dir, name, strerror(errno));
			return -1;
		}
		if (n == 0)
			return 0;
		if ((size_t)n > MIGRATION_MAX - b->len) {
			ctl_warnx("%s/%s: larger than 16 MiB", dir, name);
			return -1;
		}
		if (buf_append(b, chunk, (size_t)n) == -1) {
			ctl_warnx("out of memory");
			return -1;
		}
	}
}

/*
 * Reads a migration file whole into b. libpq takes the SQL as a C string,
 * so a NUL byte would silently cut it short: refuse it.
 */
static int
read_migration(int dfd, const char *dir, const char *name, struct buf *b)
{
	struct stat	 st;
	int		 fd, rc;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC)) == -1) {
		ctl_warnx("%s/%s: %s", dir, name, strerror(errno));
		return -1;
	}
	rc = -1;
	if (fstat(fd, &st) == -1)
		ctl_warnx("%s/%s: %s", dir, name, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ctl_warnx("%s/%s: not a regular file", dir, name);
	else if (read_fd(fd, dir, name, b) == 0) {
		if (b->len == 0)
			ctl_warnx("%s/%s: empty", dir, name);
		else if (memchr(b->data, '\0', b->len) != NULL)
			ctl_warnx("%s/%s: contains a NUL byte", dir, name);
		else
			rc = 0;
	}
	(void)close(fd);
	return rc;
}

static int
sha256_hex(const char *data, size_t len, char hex[65])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		ctl_warnx("SHA-256 failed");
		return -1;
	}
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 0x0f];
	}
	hex[64] = '\0';
	return 0;
}

/* A new, zeroed entry at the end of ms, or NULL. */
static struct migration *
migrations_grow(struct migrations *ms)
{
	struct migration	*v;
	size_t			 cap;

	if (ms->n == ms->cap) {
		cap = ms->cap != 0 ? ms->cap * 2 : 16;
		if ((v = reallocarray(ms->v, cap, sizeof(*v))) == NULL) {
			ctl_warnx("out of memory");
			return NULL;
		}
		ms->v = v;
		ms->cap = cap;
	}
	memset(&ms->v[ms->n], 0, sizeof(ms->v[ms->n]));
	return &ms->v[ms->n++];
}

static int
migrations_add_file(struct migrations *ms, int dfd, const char *dir,
    const char *name, int version)
{
	struct migration	*m;
	struct buf		 b;

	memset(&b, 0, sizeof(b));
	if (read_migration(dfd, dir, name, &b) == -1 ||
	    (m = migrations_grow(ms)) == NULL) {
		buf_free(&b);
		return -1;
	}
	/* The entry owns the bytes from here on. */
	m->version = version;
	m->sql = b.data;
	if (sha256_hex(m->sql, b.len, m->sha256) == -1)
		return -1;
	if ((m->file = strdup(name)) == NULL) {
		ctl_warnx("out of memory");
		return -1;
	}
	return 0;
}

/* By version, then by name, so that messages do not depend on readdir. */
static int
migration_cmp(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	if (x->version != y->version)
		return (x->version > y->version) - (x->version < y->version);
	if (x->file == NULL || y->file == NULL)
		return (x->file != NULL) - (y->file != NULL);
	return strcmp(x->file, y->file);
}

/* qsort(3) must not see the NULL array of an empty set. */
static void
migrations_sort(struct migrations *ms)
{
	if (ms->n > 1)
		qsort(ms->v, ms->n, sizeof(ms->v[0]), migration_cmp);
}

/* Files must number 1, 2, 3, … with no gap and no number twice. */
static int
migrations_check_numbering(const struct migrations *ms, const char *dir)
{
	size_t	 i;

	if (ms->n == 0) {
		ctl_warnx("%s: no migrations (NNNN_name.sql) found", dir);
		return -1;
	}
	if (ms->v[0].version != 1) {
		ctl_warnx("%s/%s: numbering must start at 0001", dir,
		    ms->v[0].file);
		return -1;
	}
	for (i = 1; i < ms->n; i++) {
		if (ms->v[i].version == ms->v[i - 1].version) {
			ctl_warnx("%s: %s and %s have the same number", dir,
			    ms->v[i - 1].file, ms->v[i].file);
			return -1;
		}
		if (ms->v[i].version != ms->v[i - 1].version + 1) {
			ctl_warnx("%s: gap in numbering: %s follows %s", dir,
			    ms->v[i].file, ms->v[i - 1].file);
			return -1;
		}
	}
	return 0;
}

static int
migrations_scan(struct migrations *ms, DIR *d, const char *dir)
{
	struct dirent	*de;
	int		 version;

	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if ((version = file_version(de->d_name)) == -1) {
			warn_ignored(dir, de->d_name);
			continue;
		}
		if (migrations_add_file(ms, dirfd(d), dir, de->d_name,
		    version) == -1)
			return -1;
	}
	if (errno != 0) {
		ctl_warnx("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Loads every migration file in dir, checks their numbering and hashes
 * them. On failure ms holds nothing (and need not be freed).
 */
int
migrations_read_dir(struct migrations *ms, const char *dir)
{
	DIR	*d;
	int	 rc;

	memset(ms, 0, sizeof(*ms));
	if ((d = opendir(dir)) == NULL) {
		ctl_warnx("%s: %s", dir, strerror(errno));
		return -1;
	}
	rc = migrations_scan(ms, d, dir);
	(void)closedir(d);
	if (rc == 0) {
		migrations_sort(ms);
		rc = migrations_check_numbering(ms, dir);
	}
	if (rc == -1) {
		migrations_free(ms);
		return -1;
	}
	ms->latest = ms->v[ms->n - 1].version;
	return 0;
}

/* The entry for version, or NULL when no file has it. */
static struct migration *
migrations_at(struct migrations *ms, int version)
{
	size_t	 i;

	for (i = 0; i < ms->n; i++)
		if (ms->v[i].version == version)
			return &ms->v[i];
	return NULL;
}

static int
migrations_add_row(struct migrations *ms, const PGresult *res, int row)
{
	struct migration	*m;
	char			*end;
	long			 version;

	version = strtol(PQgetvalue(res, row, 0), &end, 10);
	if (*end != '\0' || version < -2147483647L || version > 2147483647L) {
		ctl_warnx("cockpit_migrations: bad version %s",
		    PQgetvalue(res, row, 0));
		return -1;
	}
	if ((m = migrations_at(ms, (int)version)) == NULL) {
		if ((m = migrations_grow(ms)) == NULL)
			return -1;
		m->version = (int)version;
	}
	if ((m->applied_name = strdup(PQgetvalue(res, row, 1))) == NULL ||
	    (m->applied_sha256 = strdup(PQgetvalue(res, row, 2))) == NULL ||
	    (m->applied_at = strdup(PQgetvalue(res, row, 3))) == NULL) {
		ctl_warnx("out of memory");
		return -1;
	}
	if (m->version > ms->current)
		ms->current = m->version;
	return 0;
}

/* Whether cockpit_migrations exists: 1, 0, or -1 on error. */
static int
applied_table_exists(PGconn *conn)
{
	PGresult	*res;
	int		 rc;

	res = PQexec(conn,
	    "SELECT to_regclass('cockpit_migrations') IS NOT NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		ctl_pgerror(NULL, conn, res, NULL);
		rc = -1;
	} else
		rc = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return rc;
}

/*
 * Adds what cockpit_migrations records to the files in ms. A database that
 * never saw cockpitctl (no table) has nothing applied.
 */
int
migrations_read_applied(struct migrations *ms, PGconn *conn)
{
	PGresult	*res;
	int		 i, rc, exists;

	if ((exists = applied_table_exists(conn)) != 1)
		return exists;
	res = PQexec(conn, select_applied);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 4) {
		ctl_pgerror("cockpit_migrations", conn, res, NULL);
		PQclear(res);
		return -1;
	}
	rc = 0;
	for (i = 0; i < PQntuples(res) && rc == 0; i++)
		rc = migrations_add_row(ms, res, i);
	PQclear(res);
	migrations_sort(ms);
	return rc;
}

enum migration_state
migration_state(const struct migration *m)
{
	if (m->file == NULL)
		return MIGRATION_MISSING;
	if (m->applied_sha256 == NULL)
		return MIGRATION_PENDING;
	if (strcmp(m->applied_sha256, m->sha256) != 0)
		return MIGRATION_CHANGED;
	return MIGRATION_APPLIED;
}

/* The file's name, or the name recorded when the file is gone. */
const char *
migration_name(const struct migration *m)
{
	return m->file != NULL ? m->file : m->applied_name;
}

void
migrations_free(struct migrations *ms)
{
	size_t	 i;

	for (i = 0; i < ms->n; i++) {
		free(ms->v[i].file);
		free(ms->v[i].sql);
		free(ms->v[i].applied_name);
		free(ms->v[i].applied_sha256);
		free(ms->v[i].applied_at);
	}
	free(ms->v);
	memset(ms, 0, sizeof(*ms));
}

/*
 * The database must hold exactly what the files say, up to its version:
 * a changed or vanished file means this tree is not what built that
 * schema, and a pending file older than the schema would run out of
 * order. Reports every problem, then fails.
 */
static int
migrations_verify(const struct migrations *ms, const char *dir)
{
	const struct migration	*m;
	size_t			 i;
	int			 rc;

	rc = 0;
	if (ms->current > ms->latest) {
		ctl_warnx("database schema is newer than this cockpitctl: "
		    "version %d is applied, %s ends at version %d",
		    ms->current, dir, ms->latest);
		rc = -1;
	}
	for (i = 0; i < ms->n; i++) {
		m = &ms->v[i];
		switch (migration_state(m)) {
		case MIGRATION_MISSING:
			if (m->version <= ms->latest)
				ctl_warnx("%s (version %d) is applied but "
				    "missing from %s", m->applied_name,
				    m->version, dir);
			rc = -1;
			break;
		case MIGRATION_CHANGED:
			ctl_warnx("%s/%s changed since it was applied: "
			    "sha256 applied %s, file %s", dir, m->file,
			    m->applied_sha256, m->sha256);
			rc = -1;
			break;
		case MIGRATION_PENDING:
			if (m->version < ms->current) {
				ctl_warnx("%s is pending but version %d is "
				    "applied: refusing to apply out of order",
				    m->file, ms->current);
				rc = -1;
			}
			break;
		case MIGRATION_APPLIED:
			break;
		}
	}
	return rc;
}

/* Waits for the migrate lock, saying why when another migrate holds it. */
static int
migrate_lock(PGconn *conn)
{
	PGresult	*res;
	int		 got;

	res = PQexec(conn, "SELECT pg_try_advisory_lock(" MIGRATE_LOCK ")");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		ctl_pgerror(NULL, conn, res, NULL);
		PQclear(res);
		return -1;
	}
	got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (got)
		return 0;
	ctl_warnx("waiting for another cockpitctl migrate to finish");
	return ctl_exec(conn, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")");
}

static int
migration_record(PGconn *conn, const struct migration *m)
{
	PGresult	*res;
	const char	*params[3];
	char		 version[16];
	int		 ok;

	(void)snprintf(version, sizeof(version), "%d", m->version);
	params[0] = version;
	params[1] = m->file;
	params[2] = m->sha256;
	res = PQexecParams(conn, insert_applied, 3, NULL, params, NULL, NULL,
	    0);
	if (!(ok = PQresultStatus(res) == PGRES_COMMAND_OK))
		ctl_pgerror(m->file, conn, res, NULL);
	PQclear(res);
	return ok ? 0 : -1;
}

/*
 * Runs the file and records it, in one transaction. The file may hold
 * many statements (PQexec sends them as one simple query); it must not
 * end the transaction itself, or it would be committed without its row.
 * What the file SET (search_path, role) is undone before the INSERT, which
 * must find our table as our role, and commits with it, so the next file
 * starts from the same session as it would on another day.
 */
static int
migration_run(PGconn *conn, const struct migration *m)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(conn, m->sql);
	if (!(ok = ctl_result_ok(res)))
		ctl_pgerror(m->file, conn, res, m->sql);
	PQclear(res);
	if (!ok)
		return -1;
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		ctl_warnx("%s: ends the transaction itself (COMMIT or "
		    "ROLLBACK): not recorded, check the schema by hand",
		    m->file);
		return -1;
	}
	if (ctl_session_reset(conn) == -1)
		return -1;
	return migration_record(conn, m);
}

static int
migration_apply(PGconn *conn, const struct migration *m)
{
	if (ctl_exec(conn, "BEGIN") == -1)
		return -1;
	if (migration_run(conn, m) == -1) {
		if (PQstatus(conn) == CONNECTION_OK &&
		    PQtransactionStatus(conn) != PQTRANS_IDLE)
			(void)ctl_exec(conn, "ROLLBACK");
		return -1;
	}
	return ctl_exec(conn, "COMMIT");
}

/* Applies (or, dry, lists) the pending migrations; ms is verified. */
static int
migrate_pending(PGconn *conn, struct migrations *ms, int dry)
{
	size_t	 i;
	int	 count;

	count = 0;
	for (i = 0; i < ms->n; i++) {
		if (migration_state(&ms->v[i]) != MIGRATION_PENDING)
			continue;
		if (!dry && migration_apply(conn, &ms->v[i]) == -1)
			return -1;
		(void)printf("%s %s\n", dry ? "would apply" : "applied",
		    ms->v[i].file);
		/* Progress shows as it happens, even through a pipe. */
		(void)fflush(stdout);
		if (!dry)
			ms->current = ms->v[i].version;
		count++;
	}
	if (count == 0)
		(void)printf("schema at version %d, nothing to do\n",
		    ms->current);
	else if (dry)
		(void)printf("schema at version %d, %d to apply (dry run)\n",
		    ms->current, count);
	else
		(void)printf("schema at version %d (%d applied)\n",
		    ms->current, count);
	return 0;
}

/*
 * Lock first, then create the table: two first-ever migrates would
 * otherwise race on CREATE TABLE IF NOT EXISTS, which is not safe
 * against itself. A dry run creates nothing.
 */
static int
migrate(PGconn *conn, struct migrations *ms, const char *dir, int dry)
{
	if (migrate_lock(conn) == -1)
		return -1;
	if (!dry && ctl_exec(conn, create_table) == -1)
		return -1;
	if (migrations_read_applied(ms, conn) == -1 ||
	    migrations_verify(ms, dir) == -1 ||
	    migrate_pending(conn, ms, dry) == -1)
		return -1;
	return ctl_exec(conn, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")");
}

enum {
	OPT_DIR = 256,
	OPT_DRY_RUN
};

/* migrate [--dir DIR] [--dry-run] */
int
ctl_migrate(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct migrations	 ms;
	PGconn			*conn;
	const char		*dir;
	int			 ch, dry, rc;

	dir = NULL;
	dry = 0;
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_DIR:
			dir = optarg;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case 'h':
			return ctl_usage(argv[0], stdout);
		default:
			return ctl_bad_option(argv[0], ch, argv);
		}
	}
	if (ctl_extra_args(argv[0], argc, argv) == -1)
		return ctl_usage(argv[0], stderr);
	dir = ctl_sqldir(dir);
	if (migrations_read_dir(&ms, dir) == -1)
		return CTL_ERROR;
	if ((conn = ctl_connect()) == NULL) {
		migrations_free(&ms);
		return CTL_ERROR;
	}
	rc = migrate(conn, &ms, dir, dry) == 0 ? CTL_OK : CTL_ERROR;
	/* Closing the session also releases the lock if we failed. */
	PQfinish(conn);
	migrations_free(&ms);
	return rc;
}
