//! The widget's own words (buttons, headings, hints), Vietnamese first, English second.
//!
//! Issue messages are not here: they come from tokhai-core's catalogues (`messages::render`).

use tokhai_core::Text;

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
    /// Button that returns to a step from the review page.
    Change,
    /// Heading of the error summary.
    SummaryTitle,
    /// Prefix read before an error message.
    ErrorPrefix,
    /// Prefix read before a warning message.
    WarningPrefix,
    /// Accessible name of the progress indicator.
    Progress,
    /// "Step {n} of {total}".
    StepOf,
    /// Empty first option of a drop-down list.
    Choose,
    /// Button that adds a row to a repeat group.
    AddRow,
    /// Button that removes row {n}.
    RemoveRow,
    /// Legend of row {n}.
    Row,
    /// Hint of date fields.
    DateHint,
    /// Yes, for check boxes on the review page.
    Yes,
    /// No, for check boxes on the review page.
    No,
    /// The language switch, naming the other language.
    OtherLanguage,
    /// Where a prefilled value came from.
    Prefilled,
    /// A prefilled value that cannot be changed.
    Locked,
    /// Heading of the confirmation after submission.
    Submitted,
    /// "Reference: {n}" on the confirmation.
    Reference,
    /// Shown while the submission is being sent.
    Sending,
    /// Province part of an address.
    Province,
    /// Commune part of an address.
    Commune,
    /// Street part of an address.
    Street,
    /// Status of a search list with {n} results.
    Results,
    /// Status of a search list with no result.
    NoResults,
    /// Shown in a dependent list before its parent is chosen.
    ChooseParentFirst,
    /// "(required)" read after the legend of a required group.
    Required,
    /// An empty answer on the review page.
    NotGiven,
    /// The sending failed.
    SendFailed,
}

impl Word {
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
            Word::Change => ("Sửa", "Change"),
            Word::SummaryTitle => ("Có thông tin cần sửa", "There is a problem"),
            Word::ErrorPrefix => ("Lỗi: ", "Error: "),
            Word::WarningPrefix => ("Lưu ý: ", "Warning: "),
            Word::Progress => ("Các bước", "Steps"),
            Word::StepOf => ("Bước {n}/{total}", "Step {n} of {total}"),
            Word::Choose => ("— Chọn —", "— Select —"),
            Word::AddRow => ("Thêm dòng", "Add a row"),
            Word::RemoveRow => ("Xoá dòng {n}", "Remove row {n}"),
            Word::Row => ("Dòng {n}", "Row {n}"),
            Word::DateHint => (
                "Nhập ngày/tháng/năm, ví dụ 05/03/1990",
                "Day/month/year, for example 05/03/1990",
            ),
            Word::Yes => ("Có", "Yes"),
            Word::No => ("Không", "No"),
            Word::OtherLanguage => ("English", "Tiếng Việt"),
            Word::Prefilled => (
                "Lấy từ Cơ sở dữ liệu quốc gia về dân cư",
                "From the national population database",
            ),
            Word::Locked => ("không sửa được", "cannot be changed"),
            Word::Submitted => ("Đã gửi tờ khai", "Declaration submitted"),
            Word::Reference => ("Mã hồ sơ: {n}", "Reference: {n}"),
            Word::Sending => ("Đang gửi…", "Sending…"),
            Word::Province => ("Tỉnh/thành phố", "Province or city"),
            Word::Commune => ("Xã/phường/đặc khu", "Commune, ward or special zone"),
            Word::Street => ("Số nhà, đường phố, thôn/xóm", "House number, street, hamlet"),
            Word::Results => ("{n} kết quả", "{n} results"),
            Word::NoResults => ("Không tìm thấy", "No match"),
            Word::ChooseParentFirst => ("Chọn mục phía trên trước", "Choose the item above first"),
            Word::Required => (" (bắt buộc)", " (required)"),
            Word::NotGiven => ("Không khai", "Not given"),
            Word::SendFailed => (
                "Chưa gửi được tờ khai. Vui lòng thử lại.",
                "The declaration could not be sent. Please try again.",
            ),
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
}

/// A piece of text shown in the widget, re-rendered when the language changes.
#[derive(Clone, Debug)]
pub enum Txt {
    /// Text from the definition.
    Def(Text),
    /// A chrome word.
    Word(Word),
    /// A chrome word with a number, e.g. "Row 2".
    Numbered(Word, usize),
}

impl Txt {
    /// The text in a language.
    pub fn render(&self, lang: &str) -> String {
        match self {
            Txt::Def(t) => t.get(lang).to_owned(),
            Txt::Word(w) => w.get(lang).to_owned(),
            Txt::Numbered(w, n) => w.fill(lang, &n.to_string(), ""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fill_numbers_in_both_languages() {
        assert_eq!(Word::StepOf.fill("vi", "2", "4"), "Bước 2/4");
        assert_eq!(Word::StepOf.fill("en", "2", "4"), "Step 2 of 4");
        assert_eq!(Txt::Numbered(Word::RemoveRow, 3).render("en"), "Remove row 3");
        assert_eq!(Word::Next.get("fr"), "Tiếp tục");
    }

    #[test]
    fn definition_text_falls_back_to_vietnamese() {
        let t = Txt::Def(Text::Vi("Họ và tên".into()));
        assert_eq!(t.render("en"), "Họ và tên");
    }
}
