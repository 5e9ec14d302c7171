/*
 * The admin routes of invites.fcgi, under /v1/copilot/invites and
 * /v1/console/invites: the domain is the path's, the account the
 * caller's (a super admin's from X-Account-Id). An invite's token is in
 * the answer that made it (create, resend) and nowhere else.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "invites.h"
#include "list.h"
#include "tenant.h"
#include "uuid.h"

static const char *const list_params[] = {
	"limit", "cursor", "q", "status", NULL
};

static const struct field create_fields[] = {
	{ "email", FIELD_TEXT, FIELD_REQUIRED, 3, 320, email_valid,
	    "an email address" },
	{ "display_name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
	{ "organisation_id", FIELD_TEXT, 0, 36, 36, uuid_valid,
	    "an organisation id" },
	{ "team_id", FIELD_TEXT, 0, 36, 36, uuid_valid, "a team id" },
	{ "expires_in", FIELD_INTEGER, 0, INVITE_TTL_MIN, INVITE_TTL_MAX,
	    NULL, NULL },
};

static const char *const invite_members[INVITE_NCOLS] = {
	"id", "domain", "email", "display_name", "organisation_id", "team_id",
	"state", "expires_at", "sent_count", "last_sent_at", "created_by",
	"created_at", "accepted_at", "accepted_user_id", "revoked_at"
};

#define COL_SENT_COUNT	8

/*
 * Appends the INVITE_COLUMNS of row i starting at column col as the
 * members of a JSON object, without its braces.
 */
int
invite_json(struct buf *b, const PGresult *res, int i, int col)
{
	int	 c;

	for (c = 0; c < INVITE_NCOLS; c++) {
		if (buf_printf(b, "%s\"%s\":", c == 0 ? "" : ",",
		    invite_members[c]) == -1)
			return -1;
		if (c == COL_SENT_COUNT ? buf_puts(b,
		    PQgetvalue(res, i, col + c)) == -1 :
		    sql_json_text(b, res, i, col + c) == -1)
			return -1;
	}
	return 0;
}

static int
invite_item(struct buf *b, const PGresult *res, int i)
{
	return buf_puts(b, "{") == -1 || invite_json(b, res, i, 0) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

void
invite_not_found(struct req *r)
{
	resp_error(r, 404, "not_found", NULL, "no such invite");
}

/* The product domain of the route: "copilot" or "console". */
static const char *
route_domain(const struct req *r)
{
	const char	*pattern = r->w->routes[r->route].pattern;

	return strncmp(pattern, "/v1/console/", 12) == 0 ? "console" :
	    "copilot";
}

/* The accept page's address for a token, into out (NUL-terminated). */
static int
accept_url(struct req *r, const char *token, struct buf *out)
{
	const char	*base = r->w->cfg->public_url;

	return buf_printf(out, "%s/#/invite/%s", base != NULL ? base : "",
	    token);
}

/*
 * Answers status with the invite in row 0 from column col, its token and
 * accept_url included when token is not NULL.
 */
static void
invite_answer(struct req *r, const PGresult *res, int col, int status,
    const char *token)
{
	struct buf	 url = { 0 };
	struct buf	*b = &r->out;
	int		 rc;

	rc = buf_puts(b, "{") == -1 || invite_json(b, res, 0, col) == -1;
	if (rc == 0 && token != NULL)
		rc = accept_url(r, token, &url) == -1 ||
		    buf_puts(b, ",\"token\":") == -1 ||
		    buf_json_string(b, token) == -1 ||
		    buf_puts(b, ",\"accept_url\":") == -1 ||
		    buf_json_string(b, url.data) == -1;
	if (url.data != NULL)
		OPENSSL_cleanse(url.data, url.len);
	buf_free(&url);
	if (rc != 0 || buf_puts(b, "}") == -1)
		resp_nomem(r);
	else
		resp_ok(r, status);
}

/* Column of ST_INVITE_CREATE's checks, after the invite's. */
enum create_check {
	CHK_ACCOUNT = INVITE_NCOLS,
	CHK_ORG,
	CHK_TEAM,
	CHK_MEMBER,
	CHK_PENDING
};

static int
is_true(const PGresult *res, int col)
{
	return strcmp(PQgetvalue(res, 0, col), "t") == 0;
}

/* Why ST_INVITE_CREATE made no invite, answered. */
static void
create_refused(struct req *r, const PGresult *res, const char *domain)
{
	if (!is_true(res, CHK_ACCOUNT))
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (!is_true(res, CHK_ORG))
		resp_error(r, 422, "invalid_field", "organisation_id", "no such "
		    "organisation in the account's %s directory", domain);
	else if (!is_true(res, CHK_TEAM))
		resp_error(r, 422, "invalid_field", "team_id", "no such team in "
		    "the account's %s directory%s", domain,
		    text_member(r->body, "organisation_id") != NULL ?
		    " and organisation" : "");
	else if (is_true(res, CHK_MEMBER))
		resp_error(r, 409, "already_member", "email", "the user of this "
		    "email is already an active member of the %s directory",
		    domain);
	else if (!PQgetisnull(res, 0, CHK_PENDING))
		resp_error(r, 409, "invite_pending", "email", "invite %s is "
		    "pending for this email: resend or revoke it",
		    PQgetvalue(res, 0, CHK_PENDING));
	else
		resp_error(r, 409, "invite_pending", "email", "an invite is "
		    "pending for this email: resend or revoke it");
}

/* The 201 of an invite just made: with its token, and Location. */
static void
created(struct req *r, const PGresult *res, const char *domain,
    const char *token)
{
	char	 location[128];

	(void)snprintf(location, sizeof(location), "/v1/%s/invites/%s", domain,
	    PQgetvalue(res, 0, 0));
	invite_answer(r, res, 0, 201, token);
	if (r->status == 201 && resp_header(r, "Location", location) == -1)
		resp_nomem(r);
}

/*
 * POST /v1/{copilot,console}/invites {"email", "display_name"?,
 * "organisation_id"?, "team_id"?, "expires_in"?}: 201 with the invite,
 * its "token" and "accept_url" this once, and Location; 400 unknown_field
 * or account_required; 422 invalid_field (an organisation or team not of
 * the domain in the account names its field); 409 invite_pending or
 * already_member.
 */
void
invite_create(struct req *r)
{
	struct field_error	 e;
	struct invite_token	 t;
	const cJSON		*ttl;
	const char		*v[8 + AUDIT_WHO_PARAMS];
	char			 seconds[24];
	PGresult		*res;

	if (validate_object(r->body, create_fields, NFIELDS(create_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if ((v[0] = req_account(r)) == NULL || token_make(r, &t) == -1)
		return;
	ttl = cJSON_GetObjectItemCaseSensitive(r->body, "expires_in");
	(void)snprintf(seconds, sizeof(seconds), "%ld", ttl != NULL ?
	    (long)ttl->valuedouble : (long)INVITE_TTL_DEFAULT);
	v[1] = route_domain(r);
	v[2] = text_member(r->body, "email");
	v[3] = text_member(r->body, "display_name");
	v[4] = text_member(r->body, "organisation_id");
	v[5] = text_member(r->body, "team_id");
	v[6] = t.digest;
	v[7] = seconds;
	audit_who(r, v + 8);
	if ((res = req_sql(r, ST_INVITE_CREATE, 11, v, DB_LAST)) != NULL) {
		if (PQntuples(res) != 1)
			resp_error(r, 500, "internal_error", NULL, "internal "
			    "error; quote the request id when reporting it");
		else if (PQgetisnull(res, 0, 0))
			create_refused(r, res, v[1]);
		else
			created(r, res, v[1], t.token);
		PQclear(res);
	}
	token_forget(&t);
}

static int
state_valid(const char *s)
{
	static const char *const states[] = { "pending", "accepted",
	    "revoked", "expired" };
	size_t	 i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(s, states[i]) == 0)
			return 1;
	return 0;
}

/* Checks ?status= and ?q=; fills the pattern for ILIKE. */
static int
list_filters(struct req *r, struct buf *pattern, const char **status)
{
	*status = req_query(r, "status");
	if (*status != NULL && !state_valid(*status)) {
		resp_error(r, 400, "invalid_parameter", "status", "status must "
		    "be pending, accepted, revoked or expired");
		return -1;
	}
	return req_search(r, pattern);
}

/*
 * GET /v1/{copilot,console}/invites?status=&q=&limit=&cursor=: 200 with a
 * page of the domain's invites in creation order, never a token; status
 * is pending, accepted, revoked or expired (pending past its expiry); q
 * searches email and display name. 400 unknown_parameter,
 * invalid_parameter or account_required.
 */
void
invite_list(struct req *r)
{
	struct buf	 pattern = { 0 };
	struct page	 page;
	const char	*status, *v[7];
	char		 fetch[16];
	PGresult	*res;

	if (req_query_allow(r, list_params) == -1 ||
	    req_page(r, &page, 0) == -1 || (v[0] = req_account(r)) == NULL)
		return;
	if (list_filters(r, &pattern, &status) == -1) {
		buf_free(&pattern);
		return;
	}
	(void)snprintf(fetch, sizeof(fetch), "%d", page.limit + 1);
	v[1] = route_domain(r);
	v[2] = status;
	v[3] = pattern.data;
	page_after(&page, &v[4], &v[5]);
	v[6] = fetch;
	res = req_sql(r, ST_INVITE_LIST, 7, v, DB_LAST | DB_CUSTOM_PLAN);
	buf_free(&pattern);
	if (res == NULL)
		return;
	if (page_json(&r->out, res, PQntuples(res), page.limit,
	    INVITE_COL_CREATED, 0, invite_item) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * GET /v1/{copilot,console}/invites/{invite_id}: 200, or 404 not_found
 * (another account's or domain's invite too); 400 account_required.
 */
void
invite_get(struct req *r)
{
	const char	*v[3];
	PGresult	*res;

	if (req_query_allow(r, (const char *const[]){ NULL }) == -1 ||
	    (v[0] = req_account(r)) == NULL)
		return;
	v[1] = route_domain(r);
	v[2] = req_param(r, 0);
	if ((res = req_sql(r, ST_INVITE_GET, 3, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) != 1)
		invite_not_found(r);
	else
		invite_answer(r, res, 0, 200, NULL);
	PQclear(res);
}

/*
 * Answers a revoke or resend (ST_INVITE_REVOKE, ST_INVITE_RESEND): 200
 * with the invite (and token when not NULL), 404 not_found, or 409
 * not_pending naming what it is.
 */
static void
change_answer(struct req *r, const PGresult *res, const char *token,
    const char *what)
{
	if (PQntuples(res) != 1)
		invite_not_found(r);
	else if (PQgetisnull(res, 0, 1))
		resp_error(r, 409, "not_pending", NULL, "the invite is %s; only "
		    "a pending invite can be %s", PQgetvalue(res, 0, 0), what);
	else
		invite_answer(r, res, 1, 200, token);
}

/*
 * POST /v1/{copilot,console}/invites/{invite_id}/revoke: its token stops
 * working; 200 with the invite; 404 not_found; 409 not_pending (accepted
 * or revoked already). An expired invite can be revoked.
 */
void
invite_revoke(struct req *r)
{
	const char	*v[3 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	if ((v[0] = req_account(r)) == NULL)
		return;
	v[1] = route_domain(r);
	v[2] = req_param(r, 0);
	audit_who(r, v + 3);
	if ((res = req_sql(r, ST_INVITE_REVOKE, 6, v, DB_LAST)) == NULL)
		return;
	change_answer(r, res, NULL, "revoked");
	PQclear(res);
}

/*
 * POST /v1/{copilot,console}/invites/{invite_id}/resend: a new token (the
 * old one stops working) that lasts as long as the first did, from now;
 * sent_count + 1. 200 with the invite, its "token" and "accept_url" this
 * once; 404 not_found; 409 not_pending. An expired invite can be resent.
 */
void
invite_resend(struct req *r)
{
	struct invite_token	 t;
	const char		*v[4 + AUDIT_WHO_PARAMS];
	PGresult		*res;

	if ((v[0] = req_account(r)) == NULL || token_make(r, &t) == -1)
		return;
	v[1] = route_domain(r);
	v[2] = req_param(r, 0);
	v[3] = t.digest;
	audit_who(r, v + 4);
	if ((res = req_sql(r, ST_INVITE_RESEND, 7, v, DB_LAST)) != NULL) {
		change_answer(r, res, t.token, "resent");
		PQclear(res);
	}
	token_forget(&t);
}
