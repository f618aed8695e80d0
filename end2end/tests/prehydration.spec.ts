import { test, expect, Route } from '@playwright/test';
import { login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

/**
 * A slow link: the wasm is held back until the test lets it through, as on
 * a phone where it takes half a minute. Until then the page is plain HTML.
 */
async function holdWasm(page: import('@playwright/test').Page) {
  let release: () => void = () => {};
  const released = new Promise<void>((r) => { release = r; });
  await page.route('**/*.wasm', async (route: Route) => {
    await released;
    await route.continue();
  });
  return release;
}

test('before the wasm arrives, the number shown is the number sent', async ({ page }) => {
  const release = await holdWasm(page);
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'HQ P1-01' }).click();
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');

  await page.getByRole('spinbutton', { name: 'Current (A)', exact: true }).fill('12');
  await page.getByLabel('I confirm this change to the charger').check();
  await page.getByRole('button', { name: 'Set target', exact: true }).click();
  await expect(page.getByTestId('outcome')).toContainText('Requested 12 A for 1 h — CLEMAP received it');
  await expect(page.getByTestId('charger-history').locator('tbody tr').first()).toContainText('12 A, 1 h');
  release();
});

test('what was typed before hydration survives it', async ({ page }) => {
  const release = await holdWasm(page);
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'HQ P1-02' }).click();
  await page.getByRole('spinbutton', { name: 'Current (A)', exact: true }).fill('9');
  await page.getByRole('radio', { name: '2 h' }).check();

  release();
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  // The islands took over what the person had chosen, not their defaults.
  await expect(page.getByRole('spinbutton', { name: 'Current (A)', exact: true })).toHaveValue('9');
  await expect(page.getByRole('slider', { name: 'Current (A), slider' })).toHaveValue('9');
  await expect(page.getByRole('radio', { name: '2 h' })).toBeChecked();
  await page.getByRole('button', { name: 'Review…' }).click();
  await expect(page.getByRole('group', { name: 'Confirm' })).toContainText('Set 9 A for 2 h on HQ P1-02');
});
