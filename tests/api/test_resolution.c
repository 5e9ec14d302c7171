/*
 * Account resolution and principals, with bearer tokens from the test
 * identity provider: which account a user's token lands in (organisation,
 * then the account-id claim, then a verified email domain), the local
 * user made or adopted on first use, X-Account-Id, suspended accounts,
 * the shapes of GET /v1/me/context for every kind of caller, and GET
 * /v1/auth/zitadel/status.
 *
 * Every test makes its own accounts, organisations, domains and users
 * (unique by pid and time), so that tests sharing the database never see
 * each other's rows; a token's resolution is remembered by each worker
 * for up to 30 s, so a test that changes an account uses a fresh user.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"

#define SETOPT(c, opt, val) \
	ck_assert_int_eq(curl_easy_setopt((c), (opt), (val)), CURLE_OK)

#define ORG_CLAIM	"urn:zitadel:iam:user:resourceowner:id"
#define SUPER_ROLES	"urn:zitadel:iam:org:project:roles"
#define ADMIN_ROLES	"urn:zitadel:iam:org:project:99:roles"
#define CONTEXT		"/v1/me/context"
#define NAME_MAX_LEN	160

/* A fresh account: its id, and a name nobody else uses (slug, org...). */
struct acct {
	char	 id[UUID_LEN + 1];
	char	 path[64];
	char	 tag[NAME_MAX_LEN];	/* unique; also the slug */
};

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	return buf_append(arg, data, size * n) == 0 ? size * n : 0;
}

/*
 * A GET with a bearer credential (NULL: none) and one extra header line
 * (NULL: none), which the harness's http() cannot send. Never follows a
 * redirect.
 */
static void
get_with(struct reply *r, const char *secret, const char *path,
    const char *extra)
{
	struct curl_slist	*h = NULL;
	char			 url[4096], line[9000];
	CURL			*c;

	memset(r, 0, sizeof(*r));
	(void)snprintf(url, sizeof(url), "%s%s", env("COCKPIT_URL"), path);
	if (secret != NULL) {
		ck_assert_int_lt(snprintf(line, sizeof(line),
		    "Authorization: Bearer %s", secret), (int)sizeof(line));
		ck_assert_ptr_nonnull(h = curl_slist_append(h, line));
	}
	if (extra != NULL)
		ck_assert_ptr_nonnull(h = curl_slist_append(h, extra));
	ck_assert_ptr_nonnull(h = curl_slist_append(h, "Expect:"));
	ck_assert_ptr_nonnull(c = curl_easy_init());
	SETOPT(c, CURLOPT_URL, url);
	SETOPT(c, CURLOPT_HTTPGET, 1L);
	SETOPT(c, CURLOPT_HTTPHEADER, h);
	SETOPT(c, CURLOPT_TIMEOUT, 30L);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_WRITEFUNCTION, collect);
	SETOPT(c, CURLOPT_WRITEDATA, &r->body);
	SETOPT(c, CURLOPT_HEADERFUNCTION, collect);
	SETOPT(c, CURLOPT_HEADERDATA, &r->headers);
	ck_assert_msg(curl_easy_perform(c) == CURLE_OK, "GET %s: no answer",
	    path);
	ck_assert_int_eq(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE,
	    &r->status), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (r->body.len > 0)
		r->json = cJSON_ParseWithLength(r->body.data, r->body.len);
}

/* A name no other test, process or run has: for emails, orgs, domains. */
static void
unique(char *out, size_t len, const char *prefix)
{
	unique_slug(out, len, prefix);
}

static void
acct_new(struct acct *a, const char *prefix)
{
	unique(a->tag, sizeof(a->tag), prefix);
	create_account("Resolution", a->tag, a->id);
	account_path(a->path, sizeof(a->path), a->id);
}

static void
owner_exec(const char *sql)
{
	PGconn	*c = db_owner();

	db_exec(c, sql);
	PQfinish(c);
}

/* Gives the account a verified (or unverified) email domain. */
static void
domain_add(const char *account_id, const char *domain, int verified)
{
	char	 sql[600];

	(void)snprintf(sql, sizeof(sql), "INSERT INTO account_domains "
	    "(account_id, domain, verified_at) VALUES ('%s', '%s', %s)",
	    account_id, domain, verified ? "clock_timestamp()" : "NULL");
	owner_exec(sql);
}

/*
 * A token of the user with that email (the subject "sub-" email; NULL
 * email: none at all), with the organisation org, the account claim
 * claim and the display name name when not NULL, email_verified as given
 * (-1: left out), and the role's keys.
 */
static char *
mint_user(const char *email, const char *org, const char *claim,
    int verified, const char *name, enum test_role role)
{
	cJSON	*req, *cl, *aud, *roles, *r;
	char	 sub[400], *body, *t;

	ck_assert_ptr_nonnull(req = cJSON_CreateObject());
	ck_assert_ptr_nonnull(cl = cJSON_AddObjectToObject(req, "claims"));
	ck_assert_ptr_nonnull(aud = cJSON_AddArrayToObject(cl, "aud"));
	cJSON_AddItemToArray(aud, cJSON_CreateString(TEST_AUDIENCE));
	(void)snprintf(sub, sizeof(sub), "sub-%s", email != NULL ? email :
	    "no-email");
	ck_assert_ptr_nonnull(cJSON_AddStringToObject(cl, "sub", sub));
	if (email != NULL)
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(cl, "email",
		    email));
	if (verified >= 0)
		ck_assert_ptr_nonnull(cJSON_AddBoolToObject(cl,
		    "email_verified", verified));
	if (org != NULL)
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(cl, ORG_CLAIM,
		    org));
	if (claim != NULL)
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(cl,
		    TEST_ACCOUNT_CLAIM, claim));
	if (name != NULL)
		ck_assert_ptr_nonnull(cJSON_AddStringToObject(cl, "name",
		    name));
	if (role != AS_END_USER) {
		ck_assert_ptr_nonnull(roles = cJSON_AddObjectToObject(cl,
		    role == AS_SUPER_ADMIN ? SUPER_ROLES : ADMIN_ROLES));
		ck_assert_ptr_nonnull(r = cJSON_CreateObject());
		cJSON_AddItemToObject(roles, role == AS_SUPER_ADMIN ?
		    TEST_SUPER_ROLE : TEST_ADMIN_ROLE, r);
	}
	ck_assert_ptr_nonnull(body = cJSON_PrintUnformatted(req));
	t = idp_mint(body);
	free(body);
	cJSON_Delete(req);
	return t;
}

/* An email address nobody else has, in domain (NULL: example.test). */
static void
email_new(char *out, size_t len, const char *tag, const char *domain)
{
	char	 local[NAME_MAX_LEN];

	unique(local, sizeof(local), tag);
	ck_assert_int_lt(snprintf(out, len, "%s@%s", local, domain != NULL ?
	    domain : "example.test"), (int)len);
}

/* The account a token lands in, by GET /v1/me/context (200 expected). */
static void
resolved_account(const char *token, char *out, size_t len)
{
	struct reply	 r;
	const cJSON	*a;

	get_with(&r, token, CONTEXT, NULL);
	ck_assert_msg(r.status == 200, "context: %ld %s", r.status,
	    r.body.data);
	a = cJSON_GetObjectItemCaseSensitive(r.json, "account");
	ck_assert_msg(cJSON_IsObject(a), "no account: %s", r.body.data);
	ck_assert_ptr_nonnull(json_str(a, "id"));
	(void)snprintf(out, len, "%s", json_str(a, "id"));
	reply_free(&r);
}

static void
assert_lands_in(const char *token, const char *account_id)
{
	char	 got[UUID_LEN + 1];

	resolved_account(token, got, sizeof(got));
	ck_assert_str_eq(got, account_id);
}

/* The token is refused with 403 account_unresolved. */
static void
assert_unresolved(const char *token)
{
	struct reply	 r;

	get_with(&r, token, CONTEXT, NULL);
	assert_error(&r, 403, "account_unresolved", NULL);
	reply_free(&r);
}

static long long countf(const char *, ...)
    __attribute__((format(printf, 1, 2)));

/* The count a query answers, asked as the owner acting for the platform. */
static long long
countf(const char *fmt, ...)
{
	char	 sql[1500];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(sql));
	return db_count(sql);
}

/* Users of the account with that subject. */
static long long
users_with_subject(const char *account_id, const char *email)
{
	char	 sub[400];

	(void)snprintf(sub, sizeof(sub), "sub-%s", email);
	return countf("SELECT count(*) FROM users WHERE account_id = '%s' "
	    "AND subject = '%s'", account_id, sub);
}

/* Events of that action in the account's chain. */
static long long
user_events(const char *account_id, const char *action)
{
	return countf("SELECT count(*) FROM audit_events WHERE account_id = "
	    "'%s' AND action = '%s'", account_id, action);
}

static const cJSON *
member(const cJSON *o, const char *name)
{
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(o, name);

	ck_assert_msg(m != NULL, "no member %s", name);
	return m;
}

/* A JSON array of strings, exactly the given ones in order. */
static void
assert_strings(const cJSON *a, const char *const *want, int n)
{
	int	 i;

	ck_assert(cJSON_IsArray(a));
	ck_assert_int_eq(cJSON_GetArraySize(a), n);
	for (i = 0; i < n; i++) {
		ck_assert(cJSON_IsString(cJSON_GetArrayItem(a, i)));
		ck_assert_str_eq(cJSON_GetArrayItem(a, i)->valuestring,
		    want[i]);
	}
}

/*
 * The whole shape of a context: exactly its members; kind, role, whether
 * it acts for the platform, its scopes (the levels up to the role's).
 */
static void
assert_context(const struct reply *r, const char *kind, const char *role,
    int platform)
{
	static const char *const levels[] = { "signed_in", "account_admin",
	    "super_admin" };
	static const char *const domains[] = { "console", "copilot" };
	const cJSON	*u, *au;
	int		 nscopes;

	ck_assert_msg(r->status == 200, "context: %ld %s", r->status,
	    r->body.data);
	ck_assert_msg(cJSON_IsObject(r->json), "not JSON: %s", r->body.data);
	ck_assert_int_eq(cJSON_GetArraySize(r->json), 7);
	u = member(r->json, "user");
	ck_assert(cJSON_IsObject(u));
	ck_assert_int_eq(cJSON_GetArraySize(u), 5);
	(void)member(u, "id");
	(void)member(u, "subject");
	(void)member(u, "email");
	(void)member(u, "display_name");
	ck_assert_ptr_nonnull(json_str(u, "actor"));
	ck_assert_str_eq(json_str(r->json, "role"), role);
	(void)member(r->json, "account");
	ck_assert(cJSON_IsBool(member(r->json, "acting_for_platform")));
	ck_assert_int_eq(cJSON_IsTrue(member(r->json, "acting_for_platform")),
	    platform);
	nscopes = strcmp(role, "super_admin") == 0 ? 3 :
	    strcmp(role, "account_admin") == 0 ? 2 : 1;
	assert_strings(member(r->json, "scopes"), levels, nscopes);
	assert_strings(member(r->json, "product_domains_allowed"), domains, 2);
	au = member(r->json, "auth");
	ck_assert(cJSON_IsObject(au));
	ck_assert_int_eq(cJSON_GetArraySize(au), 3);
	ck_assert_str_eq(json_str(au, "kind"), kind);
	ck_assert(cJSON_IsNull(member(au, "method")));
	ck_assert(cJSON_IsFalse(member(au, "csrf_required")));
}

/* The context's account is exactly a's row. */
static void
assert_context_account(const struct reply *r, const struct acct *a,
    const char *status)
{
	const cJSON	*ac = member(r->json, "account");

	ck_assert_msg(cJSON_IsObject(ac), "account: %s", r->body.data);
	ck_assert_int_eq(cJSON_GetArraySize(ac), 4);
	ck_assert_str_eq(json_str(ac, "id"), a->id);
	ck_assert_str_eq(json_str(ac, "name"), "Resolution");
	ck_assert_str_eq(json_str(ac, "slug"), a->tag);
	ck_assert_str_eq(json_str(ac, "status"), status);
}

static const char *
user_member(const struct reply *r, const char *name)
{
	return json_str(member(r->json, "user"), name);
}

/* An account whose organisation is org (made here), and that org. */
static void
org_account(struct acct *a, char *org, size_t len, const char *prefix)
{
	acct_new(a, prefix);
	ck_assert_int_lt(snprintf(org, len, "org-%s", a->tag), (int)len);
	account_set_org(a->id, org);
}

/* --- precedence ------------------------------------------------------ */

/* The organisation's account wins over the one the claim names. */
START_TEST(test_org_beats_account_claim)
{
	struct acct	 byorg, byclaim;
	char		 org[NAME_MAX_LEN + 8], email[256], *t;

	org_account(&byorg, org, sizeof(org), "res-org");
	acct_new(&byclaim, "res-claim");
	email_new(email, sizeof(email), "orgclaim", NULL);
	t = mint_user(email, org, byclaim.id, 1, NULL, AS_END_USER);
	assert_lands_in(t, byorg.id);
	ck_assert_int_eq(users_with_subject(byorg.id, email), 1);
	ck_assert_int_eq(users_with_subject(byclaim.id, email), 0);
	free(t);
}
END_TEST

/* An organisation that maps to no account falls through to the claim. */
START_TEST(test_unknown_org_falls_to_account_claim)
{
	struct acct	 byclaim;
	char		 org[NAME_MAX_LEN], email[256], *t;

	acct_new(&byclaim, "res-claim");
	unique(org, sizeof(org), "org-nowhere");
	email_new(email, sizeof(email), "noorg", NULL);
	t = mint_user(email, org, byclaim.id, 1, NULL, AS_END_USER);
	assert_lands_in(t, byclaim.id);
	free(t);
}
END_TEST

/* The account-id claim wins over a verified domain of the email. */
START_TEST(test_account_claim_beats_verified_domain)
{
	struct acct	 byclaim, bydomain;
	char		 domain[NAME_MAX_LEN + 8], email[256], *t;

	acct_new(&byclaim, "res-claim");
	acct_new(&bydomain, "res-domain");
	(void)snprintf(domain, sizeof(domain), "%s.test", bydomain.tag);
	domain_add(bydomain.id, domain, 1);
	email_new(email, sizeof(email), "claimdomain", domain);
	t = mint_user(email, NULL, byclaim.id, 1, NULL, AS_END_USER);
	assert_lands_in(t, byclaim.id);
	ck_assert_int_eq(users_with_subject(bydomain.id, email), 0);
	free(t);
}
END_TEST

/* With nothing else, a verified domain of the email decides. */
START_TEST(test_verified_domain_resolves)
{
	struct acct	 bydomain;
	char		 domain[NAME_MAX_LEN + 8], email[256], *t;

	acct_new(&bydomain, "res-domain");
	(void)snprintf(domain, sizeof(domain), "%s.test", bydomain.tag);
	domain_add(bydomain.id, domain, 1);
	email_new(email, sizeof(email), "Domain", domain);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_END_USER);
	assert_lands_in(t, bydomain.id);
	free(t);
}
END_TEST

/* A domain the account has not verified resolves nothing. */
START_TEST(test_unverified_domain_resolves_nothing)
{
	struct acct	 a;
	char		 domain[NAME_MAX_LEN + 8], email[256], *t;

	acct_new(&a, "res-unverified");
	(void)snprintf(domain, sizeof(domain), "%s.test", a.tag);
	domain_add(a.id, domain, 0);
	email_new(email, sizeof(email), "unverified", domain);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_END_USER);
	assert_unresolved(t);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE email = "
	    "'%s'", email), 0);
	free(t);
}
END_TEST

/* An email the provider has not verified (false, or no claim) is no key. */
START_TEST(test_unverified_email_resolves_nothing_by_domain)
{
	struct acct	 a;
	char		 domain[NAME_MAX_LEN + 8], email[256], *t;

	acct_new(&a, "res-emailunverified");
	(void)snprintf(domain, sizeof(domain), "%s.test", a.tag);
	domain_add(a.id, domain, 1);
	email_new(email, sizeof(email), "notverified", domain);
	t = mint_user(email, NULL, NULL, 0, NULL, AS_END_USER);
	assert_unresolved(t);
	free(t);
	t = mint_user(email, NULL, NULL, -1, NULL, AS_END_USER);
	assert_unresolved(t);
	free(t);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id "
	    "= '%s'", a.id), 0);
}
END_TEST

/* No organisation, no claim, no domain: 403 account_unresolved. */
START_TEST(test_nothing_resolves)
{
	char	 email[256], *t;

	email_new(email, sizeof(email), "nobody", "nowhere.example.test");
	t = mint_user(email, NULL, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	assert_unresolved(t);
	free(t);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_END_USER);
	assert_unresolved(t);
	free(t);
}
END_TEST

/* A claim that is not a UUID is ignored: neither an error nor a match. */
START_TEST(test_claim_not_uuid_is_ignored)
{
	struct acct	 bydomain;
	char		 domain[NAME_MAX_LEN + 8], email[256], other[256], *t;

	acct_new(&bydomain, "res-notuuid");
	(void)snprintf(domain, sizeof(domain), "%s.test", bydomain.tag);
	domain_add(bydomain.id, domain, 1);
	email_new(email, sizeof(email), "notuuid", domain);
	t = mint_user(email, NULL, "not-a-uuid'; --", 1, NULL, AS_END_USER);
	assert_lands_in(t, bydomain.id);
	free(t);
	email_new(other, sizeof(other), "notuuid", "nowhere.example.test");
	t = mint_user(other, NULL, "12345", 1, NULL, AS_END_USER);
	assert_unresolved(t);
	free(t);
}
END_TEST

/* --- first-login reconciliation -------------------------------------- */

/* The first request makes one user and one user.first_login event. */
START_TEST(test_first_request_creates_user_and_event)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], sub[300], sql[1500];
	char		*t;

	org_account(&a, org, sizeof(org), "res-first");
	email_new(email, sizeof(email), "first", NULL);
	(void)snprintf(sub, sizeof(sub), "sub-%s", email);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id "
	    "= '%s'", a.id), 0);
	t = mint_user(email, org, NULL, 1, "Ada Lovelace", AS_END_USER);
	get_with(&r, t, CONTEXT, NULL);
	ck_assert_int_eq(r.status, 200);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE "
	    "account_id = '%s' AND subject = '%s' AND email = '%s' AND "
	    "display_name = 'Ada Lovelace' AND status = 'active' AND "
	    "last_login_at IS NOT NULL AND id = '%s'", a.id, sub, email,
	    user_member(&r, "id") != NULL ? user_member(&r, "id") : NIL_ID);
	ck_assert_int_eq(db_count(sql), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id "
	    "= '%s'", a.id), 1);
	ck_assert_str_eq(user_member(&r, "display_name"), "Ada Lovelace");
	/* One event, the head of the account's own chain, about that user. */
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events e "
	    "JOIN audit_chains c ON c.account_id = e.account_id AND c.seq = "
	    "e.seq AND c.hash = e.hash WHERE e.account_id = '%s' AND e.action = "
	    "'user.first_login' AND e.target_type = 'user' AND e.target_id = "
	    "'%s' AND e.actor = '%s' AND e.actor_role = 'end_user'", a.id,
	    user_member(&r, "id"), email);
	ck_assert_int_eq(db_count(sql), 1);
	ck_assert_int_eq(user_events(a.id, "user.first_login"), 1);
	ck_assert_int_eq(user_events(a.id, "user.reconcile"), 0);
	reply_free(&r);
	free(t);
}
END_TEST

/* A second request, with a new token of the same user, makes nothing. */
START_TEST(test_second_request_creates_nothing)
{
	struct acct	 a;
	struct reply	 r1, r2;
	char		 org[NAME_MAX_LEN + 8], email[256], *t1, *t2;
	long long	 events;

	org_account(&a, org, sizeof(org), "res-second");
	email_new(email, sizeof(email), "second", NULL);
	t1 = mint_user(email, org, NULL, 1, "Second", AS_END_USER);
	get_with(&r1, t1, CONTEXT, NULL);
	ck_assert_int_eq(r1.status, 200);
	events = countf("SELECT count(*) FROM audit_events WHERE account_id "
	    "= '%s'", a.id);
	t2 = mint_user(email, org, NULL, 1, "Second", AS_END_USER);
	ck_assert_str_ne(t1, t2);
	get_with(&r2, t2, CONTEXT, NULL);
	ck_assert_int_eq(r2.status, 200);
	ck_assert_str_eq(user_member(&r2, "id"), user_member(&r1, "id"));
	ck_assert_int_eq(users_with_subject(a.id, email), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id "
	    "= '%s'", a.id), 1);
	ck_assert_int_eq(user_events(a.id, "user.first_login"), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id = '%s'", a.id), events);
	reply_free(&r1);
	reply_free(&r2);
	free(t1);
	free(t2);
}
END_TEST

/* A user known by email only is adopted: the subject set, user.reconcile. */
START_TEST(test_email_only_user_is_adopted)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], upper[256], sql[1200];
	char		 id[UUID_LEN + 1], *t;
	PGconn		*c;
	PGresult	*res;
	size_t		 i;

	org_account(&a, org, sizeof(org), "res-adopt");
	email_new(email, sizeof(email), "adopt", NULL);
	c = db_owner();
	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, email) "
	    "VALUES ('%s', '%s') RETURNING id", a.id, email);
	res = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(c));
	(void)snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	/* The provider spells the address in capitals: still the same one. */
	for (i = 0; email[i] != '\0' && i + 1 < sizeof(upper); i++)
		upper[i] = email[i] >= 'a' && email[i] <= 'z' ?
		    (char)(email[i] - 'a' + 'A') : email[i];
	upper[i] = '\0';
	t = mint_user(upper, org, NULL, 1, NULL, AS_END_USER);
	get_with(&r, t, CONTEXT, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(user_member(&r, "id"), id);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE "
	    "id = '%s' AND subject = 'sub-%s' AND last_login_at IS NOT NULL",
	    id, upper);
	ck_assert_int_eq(db_count(sql), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id "
	    "= '%s'", a.id), 1);
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_events "
	    "WHERE account_id = '%s' AND action = 'user.reconcile' AND "
	    "target_type = 'user' AND target_id = '%s'", a.id, id);
	ck_assert_int_eq(db_count(sql), 1);
	ck_assert_int_eq(user_events(a.id, "user.first_login"), 0);
	reply_free(&r);
	free(t);
}
END_TEST

/* An email that is another subject's user of the account: unresolved. */
START_TEST(test_email_of_another_user_is_unresolved)
{
	struct acct	 a;
	char		 org[NAME_MAX_LEN + 8], email[256], sql[800], *t;

	org_account(&a, org, sizeof(org), "res-taken");
	email_new(email, sizeof(email), "taken", NULL);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, "
	    "subject, email) VALUES ('%s', 'someone-else', '%s')", a.id, email);
	owner_exec(sql);
	t = mint_user(email, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	assert_unresolved(t);
	ck_assert_int_eq(users_with_subject(a.id, email), 0);
	ck_assert_int_eq(user_events(a.id, "user.first_login"), 0);
	free(t);
}
END_TEST

/* A deactivated user is turned away with 403 account_unresolved. */
START_TEST(test_inactive_user_is_unresolved)
{
	struct acct	 a;
	char		 org[NAME_MAX_LEN + 8], email[256], sql[800], *t;

	org_account(&a, org, sizeof(org), "res-inactive");
	email_new(email, sizeof(email), "inactive", NULL);
	(void)snprintf(sql, sizeof(sql), "INSERT INTO users (account_id, "
	    "subject, email, status) VALUES ('%s', 'sub-%s', '%s', "
	    "'inactive')", a.id, email, email);
	owner_exec(sql);
	t = mint_user(email, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	assert_unresolved(t);
	free(t);
}
END_TEST

/* A token naming no email resolves no account, and makes no user. */
START_TEST(test_token_without_email_is_unresolved)
{
	struct acct	 a;
	char		 org[NAME_MAX_LEN + 8], *t;

	org_account(&a, org, sizeof(org), "res-noemail");
	t = mint_user(NULL, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	assert_unresolved(t);
	free(t);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id "
	    "= '%s'", a.id), 0);
}
END_TEST

/* --- X-Account-Id ---------------------------------------------------- */

/* A super admin with the header acts inside that account. */
START_TEST(test_super_admin_acts_in_header_account)
{
	struct acct	 a;
	struct reply	 r;
	char		 email[256], hdr[128], *t;

	acct_new(&a, "res-hint");
	email_new(email, sizeof(email), "super", NULL);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_SUPER_ADMIN);
	get_with(&r, t, CONTEXT, NULL);
	assert_context(&r, "token", "super_admin", 1);
	ck_assert(cJSON_IsNull(member(r.json, "account")));
	reply_free(&r);
	(void)snprintf(hdr, sizeof(hdr), "X-Account-Id: %s", a.id);
	get_with(&r, t, CONTEXT, hdr);
	assert_context(&r, "token", "super_admin", 0);
	assert_context_account(&r, &a, "active");
	reply_free(&r);
	get_with(&r, t, a.path, hdr);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	assert_account(r.json);
	ck_assert_str_eq(json_str(r.json, "id"), a.id);
	reply_free(&r);
	free(t);
}
END_TEST

/* A super admin's header naming no account: the context is 404. */
START_TEST(test_super_admin_header_naming_no_account_is_404)
{
	struct reply	 r;
	char		 email[256], *t;

	email_new(email, sizeof(email), "nohint", NULL);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_SUPER_ADMIN);
	get_with(&r, t, CONTEXT, "X-Account-Id: " NIL_ID);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

/* The super admins' own routes stay the platform's, header or not. */
START_TEST(test_super_admin_header_leaves_platform_routes)
{
	struct acct	 a, b;
	struct reply	 r;
	char		 email[256], hdr[128], path[300], *t;

	acct_new(&a, "res-inside");
	acct_new(&b, "res-elsewhere");
	email_new(email, sizeof(email), "platform", NULL);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_SUPER_ADMIN);
	(void)snprintf(hdr, sizeof(hdr), "X-Account-Id: %s", a.id);
	(void)snprintf(path, sizeof(path), "/v1/accounts?q=%s", b.tag);
	get_with(&r, t, path, hdr);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_int_eq(cJSON_GetArraySize(json_items(&r)), 1);
	ck_assert_str_eq(json_str(cJSON_GetArrayItem(json_items(&r), 0), "id"),
	    b.id);
	reply_free(&r);
	free(t);
}
END_TEST

/* A header that is not an account id: 400 invalid_header, for anyone. */
START_TEST(test_malformed_account_header_is_400)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], *t;
	static const char *const bad[] = {
		"X-Account-Id: not-an-id",
		"X-Account-Id: 00000000-0000-4000-8000-00000000000",
		"X-Account-Id: 00000000-0000-4000-8000-0000000000000",
		"X-Account-Id: 00000000+0000-4000-8000-000000000000",
	};
	size_t		 i;

	org_account(&a, org, sizeof(org), "res-badhint");
	email_new(email, sizeof(email), "badhint", NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = mint_user(email, NULL, NULL, 1, NULL, AS_SUPER_ADMIN);
		get_with(&r, t, CONTEXT, bad[i]);
		assert_error(&r, 400, "invalid_header", NULL);
		reply_free(&r);
		free(t);
		t = mint_user(email, org, NULL, 1, NULL, AS_END_USER);
		get_with(&r, t, CONTEXT, bad[i]);
		assert_error(&r, 400, "invalid_header", NULL);
		reply_free(&r);
		free(t);
		get_with(&r, env("COCKPIT_MASTER_KEY"), CONTEXT, bad[i]);
		assert_error(&r, 400, "invalid_header", NULL);
		reply_free(&r);
	}
}
END_TEST

/* An account admin's header naming another account changes nothing. */
START_TEST(test_account_admin_header_is_ignored)
{
	struct acct	 own, other;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], hdr[128], *t;

	org_account(&own, org, sizeof(org), "res-own");
	acct_new(&other, "res-other");
	email_new(email, sizeof(email), "admin", NULL);
	t = mint_user(email, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	(void)snprintf(hdr, sizeof(hdr), "X-Account-Id: %s", other.id);
	get_with(&r, t, CONTEXT, hdr);
	assert_context(&r, "token", "account_admin", 0);
	assert_context_account(&r, &own, "active");
	reply_free(&r);
	get_with(&r, t, other.path, hdr);
	assert_error(&r, 404, "not_found", NULL);
	reply_free(&r);
	get_with(&r, t, own.path, hdr);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_str(r.json, "id"), own.id);
	reply_free(&r);
	free(t);
}
END_TEST

/*
 * An end user's header naming another account changes nothing either: its
 * own account in the context, and no way into the other account's route
 * (GET /v1/accounts/{id} is for account admins, so 403 forbidden before
 * the account is looked at, exactly as for the end user's own account).
 */
START_TEST(test_end_user_header_is_ignored)
{
	struct acct	 own, other;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], hdr[128], *t;

	org_account(&own, org, sizeof(org), "res-own");
	acct_new(&other, "res-other");
	email_new(email, sizeof(email), "enduser", NULL);
	t = mint_user(email, org, NULL, 1, NULL, AS_END_USER);
	(void)snprintf(hdr, sizeof(hdr), "X-Account-Id: %s", other.id);
	get_with(&r, t, CONTEXT, hdr);
	assert_context(&r, "token", "end_user", 0);
	assert_context_account(&r, &own, "active");
	reply_free(&r);
	get_with(&r, t, other.path, hdr);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	get_with(&r, t, own.path, NULL);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

/* --- suspended accounts ---------------------------------------------- */

static void
suspend(const char *account_id)
{
	char	 sql[200];

	(void)snprintf(sql, sizeof(sql), "UPDATE accounts SET status = "
	    "'suspended' WHERE id = '%s'", account_id);
	owner_exec(sql);
}

/* A suspended account's admin is turned away from the account's routes. */
START_TEST(test_suspended_account_admin_is_turned_away)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], *t;

	org_account(&a, org, sizeof(org), "res-suspended");
	suspend(a.id);
	email_new(email, sizeof(email), "suspended", NULL);
	t = mint_user(email, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	get_with(&r, t, a.path, NULL);
	assert_error(&r, 403, "account_suspended", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

/* ...but reads its own context, which says the account is suspended. */
START_TEST(test_suspended_account_context_says_so)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], *t;

	org_account(&a, org, sizeof(org), "res-suspended");
	suspend(a.id);
	email_new(email, sizeof(email), "suspended", NULL);
	t = mint_user(email, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	get_with(&r, t, CONTEXT, NULL);
	assert_context(&r, "token", "account_admin", 0);
	assert_context_account(&r, &a, "suspended");
	reply_free(&r);
	free(t);
}
END_TEST

/* --- the shapes of /v1/me/context ------------------------------------ */

/* The master key: a super admin for the platform, no user, no account. */
START_TEST(test_context_of_master_key)
{
	struct reply	 r;

	get_with(&r, env("COCKPIT_MASTER_KEY"), CONTEXT, NULL);
	assert_context(&r, "master_key", "super_admin", 1);
	ck_assert(cJSON_IsNull(member(r.json, "account")));
	ck_assert(cJSON_IsNull(member(member(r.json, "user"), "id")));
	ck_assert(cJSON_IsNull(member(member(r.json, "user"), "subject")));
	ck_assert(cJSON_IsNull(member(member(r.json, "user"), "email")));
	ck_assert_str_eq(user_member(&r, "actor"), "master_key");
	ck_assert_ptr_null(strstr(r.body.data, env("COCKPIT_MASTER_KEY")));
	reply_free(&r);
}
END_TEST

/* A super admin's token: the platform, its subject and email. */
START_TEST(test_context_of_super_admin_token)
{
	struct reply	 r;
	char		 email[256], sub[300], *t;

	email_new(email, sizeof(email), "ctxsuper", NULL);
	(void)snprintf(sub, sizeof(sub), "sub-%s", email);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_SUPER_ADMIN);
	get_with(&r, t, CONTEXT, NULL);
	assert_context(&r, "token", "super_admin", 1);
	ck_assert(cJSON_IsNull(member(r.json, "account")));
	ck_assert_str_eq(user_member(&r, "subject"), sub);
	ck_assert_str_eq(user_member(&r, "email"), email);
	ck_assert_str_eq(user_member(&r, "actor"), email);
	reply_free(&r);
	free(t);
}
END_TEST

/* An account admin's token: its account, its local user. */
START_TEST(test_context_of_account_admin_token)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], sub[300], sql[800];
	char		*t;

	org_account(&a, org, sizeof(org), "res-ctxadmin");
	email_new(email, sizeof(email), "ctxadmin", NULL);
	(void)snprintf(sub, sizeof(sub), "sub-%s", email);
	t = mint_user(email, org, NULL, 1, "Admin Person", AS_ACCOUNT_ADMIN);
	get_with(&r, t, CONTEXT, NULL);
	assert_context(&r, "token", "account_admin", 0);
	assert_context_account(&r, &a, "active");
	ck_assert_str_eq(user_member(&r, "subject"), sub);
	ck_assert_str_eq(user_member(&r, "email"), email);
	ck_assert_str_eq(user_member(&r, "display_name"), "Admin Person");
	ck_assert(is_uuid(user_member(&r, "id")));
	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE "
	    "id = '%s' AND account_id = '%s' AND subject = '%s'",
	    user_member(&r, "id"), a.id, sub);
	ck_assert_int_eq(db_count(sql), 1);
	reply_free(&r);
	free(t);
}
END_TEST

/* An end user's token: signed_in is its only scope. */
START_TEST(test_context_of_end_user_token)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], *t;

	org_account(&a, org, sizeof(org), "res-ctxuser");
	email_new(email, sizeof(email), "ctxuser", NULL);
	t = mint_user(email, org, NULL, 1, NULL, AS_END_USER);
	get_with(&r, t, CONTEXT, NULL);
	assert_context(&r, "token", "end_user", 0);
	assert_context_account(&r, &a, "active");
	ck_assert(is_uuid(user_member(&r, "id")));
	ck_assert(cJSON_IsNull(member(member(r.json, "user"),
	    "display_name")));
	reply_free(&r);
	free(t);
}
END_TEST

/* An API key: its account, as an account admin, no user. */
START_TEST(test_context_of_api_key)
{
	struct acct	 a;
	struct reply	 made, r;
	char		 keys[128], actor[64];

	acct_new(&a, "res-ctxkey");
	(void)snprintf(keys, sizeof(keys), "%s/api-keys", a.path);
	api_post_json(&made, keys, "{\"name\":\"context\"}");
	ck_assert_msg(made.status == 201, "%ld %s", made.status,
	    made.body.data);
	ck_assert_ptr_nonnull(json_str(made.json, "key"));
	get_with(&r, json_str(made.json, "key"), CONTEXT, NULL);
	assert_context(&r, "api_key", "account_admin", 0);
	assert_context_account(&r, &a, "active");
	ck_assert(cJSON_IsNull(member(member(r.json, "user"), "id")));
	ck_assert(cJSON_IsNull(member(member(r.json, "user"), "email")));
	(void)snprintf(actor, sizeof(actor), "api_key:%s",
	    json_str(made.json, "prefix"));
	ck_assert_str_eq(user_member(&r, "actor"), actor);
	ck_assert_ptr_null(strstr(r.body.data, json_str(made.json, "key")));
	reply_free(&r);
	reply_free(&made);
}
END_TEST

/* --- /v1/auth/zitadel/status ----------------------------------------- */

/* The secret keys of the stack, as script/stack keeps them; "" if none. */
static void
secret_keys(char *out, size_t len)
{
	char	 path[4096];
	FILE	*f;
	size_t	 n = 0;

	out[0] = '\0';
	(void)snprintf(path, sizeof(path), "%s/secret_keys",
	    env("COCKPIT_STATE_DIR"));
	if ((f = fopen(path, "r")) == NULL)
		return;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	(void)fclose(f);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
}

/* A super admin sees the provider's configuration and a healthy JWKS. */
START_TEST(test_zitadel_status_for_super_admin)
{
	struct reply	 r;
	const cJSON	*jw, *cs;
	char		 email[256], keys[512], *hex, *t;

	email_new(email, sizeof(email), "status", NULL);
	t = mint_user(email, NULL, NULL, 1, NULL, AS_SUPER_ADMIN);
	get_with(&r, t, "/v1/accounts?limit=1", NULL);
	ck_assert_int_eq(r.status, 200);	/* a token was verified */
	reply_free(&r);
	get_with(&r, t, "/v1/auth/zitadel/status", NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(cJSON_IsTrue(member(r.json, "configured")));
	ck_assert_str_eq(json_str(r.json, "issuer"), env("COCKPIT_TEST_IDP"));
	ck_assert_str_eq(json_str(r.json, "audience"), TEST_AUDIENCE);
	cs = member(r.json, "console_sign_in");
	ck_assert(cJSON_IsTrue(member(cs, "configured")));
	ck_assert_str_eq(json_str(cs, "client_id"), "cockpit-console");
	ck_assert(cJSON_IsFalse(member(cs, "confidential")));
	jw = member(r.json, "jwks");
	ck_assert_msg(cJSON_IsTrue(member(jw, "healthy")), "%s", r.body.data);
	ck_assert_int_ge(member(jw, "keys")->valueint, 1);
	ck_assert(cJSON_IsNull(member(jw, "last_error")));
	ck_assert(cJSON_IsString(member(jw, "fetched_at")));
	/* No secret of any kind. */
	ck_assert_ptr_null(strstr(r.body.data, "secret"));
	ck_assert_ptr_null(strstr(r.body.data, env("COCKPIT_MASTER_KEY")));
	ck_assert_ptr_null(strstr(r.body.data, env("DATABASE_URL")));
	secret_keys(keys, sizeof(keys));
	if ((hex = strchr(keys, ':')) != NULL)
		ck_assert_ptr_null(strstr(r.body.data, hex + 1));
	reply_free(&r);
	free(t);
}
END_TEST

/* An account admin may not see it. */
START_TEST(test_zitadel_status_refuses_account_admin)
{
	struct acct	 a;
	struct reply	 r;
	char		 org[NAME_MAX_LEN + 8], email[256], *t;

	org_account(&a, org, sizeof(org), "res-status");
	email_new(email, sizeof(email), "statusadmin", NULL);
	t = mint_user(email, org, NULL, 1, NULL, AS_ACCOUNT_ADMIN);
	get_with(&r, t, "/v1/auth/zitadel/status", NULL);
	assert_error(&r, 403, "forbidden", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

/* Nor anyone without credentials. */
START_TEST(test_zitadel_status_refuses_anonymous)
{
	struct reply	 r;
	char		 www[128];

	get_with(&r, NULL, "/v1/auth/zitadel/status", NULL);
	assert_error(&r, 401, "unauthorized", NULL);
	ck_assert_int_eq(reply_header(&r, "WWW-Authenticate", www,
	    sizeof(www)), 0);
	reply_free(&r);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("resolution");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_org_beats_account_claim);
	tcase_add_test(tc, test_unknown_org_falls_to_account_claim);
	tcase_add_test(tc, test_account_claim_beats_verified_domain);
	tcase_add_test(tc, test_verified_domain_resolves);
	tcase_add_test(tc, test_unverified_domain_resolves_nothing);
	tcase_add_test(tc, test_unverified_email_resolves_nothing_by_domain);
	tcase_add_test(tc, test_nothing_resolves);
	tcase_add_test(tc, test_claim_not_uuid_is_ignored);
	tcase_add_test(tc, test_first_request_creates_user_and_event);
	tcase_add_test(tc, test_second_request_creates_nothing);
	tcase_add_test(tc, test_email_only_user_is_adopted);
	tcase_add_test(tc, test_email_of_another_user_is_unresolved);
	tcase_add_test(tc, test_inactive_user_is_unresolved);
	tcase_add_test(tc, test_token_without_email_is_unresolved);
	tcase_add_test(tc, test_super_admin_acts_in_header_account);
	tcase_add_test(tc, test_super_admin_header_naming_no_account_is_404);
	tcase_add_test(tc, test_super_admin_header_leaves_platform_routes);
	tcase_add_test(tc, test_malformed_account_header_is_400);
	tcase_add_test(tc, test_account_admin_header_is_ignored);
	tcase_add_test(tc, test_end_user_header_is_ignored);
	tcase_add_test(tc, test_suspended_account_admin_is_turned_away);
	tcase_add_test(tc, test_suspended_account_context_says_so);
	tcase_add_test(tc, test_context_of_master_key);
	tcase_add_test(tc, test_context_of_super_admin_token);
	tcase_add_test(tc, test_context_of_account_admin_token);
	tcase_add_test(tc, test_context_of_end_user_token);
	tcase_add_test(tc, test_context_of_api_key);
	tcase_add_test(tc, test_zitadel_status_for_super_admin);
	tcase_add_test(tc, test_zitadel_status_refuses_account_admin);
	tcase_add_test(tc, test_zitadel_status_refuses_anonymous);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
