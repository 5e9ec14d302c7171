/*
 * Break-glass sign-in: the platform's last resort when the identity
 * provider is unreachable. One credential, set with cockpitctl(8) as a
 * scrypt hash; every attempt is recorded and audited; failures are limited
 * per source address and in all; COCKPIT_BREAK_GLASS=off or `cockpitctl
 * break-glass off` closes it. A success is a super admin's session with a
 * short absolute lifetime.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "password.h"
#include "signin.h"

#define FAILURES_PER_SOURCE	5	/* in 15 minutes */
#define FAILURES_IN_ALL		20	/* in 15 minutes */
#define BREAK_GLASS_SESSION	3600	/* seconds */

/* A hash to spend the same time on when there is nothing to compare. */
#define DECOY_HASH \
	"$scrypt$ln=15,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$" \
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static const struct field fields[] = {
	{ "username", FIELD_TEXT, 1, 1, 64, NULL, NULL },
	{ "password", FIELD_TEXT, 1, 1, PASSWORD_MAX_LEN, NULL, NULL },
};

static const char *
member(const cJSON *body, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(body, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *
source_of(const struct req *r)
{
	const char	*s = req_env(r, "REMOTE_ADDR");

	return s != NULL && *s != '\0' ? s : "unknown";
}

static int
record(struct req *r, int ok, const char *actor)
{
	const char	*v[4] = { source_of(r), ok ? "true" : "false", actor,
			    r->request_id };
	PGresult	*res;

	if ((res = platform_sql(r, ST_BREAK_GLASS_RECORD, 4, v)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* 1 when the credential matches; the work is done either way. */
static int
credential_matches(const PGresult *st, const char *user, const char *pw)
{
	int	 usable = !PQgetisnull(st, 0, 0) &&
		    strcmp(PQgetvalue(st, 0, 2), "t") == 0;
	int	 same_user = usable && strcmp(PQgetvalue(st, 0, 0), user) == 0;
	int	 rc;

	rc = password_verify(pw, usable ? PQgetvalue(st, 0, 1) : DECOY_HASH);
	return usable && same_user && rc == 1;
}

static void
signed_in(struct req *r, const char *user)
{
	struct principal	 p;
	struct session_spec	 s;

	memset(&p, 0, sizeof(p));
	p.role = ROLE_SUPER_ADMIN;
	p.kind = "session";
	p.platform = 1;
	(void)snprintf(p.subject, sizeof(p.subject), "break-glass:%s", user);
	(void)snprintf(p.actor, sizeof(p.actor), "break-glass:%s", user);
	s.method = "break_glass";
	s.who = &p;
	s.refresh_token = NULL;
	s.token_ttl = 0;
	s.absolute = r->w->cfg->session_absolute < BREAK_GLASS_SESSION ?
	    r->w->cfg->session_absolute : BREAK_GLASS_SESSION;
	if (session_start(r, &s) == -1)
		return;
	if (buf_puts(&r->out, "{\"signed_in\":true,\"role\":\"super_admin\","
	    "\"method\":\"break_glass\"}") == -1) {
		resp_nomem(r);
		return;
	}
	resp_ok(r, 200);
}

static int
rate_limited(struct req *r, const PGresult *st)
{
	long	 mine = strtol(PQgetvalue(st, 0, 3), NULL, 10),
		 all = strtol(PQgetvalue(st, 0, 4), NULL, 10);

	if (mine < FAILURES_PER_SOURCE && all < FAILURES_IN_ALL)
		return 0;
	log_warn(&r->w->log, "break-glass rate limit reached", "request_id",
	    r->request_id, "source", source_of(r));
	resp_error(r, 429, "rate_limited", NULL, "too many failed break-glass "
	    "attempts; wait 15 minutes");
	(void)resp_header(r, "Retry-After", "900");
	return 1;
}

/*
 * POST /v1/auth/break-glass {"username","password"}: 200 with a session's
 * cookies; 401 invalid_credentials; 403 break_glass_disabled; 429
 * rate_limited; 400/422 for the body.
 */
void
auth_break_glass(struct req *r)
{
	struct field_error	 e;
	const char		*user, *v[1];
	char			 actor[128];
	PGresult		*st;
	int			 ok;

	if (validate_object(r->body, fields, sizeof(fields) /
	    sizeof(fields[0]), &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (!r->w->cfg->break_glass) {
		resp_error(r, 403, "break_glass_disabled", NULL, "break-glass "
		    "sign-in is switched off");
		return;
	}
	v[0] = source_of(r);
	if ((st = platform_sql(r, ST_BREAK_GLASS_STATE, 1, v)) == NULL)
		return;
	user = member(r->body, "username");
	if (rate_limited(r, st)) {
		PQclear(st);
		return;
	}
	if (!PQgetisnull(st, 0, 0) && strcmp(PQgetvalue(st, 0, 2), "t") != 0) {
		PQclear(st);
		resp_error(r, 403, "break_glass_disabled", NULL, "break-glass "
		    "sign-in is switched off");
		return;
	}
	ok = credential_matches(st, user, member(r->body, "password"));
	PQclear(st);
	(void)snprintf(actor, sizeof(actor), "break-glass:%.64s", user);
	if (record(r, ok, actor) == -1)
		return;
	if (ok)
		signed_in(r, user);
	else
		resp_error(r, 401, "invalid_credentials", NULL, "the username or "
		    "password is wrong");
}
