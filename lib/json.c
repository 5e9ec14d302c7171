/* Parsing request bodies strictly, with cJSON doing the grammar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "validate.h"

#define SORT_THRESHOLD	16

static int
hex4_is_zero(const char *s, size_t left)
{
	return left >= 5 && s[0] == 'u' && memcmp(s + 1, "0000", 4) == 0;
}

/*
 * One pass over the raw text: inside strings, refuse raw control
 * characters and the \u0000 escape. Returns the offset of the first
 * offence, or -1 when there is none.
 */
static long
scan_strings(const char *s, size_t len)
{
	size_t	 i;
	int	 in = 0;

	for (i = 0; i < len; i++) {
		if (!in) {
			in = s[i] == '"';
			continue;
		}
		if ((unsigned char)s[i] < 0x20)
			return (long)i;
		if (s[i] == '"')
			in = 0;
		else if (s[i] == '\\' && i + 1 < len) {
			if (hex4_is_zero(s + i + 1, len - i - 1))
				return (long)i;
			i++;
		}
	}
	return -1;
}

static int
name_cmp(const void *a, const void *b)
{
	const cJSON *const	*x = a, *const *y = b;

	return strcmp((*x)->string, (*y)->string);
}

/* The first name used twice among obj's members, or NULL. */
static const char *
duplicate_member(const cJSON *obj, int *nomem)
{
	const cJSON	*a, *b, **v;
	const char	*dup = NULL;
	size_t		 n = 0, i;

	for (a = obj->child; a != NULL; a = a->next)
		n++;
	if (n < SORT_THRESHOLD) {
		for (a = obj->child; a != NULL; a = a->next)
			for (b = a->next; b != NULL; b = b->next)
				if (strcmp(a->string, b->string) == 0)
					return a->string;
		return NULL;
	}
	if ((v = calloc(n, sizeof(*v))) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (i = 0, a = obj->child; a != NULL; a = a->next)
		v[i++] = a;
	qsort(v, n, sizeof(*v), name_cmp);
	for (i = 1; i < n && dup == NULL; i++)
		if (strcmp(v[i - 1]->string, v[i]->string) == 0)
			dup = v[i]->string;
	free(v);
	return dup;
}

/* Depth-first search for a duplicate member name anywhere in the tree. */
static const char *
find_duplicate(const cJSON *item, int *nomem)
{
	const cJSON	*c;
	const char	*dup;

	if (cJSON_IsObject(item) &&
	    (dup = duplicate_member(item, nomem)) != NULL)
		return dup;
	for (c = item->child; c != NULL && !*nomem; c = c->next)
		if ((dup = find_duplicate(c, nomem)) != NULL)
			return dup;
	return NULL;
}

static enum json_result
parse(const char *s, size_t len, cJSON **out, char *err, size_t errlen)
{
	const char	*end = NULL;
	long		 at;

	if (!utf8_valid(s, len)) {
		snprintf(err, errlen, "request body is not valid UTF-8");
		return JSON_INVALID;
	}
	if ((at = scan_strings(s, len)) != -1) {
		snprintf(err, errlen, "control character or \\u0000 in a "
		    "string at byte %ld", at);
		return JSON_INVALID;
	}
	*out = cJSON_ParseWithLengthOpts(s, len, &end, 0);
	if (*out == NULL) {
		at = end != NULL && end >= s ? (long)(end - s) : 0;
		snprintf(err, errlen, "malformed JSON at byte %ld", at);
		return JSON_INVALID;
	}
	while (end < s + len && (*end == ' ' || *end == '\t' ||
	    *end == '\n' || *end == '\r'))
		end++;
	if (end != s + len) {
		snprintf(err, errlen, "unexpected data after the JSON value at "
		    "byte %ld", (long)(end - s));
		cJSON_Delete(*out);
		*out = NULL;
		return JSON_INVALID;
	}
	return JSON_OK;
}

/* Parses a request body that must be one JSON object. */
enum json_result
json_parse_object(const char *s, size_t len, cJSON **out, char *err,
    size_t errlen)
{
	enum json_result	 rc;
	const char		*dup;
	int			 nomem = 0;

	*out = NULL;
	if (len == 0) {
		snprintf(err, errlen, "request body is empty");
		return JSON_INVALID;
	}
	if ((rc = parse(s, len, out, err, errlen)) != JSON_OK)
		return rc;
	if (!cJSON_IsObject(*out)) {
		snprintf(err, errlen, "request body must be a JSON object");
		rc = JSON_INVALID;
	} else if ((dup = find_duplicate(*out, &nomem)) != NULL) {
		snprintf(err, errlen, "member \"%.64s\" appears more than once",
		    dup);
		rc = JSON_INVALID;
	} else if (nomem)
		rc = JSON_NOMEM;
	if (rc != JSON_OK) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}
