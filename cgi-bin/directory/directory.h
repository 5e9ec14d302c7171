/*
 * directory.fcgi: an account's people and structure, per product domain
 * (Copilot at /v1/copilot/, Console at /v1/console/, kept apart):
 * organisations (orgs.c), teams inside them (teams.c), the account's users
 * enrolled in the domain (users.c) and memberships of teams and
 * organisations (members.c). What they share is in common.c, their SQL in
 * statements.c, the route table in ../directory.c.
 */
#ifndef DIRECTORY_H
#define DIRECTORY_H

#include "app.h"
#include "list.h"

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

/* Indexes into directory_stmts[], in the same order. */
enum directory_stmt {
	ST_ORG_LIST_CREATED,
	ST_ORG_LIST_NAME,
	ST_ORG_GET,
	ST_ORG_CREATE,
	ST_ORG_UPDATE,
	ST_ORG_DELETE,
	ST_TEAM_LIST_CREATED,
	ST_TEAM_LIST_NAME,
	ST_TEAM_GET,
	ST_TEAM_CREATE,
	ST_TEAM_UPDATE,
	ST_TEAM_DELETE,
	ST_USER_LIST_CREATED,
	ST_USER_LIST_NAME,
	ST_USER_GET,
	ST_USER_FIND,
	ST_USER_CREATE,
	ST_USER_UPDATE,
	ST_USER_ACTIVATE,
	ST_USER_DEACTIVATE,
	ST_TEAM_MEMBERS,
	ST_TEAM_MEMBER_ADD,
	ST_TEAM_MEMBER_REMOVE,
	ST_TEAM_MEMBER_ROLE,
	ST_ORG_MEMBERS,
	ST_ORG_MEMBER_ADD,
	ST_ORG_MEMBER_REMOVE,
	ST_ORG_MEMBER_ROLE,
	ST_USER_TEAMS,
	ST__MAX
};

extern const struct stmt directory_stmts[ST__MAX];

/* What every directory request is about. */
struct dir {
	const char	*account;
	const char	*domain;	/* "copilot" or "console" */
};

/* A list request: its page, sort, search pattern and filters. */
struct dir_list {
	struct page	 page;
	int		 by_name;
	struct buf	 pattern;	/* ILIKE pattern, or empty */
	char		 fetch[16];
};

/* A user named by id or by email. */
struct user_ref {
	const char	*id;		/* or NULL */
	const char	*email;		/* or NULL */
};

int		 dir_context(struct req *, struct dir *);
int		 dir_list_parse(struct req *, struct dir_list *,
		    const char *const *allowed);
void		 dir_list_free(struct dir_list *);
void		 dir_list_answer(struct req *, PGresult *, const struct dir_list *,
		    int ts_col, int key_col, int id_col);
int		 user_ref(struct req *, const char *, struct user_ref *,
		    const char *field);

void	org_list(struct req *);
void	org_get(struct req *);
void	org_create(struct req *);
void	org_update(struct req *);
void	org_delete(struct req *);

void	team_list(struct req *);
void	team_get(struct req *);
void	team_create(struct req *);
void	team_update(struct req *);
void	team_delete(struct req *);

void	user_list(struct req *);
void	user_get(struct req *);
void	user_create(struct req *);
void	user_update(struct req *);
void	user_delete(struct req *);
void	user_teams(struct req *);

void	team_member_list(struct req *);
void	team_member_add(struct req *);
void	team_member_remove(struct req *);
void	team_member_role(struct req *);
void	org_member_list(struct req *);
void	org_member_add(struct req *);
void	org_member_remove(struct req *);
void	org_member_role(struct req *);

#endif
