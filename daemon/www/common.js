/* madoguchi pages: what every page shares — languages, names, the JSON API and live updates.
 * No framework and no build step: each page loads this file, then its own script. */
'use strict';

var Madoguchi = (function () {
  var LANGS = ['ja', 'en', 'zh', 'ko', 'vi', 'ja-easy'];
  var LANG_LABELS = {
    'ja': '日本語', 'en': 'English', 'zh': '中文', 'ko': '한국어', 'vi': 'Tiếng Việt', 'ja-easy': 'やさしい にほんご'
  };

  /* Page text by language. {n} and friends are filled in by t(). Pages add their own keys. */
  var TEXT = {
    'ja': {
      language: '言語', loading: '読み込み中…', offline: '接続が切れました。自動で再接続します。',
      live: '自動で更新しています', polling: '{s}秒ごとに更新しています', updated: '{time} 更新',
      minutes: '約{n}分', people: '{n}人', closed: '受付時間外', counter: '{n}番窓口'
    },
    'en': {
      language: 'Language', loading: 'Loading…', offline: 'Connection lost. Reconnecting automatically.',
      live: 'Updates automatically', polling: 'Updates every {s} seconds', updated: 'Updated {time}',
      minutes: 'about {n} min', people: '{n}', closed: 'Closed now', counter: 'Counter {n}'
    },
    'zh': {
      language: '语言', loading: '正在加载…', offline: '连接已断开，正在自动重新连接。',
      live: '自动更新', polling: '每{s}秒更新', updated: '{time} 更新',
      minutes: '约{n}分钟', people: '{n}人', closed: '非受理时间', counter: '{n}号窗口'
    },
    'ko': {
      language: '언어', loading: '불러오는 중…', offline: '연결이 끊겼습니다. 자동으로 다시 연결합니다.',
      live: '자동으로 업데이트됩니다', polling: '{s}초마다 업데이트됩니다', updated: '{time} 업데이트',
      minutes: '약 {n}분', people: '{n}명', closed: '접수 시간 외', counter: '{n}번 창구'
    },
    'vi': {
      language: 'Ngôn ngữ', loading: 'Đang tải…', offline: 'Mất kết nối. Đang tự động kết nối lại.',
      live: 'Tự động cập nhật', polling: 'Cập nhật mỗi {s} giây', updated: 'Cập nhật lúc {time}',
      minutes: 'khoảng {n} phút', people: '{n} người', closed: 'Ngoài giờ tiếp nhận', counter: 'Quầy số {n}'
    },
    'ja-easy': {
      language: 'ことば', loading: 'よみこみ ちゅう…', offline: 'つながりません。すこし まって ください。',
      live: 'じどうで かわります', polling: '{s}びょう ごとに かわります', updated: '{time} の じょうほう',
      minutes: 'だいたい {n}ぷん', people: '{n}にん', closed: 'いまは やすみ です', counter: '{n}ばん まどぐち'
    }
  };

  var lang = 'ja';
  var menus = [];   /* language menus, marked whenever the language changes */

  function known(l) {
    return LANGS.indexOf(l) >= 0;
  }

  /* The language a page starts in: ?lang=, then what was chosen before, then the browser's. */
  function initialLang() {
    var q = new URLSearchParams(location.search).get('lang');
    var saved = null;
    try { saved = localStorage.getItem('madoguchi.lang'); } catch (e) { saved = null; }
    if (known(q)) return q;
    if (known(saved)) return saved;
    var nav = (navigator.languages || [navigator.language || 'ja']);
    for (var i = 0; i < nav.length; i++) {
      var base = String(nav[i]).toLowerCase().split('-')[0];
      if (known(base)) return base;
    }
    return 'ja';
  }

  function setLang(l, remember) {
    lang = known(l) ? l : 'ja';
    document.documentElement.lang = lang === 'ja-easy' ? 'ja' : lang;
    menus.forEach(markMenu);
    if (remember) {
      try { localStorage.setItem('madoguchi.lang', lang); } catch (e) { /* private mode */ }
    }
  }

  function addText(table) {
    Object.keys(table).forEach(function (l) {
      Object.keys(table[l]).forEach(function (k) { TEXT[l][k] = table[l][k]; });
    });
  }

  /* A text in the current language (then English, then Japanese) with {name}s filled in. */
  function t(key, vars) {
    var s = (TEXT[lang] && TEXT[lang][key]) || TEXT.en[key] || TEXT.ja[key] || key;
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      return vars && vars[k] !== undefined ? String(vars[k]) : m;
    });
  }

  /* A name object from the API ({"ja":…,"en":…}) in the current language. */
  function name(names) {
    if (!names) return '';
    if (typeof names === 'string') return names;
    if (lang === 'ja-easy' && names['ja-easy']) return names['ja-easy'];
    return names[lang] || names.en || names.ja || '';
  }

  function getJSON(url) {
    return fetch(url, { headers: { 'Accept': 'application/json' }, cache: 'no-store' }).then(function (r) {
      if (!r.ok) {
        var err = new Error('HTTP ' + r.status);
        err.status = r.status;
        throw err;
      }
      return r.json();
    });
  }

  /* The n-th path segment after the page's own: /t/{token} → segment(1). */
  function segment(n) {
    var parts = location.pathname.split('/').filter(function (p) { return p.length > 0; });
    return parts[n] ? decodeURIComponent(parts[n]) : '';
  }

  function hhmm(date) {
    var d = date || new Date();
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  /* Follows a server-sent event stream; when streams are not available or keep failing,
   * calls refresh() every pollSeconds instead. refresh() is also called once at the start and
   * on every (re)connection, so the page never shows what it missed while away.
   * handlers: { eventName: function (data, event) }. status(kind) reports 'live' | 'polling' | 'offline'. */
  function live(url, handlers, refresh, options) {
    var opts = options || {};
    var pollSeconds = opts.pollSeconds || 20;
    var status = opts.status || function () {};
    var source = null;
    var timer = null;
    var failures = 0;

    function poll() {
      if (timer !== null) return;
      status('polling');
      timer = setInterval(refresh, pollSeconds * 1000);
    }

    function stopPoll() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    }

    refresh();
    if (typeof EventSource === 'undefined' || opts.noStream) {
      poll();
      return { close: stopPoll };
    }
    source = new EventSource(url);
    source.onopen = function () {
      failures = 0;
      stopPoll();
      status('live');
      refresh();
    };
    source.onerror = function () {
      /* The browser reconnects by itself, sending Last-Event-ID; meanwhile keep the page fresh. */
      failures++;
      status(failures > 2 ? 'offline' : 'polling');
      poll();
    };
    Object.keys(handlers).forEach(function (ev) {
      source.addEventListener(ev, function (e) {
        var data = null;
        try { data = JSON.parse(e.data); } catch (err) { return; }
        handlers[ev](data, e);
      });
    });
    return {
      close: function () { stopPoll(); source.close(); }
    };
  }

  /* Marks the current language's button as pressed, whoever changed the language. */
  function markMenu(container) {
    Array.prototype.forEach.call(container.querySelectorAll('button'), function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
    });
  }

  /* A language chooser: buttons in a nav element, each in its own language. */
  function languageMenu(container, onChange) {
    container.textContent = '';
    LANGS.forEach(function (l) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'lang';
      b.lang = l === 'ja-easy' ? 'ja' : l;
      b.dataset.lang = l;
      b.textContent = LANG_LABELS[l];
      b.addEventListener('click', function () {
        setLang(l, true);
        onChange(l);
      });
      container.appendChild(b);
    });
    menus.push(container);
    markMenu(container);
  }

  function el(id) {
    return document.getElementById(id);
  }

  /* "Cancel" with a confirmation step: the trigger button shows the confirm box (#confirm with
   * #confirm-yes and #confirm-no); yes sends DELETE to url, then done(reply) or failed(). */
  function confirmDelete(trigger, url, done, failed) {
    el(trigger).addEventListener('click', function () {
      el('confirm').hidden = false;
      el('confirm-no').focus();
    });
    el('confirm-no').addEventListener('click', function () {
      el('confirm').hidden = true;
      el(trigger).focus();
    });
    el('confirm-yes').addEventListener('click', function () {
      el('confirm-yes').disabled = true;
      fetch(url, { method: 'DELETE' }).then(function (r) {
        el('confirm-yes').disabled = false;
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      }).then(done, failed);
    });
  }

  return {
    LANGS: LANGS, addText: addText, t: t, name: name, getJSON: getJSON, segment: segment, hhmm: hhmm,
    live: live, languageMenu: languageMenu, initialLang: initialLang, setLang: setLang, el: el,
    confirmDelete: confirmDelete,
    lang: function () { return lang; }
  };
}());
