// Browser end-to-end test of the lap page's AI coach against a stand-in for the model: a
// tiny OpenAI-compatible server in this process (`POST /v1/chat/completions`, on a free
// port) that answers the suggestions request (a JSON-schema structured output) with one
// suggestion and streams chat replies in four pieces 150 ms apart, recording every request.
// The release binary runs the demo at 40x with OPENAI_API_KEY and OPENAI_BASE_URL pointing
// at it. On a stored lap's page: "Ask the AI coach" shows the AI's suggestion beside the
// built-in ones; a question typed into the chat (Shift+Enter a new line, Enter sends) gets
// "thinking…", then a reply seen growing piece by piece with the input disabled, then
// complete; after a reload the conversation is still there. Screenshot in
// test-output/coach.png.
//
//   node --test frontend/e2e/coach.test.mjs
//
// Env: PURPLESECTOR_BIN (default <repo>/target/release/purplesector),
//      CHROMIUM_PATH (default /usr/bin/chromium).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { useDemoApp, outputDir } from './harness.mjs';

const SUGGESTION = { corner: 3, kind: 'braking', message: 'Brake 10 m later into turn 3', time_at_stake_ms: 150, severity: 'minor' };
const PIECES = ['Brake ', 'ten metres ', 'later into ', 'turn 3.'];
const REPLY = PIECES.join('');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stand-in model: records `{ authorization, body }` of every request. */
const model = { url: undefined, requests: [], server: undefined };

function completion(res, body) {
  if (body.stream) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    return (async () => {
      for (const piece of PIECES) {
        await sleep(150);
        const chunk = { id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
        res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      }
      await sleep(150);
      res.end('data: [DONE]\n\n');
    })();
  }
  const content = JSON.stringify({ suggestions: [SUGGESTION] });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], id: 'x', object: 'chat.completion', created: 0, model: 'm' }));
}

/** Starts the stand-in model on a free port (from the harness's hook, before the server: node 20 runs top-level `before` hooks concurrently). */
async function startModel() {
  model.server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      res.writeHead(400).end();
      return;
    }
    model.requests.push({ authorization: req.headers.authorization ?? '', body });
    await completion(res, body);
  });
  await new Promise((resolve) => model.server.listen(0, '127.0.0.1', resolve));
  model.url = `http://127.0.0.1:${model.server.address().port}`;
}

after(async () => {
  model.server?.closeAllConnections();
  await new Promise((resolve) => (model.server ? model.server.close(resolve) : resolve()));
});

const app = useDemoApp({
  name: 'coach',
  speed: 40,
  env: async () => {
    await startModel();
    return { OPENAI_API_KEY: 'sk-e2e', OPENAI_BASE_URL: `${model.url}/v1` };
  },
});
const { getJson, until, waitInPage, pageErrors } = app;

/** A chat message's text, whether `content` is a string or a list of parts. */
const textOf = (content) => (typeof content === 'string' ? content : Array.isArray(content) ? content.map((p) => p?.text ?? '').join('') : '');

/** Watches the chat (every DOM change) and records its phase, the streaming reply's text and whether the input is disabled. */
function recordChat() {
  const chat = document.querySelector('[data-testid="coach-chat"]');
  window.__chatSeen = [];
  const note = () => {
    const streaming = chat.querySelector('[data-testid="chat-message"][data-streaming="true"] .chat__text');
    window.__chatSeen.push({
      phase: chat.dataset.phase,
      text: streaming?.textContent ?? null,
      inputDisabled: chat.querySelector('[data-testid="chat-input"]').disabled,
    });
  };
  new MutationObserver(note).observe(chat, { subtree: true, childList: true, characterData: true, attributes: true });
}

test('the AI coach suggests and chats about a stored lap, streaming the reply', { timeout: 180_000 }, async () => {
  const sessionId = await until(async () => (await getJson('/api/sessions')).sessions.find((s) => s.sim === 'demo')?.id, 'the demo session should appear');
  const laps = await until(async () => {
    const { laps } = await getJson(`/api/sessions/${encodeURIComponent(sessionId)}/laps`);
    return laps.length >= 3 && laps;
  }, 'the demo should complete three laps');
  const lap = laps.find((l) => l.lap_number === 2);
  const reference = laps.find((l) => l.lap_number === 3);
  assert.ok(lap && reference, 'laps 2 and 3 should exist');

  // The server has the AI routes (a binary built before them answers 404 "no API route").
  const probe = await fetch(`${app.url}/api/laps/${lap.id}/chat`);
  assert.equal(probe.status, 200, `GET /api/laps/{id}/chat: ${probe.status} ${await probe.text()} — is PURPLESECTOR_BIN built with the AI coaching routes?`);

  const posts = [];
  app.page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(new URL(request.url()).pathname + new URL(request.url()).search);
  });

  await app.page.goto(`${app.url}/laps/${lap.id}?reference=${reference.id}`);
  await waitInPage(() => document.querySelector('[data-testid="ai-coach"]')?.dataset.ai === 'on', null, 'the AI coach panel should say AI coaching is on');
  await waitInPage(() => document.querySelectorAll('[data-testid="suggestion"]').length > 0, null, 'the built-in suggestions should show');
  const builtIn = await app.page.locator('[data-testid="suggestion"]').count();
  assert.deepEqual(posts, [], 'nothing is asked of the AI before the button');

  // Suggestions: one click, against the page's reference.
  const ask = app.page.locator('[data-testid="ask-ai"]');
  assert.equal((await ask.innerText()).trim(), 'Ask the AI coach');
  await ask.click();
  await waitInPage(() => document.querySelector('[data-testid="ai-suggestion"]'), null, 'the AI suggestion should show');
  const shown = await app.page.locator('[data-testid="ai-suggestion"]').evaluateAll((items) =>
    items.map((li) => ({ text: li.innerText, severity: li.dataset.severity, corner: li.dataset.corner, kind: li.dataset.kind })),
  );
  assert.equal(shown.length, 1, `one AI suggestion: ${JSON.stringify(shown)}`);
  assert.match(shown[0].text, /Brake 10 m later into turn 3/);
  assert.match(shown[0].text, /T3/);
  assert.match(shown[0].text, /0\.150 s/);
  assert.match(shown[0].text, /braking/i);
  assert.deepEqual([shown[0].severity, shown[0].corner, shown[0].kind], ['minor', '3', 'braking']);
  assert.equal(await app.page.locator('[data-testid="suggestion"]').count(), builtIn, 'the built-in suggestions stay');
  assert.deepEqual(posts, [`/api/laps/${lap.id}/analysis?reference=${reference.id}`], 'one POST of the analysis, with the page\'s reference');

  const schemaRequests = model.requests.filter((r) => !r.body.stream);
  assert.ok(schemaRequests.length >= 1, 'the model was asked for suggestions');
  assert.equal(schemaRequests[0].body.response_format?.type, 'json_schema', 'with a JSON schema');
  assert.equal(schemaRequests[0].authorization, 'Bearer sk-e2e', 'with the configured key');

  // Chat: Shift+Enter is a new line, Enter sends; the reply streams in.
  const question = 'Where do I lose the most time? <b>not bold</b>';
  const followUp = 'And what should I try first?';
  const input = app.page.locator('[data-testid="chat-input"]');
  await input.click();
  await input.pressSequentially(question);
  await app.page.keyboard.press('Shift+Enter');
  await input.pressSequentially(followUp);
  assert.equal(await input.inputValue(), `${question}\n${followUp}`, 'Shift+Enter adds a new line without sending');
  assert.equal(await app.page.locator('[data-testid="coach-chat"]').getAttribute('data-phase'), 'idle');
  await app.page.evaluate(recordChat);
  await app.page.keyboard.press('Enter');
  await waitInPage(
    (reply) => {
      const chat = document.querySelector('[data-testid="coach-chat"]');
      const last = [...chat.querySelectorAll('[data-testid="chat-message"]')].at(-1);
      return chat.dataset.phase === 'idle' && last?.dataset.role === 'assistant' && !last.dataset.streaming && last.querySelector('.chat__text').textContent === reply;
    },
    REPLY,
    'the whole reply should arrive and the chat go idle',
  );
  const seen = await app.page.evaluate(() => window.__chatSeen);
  assert.ok(seen.some((s) => s.phase === 'thinking' && /thinking…/.test(s.text ?? '')), `"thinking…" should show before the first words: ${JSON.stringify(seen.slice(0, 5))}`);
  const streamed = [...new Set(seen.filter((s) => s.phase === 'streaming').map((s) => s.text))];
  for (const text of streamed) assert.ok(text && REPLY.startsWith(text), `"${text}" is the start of the reply`);
  assert.ok(streamed.every((t, i) => i === 0 || t.length > streamed[i - 1].length), `the reply only grows: ${JSON.stringify(streamed)}`);
  const partial = streamed.filter((t) => t.length < REPLY.length);
  assert.ok(partial.length >= 2, `the reply should be seen at two lengths at least before it is complete: ${JSON.stringify(streamed)}`);
  assert.ok(seen.filter((s) => s.phase !== 'idle').every((s) => s.inputDisabled), 'the input is disabled while the reply streams');
  assert.equal(await input.isDisabled(), false, 'the input is enabled again');
  assert.equal(await input.inputValue(), '', 'the input is cleared once sent');

  const sentText = `${question}\n${followUp}`;
  const userBubble = app.page.locator('[data-testid="chat-message"][data-role="user"] .chat__text').last();
  assert.equal(await userBubble.innerText(), sentText, 'the question shows as sent, line break kept');
  assert.equal(await app.page.locator('[data-testid="chat-log"] b').count(), 0, 'message text is plain text, never HTML');

  const chatRequests = model.requests.filter((r) => r.body.stream === true);
  assert.equal(chatRequests.length, 1, 'the model was asked once to stream a reply');
  const asked = chatRequests[0].body.messages ?? [];
  assert.ok(asked.some((m) => m.role === 'user' && textOf(m.content) === sentText), `the model got the question: ${JSON.stringify(asked.map((m) => m.role))}`);
  assert.deepEqual(posts.slice(1), [`/api/laps/${lap.id}/chat`], 'one POST of the chat message');

  // The conversation is stored: a reload shows it.
  await app.page.reload();
  await waitInPage(() => document.querySelectorAll('[data-testid="chat-message"]').length === 2, null, 'after a reload the conversation should still be there');
  const stored = await app.page.locator('[data-testid="chat-message"]').evaluateAll((items) => items.map((li) => [li.dataset.role, li.querySelector('.chat__text').innerText]));
  assert.deepEqual(stored, [
    ['user', sentText],
    ['assistant', REPLY],
  ]);

  // The screenshot: the AI suggestion asked for again, beside the conversation.
  await app.page.locator('[data-testid="ask-ai"]').click();
  await waitInPage(() => document.querySelector('[data-testid="ai-suggestion"]'), null, 'the AI suggestion should show again');
  mkdirSync(outputDir, { recursive: true });
  await app.page.evaluate(() => window.scrollTo(0, 0)); // (the sticky header would cover the page's top)
  await app.page.screenshot({ path: path.join(outputDir, 'coach.png'), fullPage: true });

  assert.deepEqual(pageErrors, [], 'the page should not throw');
});
