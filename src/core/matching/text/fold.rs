//! From a raw name to tokens: NFKC, traditional to simplified Chinese, case, diacritics,
//! punctuation, split into runs of Han and Latin text; generic and legal-form words.

use super::*;

/// A word list as a set, built the first time it is asked.
pub(super) fn word_set(
    lock: &'static OnceLock<FastSet<&'static str>>,
    words: &[&'static str],
) -> &'static FastSet<&'static str> {
    lock.get_or_init(|| words.iter().copied().collect())
}

pub(super) fn is_generic_word(word: &str) -> bool {
    static SET: OnceLock<FastSet<&'static str>> = OnceLock::new();
    word_set(&SET, generic()).contains(word)
}

pub(super) fn is_legal_or_honorific(word: &str) -> bool {
    static SET: OnceLock<FastSet<&'static str>> = OnceLock::new();
    static HONORIFIC: OnceLock<FastSet<&'static str>> = OnceLock::new();
    word_set(&SET, legal_forms()).contains(word)
        || word_set(&HONORIFIC, tables::honorifics()).contains(word)
}

/// Endings of East Slavic patronymics as the lists spell them in Latin (Grigoryevich,
/// Petrovych, Genrikhovna, Volodymyrivna).
const PATRONYMIC_ENDINGS: [&str; 9] = [
    "ovich", "evich", "ovitch", "evitch", "ovych", "evych", "ovna", "evna", "ivna",
];

/// Whether a word of a person's name reads as a patronymic: the middle name people leave
/// out when they write the person's name (Igor Girkin for GIRKIN, Igor Vsevolodovich). A
/// surname can end so too (Abramovich); callers use it only beside a given name and another
/// part.
pub fn is_patronymic(word: &str) -> bool {
    word.chars().count() >= 7 && PATRONYMIC_ENDINGS.iter().any(|e| word.ends_with(e))
}

/// Whether a token is low-information (a class word, a big place name, a country).
pub fn is_generic(token: &Token) -> bool {
    match token.script {
        Script::Latin => is_generic_word(&token.text),
        Script::Han => generic_han().contains(token.text.as_str()),
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// Normalises a name into its tokens. Legal forms are dropped unless nothing else is left, so a
/// name made only of a legal form keeps them (and `distinctive` tells the caller).
pub fn tokenize(name: &str) -> Vec<Token> {
    normalise(name).1
}

/// The characters of a name after normalisation (NFKC can make one character several: `㌀` is
/// four letters), the length that limits are set on, and its tokens (see `tokenize`), from one
/// pass of folding.
pub fn normalise(name: &str) -> (usize, Vec<Token>) {
    let folded = fold(name);
    let chars = folded.chars().count();
    crate::core::work::count(|w| w.normalised_chars += chars as u64);
    let mut tokens = Vec::new();
    let mut legal = Vec::new();
    let mut segment = 0u16;
    for run in split_runs(&folded) {
        match run {
            Run::Latin(words) => latin_tokens(&words, &mut segment, &mut tokens, &mut legal),
            Run::Han(chars) => {
                let kept = strip_han_legal(&chars);
                if kept.is_empty() {
                    legal.extend(
                        chars
                            .chars()
                            .map(|c| Token::new(c.to_string(), Script::Han, segment)),
                    );
                }
                han_tokens(kept, segment, &mut tokens);
                segment = segment.saturating_add(1);
            }
        }
    }
    let tokens = if tokens.is_empty() { legal } else { tokens };
    (chars, tokens)
}

/// Whether a token is a legal form (Co., Ltd., 有限公司 ...): such tokens only survive
/// `tokenize` when a name has nothing else.
pub fn is_legal_form(token: &Token) -> bool {
    match token.script {
        Script::Latin => is_legal_or_honorific(&token.text),
        Script::Han => han_legal_suffixes()
            .iter()
            .any(|s| s.contains(token.text.as_str())),
    }
}

/// The tokens with each run of two or more single letters joined into one word ("A.C.
/// International" → ac international, as a list or a caller may also write it); `None` when
/// there is no such run. Only organisations' names are read so: a person's single letters
/// are initials (John K. C. Lee).
pub fn join_letter_runs(tokens: &[Token]) -> Option<Vec<Token>> {
    let letter = |t: &Token| {
        t.script == Script::Latin
            && t.text.chars().count() == 1
            && t.text.chars().all(char::is_alphabetic)
    };
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut joined = false;
    let mut i = 0;
    while i < tokens.len() {
        let run = tokens[i..].iter().take_while(|t| letter(t)).count();
        if run >= 2 {
            let text: String = tokens[i..i + run].iter().map(|t| t.text.as_str()).collect();
            out.push(Token::new(text, Script::Latin, tokens[i].segment));
            joined = true;
            i += run;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    joined.then_some(out)
}

/// Whether the name has any token that is neither a legal form nor generic.
pub fn distinctive(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| !is_generic(t) && !is_legal_form(t))
}

/// NFKC, traditional Chinese folded to simplified (many-to-one, so safe in this direction),
/// lower case, diacritics removed, apostrophes removed, and every other non-alphanumeric
/// character (punctuation, middle dots, dashes, brackets) turned into a space.
pub(super) fn fold(name: &str) -> String {
    // ASCII has nothing to compose, simplify or strip: the same result, without the tables.
    if name.is_ascii() {
        return name
            .bytes()
            .filter(|b| !matches!(b, b'\'' | b'`'))
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    char::from(b.to_ascii_lowercase())
                } else {
                    ' '
                }
            })
            .collect();
    }
    let mut out = String::with_capacity(name.len());
    let nfkc: String = name.nfkc().collect();
    let simplified = if nfkc.chars().any(is_han) {
        fast2s::convert(&nfkc)
    } else {
        nfkc
    };
    for c in simplified.chars().flat_map(char::to_lowercase).nfd() {
        if is_combining_mark(c) || is_ignorable(c) || matches!(c, '\'' | '’' | '‘' | '`' | 'ʼ')
        {
            continue;
        }
        if let Some(plain) = plain_letters(c) {
            out.push_str(plain);
        } else if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out.nfc().collect()
}

/// Latin letters that decomposition leaves whole, as they are written without them (Løkke ~
/// Lokke, Straße ~ Strasse, Łukasz ~ Lukasz).
fn plain_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'æ' => "ae",
        'œ' => "oe",
        'ß' => "ss",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        _ => return None,
    })
}

/// Characters that are invisible by definition (Unicode's Default_Ignorable_Code_Point):
/// zero-width spaces and joiners, Hangul fillers, variation selectors, the soft hyphen, bidi
/// controls, tags. They are dropped, so a name made of them is empty and "Hua\u{200B}wei" is
/// "Huawei".
pub(super) fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

pub(super) enum Run {
    Latin(String),
    Han(String),
}

/// Splits folded text into runs of Han characters and runs of everything else.
pub(super) fn split_runs(folded: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut in_han = false;
    for c in folded.chars() {
        let han = is_han(c);
        if c == ' ' && in_han {
            // A space ends a Han run (names like "洛克希德 马丁" keep their parts apart).
            runs.push(Run::Han(std::mem::take(&mut current)));
            in_han = false;
            continue;
        }
        if han != in_han && !current.is_empty() {
            let run = std::mem::take(&mut current);
            runs.push(if in_han {
                Run::Han(run)
            } else {
                Run::Latin(run)
            });
        }
        in_han = han;
        current.push(c);
    }
    if !current.is_empty() {
        runs.push(if in_han {
            Run::Han(current)
        } else {
            Run::Latin(current)
        });
    }
    runs
}
