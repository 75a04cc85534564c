/* /t/{token}: a resident's ticket — number, procedure, position, wait, and the call. */
'use strict';

(function () {
  var M = Madoguchi;

  /* The page's texts by language come with the page (daemon/www/ticket-text.json), which
   * the server also writes the ticket with for a phone without JavaScript. */
  M.addText(JSON.parse(M.el('ticket-text').textContent));

  var token = M.segment(1);
  var base = '/api/v1/tickets/' + encodeURIComponent(token);
  var ticket = null;
  var chosenLang = false;
  var liveKind = 'polling';
  var announced = null;   /* the call (counter and time) already made noticeable */
  var stream = null;      /* live updates, ended once nothing more can happen */
  var notFound = false;
  var FINAL = { done: true, no_show: true, cancelled: true };

  function show(id, yes) {
    M.el(id).hidden = !yes;
  }

  function renderStatic() {
    document.title = M.t('title') + ' — madoguchi';
    M.el('office').textContent = ticket ? M.name(ticket.office_name) : M.t('title');
    if (notFound) M.el('error').textContent = M.t('not_found');
    M.el('number-label').textContent = M.t('number');
    M.el('service-label').textContent = M.t('service');
    M.el('position-label').textContent = M.t('position');
    M.el('wait-label').textContent = M.t('wait');
    M.el('state-label').textContent = M.t('state');
    M.el('leave').textContent = M.t('leave');
    M.el('confirm-text').textContent = M.t('confirm');
    M.el('confirm-yes').textContent = M.t('yes');
    M.el('confirm-no').textContent = M.t('no');
    M.el('loading').textContent = M.t('loading');
    renderLive();
  }

  function renderLive() {
    if (liveKind === 'final') return;
    M.el('live').textContent = liveKind === 'live' ? M.t('live')
      : liveKind === 'offline' ? M.t('offline') : M.t('polling', { s: 20 });
  }

  /* Makes a new call noticeable: the title, and a vibration where phones allow it. */
  function notice(tk) {
    var key = tk.counter + '@' + tk.called_at;
    if (announced === key) return;
    announced = key;
    document.title = '▶ ' + M.t('go', { n: tk.counter });
    if (navigator.vibrate) navigator.vibrate([300, 150, 300, 150, 300]);
  }

  function render() {
    var tk = ticket;
    if (!tk) return;
    if (!chosenLang) M.setLang(tk.lang, false);
    renderStatic();
    M.el('number').textContent = tk.label;
    M.el('service').textContent = M.name(tk.service_name);
    M.el('state').textContent = M.t('s_' + tk.state);
    var waiting = tk.state === 'waiting';
    show('position-row', waiting);
    show('wait-row', waiting && tk.est_wait_min >= 0);
    if (waiting) {
      M.el('position').textContent = tk.position <= 1 ? M.t('next') : M.t('ahead', { n: tk.position - 1 });
      /* "about 0 min" reads as a broken clock: nobody is ahead at a free counter. */
      M.el('wait').textContent = M.t(tk.est_wait_min > 0 ? 'wait_min' : 'wait_soon', { n: tk.est_wait_min });
    }
    var called = M.el('called');
    if (tk.state === 'called') {
      called.textContent = '';
      var head = document.createElement('span');
      head.textContent = M.t('your_turn');
      var where = document.createElement('span');
      where.className = 'counter-no';
      where.textContent = M.t('go', { n: tk.counter });
      called.appendChild(head);
      called.appendChild(where);
      called.hidden = false;
      notice(tk);
    } else {
      called.hidden = true;
      document.title = M.t('title') + ' — madoguchi';
    }
    var news = {
      serving: M.t('serving', { n: tk.counter }), done: M.t('done'), no_show: M.t('no_show'),
      cancelled: M.t('cancelled'), transferred: M.t('transferred')
    };
    M.el('state-news').textContent = news[tk.state] || '';
    show('leave', waiting);
    if (!waiting) show('confirm', false);
    show('loading', false);
    show('ticket', true);
    if (FINAL[tk.state]) stopLive();
  }

  /* Nothing more can happen to this ticket: no more updates, and no promise of them. */
  function stopLive() {
    if (stream) stream.close();
    stream = null;
    liveKind = 'final';
    M.el('live').textContent = '';
  }

  function fail(err) {
    show('loading', false);
    if (err && err.status === 404) {
      ticket = null;
      notFound = true;
      stopLive();
      show('ticket', false);
      show('error', true);
      renderStatic();
    }
  }

  function refresh() {
    M.getJSON(base).then(function (tk) {
      ticket = tk;
      show('error', false);
      render();
    }, fail);
  }

  function onEvent(tk) {
    if (tk && tk.label) {
      ticket = tk;
      render();
    }
  }

  function setup() {
    show('loading', true);
    M.setLang(M.initialLang(), false);
    chosenLang = new URLSearchParams(location.search).has('lang');
    M.languageMenu(M.el('langs'), function () {
      chosenLang = true;
      render();
      renderStatic();
    });
    renderStatic();
    M.confirmDelete('leave', base, function (tk) {
      ticket = tk;
      render();
      M.el('state-news').focus();
    }, function () {
      M.el('state-news').textContent = M.t('cancel_failed');
      refresh();
    });
    M.el('state-news').tabIndex = -1;
    stream = M.live(base + '/events', { position: onEvent, called: onEvent, done: onEvent }, refresh, {
      pollSeconds: 20,
      status: function (kind) { if (liveKind !== 'final') liveKind = kind; renderLive(); }
    });
  }

  setup();
}());
