import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

test('an operator throttles a whole site; each charger reports its own outcome', async ({ page }) => {
  await login(page, 'olga', USER_PASSWORD);
  await hydrated(page);
  const site = page.locator('section.site[data-site="Visitor garage"]');
  await expect(site.locator('tbody tr')).toHaveCount(3);
  await expect(site.getByTestId('site-summary')).toContainText(/kW · \d of 3 charging/);
  await page.screenshot({ path: 'screenshots/overview.png', fullPage: true });

  await site.getByRole('button', { name: 'Select all of this site' }).click();
  const bulk = page.getByTestId('bulk');
  await bulk.getByLabel('Current (A)').fill('20');
  await bulk.getByLabel('Duration').selectOption('1800');
  await bulk.getByRole('button', { name: 'Review…' }).click();

  // The clamping is shown before anything is sent.
  const preview = page.getByTestId('bulk-preview');
  await expect(preview).toContainText('Visitor V1: 16 A (clamped to 6–16 A)');
  const confirm = page.getByRole('group', { name: 'Confirm bulk target' });
  await expect(confirm).toContainText('Set 20 A for 30 min on 3 chargers?');
  await confirm.getByRole('button', { name: 'Confirm' }).click();

  const results = page.getByTestId('bulk-results');
  await expect(results.locator('li')).toHaveCount(3);
  await expect(results.locator('li', { hasText: 'Visitor V1' })).toHaveAttribute('data-outcome', 'received');
  await expect(results.locator('li', { hasText: 'Visitor V2' })).toHaveAttribute('data-outcome', 'received');
  // Visitor V3's CLEMAP device is disconnected in the demo fleet.
  await expect(results.locator('li', { hasText: 'Visitor V3' })).toHaveAttribute('data-outcome', 'rejected');
  // The overview shows V1's new target.
  await expect(site.locator('tr', { hasText: 'Visitor V1' })).toContainText(/16 A until/);
  await page.screenshot({ path: 'screenshots/overview-bulk.png', fullPage: true });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the bulk target is a plain form over the ticked rows', async ({ page }) => {
    await login(page, 'olga', USER_PASSWORD);
    await page.getByRole('checkbox', { name: 'Select Depot bay 2' }).check();
    await page.getByRole('checkbox', { name: 'Select Depot bay 4' }).check();
    const bulk = page.getByTestId('bulk');
    await bulk.getByLabel('Current (A)').fill('8');
    await bulk.getByLabel('I confirm this change to the selected chargers').check();
    await bulk.getByRole('button', { name: 'Set target', exact: true }).click();
    await expect(page).toHaveURL(/\/\?bulk=/);
    const results = page.getByTestId('bulk-results');
    await expect(results.locator('li')).toHaveCount(2);
    await expect(results.locator('li[data-outcome="received"]')).toHaveCount(2);
    await expect(page.locator('tr', { hasText: 'Depot bay 4' })).toContainText(/8 A until/);
  });
});
