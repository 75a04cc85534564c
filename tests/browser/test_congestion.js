/* /congestion: every office's live waiting, with levels in words (and shapes), not colour alone. */
'use strict';

const { test, until, assert } = require('./lib');

const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

test('every office is listed with its procedures and a level in words', async (t) => {
  const d = await t.daemon();
  const page = await t.page(PHONE);
  await page.goto(d.url + '/congestion?lang=en');
  await page.waitForSelector('#office-mihara table');
  const offices = await page.$$eval('section.office', (s) => s.map((e) => e.id));
  assert.deepStrictEqual(offices, ['office-sakai', 'office-naka', 'office-higashi', 'office-nishi', 'office-minami',
    'office-kita', 'office-mihara']);
  assert.match(await page.textContent('#office-naka h2'), /Naka Ward Office/);
  const row = '#office-naka tr[data-service="certificates"]';
  assert.match(await page.textContent(row), /Certificates/);
  assert.match(await page.textContent(row), /Not crowded/);
  assert.strictEqual(await page.getAttribute(row, 'data-level'), 'green');
  /* The legend says what the levels mean. */
  assert.match(await page.textContent('#legend'), /Not crowded.*under 20 min/);
  assert.match(await page.textContent('#legend'), /Crowded.*40 min or more/);
});

test('a long line shows as crowded, in the chosen language, after the refresh', async (t) => {
  const d = await t.daemon();
  /* Thirty people for moves, nobody serving yet: hours of waiting. */
  for (let i = 0; i < 30; i++) await d.issue('naka', 'B');
  const page = await t.page(PHONE);
  await page.goto(d.url + '/congestion');
  await page.click('nav.langs button:has-text("English")');
  const row = '#office-naka tr[data-service="moving"]';
  await page.waitForSelector(row);
  assert.strictEqual(await page.getAttribute(row, 'data-level'), 'red');
  const text = await page.textContent(row);
  assert.match(text, /Crowded/);
  assert.match(text, /30/);
  assert.match(text, /about \d+ min/);
  /* Another office is untouched. */
  assert.strictEqual(await page.getAttribute('#office-kita tr[data-service="moving"]', 'data-level'), 'green');
  /* Japanese is one click away, and remembered. */
  await page.click('nav.langs button:has-text("日本語")');
  assert.match(await page.textContent(row), /混んでいます/);
  await page.reload();
  await page.waitForSelector(row);
  assert.match(await page.textContent(row), /混んでいます/);
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'ja');
});

test('the congestion JSON is public and cacheable for a few seconds', async (t) => {
  const d = await t.daemon();
  const r = await d.request('GET', '/api/v1/offices/naka/congestion');
  assert.strictEqual(r.status, 200);
  assert.strictEqual(r.headers['cache-control'], 'public, max-age=5');
  const page = await t.page(PHONE);
  const seen = [];
  page.on('response', (res) => { if (res.url().includes('/congestion') && res.url().includes('/api/')) seen.push(res.status()); });
  await page.goto(d.url + '/congestion');
  await until(async () => seen.length >= 7, 'one request per office');
  assert.ok(seen.every((s) => s === 200));
});
