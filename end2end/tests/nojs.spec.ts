import { test, expect } from '@playwright/test';
import { login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

// A locked-down browser: no JavaScript at all. Every page is complete
// HTML and every change a plain form whose outcome shows after the redirect.
test.use({ javaScriptEnabled: false });

test('without JavaScript: overview → charger → set with the default duration → reset → audit page', async ({ page }) => {
  await login(page, 'olga', USER_PASSWORD);
  const session = page.getByTestId('session');
  await expect(session).toContainText('olga');
  await expect(session.getByRole('button', { name: 'Log out' })).toBeVisible();
  // The overview's rows are in the HTML, not streamed in by a script.
  await expect(page.locator('section.site')).toHaveCount(3);
  await expect(page.locator('tr[data-charger]')).toHaveCount(12);

  await page.getByRole('link', { name: 'Depot bay 3' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Depot bay 3');
  // The field the form sends is filled in; no slider that would send nothing.
  const amps = page.getByRole('spinbutton', { name: 'Current (A)', exact: true });
  await expect(amps).toHaveValue('16');
  await expect(page.getByRole('slider')).toHaveCount(0);
  await expect(page.getByRole('radio', { name: '1 h' })).toBeChecked();

  await amps.fill('10');
  await page.getByLabel('I confirm this change to the charger').check();
  await page.getByRole('button', { name: 'Set target', exact: true }).click();
  await expect(page).toHaveURL(/\/chargers\/\d+\?outcome=\d+$/);
  await expect(page.getByTestId('outcome')).toContainText('Requested 10 A for 1 h — CLEMAP received it');
  await expect(page.getByTestId('active-target')).toContainText(/^10 A until \d\d:\d\d UTC/);
  await page.screenshot({ path: 'screenshots/nojs-charger-set.png', fullPage: true });

  await page.getByLabel('I confirm the reset').check();
  await page.getByRole('button', { name: 'Reset target', exact: true }).click();
  await expect(page.getByTestId('outcome')).toContainText('Target reset — CLEMAP removed 10 A');
  await expect(page.getByTestId('active-target')).toHaveText('No temporary target.');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  const rows = page.getByTestId('audit-table').locator('tbody > tr');
  await expect(rows.filter({ hasText: 'Depot bay 3' }).filter({ hasText: /Set target/ }).first()).toContainText('10 A, 1 h');
  await expect(rows.filter({ hasText: 'Depot bay 3' }).filter({ hasText: 'Reset target' })).not.toHaveCount(0);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test('without JavaScript: a custom duration left empty is refused with a sentence, and audited', async ({ page }) => {
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 3' }).click();
  await page.getByRole('radio', { name: 'Custom' }).check();
  // Left empty: the server, not the browser, explains what is missing.
  await page.getByLabel('I confirm this change to the charger').check();
  await page.getByRole('button', { name: 'Set target', exact: true }).click();
  await expect(page.getByTestId('outcome')).toContainText('Enter the custom duration in minutes.');
  await expect(page.getByTestId('charger-history').locator('tbody tr').first()).toContainText('refused');
});

test('without JavaScript: an admin tests a connection from the admin page', async ({ page }) => {
  await login(page, 'admin', undefined, '/admin');
  await page.getByRole('link', { name: 'Test connection of Depot bay 2' }).click();
  await expect(page.getByTestId('connection-test')).toContainText('Connected: CLEMAP accepted the token');
});

test('without JavaScript: the sessions list filters and the monthly report changes month by plain forms', async ({ page }) => {
  await login(page, 'victor', USER_PASSWORD);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sessions' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Charging sessions');
  const filters = page.getByTestId('session-filters');
  await filters.getByLabel('Site').selectOption({ label: 'Headquarters car park' });
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/site=\d+/);
  const rows = page.getByTestId('sessions-table').locator('tbody tr');
  await expect(rows.first()).toContainText('Headquarters car park');
  await rows.first().getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Charging session at HQ');
  await page.locator('.crumbs').getByRole('link').nth(1).click();
  await page.locator('.crumbs').getByRole('link', { name: 'Headquarters car park' }).click();
  await page.getByTestId('report-link').click();
  const month = page.getByLabel('Month');
  await expect(month).not.toHaveValue('');
  await month.fill('2099-01');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/month=2099-01/);
  await expect(page.getByText('That month has not begun yet')).toBeVisible();
});
