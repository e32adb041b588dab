//! Chinese script read in Latin letters: the brand and glossary words first, then
//! transliterations and pinyin.

use super::*;

/// Chinese words read as Latin words: the curated brand table (中兴 → zte) and the glossary
/// (电子 → electronics), longest first so that 中兴通讯 wins over 中兴.
/// Han words with their Latin words, longest first, and by first character (in that order)
/// for looking up the words a text starts with.
pub(super) struct HanWords {
    pub(super) list: Vec<(String, Vec<String>)>,
    pub(super) by_first: FastMap<char, Vec<usize>>,
}

impl HanWords {
    pub(super) fn new(mut list: Vec<(String, Vec<String>)>) -> HanWords {
        list.sort_by_key(|(zh, _)| std::cmp::Reverse(zh.chars().count()));
        let mut by_first: FastMap<char, Vec<usize>> = FastMap::default();
        for (at, (zh, _)) in list.iter().enumerate() {
            if let Some(c) = zh.chars().next() {
                by_first.entry(c).or_default().push(at);
            }
        }
        HanWords { list, by_first }
    }
}

pub(super) fn han_words() -> &'static HanWords {
    static WORDS: OnceLock<HanWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<(String, Vec<String>)> = Vec::new();
        let mut seen = FastSet::default();
        let brands = tables::brands()
            .iter()
            .map(|&(zh, latin)| (zh, latin, true));
        let glossary = tables::glossary().iter().map(|&(zh, en)| (zh, en, false));
        for (zh, latin, brand) in brands.chain(glossary) {
            let zh = fold(zh).replace(' ', "");
            if zh.is_empty() || !seen.insert(zh.clone()) {
                continue;
            }
            let latin: Vec<String> = if brand {
                tokenize(latin).into_iter().map(|t| t.text).collect()
            } else {
                latin.split_whitespace().map(String::from).collect()
            };
            if brand && latin.is_empty() {
                continue;
            }
            words.push((zh, latin));
        }
        HanWords::new(words)
    })
}

/// The glossary alone, longest first.
pub(super) fn glossary_words() -> &'static HanWords {
    static WORDS: OnceLock<HanWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        HanWords::new(
            tables::glossary()
                .iter()
                .map(|(zh, en)| {
                    (
                        zh.to_string(),
                        en.split_whitespace().map(String::from).collect(),
                    )
                })
                .collect(),
        )
    })
}

/// Whole Han name parts read as a Western name (埃德蒙 → edmund, 史密斯 → smith).
pub fn transliteration(segment: &str) -> Option<&'static [String]> {
    static MAP: OnceLock<FastMap<String, Vec<String>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map: FastMap<String, Vec<String>> = FastMap::default();
        for &(zh, latin) in tables::transliterations() {
            let zh = fold(zh).replace(' ', "");
            let latin = fold(latin).trim().to_string();
            if zh.chars().count() >= 2 && !latin.is_empty() {
                let entry = map.entry(zh).or_default();
                if !entry.contains(&latin) {
                    entry.push(latin);
                }
            }
        }
        map
    });
    map.get(segment).map(Vec::as_slice)
}

/// The brand table keyed by the joined toneless pinyin of its Chinese names (晶澳 →
/// "jingao"), for Latin queries that spell a brand in pinyin.
pub fn brand_by_pinyin(joined: &str) -> Option<&'static [String]> {
    static MAP: OnceLock<FastMap<String, Vec<String>>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut map = FastMap::default();
        for &(zh, latin) in tables::brands() {
            let Some(pinyin) = zh
                .chars()
                .map(|c| c.to_pinyin().map(|p| p.plain()))
                .collect::<Option<String>>()
            else {
                continue;
            };
            let latin: Vec<String> = tokenize(latin).into_iter().map(|t| t.text).collect();
            if zh.chars().count() >= 2 && !latin.is_empty() && latin.concat() != pinyin {
                map.entry(pinyin).or_insert(latin);
            }
        }
        map
    });
    map.get(joined).map(Vec::as_slice)
}

/// The glossary keyed by the toneless pinyin of its Chinese words (大学 → "daxue").
pub(super) fn glossary_pinyin() -> &'static FastMap<String, &'static str> {
    static MAP: OnceLock<FastMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        tables::glossary()
            .iter()
            .filter(|(han, english)| han.chars().count() >= 2 && !english.is_empty())
            .filter_map(|(han, english)| {
                let pinyin: Option<String> = han
                    .chars()
                    .map(|c| c.to_pinyin().map(|p| p.plain()))
                    .collect();
                Some((fold(&pinyin?).trim().to_string(), *english))
            })
            .filter(|(pinyin, english)| pinyin != english)
            // Readings that are also common given names (国基 Guoji) stay as they are.
            .filter(|(pinyin, _)| !matches!(pinyin.as_str(), "guoji" | "huaxin" | "xinxi"))
            .collect()
    })
}

/// Glossary English ("public security bureau") as Latin tokens.
pub(super) fn latin_words<'a>(
    english: impl IntoIterator<Item = &'a str> + 'a,
    segment: u16,
) -> impl Iterator<Item = Token> + 'a {
    english
        .into_iter()
        .flat_map(str::split_whitespace)
        .map(move |w| Token::new(w, Script::Latin, segment))
}

/// Consecutive Han tokens of one segment, with the range they span.
pub(super) fn han_runs(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].script != Script::Han {
            i += 1;
            continue;
        }
        let segment = tokens[i].segment;
        let end = (i..tokens.len())
            .find(|&j| tokens[j].script != Script::Han || tokens[j].segment != segment)
            .unwrap_or(tokens.len());
        runs.push((i, end));
        i = end;
    }
    runs
}

/// The Latin form of a name that has Chinese script: a name part that is a known
/// transliteration becomes its Western name (埃德蒙 → edmund), brand and glossary words are
/// translated (海思 → hisilicon, 电子 → electronics), the other characters become toneless
/// pinyin syllables; Latin tokens are kept. `None` when the name has no Han token.
pub fn romanize(tokens: &[Token]) -> Option<Vec<Token>> {
    romanize_with(tokens, true)
}

/// `romanize` without the brand and transliteration tables: the pinyin a Latin spelling of
/// the Chinese name has (大疆 → da jiang, where `romanize` gives dji).
pub fn romanize_pinyin(tokens: &[Token]) -> Option<Vec<Token>> {
    romanize_with(tokens, false)
}

pub(super) fn romanize_with(tokens: &[Token], brands: bool) -> Option<Vec<Token>> {
    han_form(tokens, |run, segment, out| {
        // The table's first reading: several would each count as a word of the name.
        if let Some(latin) = transliteration(run)
            .and_then(|l| l.first())
            .filter(|_| brands)
        {
            out.extend(latin_words([latin.as_str()], segment));
            return;
        }
        translate(run, segment, brands, out, |chars, out| {
            let syllables: Vec<String> = chars
                .chars()
                .filter_map(|c| c.to_pinyin())
                .map(|p| fold(p.plain()).trim().to_string())
                .collect();
            // Places written as one word in English (苏州 → suzhou, not su zhou).
            let mut i = 0;
            while i < syllables.len() {
                let place = (2..=3).rev().find_map(|len| {
                    let joined = syllables.get(i..i + len)?.concat();
                    is_generic_word(&joined).then_some((joined, len))
                });
                match place {
                    Some((joined, len)) => {
                        out.push(Token::new(joined, Script::Latin, segment));
                        i += len;
                    }
                    None => {
                        out.push(Token::new(syllables[i].clone(), Script::Latin, segment));
                        i += 1;
                    }
                }
            }
        });
    })
}

/// The sound form of a name with Chinese script, for transliterations of foreign names that
/// PRC notices and the press write with different characters (鲁比奥 / 鲁比欧, 哈德森 /
/// 哈德逊): each run of untranslated characters becomes one token of coarse sound classes
/// (aspiration, retroflex and close vowels merged), so near-homophones differ by an edit or
/// two. Runs of fewer than three characters stay characters. Glossary words are translated
/// as in `romanize`; brand names are not (a listed brand spelled with other characters must
/// still sound alike).
pub fn phonetic(tokens: &[Token]) -> Option<Vec<Token>> {
    han_form(tokens, |run, segment, out| {
        translate(run, segment, false, out, |chars, out| {
            // Two characters sound alike too often (红帽 / 红猫): they stay characters.
            if chars.chars().count() < 3 {
                out.extend(
                    chars
                        .chars()
                        .map(|c| Token::new(c.to_string(), Script::Han, segment)),
                );
                return;
            }
            let key: String = chars
                .chars()
                .filter_map(|c| c.to_pinyin())
                .map(|p| sound_class(p.plain()))
                .collect();
            if !key.is_empty() {
                out.push(Token::new(key, Script::Latin, segment));
            }
        });
    })
}

/// Builds a Latin form of a Han name: Latin tokens kept, each Han run handed to `run`.
pub(super) fn han_form(
    tokens: &[Token],
    mut run: impl FnMut(&str, u16, &mut Vec<Token>),
) -> Option<Vec<Token>> {
    if !tokens.iter().any(|t| t.script == Script::Han) {
        return None;
    }
    let runs = han_runs(tokens);
    let mut out = Vec::with_capacity(tokens.len());
    let mut next = runs.iter().peekable();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(&&(start, end)) = next.peek().filter(|(start, _)| *start == i) {
            let text: String = tokens[start..end].iter().map(|t| t.text.as_str()).collect();
            run(&text, tokens[start].segment, &mut out);
            next.next();
            i = end;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    Some(out)
}

/// Translates the brand and glossary words of a Han run; the characters between them are
/// handed to `rest`, a stretch at a time.
pub(super) fn translate(
    run: &str,
    segment: u16,
    brands: bool,
    out: &mut Vec<Token>,
    mut rest: impl FnMut(&str, &mut Vec<Token>),
) {
    let words = if brands {
        han_words()
    } else {
        glossary_words()
    };
    let mut pending = String::new();
    let mut text = run;
    while let Some(c) = text.chars().next() {
        let found = words
            .by_first
            .get(&c)
            .into_iter()
            .flatten()
            .map(|&at| &words.list[at])
            .find(|(han, _)| text.starts_with(han.as_str()));
        if let Some((han, latin)) = found {
            rest(&std::mem::take(&mut pending), out);
            out.extend(latin_words(latin.iter().map(String::as_str), segment));
            text = &text[han.len()..];
            continue;
        }
        pending.push(c);
        text = &text[c.len_utf8()..];
    }
    rest(&pending, out);
}
