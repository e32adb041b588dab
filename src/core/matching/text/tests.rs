//! Unit tests of normalisation.

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
