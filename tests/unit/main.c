/*
 * Runs every unit suite. The last line of output is "N passed, N failed",
 * the summary script/test adds up.
 */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int
main(void)
{
	Suite	*(*const suites[])(void) = {
		auth_suite, base64_suite, buf_suite, config_suite, credits_suite,
		json_suite, metrics_suite,
		netaddr_suite, pagination_suite, password_suite, router_suite,
		schema_suite, scim_filter_suite, secret_suite, token_suite, uuid_suite,
		validate_suite,
	};
	SRunner	*sr;
	size_t	 i;
	int	 run, failed;

	sr = srunner_create(suites[0]());
	for (i = 1; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
