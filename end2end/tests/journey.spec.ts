import { test, expect } from '@playwright/test';
import { hydrated, login, tabTo } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

const shots = 'screenshots';

test('an operator sets 10 A for 2 h and resets it with the keyboard alone', async ({ page }) => {
  await login(page, 'olga', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 1' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Depot bay 1');
  await hydrated(page);
  await expect(page.getByTestId('active-target')).toHaveText('No temporary target.');
  await page.screenshot({ path: `${shots}/charger-page.png`, fullPage: true });

  // The slider appears with the wasm and starts where the number field
  // is (16 A); six presses of the left arrow make 10 A in both.
  const slider = page.getByRole('slider', { name: 'Current (A), slider' });
  await tabTo(page, slider);
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('spinbutton', { name: 'Current (A)', exact: true })).toHaveValue('10');
  await expect(page.getByTestId('kw')).toContainText('≈ 6.9 kW');

  // The durations are one radio group: arrow keys move the choice.
  await tabTo(page, page.getByRole('radio', { name: '1 h' }));
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('radio', { name: '2 h' })).toBeChecked();
  await expect(page.getByTestId('valid-until')).toContainText('Valid until');
  await tabTo(page, page.getByRole('button', { name: 'Review…' }));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('group', { name: 'Confirm' });
  await expect(confirm).toContainText('Set 10 A for 2 h on Depot bay 1 (≈ 6.9 kW)?');
  await page.screenshot({ path: `${shots}/charger-confirm.png`, fullPage: true });
  await tabTo(page, confirm.getByRole('button', { name: 'Confirm' }));
  await page.keyboard.press('Enter');

  // The post lands on the charger page again, with its outcome.
  const outcome = page.getByTestId('outcome');
  await expect(outcome).toContainText(
    'Requested 10 A for 2 h — CLEMAP received it (it may be held lower by the site limit).',
  );
  await hydrated(page);
  await expect(page.getByTestId('active-target')).toHaveText(/^10 A until \d\d:\d\d \(1 h 59 min left\)$/);
  await page.screenshot({ path: `${shots}/charger-received.png`, fullPage: true });

  await tabTo(page, page.getByRole('button', { name: 'Reset target…' }));
  await page.keyboard.press('Enter');
  await tabTo(page, page.getByRole('button', { name: 'Confirm reset' }));
  await page.keyboard.press('Enter');
  await expect(outcome).toContainText('Target reset — CLEMAP removed 10 A');
  await expect(page.getByTestId('active-target')).toHaveText('No temporary target.');

  const history = page.getByTestId('charger-history');
  await expect(history.locator('tbody tr').nth(0)).toContainText('Reset target');
  await expect(history.locator('tbody tr').nth(1)).toContainText('Set target');
  await expect(history.locator('tbody tr').nth(1)).toContainText('10 A, 2 h');
  await expect(history.locator('tbody tr').nth(1)).toContainText('received');
  await page.screenshot({ path: `${shots}/charger-history.png`, fullPage: true });
});

test('a viewer sees the charger but no form', async ({ page }) => {
  await login(page, 'victor', USER_PASSWORD);
  await page.getByRole('link', { name: 'Depot bay 2' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Depot bay 2');
  await expect(page.getByTestId('read-only')).toBeVisible();
  await expect(page.getByTestId('target-form')).toHaveCount(0);
  await expect(page.getByTestId('reset-form')).toHaveCount(0);
  await expect(page.getByTestId('active-target')).toBeVisible();
});
