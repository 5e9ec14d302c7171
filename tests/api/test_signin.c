/*
 * The console's sign-in, end to end, as a browser would drive it but one
 * request at a time: GET /v1/auth/login sends us to the test identity
 * provider (COCKPIT_TEST_IDP), whose authorize endpoint signs the
 * login_hint's user in at once and sends us to /v1/auth/callback, which
 * sets the session's cookies. Redirects are never followed and cookies
 * are carried by hand, so that every hop can be looked at. Then CSRF,
 * sign-out, expiry, renewal with the refresh token, and the break-glass
 * credential (set with the real cockpitctl).
 *
 * The provider starts with no users: every test adds its own, with an
 * email nobody else has. Break-glass is one credential and one rate
 * limit for the whole platform, so those tests empty the attempts first.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"

#define SETOPT(c, opt, val) \
	ck_assert_int_eq(curl_easy_setopt((c), (opt), (val)), CURLE_OK)

#define CONTEXT		"/v1/me/context"
#define LOGOUT		"/v1/auth/logout"
#define BREAK_GLASS	"/v1/auth/break-glass"
#define BG_USER		"ops"
#define BG_PASSWORD	"correct horse battery staple"
#define URL_MAX		4096
#define COOKIE_MAX	128
#define NAME_MAX_LEN	160

/* A user of the provider, and the session it signed in to. */
struct user {
	char	 sub[NAME_MAX_LEN + 8];
	char	 email[NAME_MAX_LEN + 24];
	char	 org[NAME_MAX_LEN + 8];
	char	 account[UUID_LEN + 1];	/* the org's account, or "" */
	char	 cookie[COOKIE_MAX];	/* cockpit_session */
	char	 csrf[COOKIE_MAX];	/* cockpit_csrf */
};

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	return buf_append(arg, data, size * n) == 0 ? size * n : 0;
}

/*
 * One request, never following a redirect: url is a path on the stack or
 * a whole URL; headers is NULL or a NULL-terminated list of header lines
 * (Cookie, X-CSRF-Token, Authorization...); json NULL sends no body.
 */
static void
call(struct reply *r, const char *method, const char *url,
    const char *const *headers, const char *json)
{
	struct curl_slist	*h = NULL;
	char			 full[URL_MAX + 256];
	CURL			*c;

	memset(r, 0, sizeof(*r));
	ck_assert_int_lt(snprintf(full, sizeof(full), "%s%s", url[0] == '/' ?
	    env("COCKPIT_URL") : "", url), (int)sizeof(full));
	for (; headers != NULL && *headers != NULL; headers++)
		ck_assert_ptr_nonnull(h = curl_slist_append(h, *headers));
	ck_assert_ptr_nonnull(h = curl_slist_append(h, json != NULL ?
	    "Content-Type: application/json" : "Content-Type:"));
	ck_assert_ptr_nonnull(h = curl_slist_append(h, "Expect:"));
	ck_assert_ptr_nonnull(c = curl_easy_init());
	SETOPT(c, CURLOPT_URL, full);
	SETOPT(c, CURLOPT_CUSTOMREQUEST, method);
	SETOPT(c, CURLOPT_HTTPHEADER, h);
	SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(c, CURLOPT_TIMEOUT, 30L);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	SETOPT(c, CURLOPT_WRITEFUNCTION, collect);
	SETOPT(c, CURLOPT_WRITEDATA, &r->body);
	SETOPT(c, CURLOPT_HEADERFUNCTION, collect);
	SETOPT(c, CURLOPT_HEADERDATA, &r->headers);
	if (json != NULL) {
		SETOPT(c, CURLOPT_POSTFIELDS, json);
		SETOPT(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	} else if (strcmp(method, "GET") == 0)
		SETOPT(c, CURLOPT_HTTPGET, 1L);
	ck_assert_msg(curl_easy_perform(c) == CURLE_OK, "%s %s: no answer",
	    method, full);
	ck_assert_int_eq(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE,
	    &r->status), CURLE_OK);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (r->body.len > 0)
		r->json = cJSON_ParseWithLength(r->body.data, r->body.len);
}

/* A request with the session's cookies and, when csrf is not NULL, it. */
static void
with_session(struct reply *r, const char *method, const char *path,
    const struct user *u, const char *csrf)
{
	char		 cookie[2 * COOKIE_MAX + 64], token[COOKIE_MAX + 32];
	const char	*h[3] = { cookie, NULL, NULL };

	(void)snprintf(cookie, sizeof(cookie), "Cookie: cockpit_session=%s; "
	    "cockpit_csrf=%s", u->cookie, u->csrf);
	if (csrf != NULL) {
		(void)snprintf(token, sizeof(token), "X-CSRF-Token: %s", csrf);
		h[1] = token;
	}
	call(r, method, path, h, NULL);
}

static long
session_status(const struct user *u, const char *path)
{
	struct reply	 r;
	long		 st;

	with_session(&r, "GET", path, u, NULL);
	st = r.status;
	if (st == 401)
		assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
	return st;
}

static long long countf(const char *, ...)
    __attribute__((format(printf, 1, 2)));

/* The count a query answers, asked as the owner acting for the platform. */
static long long
countf(const char *fmt, ...)
{
	char	 sql[2000];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(sql));
	return db_count(sql);
}

static void execf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A statement run as the owner acting for the platform. */
static void
execf(const char *fmt, ...)
{
	char	 sql[2000];
	va_list	 ap;
	PGconn	*c;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	ck_assert(n > 0 && (size_t)n < sizeof(sql));
	c = db_owner();
	db_exec(c, sql);
	PQfinish(c);
}

/* The first text a query answers, into out. */
static void
textf(char *out, size_t len, const char *sql)
{
	PGconn		*c = db_owner();
	PGresult	*res = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1, "%s: %s", sql, PQerrorMessage(c));
	(void)snprintf(out, len, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
}

/* The id of the session behind the user's cookie. */
static void
session_id(const struct user *u, char *id, size_t len)
{
	char	 sql[300];

	(void)snprintf(sql, sizeof(sql), "SELECT id FROM sessions WHERE digest "
	    "= sha256(convert_to('%s', 'UTF8'))", u->cookie);
	textf(id, len, sql);
	ck_assert(is_uuid(id));
}

/* --- URLs ------------------------------------------------------------ */

static void
escape(char *out, size_t len, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 n = 0;
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		ck_assert_uint_lt(n + 4, len);
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			out[n++] = (char)c;
		else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/*
 * The value of query parameter name in url, percent-decoded, into out;
 * 0, or -1 when absent. Fails the test when it is there twice.
 */
static int
url_param(const char *url, const char *name, char *out, size_t len)
{
	const char	*q = strchr(url, '?'), *p, *end;
	size_t		 n = strlen(name), k;
	int		 found = 0;

	for (p = q != NULL ? q + 1 : NULL; p != NULL && *p != '\0' &&
	    *p != '#'; p = *end == '&' ? end + 1 : end) {
		end = p + strcspn(p, "&#");
		if ((size_t)(end - p) < n + 1 || strncmp(p, name, n) != 0 ||
		    p[n] != '=')
			continue;
		ck_assert_msg(!found, "%s is given twice in %s", name, url);
		found = 1;
		for (p += n + 1, k = 0; p < end; p++) {
			ck_assert_uint_lt(k + 1, len);
			if (*p == '%' && p + 2 < end &&
			    isxdigit((unsigned char)p[1]) &&
			    isxdigit((unsigned char)p[2])) {
				out[k++] = (char)(hexval(p[1]) * 16 +
				    hexval(p[2]));
				p += 2;
			} else
				out[k++] = *p == '+' ? ' ' : *p;
		}
		out[k] = '\0';
	}
	return found ? 0 : -1;
}

/* The Location of a 302, into out. */
static void
location(const struct reply *r, char *out, size_t len)
{
	ck_assert_msg(r->status == 302, "status %ld, expected 302: %s",
	    r->status, r->body.data != NULL ? r->body.data : "");
	ck_assert_int_eq(reply_header_count(r, "Location"), 1);
	ck_assert_int_eq(reply_header(r, "Location", out, len), 0);
}

/* --- cookies --------------------------------------------------------- */

/*
 * The Set-Cookie of cookie name: its value and its attributes (after the
 * first "; "). 0, or -1 when the answer sets no such cookie; fails the
 * test when it sets it twice.
 */
static int
set_cookie(const struct reply *r, const char *name, char *value,
    size_t vlen, char *attrs, size_t alen)
{
	const char	*p, *end, *v, *semi;
	size_t		 n = strlen(name), l;
	int		 found = 0;

	for (p = r->headers.data; p != NULL && *p != '\0';
	    p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, "\n");
		if (strncasecmp(p, "Set-Cookie:", 11) != 0)
			continue;
		for (v = p + 11; *v == ' '; v++)
			continue;
		if (strncmp(v, name, n) != 0 || v[n] != '=')
			continue;
		ck_assert_msg(!found, "%s is set twice", name);
		found = 1;
		v += n + 1;
		l = (size_t)(end - v);
		while (l > 0 && (v[l - 1] == '\r' || v[l - 1] == ' '))
			l--;
		semi = memchr(v, ';', l);
		ck_assert_ptr_nonnull(semi);
		ck_assert_uint_lt((size_t)(semi - v), vlen);
		memcpy(value, v, (size_t)(semi - v));
		value[semi - v] = '\0';
		for (semi++; *semi == ' '; semi++)
			continue;
		ck_assert_uint_lt((size_t)(v + l - semi), alen);
		memcpy(attrs, semi, (size_t)(v + l - semi));
		attrs[v + l - semi] = '\0';
	}
	return found ? 0 : -1;
}

/* Whether attrs ("a; b=c; d") holds exactly the attribute a. */
static int
has_attr(const char *attrs, const char *a)
{
	const char	*p = attrs;
	size_t		 n = strlen(a);

	while (*p != '\0') {
		if (strncmp(p, a, n) == 0 && (p[n] == ';' || p[n] == '\0'))
			return 1;
		p += strcspn(p, ";");
		while (*p == ';' || *p == ' ')
			p++;
	}
	return 0;
}

/* A 43-character base64url secret (256 bits). */
static int
secret_shaped(const char *s)
{
	size_t	 i;

	if (strlen(s) != 43)
		return 0;
	for (i = 0; i < 43; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* The answer's two session cookies, checked and copied into u. */
static void
take_cookies(const struct reply *r, struct user *u)
{
	char	 attrs[256];

	ck_assert_msg(set_cookie(r, "cockpit_session", u->cookie,
	    sizeof(u->cookie), attrs, sizeof(attrs)) == 0, "no session "
	    "cookie: %s", r->headers.data);
	ck_assert_msg(secret_shaped(u->cookie), "session %s", u->cookie);
	ck_assert_msg(has_attr(attrs, "HttpOnly"), "%s", attrs);
	ck_assert_msg(has_attr(attrs, "Secure"), "%s", attrs);
	ck_assert_msg(has_attr(attrs, "SameSite=Lax"), "%s", attrs);
	ck_assert_msg(has_attr(attrs, "Path=/"), "%s", attrs);
	ck_assert_msg(set_cookie(r, "cockpit_csrf", u->csrf, sizeof(u->csrf),
	    attrs, sizeof(attrs)) == 0, "no CSRF cookie: %s", r->headers.data);
	ck_assert_msg(secret_shaped(u->csrf), "csrf %s", u->csrf);
	ck_assert_msg(!has_attr(attrs, "HttpOnly"), "%s", attrs);
	ck_assert_msg(has_attr(attrs, "Secure"), "%s", attrs);
	ck_assert_msg(has_attr(attrs, "SameSite=Strict"), "%s", attrs);
	ck_assert_msg(has_attr(attrs, "Path=/"), "%s", attrs);
	ck_assert_str_ne(u->cookie, u->csrf);
}

/* --- the identity provider ------------------------------------------- */

static const char *
idp(void)
{
	return env("COCKPIT_TEST_IDP");
}

static void
idp_call(struct reply *r, const char *method, const char *path,
    const char *json)
{
	char	 url[URL_MAX];

	(void)snprintf(url, sizeof(url), "%s%s", idp(), path);
	call(r, method, url, NULL, json);
	ck_assert_msg(r->status == 200, "idp %s %s: %ld %s", method, path,
	    r->status, r->body.data);
}

static void
idp_ttl(int seconds)
{
	struct reply	 r;
	char		 json[64];

	(void)snprintf(json, sizeof(json), "{\"access_token_ttl\":%d}",
	    seconds);
	idp_call(&r, "POST", "/test/config", json);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json,
	    "access_token_ttl")->valueint, seconds);
	reply_free(&r);
}

/*
 * Before every test: the provider's tokens live 300 s, whatever a test
 * that shortened them and then failed left behind.
 */
static void
idp_ttl_default(void)
{
	idp_ttl(300);
}

static long
idp_refreshes(void)
{
	struct reply	 r;
	long		 n;

	idp_call(&r, "GET", "/test/stats", NULL);
	n = (long)cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "token_requests"), "refresh_token")->valuedouble;
	reply_free(&r);
	return n;
}

/* Adds (or replaces) the user at the provider, with role (NULL: none). */
static void
idp_user_post(const struct user *u, const char *role)
{
	struct reply	 r;
	char		 json[2048];

	(void)snprintf(json, sizeof(json), "{\"sub\":\"%s\",\"email\":\"%s\","
	    "\"name\":\"Signing In\",\"org_id\":\"%s\",\"roles\":[%s%s%s]}",
	    u->sub, u->email, u->org, role != NULL ? "\"" : "",
	    role != NULL ? role : "", role != NULL ? "\"" : "");
	idp_call(&r, "POST", "/test/users", json);
	reply_free(&r);
}

/*
 * A new user of the provider with role (NULL: none). With an account,
 * the user's organisation is that new account's; without, an
 * organisation no account has.
 */
static void
user_new(struct user *u, const char *role, int with_account)
{
	char	 tag[NAME_MAX_LEN];

	memset(u, 0, sizeof(*u));
	unique_slug(tag, sizeof(tag), "signin");
	(void)snprintf(u->sub, sizeof(u->sub), "sub-%s", tag);
	(void)snprintf(u->email, sizeof(u->email), "%s@signin.example.test",
	    tag);
	(void)snprintf(u->org, sizeof(u->org), "org-%s", tag);
	if (with_account) {
		create_account("Sign-in", tag, u->account);
		account_set_org(u->account, u->org);
	}
	idp_user_post(u, role);
}

/*
 * The "name=value; ..." of every cookie an answer sets (none: ""), as a
 * browser would send them back.
 */
static void
cookies_of(const struct reply *r, char *out, size_t len)
{
	const char	*p, *end, *v;
	size_t		 n = 0, l;

	out[0] = '\0';
	for (p = r->headers.data; p != NULL && *p != '\0';
	    p = *end == '\0' ? end : end + 1) {
		end = p + strcspn(p, "\n");
		if (strncasecmp(p, "Set-Cookie:", 11) != 0)
			continue;
		for (v = p + 11; *v == ' '; v++)
			continue;
		l = strcspn(v, ";\r\n");
		ck_assert_uint_lt(n + l + 3, len);
		if (n > 0) {
			memcpy(out + n, "; ", 2);
			n += 2;
		}
		memcpy(out + n, v, l);
		n += l;
		out[n] = '\0';
	}
}

/*
 * GET /v1/auth/login?return_to=...: the provider's authorize URL, and the
 * cookies the answer set (for the callback, as a browser keeps them).
 */
static void
login_keep(const char *return_to, char *authorize, size_t len, char *jar,
    size_t jlen)
{
	struct reply	 r;
	char		 path[URL_MAX], esc[1024];

	escape(esc, sizeof(esc), return_to);
	(void)snprintf(path, sizeof(path), "/v1/auth/login?return_to=%s", esc);
	call(&r, "GET", path, NULL, NULL);
	location(&r, authorize, len);
	cookies_of(&r, jar, jlen);
	reply_free(&r);
}

/* The same, for a browser that keeps what it is given. */
static char	 browser_jar[2048];

static void
login(const char *return_to, char *authorize, size_t len)
{
	login_keep(return_to, authorize, len, browser_jar,
	    sizeof(browser_jar));
}

/* GET callback URL cb with the browser's cookies from its login. */
static void
callback(struct reply *r, const char *cb)
{
	char		 cookie[sizeof(browser_jar) + 16];
	const char	*h[2] = { cookie, NULL };

	(void)snprintf(cookie, sizeof(cookie), "Cookie: %s", browser_jar);
	call(r, "GET", cb, browser_jar[0] != '\0' ? h : NULL, NULL);
}

/* The provider signs the user in at once: our callback URL, with code. */
static void
authorize(const char *authorize_url, const struct user *u, char *callback,
    size_t len)
{
	struct reply	 r;
	char		 url[URL_MAX + 512], esc[512];

	escape(esc, sizeof(esc), u->email);
	(void)snprintf(url, sizeof(url), "%s&login_hint=%s", authorize_url,
	    esc);
	call(&r, "GET", url, NULL, NULL);
	location(&r, callback, len);
	reply_free(&r);
}

/* Signs u in from return_to; r is the callback's answer. */
static void
sign_in_answer(struct user *u, const char *return_to, struct reply *r)
{
	char	 az[URL_MAX], cb[URL_MAX];

	login(return_to, az, sizeof(az));
	authorize(az, u, cb, sizeof(cb));
	callback(r, cb);
}

/* Signs u in, expecting the way back to /accounts with the cookies. */
static void
sign_in(struct user *u)
{
	struct reply	 r;
	char		 back[URL_MAX];

	sign_in_answer(u, "/accounts", &r);
	location(&r, back, sizeof(back));
	ck_assert_str_eq(back, "/accounts");
	take_cookies(&r, u);
	reply_free(&r);
}

/* A signed-in account admin of a new account. */
static void
signed_in_admin(struct user *u)
{
	user_new(u, TEST_ADMIN_ROLE, 1);
	sign_in(u);
}

/* The answer starts no session: it sets neither session cookie. */
static void
assert_no_session_cookies(const struct reply *r)
{
	char	 v[COOKIE_MAX], attrs[256];

	ck_assert_msg(set_cookie(r, "cockpit_session", v, sizeof(v), attrs,
	    sizeof(attrs)) == -1 || v[0] == '\0', "a session cookie: %s",
	    r->headers.data);
	ck_assert_msg(set_cookie(r, "cockpit_csrf", v, sizeof(v), attrs,
	    sizeof(attrs)) == -1 || v[0] == '\0', "a CSRF cookie: %s",
	    r->headers.data);
}

/* The callback sent the browser back with ?signin_error=code. */
static void
assert_signin_error(const struct reply *r, const char *code)
{
	char	 loc[URL_MAX], want[128];

	location(r, loc, sizeof(loc));
	(void)snprintf(want, sizeof(want), "/?signin_error=%s", code);
	ck_assert_str_eq(loc, want);
	assert_no_session_cookies(r);
}

/* --- sign-in methods ------------------------------------------------- */

static void
methods(int *sso, int *bg)
{
	struct reply	 r;
	const cJSON	*s, *b;

	call(&r, "GET", "/v1/auth/methods", NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	s = cJSON_GetObjectItemCaseSensitive(r.json, "sso");
	b = cJSON_GetObjectItemCaseSensitive(r.json, "break_glass");
	ck_assert(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(s,
	    "available")));
	ck_assert(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(b,
	    "available")));
	ck_assert_str_eq(json_str(s, "login_url"), "/v1/auth/login");
	*sso = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "available"));
	*bg = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "available"));
	reply_free(&r);
}

/* Sets the break-glass credential with the real cockpitctl. */
static void
break_glass_set(void)
{
	char	 cmd[4096];

	(void)snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '" BG_PASSWORD "' | "
	    "'%s/cgi-bin/cockpitctl' break-glass set --user " BG_USER
	    " >/dev/null", env("COCKPIT_BUILD_DIR"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(countf("SELECT count(*) FROM break_glass WHERE "
	    "username = '" BG_USER "' AND enabled AND hash LIKE "
	    "'$scrypt$ln=%%'"), 1);
}

/* The attempts so far forgotten, and the credential set afresh. */
static void
break_glass_fresh(void)
{
	execf("DELETE FROM break_glass_attempts");
	break_glass_set();
}

/* SSO is offered; the sign-in page's URL is /v1/auth/login. */
START_TEST(test_methods_offer_sso)
{
	int	 sso, bg;

	methods(&sso, &bg);
	ck_assert(sso);
}
END_TEST

/* Break-glass is offered once a credential is set, and not before. */
START_TEST(test_methods_offer_break_glass_once_set)
{
	int	 sso, bg;

	execf("DELETE FROM break_glass");
	methods(&sso, &bg);
	ck_assert(sso);
	ck_assert(!bg);
	break_glass_fresh();
	methods(&sso, &bg);
	ck_assert(bg);
	execf("UPDATE break_glass SET enabled = false");
	methods(&sso, &bg);
	ck_assert(!bg);
	break_glass_set();
}
END_TEST

/* --- SSO ------------------------------------------------------------- */

/* The login sends the browser to the provider, with PKCE and a state. */
START_TEST(test_login_redirects_to_the_provider)
{
	char	 az[URL_MAX], v[URL_MAX], want[URL_MAX], state[128];
	char	 challenge[128];

	login("/accounts", az, sizeof(az));
	(void)snprintf(want, sizeof(want), "%s/oauth/v2/authorize?", idp());
	ck_assert_msg(strncmp(az, want, strlen(want)) == 0, "%s", az);
	ck_assert_int_eq(url_param(az, "client_id", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "cockpit-console");
	ck_assert_int_eq(url_param(az, "response_type", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "code");
	ck_assert_int_eq(url_param(az, "code_challenge_method", v, sizeof(v)),
	    0);
	ck_assert_str_eq(v, "S256");
	ck_assert_int_eq(url_param(az, "code_challenge", challenge,
	    sizeof(challenge)), 0);
	ck_assert_msg(secret_shaped(challenge), "challenge %s", challenge);
	ck_assert_int_eq(url_param(az, "redirect_uri", v, sizeof(v)), 0);
	(void)snprintf(want, sizeof(want), "%s/v1/auth/callback",
	    env("COCKPIT_URL"));
	ck_assert_str_eq(v, want);
	ck_assert_int_eq(url_param(az, "scope", v, sizeof(v)), 0);
	ck_assert_ptr_nonnull(strstr(v, "openid"));
	ck_assert_int_eq(url_param(az, "nonce", v, sizeof(v)), 0);
	ck_assert_uint_ge(strlen(v), 32);
	ck_assert_int_eq(url_param(az, "state", state, sizeof(state)), 0);
	ck_assert_uint_ge(strlen(state), 32);
	ck_assert_str_ne(state, v);
	/* Kept as the state's digest, with the verifier of the challenge. */
	ck_assert_int_eq(countf("SELECT count(*) FROM auth_logins WHERE "
	    "state_digest = sha256(convert_to('%s', 'UTF8')) AND return_to = "
	    "'/accounts' AND nonce = '%s' AND translate(rtrim(encode(sha256("
	    "convert_to(code_verifier, 'UTF8')), 'base64'), '='), '+/', '-_') "
	    "= '%s'", state, v, challenge), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM auth_logins WHERE "
	    "state_digest = convert_to('%s', 'UTF8')", state), 0);
}
END_TEST

/* The provider sends the user back to our callback with code and state. */
START_TEST(test_provider_returns_code_and_state)
{
	struct user	 u;
	char		 az[URL_MAX], cb[URL_MAX], want[URL_MAX], v[URL_MAX];
	char		 state[128];

	user_new(&u, TEST_ADMIN_ROLE, 1);
	login("/accounts", az, sizeof(az));
	ck_assert_int_eq(url_param(az, "state", state, sizeof(state)), 0);
	authorize(az, &u, cb, sizeof(cb));
	(void)snprintf(want, sizeof(want), "%s/v1/auth/callback?",
	    env("COCKPIT_URL"));
	ck_assert_msg(strncmp(cb, want, strlen(want)) == 0, "%s", cb);
	ck_assert_int_eq(url_param(cb, "code", v, sizeof(v)), 0);
	ck_assert_uint_gt(strlen(v), 0);
	ck_assert_int_eq(url_param(cb, "state", v, sizeof(v)), 0);
	ck_assert_str_eq(v, state);
}
END_TEST

/* The callback returns to return_to with the two cookies. */
START_TEST(test_callback_sets_session_cookies)
{
	struct user	 u;
	struct reply	 r;
	char		 back[URL_MAX];

	user_new(&u, TEST_ADMIN_ROLE, 1);
	sign_in_answer(&u, "/accounts", &r);
	location(&r, back, sizeof(back));
	ck_assert_str_eq(back, "/accounts");
	take_cookies(&r, &u);
	reply_free(&r);
}
END_TEST

/* The session's context: kind session, method sso, CSRF required. */
START_TEST(test_session_context)
{
	struct user	 u;
	struct reply	 r;
	const cJSON	*a, *au;

	signed_in_admin(&u);
	with_session(&r, "GET", CONTEXT, &u, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "role"), "account_admin");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r.json,
	    "acting_for_platform")));
	a = cJSON_GetObjectItemCaseSensitive(r.json, "account");
	ck_assert_msg(cJSON_IsObject(a), "%s", r.body.data);
	ck_assert_str_eq(json_str(a, "id"), u.account);
	au = cJSON_GetObjectItemCaseSensitive(r.json, "auth");
	ck_assert_str_eq(json_str(au, "kind"), "session");
	ck_assert_str_eq(json_str(au, "method"), "sso");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(au,
	    "csrf_required")));
	ck_assert_str_eq(json_str(cJSON_GetObjectItemCaseSensitive(r.json,
	    "user"), "email"), u.email);
	ck_assert_str_eq(json_str(cJSON_GetObjectItemCaseSensitive(r.json,
	    "user"), "subject"), u.sub);
	ck_assert_ptr_null(strstr(r.body.data, u.cookie));
	reply_free(&r);
}
END_TEST

/* The user row, and a session row keeping digests, never the secrets. */
START_TEST(test_sign_in_rows)
{
	struct user	 u;
	char		 id[UUID_LEN + 1];

	signed_in_admin(&u);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE account_id = "
	    "'%s' AND subject = '%s' AND email = '%s' AND display_name = "
	    "'Signing In'", u.account, u.sub, u.email), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s'", u.sub), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE "
	    "digest = sha256(convert_to('%s', 'UTF8')) AND csrf_digest = "
	    "sha256(convert_to('%s', 'UTF8')) AND method = 'sso' AND subject = "
	    "'%s' AND email = '%s' AND role = 'account_admin' AND account_id = "
	    "'%s' AND revoked_at IS NULL AND refresh_token LIKE 'v1:%%' AND "
	    "token_expires_at > clock_timestamp() AND idle_expires_at > "
	    "clock_timestamp() AND absolute_expires_at >= idle_expires_at",
	    u.cookie, u.csrf, u.sub, u.email, u.account), 1);
	/* Neither secret is in any session row as it is. */
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions s WHERE "
	    "strpos(s::text, '%s') > 0 OR strpos(s::text, '%s') > 0 OR strpos("
	    "s::text, encode(convert_to('%s', 'UTF8'), 'hex')) > 0", u.cookie,
	    u.csrf, u.cookie), 0);
	session_id(&u, id, sizeof(id));
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id = '%s' AND action = 'session.sign_in' AND target_type "
	    "= 'session' AND target_id = '%s' AND actor = '%s' AND actor_role "
	    "= 'account_admin'", u.account, id, u.email), 1);
}
END_TEST

/* A state works once: the same callback again is state_invalid. */
START_TEST(test_callback_replay_is_state_invalid)
{
	struct user	 u;
	struct reply	 r;
	char		 az[URL_MAX], cb[URL_MAX], back[URL_MAX];

	user_new(&u, TEST_ADMIN_ROLE, 1);
	login("/accounts", az, sizeof(az));
	authorize(az, &u, cb, sizeof(cb));
	callback(&r, cb);
	location(&r, back, sizeof(back));
	ck_assert_str_eq(back, "/accounts");
	reply_free(&r);
	callback(&r, cb);
	assert_signin_error(&r, "state_invalid");
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s'", u.sub), 1);
}
END_TEST

/* A state we never issued is state_invalid; so is none at all. */
START_TEST(test_callback_unknown_state_is_state_invalid)
{
	struct reply	 r;

	call(&r, "GET", "/v1/auth/callback?code=abc&state="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, NULL);
	assert_signin_error(&r, "state_invalid");
	reply_free(&r);
	call(&r, "GET", "/v1/auth/callback?code=abc", NULL, NULL);
	assert_signin_error(&r, "state_invalid");
	reply_free(&r);
}
END_TEST

/* The provider's error, with a valid state: idp_error, and state spent. */
START_TEST(test_callback_provider_error_is_idp_error)
{
	struct reply	 r;
	char		 az[URL_MAX], state[128], path[URL_MAX];

	login("/accounts", az, sizeof(az));
	ck_assert_int_eq(url_param(az, "state", state, sizeof(state)), 0);
	(void)snprintf(path, sizeof(path), "/v1/auth/callback?error="
	    "access_denied&state=%s", state);
	callback(&r, path);
	assert_signin_error(&r, "idp_error");
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM auth_logins WHERE "
	    "state_digest = sha256(convert_to('%s', 'UTF8'))", state), 0);
}
END_TEST

/* A state older than its ten minutes is state_invalid. */
START_TEST(test_callback_expired_state_is_state_invalid)
{
	struct user	 u;
	struct reply	 r;
	char		 az[URL_MAX], cb[URL_MAX], state[128];

	user_new(&u, TEST_ADMIN_ROLE, 1);
	login("/accounts", az, sizeof(az));
	ck_assert_int_eq(url_param(az, "state", state, sizeof(state)), 0);
	authorize(az, &u, cb, sizeof(cb));
	execf("UPDATE auth_logins SET expires_at = clock_timestamp() - interval "
	    "'1 second' WHERE state_digest = sha256(convert_to('%s', 'UTF8'))",
	    state);
	callback(&r, cb);
	assert_signin_error(&r, "state_invalid");
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s'", u.sub), 0);
}
END_TEST

/* A code the provider will not redeem: code_refused, and no session. */
START_TEST(test_callback_bad_code_is_code_refused)
{
	struct reply	 r;
	char		 az[URL_MAX], state[128], path[URL_MAX];

	login("/accounts", az, sizeof(az));
	ck_assert_int_eq(url_param(az, "state", state, sizeof(state)), 0);
	(void)snprintf(path, sizeof(path), "/v1/auth/callback?code="
	    "not-a-code-the-provider-gave&state=%s", state);
	callback(&r, path);
	assert_signin_error(&r, "code_refused");
	reply_free(&r);
}
END_TEST

/* return_to must be a path here: not //host, not a URL. */
START_TEST(test_login_refuses_foreign_return_to)
{
	static const char *const bad[] = {
		"//evil.example", "https://evil", "/\\evil.example", "evil",
	};
	struct reply	 r;
	char		 path[URL_MAX], esc[256];
	size_t		 i;
	long long	 before = db_count("SELECT count(*) FROM auth_logins");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		escape(esc, sizeof(esc), bad[i]);
		(void)snprintf(path, sizeof(path), "/v1/auth/login?return_to=%s",
		    esc);
		call(&r, "GET", path, NULL, NULL);
		assert_error(&r, 400, "invalid_parameter", "return_to");
		ck_assert_int_eq(reply_header_count(&r, "Location"), 0);
		reply_free(&r);
	}
	ck_assert_int_le(db_count("SELECT count(*) FROM auth_logins"), before);
}
END_TEST

/* A user whose organisation has no account: account_unresolved. */
START_TEST(test_unresolved_user_gets_no_session)
{
	struct user	 u;
	struct reply	 r;

	user_new(&u, TEST_ADMIN_ROLE, 0);
	sign_in_answer(&u, "/accounts", &r);
	assert_signin_error(&r, "account_unresolved");
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s'", u.sub), 0);
	ck_assert_int_eq(countf("SELECT count(*) FROM users WHERE subject = "
	    "'%s'", u.sub), 0);
}
END_TEST

/*
 * The state belongs to the browser that started the sign-in: a callback
 * URL carried to another browser, which never went through this login,
 * must not sign that browser in; else anyone could sign a victim into
 * the attacker's own account (login CSRF, RFC 9700 4.7).
 */
START_TEST(test_callback_from_another_browser_is_refused)
{
	struct user	 attacker;
	struct reply	 r;
	char		 az[URL_MAX], cb[URL_MAX], jar[2048], loc[URL_MAX];

	user_new(&attacker, TEST_ADMIN_ROLE, 1);
	login_keep("/accounts", az, sizeof(az), jar, sizeof(jar));
	authorize(az, &attacker, cb, sizeof(cb));
	call(&r, "GET", cb, NULL, NULL);	/* the victim's browser */
	location(&r, loc, sizeof(loc));
	ck_assert_msg(strncmp(loc, "/?signin_error=", 15) == 0,
	    "another browser was signed in: Location %s", loc);
	assert_no_session_cookies(&r);
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s'", attacker.sub), 0);
}
END_TEST

/* A super admin's single sign-on: a session for the platform. */
START_TEST(test_super_admin_sso_session_acts_for_platform)
{
	struct user	 u;
	struct reply	 r;
	char		 id[UUID_LEN + 1];

	user_new(&u, TEST_SUPER_ROLE, 0);
	sign_in(&u);
	with_session(&r, "GET", CONTEXT, &u, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "role"), "super_admin");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json,
	    "acting_for_platform")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json,
	    "account")));
	ck_assert_str_eq(json_str(cJSON_GetObjectItemCaseSensitive(r.json,
	    "auth"), "method"), "sso");
	reply_free(&r);
	session_id(&u, id, sizeof(id));
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND role = 'super_admin' AND account_id IS NULL AND method = 'sso' "
	    "AND refresh_token LIKE 'v1:%%'", id), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id IS NULL AND action = 'session.sign_in' AND target_id = "
	    "'%s'", id), 1);
	ck_assert_int_eq(session_status(&u, "/v1/accounts?limit=1"), 200);
}
END_TEST

/* A user the account has deactivated signs in to nothing. */
START_TEST(test_inactive_user_gets_no_session)
{
	struct user	 u;
	struct reply	 r;

	user_new(&u, TEST_ADMIN_ROLE, 1);
	execf("INSERT INTO users (account_id, subject, email, status) VALUES "
	    "('%s', '%s', '%s', 'inactive')", u.account, u.sub, u.email);
	sign_in_answer(&u, "/accounts", &r);
	assert_signin_error(&r, "account_unresolved");
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s'", u.sub), 0);
}
END_TEST

/* --- CSRF and sign-out ----------------------------------------------- */

/* A session's write without X-CSRF-Token: 403 csrf_failed. */
START_TEST(test_logout_without_csrf_is_403)
{
	struct user	 u;
	struct reply	 r;

	signed_in_admin(&u);
	with_session(&r, "POST", LOGOUT, &u, NULL);
	assert_error(&r, 403, "csrf_failed", NULL);
	reply_free(&r);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE subject = "
	    "'%s' AND revoked_at IS NULL", u.sub), 1);
}
END_TEST

/* ...and with a wrong one, even another session's. */
START_TEST(test_logout_with_wrong_csrf_is_403)
{
	struct user	 u, v;
	struct reply	 r;

	signed_in_admin(&u);
	signed_in_admin(&v);
	with_session(&r, "POST", LOGOUT, &u, "not-the-token");
	assert_error(&r, 403, "csrf_failed", NULL);
	reply_free(&r);
	with_session(&r, "POST", LOGOUT, &u, v.csrf);
	assert_error(&r, 403, "csrf_failed", NULL);
	reply_free(&r);
	with_session(&r, "POST", LOGOUT, &u, u.cookie);
	assert_error(&r, 403, "csrf_failed", NULL);
	reply_free(&r);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
}
END_TEST

/* With the CSRF cookie's value: signed out, at the provider too. */
START_TEST(test_logout_with_csrf_signs_out)
{
	struct user	 u;
	struct reply	 r;
	char		 id[UUID_LEN + 1], want[URL_MAX], back[URL_MAX], v[64];
	char		 attrs[256];
	const char	*end;

	(void)snprintf(back, sizeof(back), "%s/", env("COCKPIT_URL"));
	signed_in_admin(&u);
	session_id(&u, id, sizeof(id));
	with_session(&r, "POST", LOGOUT, &u, u.csrf);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_int_eq(cJSON_GetArraySize(r.json), 2);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json,
	    "signed_out")));
	ck_assert_ptr_nonnull(end = json_str(r.json, "end_session_url"));
	(void)snprintf(want, sizeof(want), "%s/oidc/v1/end_session?", idp());
	ck_assert_msg(strncmp(end, want, strlen(want)) == 0, "%s", end);
	ck_assert_int_eq(url_param(end, "client_id", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "cockpit-console");
	ck_assert_int_eq(url_param(end, "post_logout_redirect_uri", want,
	    sizeof(want)), 0);
	ck_assert_str_eq(want, back);
	/* Both cookies are cleared. */
	ck_assert_int_eq(set_cookie(&r, "cockpit_session", v, sizeof(v), attrs,
	    sizeof(attrs)), 0);
	ck_assert_str_eq(v, "");
	ck_assert(has_attr(attrs, "Max-Age=0"));
	ck_assert_int_eq(set_cookie(&r, "cockpit_csrf", v, sizeof(v), attrs,
	    sizeof(attrs)), 0);
	ck_assert_str_eq(v, "");
	ck_assert(has_attr(attrs, "Max-Age=0"));
	reply_free(&r);
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND revoked_at IS NOT NULL", id), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id = '%s' AND target_type = 'session' AND target_id = '%s' "
	    "AND action = 'session.sign_in'", u.account, id), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id = '%s' AND target_type = 'session' AND target_id = '%s' "
	    "AND action = 'session.sign_out' AND actor = '%s'", u.account, id,
	    u.email), 1);
	/* Signing out again with the dead cookie: 401. */
	with_session(&r, "POST", LOGOUT, &u, u.csrf);
	assert_error(&r, 401, "unauthorized", NULL);
	reply_free(&r);
}
END_TEST

/* A bearer credential has no session to end: 409 no_session. */
START_TEST(test_logout_with_bearer_is_409)
{
	struct user	 u;
	struct reply	 r;
	char		*t;

	user_new(&u, TEST_ADMIN_ROLE, 1);
	t = user_token(AS_ACCOUNT_ADMIN, u.org, u.email);
	ck_assert_int_eq(api_as(&r, t, "POST", LOGOUT, NULL), 0);
	assert_error(&r, 409, "no_session", NULL);
	reply_free(&r);
	ck_assert_int_eq(api(&r, "POST", LOGOUT, NULL), 0);
	assert_error(&r, 409, "no_session", NULL);
	reply_free(&r);
	free(t);
}
END_TEST

/* Reads with the cookie need no CSRF token. */
START_TEST(test_get_with_cookie_needs_no_csrf)
{
	struct user	 u;
	struct reply	 r;
	char		 path[128];

	signed_in_admin(&u);
	account_path(path, sizeof(path), u.account);
	with_session(&r, "GET", path, &u, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "id"), u.account);
	reply_free(&r);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
}
END_TEST

/* --- expiry and renewal ---------------------------------------------- */

/* A session idle past its idle expiry is over. */
START_TEST(test_idle_expiry_ends_session)
{
	struct user	 u;
	char		 id[UUID_LEN + 1];

	signed_in_admin(&u);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	session_id(&u, id, sizeof(id));
	execf("UPDATE sessions SET idle_expires_at = clock_timestamp() - "
	    "interval '1 second' WHERE id = '%s'", id);
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
	/* And it is not revived by being asked again. */
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND idle_expires_at < clock_timestamp()", id), 1);
}
END_TEST

/* A session past its absolute expiry is over, however active. */
START_TEST(test_absolute_expiry_ends_session)
{
	struct user	 u;
	char		 id[UUID_LEN + 1];

	signed_in_admin(&u);
	session_id(&u, id, sizeof(id));
	execf("UPDATE sessions SET absolute_expires_at = clock_timestamp() - "
	    "interval '1 second' WHERE id = '%s'", id);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND idle_expires_at > clock_timestamp()", id), 1);
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
}
END_TEST

static long long
token_expiry_us(const char *id)
{
	return countf("SELECT (extract(epoch FROM token_expires_at) * 1e6)"
	    "::bigint FROM sessions WHERE id = '%s'", id);
}

/*
 * An access token that expired is renewed with the refresh token; once
 * the provider no longer knows the user, the session ends.
 */
START_TEST(test_session_renews_then_ends_with_the_user)
{
	struct user	 u;
	struct reply	 r;
	char		 id[UUID_LEN + 1], path[512];
	long long	 before;
	long		 refreshes;

	idp_ttl(2);
	signed_in_admin(&u);
	session_id(&u, id, sizeof(id));
	before = token_expiry_us(id);
	refreshes = idp_refreshes();
	msleep(3000);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	ck_assert_int_gt(idp_refreshes(), refreshes);
	ck_assert_int_gt(token_expiry_us(id), before);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND token_expires_at > clock_timestamp() AND revoked_at IS NULL "
	    "AND refresh_token LIKE 'v1:%%' AND account_id = '%s' AND role = "
	    "'account_admin'", id, u.account), 1);
	(void)snprintf(path, sizeof(path), "/test/users?sub=%s", u.sub);
	idp_call(&r, "DELETE", path, NULL);
	ck_assert_int_eq(cJSON_GetObjectItem(r.json, "removed")->valueint, 1);
	reply_free(&r);
	msleep(3000);
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND revoked_at IS NOT NULL", id), 1);
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
	idp_ttl(300);
}
END_TEST

/* Renewal decides the role and the account again, from the new token. */
START_TEST(test_renewal_decides_role_and_account_again)
{
	struct user	 u;
	struct reply	 r;
	char		 id[UUID_LEN + 1], other[UUID_LEN + 1], tag[NAME_MAX_LEN];
	char		 org[NAME_MAX_LEN + 8];
	const cJSON	*a;

	idp_ttl(2);
	signed_in_admin(&u);
	session_id(&u, id, sizeof(id));
	unique_slug(tag, sizeof(tag), "signin-moved");
	create_account("Moved", tag, other);
	(void)snprintf(org, sizeof(org), "org-%s", tag);
	account_set_org(other, org);
	(void)snprintf(u.org, sizeof(u.org), "%s", org);
	idp_user_post(&u, NULL);	/* now an end user of the other */
	msleep(3000);
	with_session(&r, "GET", CONTEXT, &u, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "role"), "end_user");
	a = cJSON_GetObjectItemCaseSensitive(r.json, "account");
	ck_assert_msg(cJSON_IsObject(a), "%s", r.body.data);
	ck_assert_str_eq(json_str(a, "id"), other);
	reply_free(&r);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND role = 'end_user' AND account_id = '%s' AND revoked_at IS "
	    "NULL", id, other), 1);
	idp_ttl(300);
}
END_TEST

#define PAGE_CALLS	4
#define PAGE_ROUNDS	2

struct page_call {
	const struct user	*u;
	pthread_barrier_t	*go;
	long			 status;
};

static void *
page_call(void *arg)
{
	struct page_call	*c = arg;
	struct reply		 r;

	(void)pthread_barrier_wait(c->go);
	with_session(&r, "GET", CONTEXT, c->u, NULL);
	c->status = r.status;
	reply_free(&r);
	return NULL;
}

/* PAGE_CALLS requests with the session at once; how many answered 200. */
static int
page_load(const struct user *u)
{
	struct page_call	 c[PAGE_CALLS];
	pthread_t		 th[PAGE_CALLS];
	pthread_barrier_t	 go;
	int			 i, ok = 0;

	ck_assert_int_eq(pthread_barrier_init(&go, NULL, PAGE_CALLS), 0);
	for (i = 0; i < PAGE_CALLS; i++) {
		c[i].u = u;
		c[i].go = &go;
		c[i].status = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, page_call, &c[i]),
		    0);
	}
	for (i = 0; i < PAGE_CALLS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ok += c[i].status == 200;
	}
	ck_assert_int_eq(pthread_barrier_destroy(&go), 0);
	return ok;
}

/*
 * A page's requests arrive together: when the access token has expired,
 * they must not each spend the refresh token (the provider rotates it,
 * so all but one would be refused) and end the session between them.
 * Twice, the second time after the renewed token has expired in turn.
 */
START_TEST(test_concurrent_requests_survive_renewal)
{
	struct user	 u;
	char		 id[UUID_LEN + 1];
	int		 round, ok = PAGE_CALLS;

	idp_ttl(2);
	signed_in_admin(&u);
	session_id(&u, id, sizeof(id));
	for (round = 0; round < PAGE_ROUNDS && ok == PAGE_CALLS; round++) {
		msleep(3000);
		ok = page_load(&u);
	}
	idp_ttl(300);
	ck_assert_msg(ok == PAGE_CALLS, "round %d: %d of %d requests answered "
	    "200 (session revoked: %lld)", round, ok, PAGE_CALLS, countf(
	    "SELECT count(*) FROM sessions WHERE id = '%s' AND revoked_at IS "
	    "NOT NULL", id));
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND revoked_at IS NULL", id), 1);
}
END_TEST

/* --- break-glass ----------------------------------------------------- */

static void
break_glass(struct reply *r, const char *json)
{
	call(r, "POST", BREAK_GLASS, NULL, json);
}

static long long
attempts(const char *where)
{
	return countf("SELECT count(*) FROM break_glass_attempts WHERE %s",
	    where);
}

/* A wrong password: 401, an attempt recorded and audited. */
START_TEST(test_break_glass_wrong_password)
{
	struct reply	 r;
	char		 id[32];

	break_glass_fresh();
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":"
	    "\"wrong horse battery staple\"}");
	assert_error(&r, 401, "invalid_credentials", NULL);
	ck_assert_int_eq(reply_header_count(&r, "Set-Cookie"), 0);
	reply_free(&r);
	ck_assert_int_eq(attempts("true"), 1);
	ck_assert_int_eq(attempts("NOT succeeded AND source = '127.0.0.1'"), 1);
	textf(id, sizeof(id), "SELECT id FROM break_glass_attempts");
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id IS NULL AND action = 'break_glass.refused' AND "
	    "target_type = 'break_glass' AND target_id = '%s' AND actor = "
	    "'break-glass:" BG_USER "'", id), 1);
	/* The right password under another name is no better. */
	break_glass(&r, "{\"username\":\"someone\",\"password\":\"" BG_PASSWORD
	    "\"}");
	assert_error(&r, 401, "invalid_credentials", NULL);
	reply_free(&r);
	ck_assert_int_eq(attempts("NOT succeeded"), 2);
}
END_TEST

/* The right password: a super admin's short session for the platform. */
START_TEST(test_break_glass_right_password)
{
	struct user	 u;
	struct reply	 r;
	const cJSON	*au;
	char		 id[UUID_LEN + 1];

	break_glass_fresh();
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":\""
	    BG_PASSWORD "\"}");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json,
	    "signed_in")));
	memset(&u, 0, sizeof(u));
	take_cookies(&r, &u);
	reply_free(&r);
	with_session(&r, "GET", CONTEXT, &u, NULL);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert_str_eq(json_str(r.json, "role"), "super_admin");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json,
	    "acting_for_platform")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json,
	    "account")));
	au = cJSON_GetObjectItemCaseSensitive(r.json, "auth");
	ck_assert_str_eq(json_str(au, "kind"), "session");
	ck_assert_str_eq(json_str(au, "method"), "break_glass");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(au,
	    "csrf_required")));
	reply_free(&r);
	session_id(&u, id, sizeof(id));
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND method = 'break_glass' AND role = 'super_admin' AND account_id "
	    "IS NULL AND refresh_token IS NULL AND absolute_expires_at BETWEEN "
	    "clock_timestamp() + interval '55 minutes' AND clock_timestamp() + "
	    "interval '1 hour'", id), 1);
	ck_assert_int_eq(attempts("succeeded"), 1);
	ck_assert_int_eq(attempts("NOT succeeded"), 0);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id IS NULL AND action = 'break_glass.sign_in' AND "
	    "target_id = (SELECT id::text FROM break_glass_attempts)"), 1);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id IS NULL AND action = 'session.sign_in' AND target_id "
	    "= '%s'", id), 1);
	/* It reaches every account, as super admins do. */
	ck_assert_int_eq(session_status(&u, "/v1/accounts?limit=1"), 200);
}
END_TEST

/* Five failures from one source: the sixth is 429, right password or not. */
START_TEST(test_break_glass_rate_limit)
{
	struct reply	 r;
	char		 retry[32];
	int		 i;

	break_glass_fresh();
	for (i = 0; i < 5; i++) {
		break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":"
		    "\"not the password at all\"}");
		assert_error(&r, 401, "invalid_credentials", NULL);
		reply_free(&r);
	}
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":\""
	    BG_PASSWORD "\"}");
	assert_error(&r, 429, "rate_limited", NULL);
	ck_assert_int_eq(reply_header(&r, "Retry-After", retry, sizeof(retry)),
	    0);
	ck_assert_int_gt(atoi(retry), 0);
	ck_assert_int_eq(reply_header_count(&r, "Set-Cookie"), 0);
	reply_free(&r);
	ck_assert_int_eq(attempts("true"), 5);
	ck_assert_int_eq(attempts("succeeded"), 0);
	execf("DELETE FROM break_glass_attempts");
}
END_TEST

/* A credential switched off: 403 break_glass_disabled, nothing recorded. */
START_TEST(test_break_glass_disabled)
{
	struct reply	 r;

	break_glass_fresh();
	execf("UPDATE break_glass SET enabled = false");
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":\""
	    BG_PASSWORD "\"}");
	assert_error(&r, 403, "break_glass_disabled", NULL);
	ck_assert_int_eq(reply_header_count(&r, "Set-Cookie"), 0);
	reply_free(&r);
	ck_assert_int_eq(attempts("true"), 0);
	break_glass_set();
}
END_TEST

/* Bodies that are not a credential: 400/422, and no attempt at all. */
START_TEST(test_break_glass_bad_bodies)
{
	struct reply	 r;

	break_glass_fresh();
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":\""
	    BG_PASSWORD "\",\"remember\":true}");
	assert_error(&r, 400, "unknown_field", "remember");
	reply_free(&r);
	break_glass(&r, "{\"username\":\"" BG_USER "\"}");
	assert_error(&r, 422, "invalid_field", "password");
	reply_free(&r);
	break_glass(&r, "{\"password\":\"" BG_PASSWORD "\"}");
	assert_error(&r, 422, "invalid_field", "username");
	reply_free(&r);
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":42}");
	ck_assert_int_eq(r.status, 422);
	reply_free(&r);
	break_glass(&r, "[1]");
	ck_assert_int_eq(r.status, 400);
	reply_free(&r);
	ck_assert_int_eq(attempts("true"), 0);
}
END_TEST

/* Signs in with the break-glass credential into u's cookies. */
static void
break_glass_in(struct user *u)
{
	struct reply	 r;

	memset(u, 0, sizeof(*u));
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":\""
	    BG_PASSWORD "\"}");
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	take_cookies(&r, u);
	reply_free(&r);
}

/* A break-glass session signs out with no provider to sign out of. */
START_TEST(test_break_glass_logout)
{
	struct user	 u;
	struct reply	 r;
	char		 id[UUID_LEN + 1];

	break_glass_fresh();
	break_glass_in(&u);
	session_id(&u, id, sizeof(id));
	with_session(&r, "POST", LOGOUT, &u, NULL);
	assert_error(&r, 403, "csrf_failed", NULL);
	reply_free(&r);
	with_session(&r, "POST", LOGOUT, &u, u.csrf);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body.data);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r.json,
	    "signed_out")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json,
	    "end_session_url")));
	reply_free(&r);
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
	ck_assert_int_eq(countf("SELECT count(*) FROM audit_events WHERE "
	    "account_id IS NULL AND action = 'session.sign_out' AND target_id "
	    "= '%s' AND actor = 'break-glass:" BG_USER "'", id), 1);
}
END_TEST

/* Setting the credential again ends the break-glass sessions. */
START_TEST(test_break_glass_change_ends_sessions)
{
	struct user	 u;
	char		 id[UUID_LEN + 1];

	break_glass_fresh();
	break_glass_in(&u);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	session_id(&u, id, sizeof(id));
	break_glass_set();
	ck_assert_int_eq(session_status(&u, CONTEXT), 401);
	ck_assert_int_eq(countf("SELECT count(*) FROM sessions WHERE id = '%s' "
	    "AND revoked_at IS NOT NULL", id), 1);
}
END_TEST

/* Twenty failures from all sources close it to every source. */
START_TEST(test_break_glass_global_rate_limit)
{
	struct reply	 r;

	break_glass_fresh();
	execf("INSERT INTO break_glass_attempts (source, succeeded) SELECT "
	    "'10.0.0.' || n, false FROM generate_series(1, 20) n");
	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":\""
	    BG_PASSWORD "\"}");
	assert_error(&r, 429, "rate_limited", NULL);
	ck_assert_int_eq(reply_header_count(&r, "Retry-After"), 1);
	assert_no_session_cookies(&r);
	reply_free(&r);
	ck_assert_int_eq(attempts("source = '127.0.0.1'"), 0);
	execf("DELETE FROM break_glass_attempts");
}
END_TEST

/* Another source's failures, fewer than twenty, do not limit ours. */
START_TEST(test_break_glass_limit_is_per_source)
{
	struct user	 u;

	break_glass_fresh();
	execf("INSERT INTO break_glass_attempts (source, succeeded) SELECT "
	    "'10.0.0.9', false FROM generate_series(1, 10)");
	break_glass_in(&u);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	execf("DELETE FROM break_glass_attempts");
}
END_TEST

/* Failures older than the 15-minute window no longer count. */
START_TEST(test_break_glass_old_failures_expire)
{
	struct user	 u;

	break_glass_fresh();
	execf("INSERT INTO break_glass_attempts (source, succeeded, "
	    "occurred_at) SELECT '127.0.0.1', false, clock_timestamp() - "
	    "interval '16 minutes' FROM generate_series(1, 25)");
	break_glass_in(&u);
	ck_assert_int_eq(session_status(&u, CONTEXT), 200);
	execf("DELETE FROM break_glass_attempts");
}
END_TEST

#define SHOTS	12

static void *
wrong_shot(void *arg)
{
	struct reply	 r;

	break_glass(&r, "{\"username\":\"" BG_USER "\",\"password\":"
	    "\"guessing in parallel now\"}");
	*(long *)arg = r.status;
	reply_free(&r);
	return NULL;
}

/*
 * Failures sent all at once are limited like failures sent one by one:
 * no more than five are let through to the password check.
 */
START_TEST(test_break_glass_concurrent_failures_stay_limited)
{
	pthread_t	 th[SHOTS];
	long		 st[SHOTS];
	int		 i, refused = 0, limited = 0;

	break_glass_fresh();
	for (i = 0; i < SHOTS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, wrong_shot,
		    &st[i]), 0);
	for (i = 0; i < SHOTS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		refused += st[i] == 401;
		limited += st[i] == 429;
	}
	ck_assert_int_eq(refused + limited, SHOTS);
	ck_assert_msg(refused <= 5, "%d password checks let through, 5 at "
	    "most expected (%lld attempts recorded)", refused,
	    attempts("NOT succeeded"));
	ck_assert_int_le(attempts("NOT succeeded"), 5);
	execf("DELETE FROM break_glass_attempts");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("signin");
	TCase	*tc = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, idp_ttl_default, NULL);
	tcase_add_test(tc, test_methods_offer_sso);
	tcase_add_test(tc, test_methods_offer_break_glass_once_set);
	tcase_add_test(tc, test_login_redirects_to_the_provider);
	tcase_add_test(tc, test_provider_returns_code_and_state);
	tcase_add_test(tc, test_callback_sets_session_cookies);
	tcase_add_test(tc, test_session_context);
	tcase_add_test(tc, test_sign_in_rows);
	tcase_add_test(tc, test_callback_replay_is_state_invalid);
	tcase_add_test(tc, test_callback_unknown_state_is_state_invalid);
	tcase_add_test(tc, test_callback_provider_error_is_idp_error);
	tcase_add_test(tc, test_callback_expired_state_is_state_invalid);
	tcase_add_test(tc, test_callback_bad_code_is_code_refused);
	tcase_add_test(tc, test_login_refuses_foreign_return_to);
	tcase_add_test(tc, test_unresolved_user_gets_no_session);
	tcase_add_test(tc, test_callback_from_another_browser_is_refused);
	tcase_add_test(tc, test_super_admin_sso_session_acts_for_platform);
	tcase_add_test(tc, test_inactive_user_gets_no_session);
	tcase_add_test(tc, test_logout_without_csrf_is_403);
	tcase_add_test(tc, test_logout_with_wrong_csrf_is_403);
	tcase_add_test(tc, test_logout_with_csrf_signs_out);
	tcase_add_test(tc, test_logout_with_bearer_is_409);
	tcase_add_test(tc, test_get_with_cookie_needs_no_csrf);
	tcase_add_test(tc, test_idle_expiry_ends_session);
	tcase_add_test(tc, test_absolute_expiry_ends_session);
	tcase_add_test(tc, test_session_renews_then_ends_with_the_user);
	tcase_add_test(tc, test_renewal_decides_role_and_account_again);
	tcase_add_test(tc, test_concurrent_requests_survive_renewal);
	tcase_add_test(tc, test_break_glass_wrong_password);
	tcase_add_test(tc, test_break_glass_right_password);
	tcase_add_test(tc, test_break_glass_rate_limit);
	tcase_add_test(tc, test_break_glass_disabled);
	tcase_add_test(tc, test_break_glass_bad_bodies);
	tcase_add_test(tc, test_break_glass_logout);
	tcase_add_test(tc, test_break_glass_change_ends_sessions);
	tcase_add_test(tc, test_break_glass_global_rate_limit);
	tcase_add_test(tc, test_break_glass_limit_is_per_source);
	tcase_add_test(tc, test_break_glass_old_failures_expire);
	tcase_add_test(tc, test_break_glass_concurrent_failures_stay_limited);
	suite_add_tcase(s, tc);
	return harness_run(s);
}
