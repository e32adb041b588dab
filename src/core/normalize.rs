//! Name normalisation, shared by the index and the query so both sides always agree:
//! Unicode NFKC, traditional → simplified Chinese, case folding, diacritics removed,
//! punctuation and name separators (·•・—) to spaces, abbreviations expanded
//! (Tech → technology), legal forms dropped (Co., Ltd., 有限公司), ordinals reduced to their
//! number, and Chinese script split into characters.

use super::hash::{FastMap, FastSet};
use super::tables;
use pinyin::ToPinyin;
use std::sync::OnceLock;
use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// One token of a normalised name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    pub text: String,
    pub script: Script,
    /// Which part of the name the token came from: each Latin word and each run of Han
    /// characters between separators (洛克希德·马丁 has two) is one segment.
    pub segment: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters and digits.
    Latin,
    /// A single Han character.
    Han,
}

impl Token {
    pub fn new(text: impl Into<String>, script: Script, segment: u16) -> Token {
        Token {
            text: text.into(),
            script,
            segment,
        }
    }

    pub fn is_numeric(&self) -> bool {
        self.text.bytes().all(|b| b.is_ascii_digit())
    }
}

/// Legal forms and company-type words that never identify a party (English, after
/// abbreviation expansion). Dropped from both sides.
const LEGAL_FORMS: &[&str] = &[
    "co",
    "company",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "llc",
    "plc",
    "jsc",
    "pjsc",
    "ojsc",
    "gmbh",
    "ag",
    "sa",
    "srl",
    "bv",
    "nv",
    "pte",
    "pty",
    "lp",
    "llp",
    "kk",
    "aktiengesellschaft",
    "spa",
    "sro",
    "sarl",
    "sas",
    "oy",
    "ab",
    "bhd",
    "sdn",
    "zoo",
    "youxian",
    "gongsi",
    "gufen",
    "zeren",
    "jointstock",
];

/// Chinese legal-form suffixes, longest first; stripped from the end of a Han run.
const HAN_LEGAL_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "公司",
    "株式会社",
    "有限会社",
];

/// Abbreviations seen in list data and queries, expanded on both sides.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("tech", "technology"),
    ("technologies", "technology"),
    ("sci", "science"),
    ("sciences", "science"),
    ("grp", "group"),
    ("intl", "international"),
    ("int'l", "international"),
    ("elec", "electronics"),
    ("electronic", "electronics"),
    ("mfg", "manufacturing"),
    ("constr", "construction"),
    ("comm", "communication"),
    ("communications", "communication"),
    ("univ", "university"),
    ("inst", "institute"),
    ("natl", "national"),
    ("dev", "development"),
    ("eng", "engineering"),
    ("equip", "equipment"),
    ("indus", "industry"),
    ("industries", "industry"),
    ("industrial", "industry"),
    ("hldgs", "holdings"),
    ("holding", "holdings"),
    ("svcs", "services"),
    ("svc", "services"),
    ("technical", "technology"),
    ("techs", "technology"),
    ("inds", "industry"),
    ("def", "defense"),
    ("defence", "defense"),
    ("centre", "center"),
    ("sys", "systems"),
    ("ctrl", "control"),
    ("info", "information"),
    ("adv", "advanced"),
    ("labs", "laboratories"),
    ("lab", "laboratories"),
    ("laboratory", "laboratories"),
    ("gen", "general"),
    ("mgmt", "management"),
    ("acad", "academy"),
    ("assn", "association"),
    ("ind", "industry"),
    ("shipbldg", "shipbuilding"),
    ("telecom", "telecommunication"),
    ("telecoms", "telecommunication"),
    ("telecommunications", "telecommunication"),
    ("matl", "material"),
    ("mat", "material"),
    ("materials", "material"),
    ("auto", "automatic"),
    ("automation", "automatic"),
];

/// Words that carry the class of a name but little of its identity: they weigh little.
const GENERIC: &[&str] = &[
    "china",
    "chinese",
    "prc",
    "technology",
    "science",
    "international",
    "group",
    "electronics",
    "industry",
    "development",
    "trading",
    "trade",
    "import",
    "export",
    "holdings",
    "national",
    "research",
    "institute",
    "university",
    "engineering",
    "information",
    "communication",
    "equipment",
    "manufacturing",
    "services",
    "the",
    "of",
    "and",
    "for",
    "hong",
    "kong",
    "hk",
    "beijing",
    "shanghai",
    "shenzhen",
    "guangzhou",
    "tianjin",
    "chongqing",
    "hangzhou",
    "wuhan",
    "chengdu",
    "nanjing",
    "xian",
    "harbin",
    "xinjiang",
    "guangdong",
    "zhejiang",
    "jiangsu",
    "sichuan",
    "usa",
    "us",
    "america",
    "american",
    "new",
    "systems",
    "system",
    "corp",
    // Industry and class words: they say what a party does, not who it is.
    "general",
    "defense",
    "aerospace",
    "aviation",
    "digital",
    "network",
    "networks",
    "energy",
    "software",
    "microelectronics",
    "semiconductor",
    "consolidated",
    "logistics",
    "machinery",
    "material",
    "power",
    "chemical",
    "textiles",
    "textile",
    "cotton",
    "linen",
    "wool",
    "mining",
    "electric",
    "optical",
    "instruments",
    "intelligent",
    "shipping",
    "petroleum",
    "foundation",
    "laboratories",
    "center",
    "enterprise",
    "enterprises",
    // More places that name many parties.
    "zhuhai",
    "suzhou",
    "xiamen",
    "qingdao",
    "dalian",
    "shenyang",
    "hefei",
    "jinan",
    "zhengzhou",
    "changsha",
    "kunming",
    "fuzhou",
    "ningbo",
    "dongguan",
    "foshan",
    "urumqi",
    "hubei",
    "hunan",
    "henan",
    "hebei",
    "shandong",
    "fujian",
    "anhui",
    "liaoning",
    "shaanxi",
    "shanxi",
    "yunnan",
    "guangxi",
    "tokyo",
    "japan",
    "taiwan",
    "taipei",
    "korea",
    "russia",
    "moscow",
    "iran",
    "tehran",
    "dubai",
    "singapore",
    "london",
    "asia",
    "pacific",
    "global",
    "world",
    "east",
    "west",
    "north",
    "south",
];

/// Han characters that, like the words above, mostly carry class or place.
const GENERIC_HAN: &str =
    "中国美科技术电子有限公司集团研究所院大学北京上海深圳广州天津新疆省市县区";

/// A word list as a set, built the first time it is asked.
fn word_set(
    lock: &'static OnceLock<FastSet<&'static str>>,
    words: &[&'static str],
) -> &'static FastSet<&'static str> {
    lock.get_or_init(|| words.iter().copied().collect())
}

fn is_generic_word(word: &str) -> bool {
    static SET: OnceLock<FastSet<&'static str>> = OnceLock::new();
    word_set(&SET, GENERIC).contains(word)
}

fn is_legal_or_honorific(word: &str) -> bool {
    static SET: OnceLock<FastSet<&'static str>> = OnceLock::new();
    static HONORIFIC: OnceLock<FastSet<&'static str>> = OnceLock::new();
    word_set(&SET, LEGAL_FORMS).contains(word) || word_set(&HONORIFIC, HONORIFICS).contains(word)
}

/// Whether a token is low-information (a class word, a big place name, a country).
pub fn is_generic(token: &Token) -> bool {
    match token.script {
        Script::Latin => is_generic_word(&token.text),
        Script::Han => GENERIC_HAN.contains(token.text.as_str()),
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// Normalises a name into its tokens. Legal forms are dropped unless nothing else is left, so a
/// name made only of a legal form keeps them (and `distinctive` tells the caller).
pub fn tokenize(name: &str) -> Vec<Token> {
    let folded = fold(name);
    super::work::count(|w| w.normalised_chars += folded.chars().count() as u64);
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
    if tokens.is_empty() {
        legal
    } else {
        tokens
    }
}

/// Whether a token is a legal form (Co., Ltd., 有限公司 ...): such tokens only survive
/// `tokenize` when a name has nothing else.
pub fn is_legal_form(token: &Token) -> bool {
    match token.script {
        Script::Latin => is_legal_or_honorific(&token.text),
        Script::Han => HAN_LEGAL_SUFFIXES
            .iter()
            .any(|s| s.contains(token.text.as_str())),
    }
}

/// Whether the name has any token that is neither a legal form nor generic.
pub fn distinctive(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| !is_generic(t) && !is_legal_form(t))
}

/// NFKC, traditional Chinese folded to simplified (many-to-one, so safe in this direction),
/// lower case, diacritics removed, apostrophes removed, and every other non-alphanumeric
/// character (punctuation, middle dots, dashes, brackets) turned into a space.
fn fold(name: &str) -> String {
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
        if c.is_alphanumeric() {
            out.push(c);
        } else {
            out.push(' ');
        }
    }
    out.nfc().collect()
}

/// Characters that are invisible by definition (Unicode's Default_Ignorable_Code_Point):
/// zero-width spaces and joiners, Hangul fillers, variation selectors, the soft hyphen, bidi
/// controls, tags. They are dropped, so a name made of them is empty and "Hua\u{200B}wei" is
/// "Huawei".
fn is_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

/// Characters of a name after normalisation (NFKC can make one character several: `㌀` is
/// four letters), the length that limits are set on.
pub fn normalised_chars(name: &str) -> usize {
    fold(name).chars().count()
}

enum Run {
    Latin(String),
    Han(String),
}

/// Splits folded text into runs of Han characters and runs of everything else.
fn split_runs(folded: &str) -> Vec<Run> {
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

/// One token per Han character, except that an ordinal written 第 + Chinese numerals
/// (第五十五研究所) becomes its number, as "No. 55" and "55th" do in Latin script.
fn han_tokens(run: &str, segment: u16, tokens: &mut Vec<Token>) {
    let chars: Vec<char> = run.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '第' {
            let digits: String = chars[i + 1..]
                .iter()
                .take_while(|c| chinese_digit(**c).is_some() || matches!(c, '十' | '百'))
                .collect();
            if let Some(value) = chinese_number(&digits) {
                tokens.push(Token::new(value.to_string(), Script::Latin, segment));
                i += 1 + digits.chars().count();
                continue;
            }
        }
        tokens.push(Token::new(chars[i].to_string(), Script::Han, segment));
        i += 1;
    }
}

fn chinese_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .or_else(|| (c == '零').then_some(0))
        .map(|p| p as u32)
}

/// Reads 五十五 (55), 十三 (13), 七〇二 (702); `None` if empty or not a number.
fn chinese_number(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    if !text.contains(['十', '百']) {
        return text
            .chars()
            .try_fold(0u32, |acc, c| Some(acc * 10 + chinese_digit(c)?));
    }
    let (mut total, mut current) = (0, 0);
    for c in text.chars() {
        match c {
            '十' => {
                total += current.max(1) * 10;
                current = 0;
            }
            '百' => {
                total += current * 100;
                current = 0;
            }
            d => current = chinese_digit(d)?,
        }
    }
    Some(total + current)
}

fn strip_han_legal(run: &str) -> &str {
    let mut rest = run;
    while let Some(suffix) = HAN_LEGAL_SUFFIXES.iter().find(|s| rest.ends_with(*s)) {
        rest = &rest[..rest.len() - suffix.len()];
    }
    rest
}

fn latin_tokens(words: &str, segment: &mut u16, tokens: &mut Vec<Token>, legal: &mut Vec<Token>) {
    let words = merge_dotted_legal_forms(words.split_whitespace().collect());
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        let here = *segment;
        *segment = segment.saturating_add(1);
        // "Joint Stock" (Company) is a legal form in two words.
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
        let mut text = ABBREVIATIONS
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

/// Titles and post-nominals that are no part of a person's name (Mr, Dr, JP, GBS ...).
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "madam",
    "hon",
    "honorable",
    "honourable",
    "jp",
    "gbs",
    "sbs",
    "bbs",
    "gbm",
    "obe",
    "cbe",
    "mbe",
    "phd",
];

const UNITS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const UNIT_ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];
const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const TENS_ORDINALS: &[&str] = &[
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];

fn tens_word(word: &str) -> Option<u32> {
    TENS.iter()
        .position(|w| *w == word)
        .or_else(|| TENS_ORDINALS.iter().position(|w| *w == word))
        .map(|p| (p as u32 + 2) * 10)
}

fn unit_word(word: &str) -> Option<u32> {
    UNITS
        .iter()
        .position(|w| *w == word)
        .or_else(|| UNIT_ORDINALS.iter().position(|w| *w == word))
        .map(|p| p as u32 + 1)
}

/// Joins runs of single letters that spell a legal form once their dots are gone
/// ("L.L.C." → llc, "G.m.b.H." → gmbh, "s.r.o." → sro). Other single letters stay apart:
/// they are initials.
fn merge_dotted_legal_forms(words: Vec<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let run = words[i..]
            .iter()
            .take_while(|w| w.chars().count() == 1)
            .count();
        let merged = (2..=run).rev().find_map(|len| {
            let joined: String = words[i..i + len].concat();
            LEGAL_FORMS
                .contains(&joined.as_str())
                .then_some((joined, len))
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

fn strip_ordinal(word: &str) -> Option<String> {
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

/// Chinese words that English renderings translate rather than romanise, with the English
/// word they become (already in normalised form). Applied longest first to Han runs before the
/// remaining characters are romanised. Place words (县, 市, 省) drop out: English names often
/// omit them.
const GLOSSARY: &[(&str, &str)] = &[
    ("研究中心", "research center"),
    ("云计算", "cloud computing"),
    ("高科技", "high technology"),
    ("计算机", "computer"),
    ("生物科技", "biotechnology"),
    ("服务", "services"),
    ("终端", "terminal"),
    ("商务", "commercial"),
    ("培训", "training"),
    ("学校", "school"),
    ("新区", "new district"),
    ("物流", "logistics"),
    ("鞋业", "shoes"),
    ("铜业", "copper"),
    ("产业", "industry"),
    ("毛纺织", "wool textiles"),
    ("毛纺", "wool"),
    ("新技术", "new technology"),
    ("新材料", "new material"),
    ("激光", "laser"),
    ("研究所", "institute"),
    ("研究院", "institute"),
    ("新能源", "new energy"),
    ("半导体", "semiconductor"),
    ("公安局", "public security bureau"),
    ("公安厅", "public security department"),
    ("哈尔滨", "harbin"),
    ("电子", "electronics"),
    ("科技", "technology"),
    ("技术", "technology"),
    ("信息", "information"),
    ("通信", "communication"),
    ("通讯", "communication"),
    ("网络", "network"),
    ("软件", "software"),
    ("数字", "digital"),
    ("智能", "intelligent"),
    ("电气", "electric"),
    ("设备", "equipment"),
    ("工业", "industry"),
    ("实业", "industry"),
    ("贸易", "trading"),
    ("国际", "international"),
    ("发展", "development"),
    ("控股", "holdings"),
    ("投资", "investment"),
    ("集团", "group"),
    ("大学", "university"),
    ("学院", "institute"),
    ("中国", "china"),
    ("美国", "us"),
    ("航空", "aviation"),
    ("航天", "aerospace"),
    ("光电", "optoelectronics"),
    ("材料", "material"),
    ("机械", "machinery"),
    ("仪器", "instruments"),
    ("系统", "systems"),
    ("防务", "defense"),
    ("导弹", "missile"),
    ("工程", "engineering"),
    ("纺织", "textiles"),
    ("纺", "textiles"),
    ("能源", "energy"),
    ("北京", "beijing"),
    ("上海", "shanghai"),
    ("深圳", "shenzhen"),
    ("广州", "guangzhou"),
    ("天津", "tianjin"),
    ("重庆", "chongqing"),
    ("杭州", "hangzhou"),
    ("武汉", "wuhan"),
    ("成都", "chengdu"),
    ("南京", "nanjing"),
    ("西安", "xian"),
    ("新疆", "xinjiang"),
    ("广东", "guangdong"),
    ("浙江", "zhejiang"),
    ("江苏", "jiangsu"),
    ("四川", "sichuan"),
    ("香港", "hong kong"),
    ("东京", "tokyo"),
    ("日本", "japan"),
    ("台湾", "taiwan"),
    ("台北", "taipei"),
    ("基金会", "foundation"),
    ("民主", "democracy"),
    ("县", ""),
    ("市", ""),
    ("省", ""),
];

/// Spellings of the same Chinese surname or syllable in pinyin, Wade–Giles, Cantonese/HK
/// and Taiwanese usage. Romanisation is lossy both ways, so these are equivalent candidates
/// scored a little below an exact match, never folded into one.
const ROMANISATIONS: &[&[&str]] = &[
    &["xu", "hsu", "hui", "tsui"],
    &["zhang", "chang", "cheung"],
    &["lin", "lam"],
    &["deng", "tang"],
    &["zheng", "cheng", "chen"],
    &["zeng", "tsang"],
    &["chen", "chan"],
    &["xiao", "hsiao", "siu"],
    &["li", "lee", "lei"],
    &["zhou", "chou", "chow"],
    &["huang", "wong"],
    &["wang", "wong"],
    &["liu", "lau"],
    &["he", "ho"],
    &["guo", "kuo", "kwok"],
    &["zhao", "chao", "chiu"],
    &["yang", "yeung"],
    &["lu", "lo", "lui"],
    &["ye", "yip", "yeh"],
    &["liang", "leung"],
    &["cai", "tsai", "choi"],
    &["jiang", "chiang", "keung"],
    &["xie", "hsieh", "tse"],
    &["zhu", "chu", "chue"],
    &["wu", "ng"],
    &["jia", "chia"],
    &["qiu", "chiu", "yau"],
    &["song", "sung"],
    &["xi", "hsi"],
    &["zhong", "chung"],
];

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
            .chain(ROMANISATIONS.iter().flat_map(|g| g.iter().copied()))
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
            for group in ROMANISATIONS.iter().filter(|g| g.contains(&word)) {
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

/// Chinese words read as Latin words: the curated brand table (中兴 → zte) and the glossary
/// (电子 → electronics), longest first so that 中兴通讯 wins over 中兴.
/// Han words with their Latin words, longest first, and by first character (in that order)
/// for looking up the words a text starts with.
struct HanWords {
    list: Vec<(String, Vec<String>)>,
    by_first: FastMap<char, Vec<usize>>,
}

impl HanWords {
    fn new(mut list: Vec<(String, Vec<String>)>) -> HanWords {
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

fn han_words() -> &'static HanWords {
    static WORDS: OnceLock<HanWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut words: Vec<(String, Vec<String>)> = Vec::new();
        let mut seen = FastSet::default();
        let brands = tables::brands()
            .iter()
            .map(|&(zh, latin)| (zh, latin, true));
        let glossary = GLOSSARY.iter().map(|&(zh, en)| (zh, en, false));
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
fn glossary_words() -> &'static HanWords {
    static WORDS: OnceLock<HanWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        HanWords::new(
            GLOSSARY
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
fn glossary_pinyin() -> &'static FastMap<String, &'static str> {
    static MAP: OnceLock<FastMap<String, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        GLOSSARY
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
fn latin_words<'a>(
    english: impl IntoIterator<Item = &'a str> + 'a,
    segment: u16,
) -> impl Iterator<Item = Token> + 'a {
    english
        .into_iter()
        .flat_map(str::split_whitespace)
        .map(move |w| Token::new(w, Script::Latin, segment))
}

/// Whether a word is one toneless pinyin syllable.
pub fn is_syllable(word: &str) -> bool {
    syllables().contains(word)
}

/// Every toneless pinyin syllable, read once from the pinyin tables.
fn syllables() -> &'static FastSet<&'static str> {
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

/// Consecutive Han tokens of one segment, with the range they span.
fn han_runs(tokens: &[Token]) -> Vec<(usize, usize)> {
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

fn romanize_with(tokens: &[Token], brands: bool) -> Option<Vec<Token>> {
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
fn han_form(
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
fn translate(
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
fn sound_class(syllable: &str) -> String {
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
fn split_syllables(word: &str) -> Option<Vec<String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        let got: Vec<String> = tokenize(input).into_iter().map(|t| t.text).collect();
        assert_eq!(got.join(" "), expected, "{input}");
    }

    #[test]
    fn normalises_names() {
        check("Huawei Technologies Co., Ltd.", "huawei technology");
        check("HUAWEI TECH. CO LTD", "huawei technology");
        check("华为技术有限公司", "华 为 技 术");
        check("華為技術有限公司", "华 为 技 术");
        check("陳全國", "陈 全 国");
        check(
            "中国电子科技集团公司第五十五研究所",
            "中 国 电 子 科 技 集 团 公 司 55 研 究 所",
        );
        check("第十三研究所", "13 研 究 所");
        check("洛克希德•马丁公司", "洛 克 希 德 马 丁");
        check("洛克希德·马丁公司", "洛 克 希 德 马 丁");
        check("Ｈｕａｗｅｉ（Shenzhen）", "huawei shenzhen");
        check("XU, Edmund", "xu edmund");
        check("Société Générale S.A.", "societe generale");
        check("CETC 28th Research Institute", "cetc 28 research institute");
        check(
            "China Electronics Technology Group Corporation No. 28 Institute",
            "china electronics technology group 28 institute",
        );
        check("Xi'an Jiaotong University", "xian jiaotong university");
        check("Co., Ltd.", "co ltd");
        check("有限公司", "有 限 公 司");
        check("Lockheed-Martin Corp.", "lockheed martin");
        check("Clear Align, L.L.C.", "clear align");
        check("John K. C. Lee", "john k c lee");
        check("Sindlhauser Materials G.m.b.H.", "sindlhauser material");
        check("", "");
    }

    fn forms(input: &str) -> String {
        let tokens = tokenize(input);
        let form = romanize(&tokens)
            .or_else(|| syllabify(&tokens))
            .unwrap_or_default();
        form.into_iter()
            .map(|t| t.text)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn cross_script_forms() {
        assert_eq!(forms("华为技术有限公司"), "hua wei technology");
        assert_eq!(forms("Huawei Technologies Co., Ltd."), "hua wei technology");
        assert_eq!(
            forms("洛浦县海视鼎鑫电子科技有限公司"),
            "luo pu hai shi ding xin electronics technology"
        );
        assert_eq!(
            forms("Luopu Haishi Dingxin Electronic Technology Co., Ltd."),
            "luo pu hai shi ding xin electronics technology"
        );
        assert_eq!(forms("陳全國"), "chen quan guo");
        assert_eq!(forms("CHEN, Quanguo"), "chen quan guo");
        assert_eq!(forms("Lockheed Martin"), "lockheed martin");
        assert_eq!(forms("Beijing Xian"), "beijing xian");
        assert_eq!(forms("Sichuan Daxue"), "sichuan university");
        assert_eq!(forms("四川大学"), "sichuan university");
    }

    #[test]
    fn generic_words() {
        assert!(!distinctive(&tokenize("China Technology Group Co., Ltd.")));
        assert!(distinctive(&tokenize("Huawei Technologies Co., Ltd.")));
    }
}
