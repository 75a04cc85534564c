/* kiosk_text: the kiosk's words in six languages, and how numbers and dates go into them. */
#include "kiosk_text.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/*
 * One row per message, one column per language in enum proto_lang order:
 * ja, en, zh, ko, vi, ja-easy (やさしい日本語: short sentences, kana, spaces between words).
 */
static const char *const texts[KIOSK_MSG_COUNT][PROTO_LANG_COUNT] = {
	[KIOSK_MSG_LANG_NAME] = { "日本語", "English", "中文", "한국어", "Tiếng Việt", "やさしい日本語" },
	[KIOSK_MSG_LANG_LABEL] = { "言語", "Language", "语言", "언어", "Ngôn ngữ", "ことば" },
	[KIOSK_MSG_TITLE] = { "番号札発行機", "Ticket machine", "取号机", "번호표 발급기", "Máy lấy số thứ tự",
			      "ばんごうふだ の きかい" },
	[KIOSK_MSG_CHOOSE] = { "ご用件の番号を押してください", "Press the number of your procedure",
			       "请按下您要办理业务的编号", "용무에 해당하는 번호를 눌러 주세요",
			       "Hãy bấm số của thủ tục bạn cần làm", "ようじ の ばんごう を おして ください" },
	[KIOSK_MSG_WAITING] = { "待ち {1}人", "{1} waiting", "等候 {1}人", "대기 {1}명", "{1} người đang chờ",
				"まっている ひと {1}にん" },
	[KIOSK_MSG_MINUTES] = { "約{1}分", "about {1} min", "约{1}分钟", "약 {1}분", "khoảng {1} phút",
				"やく {1}ふん" },
	[KIOSK_MSG_NO_WAIT] = { "すぐにご案内", "no wait", "无需等候", "대기 없음", "không phải chờ", "すぐ よびます" },
	[KIOSK_MSG_NOT_OPEN] = { "窓口準備中", "counter not open yet", "窗口尚未开放", "창구 준비 중", "quầy chưa mở",
				 "まどぐち は まだ あいて いません" },
	[KIOSK_MSG_SCAN_HINT] = { "ご予約の方：予約のQRコードを読み取り機にかざしてください",
				  "Have a reservation? Hold its QR code to the scanner",
				  "已预约的客人：请将预约二维码对准扫描器",
				  "예약하신 분: 예약 QR코드를 스캐너에 대 주세요",
				  "Đã đặt lịch hẹn? Hãy đưa mã QR đặt hẹn vào máy quét",
				  "よやく した ひと：よやく の QRコード を きかい に かざして ください" },
	[KIOSK_MSG_TYPE_HINT] = { "（予約コードを入力してEnterキーを押しても受け付けます）",
				  "(or type the reservation code and press Enter)",
				  "（也可以输入预约码后按Enter键）", "(예약 코드를 입력하고 Enter를 눌러도 됩니다)",
				  "(hoặc nhập mã đặt hẹn rồi bấm Enter)",
				  "（よやく の コード を うって Enter を おしても いいです）" },
	[KIOSK_MSG_CONFIRM] = { "「{1}」の番号札を発行します", "Ticket for: {1}", "办理业务：{1}",
				"선택한 업무: {1}", "Thủ tục: {1}", "「{1}」の ばんごうふだ を だします" },
	[KIOSK_MSG_TAKE] = { "番号札を受け取る", "Take a ticket", "取号", "번호표 받기", "Lấy số thứ tự",
			     "ばんごうふだ を もらう" },
	[KIOSK_MSG_ASK_PRIORITY] = { "優先受付を希望する（妊娠中・ご高齢・障がいのある方・付き添いの方など）",
				     "I would like priority service (pregnancy, older age, disability, "
				     "accompanying someone)",
				     "希望优先办理（孕妇、高龄、残障人士、陪同者等）",
				     "우선 접수를 원합니다 (임신 중, 고령, 장애, 동반자 등)",
				     "Tôi cần được ưu tiên (mang thai, cao tuổi, khuyết tật, người đi kèm)",
				     "さきに よんで ほしい（おなか に あかちゃん が いる、おとしより、しょうがい など）" },
	[KIOSK_MSG_BACK] = { "戻る", "Back", "返回", "뒤로", "Quay lại", "もどる" },
	[KIOSK_MSG_PRIORITY_TITLE] = { "あてはまるものをお選びください", "Please choose what applies to you",
				       "请选择符合您情况的选项", "해당하는 항목을 선택해 주세요",
				       "Hãy chọn mục phù hợp với bạn", "あてはまる もの を えらんで ください" },
	[KIOSK_MSG_PRIORITY_NOTE] = { "証明書などは必要ありません。窓口で職員がお手伝いします。",
				      "No proof is needed. Staff will be glad to help you at the counter.",
				      "无需出示任何证明。工作人员会在窗口为您提供帮助。",
				      "증명서는 필요 없습니다. 창구에서 직원이 도와드립니다.",
				      "Không cần giấy tờ chứng minh. Nhân viên sẽ hỗ trợ bạn tại quầy.",
				      "しょうめい する もの は いりません。まどぐち で しょくいん が てつだいます。" },
	[KIOSK_MSG_PRIO_PREGNANT] = { "妊娠中", "Pregnant", "怀孕中", "임신 중", "Đang mang thai",
				      "おなか に あかちゃん が いる" },
	[KIOSK_MSG_PRIO_ELDERLY] = { "ご高齢", "Older person", "高龄人士", "고령자", "Người cao tuổi",
				     "おとしより" },
	[KIOSK_MSG_PRIO_DISABLED] = { "障がいがある", "Disability", "残障人士", "장애가 있음",
				      "Người khuyết tật", "しょうがい が ある" },
	[KIOSK_MSG_PRIO_ACCOMPANIED] = { "介助の必要な方の付き添い", "Accompanying someone who needs help",
					 "陪同需要帮助的人", "도움이 필요한 분과 동행", "Đi cùng người cần hỗ trợ",
					 "てつだい が ひつような ひと と いっしょ" },
	[KIOSK_MSG_PRIO_OTHER] = { "その他（体調がすぐれないなど）", "Other (for example, feeling unwell)",
				   "其他（如身体不适）", "기타 (몸이 불편한 경우 등)",
				   "Lý do khác (ví dụ: không khỏe)",
				   "そのほか（からだ の ちょうし が わるい など）" },
	[KIOSK_MSG_PRIORITY_CHOSEN] = { "優先受付：{1}", "Priority service: {1}", "优先办理：{1}",
					"우선 접수: {1}", "Ưu tiên: {1}", "さきに よびます：{1}" },
	[KIOSK_MSG_PLEASE_WAIT] = { "少々お待ちください", "One moment, please", "请稍候", "잠시만 기다려 주세요",
				    "Xin vui lòng chờ một chút", "すこし まって ください" },
	[KIOSK_MSG_YOUR_NUMBER] = { "あなたの番号", "Your number", "您的号码", "고객님의 번호", "Số của bạn",
				    "あなた の ばんごう" },
	[KIOSK_MSG_AHEAD] = { "あなたの前に {1}人", "{1} ahead of you", "您前面还有 {1}人", "앞에 {1}명 대기",
			      "Còn {1} người trước bạn", "あなた の まえ に {1}にん" },
	[KIOSK_MSG_NONE_AHEAD] = { "まもなくお呼びします", "You will be called shortly", "马上就会叫到您",
				   "곧 호출됩니다", "Bạn sẽ sớm được gọi", "もうすぐ よびます" },
	[KIOSK_MSG_EST] = { "待ち時間の目安：約{1}分", "Estimated wait: about {1} min", "预计等候：约{1}分钟",
			    "예상 대기 시간: 약 {1}분", "Thời gian chờ dự kiến: khoảng {1} phút",
			    "まつ じかん：やく {1}ふん" },
	[KIOSK_MSG_TAKE_TICKET] = { "番号札をお取りください。QRコードをスマートフォンで読み取ると順番を確認できます。",
				    "Please take your ticket. Scan its QR code with your phone to follow your turn.",
				    "请取走号码票。用手机扫描二维码即可查看排队进度。",
				    "번호표를 받아 주세요. 휴대폰으로 QR코드를 읽으면 순서를 확인할 수 있습니다.",
				    "Hãy lấy phiếu số. Quét mã QR bằng điện thoại để theo dõi lượt của bạn.",
				    "ばんごうふだ を とって ください。スマートフォン で QRコード を よむと、"
				    "じゅんばん が わかります。" },
	[KIOSK_MSG_PRINTING] = { "印刷しています", "Printing", "正在打印", "인쇄 중입니다", "Đang in",
				 "いんさつ して います" },
	[KIOSK_MSG_PRINT_FAILED] = { "番号札を印刷できませんでしたが、この番号は有効です。",
				     "The ticket could not be printed, but your number is valid.",
				     "号码票未能打印，但您的号码有效。",
				     "번호표를 인쇄하지 못했지만 이 번호는 유효합니다.",
				     "Không in được phiếu, nhưng số của bạn vẫn có hiệu lực.",
				     "ばんごうふだ が でません でした。でも この ばんごう で だいじょうぶ です。" },
	[KIOSK_MSG_PHOTO] = { "この画面の番号とQRコードを、スマートフォンで写真に撮ってください。",
			      "Please take a photo of this screen (the number and the QR code) with your phone.",
			      "请用手机拍下此画面上的号码和二维码。",
			      "휴대폰으로 이 화면의 번호와 QR코드를 사진으로 찍어 주세요.",
			      "Hãy chụp ảnh màn hình này (số và mã QR) bằng điện thoại.",
			      "この がめん の ばんごう と QRコード を スマートフォン で しゃしん に とって ください。" },
	[KIOSK_MSG_NO_PRINTER] = { "この画面のQRコードをスマートフォンで読み取るか、写真に撮ってください。",
				   "Scan this QR code with your phone, or take a photo of it.",
				   "请用手机扫描或拍下此二维码。",
				   "휴대폰으로 이 QR코드를 읽거나 사진으로 찍어 주세요.",
				   "Hãy quét mã QR này bằng điện thoại hoặc chụp ảnh lại.",
				   "この QRコード を スマートフォン で よむか、しゃしん に とって ください。" },
	/* For the staff who come to help, so Japanese whatever the resident chose. */
	[KIOSK_MSG_STAFF_REPRINT] = { "係員の方へ：madoguchi-print {1} で再印刷できます",
				      "係員の方へ：madoguchi-print {1} で再印刷できます",
				      "係員の方へ：madoguchi-print {1} で再印刷できます",
				      "係員の方へ：madoguchi-print {1} で再印刷できます",
				      "係員の方へ：madoguchi-print {1} で再印刷できます",
				      "係員の方へ：madoguchi-print {1} で再印刷できます" },
	[KIOSK_MSG_FINISH] = { "終わったらEnterキーを押してください", "Press Enter when you are done",
			       "完成后请按Enter键", "완료되면 Enter를 눌러 주세요", "Bấm Enter khi xong",
			       "おわったら Enter を おして ください" },
	[KIOSK_MSG_CHECKED_IN] = { "チェックインしました。予約の時間にお呼びします。",
				   "You are checked in. We will call you at your reservation time.",
				   "签到成功。我们将在您预约的时间叫号。", "체크인되었습니다. 예약 시간에 호출해 드립니다.",
				   "Bạn đã xác nhận có mặt. Chúng tôi sẽ gọi bạn vào giờ đã hẹn.",
				   "うけつけ しました。よやく の じかん に よびます。" },
	[KIOSK_MSG_UNAVAILABLE] = { "申し訳ありません。ただいま番号札を発行できません。",
				    "Sorry, tickets cannot be issued right now.", "非常抱歉，目前无法取号。",
				    "죄송합니다. 지금은 번호표를 발급할 수 없습니다.",
				    "Xin lỗi, hiện không thể cấp phiếu số.",
				    "ごめんなさい。いま ばんごうふだ を だせません。" },
	[KIOSK_MSG_NOT_CONFIRMED] = { "申し訳ありません。番号札の発行を確認できませんでした。",
				      "Sorry, we could not confirm your ticket.", "非常抱歉，无法确认是否已取号。",
				      "죄송합니다. 번호표 발급을 확인하지 못했습니다.",
				      "Xin lỗi, không xác nhận được phiếu số của bạn.",
				      "ごめんなさい。ばんごうふだ が でたか わかりません。" },
	[KIOSK_MSG_ASK_DESK] = { "お手数ですが、総合案内でお尋ねください。", "Please ask at the information desk.",
				 "请到综合咨询处询问。", "안내 데스크에 문의해 주세요.",
				 "Vui lòng hỏi tại quầy hướng dẫn.", "あんない の まどぐち で きいて ください。" },
	[KIOSK_MSG_RETRYING] = { "自動的に再接続しています", "Reconnecting automatically", "正在自动重新连接",
				 "자동으로 다시 연결하고 있습니다", "Đang tự động kết nối lại",
				 "いま つなぎなおして います" },
	[KIOSK_MSG_CLOSED] = { "ただいま受付時間外です。", "The office is closed now.", "现在不在受理时间内。",
			       "지금은 접수 시간이 아닙니다.", "Hiện đã ngoài giờ tiếp nhận.",
			       "いま は うけつけ の じかん では ありません。" },
	[KIOSK_MSG_NEXT_OPEN] = { "次の受付開始：{1}", "Opens again: {1}", "下次受理开始：{1}", "다음 접수 시작: {1}",
				  "Mở cửa lại: {1}", "つぎ に あく じかん：{1}" },
	[KIOSK_MSG_BAD_SCAN] = { "コードを読み取れませんでした。番号札は発行していません。",
				 "The code could not be read. No ticket was issued.",
				 "无法读取该代码，未发放号码票。", "코드를 읽을 수 없습니다. 번호표는 발급되지 않았습니다.",
				 "Không đọc được mã. Chưa cấp phiếu số nào.",
				 "コード を よめません でした。ばんごうふだ は でて いません。" },
	[KIOSK_MSG_TICKET_QR] = { "これは番号札のQRコードです（予約ではありません）。スマートフォンで読み取ると順番を確認できます。",
				  "This is a waiting ticket's QR code, not a reservation. Scan it with your phone to "
				  "follow your turn.",
				  "这是号码票的二维码，不是预约码。用手机扫描即可查看排队进度。",
				  "이것은 번호표의 QR코드이며 예약이 아닙니다. 휴대폰으로 읽으면 순서를 확인할 수 있습니다.",
				  "Đây là mã QR của phiếu số, không phải mã đặt hẹn. Hãy quét bằng điện thoại để theo "
				  "dõi lượt.",
				  "これは ばんごうふだ の QRコード です。よやく では ありません。" },
	[KIOSK_MSG_NO_SUCH_CHOICE] = { "その番号はありません。", "There is no such number.", "没有这个编号。",
				       "그런 번호는 없습니다.", "Không có số này.", "その ばんごう は ありません。" },
	[KIOSK_MSG_RES_NOT_FOUND] = { "この予約コードは見つかりませんでした。", "This reservation code was not found.",
				      "找不到该预约码。", "이 예약 코드를 찾을 수 없습니다.",
				      "Không tìm thấy mã đặt hẹn này.", "この よやく の コード は ありません。" },
	[KIOSK_MSG_RES_WRONG_OFFICE] = { "このご予約は別の区役所のものです。", "This reservation is for another office.",
					 "该预约属于其他区政府。", "이 예약은 다른 구청의 예약입니다.",
					 "Lịch hẹn này là của văn phòng khác.",
					 "この よやく は ほか の くやくしょ の よやく です。" },
	[KIOSK_MSG_RES_WRONG_OFFICE_AT] = { "このご予約は{1}のものです。{1}へお越しください。",
					    "This reservation is for {1}. Please go there.", "该预约属于{1}，请前往该处。",
					    "이 예약은 {1}의 예약입니다. 그곳으로 가 주세요.",
					    "Lịch hẹn này là của {1}. Vui lòng đến đó.",
					    "この よやく は {1} の よやく です。{1} に いって ください。" },
	[KIOSK_MSG_RES_EARLY] = { "まだチェックインの時間ではありません。", "It is too early to check in.",
				  "还未到签到时间。", "아직 체크인 시간이 아닙니다.", "Chưa đến giờ xác nhận có mặt.",
				  "まだ うけつけ の じかん では ありません。" },
	[KIOSK_MSG_RES_LATE] = { "チェックインの時間を過ぎています。", "The check-in time has passed.",
				 "已超过签到时间。", "체크인 시간이 지났습니다.", "Đã quá giờ xác nhận có mặt.",
				 "うけつけ の じかん が すぎました。" },
	[KIOSK_MSG_RES_USED] = { "このご予約はすでにチェックイン済みです。", "This reservation is already checked in.",
				 "该预约已经签到。", "이 예약은 이미 체크인되었습니다.",
				 "Lịch hẹn này đã được xác nhận rồi.", "この よやく は もう うけつけ しました。" },
	[KIOSK_MSG_RES_CANCELLED] = { "このご予約は取り消されています。", "This reservation was cancelled.",
				      "该预约已取消。", "이 예약은 취소되었습니다.", "Lịch hẹn này đã bị hủy.",
				      "この よやく は とりけされて います。" },
	[KIOSK_MSG_RES_REFUSED] = { "このご予約は今チェックインできません。",
				    "This reservation cannot be checked in now.", "该预约现在无法签到。",
				    "이 예약은 지금 체크인할 수 없습니다.", "Hiện không thể xác nhận lịch hẹn này.",
				    "この よやく は いま うけつけ できません。" },
	[KIOSK_MSG_RES_SLOT] = { "ご予約：{1}", "Your reservation: {1}", "您的预约：{1}", "예약 시간: {1}",
				 "Lịch hẹn của bạn: {1}", "よやく：{1}" },
	[KIOSK_MSG_CHECKIN_FROM] = { "チェックインは {1} からできます。", "Check-in opens at {1}.", "签到从 {1} 开始。",
				     "체크인은 {1}부터 가능합니다.", "Có thể xác nhận có mặt từ {1}.",
				     "{1} から うけつけ できます。" },
	[KIOSK_MSG_WALKIN_OFFER] = { "代わりに「{1}」の番号札を受け取る", "Take a regular ticket for {1} instead",
				     "改为领取「{1}」的号码票", "대신 「{1}」 번호표 받기",
				     "Lấy số thứ tự thường cho {1}", "かわりに「{1}」の ばんごうふだ を もらう" },
	[KIOSK_MSG_NOT_OFFERED] = { "この手続きは現在受け付けていません。", "This procedure is not available right now.",
				    "目前不受理该业务。", "이 업무는 현재 접수하지 않습니다.",
				    "Thủ tục này hiện không được tiếp nhận.", "この てつづき は いま できません。" },
	[KIOSK_MSG_BUSY] = { "混み合っています。少し待ってからもう一度お試しください。",
			     "The system is busy. Please try again in a moment.", "系统繁忙，请稍后再试。",
			     "혼잡합니다. 잠시 후 다시 시도해 주세요.",
			     "Hệ thống đang bận. Vui lòng thử lại sau giây lát.",
			     "こんで います。すこし まって、もう いちど おして ください。" },
	[KIOSK_MSG_CODE_ENTRY] = { "予約コード：{1}", "Reservation code: {1}", "预约码：{1}", "예약 코드: {1}",
				   "Mã đặt hẹn: {1}", "よやく の コード：{1}" },
	[KIOSK_MSG_LOADING] = { "準備しています", "Getting ready", "正在准备", "준비 중입니다", "Đang chuẩn bị",
				"じゅんび して います" },
	[KIOSK_MSG_WHEN] = { "{1}月{2}日（{3}）{4}:{5}", "{3} {2} {6}, {4}:{5}", "{1}月{2}日（{3}）{4}:{5}",
			     "{1}월 {2}일 ({3}) {4}:{5}", "{4}:{5}, {3} {2}/{1}", "{1}がつ {2}にち（{3}） {4}:{5}" },
	[KIOSK_MSG_WEEKDAYS] = { "日|月|火|水|木|金|土", "Sun|Mon|Tue|Wed|Thu|Fri|Sat",
				 "周日|周一|周二|周三|周四|周五|周六", "일|월|화|수|목|금|토",
				 "Chủ nhật|Thứ Hai|Thứ Ba|Thứ Tư|Thứ Năm|Thứ Sáu|Thứ Bảy",
				 "にちようび|げつようび|かようび|すいようび|もくようび|きんようび|どようび" },
	[KIOSK_MSG_MONTHS] = { "1|2|3|4|5|6|7|8|9|10|11|12", "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec",
			       "1|2|3|4|5|6|7|8|9|10|11|12", "1|2|3|4|5|6|7|8|9|10|11|12",
			       "1|2|3|4|5|6|7|8|9|10|11|12", "1|2|3|4|5|6|7|8|9|10|11|12" },
};

/* Priority reasons and their words, in enum proto_priority order. */
static const enum kiosk_msg priority_msgs[PROTO_PRIO_COUNT] = {
	[PROTO_PRIO_NONE] = KIOSK_MSG_COUNT,
	[PROTO_PRIO_PREGNANT] = KIOSK_MSG_PRIO_PREGNANT,
	[PROTO_PRIO_ELDERLY] = KIOSK_MSG_PRIO_ELDERLY,
	[PROTO_PRIO_DISABLED] = KIOSK_MSG_PRIO_DISABLED,
	[PROTO_PRIO_ACCOMPANIED] = KIOSK_MSG_PRIO_ACCOMPANIED,
	[PROTO_PRIO_OTHER] = KIOSK_MSG_PRIO_OTHER,
};

const char *
kiosk_text(enum proto_lang lang, enum kiosk_msg msg)
{
	const char *text = "";

	if ((unsigned)msg < KIOSK_MSG_COUNT)
		text = texts[msg][(unsigned)lang < PROTO_LANG_COUNT ? lang : PROTO_JA];
	return text != NULL ? text : "";
}

enum kiosk_msg
kiosk_text_priority(enum proto_priority prio)
{
	return (unsigned)prio < PROTO_PRIO_COUNT ? priority_msgs[prio] : KIOSK_MSG_COUNT;
}

size_t
kiosk_text_charlen(unsigned char lead)
{
	return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

/* Appends len bytes of s to buf, whole characters only; returns the new used length. */
static size_t
append(char *buf, size_t size, size_t used, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = kiosk_text_charlen((unsigned char)s[i]);

		if (i + n > len || used + n >= size)
			break;
		memcpy(buf + used, s + i, n);
		used += n;
		i += n;
	}
	buf[used] = '\0';
	return used;
}

size_t
kiosk_text_format(char *buf, size_t size, enum proto_lang lang, enum kiosk_msg msg, const char *const *args,
		  int nargs)
{
	const char *p = kiosk_text(lang, msg);
	size_t used = 0;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	while (*p != '\0') {
		const char *brace = strchr(p, '{');

		if (brace == NULL) {
			used = append(buf, size, used, p, strlen(p));
			break;
		}
		used = append(buf, size, used, p, (size_t)(brace - p));
		if (brace[1] >= '1' && brace[1] <= '9' && brace[2] == '}') {
			int k = brace[1] - '1';

			if (k < nargs && args[k] != NULL)
				used = append(buf, size, used, args[k], strlen(args[k]));
			p = brace + 3;
		} else {
			used = append(buf, size, used, brace, 1);
			p = brace + 1;
		}
	}
	return used;
}

size_t
kiosk_text_number(char *buf, size_t size, enum proto_lang lang, enum kiosk_msg msg, long n)
{
	char number[24];
	const char *args[1] = { number };

	snprintf(number, sizeof(number), "%ld", n);
	return kiosk_text_format(buf, size, lang, msg, args, 1);
}

/* The index-th |-separated field of a message, copied into out. */
static void
field(enum proto_lang lang, enum kiosk_msg msg, int index, char *out, size_t size)
{
	const char *p = kiosk_text(lang, msg);
	size_t len;

	for (int i = 0; i < index && p != NULL; i++) {
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		p = "";
	len = strcspn(p, "|");
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = '\0';
}

void
kiosk_text_when(char *buf, size_t size, enum proto_lang lang, int64_t utc)
{
	/* Japan has kept UTC+9 without daylight saving since 1951. */
	time_t t = (time_t)(utc + 9 * 3600);
	char month[16], day[16], weekday[32], hour[16], minute[16], month_name[16];
	const char *args[6] = { month, day, weekday, hour, minute, month_name };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(month, sizeof(month), "%d", tm.tm_mon + 1);
	snprintf(day, sizeof(day), "%d", tm.tm_mday);
	snprintf(hour, sizeof(hour), "%d", tm.tm_hour);
	snprintf(minute, sizeof(minute), "%02d", tm.tm_min);
	field(lang, KIOSK_MSG_WEEKDAYS, tm.tm_wday, weekday, sizeof(weekday));
	field(lang, KIOSK_MSG_MONTHS, tm.tm_mon, month_name, sizeof(month_name));
	kiosk_text_format(buf, size, lang, KIOSK_MSG_WHEN, args, 6);
}

/*
 * Code points a terminal draws two columns wide (East Asian Wide and Fullwidth), as
 * xterm, tmux and the Linux console's CJK-capable front ends (kmscon, fbterm) do.
 * Ambiguous-width characters count 1, as those terminals draw them by default.
 */
static const struct {
	unsigned first, last;
} wide[] = {
	{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff }, { 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff }, { 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f }, { 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f }, { 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
};

/* Decodes one character at s (len bytes left); *n is how many bytes it took. */
static unsigned
decode(const unsigned char *s, size_t len, size_t *n)
{
	size_t want = kiosk_text_charlen(s[0]);
	unsigned cp = s[0];

	if (want == 1 || want > len) {
		*n = 1;
		return s[0] < 0x80 ? s[0] : 0xfffd;
	}
	cp = s[0] & (0x7f >> want);
	for (size_t i = 1; i < want; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*n = i;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*n = want;
	return cp;
}

/* Columns of one code point: 0 for combining marks and controls, 2 for wide ones. */
static int
cp_width(unsigned cp)
{
	int w = 1;

	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp <= 0x36f) || cp == 0x200b ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		w = 0;
	for (size_t i = 0; w == 1 && i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i].first && cp <= wide[i].last)
			w = 2;
	return w;
}

int
kiosk_text_width(const char *utf8)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = strlen(utf8), i = 0, n;
	int cols = 0;

	while (i < len) {
		cols += cp_width(decode(s + i, len - i, &n));
		i += n;
	}
	return cols;
}

size_t
kiosk_text_fit(const char *utf8, int cols)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = strlen(utf8), i = 0, n;
	int used = 0;

	while (i < len) {
		int w = cp_width(decode(s + i, len - i, &n));

		if (used + w > cols)
			break;
		used += w;
		i += n;
	}
	return i;
}
