/* lib/fetch: which addresses a URL that a user gave may reach. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "fetch.h"
#include "suites.h"

/* Whether fetch_address_public() takes the IPv4 or IPv6 address text. */
static int
public(const char *text)
{
	struct sockaddr_in	 a4;
	struct sockaddr_in6	 a6;

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		return fetch_address_public((struct sockaddr *)&a4);
	}
	ck_assert_msg(inet_pton(AF_INET6, text, &a6.sin6_addr) == 1,
	    "not an address: %s", text);
	a6.sin6_family = AF_INET6;
	return fetch_address_public((struct sockaddr *)&a6);
}

START_TEST(test_public_addresses)
{
	static const char *const ok[] = { "8.8.8.8", "1.1.1.1",
	    "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.15.255.255",
	    "172.32.0.0", "192.167.255.255", "192.169.0.0", "198.17.255.255",
	    "198.20.0.0", "223.255.255.255", "2606:4700::1111",
	    "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808",
	    "2002:808:808::1" };
	size_t	 i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		ck_assert_msg(public(ok[i]), "%s refused", ok[i]);
}
END_TEST

START_TEST(test_internal_addresses)
{
	static const char *const no[] = { "0.0.0.0", "0.1.2.3", "10.0.0.1",
	    "10.255.255.255", "100.64.0.1", "100.127.255.255", "127.0.0.1",
	    "127.1.2.3", "169.254.169.254", "172.16.0.1", "172.31.255.255",
	    "192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1",
	    "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1",
	    "239.255.255.250", "240.0.0.1", "255.255.255.255", "::", "::1",
	    "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:10.1.2.3",
	    "::ffff:169.254.169.254", "64:ff9b::7f00:1", "2002:7f00:1::1",
	    "2002:a00:1::", "fc00::1", "fd12:3456::1", "fe80::1", "fec0::1",
	    "ff02::1", "2001:db8::1", "100::1", "4000::1" };
	size_t	 i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!public(no[i]), "%s taken", no[i]);
}
END_TEST

START_TEST(test_other_families)
{
	struct sockaddr	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	ck_assert(!fetch_address_public(&sa));
}
END_TEST

Suite *
fetch_suite(void)
{
	Suite	*s = suite_create("fetch");
	TCase	*tc = tcase_create("addresses");

	tcase_add_test(tc, test_public_addresses);
	tcase_add_test(tc, test_internal_addresses);
	tcase_add_test(tc, test_other_families);
	suite_add_tcase(s, tc);
	return s;
}
