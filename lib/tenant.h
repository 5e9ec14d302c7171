/*
 * The account a request acts in: the principal's own, or for a super
 * admin the one named with X-Account-Id (the front line has checked it).
 */
#ifndef COCKPIT_TENANT_H
#define COCKPIT_TENANT_H

#include "request.h"

const char	*req_account(struct req *);

#endif
