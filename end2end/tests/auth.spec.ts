import { test, expect } from '@playwright/test';
import { login } from './helpers';

test('login → page → logout, with the way back to the page asked for', async ({ page }) => {
  // Anonymous: the admin page sends us to the login page, remembering it.
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin$/);
  // No navigation that would only lead back here.
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);

  // A wrong password gets the neutral sentence, on the login page.
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await login(page, 'admin', undefined, '/admin');
  await expect(page).toHaveURL(/\/admin$/);
  // The demo fleet is registered: 12 chargers, tokens write-only.
  const table = page.getByTestId('charger-table');
  await expect(table.locator('tbody tr[data-charger]')).toHaveCount(12);
  await expect(table.locator('tbody tr[data-charger]').first()).toContainText('set');

  // Test connection goes through the server to the simulated CLEMAP.
  await page.getByRole('link', { name: 'Test connection of Depot bay 1' }).click();
  await expect(page.getByTestId('connection-test')).toContainText('Connected: CLEMAP accepted the token');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
});

test('an admin adds, edits and deletes a charger; each change is confirmed on the page', async ({ page }) => {
  await login(page, 'admin', undefined, '/admin');
  const add = page.getByTestId('add-charger');
  await add.getByLabel('Name').fill('Temp bay');
  await add.getByLabel('Site').fill('Depot North');
  await add.getByLabel('Edge device id').fill('edge-temp');
  await add.getByLabel('EVSE uuid').fill('evse-temp');
  await add.getByLabel('evsetoken').fill('temporary-token-123456');
  await add.getByRole('button', { name: 'Add charger' }).click();
  await expect(page.getByTestId('event')).toHaveText('Registered Temp bay.');

  const row = page.locator('tr', { has: page.getByText('Change Temp bay') });
  await row.getByText('Change Temp bay').click();
  await row.getByLabel('Notes').fill('by the gate');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('event')).toHaveText('Saved Temp bay.');

  const again = page.locator('tr', { has: page.getByText('Change Temp bay') });
  await again.getByText('Change Temp bay').click();
  await again.getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByTestId('event')).toHaveText('Deleted Temp bay; its history stays in the audit log.');
  await expect(page.getByText('Change Temp bay')).toHaveCount(0);
});
