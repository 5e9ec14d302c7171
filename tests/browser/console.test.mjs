/*
 * The admin console (www/) in headless Chromium against a real stack.
 *
 * Run by tests/browser/suite.sh, which starts the test identity provider
 * and the stack, and sets:
 *   COCKPIT_URL, COCKPIT_MASTER_KEY  the stack, from its env file
 *   DATABASE_URL                     the owner role on the stack's database
 *   COCKPIT_BUILD_DIR                the build (cgi-bin/cockpitctl)
 *   COCKPIT_TEST_IDP                 the test identity provider's issuer
 *   COCKPIT_CHROMIUM                 the browser, /usr/bin/chromium
 *   COCKPIT_BROWSER_MODULES          the node_modules holding playwright-core
 *   COCKPIT_SCREENSHOTS              where the screenshot of each state goes
 *   COCKPIT_BROWSER_ONLY             optional: a regular expression; only
 *                                    the tests it matches run (and setup)
 *
 * The console signs in with single sign-on (the identity provider's
 * sign-in page, one button per user) or the break-glass credential; the
 * master key only sets things up through the API. One page, one test after
 * another; each test names what it checks and signs in again, as whom it
 * needs, when it needs to. Every account a test makes carries this run's
 * marker, so a test sees only its own; the first test makes the account
 * "Demo" that the identity provider's org-demo users belong to. Prints
 * PASS or FAIL per test and ends with "N passed, N failed".
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.log(`${name} is not set: run this through tests/browser/suite.sh`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
  return value;
}

const BASE = env("COCKPIT_URL");
const KEY = env("COCKPIT_MASTER_KEY");
const DATABASE_URL = env("DATABASE_URL");
const BUILD = env("COCKPIT_BUILD_DIR");
const IDP = new URL(env("COCKPIT_TEST_IDP")).origin;
const CHROMIUM = env("COCKPIT_CHROMIUM");
const SHOTS = env("COCKPIT_SCREENSHOTS");
const { chromium } = createRequire(import.meta.url)(join(env("COCKPIT_BROWSER_MODULES"), "playwright-core"));

/* Lowercase letters and digits: fits in a slug, unique to this run. */
const RUN = "t" + Date.now().toString(36).slice(-6) + Math.random().toString(36).slice(2, 5);
const WAIT_MS = 10000;  /* generous: make check may run the API suites alongside */

/* The identity provider's users (suite.sh) and the break-glass credential. */
const SUPER = { email: "super@demo.test" };
const ADMIN = { email: "admin@demo.test", name: "Ada Admin" };
const END_USER = { email: "user@demo.test", name: "Uma User" };
const STRAY = { email: "stray@nowhere.test" };
const BREAK_GLASS_USER = "ops";
const BREAK_GLASS_PASSWORD = "correct horse battery staple";
const demo = { account: null };  /* the account org-demo maps to */

/* ------------------------------------------------------------ checks */

class Failure extends Error {}

function check(condition, message) {
  if (!condition) {
    throw new Failure(message);
  }
}

function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/* Reads until ok(value) holds; fails naming what it waited for and the last value seen. */
async function until(what, read, ok, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  let value;
  for (;;) {
    value = await read();
    if (ok(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Failure(`waited ${timeout} ms for ${what}; last saw ${JSON.stringify(value)}`);
    }
    await sleep(50);
  }
}

/* --------------------------------------------------------------- API */

/* The API with the master key, from node: setting up, and checking what the console did. */
async function api(method, path, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${KEY}` };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(BASE + path, init);
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: json, text };
}

async function createAccount(name, slug) {
  const body = slug ? { name, slug } : { name };
  const r = await api("POST", "/v1/accounts", body);
  check(r.status === 201, `POST /v1/accounts ${JSON.stringify(body)}: expected 201, got ${r.status} ${r.text}`);
  return r.body;
}

/* Creates accounts a few at a time; returns them in the order given. */
async function createAccounts(specs, parallel = 4) {
  const made = new Array(specs.length);
  let next = 0;
  async function worker() {
    while (next < specs.length) {
      const i = next++;
      made[i] = await createAccount(specs[i].name, specs[i].slug);
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  return made;
}

async function getAccount(id) {
  const r = await api("GET", `/v1/accounts/${id}`);
  check(r.status === 200, `GET /v1/accounts/${id}: expected 200, got ${r.status} ${r.text}`);
  return r.body;
}

/* Every account matching q, following next_cursor, in the API's order. */
async function findAccounts(q) {
  const items = [];
  let cursor = null;
  do {
    const p = new URLSearchParams({ q, limit: "200" });
    if (cursor) {
      p.set("cursor", cursor);
    }
    const r = await api("GET", `/v1/accounts?${p}`);
    check(r.status === 200, `GET /v1/accounts?${p}: expected 200, got ${r.status} ${r.text}`);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return items;
}

/*
 * SQL as the owner role, acting for the platform (row-level security is
 * forced on the owner too): what the API cannot do yet.
 */
function ownerSql(sql) {
  try {
    execFileSync("psql", [DATABASE_URL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-c",
      `SELECT set_config('cockpit.platform', 'on', false); ${sql}`],
    { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    throw new Failure(`psql could not run ${sql}: ${e.stderr || e.message}`);
  }
}

function slugLiteral(account) {
  check(/^[a-z0-9-]+$/.test(account.slug), `unexpected slug ${account.slug}`);
  return `'${account.slug}'`;
}

async function setStatus(account, status) {
  ownerSql(`UPDATE accounts SET status = '${status}' WHERE slug = ${slugLiteral(account)}`);
  same((await getAccount(account.id)).status, status, `status of ${account.slug} after setting it`);
}

async function suspend(account) {
  await setStatus(account, "suspended");
}

/* -------------------------------------------------------------- page */

const seen = {
  consoleMessages: [],   /* {type, text, url} */
  pageErrors: [],
  cspViolations: [],
  failedRequests: [],
  listRequests: [],      /* URLs of GET /v1/accounts */
  listResponses: [],     /* their answers */
  listLoads: 0,          /* lists the console finished loading */
  apiRequests: [],       /* {method, path, account, csrf} of every /v1/ request */
  navigations: [],       /* URLs of every document request, both origins */
  documentHeaders: null, /* headers of the first answer for the page itself */
};

function watch(page) {
  page.on("console", (msg) => {
    seen.consoleMessages.push({ type: msg.type(), text: msg.text(), url: msg.location().url || "" });
  });
  page.on("pageerror", (error) => seen.pageErrors.push(String(error)));
  page.on("requestfailed", (request) => {
    const why = request.failure() ? request.failure().errorText : "failed";
    seen.failedRequests.push(`${request.method()} ${request.url()}: ${why}`);
  });
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.isNavigationRequest()) {
      seen.navigations.push(request.url());
    }
    if (url.origin === BASE && url.pathname.startsWith("/v1/")) {
      const h = request.headers();
      seen.apiRequests.push({
        method: request.method(),
        path: url.pathname + url.search,
        account: h["x-account-id"] || null,
        csrf: h["x-csrf-token"] || null,
      });
    }
    if (request.method() === "GET" && url.origin === BASE && url.pathname === "/v1/accounts") {
      seen.listRequests.push(request.url());
    }
  });
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (response.request().method() === "GET" && url.origin === BASE && url.pathname === "/v1/accounts") {
      seen.listResponses.push(response);
    }
    if (response.request().isNavigationRequest() && seen.documentHeaders === null && url.origin === BASE && url.pathname === "/") {
      seen.documentHeaders = response.headers();
    }
  });
}

async function shot(page, name, fullPage = false) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

async function isShown(page, selector) {
  return page.locator(selector).isVisible();
}

async function textOf(page, selector) {
  return ((await page.locator(selector).textContent()) || "").trim();
}

async function untilShown(page, selector, what = selector) {
  await until(`${what} to be shown`, () => isShown(page, selector), (v) => v === true);
}

async function untilHidden(page, selector, what = selector) {
  await until(`${what} to be hidden`, () => isShown(page, selector), (v) => v === false);
}

async function untilText(page, selector, ok, what) {
  return until(what, async () => ((await isShown(page, selector)) ? textOf(page, selector) : "(hidden)"), ok);
}

/* The rows of the accounts table, as the operator reads them. */
async function tableRows(page) {
  return page.$$eval("#accounts-body tr", (trs) => trs.map((tr) => ({
    id: tr.dataset.id,
    name: tr.querySelector(".name")?.textContent ?? null,
    slug: tr.querySelector(".slug")?.textContent ?? null,
    status: tr.querySelector(".status")?.textContent ?? null,
  })));
}

/*
 * Runs action, which makes the console load a list page, and waits until
 * the page is shown: the table's aria-busy went from true to false (the
 * page reports that, see main). Returns the answer to the last list request.
 */
async function reloadsList(page, action) {
  const loads = seen.listLoads;
  const answers = seen.listResponses.length;
  await action();
  await until("the console to load and show the accounts list", () => seen.listLoads, (n) => n > loads);
  await until("the answer to the list request", () => seen.listResponses.length, (n) => n > answers);
  return seen.listResponses[seen.listResponses.length - 1];
}

/*
 * Types text into the field a key at a time, 30 ms apart, until the list
 * it makes the console load is shown. Returns how many of the gaps
 * between keys, as the page saw them, were 200 ms or longer.
 */
async function typeTimed(page, selector, text) {
  await page.evaluate((sel) => {
    window.keyTimes = [];
    document.querySelector(sel).addEventListener("input", () => window.keyTimes.push(performance.now()));
  }, selector);
  await reloadsList(page, () => page.locator(selector).pressSequentially(text, { delay: 30 }));
  const times = await page.evaluate(() => window.keyTimes);
  same(times.length, text.length, "input events while typing");
  return times.slice(1).filter((t, i) => t - times[i] >= 200).length;
}

async function search(page, q) {
  return reloadsList(page, () => page.fill("#filter-q", q));
}

async function filterStatus(page, value) {
  return reloadsList(page, () => page.selectOption("#filter-status", value));
}

async function rowIds(page) {
  return (await tableRows(page)).map((r) => r.id);
}

async function storage(page) {
  return page.evaluate(() => ({
    session: Object.entries(sessionStorage),
    local: Object.entries(localStorage),
    cookie: document.cookie,
  }));
}

/* What the page's own fetch gets from the API (with the session's cookies). */
async function pageFetch(page, method, path, { headers = {}, body } = {}) {
  return page.evaluate(async ([m, p, h, b]) => {
    const init = { method: m, headers: { Accept: "application/json", ...h }, credentials: "same-origin" };
    if (b !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(b);
    }
    const res = await fetch(p, init);
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: json };
  }, [method, path, headers, body]);
}

async function csrfCookie(page) {
  const cookies = await page.context().cookies(BASE);
  const c = cookies.find((x) => x.name === "cockpit_csrf");
  return c ? c.value : null;
}

/*
 * Signed out, nothing stored: no cookies, an empty sessionStorage, and
 * the console's sign-in page with the ways of signing in shown.
 */
async function signedOut(page, path = "/") {
  await page.context().clearCookies();
  await page.goto(BASE + "/");
  await page.evaluate(() => sessionStorage.clear());
  await page.goto(BASE + path);
  await untilShown(page, "#sign-in", "the sign-in page");
  await until("the ways of signing in", async () => (await isShown(page, "#sso-button")) && (await isShown(page, "#break-glass-form")),
    (v) => v === true);
}

/*
 * Signs in as user through single sign-on: the console's button, then
 * the identity provider's button naming the user, then back.
 */
async function ssoSignIn(page, user, path = "/") {
  await signedOut(page, path);
  await page.click("#sso-button");
  await page.waitForURL((u) => u.origin === IDP, { timeout: WAIT_MS });
  await page.getByRole("button", { name: new RegExp(user.email.replace(/[.]/g, "\\.")) }).click();
  await page.waitForURL((u) => u.origin === BASE, { timeout: WAIT_MS });
}

async function whoIsShown(page) {
  return {
    name: await textOf(page, "#who-name"),
    role: await textOf(page, "#who-role"),
    method: await textOf(page, "#who-method"),
  };
}

/* Signed in as the super admin, acting for the whole platform, the accounts list shown. */
async function signIn(page) {
  if (await isShown(page, "#accounts-view") && (await textOf(page, "#who-name")) === SUPER.email) {
    return;
  }
  await reloadsList(page, () => ssoSignIn(page, SUPER));
  await untilShown(page, "#accounts-view", "the accounts view");
}

/* Opens the account's row in the detail panel and waits for its form. */
async function openRow(page, account) {
  await page.click(`#accounts-body tr[data-id="${account.id}"] .row-link`);
  await untilShown(page, "#detail-body", "the account's details");
  await until("the edit form to hold the account", () => page.inputValue("#edit-form-name"),
    (v) => v === account.name);
}

async function submitAndAnswer(page, method, button) {
  const answered = page.waitForResponse((r) => r.request().method() === method &&
    new URL(r.url()).pathname.startsWith("/v1/accounts"), { timeout: WAIT_MS });
  await page.click(button);
  return answered;
}

/* The switcher's options as shown: [{name, active, current}]. */
async function switcherOptions(page) {
  return page.$$eval("#switcher-list [role=option]", (lis) => lis.map((li) => ({
    id: li.id,
    name: li.querySelector(".option-name")?.textContent ?? "",
    selected: li.getAttribute("aria-selected") === "true",
    current: li.classList.contains("current"),
  })));
}

async function switcherState(page) {
  return page.evaluate(() => {
    const input = document.getElementById("switcher-input");
    const id = input.getAttribute("aria-activedescendant");
    const active = id ? document.getElementById(id) : null;
    return {
      value: input.value,
      expanded: input.getAttribute("aria-expanded"),
      active: active ? active.querySelector(".option-name")?.textContent ?? "" : null,
      focused: document.activeElement === input,
    };
  });
}

/* The /v1/ requests the page made since mark (an index into seen.apiRequests). */
function requestsSince(mark) {
  return seen.apiRequests.slice(mark);
}

/* ------------------------------------------------------------- tests */

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("setup: the account Demo for org-demo, and a break-glass credential", async () => {
  demo.account = await createAccount("Demo", `demo-${RUN}`);
  ownerSql(`UPDATE accounts SET auth_org_id = 'org-demo' WHERE slug = ${slugLiteral(demo.account)}`);
  try {
    execFileSync(join(BUILD, "cgi-bin", "cockpitctl"), ["break-glass", "set", "--user", BREAK_GLASS_USER],
      { input: BREAK_GLASS_PASSWORD + "\n", stdio: ["pipe", "pipe", "pipe"], env: process.env });
  } catch (e) {
    throw new Failure(`cockpitctl break-glass set failed: ${e.stderr || e.message}`);
  }
  const methods = await fetch(BASE + "/v1/auth/methods").then((r) => r.json());
  same(methods, { sso: { available: true, login_url: "/v1/auth/login" }, break_glass: { available: true } },
    "GET /v1/auth/methods");
});

test("signed out, the sign-in page offers single sign-on and the emergency break-glass form, and no master key", async (page) => {
  await signedOut(page);
  /* A master key an older console left in this tab is forgotten. */
  await page.evaluate(() => sessionStorage.setItem("console-cockpit.master-key", "0123456789abcdef".repeat(4)));
  await page.reload();
  await untilShown(page, "#sso-button", "the single sign-on button");
  same(await textOf(page, "#sso-button"), "Sign in with single sign-on", "the single sign-on button");
  same(await page.locator("#break-glass-title").textContent(), "Emergency sign-in for platform operators",
    "the break-glass form's heading");
  check(await page.getByLabel("Username").isVisible(), "no input labelled Username");
  same(await page.getByLabel("Password").getAttribute("type"), "password", "type of the input labelled Password");
  same(await page.getByLabel("Password").getAttribute("autocomplete"), "current-password", "autocomplete of the password");
  check(await page.getByRole("button", { name: "Sign in with break-glass" }).isVisible(), "no break-glass submit button");
  same(await page.locator("#sign-in input[name=key], #sign-in-form-key").count(), 0, "master-key inputs");
  check(!(await page.locator("#sign-in").textContent()).toLowerCase().includes("master key"), "the sign-in page mentions a master key");
  for (const id of ["#session", "#context-bar", "#accounts-view", "#account-view", "#me-view", "#sign-in-error"]) {
    check(!(await isShown(page, id)), `${id} is shown before signing in`);
  }
  same((await storage(page)).session, [], "sessionStorage on the sign-in page");
  same((await storage(page)).local, [], "localStorage");
  await shot(page, "01-sign-in");
});

test("single sign-on as the super admin: the IdP's button, back to where it started; the shell says who; the accounts list", async (page) => {
  const mark = seen.navigations.length;
  await reloadsList(page, () => ssoSignIn(page, SUPER, "/#from-test"));
  const login = seen.navigations.slice(mark).map((u) => new URL(u)).find((u) => u.pathname === "/v1/auth/login");
  check(login, `no navigation to /v1/auth/login among ${JSON.stringify(seen.navigations.slice(mark))}`);
  same(login.searchParams.get("return_to"), "/#from-test", "the return_to the console asked for");
  same(new URL(page.url()).hash, "#from-test", "the hash after signing in");
  await untilShown(page, "#accounts-view", "the accounts view");
  same(await whoIsShown(page), { name: SUPER.email, role: "Super admin", method: "Single sign-on" }, "the header");
  check(!(await page.getAttribute("#who-method", "class")).includes("warn"), "single sign-on is shown as a warning");
  check(!(await isShown(page, "#banner-break-glass")), "the break-glass banner is shown for single sign-on");
  check(await isShown(page, "#switcher-input"), "no account switcher for the super admin");
  same(await switcherState(page), { value: "Whole platform", expanded: "false", active: null, focused: false }, "the switcher");
  check(!(await isShown(page, "#sign-in")), "the sign-in page is still shown");
  check((await rowIds(page)).includes(demo.account.id), "Demo is not in the accounts list");
  const kept = await storage(page);
  same(kept.session, [], "sessionStorage while acting for the platform");
  check(!kept.cookie.includes("cockpit_session"), "the session cookie is readable by the page (not HttpOnly)");
  check(kept.cookie.includes("cockpit_csrf="), "no CSRF cookie for the page to read");
  await shot(page, "02-super-admin");
});

test("the status strip shows health OK, ready, and the schema version", async (page) => {
  await signIn(page);
  const readiness = await api("GET", "/readiness");
  same(readiness.status, 200, "GET /readiness");
  const version = String(readiness.body?.schema_version);
  check(/^[0-9]+$/.test(version), `GET /readiness has no schema_version: ${readiness.text}`);
  await untilText(page, "#health-value", (t) => t === "OK", "health OK");
  same(await page.getAttribute("#status-health", "data-state"), "ok", "the health item's state");
  await untilText(page, "#readiness-value", (t) => t === "Ready", "readiness Ready");
  same(await page.getAttribute("#status-readiness", "data-state"), "ok", "the readiness item's state");
  await untilText(page, "#schema-value", (t) => t === version, `schema version ${version}`);
});

test("the list shows accounts made through the API; search (debounced) and the status filter narrow it", async (page) => {
  const m = RUN + "list";
  const made = await createAccounts([1, 2, 3].map((i) => ({ name: `List ${m} ${i}`, slug: `${m}-${i}` })), 1);
  await suspend(made[1]);
  await signIn(page);

  /* A reload keeps the session (its cookie) and loads the list again. */
  await reloadsList(page, () => page.reload());
  check(await isShown(page, "#accounts-view"), "a reload signed the operator out");
  const all = await tableRows(page);
  for (const [i, a] of made.entries()) {
    const row = all.find((r) => r.id === a.id);
    check(row, `the unfiltered list has no row for ${a.slug}`);
    same([row.name, row.slug, row.status], [a.name, a.slug, i === 1 ? "Suspended" : "Active"], `the row of ${a.slug}`);
  }
  await shot(page, "03-list");

  const before = seen.listRequests.length;
  const pauses = await typeTimed(page, "#filter-q", m);
  await sleep(400); /* a late, undebounced request would show up here */
  const want = made.map((a) => a.id).sort();
  await until(`the rows after searching ${m} to be ${JSON.stringify(want)}`, async () => (await rowIds(page)).sort(),
    (ids) => JSON.stringify(ids) === JSON.stringify(want));
  const asked = seen.listRequests.slice(before).map((u) => new URL(u).searchParams.get("q"));
  /* Typing faster than the debounce delay makes one request; a busy
     machine's long pause between two keys may rightly make one more. */
  check(asked.length >= 1 && asked.length <= 1 + pauses && asked[asked.length - 1] === m,
    `list requests while typing ${m.length} keys with ${pauses} pause(s) of 200 ms or more: ` +
    `expected ${1 + pauses} at most, the last with q=${m}; got q=${JSON.stringify(asked)}`);
  await shot(page, "03-search");

  const suspended = await filterStatus(page, "suspended");
  same(new URL(suspended.url()).searchParams.get("status"), "suspended", "the status the console asked for");
  same(await rowIds(page), [made[1].id], "the rows with status Suspended");
  await shot(page, "03-suspended");
  await filterStatus(page, "active");
  same(await rowIds(page), [made[0].id, made[2].id], "the rows with status Active");
  await filterStatus(page, "");
  same(await rowIds(page), made.map((a) => a.id), "the rows with status Any");
});

test("Load more pages through 60 accounts without duplicates", async (page) => {
  await signIn(page);
  const m = RUN + "page";
  const specs = Array.from({ length: 60 }, (_, i) => ({ name: `Page ${m} ${i + 1}`, slug: `${m}-${i + 1}` }));
  await createAccounts(specs);
  const expected = (await findAccounts(m)).map((a) => a.id);
  same(expected.length, 60, "accounts the API finds for the marker");

  const first = await search(page, m);
  const limit = Number(new URL(first.url()).searchParams.get("limit") || 50);
  check(limit < 60, `the console asks for ${limit} a page: 60 accounts fit on one, nothing to page`);
  same(await rowIds(page), expected.slice(0, limit), `the first page (limit=${limit})`);
  check(await isShown(page, "#load-more"), "Load more is not shown with more to load");
  check(/more to load/.test(await textOf(page, "#list-count")), "the count does not say there is more");
  await page.locator("#load-more").scrollIntoViewIfNeeded();
  await shot(page, "04-first-page");

  const second = await reloadsList(page, () => page.click("#load-more"));
  check(new URL(second.url()).searchParams.get("cursor"), "Load more did not pass a cursor");
  const ids = await rowIds(page);
  same(new Set(ids).size, ids.length, "distinct rows after Load more");
  same(ids, expected, "the rows after Load more (the API's order)");
  check(!(await isShown(page, "#load-more")), "Load more is still shown on the last page");
  same(await textOf(page, "#list-count"), "Showing all 60 accounts", "the count");
  await page.locator("#accounts-view .list-foot").scrollIntoViewIfNeeded();
  await shot(page, "04-all-loaded");
});

test("the create form makes an account; a taken slug is shown next to the slug and creates nothing", async (page) => {
  await signIn(page);
  const m = RUN + "form";
  await search(page, m);
  same(await rowIds(page), [], "rows before creating");
  check(await isShown(page, "#list-empty"), "no 'no accounts match' message on an empty search");

  const name = `Form ${m}`;
  const slug = `${m}-a`;
  await page.fill("#create-form-name", name);
  await page.fill("#create-form-slug", slug);
  const created = await submitAndAnswer(page, "POST", "#create-form button[type=submit]");
  same(created.status(), 201, "the API's answer to the form");
  const csrf = await csrfCookie(page);
  check(csrf, "no cockpit_csrf cookie while signed in");
  same(created.request().headers()["x-csrf-token"], csrf, "the X-CSRF-Token the create form sent");
  same(created.request().headers()["x-account-id"], undefined, "the X-Account-Id the create form sent (whole platform)");
  await until("the new account in the table", () => tableRows(page),
    (rows) => rows.length === 1 && rows[0].name === name && rows[0].slug === slug);
  await untilText(page, "#create-form-note", (t) => t.includes(name), "the created note");
  await untilText(page, "#detail-title", (t) => t === name, "the new account in the detail panel");
  const found = await findAccounts(slug);
  same(found.map((a) => [a.name, a.slug, a.status]), [[name, slug, "active"]], `GET /v1/accounts?q=${slug}`);
  await shot(page, "05-created");

  const dupName = `Duplicate ${m}`;
  await page.fill("#create-form-name", dupName);
  await page.fill("#create-form-slug", slug);
  const refused = await submitAndAnswer(page, "POST", "#create-form button[type=submit]");
  same(refused.status(), 409, "the API's answer to a taken slug");
  const error = (await refused.json()).error;
  same([error.code, error.field], ["slug_taken", "slug"], "the API's error");
  await untilText(page, "#create-form-slug-error",
    (t) => t.toLowerCase().includes(error.message.toLowerCase()), `the API's message "${error.message}" by the slug`);
  same(await page.getAttribute("#create-form-slug", "aria-invalid"), "true", "aria-invalid on the slug");
  check(!(await isShown(page, "#create-form-name-error")), "an error is shown by the name");
  check(!(await isShown(page, "#create-form-error")), "a form-wide error is shown besides the slug's");
  same(await findAccounts(dupName), [], `GET /v1/accounts?q=${dupName}`);
  same((await findAccounts(m)).length, 1, `accounts with ${m}`);
  same((await tableRows(page)).length, 1, "rows after the refused create");
  await shot(page, "05-slug-taken");
});

test("the detail panel renames an account (PATCH); an invalid slug is shown next to the slug", async (page) => {
  await signIn(page);
  const m = RUN + "edit";
  const account = await createAccount(`Edit ${m}`, `${m}-a`);
  await search(page, m);
  same(await rowIds(page), [account.id], "rows after searching");
  await openRow(page, account);

  const renamed = `Renamed ${m}`;
  await page.fill("#edit-form-name", renamed);
  const saved = await submitAndAnswer(page, "PATCH", "#edit-form button[type=submit]");
  same(saved.status(), 200, "the API's answer to the rename");
  same(saved.request().postDataJSON(), { name: renamed }, "the PATCH body (the changed field only)");
  await untilText(page, "#edit-form-note", (t) => t === "Saved.", "the saved note");
  await until("the renamed row", () => tableRows(page), (rows) => rows.length === 1 && rows[0].name === renamed);
  same(await textOf(page, "#detail-title"), renamed, "the detail title");
  same((await getAccount(account.id)).name, renamed, `the name GET /v1/accounts/${account.id} gives`);
  same((await findAccounts(renamed)).map((a) => a.id), [account.id], `GET /v1/accounts?q=${renamed}`);
  await shot(page, "06-renamed");

  await page.fill("#edit-form-slug", "Not A Slug!");
  const refused = await submitAndAnswer(page, "PATCH", "#edit-form button[type=submit]");
  same(refused.status(), 422, "the API's answer to an invalid slug");
  const error = (await refused.json()).error;
  same([error.code, error.field], ["invalid_field", "slug"], "the API's error");
  await untilText(page, "#edit-form-slug-error",
    (t) => t.toLowerCase().includes(error.message.toLowerCase()), `the API's message "${error.message}" by the slug`);
  same(await page.getAttribute("#edit-form-slug", "aria-invalid"), "true", "aria-invalid on the slug");
  same((await getAccount(account.id)).slug, account.slug, "the slug after the refused PATCH");
  same((await tableRows(page))[0].slug, account.slug, "the slug in the table");
  await shot(page, "06-invalid-slug");
});

test("markup in a name is shown as text, never made into elements", async (page) => {
  await signIn(page);
  /* The hyphen keeps the marker's letters from running into "markup":
   * a marker ending in "de" made "demarkup", which the switcher's
   * search for "Dem" then found. */
  const m = RUN + "-markup";
  const made = await createAccounts([
    { name: `<b>x</b> ${m}`, slug: `${m}-b` },
    { name: `<img src=x onerror="window.injected=1"> ${m}`, slug: `${m}-img` },
  ], 1);
  await search(page, m);
  same((await tableRows(page)).map((r) => r.name), made.map((a) => a.name), "the names in the table");
  await openRow(page, made[0]);
  same(await textOf(page, "#detail-title"), made[0].name, "the detail title");
  const elements = await page.$$eval("main b, main img", (els) => els.map((e) => e.outerHTML));
  same(elements, [], "<b> and <img> elements in the page");
  same(await page.evaluate(() => window.injected), undefined, "window.injected (set by the onerror of the name)");
  await shot(page, "07-markup-as-text");
});

test("a cookie-session write without the CSRF token is refused (403); the console's own form sends it", async (page) => {
  await signIn(page);
  const m = RUN + "csrf";
  const body = { name: `No token ${m}`, slug: `${m}-none` };
  const bare = await pageFetch(page, "POST", "/v1/accounts", { body });
  same([bare.status, bare.body?.error?.code], [403, "csrf_failed"], "POST /v1/accounts from the page without X-CSRF-Token");
  const wrong = await pageFetch(page, "POST", "/v1/accounts", { headers: { "X-CSRF-Token": "not-the-token" }, body });
  same([wrong.status, wrong.body?.error?.code], [403, "csrf_failed"], "POST /v1/accounts with a wrong X-CSRF-Token");
  same(await findAccounts(m), [], "accounts the refused writes made");

  await search(page, m);
  const name = `Form ${m}`;
  await page.fill("#create-form-name", name);
  await page.fill("#create-form-slug", `${m}-form`);
  const created = await submitAndAnswer(page, "POST", "#create-form button[type=submit]");
  same(created.status(), 201, "the API's answer to the console's create form");
  same(created.request().headers()["x-csrf-token"], await csrfCookie(page), "the X-CSRF-Token the form sent");
  await untilText(page, "#create-form-note", (t) => t.includes(name), "the created note");
  await until("the new account in the table", () => tableRows(page), (rows) => rows.length === 1 && rows[0].name === name);
  same((await findAccounts(m)).map((a) => a.name), [name], "accounts with the marker");
  await shot(page, "08-csrf-form");
});

test("the account switcher: typing finds Demo; choosing it acts inside Demo (X-Account-Id); Whole platform clears it", async (page) => {
  await signIn(page);
  await page.click("#switcher-input");
  await until("the switcher to open", () => switcherState(page), (s) => s.expanded === "true");
  await page.locator("#switcher-input").pressSequentially("Dem", { delay: 20 });
  const options = await until("Demo among the switcher's options", () => switcherOptions(page),
    (o) => o.length === 2 && o[1].name === "Demo");
  same([options[0].name, options[0].current], ["Whole platform", true], "the first option (and current)");
  await untilText(page, "#switcher-status", (t) => t === "1 account matches “Dem”.", "the switcher's count");
  await shot(page, "09-switcher-search");

  const mark = seen.apiRequests.length;
  await page.locator("#switcher-list [role=option]").filter({ hasText: /^Demo/ }).click();
  await untilShown(page, "#account-view", "the page of the account acted in");
  await untilText(page, "#account-name", (t) => t === "Demo", "the account's name");
  await untilText(page, "#account-created", (t) => t !== "—" && t !== "", "the account's details");
  check(!(await isShown(page, "#accounts-view")), "the accounts list is shown while acting inside Demo");
  same(await textOf(page, "#account-id"), demo.account.id, "the account's id");
  same(await textOf(page, "#account-title"), "Acting inside an account", "the page's title");
  const state = await switcherState(page);
  same([state.value, state.expanded], ["Demo", "false"], "the switcher after choosing Demo");
  same(await whoIsShown(page), { name: SUPER.email, role: "Super admin", method: "Single sign-on" }, "the header");
  const after = requestsSince(mark);
  check(after.some((r) => r.path === "/v1/me/context"), `no GET /v1/me/context after choosing Demo: ${JSON.stringify(after)}`);
  check(after.some((r) => r.path === `/v1/accounts/${demo.account.id}`), `no GET of Demo's details: ${JSON.stringify(after)}`);
  const without = after.filter((r) => r.account !== demo.account.id);
  same(without, [], "requests after choosing Demo without X-Account-Id: Demo's id");
  check((await storage(page)).session.some(([, v]) => v.includes(demo.account.id)), "the choice is not in sessionStorage");
  await shot(page, "09-acting-in-demo");

  /* The choice outlives a reload of the tab. */
  const reloaded = seen.apiRequests.length;
  await page.reload();
  await untilShown(page, "#account-view", "the page of the account acted in, after a reload");
  await untilText(page, "#account-name", (t) => t === "Demo", "the account's name after a reload");
  same((await switcherState(page)).value, "Demo", "the switcher after a reload");
  const context = requestsSince(reloaded).find((r) => r.path === "/v1/me/context");
  same(context?.account, demo.account.id, "X-Account-Id of GET /v1/me/context after a reload");

  /* Whole platform, with the mouse: the toggle, then the option. */
  const cleared = seen.apiRequests.length;
  await page.click("#switcher-toggle");
  await until("the switcher's options", () => switcherOptions(page), (o) => o.length > 1 && o[0].name === "Whole platform");
  const demoOption = (await switcherOptions(page)).find((o) => o.name === "Demo");
  check(demoOption && demoOption.current, "Demo is not marked current in the list");
  await reloadsList(page, () => page.locator("#switcher-list [role=option]").filter({ hasText: /^Whole platform/ }).click());
  await untilShown(page, "#accounts-view", "the accounts list");
  check(!(await isShown(page, "#account-view")), "the account page is still shown");
  same((await switcherState(page)).value, "Whole platform", "the switcher after choosing Whole platform");
  same(requestsSince(cleared).filter((r) => r.account !== null), [], "requests with X-Account-Id after choosing Whole platform");
  same((await storage(page)).session, [], "sessionStorage after choosing Whole platform");
});

test("keyboard: the switcher opens with ArrowDown, moves with the arrows, chooses with Enter, closes with Escape", async (page) => {
  await signIn(page);
  await page.focus("#switcher-input");
  await page.keyboard.press("ArrowDown");
  await until("the list open, Whole platform highlighted", () => switcherState(page),
    (s) => s.expanded === "true" && s.active === "Whole platform" && s.focused);
  await until("the accounts in the list", () => switcherOptions(page), (o) => o.length > 1);
  same((await switcherOptions(page)).filter((o) => o.selected).map((o) => o.name), ["Whole platform"], "aria-selected options");
  await page.keyboard.press("Escape");
  await until("Escape to close the list", () => switcherState(page),
    (s) => s.expanded === "false" && s.active === null && s.value === "Whole platform" && s.focused);

  await page.keyboard.press("Control+A");
  await page.keyboard.type("Demo");
  await until("Demo highlighted as the first match", () => switcherState(page),
    (s) => s.expanded === "true" && s.active === "Demo");
  await page.keyboard.press("ArrowUp");
  await until("ArrowUp to highlight Whole platform", () => switcherState(page), (s) => s.active === "Whole platform");
  await page.keyboard.press("ArrowDown");
  await until("ArrowDown to highlight Demo", () => switcherState(page), (s) => s.active === "Demo");
  same((await switcherOptions(page)).filter((o) => o.selected).map((o) => o.name), ["Demo"], "aria-selected options");
  await shot(page, "10-switcher-keyboard");

  await page.keyboard.press("Enter");
  await untilShown(page, "#account-view", "the page of Demo");
  await until("the switcher closed on Demo, focus kept", () => switcherState(page),
    (s) => s.expanded === "false" && s.value === "Demo" && s.focused);
  await untilText(page, "#announcer", (t) => t.includes("Demo"), "the announcement of the switch");

  await page.keyboard.press("ArrowDown");
  await until("the list open, Whole platform highlighted", () => switcherState(page),
    (s) => s.expanded === "true" && s.active === "Whole platform");
  await reloadsList(page, () => page.keyboard.press("Enter"));
  await untilShown(page, "#accounts-view", "the accounts list");
  await until("the switcher closed on Whole platform", () => switcherState(page),
    (s) => s.expanded === "false" && s.value === "Whole platform" && s.focused);
});

test("single sign-on as an account admin: their own account's page, no accounts list, no switcher; a suspended account shows a banner", async (page) => {
  await ssoSignIn(page, ADMIN);
  await untilShown(page, "#account-view", "the account page");
  same(await whoIsShown(page), { name: ADMIN.name, role: "Account admin", method: "Single sign-on" }, "the header");
  same(await textOf(page, "#who-email"), ADMIN.email, "the email in the header");
  same(await textOf(page, "#who-account"), "Demo", "the account in the header");
  same(await textOf(page, "#account-title"), "Your account", "the page's title");
  await untilText(page, "#account-name", (t) => t === "Demo", "the account's name");
  await untilText(page, "#account-created", (t) => t !== "—" && t !== "", "the account's details");
  same(await textOf(page, "#account-id"), demo.account.id, "the account's id");
  for (const id of ["#accounts-view", "#switcher", "#create-form", "#filters", "#sign-in", "#banner-suspended", "#account-error"]) {
    check(!(await isShown(page, id)), `${id} is shown to an account admin`);
  }
  same((await pageFetch(page, "GET", "/v1/accounts")).status, 403, "GET /v1/accounts as an account admin");
  await shot(page, "11-account-admin");

  await suspend(demo.account);
  try {
    await page.reload();
    await untilShown(page, "#banner-suspended", "the suspended banner");
    check(/suspended/.test(await textOf(page, "#banner-suspended")), "the banner does not say suspended");
    await untilHidden(page, "#account-loading", "the account's loading note");
    same(await textOf(page, "#account-name"), "Demo", "the account's name while suspended");
    same(await textOf(page, "#account-status"), "Suspended", "the account's status");
    same(await textOf(page, "#who-account-status"), "Suspended", "the account's status in the header");
    check(!(await isShown(page, "#account-error")), "an error is shown besides the banner");
    await shot(page, "11-account-suspended");
  } finally {
    await setStatus(demo.account, "active");
  }
});

test("single sign-on as an end user: a simple page of who they are; nothing to manage", async (page) => {
  await ssoSignIn(page, END_USER);
  await untilShown(page, "#me-view", "the end user's page");
  same(await whoIsShown(page), { name: END_USER.name, role: "End user", method: "Single sign-on" }, "the header");
  same(await textOf(page, "#who-account"), "Demo", "the account in the header");
  same([await textOf(page, "#me-name"), await textOf(page, "#me-email"), await textOf(page, "#me-role"),
    await textOf(page, "#me-account"), await textOf(page, "#me-method")],
  [END_USER.name, END_USER.email, "End user", "Demo", "Single sign-on"], "the end user's page");
  for (const id of ["#accounts-view", "#account-view", "#switcher", "#create-form", "#filters", "#sign-in"]) {
    check(!(await isShown(page, id)), `${id} is shown to an end user`);
  }
  await shot(page, "12-end-user");
});

test("a user of no account comes back to sign-in with the account_unresolved message; every code has a sentence", async (page) => {
  await ssoSignIn(page, STRAY);
  await untilShown(page, "#sign-in", "the sign-in page");
  await untilText(page, "#sign-in-error", (t) => t.includes("belongs to no account"), "the account_unresolved message");
  same(new URL(page.url()).search, "", "the query once the message is shown");
  check(!(await isShown(page, "#session")), "the shell is shown to a user of no account");
  same((await pageFetch(page, "GET", "/v1/me/context")).status, 401, "GET /v1/me/context");
  await shot(page, "13-account-unresolved");

  for (const [code, pattern] of [
    ["state_invalid", /expired or was started in another tab/],
    ["idp_error", /identity provider did not sign you in/],
    ["code_refused", /refused to complete/],
    ["token_invalid", /could not be verified/],
    ["nonsense_code", /^Signing in failed \(nonsense_code\)\. Try again\.$/],
    ["<b>x</b>", /^Signing in failed\. Try again\.$/],
  ]) {
    await page.goto(`${BASE}/?signin_error=${encodeURIComponent(code)}#kept`);
    await untilText(page, "#sign-in-error", (t) => pattern.test(t), `the message for signin_error=${code}`);
    const url = new URL(page.url());
    same([url.search, url.hash], ["", "#kept"], `the address after signin_error=${code}`);
  }
  same(await page.locator("main b").count(), 0, "<b> elements made from signin_error");
});

test("break-glass: empty fields and a wrong password are refused; the right one signs in, shown as a warning", async (page) => {
  await signedOut(page);
  const submit = page.getByRole("button", { name: "Sign in with break-glass" });
  await submit.click();
  await untilText(page, "#break-glass-form-username-error", (t) => t.includes("username"), "the empty username's message");
  same(await page.getAttribute("#break-glass-form-username", "aria-invalid"), "true", "aria-invalid on the username");

  await page.getByLabel("Username").fill(BREAK_GLASS_USER);
  await page.getByLabel("Password").fill("not the password");
  const refused = page.waitForResponse((r) => new URL(r.url()).pathname === "/v1/auth/break-glass");
  await submit.click();
  same((await refused).status(), 401, "the API's answer to a wrong password");
  await untilText(page, "#break-glass-form-error", (t) => t.includes("username or password is wrong"), "the wrong-password message");
  same(await page.inputValue("#break-glass-form-password"), "", "the password after a refusal");
  same(await page.evaluate(() => document.activeElement?.id), "break-glass-form-password", "the focus after a refusal");
  check(!(await isShown(page, "#session")), "the shell is shown after a wrong password");
  await shot(page, "14-break-glass-refused");

  await page.getByLabel("Password").fill(BREAK_GLASS_PASSWORD);
  await reloadsList(page, () => submit.click());
  await untilShown(page, "#accounts-view", "the accounts list");
  same(await whoIsShown(page), { name: BREAK_GLASS_USER, role: "Super admin", method: "Break-glass" }, "the header");
  check((await page.getAttribute("#who-method", "class")).split(" ").includes("warn"), "break-glass is not a warning badge");
  check(await isShown(page, "#banner-break-glass"), "no break-glass banner");
  same(await page.evaluate(() => document.activeElement?.id), "accounts-title", "the focus after signing in");
  same(await page.inputValue("#break-glass-form-password"), "", "the password left in the hidden form");
  await shot(page, "14-break-glass");
});

test("sign out of a break-glass session: the sign-in page; /v1/me/context answers 401", async (page) => {
  if (!(await isShown(page, "#banner-break-glass"))) {
    await signedOut(page);
    await page.getByLabel("Username").fill(BREAK_GLASS_USER);
    await page.getByLabel("Password").fill(BREAK_GLASS_PASSWORD);
    await page.getByRole("button", { name: "Sign in with break-glass" }).click();
    await untilShown(page, "#banner-break-glass", "the break-glass banner");
  }
  const csrf = await csrfCookie(page);
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/v1/auth/logout");
  await page.click("#sign-out");
  const logout = await answered;
  same(logout.status(), 200, "the answer to POST /v1/auth/logout");
  same(logout.request().headers()["x-csrf-token"], csrf, "the X-CSRF-Token of the sign-out");
  same((await logout.json()).end_session_url, null, "end_session_url of a break-glass session");
  await untilShown(page, "#sign-in", "the sign-in page");
  for (const id of ["#session", "#context-bar", "#accounts-view", "#banner-break-glass"]) {
    check(!(await isShown(page, id)), `${id} is shown after signing out`);
  }
  same(await page.locator("#accounts-body tr").count(), 0, "rows left in the table after signing out");
  same(await page.evaluate(() => document.activeElement?.id), "sign-in-title", "the focus after signing out");
  same((await pageFetch(page, "GET", "/v1/me/context")).status, 401, "GET /v1/me/context after signing out");
  same((await page.context().cookies(BASE)).map((c) => c.name), [], "cookies after signing out");
  same((await storage(page)).session, [], "sessionStorage after signing out");
  await shot(page, "15-signed-out");
});

test("sign out of a single sign-on session: through the identity provider's end_session, back to sign-in", async (page) => {
  await signIn(page);
  const mark = seen.navigations.length;
  await page.click("#sign-out");
  await until("the identity provider's end_session", () => seen.navigations.slice(mark),
    (urls) => urls.some((u) => u.startsWith(IDP + "/oidc/v1/end_session")));
  await page.waitForURL((u) => u.origin === BASE, { timeout: WAIT_MS });
  await untilShown(page, "#sso-button", "the sign-in page");
  check(!(await isShown(page, "#session")), "the shell is shown after signing out");
  same((await pageFetch(page, "GET", "/v1/me/context")).status, 401, "GET /v1/me/context after signing out");
});

test("a session the server no longer accepts (401) sends back to sign-in", async (page) => {
  await signIn(page);
  await page.context().clearCookies();
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/v1/accounts");
  await page.selectOption("#filter-status", "active");
  same((await answered).status(), 401, "the API's answer without the session");
  await untilShown(page, "#sign-in", "the sign-in page after a 401");
  await untilText(page, "#sign-in-error", (t) => t.includes("session has ended"), "the message after a 401");
  check(!(await isShown(page, "#accounts-view")), "the accounts view is shown after a 401");
  check(!(await isShown(page, "#session")), "the shell is shown after a 401");
  await untilShown(page, "#sso-button", "the single sign-on button");
  await shot(page, "15-session-ended");
});

function cockpitctl(...args) {
  try {
    execFileSync(join(BUILD, "cgi-bin", "cockpitctl"), args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  } catch (e) {
    throw new Failure(`cockpitctl ${args.join(" ")} failed: ${e.stderr || e.message}`);
  }
}

test("break-glass switched off: the sign-in page offers single sign-on only", async (page) => {
  cockpitctl("break-glass", "off");
  try {
    await page.context().clearCookies();
    await page.goto(BASE + "/");
    await untilShown(page, "#sso-button", "the single sign-on button");
    await untilHidden(page, "#sign-in-loading", "the methods' loading note");
    check(!(await isShown(page, "#break-glass")), "the break-glass form is shown while it is off");
    const r = await pageFetch(page, "POST", "/v1/auth/break-glass",
      { body: { username: BREAK_GLASS_USER, password: BREAK_GLASS_PASSWORD } });
    same([r.status, r.body?.error?.code], [403, "break_glass_disabled"], "POST /v1/auth/break-glass while off");
    await shot(page, "16-break-glass-off");
  } finally {
    cockpitctl("break-glass", "on");
  }
});

async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const el = document.scrollingElement;
    return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth };
  });
}

async function checkNoHorizontalScroll(page, what) {
  const { scrollWidth, clientWidth } = await horizontalOverflow(page);
  check(scrollWidth <= clientWidth, `${what}: the page scrolls sideways (scrollWidth ${scrollWidth} > clientWidth ${clientWidth})`);
}

test("no horizontal scroll at 1280 and 800 px, long names included, in the list, the switcher and the account page", async (page) => {
  await signIn(page);
  const m = RUN + "wide";
  const wide = await createAccount(`Wide${"W".repeat(180)} ${m}`, `${m}-${"a".repeat(63 - m.length - 1)}`);
  await createAccount(`Short ${m}`, `${m}-short`);
  try {
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 900 });
      await search(page, width === 1280 ? m : `${m}-`);
      same((await tableRows(page)).length, 2, `rows at ${width} px`);
      await openRow(page, wide);
      await checkNoHorizontalScroll(page, `the accounts view at ${width} px`);
      await shot(page, `17-layout-${width}`, true);
    }

    await page.click("#switcher-input");
    await page.locator("#switcher-input").pressSequentially(m, { delay: 10 });
    await until("both accounts in the switcher", () => switcherOptions(page), (o) => o.length === 3);
    await checkNoHorizontalScroll(page, "the open switcher at 800 px");
    await shot(page, "17-switcher-800");
    await page.locator("#switcher-list [role=option]").filter({ hasText: /^Wide/ }).click();
    await untilText(page, "#account-name", (t) => t === wide.name, "the wide account's page");
    await checkNoHorizontalScroll(page, "the account page at 800 px");
    await shot(page, "17-account-800", true);
    await page.click("#switcher-toggle");
    await reloadsList(page, () => page.locator("#switcher-list [role=option]").filter({ hasText: /^Whole platform/ }).click());

    const mark = seen.navigations.length;
    await page.click("#sign-out");
    await until("the identity provider's end_session", () => seen.navigations.slice(mark),
      (urls) => urls.some((u) => u.startsWith(IDP + "/oidc/v1/end_session")));
    await untilShown(page, "#sso-button", "the sign-in page");
    await checkNoHorizontalScroll(page, "the sign-in page at 800 px");
    await shot(page, "17-sign-in-800");
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test("break-glass: after too many failures the form says how long to wait (429)", async (page) => {
  await signedOut(page);
  const submit = page.getByRole("button", { name: "Sign in with break-glass" });
  const statuses = [];
  while (statuses.length < 10 && statuses.at(-1) !== 429) {
    await page.getByLabel("Username").fill(BREAK_GLASS_USER);
    await page.getByLabel("Password").fill(`wrong ${statuses.length}`);
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/v1/auth/break-glass");
    await submit.click();
    const r = await answered;
    statuses.push(r.status());
    await until("the button to be usable again", () => submit.isEnabled(), (v) => v === true);
  }
  same(statuses.at(-1), 429, `the answers to repeated wrong passwords (${statuses.join(", ")})`);
  check(statuses.slice(0, -1).every((s) => s === 401), `answers before the 429: ${statuses.join(", ")}`);
  await untilText(page, "#break-glass-form-error", (t) => t.includes("Wait 15 minutes"), "the rate-limited message");
  await shot(page, "18-break-glass-rate-limited");
});

/* ------------------------------------------------ the pages of issue 5 */

async function goHash(page, hash) {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

/* The next answer to method on a path starting with prefix whose query satisfies ok. */
function answerTo(page, method, prefix, ok = () => true) {
  const answered = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return r.request().method() === method && u.origin === BASE && u.pathname.startsWith(prefix) && ok(u.searchParams, u);
  }, { timeout: WAIT_MS });
  answered.catch(() => {});  /* awaited by the caller, unless the action before it failed */
  return answered;
}

/* The links of the page navigation: [text, href, current]. */
async function navLinks(page) {
  return page.$$eval("#page-nav a", (as) => as.map((a) => [a.textContent, a.getAttribute("href"), a.getAttribute("aria-current") === "page"]));
}

/* A picker as shown: its input's value, open or not, the highlighted option, the options, the chips. */
async function pickerState(page, id) {
  return page.evaluate((pid) => {
    const input = document.getElementById(pid);
    const active = input.getAttribute("aria-activedescendant");
    const list = document.getElementById(pid + "-list");
    const chips = input.closest(".picker-field").querySelector(".chips");
    return {
      value: input.value,
      expanded: input.getAttribute("aria-expanded"),
      active: active ? document.getElementById(active)?.querySelector(".option-name")?.textContent ?? null : null,
      options: [...list.querySelectorAll("[role=option]")].map((li) => li.querySelector(".option-name").textContent),
      chips: [...chips.querySelectorAll(".chip-name")].map((c) => c.textContent),
      focused: document.activeElement === input,
    };
  }, id);
}

/* Chooses name in a picker with the keyboard alone: type, the arrows to it, Enter. */
async function pickByKeyboard(page, id, text, name) {
  await page.focus(`#${id}`);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text, { delay: 15 });
  let state = await until(`${name} among the options of #${id}, one highlighted`, () => pickerState(page, id),
    (v) => v.expanded === "true" && v.options.includes(name) && v.active !== null);
  for (let i = 0; i < state.options.length && state.active !== name; i++) {
    await page.keyboard.press("ArrowDown");
    state = await pickerState(page, id);
  }
  same(state.active, name, `the option highlighted in #${id}`);
  await page.keyboard.press("Enter");
}

/* The account page of account, loaded: the facts and every section. */
async function accountPageReady(page, account) {
  await untilShown(page, "#account-view", "the account page");
  await untilText(page, "#account-name", (t) => t === account.name, `the name of ${account.slug}`);
  await untilText(page, "#account-created", (t) => t !== "—" && t !== "", "the account's details");
  for (const id of ["#sso-body", "#pack-body", "#policy-body", "#entitlements-wrap"]) {
    await untilShown(page, id, id);
  }
  for (const table of ["#admins-table", "#keys-table"]) {
    await until(`${table} loaded`, () => page.getAttribute(table, "aria-busy"), (v) => v === "false");
  }
  await untilHidden(page, "#admins-loading", "the admins' loading note");
  await untilHidden(page, "#keys-loading", "the keys' loading note");
}

async function openAccountPage(page, account) {
  await goHash(page, `#/accounts/${account.id}`);
  await accountPageReady(page, account);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id || "");
}

async function createFeature(key, name, domain = "copilot") {
  const r = await api("POST", "/v1/features", { key, name, product_domain: domain, default_enabled: false });
  check(r.status === 201, `POST /v1/features ${key}: expected 201, got ${r.status} ${r.text}`);
  return r.body;
}

async function createPlan(body) {
  const r = await api("POST", "/v1/plans", body);
  check(r.status === 201, `POST /v1/plans ${body.slug}: expected 201, got ${r.status} ${r.text}`);
  return r.body;
}

test("the account page (super admin): opened from the list's panel; suspend and reactivate (POST …/status)", async (page) => {
  await signIn(page);
  const m = RUN + "life";
  const account = await createAccount(`Life ${m}`, `${m}-a`);
  await search(page, m);
  await openRow(page, account);
  await page.click("#detail-open");
  await accountPageReady(page, account);
  same(new URL(page.url()).hash, `#/accounts/${account.id}`, "the address of the account page");
  same(await textOf(page, "#account-title"), "Account", "the page's title");
  same(await textOf(page, "#account-id"), account.id, "the account's id");
  check(await isShown(page, "#account-back"), "no way back to the list");
  same(await navLinks(page), [["Accounts", "#/accounts", true], ["Summary", "#/summary", false],
    ["Plans & features", "#/catalogue", false], ["Audit log", "#/audit", false]], "the navigation");
  check(await isShown(page, "#sso-form") && await isShown(page, "#pack-form") && await isShown(page, "#policy-form"),
    "the super admin has no forms for single sign-on, the plan or the policy");
  same(await textOf(page, "#admins-empty"), "No admins yet. Add the first one below.", "the admins' empty state");
  same(await textOf(page, "#keys-empty"), "No API keys yet.", "the keys' empty state");
  await shot(page, "19-account-page", true);

  const suspended = answerTo(page, "POST", `/v1/accounts/${account.id}/status`);
  await page.click("#account-suspend");
  const r = await suspended;
  same([r.status(), r.request().postDataJSON()], [200, { status: "suspended" }], "the answer and body of the suspension");
  await untilText(page, "#account-status", (t) => t === "Suspended", "the Suspended badge");
  same((await getAccount(account.id)).status, "suspended", "the status the API gives");
  check(await isShown(page, "#account-activate") && !(await isShown(page, "#account-suspend")), "the buttons after suspending");
  same(await focusedId(page), "account-activate", "the focus after suspending");
  await shot(page, "19-account-suspended");

  const activated = answerTo(page, "POST", `/v1/accounts/${account.id}/status`);
  await page.keyboard.press("Enter");
  same((await activated).request().postDataJSON(), { status: "active" }, "the body of the reactivation");
  await untilText(page, "#account-status", (t) => t === "Active", "the Active badge");
  same((await getAccount(account.id)).status, "active", "the status the API gives after reactivating");

  await page.click("#account-back a");
  await untilShown(page, "#accounts-view", "the accounts list");
});

test("deleting an account: Delete… offers Suspend instead; Delete for good waits for the slug, then removes it (DELETE ?confirm=)", async (page) => {
  await signIn(page);
  const m = RUN + "gone";
  const account = await createAccount(`Gone ${m}`, `${m}-a`);
  await openAccountPage(page, account);
  await page.click("#account-delete");
  await untilShown(page, "#delete-dialog", "the delete dialog");
  same(await focusedId(page), "delete-form-confirm", "the focus in the dialog");
  same(await textOf(page, "#delete-slug"), account.slug, "the slug to type");
  check(await page.isDisabled("#delete-confirm"), "Delete for good is enabled before the slug is typed");
  await shot(page, "20-delete-dialog");

  const suspended = answerTo(page, "DELETE", `/v1/accounts/${account.id}`);
  await page.click("#delete-suspend");
  const s = await suspended;
  same([s.status(), new URL(s.url()).search], [200, ""], "DELETE without confirm");
  await untilHidden(page, "#delete-dialog", "the dialog to close");
  await untilText(page, "#account-status", (t) => t === "Suspended", "the Suspended badge");
  same((await getAccount(account.id)).status, "suspended", "the status after Suspend instead");

  await page.click("#account-delete");
  await untilShown(page, "#delete-dialog", "the delete dialog");
  await page.fill("#delete-form-confirm", account.slug.slice(0, -1));
  check(await page.isDisabled("#delete-confirm"), "Delete for good is enabled with the slug mistyped");
  await page.keyboard.press("Escape");
  await untilHidden(page, "#delete-dialog", "Escape to close the dialog");
  same(await focusedId(page), "account-delete", "the focus after Escape");
  same((await getAccount(account.id)).status, "suspended", "the account after Escape");

  await page.click("#account-delete");
  await page.fill("#delete-form-confirm", account.slug);
  check(await page.isEnabled("#delete-confirm"), "Delete for good is disabled with the slug typed");
  await shot(page, "20-delete-typed");
  const deleted = answerTo(page, "DELETE", `/v1/accounts/${account.id}`);
  await page.click("#delete-confirm");
  const d = await deleted;
  same([d.status(), new URL(d.url()).searchParams.get("confirm")], [200, account.slug], "DELETE ?confirm=<slug>");
  await untilShown(page, "#accounts-view", "the accounts list after deleting");
  same(new URL(page.url()).hash, "#/accounts", "the address after deleting");
  same((await api("GET", `/v1/accounts/${account.id}`)).status, 404, "GET of the deleted account");
  same(await findAccounts(m), [], "accounts with the marker after deleting");
});

test("single sign-on settings: saved (organisation and domains), a taken organisation shown by its field (409), cleared", async (page) => {
  await signIn(page);
  const m = RUN + "sso";
  const account = await createAccount(`Sso ${m}`, `${m}-a`);
  await openAccountPage(page, account);
  same(await textOf(page, "#sso-badge"), "Not configured", "the badge before");
  await page.fill("#sso-form-auth_org_id", `org-${m}`);
  await page.fill("#sso-form-domains", `a-${m}.example\nB-${m}.example`);
  const saved = answerTo(page, "POST", `/v1/accounts/${account.id}/sso`);
  await page.click("#sso-form button[type=submit]");
  const r = await saved;
  same([r.status(), r.request().postDataJSON()],
    [200, { domains: [`a-${m}.example`, `b-${m}.example`], auth_org_id: `org-${m}` }], "the answer and body");
  await untilText(page, "#sso-form-note", (t) => t === "Saved.", "the saved note");
  same(await textOf(page, "#sso-org"), `org-${m}`, "the organisation shown");
  same(await page.$$eval("#sso-domains li", (lis) => lis.map((li) => li.textContent)), [`a-${m}.example`, `b-${m}.example`], "the domains shown");
  same(await textOf(page, "#sso-badge"), "Configured", "the badge after");
  const sso = (await api("GET", `/v1/accounts/${account.id}/sso`)).body;
  same([sso.auth_org_id, sso.domains.map((d) => d.domain).sort()], [`org-${m}`, [`a-${m}.example`, `b-${m}.example`]], "the API's settings");
  await shot(page, "21-sso-saved");

  await page.fill("#sso-form-auth_org_id", "org-demo");
  const taken = answerTo(page, "POST", `/v1/accounts/${account.id}/sso`);
  await page.click("#sso-form button[type=submit]");
  const t = await taken;
  const error = (await t.json()).error;
  same([t.status(), error.code, error.field], [409, "org_taken", "auth_org_id"], "the answer to a taken organisation");
  await untilText(page, "#sso-form-auth_org_id-error", (x) => x.toLowerCase().includes(error.message.toLowerCase()), "the message by the field");
  same(await page.getAttribute("#sso-form-auth_org_id", "aria-invalid"), "true", "aria-invalid on the organisation");
  same(await focusedId(page), "sso-form-auth_org_id", "the focus after the refusal");
  same((await api("GET", `/v1/accounts/${account.id}/sso`)).body.auth_org_id, `org-${m}`, "the organisation after the refusal");
  await shot(page, "21-sso-taken");

  const cleared = answerTo(page, "DELETE", `/v1/accounts/${account.id}/sso`);
  await page.click("#sso-clear");
  same((await cleared).status(), 200, "the answer to clearing");
  await untilText(page, "#sso-badge", (x) => x === "Not configured", "the badge after clearing");
  same(await textOf(page, "#sso-org"), "Not set", "the organisation after clearing");
  const after = (await api("GET", `/v1/accounts/${account.id}/sso`)).body;
  same([after.auth_org_id, after.domains], [null, []], "the API's settings after clearing");
});

test("account admins: added by email (201, a new user), a bad email refused by its field, deactivated, reactivated, the role removed", async (page) => {
  await signIn(page);
  const m = RUN + "adm";
  const account = await createAccount(`Admins ${m}`, `${m}-a`);
  await openAccountPage(page, account);
  const email = `nia-${m}@example.test`;
  await page.fill("#admin-form-email", email);
  await page.fill("#admin-form-display_name", "Nia <i>New</i>");
  const added = answerTo(page, "POST", `/v1/accounts/${account.id}/admins`);
  await page.click("#admin-form button[type=submit]");
  const r = await added;
  same([r.status(), r.request().postDataJSON()], [201, { email, display_name: "Nia <i>New</i>" }], "the answer and body");
  await untilText(page, "#admin-form-note", (t) => t.includes("new user"), "the added note");
  await until("the admin's row", () => page.$$eval("#admins-body tr", (trs) => trs.map((tr) => tr.textContent)),
    (rows) => rows.length === 1 && rows[0].includes("Nia <i>New</i>") && rows[0].includes(email) && rows[0].includes("Active"));
  same(await page.locator("#admins-body i").count(), 0, "<i> elements made from the name");
  await shot(page, "22-admin-added");

  await page.fill("#admin-form-email", "not an email");
  const refused = answerTo(page, "POST", `/v1/accounts/${account.id}/admins`);
  await page.click("#admin-form button[type=submit]");
  const bad = await refused;
  same([bad.status(), (await bad.json()).error.field], [422, "email"], "the answer to a bad email");
  await untilShown(page, "#admin-form-email-error", "the message by the email");
  same(await page.getAttribute("#admin-form-email", "aria-invalid"), "true", "aria-invalid on the email");

  const row = page.locator(`#admins-body tr[data-email="${email}"]`);
  const patched = answerTo(page, "PATCH", `/v1/accounts/${account.id}/admins/`);
  await row.getByRole("button", { name: `Deactivate ${email}` }).click();
  same((await patched).request().postDataJSON(), { status: "inactive" }, "the PATCH body");
  await until("the row to say Inactive", () => row.textContent(), (t) => t.includes("Inactive"));
  await shot(page, "22-admin-inactive");
  const again = answerTo(page, "PATCH", `/v1/accounts/${account.id}/admins/`);
  await row.getByRole("button", { name: `Reactivate ${email}` }).click();
  same((await again).request().postDataJSON(), { status: "active" }, "the PATCH body");
  await until("the row to say Active", () => row.textContent(), (t) => t.includes("Active") && !t.includes("Inactive"));

  const removed = answerTo(page, "DELETE", `/v1/accounts/${account.id}/admins/`);
  await row.getByRole("button", { name: `Remove admin role of ${email}` }).click();
  same((await removed).status(), 200, "the answer to removing the role");
  await untilText(page, "#admins-empty", (t) => t.startsWith("No admins yet"), "the empty admins list");
  same((await api("GET", `/v1/accounts/${account.id}/admins`)).body.items, [], "the API's admins after removing");
});

test("plan, quotas, features: the plan picker by keyboard changes the plan (PUT feature-pack); a feature override; the console model policy", async (page) => {
  await signIn(page);
  const m = RUN + "pack";
  const feature = await createFeature(`copilot.${m}`, `Agents ${m}`);
  const plan = await createPlan({ slug: `plan-${m}`, name: `Plan ${m}`, quotas: { users: 5, teams: 2, agents: null, connections: 3, credits_per_cycle: "100.5" }, features: [feature.key] });
  const account = await createAccount(`Pack ${m}`, `${m}-a`);
  await openAccountPage(page, account);
  same(await textOf(page, "#pack-plan"), "No plan", "the plan before");

  await pickByKeyboard(page, "pack-form-plan", `Plan ${m}`, `Plan ${m}`);
  await until("the plan chosen", () => pickerState(page, "pack-form-plan"), (s) => s.value === `Plan ${m}` && s.expanded === "false" && s.focused);
  /* The products: Console toggled from what the account has. */
  const consoleBox = page.locator("#pack-form input[value=console]");
  const hadConsole = await consoleBox.isChecked();
  const hadCopilot = await page.locator("#pack-form input[value=copilot]").isChecked();
  await consoleBox.setChecked(!hadConsole);
  const domains = [...(hadCopilot ? ["copilot"] : []), ...(hadConsole ? [] : ["console"])];
  await shot(page, "23-plan-chosen");
  const put = answerTo(page, "PUT", `/v1/accounts/${account.id}/feature-pack`);
  await page.click("#pack-form button[type=submit]");
  const r = await put;
  const body = r.request().postDataJSON();
  same([r.status(), body], [200, { plan: plan.slug, product_domains: domains }], "the PUT");
  same((await api("GET", `/v1/accounts/${account.id}/feature-pack`)).body.product_domains.sort(), domains.sort(), "the products the API gives");
  await untilText(page, "#pack-form-note", (t) => t === "Saved.", "the saved note");
  await untilText(page, "#pack-plan", (t) => t.includes(`Plan ${m}`), "the plan shown");
  same(await textOf(page, "#pack-credits"), "100.5", "the credits a cycle");
  same(await page.$$eval("#pack-quotas li", (lis) => lis.map((li) => [li.dataset.quota, li.querySelector(".quota-value").textContent])),
    [["users", "0 of 5"], ["teams", "0 of 2"], ["agents", "0 used, no limit"], ["connections", "0 of 3"]], "the quotas shown");
  same((await api("GET", `/v1/accounts/${account.id}/feature-pack`)).body.plan?.slug, plan.slug, "the plan the API gives");

  const featureRow = page.locator(`#entitlements-body tr[data-feature="${feature.key}"]`);
  await until("the plan's feature on", () => featureRow.textContent(), (t) => t.includes("On") && t.includes("The plan"));
  const override = answerTo(page, "POST", "/v1/features/entitlements");
  await featureRow.locator("select").selectOption("off");
  const o = await override;
  same([o.status(), o.request().postDataJSON()], [200, { account_id: account.id, feature: feature.key, enabled: false }], "the override");
  await until("the feature off by override", () => featureRow.textContent(), (t) => t.includes("Off") && t.includes("An override"));
  const ent = await api("GET", `/v1/features/entitlements?account_id=${account.id}`);
  same(ent.body.items.find((i) => i.key === feature.key)?.enabled, false, "the entitlement the API gives");

  await page.check("#policy-form input[value=allow_list]");
  await page.fill("#policy-form-allowed_providers", "openai, anthropic");
  const policy = answerTo(page, "PUT", `/v1/accounts/${account.id}/console-model-policy`);
  await page.click("#policy-form button[type=submit]");
  same((await policy).request().postDataJSON(), { mode: "allow_list", allowed_providers: ["openai", "anthropic"] }, "the policy PUT");
  await untilText(page, "#policy-mode", (t) => t === "Only the allowed providers' models", "the mode shown");
  same(await textOf(page, "#policy-providers"), "openai, anthropic", "the providers shown");
  same((await api("GET", `/v1/accounts/${account.id}/console-model-policy`)).body.mode, "allow_list", "the policy the API gives");
  await shot(page, "23-plan-features-policy", true);
});

test("API keys: made with the secret shown once, rotated (a new secret), revoked after confirming", async (page) => {
  await signIn(page);
  const m = RUN + "keys";
  const account = await createAccount(`Keys ${m}`, `${m}-a`);
  await openAccountPage(page, account);
  await page.fill("#key-form-name", `Deploy ${m}`);
  const made = answerTo(page, "POST", `/v1/accounts/${account.id}/api-keys`);
  await page.click("#key-form button[type=submit]");
  const r = await made;
  same(r.status(), 201, "the answer to making a key");
  const key = (await r.json()).key;
  await untilShown(page, "#key-secret", "the new key's secret");
  same(await textOf(page, "#key-secret-value"), key, "the secret shown");
  same(await focusedId(page), "key-secret-hide", "the focus on the secret's Done");
  await shot(page, "24-key-secret");
  await page.keyboard.press("Enter");
  await untilHidden(page, "#key-secret", "the secret, once Done");
  same(await page.locator("#key-secret-value").textContent(), "", "the secret left in the page");
  check(!(await page.content()).includes(key), "the secret is still in the page");

  const row = page.locator("#keys-body tr").first();
  await until("the key's row", () => row.textContent(), (t) => t.includes(`Deploy ${m}`) && t.includes("Active"));
  const rotated = answerTo(page, "POST", `/v1/accounts/${account.id}/api-keys/`);
  await row.getByRole("button", { name: `Rotate Deploy ${m}` }).click();
  const rot = await rotated;
  const newKey = (await rot.json()).key;
  check(newKey && newKey !== key, "rotating gave no new secret");
  await untilText(page, "#key-secret-value", (t) => t === newKey, "the rotated secret");
  await page.click("#key-secret-hide");

  const before = seen.apiRequests.length;
  await row.getByRole("button", { name: `Revoke Deploy ${m}` }).click();
  await until("the confirmation", () => row.getByRole("button", { name: `Confirm revoke Deploy ${m}` }).count(), (n) => n === 1);
  same(requestsSince(before).filter((x) => x.method === "DELETE"), [], "requests before confirming the revocation");
  const revoked = answerTo(page, "DELETE", `/v1/accounts/${account.id}/api-keys/`);
  await row.getByRole("button", { name: `Confirm revoke Deploy ${m}` }).click();
  same((await revoked).status(), 200, "the answer to revoking");
  await until("the row to say Revoked", () => page.locator("#keys-body tr").first().textContent(), (t) => t.includes("Revoked"));
  same((await api("GET", `/v1/accounts/${account.id}/api-keys`)).body.items.map((k) => k.status), ["revoked"], "the keys the API gives");
  await shot(page, "24-key-revoked");
});

test("an account admin's page: their own account; lifecycle, single sign-on, plan and policy read-only; admins and API keys theirs", async (page) => {
  const promoted = await api("POST", `/v1/accounts/${demo.account.id}/admins`, { email: ADMIN.email });
  check(promoted.status === 200 || promoted.status === 201, `POST admins ${ADMIN.email}: ${promoted.status} ${promoted.text}`);
  await ssoSignIn(page, ADMIN);
  const demoAccount = demo.account;
  await accountPageReady(page, demoAccount);
  same(await textOf(page, "#account-title"), "Your account", "the page's title");
  same(await navLinks(page), [["Account", "#/account", true], ["Directory", "#/directory", false], ["Budgets", "#/budgets", false],
    ["Audit log", "#/audit", false]],
    "the navigation");
  for (const id of ["#lifecycle", "#account-back", "#sso-form", "#pack-form", "#policy-form"]) {
    check(!(await isShown(page, id)), `${id} is shown to an account admin`);
  }
  same(await page.locator("#entitlements-body select").count(), 0, "override selects for an account admin");
  const mine = page.locator(`#admins-body tr[data-email="${ADMIN.email}"]`);
  await until("the admin's own row", () => mine.textContent(), (t) => t.includes("You"));
  same(await mine.locator("button").count(), 0, "buttons on the admin's own row");
  check(await isShown(page, "#admin-form") && await isShown(page, "#key-form"), "no forms for admins and keys");
  await shot(page, "25-account-admin-page", true);

  const made = answerTo(page, "POST", `/v1/accounts/${demoAccount.id}/api-keys`);
  await page.fill("#key-form-name", `Admin key ${RUN}`);
  await page.click("#key-form button[type=submit]");
  same((await made).status(), 201, "an account admin making a key");
  await untilShown(page, "#key-secret", "the secret");
  await page.click("#key-secret-hide");

  const put = await pageFetch(page, "PUT", `/v1/accounts/${demoAccount.id}/feature-pack`,
    { headers: { "X-CSRF-Token": await csrfCookie(page) }, body: { plan: null } });
  same(put.status, 403, "PUT feature-pack as an account admin");
  const other = await createAccount(`Other ${RUN}`, `${RUN}-other`);
  same((await pageFetch(page, "GET", `/v1/accounts/${other.id}/admins`)).status, 404, "another account's admins");
  await goHash(page, `#/accounts/${other.id}`);
  await until("the account page to stay on Demo", () => textOf(page, "#account-id"), (t) => t === demoAccount.id);
  same(await textOf(page, "#account-name"), "Demo", "the account shown for another account's address");
});

test("an end user sees nothing to manage: no navigation; the audit log and admins are refused (403)", async (page) => {
  await ssoSignIn(page, END_USER);
  await untilShown(page, "#me-view", "the end user's page");
  check(!(await isShown(page, "#page-nav")), "the navigation is shown to an end user");
  for (const hash of ["#/audit", "#/summary", "#/catalogue", `#/accounts/${demo.account.id}`]) {
    await goHash(page, hash);
    await sleep(100);
    check(await isShown(page, "#me-view"), `${hash} left the end user's page`);
    for (const id of ["#audit-view", "#summary-view", "#catalogue-view", "#account-view"]) {
      check(!(await isShown(page, id)), `${id} is shown to an end user at ${hash}`);
    }
  }
  same((await pageFetch(page, "GET", "/v1/audit")).status, 403, "GET /v1/audit as an end user");
  same((await pageFetch(page, "GET", `/v1/accounts/${demo.account.id}/admins`)).status, 403, "GET admins as an end user");
  await shot(page, "26-end-user");
});

/* The rows of the audit table: [action, target text]. */
async function auditRows(page) {
  return page.$$eval("#audit-body tr", (trs) => trs.map((tr) => ({
    id: tr.dataset.id,
    actor: tr.querySelector(".actor button")?.textContent ?? "",
    action: tr.querySelector(".action button")?.textContent ?? "",
    account: tr.querySelector(".account")?.textContent ?? null,
  })));
}

/* Runs action and waits for the audit list it makes the console load, shown; returns the query it asked. */
async function auditLoads(page, action, ok = () => true) {
  const answered = answerTo(page, "GET", "/v1/audit", ok);
  await action();
  const r = await answered;
  await until("the audit table shown", () => page.getAttribute("#audit-table", "aria-busy"), (v) => v === "false");
  return { status: r.status(), params: new URL(r.url()).searchParams, body: await r.json() };
}

test("the audit log (super admin): the account picker by keyboard, actor, the action picker, a target, a time range, Load more, the platform", async (page) => {
  await signIn(page);
  const m = RUN + "aud";
  const account = await createAccount(`Audit ${m}`, `${m}-a`);
  check((await api("POST", `/v1/accounts/${account.id}/status`, { status: "suspended" })).status === 200, "suspending through the API");
  check((await api("PATCH", `/v1/accounts/${account.id}`, { name: `Audited ${m}` })).status === 200, "renaming through the API");
  const all = await auditLoads(page, () => page.click("#page-nav a[href='#/audit']"));
  await untilShown(page, "#audit-view", "the audit log");
  same(all.params.get("account_id"), null, "account_id with no filter");
  check((await auditRows(page)).length > 0, "no events shown");
  check(await isShown(page, "#audit-filters-account"), "no account picker for the super admin");
  await shot(page, "27-audit", true);

  /* The account, by keyboard: its events, newest first. */
  const one = await auditLoads(page, () => pickByKeyboard(page, "audit-filters-account", `Audited ${m}`, `Audited ${m}`),
    (p) => p.get("account_id") === account.id);
  const expected = (await api("GET", `/v1/audit?account_id=${account.id}`)).body.items;
  same(expected.map((e) => e.action), ["account.update", "account.suspend", "account.create"], "the account's events (API)");
  await until("the account's events shown", () => auditRows(page), (rows) => JSON.stringify(rows.map((r) => r.action)) === JSON.stringify(expected.map((e) => e.action)));
  same(one.body.items.map((e) => e.id), expected.map((e) => e.id), "the events the console got");
  await until("the account's name in the Account column", () => auditRows(page), (rows) => rows.every((r) => r.account === `Audited ${m}`));
  await shot(page, "27-audit-account");

  /* The action, by keyboard: suggestions, then Enter on the highlighted one. */
  const sus = await auditLoads(page, () => pickByKeyboard(page, "audit-filters-action", "account.sus", "account.suspend"),
    (p) => p.get("action") === "account.suspend");
  same(sus.params.get("account_id"), account.id, "the account kept with the action");
  await until("one suspend event", () => auditRows(page), (rows) => rows.length === 1 && rows[0].action === "account.suspend");
  await shot(page, "27-audit-action");
  await auditLoads(page, async () => {
    await page.focus("#audit-filters-action");
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Enter");
  }, (p) => p.get("action") === null);
  await until("the three events again", () => auditRows(page), (rows) => rows.length === 3);

  /* The actor, typed. */
  const actor = expected[0].actor;
  const byActor = await auditLoads(page, () => page.fill("#audit-filters-actor", actor), (p) => p.get("actor") === actor);
  check(byActor.body.items.length >= 1 && byActor.body.items.every((e) => e.actor === actor), "events of another actor");

  /* A time range from tomorrow: nothing. */
  const tomorrow = new Date(Date.now() + 86400000).toISOString().slice(0, 16);
  const none = await auditLoads(page, () => page.fill("#audit-filters-from", tomorrow), (p) => p.get("from") === `${tomorrow}:00Z`);
  same(none.body.items, [], "events from tomorrow");
  await untilText(page, "#audit-empty", (t) => t === "No events match these filters.", "the empty state");
  await shot(page, "27-audit-empty");
  await page.fill("#audit-filters-to", new Date(Date.now() - 86400000).toISOString().slice(0, 16));
  await page.click("#audit-filters button[type=submit]");
  await untilText(page, "#audit-filters-to-error", (t) => t === "Choose a time after From.", "the range's message");

  /* Clear filters: every event; a target clicked narrows to it. */
  await auditLoads(page, () => page.click("#audit-filters button[type=reset]"), (p) => p.get("from") === null && p.get("actor") === null);
  same((await pickerState(page, "audit-filters-account")).value, "All accounts", "the account picker after clearing");
  await auditLoads(page, () => pickByKeyboard(page, "audit-filters-account", `Audited ${m}`, `Audited ${m}`), (p) => p.get("account_id") === account.id);
  const target = await auditLoads(page, () => page.locator("#audit-body tr").first().locator(".target button").click(),
    (p) => p.get("target_id") === account.id);
  same(target.params.get("target_type"), "account", "the target type asked");
  await untilShown(page, "#audit-target", "the target filter");
  check((await textOf(page, "#audit-target-text")).includes(`Audited ${m}`), "the target filter does not name the account");
  await shot(page, "27-audit-target");
  await auditLoads(page, () => page.click("#audit-target-clear"), (p) => p.get("target_id") === null);

  /* The platform's own chain. */
  const platform = await auditLoads(page, () => pickByKeyboard(page, "audit-filters-account", "platform", "The platform only"),
    (p) => p.get("account_id") === "platform");
  check(platform.body.items.every((e) => e.account_id === null), "an account's event in the platform's chain");
  if (platform.body.items.length > 0) {
    await until("Platform in the Account column", () => auditRows(page), (rows) => rows.every((r) => r.account === "Platform"));
  }

  /* Every account: more than a page (the 60 accounts of the paging test), Load more. */
  await auditLoads(page, () => pickByKeyboard(page, "audit-filters-account", "All", "All accounts"), (p) => p.get("account_id") === null);
  await untilShown(page, "#audit-more", "Load more");
  const first = await auditRows(page);
  const more = await auditLoads(page, () => page.click("#audit-more"), (p) => p.get("cursor") !== null);
  check(more.body.items.length > 0, "Load more loaded nothing");
  const rows = await auditRows(page);
  same(rows.length, first.length + more.body.items.length, "the rows after Load more");
  same(new Set(rows.map((r) => r.id)).size, rows.length, "distinct events after Load more");
});

test("the audit log (account admin): their account's events only, no account picker", async (page) => {
  await ssoSignIn(page, ADMIN);
  await untilShown(page, "#account-view", "the account page");
  const got = await auditLoads(page, () => page.click("#page-nav a[href='#/audit']"));
  await untilShown(page, "#audit-view", "the audit log");
  same(got.params.get("account_id"), null, "the account_id an account admin sends");
  check(!(await isShown(page, "#audit-filters-account")), "an account picker for an account admin");
  check(!(await isShown(page, "#audit-account-head")), "an Account column for an account admin");
  const expected = (await api("GET", `/v1/audit?account_id=${demo.account.id}&limit=50`)).body;
  same(got.body.items.map((e) => e.id), expected.items.map((e) => e.id), "the events shown (Demo's, as the API gives them)");
  check(got.body.items.every((e) => e.account_id === demo.account.id), "another account's event");
  same(await navLinks(page), [["Account", "#/account", false], ["Directory", "#/directory", false], ["Budgets", "#/budgets", false],
    ["Audit log", "#/audit", true]], "the navigation");
  await shot(page, "28-audit-account-admin");
  await page.click("#page-nav a[href='#/account']");
  await untilShown(page, "#account-view", "back to the account page");
});

test("plans & features: a feature made; a plan made with quotas and features chosen by keyboard in the multi-select; edited; a taken slug by its field", async (page) => {
  await signIn(page);
  const m = RUN + "cat";
  const f1 = await createFeature(`console.a${m}`, `Alpha ${m}`, "console");
  await page.click("#page-nav a[href='#/catalogue']");
  await untilShown(page, "#catalogue-view", "the catalogue");
  await until("the features loaded", () => page.getAttribute("#features-table", "aria-busy"), (v) => v === "false");
  await until("the plans loaded", () => page.getAttribute("#plans-table", "aria-busy"), (v) => v === "false");

  /* A feature, with the form. */
  await page.click("#feature-new");
  same(await focusedId(page), "feature-panel-title", "the focus on a new feature");
  await page.fill("#feature-form-key", `copilot.b${m}`);
  await page.fill("#feature-form-name", `Beta <b>${m}</b>`);
  await page.selectOption("#feature-form-product_domain", "copilot");
  await page.check("#feature-form-default_enabled");
  const madeFeature = answerTo(page, "POST", "/v1/features");
  await page.click("#feature-save");
  const fr = await madeFeature;
  same([fr.status(), fr.request().postDataJSON()], [201, { name: `Beta <b>${m}</b>`, description: "", product_domain: "copilot", default_enabled: true, key: `copilot.b${m}` }], "the feature POST");
  await untilText(page, "#feature-form-note", (t) => t.startsWith("Created"), "the created note");
  await until("the feature in the table", () => page.locator(`#features-body tr[data-key="copilot.b${m}"]`).count(), (n) => n === 1);
  same(await page.locator("#catalogue-view b").count(), 0, "<b> elements made from a feature's name");
  await shot(page, "29-feature-made");

  /* A plan: quotas, and two features chosen by keyboard. */
  await page.click("#plan-new");
  await page.fill("#plan-form-name", `Gold ${m}`);
  await page.fill("#plan-form-slug", `gold-${m}`);
  await page.fill("#plan-form-users", "10");
  await page.fill("#plan-form-agents", "4");
  await page.fill("#plan-form-credits_per_cycle", "250.75");
  await page.focus("#plan-form-features");
  await page.keyboard.type(m, { delay: 10 });
  await until("both features offered", () => pickerState(page, "plan-form-features"),
    (s) => s.options.includes(`Alpha ${m}`) && s.options.includes(`Beta <b>${m}</b>`) && s.active !== null);
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await until("two chips", () => pickerState(page, "plan-form-features"), (s) => s.chips.length === 2);
  for (let i = 0; i <= m.length; i++) {
    await page.keyboard.press("Backspace");
  }
  await until("Backspace in the empty field removed the last chip", () => pickerState(page, "plan-form-features"), (s) => s.chips.length === 1);
  await page.keyboard.type(`Beta`, { delay: 10 });
  await pickByKeyboard(page, "plan-form-features", `Beta <b>${m}`, `Beta <b>${m}</b>`);
  await until("two chips again", () => pickerState(page, "plan-form-features"), (s) => s.chips.length === 2);
  await page.keyboard.press("Escape");
  await shot(page, "29-plan-form");
  const madePlan = answerTo(page, "POST", "/v1/plans");
  await page.click("#plan-save");
  const pr = await madePlan;
  const pbody = pr.request().postDataJSON();
  same(pr.status(), 201, "the answer to the plan");
  same([pbody.slug, pbody.quotas, [...pbody.features].sort()],
    [`gold-${m}`, { users: 10, teams: null, agents: 4, connections: null, credits_per_cycle: "250.75" }, [f1.key, `copilot.b${m}`].sort()], "the plan POST");
  await untilText(page, "#plan-form-note", (t) => t.startsWith("Created"), "the created note");
  const plan = (await pr.json());
  same([...plan.features].sort(), [f1.key, `copilot.b${m}`].sort(), "the plan's features (API)");

  /* Edited: the PATCH holds only what changed. */
  await page.fill("#plan-form-users", "");
  await page.selectOption("#plan-form-status", "retired");
  const patched = answerTo(page, "PATCH", `/v1/plans/${plan.id}`);
  await page.click("#plan-save");
  const pp = await patched;
  same([pp.status(), pp.request().postDataJSON()], [200, { status: "retired", quotas: { users: null } }], "the plan PATCH");
  await untilText(page, "#plan-form-note", (t) => t === "Saved.", "the saved note");
  await until("the plan retired in the table", () => page.locator(`#plans-body tr[data-id="${plan.id}"]`).textContent(), (t) => t.includes("Retired"));
  const got = (await api("GET", `/v1/plans/${plan.id}`)).body;
  same([got.status, got.quotas.users, got.quotas.agents], ["retired", null, 4], "the plan the API gives");
  await shot(page, "29-plan-edited");

  /* A taken slug. */
  await page.click("#plan-new");
  await page.fill("#plan-form-name", `Copy ${m}`);
  await page.fill("#plan-form-slug", `gold-${m}`);
  const taken = answerTo(page, "POST", "/v1/plans");
  await page.click("#plan-save");
  const t = await taken;
  same([t.status(), (await t.json()).error.field], [409, "slug"], "the answer to a taken slug");
  await untilShown(page, "#plan-form-slug-error", "the message by the slug");
  same(await focusedId(page), "plan-form-slug", "the focus after the refusal");
  await shot(page, "29-plan-slug-taken");
  await page.keyboard.press("Escape");
  await untilHidden(page, "#plan-panel", "Escape to close the plan");
});

/* The outcomes shown after a bulk action: {account name: outcome}. */
async function bulkOutcomes(page) {
  return page.$$eval("#bulk-results-body tr", (trs) => Object.fromEntries(trs.map((tr) => [tr.cells[0].textContent, tr.dataset.outcome])));
}

async function summaryLoads(page, action, ok = () => true) {
  const answered = answerTo(page, "GET", "/v1/super-admin/summary", ok);
  await action();
  const r = await answered;
  await until("the summary shown", () => page.getAttribute("#summary-table", "aria-busy"), (v) => v === "false");
  return { status: r.status(), params: new URL(r.url()).searchParams, body: await r.json() };
}

test("summary and bulk actions: totals, rows, select all; a dry run of suspend, then apply with one account deleted between: a failure shown", async (page) => {
  await signIn(page);
  const m = RUN + "bulk";
  const made = await createAccounts([1, 2, 3].map((i) => ({ name: `Bulk ${m} ${i}`, slug: `${m}-${i}` })), 1);
  await suspend(made[1]);
  const all = await summaryLoads(page, () => page.click("#page-nav a[href='#/summary']"));
  await untilShown(page, "#summary-view", "the summary");
  for (const k of ["accounts", "active", "suspended", "users", "open_alerts"]) {
    same(await textOf(page, `#total-${k}`), String(all.body.totals[k]), `the total ${k}`);
  }
  await shot(page, "30-summary", true);
  const narrowed = await summaryLoads(page, () => page.fill("#summary-filters-q", m), (p) => p.get("q") === m);
  same(narrowed.body.items.map((a) => a.account_id), made.map((a) => a.id), "the rows for the marker (API)");
  same(await page.$$eval("#summary-body tr", (trs) => trs.map((tr) => tr.dataset.id)), made.map((a) => a.id), "the rows shown");
  same(await textOf(page, "#total-accounts"), "3", "the total for the marker");

  await page.check("#summary-select-all");
  await untilText(page, "#bulk-selected", (t) => t === "3 accounts selected.", "the selection");
  check(!(await page.isDisabled("#bulk-dry-run")) && await page.isDisabled("#bulk-apply"), "Apply is offered before a dry run");
  await page.selectOption("#bulk-form-action", "suspend");
  check(!(await isShown(page, "#bulk-form-reason")), "a reason is asked for a suspension");
  const dry = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-dry-run");
  const d = await dry;
  same(d.request().postDataJSON(), { action: "suspend", account_ids: made.map((a) => a.id), dry_run: true }, "the dry run's body");
  await untilShown(page, "#bulk-results", "the dry run's outcomes");
  same(await bulkOutcomes(page), { [made[0].name]: "would_change", [made[1].name]: "unchanged", [made[2].name]: "would_change" }, "the dry run's outcomes");
  check((await textOf(page, "#bulk-results-counts")).includes("Nothing has changed yet"), "the dry run does not say nothing changed");
  same((await getAccount(made[0].id)).status, "active", "an account after the dry run");
  check(await page.isEnabled("#bulk-apply"), "Apply is not offered after the dry run");
  await shot(page, "30-bulk-dry-run");

  /* Between the dry run and Apply, one account goes. */
  const gone = await api("DELETE", `/v1/accounts/${made[2].id}?confirm=${made[2].slug}`);
  same(gone.status, 200, "deleting an account through the API");
  const applied = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-apply");
  const a = await applied;
  same(a.request().postDataJSON().dry_run, false, "Apply's dry_run");
  await untilText(page, "#bulk-results-title", (t) => t === "Done: Suspend", "the applied outcomes");
  same(await bulkOutcomes(page), { [made[0].name]: "changed", [made[1].name]: "unchanged", [made[2].name]: "failed" }, "the applied outcomes");
  const failedRow = page.locator(`#bulk-results-body tr[data-id="${made[2].id}"]`);
  check((await failedRow.textContent()).includes("no such account"), "the failure does not say why");
  same(await textOf(page, "#bulk-results-counts"), "1 account changed, 1 unchanged, 1 failed.", "the counts");
  same((await getAccount(made[0].id)).status, "suspended", "the first account after Apply");
  await untilText(page, "#bulk-selected", (t) => t === "2 accounts selected.", "the selection without the account gone");
  check(await page.isDisabled("#bulk-apply"), "Apply is still offered after applying");
  await shot(page, "30-bulk-applied", true);
});

test("bulk: change plan with the plan picker (keyboard), grant decimal credits; a bad amount refused before asking; a change voids the dry run", async (page) => {
  await signIn(page);
  const m = RUN + "bk2";
  const plan = await createPlan({ slug: `silver-${m}`, name: `Silver ${m}` });
  const made = await createAccounts([1, 2].map((i) => ({ name: `Bulk2 ${m} ${i}`, slug: `${m}-${i}` })), 1);
  await summaryLoads(page, () => goHash(page, "#/summary"));
  await summaryLoads(page, () => page.fill("#summary-filters-q", m), (p) => p.get("q") === m);
  await page.check(`#summary-body tr[data-id="${made[0].id}"] input`);
  await page.check(`#summary-body tr[data-id="${made[1].id}"] input`);
  await untilText(page, "#bulk-selected", (t) => t === "2 accounts selected.", "the selection");

  await page.selectOption("#bulk-form-action", "change_plan");
  await untilShown(page, "#bulk-form-plan", "the plan picker");
  await page.click("#bulk-dry-run");
  await untilShown(page, "#bulk-form-plan-error", "the missing plan's message");
  await pickByKeyboard(page, "bulk-form-plan", `Silver ${m}`, `Silver ${m}`);
  const dry = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-dry-run");
  same((await dry).request().postDataJSON(), { action: "change_plan", account_ids: made.map((a) => a.id), plan: plan.slug, dry_run: true }, "the dry run's body");
  await until("would change both", () => bulkOutcomes(page), (o) => Object.values(o).length === 2 && Object.values(o).every((v) => v === "would_change"));
  const applied = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-apply");
  same((await applied).status(), 200, "the answer to Apply");
  await until("changed both", () => bulkOutcomes(page), (o) => Object.values(o).every((v) => v === "changed"));
  for (const a of made) {
    same((await api("GET", `/v1/accounts/${a.id}/feature-pack`)).body.plan?.slug, plan.slug, `the plan of ${a.slug}`);
  }
  await until("the plan in the rows", () => page.$$eval("#summary-body td.plan", (tds) => tds.map((td) => td.textContent)),
    (plans) => plans.length === 2 && plans.every((p) => p === `Silver ${m}`));
  await shot(page, "31-bulk-plan");

  await page.selectOption("#bulk-form-action", "grant_credits");
  await page.fill("#bulk-form-credits", "12.3456789");
  const before = seen.apiRequests.length;
  await page.click("#bulk-dry-run");
  await untilShown(page, "#bulk-form-credits-error", "the bad amount's message");
  same(requestsSince(before).filter((r) => r.method === "POST"), [], "requests for a bad amount");
  await page.fill("#bulk-form-credits", "12.5");
  await page.fill("#bulk-form-reason", `launch ${m}`);
  const dry2 = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-dry-run");
  same((await dry2).request().postDataJSON().credits, "12.5", "the credits asked");
  check(await page.isEnabled("#bulk-apply"), "Apply is not offered after the dry run");
  await page.fill("#bulk-form-credits", "13");
  check(await page.isDisabled("#bulk-apply"), "Apply is offered for an amount not tried");
  const dry3 = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-dry-run");
  await dry3;
  const grant = answerTo(page, "POST", "/v1/super-admin/bulk-actions");
  await page.click("#bulk-apply");
  const g = await grant;
  same(g.request().postDataJSON(), { action: "grant_credits", account_ids: made.map((a) => a.id), credits: "13", reason: `launch ${m}`, dry_run: false }, "the grant applied");
  await until("granted both", () => bulkOutcomes(page), (o) => Object.values(o).every((v) => v === "changed"));
  const after = await summaryLoads(page, () => page.fill("#summary-filters-q", `${m}-1`), (p) => p.get("q") === `${m}-1`);
  same(after.body.items.map((a) => a.credits_granted), ["13"], "the credits granted (API)");
  await until("the credits in the row", () => page.$$eval("#summary-body td.num", (tds) => tds.map((td) => td.textContent)), (v) => v[1] === "13");
  await shot(page, "31-bulk-credits");
});

test("no horizontal scroll at 800 px on the account page, the audit log, the summary and the catalogue", async (page) => {
  await signIn(page);
  const m = RUN + "narrow";
  const wide = await createAccount(`Narrow${"N".repeat(150)} ${m}`, `${m}-a`);
  await page.setViewportSize({ width: 800, height: 900 });
  try {
    await openAccountPage(page, wide);
    await checkNoHorizontalScroll(page, "the account page at 800 px");
    await shot(page, "32-account-800", true);
    for (const [hash, view, table] of [["#/audit", "#audit-view", "#audit-table"], ["#/summary", "#summary-view", "#summary-table"],
      ["#/catalogue", "#catalogue-view", "#plans-table"]]) {
      await goHash(page, hash);
      await untilShown(page, view, view);
      await until(`${table} loaded`, () => page.getAttribute(table, "aria-busy"), (v) => v === "false");
      await checkNoHorizontalScroll(page, `${view} at 800 px`);
      await shot(page, `32-${view.slice(1)}-800`);
    }
    await page.click("#plan-new");
    await page.click("#plan-form-features");
    await until("the features' list open", () => pickerState(page, "plan-form-features"), (s) => s.expanded === "true" && s.options.length > 0);
    await checkNoHorizontalScroll(page, "the open features picker at 800 px");
    await shot(page, "32-picker-800");
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

/* ------------------------------------------------ the directory (issue 6) */

/* The directory API as the platform acting inside Demo (the master key with X-Account-Id). */
async function dirApi(method, path, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${KEY}`, "X-Account-Id": demo.account.id };
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(BASE + path, init);
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: json, text };
}

async function dirMake(path, body, what = path) {
  const r = await dirApi("POST", path, body);
  check(r.status === 201, `POST ${what} ${JSON.stringify(body)}: expected 201, got ${r.status} ${r.text}`);
  return r.body;
}

/* A user of Demo's domain directory, made through the API. */
async function dirUser(domain, handle, name) {
  return dirMake(`/v1/${domain}/users`, { email: `${handle}-${RUN}@demo.test`, display_name: name });
}

/* Goes to a directory page and waits until its list is loaded and shown. */
async function dirPage(page, domain, tab) {
  const answered = answerTo(page, "GET", `/v1/${domain}/${tab}`);
  await goHash(page, `#/directory/${domain}/${tab}`);
  await untilShown(page, `#dir-${tab}`, `the ${tab} page`);
  same((await answered).status(), 200, `GET /v1/${domain}/${tab}`);
  await until(`#${tab}-table loaded`, () => page.getAttribute(`#${tab}-table`, "aria-busy"), (v) => v === "false");
}

/* Runs action and waits for the list it makes the page load: returns the query asked. */
async function dirLoads(page, domain, tab, action, ok = () => true) {
  const answered = answerTo(page, "GET", `/v1/${domain}/${tab}`, (q, u) => u.pathname === `/v1/${domain}/${tab}` && ok(q));
  await action();
  const r = await answered;
  await until(`#${tab}-table loaded`, () => page.getAttribute(`#${tab}-table`, "aria-busy"), (v) => v === "false");
  await sleep(50);
  return new URL(r.url()).searchParams;
}

/* The rows of a directory table: the first cell's strong text or button, and each cell's text. */
async function dirRows(page, tab) {
  return page.$$eval(`#${tab}-body tr`, (trs) => trs.map((tr) => ({
    id: tr.dataset.id || tr.dataset.user || "",
    name: (tr.querySelector(".row-link, .strong")?.textContent ?? "").trim(),
    cells: [...tr.children].map((td) => td.textContent.trim()),
  })));
}

async function rowNames(page, tab) {
  return (await dirRows(page, tab)).map((r) => r.name);
}

/* Adds name to a multi-picker by the keyboard: type, the first match highlighted, Enter. */
async function pickMany(page, id, text, name) {
  if ((await page.inputValue(`#${id}`)) !== "") {
    await page.fill(`#${id}`, "");
  }
  await page.focus(`#${id}`);
  await page.keyboard.type(text, { delay: 15 });
  let state = await until(`${name} highlighted in #${id}`, () => pickerState(page, id),
    (v) => v.expanded === "true" && v.options.includes(name) && v.active !== null);
  for (let i = 0; i < state.options.length && state.active !== name; i++) {
    await page.keyboard.press("ArrowDown");
    state = await pickerState(page, id);
  }
  same(state.active, name, `the option highlighted in #${id}`);
  await page.keyboard.press("Enter");
  await until(`${name} chosen in #${id}`, () => pickerState(page, id), (v) => v.chips.includes(name));
}

/* The members of the open team's or organisation's panel: their role's select, and the note beside it. */
async function memberRoles(page, kind) {
  return page.$$eval(`#${kind}-members-body tr`, (trs) => trs.map((tr) => {
    const select = tr.querySelector("select[data-role-of]");
    const msg = tr.querySelector(".role-msg");
    return {
      user: tr.dataset.user,
      label: select?.getAttribute("aria-label") ?? null,
      role: select?.value ?? null,
      word: select?.selectedOptions[0]?.textContent ?? null,
      msg: msg && getComputedStyle(msg).display !== "none" ? msg.textContent : "",
      error: msg?.classList.contains("field-error") ?? false,
      invalid: select?.getAttribute("aria-invalid") === "true",
      disabled: select?.disabled ?? null,
    };
  }));
}

async function signInAdmin(page) {
  if (await isShown(page, "#page-nav") && (await textOf(page, "#who-name")) === ADMIN.name) {
    return;
  }
  await ssoSignIn(page, ADMIN);
  await untilShown(page, "#page-nav", "the navigation");
}

test("directory, users (account admin): the Directory link; add; search (debounced), status and sort; names edited; deactivation shown, then reactivated", async (page) => {
  const ann = await dirUser("copilot", "ann", `Ann ${RUN}`);
  const bob = await dirUser("copilot", "bob", `Bob ${RUN}`);
  await signInAdmin(page);
  same((await navLinks(page)).map((l) => l[0]), ["Account", "Directory", "Budgets", "Audit log"], "the navigation");
  const first = answerTo(page, "GET", "/v1/copilot/users");
  await page.click("#page-nav a[data-page=directory]");
  same((await first).status(), 200, "the users list");
  await untilShown(page, "#dir-users", "the users page");
  same(await page.$$eval("#dir-domains a", (as) => as.map((a) => [a.textContent, a.getAttribute("aria-current")])),
    [["Copilot", "page"], ["Console", null]], "the product switch");
  same(await page.$$eval("#dir-tabs a", (as) => as.map((a) => [a.textContent, a.getAttribute("aria-current")])),
    [["Users", "page"], ["Teams", null], ["Organisations", null], ["Invites", null]], "the tabs");

  await page.fill("#user-create-form-email", `dana-${RUN}@demo.test`);
  await page.fill("#user-create-form-display_name", `Dana ${RUN}`);
  const made = answerTo(page, "POST", "/v1/copilot/users");
  await page.click("#user-create-form button[type=submit]");
  same((await made).status(), 201, "adding a user");
  await untilText(page, "#user-panel-title", (t) => t === `Dana ${RUN}`, "the new user's panel");
  await page.fill("#user-create-form-email", "not-an-email");
  await page.click("#user-create-form button[type=submit]");
  await untilShown(page, "#user-create-form-email-error", "the email's error");

  const mark = seen.apiRequests.length;
  const q = await dirLoads(page, "copilot", "users", () => page.locator("#users-filters-q").pressSequentially(RUN, { delay: 30 }),
    (p) => p.get("q") === RUN);
  same(q.get("q"), RUN, "the search asked");
  const searches = requestsSince(mark).filter((r) => r.path.startsWith("/v1/copilot/users?"));
  check(searches.length < RUN.length, `typing ${RUN.length} keys made ${searches.length} searches: not debounced`);
  await until("the three users found", () => rowNames(page, "users"),
    (n) => [`Ann ${RUN}`, `Bob ${RUN}`, `Dana ${RUN}`].every((x) => n.includes(x)) && n.length === 3);
  const byName = await dirLoads(page, "copilot", "users", () => page.selectOption("#users-filters-sort", "name"), (p) => p.get("sort") === "name");
  same(byName.get("sort"), "name", "the sort asked");
  same(await rowNames(page, "users"), [`Ann ${RUN}`, `Bob ${RUN}`, `Dana ${RUN}`], "the users by name");
  await shot(page, "40-directory-users");

  same((await dirApi("PATCH", `/v1/copilot/users/${bob.id}`, { status: "inactive" })).status, 200, "deactivating Bob through the API");
  await dirLoads(page, "copilot", "users", () => page.selectOption("#users-filters-status", "inactive"), (p) => p.get("status") === "inactive");
  same(await rowNames(page, "users"), [`Bob ${RUN}`], "the inactive users");
  await dirLoads(page, "copilot", "users", () => page.selectOption("#users-filters-status", ""), (p) => !p.has("status"));

  await page.click(`#users-body button[data-user="${ann.id}"]`);
  await untilText(page, "#user-email", (t) => t === ann.email, "Ann's panel");
  await page.fill("#user-form-display_name", `Annie ${RUN}`);
  await page.fill("#user-form-family_name", "Archer");
  const patched = answerTo(page, "PATCH", `/v1/copilot/users/${ann.id}`);
  await page.click("#user-form button[type=submit]");
  same((await patched).status(), 200, "saving Ann's names");
  await untilText(page, "#user-form-note", (t) => t === "Saved.", "Saved.");
  await until("the row renamed", () => rowNames(page, "users"), (n) => n.includes(`Annie ${RUN}`));

  await page.click("#user-deactivate");
  await untilText(page, "#user-deactivate", (t) => t === `Confirm: deactivate Annie ${RUN}`, "the confirmation");
  const off = answerTo(page, "PATCH", `/v1/copilot/users/${ann.id}`);
  await page.click("#user-deactivate");
  same((await off).status(), 200, "deactivating Ann");
  await untilText(page, "#user-status", (t) => t === "Inactive", "Ann shown inactive");
  const row = (await dirRows(page, "users")).find((r) => r.name === `Annie ${RUN}`);
  check(row && row.cells[1].startsWith("Inactive"), `Ann's row: ${JSON.stringify(row)}`);
  await shot(page, "41-directory-user-deactivated", true);
  const on = answerTo(page, "PATCH", `/v1/copilot/users/${ann.id}`);
  await page.click("#user-activate");
  same((await on).status(), 200, "reactivating Ann");
  await untilText(page, "#user-status", (t) => t === "Active", "Ann active again");
  same((await dirApi("GET", `/v1/copilot/users/${ann.id}`)).body.status, "active", "Ann's status in the API");
});

test("directory, teams (account admin): organisation picker (keyboard) to create and filter; bulk add by the multi-user picker, a 422 adds nobody; role; remove; delete after confirming", async (page) => {
  const m = RUN + "tm";
  const org = await dirMake("/v1/copilot/orgs", { name: `Research ${m}` });
  await dirMake("/v1/copilot/teams", { name: `Elsewhere ${m}` });
  const [cal, dee, eve] = await Promise.all([dirUser("copilot", "cal", `Cal ${m}`), dirUser("copilot", "dee", `Dee ${m}`),
    dirUser("copilot", "eve", `Eve ${m}`)]);
  await signInAdmin(page);
  await dirPage(page, "copilot", "teams");
  await page.click("#team-new");
  await page.fill("#team-form-name", `Team ${m}`);
  await pickByKeyboard(page, "team-form-organisation_id", `Research ${m}`.slice(0, 12), `Research ${m}`);
  same((await pickerState(page, "team-form-organisation_id")).value, `Research ${m}`, "the organisation chosen");
  const made = answerTo(page, "POST", "/v1/copilot/teams");
  await page.click("#team-save");
  const created = await made;
  same(created.status(), 201, "creating the team");
  same((created.request().postDataJSON()).organisation_id, org.id, "the organisation sent");
  const team = await created.json();
  await untilShown(page, "#team-members", "the team's members");

  await dirLoads(page, "copilot", "teams", () => pickByKeyboard(page, "teams-filters-org", "Research", `Research ${m}`),
    (p) => p.get("organisation_id") === org.id);
  same(await rowNames(page, "teams"), [`Team ${m}`], "the teams of Research");

  await pickMany(page, "team-members-form-users", `Cal ${m}`.slice(0, 5), `Cal ${m}`);
  await pickMany(page, "team-members-form-users", "dee-" + RUN, `Dee ${m}`);
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await page.fill("#team-members-form-users", "");
  await page.keyboard.press("Backspace");
  same((await pickerState(page, "team-members-form-users")).chips, [`Cal ${m}`], "the chips after Backspace in the empty field");
  await pickMany(page, "team-members-form-users", "dee-" + RUN, `Dee ${m}`);
  same((await dirApi("PATCH", `/v1/copilot/users/${dee.id}`, { status: "inactive" })).status, 200, "another admin deactivating Dee");
  const refused = answerTo(page, "POST", `/v1/copilot/teams/${team.id}/members`);
  await page.click("#team-members-form button[type=submit]");
  same((await refused).status(), 422, "adding an inactive user with an active one");
  await untilText(page, "#team-members-form-users-error", (t) => t.startsWith("Nobody was added") && t.includes(dee.email),
    "the 422 naming Dee");
  same((await dirApi("GET", `/v1/copilot/teams/${team.id}`)).body.members, 0, "members after the refused add");
  await shot(page, "42-directory-bulk-add-refused", true);

  await page.click(`#team-members .chip-remove[aria-label="Remove Dee ${m}"]`);
  const added = answerTo(page, "POST", `/v1/copilot/teams/${team.id}/members`);
  await page.click("#team-members-form button[type=submit]");
  same((await added).status(), 200, "adding Cal");
  await untilText(page, "#team-members-form-note", (t) => t === "Added 1 member.", "the note");
  await pickMany(page, "team-members-form-users", "eve-" + RUN, `Eve ${m}`);
  await page.selectOption("#team-members-form-role", "lead");
  await page.click("#team-members-form button[type=submit]");
  await until("Cal a member and Eve a lead", () => memberRoles(page, "team").then((v) => v.map((x) => x.word).sort()),
    (v) => JSON.stringify(v) === JSON.stringify(["Lead", "Member"]));
  await until("the team's row counting 2 members", () => dirRows(page, "teams"), (rows) => rows[0]?.cells[2] === "2");
  await shot(page, "43-directory-team-members", true);

  const removed = answerTo(page, "DELETE", `/v1/copilot/teams/${team.id}/members/${cal.id}`);
  await page.click(`#team-members-body button[data-remove="${cal.id}"]`);
  same((await removed).status(), 200, "removing Cal");
  await until("Eve alone", () => page.$$eval("#team-members-body tr", (trs) => trs.map((tr) => tr.dataset.user)),
    (v) => JSON.stringify(v) === JSON.stringify([eve.id]));

  await page.fill("#team-form-name", `Team ${m} renamed`);
  await page.fill("#team-form-description", "Reads papers");
  const renamed = answerTo(page, "PATCH", `/v1/copilot/teams/${team.id}`);
  await page.click("#team-save");
  const patch = await renamed;
  same([patch.status(), patch.request().postDataJSON()], [200, { name: `Team ${m} renamed`, description: "Reads papers" }],
    "the team's edit (only what changed)");
  await untilText(page, "#team-form-note", (t) => t === "Saved.", "Saved.");
  await until("the row renamed", () => rowNames(page, "teams"), (n) => JSON.stringify(n) === JSON.stringify([`Team ${m} renamed`]));
  await page.click("#team-delete");
  await untilText(page, "#team-delete", (t) => t.startsWith(`Confirm: delete Team ${m}`), "the delete confirmation");
  const gone = answerTo(page, "DELETE", `/v1/copilot/teams/${team.id}`);
  await page.click("#team-delete");
  same((await gone).status(), 200, "deleting the team");
  await untilHidden(page, "#team-panel", "the team's panel");
  same((await dirApi("GET", `/v1/copilot/teams/${team.id}`)).status, 404, "the team after deleting it");
});

test("directory, organisations (account admin): the global one has no delete button; create, edit, members; a 409 (teams left) explained", async (page) => {
  const m = RUN + "or";
  const fay = await dirUser("copilot", "fay", `Fay ${m}`);
  await signInAdmin(page);
  await dirPage(page, "copilot", "orgs");
  const global = (await dirRows(page, "orgs")).find((r) => r.cells[0].includes("Global"));
  check(global, "no global organisation among the rows");
  await page.click(`#orgs-body button[data-org="${global.id}"]`);
  await untilShown(page, "#org-global-hint", "the global organisation's hint");
  check(!(await isShown(page, "#org-delete")), "a delete button for the global organisation");
  await shot(page, "44-directory-org-global");

  await page.click("#org-new");
  await page.fill("#org-form-name", `Lab ${m}`);
  const made = answerTo(page, "POST", "/v1/copilot/orgs");
  await page.click("#org-save");
  same((await made).status(), 201, "creating the organisation");
  const org = await (await made).json();
  await untilShown(page, "#org-members", "the organisation's members");
  await page.fill("#org-form-description", "Where the experiments are");
  await page.click("#org-save");
  await untilText(page, "#org-form-note", (t) => t === "Saved.", "Saved.");
  await pickMany(page, "org-members-form-users", "fay-" + RUN, `Fay ${m}`);
  await page.selectOption("#org-members-form-role", "admin");
  await page.click("#org-members-form button[type=submit]");
  await until("Fay an admin", () => memberRoles(page, "org").then((v) => v.map((x) => [x.user, x.word])),
    (v) => JSON.stringify(v) === JSON.stringify([[fay.id, "Admin"]]));

  await dirMake("/v1/copilot/teams", { name: `Bench ${m}`, organisation_id: org.id });
  await page.click("#org-delete");
  const refused = answerTo(page, "DELETE", `/v1/copilot/orgs/${org.id}`);
  await page.click("#org-delete");
  same((await refused).status(), 409, "deleting an organisation with a team");
  await untilText(page, "#org-form-error", (t) => t.startsWith("Not deleted: it still has teams."), "the 409 explained");
  await shot(page, "45-directory-org-not-empty", true);
  same((await dirApi("GET", `/v1/copilot/orgs/${org.id}`)).status, 200, "the organisation is still there");
});

test("directory: Copilot and Console show different data; Console teams need an organisation", async (page) => {
  const m = RUN + "dm";
  const corg = await dirMake("/v1/console/orgs", { name: `Ops ${m}` });
  await dirMake("/v1/console/teams", { name: `Console team ${m}`, organisation_id: corg.id });
  await dirMake("/v1/copilot/teams", { name: `Copilot team ${m}` });
  await dirUser("console", "gil", `Gil ${m}`);
  await ssoSignIn(page, ADMIN, "/#/directory/copilot/teams");
  await untilShown(page, "#dir-teams", "the teams page");
  await dirLoads(page, "copilot", "teams", () => page.fill("#teams-filters-q", m), (p) => p.get("q") === m);
  same(await rowNames(page, "teams"), [`Copilot team ${m}`], "Copilot's teams");
  const mark = seen.apiRequests.length;
  await dirLoads(page, "console", "teams", () => page.click("#dir-domains a[data-domain=console]"));
  same(await page.getAttribute("#dir-domains a[data-domain=console]", "aria-current"), "page", "Console marked");
  check(requestsSince(mark).every((r) => !r.path.startsWith("/v1/copilot/")), "Copilot asked while in Console");
  same(await page.inputValue("#teams-filters-q"), "", "the search after switching products");
  await dirLoads(page, "console", "teams", () => page.fill("#teams-filters-q", m), (p) => p.get("q") === m);
  same(await rowNames(page, "teams"), [`Console team ${m}`], "Console's teams");
  await shot(page, "46-directory-console-teams");
  await page.click("#team-new");
  await page.fill("#team-form-name", `Orphan ${m}`);
  await page.click("#team-save");
  await untilText(page, "#team-form-organisation_id-error", (t) => t.includes("Console teams need one"), "the organisation asked for");
  await dirLoads(page, "console", "users", () => page.click("#dir-tabs a[data-tab=users]"));
  await dirLoads(page, "console", "users", () => page.fill("#users-filters-q", RUN), (p) => p.get("q") === RUN);
  same(await rowNames(page, "users"), [`Gil ${m}`], "Console's users of this run");
  await dirPage(page, "copilot", "users");
  await dirLoads(page, "copilot", "users", () => page.fill("#users-filters-q", m), (p) => p.get("q") === m);
  same(await rowNames(page, "users"), [], "Gil in Copilot");
  await untilText(page, "#users-empty", (t) => t === "No users match.", "the empty list");
});

test("invites: made with a team chosen by the picker, the link shown once and copied; accepted signed out in a fresh browser; the user appears; resend and revoke", async (page) => {
  const m = RUN + "iv";
  const team = await dirMake("/v1/copilot/teams", { name: `Guests ${m}` });
  const email = `ivy-${RUN}@demo.test`;
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  await signInAdmin(page);
  await dirPage(page, "copilot", "invites");
  await page.fill("#invite-form-email", email);
  await page.fill("#invite-form-display_name", `Ivy ${m}`);
  await pickByKeyboard(page, "invite-form-team_id", "Guests", `Guests ${m}`);
  const made = answerTo(page, "POST", "/v1/copilot/invites");
  await page.click("#invite-form button[type=submit]");
  const r = await made;
  same(r.status(), 201, "creating the invite");
  same(r.request().postDataJSON(), { email, display_name: `Ivy ${m}`, team_id: team.id }, "the invite asked for");
  await untilShown(page, "#invite-link", "the invite's link");
  const link = await textOf(page, "#invite-link-value");
  check(link.startsWith(BASE + "/#/invite/cki_"), `the link: ${link}`);
  await page.click("#invite-link-copy");
  await untilText(page, "#invite-link-copied", (t) => t === "Copied.", "Copied.");
  same(await page.evaluate(() => navigator.clipboard.readText()), link, "the clipboard");
  await until("the pending invite's row", () => dirRows(page, "invites"),
    (rows) => rows.some((x) => x.cells[0].includes(email) && x.cells[1].startsWith("Pending") && x.cells[2] === `Team Guests ${m}`));
  await shot(page, "47-directory-invite-link");
  await page.click("#invite-link-hide");
  check(!(await isShown(page, "#invite-link")), "the link is still shown after Done");
  same(await page.locator("#dir-invites").textContent().then((t) => t.includes("cki_")), false, "the token still on the page");

  const fresh = await page.context().browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: "UTC" });
  try {
    const guest = await fresh.newPage();
    const problems = [];
    guest.on("pageerror", (e) => problems.push(String(e)));
    await guest.goto(link);
    await untilShown(guest, "#invite-body", "the invite page, signed out");
    same(await textOf(guest, "#invite-email"), email, "the invite's email");
    same(await textOf(guest, "#invite-account"), "Demo", "the invite's account");
    same(await textOf(guest, "#invite-state"), "Waiting to be accepted", "the invite's state");
    check(!(await isShown(guest, "#session")) && !(await isShown(guest, "#sign-in")), "the shell or sign-in shown on the invite page");
    await shot(guest, "48-invite-accept");
    const accepted = guest.waitForResponse((x) => new URL(x.url()).pathname === "/v1/invites/accept", { timeout: WAIT_MS });
    await guest.click("#invite-accept-form button[type=submit]");
    same((await accepted).status(), 200, "accepting");
    await untilText(guest, "#invite-done", (t) => t.includes(email), "the welcome");
    await shot(guest, "49-invite-accepted");
    same(problems, [], "page errors on the invite page");
  } finally {
    await fresh.close();
  }

  await dirLoads(page, "copilot", "invites", () => page.fill("#invites-filters-q", email), (p) => p.get("q") === email);
  await until("the invite accepted", () => dirRows(page, "invites"), (rows) => rows.length === 1 && rows[0].cells[1].startsWith("Accepted"));
  await dirPage(page, "copilot", "users");
  await dirLoads(page, "copilot", "users", () => page.fill("#users-filters-q", email), (p) => p.get("q") === email);
  same(await rowNames(page, "users"), [`Ivy ${m}`], "the user who accepted");
  await page.click("#users-body .row-link");
  await untilText(page, "#user-teams", (t) => t.startsWith(`Guests ${m}`), "Ivy's teams in her panel");
  same(await textOf(page, "#user-teams-note"), "In 1 team:", "the teams' note");
  const members = await dirApi("GET", `/v1/copilot/teams/${team.id}/members`);
  same(members.body.items.map((x) => x.email), [email], "the team's members after accepting");

  const other = await dirMake("/v1/copilot/invites", { email: `jo-${RUN}@demo.test` });
  await dirPage(page, "copilot", "invites");
  await dirLoads(page, "copilot", "invites", () => page.fill("#invites-filters-q", `jo-${RUN}`), (p) => p.get("q") === `jo-${RUN}`);
  const resent = answerTo(page, "POST", `/v1/copilot/invites/${other.id}/resend`);
  await page.click(`#invites-body button[data-act=resend][data-invite="${other.id}"]`);
  same((await resent).status(), 200, "resending");
  await untilShown(page, "#invite-link", "the new link");
  check((await textOf(page, "#invite-link-value")) !== link, "the resent link is the first one");
  await until("sent twice", () => dirRows(page, "invites"), (rows) => rows[0]?.cells[1].includes("Sent 2 times"));
  await page.click(`#invites-body button[data-act=revoke][data-invite="${other.id}"]`);
  await untilText(page, `#invites-body button[data-act=revoke]`, (t) => t === "Confirm revoke", "the revoke confirmation");
  const revoked = answerTo(page, "POST", `/v1/copilot/invites/${other.id}/revoke`);
  await page.click(`#invites-body button[data-act=revoke][data-invite="${other.id}"]`);
  same((await revoked).status(), 200, "revoking");
  await until("the invite revoked", () => dirRows(page, "invites"), (rows) => rows[0]?.cells[1].startsWith("Revoked"));
  await shot(page, "50-directory-invites");
});

test("directory, member roles (account admin): a team member made Lead in place (PATCH), kept after reloading; a refusal (404) shown beside the row and put back; an organisation member made Admin by the keyboard", async (page) => {
  const m = RUN + "rl";
  const org = await dirMake("/v1/console/orgs", { name: `Roles ${m}` });
  const team = await dirMake("/v1/console/teams", { name: `Crew ${m}`, organisation_id: org.id });
  const [hal, kit] = await Promise.all([dirUser("console", "hal", `Hal ${m}`), dirUser("console", "kit", `Kit ${m}`)]);
  const added = await dirApi("POST", `/v1/console/teams/${team.id}/members`, { users: [hal.id, kit.id] });
  same([added.status, added.body], [200, { added: 2, unchanged: 0 }], "adding Hal and Kit to the team through the API");
  const joined = await dirApi("POST", `/v1/console/orgs/${org.id}/members`, { users: [hal.email] });
  same([joined.status, joined.body], [200, { added: 1, unchanged: 0 }], "adding Hal to the organisation through the API");
  const apiRoles = async (kind, id) => {
    const r = await dirApi("GET", `/v1/console/${kind}/${id}/members`);
    same(r.status, 200, `GET /v1/console/${kind}/${id}/members`);
    return Object.fromEntries(r.body.items.filter((x) => x && x.user_id).map((x) => [x.user_id, x.role]).sort());
  };
  const openTeamPanel = async () => {
    await dirPage(page, "console", "teams");
    await dirLoads(page, "console", "teams", () => page.fill("#teams-filters-q", m), (p) => p.get("q") === m);
    await page.click(`#teams-body button[data-team="${team.id}"]`);
    return until("the team's two members", () => memberRoles(page, "team"), (v) => v.length === 2);
  };

  await signInAdmin(page);
  const shown = await openTeamPanel();
  same(shown.map((x) => [x.label, x.role]).sort(), [[`Role of ${hal.email}`, "member"], [`Role of ${kit.email}`, "member"]].sort(),
    "the role selects, labelled by email");
  same(await page.$$eval(`#team-members-body select[data-role-of="${hal.id}"] option`, (os) => os.map((o) => [o.value, o.textContent])),
    [["member", "Member"], ["lead", "Lead"]], "a team's roles");

  const halRole = `#team-members-body select[data-role-of="${hal.id}"]`;
  const patched = answerTo(page, "PATCH", `/v1/console/teams/${team.id}/members/${hal.id}`);
  await page.selectOption(halRole, "lead");
  const patch = await patched;
  same([patch.status(), patch.request().postDataJSON()], [200, { role: "lead" }], "the PATCH made by choosing Lead");
  same(await patch.json(), { user_id: hal.id, role: "lead" }, "the PATCH's answer");
  await until("Saved beside Hal", () => memberRoles(page, "team").then((v) => v.find((x) => x.user === hal.id)),
    (x) => x.msg === "Saved." && !x.error && x.role === "lead" && x.disabled === false);
  same(await apiRoles("teams", team.id), Object.fromEntries([[hal.id, "lead"], [kit.id, "member"]].sort()), "the team's roles in the API");

  await goHash(page, "#/directory/console/users");
  await page.reload();
  await untilShown(page, "#dir-users", "the console after reloading");
  const again = await openTeamPanel();
  same(Object.fromEntries(again.map((x) => [x.user, [x.role, x.msg]]).sort()), Object.fromEntries([[hal.id, ["lead", ""]], [kit.id, ["member", ""]]].sort()),
    "the roles after reloading and opening the team again");

  same((await dirApi("DELETE", `/v1/console/users/${kit.id}`)).status, 200, "another admin removing Kit from the directory");
  const mark = seen.apiRequests.length;
  const refused = answerTo(page, "PATCH", `/v1/console/teams/${team.id}/members/${kit.id}`);
  await page.selectOption(`#team-members-body select[data-role-of="${kit.id}"]`, "lead");
  const no = await refused;
  same([no.status(), no.request().postDataJSON()], [404, { role: "lead" }], "changing the role of a member removed meanwhile");
  const kitRow = await until("the refusal beside Kit", () => memberRoles(page, "team").then((v) => v.find((x) => x.user === kit.id)),
    (x) => x.msg !== "" && x.disabled === false);
  same([kitRow.msg, kitRow.error, kitRow.invalid, kitRow.role], ["Not changed: The user is not a member.", true, true, "member"],
    "Kit's row after the refusal: the message, and Member put back");
  same(requestsSince(mark).filter((r) => r.method === "PATCH").length, 1, "PATCH requests for one change");
  same((await memberRoles(page, "team")).find((x) => x.user === hal.id).role, "lead", "Hal's role beside the refusal");
  same(await apiRoles("teams", team.id), { [hal.id]: "lead" }, "the team's roles in the API after the refusal");
  await shot(page, "49-directory-member-role-refused", true);
  await dirLoads(page, "console", "teams", () => page.fill("#teams-filters-q", ""), (p) => !p.has("q"));

  await dirPage(page, "console", "orgs");
  await page.click(`#orgs-body button[data-org="${org.id}"]`);
  await until("the organisation's member", () => memberRoles(page, "org"), (v) => v.length === 1 && v[0].user === hal.id);
  const orgRole = `#org-members-body select[data-role-of="${hal.id}"]`;
  same(await page.$$eval(`${orgRole} option`, (os) => os.map((o) => [o.value, o.textContent])),
    [["member", "Member"], ["admin", "Admin"]], "an organisation's roles");
  const orgPatched = answerTo(page, "PATCH", `/v1/console/orgs/${org.id}/members/${hal.id}`);
  await page.focus(orgRole);
  await page.keyboard.press("ArrowDown");
  const orgPatch = await orgPatched;
  same([orgPatch.status(), orgPatch.request().postDataJSON()], [200, { role: "admin" }], "the PATCH made by ArrowDown on the select");
  await until("Saved beside Hal in the organisation", () => memberRoles(page, "org"),
    (v) => v[0].msg === "Saved." && v[0].role === "admin" && v[0].disabled === false);
  same(await page.evaluate(() => document.activeElement?.dataset.roleOf ?? null), hal.id, "the focus after saving");
  same(await apiRoles("orgs", org.id), { [hal.id]: "admin" }, "the organisation's roles in the API");
  await shot(page, "49-directory-org-member-role", true);
});

test("directory: Load more pages through 55 users and a team's 55 members without duplicates", async (page) => {
  const m = RUN + "lm";
  const org = await dirMake("/v1/console/orgs", { name: `Many ${m}` });
  const team = await dirMake("/v1/console/teams", { name: `Crowd ${m}`, organisation_id: org.id });
  const emails = [];
  for (let i = 0; i < 55; i += 11) {
    await Promise.all(Array.from({ length: 11 }, (_, j) => {
      emails.push(`p${String(i + j).padStart(2, "0")}-${m}@demo.test`);
      return dirMake("/v1/console/users", { email: emails[emails.length - 1] });
    }));
  }
  const added = await dirApi("POST", `/v1/console/teams/${team.id}/members`, { users: emails });
  same([added.status, added.body], [200, { added: 55, unchanged: 0 }], "adding 55 members through the API");
  await signInAdmin(page);
  await dirPage(page, "console", "users");
  await dirLoads(page, "console", "users", () => page.fill("#users-filters-q", m), (p) => p.get("q") === m);
  same((await dirRows(page, "users")).length, 50, "the first page of users");
  await untilText(page, "#users-count", (t) => t === "Showing 50 users; more to load", "the users' count");
  await dirLoads(page, "console", "users", () => page.click("#users-more"), (p) => p.has("cursor"));
  const ids = (await dirRows(page, "users")).map((r) => r.id);
  same([ids.length, new Set(ids).size], [55, 55], "users after Load more (all, distinct)");
  check(!(await isShown(page, "#users-more")), "Load more still offered after the last page");

  await dirPage(page, "console", "teams");
  await page.click(`#teams-body button[data-team="${team.id}"]`);
  await until("the first page of members", () => page.locator("#team-members-body tr").count(), (n) => n === 50);
  const more = answerTo(page, "GET", `/v1/console/teams/${team.id}/members`, (p) => p.has("cursor"));
  await page.click("#team-members-more");
  same((await more).status(), 200, "the next page of members");
  const members = await until("55 members", () => page.$$eval("#team-members-body tr", (trs) => trs.map((tr) => tr.dataset.user)),
    (v) => v.length === 55);
  same(new Set(members).size, 55, "distinct members");
  await untilText(page, "#team-members-count", (t) => t === "Showing all 55 members", "the members' count");
  await shot(page, "53-directory-members-load-more", true);
});

test("directory (super admin acting inside Demo): every page, with X-Account-Id; the account admin's nav", async (page) => {
  await signIn(page);
  await page.evaluate((acting) => sessionStorage.setItem("console-cockpit.acting-account", JSON.stringify(acting)),
    { id: demo.account.id, name: "Demo" });
  await goHash(page, "#/directory/copilot/users");
  const mark = seen.apiRequests.length;
  await page.reload();
  await untilShown(page, "#dir-users", "the users page acting inside Demo");
  same((await navLinks(page)).map((l) => l[0]), ["Account", "Directory", "Budgets", "Audit log"], "the navigation inside Demo");
  try {
    for (const [domain, tab] of [["copilot", "teams"], ["copilot", "orgs"], ["copilot", "invites"], ["console", "users"], ["copilot", "users"]]) {
      await dirPage(page, domain, tab);
      check((await dirRows(page, tab)).length > 0, `nothing on ${domain} ${tab} inside Demo`);
      await shot(page, `51-super-directory-${domain}-${tab}`);
    }
    await page.setViewportSize({ width: 800, height: 900 });
    for (const tab of ["teams", "users"]) {
      await dirPage(page, "copilot", tab);
      await page.click(`#${tab}-body .row-link`);
      await untilShown(page, tab === "users" ? "#user-body" : "#team-members", `the ${tab} panel at 800 px`);
      await checkNoHorizontalScroll(page, `the directory's ${tab} at 800 px`);
      await shot(page, `51-super-directory-${tab}-800`, true);
    }
    const dir = requestsSince(mark).filter((r) => /^\/v1\/(copilot|console)\//.test(r.path));
    check(dir.length > 0 && dir.every((r) => r.account === demo.account.id), `directory requests without X-Account-Id: ${JSON.stringify(dir.filter((r) => r.account !== demo.account.id))}`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => sessionStorage.removeItem("console-cockpit.acting-account"));
  }
});

test("an end user gets no directory: no link, the addresses stay on their page, the API refuses (403)", async (page) => {
  await ssoSignIn(page, END_USER);
  await untilShown(page, "#me-view", "the end user's page");
  for (const hash of ["#/directory", "#/directory/console/teams", "#/directory/copilot/invites"]) {
    await goHash(page, hash);
    await sleep(100);
    check(await isShown(page, "#me-view"), `${hash} left the end user's page`);
    check(!(await isShown(page, "#directory-view")), `the directory shown to an end user at ${hash}`);
  }
  check(!(await isShown(page, "#page-nav")), "the navigation is shown to an end user");
  same((await pageFetch(page, "GET", "/v1/copilot/users")).status, 403, "GET /v1/copilot/users as an end user");
  same((await pageFetch(page, "GET", "/v1/console/teams")).status, 403, "GET /v1/console/teams as an end user");
  await shot(page, "52-end-user-no-directory");
});

/* ------------------------------------------------- budgets (issue 7) */

const BUD = "/v1/budgets/copilot";
const bud = { org: null, team: null, users: [], hook: null };  /* what the budgets tests share */

/* Credits as the page writes them: the API's decimal string, grouped by thousands. */
function grouped(s) {
  return String(s).replace(/^(-?)(\d+)/, (m, sign, int) => sign + int.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
}

async function budGet(path) {
  const r = await dirApi("GET", BUD + path);
  check(r.status === 200, `GET ${BUD}${path}: expected 200, got ${r.status} ${r.text}`);
  return r.body;
}

/* Every pool of Demo, by "type:id". */
async function budPools() {
  const items = [];
  let cursor = null;
  do {
    const body = await budGet(`/allocations?limit=200${cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`);
    items.push(...body.items);
    cursor = body.next_cursor;
  } while (cursor);
  return new Map(items.map((p) => [`${p.scope.type}:${p.scope.id}`, p]));
}

/* A usage of a Demo user recorded through the API, as a client application would. */
async function budUsage(user, model, cost, key) {
  const r = await dirApi("POST", `${BUD}/usage`, { user: user.email, model, cost, idempotency_key: `${RUN}-${key}` });
  check(r.status === 200, `POST ${BUD}/usage: expected 200, got ${r.status} ${r.text}`);
  return r.body;
}

/* Runs action (which loads the Budgets page) and waits until every section is shown. */
async function budgetsLoads(page, action) {
  const pools = answerTo(page, "GET", `${BUD}/allocations`);
  const totals = answerTo(page, "GET", `${BUD}/account-allocation`);
  const spend = answerTo(page, "GET", `${BUD}/cost-breakdown`);
  await action();
  same((await pools).status(), 200, `GET ${BUD}/allocations`);
  same((await totals).status(), 200, `GET ${BUD}/account-allocation`);
  same((await spend).status(), 200, `GET ${BUD}/cost-breakdown`);
  for (const t of ["pools", "overrides", "plans", "alerts", "models"]) {
    await until(`#budgets-${t}-table loaded`, () => page.getAttribute(`#budgets-${t}-table`, "aria-busy"), (v) => v === "false");
  }
  await until("the chart drawn", () => page.getAttribute("#budgets-chart", "aria-busy"), (v) => v === "false");
  await sleep(50);
}

/* The Budgets page, loaded afresh (already shown: Refresh). */
async function budgetsPage(page) {
  if (await isShown(page, "#budgets-view")) {
    await budgetsLoads(page, () => page.click("#budgets-refresh"));
    return;
  }
  await budgetsLoads(page, () => goHash(page, "#/budgets"));
  await untilShown(page, "#budgets-view", "the Budgets page");
}

async function budgetsRefresh(page) {
  await budgetsLoads(page, () => page.click("#budgets-refresh"));
}

/* The header's cards: {credits, allocated, unallocated, spent, held, remaining, period}. */
async function budgetTotals(page) {
  return page.$$eval("#budgets-totals dd", (dds) => Object.fromEntries(dds.map((d) => [d.id.replace("budgets-total-", ""), d.textContent])));
}

/* The Credit Pools tree as shown: [{key, depth, rule, name, credits, remaining, unallocated}], in order. */
async function poolRows(page) {
  return page.$$eval("#budgets-pools-body tr", (trs) => trs.map((tr) => {
    const td = [...tr.children].map((c) => c.textContent.trim());
    return {
      key: tr.dataset.key, depth: Number(tr.dataset.depth), rule: tr.dataset.rule,
      name: tr.querySelector(".pool-label .strong")?.textContent ?? "",
      credits: td[1], remaining: td[3], unallocated: td[4],
    };
  }));
}

async function dialogOpen(page, id) {
  return page.evaluate((d) => document.getElementById(d).open, id);
}

async function untilDialog(page, id, open) {
  await until(`#${id} ${open ? "open" : "closed"}`, () => dialogOpen(page, id), (v) => v === open);
}

/* A table's rows: each cell's text. */
async function cellsOf(page, tbody) {
  return page.$$eval(`${tbody} tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
}

test("budgets (account admin): the Budgets link; the header shows the credits per period, Unallocated, spent, held, remaining and the period", async (page) => {
  const granted = await api("POST", "/v1/budgets/account-allocation", { account_id: demo.account.id, credits: "1000", reason: `browser ${RUN}` });
  check(granted.status === 200, `POST /v1/budgets/account-allocation: expected 200, got ${granted.status} ${granted.text}`);
  bud.org = await dirMake("/v1/copilot/orgs", { name: `Bud Org ${RUN}` });
  bud.team = await dirMake("/v1/copilot/teams", { name: `Bud Team ${RUN}`, organisation_id: bud.org.id });
  for (const [i, word] of ["One", "Two", "Three", "Four"].entries()) {
    bud.users.push(await dirUser("copilot", `bud${i + 1}`, `Bud ${word} ${RUN}`));
  }
  const members = await dirApi("POST", `/v1/copilot/teams/${bud.team.id}/members`, { users: bud.users.slice(0, 3).map((u) => u.email), role: "member" });
  check(members.status === 200, `adding the team's members: ${members.status} ${members.text}`);

  await signInAdmin(page);
  check((await navLinks(page)).some(([text, href]) => text === "Budgets" && href === "#/budgets"), "no Budgets link");
  await budgetsLoads(page, () => page.click("#page-nav a[data-page=budgets]"));
  same((await navLinks(page)).find(([text]) => text === "Budgets")[2], true, "the Budgets link is the current page");
  same(await textOf(page, "#budgets-title"), "Budgets", "the page's title");
  const a = await budGet("/account-allocation");
  same([a.credits, a.allocated, a.unallocated, a.spent, a.held, a.remaining], ["1000", "0", "1000", "0", "0", "1000"], "the account allocation (API)");
  const shown = await budgetTotals(page);
  same({ ...shown, period: undefined }, { credits: "1,000", allocated: "0", unallocated: "1,000", spent: "0", held: "0", remaining: "1,000", period: undefined },
    "the header's numbers");
  check(/^.+ – no end$/.test(shown.period), `the period without a plan: "${shown.period}"`);
  same(a.period.end, null, "the period's end (API)");
  check(await isShown(page, "#budgets-plan-none"), "no word that there is no Budget Plan");
  const rows = await poolRows(page);
  same(rows.map((r) => [r.key, r.depth, r.rule, r.credits, r.unallocated]), [[`account:${demo.account.id}`, 0, "account", "1,000", "1,000"]], "the tree: the account alone");
  await page.click("#budgets-grants summary");
  check((await textOf(page, "#budgets-grants-list")).includes(`browser ${RUN}`), "the grant's reason is not listed");
  await shot(page, "60-budgets-header", true);
});

test("Budget Plan: New plan (POST: name, cycle, anchor, thresholds); Edit sends only what changed (PATCH); the plan history", async (page) => {
  await signInAdmin(page);
  await budgetsPage(page);
  await page.click("#budgets-plan-new");
  await untilDialog(page, "budgets-plan-dialog", true);
  const month = new Date().toISOString().slice(0, 7);
  await page.fill("#budgets-plan-dialog-form-name", `Monthly ${RUN}`);
  await page.selectOption("#budgets-plan-dialog-form-cycle", "monthly");
  await page.fill("#budgets-plan-dialog-form-anchor", `${month}-01T00:00`);
  await page.fill("#budgets-plan-dialog-form-alert_thresholds", "50, 90");
  await shot(page, "61-budgets-plan-dialog");
  const made = answerTo(page, "POST", `${BUD}/plans`);
  await page.click("#budgets-plan-dialog-save");
  const m = await made;
  same(m.request().postDataJSON(), { name: `Monthly ${RUN}`, cycle: "monthly", anchor: `${month}-01T00:00:00Z`, alert_thresholds: [50, 90] }, "the new plan's body");
  same(m.status(), 201, "the answer to the new plan");
  await untilDialog(page, "budgets-plan-dialog", false);
  await untilText(page, "#budgets-plan-name", (t) => t === `Monthly ${RUN}`, "the active plan's name");
  same(await textOf(page, "#budgets-plan-cycle"), "Monthly", "the cycle");
  same(await textOf(page, "#budgets-plan-thresholds"), "50%, 90%", "the thresholds");
  const active = await budGet("/plans/active");
  check(typeof active.period.end === "string", `a monthly plan's period has an end: ${JSON.stringify(active.period)}`);
  await untilText(page, "#budgets-total-period", (t) => !t.endsWith("no end") && t !== "—", "the header's period under the plan");

  await page.click("#budgets-plan-edit");
  await untilDialog(page, "budgets-plan-dialog", true);
  same(await page.inputValue("#budgets-plan-dialog-form-alert_thresholds"), "50, 90", "the thresholds offered to edit");
  await page.fill("#budgets-plan-dialog-form-alert_thresholds", "50, 80, 100");
  const patched = answerTo(page, "PATCH", `${BUD}/plans/`);
  await page.click("#budgets-plan-dialog-save");
  const p = await patched;
  same(p.request().postDataJSON(), { alert_thresholds: [50, 80, 100] }, "the edit's body");
  same(p.status(), 200, "the answer to the edit");
  await untilText(page, "#budgets-plan-thresholds", (t) => t === "50%, 80%, 100%", "the thresholds changed");
  await until("the plan history", () => cellsOf(page, "#budgets-plans-body"), (rows) => rows.length === 1 && rows[0][0] === `Monthly ${RUN}` && rows[0][5] === "Active");
  same((await budGet("/plans/active")).plan.alert_thresholds, [50, 80, 100], "the thresholds (API)");
  await shot(page, "61-budgets-plan");
});

test("Credit Pools: Allocate… to an organisation chosen by the keyboard (the request's body); the tree; a 409 shown by its field, nothing made; then a team from the organisation", async (page) => {
  await signInAdmin(page);
  await budgetsPage(page);
  await page.click("#budgets-allocate");
  await untilDialog(page, "budgets-allocate-dialog", true);
  same(await page.inputValue("#budgets-allocate-dialog-form-scope_type"), "organisation", "the kind offered first");
  same(await page.inputValue("#budgets-allocate-dialog-form-from"), "Unallocated (the account)", "the source offered");
  await pickByKeyboard(page, "budgets-allocate-dialog-form-scope", `Bud Org ${RUN}`, `Bud Org ${RUN}`);
  await page.fill("#budgets-allocate-dialog-form-credits", "300");
  await shot(page, "62-budgets-allocate-dialog");
  const made = answerTo(page, "POST", `${BUD}/allocations/upsert`);
  await page.click("#budgets-allocate-dialog-save");
  const r = await made;
  same(r.request().postDataJSON(), { scope: { type: "organisation", id: bud.org.id }, credits: "300", from: { type: "account" } }, "the allocation's body");
  same(r.status(), 201, "the answer to the allocation");
  await untilDialog(page, "budgets-allocate-dialog", false);
  await until("the organisation in the tree", () => poolRows(page), (rows) => rows.some((x) => x.key === `organisation:${bud.org.id}`));
  let rows = await poolRows(page);
  same(rows.map((x) => [x.key, x.depth, x.credits, x.remaining, x.unallocated]), [
    [`account:${demo.account.id}`, 0, "1,000", "1,000", "700"],
    [`organisation:${bud.org.id}`, 1, "300", "300", "300"],
  ], "the tree after the allocation");
  await untilText(page, "#budgets-total-unallocated", (t) => t === "700", "Unallocated in the header");
  same(await textOf(page, "#budgets-total-allocated"), "300", "Allocated in the header");
  same(await textOf(page, "#budgets-pools-note"), `Allocated: Bud Org ${RUN} has 300 credits per period from the account's Unallocated credits.`, "the note");

  /* A team from the organisation, for more than the organisation has: 409 by the credits. */
  await page.click("#budgets-allocate");
  await untilDialog(page, "budgets-allocate-dialog", true);
  await page.selectOption("#budgets-allocate-dialog-form-scope_type", "team");
  await pickByKeyboard(page, "budgets-allocate-dialog-form-scope", `Bud Team ${RUN}`, `Bud Team ${RUN}`);
  await pickByKeyboard(page, "budgets-allocate-dialog-form-from", `Bud Org ${RUN}`, `Bud Org ${RUN}`);
  await page.fill("#budgets-allocate-dialog-form-credits", "500");
  const refused = answerTo(page, "POST", `${BUD}/allocations/upsert`);
  await page.click("#budgets-allocate-dialog-save");
  const x = await refused;
  same(x.status(), 409, "the answer to too many credits");
  same((await x.json()).error.code, "insufficient_unallocated", "the refusal's code");
  await untilText(page, "#budgets-allocate-dialog-form-credits-error", (t) => t === "The source has 300 credits unallocated.", "the refusal by the credits");
  same(await page.getAttribute("#budgets-allocate-dialog-form-credits", "aria-invalid"), "true", "the credits marked invalid");
  same(await focusedId(page), "budgets-allocate-dialog-form-credits", "the focus after the refusal");
  check(await dialogOpen(page, "budgets-allocate-dialog"), "the dialog closed on a refusal");
  check(!(await budPools()).has(`team:${bud.team.id}`), "the refused allocation was made");
  await shot(page, "62-budgets-allocate-409");
  await page.fill("#budgets-allocate-dialog-form-credits", "120");
  const made2 = answerTo(page, "POST", `${BUD}/allocations/upsert`);
  await page.click("#budgets-allocate-dialog-save");
  const r2 = await made2;
  same(r2.request().postDataJSON(), { scope: { type: "team", id: bud.team.id }, credits: "120", from: { type: "organisation", id: bud.org.id } }, "the team's allocation");
  same(r2.status(), 201, "the answer to the team's allocation");
  await untilDialog(page, "budgets-allocate-dialog", false);
  await until("the team under the organisation", () => poolRows(page), (t) => t.some((y) => y.key === `team:${bud.team.id}`));
  rows = await poolRows(page);
  same(rows.map((y) => [y.key, y.depth, y.credits, y.unallocated]), [
    [`account:${demo.account.id}`, 0, "1,000", "700"],
    [`organisation:${bud.org.id}`, 1, "300", "180"],
    [`team:${bud.team.id}`, 2, "120", "120"],
  ], "the tree with the team");
  await shot(page, "62-budgets-tree", true);
});

test("equal distribution: the team chosen by the picker; a preview (dry run) shows each user's share and the remainder, then Apply makes them", async (page) => {
  await signInAdmin(page);
  await budgetsPage(page);
  await page.click("#budgets-distribute");
  await untilDialog(page, "budgets-distribute-dialog", true);
  check(!(await isShown(page, "#budgets-distribute-dialog-form-scope")), "a scope to choose for the whole account");
  await page.selectOption("#budgets-distribute-dialog-form-scope_type", "team");
  await untilShown(page, "#budgets-distribute-dialog-form-scope", "the team picker");
  await pickByKeyboard(page, "budgets-distribute-dialog-form-scope", `Bud Team ${RUN}`, `Bud Team ${RUN}`);
  await page.fill("#budgets-distribute-dialog-form-credits", "100");
  check(await page.isDisabled("#budgets-distribute-dialog-apply"), "Apply offered before a preview");
  const dry = answerTo(page, "POST", `${BUD}/distribute/equal`);
  await page.click("#budgets-distribute-dialog-preview");
  const d = await dry;
  same(d.request().postDataJSON(), { scope: { type: "team", id: bud.team.id }, credits: "100", dry_run: true }, "the preview's body");
  const preview = await d.json();
  same([preview.each, preview.users, preview.remainder, preview.skipped_overrides, preview.dry_run], ["33.333333", 3, "0.000001", 0, true],
    "the preview (API): each, users, remainder, skipped overrides, dry run");
  await untilText(page, "#budgets-distribute-dialog-result-text", (t) => t !== "", "the preview");
  same(await textOf(page, "#budgets-distribute-dialog-result-title"), "Preview: nothing has changed yet", "the preview's title");
  same(await textOf(page, "#budgets-distribute-dialog-result-text"), "3 users would get 33.333333 credits each per period; 0.000001 would stay unallocated.", "the preview's words");
  check(![...(await budPools()).keys()].some((k) => bud.users.some((u) => k === `user:${u.id}`)), "the preview allocated");
  await shot(page, "63-budgets-distribute-preview");
  await page.fill("#budgets-distribute-dialog-form-credits", "99");
  check(await page.isDisabled("#budgets-distribute-dialog-apply"), "Apply offered for an amount not previewed");
  await page.fill("#budgets-distribute-dialog-form-credits", "100");
  const dry2 = answerTo(page, "POST", `${BUD}/distribute/equal`);
  await page.click("#budgets-distribute-dialog-preview");
  await dry2;
  await until("Apply offered after the preview", () => page.isEnabled("#budgets-distribute-dialog-apply"), (v) => v === true);
  const applied = answerTo(page, "POST", `${BUD}/distribute/equal`);
  await page.click("#budgets-distribute-dialog-apply");
  const a = await applied;
  same(a.request().postDataJSON(), { scope: { type: "team", id: bud.team.id }, credits: "100", dry_run: false }, "Apply's body");
  same(a.status(), 200, "the answer to Apply");
  await untilText(page, "#budgets-distribute-dialog-result-title", (t) => t === "Done", "the outcome");
  same(await textOf(page, "#budgets-distribute-dialog-result-text"), "3 users got 33.333333 credits each per period; 0.000001 stay unallocated.", "the outcome's words");
  await shot(page, "63-budgets-distribute-applied");
  await page.keyboard.press("Escape");
  await untilDialog(page, "budgets-distribute-dialog", false);
  same(await focusedId(page), "budgets-distribute", "the focus back on the button");
  const pools = await budPools();
  await until("the team's users in the tree", () => poolRows(page), (rows) => rows.filter((r) => r.depth === 3).length === 3);
  const rows = await poolRows(page);
  const under = rows.slice(rows.findIndex((r) => r.key === `team:${bud.team.id}`) + 1);
  same(under.map((r) => [r.key, r.depth, r.credits]).sort(), bud.users.slice(0, 3).map((u) => [`user:${u.id}`, 3, "33.333333"]).sort(), "the users under the team");
  same(rows.find((r) => r.key === `team:${bud.team.id}`).unallocated, grouped(pools.get(`team:${bud.team.id}`).unallocated), "the team's Unallocated");
  same(pools.get(`team:${bud.team.id}`).unallocated, "20.000001", "the team's Unallocated (API): the remainder stayed");
  await shot(page, "63-budgets-tree-users", true);
});

test("User Overrides: set for a user chosen by the picker, listed and marked in the tree; an allocation to them refused by the scope (409); removed after confirming", async (page) => {
  await signInAdmin(page);
  await budgetsPage(page);
  const four = bud.users[3];
  await page.click("#budgets-override-new");
  await untilDialog(page, "budgets-override-dialog", true);
  same(await focusedId(page), "budgets-override-dialog-form-user", "the focus in the dialog");
  await pickByKeyboard(page, "budgets-override-dialog-form-user", `Bud Four ${RUN}`, `Bud Four ${RUN}`);
  await page.fill("#budgets-override-dialog-form-credits", "25");
  const set = answerTo(page, "POST", `${BUD}/overrides`);
  await page.click("#budgets-override-dialog-save");
  const s = await set;
  same(s.request().postDataJSON(), { user: four.id, credits: "25" }, "the override's body");
  same(s.status(), 201, "the answer to the override");
  await untilDialog(page, "budgets-override-dialog", false);
  await until("the override listed", () => cellsOf(page, "#budgets-overrides-body"), (rows) => rows.length === 1);
  same((await cellsOf(page, "#budgets-overrides-body"))[0].slice(0, 4), [four.display_name, "25", "0", "25"], "the override's row");
  await until("the override in the tree", () => poolRows(page), (rows) => rows.some((r) => r.key === `user:${four.id}`));
  const row = (await poolRows(page)).find((r) => r.key === `user:${four.id}`);
  same([row.rule, row.depth, row.credits], ["override", 1, "25"], "the override's pool in the tree");
  check((await page.locator(`#budgets-pools-body tr[data-key="user:${four.id}"]`).textContent()).includes("User Override"), "the tree does not say User Override");
  await shot(page, "64-budgets-override");

  /* An allocation to a user with a User Override: refused, shown at the user. */
  await page.click("#budgets-allocate");
  await untilDialog(page, "budgets-allocate-dialog", true);
  await page.selectOption("#budgets-allocate-dialog-form-scope_type", "user");
  await pickByKeyboard(page, "budgets-allocate-dialog-form-scope", `Bud Four ${RUN}`, `Bud Four ${RUN}`);
  await page.fill("#budgets-allocate-dialog-form-credits", "10");
  const refused = answerTo(page, "POST", `${BUD}/allocations/upsert`);
  await page.click("#budgets-allocate-dialog-save");
  same((await refused).status(), 409, "the answer to an allocation over an override");
  await untilText(page, "#budgets-allocate-dialog-form-scope-error", (t) => t === "This user has a User Override: change it, or delete it first.", "the refusal at the user");
  same(await page.getAttribute("#budgets-allocate-dialog-form-scope", "aria-invalid"), "true", "the user marked invalid");
  await shot(page, "64-budgets-override-409");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await untilDialog(page, "budgets-allocate-dialog", false);

  const remove = page.locator(`#budgets-overrides-body tr[data-user="${four.id}"] button[data-act=remove]`);
  await remove.click();
  same(await remove.textContent(), "Confirm remove", "the remove button asks to confirm");
  same((await budPools()).get(`user:${four.id}`)?.rule, "override", "the override before confirming");
  const gone = answerTo(page, "DELETE", `${BUD}/overrides/`);
  await remove.click();
  const g = await gone;
  same(new URL(g.url()).pathname, `${BUD}/overrides/${four.id}`, "the removal's path");
  same(g.status(), 200, "the answer to the removal");
  await until("the override gone", () => cellsOf(page, "#budgets-overrides-body"), (rows) => rows.length === 0);
  check(!(await budPools()).has(`user:${four.id}`), "the override is still there (API)");
});

test("Effective Allocation: a user chosen by the picker; each level's limit, spent, held, remaining and the rule that decided it", async (page) => {
  const one = bud.users[0];
  await budUsage(one, `bud-model-a-${RUN}`, "5", "e1");
  await signInAdmin(page);
  await budgetsPage(page);
  const answered = answerTo(page, "GET", `${BUD}/effective-allocation`);
  await pickByKeyboard(page, "budgets-effective-user", `Bud One ${RUN}`, `Bud One ${RUN}`);
  const r = await answered;
  same(new URL(r.url()).searchParams.get("user"), one.id, "the user asked about");
  await until("the levels shown", () => page.getAttribute("#budgets-effective-table", "aria-busy"), (v) => v === "false");
  await untilShown(page, "#budgets-effective-result", "the Effective Allocation");
  const api2 = await budGet(`/effective-allocation?user=${one.id}`);
  same(api2.user_rule, "allocation", "the user's rule (API)");
  same(api2.levels.map((l) => l.scope.type), ["user", "team", "organisation", "account"], "the levels (API)");
  const shown = await cellsOf(page, "#budgets-effective-body");
  same(shown.map((c) => c.slice(1)), api2.levels.map((l) => [{ account: "Account", allocation: "Allocation", override: "User Override" }[l.rule],
    grouped(l.limit), grouped(l.spent), grouped(l.held), grouped(l.remaining)]), "each level's rule, limit, spent, held and remaining");
  same(shown.map((c) => c.slice(1)), [
    ["Allocation", "33.333333", "5", "0", "28.333333"],
    ["Allocation", "120", "5", "0", "115"],
    ["Allocation", "300", "5", "0", "295"],
    ["Account", "1,000", "5", "0", "995"],
  ], "the levels as shown");
  check(shown[0][0].startsWith(`Bud One ${RUN}`) && shown[1][0].startsWith(`Bud Team ${RUN}`) && shown[2][0].startsWith(`Bud Org ${RUN}`),
    `the levels' names: ${JSON.stringify(shown.map((c) => c[0]))}`);
  const summary = await textOf(page, "#budgets-effective-summary");
  check(summary.startsWith(`Bud One ${RUN} may spend 28.333333 more credits this period`) && summary.includes("decided by Allocation"),
    `the summary: ${summary}`);
  await shot(page, "65-budgets-effective");
});

test("spend over time: the chart drawn in the page has a bar per day with spend (3), matching cost-breakdown by day; the by-model table", async (page) => {
  const [one, two] = bud.users;
  await budUsage(one, `bud-model-a-${RUN}`, "2", "d0");
  await budUsage(two, `bud-model-b-${RUN}`, "3", "d2");
  await budUsage(two, `bud-model-a-${RUN}`, "1", "d5");
  /* Two of them recorded days ago: what the chart spreads over its days. */
  ownerSql(`UPDATE usage_records SET occurred_at = occurred_at - interval '2 days' WHERE idempotency_key = '${RUN}-d2'`);
  ownerSql(`UPDATE usage_records SET occurred_at = occurred_at - interval '5 days' WHERE idempotency_key = '${RUN}-d5'`);
  await signInAdmin(page);
  await budgetsPage(page);
  await budgetsRefresh(page);
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const today = Date.parse(`${day(Date.now())}T00:00:00Z`);
  const range = `from=${day(today - 29 * 86400000)}&to=${day(today + 86400000)}`;
  same(await page.inputValue("#budgets-spend-form-from"), day(today - 29 * 86400000), "the chart's first day");
  same(await page.inputValue("#budgets-spend-form-to"), day(today), "the chart's last day");
  const byDay = await budGet(`/cost-breakdown?by=day&${range}&limit=200`);
  same(byDay.items.map((x) => x.day), [day(today - 5 * 86400000), day(today - 2 * 86400000), day(today)], "the days with spend (API)");
  const bars = await page.$$eval("#budgets-chart svg rect.bar", (rs) => rs.map((r) => [r.dataset.day, r.dataset.credits, Number(r.getAttribute("height")) > 0]));
  same(bars, byDay.items.map((x) => [x.day, x.credits, true]), "the chart's bars: day, credits, drawn");
  same(await page.getAttribute("#budgets-chart svg", "data-points"), "3", "the chart's points");
  same(await page.getAttribute("#budgets-chart svg", "role"), "img", "the chart's role");
  check((await textOf(page, "#budgets-chart-caption")).includes("3 days with spend"), "the chart's caption");
  const heights = bars.length ? await page.$$eval("#budgets-chart svg rect.bar", (rs) => rs.map((r) => Number(r.getAttribute("height")))) : [];
  const credits = byDay.items.map((x) => Number(x.credits));
  check(heights.indexOf(Math.max(...heights)) === credits.indexOf(Math.max(...credits)), `the tallest bar is not the day with the most credits: ${heights} for ${credits}`);
  const byModel = await budGet(`/cost-breakdown?by=model&${range}&limit=50`);
  same(await cellsOf(page, "#budgets-models-body").then((rows) => rows.map((c) => c.slice(0, 2))),
    byModel.items.map((x) => [x.model, grouped(x.credits)]), "the by-model table");
  check(byModel.items.some((x) => x.model === `bud-model-b-${RUN}`), "the second model is not in the breakdown");
  await page.locator("#budgets-chart").scrollIntoViewIfNeeded();
  await shot(page, "66-budgets-chart");
  /* One day: its bar alone. */
  await page.fill("#budgets-spend-form-from", day(today - 2 * 86400000));
  await page.fill("#budgets-spend-form-to", day(today - 2 * 86400000));
  const again = answerTo(page, "GET", `${BUD}/cost-breakdown`, (q) => q.get("by") === "day");
  await page.click("#budgets-spend-form button[type=submit]");
  same(new URL((await again).url()).searchParams.get("to"), day(today - 86400000), "the day after the last, excluded");
  await until("one bar", () => page.$$eval("#budgets-chart svg rect.bar", (rs) => rs.map((r) => r.dataset.day)), (v) => v.length === 1 && v[0] === day(today - 2 * 86400000));
});

/* A receiver for the alerts' webhook: every POST it gets, {headers, body}. */
async function hookReceiver() {
  const { createServer } = await import("node:http");
  const got = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      got.push({ method: req.method, path: req.url, headers: req.headers, body });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { got, server, url: `http://127.0.0.1:${server.address().port}/hook/${RUN}` };
}

test("alerts: the webhook saved with its secret shown once; a threshold crossed through POST /usage is listed (threshold, scope, period) and delivered, signed with that secret", async (page) => {
  const { createHmac } = await import("node:crypto");
  const hook = await hookReceiver();
  try {
    await signInAdmin(page);
    await budgetsPage(page);
    same(await textOf(page, "#budgets-webhook-state"), "No webhook: alerts are listed here only (delivery: No webhook).", "before a webhook");
    await page.fill("#budgets-webhook-form-url", hook.url);
    const saved = answerTo(page, "PUT", `${BUD}/alerts/webhook`);
    await page.click("#budgets-webhook-save");
    const s = await saved;
    same(s.request().postDataJSON(), { url: hook.url }, "the webhook's body");
    same(s.status(), 201, "the answer to the new webhook");
    await untilShown(page, "#budgets-webhook-secret", "the secret");
    const secret = await textOf(page, "#budgets-webhook-secret-value");
    check(/^whsec_[A-Za-z0-9_-]{43}$/.test(secret), `the secret shown: ${secret}`);
    same(await focusedId(page), "budgets-webhook-secret-copy", "the focus on Copy");
    await page.click("#budgets-webhook-secret-copy");
    await untilText(page, "#budgets-webhook-secret-copied", (t) => t !== "", "the copy's outcome");
    await shot(page, "67-budgets-webhook-secret");
    const w = await budGet("/alerts/webhook");
    same([w.url, w.secret], [hook.url, undefined], "the webhook (API), never its secret");
    await page.click("#budgets-webhook-secret-hide");
    check(!(await isShown(page, "#budgets-webhook-secret")), "the secret still shown after Done");
    same(await textOf(page, "#budgets-webhook-secret-value"), "", "the secret left in the page");

    /* Bud One: 7 of 33.333333 spent; 10 more crosses 50%, and no other threshold anywhere. */
    const one = bud.users[0];
    await budUsage(one, `bud-model-a-${RUN}`, "10", "alert");
    const pool = (await budPools()).get(`user:${one.id}`);
    same([pool.spent, pool.credits], ["17", "33.333333"], "Bud One's pool after the usage");
    await budgetsRefresh(page);
    check(!(await isShown(page, "#budgets-webhook-secret")), "the secret shown again");
    same(await page.inputValue("#budgets-webhook-form-url"), hook.url, "the webhook's URL after loading again");
    const alerts = (await budGet("/alerts")).items;
    same(alerts.map((a) => [a.scope.type, a.scope.id, a.threshold, a.spent, a.limit]), [["user", one.id, 50, "17", "33.333333"]], "the alerts (API)");
    let rows = await cellsOf(page, "#budgets-alerts-body");
    same(rows.length, 1, "the alerts listed");
    check(rows[0][0].startsWith(`Bud One ${RUN}`), `the alert's pool: ${rows[0][0]}`);
    same(rows[0].slice(1, 4), ["50%", await page.evaluate(() => document.getElementById("budgets-plan-period").textContent), "17 of 33.333333"], "the alert's threshold, period and spend");

    /* The stack's deliverer posts it to the receiver, signed with the secret shown. */
    await until("the alert delivered to the receiver", () => hook.got.length, (n) => n >= 1, 20000);
    const d = hook.got[0];
    same([d.method, d.path, d.headers["x-cockpit-event"]], ["POST", `/hook/${RUN}`, "budget.alert"], "the delivery");
    const mac = createHmac("sha256", secret).update(`${d.headers["x-cockpit-timestamp"]}.${d.body}`).digest("hex");
    same(d.headers["x-cockpit-signature"], `sha256=${mac}`, "the delivery's signature, with the secret the page showed");
    same(JSON.parse(d.body).threshold, 50, "the delivered alert's threshold");
    await until("Delivered in the list", async () => {
      await budgetsRefresh(page);
      return (await cellsOf(page, "#budgets-alerts-body"))[0]?.[4] ?? "";
    }, (t) => t.startsWith("Delivered"), 20000);
    rows = await cellsOf(page, "#budgets-alerts-body");
    same((await budGet("/alerts")).items[0].delivery, "delivered", "the alert's delivery (API)");
    await page.locator("#budgets-alerts").scrollIntoViewIfNeeded();
    await shot(page, "67-budgets-alerts");

    const remove = page.locator("#budgets-webhook-remove");
    await remove.click();
    same(await remove.textContent(), "Confirm: remove the webhook", "the remove button asks to confirm");
    const gone = answerTo(page, "DELETE", `${BUD}/alerts/webhook`);
    await remove.click();
    same((await gone).status(), 204, "the answer to removing the webhook");
    await untilText(page, "#budgets-webhook-state", (t) => t.startsWith("No webhook"), "no webhook after removing it");
  } finally {
    hook.server.close();
  }
});

test("deleting an allocation: refused (409) while pools are allocated from it; the confirmation states the credits returned; gone from the tree", async (page) => {
  await signInAdmin(page);
  await budgetsPage(page);
  await page.click(`#budgets-pools-body tr[data-key="organisation:${bud.org.id}"] button[data-act=delete]`);
  await untilDialog(page, "budgets-delete-dialog", true);
  same(await textOf(page, "#budgets-delete-dialog-title"), `Delete the allocation of Bud Org ${RUN}?`, "the confirmation's title");
  const refused = answerTo(page, "DELETE", `${BUD}/allocations`);
  await page.click("#budgets-delete-dialog-confirm");
  same((await refused).status(), 409, "the answer to deleting a pool with allocations");
  await untilText(page, "#budgets-delete-dialog-form-error", (t) => t === "1 allocations are made from it: move or delete them first.", "the refusal");
  await shot(page, "68-budgets-delete-409");
  await page.click("#budgets-delete-dialog [data-close]");
  await untilDialog(page, "budgets-delete-dialog", false);

  const three = bud.users[2];
  const before = (await budPools()).get(`user:${three.id}`);
  same([before.credits, before.spent, before.remaining], ["33.333333", "0", "33.333333"], "Bud Three's pool (API)");
  await page.click(`#budgets-pools-body tr[data-key="user:${three.id}"] button[data-act=delete]`);
  await untilDialog(page, "budgets-delete-dialog", true);
  same(await textOf(page, "#budgets-delete-dialog-lead"),
    `Its unspent credits this period, 33.333333 of 33.333333, go back to Bud Team ${RUN}. What it spent stays in its history.`, "the credits it returns");
  same(await focusedId(page), "budgets-delete-dialog-confirm", "the focus on the confirmation");
  await shot(page, "68-budgets-delete-confirm");
  const deleted = answerTo(page, "DELETE", `${BUD}/allocations`);
  await page.keyboard.press("Enter");
  const r = await deleted;
  same(Object.fromEntries(new URL(r.url()).searchParams), { scope_type: "user", scope_id: three.id }, "what is deleted");
  same(r.status(), 200, "the answer to the deletion");
  same((await r.json()).returned, "33.333333", "the credits returned (API)");
  await untilDialog(page, "budgets-delete-dialog", false);
  await untilText(page, "#budgets-pools-note", (t) => t.startsWith("Deleted"), "the note");
  same(await textOf(page, "#budgets-pools-note"), `Deleted the allocation of ${three.display_name}: 33.333333 credits went back to Bud Team ${RUN}.`, "the note");
  await until("the user gone from the tree", () => poolRows(page), (rows) => !rows.some((x) => x.key === `user:${three.id}`));
  const team = (await poolRows(page)).find((x) => x.key === `team:${bud.team.id}`);
  same(team.unallocated, "53.333334", "the team's Unallocated with the credits back");
  same((await budPools()).get(`team:${bud.team.id}`).unallocated, "53.333334", "the team's Unallocated (API)");
});

test("Budgets (super admin acting inside Demo): X-Account-Id on every request; no horizontal scroll at 1280 and 800 px; dialogs by the keyboard, Escape gives the focus back", async (page) => {
  await signIn(page);
  await page.evaluate((acting) => sessionStorage.setItem("console-cockpit.acting-account", JSON.stringify(acting)), { id: demo.account.id, name: "Demo" });
  await goHash(page, "#/budgets");
  const mark = seen.apiRequests.length;
  try {
    await budgetsLoads(page, () => page.reload());
    check((await navLinks(page)).some(([text, , current]) => text === "Budgets" && current), "the Budgets link is not the current page");
    const budgetCalls = requestsSince(mark).filter((r) => r.path.startsWith(BUD));
    check(budgetCalls.length >= 8 && budgetCalls.every((r) => r.account === demo.account.id),
      `budgets requests without X-Account-Id: ${JSON.stringify(budgetCalls.filter((r) => r.account !== demo.account.id))}`);
    /* Every section shown: a user's Effective Allocation, the numbers by day. */
    const effective = answerTo(page, "GET", `${BUD}/effective-allocation`);
    await pickByKeyboard(page, "budgets-effective-user", `Bud One ${RUN}`, `Bud One ${RUN}`);
    same((await effective).status(), 200, "the Effective Allocation");
    await untilShown(page, "#budgets-effective-result", "the Effective Allocation");
    await page.click("#budgets-spend details summary");
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 900 });
      await sleep(200);
      await checkNoHorizontalScroll(page, `the Budgets page at ${width} px`);
      const inner = await page.$$eval("#budgets-view .table-wrap", (ws) => ws.filter((w) => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1).map((w) => w.querySelector("table")?.id));
      same(inner, [], `tables scrolling sideways at ${width} px`);
      await shot(page, `69-budgets-${width}`, true);
    }
    await page.focus("#budgets-allocate");
    await page.keyboard.press("Enter");
    await untilDialog(page, "budgets-allocate-dialog", true);
    same(await focusedId(page), "budgets-allocate-dialog-form-scope_type", "the focus in the allocation dialog");
    await checkNoHorizontalScroll(page, "the allocation dialog at 800 px");
    await shot(page, "69-budgets-dialog-800");
    await page.keyboard.press("Escape");
    await untilDialog(page, "budgets-allocate-dialog", false);
    same(await focusedId(page), "budgets-allocate", "the focus back after Escape");
    await page.setViewportSize({ width: 1280, height: 800 });

    /* Change: the team's amount (PATCH-like upsert of the same scope and source); below its spend refused by the credits. */
    await page.click(`#budgets-pools-body tr[data-key="team:${bud.team.id}"] button[data-act=edit]`);
    await untilDialog(page, "budgets-allocate-dialog", true);
    same(await textOf(page, "#budgets-allocate-dialog-title"), `Change the allocation of Bud Team ${RUN}`, "the change dialog's title");
    same(await page.inputValue("#budgets-allocate-dialog-form-credits"), "120", "the amount offered to change");
    check(await page.isDisabled("#budgets-allocate-dialog-form-scope_type") && await page.isDisabled("#budgets-allocate-dialog-form-scope"),
      "the scope can be changed in the change dialog");
    same(await focusedId(page), "budgets-allocate-dialog-form-credits", "the focus on the amount");
    await page.fill("#budgets-allocate-dialog-form-credits", "150");
    const changed = answerTo(page, "POST", `${BUD}/allocations/upsert`);
    await page.click("#budgets-allocate-dialog-save");
    const c = await changed;
    same(c.request().postDataJSON(), { scope: { type: "team", id: bud.team.id }, credits: "150", from: { type: "organisation", id: bud.org.id } }, "the change's body");
    same(c.status(), 200, "the answer to the change");
    await untilDialog(page, "budgets-allocate-dialog", false);
    await until("the team's new amount", () => poolRows(page), (rows) => rows.find((r) => r.key === `team:${bud.team.id}`)?.credits === "150");
    same((await budPools()).get(`team:${bud.team.id}`).credits, "150", "the team's credits (API)");
    await page.click(`#budgets-pools-body tr[data-key="user:${bud.users[0].id}"] button[data-act=edit]`);
    await untilDialog(page, "budgets-allocate-dialog", true);
    await page.fill("#budgets-allocate-dialog-form-credits", "1");
    const below = answerTo(page, "POST", `${BUD}/allocations/upsert`);
    await page.click("#budgets-allocate-dialog-save");
    same((await below).status(), 409, "the answer to fewer credits than spent");
    await untilText(page, "#budgets-allocate-dialog-form-credits-error",
      (t) => t === "17 credits have been spent or are held this period: the credits cannot be fewer.", "below_spend by the credits");
    await shot(page, "69-budgets-below-spend");
    await page.keyboard.press("Escape");
    await untilDialog(page, "budgets-allocate-dialog", false);

    /* Names are text: an organisation named with markup. */
    const marked = await dirMake("/v1/copilot/orgs", { name: `<img src=x onerror=alert(1)>Mark ${RUN}` });
    const r = await dirApi("POST", `${BUD}/allocations/upsert`, { scope: { type: "organisation", id: marked.id }, credits: "1" });
    same(r.status, 201, "allocating to the organisation named with markup");
    await budgetsRefresh(page);
    same((await poolRows(page)).find((x) => x.key === `organisation:${marked.id}`)?.name, `<img src=x onerror=alert(1)>Mark ${RUN}`, "the name as text");
    same(await page.locator("#budgets-view img").count(), 0, "elements made of a name");
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => sessionStorage.removeItem("console-cockpit.acting-account"));
  }
});

/* The API refusals the tests above provoke on purpose; Chromium logs each. */
const EXPECTED_REFUSALS = [
  ["/v1/me/context", /^(401)$/],
  ["/v1/auth/break-glass", /^(401|403|429)$/],
  ["/v1/accounts", /^(401|403|404|409|422)$/],
  ["/v1/audit", /^(403)$/],
  ["/v1/plans", /^(409)$/],
  ["/v1/copilot", /^(403|409|422)$/],
  ["/v1/console", /^(403|404)$/],
  ["/v1/budgets", /^(404|409)$/],
];

function expectedRefusal(message) {
  const m = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(message.text);
  if (message.type !== "error" || !m || !message.url.startsWith(BASE + "/")) {
    return false;
  }
  const path = new URL(message.url).pathname;
  return EXPECTED_REFUSALS.some(([prefix, status]) => (path === prefix || path.startsWith(prefix + "/")) && status.test(m[1]));
}

test("no console errors, page errors, failed requests or CSP violations all along", async () => {
  const csp = seen.documentHeaders?.["content-security-policy"] || "";
  check(csp.includes("default-src 'self'"), `the console is served without its CSP (got "${csp}")`);
  const problems = [
    ...seen.consoleMessages.filter((m) => (m.type === "error" || m.type === "warning") && !expectedRefusal(m))
      .map((m) => `console ${m.type}: ${m.text} (${m.url})`),
    ...seen.pageErrors.map((e) => `page error: ${e}`),
    ...seen.cspViolations.map((v) => `CSP violation: ${v}`),
    ...seen.failedRequests.filter((r) => !r.endsWith("net::ERR_ABORTED")).map((r) => `request failed: ${r}`),
  ];
  check(problems.length === 0, `${problems.length} seen:\n    ${problems.join("\n    ")}`);
  check(seen.consoleMessages.some(expectedRefusal), "the provoked 401/403/409/422 were not seen in the console: is it watched?");
});

/* -------------------------------------------------------------- main */

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: root ? ["--no-sandbox"] : [],
  });
  let passed = 0;
  let failed = 0;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: "UTC" });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    watch(page);
    await page.exposeFunction("reportCspViolation", (v) => seen.cspViolations.push(v));
    await page.exposeFunction("reportListLoad", () => seen.listLoads++);
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        window.reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
      });
      /* Each change of the table's aria-busy from true to false: a list shown. */
      new MutationObserver((records) => {
        const table = records.filter((r) => r.target.id === "accounts-table");
        table.forEach((r, i) => {
          const value = i + 1 < table.length ? table[i + 1].oldValue : r.target.getAttribute("aria-busy");
          if (r.oldValue === "true" && value === "false") {
            window.reportListLoad();
          }
        });
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ["aria-busy"], attributeOldValue: true });
    });
    console.log(`browser: Chromium ${browser.version()}; stack: ${BASE}; marker: ${RUN}`);
    /* COCKPIT_BROWSER_ONLY (a regular expression): only the tests it matches, after the first (the setup). */
    const only = process.env.COCKPIT_BROWSER_ONLY ? new RegExp(process.env.COCKPIT_BROWSER_ONLY) : null;
    for (const [i, t] of tests.entries()) {
      if (only && i > 0 && !only.test(t.name)) {
        continue;
      }
      const started = Date.now();
      try {
        await t.fn(page);
        passed++;
        console.log(`PASS ${i + 1} ${t.name} (${Date.now() - started} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${i + 1} ${t.name}\n    ${e instanceof Failure ? e.message : e.stack}`);
        await shot(page, `failed-${i + 1}`).catch(() => {});
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/* Whatever hangs, the run ends with a summary line. */
setTimeout(() => {
  console.log("the browser suite took longer than 600 s: stopped");
  console.log("0 passed, 1 failed");
  process.exit(1);
}, 600000).unref();

main().then((code) => process.exit(code), (e) => {
  console.log(`the browser suite could not run: ${e.stack || e}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
