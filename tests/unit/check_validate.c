/* lib/validate: allow-lists, types, lengths, slugs, UTF-8. */
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "validate.h"

static const struct field fields[] = {
	{ "name", FIELD_TEXT, 1, 1, 5, NULL, NULL },
	{ "slug", FIELD_TEXT, 0, SLUG_MIN, SLUG_MAX, slug_valid, "a slug" },
	{ "count", FIELD_INTEGER, 0, 0, 10, NULL, NULL },
	{ "on", FIELD_BOOLEAN, 0, 0, 0, NULL, NULL },
	{ "tags", FIELD_TEXT_LIST, 0, 2, 4, slug_valid, "a slug" },
};
#define N	(sizeof(fields) / sizeof(fields[0]))

/* Validates JSON text s; returns the status (0 when valid) and the field. */
static int
check(const char *s, char *field)
{
	cJSON			*j = cJSON_Parse(s);
	struct field_error	 e;
	int			 rc;

	ck_assert_ptr_nonnull(j);
	memset(&e, 0, sizeof(e));
	rc = validate_object(j, fields, N, &e) == 0 ? 0 : e.status;
	strcpy(field, rc ? e.field : "");
	if (rc)
		ck_assert_uint_gt(strlen(e.message), 0);
	cJSON_Delete(j);
	return rc;
}

START_TEST(test_validate_text_lists)
{
	char	 f[64];
	char	 big[8192];
	int	 i, n;

	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":[]}", f), 0);
	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":[\"ab\",\"cd\"]}",
	    f), 0);
	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":\"ab\"}", f), 422);
	ck_assert_str_eq(f, "tags");
	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":[\"ab\",1]}", f),
	    422);
	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":[\"a\"]}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":[\"AB\"]}", f),
	    422);
	ck_assert_int_eq(check("{\"name\":\"a\",\"tags\":[\"ab\",\"ab\"]}",
	    f), 422);
	n = snprintf(big, sizeof(big), "{\"name\":\"a\",\"tags\":[");
	for (i = 0; i <= FIELD_LIST_MAX; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "%s\"%c%c%c\"",
		    i ? "," : "", 'a' + i % 26, 'a' + i / 26 % 26, 'a');
	(void)snprintf(big + n, sizeof(big) - (size_t)n, "]}");
	ck_assert_int_eq(check(big, f), 422);
	ck_assert_str_eq(f, "tags");
}
END_TEST

START_TEST(test_validate_accepts_good_objects)
{
	char	 f[64];

	ck_assert_int_eq(check("{\"name\":\"ab\"}", f), 0);
	ck_assert_int_eq(check("{\"name\":\"ééééé\",\"slug\":\"a-b\","
	    "\"count\":10,\"on\":false}", f), 0);
}
END_TEST

START_TEST(test_validate_unknown_field_first)
{
	char	 f[64];

	ck_assert_int_eq(check("{\"name\":1,\"id\":\"x\"}", f), 400);
	ck_assert_str_eq(f, "id");
	ck_assert_int_eq(check("{\"account_id\":\"x\"}", f), 400);
	ck_assert_str_eq(f, "account_id");
}
END_TEST

START_TEST(test_validate_types_and_ranges)
{
	char	 f[64];

	ck_assert_int_eq(check("{\"name\":1}", f), 422);
	ck_assert_str_eq(f, "name");
	ck_assert_int_eq(check("{\"name\":null}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"\"}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"abcdef\"}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"a\\u0001\"}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"ab\",\"count\":1.5}", f), 422);
	ck_assert_str_eq(f, "count");
	ck_assert_int_eq(check("{\"name\":\"ab\",\"count\":11}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"ab\",\"count\":\"1\"}", f), 422);
	ck_assert_int_eq(check("{\"name\":\"ab\",\"on\":1}", f), 422);
	ck_assert_str_eq(f, "on");
	ck_assert_int_eq(check("{\"name\":\"ab\",\"slug\":\"A\"}", f), 422);
	ck_assert_str_eq(f, "slug");
}
END_TEST

START_TEST(test_validate_required)
{
	char	 f[64];

	ck_assert_int_eq(check("{}", f), 422);
	ck_assert_str_eq(f, "name");
	ck_assert_int_eq(check("{\"count\":1}", f), 422);
	ck_assert_str_eq(f, "name");
}
END_TEST

START_TEST(test_slug_rules)
{
	ck_assert(slug_valid("ab"));
	ck_assert(slug_valid("acme-corp-2"));
	ck_assert(!slug_valid("a"));
	ck_assert(!slug_valid("-ab"));
	ck_assert(!slug_valid("ab-"));
	ck_assert(!slug_valid("a--b"));
	ck_assert(!slug_valid("Ab"));
	ck_assert(!slug_valid("a b"));
	ck_assert(slug_valid("a123456789012345678901234567890123456789012345678"
	    "90123456789012"));
	ck_assert(!slug_valid("a123456789012345678901234567890123456789012345678"
	    "901234567890123"));
}
END_TEST

START_TEST(test_slug_from_name)
{
	char	 s[SLUG_MAX + 1];
	char	 longname[300];

	ck_assert_int_eq(slug_from_name("Acme Corp!", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "acme-corp");
	ck_assert_int_eq(slug_from_name("  --Été 2026 -- ", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "t-2026");
	ck_assert_int_eq(slug_from_name("!", s, sizeof(s)), -1);
	ck_assert_int_eq(slug_from_name("x", s, sizeof(s)), -1);
	memset(longname, 'a', 62);
	strcpy(longname + 62, " bbbb");
	ck_assert_int_eq(slug_from_name(longname, s, sizeof(s)), 0);
	ck_assert_uint_eq(strlen(s), 62);
	ck_assert(slug_valid(s));
}
END_TEST

START_TEST(test_utf8)
{
	ck_assert(utf8_valid("abc é 日本 😀", strlen("abc é 日本 😀")));
	ck_assert(!utf8_valid("\xff", 1));
	ck_assert(!utf8_valid("\xe6\x97", 2));
	ck_assert(!utf8_valid("\xf4\x90\x80\x80", 4));
	ck_assert(!utf8_valid("\xe0\x80\xaf", 3));
	ck_assert_uint_eq(utf8_chars("aé日😀"), 4);
}
END_TEST

/* A nullable field takes null; any other field refuses it. */
START_TEST(test_nullable_field)
{
	static const struct field f[] = {
		{ "plan", FIELD_TEXT, FIELD_NULLABLE, 2, 63, slug_valid,
		    "a slug" },
		{ "name", FIELD_TEXT, FIELD_REQUIRED | FIELD_NULLABLE, 1, 10,
		    NULL, NULL },
		{ "size", FIELD_INTEGER, 0, 0, 10, NULL, NULL },
	};
	struct field_error	 e;
	cJSON			*o;

	ck_assert_ptr_nonnull(o = cJSON_Parse("{\"plan\":null,\"name\":null}"));
	ck_assert_int_eq(validate_object(o, f, 3, &e), 0);
	cJSON_Delete(o);
	ck_assert_ptr_nonnull(o = cJSON_Parse("{\"plan\":null}"));
	ck_assert_int_eq(validate_object(o, f, 3, &e), -1);
	ck_assert_str_eq(e.field, "name");
	cJSON_Delete(o);
	ck_assert_ptr_nonnull(o = cJSON_Parse("{\"name\":\"x\",\"size\":null}"));
	ck_assert_int_eq(validate_object(o, f, 3, &e), -1);
	ck_assert_str_eq(e.field, "size");
	ck_assert_int_eq(e.status, 422);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_email_valid)
{
	static const char *const good[] = { "a@b.co", "ada.admin+x@demo.test",
	    "O'Neil@Example.COM", "x@sub-domain.example.org" };
	static const char *const bad[] = { "", "@b.co", "a@", "a@b", "a@@b.co",
	    "a b@c.co", "a@b..co", "a@-b.co", "a@b-.co", "a@.b.co", "a@b.co.",
	    "a@b_c.co", "<a>@b.co", "a\"@b.co", "a@b.co@c.co",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.co" };
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(email_valid(good[i]), "refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!email_valid(bad[i]), "took %s", bad[i]);
}
END_TEST

Suite *
validate_suite(void)
{
	Suite	*s = suite_create("validate");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_validate_accepts_good_objects);
	tcase_add_test(tc, test_validate_text_lists);
	tcase_add_test(tc, test_validate_unknown_field_first);
	tcase_add_test(tc, test_validate_types_and_ranges);
	tcase_add_test(tc, test_validate_required);
	tcase_add_test(tc, test_email_valid);
	tcase_add_test(tc, test_nullable_field);
	tcase_add_test(tc, test_slug_rules);
	tcase_add_test(tc, test_slug_from_name);
	tcase_add_test(tc, test_utf8);
	suite_add_tcase(s, tc);
	return s;
}
