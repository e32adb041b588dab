//! Latin words: abbreviations expanded, legal forms and honorifics set aside, ordinals and
//! number words reduced to numbers.

use super::*;

pub(super) fn latin_tokens(
    words: &str,
    segment: &mut u16,
    tokens: &mut Vec<Token>,
    legal: &mut Vec<Token>,
) {
    let words = merge_dotted_legal_forms(words.split_whitespace().collect());
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        let here = *segment;
        *segment = segment.saturating_add(1);
        // "Joint Stock" (Company) is a legal form in two words, and "Open", "Closed" or
        // "Public Joint Stock" in three (OAO, ZAO, PAO written out).
        let kind = matches!(word, "open" | "closed" | "public" | "private");
        if kind && next == Some("joint") && words.get(i + 2).map(String::as_str) == Some("stock") {
            legal.push(Token::new("jointstock", Script::Latin, here));
            i += 3;
            continue;
        }
        if word == "joint" && next == Some("stock") {
            legal.push(Token::new("jointstock", Script::Latin, here));
            i += 2;
            continue;
        }
        // "Fifty-Fifth" → 55, "Twenty" → 20.
        if let Some(tens) = tens_word(word) {
            let unit = next.and_then(unit_word);
            let value = tens + unit.unwrap_or(0);
            tokens.push(Token::new(value.to_string(), Script::Latin, here));
            i += 1 + usize::from(unit.is_some());
            continue;
        }
        let mut text = tables::abbreviations()
            .iter()
            .find(|(abbr, _)| *abbr == word)
            .map_or(word, |(_, full)| full)
            .to_string();
        // "28th" → "28"; "No. 28" → "28".
        if let Some(num) = strip_ordinal(&text) {
            text = num;
        }
        i += 1;
        if text == "no" && next.is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit())) {
            continue;
        }
        let token = Token::new(text, Script::Latin, here);
        if is_legal_or_honorific(&token.text) {
            legal.push(token);
        } else {
            tokens.push(token);
        }
    }
}

pub(super) fn tens_word(word: &str) -> Option<u32> {
    TENS.iter()
        .position(|w| *w == word)
        .or_else(|| TENS_ORDINALS.iter().position(|w| *w == word))
        .map(|p| (p as u32 + 2) * 10)
}

pub(super) fn unit_word(word: &str) -> Option<u32> {
    UNITS
        .iter()
        .position(|w| *w == word)
        .or_else(|| UNIT_ORDINALS.iter().position(|w| *w == word))
        .map(|p| p as u32 + 1)
}

/// Dotted forms of the société anonyme, read as `sa` (see `merge_dotted_legal_forms`).
const QUALIFIED_SA: [&str; 3] = ["sal", "sae", "sac"];

/// Joins runs of single letters that spell a legal form once their dots are gone
/// ("L.L.C." → llc, "G.m.b.H." → gmbh, "s.r.o." → sro): the whole run, not a part of it
/// (the A.B. of "A.B.C. Trading" is no Swedish aktiebolag). Other single letters stay apart:
/// they are initials.
pub(super) fn merge_dotted_legal_forms(words: Vec<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let run = words[i..]
            .iter()
            .take_while(|w| w.chars().count() == 1)
            .count();
        let merged = (run >= 2)
            .then(|| words[i..i + run].concat())
            .and_then(|joined| {
                // A société anonyme with a letter for its kind or country (S.A.L. Lebanese,
                // S.A.E. Egyptian, S.A.C. closed) is a société anonyme.
                let joined = if QUALIFIED_SA.contains(&joined.as_str()) {
                    "sa".to_string()
                } else {
                    joined
                };
                legal_forms()
                    .contains(&joined.as_str())
                    .then_some((joined, run))
            });
        match merged {
            Some((joined, len)) => {
                out.push(joined);
                i += len;
            }
            None => {
                out.push(words[i].to_string());
                i += 1;
            }
        }
    }
    out
}

pub(super) fn strip_ordinal(word: &str) -> Option<String> {
    const WORDS: &[&str] = &[
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    if let Some(n) = WORDS.iter().position(|w| *w == word) {
        return Some((n + 1).to_string());
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    (!digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "st" | "nd" | "rd" | "th"))
    .then(|| digits.to_string())
}
