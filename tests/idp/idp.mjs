// The test identity provider: behaves like Zitadel for what
// console-cockpit uses, so the suites and script/server can sign users in
// without a real Zitadel. It lives in tests/ only; nothing in lib/ or
// cgi-bin/ knows it exists.
//
//   node tests/idp/idp.mjs [PORT]      listens on 127.0.0.1:PORT (0: any),
//                                      prints "idp ready on <issuer URL>"
//
// Environment (all optional):
//   IDP_USERS_FILE        a JSON array of users to start with (else none);
//                         a user is {"sub","email","name","org_id",
//                         "roles":[role keys], "account_id"?}
//   IDP_CLIENT_ID         the one client (cockpit-console)
//   IDP_CLIENT_SECRET     if set, the token endpoint requires it, by
//                         client_secret_post or HTTP Basic
//   IDP_AUDIENCE          access tokens' aud besides the client (cockpit-api)
//   IDP_ACCOUNT_CLAIM     the claim carrying a user's account_id
//                         (urn:cockpit:account_id)
//   IDP_ACCESS_TOKEN_TTL  seconds access and id tokens live (300)
//
// Zitadel's endpoints:
//   GET  /.well-known/openid-configuration
//   GET  /oauth/v2/keys                 the JWKS (RS256 keys, rotated below)
//   GET  /oauth/v2/authorize            the code flow with PKCE (S256 only):
//        client_id, redirect_uri, response_type=code, scope (with openid),
//        state, nonce, code_challenge, code_challenge_method=S256, and
//        optionally login_hint (a user's email: signed in at once) and
//        prompt=none (no login_hint match: error=login_required). A bad
//        client_id or redirect_uri: 400 and an HTML page; any other bad
//        parameter: 302 to redirect_uri?error=invalid_request&
//        error_description=...&state=... Else the sign-in page, one
//        button per user.
//   POST /oauth/v2/authorize            the sign-in page's form: the same
//        parameters plus user=<sub> (-> 302 redirect_uri?code=...&state=...)
//        or cancel=1 (-> 302 redirect_uri?error=access_denied&state=...)
//   POST /oauth/v2/token                form-urlencoded; client_id (or Basic)
//        grant_type=authorization_code: code, redirect_uri, code_verifier
//        grant_type=refresh_token: refresh_token (rotated: the old one dies)
//        -> {"access_token","token_type":"Bearer","expires_in","id_token",
//            "refresh_token","scope"}; errors 400 (401 for invalid_client)
//            {"error":"invalid_request"|"invalid_grant"|"invalid_client"|
//             "unsupported_grant_type"|"invalid_scope","error_description"}
//        Codes live 60 s and work once (a failed exchange spends one too);
//        a code used twice revokes every refresh token that came from it.
//   GET  /oidc/v1/userinfo              Bearer access token -> the user
//   GET  /oidc/v1/end_session           post_logout_redirect_uri, state,
//        id_token_hint: 302 to post_logout_redirect_uri (with state) when
//        it is an absolute http(s) URL, else a "signed out" page
// Test controls (not Zitadel's):
//   POST /test/token  {"claims":{...}, "header":{...}, "expires_in":300,
//                      "sign_with":"current"|"stranger"|"stranger-as-current"}
//                                       -> {"token":...}
//   POST /test/rotate                   a new current key; old ones stay
//   POST /test/jwks   {"failing":true}  the JWKS endpoint answers 500
//   GET  /test/users                    -> [user, ...]
//   POST /test/users  [user, ...]       adds users, replacing those of the
//                                       same sub (one object: one user)
//   DELETE /test/users?sub=SUB          removes that user (no sub: all);
//                                       their refresh tokens stop working
//   POST /test/config {"access_token_ttl":N}   -> the configuration
//   GET  /test/stats                    {"jwks_fetches":N,
//                                        "authorize_requests":N (GETs),
//                                        "codes_issued":N,
//                                        "token_requests":{"authorization_code":N,
//                                          "refresh_token":N,"client_credentials":N,
//                                          "other":N},
//                                        "end_session_requests":N}
// The management API (/management/v1/...), the client credentials grant
// that gives its tokens, and /test/mgmt: see tests/idp/mgmt.mjs.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import {
  generateKeyPairSync, sign, verify, randomUUID, randomBytes,
  createHash, createPublicKey, timingSafeEqual,
} from "node:crypto";
import { managementApi } from "./mgmt.mjs";

const port = Number(process.argv[2] || 0);
let issuer = "";	// known once listening

const CLIENT_ID = process.env.IDP_CLIENT_ID || "cockpit-console";
const CLIENT_SECRET = process.env.IDP_CLIENT_SECRET || "";
const AUDIENCE = process.env.IDP_AUDIENCE || "cockpit-api";
const ACCOUNT_CLAIM = process.env.IDP_ACCOUNT_CLAIM || "urn:cockpit:account_id";
const CODE_TTL_MS = 60 * 1000;
const SPENT_CODE_KEPT_MS = 10 * 60 * 1000;	// to recognise a reused code
const MAX_BODY = 1 << 20;

function ttl(value, what) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 86400)
    throw new Error(`${what} must be a whole number of seconds, 1 to 86400`);
  return n;
}

const config = { access_token_ttl: 300 };
try {
  config.access_token_ttl = ttl(process.env.IDP_ACCESS_TOKEN_TTL || 300, "IDP_ACCESS_TOKEN_TTL");
} catch (e) {
  console.error(`idp: ${e.message}`);
  process.exit(1);
}

const keys = [];
let jwksFailing = false;
const stats = {
  jwks_fetches: 0,
  authorize_requests: 0,
  codes_issued: 0,
  token_requests: { authorization_code: 0, refresh_token: 0, client_credentials: 0, other: 0 },
  end_session_requests: 0,
};

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = publicKey.export({ format: "jwk" });
  return { kid: randomUUID(), privateKey, jwk: { kty: "RSA", use: "sig", alg: "RS256", kid: "", n: jwk.n, e: jwk.e } };
}

function rotate() {
  const k = newKey();
  k.jwk.kid = k.kid;
  keys.push(k);
  return k.kid;
}

const stranger = newKey();
stranger.jwk.kid = stranger.kid;
rotate();

const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");

// sign_with: "current", "stranger" (a key never published, its own kid),
// or "stranger-as-current" (that key, under the current key's kid).
function mint({ claims = {}, header = {}, expires_in = 300, sign_with = "current" }) {
  const current = keys[keys.length - 1];
  const key = sign_with.startsWith("stranger") ? stranger : current;
  const kid = sign_with === "stranger-as-current" ? current.kid : key.kid;
  const now = Math.floor(Date.now() / 1000);
  const h = { alg: "RS256", typ: "JWT", kid, ...header };
  const p = { iss: issuer, iat: now, nbf: now, exp: now + expires_in, jti: randomUUID(), ...claims };
  const input = `${b64(h)}.${b64(p)}`;
  const signature = sign("sha256", Buffer.from(input), key.privateKey).toString("base64url");
  return `${input}.${signature}`;
}

// The claims of a token this provider signed with a published key and
// that has not expired, else null.
function verified(token) {
  const parts = String(token).split(".");
  if (parts.length !== 3) return null;
  try {
    const h = JSON.parse(Buffer.from(parts[0], "base64url"));
    const p = JSON.parse(Buffer.from(parts[1], "base64url"));
    const key = keys.find((k) => k.kid === h.kid);
    if (!key || h.alg !== "RS256") return null;
    const pub = createPublicKey(key.privateKey);
    if (!verify("sha256", Buffer.from(`${parts[0]}.${parts[1]}`), pub, Buffer.from(parts[2], "base64url")))
      return null;
    if (p.iss !== issuer || typeof p.exp !== "number" || p.exp <= Date.now() / 1000) return null;
    return p;
  } catch {
    return null;
  }
}

/* ------------------------------------------------------------ users */

const users = new Map();	// sub -> user

function checkUser(u) {
  const str = (v) => typeof v === "string" && v.length > 0 && v.length <= 512;
  if (u === null || typeof u !== "object" || Array.isArray(u))
    throw new Error("a user is an object");
  for (const f of ["sub", "email", "name", "org_id"])
    if (!str(u[f])) throw new Error(`user ${JSON.stringify(u.sub ?? null)}: "${f}" must be a non-empty string`);
  if (!Array.isArray(u.roles) || !u.roles.every(str))
    throw new Error(`user ${JSON.stringify(u.sub)}: "roles" must be an array of role keys`);
  if (u.account_id !== undefined && u.account_id !== null && !str(u.account_id))
    throw new Error(`user ${JSON.stringify(u.sub)}: "account_id" must be a non-empty string when given`);
  const user = { sub: u.sub, email: u.email, name: u.name, org_id: u.org_id, roles: [...u.roles] };
  if (u.account_id) user.account_id = u.account_id;
  return user;
}

function addUsers(list) {
  const checked = (Array.isArray(list) ? list : [list]).map(checkUser);
  for (const u of checked) users.set(u.sub, u);
  return checked;
}

if (process.env.IDP_USERS_FILE) {
  try {
    const list = JSON.parse(readFileSync(process.env.IDP_USERS_FILE, "utf8"));
    if (!Array.isArray(list)) throw new Error("not a JSON array");
    addUsers(list);
  } catch (e) {
    console.error(`idp: IDP_USERS_FILE ${process.env.IDP_USERS_FILE}: ${e.message}`);
    process.exit(1);
  }
}

const mgmt = managementApi(users);

const userByEmail = (email) =>
  [...users.values()].find((u) => u.email.toLowerCase() === String(email).toLowerCase());

/* ------------------------------------------------------------ HTTP helpers */

function raw(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      data += c;
      if (data.length > MAX_BODY) reject(new Error("body too large"));
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

async function body(req) {
  const data = await raw(req);
  return data ? JSON.parse(data) : {};
}

// A form-urlencoded body as URLSearchParams, or null when it is another type.
async function form(req) {
  const type = (req.headers["content-type"] || "").split(";")[0].trim().toLowerCase();
  const data = await raw(req);
  return type === "application/x-www-form-urlencoded" ? new URLSearchParams(data) : null;
}

function send(res, status, obj, headers = {}) {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(obj));
}

// Route answers other than [status, json]:
const reply = (status, headers, text) => ({ reply: true, status, headers, text });
const redirect = (location) => reply(302, { Location: location, "Cache-Control": "no-store" }, "");
const html = (status, title, inner) => reply(status, {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
}, page(title, inner));

const esc = (s) => String(s).replace(/[&<>"']/g, (c) =>
  ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page(title, inner) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; background: #f4f5f7; color: #1d2330; margin: 0; }
  main { max-width: 28rem; margin: 4rem auto; background: #fff; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.12); padding: 1.5rem 1.75rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  p { margin: .5rem 0 1rem; color: #4a5263; }
  ul { list-style: none; margin: 0; padding: 0; }
  li + li { margin-top: .5rem; }
  button { width: 100%; text-align: left; font: inherit; cursor: pointer; padding: .6rem .8rem;
           border: 1px solid #c9ced8; border-radius: 6px; background: #fff; }
  button:hover, button:focus { border-color: #3563e9; outline: none; background: #f2f5fe; }
  .name { display: block; font-weight: 600; }
  .email, .roles { display: block; font-size: .85rem; color: #4a5263; }
  .cancel { margin-top: 1rem; text-align: center; }
  .cancel button { width: auto; border-color: transparent; color: #4a5263; }
  .notice { background: #fff6e0; border: 1px solid #f0d48a; padding: .5rem .75rem; border-radius: 6px; }
  code { overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
${inner}
</main>
</body>
</html>
`;
}

const token = () => randomBytes(32).toString("base64url");

/* ------------------------------------------------------------ authorize */

// The parameters a sign-in carries from the authorize request to its form.
const AUTHORIZE_PARAMS = ["client_id", "redirect_uri", "response_type", "scope", "state",
  "nonce", "code_challenge", "code_challenge_method"];

function httpUrl(s) {
  if (typeof s !== "string" || !/^https?:\/\//i.test(s) || s.includes("#")) return false;
  try {
    return Boolean(new URL(s).host);
  } catch {
    return false;
  }
}

// uri with params added to its query (what it has is kept as it is).
function withQuery(uri, params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString();
  return uri + (uri.includes("?") ? (uri.endsWith("?") || uri.endsWith("&") ? "" : "&") : "?") + q;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

class OAuthError extends Error {
  constructor(error, description, status = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }
}

// Checks an authorize request's parameters (URLSearchParams). Returns
// {params} when they are good, {page} for an error shown here (bad client
// or redirect URI), or {redirect} for one sent back to the client.
function checkAuthorize(q) {
  for (const name of ["client_id", "redirect_uri"])
    if (q.getAll(name).length > 1) return { page: `"${name}" is given more than once.` };
  const p = Object.fromEntries(AUTHORIZE_PARAMS.map((n) => [n, q.get(n) || ""]));
  if (!p.client_id) return { page: "The request has no client_id." };
  if (p.client_id !== CLIENT_ID) return { page: `There is no client "${p.client_id}" here.` };
  if (!p.redirect_uri) return { page: "The request has no redirect_uri." };
  if (!httpUrl(p.redirect_uri))
    return { page: `The redirect_uri "${p.redirect_uri}" is not an absolute http(s) URL without a fragment.` };
  // From here on, errors go back to the client's redirect_uri.
  for (const name of [...AUTHORIZE_PARAMS, "login_hint", "prompt", "user", "cancel"])
    if (q.getAll(name).length > 1) return fail(q, `"${name}" is given more than once`);
  if (p.response_type !== "code")
    return fail(q, p.response_type ? `response_type "${p.response_type}" is not supported; use "code"` : "response_type is missing");
  const scopes = p.scope.split(" ");
  if (!p.scope || !scopes.every((s) => SCOPE_TOKEN.test(s)))
    return fail(q, "scope is missing or malformed");
  if (!scopes.includes("openid")) return fail(q, 'scope must contain "openid"');
  if (!p.state) return fail(q, "state is missing");
  if (!p.nonce) return fail(q, "nonce is missing");
  if (!p.code_challenge) return fail(q, "code_challenge is missing (PKCE is required)");
  if (!p.code_challenge_method) return fail(q, "code_challenge_method is missing; use S256");
  if (p.code_challenge_method !== "S256")
    return fail(q, `code_challenge_method "${p.code_challenge_method}" is not supported; use S256`);
  if (!CHALLENGE.test(p.code_challenge))
    return fail(q, "code_challenge must be BASE64URL(SHA256(code_verifier)): 43 characters");
  for (const [n, v] of Object.entries(p))
    if (v.length > 2048) return fail(q, `${n} is too long`);
  return { params: p };
}

function fail(q, description, error = "invalid_request") {
  return {
    redirect: withQuery(q.get("redirect_uri"), { error, error_description: description, state: q.get("state") }),
  };
}

// Codes: code -> {client_id, redirect_uri, code_challenge, nonce, sub,
// scope, auth_time, expires, spent}. A spent code is kept a while so that
// its reuse is recognised.
const codes = new Map();
// Refresh tokens: token -> {client_id, sub, scope, auth_time, family}
// where family is the code they came from.
const refreshTokens = new Map();

function sweep() {
  const now = Date.now();
  for (const [c, v] of codes)
    if (now > v.expires + SPENT_CODE_KEPT_MS) codes.delete(c);
}

function issueCode(p, user) {
  sweep();
  const code = token();
  codes.set(code, {
    client_id: p.client_id, redirect_uri: p.redirect_uri, code_challenge: p.code_challenge,
    nonce: p.nonce, sub: user.sub, scope: p.scope, auth_time: Math.floor(Date.now() / 1000),
    expires: Date.now() + CODE_TTL_MS, spent: false,
  });
  stats.codes_issued++;
  return redirect(withQuery(p.redirect_uri, { code, state: p.state }));
}

function errorPage(message) {
  return html(400, "Test identity provider: error", `<h1>Sign-in request refused</h1>
<p>${esc(message)}</p>
<p>This provider does not send you back to the application when the
client or its redirect URI is wrong.</p>`);
}

function signInPage(p, notice) {
  const hidden = AUTHORIZE_PARAMS.map((n) =>
    `<input type="hidden" name="${n}" value="${esc(p[n])}">`).join("\n");
  const list = [...users.values()].map((u) => `<li><button type="submit" name="user" value="${esc(u.sub)}">
  <span class="name">${esc(u.name)}</span>
  <span class="email">${esc(u.email)}</span>
  <span class="roles">${u.roles.length ? `roles: ${esc(u.roles.join(", "))}` : "no roles"}</span>
</button></li>`).join("\n");
  return html(200, "Test identity provider", `<h1>Test identity provider</h1>
<p>Sign in to <code>${esc(p.client_id)}</code> as:</p>
${notice ? `<p class="notice">${esc(notice)}</p>` : ""}
<form method="post" action="/oauth/v2/authorize">
${hidden}
${list ? `<ul>\n${list}\n</ul>` : `<p class="notice">There are no test users: add some with POST /test/users.</p>`}
<div class="cancel"><button type="submit" name="cancel" value="1">Cancel</button></div>
</form>`);
}

async function authorizeGet(req) {
  stats.authorize_requests++;
  const q = new URL(req.url, "http://x").searchParams;
  const checked = checkAuthorize(q);
  if (checked.page) return errorPage(checked.page);
  if (checked.redirect) return redirect(checked.redirect);
  const p = checked.params;
  const hint = q.get("login_hint");
  const user = hint ? userByEmail(hint) : undefined;
  if (user) return issueCode(p, user);
  if ((q.get("prompt") || "").split(" ").includes("none"))
    return redirect(fail(q, "prompt=none and no user matches login_hint", "login_required").redirect);
  return signInPage(p, hint ? `No test user has the email ${hint}.` : "");
}

async function authorizePost(req) {
  const q = await form(req);
  if (!q) return errorPage("The sign-in form must be application/x-www-form-urlencoded.");
  const checked = checkAuthorize(q);
  if (checked.page) return errorPage(checked.page);
  if (checked.redirect) return redirect(checked.redirect);
  const p = checked.params;
  if (q.get("cancel")) return redirect(fail(q, "the user cancelled the sign-in", "access_denied").redirect);
  const user = users.get(q.get("user") || "");
  if (!user) return signInPage(p, "Pick one of the users below.");
  return issueCode(p, user);
}

/* ------------------------------------------------------------ token */

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

function sameString(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

// The client of a token request, from HTTP Basic or the form; throws
// OAuthError when it is missing, unknown or not authenticated.
function client(req, f) {
  const auth = req.headers.authorization || "";
  let id = f.get("client_id") || "";
  let secret = f.get("client_secret") || "";
  if (/^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new OAuthError("invalid_client", "malformed Basic credentials", 401);
    let bid, bsecret;
    try {
      bid = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
      bsecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
    } catch {
      throw new OAuthError("invalid_client", "malformed Basic credentials", 401);
    }
    if (secret) throw new OAuthError("invalid_request", "client_secret given both in Basic and in the form");
    if (id && id !== bid) throw new OAuthError("invalid_request", "client_id differs from the Basic user");
    id = bid;
    secret = bsecret;
  }
  if (!id) throw new OAuthError("invalid_request", "client_id is missing");
  if (id !== CLIENT_ID) throw new OAuthError("invalid_client", `unknown client "${id}"`, 401);
  if (CLIENT_SECRET && !sameString(secret, CLIENT_SECRET))
    throw new OAuthError("invalid_client",
      secret ? "wrong client secret" : "client authentication is required", 401);
  return id;
}

function tokens(clientId, user, { nonce, auth_time }) {
  const ttlSeconds = config.access_token_ttl;
  const claims = {
    sub: user.sub,
    aud: [AUDIENCE, clientId],
    client_id: clientId,
    email: user.email,
    email_verified: true,
    name: user.name,
    "urn:zitadel:iam:user:resourceowner:id": user.org_id,
    "urn:zitadel:iam:org:project:roles": Object.fromEntries(
      user.roles.map((r) => [r, { [user.org_id]: user.email.split("@").pop() }])),
  };
  if (user.account_id) claims[ACCOUNT_CLAIM] = user.account_id;
  const access_token = mint({ claims, expires_in: ttlSeconds });
  const hash = createHash("sha256").update(access_token).digest();
  const id = {
    sub: user.sub, aud: clientId, azp: clientId, auth_time,
    at_hash: hash.subarray(0, 16).toString("base64url"),
    email: user.email, email_verified: true, name: user.name,
  };
  if (nonce) id.nonce = nonce;
  return { access_token, token_type: "Bearer", expires_in: ttlSeconds, id_token: mint({ claims: id, expires_in: ttlSeconds }) };
}

// Drops the codes and refresh tokens of the users whose sub matches.
function forget(match) {
  for (const [rt, v] of refreshTokens) if (match(v.sub)) refreshTokens.delete(rt);
  for (const [c, v] of codes) if (match(v.sub)) codes.delete(c);
}

function newRefreshToken(clientId, sub, scope, auth_time, family) {
  const rt = token();
  refreshTokens.set(rt, { client_id: clientId, sub, scope, auth_time, family });
  return rt;
}

function codeGrant(clientId, f) {
  const code = f.get("code");
  const redirectUri = f.get("redirect_uri");
  const verifier = f.get("code_verifier");
  if (!code) throw new OAuthError("invalid_request", "code is missing");
  if (!redirectUri) throw new OAuthError("invalid_request", "redirect_uri is missing");
  if (!verifier) throw new OAuthError("invalid_request", "code_verifier is missing (PKCE is required)");
  if (!VERIFIER.test(verifier))
    throw new OAuthError("invalid_request", "code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
  sweep();
  const c = codes.get(code);
  if (!c) throw new OAuthError("invalid_grant", "unknown or expired code");
  if (c.spent) {
    for (const [rt, v] of refreshTokens) if (v.family === code) refreshTokens.delete(rt);
    throw new OAuthError("invalid_grant", "code already used; the tokens issued from it are revoked");
  }
  c.spent = true;	// a failed attempt spends it too
  if (Date.now() > c.expires) throw new OAuthError("invalid_grant", "code expired");
  if (c.client_id !== clientId) throw new OAuthError("invalid_grant", "code was issued to another client");
  if (c.redirect_uri !== redirectUri) throw new OAuthError("invalid_grant", "redirect_uri differs from the authorized one");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  if (!sameString(challenge, c.code_challenge)) throw new OAuthError("invalid_grant", "code_verifier does not match code_challenge");
  const user = users.get(c.sub);
  if (!user) throw new OAuthError("invalid_grant", "the user no longer exists");
  return {
    ...tokens(clientId, user, c),
    refresh_token: newRefreshToken(clientId, user.sub, c.scope, c.auth_time, code),
    scope: c.scope,
  };
}

function refreshGrant(clientId, f) {
  const rt = f.get("refresh_token");
  if (!rt) throw new OAuthError("invalid_request", "refresh_token is missing");
  const r = refreshTokens.get(rt);
  if (!r) throw new OAuthError("invalid_grant", "unknown, used or revoked refresh token");
  if (r.client_id !== clientId) throw new OAuthError("invalid_grant", "refresh token was issued to another client");
  const user = users.get(r.sub);
  if (!user) {
    refreshTokens.delete(rt);
    throw new OAuthError("invalid_grant", "the user no longer exists");
  }
  let scope = r.scope;
  if (f.get("scope")) {
    const granted = r.scope.split(" ");
    const asked = f.get("scope").split(" ");
    if (!asked.every((s) => granted.includes(s)))
      throw new OAuthError("invalid_scope", "scope exceeds the one originally granted");
    scope = asked.join(" ");
  }
  refreshTokens.delete(rt);
  return {
    ...tokens(clientId, user, { auth_time: r.auth_time }),
    refresh_token: newRefreshToken(clientId, user.sub, r.scope, r.auth_time, r.family),
    scope,
  };
}

async function tokenEndpoint(req) {
  try {
    const f = await form(req);
    if (!f) throw new OAuthError("invalid_request", "the body must be application/x-www-form-urlencoded");
    const grant = f.get("grant_type") || "";
    stats.token_requests[grant === "authorization_code" || grant === "refresh_token" ||
      grant === "client_credentials" ? grant : "other"]++;
    for (const name of new Set(f.keys()))
      if (f.getAll(name).length > 1) throw new OAuthError("invalid_request", `"${name}" is given more than once`);
    if (!grant) throw new OAuthError("invalid_request", "grant_type is missing");
    if (grant === "client_credentials") return mgmt.clientCredentials(req, f);
    if (grant !== "authorization_code" && grant !== "refresh_token")
      throw new OAuthError("unsupported_grant_type", `grant_type "${grant}" is not supported`);
    const clientId = client(req, f);
    const answer = grant === "authorization_code" ? codeGrant(clientId, f) : refreshGrant(clientId, f);
    return [200, answer, NO_STORE];
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    const headers = { ...NO_STORE };
    if (e.status === 401) headers["WWW-Authenticate"] = 'Basic realm="idp"';
    return [e.status, { error: e.error, error_description: e.message }, headers];
  }
}

/* ------------------------------------------------------------ routes */

async function userinfo(req) {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || "");
  const claims = m && verified(m[1]);
  const user = claims && users.get(claims.sub);
  if (!user || !Array.isArray(claims.aud) || !claims.aud.includes(AUDIENCE))
    return [401, { error: "invalid_token" }, { "WWW-Authenticate": 'Bearer error="invalid_token"' }];
  return [200, { sub: user.sub, email: user.email, email_verified: true, name: user.name,
    "urn:zitadel:iam:user:resourceowner:id": user.org_id }, NO_STORE];
}

async function endSession(req) {
  stats.end_session_requests++;
  const q = new URL(req.url, "http://x").searchParams;
  const to = q.get("post_logout_redirect_uri");
  if (to && httpUrl(to)) return redirect(withQuery(to, { state: q.get("state") }));
  return html(200, "Test identity provider: signed out",
    "<h1>Signed out</h1>\n<p>You are signed out of the test identity provider.</p>");
}

const routes = {
  "GET /.well-known/openid-configuration": async () => [200, {
    issuer,
    authorization_endpoint: `${issuer}/oauth/v2/authorize`,
    token_endpoint: `${issuer}/oauth/v2/token`,
    userinfo_endpoint: `${issuer}/oidc/v1/userinfo`,
    end_session_endpoint: `${issuer}/oidc/v1/end_session`,
    jwks_uri: `${issuer}/oauth/v2/keys`,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
    subject_types_supported: ["public"],
    code_challenge_methods_supported: ["S256"],
    id_token_signing_alg_values_supported: ["RS256"],
    token_endpoint_auth_methods_supported: ["none", "client_secret_post", "client_secret_basic"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    claims_supported: ["sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "at_hash", "azp",
      "email", "email_verified", "name", "urn:zitadel:iam:user:resourceowner:id",
      "urn:zitadel:iam:org:project:roles", ACCOUNT_CLAIM],
  }],
  "GET /oauth/v2/keys": async () => {
    stats.jwks_fetches++;
    if (jwksFailing) return [500, { error: "failing on purpose" }];
    return [200, { keys: keys.map((k) => k.jwk) }];
  },
  "GET /oauth/v2/authorize": authorizeGet,
  "POST /oauth/v2/authorize": authorizePost,
  "POST /oauth/v2/token": tokenEndpoint,
  "GET /oidc/v1/userinfo": userinfo,
  "POST /oidc/v1/userinfo": userinfo,
  "GET /oidc/v1/end_session": endSession,
  "POST /test/token": async (req) => [200, { token: mint(await body(req)) }],
  "POST /test/rotate": async () => [200, { kid: rotate() }],
  "POST /test/jwks": async (req) => {
    jwksFailing = Boolean((await body(req)).failing);
    return [200, { failing: jwksFailing }];
  },
  "GET /test/users": async () => [200, [...users.values()]],
  "POST /test/users": async (req) => [200, addUsers(await body(req))],
  "DELETE /test/users": async (req) => {
    const sub = new URL(req.url, "http://x").searchParams.get("sub");
    if (sub === null) {
      const n = users.size;
      users.clear();
      forget(() => true);
      return [200, { removed: n }];
    }
    const removed = users.delete(sub) ? 1 : 0;
    forget((s) => s === sub);
    return [200, { removed }];
  },
  "POST /test/config": async (req) => {
    const b = await body(req);
    if (b.access_token_ttl !== undefined) config.access_token_ttl = ttl(b.access_token_ttl, "access_token_ttl");
    return [200, { ...config, client_id: CLIENT_ID, audience: AUDIENCE, account_claim: ACCOUNT_CLAIM }];
  },
  "GET /test/stats": async () => [200, stats],
};

createServer(async (req, res) => {
  const path = req.url.split("?")[0];
  const route = routes[`${req.method} ${path}`] || mgmt.route(req.method, path);
  if (!route) return send(res, 404, { error: "not_found" });
  try {
    const answer = await route(req);
    if (answer.reply) {
      res.writeHead(answer.status, answer.headers);
      res.end(answer.text);
    } else {
      send(res, answer[0], answer[1], answer[2]);
    }
  } catch (e) {
    send(res, 400, { error: String(e.message || e) });
  }
}).listen(port, "127.0.0.1", function () {
  issuer = `http://127.0.0.1:${this.address().port}`;
  console.log(`idp ready on ${issuer}`);
});

process.on("SIGTERM", () => process.exit(0));
