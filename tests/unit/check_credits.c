/* lib/credits: decimal credit amounts, exactly. */
#include <stdint.h>

#include "credits.h"
#include "suites.h"

START_TEST(test_credits_parse_accepts)
{
	static const struct { const char *s; int64_t micro; } ok[] = {
		{ "0", 0 }, { "1", 1000000 }, { "1500", 1500000000 },
		{ "0.25", 250000 }, { "0.000001", 1 }, { "12.5", 12500000 },
		{ "999999999999.999999", INT64_C(999999999999999999) },
		{ "10.100000", 10100000 },
	};
	int64_t	 m;
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_msg(credits_parse(ok[i].s, &m) == 0, "%s", ok[i].s);
		ck_assert_msg(m == ok[i].micro, "%s: %lld", ok[i].s,
		    (long long)m);
	}
}
END_TEST

START_TEST(test_credits_parse_refuses)
{
	static const char *const bad[] = {
		"", "-1", "+1", "1e3", " 1", "1 ", "01", "00.5", ".5", "5.",
		"0.0000001", "1000000000000", "NaN", "inf", "0x10", "1,5",
		"1.2.3", "١",
	};
	int64_t	 m = 42;
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(credits_parse(bad[i], &m) == -1, "took \"%s\"",
		    bad[i]);
	ck_assert_int_eq(credits_parse(NULL, &m), -1);
	ck_assert(m == 42);
}
END_TEST

START_TEST(test_credits_format_is_shortest_and_round_trips)
{
	static const struct { int64_t micro; const char *s; } cases[] = {
		{ 0, "0" }, { 1, "0.000001" }, { 250000, "0.25" },
		{ 1500000000, "1500" }, { 10100000, "10.1" },
		{ -3000001, "-3.000001" },
		{ INT64_C(999999999999999999), "999999999999.999999" },
	};
	char	 out[CREDITS_STRLEN + 1], wide[32];
	int64_t	 back;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(credits_format(cases[i].micro, out,
		    sizeof(out)), 0);
		ck_assert_str_eq(out, cases[i].s);
		if (cases[i].micro >= 0) {
			ck_assert_int_eq(credits_parse(out, &back), 0);
			ck_assert(back == cases[i].micro);
		}
	}
	ck_assert_int_eq(credits_format(1500000000, out, 4), -1);
	ck_assert_int_eq(credits_format(INT64_MIN, wide, sizeof(wide)), 0);
	ck_assert_str_eq(wide, "-9223372036854.775808");
}
END_TEST

START_TEST(test_cost_valid)
{
	static const char *const good[] = {
		"0", "1", "2.5", "0.000000000001", "999999999",
		"999999999.999999999999", "10.50",
	};
	static const char *const bad[] = {
		"", "-1", "+1", ".5", "5.", "01", "1e3", "NaN", "inf", " 1",
		"1 ", "1,5", "1000000000", "0.0000000000001", "1.2.3", "0x10",
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(cost_valid(good[i]), "%s refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cost_valid(bad[i]), "%s accepted", bad[i]);
	ck_assert(!cost_valid(NULL));
}
END_TEST

Suite *
credits_suite(void)
{
	Suite	*s = suite_create("credits");
	TCase	*tc = tcase_create("decimal");

	tcase_add_test(tc, test_credits_parse_accepts);
	tcase_add_test(tc, test_credits_parse_refuses);
	tcase_add_test(tc, test_credits_format_is_shortest_and_round_trips);
	tcase_add_test(tc, test_cost_valid);
	suite_add_tcase(s, tc);
	return s;
}
