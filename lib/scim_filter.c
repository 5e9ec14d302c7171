/* SCIM filters and PATCH paths, the strict subset clients send. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "scim_filter.h"

#define FILTER_TEXT_MAX	(2 * SCIM_NAME_MAX + SCIM_VALUE_MAX + 16)

static const char *
skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/*
 * ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), or "$ref": copied into
 * out. Returns where it ends, or NULL.
 */
static const char *
name_parse(const char *s, char *out)
{
	size_t	 n = 0;

	if (strncmp(s, "$ref", 4) == 0)
		n = 4;
	else if (isalpha((unsigned char)*s))
		while (isalnum((unsigned char)s[n]) || s[n] == '-' ||
		    s[n] == '_')
			n++;
	if (n == 0 || n >= SCIM_NAME_MAX)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	return s + n;
}

/* attr[.sub]: returns where it ends, or NULL. */
static const char *
attr_path_parse(const char *s, char *attr, char *sub)
{
	if ((s = name_parse(s, attr)) == NULL)
		return NULL;
	sub[0] = '\0';
	if (*s == '.' && (s = name_parse(s + 1, sub)) == NULL)
		return NULL;
	return s;
}

/* A JSON string token at s into out; returns its end, or NULL. */
static const char *
string_parse(const char *s, char *out, size_t outlen)
{
	const char	*e = s + 1;
	cJSON		*v;
	int		 ok;

	if (*s != '"')
		return NULL;
	while (*e != '\0' && *e != '"')
		e += *e == '\\' && e[1] != '\0' ? 2 : 1;
	if (*e != '"')
		return NULL;
	e++;
	if ((v = cJSON_ParseWithLength(s, (size_t)(e - s))) == NULL)
		return NULL;
	ok = cJSON_IsString(v) && strlen(v->valuestring) < outlen;
	if (ok)
		memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
	cJSON_Delete(v);
	return ok ? e : NULL;
}

/*
 * attr[.sub] eq "value", with spaces around the operator and nothing
 * else. 0, or -1 when it is anything else.
 */
int
scim_filter_parse(const char *s, struct scim_filter *f)
{
	memset(f, 0, sizeof(*f));
	s = skip_spaces(s);
	if ((s = attr_path_parse(s, f->attr, f->sub)) == NULL || *s != ' ')
		return -1;
	s = skip_spaces(s);
	if (strncasecmp(s, "eq", 2) != 0 || s[2] != ' ')
		return -1;
	s = skip_spaces(s + 2);
	if ((s = string_parse(s, f->value, sizeof(f->value))) == NULL)
		return -1;
	return *skip_spaces(s) == '\0' ? 0 : -1;
}

/* The end of the bracket that opens at s, past quoted text; or NULL. */
static const char *
bracket_end(const char *s)
{
	int	 quoted = 0;

	for (s++; *s != '\0'; s++) {
		if (quoted && *s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == ']')
			return s;
		else if (!quoted && *s == '[')
			return NULL;
	}
	return NULL;
}

/* A schema URN prefix ("urn:...:" before the attribute): its length. */
static size_t
urn_prefix(const char *s)
{
	size_t	 end = strcspn(s, "["), i, last = 0;

	if (strncasecmp(s, "urn:", 4) != 0)
		return 0;
	for (i = 0; i < end; i++)
		if (s[i] == ':')
			last = i + 1;
	return last;
}

/*
 * [urn:...:]attr[.sub] or [urn:...:]attr[filter][.sub]. 0, or -1 when
 * the path is anything else.
 */
int
scim_path_parse(const char *s, struct scim_path *p)
{
	char		 text[FILTER_TEXT_MAX];
	const char	*end;
	size_t		 u;

	memset(p, 0, sizeof(*p));
	if ((u = urn_prefix(s)) > 0) {
		if (u - 1 >= sizeof(p->urn))
			return -1;
		memcpy(p->urn, s, u - 1);
		p->urn[u - 1] = '\0';
		s += u;
	}
	if ((s = name_parse(s, p->attr)) == NULL)
		return -1;
	if (*s == '[') {
		if ((end = bracket_end(s)) == NULL ||
		    (size_t)(end - s) >= sizeof(text))
			return -1;
		memcpy(text, s + 1, (size_t)(end - s - 1));
		text[end - s - 1] = '\0';
		if (scim_filter_parse(text, &p->filter) == -1 ||
		    p->filter.sub[0] != '\0')
			return -1;
		p->has_filter = 1;
		s = end + 1;
	}
	if (*s == '.' && (s = name_parse(s + 1, p->sub)) == NULL)
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* Whether an attribute name is the expected one (case-insensitive). */
int
scim_name_is(const char *name, const char *expected)
{
	return strcasecmp(name, expected) == 0;
}
