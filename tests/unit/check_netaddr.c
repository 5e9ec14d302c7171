/*
 * lib/netaddr: which addresses and URL hosts are public, this machine or
 * internal; each range at its edges (the first and last address inside,
 * the neighbours outside), IPv4 carried in IPv6, names and bad hosts.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "suites.h"

#define P	ADDR_PUBLIC
#define L	ADDR_LOOPBACK
#define I	ADDR_INTERNAL

struct want {
	const char	*text;
	enum addr_class	 k;
};

static const char *
class_name(enum addr_class k)
{
	return k == P ? "public" : k == L ? "loopback" : "internal";
}

/* The class of an address in text, through a socket address. */
static enum addr_class
sockaddr_class(const char *text)
{
	struct sockaddr_in	 a4;
	struct sockaddr_in6	 a6;

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, text, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		return netaddr_sockaddr((struct sockaddr *)&a4);
	}
	ck_assert_msg(inet_pton(AF_INET6, text, &a6.sin6_addr) == 1,
	    "not an address: %s", text);
	a6.sin6_family = AF_INET6;
	return netaddr_sockaddr((struct sockaddr *)&a6);
}

/* Each address as a socket address, and as a URL's host. */
static void
check_addresses(const struct want *w, size_t n)
{
	enum addr_class	 k;
	char		 host[64];
	size_t		 i;

	for (i = 0; i < n; i++) {
		k = sockaddr_class(w[i].text);
		ck_assert_msg(k == w[i].k, "%s: %s, not %s", w[i].text,
		    class_name(k), class_name(w[i].k));
		(void)snprintf(host, sizeof(host), strchr(w[i].text, ':') ?
		    "[%s]" : "%s", w[i].text);
		ck_assert_msg(netaddr_host(host, strlen(host), &k) == 0,
		    "%s: not a host", host);
		ck_assert_msg(k == w[i].k, "host %s: %s, not %s", host,
		    class_name(k), class_name(w[i].k));
	}
}

START_TEST(test_ipv4_ranges)
{
	static const struct want w[] = {
		{ "8.8.8.8", P }, { "1.1.1.1", P }, { "93.184.216.34", P },
		/* 0/8, "this network" */
		{ "0.0.0.0", I }, { "0.255.255.255", I }, { "1.0.0.0", P },
		/* 10/8 */
		{ "9.255.255.255", P }, { "10.0.0.0", I },
		{ "10.255.255.255", I }, { "11.0.0.0", P },
		/* 100.64/10, shared */
		{ "100.63.255.255", P }, { "100.64.0.0", I },
		{ "100.127.255.255", I }, { "100.128.0.0", P },
		/* 127/8, loopback */
		{ "126.255.255.255", P }, { "127.0.0.0", L },
		{ "127.0.0.1", L }, { "127.255.255.255", L }, { "128.0.0.0", P },
		/* 169.254/16, link-local */
		{ "169.253.255.255", P }, { "169.254.0.0", I },
		{ "169.254.169.254", I }, { "169.254.255.255", I },
		{ "169.255.0.0", P },
		/* 172.16/12 */
		{ "172.15.255.255", P }, { "172.16.0.0", I },
		{ "172.31.255.255", I }, { "172.32.0.0", P },
		/* 192.0.0/24, IETF protocol assignments */
		{ "191.255.255.255", P }, { "192.0.0.0", I },
		{ "192.0.0.255", I }, { "192.0.1.0", P },
		/* 192.0.2/24, documentation */
		{ "192.0.1.255", P }, { "192.0.2.0", I }, { "192.0.2.255", I },
		{ "192.0.3.0", P },
		/* 192.88.99/24, 6to4 relay anycast */
		{ "192.88.98.255", P }, { "192.88.99.0", I },
		{ "192.88.99.255", I }, { "192.88.100.0", P },
		/* 192.168/16 */
		{ "192.167.255.255", P }, { "192.168.0.0", I },
		{ "192.168.255.255", I }, { "192.169.0.0", P },
		/* 198.18/15, benchmarking */
		{ "198.17.255.255", P }, { "198.18.0.0", I },
		{ "198.19.255.255", I }, { "198.20.0.0", P },
		/* 198.51.100/24, documentation */
		{ "198.51.99.255", P }, { "198.51.100.0", I },
		{ "198.51.100.255", I }, { "198.51.101.0", P },
		/* 203.0.113/24, documentation */
		{ "203.0.112.255", P }, { "203.0.113.0", I },
		{ "203.0.113.255", I }, { "203.0.114.0", P },
		/* 224/4 multicast, 240/4 reserved, broadcast */
		{ "223.255.255.255", P }, { "224.0.0.0", I },
		{ "239.255.255.250", I }, { "240.0.0.0", I },
		{ "255.255.255.255", I },
	};

	check_addresses(w, sizeof(w) / sizeof(w[0]));
}
END_TEST

START_TEST(test_ipv6_ranges)
{
	static const struct want w[] = {
		{ "2606:4700::1111", P }, { "2001:4860:4860::8888", P },
		{ "::", I }, { "::1", L }, { "::2", I },
		/* IPv4-compatible (deprecated): not judged by the IPv4 */
		{ "::8.8.8.8", I }, { "::127.0.0.1", I },
		/* outside 2000::/3 */
		{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", I }, { "2000::", P },
		{ "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "4000::", I },
		{ "100::1", I }, { "fc00::1", I }, { "fdff:ffff::1", I },
		{ "fe80::1", I }, { "febf::1", I }, { "fec0::1", I },
		{ "ff02::1", I },
		/* 2001::/23, IETF protocol assignments (Teredo, ...) */
		{ "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "2001::", I },
		{ "2001:2::1", I }, { "2001:20::1", I },
		{ "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", I },
		{ "2001:200::", P },
		/* 2001:db8::/32, documentation */
		{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", P },
		{ "2001:db8::", I }, { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", I },
		{ "2001:db9::", P },
		/* 3fff::/20, documentation */
		{ "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", P }, { "3fff::", I },
		{ "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", I },
		{ "3fff:1000::", P },
	};

	check_addresses(w, sizeof(w) / sizeof(w[0]));
}
END_TEST

/* Mapped, NAT64 and 6to4 addresses are what their IPv4 address is. */
START_TEST(test_ipv4_in_ipv6)
{
	static const struct want w[] = {
		{ "::ffff:8.8.8.8", P }, { "::ffff:127.0.0.1", L },
		{ "::ffff:10.1.2.3", I }, { "::ffff:169.254.169.254", I },
		{ "::ffff:192.0.2.1", I }, { "::ffff:223.255.255.255", P },
		{ "::ffff:224.0.0.1", I }, { "::fffe:8.8.8.8", I },
		{ "64:ff9b::808:808", P }, { "64:ff9b::7f00:1", L },
		{ "64:ff9b::a00:1", I }, { "64:ff9b::c633:6401", I },
		{ "64:ff9b:1::808:808", I },
		{ "2002:808:808::1", P }, { "2002:7f00:1::1", L },
		{ "2002:a00:1::", I }, { "2002:c000:201::1", I },
		{ "2002:a9fe:a9fe::", I }, { "2002:cb00:7200::", P },
		{ "2003::1", P },
	};

	check_addresses(w, sizeof(w) / sizeof(w[0]));
}
END_TEST

START_TEST(test_other_families)
{
	struct sockaddr_un	 un;

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	ck_assert_int_eq(netaddr_sockaddr((struct sockaddr *)&un), I);
}
END_TEST

START_TEST(test_names)
{
	static const struct want w[] = {
		{ "localhost", L }, { "LocalHost", L }, { "a.localhost", L },
		{ "x.y.LOCALHOST", L }, { "notlocalhost", P },
		{ "localhostx", P }, { "localhost.example.com", P },
		{ "example.com", P }, { "hooks.example.com", P }, { "a", P },
		{ "xn--bcher-kva.example", P }, { "a-b.c", P },
		{ "1a.b2c", P }, { "0x7f.com", P }, { "10.0.0.8.example", P },
	};
	enum addr_class	 k;
	size_t		 i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		ck_assert_msg(netaddr_host(w[i].text, strlen(w[i].text),
		    &k) == 0, "%s: not a host", w[i].text);
		ck_assert_msg(k == w[i].k, "%s: %s, not %s", w[i].text,
		    class_name(k), class_name(w[i].k));
	}
}
END_TEST

/* Labels of 63 characters and names of 253 at most. */
START_TEST(test_name_lengths)
{
	char		 name[300];
	enum addr_class	 k;

	memset(name, 'a', 63);
	(void)snprintf(name + 63, sizeof(name) - 63, ".com");
	ck_assert_int_eq(netaddr_host(name, strlen(name), &k), 0);
	memset(name, 'a', 64);
	(void)snprintf(name + 64, sizeof(name) - 64, ".com");
	ck_assert_int_eq(netaddr_host(name, strlen(name), &k), -1);
	/* Labels of 62, 62, 62 and 60 characters and "com": 253. */
	memset(name, 'a', sizeof(name));
	name[62] = name[125] = name[188] = '.';
	(void)snprintf(name + 249, sizeof(name) - 249, ".com");
	ck_assert_int_eq(strlen(name), 253);
	ck_assert_int_eq(netaddr_host(name, strlen(name), &k), 0);
	(void)snprintf(name + 249, sizeof(name) - 249, ".comx");
	ck_assert_int_eq(netaddr_host(name, strlen(name), &k), -1);
}
END_TEST

/* Only len characters are the host: a port or path may follow. */
START_TEST(test_host_length)
{
	enum addr_class	 k;

	ck_assert_int_eq(netaddr_host("example.com:443/a", 11, &k), 0);
	ck_assert_int_eq(k, P);
	ck_assert_int_eq(netaddr_host("[::1]:8080", 5, &k), 0);
	ck_assert_int_eq(k, L);
	ck_assert_int_eq(netaddr_host("127.0.0.1:80", 9, &k), 0);
	ck_assert_int_eq(k, L);
	ck_assert_int_eq(netaddr_host("10.0.0.1/x", 8, &k), 0);
	ck_assert_int_eq(k, I);
	ck_assert_int_eq(netaddr_host("example.com", 0, &k), -1);
}
END_TEST

/* Numbers that resolvers read as addresses, and what is not a host. */
START_TEST(test_bad_hosts)
{
	static const char *const bad[] = {
		"", "[]", "[::1", "::1]", "::1", "[fe80::1%25eth0]",
		"[fe80::1%eth0]", "[127.0.0.1]", "[::1]x", "2130706433",
		"127.1", "0x7f000001", "0x7f.0.0.1", "017700000001",
		"010.0.0.1", "256.1.1.1", "1.2.3.4.5", "1.2.3.4x", "-a.com",
		"a-.com", "a.-b.com", "a..com", "a.com.", ".a.com", ".",
		"a_b.com", "exa mple.com", "b\xc3\xbc" "cher.example",
		"a.com:", "a@b.com", ".localhost", "localhost.",
	};
	enum addr_class	 k;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(netaddr_host(bad[i], strlen(bad[i]), &k) == -1,
		    "\"%s\" taken as a host", bad[i]);
}
END_TEST

Suite *
netaddr_suite(void)
{
	Suite	*s = suite_create("netaddr");
	TCase	*tc = tcase_create("addresses");
	TCase	*hosts = tcase_create("hosts");

	tcase_add_test(tc, test_ipv4_ranges);
	tcase_add_test(tc, test_ipv6_ranges);
	tcase_add_test(tc, test_ipv4_in_ipv6);
	tcase_add_test(tc, test_other_families);
	suite_add_tcase(s, tc);
	tcase_add_test(hosts, test_names);
	tcase_add_test(hosts, test_name_lengths);
	tcase_add_test(hosts, test_host_length);
	tcase_add_test(hosts, test_bad_hosts);
	suite_add_tcase(s, hosts);
	return s;
}
