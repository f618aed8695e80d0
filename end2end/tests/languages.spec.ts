import { test, expect, Page } from '@playwright/test';
import { expectAccessible, expectNoSideScroll, hydrated } from './helpers';
import { USER_PASSWORD } from '../playwright.config';

const shots = 'screenshots';

/** The words of one set/reset journey, as the page says them. */
interface Words {
  username: string;
  password: string;
  logIn: string;
  current: string;
  slider: string;
  twoHours: string;
  review: string;
  confirmGroup: string;
  confirm: string;
  summary: RegExp;
  received: RegExp;
  target: RegExp;
  resetReview: string;
  confirmReset: string;
  resetDone: RegExp;
  noTarget: string;
  audit: string;
  main: string;
  setAction: string;
  resetAction: string;
  requested: string;
}

const german: Words = {
  username: 'Benutzername',
  password: 'Passwort',
  logIn: 'Anmelden',
  current: 'Strom (A)',
  slider: 'Strom (A), Schieberegler',
  twoHours: '2 Std.',
  review: 'Prüfen …',
  confirmGroup: 'Bestätigen',
  confirm: 'Bestätigen',
  summary: /^10 A für 2 Std\. auf Depot bay 1 setzen \(≈ 6,9 kW\)\?$/,
  received: /^10 A für 2 Std\. angefordert — CLEMAP hat es erhalten/,
  target: /^10 A bis \d\d:\d\d \(noch 1 Std\. 59 Min\.\)$/,
  resetReview: 'Sollwert zurücksetzen …',
  confirmReset: 'Zurücksetzen bestätigen',
  resetDone: /^Sollwert zurückgesetzt — CLEMAP hat 10 A entfernt/,
  noTarget: 'Kein temporärer Sollwert.',
  audit: 'Protokoll',
  main: 'Hauptmenü',
  setAction: 'Sollwert gesetzt',
  resetAction: 'Sollwert zurückgesetzt',
  requested: '10 A, 2 Std.',
};

const french: Words = {
  username: 'Nom d’utilisateur',
  password: 'Mot de passe',
  logIn: 'Se connecter',
  current: 'Courant (A)',
  slider: 'Courant (A), curseur',
  twoHours: '2 h',
  review: 'Vérifier…',
  confirmGroup: 'Confirmer',
  confirm: 'Confirmer',
  summary: /^Définir 10 A pendant 2 h sur Depot bay 3 \(≈ 6,9 kW\)\s\?$/,
  received: /^10 A pendant 2 h demandé — CLEMAP l’a reçu/,
  target: /^10 A jusqu’à \d\d:\d\d \(encore 1 h 59 min\)$/,
  resetReview: 'Réinitialiser la consigne…',
  confirmReset: 'Confirmer la réinitialisation',
  resetDone: /^Consigne réinitialisée — CLEMAP a retiré 10 A/,
  noTarget: 'Aucune consigne temporaire.',
  audit: 'Journal',
  main: 'Menu principal',
  setAction: 'Consigne définie',
  resetAction: 'Consigne réinitialisée',
  requested: '10 A, 2 h',
};

async function logIn(page: Page, w: Words) {
  await page.getByLabel(w.username).fill('olga');
  await page.getByLabel(w.password).fill(USER_PASSWORD);
  await page.getByRole('button', { name: w.logIn, exact: true }).click();
  await expect(page.getByTestId('session')).toContainText('olga');
}

/** Set 10 A for 2 h with the slider, confirm, then reset: all in `w`'s words. */
async function setAndReset(page: Page, w: Words, charger: string, lang: string) {
  await page.getByRole('link', { name: charger }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(charger);
  await hydrated(page);
  await expect(page.getByTestId('active-target')).toHaveText(w.noTarget);

  const slider = page.getByRole('slider', { name: w.slider });
  await slider.focus();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('spinbutton', { name: w.current, exact: true })).toHaveValue('10');
  // Decimal comma in both languages.
  await expect(page.getByTestId('kw')).toContainText('6,9 kW');
  await page.getByRole('radio', { name: w.twoHours }).check();
  await page.getByRole('button', { name: w.review, exact: true }).click();
  const group = page.getByRole('group', { name: w.confirmGroup });
  await expect(group.locator('p')).toHaveText(w.summary);
  await page.screenshot({ path: `${shots}/${lang}-charger-confirm.png`, fullPage: true });
  await group.getByRole('button', { name: w.confirm, exact: true }).click();

  const outcome = page.getByTestId('outcome');
  await expect(outcome.getByRole('status')).toHaveText(w.received);
  await hydrated(page);
  await expect(page.getByTestId('active-target')).toHaveText(w.target);
  await expectAccessible(page, `${lang} charger page`);
  await page.screenshot({ path: `${shots}/${lang}-charger-received.png`, fullPage: true });

  await page.getByRole('button', { name: w.resetReview, exact: true }).click();
  await page.getByRole('button', { name: w.confirmReset, exact: true }).click();
  await expect(outcome.getByRole('status')).toHaveText(w.resetDone);
  await expect(page.getByTestId('active-target')).toHaveText(w.noTarget);

  // The audit page reads the same rows in this language.
  await page.getByRole('navigation', { name: w.main }).getByRole('link', { name: w.audit }).click();
  const rows = page.getByTestId('audit-table').locator('tbody > tr').filter({ hasText: charger });
  await expect(rows.filter({ hasText: w.setAction }).first()).toContainText(w.requested);
  await expect(rows.filter({ hasText: w.resetAction })).not.toHaveCount(0);
  await expectAccessible(page, `${lang} audit page`);
  await page.screenshot({ path: `${shots}/${lang}-audit.png`, fullPage: true });
}

test.describe('German, from a Swiss German browser', () => {
  test.use({ locale: 'de-CH', viewport: { width: 390, height: 844 } });

  test('login, set 10 A for 2 h with the slider, reset, audit: all in German', async ({ page }) => {
    await page.goto('/login');
    await expect(page.locator('html')).toHaveAttribute('lang', 'de');
    await expect(page.getByRole('heading', { name: german.logIn })).toBeVisible();
    await expectNoSideScroll(page, 'German login page');
    await page.screenshot({ path: `${shots}/de-login.png`, fullPage: true });
    await logIn(page, german);
    await expectNoSideScroll(page, 'German overview');
    await page.screenshot({ path: `${shots}/de-overview.png`, fullPage: true });
    await setAndReset(page, german, 'Depot bay 1', 'de');
  });
});

test.describe('French, chosen with the header switch', () => {
  test('switch to French before logging in, set, reset, audit: all in French', async ({ page }) => {
    await page.goto('/login');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    // The switch is a plain form: it works before the wasm is there.
    await page.getByRole('button', { name: 'Français' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.getByRole('button', { name: 'Français' })).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: `${shots}/fr-login.png`, fullPage: true });
    await logIn(page, french);
    await setAndReset(page, french, 'Depot bay 3', 'fr');
  });
});
