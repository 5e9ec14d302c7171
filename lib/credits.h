/*
 * Credits as the API writes them: a decimal string of credits ("1500",
 * "0.25"), never a JSON number, so no amount passes through a binary
 * floating point. Inside, and in the database, credits are whole
 * micro-credits (millionths) in a 64-bit integer.
 */
#ifndef COCKPIT_CREDITS_H
#define COCKPIT_CREDITS_H

#include <stddef.h>
#include <stdint.h>

#define CREDITS_SCALE		1000000	/* micro-credits per credit */
#define CREDITS_FRACTION_MAX	6	/* digits after the point */
#define CREDITS_INTEGER_MAX	12	/* digits before it: < 10^12 credits */
#define CREDITS_STRLEN		(CREDITS_INTEGER_MAX + 1 + CREDITS_FRACTION_MAX + 1)

#define COST_INTEGER_MAX	9	/* a cost below 10^9 */
#define COST_FRACTION_MAX	12

int	credits_parse(const char *, int64_t *micro);
int	cost_valid(const char *);
int	credits_format(int64_t micro, char *, size_t);

#endif
