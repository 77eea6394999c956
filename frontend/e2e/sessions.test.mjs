// Browser end-to-end test of the sessions page and the lap CSV export: the release binary
// with the demo driver at 40x; two finished sessions created through `POST /api/sessions`
// (the live demo session is never renamed or deleted) are filtered, renamed and deleted
// from the sessions table, each change checked after a reload.
//
//   node --test frontend/e2e/
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useDemoApp } from './harness.mjs';

const app = useDemoApp({ name: 'sessions', speed: 40 });
const { getJson, until, waitInPage, pageErrors } = app;

async function postJson(route, body, method = 'POST') {
  const response = await fetch(app.url + route, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.ok(response.ok, `${method} ${route}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

const rowNames = () =>
  app.page.evaluate(() =>
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

  await app.page.goto(`${app.url}/`);
  await waitInPage((ids) => ids.every((id) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"]`)), [a.id, b.id], 'both created sessions should be listed');
  const before = await rowNames();
  assert.ok(before.length >= 2, `rows: ${JSON.stringify(before)}`);

  // The filter selects offer each track and car; picking one narrows the list.
  await app.page.locator('[data-testid="filter-track"]').selectOption(a.track);
  await waitInPage((id) => {
    const rows = [...document.querySelectorAll('[data-testid="session-row"]')];
    return rows.length === 1 && rows[0].dataset.sessionId === id;
  }, a.id, 'filtering by track should leave only session A');
  await app.page.locator('[data-testid="filter-track"]').selectOption('');
  await app.page.locator('[data-testid="filter-car"]').selectOption(b.car);
  await waitInPage((id) => {
    const rows = [...document.querySelectorAll('[data-testid="session-row"]')];
    return rows.length === 1 && rows[0].dataset.sessionId === id;
  }, b.id, 'filtering by car should leave only session B');
  await app.page.locator('[data-testid="filter-car"]').selectOption('');
  await waitInPage((n) => document.querySelectorAll('[data-testid="session-row"]').length >= n, before.length, 'clearing the filters shows every session again');

  // The live demo session offers neither rename nor delete.
  const liveActions = await app.page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="session-row"][data-live="true"]')].map(
      (row) => row.querySelectorAll('[data-testid="session-rename"], [data-testid="session-delete"]').length,
    ),
  );
  assert.ok(liveActions.every((n) => n === 0), `live rows have no rename/delete: ${JSON.stringify(liveActions)}`);

  // Rename session A inline; the new name survives a reload.
  const newName = `Renamed ${stamp}`;
  const rowA = app.page.locator(`[data-testid="session-row"][data-session-id="${a.id}"]`);
  await rowA.locator('[data-testid="session-rename"]').click();
  await rowA.locator('[data-testid="session-rename-input"]').fill(newName);
  await rowA.locator('[data-testid="session-rename-save"]').click();
  await waitInPage(({ id, name }) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"] [data-testid="session-link"]`)?.textContent?.trim() === name, { id: a.id, name: newName }, 'the row should show the new name');
  assert.ok(app.page.url().endsWith('/'), `renaming stays on the sessions page (${app.page.url()})`);
  await app.page.reload();
  await waitInPage(({ id, name }) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"] [data-testid="session-link"]`)?.textContent?.trim() === name, { id: a.id, name: newName }, 'the new name should survive a reload');
  assert.equal((await getJson(`/api/sessions/${encodeURIComponent(a.id)}`)).name, newName);

  // Delete session A: the first click asks, cancel keeps it, confirm deletes it.
  await rowA.locator('[data-testid="session-delete"]').click();
  await rowA.locator('[data-testid="session-delete-cancel"]').click();
  await rowA.locator('[data-testid="session-delete"]').click();
  await rowA.locator('[data-testid="session-delete-confirm"]').click();
  await waitInPage((id) => !document.querySelector(`[data-testid="session-row"][data-session-id="${id}"]`), a.id, 'the deleted session should leave the list');
  await app.page.reload();
  await waitInPage((id) => document.querySelector(`[data-testid="session-row"][data-session-id="${id}"]`), b.id, 'the list should load after a reload');
  assert.equal(await app.page.locator(`[data-testid="session-row"][data-session-id="${a.id}"]`).count(), 0, 'the deleted session stays gone after a reload');
  const gone = await fetch(`${app.url}/api/sessions/${encodeURIComponent(a.id)}`);
  assert.equal(gone.status, 404, 'the API no longer knows the deleted session');

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});

test('a lap page links its telemetry as CSV', { timeout: 120_000 }, async () => {
  const sessionId = await until(async () => (await getJson('/api/sessions')).sessions.find((s) => s.sim === 'demo')?.id, 'the demo session should appear');
  const lap = await until(async () => (await getJson(`/api/sessions/${encodeURIComponent(sessionId)}/laps`)).laps[0], 'the demo should complete a lap');

  await app.page.goto(`${app.url}/laps/${lap.id}`);
  const link = app.page.locator('[data-testid="export-csv"]');
  await link.waitFor({ timeout: 20_000 });
  assert.equal(await link.getAttribute('href'), `/api/laps/${lap.id}/telemetry.csv`);
  assert.notEqual(await link.getAttribute('download'), null, 'the link has a download attribute');

  const answer = await app.page.evaluate(async () => {
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
