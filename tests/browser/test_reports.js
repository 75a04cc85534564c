/* /reports: a supervisor signs in and reads imported history — charts drawn by the daemon,
 * bottlenecks in words, the table, the live view; role refusals; accessibility; a screenshot. */
'use strict';

const fs = require('fs');
const path = require('path');
const { test, until, assert, axeViolations, describeViolations } = require('./lib');

const DESK = { viewport: { width: 1200, height: 1000 } };
const SHOTS = process.env.MADOGUCHI_SCREENSHOTS || process.cwd();

/* A week of naka's history: A is quick, B (moving) keeps people waiting at midday. */
function history() {
  let seed = 42;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const rows = [];
  const at = (day, minutes, seconds) => {
    const t = new Date(Date.UTC(2025, 5, 2 + day, 0, 0, 0) - 9 * 3600 * 1000 + (minutes * 60 + seconds) * 1000);
    return t;
  };
  const iso = (t) => new Date(t.getTime() + 9 * 3600 * 1000).toISOString().replace('.000Z', '+09:00');
  const add = (t, service, ticket, event, counter) => rows.push([t, [iso(t), 'naka', service, ticket, event,
    counter === undefined ? '' : String(counter)].join(',')]);
  for (const day of [0, 1, 2, 3, 4]) {
    add(at(day, 525, 0), '"A|H"', '', 'counter_open', 1);
    add(at(day, 525, 0), '"A|B|H"', '', 'counter_open', 2);
    add(at(day, 1035, 0), '"A|H"', '', 'counter_close', 1);
    add(at(day, 1035, 0), '"A|B|H"', '', 'counter_close', 2);
    for (const [letter, n] of [['A', 40], ['B', 25]]) {
      for (let i = 1; i <= n; i++) {
        const label = `${letter}-${String(i).padStart(3, '0')}`;
        const issued = at(day, 530 + rnd(420), rnd(60));
        const midday = issued.getUTCHours() + 9 >= 11 && issued.getUTCHours() + 9 < 14;
        const wait = letter === 'A' ? 60 + rnd(600) : (midday ? 1200 + rnd(2400) : 120 + rnd(900));
        const called = new Date(issued.getTime() + wait * 1000);
        const serving = new Date(called.getTime() + 30000);
        const done = new Date(serving.getTime() + (300 + rnd(900)) * 1000);
        add(issued, letter, label, 'issued');
        add(called, letter, label, 'called', 2);
        add(serving, letter, label, 'serving', 2);
        add(done, letter, label, 'done', 2);
      }
    }
  }
  rows.sort((a, b) => a[0] - b[0]);
  return 'ts,office,service,ticket,event,counter\n' + rows.map((r) => r[1]).join('\n') + '\n';
}

async function withHistory(t) {
  const d = await t.daemon();
  const file = path.join(d.dir, 'history.csv');
  fs.writeFileSync(file, history());
  d.ctl('import', '--events', file);
  return d;
}

async function signIn(page, d, token) {
  await page.goto(d.url + '/reports');
  await page.fill('#token', token);
  await page.click('#signin button[type=submit]');
}

async function showWeek(page, office) {
  await page.waitForSelector('#view:not([hidden])');
  if (office) {
    await until(async () => (await page.$$('#office option')).length > 1, 'the offices are listed');
    await page.selectOption('#office', office);
  }
  await page.fill('#from', '2025-06-02');
  await page.fill('#to', '2025-06-08');
  await page.click('#query button[type=submit]');
  await until(async () => /2025-06-02 〜 2025-06-08/.test(await page.textContent('#message')), 'the week is shown');
}

test('the reports page renders its charts, bottlenecks and table', async (t) => {
  const d = await withHistory(t);
  const page = await t.page(DESK);
  const token = d.token('supervisor', 'naka');
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  await signIn(page, d, token);
  await showWeek(page);
  for (const name of ['wait-by-hour', 'heatmap', 'service-level']) {
    const svg = await page.$(`#chart-${name} svg`);
    assert.ok(svg, name + ' has no SVG');
    assert.ok(await page.$(`#chart-${name} svg title`), name + ' has no title');
    const box = await svg.boundingBox();
    assert.ok(box.width > 300 && box.height > 150, name + ' is not drawn: ' + JSON.stringify(box));
  }
  assert.ok((await page.$$('#chart-heatmap svg rect')).length > 20, 'the heat map has cells');
  assert.match(await page.textContent('#bottlenecks'), /転入・転出・転居（B）/);
  assert.ok((await page.$$('#rows-body tr')).length >= 10, 'a row per day and procedure');
  assert.match(await page.textContent('#total'), /来庁 325人/);
  await until(async () => (await page.$$('#live-counters-body tr')).length === 6, 'six counters live');
  assert.ok(urls.every((u) => !u.includes(token)), 'the token appeared in a URL');
  await page.screenshot({ path: path.join(SHOTS, 'reports.png'), fullPage: true });
});

test('CSV download is UTF-8 with a BOM', async (t) => {
  const d = await withHistory(t);
  const page = await t.page(Object.assign({ acceptDownloads: true }, DESK));
  await signIn(page, d, d.token('supervisor', '*'));
  await showWeek(page, 'naka');
  assert.strictEqual(await page.isDisabled('#office'), false, 'a city-wide supervisor chooses the office');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  assert.match(download.suggestedFilename(), /^madoguchi-waits-naka-by-day-2025-06-02-2025-06-08\.csv$/);
  const bytes = fs.readFileSync(await download.path());
  assert.deepStrictEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(bytes.toString('utf8'), /中区役所/);
});

test('counter tokens cannot read reports', async (t) => {
  const d = await t.daemon();
  const page = await t.page(DESK);
  await signIn(page, d, d.token('counter', 'naka'));
  await page.waitForSelector('#signin-error:not([hidden])');
  assert.match(await page.textContent('#signin-error'), /監督者用のトークンが必要/);
  assert.ok(await page.isHidden('#view'));
});

test('no serious or critical accessibility violations', async (t) => {
  const d = await withHistory(t);
  const page = await t.page(DESK);
  await page.goto(d.url + '/reports');
  let v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
  await signIn(page, d, d.token('supervisor', 'naka'));
  await showWeek(page);
  v = await axeViolations(page);
  assert.deepStrictEqual(v, [], describeViolations(v));
});
