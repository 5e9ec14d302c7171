/* UUID text checks and random hexadecimal identifiers. */
#include <ctype.h>
#include <string.h>
#include <sys/random.h>

#include "uuid.h"

/* True when s is a UUID in its canonical text form, any letter case. */
int
uuid_valid(const char *s)
{
	size_t	 i;

	if (strlen(s) != UUID_STRLEN)
		return 0;
	for (i = 0; i < UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

void
uuid_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * Writes 2 * bytes hexadecimal digits of kernel randomness and a NUL to out,
 * which must hold 2 * bytes + 1 characters. Returns 0, or -1 when the kernel
 * gives no randomness.
 */
int
random_hex(char *out, size_t bytes)
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 raw[64];
	size_t			 i;

	if (bytes > sizeof(raw) ||
	    getrandom(raw, bytes, 0) != (ssize_t)bytes)
		return -1;
	for (i = 0; i < bytes; i++) {
		out[2 * i] = digits[raw[i] >> 4];
		out[2 * i + 1] = digits[raw[i] & 0xf];
	}
	out[2 * bytes] = '\0';
	return 0;
}
