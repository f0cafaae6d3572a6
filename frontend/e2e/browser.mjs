// Chromium (Debian's, not a downloaded one), pages that record their console,
// and the checks every page gets: axe, no horizontal scroll, no console noise.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import { FRONTEND } from './stack.mjs';

export const SCREENSHOTS = join(FRONTEND, 'e2e', 'screenshots');
export const LAPTOP = { width: 1366, height: 768 };
export const DESKTOP = { width: 1920, height: 1080 };
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A browser context at the laptop size whose pages record console errors and
 * warnings and uncaught exceptions in `problems`. `expected` are the HTTP
 * answers the API gives by design that Chromium logs as console errors
 * ("Failed to load resource: ... 400" for a wrong password).
 */
export async function openContext(browser, { baseUrl, storageState, expected = [] } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: LAPTOP, storageState });
  const problems = [];
  const watch = (page) => {
    page.on('console', (message) => {
      const type = message.type();
      if (type !== 'error' && type !== 'warning') return;
      const where = message.location()?.url ?? '';
      const text = message.text();
      if (expected.some((rule) => rule.status.test(text) && rule.url.test(where))) return;
      problems.push(`${type} on ${page.url()}: ${text} (${where})`);
    });
    page.on('pageerror', (error) => problems.push(`uncaught on ${page.url()}: ${error.stack ?? error}`));
  };
  context.on('page', watch);
  return { context, problems };
}

/** axe-core's serious and critical violations, in one readable line each. */
export async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Whether the page scrolls sideways (the body wider than the window). */
export function scrollsSideways(page) {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
  );
}

/**
 * What every page must pass as it stands: no serious or critical axe
 * violation, no horizontal scroll at 1366x768 nor 1920x1080, nothing on the
 * console. Saves `name`.png at 1366x768 when given.
 */
export async function checkPage(page, problems, name) {
  await page.setViewportSize(LAPTOP);
  assert.deepEqual(await seriousViolations(page), [], `axe on ${page.url()}`);
  assert.equal(await scrollsSideways(page), false, `${page.url()} scrolls sideways at 1366x768`);
  if (name) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
  assert.equal(await scrollsSideways(page), false, `${page.url()} scrolls sideways at 1920x1080`);
  await page.setViewportSize(LAPTOP);
  assert.deepEqual(problems, [], 'console errors or warnings');
}
