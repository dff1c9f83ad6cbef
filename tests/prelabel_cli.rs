//! `lightbox prelabel`, black box, on a copy of the sample release: the JSON has the
//! shape the issue gives; a rule set with a keep/drop clash reports it; `--apply`
//! stores suggestions without deciding anything and a second `--apply` changes
//! nothing; `--accept-all` accepts all but the clashing pair and the decisions it
//! sets carry the rule's name; a broken rules file is refused with its position.

mod common;

use std::path::Path;

use common::{lightbox, lightbox_ok, repo, s};
use serde_json::Value;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const FOLLOW_UP_STUDY: &str = "2.25.75236339950318899541567895762551279514";
const NODULE_RULE: &str = "lung nodule or lung cancer on chest CT";

/// The default rules plus one that drops the follow-up chest CT, which the nodule
/// rule keeps: a conflict on that study.
fn clashing_rules(dir: &Path) -> std::path::PathBuf {
    let default =
        std::fs::read_to_string(repo().join("assets/rules/default.toml")).expect("default rules");
    let path = dir.join("clash.toml");
    let text = format!(
        "{default}\n[[rule]]\nname = \"drop follow-ups\"\ndecision = \"drop\"\nlevel = \"study\"\n\
         [rule.when]\nstudy_description = [\"follow-up\"]\n"
    );
    std::fs::write(&path, text).expect("write rules");
    path
}

#[test]
fn json_apply_accept_all_and_errors() {
    let (_dir, root) = common::sample_copy();
    let work = tempfile::tempdir().expect("temp dir");
    let store = work.path().join("review.lightbox.sqlite");
    let rules = clashing_rules(work.path());
    let (root_s, store_s, rules_s) = (s(&root), s(&store), s(&rules));

    // --json: one object with rules, proposals and conflicts, as the issue spells them.
    let out = lightbox_ok(&["prelabel", root_s, "--rules", rules_s, "--json"]);
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let rule_names: Vec<&str> = doc["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(rule_names.len(), 10);
    assert_eq!(rule_names[9], "drop follow-ups");
    let follow_ups = &doc["rules"][9];
    // The follow-up study: one series of 32 images.
    assert_eq!(
        (
            &follow_ups["studies"],
            &follow_ups["series"],
            &follow_ups["images"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(32))
    );
    let proposals = doc["proposals"].as_array().expect("proposals");
    assert_eq!(proposals.len(), 9, "the sample's 8 plus the follow-up drop");
    for p in proposals {
        // serde_json's map is sorted by key.
        let keys: Vec<&str> = p
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "decision",
                "label",
                "level",
                "matched",
                "rule",
                "series_uid",
                "study_uid"
            ]
        );
        match p["level"].as_str() {
            Some("study") => assert!(p["series_uid"].is_null(), "{p}"),
            Some("series") => assert!(p["series_uid"].is_string(), "{p}"),
            other => panic!("level {other:?}"),
        }
        for m in p["matched"].as_array().expect("matched") {
            assert!(m["field"].is_string() && m["value"].is_string(), "{m}");
        }
    }
    let follow_up_nodule = proposals
        .iter()
        .find(|p| p["rule"] == NODULE_RULE && p["study_uid"] == FOLLOW_UP_STUDY)
        .expect("the nodule rule keeps the follow-up");
    assert!(
        follow_up_nodule["matched"]
            .as_array()
            .expect("matched")
            .iter()
            .any(|m| m["field"] == "ICD1" && m["value"] == "C34.11"),
        "{follow_up_nodule}"
    );
    assert_eq!(
        doc["conflicts"],
        serde_json::json!([{
            "study_uid": FOLLOW_UP_STUDY,
            "series_uid": null,
            "rules": [NODULE_RULE, "drop follow-ups"],
        }])
    );

    // --apply stores 9 suggestions and decides nothing; again, nothing changes.
    let apply = [
        "prelabel", root_s, "--rules", rules_s, "--apply", "--store", store_s,
    ];
    let first = lightbox_ok(&apply);
    assert!(
        stderr(&first).contains("stored: 9 suggestions added, changed or withdrawn; 9 pending"),
        "{}",
        stderr(&first)
    );
    let second = lightbox_ok(&apply);
    assert!(
        stderr(&second).contains("stored: 0 suggestions added, changed or withdrawn; 9 pending"),
        "{}",
        stderr(&second)
    );
    let decisions = work.path().join("decisions.csv");
    let export = [
        "decide",
        root_s,
        "--store",
        store_s,
        "--export",
        s(&decisions),
    ];
    lightbox_ok(&export);
    let text = std::fs::read_to_string(&decisions).expect("decisions csv");
    assert_eq!(text.lines().count(), 1, "only the header: {text}");

    // --accept-all accepts 7 and leaves the clashing pair on the follow-up study.
    let accepted = lightbox_ok(&["prelabel", "--accept-all", root_s, "--store", store_s]);
    let said = stdout(&accepted);
    assert!(said.contains("accepted 7 suggestions"), "{said}");
    assert!(said.contains("left 2 suggestions for a person"), "{said}");
    lightbox_ok(&export);
    let text = std::fs::read_to_string(&decisions).expect("decisions csv");
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 7, "{text}");
    assert!(
        rows.iter().any(|r| r.starts_with(
            "study,2.25.59498604035325669478805934296208812874,keep,rule: lung nodule"
        )),
        "{text}"
    );
    assert!(
        rows.iter().any(|r| r.starts_with(
            "series,2.25.76790894914833540829967007743537682742,drop,rule: drop bone-window"
        )),
        "{text}"
    );
    assert!(!text.contains(FOLLOW_UP_STUDY), "{text}");
    // Nothing left to accept but the pair.
    let again = lightbox_ok(&["prelabel", "--accept-all", root_s, "--store", store_s]);
    assert!(
        stdout(&again).contains("accepted 0 suggestions"),
        "{}",
        stdout(&again)
    );

    // A broken file: refused with line, column, hint and path; nothing stored.
    let bad = work.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[rule]]\nname = \"x\"\ndecision = \"keep\"\nlevel = \"study\"\n[rule.when]\nicds = [\"C34*\"]\n",
    )
    .expect("write");
    let out = lightbox(&[
        "prelabel",
        root_s,
        "--rules",
        s(&bad),
        "--apply",
        "--store",
        store_s,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("line 6, column 1"), "{err}");
    assert!(err.contains("icds") && err.contains("hint"), "{err}");
    assert!(
        err.trim_end().ends_with(s(&bad)),
        "the path comes last: {err}"
    );
}
