/*
 * cockpitctl migrate and status against a scratch database of the stack's
 * cluster: in order, once, checksummed, each file in its own transaction.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static char	 dbname[64], sqldir[4096], url[4096];

/* Runs cockpitctl ARGS on the scratch database; output into out. */
static int
ctl(const char *args, struct buf *out)
{
	char	 cmd[16384], chunk[512];
	FILE	*p;
	size_t	 n;
	int	 st;

	(void)snprintf(cmd, sizeof(cmd), "DATABASE_URL='%s' COCKPIT_SQL_DIR='%s'"
	    " '%s/cgi-bin/cockpitctl' %s 2>&1", url, sqldir,
	    env("COCKPIT_BUILD_DIR"), args);
	ck_assert((p = popen(cmd, "r")) != NULL);
	buf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ck_assert_int_eq(buf_append(out, chunk, n), 0);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
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

START_TEST(test_migrate_applies_once)
{
	struct buf	 out = { 0 };
	cJSON		*j;

	ck_assert_int_eq(ctl("status", &out), 2);
	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "applied 0001_core.sql"));
	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "nothing to do"));
	ck_assert_int_eq(scalar("SELECT count(*) FROM cockpit_migrations"), 1);
	ck_assert_int_eq(ctl("status --json", &out), 0);
	ck_assert((j = cJSON_Parse(out.data)) != NULL);
	ck_assert_int_eq(cJSON_GetObjectItem(j, "version")->valueint, 1);
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

	ck_assert_int_eq(ctl("migrate", &out), 0);
	write_file("0002_probe.sql", "CREATE TABLE ctl_probe (x int);\n", "w");
	ck_assert_int_eq(ctl("status", &out), 2);
	ck_assert_int_eq(ctl("migrate --dry-run", &out), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'ctl_probe'"), 0);
	ck_assert_int_eq(ctl("migrate", &out), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'ctl_probe'"), 1);
	ck_assert_int_eq(scalar("SELECT max(version) FROM cockpit_migrations"),
	    2);
	buf_free(&out);
}
END_TEST

START_TEST(test_failing_file_rolls_back)
{
	struct buf	 out = { 0 };

	ck_assert_int_eq(ctl("migrate", &out), 0);
	write_file("0002_broken.sql", "CREATE TABLE ctl_half (x int);\n"
	    "SELECT 1/0;\n", "w");
	ck_assert_int_eq(ctl("migrate", &out), 1);
	ck_assert_ptr_nonnull(strstr(out.data, "0002_broken.sql"));
	ck_assert_int_eq(scalar("SELECT count(*) FROM pg_class WHERE relname = "
	    "'ctl_half'"), 0);
	ck_assert_int_eq(scalar("SELECT max(version) FROM cockpit_migrations"),
	    1);
	buf_free(&out);
}
END_TEST

START_TEST(test_gap_in_numbering_is_refused)
{
	struct buf	 out = { 0 };

	write_file("0003_gap.sql", "SELECT 1;\n", "w");
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
	return harness_run(s);
}
