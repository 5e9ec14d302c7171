-- 0009_budget_escrow: a pool's spend kept in slots, so that the records of
-- one account do not wait for each other.
--
-- Every usage record debits its account's Unallocated pool, and most debit
-- a team's or an organisation's too. With one row per pool and period
-- (0007), each record waited for the one before it to commit, its WAL
-- flushed, while that one held the row: an account recorded one usage at
-- a time. The spend is now kept in escrow slots (P. O'Neil, "The Escrow
-- Transactional Method", 1986):
--
-- - A pool's period has eight slots. A session debits its own slot (its
--   backend's pid modulo 8), so that concurrent records mostly lock
--   different rows, and commit together.
-- - Each slot has a quota, the credits it may spend without looking at
--   the others: spent_micro <= quota_micro. The quotas of a pool's slots
--   and its live holds together never exceed its credits, so neither does
--   its spend.
-- - A debit that fits its slot's quota locks that slot only. One that does
--   not locks all eight, in slot order, and decides with the pool's exact
--   spend and holds: it is refused only when the pool as a whole has not
--   the credits left (so exactly when 0007 refused), else its slot is
--   given what it needs and a sixteenth of what is left unassigned, the
--   other slots' unspent quota taken back first when that is needed.
-- - Alerts stay exact: slots are never given credits past the pool's next
--   alert threshold, so the debit that crosses one always takes the slow
--   way, which sees the whole spend.
-- - A hold (a reservation) always takes the slow way.
-- - Lowering a pool's credits, or changing an account's Budget Plan, takes
--   back every slot's unspent quota in the current period.
--
-- pool_periods becomes a view: a pool's spend per period, the sum of its
-- slots. A debit's answer reports the pool's spend as the recording
-- session sees it: records committing at the same moment are not in it.
--
-- Also on the usage path: a user is looked up in one query, and a ledger
-- row no longer checks its account's row (its pool's key names the
-- account). And a user's pool is named as the reports name the user: its
-- display name, else its email.

CREATE TABLE pool_slots (
	account_id    uuid        NOT NULL,
	pool_id       uuid        NOT NULL,
	period_start  timestamptz NOT NULL,
	slot          smallint    NOT NULL CHECK (slot BETWEEN 0 AND 7),
	period_end    timestamptz NOT NULL,
	quota_micro   bigint      NOT NULL DEFAULT 0,
	spent_micro   bigint      NOT NULL DEFAULT 0,
	PRIMARY KEY (pool_id, period_start, slot),
	CHECK (spent_micro >= 0 AND spent_micro <= quota_micro),
	FOREIGN KEY (account_id, pool_id) REFERENCES credit_pools (account_id, id)
		ON DELETE CASCADE
);
CREATE INDEX pool_slots_account ON pool_slots (account_id, period_start);
ALTER TABLE pool_slots ENABLE ROW LEVEL SECURITY;
ALTER TABLE pool_slots FORCE ROW LEVEL SECURITY;
CREATE POLICY pool_slots_tenant ON pool_slots
	USING (cockpit_platform() OR account_id = cockpit_account_id())
	WITH CHECK (cockpit_platform() OR account_id = cockpit_account_id());

-- What was spent so far stays spent, in slot 0.
INSERT INTO pool_slots (account_id, pool_id, period_start, slot, period_end,
    quota_micro, spent_micro)
SELECT account_id, pool_id, period_start, 0, period_end, spent_micro,
    spent_micro
FROM pool_periods;
DROP TABLE pool_periods;

CREATE VIEW pool_periods WITH (security_invoker = true) AS
	SELECT account_id, pool_id, period_start, max(period_end) AS period_end,
	    sum(spent_micro)::bigint AS spent_micro
	FROM pool_slots
	GROUP BY account_id, pool_id, period_start;

-- Takes back the unspent quota of a pool's slots in a period.
CREATE FUNCTION cockpit_pool_reclaim(p_pool uuid, p_start timestamptz)
	RETURNS void
	LANGUAGE sql VOLATILE
	AS $$
	UPDATE pool_slots SET quota_micro = spent_micro
	WHERE pool_id = p_pool AND period_start = p_start
	    AND quota_micro > spent_micro
$$;

-- Locks every slot of a pool's period, in slot order, making those
-- missing. Returns the pool's spend and its slots' quotas in the period.
CREATE FUNCTION cockpit_pool_lock(p_account uuid, p_pool uuid,
    p_start timestamptz, p_end timestamptz, OUT spent bigint,
    OUT quota bigint)
	LANGUAGE plpgsql VOLATILE
	SET plan_cache_mode = force_generic_plan
	AS $$
BEGIN
	IF (SELECT count(*) FROM pool_slots s WHERE s.pool_id = p_pool
	    AND s.period_start = p_start) < 8 THEN
		INSERT INTO pool_slots (account_id, pool_id, period_start, slot,
		    period_end)
		SELECT p_account, p_pool, p_start, g, p_end
		FROM generate_series(0, 7) g
		ON CONFLICT DO NOTHING;
	END IF;
	SELECT sum(x.spent_micro)::bigint, sum(x.quota_micro)::bigint
	INTO spent, quota
	FROM (SELECT s.spent_micro, s.quota_micro FROM pool_slots s
	    WHERE s.pool_id = p_pool AND s.period_start = p_start
	    ORDER BY s.slot FOR UPDATE) x;
END
$$;

-- Charges one pool's period with p_need (a debit when p_spend, else a
-- hold) the slow way, all its slots locked, refusing (CB402) when the pool
-- has not the credits left. Returns the pool's spend before and after,
-- its live holds and its credits. (cockpit_usage_record tries its
-- session's slot first.)
CREATE OR REPLACE FUNCTION cockpit_pool_charge(p_account uuid, p_pool uuid,
    p_scope_type text, p_scope_id uuid, p_start timestamptz,
    p_end timestamptz, p_need bigint, p_spend boolean,
    OUT spent_before bigint, OUT spent_after bigint, OUT held bigint,
    OUT credit_limit bigint)
	LANGUAGE plpgsql VOLATILE
	SET plan_cache_mode = force_generic_plan
	AS $$
DECLARE
	v_slot smallint := pg_backend_pid() % 8;
	v_spent bigint;
	v_quota bigint;
	v_mine pool_slots;
	v_want bigint;
	v_free bigint;
	v_give bigint;
	v_level numeric;
BEGIN
	-- The whole pool, locked: what follows is exact.
	SELECT * INTO v_spent, v_quota FROM cockpit_pool_lock(p_account, p_pool,
	    p_start, p_end);
	SELECT c.micro_credits INTO credit_limit FROM credit_pools c
	WHERE c.id = p_pool;
	held := cockpit_pool_held(p_pool, p_start);
	spent_before := v_spent;
	IF v_spent + held + p_need > credit_limit THEN
		PERFORM cockpit_budget_refuse(p_scope_type, p_scope_id,
		    credit_limit - v_spent - held, p_need);
	END IF;
	IF NOT p_spend THEN
		-- The hold must fit beside the slots' quotas.
		spent_after := v_spent;
		IF v_quota + held + p_need > credit_limit THEN
			PERFORM cockpit_pool_reclaim(p_pool, p_start);
		END IF;
		RETURN;
	END IF;

	spent_after := v_spent + p_need;
	SELECT * INTO v_mine FROM pool_slots s
	WHERE s.pool_id = p_pool AND s.period_start = p_start
	    AND s.slot = v_slot;
	v_want := greatest(v_mine.spent_micro + p_need - v_mine.quota_micro, 0);
	v_free := credit_limit - held - v_quota;
	-- The next alert threshold above the spend: the slots' quotas stay
	-- below it.
	SELECT min(ceil(t::numeric * credit_limit / 100)) INTO v_level
	FROM unnest((SELECT b.thresholds FROM cockpit_budget_period(p_account,
	    clock_timestamp()) b)) t
	WHERE ceil(t::numeric * credit_limit / 100) > spent_after;
	IF v_free < v_want OR v_quota + v_want > v_level - 1 THEN
		PERFORM cockpit_pool_reclaim(p_pool, p_start);
		v_quota := v_spent;
		v_want := p_need;
		v_free := credit_limit - held - v_spent;
	END IF;
	v_give := (v_free - v_want) / 16;
	IF v_level IS NOT NULL THEN
		v_give := least(v_give, v_level - 1 - v_quota - v_want);
	END IF;
	UPDATE pool_slots s SET spent_micro = s.spent_micro + p_need,
	    quota_micro = s.quota_micro + v_want + greatest(v_give, 0)
	WHERE s.pool_id = p_pool AND s.period_start = p_start
	    AND s.slot = v_slot;
END
$$;

-- Fewer credits for a pool: its slots give back their unspent quota in the
-- current period (whoever lowered them checked the spend and holds fit).
CREATE FUNCTION cockpit_pool_lowered() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	UPDATE pool_slots SET quota_micro = spent_micro
	WHERE pool_id = NEW.id AND period_end > clock_timestamp()
	    AND quota_micro > spent_micro;
	RETURN NULL;
END
$$;
CREATE TRIGGER credit_pools_lowered AFTER UPDATE OF micro_credits
	ON credit_pools FOR EACH ROW
	WHEN (NEW.micro_credits < OLD.micro_credits)
	EXECUTE FUNCTION cockpit_pool_lowered();

-- A Budget Plan made or changed (its thresholds may be new): every slot
-- of the account gives back its unspent quota in the current period. The
-- slots are locked in the order the debits lock them (users, teams,
-- organisations, the account; by pool, by slot).
CREATE FUNCTION cockpit_plan_changed() RETURNS trigger
	LANGUAGE plpgsql VOLATILE
	AS $$
BEGIN
	PERFORM 1 FROM pool_slots s JOIN credit_pools p ON p.id = s.pool_id
	WHERE s.account_id = NEW.account_id
	    AND s.period_end > clock_timestamp()
	    AND s.quota_micro > s.spent_micro
	ORDER BY cockpit_pool_depth(p.scope_type), p.id, s.slot
	FOR UPDATE OF s;
	UPDATE pool_slots SET quota_micro = spent_micro
	WHERE account_id = NEW.account_id AND period_end > clock_timestamp()
	    AND quota_micro > spent_micro;
	RETURN NULL;
END
$$;
CREATE TRIGGER budget_plans_changed AFTER INSERT OR UPDATE ON budget_plans
	FOR EACH ROW EXECUTE FUNCTION cockpit_plan_changed();

-- The two functions that lock a pool's period before changing its
-- credits, as in 0007, locking its slots instead.
CREATE OR REPLACE FUNCTION cockpit_allocation_set(p_account uuid, p_type text,
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

	-- The pool's own period rows, locked: its spend cannot move under us.
	IF old.id IS NOT NULL THEN
		PERFORM cockpit_pool_lock(p_account, old.id, per.period_start,
		    per.period_end);
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

CREATE OR REPLACE FUNCTION cockpit_account_allocation_set(p_account uuid,
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
	PERFORM cockpit_pool_lock(p_account, p.id, per.period_start,
	    per.period_end);
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

-- The user named by p_user_ref (an id or an email), active in the
-- Copilot directory of p_account, as in 0007, in one query; NULL when
-- there is none.
CREATE OR REPLACE FUNCTION cockpit_copilot_user(p_account uuid,
    p_user_ref text)
	RETURNS uuid
	LANGUAGE plpgsql STABLE
	SET plan_cache_mode = force_generic_plan
	AS $$
BEGIN
	IF p_user_ref ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' THEN
		RETURN (SELECT u.id FROM users u JOIN domain_users d
		    ON d.account_id = u.account_id AND d.user_id = u.id
		        AND d.domain = 'copilot' AND d.status = 'active'
		    WHERE u.account_id = p_account AND u.id = p_user_ref::uuid
		        AND u.status = 'active');
	END IF;
	RETURN (SELECT u.id FROM users u JOIN domain_users d
	    ON d.account_id = u.account_id AND d.user_id = u.id
	        AND d.domain = 'copilot' AND d.status = 'active'
	    WHERE u.account_id = p_account AND u.email_lower = lower(p_user_ref)
	        AND u.status = 'active');
END
$$;

-- A scope's name as every answer gives it: a user's is its display name,
-- else its email (0007 gave pools the email, the reports the display name).
CREATE OR REPLACE FUNCTION cockpit_scope_name(p_type text, p_id uuid)
	RETURNS text
	LANGUAGE sql STABLE
	AS $$
	SELECT CASE p_type
	    WHEN 'organisation' THEN (SELECT name FROM organisations WHERE id = p_id)
	    WHEN 'team' THEN (SELECT name FROM teams WHERE id = p_id)
	    WHEN 'user' THEN (SELECT coalesce(display_name, email) FROM users
	        WHERE id = p_id)
	    ELSE (SELECT name FROM accounts WHERE id = p_id) END
$$;

-- A ledger row's pool is of its account (the pool's key holds both), so
-- the row's own reference to the account only made every debit check
-- the account's row once more.
ALTER TABLE credit_ledger DROP CONSTRAINT credit_ledger_account_id_fkey;

-- Records one usage, as in 0007: each pool is debited in the session's
-- slot when it can be, else the slow way (cockpit_pool_charge).
CREATE OR REPLACE FUNCTION cockpit_usage_record(p_account uuid, p_user_ref text,
    p_team uuid, p_org uuid, p_model text, p_cost numeric, p_factor numeric,
    p_input bigint, p_output bigint, p_key text, p_reservation uuid,
    p_actor text, OUT status int, OUT body jsonb)
	LANGUAGE plpgsql VOLATILE
	SET plan_cache_mode = force_generic_plan
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
	v_slot smallint := pg_backend_pid() % 8;
	v_fast boolean;
	v_limit bigint;
	v_spent bigint;
	v_held bigint;
BEGIN
	v_user := cockpit_copilot_user(p_account, p_user_ref);
	IF v_user IS NULL THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field', 'user',
		    'message', 'no active user of the Copilot directory has this id or email');
		RETURN;
	END IF;
	IF p_team IS NOT NULL OR p_org IS NOT NULL THEN
		v_refusal := cockpit_context_refusal(p_account, v_user, p_team,
		    p_org);
	END IF;
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
		-- The fast way: this session's slot has the credits, and no
		-- threshold is crossed. The spend reported is the pool's as this
		-- session sees it, with this debit. It runs in a subtransaction:
		-- a slot found short after waiting for another record keeps the
		-- lock READ COMMITTED's recheck took, which must not be held
		-- ahead of the slow way's slot order (a deadlock); CB001 undoes it.
		v_fast := true;
		BEGIN
			UPDATE pool_slots s SET spent_micro = s.spent_micro + v_micro
			WHERE s.pool_id = v_pools[i]
			    AND s.period_start = per.period_start
			    AND s.slot = v_slot
			    AND s.spent_micro + v_micro <= s.quota_micro
			RETURNING (SELECT p.micro_credits FROM credit_pools p
			        WHERE p.id = s.pool_id),
			    (SELECT sum(t.spent_micro) FROM pool_slots t
			        WHERE t.pool_id = s.pool_id
			            AND t.period_start = s.period_start)::bigint
			        + v_micro,
			    cockpit_pool_held(s.pool_id, s.period_start)
			INTO v_limit, v_spent, v_held;
			IF NOT FOUND THEN
				RAISE SQLSTATE 'CB001';
			END IF;
		EXCEPTION WHEN SQLSTATE 'CB001' THEN
			v_fast := false;
		END;
		IF NOT v_fast THEN
			SELECT * INTO c FROM cockpit_pool_charge(p_account, v_pools[i],
			    v_types[i], v_ids[i], per.period_start, per.period_end,
			    v_micro, true);
			IF c.spent_after > c.spent_before THEN
				PERFORM cockpit_budget_alerts(p_account, v_pools[i],
				    v_types[i], v_ids[i], per.period_start,
				    per.period_end, per.thresholds, c.credit_limit,
				    c.spent_before, c.spent_after);
			END IF;
			v_limit := c.credit_limit;
			v_spent := c.spent_after;
			v_held := c.held;
		END IF;
		v_scopes := v_scopes || jsonb_build_object(
		    'scope', cockpit_scope_json(v_types[i], v_ids[i]),
		    'rule', v_rules[i],
		    'limit', cockpit_credits_text(v_limit),
		    'spent', cockpit_credits_text(v_spent),
		    'held', cockpit_credits_text(v_held),
		    'remaining', cockpit_credits_text(v_limit - v_spent - v_held));
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

GRANT SELECT, INSERT, UPDATE ON pool_slots TO cockpit_service;
GRANT SELECT ON pool_periods TO cockpit_service;
