// The test identity provider: behaves like Zitadel for what
// console-cockpit uses, so the suites and script/server can sign users in
// without a real Zitadel. It lives in tests/ only; nothing in lib/ or
// cgi-bin/ knows it exists.
//
//   node tests/idp/idp.mjs [PORT]      listens on 127.0.0.1:PORT (0: any),
//                                      prints "idp ready on <issuer URL>"
//
// Zitadel's endpoints:
//   GET  /.well-known/openid-configuration
//   GET  /oauth/v2/keys                 the JWKS (RS256 keys, rotated below)
// Test controls (not Zitadel's):
//   POST /test/token  {"claims":{...}, "header":{...}, "expires_in":300,
//                      "sign_with":"current"|"stranger"|"stranger-as-current"}
//                                       -> {"token":...}
//   POST /test/rotate                   a new current key; old ones stay
//   POST /test/jwks   {"failing":true}  the JWKS endpoint answers 500
//   GET  /test/stats                    {"jwks_fetches":N}
import { createServer } from "node:http";
import { generateKeyPairSync, sign, randomUUID } from "node:crypto";

const port = Number(process.argv[2] || 0);
let issuer = "";	// known once listening

const keys = [];
let jwksFailing = false;
let jwksFetches = 0;

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

function body(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      try { resolve(data ? JSON.parse(data) : {}); } catch (e) { reject(e); }
    });
  });
}

function send(res, status, obj) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(obj));
}

const routes = {
  "GET /.well-known/openid-configuration": async () => [200, {
    issuer,
    jwks_uri: `${issuer}/oauth/v2/keys`,
    id_token_signing_alg_values_supported: ["RS256"],
  }],
  "GET /oauth/v2/keys": async () => {
    jwksFetches++;
    if (jwksFailing) return [500, { error: "failing on purpose" }];
    return [200, { keys: keys.map((k) => k.jwk) }];
  },
  "POST /test/token": async (req) => [200, { token: mint(await body(req)) }],
  "POST /test/rotate": async () => [200, { kid: rotate() }],
  "POST /test/jwks": async (req) => {
    jwksFailing = Boolean((await body(req)).failing);
    return [200, { failing: jwksFailing }];
  },
  "GET /test/stats": async () => [200, { jwks_fetches: jwksFetches }],
};

createServer(async (req, res) => {
  const route = routes[`${req.method} ${req.url.split("?")[0]}`];
  if (!route) return send(res, 404, { error: "not_found" });
  try {
    const [status, obj] = await route(req);
    send(res, status, obj);
  } catch (e) {
    send(res, 400, { error: String(e.message || e) });
  }
}).listen(port, "127.0.0.1", function () {
  issuer = `http://127.0.0.1:${this.address().port}`;
  console.log(`idp ready on ${issuer}`);
});

process.on("SIGTERM", () => process.exit(0));
