import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { ADMIN_PASSWORD } from '../playwright.config';

/**
 * Waits until the islands have taken over (the ticker marks the body), or
 * until the loader decided the page has nothing for the wasm to do and
 * does not load it (bundle/loader.js marks <html>).
 */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"], html[data-wasm="skipped"]')).toHaveCount(1);
}

/**
 * Logs in through the login page, a plain form that works before and
 * without the wasm, and waits for the landing page.
 */
export async function login(page: Page, username = 'admin', password = ADMIN_PASSWORD, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('session')).toContainText(username);
}

/** axe-core with WCAG 2 A and AA: no serious or critical finding. */
export async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `axe findings on ${what}`).toEqual([]);
}

/** Nothing on the page scrolls sideways. */
export async function expectNoSideScroll(page: Page, what: string) {
  const [scroll, width] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scroll, `${what} scrolls sideways (${scroll} > ${width})`).toBeLessThanOrEqual(width);
}

/** The id of a charger by name, through the same server function the admin page uses. */
export async function chargerId(page: Page, name: string): Promise<number> {
  const chargers = await (await page.request.post('/api/list_chargers', { form: {} })).json();
  return chargers.find((c: { name: string }) => c.name === name).id;
}

/**
 * Presses Tab until `target` has the focus (at most 80 times), as a
 * keyboard user reaches a control; fails if it cannot be reached.
 */
export async function tabTo(page: Page, target: import('@playwright/test').Locator) {
  for (let i = 0; i < 80; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target} with the Tab key`);
}
