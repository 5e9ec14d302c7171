/*
 * An account's single sign-on: the identity provider's organisation whose
 * users belong to the account (auth_org_id), and the email domains it owns
 * (verified, here, by the super admin who records them). Account
 * resolution (lib/identity) reads both.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "audit.h"

/* An organisation id: letters, digits, - and _. */
static int
org_valid(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* A DNS name in lowercase: two labels or more, of [a-z0-9-], no edge -. */
static int
domain_valid(const char *s)
{
	size_t	 label = 0;
	int	 labels = 1;

	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (label == 0 || s[-1] == '-')
				return 0;
			labels++;
			label = 0;
		} else if ((*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || (*s == '-' && label > 0)) {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return labels >= 2 && label > 0 && s[-1] != '-';
}

static const struct field sso_fields[] = {
	{ "auth_org_id", FIELD_TEXT, 0, 1, 200, org_valid,
	    "letters, digits, - and _" },
	{ "domains", FIELD_TEXT_LIST, 0, 3, 253, domain_valid,
	    "a lowercase domain name" },
};

/* Answers the account's SSO settings from ST_SSO_GET's row. */
static void
sso_answer(struct req *r, PGresult *res)
{
	if (PQntuples(res) != 1)
		resp_error(r, 404, "not_found", NULL, "no such account");
	else if (buf_puts(&r->out, "{\"auth_org_id\":") == -1 ||
	    (PQgetisnull(res, 0, 0) ? buf_puts(&r->out, "null") :
	    buf_json_string(&r->out, PQgetvalue(res, 0, 0))) == -1 ||
	    buf_printf(&r->out, ",\"domains\":%s}", PQgetvalue(res, 0, 1)) ==
	    -1)
		resp_nomem(r);
	else
		resp_ok(r, 200);
	PQclear(res);
}

/*
 * GET /v1/accounts/{account_id}/sso: 200 {"auth_org_id","domains":[{
 * "domain","verified_at","created_at"}]}; 404 not_found.
 */
void
sso_get(struct req *r)
{
	const char	*v[1] = { req_param(r, 0) };
	PGresult	*res;

	if ((res = req_sql(r, ST_SSO_GET, 1, v, DB_LAST)) != NULL)
		sso_answer(r, res);
}

/* The domains of the body as a PostgreSQL array literal, or NULL. */
static int
domains_array(const cJSON *body, struct buf *out, const char **v)
{
	const cJSON	*list = cJSON_GetObjectItemCaseSensitive(body,
			    "domains");

	*v = NULL;
	if (list == NULL)
		return 0;
	if (sql_text_array(list, out) == -1)
		return -1;
	*v = out->data;
	return 0;
}

/* A unique index refused the write: which one says what is taken. */
static void
sso_taken(struct req *r)
{
	if (strstr(r->w->db.message, "account_domains_verified") != NULL)
		resp_error(r, 409, "domain_taken", "domains", "a domain is "
		    "already verified by another account");
	else
		resp_error(r, 409, "org_taken", "auth_org_id", "the "
		    "organisation belongs to another account");
}

/*
 * POST /v1/accounts/{account_id}/sso {"auth_org_id"?, "domains"?}: sets
 * the organisation and replaces the verified domains with those given;
 * 200 with the settings; 400 unknown_field or empty_update; 422
 * invalid_field; 404 not_found; 409 org_taken or domain_taken.
 */
void
sso_set(struct req *r)
{
	struct field_error	 e;
	struct buf		 domains = { 0 };
	const char		*v[3 + AUDIT_WHO_PARAMS];
	const cJSON		*org;
	PGresult		*res;

	if (validate_object(r->body, sso_fields, sizeof(sso_fields) /
	    sizeof(sso_fields[0]), &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (r->body->child == NULL) {
		resp_error(r, 400, "empty_update", NULL, "give auth_org_id, "
		    "domains or both");
		return;
	}
	org = cJSON_GetObjectItemCaseSensitive(r->body, "auth_org_id");
	v[0] = req_param(r, 0);
	v[1] = org != NULL ? org->valuestring : NULL;
	if (domains_array(r->body, &domains, &v[2]) == -1) {
		buf_free(&domains);
		resp_nomem(r);
		return;
	}
	audit_who(r, v + 3);
	res = req_sql(r, ST_SSO_SET, 6, v, 0);
	buf_free(&domains);
	if (res == NULL) {
		if (req_sqlstate(r, "23505"))
			sso_taken(r);
		return;
	}
	PQclear(res);
	if ((res = req_sql(r, ST_SSO_GET, 1, v, DB_LAST)) != NULL)
		sso_answer(r, res);
}

/*
 * DELETE /v1/accounts/{account_id}/sso: clears the organisation and the
 * domains; 200 with the (empty) settings; 404 not_found.
 */
void
sso_clear(struct req *r)
{
	const char	*v[1 + AUDIT_WHO_PARAMS];
	PGresult	*res;

	v[0] = req_param(r, 0);
	audit_who(r, v + 1);
	if ((res = req_sql(r, ST_SSO_CLEAR, 4, v, 0)) == NULL)
		return;
	PQclear(res);
	if ((res = req_sql(r, ST_SSO_GET, 1, v, DB_LAST)) != NULL)
		sso_answer(r, res);
}
