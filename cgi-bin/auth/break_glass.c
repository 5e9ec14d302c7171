/*
 * Break-glass sign-in: the platform's last resort when the identity
 * provider is unreachable. One credential, set with cockpitctl(8) as a
 * scrypt hash; every attempt is recorded and audited; failures are limited
 * per source address and in all; COCKPIT_BREAK_GLASS=off or `cockpitctl
 * break-glass off` closes it. A success is a super admin's session with a
 * short absolute lifetime.
 */
#include <stdio.h>
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

/* Marks the attempt a success or a failure, and audits it. */
static int
record(struct req *r, const char *attempt, int ok, const char *actor)
{
	const char	*v[4] = { attempt, ok ? "true" : "false", actor,
			    r->request_id };
	PGresult	*res;

	if ((res = platform_sql(r, ST_BREAK_GLASS_RECORD, 4, v)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/*
 * 1 when the credential of the attempt row matches; the scrypt work is
 * done either way, with a decoy hash when there is no credential.
 */
static int
credential_matches(const PGresult *at, const char *user, const char *pw)
{
	int	 usable = strcmp(PQgetvalue(at, 0, 5), "t") == 0;
	int	 same_user = usable && strcmp(PQgetvalue(at, 0, 2), user) == 0;
	int	 rc;

	rc = password_verify(pw, usable ? PQgetvalue(at, 0, 3) : DECOY_HASH);
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

static void
rate_limited(struct req *r)
{
	log_warn(&r->w->log, "break-glass rate limit reached", "request_id",
	    r->request_id, "source", source_of(r));
	resp_error(r, 429, "rate_limited", NULL, "too many failed break-glass "
	    "attempts; wait 15 minutes");
	(void)resp_header(r, "Retry-After", "900");
}

static void
disabled(struct req *r)
{
	resp_error(r, 403, "break_glass_disabled", NULL, "break-glass sign-in "
	    "is switched off");
}

/*
 * Counts the attempt against the limits and records it, in one locked
 * step, so that concurrent attempts cannot pass the limits together.
 * Returns the attempt's row, or NULL with the request answered.
 */
static PGresult *
attempt_start(struct req *r)
{
	char		 per_source[16], in_all[16];
	const char	*v[3] = { source_of(r), per_source, in_all };
	PGresult	*at;

	(void)snprintf(per_source, sizeof(per_source), "%d",
	    FAILURES_PER_SOURCE);
	(void)snprintf(in_all, sizeof(in_all), "%d", FAILURES_IN_ALL);
	if ((at = platform_sql(r, ST_BREAK_GLASS_ATTEMPT, 3, v)) == NULL)
		return NULL;
	if (strcmp(PQgetvalue(at, 0, 4), "t") != 0)
		disabled(r);
	else if (strcmp(PQgetvalue(at, 0, 0), "t") != 0)
		rate_limited(r);
	else
		return at;
	PQclear(at);
	return NULL;
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
	const char		*user;
	char			 actor[128];
	PGresult		*at;
	int			 ok, rc;

	if (validate_object(r->body, fields, sizeof(fields) /
	    sizeof(fields[0]), &e) == -1) {
		resp_field_error(r, &e);
		return;
	}
	if (!r->w->cfg->break_glass) {
		disabled(r);
		return;
	}
	if ((at = attempt_start(r)) == NULL)
		return;
	user = member(r->body, "username");
	ok = credential_matches(at, user, member(r->body, "password"));
	(void)snprintf(actor, sizeof(actor), "break-glass:%.64s", user);
	rc = record(r, PQgetvalue(at, 0, 1), ok, actor);
	PQclear(at);
	if (rc == -1)
		return;
	if (ok)
		signed_in(r, user);
	else
		resp_error(r, 401, "invalid_credentials", NULL, "the username or "
		    "password is wrong");
}
