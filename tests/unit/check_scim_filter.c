/* lib/scim_filter: the filters and PATCH paths SCIM clients send. */
#include <string.h>

#include "scim_filter.h"
#include "suites.h"

START_TEST(test_filter_eq_forms)
{
	struct scim_filter	 f;

	ck_assert_int_eq(scim_filter_parse("userName eq \"ada@x.test\"", &f),
	    0);
	ck_assert_str_eq(f.attr, "userName");
	ck_assert_str_eq(f.sub, "");
	ck_assert_str_eq(f.value, "ada@x.test");
	/* Names and the operator are case-insensitive; spaces tolerated. */
	ck_assert_int_eq(scim_filter_parse("  externalid  EQ  \"00u1\"  ",
	    &f), 0);
	ck_assert_str_eq(f.attr, "externalid");
	ck_assert(scim_name_is(f.attr, "externalId"));
	ck_assert_str_eq(f.value, "00u1");
	ck_assert_int_eq(scim_filter_parse("emails.value eq \"a@b.c\"", &f),
	    0);
	ck_assert_str_eq(f.attr, "emails");
	ck_assert_str_eq(f.sub, "value");
	/* JSON escapes in the value. */
	ck_assert_int_eq(scim_filter_parse("displayName eq \"A \\\"B\\\" "
	    "\\u00e9\\\\\"", &f), 0);
	ck_assert_str_eq(f.value, "A \"B\" \xc3\xa9\\");
	ck_assert_int_eq(scim_filter_parse("displayName eq \"\"", &f), 0);
	ck_assert_str_eq(f.value, "");
}
END_TEST

START_TEST(test_filter_refuses_the_rest)
{
	static const char *const bad[] = {
		"", "userName", "userName eq", "userName eq ada",
		"userName eq \"a\" and active eq true",
		"userName eq \"a\" or userName eq \"b\"",
		"userName pr", "userName co \"a\"", "userName ne \"a\"",
		"userName sw \"a\"", "(userName eq \"a\")",
		"not (userName eq \"a\")", "active eq true", "count eq 3",
		"userName eq null", "userName eq \"a", "userName eq \"a\"\"",
		"userName eq\"a\"", "userNameeq \"a\"", "1userName eq \"a\"",
		"user.name.x eq \"a\"", "emails[type eq \"work\"] eq \"a\"",
		"userName eq \"a\" x", "user name eq \"a\"",
		"userName eq \"\\x\"",
	};
	struct scim_filter	 f;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(scim_filter_parse(bad[i], &f) == -1,
		    "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_filter_value_and_name_limits)
{
	char			 s[SCIM_VALUE_MAX + 64], name[SCIM_NAME_MAX + 8];
	struct scim_filter	 f;

	memset(s, 0, sizeof(s));
	strcpy(s, "userName eq \"");
	memset(s + strlen(s), 'a', SCIM_VALUE_MAX);
	strcat(s, "\"");
	ck_assert_int_eq(scim_filter_parse(s, &f), -1);
	memset(name, 'a', SCIM_NAME_MAX);
	name[SCIM_NAME_MAX] = '\0';
	strcpy(s, name);
	strcat(s, " eq \"x\"");
	ck_assert_int_eq(scim_filter_parse(s, &f), -1);
}
END_TEST

START_TEST(test_path_forms)
{
	struct scim_path	 p;

	ck_assert_int_eq(scim_path_parse("active", &p), 0);
	ck_assert_str_eq(p.attr, "active");
	ck_assert_str_eq(p.urn, "");
	ck_assert(!p.has_filter);
	ck_assert_str_eq(p.sub, "");
	ck_assert_int_eq(scim_path_parse("name.givenName", &p), 0);
	ck_assert_str_eq(p.attr, "name");
	ck_assert_str_eq(p.sub, "givenName");
	ck_assert_int_eq(scim_path_parse("emails[type eq \"work\"].value",
	    &p), 0);
	ck_assert_str_eq(p.attr, "emails");
	ck_assert(p.has_filter);
	ck_assert_str_eq(p.filter.attr, "type");
	ck_assert_str_eq(p.filter.value, "work");
	ck_assert_str_eq(p.sub, "value");
	ck_assert_int_eq(scim_path_parse("members[value eq "
	    "\"2819c223-7f76-453a-919d-413861904646\"]", &p), 0);
	ck_assert_str_eq(p.attr, "members");
	ck_assert_str_eq(p.filter.attr, "value");
	ck_assert_str_eq(p.filter.value,
	    "2819c223-7f76-453a-919d-413861904646");
	ck_assert_str_eq(p.sub, "");
	/* A bracket inside the quoted value is the value's. */
	ck_assert_int_eq(scim_path_parse("emails[value eq \"a]b\"]", &p), 0);
	ck_assert_str_eq(p.filter.value, "a]b");
	/* Schema URN prefixes. */
	ck_assert_int_eq(scim_path_parse("urn:ietf:params:scim:schemas:core:"
	    "2.0:User:userName", &p), 0);
	ck_assert_str_eq(p.urn, "urn:ietf:params:scim:schemas:core:2.0:User");
	ck_assert_str_eq(p.attr, "userName");
	ck_assert_int_eq(scim_path_parse("urn:ietf:params:scim:schemas:"
	    "extension:enterprise:2.0:User:manager.value", &p), 0);
	ck_assert_str_eq(p.urn, "urn:ietf:params:scim:schemas:extension:"
	    "enterprise:2.0:User");
	ck_assert_str_eq(p.attr, "manager");
	ck_assert_str_eq(p.sub, "value");
}
END_TEST

START_TEST(test_path_refuses_the_rest)
{
	static const char *const bad[] = {
		"", ".", "name.", "name..givenName", "name.givenName.x",
		"emails[type eq \"work\"", "emails[]", "emails[type]",
		"emails[type eq \"work\" and primary eq true]",
		"emails[type.x eq \"work\"]", "emails[type eq \"work\"]x",
		"emails[type eq \"work\"].", "emails[[type eq \"work\"]]",
		"1active", "act ive", "urn:x:", "members[value eq \"a\"][0]",
		"emails[type eq \"work\"]value",
	};
	struct scim_path	 p;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(scim_path_parse(bad[i], &p) == -1,
		    "accepted: %s", bad[i]);
}
END_TEST

Suite *
scim_filter_suite(void)
{
	Suite	*s = suite_create("scim_filter");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, test_filter_eq_forms);
	tcase_add_test(tc, test_filter_refuses_the_rest);
	tcase_add_test(tc, test_filter_value_and_name_limits);
	tcase_add_test(tc, test_path_forms);
	tcase_add_test(tc, test_path_refuses_the_rest);
	suite_add_tcase(s, tc);
	return s;
}
