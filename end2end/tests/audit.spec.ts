import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { login } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

test('the audit page filters, pages and exports exactly what it shows', async ({ page }) => {
  await login(page, 'olga', USER_PASSWORD);

  // 55 sets on one charger, through the same server function the form uses.
  const chargers = await (await page.request.post('/api/list_chargers', { form: {} })).json();
  const bay4 = chargers.find((c: { name: string }) => c.name === 'Depot bay 4');
  for (let i = 0; i < 55; i++) {
    const res = await page.request.post('/api/set_target', {
      form: { charger_id: String(bay4.id), amps: String(6 + (i % 20)), duration: '900' },
    });
    expect(res.status()).toBe(200);
  }

  await page.goto('/audit');
  const filters = page.getByTestId('audit-filters');
  await filters.getByRole('combobox', { name: 'Charger', exact: true }).selectOption({ label: 'Depot bay 4 (Depot North)' });
  await filters.getByRole('combobox', { name: 'Action', exact: true }).selectOption('set_target');
  await filters.getByRole('button', { name: 'Filter' }).click();

  // The filter is in the URL, so the view can be bookmarked.
  await expect(page).toHaveURL(new RegExp(`charger=${bay4.id}.*action=set_target`));
  await expect(page.getByTestId('audit-count')).toHaveText('55 matching events');
  const rows = page.getByTestId('audit-table').locator('tbody > tr');
  await expect(rows).toHaveCount(50);
  await expect(page.getByTestId('timeline')).toBeVisible();

  // A row expands to its details: CLEMAP's answer and the request id.
  await rows.first().getByText('More').click();
  await expect(rows.first()).toContainText('"state":"received"');
  await page.screenshot({ path: 'screenshots/audit-page.png', fullPage: true });

  await page.getByTestId('older').click();
  await expect(page.getByTestId('audit-table').locator('tbody > tr')).toHaveCount(5);
  await expect(page).toHaveURL(/before=\d+/);

  // The CSV holds exactly the filtered events.
  await page.goto(`/audit?charger=${bay4.id}&action=set_target`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  expect(csv[0]).toMatch(/^id,at_utc,actor,action,charger_id,charger_name/);
  expect(csv).toHaveLength(56);
  for (const line of csv.slice(1)) {
    expect(line).toContain(',olga,set_target,');
    expect(line).toContain(',Depot bay 4,');
  }
});
