// Browser end-to-end test of accounts mode (docs/accounts.md): the release binary started
// with PURPLESECTOR__AUTH__MODE=accounts (no demo); sign up, the account page's ingest
// tokens (secret shown once, listed after a reload, revoked), log out, a wrong password,
// log in again. Screenshots in test-output/login.png and test-output/account.png.
//
//   node --test frontend/e2e/
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { useDemoApp, outputDir } from './harness.mjs';

const app = useDemoApp({
  name: 'accounts',
  demo: false,
  env: {
    PURPLESECTOR__AUTH__MODE: 'accounts',
    PURPLESECTOR__AUTH__SESSION_SECRET: randomBytes(32).toString('hex'),
    PURPLESECTOR__AUTH__SIGNUP: 'open',
  },
});
const { getJson, waitInPage, pageErrors } = app;

const USERNAME = 'alice';
const PASSWORD = 'correct horse battery';

const shown = (testId) => waitInPage((id) => document.querySelector(`[data-testid="${id}"]`), testId, `[data-testid="${testId}"] should show`);
const text = (testId) => app.page.locator(`[data-testid="${testId}"]`).first().innerText();
const pathname = () => new URL(app.page.url()).pathname;

/** `GET route` from inside the page, so with its session cookie. */
const getInPage = (route) =>
  app.page.evaluate(async (r) => {
    const response = await fetch(r);
    return { status: response.status, body: await response.json().catch(() => null) };
  }, route);

/** The token list's row for the token called `name`. */
const tokenRow = (name) => app.page.locator('[data-testid="token-row"]').filter({ has: app.page.locator('[data-testid="token-row-name"]', { hasText: new RegExp(`^${name}$`) }) });

test('sign up, manage ingest tokens, log out and back in', { timeout: 120_000 }, async () => {
  const me = await getJson('/api/auth/me');
  assert.equal(me.mode, 'accounts', `the server runs in accounts mode: ${JSON.stringify(me)}`);
  assert.equal(me.user, null, 'nobody is signed in yet');
  assert.equal(me.signup, 'open', 'sign-up is open (PURPLESECTOR__AUTH__SIGNUP)');

  // Any page shows the login page first; sign-up is one click away.
  await app.page.goto(`${app.url}/`);
  await shown('login-page');
  assert.equal(await app.page.locator('[data-testid="session-list"], [data-testid="sessions-empty"]').count(), 0, 'no sessions before signing in');
  await app.page.locator('[data-testid="login-switch"]').click();
  await waitInPage(() => document.querySelector('[data-testid="login-page"]')?.dataset.mode === 'signup', undefined, 'the sign-up form should show');

  // The rules are checked before asking the server.
  await app.page.getByLabel('Username', { exact: true }).fill(USERNAME);
  await app.page.getByLabel('Password', { exact: true }).fill('short');
  await app.page.getByLabel('Confirm password', { exact: true }).fill('short');
  await app.page.locator('[data-testid="login-submit"]').click();
  await shown('login-error');
  assert.match(await text('login-error'), /at least 10/, 'a short password is refused in the page');

  // Sign up: the sessions page (empty) with the user in the header.
  await app.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await app.page.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
  await app.page.getByLabel('Confirm password', { exact: true }).press('Enter');
  await shown('sessions-empty');
  assert.equal((await text('header-user')).trim(), USERNAME, 'the header names the user');
  assert.equal(pathname(), '/', 'signing up stays on the sessions page');
  const signedIn = await getInPage('/api/auth/me');
  assert.equal(signedIn.body?.user?.username, USERNAME, `the cookie is set: ${JSON.stringify(signedIn)}`);

  // The account page, from the header link: no tokens yet.
  await app.page.locator('[data-testid="header-user"]').click();
  await waitInPage(() => document.querySelector('[data-testid="account-page"]')?.dataset.mode === 'accounts', undefined, 'the account page should show');
  assert.equal(pathname(), '/account');
  await shown('tokens-empty');
  assert.match(await text('tokens-empty'), /No ingest tokens yet: create one for each PC that runs a collector\./);

  // Create token "rig" (Enter submits): the secret and the collector command show once.
  await app.page.getByLabel('Token name', { exact: true }).fill('rig');
  await app.page.getByLabel('Token name', { exact: true }).press('Enter');
  await shown('token-secret');
  const secret = await app.page.locator('[data-testid="token-secret"]').inputValue();
  assert.match(secret, /^psi_\S+$/, `the secret: ${secret}`);
  assert.equal((await text('token-command')).trim(), `purplesector collect ac --server ${app.url} --token ${secret}`);
  assert.match(await text('token-secret-box'), /not be shown again/);
  await tokenRow('rig').waitFor({ timeout: 20_000 });
  assert.equal(await tokenRow('rig').locator('[data-testid="token-last-used"]').innerText(), 'never');
  mkdirSync(outputDir, { recursive: true });
  await app.page.screenshot({ path: path.join(outputDir, 'account.png'), fullPage: true });

  // After a reload the secret is gone for good; the token is still listed.
  await app.page.reload();
  await tokenRow('rig').waitFor({ timeout: 20_000 });
  assert.equal(await app.page.locator('[data-testid="token-secret-box"]').count(), 0, 'the secret box is gone after a reload');
  assert.ok(!(await app.page.content()).includes(secret), 'the secret is nowhere in the page after a reload');
  const listed = await getInPage('/api/tokens');
  assert.equal(listed.status, 200);
  const rig = listed.body.tokens.find((t) => t.name === 'rig');
  assert.ok(rig, `the API lists the token: ${JSON.stringify(listed.body)}`);
  assert.equal(rig.revoked_at_ms, null);
  assert.ok(!JSON.stringify(listed.body).includes(secret), 'the API never repeats the secret');

  // Revoke it: the first click asks, cancel keeps it, confirm revokes it.
  const row = tokenRow('rig');
  await row.locator('[data-testid="token-revoke"]').click();
  await row.locator('[data-testid="token-revoke-cancel"]').click();
  assert.equal(await row.getAttribute('data-revoked'), 'false', 'cancel keeps the token');
  await row.locator('[data-testid="token-revoke"]').click();
  await row.locator('[data-testid="token-revoke-confirm"]').click();
  await waitInPage(() => {
    const row = [...document.querySelectorAll('[data-testid="token-row"]')].find((r) => r.querySelector('[data-testid="token-row-name"]')?.textContent === 'rig');
    return row?.dataset.revoked === 'true';
  }, undefined, 'the token should be listed as revoked');
  assert.match(await row.locator('[data-testid="token-status"]').innerText(), /revoked/i);
  const revoked = (await getInPage('/api/tokens')).body.tokens.find((t) => t.name === 'rig');
  assert.notEqual(revoked?.revoked_at_ms, null, `the API has it revoked: ${JSON.stringify(revoked)}`);

  // Log out: the login page, and the cookie no longer opens anything.
  await app.page.locator('[data-testid="logout"]').click();
  await shown('login-page');
  assert.equal(await app.page.locator('[data-testid="header-user"]').count(), 0, 'no user in view after logging out');
  assert.equal((await getInPage('/api/auth/me')).body?.user, null, 'the server forgot the session');

  // A wrong password: the server's answer shows, and we stay on the login page.
  await app.page.getByLabel('Username', { exact: true }).fill(USERNAME);
  await app.page.getByLabel('Password', { exact: true }).fill('not the password at all');
  await app.page.locator('[data-testid="login-submit"]').click();
  await shown('login-error');
  assert.ok((await text('login-error')).trim().length > 0, 'the error says something');
  assert.equal(await app.page.locator('[data-testid="login-page"]').count(), 1, 'still on the login page');
  await app.page.screenshot({ path: path.join(outputDir, 'login.png'), fullPage: true });

  // The right password: back in.
  await app.page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await app.page.getByLabel('Password', { exact: true }).press('Enter');
  await shown('sessions-empty');
  assert.equal((await text('header-user')).trim(), USERNAME, 'signed in again');

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});
