//! `anjuan stats`: counts and sums of the home's enforcement.

use crate::fixtures::*;

/// Two decisions by two authorities: the totals are the sum of the volumes'
/// fines, each decision counted once under its heaviest penalty, the time from
/// 立案 to 决定 summed up, and a date range narrows it.
#[test]
fn stats_sum_the_volumes_fines_and_count_by_authority_penalty_and_duration() {
    let t = TestHome::new();
    let first = plain_volume(&t, &[300]);
    let second = plain_volume(&t, &[310]);
    process_fake(
        &t,
        "行政处罚决定书\n当事人：某某公司\n本局决定作出如下行政处罚：\n1.没收违法所得600元；2.罚款5000元。\n当事人应当十五日内缴纳。",
    );
    for (v, agency, fine, filed, decided) in [
        (
            &first,
            "甲市市场监督管理局",
            "5000",
            "2023-01-01",
            "2023-02-15",
        ),
        (
            &second,
            "乙市应急管理局",
            "12000",
            "2024-01-10",
            "2024-05-20",
        ),
    ] {
        let (code, _, err) = run(t.cli().args([
            "correct",
            "--volume",
            v,
            &format!("agency={agency}"),
            &format!("fine_amount={fine}"),
            &format!("filed_date={filed}"),
            &format!("decided_date={decided}"),
        ]));
        assert_eq!(code, 0, "{err}");
    }
    let stats = |extra: &[&str]| -> serde_json::Value {
        let (code, out, err) = run(t.cli().args(["stats", "--json"]).args(extra));
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap()
    };
    let s = stats(&[]);
    assert_eq!(
        (s["volumes"].as_u64(), s["decisions"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(s["fines_total"].as_f64(), Some(17000.0));
    assert_eq!(s["confiscated_total"].as_f64(), Some(1200.0));
    let by = s["by"].as_array().unwrap();
    assert_eq!(by.len(), 2);
    let sum: f64 = by.iter().map(|b| b["fines_total"].as_f64().unwrap()).sum();
    assert_eq!(sum, 17000.0);
    assert!(
        by.iter()
            .any(|b| b["key"] == "乙市应急管理局" && b["members"][0] == second.as_str())
    );
    // Both decisions fine and confiscate: counted once, under the heavier.
    let cats = s["by_category"].as_array().unwrap();
    assert_eq!(cats.len(), 1, "{cats:?}");
    assert_eq!(
        (cats[0]["key"].as_str(), cats[0]["volumes"].as_u64()),
        (Some("没收违法所得"), Some(2))
    );
    // 45 and 131 days.
    let d = &s["duration_days"];
    assert_eq!(
        (
            d["median"].as_f64(),
            d["p90"].as_f64(),
            d["over_90"].as_u64()
        ),
        (Some(88.0), Some(131.0), Some(1))
    );
    assert!(!s["findings"].as_object().unwrap().is_empty());
    assert_eq!(s["stages"]["indexing"].as_u64(), Some(2), "{}", s["stages"]);

    let s = stats(&["--from", "2024-01-01", "--by", "year"]);
    assert_eq!(s["volumes"].as_u64(), Some(1));
    assert_eq!(s["by"][0]["key"], "2024");
    // The table for a spreadsheet.
    let csv = t.path("stats.csv");
    let (code, _, err) = run(t.cli().args(["stats", "--out"]).arg(&csv));
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.contains("甲市市场监督管理局") && text.contains("5000"),
        "{text}"
    );
}
