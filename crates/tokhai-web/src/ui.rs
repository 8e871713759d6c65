//! The widget's own words (buttons, headings, hints), Vietnamese first, English second.
//!
//! Issue messages are not here: they come from tokhai-core's catalogues (`messages::render`).

use tokhai_core::{messages, text, Text};

/// A word or phrase of the widget's chrome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// The button that goes to the next step.
    Next,
    /// The button that goes to the review page.
    ToReview,
    /// The button that goes back one step.
    Back,
    /// The final submit button.
    Submit,
    /// Heading of the review page.
    ReviewTitle,
    /// On the review page: the procedure's time limit for these answers, {n} working days.
    TimeLimit,
    /// On the review page: a time limit of the day the dossier is received.
    TimeLimitSameDay,
    /// Button that returns to a step from the review page.
    Change,
    /// Heading of the error summary.
    SummaryTitle,
    /// The summary's heading when an answer on a later step made one here wrong.
    SummaryEarlierStep,
    /// Said on a step the citizen is taken to, rather than back to the review page, by a changed answer.
    MoreToAnswer,
    /// Prefix read before an error message.
    ErrorPrefix,
    /// Prefix read before a warning message.
    WarningPrefix,
    /// Accessible name of the progress indicator.
    Progress,
    /// "Step {n} of {total}".
    StepOf,
    /// "{n} of {total} steps done", above the review page.
    StepsDone,
    /// Empty first option of a drop-down list.
    Choose,
    /// Button that adds a row to a repeat group (`{row}`: what the group calls one).
    AddRow,
    /// Button that removes row {n}.
    RemoveRow,
    /// Said once a row is added.
    RowAdded,
    /// Said once a row is removed, with the rows left.
    RowRemoved,
    /// A group holds its most rows, `{n}`: none can be added.
    RowsFull,
    /// Said after the title of a step done, in the progress list.
    StepDone,
    /// Legend of row {n}.
    Row,
    /// Hint of date fields, with an example `{date}` also written as `{digits}`.
    DateHint,
    /// Hint of a date box that also takes the year alone (`year_only`).
    DateHintYearOnly,
    /// Hint of a field the form works out itself.
    Computed,
    /// The language switch, naming the other language.
    OtherLanguage,
    /// Said once the language is switched, in the new language.
    LanguageSwitched,
    /// Where a prefilled value came from.
    Prefilled,
    /// A prefilled value that cannot be changed.
    Locked,
    /// At a field national data could not fill (its value cannot be the field's).
    NotPrefilled,
    /// Heading of the confirmation after submission.
    Submitted,
    /// "Reference: {n}" on the confirmation.
    Reference,
    /// "Received: {n}" (the back end's time of receipt) on the confirmation.
    ReceivedAt,
    /// "Decision due by {n}" (the end of the procedure's time limit, as the back end set it) on the confirmation.
    DueAt,
    /// On the confirmation of a dossier the back end had received before the citizen changed answers.
    ReceivedEarlier,
    /// Under a text area: {n} characters left.
    CharactersLeft,
    /// Under a text area: {n} characters over the maximum.
    CharactersOver,
    /// Shown while the submission is being sent.
    Sending,
    /// Province part of an address.
    Province,
    /// Commune part of an address.
    Commune,
    /// Street part of an address.
    Street,
    /// Status of a search list with one result.
    OneResult,
    /// Status of a search list with {n} results.
    Results,
    /// Status of a search list with no result.
    NoResults,
    /// Shown in a dependent list before its parent, named by `{label}`, is chosen.
    ChooseParentFirst,
    /// "(required)" read after the legend of a required group.
    Required,
    /// The error summary's heading when the declaration was not sent for a reason that is no answer's.
    NotSent,
    /// The sending failed, for no reason the back end gave.
    SendFailed,
    /// Status while the dossier is being sent.
    SendingDossier,
    /// Status when the connection is lost and the dossier waits in the browser.
    Offline,
    /// The browser is offline and nothing keeps the filing on this device (drafts off, or cleared).
    OfflineUnsaved,
    /// Status while the filing is tried again automatically.
    Retrying,
    /// Status when retries ran out and the dossier waits in the browser.
    Queued,
    /// Status when an answer changed while the dossier waited: it will not be sent as it was.
    Withdrawn,
    /// Status when the form changed since the dossier was left waiting: it is not sent as it was.
    FormChanged,
    /// Status while a dossier saved earlier is being sent.
    Resending,
    /// National data is slow to answer.
    PrefillLoading,
    /// National data did not answer: the citizen types instead.
    PrefillFailed,
    /// National data came with a refusal (the back end checked the answers against it) and was filled in.
    PrefillApplied,
    /// Some national data could not be filled in (a value its field cannot hold): the citizen gives
    /// it; `{n}`: the fields.
    PrefillPartial,
    /// A PIN typed in a household member's row is not in the citizen's household.
    MemberNotFound,
    /// A household member's details could not be fetched yet (no connection): asked again.
    MemberRetrying,
    /// A household member's row was filled from national data.
    MemberFilled,
    /// How a screen reader says a listed member's masked PIN: `{n}` its first digits, `{total}` its last.
    MaskedPinHeard,
    /// A household member's row was filled from national data but for some fields (`{n}`).
    MemberFilledPartly,
    /// The legend of the list of the citizen's household members above a group's rows.
    HouseholdLegend,
    /// How the list of household members is used.
    HouseholdHint,
    /// A dependent list's choice `{n}` was emptied: it is not under the new choice of list `{label}`.
    ChoiceCleared,
    /// A dependent list's choice `{n}` was emptied with list `{label}`'s choice.
    ChoiceClearedWithParent,
    /// The same form (and draft) is open in another tab of the browser.
    OpenElsewhere,
    /// The same form was filed from another tab, as application {n}.
    FiledElsewhere,
    /// Status after a draft was restored.
    DraftRestored,
    /// Status after a draft was restored without the answers {n} that no longer fit the form.
    DraftDropped,
    /// Status after a draft was restored without the files {n} chosen before (a browser keeps none).
    DraftFiles,
    /// Button that removes the chosen file {n} (of size {total}) from a file box.
    RemoveFile,
    /// Said once file {n} is removed.
    FileRemoved,
    /// Said when files {n}, already in a box that takes several, are chosen again.
    FileChosenAgain,
    /// The file box's button, in the form's language (the browser's own says it in the browser's).
    ChooseFile,
    /// The file box's button once it holds files and takes more: a choice adds to them.
    ChooseMoreFiles,
    /// A file box with no file chosen.
    NoFileChosen,
    /// Under a file field while its files {n} are being uploaded.
    Uploading,
    /// Under a file field once the back end keeps its files {n}.
    Uploaded,
    /// Said to screen readers when files {n} could not be uploaded (the field shows the error).
    UploadFailed,
    /// Status after Submit while files are still uploading.
    WaitingForUploads,
    /// Heading of the summary on the receipt.
    SubmittedSummary,
    /// The button that prints the receipt.
    Print,
    /// The satisfaction question.
    RateQuestion,
    /// Rating 1.
    Rate1,
    /// Rating 2.
    Rate2,
    /// Rating 3.
    Rate3,
    /// Rating 4.
    Rate4,
    /// Rating 5.
    Rate5,
    /// Label of the optional comment.
    RateComment,
    /// The button that sends the rating.
    RateSend,
    /// Thanks after the rating was recorded.
    RateThanks,
    /// The rating could not be sent.
    RateFailed,
    /// Shown when the rating was sent without choosing.
    RateChoose,
}

impl Word {
    /// Whether a status says what became of the citizen's press on "Gửi tờ khai" (said above the
    /// buttons), rather than of the form as it opened (said at its top).
    pub fn is_about_filing(self) -> bool {
        use Word::*;
        matches!(
            self,
            SendingDossier | Offline | OfflineUnsaved | Retrying | Queued | Resending | Withdrawn | WaitingForUploads
        )
    }

    /// The word in a language (`vi` or `en`).
    pub fn get(self, lang: &str) -> &'static str {
        let (vi, en) = match self {
            Word::Next => ("Tiếp tục", "Continue"),
            Word::ToReview => ("Kiểm tra lại tờ khai", "Check your answers"),
            Word::Back => ("Quay lại", "Back"),
            Word::Submit => ("Gửi tờ khai", "Submit the declaration"),
            Word::ReviewTitle => (
                "Kiểm tra lại thông tin trước khi gửi",
                "Check your answers before submitting",
            ),
            Word::TimeLimit => (
                "Thời hạn giải quyết: {n} ngày làm việc kể từ ngày tiếp nhận hồ sơ. Giấy biên nhận sẽ ghi thời điểm hẹn trả kết quả.",
                "Time limit: {n} working days from the day your application is received. Your receipt will give the date.",
            ),
            Word::TimeLimitSameDay => (
                "Thời hạn giải quyết: trong ngày tiếp nhận hồ sơ. Giấy biên nhận sẽ ghi thời điểm hẹn trả kết quả.",
                "Time limit: the day your application is received. Your receipt will give the time.",
            ),
            Word::Change => ("Sửa", "Change"),
            Word::SummaryTitle => ("Có thông tin cần sửa", "There is a problem"),
            Word::SummaryEarlierStep => (
                "Câu trả lời ở bước sau làm thông tin ở bước này cần sửa",
                "An answer on a later step means this step needs changing",
            ),
            Word::MoreToAnswer => (
                "Câu trả lời vừa sửa cần thêm thông tin ở bước này.",
                "The answer you changed needs more information on this step.",
            ),
            Word::ErrorPrefix => ("Lỗi: ", "Error: "),
            Word::WarningPrefix => ("Lưu ý: ", "Warning: "),
            Word::Progress => ("Các bước", "Steps"),
            Word::StepOf => ("Bước {n}/{total}", "Step {n} of {total}"),
            Word::StepsDone => ("Đã khai xong {n}/{total} bước", "{n} of {total} steps done"),
            Word::Choose => ("— Chọn —", "— Select —"),
            Word::AddRow => ("Thêm {row}", "Add {a_row}"),
            Word::RemoveRow => ("Xóa {row} {n}", "Remove {row} {n}"),
            Word::Row => ("{Row} {n}", "{Row} {n}"),
            Word::RowAdded => ("Đã thêm {row} {n}.", "{Row} {n} added."),
            Word::RowRemoved => ("Đã xóa {row} {n}, còn {total}.", "{Row} {n} removed, {total} left."),
            Word::StepDone => (" (đã xong)", " (done)"),
            Word::RowsFull => ("Đã đủ số {row} tối đa ({n}).", "No more {row_names} can be added ({n} at most)."),
            Word::DateHint => (
                "Nhập ngày/tháng/năm, ví dụ {date}, hoặc gõ liền {digits}",
                "Day/month/year, for example {date}, or the digits alone: {digits}",
            ),
            Word::DateHintYearOnly => (
                "Nhập ngày/tháng/năm, ví dụ {date}, hoặc gõ liền {digits}; chỉ ghi năm ({year}) nếu giấy tờ chỉ có năm sinh",
                "Day/month/year, for example {date}, or the digits alone: {digits}; the year alone ({year}) if your papers give only the year",
            ),
            Word::Computed => (
                "Tự động điền từ các thông tin bạn đã khai",
                "Filled in from your other answers",
            ),
            Word::OtherLanguage => ("English", "Tiếng Việt"),
            Word::LanguageSwitched => ("Đã chuyển sang tiếng Việt.", "Switched to English."),
            Word::Prefilled => (
                "Lấy từ Cơ sở dữ liệu quốc gia về dân cư",
                "From the national population database",
            ),
            Word::Locked => ("không sửa được", "cannot be changed"),
            Word::NotPrefilled => (
                "Không điền sẵn được từ Cơ sở dữ liệu quốc gia về dân cư: vui lòng tự nhập",
                "Could not be filled in from the national population database: please give it yourself",
            ),
            Word::Submitted => ("Đã gửi tờ khai", "Declaration submitted"),
            Word::Reference => ("Mã hồ sơ: {n}", "Reference: {n}"),
            Word::ReceivedAt => ("Thời gian tiếp nhận: {n}", "Received: {n}"),
            Word::DueAt => ("Hẹn trả kết quả: trước {n}", "Decision due by {n}"),
            Word::ReceivedEarlier => (
                "Hồ sơ này đã được tiếp nhận từ lần gửi trước, nên những thay đổi sau đó chưa được gửi. Nội dung dưới \
                 đây là nội dung đã được tiếp nhận; nếu cần sửa, vui lòng liên hệ cơ quan tiếp nhận hồ sơ.",
                "This application had already been received from an earlier attempt, so the changes made since were \
                 not sent. Below is what was received; to correct it, please contact the receiving office.",
            ),
            Word::CharactersLeft => ("Còn lại {n} ký tự", "Characters left: {n}"),
            Word::CharactersOver => ("Vượt quá {n} ký tự", "Characters over the limit: {n}"),
            Word::Sending => ("Đang gửi…", "Sending…"),
            Word::Province => ("Tỉnh/thành phố", "Province or city"),
            Word::Commune => ("Xã/phường/đặc khu", "Commune, ward or special zone"),
            Word::Street => ("Số nhà, đường phố, thôn/xóm", "House number, street, hamlet"),
            Word::Results => ("{n} kết quả", "{n} results"),
            Word::OneResult => ("1 kết quả", "1 result"),
            Word::NoResults => ("Không tìm thấy", "No match"),
            Word::ChooseParentFirst => ("Chọn “{label}” trước", "Choose “{label}” first"),
            Word::Required => (" (bắt buộc)", " (required)"),
            Word::NotSent => ("Chưa gửi được tờ khai", "The declaration was not sent"),
            Word::SendFailed => (
                "Thông tin bạn đã nhập vẫn được giữ; vui lòng bấm Gửi tờ khai để thử lại.",
                "Your answers are kept; please press “Submit the declaration” to try again.",
            ),
            Word::SendingDossier => ("Đang gửi hồ sơ…", "Sending your application…"),
            Word::Offline => (
                "Mất kết nối — hồ sơ đã được lưu và sẽ tự động gửi khi có mạng.",
                "Connection lost — your application is saved and will be sent automatically when you are back online.",
            ),
            Word::OfflineUnsaved => (
                "Mất kết nối — hồ sơ sẽ được gửi khi có mạng. Vui lòng giữ trang này mở cho đến khi gửi xong.",
                "Connection lost — your application will be sent when you are back online. Please keep this page open until it is sent.",
            ),
            Word::Retrying => (
                "Chưa gửi được hồ sơ, đang tự động thử lại…",
                "The application was not sent yet; trying again automatically…",
            ),
            Word::Withdrawn => (
                "Vì bạn đã sửa thông tin, hồ sơ đang chờ sẽ không được gửi. Bấm Gửi tờ khai để gửi thông tin mới.",
                "As you changed an answer, the application that was waiting will not be sent. Press “Submit the \
                 declaration” to send the new answers.",
            ),
            Word::FormChanged => (
                "Biểu mẫu đã được cập nhật nên hồ sơ đang chờ chưa được gửi. Vui lòng kiểm tra lại thông tin rồi bấm \
                 Gửi tờ khai.",
                "The form has been updated, so the application that was waiting was not sent. Please check your \
                 answers, then press “Submit the declaration”.",
            ),
            Word::Queued => (
                "Chưa gửi được hồ sơ. Hồ sơ đã được lưu trên máy này và sẽ tự động gửi lại sau ít phút, khi có mạng \
                 hoặc khi bạn mở lại trang. Bạn cũng có thể bấm Gửi tờ khai để gửi ngay.",
                "The application could not be sent yet. It is saved on this device and will be sent again automatically \
                 in a minute, when the connection returns or when you open this page again. You can also press \
                 “Submit the declaration” to send it now.",
            ),
            Word::Resending => ("Đang gửi hồ sơ đã lưu trước đó…", "Sending the application saved earlier…"),
            Word::PrefillLoading => (
                "Đang lấy thông tin của bạn từ Cơ sở dữ liệu quốc gia về dân cư…",
                "Fetching your details from the national population database…",
            ),
            Word::PrefillApplied => (
                "Thông tin của bạn trong Cơ sở dữ liệu quốc gia về dân cư đã được điền vào tờ khai thay cho thông tin \
                 đã nhập. Vui lòng kiểm tra lại rồi gửi tờ khai.",
                "Your details from the national population database have been filled in instead of what was typed. \
                 Please check them, then submit the form.",
            ),
            Word::PrefillFailed => (
                "Chưa lấy được thông tin từ Cơ sở dữ liệu quốc gia về dân cư. Bạn vẫn có thể tự nhập và nộp tờ khai.",
                "Your details could not be fetched from the national population database. You can still fill in \
                 and submit the form yourself.",
            ),
            Word::PrefillPartial => (
                "Một số thông tin không điền sẵn được vào tờ khai: {n}. Vui lòng tự nhập.",
                "Some of your details could not be filled in for you: {n}. Please give them yourself.",
            ),
            Word::OpenElsewhere => (
                "Tờ khai này đang được mở ở một thẻ khác của trình duyệt. Để không mất thông tin, vui lòng chỉ khai \
                 ở một thẻ và đóng thẻ còn lại.",
                "This form is also open in another tab of the browser. To keep your answers, please fill it in one \
                 tab only and close the other.",
            ),
            Word::FiledElsewhere => (
                "Tờ khai này đã được gửi từ một thẻ khác (mã hồ sơ {n}). Những gì nhập thêm ở đây không được lưu.",
                "This form was sent from another tab (application {n}). What you enter here is not saved.",
            ),
            Word::MemberRetrying => (
                "Chưa lấy được thông tin người này từ hộ gia đình do mất kết nối; tờ khai sẽ tự thử lại khi có mạng.",
                "This person's details could not be fetched from your household yet (no connection); the form will try again once it is back.",
            ),
            Word::ChoiceCleared => (
                "Đã bỏ “{n}” vì không thuộc “{label}” vừa chọn.",
                "“{n}” was cleared: it is not in the “{label}” just chosen.",
            ),
            Word::ChoiceClearedWithParent => (
                "Đã bỏ “{n}” vì “{label}” đã bị xóa.",
                "“{n}” was cleared: “{label}” was emptied.",
            ),
            Word::HouseholdLegend => ("Người trong hộ gia đình của bạn", "People in your household"),
            Word::HouseholdHint => (
                "Đánh dấu người cần khai: thông tin của họ được điền sẵn từ Cơ sở dữ liệu quốc gia về dân cư.",
                "Tick the people to declare: their details are filled in from the national population database.",
            ),
            Word::MemberFilledPartly => (
                "Đã điền thông tin người này từ hộ gia đình của bạn, trừ: {n}. Vui lòng tự nhập.",
                "This person's details were filled in from your household, but for: {n}. Please give them yourself.",
            ),
            Word::MemberFilled => (
                "Đã điền thông tin người này từ hộ gia đình của bạn (Cơ sở dữ liệu quốc gia về dân cư).",
                "This person's details were filled in from your household (National Population Database).",
            ),
            Word::MaskedPinHeard => (
                ", số định danh bắt đầu {n}, kết thúc {total}",
                ", ID number starting {n}, ending {total}",
            ),
            Word::MemberNotFound => (
                "Không lấy được thông tin người có số định danh này từ hộ gia đình của bạn. Bạn hãy tự nhập thông tin người này.",
                "This person's details could not be fetched from your household. Please fill them in yourself.",
            ),
            Word::DraftRestored => (
                "Đã khôi phục thông tin bạn nhập trước đó.",
                "Your earlier answers have been restored.",
            ),
            Word::DraftDropped => (
                "Đã khôi phục thông tin bạn nhập trước đó. Biểu mẫu đã thay đổi nên các thông tin sau không còn phù hợp \
                 và đã được bỏ: {n}.",
                "Your earlier answers have been restored. The form has changed, so these answers no longer fit and \
                 were dropped: {n}.",
            ),
            Word::DraftFiles => (
                "Đã khôi phục thông tin bạn nhập trước đó. Tệp đã chọn không được lưu lại, bạn hãy chọn lại: {n}.",
                "Your earlier answers have been restored. Chosen files are not kept; please choose them again: {n}.",
            ),
            Word::RemoveFile => ("Bỏ tệp {n} ({total})", "Remove {n} ({total})"),
            Word::FileRemoved => ("Đã bỏ tệp {n} ({total}).", "{n} ({total}) removed."),
            Word::FileChosenAgain => (
                "Tệp {n} đã có trong danh sách, không thêm lần nữa.",
                "{n} is already in the list; it is not added again.",
            ),
            Word::ChooseFile => ("Chọn tệp", "Choose file"),
            Word::ChooseMoreFiles => ("Chọn thêm tệp", "Choose more files"),
            Word::NoFileChosen => ("Chưa chọn tệp", "No file chosen"),
            Word::Uploading => ("Đang tải lên: {n}…", "Uploading: {n}…"),
            Word::Uploaded => ("Đã tải lên: {n}.", "Uploaded: {n}."),
            Word::WaitingForUploads => (
                "Đang chờ tải tệp lên xong, hồ sơ sẽ được gửi ngay sau đó…",
                "Waiting for the files to finish uploading; the application is sent right after…",
            ),
            Word::UploadFailed => (
                "Chưa tải lên được: {n}. Vui lòng chọn lại tệp.",
                "Could not upload: {n}. Please choose the file again.",
            ),
            Word::SubmittedSummary => ("Thông tin đã gửi", "What you submitted"),
            Word::Print => ("In giấy biên nhận", "Print the receipt"),
            Word::RateQuestion => (
                "Bạn thấy việc khai tờ khai này dễ hay khó?",
                "How easy was it to fill in this form?",
            ),
            Word::Rate1 => ("1 — Rất khó", "1 — Very hard"),
            Word::Rate2 => ("2 — Khó", "2 — Hard"),
            Word::Rate3 => ("3 — Bình thường", "3 — Neither easy nor hard"),
            Word::Rate4 => ("4 — Dễ", "4 — Easy"),
            Word::Rate5 => ("5 — Rất dễ", "5 — Very easy"),
            Word::RateComment => ("Góp ý thêm (không bắt buộc)", "Comment (optional)"),
            Word::RateSend => ("Gửi đánh giá", "Send the rating"),
            Word::RateThanks => ("Cảm ơn bạn đã đánh giá.", "Thank you for your rating."),
            Word::RateFailed => (
                "Chưa gửi được đánh giá. Vui lòng thử lại.",
                "The rating could not be sent. Please try again.",
            ),
            Word::RateChoose => ("Vui lòng chọn một mức đánh giá.", "Please choose a rating."),
        };
        if lang == "en" {
            en
        } else {
            vi
        }
    }

    /// The word with `{n}` (and `{total}`) filled in.
    pub fn fill(self, lang: &str, n: &str, total: &str) -> String {
        self.get(lang).replace("{n}", n).replace("{total}", total)
    }

    /// A word about a group's rows, filled in with what the group calls one (its `row_name`, else
    /// "dòng"; `{Row}` capitalised), `{n}` and `{total}`.
    pub fn rows(self, lang: &str, row_name: Option<&Text>, n: usize, total: usize) -> String {
        let name = messages::row_name(row_name, lang);
        let first = name.chars().next().map_or(0, char::len_utf8);
        let capital = text::uppercase(&name[..first]) + &name[first..];
        let filled = self.fill(lang, &n.to_string(), &total.to_string());
        (filled.replace("{a_row}", &text::with_article(name)))
            .replace("{row_names}", &messages::row_names(name, lang))
            .replace("{Row}", &capital)
            .replace("{row}", name)
    }
}

/// A piece of text shown in the widget, re-rendered when the language changes.
#[derive(Clone, Debug)]
pub enum Txt {
    /// Text from the definition.
    Def(Text),
    /// A chrome word.
    Word(Word),
    /// A word about a group's rows, with a number and what the group calls a row: "Thành viên 2".
    Rows(Word, usize, Option<Box<Text>>),
    /// A chrome word naming another text, e.g. Choose “Province” first.
    Naming(Word, Box<Txt>),
}

/// Whether a definition text shown in `lang` is its Vietnamese for want of English.
pub fn falls_back(t: &Text, lang: &str) -> bool {
    lang == "en" && !t.has_english()
}

impl Txt {
    /// The text in a language.
    pub fn render(&self, lang: &str) -> String {
        match self {
            Txt::Def(t) => t.get(lang).to_owned(),
            Txt::Word(w) => w.get(lang).to_owned(),
            Txt::Rows(w, n, row) => w.rows(lang, row.as_deref(), *n, 0),
            Txt::Naming(w, named) => w.get(lang).replace("{label}", &named.render(lang)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_became_of_a_filing_is_said_by_the_buttons_what_the_form_opened_with_at_its_top() {
        // Waiting in the browser, then sent again once online: one place, where "Gửi tờ khai" was pressed.
        for filing in [
            Word::SendingDossier,
            Word::Queued,
            Word::Resending,
            Word::Offline,
            Word::WaitingForUploads,
        ] {
            assert!(filing.is_about_filing(), "{filing:?}");
        }
        for opening in [
            Word::PrefillFailed,
            Word::PrefillPartial,
            Word::DraftRestored,
            Word::FormChanged,
        ] {
            assert!(!opening.is_about_filing(), "{opening:?}");
        }
    }

    #[test]
    fn words_fill_numbers_in_both_languages() {
        assert_eq!(Word::StepOf.fill("vi", "2", "4"), "Bước 2/4");
        assert_eq!(Word::StepOf.fill("en", "2", "4"), "Step 2 of 4");
        assert_eq!(Word::StepsDone.fill("en", "4", "4"), "4 of 4 steps done");
        assert_eq!(Txt::Rows(Word::RemoveRow, 3, None).render("en"), "Remove row 3");
        let member = Text::Both {
            vi: "thành viên".into(),
            en: Some("member".into()),
        };
        assert_eq!(
            Txt::Rows(Word::Row, 2, Some(Box::new(member.clone()))).render("vi"),
            "Thành viên 2"
        );
        assert_eq!(
            Word::RowRemoved.rows("en", Some(&member), 2, 1),
            "Member 2 removed, 1 left."
        );
        assert_eq!(Word::Row.rows("vi", None, 1, 0), "Dòng 1");
        let owner = Text::Vi("đồng sở hữu".into());
        assert_eq!(Word::AddRow.rows("vi", Some(&owner), 0, 0), "Thêm đồng sở hữu");
        assert_eq!(Word::Row.rows("vi", Some(&owner), 3, 0), "Đồng sở hữu 3");
        assert_eq!(Word::Next.get("fr"), "Tiếp tục");
    }

    #[test]
    fn a_note_names_the_list_it_waits_for_in_the_language_shown() {
        let note = Txt::Naming(Word::ChooseParentFirst, Box::new(Txt::Word(Word::Province)));
        assert_eq!(note.render("vi"), "Chọn “Tỉnh/thành phố” trước");
        assert_eq!(note.render("en"), "Choose “Province or city” first");
    }

    #[test]
    fn only_a_text_without_english_falls_back_and_only_in_english() {
        let vi_only = Text::Vi("Họ và tên".into());
        let both = Text::Both {
            vi: "Nam".into(),
            en: Some("Male".into()),
        };
        assert!(falls_back(&vi_only, "en"));
        assert!(!falls_back(&vi_only, "vi"));
        assert!(!falls_back(&both, "en"));
    }

    #[test]
    fn sending_statuses_are_vietnamese_first() {
        assert_eq!(Word::Retrying.get("vi"), "Chưa gửi được hồ sơ, đang tự động thử lại…");
        assert!(Word::Offline.get("vi").starts_with("Mất kết nối — hồ sơ đã được lưu"));
        assert!(Word::Offline.get("en").starts_with("Connection lost"));
        assert!(
            Word::Queued.get("en").contains("when the connection returns"),
            "continued lines keep their space"
        );
        assert!(Word::DraftDropped
            .fill("vi", "Số fax", "")
            .ends_with("đã được bỏ: Số fax."));
    }

    #[test]
    fn definition_text_falls_back_to_vietnamese() {
        let t = Txt::Def(Text::Vi("Họ và tên".into()));
        assert_eq!(t.render("en"), "Họ và tên");
    }
}
