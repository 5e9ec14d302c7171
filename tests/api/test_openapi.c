/*
 * openapi.yaml against the running programs: every documented operation
 * exists (no 404 from routing, no 405), and its x-cockpit-permission is
 * what the server enforces: public routes answer without credentials,
 * super_admin routes refuse them (401) and accept the master key.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_OPS	64
#define NIL_ID	"00000000-0000-4000-8000-000000000000"

struct op {
	char	 method[8];
	char	 path[256];
	char	 permission[32];
};

static int
indent(const char *line)
{
	int	 n = 0;

	while (line[n] == ' ')
		n++;
	return n;
}

/* Reads the operations from the paths section of openapi.yaml. */
static int
read_ops(struct op *ops, int max)
{
	static const char *const methods[] = { "get", "post", "put", "patch",
	    "delete" };
	char		 file[4096], line[1024], path[256] = "";
	FILE		*f;
	int		 n = 0, in_paths = 0;
	size_t		 i, len;

	(void)snprintf(file, sizeof(file), "%s/openapi.yaml",
	    env("COCKPIT_SRC_DIR"));
	ck_assert((f = fopen(file, "r")) != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (indent(line) == 0 && line[0] != '\0' && line[0] != '#')
			in_paths = strcmp(line, "paths:") == 0;
		if (!in_paths)
			continue;
		if (indent(line) == 2 && line[2] == '/') {
			len = strcspn(line + 2, ":");
			(void)snprintf(path, sizeof(path), "%.*s", (int)len,
			    line + 2);
		}
		for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
			if (indent(line) == 4 && strncmp(line + 4, methods[i],
			    strlen(methods[i])) == 0 &&
			    line[4 + strlen(methods[i])] == ':') {
				ck_assert_int_lt(n, max);
				for (len = 0; methods[i][len]; len++)
					ops[n].method[len] = (char)toupper(
					    (unsigned char)methods[i][len]);
				ops[n].method[len] = '\0';
				(void)snprintf(ops[n].path, sizeof(ops[n].path),
				    "%s", path);
				ops[n++].permission[0] = '\0';
			}
		if (n > 0 && strstr(line, "x-cockpit-permission:") != NULL)
			(void)sscanf(strchr(line, ':') + 1, " %31s",
			    ops[n - 1].permission);
	}
	fclose(f);
	return n;
}

/* The path with every {param} replaced by an id that matches nothing. */
static void
concrete(const char *tmpl, char *out, size_t len)
{
	size_t	 o = 0;

	for (; *tmpl != '\0' && o + 40 < len; tmpl++) {
		if (*tmpl == '{') {
			o += (size_t)snprintf(out + o, len - o, "%s", NIL_ID);
			tmpl = strchr(tmpl, '}');
			continue;
		}
		out[o++] = *tmpl;
	}
	out[o] = '\0';
}

static int
call(struct reply *r, const struct op *op, const char *auth)
{
	char		 path[512];
	int		 body = strcmp(op->method, "POST") == 0 ||
	    strcmp(op->method, "PATCH") == 0 || strcmp(op->method, "PUT") == 0;

	concrete(op->path, path, sizeof(path));
	return http(r, op->method, path, body ? "application/json" : NULL,
	    body ? "{}" : NULL, body ? 2 : 0, auth);
}

START_TEST(test_every_documented_operation_exists)
{
	struct op	 ops[MAX_OPS];
	struct reply	 r;
	int		 n, i;

	n = read_ops(ops, MAX_OPS);
	ck_assert_int_ge(n, 7);
	for (i = 0; i < n; i++) {
		ck_assert_msg(ops[i].permission[0] != '\0', "%s %s has no "
		    "x-cockpit-permission", ops[i].method, ops[i].path);
		ck_assert_int_eq(call(&r, &ops[i], AUTH_MASTER), 0);
		ck_assert_msg(r.status != 405, "%s %s: 405", ops[i].method,
		    ops[i].path);
		/* 404 only for the nil id, never for the route itself. */
		ck_assert_msg(r.status != 404 || strchr(ops[i].path, '{'),
		    "%s %s: 404", ops[i].method, ops[i].path);
		reply_free(&r);
	}
}
END_TEST

START_TEST(test_documented_permissions_are_enforced)
{
	struct op	 ops[MAX_OPS];
	struct reply	 r;
	int		 n, i;

	n = read_ops(ops, MAX_OPS);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(call(&r, &ops[i], AUTH_NONE), 0);
		if (strcmp(ops[i].permission, "public") == 0)
			ck_assert_msg(r.status != 401 && r.status != 403,
			    "%s %s is public but answered %ld", ops[i].method,
			    ops[i].path, r.status);
		else
			assert_error(&r, 401, "unauthorized", NULL);
		reply_free(&r);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("openapi");
	TCase	*tc = tcase_create("contract");

	tcase_add_test(tc, test_every_documented_operation_exists);
	tcase_add_test(tc, test_documented_permissions_are_enforced);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
