// Browser end-to-end test of the lap page: the release binary with the demo driver at 40x,
// a stored lap opened from the session's lap list, its analysis (suggestions, corner table)
// and the stacked charts drawn. Prints the load-to-first-draw time of a fresh page load.
//
//   node --test frontend/e2e/
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { useDemoApp, outputDir } from './harness.mjs';

const CHARTS = ['chart-speed', 'chart-pedals', 'chart-steering', 'chart-delta'];
const app = useDemoApp({ name: 'lap', speed: 40 });
const { getJson, until, waitInPage, pageErrors } = app;

const lapPageReady = (charts) =>
  document.querySelectorAll('[data-testid="corner-row"]').length === 10 &&
  charts.every((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.drawn === 'true');

test('a stored lap opens with its analysis and charts', { timeout: 120_000 }, async () => {
  // Three completed laps: the second has the first and the third to compare with.
  const sessionId = await until(async () => (await getJson('/api/sessions')).sessions.find((s) => s.sim === 'demo')?.id, 'the demo session should appear');
  const laps = await until(async () => {
    const { laps } = await getJson(`/api/sessions/${encodeURIComponent(sessionId)}/laps`);
    return laps.length >= 3 && laps;
  }, 'the demo should complete three laps');
  const second = laps.find((l) => l.lap_number === 2);
  assert.ok(second, 'lap 2 should exist');

  // From the session page's lap list, click lap 2.
  await app.page.goto(`${app.url}/sessions/${encodeURIComponent(sessionId)}`);
  const row = app.page.locator('[data-testid="lap-row"][data-lap-number="2"]');
  await row.waitFor({ timeout: 20_000 });
  await row.click();
  await app.page.waitForURL(`**/laps/${second.id}`, { timeout: 10_000 });
  await waitInPage(lapPageReady, CHARTS, 'the lap page should show 10 corners and draw its four charts');

  const header = await app.page.evaluate(() => {
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null;
    return {
      title: text('lap-title'),
      lapTime: text('lap-time'),
      referenceTime: text('reference-time'),
      delta: text('lap-delta'),
      referenceId: document.querySelector('[data-testid="lap-page"]')?.dataset.referenceId,
      suggestions: document.querySelectorAll('[data-testid="suggestion"]').length,
      deltaPoints: Number(document.querySelector('[data-testid="chart-delta"]')?.dataset.points ?? 0),
      reference: document.querySelector('[data-testid="chart-speed"]')?.dataset.reference,
    };
  });
  assert.match(header.title, /^Lap 2/, `title: ${header.title}`);
  assert.match(header.lapTime, /^\d+:\d\d\.\d\d\d/, `lap time: ${header.lapTime}`);
  assert.match(header.referenceTime, /^\d+:\d\d\.\d\d\d$/, `reference time: ${header.referenceTime}`);
  assert.match(header.delta, /^[+-]\d+\.\d\d\d$/, `delta: ${header.delta}`);
  assert.ok(header.referenceId && header.referenceId !== String(second.id), 'the default reference is another lap');
  assert.ok(header.deltaPoints > 100, `the delta chart should have points (${header.deltaPoints})`);
  assert.equal(header.reference, 'true', 'the speed chart should overlay the reference lap');

  // One shared cursor: hovering the speed chart moves the delta chart's cursor too.
  const over = await app.page.locator('[data-testid="chart-speed"] .u-over').boundingBox();
  await app.page.mouse.move(over.x + over.width * 0.4, over.y + over.height / 2);
  await waitInPage(
    () => {
      const value = (id) => document.querySelector(`[data-testid="${id}"] .u-legend .u-series:first-child .u-value`)?.textContent ?? '';
      const speed = parseFloat(value('chart-speed'));
      const delta = parseFloat(value('chart-delta'));
      // Each chart shows its own nearest sample (the delta trace is coarser).
      return speed > 0 && Math.abs(delta - speed) < 10;
    },
    null,
    'hovering one chart should move the cursor of the others to the same distance',
    5_000,
  );

  // The reference picker refetches the analysis against the chosen lap.
  const other = laps.find((l) => l.id !== second.id && String(l.id) !== header.referenceId);
  assert.ok(other, 'a third lap to pick');
  await app.page.locator('[data-testid="reference-picker"]').selectOption(String(other.id));
  await waitInPage((want) => document.querySelector('[data-testid="lap-page"]')?.dataset.referenceId === want, String(other.id), 'picking a reference should reanalyse against it');
  await waitInPage(lapPageReady, CHARTS, 'the charts should redraw against the new reference');
  assert.ok(app.page.url().endsWith(`?reference=${other.id}`), `the URL keeps the reference (${app.page.url()})`);

  // A fresh load: navigation start to all charts drawn.
  await app.page.goto(`${app.url}/laps/${second.id}`);
  await waitInPage(lapPageReady, CHARTS, 'a direct load of the lap page should draw');
  const drawnAt = await app.page.evaluate((charts) => Math.max(...charts.map((id) => Number(document.querySelector(`[data-testid="${id}"]`).dataset.drawnAt))), CHARTS);
  console.log(`lap page load-to-first-draw: ${drawnAt} ms (navigation start to all four charts drawn)`);

  mkdirSync(outputDir, { recursive: true });
  await app.page.screenshot({ path: path.join(outputDir, 'lap.png'), fullPage: true });

  // An unknown lap shows the not-found page.
  await app.page.goto(`${app.url}/laps/99999999`);
  await waitInPage(() => /no lap/i.test(document.body.textContent ?? ''), null, 'an unknown lap should say so');

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});
