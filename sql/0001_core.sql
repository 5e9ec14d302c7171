-- 0001_core: accounts and the audit event table, under row-level security.
--
-- Applied by `cockpitctl migrate` as the owner role, in one transaction.
-- The operator creates two roles first (see cockpitctl(8)): the owner, which
-- runs this file and owns every object, and cockpit_service, the role the
-- FastCGI programs connect as. cockpit_service is not superuser, has no
-- BYPASSRLS and owns nothing; it gets exactly the privileges granted below.

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cockpit_service') THEN
		RAISE EXCEPTION 'role cockpit_service does not exist: create it first (see cockpitctl(8))';
	END IF;
	IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = 'cockpit_service') THEN
		RAISE EXCEPTION 'role cockpit_service must be neither superuser nor BYPASSRLS';
	END IF;
END
$$;

-- The tenant of the current transaction, set by libcockpit after BEGIN with
-- set_config('cockpit.account_id', …, true). Unset or empty matches no row.
CREATE FUNCTION cockpit_account_id() RETURNS uuid
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT NULLIF(current_setting('cockpit.account_id', true), '')::uuid $$;

-- True only when the transaction acts for the platform (a super admin);
-- set with set_config('cockpit.platform', 'on', true).
CREATE FUNCTION cockpit_platform() RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT coalesce(current_setting('cockpit.platform', true), '') = 'on' $$;

CREATE TABLE accounts (
	id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	slug        text        NOT NULL UNIQUE
	                        CHECK (length(slug) BETWEEN 2 AND 63
	                               AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	status      text        NOT NULL DEFAULT 'active'
	                        CHECK (status IN ('active', 'suspended')),
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- Keyset pagination walks (created_at, id).
CREATE INDEX accounts_created_at_id ON accounts (created_at, id);

ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_tenant ON accounts
	USING (cockpit_platform() OR id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR id = cockpit_account_id());

-- One event per write, chained per account (account_id NULL: the platform
-- chain): hash = SHA-256(prev_hash || canonical event). The service role may
-- read and append, never change or remove.
CREATE TABLE audit_events (
	id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id     uuid,
	seq            bigint      NOT NULL CHECK (seq > 0),
	occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
	actor          text        NOT NULL,
	actor_role     text        NOT NULL,
	action         text        NOT NULL,
	target_type    text        NOT NULL,
	target_id      text,
	request_id     text,
	before_digest  bytea,
	after_digest   bytea,
	prev_hash      bytea       NOT NULL CHECK (length(prev_hash) = 32),
	hash           bytea       NOT NULL CHECK (length(hash) = 32),
	UNIQUE NULLS NOT DISTINCT (account_id, seq)
);
CREATE INDEX audit_events_account_time ON audit_events (account_id, occurred_at, id);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_tenant ON audit_events
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR account_id = cockpit_account_id());

GRANT SELECT, INSERT, UPDATE ON accounts TO cockpit_service;
GRANT SELECT, INSERT ON audit_events TO cockpit_service;
GRANT SELECT ON cockpit_migrations TO cockpit_service;
