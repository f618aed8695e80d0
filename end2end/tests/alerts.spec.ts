import { test, expect } from '@playwright/test';
import { expectAccessible, expectNoSideScroll, login } from './helpers';

// The admin page's Alerts card (#31) on a phone: a webhook added through
// the plain form (a bad URL refused with a sentence first), listed by its
// host only, then removed; axe clean in both schemes.
test('an admin adds and removes a webhook on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await login(page);
  await page.goto('/admin');
  const card = page.getByTestId('alerts');
  await expect(card.getByRole('heading', { name: 'Alerts' })).toBeVisible();
  const form = card.getByTestId('add-webhook');
  await form.getByLabel('URL (https://…)').fill('http://hooks.example.com/evse');
  await form.getByLabel('Signing secret (16 to 256 characters)').fill('a-secret-of-at-least-16');
  await form.getByRole('button', { name: 'Add webhook' }).click();
  await expect(page.locator('.banner.error')).toContainText('must start with https://');

  await form.getByLabel('URL (https://…)').fill('https://hooks.example.com/services/SECRETPATH');
  await form.getByLabel('Signing secret (16 to 256 characters)').fill('a-secret-of-at-least-16');
  await form.getByRole('checkbox', { name: 'Charger offline' }).check();
  await form.getByRole('checkbox', { name: 'Charger back' }).check();
  await form.getByRole('button', { name: 'Add webhook' }).click();
  const table = page.getByTestId('alert-table');
  await expect(table).toContainText('https://hooks.example.com/…');
  await expect(table).toContainText('Charger offline, Charger back');
  await expect(page.locator('body')).not.toContainText('SECRETPATH');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(page, `admin page with a webhook (${scheme}, 360 px)`);
    await expectNoSideScroll(page, 'admin page with a webhook at 360 px');
    await page.screenshot({ path: `screenshots/alerts-360-${scheme}.png`, fullPage: true });
  }
  await table.getByRole('button', { name: /^Remove/ }).click();
  await expect(page.getByTestId('alerts')).toContainText('No one receives alerts yet.');
});
