-- 0002_identity: who may call, and how the platform knows them.
--
-- Account resolution (the identity provider's organisation and verified
-- email domains), local users created on first sign-in, API keys for
-- services, console sessions and the sign-ins in flight, the break-glass
-- credential, and the head of each audit hash chain with the one function
-- that appends to it.
--
-- Platform tables (sessions, logins, break-glass) are readable only in a
-- transaction that acts for the platform: libcockpit opens one for the
-- credential checks it makes before a request's tenant is known.

-- The identity provider's organisation whose users belong to the account.
ALTER TABLE accounts ADD COLUMN auth_org_id text UNIQUE
	CHECK (auth_org_id IS NULL OR length(auth_org_id) BETWEEN 1 AND 200);

-- Only the platform deletes an account (the confirmed hard delete): not
-- even the account's own tenant may.
CREATE POLICY accounts_delete_platform ON accounts AS RESTRICTIVE FOR DELETE
	USING (cockpit_platform());

-- Email domains an account has proved it owns. A verified domain belongs
-- to one account only.
CREATE TABLE account_domains (
	account_id   uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	domain       text        NOT NULL
	                         CHECK (length(domain) BETWEEN 3 AND 253
	                                AND domain = lower(domain)),
	verified_at  timestamptz,
	created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (account_id, domain)
);
CREATE UNIQUE INDEX account_domains_verified ON account_domains (domain)
	WHERE verified_at IS NOT NULL;

ALTER TABLE account_domains ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_domains FORCE ROW LEVEL SECURITY;
CREATE POLICY account_domains_tenant ON account_domains
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR account_id = cockpit_account_id());

-- People of an account. A user signing in for the first time gets a row
-- (first-login reconciliation); the directory builds on this table.
CREATE TABLE users (
	id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id     uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	subject        text        CHECK (subject IS NULL OR length(subject) BETWEEN 1 AND 255),
	email          text        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
	display_name   text        CHECK (display_name IS NULL OR length(display_name) <= 200),
	status         text        NOT NULL DEFAULT 'active'
	                           CHECK (status IN ('active', 'inactive')),
	created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
	last_login_at  timestamptz,
	UNIQUE (account_id, id),
	UNIQUE (account_id, subject)
);
CREATE UNIQUE INDEX users_account_email ON users (account_id, lower(email));
CREATE INDEX users_account_created ON users (account_id, created_at, id);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant ON users
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR account_id = cockpit_account_id());

-- Keys for an account's services: "ck_<prefix>_<secret>", stored as the
-- SHA-256 of the whole key. A rotated key's previous digest keeps working
-- until previous_expires_at.
CREATE TABLE api_keys (
	id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id           uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name                 text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	prefix               text        NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8}$'),
	digest               bytea       NOT NULL UNIQUE CHECK (length(digest) = 32),
	previous_digest      bytea       UNIQUE CHECK (length(previous_digest) = 32),
	previous_expires_at  timestamptz,
	created_by           text        NOT NULL,
	created_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
	rotated_at           timestamptz,
	last_used_at         timestamptz,
	revoked_at           timestamptz,
	UNIQUE (account_id, id)
);
CREATE INDEX api_keys_account_created ON api_keys (account_id, created_at, id);

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY api_keys_tenant ON api_keys
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR account_id = cockpit_account_id());

-- Console sessions. The cookie carries a 256-bit secret; only its SHA-256
-- is kept. A session ends at its idle or absolute expiry, or when revoked.
CREATE TABLE sessions (
	id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	digest              bytea       NOT NULL UNIQUE CHECK (length(digest) = 32),
	csrf_digest         bytea       NOT NULL CHECK (length(csrf_digest) = 32),
	method              text        NOT NULL CHECK (method IN ('sso', 'break_glass')),
	subject             text        NOT NULL,
	email               text        NOT NULL DEFAULT '',
	role                text        NOT NULL
	                                CHECK (role IN ('end_user', 'account_admin', 'super_admin')),
	account_id          uuid        REFERENCES accounts (id) ON DELETE CASCADE,
	refresh_token       text,
	token_expires_at    timestamptz,
	created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
	last_seen_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
	idle_expires_at     timestamptz NOT NULL,
	absolute_expires_at timestamptz NOT NULL,
	revoked_at          timestamptz
);
CREATE INDEX sessions_expiry ON sessions (absolute_expires_at);

-- Sign-ins in flight: the state sent to the identity provider (as its
-- SHA-256), the SHA-256 of the cookie that ties it to the browser that
-- started it, and the PKCE verifier and nonce that go with it.
CREATE TABLE auth_logins (
	state_digest   bytea       PRIMARY KEY CHECK (length(state_digest) = 32),
	browser_digest bytea       NOT NULL CHECK (length(browser_digest) = 32),
	code_verifier  text        NOT NULL,
	nonce          text        NOT NULL,
	return_to      text        NOT NULL DEFAULT '/',
	expires_at     timestamptz NOT NULL
);

-- The one break-glass credential: a scrypt hash, and whether it is on.
CREATE TABLE break_glass (
	id          integer     PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	username    text        NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
	hash        text        NOT NULL,
	enabled     boolean     NOT NULL DEFAULT true,
	updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Every break-glass attempt, for the rate limit and the record.
CREATE TABLE break_glass_attempts (
	id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	occurred_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	source       text        NOT NULL,
	succeeded    boolean     NOT NULL
);
CREATE INDEX break_glass_attempts_time ON break_glass_attempts (occurred_at);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['sessions', 'auth_logins', 'break_glass',
	    'break_glass_attempts'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (cockpit_platform()) '
		    'WITH CHECK (cockpit_platform())', t || '_platform', t);
	END LOOP;
END
$$;

-- A break-glass attempt, counted against the limits and recorded as a
-- failure until the caller marks it a success; the lock makes concurrent
-- attempts take their turn, so the limits hold under any concurrency.
-- allowed is false (and nothing is recorded) past either limit; nothing
-- is recorded either while the credential is switched off.
CREATE FUNCTION cockpit_break_glass_attempt(p_source text,
    p_per_source integer, p_in_all integer,
    OUT allowed boolean, OUT attempt_id bigint, OUT username text,
    OUT hash text, OUT enabled boolean)
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('cockpit.break_glass'));
	SELECT bg.username, bg.hash, bg.enabled INTO username, hash, enabled
	FROM break_glass bg WHERE bg.id = 1;
	allowed := (SELECT count(*) FROM break_glass_attempts a
	    WHERE NOT a.succeeded AND a.source = p_source
	    AND a.occurred_at > clock_timestamp() - interval '15 minutes')
	    < p_per_source
	  AND (SELECT count(*) FROM break_glass_attempts a
	    WHERE NOT a.succeeded
	    AND a.occurred_at > clock_timestamp() - interval '15 minutes')
	    < p_in_all;
	IF allowed AND enabled IS NOT FALSE THEN
		INSERT INTO break_glass_attempts (source, succeeded)
		VALUES (p_source, false) RETURNING id INTO attempt_id;
	END IF;
END
$$;

-- The audit trail is read newest first, per account.
CREATE INDEX audit_events_account_id ON audit_events (account_id, id);

-- The head of each audit chain (account_id NULL: the platform's). Appending
-- locks the head row, so the events of one chain are written one at a time.
CREATE TABLE audit_chains (
	account_id  uuid,
	seq         bigint NOT NULL CHECK (seq >= 0),
	hash        bytea  NOT NULL CHECK (length(hash) = 32),
	UNIQUE NULLS NOT DISTINCT (account_id)
);

ALTER TABLE audit_chains ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_chains FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_chains_tenant ON audit_chains
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR account_id = cockpit_account_id());

-- The canonical text of an event, which its hash covers.
CREATE FUNCTION cockpit_audit_canonical(e audit_events) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT json_build_array(e.seq, e.account_id,
		to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		e.actor, e.actor_role, e.action, e.target_type, e.target_id,
		e.request_id, encode(e.before_digest, 'hex'),
		encode(e.after_digest, 'hex'))::text $$;

-- Appends one event to its account's chain (p_account NULL: the platform's)
-- and returns its hash: SHA-256(previous hash || canonical event). Runs with
-- the caller's rights, so row-level security applies to every row it touches.
CREATE FUNCTION cockpit_audit(p_account uuid, p_actor text, p_role text,
    p_action text, p_target_type text, p_target_id text, p_request_id text,
    p_before bytea, p_after bytea) RETURNS bytea
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	e audit_events;
BEGIN
	INSERT INTO audit_chains (account_id, seq, hash)
	VALUES (p_account, 0, '\x0000000000000000000000000000000000000000000000000000000000000000')
	ON CONFLICT (account_id) DO NOTHING;
	UPDATE audit_chains SET seq = seq + 1
	WHERE account_id IS NOT DISTINCT FROM p_account
	RETURNING seq, hash INTO e.seq, e.prev_hash;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'audit chain for % is not visible', p_account
			USING ERRCODE = '42501';
	END IF;
	e.account_id := p_account;
	e.occurred_at := date_trunc('microseconds', clock_timestamp());
	e.actor := p_actor;
	e.actor_role := p_role;
	e.action := p_action;
	e.target_type := p_target_type;
	e.target_id := p_target_id;
	e.request_id := p_request_id;
	e.before_digest := p_before;
	e.after_digest := p_after;
	e.hash := sha256(e.prev_hash || convert_to(cockpit_audit_canonical(e), 'UTF8'));
	UPDATE audit_chains SET hash = e.hash
	WHERE account_id IS NOT DISTINCT FROM p_account;
	INSERT INTO audit_events (account_id, seq, occurred_at, actor, actor_role,
	    action, target_type, target_id, request_id, before_digest,
	    after_digest, prev_hash, hash)
	VALUES (e.account_id, e.seq, e.occurred_at, e.actor, e.actor_role,
	    e.action, e.target_type, e.target_id, e.request_id, e.before_digest,
	    e.after_digest, e.prev_hash, e.hash);
	RETURN e.hash;
END
$$;

GRANT SELECT, UPDATE, DELETE ON accounts TO cockpit_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_domains TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON users TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON api_keys TO cockpit_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO cockpit_service;
GRANT SELECT, INSERT, DELETE ON auth_logins TO cockpit_service;
GRANT SELECT ON break_glass TO cockpit_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON break_glass_attempts TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON audit_chains TO cockpit_service;

-- First sign-in of an identity provider's user: resolves the account by
-- precedence (the organisation's account; an account id from a configured
-- claim; the account that verified the email's domain) and finds, adopts or
-- creates the local user, auditing what it changes. Returns NULLs when no
-- account resolves, and a NULL user_id when the email belongs to another
-- user of the account. Runs with the caller's rights; libcockpit calls it
-- in a platform transaction.
CREATE FUNCTION cockpit_sign_in(p_org text, p_claim text, p_domain text,
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
