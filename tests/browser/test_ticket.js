/* /t/{token}: a resident's phone page. */
'use strict';

const { test, until, assert } = require('./lib');

const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

/* What the page shows a reader, apart from the language menu (each language in its own). */
function shownText(page) {
  return page.evaluate(() => Array.from(document.querySelectorAll('main > :not(#langs)'))
    .map((e) => e.innerText).join('\n'));
}

test('shows number, procedure, place and wait in the ticket language', async (t) => {
  const d = await t.daemon();
  await d.issue('naka', 'A', { lang: 'en' });
  const tk = await d.issue('naka', 'A', { lang: 'en' });
  const page = await t.page(PHONE);
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#ticket:not([hidden])');
  assert.strictEqual(await page.textContent('#number'), tk.label);
  assert.match(await page.textContent('#service'), /Certificates/);
  assert.match(await page.textContent('#position'), /1 ahead of you/);
  assert.strictEqual(await page.textContent('#wait'), tk.est_wait_min > 0 ? 'about ' + tk.est_wait_min + ' min' : 'soon');
  assert.match(await page.textContent('#office'), /Naka Ward Office/);
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'en');
});

test('first in line at a free counter reads "soon", not "about 0 min", with and without JavaScript', async (t) => {
  const d = await t.daemon();
  const tk = await d.issue('naka', 'A', { lang: 'en' });
  assert.strictEqual(tk.est_wait_min, 0);
  const page = await t.page(PHONE);
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#ticket:not([hidden])');
  assert.strictEqual(await page.textContent('#wait'), 'soon');
  const plain = await t.page(Object.assign({ javaScriptEnabled: false }, PHONE));
  await plain.goto(d.url + '/t/' + tk.token);
  const text = await plain.innerText('body');
  assert.match(text, /Estimated wait\s+soon/);
  assert.doesNotMatch(text, /about 0 min/);
});

test('the call appears without reload: your turn, go to counter N', async (t) => {
  const d = await t.daemon();
  const tk = await d.issue('naka', 'A', { lang: 'ja' });
  const page = await t.page(PHONE);
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#ticket:not([hidden])');
  assert.ok(await page.isHidden('#called'));
  assert.ok(await page.isVisible('#position-row'));
  await page.evaluate(() => { window.notReloaded = true; });
  const called = await d.call('naka', 2);
  assert.strictEqual(called.label, tk.label);
  await page.waitForSelector('#called:not([hidden])', { timeout: 30000 });
  assert.match(await page.textContent('#called'), /2番窓口へお越しください/);
  /* The place and wait in line are over: their rows go (the hidden attribute must win over
   * the rows' own display rule). */
  assert.ok(await page.isHidden('#position-row'), 'place in line still shown while called');
  assert.ok(await page.isHidden('#wait-row'), 'estimated wait still shown while called');
  assert.doesNotMatch(await page.innerText('main'), /次にお呼びします|待ち時間の目安/);
  assert.ok(await page.evaluate(() => window.notReloaded === true), 'the page was reloaded');
});

test("I'm leaving cancels the ticket", async (t) => {
  const d = await t.daemon();
  const tk = await d.issue('naka', 'B', { lang: 'en' });
  const page = await t.page(PHONE);
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#leave:not([hidden])');
  await page.click('#leave');
  await page.click('#confirm-yes');
  await until(async () => /cancelled/.test(await page.textContent('#state-news')), 'cancelled shown');
  const r = await d.request('GET', '/api/v1/tickets/' + tk.token);
  assert.strictEqual(r.json().state, 'cancelled');
  assert.ok(await page.isHidden('#leave'));
});

test('an unknown token says so', async (t) => {
  const d = await t.daemon();
  const page = await t.page(PHONE);
  await page.goto(d.url + '/t/AAAAAAAAAAAAAAAAAAAAAA?lang=en');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /not found/);
});

test("the language menu marks the ticket's language, not the browser's", async (t) => {
  const d = await t.daemon();
  const tk = await d.issue('naka', 'A', { lang: 'vi' });
  const page = await t.page(Object.assign({ locale: 'en-US' }, PHONE));
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#ticket:not([hidden])');
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'vi');
  const pressed = await page.$$eval('#langs button[aria-pressed="true"]', (bs) => bs.map((b) => b.textContent));
  assert.deepStrictEqual(pressed, ['Tiếng Việt']);
});

test('an unknown token: the whole page in the reader\'s language, and it stops asking', async (t) => {
  const d = await t.daemon();
  const page = await t.page(PHONE);
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) asked.push(r.url()); });
  await page.goto(d.url + '/t/AAAAAAAAAAAAAAAAAAAAAA?lang=en');
  await page.waitForSelector('#error:not([hidden])');
  assert.doesNotMatch(await shownText(page), JAPANESE);
  assert.match(await page.textContent('h1'), /Your ticket/);
  assert.strictEqual(await page.title(), 'Your ticket — madoguchi');
  /* Nothing will change for a ticket that does not exist: no "updates every 20 seconds". */
  assert.strictEqual((await page.textContent('#live')).trim(), '');
  const n = asked.length;
  await page.waitForTimeout(4500);
  assert.strictEqual(asked.length, n, 'the page kept asking: ' + asked.slice(n).join(' '));
});

test('without JavaScript the ticket is in the page, in its language, and the page reloads itself', async (t) => {
  const d = await t.daemon();
  await d.issue('naka', 'A', { lang: 'en' });
  const tk = await d.issue('naka', 'A', { lang: 'en' });
  const page = await t.page(Object.assign({ javaScriptEnabled: false }, PHONE));
  const response = await page.goto(d.url + '/t/' + tk.token);
  assert.strictEqual(response.headers()['cache-control'], 'no-store');
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'en');
  assert.strictEqual(await page.title(), 'Your ticket — madoguchi');
  let text = await page.innerText('body');
  assert.doesNotMatch(text, JAPANESE);
  assert.match(text, /Naka Ward Office/);
  assert.match(text, new RegExp('Your number\\s+' + tk.label));
  assert.match(text, /Certificates/);
  assert.match(text, /1 ahead of you/);
  assert.match(text, tk.est_wait_min > 0 ? /about \d+ min/ : /Estimated wait\s+soon/);
  await d.call('naka', 1);
  await d.call('naka', 2);
  /* Nobody reloads: the page does, and then shows the call. */
  await until(async () => /Please go to counter 2/.test(await page.innerText('body')), 'the call after a reload', 45000);
  text = await page.innerText('body');
  assert.match(text, /Your turn/);
  assert.doesNotMatch(text, /ahead of you|Estimated wait/);
  /* An unknown ticket says so, with a 404, in the browser's language. */
  const missing = await page.goto(d.url + '/t/AAAAAAAAAAAAAAAAAAAAAA?lang=ko');
  assert.strictEqual(missing.status(), 404);
  assert.match(await page.innerText('body'), /찾을 수 없습니다/);
});

test('at 200 % zoom with larger text the number stays on one line and nothing runs off the side', async (t) => {
  const d = await t.daemon();
  for (let i = 0; i < 30; i++) await d.issue('naka', 'B', { lang: 'en' });
  const tk = await d.issue('naka', 'B', { lang: 'en' });
  /* A 375 px phone at 200 % zoom is 188 CSS px wide; its reader also chose larger text. */
  const context = await t.context({ viewport: { width: 188, height: 640 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await (await context.newCDPSession(page)).send('Page.setFontSizes', { fontSizes: { standard: 24 } });
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#ticket:not([hidden])');
  const number = await page.$eval('#number', (e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return { text: e.textContent, lines: range.getClientRects().length };
  });
  assert.deepStrictEqual(number, { text: tk.label, lines: 1 });
  const wide = await page.evaluate(() => Array.from(document.querySelectorAll('main *'))
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((e) => e.id || e.tagName));
  assert.deepStrictEqual(wide, []);
});
