/* Every public page, checked with axe-core in Chromium against WCAG 2.0, 2.1 and 2.2 A and AA:
 * no serious or critical violation — as it loads, at 200 % zoom, and with text at 200 %.
 * At 200 % zoom a page must still fit its width (no sideways scrolling) and keep its
 * controls reachable. */
'use strict';

const { test, until, assert, axeViolations, describeViolations } = require('./lib');

/* A 1280 × 720 screen at 200 % zoom is a 640 × 360 page drawn at twice the scale. */
const NORMAL = { viewport: { width: 1280, height: 720 } };
const ZOOM_200 = { viewport: { width: 640, height: 360 }, deviceScaleFactor: 2 };
const PHONE = { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/* A reservation to look at: the first free slot for B in the next weeks. */
async function reservation(d) {
  const day = new Date();
  for (let i = 1; i < 30; i++) {
    const date = new Date(day.getTime() + i * 86400000).toISOString().slice(0, 10);
    const r = await d.request('GET', `/api/v1/offices/naka/slots?service=B&date=${date}`);
    if (r.status !== 200) continue;
    const free = r.json().find((s) => s.free > 0);
    if (!free) continue;
    const b = await d.request('POST', '/api/v1/reservations', { office: 'naka', service: 'B', start: free.start });
    assert.strictEqual(b.status, 201, b.body);
    return b.json().token;
  }
  throw new Error('no free reservation slot in the next 30 days');
}

/* The public pages, each with what to wait for before checking it. */
async function pages(d) {
  const called = await d.issue('naka', 'H', { lang: 'zh' });
  await d.call('naka', 1);
  await d.issue('naka', 'A', { lang: 'en' });
  const waiting = await d.issue('naka', 'A', { lang: 'vi' });
  return [
    { name: 'ticket (waiting)', path: '/t/' + waiting.token, ready: '#ticket:not([hidden])' },
    { name: 'ticket (called)', path: '/t/' + called.token, ready: '#called:not([hidden])' },
    { name: 'board', path: '/board/naka', ready: '#now li' },
    { name: 'congestion', path: '/congestion', ready: '#office-mihara table' },
    { name: 'home', path: '/', ready: '#office-mihara table' },
    { name: 'book', path: '/book', ready: 'main' },
    { name: 'reservation', path: '/r/' + (await reservation(d)), ready: 'main' },
  ];
}

async function check(page, url, p, label) {
  await page.goto(url + p.path);
  await page.waitForSelector(p.ready, { timeout: 15000 });
  await page.waitForTimeout(300);
  const v = await axeViolations(page);
  assert.deepStrictEqual(v.map((x) => x.id), [], `${p.name} (${label}):\n${describeViolations(v)}`);
}

/* Nothing sticks out sideways. (Target sizes, WCAG 2.5.8, are axe's target-size rule.) */
async function fits(page, p, label) {
  const r = await page.evaluate(() => {
    const doc = document.scrollingElement;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const b = el.getBoundingClientRect();
      if (b.width > 0 && b.right > doc.clientWidth + 1 && getComputedStyle(el).position !== 'absolute') {
        wide.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + Math.round(b.right));
      }
    }
    return { scroll: doc.scrollWidth, width: doc.clientWidth, wide: wide.slice(0, 5) };
  });
  assert.ok(r.scroll <= r.width + 1, `${p.name} (${label}) scrolls sideways: ${r.scroll} > ${r.width}; ${r.wide.join(', ')}`);
}

test('every public page passes axe (WCAG 2.2 AA) as it loads', async (t) => {
  const d = await t.daemon();
  const list = await pages(d);
  const page = await t.page(NORMAL);
  for (const p of list) await check(page, d.url, p, 'desktop');
  const phone = await t.page(PHONE);
  for (const p of list) await check(phone, d.url, p, 'phone');
});

test('every public page works at 200 % zoom', async (t) => {
  const d = await t.daemon();
  const list = await pages(d);
  const page = await t.page(ZOOM_200);
  for (const p of list) {
    await check(page, d.url, p, '200 % zoom');
    await fits(page, p, '200 % zoom');
  }
});

test('every public page works with text at 200 %', async (t) => {
  const d = await t.daemon();
  const list = await pages(d);
  /* The user's larger default font, as a browser setting would give it: rem and em grow. */
  const context = await t.context(Object.assign({ bypassCSP: true }, PHONE));
  await context.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      const s = document.createElement('style');
      s.textContent = 'html { font-size: 200% !important; }';
      document.head.appendChild(s);
    });
  });
  const page = await context.newPage();
  for (const p of list) {
    await check(page, d.url, p, 'text 200 %');
    await fits(page, p, 'text 200 %');
  }
  /* The ticket's essentials are still there to read and to press. */
  await page.goto(d.url + list[0].path);
  await page.waitForSelector('#leave:not([hidden])');
  await page.locator('#leave').scrollIntoViewIfNeeded();
  assert.ok(await page.isVisible('#leave'));
  await until(async () => /\d/.test(await page.textContent('#wait')), 'the wait is shown');
});
