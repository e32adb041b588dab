//! Spelling variants of a word: Wade–Giles, Cantonese and pinyin romanisations, English
//! nicknames.

use super::*;

/// Other spellings of a romanised Chinese syllable or surname: its pinyin readings (from
/// Wade–Giles, Cantonese or the groups above) and their other spellings.
pub fn romanisation_variants(word: &str) -> &'static [String] {
    static MAP: OnceLock<FastMap<String, Vec<String>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut readings: FastMap<&str, FastSet<&str>> = FastMap::default();
        let mut spellings: FastMap<&str, FastSet<&str>> = FastMap::default();
        let rows = tables::wade_giles()
            .iter()
            .chain(tables::cantonese())
            .map(|&(spelling, pinyin)| (spelling, pinyin));
        for (spelling, pinyin) in rows {
            readings.entry(spelling).or_default().insert(pinyin);
            spellings.entry(pinyin).or_default().insert(spelling);
        }
        let mut out: FastMap<String, FastSet<&str>> = FastMap::default();
        let words: FastSet<&str> = readings
            .keys()
            .chain(spellings.keys())
            .copied()
            .chain(
                tables::romanisations()
                    .iter()
                    .flat_map(|g| g.iter().copied()),
            )
            .collect();
        for word in words {
            let mut pinyin: FastSet<&str> = readings.get(word).cloned().unwrap_or_default();
            if syllables().contains(word) {
                pinyin.insert(word);
            }
            let mut all: FastSet<&str> = pinyin.clone();
            for p in &pinyin {
                all.extend(spellings.get(p).into_iter().flatten());
            }
            for group in tables::romanisations().iter().filter(|g| g.contains(&word)) {
                all.extend(group.iter());
            }
            all.remove(word);
            out.insert(word.to_string(), all);
        }
        out.into_iter()
            .map(|(word, set)| {
                let mut variants: Vec<String> = set.into_iter().map(String::from).collect();
                variants.sort_unstable();
                (word, variants)
            })
            .collect()
    });
    map.get(word).map_or(&[], Vec::as_slice)
}

/// Whether `pinyin` is a pinyin reading of the romanised syllable `spelling`: the syllable
/// itself when it is pinyin, its readings in the Wade–Giles and Cantonese tables (Pao → bao,
/// Wong → wang), and the pinyin heading a group of spellings it is in. The Cantonese Lai of 黎
/// reads li, so Li is no reading of the pinyin lai (来).
pub fn is_pinyin_reading(spelling: &str, pinyin: &str) -> bool {
    static MAP: OnceLock<FastMap<&'static str, FastSet<&'static str>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map: FastMap<&'static str, FastSet<&'static str>> = FastMap::default();
        for &(spelling, pinyin) in tables::wade_giles().iter().chain(tables::cantonese()) {
            map.entry(spelling).or_default().insert(pinyin);
        }
        for group in tables::romanisations() {
            for spelling in group {
                map.entry(spelling).or_default().insert(group[0]);
            }
        }
        map
    });
    spelling == pinyin || map.get(spelling).is_some_and(|p| p.contains(pinyin))
}

/// Formal given names for a short form and short forms for a formal name (Jim ↔ James).
pub fn nickname_variants(word: &str) -> &'static [String] {
    static MAP: OnceLock<FastMap<String, Vec<String>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map: FastMap<String, Vec<String>> = FastMap::default();
        for &(short, formal) in tables::nicknames() {
            let (short, formal) = (
                fold(short).trim().to_string(),
                fold(formal).trim().to_string(),
            );
            if short != formal {
                map.entry(short.clone()).or_default().push(formal.clone());
                map.entry(formal).or_default().push(short);
            }
        }
        for variants in map.values_mut() {
            variants.sort_unstable();
            variants.dedup();
        }
        map
    });
    map.get(word).map_or(&[], Vec::as_slice)
}
