import { defineConfig } from '@playwright/test';

// The server under test: the release binary cargo-leptos built, in demo
// mode (simulated CLEMAP, seeded fleet, admin with a known password), on
// its own port with a throw-away data directory.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
export const ADMIN_PASSWORD = 'e2e-admin-password';

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
    command:
      `rm -rf .e2e-data && ../target/release/evse-dashboard demo` +
      ` --listen 127.0.0.1:${port} --data-dir .e2e-data --site-dir ../target/site`,
    env: { EVSE_DEMO_ADMIN_PASSWORD: ADMIN_PASSWORD },
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
