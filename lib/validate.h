/*
 * Validating request objects against an allow-list of fields. Anything not
 * in the list is refused (400 unknown_field), so a client can never set a
 * field the handler did not mean to take (id, account_id, status, ...).
 * Type and range problems are 422 invalid_field; both name the field.
 */
#ifndef COCKPIT_VALIDATE_H
#define COCKPIT_VALIDATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define SLUG_MIN	2
#define SLUG_MAX	63

enum field_kind {
	FIELD_TEXT,		/* string, no control characters */
	FIELD_INTEGER,
	FIELD_BOOLEAN,
	FIELD_TEXT_LIST,	/* array of such strings, distinct, at most
				   FIELD_LIST_MAX */
	FIELD_OBJECT		/* an object; its handler checks its members */
};

#define FIELD_LIST_MAX	100

/* struct field's flags. */
#define FIELD_REQUIRED	0x01	/* must be present */
#define FIELD_NULLABLE	0x02	/* may be null (meaning: none, or clear) */

struct field {
	const char	*name;
	enum field_kind	 kind;
	int		 required;	/* FIELD_REQUIRED | FIELD_NULLABLE */
	long		 min, max;	/* text: characters; integer: value */
	int		(*check)(const char *);	/* text; NULL: none */
	const char	*expect;	/* what check wants, for messages */
};

struct field_error {
	int		 status;	/* 400 or 422 */
	const char	*code;
	char		 field[64];
	char		 message[192];
};

int	validate_object(const cJSON *, const struct field *, size_t,
	    struct field_error *);
int	utf8_valid(const char *, size_t);
size_t	utf8_chars(const char *);
int	slug_valid(const char *);
int	email_valid(const char *);
int	slug_from_name(const char *name, char *out, size_t outlen);
const char	*text_member(const cJSON *, const char *);
const char	*bool_member(const cJSON *, const char *);

#endif
