/* What the directory's handlers share: the domain, lists, user names. */
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "tenant.h"
#include "uuid.h"

/*
 * The account and the domain (from the path: /v1/copilot/ or
 * /v1/console/) of the request. 0, or -1 with the request answered: a
 * super admin must name the account with X-Account-Id (400).
 */
int
dir_context(struct req *r, struct dir *d)
{
	d->domain = strncmp(r->path, "/v1/console/", 12) == 0 ? "console" :
	    "copilot";
	d->account = req_account(r);
	return d->account != NULL ? 0 : -1;
}

/*
 * Reads ?limit=, ?cursor=, ?sort= (created, the default, or name) and
 * ?q= of a list, refusing parameters not in allowed. 0, or -1 with the
 * request answered (400).
 */
int
dir_list_parse(struct req *r, struct dir_list *l, const char *const *allowed)
{
	const char	*sort = req_query(r, "sort");

	memset(l, 0, sizeof(*l));
	if (req_query_allow(r, allowed) == -1)
		return -1;
	if (sort != NULL && strcmp(sort, "name") != 0 &&
	    strcmp(sort, "created") != 0) {
		resp_error(r, 400, "invalid_parameter", "sort", "sort must be "
		    "created or name");
		return -1;
	}
	l->by_name = sort != NULL && strcmp(sort, "name") == 0;
	if (req_page(r, &l->page, l->by_name) == -1)
		return -1;
	(void)snprintf(l->fetch, sizeof(l->fetch), "%d", l->page.limit + 1);
	return req_search(r, &l->pattern);
}

void
dir_list_free(struct dir_list *l)
{
	buf_free(&l->pattern);
}

/* The cursor values of a list, for the statement's two parameters. */
static int
list_item(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, PQgetvalue(res, i, 0));
}

/*
 * Answers a page of a list whose rows are the item's JSON, then its
 * created_at (ts_col), its name key (key_col) and its id (id_col).
 */
void
dir_list_answer(struct req *r, PGresult *res, const struct dir_list *l,
    int ts_col, int key_col, int id_col)
{
	int	 rc;

	rc = l->by_name ? page_json_keyed(&r->out, res, PQntuples(res),
	    l->page.limit, key_col, id_col, list_item) : page_json(&r->out,
	    res, PQntuples(res), l->page.limit, ts_col, id_col, list_item);
	if (rc == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * A user named by its id or its email, as in a path or a list. 0, or -1
 * with the request answered (404 for a path, 422 naming field else).
 */
int
user_ref(struct req *r, const char *s, struct user_ref *u, const char *field)
{
	u->id = u->email = NULL;
	if (uuid_valid(s))
		u->id = s;
	else if (email_valid(s))
		u->email = s;
	else {
		if (field == NULL)
			resp_error(r, 404, "not_found", NULL, "no such user: "
			    "name one by id or email");
		else
			resp_error(r, 422, "invalid_field", field, "must be a "
			    "user's id or email");
		return -1;
	}
	return 0;
}

