//! The domain model: lists, the entities they name, and the checks every entity passes before
//! it reaches the index, whichever way it came in (a data file or the admin API).

use super::{uscc, Error, Result};
use serde::{Deserialize, Serialize};

/// Longest accepted entity id, name, or free-text field, in characters.
pub const MAX_ID_CHARS: usize = 256;
pub const MAX_NAME_CHARS: usize = 1024;
pub const MAX_TEXT_CHARS: usize = 8192;
/// Most words a stored name may have after normalisation (each Chinese character counts as
/// one). The longest real ones have about 75 (a name with its addresses run in); the limit
/// keeps what one stored name costs every query that meets it, and every index build, small.
pub const MAX_NAME_TOKENS: usize = 160;

/// A stored name: at most `MAX_NAME_CHARS` characters as given and after normalisation (NFKC
/// can make one character several), and at most `MAX_NAME_TOKENS` words.
fn check_name(field: &str, name: &str) -> Result<()> {
    check_text(field, name, MAX_NAME_CHARS, true)?;
    // Most names are short ASCII, which normalisation neither lengthens nor splits further.
    let chars = name.chars().count();
    if name.is_ascii() && chars <= MAX_NAME_TOKENS {
        return Ok(());
    }
    let (normalised, tokens) = super::matching::text::normalise(name);
    if normalised > MAX_NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!(
                "is {normalised} characters long after Unicode normalisation (NFKC); at most \
                 {MAX_NAME_CHARS} are accepted"
            ),
        ));
    }
    let words = tokens.len();
    if words > MAX_NAME_TOKENS {
        return Err(Error::invalid(
            field,
            format!(
                "has {words} words after normalisation; at most {MAX_NAME_TOKENS} are accepted"
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityType {
    Person,
    Organization,
    Vessel,
    Aircraft,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    AssetFreeze,
    EntryBan,
    LicenceRequirement,
    ExportBan,
    ImportBan,
    InvestmentBan,
    TransactionBan,
    SecuritiesBan,
    ProcurementBan,
    EquipmentAuthorisationBan,
    EnhancedDueDiligence,
}

/// A list: who keeps it, on what legal basis, and what being on it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListMeta {
    pub code: String,
    pub name: String,
    pub authority: String,
    pub imposing_country: String,
    pub legal_basis: String,
    pub measures: Vec<Measure>,
    pub meaning: String,
    #[serde(default)]
    pub url: String,
}

impl ListMeta {
    pub fn validate(&self) -> Result<()> {
        if !valid_list_code(&self.code) {
            return Err(Error::invalid(
                "list.code",
                format!("{:?} is not a list code (A-Z, 0-9 and '-')", self.code),
            ));
        }
        for (field, value) in [
            ("list.name", &self.name),
            ("list.authority", &self.authority),
            ("list.legal_basis", &self.legal_basis),
            ("list.meaning", &self.meaning),
        ] {
            if value.trim().is_empty() {
                return Err(Error::invalid(field, "must not be empty"));
            }
        }
        check_country("list.imposing_country", &self.imposing_country)?;
        if self.measures.is_empty() {
            return Err(Error::invalid("list.measures", "give at least one measure"));
        }
        Ok(())
    }
}

pub fn valid_list_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    /// Derived at validation for types with a check character; never read from input.
    #[serde(skip)]
    pub checksum_valid: Option<bool>,
}

/// One listed party, as one list publishes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Stable id: `LIST-CODE:record-id` for loaded data; as given for admin upserts.
    pub id: String,
    /// The code of the list this entity is on.
    pub list: String,
    pub kind: EntityType,
    pub name: String,
    pub aliases: Vec<String>,
    /// Names in native script (Chinese) as the list itself publishes them.
    pub native_names: Vec<String>,
    /// Where the list's own native names come from.
    pub native_source: String,
    /// Chinese names the list does not publish, added at load by our cross-reference of listed
    /// parties (`core/enrich.rs`), each with the source its row cites. Kept apart from
    /// `native_names` so that every name can say where it comes from; matched like them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xref_names: Vec<XrefName>,
    pub countries: Vec<String>,
    pub addresses: Vec<String>,
    pub identifiers: Vec<Identifier>,
    /// `YYYY-MM-DD`, or empty when the source gives no date.
    pub listed_on: String,
    pub citation: String,
    pub url: String,
    pub birth_date: String,
    pub remarks: String,
}

impl Entity {
    /// An entity with only its id, list, type and primary name; every other field empty.
    pub fn new(id: &str, list: &str, kind: EntityType, name: &str) -> Entity {
        Entity {
            id: id.into(),
            list: list.into(),
            kind,
            name: name.into(),
            aliases: Vec::new(),
            native_names: Vec::new(),
            native_source: String::new(),
            xref_names: Vec::new(),
            countries: Vec::new(),
            addresses: Vec::new(),
            identifiers: Vec::new(),
            listed_on: String::new(),
            citation: String::new(),
            url: String::new(),
            birth_date: String::new(),
            remarks: String::new(),
        }
    }

    /// Every name of the entity with its kind: the primary name, aliases, then native names
    /// (the list's own, then the cross-reference's).
    pub fn names(&self) -> impl Iterator<Item = (NameKind, &str)> {
        std::iter::once((NameKind::Primary, self.name.as_str()))
            .chain(self.aliases.iter().map(|a| (NameKind::Alias, a.as_str())))
            .chain(
                self.native_names
                    .iter()
                    .chain(self.xref_names.iter().map(|x| &x.name))
                    .map(|n| (NameKind::Native, n.as_str())),
            )
    }

    /// Checks every field and normalises what has a canonical form (identifiers, country
    /// codes). Warnings (such as a USCC whose check character fails) are returned, not errors.
    pub fn validate(&mut self) -> Result<Vec<String>> {
        let mut warnings = Vec::new();
        check_text("id", &self.id, MAX_ID_CHARS, true)?;
        if self.id.chars().any(char::is_control) {
            return Err(Error::invalid("id", "must not contain control characters"));
        }
        if !valid_list_code(&self.list) {
            return Err(Error::invalid(
                "list",
                format!("{:?} is not a list code", self.list),
            ));
        }
        check_name("name", &self.name)?;
        for (i, alias) in self.aliases.iter().enumerate() {
            check_name(&format!("aliases[{i}]"), alias)?;
        }
        for (i, name) in self.native_names.iter().enumerate() {
            check_name(&format!("native_names[{i}]"), name)?;
        }
        if !self.native_names.is_empty() && self.native_source.trim().is_empty() {
            return Err(Error::invalid(
                "native_source",
                "say where the native-script names come from",
            ));
        }
        for (i, xref) in self.xref_names.iter().enumerate() {
            check_text(
                &format!("xref_names[{i}].name"),
                &xref.name,
                MAX_NAME_CHARS,
                true,
            )?;
            check_text(
                &format!("xref_names[{i}].source"),
                &xref.source,
                MAX_TEXT_CHARS,
                true,
            )?;
        }
        for (i, country) in self.countries.iter_mut().enumerate() {
            *country = country.trim().to_ascii_uppercase();
            check_country(&format!("countries[{i}]"), country)?;
        }
        for (i, address) in self.addresses.iter().enumerate() {
            check_text(&format!("addresses[{i}]"), address, MAX_TEXT_CHARS, false)?;
        }
        for (i, id) in self.identifiers.iter_mut().enumerate() {
            let field = format!("identifiers[{i}]");
            id.kind = id.kind.trim().to_ascii_lowercase();
            if id.kind.is_empty() || id.value.trim().is_empty() {
                return Err(Error::invalid(field, "needs a type and a value"));
            }
            if id.kind == "uscc" {
                id.value = uscc::normalize(&id.value);
                id.checksum_valid = uscc::check(&id.value);
                match id.checksum_valid {
                    None => {
                        return Err(Error::invalid(
                            field,
                            format!(
                                "USCC {:?} must be 18 characters from 0-9 and A-Z without I, O, Z, S, V",
                                id.value
                            ),
                        ))
                    }
                    Some(false) => warnings.push(format!(
                        "{field}: USCC {} fails its check character (kept: pilot-region codes do)",
                        id.value
                    )),
                    Some(true) => {}
                }
            } else {
                id.value = id.value.trim().to_string();
                id.checksum_valid = None;
            }
        }
        check_date("listed_on", &self.listed_on, false)?;
        check_date("birth_date", &self.birth_date, true)?;
        for (field, value) in [
            ("citation", &self.citation),
            ("url", &self.url),
            ("remarks", &self.remarks),
            ("native_source", &self.native_source),
        ] {
            check_text(field, value, MAX_TEXT_CHARS, false)?;
        }
        Ok(warnings)
    }
}

/// A native name added by the cross-reference, and the source its row cites (one URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XrefName {
    pub name: String,
    pub source: String,
}

/// Which of an entity's names a match was made on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Primary,
    Alias,
    Native,
    /// An identifier (USCC, IMO, ...) typed where a name was expected.
    Identifier,
}

impl NameKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Primary => "primary",
            NameKind::Alias => "alias",
            NameKind::Native => "native",
            NameKind::Identifier => "identifier",
        }
    }
}

/// A text field: not blank where `required`, at most `max` characters.
pub(crate) fn check_text(field: &str, value: &str, max: usize, required: bool) -> Result<()> {
    if required && value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid(
            field,
            format!("is {len} characters long; at most {max} are accepted"),
        ));
    }
    Ok(())
}

/// ISO 3166-1 alpha-2 shape: two upper-case ASCII letters.
pub fn check_country(field: &str, code: &str) -> Result<()> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{code:?} is not an ISO 3166-1 alpha-2 country code such as \"US\" or \"CN\""),
        ))
    }
}

/// `YYYY-MM-DD` (or bare `YYYY` where `year_only_ok`), with a real month and day.
fn check_date(field: &str, value: &str, year_only_ok: bool) -> Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let bad = || {
        Error::invalid(
            field,
            format!(
                "{value:?} is not a date in the form YYYY-MM-DD{}",
                if year_only_ok { " or YYYY" } else { "" }
            ),
        )
    };
    let parts: Vec<&str> = value.split('-').collect();
    let num = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    match parts.as_slice() {
        [y] if year_only_ok => num(y, 4).map(|_| ()).ok_or_else(bad),
        [y, m, d] => {
            let (y, m, d) = (
                num(y, 4).ok_or_else(bad)?,
                num(m, 2).ok_or_else(bad)?,
                num(d, 2).ok_or_else(bad)?,
            );
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let days = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            if (1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1] {
                Ok(())
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, ok: bool) {
        assert_eq!(check_date("d", input, true).is_ok(), ok, "{input}");
    }

    #[test]
    fn dates() {
        check("2023-12-26", true);
        check("2024-02-29", true);
        check("2023-02-29", false);
        check("1957", true);
        check("2023-13-01", false);
        check("26.12.2023", false);
        check("2023-1-2", false);
    }
}
