/*
 * The audit trail, as the handlers' SQL writes it. Every write appends
 * one event in its own transaction, in the same statement where it can,
 * by calling cockpit_audit() (sql/0002_identity.sql): the account's hash
 * chain, or the platform's when the account is NULL. Who did it comes
 * from the request: AUDIT_WHO_PARAMS parameters filled by audit_who(),
 * placed after the statement's own.
 */
#ifndef COCKPIT_AUDIT_H
#define COCKPIT_AUDIT_H

struct req;

#define AUDIT_WHO_PARAMS	3	/* actor, role, request id */

/* The digest of a row for before/after: SHA-256 of its JSON text. */
#define AUDIT_ROW_DIGEST(rel) \
	"sha256(convert_to(row_to_json(" rel ")::text, 'UTF8'))"

/*
 * The SQL that appends an event; actor, role and request name the
 * parameters audit_who() filled ("$3", "$4", "$5").
 */
#define AUDIT_EVENT(account, action, type, target, before, after, actor, \
    role, request) \
	"cockpit_audit(" account ", " actor "::text, " role "::text, " \
	"'" action "', '" type "', " target ", " request "::text, " \
	before ", " after ")"

void	audit_who(const struct req *, const char **);

#endif
