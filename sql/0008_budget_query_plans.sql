-- 0008_budget_query_plans: the functions on the usage path in PL/pgSQL.
--
-- A LANGUAGE sql function that PostgreSQL cannot inline is planned again
-- on every call; PL/pgSQL keeps its statements' plans for the session. The
-- functions every usage record and reservation calls (0007) are restated
-- here in PL/pgSQL, the same queries and answers: planning them was most
-- of a record's time.

CREATE OR REPLACE FUNCTION cockpit_budget_period(p_account uuid,
    p_at timestamptz, OUT period_start timestamptz,
    OUT period_end timestamptz, OUT plan_id uuid, OUT thresholds smallint[])
	LANGUAGE plpgsql STABLE
	AS $$
#variable_conflict use_column
BEGIN
	SELECT pp.period_start, pp.period_end, b.id,
	    coalesce(b.alert_thresholds, '{80,100}')
	INTO period_start, period_end, plan_id, thresholds
	FROM accounts a
	LEFT JOIN budget_plans b ON b.account_id = a.id AND b.active_until IS NULL
	CROSS JOIN LATERAL cockpit_period(coalesce(b.cycle, 'none'),
	    coalesce(b.anchor, a.created_at), coalesce(b.cycle_from, a.created_at),
	    p_at) pp
	WHERE a.id = p_account;
END
$$;

CREATE OR REPLACE FUNCTION cockpit_budget_path(p_account uuid, p_user uuid,
    p_team uuid, p_org uuid)
	RETURNS TABLE (pool_id uuid, scope_type text, scope_id uuid,
	    rule text, micro_credits bigint)
	LANGUAGE plpgsql STABLE
	AS $$
#variable_conflict use_column
BEGIN
	RETURN QUERY
	WITH RECURSIVE teams_on AS (
		SELECT t.id, t.organisation_id FROM teams t
		WHERE t.account_id = p_account AND t.domain = 'copilot'
		    AND (t.id = p_team OR (p_team IS NULL AND p_org IS NULL
		        AND t.id IN (SELECT m.team_id FROM team_members m
		            WHERE m.account_id = p_account AND m.user_id = p_user
		                AND m.domain = 'copilot')))
	), orgs_on AS (
		SELECT x.organisation_id AS id FROM teams_on x
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
		    OR (p.scope_type = 'team'
		        AND p.scope_id IN (SELECT x.id FROM teams_on x))
		    OR (p.scope_type = 'organisation'
		        AND p.scope_id IN (SELECT y.id FROM orgs_on y))
		    OR p.scope_type = 'unallocated')
		UNION
		SELECT up.* FROM credit_pools up JOIN chain c ON up.id = c.parent_id
		WHERE up.account_id = p_account
	)
	SELECT c.id, c.scope_type, coalesce(c.scope_id, c.account_id),
	    c.rule, c.micro_credits
	FROM chain c
	ORDER BY cockpit_pool_depth(c.scope_type), c.id;
END
$$;

CREATE OR REPLACE FUNCTION cockpit_pool_held(p_pool uuid,
    p_period timestamptz)
	RETURNS bigint
	LANGUAGE plpgsql STABLE
	AS $$
BEGIN
	RETURN (SELECT coalesce(sum(h.micro_credits), 0)::bigint
	    FROM budget_holds h
	    WHERE h.pool_id = p_pool AND h.period_start = p_period AND h.live
	        AND h.expires_at > clock_timestamp());
END
$$;

CREATE OR REPLACE FUNCTION cockpit_pool_use(p_pool uuid,
    p_start timestamptz, OUT spent bigint, OUT held bigint)
	LANGUAGE plpgsql STABLE
	AS $$
BEGIN
	spent := coalesce((SELECT pp.spent_micro FROM pool_periods pp
	    WHERE pp.pool_id = p_pool AND pp.period_start = p_start), 0);
	held := cockpit_pool_held(p_pool, p_start);
END
$$;

CREATE OR REPLACE FUNCTION cockpit_context_refusal(p_account uuid,
    p_user uuid, p_team uuid, p_org uuid)
	RETURNS text
	LANGUAGE plpgsql STABLE
	AS $$
BEGIN
	IF p_team IS NULL AND p_org IS NULL THEN
		RETURN NULL;
	END IF;
	RETURN (SELECT CASE
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
	    END);
END
$$;

-- Their statements' plans, and those of the functions they call, are the
-- same whatever the arguments: a generic plan, made once per session,
-- serves every call. (PostgreSQL would otherwise plan each call afresh
-- when a custom plan looks cheaper, which for these queries it always
-- does, by less than the planning costs.)
ALTER FUNCTION cockpit_budget_period(uuid, timestamptz)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_budget_path(uuid, uuid, uuid, uuid)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_pool_held(uuid, timestamptz)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_copilot_user(uuid, text)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_context_refusal(uuid, uuid, uuid, uuid)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_pool_charge(uuid, uuid, text, uuid, timestamptz,
    timestamptz, bigint, boolean)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_budget_alerts(uuid, uuid, text, uuid, timestamptz,
    timestamptz, smallint[], bigint, bigint, bigint)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_usage_record(uuid, text, uuid, uuid, text, numeric,
    numeric, bigint, bigint, text, uuid, text)
	SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION cockpit_reservation_hold(uuid, text, uuid, uuid, text,
    numeric, numeric, int, text, text)
	SET plan_cache_mode = force_generic_plan;
