/* /t/{token}: a resident's phone page. */
'use strict';

const { test, until, assert } = require('./lib');

const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

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
  assert.match(await page.textContent('#wait'), /about \d+ min/);
  assert.match(await page.textContent('#office'), /Naka Ward Office/);
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'en');
});

test('the call appears without reload: your turn, go to counter N', async (t) => {
  const d = await t.daemon();
  const tk = await d.issue('naka', 'A', { lang: 'ja' });
  const page = await t.page(PHONE);
  await page.goto(d.url + '/t/' + tk.token);
  await page.waitForSelector('#ticket:not([hidden])');
  assert.ok(await page.isHidden('#called'));
  await page.evaluate(() => { window.notReloaded = true; });
  const called = await d.call('naka', 2);
  assert.strictEqual(called.label, tk.label);
  await page.waitForSelector('#called:not([hidden])', { timeout: 30000 });
  assert.match(await page.textContent('#called'), /2番窓口へお越しください/);
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
