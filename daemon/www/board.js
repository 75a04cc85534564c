/* /board/{office}: the numbers being called and their counters, with a chime and a spoken
 * announcement in Japanese and English. Announcements wait in a queue, so one never cuts
 * another off; everything is also shown, so the board works with the sound off. */
'use strict';

(function () {
  var M = Madoguchi;

  M.addText({
    'ja': { title: '呼び出し表示', now: 'お呼びしている番号', recent: '最近の呼び出し', none: 'ただいまお呼びしている番号はありません',
      sound_on: '音声：オン', sound_off: '音声：オフ', to: '{n}番窓口',
      unknown: '「{code}」という区役所はありません。呼び出し表示は次のとおりです：' },
    'en': { title: 'Now calling', now: 'Now calling', recent: 'Recent calls', none: 'No number is being called right now',
      sound_on: 'Sound: on', sound_off: 'Sound: off', to: 'Counter {n}',
      unknown: 'There is no office "{code}". The boards are:' }
  });

  var MAX_RECENT = 8;
  var office = M.segment(1);
  var api = '/api/v1/offices/' + encodeURIComponent(office);
  var now = {};         /* counter number → { label, counter, at } */
  var recent = [];      /* newest first */
  var loaded = false;
  var liveKind = 'polling';
  var order = 0;        /* calls in the order the board learned them: ties within a second */
  var stream = null;    /* live updates, ended when the office does not exist */

  /* --- the announcer: a queue of chime + Japanese + English, played one at a time --- */
  var Announcer = (function () {
    var queue = [];
    var busy = false;
    var enabled = false;
    var audio = null;
    var log = [];   /* what was played, in order, for the tests and for staff checking the board */

    function chime() {
      return new Promise(function (resolve) {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) { resolve(); return; }
        if (!audio) audio = new Ctx();
        if (audio.state === 'suspended' && audio.resume) audio.resume();
        var t0 = audio.currentTime + 0.05;
        /* ピンポーン: two soft tones, a major third apart. */
        [[659.25, 0], [523.25, 0.45]].forEach(function (tone) {
          var osc = audio.createOscillator();
          var gain = audio.createGain();
          osc.type = 'sine';
          osc.frequency.value = tone[0];
          gain.gain.setValueAtTime(0.0001, t0 + tone[1]);
          gain.gain.exponentialRampToValueAtTime(0.35, t0 + tone[1] + 0.03);
          gain.gain.exponentialRampToValueAtTime(0.0001, t0 + tone[1] + 0.9);
          osc.connect(gain).connect(audio.destination);
          osc.start(t0 + tone[1]);
          osc.stop(t0 + tone[1] + 1.0);
        });
        setTimeout(resolve, 1400);
      });
    }

    /* Speaks one sentence; resolves when it ends, or after a generous time when the speech
     * engine never reports the end (some engines drop the event). */
    function say(text, lang) {
      return new Promise(function (resolve) {
        var synth = window.speechSynthesis;
        if (!synth || typeof SpeechSynthesisUtterance === 'undefined') { resolve(); return; }
        var u = new SpeechSynthesisUtterance(text);
        var done = false;
        var finish = function () { if (!done) { done = true; resolve(); } };
        u.lang = lang;
        u.rate = 0.9;
        var voices = synth.getVoices ? synth.getVoices() : [];
        for (var i = 0; i < voices.length; i++) {
          if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(lang.toLowerCase().slice(0, 2)) === 0) {
            u.voice = voices[i];
            break;
          }
        }
        u.onend = finish;
        u.onerror = finish;
        setTimeout(finish, 3000 + text.length * 250);
        synth.speak(u);
      });
    }

    function next() {
      if (busy || queue.length === 0) return;
      busy = true;
      var item = queue.shift();
      var started = Date.now();
      var steps = enabled ? chime().then(function () { return say(item.ja, 'ja-JP'); })
        .then(function () { return say(item.en, 'en-US'); }) : Promise.resolve();
      steps.then(function () {
        log.push({ ja: item.ja, en: item.en, sound: enabled, start: started, end: Date.now() });
        busy = false;
        /* A short breath between announcements. */
        setTimeout(next, enabled ? 400 : 0);
      });
    }

    return {
      add: function (item) { queue.push(item); next(); },
      enable: function (on) {
        enabled = on;
        if (on && !audio && (window.AudioContext || window.webkitAudioContext)) {
          /* Created inside the click that enabled sound, as browsers require. */
          audio = new (window.AudioContext || window.webkitAudioContext)();
        }
      },
      enabled: function () { return enabled; },
      pending: function () { return queue.length + (busy ? 1 : 0); },
      log: log
    };
  }());

  /* "A-001" → letter, number and whether it is a reservation ("B-R012"). */
  function parseLabel(label) {
    var m = /^([A-Z])-(R?)(\d+)$/.exec(label || '');
    return m ? { letter: m[1], reserved: m[2] === 'R', number: parseInt(m[3], 10) } : null;
  }

  function announcement(call, again) {
    var p = parseLabel(call.label);
    var ja, en;
    if (p) {
      ja = (p.reserved ? '予約の、' : '受付番号、') + p.letter + 'の' + p.number + '番の方、' + call.counter + '番窓口へお越しください。';
      en = (p.reserved ? 'Reservation ' : 'Number ') + p.letter + ' ' + p.number + ', please go to counter ' + call.counter + '.';
    } else {
      ja = call.label + '番の方、' + call.counter + '番窓口へお越しください。';
      en = 'Number ' + call.label + ', please go to counter ' + call.counter + '.';
    }
    if (again) {
      ja = 'もう一度お呼びします。' + ja;
      en = 'Calling again. ' + en;
    }
    return { ja: ja, en: en };
  }

  function renderStatic() {
    M.el('now-title').textContent = M.t('now');
    M.el('recent-title').textContent = M.t('recent');
    M.el('sound').textContent = Announcer.enabled() ? M.t('sound_on') : M.t('sound_off');
    M.el('sound').setAttribute('aria-pressed', String(Announcer.enabled()));
    M.el('live').textContent = liveKind === 'live' ? M.t('live')
      : liveKind === 'offline' ? M.t('offline') : M.t('polling', { s: 10 });
  }

  function item(call, fresh, big) {
    var li = document.createElement('li');
    var label = document.createElement('span');
    var to = document.createElement('span');
    label.className = 'label';
    label.textContent = call.label;
    to.className = 'to';
    to.textContent = M.t('to', { n: call.counter });
    li.appendChild(label);
    li.appendChild(document.createTextNode(' '));
    li.appendChild(to);
    if (fresh && big) li.className = 'fresh flash';
    li.dataset.label = call.label;
    li.dataset.counter = String(call.counter);
    return li;
  }

  function render() {
    var calls = Object.keys(now).map(function (k) { return now[k]; });
    calls.sort(function (a, b) { return b.at - a.at || b.order - a.order; });
    var list = M.el('now');
    list.textContent = '';
    calls.forEach(function (c, i) { list.appendChild(item(c, i === 0 && Date.now() - c.at < 30000, true)); });
    M.el('now-empty').textContent = calls.length === 0 ? M.t('none') : '';
    var rl = M.el('recent');
    rl.textContent = '';
    recent.forEach(function (c) { rl.appendChild(item(c, false, false)); });
    renderStatic();
  }

  function remember(call) {
    recent = recent.filter(function (c) { return !(c.label === call.label && c.counter === call.counter); });
    recent.unshift(call);
    if (recent.length > MAX_RECENT) recent.length = MAX_RECENT;
  }

  function called(data, again) {
    var call = { label: data.label, counter: data.counter, at: data.ts ? Date.parse(data.ts) : Date.now(), order: ++order };
    var known = now[call.counter];
    if (!again && known && known.label === call.label) return; /* already shown (refresh won the race) */
    now[call.counter] = call;
    remember(call);
    render();
    /* A call replayed after a long gap is shown, not announced: its moment has passed. */
    if (Date.now() - call.at > 120000) return;
    var words = announcement(call, again);
    M.el('announce').textContent = words[M.lang() === 'ja' ? 'ja' : 'en'];
    Announcer.add(words);
  }

  /* The office's counters as the API reports them: the truth after any gap. */
  function refresh() {
    M.getJSON(api).then(function (o) {
      document.title = M.name(o.name) + ' — ' + M.t('title');
      M.el('office').textContent = M.name(o.name);
      var seen = {};
      (o.counters || []).forEach(function (c) {
        if (c.state !== 'open' || !c.current) return;
        seen[c.number] = true;
        var known = now[c.number];
        if (known && known.label === c.current) return;
        var call = { label: c.current, counter: c.number, at: loaded ? Date.now() : 0, order: ++order };
        if (loaded) {
          called({ label: c.current, counter: c.number }, false);
        } else {
          now[c.number] = call;
        }
      });
      Object.keys(now).forEach(function (k) { if (!seen[k]) delete now[k]; });
      loaded = true;
      render();
    }, function (err) {
      if (err && err.status === 404) unknownOffice(); else { liveKind = 'offline'; renderStatic(); }
    });
  }

  /* A mistyped address: say so on the screen, with the boards there are, and stop asking. */
  function unknownOffice() {
    if (stream) stream.close();
    stream = null;
    M.el('live').hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll('.now, .recent'), function (sec) { sec.hidden = true; });
    var box = M.el('error');
    box.textContent = M.t('unknown', { code: office });
    box.hidden = false;
    M.getJSON('/api/v1/offices').then(function (list) {
      var ul = document.createElement('ul');
      list.forEach(function (o) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = '/board/' + encodeURIComponent(o.code) + location.search;
        a.textContent = M.name(o.name) + ' — /board/' + o.code;
        li.appendChild(a);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }, function () { /* the sentence alone still says what is wrong */ });
  }

  function tick() {
    M.el('clock').textContent = M.hhmm();
  }

  function setup() {
    var q = new URLSearchParams(location.search);
    M.setLang(q.get('lang') === 'en' ? 'en' : 'ja', false);
    var saved = null;
    try { saved = localStorage.getItem('madoguchi.board.sound'); } catch (e) { saved = null; }
    Announcer.enable(q.get('sound') === 'on' || saved === 'on');
    M.el('sound').addEventListener('click', function () {
      Announcer.enable(!Announcer.enabled());
      try { localStorage.setItem('madoguchi.board.sound', Announcer.enabled() ? 'on' : 'off'); } catch (e) { /* private */ }
      renderStatic();
    });
    tick();
    setInterval(tick, 15000);
    render();
    stream = M.live(api + '/events', {
      called: function (d) { called(d, false); },
      recalled: function (d) { called(d, true); },
      recent: function (d) {
        (d.calls || []).slice().reverse().forEach(function (c) {
          remember({ label: c.label, counter: c.counter, at: Date.parse(c.ts), order: ++order });
        });
        render();
      },
      counter: function (d) {
        if (d.state !== 'open' && now[d.counter]) {
          delete now[d.counter];
          render();
        }
      }
    }, refresh, { pollSeconds: 10, status: function (kind) { liveKind = kind; renderStatic(); } });
    window.madoguchiBoard = { announcer: Announcer, now: function () { return now; }, recent: function () { return recent; } };
  }

  setup();
}());
