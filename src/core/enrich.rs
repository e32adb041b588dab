//! The cross-reference of Chinese names (`tables/chinese_names.tsv`, compiled in) and the
//! enrichment it drives: at load, the entities of every source (the seeds and every official
//! importer alike) gain the registered and short Chinese names of the rows whose Latin name
//! they carry, each with the source its row cites. The feeds call [`enrich`] between parsing
//! a source and applying it to the store, so importers stay pure and an enrichment change
//! reaches subscribers as the entity change it is.
//!
//! Matching is exact on the normalised name (the tokenizer's tokens, joined): case,
//! punctuation and legal forms ("Co., Ltd." / "Company Limited") do not count, every other
//! difference does. Never fuzzy: a row gives its names only to a party the list names with
//! the row's own name, so no party inherits another's. A name claimed by two rows with
//! different Chinese names is ambiguous and applied to nobody (`watchlist check-xref` reports
//! it).

use super::matching::text;
use super::model::{Entity, EntityType, ListMeta, XrefName};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

/// The header line of the table, in column order.
pub const HEADER: [&str; 6] = ["name", "country", "zh", "short", "source", "note"];

/// One row of the cross-reference: a listed party's Latin name and its Chinese names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Line in the file (from 1), for messages.
    pub line: usize,
    /// The Latin name exactly as a US list publishes it.
    pub name: String,
    /// CN, HK, MO, or empty.
    pub country: String,
    /// The registered Chinese name.
    pub zh: String,
    /// Other Chinese names: brand, short or former names.
    pub short: Vec<String>,
    /// One URL where the Chinese name is published.
    pub source: String,
    pub note: String,
}

impl Row {
    /// The row's Chinese names: the registered name, then the short names.
    pub fn chinese(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.zh.as_str()).chain(self.short.iter().map(String::as_str))
    }
}

/// A row that is never applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub line: usize,
    pub reason: String,
}

/// A parsed cross-reference, indexed by normalised Latin name.
#[derive(Debug, Default)]
pub struct CrossReference {
    rows: Vec<Row>,
    malformed: Vec<Malformed>,
    /// Normalised Latin name → the rows claiming it (all with one Chinese name).
    by_name: HashMap<String, Vec<usize>>,
    /// Normalised Latin names claimed by rows with different Chinese names: applied to nobody.
    ambiguous: BTreeMap<String, Vec<usize>>,
}

/// What [`enrich`] did to a source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enriched {
    /// Entities that gained at least one name.
    pub entities: usize,
    /// Names added.
    pub names: usize,
}

/// What a table does to a set of entities, for `watchlist check-xref`.
#[derive(Debug, Default)]
pub struct Audit {
    /// For each row (in table order), the ids of the entities it matches.
    pub matched: Vec<Vec<String>>,
    /// For each ambiguous name, the ids of the entities that carry it.
    pub ambiguous: BTreeMap<String, Vec<String>>,
    /// Entities whose names match rows with different Chinese names, with the rows applied
    /// (those of the primary name; none when only aliases match).
    pub conflicts: Vec<(String, Vec<usize>)>,
}

/// The compiled-in table. A malformed row is skipped (the unit tests keep there being none).
pub fn builtin() -> &'static CrossReference {
    static TABLE: OnceLock<CrossReference> = OnceLock::new();
    TABLE.get_or_init(|| {
        CrossReference::parse(include_str!("tables/chinese_names.tsv")).unwrap_or_default()
    })
}

/// Adds the table's Chinese names to every entity of `lists` that a row matches.
pub fn enrich(table: &CrossReference, lists: &mut [(ListMeta, Vec<Entity>)]) -> Enriched {
    let mut done = Enriched::default();
    for entity in lists
        .iter_mut()
        .flat_map(|(_, entities)| entities.iter_mut())
    {
        let added = table.enrich(entity);
        if added > 0 {
            done.entities += 1;
            done.names += added;
        }
    }
    done
}

/// A name as the table compares it: the tokenizer's tokens, joined by spaces.
pub fn key(name: &str) -> String {
    let tokens = text::tokenize(name);
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    texts.join(" ")
}

impl CrossReference {
    /// Parses a table. Only a missing or wrong header fails the whole text; a bad row is kept
    /// out and listed in [`CrossReference::malformed`].
    pub fn parse(text: &str) -> Result<CrossReference, String> {
        let mut out = CrossReference::default();
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line))
            .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'));
        let header: Vec<&str> = match lines.next() {
            Some((_, line)) => line.split('\t').map(str::trim).collect(),
            None => Vec::new(),
        };
        if header != HEADER {
            return Err(format!(
                "the first line that is not a comment must be the header {:?}, tab-separated; found {header:?}",
                HEADER.join("\t")
            ));
        }
        for (line, text) in lines {
            match row(line, text) {
                Ok(row) => out.rows.push(row),
                Err(reason) => out.malformed.push(Malformed { line, reason }),
            }
        }
        let mut claims: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, row) in out.rows.iter().enumerate() {
            claims.entry(key(&row.name)).or_default().push(i);
        }
        for (name, rows) in claims {
            let chinese: BTreeSet<String> = rows.iter().map(|&i| key(&out.rows[i].zh)).collect();
            if chinese.len() > 1 {
                out.ambiguous.insert(name, rows);
            } else {
                out.by_name.insert(name, rows);
            }
        }
        Ok(out)
    }

    /// Every well-formed row, in table order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    pub fn malformed(&self) -> &[Malformed] {
        &self.malformed
    }

    /// Each ambiguous normalised name with the rows that claim it.
    pub fn ambiguous(&self) -> impl Iterator<Item = (&str, Vec<&Row>)> {
        self.ambiguous
            .iter()
            .map(|(name, rows)| (name.as_str(), rows.iter().map(|&i| &self.rows[i]).collect()))
    }

    /// The indices of the rows that match `entity`: an organisation (or a party of unknown
    /// type) whose primary name or an alias normalises to the row's name, with a compatible
    /// country. Native names never match: the table bridges from the Latin names lists use.
    ///
    /// An alias can be a bare brand that a row for another party of the group normalises to
    /// (China Telecommunications Corporation, a.k.a. "China Telecom", and the row for China
    /// Telecom Corporation Limited, whose legal form drops). So rows are only applied when
    /// they agree: rows matched through the primary name win, and an alias's row naming a
    /// different Chinese name is dropped; if only aliases match and their rows disagree,
    /// none is applied ([`Audit::conflicts`] lists both cases).
    pub fn matches(&self, entity: &Entity) -> Vec<usize> {
        self.candidates(entity).0
    }

    /// The rows applied to `entity`, and whether candidates were dropped because they named
    /// another Chinese name.
    fn candidates(&self, entity: &Entity) -> (Vec<usize>, bool) {
        if !matches!(entity.kind, EntityType::Organization | EntityType::Unknown) {
            return (Vec::new(), false);
        }
        let rows = |name: &str| -> Vec<usize> {
            self.by_name
                .get(&key(name))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| compatible(&self.rows[i].country, &entity.countries))
                .collect()
        };
        let primary = rows(&entity.name);
        let mut found: BTreeSet<usize> = primary.iter().copied().collect();
        found.extend(entity.aliases.iter().flat_map(|a| rows(a)));
        let zh = |i: &usize| key(&self.rows[*i].zh);
        let chosen: BTreeSet<String> = primary.iter().map(zh).collect();
        let named: BTreeSet<String> = found.iter().map(zh).collect();
        if named.len() <= 1 {
            (found.into_iter().collect(), false)
        } else if chosen.is_empty() {
            (Vec::new(), true)
        } else {
            let kept = found.into_iter().filter(|i| chosen.contains(&zh(i)));
            (kept.collect(), true)
        }
    }

    /// Adds the Chinese names of the matching rows to `entity.xref_names`, skipping any that
    /// normalises like a name the entity already has; returns how many were added.
    pub fn enrich(&self, entity: &mut Entity) -> usize {
        let rows = self.matches(entity);
        if rows.is_empty() {
            return 0;
        }
        let mut seen: HashSet<String> = entity.names().map(|(_, name)| key(name)).collect();
        let mut added = 0;
        for row in rows.into_iter().map(|i| &self.rows[i]) {
            for name in row.chinese() {
                if seen.insert(key(name)) {
                    entity.xref_names.push(XrefName {
                        name: name.to_string(),
                        source: row.source.clone(),
                    });
                    added += 1;
                }
            }
        }
        added
    }

    /// Which entities each row matches, and which entities carry an ambiguous name.
    pub fn audit<'a>(&self, entities: impl IntoIterator<Item = &'a Entity>) -> Audit {
        let mut audit = Audit {
            matched: vec![Vec::new(); self.rows.len()],
            ..Audit::default()
        };
        for entity in entities {
            let (rows, conflict) = self.candidates(entity);
            for &i in &rows {
                audit.matched[i].push(entity.id.clone());
            }
            if conflict {
                audit.conflicts.push((entity.id.clone(), rows));
            }
            for name in std::iter::once(&entity.name).chain(&entity.aliases) {
                let name = key(name);
                if self.ambiguous.contains_key(&name) {
                    let ids = audit.ambiguous.entry(name).or_default();
                    if !ids.contains(&entity.id) {
                        ids.push(entity.id.clone());
                    }
                }
            }
        }
        audit
    }
}

/// Whether a row's country admits an entity's: the row gives none, the entity has none, or
/// the entity lists it. CN, HK and MO count as one (the Entity List files Hong Kong under
/// China).
fn compatible(row: &str, entity: &[String]) -> bool {
    fn region(code: &str) -> &str {
        match code {
            "HK" | "MO" => "CN",
            other => other,
        }
    }
    row.is_empty() || entity.is_empty() || entity.iter().any(|c| region(c) == region(row))
}

/// One data line, checked.
fn row(line: usize, text: &str) -> Result<Row, String> {
    let cols: Vec<&str> = text.split('\t').map(str::trim).collect();
    let [name, country, zh, short, source, note]: [&str; 6] =
        cols.as_slice().try_into().map_err(|_| {
            format!(
                "has {} tab-separated columns; a row has 6 ({})",
                cols.len(),
                HEADER.join(", ")
            )
        })?;
    if key(name).is_empty() || name.chars().any(text::is_han) {
        return Err(format!("name {name:?} is not a Latin-script name"));
    }
    if !matches!(country, "" | "CN" | "HK" | "MO") {
        return Err(format!(
            "country {country:?} is unknown; use CN, HK, MO or leave it empty"
        ));
    }
    chinese("zh", zh)?;
    let short: Vec<String> = short
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    for name in &short {
        chinese("short", name)?;
    }
    url(source)?;
    Ok(Row {
        line,
        name: name.to_string(),
        country: country.to_string(),
        zh: zh.to_string(),
        short,
        source: source.to_string(),
        note: note.to_string(),
    })
}

/// A Chinese name: Han characters, no Latin letters (digits and punctuation are allowed).
fn chinese(column: &str, name: &str) -> Result<(), String> {
    if !name.chars().any(text::is_han) {
        return Err(format!("{column} {name:?} has no Chinese characters"));
    }
    let latin = |c: char| {
        c.is_ascii_alphabetic()
            || matches!(c, 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
            || (c.is_alphabetic() && ('\u{c0}'..='\u{24f}').contains(&c))
    };
    if name.chars().any(latin) {
        return Err(format!("{column} {name:?} has Latin letters"));
    }
    Ok(())
}

/// One absolute http(s) URL with a host name.
fn url(source: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("source {source:?} is not one URL: {why}"));
    let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    else {
        return bad("it must start with https:// or http://");
    };
    if source.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it has spaces");
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    let labels_ok = host
        .split('.')
        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !host.contains('.') || !labels_ok {
        return bad("its host name is not a domain name");
    }
    if rest.contains("://") {
        return bad("it holds a second URL");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
# a test table
name\tcountry\tzh\tshort\tsource\tnote
Example Aero Technology Co., Ltd.\tCN\t示例航空科技有限公司\t示例航空;示例\thttps://www.example.cn/\tsite header
Harbour Widgets Limited\tHK\t港灣小器件有限公司\t\thttps://www.example.hk/about\t
Plain Name Institute\t\t普通名称研究所\t\thttps://www.example.edu.cn/\t
Twin Trading Co., Ltd.\tCN\t孪生甲贸易有限公司\t\thttps://a.example.cn/\t
Twin Trading Company Limited\tCN\t孪生乙贸易有限公司\t\thttps://b.example.cn/\t
Bad Country Corp\tTW\t坏国家公司\t\thttps://www.example.tw/\t
Bad Url Corp\tCN\t坏链接公司\t\twww.example.cn\t
Latin Zh Corp\tCN\tABC科技有限公司\t\thttps://www.example.cn/\t
Short Columns\tCN\t短行
";

    fn table() -> CrossReference {
        CrossReference::parse(TABLE).unwrap()
    }

    fn org(name: &str, aliases: &[&str], countries: &[&str]) -> Entity {
        let mut e = Entity::new("L:1", "L", EntityType::Organization, name);
        e.aliases = aliases.iter().map(|s| s.to_string()).collect();
        e.countries = countries.iter().map(|s| s.to_string()).collect();
        e
    }

    /// Enriches `entity` and compares the names it gained.
    fn check(mut entity: Entity, expected: &[&str]) {
        table().enrich(&mut entity);
        let got: Vec<&str> = entity.xref_names.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(got, expected, "{}", entity.name);
    }

    #[test]
    fn matches_exact_normalised_names_only() {
        // Case, punctuation and legal forms do not matter.
        check(
            org("EXAMPLE AERO TECHNOLOGY COMPANY LIMITED", &[], &["CN"]),
            &["示例航空科技有限公司", "示例航空", "示例"],
        );
        check(
            org("Example Aero Tech. Co Ltd", &[], &[]),
            &["示例航空科技有限公司", "示例航空", "示例"],
        );
        // Through an alias.
        check(
            org("EAT", &["Example Aero Technology Co., Ltd."], &["CN"]),
            &["示例航空科技有限公司", "示例航空", "示例"],
        );
        // Never fuzzy: one word more, one word less, a typo.
        check(
            org("Example Aero Technology Group Co., Ltd.", &[], &[]),
            &[],
        );
        check(org("Example Aero Co., Ltd.", &[], &[]), &[]);
        check(org("Exampel Aero Technology Co., Ltd.", &[], &[]), &[]);
        // Persons and vessels never take an organisation's names.
        let mut person = org("Example Aero Technology Co., Ltd.", &[], &[]);
        person.kind = EntityType::Person;
        check(person, &[]);
    }

    #[test]
    fn country_must_be_compatible() {
        check(
            org("Harbour Widgets Limited", &[], &["HK"]),
            &["港灣小器件有限公司"],
        );
        // The Entity List files Hong Kong under China.
        check(
            org("Harbour Widgets Limited", &[], &["CN"]),
            &["港灣小器件有限公司"],
        );
        check(
            org("Harbour Widgets Limited", &[], &["MO", "US"]),
            &["港灣小器件有限公司"],
        );
        check(
            org("Harbour Widgets Limited", &[], &[]),
            &["港灣小器件有限公司"],
        );
        check(org("Harbour Widgets Limited", &[], &["GB"]), &[]);
        // A row without a country admits any.
        check(
            org("Plain Name Institute", &[], &["RU"]),
            &["普通名称研究所"],
        );
    }

    #[test]
    fn names_already_there_are_not_added_again() {
        let mut e = org("Example Aero Technology Co., Ltd.", &[], &["CN"]);
        e.native_names = vec!["示例航空科技有限公司".into()];
        e.native_source = "the list".into();
        check(e.clone(), &["示例航空", "示例"]);
        // Enriching twice adds nothing the second time.
        let t = table();
        assert_eq!(t.enrich(&mut e), 2);
        assert_eq!(t.enrich(&mut e), 0);
        assert_eq!(e.xref_names.len(), 2);
        assert_eq!(e.xref_names[0].source, "https://www.example.cn/");
        // A traditional form of a name present counts as present.
        check(
            org("Harbour Widgets Ltd", &["港湾小器件有限公司"], &["HK"]),
            &[],
        );
    }

    #[test]
    fn rows_naming_different_parties_are_not_mixed() {
        // The primary name's row wins over an alias's row for another party of the group.
        check(
            org(
                "Harbour Widgets Limited",
                &["Example Aero Technology"],
                &["HK"],
            ),
            &["港灣小器件有限公司"],
        );
        // Aliases alone that disagree: none applied.
        check(
            org(
                "HW",
                &["Harbour Widgets", "Example Aero Technology"],
                &["HK"],
            ),
            &[],
        );
        let audit = table().audit(&[org(
            "HW",
            &["Harbour Widgets", "Example Aero Technology"],
            &[],
        )]);
        assert_eq!(audit.conflicts, [("L:1".to_string(), vec![])]);
        assert!(audit.matched.iter().all(Vec::is_empty));
    }

    #[test]
    fn ambiguous_names_are_applied_to_nobody() {
        let t = table();
        check(org("Twin Trading Co., Ltd.", &[], &["CN"]), &[]);
        let ambiguous: Vec<(&str, usize)> = t.ambiguous().map(|(n, r)| (n, r.len())).collect();
        assert_eq!(ambiguous, [("twin trading", 2)]);
        let audit = t.audit(&[org("TWIN TRADING LTD", &[], &[])]);
        assert_eq!(audit.ambiguous["twin trading"], ["L:1"]);
    }

    #[test]
    fn malformed_rows_are_reported_and_skipped() {
        let t = table();
        let reasons: Vec<(usize, &str)> = t
            .malformed()
            .iter()
            .map(|m| (m.line, m.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 4, "{reasons:?}");
        assert!(reasons[0].1.contains("country \"TW\""), "{reasons:?}");
        assert!(reasons[1].1.contains("not one URL"), "{reasons:?}");
        assert!(reasons[2].1.contains("Latin letters"), "{reasons:?}");
        assert!(
            reasons[3].1.contains("3 tab-separated columns"),
            "{reasons:?}"
        );
        assert_eq!(reasons[0].0, 8);
        check(org("Bad Country Corp", &[], &[]), &[]);
        assert!(CrossReference::parse("name\tzh\n").is_err());
    }

    #[test]
    fn urls() {
        for good in [
            "https://www.zte.com.cn/",
            "http://www.nudt.edu.cn",
            "https://www.sse.com.cn/assortment/stock/list/info/company/index.shtml?COMPANY_CODE=601360",
        ] {
            assert!(url(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "www.zte.com.cn",
            "https://",
            "https://localhost/",
            "https://a.cn/ https://b.cn/",
            "https://a.cn/;https://b.cn/",
            "ftp://a.cn/",
        ] {
            assert!(url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn audit_counts_every_entity_a_row_matches() {
        let t = table();
        let mut other = org("Example Aero Technology Ltd", &[], &["CN"]);
        other.id = "M:2".into();
        let audit = t.audit(&[
            org("Example Aero Technology Co., Ltd.", &[], &["CN"]),
            other,
        ]);
        assert_eq!(audit.matched[0], ["L:1", "M:2"]);
        assert!(audit.matched[1].is_empty());
    }

    #[test]
    fn the_builtin_table_is_well_formed() {
        let text = include_str!("tables/chinese_names.tsv");
        let t = CrossReference::parse(text).unwrap();
        assert!(t.rows().len() >= 5, "only {} rows", t.rows().len());
        assert_eq!(t.malformed(), [], "every row must be well formed and cited");
        assert_eq!(builtin().rows().len(), t.rows().len());
    }
}
