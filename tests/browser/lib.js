/* Browser-test harness: a real madoguchid on 127.0.0.1 port 0 with its own SQLite file, tokens
 * made with madoguchictl, and Debian's Chromium driven headless by playwright-core.
 *
 *   const { test, startDaemon, launchBrowser } = require('./lib');
 *   test('the ticket page shows the number', async (t) => {
 *     const d = await t.daemon();              // stopped and removed after the test
 *     const page = await t.page();             // a fresh browser page (browser closed after)
 *     const ticket = await d.issue('naka', 'A');
 *     await page.goto(d.url + '/t/' + ticket.token);
 *     ...
 *   });
 *
 * Paths come from the environment meson sets (MADOGUCHID, MADOGUCHICTL); run through
 * `meson test --suite browser`. Reports TAP; the whole file is skipped when playwright-core is
 * not installed (`npm ci --prefix tests`). Never downloads a browser.
 */
'use strict';

const assert = require('assert');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const MADOGUCHID = process.env.MADOGUCHID || path.join(ROOT, 'build', 'daemon', 'madoguchid');
const MADOGUCHICTL = process.env.MADOGUCHICTL || path.join(ROOT, 'build', 'daemon', 'madoguchictl');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync'];

function playwright() {
  try {
    return require('playwright-core');
  } catch (e) {
    console.log('1..0 # SKIP playwright-core is not installed; run `npm ci --prefix tests`');
    process.exit(0);
  }
  return null;
}

/* One madoguchid with a fresh database in a temporary directory. */
class Daemon {
  constructor(options) {
    this.options = options || {};
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'madoguchi-browser-'));
    this.db = path.join(this.dir, 'madoguchi.db');
    this.tokens = new Map();
    this.log = [];
    this.proc = null;
    this.address = null;
  }

  /* listen: '127.0.0.1:0' (any port) unless restarting on the address it had. */
  start(listen) {
    const args = ['--listen', listen || '127.0.0.1:0', '--db', this.db].concat(this.options.args || ['--always-open']);
    if (this.options.config) args.push('--config', this.options.config);
    this.proc = spawn(MADOGUCHID, args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    return new Promise((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error('madoguchid did not start:\n' + this.log.join('\n'))), 20000);
      this.proc.stderr.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          this.log.push(line);
          if (this.address === null && line.startsWith('listening on ')) {
            this.address = line.slice('listening on '.length);
            clearTimeout(timer);
            resolve(this);
          }
        }
      });
      this.proc.on('exit', (code) => {
        clearTimeout(timer);
        if (this.address === null) reject(new Error('madoguchid exited ' + code + ':\n' + this.log.join('\n')));
      });
    });
  }

  get url() {
    return 'http://' + this.address;
  }

  ctl(...words) {
    return execFileSync(MADOGUCHICTL, ['--db', this.db].concat(words), { cwd: this.dir, encoding: 'utf8' });
  }

  /* A bearer token for a role at an office, made once per daemon. */
  token(role, office, counter) {
    const key = [role, office, counter || ''].join('/');
    if (!this.tokens.has(key)) {
      const words = ['token', 'add', '--role', role, '--office', office];
      if (counter) words.push('--counter', String(counter));
      this.tokens.set(key, this.ctl(...words).trim());
    }
    return this.tokens.get(key);
  }

  /* An HTTP request; resolves to { status, headers, body (string), json() }. */
  request(method, urlPath, body, token, headers) {
    return new Promise((resolve, reject) => {
      const data = body === undefined || body === null ? null : Buffer.from(JSON.stringify(body));
      const h = Object.assign({}, headers || {});
      if (data) h['Content-Type'] = 'application/json';
      if (token) h.Authorization = 'Bearer ' + token;
      const [host, port] = [this.address.slice(0, this.address.lastIndexOf(':')),
        Number(this.address.slice(this.address.lastIndexOf(':') + 1))];
      const req = http.request({ host, port, method, path: urlPath, headers: h }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, headers: res.headers, body: text, json: () => JSON.parse(text) });
        });
      });
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  async issue(office, service, extra) {
    const r = await this.request('POST', `/api/v1/offices/${office}/tickets`,
      Object.assign({ service }, extra || {}), this.token('kiosk', office));
    assert.strictEqual(r.status, 201, r.body);
    return r.json();
  }

  async call(office, counter) {
    const r = await this.request('POST', `/api/v1/offices/${office}/counters/${counter}/call`, null,
      this.token('counter', office));
    assert.ok(r.status === 200 || r.status === 204, r.body);
    return r.status === 200 ? r.json() : null;
  }

  async act(office, id, action, body) {
    const r = await this.request('POST', `/api/v1/offices/${office}/tickets/${id}/${action}`, body || null,
      this.token('counter', office));
    assert.ok(r.status === 200 || r.status === 201, r.body);
    return r.json();
  }

  async counter(office, n, state, services) {
    const body = {};
    if (state) body.state = state;
    if (services) body.services = services;
    const r = await this.request('PUT', `/api/v1/offices/${office}/counters/${n}`, body, this.token('counter', office));
    assert.strictEqual(r.status, 200, r.body);
    return r.json();
  }

  /* Stops the daemon (SIGTERM) and starts it again on the same address and database, as an
   * operator restarting it would; pages already open see their connections drop. */
  async restart() {
    const address = this.address;
    const code = await this.stop();
    assert.strictEqual(code, 0, 'madoguchid exited ' + code + ' on SIGTERM');
    this.address = null;
    await this.start(address);
    return this;
  }

  stop() {
    return new Promise((resolve) => {
      if (!this.proc || this.proc.exitCode !== null) {
        resolve(this.proc ? this.proc.exitCode : null);
        return;
      }
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
      this.proc.on('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.proc.kill('SIGTERM');
    });
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function startDaemon(options) {
  return new Daemon(options).start();
}

async function launchBrowser(extraArgs) {
  return playwright().chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS.concat(extraArgs || []),
  });
}

/* Runs axe-core in the page: the WCAG 2.0/2.1/2.2 A and AA rules; returns the serious and
 * critical violations ([] when clean). Injected through the debugger, so the page's CSP stays on. */
async function axeViolations(page, context) {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const result = await page.evaluate((ctx) => window.axe.run(ctx || document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  }), context || null);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

function describeViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => '    ' + n.target.join(' ') + ' — ' + n.failureSummary.replace(/\n/g, ' ')).join('\n'))
    .join('\n');
}

/* Waits until fn() is truthy (polling); throws with message after timeout ms. */
async function until(fn, message, timeout) {
  const end = Date.now() + (timeout || 10000);
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out: ' + message);
}

/* A minimal runner printing TAP: each test gets t.daemon() and t.page(), cleaned up after. */
const tests = [];

function test(name, fn) {
  tests.push({ name, fn });
}

async function runAll() {
  let failed = 0;
  let browser = null;
  console.log('1..' + tests.length);
  for (let i = 0; i < tests.length; i++) {
    const { name, fn } = tests[i];
    const daemons = [];
    const contexts = [];
    const t = {
      daemon: async (options) => {
        const d = await startDaemon(options);
        daemons.push(d);
        return d;
      },
      context: async (options) => {
        if (!browser) browser = await launchBrowser();
        const c = await browser.newContext(options || {});
        contexts.push(c);
        return c;
      },
      page: async (options) => (await t.context(options)).newPage(),
    };
    try {
      await fn(t);
      console.log(`ok ${i + 1} - ${name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i + 1} - ${name}`);
      console.log(String(e && e.stack ? e.stack : e).split('\n').map((l) => '# ' + l).join('\n'));
      daemons.forEach((d) => console.log('# daemon log:\n' + d.log.map((l) => '#   ' + l).join('\n')));
    }
    for (const c of contexts) await c.close().catch(() => {});
    for (const d of daemons) {
      const code = await d.stop();
      if (code !== 0) {
        failed++;
        console.log(`# madoguchid exited ${code}:\n` + d.log.join('\n'));
      }
      d.remove();
    }
  }
  if (browser) await browser.close();
  process.exit(failed ? 1 : 0);
}

/* Tests are registered synchronously by the script, then run once it has loaded. */
setImmediate(() => {
  playwright();
  runAll().catch((e) => {
    console.log('# ' + e.stack);
    process.exit(1);
  });
});

module.exports = { test, startDaemon, launchBrowser, axeViolations, describeViolations, until, assert, Daemon };
