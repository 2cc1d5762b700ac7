//! 档号 (DA/T 13-2022): built from a configurable template and the bureau's
//! settings, and read back from a printed 档号 with the same template.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

pub use crate::model::settings::BureauSettings;

impl BureauSettings {
    /// What is wrong with the settings, in words for the clerk; empty when they
    /// can be used. Each element of a 档号 must be letters and digits (a `-` or
    /// `·` inside one would make the code unreadable), the template must know
    /// its fields and hold the 案卷号, else two volumes of a year share a code.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let element = |v: &str| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric());
        if let Some(f) = &self.fonds_code
            && !element(f)
        {
            out.push(format!("全宗号「{f}」只能由字母和数字组成"));
        }
        if !element(&self.category_code) {
            out.push(format!(
                "门类代码「{}」只能由字母和数字组成",
                self.category_code
            ));
        }
        if retention_code(&self.retention).as_deref() != Some(self.retention.as_str()) {
            out.push(format!(
                "保管期限「{}」应为 Y、D30 或 D10 这样的代码",
                self.retention
            ));
        }
        out.extend(template_problems(&self.archival_code_template));
        out
    }

    /// Checks and writes the settings (atomically: a crash leaves the old or the new).
    pub fn save(&self, path: &Path) -> Result<()> {
        let problems = self.problems();
        if !problems.is_empty() {
            anyhow::bail!("{}", problems.join("；"));
        }
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::fsutil::write_atomic(path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// A 档号 as these settings would make it, for a volume of `year` numbered
    /// `volume_no` (the settings screen shows it while the clerk types).
    pub fn example_code(&self, year: i32, volume_no: u32) -> Option<String> {
        let values: BTreeMap<&str, String> = [
            (FONDS, self.fonds_code.clone()?),
            (CATEGORY, self.category_code.clone()),
            (YEAR, year.to_string()),
            (RETENTION, self.retention.clone()),
            (VOLUME_NO, volume_no.to_string()),
        ]
        .into();
        render(&self.archival_code_template, &values)
    }
}

pub use crate::model::time::this_year;

fn template_problems(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    if template.matches('{').count() != template.matches('}').count() {
        out.push(format!("档号模板「{template}」的花括号不成对"));
        return out;
    }
    let ps = pieces(template);
    let known = [FONDS, CATEGORY, YEAR, RETENTION, VOLUME_NO];
    for p in &ps {
        if let Piece::Field { name, .. } = p
            && !known.contains(&name.as_str())
        {
            out.push(format!(
                "档号模板里的「{{{name}}}」不认识；可用 {}",
                known.map(|k| format!("{{{k}}}")).join(" ")
            ));
        }
    }
    if !ps
        .iter()
        .any(|p| matches!(p, Piece::Field { name, .. } if name == VOLUME_NO))
    {
        out.push("档号模板须含 {案卷号}，否则同年的案卷档号相同".into());
    }
    if ps
        .windows(2)
        .any(|w| matches!(w, [Piece::Field { .. }, Piece::Field { .. }]))
    {
        out.push("档号模板中两个字段之间须有分隔符（如 - 或 ·）".into());
    }
    out
}

/// Template fields by their Chinese names.
pub const FONDS: &str = "全宗号";
pub const CATEGORY: &str = "门类代码";
pub const YEAR: &str = "年度";
pub const RETENTION: &str = "保管期限";
pub const VOLUME_NO: &str = "案卷号";

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Literal(String),
    Field { name: String, width: usize },
}

fn pieces(template: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            out.push(Piece::Literal(rest[..open].to_string()));
        }
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let inner = &rest[open + 1..open + close];
        let (name, width) = match inner.split_once(':') {
            Some((n, w)) => (n.to_string(), w.parse().unwrap_or(0)),
            None => (inner.to_string(), 0),
        };
        out.push(Piece::Field { name, width });
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest.to_string()));
    }
    out
}

/// Fills the template; `None` when an element is missing.
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> Option<String> {
    let mut out = String::new();
    for p in pieces(template) {
        match p {
            Piece::Literal(s) => out.push_str(&s),
            Piece::Field { name, width } => {
                let v = values.get(name.as_str())?;
                if width > 0 && v.chars().all(|c| c.is_ascii_digit()) {
                    let n: u64 = v.parse().ok()?;
                    out.push_str(&format!("{n:0width$}"));
                } else {
                    out.push_str(v);
                }
            }
        }
    }
    Some(out)
}

/// The separator dot as OCR and typists write it, made U+00B7.
pub fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '.' | '•' | '・' | '‧' | '∙' | '．' | '⋅' => '·',
            '－' | '—' | '–' => '-',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Reads the elements of a printed 档号 with the template; `None` if it does not fit.
pub fn parse(template: &str, code: &str) -> Option<BTreeMap<String, String>> {
    let code = normalize(code);
    let ps = pieces(template);
    let mut out = BTreeMap::new();
    let mut rest = code.as_str();
    for (i, p) in ps.iter().enumerate() {
        match p {
            Piece::Literal(s) => rest = rest.strip_prefix(s.as_str())?,
            Piece::Field { name, width } => {
                let end = match ps.get(i + 1) {
                    Some(Piece::Literal(next)) => rest.find(next.as_str())?,
                    _ => rest.len(),
                };
                let v = &rest[..end];
                let ok = !v.is_empty()
                    && v.chars().all(|c| c.is_ascii_alphanumeric())
                    && (*width == 0 || v.chars().all(|c| c.is_ascii_digit()))
                    && (name != YEAR || (v.len() == 4 && v.chars().all(|c| c.is_ascii_digit())));
                if !ok {
                    return None;
                }
                out.insert(name.clone(), v.to_string());
                rest = &rest[end..];
            }
        }
    }
    rest.is_empty().then_some(out)
}

/// The retention code for a printed 保管期限 (`永久`, `30年`, `10年`, `D30`).
pub fn retention_code(text: &str) -> Option<String> {
    let t = normalize(text);
    if t.contains("永久") || t == "Y" {
        return Some("Y".into());
    }
    if let Some(d) = t.strip_prefix('D')
        && d.chars().all(|c| c.is_ascii_digit())
        && !d.is_empty()
    {
        return Some(t);
    }
    let years: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    (!years.is_empty() && t[years.len()..].starts_with('年')).then(|| format!("D{years}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "{全宗号}-{门类代码}·{年度}-{保管期限}-{案卷号:04}";

    #[test]
    fn the_default_template_renders_and_parses_back() {
        let values: BTreeMap<&str, String> = [
            (FONDS, "J037".to_string()),
            (CATEGORY, "ZF".into()),
            (YEAR, "2021".into()),
            (RETENTION, "D30".into()),
            (VOLUME_NO, "12".into()),
        ]
        .into();
        let code = render(T, &values).unwrap();
        assert_eq!(code, "J037-ZF·2021-D30-0012");
        let back = parse(T, &code).unwrap();
        assert_eq!(back[VOLUME_NO], "0012");
        assert_eq!(back[CATEGORY], "ZF");
        // OCR reads the middle dot as a full stop.
        assert_eq!(parse(T, "J037-ZF.2021-D30-0012").unwrap()[YEAR], "2021");
        assert!(
            parse(T, "J037-ZF·21-D30-0012").is_none(),
            "year needs 4 digits"
        );
        assert!(parse(T, "J037-ZF·2021-D30").is_none());
    }

    #[test]
    fn retention_words() {
        assert_eq!(retention_code("10年").as_deref(), Some("D10"));
        assert_eq!(retention_code("永久").as_deref(), Some("Y"));
        assert_eq!(retention_code("D30").as_deref(), Some("D30"));
        assert_eq!(retention_code("长期"), None);
    }

    #[test]
    fn settings_are_checked_before_they_are_saved() {
        let mut s = BureauSettings {
            fonds_code: Some("J037".into()),
            ..Default::default()
        };
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        assert_eq!(
            s.example_code(2024, 3).as_deref(),
            Some("J037-XZCF·2024-D30-0003")
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bureau.json");
        s.save(&path).unwrap();
        assert_eq!(BureauSettings::load(&path).unwrap(), s);

        s.fonds_code = Some("J-037".into());
        s.retention = "30年".into();
        s.archival_code_template = "{全宗号}{年度}-{册号}".into();
        let problems = s.problems().join("\n");
        for expected in [
            "全宗号「J-037」",
            "保管期限「30年」",
            "{册号}",
            "须含 {案卷号}",
            "分隔符",
        ] {
            assert!(
                problems.contains(expected),
                "{expected} not in:\n{problems}"
            );
        }
        assert!(s.save(&path).is_err());
        // The file kept the good settings.
        assert_eq!(
            BureauSettings::load(&path).unwrap().fonds_code.as_deref(),
            Some("J037")
        );
        // Without a 全宗号 there is no code to show, and that is no error.
        let none = BureauSettings::default();
        assert!(none.problems().is_empty());
        assert_eq!(none.example_code(2024, 3), None);
    }

    #[test]
    fn shipped_settings_parse() {
        let s = BureauSettings::default();
        assert_eq!(s.archival_code_template, T);
    }
}
