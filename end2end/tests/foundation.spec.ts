import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

test('the shell renders and hydrates: a click calls the server function', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await login(page);
  await expect(page.getByRole('link', { name: 'EVSE dashboard' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Overview', 'Audit', 'Admin']) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  await expect(page.locator('footer')).toContainText(/evse-dashboard \d+\.\d+\.\d+/);

  const info = page.getByTestId('server-info');
  await expect(info).toHaveText('Not checked yet.');

  // Only a hydrated page answers the click without navigating away: the
  // result comes from the server function, through the wasm bundle.
  await hydrated(page);
  const navigations: string[] = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
  await page.getByTestId('check-server').click();
  await expect(info).toContainText(/Server \d+\.\d+\.\d+ is up — SQLite 3\.\d+/);
  expect(navigations, 'the form must be handled in place, not by a full page load').toEqual([]);
  expect(errors).toEqual([]);
});
