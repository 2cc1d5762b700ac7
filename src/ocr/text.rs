//! Clean OCR text: no spaces between Chinese characters, spaces kept between Latin words.

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
    let chars: Vec<char> = line.trim().chars().collect();
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

/// Cleans every line of a text and drops empty lines.
pub fn clean_text(text: &str) -> String {
    text.lines()
        .map(clean_line)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
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
    fn clean_text_drops_blank_lines() {
        assert_eq!(clean_text("甲 乙\n\n  \n丙"), "甲乙\n丙");
    }
}
