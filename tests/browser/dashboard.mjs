// The dashboard in headless Chromium (Debian's package) driven by playwright-core: the e2e targets
// are listed, "Back up now" starts a run whose progress moves and whose row turns green, a run's
// history opens; screenshots of the page (desktop and phone) are written for docs/.
// Env: BK_URL, BK_TOKEN, BK_TARGET (the one to back up), BK_OTHERS (comma-separated), BK_SHOTS (dir).
import { chromium } from "playwright-core";

const url = process.env.BK_URL, token = process.env.BK_TOKEN, target = process.env.BK_TARGET;
const others = (process.env.BK_OTHERS || "").split(",").filter(Boolean);
const shots = process.env.BK_SHOTS;
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

  const row = `tr[data-name="${target}"]`;
  await page.click(`button[data-run="${target}"]`);
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

  await page.click(`${row} td`);
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
