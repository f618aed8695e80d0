import { test, expect } from '@playwright/test';
import { chargerId, expectAccessible, expectNoSideScroll, hydrated, login } from './helpers';

// Every page, on a 360 px phone and a desktop, in both colour schemes:
// axe-core (WCAG 2 A + AA) without serious or critical findings, nothing
// scrolling sideways, and a screenshot to look at.
const widths = [
  { name: 'phone', width: 360, height: 780 },
  { name: 'phone-390', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 900 },
];
const schemes = ['light', 'dark'] as const;

for (const scheme of schemes) {
  test(`every page passes axe and fits a phone, ${scheme} scheme`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize(widths[0]);
    for (const size of widths) {
      await page.setViewportSize(size);
      await page.goto('/login');
      await expectAccessible(page, `/login (${scheme}, ${size.name})`);
      await expectNoSideScroll(page, `/login at ${size.width} px`);
      await page.screenshot({ path: `screenshots/login-${size.name}-${scheme}.png`, fullPage: true });
    }
    await login(page);
    const id = await chargerId(page, 'Depot bay 1');
    const pages = ['/', `/chargers/${id}`, '/sites/1', '/audit', '/admin', '/account'];
    for (const size of widths) {
      await page.setViewportSize(size);
      for (const path of pages) {
        await page.goto(path);
        await hydrated(page);
        await expectAccessible(page, `${path} (${scheme}, ${size.name})`);
        await expectNoSideScroll(page, `${path} at ${size.width} px`);
        const slug = path === '/' ? 'overview' : path.split('/')[1];
        await page.screenshot({ path: `screenshots/${slug}-${size.name}-${scheme}.png`, fullPage: true });
      }
    }
  });
}

test('the theme toggle overrides the system scheme and is remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await login(page);
  const html = page.locator('html');
  await expect(html).not.toHaveAttribute('data-theme', /.+/);
  const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const light = await background();

  await page.getByRole('button', { name: 'Dark mode' }).click();
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await background()).not.toBe(light);
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'dark');

  await page.getByRole('button', { name: 'Light mode' }).click();
  await expect(html).toHaveAttribute('data-theme', 'light');
  expect(await background()).toBe(light);
});

test('on a phone the header keeps the user and Log out on screen', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await login(page);
  const logout = page.getByRole('button', { name: 'Log out' });
  await expect(logout).toBeInViewport();
  const box = await logout.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(360);
  expect(box!.height).toBeGreaterThanOrEqual(44);
});
