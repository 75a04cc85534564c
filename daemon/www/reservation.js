/* Reservations (来庁前予約): the texts and the reservation card that /book and /r/{token}
 * share, and the /r/{token} page itself — view the reservation, its QR code, cancel it. */
'use strict';

var MadoguchiReservation = (function () {
  var M = Madoguchi;

  M.addText({
    'ja': {
      b_title: '来庁予約', r_title: '予約の確認',
      intro: '区役所に来る日時を予約できます。お名前や連絡先はうかがいません。',
      step_office: '区役所を選んでください', step_service: '手続きを選んでください',
      step_date: '日にちを選んでください', step_slot: '時間を選んでください',
      no_services: 'この区役所では予約できる手続きがありません。', no_dates: '予約できる日がありません。',
      no_slots: 'この日は空いている時間がありません。', free: '空き {n}', full: '満員',
      book: 'この内容で予約する', booking: '予約しています…', summary: '{office}・{service}・{when}',
      booked: '予約しました', code: '予約番号', where: '場所', service: '手続き', when: '日時', state: '状況',
      checkin: '当日は {from}〜{until} に、受付機で予約番号を入力するか QR コードをかざしてください。',
      lapse: '{until} を過ぎると予約は無効になります（そのあとも番号札を取って並ぶことはできます）。',
      save: 'このページを保存するか、予約番号を控えてください。', view: '予約の確認・取り消し',
      again: '別の予約をする', qr_alt: '予約確認ページの QR コード',
      st_booked: '予約済み', st_checked_in: '受付済み', st_cancelled: '取り消し済み', st_no_show: '期限切れ（来庁なし）',
      ticket: '受付番号 {label}', ticket_wait: 'あと{n}人・約{m}分', ticket_called: '{n}番窓口へお越しください',
      cancel: '予約を取り消す', confirm: 'この予約を取り消しますか？ 取り消すと元に戻せません。',
      yes: '取り消す', no: 'やめる', cancelled: '予約を取り消しました。',
      cancel_failed: '取り消せませんでした。もう一度お試しください。', not_found: 'この予約は見つかりません。',
      err_full: 'この時間は満員になりました。別の時間を選んでください。',
      err_busy: '予約の操作が多すぎます。{s}秒ほどしてからもう一度お試しください。',
      err_failed: '予約できませんでした。もう一度お試しください。', err_load: '読み込めませんでした。もう一度お試しください。'
    },
    'en': {
      b_title: 'Book a visit', r_title: 'Your reservation',
      intro: 'Book a time to visit a ward office. We do not ask for your name or contact details.',
      step_office: 'Choose an office', step_service: 'Choose a procedure',
      step_date: 'Choose a day', step_slot: 'Choose a time',
      no_services: 'No procedure can be booked at this office.', no_dates: 'No day can be booked.',
      no_slots: 'No time is free on this day.', free: '{n} free', full: 'Full',
      book: 'Book this visit', booking: 'Booking…', summary: '{office} · {service} · {when}',
      booked: 'Your visit is booked', code: 'Reservation code', where: 'Where', service: 'Procedure', when: 'When',
      state: 'Status',
      checkin: 'On the day, check in at the kiosk between {from} and {until}: type the code or hold up the QR code.',
      lapse: 'After {until} the reservation lapses (you can still take a ticket and wait).',
      save: 'Save this page or write down the code.', view: 'View or cancel this reservation',
      again: 'Book another visit', qr_alt: 'QR code of your reservation page',
      st_booked: 'Booked', st_checked_in: 'Checked in', st_cancelled: 'Cancelled', st_no_show: 'Lapsed (not checked in)',
      ticket: 'Your number is {label}', ticket_wait: '{n} ahead of you, about {m} min',
      ticket_called: 'Please go to counter {n}',
      cancel: 'Cancel this reservation', confirm: 'Cancel this reservation? This cannot be undone.',
      yes: 'Cancel reservation', no: 'Keep it', cancelled: 'The reservation is cancelled.',
      cancel_failed: 'The reservation could not be cancelled. Please try again.',
      not_found: 'This reservation was not found.',
      err_full: 'This time has just filled up. Please choose another.',
      err_busy: 'Too many bookings from here. Please try again in about {s} seconds.',
      err_failed: 'The visit could not be booked. Please try again.', err_load: 'Could not load. Please try again.'
    },
    'zh': {
      b_title: '来所预约', r_title: '确认预约',
      intro: '可以预约到区政府办理手续的时间。不需要姓名和联系方式。',
      step_office: '请选择区政府', step_service: '请选择手续', step_date: '请选择日期', step_slot: '请选择时间',
      no_services: '此区政府没有可预约的手续。', no_dates: '没有可预约的日期。', no_slots: '这一天没有空余时间。',
      free: '剩余 {n}', full: '已满', book: '确认预约', booking: '正在预约…', summary: '{office}・{service}・{when}',
      booked: '预约成功', code: '预约号码', where: '地点', service: '手续', when: '日期时间', state: '状态',
      checkin: '当天请在 {from}〜{until} 之间，在受理机输入预约号码或出示二维码。',
      lapse: '超过 {until} 预约即失效（之后仍可取号排队）。',
      save: '请保存此页面或记下预约号码。', view: '确认或取消预约', again: '再预约一次', qr_alt: '预约页面的二维码',
      st_booked: '已预约', st_checked_in: '已受理', st_cancelled: '已取消', st_no_show: '已失效（未到）',
      ticket: '您的号码是 {label}', ticket_wait: '前面还有{n}人，约{m}分钟', ticket_called: '请到{n}号窗口',
      cancel: '取消预约', confirm: '要取消此预约吗？取消后无法恢复。', yes: '取消预约', no: '保留',
      cancelled: '预约已取消。', cancel_failed: '未能取消。请再试一次。', not_found: '找不到此预约。',
      err_full: '此时间已满。请选择其他时间。', err_busy: '操作过多。请约{s}秒后再试。',
      err_failed: '未能预约。请再试一次。', err_load: '无法加载。请再试一次。'
    },
    'ko': {
      b_title: '방문 예약', r_title: '예약 확인',
      intro: '구청 방문 일시를 예약할 수 있습니다. 이름이나 연락처는 묻지 않습니다.',
      step_office: '구청을 선택하십시오', step_service: '절차를 선택하십시오', step_date: '날짜를 선택하십시오',
      step_slot: '시간을 선택하십시오',
      no_services: '이 구청에는 예약할 수 있는 절차가 없습니다.', no_dates: '예약할 수 있는 날이 없습니다.',
      no_slots: '이날은 빈 시간이 없습니다.', free: '남은 자리 {n}', full: '마감',
      book: '이 내용으로 예약하기', booking: '예약 중…', summary: '{office}・{service}・{when}',
      booked: '예약되었습니다', code: '예약 번호', where: '장소', service: '절차', when: '일시', state: '상태',
      checkin: '당일 {from}〜{until}에 접수기에서 예약 번호를 입력하거나 QR 코드를 대 주십시오.',
      lapse: '{until}이 지나면 예약은 무효가 됩니다 (그 후에도 번호표를 받아 기다릴 수 있습니다).',
      save: '이 페이지를 저장하거나 예약 번호를 적어 두십시오.', view: '예약 확인・취소', again: '다른 예약하기',
      qr_alt: '예약 확인 페이지의 QR 코드',
      st_booked: '예약됨', st_checked_in: '접수됨', st_cancelled: '취소됨', st_no_show: '만료 (미방문)',
      ticket: '접수 번호 {label}', ticket_wait: '앞에 {n}명, 약 {m}분', ticket_called: '{n}번 창구로 와 주십시오',
      cancel: '예약 취소', confirm: '이 예약을 취소하시겠습니까? 되돌릴 수 없습니다.', yes: '취소하기', no: '유지하기',
      cancelled: '예약을 취소했습니다.', cancel_failed: '취소하지 못했습니다. 다시 시도해 주십시오.',
      not_found: '이 예약을 찾을 수 없습니다.', err_full: '이 시간은 마감되었습니다. 다른 시간을 선택하십시오.',
      err_busy: '요청이 너무 많습니다. 약 {s}초 후에 다시 시도해 주십시오.',
      err_failed: '예약하지 못했습니다. 다시 시도해 주십시오.', err_load: '불러오지 못했습니다. 다시 시도해 주십시오.'
    },
    'vi': {
      b_title: 'Đặt lịch đến', r_title: 'Lịch hẹn của bạn',
      intro: 'Đặt giờ đến văn phòng quận. Chúng tôi không hỏi tên hay thông tin liên lạc.',
      step_office: 'Chọn văn phòng', step_service: 'Chọn thủ tục', step_date: 'Chọn ngày', step_slot: 'Chọn giờ',
      no_services: 'Văn phòng này không có thủ tục đặt lịch được.', no_dates: 'Không có ngày nào đặt được.',
      no_slots: 'Ngày này không còn giờ trống.', free: 'Còn {n}', full: 'Đã đầy',
      book: 'Đặt lịch này', booking: 'Đang đặt…', summary: '{office} · {service} · {when}',
      booked: 'Đã đặt lịch', code: 'Mã đặt lịch', where: 'Nơi', service: 'Thủ tục', when: 'Thời gian', state: 'Tình trạng',
      checkin: 'Vào ngày hẹn, hãy làm thủ tục tại máy tiếp nhận trong khoảng {from}–{until}: nhập mã hoặc đưa mã QR.',
      lapse: 'Sau {until}, lịch hẹn hết hiệu lực (bạn vẫn có thể lấy số và chờ).',
      save: 'Hãy lưu trang này hoặc ghi lại mã.', view: 'Xem hoặc hủy lịch hẹn', again: 'Đặt lịch khác',
      qr_alt: 'Mã QR của trang lịch hẹn',
      st_booked: 'Đã đặt', st_checked_in: 'Đã tiếp nhận', st_cancelled: 'Đã hủy', st_no_show: 'Hết hiệu lực (không đến)',
      ticket: 'Số của bạn là {label}', ticket_wait: 'Còn {n} người trước bạn, khoảng {m} phút',
      ticket_called: 'Xin mời đến quầy số {n}',
      cancel: 'Hủy lịch hẹn', confirm: 'Hủy lịch hẹn này? Không thể hoàn tác.', yes: 'Hủy lịch hẹn', no: 'Giữ lại',
      cancelled: 'Đã hủy lịch hẹn.', cancel_failed: 'Không hủy được. Vui lòng thử lại.',
      not_found: 'Không tìm thấy lịch hẹn này.', err_full: 'Giờ này vừa đầy. Vui lòng chọn giờ khác.',
      err_busy: 'Quá nhiều yêu cầu. Vui lòng thử lại sau khoảng {s} giây.',
      err_failed: 'Không đặt được lịch. Vui lòng thử lại.', err_load: 'Không tải được. Vui lòng thử lại.'
    },
    'ja-easy': {
      b_title: 'くやくしょに いく ひの よやく', r_title: 'よやくの かくにん',
      intro: 'くやくしょに いく ひと じかんを よやく できます。なまえや でんわばんごうは ききません。',
      step_office: 'くやくしょを えらんで ください', step_service: 'てつづきを えらんで ください',
      step_date: 'ひを えらんで ください', step_slot: 'じかんを えらんで ください',
      no_services: 'この くやくしょでは よやく できません。', no_dates: 'よやく できる ひが ありません。',
      no_slots: 'この ひは あいて いる じかんが ありません。', free: 'あと {n}', full: 'いっぱい',
      book: 'よやく する', booking: 'よやく して います…', summary: '{office}・{service}・{when}',
      booked: 'よやく できました', code: 'よやく ばんごう', where: 'ばしょ', service: 'てつづき', when: 'ひと じかん',
      state: 'いまの ようす',
      checkin: 'その ひの {from}〜{until} に、きかいで よやく ばんごうを いれるか、QR コードを かざして ください。',
      lapse: '{until} を すぎると よやくは なくなります（そのあとも ばんごうの かみを とって まてます）。',
      save: 'この ページを ほぞん するか、よやく ばんごうを かいて おいて ください。',
      view: 'よやくを みる・とりけす', again: 'ほかの よやくを する', qr_alt: 'よやくの ページの QR コード',
      st_booked: 'よやく しました', st_checked_in: 'うけつけ しました', st_cancelled: 'とりけしました',
      st_no_show: 'じかんが すぎました',
      ticket: 'あなたの ばんごうは {label}', ticket_wait: 'まえに {n}にん・だいたい {m}ぷん',
      ticket_called: '{n}ばん まどぐちへ きて ください',
      cancel: 'よやくを とりけす', confirm: 'この よやくを とりけしますか？ もとに もどせません。',
      yes: 'とりけす', no: 'とりけさない', cancelled: 'よやくを とりけしました。',
      cancel_failed: 'とりけせませんでした。もういちど して ください。', not_found: 'この よやくは ありません。',
      err_full: 'この じかんは いっぱいに なりました。ほかの じかんを えらんで ください。',
      err_busy: 'たくさん おしました。{s}びょう まって もういちど して ください。',
      err_failed: 'よやく できませんでした。もういちど して ください。',
      err_load: 'よみこめません でした。もういちど して ください。'
    }
  });

  var LOCALES = { 'ja': 'ja-JP', 'en': 'en-GB', 'zh': 'zh-CN', 'ko': 'ko-KR', 'vi': 'vi-VN', 'ja-easy': 'ja-JP' };

  /* "2025-03-10" or an RFC 3339 time → "3月10日(月)" / "Mon 10 March", in Japan's time zone. */
  function day(text) {
    var d = new Date(text.length === 10 ? text + 'T12:00:00+09:00' : text);
    return new Intl.DateTimeFormat(LOCALES[M.lang()] || 'ja-JP',
      { month: 'long', day: 'numeric', weekday: 'short', timeZone: 'Asia/Tokyo' }).format(d);
  }

  /* The wall-clock time of an RFC 3339 time the API gave (always +09:00). */
  function clock(text) {
    return text.slice(11, 16);
  }

  function span(rsv) {
    return day(rsv.start) + ' ' + clock(rsv.start) + '–' + clock(rsv.end);
  }

  /* "K7M4QX" → "K7M-4QX": easier to read aloud and to type. */
  function codeText(code) {
    return code.slice(0, 3) + '-' + code.slice(3);
  }

  function fact(dl, label, value, valueClass) {
    var row = document.createElement('div');
    var dt = document.createElement('dt');
    var dd = document.createElement('dd');
    dt.textContent = label;
    dd.textContent = value;
    if (valueClass) dd.className = valueClass;
    row.appendChild(dt);
    row.appendChild(dd);
    dl.appendChild(row);
    return dd;
  }

  /* The reservation: its code, office, procedure, time, state, the check-in window and the QR
   * code of its own page, so the resident can show the phone at the kiosk. */
  function card(container, rsv, token) {
    container.textContent = '';
    var box = document.createElement('p');
    box.className = 'number-box';
    var label = document.createElement('span');
    label.className = 'small';
    label.textContent = M.t('code');
    var code = document.createElement('span');
    code.className = 'number code';
    code.id = 'code';
    code.textContent = codeText(rsv.code);
    box.appendChild(label);
    box.appendChild(code);
    container.appendChild(box);

    var dl = document.createElement('dl');
    dl.className = 'facts';
    fact(dl, M.t('where'), M.name(rsv.office_name)).id = 'where';
    fact(dl, M.t('service'), M.name(rsv.service_name)).id = 'service';
    fact(dl, M.t('when'), span(rsv)).id = 'when';
    fact(dl, M.t('state'), M.t('st_' + rsv.state)).id = 'state';
    container.appendChild(dl);

    if (rsv.state === 'booked') {
      var p = document.createElement('p');
      p.className = 'checkin';
      p.id = 'checkin';
      p.textContent = M.t('checkin', { from: clock(rsv.checkin_from), until: clock(rsv.checkin_until) }) + ' ' +
        M.t('lapse', { until: clock(rsv.checkin_until) });
      container.appendChild(p);
      var img = document.createElement('img');
      img.className = 'qr';
      img.id = 'qr';
      img.alt = M.t('qr_alt');
      img.src = '/api/v1/reservations/' + encodeURIComponent(token) + '/qr';
      container.appendChild(img);
    }
    if (rsv.ticket) {
      var tp = document.createElement('p');
      tp.className = 'news';
      tp.id = 'ticket';
      var tk = rsv.ticket;
      var line = M.t('ticket', { label: tk.label });
      if (tk.state === 'waiting' && tk.position > 0)
        line += ' — ' + M.t('ticket_wait', { n: tk.position - 1, m: tk.est_wait_min });
      else if (tk.state === 'called' && tk.counter > 0)
        line += ' — ' + M.t('ticket_called', { n: tk.counter });
      tp.textContent = line;
      container.appendChild(tp);
    }
  }

  /* /r/{token}: the reservation, refreshed now and then (check-in and no-show change it). */
  function page() {
    var token = M.segment(1);
    var base = '/api/v1/reservations/' + encodeURIComponent(token);
    var rsv = null;
    var chosenLang = new URLSearchParams(location.search).has('lang');

    function show(id, yes) { M.el(id).hidden = !yes; }

    function renderStatic() {
      document.title = M.t('r_title') + ' — madoguchi';
      M.el('title').textContent = M.t('r_title');
      M.el('loading').textContent = M.t('loading');
      M.el('cancel').textContent = M.t('cancel');
      M.el('confirm-text').textContent = M.t('confirm');
      M.el('confirm-yes').textContent = M.t('yes');
      M.el('confirm-no').textContent = M.t('no');
      M.el('book-link').textContent = M.t('again');
      M.el('live').textContent = M.t('polling', { s: 30 });
    }

    function render() {
      if (!rsv) return;
      if (!chosenLang) M.setLang(rsv.lang, false);
      renderStatic();
      card(M.el('card'), rsv, token);
      show('cancel', rsv.state === 'booked');
      if (rsv.state !== 'booked') show('confirm', false);
      show('loading', false);
      show('reservation', true);
    }

    function refresh() {
      M.getJSON(base).then(function (r) {
        rsv = r;
        show('error', false);
        render();
      }, function (err) {
        show('loading', false);
        show('reservation', false);
        M.el('error').textContent = M.t(err && err.status === 404 ? 'not_found' : 'err_load');
        show('error', true);
      });
    }

    M.setLang(M.initialLang(), false);
    M.languageMenu(M.el('langs'), function () {
      chosenLang = true;
      renderStatic();
      render();
    });
    renderStatic();
    M.confirmDelete('cancel', base, function (r) {
      rsv = r;
      render();
      M.el('news').textContent = M.t('cancelled');
      M.el('news').focus();
    }, function () {
      M.el('news').textContent = M.t('cancel_failed');
      refresh();
    });
    refresh();
    setInterval(refresh, 30000);
  }

  if (document.getElementById('r-page')) page();

  return { card: card, day: day, clock: clock, span: span, codeText: codeText };
}());
