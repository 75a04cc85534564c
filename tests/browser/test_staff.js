/* /staff: the counter console in a real browser — sign in, call, start, transfer, finish, the
 * keyboard, two consoles calling at once, accessibility, and a screenshot to look at. */
'use strict';

const path = require('path');
const { test, until, assert, axeViolations, describeViolations } = require('./lib');

const DESK = { viewport: { width: 1100, height: 1000 } };
const SHOTS = process.env.MADOGUCHI_SCREENSHOTS || process.cwd();

async function signIn(page, d, token) {
  await page.goto(d.url + '/staff');
  await page.fill('#token', token);
  await page.click('#signin-button');
  await page.waitForSelector('#console:not([hidden])');
}

async function currentLabel(page) {
  return (await page.textContent('#current-label')).trim();
}

test('sign in, call next, start, transfer, finish — with the token kept out of the URL', async (t) => {
  const d = await t.daemon();
  const first = await d.issue('naka', 'A');
  await d.issue('naka', 'B');
  const token = d.token('counter', 'naka', 2);
  const page = await t.page(DESK);
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  await signIn(page, d, token);
  assert.match(await page.textContent('#who'), /中区役所 2番窓口/);
  await until(async () => (await page.$$('#queue-rows tr')).length === 2, 'two waiting in the queue');
  assert.match(await page.textContent('#queue-rows'), new RegExp(first.label));
  await page.click('#call');
  await until(async () => (await currentLabel(page)) === first.label, 'the first ticket is called');
  assert.match(await page.textContent('#message'), /をお呼びしました/);
  assert.strictEqual(await page.isDisabled('#call'), true, 'no second call while one is called');
  await page.screenshot({ path: path.join(SHOTS, 'staff.png'), fullPage: true });
  await page.click('#start');
  await until(async () => /応対中/.test(await page.textContent('#current-detail')), 'serving');
  await page.selectOption('#transfer-to', 'koseki');
  await page.click('#transfer-button');
  await until(async () => /転送しました/.test(await page.textContent('#message')), 'transferred');
  let r = await d.request('GET', '/api/v1/tickets/' + first.token);
  assert.strictEqual(r.json().state, 'waiting');
  assert.strictEqual(r.json().service, 'koseki');
  // B is next at counter 2 (A|B|H); the visit now waits at C.
  await page.click('#call');
  await until(async () => /^B-/.test(await currentLabel(page)), 'B called');
  await page.click('#start');
  await until(async () => !(await page.isDisabled('#done')), 'done enabled');
  await page.click('#done');
  await until(async () => (await currentLabel(page)) === '—', 'nothing at the counter');
  r = await d.request('GET', '/api/v1/offices/naka/queue', null, token);
  assert.deepStrictEqual(r.json().tickets.map((x) => x.label), [first.label]);
  // The token lives in this tab's sessionStorage, never in a URL.
  assert.strictEqual(await page.evaluate(() => JSON.parse(sessionStorage.getItem('madoguchi.staff')).token), token);
  assert.ok(urls.every((u) => !u.includes(token)), 'the token appeared in a URL');
  assert.ok(d.log.every((l) => !l.includes(token)), 'the token appeared in the daemon log');
});

test('every action has a key', async (t) => {
  const d = await t.daemon();
  const a = await d.issue('naka', 'A');
  const page = await t.page(DESK);
  await signIn(page, d, d.token('counter', 'naka', 1));
  await until(async () => (await page.$$('#queue-rows tr')).length === 1, 'one waiting');
  await page.keyboard.press('n');
  await until(async () => (await currentLabel(page)) === a.label, 'N calls');
  await page.keyboard.press('r');
  await until(async () => /再呼出 1回/.test(await page.textContent('#current-detail')), 'R recalls');
  await page.keyboard.press('x');
  await until(async () => (await currentLabel(page)) === '—', 'X marks no-show');
  assert.strictEqual((await d.request('GET', '/api/v1/tickets/' + a.token)).json().state, 'no_show');
  const b = await d.issue('naka', 'H');
  await page.keyboard.press('n');
  await until(async () => (await currentLabel(page)) === b.label, 'N calls again');
  await page.keyboard.press('s');
  await until(async () => /応対中/.test(await page.textContent('#current-detail')), 'S starts');
  await page.keyboard.press('t');
  assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'transfer-to');
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press('d');
  await until(async () => (await currentLabel(page)) === '—', 'D finishes');
  assert.strictEqual((await d.request('GET', '/api/v1/tickets/' + b.token)).json().state, 'done');
  await page.keyboard.press('p');
  await until(async () => /休止中/.test(await page.textContent('#counter-state')), 'P pauses');
  const c = await d.request('GET', '/api/v1/offices/naka/counters/1', null, d.token('counter', 'naka', 1));
  assert.strictEqual(c.json().state, 'paused');
  await page.keyboard.press('p');
  await until(async () => /受付中/.test(await page.textContent('#counter-state')), 'P resumes');
});

test('two consoles pressing call at the same moment get different tickets', async (t) => {
  const d = await t.daemon();
  for (let i = 0; i < 4; i++) await d.issue('naka', 'A');
  const one = await t.page(DESK);
  const two = await t.page(DESK);
  await signIn(one, d, d.token('counter', 'naka', 1));
  await signIn(two, d, d.token('counter', 'naka', 2));
  await until(async () => (await two.$$('#queue-rows tr')).length === 4, 'four waiting');
  await Promise.all([one.click('#call'), two.click('#call')]);
  await until(async () => (await currentLabel(one)) !== '—' && (await currentLabel(two)) !== '—', 'both called');
  const labels = [await currentLabel(one), await currentLabel(two)];
  assert.notStrictEqual(labels[0], labels[1], 'both consoles got ' + labels[0]);
  await until(async () => (await two.$$('#queue-rows tr')).length === 2, 'two left');
});

test('a wrong token is refused; signing out forgets the token', async (t) => {
  const d = await t.daemon();
  const page = await t.page(DESK);
  await page.goto(d.url + '/staff');
  await page.fill('#token', 'AAAAAAAAAAAAAAAAAAAAAA');
  await page.click('#signin-button');
  await page.waitForSelector('#signin-error:not([hidden])');
  assert.match(await page.textContent('#signin-error'), /正しくない/);
  await page.fill('#token', d.token('supervisor', 'naka'));
  await page.click('#signin-button');
  await until(async () => /窓口用ではありません/.test(await page.textContent('#signin-error')), 'supervisor refused');
  // A token for any counter asks which counter this is.
  await page.fill('#token', d.token('counter', 'naka'));
  await page.click('#signin-button');
  await page.waitForSelector('#counter-field:not([hidden])');
  await page.fill('#counter-choice', '3');
  await page.click('#signin-button');
  await page.waitForSelector('#console:not([hidden])');
  // The console shows at once; its heading is filled when the counter's state arrives.
  await until(async () => /3番窓口/.test(await page.textContent('#who')), 'counter 3 named');
  await page.click('#signout');
  await page.waitForSelector('#signin:not([hidden])');
  assert.strictEqual(await page.evaluate(() => sessionStorage.getItem('madoguchi.staff')), null);
});

test('no serious or critical accessibility violations', async (t) => {
  const d = await t.daemon();
  await d.issue('naka', 'A', { priority: 'elderly' });
  await d.issue('naka', 'B');
  const page = await t.page(DESK);
  await page.goto(d.url + '/staff');
  let v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
  await signIn(page, d, d.token('counter', 'naka', 2));
  await page.click('#call');
  await until(async () => (await currentLabel(page)) !== '—', 'called');
  v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
});
