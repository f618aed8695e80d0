import { test, expect, Browser, Page } from '@playwright/test';
import { spawn, ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { expectAccessible, expectNoSideScroll, hydrated, login } from './helpers';
import { ADMIN_PASSWORD, USER_PASSWORD } from '../playwright.config';

const shots = 'screenshots';
const CHARGER = 'Depot bay 4';

/** A page of its own browser context (its own cookies), logged in. */
async function browserAs(browser: Browser, username: string, password: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, username, password);
  return page;
}

async function openCharger(page: Page) {
  await page.goto('/');
  await page.getByRole('link', { name: CHARGER }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(CHARGER);
  await hydrated(page);
  await expect(page.getByTestId('live-state')).toHaveAttribute('data-state', 'live');
}

test('a set in one browser shows in another with no reload, focus kept', async ({ browser }) => {
  const watcher = await browserAs(browser, 'olga', USER_PASSWORD);
  const setter = await browserAs(browser, 'admin', ADMIN_PASSWORD);
  // (An earlier test may have left a target on it: 9 A is new either way.)
  await openCharger(watcher);
  await expect(watcher.getByTestId('active-target')).not.toHaveText(/^9 A/);
  await expect(watcher.getByTestId('live-state')).toContainText('Live');

  // The watcher is in the middle of typing a value of their own.
  await watcher.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  const field = watcher.getByRole('spinbutton', { name: 'Current (A)', exact: true });
  await field.fill('7');
  await field.focus();

  await openCharger(setter);
  await setter.getByRole('spinbutton', { name: 'Current (A)', exact: true }).fill('9');
  await setter.getByRole('button', { name: 'Review…' }).click();
  await setter.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Confirm' }).click();
  await expect(setter.getByTestId('outcome')).toContainText('Requested 9 A');

  // Pushed to the watcher: the target and the new row, in place.
  await expect(watcher.getByTestId('active-target')).toHaveText(/^9 A until /, { timeout: 5_000 });
  await expect(watcher.getByTestId('charger-history').locator('tbody tr').first()).toContainText('admin');
  expect(await watcher.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('7');
  await watcher.screenshot({ path: `${shots}/live-pushed.png`, fullPage: true });
  await expectAccessible(watcher, 'a live charger page');

  // Reset: pushed too.
  await setter.getByRole('button', { name: 'Reset target…' }).click();
  await setter.getByRole('button', { name: 'Confirm reset' }).click();
  await expect(watcher.getByTestId('active-target')).toHaveText('No temporary target.', { timeout: 5_000 });
  await watcher.context().close();
  await setter.context().close();
});

/**
 * A dashboard of this test's own (the shared one keeps serving the other
 * tests): the release binary in demo mode on its own port and data
 * directory, stopped and started again as an operator would.
 */
function ownServer(port: number) {
  const args = [
    'demo',
    '--listen', `127.0.0.1:${port}`,
    '--data-dir', '.e2e-live-data',
    '--site-dir', '../target/site',
    '--status-interval', '2',
  ];
  let child: ChildProcess | null = null;
  return {
    /** `again`: keep the admin's password (setting it ends their sessions). */
    async start(again = false) {
      const env = { ...process.env };
      if (again) delete env.EVSE_DEMO_ADMIN_PASSWORD;
      else env.EVSE_DEMO_ADMIN_PASSWORD = ADMIN_PASSWORD;
      child = spawn('../target/release/evse-dashboard', args, { env, stdio: 'ignore' });
      for (let i = 0; i < 300; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/livez`)).ok) return;
        } catch {
          // not yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the second server did not start');
    },
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
    },
  };
}

test('the page says when it is not live, and is live again when the server is back', async ({ browser }) => {
  rmSync('.e2e-live-data', { recursive: true, force: true });
  const port = Number(process.env.E2E_PORT ?? 3100) + 7;
  const server = ownServer(port);
  await server.start();
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${port}` });
  const page = await context.newPage();
  try {
    await login(page, 'admin', ADMIN_PASSWORD);
    await page.setViewportSize({ width: 360, height: 800 });
    await hydrated(page);
    const state = page.getByTestId('live-state');
    await expect(state).toHaveAttribute('data-state', 'live');
    await expectNoSideScroll(page, 'the live overview at 360 px');

    // The server stops: its streams end, and new ones cannot open.
    await server.stop();
    await expect(state).toHaveAttribute('data-state', 'lost');
    await expect(state).toContainText('Not live — reconnecting…');
    await page.screenshot({ path: `${shots}/live-lost.png`, fullPage: true });
    await expectAccessible(page, 'the overview, not live');

    // Back (same data, same session): live again without a reload.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    await server.start(true);
    await expect(state).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
    await expect(state).toContainText('Live');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await page.screenshot({ path: `${shots}/live-back.png`, fullPage: true });
  } finally {
    await context.close();
    await server.stop();
    rmSync('.e2e-live-data', { recursive: true, force: true });
  }
});

test('without JavaScript the page says it is not live, and works', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await login(page, 'victor', USER_PASSWORD);
  await expect(page.getByTestId('live-state')).toHaveAttribute('data-state', 'off');
  await expect(page.getByTestId('live-state')).toContainText('Not live: reload the page to see changes.');
  await page.getByRole('link', { name: CHARGER }).click();
  await expect(page.getByTestId('live-state')).toContainText('Not live');
  await context.close();
});
