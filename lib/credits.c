/* Decimal credit amounts to micro-credits and back, exactly. */
#include <stdio.h>

#include "credits.h"

/*
 * Parses a non-negative amount of credits: digits, optionally a point and
 * 1 to CREDITS_FRACTION_MAX digits; no sign, exponent, spaces or leading
 * zeros ("0.5", not "00.5" or ".5"). 0 and *micro set, or -1.
 */
int
credits_parse(const char *s, int64_t *micro)
{
	int64_t		 whole = 0, frac = 0;
	int		 nint = 0, nfrac = 0;
	const char	*p = s;

	if (s == NULL)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++, nint++) {
		if (nint == CREDITS_INTEGER_MAX)
			return -1;
		whole = whole * 10 + (*p - '0');
	}
	if (nint == 0 || (nint > 1 && s[0] == '0'))
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac == CREDITS_FRACTION_MAX)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (nfrac == 0)
			return -1;
	}
	if (*p != '\0')
		return -1;
	for (; nfrac < CREDITS_FRACTION_MAX; nfrac++)
		frac *= 10;
	*micro = whole * CREDITS_SCALE + frac;
	return 0;
}

/*
 * Writes micro-credits as the shortest exact decimal ("1500", "0.25",
 * "-3.000001"). 0, or -1 when the buffer is too small.
 */
int
credits_format(int64_t micro, char *out, size_t len)
{
	uint64_t	 m = micro < 0 ? (uint64_t)0 - (uint64_t)micro :
			    (uint64_t)micro;
	uint64_t	 frac = m % CREDITS_SCALE;
	char		 digits[CREDITS_FRACTION_MAX + 1];
	int		 w, n = CREDITS_FRACTION_MAX;

	if (frac == 0)
		w = snprintf(out, len, "%s%llu", micro < 0 ? "-" : "",
		    (unsigned long long)(m / CREDITS_SCALE));
	else {
		(void)snprintf(digits, sizeof(digits), "%06llu",
		    (unsigned long long)frac);
		while (digits[n - 1] == '0')
			n--;
		digits[n] = '\0';
		w = snprintf(out, len, "%s%llu.%s", micro < 0 ? "-" : "",
		    (unsigned long long)(m / CREDITS_SCALE), digits);
	}
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/*
 * Whether s is a cost as clients send one: the same shape as credits,
 * with at most COST_INTEGER_MAX digits before the point and
 * COST_FRACTION_MAX after it (a model priced per token costs fractions
 * of a cent). The database multiplies it exactly.
 */
int
cost_valid(const char *s)
{
	const char	*p = s;
	int		 n;

	if (s == NULL)
		return 0;
	for (n = 0; *p >= '0' && *p <= '9'; p++)
		if (++n > COST_INTEGER_MAX)
			return 0;
	if (n == 0 || (n > 1 && s[0] == '0'))
		return 0;
	if (*p == '.') {
		for (n = 0, p++; *p >= '0' && *p <= '9'; p++)
			if (++n > COST_FRACTION_MAX)
				return 0;
		if (n == 0)
			return 0;
	}
	return *p == '\0';
}
