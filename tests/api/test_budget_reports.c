/*
 * The read side of budgets.fcgi (cgi-bin/budgets/reports.c) against the
 * real stack: a user's Effective Allocation level by level and the rule
 * that decided it; usage records, pools per period (past ones too) and
 * cost breakdowns, filtered and paged (and the allocations and User
 * Overrides, paged); the alerts the thresholds make; the webhook whose
 * secret is shown once and kept sealed, and whose URL may be http:// or
 * a private address only when the operator allows it (budgets.fcgi
 * restarted without COCKPIT_ALLOW_PRIVATE_URLS, last); the platform's
 * credit factors, which change what the next usage costs. End users see
 * only their own allocation, and no account sees another's data.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "harness.h"
#include "secret.h"

#define B	"/v1/budgets/copilot"

/* An account to work in, mapped to the test IdP's organisation org. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 slug[64];
	char	 org[96];
};

/* Runs sql as the owner; its one text value into out. */
static void
owner_text(const char *sql, char *out, size_t len)
{
	PGconn		*c = db_owner();
	PGresult	*res = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	(void)snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
}

/* A request in the account, as a super admin; the path a format. */
static void	call(struct reply *, const struct acct *, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));

static void
call(struct reply *r, const struct acct *a, const char *method,
    const char *json, const char *fmt, ...)
{
	char	 path[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(path));
	api_in_account(r, a->id, method, path, json);
}

/* The same as the principal whose token is secret. */
static void	call_as(struct reply *, const char *, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));

static void
call_as(struct reply *r, const char *secret, const char *method,
    const char *json, const char *fmt, ...)
{
	char	 path[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(path));
	ck_assert_msg(api_as(r, secret, method, path, json) == 0,
	    "%s %s: no answer", method, path);
}

static void
expect(const struct reply *r, long status)
{
	ck_assert_msg(r->status == status, "status %ld, expected %ld: %s",
	    r->status, status, r->body.data != NULL ? r->body.data : "");
}

/* Sets the account's credits per period (super admin). */
static void
set_credits(const struct acct *a, const char *credits)
{
	struct reply	 r;
	char		 body[200];

	(void)snprintf(body, sizeof(body), "{\"account_id\":\"%s\","
	    "\"credits\":\"%s\"}", a->id, credits);
	api_post_json(&r, "/v1/budgets/account-allocation", body);
	expect(&r, 200);
	reply_free(&r);
}

/* A new account with credits per period (NULL: none granted). */
static void
acct_new(struct acct *a, const char *credits)
{
	unique_slug(a->slug, sizeof(a->slug), "rep");
	create_account("Reports", a->slug, a->id);
	(void)snprintf(a->org, sizeof(a->org), "org-%s", a->slug);
	account_set_org(a->id, a->org);
	if (credits != NULL)
		set_credits(a, credits);
}

/* local@<slug>.test into out. */
static void
email_of(const struct acct *a, const char *local, char *out, size_t len)
{
	ck_assert_int_lt(snprintf(out, len, "%s@%s.test", local, a->slug),
	    (int)len);
}

/* A Copilot user local@<slug>.test named name (NULL: none); its id. */
static void
user_new(const struct acct *a, const char *local, const char *name,
    char *id)
{
	struct reply	 r;
	char		 email[128], body[300];

	email_of(a, local, email, sizeof(email));
	if (name != NULL)
		(void)snprintf(body, sizeof(body), "{\"email\":\"%s\","
		    "\"display_name\":\"%s\"}", email, name);
	else
		(void)snprintf(body, sizeof(body), "{\"email\":\"%s\"}", email);
	call(&r, a, "POST", body, "/v1/copilot/users");
	expect(&r, 201);
	(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
}

/* A team named name with the users (ids, comma-separated JSON). */
static void
team_new(const struct acct *a, const char *name, const char *users, char *id)
{
	struct reply	 r;
	char		 body[600];

	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	call(&r, a, "POST", body, "/v1/copilot/teams");
	expect(&r, 201);
	(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	reply_free(&r);
	(void)snprintf(body, sizeof(body), "{\"users\":[%s]}", users);
	call(&r, a, "POST", body, "/v1/copilot/teams/%s/members", id);
	ck_assert_msg(r.status == 200 || r.status == 201, "members: %ld %s",
	    r.status, r.body.data);
	reply_free(&r);
}

/* POSTs json to path in the account: 200 or 201. */
static void
change(const struct acct *a, const char *path, const char *json)
{
	struct reply	 r;

	call(&r, a, "POST", json, "%s", path);
	ck_assert_msg(r.status == 200 || r.status == 201, "%s %s: %ld %s",
	    path, json, r.status, r.body.data);
	reply_free(&r);
}

/* Allocates credits to the scope (type, id) from the account. */
static void
allocate(const struct acct *a, const char *type, const char *id,
    const char *credits)
{
	char	 body[300];

	(void)snprintf(body, sizeof(body), "{\"scope\":{\"type\":\"%s\","
	    "\"id\":\"%s\"},\"credits\":\"%s\"}", type, id, credits);
	change(a, B "/allocations/upsert", body);
}

/* A new idempotency key. */
static void
new_key(char *out, size_t len)
{
	static unsigned	 n;

	(void)snprintf(out, len, "rep-%ld-%u", (long)getpid(), n++);
}

/*
 * Records a usage of the user (id or email) in the account: model, cost,
 * and extra members (",..." or ""); expects status, answers the reply.
 */
static void
record_r(struct reply *r, const struct acct *a, const char *user,
    const char *model, const char *cost, const char *extra, long status)
{
	char	 body[800], key[64];

	new_key(key, sizeof(key));
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\"%s\","
	    "\"cost\":\"%s\",\"idempotency_key\":\"%s\"%s}", user, model, cost,
	    key, extra);
	call(r, a, "POST", body, B "/usage");
	expect(r, status);
}

static void
record(const struct acct *a, const char *user, const char *model,
    const char *cost, const char *extra)
{
	struct reply	 r;

	record_r(&r, a, user, model, cost, extra, 200);
	reply_free(&r);
}

/* A model name no other test uses. */
static void
model_name(char *out, size_t len, const char *what)
{
	static unsigned	 n;

	(void)snprintf(out, len, "rep-%s-%ld-%u", what, (long)getpid(), n++);
}

/* obj.a.b as a string (b NULL: obj.a). */
static const char *
str2(const cJSON *obj, const char *a, const char *b)
{
	const cJSON	*o = cJSON_GetObjectItemCaseSensitive(obj, a);

	return b == NULL ? cJSON_GetStringValue(o) :
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, b));
}

static void
assert_str(const char *got, const char *want)
{
	ck_assert_msg(got != NULL && strcmp(got, want) == 0, "\"%s\", "
	    "expected \"%s\"", got != NULL ? got : "(null)", want);
}

/*
 * A level of an effective allocation: its scope (type, id), rule, limit,
 * spent, held, remaining, and the type of the scope it was allocated
 * from (NULL: null).
 */
static void
assert_level(const cJSON *l, const char *type, const char *id,
    const char *rule, const char *limit, const char *spent, const char *held,
    const char *remaining, const char *from)
{
	const cJSON	*f;

	ck_assert_ptr_nonnull(l);
	assert_str(str2(l, "scope", "type"), type);
	assert_str(str2(l, "scope", "id"), id);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(l,
	    "scope"), "name"));
	assert_str(str2(l, "rule", NULL), rule);
	assert_str(str2(l, "limit", NULL), limit);
	assert_str(str2(l, "spent", NULL), spent);
	assert_str(str2(l, "held", NULL), held);
	assert_str(str2(l, "remaining", NULL), remaining);
	f = cJSON_GetObjectItemCaseSensitive(l, "allocated_from");
	if (from == NULL)
		ck_assert(cJSON_IsNull(f));
	else
		assert_str(str2(l, "allocated_from", "type"), from);
}

static const cJSON *
levels(const struct reply *r)
{
	const cJSON	*l = cJSON_GetObjectItemCaseSensitive(r->json, "levels");

	ck_assert_msg(cJSON_IsArray(l), "no levels: %s", r->body.data);
	return l;
}

/* A fresh account: users a (override), b (nothing), c (team), d (own). */
struct world {
	struct acct	 a;
	char		 ua[UUID_LEN + 1], ub[UUID_LEN + 1], uc[UUID_LEN + 1],
			 ud[UUID_LEN + 1], team[UUID_LEN + 1];
	char		 model[96];
};

static void
world_new(struct world *w)
{
	char	 users[200], body[300];

	acct_new(&w->a, "100");
	user_new(&w->a, "a", "Alice", w->ua);
	user_new(&w->a, "b", NULL, w->ub);
	user_new(&w->a, "c", "Carol", w->uc);
	user_new(&w->a, "d", "Dan", w->ud);
	(void)snprintf(users, sizeof(users), "\"%s\",\"%s\"", w->ua, w->uc);
	team_new(&w->a, "Blue", users, w->team);
	allocate(&w->a, "team", w->team, "50");
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"credits\":\"10\","
	    "\"from\":{\"type\":\"team\",\"id\":\"%s\"}}", w->ua, w->team);
	change(&w->a, B "/overrides", body);
	allocate(&w->a, "user", w->ud, "5");
	model_name(w->model, sizeof(w->model), "m");
}

/* Each level of the user's path, in lock order, and the rule deciding. */
START_TEST(test_effective_allocation_levels)
{
	struct world	 w;
	struct reply	 r;
	char		 body[300], email[128];
	const cJSON	*l;

	world_new(&w);
	record(&w.a, w.ua, w.model, "4", "");
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"model\":\"%s\","
	    "\"estimated_cost\":\"1\",\"idempotency_key\":\"hold-%s\"}", w.ua,
	    w.model, w.ua);
	call(&r, &w.a, "POST", body, B "/reservations");
	expect(&r, 201);
	reply_free(&r);

	/* Alice: her User Override, then the team, then the account. */
	call(&r, &w.a, "GET", NULL, B "/effective-allocation?user=%s", w.ua);
	expect(&r, 200);
	assert_str(str2(r.json, "user", "id"), w.ua);
	email_of(&w.a, "a", email, sizeof(email));
	assert_str(str2(r.json, "user", "email"), email);
	assert_str(str2(r.json, "user", "display_name"), "Alice");
	ck_assert(is_timestamp(str2(r.json, "period", "start")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "period"), "end")));
	l = levels(&r);
	ck_assert_int_eq(cJSON_GetArraySize(l), 3);
	assert_level(cJSON_GetArrayItem(l, 0), "user", w.ua, "override", "10",
	    "4", "1", "5", "team");
	assert_level(cJSON_GetArrayItem(l, 1), "team", w.team, "allocation",
	    "50", "4", "1", "45", "account");
	assert_level(cJSON_GetArrayItem(l, 2), "account", w.a.id, "account",
	    "100", "4", "1", "95", NULL);
	assert_str(str2(cJSON_GetArrayItem(l, 0), "scope", "name"), "Alice");
	assert_str(str2(cJSON_GetArrayItem(l, 1), "scope", "name"), "Blue");
	assert_str(str2(cJSON_GetArrayItem(l, 2), "scope", "name"), "Reports");
	assert_str(str2(r.json, "user_rule", NULL), "override");
	assert_str(str2(r.json, "limited_by", "id"), w.ua);
	assert_str(str2(r.json, "remaining", NULL), "5");
	reply_free(&r);

	/* The same user named by email, in another letter case. */
	email_of(&w.a, "A", email, sizeof(email));
	call(&r, &w.a, "GET", NULL, B "/effective-allocation?user=%s", email);
	expect(&r, 200);
	assert_str(str2(r.json, "user", "id"), w.ua);
	reply_free(&r);

	/* Carol has no pool: she inherits the team's, which limits first. */
	call(&r, &w.a, "GET", NULL, B "/effective-allocation?user=%s", w.uc);
	expect(&r, 200);
	l = levels(&r);
	ck_assert_int_eq(cJSON_GetArraySize(l), 2);
	assert_level(cJSON_GetArrayItem(l, 0), "team", w.team, "allocation",
	    "50", "4", "1", "45", "account");
	assert_str(str2(r.json, "user_rule", NULL), "inheritance");
	assert_str(str2(r.json, "limited_by", "type"), "team");
	assert_str(str2(r.json, "remaining", NULL), "45");
	reply_free(&r);

	/* Bob: the account alone. */
	call(&r, &w.a, "GET", NULL, B "/effective-allocation?user=%s", w.ub);
	expect(&r, 200);
	l = levels(&r);
	ck_assert_int_eq(cJSON_GetArraySize(l), 1);
	assert_level(cJSON_GetArrayItem(l, 0), "account", w.a.id, "account",
	    "100", "4", "1", "95", NULL);
	assert_str(str2(r.json, "user", "id"), w.ub);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "user"), "display_name")));
	assert_str(str2(r.json, "user_rule", NULL), "inheritance");
	assert_str(str2(r.json, "limited_by", "type"), "account");
	assert_str(str2(r.json, "remaining", NULL), "95");
	reply_free(&r);

	/* Dan: an allocation of his own. */
	call(&r, &w.a, "GET", NULL, B "/effective-allocation?user=%s", w.ud);
	expect(&r, 200);
	l = levels(&r);
	ck_assert_int_eq(cJSON_GetArraySize(l), 2);
	assert_level(cJSON_GetArrayItem(l, 0), "user", w.ud, "allocation",
	    "5", "0", "0", "5", "account");
	assert_str(str2(r.json, "user_rule", NULL), "allocation");
	assert_str(str2(r.json, "remaining", NULL), "5");
	reply_free(&r);

	/* Alice again in the context of her team: the same path. */
	call(&r, &w.a, "GET", NULL, B "/effective-allocation?user=%s"
	    "&team_id=%s", w.ua, w.team);
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(levels(&r)), 3);
	reply_free(&r);
}
END_TEST

/* Unknown users and contexts, foreign ids, bad parameters. */
START_TEST(test_effective_allocation_refusals)
{
	struct acct	 a, o;
	struct reply	 r;
	char		 ua[UUID_LEN + 1], ub[UUID_LEN + 1], uo[UUID_LEN + 1],
			 team[UUID_LEN + 1], oteam[UUID_LEN + 1], email[128],
			 users[64];

	acct_new(&a, "10");
	acct_new(&o, "10");
	user_new(&a, "a", NULL, ua);
	user_new(&a, "b", NULL, ub);
	user_new(&o, "x", NULL, uo);
	(void)snprintf(users, sizeof(users), "\"%s\"", ua);
	team_new(&a, "Red", users, team);
	(void)snprintf(users, sizeof(users), "\"%s\"", uo);
	team_new(&o, "Theirs", users, oteam);

	call(&r, &a, "GET", NULL, B "/effective-allocation?user=nobody@%s.test",
	    a.slug);
	assert_error(&r, 404, "not_found", "user");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s", NIL_ID);
	assert_error(&r, 404, "not_found", "user");
	reply_free(&r);
	/* Another account's user, by id and by email: as if none. */
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s", uo);
	assert_error(&r, 404, "not_found", "user");
	reply_free(&r);
	email_of(&o, "x", email, sizeof(email));
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s", email);
	assert_error(&r, 404, "not_found", "user");
	reply_free(&r);
	/* Another account's team; a team the user is not in. */
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s&team_id=%s",
	    ua, oteam);
	assert_error(&r, 404, "not_found", "team_id");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s&team_id=%s",
	    ub, team);
	assert_error(&r, 400, "invalid_parameter", "team_id");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s"
	    "&organisation_id=%s", ua, NIL_ID);
	assert_error(&r, 404, "not_found", "organisation_id");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s&team_id=x",
	    ua);
	assert_error(&r, 400, "invalid_parameter", "team_id");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=%s&scope=1",
	    ua);
	assert_error(&r, 400, "unknown_parameter", "scope");
	reply_free(&r);
	/* The master key is no user: it must name one. */
	call(&r, &a, "GET", NULL, B "/effective-allocation");
	assert_error(&r, 400, "invalid_parameter", "user");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/effective-allocation?user=");
	assert_error(&r, 400, "invalid_parameter", "user");
	reply_free(&r);
	api_get(&r, B "/effective-allocation?user=x@y.test");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
}
END_TEST

/* End users ask about themselves only; admins about anyone of theirs. */
START_TEST(test_effective_allocation_end_user)
{
	struct acct	 a, o;
	struct reply	 r;
	char		 me[UUID_LEN + 1], other[UUID_LEN + 1],
			 theirs[UUID_LEN + 1], email[128], admin_email[128];
	char		*user, *admin;

	acct_new(&a, "20");
	acct_new(&o, "20");
	user_new(&a, "me", "Me", me);
	user_new(&a, "other", NULL, other);
	user_new(&o, "theirs", NULL, theirs);
	email_of(&a, "me", email, sizeof(email));
	email_of(&a, "admin", admin_email, sizeof(admin_email));
	user = user_token(AS_END_USER, a.org, email);
	admin = user_token(AS_ACCOUNT_ADMIN, a.org, admin_email);

	call_as(&r, user, "GET", NULL, B "/effective-allocation");
	expect(&r, 200);
	assert_str(str2(r.json, "user", "id"), me);
	assert_str(str2(r.json, "remaining", NULL), "20");
	reply_free(&r);
	call_as(&r, user, "GET", NULL, B "/effective-allocation?user=%s", email);
	expect(&r, 200);
	assert_str(str2(r.json, "user", "id"), me);
	reply_free(&r);
	call_as(&r, user, "GET", NULL, B "/effective-allocation?user=%s", me);
	expect(&r, 200);
	reply_free(&r);
	/* Anyone else, known or not, in the account or not: 403. */
	call_as(&r, user, "GET", NULL, B "/effective-allocation?user=%s",
	    other);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	call_as(&r, user, "GET", NULL, B "/effective-allocation?user=%s",
	    admin_email);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	call_as(&r, user, "GET", NULL, B "/effective-allocation?user=%s",
	    theirs);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	call_as(&r, user, "GET", NULL,
	    B "/effective-allocation?user=nobody@nowhere.test");
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);

	/* An account admin asks about anyone of the account, no one else. */
	call_as(&r, admin, "GET", NULL, B "/effective-allocation?user=%s",
	    other);
	expect(&r, 200);
	assert_str(str2(r.json, "user", "id"), other);
	reply_free(&r);
	call_as(&r, admin, "GET", NULL, B "/effective-allocation?user=%s",
	    email);
	expect(&r, 200);
	assert_str(str2(r.json, "user", "id"), me);
	reply_free(&r);
	call_as(&r, admin, "GET", NULL, B "/effective-allocation?user=%s",
	    theirs);
	assert_error(&r, 404, "not_found", "user");
	reply_free(&r);
	free(user);
	free(admin);
}
END_TEST

/* A cursor made of raw, as the lists encode theirs. */
static void
forged(char *out, size_t len, const char *raw)
{
	ck_assert_uint_ge(len, B64URL_LEN(strlen(raw)) + 1);
	b64url_encode((const unsigned char *)raw, strlen(raw), out);
}

/* Walks a list's pages of limit, counting items; ids into seen. */
static int
walk(const struct acct *a, const char *path, int limit, char ids[][48],
    int max)
{
	struct reply	 r;
	char		 cursor[1400] = "";
	const cJSON	*it;
	const char	*next;
	int		 n = 0, pages = 0;

	do {
		if (*cursor == '\0')
			call(&r, a, "GET", NULL, "%s%slimit=%d", path,
			    strchr(path, '?') != NULL ? "&" : "?", limit);
		else
			call(&r, a, "GET", NULL, "%s%slimit=%d&cursor=%s", path,
			    strchr(path, '?') != NULL ? "&" : "?", limit,
			    cursor);
		expect(&r, 200);
		ck_assert_int_le(cJSON_GetArraySize(json_items(&r)), limit);
		cJSON_ArrayForEach(it, json_items(&r)) {
			ck_assert_int_lt(n, max);
			(void)snprintf(ids[n++], 48, "%s", str2(it, "id", NULL) !=
			    NULL ? str2(it, "id", NULL) : str2(it, "scope",
			    "id"));
		}
		next = str2(r.json, "next_cursor", NULL);
		ck_assert(next != NULL || cJSON_IsNull(cJSON_GetObjectItem(
		    r.json, "next_cursor")));
		(void)snprintf(cursor, sizeof(cursor), "%s", next != NULL ?
		    next : "");
		reply_free(&r);
		ck_assert_int_lt(++pages, 100);
	} while (*cursor != '\0');
	return n;
}

/* The number of items of GET path (one page of 200). */
static int
count_items(const struct acct *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
count_items(const struct acct *a, const char *fmt, ...)
{
	struct reply	 r;
	char		 path[1024];
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	(void)vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	call(&r, a, "GET", NULL, "%s", path);
	expect(&r, 200);
	n = cJSON_GetArraySize(json_items(&r));
	reply_free(&r);
	return n;
}

/* Usage records: newest first, every filter, pages, refusals. */
START_TEST(test_usage_list)
{
	struct acct	 a, o;
	struct reply	 r;
	char		 ua[UUID_LEN + 1], ub[UUID_LEN + 1], team[UUID_LEN + 1],
			 users[64], extra[128], email[128], m1[96], m2[96],
			 ids[10][48], cursor[128];
	const cJSON	*it;
	int		 i, n;

	acct_new(&a, "1000");
	acct_new(&o, "1000");
	user_new(&a, "a", "Ann", ua);
	user_new(&a, "b", NULL, ub);
	(void)snprintf(users, sizeof(users), "\"%s\"", ua);
	team_new(&a, "Green", users, team);
	model_name(m1, sizeof(m1), "gpt");
	model_name(m2, sizeof(m2), "claude");
	(void)snprintf(extra, sizeof(extra), ",\"team_id\":\"%s\","
	    "\"input_tokens\":7,\"output_tokens\":3", team);
	record(&a, ua, m1, "1", "");
	record(&a, ua, m1, "2", "");
	record(&a, ua, m1, "3", extra);
	record(&a, ub, m2, "4", "");
	record(&a, ub, m2, "5", "");

	/* Newest first, with what was recorded. */
	call(&r, &a, "GET", NULL, B "/usage");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 5);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
	it = cJSON_GetArrayItem(json_items(&r), 0);
	assert_str(str2(it, "cost", NULL), "5");
	assert_str(str2(it, "credits", NULL), "5");
	assert_str(str2(it, "model", NULL), m2);
	assert_str(str2(it, "user", "id"), ub);
	ck_assert(is_timestamp(str2(it, "occurred_at", NULL)));
	ck_assert(is_timestamp(str2(it, "period_start", NULL)));
	ck_assert_ptr_nonnull(str2(it, "idempotency_key", NULL));
	ck_assert_ptr_nonnull(str2(it, "credits_factor", NULL));
	it = cJSON_GetArrayItem(json_items(&r), 2);
	assert_str(str2(it, "cost", NULL), "3");
	assert_str(str2(it, "team_id", NULL), team);
	assert_str(str2(it, "user", "display_name"), "Ann");
	ck_assert_int_eq(cJSON_GetObjectItem(it, "input_tokens")->valueint, 7);
	ck_assert_int_eq(cJSON_GetObjectItem(it, "output_tokens")->valueint,
	    3);
	for (i = 1; i < 5; i++)
		ck_assert_int_gt(atoi(str2(cJSON_GetArrayItem(json_items(&r),
		    i - 1), "id", NULL)), atoi(str2(cJSON_GetArrayItem(
		    json_items(&r), i), "id", NULL)));
	reply_free(&r);

	/* Pages of 2 walk all five once. */
	n = walk(&a, B "/usage", 2, ids, 10);
	ck_assert_int_eq(n, 5);
	for (i = 1; i < n; i++)
		ck_assert_int_gt(atoi(ids[i - 1]), atoi(ids[i]));

	/* Filters. */
	email_of(&a, "a", email, sizeof(email));
	ck_assert_int_eq(count_items(&a, B "/usage?user=%s", email), 3);
	ck_assert_int_eq(count_items(&a, B "/usage?user=%s", ub), 2);
	ck_assert_int_eq(count_items(&a, B "/usage?user=nobody@x.test"), 0);
	ck_assert_int_eq(count_items(&a, B "/usage?model=%s", m2), 2);
	ck_assert_int_eq(count_items(&a, B "/usage?model=%s&user=%s", m2, ua),
	    0);
	ck_assert_int_eq(count_items(&a, B "/usage?team_id=%s", team), 1);
	ck_assert_int_eq(count_items(&a, B "/usage?organisation_id=%s", team),
	    0);
	ck_assert_int_eq(count_items(&a, B "/usage?from=2000-01-01"), 5);
	ck_assert_int_eq(count_items(&a, B "/usage?to=2000-01-01T00:00:00Z"),
	    0);
	ck_assert_int_eq(count_items(&a, B "/usage?from=9999-01-01T00:00:00"
	    ".5%%2B02:00"), 0);
	ck_assert_int_eq(count_items(&a, B "/usage?from=2000-01-01T00:00:00Z"
	    "&to=9999-12-31"), 5);

	/* Another account's records are not there; theirs are not here. */
	ck_assert_int_eq(count_items(&o, B "/usage"), 0);
	ck_assert_int_eq(count_items(&o, B "/usage?user=%s", ua), 0);

	/* Refusals. */
	call(&r, &a, "GET", NULL, B "/usage?from=2026-02-30");
	assert_error(&r, 400, "invalid_parameter", "from");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?to=yesterday");
	assert_error(&r, 400, "invalid_parameter", "to");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?from=2026-01-01T25:00:00Z");
	assert_error(&r, 400, "invalid_parameter", "from");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?team_id=blue");
	assert_error(&r, 400, "invalid_parameter", "team_id");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?limit=0");
	assert_error(&r, 400, "invalid_parameter", "limit");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?limit=201");
	assert_error(&r, 400, "invalid_parameter", "limit");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?cursor=bm9wZQ");
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	/* Forged cursors, well encoded: a day no calendar has, a huge id. */
	forged(cursor, sizeof(cursor), "u|2026-13-45T00:00:00.000000Z|5");
	call(&r, &a, "GET", NULL, B "/usage?cursor=%s", cursor);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	forged(cursor, sizeof(cursor), "u|2026-01-01T00:00:00.000000Z|"
	    "99999999999999999999");
	call(&r, &a, "GET", NULL, B "/usage?cursor=%s", cursor);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	forged(cursor, sizeof(cursor), "u|2026-01-01T00:00:00.000000Z|5");
	call(&r, &a, "GET", NULL, B "/usage?cursor=%s", cursor);
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?model=");
	assert_error(&r, 400, "invalid_parameter", "model");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/usage?page=2");
	assert_error(&r, 400, "unknown_parameter", "page");
	reply_free(&r);
	api_get(&r, B "/usage");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
}
END_TEST

/* The item of GET usage-by-scope whose scope is (type, id), or NULL. */
static const cJSON *
pool_of(const struct reply *r, const char *type, const char *id)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, json_items(r))
		if (strcmp(str2(it, "scope", "type"), type) == 0 &&
		    strcmp(str2(it, "scope", "id"), id) == 0)
			return it;
	return NULL;
}

static void
assert_pool(const cJSON *p, const char *rule, const char *limit,
    const char *spent, const char *remaining, const char *allocated,
    const char *unallocated)
{
	ck_assert_ptr_nonnull(p);
	assert_str(str2(p, "rule", NULL), rule);
	assert_str(str2(p, "limit", NULL), limit);
	assert_str(str2(p, "spent", NULL), spent);
	assert_str(str2(p, "held", NULL), "0");
	assert_str(str2(p, "remaining", NULL), remaining);
	assert_str(str2(p, "allocated", NULL), allocated);
	assert_str(str2(p, "unallocated", NULL), unallocated);
}

/* Every pool in the period: limits, spend, what is allocated below. */
START_TEST(test_usage_by_scope)
{
	struct world	 w;
	struct reply	 r;
	char		 ids[10][48];
	const cJSON	*p;

	world_new(&w);
	record(&w.a, w.ua, w.model, "4", "");
	record(&w.a, w.ud, w.model, "2", "");

	call(&r, &w.a, "GET", NULL, B "/usage-by-scope");
	expect(&r, 200);
	ck_assert(is_timestamp(str2(r.json, "period", "start")));
	ck_assert(cJSON_GetArraySize(cJSON_GetObjectItem(r.json,
	    "periods")) >= 1);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 4);
	/* The account first; then the team, then users by name. */
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 0), "scope",
	    "type"), "account");
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 1), "scope",
	    "type"), "team");
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 2), "scope",
	    "name"), "Alice");
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 3), "scope",
	    "name"), "Dan");
	assert_pool(pool_of(&r, "account", w.a.id), "account", "100", "6",
	    "94", "55", "45");
	assert_pool(pool_of(&r, "team", w.team), "allocation", "50", "4", "46",
	    "10", "40");
	assert_pool(pool_of(&r, "user", w.ua), "override", "10", "4", "6", "0",
	    "10");
	assert_pool(pool_of(&r, "user", w.ud), "allocation", "5", "2", "3", "0",
	    "5");
	p = pool_of(&r, "user", w.ua);
	assert_str(str2(p, "allocated_from", "id"), w.team);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(p, "active")));
	ck_assert_ptr_null(pool_of(&r, "user", w.ub));
	reply_free(&r);

	/* period=current is the same; a type narrows; pages walk them. */
	ck_assert_int_eq(count_items(&w.a, B "/usage-by-scope?period=current"),
	    4);
	ck_assert_int_eq(count_items(&w.a, B "/usage-by-scope?scope_type=user"),
	    2);
	ck_assert_int_eq(count_items(&w.a,
	    B "/usage-by-scope?scope_type=account"), 1);
	ck_assert_int_eq(count_items(&w.a,
	    B "/usage-by-scope?scope_type=organisation"), 0);
	ck_assert_int_eq(walk(&w.a, B "/usage-by-scope", 1, ids, 10), 4);
	ck_assert_str_eq(ids[0], w.a.id);
	ck_assert_str_eq(ids[1], w.team);
	ck_assert_str_eq(ids[2], w.ua);
	ck_assert_str_eq(ids[3], w.ud);

	/* Dan's allocation ends: his pool stays listed, for its spend. */
	call(&r, &w.a, "DELETE", NULL, B "/allocations?scope_type=user"
	    "&scope_id=%s", w.ud);
	expect(&r, 200);
	reply_free(&r);
	call(&r, &w.a, "GET", NULL, B "/usage-by-scope");
	expect(&r, 200);
	p = pool_of(&r, "user", w.ud);
	ck_assert_ptr_nonnull(p);
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(p, "active")));
	assert_str(str2(p, "spent", NULL), "2");
	assert_pool(pool_of(&r, "account", w.a.id), "account", "100", "6",
	    "94", "50", "50");
	reply_free(&r);

	/* Refusals. */
	call(&r, &w.a, "GET", NULL, B "/usage-by-scope?period=last");
	assert_error(&r, 400, "invalid_parameter", "period");
	reply_free(&r);
	call(&r, &w.a, "GET", NULL, B "/usage-by-scope?period=2001-01-01");
	assert_error(&r, 404, "not_found", "period");
	reply_free(&r);
	call(&r, &w.a, "GET", NULL, B "/usage-by-scope?scope_type=unallocated");
	assert_error(&r, 400, "invalid_parameter", "scope_type");
	reply_free(&r);
	call(&r, &w.a, "GET", NULL, B "/usage-by-scope?cursor=%s", w.team);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	call(&r, &w.a, "GET", NULL, B "/usage-by-scope?scope=team");
	assert_error(&r, 400, "unknown_parameter", "scope");
	reply_free(&r);
}
END_TEST

/*
 * The pools of a page of 200 of path: n of them, each once; their ids
 * into ids, their scopes' into scopes.
 */
static void
pools_once(const struct acct *a, const char *path, int n, char ids[][48],
    char scopes[][48])
{
	struct reply	 r;
	const cJSON	*it;
	int		 i = 0, j;

	call(&r, a, "GET", NULL, "%s?limit=200", path);
	expect(&r, 200);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), n);
	cJSON_ArrayForEach(it, json_items(&r)) {
		(void)snprintf(ids[i], 48, "%s", str2(it, "id", NULL));
		(void)snprintf(scopes[i], 48, "%s", str2(it, "scope", "id"));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(ids[j], ids[i]);
		i++;
	}
	reply_free(&r);
}

/* Pages of limit of path by next_cursor give ids, in order, each once. */
static void
assert_pages(const struct acct *a, const char *path, int limit, int n,
    char ids[][48])
{
	char	 got[10][48];
	int	 i;

	ck_assert_int_eq(walk(a, path, limit, got, 10), n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(got[i], ids[i]);
}

/*
 * The allocations and the User Overrides (budgets.fcgi's pools.c), paged:
 * the account first, then the team, then the users; pages of 2 and of 1
 * walk them by next_cursor, each once, in the order of one page.
 */
START_TEST(test_allocation_pages)
{
	struct world	 w;
	char		 body[300], ids[10][48], scopes[10][48];
	int		 i, users;

	world_new(&w);
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"credits\":"
	    "\"1\"}", w.ub);
	change(&w.a, B "/overrides", body);
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\",\"credits\":"
	    "\"1\"}", w.uc);
	change(&w.a, B "/overrides", body);

	/* account, team, then users a, b, c (overrides) and d, by pool id. */
	pools_once(&w.a, B "/allocations", 6, ids, scopes);
	ck_assert_str_eq(scopes[0], w.a.id);
	ck_assert_str_eq(scopes[1], w.team);
	for (i = 2, users = 0; i < 6; i++)
		users |= strcmp(scopes[i], w.ua) == 0 ? 1 :
		    strcmp(scopes[i], w.ub) == 0 ? 2 :
		    strcmp(scopes[i], w.uc) == 0 ? 4 :
		    strcmp(scopes[i], w.ud) == 0 ? 8 : 16;
	ck_assert_int_eq(users, 15);
	for (i = 2; i < 5; i++)
		ck_assert_int_lt(strcmp(ids[i], ids[i + 1]), 0);
	assert_pages(&w.a, B "/allocations", 2, 6, ids);
	assert_pages(&w.a, B "/allocations", 1, 6, ids);

	/* The User Overrides: a, b and c. */
	pools_once(&w.a, B "/overrides", 3, ids, scopes);
	for (i = 0, users = 0; i < 3; i++)
		users |= strcmp(scopes[i], w.ua) == 0 ? 1 :
		    strcmp(scopes[i], w.ub) == 0 ? 2 :
		    strcmp(scopes[i], w.uc) == 0 ? 4 : 16;
	ck_assert_int_eq(users, 7);
	assert_pages(&w.a, B "/overrides", 2, 3, ids);
}
END_TEST

/* A new plan starts a new period; the one before stays queryable. */
START_TEST(test_past_periods)
{
	struct acct	 a;
	struct reply	 r;
	char		 u[UUID_LEN + 1], model[96], past[64], now[64];
	const cJSON	*periods;

	acct_new(&a, "100");
	user_new(&a, "a", NULL, u);
	model_name(model, sizeof(model), "p");
	change(&a, B "/plans", "{\"name\":\"Daily\",\"cycle\":\"daily\"}");
	record(&a, u, model, "7", "");
	call(&r, &a, "GET", NULL, B "/usage-by-scope");
	expect(&r, 200);
	(void)snprintf(past, sizeof(past), "%s", str2(r.json, "period",
	    "start"));
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 0), "spent", NULL),
	    "7");
	reply_free(&r);

	/* Another plan: its cycle starts now, from zero. */
	change(&a, B "/plans", "{\"name\":\"Weekly\",\"cycle\":\"weekly\"}");
	call(&r, &a, "GET", NULL, B "/usage-by-scope");
	expect(&r, 200);
	(void)snprintf(now, sizeof(now), "%s", str2(r.json, "period", "start"));
	ck_assert_str_ne(now, past);
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 0), "spent", NULL),
	    "0");
	periods = cJSON_GetObjectItem(r.json, "periods");
	ck_assert_int_ge(cJSON_GetArraySize(periods), 2);
	assert_str(str2(cJSON_GetArrayItem(periods, 0), "start", NULL), now);
	assert_str(str2(cJSON_GetArrayItem(periods, 1), "start", NULL), past);
	reply_free(&r);

	call(&r, &a, "GET", NULL, B "/usage-by-scope?period=%s", past);
	expect(&r, 200);
	assert_str(str2(r.json, "period", "start"), past);
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 0), "spent", NULL),
	    "7");
	reply_free(&r);

	/* The breakdown's range is the current period unless given. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	assert_str(str2(r.json, "from", NULL), now);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "current_period")));
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?from=%s", past);
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	assert_str(str2(cJSON_GetArrayItem(json_items(&r), 0), "credits",
	    NULL), "7");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(r.json,
	    "current_period")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "to")));
	reply_free(&r);
}
END_TEST

/* The group of a breakdown item: the member named by by. */
static const cJSON *
group_of(const cJSON *item, const char *by)
{
	return cJSON_GetObjectItemCaseSensitive(item, by);
}

static void
assert_group(const cJSON *it, const char *credits, const char *cost,
    int in, int out, int count)
{
	ck_assert_ptr_nonnull(it);
	assert_str(str2(it, "credits", NULL), credits);
	assert_str(str2(it, "cost", NULL), cost);
	ck_assert_int_eq(cJSON_GetObjectItem(it, "input_tokens")->valueint, in);
	ck_assert_int_eq(cJSON_GetObjectItem(it, "output_tokens")->valueint,
	    out);
	ck_assert_int_eq(cJSON_GetObjectItem(it, "count")->valueint, count);
}

/* Usage summed by model, user, team and day; pages; refusals. */
START_TEST(test_cost_breakdown)
{
	struct acct	 a, o;
	struct reply	 r;
	char		 ua[UUID_LEN + 1], ub[UUID_LEN + 1], team[UUID_LEN + 1],
			 users[64], extra[160], m1[96], m2[96], day[16],
			 cursor[1400];
	const cJSON	*it, *t;
	time_t		 now = time(NULL);
	struct tm	 tm;

	acct_new(&a, "1000");
	acct_new(&o, "1000");
	user_new(&a, "a", "Ann", ua);
	user_new(&a, "b", NULL, ub);
	(void)snprintf(users, sizeof(users), "\"%s\"", ua);
	team_new(&a, "Gold", users, team);
	model_name(m1, sizeof(m1), "small");
	model_name(m2, sizeof(m2), "large");
	(void)snprintf(extra, sizeof(extra), ",\"team_id\":\"%s\","
	    "\"input_tokens\":100,\"output_tokens\":20", team);
	record(&a, ua, m1, "1.25", extra);
	record(&a, ua, m1, "0.25", ",\"input_tokens\":1,\"output_tokens\":2");
	record(&a, ub, m2, "5", "");
	/* A usage refused in another account counts nowhere. */
	record_r(&r, &o, "x@nowhere.test", m2, "1", "", 422);
	reply_free(&r);

	/* By model (the default): the most credits first. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown");
	expect(&r, 200);
	assert_str(str2(r.json, "by", NULL), "model");
	ck_assert(is_timestamp(str2(r.json, "from", NULL)));
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	it = cJSON_GetArrayItem(json_items(&r), 0);
	assert_str(cJSON_GetStringValue(group_of(it, "model")), m2);
	assert_group(it, "5", "5", 0, 0, 1);
	it = cJSON_GetArrayItem(json_items(&r), 1);
	assert_str(cJSON_GetStringValue(group_of(it, "model")), m1);
	assert_group(it, "1.5", "1.5", 101, 22, 2);
	t = cJSON_GetObjectItem(r.json, "total");
	assert_group(t, "6.5", "6.5", 101, 22, 3);
	ck_assert_int_eq(cJSON_GetObjectItem(t, "groups")->valueint, 2);
	reply_free(&r);

	/* By user. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=user");
	expect(&r, 200);
	it = cJSON_GetArrayItem(json_items(&r), 0);
	assert_str(str2(it, "user", "id"), ub);
	assert_group(it, "5", "5", 0, 0, 1);
	it = cJSON_GetArrayItem(json_items(&r), 1);
	assert_str(str2(it, "user", "id"), ua);
	assert_str(str2(it, "user", "display_name"), "Ann");
	assert_group(it, "1.5", "1.5", 101, 22, 2);
	reply_free(&r);

	/* By team: no team, then Gold. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=team");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	it = cJSON_GetArrayItem(json_items(&r), 0);
	ck_assert(cJSON_IsNull(group_of(it, "team")));
	assert_group(it, "5.25", "5.25", 1, 2, 2);
	it = cJSON_GetArrayItem(json_items(&r), 1);
	assert_str(str2(it, "team", "id"), team);
	assert_str(str2(it, "team", "name"), "Gold");
	assert_group(it, "1.25", "1.25", 100, 20, 1);
	reply_free(&r);

	/* By day, in UTC. */
	ck_assert_ptr_nonnull(gmtime_r(&now, &tm));
	ck_assert_uint_gt(strftime(day, sizeof(day), "%Y-%m-%d", &tm), 0);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=day");
	expect(&r, 200);
	ck_assert_int_ge(cJSON_GetArraySize(json_items(&r)), 1);
	it = cJSON_GetArrayItem(json_items(&r), cJSON_GetArraySize(
	    json_items(&r)) - 1);
	ck_assert_ptr_nonnull(cJSON_GetStringValue(group_of(it, "day")));
	ck_assert_int_eq((int)strlen(cJSON_GetStringValue(group_of(it, "day"))),
	    10);
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=day&from=%sT00:00:00Z",
	    day);
	expect(&r, 200);
	assert_str(cJSON_GetStringValue(group_of(cJSON_GetArrayItem(
	    json_items(&r), 0), "day")), day);
	reply_free(&r);

	/* Pages of one. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=model&limit=1");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	assert_str(cJSON_GetStringValue(group_of(cJSON_GetArrayItem(
	    json_items(&r), 0), "model")), m2);
	ck_assert_ptr_nonnull(str2(r.json, "next_cursor", NULL));
	(void)snprintf(cursor, sizeof(cursor), "%s", str2(r.json,
	    "next_cursor", NULL));
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=model&limit=1"
	    "&cursor=%s", cursor);
	expect(&r, 200);
	assert_str(cJSON_GetStringValue(group_of(cJSON_GetArrayItem(
	    json_items(&r), 0), "model")), m1);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
	reply_free(&r);
	/* A cursor is for its grouping only. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=user&cursor=%s",
	    cursor);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);

	/* A range with nothing in it; another account sees none of this. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown?from=2000-01-01"
	    "&to=2000-02-01");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	assert_str(str2(r.json, "total", "credits"), "0");
	assert_str(str2(r.json, "to", NULL), "2000-02-01T00:00:00.000000Z");
	reply_free(&r);
	call(&r, &o, "GET", NULL, B "/cost-breakdown");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 0);
	reply_free(&r);

	/* /v1/costs/breakdown in an account is the same. */
	call(&r, &a, "GET", NULL, "/v1/costs/breakdown?by=model");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	reply_free(&r);

	/* Refusals. */
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=week");
	assert_error(&r, 400, "invalid_parameter", "by");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?by=account");
	assert_error(&r, 400, "invalid_parameter", "by");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?from=01/02/2026");
	assert_error(&r, 400, "invalid_parameter", "from");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/cost-breakdown?group=model");
	assert_error(&r, 400, "unknown_parameter", "group");
	reply_free(&r);
	api_get(&r, B "/cost-breakdown");
	assert_error(&r, 400, "account_required", NULL);
	reply_free(&r);
}
END_TEST

/* Super admins without X-Account-Id see every account's costs. */
START_TEST(test_platform_costs)
{
	struct acct	 a, b;
	struct reply	 r;
	char		 ua[UUID_LEN + 1], ub[UUID_LEN + 1], model[96],
			 cursor[1400] = "", path[1600], admin_email[128];
	const cJSON	*it;
	const char	*next;
	char		*admin;
	int		 found = 0, pages = 0;

	acct_new(&a, "100");
	acct_new(&b, "100");
	user_new(&a, "a", NULL, ua);
	user_new(&b, "b", NULL, ub);
	model_name(model, sizeof(model), "plat");
	record(&a, ua, model, "3", "");
	record(&b, ub, model, "4", "");

	/* By account, walking the pages until both are seen. */
	do {
		(void)snprintf(path, sizeof(path), "/v1/costs/breakdown"
		    "?limit=200%s%s", *cursor != '\0' ? "&cursor=" : "",
		    cursor);
		api_get(&r, path);
		expect(&r, 200);
		assert_str(str2(r.json, "by", NULL), "account");
		cJSON_ArrayForEach(it, json_items(&r)) {
			if (strcmp(str2(it, "account", "id"), a.id) == 0) {
				assert_str(str2(it, "credits", NULL), "3");
				assert_str(str2(it, "account", "slug"), a.slug);
				found |= 1;
			} else if (strcmp(str2(it, "account", "id"), b.id) == 0) {
				assert_str(str2(it, "credits", NULL), "4");
				found |= 2;
			}
		}
		next = str2(r.json, "next_cursor", NULL);
		(void)snprintf(cursor, sizeof(cursor), "%s", next != NULL ?
		    next : "");
		reply_free(&r);
	} while (*cursor != '\0' && ++pages < 50);
	ck_assert_int_eq(found, 3);

	/* By model: this model's usage over both accounts. */
	api_get(&r, "/v1/costs/breakdown?by=model&limit=200");
	expect(&r, 200);
	found = 0;
	cJSON_ArrayForEach(it, json_items(&r))
		if (strcmp(cJSON_GetStringValue(group_of(it, "model")),
		    model) == 0) {
			assert_str(str2(it, "credits", NULL), "7");
			found = 1;
		}
	ck_assert_int_eq(found, 1);
	reply_free(&r);
	api_get(&r, "/v1/costs/breakdown?by=week");
	assert_error(&r, 400, "invalid_parameter", "by");
	reply_free(&r);

	/* An account admin sees their account only, and no by=account. */
	email_of(&a, "admin", admin_email, sizeof(admin_email));
	admin = user_token(AS_ACCOUNT_ADMIN, a.org, admin_email);
	call_as(&r, admin, "GET", NULL, "/v1/costs/breakdown?by=model");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	assert_str(str2(r.json, "total", "credits"), "3");
	reply_free(&r);
	call_as(&r, admin, "GET", NULL, "/v1/costs/breakdown?by=account");
	assert_error(&r, 400, "invalid_parameter", "by");
	reply_free(&r);
	free(admin);
}
END_TEST

/* The alerts of GET alerts, newest first. */
static const cJSON *
alert_at(const struct reply *r, int i)
{
	return cJSON_GetArrayItem(json_items(r), i);
}

static int
delivery_known(const char *d)
{
	return d != NULL && (strcmp(d, "pending") == 0 ||
	    strcmp(d, "delivered") == 0 || strcmp(d, "failed") == 0 ||
	    strcmp(d, "no_webhook") == 0);
}

/* Crossing 80% and 100% of a pool makes one alert each. */
START_TEST(test_alerts)
{
	struct acct	 a, o;
	struct reply	 r;
	char		 u[UUID_LEN + 1], v[UUID_LEN + 1], model[96],
			 body[200], cursor[1400], delivery[32];
	const cJSON	*al;

	acct_new(&a, "10");
	acct_new(&o, "10");
	user_new(&a, "a", NULL, u);
	user_new(&a, "b", NULL, v);
	model_name(model, sizeof(model), "al");
	(void)snprintf(body, sizeof(body), "{\"user\":\"%s\","
	    "\"credits\":\"5\"}", v);
	change(&a, B "/overrides", body);

	record(&a, u, model, "2", "");		/* account 2/10 */
	ck_assert_int_eq(count_items(&a, B "/alerts"), 0);
	record(&a, u, model, "1.5", "");		/* 3.5 */
	ck_assert_int_eq(count_items(&a, B "/alerts"), 0);
	record(&a, v, model, "4", "");		/* 7.5; b 4/5: 80% */
	call(&r, &a, "GET", NULL, B "/alerts");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	al = alert_at(&r, 0);
	assert_str(str2(al, "scope", "type"), "user");
	assert_str(str2(al, "scope", "id"), v);
	ck_assert_int_eq(cJSON_GetObjectItem(al, "threshold")->valueint, 80);
	assert_str(str2(al, "limit", NULL), "5");
	assert_str(str2(al, "spent", NULL), "4");
	ck_assert(delivery_known(str2(al, "delivery", NULL)));
	ck_assert(is_timestamp(str2(al, "created_at", NULL)));
	ck_assert(is_timestamp(str2(al, "period", "start")));
	reply_free(&r);

	record(&a, u, model, "1", "");		/* 8.5: account 80% */
	record(&a, u, model, "0.5", "");		/* 9: nothing new */
	record(&a, u, model, "1", "");		/* 10: account 100% */
	{
		struct reply	 x;

		record_r(&x, &a, u, model, "0.5", "", 402);
		reply_free(&x);
	}
	call(&r, &a, "GET", NULL, B "/alerts");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 3);
	al = alert_at(&r, 0);
	assert_str(str2(al, "scope", "type"), "account");
	assert_str(str2(al, "scope", "id"), a.id);
	ck_assert_int_eq(cJSON_GetObjectItem(al, "threshold")->valueint, 100);
	assert_str(str2(al, "limit", NULL), "10");
	assert_str(str2(al, "spent", NULL), "10");
	al = alert_at(&r, 1);
	assert_str(str2(al, "scope", "type"), "account");
	ck_assert_int_eq(cJSON_GetObjectItem(al, "threshold")->valueint, 80);
	assert_str(str2(al, "spent", NULL), "8.5");
	(void)snprintf(delivery, sizeof(delivery), "%s", str2(alert_at(&r, 2),
	    "delivery", NULL));
	reply_free(&r);
	ck_assert_int_eq(db_count_where("budget_alerts", "account_id = '%s'", a.id), 3);

	/* Filters and pages. */
	ck_assert_int_eq(count_items(&a, B "/alerts?scope_type=account"), 2);
	ck_assert_int_eq(count_items(&a, B "/alerts?scope_type=user"), 1);
	ck_assert_int_eq(count_items(&a, B "/alerts?scope_type=team"), 0);
	ck_assert_int_ge(count_items(&a, B "/alerts?delivery=%s", delivery),
	    1);
	call(&r, &a, "GET", NULL, B "/alerts?limit=2");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 2);
	(void)snprintf(cursor, sizeof(cursor), "%s", str2(r.json,
	    "next_cursor", NULL));
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/alerts?limit=2&cursor=%s", cursor);
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	assert_str(str2(alert_at(&r, 0), "scope", "type"), "user");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(r.json, "next_cursor")));
	reply_free(&r);
	/* A usage cursor is not an alerts cursor. */
	call(&r, &a, "GET", NULL, B "/usage?cursor=%s", cursor);
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);

	ck_assert_int_eq(count_items(&o, B "/alerts"), 0);
	call(&r, &a, "GET", NULL, B "/alerts?delivery=sent");
	assert_error(&r, 400, "invalid_parameter", "delivery");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/alerts?scope_type=pool");
	assert_error(&r, 400, "invalid_parameter", "scope_type");
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/alerts?threshold=80");
	assert_error(&r, 400, "unknown_parameter", "threshold");
	reply_free(&r);
}
END_TEST

/* The stack's COCKPIT_SECRET_KEYS, from its configuration. */
static void
stack_secret_keys(struct secret_keys *ks)
{
	char	 path[1024], line[2048], err[256], *v, *end;
	FILE	*f;
	int	 found = 0;

	(void)snprintf(path, sizeof(path), "%s/cockpit.conf",
	    env("COCKPIT_STATE_DIR"));
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "COCKPIT_SECRET_KEYS=\"", 21) != 0)
			continue;
		v = line + 21;
		ck_assert_ptr_nonnull(end = strchr(v, '"'));
		*end = '\0';
		ck_assert_int_eq(secret_keys_parse(ks, v, err, sizeof(err)), 0);
		found = 1;
	}
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(found, "no COCKPIT_SECRET_KEYS in %s", path);
}

/* The sealed secret of the account's webhook opens to want. */
static void
assert_sealed(const struct acct *a, const char *want)
{
	struct secret_keys	 ks;
	struct buf		 plain = { 0 };
	char			 sql[200], sealed[4096], aad[128];

	(void)snprintf(sql, sizeof(sql), "SELECT secret_sealed FROM "
	    "account_webhooks WHERE account_id = '%s'", a->id);
	owner_text(sql, sealed, sizeof(sealed));
	ck_assert_ptr_null(strstr(sealed, want + 6));
	stack_secret_keys(&ks);
	(void)snprintf(aad, sizeof(aad), "account:%s|account_webhooks|secret",
	    a->id);
	ck_assert_int_eq(secret_open(&ks, aad, sealed, &plain), 0);
	ck_assert_str_eq(plain.data, want);
	buf_free(&plain);
	secret_keys_free(&ks);
}

static int
secret_shaped(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != 49 || strncmp(s, "whsec_", 6) != 0)
		return 0;
	for (i = 6; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * URLs that are private or internal addresses, or http://: taken only
 * when the operator allows private URLs (the suite's stack does).
 */
static const char *const private_urls[] = {
	"http://hooks.example.com/a", "http://127.0.0.1:9/hook",
	"https://127.0.0.1/a", "https://127.255.255.254/a",
	"https://localhost:8443/hook", "https://hooks.LOCALHOST/a",
	"https://[::1]:8443/a", "https://0.0.0.0/a", "https://10.0.0.8/a",
	"https://100.64.0.1/a", "https://172.31.255.255/a",
	"https://192.168.1.1/a", "https://169.254.169.254/latest",
	"https://192.0.0.8/a", "https://192.0.2.1/a", "https://198.18.0.1/a",
	"https://198.51.100.7/a", "https://203.0.113.9/a",
	"https://224.0.0.1/a", "https://255.255.255.255/a",
	"https://[fe80::1]/a", "https://[fd00::1]/a", "https://[ff02::1]/a",
	"https://[2001:db8::1]:8443/h?x=1", "https://[::ffff:172.16.0.1]/a",
	"https://[::ffff:127.0.0.1]/a", "https://[64:ff9b::a00:1]/a",
	"https://[2002:c0a8:101::1]/a",
};

/* The webhook: its secret shown once, sealed, rotated on request. */
START_TEST(test_webhook)
{
	static const char *const refused[] = {
		"ftp://hooks.example.com/a", "https://2130706433/a",
		"https://127.1/a", "https://0x7f000001/a",
		"https://[fe80::1%25eth0]/a", "https://[127.0.0.1]/a",
		"https://user:pw@hooks.example.com/a",
		"https://hooks.example.com/a#frag", "https://hooks.example.com:0/",
		"https://hooks.example.com:99999/", "https:///a",
		"https://hooks..example.com/", "https://-hooks.example.com/",
		"https://exa mple.com/", "hooks.example.com/a",
	};
	struct acct	 a, o;
	struct reply	 r;
	char		 first[64], second[64], body[300], sealed[4096],
			 sealed2[4096], sql[200];
	size_t		 i;

	acct_new(&a, NULL);
	acct_new(&o, NULL);
	call(&r, &a, "GET", NULL, B "/alerts/webhook");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"url\":\"%s\"}",
		    refused[i]);
		call(&r, &a, "PUT", body, B "/alerts/webhook");
		ck_assert_msg(r.status == 422, "%s: %ld", refused[i], r.status);
		assert_error(&r, 422, "invalid_field", "url");
		reply_free(&r);
	}
	call(&r, &a, "PUT", "{\"url\":\"https://hooks.example.com/a\","
	    "\"secret\":\"mine\"}", B "/alerts/webhook");
	assert_error(&r, 400, "unknown_field", "secret");
	reply_free(&r);
	call(&r, &a, "PUT", "{\"url\":\"https://hooks.example.com/a\","
	    "\"rotate_secret\":\"yes\"}", B "/alerts/webhook");
	assert_error(&r, 422, "invalid_field", "rotate_secret");
	reply_free(&r);
	call(&r, &a, "PUT", "{}", B "/alerts/webhook");
	assert_error(&r, 422, "invalid_field", "url");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("account_webhooks", "account_id = '%s'", a.id),
	    0);

	/* Made: 201 with the secret, this once. */
	call(&r, &a, "PUT", "{\"url\":\"https://hooks.example.com/a\"}",
	    B "/alerts/webhook");
	expect(&r, 201);
	assert_str(str2(r.json, "url", NULL), "https://hooks.example.com/a");
	ck_assert(secret_shaped(str2(r.json, "secret", NULL)));
	ck_assert(is_timestamp(str2(r.json, "created_at", NULL)));
	ck_assert(is_timestamp(str2(r.json, "updated_at", NULL)));
	(void)snprintf(first, sizeof(first), "%s", str2(r.json, "secret",
	    NULL));
	reply_free(&r);
	assert_sealed(&a, first);
	call(&r, &a, "GET", NULL, B "/alerts/webhook");
	expect(&r, 200);
	assert_str(str2(r.json, "url", NULL), "https://hooks.example.com/a");
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "secret"));
	ck_assert_ptr_null(strstr(r.body.data, first + 6));
	reply_free(&r);

	/* A new URL keeps the secret, and does not show it. */
	(void)snprintf(sql, sizeof(sql), "SELECT secret_sealed FROM "
	    "account_webhooks WHERE account_id = '%s'", a.id);
	owner_text(sql, sealed, sizeof(sealed));
	call(&r, &a, "PUT", "{\"url\":\"http://127.0.0.1:9/hook\","
	    "\"rotate_secret\":false}", B "/alerts/webhook");
	expect(&r, 200);
	ck_assert_ptr_null(cJSON_GetObjectItem(r.json, "secret"));
	assert_str(str2(r.json, "url", NULL), "http://127.0.0.1:9/hook");
	reply_free(&r);
	owner_text(sql, sealed2, sizeof(sealed2));
	ck_assert_str_eq(sealed, sealed2);
	assert_sealed(&a, first);

	/* rotate_secret: a new one, shown once; the old one gone. */
	call(&r, &a, "PUT", "{\"url\":\"https://localhost:8443/hook\","
	    "\"rotate_secret\":true}", B "/alerts/webhook");
	expect(&r, 200);
	ck_assert(secret_shaped(str2(r.json, "secret", NULL)));
	(void)snprintf(second, sizeof(second), "%s", str2(r.json, "secret",
	    NULL));
	ck_assert_str_ne(first, second);
	reply_free(&r);
	assert_sealed(&a, second);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND "
	    "action = 'budget.webhook.set'", a.id), 3);
	ck_assert_int_eq(db_count_where("audit_events e", "e.account_id = '%s' AND "
	    "(row_to_json(e)::text LIKE '%%%s%%' OR row_to_json(e)::text "
	    "LIKE '%%%s%%')", a.id, first + 6, second + 6), 0);

	/* Another account has none, and cannot delete this one. */
	call(&r, &o, "GET", NULL, B "/alerts/webhook");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &o, "DELETE", NULL, B "/alerts/webhook");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);

	call(&r, &a, "DELETE", NULL, B "/alerts/webhook");
	expect(&r, 204);
	reply_free(&r);
	call(&r, &a, "GET", NULL, B "/alerts/webhook");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	call(&r, &a, "DELETE", NULL, B "/alerts/webhook");
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND "
	    "action = 'budget.webhook.delete'", a.id), 1);

	/* Made again: a secret again. */
	call(&r, &a, "PUT", "{\"url\":\"https://hooks.example.com/b\"}",
	    B "/alerts/webhook");
	expect(&r, 201);
	ck_assert(secret_shaped(str2(r.json, "secret", NULL)));
	reply_free(&r);

	/* The operator allows private URLs: each is taken. */
	for (i = 0; i < sizeof(private_urls) / sizeof(private_urls[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"url\":\"%s\"}",
		    private_urls[i]);
		call(&r, &a, "PUT", body, B "/alerts/webhook");
		ck_assert_msg(r.status == 200, "%s: %ld %s", private_urls[i],
		    r.status, r.body.data);
		assert_str(str2(r.json, "url", NULL), private_urls[i]);
		reply_free(&r);
	}
}
END_TEST

/*
 * Restarts budgets.fcgi with COCKPIT_ALLOW_PRIVATE_URLS=allow in its
 * environment, which overrides cockpit.conf; with allow NULL, as the
 * suite started it. 0 once it listens again. No ck_assert: it also runs
 * in the runner's process, after the tests.
 */
static int
budgets_restart(const char *allow)
{
	const char	*src = getenv("COCKPIT_SRC_DIR"),
			*dir = getenv("COCKPIT_STATE_DIR");
	char		 cmd[4096];

	if (src == NULL || dir == NULL)
		return -1;
	(void)snprintf(cmd, sizeof(cmd), "%s%s%s'%s/script/stack' "
	    "restart-program '%s' budgets >&2", allow != NULL ?
	    "COCKPIT_ALLOW_PRIVATE_URLS=" : "", allow != NULL ? allow : "",
	    allow != NULL ? " " : "", src, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The tcase's teardown: budgets.fcgi as the suite has it, always. */
static void
budgets_restore(void)
{
	if (budgets_restart(NULL) == -1)
		fprintf(stderr, "cannot restart budgets.fcgi\n");
}

/* 422 invalid_field url, whose message says the operator can allow it. */
static void
assert_operator_refusal(const struct reply *r, const char *url)
{
	const char	*msg = r->json != NULL ? str2(r->json, "error",
			    "message") : NULL;

	ck_assert_msg(r->status == 422, "%s: %ld", url, r->status);
	assert_error(r, 422, "invalid_field", "url");
	ck_assert_msg(msg != NULL && strstr(msg, "operator allows it") !=
	    NULL && strstr(msg, "COCKPIT_ALLOW_PRIVATE_URLS") != NULL,
	    "%s: %s", url, msg != NULL ? msg : "(no message)");
}

/*
 * Without the operator's allowance (the default): https:// to a public
 * host only; this machine, private and other internal addresses, and
 * http://, are 422 and change nothing.
 */
START_TEST(test_webhook_private_refused_by_default)
{
	struct acct	 a;
	struct reply	 r;
	char		 body[300];
	const char	*msg;
	size_t		 i;

	ck_assert_int_eq(budgets_restart("off"), 0);
	acct_new(&a, NULL);
	for (i = 0; i < sizeof(private_urls) / sizeof(private_urls[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"url\":\"%s\"}",
		    private_urls[i]);
		call(&r, &a, "PUT", body, B "/alerts/webhook");
		assert_operator_refusal(&r, private_urls[i]);
		reply_free(&r);
	}
	ck_assert_int_eq(db_count_where("account_webhooks", "account_id = '%s'", a.id),
	    0);

	call(&r, &a, "PUT", "{\"url\":\"https://hooks.example.com/a\"}",
	    B "/alerts/webhook");
	expect(&r, 201);
	reply_free(&r);
	call(&r, &a, "PUT", "{\"url\":\"http://127.0.0.1:9/hook\","
	    "\"rotate_secret\":true}", B "/alerts/webhook");
	assert_operator_refusal(&r, "http://127.0.0.1:9/hook");
	reply_free(&r);
	/* What is no host at all says so, not that it may be allowed. */
	call(&r, &a, "PUT", "{\"url\":\"https://2130706433/a\"}",
	    B "/alerts/webhook");
	assert_error(&r, 422, "invalid_field", "url");
	ck_assert_ptr_nonnull(msg = str2(r.json, "error", "message"));
	ck_assert_ptr_null(strstr(msg, "COCKPIT_ALLOW_PRIVATE_URLS"));
	reply_free(&r);

	call(&r, &a, "GET", NULL, B "/alerts/webhook");
	expect(&r, 200);
	assert_str(str2(r.json, "url", NULL), "https://hooks.example.com/a");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id = '%s' AND "
	    "action = 'budget.webhook.set'", a.id), 1);
}
END_TEST

/*
 * Where GET credit-factors lists model (walking pages of limit), its
 * factor checked; -1 when it does not.
 */
static int
factor_at(const struct acct *a, const char *model, const char *factor,
    int limit)
{
	struct reply	 r;
	char		 cursor[1400] = "";
	const cJSON	*it;
	const char	*next;
	int		 at = -1, n = 0, pages = 0;

	do {
		if (*cursor == '\0')
			call(&r, a, "GET", NULL, "/v1/budgets/credit-factors"
			    "?limit=%d", limit);
		else
			call(&r, a, "GET", NULL, "/v1/budgets/credit-factors"
			    "?limit=%d&cursor=%s", limit, cursor);
		expect(&r, 200);
		ck_assert_int_le(cJSON_GetArraySize(json_items(&r)), limit);
		cJSON_ArrayForEach(it, json_items(&r)) {
			if (strcmp(str2(it, "model", NULL), model) == 0) {
				ck_assert_int_eq(at, -1);
				assert_str(str2(it, "factor", NULL), factor);
				at = n;
			}
			n++;
		}
		next = str2(r.json, "next_cursor", NULL);
		(void)snprintf(cursor, sizeof(cursor), "%s", next != NULL ?
		    next : "");
		reply_free(&r);
	} while (*cursor != '\0' && ++pages < 1000);
	return at;
}

static int
factor_listed(const struct acct *a, const char *model, const char *factor)
{
	return factor_at(a, model, factor, 200) >= 0;
}

/* A model's factor changes what its next usage costs in credits. */
START_TEST(test_credit_factors)
{
	static const char *const bad[] = {
		"\"0\"", "\"-1\"", "\"1000000.000001\"", "\"1.0000001\"",
		"\"abc\"", "2.5", "\"\"", "null",
	};
	struct acct	 a;
	struct reply	 r;
	char		 u[UUID_LEN + 1], model[96], body[600], dflt[32],
			 admin_email[128], m[3][128];
	char		*admin;
	size_t		 i;

	acct_new(&a, "1000");
	user_new(&a, "a", NULL, u);
	model_name(model, sizeof(model), "f");

	call(&r, &a, "GET", NULL, "/v1/budgets/credit-factors");
	expect(&r, 200);
	ck_assert_ptr_nonnull(str2(r.json, "default", NULL));
	(void)snprintf(dflt, sizeof(dflt), "%s", str2(r.json, "default",
	    NULL));
	reply_free(&r);

	/* At the default first. */
	record_r(&r, &a, u, model, "2", "", 200);
	assert_str(str2(r.json, "credits_factor", NULL), dflt);
	reply_free(&r);

	(void)snprintf(body, sizeof(body), "{\"model\":\"%s\","
	    "\"factor\":\"2.50\"}", model);
	api(&r, "PUT", "/v1/budgets/credit-factors", body);
	expect(&r, 201);
	assert_str(str2(r.json, "model", NULL), model);
	assert_str(str2(r.json, "factor", NULL), "2.5");
	ck_assert(is_timestamp(str2(r.json, "updated_at", NULL)));
	reply_free(&r);
	ck_assert(factor_listed(&a, model, "2.5"));
	record_r(&r, &a, u, model, "2", "", 200);
	assert_str(str2(r.json, "credits_factor", NULL), "2.5");
	assert_str(str2(r.json, "credits", NULL), "5");
	reply_free(&r);

	/* Changed: 200, and the next usage at the new factor. */
	(void)snprintf(body, sizeof(body), "{\"model\":\"%s\","
	    "\"factor\":\"0.001\"}", model);
	api(&r, "PUT", "/v1/budgets/credit-factors", body);
	expect(&r, 200);
	assert_str(str2(r.json, "factor", NULL), "0.001");
	reply_free(&r);
	record_r(&r, &a, u, model, "3", "", 200);
	assert_str(str2(r.json, "credits", NULL), "0.003");
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id IS NULL AND "
	    "action = 'budget.credit_factor.set' AND target_id = '%s'", model),
	    2);

	/* Refusals change nothing. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(body, sizeof(body), "{\"model\":\"%s\","
		    "\"factor\":%s}", model, bad[i]);
		api(&r, "PUT", "/v1/budgets/credit-factors", body);
		assert_error(&r, 422, "invalid_field", "factor");
		reply_free(&r);
	}
	(void)snprintf(body, sizeof(body), "{\"model\":\"%s\","
	    "\"factor\":\"2\",\"account_id\":\"%s\"}", model, a.id);
	api(&r, "PUT", "/v1/budgets/credit-factors", body);
	assert_error(&r, 400, "unknown_field", "account_id");
	reply_free(&r);
	api(&r, "PUT", "/v1/budgets/credit-factors", "{\"factor\":\"2\"}");
	assert_error(&r, 422, "invalid_field", "model");
	reply_free(&r);
	ck_assert(factor_listed(&a, model, "0.001"));

	/* Account admins read them, and change none. */
	email_of(&a, "admin", admin_email, sizeof(admin_email));
	admin = user_token(AS_ACCOUNT_ADMIN, a.org, admin_email);
	call_as(&r, admin, "GET", NULL, "/v1/budgets/credit-factors");
	expect(&r, 200);
	reply_free(&r);
	call_as(&r, admin, "PUT", body, "/v1/budgets/credit-factors");
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	call_as(&r, admin, "DELETE", NULL, "/v1/budgets/credit-factors"
	    "?model=%s", model);
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	free(admin);

	/* Deleted: the model is back on the default. */
	(void)snprintf(body, sizeof(body), "/v1/budgets/credit-factors"
	    "?model=%s", model);
	api(&r, "DELETE", body, NULL);
	expect(&r, 204);
	reply_free(&r);
	api(&r, "DELETE", body, NULL);
	assert_error(&r, 404, "not_found", "model");
	reply_free(&r);
	ck_assert(!factor_listed(&a, model, "0.001"));
	record_r(&r, &a, u, model, "2", "", 200);
	assert_str(str2(r.json, "credits_factor", NULL), dflt);
	reply_free(&r);
	ck_assert_int_eq(db_count_where("audit_events", "account_id IS NULL AND "
	    "action = 'budget.credit_factor.delete' AND target_id = '%s'",
	    model), 1);
	api(&r, "DELETE", "/v1/budgets/credit-factors", NULL);
	assert_error(&r, 400, "invalid_parameter", "model");
	reply_free(&r);
	api(&r, "DELETE", "/v1/budgets/credit-factors?name=x", NULL);
	assert_error(&r, 400, "unknown_parameter", "name");
	reply_free(&r);

	/* Pages by model: three of ours, in order, among the others. */
	for (i = 0; i < 3; i++) {
		(void)snprintf(m[i], sizeof(m[i]), "%s-%zu", model, i);
		(void)snprintf(body, sizeof(body), "{\"model\":\"%s\","
		    "\"factor\":\"%zu\"}", m[i], i + 1);
		api(&r, "PUT", "/v1/budgets/credit-factors", body);
		expect(&r, 201);
		reply_free(&r);
	}
	ck_assert_int_ge(factor_at(&a, m[0], "1", 2), 0);
	ck_assert_int_eq(factor_at(&a, m[1], "2", 2),
	    factor_at(&a, m[0], "1", 2) + 1);
	ck_assert_int_eq(factor_at(&a, m[2], "3", 2),
	    factor_at(&a, m[0], "1", 2) + 2);
	call(&r, &a, "GET", NULL, "/v1/budgets/credit-factors?limit=1");
	expect(&r, 200);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_ptr_nonnull(str2(r.json, "next_cursor", NULL));
	reply_free(&r);
	call(&r, &a, "GET", NULL, "/v1/budgets/credit-factors?cursor=xyz");
	assert_error(&r, 400, "invalid_parameter", "cursor");
	reply_free(&r);
	for (i = 0; i < 3; i++) {
		(void)snprintf(body, sizeof(body), "/v1/budgets/credit-factors"
		    "?model=%s", m[i]);
		api(&r, "DELETE", body, NULL);
		expect(&r, 204);
		reply_free(&r);
	}
}
END_TEST

/* End users get 403 on every management read of the budgets. */
START_TEST(test_end_user_refused)
{
	static const char *const paths[] = {
		B "/usage", B "/usage-by-scope", B "/cost-breakdown",
		"/v1/costs/breakdown", B "/alerts", B "/alerts/webhook",
		"/v1/budgets/credit-factors",
	};
	struct acct	 a;
	struct reply	 r;
	char		 u[UUID_LEN + 1], email[128];
	char		*user;
	size_t		 i;

	acct_new(&a, "10");
	user_new(&a, "me", NULL, u);
	email_of(&a, "me", email, sizeof(email));
	user = user_token(AS_END_USER, a.org, email);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		call_as(&r, user, "GET", NULL, "%s", paths[i]);
		ck_assert_msg(r.status == 403, "%s: %ld", paths[i], r.status);
		reply_free(&r);
	}
	call_as(&r, user, "PUT", "{\"url\":\"https://hooks.example.com/\"}",
	    B "/alerts/webhook");
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	call_as(&r, user, "DELETE", NULL, B "/alerts/webhook");
	ck_assert_int_eq(r.status, 403);
	reply_free(&r);
	free(user);
}
END_TEST

static Suite *
suite(void)
{
	Suite	*s = suite_create("budget_reports");
	TCase	*tc = tcase_create("reports");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_effective_allocation_levels);
	tcase_add_test(tc, test_effective_allocation_refusals);
	tcase_add_test(tc, test_effective_allocation_end_user);
	tcase_add_test(tc, test_usage_list);
	tcase_add_test(tc, test_usage_by_scope);
	tcase_add_test(tc, test_allocation_pages);
	tcase_add_test(tc, test_past_periods);
	tcase_add_test(tc, test_cost_breakdown);
	tcase_add_test(tc, test_platform_costs);
	tcase_add_test(tc, test_alerts);
	tcase_add_test(tc, test_webhook);
	tcase_add_test(tc, test_credit_factors);
	tcase_add_test(tc, test_end_user_refused);
	suite_add_tcase(s, tc);
	/* Last: it restarts budgets.fcgi, and its teardown restores it. */
	tc = tcase_create("private_urls");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, NULL, budgets_restore);
	tcase_add_test(tc, test_webhook_private_refused_by_default);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return harness_run(suite());
}
