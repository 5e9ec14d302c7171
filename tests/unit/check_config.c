/* lib/config: the file, the environment over it, and refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "mgmt.h"
#include "suites.h"

static char path[64];

/* Writes a configuration file and clears the variables it could shadow. */
static void
write_conf(const char *text)
{
	FILE		*f;
	const char	*vars[] = { "COCKPIT_LISTEN", "COCKPIT_LISTEN_ACCOUNTS",
	    "COCKPIT_WORKERS", "COCKPIT_MAX_REQUESTS", "COCKPIT_REQUEST_TIMEOUT",
	    "COCKPIT_MAX_BODY", "COCKPIT_DATABASE_URL",
	    "COCKPIT_STATEMENT_TIMEOUT", "COCKPIT_MASTER_KEY",
	    "LITELLM_MASTER_KEY", "COCKPIT_LOG_LEVEL", "COCKPIT_ACCESS_LOG",
	    "COCKPIT_CONFIG", "CREDITS_FACTOR" };
	size_t		 i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		ck_assert_int_eq(unsetenv(vars[i]), 0);
	(void)snprintf(path, sizeof(path), "/tmp/cockpit-unit-%ld.conf",
	    (long)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static int
load(struct config *c, char *err)
{
	int	 rc = config_load(c, "accounts", path, err, CONFIG_ERRLEN);

	(void)unlink(path);
	return rc;
}

START_TEST(test_config_file_and_defaults)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];

	write_conf("# comment\n\nCOCKPIT_DATABASE_URL=\"host=/x dbname=c\"\n"
	    "COCKPIT_WORKERS = 3\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_str_eq(c.database_url, "host=/x dbname=c");
	ck_assert_int_eq(c.workers, 3);
	ck_assert_str_eq(c.listen, "unix:/run/console-cockpit/accounts.sock");
	ck_assert_int_eq(c.max_requests, 10000);
	ck_assert_int_eq(c.request_timeout, 30);
	ck_assert_uint_eq(c.max_body, 1048576);
	ck_assert_int_eq(c.statement_timeout, 5000);
	ck_assert_ptr_null(c.master_key);
	ck_assert_int_eq(c.access_log, 1);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(c.credits_factor, "1");
	config_free(&c);
}
END_TEST

START_TEST(test_config_credits_factor)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];
	static const char *const bad[] = { "0", "-1", "1e3", "0.0000001",
	    "1000000.000001", "abc", "1.", "01" };
	size_t		 i;

	write_conf("COCKPIT_DATABASE_URL=x\nCREDITS_FACTOR=2.500\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_str_eq(c.credits_factor, "2.5");
	config_free(&c);
	write_conf("COCKPIT_DATABASE_URL=x\nCREDITS_FACTOR=1000000\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_str_eq(c.credits_factor, "1000000");
	config_free(&c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char	 text[128];

		(void)snprintf(text, sizeof(text), "COCKPIT_DATABASE_URL=x\n"
		    "CREDITS_FACTOR=%s\n", bad[i]);
		write_conf(text);
		ck_assert_msg(load(&c, err) == -1, "%s accepted", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "CREDITS_FACTOR"));
	}
}
END_TEST

START_TEST(test_config_environment_wins)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];

	write_conf("COCKPIT_DATABASE_URL=file\nCOCKPIT_LISTEN=:9000\n"
	    "COCKPIT_LISTEN_ACCOUNTS=:9001\n");
	ck_assert_int_eq(setenv("COCKPIT_DATABASE_URL", "env", 1), 0);
	ck_assert_int_eq(setenv("COCKPIT_LOG_LEVEL", "debug", 1), 0);
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_str_eq(c.database_url, "env");
	ck_assert_str_eq(c.listen, ":9001");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
	config_free(&c);
}
END_TEST

START_TEST(test_config_unknown_key_names_line)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];

	write_conf("COCKPIT_DATABASE_URL=x\n\nCOCKPIT_WORKRES=2\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, ":3: unknown key COCKPIT_WORKRES"));
}
END_TEST

START_TEST(test_config_bad_values_refused)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];

	write_conf("COCKPIT_DATABASE_URL=x\nCOCKPIT_WORKERS=0\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "COCKPIT_WORKERS"));
	write_conf("COCKPIT_DATABASE_URL=x\nCOCKPIT_MAX_BODY=12k\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "COCKPIT_MAX_BODY"));
	write_conf("COCKPIT_DATABASE_URL=x\nCOCKPIT_ACCESS_LOG=yes\n");
	ck_assert_int_eq(load(&c, err), -1);
	write_conf("COCKPIT_DATABASE_URL=x\nnot a pair\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, ":2:"));
	write_conf("COCKPIT_WORKERS=2\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "COCKPIT_DATABASE_URL"));
}
END_TEST

START_TEST(test_config_master_key_rules)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];

	write_conf("COCKPIT_DATABASE_URL=x\nCOCKPIT_MASTER_KEY=short\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_ptr_null(c.master_key);
	ck_assert_uint_gt(strlen(c.warning), 0);
	config_free(&c);
	write_conf("COCKPIT_DATABASE_URL=x\n"
	    "LITELLM_MASTER_KEY=sk-0123456789abcdef0123456789abcdef\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_str_eq(c.master_key, "sk-0123456789abcdef0123456789abcdef");
	config_free(&c);
}
END_TEST

/* The management API: its URL, and credentials that go together. */
START_TEST(test_config_management_api)
{
	const char	*vars[] = { "ZITADEL_MGMT_URL", "ZITADEL_MGMT_API_TOKEN",
	    "ZITADEL_CLIENT_ID", "ZITADEL_CLIENT_SECRET", "ZITADEL_ISSUER",
	    "ZITADEL_ISSUER_URL" };
	struct config	 c;
	char		 err[CONFIG_ERRLEN];
	size_t		 i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		ck_assert_int_eq(unsetenv(vars[i]), 0);
	write_conf("COCKPIT_DATABASE_URL=x\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_ptr_null(c.mgmt_url);
	ck_assert(!mgmt_configured(&c));
	config_free(&c);
	write_conf("COCKPIT_DATABASE_URL=x\nZITADEL_ISSUER=https://id.test\n"
	    "ZITADEL_MGMT_URL=https://mgmt.test//\nZITADEL_CLIENT_ID=svc\n"
	    "ZITADEL_CLIENT_SECRET=s3cret\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert_str_eq(c.mgmt_url, "https://mgmt.test");
	ck_assert_str_eq(c.mgmt_client_id, "svc");
	ck_assert(mgmt_configured(&c));
	config_free(&c);
	write_conf("COCKPIT_DATABASE_URL=x\nZITADEL_MGMT_URL=https://m.test\n"
	    "ZITADEL_MGMT_API_TOKEN=pat\n");
	ck_assert_int_eq(load(&c, err), 0);
	ck_assert(mgmt_configured(&c));
	config_free(&c);
	write_conf("COCKPIT_DATABASE_URL=x\nZITADEL_CLIENT_ID=svc\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "ZITADEL_CLIENT_SECRET"));
	write_conf("COCKPIT_DATABASE_URL=x\nZITADEL_MGMT_URL=ftp://m.test\n");
	ck_assert_int_eq(load(&c, err), -1);
	ck_assert_ptr_nonnull(strstr(err, "ZITADEL_MGMT_URL"));
}
END_TEST

START_TEST(test_config_missing_file)
{
	struct config	 c;
	char		 err[CONFIG_ERRLEN];

	ck_assert_int_eq(config_load(&c, "accounts", "/nonexistent/x.conf",
	    err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.conf"));
}
END_TEST

Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_config_file_and_defaults);
	tcase_add_test(tc, test_config_environment_wins);
	tcase_add_test(tc, test_config_unknown_key_names_line);
	tcase_add_test(tc, test_config_bad_values_refused);
	tcase_add_test(tc, test_config_credits_factor);
	tcase_add_test(tc, test_config_master_key_rules);
	tcase_add_test(tc, test_config_missing_file);
	tcase_add_test(tc, test_config_management_api);
	suite_add_tcase(s, tc);
	return s;
}
