//! Han runs: split into characters, Chinese numbers, legal suffixes dropped.

use super::*;

/// One token per Han character, except that an ordinal written 第 + Chinese numerals
/// (第五十五研究所) becomes its number, as "No. 55" and "55th" do in Latin script.
pub(super) fn han_tokens(run: &str, segment: u16, tokens: &mut Vec<Token>) {
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

pub(super) fn chinese_digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .or_else(|| (c == '零').then_some(0))
        .map(|p| p as u32)
}

/// Reads 五十五 (55), 十三 (13), 七〇二 (702); `None` if empty or not a number.
pub(super) fn chinese_number(text: &str) -> Option<u32> {
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

pub(super) fn strip_han_legal(run: &str) -> &str {
    let mut rest = run;
    while let Some(suffix) = han_legal_suffixes().iter().find(|s| rest.ends_with(*s)) {
        rest = &rest[..rest.len() - suffix.len()];
    }
    rest
}
