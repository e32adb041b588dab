//! Unit tests of the matching engine: search, typo shortcuts, the candidate stage against the
//! exhaustive search.

use super::*;
use crate::core::model::Entity;

fn entity(id: &str, name: &str, aliases: &[&str], native: &[&str]) -> Arc<Entity> {
    let mut entity = Entity::new(id, "T", EntityType::Organization, name);
    entity.aliases = aliases.iter().map(|s| s.to_string()).collect();
    entity.native_names = native.iter().map(|s| s.to_string()).collect();
    entity.countries = vec!["CN".into()];
    Arc::new(entity)
}

fn sample() -> Index {
    let entities = [
        entity(
            "hw",
            "Huawei Technologies Co., Ltd.",
            &[],
            &["华为技术有限公司"],
        ),
        entity("hwd", "Huawei Device Co., Ltd.", &[], &[]),
        entity(
            "hwc",
            "Huawei Cloud Computing Technology Co., Ltd.",
            &[],
            &[],
        ),
        entity(
            "hik",
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            &["Hikvision"],
            &["杭州海康威视数字技术股份有限公司"],
        ),
        entity(
            "c28",
            "China Electronics Technology Group Corporation No. 28 Research Institute",
            &["CETC 28"],
            &[],
        ),
        entity(
            "c38",
            "China Electronics Technology Group Corporation No. 38 Research Institute",
            &["CETC 38"],
            &[],
        ),
        entity(
            "lm",
            "Lockheed Martin Corporation",
            &[],
            &["洛克希德·马丁公司"],
        ),
        entity("gd", "General Dynamics Corporation", &[], &["通用动力公司"]),
    ];
    Index::build(entities.iter())
}

/// Screens `name` at threshold 0.75 and compares the ids of the hits, best first.
fn check(index: &Index, name: &str, expected: &[&str]) {
    let hits = index.search(&Query {
        name,
        threshold: 0.75,
        limit: 10,
        ..Query::default()
    });
    let got: Vec<&str> = hits.iter().map(|h| h.entity.id.as_str()).collect();
    assert_eq!(got, expected, "{name}: {hits:#?}");
}

#[test]
fn finds_listed_names() {
    let index = sample();
    check(&index, "Huawei Technologies Co., Ltd.", &["hw"]);
    check(&index, "HUAWEI TECHNOLOGIES COMPANY LIMITED", &["hw"]);
    check(&index, "Huawei", &["hw"]);
    check(&index, "华为技术有限公司", &["hw"]);
    check(&index, "Hikvision", &["hik"]);
    check(&index, "杭州海康威视数字技术股份有限公司", &["hik"]);
    check(&index, "Lockheed-Martin Corp.", &["lm"]);
    check(&index, "洛克希德•马丁公司", &["lm"]);
    check(&index, "Hangzhou Hikvsion Digital Technology", &["hik"]);
    check(&index, "華為技術有限公司", &["hw"]);
    check(&index, "华为", &["hw"]);
}

#[test]
fn bridges_scripts_through_pinyin() {
    let entities = [
        entity(
            "lp",
            "Luopu Haishi Dingxin Electronic Technology Co., Ltd.",
            &[],
            &[],
        ),
        entity("chen", "CHEN, Quanguo", &[], &[]),
        entity(
            "lm",
            "Lockheed Martin Corporation",
            &[],
            &["洛克希德·马丁公司"],
        ),
    ];
    let index = Index::build(entities.iter());
    check(&index, "洛浦县海视鼎鑫电子科技有限公司", &["lp"]);
    check(&index, "陳全國", &["chen"]);
    check(&index, "Chen Quanguo", &["chen"]);
    check(&index, "Luokexide Mading", &["lm"]);
    let people = [
        entity("xu", "Edmund Xu", &[], &["许勐"]),
        entity("lam", "LAM CHENG, Yuet-ngor", &["LAM, Carrie"], &[]),
    ];
    let index = Index::build(people.iter());
    check(&index, "Edmund Hsu", &["xu"]);
    check(&index, "HSU, Edmund", &["xu"]);
    check(&index, "Carrie Lam", &["lam"]);
}

fn person(id: &str, name: &str) -> Arc<Entity> {
    let mut entity = Entity::new(id, "T", EntityType::Person, name);
    entity.countries = vec!["CN".into()];
    Arc::new(entity)
}

#[test]
fn finds_typing_errors_as_people_make_them() {
    let entities = [
        entity("kharon", "Kharon", &[], &[]),
        entity("hik", "Hikvision", &[], &[]),
        person("morgret", "Nicole Morgret"),
        person("hernandez", "HERNANDEZ ZEA, Luis Antonio"),
        entity("xj", "Xinjiang Production and Construction Corps", &[], &[]),
    ];
    let index = Index::build(entities.iter());
    // A neighbouring key, a missing first letter, two letters dropped from a long word.
    check(&index, "Khaeon", &["kharon"]);
    check(&index, "Hikvisoon", &["hik"]);
    check(&index, "Nicole Morgrwt", &["morgret"]);
    check(&index, "Nicole Orgret", &["morgret"]);
    check(&index, "Ernndez Zea, Luis Antonio", &["hernandez"]);
    // Split pinyin with a typing error.
    check(
        &index,
        "Xin Jian Production and Construction Corps",
        &["xj"],
    );
}

#[test]
fn split_pinyin_is_joined_before_anything_else() {
    let entities = [
        entity(
            "dji",
            "Shenzhen DJI Innovation Technology Co., Ltd.",
            &[],
            &[],
        ),
        entity("vision", "Shenzhen Net Vision", &[], &[]),
        entity("rslaser", "Beijing RSLaser Opto-Electronics", &[], &[]),
        // Words that lure a greedy rejoin: a three-word run near "shenzhenshi", a typo'd
        // word split into two known pieces, "opto electronics" joined where this party
        // keeps them apart.
        entity("shi", "Shenzhenshi Trading Co., Ltd.", &[], &[]),
        entity("vii", "Sino VII Holdings", &[], &[]),
        entity("on", "Lights On Ltd.", &[], &[]),
        entity("opto", "Wuhan Optoelectronics Co., Ltd.", &[], &[]),
    ];
    let index = Index::build(entities.iter());
    check(
        &index,
        "Shen Zhen DJI Innovation Technology Co., Ltd.",
        &["dji"],
    );
    check(&index, "Shen Zhen Net Viion", &["vision"]);
    check(&index, "Bei Jing RSLaser Opto Electronics", &["rslaser"]);
}

#[test]
fn a_person_is_found_without_the_patronymic() {
    let people = [
        person("girkin", "GIRKIN, Igor Vsevolodovich"),
        person("usmanov", "USMANOV, Alisher Burhanovich"),
        person("abramovich", "ABRAMOVICH, Roman Arkadyevich"),
        person("ivanov", "IVANOV, Sergei Borisovich"),
        // Given names are common: Igor says less than Girkin.
        person("petrov", "PETROV, Igor Ivanovich"),
        person("sokolov", "SOKOLOV, Igor Pavlovich"),
    ];
    let index = Index::build(people.iter());
    check(&index, "Igor Girkin", &["girkin"]);
    check(&index, "Alisher Usmanov", &["usmanov"]);
    check(&index, "Roman Abramovich", &["abramovich"]);
    // The patronymic is no licence to drop the surname.
    check(&index, "Igor Vsevolodovich", &[]);
}

#[test]
fn short_person_names_need_both_parts_as_written() {
    let entities = [
        person("zhang", "Zhang Jun"),
        person("pxx", "Peng Xin Xu"),
        person("hannibal", "Hannibal"),
        person("lokke", "Lars Løkke"),
    ];
    let index = Index::build(entities.iter());
    // Two pinyin syllables a letter apart are two names (their other spellings, Wade–Giles
    // Ping for bing, are romanisation variants, not typing errors).
    check(&index, "Zhong Jun", &[]);
    // A Chinese name with a syllable the query lacks, and a query syllable the name lacks.
    check(&index, "Peng Xu", &[]);
    check(&index, "Peng Xin Xu Ming", &[]);
    // A person listed under one name is found by it; letters decomposition leaves whole fold.
    check(&index, "Hannibal", &["hannibal"]);
    check(&index, "Lars Lokke", &["lokke"]);
}

#[test]
fn numbers_discriminate() {
    let index = sample();
    check(&index, "CETC 28th Research Institute", &["c28"]);
    check(&index, "CETC 38", &["c38"]);
}

#[test]
fn rejects_unlisted_and_generic_names() {
    let index = sample();
    check(&index, "Co., Ltd.", &[]);
    check(&index, "China Technology Group", &[]);
    check(&index, "Acme Trading", &[]);
    check(&index, "通用电气公司", &[]);
    check(&index, "Huawei Marine Networks", &[]);
}

/// The typo cost table without its shortcuts (letter counts, cost cut-off, rolling rows):
/// what `token_similarity` must agree with wherever a match is possible.
fn reference_similarity(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    let (short, long) = (n.min(m), n.max(m));
    let allowed = edit_allowance(long);
    if edit_allowance(short) == 0
        || long - short > allowed
        || a.iter().chain(&b).any(char::is_ascii_digit)
    {
        return 0.0;
    }
    let indel = |s: &[char], i: usize| {
        let c = s[i];
        let doubled = (i > 0 && s[i - 1] == c) || s.get(i + 1) == Some(&c);
        if doubled || "aeiouy".contains(c) {
            TYPO_COST
        } else if i == 0 {
            SLIP_COST
        } else {
            1.0
        }
    };
    let mut d = vec![vec![(0usize, 0.0f64); m + 1]; n + 1];
    for i in 1..=n {
        d[i][0] = (i, d[i - 1][0].1 + indel(&a, i - 1));
    }
    for j in 1..=m {
        d[0][j] = (j, d[0][j - 1].1 + indel(&b, j - 1));
    }
    let better = |x: (usize, f64), y: (usize, f64)| if y.1 < x.1 { y } else { x };
    for i in 1..=n {
        for j in 1..=m {
            let diagonal = d[i - 1][j - 1];
            let sub = if a[i - 1] == b[j - 1] {
                diagonal
            } else if alike(a[i - 1], b[j - 1]) {
                (diagonal.0 + 1, diagonal.1 + TYPO_COST)
            } else if neighbours(a[i - 1], b[j - 1]) {
                (diagonal.0 + 1, diagonal.1 + SLIP_COST)
            } else {
                (diagonal.0 + 1, diagonal.1 + EDIT_COST)
            };
            let del = (d[i - 1][j].0 + 1, d[i - 1][j].1 + indel(&a, i - 1));
            let ins = (d[i][j - 1].0 + 1, d[i][j - 1].1 + indel(&b, j - 1));
            let mut best = better(better(sub, del), ins);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                let swap = d[i - 2][j - 2];
                best = better(best, (swap.0 + 1, swap.1 + TYPO_COST));
            }
            d[i][j] = best;
        }
    }
    let (edits, cost) = d[n][m];
    if edits > allowed || edits - (long - short) > edit_allowance(short) {
        return 0.0;
    }
    (1.0 - cost / n.max(m) as f64).max(0.0)
}

#[test]
fn typo_shortcuts_change_no_similarity() {
    let words = [
        "huawei",
        "hikvision",
        "technology",
        "shipping",
        "morgret",
        "kharon",
        "cloudwalk",
        "zhongxing",
        "lockheed",
        "martin",
        "marvin",
        "hawley",
        "hanley",
        "gibbs",
        "group",
        "gruop",
        "international",
        "intrenational",
        "shiping",
        "cheng",
        "zheng",
        "linjiang",
        "lianjiang",
        "nanjing",
        "nanjiang",
        "aerospace",
        "aerospaec",
        "müller",
        "muller",
    ];
    let mut compared = 0;
    for a in words {
        for b in words {
            let (fast, slow) = (token_similarity(a, b), reference_similarity(a, b));
            if slow >= FUZZY_MIN || fast >= FUZZY_MIN {
                assert_eq!(fast, slow, "{a} ~ {b}");
                compared += 1;
            }
        }
    }
    assert!(compared > words.len(), "only {compared} pairs within reach");
}

/// Counting runs a block of names at a time (64 in unit tests): over an index of many
/// blocks, the candidate stage still returns exactly what scoring every name returns.
#[test]
fn counting_in_blocks_loses_nothing() {
    let syllables = [
        "zhong", "xing", "hua", "wei", "tian", "long", "chen", "zheng", "kai",
    ];
    let trades = [
        "Technology",
        "Shipping",
        "Trading",
        "Electronics",
        "Machinery",
    ];
    let given = ["John", "Edmund", "Nicole", "Robert", "Sergey"];
    let family = ["Xu", "Morgret", "Ivanov", "Martin", "Chen"];
    let mut entities: Vec<Arc<Entity>> = Vec::new();
    let mut queries: Vec<String> = Vec::new();
    for (i, a) in syllables.iter().enumerate() {
        for (j, b) in syllables.iter().enumerate() {
            let trade = trades[(i + j) % trades.len()];
            let name = format!("Beijing {a}{b} {trade} Co., Ltd.");
            let alias = format!("{a} {b} {trade}");
            entities.push(entity(&format!("o{i}{j}"), &name, &[&alias], &[]));
            if j % 3 == 0 {
                queries.push(name.replace(a, &a[1..]));
                queries.push(format!("{a} {b}"));
            }
        }
    }
    for (i, g) in given.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            let mut person = Entity::new(
                &format!("p{i}{j}"),
                "T",
                EntityType::Person,
                &format!("{g} {} {f}", &given[(i + j) % given.len()][..1]),
            );
            person.aliases = vec![format!("{}, {g}", f.to_uppercase())];
            entities.push(Arc::new(person));
            queries.push(format!("{g} {f}"));
            queries.push(format!("{f}, {}.", &g[..1]));
        }
    }
    queries.extend(["Chen Zheng", "Kai Long", "华为", "Zhongxing Technology"].map(String::from));
    let index = Index::build(entities.iter());
    assert!(
        index.name_count() > 3 * BLOCK,
        "{} names",
        index.name_count()
    );
    let mut compared = 0;
    for name in &queries {
        for threshold in [0.75, 0.5] {
            let query = Query {
                name,
                threshold,
                limit: 1000,
                ..Query::default()
            };
            let scores = |hits: Vec<Hit>| -> Vec<(String, String)> {
                hits.iter()
                    .map(|h| (h.entity.id.clone(), format!("{:.9}", h.score)))
                    .collect()
            };
            let slow = scores(index.search_exhaustive(&query));
            assert_eq!(scores(index.search(&query)), slow, "{name} at {threshold}");
            compared += slow.len();
        }
    }
    assert!(compared > queries.len(), "only {compared} matches compared");
}

/// Split pinyin is joined where the vocabulary has the word ("Wu Xi" → wuxi), not into a
/// word a letter or two longer than one of its pieces ("Center Wu" is not near center).
#[test]
fn split_pinyin_joins_into_the_word_not_onto_its_neighbour() {
    let entities = [
        entity("wx", "National Supercomputing Center Wuxi", &[], &[]),
        entity("sz", "National Supercomputing Center Shenzhen", &[], &[]),
    ];
    let index = Index::build(entities.iter());
    check(&index, "National Supercomputing Center Wu Xi", &["wx"]);
    check(&index, "National Supercomputing Centre Wu Xi", &["wx"]);
}

/// A name of generic words only is matched word for word: a long word with a typing error is
/// that word; a short one may be another place.
#[test]
fn generic_names_take_a_typing_error_in_a_long_word_only() {
    let entities = [
        entity("gz", "Guangzhou Institute of Communications", &[], &[]),
        entity("hb", "Hebei University of Technology", &[], &[]),
    ];
    let index = Index::build(entities.iter());
    check(&index, "Guangg Zhou Institute of Communications", &["gz"]);
    check(&index, "Hebei University of Tecnhology", &["hb"]);
    check(&index, "Hubei University of Technology", &[]);
    check(
        &index,
        "Guangzhou Institute of Communication Engineering",
        &[],
    );
}

#[test]
fn a_chinese_name_is_written_in_one_romanisation_system() {
    let entities = [
        person("hj", "Huang Jie"),
        person("gq", "GAO, Qi"),
        person("kc", "Kan Chen"),
    ];
    let index = Index::build(entities.iter());
    // One system throughout: pinyin, Wade–Giles, Cantonese.
    check(&index, "Huang Jie", &["hj"]);
    check(&index, "Huang Chieh", &["hj"]);
    check(&index, "Wong Kit", &["hj"]);
    check(&index, "Kao Chi", &["gq"]);
    // Huang and Gao are no Cantonese spellings, so Kai is pinyin kai, not the Cantonese Kai
    // of 杰 or 启; and Kan Chen is Qin Zhen only as a Cantonese Kan beside a Wade–Giles Chen.
    check(&index, "Huang Kai", &[]);
    check(&index, "Gao Kai", &[]);
    check(&index, "Qin Zhen", &[]);
}

#[test]
fn a_short_word_mistyped_among_agreeing_words_is_a_typing_error() {
    let entities = [
        entity("el", "Elbit Systems of America, LLC", &[], &[]),
        entity("ds", "Dalian Sunny Industries", &[], &[]),
        entity("th", "Thrust Aviation FZE", &[], &[]),
        entity("dh", "Dahua Electronics Corporation", &[], &[]),
    ];
    let index = Index::build(entities.iter());
    check(&index, "Ebit Systems of America", &["el"]);
    check(&index, "AHUA Electronics Corporation", &["dh"]);
    check(&index, "Dalian unny Industries", &["ds"]);
    // FZE (a UAE free-zone establishment) is a legal form.
    check(&index, "Thrust Aviation", &["th"]);
}

#[test]
fn a_chinese_name_with_a_given_names_sound_is_the_whole_name() {
    let listed = |id: &str, name: &str, native: &str| {
        let mut entity = Entity::new(id, "T", EntityType::Person, name);
        entity.native_names = vec![native.to_string()];
        Arc::new(entity)
    };
    let entities = [
        listed("jw", "Jaushieh Joseph Wu", "吴钊燮"),
        listed("wr", "Wilbur Ross", "罗斯"),
    ];
    let index = Index::build(entities.iter());
    // 吴钊燮 has the consonants of Jaushieh, his given name: it is his whole name, and its
    // pinyin finds him.
    check(&index, "Wu Zhaoxie", &["jw"]);
    check(&index, "吴钊燮", &["jw"]);
    // 罗斯 renders the surname only: alone it names anyone called Ross (DOMAIN.md case 10).
    check(&index, "罗斯", &[]);
    check(&index, "Wilbur Ross", &["wr"]);
}

#[test]
fn dotted_letters_are_one_word_of_an_organisation() {
    let entities = [
        entity("ac", "A.C. International", &[], &[]),
        entity("abc", "ABC Trading Company", &[], &[]),
        person("jl", "LEE, John Ka-chiu"),
    ];
    let index = Index::build(entities.iter());
    check(&index, "AC International", &["ac"]);
    check(&index, "A.C. International", &["ac"]);
    check(&index, "A.B.C. Trading Company", &["abc"]);
    // A person's single letters stay initials.
    check(&index, "John K. C. Lee", &["jl"]);
}
