import { defineConfig } from '@playwright/test';

// The server under test: the release binary cargo-leptos built, in demo
// mode (simulated CLEMAP, seeded fleet, admin with a known password), on
// its own port with a throw-away data directory.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
export const ADMIN_PASSWORD = 'e2e-admin-password';
/** Password of the operator `olga` and the viewer `victor`. */
export const USER_PASSWORD = 'e2e-user-password';
const bin = '../target/release/evse-dashboard';
const data = '--data-dir .e2e-data';

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // Users come in through the CLI with the password on stdin, as an
    // operator would create them; then the demo seeds the fleet and serves.
    command:
      `rm -rf .e2e-data` +
      ` && echo "$E2E_USER_PASSWORD" | ${bin} user add olga --role operator ${data}` +
      ` && echo "$E2E_USER_PASSWORD" | ${bin} user add victor --role viewer ${data}` +
      ` && exec ${bin} demo --listen 127.0.0.1:${port} ${data} --site-dir ../target/site` +
      // Sampled every 2 s and judged 3 s after a set: verdicts show fast.
      ` --status-interval 2 --settle-secs 3`,
    env: { EVSE_DEMO_ADMIN_PASSWORD: ADMIN_PASSWORD, E2E_USER_PASSWORD: USER_PASSWORD },
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
