// Browser end-to-end test: the real release binary serving the built web app with the
// demo driver at 10x real time, driven by Debian's headless Chromium via playwright-core.
// Covers the live page: readouts, charts, the lap list growing, the live track map (the
// path so far before any lap, the best lap's outline after, a moving car marker) and the
// live delta to the best lap.
//
//   node --test frontend/e2e/
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.PURPLESECTOR_BIN || path.join(repo, 'target/release/purplesector');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const outputDir = path.join(repo, 'test-output');
const LISTENING = /purplesector listening on (http:\/\/127\.0\.0\.1:(\d+))/;

/** A running `purplesector serve`, with its output kept for failure messages. */
class Server {
  constructor(addr, dataDir) {
    this.log = [];
    this.exited = false;
    this.child = spawn(bin, ['serve', '--demo', '--addr', addr, '--data-dir', dataDir], {
      cwd: repo,
      // This checkout's web app, whichever binary serves it (PURPLESECTOR_BIN).
      env: { ...process.env, PURPLESECTOR__SERVER__WEB_DIR: path.join(repo, 'frontend/dist'), PURPLESECTOR__DEMO__SPEED: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exit = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        resolve({ code, signal });
      });
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.remember(`[stderr] ${line}`));
    const stdout = createInterface({ input: this.child.stdout });
    this.url = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "purplesector listening on" line within 30 s; output:\n${this.tail()}`)), 30_000);
      stdout.on('line', (line) => {
        this.remember(line);
        const match = LISTENING.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      this.child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`could not start ${bin}: ${error.message}`));
      });
      this.exit.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`purplesector exited (code ${code}, signal ${signal}) before listening; output:\n${this.tail()}`));
      });
    });
    this.url.catch(() => {}); // observed by callers
  }

  remember(line) {
    this.log.push(line);
    if (this.log.length > 200) this.log.shift();
  }

  tail(n = 40) {
    return this.log.slice(-n).join('\n') || '(no output)';
  }

  async stop() {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 10_000));
    if ((await Promise.race([this.exit, timeout])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }
}

let dataDir;
let server;
let browser;
let page;
const pageErrors = [];
const servers = new Set();

function startServer(addr) {
  const s = new Server(addr, dataDir);
  servers.add(s);
  return s;
}

// Never leave a server behind, even when the runner is interrupted.
process.on('exit', () => {
  for (const s of servers) if (!s.exited) s.child.kill('SIGKILL');
});

before(async () => {
  assert.ok(existsSync(bin), `the purplesector binary is missing at ${bin}: run \`cargo build --release\` or set PURPLESECTOR_BIN`);
  assert.ok(existsSync(path.join(repo, 'frontend/dist/index.html')), 'frontend/dist is not built: run `npm --prefix frontend run build`');
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: install Debian's chromium (scripts/setup.sh)`);
  dataDir = mkdtempSync(path.join(tmpdir(), 'purplesector-e2e-'));
  server = startServer('127.0.0.1:0');
  await server.url;
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
  for (const s of servers) await s.stop().catch(() => {});
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Waits for `predicate(arg)` in the page; on timeout fails with `message` and the server log. */
async function waitInPage(predicate, arg, message, timeout = 15_000) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  } catch (error) {
    assert.fail(`${message} (waited ${timeout / 1000} s: ${error.message.split('\n')[0]})\nserver output:\n${server.tail(15)}`);
  }
}

/** Painted pixels of a canvas (alpha > 0). */
const canvasInk = (testId) =>
  page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`);
    if (!canvas || !canvas.width || !canvas.height) return 0;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  }, testId);

const readMap = () =>
  page.evaluate(() => {
    const map = document.querySelector('[data-testid="live-map"]');
    const delta = document.querySelector('[data-testid="live-delta"]');
    return {
      mode: map?.dataset.mode ?? null,
      drawn: map?.dataset.drawn === 'true',
      points: Number(map?.dataset.points ?? 0),
      carX: map?.dataset.carX ?? '',
      carY: map?.dataset.carY ?? '',
      outlineLap: map?.dataset.outlineLap ?? '',
      delta: document.querySelector('[data-testid="live-delta-value"]')?.textContent.trim() ?? null,
      tone: delta?.dataset.tone ?? null,
    };
  });

const readLive = () =>
  page.evaluate(() => {
    const chart = document.querySelector('[data-testid="chart-speed"]');
    const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? null;
    return {
      points: Number(chart?.dataset.points ?? 0),
      lap: chart?.dataset.lap ?? null,
      lastX: chart?.dataset.lastX ?? null,
      reference: Number(chart?.dataset.reference ?? 0),
      gear: text('gear'),
      rpm: text('rpm'),
      speed: text('speed'),
      lapTime: text('lap-time'),
      lapRows: document.querySelectorAll('[data-testid="lap-row"]').length,
    };
  });

test('the live demo session streams into the browser', { timeout: 150_000 }, async () => {
  const url = await server.url;
  await page.goto(`${url}/`);

  await waitInPage(() => document.querySelector('[data-testid="connection-state"]')?.dataset.state === 'live', null, 'the header should show the live stream connected');

  const liveRow = page.locator('[data-testid="session-row"][data-live="true"][data-sim="demo"]');
  await waitInPage(
    () => document.querySelector('[data-testid="session-row"][data-live="true"][data-sim="demo"] [data-testid="live-badge"]') !== null,
    null,
    'the sessions list should show the live demo session with a LIVE badge',
    30_000,
  );
  const sessionId = await liveRow.first().getAttribute('data-session-id');
  assert.ok(sessionId, 'the demo session row should carry its id');

  await liveRow.first().click();
  await page.waitForURL(`**/sessions/${encodeURIComponent(sessionId)}`, { timeout: 10_000 });
  for (const id of ['chart-speed', 'chart-pedals', 'chart-steering', 'chart-delta', 'live-map', 'live-delta', 'gear', 'rpm', 'speed', 'lap-time']) {
    assert.equal(await page.locator(`[data-testid="${id}"]`).count(), 1, `the live page should have one [data-testid="${id}"]`);
  }

  // The charts fill from the catch-up and the live frames.
  await waitInPage(() => Number(document.querySelector('[data-testid="chart-speed"]')?.dataset.points) > 0, null, 'the speed chart should receive samples');
  const first = await readLive();
  await waitInPage(
    (before) => {
      const chart = document.querySelector('[data-testid="chart-speed"]');
      return chart.dataset.points !== String(before.points) || chart.dataset.lap !== before.lap;
    },
    first,
    `the speed chart data should change over time (it stayed at ${first.points} points)`,
    10_000,
  );
  await waitInPage(
    (before) => document.querySelector('[data-testid="rpm"]')?.textContent.trim() !== before.rpm,
    first,
    `the rpm readout should change (stayed ${first.rpm})`,
    10_000,
  );
  await waitInPage(
    (before) => document.querySelector('[data-testid="gear"]')?.textContent.trim() !== before.gear,
    first,
    `the gear readout should change (stayed ${first.gear})`,
    30_000,
  );
  await waitInPage(
    (before) => document.querySelector('[data-testid="lap-time"]')?.textContent.trim() !== before.lapTime,
    first,
    `the current lap time should run (stayed ${first.lapTime})`,
    10_000,
  );
  // Before any lap is stored the map draws the path driven so far, and there is no delta.
  if (first.lapRows === 0 && (await readMap()).mode === 'path') {
    await waitInPage(
      () => {
        const map = document.querySelector('[data-testid="live-map"]');
        return map.dataset.mode !== 'path' || (map.dataset.drawn === 'true' && Number(map.dataset.points) > 10);
      },
      null,
      'before any lap is stored the live map should draw the path driven so far',
    );
    const early = await readMap();
    if (early.mode === 'path') {
      assert.ok((await canvasInk('live-map-line')) > 100, 'the path so far should be drawn on the live map');
      assert.equal(early.delta, '—', `without a best lap the delta should read —, got ${early.delta}`);
      mkdirSync(outputDir, { recursive: true });
      await page.screenshot({ path: path.join(outputDir, 'live-first-lap.png'), fullPage: true });
    }
  }

  const second = await readLive();
  assert.match(second.gear, /^(R|N|\d+)$/, `gear should read R, N or a number, got ${second.gear}`);
  assert.match(second.rpm, /^\d+$/, `rpm should be a number, got ${second.rpm}`);
  assert.match(second.lapTime, /^\d+:\d\d\.\d\d\d$/, `the lap time should read m:ss.SSS, got ${second.lapTime}`);

  // Laps complete while we watch: at least two in the list and at least one new one.
  const wantLaps = Math.max(2, first.lapRows + 1);
  await waitInPage(
    (want) => document.querySelectorAll('[data-testid="lap-row"]').length >= want,
    wantLaps,
    `the lap list should grow to ${wantLaps} laps (had ${first.lapRows} when the page opened)`,
    60_000,
  );
  const rows = await page.locator('[data-testid="lap-row"]').evaluateAll((els) =>
    els.map((el) => ({
      time: el.querySelector('.lap-row__time-value')?.textContent.trim(),
      best: el.dataset.best === 'true',
      counts: el.dataset.valid === 'true' && !el.dataset.outLap && !el.dataset.inLap,
    })),
  );
  for (const row of rows) assert.match(row.time, /^\d+:\d\d\.\d\d\d$/, `lap times should read m:ss.SSS, got ${row.time}`);
  const bestRows = rows.filter((r) => r.best);
  if (rows.some((r) => r.counts)) assert.equal(bestRows.length, 1, 'exactly one lap should be highlighted as best');
  else assert.equal(bestRows.length, 0, 'no lap counts yet, so none should be highlighted as best');

  // Once a lap that counts is stored, the map draws its outline and the delta runs against it.
  await waitInPage(
    () => {
      // The best lap may change while we wait: the outline follows it.
      const map = document.querySelector('[data-testid="live-map"]');
      const best = document.querySelector('[data-testid="lap-row"][data-best="true"]');
      return best && map?.dataset.mode === 'outline' && map.dataset.drawn === 'true' && map.dataset.outlineLap === best.dataset.lapId;
    },
    null,
    'once a lap is stored the live map should draw the best lap as the track outline',
    60_000,
  );
  const outlined = await readMap();
  assert.ok(outlined.points > 100, `the outline should have the best lap's points, got ${outlined.points}`);
  const lineInk = await canvasInk('live-map-line');
  assert.ok(lineInk > 500, `the live map's outline should have painted pixels, got ${lineInk}`);
  await waitInPage(() => document.querySelector('[data-testid="live-map"]')?.dataset.carX !== '', null, 'the live map should show the car');
  const car1 = await readMap();
  assert.ok((await canvasInk('live-map-overlay')) > 20, 'the car marker should be painted');
  await waitInPage(
    (before) => {
      const map = document.querySelector('[data-testid="live-map"]');
      const [x, y] = [Number(map.dataset.carX), Number(map.dataset.carY)];
      return map.dataset.carX !== '' && Math.hypot(x - Number(before.carX), y - Number(before.carY)) > 2;
    },
    car1,
    `the car marker should move (stayed at ${car1.carX}, ${car1.carY})`,
    10_000,
  );
  await waitInPage(
    () => /^[+−]\d+\.\d{3}$/.test(document.querySelector('[data-testid="live-delta-value"]')?.textContent.trim() ?? ''),
    null,
    'the live delta should show a signed time against the best lap',
    20_000,
  );
  const withDelta = await readMap();
  assert.match(withDelta.delta, /^[+−]\d+\.\d{3}$/, `the delta should read like +0.123 or −0.456, got ${withDelta.delta}`);
  assert.ok(['ahead', 'behind', 'best', 'level'].includes(withDelta.tone), `the delta should be coloured, got tone ${withDelta.tone}`);
  await waitInPage(
    () => Number(document.querySelector('[data-testid="chart-delta"]')?.dataset.points) > 0 && document.querySelector('[data-testid="chart-delta"]').dataset.lastY !== 'NaN',
    null,
    'the delta chart should draw the current lap against the best',
    20_000,
  );

  // A new lap started a new trace, with the previous lap kept as reference.
  await waitInPage(
    (lap) => {
      const chart = document.querySelector('[data-testid="chart-speed"]');
      return chart.dataset.lap !== lap && Number(chart.dataset.reference) > 0;
    },
    first.lap,
    'after a completed lap the chart should draw a new lap with the previous one as reference',
    15_000,
  );

  // Let the new lap gather a little data so the screenshot shows both traces.
  await waitInPage(() => Number(document.querySelector('[data-testid="chart-speed"]')?.dataset.points) > 300, null, 'the new lap should gather samples');
  mkdirSync(outputDir, { recursive: true });
  await page.screenshot({ path: path.join(outputDir, 'live.png'), fullPage: true });

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});

test('the browser reconnects and re-subscribes after the server restarts', { timeout: 90_000 }, async () => {
  const url = await server.url;
  const addr = new URL(url).host;
  await server.stop();
  await waitInPage(
    () => document.querySelector('[data-testid="connection-state"]')?.dataset.state === 'reconnecting',
    null,
    'the header should show the stream reconnecting while the server is down',
  );

  server = startServer(addr); // same port, same data directory
  await server.url;
  await waitInPage(
    () => document.querySelector('[data-testid="connection-state"]')?.dataset.state === 'live',
    null,
    'the stream should reconnect on its own once the server is back',
    30_000,
  );
  // The restarted server runs a new demo session; the stored one is listed and no longer live.
  await page.locator('[data-testid="brand"]').click();
  await waitInPage(
    () => document.querySelectorAll('[data-testid="session-row"][data-live="true"][data-sim="demo"]').length >= 1,
    null,
    'the sessions list should show the new live demo session after the restart',
    30_000,
  );
  await page.locator('[data-testid="session-row"][data-live="true"][data-sim="demo"]').first().click();
  await waitInPage(() => Number(document.querySelector('[data-testid="chart-speed"]')?.dataset.points) > 0, null, 'the new demo session should stream after the restart', 20_000);
  assert.deepEqual(pageErrors, [], 'the page should not throw');
});
