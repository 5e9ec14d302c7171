/*
 * UUIDs as text (8-4-4-4-12 hexadecimal digits) and random identifiers.
 */
#ifndef COCKPIT_UUID_H
#define COCKPIT_UUID_H

#include <stddef.h>

#define UUID_STRLEN	36

int	uuid_valid(const char *);
void	uuid_lower(char *);
int	random_hex(char *out, size_t bytes);

#endif
