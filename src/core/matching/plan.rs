//! The forms of one query, planned once from `text/` and handed down: as typed, romanised
//! (with pinyin syllables joined where the vocabulary has the word), by sound, in outline,
//! split into syllables, read as a brand, and with words split or joined as the vocabulary
//! says; and what the query as a whole is like (`QueryTraits`).

use super::*;

/// Every form one query is searched in (the query as typed first), and its traits.
pub(super) struct QueryPlan {
    pub(super) forms: Vec<(QueryForm, Vec<Token>)>,
    pub(super) traits: QueryTraits,
}

impl Index {
    /// `None` when the query can match nothing: empty, legal forms only, or one Chinese
    /// character.
    /// The vocabulary consulted is the resolver's: every index the search spans.
    pub(super) fn plan(name: &str, resolver: &mut Resolver) -> Option<QueryPlan> {
        let tokens = text::tokenize(name);
        if tokens.is_empty() || tokens.iter().all(text::is_legal_form) {
            return None; // a legal form never matches on its own
        }
        if tokens.len() == 1 && tokens[0].script == Script::Han {
            return None; // one Chinese character is never a name on its own
        }
        let mut forms: Vec<(QueryForm, Vec<Token>)> = Vec::with_capacity(4);
        if let Some(roman) = text::romanize(&tokens) {
            let pinyin = text::romanize_pinyin(&tokens).filter(|p| *p != roman);
            // Latin names spell pinyin syllables as words (华为 → hua wei → Huawei): the
            // romanised forms are also read with syllables joined where the vocabulary has
            // the word.
            for form in std::iter::once(roman).chain(pinyin) {
                if let Some(joined) = Self::join_syllables(&form, resolver) {
                    forms.push((QueryForm::Roman, joined));
                }
                forms.push((QueryForm::Roman, form));
            }
            if let Some(sounds) = text::phonetic(&tokens) {
                forms.push((QueryForm::Phonetic, sounds));
            }
            if let Some(outline) = text::han_outline(&tokens) {
                forms.push((QueryForm::Outline, outline));
            }
        } else {
            let syllables = text::syllabify(&tokens).unwrap_or_else(|| tokens.clone());
            if let Some(brand) = text::pinyin_brands(&syllables) {
                forms.push((QueryForm::Brand, brand));
            }
            forms.push((QueryForm::Syllable, syllables));
        }
        // Joins of split pinyin alone, beside every join: "Bei Jing RSLaser Opto Electronics"
        // is beijing … opto electronics for a party whose name keeps "Opto-Electronics" apart,
        // though the vocabulary also has optoelectronics.
        let rejoined = Self::rejoin(&tokens, resolver, false);
        if let Some(pinyin) = Self::rejoin(&tokens, resolver, true) {
            let texts = |t: &[Token]| t.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
            if rejoined.as_deref().map(texts) != Some(texts(&pinyin)) {
                forms.push((QueryForm::Plain, pinyin));
            }
        }
        if let Some(rejoined) = rejoined {
            forms.push((QueryForm::Plain, rejoined));
        }
        // Single letters joined (A.C. International ~ AC International), beside them apart
        // (initials).
        if let Some(joined) = text::join_letter_runs(&tokens) {
            forms.push((QueryForm::Plain, joined));
        }
        // A Chinese query whose translation is generic words only (东京大学 → tokyo
        // university) is judged as generic in every form, characters included.
        let generic = forms
            .iter()
            .any(|(form, tokens)| *form == QueryForm::Roman && tokens.iter().all(text::is_generic));
        // One short word: see `Penalty::ShortPartial`.
        let short = tokens.len() == 1
            && tokens[0].script == Script::Latin
            && tokens[0].text.chars().count() <= SHORT_WORD;
        // Two Chinese characters (通用, 罗斯): see `Penalty::ShortPartial`.
        let short_han = tokens.len() <= 2 && tokens.iter().all(|t| t.script == Script::Han);
        // Chinese syllables only, each a word or the given name's two joined (Xu Xiang Bin,
        // Wang Weichao; not Zhu Jiejin Anna): a Chinese personal name.
        let chinese_style = chinese_style(&tokens)
            && tokens
                .iter()
                .filter(|t| !text::chinese_syllable_word(&t.text))
                .count()
                <= 1;
        // A derived form longer than the candidate stage counts (words split into syllables or
        // parts) would read every postings list it touches and score every name in them: such
        // forms are not searched. Only queries near the service's word limit have them (no
        // real listed name does); the query as typed is always searched.
        forms.retain(|(_, tokens)| tokens.len() <= TOKEN_BITS);
        forms.insert(0, (QueryForm::Plain, tokens));
        work::count(|w| w.forms += forms.len() as u64);
        Some(QueryPlan {
            forms,
            traits: QueryTraits {
                short,
                short_han,
                generic,
                chinese_style,
            },
        })
    }

    /// Consecutive pinyin syllables of one name part joined into the longest word the
    /// vocabulary has (hua wei → huawei, chen quan guo → chen quanguo). `None` when nothing
    /// joins.
    pub(super) fn join_syllables(tokens: &[Token], resolver: &Resolver) -> Option<Vec<Token>> {
        let syllable = |t: &Token| t.script == Script::Latin && text::is_syllable(&t.text);
        let mut out = Vec::with_capacity(tokens.len());
        let mut changed = false;
        let mut i = 0;
        let mut joined = String::new();
        while i < tokens.len() {
            let join = (2..=4).rev().find_map(|len| {
                let run = tokens.get(i..i + len)?;
                if !run.iter().all(syllable) || run.iter().any(|t| t.segment != run[0].segment) {
                    return None;
                }
                joined.clear();
                run.iter().for_each(|t| joined.push_str(&t.text));
                resolver
                    .knows(joined.as_str())
                    .then(|| (joined.clone(), len))
            });
            match join {
                Some((joined, len)) => {
                    out.push(Token::new(joined, Script::Latin, tokens[i].segment));
                    changed = true;
                    i += len;
                }
                None => {
                    out.push(tokens[i].clone());
                    i += 1;
                }
            }
        }
        changed.then_some(out)
    }

    /// The query with words split or joined where the vocabulary says so: "Sky Dio" →
    /// skydio, "Jing Wei Da" → jingweida, "ACT 1" → act1, "LockheedMartin" → lockheed
    /// martin, and split pinyin with a typing error joined ("Xin Jian" → xinjian, near
    /// xinjiang). With `pinyin_only`, only runs holding a pinyin syllable are joined (Shen
    /// Zhen, not Opto Electronics) and no word is split. `None` when nothing changes.
    pub(super) fn rejoin(
        tokens: &[Token],
        resolver: &mut Resolver,
        pinyin_only: bool,
    ) -> Option<Vec<Token>> {
        let latin = |t: &Token| t.script == Script::Latin;
        let all_syllables = tokens.iter().all(|t| text::is_syllable(&t.text));
        let mut out: Vec<Token> = Vec::with_capacity(tokens.len() + 1);
        let mut changed = false;
        let mut i = 0;
        while i < tokens.len() {
            let token = &tokens[i];
            // The run of `len` words from here, joined, if they are Latin words.
            let run = |len: usize| -> Option<(&[Token], String)> {
                let run = tokens.get(i..i + len)?;
                if !run.iter().all(latin) || token.is_numeric() {
                    return None;
                }
                if pinyin_only && !run.iter().any(|t| text::is_syllable(&t.text)) {
                    return None;
                }
                Some((run, run.iter().map(|t| t.text.as_str()).collect()))
            };
            // Split pinyin with a typing error (Xin Jian → xinjiang, Si Chuam → sichuan):
            // short pieces, one a syllable, joined into a word near one the vocabulary has,
            // of about the joined length (Center Wu is not near center: one more letter is a
            // typing error, two are another word); not in a query of syllables only, a
            // personal name, whose syllables are names each (Lu Liang is not Quliang).
            let split_pinyin = |run: &[Token], joined: &str, resolver: &mut Resolver| {
                let chars = joined.chars().count();
                !all_syllables
                    && chars >= 6
                    && run.iter().any(|t| text::is_syllable(&t.text))
                    && run.iter().all(|t| {
                        t.text.chars().count() <= 6 && t.text.chars().all(char::is_alphabetic)
                    })
                    && resolver.near_word(
                        &Token::new(joined.to_string(), Script::Latin, token.segment),
                        FUZZY_MIN,
                        chars - 1,
                    )
            };
            // A word the vocabulary has, of any length, before a near one: "Shen Zhen DJI" is
            // shenzhen dji, not a three-word run near something.
            let join = (2..=3)
                .rev()
                .find_map(|len| run(len).filter(|(_, joined)| resolver.knows(joined)))
                .or_else(|| {
                    (2..=3).rev().find_map(|len| {
                        run(len).filter(|(run, joined)| split_pinyin(run, joined, resolver))
                    })
                })
                .map(|(run, joined)| (joined, run.len()));
            if let Some((joined, len)) = join {
                out.push(Token::new(joined, Script::Latin, token.segment));
                changed = true;
                i += len;
                continue;
            }
            // A word the vocabulary has, or one a slip away from one (ircraft), is not split
            // (ShieldAI still is: shield is two letters away). Joining pinyin only, nothing is
            // split: "Shen Zhen Net Viion" is also read as shenzhen net viion, a slip of
            // vision, beside shenzhen net vii on.
            let split = (!pinyin_only
                && latin(token)
                && !token.is_numeric()
                && token.text.len() >= 5
                && !resolver.near_word(token, 0.9, 0))
            .then(|| {
                (2..=token.text.len() - 2)
                    .filter(|&at| token.text.is_char_boundary(at))
                    .map(|at| token.text.split_at(at))
                    .find(|(a, b)| resolver.knows(a) && resolver.knows(b))
            })
            .flatten();
            match split {
                Some((a, b)) => {
                    out.push(Token::new(a, Script::Latin, token.segment));
                    out.push(Token::new(b, Script::Latin, token.segment));
                    changed = true;
                }
                None => out.push(token.clone()),
            }
            i += 1;
        }
        changed.then_some(out)
    }
}
