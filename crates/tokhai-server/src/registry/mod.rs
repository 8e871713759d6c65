//! The local population registry: synthetic citizens generated from a seed and stored in the database.
//!
//! Every citizen is kept as the reply the national database would give (upper-case names,
//! `YYYYMMDD` dates, 2025 unit codes for residence and pre-2025 three-level hometowns), so that
//! the same normalisation in tokhai-core serves the local registry and the HTTP connector.

mod names;

use crate::db::Db;
use names::*;
use serde_json::{json, Value as Json};
use std::collections::HashSet;
use tokhai_core::catalog::Catalogs;
use tokhai_core::definition::OptionDef;
use tokhai_core::prefill::{new_province_of, OLD_PROVINCES};

/// Version of the generator; a stored registry of another version is generated again.
const GENERATOR_VERSION: &str = "4";

/// Year the synthetic population is as of (ages and PIN centuries are computed from it).
const AS_OF_YEAR: i32 = 2025;

/// A small deterministic generator (SplitMix64), the same sequence on every platform.
pub struct Rng(u64);

impl Rng {
    /// A generator started from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i32
    }

    /// True with a probability of `percent` in 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One item of a non-empty list.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One item of a list by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
        let total: u64 = items.iter().map(|i| u64::from(weight(i))).sum();
        let mut r = self.below(total);
        for item in items {
            let w = u64::from(weight(item));
            if r < w {
                return item;
            }
            r -= w;
        }
        &items[items.len() - 1]
    }
}

/// One generated citizen, ready to store.
#[derive(Clone, Debug)]
pub struct CitizenRow {
    /// Personal identification number.
    pub pin: String,
    /// Household identifier.
    pub household_id: String,
    /// Full name in capitals, as the registry holds it.
    pub full_name: String,
    /// `nam` or `nu`.
    pub sex: &'static str,
    /// Year of birth.
    pub birth_year: i32,
    /// 2025 province code of the permanent residence.
    pub province: String,
    /// The national-database reply for this citizen.
    pub record: Json,
}

/// A registry that cannot be generated from the catalogue it was given.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate the synthetic registry: {0}")]
pub struct GenerateError(String);

#[derive(Clone)]
struct Person {
    surname: &'static str,
    name: String,
    male: bool,
    dob: (i32, u8, u8),
    pin: String,
    relation: &'static str,
}

#[derive(Clone)]
struct Place {
    province: String,
    commune: String,
    detail: String,
}

struct Generator<'a> {
    rng: Rng,
    communes: Vec<&'a OptionDef>,
    codes: HashSet<&'a str>,
    pins: HashSet<String>,
}

/// Generates `size` citizens in households, the same ones for the same seed and catalogue.
pub fn generate(seed: u64, size: usize, units: &Catalogs) -> Result<Vec<CitizenRow>, GenerateError> {
    let missing = || GenerateError("the administrative-units catalogue has no provinces or communes".into());
    let communes: Vec<&OptionDef> = units.get("communes").ok_or_else(missing)?.options(None).collect();
    if communes.is_empty() {
        return Err(missing());
    }
    let mut g = Generator {
        rng: Rng::new(seed),
        codes: communes.iter().map(|c| c.value.as_str()).collect(),
        communes,
        pins: HashSet::with_capacity(size),
    };
    let mut rows = Vec::with_capacity(size + 8);
    let mut household = 0u32;
    while rows.len() < size {
        household += 1;
        g.household(&format!("HK{household:07}"), &mut rows);
    }
    rows.truncate(size);
    Ok(rows)
}

impl<'a> Generator<'a> {
    fn household(&mut self, id: &str, rows: &mut Vec<CitizenRow>) {
        let home = self.place();
        let old_province = self.old_province_of(&home.province);
        let ethnicity = *self.rng.weighted(ETHNICITIES, |e| e.2);
        let religion = *self.rng.weighted(RELIGIONS, |r| r.2);
        let head_male = self.rng.chance(62);
        let head_age = self.rng.range(24, 82);
        let surname = self.rng.weighted(SURNAMES, |s| s.1).0;
        let head = self.person(surname, head_male, AS_OF_YEAR - head_age, old_province, "CHỦ HỘ");
        let mut members = vec![head.clone()];
        let spouse = (head_age < 75 || self.rng.chance(50)) && self.rng.chance(78);
        if spouse {
            let year = AS_OF_YEAR - (head_age + self.rng.range(-6, 4)).clamp(20, 90);
            let relation = if head_male { "VỢ" } else { "CHỒNG" };
            let surname = self.rng.weighted(SURNAMES, |s| s.1).0;
            let birth_province = self.old_province_near(old_province);
            members.push(self.person(surname, !head_male, year, birth_province, relation));
        }
        let father_surname = if head_male || !spouse {
            head.surname
        } else {
            members[1].surname
        };
        let children = if head_age < 24 { 0 } else { self.rng.below(4) };
        for _ in 0..children {
            let year = (AS_OF_YEAR - head_age + self.rng.range(20, 38)).min(AS_OF_YEAR - 1);
            let male = self.rng.chance(51);
            members.push(self.person(father_surname, male, year, old_province, "CON"));
        }
        if head_age < 60 && self.rng.chance(12) {
            let year = AS_OF_YEAR - (head_age + self.rng.range(22, 32)).min(95);
            let male = self.rng.chance(40);
            let surname = if male {
                head.surname
            } else {
                self.rng.weighted(SURNAMES, |s| s.1).0
            };
            members.push(self.person(surname, male, year, old_province, if male { "BỐ" } else { "MẸ" }));
        }
        let (father, mother) = match (spouse, head_male) {
            (true, true) => (Some(&members[0]), Some(&members[1])),
            (true, false) => (Some(&members[1]), Some(&members[0])),
            (false, true) => (Some(&members[0]), None),
            (false, false) => (None, Some(&members[0])),
        };
        let parents = (father.cloned(), mother.cloned());
        for (i, m) in members.iter().enumerate() {
            let spouse_of = match (i, spouse) {
                (0, true) => Some(&members[1]),
                (1, true) => Some(&members[0]),
                _ => None,
            };
            let (f, mo) = if m.relation == "CON" {
                (parents.0.as_ref(), parents.1.as_ref())
            } else {
                (None, None)
            };
            let record = self.record(m, &head, &home, ethnicity, religion, spouse_of, f, mo);
            rows.push(CitizenRow {
                pin: m.pin.clone(),
                household_id: id.to_owned(),
                full_name: m.name.clone(),
                sex: if m.male { "nam" } else { "nu" },
                birth_year: m.dob.0,
                province: home.province.clone(),
                record,
            });
        }
    }

    fn person(
        &mut self,
        surname: &'static str,
        male: bool,
        year: i32,
        old_province: &str,
        relation: &'static str,
    ) -> Person {
        let (middle, given) = if male {
            (MIDDLE_MALE, GIVEN_MALE)
        } else {
            (MIDDLE_FEMALE, GIVEN_FEMALE)
        };
        let name = format!("{surname} {} {}", self.rng.pick(middle), self.rng.pick(given));
        let month = self.rng.range(1, 12) as u8;
        let day = self
            .rng
            .range(1, i32::from(tokhai_core::date::days_in_month(year, month))) as u8;
        let pin = self.pin(old_province, male, year);
        Person {
            surname,
            name,
            male,
            dob: (year, month, day),
            pin,
            relation,
        }
    }

    /// `0` + old province code, century/sex digit, two year digits, six unique digits.
    fn pin(&mut self, old_province: &str, male: bool, year: i32) -> String {
        let digit = (year - 1900) / 100 * 2 + i32::from(!male);
        loop {
            let pin = format!(
                "0{old_province}{digit}{:02}{:06}",
                year % 100,
                self.rng.below(1_000_000)
            );
            if self.pins.insert(pin.clone()) {
                return pin;
            }
        }
    }

    fn place(&mut self) -> Place {
        let commune = *self.rng.pick(&self.communes);
        let province = commune.parent.clone().unwrap_or_default();
        let ward = commune.label.get("vi").starts_with("Phường");
        let detail = if ward {
            format!("SỐ {} ĐƯỜNG {}", self.rng.range(1, 250), self.rng.pick(STREETS))
        } else {
            format!("THÔN {}", self.rng.range(1, 12))
        };
        Place {
            province,
            commune: commune.value.clone(),
            detail,
        }
    }

    /// One of the old provinces that became part of a 2025 province (a PIN prefix there).
    fn old_province_of(&mut self, new: &str) -> &'static str {
        let olds: Vec<&'static str> = OLD_PROVINCES
            .iter()
            .filter(|(_, n)| *n == new)
            .map(|(o, _)| *o)
            .collect();
        if olds.is_empty() {
            self.rng.pick(&OLD_PROVINCES).0
        } else {
            olds[self.rng.below(olds.len() as u64) as usize]
        }
    }

    /// Usually the same old province, sometimes any other one.
    fn old_province_near(&mut self, old: &'static str) -> &'static str {
        if self.rng.chance(80) {
            old
        } else {
            self.rng.pick(&OLD_PROVINCES).0
        }
    }

    fn new_place_json(&self, p: &Place) -> Json {
        json!({"MaTinhThanh": p.province, "MaPhuongXa": p.commune, "ChiTiet": p.detail})
    }

    /// A hometown as recorded before 2025 (province, district, commune). Half of them name a
    /// commune whose code lives on in 2025; the others a commune whose code was closed.
    fn old_place_json(&mut self, old_province: &str) -> Json {
        let kept: Vec<&OptionDef> = match new_province_of(old_province) {
            Some(p) => self
                .communes
                .iter()
                .copied()
                .filter(|c| c.parent.as_deref() == Some(p))
                .collect(),
            None => Vec::new(),
        };
        let (code, commune) = if !kept.is_empty() && self.rng.chance(50) {
            let c = kept[self.rng.below(kept.len() as u64) as usize];
            (c.value.clone(), c.label.get("vi").to_uppercase())
        } else {
            let code = loop {
                let code = format!("{:05}", self.rng.range(1, 32_000));
                if !self.codes.contains(code.as_str()) {
                    break code;
                }
            };
            (code, format!("XÃ {}", self.rng.pick(OLD_PLACE_WORDS)))
        };
        json!({
            "MaTinhThanh": old_province,
            "MaQuanHuyen": format!("{:03}", self.rng.range(1, 999)),
            "MaPhuongXa": code,
            "TenPhuongXa": commune,
            "TenQuanHuyen": format!("HUYỆN {}", self.rng.pick(OLD_PLACE_WORDS)),
            "TenTinhThanh": old_province_name(old_province),
        })
    }

    /// The identity card: issued from 2021 (chip cards), valid until the age of 25, 40 or 60
    /// (or the next one when issued within two years of it), without expiry after that.
    fn card(&mut self, p: &Person) -> Json {
        let (year, month, day) = p.dob;
        let issued_year = self.rng.range((year + 14).max(2021), AS_OF_YEAR);
        let issued = (issued_year, self.rng.range(1, 12), self.rng.range(1, 28));
        let place = if (issued.0, issued.1) >= (2024, 7) {
            "BỘ CÔNG AN"
        } else {
            "CỤC CẢNH SÁT QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI"
        };
        let age_at_issue = issued_year - year;
        let mut card = json!({
            "NgayCap": format!("{:04}{:02}{:02}", issued.0, issued.1, issued.2),
            "NoiCap": place,
        });
        if let Some(until) = [25, 40, 60].into_iter().find(|m| m - age_at_issue > 2) {
            let expiry = tokhai_core::Date { year, month, day }.add_years(until);
            card["NgayHetHan"] = json!(expiry.to_string().replace('-', ""));
        }
        card
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        p: &Person,
        head: &Person,
        home: &Place,
        ethnicity: (&str, &str, u32),
        religion: (&str, &str, u32),
        spouse: Option<&Person>,
        father: Option<&Person>,
        mother: Option<&Person>,
    ) -> Json {
        let age = AS_OF_YEAR - p.dob.0;
        let old_province = &p.pin[1..3];
        let registration = json!({"MaTinhThanh": old_province, "TenTinhThanh": old_province_name(old_province)});
        let current = if self.rng.chance(88) {
            home.clone()
        } else {
            self.place()
        };
        let marital = match (spouse, age) {
            (Some(_), _) => "2",
            (None, a) if a < 18 => "1",
            (None, a) if a > 65 && self.rng.chance(60) => "4",
            (None, _) if self.rng.chance(20) => "3",
            _ => "1",
        };
        let mut r = json!({
            "SoDinhDanh": p.pin,
            "HoVaTen": {"Ho": "", "ChuDem": "", "Ten": p.name},
            "GioiTinh": if p.male { "1" } else { "2" },
            "NgayThangNamSinh": birth_date(p),
            "DanToc": {"MaDanToc": ethnicity.0, "TenGoi": ethnicity.1},
            "TonGiao": {"MaTonGiao": religion.0, "TenGoi": religion.1},
            "QuocTich": "VN",
            "TinhTrangHonNhan": marital,
            "NoiSinh": registration.clone(),
            "NoiDangKyKhaiSinh": registration,
            "ThuongTru": self.new_place_json(home),
            "NoiOHienTai": self.new_place_json(&current),
            "ChuHo": {"SoDinhDanh": head.pin, "HoVaTen": head.name, "QuanHe": p.relation},
        });
        let hometown = if age >= 30 && self.rng.chance(70) {
            self.old_place_json(old_province)
        } else {
            self.new_place_json(home)
        };
        let card = (age >= 14).then(|| self.card(p));
        let moved = current.commune != home.commune;
        let blood = self.rng.chance(20).then(|| *self.rng.pick(&["O", "A", "B", "AB"]));
        if let Some(o) = r.as_object_mut() {
            o.insert("QueQuan".into(), hometown);
            if moved {
                o.insert("TamTru".into(), self.new_place_json(&current));
            }
            if let Some(card) = card {
                o.insert("CCCD".into(), card);
            }
            if let Some(blood) = blood {
                o.insert("NhomMau".into(), json!(blood));
            }
            if p.dob.0 < 2000 && self.rng.chance(70) {
                o.insert("SoCMND".into(), json!(format!("{:09}", self.rng.below(1_000_000_000))));
            }
            if age >= 15 && self.rng.chance(90) {
                let phone = format!("{}{:07}", self.rng.pick(MOBILE_PREFIXES), self.rng.below(10_000_000));
                o.insert("SoDienThoai".into(), json!(phone));
            }
            if age >= 18 && self.rng.chance(35) {
                let local = tokhai_core::text::search_key(&p.name).replace(' ', "");
                o.insert(
                    "Email".into(),
                    json!(format!("{local}{}@example.vn", self.rng.below(1000))),
                );
            }
            for (key, person) in [("VoChong", spouse), ("Cha", father), ("Me", mother)] {
                if let Some(q) = person {
                    o.insert(
                        key.into(),
                        json!({"SoDinhDanh": q.pin, "HoVaTen": q.name, "QuocTich": "VN"}),
                    );
                }
            }
        }
        r
    }
}

/// An old province's name as the registry writes it, e.g. `TỈNH HẢI DƯƠNG`.
fn old_province_name(code: &str) -> String {
    let name = tokhai_core::vn::pin::province(&format!("0{code}")).unwrap_or_default();
    let kind = if ["01", "31", "48", "79", "92"].contains(&code) {
        "THÀNH PHỐ"
    } else {
        "TỈNH"
    };
    format!("{kind} {}", name.to_uppercase())
}

/// Stores a generated registry in one transaction, replacing any earlier one.
pub async fn store(db: &Db, rows: &[CitizenRow], seed: u64) -> Result<(), sqlx::Error> {
    const BATCH: usize = 400;
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM citizens").execute(&mut *tx).await?;
    sqlx::query("DELETE FROM registry_meta").execute(&mut *tx).await?;
    for chunk in rows.chunks(BATCH) {
        let mut sql = String::from(
            "INSERT INTO citizens (pin, household_id, full_name, sex, birth_year, province, record) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 7;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7
            ));
        }
        let mut q = sqlx::query(&sql);
        for r in chunk {
            q = q
                .bind(r.pin.clone())
                .bind(r.household_id.clone())
                .bind(r.full_name.clone())
                .bind(r.sex)
                .bind(i64::from(r.birth_year))
                .bind(r.province.clone())
                .bind(r.record.to_string());
        }
        q.execute(&mut *tx).await?;
    }
    sqlx::query("INSERT INTO registry_meta (name, value) VALUES ($1, $2), ($3, $4), ($5, $6)")
        .bind("seed")
        .bind(seed.to_string())
        .bind("size")
        .bind(rows.len().to_string())
        .bind("generator")
        .bind(GENERATOR_VERSION)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Generates and stores the registry unless the database already holds the one for this seed,
/// size and generator version.
pub async fn ensure(db: &Db, seed: u64, size: usize, units: &Catalogs) -> Result<bool, crate::Error> {
    let meta: Vec<(String, String)> = sqlx::query_as("SELECT name, value FROM registry_meta")
        .fetch_all(db)
        .await?;
    let has = |k: &str, v: String| meta.iter().any(|(n, x)| n == k && *x == v);
    let current = has("seed", seed.to_string())
        && has("size", size.to_string())
        && has("generator", GENERATOR_VERSION.to_owned());
    if current {
        return Ok(false);
    }
    let rows = generate(seed, size, units)?;
    store(db, &rows, seed).await?;
    Ok(true)
}

/// A person's `NgayThangNamSinh`: the day, month and year, or (for a fifth of those born before 1960, by
/// their PIN's last digit) the year alone, as some records give it (`yyyy0000`).
fn birth_date(p: &Person) -> Json {
    let (year, month, day) = p.dob;
    let year_alone = year < 1960 && p.pin.ends_with(['0', '1']);
    let date = if year_alone {
        format!("{year:04}0000")
    } else {
        format!("{year:04}{month:02}{day:02}")
    };
    json!({"NgayThangNam": date, "Nam": year.to_string()})
}

/// A citizen's registry reply by PIN, with the members of their household (`ThanhVienHo`: each one's PIN,
/// name, year of birth and relationship to the head).
pub async fn find(db: &Db, pin: &str) -> Result<Option<Json>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT record FROM citizens WHERE pin = $1")
        .bind(pin)
        .fetch_optional(db)
        .await?;
    let Some(mut reply) = row.and_then(|(r,)| serde_json::from_str::<Json>(&r).ok()) else {
        return Ok(None);
    };
    let household: Vec<(String,)> = sqlx::query_as(
        "SELECT record FROM citizens WHERE household_id = (SELECT household_id FROM citizens WHERE pin = $1) ORDER BY pin",
    )
    .bind(pin)
    .fetch_all(db)
    .await?;
    let members: Vec<Json> = household
        .iter()
        .filter_map(|(r,)| serde_json::from_str::<Json>(r).ok())
        .map(|m| {
            json!({"SoDinhDanh": m["SoDinhDanh"], "HoVaTen": m["HoVaTen"],
                   "NgayThangNamSinh": m["NgayThangNamSinh"], "QuanHe": m["ChuHo"]["QuanHe"]})
        })
        .collect();
    if let Some(o) = reply.as_object_mut() {
        o.insert("ThanhVienHo".into(), Json::Array(members));
    }
    Ok(Some(reply))
}

/// A short entry of the development login's citizen list.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CitizenSummary {
    /// Personal identification number.
    pub pin: String,
    /// Full name in capitals.
    pub full_name: String,
    /// `nam` or `nu`.
    pub sex: String,
    /// Year of birth.
    pub birth_year: i64,
    /// 2025 province code of residence.
    pub province: String,
    /// Household identifier.
    pub household_id: String,
}

/// Citizens for the development login: those whose name contains `query` (upper-cased), in PIN order.
pub async fn list(db: &Db, query: &str, limit: i64) -> Result<Vec<CitizenSummary>, sqlx::Error> {
    let pattern = format!("%{}%", query.trim().to_uppercase());
    let rows: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(
        "SELECT pin, full_name, sex, birth_year, province, household_id FROM citizens \
         WHERE full_name LIKE $1 OR pin = $2 ORDER BY household_id, pin LIMIT $3",
    )
    .bind(pattern)
    .bind(query.trim().to_owned())
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(pin, full_name, sex, birth_year, province, household_id)| CitizenSummary {
                pin,
                full_name,
                sex,
                birth_year,
                province,
                household_id,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokhai_core::prefill::normalize_population;

    pub(crate) fn units() -> Catalogs {
        let path = crate::config::Config::defaults().units;
        let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Catalogs::from_admin_units(&json).unwrap()
    }

    #[test]
    fn generation_is_deterministic_and_consistent() {
        let units = units();
        let a = generate(7, 2_000, &units).unwrap();
        let b = generate(7, 2_000, &units).unwrap();
        assert_eq!(a.len(), 2_000);
        assert!(a.iter().zip(&b).all(|(x, y)| x.pin == y.pin && x.record == y.record));
        assert_ne!(generate(8, 10, &units).unwrap()[0].pin, a[0].pin);
        let pins: HashSet<_> = a.iter().map(|r| r.pin.as_str()).collect();
        assert_eq!(pins.len(), a.len(), "PINs are unique");
        let mut year_alone = 0;
        for r in &a {
            let attrs = normalize_population(&r.record, &units).unwrap();
            let pin = &r.pin;
            let digit = i32::from(pin.as_bytes()[3] - b'0');
            let year = 1900 + 100 * (digit / 2) + pin[4..6].parse::<i32>().unwrap();
            assert_eq!(year, r.birth_year, "{pin}");
            assert_eq!(if digit % 2 == 0 { "nam" } else { "nu" }, r.sex, "{pin}");
            assert!(tokhai_core::prefill::new_province_of(&pin[1..3]).is_some(), "{pin}");
            let dob = attrs["population.dob"].as_str().unwrap();
            assert_eq!(dob[..4], year.to_string());
            year_alone += usize::from(dob.len() == 4);
            assert_eq!(
                attrs["population.permanent_address"]["complete"],
                serde_json::json!(true)
            );
            assert!(attrs["population.household_head_pin"].as_str().is_some());
            if r.birth_year <= 2010 {
                let issued = attrs["population.id_issue_date"].as_str().unwrap();
                assert!(("2021-01-01".."2026-01-01").contains(&issued), "{issued}");
            }
        }
        let born_before_1960 = a.iter().filter(|r| r.birth_year < 1960).count();
        assert!(
            year_alone > 0 && year_alone < born_before_1960,
            "some records give the year of birth alone: {year_alone} of {born_before_1960} born before 1960"
        );
        let heads = a.iter().filter(|r| r.record["ChuHo"]["QuanHe"] == "CHỦ HỘ").count();
        let households: HashSet<_> = a.iter().map(|r| r.household_id.as_str()).collect();
        assert!(heads + 1 >= households.len(), "one head per household");
        let old: Vec<_> = a
            .iter()
            .filter(|r| r.record["QueQuan"].get("MaQuanHuyen").is_some())
            .collect();
        let mapped = old
            .iter()
            .filter(|r| normalize_population(&r.record, &units).unwrap()["population.hometown"]["complete"] == true)
            .count();
        assert!(!old.is_empty(), "some hometowns are old three-level places");
        assert!(
            mapped > 0 && mapped < old.len(),
            "some map to 2025 communes, some cannot: {mapped}/{}",
            old.len()
        );
    }
}
