/*
 * Row-level security as SECURITY.md asks, checked straight in PostgreSQL
 * as the service role the programs use (COCKPIT_DATABASE_URL): no tenant,
 * no rows; one tenant, its rows only; the setting ends with the
 * transaction; audit rows cannot change; the role owns and bypasses
 * nothing. The tables are found generically (every table of schema public
 * with an account_id column, and the platform's own), so a table added
 * later without row-level security fails here.
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

/*
 * The tables row-level security must guard: every table of schema public
 * with an account_id column, and the platform's tables and accounts. As a
 * FROM ... WHERE over pg_class c.
 */
#define GUARDED \
	" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND" \
	" (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid" \
	"   AND a.attname = 'account_id' AND a.attnum > 0" \
	"   AND NOT a.attisdropped)" \
	"  OR c.relname IN ('accounts', 'sessions', 'auth_logins'," \
	"   'break_glass', 'break_glass_attempts', 'audit_chains'))"

#define MAX_GUARDED	64

/* The one value a query answers, as text (NULL: SQL NULL); free() it. */
static char *
db_text(PGconn *c, const char *sql)
{
	PGresult	*res = PQexec(c, sql);
	char		*v = NULL;

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	if (!PQgetisnull(res, 0, 0))
		ck_assert_ptr_nonnull(v = strdup(PQgetvalue(res, 0, 0)));
	PQclear(res);
	return v;
}

/* The guarded tables' names, quoted; returns how many. */
static int
guarded_tables(char names[][128], int max)
{
	PGconn		*c = db_owner();
	PGresult	*res = PQexec(c, "SELECT quote_ident(c.relname)" GUARDED
			    " ORDER BY 1");
	int		 i, n;

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(c));
	n = PQntuples(res);
	ck_assert_int_le(n, max);
	for (i = 0; i < n; i++)
		(void)snprintf(names[i], 128, "%s", PQgetvalue(res, i, 0));
	PQclear(res);
	PQfinish(c);
	return n;
}

static int
named(char names[][128], int n, const char *name)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * SELECT count(*) of a table on c: the count, or 0 when the role may not
 * read the table at all (42501), which shows no row either.
 */
static long long
visible_rows(PGconn *c, const char *table)
{
	char		 sql[256];
	PGresult	*res;
	const char	*state;
	long long	 n;

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM public.%s",
	    table);
	res = PQexec(c, sql);
	if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		ck_assert_msg(state != NULL && strcmp(state, "42501") == 0,
		    "%s: %s", sql, PQerrorMessage(c));
		PQclear(res);
		return 0;
	}
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
	    PQerrorMessage(c));
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/* Runs sql, which must fail; its SQLSTATE into state[6], message too. */
static const char *
fails_saying(PGconn *c, const char *sql, char *state, char *msg,
    size_t len)
{
	PGresult	*res = PQexec(c, sql);
	const char	*s, *m;

	ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR,
	    "did not fail: %s", sql);
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	(void)snprintf(state, 6, "%s", s != NULL ? s : "");
	(void)snprintf(msg, len, "%s", m != NULL ? m : "");
	PQclear(res);
	return state;
}

/*
 * Rows of account for the tenant tables, committed by the owner acting
 * for the platform: a user (tag in its email), an API key, a domain and a
 * console session. Nobody knows the key's or the session's secret.
 */
static void
seed(PGconn *owner, const char *account, const char *tag)
{
	char	 sql[1024];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, email)"
	    " VALUES ('%s', '%s@rls.test')", account, tag);
	db_exec(owner, sql);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO api_keys (account_id, "
	    "name, prefix, digest, created_by) VALUES ('%s', 'rls', "
	    "substr(md5(gen_random_uuid()::text), 1, 8), "
	    "sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'rls-test')",
	    account);
	db_exec(owner, sql);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO account_domains "
	    "(account_id, domain) VALUES ('%s', '%s.rls.test')", account, tag);
	db_exec(owner, sql);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO sessions (digest, "
	    "csrf_digest, method, subject, role, account_id, idle_expires_at, "
	    "absolute_expires_at) VALUES (sha256(convert_to(gen_random_uuid()"
	    "::text, 'UTF8')), sha256(convert_to(gen_random_uuid()::text, "
	    "'UTF8')), 'sso', 'rls-%s', 'end_user', '%s', now() + interval "
	    "'1 hour', now() + interval '1 hour')", tag, account);
	db_exec(owner, sql);
}

/* Removes what seed() left for the accounts, as the owner. */
static void
unseed(PGconn *owner, const char *a, const char *b)
{
	static const char *const tables[] = { "sessions", "account_domains",
	    "api_keys", "users" };
	char	 sql[256];
	size_t	 i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		(void)snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE "
		    "account_id IN ('%s', '%s')", tables[i], a, b);
		db_exec(owner, sql);
	}
}

static long long
users_of(PGconn *c, const char *cond)
{
	char	 sql[256];

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM users%s%s",
	    *cond ? " WHERE " : "", cond);
	return db_scalar(c, sql);
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
	    "WHERE account_id = '%s' AND action = 'test'", a);
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

/*
 * The service role deletes an account only acting for the platform (the
 * confirmed hard delete): a tenant, or no tenant, deletes nothing, not
 * even itself; TRUNCATE is refused outright.
 */
START_TEST(test_accounts_cannot_be_deleted_or_truncated)
{
	PGconn	*c = service();
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], state[6];

	two_accounts(a, b);
	ck_assert_int_eq(db_scalar(c, "WITH d AS (DELETE FROM accounts "
	    "RETURNING 1) SELECT count(*) FROM d"), 0);
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	ck_assert_int_eq(db_scalar(c, "WITH d AS (DELETE FROM accounts "
	    "RETURNING 1) SELECT count(*) FROM d"), 0);
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM accounts"), 1);
	db_exec(c, "ROLLBACK");
	db_exec(c, "BEGIN");
	tenant(c, b, "on");
	ck_assert_int_eq(db_scalar(c, "WITH d AS (DELETE FROM accounts WHERE "
	    "id = cockpit_account_id() RETURNING 1) SELECT count(*) FROM d"),
	    1);
	db_exec(c, "ROLLBACK");
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

/* Asked on the service's own connection, not of a role by its name. */
START_TEST(test_service_connection_is_unprivileged)
{
	PGconn	*c = service();
	char	*v;

	ck_assert_ptr_nonnull(v = db_text(c, "SELECT current_user"));
	ck_assert_str_eq(v, "cockpit_service");
	free(v);
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM pg_roles WHERE "
	    "rolname = current_user AND NOT rolsuper AND NOT rolbypassrls"),
	    1);
	ck_assert_ptr_nonnull(v = db_text(c, "SELECT "
	    "current_setting('is_superuser')"));
	ck_assert_str_eq(v, "off");
	free(v);
	/* Nor through a role it is a member of. */
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM pg_roles WHERE "
	    "pg_has_role(current_user, oid, 'MEMBER') AND (rolsuper OR "
	    "rolbypassrls)"), 0);
	/* It owns no table, not even by membership of the owner. */
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM pg_class WHERE "
	    "relowner = (SELECT oid FROM pg_roles WHERE rolname = "
	    "current_user)"), 0);
	ck_assert_ptr_null(v = db_text(c, "SELECT string_agg(c.relname, ', ') "
	    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE n.nspname = 'public' AND pg_has_role(current_user, "
	    "c.relowner, 'MEMBER')"));
	PQfinish(c);
}
END_TEST

/* Every guarded table, found in the catalogue, is ENABLEd and FORCEd. */
START_TEST(test_every_guarded_table_forces_rls)
{
	static const char *const known[] = { "accounts", "audit_events",
	    "audit_chains", "users", "api_keys", "account_domains", "sessions",
	    "auth_logins", "break_glass", "break_glass_attempts" };
	char	 names[MAX_GUARDED][128], *bad;
	PGconn	*c;
	size_t	 i;
	int	 n;

	n = guarded_tables(names, MAX_GUARDED);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ck_assert_msg(named(names, n, known[i]), "%s is not found",
		    known[i]);
	c = db_owner();
	bad = db_text(c, "SELECT string_agg(c.relname, ', ' ORDER BY "
	    "c.relname)" GUARDED " AND NOT (c.relrowsecurity AND "
	    "c.relforcerowsecurity)");
	ck_assert_msg(bad == NULL, "without row-level security ENABLEd and "
	    "FORCEd: %s", bad);
	PQfinish(c);
}
END_TEST

/*
 * A policy without WITH CHECK would let a tenant write what it can't see.
 * Only a DELETE policy has none to carry (it writes no row), and it must
 * be RESTRICTIVE: one that only narrows who deletes.
 */
START_TEST(test_every_policy_has_a_with_check)
{
	PGconn	*c = db_owner();
	char	*bad;

	ck_assert_int_ge(db_scalar(c, "SELECT count(*) FROM pg_policies WHERE "
	    "schemaname = 'public'"), 10);
	bad = db_text(c, "SELECT string_agg(tablename || '.' || policyname, "
	    "', ' ORDER BY tablename) FROM pg_policies WHERE schemaname = "
	    "'public' AND with_check IS NULL AND NOT (cmd = 'DELETE' AND "
	    "permissive = 'RESTRICTIVE')");
	ck_assert_msg(bad == NULL, "policies without WITH CHECK: %s", bad);
	PQfinish(c);
}
END_TEST

/* No tenant set at all: no row of any guarded table, though there are. */
START_TEST(test_no_tenant_sees_no_row_of_any_table)
{
	static const char *const seeded[] = { "users", "api_keys",
	    "account_domains", "sessions" };
	char		 names[MAX_GUARDED][128], a[UUID_LEN + 1],
			 b[UUID_LEN + 1], tag[64], sql[256];
	PGconn		*owner, *c;
	long long	 seen;
	size_t		 i;
	int		 n, k;

	two_accounts(a, b);
	unique_slug(tag, sizeof(tag), "rls-none");
	owner = db_owner();
	seed(owner, a, tag);
	for (i = 0; i < sizeof(seeded) / sizeof(seeded[0]); i++) {
		(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s "
		    "WHERE account_id = '%s'", seeded[i], a);
		ck_assert_int_eq(db_scalar(owner, sql), 1);
	}
	n = guarded_tables(names, MAX_GUARDED);
	c = service();
	for (k = 0; k < n; k++) {
		seen = visible_rows(c, names[k]);
		ck_assert_msg(seen == 0, "%s: %lld rows without a tenant",
		    names[k], seen);
	}
	/* The same inside a transaction that sets nothing. */
	db_exec(c, "BEGIN");
	for (k = 0; k < n; k++)
		ck_assert_msg(visible_rows(c, names[k]) == 0, "%s in a "
		    "transaction", names[k]);
	db_exec(c, "COMMIT");
	PQfinish(c);
	unseed(owner, a, b);
	PQfinish(owner);
}
END_TEST

/* One connection, tenants in turn, as a worker serves them. */
START_TEST(test_tenants_alternate_on_one_connection)
{
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], tag[64], cond[128],
		 state[6];
	PGconn	*owner, *c;

	two_accounts(a, b);
	owner = db_owner();
	unique_slug(tag, sizeof(tag), "rls-a1");
	seed(owner, a, tag);
	unique_slug(tag, sizeof(tag), "rls-a2");
	seed(owner, a, tag);
	unique_slug(tag, sizeof(tag), "rls-b1");
	seed(owner, b, tag);
	c = service();

	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	ck_assert_int_eq(users_of(c, ""), 2);
	(void)snprintf(cond, sizeof(cond), "account_id <> '%s'", a);
	ck_assert_int_eq(users_of(c, cond), 0);
	db_exec(c, "COMMIT");

	db_exec(c, "BEGIN");
	tenant(c, b, "off");
	ck_assert_int_eq(users_of(c, ""), 1);
	(void)snprintf(cond, sizeof(cond), "account_id <> '%s'", b);
	ck_assert_int_eq(users_of(c, cond), 0);
	db_exec(c, "COMMIT");

	/* A failed statement, a rollback: the next transaction is no one. */
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	ck_assert_int_eq(users_of(c, ""), 2);
	ck_assert_str_eq(fails_with(c, "SELECT 1 / 0", state), "22012");
	db_exec(c, "ROLLBACK");
	db_exec(c, "BEGIN");
	ck_assert_int_eq(users_of(c, ""), 0);
	db_exec(c, "COMMIT");

	/* An empty tenant is no tenant. */
	db_exec(c, "BEGIN");
	tenant(c, "", "off");
	ck_assert_int_eq(users_of(c, ""), 0);
	db_exec(c, "COMMIT");
	ck_assert_int_eq(users_of(c, ""), 0);
	PQfinish(c);
	unseed(owner, a, b);
	PQfinish(owner);
}
END_TEST

/*
 * Sessions, sign-ins in flight, the break-glass credential and its
 * attempts belong to the platform: a tenant sees none of them, not even
 * its own account's session; the platform sees them.
 */
START_TEST(test_platform_tables_are_the_platforms)
{
	static const char *const platform[] = { "sessions", "auth_logins",
	    "break_glass", "break_glass_attempts" };
	char		 a[UUID_LEN + 1], b[UUID_LEN + 1], tag[64], sql[1024],
			*session, *login;
	PGconn		*owner, *c;
	long long	 credentials;
	size_t		 i;

	two_accounts(a, b);
	unique_slug(tag, sizeof(tag), "rls-platform");
	owner = db_owner();
	seed(owner, a, tag);
	(void)snprintf(sql, sizeof(sql), "SELECT id FROM sessions WHERE "
	    "account_id = '%s'", a);
	ck_assert_ptr_nonnull(session = db_text(owner, sql));
	login = db_text(owner, "INSERT INTO auth_logins (state_digest, "
	    "browser_digest, code_verifier, nonce, expires_at) VALUES ("
	    "sha256(convert_to(gen_random_uuid()::text, 'UTF8')), sha256("
	    "convert_to(gen_random_uuid()::text, 'UTF8')), 'rls-test', "
	    "'rls-test', now() + interval '10 minutes') RETURNING "
	    "encode(state_digest, 'hex')");
	ck_assert_ptr_nonnull(login);
	/* A success: not counted against the break-glass rate limit. */
	(void)snprintf(sql, sizeof(sql), "INSERT INTO break_glass_attempts "
	    "(source, succeeded) VALUES ('%s', true)", tag);
	db_exec(owner, sql);
	credentials = db_scalar(owner, "SELECT count(*) FROM break_glass");

	c = service();
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	for (i = 0; i < sizeof(platform) / sizeof(platform[0]); i++)
		ck_assert_msg(visible_rows(c, platform[i]) == 0, "tenant sees "
		    "%s", platform[i]);
	db_exec(c, "COMMIT");

	db_exec(c, "BEGIN");
	tenant(c, "", "on");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM sessions WHERE "
	    "id = '%s'", session);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM auth_logins "
	    "WHERE state_digest = decode('%s', 'hex')", login);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
	    "break_glass_attempts WHERE source = '%s'", tag);
	ck_assert_int_eq(db_scalar(c, sql), 1);
	ck_assert_int_eq(db_scalar(c, "SELECT count(*) FROM break_glass"),
	    credentials);
	db_exec(c, "COMMIT");
	PQfinish(c);

	/* The credential itself, never committed: the owner is FORCEd too. */
	db_exec(owner, "BEGIN");
	tenant(owner, "", "on");
	db_exec(owner, "INSERT INTO break_glass (username, hash) VALUES "
	    "('rls-test', 'not a hash') ON CONFLICT (id) DO NOTHING");
	ck_assert_int_eq(db_scalar(owner, "SELECT count(*) FROM break_glass"),
	    1);
	tenant(owner, a, "off");
	ck_assert_int_eq(db_scalar(owner, "SELECT count(*) FROM break_glass"),
	    0);
	db_exec(owner, "ROLLBACK");

	(void)snprintf(sql, sizeof(sql), "DELETE FROM auth_logins WHERE "
	    "state_digest = decode('%s', 'hex')", login);
	db_exec(owner, sql);
	(void)snprintf(sql, sizeof(sql), "DELETE FROM break_glass_attempts "
	    "WHERE source = '%s'", tag);
	db_exec(owner, sql);
	unseed(owner, a, b);
	PQfinish(owner);
	free(session);
	free(login);
}
END_TEST

/* Even its own tenant's audit rows, visible to it, cannot change. */
START_TEST(test_tenant_cannot_change_its_audit_events)
{
	static const char *const writes[] = {
		"UPDATE audit_events SET actor = 'x' WHERE account_id = ",
		"DELETE FROM audit_events WHERE account_id = ",
	};
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], sql[512], state[6];
	PGconn	*c;
	size_t	 i;

	two_accounts(a, b);
	c = service();
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		db_exec(c, "BEGIN");
		tenant(c, a, "off");
		(void)snprintf(sql, sizeof(sql), "SELECT cockpit_audit('%s', "
		    "'rls-test', 'test', 'rls.test', 'test', NULL, NULL, NULL, "
		    "NULL)", a);
		db_exec(c, sql);
		(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "audit_events WHERE account_id = '%s'", a);
		ck_assert_int_ge(db_scalar(c, sql), 1);
		(void)snprintf(sql, sizeof(sql), "%s'%s'", writes[i], a);
		ck_assert_str_eq(fails_with(c, sql, state), "42501");
		db_exec(c, "ROLLBACK");
	}
	PQfinish(c);
}
END_TEST

/*
 * A tenant writes its own rows (the control) and none of another's: the
 * policy's WITH CHECK refuses them, which is also SQLSTATE 42501.
 */
START_TEST(test_tenant_cannot_write_rows_of_another)
{
	/* Each with the account's id between its two halves. */
	static const char *const inserts[][2] = {
		{ "INSERT INTO users (account_id, email) VALUES (",
		    ", 'sneaky@rls.test')" },
		{ "INSERT INTO api_keys (account_id, name, prefix, digest, "
		    "created_by) VALUES (", ", 'sneaky', substr(md5("
		    "gen_random_uuid()::text), 1, 8), sha256(convert_to("
		    "gen_random_uuid()::text, 'UTF8')), 'rls-test')" },
		{ "INSERT INTO account_domains (account_id, domain) VALUES (",
		    ", 'sneaky.rls.test')" },
	};
	char	 a[UUID_LEN + 1], b[UUID_LEN + 1], tag[64], sql[512], state[6],
		 msg[256];
	PGconn	*owner, *c;
	size_t	 i;

	two_accounts(a, b);
	c = service();
	for (i = 0; i < sizeof(inserts) / sizeof(inserts[0]); i++) {
		db_exec(c, "BEGIN");
		tenant(c, a, "off");
		(void)snprintf(sql, sizeof(sql), "%s'%s'%s", inserts[i][0], a,
		    inserts[i][1]);
		db_exec(c, sql);
		(void)snprintf(sql, sizeof(sql), "%s'%s'%s", inserts[i][0], b,
		    inserts[i][1]);
		ck_assert_str_eq(fails_saying(c, sql, state, msg, sizeof(msg)),
		    "42501");
		ck_assert_msg(strstr(msg, "row-level security") != NULL, "%s",
		    msg);
		db_exec(c, "ROLLBACK");
	}
	/* Nor move its own user into another account. */
	owner = db_owner();
	unique_slug(tag, sizeof(tag), "rls-move");
	seed(owner, a, tag);
	db_exec(c, "BEGIN");
	tenant(c, a, "off");
	(void)snprintf(sql, sizeof(sql), "UPDATE users SET account_id = '%s' "
	    "WHERE account_id = '%s'", b, a);
	ck_assert_str_eq(fails_saying(c, sql, state, msg, sizeof(msg)),
	    "42501");
	ck_assert_msg(strstr(msg, "row-level security") != NULL, "%s", msg);
	db_exec(c, "ROLLBACK");
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE "
	    "account_id = '%s'", b);
	ck_assert_int_eq(db_scalar(owner, sql), 0);
	PQfinish(c);
	unseed(owner, a, b);
	PQfinish(owner);
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
	tcase_add_test(tc, test_service_connection_is_unprivileged);
	tcase_add_test(tc, test_every_guarded_table_forces_rls);
	tcase_add_test(tc, test_every_policy_has_a_with_check);
	tcase_add_test(tc, test_no_tenant_sees_no_row_of_any_table);
	tcase_add_test(tc, test_tenants_alternate_on_one_connection);
	tcase_add_test(tc, test_platform_tables_are_the_platforms);
	tcase_add_test(tc, test_tenant_cannot_change_its_audit_events);
	tcase_add_test(tc, test_tenant_cannot_write_rows_of_another);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
