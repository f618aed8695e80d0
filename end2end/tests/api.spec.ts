import { test, expect, request } from '@playwright/test';
import { expectAccessible, expectNoSideScroll, login } from './helpers';

// The integration API from a facility manager's side (#30): an admin makes
// a token on the admin page, copies it once, a script uses it, the audit
// page shows the script's change under token:NAME, and revoking it ends
// it; the same without JavaScript; the reference page reads on a phone.

test('an admin makes a token, a script uses it, revoking ends it', async ({ page, baseURL }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await login(page);
  await page.goto('/admin');
  const card = page.getByTestId('api-tokens');
  await expect(card.getByRole('heading', { name: 'API tokens' })).toBeVisible();
  const form = card.getByTestId('create-token');
  await form.getByLabel('Name').fill('bms-roof');
  await form.getByLabel('Role').selectOption('operator');
  await form.getByLabel('Expires after (days, optional)').fill('30');
  await form.getByRole('button', { name: 'Create token' }).click();

  const shown = card.getByTestId('new-token');
  await expect(shown).toContainText('Copy it now');
  const token = await shown.getByLabel('Your new token').inputValue();
  expect(token).toMatch(/^evse_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId('token-table')).toContainText('bms-roof');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(page, `admin page with a new token (${scheme}, 360 px)`);
    await expectNoSideScroll(page, 'admin page with a new token at 360 px');
    await page.screenshot({ path: `screenshots/api-token-created-360-${scheme}.png`, fullPage: true });
  }

  // A script with the token: the fleet, then every charger of site 1 to 6 A.
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const chargers = await api.get('/api/v1/chargers');
  expect(chargers.status()).toBe(200);
  expect((await chargers.json()).length).toBeGreaterThan(0);
  const set = await api.post('/api/v1/sites/1/target', {
    data: { current: 6, duration: 1800 },
    headers: { 'Idempotency-Key': 'e2e-peak-1' },
  });
  expect(set.status(), await set.text()).toBe(201);
  const outcome = await set.json();
  expect(outcome.chargers.length).toBeGreaterThan(0);
  expect(outcome.chargers.every((c: { outcome: string }) => ['received', 'rejected'].includes(c.outcome))).toBe(true);
  // The demo is shared with the other specs: the peak is over.
  for (const c of outcome.chargers as { charger_id: number; outcome: string }[]) {
    if (c.outcome !== 'received') continue;
    const reset = await api.delete(`/api/v1/chargers/${c.charger_id}/target`);
    expect(reset.status(), await reset.text()).toBe(200);
  }

  // Shown once: the same address no longer has it.
  await page.reload();
  await expect(card.getByTestId('new-token')).toHaveCount(0);
  await expect(card).toContainText('already shown');
  await expect(card).not.toContainText(token);

  // The audit page finds the script's changes by its actor.
  await page.goto('/audit?user=token%3Abms-roof');
  await expect(page.getByTestId('audit-table')).toContainText('token:bms-roof');

  await page.goto('/admin');
  const row = page.getByTestId('token-table').locator('tr', { hasText: 'bms-roof' });
  await row.getByRole('button', { name: 'Revoke bms-roof' }).click();
  await expect(page.getByTestId('token-table').locator('tr', { hasText: 'bms-roof' })).toContainText('Revoked');
  const after = await api.get('/api/v1/chargers');
  expect(after.status()).toBe(401);
  expect(after.headers()['content-type']).toBe('application/problem+json');
  expect((await after.json()).detail).toContain('revoked');
  await api.dispose();
});

test('the API reference reads on a phone in both schemes, with no script', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  const res = await page.goto('/api/v1/docs');
  expect(res!.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('API reference');
  await expect(page.getByRole('heading', { name: /post \/api\/v1\/sites\/\{id\}\/target/i })).toBeVisible();
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(page, `API reference (${scheme}, 360 px)`);
    await expectNoSideScroll(page, 'API reference at 360 px');
    await page.screenshot({ path: `screenshots/api-reference-360-${scheme}.png`, fullPage: true });
  }
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the token card is plain forms: create, copy once, revoke', async ({ page }) => {
    await login(page);
    await page.goto('/admin');
    const card = page.getByTestId('api-tokens');
    const form = card.getByTestId('create-token');
    await form.getByLabel('Name').fill('nojs-script');
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Create token' }).click();
    const token = await card.getByTestId('new-token').getByLabel('Your new token').inputValue();
    expect(token).toMatch(/^evse_/);
    // A name is never given twice: the refusal says why, with what was typed gone nowhere.
    await form.getByLabel('Name').fill('nojs-script');
    await form.getByRole('button', { name: 'Create token' }).click();
    await expect(page.locator('.banner.error')).toContainText('exists or existed');
    const row = page.getByTestId('token-table').locator('tr', { hasText: 'nojs-script' });
    await row.getByRole('button', { name: 'Revoke nojs-script' }).click();
    await expect(page.getByTestId('token-table').locator('tr', { hasText: 'nojs-script' })).toContainText('Revoked');
    await page.screenshot({ path: 'screenshots/api-tokens-nojs.png', fullPage: true });
  });
});
