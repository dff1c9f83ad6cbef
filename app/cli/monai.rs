//! `lightbox monai`: a site's MONAI Label server from the command line. `info` lists
//! its models and datastore; `infer` sends a series (as NIfTI, over http or https, to the
//! `--server` given and nowhere else), outlines the label volume it answers and stores
//! the shapes as one undoable command, marked `source: monai-label`.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use lightbox::assist::monai::{
    DEFAULT_INFER_TIMEOUT, LabelMapping, MonaiClient, MonaiRequest, monai_shapes,
};
use lightbox::fsutil::ShowPath;
use serde_json::json;

use super::review::{StoreArgs, open, series_by_uid};
use super::segment::store_new_shapes;

/// Arguments of `monai`.
#[derive(Args)]
pub struct MonaiArgs {
    #[command(subcommand)]
    action: MonaiAction,
}

/// What to ask the server.
#[derive(Subcommand)]
enum MonaiAction {
    /// List the server's models (name, type, labels) and its datastore's counts.
    Info(InfoArgs),
    /// Run a model on a series and store the outlines of its labels as shapes.
    Infer(Box<InferArgs>),
}

/// The server.
#[derive(Args)]
struct ServerArg {
    /// The MONAI Label server, `http://host:port` (or https).
    #[arg(long, value_name = "URL")]
    server: String,
}

/// Arguments of `monai info`.
#[derive(Args)]
struct InfoArgs {
    #[command(flatten)]
    server: ServerArg,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Arguments of `monai infer`.
#[derive(Args)]
struct InferArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    server: ServerArg,
    /// The model, as `monai info` lists it.
    #[arg(long)]
    model: String,
    /// The series (Series Instance UID).
    #[arg(long, value_name = "UID")]
    series: String,
    /// The label of the shapes: `LABEL` outlines every non-zero voxel; `VALUE=LABEL`
    /// the voxels of one mask value (a number, or a label name of the model). Repeat
    /// for several.
    #[arg(long, value_name = "[VALUE=]LABEL", required = true)]
    label: Vec<String>,
    /// Options for the model, a JSON object sent as `params`.
    #[arg(long, value_name = "JSON")]
    params: Option<String>,
    /// How long the inference may take, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_INFER_TIMEOUT.as_secs())]
    timeout: u64,
    /// Who the shapes are by (default: the reviewer name).
    #[arg(long, value_name = "NAME")]
    annotator: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `monai`.
pub fn run(a: &MonaiArgs) -> anyhow::Result<ExitCode> {
    match &a.action {
        MonaiAction::Info(a) => info(a),
        MonaiAction::Infer(a) => infer(a),
    }
}

/// `monai info`.
fn info(a: &InfoArgs) -> anyhow::Result<ExitCode> {
    let client = MonaiClient::new(&a.server.server)?;
    let info = client.info()?;
    let datastore = client.datastore_summary()?;
    if a.json {
        let out = json!({"server": client.url(), "info": info, "datastore": datastore});
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let description = if info.description.is_empty() {
        String::new()
    } else {
        format!(" ({})", info.description)
    };
    outln!(
        "{}: {} {}{description}",
        client.url(),
        info.name,
        info.version
    );
    outln!(
        "datastore: {} image(s), {} labelled",
        datastore.total,
        datastore.completed
    );
    if info.models.is_empty() {
        outln!("no models");
    }
    for m in &info.models {
        let labels: Vec<String> = m.labels.iter().map(|(k, v)| format!("{v}={k}")).collect();
        outln!(
            "model {} ({}{}): labels {}{}",
            m.name,
            if m.kind.is_empty() { "?" } else { &m.kind },
            m.dimension.map(|d| format!(", {d}-D")).unwrap_or_default(),
            if labels.is_empty() {
                "none".to_owned()
            } else {
                labels.join(", ")
            },
            if m.description.is_empty() {
                String::new()
            } else {
                format!(" — {}", m.description)
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `monai infer`.
fn infer(a: &InferArgs) -> anyhow::Result<ExitCode> {
    let client = MonaiClient::new(&a.server.server)?
        .with_infer_timeout(Duration::from_secs(a.timeout.max(1)));
    let params = match &a.params {
        Some(text) => match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => anyhow::bail!("--params must be a JSON object, not {text:?}"),
        },
        None => serde_json::Map::new(),
    };
    let labels: Vec<LabelMapping> = a.label.iter().map(|l| LabelMapping::parse(l)).collect();
    if let Some(bad) = labels.iter().find(|l| l.label.is_empty()) {
        anyhow::bail!("--label needs a label name ([VALUE=]LABEL), not {bad:?}");
    }
    let (index, mut session) = open(&a.store)?;
    let series = series_by_uid(&index, &a.series)?;
    let request = MonaiRequest {
        model: a.model.clone(),
        labels,
        annotator: a
            .annotator
            .clone()
            .unwrap_or_else(|| session.reviewer().to_owned()),
        params,
    };
    let made = monai_shapes(series, &request, &client)?;
    store_new_shapes(
        &mut session,
        format!("MONAI Label {}", a.model),
        made.shapes.clone(),
    )?;
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&made)?);
    } else {
        let frames: Vec<String> = made.frames.iter().map(ToString::to_string).collect();
        outln!(
            "made {} shape(s) on frame(s) {} from model {} of {} ({:.1} s); stored in {}",
            made.shape_count,
            if frames.is_empty() {
                "none".to_owned()
            } else {
                frames.join(", ")
            },
            made.model,
            made.server,
            made.seconds,
            session.store().path().shown()
        );
    }
    Ok(ExitCode::SUCCESS)
}
