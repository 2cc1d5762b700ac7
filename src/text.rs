//! Clean page text (OCR or born-digital) the same way everywhere: no spaces
//! between Chinese characters, spaces kept between Latin words, one form of
//! punctuation for search.

/// Wide characters of Chinese text: ideographs, CJK punctuation, full-width forms.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F   // CJK symbols and punctuation 、。〔〕
        | 0x3400..=0x4DBF // extension A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFE30..=0xFE4F // compatibility forms
        | 0xFF00..=0xFFEF // full-width forms ：（），
        | 0x20000..=0x3134F)
}

/// Cleans one line: whitespace runs collapse to one space, and a space next to a
/// CJK character goes (Tesseract spaces every ideograph; Chinese is written without
/// spaces, also between a character and a number: `2023年3月`).
pub fn clean_line(line: &str) -> String {
    let normalized = normalize_punctuation(line.trim());
    let chars: Vec<char> = normalized.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let touches_cjk = before.is_some_and(is_cjk) || after.is_some_and(is_cjk);
            if !touches_cjk && before.is_some() && after.is_some() {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Full-width form of ASCII punctuation used in Chinese text.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ':' => '：',
        ';' => '；',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

/// Punctuation as Chinese text writes it: ASCII `, : ; ? ! ( )` next to a Chinese
/// character become full-width (`50,000.00` and Latin text stay as they are), and
/// the year brackets of a 文号 become 〔〕 (`罚[2023]17号` → `罚〔2023〕17号`).
pub fn normalize_punctuation(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let n = chars.len();
    // 文号 years: an opening bracket, four digits, a closing bracket, digits, 号.
    const OPEN: &[char] = &['[', '【', '〔', '(', '（', '{', '［', '〈', '<'];
    const CLOSE: &[char] = &[']', '】', '〕', ')', '）', '}', '］', '〉', '>'];
    let mut i = 0;
    while i + 6 < n {
        if OPEN.contains(&chars[i])
            && chars[i + 1..i + 5].iter().all(|&c| is_digit(c))
            && CLOSE.contains(&chars[i + 5])
        {
            // OCR may leave spaces around the number: `【2023] 17 号`.
            let skip_spaces = |mut j: usize| {
                while j < n && chars[j] == ' ' {
                    j += 1;
                }
                j
            };
            let start = skip_spaces(i + 6);
            let mut j = start;
            while j < n && is_digit(chars[j]) {
                j += 1;
            }
            let end = skip_spaces(j);
            if j > start && end < n && chars[end] == '号' {
                chars[i] = '〔';
                chars[i + 5] = '〕';
            }
        }
        i += 1;
    }
    // Neighbours that decide: the nearest characters that are not spaces.
    let near = |from: usize, step: isize| -> Option<char> {
        let mut k = from as isize + step;
        while k >= 0 && (k as usize) < n {
            let c = chars[k as usize];
            if c != ' ' {
                return Some(c);
            }
            k += step;
        }
        None
    };
    let mut out = chars.clone();
    // Parentheses go in pairs: full-width when Chinese is next to or inside them.
    let mut stack = Vec::new();
    let mut paired = vec![false; n];
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '(' => stack.push(i),
            ')' => {
                if let Some(open) = stack.pop() {
                    paired[open] = true;
                    paired[i] = true;
                    let chinese = near(open, -1).is_some_and(is_cjk)
                        || near(i, 1).is_some_and(is_cjk)
                        || chars[open + 1..i].iter().any(|&c| is_cjk(c));
                    if chinese {
                        out[open] = '（';
                        out[i] = '）';
                    }
                }
            }
            _ => {}
        }
    }
    for (i, &c) in chars.iter().enumerate() {
        let Some(wide) = full_width(c) else { continue };
        if paired[i] {
            continue;
        }
        let (before, after) = (near(i, -1), near(i, 1));
        // A comma or colon between digits is part of a number or a time.
        let in_number =
            matches!(c, ',' | ':') && before.is_some_and(is_digit) && after.is_some_and(is_digit);
        if !in_number && (before.is_some_and(is_cjk) || after.is_some_and(is_cjk)) {
            out[i] = wide;
        }
    }
    out.into_iter().collect()
}

/// Cleans every line of a text and drops empty lines.
pub fn clean_text(text: &str) -> String {
    text.lines()
        .map(clean_line)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break.
pub fn csv_cell(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_spaces_between_chinese_characters() {
        assert_eq!(clean_line("行 政 处 罚 决 定 书"), "行政处罚决定书");
        assert_eq!(clean_line("2023 年 3 月 8 日"), "2023年3月8日");
        assert_eq!(
            clean_line("代码 ： 91330105MA2H7KQX3L"),
            "代码：91330105MA2H7KQX3L"
        );
    }

    #[test]
    fn keeps_single_spaces_between_latin_words() {
        assert_eq!(clean_line("  Case   No.  17 "), "Case No. 17");
        assert_eq!(clean_line("ISO 9001 认证"), "ISO 9001认证");
    }

    #[test]
    fn punctuation_becomes_full_width_next_to_chinese_only() {
        assert_eq!(
            clean_line("当事人: 某公司, 罚款(伍万元)"),
            "当事人：某公司，罚款（伍万元）"
        );
        assert_eq!(
            clean_line("人民币50,000.00元(¥50,000.00)"),
            "人民币50,000.00元（¥50,000.00）"
        );
        assert_eq!(
            clean_line("Case No. 17, see (a): yes"),
            "Case No. 17, see (a): yes"
        );
        assert_eq!(clean_line("时间: 9:30"), "时间：9:30");
    }

    #[test]
    fn document_number_years_get_hexagonal_brackets() {
        assert_eq!(
            clean_line("江北市监罚【2023] 17号"),
            "江北市监罚〔2023〕17号"
        );
        assert_eq!(clean_line("临环罚告[2020]441号"), "临环罚告〔2020〕441号");
        assert_eq!(clean_line("(2023)年度"), "（2023）年度");
    }

    #[test]
    fn clean_text_drops_blank_lines() {
        assert_eq!(clean_text("甲 乙\n\n  \n丙"), "甲乙\n丙");
    }
}
