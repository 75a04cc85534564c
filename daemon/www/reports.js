/* /reports: supervisors' wait-time reports. The charts are SVG drawn by the daemon; this page
 * only asks for them with the supervisor token (in sessionStorage and the Authorization
 * header, never in a URL) and places them in the page. */
'use strict';

(function () {
  var M = Madoguchi;
  var el = M.el;
  var STORE = 'madoguchi.reports';
  var LIVE_MS = 15000;
  var CHARTS = ['wait-by-hour', 'heatmap', 'service-level'];
  var STATE_NAMES = { open: '受付中', paused: '休止中', closed: '閉鎖中' };
  var COLUMNS = [
    ['date', '日付'], ['hour', '時'], ['service_name', '手続'], ['arrivals', '来庁'], ['served', '応対完了'],
    ['no_shows', '不在'], ['cancellations', '取消'], ['calls', '呼出'], ['within_target_pct', '目標内 %'],
    ['wait_p50_min', '待ち 中央値（分）'], ['wait_p90_min', '待ち 90%点（分）'], ['wait_max_min', '待ち 最大（分）'],
    ['service_mean_min', '応対 平均（分）'], ['counter_hours', '窓口 開設（時間）']
  ];

  var session = null;   /* { token, offices: [codes] } */
  var liveTimer = null;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || 'null'); } catch (e) { return null; }
  }

  function save(s) {
    try {
      if (s) sessionStorage.setItem(STORE, JSON.stringify(s)); else sessionStorage.removeItem(STORE);
    } catch (e) { /* storage off: the session lasts as long as the page */ }
  }

  /* A GET with the token; resolves to the Response when it is 2xx. */
  function get(path, token) {
    return fetch('/api/v1' + path, {
      headers: { 'Authorization': 'Bearer ' + (token || session.token) }, cache: 'no-store'
    }).then(function (r) {
      if (r.ok) return r;
      return r.json().catch(function () { return {}; }).then(function (j) {
        var err = new Error(j.detail || ('HTTP ' + r.status));
        err.status = r.status;
        throw err;
      });
    });
  }

  function getJSON(path, token) {
    return get(path, token).then(function (r) { return r.json(); });
  }

  function say(text) {
    el('message').textContent = text;
  }

  function dateText(d) {
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
  }

  function fill(select, items, keep) {
    var old = keep ? select.value : null;
    select.textContent = '';
    items.forEach(function (it) {
      var opt = document.createElement('option');
      opt.value = it[0];
      opt.textContent = it[1];
      select.appendChild(opt);
    });
    if (old && items.some(function (it) { return it[0] === old; })) select.value = old;
  }

  /* --- sign in --- */

  function signinError(text) {
    el('signin-error').textContent = text;
    el('signin-error').hidden = !text;
  }

  function onSignin(ev) {
    ev.preventDefault();
    signinError('');
    var token = el('token').value.trim();
    if (!token) {
      signinError('トークンを入力してください。');
      return;
    }
    getJSON('/whoami', token).then(function (who) {
      if (who.role !== 'supervisor' && who.role !== 'admin') {
        signinError('このトークンではレポートを見られません（' + who.role + '）。監督者用のトークンが必要です。');
        return;
      }
      session = { token: token, office: who.office };
      save(session);
      el('token').value = '';
      start();
    }).catch(function (e) {
      signinError(e.status === 401 ? 'トークンが正しくないか、無効になっています。' : 'サインインできません: ' + e.message);
    });
  }

  function signOut() {
    save(null);
    session = null;
    if (liveTimer) clearInterval(liveTimer);
    liveTimer = null;
    el('view').hidden = true;
    el('signout').hidden = true;
    el('who').hidden = true;
    el('signin').hidden = false;
    el('token').focus();
  }

  /* --- the report --- */

  function office() {
    return el('office').value;
  }

  function query(extra) {
    var q = new URLSearchParams({ from: el('from').value, to: el('to').value, by: el('by').value });
    if (el('service').value) q.set('service', el('service').value);
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }

  function cellText(row, key) {
    var v = row[key];
    if (v === null) return '—';
    if (v === undefined) return '';
    return String(v);
  }

  function renderRows(report) {
    var cols = COLUMNS.filter(function (c) {
      return report.rows.length === 0 ? c[0] !== 'date' && c[0] !== 'hour' : report.rows[0][c[0]] !== undefined;
    });
    var head = el('rows-head');
    var body = el('rows-body');
    head.textContent = '';
    body.textContent = '';
    var tr = document.createElement('tr');
    cols.forEach(function (c) {
      var th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c[1];
      tr.appendChild(th);
    });
    head.appendChild(tr);
    report.rows.forEach(function (row) {
      var r = document.createElement('tr');
      cols.forEach(function (c, i) {
        var cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) cell.scope = 'row';
        cell.textContent = cellText(row, c[0]);
        r.appendChild(cell);
      });
      body.appendChild(r);
    });
    var t = report.total;
    el('total').textContent = '期間の合計: 来庁 ' + t.arrivals + '人、呼出 ' + t.calls + '人、目標時間内 ' +
      (t.within_target_pct === null ? '—' : t.within_target_pct + '%') + '（目標 ' + report.target_share + '%）、待ち 90%点 ' +
      (t.wait_p90_min === null ? '—' : t.wait_p90_min + '分') + '。';
  }

  function renderBottlenecks(list) {
    var ul = el('bottlenecks');
    ul.textContent = '';
    if (list.length === 0) {
      var li = document.createElement('li');
      li.textContent = 'この期間、目標を下回った手続はありません（呼出が5件以上の手続について）。';
      ul.appendChild(li);
    }
    list.forEach(function (b) {
      var li = document.createElement('li');
      li.textContent = b.text.ja;
      ul.appendChild(li);
    });
  }

  /* The daemon's SVG, parsed and placed as real SVG (its title and description stay readable). */
  function renderChart(name, text) {
    var doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    var box = el('chart-' + name);
    box.textContent = '';
    if (doc.documentElement.nodeName !== 'svg') {
      box.textContent = 'グラフを表示できません。';
      return;
    }
    box.appendChild(document.importNode(doc.documentElement, true));
  }

  function show() {
    var path = '/offices/' + encodeURIComponent(office());
    say('読み込み中…');
    var report = getJSON(path + '/reports/waits?' + query()).then(function (r) {
      renderBottlenecks(r.bottlenecks);
      renderRows(r);
    });
    var charts = CHARTS.map(function (name) {
      return get(path + '/reports/charts/' + name + '.svg?' + query()).then(function (r) { return r.text(); })
        .then(function (text) { renderChart(name, text); });
    });
    return Promise.all([report].concat(charts)).then(function () {
      say(el('from').value + ' 〜 ' + el('to').value + ' のレポートを表示しています。');
    }).catch(function (e) {
      if (e.status === 401) signOut();
      say('表示できません: ' + e.message);
    });
  }

  function downloadCsv() {
    get('/offices/' + encodeURIComponent(office()) + '/reports/waits?' + query({ format: 'csv' })).then(function (r) {
      var disposition = r.headers.get('Content-Disposition') || '';
      var m = /filename="([^"]+)"/.exec(disposition);
      return r.blob().then(function (blob) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = m ? m[1] : 'madoguchi-waits.csv';
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        say('CSV（' + a.download + '）をダウンロードしました。');
      });
    }).catch(function (e) {
      say('CSV を作れません: ' + e.message);
    });
  }

  /* --- the live view --- */

  function row(cells) {
    var tr = document.createElement('tr');
    cells.forEach(function (text, i) {
      var cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      cell.textContent = text;
      tr.appendChild(cell);
    });
    return tr;
  }

  function renderLive(live) {
    var q = el('live-queues-body');
    var c = el('live-counters-body');
    var beyond = el('live-beyond');
    var names = {};
    q.textContent = '';
    c.textContent = '';
    beyond.textContent = '';
    live.services.forEach(function (s) {
      names[s.letter] = M.name(s.name);
      var tr = row([s.letter + ' ' + M.name(s.name), s.waiting + '人', s.longest_wait_min + '分',
        s.beyond_target + '人', s.counters_open + '']);
      if (s.beyond_target > 0) tr.className = 'late';
      q.appendChild(tr);
    });
    live.counters.forEach(function (k) {
      c.appendChild(row([k.number + '番', STATE_NAMES[k.state] || k.state,
        k.services.split('').join('・'), k.current ? k.current.label + '（' + k.current.state + '）' : '—']));
    });
    live.beyond_target.forEach(function (t) {
      var li = document.createElement('li');
      li.textContent = t.label + ' ' + (names[t.letter] || t.letter) + ' ' + t.waited_min + '分' +
        (t.priority ? '（優先）' : '');
      beyond.appendChild(li);
    });
    if (live.beyond_target.length === 0) {
      var li = document.createElement('li');
      li.textContent = 'いません。';
      beyond.appendChild(li);
    }
    el('live-updated').textContent = M.hhmm() + ' 更新（15秒ごと）';
  }

  function refreshLive() {
    if (!session) return Promise.resolve();
    return getJSON('/offices/' + encodeURIComponent(office()) + '/live').then(renderLive).catch(function (e) {
      el('live-updated').textContent = 'いまの窓口を読み込めません: ' + e.message;
    });
  }

  function loadServices() {
    return M.getJSON('/api/v1/offices/' + encodeURIComponent(office())).then(function (o) {
      fill(el('service'), [['', 'すべて']].concat(o.services.map(function (s) {
        return [s.code, s.letter + ' ' + M.name(s.name)];
      })), true);
      el('who').textContent = M.name(o.name) + '（' + (session.office === '*' ? '市全体の監督者' : '監督者') + '）';
    });
  }

  function start() {
    el('signin').hidden = true;
    el('view').hidden = false;
    el('signout').hidden = false;
    el('who').hidden = false;
    var today = new Date();
    var week = new Date(today.getTime() - 6 * 86400000);
    if (!el('to').value) el('to').value = dateText(today);
    if (!el('from').value) el('from').value = dateText(week);
    var offices = session.office === '*'
      ? M.getJSON('/api/v1/offices').then(function (list) {
        return list.map(function (o) { return [o.code, M.name(o.name)]; });
      })
      : Promise.resolve([[session.office, session.office]]);
    offices.then(function (list) {
      fill(el('office'), list, true);
      el('office').disabled = list.length < 2;
      return loadServices();
    }).then(function () {
      refreshLive();
      return show();
    }).catch(function (e) {
      say('読み込めません: ' + e.message);
    });
    if (!liveTimer) liveTimer = setInterval(refreshLive, LIVE_MS);
  }

  function init() {
    M.setLang('ja', false);
    el('signin').addEventListener('submit', onSignin);
    el('signout').addEventListener('click', signOut);
    el('query').addEventListener('submit', function (ev) {
      ev.preventDefault();
      show();
    });
    el('office').addEventListener('change', function () {
      loadServices().then(function () { refreshLive(); show(); });
    });
    el('csv').addEventListener('click', downloadCsv);
    session = load();
    if (session && session.token) start(); else signOut();
  }

  document.addEventListener('DOMContentLoaded', init);
}());
