-- 0007_budgets: Budget Plans, Credit Pools, User Overrides, usage
-- recording, reservations and alerts, for the Copilot domain.
--
-- Credit Pools. Every account has its Unallocated pool (0003), which holds
-- the credits the platform grants it per period: the sum of its
-- credit_grants. An account admin allocates from a pool to organisations,
-- teams and users: each allocation is a pool of its own, with the credits
-- it may spend per period and its parent, the pool it was allocated from.
-- A pool never gives its children more than it has: the sum of its active
-- children's credits is at most its own. A user's pool is an allocation or
-- a User Override (a limit set for that user, which equal distribution
-- leaves alone). Deleting an allocation makes its pool inactive: its
-- credits go back to its parent, its history stays.
--
-- Budget Plans. An account's active plan sets the cycle (daily, weekly,
-- monthly or none), its anchor and the alert thresholds. Periods are
-- computed, in UTC, from the anchor; a plan's periods start no earlier
-- than its cycle_from, the moment its cycle last changed. Spend is kept
-- per pool and period (pool_periods), so a new period starts from zero
-- without any job running, and past periods stay as they were.
--
-- Usage. Recording a usage debits, at once, every limited scope on the
-- user's path: the user's pool and the pools it was allocated from; the
-- team or organisation given as context (else every team and organisation
-- the user is a member of) with the pools they were allocated from; the
-- global organisation's; and the account's. It succeeds only when every
-- one of them has the credits left; otherwise nothing changes. Each pool's
-- period row is locked, in one order for every transaction (users, teams,
-- organisations, the account; then by id), while it is checked and
-- debited, so concurrent records never take a pool below zero. The
-- account's row is taken last: it is shared by the whole account.
--
-- Reservations hold credits on the same path until they are captured (the
-- real cost debited), released, or expire. What a pool has left in a period
-- is its credits less its spend less its live holds.

-- The credits factor of a model, overriding CREDITS_FACTOR: the platform's.
CREATE TABLE model_credit_factors (
	model       text        PRIMARY KEY CHECK (length(model) BETWEEN 1 AND 200),
	factor      numeric     NOT NULL CHECK (factor > 0 AND factor <= 1000000
	                                        AND scale(factor) <= 6),
	updated_by  text        NOT NULL,
	updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
ALTER TABLE model_credit_factors ENABLE ROW LEVEL SECURITY;
ALTER TABLE model_credit_factors FORCE ROW LEVEL SECURITY;
CREATE POLICY model_credit_factors_read ON model_credit_factors
	USING (true) WITH CHECK (cockpit_platform());

-- Alert thresholds: 1 to 10 distinct percentages of 1 to 100, ascending.
CREATE FUNCTION cockpit_thresholds_valid(t smallint[]) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$
	SELECT cardinality(t) BETWEEN 1 AND 10 AND array_position(t, NULL) IS NULL
	    AND t = ARRAY(SELECT DISTINCT x FROM unnest(t) x ORDER BY x)
	    AND t[1] >= 1 AND t[cardinality(t)] <= 100
$$;

CREATE TABLE budget_plans (
	id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id        uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	name              text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	cycle             text        NOT NULL
	                              CHECK (cycle IN ('daily', 'weekly', 'monthly', 'none')),
	anchor            timestamptz NOT NULL,
	alert_thresholds  smallint[]  NOT NULL DEFAULT '{80,100}'
	                              CHECK (cockpit_thresholds_valid(alert_thresholds)),
	cycle_from        timestamptz NOT NULL DEFAULT clock_timestamp(),
	active_until      timestamptz,
	created_by        text        NOT NULL,
	created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
	UNIQUE (account_id, id)
);
CREATE UNIQUE INDEX budget_plans_active ON budget_plans (account_id)
	WHERE active_until IS NULL;
CREATE INDEX budget_plans_created ON budget_plans (account_id, created_at, id);

-- The period of a cycle containing p_at, in UTC: from the anchor in
-- steps of a day, a week or a calendar month (a month from the 31st ends
-- on the last day of a shorter month), starting no earlier than p_from;
-- cycle none is one period from p_from on. period_end is excluded.
CREATE FUNCTION cockpit_period(p_cycle text, p_anchor timestamptz,
    p_from timestamptz, p_at timestamptz,
    OUT period_start timestamptz, OUT period_end timestamptz)
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	AS $$
DECLARE
	a timestamp := p_anchor AT TIME ZONE 'UTC';
	t timestamp := p_at AT TIME ZONE 'UTC';
	step interval;
	n bigint;
	s timestamp;
	e timestamp;
BEGIN
	IF p_cycle = 'none' THEN
		period_start := p_from;
		period_end := 'infinity';
		RETURN;
	END IF;
	IF p_cycle = 'monthly' THEN
		n := (extract(year FROM t) - extract(year FROM a)) * 12
		    + extract(month FROM t) - extract(month FROM a);
		IF a + make_interval(months => n::int) > t THEN
			n := n - 1;
		END IF;
		s := a + make_interval(months => n::int);
		e := a + make_interval(months => n::int + 1);
	ELSE
		step := CASE p_cycle WHEN 'daily' THEN interval '1 day'
		    ELSE interval '7 days' END;
		n := floor(extract(epoch FROM t - a) / extract(epoch FROM step));
		s := a + step * n;
		e := s + step;
	END IF;
	period_start := greatest(s AT TIME ZONE 'UTC', p_from);
	period_end := e AT TIME ZONE 'UTC';
END
$$;

-- An account's period at p_at under its active plan (none: one period
-- from the account's creation), the plan's id and thresholds.
CREATE FUNCTION cockpit_budget_period(p_account uuid, p_at timestamptz,
    OUT period_start timestamptz, OUT period_end timestamptz,
    OUT plan_id uuid, OUT thresholds smallint[])
	LANGUAGE sql STABLE
	AS $$
	SELECT pp.period_start, pp.period_end, b.id,
	    coalesce(b.alert_thresholds, '{80,100}')
	FROM accounts a
	LEFT JOIN budget_plans b ON b.account_id = a.id AND b.active_until IS NULL
	CROSS JOIN LATERAL cockpit_period(coalesce(b.cycle, 'none'),
	    coalesce(b.anchor, a.created_at), coalesce(b.cycle_from, a.created_at),
	    p_at) pp
	WHERE a.id = p_account
$$;

-- Credit pools become allocations: credits per period, a parent, a rule.
ALTER TABLE credit_pools
	ADD COLUMN micro_credits bigint NOT NULL DEFAULT 0 CHECK (micro_credits >= 0),
	ADD COLUMN parent_id uuid,
	ADD COLUMN rule text NOT NULL DEFAULT 'allocation'
		CHECK (rule IN ('account', 'allocation', 'override')),
	ADD COLUMN active boolean NOT NULL DEFAULT true,
	ADD COLUMN updated_at timestamptz NOT NULL DEFAULT clock_timestamp();
UPDATE credit_pools SET rule = 'account' WHERE scope_type = 'unallocated';
UPDATE credit_pools p SET micro_credits = (SELECT coalesce(sum(g.micro_credits), 0)
	FROM credit_grants g WHERE g.pool_id = p.id)
	WHERE p.scope_type = 'unallocated';
ALTER TABLE credit_pools
	ADD FOREIGN KEY (account_id, parent_id) REFERENCES credit_pools (account_id, id),
	ADD CHECK ((scope_type = 'unallocated') = (parent_id IS NULL)),
	ADD CHECK ((scope_type = 'unallocated') = (rule = 'account')),
	ADD CHECK (rule <> 'override' OR scope_type = 'user'),
	ADD CHECK (active OR scope_type <> 'unallocated');
CREATE INDEX credit_pools_children ON credit_pools (parent_id) WHERE active;
CREATE INDEX credit_pools_scope ON credit_pools (account_id, scope_type, scope_id)
	WHERE active;

-- A grant changes the account's credits per period: it may be negative
-- (a super admin lowering the account allocation), never to below zero.
ALTER TABLE credit_grants DROP CONSTRAINT credit_grants_micro_credits_check,
	ADD CHECK (micro_credits <> 0);
CREATE FUNCTION cockpit_grant_applied() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	UPDATE credit_pools SET micro_credits = micro_credits + NEW.micro_credits,
	    updated_at = clock_timestamp()
	WHERE id = NEW.pool_id AND scope_type = 'unallocated';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'credits are granted to an Unallocated pool'
		    USING ERRCODE = '23514';
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER credit_grants_applied AFTER INSERT ON credit_grants
	FOR EACH ROW EXECUTE FUNCTION cockpit_grant_applied();

-- Spend per pool and period.
CREATE TABLE pool_periods (
	account_id    uuid        NOT NULL,
	pool_id       uuid        NOT NULL,
	period_start  timestamptz NOT NULL,
	period_end    timestamptz NOT NULL,
	spent_micro   bigint      NOT NULL DEFAULT 0 CHECK (spent_micro >= 0),
	PRIMARY KEY (pool_id, period_start),
	FOREIGN KEY (account_id, pool_id) REFERENCES credit_pools (account_id, id)
		ON DELETE CASCADE
);
CREATE INDEX pool_periods_account ON pool_periods (account_id, period_start);

-- What was recorded: one row per usage, its answer kept for a retry.
CREATE TABLE usage_records (
	id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id       uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id          uuid        NOT NULL,
	team_id          uuid,
	organisation_id  uuid,
	model            text        NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
	cost             numeric     NOT NULL CHECK (cost >= 0),
	credits_factor   numeric     NOT NULL CHECK (credits_factor > 0),
	micro_credits    bigint      NOT NULL CHECK (micro_credits >= 0),
	input_tokens     bigint      NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
	output_tokens    bigint      NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
	idempotency_key  text        NOT NULL
	                             CHECK (length(idempotency_key) BETWEEN 1 AND 200),
	request_digest   bytea       NOT NULL,
	reservation_id   uuid,
	period_start     timestamptz NOT NULL,
	occurred_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
	recorded_by      text        NOT NULL,
	answer           jsonb,
	UNIQUE (account_id, idempotency_key)
);
CREATE INDEX usage_records_time ON usage_records (account_id, occurred_at);
CREATE INDEX usage_records_user ON usage_records (account_id, user_id, occurred_at);

-- Debits, one per pool a usage was charged to.
ALTER TABLE credit_ledger ADD COLUMN period_start timestamptz,
	ADD COLUMN usage_id bigint;
CREATE INDEX credit_ledger_period ON credit_ledger (pool_id, period_start);

CREATE TABLE budget_reservations (
	id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
	account_id       uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	user_id          uuid        NOT NULL,
	team_id          uuid,
	organisation_id  uuid,
	model            text        NOT NULL CHECK (length(model) BETWEEN 1 AND 200),
	micro_credits    bigint      NOT NULL CHECK (micro_credits > 0),
	period_start     timestamptz NOT NULL,
	state            text        NOT NULL DEFAULT 'held'
	                             CHECK (state IN ('held', 'captured', 'released')),
	expires_at       timestamptz NOT NULL,
	idempotency_key  text        NOT NULL
	                             CHECK (length(idempotency_key) BETWEEN 1 AND 200),
	request_digest   bytea       NOT NULL,
	usage_id         bigint,
	created_by       text        NOT NULL,
	created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	settled_at       timestamptz,
	UNIQUE (account_id, idempotency_key),
	UNIQUE (account_id, id)
);
CREATE INDEX budget_reservations_created ON budget_reservations
	(account_id, created_at, id);

-- A reservation's hold on each pool of its path, live until settled or
-- expired.
CREATE TABLE budget_holds (
	reservation_id  uuid        NOT NULL,
	pool_id         uuid        NOT NULL,
	account_id      uuid        NOT NULL,
	period_start    timestamptz NOT NULL,
	micro_credits   bigint      NOT NULL CHECK (micro_credits > 0),
	expires_at      timestamptz NOT NULL,
	live            boolean     NOT NULL DEFAULT true,
	PRIMARY KEY (reservation_id, pool_id),
	FOREIGN KEY (account_id, reservation_id)
		REFERENCES budget_reservations (account_id, id) ON DELETE CASCADE
);
CREATE INDEX budget_holds_pool ON budget_holds (pool_id, period_start)
	INCLUDE (micro_credits, expires_at) WHERE live;

-- One alert per pool, threshold and period.
CREATE TABLE budget_alerts (
	id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id       uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	pool_id          uuid        NOT NULL,
	scope_type       text        NOT NULL,
	scope_id         uuid,
	threshold        smallint    NOT NULL CHECK (threshold BETWEEN 1 AND 100),
	period_start     timestamptz NOT NULL,
	period_end       timestamptz NOT NULL,
	limit_micro      bigint      NOT NULL,
	spent_micro      bigint      NOT NULL,
	created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
	delivery         text        NOT NULL DEFAULT 'pending'
	                             CHECK (delivery IN ('pending', 'delivered',
	                                 'failed', 'no_webhook')),
	attempts         integer     NOT NULL DEFAULT 0,
	next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
	delivered_at     timestamptz,
	last_error       text,
	UNIQUE (pool_id, threshold, period_start)
);
CREATE INDEX budget_alerts_created ON budget_alerts (account_id, created_at, id);
CREATE INDEX budget_alerts_due ON budget_alerts (next_attempt_at)
	WHERE delivery = 'pending';

-- Where an account's alerts are delivered: a URL and the key signing each
-- body, sealed by the programs (AES-256-GCM) before it is stored.
CREATE TABLE account_webhooks (
	account_id     uuid        PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	url            text        NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
	secret_sealed  text        NOT NULL,
	created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
	updated_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['budget_plans', 'pool_periods', 'usage_records',
	    'budget_reservations', 'budget_holds', 'budget_alerts',
	    'account_webhooks'] LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY %I ON %I USING (cockpit_platform() '
		    'OR account_id = cockpit_account_id()) '
		    'WITH CHECK (cockpit_platform() '
		    'OR account_id = cockpit_account_id())', t || '_tenant', t);
	END LOOP;
END
$$;

-- A new account: its plan, its global organisation, its Unallocated pool
-- and the credits per period of its plan, granted.
CREATE OR REPLACE FUNCTION cockpit_account_defaults() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	v_pool uuid;
	v_credits bigint;
BEGIN
	INSERT INTO account_subscriptions (account_id, plan_id)
	VALUES (NEW.id, (SELECT id FROM plans WHERE is_default));
	INSERT INTO organisations (account_id, domain, name, description,
	    is_global)
	VALUES (NEW.id, 'copilot', 'Global', 'Everyone in the account', true);
	INSERT INTO credit_pools (account_id, scope_type, rule)
	VALUES (NEW.id, 'unallocated', 'account') RETURNING id INTO v_pool;
	SELECT p.credits_per_cycle INTO v_credits FROM plans p WHERE p.is_default;
	IF v_credits > 0 THEN
		INSERT INTO credit_grants (account_id, pool_id, micro_credits,
		    reason, granted_by)
		VALUES (NEW.id, v_pool, v_credits, 'the plan''s credits per cycle',
		    'plan');
	END IF;
	RETURN NULL;
END
$$;

-- An organisation or team deleted: its pool ends, its credits go back,
-- and the pools allocated from it move up to its parent.
CREATE FUNCTION cockpit_scope_deleted() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	p credit_pools;
BEGIN
	SELECT * INTO p FROM credit_pools
	WHERE account_id = OLD.account_id AND scope_id = OLD.id AND active
	    AND scope_type = TG_ARGV[0];
	IF FOUND THEN
		UPDATE credit_pools SET parent_id = p.parent_id,
		    updated_at = clock_timestamp()
		WHERE parent_id = p.id AND active;
		UPDATE credit_pools SET active = false,
		    updated_at = clock_timestamp()
		WHERE id = p.id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER teams_pool_ends AFTER DELETE ON teams
	FOR EACH ROW EXECUTE FUNCTION cockpit_scope_deleted('team');
CREATE TRIGGER organisations_pool_ends AFTER DELETE ON organisations
	FOR EACH ROW EXECUTE FUNCTION cockpit_scope_deleted('organisation');

-- The level of a scope on a user's path: the order pools are locked in.
CREATE FUNCTION cockpit_pool_depth(p_scope_type text) RETURNS int
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT CASE p_scope_type WHEN 'user' THEN 1 WHEN 'team' THEN 2
	    WHEN 'organisation' THEN 3 ELSE 4 END $$;

-- The limited scopes on a user's path (see the top of this file), in the
-- order they are locked. The account's scope_id is the account's id.
CREATE FUNCTION cockpit_budget_path(p_account uuid, p_user uuid,
    p_team uuid, p_org uuid)
	RETURNS TABLE (pool_id uuid, scope_type text, scope_id uuid,
	    rule text, micro_credits bigint)
	LANGUAGE sql STABLE
	AS $$
	WITH RECURSIVE teams_on AS (
		SELECT t.id, t.organisation_id FROM teams t
		WHERE t.account_id = p_account AND t.domain = 'copilot'
		    AND (t.id = p_team OR (p_team IS NULL AND p_org IS NULL
		        AND t.id IN (SELECT m.team_id FROM team_members m
		            WHERE m.account_id = p_account AND m.user_id = p_user
		                AND m.domain = 'copilot')))
	), orgs_on AS (
		SELECT organisation_id AS id FROM teams_on
		UNION SELECT p_org WHERE p_org IS NOT NULL
		UNION SELECT m.organisation_id FROM organisation_members m
		    WHERE p_team IS NULL AND p_org IS NULL
		        AND m.account_id = p_account AND m.user_id = p_user
		        AND m.domain = 'copilot'
		UNION SELECT o.id FROM organisations o
		    WHERE o.account_id = p_account AND o.domain = 'copilot'
		        AND o.is_global
	), chain AS (
		SELECT p.* FROM credit_pools p
		WHERE p.account_id = p_account AND p.active AND (
		    (p.scope_type = 'user' AND p.scope_id = p_user)
		    OR (p.scope_type = 'team' AND p.scope_id IN (SELECT id FROM teams_on))
		    OR (p.scope_type = 'organisation'
		        AND p.scope_id IN (SELECT id FROM orgs_on))
		    OR p.scope_type = 'unallocated')
		UNION
		SELECT up.* FROM credit_pools up JOIN chain c ON up.id = c.parent_id
		WHERE up.account_id = p_account
	)
	SELECT c.id, c.scope_type, coalesce(c.scope_id, c.account_id),
	    c.rule, c.micro_credits
	FROM chain c
	ORDER BY cockpit_pool_depth(c.scope_type), c.id
$$;

-- Credits a pool holds for live reservations in a period.
CREATE FUNCTION cockpit_pool_held(p_pool uuid, p_period timestamptz)
	RETURNS bigint
	LANGUAGE sql STABLE
	AS $$
	SELECT coalesce(sum(h.micro_credits), 0)::bigint FROM budget_holds h
	WHERE h.pool_id = p_pool AND h.period_start = p_period AND h.live
	    AND h.expires_at > clock_timestamp()
$$;

-- A scope as the API names it.
CREATE FUNCTION cockpit_scope_json(p_scope_type text, p_scope_id uuid)
	RETURNS jsonb
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT jsonb_build_object('type', CASE p_scope_type
	    WHEN 'unallocated' THEN 'account' ELSE p_scope_type END, 'id',
	    p_scope_id) $$;

-- A time as the API writes times: UTC, microseconds, Z.
CREATE FUNCTION cockpit_ts(p timestamptz) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT to_char(p AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- A period as the API writes it; an endless one has no end.
CREATE FUNCTION cockpit_period_json(p_start timestamptz, p_end timestamptz)
	RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE
	AS $$ SELECT jsonb_build_object('start', cockpit_ts(p_start), 'end',
	    CASE WHEN p_end = 'infinity' THEN NULL ELSE cockpit_ts(p_end) END) $$;

-- Micro-credits as the API writes credits: the shortest exact decimal.
CREATE FUNCTION cockpit_credits_text(p_micro bigint) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	AS $$ SELECT trim_scale(p_micro::numeric / 1000000)::text $$;

-- Refuses a debit or hold: SQLSTATE CB402, its message the JSON the
-- programs answer 402 budget_exceeded with. The statement rolls back.
CREATE FUNCTION cockpit_budget_refuse(p_scope_type text, p_scope_id uuid,
    p_remaining bigint, p_need bigint)
	RETURNS void
	LANGUAGE plpgsql
	AS $$
BEGIN
	RAISE EXCEPTION USING ERRCODE = 'CB402', MESSAGE = jsonb_build_object(
	    'scope', cockpit_scope_json(p_scope_type, p_scope_id),
	    'remaining', cockpit_credits_text(greatest(p_remaining, 0)),
	    'required', cockpit_credits_text(p_need))::text;
END
$$;

-- Locks and charges one pool's period row with p_need (a debit when
-- p_spend, else a hold), refusing when its credits would not cover it.
-- Returns the row after, and the credits held.
CREATE FUNCTION cockpit_pool_charge(p_account uuid, p_pool uuid,
    p_scope_type text, p_scope_id uuid, p_start timestamptz,
    p_end timestamptz, p_need bigint, p_spend boolean,
    OUT spent_before bigint, OUT spent_after bigint, OUT held bigint,
    OUT credit_limit bigint)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	r pool_periods;
BEGIN
	INSERT INTO pool_periods AS pp (account_id, pool_id, period_start,
	    period_end, spent_micro)
	VALUES (p_account, p_pool, p_start, p_end,
	    CASE WHEN p_spend THEN p_need ELSE 0 END)
	ON CONFLICT (pool_id, period_start) DO UPDATE
	SET spent_micro = pp.spent_micro + EXCLUDED.spent_micro
	RETURNING * INTO r;
	-- The row is ours until the transaction ends: what follows is exact.
	SELECT c.micro_credits INTO credit_limit FROM credit_pools c
	WHERE c.id = p_pool;
	held := cockpit_pool_held(p_pool, p_start);
	spent_after := r.spent_micro;
	spent_before := r.spent_micro - CASE WHEN p_spend THEN p_need ELSE 0 END;
	IF spent_before + held + p_need > credit_limit THEN
		PERFORM cockpit_budget_refuse(p_scope_type, p_scope_id,
		    credit_limit - spent_before - held, p_need);
	END IF;
END
$$;

-- Alerts for the thresholds a debit crossed in a pool.
CREATE FUNCTION cockpit_budget_alerts(p_account uuid, p_pool uuid,
    p_scope_type text, p_scope_id uuid, p_start timestamptz,
    p_end timestamptz, p_thresholds smallint[], p_limit bigint,
    p_before bigint, p_after bigint)
	RETURNS void
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	IF p_limit <= 0 THEN
		RETURN;
	END IF;
	INSERT INTO budget_alerts (account_id, pool_id, scope_type, scope_id,
	    threshold, period_start, period_end, limit_micro, spent_micro)
	SELECT p_account, p_pool, CASE p_scope_type WHEN 'unallocated'
	    THEN 'account' ELSE p_scope_type END, p_scope_id, t, p_start,
	    p_end, p_limit, p_after
	FROM unnest(p_thresholds) t
	WHERE p_before::numeric * 100 < t::numeric * p_limit
	    AND p_after::numeric * 100 >= t::numeric * p_limit
	ON CONFLICT DO NOTHING;
	IF FOUND THEN
		PERFORM pg_notify('cockpit_alerts', p_account::text);
	END IF;
END
$$;

-- The user named by p_user_ref (an id or an email), active in the
-- Copilot directory of p_account; NULL when there is none.
CREATE FUNCTION cockpit_copilot_user(p_account uuid, p_user_ref text)
	RETURNS uuid
	LANGUAGE plpgsql STABLE
	AS $$
DECLARE
	v uuid;
BEGIN
	IF p_user_ref ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
		SELECT u.id INTO v FROM users u
		WHERE u.account_id = p_account AND u.id = p_user_ref::uuid
		    AND u.status = 'active';
	ELSE
		SELECT u.id INTO v FROM users u
		WHERE u.account_id = p_account AND u.email_lower = lower(p_user_ref)
		    AND u.status = 'active';
	END IF;
	IF v IS NULL OR NOT EXISTS (SELECT 1 FROM domain_users d
	    WHERE d.account_id = p_account AND d.domain = 'copilot'
	        AND d.user_id = v AND d.status = 'active') THEN
		RETURN NULL;
	END IF;
	RETURN v;
END
$$;

-- Why a usage's context is refused, or NULL: a team or organisation not
-- of the account's Copilot directory, or one the user is not in.
CREATE FUNCTION cockpit_context_refusal(p_account uuid, p_user uuid,
    p_team uuid, p_org uuid)
	RETURNS text
	LANGUAGE sql STABLE
	AS $$
	SELECT CASE
	    WHEN p_team IS NOT NULL AND NOT EXISTS (SELECT 1 FROM teams t
	        WHERE t.account_id = p_account AND t.domain = 'copilot'
	            AND t.id = p_team) THEN 'team_id:no such team'
	    WHEN p_team IS NOT NULL AND NOT EXISTS (SELECT 1 FROM team_members m
	        WHERE m.account_id = p_account AND m.team_id = p_team
	            AND m.user_id = p_user) THEN 'team_id:the user is not a member of this team'
	    WHEN p_team IS NOT NULL AND p_org IS NOT NULL AND NOT EXISTS (
	        SELECT 1 FROM teams t WHERE t.id = p_team
	            AND t.organisation_id = p_org)
	        THEN 'organisation_id:the team is not in this organisation'
	    WHEN p_org IS NOT NULL AND NOT EXISTS (SELECT 1 FROM organisations o
	        WHERE o.account_id = p_account AND o.domain = 'copilot'
	            AND o.id = p_org) THEN 'organisation_id:no such organisation'
	    WHEN p_org IS NOT NULL AND p_team IS NULL AND NOT EXISTS (
	        SELECT 1 FROM organisations o WHERE o.id = p_org AND o.is_global)
	        AND NOT EXISTS (SELECT 1 FROM organisation_members m
	            WHERE m.account_id = p_account AND m.organisation_id = p_org
	                AND m.user_id = p_user)
	        AND NOT EXISTS (SELECT 1 FROM team_members m JOIN teams t
	            ON t.id = m.team_id WHERE m.account_id = p_account
	                AND m.user_id = p_user AND t.organisation_id = p_org)
	        THEN 'organisation_id:the user is not in this organisation'
	    END
$$;

-- Records one usage (see the top of this file). p_cost is in the model's
-- currency; credits = p_cost × the model's factor (else p_factor), in
-- micro-credits rounded up: a fraction of a micro-credit is charged as
-- one. Answers (status, body): 200 the record, or the first answer again
-- for a retried idempotency key; 409 the key used with another request;
-- 422 an unknown user or context. A pool without the credits raises
-- CB402 and nothing changes. p_reservation: the reservation this usage
-- captures, whose holds end with it (the caller has locked it).
CREATE FUNCTION cockpit_usage_record(p_account uuid, p_user_ref text,
    p_team uuid, p_org uuid, p_model text, p_cost numeric, p_factor numeric,
    p_input bigint, p_output bigint, p_key text, p_reservation uuid,
    p_actor text, OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	v_user uuid;
	v_refusal text;
	v_factor numeric;
	v_micro bigint;
	v_digest bytea;
	v_usage bigint;
	v_prev usage_records;
	per record;
	c record;
	v_pools uuid[];
	v_types text[];
	v_ids uuid[];
	v_rules text[];
	v_scopes jsonb := '[]';
BEGIN
	v_user := cockpit_copilot_user(p_account, p_user_ref);
	IF v_user IS NULL THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field', 'user',
		    'message', 'no active user of the Copilot directory has this id or email');
		RETURN;
	END IF;
	v_refusal := cockpit_context_refusal(p_account, v_user, p_team, p_org);
	IF v_refusal IS NOT NULL THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field',
		    split_part(v_refusal, ':', 1), 'message',
		    split_part(v_refusal, ':', 2));
		RETURN;
	END IF;
	SELECT f.factor INTO v_factor FROM model_credit_factors f
	WHERE f.model = p_model;
	v_factor := coalesce(v_factor, p_factor);
	IF p_cost * v_factor > 1000000000000 THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field', 'cost',
		    'message', 'the cost comes to more than 1,000,000,000,000 credits');
		RETURN;
	END IF;
	v_micro := ceil(p_cost * v_factor * 1000000);
	v_digest := sha256(convert_to(concat_ws('|', v_user, p_team, p_org,
	    p_model, p_cost::text, p_input, p_output, p_reservation), 'UTF8'));

	SELECT * INTO per FROM cockpit_budget_period(p_account, clock_timestamp());
	INSERT INTO usage_records (account_id, user_id, team_id, organisation_id,
	    model, cost, credits_factor, micro_credits, input_tokens,
	    output_tokens, idempotency_key, request_digest, reservation_id,
	    period_start, recorded_by)
	VALUES (p_account, v_user, p_team, p_org, p_model, p_cost, v_factor,
	    v_micro, p_input, p_output, p_key, v_digest, p_reservation,
	    per.period_start, p_actor)
	ON CONFLICT (account_id, idempotency_key) DO NOTHING
	RETURNING id INTO v_usage;
	IF v_usage IS NULL THEN
		-- A retry: the first record has committed (the insert waited).
		SELECT * INTO v_prev FROM usage_records u
		WHERE u.account_id = p_account AND u.idempotency_key = p_key;
		IF v_prev.request_digest = v_digest THEN
			status := 200;
			body := v_prev.answer;
		ELSE
			status := 409;
			body := jsonb_build_object('code', 'idempotency_conflict',
			    'field', 'idempotency_key', 'message', 'this key was '
			    'used for another usage: send a new key for a new request');
		END IF;
		RETURN;
	END IF;

	SELECT array_agg(p.pool_id), array_agg(p.scope_type), array_agg(p.scope_id),
	    array_agg(p.rule)
	INTO v_pools, v_types, v_ids, v_rules
	FROM cockpit_budget_path(p_account, v_user, p_team, p_org) p;
	-- The ledger first: the pools' rows are locked for as short a time
	-- as can be, the account's shortest.
	IF v_micro > 0 THEN
		INSERT INTO credit_ledger (account_id, pool_id, micro_credits,
		    period_start, usage_id)
		SELECT p_account, x, v_micro, per.period_start, v_usage
		FROM unnest(v_pools) x;
	END IF;
	IF p_reservation IS NOT NULL THEN
		UPDATE budget_holds SET live = false
		WHERE reservation_id = p_reservation AND live;
	END IF;
	FOR i IN 1 .. cardinality(v_pools) LOOP
		SELECT * INTO c FROM cockpit_pool_charge(p_account, v_pools[i],
		    v_types[i], v_ids[i], per.period_start, per.period_end,
		    v_micro, true);
		IF c.spent_after > c.spent_before THEN
			PERFORM cockpit_budget_alerts(p_account, v_pools[i],
			    v_types[i], v_ids[i], per.period_start, per.period_end,
			    per.thresholds, c.credit_limit, c.spent_before,
			    c.spent_after);
		END IF;
		v_scopes := v_scopes || jsonb_build_object(
		    'scope', cockpit_scope_json(v_types[i], v_ids[i]),
		    'rule', v_rules[i],
		    'limit', cockpit_credits_text(c.credit_limit),
		    'spent', cockpit_credits_text(c.spent_after),
		    'held', cockpit_credits_text(c.held),
		    'remaining', cockpit_credits_text(c.credit_limit
		        - c.spent_after - c.held));
	END LOOP;
	status := 200;
	body := jsonb_build_object('id', v_usage::text, 'user_id', v_user,
	    'team_id', p_team, 'organisation_id', p_org, 'model', p_model,
	    'cost', p_cost::text, 'credits_factor', v_factor::text,
	    'credits', cockpit_credits_text(v_micro),
	    'input_tokens', p_input, 'output_tokens', p_output,
	    'idempotency_key', p_key, 'reservation_id', p_reservation,
	    'period', cockpit_period_json(per.period_start, per.period_end),
	    'scopes', v_scopes);
	UPDATE usage_records SET answer = body WHERE id = v_usage;
END
$$;

-- A reservation as the API writes it; state expired when a held one has
-- passed its expiry.
CREATE FUNCTION cockpit_reservation_json(r budget_reservations)
	RETURNS jsonb
	LANGUAGE sql STABLE
	AS $$ SELECT jsonb_build_object('id', r.id, 'user_id', r.user_id,
	    'team_id', r.team_id, 'organisation_id', r.organisation_id,
	    'model', r.model, 'credits', cockpit_credits_text(r.micro_credits),
	    'state', CASE WHEN r.state = 'held'
	        AND r.expires_at <= clock_timestamp() THEN 'expired'
	        ELSE r.state END,
	    'expires_at', cockpit_ts(r.expires_at),
	    'idempotency_key', r.idempotency_key,
	    'usage_id', r.usage_id::text, 'created_by', r.created_by,
	    'created_at', cockpit_ts(r.created_at),
	    'settled_at', cockpit_ts(r.settled_at)) $$;

-- Holds credits for a call whose cost is known only afterwards: p_cost
-- estimated, converted as a usage's, on every pool of the path, until
-- p_ttl seconds from now. Answers (status, body) as cockpit_usage_record:
-- 201 the reservation (200 and the reservation as it is now for a
-- retried key), 409, 422; CB402 when a pool lacks the credits.
CREATE FUNCTION cockpit_reservation_hold(p_account uuid, p_user_ref text,
    p_team uuid, p_org uuid, p_model text, p_cost numeric, p_factor numeric,
    p_ttl int, p_key text, p_actor text, OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	v_user uuid;
	v_refusal text;
	v_factor numeric;
	v_micro bigint;
	v_digest bytea;
	v_res budget_reservations;
	per record;
	c record;
	p record;
BEGIN
	v_user := cockpit_copilot_user(p_account, p_user_ref);
	IF v_user IS NULL THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field', 'user',
		    'message', 'no active user of the Copilot directory has this id or email');
		RETURN;
	END IF;
	v_refusal := cockpit_context_refusal(p_account, v_user, p_team, p_org);
	IF v_refusal IS NOT NULL THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field',
		    split_part(v_refusal, ':', 1), 'message',
		    split_part(v_refusal, ':', 2));
		RETURN;
	END IF;
	SELECT f.factor INTO v_factor FROM model_credit_factors f
	WHERE f.model = p_model;
	v_factor := coalesce(v_factor, p_factor);
	IF p_cost * v_factor > 1000000000000 THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field',
		    'estimated_cost', 'message', 'the estimate comes to more than '
		    '1,000,000,000,000 credits');
		RETURN;
	END IF;
	v_micro := ceil(p_cost * v_factor * 1000000);
	IF v_micro <= 0 THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field',
		    'estimated_cost', 'message', 'an estimate holds more than 0 credits');
		RETURN;
	END IF;
	v_digest := sha256(convert_to(concat_ws('|', v_user, p_team, p_org,
	    p_model, p_cost::text, p_ttl), 'UTF8'));
	SELECT * INTO per FROM cockpit_budget_period(p_account, clock_timestamp());

	INSERT INTO budget_reservations (account_id, user_id, team_id,
	    organisation_id, model, micro_credits, period_start, expires_at,
	    idempotency_key, request_digest, created_by)
	VALUES (p_account, v_user, p_team, p_org, p_model, v_micro,
	    per.period_start, clock_timestamp() + make_interval(secs => p_ttl),
	    p_key, v_digest, p_actor)
	ON CONFLICT (account_id, idempotency_key) DO NOTHING
	RETURNING * INTO v_res;
	IF v_res.id IS NULL THEN
		SELECT * INTO v_res FROM budget_reservations r
		WHERE r.account_id = p_account AND r.idempotency_key = p_key;
		IF v_res.request_digest = v_digest THEN
			status := 200;
			body := cockpit_reservation_json(v_res);
		ELSE
			status := 409;
			body := jsonb_build_object('code', 'idempotency_conflict',
			    'field', 'idempotency_key', 'message', 'this key was '
			    'used for another reservation: send a new key for a new '
			    'request');
		END IF;
		RETURN;
	END IF;

	FOR p IN SELECT * FROM cockpit_budget_path(p_account, v_user, p_team,
	    p_org) LOOP
		SELECT * INTO c FROM cockpit_pool_charge(p_account, p.pool_id,
		    p.scope_type, p.scope_id, per.period_start, per.period_end,
		    v_micro, false);
		-- Holds that have expired stop counting anyway; they leave the
		-- index here, under the pool's lock.
		UPDATE budget_holds h SET live = false
		WHERE h.pool_id = p.pool_id AND h.period_start = per.period_start
		    AND h.live AND h.expires_at <= clock_timestamp();
		INSERT INTO budget_holds (reservation_id, pool_id, account_id,
		    period_start, micro_credits, expires_at)
		VALUES (v_res.id, p.pool_id, p_account, per.period_start, v_micro,
		    v_res.expires_at);
	END LOOP;
	status := 201;
	body := cockpit_reservation_json(v_res);
END
$$;

-- Captures a reservation with the real cost: its holds end and the cost
-- is recorded as a usage (idempotency key p_key, else the reservation's
-- own). Answers (status, body): 200 the usage (the same again for a
-- capture retried), 404, 409 released or captured with another cost,
-- 410 expired, 422 as a usage; CB402 as a usage.
CREATE FUNCTION cockpit_reservation_capture(p_account uuid, p_id uuid,
    p_cost numeric, p_factor numeric, p_input bigint, p_output bigint,
    p_key text, p_actor text, OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	v_res budget_reservations;
	u record;
BEGIN
	SELECT * INTO v_res FROM budget_reservations r
	WHERE r.account_id = p_account AND r.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		status := 404;
		body := jsonb_build_object('code', 'not_found', 'message',
		    'no such reservation');
		RETURN;
	END IF;
	IF v_res.state = 'released' THEN
		status := 409;
		body := jsonb_build_object('code', 'reservation_released',
		    'message', 'this reservation was released: record the usage instead');
		RETURN;
	END IF;
	IF v_res.state = 'captured' THEN
		-- Captured before: the same capture again gets the same answer.
		SELECT x.idempotency_key INTO p_key FROM usage_records x
		WHERE x.id = v_res.usage_id;
	ELSIF v_res.expires_at <= clock_timestamp() THEN
		status := 410;
		body := jsonb_build_object('code', 'reservation_expired', 'message',
		    'this reservation has expired and holds nothing: record the usage instead');
		RETURN;
	END IF;
	SELECT * INTO u FROM cockpit_usage_record(p_account, v_res.user_id::text,
	    v_res.team_id, v_res.organisation_id, v_res.model, p_cost, p_factor,
	    p_input, p_output, coalesce(p_key, 'reservation:' || v_res.id),
	    v_res.id, p_actor);
	status := u.status;
	body := u.body;
	IF u.status = 200 AND v_res.state = 'held' THEN
		UPDATE budget_reservations SET state = 'captured',
		    usage_id = (u.body->>'id')::bigint, settled_at = clock_timestamp()
		WHERE id = v_res.id;
	END IF;
END
$$;

-- Releases a held reservation: its holds end. Answers the reservation
-- (200, also when already released or expired), 404, or 409 captured.
CREATE FUNCTION cockpit_reservation_release(p_account uuid, p_id uuid,
    OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	v_res budget_reservations;
BEGIN
	SELECT * INTO v_res FROM budget_reservations r
	WHERE r.account_id = p_account AND r.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		status := 404;
		body := jsonb_build_object('code', 'not_found', 'message',
		    'no such reservation');
		RETURN;
	END IF;
	IF v_res.state = 'captured' THEN
		status := 409;
		body := jsonb_build_object('code', 'reservation_captured',
		    'message', 'this reservation was captured');
		RETURN;
	END IF;
	IF v_res.state = 'held' THEN
		UPDATE budget_reservations SET state = 'released',
		    settled_at = clock_timestamp()
		WHERE id = v_res.id RETURNING * INTO v_res;
		UPDATE budget_holds SET live = false
		WHERE reservation_id = v_res.id AND live;
	END IF;
	status := 200;
	body := cockpit_reservation_json(v_res);
END
$$;

-- ---------------------------------------------------------------- pools
-- Allocations are limits carved out of their source. What a pool has
-- Unallocated in a period is what it has left less what its active
-- allocations can still spend: deleting an allocation gives its unspent
-- credits back, and a new one may take no more than that.

-- A scope's name: the organisation's or team's, the user's email, the
-- account's name.
CREATE FUNCTION cockpit_scope_name(p_type text, p_id uuid) RETURNS text
	LANGUAGE sql STABLE
	AS $$
	SELECT CASE p_type
	    WHEN 'organisation' THEN (SELECT name FROM organisations WHERE id = p_id)
	    WHEN 'team' THEN (SELECT name FROM teams WHERE id = p_id)
	    WHEN 'user' THEN (SELECT email FROM users WHERE id = p_id)
	    ELSE (SELECT name FROM accounts WHERE id = p_id) END
$$;

-- A pool's spend and live holds in a period.
CREATE FUNCTION cockpit_pool_use(p_pool uuid, p_start timestamptz,
    OUT spent bigint, OUT held bigint)
	LANGUAGE sql STABLE
	AS $$
	SELECT coalesce((SELECT spent_micro FROM pool_periods
	    WHERE pool_id = p_pool AND period_start = p_start), 0),
	    cockpit_pool_held(p_pool, p_start)
$$;

-- What a pool's active allocations can still spend in a period.
CREATE FUNCTION cockpit_pool_committed(p_pool uuid, p_start timestamptz)
	RETURNS bigint
	LANGUAGE sql STABLE
	AS $$
	SELECT coalesce(sum(greatest(c.micro_credits - u.spent - u.held, 0)), 0)::bigint
	FROM credit_pools c CROSS JOIN LATERAL cockpit_pool_use(c.id, p_start) u
	WHERE c.parent_id = p_pool AND c.active
$$;

-- A pool as the API writes it, in the period starting p_start.
CREATE FUNCTION cockpit_pool_json(p credit_pools, p_start timestamptz)
	RETURNS jsonb
	LANGUAGE sql STABLE
	AS $$
	SELECT jsonb_build_object('id', p.id,
	    'scope', cockpit_scope_json(p.scope_type, coalesce(p.scope_id,
	        p.account_id)) || jsonb_build_object('name',
	        cockpit_scope_name(p.scope_type, coalesce(p.scope_id,
	        p.account_id))),
	    'rule', p.rule, 'active', p.active,
	    'credits', cockpit_credits_text(p.micro_credits),
	    'allocated_from', (SELECT cockpit_scope_json(q.scope_type,
	        coalesce(q.scope_id, q.account_id)) FROM credit_pools q
	        WHERE q.id = p.parent_id),
	    'spent', cockpit_credits_text(u.spent),
	    'held', cockpit_credits_text(u.held),
	    'remaining', cockpit_credits_text(p.micro_credits - u.spent - u.held),
	    'unallocated', cockpit_credits_text(p.micro_credits - u.spent - u.held
	        - cockpit_pool_committed(p.id, p_start)),
	    'created_at', cockpit_ts(p.created_at),
	    'updated_at', cockpit_ts(p.updated_at))
	FROM cockpit_pool_use(p.id, p_start) u
$$;

-- An error answer of the pool functions.
CREATE FUNCTION cockpit_refusal(p_code text, p_field text, p_message text)
	RETURNS jsonb
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT jsonb_strip_nulls(jsonb_build_object('code', p_code,
	    'field', p_field, 'message', p_message)) $$;

-- The scope of the Copilot directory that p_ref (an id; for a user, an
-- id or an email) names, and a team's organisation; NULL when none.
CREATE FUNCTION cockpit_scope_find(p_account uuid, p_type text, p_ref text,
    OUT scope_id uuid, OUT organisation_id uuid)
	LANGUAGE plpgsql STABLE
	AS $$
BEGIN
	IF p_type = 'user' THEN
		scope_id := cockpit_copilot_user(p_account, p_ref);
		RETURN;
	END IF;
	IF p_ref IS NULL OR p_ref !~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
		RETURN;
	END IF;
	IF p_type = 'team' THEN
		SELECT t.id, t.organisation_id INTO scope_id, organisation_id
		FROM teams t WHERE t.account_id = p_account
		    AND t.domain = 'copilot' AND t.id = p_ref::uuid;
	ELSIF p_type = 'organisation' THEN
		SELECT o.id INTO scope_id FROM organisations o
		WHERE o.account_id = p_account AND o.domain = 'copilot'
		    AND o.id = p_ref::uuid;
	END IF;
END
$$;

-- Whether pool p_from may be the source of an allocation to a scope: the
-- account's pool always; an organisation's for its teams and its people;
-- a team's for its members.
CREATE FUNCTION cockpit_source_fits(p_account uuid, p_from credit_pools,
    p_type text, p_scope uuid, p_team_org uuid)
	RETURNS boolean
	LANGUAGE sql STABLE
	AS $$
	SELECT p_from.active AND CASE
	    WHEN p_from.scope_type = 'unallocated' THEN true
	    WHEN p_type = 'team' THEN p_from.scope_type = 'organisation'
	        AND p_from.scope_id = p_team_org
	    WHEN p_type <> 'user' THEN false
	    WHEN p_from.scope_type = 'team' THEN EXISTS (SELECT 1 FROM team_members m
	        WHERE m.account_id = p_account AND m.team_id = p_from.scope_id
	            AND m.user_id = p_scope)
	    ELSE EXISTS (SELECT 1 FROM organisations o WHERE o.id = p_from.scope_id
	            AND o.is_global)
	        OR EXISTS (SELECT 1 FROM organisation_members m
	            WHERE m.account_id = p_account
	                AND m.organisation_id = p_from.scope_id
	                AND m.user_id = p_scope)
	        OR EXISTS (SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id
	            WHERE m.account_id = p_account AND m.user_id = p_scope
	                AND t.organisation_id = p_from.scope_id) END
$$;

-- Sets the credits per period of an allocation (p_rule 'allocation') or a
-- User Override (p_rule 'override'; p_type 'user'), making it when there
-- is none. Its source: p_from_type/p_from_ref when given, else the one it
-- has, else the team's organisation's pool when it has one, else the
-- account's. Answers (status, body): 201 made, 200 changed, with the
-- pool; 409 insufficient_unallocated, allocations_exceed, below_spend or
-- override_set; 422 invalid_field.
CREATE FUNCTION cockpit_allocation_set(p_account uuid, p_type text,
    p_ref text, p_micro bigint, p_from_type text, p_from_ref text,
    p_rule text, p_actor text, p_role text, p_request text,
    OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	sc record;
	fr record;
	old credit_pools;
	par credit_pools;
	cur credit_pools;
	per record;
	u record;
	v_free bigint;
	v_committed bigint;
BEGIN
	SELECT * INTO sc FROM cockpit_scope_find(p_account, p_type, p_ref);
	IF sc.scope_id IS NULL THEN
		status := 422;
		body := cockpit_refusal('invalid_field', 'scope', format(
		    'no %s of the account''s Copilot directory is %s', p_type,
		    p_ref));
		RETURN;
	END IF;
	SELECT * INTO per FROM cockpit_budget_period(p_account, clock_timestamp());
	SELECT * INTO old FROM credit_pools WHERE account_id = p_account
	    AND scope_type = p_type AND scope_id = sc.scope_id FOR NO KEY UPDATE;
	IF old.active AND old.rule = 'override' AND p_rule = 'allocation' THEN
		status := 409;
		body := cockpit_refusal('override_set', 'scope', 'this user has a '
		    'User Override: change it, or delete it first');
		RETURN;
	END IF;

	-- The source.
	IF p_from_type IS NOT NULL THEN
		IF p_from_type = 'account' THEN
			SELECT * INTO par FROM credit_pools WHERE account_id = p_account
			    AND scope_type = 'unallocated';
		ELSE
			SELECT * INTO fr FROM cockpit_scope_find(p_account, p_from_type,
			    p_from_ref);
			SELECT * INTO par FROM credit_pools WHERE account_id = p_account
			    AND scope_type = p_from_type AND scope_id = fr.scope_id
			    AND active;
		END IF;
		IF par.id IS NULL OR NOT cockpit_source_fits(p_account, par, p_type,
		    sc.scope_id, sc.organisation_id) THEN
			status := 422;
			body := cockpit_refusal('invalid_field', 'from', 'the source '
			    'must be the account, or an allocated organisation or team '
			    'that contains the scope');
			RETURN;
		END IF;
	ELSIF old.active THEN
		SELECT * INTO par FROM credit_pools WHERE id = old.parent_id;
	ELSE
		SELECT * INTO par FROM credit_pools WHERE account_id = p_account
		    AND active AND ((p_type = 'team' AND scope_type = 'organisation'
		        AND scope_id = sc.organisation_id)
		    OR scope_type = 'unallocated')
		ORDER BY scope_type = 'unallocated' LIMIT 1;
	END IF;
	PERFORM 1 FROM credit_pools WHERE id = par.id FOR NO KEY UPDATE;

	-- The pool's own period row, locked: its spend cannot move under us.
	IF old.id IS NOT NULL THEN
		INSERT INTO pool_periods AS pp (account_id, pool_id, period_start,
		    period_end)
		VALUES (p_account, old.id, per.period_start, per.period_end)
		ON CONFLICT (pool_id, period_start) DO UPDATE
		SET spent_micro = pp.spent_micro;
		SELECT * INTO u FROM cockpit_pool_use(old.id, per.period_start);
		v_committed := cockpit_pool_committed(old.id, per.period_start);
	ELSE
		-- A new pool: nothing spent, nothing held.
		SELECT * INTO u FROM cockpit_pool_use(NULL, per.period_start);
		v_committed := 0;
	END IF;
	IF p_micro < u.spent + u.held THEN
		status := 409;
		body := cockpit_refusal('below_spend', 'credits', format('%s '
		    'credits have been spent or are held this period: the credits '
		    'cannot be fewer', cockpit_credits_text(u.spent + u.held)));
		RETURN;
	END IF;
	IF p_micro - u.spent - u.held < v_committed THEN
		status := 409;
		body := cockpit_refusal('allocations_exceed', 'credits', format(
		    'its own allocations can still spend %s credits: lower or '
		    'delete them first', cockpit_credits_text(v_committed)));
		RETURN;
	END IF;
	-- What the source can give: its Unallocated, plus what this pool
	-- already has from it.
	SELECT * INTO fr FROM cockpit_pool_use(par.id, per.period_start);
	v_free := par.micro_credits - fr.spent - fr.held
	    - cockpit_pool_committed(par.id, per.period_start);
	IF old.active AND old.parent_id = par.id THEN
		v_free := v_free + greatest(old.micro_credits - u.spent - u.held, 0);
	END IF;
	IF p_micro - u.spent - u.held > v_free THEN
		status := 409;
		body := cockpit_refusal('insufficient_unallocated', 'credits',
		    format('the source has %s credits unallocated',
		    cockpit_credits_text(greatest(v_free, 0))));
		RETURN;
	END IF;

	IF old.id IS NULL THEN
		INSERT INTO credit_pools (account_id, scope_type, scope_id,
		    micro_credits, parent_id, rule)
		VALUES (p_account, p_type, sc.scope_id, p_micro, par.id, p_rule)
		RETURNING * INTO cur;
		status := 201;
	ELSE
		UPDATE credit_pools SET micro_credits = p_micro, parent_id = par.id,
		    rule = p_rule, active = true, updated_at = clock_timestamp()
		WHERE id = old.id RETURNING * INTO cur;
		status := CASE WHEN old.active THEN 200 ELSE 201 END;
	END IF;
	PERFORM cockpit_audit(p_account, p_actor, p_role, CASE p_rule
	    WHEN 'override' THEN 'budget.override.set'
	    ELSE 'budget.allocation.set' END, 'credit_pool', cur.id::text,
	    p_request, CASE WHEN old.active THEN
	    sha256(convert_to(row_to_json(old)::text, 'UTF8')) END,
	    sha256(convert_to(row_to_json(cur)::text, 'UTF8')));
	body := cockpit_pool_json(cur, per.period_start);
END
$$;

-- Deletes the allocation of a scope (p_rule NULL: whatever its rule;
-- 'override': only a User Override): its pool ends, its unspent credits
-- go back to its source. Answers (status, body): 200 {"deleted": the
-- pool, "returned": credits}; 404; 409 has_allocations.
CREATE FUNCTION cockpit_allocation_delete(p_account uuid, p_type text,
    p_ref text, p_rule text, p_actor text, p_role text, p_request text,
    OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	sc record;
	old credit_pools;
	cur credit_pools;
	per record;
	u record;
	n bigint;
BEGIN
	SELECT * INTO sc FROM cockpit_scope_find(p_account, p_type, p_ref);
	IF sc.scope_id IS NULL AND p_type = 'user' AND p_ref ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
		-- A user no longer active may still have an allocation to end.
		sc.scope_id := p_ref::uuid;
	END IF;
	SELECT * INTO old FROM credit_pools WHERE account_id = p_account
	    AND scope_type = p_type AND scope_id = sc.scope_id AND active
	    AND (p_rule IS NULL OR rule = p_rule)
	FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		status := 404;
		body := cockpit_refusal('not_found', NULL, CASE p_rule
		    WHEN 'override' THEN 'this user has no User Override'
		    ELSE 'this scope has no allocation' END);
		RETURN;
	END IF;
	SELECT count(*) INTO n FROM credit_pools WHERE parent_id = old.id AND active;
	IF n > 0 THEN
		status := 409;
		body := cockpit_refusal('has_allocations', NULL, format('%s '
		    'allocations are made from it: move or delete them first', n));
		RETURN;
	END IF;
	SELECT * INTO per FROM cockpit_budget_period(p_account, clock_timestamp());
	UPDATE credit_pools SET active = false, updated_at = clock_timestamp()
	WHERE id = old.id RETURNING * INTO cur;
	SELECT * INTO u FROM cockpit_pool_use(old.id, per.period_start);
	PERFORM cockpit_audit(p_account, p_actor, p_role, CASE old.rule
	    WHEN 'override' THEN 'budget.override.delete'
	    ELSE 'budget.allocation.delete' END, 'credit_pool', old.id::text,
	    p_request, sha256(convert_to(row_to_json(old)::text, 'UTF8')), NULL);
	status := 200;
	body := jsonb_build_object('deleted', cockpit_pool_json(cur,
	    per.period_start), 'returned', cockpit_credits_text(greatest(
	    old.micro_credits - u.spent - u.held, 0)));
END
$$;

-- Sets an account's credits per period (the super admin's account
-- allocation) with a grant of the difference. Answers (status, body): 200
-- the account allocation; 404; 409 below_spend or allocations_exceed.
CREATE FUNCTION cockpit_account_allocation_set(p_account uuid,
    p_micro bigint, p_reason text, p_actor text, p_role text,
    p_request text, OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	p credit_pools;
	per record;
	u record;
	v_committed bigint;
	v_grant bigint;
BEGIN
	SELECT * INTO p FROM credit_pools WHERE account_id = p_account
	    AND scope_type = 'unallocated' FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		status := 404;
		body := cockpit_refusal('not_found', 'account_id', 'no such account');
		RETURN;
	END IF;
	SELECT * INTO per FROM cockpit_budget_period(p_account, clock_timestamp());
	INSERT INTO pool_periods AS pp (account_id, pool_id, period_start,
	    period_end)
	VALUES (p_account, p.id, per.period_start, per.period_end)
	ON CONFLICT (pool_id, period_start) DO UPDATE
	SET spent_micro = pp.spent_micro;
	SELECT * INTO u FROM cockpit_pool_use(p.id, per.period_start);
	v_committed := cockpit_pool_committed(p.id, per.period_start);
	IF p_micro < u.spent + u.held THEN
		status := 409;
		body := cockpit_refusal('below_spend', 'credits', format('the '
		    'account has spent or holds %s credits this period',
		    cockpit_credits_text(u.spent + u.held)));
		RETURN;
	END IF;
	IF p_micro - u.spent - u.held < v_committed THEN
		status := 409;
		body := cockpit_refusal('allocations_exceed', 'credits', format(
		    'its allocations can still spend %s credits: lower or delete '
		    'them first', cockpit_credits_text(v_committed)));
		RETURN;
	END IF;
	v_grant := p_micro - p.micro_credits;
	IF v_grant <> 0 THEN
		INSERT INTO credit_grants (account_id, pool_id, micro_credits,
		    reason, granted_by, request_id)
		VALUES (p_account, p.id, v_grant, coalesce(p_reason, ''), p_actor,
		    p_request);
		PERFORM cockpit_audit(p_account, p_actor, p_role,
		    'budget.account_allocation.set', 'account', p_account::text,
		    p_request, sha256(convert_to(p.micro_credits::text, 'UTF8')),
		    sha256(convert_to(p_micro::text, 'UTF8')));
	END IF;
	status := 200;
	body := NULL;
END
$$;

-- Splits p_micro equally over the active users of a scope (the account,
-- an organisation or a team; the users with a User Override are left
-- alone): each gets an allocation of the whole micro-credits p_micro / n
-- from the scope's pool, and the remainder stays unallocated. With
-- p_dry_run nothing changes. Answers (status, body): 200 {"each", "users",
-- "remainder", "skipped_overrides", "dry_run"}; 409 as an allocation (the
-- first refused user named); 422.
CREATE FUNCTION cockpit_distribute_equal(p_account uuid, p_type text,
    p_ref text, p_micro bigint, p_dry_run boolean, p_actor text,
    p_role text, p_request text, OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	AS $$
DECLARE
	sc record;
	v_users uuid[];
	v_skipped bigint;
	v_each bigint;
	v_from_ref text;
	x uuid;
	r record;
BEGIN
	IF p_type = 'account' THEN
		v_from_ref := NULL;
	ELSE
		SELECT * INTO sc FROM cockpit_scope_find(p_account, p_type, p_ref);
		IF sc.scope_id IS NULL THEN
			status := 422;
			body := cockpit_refusal('invalid_field', 'scope', format(
			    'no %s of the account''s Copilot directory is %s', p_type,
			    p_ref));
			RETURN;
		END IF;
		v_from_ref := sc.scope_id::text;
		IF NOT EXISTS (SELECT 1 FROM credit_pools WHERE account_id = p_account
		    AND scope_type = p_type AND scope_id = sc.scope_id AND active) THEN
			status := 409;
			body := cockpit_refusal('not_allocated', 'scope', format('the %s '
			    'has no allocation to distribute from: allocate to it first',
			    p_type));
			RETURN;
		END IF;
	END IF;
	SELECT array_agg(u.id ORDER BY u.id) FILTER (WHERE o.id IS NULL),
	    count(o.id)
	INTO v_users, v_skipped
	FROM users u JOIN domain_users d ON d.account_id = u.account_id
	    AND d.user_id = u.id AND d.domain = 'copilot' AND d.status = 'active'
	LEFT JOIN credit_pools o ON o.account_id = u.account_id
	    AND o.scope_type = 'user' AND o.scope_id = u.id AND o.active
	    AND o.rule = 'override'
	WHERE u.account_id = p_account AND u.status = 'active' AND (
	    p_type = 'account'
	    OR (p_type = 'team' AND EXISTS (SELECT 1 FROM team_members m
	        WHERE m.account_id = p_account AND m.team_id = sc.scope_id
	            AND m.user_id = u.id))
	    OR (p_type = 'organisation' AND (
	        EXISTS (SELECT 1 FROM organisations g WHERE g.id = sc.scope_id
	            AND g.is_global)
	        OR EXISTS (SELECT 1 FROM organisation_members m
	            WHERE m.account_id = p_account
	                AND m.organisation_id = sc.scope_id AND m.user_id = u.id)
	        OR EXISTS (SELECT 1 FROM team_members m JOIN teams t
	            ON t.id = m.team_id WHERE m.account_id = p_account
	                AND m.user_id = u.id
	                AND t.organisation_id = sc.scope_id))));
	IF coalesce(cardinality(v_users), 0) = 0 THEN
		status := 422;
		body := cockpit_refusal('invalid_field', 'scope', 'the scope has '
		    'no active users without a User Override');
		RETURN;
	END IF;
	v_each := p_micro / cardinality(v_users);
	body := jsonb_build_object('each', cockpit_credits_text(v_each),
	    'users', cardinality(v_users),
	    'remainder', cockpit_credits_text(p_micro - v_each * cardinality(v_users)),
	    'skipped_overrides', v_skipped, 'dry_run', p_dry_run);
	FOREACH x IN ARRAY v_users LOOP
		SELECT * INTO r FROM cockpit_allocation_set(p_account, 'user',
		    x::text, v_each, p_type, v_from_ref, 'allocation', p_actor,
		    p_role, p_request);
		IF r.status >= 400 THEN
			-- Nothing of it stays: the caller rolls back.
			status := r.status;
			body := r.body || jsonb_build_object('message', format(
			    'user %s: %s', cockpit_scope_name('user', x),
			    r.body->>'message'));
			RETURN;
		END IF;
	END LOOP;
	status := 200;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON model_credit_factors TO cockpit_service;
GRANT SELECT, INSERT, UPDATE ON budget_plans, pool_periods, usage_records,
	budget_reservations, budget_holds, budget_alerts TO cockpit_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_webhooks TO cockpit_service;
GRANT UPDATE ON credit_pools TO cockpit_service;
