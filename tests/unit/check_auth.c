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
	const char		*why;

	memset(&cfg, 0, sizeof(cfg));
	cfg.master_key = "0123456789abcdef0123456789abcdef";
	ck_assert_int_eq(auth_init(&a, &cfg, NULL), 0);
	ck_assert_int_eq(auth_authenticate(&a, "Bearer 0123456789abcdef"
	    "0123456789abcdef", 0, &p, &why), AUTH_OK);
	ck_assert_int_eq(p.role, ROLE_SUPER_ADMIN);
	ck_assert_int_eq(p.platform, 1);
	ck_assert_int_eq(auth_authenticate(&a, "bearer  0123456789abcdef"
	    "0123456789abcdef", 0, &p, &why), AUTH_OK);
	ck_assert_int_eq(auth_authenticate(&a, "Bearer 0123456789abcdef"
	    "0123456789abcdeF", 0, &p, &why), AUTH_INVALID);
	ck_assert_int_eq(p.role, ROLE_NONE);
	ck_assert_int_eq(p.platform, 0);
	ck_assert_int_eq(auth_authenticate(&a, NULL, 0, &p, &why), AUTH_NONE);
	ck_assert_int_eq(auth_authenticate(&a, "Basic abc", 0, &p, &why),
	    AUTH_INVALID);
	/* A token while no issuer is configured: refused, with a reason. */
	ck_assert_int_eq(auth_authenticate(&a, "Bearer a.b.c", 0, &p, &why),
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
	p.role = ROLE_ACCOUNT_ADMIN;
	ck_assert(!auth_permits(PERM_SUPER_ADMIN, &p));
	ck_assert(auth_permits(PERM_PUBLIC, &p));
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
	suite_add_tcase(s, tc);
	return s;
}
