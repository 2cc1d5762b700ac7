//! The printable 评查表 of a volume (A4 PDF, [`crate::print`]) and the batch
//! summary (XLSX, one row per volume).

use anyhow::Result;

use super::scoring::{Score, ScoreSheet};
use crate::print::{A4, Form, MARGIN};

/// What heads a volume's sheet.
#[derive(Debug, Clone, Default)]
pub struct SheetHeader {
    pub volume: String,
    pub archival_code: Option<String>,
    pub title: Option<String>,
    pub party: Option<String>,
    pub agency: Option<String>,
    pub decision_no: Option<String>,
}

/// The 评查表 of one volume as PDF bytes.
pub fn score_sheet_pdf(
    sheet: &ScoreSheet,
    header: &SheetHeader,
    score: &Score,
    reviewer: &str,
    date: &str,
) -> Result<Vec<u8>> {
    let mut f = Form::new();
    f.centred(18.0, "行政处罚案卷评查表");
    f.y += 4.0;
    f.centred(9.0, &sheet.standard);
    f.y += 8.0;
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "（未著录）".into());
    f.fields(
        10.5,
        80.0,
        &[
            ("档号", field(&header.archival_code)),
            ("案卷题名", field(&header.title)),
            ("当事人", field(&header.party)),
            ("执法机关", field(&header.agency)),
            ("决定书文号", field(&header.decision_no)),
            ("案卷标识", header.volume.clone()),
        ],
    );
    f.y += 6.0;
    // The items: 类别 | 项目 | 分值 | 扣分 | 扣分理由.
    let right = A4.0 - MARGIN;
    let cols = [
        MARGIN,
        MARGIN + 70.0,
        MARGIN + 190.0,
        MARGIN + 225.0,
        MARGIN + 260.0,
        right,
    ];
    let mut rows: Vec<Vec<String>> = vec![
        ["类别", "评查项目", "分值", "扣分", "扣分理由"]
            .map(String::from)
            .to_vec(),
    ];
    for i in &score.items {
        let reasons: Vec<String> = i
            .reasons
            .iter()
            .map(|r| {
                // The finding's words (its code is for programs), or the reviewer's.
                let place = r.page.map_or(String::new(), |p| format!("（第{p}页）"));
                let who = if r.code == "reviewer" {
                    "评查人："
                } else {
                    ""
                };
                format!(
                    "{who}{}{place} {:+}",
                    r.note,
                    -super::scoring::round2(r.points)
                )
            })
            .collect();
        rows.push(vec![
            i.category.clone(),
            i.item.clone(),
            fmt_points(i.points),
            if i.deducted > 0.0 {
                fmt_points(i.deducted)
            } else {
                String::new()
            },
            reasons.join("；"),
        ]);
    }
    f.table(&cols, &rows, 9.0);
    f.y += 14.0;
    let veto = match &score.veto {
        Some(v) => format!("一票否决：{} {}", v.item, v.code),
        None => "一票否决：无".into(),
    };
    let y = f.y;
    f.text(
        MARGIN,
        y,
        12.0,
        &format!(
            "得分：{}　　等级：{}　　{veto}",
            fmt_points(score.total),
            score.grade
        ),
    );
    f.y += 36.0;
    f.signature(10.5, "评查人", reviewer, date);
    f.signature(10.5, "复核人", "", "");
    f.finish(&format!("评查表 {}", field(&header.archival_code)))
}

fn fmt_points(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One row of the batch summary.
pub struct SummaryRow<'a> {
    pub header: &'a SheetHeader,
    pub score: &'a Score,
}

/// The batch summary: one row per volume (档号, 题名, 当事人, total, grade, veto,
/// then what each item lost), written to `path` as XLSX.
pub fn summary_xlsx(
    sheet: &ScoreSheet,
    rows: &[SummaryRow<'_>],
    path: &std::path::Path,
) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("评查汇总")?;
    let bold = Format::new().set_bold();
    let items: Vec<&super::scoring::Item> =
        sheet.categories.iter().flat_map(|c| &c.items).collect();
    let mut heads: Vec<String> = [
        "案卷标识",
        "档号",
        "案卷题名",
        "当事人",
        "得分",
        "等级",
        "一票否决",
    ]
    .map(String::from)
    .to_vec();
    heads.extend(
        items
            .iter()
            .map(|i| format!("{} {}（{}分）扣分", i.id, i.name, fmt_points(i.points))),
    );
    for (c, h) in heads.iter().enumerate() {
        ws.write_with_format(0, c as u16, h.as_str(), &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        let h = row.header;
        ws.write(r, 0, h.volume.as_str())?;
        ws.write(r, 1, h.archival_code.as_deref().unwrap_or(""))?;
        ws.write(r, 2, h.title.as_deref().unwrap_or(""))?;
        ws.write(r, 3, h.party.as_deref().unwrap_or(""))?;
        ws.write(r, 4, row.score.total)?;
        ws.write(r, 5, row.score.grade.as_str())?;
        let veto = row
            .score
            .veto
            .as_ref()
            .map_or(String::new(), |v| format!("{} {}", v.item, v.code));
        ws.write(r, 6, veto.as_str())?;
        for (k, item) in items.iter().enumerate() {
            let lost = row
                .score
                .items
                .iter()
                .find(|i| i.id == item.id)
                .map_or(0.0, |i| i.deducted);
            ws.write(r, 7 + k as u16, lost)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofit();
    crate::fsutil::save_workbook(&mut book, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_without_trailing_zeros() {
        assert_eq!(fmt_points(87.5), "87.5");
        assert_eq!(fmt_points(90.0), "90");
    }

    #[test]
    fn a_long_sheet_goes_on_to_a_second_page() {
        let sheet = ScoreSheet::builtin();
        let findings: Vec<_> = (1..=60)
            .map(|p| {
                crate::model::Finding::new(
                    "page_without_number",
                    crate::model::Severity::Warning,
                    "第 N 张扫描页夹在相邻页号章之间，没有页号：是空白背面还是夹入的页？",
                )
                .on_page(Some(p))
            })
            .collect();
        let score = super::super::scoring::score(sheet, &findings, &[]);
        let pdf = score_sheet_pdf(
            sheet,
            &SheetHeader::default(),
            &score,
            "评查员",
            "2026-12-03",
        )
        .unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/Count 2"), "two pages");
        assert!(text.contains("/STSong-Light") && text.contains("/UniGB-UCS2-H"));
    }
}
