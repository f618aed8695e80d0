import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

test('login → page → logout, with the way back to the page asked for', async ({ page }) => {
  // Anonymous: the admin page sends us to the login page, remembering it.
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin$/);

  // A wrong password gets the neutral sentence.
  await hydrated(page);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');

  await login(page, 'admin', undefined, '/admin');
  await expect(page).toHaveURL(/\/admin$/);
  // The demo fleet is registered: 12 chargers, tokens write-only.
  const rows = page.getByTestId('charger-table').locator('tbody tr');
  await expect(rows).toHaveCount(12);
  await expect(page.getByTestId('charger-table')).toContainText('token set — replace');

  // Test connection goes through the server to the simulated CLEMAP.
  await rows.first().getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByTestId('connection-test')).toContainText('Connected: CLEMAP accepted the token');

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=%2F$/);
});
