/*
 * The audit trail of audit.fcgi end to end: GET /v1/audit over events
 * that real writes made (accounts created and renamed, API keys made,
 * first requests of users, cockpitctl break-glass set). What each event
 * says (TCase "events"); who sees which chain (TCase "access"); the
 * filters and the time range (TCase "filters"); pages and cursors (TCase
 * "pages"); and input refused without a trace (TCase "refused").
 *
 * Every test makes its own accounts and users (unique by pid and time);
 * tests run one at a time, so the newest events are the test's own.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define AUDIT		"/v1/audit"
#define EVENT_MEMBERS	13
#define DIGEST_LEN	64	/* SHA-256 in hex */
#define PATH_MAX_LEN	4096
#define RID_MAX		128
#define KEY_MAX		128
#define BG_PASSWORD	"correct horse battery staple"

/* A fresh account: its id and its path. */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 path[64];
};

static void
acct_new(struct acct *a)
{
	char	 slug[64];

	unique_slug(slug, sizeof(slug), "audit");
	create_account("Audited", slug, a->id);
	account_path(a->path, sizeof(a->path), a->id);
}

/* The same, copying the X-Request-Id of the POST that made it. */
static void
acct_new_rid(struct acct *a, char *rid, size_t len)
{
	struct reply	 r;
	char		 slug[64], body[200];

	unique_slug(slug, sizeof(slug), "audit");
	(void)snprintf(body, sizeof(body), "{\"name\":\"Audited\","
	    "\"slug\":\"%s\"}", slug);
	api_post_json(&r, "/v1/accounts", body);
	ck_assert_msg(r.status == 201, "create: %ld %s", r.status,
	    r.body.data);
	ck_assert(is_uuid(json_str(r.json, "id")));
	(void)snprintf(a->id, sizeof(a->id), "%s", json_str(r.json, "id"));
	account_path(a->path, sizeof(a->path), a->id);
	ck_assert_int_eq(reply_header(&r, "X-Request-Id", rid, len), 0);
	reply_free(&r);
}

/* Renames a with the master key; copies the X-Request-Id unless NULL. */
static void
acct_rename(const struct acct *a, const char *name, char *rid, size_t len)
{
	struct reply	 r;
	char		 body[200];

	(void)snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
	api_patch_json(&r, a->path, body);
	ck_assert_msg(r.status == 200, "rename: %ld %s", r.status,
	    r.body.data);
	if (rid != NULL)
		ck_assert_int_eq(reply_header(&r, "X-Request-Id", rid, len), 0);
	reply_free(&r);
}

/* n renames, one event each. */
static void
acct_renames(const struct acct *a, int n)
{
	char	 name[64];
	int	 i;

	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "Renamed %d", i + 1);
		acct_rename(a, name, NULL, 0);
	}
}

/*
 * An API key of a made by the credential secret (NULL: the master key):
 * its id and its secret (key may be NULL).
 */
static void
key_new(const struct acct *a, const char *secret, char *id, char *key)
{
	struct reply	 r;
	char		 path[128];

	(void)snprintf(path, sizeof(path), "%s/api-keys", a->path);
	if (secret == NULL)
		api_post_json(&r, path, "{\"name\":\"Audit reader\"}");
	else
		ck_assert_int_eq(api_as(&r, secret, "POST", path,
		    "{\"name\":\"Audit reader\"}"), 0);
	ck_assert_msg(r.status == 201, "key: %ld %s", r.status, r.body.data);
	ck_assert(is_uuid(json_str(r.json, "id")));
	(void)snprintf(id, UUID_LEN + 1, "%s", json_str(r.json, "id"));
	if (key != NULL) {
		ck_assert_ptr_nonnull(json_str(r.json, "key"));
		ck_assert_uint_lt(strlen(json_str(r.json, "key")), KEY_MAX);
		(void)snprintf(key, KEY_MAX, "%s", json_str(r.json, "key"));
	}
	reply_free(&r);
}

/* A unique email, and the same percent-encoded for a query string. */
static void
email_new(char *email, size_t len, char *query, size_t qlen)
{
	char	 local[100];

	unique_slug(local, sizeof(local), "auditor");
	(void)snprintf(email, len, "%s@example.com", local);
	(void)snprintf(query, qlen, "%s%%40example.com", local);
}

/*
 * Account a taken by the identity provider's organisation (unique), and
 * a token of a user of it with the role; the email is the user's.
 */
static char *
member_token(const struct acct *a, enum test_role role, char *email,
    size_t len, char *qemail, size_t qlen)
{
	char	 org[100];

	unique_slug(org, sizeof(org), "audit-org");
	account_set_org(a->id, org);
	email_new(email, len, qemail, qlen);
	return user_token(role, org, email);
}

static int
is_hex64(const char *s)
{
	size_t	 i;

	if (s == NULL || strlen(s) != DIGEST_LEN)
		return 0;
	for (i = 0; i < DIGEST_LEN; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	return 1;
}

static int
is_null(const cJSON *o, const char *name)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, name));
}

static long long
num(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", name);
	return (long long)v->valuedouble;
}

/* A string member that may be null. */
static void
assert_text_or_null(const cJSON *e, const char *name)
{
	ck_assert_msg(is_null(e, name) || json_str(e, name) != NULL,
	    "%s is neither text nor null", name);
}

static void
assert_digest_or_null(const cJSON *e, const char *name)
{
	ck_assert_msg(is_null(e, name) || is_hex64(json_str(e, name)),
	    "%s is neither a digest nor null", name);
}

/* An event: exactly its thirteen members, each of the right form. */
static void
assert_event(const cJSON *e)
{
	ck_assert_msg(cJSON_IsObject(e), "not an event");
	ck_assert_int_eq(cJSON_GetArraySize(e), EVENT_MEMBERS);
	ck_assert_int_gt(num(e, "id"), 0);
	ck_assert_int_gt(num(e, "seq"), 0);
	ck_assert_msg(is_null(e, "account_id") ||
	    is_uuid(json_str(e, "account_id")), "account_id");
	ck_assert_msg(is_timestamp(json_str(e, "occurred_at")),
	    "occurred_at %s", json_str(e, "occurred_at"));
	ck_assert_ptr_nonnull(json_str(e, "actor"));
	ck_assert_ptr_nonnull(json_str(e, "actor_role"));
	ck_assert_ptr_nonnull(json_str(e, "action"));
	ck_assert_ptr_nonnull(json_str(e, "target_type"));
	assert_text_or_null(e, "target_id");
	assert_text_or_null(e, "request_id");
	assert_digest_or_null(e, "before_digest");
	assert_digest_or_null(e, "after_digest");
	ck_assert_msg(is_hex64(json_str(e, "hash")), "hash %s",
	    json_str(e, "hash"));
}

/*
 * GET /v1/audit?query (query "" : none) as secret (NULL: the master
 * key); fails the test unless 200 with a well-formed page, newest first.
 */
static void
audit_list(struct reply *r, const char *secret, const char *query)
{
	char		 path[PATH_MAX_LEN], ct[128];
	const cJSON	*items, *e, *nc;
	long long	 last = -1;

	ck_assert_uint_lt(strlen(query), sizeof(path) - sizeof(AUDIT) - 1);
	(void)snprintf(path, sizeof(path), "%s%s%s", AUDIT,
	    *query != '\0' ? "?" : "", query);
	if (secret == NULL)
		api_get(r, path);
	else
		ck_assert_int_eq(api_as(r, secret, "GET", path, NULL), 0);
	ck_assert_msg(r->status == 200, "GET %s: %ld %s", path, r->status,
	    r->body.data != NULL ? r->body.data : "");
	ck_assert_int_eq(reply_header(r, "Content-Type", ct, sizeof(ct)), 0);
	ck_assert_msg(strncmp(ct, "application/json", 16) == 0, "%s", ct);
	ck_assert_msg(cJSON_IsObject(r->json), "not JSON: %s", r->body.data);
	ck_assert_int_eq(cJSON_GetArraySize(r->json), 2);
	items = json_items(r);
	nc = cJSON_GetObjectItemCaseSensitive(r->json, "next_cursor");
	ck_assert_msg(cJSON_IsNull(nc) || (cJSON_IsString(nc) &&
	    *nc->valuestring != '\0'), "next_cursor: %s", r->body.data);
	cJSON_ArrayForEach(e, items) {
		assert_event(e);
		ck_assert_msg(last == -1 || num(e, "id") < last,
		    "not newest first: %s", r->body.data);
		last = num(e, "id");
	}
}

static void
audit_listf(struct reply *r, const char *secret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
audit_listf(struct reply *r, const char *secret, const char *fmt, ...)
{
	va_list	 ap;
	char	 query[PATH_MAX_LEN];
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(query, sizeof(query), fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(query));
	audit_list(r, secret, query);
}

static int
nitems(const struct reply *r)
{
	return cJSON_GetArraySize(json_items(r));
}

static const cJSON *
item(const struct reply *r, int i)
{
	const cJSON	*e = cJSON_GetArrayItem(json_items(r), i);

	ck_assert_msg(e != NULL, "no item %d: %s", i, r->body.data);
	return e;
}

/* How many items of the page are the action. */
static int
count_action(const struct reply *r, const char *action)
{
	const cJSON	*e;
	int		 n = 0;

	cJSON_ArrayForEach(e, json_items(r))
		n += strcmp(json_str(e, "action"), action) == 0;
	return n;
}

/* The number of items the master key sees for the query. */
static int
seen(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
seen(const char *fmt, ...)
{
	struct reply	 r;
	va_list		 ap;
	char		 query[PATH_MAX_LEN];
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(query, sizeof(query), fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(query));
	audit_list(&r, NULL, query);
	n = nitems(&r);
	reply_free(&r);
	return n;
}

static const char *
next_cursor(const struct reply *r)
{
	return json_str(r->json, "next_cursor");
}

static long long
events_where(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static long long
events_where(const char *fmt, ...)
{
	va_list		 ap;
	long long	 n;

	va_start(ap, fmt);
	n = db_vcount_where("audit_events", fmt, ap);
	va_end(ap);
	return n;
}

static long long
events_total(void)
{
	return events_where("true");
}

/*
 * GET /v1/audit?query with the master key: the error expected, and not
 * one event written by asking.
 */
static void
refused(const char *query, long status, const char *code, const char *field)
{
	struct reply	 r;
	char		 path[PATH_MAX_LEN];
	long long	 before = events_total();

	(void)snprintf(path, sizeof(path), AUDIT "?%s", query);
	api_get(&r, path);
	assert_error(&r, status, code, field);
	reply_free(&r);
	ck_assert_int_eq(events_total(), before);
}

/* Runs cockpitctl break-glass set, which audits to the platform chain. */
static void
break_glass_set(void)
{
	char	 cmd[4096];

	(void)snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '" BG_PASSWORD "' | "
	    "'%s/cgi-bin/cockpitctl' break-glass set --user ops >/dev/null",
	    env("COCKPIT_BUILD_DIR"));
	ck_assert_int_eq(system(cmd), 0);
}

/* --- events ---------------------------------------------------------- */

/*
 * A new account's trail, as the master key reads it: account.create then
 * account.update, newest first, each saying who, what, which request.
 */
START_TEST(test_create_and_update_are_the_accounts_trail)
{
	struct acct	 a;
	struct reply	 r;
	const cJSON	*u, *c;
	char		 rid_create[RID_MAX], rid_update[RID_MAX];

	acct_new_rid(&a, rid_create, sizeof(rid_create));
	acct_rename(&a, "Audited again", rid_update, sizeof(rid_update));
	ck_assert_str_ne(rid_create, rid_update);
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert(is_null(r.json, "next_cursor"));
	u = item(&r, 0);
	c = item(&r, 1);

	ck_assert_str_eq(json_str(u, "action"), "account.update");
	ck_assert_int_eq(num(u, "seq"), 2);
	ck_assert_str_eq(json_str(u, "account_id"), a.id);
	ck_assert_str_eq(json_str(u, "actor"), "master_key");
	ck_assert_str_eq(json_str(u, "actor_role"), "super_admin");
	ck_assert_str_eq(json_str(u, "target_type"), "account");
	ck_assert_str_eq(json_str(u, "target_id"), a.id);
	ck_assert_str_eq(json_str(u, "request_id"), rid_update);
	ck_assert(is_hex64(json_str(u, "before_digest")));
	ck_assert(is_hex64(json_str(u, "after_digest")));

	ck_assert_str_eq(json_str(c, "action"), "account.create");
	ck_assert_int_eq(num(c, "seq"), 1);
	ck_assert_str_eq(json_str(c, "account_id"), a.id);
	ck_assert_str_eq(json_str(c, "actor"), "master_key");
	ck_assert_str_eq(json_str(c, "actor_role"), "super_admin");
	ck_assert_str_eq(json_str(c, "target_type"), "account");
	ck_assert_str_eq(json_str(c, "target_id"), a.id);
	ck_assert_str_eq(json_str(c, "request_id"), rid_create);
	ck_assert(is_null(c, "before_digest"));
	ck_assert(is_hex64(json_str(c, "after_digest")));

	ck_assert_int_gt(num(u, "id"), num(c, "id"));
	ck_assert_str_le(json_str(c, "occurred_at"), json_str(u, "occurred_at"));
	ck_assert_str_ne(json_str(u, "hash"), json_str(c, "hash"));
	reply_free(&r);
}
END_TEST

/*
 * The digests chain the object's states: the update's before is the
 * create's after, and the rename changed the after.
 */
START_TEST(test_digests_follow_the_object)
{
	struct acct	 a;
	struct reply	 r;

	acct_new(&a);
	acct_rename(&a, "Second name", NULL, 0);
	acct_rename(&a, "Third name", NULL, 0);
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 3);
	ck_assert_str_eq(json_str(item(&r, 1), "before_digest"),
	    json_str(item(&r, 2), "after_digest"));
	ck_assert_str_eq(json_str(item(&r, 0), "before_digest"),
	    json_str(item(&r, 1), "after_digest"));
	ck_assert_str_ne(json_str(item(&r, 1), "before_digest"),
	    json_str(item(&r, 1), "after_digest"));
	ck_assert_str_ne(json_str(item(&r, 0), "after_digest"),
	    json_str(item(&r, 2), "after_digest"));
	reply_free(&r);
}
END_TEST

/* What the trail answers is what the database holds, hash and all. */
START_TEST(test_items_are_the_stored_events)
{
	struct acct	 a;
	struct reply	 r;
	const cJSON	*e;

	acct_new(&a);
	acct_rename(&a, "Stored", NULL, 0);
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	cJSON_ArrayForEach(e, json_items(&r))
		ck_assert_int_eq(events_where("id = %lld AND account_id = '%s' "
		    "AND seq = %lld AND encode(hash, 'hex') = '%s' AND "
		    "encode(after_digest, 'hex') = '%s' AND to_char(occurred_at "
		    "AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') = "
		    "'%s'", num(e, "id"), a.id, num(e, "seq"),
		    json_str(e, "hash"), json_str(e, "after_digest"),
		    json_str(e, "occurred_at")), 1);
	reply_free(&r);
}
END_TEST

/*
 * Events name who made them: an API key made by an account admin's token
 * is api_key.create by that user's email, role account_admin, after the
 * user's own user.first_login.
 */
START_TEST(test_events_name_the_user_and_role)
{
	struct acct	 a;
	struct reply	 r;
	char		 email[200], qemail[220], kid[UUID_LEN + 1], *t;

	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	key_new(&a, t, kid, NULL);
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 3);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "api_key.create");
	ck_assert_str_eq(json_str(item(&r, 0), "actor"), email);
	ck_assert_str_eq(json_str(item(&r, 0), "actor_role"), "account_admin");
	ck_assert_str_eq(json_str(item(&r, 0), "target_type"), "api_key");
	ck_assert_str_eq(json_str(item(&r, 0), "target_id"), kid);
	ck_assert_int_eq(num(item(&r, 0), "seq"), 3);
	ck_assert_str_eq(json_str(item(&r, 1), "action"), "user.first_login");
	ck_assert_str_eq(json_str(item(&r, 1), "actor"), email);
	ck_assert_str_eq(json_str(item(&r, 1), "target_type"), "user");
	ck_assert_int_eq(num(item(&r, 1), "seq"), 2);
	ck_assert_str_eq(json_str(item(&r, 2), "action"), "account.create");
	reply_free(&r);
	free(t);
}
END_TEST

/* --- access ---------------------------------------------------------- */

/* Without account_id a super admin reads every account's events. */
START_TEST(test_super_admin_reads_every_account)
{
	struct acct	 a, b;
	struct reply	 r;

	acct_new(&a);
	acct_new(&b);
	audit_list(&r, NULL, "action=account.create&limit=2");
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert_str_eq(json_str(item(&r, 0), "account_id"), b.id);
	ck_assert_str_eq(json_str(item(&r, 1), "account_id"), a.id);
	reply_free(&r);
}
END_TEST

/*
 * An account admin's token reads its own account's events without any
 * filter, and not one event of another account written just before.
 */
START_TEST(test_account_admin_reads_only_its_account)
{
	struct acct	 a, b;
	struct reply	 r;
	const cJSON	*e;
	char		 email[200], qemail[220], kid[UUID_LEN + 1], *t;

	acct_new(&b);
	acct_rename(&b, "Someone else", NULL, 0);
	key_new(&b, NULL, kid, NULL);
	ck_assert_int_eq(seen("account_id=%s", b.id), 3);
	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	audit_list(&r, t, "limit=200");
	ck_assert_int_eq(nitems(&r), 2);	/* account.create, first login */
	cJSON_ArrayForEach(e, json_items(&r))
		ck_assert_str_eq(json_str(e, "account_id"), a.id);
	ck_assert_int_eq(count_action(&r, "account.create"), 1);
	ck_assert_int_eq(count_action(&r, "user.first_login"), 1);
	ck_assert_int_eq(count_action(&r, "api_key.create"), 0);
	ck_assert_int_eq(count_action(&r, "account.update"), 0);
	reply_free(&r);
	free(t);
}
END_TEST

/* Its own account named is 200 with the same events. */
START_TEST(test_account_admin_names_its_own_account)
{
	struct acct	 a;
	struct reply	 r;
	const cJSON	*e;
	char		 email[200], qemail[220], *t;

	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	audit_listf(&r, t, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	cJSON_ArrayForEach(e, json_items(&r))
		ck_assert_str_eq(json_str(e, "account_id"), a.id);
	reply_free(&r);
	free(t);
}
END_TEST

/*
 * Another account, real or not, is 404 for an account admin; the same
 * answer either way, so nothing is learnt of which accounts exist.
 */
START_TEST(test_account_admin_other_account_is_404)
{
	struct acct	 a, b;
	struct reply	 r;
	char		 email[200], qemail[220], path[200], *t;

	acct_new(&b);
	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	(void)snprintf(path, sizeof(path), AUDIT "?account_id=%s", b.id);
	ck_assert_int_eq(api_as(&r, t, "GET", path, NULL), 0);
	assert_error(&r, 404, "not_found", "account_id");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), AUDIT "?account_id=" NIL_ID);
	ck_assert_int_eq(api_as(&r, t, "GET", path, NULL), 0);
	assert_error(&r, 404, "not_found", "account_id");
	reply_free(&r);
	free(t);
}
END_TEST

/* The platform's chain is for super admins only: 400 for an admin. */
START_TEST(test_account_admin_platform_is_400)
{
	struct acct	 a;
	struct reply	 r;
	char		 email[200], qemail[220], *t;
	long long	 before;

	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	audit_list(&r, t, "");	/* the first request: its event */
	reply_free(&r);
	before = events_total();
	ck_assert_int_eq(api_as(&r, t, "GET", AUDIT "?account_id=platform",
	    NULL), 0);
	assert_error(&r, 400, "invalid_parameter", "account_id");
	reply_free(&r);
	ck_assert_int_eq(events_total(), before);
	free(t);
}
END_TEST

/* An end user of the account is 403. */
START_TEST(test_end_user_is_403)
{
	struct acct	 a;
	struct reply	 r;
	char		 email[200], qemail[220], *t;

	acct_new(&a);
	t = member_token(&a, AS_END_USER, email, sizeof(email), qemail,
	    sizeof(qemail));
	ck_assert_int_eq(api_as(&r, t, "GET", AUDIT, NULL), 0);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

/* Nobody without credentials: 401 with a Bearer challenge. */
START_TEST(test_anonymous_is_401)
{
	struct reply	 r;
	char		 www[128];

	ck_assert_int_eq(http(&r, "GET", AUDIT, NULL, NULL, 0, AUTH_NONE), 0);
	assert_error(&r, 401, "unauthorized", NULL);
	ck_assert_int_eq(reply_header(&r, "WWW-Authenticate", www,
	    sizeof(www)), 0);
	reply_free(&r);
	ck_assert_int_eq(http(&r, "GET", AUDIT "?account_id=platform", NULL,
	    NULL, 0, AUTH_NONE), 0);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
}
END_TEST

/*
 * An API key reads its account's events (its own api_key.create among
 * them), none of another's, and another account named is 404.
 */
START_TEST(test_api_key_reads_its_account)
{
	struct acct	 a, b;
	struct reply	 r;
	const cJSON	*e;
	char		 kid[UUID_LEN + 1], other[UUID_LEN + 1], key[KEY_MAX];
	char		 path[200];

	acct_new(&a);
	key_new(&a, NULL, kid, key);
	acct_new(&b);
	key_new(&b, NULL, other, NULL);
	audit_list(&r, key, "limit=200");
	ck_assert_int_eq(nitems(&r), 2);
	cJSON_ArrayForEach(e, json_items(&r))
		ck_assert_str_eq(json_str(e, "account_id"), a.id);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "api_key.create");
	ck_assert_str_eq(json_str(item(&r, 0), "target_id"), kid);
	ck_assert_str_eq(json_str(item(&r, 0), "actor"), "master_key");
	ck_assert_str_eq(json_str(item(&r, 1), "action"), "account.create");
	reply_free(&r);
	(void)snprintf(path, sizeof(path), AUDIT "?account_id=%s", b.id);
	ck_assert_int_eq(api_as(&r, key, "GET", path, NULL), 0);
	assert_error(&r, 404, "not_found", "account_id");
	reply_free(&r);
}
END_TEST

/*
 * account_id=platform: the platform's own chain only (account_id null),
 * with the break_glass.set cockpitctl just appended on top.
 */
START_TEST(test_platform_chain_only)
{
	struct acct	 a;
	struct reply	 r;
	const cJSON	*e, *top;
	long long	 platform;

	acct_new(&a);
	break_glass_set();
	acct_rename(&a, "After break-glass", NULL, 0);
	platform = events_where("account_id IS NULL");
	ck_assert_int_gt(platform, 0);
	audit_list(&r, NULL, "account_id=platform&limit=200");
	ck_assert_int_eq(nitems(&r), platform < 200 ? platform : 200);
	cJSON_ArrayForEach(e, json_items(&r))
		ck_assert_msg(is_null(e, "account_id"), "account event: %s",
		    json_str(e, "action"));
	top = item(&r, 0);
	ck_assert_str_eq(json_str(top, "action"), "break_glass.set");
	ck_assert_str_eq(json_str(top, "target_type"), "break_glass");
	ck_assert_str_eq(json_str(top, "actor_role"), "operator");
	ck_assert(is_null(top, "target_id"));
	ck_assert(is_null(top, "request_id"));
	ck_assert(is_null(top, "before_digest"));
	ck_assert(is_null(top, "after_digest"));
	ck_assert_int_eq(num(top, "seq"), events_where("account_id IS NULL"));
	reply_free(&r);
}
END_TEST

/* A super admin's token reads the platform's chain too. */
START_TEST(test_super_admin_token_reads_platform_chain)
{
	struct reply	 r;
	char		 email[200], qemail[220], *t;

	break_glass_set();
	email_new(email, sizeof(email), qemail, sizeof(qemail));
	t = user_token(AS_SUPER_ADMIN, NULL, email);
	audit_list(&r, t, "account_id=platform&limit=1");
	ck_assert_int_eq(nitems(&r), 1);
	ck_assert(is_null(item(&r, 0), "account_id"));
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "break_glass.set");
	reply_free(&r);
	free(t);
}
END_TEST

/* --- filters --------------------------------------------------------- */

/* action= keeps exactly the events of that action. */
START_TEST(test_filter_action)
{
	struct acct	 a;
	struct reply	 r;
	char		 kid[UUID_LEN + 1];

	acct_new(&a);
	acct_renames(&a, 2);
	key_new(&a, NULL, kid, NULL);
	audit_listf(&r, NULL, "account_id=%s&action=account.update", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert_int_eq(count_action(&r, "account.update"), 2);
	reply_free(&r);
	audit_listf(&r, NULL, "account_id=%s&action=api_key.create", a.id);
	ck_assert_int_eq(nitems(&r), 1);
	ck_assert_str_eq(json_str(item(&r, 0), "target_id"), kid);
	reply_free(&r);
	ck_assert_int_eq(seen("account_id=%s&action=account.create", a.id), 1);
	ck_assert_int_eq(seen("account_id=%s&action=account", a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&action=ACCOUNT.UPDATE", a.id), 0);
}
END_TEST

/* actor= keeps exactly that actor's events. */
START_TEST(test_filter_actor)
{
	struct acct	 a;
	struct reply	 r;
	char		 email[200], qemail[220], kid[UUID_LEN + 1], *t;

	acct_new(&a);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	key_new(&a, t, kid, NULL);
	acct_rename(&a, "By the master key", NULL, 0);
	audit_listf(&r, NULL, "account_id=%s&actor=%s", a.id, qemail);
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "api_key.create");
	ck_assert_str_eq(json_str(item(&r, 1), "action"), "user.first_login");
	reply_free(&r);
	audit_listf(&r, NULL, "account_id=%s&actor=master_key", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "account.update");
	ck_assert_str_eq(json_str(item(&r, 1), "action"), "account.create");
	reply_free(&r);
	/* Across every account, the user's email is this account's only. */
	ck_assert_int_eq(seen("actor=%s", qemail), 2);
	free(t);
}
END_TEST

/* target_type= keeps exactly the events about that kind of object. */
START_TEST(test_filter_target_type)
{
	struct acct	 a;
	struct reply	 r;
	char		 email[200], qemail[220], kid[UUID_LEN + 1], *t;

	acct_new(&a);
	acct_renames(&a, 1);
	key_new(&a, NULL, kid, NULL);
	key_new(&a, NULL, kid, NULL);
	t = member_token(&a, AS_ACCOUNT_ADMIN, email, sizeof(email), qemail,
	    sizeof(qemail));
	ck_assert_int_eq(seen("account_id=%s", a.id), 4);	/* no user yet */
	audit_list(&r, t, "");	/* the user's first request */
	reply_free(&r);
	ck_assert_int_eq(seen("account_id=%s&target_type=account", a.id), 2);
	ck_assert_int_eq(seen("account_id=%s&target_type=api_key", a.id), 2);
	ck_assert_int_eq(seen("account_id=%s&target_type=user", a.id), 1);
	ck_assert_int_eq(seen("account_id=%s&target_type=nothing", a.id), 0);
	free(t);
}
END_TEST

/* target_id= keeps exactly the events about that object, anywhere. */
START_TEST(test_filter_target_id)
{
	struct acct	 a, b;
	struct reply	 r;
	char		 kid[UUID_LEN + 1], other[UUID_LEN + 1];

	acct_new(&a);
	acct_renames(&a, 1);
	key_new(&a, NULL, kid, NULL);
	key_new(&a, NULL, other, NULL);
	acct_new(&b);
	audit_listf(&r, NULL, "target_id=%s", kid);
	ck_assert_int_eq(nitems(&r), 1);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "api_key.create");
	ck_assert_str_eq(json_str(item(&r, 0), "account_id"), a.id);
	reply_free(&r);
	audit_listf(&r, NULL, "target_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "account.update");
	ck_assert_str_eq(json_str(item(&r, 1), "action"), "account.create");
	reply_free(&r);
	ck_assert_int_eq(seen("target_id=%s", b.id), 1);
	ck_assert_int_eq(seen("target_id=" NIL_ID), 0);
}
END_TEST

/*
 * from is inclusive and to exclusive, to the microsecond: three events
 * at t1 < t2 < t3.
 */
START_TEST(test_filter_time_bounds)
{
	struct acct	 a;
	struct reply	 r;
	char		 t1[40], t2[40], t3[40];

	acct_new(&a);
	acct_renames(&a, 2);
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 3);
	(void)snprintf(t3, sizeof(t3), "%s", json_str(item(&r, 0),
	    "occurred_at"));
	(void)snprintf(t2, sizeof(t2), "%s", json_str(item(&r, 1),
	    "occurred_at"));
	(void)snprintf(t1, sizeof(t1), "%s", json_str(item(&r, 2),
	    "occurred_at"));
	reply_free(&r);
	ck_assert_str_lt(t1, t2);
	ck_assert_str_lt(t2, t3);
	ck_assert_int_eq(seen("account_id=%s&from=%s", a.id, t1), 3);
	ck_assert_int_eq(seen("account_id=%s&from=%s", a.id, t2), 2);
	ck_assert_int_eq(seen("account_id=%s&from=%s", a.id, t3), 1);
	ck_assert_int_eq(seen("account_id=%s&to=%s", a.id, t1), 0);
	ck_assert_int_eq(seen("account_id=%s&to=%s", a.id, t2), 1);
	ck_assert_int_eq(seen("account_id=%s&to=%s", a.id, t3), 2);
	ck_assert_int_eq(seen("account_id=%s&from=%s&to=%s", a.id, t2, t3), 1);
	ck_assert_int_eq(seen("account_id=%s&from=%s&to=%s", a.id, t2, t2), 0);
	audit_listf(&r, NULL, "account_id=%s&from=%s&to=%s", a.id, t2, t3);
	ck_assert_str_eq(json_str(item(&r, 0), "occurred_at"), t2);
	reply_free(&r);
}
END_TEST

/* A from in the future gives nothing, and so does a to in the past. */
START_TEST(test_filter_outside_the_events)
{
	struct acct	 a;

	acct_new(&a);
	acct_renames(&a, 1);
	ck_assert_int_eq(seen("account_id=%s", a.id), 2);
	ck_assert_int_eq(seen("account_id=%s&from=2999-01-01", a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&from=2999-01-01T00:00:00Z",
	    a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&to=2000-01-01", a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&to=2000-01-01T00:00:00.000001Z",
	    a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&from=2000-01-01&to=2999-01-01",
	    a.id), 2);
}
END_TEST

/*
 * A date alone is that day's start (UTC), and a time without decimals
 * works: from the day of the events finds them, to that day none.
 */
START_TEST(test_filter_date_only_and_whole_seconds)
{
	struct acct	 a;
	struct reply	 r;
	char		 day[16], second[32];
	const char	*t1;

	acct_new(&a);
	acct_renames(&a, 1);
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 2);
	t1 = json_str(item(&r, 1), "occurred_at");
	(void)snprintf(day, sizeof(day), "%.10s", t1);
	(void)snprintf(second, sizeof(second), "%.19sZ", t1);
	reply_free(&r);
	ck_assert_int_eq(seen("account_id=%s&from=%s", a.id, day), 2);
	ck_assert_int_eq(seen("account_id=%s&to=%s", a.id, day), 0);
	ck_assert_int_eq(seen("account_id=%s&from=%s", a.id, second), 2);
	ck_assert_int_eq(seen("account_id=%s&to=%s", a.id, second), 0);
	ck_assert_int_eq(seen("account_id=%s&from=%s&to=2999-12-31", a.id,
	    day), 2);
}
END_TEST

/* The filters combine: every one must hold. */
START_TEST(test_filters_combine)
{
	struct acct	 a, b;
	struct reply	 r;
	char		 kid[UUID_LEN + 1];

	acct_new(&a);
	acct_renames(&a, 1);
	key_new(&a, NULL, kid, NULL);
	acct_new(&b);
	acct_renames(&b, 1);
	audit_listf(&r, NULL, "action=account.update&actor=master_key&"
	    "target_type=account&target_id=%s&from=2000-01-01&to=2999-01-01",
	    a.id);
	ck_assert_int_eq(nitems(&r), 1);
	ck_assert_str_eq(json_str(item(&r, 0), "account_id"), a.id);
	ck_assert_str_eq(json_str(item(&r, 0), "action"), "account.update");
	reply_free(&r);
	ck_assert_int_eq(seen("account_id=%s&action=account.update&"
	    "target_id=%s", a.id, b.id), 0);
	ck_assert_int_eq(seen("account_id=%s&action=account.create&"
	    "target_type=api_key", a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&action=api_key.create&"
	    "actor=nobody", a.id), 0);
	ck_assert_int_eq(seen("account_id=%s&actor=master_key&"
	    "target_type=api_key", a.id), 1);
	ck_assert_int_eq(seen("account_id=%s&actor=master_key&"
	    "from=2999-01-01", a.id), 0);
}
END_TEST

/* --- pages ----------------------------------------------------------- */

/*
 * Seven events, three a page: 3, 3 and 1, newest first, every event once,
 * next_cursor null on the last page only.
 */
START_TEST(test_pages_of_three)
{
	struct acct	 a;
	struct reply	 r;
	char		 cursor[256] = "";
	long long	 seqs[16], last_id = -1;
	int		 sizes[] = { 3, 3, 1 }, page, i, n = 0;

	acct_new(&a);
	acct_renames(&a, 6);
	for (page = 0; page < 3; page++) {
		if (page == 0)
			audit_listf(&r, NULL, "account_id=%s&limit=3", a.id);
		else
			audit_listf(&r, NULL, "account_id=%s&limit=3&cursor=%s",
			    a.id, cursor);
		ck_assert_int_eq(nitems(&r), sizes[page]);
		for (i = 0; i < nitems(&r); i++) {
			ck_assert(last_id == -1 || num(item(&r, i), "id") <
			    last_id);
			last_id = num(item(&r, i), "id");
			seqs[n++] = num(item(&r, i), "seq");
		}
		if (page < 2) {
			ck_assert_ptr_nonnull(next_cursor(&r));
			ck_assert_uint_lt(strlen(next_cursor(&r)),
			    sizeof(cursor));
			(void)snprintf(cursor, sizeof(cursor), "%s",
			    next_cursor(&r));
		} else
			ck_assert(is_null(r.json, "next_cursor"));
		reply_free(&r);
	}
	ck_assert_int_eq(n, 7);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(seqs[i], 7 - i);
}
END_TEST

/* Six events, three a page: the second page is the last, no empty third. */
START_TEST(test_pages_end_without_an_empty_page)
{
	struct acct	 a;
	struct reply	 r;
	char		 cursor[256];

	acct_new(&a);
	acct_renames(&a, 5);
	audit_listf(&r, NULL, "account_id=%s&limit=3", a.id);
	ck_assert_int_eq(nitems(&r), 3);
	ck_assert_ptr_nonnull(next_cursor(&r));
	(void)snprintf(cursor, sizeof(cursor), "%s", next_cursor(&r));
	reply_free(&r);
	audit_listf(&r, NULL, "account_id=%s&limit=3&cursor=%s", a.id, cursor);
	ck_assert_int_eq(nitems(&r), 3);
	ck_assert_int_eq(num(item(&r, 2), "seq"), 1);
	ck_assert(is_null(r.json, "next_cursor"));
	reply_free(&r);
}
END_TEST

/*
 * Events written between page requests do not appear on later pages and
 * push none off them: the pages still hold seq 7..1, once each.
 */
START_TEST(test_pages_stable_under_writes)
{
	struct acct	 a;
	struct reply	 r;
	char		 cursor[256];

	acct_new(&a);
	acct_renames(&a, 6);
	audit_listf(&r, NULL, "account_id=%s&limit=3", a.id);
	ck_assert_int_eq(nitems(&r), 3);
	ck_assert_int_eq(num(item(&r, 0), "seq"), 7);
	ck_assert_int_eq(num(item(&r, 2), "seq"), 5);
	(void)snprintf(cursor, sizeof(cursor), "%s", next_cursor(&r));
	reply_free(&r);

	acct_renames(&a, 2);	/* seq 8 and 9 */
	audit_listf(&r, NULL, "account_id=%s&limit=3&cursor=%s", a.id, cursor);
	ck_assert_int_eq(nitems(&r), 3);
	ck_assert_int_eq(num(item(&r, 0), "seq"), 4);
	ck_assert_int_eq(num(item(&r, 1), "seq"), 3);
	ck_assert_int_eq(num(item(&r, 2), "seq"), 2);
	ck_assert_ptr_nonnull(next_cursor(&r));
	(void)snprintf(cursor, sizeof(cursor), "%s", next_cursor(&r));
	reply_free(&r);

	acct_renames(&a, 1);	/* seq 10 */
	audit_listf(&r, NULL, "account_id=%s&limit=3&cursor=%s", a.id, cursor);
	ck_assert_int_eq(nitems(&r), 1);
	ck_assert_int_eq(num(item(&r, 0), "seq"), 1);
	ck_assert(is_null(r.json, "next_cursor"));
	reply_free(&r);

	/* The new ones are on a fresh first page. */
	audit_listf(&r, NULL, "account_id=%s&limit=3", a.id);
	ck_assert_int_eq(num(item(&r, 0), "seq"), 10);
	ck_assert_int_eq(num(item(&r, 2), "seq"), 8);
	reply_free(&r);
}
END_TEST

/* The cursor keeps the filters of the query it goes with. */
START_TEST(test_pages_with_a_filter)
{
	struct acct	 a;
	struct reply	 r;
	char		 cursor[256];

	acct_new(&a);
	acct_renames(&a, 6);
	audit_listf(&r, NULL, "account_id=%s&action=account.update&limit=4",
	    a.id);
	ck_assert_int_eq(nitems(&r), 4);
	(void)snprintf(cursor, sizeof(cursor), "%s", next_cursor(&r));
	reply_free(&r);
	audit_listf(&r, NULL, "account_id=%s&action=account.update&limit=4&"
	    "cursor=%s", a.id, cursor);
	ck_assert_int_eq(nitems(&r), 2);
	ck_assert_int_eq(count_action(&r, "account.update"), 2);
	ck_assert_int_eq(num(item(&r, 1), "seq"), 2);
	ck_assert(is_null(r.json, "next_cursor"));
	reply_free(&r);
}
END_TEST

/* Without limit a page is 50; limit 1 and 200 are taken. */
START_TEST(test_default_limit_is_50)
{
	struct acct	 a;
	struct reply	 r;

	acct_new(&a);
	acct_renames(&a, 50);	/* 51 events */
	audit_listf(&r, NULL, "account_id=%s", a.id);
	ck_assert_int_eq(nitems(&r), 50);
	ck_assert_ptr_nonnull(next_cursor(&r));
	ck_assert_int_eq(num(item(&r, 49), "seq"), 2);
	reply_free(&r);
	audit_listf(&r, NULL, "account_id=%s&limit=200", a.id);
	ck_assert_int_eq(nitems(&r), 51);
	ck_assert(is_null(r.json, "next_cursor"));
	reply_free(&r);
	audit_listf(&r, NULL, "account_id=%s&limit=1", a.id);
	ck_assert_int_eq(nitems(&r), 1);
	ck_assert_int_eq(num(item(&r, 0), "seq"), 51);
	ck_assert_ptr_nonnull(next_cursor(&r));
	reply_free(&r);
}
END_TEST

/* --- refused --------------------------------------------------------- */

/* A parameter the route does not take is 400 unknown_parameter. */
START_TEST(test_unknown_parameter_is_400)
{
	refused("color=red", 400, "unknown_parameter", "color");
	refused("limit=5&account=x", 400, "unknown_parameter", "account");
	refused("Action=account.create", 400, "unknown_parameter", "Action");
}
END_TEST

/* limit must be a whole number from 1 to 200. */
START_TEST(test_bad_limit_is_400)
{
	refused("limit=0", 400, "invalid_parameter", "limit");
	refused("limit=201", 400, "invalid_parameter", "limit");
	refused("limit=x", 400, "invalid_parameter", "limit");
	refused("limit=-1", 400, "invalid_parameter", "limit");
	refused("limit=", 400, "invalid_parameter", "limit");
}
END_TEST

/* A cursor this API did not give out is 400. */
START_TEST(test_bad_cursor_is_400)
{
	refused("cursor=abc", 400, "invalid_parameter", "cursor");
	refused("cursor=", 400, "invalid_parameter", "cursor");
	refused("cursor=bnww", 400, "invalid_parameter", "cursor"); /* n|0 */
	refused("cursor=bnx4", 400, "invalid_parameter", "cursor"); /* n|x */
}
END_TEST

/* from and to must be a date or an RFC 3339 UTC time. */
START_TEST(test_bad_time_shape_is_400)
{
	refused("from=yesterday", 400, "invalid_parameter", "from");
	refused("to=yesterday", 400, "invalid_parameter", "to");
	refused("from=2026-01-01T10:00:00", 400, "invalid_parameter", "from");
	refused("from=2026-01-01T10:00:00%2B01:00", 400, "invalid_parameter",
	    "from");
	refused("to=2026-01-01T10:00:00.Z", 400, "invalid_parameter", "to");
	refused("to=2026-01-01T10:00:00.1234567Z", 400, "invalid_parameter",
	    "to");
	refused("from=2026-1-01", 400, "invalid_parameter", "from");
}
END_TEST

/*
 * A date of the right shape that is no date is 400 invalid_parameter,
 * naming the parameter like every other (audit.fcgi(8)).
 */
START_TEST(test_impossible_date_is_400)
{
	refused("from=2026-02-31", 400, "invalid_parameter", "from");
	refused("to=2026-13-01T00:00:00Z", 400, "invalid_parameter", "to");
}
END_TEST

/* account_id must be an account id or "platform". */
START_TEST(test_bad_account_id_is_400)
{
	refused("account_id=not-a-uuid", 400, "invalid_parameter",
	    "account_id");
	refused("account_id=", 400, "invalid_parameter", "account_id");
	refused("account_id=PLATFORM", 400, "invalid_parameter", "account_id");
}
END_TEST

/* The text filters take 1 to 320 characters. */
START_TEST(test_bad_text_filter_is_400)
{
	char	 q[400];

	refused("actor=", 400, "invalid_parameter", "actor");
	refused("action=", 400, "invalid_parameter", "action");
	refused("target_type=", 400, "invalid_parameter", "target_type");
	refused("target_id=", 400, "invalid_parameter", "target_id");
	(void)snprintf(q, sizeof(q), "action=%0321d", 0);
	refused(q, 400, "invalid_parameter", "action");
	(void)snprintf(q, sizeof(q), "target_id=%0321d", 0);
	refused(q, 400, "invalid_parameter", "target_id");
	refused("actor=%FF", 400, "invalid_parameter", "actor");
}
END_TEST

/* 320 characters is taken, counted as characters, not bytes. */
START_TEST(test_text_filter_of_320_characters)
{
	struct reply	 r;
	char		 q[320 * 6 + 16];
	size_t		 i, n;

	(void)snprintf(q, sizeof(q), "action=%0320d", 0);
	audit_list(&r, NULL, q);
	ck_assert_int_eq(nitems(&r), 0);
	reply_free(&r);
	n = (size_t)snprintf(q, sizeof(q), "actor=");
	for (i = 0; i < 320; i++, n += 6)
		memcpy(q + n, "%C3%A9", 6);	/* é, two bytes */
	q[n] = '\0';
	audit_list(&r, NULL, q);
	ck_assert_int_eq(nitems(&r), 0);
	reply_free(&r);
}
END_TEST

/* POST /v1/audit is 405 with Allow: GET, and writes nothing. */
START_TEST(test_post_is_405)
{
	struct reply	 r;
	char		 allow[64];
	long long	 before = events_total();

	ck_assert_int_eq(api(&r, "POST", AUDIT, "{}"), 0);
	assert_error(&r, 405, "method_not_allowed", NULL);
	ck_assert_int_eq(reply_header(&r, "Allow", allow, sizeof(allow)), 0);
	ck_assert_str_eq(allow, "GET");
	reply_free(&r);
	ck_assert_int_eq(api(&r, "DELETE", AUDIT, NULL), 0);
	assert_error(&r, 405, "method_not_allowed", NULL);
	reply_free(&r);
	ck_assert_int_eq(events_total(), before);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("audit_log");
	TCase	*ev = tcase_create("events");
	TCase	*ac = tcase_create("access");
	TCase	*fi = tcase_create("filters");
	TCase	*pg = tcase_create("pages");
	TCase	*rf = tcase_create("refused");

	tcase_set_timeout(ev, 60);
	tcase_add_test(ev, test_create_and_update_are_the_accounts_trail);
	tcase_add_test(ev, test_digests_follow_the_object);
	tcase_add_test(ev, test_items_are_the_stored_events);
	tcase_add_test(ev, test_events_name_the_user_and_role);
	suite_add_tcase(s, ev);

	tcase_set_timeout(ac, 60);
	tcase_add_test(ac, test_super_admin_reads_every_account);
	tcase_add_test(ac, test_account_admin_reads_only_its_account);
	tcase_add_test(ac, test_account_admin_names_its_own_account);
	tcase_add_test(ac, test_account_admin_other_account_is_404);
	tcase_add_test(ac, test_account_admin_platform_is_400);
	tcase_add_test(ac, test_end_user_is_403);
	tcase_add_test(ac, test_anonymous_is_401);
	tcase_add_test(ac, test_api_key_reads_its_account);
	tcase_add_test(ac, test_platform_chain_only);
	tcase_add_test(ac, test_super_admin_token_reads_platform_chain);
	suite_add_tcase(s, ac);

	tcase_set_timeout(fi, 60);
	tcase_add_test(fi, test_filter_action);
	tcase_add_test(fi, test_filter_actor);
	tcase_add_test(fi, test_filter_target_type);
	tcase_add_test(fi, test_filter_target_id);
	tcase_add_test(fi, test_filter_time_bounds);
	tcase_add_test(fi, test_filter_outside_the_events);
	tcase_add_test(fi, test_filter_date_only_and_whole_seconds);
	tcase_add_test(fi, test_filters_combine);
	suite_add_tcase(s, fi);

	tcase_set_timeout(pg, 120);
	tcase_add_test(pg, test_pages_of_three);
	tcase_add_test(pg, test_pages_end_without_an_empty_page);
	tcase_add_test(pg, test_pages_stable_under_writes);
	tcase_add_test(pg, test_pages_with_a_filter);
	tcase_add_test(pg, test_default_limit_is_50);
	suite_add_tcase(s, pg);

	tcase_set_timeout(rf, 60);
	tcase_add_test(rf, test_unknown_parameter_is_400);
	tcase_add_test(rf, test_bad_limit_is_400);
	tcase_add_test(rf, test_bad_cursor_is_400);
	tcase_add_test(rf, test_bad_time_shape_is_400);
	tcase_add_test(rf, test_impossible_date_is_400);
	tcase_add_test(rf, test_bad_account_id_is_400);
	tcase_add_test(rf, test_bad_text_filter_is_400);
	tcase_add_test(rf, test_text_filter_of_320_characters);
	tcase_add_test(rf, test_post_is_405);
	suite_add_tcase(s, rf);
	return harness_run(s);
}
