/* Who did it, for the audit event a handler's statement appends. */
#include "app.h"
#include "audit.h"

/* Fills v[0..2] with the principal's actor and role and the request id. */
void
audit_who(const struct req *r, const char **v)
{
	v[0] = r->principal.actor;
	v[1] = role_name(r->principal.role);
	v[2] = r->request_id;
}
