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

/// The romanisation systems in which the query's syllable `spelling` can stand for the
/// name's syllable `name_word` (`Systems`): the name's syllable read as pinyin (itself, or its
/// readings in the Wade–Giles and Cantonese tables), then the systems that spell that pinyin
/// `spelling`. `Systems::ANY` when that says nothing: the name's word is no syllable (a
/// joined given name), both are spellings of one group (`romanisations.tsv`, which does not
/// say which system), or no table links them (a typing error).
pub fn romanisation_systems(spelling: &str, name_word: &str) -> Systems {
    struct Tables {
        // Every spelling's pinyin readings, each with the system that reads it so.
        readings: FastMap<&'static str, Vec<(&'static str, Systems)>>,
        // Two spellings of one group of `romanisations.tsv`.
        grouped: FastSet<(&'static str, &'static str)>,
    }
    static TABLES: OnceLock<Tables> = OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let mut readings: FastMap<&'static str, Vec<(&'static str, Systems)>> = FastMap::default();
        let systems = [
            (tables::wade_giles(), Systems::WADE_GILES),
            (tables::cantonese(), Systems::SOUTHERN),
        ];
        for (rows, system) in systems {
            for &(spelling, pinyin) in rows {
                readings.entry(spelling).or_default().push((pinyin, system));
            }
        }
        let grouped = tables::romanisations()
            .iter()
            .flat_map(|g| g.iter().flat_map(move |&a| g.iter().map(move |&b| (a, b))))
            .filter(|(a, b)| a != b)
            .collect();
        Tables { readings, grouped }
    });
    if t.grouped.contains(&(spelling, name_word)) {
        return Systems::ANY;
    }
    let read = |word: &str| t.readings.get(word).map_or(&[][..], Vec::as_slice);
    let own = is_syllable(name_word).then_some(name_word);
    let mut systems = Systems::default();
    for pinyin in own
        .into_iter()
        .chain(read(name_word).iter().map(|&(p, _)| p))
    {
        if spelling == pinyin {
            systems = systems.with(Systems::PINYIN);
        }
        for &(_, system) in read(spelling).iter().filter(|&&(p, _)| p == pinyin) {
            systems = systems.with(system);
        }
    }
    if spelling == name_word {
        // The same spelling on both sides: valid in every system that has it, whatever it
        // reads there (doubt counts for the name).
        for &(_, system) in read(spelling) {
            systems = systems.with(system);
        }
    }
    if systems.is_empty() {
        Systems::ANY
    } else {
        systems
    }
}

/// A set of romanisation systems: pinyin, Wade–Giles, Cantonese and other southern
/// spellings (`cantonese.tsv`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Systems(u8);

impl Systems {
    pub const PINYIN: Systems = Systems(1);
    pub const WADE_GILES: Systems = Systems(2);
    pub const SOUTHERN: Systems = Systems(4);
    pub const ANY: Systems = Systems(7);

    pub fn with(self, other: Systems) -> Systems {
        Systems(self.0 | other.0)
    }

    pub fn and(self, other: Systems) -> Systems {
        Systems(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
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
