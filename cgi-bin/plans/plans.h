/*
 * plans.fcgi: the platform's catalogues (plans and features) and what
 * they come to for one account (its entitlements and effective features
 * and quotas). Plans in catalogue.c, features in features.c, an account's
 * view in entitlements.c, their SQL in statements.c, the route table in
 * ../plans.c.
 */
#ifndef PLANS_H
#define PLANS_H

#include "app.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

#define PLANS_MAX	200	/* plans in the catalogue */
#define FEATURES_MAX	500	/* features in the catalogue */
#define QUOTA_MAX	100000000

/* Indexes into plans_stmts[], in the same order. */
enum plans_stmt {
	ST_PLAN_LIST,
	ST_PLAN_GET,
	ST_PLAN_CLEAR_DEFAULT,
	ST_PLAN_CREATE,
	ST_PLAN_UPDATE,
	ST_PLAN_DELETE,
	ST_FEATURE_LIST,
	ST_FEATURE_CREATE,
	ST_FEATURE_UPDATE,
	ST_FEATURE_DELETE,
	ST_ENTITLEMENT_LIST,
	ST_ENTITLEMENT_SET,
	ST_EFFECTIVE,
	ST__MAX
};

extern const struct stmt plans_stmts[ST__MAX];

int		 feature_key_valid(const char *);
int		 product_domain_valid(const char *);

void	plan_list(struct req *);
void	plan_get(struct req *);
void	plan_create(struct req *);
void	plan_update(struct req *);
void	plan_delete(struct req *);

void	feature_list(struct req *);
void	feature_create(struct req *);
void	feature_update(struct req *);
void	feature_delete(struct req *);

void	entitlement_list(struct req *);
void	entitlement_set(struct req *);
void	effective(struct req *);

#endif
