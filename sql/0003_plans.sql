-- 0003_plans: what an account may do, and what it starts with.
--
-- The platform's catalogues (features, and plans that bundle features
-- with quotas), an account's subscription to a plan (its feature pack:
-- the plan and the product domains it uses), per-account entitlement
-- overrides, the console model policy, account admins, and the first
-- pieces of the directory and the credit pools that every account gets
-- when it is created: the default Copilot global organisation and the
-- Unallocated pool. Quotas are counted by one function,
-- cockpit_quota_used(), which later domains extend as their tables
-- arrive.

-- The catalogues belong to the platform: every tenant may read them, only
-- the platform writes them.
CREATE TABLE features (
	key             text        PRIMARY KEY
	                            CHECK (length(key) BETWEEN 2 AND 63
	                                   AND key ~ '^[a-z0-9]+([._-][a-z0-9]+)*$'),
	name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description     text        NOT NULL DEFAULT ''
	                            CHECK (length(description) <= 2000),
	product_domain  text        NOT NULL
	                            CHECK (product_domain IN ('copilot', 'console', 'platform')),
	-- What an account without a plan, or whose plan does not list the
	-- feature, gets.
	default_enabled boolean     NOT NULL DEFAULT false,
	created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A plan: features on, and quotas (NULL: unlimited). Credits are counted
-- in micro-credits (millionths) everywhere.
CREATE TABLE plans (
	id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	slug               text        NOT NULL UNIQUE
	                               CHECK (length(slug) BETWEEN 2 AND 63
	                                      AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	name               text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description        text        NOT NULL DEFAULT ''
	                               CHECK (length(description) <= 2000),
	status             text        NOT NULL DEFAULT 'active'
	                               CHECK (status IN ('active', 'retired')),
	-- The plan new accounts get; at most one, and never a retired one.
	is_default         boolean     NOT NULL DEFAULT false
	                               CHECK (NOT (is_default AND status = 'retired')),
	max_users          integer     CHECK (max_users >= 0),
	max_teams          integer     CHECK (max_teams >= 0),
	max_agents         integer     CHECK (max_agents >= 0),
	max_connections    integer     CHECK (max_connections >= 0),
	credits_per_cycle  bigint      CHECK (credits_per_cycle >= 0),
	created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNIQUE INDEX plans_one_default ON plans (is_default) WHERE is_default;
CREATE INDEX plans_created_id ON plans (created_at, id);

CREATE TABLE plan_features (
	plan_id      uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	feature_key  text NOT NULL REFERENCES features (key) ON DELETE CASCADE,
	PRIMARY KEY (plan_id, feature_key)
);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['features', 'plans', 'plan_features'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (true) '
		    'WITH CHECK (cockpit_platform())', t || '_catalogue', t);
		EXECUTE format('CREATE POLICY %I ON %I AS RESTRICTIVE FOR DELETE '
		    'USING (cockpit_platform())', t || '_delete_platform', t);
	END LOOP;
END
$$;

-- An account's feature pack: its plan (NULL: none) and the product
-- domains its people use. Every account has one, made with the account.
CREATE TABLE account_subscriptions (
	account_id       uuid        PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	plan_id          uuid        REFERENCES plans (id),
	product_domains  text[]      NOT NULL DEFAULT '{copilot,console}'
	                             CHECK (product_domains <@ '{copilot,console}'),
	started_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX account_subscriptions_plan ON account_subscriptions (plan_id);

-- A feature turned on or off for one account, whatever its plan says.
CREATE TABLE account_entitlements (
	account_id   uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	feature_key  text        NOT NULL REFERENCES features (key) ON DELETE CASCADE,
	enabled      boolean     NOT NULL,
	updated_by   text        NOT NULL,
	updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	PRIMARY KEY (account_id, feature_key)
);

-- What the account's admins may do with Console (BYOK) models: add any
-- provider's endpoints (open), only the providers listed (allow_list), or
-- none (disabled). No row: open.
CREATE TABLE console_model_policies (
	account_id         uuid        PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	mode               text        NOT NULL DEFAULT 'open'
	                               CHECK (mode IN ('open', 'allow_list', 'disabled')),
	allowed_providers  text[]      NOT NULL DEFAULT '{}'
	                               CHECK (cardinality(allowed_providers) <= 100),
	updated_by         text        NOT NULL,
	updated_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A tenant reads its own subscription, entitlements and policy; only the
-- platform changes them.
DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['account_subscriptions',
	    'account_entitlements', 'console_model_policies'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (cockpit_platform() '
		    'OR account_id = cockpit_account_id()) '
		    'WITH CHECK (cockpit_platform())', t || '_tenant', t);
	END LOOP;
END
$$;

-- Account admins: a user's role in the account, kept here and granted in
-- the identity provider by `sync-admin-grants`.
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'end_user'
	CHECK (role IN ('end_user', 'account_admin'));
CREATE INDEX users_account_admins ON users (account_id, lower(email))
	WHERE role = 'account_admin';

-- Organisations of the directory, per product domain. Each account has
-- one global Copilot organisation, made with the account.
CREATE TABLE organisations (
	id           uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id   uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	domain       text        NOT NULL CHECK (domain IN ('copilot', 'console')),
	name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description  text        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
	is_global    boolean     NOT NULL DEFAULT false,
	created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
	UNIQUE (account_id, id)
);
CREATE UNIQUE INDEX organisations_global ON organisations (account_id, domain)
	WHERE is_global;
CREATE UNIQUE INDEX organisations_name ON organisations (account_id, domain, lower(name));
CREATE INDEX organisations_created ON organisations (account_id, domain, created_at, id);

-- Credit pools: the Unallocated pool of each account (scope_id NULL) and,
-- with the budgets, the pools allocated to organisations, teams and users.
CREATE TABLE credit_pools (
	id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id  uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	scope_type  text        NOT NULL
	                        CHECK (scope_type IN ('unallocated', 'organisation', 'team', 'user')),
	scope_id    uuid,
	created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	CHECK ((scope_type = 'unallocated') = (scope_id IS NULL)),
	UNIQUE NULLS NOT DISTINCT (account_id, scope_type, scope_id),
	UNIQUE (account_id, id)
);

-- Credits the platform grants an account, into its Unallocated pool.
CREATE TABLE credit_grants (
	id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id     uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	pool_id        uuid        NOT NULL,
	micro_credits  bigint      NOT NULL CHECK (micro_credits > 0),
	reason         text        NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
	granted_by     text        NOT NULL,
	request_id     text,
	granted_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
	FOREIGN KEY (account_id, pool_id) REFERENCES credit_pools (account_id, id)
		ON DELETE CASCADE
);
CREATE INDEX credit_grants_account ON credit_grants (account_id, granted_at);

-- Credits spent from a pool: one row per debit, written by usage recording.
CREATE TABLE credit_ledger (
	id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id     uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	pool_id        uuid        NOT NULL,
	micro_credits  bigint      NOT NULL CHECK (micro_credits > 0),
	request_id     text,
	occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
	FOREIGN KEY (account_id, pool_id) REFERENCES credit_pools (account_id, id)
		ON DELETE CASCADE
);
CREATE INDEX credit_ledger_pool ON credit_ledger (account_id, pool_id, occurred_at);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['organisations', 'credit_pools',
	    'credit_ledger'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (cockpit_platform() '
		    'OR account_id = cockpit_account_id()) '
		    'WITH CHECK (cockpit_platform() '
		    'OR account_id = cockpit_account_id())', t || '_tenant', t);
	END LOOP;
END
$$;

-- Only the platform grants credits.
ALTER TABLE credit_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY credit_grants_tenant ON credit_grants
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform());

-- What every account starts with, in the transaction that creates it: the
-- default plan, its global Copilot organisation and its Unallocated pool.
CREATE FUNCTION cockpit_account_defaults() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	INSERT INTO account_subscriptions (account_id, plan_id)
	VALUES (NEW.id, (SELECT id FROM plans WHERE is_default));
	INSERT INTO organisations (account_id, domain, name, description,
	    is_global)
	VALUES (NEW.id, 'copilot', 'Global', 'Everyone in the account', true);
	INSERT INTO credit_pools (account_id, scope_type)
	VALUES (NEW.id, 'unallocated');
	RETURN NULL;
END
$$;
CREATE TRIGGER accounts_defaults AFTER INSERT ON accounts
	FOR EACH ROW EXECUTE FUNCTION cockpit_account_defaults();

-- Accounts made before this migration get the same.
INSERT INTO account_subscriptions (account_id) SELECT id FROM accounts;
INSERT INTO organisations (account_id, domain, name, description, is_global)
	SELECT id, 'copilot', 'Global', 'Everyone in the account', true
	FROM accounts;
INSERT INTO credit_pools (account_id, scope_type)
	SELECT id, 'unallocated' FROM accounts;

-- An account's features as its people get them: its own override, else
-- its plan (a plan lists the features it turns on; the others are off),
-- else, without a plan, the feature's default; and never a feature of a
-- product domain the account does not use.
CREATE FUNCTION cockpit_account_features(p_account uuid)
	RETURNS TABLE (key text, name text, product_domain text,
	    enabled boolean, source text, override boolean)
	LANGUAGE sql STABLE
	AS $$
	SELECT f.key, f.name, f.product_domain,
	    CASE WHEN f.product_domain <> 'platform'
	        AND f.product_domain <> ALL (s.product_domains) THEN false
	    WHEN e.enabled IS NOT NULL THEN e.enabled
	    WHEN s.plan_id IS NOT NULL THEN pf.feature_key IS NOT NULL
	    ELSE f.default_enabled END,
	    CASE WHEN f.product_domain <> 'platform'
	        AND f.product_domain <> ALL (s.product_domains) THEN 'product_domain'
	    WHEN e.enabled IS NOT NULL THEN 'override'
	    WHEN s.plan_id IS NOT NULL THEN 'plan'
	    ELSE 'default' END,
	    e.enabled
	FROM account_subscriptions s
	CROSS JOIN features f
	LEFT JOIN plan_features pf ON pf.plan_id = s.plan_id AND pf.feature_key = f.key
	LEFT JOIN account_entitlements e ON e.account_id = s.account_id
	    AND e.feature_key = f.key
	WHERE s.account_id = p_account
	ORDER BY f.key
$$;

-- What an account uses of one quota now. Users are its active users;
-- teams, agents and connections are counted here by the migrations that
-- create their tables, and are 0 until then.
CREATE FUNCTION cockpit_quota_used(p_account uuid, p_quota text)
	RETURNS bigint
	LANGUAGE plpgsql STABLE
	AS $$
BEGIN
	-- PL/pgSQL, so that each connection plans these counts once.
	IF p_quota = 'users' THEN
		RETURN (SELECT count(*) FROM users u
		    WHERE u.account_id = p_account AND u.status = 'active');
	END IF;
	RETURN 0;
END
$$;

-- Every quota of an account: its plan's limit (NULL: unlimited, as for
-- an account without a plan) and what it uses.
CREATE FUNCTION cockpit_account_quotas(p_account uuid)
	RETURNS TABLE (quota text, quota_limit bigint, used bigint)
	LANGUAGE sql STABLE
	AS $$
	SELECT q.quota, CASE q.quota WHEN 'users' THEN p.max_users
	    WHEN 'teams' THEN p.max_teams WHEN 'agents' THEN p.max_agents
	    ELSE p.max_connections END,
	    cockpit_quota_used(p_account, q.quota)
	FROM unnest(ARRAY['users', 'teams', 'agents', 'connections'])
	    WITH ORDINALITY AS q (quota, n)
	LEFT JOIN account_subscriptions s ON s.account_id = p_account
	LEFT JOIN plans p ON p.id = s.plan_id
	ORDER BY q.n
$$;

-- One quota's limit and use, counted under a lock held until the
-- transaction ends, so that the insert which follows a passing check is
-- the only one: two requests racing for the last place take turns.
CREATE FUNCTION cockpit_quota_check(p_account uuid, p_quota text,
    OUT quota_limit bigint, OUT used bigint)
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	IF p_quota NOT IN ('users', 'teams', 'agents', 'connections') THEN
		RAISE EXCEPTION 'unknown quota %', p_quota USING ERRCODE = '22023';
	END IF;
	PERFORM pg_advisory_xact_lock(hashtextextended(
	    'cockpit.quota/' || p_account || '/' || p_quota, 0));
	SELECT q.quota_limit, q.used INTO quota_limit, used
	FROM cockpit_account_quotas(p_account) q WHERE q.quota = p_quota;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON features, plans, plan_features
	TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON account_subscriptions TO cockpit_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_entitlements TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON console_model_policies TO cockpit_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON organisations TO cockpit_service;
GRANT SELECT, INSERT, DELETE ON credit_pools TO cockpit_service;
GRANT SELECT, INSERT ON credit_grants, credit_ledger TO cockpit_service;
