//! Country names as US and other sanctions files write them (OFAC, the trade.gov Consolidated
//! Screening List, the BIS Entity List, OpenSanctions), mapped to ISO 3166-1 alpha-2 codes.
//! The names are a table, `src/core/tables/countries.tsv`.

use crate::core::tables;
use std::sync::OnceLock;

/// ISO 3166-1 alpha-2 code for a country name or code as US and other sanctions files write it; None if unknown.
///
/// Case, surrounding whitespace, repeated spaces, a trailing `.`, common Latin accents and curly
/// apostrophes are ignored, `&` reads as `and`, and OFAC's `Region: ` prefix is dropped.
/// A two-letter input is accepted as a code when it is assigned (plus `XK`, Kosovo).
pub fn iso2(name: &str) -> Option<&'static str> {
    let key = normalize(name);
    let key = key
        .strip_prefix("region:")
        .map_or(key.as_str(), str::trim_start);
    let names = names();
    if let Ok(i) = names.binary_search_by(|(k, _)| (*k).cmp(key)) {
        return Some(names[i].1);
    }
    let &[a, b] = key.as_bytes() else {
        return None;
    };
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    CODES
        .binary_search_by(|c| c.as_bytes().cmp(&code[..]))
        .ok()
        .map(|i| CODES[i])
}

/// Lower-cases and folds `name` into the form the keys of [`names`] are written in.
fn normalize(name: &str) -> String {
    let s = name.trim();
    let s = s.strip_suffix('.').unwrap_or(s).trim_end();
    let mut out = String::with_capacity(s.len() + 4);
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c == '&' {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            space = true;
        } else if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(fold(c));
        }
    }
    out
}

/// Drops the accent from a lower-case Latin letter and straightens apostrophes.
fn fold(c: char) -> char {
    match c {
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        '\u{2018}' | '\u{2019}' | '`' | '´' => '\'',
        c => c,
    }
}

/// Assigned ISO 3166-1 alpha-2 codes, plus XK (Kosovo, user-assigned but used by OFAC and the
/// EU). Sorted.
const CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
];

/// Normalized name (see [`normalize`]) to code, sorted by name: `tables/countries.tsv`.
fn names() -> &'static [(&'static str, &'static str)] {
    static NAMES: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = tables::countries().to_vec();
        names.sort_unstable();
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_sanctions_files() {
        let cases = [
            ("China", "CN"),
            ("CHINA, PEOPLE'S REPUBLIC OF", "CN"),
            ("People's Republic of China", "CN"),
            ("PRC", "CN"),
            ("Hong Kong SAR", "HK"),
            ("Macau", "MO"),
            ("Macao", "MO"),
            ("Taiwan", "TW"),
            ("Korea, North", "KP"),
            ("Korea, Democratic People's Republic of", "KP"),
            ("Korea, South", "KR"),
            ("Burma", "MM"),
            ("Russian Federation", "RU"),
            ("Iran, Islamic Republic of", "IR"),
            ("Congo, Democratic Republic of the", "CD"),
            ("Congo, Republic of the", "CG"),
            ("Cote d Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Ivory Coast", "CI"),
            ("Türkiye", "TR"),
            ("Great Britain", "GB"),
            ("U.S.", "US"),
            ("UAE", "AE"),
            ("Viet Nam", "VN"),
            ("North Macedonia, The Republic of", "MK"),
            ("Palestinian", "PS"),
            ("Kosovo", "XK"),
            ("Crimea Region of Ukraine", "UA"),
            ("Region: Gaza", "PS"),
            ("Region: Northern Mali", "ML"),
            ("Bosnia & Herzegovina", "BA"),
            ("Curaçao", "CW"),
            ("St. Kitts and Nevis", "KN"),
            ("Virgin Islands, British", "VG"),
            ("Virgin Islands, U.S.", "VI"),
            ("Man, Isle of", "IM"),
            ("Bahamas, The", "BS"),
            ("Netherlands Antilles", "CW"),
            ("Serbia and Montenegro", "RS"),
            ("USSR", "RU"),
        ];
        for (name, code) in cases {
            assert_eq!(iso2(name), Some(code), "{name}");
        }
    }

    #[test]
    fn codes_case_and_whitespace() {
        assert_eq!(iso2("cn"), Some("CN"));
        assert_eq!(iso2(" Tw "), Some("TW"));
        assert_eq!(iso2("xk"), Some("XK"));
        assert_eq!(iso2("UK"), Some("GB"));
        assert_eq!(iso2("  united   KINGDOM. "), Some("GB"));
        assert_eq!(iso2("\tBosnia&Herzegovina\n"), Some("BA"));
        assert_eq!(iso2("region:   west bank"), Some("PS"));
    }

    #[test]
    fn unknown_is_none() {
        for name in [
            "",
            ".",
            "-0-",
            "Undetermined",
            "Region: Commonwealth of Independent States",
            "Atlantis",
            "Korea",
            "EU",
            "AN",
            "ZZ",
            "C",
            "CHN",
            "china town",
        ] {
            assert_eq!(iso2(name), None, "{name}");
        }
    }

    #[test]
    fn tables_sorted_unique_and_normalized() {
        assert!(names().len() > 400);
        for w in names().windows(2) {
            assert!(w[0].0 < w[1].0, "{:?} before {:?}", w[0].0, w[1].0);
        }
        for w in CODES.windows(2) {
            assert!(w[0] < w[1], "{} before {}", w[0], w[1]);
        }
        for (name, code) in names() {
            assert_eq!(normalize(name), *name, "key not normalized");
            assert!(
                CODES.binary_search(code).is_ok(),
                "{name}: {code} not in CODES"
            );
            if name.len() == 2 {
                assert!(
                    CODES.binary_search(&&*name.to_uppercase()).is_err(),
                    "{name} shadows a code"
                );
            }
        }
        for code in CODES {
            assert!(names().iter().any(|(_, c)| c == code), "no name for {code}");
        }
    }
}
