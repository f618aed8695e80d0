import { test, expect } from '@playwright/test';
import { expectAccessible, expectNoSideScroll, login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

// Charging sessions and the monthly report (#42), on a phone in the dark:
// the demo's made-up past already has cars that came and went.

test.use({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });

test('the sessions list filters, and a session shows what happened', async ({ page }) => {
  await login(page, 'victor', USER_PASSWORD, '/sessions');
  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Charging sessions');
  const rows = page.getByTestId('sessions-table').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  await expectNoSideScroll(page, 'the sessions list');
  await expectAccessible(page, 'the sessions list');
  await page.screenshot({ path: 'screenshots/sessions-360-dark.png', fullPage: true });

  // A plain GET form: the filters go into the URL.
  const filters = page.getByTestId('session-filters');
  await filters.getByLabel('Site').selectOption({ label: 'Depot North' });
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/site=\d+/);
  await expect(rows.first()).toContainText('Depot North');
  for (const row of await rows.all()) {
    await expect(row).toContainText('Depot North');
  }
  await filters.getByLabel('Only sessions under a limit').check();
  await filters.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/limited=on/);
  await expect(filters.getByLabel('Only sessions under a limit')).toBeChecked();

  // A range longer than 400 days is refused with a sentence.
  await page.goto('/sessions?from=2024-01-01&to=2026-01-01');
  await expect(page.getByText('The dates may be at most 400 days apart')).toBeVisible();

  await page.goto('/sessions');
  await rows.first().getByRole('link').first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Charging session at');
  await expect(page.getByTestId('session-facts')).toContainText('kWh');
  await expect(page.getByRole('heading', { name: 'Targets in force' })).toBeVisible();
  await expectNoSideScroll(page, 'a session');
  await expectAccessible(page, 'a session');
  await page.screenshot({ path: 'screenshots/session-360-dark.png', fullPage: true });
});

test('the monthly report reads on a phone and prints on A4 without the navigation', async ({ page }) => {
  await login(page, 'victor', USER_PASSWORD);
  // Overview → a charger → its site (the crumb).
  await page.getByRole('link', { name: 'Depot bay 1', exact: true }).click();
  await page.locator('.crumbs').getByRole('link', { name: 'Depot North' }).click();
  const month = page.getByTestId('site-month');
  await expect(month).toContainText('Peak so far');
  await expect(page.getByTestId('month-peak')).toContainText(/kW|No energy/);
  await month.getByRole('link', { name: 'Monthly report' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Monthly report');
  const report = page.getByTestId('report');
  await expect(report.getByRole('heading', { level: 2 })).toContainText('Depot North');
  await expect(page.getByTestId('report-energy')).toContainText('kWh');
  // One line per charger of the site (other tests may add one to it).
  const lines = page.getByTestId('report-chargers').locator('tbody tr');
  for (const bay of ['Depot bay 1', 'Depot bay 2', 'Depot bay 3', 'Depot bay 4']) {
    await expect(lines.filter({ hasText: bay })).toHaveCount(1);
  }
  await expectNoSideScroll(page, 'the report');
  await expectAccessible(page, 'the report');
  await page.screenshot({ path: 'screenshots/report-360-dark.png', fullPage: true });

  // A month not begun is refused with a sentence, and nothing is computed.
  await page.getByLabel('Month').fill('2099-01');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByText('That month has not begun yet')).toBeVisible();
  await page.goBack();

  // Printed: no header, navigation or form; the table is a table again.
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('header.site-header')).toBeHidden();
  await expect(page.getByTestId('report-month')).toBeHidden();
  await expect(report).toBeVisible();
  await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
  await page.screenshot({ path: 'screenshots/report-print.png', fullPage: true });
  const pdf = await page.pdf({ format: 'A4', path: 'screenshots/report.pdf' });
  expect(pdf.byteLength).toBeGreaterThan(1000);
});
