//! `lightbox synth`: a deterministic, synthetic, de-identified release.
//!
//! The committed `sample-data/` is exactly the default output (a test regenerates
//! it and compares), so every byte here must be reproducible: fixed UIDs derived
//! by hashing, our own PRNG, our own encoders. With a scale option it writes N
//! CT studies of one series each, for benchmarks.

pub mod claims;
pub mod dicom_out;
pub mod phantom;
pub mod rng;

use std::path::{Path, PathBuf};

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use rayon::prelude::*;

use crate::fsutil::write_atomic;
use dicom_out::{Dataset, Pixels, Syntax, SynthError, encode_file};
use phantom::{Anatomy, SliceGeometry};
use rng::{Rng, hash64, uid};

/// The release id of the sample release.
pub const SAMPLE_RELEASE_ID: &str = "20210407_102537";

/// What to write.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// `Some((studies, slices, size))`: N CT studies of one M-slice PX×PX series each.
    pub scale: Option<(u32, u32, u32)>,
    /// Seed for UIDs and noise.
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Files written (DICOM, claims, and the stray files).
    pub files: usize,
}

/// What a series shows.
#[derive(Debug, Clone, Copy)]
enum Content {
    Slices(Anatomy),
    Ultrasound { frames: u32 },
}

#[derive(Debug, Clone)]
struct SeriesPlan {
    number: i64,
    modality: &'static str,
    description: &'static str,
    body_part: &'static str,
    content: Content,
    syntax: Syntax,
    slices: u32,
    rows: u32,
    cols: u32,
    spacing_mm: f64,
    thickness_mm: f64,
    /// Name files without `.dcm`.
    no_extension: bool,
    /// Write the bare data set: no preamble, no file meta (implicit VR LE).
    bare_dataset: bool,
    /// Number files against the slice order (to test sorting by position).
    reverse_names: bool,
    /// Has a claims row.
    claims: bool,
    /// Window centre, width, explanation.
    windows: &'static [(f64, f64, &'static str)],
    voi_function: Option<&'static str>,
}

#[derive(Debug, Clone)]
struct StudyPlan {
    patient: usize,
    date: &'static str,
    description: &'static str,
    order_code: &'static str,
    cure_path: &'static str,
    icd: [&'static str; 5],
    series: Vec<SeriesPlan>,
}

#[derive(Debug, Clone, Copy)]
struct PatientPlan {
    sex: &'static str,
    age: u32,
    died: Option<&'static str>,
}

impl SeriesPlan {
    fn ct(
        number: i64,
        description: &'static str,
        body_part: &'static str,
        anatomy: Anatomy,
        syntax: Syntax,
        slices: u32,
    ) -> Self {
        Self {
            number,
            modality: "CT",
            description,
            body_part,
            content: Content::Slices(anatomy),
            syntax,
            slices,
            rows: 256,
            cols: 256,
            spacing_mm: 1.4,
            thickness_mm: 5.0,
            no_extension: false,
            bare_dataset: false,
            reverse_names: false,
            claims: true,
            windows: &[(40.0, 400.0, "MEDIASTINUM"), (-600.0, 1500.0, "LUNG")],
            voi_function: None,
        }
    }
}

const CT_IMAGE: &str = uids::CT_IMAGE_STORAGE;

fn sample_plan() -> (Vec<PatientPlan>, Vec<StudyPlan>) {
    let patients = vec![
        PatientPlan {
            sex: "M",
            age: 63,
            died: None,
        },
        PatientPlan {
            sex: "F",
            age: 48,
            died: None,
        },
        PatientPlan {
            sex: "F",
            age: 71,
            died: None,
        },
        PatientPlan {
            sex: "M",
            age: 35,
            died: None,
        },
        PatientPlan {
            sex: "M",
            age: 56,
            died: None,
        },
        PatientPlan {
            sex: "F",
            age: 29,
            died: None,
        },
        PatientPlan {
            sex: "M",
            age: 80,
            died: Some("202103"),
        },
        PatientPlan {
            sex: "F",
            age: 52,
            died: None,
        },
    ];
    let mut chest_rle = SeriesPlan::ct(
        3,
        "CHEST 5mm BONE",
        "CHEST",
        Anatomy::CtChest {
            nodule_radius_mm: 6.0,
        },
        Syntax::Rle,
        16,
    );
    chest_rle.reverse_names = true;
    chest_rle.windows = &[(400.0, 1800.0, "BONE")];
    let mut head_bone = SeriesPlan::ct(
        3,
        "HEAD 5mm BONE",
        "HEAD",
        Anatomy::CtHead,
        Syntax::ExplicitLe,
        12,
    );
    head_bone.claims = false;
    head_bone.windows = &[(400.0, 1800.0, "BONE")];
    let mut head = SeriesPlan::ct(
        2,
        "HEAD 5mm",
        "HEAD",
        Anatomy::CtHead,
        Syntax::ExplicitLe,
        12,
    );
    head.windows = &[(40.0, 80.0, "BRAIN")];
    // MR and projection series differ from the CT default only in these fields.
    let mr = |number, description, body_part, anatomy, syntax, slices, no_extension| SeriesPlan {
        modality: "MR",
        spacing_mm: 0.9,
        thickness_mm: 4.0,
        no_extension,
        windows: &[(1300.0, 2600.0, "")],
        ..SeriesPlan::ct(number, description, body_part, anatomy, syntax, slices)
    };
    let projection = |modality,
                      description,
                      body_part,
                      anatomy,
                      syntax,
                      rows,
                      cols,
                      spacing_mm,
                      windows,
                      voi_function| SeriesPlan {
        modality,
        rows,
        cols,
        spacing_mm,
        thickness_mm: 0.0,
        bare_dataset: modality == "CR",
        windows,
        voi_function,
        ..SeriesPlan::ct(1, description, body_part, anatomy, syntax, 1)
    };
    let studies = vec![
        StudyPlan {
            patient: 0,
            date: "20200302",
            description: "CT CHEST W/O CONTRAST",
            order_code: "33072B",
            cure_path: "U",
            icd: ["R911", "J449", "", "", ""],
            series: vec![
                SeriesPlan::ct(
                    2,
                    "CHEST 5mm",
                    "CHEST",
                    Anatomy::CtChest {
                        nodule_radius_mm: 6.0,
                    },
                    Syntax::ExplicitLe,
                    32,
                ),
                chest_rle,
            ],
        },
        StudyPlan {
            patient: 0,
            date: "20200915",
            description: "CT CHEST FOLLOW-UP",
            order_code: "33072B",
            cure_path: "U",
            icd: ["C3411", "R911", "I10", "", ""],
            series: vec![SeriesPlan::ct(
                2,
                "CHEST 5mm",
                "CHEST",
                Anatomy::CtChest {
                    nodule_radius_mm: 9.0,
                },
                Syntax::JpegLossless,
                32,
            )],
        },
        StudyPlan {
            patient: 1,
            date: "20200611",
            description: "MRI BRAIN",
            order_code: "33084B",
            cure_path: "H",
            icd: ["R519", "G439", "", "", ""],
            series: vec![mr(
                4,
                "T1 AXIAL",
                "BRAIN",
                Anatomy::MrBrain,
                Syntax::J2kLossless,
                16,
                true,
            )],
        },
        StudyPlan {
            patient: 2,
            date: "20201103",
            description: "CHEST PA",
            order_code: "32001C",
            cure_path: "U",
            icd: ["J189", "R05", "", "", ""],
            series: vec![projection(
                "CR",
                "CHEST PA",
                "CHEST",
                Anatomy::CrChest,
                Syntax::ImplicitLe,
                512,
                448,
                0.8,
                &[(2100.0, 3800.0, "FULL"), (2600.0, 2000.0, "LUNG")],
                None,
            )],
        },
        StudyPlan {
            patient: 3,
            date: "20210112",
            description: "US ABDOMEN",
            order_code: "19001C",
            cure_path: "C",
            icd: ["K8020", "R109", "", "", ""],
            series: vec![SeriesPlan {
                number: 1,
                modality: "US",
                description: "RUQ CLIP",
                body_part: "ABDOMEN",
                content: Content::Ultrasound { frames: 12 },
                syntax: Syntax::JpegBaseline,
                slices: 1,
                rows: 240,
                cols: 320,
                spacing_mm: 0.3,
                thickness_mm: 0.0,
                no_extension: false,
                bare_dataset: false,
                reverse_names: false,
                claims: true,
                windows: &[],
                voi_function: None,
            }],
        },
        StudyPlan {
            patient: 4,
            date: "20200820",
            description: "CT ABDOMEN W CONTRAST",
            order_code: "33070B",
            cure_path: "I",
            icd: ["K7460", "R160", "E119", "", ""],
            series: vec![{
                let mut s = SeriesPlan::ct(
                    2,
                    "ABD 5mm PORTAL",
                    "ABDOMEN",
                    Anatomy::CtAbdomen,
                    Syntax::J2kLossless,
                    24,
                );
                s.windows = &[(60.0, 400.0, "ABDOMEN"), (60.0, 160.0, "LIVER")];
                s
            }],
        },
        StudyPlan {
            patient: 4,
            date: "20210302",
            description: "HAND 2 VIEWS",
            order_code: "32011C",
            cure_path: "E",
            icd: ["S62309A", "", "", "", ""],
            series: vec![projection(
                "DX",
                "HAND PA",
                "HAND",
                Anatomy::DxHand,
                Syntax::Deflated,
                320,
                256,
                0.5,
                &[(1700.0, 3200.0, "SIGMOID")],
                Some("SIGMOID"),
            )],
        },
        StudyPlan {
            patient: 5,
            date: "20201215",
            description: "MRI KNEE",
            order_code: "33084B",
            cure_path: "E",
            icd: ["M25561", "S83241A", "", "", ""],
            series: vec![mr(
                3,
                "PD SAGITTAL",
                "KNEE",
                Anatomy::MrKnee,
                Syntax::Rle,
                12,
                false,
            )],
        },
        StudyPlan {
            patient: 6,
            date: "20210118",
            description: "CT HEAD W/O CONTRAST",
            order_code: "33070B",
            cure_path: "H",
            icd: ["I639", "I10", "E785", "N183", ""],
            series: vec![head, head_bone],
        },
    ];
    (patients, studies)
}

fn scale_plan(studies: u32, slices: u32, size: u32) -> (Vec<PatientPlan>, Vec<StudyPlan>) {
    let patients = (0..studies)
        .map(|i| PatientPlan {
            sex: if i % 2 == 0 { "M" } else { "F" },
            age: 40 + i % 45,
            died: None,
        })
        .collect();
    let plans = (0..studies as usize)
        .map(|i| StudyPlan {
            patient: i,
            date: "20210101",
            description: "CT CHEST W/O CONTRAST",
            order_code: "33072B",
            cure_path: "U",
            icd: ["R911", "", "", "", ""],
            series: vec![SeriesPlan {
                rows: size,
                cols: size,
                spacing_mm: 360.0 / f64::from(size.max(1)),
                thickness_mm: 1.0,
                ..SeriesPlan::ct(
                    2,
                    "CHEST 1mm",
                    "CHEST",
                    Anatomy::CtChest {
                        nodule_radius_mm: 6.0,
                    },
                    Syntax::ExplicitLe,
                    slices,
                )
            }],
        })
        .collect();
    (patients, plans)
}

fn patient_id(seed: u64, index: usize) -> String {
    format!(
        "{:016X}",
        hash64(&["patient", &seed.to_string(), &index.to_string()])
    )
}

/// Writes the sample release (or the scale release) under `out`.
pub fn write_release(out: &Path, options: &SynthOptions) -> Result<Summary, SynthError> {
    let (patients, studies) = match options.scale {
        Some((n, slices, size)) => {
            if n == 0 || slices == 0 || !(16..=4096).contains(&size) {
                return Err(SynthError::Write(
                    "need --studies ≥ 1, --slices ≥ 1 and 16 ≤ --size ≤ 4096".into(),
                ));
            }
            scale_plan(n, slices, size)
        }
        None => sample_plan(),
    };
    let release = SAMPLE_RELEASE_ID;
    let seed = options.seed;
    let image_root = out.join("IMAGE").join(release);
    let data_dir = out.join("DATA");
    for d in [&image_root, &data_dir, &out.join("TAKEOUT")] {
        std::fs::create_dir_all(d)?;
    }
    let mut claims_rows: Vec<Vec<String>> = Vec::new();
    let mut files = 0usize;
    for (si, study) in studies.iter().enumerate() {
        let p = patients[study.patient];
        let pid = patient_id(seed, study.patient);
        let s = seed.to_string();
        let study_key = format!("study{si}");
        let study_uid = uid(&[&s, &study_key]);
        let study_dir = image_root.join(format!("ST{:04}", si + 1));
        let hosp_id = format!(
            "{:010X}",
            hash64(&["hosp", &s, &(si % 3).to_string()]) >> 24
        );
        for series in &study.series {
            let series_key = format!("{study_key}/series{}", series.number);
            let series_uid = uid(&[&s, &series_key]);
            let series_dir = study_dir.join(format!("SE{:04}", series.number));
            std::fs::create_dir_all(&series_dir)?;
            let ctx = SeriesContext {
                seed,
                patient_id: &pid,
                patient: p,
                study,
                study_uid: &study_uid,
                study_index: si,
                series,
                series_uid: &series_uid,
                frame_of_reference: uid(&[&s, &study_key, "for"]),
            };
            let written: Result<Vec<()>, SynthError> = (0..series.slices)
                .into_par_iter()
                .map(|i| write_instance(&ctx, &series_dir, i))
                .collect();
            written?;
            files += series.slices as usize;
            if series.claims {
                claims_rows.push(claims_row(&ctx, &hosp_id, si));
            }
        }
    }
    if options.scale.is_none() {
        files += write_strays(&image_root, &mut claims_rows, seed)?;
    }
    let csv = data_dir.join(format!("ADHOC_{release}.csv"));
    claims::write_csv(&csv, &claims::CLAIMS_COLUMNS, &claims_rows)?;
    claims::write_sqlite(
        &data_dir.join(format!("ADHOC_{release}.sqlite")),
        &claims::CLAIMS_COLUMNS,
        &claims_rows,
    )?;
    let history = history_rows(&patients, seed);
    claims::write_csv(
        &data_dir.join(format!("ADHOC_{release}_VDemoOpDtl_2020.csv")),
        &claims::HISTORY_COLUMNS,
        &history,
    )?;
    let mut data_files = 3;
    if options.scale.is_none() {
        let rows = sample_report_rows(seed);
        claims::write_csv(
            &data_dir.join(format!("REPORT_{release}.csv")),
            &["StudyInstanceUID", "AccessionNumber", "text"],
            &rows,
        )?;
        data_files += 1;
    }
    Ok(Summary {
        files: files + data_files,
    })
}

/// How a sample report row names its study.
enum ReportKey {
    /// By Study Instance UID.
    StudyUid,
    /// By Accession Number only (as hospitals' RIS exports do).
    Accession,
}

/// The sample's radiology reports (`DATA/REPORT_<release>.csv`), by study index of
/// [`sample_plan`]: English and 繁體中文, with negated findings, so that the default
/// pre-labelling rules meet negation on real sample data.
const SAMPLE_REPORTS: &[(usize, ReportKey, &str)] = &[
    (
        0,
        ReportKey::StudyUid,
        "CT chest without contrast. A 6 mm solid nodule in the right upper lobe. No pleural \
         effusion. No pneumothorax.\n肺氣腫變化。",
    ),
    (
        1,
        ReportKey::Accession,
        "Follow-up CT chest. Known RUL nodule, now 9 mm, suspicious for malignancy. 無肋膜積水。",
    ),
    (
        3,
        ReportKey::Accession,
        "右下肺葉實質化，符合肺炎。No pneumothorax.",
    ),
    (
        5,
        ReportKey::StudyUid,
        "Fatty liver. No nodule in the liver. 未見明顯結節。No ascites.",
    ),
    (
        8,
        ReportKey::StudyUid,
        "Old infarct in the left MCA territory. No intracranial haemorrhage. 無明顯腫塊。",
    ),
    (6, ReportKey::StudyUid, "Hand PA: no fracture. 無骨折。"),
];

/// The rows of the sample's report csv.
fn sample_report_rows(seed: u64) -> Vec<Vec<String>> {
    let s = seed.to_string();
    SAMPLE_REPORTS
        .iter()
        .map(|(si, key, text)| {
            let (study_uid, accession) = match key {
                ReportKey::StudyUid => (uid(&[&s, &format!("study{si}")]), String::new()),
                ReportKey::Accession => (String::new(), format!("A{:07}", si + 1)),
            };
            vec![study_uid, accession, (*text).to_owned()]
        })
        .collect()
}

struct SeriesContext<'a> {
    seed: u64,
    patient_id: &'a str,
    patient: PatientPlan,
    study: &'a StudyPlan,
    study_uid: &'a str,
    study_index: usize,
    series: &'a SeriesPlan,
    series_uid: &'a str,
    frame_of_reference: String,
}

fn file_path(dir: &Path, series: &SeriesPlan, index: u32) -> PathBuf {
    let n = if series.reverse_names {
        series.slices - index
    } else {
        index + 1
    };
    let ext = if series.no_extension { "" } else { ".dcm" };
    dir.join(format!("IM{n:04}{ext}"))
}

fn sop_class(modality: &str, ultrasound: bool) -> &'static str {
    match modality {
        "CT" => CT_IMAGE,
        "MR" => uids::MR_IMAGE_STORAGE,
        "CR" => uids::COMPUTED_RADIOGRAPHY_IMAGE_STORAGE,
        "DX" => uids::DIGITAL_X_RAY_IMAGE_STORAGE_FOR_PRESENTATION,
        _ if ultrasound => uids::ULTRASOUND_MULTI_FRAME_IMAGE_STORAGE,
        _ => uids::SECONDARY_CAPTURE_IMAGE_STORAGE,
    }
}

fn write_instance(ctx: &SeriesContext, dir: &Path, index: u32) -> Result<(), SynthError> {
    let se = ctx.series;
    let s = ctx.seed.to_string();
    let sop_uid = uid(&[&s, ctx.series_uid, &index.to_string()]);
    let ultrasound = matches!(se.content, Content::Ultrasound { .. });
    let class = sop_class(se.modality, ultrasound);
    let mut rng = Rng::new(hash64(&[&s, &sop_uid]));
    let mut ds = Dataset::new();
    ds.text(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 100")
        .text(tags::IMAGE_TYPE, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL")
        .text(tags::SOP_CLASS_UID, VR::UI, class)
        .text(tags::SOP_INSTANCE_UID, VR::UI, &sop_uid)
        .text(tags::STUDY_DATE, VR::DA, ctx.study.date)
        .text(tags::SERIES_DATE, VR::DA, ctx.study.date)
        .text(tags::CONTENT_DATE, VR::DA, ctx.study.date)
        .text(tags::STUDY_TIME, VR::TM, "093000")
        .text(
            tags::ACCESSION_NUMBER,
            VR::SH,
            &format!("A{:07}", ctx.study_index + 1),
        )
        .text(tags::MODALITY, VR::CS, se.modality)
        .text(tags::MANUFACTURER, VR::LO, "LIGHTBOX SYNTHETIC")
        .text(
            tags::MANUFACTURER_MODEL_NAME,
            VR::LO,
            &format!("PHANTOM-{}", se.modality),
        )
        .text(tags::STUDY_DESCRIPTION, VR::LO, ctx.study.description)
        .text(tags::SERIES_DESCRIPTION, VR::LO, se.description)
        .text(tags::PATIENT_NAME, VR::PN, "")
        .text(tags::PATIENT_ID, VR::LO, ctx.patient_id)
        .text(tags::PATIENT_SEX, VR::CS, ctx.patient.sex)
        .text(
            tags::PATIENT_AGE,
            VR::AS,
            &format!("{:03}Y", ctx.patient.age),
        )
        .text(tags::PATIENT_IDENTITY_REMOVED, VR::CS, "YES")
        .text(
            tags::DEIDENTIFICATION_METHOD,
            VR::LO,
            "SYNTHETIC (NO REAL PATIENT)",
        )
        .text(tags::BODY_PART_EXAMINED, VR::CS, se.body_part)
        .text(tags::STUDY_INSTANCE_UID, VR::UI, ctx.study_uid)
        .text(tags::SERIES_INSTANCE_UID, VR::UI, ctx.series_uid)
        .is(tags::SERIES_NUMBER, se.number)
        .is(tags::INSTANCE_NUMBER, i64::from(index) + 1)
        .text(tags::BURNED_IN_ANNOTATION, VR::CS, "NO");
    if se.modality != "US" {
        ds.text(tags::PATIENT_ORIENTATION, VR::CS, "L\\P");
    }
    let pixels = match se.content {
        Content::Ultrasound { frames } => {
            ds.ds(tags::FRAME_TIME, &[66.7]);
            Pixels::RgbFrames(
                (0..frames)
                    .map(|f| phantom::ultrasound_frame(se.rows, se.cols, f, &mut rng))
                    .collect(),
            )
        }
        Content::Slices(anatomy) => {
            let tomographic = se.slices > 1 || matches!(se.modality, "CT" | "MR");
            let z_mm = (f64::from(se.slices) / 2.0 - f64::from(index) - 0.5) * se.thickness_mm;
            let geom = SliceGeometry {
                rows: se.rows,
                cols: se.cols,
                spacing_mm: se.spacing_mm,
                z_mm,
            };
            let values = phantom::slice(anatomy, geom, &mut rng);
            let spacing = [se.spacing_mm, se.spacing_mm];
            if tomographic {
                let x0 = -(f64::from(se.cols) / 2.0 - 0.5) * se.spacing_mm;
                let y0 = -(f64::from(se.rows) / 2.0 - 0.5) * se.spacing_mm;
                let z = z_mm - 100.0;
                ds.ds(tags::PIXEL_SPACING, &spacing)
                    .ds(tags::SLICE_THICKNESS, &[se.thickness_mm])
                    .ds(tags::IMAGE_POSITION_PATIENT, &[x0, y0, z])
                    .ds(
                        tags::IMAGE_ORIENTATION_PATIENT,
                        &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
                    )
                    .ds(tags::SLICE_LOCATION, &[z])
                    .text(
                        tags::FRAME_OF_REFERENCE_UID,
                        VR::UI,
                        &ctx.frame_of_reference,
                    );
            } else {
                ds.ds(tags::IMAGER_PIXEL_SPACING, &spacing);
            }
            let (stored, signed, bits_stored, photometric) = if se.modality == "CT" {
                ds.ds(tags::RESCALE_INTERCEPT, &[-1024.0])
                    .ds(tags::RESCALE_SLOPE, &[1.0])
                    .text(tags::RESCALE_TYPE, VR::LO, "HU")
                    .ds(tags::KVP, &[120.0]);
                ds.0.put(DataElement::new(
                    tags::PIXEL_PADDING_VALUE,
                    VR::SS,
                    PrimitiveValue::from(-2000i16),
                ));
                let stored: Vec<i32> = values
                    .iter()
                    .map(|v| v.map_or(-2000, |hu| (hu.round() as i32 + 1024).clamp(-1024, 4095)))
                    .collect();
                (stored, true, 16, "MONOCHROME2")
            } else {
                let stored = values
                    .iter()
                    .map(|v| v.unwrap_or(0.0).round().clamp(0.0, 4095.0) as i32)
                    .collect();
                let photometric = if se.modality == "CR" {
                    "MONOCHROME1"
                } else {
                    "MONOCHROME2"
                };
                (stored, false, 12, photometric)
            };
            ds.text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, photometric);
            if !se.windows.is_empty() {
                let centers: Vec<f64> = se.windows.iter().map(|w| w.0).collect();
                let widths: Vec<f64> = se.windows.iter().map(|w| w.1).collect();
                let names: Vec<&str> = se.windows.iter().map(|w| w.2).collect();
                ds.ds(tags::WINDOW_CENTER, &centers)
                    .ds(tags::WINDOW_WIDTH, &widths);
                if names.iter().any(|n| !n.is_empty()) {
                    ds.text(
                        tags::WINDOW_CENTER_WIDTH_EXPLANATION,
                        VR::LO,
                        &names.join("\\"),
                    );
                }
            }
            if let Some(f) = se.voi_function {
                ds.text(tags::VOILUT_FUNCTION, VR::CS, f);
            }
            Pixels::Grey {
                values: stored,
                signed,
                bits_stored,
            }
        }
    };
    let bytes = encode_file(
        ds,
        se.bare_dataset,
        pixels,
        se.rows,
        se.cols,
        se.syntax,
        class,
        &sop_uid,
    )?;
    write_atomic(&file_path(dir, se, index), &bytes)?;
    Ok(())
}

fn claims_row(ctx: &SeriesContext, hosp_id: &str, study_index: usize) -> Vec<String> {
    let st = ctx.study;
    let fee_ym = &st.date[..6];
    let appl_date = format!("{}28", fee_ym);
    let mut row: Vec<String> = vec![
        hosp_id.to_owned(),
        if study_index % 4 == 3 { "22" } else { "12" }.to_owned(),
        fee_ym.to_owned(),
        "1".into(),
        appl_date,
        ["1", "3", "A3", "5"][study_index % 4].to_owned(),
        format!("{:06}", 1000 + study_index * 7),
        format!("{}", ctx.series.number),
        st.order_code.to_owned(),
        ["1", "2", "3"][study_index % 3].to_owned(),
        st.date.to_owned(),
        ctx.patient_id.to_owned(),
        ctx.patient.age.to_string(),
        ctx.patient.sex.to_owned(),
        ctx.series.modality.to_owned(),
        st.cure_path.to_owned(),
        ctx.patient.died.map_or("", |_| "Y").to_owned(),
        ctx.patient.died.unwrap_or("").to_owned(),
    ];
    row.extend(st.icd.iter().map(|s| (*s).to_owned()));
    row.push(ctx.study_uid.to_owned());
    row.push(ctx.series_uid.to_owned());
    row
}

/// The error-path files of the sample release, and the claims row with no images.
fn write_strays(
    image_root: &Path,
    claims_rows: &mut Vec<Vec<String>>,
    seed: u64,
) -> Result<usize, SynthError> {
    let head_dir = image_root.join("ST0009").join("SE0002");
    // Thumbs.db: an OLE compound file header, as Windows Explorer leaves them.
    let mut thumbs = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    thumbs.resize(1024, 0);
    write_atomic(&head_dir.join("Thumbs.db"), &thumbs)?;
    write_atomic(
        &image_root.join("desktop.ini"),
        b"[.ShellClassInfo]\r\nIconResource=C:\\Windows\\System32\\imageres.dll,-3\r\n",
    )?;
    // A copy cut short inside its header, as an interrupted NAS copy leaves it.
    let source = std::fs::read(head_dir.join("IM0001.dcm"))?;
    write_atomic(
        &head_dir.join("IM0099.dcm"),
        &source[..source.len().min(420)],
    )?;
    // A claims row whose study never arrived.
    let s = seed.to_string();
    let mut row = vec![
        "5D41402ABC".into(),
        "12".into(),
        "202011".into(),
        "1".into(),
        "20201128".into(),
        "1".into(),
        "001099".into(),
        "1".into(),
        "33072B".into(),
        "1".into(),
        "20201120".into(),
        patient_id(seed, 7),
        "52".into(),
        "F".into(),
        "CT".into(),
        "U".into(),
        String::new(),
        String::new(),
        "C50911".into(),
        "Z1231".into(),
        String::new(),
        String::new(),
        String::new(),
    ];
    row.push(uid(&[&s, "missing-study"]));
    row.push(uid(&[&s, "missing-study", "series2"]));
    claims_rows.push(row);
    Ok(3)
}

fn history_rows(patients: &[PatientPlan], seed: u64) -> Vec<Vec<String>> {
    let codes = [
        ("J449", "I10"),
        ("R911", "R05"),
        ("E119", "I10"),
        ("M25561", ""),
    ];
    let mut rows = Vec::new();
    for i in 0..patients.len() {
        let visits = 1 + i % 3;
        for v in 0..visits {
            let month = 1 + (i * 3 + v * 4) % 12;
            let (icd1, icd2) = codes[(i + v) % codes.len()];
            rows.push(vec![
                patient_id(seed, i),
                format!("2020{month:02}"),
                format!("2020{month:02}{:02}", 3 + (i + v * 5) % 25),
                format!(
                    "{:010X}",
                    hash64(&["hosp", &seed.to_string(), &(v % 3).to_string()]) >> 24
                ),
                "11".into(),
                "1".into(),
                icd1.into(),
                icd2.into(),
                String::new(),
                format!("{}", 250 + (i * 37 + v * 91) % 900),
            ]);
        }
    }
    rows
}
