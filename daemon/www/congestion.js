/* /congestion: 窓口混雑状況 — every office's live waiting and estimated wait per procedure, with
 * levels named in words and marked by shape as well as colour. Public aggregates only. */
'use strict';

(function () {
  var M = Madoguchi;
  var REFRESH_S = 30;

  M.addText({
    'ja': { title: '窓口混雑状況', intro: '各区役所の窓口の待ち状況です。{s}秒ごとに更新します。', service: '手続き', waiting: '待っている人',
      est: '待ち時間の目安', level: '混雑', green: '空いています', yellow: 'やや混んでいます', red: '混んでいます',
      green_def: '20分未満', yellow_def: '20〜40分', red_def: '40分以上', failed: '情報を取得できませんでした。' },
    'en': { title: 'Ward office congestion', intro: 'Waiting at each ward office now. Updates every {s} seconds.', service: 'Procedure',
      waiting: 'Waiting', est: 'Estimated wait', level: 'Level', green: 'Not crowded', yellow: 'Somewhat crowded', red: 'Crowded',
      green_def: 'under 20 min', yellow_def: '20–40 min', red_def: '40 min or more', failed: 'The information could not be loaded.' },
    'zh': { title: '窗口拥挤情况', intro: '各区役所窗口当前的等待情况。每{s}秒更新。', service: '手续', waiting: '等待人数',
      est: '预计等待时间', level: '拥挤程度', green: '不拥挤', yellow: '稍拥挤', red: '拥挤',
      green_def: '不到20分钟', yellow_def: '20〜40分钟', red_def: '40分钟以上', failed: '无法获取信息。' },
    'ko': { title: '창구 혼잡 상황', intro: '각 구청 창구의 현재 대기 상황입니다. {s}초마다 업데이트됩니다.', service: '절차', waiting: '대기 인원',
      est: '예상 대기 시간', level: '혼잡도', green: '한산함', yellow: '약간 혼잡', red: '혼잡',
      green_def: '20분 미만', yellow_def: '20~40분', red_def: '40분 이상', failed: '정보를 불러오지 못했습니다.' },
    'vi': { title: 'Tình trạng đông đúc tại quầy', intro: 'Tình trạng chờ tại mỗi văn phòng quận. Cập nhật mỗi {s} giây.',
      service: 'Thủ tục', waiting: 'Người đang chờ', est: 'Thời gian chờ dự kiến', level: 'Mức độ', green: 'Vắng',
      yellow: 'Hơi đông', red: 'Đông', green_def: 'dưới 20 phút', yellow_def: '20–40 phút', red_def: 'từ 40 phút',
      failed: 'Không tải được thông tin.' },
    'ja-easy': { title: 'まどぐちの こみぐあい', intro: 'くやくしょの まどぐちで まって いる ようす です。{s}びょう ごとに かわります。',
      service: 'てつづき', waiting: 'まって いる ひと', est: 'まつ じかん', level: 'こみぐあい', green: 'すいて います',
      yellow: 'すこし こんで います', red: 'こんで います', green_def: '20ぷん より みじかい', yellow_def: '20〜40ぷん',
      red_def: '40ぷん いじょう', failed: 'じょうほうが とれませんでした。' }
  });

  var offices = [];      /* from /api/v1/offices */
  var congestion = {};   /* code → congestion reply */

  function levelBadge(level) {
    var span = document.createElement('span');
    span.className = 'level level-' + level;
    span.textContent = M.t(level);
    return span;
  }

  function cell(tag, text, label) {
    var c = document.createElement(tag);
    if (typeof text === 'string') c.textContent = text; else if (text) c.appendChild(text);
    if (label) c.dataset.label = label;
    return c;
  }

  function officeSection(o) {
    var c = congestion[o.code];
    var sec = document.createElement('section');
    sec.className = 'office';
    sec.id = 'office-' + o.code;
    var h = document.createElement('h2');
    h.id = 'office-title-' + o.code;
    h.textContent = M.name(o.name);
    sec.setAttribute('aria-labelledby', h.id);
    if (!o.open) {
      var closed = document.createElement('span');
      closed.className = 'closed';
      closed.textContent = M.t('closed');
      h.appendChild(document.createTextNode(' '));
      h.appendChild(closed);
    }
    sec.appendChild(h);
    if (!c) return sec;
    var table = document.createElement('table');
    var head = document.createElement('thead');
    var hr = document.createElement('tr');
    ['service', 'waiting', 'est', 'level'].forEach(function (k) {
      var th = cell('th', M.t(k));
      th.scope = 'col';
      hr.appendChild(th);
    });
    head.appendChild(hr);
    table.appendChild(head);
    var body = document.createElement('tbody');
    c.services.forEach(function (s) {
      var tr = document.createElement('tr');
      var th = cell('th', M.name(s.name) || s.code);
      th.scope = 'row';
      tr.appendChild(th);
      var waiting = cell('td', M.t('people', { n: s.waiting }), M.t('waiting'));
      waiting.className = 'num';
      tr.appendChild(waiting);
      var est = cell('td', M.t('minutes', { n: s.est_wait_min }), M.t('est'));
      est.className = 'num';
      tr.appendChild(est);
      tr.appendChild(cell('td', levelBadge(s.level), M.t('level')));
      tr.dataset.service = s.code;
      tr.dataset.level = s.level;
      body.appendChild(tr);
    });
    table.appendChild(body);
    sec.appendChild(table);
    return sec;
  }

  function render() {
    document.title = M.t('title') + ' — madoguchi';
    M.el('title').textContent = M.t('title');
    M.el('intro').textContent = M.t('intro', { s: REFRESH_S });
    var legend = M.el('legend');
    legend.textContent = '';
    ['green', 'yellow', 'red'].forEach(function (l) {
      var li = document.createElement('li');
      li.appendChild(levelBadge(l));
      li.appendChild(document.createTextNode(' ' + M.t(l + '_def')));
      legend.appendChild(li);
    });
    var box = M.el('offices');
    box.textContent = '';
    offices.forEach(function (o) { box.appendChild(officeSection(o)); });
    M.el('loading').hidden = offices.length > 0;
    M.el('loading').textContent = M.t('loading');
  }

  function refresh() {
    M.getJSON('/api/v1/offices').then(function (list) {
      offices = list;
      return Promise.all(list.map(function (o) {
        return M.getJSON('/api/v1/offices/' + encodeURIComponent(o.code) + '/congestion').then(function (c) {
          congestion[o.code] = c;
        }, function () { delete congestion[o.code]; });
      }));
    }).then(function () {
      M.el('error').hidden = true;
      M.el('updated').textContent = M.t('updated', { time: M.hhmm() });
      render();
    }, function () {
      M.el('error').textContent = M.t('failed');
      M.el('error').hidden = false;
    });
  }

  M.setLang(M.initialLang(), false);
  M.languageMenu(M.el('langs'), render);
  render();
  refresh();
  setInterval(refresh, REFRESH_S * 1000);
}());
