/*
 * provisioning.fcgi: an account's Zitadel settings, and the routes that
 * make Zitadel match them through its management API (lib/mgmt). The
 * route table is in ../provisioning.c; config.c holds the settings'
 * handlers, context.c what every provisioning route shares (its settings,
 * its steps, its answers), zitadel.c the management API's requests,
 * ensure.c the changes each made only when needed, roles.c, grants.c and
 * bootstrap.c the routes, statements.c their SQL.
 *
 * A provisioning route answers the steps it took, each {action, target,
 * status, detail}: done, would_do (a dry run, which writes nothing to
 * Zitadel nor to the database), unchanged or failed. A change made is
 * audited at once, in a transaction of its own, so a later failure does
 * not lose it.
 */
#ifndef PROVISIONING_H
#define PROVISIONING_H

#include "app.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

#define ZITADEL_ID_MAX		200	/* project, user, grant ids */
#define ROLE_KEY_MAX		200
#define ROLE_GROUP		"console-cockpit"
#define DEFAULT_ADMIN_ROLE	"cockpit-account-admin"
#define DEFAULT_USER_ROLE	"cockpit-user"
#define ADMIN_ROLE_NAME		"Account admin"
#define USER_ROLE_NAME		"End user"
#define SYNC_ADMINS_MAX		500	/* account admins one call syncs */
#define DEADLINE_MARGIN_MS	1000	/* kept for the database at the end */

/* Indexes into provisioning_stmts[], in the same order. */
enum provisioning_stmt {
	ST_CONFIG_GET,
	ST_CONFIG_PUT,
	ST_ADMIN_EMAILS,
	ST_AUDIT,
	ST__MAX
};

extern const struct stmt provisioning_stmts[ST__MAX];

enum step_status {
	STEP_DONE,
	STEP_WOULD_DO,
	STEP_UNCHANGED,
	STEP_FAILED,
	STEP__MAX
};

/* One provisioning request. */
struct prov {
	struct req		*r;
	struct mgmt		 m;
	const char		*account;
	char			 org[ZITADEL_ID_MAX + 1];
	char			 project[ZITADEL_ID_MAX + 1];
	char			 admin_role[ROLE_KEY_MAX + 1];
	char			 user_role[ROLE_KEY_MAX + 1];
	int			 dry_run;
	struct buf		 steps;		/* the members of a JSON array */
	unsigned		 count[STEP__MAX];
	int			 nomem;
	enum mgmt_result	 failure;	/* MGMT_OK until a call fails */
	char			 err[384];	/* what the failure was */
};

/* config.c */
void	config_get(struct req *);
void	config_put(struct req *);
int	role_key_valid(const char *);
int	zitadel_id_valid(const char *);

/* context.c */
int	prov_open(struct req *, struct prov *, const struct field *, size_t);
int	prov_load(struct prov *);
void	prov_close(struct prov *);
void	prov_step(struct prov *, const char *action, const char *target,
	    enum step_status, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
int	prov_audit(struct prov *, const char *action, const char *type,
	    const char *target, const char *after);
void	prov_answer(struct prov *);
void	prov_failed(struct prov *);
void	prov_finish(struct prov *, int);
PGresult *prov_admin_emails(struct prov *);

/* zitadel.c: each returns MGMT_OK or the failure, with p->err. */
enum mgmt_result zitadel_user_by_email(struct prov *, const char *email,
	    char *id, size_t);
enum mgmt_result zitadel_user_get(struct prov *, const char *id);
enum mgmt_result zitadel_role_exists(struct prov *, const char *key,
	    int *exists);
enum mgmt_result zitadel_role_add(struct prov *, const char *key,
	    const char *display_name, const char *group);
enum mgmt_result zitadel_grant_find(struct prov *, const char *user_id,
	    char *grant_id, size_t, cJSON **role_keys);
enum mgmt_result zitadel_grant_add(struct prov *, const char *user_id,
	    const cJSON *role_keys);
enum mgmt_result zitadel_grant_update(struct prov *, const char *user_id,
	    const char *grant_id, const cJSON *role_keys);

/* ensure.c: 0, or -1 with p->failure set or the request answered. */
int	ensure_role(struct prov *, const char *key, const char *display_name,
	    const char *group);
int	ensure_grant(struct prov *, const char *label, const char *user_id,
	    const cJSON *roles);
int	sync_roles_run(struct prov *);
int	sync_admins_run(struct prov *);

/* The routes. */
void	project_role(struct req *);
void	sync_roles(struct req *);
void	user_grant(struct req *);
void	sync_admin_grants(struct req *);
void	plan(struct req *);
void	bootstrap(struct req *);

#endif
