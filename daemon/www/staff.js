/* /staff: the counter console. The counter token stays in this tab's sessionStorage and goes
 * out only in the Authorization header — never in a URL, so never in a log or a Referer. */
'use strict';

(function () {
  var M = Madoguchi;
  var el = M.el;
  var STORE = 'madoguchi.staff';
  var REFRESH_MS = 5000;
  var STATE_NAMES = { open: '受付中', paused: '休止中', closed: '閉鎖中' };
  var TICKET_STATES = { waiting: '待ち', called: '呼出中', serving: '応対中' };
  var PRIORITY = { pregnant: '妊娠中', elderly: '高齢', disabled: '障がい', accompanied: '同伴者', other: '優先' };

  var session = null;      /* { token, office, counter } */
  var pending = null;      /* whoami while the sign-in asks for office or counter */
  var office = null;       /* GET /offices/{office} */
  var counter = null;      /* GET /offices/{office}/counters/{n} */
  var busy = false;
  var timer = null;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || 'null'); } catch (e) { return null; }
  }

  function save(s) {
    try {
      if (s) sessionStorage.setItem(STORE, JSON.stringify(s)); else sessionStorage.removeItem(STORE);
    } catch (e) { /* storage off: the session lasts as long as the page */ }
  }

  /* One API call with the token; resolves to the JSON body (null for 204), rejects with the
   * problem's detail. */
  function api(method, path, body, token) {
    var headers = { 'Accept': 'application/json', 'Authorization': 'Bearer ' + (token || session.token) };
    var opts = { method: method, headers: headers, cache: 'no-store' };
    if (body) {
      headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch('/api/v1' + path, opts).then(function (r) {
      if (r.status === 204) return null;
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) {
          var err = new Error(j.detail || ('HTTP ' + r.status));
          err.status = r.status;
          throw err;
        }
        return j;
      });
    });
  }

  function say(text) {
    el('message').textContent = text;
  }

  function serviceName(letter) {
    var list = office ? office.services : [];
    for (var i = 0; i < list.length; i++)
      if (list[i].letter === letter || list[i].code === letter) return M.name(list[i].name);
    return letter;
  }

  /* --- sign in --- */

  function signinError(text) {
    el('signin-error').textContent = text;
    el('signin-error').hidden = !text;
  }

  function offerOffices() {
    return M.getJSON('/api/v1/offices').then(function (list) {
      var select = el('office-choice');
      select.textContent = '';
      list.forEach(function (o) {
        var opt = document.createElement('option');
        opt.value = o.code;
        opt.textContent = M.name(o.name);
        select.appendChild(opt);
      });
    });
  }

  function onSignin(ev) {
    ev.preventDefault();
    signinError('');
    var token = el('token').value.trim();
    if (!token) {
      signinError('トークンを入力してください。');
      return;
    }
    if (pending && pending.token === token) {
      finishSignin(token, pending.who);
      return;
    }
    api('GET', '/whoami', null, token).then(function (who) {
      if (who.role !== 'counter' && who.role !== 'admin') {
        signinError('このトークンは窓口用ではありません（' + who.role + '）。');
        return;
      }
      pending = { token: token, who: who };
      var ask = [];
      if (who.office === '*') ask.push(offerOffices().then(function () { el('office-field').hidden = false; }));
      if (!who.counter) el('counter-field').hidden = false;
      Promise.all(ask).then(function () {
        if (who.office === '*' || !who.counter) {
          signinError('');
          (who.office === '*' ? el('office-choice') : el('counter-choice')).focus();
          return;
        }
        finishSignin(token, who);
      });
    }).catch(function (e) {
      signinError(e.status === 401 ? 'トークンが正しくないか、無効になっています。' : 'サインインできません: ' + e.message);
    });
  }

  function finishSignin(token, who) {
    var officeCode = who.office === '*' ? el('office-choice').value : who.office;
    var n = who.counter || parseInt(el('counter-choice').value, 10);
    if (!officeCode || !(n >= 1)) {
      signinError('区役所と窓口番号を選んでください。');
      return;
    }
    session = { token: token, office: officeCode, counter: n };
    api('GET', '/offices/' + encodeURIComponent(officeCode) + '/counters/' + n).then(function () {
      save(session);
      pending = null;
      el('token').value = '';
      start();
    }).catch(function (e) {
      session = null;
      signinError('この窓口は使えません: ' + e.message);
    });
  }

  function signOut() {
    save(null);
    session = null;
    pending = null;
    if (timer) clearInterval(timer);
    timer = null;
    el('console').hidden = true;
    el('signout').hidden = true;
    el('who').hidden = true;
    el('office-field').hidden = true;
    el('counter-field').hidden = true;
    el('signin').hidden = false;
    el('token').focus();
  }

  /* --- the console --- */

  function base() {
    return '/offices/' + encodeURIComponent(session.office);
  }

  function render(queue) {
    var cur = counter.current;
    var state = counter.state;
    el('who').textContent = M.name(office.name) + ' ' + session.counter + '番窓口';
    el('counter-name').textContent = session.counter + '番窓口';
    el('counter-state').textContent = STATE_NAMES[state] || state;
    el('counter-state').className = 'badge badge-' + state;
    el('counter-services').textContent = '担当: ' + counter.services.split('').map(serviceName).join('・');
    el('current-label').textContent = cur ? cur.label : '—';
    el('current-detail').textContent = cur
      ? serviceName(cur.letter) + ' · ' + (TICKET_STATES[cur.state] || cur.state) + ' · ' + cur.for_min + '分' +
        (cur.recalls ? ' · 再呼出 ' + cur.recalls + '回' : '') + (cur.priority ? ' · 優先' : '')
      : '呼び出し中の番号はありません';
    var called = cur && cur.state === 'called';
    var serving = cur && cur.state === 'serving';
    el('call').disabled = busy || called;
    el('recall').disabled = busy || !called;
    el('start').disabled = busy || !called;
    el('no-show').disabled = busy || !called;
    el('done').disabled = busy || !serving;
    el('transfer-button').disabled = busy || !serving;
    el('transfer-to').disabled = busy || !serving;
    el('pause').disabled = busy;
    el('pause').firstChild.textContent = state === 'open' ? '休止 ' : '再開 ';
    renderTransfer(cur);
    if (queue) renderQueue(queue);
    el('updated').textContent = M.hhmm() + ' 更新';
  }

  function renderTransfer(cur) {
    var select = el('transfer-to');
    var keep = select.value;
    select.textContent = '';
    office.services.forEach(function (s) {
      if (cur && s.letter === cur.letter) return;
      var opt = document.createElement('option');
      opt.value = s.code;
      opt.textContent = s.letter + ' ' + M.name(s.name);
      select.appendChild(opt);
    });
    if (keep) select.value = keep;
  }

  function renderQueue(queue) {
    var body = el('queue-rows');
    body.textContent = '';
    queue.tickets.forEach(function (t) {
      var tr = document.createElement('tr');
      if (t.beyond_target) tr.className = 'late';
      [t.label, serviceName(t.letter), t.waited_min + '分',
        [t.priority ? '優先（' + (PRIORITY[t.priority_reason] || t.priority_reason) + '）' : '',
          t.reserved ? '予約' : '', t.beyond_target ? '目標超過' : ''].filter(Boolean).join('・')
      ].forEach(function (text, i) {
        var cell = document.createElement(i === 0 ? 'th' : 'td');
        if (i === 0) cell.scope = 'row';
        cell.textContent = text;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    el('queue-empty').hidden = queue.tickets.length > 0;
    el('queue').hidden = queue.tickets.length === 0;
  }

  function refresh() {
    if (!session) return Promise.resolve();
    return Promise.all([
      M.getJSON('/api/v1' + base()),
      api('GET', base() + '/counters/' + session.counter),
      api('GET', base() + '/queue?counter=' + session.counter)
    ]).then(function (r) {
      office = r[0];
      counter = r[1];
      render(r[2]);
    }).catch(function (e) {
      if (e.status === 401 || e.status === 403) {
        signOut();
        signinError('トークンが無効になりました。もう一度サインインしてください。');
      } else {
        say('更新できません: ' + e.message);
      }
    });
  }

  /* Runs one action, says what happened, and shows the floor as it is now. */
  function act(request, done) {
    if (busy || !session) return;
    busy = true;
    render(null);
    request().then(function (r) {
      say(done(r));
    }).catch(function (e) {
      say('できませんでした: ' + e.message);
    }).then(function () {
      busy = false;
      return refresh();
    });
  }

  function currentId() {
    return counter && counter.current ? counter.current.id : 0;
  }

  var actions = {
    call: function () {
      act(function () { return api('POST', base() + '/counters/' + session.counter + '/call'); },
        function (t) { return t ? t.label + ' をお呼びしました。' : 'お待ちの方はいません。'; });
    },
    recall: function () {
      act(function () { return api('POST', base() + '/tickets/' + currentId() + '/recall'); },
        function (t) { return t.state === 'called' ? t.label + ' をもう一度お呼びしました。' : t.label + ' は列に戻りました。'; });
    },
    start: function () {
      act(function () { return api('POST', base() + '/tickets/' + currentId() + '/start'); },
        function (t) { return t.label + ' の応対を始めました。'; });
    },
    done: function () {
      act(function () { return api('POST', base() + '/tickets/' + currentId() + '/done'); },
        function (t) { return t.label + ' の応対を完了しました。'; });
    },
    'no-show': function () {
      act(function () { return api('POST', base() + '/tickets/' + currentId() + '/no-show'); },
        function (t) { return t.label + ' を不在にしました。'; });
    },
    pause: function () {
      var to = counter && counter.state === 'open' ? 'paused' : 'open';
      act(function () { return api('PUT', base() + '/counters/' + session.counter, { state: to }); },
        function () { return to === 'paused' ? '窓口を休止しました。' : '窓口を再開しました。'; });
    },
    transfer: function () {
      var to = el('transfer-to').value;
      act(function () { return api('POST', base() + '/tickets/' + currentId() + '/transfer', { service: to }); },
        function (t) { return t.label + ' を「' + serviceName(t.letter) + '」の列へ転送しました。'; });
    }
  };

  var KEYS = { n: 'call', r: 'recall', s: 'start', d: 'done', x: 'no-show', p: 'pause' };

  function onKey(ev) {
    var tag = ev.target && ev.target.tagName;
    if (!session || ev.ctrlKey || ev.metaKey || ev.altKey || tag === 'INPUT' || tag === 'TEXTAREA' ||
        tag === 'SELECT') return;
    var key = ev.key.toLowerCase();
    if (key === 't') {
      ev.preventDefault();
      el('transfer-to').focus();
      return;
    }
    var id = KEYS[key];
    if (id && !el(id).disabled) {
      ev.preventDefault();
      actions[id]();
    }
  }

  function start() {
    el('signin').hidden = true;
    el('console').hidden = false;
    el('signout').hidden = false;
    el('who').hidden = false;
    refresh().then(function () { el('call').focus(); });
    if (!timer) timer = setInterval(refresh, REFRESH_MS);
  }

  function init() {
    M.setLang('ja', false);
    el('signin').addEventListener('submit', onSignin);
    el('signout').addEventListener('click', signOut);
    el('transfer').addEventListener('submit', function (ev) {
      ev.preventDefault();
      actions.transfer();
    });
    ['call', 'recall', 'start', 'done', 'no-show', 'pause'].forEach(function (id) {
      el(id).addEventListener('click', actions[id]);
    });
    document.addEventListener('keydown', onKey);
    session = load();
    if (session && session.token) start(); else signOut();
  }

  document.addEventListener('DOMContentLoaded', init);
}());
