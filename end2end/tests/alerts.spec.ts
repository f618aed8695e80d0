import { test, expect } from '@playwright/test';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { USER_PASSWORD } from '../playwright.config';
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

// "Send a test" against a real receiver on this machine (plain http is
// allowed to loopback): a signed POST arrives and the page says so; a
// receiver answering 500 gets the reason in a sentence. Both audited.
test('an admin sends a test alert to a webhook and sees how it went', async ({ page }) => {
  const received: { signature?: string; body: string }[] = [];
  let answer = 204;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ signature: req.headers['x-evse-signature'] as string, body });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const port = (server.address() as AddressInfo).port;
  try {
    await page.setViewportSize({ width: 360, height: 780 });
    await login(page);
    await page.goto('/admin');
    const form = page.getByTestId('add-webhook');
    await form.getByLabel('URL (https://…)').fill(`http://127.0.0.1:${port}/hook`);
    await form.getByLabel('Signing secret (16 to 256 characters)').fill('a-secret-of-at-least-16');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    const table = page.getByTestId('alert-table');
    await expect(table).toContainText(`http://127.0.0.1:${port}/…`);

    await table.getByRole('button', { name: /^Send a test/ }).click();
    // The page after the plain form's redirect says what the trail says.
    await expect(page.getByRole('status').filter({ hasText: 'got a test alert' })).toBeVisible();
    // The demo's own alerts may arrive too: the test is the one that says so.
    const tests = received.filter((r) => JSON.parse(r.body).event === 'test');
    expect(tests).toHaveLength(1);
    const sent = createHmac('sha256', 'a-secret-of-at-least-16').update(tests[0].body).digest('hex');
    expect(tests[0].signature).toBe(`sha256=${sent}`);

    answer = 500;
    await page.reload();
    await page.getByTestId('alert-table').getByRole('button', { name: /^Send a test/ }).click();
    await expect(page.locator('.banner.error')).toContainText('The test alert did not arrive: the receiver answered 500');
    await page.getByTestId('alert-table').getByRole('button', { name: /^Remove/ }).click();
    await expect(page.getByTestId('alerts')).toContainText('No one receives alerts yet.');
  } finally {
    server.close();
  }
});

// An admin adds a team's address for one site, its mails in German.
test('an admin adds an e-mail address for one site', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await login(page);
  await page.goto('/admin');
  const form = page.getByTestId('add-address');
  await form.getByLabel('E-mail address').fill('team@example.com');
  await form.getByRole('checkbox', { name: 'Visitor garage' }).check();
  await form.getByLabel('Language of the mails').selectOption('de');
  await form.getByRole('button', { name: 'Add address' }).click();
  const row = page.getByTestId('alert-table').getByRole('row').filter({ hasText: 'team@example.com' });
  await expect(row).toContainText('E-mail');
  await expect(row).toContainText('Visitor garage');
  await expectAccessible(page, 'admin page with an address (360 px)');
  await expectNoSideScroll(page, 'admin page with an address at 360 px');
  await row.getByRole('button', { name: /^Remove/ }).click();
  await expect(page.getByTestId('alerts')).toContainText('No one receives alerts yet.');
});

// Each user's own alerts on the account page, on a phone: an address for
// one site with quiet hours (half a span refused with a sentence first),
// listed with the site's name; axe clean in both schemes; then removed.
test('a user subscribes their own address to one site with quiet hours', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await login(page, 'victor', USER_PASSWORD);
  await page.goto('/account');
  const card = page.getByTestId('my-alerts');
  await expect(card.getByRole('heading', { name: 'My alerts' })).toBeVisible();
  await expect(card).toContainText('You receive no alerts yet.');
  const form = card.getByTestId('add-my-alert');
  await form.getByLabel('E-mail address').fill('victor@example.com');
  await form.getByRole('checkbox', { name: 'Visitor garage' }).check();
  await form.getByLabel('From', { exact: true }).fill('22:00');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(page.locator('.banner.error')).toContainText('Each time of the quiet hours must not be empty.');

  await form.getByLabel('E-mail address').fill('victor@example.com');
  await form.getByRole('checkbox', { name: 'Visitor garage' }).check();
  await form.getByRole('checkbox', { name: 'Charger offline' }).check();
  await form.getByLabel('From', { exact: true }).fill('22:00');
  await form.getByLabel('Until', { exact: true }).fill('06:30');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  const table = page.getByTestId('my-alert-table');
  await expect(table).toContainText('victor@example.com');
  await expect(table).toContainText('Visitor garage');
  await expect(table).toContainText('22:00–06:30');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(page, `account page with an alert (${scheme}, 360 px)`);
    await expectNoSideScroll(page, 'account page with an alert at 360 px');
    await page.screenshot({ path: `screenshots/my-alerts-360-${scheme}.png`, fullPage: true });
  }
  await table.getByRole('button', { name: /^Remove/ }).click();
  await expect(page.getByTestId('my-alerts')).toContainText('You receive no alerts yet.');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the account card subscribes and removes with plain forms', async ({ page }) => {
    await login(page, 'olga', USER_PASSWORD);
    await page.goto('/account');
    const form = page.getByTestId('add-my-alert');
    await form.getByLabel('E-mail address').fill('olga@example.com');
    await form.getByRole('button', { name: 'Subscribe' }).click();
    const table = page.getByTestId('my-alert-table');
    await expect(table).toContainText('olga@example.com');
    await expect(table).toContainText('all sites');
    await table.getByRole('button', { name: /^Remove/ }).click();
    await expect(page.getByTestId('my-alerts')).toContainText('You receive no alerts yet.');
  });
});
