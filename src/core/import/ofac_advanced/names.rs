//! The names of one profile: the primary Latin alias, the other Latin names, and the names in
//! other scripts, each put together from its typed parts.

use super::*;

#[derive(Default)]
pub(super) struct Names {
    /// The name of the primary Latin alias.
    pub(super) primary: Option<String>,
    /// Every other Latin-script name, in file order.
    pub(super) latin: Vec<String>,
    /// Names in other scripts, without duplicates.
    pub(super) native: Vec<String>,
}

pub(super) fn read_names(tables: &Tables, profile: Node, person: bool) -> Names {
    let mut names = Names::default();
    for identity in children(profile, "Identity") {
        // NamePartGroup ID → name part type, e.g. "Last Name".
        let mut part_types = HashMap::new();
        for group in identity.descendants().filter(|n| is(*n, "NamePartGroup")) {
            let part_type = tables.text("NamePartTypeValues", attr(group, "NamePartTypeID"));
            part_types.insert(attr(group, "ID"), part_type);
        }
        for alias in children(identity, "Alias") {
            let primary = attr(alias, "Primary") == "true";
            for documented in children(alias, "DocumentedName") {
                let mut parts = Vec::new();
                let mut script = "";
                for value in documented.descendants().filter(|n| is(*n, "NamePartValue")) {
                    let text = trimmed(value);
                    if text.is_empty() {
                        continue;
                    }
                    if script.is_empty() {
                        script = attr(value, "ScriptID");
                    }
                    let group = attr(value, "NamePartGroupID");
                    let part_type = part_types.get(group).copied().unwrap_or_default();
                    parts.push((part_type, text));
                }
                if parts.is_empty() {
                    continue;
                }
                let latin = tables
                    .is_latin_script(script)
                    .unwrap_or_else(|| parts.iter().all(|(_, text)| looks_latin(text)));
                if !latin {
                    let name = native_name(&parts);
                    if !names.native.contains(&name) {
                        names.native.push(name);
                    }
                } else if primary && names.primary.is_none() {
                    names.primary = Some(latin_name(&parts, person));
                } else {
                    names.latin.push(latin_name(&parts, person));
                }
            }
        }
    }
    names
}

/// For persons `Last, First Middle` (the legacy CSV order); for others the parts in file order.
pub(super) fn latin_name(parts: &[(&str, &str)], person: bool) -> String {
    if !person {
        return join_parts(parts.iter().map(|(_, text)| *text), " ");
    }
    let last = join_parts(
        parts
            .iter()
            .filter(|(kind, _)| is_last_name(kind))
            .map(|(_, text)| *text),
        " ",
    );
    let mut rest: Vec<&(&str, &str)> = parts
        .iter()
        .filter(|(kind, _)| !is_last_name(kind))
        .collect();
    rest.sort_by_key(|(kind, _)| given_name_rank(kind));
    let rest = join_parts(rest.iter().map(|(_, text)| *text), " ");
    match (last.is_empty(), rest.is_empty()) {
        (false, false) => format!("{last}, {rest}"),
        (false, true) => last,
        _ => rest,
    }
}

pub(super) fn is_last_name(kind: &str) -> bool {
    kind.eq_ignore_ascii_case("Last Name")
}

/// Order of the parts after the comma: first names, middle names, patronymic, the rest.
pub(super) fn given_name_rank(kind: &str) -> u8 {
    match kind.to_ascii_lowercase().as_str() {
        "first name" => 0,
        "middle name" => 1,
        "patronymic" => 2,
        "matronymic" => 3,
        _ => 4,
    }
}

/// Parts in file order: run together when all are CJK, else separated by spaces.
pub(super) fn native_name(parts: &[(&str, &str)]) -> String {
    let cjk = parts.iter().all(|(_, text)| text.chars().all(is_cjk));
    join_parts(
        parts.iter().map(|(_, text)| *text),
        if cjk { "" } else { " " },
    )
}

pub(super) fn join_parts<'s>(parts: impl Iterator<Item = &'s str>, separator: &str) -> String {
    parts.collect::<Vec<_>>().join(separator)
}

/// True unless the text has a letter outside the Latin blocks (used when a ScriptID is unknown).
pub(super) fn looks_latin(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| (c as u32) <= 0x024F || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}
