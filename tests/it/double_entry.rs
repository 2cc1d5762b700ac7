//! 一稿双录 from the command line: blind second keying by another clerk, a third
//! person settles, the packing gate, `show --json` and the 著录差错率.

use crate::fixtures::*;

use anjuan::review::double_entry::DECISIVE_FIELDS as FIELDS;

fn show(t: &TestHome, vid: &str) -> serde_json::Value {
    let (code, out, err) = run(t.cli().args(["show", "--volume", vid, "--json"]));
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn as_clerk<'a>(
    t: &TestHome,
    who: &str,
    args: impl IntoIterator<Item = &'a str>,
) -> (i32, String, String) {
    run(t.cli().args(args).env("ANJUAN_OPERATOR", who))
}

#[test]
fn decisive_fields_are_keyed_twice_blind_settled_by_a_third_person_and_gate_packing() {
    let t = TestHome::new();
    let vid = plain_volume(&t, &[300, 301]);
    process_fake(
        &t,
        "行政处罚决定书\n当事人：某某餐饮有限公司\n罚款人民币叁仟元（3000元）\n2023年6月20日",
    );
    let (code, out, err) = run(t.cli().args([
        "settings",
        "--fonds-code",
        "J901",
        "--require-approval",
        "no",
        "--require-double-entry",
        "yes",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("require_double_entry\tyes"), "{out}");

    // Nothing keyed twice yet: every decisive field waits, and packing waits too.
    let v = show(&t, &vid);
    for f in FIELDS {
        assert_eq!(v["double_entry"][f], "pending", "{f}: {v:#}");
    }
    let outbox = t.path("outbox");
    let pack = || {
        run(t
            .cli()
            .args(["package", "--volume", &vid, "--out"])
            .arg(&outbox))
    };
    let (code, _, err) = pack();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("一稿双录") && err.contains("party pending"),
        "{err}"
    );

    // 甲 keys the fine first (a correction).
    let (code, _, err) = as_clerk(&t, "甲", ["correct", "--volume", &vid, "fine_amount=3000"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = as_clerk(
        &t,
        "甲",
        ["correct", "--volume", &vid, "--second", "fine_amount=3000"],
    );
    assert_eq!(code, 1, "the first keyer cannot key it again");
    assert!(err.contains("another clerk"), "{err}");

    // 乙 keys blind: told agree or differ, never the first value.
    let (code, _, err) = as_clerk(
        &t,
        "乙",
        [
            "correct",
            "--volume",
            &vid,
            "--second",
            "party=某某餐饮有限公司",
            "--second",
            "fine_amount=300",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("party agrees"), "{err}");
    assert!(err.contains("fine_amount differs"), "{err}");
    assert!(
        !err.contains("3000"),
        "blind: the first value is not said: {err}"
    );
    let v = show(&t, &vid);
    assert_eq!(v["double_entry"]["party"], "match");
    assert_eq!(v["double_entry"]["fine_amount"], "mismatch");
    assert_eq!(v["double_entry"]["decision_no"], "pending");
    // A field that agrees is not keyed again; a key that is not decisive is refused.
    let (code, _, err) = as_clerk(
        &t,
        "乙",
        ["correct", "--volume", &vid, "--second", "party=别的公司"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("already keyed twice"), "{err}");
    let (code, _, err) = as_clerk(
        &t,
        "乙",
        ["correct", "--volume", &vid, "--second", "case_cause=x"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("decisive fields"), "{err}");

    // The human form lists the disagreement with both values for the third person.
    let (code, out, err) = run(t.cli().args(["show", "--volume", &vid]));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("fine_amount: first \"3000\" (甲), second \"300\" (乙)"),
        "{out}"
    );

    // Neither keyer may settle; a third person does, and the value is theirs.
    for keyer in ["甲", "乙"] {
        let (code, _, err) = as_clerk(
            &t,
            keyer,
            ["correct", "--volume", &vid, "--settle", "fine_amount=300"],
        );
        assert_eq!(code, 1, "{keyer}");
        assert!(err.contains("third person"), "{err}");
    }
    let (code, _, err) = as_clerk(
        &t,
        "丙",
        [
            "correct",
            "--volume",
            &vid,
            "--settle",
            "party=某某餐饮有限公司",
        ],
    );
    assert_eq!(code, 1, "only a disagreement is settled");
    assert!(err.contains("nothing to settle"), "{err}");
    let (code, _, err) = as_clerk(
        &t,
        "丙",
        ["correct", "--volume", &vid, "--settle", "fine_amount=3,000"],
    );
    assert_eq!(code, 0, "{err}");
    let v = show(&t, &vid);
    assert_eq!(v["double_entry"]["fine_amount"], "settled");
    assert_eq!(v["fine_amount"], 3000.0);

    // 乙 keys the rest as the page shows them (无 where the volume has none).
    let mut rest = vec!["correct", "--volume", &vid];
    let values: Vec<String> = [
        "party_id_code",
        "decision_no",
        "filed_date",
        "decided_date",
        "closed_date",
    ]
    .iter()
    .map(|f| match v[*f].as_str() {
        Some(value) => format!("{f}={value}"),
        None => format!("{f}=无"),
    })
    .collect();
    for pair in &values {
        rest.extend(["--second", pair.as_str()]);
    }
    let (code, _, err) = as_clerk(&t, "乙", rest);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("differs"), "{err}");
    let v = show(&t, &vid);
    for f in FIELDS {
        assert!(
            ["match", "settled"].contains(&v["double_entry"][f].as_str().unwrap()),
            "{f}: {v:#}"
        );
    }
    let (code, _, err) = pack();
    assert_eq!(code, 0, "double keying done: packed: {err}");

    // 著录差错率: one of seven fields keyed twice disagreed, the one 甲 keyed.
    let (code, out, err) = run(t.cli().args(["stats", "--json"]));
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    let de = &s["double_entry"];
    assert_eq!(de["keyed"], 7, "{de:#}");
    assert_eq!(de["mismatched"], 1, "{de:#}");
    assert!((de["error_rate"].as_f64().unwrap() - 1.0 / 7.0).abs() < 1e-3);
    let by: Vec<&serde_json::Value> = de["by_first_keyer"].as_array().unwrap().iter().collect();
    let jia = by.iter().find(|k| k["keyer"] == "甲").expect("甲");
    assert_eq!(
        (jia["keyed"].as_u64(), jia["mismatched"].as_u64()),
        (Some(1), Some(1))
    );

    // Every step is in the audit trail.
    let cat = t.catalogue();
    let actions: Vec<String> = cat
        .audit_trail(&vid)
        .unwrap()
        .into_iter()
        .map(|(_, _, action, _)| action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.as_str() == "second_entry")
            .count(),
        7,
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "second_entry_settled"),
        "{actions:?}"
    );
}
