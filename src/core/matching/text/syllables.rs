//! Pinyin syllables: the syllable set, splitting romanised words into syllables, and brands
//! spelled in pinyin.

use super::*;

/// Whether a word is one toneless pinyin syllable.
pub fn is_syllable(word: &str) -> bool {
    syllables().contains(word)
}

/// Whether a word is a Chinese syllable: pinyin, or a spelling of one in another system
/// (Wade–Giles, Cantonese ...).
pub fn chinese_syllable_word(word: &str) -> bool {
    is_syllable(word) || !romanisation_variants(word).is_empty()
}

/// Every toneless pinyin syllable, read once from the pinyin tables.
pub(super) fn syllables() -> &'static FastSet<&'static str> {
    static SYLLABLES: OnceLock<FastSet<&'static str>> = OnceLock::new();
    SYLLABLES.get_or_init(|| {
        (0x3400u32..=0x9FFF)
            .filter_map(char::from_u32)
            .filter_map(|c| c.to_pinyin())
            .map(|p| p.plain())
            // Syllables with a vowel: drops the interjections m, n, ng, hm.
            .filter(|s| s.bytes().any(|b| b"aeiouv".contains(&b)))
            .collect()
    })
}

/// The syllable form of an all-Latin name: each token that reads as two or more pinyin
/// syllables is split ("Quanguo" → quan guo, "Huawei" → hua wei), others kept. `None` when the
/// name has Chinese script.
pub fn syllabify(tokens: &[Token]) -> Option<Vec<Token>> {
    if tokens.iter().any(|t| t.script == Script::Han) {
        return None;
    }
    let mut out = Vec::with_capacity(tokens.len() + 2);
    for token in tokens {
        // A pinyin word the glossary translates ("Daxue" → university) becomes its English.
        if let Some(english) = glossary_pinyin().get(token.text.as_str()) {
            out.extend(latin_words([*english], token.segment));
            continue;
        }
        let split = (!is_generic(token))
            .then(|| split_syllables(&token.text))
            .flatten();
        match split {
            Some(parts) => out.extend(
                parts
                    .into_iter()
                    .map(|text| Token::new(text, Script::Latin, token.segment)),
            ),
            None => out.push(token.clone()),
        }
    }
    Some(out)
}

/// A Latin query that spells a listed brand in pinyin ("Jingao Solar", "Zhongxin Guoji")
/// read as the brand's Latin name ("ja solar", "smic"); `None` when no brand is spelled.
/// `syllables` is the query's syllable form.
pub fn pinyin_brands(syllables: &[Token]) -> Option<Vec<Token>> {
    let mut out = Vec::with_capacity(syllables.len());
    let mut changed = false;
    let mut i = 0;
    while i < syllables.len() {
        let found = (2..=6.min(syllables.len() - i)).rev().find_map(|len| {
            let run = &syllables[i..i + len];
            if run
                .iter()
                .any(|t| t.script != Script::Latin || t.is_numeric())
            {
                return None;
            }
            let joined: String = run.iter().map(|t| t.text.as_str()).collect();
            brand_by_pinyin(&joined).map(|latin| (len, latin))
        });
        match found {
            Some((len, latin)) => {
                let segment = syllables[i].segment;
                out.extend(latin_words(latin.iter().map(String::as_str), segment));
                changed = true;
                i += len;
            }
            None => {
                out.push(syllables[i].clone());
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// Splits a word into the fewest pinyin syllables, if it is made of two or more of them.
pub(super) fn split_syllables(word: &str) -> Option<Vec<String>> {
    let set = syllables();
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) || set.contains(word) {
        return None;
    }
    let n = word.len();
    // best[i]: fewest syllables covering word[..i], with the start of the last one.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(6)..end {
            if let (Some((count, _)), true) = (best[start], set.contains(&word[start..end])) {
                if best[end].is_none_or(|(c, _)| count + 1 < c) {
                    best[end] = Some((count + 1, start));
                }
            }
        }
    }
    let (count, _) = best[n]?;
    if count < 2 {
        return None;
    }
    let mut parts = Vec::with_capacity(count);
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        parts.push(word[start..end].to_string());
        end = start;
    }
    parts.reverse();
    Some(parts)
}
