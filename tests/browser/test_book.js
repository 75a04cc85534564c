/* /book and /r/{token}: a resident books a visit on a phone in headless Chromium, reads the code,
 * scans the QR code (zbarimg decodes a screenshot of it), views and cancels the reservation. */
'use strict';

const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { test, until, assert, axeViolations, describeViolations } = require('./lib');

const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/* Office, procedure, the first day with a free seat, its first free time — by tapping. */
async function chooseFirstFree(page, officeCode, serviceCode) {
  await page.click(`label[for="office-${officeCode}"]`);
  await page.waitForSelector(`#service-${serviceCode}`, { state: 'attached' });
  await page.click(`label[for="service-${serviceCode}"]`);
  await page.waitForSelector('#dates input:not([disabled])', { state: 'attached' });
  const date = await page.$eval('#dates input:not([disabled])', (i) => i.value);
  await page.click(`#dates input[value="${date}"] + label`);
  await page.waitForSelector('#slots input:not([disabled])', { state: 'attached' });
  const start = await page.$eval('#slots input:not([disabled])', (i) => i.value);
  await page.click(`#slots input[value="${start}"] + label`);
  await page.waitForSelector('#confirm-step:not([hidden])');
  return { date, start };
}

function decodeQr(png) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'madoguchi-qr-')), 'qr.png');
  fs.writeFileSync(file, png);
  try {
    return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

test('books a visit on a phone and shows the code and a QR code of the reservation URL', async (t) => {
  const d = await t.daemon();
  const page = await t.page(PHONE);
  await page.goto(d.url + '/book?lang=ja');
  await page.waitForSelector('#offices input', { state: 'attached' });
  assert.strictEqual(await page.textContent('h1'), '来庁予約');
  const { start } = await chooseFirstFree(page, 'naka', 'moving');
  assert.match(await page.textContent('#summary'), /中区役所・転入・転出・転居・/);
  await page.click('#book');
  await page.waitForSelector('#result:not([hidden])');
  assert.ok(await page.isHidden('#form'));

  const shown = (await page.textContent('#code')).trim();
  assert.match(shown, /^[23456789ABCDEFGHJKMNPQRSTWXYZ]{3}-[23456789ABCDEFGHJKMNPQRSTWXYZ]{3}$/);
  const href = await page.getAttribute('#view-link', 'href');
  const token = decodeURIComponent(href.replace(/^\/r\//, ''));
  const r = await d.request('GET', '/api/v1/reservations/' + token);
  assert.strictEqual(r.status, 200, r.body);
  const rsv = r.json();
  assert.strictEqual(rsv.code, shown.replace('-', ''));
  assert.strictEqual(rsv.start, start);
  assert.strictEqual(rsv.state, 'booked');
  assert.strictEqual(rsv.lang, 'ja');
  assert.match(await page.textContent('#checkin'), new RegExp(rsv.checkin_from.slice(11, 16) + '〜' +
    rsv.checkin_until.slice(11, 16)));

  // The QR code is loaded, and a real decoder reads the reservation's own URL from it.
  await until(() => page.$eval('#qr', (img) => img.complete && img.naturalWidth > 0), 'QR image loaded');
  const png = await page.locator('#qr').screenshot();
  assert.strictEqual(decodeQr(png), d.url + '/r/' + token);

  // Phone-friendly: nothing wider than the screen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
    'the page scrolls sideways on a phone');
});

test('English, a full time is not offered, and the seats shown are the seats left', async (t) => {
  const d = await t.daemon();
  // Fill the first bookable moving slot of the first bookable day (capacity 2 at naka) by the API.
  const days = (await d.request('GET', '/api/v1/offices/naka/slot-days?service=moving')).json();
  const day = days.find((x) => x.free > 0);
  const slots = (await d.request('GET', `/api/v1/offices/naka/slots?service=moving&date=${day.date}`)).json();
  const first = slots.find((s) => s.free > 0);
  for (let i = 0; i < first.capacity; i++) {
    const r = await d.request('POST', '/api/v1/reservations', { office: 'naka', service: 'moving', start: first.start });
    assert.strictEqual(r.status, 201, r.body);
  }
  const second = slots.filter((s) => s.free > 0)[1];
  await d.request('POST', '/api/v1/reservations', { office: 'naka', service: 'moving', start: second.start });

  const page = await t.page(PHONE);
  await page.goto(d.url + '/book?lang=en&office=naka&service=moving');
  await page.waitForSelector(`#dates input[value="${day.date}"]`, { state: 'attached' });
  assert.strictEqual(await page.textContent('h1'), 'Book a visit');
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'en');
  assert.ok(await page.$eval('#office-naka', (i) => i.checked), 'office preselected from ?office=');
  await page.click(`#dates input[value="${day.date}"] + label`);
  await page.waitForSelector('#slots input', { state: 'attached' });
  const full = await page.$(`#slots input[value="${first.start}"]`);
  assert.ok(await full.isDisabled(), 'a full time can be chosen');
  assert.match(await page.textContent(`#slots input[value="${first.start}"] + label`), /Full/);
  assert.match(await page.textContent(`#slots input[value="${second.start}"] + label`),
    new RegExp((second.capacity - 1) + ' free'));
});

test('a slot filled while choosing says so and offers the times again', async (t) => {
  const d = await t.daemon();
  const page = await t.page(PHONE);
  await page.goto(d.url + '/book?lang=en');
  await page.waitForSelector('#offices input', { state: 'attached' });
  const { start } = await chooseFirstFree(page, 'naka', 'okuyami');
  // Someone else takes the last seat first (おくやみ: one a slot at naka).
  const r = await d.request('POST', '/api/v1/reservations', { office: 'naka', service: 'okuyami', start });
  assert.strictEqual(r.status, 201, r.body);
  await page.click('#book');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /just filled up/);
  await until(() => page.$eval(`#slots input[value="${start}"]`, (i) => i.disabled), 'the full time disabled');
  assert.ok(await page.isHidden('#result'));
});

test('/r/{token} shows the reservation and cancels it', async (t) => {
  const d = await t.daemon();
  const days = (await d.request('GET', '/api/v1/offices/kita/slot-days?service=H')).json();
  const slots = (await d.request('GET', `/api/v1/offices/kita/slots?service=H&date=${days[0].date}`)).json();
  const start = slots.find((s) => s.free > 0).start;
  const booked = (await d.request('POST', '/api/v1/reservations',
    { office: 'kita', service: 'H', start, lang: 'en' })).json();
  const page = await t.page(PHONE);
  await page.goto(d.url + '/r/' + booked.token);
  await page.waitForSelector('#reservation:not([hidden])');
  assert.strictEqual(await page.getAttribute('html', 'lang'), 'en');  // the reservation's language
  assert.strictEqual((await page.textContent('#code')).replace('-', ''), booked.code);
  assert.match(await page.textContent('#where'), /Kita Ward Office/);
  assert.match(await page.textContent('#service'), /My Number Card/);
  assert.match(await page.textContent('#state'), /Booked/);
  await page.click('#cancel');
  await page.click('#confirm-yes');
  await until(async () => /cancelled/.test(await page.textContent('#news')), 'cancellation shown');
  assert.match(await page.textContent('#state'), /Cancelled/);
  assert.ok(await page.isHidden('#cancel'));
  assert.strictEqual((await d.request('GET', '/api/v1/reservations/' + booked.token)).json().state, 'cancelled');
  // An unknown token says not found.
  await page.goto(d.url + '/r/' + 'A'.repeat(22) + '?lang=en');
  await page.waitForSelector('#error:not([hidden])');
  assert.match(await page.textContent('#error'), /not found/);
});

test('the booking page passes WCAG A/AA checks at each step', async (t) => {
  const d = await t.daemon();
  const page = await t.page(PHONE);
  await page.goto(d.url + '/book?lang=ja');
  await page.waitForSelector('#offices input', { state: 'attached' });
  let v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
  await chooseFirstFree(page, 'sakai', 'moving');
  v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
  await page.click('#book');
  await page.waitForSelector('#result:not([hidden])');
  v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
  // Keyboard: the result heading takes the focus so a screen reader announces it.
  assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'result-title');
});
