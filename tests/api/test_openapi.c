/*
 * openapi.yaml against the running programs: every documented operation
 * exists (no 404 from routing, no 405), and its x-cockpit-permission is
 * what the server enforces: public routes answer without credentials,
 * super_admin routes refuse them (401) and accept the master key; and
 * every route of every program's table is documented, with its permission.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MAX_OPS		256
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
		else if (strncmp(ops[i].path, "/scim/", 6) == 0)
			/* SCIM's routes answer in SCIM's error shape. */
			ck_assert_msg(r.status == 401 && r.json != NULL &&
			    json_str(r.json, "status") != NULL &&
			    strcmp(json_str(r.json, "status"), "401") == 0,
			    "%s %s: %ld %s", ops[i].method, ops[i].path,
			    r.status, r.body.data);
		else
			assert_error(&r, 401, "unauthorized", NULL);
		reply_free(&r);
	}
}
END_TEST

/* Whether ops holds method pattern with permission perm. */
static int
documented(const struct op *ops, int n, const char *method,
    const char *pattern, const char *perm)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(ops[i].method, method) == 0 &&
		    strcmp(ops[i].path, pattern) == 0)
			return strcmp(ops[i].permission, perm) == 0 ? 1 : -1;
	return 0;
}

/*
 * The other way round: every route of every program's table (-r) is in
 * openapi.yaml, with the permission the table gives it.
 */
START_TEST(test_every_route_is_documented)
{
	struct op	 ops[MAX_OPS];
	char		 cmd[4200], line[512], method[16], pattern[256], perm[32];
	FILE		*p;
	int		 n, routes = 0, rc;

	n = read_ops(ops, MAX_OPS);
	(void)snprintf(cmd, sizeof(cmd), "for f in '%s'/cgi-bin/*.fcgi; do "
	    "\"$f\" -r || echo FAILED; done", env("COCKPIT_BUILD_DIR"));
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL) {
		ck_assert_msg(strncmp(line, "FAILED", 6) != 0, "a program's -r "
		    "failed");
		ck_assert_int_eq(sscanf(line, "%15s %255s %31s", method,
		    pattern, perm), 3);
		rc = documented(ops, n, method, pattern, perm);
		ck_assert_msg(rc != 0, "%s %s is not in openapi.yaml", method,
		    pattern);
		ck_assert_msg(rc == 1, "%s %s: openapi.yaml's permission is not "
		    "the table's %s", method, pattern, perm);
		routes++;
	}
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_int_ge(routes, n);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("openapi");
	TCase	*tc = tcase_create("contract");

	tcase_add_test(tc, test_every_documented_operation_exists);
	tcase_add_test(tc, test_documented_permissions_are_enforced);
	tcase_add_test(tc, test_every_route_is_documented);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
