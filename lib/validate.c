/* Field allow-lists, text rules and slugs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* RFC 3629: shortest forms only, no surrogates, nothing past U+10FFFF. */
int
utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned long		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Characters (code points) in a valid UTF-8 string. */
size_t
utf8_chars(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static int
text_clean(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	/* C0, DEL, and C1 (U+0080..U+009F, encoded 0xc2 0x80..0x9f). */
	for (; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 0;
	return 1;
}

/* A slug: 2 to 63 of [a-z0-9] in runs joined by single hyphens. */
int
slug_valid(const char *s)
{
	size_t	 len = strlen(s), i;

	if (len < SLUG_MIN || len > SLUG_MAX || s[0] == '-' ||
	    s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '-' && s[i + 1] == '-')
			return 0;
		if (s[i] != '-' && !(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	}
	return 1;
}

/*
 * An email address as people are named by it: one "@" with 1 to 64 bytes
 * before it, and a domain of dot-separated labels of letters, digits and
 * hyphens after it, 320 bytes in all; no spaces, quotes or control
 * characters. Deliberately narrower than RFC 5322: an address the
 * identity provider would store.
 */
int
email_valid(const char *s)
{
	const char	*at = strchr(s, '@'), *p;
	size_t		 label = 0;

	if (at == NULL || at == s || at - s > 64 || strlen(s) > 320 ||
	    strchr(at + 1, '@') != NULL || at[1] == '\0')
		return 0;
	for (p = s; p < at; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '(' ||
		    *p == ')' || *p == ',' || *p == ':' || *p == ';' ||
		    *p == '<' || *p == '>' || *p == '[' || *p == ']' ||
		    *p == '\\' || (unsigned char)*p >= 0x7f)
			return 0;
	for (p = at + 1; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p == '-' && label > 0))
			label++;
		else
			return 0;
		if (label > 63)
			return 0;
	}
	return label > 0 && p[-1] != '-' && strchr(at + 1, '.') != NULL;
}

/*
 * Derives a slug from a display name: ASCII letters lowercased, every other
 * run of characters one hyphen, hyphens trimmed, cut to SLUG_MAX. Returns 0,
 * or -1 when fewer than SLUG_MIN characters remain.
 */
int
slug_from_name(const char *name, char *out, size_t outlen)
{
	size_t	 n = 0, max = outlen - 1 < SLUG_MAX ? outlen - 1 : SLUG_MAX;
	char	 c;

	for (; *name != '\0' && n < max; name++) {
		c = *name;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[n++] = c;
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	return n >= SLUG_MIN ? 0 : -1;
}

static int
fail(struct field_error *e, int status, const char *code, const char *field,
    const char *message)
{
	e->status = status;
	e->code = code;
	snprintf(e->field, sizeof(e->field), "%s", field);
	snprintf(e->message, sizeof(e->message), "%s", message);
	return -1;
}

static int
check_text(const cJSON *v, const struct field *f, struct field_error *e)
{
	char	 msg[192];
	size_t	 n;

	if (!cJSON_IsString(v))
		return fail(e, 422, "invalid_field", f->name, "must be a string");
	if (!text_clean(v->valuestring))
		return fail(e, 422, "invalid_field", f->name,
		    "must not contain control characters");
	n = utf8_chars(v->valuestring);
	if ((long)n < f->min || (long)n > f->max) {
		snprintf(msg, sizeof(msg), "must be %ld to %ld characters long",
		    f->min, f->max);
		return fail(e, 422, "invalid_field", f->name, msg);
	}
	if (f->check != NULL && !f->check(v->valuestring)) {
		snprintf(msg, sizeof(msg), "must be %s", f->expect);
		return fail(e, 422, "invalid_field", f->name, msg);
	}
	return 0;
}

static int
check_integer(const cJSON *v, const struct field *f, struct field_error *e)
{
	char	 msg[192];
	double	 d;

	if (!cJSON_IsNumber(v) || !isfinite(d = v->valuedouble) ||
	    d != floor(d))
		return fail(e, 422, "invalid_field", f->name,
		    "must be a whole number");
	if (d < (double)f->min || d > (double)f->max) {
		snprintf(msg, sizeof(msg), "must be from %ld to %ld", f->min,
		    f->max);
		return fail(e, 422, "invalid_field", f->name, msg);
	}
	return 0;
}

/* An array of distinct strings, each as a FIELD_TEXT would be. */
static int
check_text_list(const cJSON *v, const struct field *f, struct field_error *e)
{
	const cJSON	*item, *prev;
	char		 msg[192];
	int		 n = 0;

	if (!cJSON_IsArray(v))
		return fail(e, 422, "invalid_field", f->name,
		    "must be an array of strings");
	cJSON_ArrayForEach(item, v) {
		if (++n > FIELD_LIST_MAX) {
			snprintf(msg, sizeof(msg), "must have at most %d items",
			    FIELD_LIST_MAX);
			return fail(e, 422, "invalid_field", f->name, msg);
		}
		if (check_text(item, f, e) == -1)
			return -1;
		for (prev = v->child; prev != item; prev = prev->next)
			if (strcmp(prev->valuestring, item->valuestring) == 0)
				return fail(e, 422, "invalid_field", f->name,
				    "must not repeat an item");
	}
	return 0;
}

static int
check_field(const cJSON *v, const struct field *f, struct field_error *e)
{
	switch (f->kind) {
	case FIELD_TEXT:
		return check_text(v, f, e);
	case FIELD_TEXT_LIST:
		return check_text_list(v, f, e);
	case FIELD_INTEGER:
		return check_integer(v, f, e);
	case FIELD_BOOLEAN:
		if (!cJSON_IsBool(v))
			return fail(e, 422, "invalid_field", f->name,
			    "must be true or false");
		return 0;
	case FIELD_OBJECT:
		if (!cJSON_IsObject(v))
			return fail(e, 422, "invalid_field", f->name,
			    "must be an object");
		return 0;
	}
	return fail(e, 422, "invalid_field", f->name, "unsupported field");
}

static const struct field *
field_find(const struct field *fields, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

/*
 * Checks obj against the allow-list: unknown members first (400), then
 * each member's type and range (null passes where FIELD_NULLABLE), then
 * the required ones (422).
 */
int
validate_object(const cJSON *obj, const struct field *fields, size_t n,
    struct field_error *e)
{
	const cJSON		*m;
	const struct field	*f;
	size_t			 i;

	for (m = obj->child; m != NULL; m = m->next)
		if (field_find(fields, n, m->string) == NULL)
			return fail(e, 400, "unknown_field", m->string,
			    "is not a field of this resource");
	for (m = obj->child; m != NULL; m = m->next) {
		f = field_find(fields, n, m->string);
		if (cJSON_IsNull(m) && (f->required & FIELD_NULLABLE))
			continue;
		if (check_field(m, f, e) == -1)
			return -1;
	}
	for (i = 0; i < n; i++)
		if ((fields[i].required & FIELD_REQUIRED) &&
		    cJSON_GetObjectItemCaseSensitive(obj, fields[i].name) ==
		    NULL)
			return fail(e, 422, "invalid_field", fields[i].name,
			    "is required");
	return 0;
}

/* The string member name of a (validated) body, or NULL. */
const char *
text_member(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The boolean member name of a body as a parameter ("t", "f"), or NULL. */
const char *
bool_member(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "t" : "f") : NULL;
}
