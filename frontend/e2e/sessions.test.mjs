// Browser end-to-end test of the sessions page and the lap CSV export: the release binary
// with the demo driver at 40x; two finished sessions created through `POST /api/sessions`
// (the live demo session is never renamed or deleted) are filtered, renamed and deleted
// from the sessions table, each change checked after a reload.
//
//   node --test frontend/e2e/
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.PURPLESECTOR_BIN || path.join(repo, 'target/release/purplesector');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LISTENING = /purplesector listening on (http:\/\/127\.0\.0\.1:(\d+))/;

let dataDir;
let child;
let url;
let browser;
let page;
const log = [];
const pageErrors = [];

process.on('exit', () => child?.kill('SIGKILL'));

before(async () => {
  assert.ok(existsSync(bin), `the purplesector binary is missing at ${bin}: run \`cargo build --release\` or set PURPLESECTOR_BIN`);
  assert.ok(existsSync(path.join(repo, 'frontend/dist/index.html')), 'frontend/dist is not built: run `npm --prefix frontend run build`');
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: install Debian's chromium (scripts/setup.sh)`);
  dataDir = mkdtempSync(path.join(tmpdir(), 'purplesector-e2e-sessions-'));
  child = spawn(bin, ['serve', '--demo', '--addr', '127.0.0.1:0', '--data-dir', dataDir], {
    cwd: repo,
    env: { ...process.env, PURPLESECTOR__DEMO__SPEED: '40' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stderr }).on('line', (line) => log.push(`[stderr] ${line}`));
  url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 30 s:\n${log.slice(-30).join('\n')}`)), 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      log.push(line);
      const match = LISTENING.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`purplesector exited (${code}) before listening:\n${log.slice(-30).join('\n')}`)));
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close().catch(() => {});
  if (child && child.exitCode == null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 10_000);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function getJson(route) {
  const response = await fetch(url + route);
  assert.ok(response.ok, `GET ${route}: ${response.status}`);
  return response.json();
}

/** Polls `fn` until it returns a truthy value. */
async function until(fn, message, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`${message}\nserver output:\n${log.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function waitInPage(predicate, arg, message, timeout = 20_000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
  } catch (error) {
    assert.fail(`${message} (waited ${timeout / 1000} s: ${error.message.split('\n')[0]})\nserver output:\n${log.slice(-15).join('\n')}`);
  }
}


async function postJson(route, body, method = 'POST') {
  const response = await fetch(url + route, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

const rowNames = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="session-row"]')].map((row) => ({
      id: row.dataset.sessionId,
      name: row.querySelector('[data-testid="session-link"]')?.textContent?.trim() ?? null,
      track: row.dataset.track,
      car: row.dataset.car,
    })),
  );

test('sessions can be filtered, renamed and deleted', { timeout: 120_000 }, async () => {
  const stamp = Date.now().toString(36);
  const a = await postJson('/api/sessions', { name: `E2E A ${stamp}`, sim: 'ac', track: `Track A ${stamp}`, car: `Car A ${stamp}` });
  const b = await postJson('/api/sessions', { name: `E2E B ${stamp}`, sim: 'acc', track: `Track B ${stamp}`, car: `Car B ${stamp}` });
  assert.equal(a.live, false, 'a created session is not live');
  assert.equal(b.live, false, 'a created session is not live');

  await page.goto(`${url}/`);
  await waitInPage((ids) => ids.every((id) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"]`)), [a.id, b.id], 'both created sessions should be listed');
  const before = await rowNames();
  assert.ok(before.length >= 2, `rows: ${JSON.stringify(before)}`);

  // The filter selects offer each track and car; picking one narrows the list.
  await page.locator('[data-testid="filter-track"]').selectOption(a.track);
  await waitInPage((id) => {
    const rows = [...document.querySelectorAll('[data-testid="session-row"]')];
    return rows.length === 1 && rows[0].dataset.sessionId === id;
  }, a.id, 'filtering by track should leave only session A');
  await page.locator('[data-testid="filter-track"]').selectOption('');
  await page.locator('[data-testid="filter-car"]').selectOption(b.car);
  await waitInPage((id) => {
    const rows = [...document.querySelectorAll('[data-testid="session-row"]')];
    return rows.length === 1 && rows[0].dataset.sessionId === id;
  }, b.id, 'filtering by car should leave only session B');
  await page.locator('[data-testid="filter-car"]').selectOption('');
  await waitInPage((n) => document.querySelectorAll('[data-testid="session-row"]').length >= n, before.length, 'clearing the filters shows every session again');

  // The live demo session offers neither rename nor delete.
  const liveActions = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="session-row"][data-live="true"]')].map(
      (row) => row.querySelectorAll('[data-testid="session-rename"], [data-testid="session-delete"]').length,
    ),
  );
  assert.ok(liveActions.every((n) => n === 0), `live rows have no rename/delete: ${JSON.stringify(liveActions)}`);

  // Rename session A inline; the new name survives a reload.
  const newName = `Renamed ${stamp}`;
  const rowA = page.locator(`[data-testid="session-row"][data-session-id="${a.id}"]`);
  await rowA.locator('[data-testid="session-rename"]').click();
  await rowA.locator('[data-testid="session-rename-input"]').fill(newName);
  await rowA.locator('[data-testid="session-rename-save"]').click();
  await waitInPage(({ id, name }) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"] [data-testid="session-link"]`)?.textContent?.trim() === name, { id: a.id, name: newName }, 'the row should show the new name');
  assert.ok(page.url().endsWith('/'), `renaming stays on the sessions page (${page.url()})`);
  await page.reload();
  await waitInPage(({ id, name }) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"] [data-testid="session-link"]`)?.textContent?.trim() === name, { id: a.id, name: newName }, 'the new name should survive a reload');
  assert.equal((await getJson(`/api/sessions/${encodeURIComponent(a.id)}`)).name, newName);

  // Delete session A: the first click asks, cancel keeps it, confirm deletes it.
  await rowA.locator('[data-testid="session-delete"]').click();
  await rowA.locator('[data-testid="session-delete-cancel"]').click();
  await rowA.locator('[data-testid="session-delete"]').click();
  await rowA.locator('[data-testid="session-delete-confirm"]').click();
  await waitInPage((id) => !document.querySelector(`[data-testid="session-row"][data-session-id="${id}"]`), a.id, 'the deleted session should leave the list');
  await page.reload();
  await waitInPage((id) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"]`), b.id, 'the list should load after a reload');
  assert.equal(await page.locator(`[data-testid="session-row"][data-session-id="${a.id}"]`).count(), 0, 'the deleted session stays gone after a reload');
  const gone = await fetch(`${url}/api/sessions/${encodeURIComponent(a.id)}`);
  assert.equal(gone.status, 404, 'the API no longer knows the deleted session');

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});

test('a lap page links its telemetry as CSV', { timeout: 120_000 }, async () => {
  const sessionId = await until(async () => (await getJson('/api/sessions')).sessions.find((s) => s.sim === 'demo')?.id, 'the demo session should appear');
  const lap = await until(async () => (await getJson(`/api/sessions/${encodeURIComponent(sessionId)}/laps`)).laps[0], 'the demo should complete a lap');

  await page.goto(`${url}/laps/${lap.id}`);
  const link = page.locator('[data-testid="export-csv"]');
  await link.waitFor({ timeout: 20_000 });
  assert.equal(await link.getAttribute('href'), `/api/laps/${lap.id}/telemetry.csv`);
  assert.notEqual(await link.getAttribute('download'), null, 'the link has a download attribute');

  const answer = await page.evaluate(async () => {
    const href = document.querySelector('[data-testid="export-csv"]').getAttribute('href');
    const response = await fetch(href);
    const text = await response.text();
    return { status: response.status, type: response.headers.get('content-type'), head: text.slice(0, 200), lines: text.split('\n').length };
  });
  assert.equal(answer.status, 200, `CSV status: ${answer.status}`);
  assert.match(answer.head, /^seq,/, `CSV header: ${answer.head}`);
  assert.ok(answer.lines > 100, `CSV rows: ${answer.lines}`);

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});
