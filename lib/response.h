/*
 * Responses are built in the request and written once the transaction has
 * committed, so a client never sees success for a change that was rolled
 * back. Errors have one shape everywhere:
 *
 *	{"error":{"code":"invalid_field","message":"name is required",
 *	          "field":"name","request_id":"..."}}
 *
 * except on SCIM routes (req.scim), where they are RFC 7644's: the code
 * becomes scimType when it is one, the message the detail.
 */
#ifndef COCKPIT_RESPONSE_H
#define COCKPIT_RESPONSE_H

#include "request.h"
#include "validate.h"

void	resp_ok(struct req *, int status);
int	resp_header(struct req *, const char *name, const char *value);
void	resp_error(struct req *, int status, const char *code,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	resp_nomem(struct req *);
void	resp_field_error(struct req *, const struct field_error *);
int	resp_send(struct req *, const char *content_type);
const char *resp_reason(int status);

#endif
