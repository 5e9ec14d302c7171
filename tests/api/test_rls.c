/*
 * Row-level security as SECURITY.md asks, checked straight in PostgreSQL
 * as the service role the programs use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const char *
fails_with(PGconn *c, const char *sql, char *state)
{
	PGresult	*res = PQexec(c, sql);
	const char	*s;

	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	(void)snprintf(state, 6, "%s", s != NULL ? s : "");
	PQclear(res);
	return state;
}

static void
tenant(PGconn *c, const char *account, const char *platform)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT set_config('cockpit.account_id',"
	    " '%s', true), set_config('cockpit.platform', '%s', true)",
	    account, platform);
	db_exec(c, sql);
}

START_TEST(test_no_tenant_sees_nothing)
{
	PGconn	*c;
	char	 id[37], slug[64];

	unique_slug(slug, sizeof(slug), "rls");
	create_account("Hidden", slug, id);
	c = db_connect(env("COCKPIT_DATABASE_URL"));
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	db_exec(c, "BEGIN");
	tenant(c, "", "off");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	db_exec(c, "COMMIT");
	PQfinish(c);
}
END_TEST

START_TEST(test_tenant_sees_only_itself_and_setting_ends)
{
	PGconn	*c;
	char	 a[37], b[37], slug[64], sql[256], state[6];

	unique_slug(slug, sizeof(slug), "rls-a");
	create_account("A", slug, a);
	unique_slug(slug, sizeof(slug), "rls-b");
	create_account("B", slug, b);
	c = db_connect(env("COCKPIT_DATABASE_URL"));
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 1);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM accounts WHERE "
	    "id = '%s'", a);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	(void)snprintf(sql, sizeof(sql), "WITH u AS (UPDATE accounts SET name = "
	    "'taken' WHERE id = '%s' RETURNING 1) SELECT count(*) FROM u", b);
	ck_assert_int_eq(db_scalar(c, sql), 0);
	ck_assert_str_eq(fails_with(c, "INSERT INTO accounts (name, slug) "
	    "VALUES ('Sneaky', 'sneaky-rls')", state), "42501");
	db_exec(c, "ROLLBACK");
	/* A new transaction starts with no tenant, also after a rollback. */
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	db_exec(c, "BEGIN");
	tenant(c, "", "on");
	ck_assert_int_gt(db_scalar(c, "SELECT count(*) FROM accounts"), 1);
	db_exec(c, "COMMIT");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	PQfinish(c);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM accounts WHERE "
	    "id = '%s' AND name = 'B'", b);
	ck_assert_int_eq(db_count(sql), 1);
}
END_TEST

START_TEST(test_audit_rows_cannot_change)
{
	PGconn	*c = db_connect(env("COCKPIT_DATABASE_URL"));
	char	 state[6];

	ck_assert_str_eq(fails_with(c, "UPDATE audit_events SET actor = 'x'",
	    state), "42501");
	ck_assert_str_eq(fails_with(c, "DELETE FROM audit_events", state),
	    "42501");
	ck_assert_str_eq(fails_with(c, "TRUNCATE audit_events", state),
	    "42501");
	ck_assert_str_eq(fails_with(c, "DELETE FROM accounts", state),
	    "42501");
	PQfinish(c);
}
END_TEST

START_TEST(test_service_role_is_powerless)
{
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_roles WHERE rolname "
	    "= 'cockpit_service' AND NOT rolsuper AND NOT rolbypassrls AND NOT "
	    "rolcreaterole AND NOT rolcreatedb"), 1);
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_class c JOIN "
	    "pg_roles r ON r.oid = c.relowner WHERE r.rolname = "
	    "'cockpit_service'"), 0);
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_class WHERE relname "
	    "IN ('accounts', 'audit_events') AND relrowsecurity AND "
	    "relforcerowsecurity"), 2);
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_policies WHERE "
	    "tablename IN ('accounts', 'audit_events') AND with_check IS NOT "
	    "NULL"), 2);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("rls");
	TCase	*tc = tcase_create("db");

	tcase_add_test(tc, test_no_tenant_sees_nothing);
	tcase_add_test(tc, test_tenant_sees_only_itself_and_setting_ends);
	tcase_add_test(tc, test_audit_rows_cannot_change);
	tcase_add_test(tc, test_service_role_is_powerless);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
