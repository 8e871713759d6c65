//! The form definition format (JSON, `"tokhai": 1`) as authors write it, before compilation.

use crate::vn::pin::Sex;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Text in Vietnamese (required) and English (optional); a plain string means Vietnamese only.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged, deny_unknown_fields)]
pub enum Text {
    /// Vietnamese only.
    Vi(String),
    /// Vietnamese and English.
    Both {
        /// Vietnamese text.
        vi: String,
        /// English text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        en: Option<String>,
    },
}

impl Text {
    /// The text in a language (`vi` or `en`), falling back to Vietnamese.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Text::Vi(vi) => vi,
            Text::Both { vi, en } => match (lang, en) {
                ("en", Some(en)) => en,
                _ => vi,
            },
        }
    }

    /// Whether an English translation is given.
    pub fn has_english(&self) -> bool {
        matches!(self, Text::Both { en: Some(_), .. })
    }
}

/// Reads a string or `{vi, en}` directly (an untagged derive would buffer each text and build an
/// error for the variant that does not match: most of a definition's parsing time).
impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

/// Builds a [`Text`] from a string or a map.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text: a string (Vietnamese) or {\"vi\": \"…\", \"en\": \"…\"}")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Text, E> {
        Ok(Text::Vi(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Text, E> {
        Ok(Text::Vi(s))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        let (mut vi, mut en) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "vi" => &mut vi,
                "en" => &mut en,
                other => return Err(de::Error::unknown_field(other, &["vi", "en"])),
            };
            if slot.is_some() {
                return Err(de::Error::custom(format_args!("duplicate field `{key}`")));
            }
            *slot = Some(map.next_value::<Option<String>>()?);
        }
        match vi {
            Some(Some(vi)) => Ok(Text::Both { vi, en: en.flatten() }),
            _ => Err(de::Error::missing_field("vi")),
        }
    }
}

/// What the schema says of ids (forms, steps, sections, fields), as the compiler checks them.
#[cfg(feature = "schema")]
const ID_PATTERN: &str = r"^[a-z][a-z0-9_]{0,63}$";

/// A whole form definition.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FormDef {
    /// Address of this format's JSON Schema, for editor completion.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Format version; must be 1.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1)))]
    pub tokhai: u32,
    /// Form identifier, e.g. `ct01`.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = ID_PATTERN)))]
    pub id: String,
    /// Definition version, e.g. `2025.1`.
    pub version: String,
    /// Form title.
    pub title: Text,
    /// Introductory text shown above the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Options catalogues defined inline, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub catalogs: BTreeMap<String, Vec<OptionDef>>,
    /// Steps of the wizard, in order.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub steps: Vec<StepDef>,
    /// Cross-field rules checked on the whole form.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
    /// The working days the agency has by law to decide on a dossier, counted from the day after its
    /// receipt: a whole number from 0 (the day received) to 365, or an expression of the answers giving
    /// one or null (no limit), e.g. `7` or `"if(request_type == 'tam_tru', 3, 7)"`.
    #[serde(
        default,
        deserialize_with = "days_or_expression",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(schema_with = "days_or_expression_schema"))]
    pub time_limit: Option<String>,
}

/// Reads a time limit: an expression, or a number of days written as a JSON number (kept as its
/// expression, which the compiler checks as it checks any other).
fn days_or_expression<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    /// Builds the expression of a time limit.
    struct Limit;

    impl Visitor<'_> for Limit {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number of working days, an expression of the answers in a string, or null")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(s.to_owned()))
        }

        fn visit_u64<E: de::Error>(self, days: u64) -> Result<Self::Value, E> {
            Ok(Some(days.to_string()))
        }

        fn visit_i64<E: de::Error>(self, days: i64) -> Result<Self::Value, E> {
            Ok(Some(days.to_string()))
        }

        fn visit_f64<E: de::Error>(self, days: f64) -> Result<Self::Value, E> {
            Ok(Some(days.to_string()))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(Limit)
}

/// The schema of a time limit: a whole number of days, an expression, or null.
#[cfg(feature = "schema")]
fn days_or_expression_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": ["integer", "string", "null"], "minimum": 0, "maximum": 365 })
}

impl FormDef {
    /// Every top-level field (a group's own fields are inside it), step by step, section by section.
    pub fn top_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.steps.iter().flat_map(|s| &s.sections).flat_map(|s| &s.fields)
    }
}

/// One step (page) of the wizard.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// Step identifier.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = ID_PATTERN)))]
    pub id: String,
    /// Step title.
    pub title: Text,
    /// Shown only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<String>,
    /// Sections of the step.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub sections: Vec<SectionDef>,
}

/// A titled group of fields within a step.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    /// Section identifier.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = ID_PATTERN)))]
    pub id: String,
    /// Section heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    /// Explanatory text under the heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Shown only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<String>,
    /// Fields of the section.
    pub fields: Vec<FieldDef>,
}

/// The kinds of field a form can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    /// A number.
    Number,
    /// A calendar date, typed as dd/mm/yyyy.
    Date,
    /// One option from a drop-down list.
    Select,
    /// One option from radio buttons.
    Radio,
    /// A yes/no box.
    Checkbox,
    /// Several options from check boxes.
    CheckboxGroup,
    /// An e-mail address.
    Email,
    /// A Vietnamese mobile or landline number.
    Phone,
    /// A 12-digit personal identification number (số định danh cá nhân).
    Pin,
    /// A tax code (mã số thuế): 10 digits, 10+3 branch form, or a 12-digit PIN.
    TaxCode,
    /// A personal name.
    Name,
    /// A 2025 two-level address: province, commune and street line.
    Address,
    /// Attached files: their metadata, and the back end's reference once uploaded.
    File,
    /// A repeatable group of fields (rows).
    Group,
}

impl FieldKind {
    /// The kind's name in a definition, e.g. `checkbox_group`.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Textarea => "textarea",
            FieldKind::Number => "number",
            FieldKind::Date => "date",
            FieldKind::Select => "select",
            FieldKind::Radio => "radio",
            FieldKind::Checkbox => "checkbox",
            FieldKind::CheckboxGroup => "checkbox_group",
            FieldKind::Email => "email",
            FieldKind::Phone => "phone",
            FieldKind::Pin => "pin",
            FieldKind::TaxCode => "tax_code",
            FieldKind::Name => "name",
            FieldKind::Address => "address",
            FieldKind::File => "file",
            FieldKind::Group => "group",
        }
    }
}

impl FieldKind {
    /// The kind's name after "a" or "an", as an error message reads it: "an address", "a date".
    pub fn with_article(self) -> String {
        crate::text::with_article(self.name())
    }
}

impl std::fmt::Display for FieldKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One field of a form.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Field identifier, unique in the form.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = ID_PATTERN)))]
    pub id: String,
    /// Field kind.
    pub kind: FieldKind,
    /// Label shown with the control.
    pub label: Text,
    /// Help text under the label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Whether a value must be given.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Required only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_if: Option<String>,
    /// Shown (and validated and submitted) only when this expression is true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<String>,
    /// Value computed from other fields (the field is read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<String>,
    /// Minimum length in characters (text kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// Maximum length in characters (text kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Smallest allowed number (number fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed number (number fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whole numbers only (number fields): a count of copies, a year.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    /// Earliest allowed date: an expression such as `add_years(today(), -120)` or `'1900-01-01'`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_date: Option<String>,
    /// Latest allowed date: an expression such as `today()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_date: Option<String>,
    /// Whether the date may be a year alone, `yyyy` (a date of birth: some national records give only the
    /// year); otherwise a year alone is no date. Wherever a day is needed (`min_date`/`max_date`, `age_on`,
    /// `add_years`, comparisons) a year alone is read as its last day, the youngest its person can be: a
    /// minor is never taken for an adult. A PIN is checked against its year.
    #[serde(default, skip_serializing_if = "is_false")]
    pub year_only: bool,
    /// Regular expression the whole value must match (text kinds), in the dialect of `tokhai_core::regex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// What a value must look like, said when it does not match `pattern` (e.g. "nhập theo dạng
    /// 51A-123.45"): the error reads "label: " and this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern_message: Option<Text>,
    /// Whether a name or a text is written in capitals (a name with full diacritics): what the citizen types
    /// is kept in capitals.
    #[serde(default, skip_serializing_if = "is_false")]
    pub uppercase: bool,
    /// Static options (select, radio, checkbox group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionDef>>,
    /// Name of an options catalogue, e.g. `provinces`, `communes` or an inline catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<String>,
    /// Field whose value filters the catalogue by parent code (e.g. communes of a province).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Fields of a repeatable group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<FieldDef>>,
    /// Fewest rows of a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<usize>,
    /// Most rows of a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_rows: Option<usize>,
    /// What a group calls one of its rows, in lower case ("thành viên", "member"): its rows are then
    /// "Thành viên 1", "Xóa thành viên 1", "Thêm thành viên" (by default "dòng", "row"; English plurals
    /// add "s", "es" or "ies").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_name: Option<Text>,
    /// Date periods in a group's rows that must not overlap and may have to cover a span.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<PeriodsDef>,
    /// Fields a PIN is cross-checked with (date of birth and sex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_links: Option<PinLinksDef>,
    /// Accepted media types of files, e.g. `application/pdf`, `image/*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept: Option<Vec<String>>,
    /// Largest file size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Most files in the field (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<usize>,
    /// Where the value is prefilled from in national data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<PrefillDef>,
    /// Cross-field rules checked on this field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDef>,
}

impl FieldDef {
    /// The options the definition holds for this field: its own, or those of a catalogue of the form's
    /// (`catalogs`); `None` for a host's catalogue (the communes), known only when a session starts.
    pub fn listed_options<'a>(&'a self, catalogs: &'a BTreeMap<String, Vec<OptionDef>>) -> Option<&'a [OptionDef]> {
        let options = self
            .options
            .as_ref()
            .or_else(|| catalogs.get(self.catalog.as_deref()?))?;
        Some(options)
    }

    /// Whether this file field takes a media type (by its `accept` list; anything without one).
    pub fn accepts_file(&self, media_type: &str) -> bool {
        crate::rules::file::accepts(self.accept.as_deref().unwrap_or_default(), media_type)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One option of a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OptionDef {
    /// Code submitted when the option is chosen.
    pub value: String,
    /// Text shown.
    pub label: Text,
    /// Parent code, for catalogues filtered by another field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// A cross-field rule: when `check` is false, the issue `code` is raised with `message`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Expression that must be true for the value to be valid.
    pub check: String,
    /// Stable issue code, e.g. `custom.move_date_after_birth`.
    pub code: String,
    /// Message shown when the rule fails; `{label}` in it is the label of the field it is shown at. One that
    /// names its field neither so nor in the label's words is led by `{label}: ` (a summary reads it alone).
    pub message: Text,
    /// Whether a failure only warns.
    #[serde(default, skip_serializing_if = "is_false")]
    pub warning: bool,
    /// Field the issue is attached to (form-level rules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// The fields a PIN field is cross-checked with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PinLinksDef {
    /// Date-of-birth field, or whole-number field holding the year of birth, whose year must match the PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    /// Sex field (values `nam`/`nu`) that must match the PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// The sex the PIN must encode whatever the citizen answers (`nu` for a mother's, `nam` for a father's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex_is: Option<Sex>,
}

/// Date periods inside a group's rows.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PeriodsDef {
    /// Row field with the start date.
    pub from: String,
    /// Row field with the end date.
    pub to: String,
    /// Expression for the date the periods must cover from, e.g. `add_years(dob, 14)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_from: Option<String>,
    /// Expression for the date the periods must cover to, e.g. `today()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_to: Option<String>,
}

/// Where a field's value comes from in national data.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PrefillDef {
    /// Attribute name, e.g. `population.full_name`; in a repeat group's rows, a household member's
    /// (`member.full_name`), with one row field from `member.pin` as the key.
    pub from: String,
    /// Whether the prefilled value is authoritative and read-only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub lock: bool,
}

/// The JSON Schema of the definition format, pretty-printed.
#[cfg(feature = "schema")]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(FormDef);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

#[cfg(all(test, feature = "schema"))]
mod tests {
    /// The committed schema file is exactly what the Rust types generate (set TOKHAI_BLESS=1 to rewrite it).
    #[test]
    fn committed_json_schema_matches_the_types() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/tokhai-form.schema.json");
        let generated = super::json_schema();
        if std::env::var_os("TOKHAI_BLESS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "schema/tokhai-form.schema.json is stale: run TOKHAI_BLESS=1 cargo test --all-features"
        );
    }
}

#[cfg(test)]
mod text_tests {
    use super::Text;

    fn text(json: &str) -> Result<Text, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn texts_are_strings_or_vi_en_maps() {
        assert_eq!(text(r#""Họ và tên""#), Ok(Text::Vi("Họ và tên".into())));
        let both = Text::Both {
            vi: "Họ và tên".into(),
            en: Some("Full name".into()),
        };
        assert_eq!(text(r#"{"vi": "Họ và tên", "en": "Full name"}"#), Ok(both.clone()));
        assert_eq!(text(r#"{"en": "Full name", "vi": "Họ và tên"}"#), Ok(both));
        assert_eq!(
            text(r#"{"vi": "Tên", "en": null}"#),
            Ok(Text::Both {
                vi: "Tên".into(),
                en: None
            })
        );
        // Written back as read.
        assert_eq!(
            serde_json::to_string(&text(r#"{"vi": "Tên"}"#).unwrap()).unwrap(),
            r#"{"vi":"Tên"}"#
        );
    }

    #[test]
    fn bad_texts_are_refused_with_the_reason() {
        let refused = |json: &str, reason: &str| {
            let error = text(json).unwrap_err();
            assert!(error.contains(reason), "{json}: {error}");
        };
        refused(r#"{"en": "Name"}"#, "missing field `vi`");
        refused(r#"{"vi": null}"#, "missing field `vi`");
        refused(
            r#"{"vi": "Tên", "fr": "Nom"}"#,
            "unknown field `fr`, expected `vi` or `en`",
        );
        refused(r#"{"vi": "Tên", "vi": "Họ"}"#, "duplicate field `vi`");
        refused("5", "expected a text: a string (Vietnamese)");
        refused(r#"{"vi": 5}"#, "expected a string");
    }
}
