//! Prefill bundles: values from national data with their source, lock flag and signature.
//!
//! The host's connector returns a citizen as the national population database does (a JSON
//! rendering of QCVN 109: upper-case names, `YYYYMMDD` dates, places with province, district
//! and commune codes, which may still be the pre-2025 three-level ones). [`normalize_population`]
//! turns such a reply into registry attributes (`population.*`, listed in [`POPULATION_ATTRIBUTES`]);
//! [`prefill_values`] maps them onto a form's fields as the session would store them; a
//! [`PrefillBundle`] carries them with subject, form and validity, and the host signs
//! [`PrefillBundle::signing_bytes`]. At submission [`check_bundle`] finds every locked value that
//! was changed and [`provenance`] records which field came from which source.
//!
//! Reply shape (every key optional; codes may be strings or numbers):
//!
//! ```json
//! { "SoDinhDanh": "001090012345", "SoCMND": "012345678",
//!   "HoVaTen": {"Ho": "", "ChuDem": "", "Ten": "NGUYỄN VĂN AN"}, "GioiTinh": "1",
//!   "NgayThangNamSinh": {"NgayThangNam": "19900115", "Nam": "1990"},
//!   "DanToc": {"MaDanToc": "01", "TenGoi": "Kinh"}, "TonGiao": {"MaTonGiao": "00", "TenGoi": "Không"},
//!   "QuocTich": "VN", "TinhTrangHonNhan": "2", "SoDienThoai": "0912345678", "Email": "an@example.vn",
//!   "NoiSinh": PLACE, "NoiDangKyKhaiSinh": PLACE, "QueQuan": PLACE, "ThuongTru": PLACE, "NoiOHienTai": PLACE,
//!   "TamTru": PLACE, "NhomMau": "O",
//!   "CCCD": {"NgayCap": "20210615", "NoiCap": "CỤC CẢNH SÁT …", "NgayHetHan": "20300115"},
//!   "ChuHo": {"SoDinhDanh": "…", "HoVaTen": "…", "QuanHe": "Con"},
//!   "Cha": PERSON, "Me": PERSON, "VoChong": PERSON,
//!   "ThanhVienHo": [PERSON with "NgayThangNamSinh", …] }   (the household's members, the citizen too)
//! PLACE  = { "MaTinhThanh": "01", "MaQuanHuyen": "001", "MaPhuongXa": "00004", "ChiTiet": "SỐ 12 PHỐ HÀNG BÀI",
//!            "TenTinhThanh": "…", "TenQuanHuyen": "…", "TenPhuongXa": "…" }   (no district = 2025 units)
//! PERSON = { "SoDinhDanh": "…", "HoVaTen": "…" or {"Ho","ChuDem","Ten"} }
//! ```

use crate::canonical::canonical_json;
use crate::catalog::Catalogs;
use crate::definition::{FieldDef, FieldKind, FormDef, OptionDef};
use crate::form::DefinitionError;
use crate::issue::Issue;
use crate::normalize::normalize;
use crate::path::ADDRESS_PARTS;
use crate::session::Session;
use crate::text::{clean_line, lowercase, search_key, uppercase};
use crate::Date;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use std::collections::BTreeMap;

/// Version of the bundle format, part of the signed bytes.
pub const BUNDLE_FORMAT: u32 = 1;

/// What a registry attribute holds, which decides how it fills a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrKind {
    /// Free text.
    Text,
    /// A personal name (upper case in the registry).
    Name,
    /// An ISO date.
    Date,
    /// `nam` or `nu`.
    Sex,
    /// A 12-digit personal identification number.
    Pin,
    /// A place: `{province, commune, street, text, complete}`.
    Place,
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A code from a fixed list (documented per attribute).
    Code,
}

impl AttrKind {
    /// The kind as `tokhai attributes` lists it.
    pub fn name(self) -> &'static str {
        match self {
            AttrKind::Text => "text",
            AttrKind::Name => "name",
            AttrKind::Date => "date",
            AttrKind::Sex => "sex",
            AttrKind::Pin => "pin",
            AttrKind::Place => "place",
            AttrKind::Phone => "phone",
            AttrKind::Email => "email",
            AttrKind::Code => "code",
        }
    }
}

/// One attribute of the national population database that a form can prefill from.
#[derive(Clone, Copy, Debug)]
pub struct Attribute {
    /// Name used in definitions, e.g. `population.full_name`.
    pub name: &'static str,
    /// Kind of value.
    pub kind: AttrKind,
    /// Meaning, in Vietnamese.
    pub vi: &'static str,
    /// Meaning, in English.
    pub en: &'static str,
}

const fn attr(name: &'static str, kind: AttrKind, vi: &'static str, en: &'static str) -> Attribute {
    Attribute { name, kind, vi, en }
}

/// Every `population.*` attribute (Law on Identification 2023 Art. 9; shapes of QCVN 109).
pub const POPULATION_ATTRIBUTES: &[Attribute] = &[
    attr(
        "population.full_name",
        AttrKind::Name,
        "Họ, chữ đệm và tên khai sinh",
        "Full name at birth",
    ),
    attr(
        "population.dob",
        AttrKind::Date,
        "Ngày, tháng, năm sinh",
        "Date of birth",
    ),
    attr("population.birth_year", AttrKind::Text, "Năm sinh", "Year of birth"),
    attr("population.sex", AttrKind::Sex, "Giới tính (nam/nu)", "Sex (nam/nu)"),
    attr(
        "population.pin",
        AttrKind::Pin,
        "Số định danh cá nhân",
        "Personal identification number",
    ),
    attr(
        "population.cmnd9",
        AttrKind::Text,
        "Số CMND 9 số",
        "Old 9-digit identity card number",
    ),
    attr("population.ethnicity", AttrKind::Text, "Dân tộc", "Ethnicity"),
    attr("population.religion", AttrKind::Text, "Tôn giáo", "Religion"),
    attr("population.nationality", AttrKind::Text, "Quốc tịch", "Nationality"),
    attr("population.birth_place", AttrKind::Place, "Nơi sinh", "Place of birth"),
    attr(
        "population.birth_registration_place",
        AttrKind::Place,
        "Nơi đăng ký khai sinh",
        "Place of birth registration",
    ),
    attr("population.hometown", AttrKind::Place, "Quê quán", "Hometown"),
    attr(
        "population.permanent_address",
        AttrKind::Place,
        "Nơi thường trú",
        "Permanent residence",
    ),
    attr(
        "population.current_address",
        AttrKind::Place,
        "Nơi ở hiện tại",
        "Current residence",
    ),
    attr(
        "population.temporary_address",
        AttrKind::Place,
        "Nơi tạm trú",
        "Temporary residence",
    ),
    attr(
        "population.blood_type",
        AttrKind::Text,
        "Nhóm máu (khi công dân đã đăng ký)",
        "Blood type (when the citizen registered it)",
    ),
    attr(
        "population.id_issue_date",
        AttrKind::Date,
        "Ngày cấp thẻ căn cước / CCCD",
        "Issue date of the identity card",
    ),
    attr(
        "population.id_issuer",
        AttrKind::Text,
        "Nơi cấp thẻ căn cước / CCCD",
        "Issuing authority of the identity card",
    ),
    attr(
        "population.id_expiry",
        AttrKind::Date,
        "Ngày hết hạn thẻ căn cước / CCCD (không có: không thời hạn)",
        "Expiry of the identity card (absent: no expiry)",
    ),
    attr("population.phone", AttrKind::Phone, "Số điện thoại", "Mobile number"),
    attr("population.email", AttrKind::Email, "Thư điện tử", "E-mail"),
    attr(
        "population.marital_status",
        AttrKind::Code,
        "Tình trạng hôn nhân (chua_ket_hon, da_ket_hon, ly_hon, goa)",
        "Marital status (chua_ket_hon, da_ket_hon, ly_hon, goa)",
    ),
    attr(
        "population.household_head_name",
        AttrKind::Name,
        "Họ và tên chủ hộ",
        "Name of the household head",
    ),
    attr(
        "population.household_head_pin",
        AttrKind::Pin,
        "Số định danh của chủ hộ",
        "PIN of the household head",
    ),
    attr(
        "population.relationship_to_head",
        AttrKind::Code,
        "Quan hệ với chủ hộ (chu_ho, vo, chong, con, bo, me, ong, ba, chau, anh_chi_em, khac)",
        "Relationship to the household head (chu_ho, vo, chong, con, bo, me, ong, ba, chau, anh_chi_em, khac)",
    ),
    attr(
        "population.father_name",
        AttrKind::Name,
        "Họ và tên cha",
        "Father's name",
    ),
    attr(
        "population.father_pin",
        AttrKind::Pin,
        "Số định danh của cha",
        "Father's PIN",
    ),
    attr(
        "population.mother_name",
        AttrKind::Name,
        "Họ và tên mẹ",
        "Mother's name",
    ),
    attr(
        "population.mother_pin",
        AttrKind::Pin,
        "Số định danh của mẹ",
        "Mother's PIN",
    ),
    attr(
        "population.spouse_name",
        AttrKind::Name,
        "Họ và tên vợ/chồng",
        "Spouse's name",
    ),
    attr(
        "population.spouse_pin",
        AttrKind::Pin,
        "Số định danh của vợ/chồng",
        "Spouse's PIN",
    ),
];

/// Prefix of the attributes that fill a repeat group's row from a member of the citizen's household:
/// `member.full_name` is the member's `population.full_name`.
pub const MEMBER_PREFIX: &str = "member.";

/// The population attribute a `member.*` name stands for.
pub fn member_attribute(name: &str) -> Option<&'static Attribute> {
    let rest = name.strip_prefix(MEMBER_PREFIX)?;
    POPULATION_ATTRIBUTES
        .iter()
        .find(|a| a.name.strip_prefix("population.") == Some(rest))
}

/// The row field of a group that holds the member's PIN (filled from `member.pin`): the key that
/// asks for, and later identifies, a member's row.
pub fn member_key(group: &FieldDef) -> Option<&str> {
    group
        .fields
        .iter()
        .flatten()
        .find(|f| f.prefill.as_ref().is_some_and(|p| p.from == "member.pin"))
        .map(|f| f.id.as_str())
}

/// The attribute with a name.
pub fn attribute(name: &str) -> Option<&'static Attribute> {
    POPULATION_ATTRIBUTES
        .iter()
        .chain(FAMILY_ATTRIBUTES)
        .find(|a| a.name == name)
}

/// The `family.*` attributes: the declarant's marriage seen as wife and husband (the citizen and
/// the spouse the registry names), e.g. for a birth registration's mother and father; and the dates of
/// birth of the spouse, father and mother the citizen's record names, from their own records.
pub const FAMILY_ATTRIBUTES: &[Attribute] = &[
    attr(
        "family.spouse_dob",
        AttrKind::Date,
        "Ngày sinh của vợ hoặc chồng",
        "Spouse's date of birth",
    ),
    attr(
        "family.father_dob",
        AttrKind::Date,
        "Ngày sinh của cha",
        "Father's date of birth",
    ),
    attr(
        "family.mother_dob",
        AttrKind::Date,
        "Ngày sinh của mẹ",
        "Mother's date of birth",
    ),
    attr("family.wife_name", AttrKind::Name, "Họ và tên người vợ", "Wife's name"),
    attr(
        "family.wife_pin",
        AttrKind::Pin,
        "Số định danh của người vợ",
        "Wife's PIN",
    ),
    attr(
        "family.wife_birth_year",
        AttrKind::Text,
        "Năm sinh của người vợ",
        "Wife's year of birth",
    ),
    attr(
        "family.wife_ethnicity",
        AttrKind::Text,
        "Dân tộc của người vợ",
        "Wife's ethnicity",
    ),
    attr(
        "family.wife_nationality",
        AttrKind::Text,
        "Quốc tịch của người vợ",
        "Wife's nationality",
    ),
    attr(
        "family.wife_hometown",
        AttrKind::Place,
        "Quê quán của người vợ",
        "Wife's hometown",
    ),
    attr(
        "family.wife_residence",
        AttrKind::Place,
        "Nơi thường trú của người vợ",
        "Wife's residence",
    ),
    attr(
        "family.husband_name",
        AttrKind::Name,
        "Họ và tên người chồng",
        "Husband's name",
    ),
    attr(
        "family.husband_pin",
        AttrKind::Pin,
        "Số định danh của người chồng",
        "Husband's PIN",
    ),
    attr(
        "family.husband_birth_year",
        AttrKind::Text,
        "Năm sinh của người chồng",
        "Husband's year of birth",
    ),
    attr(
        "family.husband_ethnicity",
        AttrKind::Text,
        "Dân tộc của người chồng",
        "Husband's ethnicity",
    ),
    attr(
        "family.husband_nationality",
        AttrKind::Text,
        "Quốc tịch của người chồng",
        "Husband's nationality",
    ),
    attr(
        "family.husband_hometown",
        AttrKind::Place,
        "Quê quán của người chồng",
        "Husband's hometown",
    ),
    attr(
        "family.husband_residence",
        AttrKind::Place,
        "Nơi thường trú của người chồng",
        "Husband's residence",
    ),
];

/// A relative whose own record the citizen's names (by PIN, `population.<role>_pin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relative {
    /// The husband or wife.
    Spouse,
    /// The father.
    Father,
    /// The mother.
    Mother,
}

impl Relative {
    /// Every relative, in the order their records are read.
    pub const ALL: [Relative; 3] = [Relative::Spouse, Relative::Father, Relative::Mother];

    /// The role's word in attribute names (`population.spouse_pin`, `family.spouse_dob`).
    pub fn role(self) -> &'static str {
        match self {
            Relative::Spouse => "spouse",
            Relative::Father => "father",
            Relative::Mother => "mother",
        }
    }

    /// The relative's PIN in the citizen's attributes.
    pub fn pin_in(self, citizen: &Attributes) -> Option<&str> {
        citizen.get(&format!("population.{}_pin", self.role()))?.as_str()
    }

    /// Whether `record` (the attributes of the PIN the citizen's record names) is this relative: the
    /// name the citizen's record gives, and a spouse whose record names the citizen back, or a parent of
    /// the role's sex born before the citizen. A record that is not is not used (its values would be
    /// locked into the citizen's declaration).
    pub fn confirms(self, citizen: &Attributes, record: &Attributes) -> bool {
        let text = |a: &Attributes, key: &str| a.get(key).and_then(Json::as_str).map(str::to_owned);
        let named = text(citizen, &format!("population.{}_name", self.role()));
        let same_name = named.is_some() && named == text(record, "population.full_name");
        let year = |a: &Attributes| text(a, "population.birth_year").and_then(|y| y.parse::<i32>().ok());
        let older = matches!((year(record), year(citizen)), (Some(parent), Some(child)) if parent < child);
        let sex = text(record, "population.sex");
        same_name
            && match self {
                Relative::Spouse => text(record, "population.spouse_pin") == text(citizen, "population.pin"),
                Relative::Father => older && sex.as_deref() == Some("nam"),
                Relative::Mother => older && sex.as_deref() == Some("nu"),
            }
    }
}

/// The relatives whose records a definition's `family.*` attributes need read (the wife and husband
/// attributes are the spouse's).
pub fn relatives_used(form: &FormDef) -> Vec<Relative> {
    let from: Vec<&str> = form
        .top_fields()
        .filter_map(|f| f.prefill.as_ref()?.from.strip_prefix("family."))
        .collect();
    let role_of = |attr: &&str| match attr.split('_').next() {
        Some("wife" | "husband" | "spouse") => Some(Relative::Spouse),
        Some("father") => Some(Relative::Father),
        Some("mother") => Some(Relative::Mother),
        _ => None,
    };
    Relative::ALL
        .into_iter()
        .filter(|r| from.iter().filter_map(role_of).any(|u| u == *r))
        .collect()
}

/// A locked field prefilled with the citizen's own PIN (`population.pin`) that holds another one: checked
/// against the login even when national data cannot be had to build a bundle.
pub fn check_subject(form: &FormDef, values: &Json, subject: &str) -> Vec<Issue> {
    form.top_fields()
        .filter(|f| f.prefill.as_ref().is_some_and(|p| p.lock && p.from == "population.pin"))
        .filter(|f| {
            values
                .get(&f.id)
                .and_then(Json::as_str)
                .is_some_and(|pin| pin != subject)
        })
        .map(|f| Issue::error(&f.id, "prefill.not_own_pin"))
        .collect()
}

/// Whether a definition locks any value from national data, a household row's too: it is filed by a
/// logged-in citizen only (anonymously, nothing ties the identities it carries to anyone).
pub fn locks_any(form: &FormDef) -> bool {
    locks_prefill(form) || form.top_fields().flat_map(|f| f.fields.iter().flatten()).any(locks)
}

/// Whether a definition locks a top-level field prefilled from national data (a submission must keep its value).
pub fn locks_prefill(form: &FormDef) -> bool {
    form.top_fields().any(locks)
}

/// Whether a field's value from national data is locked.
fn locks(f: &FieldDef) -> bool {
    f.prefill.as_ref().is_some_and(|p| p.lock)
}

/// The `family.*` attributes from the citizen's and (those read) their relatives' `population.*` attributes.
pub fn family_attributes(citizen: &Attributes, relatives: &[(Relative, Attributes)]) -> Attributes {
    let of = |role: Relative| relatives.iter().find(|(r, _)| *r == role).map(|(_, a)| a);
    let spouse = of(Relative::Spouse);
    let female = |a: &Attributes| a.get("population.sex") == Some(&Json::String("nu".into()));
    let (wife, husband) = match (female(citizen), spouse) {
        (true, s) => (Some(citizen), s),
        (false, s) => (s, Some(citizen)),
    };
    let mut out = Attributes::new();
    for (role, person) in [("wife", wife), ("husband", husband)] {
        let Some(p) = person else { continue };
        for (from, to) in [
            ("full_name", "name"),
            ("pin", "pin"),
            ("birth_year", "birth_year"),
            ("ethnicity", "ethnicity"),
            ("nationality", "nationality"),
            ("hometown", "hometown"),
            ("permanent_address", "residence"),
        ] {
            if let Some(v) = p.get(&format!("population.{from}")) {
                out.insert(format!("family.{role}_{to}"), v.clone());
            }
        }
    }
    for (relative, attrs) in relatives {
        if let Some(dob) = attrs.get("population.dob") {
            out.insert(format!("family.{}_dob", relative.role()), dob.clone());
        }
    }
    out
}

/// Pre-2025 province codes (GSO, the PIN prefix without its leading 0) and the 2025 province each
/// became part of (Resolution 202/2025/QH15).
pub const OLD_PROVINCES: [(&str, &str); 63] = [
    ("01", "01"),
    ("02", "08"),
    ("04", "04"),
    ("06", "19"),
    ("08", "08"),
    ("10", "15"),
    ("11", "11"),
    ("12", "12"),
    ("14", "14"),
    ("15", "15"),
    ("17", "25"),
    ("19", "19"),
    ("20", "20"),
    ("22", "22"),
    ("24", "24"),
    ("25", "25"),
    ("26", "25"),
    ("27", "24"),
    ("30", "31"),
    ("31", "31"),
    ("33", "33"),
    ("34", "33"),
    ("35", "37"),
    ("36", "37"),
    ("37", "37"),
    ("38", "38"),
    ("40", "40"),
    ("42", "42"),
    ("44", "44"),
    ("45", "44"),
    ("46", "46"),
    ("48", "48"),
    ("49", "48"),
    ("51", "51"),
    ("52", "52"),
    ("54", "66"),
    ("56", "56"),
    ("58", "56"),
    ("60", "68"),
    ("62", "51"),
    ("64", "52"),
    ("66", "66"),
    ("67", "68"),
    ("68", "68"),
    ("70", "75"),
    ("72", "80"),
    ("74", "79"),
    ("75", "75"),
    ("77", "79"),
    ("79", "79"),
    ("80", "80"),
    ("82", "82"),
    ("83", "86"),
    ("84", "86"),
    ("86", "86"),
    ("87", "82"),
    ("89", "91"),
    ("91", "91"),
    ("92", "92"),
    ("93", "92"),
    ("94", "92"),
    ("95", "96"),
    ("96", "96"),
];

/// The 2025 province that an old (pre-July-2025) province code became part of.
pub fn new_province_of(old: &str) -> Option<&'static str> {
    OLD_PROVINCES.iter().find(|(o, _)| *o == old).map(|(_, n)| *n)
}

/// Normalised registry attributes by name (`population.full_name` → value).
pub type Attributes = BTreeMap<String, Json>;

/// A registry reply that cannot be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("registry reply: {0}")]
pub struct ReplyError(pub String);

/// Registry attributes from a national-database reply; unreadable fields are left out, never guessed.
pub fn normalize_population(reply: &Json, units: &Catalogs) -> Result<Attributes, ReplyError> {
    let r = reply
        .as_object()
        .ok_or_else(|| ReplyError("expected a JSON object".into()))?;
    let mut out = Attributes::new();
    let mut put = |name: &str, value: Option<Json>| {
        if let Some(v) = value {
            out.insert(name.to_owned(), v);
        }
    };
    put(
        "population.pin",
        text(r.get("SoDinhDanh")).filter(|s| is_digits(s, 12)).map(Json::String),
    );
    put(
        "population.cmnd9",
        text(r.get("SoCMND")).filter(|s| is_digits(s, 9)).map(Json::String),
    );
    put("population.full_name", person_name(r.get("HoVaTen")).map(Json::String));
    put(
        "population.sex",
        text(r.get("GioiTinh"))
            .and_then(|c| sex(&c))
            .map(|s| Json::String(s.into())),
    );
    let birth = r.get("NgayThangNamSinh");
    let written = text(birth.and_then(|b| b.get("NgayThangNam")).or(birth));
    let dob = written.as_deref().and_then(Date::parse_any);
    // Some records give only the year: `Nam`, or a date with its day or month unknown (`19500000`).
    let year_alone = || {
        let nam = text(birth.and_then(|b| b.get("Nam")));
        let year = nam.as_deref().and_then(Date::parse_year);
        let year = year.or_else(|| written.as_deref().and_then(Date::year_of_unknown_day));
        year.map(|y| y.to_string())
    };
    let year = dob.map(|d| d.year.to_string()).or_else(year_alone);
    // A date of birth, or the year alone (which only a `year_only` field takes).
    put(
        "population.dob",
        dob.map(|d| d.to_string()).or_else(|| year.clone()).map(Json::String),
    );
    put("population.birth_year", year.map(Json::String));
    put("population.ethnicity", named_code(r.get("DanToc")).map(Json::String));
    put("population.religion", named_code(r.get("TonGiao")).map(Json::String));
    put(
        "population.nationality",
        text(r.get("QuocTich")).map(|n| Json::String(nationality(&n))),
    );
    put(
        "population.marital_status",
        text(r.get("TinhTrangHonNhan"))
            .and_then(|c| marital(&c))
            .map(|s| Json::String(s.into())),
    );
    put("population.phone", text(r.get("SoDienThoai")).map(Json::String));
    put("population.blood_type", text(r.get("NhomMau")).map(Json::String));
    let card = r.get("CCCD");
    let card_date = |k: &str| {
        text(card.and_then(|c| c.get(k)))
            .and_then(|d| Date::parse_any(&d))
            .map(|d| Json::String(d.to_string()))
    };
    put("population.id_issue_date", card_date("NgayCap"));
    put("population.id_expiry", card_date("NgayHetHan"));
    put(
        "population.id_issuer",
        text(card.and_then(|c| c.get("NoiCap"))).map(|p| Json::String(issuer(&p))),
    );
    put(
        "population.email",
        text(r.get("Email")).map(|e| Json::String(lowercase(&e))),
    );
    for (key, name) in [
        ("NoiSinh", "population.birth_place"),
        ("NoiDangKyKhaiSinh", "population.birth_registration_place"),
        ("QueQuan", "population.hometown"),
        ("ThuongTru", "population.permanent_address"),
        ("NoiOHienTai", "population.current_address"),
        ("TamTru", "population.temporary_address"),
    ] {
        put(name, r.get(key).and_then(|p| place(p, units)));
    }
    for (key, prefix) in [
        ("ChuHo", "household_head"),
        ("Cha", "father"),
        ("Me", "mother"),
        ("VoChong", "spouse"),
    ] {
        let Some(p) = r.get(key) else { continue };
        put(
            &format!("population.{prefix}_name"),
            person_name(p.get("HoVaTen")).map(Json::String),
        );
        put(
            &format!("population.{prefix}_pin"),
            text(p.get("SoDinhDanh")).filter(|s| is_digits(s, 12)).map(Json::String),
        );
    }
    put(
        "population.relationship_to_head",
        text(r.get("ChuHo").and_then(|h| h.get("QuanHe")))
            .and_then(|q| relationship(&q))
            .map(|code| Json::String(code.into())),
    );
    Ok(out)
}

/// A cleaned (NFC, single-spaced) non-empty string from a JSON string or number.
fn text(v: Option<&Json>) -> Option<String> {
    let s = match v? {
        Json::String(s) => clean_line(s),
        Json::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// A name as the registry holds it: parts joined, Ð (eth) read as Đ, upper case.
fn person_name(v: Option<&Json>) -> Option<String> {
    let joined = match v? {
        Json::Object(parts) => ["Ho", "ChuDem", "Ten"]
            .iter()
            .filter_map(|k| text(parts.get(*k)))
            .collect::<Vec<_>>()
            .join(" "),
        other => text(Some(other))?,
    };
    let name = uppercase(&clean_line(&joined.replace(['Ð', 'ð'], "Đ")));
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || is_apostrophe(c)))
    .then_some(name)
}

fn sex(code: &str) -> Option<&'static str> {
    match lowercase(code).as_str() {
        "1" | "nam" | "m" => Some("nam"),
        "2" | "nữ" | "nu" | "f" => Some("nu"),
        _ => None,
    }
}

fn marital(code: &str) -> Option<&'static str> {
    match code {
        "1" => Some("chua_ket_hon"),
        "2" => Some("da_ket_hon"),
        "3" => Some("ly_hon"),
        "4" => Some("goa"),
        _ => None,
    }
}

fn nationality(code: &str) -> String {
    if code.eq_ignore_ascii_case("VN") || code.eq_ignore_ascii_case("VNM") {
        "Việt Nam".to_owned()
    } else {
        code.to_owned()
    }
}

/// The name of a coded item (`{"MaDanToc": "01", "TenGoi": "Kinh"}`) or a plain string.
fn named_code(v: Option<&Json>) -> Option<String> {
    match v? {
        Json::Object(o) => text(o.get("TenGoi")),
        other => text(Some(other)),
    }
}

/// A place in 2025 units when its codes allow, otherwise its text as the registry gave it.
fn place(v: &Json, units: &Catalogs) -> Option<Json> {
    let o = v.as_object()?;
    let code = |k: &str| text(o.get(k));
    let detail = code("ChiTiet").map(|d| address_case(&d));
    let provinces = units.get("provinces")?;
    let communes = units.get("communes")?;
    let mut out = Map::new();
    // Every 2025 code is also the old code of its seat province, so one table maps both forms.
    let province = code("MaTinhThanh")
        .and_then(|p| new_province_of(&p))
        .filter(|p| provinces.get(p).is_some())
        .map(str::to_owned);
    // Codes are never re-issued (Decision 19/2025/QĐ-TTg): a commune code still in the 2025 list
    // is the same unit, perhaps grown by merger. Old communes whose code was closed need a
    // conversion table the catalogue does not hold, so they are shown as the registry wrote them.
    let commune = province
        .as_deref()
        .and_then(|p| code("MaPhuongXa").filter(|c| communes.get(c).is_some_and(|o| o.parent.as_deref() == Some(p))));
    let complete = commune.is_some();
    let text_form = if complete {
        let names = [
            commune.as_deref().and_then(|c| communes.get(c)),
            province.as_deref().and_then(|p| provinces.get(p)),
        ];
        detail
            .iter()
            .cloned()
            .chain(names.into_iter().flatten().map(|o| o.label.get("vi").to_owned()))
            .collect::<Vec<_>>()
    } else {
        let names = ["TenPhuongXa", "TenQuanHuyen", "TenTinhThanh"].map(|k| code(k).map(|n| title_case(&n)));
        detail.iter().cloned().chain(names.into_iter().flatten()).collect()
    };
    if text_form.is_empty() && province.is_none() {
        return None;
    }
    let street = if complete {
        detail
    } else {
        Some(text_form.join(", ")).filter(|s| !s.is_empty())
    };
    for (k, v) in [("province", province), ("commune", commune), ("street", street)] {
        if let Some(v) = v {
            out.insert(k.into(), Json::String(v));
        }
    }
    out.insert("text".into(), Json::String(text_form.join(", ")));
    out.insert("complete".into(), Json::Bool(complete));
    Some(Json::Object(out))
}

/// Each syllable with a capital initial, after a space, an apostrophe or a hyphen: "NGUYỄN VĂN AN" →
/// "Nguyễn Văn An", "H'HEN NIÊ" → "H'Hen Niê", "Y-MOAN ÊNUÔL" → "Y-Moan Ênuôl".
pub fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut starts = true;
    for c in lowercase(s).chars() {
        if starts {
            out.push_str(&uppercase(c.encode_utf8(&mut [0; 4])));
        } else {
            out.push(c);
        }
        starts = c == ' ' || c == '-' || is_apostrophe(c);
    }
    out
}

/// An apostrophe as names write it: ', ’ or ʼ ("H'Mông", "Y’Moan").
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2bc}')
}

/// The detail of an address in the case of a line of text: each word with a capital initial, but for
/// those a registry's capitals mean ("12A/3", "CMT8", "CT2-B", "IV", "KP", "TDP"): with a digit, of
/// Roman numerals alone, or without a vowel (no Vietnamese syllable is).
fn address_case(s: &str) -> String {
    let kept = |w: &str| {
        let vowels = crate::text::search_key(w).chars().any(|c| "aeiouy".contains(c));
        w.chars().any(|c| c.is_ascii_digit()) || w.chars().all(|c| "IVX".contains(c)) || !vowels
    };
    s.split(' ')
        .map(|w| if kept(w) { w.to_owned() } else { title_case(w) })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The relationship code of a registry's wording (`CHỦ HỘ`, `Con`, `vợ`…); a wording or a code not
/// known here gives none (the citizen chooses), never a locked "khác".
fn relationship(s: &str) -> Option<&'static str> {
    Some(match crate::text::search_key(s).as_str() {
        "chu ho" | "chu_ho" => "chu_ho",
        "vo" => "vo",
        "chong" => "chong",
        "con" | "con de" | "con nuoi" => "con",
        "bo" | "cha" | "bo de" | "cha de" => "bo",
        "me" | "me de" => "me",
        "ong" | "ong noi" | "ong ngoai" => "ong",
        "ba" | "ba noi" | "ba ngoai" => "ba",
        "chau" | "chau noi" | "chau ngoai" => "chau",
        "anh" | "chi" | "em" | "anh trai" | "chi gai" | "em trai" | "em gai" => "anh_chi_em",
        _ => return None,
    })
}

/// The authority that issued an identity card, in its own spelling when it is one of those issuing
/// cards today; others as the registry wrote them (a proper name is never re-cased by guess).
fn issuer(s: &str) -> String {
    const KNOWN: [&str; 2] = ["Cục Cảnh sát quản lý hành chính về trật tự xã hội", "Bộ Công an"];
    let key = crate::text::search_key(s);
    KNOWN
        .iter()
        .find(|k| crate::text::search_key(k) == key)
        .map_or_else(|| s.to_owned(), |k| (*k).to_owned())
}

/// One prefilled value: the value as the session stores it, where it came from, and whether it is locked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefillValue {
    /// The value, normalised for the field's kind.
    pub value: Json,
    /// Registry attribute it came from, e.g. `population.full_name`.
    pub source: String,
    /// Whether the citizen may not change it.
    pub locked: bool,
}

impl PrefillValue {
    /// What keeps a bundle's entry `name` from being a prefilled value (`{value, source, locked}`), if
    /// anything: checked by hand, so that the widget carries no deserialiser for it.
    pub fn shape_problem(name: &str, entry: &Json) -> Option<String> {
        let well_formed = entry.get("value").is_some() && entry["source"].is_string() && entry["locked"].is_boolean();
        (!well_formed).then(|| format!("'{name}' is not {{value, source, locked}}"))
    }
}

/// Problems with a definition's `prefill` entries: unknown attributes, fields that cannot hold their
/// attribute's values (an address filled from what is not a place, a sex whose options are not nam
/// and nu), rows filled from anything but household members (`member.*`), member rows without a
/// `member.pin` key.
pub fn check_definition(form: &FormDef) -> Vec<DefinitionError> {
    let mut errors = Vec::new();
    for (i, step) in form.steps.iter().enumerate() {
        for (j, section) in step.sections.iter().enumerate() {
            for (k, field) in section.fields.iter().enumerate() {
                let at = format!("$.steps[{i}].sections[{j}].fields[{k}]");
                check_field(field, &at, false, &mut errors);
            }
        }
    }
    errors
}

fn check_field(field: &FieldDef, at: &str, in_group: bool, errors: &mut Vec<DefinitionError>) {
    for (n, sub) in field.fields.iter().flatten().enumerate() {
        check_field(sub, &format!("{at}.fields[{n}]"), true, errors);
    }
    let members = field.fields.iter().flatten().any(|f| f.prefill.is_some());
    if members && member_key(field).is_none() {
        errors.push(DefinitionError {
            path: at.to_owned(),
            message: "a group filled from household members needs a row field filled from member.pin".to_owned(),
        });
    }
    let Some(def) = &field.prefill else { return };
    let path = format!("{at}.prefill.from");
    let found = if in_group {
        member_attribute(&def.from)
    } else {
        attribute(&def.from)
    };
    let message = match found {
        None if in_group => format!(
            "rows are filled from household members: '{}' is not a member.* attribute (member.full_name, member.dob…)",
            def.from
        ),
        None => format!(
            "unknown registry attribute '{}' (see tokhai_core::prefill::POPULATION_ATTRIBUTES and FAMILY_ATTRIBUTES)",
            def.from
        ),
        Some(a) => match misfit(a.kind, field) {
            Some(why) => format!("'{}' cannot fill this {} field: {why}", def.from, field.kind.name()),
            None => return,
        },
    };
    errors.push(DefinitionError { path, message });
}

/// Why a field cannot take the values of an attribute of `kind`, if it cannot: every citizen's bundle
/// would be refused for it.
fn misfit(kind: AttrKind, field: &FieldDef) -> Option<&'static str> {
    use FieldKind::*;
    let (takers, holds): (&[FieldKind], &str) = match kind {
        AttrKind::Text => (&[Text, Textarea, Number, Select, Radio], "it holds a text"),
        AttrKind::Name => (&[Name, Text], "it holds a name"),
        AttrKind::Date => (&[Date, Text], "it holds a date"),
        AttrKind::Sex | AttrKind::Code => (&[Select, Radio, Text], "it holds a code"),
        AttrKind::Pin => (&[Pin, Text], "it holds a personal identification number"),
        AttrKind::Place => (&[Address, Text, Textarea], "it holds a place"),
        AttrKind::Phone => (&[Phone, Text], "it holds a phone number"),
        AttrKind::Email => (&[Email, Text], "it holds an e-mail address"),
    };
    if !takers.contains(&field.kind) {
        return Some(holds);
    }
    let has = |value: &str| field.options.iter().flatten().any(|o| o.value == value);
    let sexes = has("nam") && has("nu");
    (kind == AttrKind::Sex && field.options.is_some() && !sexes)
        .then_some("it gives nam or nu, which its options must have as values")
}

/// Prefilled values by field path for a form, from registry attributes.
pub fn prefill_values(form: &FormDef, attrs: &Attributes) -> BTreeMap<String, PrefillValue> {
    let fields = form.top_fields();
    fields
        .filter_map(|f| prefilled(f, attrs.get(&f.prefill.as_ref()?.from)?, &form.catalogs))
        .collect()
}

/// The values of a prefill the form can show: those of fields it hides for good once they are loaded
/// ([`Session::hidden_for_good`], by the prefill's locked values) are left out, national data the filing
/// has no use for (the parents of an adult declaring a residence).
pub fn shown_values(
    session: &mut Session,
    mut values: BTreeMap<String, PrefillValue>,
) -> BTreeMap<String, PrefillValue> {
    let loaded = values.iter().map(|(path, p)| (path.clone(), p.value.clone()));
    session.load(&Json::Object(loaded.collect()));
    let locked = |id: &str| values.get(id).is_some_and(|p| p.locked);
    for id in session.hidden_for_good(&locked) {
        values.remove(&id);
    }
    values
}

/// A member of the citizen's household as national data lists them, for the citizen to pick the member's
/// row (`name` in title case; `birth_year` when known). Not serialisable: the portal lists members with
/// their PINs masked, the PIN going to the browser only in the row's bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdMember {
    /// Personal identification number.
    pub pin: String,
    /// Full name.
    pub name: String,
    /// Year of birth.
    pub birth_year: Option<u16>,
}

/// The members of the citizen's household that the citizen's reply lists (`ThanhVienHo`), but the citizen;
/// an entry without a PIN or a name is left out.
pub fn household_members(reply: &Json, units: &Catalogs) -> Vec<HouseholdMember> {
    let own = reply.get("SoDinhDanh").and_then(Json::as_str);
    let listed = reply
        .get("ThanhVienHo")
        .and_then(Json::as_array)
        .map_or(&[][..], Vec::as_slice);
    listed
        .iter()
        .filter_map(|entry| normalize_population(entry, units).ok())
        .filter_map(|a| {
            let pin = a.get("population.pin")?.as_str()?.to_owned();
            let name = title_case(a.get("population.full_name")?.as_str()?);
            let birth_year = a
                .get("population.birth_year")
                .and_then(Json::as_str)
                .and_then(|y| y.parse().ok());
            (Some(pin.as_str()) != own).then_some(HouseholdMember { pin, name, birth_year })
        })
        .collect()
}

/// Whether a person belongs to the citizen's household, as the national data of both says: the
/// same household head, and not the citizen.
pub fn same_household(citizen: &Attributes, person: &Attributes) -> bool {
    let pin = |a: &Attributes, name: &str| a.get(name).and_then(Json::as_str).map(str::to_owned);
    let head = |a: &Attributes| pin(a, "population.household_head_pin");
    head(citizen).is_some()
        && head(citizen) == head(person)
        && pin(citizen, "population.pin") != pin(person, "population.pin")
}

/// Prefilled values of one row of `group` of `form` (by row field id), from a household member's attributes.
pub fn row_values(form: &FormDef, group: &FieldDef, member: &Attributes) -> BTreeMap<String, PrefillValue> {
    let value = |f: &FieldDef| member.get(member_attribute(&f.prefill.as_ref()?.from)?.name);
    group
        .fields
        .iter()
        .flatten()
        .filter_map(|f| prefilled(f, value(f)?, &form.catalogs))
        .collect()
}

/// A field's prefilled value from the attribute its `prefill` names, by field id.
fn prefilled(field: &FieldDef, a: &Json, catalogs: &FormCatalogs) -> Option<(String, PrefillValue)> {
    let def = field.prefill.as_ref()?;
    let attribute = attribute(&def.from).or_else(|| member_attribute(&def.from));
    let code = attribute.is_some_and(|a| matches!(a.kind, AttrKind::Code | AttrKind::Sex));
    let (value, complete) = shape(field, a, catalogs, code)?;
    let source = def.from.clone();
    Some((
        field.id.clone(),
        PrefillValue {
            value,
            source,
            locked: def.lock && complete,
        },
    ))
}

/// The attribute shaped for the field, and whether it is complete enough to lock.
fn shape(field: &FieldDef, a: &Json, catalogs: &FormCatalogs, code: bool) -> Option<(Json, bool)> {
    let raw = match (field.kind, a) {
        (FieldKind::Address, Json::Object(p)) => {
            let mut parts = Map::new();
            parts.extend(
                ADDRESS_PARTS
                    .iter()
                    .filter_map(|k| Some(((*k).to_owned(), p.get(*k)?.clone()))),
            );
            let complete = p.get("complete") == Some(&Json::Bool(true));
            return Some((normalize(field.kind, Json::Object(parts)), complete));
        }
        (FieldKind::Address, _) => return None,
        (_, Json::Object(p)) => p.get("text")?.clone(),
        (FieldKind::Name, Json::String(s)) if !field.uppercase => Json::String(title_case(s)),
        (_, v) => v.clone(),
    };
    match normalize(field.kind, raw) {
        Json::Null => None,
        v => Some((option_of(field, catalogs, v, code)?, true)),
    }
}

/// The catalogues a definition holds, by name.
type FormCatalogs = BTreeMap<String, Vec<OptionDef>>;

/// A registry value as the option of a choice field it stands for: the option of that value, else the
/// one label that reads the same, case aside ("Việt Nam" → `viet_nam`), else the one label that reads the
/// same without marks too ("Việt Nam" for "viet nam"; the code `da_ket_hon` → "Đã kết hôn"). A code is
/// matched without marks only: codes drop the marks that tell "Bà" (`ba`) from "Ba". `None` when no single
/// option does: the field is left for the citizen to answer, where the value would have made the whole
/// bundle be refused. Other values, and lists from a host's catalogue (known only in the session), pass as
/// they are.
fn option_of(field: &FieldDef, catalogs: &FormCatalogs, value: Json, code: bool) -> Option<Json> {
    let choice = matches!(field.kind, FieldKind::Select | FieldKind::Radio);
    let options = field.listed_options(catalogs);
    let (Some(options), Json::String(text)) = (options.filter(|_| choice), &value) else {
        return Some(value);
    };
    if options.iter().any(|o| &o.value == text) {
        return Some(value);
    }
    let the_one = |reads: &dyn Fn(&str) -> bool| {
        let mut found = options
            .iter()
            .filter(|o| ["vi", "en"].iter().any(|lang| reads(o.label.get(lang))));
        match (found.next(), found.next()) {
            (Some(o), None) => Some(Json::String(o.value.clone())),
            _ => None,
        }
    };
    let written = lowercase(&clean_line(text));
    let key = search_key(&text.replace('_', " "));
    (!code)
        .then(|| the_one(&|label| lowercase(&clean_line(label)) == written))
        .flatten()
        .or_else(|| the_one(&|label| search_key(label) == key))
}

/// Values prefilled from national data for one citizen and one form, signed by the portal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefillBundle {
    /// Bundle format version ([`BUNDLE_FORMAT`]).
    pub format: u32,
    /// Identifier of the signing key.
    pub kid: String,
    /// The connector the values came from, e.g. `registry.local`.
    pub origin: String,
    /// The citizen's personal identification number.
    pub subject: String,
    /// Form identifier.
    pub form_id: String,
    /// Form definition version.
    pub form_version: String,
    /// Issue time, Unix seconds.
    pub issued_at: i64,
    /// Expiry time, Unix seconds.
    pub expires_at: i64,
    /// Values by field path (for a row bundle: by row field id).
    pub values: BTreeMap<String, PrefillValue>,
    /// For a household member's row: which group and which member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<RowScope>,
    /// Ed25519 signature of [`PrefillBundle::signing_bytes`], base64url without padding.
    #[serde(default)]
    pub signature: String,
}

/// What a row bundle fills: rows of `group` whose key field (see [`member_key`]) holds `member`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowScope {
    /// The repeat group's id.
    pub group: String,
    /// The household member's PIN.
    pub member: String,
}

impl PrefillBundle {
    /// The exact bytes that are signed: a domain tag and the canonical JSON of everything but the signature.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_value(self).unwrap_or(Json::Null);
        if let Json::Object(o) = &mut v {
            o.remove("signature");
        }
        let mut out = b"tokhai-prefill-v1\n".to_vec();
        out.extend_from_slice(canonical_json(&v).as_bytes());
        out
    }
}

/// What the submission claims, against which a bundle is checked.
#[derive(Clone, Copy, Debug)]
pub struct BundleContext<'a> {
    /// The form being submitted.
    pub form: &'a FormDef,
    /// The logged-in citizen, if any.
    pub subject: Option<&'a str>,
    /// Current time, Unix seconds.
    pub now: i64,
}

/// Problems with a (signature-checked) bundle for a submission: wrong form or citizen, expiry,
/// locked values changed, cleared or left out (`shown`: whether the form shows a field, by path, with
/// these values; a locked field it hides is rightly left out). A locked value its field cannot hold
/// (`fits` false, by path or row field id: an option the field lacks) binds nothing: the widget left
/// it to the citizen.
pub fn check_bundle(
    bundle: &PrefillBundle,
    ctx: BundleContext<'_>,
    values: &Json,
    shown: &dyn Fn(&str) -> bool,
    fits: &dyn Fn(&str, &Json) -> bool,
) -> Vec<Issue> {
    if bundle.format != BUNDLE_FORMAT {
        return vec![Issue::error("", "prefill.format").with("format", bundle.format)];
    }
    if bundle.form_id != ctx.form.id || bundle.form_version != ctx.form.version {
        return vec![Issue::error("", "prefill.form_mismatch").with("form", &bundle.form_id)];
    }
    if ctx.subject != Some(bundle.subject.as_str()) {
        return vec![Issue::error("", "prefill.subject_mismatch")];
    }
    if ctx.now > bundle.expires_at {
        return vec![Issue::error("", "prefill.expired")];
    }
    if let Some(scope) = &bundle.row {
        return check_rows(bundle, scope, ctx.form, values, shown, fits);
    }
    let kinds = field_kinds(ctx.form);
    bundle
        .values
        .iter()
        .filter(|(path, p)| p.locked && fits(path, &p.value))
        .filter_map(|(path, p)| {
            let kind = *kinds.get(path.as_str())?;
            locked_changed(kind, values.get(path), p, shown(path)).then(|| Issue::error(path, "prefill.locked_changed"))
        })
        .collect()
}

/// A row bundle against the submitted rows of its member: every locked value unchanged. A member
/// no row names any more (removed, or another PIN typed) leaves the bundle unused.
fn check_rows(
    bundle: &PrefillBundle,
    scope: &RowScope,
    form: &FormDef,
    values: &Json,
    shown: &dyn Fn(&str) -> bool,
    fits: &dyn Fn(&str, &Json) -> bool,
) -> Vec<Issue> {
    let Some((group, key)) = member_group(form, &scope.group) else {
        return vec![Issue::error(&scope.group, "prefill.form_mismatch").with("form", &bundle.form_id)];
    };
    let mut issues = Vec::new();
    for (i, row) in member_rows(values, &scope.group, key, &scope.member) {
        for (field, p) in bundle
            .values
            .iter()
            .filter(|(field, p)| p.locked && fits(field, &p.value))
        {
            let Some(kind) = group.fields.iter().flatten().find(|f| &f.id == field).map(|f| f.kind) else {
                continue;
            };
            let path = format!("{}[{i}].{field}", scope.group);
            if locked_changed(kind, row.get(field), p, shown(&path)) {
                issues.push(Issue::error(path, "prefill.locked_changed"));
            }
        }
    }
    issues
}

/// Whether the value sent for a locked prefilled one changed it: a value, even cleared, must be the
/// prefilled one; none at all, only where the form hides it (`shown` false) or national data had none.
fn locked_changed(kind: FieldKind, sent: Option<&Json>, prefilled: &PrefillValue, shown: bool) -> bool {
    match sent {
        Some(sent) => !same(&normalize(kind, sent.clone()), &prefilled.value),
        None => !prefilled.value.is_null() && shown,
    }
}

/// A top-level group filled from household members, and its key field.
pub fn member_group<'a>(form: &'a FormDef, id: &str) -> Option<(&'a FieldDef, &'a str)> {
    let group = form.top_fields().find(|f| f.id == id && f.kind == FieldKind::Group)?;
    Some((group, member_key(group)?))
}

/// The submitted rows of a group whose key field holds `member`, with their indexes.
fn member_rows<'a>(
    values: &'a Json,
    group: &str,
    key: &'a str,
    member: &'a str,
) -> impl Iterator<Item = (usize, &'a Json)> {
    let rows = values
        .get(group)
        .and_then(Json::as_array)
        .map_or(&[][..], Vec::as_slice);
    rows.iter()
        .enumerate()
        .filter(move |(_, row)| row.get(key).and_then(Json::as_str) == Some(member))
}

/// Whether two values are the same once written canonically (`1965.0` is `1965`).
fn same(a: &Json, b: &Json) -> bool {
    canonical_json(a) == canonical_json(b)
}

fn field_kinds(form: &FormDef) -> BTreeMap<&str, FieldKind> {
    form.top_fields().map(|f| (f.id.as_str(), f.kind)).collect()
}

/// Where each submitted top-level field came from: the registry attribute if unchanged, else
/// `citizen`; and for each row a household member's (signed) row bundle filled, `rows[i]`.
pub fn provenance(
    form: &FormDef,
    bundle: Option<&PrefillBundle>,
    row_bundles: &[PrefillBundle],
    values: &Json,
) -> BTreeMap<String, Json> {
    let kinds = field_kinds(form);
    let Some(obj) = values.as_object() else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    out.extend(obj.iter().map(|(path, sent)| {
        let pre = bundle.and_then(|b| Some((b, b.values.get(path)?)));
        let kind = kinds.get(path.as_str()).copied();
        let entry = match pre {
            Some((b, p)) if kind.is_some_and(|k| same(&normalize(k, sent.clone()), &p.value)) => {
                serde_json::json!({
                    "source": p.source, "origin": b.origin, "locked": p.locked
                })
            }
            Some((_, p)) => serde_json::json!({ "source": "citizen", "edited_from": p.source }),
            None => serde_json::json!({ "source": "citizen" }),
        };
        (path.clone(), entry)
    }));
    for b in row_bundles {
        let Some(scope) = &b.row else { continue };
        let Some((_, key)) = member_group(form, &scope.group) else {
            continue;
        };
        for (i, _) in member_rows(values, &scope.group, key, &scope.member) {
            if let Some(Json::Object(entry)) = out.get_mut(&scope.group) {
                let rows = entry.entry("rows").or_insert_with(|| Json::Object(Map::new()));
                rows[i.to_string()] = serde_json::json!({ "source": "household", "origin": b.origin });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn units() -> Catalogs {
        Catalogs::from_admin_units(
            r#"{"provinces":[{"code":"01","full_name":"Thành phố Hà Nội","name_en":"Hanoi"},
                             {"code":"31","full_name":"Thành phố Hải Phòng","name_en":"Haiphong"}],
                "communes":[{"code":"00004","full_name":"Phường Hoàn Kiếm","name_en":"Hoan Kiem","province":"01"}]}"#,
        )
        .unwrap()
    }

    fn form() -> FormDef {
        serde_json::from_value(json!({
            "tokhai": 1, "id": "ct01", "version": "2025.1", "title": "Tờ khai",
            "steps": [{"id": "s", "title": "S", "sections": [{"id": "a", "fields": [
                {"id": "full_name", "kind": "name", "label": "Họ tên", "prefill": {"from": "population.full_name", "lock": true}},
                {"id": "caps", "kind": "name", "label": "Họ tên", "uppercase": true, "prefill": {"from": "population.full_name"}},
                {"id": "dob", "kind": "date", "label": "Ngày sinh", "prefill": {"from": "population.dob", "lock": true}},
                {"id": "residence", "kind": "address", "label": "Thường trú", "prefill": {"from": "population.permanent_address", "lock": true}},
                {"id": "hometown", "kind": "address", "label": "Quê quán", "prefill": {"from": "population.hometown", "lock": true}},
                {"id": "hometown_text", "kind": "text", "label": "Quê quán", "prefill": {"from": "population.hometown"}},
                {"id": "phone", "kind": "phone", "label": "Điện thoại", "prefill": {"from": "population.phone"}},
                {"id": "email", "kind": "email", "label": "Email"}
            ]}]}]
        }))
        .unwrap()
    }

    fn reply() -> Json {
        json!({
            "SoDinhDanh": "001090012345", "SoCMND": 12345678,
            "HoVaTen": {"Ho": "", "ChuDem": "", "Ten": "  NGUYE\u{302}\u{303}N  VĂN  AN "}, "GioiTinh": 1,
            "NgayThangNamSinh": {"NgayThangNam": "19900115", "Nam": "1990"},
            "DanToc": {"MaDanToc": "01", "TenGoi": "Kinh"}, "QuocTich": "VN", "TinhTrangHonNhan": "2",
            "SoDienThoai": "0912 345 678", "NhomMau": "O",
            "CCCD": {"NgayCap": "20210615", "NoiCap": "CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", "NgayHetHan": "2030"},
            "ThuongTru": {"MaTinhThanh": "01", "MaPhuongXa": "00004", "ChiTiet": "SỐ 12 PHỐ HÀNG BÀI"},
            "QueQuan": {"MaTinhThanh": "30", "MaQuanHuyen": "288", "MaPhuongXa": "10507",
                        "TenPhuongXa": "XÃ TÂN HƯNG", "TenQuanHuyen": "HUYỆN GIA LỘC", "TenTinhThanh": "TỈNH HẢI DƯƠNG"},
            "ChuHo": {"SoDinhDanh": "001060000001", "HoVaTen": "NGUYỄN VĂN BA", "QuanHe": "CON"},
            "Me": {"HoVaTen": {"Ho": "TRẦN", "ChuDem": "THỊ", "Ten": "HOA"}, "SoDinhDanh": "bad"}
        })
    }

    #[test]
    fn a_bundle_entry_must_be_value_source_and_locked() {
        let good = json!({"value": null, "source": "population.phone", "locked": false});
        assert_eq!(PrefillValue::shape_problem("phone", &good), None);
        for bad in [
            json!(5),
            json!({"value": 1, "source": "x"}),
            json!({"source": "x", "locked": true}),
            json!({"value": 1, "source": 2, "locked": true}),
        ] {
            assert_eq!(
                PrefillValue::shape_problem("phone", &bad).as_deref(),
                Some("'phone' is not {value, source, locked}"),
                "{bad}"
            );
        }
        let parsed: Result<PrefillValue, _> = serde_json::from_value(good);
        assert!(parsed.is_ok(), "the shape accepted is the one the type reads");
    }

    #[test]
    fn names_addresses_and_authorities_keep_what_a_registry_s_capitals_mean() {
        for (db, shown) in [
            ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
            ("H'HEN NIÊ", "H'Hen Niê"),
            ("Y-MOAN ÊNUÔL", "Y-Moan Ênuôl"),
            ("K’SOR H’BIA", "K’Sor H’Bia"),
        ] {
            assert_eq!(title_case(db), shown);
        }
        assert_eq!(
            person_name(Some(&json!("Y’BHIM ÊNUÔL"))).as_deref(),
            Some("Y’BHIM ÊNUÔL"),
            "a typographic apostrophe"
        );
        for (db, shown) in [
            ("SỐ 12A/3 ĐƯỜNG CMT8, KHU PHỐ IV", "Số 12A/3 Đường CMT8, Khu Phố IV"),
            (
                "P.1205 TÒA CT2-B, NGÕ 5B PHỐ HÀNG BÀI",
                "P.1205 Tòa CT2-B, Ngõ 5B Phố Hàng Bài",
            ),
            ("TỔ 3, KP 2, TDP ĐÔNG", "Tổ 3, KP 2, TDP Đông"),
        ] {
            assert_eq!(address_case(db), shown);
        }
        assert_eq!(issuer("BỘ CÔNG AN"), "Bộ Công an");
        assert_eq!(
            issuer("CÔNG AN TỈNH NGHỆ AN"),
            "CÔNG AN TỈNH NGHỆ AN",
            "never re-cased by guess"
        );
    }

    #[test]
    fn replies_are_normalised() {
        let a = normalize_population(&reply(), &units()).unwrap();
        assert_eq!(a["population.full_name"], json!("NGUYỄN VĂN AN"));
        assert_eq!(a["population.dob"], json!("1990-01-15"));
        assert_eq!(a["population.birth_year"], json!("1990"));
        assert_eq!(a["population.sex"], json!("nam"));
        assert_eq!(a["population.nationality"], json!("Việt Nam"));
        assert_eq!(a["population.marital_status"], json!("da_ket_hon"));
        assert_eq!(a["population.relationship_to_head"], json!("con"));
        assert_eq!(relationship("CHỦ HỘ"), Some("chu_ho"));
        assert_eq!(relationship("Bà nội"), Some("ba"));
        assert_eq!(
            relationship("CH01"),
            None,
            "a code not known here is the citizen's to choose, not a locked 'khác'"
        );
        assert_eq!(a["population.blood_type"], json!("O"));
        assert_eq!(a["population.id_issue_date"], json!("2021-06-15"));
        assert_eq!(
            a["population.id_issuer"],
            json!("Cục Cảnh sát quản lý hành chính về trật tự xã hội")
        );
        assert!(!a.contains_key("population.id_expiry"), "a malformed date is left out");
        assert_eq!(a["population.mother_name"], json!("TRẦN THỊ HOA"));
        assert!(!a.contains_key("population.mother_pin"), "a malformed PIN is left out");
        assert!(!a.contains_key("population.cmnd9"), "8 digits is not a CMND");
        assert_eq!(
            a["population.permanent_address"],
            json!({"province": "01", "commune": "00004", "street": "Số 12 Phố Hàng Bài",
                   "text": "Số 12 Phố Hàng Bài, Phường Hoàn Kiếm, Thành phố Hà Nội", "complete": true})
        );
        let home = &a["population.hometown"];
        assert_eq!(
            home["province"],
            json!("31"),
            "old Hải Dương (30) is now Hải Phòng (31)"
        );
        assert_eq!(
            home["commune"],
            Json::Null,
            "the old commune cannot be mapped without a conversion table"
        );
        assert_eq!(home["text"], json!("Xã Tân Hưng, Huyện Gia Lộc, Tỉnh Hải Dương"));
        let kept = json!({"NoiOHienTai": {"MaTinhThanh": "01", "MaQuanHuyen": "001", "MaPhuongXa": "00004",
                                          "ChiTiet": "SỐ 1", "TenPhuongXa": "PHƯỜNG TRÚC BẠCH", "TenQuanHuyen": "QUẬN BA ĐÌNH"},
                          "NoiSinh": {"MaTinhThanh": "30", "TenTinhThanh": "TỈNH HẢI DƯƠNG"}});
        let k = normalize_population(&kept, &units()).unwrap();
        assert_eq!(
            k["population.current_address"],
            json!({"province": "01", "commune": "00004", "street": "Số 1",
                   "text": "Số 1, Phường Hoàn Kiếm, Thành phố Hà Nội", "complete": true}),
            "an old commune whose code lives on maps to its 2025 unit"
        );
        assert_eq!(k["population.birth_place"]["province"], json!("31"));
        assert_eq!(k["population.birth_place"]["text"], json!("Tỉnh Hải Dương"));
        assert!(normalize_population(&json!([1]), &units()).is_err());
        assert!(normalize_population(
            &json!({"NgayThangNamSinh": {"NgayThangNam": "19901399"}, "HoVaTen": 7}),
            &units()
        )
        .unwrap()
        .is_empty());
    }

    #[test]
    fn a_record_with_the_year_of_birth_alone_gives_that_year() {
        let dob = |birth: Json| {
            let a = normalize_population(&json!({"NgayThangNamSinh": birth}), &units()).unwrap();
            (
                a.get("population.dob").cloned(),
                a.get("population.birth_year").cloned(),
            )
        };
        let year = (Some(json!("1950")), Some(json!("1950")));
        assert_eq!(dob(json!({"NgayThangNam": "19500000", "Nam": "1950"})), year);
        assert_eq!(dob(json!({"Nam": "1950"})), year);
        assert_eq!(dob(json!({"NgayThangNam": "1950"})), year);
        assert_eq!(dob(json!("19500000")), year);
        for unknown_day in ["1950-00-00", "00/00/1950", "19500300", "00001950"] {
            assert_eq!(dob(json!({"NgayThangNam": unknown_day})), year, "{unknown_day}");
        }
        assert_eq!(
            dob(json!({"NgayThangNam": "19501399"})),
            (None, None),
            "no day, and no year alone"
        );
        assert_eq!(dob(json!({"Nam": "195"})), (None, None));
    }

    #[test]
    fn values_are_shaped_for_fields_and_incomplete_places_unlocked() {
        let a = normalize_population(&reply(), &units()).unwrap();
        let v = prefill_values(&form(), &a);
        assert_eq!(v["full_name"].value, json!("Nguyễn Văn An"));
        assert!(v["full_name"].locked);
        assert_eq!(v["caps"].value, json!("NGUYỄN VĂN AN"));
        assert!(!v["caps"].locked);
        assert_eq!(v["dob"].value, json!("1990-01-15"));
        assert_eq!(v["phone"].value, json!("+84912345678"));
        assert_eq!(
            v["residence"].value,
            json!({"province": "01", "commune": "00004", "street": "Số 12 Phố Hàng Bài"})
        );
        assert!(v["residence"].locked);
        assert!(
            !v["hometown"].locked,
            "an address not mapped to a 2025 commune stays editable"
        );
        assert_eq!(
            v["hometown_text"].value,
            json!("Xã Tân Hưng, Huyện Gia Lộc, Tỉnh Hải Dương")
        );
        assert!(!v.contains_key("email"));
    }

    fn bundle() -> PrefillBundle {
        let a = normalize_population(&reply(), &units()).unwrap();
        PrefillBundle {
            format: BUNDLE_FORMAT,
            kid: "k1".into(),
            origin: "registry.local".into(),
            subject: "001090012345".into(),
            form_id: "ct01".into(),
            form_version: "2025.1".into(),
            issued_at: 1_000,
            expires_at: 2_000,
            values: prefill_values(&form(), &a),
            row: None,
            signature: String::new(),
        }
    }

    #[test]
    fn signing_bytes_are_canonical_and_exclude_the_signature() {
        let b = bundle();
        let mut signed = b.clone();
        signed.signature = "abc".into();
        assert_eq!(b.signing_bytes(), signed.signing_bytes());
        let text = String::from_utf8(b.signing_bytes()).unwrap();
        assert!(
            text.starts_with("tokhai-prefill-v1\n{\"expires_at\":2000,\"form_id\":\"ct01\""),
            "{text}"
        );
        let mut changed = b.clone();
        changed.values.get_mut("dob").unwrap().value = json!("1990-01-16");
        assert_ne!(b.signing_bytes(), changed.signing_bytes());
        assert_eq!(
            canonical_json(&json!([1965.0, 1.5, -0.0, 1e300, 7])),
            "[1965,1.5,0,1e+300,7]"
        );
        assert!(same(&json!({"y": 1965.0}), &json!({"y": 1965})));
        assert_eq!(
            canonical_json(&json!({"b": [1, {"d": 2, "c": "ễ"}], "a": null})),
            r#"{"a":null,"b":[1,{"c":"ễ","d":2}]}"#
        );
    }

    #[test]
    fn locked_changes_expiry_and_subject_are_found() {
        let b = bundle();
        let f = form();
        let ctx = BundleContext {
            form: &f,
            subject: Some("001090012345"),
            now: 1_500,
        };
        let same = json!({"full_name": "Nguye\u{302}\u{303}n  Văn An", "dob": "15/01/1990", "email": "a@b.vn",
                          "residence": {"province": "01", "commune": "00004", "street": "Số 12 Phố Hàng Bài"}});
        assert_eq!(check_bundle(&b, ctx, &same, &|_| true, &|_, _| true), vec![]);
        // A locked value left out is a change where the form shows its field, and none where it hides it.
        let mut left_out = same.clone();
        left_out.as_object_mut().unwrap().remove("full_name");
        let found = check_bundle(&b, ctx, &left_out, &|_| true, &|_, _| true);
        assert_eq!(found, [Issue::error("full_name", "prefill.locked_changed")]);
        assert_eq!(
            check_bundle(&b, ctx, &left_out, &|path| path != "full_name", &|_, _| true),
            vec![]
        );
        let changed = json!({"full_name": "Nguyễn Văn Ân", "dob": null,
                             "residence": {"province": "01", "commune": "00008", "street": "Số 12 Phố Hàng Bài"},
                             "hometown": {"province": "01"}});
        let codes: Vec<_> = check_bundle(&b, ctx, &changed, &|_| true, &|_, _| true)
            .into_iter()
            .map(|i| (i.path, i.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("dob".into(), "prefill.locked_changed".into()),
                ("full_name".into(), "prefill.locked_changed".into()),
                ("residence".into(), "prefill.locked_changed".into())
            ]
        );
        // A locked value its field cannot hold was left to the citizen: whatever they sent stands.
        let unfit = |path: &str, _: &Json| path != "full_name";
        let codes: Vec<_> = check_bundle(&b, ctx, &changed, &|_| true, &unfit)
            .into_iter()
            .map(|i| i.path)
            .collect();
        assert_eq!(codes, ["dob", "residence"]);
        let late = BundleContext { now: 2_001, ..ctx };
        assert_eq!(
            check_bundle(&b, late, &same, &|_| true, &|_, _| true)[0].code,
            "prefill.expired"
        );
        let other = BundleContext {
            subject: Some("001090099999"),
            ..ctx
        };
        assert_eq!(
            check_bundle(&b, other, &same, &|_| true, &|_, _| true)[0].code,
            "prefill.subject_mismatch"
        );
        let anonymous = BundleContext { subject: None, ..ctx };
        assert_eq!(
            check_bundle(&b, anonymous, &same, &|_| true, &|_, _| true)[0].code,
            "prefill.subject_mismatch"
        );
    }

    #[test]
    fn provenance_names_sources_and_edits() {
        let b = bundle();
        let values = json!({"full_name": "Nguyễn Văn An", "phone": "0999999999", "email": "a@b.vn"});
        let p = provenance(&form(), Some(&b), &[], &values);
        assert_eq!(
            p["full_name"],
            json!({"source": "population.full_name", "origin": "registry.local", "locked": true})
        );
        assert_eq!(
            p["phone"],
            json!({"source": "citizen", "edited_from": "population.phone"})
        );
        assert_eq!(p["email"], json!({"source": "citizen"}));
        assert_eq!(
            provenance(&form(), None, &[], &values)["full_name"],
            json!({"source": "citizen"})
        );
    }

    #[test]
    fn a_relative_s_record_is_used_only_if_it_is_that_relative() {
        let me = normalize_population(
            &json!({"SoDinhDanh": "001090012345", "GioiTinh": "1", "NgayThangNamSinh": "19900115",
                    "Cha": {"HoVaTen": "NGUYỄN VĂN BA", "SoDinhDanh": "001060000001"},
                    "VoChong": {"HoVaTen": "LÊ THỊ HOA", "SoDinhDanh": "001192000123"}}),
            &units(),
        )
        .unwrap();
        let record = |v: Json| normalize_population(&v, &units()).unwrap();
        let father = json!({"SoDinhDanh": "001060000001", "GioiTinh": "1", "HoVaTen": "NGUYỄN VĂN BA",
                            "NgayThangNamSinh": "19600101"});
        assert!(Relative::Father.confirms(&me, &record(father.clone())));
        let mut other = father.clone();
        other["HoVaTen"] = json!("TRẦN THỊ MAI");
        assert!(!Relative::Father.confirms(&me, &record(other)), "another name");
        let mut woman = father.clone();
        woman["GioiTinh"] = json!("2");
        assert!(!Relative::Father.confirms(&me, &record(woman)), "a father is a man");
        let mut younger = father;
        younger["NgayThangNamSinh"] = json!("20050304");
        assert!(
            !Relative::Father.confirms(&me, &record(younger)),
            "born after the citizen"
        );
        let wife = json!({"SoDinhDanh": "001192000123", "GioiTinh": "2", "HoVaTen": "LÊ THỊ HOA",
                          "VoChong": {"HoVaTen": "NGUYỄN VĂN AN", "SoDinhDanh": "001090012345"}});
        assert!(Relative::Spouse.confirms(&me, &record(wife.clone())));
        let mut married_elsewhere = wife;
        married_elsewhere["VoChong"]["SoDinhDanh"] = json!("001090099999");
        assert!(
            !Relative::Spouse.confirms(&me, &record(married_elsewhere)),
            "her record names someone else"
        );
        assert!(!Relative::Mother.confirms(&me, &me), "no mother named");
    }

    #[test]
    fn family_attributes_name_wife_and_husband() {
        let me = normalize_population(&reply(), &units()).unwrap();
        let wife_reply = json!({"SoDinhDanh": "001192000123", "GioiTinh": "2", "HoVaTen": "LÊ THỊ HOA",
                                "NgayThangNamSinh": {"Nam": "1992"}});
        let wife = normalize_population(&wife_reply, &units()).unwrap();
        let father_reply = json!({"SoDinhDanh": "001055000777", "GioiTinh": "1", "NgayThangNamSinh": "19550304"});
        let father = normalize_population(&father_reply, &units()).unwrap();
        let f = family_attributes(&me, &[(Relative::Spouse, wife.clone()), (Relative::Father, father)]);
        assert_eq!(f["family.husband_name"], json!("NGUYỄN VĂN AN"));
        assert_eq!(f["family.wife_pin"], json!("001192000123"));
        assert_eq!(f["family.wife_birth_year"], json!("1992"));
        assert_eq!(f["family.husband_residence"]["commune"], json!("00004"));
        assert_eq!(f["family.spouse_dob"], json!("1992"), "the year alone her record gives");
        assert_eq!(f["family.father_dob"], json!("1955-03-04"));
        assert!(!f.contains_key("family.mother_dob"), "no mother's record read");
        let alone = family_attributes(&wife, &[]);
        assert_eq!(alone["family.wife_name"], json!("LÊ THỊ HOA"));
        assert!(!alone.contains_key("family.husband_name"));
        assert!(attribute("family.wife_residence").is_some_and(|a| a.kind == AttrKind::Place));
        assert_eq!(relatives_used(&form()), []);
        let mut asks = form();
        let field = |id: &str, from: &str| -> FieldDef {
            serde_json::from_value(json!({"id": id, "kind": "date", "label": "Ngày", "year_only": true,
                                          "prefill": {"from": from, "lock": true}}))
            .unwrap()
        };
        asks.steps[0].sections[0].fields.push(field("wife", "family.wife_name"));
        asks.steps[0].sections[0]
            .fields
            .push(field("mother_dob", "family.mother_dob"));
        assert_eq!(relatives_used(&asks), [Relative::Spouse, Relative::Mother]);
    }

    #[test]
    fn definitions_with_bad_prefill_are_found() {
        let mut f = form();
        assert!(check_definition(&f).is_empty());
        let fields = &mut f.steps[0].sections[0].fields;
        fields[0].prefill.as_mut().unwrap().from = "population.nickname".into();
        fields[3].prefill.as_mut().unwrap().from = "population.full_name".into();
        let found: Vec<_> = check_definition(&f).into_iter().map(|e| e.path).collect();
        assert_eq!(
            found,
            [
                "$.steps[0].sections[0].fields[0].prefill.from",
                "$.steps[0].sections[0].fields[3].prefill.from"
            ]
        );
    }

    #[test]
    fn a_choice_is_prefilled_with_the_option_the_registry_value_names_or_left_to_the_citizen() {
        let choices: FormDef = serde_json::from_value(json!({
            "tokhai": 1, "id": "kh", "version": "1", "title": "Kết hôn",
            "catalogs": {"ethnicities": [{"value": "kinh", "label": "Kinh"}, {"value": "tay", "label": "Tày"}]},
            "steps": [{"id": "s", "title": "S", "sections": [{"id": "a", "fields": [
                {"id": "nationality", "kind": "select", "label": "Quốc tịch", "prefill": {"from": "population.nationality", "lock": true},
                 "options": [{"value": "viet_nam", "label": {"vi": "Việt Nam", "en": "Vietnamese"}}, {"value": "khac", "label": "Khác"}]},
                {"id": "ethnicity", "kind": "select", "label": "Dân tộc", "catalog": "ethnicities", "prefill": {"from": "population.ethnicity"}},
                {"id": "marital", "kind": "radio", "label": "Tình trạng hôn nhân", "prefill": {"from": "population.marital_status", "lock": true},
                 "options": [{"value": "doc_than", "label": "Độc thân"}, {"value": "married", "label": "Đã kết hôn"}]},
                {"id": "blood", "kind": "select", "label": "Nhóm máu", "prefill": {"from": "population.blood_type", "lock": true},
                 "options": [{"value": "A", "label": "A"}, {"value": "B", "label": "B"}]}
            ]}]}]
        }))
        .unwrap();
        assert_eq!(check_definition(&choices), vec![]);
        let a = normalize_population(&reply(), &units()).unwrap();
        assert_eq!(a["population.marital_status"], json!("da_ket_hon"));
        let v = prefill_values(&choices, &a);
        let value = |id: &str| v.get(id).map(|p| p.value.clone());
        assert_eq!(
            value("nationality"),
            Some(json!("viet_nam")),
            "Việt Nam, by the option's label"
        );
        assert_eq!(value("ethnicity"), Some(json!("kinh")), "in the form's catalogue");
        assert_eq!(
            value("marital"),
            Some(json!("married")),
            "the code da_ket_hon reads as “Đã kết hôn”"
        );
        assert_eq!(
            value("blood"),
            None,
            "O is no option: the citizen answers, nothing is refused"
        );
        assert!(v["nationality"].locked);
        // A code is read without its marks: "ba" is "Bà" or "Ba", so neither is chosen for the citizen.
        let relation: FieldDef = serde_json::from_value(json!({"id": "r", "kind": "radio", "label": "Quan hệ",
            "options": [{"value": "05", "label": "Ba"}, {"value": "09", "label": "Bà"}, {"value": "c", "label": "Con"}]}))
        .unwrap();
        let fit = |v: &str, code| option_of(&relation, &FormCatalogs::new(), json!(v), code);
        assert_eq!((fit("ba", true), fit("con", true)), (None, Some(json!("c"))));
        assert_eq!(
            fit("Bà", false),
            Some(json!("09")),
            "a text as written picks its own label"
        );
    }

    /// A form whose `members` rows are filled from household members, keyed by `m_pin`.
    fn members_form() -> FormDef {
        serde_json::from_value(json!({
            "tokhai": 1, "id": "ct01", "version": "2025.1", "title": "Tờ khai",
            "steps": [{"id": "s", "title": "S", "sections": [{"id": "a", "fields": [
                {"id": "members", "kind": "group", "label": "Thành viên", "fields": [
                    {"id": "m_pin", "kind": "pin", "label": "Số định danh", "prefill": {"from": "member.pin"}},
                    {"id": "m_name", "kind": "name", "label": "Họ tên", "prefill": {"from": "member.full_name", "lock": true}},
                    {"id": "m_dob", "kind": "date", "label": "Ngày sinh", "prefill": {"from": "member.dob", "lock": true}},
                    {"id": "m_note", "kind": "text", "label": "Ghi chú"}
                ]}
            ]}]}]
        }))
        .unwrap()
    }

    #[test]
    fn member_rows_are_checked_only_for_their_member() {
        let f = members_form();
        assert_eq!(check_definition(&f), vec![]);
        let group = &f.steps[0].sections[0].fields[0];
        assert_eq!(member_key(group), Some("m_pin"));
        let member = normalize_population(&reply(), &units()).unwrap();
        let values = row_values(&f, group, &member);
        assert_eq!(values["m_name"].value, json!("Nguyễn Văn An"));
        assert_eq!(values["m_dob"].value, json!("1990-01-15"));
        assert!(values["m_name"].locked && !values["m_pin"].locked);
        let b = PrefillBundle {
            values,
            row: Some(RowScope {
                group: "members".into(),
                member: "001090012345".into(),
            }),
            subject: "001060000001".into(),
            ..bundle()
        };
        let ctx = BundleContext {
            form: &f,
            subject: Some("001060000001"),
            now: 1_500,
        };
        let rows = json!({"members": [
            {"m_pin": "001090099999", "m_name": "Trần Bình", "m_dob": "2001-01-01"},
            {"m_pin": "001090012345", "m_name": "Nguyễn Văn An", "m_dob": "1990-01-15", "m_note": "x"}
        ]});
        assert_eq!(check_bundle(&b, ctx, &rows, &|_| true, &|_, _| true), vec![]);
        let mut changed = rows.clone();
        changed["members"][1]["m_name"] = json!("Nguyễn Văn Ân");
        let found: Vec<_> = check_bundle(&b, ctx, &changed, &|_| true, &|_, _| true)
            .into_iter()
            .map(|i| (i.path, i.code))
            .collect();
        assert_eq!(
            found,
            [("members[1].m_name".to_owned(), "prefill.locked_changed".to_owned())]
        );
        let unfit = |field: &str, _: &Json| field != "m_name";
        assert_eq!(check_bundle(&b, ctx, &changed, &|_| true, &unfit), vec![]);
        let mut left_out = rows.clone();
        left_out["members"][1].as_object_mut().unwrap().remove("m_name");
        let found = check_bundle(&b, ctx, &left_out, &|_| true, &|_, _| true);
        assert_eq!(found, [Issue::error("members[1].m_name", "prefill.locked_changed")]);
        // A row with another PIN is the citizen's own: the bundle is simply unused.
        changed["members"][1]["m_pin"] = json!("001090077777");
        assert_eq!(check_bundle(&b, ctx, &changed, &|_| true, &|_, _| true), vec![]);
        let p = provenance(&f, None, &[b], &rows);
        assert_eq!(
            p["members"]["rows"],
            json!({"1": {"source": "household", "origin": "registry.local"}})
        );
    }

    #[test]
    fn a_household_is_the_people_with_the_same_head() {
        let citizen = normalize_population(&reply(), &units()).unwrap();
        let mut spouse = citizen.clone();
        spouse.insert("population.pin".into(), json!("001190012346"));
        assert!(same_household(&citizen, &spouse));
        assert!(!same_household(&citizen, &citizen), "not oneself");
        let mut other = spouse.clone();
        other.insert("population.household_head_pin".into(), json!("001060000002"));
        assert!(!same_household(&citizen, &other));
        other.remove("population.household_head_pin");
        let mut headless = citizen.clone();
        headless.remove("population.household_head_pin");
        assert!(
            !same_household(&headless, &other),
            "no head on either side is no household"
        );
    }

    #[test]
    fn member_attributes_belong_to_rows_with_a_key() {
        let mut f = members_form();
        f.steps[0].sections[0].fields[0].fields.as_mut().unwrap().remove(0);
        let messages: Vec<_> = check_definition(&f).into_iter().map(|e| e.message).collect();
        assert!(messages[0].contains("member.pin"), "{messages:?}");
        let mut f = members_form();
        f.steps[0].sections[0].fields[0].fields.as_mut().unwrap()[1]
            .prefill
            .as_mut()
            .unwrap()
            .from = "population.full_name".into();
        assert!(check_definition(&f)[0].message.contains("not a member.* attribute"));
        let mut f = form();
        f.steps[0].sections[0].fields[0].prefill.as_mut().unwrap().from = "member.full_name".into();
        assert!(check_definition(&f)[0].message.contains("unknown registry attribute"));
        assert_eq!(member_attribute("member.dob").map(|a| a.name), Some("population.dob"));
        assert!(member_attribute("member.wife_name").is_none());
    }

    #[test]
    fn every_old_province_maps_to_a_2025_code() {
        let news: std::collections::BTreeSet<_> = OLD_PROVINCES.iter().map(|(_, n)| *n).collect();
        assert_eq!(news.len(), 34);
        assert_eq!(new_province_of("72"), Some("80"));
        assert_eq!(new_province_of("03"), None);
        assert!(POPULATION_ATTRIBUTES.iter().all(|a| a.name.starts_with("population.")));
        assert_eq!(attribute("population.spouse_pin").map(|a| a.kind), Some(AttrKind::Pin));
    }

    #[test]
    fn household_members_are_listed_but_the_citizen() {
        let reply = json!({"SoDinhDanh": "001090012345", "ThanhVienHo": [
            {"SoDinhDanh": "001090012345", "HoVaTen": "NGUYỄN VĂN AN"},
            {"SoDinhDanh": "001192000001", "HoVaTen": {"Ho": "TRẦN", "ChuDem": "THỊ", "Ten": "BÌNH"},
             "NgayThangNamSinh": {"NgayThangNam": "19920304"}},
            {"SoDinhDanh": "001215000002", "HoVaTen": "NGUYỄN AN KHANG", "NgayThangNamSinh": {"Nam": "2015"}},
            {"HoVaTen": "KHÔNG SỐ"},
            "not a person"]});
        let members = household_members(&reply, &units());
        let listed: Vec<_> = members
            .iter()
            .map(|m| (m.pin.as_str(), m.name.as_str(), m.birth_year))
            .collect();
        assert_eq!(
            listed,
            [
                ("001192000001", "Trần Thị Bình", Some(1992)),
                ("001215000002", "Nguyễn An Khang", Some(2015))
            ]
        );
        assert_eq!(household_members(&json!({"SoDinhDanh": "001090012345"}), &units()), []);
    }
}
