//! Reading values out of OCR text: normalization, dates and amounts (figures and
//! 大写). Pure functions on strings, tested on text fixtures.

/// Removes whitespace and turns full-width ASCII (digits, letters, ：, －) into
/// half-width, so that rules compare what a person would read.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' if !matches!(c, '（' | '）' | '，' | '：' | '；') => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A calendar date, as found in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
    pub fn parse_iso(s: &str) -> Option<Date> {
        let mut it = s.split('-');
        let d = Date {
            year: it.next()?.parse().ok()?,
            month: it.next()?.parse().ok()?,
            day: it.next()?.parse().ok()?,
        };
        valid_date(d.year, d.month, d.day).then_some(d)
    }
    /// Days since 1970-01-01 (for deadline arithmetic).
    pub fn days(&self) -> i64 {
        crate::model::time::days_from_civil(self.year, self.month, self.day)
            .expect("a Date is always a valid date")
    }

    /// The date of a day number since 1970-01-01 (the inverse of [`Date::days`]).
    pub fn from_days(days: i64) -> Date {
        let (year, month, day) = crate::model::time::civil_from_days(days);
        Date { year, month, day }
    }
}

pub fn valid_date(year: i32, month: u32, day: u32) -> bool {
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    day <= days[month as usize - 1]
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | 'O' | '○' => 0,
        '一' | '壹' => 1,
        '二' | '贰' | '两' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// A number written in Chinese for a month or day (十二, 二十八, 三十一).
fn chinese_small(s: &[char]) -> Option<u32> {
    match s {
        [] => None,
        [a] if *a == '十' => Some(10),
        [a] => chinese_digit(*a),
        ['十', b] => Some(10 + chinese_digit(*b)?),
        [a, '十'] => Some(chinese_digit(*a)? * 10),
        [a, '十', b] => Some(chinese_digit(*a)? * 10 + chinese_digit(*b)?),
        _ => None,
    }
}

/// A date line as OCR may leave it when a seal lies over it: the year's digits
/// partly eaten (`二一年三月八日`, `二0年十月`), or the closing 日 gone
/// (`2022年11月18`). `year` only when all four digits were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseDate {
    pub year: Option<i32>,
    /// The last digit of the year, when some of it was read.
    pub year_last_digit: Option<u32>,
    pub month: u32,
    pub day: Option<u32>,
    /// The line's text before and after the date.
    pub before: String,
    pub after: String,
}

impl LooseDate {
    /// The whole date, when nothing is missing.
    pub fn date(&self) -> Option<Date> {
        let (y, d) = (self.year?, self.day?);
        valid_date(y, self.month, d).then_some(Date {
            year: y,
            month: self.month,
            day: d,
        })
    }

    /// The date with its year taken from `after`, a date the dated one cannot
    /// precede (the latest date its own text cites): that year or the next,
    /// whichever keeps the order and agrees with a year digit that was read.
    pub fn completed_after(&self, after: Date) -> Option<Date> {
        let day = self.day?;
        [after.year, after.year + 1]
            .into_iter()
            .filter(|y| {
                self.year_last_digit
                    .is_none_or(|d| y.rem_euclid(10) as u32 == d)
            })
            .filter(|&y| valid_date(y, self.month, day))
            .map(|y| Date {
                year: y,
                month: self.month,
                day,
            })
            .find(|d| *d >= after)
    }
}

/// The date a line holds, loosely read (see [`LooseDate`]): the first 年…月… in
/// the squashed line, in Arabic or Chinese numerals.
pub fn loose_date(line: &str) -> Option<LooseDate> {
    let c: Vec<char> = squash(line).chars().collect();
    let month_at = c.iter().position(|&x| x == '月')?;
    let year_at = c[..month_at].iter().rposition(|&x| x == '年');
    let year_digit = |x: char| {
        x.to_digit(10)
            .or_else(|| matches!(x, 'o' | 'Ο' | 'О').then_some(0))
            .or_else(|| chinese_digit(x))
    };
    let (year_chars, month_chars): (&[char], &[char]) = match year_at {
        Some(y) => (&c[..y], &c[y + 1..month_at]),
        None => (&[], &c[..month_at]),
    };
    let year_digits: Vec<u32> = year_chars
        .iter()
        .rev()
        .map_while(|&x| year_digit(x))
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let number = |s: &[char]| -> Option<u32> {
        if !s.is_empty() && s.len() <= 2 && s.iter().all(|x| x.is_ascii_digit()) {
            s.iter().collect::<String>().parse().ok()
        } else {
            chinese_small(s)
        }
    };
    // The month: the digits right before 月.
    let month_digits = month_chars
        .iter()
        .rev()
        .take_while(|&&x| x.is_ascii_digit() || x == '十' || chinese_digit(x).is_some())
        .count();
    let month = number(&month_chars[month_chars.len() - month_digits..])?;
    if !(1..=12).contains(&month) {
        return None;
    }
    // The day: digits after 月, up to 日/号 or the end of the line.
    let after = &c[month_at + 1..];
    let day_len = after
        .iter()
        .take_while(|&&x| x.is_ascii_digit() || x == '十' || chinese_digit(x).is_some())
        .count();
    let day = number(&after[..day_len]).filter(|d| (1..=31).contains(d));
    let closed = matches!(after.get(day_len), Some('日' | '号')) as usize;
    let start = match year_at {
        Some(y) => y - year_digits.len(),
        None => month_at - month_digits,
    };
    let end = month_at + 1 + day_len + closed;
    let year =
        (year_digits.len() == 4).then(|| year_digits.iter().fold(0, |a, d| a * 10 + d) as i32);
    Some(LooseDate {
        year: year.filter(|y| (1900..=2100).contains(y)),
        year_last_digit: year_digits.last().copied(),
        month,
        day,
        before: c[..start].iter().collect(),
        after: c[end..].iter().collect(),
    })
}

impl LooseDate {
    /// Does the line hold this date and little else (a label before it, a
    /// bracket after it), as a 落款 or a form's date cell does? A date inside a
    /// sentence is one the text cites.
    pub fn stands_alone(&self) -> bool {
        let sentence = |s: &str| s.contains(['，', '。', '；', '、', ',']);
        self.before.chars().count() <= 10
            && !sentence(&self.before)
            && self.after.chars().count() <= 2
            && !sentence(self.after.trim_end_matches('。'))
    }
}

/// Every date in a squashed line with its char offset: `2020年7月14日`,
/// `2020.10.08`, `2020-10-08`, `2020/10/08`, `20201008` (in tables), and
/// `二〇二〇年七月六日`.
pub fn dates(s: &str) -> Vec<(Date, usize)> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if let Some((d, len)) = date_at(&c, i) {
            out.push((d, i));
            i += len;
        } else {
            i += 1;
        }
    }
    out
}

fn digits_at(c: &[char], i: usize, max: usize) -> (u32, usize) {
    let mut v = 0;
    let mut n = 0;
    while n < max && c.get(i + n).is_some_and(|d| d.is_ascii_digit()) {
        v = v * 10 + c[i + n].to_digit(10).unwrap_or(0);
        n += 1;
    }
    (v, n)
}

fn date_at(c: &[char], i: usize) -> Option<(Date, usize)> {
    // Must not continue a longer number.
    if i > 0 && c[i - 1].is_ascii_digit() {
        return None;
    }
    let (year, n) = digits_at(c, i, 4);
    if n == 4 {
        let sep = *c.get(i + 4)?;
        if matches!(sep, '年' | '.' | '-' | '/' | '．') {
            let (month, mn) = digits_at(c, i + 5, 2);
            if mn == 0 {
                return None;
            }
            let sep2 = *c.get(i + 5 + mn)?;
            let ok_sep2 = if sep == '年' {
                sep2 == '月'
            } else {
                sep2 == sep
            };
            if !ok_sep2 {
                return None;
            }
            let (day, dn) = digits_at(c, i + 6 + mn, 2);
            if dn == 0 {
                return None;
            }
            let mut len = 6 + mn + dn;
            if sep == '年' {
                if c.get(i + len) != Some(&'日') && c.get(i + len) != Some(&'号') {
                    return None;
                }
                len += 1;
            }
            return valid_date(year as i32, month, day).then_some((
                Date {
                    year: year as i32,
                    month,
                    day,
                },
                len,
            ));
        }
        // YYYYMMDD as in the 卷内目录, alone (not inside a longer number).
        let (all, an) = digits_at(c, i, 9);
        if an == 8 {
            let (y, m, d) = (all / 10000, all / 100 % 100, all % 100);
            return valid_date(y as i32, m, d).then_some((
                Date {
                    year: y as i32,
                    month: m,
                    day: d,
                },
                8,
            ));
        }
        return None;
    }
    // 二〇二〇年七月六日
    let year_digits: Vec<u32> = c[i..]
        .iter()
        .take(4)
        .map_while(|&x| chinese_digit(x))
        .collect();
    if year_digits.len() == 4 && c.get(i + 4) == Some(&'年') {
        let year = year_digits.iter().fold(0, |a, d| a * 10 + d) as i32;
        let rest = &c[i + 5..];
        let m_end = rest.iter().position(|&x| x == '月')?;
        let month = chinese_small(&rest[..m_end])?;
        let rest2 = &rest[m_end + 1..];
        let d_end = rest2.iter().position(|&x| x == '日')?;
        let day = chinese_small(&rest2[..d_end])?;
        return valid_date(year, month, day)
            .then_some((Date { year, month, day }, 5 + m_end + 1 + d_end + 1));
    }
    None
}

/// An amount written in 大写 (伍万零玖佰陆拾元肆角玖分, 伍万元整) starting at the
/// beginning of `s`; returns yuan and the chars used.
pub fn capital_amount(s: &str) -> Option<(f64, usize)> {
    let c: Vec<char> = s.chars().collect();
    let mut total: f64 = 0.0; // finished 万/亿 groups
    let mut section: f64 = 0.0; // below 万
    let mut digit: Option<f64> = None;
    let mut used = 0;
    let mut yuan = false;
    for (i, &ch) in c.iter().enumerate() {
        if let Some(d) = chinese_digit(ch).filter(|_| ch != 'O') {
            digit = Some(d as f64);
        } else {
            match ch {
                '拾' | '十' => section += digit.take().unwrap_or(1.0) * 10.0,
                '佰' | '百' => section += digit.take()? * 100.0,
                '仟' | '千' => section += digit.take()? * 1000.0,
                '万' => {
                    total = (total + section + digit.take().unwrap_or(0.0)) * 10_000.0;
                    section = 0.0;
                }
                '亿' => {
                    total = (total + section + digit.take().unwrap_or(0.0)) * 100_000_000.0;
                    section = 0.0;
                }
                '元' | '圆' => {
                    total += section + digit.take().unwrap_or(0.0);
                    section = 0.0;
                    yuan = true;
                }
                '角' if yuan => total += digit.take()? * 0.1,
                '分' if yuan => total += digit.take()? * 0.01,
                '整' | '正' if yuan => {
                    used = i + 1;
                    break;
                }
                _ => break,
            }
        }
        used = i + 1;
    }
    (yuan && used > 1).then_some(((total * 100.0).round() / 100.0, used))
}

/// An amount in figures at the start of `s`: `50,000.00`, `50000`, `960.49`.
pub fn figure_amount(s: &str) -> Option<(f64, usize)> {
    let mut text = String::new();
    let mut used = 0;
    for (i, ch) in s.chars().enumerate() {
        match ch {
            '0'..='9' | '.' => text.push(ch),
            ',' | '，' if !text.is_empty() => {}
            _ => break,
        }
        used = i + 1;
    }
    let text = text.trim_end_matches('.');
    (!text.is_empty()).then(|| text.parse::<f64>().ok().map(|v| (v, used)))?
}

/// The fine (罚款) a squashed text imposes: the amount after `罚款` (skipping
/// `人民币`, `￥`), in 大写 or figures; when both are given they must agree.
/// Mentions such as `加处罚款` or `罚款数额` are not a fine.
pub fn fine_amounts(s: &str) -> Vec<(f64, usize, bool)> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let key: Vec<char> = "罚款".chars().collect();
    for i in 0..c.len().saturating_sub(1) {
        if c[i..].starts_with(&key) {
            if i > 1 && c[i - 2] == '加' && c[i - 1] == '处' {
                continue; // 加处罚款: a surcharge, not the fine
            }
            let rest: String = c[i + 2..].iter().collect();
            let rest = rest
                .trim_start_matches(['：', ':'])
                .trim_start_matches("人民币")
                .trim_start_matches(['￥', '¥']);
            let capital = capital_amount(rest);
            let figure = figure_amount(rest).filter(|f| f.0 > 0.0);
            // The figure in brackets after the 大写: （￥50,000.00）
            let bracket = capital.and_then(|(_, used)| {
                let after: String = rest.chars().skip(used).collect();
                let after = after
                    .trim_start_matches(['（', '('])
                    .trim_start_matches(['￥', '¥']);
                figure_amount(after).filter(|f| f.0 > 0.0)
            });
            match (capital, figure.or(bracket)) {
                (Some((a, _)), Some((b, _))) => out.push((a, i, (a - b).abs() < 0.005)),
                (Some((a, _)), None) => out.push((a, i, false)),
                (None, Some((b, used))) => {
                    // Figures must be followed by 元 to be money.
                    let after: String = rest.chars().skip(used).take(2).collect();
                    if after.starts_with('元') || after.starts_with("万元") {
                        let v = if after.starts_with("万元") {
                            b * 10_000.0
                        } else {
                            b
                        };
                        out.push((v, i, false));
                    }
                }
                (None, None) => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    #[test]
    fn date_lines_under_a_seal() {
        let l = loose_date("二〇二一年三月八日").unwrap();
        assert_eq!(l.date(), Some(d(2021, 3, 8)));
        assert!(l.stands_alone());
        // The seal ate two year digits: the year comes from the text's latest date.
        let l = loose_date("二一年三月八日").unwrap();
        assert_eq!((l.year, l.year_last_digit, l.day), (None, Some(1), Some(8)));
        assert_eq!(l.completed_after(d(2021, 1, 26)), Some(d(2021, 3, 8)));
        assert_eq!(
            l.completed_after(d(2020, 11, 2)),
            Some(d(2021, 3, 8)),
            "the digit read decides"
        );
        // The closing 日 lost; OCR's 0 for 〇.
        assert_eq!(
            loose_date("2022年11月18").unwrap().date(),
            Some(d(2022, 11, 18))
        );
        assert_eq!(
            loose_date("二0二0年十月八日").unwrap().date(),
            Some(d(2020, 10, 8))
        );
        // No day: no date.
        let l = loose_date("二0年十月").unwrap();
        assert_eq!((l.month, l.day), (10, None));
        assert_eq!(l.completed_after(d(2020, 7, 24)), None);
        // A form's labelled date stands alone; a date inside a sentence does not.
        assert!(
            loose_date("签名：孟莉2019年3月11日")
                .unwrap()
                .stands_alone()
        );
        assert!(
            !loose_date("2021年4月18日，本局向当事人送达了告知书")
                .unwrap()
                .stands_alone()
        );
        assert!(!loose_date("于2021年5月6日前缴纳。").unwrap().stands_alone());
        assert!(!loose_date("经查，2019年3月6日").unwrap().stands_alone());
        assert!(loose_date("罚款五万元").is_none());
    }

    #[test]
    fn dates_in_the_usual_spellings() {
        let found: Vec<Date> = [
            "受案时间2020年7月1日",
            "填制日期：2020年10月08日",
            "2020.10.08",
            "20200706",
            "落款二〇二〇年七月十六日",
        ]
        .iter()
        .flat_map(|s| dates(&squash(s)))
        .map(|x| x.0)
        .collect();
        assert_eq!(
            found,
            vec![
                d(2020, 7, 1),
                d(2020, 10, 8),
                d(2020, 10, 8),
                d(2020, 7, 6),
                d(2020, 7, 16)
            ]
        );
        assert!(
            dates("电话15278983343").is_empty(),
            "phone numbers are not dates"
        );
        assert!(dates("2020年13月1日").is_empty());
        assert_eq!(d(2021, 3, 1).days() - d(2021, 2, 28).days(), 1);
        assert_eq!(d(1970, 1, 1).days(), 0);
    }

    #[test]
    fn capital_amounts() {
        assert_eq!(capital_amount("伍万元整"), Some((50000.0, 4)));
        assert_eq!(
            capital_amount("玖佰陆拾元肆角玖分（").map(|a| a.0),
            Some(960.49)
        );
        assert_eq!(
            capital_amount("伍万零玖佰陆拾元肆角玖分").map(|a| a.0),
            Some(50960.49)
        );
        assert_eq!(
            capital_amount("壹拾贰万叁仟元整").map(|a| a.0),
            Some(123000.0)
        );
        assert_eq!(capital_amount("贰仟元").map(|a| a.0), Some(2000.0));
        assert_eq!(capital_amount("伍万"), None, "no 元");
    }

    #[test]
    fn fines_in_figures_and_capitals() {
        let s = squash(
            "1．没收违法所得人民币玖佰陆拾元肆角玖分（￥960.49）；2.罚款人民币伍万元整（￥50,000.00）。",
        );
        let f = fine_amounts(&s);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].0, f[0].2), (50000.0, true));
        assert_eq!(fine_amounts("处罚款3000元")[0].0, 3000.0);
        assert_eq!(fine_amounts("罚款2万元")[0].0, 20000.0);
        assert!(fine_amounts("每日按罚款数额的百分之三加处罚款").is_empty());
    }

    #[test]
    fn squash_makes_full_width_digits_plain() {
        assert_eq!(squash("第 ６ 页 ＡＢ"), "第6页AB");
        assert_eq!(squash("档号：J1"), "档号：J1");
    }
}
