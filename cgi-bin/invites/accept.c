/*
 * The public routes of invites.fcgi, for the person holding an invite's
 * token: what the accept page shows, and accepting. An unknown token and
 * one of the wrong shape get the same 404, so the answers say nothing
 * about tokens but whether one is good. Finding the invite's account is
 * a platform transaction of its own (as lib/identity finds a key's);
 * accepting then runs in that account's tenant, under row-level security.
 */
#include <stdio.h>
#include <string.h>

#include "invites.h"
#include "quota.h"

static const char *const lookup_params[] = { "token", NULL };

static const struct field accept_fields[] = {
	{ "token", FIELD_TEXT, FIELD_REQUIRED, 1, 200, NULL, NULL },
	{ "display_name", FIELD_TEXT, 0, 1, 200, NULL, NULL },
};

/* Columns of ST_INVITE_CLAIM. */
enum claim_col {
	CLAIM_ID,
	CLAIM_STATUS,
	CLAIM_EXPIRED,
	CLAIM_EMAIL,
	CLAIM_USER,
	CLAIM_USER_STATUS
};

/* Columns of ST_INVITE_ACCEPT after the invite's. */
enum accept_col {
	ACC_USER = INVITE_NCOLS,
	ACC_EMAIL,
	ACC_NAME,
	ACC_CREATED,
	ACC_ENROLLED,
	ACC_ORG,
	ACC_TEAM
};

/* The invite a claim found, for the accept that follows. */
struct claim {
	char	 id[37];
	char	 email[321];
	int	 needs_seat;	/* a new or inactive user: the users quota */
};

/* The digest of the token given; -1 with the request answered (404). */
static int
given_digest(struct req *r, const char *token, char digest[AUTH_BYTEA_LEN])
{
	if (token_digest(token, digest) == 0)
		return 0;
	invite_not_found(r);
	return -1;
}

static int
lookup_json(struct buf *b, const PGresult *res)
{
	return buf_puts(b, "{\"account_name\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 0)) == -1 ||
	    buf_puts(b, ",\"domain\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 1)) == -1 ||
	    buf_puts(b, ",\"email\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 2)) == -1 ||
	    buf_puts(b, ",\"display_name\":") == -1 ||
	    sql_json_text(b, res, 0, 3) == -1 ||
	    buf_puts(b, ",\"expires_at\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 4)) == -1 ||
	    buf_puts(b, ",\"state\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, 5)) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/*
 * GET /v1/invites/lookup?token=: 200 {"account_name", "domain", "email",
 * "display_name", "expires_at", "state"}; 400 invalid_parameter (no
 * token) or unknown_parameter; 404 not_found (unknown or malformed).
 */
void
invite_lookup(struct req *r)
{
	const char	*token, *v[1];
	char		 digest[AUTH_BYTEA_LEN];
	PGresult	*res;
	enum db_result	 rc;

	if (req_query_allow(r, lookup_params) == -1)
		return;
	if ((token = req_query(r, "token")) == NULL || *token == '\0') {
		resp_error(r, 400, "invalid_parameter", "token", "give the "
		    "invite's token in ?token=");
		return;
	}
	if (given_digest(r, token, digest) == -1)
		return;
	v[0] = digest;
	if ((res = req_platform_sql(r, &invites_stmts[ST_INVITE_LOOKUP], 1, v,
	    &rc)) == NULL) {
		req_db_failed(r, rc);
		return;
	}
	if (PQntuples(res) != 1)
		invite_not_found(r);
	else if (lookup_json(&r->out, res) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * Acts for the account of the invite whose token has digest: the
 * request's tenant becomes that account (its principal has none of its
 * own). 0, or -1 with the request answered: 404 not_found, 403
 * account_suspended.
 */
static int
act_for_invite(struct req *r, const char *digest)
{
	struct principal	*p = &r->principal;
	const char		*v[1] = { digest };
	PGresult		*res;
	enum db_result		 rc;
	int			 ok = 0;

	if ((res = req_platform_sql(r, &invites_stmts[ST_INVITE_FIND], 1, v,
	    &rc)) == NULL) {
		req_db_failed(r, rc);
		return -1;
	}
	if (PQntuples(res) != 1)
		invite_not_found(r);
	else if (strcmp(PQgetvalue(res, 0, 1), "active") != 0)
		resp_error(r, 403, "account_suspended", NULL, "the account is "
		    "suspended");
	else {
		(void)snprintf(p->account_id, sizeof(p->account_id), "%s",
		    PQgetvalue(res, 0, 0));
		p->platform = 0;
		ok = 1;
	}
	PQclear(res);
	return ok ? 0 : -1;
}

/* Why a claimed invite cannot be accepted, answered; 0 when it can. */
static int
claim_refused(struct req *r, const PGresult *res)
{
	const char	*status = PQgetvalue(res, 0, CLAIM_STATUS);

	if (strcmp(status, "accepted") == 0)
		resp_error(r, 409, "invite_used", NULL, "this invite has "
		    "already been accepted");
	else if (strcmp(status, "revoked") == 0)
		resp_error(r, 410, "invite_revoked", NULL, "this invite was "
		    "revoked; ask for a new one");
	else if (strcmp(PQgetvalue(res, 0, CLAIM_EXPIRED), "t") == 0)
		resp_error(r, 410, "invite_expired", NULL, "this invite has "
		    "expired; ask for it to be sent again");
	else
		return 0;
	return -1;
}

/*
 * Locks the invite in the tenant's transaction (a concurrent accept of
 * it waits, then finds it used) and checks it can be accepted. 0, or -1
 * with the request answered.
 */
static int
claim(struct req *r, const char *digest, struct claim *c)
{
	const char	*v[1] = { digest };
	PGresult	*res;
	int		 rc = -1;

	if ((res = req_sql(r, ST_INVITE_CLAIM, 1, v, 0)) == NULL)
		return -1;
	if (PQntuples(res) != 1)
		invite_not_found(r);
	else if (claim_refused(r, res) == 0) {
		(void)snprintf(c->id, sizeof(c->id), "%s",
		    PQgetvalue(res, 0, CLAIM_ID));
		(void)snprintf(c->email, sizeof(c->email), "%s",
		    PQgetvalue(res, 0, CLAIM_EMAIL));
		c->needs_seat = PQgetisnull(res, 0, CLAIM_USER) ||
		    strcmp(PQgetvalue(res, 0, CLAIM_USER_STATUS),
		    "active") != 0;
		rc = 0;
	}
	PQclear(res);
	return rc;
}

static int
accepted_json(struct buf *b, const PGresult *res)
{
	return buf_puts(b, "{\"invite\":{") == -1 ||
	    invite_json(b, res, 0, 0) == -1 ||
	    buf_puts(b, "},\"user\":{\"id\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, ACC_USER)) == -1 ||
	    buf_puts(b, ",\"email\":") == -1 ||
	    buf_json_string(b, PQgetvalue(res, 0, ACC_EMAIL)) == -1 ||
	    buf_puts(b, ",\"display_name\":") == -1 ||
	    sql_json_text(b, res, 0, ACC_NAME) == -1 ||
	    buf_printf(b, ",\"created\":%s}", strcmp(PQgetvalue(res, 0,
	    ACC_CREATED), "t") == 0 ? "true" : "false") == -1 ||
	    buf_puts(b, ",\"organisation_id\":") == -1 ||
	    sql_json_text(b, res, 0, ACC_ORG) == -1 ||
	    buf_puts(b, ",\"team_id\":") == -1 ||
	    sql_json_text(b, res, 0, ACC_TEAM) == -1 ||
	    buf_puts(b, "}") == -1 ? -1 : 0;
}

/* Accepts the claimed invite c, as its email; answers. */
static void
accept_claimed(struct req *r, const struct claim *c)
{
	const char	*v[5];
	PGresult	*res;

	v[0] = c->id;
	v[1] = text_member(r->body, "display_name");
	v[2] = c->email;
	v[3] = role_name(ROLE_END_USER);
	v[4] = r->request_id;
	if ((res = req_sql(r, ST_INVITE_ACCEPT, 5, v, DB_LAST)) == NULL)
		return;
	if (PQntuples(res) != 1)
		resp_error(r, 409, "invite_used", NULL, "this invite has "
		    "already been accepted");
	else if (accepted_json(&r->out, res) == -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * POST /v1/invites/accept {"token", "display_name"?}: in the invite's
 * account, marks it accepted, makes the user of its email (pending its
 * first sign-in) or makes the existing one active, enrols it in the
 * domain and adds the organisation or team membership the invite grants
 * (when still there). 200 {"invite", "user": {"id", "email",
 * "display_name", "created"}, "organisation_id", "team_id"} (the
 * memberships added); 400 unknown_field; 422 invalid_field; 404 not_found
 * (unknown or malformed token); 409 invite_used, quota_exceeded (the
 * plan's users, for a new or inactive user: the invite stays pending);
 * 410 invite_expired, invite_revoked; 403 account_suspended.
 */
void
invite_accept(struct req *r)
{
	struct field_error	 e;
	struct claim		 c;
	char			 digest[AUTH_BYTEA_LEN];

	if (validate_object(r->body, accept_fields, NFIELDS(accept_fields),
	    &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (given_digest(r, text_member(r->body, "token"), digest) == -1 ||
	    act_for_invite(r, digest) == -1 || claim(r, digest, &c) == -1)
		return;
	if (!c.needs_seat || quota_allows(r, r->principal.account_id, "users",
	    1) == 1)
		accept_claimed(r, &c);
}
