//! The default rules on the bundled sample release: exactly the proposals a reviewer
//! reading the claims, DICOM descriptions and reports would expect, and no others.
//!
//! The table was written from the data (`sample-data/DATA/ADHOC_20210407_102537.csv`,
//! `REPORT_20210407_102537.csv`, the DICOM headers), not from the program's output.

mod common;

use std::collections::HashMap;

use common::repo;
use lightbox::claims::Claims;
use lightbox::index::{Index, ScanOptions};
use lightbox::review::Decision;
use lightbox::rules::{Facts, Reports, RuleSet, evaluate};

/// Scans the sample release without touching the user's cache.
fn sample() -> Index {
    let options = ScanOptions {
        no_cache: true,
        cache_path: None,
    };
    Index::open(&repo().join("sample-data"), &options, &|_| {}).expect("scan sample-data")
}

/// One expected proposal: rule, study description, series description (series level),
/// decision, label, and every `field = value` it matched.
type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<Decision>,
    Option<&'static str>,
    &'static [&'static str],
);

/// A [`Row`] with owned values, to compare with what the evaluation gives.
type OwnedRow = (
    String,
    String,
    Option<String>,
    Option<Decision>,
    Option<String>,
    Vec<String>,
);

const NODULE: &str = "lung nodule or lung cancer on chest CT";
const PNEUMONIA: &str = "pneumonia on chest radiograph";
const HEADACHE: &str = "headache or migraine: brain MR or head CT";
const STROKE: &str = "stroke on head CT in adults";
const FRACTURE: &str = "fracture on radiograph";
const BONE: &str = "drop bone-window reconstructions";
const SCOUT: &str = "drop localizer and scout series";
const CHILDREN: &str = "drop paediatric studies";
const OBSTETRIC: &str = "drop obstetric ultrasound";

const KEEP: Option<Decision> = Some(Decision::Keep);
const DROP: Option<Decision> = Some(Decision::Drop);

/// In rule order, then the index's order of studies (by patient, then date):
/// MRI KNEE, MRI BRAIN, CT HEAD, CHEST PA, US ABDOMEN, CT CHEST, CT CHEST FOLLOW-UP,
/// CT ABDOMEN, HAND.
const EXPECTED: &[Row] = &[
    // Both series have the claims row ICD1 R911 (solitary pulmonary nodule), MODALITY
    // CT; the report's second sentence names the nodule without a negation.
    (
        NODULE,
        "CT CHEST W/O CONTRAST",
        None,
        KEEP,
        Some("nodule"),
        &[
            "MODALITY = CT",
            "ICD1 = R91.1",
            "report = A 6 mm solid nodule in the right upper lobe.",
        ],
    ),
    // ICD1 C3411 (lung cancer, RUL) on CT; its report is keyed by AccessionNumber
    // A0000002 and says "Known RUL nodule".
    (
        NODULE,
        "CT CHEST FOLLOW-UP",
        None,
        KEEP,
        Some("nodule"),
        &[
            "MODALITY = CT",
            "ICD1 = C34.11",
            "report = Known RUL nodule, now 9 mm, suspicious for malignancy.",
        ],
    ),
    // (CT ABDOMEN is CT too, but its report only says "No nodule in the liver." and
    // "未見明顯結節": both negated, so no proposal.)
    //
    // CR with ICD1 J189, inside J12-J18.9; the report (by accession A0000004) says
    // 肺炎 and 實質化; age 71 is not paediatric.
    (
        PNEUMONIA,
        "CHEST PA",
        None,
        KEEP,
        Some("consolidation"),
        &[
            "MODALITY = CR",
            "ICD1 = J18.9",
            "report = 右下肺葉實質化，符合肺炎。",
        ],
    ),
    // ICD1 R519 (headache; ICD2 G439 migraine too), MR, "MRI BRAIN".
    (
        HEADACHE,
        "MRI BRAIN",
        None,
        KEEP,
        None,
        &[
            "ICD1 = R51.9",
            "MODALITY = MR",
            "StudyDescription = MRI BRAIN",
        ],
    ),
    // ICD1 I639 (cerebral infarction) is the principal diagnosis, CT, age 80; only
    // the HEAD 5mm series has a claims row, which is enough for the study.
    (
        STROKE,
        "CT HEAD W/O CONTRAST",
        None,
        KEEP,
        None,
        &["ICD1 = I63.9", "MODALITY = CT", "PATIENT_AGE = 80"],
    ),
    // DX with ICD1 S62309A (metacarpal fracture) matching S?2*; the report's
    // "no fracture" is negated and adds nothing.
    (
        FRACTURE,
        "HAND 2 VIEWS",
        None,
        KEEP,
        Some("fracture"),
        &["MODALITY = DX", "ICD1 = S62.309A"],
    ),
    // Series descriptions with "BONE" on a head and a chest (DICOM text only, so the
    // HEAD 5mm BONE series without claims rows matches as well). The chest one is
    // inside the kept CT CHEST study: a refinement, not a conflict.
    (
        BONE,
        "CT HEAD W/O CONTRAST",
        Some("HEAD 5mm BONE"),
        DROP,
        None,
        &[
            "SeriesDescription = HEAD 5mm BONE",
            "BodyPartExamined = HEAD",
        ],
    ),
    (
        BONE,
        "CT CHEST W/O CONTRAST",
        Some("CHEST 5mm BONE"),
        DROP,
        None,
        &[
            "SeriesDescription = CHEST 5mm BONE",
            "BodyPartExamined = CHEST",
        ],
    ),
    // No scout series, nobody under 18 (youngest 29), and the only US is a man's.
];

/// Per rule: studies, series, images (the sample's series have 32, 16, 32, 16, 1, 1,
/// 24, 1, 12, 12 and 12 images).
const COUNTS: &[(&str, usize, usize, usize)] = &[
    (NODULE, 2, 3, 32 + 16 + 32),
    (PNEUMONIA, 1, 1, 1),
    (HEADACHE, 1, 1, 16),
    (STROKE, 1, 2, 12 + 12),
    (FRACTURE, 1, 1, 1),
    (BONE, 2, 2, 12 + 16),
    (SCOUT, 0, 0, 0),
    (CHILDREN, 0, 0, 0),
    (OBSTETRIC, 0, 0, 0),
];

#[test]
fn default_rules_on_the_sample_release() {
    let index = sample();
    let claims = Claims::load_for_release(&index.root, &index.layout).expect("claims");
    let reports = Reports::load_for_release(&index.root, &index.layout)
        .expect("reports read")
        .expect("the sample has a report csv");
    assert_eq!(reports.len(), 6);
    assert!(reports.notes.is_empty(), "{:?}", reports.notes);
    let rules = RuleSet::load(&repo().join("assets/rules/default.toml")).expect("default rules");
    let facts = Facts::build(&index, claims.table(), Some(&reports));
    assert_eq!((facts.study_count(), facts.series_count()), (9, 11));
    let eval = evaluate(&rules, &facts);

    let study_description: HashMap<&str, &str> = index
        .studies()
        .map(|s| (s.study_uid.as_str(), s.description.as_deref().unwrap_or("")))
        .collect();
    let series_description: HashMap<&str, &str> = index
        .series()
        .map(|s| {
            (
                s.series_uid.as_str(),
                s.description.as_deref().unwrap_or(""),
            )
        })
        .collect();
    let got: Vec<OwnedRow> = eval
        .proposals
        .iter()
        .map(|p| {
            (
                p.rule.clone(),
                study_description[p.study_uid.as_str()].to_owned(),
                p.series_uid
                    .as_deref()
                    .map(|s| series_description[s].to_owned()),
                p.decision,
                p.label.clone(),
                p.matched.iter().map(ToString::to_string).collect(),
            )
        })
        .collect();
    let expected: Vec<OwnedRow> = EXPECTED
        .iter()
        .map(|(rule, study, series, decision, label, matched)| {
            (
                (*rule).to_owned(),
                (*study).to_owned(),
                series.map(str::to_owned),
                *decision,
                label.map(str::to_owned),
                matched.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(got, expected);

    let counts: Vec<(&str, usize, usize, usize)> = eval
        .rules
        .iter()
        .map(|c| (c.name.as_str(), c.studies, c.series, c.images))
        .collect();
    assert_eq!(counts, COUNTS);
    assert_eq!(eval.conflicts, []);
}

#[test]
fn without_reports_the_rules_fall_back_to_claims_and_tags() {
    let index = sample();
    let claims = Claims::load_for_release(&index.root, &index.layout).expect("claims");
    let rules = RuleSet::parse(lightbox::rules::DEFAULT_RULES).expect("default rules");
    let eval = evaluate(&rules, &Facts::build(&index, claims.table(), None));
    // Every proposal above still stands (each has a claims or tag reason), without
    // its report sentence.
    assert_eq!(eval.proposals.len(), EXPECTED.len());
    assert!(
        eval.proposals
            .iter()
            .all(|p| p.matched.iter().all(|m| m.field != "report"))
    );
}
