/*
 * Row-level security as SECURITY.md asks, checked straight in PostgreSQL
 * as the service role the programs use (COCKPIT_DATABASE_URL): no tenant,
 * no rows; one tenant, its rows only; the setting ends with the
 * transaction; audit rows cannot change; the role owns and bypasses
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static PGconn *
service(void)
{
	return db_connect(env("COCKPIT_DATABASE_URL"));
}

/* Runs sql, which must fail; copies its SQLSTATE into state[6]. */
static const char *
fails_with(PGconn *c, const char *sql, char *state)
{
	PGresult	*res = PQexec(c, sql);
	const char	*s;

	ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR,
	    "did not fail: %s", sql);
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	(void)snprintf(state, 6, "%s", s != NULL ? s : "");
	PQclear(res);
	return state;
}

/* Sets the tenant for the current transaction, as libcockpit does. */
static void
tenant(PGconn *c, const char *account, const char *platform)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT set_config('cockpit.account_id',"
	    " '%s', true), set_config('cockpit.platform', '%s', true)",
	    account, platform);
	db_exec(c, sql);
}

static void
two_accounts(char *a, char *b)
{
	char	 slug[64];

	unique_slug(slug, sizeof(slug), "rls-a");
	create_account("Tenant A", slug, a);
	unique_slug(slug, sizeof(slug), "rls-b");
	create_account("Tenant B", slug, b);
}

static long long
count_where(PGconn *c, const char *table, const char *id)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = "
	    "'%s'", table, id);
	return db_scalar(c, sql);
}

/* An audit event for account, with a sequence no real chain reaches. */
static void
audit_insert(char *sql, size_t len, const char *account)
{
	int	 w = snprintf(sql, len, "INSERT INTO audit_events (account_id, "
	    "seq, actor, actor_role, action, target_type, prev_hash, hash) "
	    "VALUES ('%s', 999999999, 'test', 'test', 'test', 'test', "
	    "decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), "
	    "'hex'))", account);

	ck_assert(w > 0 && (size_t)w < len);
}

START_TEST(test_no_tenant_sees_nothing)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1];

	two_accounts(a, b);
	ck_assert_int_ge(accounts_count(), 2);
	c = service();
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM audit_events"), 0);
	ck_assert_int_eq(count_where(c, "accounts", a), 0);
	PQfinish(c);
}
END_TEST

START_TEST(test_empty_tenant_sees_nothing)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1];

	two_accounts(a, b);
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, "", "off");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	db_exec(c, "COMMIT");
	PQfinish(c);
}
END_TEST

START_TEST(test_tenant_sees_only_itself)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1];

	two_accounts(a, b);
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 1);
	ck_assert_int_eq(count_where(c, "accounts", a), 1);
	ck_assert_int_eq(count_where(c, "accounts", b), 0);
	db_exec(c, "COMMIT");
	PQfinish(c);
}
END_TEST

START_TEST(test_tenant_cannot_update_another)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], sql[256];

	two_accounts(a, b);
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	(void)snprintf(sql, sizeof(sql), "WITH u AS (UPDATE accounts SET name = "
	    "'taken' WHERE id = '%s' RETURNING 1) SELECT count(*) FROM u", b);
	ck_assert_int_eq(db_scalar(c, sql), 0);
	/* Its own row it may update, but not move out of its tenancy. */
	(void)snprintf(sql, sizeof(sql), "WITH u AS (UPDATE accounts SET name = "
	    "'mine' WHERE id = '%s' RETURNING 1) SELECT count(*) FROM u", a);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	db_exec(c, "COMMIT");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM accounts WHERE "
	    "id = '%s' AND name = 'Tenant B'", b);
	ck_assert_int_eq(db_count(sql), 1);
	PQfinish(c);
}
END_TEST

START_TEST(test_tenant_cannot_move_its_row_away)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], sql[256], state[6];

	two_accounts(a, b);
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	(void)snprintf(sql, sizeof(sql), "UPDATE accounts SET id = "
	    "gen_random_uuid() WHERE id = '%s'", a);
	ck_assert_str_eq(fails_with(c, sql, state), "42501");
	db_exec(c, "ROLLBACK");
	PQfinish(c);
}
END_TEST

START_TEST(test_tenant_cannot_insert_for_another)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], slug[64], sql[512];
	char	 state[6];

	two_accounts(a, b);
	unique_slug(slug, sizeof(slug), "sneaky");
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	(void)snprintf(sql, sizeof(sql), "INSERT INTO accounts (name, slug) "
	    "VALUES ('Sneaky', '%s')", slug);
	ck_assert_str_eq(fails_with(c, sql, state), "42501");
	db_exec(c, "ROLLBACK");
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	audit_insert(sql, sizeof(sql), b);
	ck_assert_str_eq(fails_with(c, sql, state), "42501");
	db_exec(c, "ROLLBACK");
	PQfinish(c);
}
END_TEST

START_TEST(test_tenant_setting_ends_with_the_transaction)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], state[6];

	two_accounts(a, b);
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 1);
	db_exec(c, "COMMIT");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	/* Also after a rollback... */
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	db_exec(c, "ROLLBACK");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	/* ...and after an error. */
	db_exec(c, "BEGIN");
	tenant(c, a, "on");
	ck_assert_str_eq(fails_with(c, "SELECT 1 / 0", state), "22012");
	db_exec(c, "ROLLBACK");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	PQfinish(c);
}
END_TEST

START_TEST(test_platform_sees_every_account)
{
	PGconn		*c;
	char		 a[UUID_LEN + 1], b[UUID_LEN + 1];
	long long	 all;

	two_accounts(a, b);
	all = accounts_count();
	c = service();
	db_exec(c, "BEGIN");
	tenant(c, "", "on");
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), all);
	db_exec(c, "COMMIT");
	db_exec(c, "BEGIN");
	tenant(c, "", "yes");	/* only "on" turns it on */
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 0);
	db_exec(c, "COMMIT");
	PQfinish(c);
}
END_TEST

START_TEST(test_malformed_tenant_sees_nothing)
{
	PGconn		*c;
	PGresult	*res;

	c = service();
	db_exec(c, "BEGIN");
	tenant(c, "not-a-uuid OR true", "off");
	res = PQexec(c, "SELECT count(*) FROM accounts");
	/* An error (not a uuid) or no rows; never rows. */
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
	else
		ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	PQclear(res);
	db_exec(c, "ROLLBACK");
	PQfinish(c);
}
END_TEST

/* The audit policy, as the owner (FORCEd on it too), never committed. */
START_TEST(test_audit_events_of_other_tenants_are_invisible)
{
	PGconn	*c;
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], sql[512];
	int	 i;

	two_accounts(a, b);
	c = db_connect(env("DATABASE_URL"));
	db_exec(c, "BEGIN");
	tenant(c, "", "on");
	for (i = 0; i < 2; i++) {
		audit_insert(sql, sizeof(sql), i ? b : a);
		db_exec(c, sql);
	}
	tenant(c, a, "off");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s'", a);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM audit_events "
	    "WHERE account_id IS DISTINCT FROM cockpit_account_id()"), 0);
	db_exec(c, "ROLLBACK");
	PQfinish(c);
}
END_TEST

START_TEST(test_audit_rows_cannot_change)
{
	PGconn	*c = service();
	char	 state[6];

	ck_assert_str_eq(fails_with(c, "UPDATE audit_events SET actor = 'x'",
	    state), "42501");
	ck_assert_str_eq(fails_with(c, "DELETE FROM audit_events", state),
	    "42501");
	ck_assert_str_eq(fails_with(c, "TRUNCATE audit_events", state),
	    "42501");
	PQfinish(c);
}
END_TEST

START_TEST(test_accounts_cannot_be_deleted_or_truncated)
{
	PGconn	*c = service();
	char	 state[6];

	ck_assert_str_eq(fails_with(c, "DELETE FROM accounts", state), "42501");
	ck_assert_str_eq(fails_with(c, "TRUNCATE accounts", state), "42501");
	PQfinish(c);
}
END_TEST

START_TEST(test_service_role_cannot_change_the_schema)
{
	PGconn	*c = service();
	char	 state[6];

	ck_assert_str_eq(fails_with(c, "ALTER TABLE accounts DISABLE ROW LEVEL "
	    "SECURITY", state), "42501");
	ck_assert_str_eq(fails_with(c, "ALTER TABLE accounts NO FORCE ROW "
	    "LEVEL SECURITY", state), "42501");
	ck_assert_str_eq(fails_with(c, "DROP POLICY accounts_tenant ON "
	    "accounts", state), "42501");
	ck_assert_str_eq(fails_with(c, "CREATE TABLE public.mine (x int)",
	    state), "42501");
	PQfinish(c);
}
END_TEST

START_TEST(test_service_role_is_not_privileged)
{
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_roles WHERE rolname "
	    "= 'cockpit_service' AND NOT rolsuper AND NOT rolbypassrls AND NOT "
	    "rolcreaterole AND NOT rolcreatedb"), 1);
}
END_TEST

START_TEST(test_service_role_owns_nothing)
{
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_roles WHERE rolname "
	    "= 'cockpit_service'"), 1);
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_class c JOIN "
	    "pg_roles r ON r.oid = c.relowner WHERE r.rolname = "
	    "'cockpit_service'"), 0);
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_namespace n JOIN "
	    "pg_roles r ON r.oid = n.nspowner WHERE r.rolname = "
	    "'cockpit_service'"), 0);
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_proc p JOIN "
	    "pg_roles r ON r.oid = p.proowner WHERE r.rolname = "
	    "'cockpit_service'"), 0);
}
END_TEST

START_TEST(test_rls_is_enabled_and_forced)
{
	ck_assert_int_eq(db_count("SELECT count(*) FROM pg_class WHERE relname "
	    "IN ('accounts', 'audit_events') AND relkind = 'r' AND "
	    "relrowsecurity AND relforcerowsecurity"), 2);
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

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_tenant_sees_nothing);
	tcase_add_test(tc, test_empty_tenant_sees_nothing);
	tcase_add_test(tc, test_tenant_sees_only_itself);
	tcase_add_test(tc, test_tenant_cannot_update_another);
	tcase_add_test(tc, test_tenant_cannot_move_its_row_away);
	tcase_add_test(tc, test_tenant_cannot_insert_for_another);
	tcase_add_test(tc, test_tenant_setting_ends_with_the_transaction);
	tcase_add_test(tc, test_platform_sees_every_account);
	tcase_add_test(tc, test_malformed_tenant_sees_nothing);
	tcase_add_test(tc, test_audit_events_of_other_tenants_are_invisible);
	tcase_add_test(tc, test_audit_rows_cannot_change);
	tcase_add_test(tc, test_accounts_cannot_be_deleted_or_truncated);
	tcase_add_test(tc, test_service_role_cannot_change_the_schema);
	tcase_add_test(tc, test_service_role_is_not_privileged);
	tcase_add_test(tc, test_service_role_owns_nothing);
	tcase_add_test(tc, test_rls_is_enabled_and_forced);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
