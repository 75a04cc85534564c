/* /board/{office}: the display board. Called numbers appear without a reload; the last
 * calls are listed; announcements wait their turn and never cut each other off. */
'use strict';

const { test, until, assert, axeViolations, describeViolations } = require('./lib');

const TV = { viewport: { width: 1280, height: 720 } };

/* Headless Chromium has no voices, so the engine is stood in for by one that "speaks" each
 * sentence for 400 ms and records what it was asked — including whether it was asked to
 * speak over itself or to cancel. The board's own queue is what is under test. */
function fakeSpeech() {
  window.spoken = [];
  window.speechProblems = [];
  let busy = false;
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ''; };
  Object.defineProperty(window, 'speechSynthesis', {
    value: {
      getVoices: () => [],
      cancel: () => window.speechProblems.push('cancel'),
      speak(u) {
        if (busy) window.speechProblems.push('overlap: ' + u.text);
        busy = true;
        window.spoken.push({ text: u.text, lang: u.lang, at: Date.now() });
        setTimeout(() => { busy = false; if (u.onend) u.onend(); }, 400);
      },
    },
  });
}

test('a call appears on the board without a reload, with its counter', async (t) => {
  const d = await t.daemon();
  const page = await t.page(TV);
  await page.goto(d.url + '/board/naka');
  await until(async () => /中区役所/.test(await page.textContent('#office')), 'office name');
  await until(async () => /ただいまお呼びしている番号はありません/.test(await page.textContent('#now-empty')), 'empty board');
  await page.evaluate(() => { window.notReloaded = true; });
  await d.issue('naka', 'A');
  const b = await d.issue('naka', 'B');
  const first = await d.call('naka', 1);
  await page.waitForSelector(`#now li[data-label="${first.label}"]`, { timeout: 10000 });
  assert.match(await page.textContent(`#now li[data-label="${first.label}"]`), /1番窓口/);
  const second = await d.call('naka', 3);
  assert.strictEqual(second.label, b.label);
  await page.waitForSelector(`#now li[data-label="${b.label}"]`, { timeout: 10000 });
  /* The newest call is first and highlighted. */
  const order = await page.$$eval('#now li', (lis) => lis.map((li) => li.dataset.label));
  assert.deepStrictEqual(order, [b.label, first.label]);
  assert.strictEqual(await page.getAttribute('#now li:first-child', 'class'), 'fresh flash');
  const recent = await page.$$eval('#recent li', (lis) => lis.map((li) => li.dataset.label));
  assert.deepStrictEqual(recent, [b.label, first.label]);
  assert.ok(await page.evaluate(() => window.notReloaded === true), 'the page was reloaded');
  /* Screen readers hear it too, in the board's language. */
  assert.match(await page.textContent('#announce'), /3番窓口へお越しください/);
});

test('a board opened later shows the last calls; a paused counter leaves the board', async (t) => {
  const d = await t.daemon();
  for (let i = 0; i < 3; i++) await d.issue('naka', 'A');
  const a = await d.call('naka', 1);
  const b = await d.call('naka', 2);
  const page = await t.page(TV);
  await page.goto(d.url + '/board/naka?lang=en');
  await page.waitForSelector(`#recent li[data-label="${a.label}"]`);
  assert.deepStrictEqual(await page.$$eval('#recent li', (lis) => lis.map((li) => li.dataset.label)), [b.label, a.label]);
  assert.match(await page.textContent('#now-title'), /Now calling/);
  await page.waitForSelector(`#now li[data-label="${a.label}"]`);
  assert.match(await page.textContent(`#now li[data-label="${a.label}"]`), /Counter 1/);
  await d.counter('naka', 1, 'paused');
  await page.waitForSelector(`#now li[data-label="${a.label}"]`, { state: 'detached', timeout: 10000 });
  assert.ok(await page.$(`#now li[data-label="${b.label}"]`));
});

test('announcements are queued: chime, Japanese, English, one after another', async (t) => {
  const d = await t.daemon();
  const context = await t.context(TV);
  await context.addInitScript(fakeSpeech);
  const page = await context.newPage();
  await page.goto(d.url + '/board/naka?sound=on');
  await until(async () => (await page.getAttribute('#sound', 'aria-pressed')) === 'true', 'sound on');
  assert.match(await page.textContent('#sound'), /音声：オン/);
  await page.waitForFunction(() => document.querySelector('#live').textContent.length > 0);
  await until(async () => (await page.textContent('#live')) === '自動で更新しています', 'stream open');
  for (let i = 0; i < 3; i++) await d.issue('naka', 'A');
  const calls = [];
  calls.push(await d.call('naka', 1));
  calls.push(await d.call('naka', 2));
  await d.act('naka', calls[0].id, 'recall');
  await until(async () => (await page.evaluate(() => window.spoken.length)) >= 6, 'six sentences', 30000);
  const spoken = await page.evaluate(() => window.spoken);
  const problems = await page.evaluate(() => window.speechProblems);
  assert.deepStrictEqual(problems, []);
  assert.deepStrictEqual(spoken.map((s) => s.lang), ['ja-JP', 'en-US', 'ja-JP', 'en-US', 'ja-JP', 'en-US']);
  assert.match(spoken[0].text, /受付番号、Aの1番の方、1番窓口へお越しください。/);
  assert.strictEqual(spoken[1].text, 'Number A 1, please go to counter 1.');
  assert.match(spoken[2].text, /Aの2番の方、2番窓口へ/);
  assert.match(spoken[4].text, /^もう一度お呼びします。/);
  assert.match(spoken[5].text, /^Calling again\. Number A 1/);
  /* Each announcement starts after the previous one ended, a chime (1.4 s) in between. */
  for (let i = 2; i < spoken.length; i += 2) assert.ok(spoken[i].at - spoken[i - 1].at >= 1400, 'chime gap');
  await until(async () => (await page.evaluate(() => window.madoguchiBoard.announcer.log.length)) === 3, 'three logged');
  const log = await page.evaluate(() => window.madoguchiBoard.announcer.log);
  for (let i = 1; i < log.length; i++) assert.ok(log[i].start >= log[i - 1].end, 'overlap in the queue');
});

test('without sound the board still shows and logs every call', async (t) => {
  const d = await t.daemon();
  const context = await t.context(TV);
  await context.addInitScript(fakeSpeech);
  const page = await context.newPage();
  await page.goto(d.url + '/board/naka');
  assert.strictEqual(await page.getAttribute('#sound', 'aria-pressed'), 'false');
  await until(async () => (await page.textContent('#live')) === '自動で更新しています', 'stream open');
  await d.issue('naka', 'H');
  const c = await d.call('naka', 1);
  await page.waitForSelector(`#now li[data-label="${c.label}"]`);
  await until(async () => (await page.evaluate(() => window.madoguchiBoard.announcer.log.length)) === 1, 'logged');
  assert.strictEqual(await page.evaluate(() => window.spoken.length), 0);
  /* Turning sound on is one button, and it says so. */
  await page.click('#sound');
  assert.strictEqual(await page.getAttribute('#sound', 'aria-pressed'), 'true');
});

test('no token or personal data reaches a public page', async (t) => {
  const d = await t.daemon();
  const tickets = [];
  for (const [service, lang, priority] of [['A', 'en', 'elderly'], ['B', 'vi', 'pregnant'], ['A', 'ko', 'none']]) {
    tickets.push(await d.issue('naka', service, { lang, priority }));
  }
  await d.call('naka', 1);
  const page = await t.page(TV);
  const bodies = [];
  page.on('response', async (r) => {
    const type = r.headers()['content-type'] || '';
    if (!type.startsWith('text/event-stream')) bodies.push(await r.text().catch(() => ''));
  });
  for (const path of ['/board/naka', '/congestion', '/']) {
    await page.goto(d.url + path);
    await page.waitForLoadState('networkidle').catch(() => {});
    await page.waitForTimeout(500);
    const html = await page.content();
    for (const tk of tickets) {
      assert.ok(!html.includes(tk.token), 'token on ' + path);
      for (const b of bodies) assert.ok(!b.includes(tk.token), 'token in a response of ' + path);
    }
    for (const word of ['elderly', 'pregnant', '"priority"']) assert.ok(!html.includes(word), word + ' on ' + path);
  }
});

test('an unknown office: a page that says so and lists the boards, not a screen of JSON', async (t) => {
  const d = await t.daemon();
  const page = await t.page(TV);
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/events')) asked.push(r.url()); });
  const response = await page.goto(d.url + '/board/nowhere?lang=en');
  assert.strictEqual(response.status(), 404);
  assert.match(response.headers()['content-type'], /^text\/html/);
  await page.waitForSelector('#error:not([hidden]) li');
  assert.match(await page.textContent('#error'), /There is no office "nowhere"/);
  assert.ok(await page.isHidden('#now-title'), 'an empty "Now calling" is left on the screen');
  const violations = await axeViolations(page);
  assert.deepStrictEqual(violations, [], describeViolations(violations));
  /* Each office's board is one click away, keeping the language. */
  await page.click('#error a:has-text("Naka Ward Office")');
  await until(async () => /Naka Ward Office/.test(await page.textContent('#office')), 'the naka board');
  assert.strictEqual(new URL(page.url()).pathname + new URL(page.url()).search, '/board/naka?lang=en');
  assert.ok(asked.filter((u) => u.includes('/nowhere/')).length <= 1, 'kept asking for an office that is not there');
});

test('after the daemon restarts, the board and a phone reconnect and show the next call', async (t) => {
  const d = await t.daemon();
  await d.issue('naka', 'A');
  const tk = await d.issue('naka', 'A', { lang: 'en' });
  const board = await t.page(TV);
  const phone = await t.page({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
  await board.goto(d.url + '/board/naka?lang=en');
  await phone.goto(d.url + '/t/' + tk.token);
  for (const p of [board, phone]) {
    await until(async () => (await p.textContent('#live')) === 'Updates automatically', 'stream open');
    await p.evaluate(() => { window.notReloaded = true; });
  }
  await d.restart();
  for (const p of [board, phone]) {
    await until(async () => (await p.textContent('#live')) === 'Updates automatically', 'stream open again', 20000);
  }
  const first = await d.call('naka', 1);
  const second = await d.call('naka', 2);
  assert.strictEqual(second.label, tk.label);
  await board.waitForSelector(`#now li[data-label="${second.label}"]`, { timeout: 10000 });
  assert.ok(await board.$(`#now li[data-label="${first.label}"]`));
  await phone.waitForSelector('#called:not([hidden])', { timeout: 10000 });
  assert.match(await phone.textContent('#called'), /Please go to counter 2/);
  for (const p of [board, phone]) assert.ok(await p.evaluate(() => window.notReloaded === true), 'reloaded');
});
