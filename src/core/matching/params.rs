//! Every tuning constant of the matching algorithm, in one place. Changing any of them
//! changes answers: bump `ALGORITHM_VERSION`. Every multiplier is at most 1, which the
//! candidate stage relies on (see `ceiling.rs`).

/// Changes whenever a change to the scorer can change a score.
pub const ALGORITHM_VERSION: &str = "wl-match-10";

/// Token pairs below this similarity do not match: one slip in a five-letter word (0.85) or a
/// consonant dropped (0.8) does, an arbitrary letter in a six-letter word (0.75) does not.
pub(super) const FUZZY_MIN: f64 = 0.78;
/// Similarity of two romanisations of one Chinese syllable (Xu ~ Hsu, Zhang ~ Cheung).
pub(super) const ROMANISATION_SIM: f64 = 0.9;
/// Similarity of a short form of a given name to the formal one (Jim ~ James); persons only.
pub(super) const NICKNAME_SIM: f64 = 0.9;
/// Similarity of an initial to the name part it abbreviates.
pub(super) const INITIAL_SIM: f64 = 0.8;
/// Similarity of an acronym to the words it abbreviates (MFC ~ Missiles and Fire Control).
pub(super) const ACRONYM_SIM: f64 = 0.85;
/// Weight multiplier of generic tokens (China, Technology, Beijing ...) and of initials.
pub(super) const GENERIC_WEIGHT: f64 = 0.2;
/// Exponents of the query and name coverage in the score.
pub(super) const QUERY_EXP: f64 = 0.6;
pub(super) const NAME_EXP: f64 = 0.4;
/// The same exponents in fifths: the ceiling compares fifth powers (`q³ · n² ≥ t⁵`) so that
/// its inner loop needs no `powf`. A test ties them to the exponents.
pub(super) const QUERY_FIFTHS: i32 = 3;
pub(super) const NAME_FIFTHS: i32 = 2;
/// The caller says person and the listed entity is an organisation, or the reverse: a
/// perfect name match drops below the default threshold.
pub(super) const TYPE_MISMATCH: f64 = 0.7;
pub(super) const COUNTRY_MISMATCH: f64 = 0.95;
/// Romanisation loses information: a perfect cross-script match scores this much.
pub(super) const CROSS_SCRIPT: f64 = 0.95;
/// Matching by sound classes (near-homophone transliterations) loses more.
pub(super) const PHONETIC: f64 = 0.9;
/// Weight of an unmatched middle name of a person, on either side, once two parts matched.
pub(super) const MIDDLE_NAME: f64 = 0.35;
/// A surname-only Chinese rendering of a Western name (罗斯 for Wilbur Ross) matched by one
/// part of a query that also has a given name: the given name cannot be checked.
pub(super) const SURNAME_ONLY: f64 = 0.8;
/// The same rendering matched by a query that is only the surname: never a match by default.
pub(super) const SURNAME_ALONE: f64 = 0.6;
/// The penalties: multipliers for what a name lacks or contradicts, each applied at most once.
/// Scoring (`score.rs`) and the features that explain a score both read this one list, in its
/// order (which is also the order the multipliers are applied in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Penalty {
    /// The name's most informative token (usually the trade name) found nowhere in the query.
    DistinctiveMissing,
    /// A Chinese personal name with a syllable the query does not have, or a query in Chinese
    /// syllables with one the name does not have (Chen Ming ≠ Chen Mingguo); or an
    /// organisation's name in Chinese script with a character the query lacks, met by a query
    /// in Chinese syllables (Zhong Xue ≠ 中光学).
    SyllableMissing,
    /// Numbers on both sides and one unmatched (CETC 28 vs CETC 38): a strong sign of another
    /// party.
    NumberMismatch,
    /// The query and the name each have a class word the other lacks (Applied Materials vs
    /// Applied Technologies Group): the shared word is a name two businesses can bear.
    DescriptorConflict,
    /// A query of one short word ("King", "Wu") that covers only part of a name, or matches
    /// only approximately (Nice ~ Nico), or of two Chinese characters that leave a name's own
    /// characters unmatched (通用 in 通用动力, 罗斯 in 尼罗斯科技): short names must not flood
    /// results.
    ShortPartial,
    /// A personal name and a query that each have a name part the other lacks (Ho-tae Jung
    /// and Jong Song Ho): another given name, another person.
    PartConflict,
    /// An organisation's name in Chinese script met by a query in Chinese syllables, the
    /// shape of a personal name, in another order than the name's (Wu Xin ~ 芯物科技): Chinese
    /// word order is fixed, so that is two syllables the names happen to share.
    SyllableOrder,
    /// A name other than a person's met by one distinctive word of the query, a short one
    /// (`SHORT_WORD` letters or fewer in either word, or one more beside a word only one name
    /// has), only approximately: one letter makes another short word (Sony ~ Sona).
    ShortFuzzy,
    /// A Chinese personal name met through a romanisation of one syllable in a system the
    /// query's other syllables are not written in (Huang Kai ~ Huang Jie: Huang is no
    /// Cantonese spelling, so Kai is pinyin kai, not the Cantonese Kai of 杰); or a listed
    /// name met only as a mixture (Kan Chen ~ Qin Zhen: a Cantonese Kan beside a Wade–Giles
    /// Chen). A name is written in one system.
    MixedRomanisation,
}

impl Penalty {
    pub(super) const ALL: [Penalty; 9] = [
        Penalty::DistinctiveMissing,
        Penalty::SyllableMissing,
        Penalty::NumberMismatch,
        Penalty::DescriptorConflict,
        Penalty::ShortPartial,
        Penalty::PartConflict,
        Penalty::SyllableOrder,
        Penalty::ShortFuzzy,
        Penalty::MixedRomanisation,
    ];

    pub(super) const fn multiplier(self) -> f64 {
        match self {
            Penalty::DistinctiveMissing => 0.75,
            Penalty::SyllableMissing => 0.7,
            Penalty::NumberMismatch => 0.6,
            Penalty::DescriptorConflict => 0.8,
            Penalty::ShortPartial => 0.75,
            Penalty::PartConflict => 0.75,
            Penalty::SyllableOrder => 0.7,
            Penalty::ShortFuzzy => 0.85,
            Penalty::MixedRomanisation => 0.75,
        }
    }

    /// The feature that reports it.
    pub(super) const fn feature(self) -> &'static str {
        match self {
            Penalty::DistinctiveMissing => "distinctive_missing",
            Penalty::SyllableMissing => "syllable_missing",
            Penalty::NumberMismatch => "number_mismatch",
            Penalty::DescriptorConflict => "descriptor_conflict",
            Penalty::ShortPartial => "short_query_partial",
            Penalty::PartConflict => "name_part_conflict",
            Penalty::SyllableOrder => "syllables_out_of_order",
            Penalty::ShortFuzzy => "short_word_approximate",
            Penalty::MixedRomanisation => "romanisation_mixed",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u8
    }
}

/// The penalties one score was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Penalties(u16);

impl Penalties {
    pub(super) fn add(&mut self, penalty: Penalty) {
        self.0 |= penalty.bit();
    }

    pub(super) fn has(self, penalty: Penalty) -> bool {
        self.0 & penalty.bit() != 0
    }

    /// The ones given, in the list's order.
    pub(super) fn iter(self) -> impl Iterator<Item = Penalty> {
        Penalty::ALL.into_iter().filter(move |p| self.has(*p))
    }
}

/// While counting candidates, a name's mask holds the query tokens it matches in its low
/// bits (so a query of more tokens is not counted), then how many distinct vocabulary
/// tokens matched (one name token matches one query token at most; eight bits), then the sum
/// of their weights in fixed point (at most 255 tokens of weight at most 1).
pub(super) const TOKEN_BITS: usize = 28;
/// Query tokens the candidate stage counts; a longer query reads every postings list it
/// touches, so the service refuses it (`query::MAX_QUERY_TOKENS`).
pub const COUNTED_TOKENS: usize = TOKEN_BITS;
pub(super) const TOKEN_MASK: u64 = (1 << TOKEN_BITS) - 1;
pub(super) const ONE_TOKEN: u64 = 1 << TOKEN_BITS;
pub(super) const WEIGHT_SHIFT: usize = TOKEN_BITS + 8;
pub(super) const WEIGHT_UNIT: f64 = (1u64 << 20) as f64;
/// While counting candidates, a generic token's postings are read when they are at most this
/// many times the names collected; beyond, the token is assumed held.
pub(super) const SCAN_RATIO: usize = 32;
/// Words skipped when reading an acronym off a name (Missiles and Fire Control → MFC).
pub(super) const ACRONYM_SKIP: &[&str] = &["of", "and", "the", "for", "de"];

/// Words of at most this many letters are short: met approximately, they are as likely
/// another word as a typing error (`Penalty::ShortFuzzy`; a one-word query this short is
/// `Penalty::ShortPartial`'s).
pub(super) const SHORT_WORD: usize = 4;
/// Words two names must share word for word (and have no other), besides a short word met
/// approximately, for that to be taken for a typing error without `Penalty::ShortFuzzy`
/// (AHUA Electronics ~ DAHUA Electronics). Measured: 2 instead of 1 finds 6 fewer of the
/// generated typo cases (of 6,249) and saves no false alarm.
pub(super) const SHORT_WORD_CONTEXT: usize = 1;

/// A query of generic words only may carry a typing error in a word of at least
/// `GENERIC_TYPO_CHARS` letters matched at `GENERIC_TYPO_SIM` or more (see
/// `candidates::word_for_word`).
pub(super) const GENERIC_TYPO_CHARS: usize = 8;
pub(super) const GENERIC_TYPO_SIM: f64 = 0.9;

/// Edit costs of the typo-weighted distance (`similarity.rs`): a typo (a swap, a doubled
/// letter, letters often written for each other), a slip (a neighbouring key, a dropped
/// first letter) and any other substitution.
pub(super) const TYPO_COST: f64 = 0.5;
pub(super) const SLIP_COST: f64 = 0.75;
pub(super) const EDIT_COST: f64 = 1.5;

/// The merge policy of the live index (`live.rs`). The base is rebuilt from every entity
/// (off the writer's path) once the entities changed since it was built (added or replaced
/// ones in segments, plus removed or replaced ones still in the base) number more than a
/// `MERGE_SHARE`-th of the base, and at least `MERGE_MIN`: un-merged changes weigh their
/// words with the base's statistics, so this bounds how far scores drift from a fresh build.
pub const MERGE_SHARE: usize = 16;
pub const MERGE_MIN: usize = 256;
/// More segments than this beside the base are compacted into one (each segment costs a
/// query a search of its own).
pub const MAX_SEGMENTS: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every multiplier a score can be given besides the penalties (`Penalty::ALL`), each at
    /// most 1: the candidate stage's bound (a name can reach the threshold only if its coverage
    /// can) rests on it. A new multiplier goes here, where the test below holds it to that.
    const MULTIPLIERS: &[(&str, f64)] = &[
        ("type_mismatch", TYPE_MISMATCH),
        ("country_mismatch", COUNTRY_MISMATCH),
        ("cross_script", CROSS_SCRIPT),
        ("phonetic", PHONETIC),
        ("surname_only", SURNAME_ONLY),
        ("surname_alone", SURNAME_ALONE),
        ("generic_weight", GENERIC_WEIGHT),
        ("middle_name", MIDDLE_NAME),
        ("romanisation_sim", ROMANISATION_SIM),
        ("nickname_sim", NICKNAME_SIM),
        ("initial_sim", INITIAL_SIM),
        ("acronym_sim", ACRONYM_SIM),
    ];

    #[test]
    fn every_multiplier_is_at_most_one() {
        let penalties = Penalty::ALL.map(|p| (p.feature(), p.multiplier()));
        for (name, value) in MULTIPLIERS.iter().chain(&penalties) {
            assert!(
                *value > 0.0 && *value <= 1.0,
                "{name} = {value}: a multiplier above 1 breaks the candidate stage's bound"
            );
        }
    }

    #[test]
    fn the_ceiling_works_in_fifths_of_the_exponents() {
        assert!((QUERY_EXP + NAME_EXP - 1.0).abs() < 1e-12);
        assert!((QUERY_EXP * 5.0 - f64::from(QUERY_FIFTHS)).abs() < 1e-12);
        assert!((NAME_EXP * 5.0 - f64::from(NAME_FIFTHS)).abs() < 1e-12);
    }
}
