-- 0004_zitadel: how an account is provisioned in Zitadel.
--
-- The account's project in Zitadel and the role keys that mean, there,
-- an account admin and an end user of the account. The organisation is
-- the account's auth_org_id (0002, set by the /sso routes). The
-- provisioning routes (provisioning.fcgi) read this row and make Zitadel
-- match it: the roles exist on the project, the account admins have a
-- user grant with the admin role. A tenant reads its own row; only the
-- platform writes it.
CREATE TABLE zitadel_configs (
	account_id      uuid        PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	project_id      text        NOT NULL
	                            CHECK (project_id ~ '^[A-Za-z0-9_-]{1,200}$'),
	admin_role_key  text        NOT NULL DEFAULT 'cockpit-account-admin'
	                            CHECK (admin_role_key ~ '^[A-Za-z0-9._:-]{1,200}$'),
	user_role_key   text        NOT NULL DEFAULT 'cockpit-user'
	                            CHECK (user_role_key ~ '^[A-Za-z0-9._:-]{1,200}$'),
	updated_by      text        NOT NULL,
	created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK (admin_role_key <> user_role_key)
);

ALTER TABLE zitadel_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE zitadel_configs FORCE ROW LEVEL SECURITY;
CREATE POLICY zitadel_configs_tenant ON zitadel_configs
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform());

GRANT SELECT, INSERT, UPDATE ON zitadel_configs TO cockpit_service;
