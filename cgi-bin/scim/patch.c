/*
 * Request bodies: PatchOp (RFC 7644 3.5.2) in the shapes Okta and Entra
 * send (ops in any case, "Replace"; a value object without a path whose
 * keys are attributes or paths; paths with a value filter), and the
 * attributes of a POST or PUT resource, each handed to the resource's
 * apply function in order. Nothing is written here.
 */
#include <string.h>
#include <strings.h>

#include "scim.h"

/* Whether the body member name is one of names (case-insensitive). */
static int
member_known(const char *name, const char *const *names)
{
	size_t	 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static int
only_members(struct req *r, const cJSON *o, const char *const *names,
    const char *what)
{
	const cJSON	*m;

	cJSON_ArrayForEach(m, o)
		if (!member_known(m->string, names)) {
			resp_error(r, 400, "invalidSyntax", m->string, "%s is "
			    "not a member of %s", m->string, what);
			return -1;
		}
	return 0;
}

/* schemas: strings, one of them core, the rest extension (or none). */
int
scim_body_schemas(struct req *r, const char *core, const char *extension)
{
	const cJSON	*s = cJSON_GetObjectItem(r->body, "schemas"), *u;
	int		 has_core = 0;

	if (!cJSON_IsArray(s))
		goto bad;
	cJSON_ArrayForEach(u, s) {
		if (!cJSON_IsString(u))
			goto bad;
		if (strcasecmp(u->valuestring, core) == 0)
			has_core = 1;
		else if (extension == NULL ||
		    strcasecmp(u->valuestring, extension) != 0)
			goto bad;
	}
	if (has_core)
		return 0;
bad:
	resp_error(r, 400, "invalidSyntax", "schemas", "schemas must list "
	    "%s%s%s%s", core, extension != NULL ? " (and may list " : "",
	    extension != NULL ? extension : "",
	    extension != NULL ? ")" : "");
	return -1;
}

static int
apply_member(struct req *r, const cJSON *m, enum patch_kind kind,
    patch_apply_fn fn, void *ctx)
{
	struct patch_op	 op;

	memset(&op, 0, sizeof(op));
	if (strcasecmp(m->string, SCIM_ENTERPRISE_URN) == 0 ||
	    strcasecmp(m->string, "schemas") == 0)
		return 0;	/* an extension we keep nothing of */
	if (scim_path_parse(m->string, &op.path) == -1 || op.path.has_filter) {
		resp_error(r, 400, kind == PATCH_BODY ? "invalidSyntax" :
		    "invalidPath", m->string, "%s is not an attribute",
		    m->string);
		return -1;
	}
	op.kind = kind;
	op.has_path = 1;
	op.in_value = kind != PATCH_BODY;
	op.value = m;
	return fn(r, &op, ctx);
}

/* Each attribute of a POST or PUT body, schemas aside. 0, or -1. */
int
scim_body_each(struct req *r, patch_apply_fn fn, void *ctx)
{
	const cJSON	*m;

	cJSON_ArrayForEach(m, r->body)
		if (apply_member(r, m, PATCH_BODY, fn, ctx) == -1)
			return -1;
	return 0;
}

static int
op_kind(const char *s, enum patch_kind *k)
{
	if (strcasecmp(s, "add") == 0)
		*k = PATCH_ADD;
	else if (strcasecmp(s, "replace") == 0)
		*k = PATCH_REPLACE;
	else if (strcasecmp(s, "remove") == 0)
		*k = PATCH_REMOVE;
	else
		return -1;
	return 0;
}

/* One operation, checked, then applied. 0, or -1 answered. */
static int
patch_one(struct req *r, const cJSON *o, patch_apply_fn fn, void *ctx)
{
	static const char *const op_members[] = { "op", "path", "value", NULL };
	const cJSON	*kind = cJSON_GetObjectItem(o, "op"),
			*path = cJSON_GetObjectItem(o, "path"), *m;
	struct patch_op	 op;

	memset(&op, 0, sizeof(op));
	if (!cJSON_IsObject(o)) {
		resp_error(r, 400, "invalidSyntax", "Operations", "each "
		    "operation is an object");
		return -1;
	}
	if (only_members(r, o, op_members, "an operation") == -1)
		return -1;
	if (!cJSON_IsString(kind) || op_kind(kind->valuestring, &op.kind)) {
		resp_error(r, 400, "invalidSyntax", "op", "op must be add, "
		    "replace or remove");
		return -1;
	}
	op.value = cJSON_GetObjectItem(o, "value");
	if (path != NULL && (!cJSON_IsString(path) ||
	    scim_path_parse(path->valuestring, &op.path) == -1)) {
		resp_error(r, 400, "invalidPath", "path", "the path is not one "
		    "this service understands");
		return -1;
	}
	if (op.kind != PATCH_REMOVE && op.value == NULL) {
		resp_error(r, 400, "invalidValue", "value", "%s needs a value",
		    kind->valuestring);
		return -1;
	}
	if (path != NULL) {
		op.has_path = 1;
		return fn(r, &op, ctx);
	}
	if (op.kind == PATCH_REMOVE || !cJSON_IsObject(op.value)) {
		resp_error(r, 400, op.kind == PATCH_REMOVE ? "noTarget" :
		    "invalidValue", "path", "without a path, an operation is "
		    "add or replace with an object value");
		return -1;
	}
	cJSON_ArrayForEach(m, op.value)
		if (apply_member(r, m, op.kind, fn, ctx) == -1)
			return -1;
	return 0;
}

/*
 * PATCH's body: {"schemas":[PatchOp], "Operations":[...]}, each operation
 * handed to fn in order. 0, or -1 with the request answered (400
 * invalidSyntax, invalidPath, invalidValue, noTarget, or fn's answer).
 */
int
scim_patch(struct req *r, patch_apply_fn fn, void *ctx)
{
	static const char *const members[] = { "schemas", "Operations", NULL };
	const cJSON	*ops = cJSON_GetObjectItem(r->body, "Operations"), *o;
	int		 n;

	if (only_members(r, r->body, members, "a PatchOp") == -1 ||
	    scim_body_schemas(r, SCIM_PATCH_URN, NULL) == -1)
		return -1;
	n = cJSON_GetArraySize(ops);
	if (!cJSON_IsArray(ops) || n < 1 || n > SCIM_PATCH_OPS_MAX) {
		resp_error(r, 400, "invalidSyntax", "Operations", "Operations "
		    "must hold 1 to %d operations", SCIM_PATCH_OPS_MAX);
		return -1;
	}
	cJSON_ArrayForEach(o, ops)
		if (patch_one(r, o, fn, ctx) == -1)
			return -1;
	return 0;
}

/* A boolean, or Entra's "True"/"False" strings. 0, or -1. */
int
scim_bool(const cJSON *v, int *out)
{
	if (cJSON_IsBool(v))
		*out = cJSON_IsTrue(v);
	else if (cJSON_IsString(v) && strcasecmp(v->valuestring, "true") == 0)
		*out = 1;
	else if (cJSON_IsString(v) && strcasecmp(v->valuestring, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/*
 * A text attribute (string of at most max characters without control
 * characters, or null: none) into out and *has. 0, or -1 answered with
 * 400 invalidValue.
 */
int
scim_text(struct req *r, const cJSON *v, const char *attr, long max,
    char *out, size_t outlen, int *has)
{
	const unsigned char	*c;
	size_t			 n;

	*has = 0;
	out[0] = '\0';
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v)) {
		n = strlen(v->valuestring);
		for (c = (const unsigned char *)v->valuestring; *c >= 0x20 &&
		    *c != 0x7f; c++)
			;
		if (*c == '\0' && n < outlen && utf8_valid(v->valuestring, n) &&
		    utf8_chars(v->valuestring) <= (size_t)max) {
			memcpy(out, v->valuestring, n + 1);
			*has = 1;
			return 0;
		}
	}
	resp_error(r, 400, "invalidValue", attr, "%s must be text of at most "
	    "%ld characters, or null", attr, max);
	return -1;
}

/* Whether a path names the core schema (urn: none, or core itself). */
int
scim_urn_is_core(const struct scim_path *p, const char *core)
{
	return p->urn[0] == '\0' || strcasecmp(p->urn, core) == 0;
}
