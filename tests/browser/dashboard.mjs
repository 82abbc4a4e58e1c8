// The dashboard in headless Chromium (Debian's package) driven by playwright-core: the e2e targets
// are listed, the failing one with its failure reason in its row, "Back up now" confirms with the
// run id the API answered and starts a run whose progress moves and whose row turns green, a
// run's history opens, a target's snapshots show their safety and suspect marks; screenshots of
// the page (desktop and phone) are written for docs/.
// Env: BK_URL, BK_TOKEN, BK_TARGET (the one to back up), BK_OTHERS (comma-separated), BK_SHOTS
// (dir), BK_FAILING (a target whose last run failed), BK_MARKED (a target with a safety snapshot
// and a suspect one).
import { chromium } from "playwright-core";

const url = process.env.BK_URL, token = process.env.BK_TOKEN, target = process.env.BK_TARGET;
const others = (process.env.BK_OTHERS || "").split(",").filter(Boolean);
const shots = process.env.BK_SHOTS;
const failing = process.env.BK_FAILING, marked = process.env.BK_MARKED;
const fail = (msg) => { console.error("FAIL: " + msg); process.exit(1); };

const browser = await chromium.launch({
  executablePath: process.env.BK_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  // The page's CSP forbids eval, which Playwright's waitForFunction needs: bypassed for the test.
  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.fill("#token", token);
  await page.click("#save-token");
  for (const t of [target, ...others]) {
    await page.waitForSelector(`tr[data-name="${t}"]`, { timeout: 20000 });
  }
  await page.waitForSelector("#live.on", { timeout: 20000 });
  console.log("listed: " + [target, ...others].join(", "));

  if (failing) {
    const why = await page.textContent(`tr[data-name="${failing}"] .reason`).catch(() => null);
    if (!why || !why.trim()) fail(`the failed row of ${failing} shows no reason`);
    console.log(`failure reason shown: "${why.trim()}"`);
  }

  const row = `tr[data-name="${target}"]`;
  const answered = page.waitForResponse((r) => r.url().endsWith(`/targets/${target}/run`));
  await page.click(`button[data-run="${target}"]`);
  const runId = (await (await answered).json()).run_id;
  if (!runId) fail("the API's answer to Back up now has no run id");
  await page.waitForSelector(`#confirmation a.run-link[data-run-id="${runId}"]`, { timeout: 10000 });
  const confirmation = await page.textContent("#confirmation");
  if (!confirmation.includes(target) || !confirmation.includes(runId)) fail("the confirmation says: " + confirmation);
  console.log(`confirmation: "${confirmation}"`);
  await page.waitForSelector(`${row} .bar`, { timeout: 30000 });
  const first = await page.textContent(`${row} .progress-text`);
  await page.waitForFunction(
    ([sel, before]) => { const s = document.querySelector(sel); return s && s.textContent !== before && /[1-9]/.test(s.textContent); },
    [`${row} .progress-text`, first], { timeout: 30000 });
  const moved = await page.textContent(`${row} .progress-text`);
  console.log(`progress moved: "${first}" -> "${moved}"`);
  if (shots) await page.screenshot({ path: `${shots}/dashboard-running.png` });
  await page.waitForSelector(`${row} .status.success`, { timeout: 90000 });
  if (await page.$(`${row} .bar`)) fail("the progress bar is still there after the run");
  console.log("row turned green");
  // The confirmation stays through the refreshes of the list.
  if (!(await page.$(`#confirmation a.run-link[data-run-id="${runId}"]`))) fail("the confirmation went away");

  if (marked) {
    await page.click(`tr[data-name="${marked}"] td`);
    await page.waitForSelector("#snapshots .mark.safety", { timeout: 30000 });
    await page.waitForSelector("#snapshots .mark.suspect", { timeout: 10000 });
    const snaps = await page.textContent("#snapshots tbody");
    if (!snaps.includes("UTC")) fail("the snapshots' times have no zone: " + snaps);
    if (!snaps.includes("database")) fail("the snapshots have no kind: " + snaps);
    console.log("snapshot marks shown: safety and suspect");
  }

  await page.click(`${row} td`);
  await page.waitForFunction((t) => $("snapshots-title").textContent === "Snapshots of " + t + ", newest first", target, { timeout: 30000 });
  await page.waitForSelector("#snapshots tbody tr", { timeout: 10000 });
  await page.waitForSelector("#runs tbody tr", { timeout: 10000 });
  await page.click("#runs tbody tr");
  await page.waitForSelector("#steps tbody tr", { timeout: 10000 });
  const steps = await page.textContent("#steps tbody");
  if (!steps.includes("dump")) fail("the run's steps do not show its dump: " + steps);
  if (shots) await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(url);
  await page.waitForSelector(`tr[data-name="${target}"]`, { timeout: 20000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 400) fail(`the page is ${width} px wide on a 390 px phone`);
  if (shots) await page.screenshot({ path: `${shots}/dashboard-phone.png`, fullPage: true });
  if (errors.length) fail("script errors on the page: " + errors.join("; "));
  console.log("ok");
} finally {
  await browser.close();
}
