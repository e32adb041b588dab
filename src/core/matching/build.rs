//! Building the index from entities: every name normalised into its indexed forms (on every
//! core), then interned, posted and given its deletion keys (on one).

use super::*;

impl Index {
    /// An index of `entities`, its token weights from its own statistics.
    pub fn build<'a>(entities: impl IntoIterator<Item = &'a Arc<Entity>>) -> Index {
        Index::build_with(entities, None, true)
    }

    /// An index of `entities`; with `stats`, its token weights come from that index's
    /// document frequencies and name count where it holds the token (a segment added to a
    /// base weighs its words as the base does, see `LiveIndex`). `parallel`: names are
    /// prepared on every core (a merge in the background leaves the other cores to queries
    /// and writes).
    pub(super) fn build_with<'a>(
        entities: impl IntoIterator<Item = &'a Arc<Entity>>,
        stats: Option<&Index>,
        parallel: bool,
    ) -> Index {
        let entities: Vec<&Arc<Entity>> = entities.into_iter().collect();
        // Normalising the names is most of the work and needs nothing shared: it runs on
        // every core, in chunks; interning stays on one thread, in entity order.
        // A small build (a commit's segment) is done where it is asked: threads would cost
        // more than they save.
        let threads = if !parallel || entities.len() < 256 {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(8)
        };
        let chunk = entities.len().div_ceil(threads).max(1);
        let prepared: Vec<Prepared> = if threads == 1 {
            entities.iter().map(|e| prepare(e)).collect()
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> = entities
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || part.iter().map(|e| prepare(e)).collect::<Vec<_>>())
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().expect("index build worker"))
                    .collect()
            })
        };
        let mut index = Index::default();
        for (entity, prepared) in entities.into_iter().zip(prepared) {
            let slot = index.entities.len() as u32;
            index.entities.push(Arc::clone(entity));
            for id in &entity.identifiers {
                let key = identifier_key(&id.value);
                if key.len() >= 6 {
                    index.identifiers.entry(key).or_default().push(slot);
                }
            }
            index.commit(slot, prepared);
        }
        let n = stats.map_or(index.names.len(), |base| base.names.len()) as f64;
        for token in &mut index.tokens {
            // Beside a base, a word the base lacks weighs as unseen (as a query's word the
            // base lacks does): never by what else its segment holds, so compacting segments
            // changes no score.
            let df = match stats {
                Some(base) => base
                    .vocab
                    .get(&token.text)
                    .map_or(0, |&id| base.doc_freq(id)),
                None => token.postings[0].len() + token.postings[1].len(),
            };
            token.weight = token_weight(df, n, token.generic);
        }
        // Totals rounded down, so that a ceiling computed from them is never too low.
        index.shapes = index
            .names
            .iter()
            .map(|name| {
                let (mut total, mut starts) = (0.0, 0u32);
                for &id in name.tokens.iter() {
                    let token = &index.tokens[id as usize];
                    total += token.weight;
                    starts |= letters(&token.text);
                }
                let total = (total * (1.0 - 1e-6)) as f32;
                u64::from(total.to_bits()) | u64::from(starts) << 32
            })
            .collect();
        let words = index.names.len().div_ceil(64);
        index.western = vec![0; words];
        index.repeats = vec![0; words];
        for (n, name) in index.names.iter().enumerate() {
            if name.western {
                index.western[n / 64] |= 1 << (n % 64);
            }
            let mut ids = name.tokens.to_vec();
            ids.sort_unstable();
            if ids.len() > 255 || ids.windows(2).any(|w| w[0] == w[1]) {
                index.repeats[n / 64] |= 1 << (n % 64);
            }
        }
        index.build_deletions();
        index
    }

    pub(super) fn commit(&mut self, slot: u32, prepared: Prepared) {
        let Prepared {
            party,
            person,
            names,
        } = prepared;
        self.parties.push(party);
        for name in names {
            let PreparedName {
                position,
                kind,
                form,
                tokens,
                surname_only,
                chinese_person,
            } = name;
            self.add_name(
                IndexedName {
                    entity: slot,
                    kind,
                    form,
                    position,
                    surname_only,
                    chinese_person,
                    // One word is no Western name in parts: the two-part rule does not
                    // apply to it (see `score`), nor does counting assume it.
                    western: person && !chinese_person && form == Form::Plain && tokens.len() > 1,
                    person,
                    tokens: Box::default(),
                    parts: None,
                },
                &tokens,
            );
        }
    }
}

/// One form of one of an entity's names, normalised and ready to index.
pub(super) struct PreparedName {
    /// Which of the entity's names it is (0: the primary name).
    pub(super) position: u16,
    pub(super) kind: NameKind,
    pub(super) form: Form,
    pub(super) tokens: Vec<Token>,
    /// A Chinese rendering of only the surname of a person's Latin name (罗斯 for Wilbur Ross).
    pub(super) surname_only: bool,
    /// A Chinese personal name (one part, at most four characters, or a Chinese-style
    /// romanisation of one; for an entity of unknown type, a name that looks like one).
    pub(super) chinese_person: bool,
}

/// An entity with its names normalised into every indexed form: the part of building an
/// index that needs no shared state.
pub(super) struct Prepared {
    pub(super) party: Party,
    pub(super) person: bool,
    pub(super) names: Vec<PreparedName>,
}

/// One of an entity's names as written, tokenised.
struct Written {
    position: u16,
    kind: NameKind,
    tokens: Vec<Token>,
}

pub(super) fn prepare(entity: &Entity) -> Prepared {
    let person = entity.kind == EntityType::Person;
    let foreign = !entity.countries.is_empty()
        && !entity
            .countries
            .iter()
            .any(|c| matches!(c.as_str(), "CN" | "HK" | "MO" | "TW"));
    let written = written_names(entity);
    // A person's surname as the Latin names write it, plain and as syllables: the words
    // before a comma (ROSS, Wilbur) or the last word (Wilbur Ross). A Chinese rendering of
    // it renders only the surname (罗斯); one that sounds like a given name is the whole name
    // in Chinese (吴钊燮 has the consonants of Jaushieh in Jaushieh Joseph Wu).
    let mut surname_words: HashSet<String> = HashSet::new();
    if person {
        for (position, (_, name)) in entity.names().enumerate() {
            // Without a comma, the last word of the name as already tokenised.
            let last = || {
                let written = written.iter().find(|w| usize::from(w.position) == position);
                written.and_then(|w| w.tokens.last().cloned())
            };
            let mut words = match name.split_once(',') {
                Some((surname, _)) => text::tokenize(surname),
                None => last().into_iter().collect(),
            };
            words.retain(|t| t.script == Script::Latin);
            let syllables = text::syllabify(&words).unwrap_or_default();
            surname_words.extend(words.iter().chain(&syllables).map(|t| t.text.clone()));
        }
    }
    let mut names: Vec<PreparedName> = Vec::new();
    for name in &written {
        if name.tokens.iter().any(|t| t.script == Script::Han) {
            han_forms(name, person, foreign, &surname_words, &mut names);
        } else {
            latin_forms(name, person, entity.kind == EntityType::Unknown, &mut names);
        }
    }
    Prepared {
        // The primary name comes first, as typed (position 0).
        party: Party::of(
            entity,
            written
                .first()
                .filter(|n| n.position == 0)
                .map(|n| &n.tokens),
        ),
        person,
        names,
    }
}

/// Every name of an entity, tokenised. A name with a parenthesis ("National University of
/// Defense Technology (NUDT)") is also taken without it: the bracket holds an acronym, a
/// former name or a place.
fn written_names(entity: &Entity) -> Vec<Written> {
    entity
        .names()
        .enumerate()
        .flat_map(|(position, (kind, name))| {
            let bare = without_brackets(name);
            std::iter::once(name.to_string())
                .chain(bare.filter(|b| !b.trim().is_empty()))
                .map(move |text| Written {
                    position: position as u16,
                    kind,
                    tokens: text::tokenize(&text),
                })
        })
        .filter(|name| !name.tokens.is_empty())
        .collect()
}

/// The forms of a name in Latin script: as written and, for a Western person's name, its
/// outline. A name of Chinese syllables is taken for a Chinese personal name when the entity
/// is a person, or of unknown type (a list that does not say: "Peng Xin Xu").
fn latin_forms(name: &Written, person: bool, unknown: bool, out: &mut Vec<PreparedName>) {
    let form = |form, tokens, chinese_person| PreparedName {
        position: name.position,
        kind: name.kind,
        form,
        tokens,
        surname_only: false,
        chinese_person,
    };
    let chinese = (person || unknown) && chinese_style(&name.tokens);
    out.push(form(Form::Plain, name.tokens.clone(), chinese));
    if !person {
        if let Some(joined) = text::join_letter_runs(&name.tokens) {
            out.push(form(Form::Plain, joined, false));
        }
    }
    if person && !chinese {
        let outline = text::latin_outline(&name.tokens);
        if outline.len() >= 2 {
            out.push(form(Form::Outline, outline, false));
        }
    }
}

/// The forms of a name in Chinese script: as written, romanised (the brand table's reading,
/// and pinyin where that differs) and, for a foreign party or a name in parts, by sound.
fn han_forms(
    name: &Written,
    person: bool,
    foreign: bool,
    surname_words: &HashSet<String>,
    out: &mut Vec<PreparedName>,
) {
    let tokens = &name.tokens;
    let segments: HashSet<u16> = tokens
        .iter()
        .filter(|t| t.script == Script::Han)
        .map(|t| t.segment)
        .collect();
    // Only a known transliteration of the Latin surname, or a rendering with its consonants
    // (霍利 ~ Hawley), is taken for a surname-only rendering: a
    // Chinese name of a Westerner (郑国恩 for Adrian Zenz) is a whole name.
    let han: String = tokens.iter().map(|t| t.text.as_str()).collect();
    let surname_only = person
        && segments.len() == 1
        && (text::transliteration(&han)
            .is_some_and(|latin| latin.iter().any(|w| surname_words.contains(w.as_str())))
            || text::han_consonants(&han).is_some_and(|sound| {
                sound.len() >= 2
                    && surname_words
                        .iter()
                        .any(|w| text::latin_consonants(w) == sound)
            }));
    let chinese = person && !surname_only && segments.len() == 1 && tokens.len() <= 4;
    let form = |form, tokens, chinese_person| PreparedName {
        position: name.position,
        kind: name.kind,
        form,
        tokens,
        surname_only,
        chinese_person,
    };
    out.push(form(Form::Plain, tokens.clone(), chinese));
    // The brand table's reading (大疆 → dji) and the pinyin a Latin spelling of the name has
    // (da jiang) are both forms of the name.
    let roman = text::romanize(tokens).unwrap_or_default();
    let pinyin = text::romanize_pinyin(tokens).filter(|p| *p != roman);
    for romanised in std::iter::once(roman).chain(pinyin) {
        if !romanised.is_empty() {
            out.push(form(Form::HanRoman, romanised, chinese));
        }
    }
    if foreign || segments.len() > 1 || surname_only {
        if let Some(sounds) = text::phonetic(tokens).filter(|t| !t.is_empty()) {
            out.push(form(Form::HanPhonetic, sounds, false));
        }
    }
}

impl Index {
    pub(super) fn add_name(&mut self, mut name: IndexedName, tokens: &[Token]) {
        let name_id = self.names.len() as u32;
        let ids: Box<[u32]> = tokens.iter().map(|t| self.intern(t)).collect();
        let mut seen = HashSet::new();
        for &id in ids.iter() {
            if seen.insert(id) {
                self.tokens[id as usize].postings[name.form.group()].push(name_id);
                if name.surname_only {
                    self.surname_only.entry(id).or_default().push(name_id);
                }
            }
        }
        if name.form == Form::Plain {
            let texts: Vec<&str> = ids
                .iter()
                .map(|&id| &*self.tokens[id as usize].text)
                .collect();
            let mut acronyms: Vec<String> = acronym_windows(&texts)
                .map(|(_, acronym)| acronym)
                .collect();
            acronyms.sort_unstable();
            acronyms.dedup();
            for acronym in acronyms {
                self.acronyms
                    .entry(acronym.into_boxed_str())
                    .or_default()
                    .push(name_id);
            }
        }
        let entity = &self.entities[name.entity as usize];
        let han_parts: HashSet<u16> = tokens
            .iter()
            .filter(|t| t.script == Script::Han)
            .map(|t| t.segment)
            .collect();
        if entity.kind == EntityType::Person
            && (han_parts.len() > 1
                || name.form == Form::HanRoman
                || name.form == Form::HanPhonetic)
        {
            let parts: HashSet<u16> = tokens.iter().map(|t| t.segment).collect();
            if parts.len() > 1 {
                name.parts = Some(tokens.iter().map(|t| t.segment).collect());
            }
        }
        name.tokens = ids;
        self.names.push(name);
    }

    pub(super) fn intern(&mut self, token: &Token) -> u32 {
        if let Some(&id) = self.vocab.get(token.text.as_str()) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.tokens.push(TokenInfo {
            text: token.text.as_str().into(),
            weight: 0.0,
            generic: text::is_generic(token),
            numeric: token.is_numeric(),
            postings: [Vec::new(), Vec::new()],
            matches: std::sync::OnceLock::new(),
        });
        self.vocab.insert(token.text.as_str().into(), id);
        id
    }

    /// The deletion neighbourhood of every Latin word long enough to be matched with edits.
    pub(super) fn build_deletions(&mut self) {
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (id, token) in self.tokens.iter().enumerate() {
            if !fuzzy_candidate(&token.text) {
                continue;
            }
            for key in deletion_keys(&token.text) {
                pairs.push((key, id as u32));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        self.deletion_ids = pairs.iter().map(|&(_, id)| id).collect();
        let mut start = 0;
        while start < pairs.len() {
            let key = pairs[start].0;
            let end = start + pairs[start..].partition_point(|&(k, _)| k == key);
            self.deletions
                .insert(key, (start as u32, (end - start) as u32));
            start = end;
        }
    }
}

/// Windows of 2–4 consecutive words of a name (skipping "of", "and" ...) with the acronym
/// their initials spell, as positions into `texts`.
pub(super) fn acronym_windows<'a>(
    texts: &'a [&'a str],
) -> impl Iterator<Item = (Vec<usize>, String)> + 'a {
    let words: Vec<usize> = (0..texts.len())
        .filter(|&i| !ACRONYM_SKIP.contains(&texts[i]))
        .collect();
    (2..=4usize).flat_map(move |len| {
        let words = words.clone();
        (0..words.len().saturating_sub(len - 1)).filter_map(move |start| {
            let at: Vec<usize> = words[start..start + len].to_vec();
            let acronym: Option<String> = at
                .iter()
                .map(|&i| {
                    let word = texts[i];
                    word.chars()
                        .next()
                        .filter(|_| word.chars().all(|c| c.is_ascii_alphabetic()))
                })
                .collect();
            acronym.map(|a| (at, a))
        })
    })
}

/// The name with its bracketed parts removed, when it has any: `None` otherwise.
pub(super) fn without_brackets(name: &str) -> Option<String> {
    if !name.contains(['(', '（', '[']) {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '（' | '[' => depth += 1,
            ')' | '）' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Some(out)
}

/// Whether a Latin personal name reads as a romanised Chinese name (every word a pinyin,
/// Wade–Giles or Cantonese syllable, or pinyin syllables run together): every part counts.
pub(super) fn chinese_style(tokens: &[Token]) -> bool {
    (2..=4).contains(&tokens.len())
        && tokens.iter().all(|t| {
            text::chinese_syllable_word(&t.text)
                || text::syllabify(std::slice::from_ref(t)).is_some_and(|parts| {
                    parts.len() > 1 && parts.iter().all(|p| text::is_syllable(&p.text))
                })
        })
}

/// An identifier reduced to upper-case letters and digits, as OFAC advises searching them.
pub(super) fn identifier_key(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
