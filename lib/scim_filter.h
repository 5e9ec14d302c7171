/*
 * SCIM's filters and PATCH paths (RFC 7644 3.4.2.2 and 3.5.2), the small
 * part of them that provisioning clients (Okta, Entra, Zitadel) send:
 *
 *	filter	attr eq "value"		attr[.sub], one comparison, the
 *					value a JSON string
 *	path	[urn:...:]attr[.sub]
 *		[urn:...:]attr[sub eq "value"][.sub]
 *
 * Attribute names and "eq" are case-insensitive, as the RFC has them.
 * Everything else (and, or, not, pr, gt, co, grouping, non-string values)
 * is refused: the caller answers 400 invalidFilter or invalidPath. Pure
 * logic, no allocation: parsed into fixed buffers.
 */
#ifndef COCKPIT_SCIM_FILTER_H
#define COCKPIT_SCIM_FILTER_H

#include <stddef.h>

#define SCIM_NAME_MAX	64	/* an attribute name's bytes */
#define SCIM_VALUE_MAX	1024	/* a compared value's bytes */
#define SCIM_URN_MAX	128

/* attr[.sub] eq "value" */
struct scim_filter {
	char	 attr[SCIM_NAME_MAX];
	char	 sub[SCIM_NAME_MAX];	/* "" when none */
	char	 value[SCIM_VALUE_MAX];
};

struct scim_path {
	char			 urn[SCIM_URN_MAX]; /* schema prefix, or "" */
	char			 attr[SCIM_NAME_MAX];
	int			 has_filter;	/* attr[...] */
	struct scim_filter	 filter;	/* its attr is the sub-attribute */
	char			 sub[SCIM_NAME_MAX]; /* .sub, or "" */
};

int	scim_filter_parse(const char *, struct scim_filter *);
int	scim_path_parse(const char *, struct scim_path *);
int	scim_name_is(const char *name, const char *expected);

#endif
