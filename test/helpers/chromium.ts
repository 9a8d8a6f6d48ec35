import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";

const ROOT = join(import.meta.dirname, "..", "..");

/** Where page tests leave screenshots for a human to look at (git-ignored). */
export const ARTIFACTS = join(ROOT, "test-artifacts");

/**
 * Debian's Chromium (browser downloads are impossible here) with the flags that work on this
 * machine, in a fresh profile that is deleted on close.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "traceway-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page whose console errors, uncaught exceptions and requests to other origins are collected. */
export interface WatchedPage {
  readonly page: Page;
  /** `console error: …`, `page error: …`, `request elsewhere: …`, `request failed: …` lines. */
  readonly problems: string[];
}

/**
 * Opens a page that may talk to `origin` only: a request anywhere else is aborted and recorded
 * (an asset from a CDN would show up here), as is every console error and failed request.
 */
export async function watchedPage(context: BrowserContext, origin: string): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
  );
  await page.route("**/*", async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith("data:")) return route.continue();
    problems.push(`request elsewhere: ${url}`);
    return route.abort();
  });
  return { page, problems };
}

/** Saves a full-page screenshot as test-artifacts/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** One attribute of every element a locator matches, in document order (null where absent). */
export async function attributeOfEach(locator: Locator, name: string): Promise<(string | null)[]> {
  return Promise.all((await locator.all()).map((element) => element.getAttribute(name)));
}
