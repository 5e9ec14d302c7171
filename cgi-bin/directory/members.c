/*
 * Memberships of teams and organisations: the active users of the same
 * domain, each with a role (team: member or lead; organisation: member or
 * admin). Members are added many at once (by id or email, all or none)
 * and listed in a stable order, by user id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "pagination.h"
#include "audit.h"
#include "uuid.h"

static const char *const list_params[] = { "limit", "cursor", NULL };

/* What differs between teams and organisations. */
struct kind {
	enum directory_stmt	 list, add, remove, role;
	const char		*missing;	/* the 404 message */
	int			(*role_valid)(const char *);
	const char		*roles;
};

static int
team_role_valid(const char *s)
{
	return strcmp(s, "member") == 0 || strcmp(s, "lead") == 0;
}

static int
org_role_valid(const char *s)
{
	return strcmp(s, "member") == 0 || strcmp(s, "admin") == 0;
}

static const struct kind team = {
	ST_TEAM_MEMBERS, ST_TEAM_MEMBER_ADD, ST_TEAM_MEMBER_REMOVE,
	ST_TEAM_MEMBER_ROLE, "no such team", team_role_valid, "member or lead"
};

static const struct kind org = {
	ST_ORG_MEMBERS, ST_ORG_MEMBER_ADD, ST_ORG_MEMBER_REMOVE,
	ST_ORG_MEMBER_ROLE, "no such organisation", org_role_valid, "member or admin"
};

static int
user_name_valid(const char *s)
{
	return uuid_valid(s) || email_valid(s);
}

/* Appends row i of a member list: its JSON. */
static int
member_item(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, PQgetvalue(res, i, 0));
}

/* GET …/{team_id|org_id}/members?limit=&cursor=: 200 with a page; 404. */
static void
member_list(struct req *r, const struct kind *k)
{
	struct dir	 d;
	struct page	 page;
	const char	*v[5];
	char		 fetch[16];
	PGresult	*res;
	int		 n;

	if (dir_context(r, &d) == -1 || req_query_allow(r, list_params) == -1)
		return;
	if (req_page(r, &page, 1) == -1)
		return;
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	v[3] = page.has_cursor ? page.after_id : PAGE_NIL_UUID;
	v[4] = fetch;
	if ((res = req_sql(r, k->list, 5, v, DB_LAST)) == NULL)
		return;
	n = PQntuples(res);
	if (n == 1 && PQgetisnull(res, 0, 2))	/* the parent, no member */
		n = 0;
	if (PQntuples(res) == 0)
		resp_error(r, 404, "not_found", NULL, "%s", k->missing);
	else if (page_json_keyed(&r->out, res, n, page.limit, 1, 2,
	    member_item) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/* The users of the body split into id and email array literals. */
static int
member_names(struct req *r, struct buf *ids, struct buf *emails)
{
	const cJSON	*list = cJSON_GetObjectItemCaseSensitive(r->body,
			    "users"), *u;
	struct buf	*b;

	if (buf_puts(ids, "{") == -1 || buf_puts(emails, "{") == -1)
		return -1;
	cJSON_ArrayForEach(u, list) {
		b = uuid_valid(u->valuestring) ? ids : emails;
		if (b->len > 1 && buf_puts(b, ",") == -1)
			return -1;
		/* Ids and emails (email_valid) need no quoting. */
		if (buf_printf(b, "\"%s\"", u->valuestring) == -1)
			return -1;
	}
	return buf_puts(ids, "}") == -1 || buf_puts(emails, "}") == -1 ?
	    -1 : 0;
}

/* Answers ST_*_MEMBER_ADD's row. */
static void
member_added(struct req *r, const struct kind *k, const PGresult *res,
    size_t asked)
{
	long	 added = atol(PQgetvalue(res, 0, 2));

	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "%s", k->missing);
	else if (!PQgetisnull(res, 0, 1))
		resp_error(r, 422, "invalid_field", "users", "not active users "
		    "of this directory: %.120s", PQgetvalue(res, 0, 1));
	else if (buf_printf(&r->out, "{\"added\":%ld,\"unchanged\":%ld}",
	    added, (long)asked - added) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
}

/*
 * POST …/{team_id|org_id}/members {"users": [ids or emails, 1 to 100],
 * "role"?}: 200 {"added", "unchanged"} (adding a member again changes
 * nothing); 400 unknown_field; 422 invalid_field (also naming users who
 * are not active users of the directory: then nobody is added); 404.
 */
static void
member_add(struct req *r, const struct kind *k)
{
	const struct field	 fields[] = {
		{ "users", FIELD_TEXT_LIST, FIELD_REQUIRED, 3, 320,
		    user_name_valid, "user ids or emails" },
		{ "role", FIELD_TEXT, 0, 1, 16, k->role_valid, k->roles },
	};
	struct field_error	 e;
	struct dir		 d;
	struct buf		 ids = { 0 }, emails = { 0 };
	const char		*v[6 + AUDIT_WHO_PARAMS];
	PGresult		*res;
	int			 n;

	if (dir_context(r, &d) == -1)
		return;
	if (validate_object(r->body, fields, NFIELDS(fields), &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->body,
	    "users"));
	if (n < 1) {
		resp_error(r, 422, "invalid_field", "users", "name at least one "
		    "user");
		return;
	}
	if (member_names(r, &ids, &emails) == -1) {
		buf_free(&ids);
		buf_free(&emails);
		resp_nomem(r);
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	v[3] = ids.data;
	v[4] = emails.data;
	v[5] = text_member(r->body, "role");
	audit_who(r, v + 6);
	res = req_sql(r, k->add, 9, v, DB_LAST);
	buf_free(&ids);
	buf_free(&emails);
	if (res == NULL)
		return;
	member_added(r, k, res, (size_t)n);
	PQclear(res);
}

/*
 * DELETE …/{team_id|org_id}/members/{user} (an id or an email): 200
 * {"user_id", "removed": true}; 404 (no such team, organisation or
 * member).
 */
static void
member_remove(struct req *r, const struct kind *k)
{
	struct dir	 d;
	struct user_ref	 u;
	const char	*v[5 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if (dir_context(r, &d) == -1 ||
	    user_ref(r, req_param(r, 1), &u, NULL) == -1)
		return;
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	v[3] = u.id;
	v[4] = u.email;
	audit_who(r, v + 5);
	if ((res = req_sql(r, k->remove, 8, v, DB_LAST)) == NULL)
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "%s", k->missing);
	else if (PQgetisnull(res, 0, 1))
		resp_error(r, 404, "not_found", NULL, "the user is not a "
		    "member");
	else if (buf_printf(&r->out, "{\"user_id\":\"%s\",\"removed\":true}",
	    PQgetvalue(res, 0, 1)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * PATCH …/{team_id|org_id}/members/{user} {"role"}: 200 {"user_id",
 * "role"}; 400 unknown_field; 422 invalid_field; 404 (no such team,
 * organisation or member).
 */
static void
member_role(struct req *r, const struct kind *k)
{
	const struct field	 fields[] = {
		{ "role", FIELD_TEXT, FIELD_REQUIRED, 1, 16, k->role_valid,
		    k->roles },
	};
	struct field_error	 e;
	struct dir		 d;
	struct user_ref		 u;
	const char		*v[6 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if (dir_context(r, &d) == -1 ||
	    user_ref(r, req_param(r, 1), &u, NULL) == -1)
		return;
	if (validate_object(r->body, fields, NFIELDS(fields), &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = req_param(r, 0);
	v[3] = u.id;
	v[4] = u.email;
	v[5] = text_member(r->body, "role");
	audit_who(r, v + 6);
	if ((res = req_sql(r, k->role, 9, v, DB_LAST)) == NULL)
		return;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		resp_error(r, 404, "not_found", NULL, "%s", k->missing);
	else if (PQgetisnull(res, 0, 1))
		resp_error(r, 404, "not_found", NULL, "the user is not a "
		    "member");
	else if (buf_puts(&r->out, PQgetvalue(res, 0, 1)) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * GET /v1/{domain}/users/{user}/teams?limit=&cursor=: 200 with a page of
 * the user's teams ({"team_id", "name", "organisation", "role",
 * "added_at"}), in team id order; 404 (no such user in the directory).
 */
void
user_teams(struct req *r)
{
	struct dir	 d;
	struct user_ref	 u;
	struct page	 page;
	const char	*v[6];
	char		 fetch[16];
	PGresult	*res;
	int		 n;

	if (dir_context(r, &d) == -1 || req_query_allow(r, list_params) == -1 ||
	    user_ref(r, req_param(r, 0), &u, NULL) == -1)
		return;
	if (req_page(r, &page, 1) == -1)
		return;
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[0] = d.account;
	v[1] = d.domain;
	v[2] = u.id;
	v[3] = u.email;
	v[4] = page.has_cursor ? page.after_id : PAGE_NIL_UUID;
	v[5] = fetch;
	if ((res = req_sql(r, ST_USER_TEAMS, 6, v, DB_LAST)) == NULL)
		return;
	n = PQntuples(res);
	if (n == 1 && PQgetisnull(res, 0, 2))	/* the user, in no team */
		n = 0;
	if (PQntuples(res) == 0)
		resp_error(r, 404, "not_found", NULL, "no such user in this "
		    "directory");
	else if (page_json_keyed(&r->out, res, n, page.limit, 1, 2,
	    member_item) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

void
team_member_list(struct req *r)
{
	member_list(r, &team);
}

void
team_member_add(struct req *r)
{
	member_add(r, &team);
}

void
team_member_remove(struct req *r)
{
	member_remove(r, &team);
}

void
org_member_list(struct req *r)
{
	member_list(r, &org);
}

void
org_member_add(struct req *r)
{
	member_add(r, &org);
}

void
org_member_remove(struct req *r)
{
	member_remove(r, &org);
}

void
team_member_role(struct req *r)
{
	member_role(r, &team);
}

void
org_member_role(struct req *r)
{
	member_role(r, &org);
}
