/* /t/{token}: a resident's ticket — number, procedure, position, wait, and the call. */
'use strict';

(function () {
  var M = Madoguchi;

  M.addText({
    'ja': {
      title: '受付番号', number: '受付番号', service: '手続き', position: '順番', wait: '待ち時間の目安',
      state: '状況', ahead: 'あと{n}人', next: '次にお呼びします', called: 'お呼びしています',
      go: '{n}番窓口へお越しください', your_turn: 'あなたの番です',
      serving: '{n}番窓口で手続き中です', done: '手続きが終わりました。ありがとうございました。',
      no_show: 'お呼びしましたがお越しになりませんでした。窓口でお声がけください。',
      cancelled: 'この受付は取り消されました。', transferred: '次の手続きへ移りました。',
      leave: '帰ります（受付を取り消す）', confirm: 'この受付を取り消しますか？ 取り消すと元に戻せません。',
      yes: '取り消す', no: 'やめる', not_found: 'この受付番号は見つかりません。',
      cancel_failed: '取り消せませんでした。もう一度お試しください。',
      s_waiting: 'お待ちください', s_called: '呼び出し中', s_serving: '手続き中', s_done: '終了',
      s_no_show: '不在', s_cancelled: '取消', s_transferred: '移動'
    },
    'en': {
      title: 'Your ticket', number: 'Your number', service: 'Procedure', position: 'Your place', wait: 'Estimated wait',
      state: 'Status', ahead: '{n} ahead of you', next: 'You are next', called: 'You are being called',
      go: 'Please go to counter {n}', your_turn: 'Your turn',
      serving: 'Being served at counter {n}', done: 'Your visit is finished. Thank you.',
      no_show: 'You were called but did not come. Please speak to staff at a counter.',
      cancelled: 'This ticket was cancelled.', transferred: 'You moved on to your next procedure.',
      leave: "I'm leaving (cancel my ticket)", confirm: 'Cancel this ticket? This cannot be undone.',
      yes: 'Cancel ticket', no: 'Keep my ticket', not_found: 'This ticket was not found.',
      cancel_failed: 'The ticket could not be cancelled. Please try again.',
      s_waiting: 'Waiting', s_called: 'Called', s_serving: 'Being served', s_done: 'Finished',
      s_no_show: 'Missed', s_cancelled: 'Cancelled', s_transferred: 'Moved on'
    },
    'zh': {
      title: '受理号码', number: '受理号码', service: '手续', position: '顺序', wait: '预计等待时间',
      state: '状态', ahead: '前面还有{n}人', next: '下一位就是您', called: '正在叫您的号码',
      go: '请到{n}号窗口', your_turn: '轮到您了',
      serving: '正在{n}号窗口办理', done: '手续已办完。谢谢。',
      no_show: '叫号时您不在。请到窗口咨询。',
      cancelled: '此号码已取消。', transferred: '已转到下一项手续。',
      leave: '我要离开（取消号码）', confirm: '要取消此号码吗？取消后无法恢复。',
      yes: '取消号码', no: '保留', not_found: '找不到此号码。',
      cancel_failed: '未能取消。请再试一次。',
      s_waiting: '等待中', s_called: '叫号中', s_serving: '办理中', s_done: '已完成',
      s_no_show: '未到', s_cancelled: '已取消', s_transferred: '已转移'
    },
    'ko': {
      title: '접수 번호', number: '접수 번호', service: '절차', position: '순서', wait: '예상 대기 시간',
      state: '상태', ahead: '앞에 {n}명', next: '다음 차례입니다', called: '호출 중입니다',
      go: '{n}번 창구로 와 주십시오', your_turn: '차례가 되었습니다',
      serving: '{n}번 창구에서 처리 중입니다', done: '절차가 끝났습니다. 감사합니다.',
      no_show: '호출했지만 오지 않으셨습니다. 창구에 문의해 주십시오.',
      cancelled: '이 접수는 취소되었습니다.', transferred: '다음 절차로 이동했습니다.',
      leave: '돌아가겠습니다 (접수 취소)', confirm: '이 접수를 취소하시겠습니까? 되돌릴 수 없습니다.',
      yes: '취소하기', no: '유지하기', not_found: '이 접수 번호를 찾을 수 없습니다.',
      cancel_failed: '취소하지 못했습니다. 다시 시도해 주십시오.',
      s_waiting: '대기 중', s_called: '호출 중', s_serving: '처리 중', s_done: '완료',
      s_no_show: '부재', s_cancelled: '취소', s_transferred: '이동'
    },
    'vi': {
      title: 'Số thứ tự', number: 'Số của bạn', service: 'Thủ tục', position: 'Thứ tự', wait: 'Thời gian chờ dự kiến',
      state: 'Tình trạng', ahead: 'Còn {n} người trước bạn', next: 'Bạn là người tiếp theo', called: 'Đang gọi số của bạn',
      go: 'Xin mời đến quầy số {n}', your_turn: 'Đến lượt bạn',
      serving: 'Đang làm thủ tục tại quầy số {n}', done: 'Thủ tục đã xong. Xin cảm ơn.',
      no_show: 'Đã gọi nhưng bạn không có mặt. Vui lòng hỏi nhân viên tại quầy.',
      cancelled: 'Số này đã bị hủy.', transferred: 'Bạn đã chuyển sang thủ tục tiếp theo.',
      leave: 'Tôi về (hủy số)', confirm: 'Hủy số này? Không thể hoàn tác.',
      yes: 'Hủy số', no: 'Giữ số', not_found: 'Không tìm thấy số này.',
      cancel_failed: 'Không hủy được. Vui lòng thử lại.',
      s_waiting: 'Đang chờ', s_called: 'Đang gọi', s_serving: 'Đang làm thủ tục', s_done: 'Đã xong',
      s_no_show: 'Vắng mặt', s_cancelled: 'Đã hủy', s_transferred: 'Đã chuyển'
    },
    'ja-easy': {
      title: 'ばんごう', number: 'あなたの ばんごう', service: 'てつづき', position: 'じゅんばん', wait: 'まつ じかん',
      state: 'いまの ようす', ahead: 'まえに {n}にん', next: 'つぎは あなた です', called: 'あなたを よんで います',
      go: '{n}ばん まどぐちへ きて ください', your_turn: 'あなたの ばん です',
      serving: '{n}ばん まどぐちで てつづき ちゅう です', done: 'てつづきが おわりました。ありがとう ございました。',
      no_show: 'よびましたが いませんでした。まどぐちの ひとに きいて ください。',
      cancelled: 'この ばんごうは とりけしました。', transferred: 'つぎの てつづきに うつりました。',
      leave: 'かえります（ばんごうを とりけす）', confirm: 'この ばんごうを とりけしますか？ もとに もどせません。',
      yes: 'とりけす', no: 'とりけさない', not_found: 'この ばんごうは ありません。',
      cancel_failed: 'とりけせませんでした。もういちど して ください。',
      s_waiting: 'まって ください', s_called: 'よんで います', s_serving: 'てつづき ちゅう', s_done: 'おわり',
      s_no_show: 'いなかった', s_cancelled: 'とりけし', s_transferred: 'うつった'
    }
  });

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
      M.el('wait').textContent = M.t('minutes', { n: tk.est_wait_min });
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
