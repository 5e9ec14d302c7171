/*
 * lib/schema.h names the schema version this build expects: it must be the
 * number of the newest file in sql/, and the files must number 1..N.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "suites.h"

START_TEST(test_schema_version_is_newest_migration)
{
	DIR		*d;
	struct dirent	*e;
	long		 max = 0, n, count = 0;
	char		*end;

	d = opendir(TOP_SRCDIR "/sql");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (strlen(e->d_name) < 10 || e->d_name[4] != '_' ||
		    strcmp(e->d_name + strlen(e->d_name) - 4, ".sql") != 0)
			continue;
		n = strtol(e->d_name, &end, 10);
		ck_assert_ptr_eq(end, e->d_name + 4);
		if (n > max)
			max = n;
		count++;
	}
	closedir(d);
	ck_assert_int_eq(max, COCKPIT_SCHEMA_VERSION);
	ck_assert_int_eq(count, max);
}
END_TEST

Suite *
schema_suite(void)
{
	Suite	*s = suite_create("schema");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_schema_version_is_newest_migration);
	suite_add_tcase(s, tc);
	return s;
}
