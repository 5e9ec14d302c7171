/*
 * cockpitctl migrate and status against a scratch database of the stack's
 * cluster: in order, once, checksummed, each file in its own transaction.
 * Then break-glass: the credential stored as a hash that verifies, never
 * the password, every change audited on the platform chain.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "password.h"
#include "schema.h"

/* At least PASSWORD_MIN_LEN bytes, and findable in any column's text. */
#define BG_PASSWORD	"glass-Breaker-7-plaintext"
#define BG_OTHER	"another-glass-Breaker-8-plaintext"

static char	 dbname[64], sqldir[4096], url[4096];

/* Runs cockpitctl ARGS on the database at conninfo; output into out. */
static int
ctl_at(const char *conninfo, const char *args, struct buf *out)
{
	char	 cmd[16384], chunk[512];
	FILE	*p;
	size_t	 n;
	int	 st;

	(void)snprintf(cmd, sizeof(cmd), "DATABASE_URL='%s' COCKPIT_SQL_DIR='%s'"
	    " '%s/cgi-bin/cockpitctl' %s 2>&1", conninfo, sqldir,
	    env("COCKPIT_BUILD_DIR"), args);
	ck_assert((p = popen(cmd, "r")) != NULL);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ck_assert_int_eq(buf_append(out, chunk, n), 0);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Runs cockpitctl ARGS on the scratch database; output into out. */
static int
ctl(const char *args, struct buf *out)
{
	return ctl_at(url, args, out);
}

static void
superuser(const char *db, const char *sql)
{
	char	 conninfo[4096];
	PGconn	*c;

	(void)snprintf(conninfo, sizeof(conninfo), "host=%s port=%s dbname=%s "
	    "user=postgres", env("PGHOST"), env("PGPORT"), db);
	c = db_connect(conninfo);
	db_exec(c, sql);
	PQfinish(c);
}

static void
write_file(const char *name, const char *text, const char *mode)
{
	char	 path[8192];
	FILE	*f;

	(void)snprintf(path, sizeof(path), "%s/%s", sqldir, name);
	ck_assert((f = fopen(path, mode)) != NULL);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	char	 sql[256], cmd[16384];

	(void)snprintf(dbname, sizeof(dbname), "ctl_%ld", (long)getpid());
	(void)snprintf(sql, sizeof(sql), "CREATE DATABASE %s OWNER "
	    "cockpit_owner", dbname);
	superuser("postgres", sql);
	superuser(dbname, "ALTER SCHEMA public OWNER TO cockpit_owner");
	(void)snprintf(url, sizeof(url), "host=%s port=%s dbname=%s "
	    "user=cockpit_owner", env("PGHOST"), env("PGPORT"), dbname);
	(void)snprintf(sqldir, sizeof(sqldir), "%s/ctl-sql-%ld",
	    env("COCKPIT_STATE_DIR"), (long)getpid());
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s/sql' '%s'",
	    sqldir, env("COCKPIT_SRC_DIR"), sqldir);
	ck_assert_int_eq(system(cmd), 0);
	(void)snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s'", sqldir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
teardown(void)
{
	char	 sql[256], cmd[16384];

	(void)snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", dbname);
	superuser("postgres", sql);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sqldir);
	(void)system(cmd);
}

static long long
scalar(const char *sql)
{
	PGconn		*c = db_connect(url);
	long long	 n = db_scalar(c, sql);

	PQfinish(c);
	return n;
}

/* The owner on the scratch database, acting for the platform. */
static PGconn *
platform(void)
{
	PGconn	*c = db_connect(url);

	db_exec(c, "SELECT set_config('cockpit.platform', 'on', false)");
	return c;
}

static long long
platform_scalar(const char *sql)
{
	PGconn		*c = platform();
	long long	 n = db_scalar(c, sql);

	PQfinish(c);
	return n;
}

/* The one text value sql answers, into out. */
static void
platform_text(const char *sql, char *out, size_t len)
{
	PGconn		*c = platform();
	PGresult	*res = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1 && !PQgetisnull(res, 0, 0), "%s: %s", sql,
	    PQerrorMessage(c));
	ck_assert_int_lt(snprintf(out, len, "%s", PQgetvalue(res, 0, 0)),
	    (int)len);
	PQclear(res);
	PQfinish(c);
}

/* The name of migration version: NNNN_name.sql. */
static void
migration_file(char *out, size_t len, int version, const char *name)
{
	ck_assert_int_lt(snprintf(out, len, "%04d_%s.sql", version, name),
	    (int)len);
}

START_TEST(test_migrate_applies_once)
{
	struct buf	 out = { 0 };
	cJSON		*j;

	ck_assert_int_eq(ctl("status", &out), 2);
	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "applied 0001_core.sql"));
	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "nothing to do"));
	ck_assert_int_eq(scalar("SELECT count(*) FROM cockpit_migrations"),
	    COCKPIT_SCHEMA_VERSION);
	ck_assert_int_eq(ctl("status --json", &out), 0);
	ck_assert((j = cJSON_Parse(out.data)) != NULL);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "version")->valueint,
	    COCKPIT_SCHEMA_VERSION);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "pending")),
	    0);
	cJSON_Delete(j);
	buf_free(&out);
}
END_TEST

START_TEST(test_changed_file_is_refused)
{
	struct buf	 out = { 0 };

	ck_assert_int_eq(ctl("migrate", &out), 0);
	write_file("0001_core.sql", "-- edited after it was applied\n", "a");
	ck_assert_int_eq(ctl("migrate", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "0001_core.sql"));
	ck_assert_int_eq(ctl("status", &out), 1);
	buf_free(&out);
}
END_TEST

START_TEST(test_new_file_dry_run_then_apply)
{
	struct buf	 out = { 0 };
	char		 name[64];

	ck_assert_int_eq(ctl("migrate", &out), 0);
	migration_file(name, sizeof(name), COCKPIT_SCHEMA_VERSION + 1, "probe");
	write_file(name, "CREATE TABLE ctl_probe (x int);\n", "w");
	ck_assert_int_eq(ctl("status", &out), 2);
	ck_assert_int_eq(ctl("migrate --dry-run", &out), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'ctl_probe'"), 0);
	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'ctl_probe'"), 1);
	ck_assert_int_eq(scalar("SELECT max(version) FROM cockpit_migrations"),
	    COCKPIT_SCHEMA_VERSION + 1);
	buf_free(&out);
}
END_TEST

START_TEST(test_failing_file_rolls_back)
{
	struct buf	 out = { 0 };
	char		 name[64];

	ck_assert_int_eq(ctl("migrate", &out), 0);
	migration_file(name, sizeof(name), COCKPIT_SCHEMA_VERSION + 1,
	    "broken");
	write_file(name, "CREATE TABLE ctl_half (x int);\n"
	    "SELECT 1/0;\n", "w");
	ck_assert_int_eq(ctl("migrate", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, name));
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'ctl_half'"), 0);
	ck_assert_int_eq(scalar("SELECT max(version) FROM cockpit_migrations"),
	    COCKPIT_SCHEMA_VERSION);
	buf_free(&out);
}
END_TEST

START_TEST(test_gap_in_numbering_is_refused)
{
	struct buf	 out = { 0 };
	char		 name[64];

	migration_file(name, sizeof(name), COCKPIT_SCHEMA_VERSION + 2, "gap");
	write_file(name, "SELECT 1;\n", "w");
	ck_assert_int_eq(ctl("migrate", &out), 1);
	ck_assert_int_eq(ctl("status", &out), 1);
	buf_free(&out);
}
END_TEST

START_TEST(test_usage_errors)
{
	struct buf	 out = { 0 };

	ck_assert_int_eq(ctl("frobnicate", &out), 64);
	ck_assert_int_eq(ctl("migrate --bogus", &out), 64);
	ck_assert_int_eq(ctl("help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "migrate"));
	buf_free(&out);
}
END_TEST

/* cockpitctl break-glass set ARGS, with input on its standard input. */
static int
bg_set(const char *input, const char *args, struct buf *out)
{
	char	 cmd[8192];

	write_file("stdin.txt", input, "w");
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "break-glass set %s "
	    "< '%s/stdin.txt'", args, sqldir), (int)sizeof(cmd));
	return ctl(cmd, out);
}

static void
bg_hash(char *out, size_t len)
{
	platform_text("SELECT hash FROM break_glass", out, len);
}

/* The platform chain's head: how many events it holds. */
static long long
platform_seq(void)
{
	return platform_scalar("SELECT coalesce((SELECT seq FROM audit_chains "
	    "WHERE account_id IS NULL), 0)");
}

/* Events of action on the platform chain, as cockpitctl writes them. */
static long long
audits(const char *action)
{
	char	 sql[512];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id IS NULL AND action = '%s' AND actor LIKE "
	    "'cockpitctl:_%%' AND actor_role = 'operator' AND target_type = "
	    "'break_glass' AND target_id IS NULL", action);
	return platform_scalar(sql);
}

/* Rows of the credential or the audit trail whose text holds s. */
static long long
rows_holding(const char *s)
{
	char	 sql[512];

	(void)snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM "
	    "break_glass b WHERE strpos(b::text, '%s') > 0) + (SELECT count(*) "
	    "FROM audit_events e WHERE strpos(e::text, '%s') > 0)", s, s);
	return platform_scalar(sql);
}

/* Neither the password nor any hash was printed. */
static void
assert_no_secret(const struct buf *out, const char *password)
{
	if (out->data == NULL)
		return;
	ck_assert_msg(strstr(out->data, password) == NULL, "%s", out->data);
	ck_assert_msg(strstr(out->data, "$scrypt$") == NULL, "%s", out->data);
}

START_TEST(test_break_glass_set_stores_hash)
{
	struct buf	 out = { 0 };
	char		 hash[PASSWORD_ENCODED_MAX];
	long long	 seq;

	ck_assert_int_eq(ctl("migrate", &out), 0);
	seq = platform_seq();
	/* Only the first line is the password. */
	ck_assert_int_eq(bg_set(BG_PASSWORD "\nnot the password\n", "", &out),
	    0);
	assert_no_secret(&out, BG_PASSWORD);
	ck_assert_ptr_nonnull(strstr(out.data, "breakglass"));
	bg_hash(hash, sizeof(hash));
	ck_assert_int_eq(strncmp(hash, "$scrypt$ln=15,r=8,p=1$", 22), 0);
	ck_assert_int_eq(password_verify(BG_PASSWORD, hash), 1);
	ck_assert_int_eq(password_verify("not the password", hash), 0);
	ck_assert_int_eq(platform_scalar("SELECT count(*) FROM break_glass "
	    "WHERE username = 'breakglass' AND enabled"), 1);
	ck_assert_int_eq(rows_holding(BG_PASSWORD), 0);
	ck_assert_int_eq(audits("break_glass.set"), 1);
	ck_assert_int_eq(platform_seq(), seq + 1);
	ck_assert_int_eq(platform_scalar("SELECT max(seq) FROM audit_events "
	    "WHERE account_id IS NULL"), seq + 1);

	/* Again: the credential is replaced (CRLF ends a line too). */
	ck_assert_int_eq(bg_set(BG_OTHER "\r\n", "--user ops.admin", &out), 0);
	assert_no_secret(&out, BG_OTHER);
	bg_hash(hash, sizeof(hash));
	ck_assert_int_eq(password_verify(BG_OTHER, hash), 1);
	ck_assert_int_eq(password_verify(BG_PASSWORD, hash), 0);
	ck_assert_int_eq(platform_scalar("SELECT count(*) FROM break_glass "
	    "WHERE username = 'ops.admin' AND enabled"), 1);
	ck_assert_int_eq(platform_scalar("SELECT count(*) FROM break_glass"),
	    1);
	ck_assert_int_eq(rows_holding(BG_OTHER), 0);
	ck_assert_int_eq(audits("break_glass.set"), 2);
	ck_assert_int_eq(platform_seq(), seq + 2);
	buf_free(&out);
}
END_TEST

START_TEST(test_break_glass_bad_password_stores_nothing)
{
	struct buf	 out = { 0 };
	char		 big[PASSWORD_MAX_LEN + 3];
	char		 before[PASSWORD_ENCODED_MAX];
	char		 after[PASSWORD_ENCODED_MAX];

	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_int_eq(bg_set("fifteen bytes..\n", "", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "shorter than 16 bytes"));
	ck_assert_int_eq(ctl("break-glass set < /dev/null", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "no password"));
	memset(big, 'x', PASSWORD_MAX_LEN + 1);
	big[PASSWORD_MAX_LEN + 1] = '\n';
	big[PASSWORD_MAX_LEN + 2] = '\0';
	ck_assert_int_eq(bg_set(big, "", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "longer than 1024 bytes"));
	ck_assert_int_eq(platform_scalar("SELECT count(*) FROM break_glass"),
	    0);
	ck_assert_int_eq(audits("break_glass.set"), 0);
	ck_assert_int_eq(platform_seq(), 0);

	/* 1024 bytes is allowed; a refused password changes nothing. */
	big[PASSWORD_MAX_LEN] = '\n';
	big[PASSWORD_MAX_LEN + 1] = '\0';
	ck_assert_int_eq(bg_set(big, "", &out), 0);
	bg_hash(before, sizeof(before));
	big[PASSWORD_MAX_LEN] = '\0';
	ck_assert_int_eq(password_verify(big, before), 1);
	ck_assert_int_eq(bg_set("short\n", "", &out), 1);
	bg_hash(after, sizeof(after));
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(audits("break_glass.set"), 1);
	ck_assert_int_eq(platform_seq(), 1);
	buf_free(&out);
}
END_TEST

START_TEST(test_break_glass_off_on_status)
{
	struct buf	 out = { 0 };
	char		 hash[PASSWORD_ENCODED_MAX];
	PGconn		*c;
	long long	 seq;

	ck_assert_int_eq(ctl("migrate", &out), 0);
	/* No credential: off has nothing to do, on cannot. */
	ck_assert_int_eq(ctl("break-glass off", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "no break-glass credential"));
	ck_assert_int_eq(ctl("break-glass on", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "no credential is set"));
	ck_assert_int_eq(ctl("break-glass status", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "no break-glass credential"));
	ck_assert_int_eq(platform_seq(), 0);

	ck_assert_int_eq(bg_set(BG_PASSWORD "\n", "", &out), 0);
	seq = platform_seq();
	ck_assert_int_eq(ctl("break-glass status", &out), 0);
	assert_no_secret(&out, BG_PASSWORD);
	ck_assert_ptr_nonnull(strstr(out.data, "user: breakglass\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "enabled: yes\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "updated_at: 20"));
	ck_assert_ptr_nonnull(strstr(out.data,
	    "failed attempts in the last 15 minutes: 0\n"));

	ck_assert_int_eq(ctl("break-glass off", &out), 0);
	ck_assert_int_eq(platform_scalar("SELECT count(*) FROM break_glass "
	    "WHERE NOT enabled"), 1);
	ck_assert_int_eq(audits("break_glass.disable"), 1);
	ck_assert_int_eq(platform_seq(), seq + 1);
	/* Idempotent, and what changes nothing is not an event. */
	ck_assert_int_eq(ctl("break-glass off", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "already disabled"));
	ck_assert_int_eq(audits("break_glass.disable"), 1);
	ck_assert_int_eq(platform_seq(), seq + 1);
	ck_assert_int_eq(ctl("break-glass status", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "enabled: no\n"));

	ck_assert_int_eq(ctl("break-glass on", &out), 0);
	ck_assert_int_eq(platform_scalar("SELECT count(*) FROM break_glass "
	    "WHERE enabled"), 1);
	ck_assert_int_eq(audits("break_glass.enable"), 1);
	ck_assert_int_eq(platform_seq(), seq + 2);
	bg_hash(hash, sizeof(hash));
	ck_assert_int_eq(password_verify(BG_PASSWORD, hash), 1);

	/* Failures of the last 15 minutes count; successes and old ones not. */
	c = platform();
	db_exec(c, "INSERT INTO break_glass_attempts (occurred_at, source, "
	    "succeeded) VALUES (clock_timestamp(), 'test', false), "
	    "(clock_timestamp(), 'test', false), "
	    "(clock_timestamp() - interval '1 hour', 'test', false), "
	    "(clock_timestamp(), 'test', true)");
	PQfinish(c);
	ck_assert_int_eq(ctl("break-glass status", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data,
	    "failed attempts in the last 15 minutes: 2\n"));
	buf_free(&out);
}
END_TEST

START_TEST(test_break_glass_errors)
{
	struct buf	 out = { 0 };
	char		 down[8192];

	/* Not migrated: a clear message, and nothing created. */
	ck_assert_int_eq(ctl("break-glass status", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "cockpitctl migrate"));
	ck_assert_int_eq(bg_set(BG_PASSWORD "\n", "", &out), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'break_glass'"), 0);
	/* The database cannot be reached. */
	ck_assert_int_lt(snprintf(down, sizeof(down), "host=%s/none dbname=%s "
	    "user=cockpit_owner connect_timeout=2", sqldir, dbname),
	    (int)sizeof(down));
	ck_assert_int_eq(ctl_at(down, "break-glass status", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "cockpitctl: connection"));
	ck_assert_int_eq(ctl_at(down, "break-glass off", &out), 1);
	/* Usage. */
	ck_assert_int_eq(ctl("break-glass", &out), 64);
	ck_assert_int_eq(ctl("break-glass frobnicate", &out), 64);
	ck_assert_int_eq(ctl("break-glass set --bogus < /dev/null", &out), 64);
	ck_assert_int_eq(ctl("break-glass set --user < /dev/null", &out), 64);
	ck_assert_int_eq(ctl("break-glass set --user 'two words' < /dev/null",
	    &out), 64);
	ck_assert_int_eq(ctl("break-glass set extra < /dev/null", &out), 64);
	ck_assert_int_eq(ctl("break-glass status extra", &out), 64);
	ck_assert_int_eq(ctl("break-glass off --bogus", &out), 64);
	ck_assert_int_eq(ctl("break-glass --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "set [--user NAME]"));
	ck_assert_int_eq(ctl("help break-glass", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "break-glass set"));
	ck_assert_int_eq(ctl("help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "break-glass"));
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cockpitctl");
	TCase	*tc = tcase_create("migrations");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_migrate_applies_once);
	tcase_add_test(tc, test_changed_file_is_refused);
	tcase_add_test(tc, test_new_file_dry_run_then_apply);
	tcase_add_test(tc, test_failing_file_rolls_back);
	tcase_add_test(tc, test_gap_in_numbering_is_refused);
	tcase_add_test(tc, test_usage_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("break-glass");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_break_glass_set_stores_hash);
	tcase_add_test(tc, test_break_glass_bad_password_stores_nothing);
	tcase_add_test(tc, test_break_glass_off_on_status);
	tcase_add_test(tc, test_break_glass_errors);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
