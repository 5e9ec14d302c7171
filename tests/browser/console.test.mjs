/*
 * The admin console (www/) in headless Chromium against a real stack.
 *
 * Run by tests/browser/suite.sh, which starts the stack and sets:
 *   COCKPIT_URL, COCKPIT_MASTER_KEY  the stack, from its env file
 *   PGHOST, PGPORT, PGUSER, ...      the owner role on the stack's database
 *   COCKPIT_CHROMIUM                 the browser, /usr/bin/chromium
 *   COCKPIT_BROWSER_MODULES          the node_modules holding playwright-core
 *   COCKPIT_SCREENSHOTS              where the screenshot of each state goes
 *
 * One page, one test after another; each test names what it checks and
 * signs in again when it needs to. Every account a test makes carries
 * this run's marker, so a test sees only its own. Prints PASS or FAIL per
 * test and ends with "N passed, N failed".
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
const CHROMIUM = env("COCKPIT_CHROMIUM");
const SHOTS = env("COCKPIT_SCREENSHOTS");
const { chromium } = createRequire(import.meta.url)(join(env("COCKPIT_BROWSER_MODULES"), "playwright-core"));

/* Lowercase letters and digits: fits in a slug, unique to this run. */
const RUN = "t" + Date.now().toString(36).slice(-6) + Math.random().toString(36).slice(2, 5);
const WAIT_MS = 10000;  /* generous: make check may run the API suites alongside */
const WRONG_KEY = "0123456789abcdef".repeat(4);

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

async function api(method, path, body, key = KEY) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${key}` };
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
 * The API cannot suspend an account yet: the owner role does it in the
 * database (psql, through the PG* variables of the stack's env file).
 */
async function suspend(account) {
  check(/^[a-z0-9-]+$/.test(account.slug), `unexpected slug ${account.slug}`);
  try {
    execFileSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", "-c",
      "SELECT set_config('cockpit.platform', 'on', false); " +
      `UPDATE accounts SET status = 'suspended' WHERE slug = '${account.slug}'`],
    { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    throw new Failure(`psql could not suspend ${account.slug}: ${e.stderr || e.message}`);
  }
  same((await getAccount(account.id)).status, "suspended", `status of ${account.slug} after suspending it`);
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
    if (request.method() === "GET" && new URL(request.url()).pathname === "/v1/accounts") {
      seen.listRequests.push(request.url());
    }
  });
  page.on("response", (response) => {
    if (response.request().method() === "GET" && new URL(response.url()).pathname === "/v1/accounts") {
      seen.listResponses.push(response);
    }
    if (response.request().isNavigationRequest() && seen.documentHeaders === null) {
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

async function submitKey(page, key) {
  await page.fill("#sign-in-form-key", key);
  await page.click("#sign-in-form button[type=submit]");
}

async function signIn(page) {
  if (!(await isShown(page, "#sign-in"))) {
    return;
  }
  await reloadsList(page, () => submitKey(page, KEY));
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

/* ------------------------------------------------------------- tests */

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test("sign-in comes first; a wrong key is refused; the real key signs in and stays in sessionStorage only", async (page) => {
  await page.goto(BASE + "/");
  await untilShown(page, "#sign-in", "the sign-in panel");
  check(!(await isShown(page, "#accounts-view")), "the accounts view is shown before signing in");
  check(!(await isShown(page, "#session")), "the sign-out control is shown before signing in");
  same(await page.getAttribute("#sign-in-form-key", "type"), "password", "type of the key input");
  await shot(page, "01-sign-in");

  await submitKey(page, "too-short");
  await untilText(page, "#sign-in-form-key-error", (t) => t.includes("32"), "the too-short message next to the key");

  const refused = page.waitForResponse((r) => new URL(r.url()).pathname === "/v1/accounts");
  await submitKey(page, WRONG_KEY);
  same((await refused).status(), 401, "the API's answer to the wrong key");
  await untilText(page, "#sign-in-form-key-error", (t) => /not accepted/i.test(t), "the wrong-key message next to the key");
  check(!(await isShown(page, "#accounts-view")), "the accounts view is shown after a wrong key");
  check(!(await storage(page)).session.some(([, v]) => v === WRONG_KEY), "the wrong key was stored");
  await shot(page, "01-wrong-key");

  await reloadsList(page, () => submitKey(page, KEY));
  await untilShown(page, "#accounts-view", "the accounts view");
  check(!(await isShown(page, "#sign-in")), "the sign-in panel is still shown after signing in");
  check(await isShown(page, "#session"), "the sign-out control is not shown after signing in");
  same(await page.inputValue("#sign-in-form-key"), "", "the key input after signing in");
  const kept = await storage(page);
  check(kept.session.some(([, v]) => v === KEY), "the key is not in sessionStorage");
  same(kept.local, [], "localStorage");
  check(!kept.cookie.includes(KEY), "the key is in a cookie");
  await shot(page, "01-signed-in");
});

test("the status strip shows health OK, ready, schema version 1", async (page) => {
  await signIn(page);
  const readiness = await api("GET", "/readiness");
  same([readiness.status, readiness.body?.schema_version], [200, 1], "GET /readiness");
  await untilText(page, "#health-value", (t) => t === "OK", "health OK");
  same(await page.getAttribute("#status-health", "data-state"), "ok", "the health item's state");
  await untilText(page, "#readiness-value", (t) => t === "Ready", "readiness Ready");
  same(await page.getAttribute("#status-readiness", "data-state"), "ok", "the readiness item's state");
  await untilText(page, "#schema-value", (t) => t === "1", "schema version 1");
  await shot(page, "02-status");
});

test("the list shows accounts made through the API; search (debounced) and the status filter narrow it", async (page) => {
  const m = RUN + "list";
  const made = await createAccounts([1, 2, 3].map((i) => ({ name: `List ${m} ${i}`, slug: `${m}-${i}` })), 1);
  await suspend(made[1]);

  /* A reload keeps the key (sessionStorage) and loads the list again. */
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
  await page.locator(".list-foot").scrollIntoViewIfNeeded();
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
  const m = RUN + "markup";
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

test("sign out forgets the key; a key the API refuses (401) sends back to sign-in", async (page) => {
  await signIn(page);
  await page.click("#sign-out");
  await untilShown(page, "#sign-in", "the sign-in panel");
  check(!(await isShown(page, "#accounts-view")), "the accounts view is shown after signing out");
  check(!(await isShown(page, "#session")), "the sign-out control is shown after signing out");
  same((await storage(page)).session, [], "sessionStorage after signing out");
  same(await page.locator("#accounts-body tr").count(), 0, "rows left in the table after signing out");
  await shot(page, "08-signed-out");

  await signIn(page);
  const swapped = await page.evaluate(([key, wrong]) => {
    let n = 0;
    for (const [k, v] of Object.entries(sessionStorage)) {
      if (v === key) {
        sessionStorage.setItem(k, wrong);
        n++;
      }
    }
    return n;
  }, [KEY, WRONG_KEY]);
  same(swapped, 1, "keys swapped in sessionStorage");
  const refused = await reloadsList(page, () => page.selectOption("#filter-status", "active"));
  same(refused.status(), 401, "the API's answer to the swapped key");
  await untilShown(page, "#sign-in", "the sign-in panel after a 401");
  await untilText(page, "#sign-in-form-error", (t) => /not accepted/i.test(t), "the message after a 401");
  check(!(await isShown(page, "#accounts-view")), "the accounts view is shown after a 401");
  same((await storage(page)).session, [], "sessionStorage after a 401");
  await shot(page, "08-key-refused");
  await signIn(page);
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

test("no horizontal scroll at 1280 and 800 px, long names included", async (page) => {
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
      await shot(page, `10-layout-${width}`, true);
    }
    await page.click("#sign-out");
    await untilShown(page, "#sign-in", "the sign-in panel");
    await checkNoHorizontalScroll(page, "the sign-in panel at 800 px");
    await shot(page, "10-sign-in-800");
    await signIn(page);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

/* The API refusals the tests above provoke on purpose; Chromium logs each. */
function expectedRefusal(message) {
  return message.type === "error" &&
    /^Failed to load resource: the server responded with a status of (401|409|422)\b/.test(message.text) &&
    message.url.startsWith(BASE + "/v1/accounts");
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
  check(seen.consoleMessages.some(expectedRefusal), "the provoked 401/409/422 were not seen in the console: is it watched?");
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
    for (const [i, t] of tests.entries()) {
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
  console.log("the browser suite took longer than 150 s: stopped");
  console.log("0 passed, 1 failed");
  process.exit(1);
}, 150000).unref();

main().then((code) => process.exit(code), (e) => {
  console.log(`the browser suite could not run: ${e.stack || e}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
