-- 0010_usage_record_lean: a usage record does less work.
--
-- Counted with callgrind on one backend (instructions per record, which
-- repeat from run to run where seconds do not), 0009's record spent:
--
-- - 13% writing its answer into its own row, after the debits, with a
--   second statement (an UPDATE that checked the row's constraints again);
-- - 17% reading each debited pool's credits, spend and holds, in three
--   subqueries per pool;
-- - 6% decoding usage_records' seven CHECK constraints, which PostgreSQL
--   reads back from their stored text for every statement writing the
--   table.
--
-- Now:
--
-- - A record looks for its idempotency key first, and its row is written
--   once, last, with its answer and its ledger rows, in one statement. Two
--   requests with one key that both passed that look: the second's insert
--   waits for the first to commit, finds the key taken, and fails its
--   transaction with serialization_failure (40001), undoing its debits;
--   the programs run such a transaction again (lib/sql.c), and the second
--   run finds the first's answer.
-- - The pools' credits, spend and holds are read with the path, in one
--   statement. A fast debit reports the spend as that statement saw it,
--   with this record's own debit; the slow way reports the exact spend, as
--   in 0009.
-- - The checks of usage_records become domains: PostgreSQL keeps a
--   domain's check decoded for the session.
-- - cockpit_scope_json is STABLE, as jsonb_build_object is: declared
--   IMMUTABLE, it could not be inlined, and was planned on every call.

CREATE DOMAIN cockpit_label AS text
	CHECK (length(VALUE) BETWEEN 1 AND 200);
CREATE DOMAIN cockpit_count AS bigint CHECK (VALUE >= 0);
CREATE DOMAIN cockpit_cost AS numeric CHECK (VALUE >= 0);
CREATE DOMAIN cockpit_factor AS numeric CHECK (VALUE > 0);

ALTER TABLE usage_records
	DROP CONSTRAINT usage_records_model_check,
	DROP CONSTRAINT usage_records_cost_check,
	DROP CONSTRAINT usage_records_credits_factor_check,
	DROP CONSTRAINT usage_records_micro_credits_check,
	DROP CONSTRAINT usage_records_input_tokens_check,
	DROP CONSTRAINT usage_records_output_tokens_check,
	DROP CONSTRAINT usage_records_idempotency_key_check,
	ALTER COLUMN model TYPE cockpit_label,
	ALTER COLUMN cost TYPE cockpit_cost,
	ALTER COLUMN credits_factor TYPE cockpit_factor,
	ALTER COLUMN micro_credits TYPE cockpit_count,
	ALTER COLUMN input_tokens TYPE cockpit_count,
	ALTER COLUMN output_tokens TYPE cockpit_count,
	ALTER COLUMN idempotency_key TYPE cockpit_label;

ALTER FUNCTION cockpit_scope_json(text, uuid) STABLE;

-- A record takes its id before its row is written: its answer names it.
GRANT USAGE ON SEQUENCE usage_records_id_seq TO cockpit_service;

-- Records one usage: see the top of this file, and of 0009 for the slots.
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
	v_prev_digest bytea;
	v_prev_answer jsonb;
	v_start timestamptz;
	v_end timestamptz;
	v_thresholds smallint[];
	p record;
	c record;
	v_pools uuid[] := '{}';
	v_scopes jsonb := '[]';
	v_slot smallint := pg_backend_pid() % 8;
	v_fast boolean;
	v_limit bigint;
	v_now_spent bigint;
	v_now_held bigint;
	v_written int;
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
	SELECT b.period_start, b.period_end, b.thresholds,
	    coalesce(f.factor, p_factor)
	INTO v_start, v_end, v_thresholds, v_factor
	FROM cockpit_budget_period(p_account, clock_timestamp()) b
	LEFT JOIN model_credit_factors f ON f.model = p_model;
	IF p_cost * v_factor > 1000000000000 THEN
		status := 422;
		body := jsonb_build_object('code', 'invalid_field', 'field', 'cost',
		    'message', 'the cost comes to more than 1,000,000,000,000 credits');
		RETURN;
	END IF;
	v_micro := ceil(p_cost * v_factor * 1000000);
	v_digest := sha256(convert_to(concat_ws('|', v_user, p_team, p_org,
	    p_model, p_cost::text, p_input, p_output, p_reservation), 'UTF8'));

	SELECT u.request_digest, u.answer INTO v_prev_digest, v_prev_answer
	FROM usage_records u
	WHERE u.account_id = p_account AND u.idempotency_key = p_key;
	IF FOUND THEN
		IF v_prev_digest = v_digest THEN
			status := 200;
			body := v_prev_answer;
		ELSE
			status := 409;
			body := jsonb_build_object('code', 'idempotency_conflict',
			    'field', 'idempotency_key', 'message', 'this key was '
			    'used for another usage: send a new key for a new request');
		END IF;
		RETURN;
	END IF;

	IF p_reservation IS NOT NULL THEN
		UPDATE budget_holds SET live = false
		WHERE reservation_id = p_reservation AND live;
	END IF;
	-- The pools on the user's path, each with its credits, spend and live
	-- holds, debited in the path's order.
	FOR p IN SELECT * FROM cockpit_budget_path(p_account, v_user, p_team,
	    p_org) q
	CROSS JOIN LATERAL (SELECT coalesce(sum(t.spent_micro), 0)::bigint
	    FROM pool_slots t
	    WHERE t.pool_id = q.pool_id AND t.period_start = v_start) s(spent)
	CROSS JOIN LATERAL (SELECT coalesce(sum(x.micro_credits), 0)::bigint
	    FROM budget_holds x
	    WHERE x.pool_id = q.pool_id AND x.period_start = v_start AND x.live
	        AND x.expires_at > clock_timestamp()) h(held)
	LOOP
		v_pools := v_pools || p.pool_id;
		-- The fast way, as in 0009: this session's slot has the credits,
		-- and no threshold is crossed. A slot found short after waiting
		-- for another record keeps the lock READ COMMITTED's recheck
		-- took, which must not be held ahead of the slow way's slot order
		-- (a deadlock): the subtransaction's CB001 undoes it.
		v_fast := true;
		BEGIN
			UPDATE pool_slots t SET spent_micro = t.spent_micro + v_micro
			WHERE t.pool_id = p.pool_id AND t.period_start = v_start
			    AND t.slot = v_slot
			    AND t.spent_micro + v_micro <= t.quota_micro;
			IF NOT FOUND THEN
				RAISE SQLSTATE 'CB001';
			END IF;
		EXCEPTION WHEN SQLSTATE 'CB001' THEN
			v_fast := false;
		END;
		IF v_fast THEN
			v_limit := p.micro_credits;
			v_now_spent := p.spent + v_micro;
			v_now_held := p.held;
		ELSE
			SELECT * INTO c FROM cockpit_pool_charge(p_account, p.pool_id,
			    p.scope_type, p.scope_id, v_start, v_end, v_micro, true);
			IF c.spent_after > c.spent_before THEN
				PERFORM cockpit_budget_alerts(p_account, p.pool_id,
				    p.scope_type, p.scope_id, v_start, v_end, v_thresholds,
				    c.credit_limit, c.spent_before, c.spent_after);
			END IF;
			v_limit := c.credit_limit;
			v_now_spent := c.spent_after;
			v_now_held := c.held;
		END IF;
		v_scopes := v_scopes || jsonb_build_object(
		    'scope', cockpit_scope_json(p.scope_type, p.scope_id),
		    'rule', p.rule,
		    'limit', cockpit_credits_text(v_limit),
		    'spent', cockpit_credits_text(v_now_spent),
		    'held', cockpit_credits_text(v_now_held),
		    'remaining', cockpit_credits_text(v_limit - v_now_spent
		        - v_now_held));
	END LOOP;

	v_usage := nextval('usage_records_id_seq');
	status := 200;
	body := jsonb_build_object('id', v_usage::text, 'user_id', v_user,
	    'team_id', p_team, 'organisation_id', p_org, 'model', p_model,
	    'cost', p_cost::text, 'credits_factor', v_factor::text,
	    'credits', cockpit_credits_text(v_micro),
	    'input_tokens', p_input, 'output_tokens', p_output,
	    'idempotency_key', p_key, 'reservation_id', p_reservation,
	    'period', cockpit_period_json(v_start, v_end),
	    'scopes', v_scopes);
	WITH u AS (
		INSERT INTO usage_records (id, account_id, user_id, team_id,
		    organisation_id, model, cost, credits_factor, micro_credits,
		    input_tokens, output_tokens, idempotency_key, request_digest,
		    reservation_id, period_start, recorded_by, answer)
		OVERRIDING SYSTEM VALUE
		VALUES (v_usage, p_account, v_user, p_team, p_org, p_model, p_cost,
		    v_factor, v_micro, p_input, p_output, p_key, v_digest,
		    p_reservation, v_start, p_actor, body)
		ON CONFLICT (account_id, idempotency_key) DO NOTHING
		RETURNING id
	), ledger AS (
		INSERT INTO credit_ledger (account_id, pool_id, micro_credits,
		    period_start, usage_id)
		SELECT p_account, x, v_micro, v_start, u.id
		FROM u, unnest(v_pools) x
		WHERE v_micro > 0
	)
	SELECT count(*) INTO v_written FROM u;
	IF v_written = 0 THEN
		RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
		    MESSAGE = 'another usage with this idempotency key was '
		        'recorded at the same moment';
	END IF;
END
$$;
