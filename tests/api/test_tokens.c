/*
 * Access tokens from the identity provider, end to end: the test provider
 * in tests/idp mints them (COCKPIT_TEST_IDP), the programs verify them
 * against its JWKS. Every token attack in SECURITY.md is a 401; a super
 * admin's token works; rotation is picked up with one shared fetch; a
 * failing JWKS keeps the last good keys.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define AUD	"cockpit-api"	/* ZITADEL_AUDIENCE in tests/api/suite.sh */
#define SUPER	"\"urn:zitadel:iam:org:project:roles\":{\"cockpit-super-admin\":{}}"
#define ADMIN	"\"urn:zitadel:iam:org:project:123:roles\":{\"cockpit-account-admin\":{}}"

static const char *
idp(void)
{
	return env("COCKPIT_TEST_IDP");
}

static void
idp_post(const char *path, const char *json, struct reply *r)
{
	ck_assert_int_eq(http_at(r, idp(), "POST", path, "application/json",
	    json, strlen(json), AUTH_NONE), 0);
	ck_assert_msg(r->status == 200, "idp %s: %ld", path, r->status);
}

/* A token from the provider: request is the /test/token body. */
static char *
mint(const char *request)
{
	struct reply	 r;
	char		*t;

	idp_post("/test/token", request, &r);
	t = strdup(json_str(r.json, "token"));
	reply_free(&r);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Claims for the configured audience, with extra members. */
static char *
mint_claims(const char *extra)
{
	char	 req[2048];

	(void)snprintf(req, sizeof(req), "{\"claims\":{\"aud\":[\"" AUD "\"],"
	    "\"sub\":\"u-42\",\"email\":\"ops@example.test\"%s%s}}",
	    *extra ? "," : "", extra);
	return mint(req);
}

static long
get_with(const char *token, const char *path)
{
	struct reply	 r;
	char		 auth[9000];
	long		 status;

	(void)snprintf(auth, sizeof(auth), "Bearer %s", token);
	ck_assert_int_eq(http(&r, "GET", path, NULL, NULL, 0, auth), 0);
	status = r.status;
	if (status == 401)
		assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
	return status;
}

static long
jwks_fetches(void)
{
	struct reply	 r;
	long		 n;

	ck_assert_int_eq(http_at(&r, idp(), "GET", "/test/stats", NULL, NULL, 0,
	    AUTH_NONE), 0);
	n = (long)cJSON_GetObjectItem(r.json, "jwks_fetches")->valuedouble;
	reply_free(&r);
	return n;
}

START_TEST(test_super_admin_token_is_accepted)
{
	char	*t = mint_claims(SUPER);

	ck_assert_int_eq(get_with(t, "/v1/accounts?limit=1"), 200);
	free(t);
}
END_TEST

START_TEST(test_other_users_are_unresolved_not_let_in)
{
	struct reply	 r;
	char		*t = mint_claims(ADMIN), auth[9000];

	(void)snprintf(auth, sizeof(auth), "Bearer %s", t);
	ck_assert_int_eq(http(&r, "GET", "/v1/accounts", NULL, NULL, 0, auth),
	    0);
	assert_error(&r, 403, "account_unresolved", NULL);
	reply_free(&r);
	free(t);
	t = mint_claims("");
	ck_assert_int_eq(get_with(t, "/v1/accounts"), 403);
	free(t);
}
END_TEST

START_TEST(test_token_attacks_are_401)
{
	static const char *const requests[] = {
		/* expired beyond the leeway */
		"{\"expires_in\":-120,\"claims\":{\"aud\":\"" AUD "\"," SUPER "}}",
		/* not valid yet */
		"{\"claims\":{\"aud\":\"" AUD "\",\"nbf\":9999999999," SUPER "}}",
		/* issued in the future */
		"{\"claims\":{\"aud\":\"" AUD "\",\"iat\":9999999999," SUPER "}}",
		/* another issuer */
		"{\"claims\":{\"aud\":\"" AUD "\",\"iss\":\"https://evil.test\"," SUPER "}}",
		/* another audience */
		"{\"claims\":{\"aud\":\"not-" AUD "\"," SUPER "}}",
		/* signed by a key the provider never published, known kid */
		"{\"sign_with\":\"stranger-as-current\","
		    "\"claims\":{\"aud\":\"" AUD "\"," SUPER "}}",
		/* an unknown kid */
		"{\"sign_with\":\"stranger\",\"claims\":{\"aud\":\"" AUD "\"," SUPER "}}",
		/* algorithm confusion and none */
		"{\"header\":{\"alg\":\"HS256\"},\"claims\":{\"aud\":\"" AUD "\"," SUPER "}}",
		"{\"header\":{\"alg\":\"none\"},\"claims\":{\"aud\":\"" AUD "\"," SUPER "}}",
		/* a critical header we do not understand */
		"{\"header\":{\"crit\":[\"exp\"]},\"claims\":{\"aud\":\"" AUD "\"," SUPER "}}",
	};
	char	*t;
	size_t	 i;

	ck_assert_str_eq(env("ZITADEL_AUDIENCE"), AUD);
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		t = mint(requests[i]);
		ck_assert_msg(get_with(t, "/v1/accounts?limit=1") == 401,
		    "attack %zu was let in", i);
		free(t);
	}
	ck_assert_int_eq(get_with("a.b.c", "/v1/accounts"), 401);
	ck_assert(!log_contains("accounts", "eyJ"));
	ck_assert(log_contains("accounts", "wrong audience"));
}
END_TEST

START_TEST(test_jku_is_never_followed)
{
	char	 req[2048], *t;
	long	 before;

	t = mint_claims(SUPER);
	ck_assert_int_eq(get_with(t, "/v1/accounts?limit=1"), 200);
	free(t);
	before = jwks_fetches();
	(void)snprintf(req, sizeof(req), "{\"header\":{\"jku\":\"%s/oauth/v2/"
	    "keys?jku\",\"x5u\":\"%s/x5u\"},\"claims\":{\"aud\":\"" AUD "\"," SUPER
	    "}}", idp(), idp());
	t = mint(req);
	ck_assert_int_eq(get_with(t, "/v1/accounts?limit=1"), 200);
	free(t);
	ck_assert_int_eq(jwks_fetches(), before);
}
END_TEST

static void *
hammer(void *arg)
{
	const char	*t = arg;
	int		 i;

	for (i = 0; i < 5; i++)
		if (get_with(t, "/v1/accounts?limit=1") != 200)
			return (void *)1;
	return NULL;
}

START_TEST(test_rotation_is_one_shared_fetch)
{
	struct reply	 r;
	pthread_t	 th[8];
	void		*failed;
	char		*t;
	long		 before;
	int		 i, failures = 0;

	t = mint_claims(SUPER);
	ck_assert_int_eq(get_with(t, "/v1/accounts?limit=1"), 200);
	free(t);
	msleep(1100);	/* COCKPIT_JWKS_COOLDOWN=1 in the suite */
	idp_post("/test/rotate", "{}", &r);
	reply_free(&r);
	before = jwks_fetches();
	t = mint_claims(SUPER);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, hammer, t), 0);
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(pthread_join(th[i], &failed), 0);
		failures += failed != NULL;
	}
	free(t);
	ck_assert_int_eq(failures, 0);
	ck_assert_int_eq(jwks_fetches() - before, 1);
}
END_TEST

START_TEST(test_failing_jwks_keeps_the_last_good_keys)
{
	struct reply	 r;
	char		*old, *fresh;

	old = mint_claims(SUPER);
	ck_assert_int_eq(get_with(old, "/v1/accounts?limit=1"), 200);
	msleep(1100);
	idp_post("/test/jwks", "{\"failing\":true}", &r);
	reply_free(&r);
	idp_post("/test/rotate", "{}", &r);
	reply_free(&r);
	fresh = mint_claims(SUPER);
	ck_assert_int_eq(get_with(fresh, "/v1/accounts?limit=1"), 401);
	ck_assert_int_eq(get_with(old, "/v1/accounts?limit=1"), 200);
	idp_post("/test/jwks", "{\"failing\":false}", &r);
	reply_free(&r);
	msleep(1100);
	ck_assert_int_eq(get_with(fresh, "/v1/accounts?limit=1"), 200);
	free(old);
	free(fresh);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("tokens");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_super_admin_token_is_accepted);
	tcase_add_test(tc, test_other_users_are_unresolved_not_let_in);
	tcase_add_test(tc, test_token_attacks_are_401);
	tcase_add_test(tc, test_jku_is_never_followed);
	tcase_add_test(tc, test_rotation_is_one_shared_fetch);
	tcase_add_test(tc, test_failing_jwks_keeps_the_last_good_keys);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
