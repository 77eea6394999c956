// Browser end-to-end test of the lap and compare pages: the release binary with the demo
// driver at 40x, a stored lap opened from the session's lap list, its analysis (suggestions,
// corner table; the AI coach's one line with AI coaching off), every chart and the track
// map drawn (pixels checked), one cursor and one zoom shared by the charts and the map,
// the reference picker, the keys ([ ] r), the exports, and the compare page opened from
// the "Compare with…" picker. Prints the load-to-first-draw time of a fresh page load;
// screenshots in test-output/lap.png and test-output/compare.png.
//
//   node --test frontend/e2e/
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { useDemoApp, outputDir } from './harness.mjs';

// The demo reports every channel, so every chart is there; the map is drawn like a chart.
const CHARTS = ['chart-speed', 'chart-pedals', 'chart-steering', 'chart-delta', 'chart-gear', 'chart-rpm', 'chart-g', 'chart-tyres'];
const VIEWS = [...CHARTS, 'track-map'];
// No AI key (whatever the caller's environment says): the AI coach panel is one line and asks nothing.
const app = useDemoApp({ name: 'lap', speed: 40, env: { OPENAI_API_KEY: '', PURPLESECTOR__OPENAI__API_KEY: '' } });
const { getJson, until, waitInPage, pageErrors } = app;

const lapPageReady = (views) =>
  document.querySelectorAll('[data-testid="corner-row"]').length === 10 &&
  views.every((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.drawn === 'true');

const viewsDrawn = (views) => views.every((id) => document.querySelector(`[data-testid="${id}"]`)?.dataset.drawn === 'true');

/** Per view, the pixels of its (first) canvas that are drawn lines: opaque and either coloured or near white (grid, axes and labels are grey or faint). */
const linePixels = (views) =>
  Object.fromEntries(
    views.map((id) => {
      const canvas = document.querySelector(`[data-testid="${id}"] canvas`);
      if (!canvas || !canvas.width || !canvas.height) return [id, 0];
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a > 200 && (Math.max(r, g, b) - Math.min(r, g, b) > 60 || Math.min(r, g, b) > 200)) n++;
      }
      return [id, n];
    }),
  );

/** Each view's cursor: charts' lap distance (data-cursor), the map's marker position and sample. */
const cursors = (charts) => ({
  charts: Object.fromEntries(charts.map((id) => [id, document.querySelector(`[data-testid="${id}"]`)?.dataset.cursor ?? ''])),
  map: { ...document.querySelector('[data-testid="track-map"]').dataset },
});

const xRanges = (charts) => charts.map((id) => {
  const d = document.querySelector(`[data-testid="${id}"]`).dataset;
  return [Number(d.xMin), Number(d.xMax)];
});

test('a stored lap opens with its analysis, charts and map sharing a cursor and zoom, and compares', { timeout: 180_000 }, async () => {
  // Three completed laps: the second has the first and the third to compare with.
  const sessionId = await until(async () => (await getJson('/api/sessions')).sessions.find((s) => s.sim === 'demo')?.id, 'the demo session should appear');
  const laps = await until(async () => {
    const { laps } = await getJson(`/api/sessions/${encodeURIComponent(sessionId)}/laps`);
    return laps.length >= 3 && laps;
  }, 'the demo should complete three laps');
  const second = laps.find((l) => l.lap_number === 2);
  assert.ok(second, 'lap 2 should exist');

  const aiPosts = [];
  app.page.on('request', (request) => {
    if (request.method() === 'POST' && /\/api\/laps\/\d+\/(analysis|chat)/.test(request.url())) aiPosts.push(request.url());
  });

  // From the session page's lap list, click lap 2.
  await app.page.goto(`${app.url}/sessions/${encodeURIComponent(sessionId)}`);
  const row = app.page.locator('[data-testid="lap-row"][data-lap-number="2"]');
  await row.waitFor({ timeout: 20_000 });
  await row.click();
  await app.page.waitForURL(`**/laps/${second.id}`, { timeout: 10_000 });
  await waitInPage(lapPageReady, VIEWS, 'the lap page should show 10 corners and draw its charts and track map');

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

  // AI coaching is off on this server: one calm line, no button, no chat.
  await waitInPage(() => document.querySelector('[data-testid="ai-coach"]')?.dataset.ai === 'off', null, 'the AI coach panel should say AI coaching is off');
  assert.equal(
    await app.page.locator('[data-testid="ai-off"]').innerText(),
    'AI coaching is off on this server — the built-in suggestions above still apply.',
  );
  assert.equal(await app.page.locator('[data-testid="ai-coach"] button, [data-testid="ai-coach"] textarea').count(), 0, 'no AI button or chat input when off');
  assert.equal(header.reference, 'true', 'the speed chart should overlay the reference lap');

  // Every chart and the map drew lines, not just axes.
  const pixels = await app.page.evaluate(linePixels, VIEWS);
  for (const id of VIEWS) assert.ok(pixels[id] > 300, `${id} should draw its lines (${pixels[id]} line pixels): ${JSON.stringify(pixels)}`);

  // One shared cursor: hovering the speed chart moves every other chart's cursor and the map's marker.
  const speedOver = app.page.locator('[data-testid="chart-speed"] .u-over');
  await speedOver.scrollIntoViewIfNeeded();
  let over = await speedOver.boundingBox();
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
  await waitInPage(
    (charts) => {
      const at = charts.map((id) => parseFloat(document.querySelector(`[data-testid="${id}"]`).dataset.cursor));
      const map = document.querySelector('[data-testid="track-map"]').dataset;
      return at.every((d) => Number.isFinite(d) && Math.abs(d - at[0]) < 1) && Number(map.cursorIndex) >= 0 && map.cursorX !== '';
    },
    CHARTS,
    'hovering the speed chart should put every chart\'s cursor at one distance and mark it on the map',
    5_000,
  );
  const atFirst = await app.page.evaluate(cursors, CHARTS);
  await app.page.mouse.move(over.x + over.width * 0.7, over.y + over.height / 2);
  await waitInPage(
    (before) => {
      const map = document.querySelector('[data-testid="track-map"]').dataset;
      return Number(map.cursorIndex) > Number(before.cursorIndex) && (map.cursorX !== before.cursorX || map.cursorY !== before.cursorY);
    },
    atFirst.map,
    'moving along the chart should move the map marker along the track',
    5_000,
  );

  // Hovering the map where the marker was moves every chart's cursor back to that distance.
  const mapBox = await app.page.locator('[data-testid="track-map-overlay"]').boundingBox();
  await app.page.mouse.move(mapBox.x + Number(atFirst.map.cursorX), mapBox.y + Number(atFirst.map.cursorY));
  await waitInPage(
    ({ charts, want }) =>
      charts.every((id) => Math.abs(parseFloat(document.querySelector(`[data-testid="${id}"]`).dataset.cursor) - want) < 30),
    { charts: CHARTS, want: parseFloat(atFirst.charts['chart-speed']) },
    `hovering the map should move the charts' cursor to the nearest point (${atFirst.charts['chart-speed']} m)`,
    5_000,
  );

  // A drag across one chart zooms every chart and the map to that range; a double-click zooms out.
  const full = (await app.page.evaluate(xRanges, CHARTS))[0];
  const pedalsOver = app.page.locator('[data-testid="chart-pedals"] .u-over');
  await pedalsOver.scrollIntoViewIfNeeded();
  over = await pedalsOver.boundingBox();
  await app.page.mouse.move(over.x + over.width * 0.2, over.y + over.height / 2);
  await app.page.mouse.down();
  await app.page.mouse.move(over.x + over.width * 0.45, over.y + over.height / 2, { steps: 8 });
  await app.page.mouse.up();
  await waitInPage(
    ({ charts, full }) => {
      const ranges = charts.map((id) => [Number(document.querySelector(`[data-testid="${id}"]`).dataset.xMin), Number(document.querySelector(`[data-testid="${id}"]`).dataset.xMax)]);
      const [lo, hi] = ranges[0];
      return lo > full[0] + 100 && hi < full[1] - 100 && ranges.every(([a, b]) => a === lo && b === hi) && document.querySelector('[data-testid="track-map"]').dataset.zoom === `${lo}-${hi}`;
    },
    { charts: CHARTS, full },
    'dragging across the pedals chart should zoom every chart and the map to one range',
    5_000,
  );
  const zoomed = (await app.page.evaluate(xRanges, CHARTS))[0];
  const zoomedPixels = await app.page.evaluate(linePixels, ['track-map']);
  assert.ok(zoomedPixels['track-map'] > 300, `the zoomed map still draws (${zoomedPixels['track-map']})`);
  const rpmOver = app.page.locator('[data-testid="chart-rpm"] .u-over');
  await rpmOver.scrollIntoViewIfNeeded();
  await rpmOver.dblclick();
  await waitInPage(
    ({ charts, full }) =>
      charts.every((id) => Number(document.querySelector(`[data-testid="${id}"]`).dataset.xMin) === full[0] && Number(document.querySelector(`[data-testid="${id}"]`).dataset.xMax) === full[1]) &&
      document.querySelector('[data-testid="track-map"]').dataset.zoom === '',
    { charts: CHARTS, full },
    `a double-click should zoom every chart back out (zoomed to ${zoomed})`,
    5_000,
  );

  // The reference picker refetches the analysis against the chosen lap.
  const other = laps.find((l) => l.id !== second.id && String(l.id) !== header.referenceId);
  assert.ok(other, 'a third lap to pick');
  await app.page.locator('[data-testid="reference-picker"]').selectOption(String(other.id));
  await waitInPage((want) => document.querySelector('[data-testid="lap-page"]')?.dataset.referenceId === want, String(other.id), 'picking a reference should reanalyse against it');
  await waitInPage(lapPageReady, VIEWS, 'the charts should redraw against the new reference');
  assert.ok(app.page.url().endsWith(`?reference=${other.id}`), `the URL keeps the reference (${app.page.url()})`);

  // Keys: r hides and shows the reference on every chart and the map; ] and [ step between laps.
  await app.page.locator('[data-testid="lap-title"]').click(); // out of the picker: keys typed into a field are left alone
  const referenceShown = () =>
    app.page.evaluate((views) => [document.querySelector('[data-testid="lap-page"]').dataset.referenceShown, ...views.map((id) => document.querySelector(`[data-testid="${id}"]`).dataset.referenceShown)], ['chart-speed', 'chart-pedals', 'chart-rpm', 'track-map']);
  assert.deepEqual(await referenceShown(), ['true', 'true', 'true', 'true', 'true'], 'the reference starts shown');
  await app.page.keyboard.press('r');
  await waitInPage(() => document.querySelector('[data-testid="lap-page"]').dataset.referenceShown === 'false', null, 'r should hide the reference');
  assert.deepEqual(await referenceShown(), ['false', 'false', 'false', 'false', 'false'], 'r hides the reference lines on the charts and the map');
  assert.match(await app.page.locator('[data-testid="key-hint"]').innerText(), /reference hidden/);
  await app.page.keyboard.press('r');
  await waitInPage(() => document.querySelector('[data-testid="lap-page"]').dataset.referenceShown === 'true', null, 'r again should show the reference');
  assert.deepEqual(await referenceShown(), ['true', 'true', 'true', 'true', 'true'], 'r again shows the reference lines');

  const third = laps.find((l) => l.lap_number === 3);
  await app.page.keyboard.press(']');
  await app.page.waitForURL(`**/laps/${third.id}`, { timeout: 10_000 });
  // (its lap list loaded, "lap 3 of N", so [ knows where to go)
  await waitInPage(
    (id) => document.querySelector('[data-testid="lap-page"]')?.dataset.lapId === id && /^Lap 3/.test(document.querySelector('[data-testid="lap-title"]')?.textContent ?? '') && /lap 3 of \d+/.test(document.querySelector('.lap-head__meta')?.textContent ?? ''),
    String(third.id),
    '] should open the next lap',
  );
  await app.page.keyboard.press('[');
  await app.page.waitForURL(`**/laps/${second.id}`, { timeout: 10_000 });
  await waitInPage(lapPageReady, VIEWS, '[ should come back to lap 2 and draw it');

  // Exports: CSV, and the MoTeC .ld link (its route is another change's; not fetched here).
  const ld = app.page.locator('[data-testid="export-ld"]');
  assert.equal(await ld.getAttribute('href'), `/api/laps/${second.id}/export.ld`);
  assert.notEqual(await ld.getAttribute('download'), null, 'the MoTeC link has a download attribute');
  assert.equal(await app.page.locator('[data-testid="export-csv"]').getAttribute('href'), `/api/laps/${second.id}/telemetry.csv`);
  // Both downloads, as a driver gets them: the CSV holds every frame's channels; the
  // .ld is a MoTeC i2 file naming the track (tests/api/motec.rs reads one back in Rust).
  const download = async (testId, name) => {
    const [file] = await Promise.all([app.page.waitForEvent('download'), app.page.locator(`[data-testid="${testId}"]`).click()]);
    const saved = path.join(outputDir, name);
    await file.saveAs(saved);
    return { name: file.suggestedFilename(), bytes: readFileSync(saved) };
  };
  const csv = await download('export-csv', 'lap.csv');
  const csvLines = csv.bytes.toString('utf8').trim().split('\n');
  assert.match(csvLines[0], /lap_distance_m/, 'the CSV header names the channels');
  assert.ok(csvLines.length > 1000, `the CSV has a row per frame: ${csvLines.length}`);
  const motec = await download('export-ld', 'lap.ld');
  assert.match(motec.name, /\.ld$/, `a .ld file name: ${motec.name}`);
  assert.equal(motec.bytes.readUInt32LE(0), 0x40, 'the MoTeC ld header marker');
  assert.ok(motec.bytes.length > 13_384 + 1000 * 4, `the .ld carries the samples: ${motec.bytes.length} bytes`);
  assert.ok(motec.bytes.includes(Buffer.from('Purple Park')), 'the .ld names the venue');

  // A fresh load: navigation start to all charts drawn.
  await app.page.goto(`${app.url}/laps/${second.id}`);
  await waitInPage(lapPageReady, VIEWS, 'a direct load of the lap page should draw');
  const drawnAt = await app.page.evaluate((views) => Math.max(...views.map((id) => Number(document.querySelector(`[data-testid="${id}"]`).dataset.drawnAt))), VIEWS);
  console.log(`lap page load-to-first-draw: ${drawnAt} ms (navigation start to all ${CHARTS.length} charts and the track map drawn)`);

  mkdirSync(outputDir, { recursive: true });
  await app.page.screenshot({ path: path.join(outputDir, 'lap.png'), fullPage: true });

  // "Compare with…" lists this track's laps; picking one opens the compare page, that lap as A, this one as B.
  await waitInPage(() => {
    const picker = document.querySelector('[data-testid="compare-picker"]');
    return picker?.dataset.state === 'ok' && Number(picker.dataset.options) > 0;
  }, null, 'the compare picker should list the laps on this track');
  const offered = await app.page.locator('[data-testid="compare-picker"] option').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  assert.ok(!offered.includes(String(second.id)), 'the picker leaves out the lap on screen');
  const partner = laps.find((l) => l.lap_number === 1);
  assert.ok(offered.includes(String(partner.id)), `lap 1 is offered (${offered.join(', ')})`);
  await app.page.locator('[data-testid="compare-picker"]').selectOption(String(partner.id));
  await app.page.waitForURL(`**/compare/${partner.id}/${second.id}`, { timeout: 10_000 });
  await waitInPage(viewsDrawn, VIEWS, 'the compare page should draw its charts and map');
  await waitInPage(() => document.querySelectorAll('[data-testid="corner-row"]').length === 10, null, 'the compare page should show the corner table');
  const compare = await app.page.evaluate(() => {
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null;
    return { a: text('compare-time-a'), b: text('compare-time-b'), delta: text('compare-delta'), reference: document.querySelector('[data-testid="chart-speed"]').dataset.reference };
  });
  assert.match(compare.a, /^\d+:\d\d\.\d\d\d$/, `lap A time: ${compare.a}`);
  assert.match(compare.b, /^\d+:\d\d\.\d\d\d$/, `lap B time: ${compare.b}`);
  assert.match(compare.delta, /^[+-]\d+\.\d\d\d$/, `B − A: ${compare.delta}`);
  assert.equal(compare.reference, 'true', 'lap A is overlaid on the charts');
  const comparePixels = await app.page.evaluate(linePixels, VIEWS);
  for (const id of VIEWS) assert.ok(comparePixels[id] > 300, `compare: ${id} should draw its lines (${comparePixels[id]})`);
  await app.page.screenshot({ path: path.join(outputDir, 'compare.png'), fullPage: true });

  // An unknown lap shows the not-found page.
  await app.page.goto(`${app.url}/laps/99999999`);
  await waitInPage(() => /no lap/i.test(document.body.textContent ?? ''), null, 'an unknown lap should say so');

  assert.deepEqual(aiPosts, [], 'with AI coaching off the page never POSTs to the AI routes');
  assert.deepEqual(pageErrors, [], 'the page should not throw');
});
