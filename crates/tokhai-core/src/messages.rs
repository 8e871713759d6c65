//! Message catalogues: the words for each issue code, in Vietnamese (default) and English.
//!
//! The browser and the server render issues with these same templates, so a refusal reason
//! reads exactly like the message the citizen saw in the form.

use crate::date::month_name;
use crate::definition::{FieldDef, Text};
use crate::form::{Field, Form};
use crate::issue::Issue;
use crate::path;
use crate::text::search_key;

/// Templates by code: `{label}` is the field's label, other `{names}` are the issue's parameters.
const CATALOG: &[(&str, &str, &str)] = &[
    ("required", "{label}: vui lòng nhập thông tin", "{label}: this information is required"),
    // The words of `required` for fields that are chosen, ticked or attached rather than typed.
    ("required.choose", "{label}: vui lòng chọn", "{label}: choose an option"),
    ("required.tick", "{label}: vui lòng đánh dấu để xác nhận", "{label}: tick the box to confirm"),
    ("required.attach", "{label}: vui lòng đính kèm tệp", "{label}: attach a file"),
    // Text left in a searchable list (the widget's) that matches no option, or several.
    ("choice.unmatched", "{label}: “{text}” không có trong danh sách, vui lòng chọn một mục trong danh sách", "{label}: “{text}” is not an option of the list; choose one from the list"),
    ("type.invalid", "{label}: giá trị không đúng kiểu ({expected})", "{label}: the value has the wrong type ({expected})"),
    ("text.too_short", "{label}: cần ít nhất {min} ký tự", "{label}: use at least {min} characters"),
    ("text.too_long", "{label}: tối đa {max} ký tự", "{label}: use at most {max} characters"),
    ("pattern.mismatch", "{label}: không đúng định dạng", "{label}: the format is not right"),
    ("number.invalid", "{label}: phải là một số", "{label}: enter a number"),
    ("number.too_small", "{label}: không được nhỏ hơn {min}", "{label}: must be {min} or more"),
    ("number.too_large", "{label}: không được lớn hơn {max}", "{label}: must be {max} or less"),
    ("number.not_integer", "{label}: phải là số nguyên, không có phần thập phân", "{label}: must be a whole number"),
    ("date.invalid", "{label}: ngày không hợp lệ; nhập ngày/tháng/năm, năm đủ 4 chữ số (ví dụ 05/03/1990 hoặc 05031990)", "{label}: not a valid date; use day/month/year with a 4-digit year (e.g. 05/03/1990 or 05031990)"),
    // The words of `date.invalid` where the field takes a year alone (`year_only`).
    ("date.invalid.year_only", "{label}: ngày không hợp lệ; nhập ngày/tháng/năm, năm đủ 4 chữ số (ví dụ 05/03/1990 hoặc 05031990), hoặc chỉ năm sinh (1990) nếu giấy tờ chỉ ghi năm", "{label}: not a valid date; use day/month/year with a 4-digit year (e.g. 05/03/1990 or 05031990), or the year alone (1990) if your papers give only the year of birth"),
    // The words of `date.invalid` for a year alone where the field wants the day and month too.
    ("date.invalid.year_alone", "{label}: nhập đủ ngày, tháng và năm, không chỉ năm (ví dụ 05/03/{year_alone})", "{label}: give the day and month too, not the year alone (e.g. 05/03/{year_alone})"),
    // The words of `date.invalid` for a date written as one that names no day: its month, or its day.
    ("date.invalid.month", "{label}: không có tháng {month}; tháng từ 1 đến 12", "{label}: there is no month {month}; months run from 1 to 12"),
    ("date.invalid.day", "{label}: tháng {month}/{year} không có ngày {day}", "{label}: {month} {year} has no day {day}"),
    ("date.too_early", "{label}: không được trước ngày {min}", "{label}: must not be before {min}"),
    ("date.too_late", "{label}: không được sau ngày {max}", "{label}: must not be after {max}"),
    ("option.unknown", "{label}: lựa chọn không có trong danh sách", "{label}: choose an option from the list"),
    ("option.not_in_parent", "{label}: không thuộc đơn vị đã chọn ở trên", "{label}: does not belong to the unit chosen above"),
    ("email.invalid", "{label}: địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn)", "{label}: enter an e-mail address like name@example.vn"),
    ("phone.format", "{label}: số điện thoại chỉ gồm chữ số (có thể bắt đầu bằng +84)", "{label}: a phone number has digits only (it may start with +84)"),
    ("phone.length", "{label}: số điện thoại không đủ hoặc thừa chữ số", "{label}: the phone number has too few or too many digits"),
    ("phone.retired", "{label}: số thuê bao 11 số đã được chuyển sang 10 số; số mới là {suggestion}", "{label}: 11-digit mobile numbers were converted to 10 digits in 2018; the new number is {suggestion}"),
    ("phone.no_such_range", "{label}: đầu số không tồn tại", "{label}: no Vietnamese phone number starts with these digits"),
    ("phone.non_personal", "{label}: đây là số dịch vụ (1800/1900), hãy nhập số liên hệ cá nhân", "{label}: this is a service number (1800/1900); enter a personal contact number"),
    ("phone.unknown_range", "{label}: đầu số chưa được xác nhận, vui lòng kiểm tra lại", "{label}: this number range is not confirmed; please check it"),
    ("pin.length", "{label}: số định danh cá nhân gồm 12 chữ số", "{label}: a personal identification number has 12 digits"),
    ("pin.format", "{label}: số định danh cá nhân chỉ gồm chữ số", "{label}: a personal identification number has digits only"),
    ("pin.future_birth_year", "{label}: năm sinh thể hiện trong số định danh ({year}) là năm trong tương lai, vui lòng kiểm tra lại", "{label}: the birth year in the number ({year}) is in the future; please check it"),
    ("pin.unknown_prefix", "{label}: mã nơi đăng ký khai sinh {prefix} không có trong danh mục, vui lòng kiểm tra lại", "{label}: birth registration code {prefix} is not in the list; please check it"),
    ("pin.birth_year_mismatch", "{label}: năm sinh trong số định danh ({pin_year}) khác năm sinh đã khai ({dob_year})", "{label}: the birth year in the number ({pin_year}) differs from the year of birth given ({dob_year})"),
    ("pin.not_female", "{label}: số định danh này là của một người nam, vui lòng kiểm tra lại", "{label}: this number is a man's; please check it"),
    ("pin.not_male", "{label}: số định danh này là của một người nữ, vui lòng kiểm tra lại", "{label}: this number is a woman's; please check it"),
    ("pin.sex_mismatch", "{label}: giới tính trong số định danh không khớp với giới tính đã khai", "{label}: the sex encoded in the number does not match the sex given"),
    ("tax_code.length", "{label}: mã số thuế gồm 10 chữ số, 13 chữ số (10 số, gạch ngang, 3 số) hoặc số định danh 12 chữ số", "{label}: a tax code has 10 digits, 10+3 digits, or is a 12-digit personal identification number"),
    ("tax_code.format", "{label}: mã số thuế không đúng định dạng", "{label}: the tax code format is not right"),
    ("tax_code.checksum", "{label}: chữ số kiểm tra của mã số thuế không đúng", "{label}: the check digit of the tax code is wrong"),
    ("tax_code.sequence_zero", "{label}: mã số thuế không hợp lệ", "{label}: this tax code cannot exist"),
    ("tax_code.branch_000", "{label}: số đơn vị phụ thuộc phải từ 001 đến 999", "{label}: the branch number must be from 001 to 999"),
    ("tax_code.ambiguous_check", "{label}: không xác minh được chữ số kiểm tra, vui lòng kiểm tra lại", "{label}: the check digit cannot be verified; please check it"),
    ("name.invalid_chars", "{label}: chỉ gồm chữ cái, dấu cách, dấu nháy và gạch nối (không dùng: {chars})", "{label}: use letters, spaces, apostrophes and hyphens only (not: {chars})"),
    ("name.not_uppercase", "{label}: viết chữ in hoa có đủ dấu", "{label}: write in capitals with full diacritics"),
    ("text.not_uppercase", "{label}: viết chữ in hoa", "{label}: write in capitals"),
    ("name.no_letter", "{label}: họ tên phải bắt đầu bằng chữ cái", "{label}: a name starts with a letter"),
    ("name.long", "{label}: họ tên dài bất thường, vui lòng kiểm tra lại", "{label}: this name is unusually long; please check it"),
    ("address.province_missing", "{label}: vui lòng chọn tỉnh, thành phố", "{label}: choose the province or city"),
    ("address.commune_missing", "{label}: vui lòng chọn xã, phường, đặc khu", "{label}: choose the commune, ward or special zone"),
    ("address.street_missing", "{label}: vui lòng nhập số nhà, đường, thôn, xóm", "{label}: enter the house number, street or hamlet"),
    ("file.too_many", "{label}: tối đa {max} tệp", "{label}: at most {max} files"),
    ("file.type", "{label}: tệp {name} không đúng loại cho phép ({accept})", "{label}: {name} is not an accepted type ({accept})"),
    ("file.too_large", "{label}: tệp {name} vượt quá {max_size}, vui lòng chọn tệp nhỏ hơn", "{label}: {name} is larger than {max_size}; please choose a smaller file"),
    ("file.uploading", "{label}: tệp {name} đang được tải lên, vui lòng chờ tải lên xong rồi gửi lại", "{label}: {name} is still uploading; wait until it is done, then send again"),
    ("file.not_uploaded", "{label}: tệp {name} chưa được tải lên, vui lòng chọn lại tệp", "{label}: {name} has not been uploaded; please choose it again"),
    ("rows.too_few", "{label}: cần ít nhất {min} {row_name}", "{label}: add at least {min} {row_names}"),
    ("rows.too_many", "{label}: tối đa {max} {row_name}", "{label}: at most {max} {row_names}"),
    ("periods.reversed", "{label}: {row_name} {at} có ngày kết thúc trước ngày bắt đầu", "{label}: {row_name} {at} ends before it starts"),
    ("periods.overlap", "{label}: {row_name} {at} trùng thời gian với {row_name} {row}", "{label}: {row_name} {at} overlaps {row_name} {row}"),
    ("periods.gap", "{label}: thiếu thời gian từ {from} đến {to} (trước {row_name} {at})", "{label}: the time from {from} to {to} is missing (before {row_name} {at})"),
    ("members.duplicate", "{label}: {row_name} {at} là cùng một người với {row_name} {row}", "{label}: {row_name} {at} is the same person as {row_name} {row}"),
    ("periods.start_uncovered", "{label}: phải kê khai từ ngày {date}", "{label}: must start on or before {date}"),
    ("periods.end_uncovered", "{label}: phải kê khai đến ngày {date}", "{label}: must run up to {date}"),
    ("prefill.signature_invalid", "Dữ liệu điền sẵn không có chữ ký hợp lệ của cổng dịch vụ công. Vui lòng tải lại biểu mẫu.", "The prefilled data has no valid signature from the portal. Please reload the form."),
    ("prefill.expired", "Dữ liệu điền sẵn đã hết hạn. Vui lòng tải lại biểu mẫu để lấy dữ liệu mới.", "The prefilled data has expired. Please reload the form to fetch it again."),
    ("prefill.form_mismatch", "Dữ liệu điền sẵn được cấp cho một biểu mẫu khác. Vui lòng tải lại biểu mẫu.", "The prefilled data was issued for another form. Please reload the form."),
    ("prefill.subject_mismatch", "Dữ liệu điền sẵn không thuộc về tài khoản đang đăng nhập. Vui lòng đăng nhập lại.", "The prefilled data does not belong to the logged-in account. Please log in again."),
    ("prefill.format", "Dữ liệu điền sẵn có định dạng không được hỗ trợ. Vui lòng tải lại biểu mẫu.", "The prefilled data has an unsupported format. Please reload the form."),
    ("prefill.locked_changed", "{label}: thông tin này lấy từ Cơ sở dữ liệu quốc gia về dân cư và không được sửa. Nếu thông tin sai, hãy đề nghị điều chỉnh dữ liệu dân cư.", "{label}: this information comes from the national population database and cannot be changed. If it is wrong, ask for the population data to be corrected."),
    ("prefill.not_own_pin", "{label}: phải là số định danh cá nhân của tài khoản đang đăng nhập.", "{label}: must be the personal identification number of the account logged in."),
    ("submission.login_required", "Phiên đăng nhập đã hết hạn nên tờ khai chưa được gửi. Thông tin bạn đã nhập vẫn được giữ: vui lòng đăng nhập lại rồi bấm Gửi tờ khai.", "Your login has expired, so the declaration was not sent. Your answers are kept: please log in again, then press “Submit the declaration”."),
    ("submission.too_large", "Hồ sơ quá lớn để gửi. Vui lòng bỏ bớt hoặc chọn tệp đính kèm nhỏ hơn rồi gửi lại.", "The application is too large to send. Please remove some attached files or choose smaller ones, then submit again."),
    ("submission.refused", "Cổng dịch vụ công chưa nhận tờ khai (mã lỗi {status}). Thông tin bạn đã nhập vẫn được giữ; vui lòng thử lại sau hoặc liên hệ bộ phận hỗ trợ.", "The portal did not accept the declaration (error {status}). Your answers are kept; please try again later or contact support."),
    ("submission.no_receipt", "Cổng dịch vụ công trả lời nhưng không gửi biên nhận, nên chưa chắc tờ khai đã được nhận. Thông tin bạn đã nhập vẫn được giữ; vui lòng bấm Gửi tờ khai lại: tờ khai đã nhận rồi sẽ không bị nộp hai lần.", "The portal answered without a receipt, so the declaration may not have been received. Your answers are kept; please press “Submit the declaration” again: a declaration already received is not filed twice."),
    ("submission.form_changed", "Biểu mẫu đã được cập nhật. Vui lòng tải lại trang và kiểm tra lại thông tin trước khi nộp.", "The form has been updated. Please reload the page and check your answers before submitting."),
    ("payload.duplicate_key", "Dữ liệu gửi lên có một khóa lặp lại (dòng {line}, cột {column})", "The submitted data gives a key twice (line {line}, column {column})"),
    ("payload.not_object", "Dữ liệu gửi lên không phải là một đối tượng JSON", "The submitted data is not a JSON object"),
    ("payload.unknown_field", "{label}: trường không có trong biểu mẫu", "{label}: no such field in the form"),
    ("payload.hidden_field", "{label}: trường này không áp dụng nhưng vẫn có giá trị", "{label}: this field does not apply but has a value"),
    ("value.not_canonical", "{label}: giá trị chưa ở dạng chuẩn, cần gửi: {expected}", "{label}: the value is not in canonical form; send: {expected}"),
    ("payload.computed_mismatch", "{label}: giá trị tự tính không khớp", "{label}: the computed value does not match"),
    ("payload.malformed", "Dữ liệu gửi lên không phải JSON hợp lệ (dòng {line}, cột {column})", "The submitted data is not valid JSON (line {line}, column {column})"),
    ("payload.lone_surrogate", "Dữ liệu gửi lên có nửa cặp thay thế UTF-16 đứng lẻ (\\uD800 đến \\uDFFF), không phải ký tự (dòng {line}, cột {column})", "The submitted data holds a lone UTF-16 surrogate (\\uD800 to \\uDFFF), which is no character (line {line}, column {column})"),
    ("payload.unexpected_key", "Dữ liệu gửi lên có mục không được phép: {key}", "The submitted data has a key that is not allowed: {key}"),
    ("payload.missing_key", "Dữ liệu gửi lên thiếu mục bắt buộc: {key}", "The submitted data lacks a required key: {key}"),
    ("payload.wrong_type", "Dữ liệu gửi lên có mục {at} sai kiểu hoặc sai giá trị", "The submitted data has a wrong type or value at {at}"),
    ("payload.invalid_value", "Dữ liệu gửi lên có mục {at} không hợp lệ (độ dài hoặc phạm vi)", "The submitted data has an invalid value at {at} (length or range)"),
    ("file.content_mismatch", "{label}: nội dung tệp {name} không khớp với loại tệp ({type})", "{label}: the content of {name} does not match its type ({type})"),
    ("file.runnable", "{label}: không nhận tệp {name}: trang web và chương trình có thể chứa mã tự chạy", "{label}: {name} is not taken: web pages and programs may hold code that runs"),
    ("file.name_type", "{label}: tên tệp {name} không khớp với loại tệp; vui lòng chọn tệp có đuôi .{ending} hoặc đổi tên tệp cho đúng", "{label}: the name {name} does not match the file's type; please choose a file ending in .{ending}, or rename it"),
    ("file.name_invalid", "{label}: tên tệp trống, quá dài hoặc có ký tự không hợp lệ", "{label}: the file name is empty, too long or has characters that are not allowed"),
    ("payload.too_large", "Dữ liệu gửi lên quá lớn (tối đa {max} byte)", "The submitted data is too large (at most {max} bytes)"),
    ("payload.incomplete", "Dữ liệu gửi lên không đến đủ: kết nối quá chậm hoặc bị ngắt", "The submitted data did not arrive in full: the connection was too slow or broke off"),
    ("payload.too_many_fields", "Hồ sơ có quá nhiều mục ({count}, tối đa {max})", "The application has too many entries ({count}, at most {max})"),
    ("payload.rate_limited", "Bạn đã gửi quá nhiều yêu cầu. Vui lòng thử lại sau {seconds} giây.", "Too many requests. Please try again in {seconds} seconds."),
    ("submission.form_unknown", "Không có biểu mẫu {form_id} trên cổng này", "There is no form {form_id} on this portal"),
    ("submission.digest_mismatch", "Mã kiểm tra không khớp với nội dung hồ sơ; hồ sơ có thể đã bị thay đổi trên đường truyền. Vui lòng nộp lại.", "The checksum does not match the application's content; it may have been altered on the way. Please submit again."),
    ("submission.key_invalid", "Mã lần nộp không hợp lệ (16 đến 128 ký tự gồm chữ, số, - hoặc _). Vui lòng tải lại trang.", "The submission key is not valid (16 to 128 letters, digits, - or _). Please reload the page."),
    ("submission.key_reused", "Mã lần nộp này đã được dùng cho một hồ sơ khác. Vui lòng tải lại trang rồi nộp lại.", "This submission key was already used for another application. Please reload the page and submit again."),
    ("submission.already_received", "Hồ sơ này đã được tiếp nhận trước đó với mã {id}. Những thay đổi sau đó chưa được gửi; nếu cần sửa, vui lòng liên hệ cơ quan tiếp nhận.", "This application was already received, with the code {id}. The changes made since were not sent; to correct it, please contact the receiving office."),
    // Said to citizens (whose own dossiers only are found) and officials alike.
    ("dossier.not_found", "Không tìm thấy hồ sơ {id}", "No application {id} was found"),
    ("dossier.file_not_found", "Hồ sơ {id} không có tệp {upload}", "Application {id} has no file {upload}"),
    ("timing.invalid", "Bản ghi thời gian không hợp lệ: quá nhiều sự kiện, thời điểm không phải số, hoặc số trường điền sẵn vượt tổng số trường", "The timing record is invalid: too many events, a time that is not a number, or more prefilled fields than fields"),
    ("timing.unknown_name", "Bản ghi thời gian (sự kiện {event}) nêu một trường, bước hoặc mã lỗi không có trong biểu mẫu", "The timing record (event {event}) names a field, step or issue code the form does not have"),
    ("timing.session_taken", "Mã phiên khai này thuộc về một lần đăng nhập khác", "This filing session id belongs to another login"),
    ("timing.form_mismatch", "Hồ sơ {id} không thuộc biểu mẫu này", "Application {id} is not of this form"),
    ("timing.no_activity", "Bản ghi thời gian không có thao tác nào của công dân: trang được mở rồi rời đi, không phải một lần khai", "The timing record holds no action of the citizen: a page opened and left is no filing"),
    ("upload.quota", "{label}: bạn đã tải lên quá nhiều tệp chưa nộp (tổng quá {max_size}); vui lòng nộp hồ sơ đang khai, hoặc chờ các tệp không dùng đến được xóa, rồi thử lại", "{label}: you have uploaded too many files not yet filed (over {max_size} in all); please file the application in progress, or wait for unused files to be deleted, then try again"),
    ("timing.too_many_open", "Đã có {max} bản ghi thời gian của bạn chưa có hồ sơ trong 24 giờ qua: bản ghi này không được lưu", "There are already {max} timing records of yours without an application in the past 24 hours: this one is not kept"),
    ("timing.receipt_unbound", "Bản ghi thời gian có sự kiện nhận hồ sơ nhưng không nêu mã hồ sơ (dossier_id)", "The timing record has a receipt event but names no application (dossier_id)"),
    ("timing.dossier_taken", "Hồ sơ {id} đã có bản ghi thời gian của một lần khai khác", "Application {id} already has the timing record of another filing"),
    ("satisfaction.already_rated", "Bạn đã đánh giá hồ sơ này rồi. Cảm ơn bạn!", "You have already rated this application. Thank you!"),
    // An official's decision on a dossier (the officials' API of the server).
    ("decision.reasons_required", "Quyết định từ chối phải nêu ít nhất một lý do", "A refusal must state at least one reason"),
    // A reason of a decision, a refusal or an acceptance, with nothing to read.
    ("decision.reason_blank", "Lý do để trống: cần ghi nội dung, có ít nhất một chữ cái hoặc chữ số", "A reason is blank: write it out, with at least one letter or digit"),
    ("decision.unknown_field", "Lý do nêu trường {field}, biểu mẫu {form_id} không có trường này", "A reason names the field {field}, which form {form_id} does not have"),
    // A decision made with an official's own token that names someone else.
    ("decision.official_not_token", "Mã truy cập này là của cán bộ {official}: quyết định chỉ được ghi tên người này", "This access token is {official}'s: the decision can only be recorded in that name"),
    ("decision.already_made", "Hồ sơ {id} đã có quyết định trước đó; quyết định đã đưa ra không thay đổi được", "Application {id} was already decided; a decision made cannot be changed"),
];

/// Renders an issue in a language (`vi`, default, or `en`) with the field's label; a pattern's
/// error says what the value must look like when the field's `pattern_message` tells.
pub fn render(issue: &Issue, form: &Form, lang: &str) -> String {
    let en = lang == "en";
    let words = match issue.code.as_str() {
        "required" => required_words(issue, form),
        "date.invalid" if issue.params.contains_key("day") => "date.invalid.day",
        "date.invalid" if issue.params.contains_key("month") => "date.invalid.month",
        "date.invalid" if issue.params.contains_key("year_only") => "date.invalid.year_only",
        "date.invalid" if issue.params.contains_key("year_alone") => "date.invalid.year_alone",
        code => code,
    };
    let explained = (issue.code == "pattern.mismatch")
        .then(|| form.field(path::field_id(&issue.path)))
        .flatten()
        .and_then(|field| field.pattern_message.as_ref());
    let template = if let Some(text) = explained {
        format!("{{label}}: {}", text.get(lang))
    } else {
        match CATALOG.iter().find(|(code, _, _)| *code == words) {
            Some((_, vi, english)) => if en { english } else { vi }.to_string(),
            None => match form.custom_message(&issue.code) {
                Some(text) => led_by_label(text.get(lang), issue, form, lang),
                None if en => format!("{{label}}: the value is not valid ({})", issue.code),
                None => format!("{{label}}: giá trị không hợp lệ ({})", issue.code),
            },
        }
    };
    let mut out = template.replace("{label}", &path_label(form, &issue.path, lang));
    if let Some(field) = form.field(path::field_id(&issue.path)) {
        let name = row_name(rows_named(form, field), lang);
        out = out
            .replace("{row_names}", &row_names(name, lang))
            .replace("{row_name}", name);
    }
    for (name, value) in &issue.params {
        let value = match name.as_str() {
            // Accepted file types in words of the language: 'PDF hoặc ảnh'.
            "accept" => file_types(value.split(", "), lang),
            // A file's largest size, given in bytes, in the language's words: "2,4 MB", "2.4 MB".
            "max_size" => value
                .parse()
                .map_or_else(|_| value.clone(), |bytes| size_text(bytes, lang)),
            "expected" if !en => type_in_vietnamese(value).to_owned(),
            // In English a month is named: "February 2027 has no day 31".
            "month" if en => value.parse().ok().and_then(month_name).unwrap_or(value).to_owned(),
            _ => value.clone(),
        };
        out = out.replace(&format!("{{{name}}}"), &value);
    }
    out
}

/// A definition's own message, led by `{label}` when it names its field neither so nor in the label's
/// words: read alone in the error summary, it must say which answer it is about.
fn led_by_label(message: &str, issue: &Issue, form: &Form, lang: &str) -> String {
    let field = form.field(path::field_id(&issue.path));
    let named = |label: &str| message.contains("{label}") || search_key(message).contains(&search_key(label));
    match field {
        Some(field) if !named(field.label.get(lang)) => format!("{{label}}: {message}"),
        _ => message.to_owned(),
    }
}

/// A byte count for people: `850 KB` (whole kilobytes, rounded up, under a megabyte), `2 MB`, `2,4 MB`
/// (`2.4 MB` in English). Whole sizes read the same in both languages. A no-break space keeps the
/// number and its unit on one line.
pub fn size_text(bytes: u64, lang: &str) -> String {
    const MB: u64 = 1 << 20;
    if bytes < MB {
        return format!("{}\u{a0}KB", bytes.div_ceil(1024));
    }
    let tenths = (bytes * 10 + MB / 2) / MB;
    match tenths % 10 {
        0 => format!("{}\u{a0}MB", tenths / 10),
        d => format!("{}{}{d}\u{a0}MB", tenths / 10, if lang == "en" { "." } else { "," }),
    }
}

/// A value's expected type (as `type.invalid` names it) in Vietnamese words.
fn type_in_vietnamese(expected: &str) -> &str {
    match expected {
        "text" => "văn bản",
        "number" => "số",
        "date" => "ngày",
        "boolean" => "có hoặc không",
        "list" => "danh sách lựa chọn",
        "address" => "địa chỉ",
        "files" => "tệp",
        "rows" => "danh sách dòng, tối đa 500 dòng",
        "row" => "một dòng",
        other => other,
    }
}

/// What a file field accepts, as a hint shown before choosing: 'Tệp PDF hoặc ảnh, mỗi tệp tối đa
/// 5 MB, tối đa 3 tệp.' (`None` when it accepts any file of any size).
pub fn file_hint(field: &FieldDef, lang: &str) -> Option<String> {
    let en = lang == "en";
    let many = field.max_files.filter(|&n| n > 1);
    let accept = field.accept.as_deref().filter(|a| !a.is_empty());
    let types = accept.map(|a| file_types(a.iter().map(String::as_str), lang));
    let size = field.max_size.map(|max| size_text(max, lang));
    let parts: Vec<String> = [
        types.map(|t| if en { format!("{t} files") } else { format!("tệp {t}") }),
        size.map(|s| match (en, many.is_some()) {
            (true, true) => format!("up to {s} each"),
            (true, false) => format!("up to {s}"),
            (false, true) => format!("mỗi tệp tối đa {s}"),
            (false, false) => format!("tối đa {s}"),
        }),
        many.map(|n| {
            if en {
                format!("at most {n} files")
            } else {
                format!("tối đa {n} tệp")
            }
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut text = parts.join(", ");
    // Every part starts with an ASCII letter (and the Unicode case tables stay out of the wasm).
    text.get_mut(..1)?.make_ascii_uppercase();
    text.push('.');
    Some(text)
}

/// Accepted media types (or extensions) in words: `application/pdf`, `image/*` → 'PDF hoặc ảnh'.
fn file_types<'a>(accept: impl Iterator<Item = &'a str>, lang: &str) -> String {
    let names: Vec<String> = accept
        .map(|a| match a {
            "image/*" if lang == "en" => "image".to_owned(),
            "image/*" => "ảnh".to_owned(),
            a => {
                let name = a
                    .strip_prefix('.')
                    .unwrap_or_else(|| a.split_once('/').map_or(a, |(_, sub)| sub));
                name.to_ascii_uppercase()
            }
        })
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!(
                "{} {} {last}",
                rest.join(", "),
                if lang == "en" { "or" } else { "hoặc" }
            )
        }
        _ => names.concat(),
    }
}

/// Which words say that a value is missing: typed, chosen, ticked or attached.
fn required_words(issue: &Issue, form: &Form) -> &'static str {
    use crate::FieldKind::*;
    let Some(field) = form.field(path::field_id(&issue.path)) else {
        return "required";
    };
    let part = issue.path.rsplit_once('.').map(|(_, p)| p);
    match field.kind {
        Address if matches!(part, Some("province" | "commune")) => "required.choose",
        Select | Radio | CheckboxGroup => "required.choose",
        Checkbox => "required.tick",
        File => "required.attach",
        _ => "required",
    }
}

/// The label of a value path of `form` in `lang`: its field's label, with the address part or row number
/// (`members[1].pin`: "Số định danh cá nhân, dòng 2"); the path itself when it names no field.
pub fn path_label(form: &Form, path: &str, lang: &str) -> String {
    let id = path::field_id(path);
    let Some(field) = form.field(id) else {
        return path.to_owned();
    };
    let mut label = field.label.get(lang).to_owned();
    let part = path
        .rsplit_once('.')
        .map(|(_, p)| p)
        .filter(|p| path::ADDRESS_PARTS.contains(p));
    if let Some(part) = part.filter(|_| field.kind == crate::FieldKind::Address) {
        label.push_str(match (part, lang) {
            ("province", "en") => " (province)",
            ("commune", "en") => " (commune, ward or special zone)",
            ("street", "en") => " (street)",
            ("province", _) => " (tỉnh, thành phố)",
            ("commune", _) => " (xã, phường, đặc khu)",
            _ => " (số nhà, đường)",
        });
    }
    if let Some(row) = row_number(path) {
        label.push_str(&format!(", {} {row}", row_name(rows_named(form, field), lang)));
    }
    label
}

/// What a group calls one of its rows in `lang`, in lower case: its `row_name`, else "dòng" / "row".
pub fn row_name<'a>(name: Option<&'a Text>, lang: &str) -> &'a str {
    name.map_or(if lang == "en" { "row" } else { "dòng" }, |n| n.get(lang))
}

/// Several rows by their name: English adds "s" ("members", "rows"), "es" after s, x, ch, sh, and "ies"
/// for a "y" after a consonant; Vietnamese says the name as it is.
pub fn row_names(name: &str, lang: &str) -> String {
    if lang != "en" {
        return name.to_owned();
    }
    match name.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ if name.ends_with(['s', 'x']) || name.ends_with("ch") || name.ends_with("sh") => format!("{name}es"),
        _ => format!("{name}s"),
    }
}

/// The `row_name` of a group, or of the group a field is in.
fn rows_named<'a>(form: &'a Form, field: &'a Field) -> Option<&'a Text> {
    let group = if field.kind == crate::FieldKind::Group {
        Some(field)
    } else {
        form.group_of(field)
    };
    group?.row_name.as_ref()
}

/// The 1-based row number in a path like `members[2].pin`.
fn row_number(path: &str) -> Option<usize> {
    let start = path.find('[')? + 1;
    let end = start + path[start..].find(']')?;
    path[start..end].parse::<usize>().ok().map(|r| r + 1)
}

/// Whether the catalogue has words for a code.
pub fn knows(code: &str) -> bool {
    CATALOG.iter().any(|(c, _, _)| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(1, "vi"), "1\u{a0}KB");
        assert_eq!(size_text(870_000, "vi"), "850\u{a0}KB");
        assert_eq!(size_text(2_516_582, "vi"), "2,4\u{a0}MB");
        assert_eq!(size_text(2_516_582, "en"), "2.4\u{a0}MB");
        assert_eq!(size_text(5 << 20, "en"), "5\u{a0}MB");
        assert_eq!(size_text(5 << 20, "vi"), "5\u{a0}MB");
    }

    fn file_field(extra: serde_json::Value) -> FieldDef {
        let mut def = serde_json::json!({ "id": "scan", "kind": "file", "label": "Bản chụp" });
        def.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::from_value(def).unwrap()
    }

    #[test]
    fn a_file_hint_says_the_types_the_size_and_the_number_accepted() {
        let many = file_field(serde_json::json!({
            "accept": ["application/pdf", "image/*"], "max_size": 5_242_880, "max_files": 3
        }));
        assert_eq!(
            file_hint(&many, "vi").unwrap(),
            "Tệp PDF hoặc ảnh, mỗi tệp tối đa 5\u{a0}MB, tối đa 3 tệp."
        );
        assert_eq!(
            file_hint(&many, "en").unwrap(),
            "PDF or image files, up to 5\u{a0}MB each, at most 3 files."
        );
        let one =
            file_field(serde_json::json!({ "accept": ["image/jpeg", "image/png", ".heic"], "max_size": 512_000 }));
        assert_eq!(
            file_hint(&one, "vi").unwrap(),
            "Tệp JPEG, PNG hoặc HEIC, tối đa 500\u{a0}KB."
        );
        assert_eq!(
            file_hint(&one, "en").unwrap(),
            "JPEG, PNG or HEIC files, up to 500\u{a0}KB."
        );
        let sized = file_field(serde_json::json!({ "max_size": 1_048_576 }));
        assert_eq!(file_hint(&sized, "vi").unwrap(), "Tối đa 1\u{a0}MB.");
        assert_eq!(file_hint(&file_field(serde_json::json!({})), "vi"), None);
    }

    /// Every issue code written in the engine's source has words in both languages.
    #[test]
    fn every_code_in_the_source_has_a_message() {
        let mut missing = Vec::new();
        let mut found = 0;
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut dirs = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                let src = std::fs::read_to_string(&p).unwrap();
                for marker in ["error(\"", "warning(\""] {
                    for piece in src.split(marker).skip(1) {
                        let code = piece.split('"').next().unwrap();
                        let is_code = code.starts_with(|c: char| c.is_ascii_lowercase())
                            && code
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c));
                        if is_code && (code.contains('.') || code == "required") {
                            found += 1;
                            if !knows(code) {
                                missing.push(format!("{code} ({})", p.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(found > 40, "only {found} codes found: the scan is broken");
        assert!(missing.is_empty(), "codes without messages: {missing:?}");
        for (code, vi, en) in CATALOG {
            assert!(!vi.is_empty() && !en.is_empty() && vi != en, "{code}");
        }
    }

    #[test]
    fn a_row_is_named_as_its_group_calls_it() {
        let def = |row_name: &str| {
            format!(
                r#"{{"tokhai": 1, "id": "f", "version": "1", "title": "F", "steps": [{{"id": "s", "title": "S",
                  "sections": [{{"id": "m", "fields": [{{"id": "owners", "kind": "group", "min_rows": 2, {row_name}
                  "label": {{"vi": "Đồng sở hữu", "en": "Co-owners"}}, "fields": [{{"id": "o_name", "kind": "name",
                  "label": {{"vi": "Họ tên", "en": "Name"}}, "required": true}}]}}]}}]}}]}}"#
            )
        };
        let named = Form::compile(&def(r#""row_name": {"vi": "người", "en": "owner"},"#)).unwrap();
        let plain = Form::compile(&def("")).unwrap();
        let missing = Issue::error("owners[1].o_name", "required");
        assert_eq!(
            render(&missing, &named, "vi"),
            "Họ tên, người 2: vui lòng nhập thông tin"
        );
        assert_eq!(
            render(&missing, &named, "en"),
            "Name, owner 2: this information is required"
        );
        assert_eq!(
            render(&missing, &plain, "vi"),
            "Họ tên, dòng 2: vui lòng nhập thông tin"
        );
        assert_eq!(
            ["member", "row", "address", "party"].map(|n| row_names(n, "en")),
            ["members", "rows", "addresses", "parties"]
        );
        let few = Issue::error("owners", "rows.too_few").with("min", 2);
        assert_eq!(render(&few, &named, "en"), "Co-owners: add at least 2 owners");
        assert_eq!(render(&few, &named, "vi"), "Đồng sở hữu: cần ít nhất 2 người");
        assert_eq!(render(&few, &plain, "vi"), "Đồng sở hữu: cần ít nhất 2 dòng");
        let overlap = Issue::error("owners", "periods.overlap").with("at", 2).with("row", 1);
        assert_eq!(render(&overlap, &named, "en"), "Co-owners: owner 2 overlaps owner 1");
    }

    #[test]
    fn row_numbers_are_one_based() {
        assert_eq!(row_number("members[0].pin"), Some(1));
        assert_eq!(row_number("pin"), None);
    }
}
