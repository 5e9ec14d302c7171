/* What the budgets handlers share: credit amounts, answers, refusals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "budgets.h"

/* A decimal string of credits, 0 included (lib/credits.h). */
int
credits_text_valid(const char *s)
{
	int64_t	 micro;

	return credits_parse(s, &micro) == 0;
}

/* A decimal string of credits above 0. */
int
credits_positive_valid(const char *s)
{
	int64_t	 micro;

	return credits_parse(s, &micro) == 0 && micro > 0;
}

/*
 * Answers the (status, body) row of one of sql/0007's functions: a 2xx
 * body as it is; an error body ({"code", "message", "field"?}) as the
 * error it describes. Clears res.
 */
void
budget_answer(struct req *r, PGresult *res)
{
	cJSON		*e = NULL;
	const char	*field;
	int		 status;

	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		resp_error(r, 500, "internal_error", NULL, "internal error; "
		    "quote the request id when reporting it");
		PQclear(res);
		return;
	}
	status = atoi(PQgetvalue(res, 0, 0));
	if (status >= 200 && status < 300) {
		if (buf_puts(&r->out, PQgetvalue(res, 0, 1)) == -1)
			resp_nomem(r);
		else
			resp_ok(r, status);
	} else if ((e = cJSON_Parse(PQgetvalue(res, 0, 1))) == NULL) {
		resp_nomem(r);
	} else {
		field = cJSON_GetStringValue(cJSON_GetObjectItem(e, "field"));
		resp_error(r, status, cJSON_GetStringValue(cJSON_GetObjectItem(e,
		    "code")), field, "%s", cJSON_GetStringValue(
		    cJSON_GetObjectItem(e, "message")));
	}
	cJSON_Delete(e);
	PQclear(res);
}

/* Appends ,"name":value (value JSON) to the error being built. */
static int
member(struct buf *b, const char *name, const cJSON *value)
{
	char	*text;
	int	 rc;

	if (value == NULL || (text = cJSON_PrintUnformatted(value)) == NULL)
		return -1;
	rc = buf_printf(b, ",\"%s\":%s", name, text);
	cJSON_free(text);
	return rc;
}

/*
 * After a statement failed: answers 402 budget_exceeded when a pool
 * refused (SQLSTATE CB402, whose message names the scope, what it has
 * left and what was needed), and returns 1; else 0, the failure already
 * answered by req_stmt().
 */
int
budget_exceeded(struct req *r)
{
	cJSON		*j;
	const cJSON	*scope;
	const char	*type, *left, *need;

	if (!req_sqlstate(r, "CB402"))
		return 0;
	if ((j = cJSON_Parse(r->w->db.message)) == NULL ||
	    (scope = cJSON_GetObjectItem(j, "scope")) == NULL ||
	    (type = cJSON_GetStringValue(cJSON_GetObjectItem(scope,
	    "type"))) == NULL ||
	    (left = cJSON_GetStringValue(cJSON_GetObjectItem(j,
	    "remaining"))) == NULL ||
	    (need = cJSON_GetStringValue(cJSON_GetObjectItem(j,
	    "required"))) == NULL) {
		cJSON_Delete(j);
		return 0;
	}
	resp_error(r, 402, "budget_exceeded", NULL, "the %s's budget has %s "
	    "credits left for this period, and this needs %s", type, left,
	    need);
	/* The scope and the amounts, inside the error object. */
	if (r->out.len >= 2) {
		r->out.len -= 2;
		r->out.data[r->out.len] = '\0';
		if (member(&r->out, "scope", scope) == -1 ||
		    member(&r->out, "remaining", cJSON_GetObjectItem(j,
		    "remaining")) == -1 ||
		    member(&r->out, "required", cJSON_GetObjectItem(j,
		    "required")) == -1 || buf_puts(&r->out, "}}") == -1)
			resp_nomem(r);
	}
	cJSON_Delete(j);
	return 1;
}
