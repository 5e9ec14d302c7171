-- 0005_directory: an account's people and structure, per product domain.
--
-- The directory of each product domain (copilot, console) is kept apart:
-- its organisations (0003), the teams inside them, the account's users
-- enrolled in it (domain_users: a person is one row of users, enrolled
-- in either domain or both) and the memberships of users in teams and
-- organisations. Invites bring people in by email with a single-use
-- token; SCIM clients (Zitadel, Okta, Entra) provision users and groups
-- with a SCIM-scoped API key. Deleting a user from a domain deactivates
-- its enrolment and ends its memberships there; its rows stay for the
-- history.

-- Organisations are addressed within their domain, and listed in name
-- order by a plain column (a condition on lower(name) cannot use an index
-- under row-level security; see users.email_lower below).
ALTER TABLE organisations ADD CONSTRAINT organisations_domain_id
	UNIQUE (account_id, domain, id);
ALTER TABLE organisations ADD COLUMN sort_name text
	GENERATED ALWAYS AS (lower(name)) STORED;
CREATE INDEX organisations_name_order ON organisations
	(account_id, domain, sort_name, id);

-- The global organisation stays while its account does.
CREATE FUNCTION cockpit_keep_global_organisation() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	IF OLD.is_global AND EXISTS (SELECT 1 FROM accounts a
	    WHERE a.id = OLD.account_id) THEN
		RAISE EXCEPTION 'the global organisation cannot be deleted'
			USING ERRCODE = '23514', CONSTRAINT = 'organisations_global_kept';
	END IF;
	RETURN OLD;
END
$$;
CREATE TRIGGER organisations_keep_global BEFORE DELETE ON organisations
	FOR EACH ROW EXECUTE FUNCTION cockpit_keep_global_organisation();

-- What SCIM and the directory keep of a person, beside 0002's columns.
ALTER TABLE users ADD COLUMN given_name text
	CHECK (given_name IS NULL OR length(given_name) <= 200);
ALTER TABLE users ADD COLUMN family_name text
	CHECK (family_name IS NULL OR length(family_name) <= 200);
ALTER TABLE users ADD COLUMN external_id text
	CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 255);
CREATE UNIQUE INDEX users_account_external ON users (account_id, external_id)
	WHERE external_id IS NOT NULL;
-- Lookups by email and lists in name order, as plain columns: under
-- row-level security a query's condition on lower(email) cannot use an
-- index (lower() is not leakproof), one on a column can.
ALTER TABLE users ADD COLUMN email_lower text
	GENERATED ALWAYS AS (lower(email)) STORED;
ALTER TABLE users ADD COLUMN sort_name text
	GENERATED ALWAYS AS (lower(coalesce(display_name, email))) STORED;
CREATE UNIQUE INDEX users_account_email_lower ON users (account_id, email_lower);
CREATE INDEX users_account_sort_name ON users (account_id, sort_name, id);

-- A user enrolled in a domain's directory.
CREATE TABLE domain_users (
	account_id  uuid        NOT NULL,
	domain      text        NOT NULL CHECK (domain IN ('copilot', 'console')),
	user_id     uuid        NOT NULL,
	status      text        NOT NULL DEFAULT 'active'
	                        CHECK (status IN ('active', 'inactive')),
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (account_id, domain, user_id),
	FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id)
		ON DELETE CASCADE
);
CREATE INDEX domain_users_created ON domain_users
	(account_id, domain, created_at, user_id);

-- Teams, inside an organisation of the same domain.
CREATE TABLE teams (
	id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id       uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	domain           text        NOT NULL CHECK (domain IN ('copilot', 'console')),
	organisation_id  uuid        NOT NULL,
	name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description      text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
	external_id      text        CHECK (external_id IS NULL
	                                    OR length(external_id) BETWEEN 1 AND 255),
	created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	UNIQUE (account_id, id),
	UNIQUE (account_id, domain, id),
	FOREIGN KEY (account_id, domain, organisation_id)
		REFERENCES organisations (account_id, domain, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX teams_name ON teams (organisation_id, lower(name));
CREATE UNIQUE INDEX teams_external ON teams (account_id, domain, external_id)
	WHERE external_id IS NOT NULL;
CREATE INDEX teams_created ON teams (account_id, domain, created_at, id);
ALTER TABLE teams ADD COLUMN sort_name text
	GENERATED ALWAYS AS (lower(name)) STORED;
CREATE INDEX teams_name_order ON teams (account_id, domain, sort_name, id);

-- A user's membership of a team or an organisation, with its role there.
CREATE TABLE team_members (
	account_id  uuid        NOT NULL,
	domain      text        NOT NULL,
	team_id     uuid        NOT NULL,
	user_id     uuid        NOT NULL,
	role        text        NOT NULL DEFAULT 'member'
	                        CHECK (role IN ('member', 'lead')),
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (account_id, team_id, user_id),
	FOREIGN KEY (account_id, domain, team_id)
		REFERENCES teams (account_id, domain, id) ON DELETE CASCADE,
	FOREIGN KEY (account_id, domain, user_id)
		REFERENCES domain_users (account_id, domain, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_user ON team_members (account_id, user_id, team_id);

CREATE TABLE organisation_members (
	account_id       uuid        NOT NULL,
	domain           text        NOT NULL,
	organisation_id  uuid        NOT NULL,
	user_id          uuid        NOT NULL,
	role             text        NOT NULL DEFAULT 'member'
	                             CHECK (role IN ('member', 'admin')),
	created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (account_id, organisation_id, user_id),
	FOREIGN KEY (account_id, domain, organisation_id)
		REFERENCES organisations (account_id, domain, id) ON DELETE CASCADE,
	FOREIGN KEY (account_id, domain, user_id)
		REFERENCES domain_users (account_id, domain, user_id) ON DELETE CASCADE
);
CREATE INDEX organisation_members_user ON organisation_members (account_id, user_id);

-- Invites: an email asked to join a domain's directory, with the team or
-- organisation it will be a member of. The token is sent once and kept
-- only as its SHA-256; it is good once, until it expires or is revoked.
CREATE TABLE invites (
	id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id       uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	domain           text        NOT NULL CHECK (domain IN ('copilot', 'console')),
	email            text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
	display_name     text        CHECK (display_name IS NULL OR length(display_name) <= 200),
	organisation_id  uuid,
	team_id          uuid,
	token_digest     bytea       NOT NULL UNIQUE CHECK (length(token_digest) = 32),
	status           text        NOT NULL DEFAULT 'pending'
	                             CHECK (status IN ('pending', 'accepted', 'revoked')),
	expires_at       timestamptz NOT NULL,
	sent_count       integer     NOT NULL DEFAULT 1 CHECK (sent_count >= 1),
	last_sent_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
	created_by       text        NOT NULL,
	created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	accepted_at      timestamptz,
	accepted_user_id uuid,
	revoked_at       timestamptz,
	UNIQUE (account_id, id),
	FOREIGN KEY (account_id, domain, organisation_id)
		REFERENCES organisations (account_id, domain, id) ON DELETE SET NULL (organisation_id),
	FOREIGN KEY (account_id, domain, team_id)
		REFERENCES teams (account_id, domain, id) ON DELETE SET NULL (team_id)
);
-- One pending invite per email and domain.
CREATE UNIQUE INDEX invites_pending ON invites (account_id, domain, lower(email))
	WHERE status = 'pending';
CREATE INDEX invites_created ON invites (account_id, domain, created_at, id);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['domain_users', 'teams', 'team_members',
	    'organisation_members', 'invites'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (cockpit_platform() '
		    'OR account_id = cockpit_account_id()) '
		    'WITH CHECK (cockpit_platform() '
		    'OR account_id = cockpit_account_id())', t || '_tenant', t);
	END LOOP;
END
$$;

-- API keys have a scope: the API, or SCIM provisioning only.
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'api'
	CHECK (scope IN ('api', 'scim'));

-- First sign-in (0002) also enrols a new person in the account's Copilot
-- directory, when the account uses Copilot.
CREATE OR REPLACE FUNCTION cockpit_sign_in(p_org text, p_claim text, p_domain text,
    p_subject text, p_email text, p_name text, p_role text, p_request_id text,
    OUT account_id uuid, OUT account_status text, OUT user_id uuid,
    OUT user_status text)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	v_action text;
BEGIN
	SELECT a.id, a.status INTO account_id, account_status
	FROM accounts a WHERE p_org <> '' AND a.auth_org_id = p_org;
	IF NOT FOUND AND p_claim <> '' THEN
		SELECT a.id, a.status INTO account_id, account_status
		FROM accounts a WHERE a.id = p_claim::uuid;
	END IF;
	IF account_id IS NULL AND p_domain <> '' THEN
		SELECT a.id, a.status INTO account_id, account_status
		FROM account_domains d JOIN accounts a ON a.id = d.account_id
		WHERE d.domain = p_domain AND d.verified_at IS NOT NULL;
	END IF;
	IF account_id IS NULL THEN
		RETURN;
	END IF;

	SELECT u.id, u.status INTO user_id, user_status FROM users u
	WHERE u.account_id = cockpit_sign_in.account_id AND u.subject = p_subject;
	IF FOUND THEN
		UPDATE users u SET last_login_at = clock_timestamp()
		WHERE u.id = user_id AND (u.last_login_at IS NULL
		    OR u.last_login_at < clock_timestamp() - interval '5 minutes');
		RETURN;
	END IF;

	-- A user known by email only (invited, provisioned) takes the subject.
	UPDATE users u SET subject = p_subject, last_login_at = clock_timestamp(),
	    updated_at = clock_timestamp()
	WHERE u.account_id = cockpit_sign_in.account_id AND u.subject IS NULL
	    AND lower(u.email) = lower(p_email)
	RETURNING u.id, u.status INTO user_id, user_status;
	v_action := 'user.reconcile';
	IF NOT FOUND THEN
		INSERT INTO users (account_id, subject, email, display_name,
		    last_login_at)
		VALUES (account_id, p_subject, p_email, NULLIF(p_name, ''),
		    clock_timestamp())
		ON CONFLICT DO NOTHING
		RETURNING id, status INTO user_id, user_status;
		v_action := 'user.first_login';
		-- A new person is in the Copilot directory of an account that
		-- uses Copilot.
		INSERT INTO domain_users (account_id, domain, user_id)
		SELECT cockpit_sign_in.account_id, 'copilot', user_id
		FROM account_subscriptions s
		WHERE user_id IS NOT NULL
		    AND s.account_id = cockpit_sign_in.account_id
		    AND 'copilot' = ANY (s.product_domains)
		ON CONFLICT DO NOTHING;
	END IF;
	IF user_id IS NULL THEN
		-- Another sign-in of the same user won the race, or the email
		-- is another user's.
		SELECT u.id, u.status INTO user_id, user_status FROM users u
		WHERE u.account_id = cockpit_sign_in.account_id
		    AND u.subject = p_subject;
		RETURN;
	END IF;
	PERFORM cockpit_audit(account_id, p_email, p_role, v_action, 'user',
	    user_id::text, NULLIF(p_request_id, ''), NULL, NULL);
END
$$;

-- Teams count against the plan's teams quota.
CREATE OR REPLACE FUNCTION cockpit_quota_used(p_account uuid, p_quota text)
	RETURNS bigint
	LANGUAGE plpgsql STABLE
	AS $$
BEGIN
	-- PL/pgSQL, so that each connection plans these counts once.
	IF p_quota = 'users' THEN
		RETURN (SELECT count(*) FROM users u
		    WHERE u.account_id = p_account AND u.status = 'active');
	ELSIF p_quota = 'teams' THEN
		RETURN (SELECT count(*) FROM teams t WHERE t.account_id = p_account);
	END IF;
	RETURN 0;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON domain_users, teams, team_members,
	organisation_members TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON invites TO cockpit_service;
