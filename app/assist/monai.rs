//! A model server, optional (issue 15): a client for a site's MONAI Label server and
//! its REST API (`/info/`, `/datastore/`, `/infer/{model}`), and one call that sends a
//! series, reads back the label volume and turns it into shapes.
//!
//! Nothing here runs unless a server address is configured: the client is made from
//! one, and only that address is contacted (no proxy from the environment, no
//! redirects followed). The series travels as a NIfTI-1 volume ([`nifti`])
//! over http or https (the system's trusted certificates); the reply is untrusted input, read with
//! bounded sizes, and every error names the server.
//!
//! Each label value of the reply's mask becomes, slice by slice, rings
//! ([`super::contour`]) and so ordinary editable polygons on the series' frames,
//! marked `source: monai-label` with the server, model, label value and frame.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use thiserror::Error;

pub mod nifti;

use self::nifti::{Labels, NiftiError, VolumeOut};
use super::contour::rings;
use super::stack::{Stack, StackError};
use crate::annotate::files::frames::FrameInfo;
use crate::annotate::new_shape_id;
use crate::annotate::shape::{Grade, Shape, ShapeKind};
use crate::annotate::slices::median_gap;
use crate::index::Series;
use crate::net::{self, BodyFailure, Failure, boundary, path_segment, snippet};

/// The shapes' `source`.
pub const SOURCE: &str = "monai-label";
/// How long a connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `/info/` and `/datastore/` may take.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an inference may take by default.
pub const DEFAULT_INFER_TIMEOUT: Duration = Duration::from_secs(120);
/// The most bytes read of a JSON reply or an error message.
const MAX_JSON: u64 = 16 << 20;

/// Why the model server could not be used.
#[derive(Debug, Error)]
pub enum MonaiError {
    /// Not an http address.
    #[error("{url} is not a MONAI Label server address: {reason}")]
    BadUrl {
        /// The address given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The server could not be reached.
    #[error("cannot reach the MONAI Label server {server}: {reason}")]
    Connect {
        /// The server.
        server: String,
        /// Why (connection refused, host not found…).
        reason: String,
    },
    /// The server did not answer in time.
    #[error("the MONAI Label server {server} did not answer {what} within {seconds} s ({stage})")]
    Timeout {
        /// The server.
        server: String,
        /// The request.
        what: String,
        /// The limit.
        seconds: u64,
        /// Which limit: connect, the whole call.
        stage: String,
    },
    /// The server answered with an error status.
    #[error("the MONAI Label server {server} answered {what} with HTTP {status}: {message}")]
    Status {
        /// The server.
        server: String,
        /// The request.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The server's message (its `detail`, else the start of its body).
        message: String,
    },
    /// The reply could not be read.
    #[error("the MONAI Label server {server} sent a reply to {what} that cannot be used: {reason}")]
    BadReply {
        /// The server.
        server: String,
        /// The request.
        what: String,
        /// Why.
        reason: String,
    },
    /// The server has no such model.
    #[error("the MONAI Label server {server} has no model {model:?} (its models: {known})")]
    UnknownModel {
        /// The server.
        server: String,
        /// The model asked for.
        model: String,
        /// The models it has.
        known: String,
    },
    /// A label name the model does not have.
    #[error("model {model:?} of {server} has no label {label:?} (its labels: {known})")]
    UnknownLabel {
        /// The server.
        server: String,
        /// The model.
        model: String,
        /// The label asked for.
        label: String,
        /// The labels it has.
        known: String,
    },
    /// The series could not be read.
    #[error("cannot read the series: {0}")]
    Stack(#[from] StackError),
    /// The series could not be written as NIfTI.
    #[error("{0}")]
    Nifti(NiftiError),
}

/// One model of the server, from `/info/`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// Its name, as `/infer/{model}` takes it.
    pub name: String,
    /// Its type (`segmentation`, `deepgrow`, `deepedit`, …).
    pub kind: String,
    /// Its labels: name → value in the mask (a list's names are 1, 2, … in order).
    pub labels: BTreeMap<String, u32>,
    /// 2 or 3 when the server says.
    pub dimension: Option<u32>,
    /// Its description.
    pub description: String,
}

/// What `/info/` says of the server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerInfo {
    /// The app's name.
    pub name: String,
    /// The app's description.
    pub description: String,
    /// The app's version.
    pub version: String,
    /// The infer models, by name.
    pub models: Vec<ModelInfo>,
}

impl ServerInfo {
    /// The model called `name`.
    pub fn model(&self, name: &str) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.name == name)
    }

    /// The info in `/info/`'s JSON, read leniently (missing fields are empty).
    pub fn from_json(v: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let models = v["models"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(name, m)| ModelInfo {
                        name: name.clone(),
                        kind: text(&m["type"]),
                        labels: labels_of(&m["labels"]),
                        dimension: m["dimension"].as_u64().and_then(|d| u32::try_from(d).ok()),
                        description: text(&m["description"]),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            name: text(&v["name"]),
            description: text(&v["description"]),
            version: text(&v["version"]),
            models,
        }
    }
}

/// A model's labels, `{"name": value}` or `["name", …]` (values 1, 2, … in order).
fn labels_of(v: &Value) -> BTreeMap<String, u32> {
    match v {
        Value::Object(m) => m
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), u32::try_from(v.as_u64()?).ok()?)))
            .collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .zip(1..)
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// What `/datastore/` counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatastoreSummary {
    /// Images in the server's datastore.
    pub total: u64,
    /// Those with a final label.
    pub completed: u64,
    /// Labels by tag.
    pub label_tags: BTreeMap<String, u64>,
}

/// A client of one MONAI Label server.
#[derive(Debug, Clone)]
pub struct MonaiClient {
    base: String,
    agent: ureq::Agent,
    infer_timeout: Duration,
}

impl MonaiClient {
    /// A client of the server at `base_url` (`http://host:port`, a path allowed);
    /// contacts nothing yet.
    ///
    /// # Errors
    /// Anything not `http://host…` or `https://host…`.
    pub fn new(base_url: &str) -> Result<Self, MonaiError> {
        let url = base_url.trim();
        let lower = url.to_ascii_lowercase();
        let bad = |reason: &str| MonaiError::BadUrl {
            url: url.into(),
            reason: reason.into(),
        };
        let Some(rest) = lower
            .strip_prefix("http://")
            .or_else(|| lower.strip_prefix("https://"))
        else {
            return Err(bad("it must start with http:// or https://"));
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || host.contains('@') || url.chars().any(char::is_whitespace) {
            return Err(bad(
                "it needs a host (http://host:port), without spaces or user",
            ));
        }
        Ok(Self {
            base: url.trim_end_matches('/').to_owned(),
            agent: crate::net::agent(CONNECT_TIMEOUT),
            infer_timeout: DEFAULT_INFER_TIMEOUT,
        })
    }

    /// The same client with another limit for one inference.
    #[must_use]
    pub fn with_infer_timeout(mut self, timeout: Duration) -> Self {
        self.infer_timeout = timeout;
        self
    }

    /// The server's address, as errors and shapes name it.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// The server's app and models (`GET /info/`).
    ///
    /// # Errors
    /// The server unreachable or slow, an error status, a reply that is not JSON.
    pub fn info(&self) -> Result<ServerInfo, MonaiError> {
        let v = self.get_json("/info/", "GET /info/")?;
        Ok(ServerInfo::from_json(&v))
    }

    /// The server's datastore counts (`GET /datastore/?output=stats`).
    ///
    /// # Errors
    /// As [`Self::info`].
    pub fn datastore_summary(&self) -> Result<DatastoreSummary, MonaiError> {
        let v = self.get_json("/datastore/?output=stats", "GET /datastore/")?;
        let count = |v: &Value| v.as_u64().unwrap_or(0);
        Ok(DatastoreSummary {
            total: count(&v["total"]),
            completed: count(&v["completed"]),
            label_tags: v["label_tags"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), count(v))).collect())
                .unwrap_or_default(),
        })
    }

    /// Runs `model` on `volume` (`POST /infer/{model}?output=image`, the volume as
    /// `image.nii.gz` in the multipart field `file`, `params` as the JSON field
    /// `params`) and reads the label volume it answers, which must have the volume's
    /// dimensions.
    ///
    /// # Errors
    /// The volume not writable, the server unreachable or slower than the infer
    /// timeout, an error status (an unknown model is HTTP 500 on MONAI Label), a
    /// reply that is not a label volume of these dimensions.
    pub fn infer(
        &self,
        model: &str,
        volume: &VolumeOut<'_>,
        params: &serde_json::Map<String, Value>,
    ) -> Result<Labels, MonaiError> {
        let what = format!("POST /infer/{model}");
        let file = volume.write(true).map_err(MonaiError::Nifti)?;
        let params = Value::Object(params.clone()).to_string();
        let boundary = boundary(&[&file]);
        let mut body = Vec::with_capacity(file.len() + 512);
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"params\"\r\n\
                 Content-Type: application/json\r\n\r\n{params}\r\n--{boundary}\r\n\
                 Content-Disposition: form-data; name=\"file\"; filename=\"image.nii.gz\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        drop(file);
        let url = format!("{}/infer/{}?output=image", self.base, path_segment(model));
        let mut reply = self
            .agent
            .post(&url)
            .config()
            .timeout_global(Some(self.infer_timeout))
            .build()
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .send(&body)
            .map_err(|e| self.transport(e, &what, self.infer_timeout))?;
        self.check_status(&mut reply, &what)?;
        let want = [volume.cols, volume.rows, volume.planes.len()];
        let limit = nifti::reply_limit(want);
        let bytes = net::read_body(&mut reply, limit).map_err(|e| match e {
            BodyFailure::TooLarge => self.bad_reply(
                &what,
                format!("more than the {limit} bytes a label volume of {want:?} needs"),
            ),
            BodyFailure::Transport(e) => self.transport(e, &what, self.infer_timeout),
        })?;
        nifti::read_labels(&bytes, want).map_err(|e| self.bad_reply(&what, e.to_string()))
    }

    /// GETs `path` and parses its JSON.
    fn get_json(&self, path: &str, what: &str) -> Result<Value, MonaiError> {
        let mut reply = self
            .agent
            .get(format!("{}{path}", self.base))
            .config()
            .timeout_global(Some(QUERY_TIMEOUT))
            .build()
            .call()
            .map_err(|e| self.transport(e, what, QUERY_TIMEOUT))?;
        self.check_status(&mut reply, what)?;
        let bytes = net::read_body(&mut reply, MAX_JSON).map_err(|e| match e {
            BodyFailure::TooLarge => {
                self.bad_reply(what, format!("more than {MAX_JSON} bytes of JSON"))
            }
            BodyFailure::Transport(e) => self.transport(e, what, QUERY_TIMEOUT),
        })?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.bad_reply(what, format!("not JSON ({e}): {}", snippet(&bytes))))
    }

    /// An error status as [`MonaiError::Status`] with the server's message.
    fn check_status(
        &self,
        reply: &mut ureq::http::Response<ureq::Body>,
        what: &str,
    ) -> Result<(), MonaiError> {
        let status = reply.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        let body = net::read_body(reply, net::MAX_ERROR_BODY).unwrap_or_default();
        let message = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| match &v["detail"] {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .unwrap_or_else(|| snippet(&body));
        let message = match (status, reply.headers().get("location")) {
            (300..400, Some(to)) => format!(
                "a redirect to {} (not followed)",
                String::from_utf8_lossy(to.as_bytes())
            ),
            _ if message.is_empty() => "no message".into(),
            _ => message,
        };
        Err(MonaiError::Status {
            server: self.base.clone(),
            what: what.into(),
            status,
            message,
        })
    }

    /// A transport error, named.
    fn transport(&self, e: ureq::Error, what: &str, limit: Duration) -> MonaiError {
        let server = self.base.clone();
        match net::classify(e) {
            Failure::Timeout { connecting, stage } => MonaiError::Timeout {
                server,
                what: what.into(),
                seconds: if connecting { CONNECT_TIMEOUT } else { limit }.as_secs(),
                stage: if connecting {
                    "connecting".into()
                } else {
                    stage
                },
            },
            Failure::Connect(reason) => MonaiError::Connect { server, reason },
            Failure::Tls(reason) => MonaiError::Connect {
                server,
                reason: format!(
                    "TLS failed: {reason} (is the certificate trusted by this computer?)"
                ),
            },
            Failure::BadUrl(reason) => MonaiError::BadUrl {
                url: server,
                reason,
            },
            Failure::Other(reason) => self.bad_reply(what, reason),
        }
    }

    /// A [`MonaiError::BadReply`].
    fn bad_reply(&self, what: &str, reason: String) -> MonaiError {
        MonaiError::BadReply {
            server: self.base.clone(),
            what: what.into(),
            reason,
        }
    }
}

/// Which voxels of the mask one label's shapes outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaskValue {
    /// Every non-zero voxel.
    Foreground,
    /// Voxels of this value.
    Value(u32),
    /// Voxels of the value the model's `/info/` gives this label name.
    Name(String),
}

/// One of a model's labels as a label of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMapping {
    /// The voxels.
    pub values: MaskValue,
    /// Our label for their shapes.
    pub label: String,
}

impl LabelMapping {
    /// `LABEL` (every non-zero voxel) or `VALUE=LABEL` (a number, or a label name of
    /// the model), as the CLI's `--label` takes it.
    pub fn parse(text: &str) -> Self {
        match text.split_once('=') {
            Some((value, label)) => Self {
                values: match value.trim().parse::<u32>() {
                    Ok(v) => MaskValue::Value(v),
                    Err(_) => MaskValue::Name(value.trim().to_owned()),
                },
                label: label.trim().to_owned(),
            },
            None => Self {
                values: MaskValue::Foreground,
                label: text.trim().to_owned(),
            },
        }
    }
}

/// What to ask the server for.
#[derive(Debug, Clone, PartialEq)]
pub struct MonaiRequest {
    /// The model, as `/info/` names it.
    pub model: String,
    /// Which voxels become shapes of which label.
    pub labels: Vec<LabelMapping>,
    /// Who the shapes are by.
    pub annotator: String,
    /// Options for the model (`params`), passed as they are.
    pub params: serde_json::Map<String, Value>,
}

/// What an inference made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonaiResult {
    /// The shapes, one per outline, ids new.
    #[serde(skip)]
    pub shapes: Vec<Shape>,
    /// How many shapes.
    pub shape_count: usize,
    /// The frames they are on, from 1 along the series' slice order.
    pub frames: Vec<usize>,
    /// Voxels of each of our labels in the mask.
    pub voxels: BTreeMap<String, u64>,
    /// The server.
    pub server: String,
    /// The model.
    pub model: String,
    /// Seconds the server took (upload, inference, reply).
    pub seconds: f64,
}

/// Sends `series` to the model `request.model` of `client`'s server and outlines
/// each mapped label value's voxels, slice by slice, as shapes on the series' frames
/// marked `source: monai-label`.
///
/// The model and any label names are checked against `/info/` first. The whole series
/// is read (a 512 × 512 slice is 1 MiB of values) and sent at once.
///
/// # Errors
/// The server unreachable, slow or failing, no such model or label, frames that do
/// not decode or differ in size, a reply that is not a label volume of the series.
pub fn monai_shapes(
    series: &Series,
    request: &MonaiRequest,
    client: &MonaiClient,
) -> Result<MonaiResult, MonaiError> {
    let server = client.url().to_owned();
    let info = client.info()?;
    let model = info
        .model(&request.model)
        .ok_or_else(|| MonaiError::UnknownModel {
            server: server.clone(),
            model: request.model.clone(),
            known: names(info.models.iter().map(|m| m.name.as_str())),
        })?;
    let wanted = resolve(&request.labels, model, &server)?;
    let stack = Stack::load(series, |_| true)?;
    let planes: Vec<&[f32]> = stack
        .slices
        .iter()
        .map(|s| s.values.as_deref().unwrap_or_default())
        .collect();
    let volume = VolumeOut {
        cols: stack.cols,
        rows: stack.rows,
        spacing_mm: [0.0; 3],
        affine: [[0.0; 4]; 3],
        planes,
    };
    let volume = placed(volume, series, &stack);
    let started = Instant::now();
    let mask = client.infer(&request.model, &volume, &request.params)?;
    let seconds = started.elapsed().as_secs_f64();
    let spacing = &stack.spacing;
    let pixel_mm = if spacing.is_calibrated() {
        spacing.row_mm.min(spacing.col_mm)
    } else {
        1.0
    };
    let mut shapes = Vec::new();
    let mut frames = Vec::new();
    let mut voxels: BTreeMap<String, u64> = BTreeMap::new();
    for (k, slice) in stack.slices.iter().enumerate() {
        let plane = mask.plane(k);
        let before = shapes.len();
        for (mapping, value) in &wanted {
            let m: Vec<bool> = plane
                .iter()
                .map(|&v| match value {
                    None => v != 0,
                    Some(x) => u32::from(v) == *x,
                })
                .collect();
            let count = m.iter().filter(|x| **x).count() as u64;
            if count == 0 {
                continue;
            }
            *voxels.entry(mapping.label.clone()).or_default() += count;
            let mut parameters = serde_json::Map::new();
            parameters.insert("server".into(), json!(server));
            parameters.insert("model".into(), json!(request.model));
            parameters.insert("label_value".into(), json!(value));
            parameters.insert("frame".into(), json!(k + 1));
            if !request.params.is_empty() {
                parameters.insert("params".into(), Value::Object(request.params.clone()));
            }
            for ring in rings(&m, stack.rows, stack.cols, 0.5 * pixel_mm, spacing) {
                shapes.push(Shape {
                    id: new_shape_id(&request.annotator),
                    kind: ShapeKind::Polygon,
                    label: mapping.label.clone(),
                    image: slice.image.clone(),
                    points: ring,
                    grade: Grade::None,
                    score: None,
                    source: Some(SOURCE.into()),
                    source_parameters: parameters.clone(),
                    note: String::new(),
                    annotator: request.annotator.clone(),
                    created: String::new(),
                    modified: String::new(),
                });
            }
        }
        if shapes.len() > before {
            frames.push(k + 1);
        }
    }
    Ok(MonaiResult {
        shape_count: shapes.len(),
        shapes,
        frames,
        voxels,
        server,
        model: request.model.clone(),
        seconds,
    })
}

/// `volume` with the series' spacing and orientation: the slice step is the median
/// gap of the slices' positions (the row spacing without them).
fn placed<'a>(mut volume: VolumeOut<'a>, series: &Series, stack: &Stack) -> VolumeOut<'a> {
    let spacing = &stack.spacing;
    let (row_mm, col_mm) = if spacing.is_calibrated() {
        (spacing.row_mm, spacing.col_mm)
    } else {
        (1.0, 1.0)
    };
    let positions: Option<Vec<f64>> = stack.slices.iter().map(|s| s.position_mm).collect();
    let step = positions
        .as_deref()
        .and_then(median_gap)
        .filter(|g| g.abs() > 1e-6)
        .unwrap_or(row_mm);
    volume.spacing_mm = [col_mm, row_mm, step.abs()];
    let first = series.instances.first().map(FrameInfo::from_instance);
    volume.affine = match first
        .as_ref()
        .and_then(|f| Some((f.orientation?, f.position_mm?)))
    {
        Some((orientation, origin)) => {
            VolumeOut::dicom_affine(orientation, origin, volume.spacing_mm, step)
        }
        None => VolumeOut::diagonal_affine(volume.spacing_mm),
    };
    volume
}

/// Each mapping with the mask value it takes (`None`: every non-zero voxel).
fn resolve<'m>(
    labels: &'m [LabelMapping],
    model: &ModelInfo,
    server: &str,
) -> Result<Vec<(&'m LabelMapping, Option<u32>)>, MonaiError> {
    labels
        .iter()
        .map(|m| {
            let value = match &m.values {
                MaskValue::Foreground => None,
                MaskValue::Value(v) => Some(*v),
                MaskValue::Name(name) => {
                    Some(
                        *model
                            .labels
                            .get(name)
                            .ok_or_else(|| MonaiError::UnknownLabel {
                                server: server.into(),
                                model: model.name.clone(),
                                label: name.clone(),
                                known: names(model.labels.keys().map(String::as_str)),
                            })?,
                    )
                }
            };
            Ok((m, value))
        })
        .collect()
}

/// Names as a list for a message.
fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let list: Vec<&str> = names.collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_addresses_make_a_client() {
        assert!(MonaiClient::new("https://monai.site:8000").is_ok());
        for bad in ["monai.site:8000", "http://", "http:// x", "ftp://x"] {
            assert!(
                matches!(MonaiClient::new(bad), Err(MonaiError::BadUrl { .. })),
                "{bad}"
            );
        }
        let c = MonaiClient::new(" http://127.0.0.1:8000/ ").expect("http");
        assert_eq!(c.url(), "http://127.0.0.1:8000");
    }

    #[test]
    fn info_is_read_leniently() {
        let v = json!({
            "name": "app", "version": 3,
            "models": {
                "seg": {"type": "segmentation", "labels": {"liver": 1, "tumor": 2}, "dimension": 3},
                "list": {"labels": ["spleen", "kidney"]},
                "odd": 7
            }
        });
        let info = ServerInfo::from_json(&v);
        assert_eq!(info.name, "app");
        assert_eq!(info.version, "");
        let seg = info.model("seg").expect("seg");
        assert_eq!(seg.labels["tumor"], 2);
        assert_eq!(seg.dimension, Some(3));
        assert_eq!(info.model("list").expect("list").labels["kidney"], 2);
        assert!(info.model("odd").expect("odd").labels.is_empty());
    }

    #[test]
    fn label_mappings_parse() {
        assert_eq!(LabelMapping::parse("nodule").values, MaskValue::Foreground);
        assert_eq!(
            LabelMapping::parse("2=tumour"),
            LabelMapping {
                values: MaskValue::Value(2),
                label: "tumour".into()
            }
        );
        assert_eq!(
            LabelMapping::parse("liver = liver").values,
            MaskValue::Name("liver".into())
        );
    }

    #[test]
    fn model_names_are_one_path_segment() {
        assert_eq!(path_segment("seg_v1.2"), "seg_v1.2");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn a_closed_port_is_a_clear_error() {
        // Bind then drop a listener: its port is (for now) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let client = MonaiClient::new(&format!("http://127.0.0.1:{port}")).expect("client");
        let e = client.info().expect_err("closed");
        let text = e.to_string();
        assert!(
            text.contains(&format!("127.0.0.1:{port}")) && text.contains("connection refused"),
            "{text}"
        );
    }
}
