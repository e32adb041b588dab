//! Token similarity: typo-weighted edit distance, its allowance by length, and the deletion
//! keys that find every pair within it.

use super::*;

/// Edits allowed in a word of this length: one from 4 characters (an insertion: Gibs ~
/// Gibbs), two from 8 (two typing errors in one long word); `FUZZY_MIN` then rejects what
/// is too far for the longer word.
pub(super) fn edit_allowance(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Edits allowed in a word looked up narrowly: one derived from Chinese script (romanised, by
/// sound, in outline), which has no typing errors, only near spellings, or one the vocabulary
/// has, most likely typed as listed: two edits only from 10 letters.
pub(super) fn narrow_allowance(chars: usize) -> usize {
    match chars {
        0..=3 => 0,
        4..=9 => 1,
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
/// a swap of neighbours is one edit), within the allowance of the longer (Ernndez ~
/// Hernandez: two letters dropped from nine). Edits that typing
/// and spelling produce (a swap, a doubled or undoubled letter, a dropped vowel, one vowel
/// for another, c/k, s/z, m/n ...) cost `TYPO_COST`; a key hit for its neighbour on a QWERTY
/// keyboard (Kharon ~ Khaeon) and a dropped or added first letter `SLIP_COST`; a dropped or
/// added consonant one; and any other substitution `EDIT_COST`, so a short word with an
/// arbitrary change (Hawley ~ Hanley, Martin ~ Marvin) is another word, not a typo. Digits
/// never match fuzzily.
#[cfg(test)]
pub(super) fn token_similarity(a: &str, b: &str) -> f64 {
    similarity(a, b, false)
}

/// `token_similarity`, or looked up `narrow`ly, within `narrow_allowance` of the shorter word.
pub(super) fn similarity(a: &str, b: &str, narrow: bool) -> f64 {
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
    let (short, long) = (la.min(lb), la.max(lb));
    let (allowed, short_allowed) = if narrow {
        (narrow_allowance(short), narrow_allowance(short))
    } else {
        (edit_allowance(long), edit_allowance(short))
    };
    if short_allowed == 0 || long - short > allowed {
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
    // The longer word's allowance, as long as the shorter needs no more deletions than its
    // own allows (each edit that is not an insertion into it is one): then the two share a
    // deletion key, and the candidate stage finds the pair.
    if edits > allowed || edits - (long - short) > short_allowed {
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

/// Keys next to each other on a QWERTY keyboard, in a row or in touching rows (a row sits
/// half a key to the right of the one above it).
pub(super) fn neighbours(x: char, y: char) -> bool {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let at = |c: char| {
        let c = u8::try_from(c).ok()?;
        ROWS.iter()
            .enumerate()
            .find_map(|(row, keys)| Some((row, keys.iter().position(|&k| k == c)?)))
    };
    let (Some((rx, cx)), Some((ry, cy))) = (at(x), at(y)) else {
        return false;
    };
    match ry as isize - rx as isize {
        0 => cx.abs_diff(cy) == 1,
        // y in the row below x: it touches x's key and the one to its left.
        1 => cy == cx || cy + 1 == cx,
        -1 => cx == cy || cx + 1 == cy,
        _ => false,
    }
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
    // added vowel is a slip too; so, a little dearer, is a dropped first letter; another
    // letter costs one.
    let indel = |s: &[char], i: usize| {
        let c = s[i];
        let doubled = (i > 0 && s[i - 1] == c) || s.get(i + 1) == Some(&c);
        if doubled || matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
            TYPO_COST
        } else if i == 0 {
            SLIP_COST
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
                } else if neighbours(a[i - 1], b[j - 1]) {
                    SLIP_COST
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
    query_deletion_keys(word, false)
}

/// The deletion keys of a query word: to its edit allowance, or looked up `narrow`ly to
/// `narrow_allowance` (never more than a vocabulary word's own keys reach, so every pair
/// within that allowance still shares a key).
pub(super) fn query_deletion_keys(word: &str, narrow: bool) -> Vec<u64> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let depth = if narrow {
        narrow_allowance(n)
    } else {
        edit_allowance(n)
    };
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
