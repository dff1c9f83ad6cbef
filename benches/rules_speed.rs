//! Rules speed on 10,000 series (5,000 studies × 2 series, hand-made, no files) with
//! 20 rules (the 9 default rules and 11 more of every kind): building the facts once,
//! then evaluating, which the viewer does on every edit of the rules file (target:
//! well under 100 ms).
//!
//! `cargo bench --no-default-features --bench rules_speed` (prints a table; not a test).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lightbox::claims::ClaimsTable;
use lightbox::index::{Index, Instance};
use lightbox::rules::{DEFAULT_RULES, Facts, Reports, RuleSet, evaluate};

const STUDIES: usize = 5000;

const DESCRIPTIONS: [(&str, &str, &str, &str); 4] = [
    ("CT CHEST W/O CONTRAST", "CHEST 5mm", "CHEST", "CT"),
    ("ＣＴ　HEAD 頭部", "HEAD 5mm BONE", "HEAD", "CT"),
    ("CHEST PA", "CHEST PA", "CHEST", "CR"),
    ("MRI BRAIN", "T1 AXIAL 定位", "BRAIN", "MR"),
];

const ICDS: [&str; 6] = ["R911", "C3411", "J189", "I639", "R519", "S62309A"];

fn release() -> (Index, ClaimsTable) {
    let mut instances = Vec::new();
    let mut rows = Vec::new();
    for study in 0..STUDIES {
        let (study_desc, series_desc, body, modality) = DESCRIPTIONS[study % 4];
        for series in 0..2 {
            let (study_uid, series_uid) = (format!("1.2.{study}"), format!("1.2.{study}.{series}"));
            let value = serde_json::json!({
                "path": format!("/x/{study}/{series}"), "file_name": "IM0001.dcm",
                "file_size": 1, "mtime_ns": 0, "transfer_syntax": "1.2.840.10008.1.2.1",
                "sop_class_uid": "1.2.840.10008.5.1.4.1.1.2", "sop_uid": format!("{series_uid}.1"),
                "frames": 1, "rows": 1, "cols": 1, "samples_per_pixel": 1, "bits_allocated": 16,
                "patient_id": format!("P{study}"), "study_uid": study_uid, "series_uid": series_uid,
                "series_number": series, "study_description": study_desc,
                "series_description": series_desc, "body_part": body, "modality": modality,
                "accession_number": format!("A{study}"),
            });
            instances.push(serde_json::from_value::<Instance>(value).expect("instance"));
            let icd = |k: usize| ICDS[(study + k) % ICDS.len()].to_owned();
            rows.push(vec![
                study_uid,
                series_uid,
                icd(0),
                icd(1),
                icd(2),
                "33072B".to_owned(),
                "U".to_owned(),
                modality.to_owned(),
                "1".to_owned(),
                (10 + study % 80).to_string(),
                if study % 2 == 0 { "M" } else { "F" }.to_owned(),
            ]);
        }
    }
    let columns = [
        "StudyInstanceId",
        "SeriesInstanceId",
        "ICD1",
        "ICD2",
        "ICD3",
        "ORDER_CODE",
        "CURE_PATH",
        "MODALITY",
        "HOSP_CNT_TYPE",
        "PATIENT_AGE",
        "PATIENT_SEX",
    ];
    let index = Index::from_instances(PathBuf::from("/x"), instances);
    let table = ClaimsTable::new(columns.iter().map(|c| (*c).to_owned()).collect(), rows);
    (index, table)
}

fn reports(dir: &std::path::Path) -> Reports {
    let path = dir.join("REPORT.csv");
    let mut text = String::from("AccessionNumber,text\n");
    for study in 0..STUDIES {
        text.push_str(&format!(
            "A{study},\"No pleural effusion. A {} mm nodule in the right upper lobe. 肺部未見結節。無氣胸。\"\n",
            study % 20
        ));
    }
    std::fs::write(&path, text).expect("write reports");
    Reports::load(&path).expect("reports")
}

/// The default rules and 11 more.
fn rules() -> RuleSet {
    let mut text = DEFAULT_RULES.to_owned();
    let extra = [
        "icd = [\"C34*\", \"C33-C34.9\"]",
        "icd_principal = [\"J12-J18.9\"]\nage = [40, 80]",
        "text = [\"nodule\", \"結節\"]",
        "report = [\"pneumothorax\", \"氣胸\"]",
        "series_description = [\"bone\"]\nnot = { sex = \"F\" }",
        "modality = [\"CT\", \"MR\"]\nany = [{ cure_path = \"U\" }, { text = \"chest\" }]",
        "order_code = \"33072B\"\nhosp_cnt_type = 1",
        "all = [{ icd = \"R5?9\" }, { body_part = \"brain\" }]",
        "protocol_name = \"screening\"",
        "study_description = [\"ct\", \"頭部\"]\nage = [60, 120]",
        "text = [\"effusion\", \"mass\", \"腫塊\", \"abstract\"]",
    ];
    for (i, when) in extra.iter().enumerate() {
        let decision = if i % 2 == 0 { "keep" } else { "drop" };
        let level = if i % 3 == 0 { "series" } else { "study" };
        text.push_str(&format!(
            "\n[[rule]]\nname = \"extra {i}\"\ndecision = \"{decision}\"\nlevel = \"{level}\"\n[rule.when]\n{when}\n"
        ));
    }
    RuleSet::parse(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// The best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (index, table) = release();
    let reports = reports(dir.path());
    let rules = rules();
    let facts = Facts::build(&index, &table, Some(&reports));
    let build = best(3, || {
        std::hint::black_box(Facts::build(&index, &table, Some(&reports)));
    });
    let mut proposals = 0;
    let eval = best(10, || {
        proposals = std::hint::black_box(evaluate(&rules, &facts))
            .proposals
            .len();
    });
    println!(
        "rules_speed: {} series, {} rules, {proposals} proposals",
        facts.series_count(),
        rules.rules.len()
    );
    println!("  build facts   {:>8.1} ms", build.as_secs_f64() * 1e3);
    println!("  evaluate      {:>8.1} ms", eval.as_secs_f64() * 1e3);
}
