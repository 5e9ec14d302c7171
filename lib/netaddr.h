/*
 * Network addresses and URL hosts, classified: public, this machine
 * (loopback), or internal (private, link-local, shared, documentation,
 * benchmarking, multicast, reserved and the like). The one list of
 * ranges that URLs users give are checked against: when they are set
 * (webhooks) and when a connection to one opens (lib/fetch.h).
 */
#ifndef COCKPIT_NETADDR_H
#define COCKPIT_NETADDR_H

#include <stddef.h>

enum addr_class {
	ADDR_PUBLIC,		/* globally reachable unicast */
	ADDR_LOOPBACK,		/* this machine: 127/8, ::1, localhost */
	ADDR_INTERNAL		/* any other special range */
};

struct sockaddr;

enum addr_class	 netaddr_ipv4(const unsigned char *a);	/* 4 bytes */
enum addr_class	 netaddr_ipv6(const unsigned char *a);	/* 16 bytes */
enum addr_class	 netaddr_sockaddr(const struct sockaddr *);
int		 netaddr_host(const char *host, size_t len,
		    enum addr_class *out);

#endif
