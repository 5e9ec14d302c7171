/* The unit suites, one per libcockpit concern with pure logic. */
#ifndef UNIT_SUITES_H
#define UNIT_SUITES_H

#include <check.h>

Suite	*auth_suite(void);
Suite	*base64_suite(void);
Suite	*buf_suite(void);
Suite	*config_suite(void);
Suite	*credits_suite(void);
Suite	*json_suite(void);
Suite	*metrics_suite(void);
Suite	*netaddr_suite(void);
Suite	*pagination_suite(void);
Suite	*password_suite(void);
Suite	*secret_suite(void);
Suite	*router_suite(void);
Suite	*schema_suite(void);
Suite	*scim_filter_suite(void);
Suite	*token_suite(void);
Suite	*uuid_suite(void);
Suite	*validate_suite(void);

#endif
