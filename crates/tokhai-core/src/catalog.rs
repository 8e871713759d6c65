//! Options catalogues: static lists and the administrative units of 2025.

use crate::canonical::{parse_unique_str, Objects};
use crate::definition::{OptionDef, Text};
use crate::prefill::new_province_of;
use crate::text::search_key;
use crate::vn::pin::PROVINCE_CODES;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// Words citizens type for parts of unit names, searched as the words they stand for: abbreviations
/// (`TP. HCM`), and the English kinds of unit that the English names leave out ("Ho Chi Minh City").
const ABBREVIATIONS: [(&str, &str); 5] = [
    ("tp", "thanh pho"),
    ("hcm", "ho chi minh"),
    ("tphcm", "thanh pho ho chi minh"),
    ("city", ""),
    ("province", ""),
];

/// Catalogue names every host may provide; a definition may use them without defining them.
pub const EXTERNAL_CATALOGS: [&str; 2] = ["provinces", "communes"];

/// A loading problem with a catalogue.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("catalogue: {0}")]
pub struct CatalogError(pub String);

/// One named list of options, indexed by code and by parent.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    options: Vec<OptionDef>,
    by_code: HashMap<String, u32>,
    /// Search keys, each made on the first search that reaches its option (a commune search
    /// only reaches one province's communes, so loading stays fast).
    keys: Vec<OnceLock<String>>,
    /// Options also found by other names (a province's before 2025), with the option's index and
    /// the search key of its labels and those names, made on the first search (a few: a province's
    /// catalogue only).
    also: Vec<(u32, String, OnceLock<String>)>,
}

impl Catalog {
    /// A catalogue of options; later duplicates of a code are refused.
    pub fn new(options: Vec<OptionDef>) -> Result<Catalog, CatalogError> {
        let mut by_code = HashMap::with_capacity(options.len());
        for (i, o) in (0..).zip(&options) {
            if by_code.insert(o.value.clone(), i).is_some() {
                return Err(CatalogError(format!("duplicate code '{}'", o.value)));
            }
        }
        let keys = options.iter().map(|_| OnceLock::new()).collect();
        let also = Vec::new();
        Ok(Catalog {
            options,
            by_code,
            keys,
            also,
        })
    }

    /// Lets the option `code` be found by more words than its labels.
    fn also_found_by(&mut self, code: &str, words: String) {
        if let Some(&i) = self.by_code.get(code) {
            self.also.push((i, words, OnceLock::new()));
        }
    }

    /// The option with a code.
    pub fn get(&self, code: &str) -> Option<&OptionDef> {
        self.by_code.get(code).map(|&i| &self.options[i as usize])
    }

    /// Options, all or only the children of a parent code.
    pub fn options<'a>(&'a self, parent: Option<&'a str>) -> impl Iterator<Item = &'a OptionDef> + 'a {
        self.options
            .iter()
            .filter(move |o| parent.is_none() || o.parent.as_deref() == parent)
    }

    /// Options whose label contains every word of the query, ignoring case and diacritics: first
    /// those where every word starts a word of the label ('ha' finds Hà Nội before Lai Châu), then
    /// those found by their other names (a province merged in 2025), then the rest, each part in
    /// catalogue order.
    pub fn search<'a>(&'a self, parent: Option<&str>, query: &str, limit: usize) -> Vec<&'a OptionDef> {
        let key = search_key(query);
        let words: Vec<&str> = key
            .split(' ')
            .map(|w| w.trim_end_matches('.'))
            .flat_map(|w| {
                ABBREVIATIONS
                    .iter()
                    .find(|(a, _)| *a == w)
                    .map_or(w, |(_, full)| full)
                    .split(' ')
            })
            .filter(|w| !w.is_empty())
            .collect();
        // Another name is a province's before 2025 as citizens still write it, kind and all ("Tỉnh Bình
        // Dương"): the kind is not part of the name kept.
        let named = without_kind(&words);
        let (mut first, mut other_names, mut rest) = (Vec::new(), Vec::new(), Vec::new());
        let candidates = (0..).zip(self.options.iter().zip(&self.keys));
        for (i, (o, key)) in candidates.filter(|(_, (o, _))| parent.is_none() || o.parent.as_deref() == parent) {
            let key = key.get_or_init(|| labels_key(o, ""));
            let also = self.also.iter().find(|(j, ..)| *j == i);
            let also = also.map(|(_, words, key)| key.get_or_init(|| labels_key(o, words)));
            let whole = also.map_or(key.as_str(), String::as_str);
            if words.iter().all(|w| starts_word(key, w)) {
                first.push(o);
                if first.len() == limit {
                    break;
                }
            } else if also.is_some() && !named.is_empty() && named.iter().all(|w| starts_word(whole, w)) {
                other_names.push(o);
            } else if rest.len() < limit && words.iter().all(|w| whole.contains(w)) {
                rest.push(o);
            }
        }
        first.extend(other_names);
        first.extend(rest);
        first.truncate(limit);
        first
    }

    /// Number of options.
    pub fn len(&self) -> usize {
        self.options.len()
    }

    /// Whether the catalogue has no options.
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }
}

/// The search key of an option's labels, and of more words.
fn labels_key(option: &OptionDef, words: &str) -> String {
    search_key(&format!(
        "{} {} {words}",
        option.label.get("vi"),
        option.label.get("en")
    ))
}

/// The words of a query without those of a province's kind: "tinh", "thanh pho" (and "tp", read as it).
fn without_kind<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        match (words[i], words.get(i + 1)) {
            ("tinh", _) => i += 1,
            ("thanh", Some(&"pho")) => i += 2,
            (w, _) => {
                out.push(w);
                i += 1;
            }
        }
    }
    out
}

/// Whether `word` starts one of the space-separated words of `key`.
fn starts_word(key: &str, word: &str) -> bool {
    key.match_indices(word)
        .any(|(i, _)| i == 0 || key.as_bytes()[i - 1] == b' ')
}

/// Named catalogues available to a session.
#[derive(Debug, Clone, Default)]
pub struct Catalogs {
    /// By name: a handful, looked through in turn (a hash map of its own would add to the wasm bundle).
    named: Vec<(String, Catalog)>,
}

/// The catalogues a session looks in: the form's own, then the host's.
#[derive(Clone, Copy)]
pub struct CatalogView<'a> {
    /// Catalogues defined inline in the form.
    pub form: &'a Catalogs,
    /// Catalogues the host provides.
    pub host: &'a Catalogs,
}

impl<'a> CatalogView<'a> {
    /// A catalogue by name, the form's own first.
    pub fn get(&self, name: &str) -> Option<&'a Catalog> {
        self.form.get(name).or_else(|| self.host.get(name))
    }
}

/// Names a province is still called by besides those of the provinces merged into it.
const COMMON_NAMES: [(&str, &str); 1] = [("79", "Sài Gòn")];

/// The other names of province `code`: those of the provinces before 1 July 2025 that became part
/// of it, and the name it is commonly called by.
fn other_names(code: &str) -> String {
    let merged = PROVINCE_CODES
        .iter()
        .filter(|(old, _)| new_province_of(&old[1..]) == Some(code));
    let common = COMMON_NAMES.iter().filter(|(c, _)| *c == code);
    merged
        .chain(common)
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a catalogue reads of an administrative-units file (the file's other fields are ignored).
#[derive(Deserialize, Serialize)]
struct AdminUnits {
    provinces: Vec<AdminUnit>,
    communes: Vec<AdminUnit>,
}

#[derive(Deserialize, Serialize)]
struct AdminUnit {
    code: String,
    full_name: String,
    name_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    province: Option<String>,
}

/// For each commune, whether another of its province has the same English name.
fn english_twins(communes: &[AdminUnit]) -> Vec<bool> {
    fn key(u: &AdminUnit) -> (Option<&str>, &str) {
        (u.province.as_deref(), &u.name_en)
    }
    let mut named: HashMap<_, u32> = HashMap::with_capacity(communes.len());
    for u in communes {
        *named.entry(key(u)).or_default() += 1;
    }
    communes.iter().map(|u| named[&key(u)] > 1).collect()
}

impl AdminUnits {
    fn parse(json: &str) -> Result<AdminUnits, CatalogError> {
        serde_json::from_str(json).map_err(|e| CatalogError(format!("administrative units: {e}")))
    }
}

impl Catalogs {
    /// No catalogues.
    pub fn new() -> Catalogs {
        Catalogs::default()
    }

    /// Adds or replaces a catalogue.
    pub fn insert(&mut self, name: &str, options: Vec<OptionDef>) -> Result<(), CatalogError> {
        let catalog = Catalog::new(options).map_err(|e| CatalogError(format!("{name}: {}", e.0)))?;
        match self.get_mut(name) {
            Some(old) => *old = catalog,
            None => self.named.push((name.to_owned(), catalog)),
        }
        Ok(())
    }

    /// Catalogues a host gives as JSON: an administrative-units file, or a map of list names to options.
    pub fn from_json(json: &str) -> Result<Catalogs, CatalogError> {
        if json.contains("\"communes\"") && json.contains("\"code\"") {
            return Catalogs::from_admin_units(json);
        }
        let fail = |e: serde_json::Error| CatalogError(e.to_string());
        // Read from a tree that refused a list named twice (it would lose the first), as definitions are.
        let tree = parse_unique_str(json).map_err(fail)?;
        let lists = BTreeMap::<String, Vec<OptionDef>>::deserialize(Objects(&tree)).map_err(fail)?;
        let mut catalogs = Catalogs::new();
        for (name, options) in lists {
            catalogs.insert(&name, options)?;
        }
        catalogs.every_commune_in_a_province()?;
        Ok(catalogs)
    }

    /// Catalogues a host gives as the bytes of a JSON file (UTF-8, a byte-order mark allowed), as a browser
    /// receives them: read without being decoded to text and encoded again.
    pub fn from_json_bytes(json: &[u8]) -> Result<Catalogs, CatalogError> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let start = if json.starts_with(BOM) { BOM.len() } else { 0 };
        let text = std::str::from_utf8(&json[start..])
            .map_err(|e| CatalogError(format!("not UTF-8 text: byte {} is not UTF-8", start + e.valid_up_to())))?;
        Catalogs::from_json(text)
    }

    /// The `provinces` and `communes` catalogues from an administrative-units file (shape of units-2025.json).
    pub fn from_admin_units(json: &str) -> Result<Catalogs, CatalogError> {
        Catalogs::of_units(AdminUnits::parse(json)?)
    }

    /// The catalogues of an administrative-units file, and the file with only the fields they read of it,
    /// still such a file: what a server publishes to browsers (a quarter fewer bytes to download and parse
    /// than units-2025.json). The file is read once for both.
    pub fn from_admin_units_published(json: &str) -> Result<(Catalogs, String), CatalogError> {
        let units = AdminUnits::parse(json)?;
        let published = serde_json::to_string(&units).map_err(|e| CatalogError(e.to_string()))?;
        Ok((Catalogs::of_units(units)?, published))
    }

    /// The `provinces` and `communes` catalogues of administrative units.
    fn of_units(units: AdminUnits) -> Result<Catalogs, CatalogError> {
        // English names drop the marks that tell some communes of a province apart ("Thanh An" is Xã
        // Thanh An and Xã Thạnh An): those say their Vietnamese name too.
        let twins = english_twins(&units.communes);
        let option = |(u, twin): (AdminUnit, bool)| OptionDef {
            label: Text::Both {
                en: Some(if twin {
                    format!("{} ({})", u.name_en, u.full_name)
                } else {
                    u.name_en
                }),
                vi: u.full_name,
            },
            value: u.code,
            parent: u.province,
        };
        let mut catalogs = Catalogs::new();
        let provinces: Vec<OptionDef> = units.provinces.into_iter().map(|u| option((u, false))).collect();
        let communes: Vec<OptionDef> = units.communes.into_iter().zip(twins).map(option).collect();
        let codes: Vec<String> = provinces.iter().map(|p| p.value.clone()).collect();
        catalogs.insert("provinces", provinces)?;
        if let Some(found) = catalogs.get_mut("provinces") {
            // Citizens still name the provinces merged in 2025: "Bình Dương" finds Hồ Chí Minh City.
            for code in codes {
                found.also_found_by(&code, other_names(&code));
            }
        }
        catalogs.insert("communes", communes)?;
        catalogs.every_commune_in_a_province()?;
        Ok(catalogs)
    }

    /// Refuses communes that name no province of the catalogue: the commune list under any province
    /// would never offer them.
    fn every_commune_in_a_province(&self) -> Result<(), CatalogError> {
        let (Some(communes), Some(provinces)) = (self.get("communes"), self.get("provinces")) else {
            return Ok(());
        };
        let known = |p: &String| provinces.by_code.contains_key(p);
        match communes.options.iter().find(|c| !c.parent.as_ref().is_some_and(known)) {
            Some(orphan) => Err(CatalogError(format!(
                "commune {} names no known province",
                orphan.value
            ))),
            None => Ok(()),
        }
    }

    /// A catalogue by name.
    pub fn get(&self, name: &str) -> Option<&Catalog> {
        self.named.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// A catalogue by name, to change it.
    fn get_mut(&mut self, name: &str) -> Option<&mut Catalog> {
        self.named.iter_mut().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    /// Whether a catalogue is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(value: &str, vi: &str, parent: Option<&str>) -> OptionDef {
        OptionDef {
            value: value.into(),
            label: Text::Vi(vi.into()),
            parent: parent.map(Into::into),
        }
    }

    #[test]
    fn search_ignores_diacritics_and_filters_by_parent() {
        let c = Catalog::new(vec![
            opt("00004", "Phường Hoàn Kiếm", Some("01")),
            opt("00008", "Phường Ngọc Hà", Some("01")),
            opt("26734", "Phường Bà Rịa", Some("79")),
        ])
        .unwrap();
        let found: Vec<_> = c
            .search(Some("01"), "hoan kiem", 10)
            .iter()
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(found, ["00004"]);
        assert_eq!(c.search(None, "BA", 10).len(), 1);
        assert_eq!(c.search(None, "PHUONG", 10).len(), 3);
        assert_eq!(c.search(Some("79"), "hoan kiem", 10).len(), 0);
        assert_eq!(c.options(Some("01")).count(), 2);
    }

    #[test]
    fn a_province_is_found_by_the_names_of_the_provinces_merged_into_it() {
        let units = r#"{"provinces":[
            {"code":"79","full_name":"Thành phố Hồ Chí Minh","name_en":"Ho Chi Minh City"},
            {"code":"46","full_name":"Thành phố Huế","name_en":"Hue"},
            {"code":"75","full_name":"Tỉnh Đồng Nai","name_en":"Dong Nai"}],"communes":[]}"#;
        let catalogs = Catalogs::from_admin_units(units).unwrap();
        let provinces = catalogs.get("provinces").unwrap();
        let found =
            |q: &str| -> Vec<String> { provinces.search(None, q, 10).iter().map(|o| o.value.clone()).collect() };
        assert_eq!(found("Bình Dương"), ["79"]);
        assert_eq!(found("vung tau"), ["79"]);
        assert_eq!(found("sài gòn"), ["79"]);
        assert_eq!(found("thua thien hue"), ["46"]);
        assert_eq!(found("binh phuoc"), ["75"]);
        assert_eq!(found("dong nai"), ["75"], "and by its own name");
        // As citizens still write them, kind and all.
        assert_eq!(found("Tỉnh Bình Dương"), ["79"]);
        assert_eq!(found("Tỉnh Thừa Thiên Huế"), ["46"]);
        assert_eq!(found("Tỉnh Bà Rịa - Vũng Tàu"), ["79"]);
        assert_eq!(found("TP Đồng Nai"), ["75"]);
        // Its own name first: Tuyên Quang (which took in Hà Giang) comes after Hà Nội for "ha".
        let units = r#"{"provinces":[
            {"code":"08","full_name":"Tỉnh Tuyên Quang","name_en":"Tuyen Quang"},
            {"code":"01","full_name":"Thành phố Hà Nội","name_en":"Hanoi"}],"communes":[]}"#;
        let catalogs = Catalogs::from_admin_units(units).unwrap();
        let found: Vec<&str> = catalogs
            .get("provinces")
            .unwrap()
            .search(None, "ha", 10)
            .iter()
            .map(|o| o.value.as_str())
            .collect();
        assert_eq!(found, ["01", "08"]);
    }

    #[test]
    fn search_reads_the_abbreviations_citizens_type() {
        let c = Catalog::new(vec![
            opt("79", "Thành phố Hồ Chí Minh", None),
            opt("01", "Thành phố Hà Nội", None),
        ])
        .unwrap();
        let found = |q: &str| -> Vec<String> { c.search(None, q, 10).iter().map(|o| o.value.clone()).collect() };
        for query in [
            "TP. HCM",
            "tp hcm",
            "TPHCM",
            "TP. Hồ Chí Minh",
            "hcm",
            "Ho Chi Minh City",
        ] {
            assert_eq!(found(query), ["79"], "{query}");
        }
        assert_eq!(found("tp"), ["79", "01"]);
    }

    #[test]
    fn search_lists_labels_with_a_word_starting_so_first() {
        let c = Catalog::new(vec![
            opt("12", "Tỉnh Lai Châu", None),
            opt("01", "Thành phố Hà Nội", None),
            opt("19", "Tỉnh Thái Nguyên", None),
            opt("42", "Tỉnh Hà Tĩnh", None),
        ])
        .unwrap();
        let found = |q, limit| {
            c.search(None, q, limit)
                .iter()
                .map(|o| o.value.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(found("ha", 10), ["01", "42", "12", "19"]);
        assert_eq!(found("ha", 3), ["01", "42", "12"]);
        assert_eq!(
            found("ha ti", 10),
            ["42", "12", "19"],
            "both words start words of Hà Tĩnh only"
        );
        assert_eq!(found("ai", 10), ["12", "19"], "inside words only: catalogue order");
        assert_eq!(found("", 10), ["12", "01", "19", "42"]);
    }

    #[test]
    fn host_catalogues_come_as_admin_units_or_lists() {
        let units = r#"{"provinces":[{"code":"01","full_name":"Thành phố Hà Nội","name_en":"Hanoi"}],
            "communes":[{"code":"00004","province":"01","full_name":"Phường Hoàn Kiếm","name_en":"Hoan Kiem"}]}"#;
        assert_eq!(
            Catalogs::from_json(units).unwrap().get("communes").map(Catalog::len),
            Some(1)
        );
        let lists = r#"{"ethnicities":[{"value":"01","label":"Kinh"}]}"#;
        assert!(Catalogs::from_json(lists).unwrap().contains("ethnicities"));
        assert!(Catalogs::from_json("[1]").is_err());
        // A units file with a wrong entry is refused for what is wrong in it, not as a map of lists.
        let orphan = units.replace(r#""province":"01""#, r#""province":"99""#);
        let error = Catalogs::from_json(&orphan).expect_err("orphan").to_string();
        assert!(error.contains("commune 00004 names no known province"), "{error}");
        // So is a map of lists whose commune names a province that is not in it, or none.
        let lists = r#"{"provinces":[{"value":"01","label":"Hà Nội"}],"communes":[{"value":"00004","label":"Ba Đình","parent":"PARENT"}]}"#;
        assert!(Catalogs::from_json(&lists.replace("PARENT", "01")).is_ok());
        for wrong in [
            lists.replace("PARENT", "99"),
            lists.replace(r#","parent":"PARENT""#, ""),
        ] {
            let error = Catalogs::from_json(&wrong).expect_err("orphan").to_string();
            assert!(error.contains("commune 00004 names no known province"), "{error}");
        }
        let twice = r#"{"c": [{"value": "1", "label": "1"}], "c": [{"value": "2", "label": "2"}]}"#;
        let error = Catalogs::from_json(twice)
            .expect_err("refused, not half read")
            .to_string();
        assert!(error.contains("given twice at line 1"), "{error}");
        // An option is an object, as in a definition: its fields in an array are not read in order.
        let error = Catalogs::from_json(r#"{"c": [["1", "1"]]}"#)
            .expect_err("an option as an array")
            .to_string();
        assert!(error.contains("expected struct OptionDef"), "{error}");
    }

    #[test]
    fn the_units_read_are_a_units_file_that_makes_the_same_catalogues() {
        let file = r#"{"as_of":"2026-07-25","provinces":[{"code":"01","name":"Hà Nội","full_name":"Thành phố Hà Nội","name_en":"Hanoi","kind":"Thành phố"}],
            "communes":[{"code":"00004","province":"01","name":"Ba Đình","full_name":"Phường Ba Đình","name_en":"Ba Dinh","kind":"Phường"}]}"#;
        let (from_published, read) = Catalogs::from_admin_units_published(file).unwrap();
        assert_eq!(
            read,
            r#"{"provinces":[{"code":"01","full_name":"Thành phố Hà Nội","name_en":"Hanoi"}],"communes":[{"code":"00004","full_name":"Phường Ba Đình","name_en":"Ba Dinh","province":"01"}]}"#
        );
        let (whole, trimmed) = (Catalogs::from_json(file).unwrap(), Catalogs::from_json(&read).unwrap());
        for name in EXTERNAL_CATALOGS {
            let options = |c: &Catalogs| c.get(name).map(|c| c.options(None).cloned().collect::<Vec<_>>());
            assert_eq!(options(&whole), options(&trimmed), "{name}");
            assert_eq!(options(&whole), options(&from_published), "{name}");
        }
        assert!(Catalogs::from_admin_units_published(r#"{"provinces":[]}"#).is_err());
    }

    #[test]
    fn catalogues_are_read_from_utf8_bytes() {
        let lists = r#"{"c": [{"value": "1", "label": "Hà Nội"}]}"#;
        let label = |c: Catalogs| c.get("c").unwrap().get("1").unwrap().label.get("vi").to_owned();
        assert_eq!(label(Catalogs::from_json_bytes(lists.as_bytes()).unwrap()), "Hà Nội");
        let marked = [b"\xEF\xBB\xBF".as_slice(), lists.as_bytes()].concat();
        assert_eq!(label(Catalogs::from_json_bytes(&marked).unwrap()), "Hà Nội");
        // The place of a byte that is not UTF-8 is counted from the first byte of the file, the mark included.
        let error = Catalogs::from_json_bytes(&[&marked[..3], b"{\xFF}"].concat()).unwrap_err();
        assert_eq!(error.0, "not UTF-8 text: byte 4 is not UTF-8");
        // Windows-1258 "Hà" is refused with where, not read with replacement characters.
        let latin = [br#"{"c": [{"value": "1", "label": "H"#.as_slice(), b"\xE0\"}]}"].concat();
        let error = Catalogs::from_json_bytes(&latin).unwrap_err().to_string();
        assert_eq!(error, "catalogue: not UTF-8 text: byte 33 is not UTF-8");
    }

    #[test]
    fn duplicate_codes_and_bad_files_are_refused() {
        let twice = Catalog::new(vec![opt("2", "A", None), opt("1", "B", None), opt("2", "C", None)]);
        assert_eq!(twice.unwrap_err().0, "duplicate code '2'");
        // Codes are found whatever their order in the catalogue.
        let c = Catalog::new(vec![opt("30", "A", None), opt("1", "B", None), opt("200", "C", None)]).unwrap();
        let found = |code| c.get(code).map(|o| o.label.get("vi"));
        assert_eq!(
            [found("30"), found("1"), found("200"), found("3")],
            [Some("A"), Some("B"), Some("C"), None]
        );
        assert!(Catalogs::from_admin_units("{").is_err());
        let orphan = r#"{"provinces":[],"communes":[{"code":"1","full_name":"X","name_en":"X","province":"01"}]}"#;
        assert!(Catalogs::from_admin_units(orphan)
            .unwrap_err()
            .0
            .contains("no known province"));
    }
}
