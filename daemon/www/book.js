/* /book: a resident books a visit on a phone — office, procedure, day, time — and gets the
 * code to type at the kiosk and the QR code of the reservation's own page. ?office= and
 * ?service= preselect (links from an office's page). */
'use strict';

(function () {
  var M = Madoguchi;
  var R = MadoguchiReservation;
  var params = new URLSearchParams(location.search);
  var data = { offices: null, services: null, days: null, slots: null };
  var chosen = { office: params.get('office'), service: params.get('service'), date: null, start: null };
  var booked = null;   /* { rsv, token } once booked */

  function show(id, yes) { M.el(id).hidden = !yes; }

  function error(text) {
    M.el('error').textContent = text || '';
    show('error', !!text);
  }

  /* A radio choice: input and its label (with an optional second line), in a grid cell. */
  function choice(container, group, value, text, sub, checked, disabled, onPick) {
    var wrap = document.createElement('div');
    wrap.className = 'choice';
    var input = document.createElement('input');
    input.type = 'radio';
    input.name = group;
    input.value = value;
    input.id = group + '-' + value.replace(/[^A-Za-z0-9_-]/g, '_');
    input.checked = !!checked;
    input.disabled = !!disabled;
    input.addEventListener('change', function () { if (input.checked) onPick(value); });
    var label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = text;
    if (sub) {
      var s = document.createElement('span');
      s.className = 'sub';
      s.textContent = sub;
      label.appendChild(s);
    }
    wrap.appendChild(input);
    wrap.appendChild(label);
    container.appendChild(wrap);
  }

  function renderStatic() {
    document.title = M.t('b_title') + ' — madoguchi';
    M.el('title').textContent = M.t('b_title');
    M.el('intro').textContent = M.t('intro');
    M.el('office-legend').textContent = M.t('step_office');
    M.el('service-legend').textContent = M.t('step_service');
    M.el('date-legend').textContent = M.t('step_date');
    M.el('slot-legend').textContent = M.t('step_slot');
    M.el('no-services').textContent = M.t('no_services');
    M.el('no-dates').textContent = M.t('no_dates');
    M.el('no-slots').textContent = M.t('no_slots');
    M.el('book').textContent = M.t('book');
    M.el('result-title').textContent = M.t('booked');
    M.el('save').textContent = M.t('save');
    M.el('view-link').textContent = M.t('view');
    M.el('again').textContent = M.t('again');
  }

  function renderOffices() {
    var box = M.el('offices');
    box.textContent = '';
    (data.offices || []).forEach(function (o) {
      choice(box, 'office', o.code, M.name(o.name), null, o.code === chosen.office, false, pickOffice);
    });
  }

  function renderServices() {
    var box = M.el('services');
    box.textContent = '';
    var list = (data.services || []).filter(function (s) { return s.reservable; });
    list.forEach(function (s) {
      choice(box, 'service', s.code, M.name(s.name), null, s.code === chosen.service, false, pickService);
    });
    show('service-step', data.services !== null);
    show('no-services', data.services !== null && list.length === 0);
  }

  function renderDays() {
    var box = M.el('dates');
    box.textContent = '';
    (data.days || []).forEach(function (d) {
      var sub = d.free > 0 ? M.t('free', { n: d.free }) : M.t('full');
      if (d.note) sub += ' · ' + d.note;
      choice(box, 'date', d.date, R.day(d.date), sub, d.date === chosen.date, d.free === 0, pickDate);
    });
    show('date-step', data.days !== null);
    show('no-dates', data.days !== null && !data.days.some(function (d) { return d.free > 0; }));
  }

  function renderSlots() {
    var box = M.el('slots');
    box.textContent = '';
    (data.slots || []).forEach(function (s) {
      if (!s.bookable) return;  /* too soon or past: not worth a button */
      choice(box, 'slot', s.start, R.clock(s.start) + '–' + R.clock(s.end),
        s.free > 0 ? M.t('free', { n: s.free }) : M.t('full'), s.start === chosen.start, s.free === 0, pickSlot);
    });
    show('slot-step', data.slots !== null);
    show('no-slots', data.slots !== null && !data.slots.some(function (s) { return s.free > 0; }));
  }

  function renderSummary() {
    var ready = chosen.start !== null && data.slots !== null;
    show('confirm-step', ready);
    if (!ready) return;
    var office = (data.offices || []).filter(function (o) { return o.code === chosen.office; })[0];
    var service = (data.services || []).filter(function (s) { return s.code === chosen.service; })[0];
    var slot = data.slots.filter(function (s) { return s.start === chosen.start; })[0];
    M.el('summary').textContent = M.t('summary', {
      office: office ? M.name(office.name) : chosen.office,
      service: service ? M.name(service.name) : chosen.service,
      when: slot ? R.span(slot) : chosen.start
    });
  }

  function renderResult() {
    if (!booked) return;
    show('form', false);
    R.card(M.el('card'), booked.rsv, booked.token);
    M.el('view-link').href = '/r/' + encodeURIComponent(booked.token);
    show('result', true);
  }

  /* Renders a step and those after it. The step being chosen in is left alone, so a keyboard
   * user moving through its radio buttons keeps the focus. */
  var STEPS = [renderOffices, renderServices, renderDays, renderSlots, renderSummary, renderResult];

  function renderFrom(first) {
    for (var i = STEPS.indexOf(first); i < STEPS.length; i++) STEPS[i]();
  }

  function renderAll() {
    renderStatic();
    renderFrom(renderOffices);
  }

  function load(url, then) {
    M.getJSON(url).then(then, function () { error(M.t('err_load')); });
  }

  function pickOffice(code) {
    error('');
    chosen.office = code;
    chosen.date = chosen.start = null;
    data.services = data.days = data.slots = null;
    renderFrom(renderServices);
    load('/api/v1/offices/' + encodeURIComponent(code), function (o) {
      if (chosen.office !== code) return;
      data.services = o.services || [];
      var known = data.services.some(function (s) { return s.reservable && s.code === chosen.service; });
      if (!known) chosen.service = null;
      renderFrom(renderServices);
      if (chosen.service) pickService(chosen.service);
    });
  }

  function pickService(code) {
    error('');
    chosen.service = code;
    chosen.date = chosen.start = null;
    data.days = data.slots = null;
    renderFrom(renderDays);
    var office = chosen.office;
    load('/api/v1/offices/' + encodeURIComponent(office) + '/slot-days?service=' + encodeURIComponent(code),
      function (days) {
        if (chosen.office !== office || chosen.service !== code) return;
        data.days = days;
        renderFrom(renderDays);
      });
  }

  function loadSlots() {
    var office = chosen.office, service = chosen.service, date = chosen.date;
    load('/api/v1/offices/' + encodeURIComponent(office) + '/slots?service=' + encodeURIComponent(service) +
      '&date=' + encodeURIComponent(date), function (slots) {
      if (chosen.office !== office || chosen.service !== service || chosen.date !== date) return;
      data.slots = slots;
      if (!slots.some(function (s) { return s.start === chosen.start && s.free > 0; })) chosen.start = null;
      renderFrom(renderSlots);
    });
  }

  function pickDate(date) {
    error('');
    chosen.date = date;
    chosen.start = null;
    data.slots = null;
    renderFrom(renderSlots);
    loadSlots();
  }

  function pickSlot(start) {
    error('');
    chosen.start = start;
    renderSummary();
    M.el('book').focus();
  }

  function book(ev) {
    ev.preventDefault();
    if (!chosen.start) return;
    var button = M.el('book');
    button.disabled = true;
    M.el('status').textContent = M.t('booking');
    error('');
    fetch('/api/v1/reservations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify({ office: chosen.office, service: chosen.service, start: chosen.start, lang: M.lang() })
    }).then(function (r) {
      return r.json().then(function (body) { return { status: r.status, body: body, retry: r.headers.get('Retry-After') }; });
    }).then(function (res) {
      button.disabled = false;
      M.el('status').textContent = '';
      if (res.status === 201) {
        booked = { rsv: res.body, token: res.body.token };
        renderResult();
        M.el('result-title').focus();
      } else if (res.status === 409) {
        error(M.t('err_full'));
        loadSlots();
      } else if (res.status === 429) {
        error(M.t('err_busy', { s: res.retry || 60 }));
      } else {
        error(M.t('err_failed'));
      }
    }, function () {
      button.disabled = false;
      M.el('status').textContent = '';
      error(M.t('err_failed'));
    });
  }

  M.setLang(M.initialLang(), false);
  M.languageMenu(M.el('langs'), renderAll);
  M.el('form').addEventListener('submit', book);
  renderAll();
  load('/api/v1/offices', function (offices) {
    data.offices = offices;
    if (!offices.some(function (o) { return o.code === chosen.office; })) chosen.office = null;
    renderAll();
    if (chosen.office) pickOffice(chosen.office);
  });
}());
