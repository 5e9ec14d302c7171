/*
 * Strict JSON for request bodies: valid UTF-8, one value and nothing after
 * it, an object at the top, no duplicate member names at any depth, and no
 * string holding a raw control character or \u0000 (a C string cannot carry
 * it, and silently truncating would change what the client sent).
 */
#ifndef COCKPIT_JSON_H
#define COCKPIT_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum json_result {
	JSON_OK,
	JSON_INVALID,		/* message in err */
	JSON_NOMEM
};

enum json_result	json_parse_object(const char *, size_t, cJSON **,
			    char *err, size_t errlen);

#endif
