-- 0006_email_lower: every lookup of a user by email on users.email_lower.
--
-- Under row-level security, PostgreSQL evaluates a condition that calls a
-- function which is not leakproof, such as lower(), only after the
-- policy's own; an index on the expression lower(email) then goes unused
-- and a lookup by email reads every user of the table. A condition on the
-- stored column email_lower (0005) is a plain comparison and uses its
-- index. The sign-in's adoption of a user known by email only moves to
-- it here; the programs' statements move to it in the same release. The
-- indexes on lower(email) are then unused, and go.

DROP INDEX users_account_admins;
CREATE INDEX users_account_admins ON users (account_id, email_lower)
	WHERE role = 'account_admin';

-- users_account_email_lower (0005) keeps an email unique in its account.
DROP INDEX users_account_email;

-- The sign-in (0005), adopting a pending user by email_lower.
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
	    AND u.email_lower = lower(p_email)
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
