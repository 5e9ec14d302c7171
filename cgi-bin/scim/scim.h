/*
 * scim.fcgi: SCIM 2.0 provisioning (RFC 7643, RFC 7644) of an account's
 * Copilot directory, for Zitadel, Okta and Entra, with a SCIM-scoped API
 * key. Users are the account's users enrolled in the copilot domain
 * (users.c); Groups are the teams of the account's global Copilot
 * organisation (groups.c); discovery.c answers what is supported;
 * filter.c reads list queries, patch.c PatchOp bodies; their SQL is in
 * statements.c, the route table in ../scim.c. Errors take SCIM's shape
 * from libcockpit (req.scim): a handler passes the scimType as the code.
 */
#ifndef SCIM_H
#define SCIM_H

#include "app.h"
#include "scim_filter.h"

#define SCIM_USER_URN	"urn:ietf:params:scim:schemas:core:2.0:User"
#define SCIM_GROUP_URN	"urn:ietf:params:scim:schemas:core:2.0:Group"
#define SCIM_ENTERPRISE_URN \
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SCIM_LIST_URN	"urn:ietf:params:scim:api:messages:2.0:ListResponse"
#define SCIM_PATCH_URN	"urn:ietf:params:scim:api:messages:2.0:PatchOp"

#define SCIM_COUNT_DEFAULT	100
#define SCIM_COUNT_MAX		200
#define SCIM_PATCH_OPS_MAX	1000
#define SCIM_BASE_MAX		300

/* Text limits in characters, as the schema checks them (0005). */
#define SCIM_EMAIL_MAX		320
#define SCIM_NAME_CHARS		200
#define SCIM_EXTERNAL_MAX	255

/* Bytes for such text: up to 4 per character, and the NUL. */
#define SCIM_TEXT_BYTES(chars)	(4 * (chars) + 1)

enum scim_stmt {
	ST_USER_LIST,
	ST_USER_GET,
	ST_USER_LOCK,
	ST_USER_FIND,
	ST_USER_CREATE,
	ST_USER_WRITE,
	ST_MEMBER_UNKNOWN,
	ST_GROUP_LIST,
	ST_GROUP_GET,
	ST_GROUP_LOCK,
	ST_GROUP_CREATE,
	ST_GROUP_UPDATE,
	ST_GROUP_DELETE,
	ST__MAX
};

extern const struct stmt scim_stmts[ST__MAX];

/* A list request: ?filter=&startIndex=&count=&attributes=&excludedAttributes=. */
struct scim_query {
	const char	*attr;		/* the filter's attribute, canonical;
					   NULL: no filter */
	char		 value[SCIM_VALUE_MAX];
	char		 start[24];	/* startIndex, at least 1 */
	char		 offset[24];	/* startIndex - 1 */
	char		 count[8];
	int		 refs;		/* members (groups) or groups (users)
					   are wanted */
	char		 base[SCIM_BASE_MAX]; /* ".../scim/v2" */
};

/* What one PatchOp operation asks. */
enum patch_kind {
	PATCH_ADD,
	PATCH_REPLACE,
	PATCH_REMOVE,
	PATCH_BODY		/* not PATCH: an attribute of a POST or PUT */
};

struct patch_op {
	enum patch_kind		 kind;
	int			 has_path;
	int			 in_value;	/* a member of a value object
						   without path (read-only
						   ones, like Okta's id, are
						   ignored there) */
	struct scim_path	 path;
	const cJSON		*value;		/* NULL: none given */
};

typedef int (*patch_apply_fn)(struct req *, const struct patch_op *,
    void *);

/* filter.c */
int	scim_list_query(struct req *, const char *const *filterable,
	    const char *refs, struct scim_query *);
int	scim_item_query(struct req *, const char *refs, struct scim_query *);
int	scim_list_answer(struct req *, const struct scim_query *,
	    PGresult *);
void	scim_resource_answer(struct req *, PGresult *, int status,
	    const char *what);

/* patch.c */
int	scim_patch(struct req *, patch_apply_fn, void *);
int	scim_body_schemas(struct req *, const char *core,
	    const char *extension);
int	scim_body_each(struct req *, patch_apply_fn, void *);
int	scim_bool(const cJSON *, int *);
int	scim_text(struct req *, const cJSON *, const char *attr, long max,
	    char *out, size_t outlen, int *has);
int	scim_urn_is_core(const struct scim_path *, const char *core);

/* common.c */
void	scim_base(const struct req *, char *out, size_t);
int	scim_location(struct req *, const char *base, const char *kind,
	    const char *id);
int	scim_conflict(struct req *, const char *what);

/* users.c */
void	user_list(struct req *);
void	user_get(struct req *);
void	user_create(struct req *);
void	user_replace(struct req *);
void	user_patch(struct req *);
void	user_delete(struct req *);

/* groups.c */
void	group_list(struct req *);
void	group_get(struct req *);
void	group_create(struct req *);
void	group_replace(struct req *);
void	group_patch(struct req *);
void	group_delete(struct req *);

/* discovery.c */
void	service_provider_config(struct req *);
void	schema_list(struct req *);
void	schema_get(struct req *);
void	resource_type_list(struct req *);
void	resource_type_get(struct req *);

#endif
