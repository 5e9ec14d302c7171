/* lib/pagination: cursors, page sizes, search patterns. */
#include <string.h>

#include "pagination.h"
#include "suites.h"

#define TS	"2026-11-23T10:00:00.123456Z"
#define ID	"68b7c7c5-7f3f-4745-82ee-9c698a5b8886"

START_TEST(test_cursor_round_trip)
{
	char		 c[CURSOR_MAX + 1];
	struct page	 p;

	ck_assert_int_eq(cursor_encode(TS, ID, c, sizeof(c)), 0);
	ck_assert_uint_eq(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno"
	    "pqrstuvwxyz0123456789-_"), strlen(c));
	ck_assert_int_eq(cursor_decode(c, &p), 0);
	ck_assert_str_eq(p.after_ts, TS);
	ck_assert_str_eq(p.after_id, ID);
}
END_TEST

START_TEST(test_cursor_refuses_garbage)
{
	char		 c[CURSOR_MAX + 1];
	struct page	 p;

	ck_assert_int_eq(cursor_decode("", &p), -1);
	ck_assert_int_eq(cursor_decode("abc", &p), -1);
	ck_assert_int_eq(cursor_decode("!!!!", &p), -1);
	ck_assert_int_eq(cursor_encode(TS, ID, c, sizeof(c)), 0);
	c[strlen(c) - 1] = '\0';
	ck_assert_int_eq(cursor_decode(c, &p), -1);
	/* A well-formed base64url of the wrong content. */
	ck_assert_int_eq(cursor_encode("2026-11-23T10:00:00.123456X", ID, c,
	    sizeof(c)), 0);
	ck_assert_int_eq(cursor_decode(c, &p), -1);
	ck_assert_int_eq(cursor_encode(TS, "68b7c7c5-7f3f-4745-82ee-9c698a5b888z",
	    c, sizeof(c)), 0);
	ck_assert_int_eq(cursor_decode(c, &p), -1);
}
END_TEST

START_TEST(test_page_limits)
{
	struct page	 p;
	const char	*bad = NULL;

	ck_assert_int_eq(page_parse(NULL, NULL, &p, &bad), 0);
	ck_assert_int_eq(p.limit, PAGE_DEFAULT);
	ck_assert_int_eq(p.has_cursor, 0);
	ck_assert_int_eq(page_parse("200", NULL, &p, &bad), 0);
	ck_assert_int_eq(p.limit, 200);
	ck_assert_int_eq(page_parse("1", NULL, &p, &bad), 0);
	ck_assert_int_eq(p.limit, 1);
	ck_assert_int_eq(page_parse("0", NULL, &p, &bad), -1);
	ck_assert_str_eq(bad, "limit");
	ck_assert_int_eq(page_parse("201", NULL, &p, &bad), -1);
	ck_assert_int_eq(page_parse("-1", NULL, &p, &bad), -1);
	ck_assert_int_eq(page_parse("10x", NULL, &p, &bad), -1);
	ck_assert_int_eq(page_parse("", NULL, &p, &bad), -1);
	ck_assert_int_eq(page_parse("0010", NULL, &p, &bad), -1);
	ck_assert_int_eq(page_parse("5", "nope", &p, &bad), -1);
	ck_assert_str_eq(bad, "cursor");
}
END_TEST

START_TEST(test_like_contains_escapes)
{
	struct buf	 b = { 0 };

	ck_assert_int_eq(like_contains("100%_a\\b", &b), 0);
	ck_assert_str_eq(b.data, "%100\\%\\_a\\\\b%");
	buf_free(&b);
}
END_TEST

START_TEST(test_page_after_first_and_next)
{
	struct page	 p;
	const char	*bad, *key, *id;
	char		 cursor[KEY_CURSOR_MAX + 1];

	ck_assert_int_eq(page_parse(NULL, NULL, &p, &bad), 0);
	page_after(&p, &key, &id);
	ck_assert_str_eq(key, "-infinity");
	ck_assert_str_eq(id, PAGE_NIL_UUID);
	ck_assert_int_eq(page_parse_keyed(NULL, NULL, &p, &bad), 0);
	page_after(&p, &key, &id);
	ck_assert_str_eq(key, "");
	ck_assert_str_eq(id, PAGE_NIL_UUID);
	ck_assert_int_eq(key_cursor_encode("ada lovelace",
	    "5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c", cursor, sizeof(cursor)), 0);
	ck_assert_int_eq(page_parse_keyed(NULL, cursor, &p, &bad), 0);
	page_after(&p, &key, &id);
	ck_assert_str_eq(key, "ada lovelace");
	ck_assert_str_eq(id, "5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c");
	ck_assert_int_eq(cursor_encode("2026-11-23T10:00:00.123456Z",
	    "5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c", cursor, sizeof(cursor)), 0);
	ck_assert_int_eq(page_parse(NULL, cursor, &p, &bad), 0);
	page_after(&p, &key, &id);
	ck_assert_str_eq(key, "2026-11-23T10:00:00.123456Z");
}
END_TEST

START_TEST(test_page_before_first_and_next)
{
	struct page	 p;
	const char	*bad, *ts, *id;
	char		 cursor[CURSOR_MAX + 1];

	ck_assert_int_eq(page_parse(NULL, NULL, &p, &bad), 0);
	page_before(&p, &ts, &id);
	ck_assert_str_eq(ts, "infinity");
	ck_assert_str_eq(id, PAGE_MAX_UUID);
	ck_assert_int_eq(cursor_encode("2026-11-23T10:00:00.123456Z",
	    "5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c", cursor, sizeof(cursor)), 0);
	ck_assert_int_eq(page_parse(NULL, cursor, &p, &bad), 0);
	page_before(&p, &ts, &id);
	ck_assert_str_eq(ts, "2026-11-23T10:00:00.123456Z");
	ck_assert_str_eq(id, "5d1f3a2b-8c4e-4f6a-9b0c-1d2e3f4a5b6c");
}
END_TEST

START_TEST(test_timestamp_shape)
{
	ck_assert(timestamp_valid(TS));
	ck_assert(!timestamp_valid("2026-11-23T10:00:00Z"));
	ck_assert(!timestamp_valid("2026-11-23 10:00:00.123456Z"));
	ck_assert(!timestamp_valid("2026-11-23T10:00:00.123456+"));
}
END_TEST

START_TEST(test_serial_cursor_round_trips)
{
	char		 c[CURSOR_MAX + 1];
	long long	 id;

	ck_assert_int_eq(serial_cursor_encode("9223372036854775807", c,
	    sizeof(c)), 0);
	ck_assert_int_eq(serial_cursor_decode(c, &id), 0);
	ck_assert(id == 9223372036854775807LL);
	ck_assert_int_eq(serial_cursor_encode("42", c, sizeof(c)), 0);
	ck_assert_int_eq(serial_cursor_decode(c, &id), 0);
	ck_assert(id == 42);
	ck_assert_int_eq(serial_cursor_encode("", c, sizeof(c)), -1);
	ck_assert_int_eq(serial_cursor_encode("-1", c, sizeof(c)), -1);
	ck_assert_int_eq(serial_cursor_encode("12a", c, sizeof(c)), -1);
	/* Not ours: junk, a time cursor, zero, past the range. */
	ck_assert_int_eq(serial_cursor_decode("bjEy", &id), -1);	/* n12 */
	ck_assert_int_eq(serial_cursor_decode("@@", &id), -1);
	ck_assert_int_eq(serial_cursor_decode("bnww", &id), -1);	/* n|0 */
	ck_assert_int_eq(serial_cursor_decode(
	    "bnw5OTk5OTk5OTk5OTk5OTk5OTk5OQ", &id), -1);	/* 20 nines */
}
END_TEST

/* Key cursors carry any name, and only key-sorted lists take them. */
START_TEST(test_key_cursor_round_trips)
{
	static const char	 id[] = "68b7c7c5-7f3f-4745-82ee-9c698a5b8886";
	char			 c[KEY_CURSOR_MAX + 1], ts[CURSOR_MAX + 1],
				 key[PAGE_KEY_MAX + 2];
	struct page		 p;
	const char		*bad;

	ck_assert_int_eq(key_cursor_encode("zoë | ops team", id, c,
	    sizeof(c)), 0);
	ck_assert_int_eq(page_parse_keyed("10", c, &p, &bad), 0);
	ck_assert(p.has_cursor && p.keyed);
	ck_assert_str_eq(p.after_key, "zoë | ops team");
	ck_assert_str_eq(p.after_id, id);
	/* A creation cursor is not a key cursor, and the other way round. */
	ck_assert_int_eq(page_parse(NULL, c, &p, &bad), -1);
	ck_assert_str_eq(bad, "cursor");
	ck_assert_int_eq(cursor_encode("2026-11-23T10:00:00.123456Z", id, ts,
	    sizeof(ts)), 0);
	ck_assert_int_eq(page_parse_keyed(NULL, ts, &p, &bad), -1);
	/* The longest key fits; one byte more does not. */
	memset(key, 'a', PAGE_KEY_MAX);
	key[PAGE_KEY_MAX] = '\0';
	ck_assert_int_eq(key_cursor_encode(key, id, c, sizeof(c)), 0);
	ck_assert_int_eq(page_parse_keyed(NULL, c, &p, &bad), 0);
	ck_assert_uint_eq(strlen(p.after_key), PAGE_KEY_MAX);
	key[PAGE_KEY_MAX] = 'a';
	key[PAGE_KEY_MAX + 1] = '\0';
	ck_assert_int_eq(key_cursor_encode(key, id, c, sizeof(c)), -1);
	ck_assert_int_eq(key_cursor_encode("x", "not-an-id", c, sizeof(c)), -1);
	ck_assert_int_eq(page_parse_keyed(NULL, "@@", &p, &bad), -1);
}
END_TEST

Suite *
pagination_suite(void)
{
	Suite	*s = suite_create("pagination");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_serial_cursor_round_trips);
	tcase_add_test(tc, test_key_cursor_round_trips);
	tcase_add_test(tc, test_cursor_round_trip);
	tcase_add_test(tc, test_cursor_refuses_garbage);
	tcase_add_test(tc, test_page_limits);
	tcase_add_test(tc, test_like_contains_escapes);
	tcase_add_test(tc, test_timestamp_shape);
	tcase_add_test(tc, test_page_after_first_and_next);
	tcase_add_test(tc, test_page_before_first_and_next);
	suite_add_tcase(s, tc);
	return s;
}
