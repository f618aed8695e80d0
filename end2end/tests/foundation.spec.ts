import { test, expect } from '@playwright/test';
import { hydrated, login } from './helpers';

test('the shell renders on the server and its islands hydrate without errors', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

  await login(page);
  await expect(page.getByRole('link', { name: 'EVSE dashboard' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Overview', 'Audit', 'Admin']) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  await expect(page.locator('footer')).toContainText(/evse-dashboard \d+\.\d+\.\d+/);
  // The foundation's "check server" card is gone from the overview.
  await expect(page.getByText('Check server')).toHaveCount(0);

  await hydrated(page);
  // Times the server wrote in UTC are now local and ticking.
  await expect(page.locator('[data-since]').first()).toHaveText(/\d+ s ago/);
  expect(errors).toEqual([]);
});

test('the keyboard alone logs in and reaches a charger', async ({ page }) => {
  await page.goto('/login');
  await expect(page.getByLabel('Username')).toBeFocused();
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type('e2e-admin-password');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('session')).toContainText('admin');
  const link = page.getByRole('link', { name: 'Depot bay 1' });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Depot bay 1');
});

test('the real bundle has hashed names and is served brotli-encoded for a year', async ({ page }) => {
  await page.goto('/login');
  // The loader script names the bundle (app/src/bundle): no preload link.
  const loader = (await page.locator('head script[type="module"]').textContent()) ?? '';
  const wasm = loader.match(/\/pkg\/[^"]+\.wasm/)?.[0] ?? null;
  const css = await page.locator('link[rel="stylesheet"]').getAttribute('href');
  expect(wasm).toMatch(/^\/pkg\/evse-dashboard\.[\w-]{8,}\.wasm$/);
  expect(css).toMatch(/^\/pkg\/evse-dashboard\.[\w-]{8,}\.css$/);
  for (const path of [wasm!, css!]) {
    const res = await page.request.get(path, { headers: { 'accept-encoding': 'br' } });
    expect(res.status()).toBe(200);
    expect(res.headers()['content-encoding'], path).toBe('br');
    expect(res.headers()['cache-control'], path).toBe('public, max-age=31536000, immutable');
  }
});
