// Shared by the browser tests that need one server and one page: starts the release
// binary (`serve` on a free port, a temporary data dir; with the demo driver unless
// `demo: false`) and Debian's headless Chromium, and stops both after the file's tests.
//
// Not a test file itself (`node --test` runs `*.test.mjs`). Env: PURPLESECTOR_BIN
// (default <repo>/target/release/purplesector), CHROMIUM_PATH (default /usr/bin/chromium).
// The server always serves this checkout's `frontend/dist` (PURPLESECTOR__SERVER__WEB_DIR),
// so a binary built elsewhere (PURPLESECTOR_BIN) tests this web app, not its own.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const outputDir = path.join(repo, 'test-output');
const bin = process.env.PURPLESECTOR_BIN || path.join(repo, 'target/release/purplesector');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const webDir = path.join(repo, 'frontend/dist');
const LISTENING = /purplesector listening on (http:\/\/127\.0\.0\.1:(\d+))/;

/**
 * Registers `before`/`after` hooks running a server (with the demo driver at `speed`
 * times real time unless `demo` is false; `env` adds to the server's environment, e.g.
 * PURPLESECTOR__AUTH__MODE, and may be an async function called when the server starts,
 * for values known only then, like the port of a stub it starts: node 20 runs a file's
 * top-level `before` hooks concurrently, so another hook cannot be relied on to come first)
 * and a browser page; returns the app, whose `url` and `page` are set once the hooks have
 * run, and helpers that report the server's output on failure.
 */
export function useDemoApp({ name, speed = 1, demo = true, env = {} }) {
  const app = { url: undefined, page: undefined, log: [], pageErrors: [] };
  let dataDir;
  let child;
  let browser;

  process.on('exit', () => child?.kill('SIGKILL'));

  before(async () => {
    assert.ok(existsSync(bin), `the purplesector binary is missing at ${bin}: run \`cargo build --release\` or set PURPLESECTOR_BIN`);
    assert.ok(existsSync(path.join(webDir, 'index.html')), 'frontend/dist is not built: run `npm --prefix frontend run build`');
    assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: install Debian's chromium (scripts/setup.sh)`);
    dataDir = mkdtempSync(path.join(tmpdir(), `purplesector-e2e-${name}-`));
    const extraEnv = typeof env === 'function' ? await env() : env;
    const args = ['serve', ...(demo ? ['--demo'] : []), '--addr', '127.0.0.1:0', '--data-dir', dataDir];
    child = spawn(bin, args, {
      cwd: repo,
      env: { ...process.env, PURPLESECTOR__SERVER__WEB_DIR: webDir, ...(demo ? { PURPLESECTOR__DEMO__SPEED: String(speed) } : {}), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stderr }).on('line', (line) => app.log.push(`[stderr] ${line}`));
    app.url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening" line within 30 s:\n${app.log.slice(-30).join('\n')}`)), 30_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        app.log.push(line);
        const match = LISTENING.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`purplesector exited (${code}) before listening:\n${app.log.slice(-30).join('\n')}`)));
    });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    app.page = await context.newPage();
    app.page.on('pageerror', (error) => app.pageErrors.push(error.message));
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

  const serverOutput = () => `server output:\n${app.log.slice(-15).join('\n')}`;

  app.getJson = async (route) => {
    const response = await fetch(app.url + route);
    assert.ok(response.ok, `GET ${route}: ${response.status}`);
    return response.json();
  };

  /** Polls `fn` until it returns a truthy value. */
  app.until = async (fn, message, timeout = 60_000) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await fn();
      if (value) return value;
      if (Date.now() > deadline) assert.fail(`${message}\n${serverOutput()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  app.waitInPage = async (predicate, arg, message, timeout = 20_000) => {
    try {
      await app.page.waitForFunction(predicate, arg, { timeout, polling: 50 });
    } catch (error) {
      assert.fail(`${message} (waited ${timeout / 1000} s: ${error.message.split('\n')[0]})\n${serverOutput()}`);
    }
  };

  return app;
}
