/* The account a request acts in. */
#include "response.h"
#include "tenant.h"

/*
 * The request's account id; NULL with the request answered 400
 * account_required when there is none (a super admin who sent no
 * X-Account-Id).
 */
const char *
req_account(struct req *r)
{
	if (r->principal.account_id[0] != '\0')
		return r->principal.account_id;
	resp_error(r, 400, "account_required", NULL, "name the account: send "
	    "X-Account-Id");
	return NULL;
}
