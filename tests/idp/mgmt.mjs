// The test identity provider's management API: the part of Zitadel's
// management API v1 (zitadel.management.v1.ManagementService, over its
// REST gateway) that provisioning uses, with Zitadel's request and answer
// shapes, and the client credentials grant that gives its tokens.
// tests/idp/idp.mjs mounts it; nothing in lib/ or cgi-bin/ knows it.
//
// Environment (optional):
//   IDP_MGMT_CLIENT_ID      the service client (cockpit-provisioner)
//   IDP_MGMT_CLIENT_SECRET  its secret (cockpit-provisioner-secret)
//
// The token endpoint (POST /oauth/v2/token, in idp.mjs) takes
//   grant_type=client_credentials, the client by HTTP Basic or the form,
//   scope with "openid" and "urn:zitadel:iam:org:project:id:zitadel:aud"
//   -> {"access_token","token_type":"Bearer","expires_in"}; errors as the
//   other grants' (400 invalid_request/invalid_scope, 401 invalid_client).
//
// Every management request needs "Authorization: Bearer T", T a token of
// that grant (not expired, not revoked) or a personal access token made
// with POST /test/mgmt {"pat"} (401 {"code":16,...} otherwise), and
// "x-zitadel-orgid: ORG" (400 without it); it acts in ORG only. Bodies
// are JSON objects whose members must be the request's own (400 on an
// unknown one). Errors are {"code":N,"message":"..."}, N a gRPC code.
//   POST /management/v1/users/_search          ListUsers: queries of
//        emailQuery {emailAddress, method}; the users are idp.mjs's users
//        of the organisation (id = their sub)
//   GET  /management/v1/users/{id}             GetUserByID -> {"user"}
//   POST /management/v1/projects/{id}/roles/_search   ListProjectRoles:
//        queries of keyQuery {key, method}
//   POST /management/v1/projects/{id}/roles    AddProjectRole {roleKey,
//        displayName, group?} (409 when the key exists)
//   POST /management/v1/users/grants/_search   ListUserGrants: queries of
//        userIdQuery {userId}, projectIdQuery {projectId}
//   POST /management/v1/users/{id}/grants      AddUserGrant {projectId,
//        roleKeys} (409 when the user has one on the project; 400 for a
//        role the project lacks) -> {"userGrantId","details"}
//   PUT  /management/v1/users/{id}/grants/{grant_id}   UpdateUserGrant
//        {roleKeys}
// An empty result list is left out of a search's answer, as Zitadel's
// gateway does.
//
// Test controls (not Zitadel's):
//   POST /test/mgmt {"org_id"?, "projects"?: [{"id", "roles"?: [{"key",
//        "displayName"?, "group"?}]}], "fail"?: null|"500"|"garbage"|
//        "slow"|"oversize", "fail_after"?: N, "slow_ms"?, "pat"?,
//        "revoke_tokens"?: true, "token_ttl"?: N}
//        projects are made in org_id (roles added); fail makes every
//        management request of org_id (after the next fail_after ones,
//        0 by default) answer 500, a 200 that is not JSON, nothing for
//        slow_ms (10000) before answering, or 2 MiB; pat is a
//        token that works from now on; revoke_tokens ends every token of
//        the client credentials grant -> the state, as GET answers it
//   GET  /test/mgmt?org_id=ORG  {"org_id","reads","writes","fail",
//        "projects":{ID:{"roles":[...]}},"grants":[...],
//        "token_grants":N,"tokens_active":N}; reads and writes count the
//        management requests that came for ORG (writes: every one that is
//        not a search or a GET), whatever their outcome
import { randomBytes, timingSafeEqual } from "node:crypto";

const CLIENT_ID = process.env.IDP_MGMT_CLIENT_ID || "cockpit-provisioner";
const CLIENT_SECRET = process.env.IDP_MGMT_CLIENT_SECRET || "cockpit-provisioner-secret";
const AUD_SCOPE = "urn:zitadel:iam:org:project:id:zitadel:aud";
const MAX_BODY = 1 << 20;
const OVERSIZE = 2 * 1024 * 1024;
const METHODS = new Set(["TEXT_QUERY_METHOD_EQUALS", "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE",
  "TEXT_QUERY_METHOD_CONTAINS", "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE",
  "TEXT_QUERY_METHOD_STARTS_WITH", "TEXT_QUERY_METHOD_STARTS_WITH_IGNORE_CASE"]);

// gRPC codes as Zitadel's gateway answers them.
const INVALID = 3, NOT_FOUND = 5, EXISTS = 6, UNAUTHENTICATED = 16;
const HTTP = { [INVALID]: 400, [NOT_FOUND]: 404, [EXISTS]: 409, [UNAUTHENTICATED]: 401 };

class ZitadelError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const zerr = (code, message) => new ZitadelError(code, message);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const newId = () => String(BigInt("0x" + randomBytes(7).toString("hex")) + 100000000000000000n);

function sameString(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      data += c;
      if (data.length > MAX_BODY) reject(zerr(INVALID, "body too large"));
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

// A JSON object body whose members are all in allowed.
async function jsonBody(req, allowed) {
  const text = await readBody(req);
  let b;
  try {
    b = text ? JSON.parse(text) : {};
  } catch {
    throw zerr(INVALID, "invalid JSON body");
  }
  if (b === null || typeof b !== "object" || Array.isArray(b)) throw zerr(INVALID, "the body must be a JSON object");
  for (const k of Object.keys(b))
    if (!allowed.includes(k)) throw zerr(INVALID, `unknown field "${k}"`);
  return b;
}

const isText = (v) => typeof v === "string" && v.length > 0 && v.length <= 200;

function textMatch(value, want, method = "TEXT_QUERY_METHOD_EQUALS") {
  if (!METHODS.has(method)) throw zerr(INVALID, `unknown method "${method}"`);
  const ic = method.endsWith("_IGNORE_CASE");
  const v = ic ? String(value).toLowerCase() : String(value);
  const w = ic ? String(want).toLowerCase() : String(want);
  if (method.includes("CONTAINS")) return v.includes(w);
  if (method.includes("STARTS_WITH")) return v.startsWith(w);
  return v === w;
}

// A search's queries: each one object of one known kind.
function queries(b, kinds) {
  if (b.query !== undefined && (typeof b.query !== "object" || b.query === null))
    throw zerr(INVALID, "query must be an object");
  for (const k of Object.keys(b.query || {}))
    if (!["offset", "limit", "asc"].includes(k)) throw zerr(INVALID, `unknown field "query.${k}"`);
  const list = b.queries === undefined ? [] : b.queries;
  if (!Array.isArray(list)) throw zerr(INVALID, "queries must be a list");
  return list.map((q) => {
    const keys = q && typeof q === "object" ? Object.keys(q) : [];
    if (keys.length !== 1 || !kinds[keys[0]]) throw zerr(INVALID, `unsupported query ${JSON.stringify(q)}`);
    const inner = q[keys[0]];
    for (const f of Object.keys(inner || {}))
      if (!kinds[keys[0]].includes(f)) throw zerr(INVALID, `unknown field "${keys[0]}.${f}"`);
    return [keys[0], inner];
  });
}

function limited(b, items) {
  const limit = Number(b.query?.limit || 0);
  const offset = Number(b.query?.offset || 0);
  const page = items.slice(offset, limit > 0 ? offset + limit : undefined);
  const answer = { details: { totalResult: String(items.length), viewTimestamp: new Date().toISOString() } };
  if (page.length > 0) answer.result = page;	// an empty list is left out
  return answer;
}

const details = (org) => ({ sequence: "1", creationDate: new Date().toISOString(),
  changeDate: new Date().toISOString(), resourceOwner: org });

export function managementApi(users) {
  const tokens = new Map();	// token -> expiry (ms)
  const pats = new Set();
  const orgs = new Map();	// org id -> state
  let tokenTtl = 300;
  let tokenGrants = 0;

  function org(id) {
    if (!orgs.has(id))
      orgs.set(id, { projects: new Map(), grants: new Map(), reads: 0, writes: 0, fail: null, failAfter: 0,
        slowMs: 10000 });
    return orgs.get(id);
  }

  function project(o, id) {
    const p = o.projects.get(id);
    if (!p) throw zerr(NOT_FOUND, "Project not found (Errors.Project.NotFound)");
    return p;
  }

  const userOf = (orgId, id) =>
    [...users.values()].find((u) => u.org_id === orgId && u.sub === id);

  function userJson(u) {
    return {
      id: u.sub, details: details(u.org_id), state: "USER_STATE_ACTIVE", userName: u.email,
      loginNames: [u.email], preferredLoginName: u.email,
      human: { profile: { displayName: u.name }, email: { email: u.email, isEmailVerified: true } },
    };
  }

  function grantJson(orgId, g) {
    const u = userOf(orgId, g.userId);
    return { id: g.id, details: details(orgId), roleKeys: [...g.roleKeys], state: "USER_GRANT_STATE_ACTIVE",
      userId: g.userId, email: u ? u.email : "", orgId, projectId: g.projectId, projectName: g.projectId };
  }

  function roleKeys(o, projectId, keys) {
    if (!Array.isArray(keys) || !keys.every(isText)) throw zerr(INVALID, "roleKeys must be a list of role keys");
    const p = project(o, projectId);
    for (const k of keys)
      if (!p.roles.has(k)) throw zerr(INVALID, `role ${k} is not a role of project ${projectId} (Errors.Project.Role.NotFound)`);
    return [...new Set(keys)];
  }

  /* ---------------------------------------------------- the endpoints */

  const endpoints = [
    ["POST", /^\/management\/v1\/users\/_search$/, async (req, o, orgId) => {
      const b = await jsonBody(req, ["query", "sortingColumn", "queries"]);
      const qs = queries(b, { emailQuery: ["emailAddress", "method"] });
      const found = [...users.values()].filter((u) => u.org_id === orgId &&
        qs.every(([, q]) => textMatch(u.email, q.emailAddress, q.method)));
      return [200, { ...limited(b, found.map(userJson)), sortingColumn: b.sortingColumn || "USER_FIELD_NAME_UNSPECIFIED" }];
    }],
    ["POST", /^\/management\/v1\/users\/grants\/_search$/, async (req, o, orgId) => {
      const b = await jsonBody(req, ["query", "queries"]);
      const qs = queries(b, { userIdQuery: ["userId"], projectIdQuery: ["projectId"] });
      const found = [...o.grants.values()].filter((g) => qs.every(([kind, q]) =>
        kind === "userIdQuery" ? g.userId === q.userId : g.projectId === q.projectId));
      return [200, limited(b, found.map((g) => grantJson(orgId, g)))];
    }],
    ["GET", /^\/management\/v1\/users\/([^/]+)$/, async (req, o, orgId, [id]) => {
      const u = userOf(orgId, id);
      if (!u) throw zerr(NOT_FOUND, "User could not be found (Errors.User.NotFound)");
      return [200, { user: userJson(u) }];
    }],
    ["POST", /^\/management\/v1\/projects\/([^/]+)\/roles\/_search$/, async (req, o, orgId, [pid]) => {
      const b = await jsonBody(req, ["query", "queries"]);
      const qs = queries(b, { keyQuery: ["key", "method"], displayNameQuery: ["displayName", "method"] });
      const found = [...project(o, pid).roles.values()].filter((r) => qs.every(([kind, q]) =>
        kind === "keyQuery" ? textMatch(r.key, q.key, q.method) : textMatch(r.displayName, q.displayName, q.method)));
      return [200, limited(b, found.map((r) => ({ ...r, details: details(orgId) })))];
    }],
    ["POST", /^\/management\/v1\/projects\/([^/]+)\/roles$/, async (req, o, orgId, [pid]) => {
      const b = await jsonBody(req, ["roleKey", "displayName", "group"]);
      if (!isText(b.roleKey) || !isText(b.displayName)) throw zerr(INVALID, "roleKey and displayName are required");
      if (b.group !== undefined && typeof b.group !== "string") throw zerr(INVALID, "group must be text");
      const p = project(o, pid);
      if (p.roles.has(b.roleKey)) throw zerr(EXISTS, "Role already exists (Errors.Project.Role.AlreadyExists)");
      p.roles.set(b.roleKey, { key: b.roleKey, displayName: b.displayName, group: b.group || "" });
      return [200, { details: details(orgId) }];
    }],
    ["POST", /^\/management\/v1\/users\/([^/]+)\/grants$/, async (req, o, orgId, [uid]) => {
      const b = await jsonBody(req, ["projectId", "projectGrantId", "roleKeys"]);
      if (!isText(b.projectId)) throw zerr(INVALID, "projectId is required");
      if (!userOf(orgId, uid)) throw zerr(NOT_FOUND, "User could not be found (Errors.User.NotFound)");
      const keys = roleKeys(o, b.projectId, b.roleKeys || []);
      if ([...o.grants.values()].some((g) => g.userId === uid && g.projectId === b.projectId))
        throw zerr(EXISTS, "User grant already exists (Errors.UserGrant.AlreadyExists)");
      const g = { id: newId(), userId: uid, projectId: b.projectId, roleKeys: keys };
      o.grants.set(g.id, g);
      return [200, { userGrantId: g.id, details: details(orgId) }];
    }],
    ["PUT", /^\/management\/v1\/users\/([^/]+)\/grants\/([^/]+)$/, async (req, o, orgId, [uid, gid]) => {
      const b = await jsonBody(req, ["roleKeys"]);
      const g = o.grants.get(gid);
      if (!g || g.userId !== uid) throw zerr(NOT_FOUND, "User grant not found (Errors.UserGrant.NotFound)");
      g.roleKeys = roleKeys(o, g.projectId, b.roleKeys || []);
      return [200, { details: details(orgId) }];
    }],
  ];

  function authorized(req) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization || "");
    if (!m) return false;
    if ([...pats].some((p) => sameString(p, m[1]))) return true;
    const exp = tokens.get(m[1]);
    return exp !== undefined && exp > Date.now();
  }

  // The answer a failing organisation gives instead of the real one.
  async function failure(o, answer) {
    if (o.fail && o.failAfter > 0) {
      o.failAfter--;
      return answer();
    }
    switch (o.fail) {
    case "500":
      return [500, { code: 13, message: "failing on purpose" }];
    case "garbage":
      return { reply: true, status: 200, headers: { "Content-Type": "text/html" }, text: "<html>not JSON</html>" };
    case "oversize":
      return { reply: true, status: 200, headers: { "Content-Type": "application/json" },
        text: JSON.stringify({ result: [], padding: "x".repeat(OVERSIZE) }) };
    case "slow":
      await sleep(o.slowMs);
      return answer();
    default:
      return answer();
    }
  }

  async function serve(req, handler, params) {
    if (!authorized(req))
      return [401, { code: UNAUTHENTICATED, message: "Errors.Token.Invalid" }, { "WWW-Authenticate": "Bearer" }];
    const orgId = req.headers["x-zitadel-orgid"];
    if (!orgId) return [400, { code: INVALID, message: "x-zitadel-orgid is missing" }];
    const o = org(orgId);
    const write = req.method !== "GET" && !req.url.split("?")[0].endsWith("/_search");
    if (write) o.writes++;
    else o.reads++;
    return failure(o, async () => {
      try {
        return await handler(req, o, orgId, params);
      } catch (e) {
        if (!(e instanceof ZitadelError)) throw e;
        return [HTTP[e.code] || 500, { code: e.code, message: e.message, details: [] }];
      }
    });
  }

  /* ---------------------------------------------------- token grant */

  // The service client from HTTP Basic or the form; null when unknown.
  function clientOf(req, f) {
    const auth = req.headers.authorization || "";
    let id = f.get("client_id") || "";
    let secret = f.get("client_secret") || "";
    if (/^basic /i.test(auth)) {
      const decoded = Buffer.from(auth.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 0) return null;
      try {
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
      } catch {
        return null;
      }
    }
    return sameString(id, CLIENT_ID) && sameString(secret, CLIENT_SECRET) ? id : null;
  }

  // grant_type=client_credentials at the token endpoint (f: the form).
  function clientCredentials(req, f) {
    const headers = { "Cache-Control": "no-store", Pragma: "no-cache" };
    if (!clientOf(req, f))
      return [401, { error: "invalid_client", error_description: "unknown service client or wrong secret" },
        { ...headers, "WWW-Authenticate": 'Basic realm="idp"' }];
    const scopes = (f.get("scope") || "").split(" ");
    if (!scopes.includes("openid") || !scopes.includes(AUD_SCOPE))
      return [400, { error: "invalid_scope", error_description: `scope must contain openid and ${AUD_SCOPE}` }, headers];
    const t = randomBytes(32).toString("base64url");
    tokens.set(t, Date.now() + tokenTtl * 1000);
    tokenGrants++;
    return [200, { access_token: t, token_type: "Bearer", expires_in: tokenTtl }, headers];
  }

  /* ---------------------------------------------------- test controls */

  function stateOf(orgId) {
    const o = org(orgId);
    return {
      org_id: orgId, reads: o.reads, writes: o.writes, fail: o.fail,
      projects: Object.fromEntries([...o.projects].map(([id, p]) => [id, { roles: [...p.roles.values()] }])),
      grants: [...o.grants.values()].map((g) => grantJson(orgId, g)),
      token_grants: tokenGrants,
      tokens_active: [...tokens.values()].filter((e) => e > Date.now()).length,
    };
  }

  async function control(req) {
    const b = await jsonBody(req, ["org_id", "projects", "fail", "fail_after", "slow_ms", "pat", "revoke_tokens",
      "token_ttl"]);
    if (b.pat !== undefined) {
      if (!isText(b.pat)) throw zerr(INVALID, "pat must be text");
      pats.add(b.pat);
    }
    if (b.revoke_tokens) tokens.clear();
    if (b.token_ttl !== undefined) {
      if (!Number.isInteger(b.token_ttl) || b.token_ttl < 1 || b.token_ttl > 86400) throw zerr(INVALID, "token_ttl: 1 to 86400");
      tokenTtl = b.token_ttl;
    }
    if (b.projects !== undefined || b.fail !== undefined || b.slow_ms !== undefined) {
      if (!isText(b.org_id)) throw zerr(INVALID, "org_id is required with projects, fail and slow_ms");
      if (b.fail_after !== undefined && (!Number.isInteger(b.fail_after) || b.fail_after < 0))
        throw zerr(INVALID, "fail_after: a whole number");
      const o = org(b.org_id);
      for (const p of b.projects || []) {
        if (!isText(p.id)) throw zerr(INVALID, "a project needs an id");
        const roles = o.projects.get(p.id)?.roles || new Map();
        for (const r of p.roles || []) roles.set(r.key, { key: r.key, displayName: r.displayName || r.key, group: r.group || "" });
        o.projects.set(p.id, { roles });
      }
      if (b.fail !== undefined) {
        if (![null, "500", "garbage", "slow", "oversize"].includes(b.fail)) throw zerr(INVALID, `unknown fail mode ${b.fail}`);
        o.fail = b.fail;
        o.failAfter = b.fail_after || 0;
      }
      if (b.slow_ms !== undefined) o.slowMs = Number(b.slow_ms);
    }
    return [200, b.org_id ? stateOf(b.org_id) : { token_grants: tokenGrants }];
  }

  // The handler of method and path, or undefined when it is not ours.
  function route(method, path) {
    if (path === "/test/mgmt" && method === "GET")
      return async (req) => {
        const orgId = new URL(req.url, "http://x").searchParams.get("org_id");
        return orgId ? [200, stateOf(orgId)] : [400, { error: "org_id is required" }];
      };
    if (path === "/test/mgmt" && method === "POST")
      return async (req) => {
        try {
          return await control(req);
        } catch (e) {
          if (e instanceof ZitadelError) return [400, { error: e.message }];
          throw e;
        }
      };
    for (const [m, re, handler] of endpoints) {
      const match = re.exec(path);
      if (match && m === method) return (req) => serve(req, handler, match.slice(1).map(decodeURIComponent));
    }
    if (path.startsWith("/management/v1/"))
      return async () => [404, { code: NOT_FOUND, message: "Not Found" }];
    return undefined;
  }

  return { clientCredentials, route };
}
