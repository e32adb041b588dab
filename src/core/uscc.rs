//! The Unified Social Credit Code (统一社会信用代码, GB 32100-2015): 18 characters from
//! 0-9 and A-Z without I, O, Z, S, V; the last one a check character over the first 17.

const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Upper-cases and strips spaces and hyphens, as identifiers are written with both.
pub fn normalize(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether a normalised code has the right length and alphabet.
pub fn well_formed(code: &str) -> bool {
    code.len() == 18 && code.bytes().all(|b| ALPHABET.contains(&b))
}

/// Whether the check character verifies. `None` if the code is not well formed.
///
/// A failed check does not make a code unusable: early pilot-region codes are legal and fail
/// it, so callers flag rather than reject.
pub fn check(code: &str) -> Option<bool> {
    if !well_formed(code) {
        return None;
    }
    let value = |b: u8| ALPHABET.iter().position(|&a| a == b).unwrap_or(0) as u32;
    let bytes = code.as_bytes();
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| value(b) * w)
        .sum();
    let expected = (31 - sum % 31) % 31;
    Some(value(bytes[17]) == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_code(raw: &str, expected: Option<bool>) {
        assert_eq!(check(&normalize(raw)), expected, "{raw}");
    }

    #[test]
    fn check_characters() {
        check_code("91330000733796106P", Some(true)); // Hikvision, worked in DOMAIN.md
        check_code("914403001922038216", Some(true)); // Huawei
        check_code("9144030010001694XX", Some(true)); // CGN
        check_code("91110000MA005UCQ5P", Some(true)); // AECC
        check_code("9133-0000 733796106p", Some(true));
        check_code("91330000733796106Q", Some(false));
        check_code("91350100M0001TGQXM", Some(false)); // pilot-region code: legal, fails
        check_code("9133000073379610", None);
        check_code("91330000733796106I", None);
    }
}
