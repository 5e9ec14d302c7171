/*
 * Discovery (RFC 7644 4, RFC 7643 5-7): what this service supports, the
 * User and Group schemas with the attributes it keeps, and the two
 * resource types. Fixed text but for the locations.
 */
#include <string.h>
#include <strings.h>

#include "scim.h"

#define SCHEMA_URN	"urn:ietf:params:scim:schemas:core:2.0:Schema"
#define RTYPE_URN	"urn:ietf:params:scim:schemas:core:2.0:ResourceType"
#define SPC_URN \
	"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"

/* One attribute's definition (RFC 7643 7); sub: ",\"subAttributes\":[...]". */
#define ATTR(name, type, multi, req, exact, mut, ret, uniq, desc, sub) \
	"{\"name\":\"" name "\",\"type\":\"" type "\",\"multiValued\":" multi \
	",\"description\":\"" desc "\",\"required\":" req ",\"caseExact\":" \
	exact ",\"mutability\":\"" mut "\",\"returned\":\"" ret "\"," \
	"\"uniqueness\":\"" uniq "\"" sub "}"

#define TEXT(name, req, exact, mut, uniq, desc) \
	ATTR(name, "string", "false", req, exact, mut, "default", uniq, desc, "")

#define REF_SUBS(what) \
	",\"subAttributes\":[" \
	TEXT("value", "true", "false", "immutable", "none", "The " what \
	    "'s id.") "," \
	TEXT("display", "false", "false", "readOnly", "none", "The " what \
	    "'s name.") "," \
	ATTR("$ref", "reference", "false", "false", "false", "immutable", \
	    "default", "none", "The " what "'s URI.", \
	    ",\"referenceTypes\":[\"" what "\"]") "," \
	TEXT("type", "false", "false", "immutable", "none", "Its kind.") "]"

static const char user_attrs[] = "["
    TEXT("userName", "true", "false", "readWrite", "server",
	"The user's email address, unique in the account.") ","
    ATTR("name", "complex", "false", "false", "false", "readWrite", "default",
	"none", "The user's name.", ",\"subAttributes\":["
	TEXT("givenName", "false", "false", "readWrite", "none",
	    "The given name.") ","
	TEXT("familyName", "false", "false", "readWrite", "none",
	    "The family name.") ","
	TEXT("formatted", "false", "false", "readOnly", "none",
	    "Given and family name.") "]") ","
    TEXT("displayName", "false", "false", "readWrite", "none",
	"The name shown for the user.") ","
    ATTR("active", "boolean", "false", "false", "false", "readWrite",
	"default", "none", "false: deactivated, out of every team.", "") ","
    ATTR("emails", "complex", "true", "false", "false", "readOnly", "default",
	"none", "The userName, as the one work email; emails sent are not "
	"kept.", "") ","
    ATTR("groups", "complex", "true", "false", "false", "readOnly", "default",
	"none", "The groups (teams) the user is a member of.", REF_SUBS("Group"))
    "]";

static const char group_attrs[] = "["
    TEXT("displayName", "true", "false", "readWrite", "server",
	"The team's name, unique in the organisation.") ","
    ATTR("members", "complex", "true", "false", "false", "readWrite",
	"default", "none", "The team's members, users of the directory.",
	REF_SUBS("User"))
    "]";

static const struct {
	const char	*urn;
	const char	*name;
	const char	*description;
	const char	*attributes;
} schemas[] = {
	{ SCIM_USER_URN, "User", "A user of the account's Copilot "
	    "directory", user_attrs },
	{ SCIM_GROUP_URN, "Group", "A team of the account's global Copilot "
	    "organisation", group_attrs },
};

#define NSCHEMAS	(sizeof(schemas) / sizeof(schemas[0]))

static const char *const no_params[] = { NULL };

static void
answer(struct req *r, int rc)
{
	if (rc == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
}

/* GET /scim/v2/ServiceProviderConfig: 200. */
void
service_provider_config(struct req *r)
{
	char	 base[SCIM_BASE_MAX];

	if (req_query_allow(r, no_params) == -1)
		return;
	scim_base(r, base, sizeof(base));
	answer(r, buf_printf(&r->out, "{\"schemas\":[\"" SPC_URN "\"],"
	    "\"patch\":{\"supported\":true},"
	    "\"bulk\":{\"supported\":false,\"maxOperations\":0,"
	    "\"maxPayloadSize\":0},"
	    "\"filter\":{\"supported\":true,\"maxResults\":%d},"
	    "\"changePassword\":{\"supported\":false},"
	    "\"sort\":{\"supported\":false},"
	    "\"etag\":{\"supported\":false},"
	    "\"authenticationSchemes\":[{\"type\":\"oauthbearertoken\","
	    "\"name\":\"OAuth Bearer Token\",\"description\":\"A SCIM-scoped "
	    "API key of the account (scope scim), sent as Authorization: "
	    "Bearer ck_...\",\"primary\":true}],"
	    "\"meta\":{\"resourceType\":\"ServiceProviderConfig\","
	    "\"location\":\"%s/ServiceProviderConfig\"}}", SCIM_COUNT_MAX,
	    base));
}

static int
schema_json(struct buf *b, size_t i, const char *base)
{
	return buf_printf(b, "{\"schemas\":[\"" SCHEMA_URN "\"],\"id\":\"%s\","
	    "\"name\":\"%s\",\"description\":\"%s\",\"attributes\":%s,"
	    "\"meta\":{\"resourceType\":\"Schema\",\"location\":"
	    "\"%s/Schemas/%s\"}}", schemas[i].urn, schemas[i].name,
	    schemas[i].description, schemas[i].attributes, base,
	    schemas[i].urn);
}

static int
list_open(struct buf *b, size_t n)
{
	return buf_printf(b, "{\"schemas\":[\"" SCIM_LIST_URN "\"],"
	    "\"totalResults\":%zu,\"startIndex\":1,\"itemsPerPage\":%zu,"
	    "\"Resources\":[", n, n);
}

/* GET /scim/v2/Schemas: 200 ListResponse of the User and Group schemas. */
void
schema_list(struct req *r)
{
	char	 base[SCIM_BASE_MAX];
	size_t	 i;
	int	 rc;

	if (req_query_allow(r, no_params) == -1)
		return;
	scim_base(r, base, sizeof(base));
	rc = list_open(&r->out, NSCHEMAS);
	for (i = 0; rc == 0 && i < NSCHEMAS; i++)
		rc = (i > 0 ? buf_puts(&r->out, ",") : 0) == -1 ? -1 :
		    schema_json(&r->out, i, base);
	answer(r, rc == 0 ? buf_puts(&r->out, "]}") : -1);
}

/* GET /scim/v2/Schemas/{schema}: 200 the schema (by its URN); 404. */
void
schema_get(struct req *r)
{
	char	 base[SCIM_BASE_MAX];
	size_t	 i;

	if (req_query_allow(r, no_params) == -1)
		return;
	scim_base(r, base, sizeof(base));
	for (i = 0; i < NSCHEMAS; i++)
		if (strcasecmp(req_param(r, 0), schemas[i].urn) == 0) {
			answer(r, schema_json(&r->out, i, base));
			return;
		}
	resp_error(r, 404, "not_found", NULL, "no such schema");
}

static int
resource_type_json(struct buf *b, size_t i, const char *base)
{
	return buf_printf(b, "{\"schemas\":[\"" RTYPE_URN "\"],\"id\":\"%s\","
	    "\"name\":\"%s\",\"endpoint\":\"/%ss\",\"description\":\"%s\","
	    "\"schema\":\"%s\",\"schemaExtensions\":[],"
	    "\"meta\":{\"resourceType\":\"ResourceType\",\"location\":"
	    "\"%s/ResourceTypes/%s\"}}", schemas[i].name, schemas[i].name,
	    schemas[i].name, schemas[i].description, schemas[i].urn, base,
	    schemas[i].name);
}

/* GET /scim/v2/ResourceTypes: 200 ListResponse of User and Group. */
void
resource_type_list(struct req *r)
{
	char	 base[SCIM_BASE_MAX];
	size_t	 i;
	int	 rc;

	if (req_query_allow(r, no_params) == -1)
		return;
	scim_base(r, base, sizeof(base));
	rc = list_open(&r->out, NSCHEMAS);
	for (i = 0; rc == 0 && i < NSCHEMAS; i++)
		rc = (i > 0 ? buf_puts(&r->out, ",") : 0) == -1 ? -1 :
		    resource_type_json(&r->out, i, base);
	answer(r, rc == 0 ? buf_puts(&r->out, "]}") : -1);
}

/* GET /scim/v2/ResourceTypes/{type}: 200 User or Group; 404. */
void
resource_type_get(struct req *r)
{
	char	 base[SCIM_BASE_MAX];
	size_t	 i;

	if (req_query_allow(r, no_params) == -1)
		return;
	scim_base(r, base, sizeof(base));
	for (i = 0; i < NSCHEMAS; i++)
		if (strcmp(req_param(r, 0), schemas[i].name) == 0) {
			answer(r, resource_type_json(&r->out, i, base));
			return;
		}
	resp_error(r, 404, "not_found", NULL, "no such resource type");
}
