import { test, expect, Route } from '@playwright/test';
import { login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

/**
 * A slow link: Chromium's network emulation at 400 kbit/s with 400 ms
 * round trips, and the wasm held back until the test lets it through (on
 * such a link it can take half a minute; holding it makes "before
 * hydration" certain). Until then the page is plain HTML.
 */
async function holdWasm(page: import('@playwright/test').Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 400,
    downloadThroughput: 400_000 / 8,
    uploadThroughput: 400_000 / 8,
  });
  let release: () => void = () => {};
  const released = new Promise<void>((r) => { release = r; });
  await page.route('**/*.wasm', async (route: Route) => {
    await released;
    await route.continue();
  });
  return release;
}

test.setTimeout(90_000);

test('before the wasm arrives: overview → charger → set → reset → audit page, and the number shown is the number sent', async ({ page }) => {
  const release = await holdWasm(page);
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 1', exact: true }).click();
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');

  await page.getByRole('spinbutton', { name: 'Current (A)', exact: true }).fill('12');
  await page.getByLabel('I confirm this change to the charger').check();
  await page.getByRole('button', { name: 'Set target', exact: true }).click();
  await expect(page.getByTestId('outcome')).toContainText('Requested 12 A for 1 h — CLEMAP received it');
  await expect(page.getByTestId('charger-history').locator('tbody tr').first()).toContainText('12 A, 1 h');
  await page.getByLabel('I confirm the reset').check();
  await page.getByRole('button', { name: 'Reset target', exact: true }).click();
  await expect(page.getByTestId('outcome')).toContainText('Target reset — CLEMAP removed 12 A');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  const rows = page.getByTestId('audit-table').locator('tbody > tr').filter({ hasText: 'Depot bay 1' });
  await expect(rows.filter({ hasText: /Set target/ }).first()).toContainText('12 A, 1 h');
  await expect(rows.filter({ hasText: 'Reset target' })).not.toHaveCount(0);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  release();
});

test('what was typed before hydration survives it', async ({ page }) => {
  const release = await holdWasm(page);
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 3' }).click();
  await page.getByRole('spinbutton', { name: 'Current (A)', exact: true }).fill('9');
  await page.getByRole('radio', { name: '2 h' }).check();

  release();
  // At 400 kbit/s the bundle alone takes seconds, more on a busy machine:
  // this test is about what survives hydration, not how fast it comes.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true', { timeout: 30_000 });
  // The islands took over what the person had chosen, not their defaults.
  await expect(page.getByRole('spinbutton', { name: 'Current (A)', exact: true })).toHaveValue('9');
  await expect(page.getByRole('slider', { name: 'Current (A), slider' })).toHaveValue('9');
  await expect(page.getByRole('radio', { name: '2 h' })).toBeChecked();
  await page.getByRole('button', { name: 'Review…' }).click();
  await expect(page.getByRole('group', { name: 'Confirm' })).toContainText('Set 9 A for 2 h on Depot bay 3');
});

test('the slider works before the wasm, and the login page never loads the wasm', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(page.url()).pathname); });
  const release = await holdWasm(page);
  await page.goto('/login');
  await page.waitForLoadState('load');
  await expect(page.locator('html')).toHaveAttribute('data-wasm', 'skipped');
  expect(wasm, 'no wasm for the login page').toEqual([]);

  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 3' }).click();
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  const slider = page.getByRole('slider', { name: 'Current (A), slider' });
  await slider.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('spinbutton', { name: 'Current (A)', exact: true })).toHaveValue(
    String(Number(await slider.inputValue())),
  );
  const amps = await slider.inputValue();
  await expect(slider).toHaveAttribute('aria-valuetext', `${amps} amperes`);
  await page.getByLabel('I confirm this change to the charger').check();
  await page.getByRole('button', { name: 'Set target', exact: true }).click();
  await expect(page.getByTestId('outcome')).toContainText(`Requested ${amps} A for 1 h — CLEMAP received it`);
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  expect(wasm.length, 'the charger page asks for the wasm').toBeGreaterThan(0);
  release();
});
