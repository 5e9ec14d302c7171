/* lib/auth: role resolution, configured name lists, the master key. */
#include <string.h>

#include "auth.h"
#include "config.h"
#include "suites.h"

static struct token_claims
claims(const char *a, const char *b)
{
	struct token_claims	 c;

	memset(&c, 0, sizeof(c));
	if (a != NULL)
		strcpy(c.roles[c.nroles++], a);
	if (b != NULL)
		strcpy(c.roles[c.nroles++], b);
	return c;
}

START_TEST(test_role_precedence)
{
	const char *const	 super[] = { "platform-admin", NULL };
	const char *const	 admin[] = { "org-admin", "owner", NULL };
	struct token_claims	 c;

	c = claims(NULL, NULL);
	ck_assert_int_eq(role_resolve(&c, super, admin), ROLE_END_USER);
	c = claims("viewer", "owner");
	ck_assert_int_eq(role_resolve(&c, super, admin), ROLE_ACCOUNT_ADMIN);
	c = claims("owner", "platform-admin");
	ck_assert_int_eq(role_resolve(&c, super, admin), ROLE_SUPER_ADMIN);
	c = claims("Platform-Admin", NULL);
	ck_assert_int_eq(role_resolve(&c, super, admin), ROLE_END_USER);
	ck_assert_int_eq(role_resolve(&c, NULL, NULL), ROLE_END_USER);
}
END_TEST

START_TEST(test_name_lists)
{
	struct name_list	 l;

	ck_assert_int_eq(name_list_init(&l, " a, b ,,c  "), 0);
	ck_assert_str_eq(l.names[0], "a");
	ck_assert_str_eq(l.names[1], "b");
	ck_assert_str_eq(l.names[2], "c");
	ck_assert_ptr_null(l.names[3]);
	name_list_free(&l);
	ck_assert_int_eq(name_list_init(&l, NULL), 0);
	ck_assert_ptr_null(l.names[0]);
	name_list_free(&l);
}
END_TEST

START_TEST(test_master_key_and_bearer_parsing)
{
	struct config		 cfg;
	struct auth		 a;
	struct principal	 p;
	struct credential	 c;
	const char		*why;

	memset(&cfg, 0, sizeof(cfg));
	cfg.master_key = "0123456789abcdef0123456789abcdef";
	ck_assert_int_eq(auth_init(&a, &cfg, NULL), 0);
	ck_assert_int_eq(auth_authenticate(&a, "Bearer 0123456789abcdef"
	    "0123456789abcdef", NULL, 0, &p, &c, &why), AUTH_OK);
	ck_assert_int_eq(p.role, ROLE_SUPER_ADMIN);
	ck_assert_int_eq(p.platform, 1);
	ck_assert_int_eq(auth_authenticate(&a, "bearer  0123456789abcdef"
	    "0123456789abcdef", NULL, 0, &p, &c, &why), AUTH_OK);
	ck_assert_int_eq(auth_authenticate(&a, "Bearer 0123456789abcdef"
	    "0123456789abcdeF", NULL, 0, &p, &c, &why), AUTH_INVALID);
	ck_assert_int_eq(p.role, ROLE_NONE);
	ck_assert_int_eq(p.platform, 0);
	ck_assert_int_eq(auth_authenticate(&a, NULL, NULL, 0, &p, &c, &why), AUTH_NONE);
	ck_assert_int_eq(auth_authenticate(&a, "Basic abc", NULL, 0, &p, &c, &why),
	    AUTH_INVALID);
	/* A token while no issuer is configured: refused, with a reason. */
	ck_assert_int_eq(auth_authenticate(&a, "Bearer a.b.c", NULL, 0, &p, &c, &why),
	    AUTH_INVALID);
	ck_assert_ptr_nonnull(why);
	auth_free(&a);
}
END_TEST

START_TEST(test_permissions_fail_closed)
{
	struct principal	 p;

	memset(&p, 0, sizeof(p));
	p.role = ROLE_SUPER_ADMIN;
	ck_assert(!auth_permits(PERM_UNSET, &p));
	ck_assert(auth_permits(PERM_SUPER_ADMIN, &p));
	ck_assert(auth_permits(PERM_ACCOUNT_ADMIN, &p));
	ck_assert(auth_permits(PERM_SIGNED_IN, &p));
	p.role = ROLE_ACCOUNT_ADMIN;
	ck_assert(!auth_permits(PERM_SUPER_ADMIN, &p));
	ck_assert(auth_permits(PERM_ACCOUNT_ADMIN, &p));
	ck_assert(auth_permits(PERM_SIGNED_IN, &p));
	ck_assert(auth_permits(PERM_PUBLIC, &p));
	p.role = ROLE_END_USER;
	ck_assert(!auth_permits(PERM_SUPER_ADMIN, &p));
	ck_assert(!auth_permits(PERM_ACCOUNT_ADMIN, &p));
	ck_assert(auth_permits(PERM_SIGNED_IN, &p));
	ck_assert(!auth_permits(PERM_UNSET, &p));
	p.role = ROLE_NONE;
	ck_assert(!auth_permits(PERM_SIGNED_IN, &p));
	ck_assert(auth_permits(PERM_PUBLIC, &p));
}
END_TEST

#define KEY	"ck_ab12cd34_0123456789abcdefghijABCDEFGHIJ-_0123456789a"

/* API keys and session cookies are left for the database, by digest. */
START_TEST(test_lookups_by_digest)
{
	struct config		 cfg;
	struct auth		 a;
	struct principal	 p;
	struct credential	 c;
	const char		*why;
	unsigned char		 d[AUTH_DIGEST_LEN];

	memset(&cfg, 0, sizeof(cfg));
	ck_assert_int_eq(auth_init(&a, &cfg, NULL), 0);
	ck_assert_uint_eq(strlen(KEY), API_KEY_LEN);
	ck_assert_int_eq(auth_authenticate(&a, "Bearer " KEY, NULL, 0, &p, &c,
	    &why), AUTH_LOOKUP);
	ck_assert_int_eq(c.kind, CREDENTIAL_API_KEY);
	ck_assert_int_eq(auth_digest(KEY, strlen(KEY), d), 0);
	ck_assert_mem_eq(c.digest, d, sizeof(d));
	ck_assert_str_eq(p.kind, "api_key");
	/* Not key-shaped: an upper-case prefix, a short secret. */
	ck_assert_int_eq(auth_authenticate(&a, "Bearer ck_AB12cd34_0123456789"
	    "abcdefghijABCDEFGHIJ-_0123456789a", NULL, 0, &p, &c, &why),
	    AUTH_INVALID);
	ck_assert_int_eq(auth_authenticate(&a, "Bearer ck_ab12cd34_0123",
	    NULL, 0, &p, &c, &why), AUTH_INVALID);
	/* The cookie counts only without an Authorization header. */
	ck_assert_int_eq(auth_authenticate(&a, NULL, "a=b; " SESSION_COOKIE
	    "=0123456789abcdefghijABCDEFGHIJ-_0123456789a; c=d", 0, &p, &c,
	    &why), AUTH_LOOKUP);
	ck_assert_int_eq(c.kind, CREDENTIAL_SESSION);
	ck_assert_str_eq(p.kind, "session");
	ck_assert_int_eq(auth_authenticate(&a, NULL, SESSION_COOKIE "=short",
	    0, &p, &c, &why), AUTH_INVALID);
	ck_assert_int_eq(auth_authenticate(&a, NULL, "other=1", 0, &p, &c,
	    &why), AUTH_NONE);
	ck_assert_int_eq(auth_authenticate(&a, "Basic x", SESSION_COOKIE
	    "=0123456789abcdefghijABCDEFGHIJ-_0123456789a", 0, &p, &c, &why),
	    AUTH_INVALID);
	auth_free(&a);
}
END_TEST

START_TEST(test_cookie_values)
{
	char	 v[16];

	ck_assert_int_eq(cookie_value("a=1; bb=22;c=3", "bb", v, sizeof(v)),
	    0);
	ck_assert_str_eq(v, "22");
	ck_assert_int_eq(cookie_value("a=1;c=3", "c", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "3");
	ck_assert_int_eq(cookie_value("ab=1", "a", v, sizeof(v)), -1);
	ck_assert_int_eq(cookie_value("a=0123456789abcdefg", "a", v,
	    sizeof(v)), -1);
	ck_assert_int_eq(cookie_value("", "a", v, sizeof(v)), -1);
}
END_TEST

Suite *
auth_suite(void)
{
	Suite	*s = suite_create("auth");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_role_precedence);
	tcase_add_test(tc, test_name_lists);
	tcase_add_test(tc, test_master_key_and_bearer_parsing);
	tcase_add_test(tc, test_permissions_fail_closed);
	tcase_add_test(tc, test_lookups_by_digest);
	tcase_add_test(tc, test_cookie_values);
	suite_add_tcase(s, tc);
	return s;
}
