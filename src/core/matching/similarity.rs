//! Token similarity: typo-weighted edit distance, its allowance by length, and the deletion
//! keys that find every pair within it.

use super::*;

/// Edits allowed between two words, by the length of the shorter: one from 4 characters
/// (an insertion: Gibs ~ Gibbs), two from 10; `FUZZY_MIN` then rejects what is too far for
/// the longer word.
pub(super) fn edit_allowance(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4 => 1,
        5..=9 => 1,
        _ => 2,
    }
}

/// Longest word matched with edits. No word on the real lists reaches it (the longest has 29
/// letters); a longer one is matched exactly only, so that neither a query nor a stored name
/// can make the deletion neighbourhood (quadratic in the word's length) or the edit-distance
/// table large.
pub const FUZZY_MAX_CHARS: usize = 32;

/// Whether a token takes part in edit-distance matching: Latin letters, long enough, and not
/// longer than `FUZZY_MAX_CHARS`.
pub(super) fn fuzzy_candidate(text: &str) -> bool {
    let chars = text.chars().count();
    edit_allowance(chars) > 0
        && chars <= FUZZY_MAX_CHARS
        && !text.bytes().all(|b| b.is_ascii_digit())
        && !text.chars().any(text::is_han)
}

/// Similarity of two distinct tokens from their edit distance (optimal string alignment, so
/// a swap of neighbours is one edit), within the allowance of the shorter. Edits that typing
/// and spelling produce (a swap, a doubled or undoubled letter, a dropped vowel, one vowel
/// for another, c/k, s/z, m/n ...) cost half, a dropped or added consonant one, and any other
/// substitution one and a half, so a short word with an arbitrary change (Hawley ~ Hanley,
/// Martin ~ Marvin) is another word, not a typo. Digits never match fuzzily.
pub(super) fn token_similarity(a: &str, b: &str) -> f64 {
    // Words longer than this are compared through the heap; the rest on the stack.
    const SHORT: usize = 40;
    let (mut sa, mut sb) = (['\0'; SHORT], ['\0'; SHORT]);
    let (va, vb): (Vec<char>, Vec<char>);
    let (a, b): (&[char], &[char]) = if a.len() <= SHORT && b.len() <= SHORT {
        let la = a
            .chars()
            .zip(sa.iter_mut())
            .map(|(c, slot)| *slot = c)
            .count();
        let lb = b
            .chars()
            .zip(sb.iter_mut())
            .map(|(c, slot)| *slot = c)
            .count();
        (&sa[..la], &sb[..lb])
    } else {
        (va, vb) = (a.chars().collect(), b.chars().collect());
        (&va, &vb)
    };
    let (la, lb) = (a.len(), b.len());
    let allowed = edit_allowance(la.min(lb));
    if allowed == 0 || la.abs_diff(lb) > allowed {
        return 0.0;
    }
    if a.iter().chain(b).any(char::is_ascii_digit) {
        return 0.0;
    }
    // Letters one word has and the other lacks each take an edit: too many, and no alignment
    // is within the allowance (a cheap test before the table).
    if a.iter().chain(b).all(char::is_ascii_lowercase) {
        let mut counts = [0i8; 26];
        for &c in a {
            counts[c as usize - 'a' as usize] += 1;
        }
        for &c in b {
            counts[c as usize - 'a' as usize] -= 1;
        }
        let (surplus, deficit) = counts.iter().fold((0, 0), |(s, d), &n| {
            (s + i32::from(n.max(0)), d + i32::from((-n).max(0)))
        });
        if surplus.max(deficit) as usize > allowed {
            return 0.0;
        }
    }
    // Every alignment passes through one of any two neighbouring rows (a swap skips one), and
    // costs only add up: once two rows cost more than a match may, the words are too far
    // apart.
    let longest = la.max(lb) as f64;
    work::count(|w| w.edit_cells += (la * lb) as u64);
    let Some((edits, cost)) = weighted_osa(a, b, (1.0 - FUZZY_MIN) * longest) else {
        return 0.0;
    };
    if edits > allowed {
        return 0.0;
    }
    (1.0 - cost / longest).max(0.0)
}

/// Letters one is often written for the other: vowels, c/k/q, s/z, m/n, b/p, d/t, v/w/f,
/// g/j.
pub(super) fn alike(x: char, y: char) -> bool {
    fn class(c: char) -> u8 {
        match c {
            'a' | 'e' | 'i' | 'o' | 'u' | 'y' => 1,
            'c' | 'k' | 'q' => 2,
            's' | 'z' => 3,
            'm' | 'n' => 4,
            'b' | 'p' => 5,
            'd' | 't' => 6,
            'v' | 'w' | 'f' => 7,
            'g' | 'j' => 8,
            _ => 0,
        }
    }
    let cx = class(x);
    cx != 0 && cx == class(y)
}

/// Optimal string alignment with typo-aware costs: (number of edits, total cost) of the
/// cheapest alignment; `None` once every alignment costs more than `budget`.
pub(super) fn weighted_osa(a: &[char], b: &[char], budget: f64) -> Option<(usize, f64)> {
    let m = b.len();
    // Three rows of the table: two back (for a swap), one back, and the current one.
    let mut rows = vec![(0usize, 0.0f64); 3 * (m + 1)];
    let (back2, rest) = rows.split_at_mut(m + 1);
    let (back, current) = rest.split_at_mut(m + 1);
    let (mut back2, mut back, mut current) = (back2, back, current);
    // Inserting or deleting a letter next to the same letter is doubling it; a dropped or
    // added vowel is a slip too; another letter costs one.
    let indel = |s: &[char], i: usize| {
        let c = s[i];
        let doubled = (i > 0 && s[i - 1] == c) || s.get(i + 1) == Some(&c);
        if doubled || matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
            TYPO_COST
        } else {
            1.0
        }
    };
    for j in 1..=m {
        back[j] = (j, back[j - 1].1 + indel(b, j - 1));
    }
    let better = |x: (usize, f64), y: (usize, f64)| if y.1 < x.1 { y } else { x };
    for i in 1..=a.len() {
        current[0] = (i, back[0].1 + indel(a, i - 1));
        for j in 1..=m {
            let diagonal = back[j - 1];
            let sub = if a[i - 1] == b[j - 1] {
                diagonal
            } else {
                let cost = if alike(a[i - 1], b[j - 1]) {
                    TYPO_COST
                } else {
                    EDIT_COST
                };
                (diagonal.0 + 1, diagonal.1 + cost)
            };
            let del = (back[j].0 + 1, back[j].1 + indel(a, i - 1));
            let ins = (current[j - 1].0 + 1, current[j - 1].1 + indel(b, j - 1));
            let mut best = better(better(sub, del), ins);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                let swap = back2[j - 2];
                best = better(best, (swap.0 + 1, swap.1 + TYPO_COST));
            }
            current[j] = best;
        }
        let over = |row: &[(usize, f64)]| row.iter().all(|cell| cell.1 > budget + 1e-9);
        if i > 1 && over(current) && over(back) {
            return None;
        }
        std::mem::swap(&mut back2, &mut back);
        std::mem::swap(&mut back, &mut current);
    }
    Some(back[m])
}

/// Hashes of the strings a word reduces to by deleting up to its edit allowance of
/// characters (the word itself included). Two words within `d ≤` both allowances of each
/// other (optimal string alignment distance) always share one: that is what makes the
/// candidate stage lose no fuzzy pair.
pub(super) fn deletion_keys(word: &str) -> Vec<u64> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let depth = edit_allowance(n);
    let mut keys = vec![fnv(chars.iter())];
    let without = |skip: &[usize]| fnv((0..n).filter(|i| !skip.contains(i)).map(|i| &chars[i]));
    if depth >= 1 {
        keys.extend((0..n).map(|i| without(&[i])));
    }
    if depth >= 2 {
        keys.extend(
            (0..n)
                .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
                .map(|(i, j)| without(&[i, j])),
        );
    }
    keys.sort_unstable();
    keys.dedup();
    work::count(|w| w.deletion_keys += keys.len() as u64);
    keys
}

/// FNV-1a over the characters of a word.
pub(super) fn fnv<'a>(chars: impl Iterator<Item = &'a char>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in chars {
        for b in (c as u32).to_le_bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
