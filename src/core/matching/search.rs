//! The public face of the index: `Query` in, `Hit`s out. Plans the forms of one query
//! (as typed, romanised, syllables, brand, sound, outline), searches each, and ranks.

use super::*;

/// One piece of evidence behind a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: &'static str,
    pub value: f64,
    pub weight: f64,
}

/// One matched entity.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entity: Arc<Entity>,
    pub score: f64,
    pub matched_name: String,
    pub matched_kind: NameKind,
    pub features: Vec<Feature>,
    /// Other hits of the same answer that are the same party on another list: the same
    /// normalised primary name, or a shared identifier.
    pub same_party: Vec<String>,
}

/// What to search for and how.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    pub name: &'a str,
    pub entity_type: Option<EntityType>,
    pub countries: &'a [String],
    /// Only entities on these lists; `None` means every list.
    pub lists: Option<&'a HashSet<String>>,
    pub threshold: f64,
    pub limit: usize,
}

impl Index {
    /// Screens one name. Returns at most `query.limit` entities scoring at least
    /// `query.threshold`, best first.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Indexed)
    }

    /// The same search with no candidate stage: every vocabulary token is compared with every
    /// query token and every name is scored. The baseline for tests and benchmarks; slow.
    pub fn search_exhaustive(&self, query: &Query) -> Vec<Hit> {
        self.run(query, Mode::Exhaustive)
    }

    pub(super) fn run(&self, query: &Query, mode: Mode) -> Vec<Hit> {
        let tokens = text::tokenize(query.name);
        if tokens.is_empty() || tokens.iter().all(text::is_legal_form) {
            return Vec::new(); // a legal form never matches on its own
        }
        if tokens.len() == 1 && tokens[0].script == Script::Han {
            return Vec::new(); // one Chinese character is never a name on its own
        }
        let mut forms: Vec<(QueryForm, Vec<Token>)> = Vec::with_capacity(4);
        if let Some(roman) = text::romanize(&tokens) {
            let pinyin = text::romanize_pinyin(&tokens).filter(|p| *p != roman);
            // Latin names spell pinyin syllables as words (华为 → hua wei → Huawei): the
            // romanised forms are also read with syllables joined where the vocabulary has
            // the word.
            for form in std::iter::once(roman).chain(pinyin) {
                if let Some(joined) = self.join_syllables(&form) {
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
        if let Some(rejoined) = self.rejoin(&tokens) {
            forms.push((QueryForm::Plain, rejoined));
        }
        // A Chinese query whose translation is generic words only (东京大学 → tokyo
        // university) is judged as generic in every form, characters included.
        let generic = forms
            .iter()
            .any(|(form, tokens)| *form == QueryForm::Roman && tokens.iter().all(text::is_generic));
        // One short word: see `Penalty::ShortPartial`.
        let short = tokens.len() == 1
            && tokens[0].script == Script::Latin
            && tokens[0].text.chars().count() <= 4;
        // Two Chinese characters (通用, 罗斯): see `Penalty::ShortPartial`.
        let short_han = tokens.len() <= 2 && tokens.iter().all(|t| t.script == Script::Han);
        // A derived form longer than the candidate stage counts (words split into syllables or
        // parts) would read every postings list it touches and score every name in them: such
        // forms are not searched. Only queries near the service's word limit have them (no
        // real listed name does); the query as typed is always searched.
        forms.retain(|(_, tokens)| tokens.len() <= TOKEN_BITS);
        forms.insert(0, (QueryForm::Plain, tokens));
        work::count(|w| w.forms += forms.len() as u64);

        let mut best: HashMap<u32, Hit> = HashMap::new();
        self.search_identifier(query, &mut best);
        // The forms mostly share tokens: resolve each distinct token once.
        let mut cache: FastMap<&str, Arc<Resolved>> = FastMap::default();
        for (form, tokens) in &forms {
            let resolved: Vec<QueryToken> = tokens
                .iter()
                .map(|t| QueryToken {
                    resolved: Arc::clone(
                        cache
                            .entry(t.text.as_str())
                            .or_insert_with(|| Arc::new(self.resolve(t, mode))),
                    ),
                    segment: t.segment,
                })
                .collect();
            let traits = QueryTraits {
                short,
                short_han,
                generic,
            };
            self.search_form(query, *form, &resolved, mode, traits, &mut best);
        }
        self.rank(query, best)
    }

    /// Scores the names one form of the query compares with, keeping each entity's best.
    pub(super) fn search_form(
        &self,
        query: &Query,
        form: QueryForm,
        resolved: &[QueryToken],
        mode: Mode,
        traits: QueryTraits,
        best: &mut HashMap<u32, Hit>,
    ) {
        if resolved.is_empty() {
            return;
        }
        let any_distinctive = !traits.generic && resolved.iter().any(|t| !t.generic);
        let matches = QueryMatches::new(resolved);
        let mut scratch = Scratch::default();
        let factor = form.factor().map_or(1.0, |(_, f)| f);
        let (candidates, ceiling) = match mode {
            Mode::Indexed => {
                let ceiling = Ceiling::new(resolved, any_distinctive, factor);
                let candidates = self.candidates(
                    resolved,
                    form,
                    query.threshold,
                    any_distinctive,
                    &matches,
                    ceiling.as_ref(),
                );
                (candidates, ceiling)
            }
            Mode::Exhaustive => ((0..self.names.len() as u32).map(|n| (n, 0)).collect(), None),
        };
        // The names this form compares with, and their shapes, read in a loop of nothing
        // else so that the reads overlap.
        let names: Vec<(&IndexedName, u64, u64)> = candidates
            .into_iter()
            .filter_map(|(name_id, held)| {
                let name = &self.names[name_id as usize];
                // A surname-only rendering stands in for a Latin name the entity also has: a
                // Latin query is judged against that, where its given name can be checked.
                let compared = form.compares_with(name.form)
                    && !(name.surname_only && form == QueryForm::Syllable);
                compared.then(|| (name, held, self.shapes[name_id as usize]))
            })
            .collect();
        for (name, held, weighed) in names {
            if let Some(ceiling) = &ceiling {
                // Surname-only renderings are capped, and judged on part of the query.
                if !name.surname_only {
                    let most = ceiling.of(&matches, name, shape_total(weighed), held);
                    if most + 1e-9 < query.threshold
                        || best
                            .get(&name.entity)
                            .is_some_and(|hit| most + 1e-9 < hit.score)
                    {
                        continue;
                    }
                }
            }
            let entity = &self.entities[name.entity as usize];
            if query
                .lists
                .is_some_and(|lists| !lists.contains(&entity.list))
            {
                continue;
            }
            work::count(|w| {
                w.scored += 1;
                w.score_pairs += (resolved.len() * name.tokens.len()) as u64;
            });
            let Some(scored) = self.score(
                resolved,
                &matches,
                name,
                any_distinctive,
                traits,
                &mut scratch,
            ) else {
                continue;
            };
            let score = evidence(scored.score * factor, entity, query, None);
            if score < query.threshold
                || best.get(&name.entity).is_some_and(|hit| score <= hit.score)
            {
                continue;
            }
            let mut features = scored.features();
            if let Some((feature, factor)) = form.factor() {
                features.push(Feature {
                    name: feature,
                    value: 1.0,
                    weight: factor,
                });
            }
            evidence(1.0, entity, query, Some(&mut features));
            let matched = entity
                .names()
                .nth(name.position as usize)
                .map_or_else(String::new, |(_, text)| text.to_string());
            best.insert(
                name.entity,
                Hit {
                    entity: Arc::clone(entity),
                    score,
                    matched_name: matched,
                    matched_kind: name.kind,
                    features,
                    same_party: Vec::new(),
                },
            );
        }
    }

    /// An identifier typed as the name (a USCC, with or without spaces) is the strongest
    /// evidence there is: its entities score 1.
    pub(super) fn search_identifier(&self, query: &Query, best: &mut HashMap<u32, Hit>) {
        let key = identifier_key(query.name);
        if key.len() < 6 || !key.bytes().any(|b| b.is_ascii_digit()) {
            return;
        }
        for &slot in self.identifiers.get(&key).into_iter().flatten() {
            let entity = &self.entities[slot as usize];
            if query
                .lists
                .is_some_and(|lists| !lists.contains(&entity.list))
            {
                continue;
            }
            let matched = entity
                .identifiers
                .iter()
                .find(|i| identifier_key(&i.value) == key)
                .map_or_else(String::new, |i| i.value.clone());
            best.insert(
                slot,
                Hit {
                    entity: Arc::clone(entity),
                    score: 1.0,
                    matched_name: matched,
                    matched_kind: NameKind::Identifier,
                    features: vec![Feature {
                        name: "identifier_match",
                        value: 1.0,
                        weight: 1.0,
                    }],
                    same_party: Vec::new(),
                },
            );
        }
    }

    /// Consecutive pinyin syllables of one name part joined into the longest word the
    /// vocabulary has (hua wei → huawei, chen quan guo → chen quanguo). `None` when nothing
    /// joins.
    pub(super) fn join_syllables(&self, tokens: &[Token]) -> Option<Vec<Token>> {
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
                self.vocab
                    .contains_key(joined.as_str())
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
    /// martin. `None` when nothing changes.
    pub(super) fn rejoin(&self, tokens: &[Token]) -> Option<Vec<Token>> {
        let known = |text: &str| self.vocab.contains_key(text);
        let latin = |t: &Token| t.script == Script::Latin;
        let mut out: Vec<Token> = Vec::with_capacity(tokens.len() + 1);
        let mut changed = false;
        let mut i = 0;
        let mut joined = String::new();
        while i < tokens.len() {
            let token = &tokens[i];
            let join = (2..=3).rev().find_map(|len| {
                let run = tokens.get(i..i + len)?;
                if !run.iter().all(latin) || token.is_numeric() {
                    return None;
                }
                joined.clear();
                run.iter().for_each(|t| joined.push_str(&t.text));
                known(&joined).then(|| (joined.clone(), len))
            });
            if let Some((joined, len)) = join {
                out.push(Token::new(joined, Script::Latin, token.segment));
                changed = true;
                i += len;
                continue;
            }
            let split = (latin(token)
                && !token.is_numeric()
                && !known(&token.text)
                && token.text.len() >= 5)
                .then(|| {
                    (2..=token.text.len() - 2)
                        .filter(|&at| token.text.is_char_boundary(at))
                        .map(|at| token.text.split_at(at))
                        .find(|(a, b)| known(a) && known(b))
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
