//! Identifiers of DESIGN.md §2: 统一社会信用代码 (GB 32100-2015), 身份证号
//! (GB 11643-1999, ISO 7064 MOD 11-2) and 文号 (`机关代字〔YYYY〕N号`).
//!
//! OCR misreads a character now and then (O for 0, S for 5); the check character
//! lets us repair one such confusion safely: a repair is accepted only when exactly
//! one single-character change among known confusions makes the code valid.

/// The 31 characters a credit code may use (no I, O, Z, S, V).
const CREDIT_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Pairs of characters that OCR confuses on printed codes.
const CONFUSIONS: &[(char, char)] = &[
    ('0', 'O'),
    ('0', 'D'),
    ('0', 'Q'),
    ('0', 'C'),
    ('C', 'O'),
    ('C', 'G'),
    ('6', 'G'),
    ('1', 'I'),
    ('1', 'L'),
    ('1', '7'),
    ('2', 'Z'),
    ('5', 'S'),
    ('8', 'B'),
    ('U', 'V'),
    ('Y', 'V'),
    ('X', 'K'),
];

pub fn credit_code_valid(code: &str) -> bool {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (i, c) in chars[..17].iter().enumerate() {
        match CREDIT_ALPHABET.find(*c) {
            Some(v) => sum += v as u32 * CREDIT_WEIGHTS[i],
            None => return false,
        }
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_ALPHABET.chars().nth(check as usize) == Some(chars[17])
}

pub fn id_number_valid(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| (d - b'0') as u32 * w)
        .sum();
    if ID_CHECK[(sum % 11) as usize] != b[17] {
        return false;
    }
    // The birth date (YYYYMMDD at 7..15) must be a real date.
    let num = |r: std::ops::Range<usize>| code[r].parse::<u32>().unwrap_or(0);
    super::values::valid_date(num(6..10) as i32, num(10..12), num(12..14))
}

/// The code as read, or the one valid code a single known confusion away from it.
/// Returns the code and whether it was repaired.
pub fn repair(code: &str, valid: fn(&str) -> bool) -> Option<(String, bool)> {
    if valid(code) {
        return Some((code.to_string(), false));
    }
    let chars: Vec<char> = code.chars().collect();
    let mut found: Option<String> = None;
    for i in 0..chars.len() {
        for &(a, b) in CONFUSIONS {
            let swap = if chars[i] == a {
                b
            } else if chars[i] == b {
                a
            } else {
                continue;
            };
            let mut candidate = chars.clone();
            candidate[i] = swap;
            let candidate: String = candidate.into_iter().collect();
            if valid(&candidate) {
                if found.as_ref().is_some_and(|f| f != &candidate) {
                    return None; // two different repairs: do not guess
                }
                found = Some(candidate);
            }
        }
    }
    found.map(|f| (f, true))
}

/// 18-character runs of code characters in a (normalized) line.
pub fn code_tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in line.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() {
            run.push(c.to_ascii_uppercase());
        } else {
            if run.chars().count() == 18 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    out
}

/// Finds a 文号 in `text` and normalizes it to `机关代字〔YYYY〕N号`. Accepts the
/// brackets `[]`, `()`, `（）`, `【】`, `〔〕` (also mixed, as OCR reads them) and
/// `第N号`.
pub fn find_doc_no(text: &str) -> Option<(String, usize)> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let is_open = |c: char| matches!(c, '〔' | '[' | '(' | '（' | '【' | '［' | '｛' | '{');
    let is_close = |c: char| matches!(c, '〕' | ']' | ')' | '）' | '】' | '］' | '｝' | '}');
    for i in 0..chars.len() {
        if !is_open(chars[i]) {
            continue;
        }
        // YYYY then a closing bracket.
        let year: String = chars[i + 1..].iter().take(4).collect();
        if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if !chars.get(i + 5).is_some_and(|&c| is_close(c)) {
            continue;
        }
        // The agency abbreviation: CJK characters right before the bracket.
        let mut start = i;
        while start > 0 && is_cjk(chars[start - 1]) && i - start < 12 {
            start -= 1;
        }
        if start == i {
            continue;
        }
        let mut prefix: String = chars[start..i].iter().collect();
        // Labels glued to the number ("决定书文号泰市监罚决…") are not part of it.
        for label in ["文号", "编号", "案号"] {
            if let Some(p) = prefix.rfind(label) {
                prefix = prefix[p + label.len()..].to_string();
            }
        }
        if prefix.is_empty() {
            continue;
        }
        let mut j = i + 6;
        if chars.get(j) == Some(&'第') {
            j += 1;
        }
        let digits: String = chars[j..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if digits.is_empty() || chars.get(j + digits.len()) != Some(&'号') {
            // A number split over two lines ("…〔2020〕280" / "号") is still a 文号.
            if digits.is_empty() || j + digits.len() != chars.len() {
                continue;
            }
        }
        let n: u32 = digits.parse().ok()?;
        return Some((format!("{prefix}〔{year}〕{n}号"), start));
    }
    None
}

pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes_are_checked_and_one_confusion_repaired() {
        // Published example codes with correct check characters.
        assert!(credit_code_valid("91350100M000100Y43"));
        assert!(credit_code_valid("91110000600037341L"));
        assert!(!credit_code_valid("91350100M000100Y44"));
        assert_eq!(
            repair("91350100M000100Y4S", credit_code_valid),
            None,
            "S is not a confusion of 3"
        );
        assert_eq!(
            repair("9135O100M000100Y43", credit_code_valid),
            Some(("91350100M000100Y43".to_string(), true))
        );
    }

    #[test]
    fn id_numbers_use_mod_11_2_and_a_real_birth_date() {
        assert!(id_number_valid("11010519491231002X"));
        assert!(!id_number_valid("110105194912310021"));
        assert!(!id_number_valid("110105194913310023"), "month 13");
        assert_eq!(
            repair("11010519491231OO2X", id_number_valid),
            None,
            "two misread characters are not repaired"
        );
        assert_eq!(
            repair("1101051949123100ZX", id_number_valid),
            Some(("11010519491231002X".to_string(), true))
        );
    }

    #[test]
    fn doc_numbers_normalize_their_brackets() {
        for text in [
            "泰市监罚决〔2020〕280号",
            "泰市监罚决[2020]280号",
            "泰市监罚决（2020）280号",
            "泰市监罚决(2020)第280号",
            "泰市监罚决【2020] 280号",
            "决定书文号：泰市监罚决[2020]280号",
        ] {
            assert_eq!(
                find_doc_no(text).map(|d| d.0).as_deref(),
                Some("泰市监罚决〔2020〕280号"),
                "{text}"
            );
        }
        assert_eq!(
            find_doc_no("泰市监罚告〔2020]280").map(|d| d.0).as_deref(),
            Some("泰市监罚告〔2020〕280号"),
            "number wrapped before 号"
        );
        assert_eq!(find_doc_no("依据（2020）年度计划"), None);
        assert_eq!(find_doc_no("〔2020〕280号"), None, "no agency abbreviation");
    }

    #[test]
    fn tokens_are_18_character_runs() {
        assert_eq!(
            code_tokens("统一社会信用代码：91370911ma1cnb1k5u，电话"),
            vec!["91370911MA1CNB1K5U"]
        );
        assert!(code_tokens("1234567890123456789").is_empty());
    }
}
