/*
 * Invites (invites.fcgi): made by an account's admins for either product
 * domain, listed and looked at without their tokens, revoked and resent;
 * accepted once with the token, which makes or reconciles the user, enrols
 * it and adds the membership the invite grants; expired, revoked and used
 * tokens refused, two accepts at once letting exactly one through; other
 * accounts' invites invisible, end users refused, the plan's user quota
 * kept at accept.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define RACERS		8
#define TOKEN_LEN	47	/* "cki_" and 43 base64url characters */

/* Runs sql as the owner; its one text value into out (len bytes). */
static void
db_text(const char *sql, char *out, size_t len)
{
	PGconn		*c = db_owner();
	PGresult	*res = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	(void)snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
}

static void
db_run(const char *sql)
{
	PGconn	*c = db_owner();

	db_exec(c, sql);
	PQfinish(c);
}

/* A new account mapped to organisation org-<slug>. */
static void
fresh(char *id, char *slug, size_t len, char *org, size_t olen)
{
	unique_slug(slug, len, "inv");
	create_account("Invites", slug, id);
	(void)snprintf(org, olen, "org-%s", slug);
	account_set_org(id, org);
}

/*
 * An organisation of the domain in the account (copilot: the global one;
 * console: a new one) and a team in it, made as the owner.
 */
static void
seed_team(const char *account, const char *domain, char *org, char *team)
{
	char	 sql[600];

	if (strcmp(domain, "copilot") == 0)
		(void)snprintf(sql, sizeof(sql), "SELECT id FROM organisations "
		    "WHERE account_id = '%s' AND domain = 'copilot' AND "
		    "is_global", account);
	else
		(void)snprintf(sql, sizeof(sql), "INSERT INTO organisations "
		    "(account_id, domain, name) VALUES ('%s', '%s', "
		    "'Org ' || gen_random_uuid()) RETURNING id", account,
		    domain);
	db_text(sql, org, UUID_LEN + 1);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO teams (account_id, "
	    "domain, organisation_id, name) VALUES ('%s', '%s', '%s', "
	    "'Team ' || gen_random_uuid()) RETURNING id", account, domain,
	    org);
	db_text(sql, team, UUID_LEN + 1);
}

/* A user of the account, enrolled in domain (NULL: none) with status. */
static void
seed_user(const char *account, const char *email, const char *domain,
    const char *status, char *user)
{
	char	 sql[600];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, email) "
	    "VALUES ('%s', '%s') RETURNING id", account, email);
	db_text(sql, user, UUID_LEN + 1);
	if (domain == NULL)
		return;
	(void)snprintf(sql, sizeof(sql), "INSERT INTO domain_users (account_id, "
	    "domain, user_id, status) VALUES ('%s', '%s', '%s', '%s')",
	    account, domain, user, status);
	db_run(sql);
}

static void
invites_path(char *out, size_t len, const char *domain, const char *id,
    const char *action)
{
	int	 w;

	if (id == NULL)
		w = snprintf(out, len, "/v1/%s/invites", domain);
	else
		w = snprintf(out, len, "/v1/%s/invites/%s%s%s", domain, id,
		    action != NULL ? "/" : "", action != NULL ? action : "");
	ck_assert(w > 0 && (size_t)w < len);
}

static int
token_shaped(const char *t)
{
	size_t	 i;

	if (t == NULL || strlen(t) != TOKEN_LEN || strncmp(t, "cki_", 4) != 0)
		return 0;
	for (i = 4; t[i] != '\0'; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') ||
		    (t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= '0' && t[i] <= '9') || t[i] == '-' || t[i] == '_'))
			return 0;
	return 1;
}

/*
 * Invites email into the account's domain with the extra members (",..."
 * or ""); the id and token into id and token (either may be NULL).
 */
static void
invite(const char *account, const char *domain, const char *email,
    const char *extra, char *id, char *token)
{
	struct reply	 r;
	char		 path[128], body[512];

	invites_path(path, sizeof(path), domain, NULL, NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"%s}", email,
	    extra);
	api_in_account(&r, account, "POST", path, body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert(token_shaped(json_str(r.json, "token")));
	if (id != NULL)
		(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	if (token != NULL)
		(void)snprintf(token, TOKEN_LEN + 1, "%s",
		    json_str(r.json, "token"));
	reply_free(&r);
}

/* POST /v1/invites/accept without credentials. */
static void
accept(struct reply *r, const char *token, const char *extra)
{
	char	 body[512];

	(void)snprintf(body, sizeof(body), "{\"token\":\"%s\"%s}", token,
	    extra);
	ck_assert(http(r, "POST", "/v1/invites/accept", "application/json",
	    body, strlen(body), AUTH_NONE) == 0);
}

static long
accept_status(const char *token)
{
	struct reply	 r;
	long		 status;

	accept(&r, token, "");
	status = r.status;
	reply_free(&r);
	return status;
}

static void
lookup(struct reply *r, const char *token)
{
	char	 path[256];

	(void)snprintf(path, sizeof(path), "/v1/invites/lookup?token=%s",
	    token);
	ck_assert(http(r, "GET", path, NULL, NULL, 0, AUTH_NONE) == 0);
}

/* The invite's state, asked by the account's admin. */
static void
assert_state(const char *account, const char *domain, const char *id,
    const char *state)
{
	struct reply	 r;
	char		 path[160];

	invites_path(path, sizeof(path), domain, id, NULL);
	api_in_account(&r, account, "GET", path, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "state"), state);
	reply_free(&r);
}

/* A plan limiting users to max, on the account. */
static void
limit_users(const char *account, int max)
{
	struct reply	 r;
	char		 slug[64], body[256], path[128];

	unique_slug(slug, sizeof(slug), "iquota");
	(void)snprintf(body, sizeof(body), "{\"slug\":\"%s\",\"name\":\"Q\","
	    "\"quotas\":{\"users\":%d}}", slug, max);
	api_post_json(&r, "/v1/plans", body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/feature-pack",
	    account);
	(void)snprintf(body, sizeof(body), "{\"plan\":\"%s\"}", slug);
	ck_assert(api(&r, "PUT", path, body) == 0);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
}

/* Made in Copilot with a team: the token once, its digest stored. */
START_TEST(test_create_copilot_with_team)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[160], body[512], gorg[UUID_LEN + 1],
			 team[UUID_LEN + 1], loc[256], url[512];
	const char	*token;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	seed_team(id, "copilot", gorg, team);
	(void)snprintf(email, sizeof(email), "Ann@%s.test", slug);
	invites_path(path, sizeof(path), "copilot", NULL, NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\",\"display_name\":"
	    "\"Ann\",\"organisation_id\":\"%s\",\"team_id\":\"%s\","
	    "\"expires_in\":7200}", email, gorg, team);
	api_in_account(&r, id, "POST", path, body);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	ck_assert(is_uuid(json_str(r.json, "id")));
	ck_assert_str_eq(json_str(r.json, "domain"), "copilot");
	ck_assert_str_eq(json_str(r.json, "email"), email);
	ck_assert_str_eq(json_str(r.json, "display_name"), "Ann");
	ck_assert_str_eq(json_str(r.json, "organisation_id"), gorg);
	ck_assert_str_eq(json_str(r.json, "team_id"), team);
	ck_assert_str_eq(json_str(r.json, "state"), "pending");
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "sent_count")->valueint,
	    1);
	ck_assert(is_timestamp(json_str(r.json, "expires_at")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "accepted_at")));
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "token_digest"));
	token = json_str(r.json, "token");
	ck_assert(token_shaped(token));
	(void)snprintf(url, sizeof(url), "/#/invite/%s", token);
	ck_assert_ptr_nonnull(json_str(r.json, "accept_url"));
	ck_assert(strlen(json_str(r.json, "accept_url")) > strlen(url));
	ck_assert_str_eq(json_str(r.json, "accept_url") +
	    strlen(json_str(r.json, "accept_url")) - strlen(url), url);
	ck_assert_int_eq(reply_header(&r, "Location", loc, sizeof(loc)), 0);
	invites_path(path, sizeof(path), "copilot", json_str(r.json, "id"),
	    NULL);
	ck_assert_str_eq(loc, path);
	ck_assert_int_eq(db_count_where("invites", "account_id = '%s' AND token_digest = "
	    "sha256(convert_to('%s', 'UTF8')) AND expires_at BETWEEN "
	    "now() + interval '7100 seconds' AND now() + interval '7300 seconds'",
	    id, token), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'invite.create' AND target_id = '%s'", id,
	    json_str(r.json, "id")), 1);
	reply_free(&r);
	/* Never again: not in GET. */
	api_in_account(&r, id, "GET", path, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "token"));
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "accept_url"));
	ck_assert_str_eq(json_str(r.json, "team_id"), team);
	reply_free(&r);
}
END_TEST

/* Console invites are the console's: the Copilot path does not see them. */
START_TEST(test_create_console)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[160], corg[UUID_LEN + 1], team[UUID_LEN + 1],
			 extra[128], inv[UUID_LEN + 1];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	seed_team(id, "console", corg, team);
	(void)snprintf(email, sizeof(email), "cas@%s.test", slug);
	(void)snprintf(extra, sizeof(extra), ",\"organisation_id\":\"%s\"",
	    corg);
	invite(id, "console", email, extra, inv, NULL);
	assert_state(id, "console", inv, "pending");
	invites_path(path, sizeof(path), "copilot", inv, NULL);
	api_in_account(&r, id, "GET", path, NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	invites_path(path, sizeof(path), "copilot", inv, "revoke");
	api_in_account(&r, id, "POST", path, NULL);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	/* The same email may be invited to Copilot as well. */
	invite(id, "copilot", email, "", NULL, NULL);
	ck_assert_int_eq(db_count_where("invites", "account_id = '%s'", id), 2);
}
END_TEST

/* Pages in creation order; filters by state and by text. */
START_TEST(test_list)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 path[512], next[200] = "", ids[3][UUID_LEN + 1];
	const cJSON	*it, *c;
	int		 i, seen = 0;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	for (i = 0; i < 3; i++) {
		(void)snprintf(email, sizeof(email), "l%d@%s.test", i, slug);
		invite(id, "copilot", email, i == 1 ?
		    ",\"display_name\":\"Zed Findme\"" : "", ids[i], NULL);
	}
	invite(id, "console", "other@x.test", "", NULL, NULL);
	invites_path(path, sizeof(path), "copilot", ids[2], "revoke");
	api_in_account(&r, id, "POST", path, NULL);
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	do {
		(void)snprintf(path, sizeof(path), "/v1/copilot/invites?"
		    "limit=2%s%s", *next ? "&cursor=" : "", next);
		api_in_account(&r, id, "GET", path, NULL);
		ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
		cJSON_ArrayForEach(it, json_items(&r)) {
			ck_assert_int_lt(seen, 3);
			ck_assert_str_eq(json_str(it, "id"), ids[seen]);
			ck_assert_ptr_null(cJSON_GetObjectItem(it, "token"));
			seen++;
		}
		c = cJSON_GetObjectItem(r.json, "next_cursor");
		(void)snprintf(next, sizeof(next), "%s", cJSON_IsString(c) ?
		    c->valuestring : "");
		reply_free(&r);
	} while (*next != '\0');
	ck_assert_int_eq(seen, 3);

	api_in_account(&r, id, "GET", "/v1/copilot/invites?status=revoked",
	    NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    ids[2]);
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?status=pending",
	    NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?q=findme", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    ids[1]);
	reply_free(&r);
	(void)snprintf(path, sizeof(path), "/v1/copilot/invites?q=L0@%s", slug);
	api_in_account(&r, id, "GET", path, NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/console/invites", NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);

	api_in_account(&r, id, "GET", "/v1/copilot/invites?status=gone", NULL);
	assert_error(&r, 400, "invalid_parameter", "status");
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?limit=0", NULL);
	assert_error(&r, 400, "invalid_parameter", "limit");
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?cursor=nope", NULL);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?account_id=x",
	    NULL);
	assert_error(&r, 400, "unknown_parameter", "account_id");
	reply_free(&r);
	/* A super admin must name the account. */
	api_get(&r, "/v1/copilot/invites");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
}
END_TEST

/*
 * Accepted by a new person: the user is made pending its first sign-in,
 * enrolled, put in the team; the first sign-in adopts it.
 */
START_TEST(test_accept_new_user)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 gorg[UUID_LEN + 1], team[UUID_LEN + 1], extra[256],
			 inv[UUID_LEN + 1], token[TOKEN_LEN + 1],
			 user[UUID_LEN + 1], *t;
	const cJSON	*u;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	seed_team(id, "copilot", gorg, team);
	(void)snprintf(email, sizeof(email), "new@%s.test", slug);
	(void)snprintf(extra, sizeof(extra), ",\"organisation_id\":\"%s\","
	    "\"team_id\":\"%s\",\"display_name\":\"Invited Name\"", gorg, team);
	invite(id, "copilot", email, extra, inv, token);

	lookup(&r, token);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "account_name"), "Invites");
	ck_assert_str_eq(json_str(r.json, "domain"), "copilot");
	ck_assert_str_eq(json_str(r.json, "email"), email);
	ck_assert_str_eq(json_str(r.json, "state"), "pending");
	ck_assert(is_timestamp(json_str(r.json, "expires_at")));
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "token"));
	reply_free(&r);

	accept(&r, token, ",\"display_name\":\"Chosen Name\"");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	u = cJSON_GetObjectItem(r.json, "user");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(u, "created")));
	ck_assert_str_eq(json_str(u, "email"), email);
	ck_assert_str_eq(json_str(u, "display_name"), "Chosen Name");
	(void)snprintf(user, sizeof(user), "%s", json_str(u, "id"));
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "invite"),
	    "state"), "accepted");
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "invite"),
	    "accepted_user_id"), user);
	ck_assert_str_eq(json_str(r.json, "team_id"), team);
	ck_assert_str_eq(json_str(r.json, "organisation_id"), gorg);
	reply_free(&r);

	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND id = '%s' AND "
	    "subject IS NULL AND status = 'active'", id, user), 1);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s' AND user_id = "
	    "'%s' AND domain = 'copilot' AND status = 'active'", id, user), 1);
	ck_assert_int_eq(db_count_where("team_members", "account_id = '%s' AND user_id = "
	    "'%s' AND team_id = '%s'", id, user, team), 1);
	ck_assert_int_eq(db_count_where("organisation_members", "account_id = '%s' AND "
	    "user_id = '%s' AND organisation_id = '%s'", id, user, gorg), 1);
	ck_assert_int_eq(db_count_where("invites", "id = '%s' AND status = 'accepted' "
	    "AND accepted_user_id = '%s' AND accepted_at IS NOT NULL", inv,
	    user), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'invite.accept' AND target_id = '%s' AND actor = '%s'", id, inv,
	    email), 1);
	assert_state(id, "copilot", inv, "accepted");
	lookup(&r, token);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "state"), "accepted");
	reply_free(&r);

	/* The first sign-in of that email adopts the user. */
	t = user_token(AS_END_USER, org, email);
	ck_assert(api_as(&r, t, "GET", "/v1/me/context", NULL) == 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	free(t);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s' AND id = '%s' AND "
	    "subject = 'sub-%s'", id, user, email), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 1);
}
END_TEST

/*
 * Accepted by someone the account knows: the same user, enrolled again
 * (its inactive enrolment made active), never a second row.
 */
START_TEST(test_accept_existing_user)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 token[TOKEN_LEN + 1], user[UUID_LEN + 1],
			 email2[128], user2[UUID_LEN + 1];
	const cJSON	*u;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	/* In Copilot, invited to Console. */
	(void)snprintf(email, sizeof(email), "old@%s.test", slug);
	seed_user(id, email, "copilot", "active", user);
	invite(id, "console", email, "", NULL, token);
	accept(&r, token, "");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	u = cJSON_GetObjectItem(r.json, "user");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(u, "created")));
	ck_assert_str_eq(json_str(u, "id"), user);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s' AND user_id = "
	    "'%s' AND status = 'active'", id, user), 2);
	/* Deactivated in Copilot, invited back: the enrolment is active. */
	(void)snprintf(email2, sizeof(email2), "back@%s.test", slug);
	seed_user(id, email2, "copilot", "inactive", user2);
	invite(id, "copilot", email2, "", NULL, token);
	ck_assert_int_eq(accept_status(token), 200);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s' AND user_id = "
	    "'%s' AND domain = 'copilot' AND status = 'active'", id, user2), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 2);
}
END_TEST

/* A token is good once. */
START_TEST(test_reuse)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 token[TOKEN_LEN + 1];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "once@%s.test", slug);
	invite(id, "copilot", email, "", NULL, token);
	ck_assert_int_eq(accept_status(token), 200);
	accept(&r, token, "");
	assert_error(&r, 409, "invite_used", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'invite.accept'", id), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 1);
}
END_TEST

/* Past its expiry: shown expired, refused 410, made good by a resend. */
START_TEST(test_expired)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 sql[256], inv[UUID_LEN + 1], token[TOKEN_LEN + 1],
			 path[160];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "late@%s.test", slug);
	invite(id, "copilot", email, "", inv, token);
	/* Sent eight days ago for seven. */
	(void)snprintf(sql, sizeof(sql), "UPDATE invites SET expires_at = "
	    "expires_at - interval '8 days', last_sent_at = last_sent_at - "
	    "interval '8 days' WHERE id = '%s'", inv);
	db_run(sql);
	assert_state(id, "copilot", inv, "expired");
	lookup(&r, token);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "state"), "expired");
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?status=expired",
	    NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	reply_free(&r);
	api_in_account(&r, id, "GET", "/v1/copilot/invites?status=pending",
	    NULL);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	accept(&r, token, "");
	assert_error(&r, 410, "invite_expired", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 0);
	ck_assert_int_eq(db_count_where("invites", "id = '%s' AND status = 'pending'",
	    inv), 1);
	/* Still pending in the store: a new invite must wait for a resend. */
	invites_path(path, sizeof(path), "copilot", NULL, NULL);
	(void)snprintf(sql, sizeof(sql), "{\"email\":\"%s\"}", email);
	api_in_account(&r, id, "POST", path, sql);
	assert_error(&r, 409, "invite_pending", "email");
	reply_free(&r);
	invites_path(path, sizeof(path), "copilot", inv, "resend");
	api_in_account(&r, id, "POST", path, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "state"), "pending");
	(void)snprintf(token, sizeof(token), "%s", json_str(r.json, "token"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("invites", "id = '%s' AND expires_at BETWEEN "
	    "now() + interval '6 days 23 hours' AND now() + interval '7 days "
	    "1 hour'", inv), 1);
	ck_assert_int_eq(accept_status(token), 200);
}
END_TEST

/* Revoked: its token refused 410; revoking or resending again is 409. */
START_TEST(test_revoke)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 inv[UUID_LEN + 1], token[TOKEN_LEN + 1], path[160];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "rev@%s.test", slug);
	invite(id, "copilot", email, "", inv, token);
	invites_path(path, sizeof(path), "copilot", inv, "revoke");
	api_in_account(&r, id, "POST", path, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "state"), "revoked");
	ck_assert(is_timestamp(json_str(r.json, "revoked_at")));
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "token"));
	reply_free(&r);
	api_in_account(&r, id, "POST", path, NULL);
	assert_error(&r, 409, "not_pending", NULL);
	reply_free(&r);
	accept(&r, token, "");
	assert_error(&r, 410, "invite_revoked", NULL);
	reply_free(&r);
	lookup(&r, token);
	ck_assert_str_eq(json_str(r.json, "state"), "revoked");
	reply_free(&r);
	invites_path(path, sizeof(path), "copilot", inv, "resend");
	api_in_account(&r, id, "POST", path, NULL);
	assert_error(&r, 409, "not_pending", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 0);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'invite.revoke'", id), 1);
	/* The email may be invited again. */
	invite(id, "copilot", email, "", NULL, NULL);
}
END_TEST

/* A resend: a new token, the old one dead, sent_count counted. */
START_TEST(test_resend)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 inv[UUID_LEN + 1], token[TOKEN_LEN + 1],
			 fresh_token[TOKEN_LEN + 1], path[160];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "again@%s.test", slug);
	invite(id, "console", email, ",\"expires_in\":3600", inv, token);
	invites_path(path, sizeof(path), "console", inv, "resend");
	api_in_account(&r, id, "POST", path, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(token_shaped(json_str(r.json, "token")));
	ck_assert_str_ne(json_str(r.json, "token"), token);
	ck_assert_ptr_nonnull(json_str(r.json, "accept_url"));
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "sent_count")->valueint,
	    2);
	(void)snprintf(fresh_token, sizeof(fresh_token), "%s",
	    json_str(r.json, "token"));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("invites", "id = '%s' AND expires_at BETWEEN "
	    "now() + interval '3500 seconds' AND now() + interval "
	    "'3700 seconds'", inv), 1);
	lookup(&r, token);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	accept(&r, token, "");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(accept_status(fresh_token), 200);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action "
	    "IN ('invite.create', 'invite.resend', 'invite.accept')", id), 3);
}
END_TEST

struct racer {
	pthread_t	 t;
	const char	*token;
	long		 status;
};

static void *
race(void *arg)
{
	struct racer	*w = arg;

	w->status = accept_status(w->token);
	return NULL;
}

/* Many accepts of one token at once: exactly one gets in. */
START_TEST(test_concurrent_accepts)
{
	struct racer	 w[RACERS];
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 token[TOKEN_LEN + 1];
	int		 i, ok = 0, used = 0;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "race@%s.test", slug);
	invite(id, "copilot", email, "", NULL, token);
	for (i = 0; i < RACERS; i++) {
		w[i].token = token;
		ck_assert_int_eq(pthread_create(&w[i].t, NULL, race, &w[i]),
		    0);
	}
	for (i = 0; i < RACERS; i++) {
		ck_assert_int_eq(pthread_join(w[i].t, NULL), 0);
		ok += w[i].status == 200;
		used += w[i].status == 409;
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(used, RACERS - 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 1);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s'", id), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'invite.accept'", id), 1);
}
END_TEST

/* Bad bodies are refused, naming the field, and change nothing. */
START_TEST(test_bad_bodies)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], path[128],
			 corg[UUID_LEN + 1], cteam[UUID_LEN + 1],
			 body[10][256];
	const char	*bad[][3] = {
		{ "{}", "422", "email" },
		{ "{\"email\":\"not-an-email\"}", "422", "email" },
		{ "{\"email\":7}", "422", "email" },
		{ "{\"email\":\"a@x.test\",\"expires_in\":60}", "422",
		    "expires_in" },
		{ "{\"email\":\"a@x.test\",\"expires_in\":2592001}", "422",
		    "expires_in" },
		{ "{\"email\":\"a@x.test\",\"expires_in\":\"1h\"}", "422",
		    "expires_in" },
		{ "{\"email\":\"a@x.test\",\"team_id\":\"nope\"}", "422",
		    "team_id" },
		{ "{\"email\":\"a@x.test\",\"account_id\":\"" NIL_ID "\"}",
		    "400", "account_id" },
		{ "{\"email\":\"a@x.test\",\"status\":\"accepted\"}", "400",
		    "status" },
		{ "{\"email\":\"a@x.test\",\"display_name\":\"\"}", "422",
		    "display_name" },
		{ "{\"email\":\"a@x.test\",\"organisation_id\":\"" NIL_ID "\"}",
		    "422", "organisation_id" },
		{ body[0], "422", "team_id" },
		{ body[1], "422", "organisation_id" },
		{ body[2], "422", "team_id" },
	};
	size_t		 i;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	seed_team(id, "console", corg, cteam);
	/* A Console team or organisation is not one of Copilot's. */
	(void)snprintf(body[0], sizeof(body[0]), "{\"email\":\"a@x.test\","
	    "\"team_id\":\"%s\"}", cteam);
	(void)snprintf(body[1], sizeof(body[1]), "{\"email\":\"a@x.test\","
	    "\"organisation_id\":\"%s\"}", corg);
	/* A team outside the organisation given. */
	(void)snprintf(path, sizeof(path), "SELECT id FROM organisations WHERE "
	    "account_id = '%s' AND is_global", id);
	db_text(path, corg, sizeof(corg));
	(void)snprintf(body[2], sizeof(body[2]), "{\"email\":\"a@x.test\","
	    "\"organisation_id\":\"%s\",\"team_id\":\"%s\"}", corg, NIL_ID);
	invites_path(path, sizeof(path), "copilot", NULL, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_in_account(&r, id, "POST", path, bad[i][0]);
		assert_error(&r, atol(bad[i][1]), atol(bad[i][1]) == 400 ?
		    "unknown_field" : "invalid_field", bad[i][2]);
		reply_free(&r);
	}
	ck_assert_int_eq(db_count_where("invites", "account_id = '%s'", id), 0);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action "
	    "LIKE 'invite.%%'", id), 0);
	/* Accept's. */
	ck_assert(http(&r, "POST", "/v1/invites/accept", "application/json",
	    "{}", 2, AUTH_NONE) == 0);
	assert_error(&r, 422, "invalid_field", "token");
	reply_free(&r);
	ck_assert(http(&r, "POST", "/v1/invites/accept", "application/json",
	    "{\"token\":5}", 11, AUTH_NONE) == 0);
	assert_error(&r, 422, "invalid_field", "token");
	reply_free(&r);
	accept(&r, "cki_x", ",\"role\":\"account_admin\"");
	assert_error(&r, 400, "unknown_field", "role");
	reply_free(&r);
}
END_TEST

/* One pending invite per email; none for a member already. */
START_TEST(test_conflicts)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 upper[128], path[128], body[256], user[UUID_LEN + 1],
			 inv[UUID_LEN + 1];
	size_t		 i;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "dup@%s.test", slug);
	invite(id, "copilot", email, "", inv, NULL);
	for (i = 0; email[i] != '\0'; i++)
		upper[i] = (char)(email[i] >= 'a' && email[i] <= 'z' ?
		    email[i] - 32 : email[i]);
	upper[i] = '\0';
	invites_path(path, sizeof(path), "copilot", NULL, NULL);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"}", upper);
	api_in_account(&r, id, "POST", path, body);
	assert_error(&r, 409, "invite_pending", "email");
	ck_assert_ptr_nonnull(strstr(json_str(cJSON_GetObjectItem(r.json,
	    "error"), "message"), inv));
	reply_free(&r);
	(void)snprintf(email, sizeof(email), "member@%s.test", slug);
	seed_user(id, email, "copilot", "active", user);
	(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	api_in_account(&r, id, "POST", path, body);
	assert_error(&r, 409, "already_member", "email");
	reply_free(&r);
	/* A member of Copilot may be invited to Console. */
	invite(id, "console", email, "", NULL, NULL);
	ck_assert_int_eq(db_count_where("invites", "account_id = '%s'", id), 2);
}
END_TEST

/* Another account's invites and teams are not there. */
START_TEST(test_foreign_ids)
{
	struct reply	 r;
	char		 a[UUID_LEN + 1], b[UUID_LEN + 1], slug[64], org[96],
			 email[128], inv[UUID_LEN + 1], path[160], body[256],
			 aorg[UUID_LEN + 1], ateam[UUID_LEN + 1], *t;
	static const char *const actions[] = { NULL, "revoke", "resend" };
	size_t		 i;

	fresh(a, slug, sizeof(slug), org, sizeof(org));
	seed_team(a, "copilot", aorg, ateam);
	(void)snprintf(email, sizeof(email), "mine@%s.test", slug);
	invite(a, "copilot", email, "", inv, NULL);
	fresh(b, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "admin@%s.test", slug);
	t = user_token(AS_ACCOUNT_ADMIN, org, email);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		invites_path(path, sizeof(path), "copilot", inv, actions[i]);
		ck_assert(api_as(&r, t, actions[i] == NULL ? "GET" : "POST",
		    path, NULL) == 0);
		assert_error(&r, 404, "not_found", NULL);
		reply_free(&r);
	}
	ck_assert(api_as(&r, t, "GET", "/v1/copilot/invites", NULL) == 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"email\":\"x@%s.test\","
	    "\"team_id\":\"%s\"}", slug, ateam);
	ck_assert(api_as(&r, t, "POST", "/v1/copilot/invites", body) == 0);
	assert_error(&r, 422, "invalid_field", "team_id");
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"email\":\"x@%s.test\","
	    "\"organisation_id\":\"%s\"}", slug, aorg);
	ck_assert(api_as(&r, t, "POST", "/v1/copilot/invites", body) == 0);
	assert_error(&r, 422, "invalid_field", "organisation_id");
	reply_free(&r);
	/* The account admin's own invite works. */
	(void)snprintf(body, sizeof(body), "{\"email\":\"y@%s.test\"}", slug);
	ck_assert(api_as(&r, t, "POST", "/v1/copilot/invites", body) == 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body.data);
	reply_free(&r);
	free(t);
	ck_assert_int_eq(db_count_where("invites", "account_id = '%s' AND status = "
	    "'pending'", a), 1);
	ck_assert_int_eq(db_count_where("invites", "account_id = '%s'", b), 1);
}
END_TEST

/* End users may not, nobody without credentials either. */
START_TEST(test_roles)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 inv[UUID_LEN + 1], path[160], *t;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "x@%s.test", slug);
	invite(id, "copilot", email, "", inv, NULL);
	(void)snprintf(email, sizeof(email), "end@%s.test", slug);
	t = user_token(AS_END_USER, org, email);
	ck_assert(api_as(&r, t, "POST", "/v1/copilot/invites",
	    "{\"email\":\"y@x.test\"}") == 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	ck_assert(api_as(&r, t, "GET", "/v1/console/invites", NULL) == 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	invites_path(path, sizeof(path), "copilot", inv, "revoke");
	ck_assert(api_as(&r, t, "POST", path, NULL) == 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	free(t);
	ck_assert(http(&r, "GET", "/v1/copilot/invites", NULL, NULL, 0,
	    AUTH_NONE) == 0);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
	assert_state(id, "copilot", inv, "pending");
}
END_TEST

/* The plan's users are all taken: a new user cannot accept, yet. */
START_TEST(test_quota_at_accept)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 token[TOKEN_LEN + 1], inv[UUID_LEN + 1],
			 user[UUID_LEN + 1], email2[128], token2[TOKEN_LEN + 1];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email2, sizeof(email2), "seat@%s.test", slug);
	seed_user(id, email2, NULL, NULL, user);
	limit_users(id, 1);
	(void)snprintf(email, sizeof(email), "noseat@%s.test", slug);
	invite(id, "copilot", email, "", inv, token);
	invite(id, "copilot", email2, "", NULL, token2);
	accept(&r, token, "");
	assert_error(&r, 409, "quota_exceeded", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("invites", "id = '%s' AND status = 'pending'",
	    inv), 1);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 1);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND action = "
	    "'invite.accept'", id), 0);
	/* An active user takes no new seat. */
	ck_assert_int_eq(accept_status(token2), 200);
	/* Room again: the first invite is still good. */
	limit_users(id, 2);
	ck_assert_int_eq(accept_status(token), 200);
}
END_TEST

/* Lookup: unknown and malformed tokens answer alike. */
START_TEST(test_lookup_answers)
{
	struct reply	 r, s;
	const char	*unknown = "cki_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

	lookup(&r, unknown);
	assert_error(&r, 404, "not_found", NULL);
	lookup(&s, "cki_short");
	assert_error(&s, 404, "not_found", NULL);
	ck_assert_str_eq(json_str(cJSON_GetObjectItem(r.json, "error"),
	    "message"), json_str(cJSON_GetObjectItem(s.json, "error"),
	    "message"));
	reply_free(&r);
	reply_free(&s);
	lookup(&r, "ck_notaninvitetoken");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert(http(&r, "GET", "/v1/invites/lookup", NULL, NULL, 0,
	    AUTH_NONE) == 0);
	assert_error(&r, 400, "invalid_parameter", "token");
	reply_free(&r);
	ck_assert(http(&r, "GET", "/v1/invites/lookup?token=x&email=y", NULL,
	    NULL, 0, AUTH_NONE) == 0);
	assert_error(&r, 400, "unknown_parameter", "email");
	reply_free(&r);
	accept(&r, unknown, "");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	accept(&r, "cki_short", "");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
}
END_TEST

/* A team deleted after the invite: accepted without that membership. */
START_TEST(test_team_gone)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 gorg[UUID_LEN + 1], team[UUID_LEN + 1], extra[128],
			 token[TOKEN_LEN + 1], sql[256];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	seed_team(id, "copilot", gorg, team);
	(void)snprintf(email, sizeof(email), "gone@%s.test", slug);
	(void)snprintf(extra, sizeof(extra), ",\"team_id\":\"%s\"", team);
	invite(id, "copilot", email, extra, NULL, token);
	(void)snprintf(sql, sizeof(sql), "DELETE FROM teams WHERE id = '%s'",
	    team);
	db_run(sql);
	accept(&r, token, "");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "team_id")));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("team_members", "account_id = '%s'", id), 0);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s'", id), 1);
}
END_TEST

/* A suspended account's invites cannot be accepted. */
START_TEST(test_suspended_account)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 token[TOKEN_LEN + 1], path[160];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "sus@%s.test", slug);
	invite(id, "copilot", email, "", NULL, token);
	(void)snprintf(path, sizeof(path), "/v1/accounts/%s/status", id);
	api_post_json(&r, path, "{\"status\":\"suspended\"}");
	ck_assert_int_eq(r.status, 200);
	reply_free(&r);
	accept(&r, token, "");
	assert_error(&r, 403, "account_suspended", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 0);
}
END_TEST

/* The token never reaches a log: nginx's line has no query. */
START_TEST(test_token_not_logged)
{
	struct reply	 r;
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128],
			 token[TOKEN_LEN + 1], rid[128], needle[160];

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "log@%s.test", slug);
	invite(id, "copilot", email, "", NULL, token);
	lookup(&r, token);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", rid, sizeof(rid)),
	    0);
	reply_free(&r);
	ck_assert_int_eq(accept_status(token), 200);
	(void)snprintf(needle, sizeof(needle), "id=%s", rid);
	ck_assert(log_contains("nginx-access", needle));
	ck_assert(log_contains("nginx-access", "/v1/invites/lookup"));
	ck_assert(!log_contains("nginx-access", token));
	ck_assert(!log_contains("invites", token));
}
END_TEST

struct pair {
	pthread_t	 t;
	char		 token[TOKEN_LEN + 1];
	long		 status;
};

static void *
accept_one(void *arg)
{
	struct pair	*p = arg;

	p->status = accept_status(p->token);
	return NULL;
}

/* One new person accepting both domains' invites at once: one user. */
START_TEST(test_concurrent_domains)
{
	struct pair	 p[2];
	char		 id[UUID_LEN + 1], slug[64], org[96], email[128];
	int		 i;

	fresh(id, slug, sizeof(slug), org, sizeof(org));
	(void)snprintf(email, sizeof(email), "both@%s.test", slug);
	invite(id, "copilot", email, "", NULL, p[0].token);
	invite(id, "console", email, "", NULL, p[1].token);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&p[i].t, NULL, accept_one,
		    &p[i]), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(p[i].t, NULL), 0);
		ck_assert_int_eq(p[i].status, 200);
	}
	ck_assert_int_eq(db_count_where("users", "account_id = '%s'", id), 1);
	ck_assert_int_eq(db_count_where("domain_users", "account_id = '%s' AND status "
	    "= 'active'", id), 2);
}
END_TEST

static Suite *
invites_suite(void)
{
	Suite	*s = suite_create("invites");
	TCase	*tc = tcase_create("invites");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_create_copilot_with_team);
	tcase_add_test(tc, test_create_console);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_accept_new_user);
	tcase_add_test(tc, test_accept_existing_user);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_revoke);
	tcase_add_test(tc, test_resend);
	tcase_add_test(tc, test_concurrent_accepts);
	tcase_add_test(tc, test_bad_bodies);
	tcase_add_test(tc, test_conflicts);
	tcase_add_test(tc, test_foreign_ids);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_quota_at_accept);
	tcase_add_test(tc, test_lookup_answers);
	tcase_add_test(tc, test_team_gone);
	tcase_add_test(tc, test_suspended_account);
	tcase_add_test(tc, test_token_not_logged);
	tcase_add_test(tc, test_concurrent_domains);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(invites_suite());
}
