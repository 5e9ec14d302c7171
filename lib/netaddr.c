/*
 * Which addresses are public. The ranges are those of the IANA IPv4 and
 * IPv6 Special-Purpose Address Registries that are not globally
 * reachable, and every IPv6 address outside 2000::/3 (global unicast).
 * An IPv6 address that carries an IPv4 one (mapped ::ffff:0:0/96, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) is what that IPv4 address is.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "netaddr.h"

struct range {
	unsigned char	 net[16];
	unsigned int	 bits;
};

/* IPv4 ranges besides 127/8 (loopback). */
static const struct range v4_internal[] = {
	{ { 0 }, 8 },			/* "this network" */
	{ { 10 }, 8 },			/* private */
	{ { 100, 64 }, 10 },		/* shared (carrier-grade NAT) */
	{ { 169, 254 }, 16 },		/* link-local */
	{ { 172, 16 }, 12 },		/* private */
	{ { 192, 0, 0 }, 24 },		/* IETF protocol assignments */
	{ { 192, 0, 2 }, 24 },		/* documentation (TEST-NET-1) */
	{ { 192, 88, 99 }, 24 },	/* 6to4 relay anycast (deprecated) */
	{ { 192, 168 }, 16 },		/* private */
	{ { 198, 18 }, 15 },		/* benchmarking */
	{ { 198, 51, 100 }, 24 },	/* documentation (TEST-NET-2) */
	{ { 203, 0, 113 }, 24 },	/* documentation (TEST-NET-3) */
	{ { 224 }, 3 },			/* multicast 224/4, reserved 240/4,
					   broadcast */
};

/* IPv6 ranges inside 2000::/3 that are not global. */
static const struct range v6_internal[] = {
	{ { 0x20, 0x01 }, 23 },		/* IETF protocol assignments
					   (Teredo, benchmarking, ORCHID) */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },	/* documentation */
	{ { 0x3f, 0xff }, 20 },		/* documentation */
};

/* Whether the address a is in the range: its first bits equal net's. */
static int
in_range(const unsigned char *a, const struct range *r)
{
	unsigned int	 whole = r->bits / 8, rest = r->bits % 8;
	unsigned char	 mask = (unsigned char)(0xff << (8 - rest));

	return memcmp(a, r->net, whole) == 0 &&
	    (rest == 0 || (a[whole] & mask) == r->net[whole]);
}

static int
in_any(const unsigned char *a, const struct range *r, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (in_range(a, &r[i]))
			return 1;
	return 0;
}

/* An IPv4 address, a its 4 bytes in network order. */
enum addr_class
netaddr_ipv4(const unsigned char *a)
{
	if (a[0] == 127)
		return ADDR_LOOPBACK;
	if (in_any(a, v4_internal, sizeof(v4_internal) /
	    sizeof(v4_internal[0])))
		return ADDR_INTERNAL;
	return ADDR_PUBLIC;
}

/* An IPv6 address, a its 16 bytes; the IPv4 inside it judged as such. */
enum addr_class
netaddr_ipv6(const unsigned char *a)
{
	static const unsigned char	 loopback[16] = { [15] = 1 };
	static const unsigned char	 mapped[12] = { [10] = 0xff,
					    [11] = 0xff };
	static const unsigned char	 nat64[12] = { 0x00, 0x64, 0xff,
					    0x9b };

	if (memcmp(a, loopback, 16) == 0)
		return ADDR_LOOPBACK;
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return netaddr_ipv4(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)		/* 6to4, 2002::/16 */
		return netaddr_ipv4(a + 2);
	if ((a[0] & 0xe0) != 0x20 || in_any(a, v6_internal,
	    sizeof(v6_internal) / sizeof(v6_internal[0])))
		return ADDR_INTERNAL;
	return ADDR_PUBLIC;
}

/* A socket address; any family but IPv4 and IPv6 is internal. */
enum addr_class
netaddr_sockaddr(const struct sockaddr *sa)
{
	const struct sockaddr_in	*in4;
	const struct sockaddr_in6	*in6;

	if (sa->sa_family == AF_INET) {
		in4 = (const struct sockaddr_in *)(const void *)sa;
		return netaddr_ipv4((const unsigned char *)&in4->sin_addr);
	}
	if (sa->sa_family == AF_INET6) {
		in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return netaddr_ipv6(in6->sin6_addr.s6_addr);
	}
	return ADDR_INTERNAL;
}

/* ASCII only, whatever the locale. */
static int
letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
letter_or_digit(char c)
{
	return letter(c) || (c >= '0' && c <= '9');
}

/*
 * Whether the n characters at h are a DNS name: labels of 1 to 63
 * letters, digits and inner hyphens, 253 characters at most, the last
 * label starting with a letter (so that no number, such as 2130706433 or
 * 127.1, passes as a name). No final dot.
 */
static int
name_valid(const char *h, size_t n)
{
	size_t	 i, label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!letter_or_digit(h[i]) &&
		    (h[i] != '-' || label == 0))
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && h[n - 1] != '-' &&
	    letter(h[n - label]);
}

/* A DNS name: localhost and its subdomains are this machine. */
static int
name_class(const char *h, size_t n, enum addr_class *out)
{
	if (!name_valid(h, n))
		return -1;
	if ((n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n > 10 && strncasecmp(h + n - 10, ".localhost", 10) == 0))
		*out = ADDR_LOOPBACK;
	else
		*out = ADDR_PUBLIC;
	return 0;
}

/*
 * The host of a URL, the len characters at host: an [IPv6] address, an
 * IPv4 one (dotted quad) or a DNS name, into *out; -1 when it is none of
 * them. A name other than localhost is public as far as can be told
 * without resolving it: what it resolves to must be checked when a
 * connection opens (netaddr_sockaddr).
 */
int
netaddr_host(const char *host, size_t len, enum addr_class *out)
{
	char		 text[INET6_ADDRSTRLEN + 2];
	unsigned char	 a[16];

	if (len >= sizeof(text))
		return name_class(host, len, out);
	(void)snprintf(text, sizeof(text), "%.*s", (int)len, host);
	if (len > 2 && text[0] == '[' && text[len - 1] == ']') {
		text[len - 1] = '\0';
		if (inet_pton(AF_INET6, text + 1, a) != 1)
			return -1;
		*out = netaddr_ipv6(a);
		return 0;
	}
	if (inet_pton(AF_INET, text, a) == 1) {
		*out = netaddr_ipv4(a);
		return 0;
	}
	return name_class(host, len, out);
}
