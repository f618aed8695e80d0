import { test, expect } from '@playwright/test';
import { expectAccessible, expectNoSideScroll, login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

// Schedules are plain forms: this runs without JavaScript, as in a
// locked-down browser, on a phone-sized screen.
test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 800 } });

test('an operator creates a schedule, sees it in the list and the week view, and an overlap is refused keeping what was typed', async ({ page }) => {
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 4' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Depot bay 4');

  const add = page.getByTestId('add-schedule');
  await add.getByLabel('Name').fill('Office hours');
  // Monday to Friday are ticked already; Saturday is not.
  await expect(add.getByRole('checkbox', { name: 'Mon' })).toBeChecked();
  await expect(add.getByRole('checkbox', { name: 'Sat' })).not.toBeChecked();
  await add.getByLabel('From').fill('07:30');
  await add.getByLabel('To').fill('18:00');
  await add.getByLabel('Planned current (A)').fill('10');
  await add.getByRole('button', { name: 'Create schedule' }).click();

  await expect(page).toHaveURL(/\/chargers\/\d+\?event=\d+$/);
  await expect(page.getByTestId('event')).toContainText('Schedule created');
  const row = page.getByTestId('schedule-table').locator('tr[data-schedule="Office hours"]');
  await expect(row).toContainText('Mon–Fri');
  await expect(row).toContainText('07:30–18:00');
  await expect(row).toContainText('10 A');
  // The week view draws it on five days.
  const week = page.getByRole('img', { name: 'Week plan' });
  await expect(week).toBeVisible();
  await expect(week.locator('rect.week-block')).toHaveCount(5);
  await expect(week.locator('rect.week-block title').first()).toHaveText('Office hours: 10 A');
  await expectNoSideScroll(page, 'charger page with a schedule');
  await page.screenshot({ path: 'screenshots/schedule-charger.png', fullPage: true });

  // A second schedule that meets the first is refused, naming it, and the
  // form still holds what was typed.
  await add.getByLabel('Name').fill('Lunch boost');
  await add.getByLabel('From').fill('12:00');
  await add.getByLabel('To').fill('13:00');
  await add.getByLabel('Planned current (A)').fill('16');
  await add.getByRole('button', { name: 'Create schedule' }).click();
  await expect(page.getByRole('alert')).toContainText(
    'overlap the schedule “Office hours” on Mon–Fri, 12:00–13:00',
  );
  await expect(add.getByLabel('Name')).toHaveValue('Lunch boost');
  await expect(add.getByLabel('From')).toHaveValue('12:00');
  await expect(page.getByTestId('schedule-table').locator('tr[data-schedule]')).toHaveCount(1);

  // Its own page edits it; the site page sums what the site plans.
  await row.getByRole('link', { name: 'Office hours' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Office hours');
  await page.getByTestId('edit-schedule').getByLabel('Planned current (A)').fill('12');
  await page.getByRole('button', { name: 'Save schedule' }).click();
  await expect(page.getByTestId('event')).toContainText('Schedule changed');
  await expect(page.getByTestId('schedule-table')).toContainText('12 A');
  await page.getByRole('link', { name: 'Site plan' }).click();
  await expect(page.getByRole('img', { name: 'Planned current per hour' })).toBeVisible();
  await expect(page.getByTestId('planned-sum')).toContainText('Highest planned sum: 12 A.');
  await expectNoSideScroll(page, 'site plan');
  await page.screenshot({ path: 'screenshots/schedule-site.png', fullPage: true });

  // The audit page finds the change under its action.
  await page.goto('/audit?action=schedule_updated');
  await expect(page.getByTestId('audit-table')).toContainText('Office hours');
});

test('schedule pages pass axe with JavaScript, and a viewer sees no forms', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: true });
  const page = await context.newPage();
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 4' }).click();
  await expect(page.getByTestId('schedules')).toBeVisible();
  await expectAccessible(page, 'charger page with schedules');
  await page.getByRole('link', { name: 'Site plan' }).click();
  await expectAccessible(page, 'site plan');
  await context.close();

  const viewer = await browser.newPage();
  await login(viewer, 'victor', USER_PASSWORD);
  await viewer.getByRole('link', { name: 'Depot bay 4' }).click();
  await expect(viewer.getByTestId('schedules')).toBeVisible();
  await expect(viewer.getByTestId('add-schedule')).toHaveCount(0);
  await viewer.close();
});
