import { expect, Page } from '@playwright/test';
import { ADMIN_PASSWORD } from '../playwright.config';

/** Waits until the wasm bundle has taken over the page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** Logs in through the login page and waits for the landing page. */
export async function login(page: Page, username = 'admin', password = ADMIN_PASSWORD, next = '/') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await hydrated(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByTestId('session')).toContainText(username);
}
