//! Sound forms: consonant outlines of Han and Latin names and the sound classes of syllables,
//! so that different transliterations of one foreign name meet.

use super::*;

/// The consonant outline of a Han rendering of a foreign name: each syllable's initial in the
/// classes of `sound_class`, 尔 (er) read as l. `None` if a character has no reading.
pub fn han_consonants(han: &str) -> Option<String> {
    han.chars()
        .map(|c| {
            let syllable = c.to_pinyin()?.plain();
            if syllable == "er" {
                return Some("l".to_string());
            }
            let class = sound_class(syllable);
            // 华 hua, 惠 hui render "va", "wi" (华盛顿 Washington): no h.
            let glide = syllable.starts_with("hua") || syllable == "hui";
            let mut outline = if glide {
                String::new()
            } else {
                class[..class.len() - 1].to_string()
            };
            // A final -n or -ng renders an n of the foreign name (顿 dun ~ "ton", 曾 zeng ~
            // "zen").
            if syllable.ends_with('n') || syllable.ends_with("ng") {
                outline.push('n');
            }
            Some(outline)
        })
        .collect::<Option<Vec<String>>>()
        .map(|parts| {
            let mut out = String::new();
            for part in parts {
                for c in part.chars() {
                    if !out.ends_with(c) {
                        out.push(c);
                    }
                }
            }
            out
        })
}

/// The consonant outline of a Latin word in the same classes (Hawley → hl, Smith → sms,
/// Kennedy → gnd): digraphs read as one sound, doubled letters once, vowels, w, v, y and a
/// silent h dropped (Chinese renders v and w alike, 瓦 wa for "va").
pub fn latin_consonants(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let (class, len) = match (c, next) {
            ('t', Some('h')) | ('s', Some('h')) => ("s", 2),
            ('p', Some('h')) => ("f", 2),
            ('c', Some('h')) => ("z", 2),
            ('c', Some('k')) => ("g", 2),
            ('c', Some('e' | 'i' | 'y')) => ("s", 1),
            ('b' | 'p', _) => ("b", 1),
            ('d' | 't', _) => ("d", 1),
            ('g' | 'k' | 'c' | 'q', _) => ("g", 1),
            ('z' | 'j', _) => ("z", 1),
            ('s' | 'x', _) => ("s", 1),
            ('l' | 'r', _) => ("l", 1),
            ('f', _) => ("f", 1),
            ('m', _) => ("m", 1),
            ('n', _) => ("n", 1),
            ('h', _) if i == 0 => ("h", 1),
            _ => ("", 1),
        };
        if !out.ends_with(class) || class.is_empty() {
            out.push_str(class);
        }
        i += len;
    }
    out
}

/// Marks an outline token, so outlines never meet words in the vocabulary.
pub const OUTLINE_MARK: char = '~';

/// The outline form of a foreign name written in Chinese with separated parts (尼科尔·莫格雷特):
/// each part's consonant outline, read through the transliteration table where it knows the
/// part (尼科尔 → Nicole → ngl). `None` unless the name has two or more Han parts.
pub fn han_outline(tokens: &[Token]) -> Option<Vec<Token>> {
    let runs = han_runs(tokens);
    if runs.len() < 2 {
        return None;
    }
    let mut out = Vec::with_capacity(runs.len());
    for (start, end) in runs {
        let text: String = tokens[start..end].iter().map(|t| t.text.as_str()).collect();
        let segment = tokens[start].segment;
        let outlines: Vec<String> = match transliteration(&text) {
            Some(latin) => latin.iter().map(|w| latin_consonants(w)).collect(),
            None => han_consonants(&text).into_iter().collect(),
        };
        out.extend(
            outlines
                .into_iter()
                .filter(|o| !o.is_empty())
                .map(|o| Token::new(format!("{OUTLINE_MARK}{o}"), Script::Latin, segment)),
        );
    }
    Some(out)
}

/// The outline form of a Latin name: each word's consonant outline (Nicole Morgret → ngl
/// mlgld), for comparison with `han_outline`.
pub fn latin_outline(tokens: &[Token]) -> Vec<Token> {
    tokens
        .iter()
        .filter(|t| t.script == Script::Latin && !t.is_numeric() && t.text.chars().count() >= 2)
        .filter_map(|t| {
            let outline = latin_consonants(&t.text);
            (!outline.is_empty())
                .then(|| Token::new(format!("{OUTLINE_MARK}{outline}"), Script::Latin, t.segment))
        })
        .collect()
}

/// The sound class of a pinyin syllable: its initial with aspiration and place merged
/// (b/p, d/t, g/k, z/c/zh/ch/j/q, s/sh/x, l/r; y, w and none dropped) and its final reduced
/// to one vowel class (a, o, e, i, u).
pub(super) fn sound_class(syllable: &str) -> String {
    const INITIALS: &[(&str, &str)] = &[
        ("zh", "z"),
        ("ch", "z"),
        ("sh", "s"),
        ("b", "b"),
        ("p", "b"),
        ("m", "m"),
        ("f", "f"),
        ("d", "d"),
        ("t", "d"),
        ("n", "n"),
        ("l", "l"),
        ("g", "g"),
        ("k", "g"),
        ("h", "h"),
        ("j", "z"),
        ("q", "z"),
        ("x", "s"),
        ("r", "l"),
        ("z", "z"),
        ("c", "z"),
        ("s", "s"),
        ("y", ""),
        ("w", ""),
    ];
    let (initial, fin) = INITIALS
        .iter()
        .find(|(i, _)| syllable.starts_with(i))
        .map_or(("", syllable), |(i, class)| (*class, &syllable[i.len()..]));
    let vowel = if fin.contains('a') {
        if fin.ends_with("ao") {
            'o'
        } else {
            'a'
        }
    } else if fin.contains('o') {
        'o'
    } else if fin.contains('e') {
        'e'
    } else if fin.starts_with('i') {
        'i'
    } else {
        'u'
    };
    format!("{initial}{vowel}")
}
