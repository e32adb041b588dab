//! The lists that official-format files carry, and where a record of each format goes: the
//! CSL `source` strings, OFAC programme tags and OpenSanctions programme ids, each mapped to one
//! of our list codes with its metadata.

use crate::core::model::{ListMeta, Measure};
use Measure::*;

struct Known {
    code: &'static str,
    name: &'static str,
    authority: &'static str,
    country: &'static str,
    legal_basis: &'static str,
    measures: &'static [Measure],
    meaning: &'static str,
    url: &'static str,
}

const BIS: &str = "U.S. Department of Commerce, Bureau of Industry and Security (BIS)";
const OFAC: &str = "U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)";
const STATE: &str = "U.S. Department of State";
const MOFCOM: &str = "Ministry of Commerce of the PRC";
const BLOCKING: &str = "All property and interests in property of the party that are in the United States or in the possession or control of US persons are blocked, and US persons are generally prohibited from dealing with the party; entities owned 50% or more by blocked persons are blocked as well.";

/// Every list an importer can produce, in code order.
const KNOWN: &[Known] = &[
    Known {
        code: "CN-MFA-AFSL",
        name: "Countermeasure List of the Ministry of Foreign Affairs (外交部反制清单)",
        authority: "Ministry of Foreign Affairs of the People's Republic of China",
        country: "CN",
        legal_basis: "Anti-Foreign Sanctions Law of the People's Republic of China (反外国制裁法), Art. 4–6, applied by MFA orders and decisions",
        measures: &[EntryBan, AssetFreeze, TransactionBan],
        meaning: "The PRC may bar the party's entry, freeze its property in China and prohibit transactions and cooperation with it; each notice states which measures apply.",
        url: "https://www.mfa.gov.cn/web/wjb_673085/zfxxgk_674865/gknrlb/fzcqdcs/",
    },
    Known {
        code: "CN-MOFCOM-AFSL",
        name: "MOFCOM countermeasure orders under the Anti-Foreign Sanctions Law (商务部反制措施)",
        authority: MOFCOM,
        country: "CN",
        legal_basis: "Anti-Foreign Sanctions Law of the PRC, applied by MOFCOM orders (商务部令)",
        measures: &[TransactionBan, AssetFreeze],
        meaning: "PRC organisations and individuals are prohibited from transactions and cooperation with the party, and its property in China may be frozen; each order states the measures.",
        url: "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html",
    },
    Known {
        code: "CN-MOFCOM-ECL",
        name: "Export Control Control List (出口管制管控名单)",
        authority: MOFCOM,
        country: "CN",
        legal_basis: "Export Control Law of the PRC (出口管制法) Art. 18; Regulations on Export Control of Dual-Use Items (State Council Decree No. 792)",
        measures: &[ExportBan],
        meaning: "Dual-use items may not be exported to the party and exports under way must stop, unless MOFCOM approves in a special case.",
        url: "https://exportcontrol.mofcom.gov.cn/zcfgList.shtml",
    },
    Known {
        code: "CN-MOFCOM-ECWL",
        name: "Export Control Watch List (关注名单)",
        authority: MOFCOM,
        country: "CN",
        legal_basis: "Regulations on Export Control of Dual-Use Items (State Council Decree No. 792), Art. 26",
        measures: &[EnhancedDueDiligence],
        meaning: "Exports of dual-use items to the party need an individual licence with a risk assessment and an end-use commitment.",
        url: "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html",
    },
    Known {
        code: "CN-MOFCOM-UEL",
        name: "Unreliable Entity List (不可靠实体清单)",
        authority: "Ministry of Commerce of the PRC, Unreliable Entity List Working Mechanism",
        country: "CN",
        legal_basis: "Provisions on the Unreliable Entity List (不可靠实体清单规定), MOFCOM Order 2020 No. 4, Art. 10",
        measures: &[ExportBan, ImportBan, InvestmentBan, EntryBan],
        meaning: "The party may not engage in China-related import or export or invest in China, and its managers may be barred from entry; notices may add fines or a ban on PRC parties trading with it.",
        url: "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html",
    },
    Known {
        code: "CN-TAO",
        name: "Taiwan Affairs Office lists of \"Taiwan independence\" diehards and accomplices",
        authority: "Taiwan Affairs Office of the State Council",
        country: "CN",
        legal_basis: "TAO designations; the sources reviewed state no statute",
        measures: &[EntryBan, TransactionBan],
        meaning: "The party and affiliated firms may be barred from entering the mainland, Hong Kong and Macao and from cooperating with mainland organisations and individuals.",
        url: "https://www.gwytb.gov.cn/zccs/zccs_61195/cjtdwgfz/",
    },
    Known {
        code: "US-BIS-DPL",
        name: "Denied Persons List (DPL)",
        authority: BIS,
        country: "US",
        legal_basis: "Export Administration Regulations, 15 CFR 764.3 and Part 766 (denial orders)",
        measures: &[ExportBan],
        meaning: "The party's export privileges are denied: no one may take part in an export or re-export of items subject to the EAR with it, as the denial order states.",
        url: "https://www.bis.gov/licensing/end-user-guidance/denied-persons-list-dpl",
    },
    Known {
        code: "US-BIS-EL",
        name: "Entity List",
        authority: BIS,
        country: "US",
        legal_basis: "Export Administration Regulations, 15 CFR 744.11; Supplement No. 4 to Part 744",
        measures: &[LicenceRequirement],
        meaning: "A licence is required to export, re-export or transfer items subject to the EAR to the party; applications are usually reviewed under a presumption of denial.",
        url: "https://www.bis.gov/entity-list",
    },
    Known {
        code: "US-BIS-MEU",
        name: "Military End-User (MEU) List",
        authority: BIS,
        country: "US",
        legal_basis: "Export Administration Regulations, 15 CFR 744.21; Supplement No. 7 to Part 744",
        measures: &[LicenceRequirement],
        meaning: "A licence is required to export, re-export or transfer to the party any item listed in Supplement No. 2 to Part 744; applications are reviewed under a presumption of denial.",
        url: "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/appendix-Supplement%20No.%207%20to%20Part%20744",
    },
    Known {
        code: "US-BIS-UVL",
        name: "Unverified List (UVL)",
        authority: BIS,
        country: "US",
        legal_basis: "Export Administration Regulations, 15 CFR 744.15; Supplement No. 6 to Part 744",
        measures: &[EnhancedDueDiligence],
        meaning: "BIS could not verify the party's bona fides: licence exceptions are unavailable and exporters must obtain a UVL statement before shipping.",
        url: "https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/appendix-Supplement%20No.%206%20to%20Part%20744",
    },
    Known {
        code: "US-DHS-UFLPA",
        name: "Uyghur Forced Labor Prevention Act (UFLPA) Entity List",
        authority: "U.S. Department of Homeland Security, Forced Labor Enforcement Task Force",
        country: "US",
        legal_basis: "Uyghur Forced Labor Prevention Act, Pub. L. 117-78, section 2(d)(2)(B)",
        measures: &[ImportBan],
        meaning: "Goods made wholly or in part by the party are presumed made with forced labor and barred from entry into the United States.",
        url: "https://www.dhs.gov/uflpa-entity-list",
    },
    Known {
        code: "US-DOD-1260H",
        name: "Chinese Military Companies (Section 1260H List)",
        authority: "U.S. Department of Defense",
        country: "US",
        legal_basis: "Section 1260H of the NDAA for Fiscal Year 2021 (Pub. L. 116-283); section 805 of the NDAA for Fiscal Year 2024",
        measures: &[ProcurementBan],
        meaning: "DoD has identified the company as a Chinese military company operating in the United States; DoD contracting and procurement restrictions apply.",
        url: "https://www.defense.gov/pubs/cmc-list/",
    },
    Known {
        code: "US-OFAC-CAPTA",
        name: "List of Foreign Financial Institutions Subject to Correspondent Account or Payable-Through Account Sanctions (CAPTA List)",
        authority: OFAC,
        country: "US",
        legal_basis: "Executive orders and statutes imposing correspondent or payable-through account sanctions (e.g. Iran sanctions, programme tag 561-Related)",
        measures: &[TransactionBan],
        meaning: "US financial institutions may not open or maintain correspondent or payable-through accounts for the institution, or only under strict conditions.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        code: "US-OFAC-CONS",
        name: "OFAC Consolidated Sanctions List (non-SDN), other programmes",
        authority: OFAC,
        country: "US",
        legal_basis: "The executive order or statute named by each entry's programme tag",
        measures: &[TransactionBan],
        meaning: "The party is subject to the restrictions of its programme (not a full blocking); read the programme tag and the OFAC notice.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        code: "US-OFAC-FSE",
        name: "Foreign Sanctions Evaders List (FSE)",
        authority: OFAC,
        country: "US",
        legal_basis: "Executive Order 13608",
        measures: &[TransactionBan],
        meaning: "US persons may not provide or procure goods, services or technology to or from the party; its property is not blocked.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        code: "US-OFAC-NSCMIC",
        name: "Non-SDN Chinese Military-Industrial Complex Companies List (NS-CMIC List)",
        authority: OFAC,
        country: "US",
        legal_basis: "Executive Order 13959, as amended by Executive Order 14032; programme tag CMIC-EO13959",
        measures: &[SecuritiesBan],
        meaning: "US persons may not purchase or sell publicly traded securities of the company or securities derivative of them; the company is not blocked.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list/ns-cmic-list",
    },
    Known {
        code: "US-OFAC-NSMBS",
        name: "Non-SDN Menu-Based Sanctions List (NS-MBS List)",
        authority: OFAC,
        country: "US",
        legal_basis: "Executive orders and statutes allowing menu-based sanctions (e.g. CAATSA, EO 14024)",
        measures: &[TransactionBan],
        meaning: "The measures chosen from the programme's menu apply to the party; it is not fully blocked.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        code: "US-OFAC-PLC",
        name: "Non-SDN Palestinian Legislative Council List (NS-PLC)",
        authority: OFAC,
        country: "US",
        legal_basis: "Global Terrorism Sanctions Regulations, 31 CFR Part 594; programme tag NS-PLC",
        measures: &[TransactionBan],
        meaning: "The party is a member of the Palestinian Legislative Council elected on a party slate of a designated terrorist organisation; certain transactions are prohibited.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        code: "US-OFAC-SDN",
        name: "Specially Designated Nationals and Blocked Persons List (SDN List)",
        authority: OFAC,
        country: "US",
        legal_basis: "Executive orders under the International Emergency Economic Powers Act (50 U.S.C. 1701 et seq.) and other statutes, one per programme tag",
        measures: &[AssetFreeze, TransactionBan],
        meaning: BLOCKING,
        url: "https://sanctionslist.ofac.treas.gov/Home/SdnList",
    },
    Known {
        code: "US-OFAC-SSI",
        name: "Sectoral Sanctions Identifications List (SSI)",
        authority: OFAC,
        country: "US",
        legal_basis: "Executive Order 13662 and its directives",
        measures: &[SecuritiesBan, TransactionBan],
        meaning: "US persons may not deal in new debt or equity of the party, or engage in the activities its directive names; the party is not blocked.",
        url: "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
    },
    Known {
        code: "US-STATE-DTC",
        name: "ITAR Debarred List (DTC)",
        authority: "U.S. Department of State, Directorate of Defense Trade Controls (DDTC)",
        country: "US",
        legal_basis: "International Traffic in Arms Regulations, 22 CFR 127.7 and 120.1(c)",
        measures: &[ExportBan],
        meaning: "The party is debarred from taking part, directly or indirectly, in the export of defence articles, technical data or defence services.",
        url: "https://www.pmddtc.state.gov/",
    },
    Known {
        code: "US-STATE-ISN",
        name: "Nonproliferation Sanctions (ISN)",
        authority: STATE,
        country: "US",
        legal_basis: "Nonproliferation statutes and executive orders (e.g. INKSNA, EO 12938, the Arms Export Control Act)",
        measures: &[ProcurementBan, ExportBan],
        meaning: "The measures of the statute named in the determination apply, typically a ban on US government procurement and on export licences for the party.",
        url: "https://www.state.gov/key-topics-bureau-of-international-security-and-nonproliferation/nonproliferation-sanctions/",
    },
];

/// The metadata of a list an importer can produce.
pub fn meta(code: &str) -> Option<ListMeta> {
    KNOWN.iter().find(|k| k.code == code).map(|k| ListMeta {
        code: k.code.into(),
        name: k.name.into(),
        authority: k.authority.into(),
        imposing_country: k.country.into(),
        legal_basis: k.legal_basis.into(),
        measures: k.measures.to_vec(),
        meaning: k.meaning.into(),
        url: k.url.into(),
    })
}

/// The list of a trade.gov CSL `source` value (matched on the abbreviation in parentheses, so
/// small wording changes of the long name do not matter).
pub fn csl_source(source: &str) -> Option<&'static str> {
    let abbreviation = source
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside.trim())?;
    Some(match abbreviation {
        "SDN" => "US-OFAC-SDN",
        "EL" => "US-BIS-EL",
        "MEU" => "US-BIS-MEU",
        "UVL" => "US-BIS-UVL",
        "DPL" => "US-BIS-DPL",
        "DTC" => "US-STATE-DTC",
        "ISN" => "US-STATE-ISN",
        "SSI" => "US-OFAC-SSI",
        "FSE" => "US-OFAC-FSE",
        "NS-MBS List" | "NS-MBS" => "US-OFAC-NSMBS",
        "CMIC" => "US-OFAC-NSCMIC",
        "PLC" => "US-OFAC-PLC",
        "CAP" => "US-OFAC-CAPTA",
        _ => return None,
    })
}

/// The list of a record of OFAC's consolidated (non-SDN) files, from its programme tags.
pub fn ofac_consolidated(programs: &[String]) -> &'static str {
    let has = |f: &dyn Fn(&str) -> bool| programs.iter().any(|p| f(p.as_str()));
    if has(&|p| p == "CMIC-EO13959") {
        "US-OFAC-NSCMIC"
    } else if has(&|p| p == "NS-PLC") {
        "US-OFAC-PLC"
    } else if has(&|p| p.starts_with("FSE-")) {
        "US-OFAC-FSE"
    } else if has(&|p| p == "561-Related") {
        "US-OFAC-CAPTA"
    } else if has(&|p| p == "UKRAINE-EO13662") {
        "US-OFAC-SSI"
    } else {
        "US-OFAC-CONS"
    }
}

/// The list of an OpenSanctions programme id (`Sanction.programId`), where we hold that list.
pub fn opensanctions_program(program_id: &str) -> Option<&'static str> {
    Some(match program_id.trim() {
        "CN-CML" => "CN-MFA-AFSL",
        "CN-UEL" => "CN-MOFCOM-UEL",
        "CN-ECL" => "CN-MOFCOM-ECL",
        "CN-ECWL" => "CN-MOFCOM-ECWL",
        "CN-AFSL" | "CN-MOFCOM-AFSL" => "CN-MOFCOM-AFSL",
        p if p.starts_with("CN-TAO") => "CN-TAO",
        "US-BIS-EL" => "US-BIS-EL",
        "US-BIS-MEU" => "US-BIS-MEU",
        "US-BIS-UVL" => "US-BIS-UVL",
        "US-BIS-DPL" => "US-BIS-DPL",
        "US-NS-CMIC" => "US-OFAC-NSCMIC",
        "US-DOD-1260H" => "US-DOD-1260H",
        "US-UFLPA" => "US-DHS-UFLPA",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mapped_code_has_valid_metadata() {
        let mut codes: Vec<&str> = KNOWN.iter().map(|k| k.code).collect();
        let sorted = {
            let mut s = codes.clone();
            s.sort();
            s.dedup();
            s
        };
        assert_eq!(codes, sorted, "KNOWN must be sorted without duplicates");
        codes.extend(
            [
                "SDN",
                "EL",
                "MEU",
                "UVL",
                "DPL",
                "DTC",
                "ISN",
                "SSI",
                "FSE",
                "NS-MBS List",
                "CMIC",
                "PLC",
                "CAP",
            ]
            .iter()
            .filter_map(|a| csl_source(&format!("X ({a}) - Y"))),
        );
        codes.extend(
            [
                "CN-CML",
                "CN-UEL",
                "CN-ECL",
                "CN-ECWL",
                "CN-TAO-DIEHARD",
                "US-UFLPA",
                "US-NS-CMIC",
            ]
            .iter()
            .filter_map(|p| opensanctions_program(p)),
        );
        codes.push(ofac_consolidated(&[]));
        for code in codes {
            let meta = meta(code).unwrap_or_else(|| panic!("{code} has no metadata"));
            meta.validate().unwrap();
        }
    }

    #[test]
    fn csl_sources() {
        assert_eq!(
            csl_source("Entity List (EL) - Bureau of Industry and Security"),
            Some("US-BIS-EL")
        );
        assert_eq!(
            csl_source("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department"),
            Some("US-OFAC-NSCMIC")
        );
        assert_eq!(csl_source("Something else"), None);
    }
}
