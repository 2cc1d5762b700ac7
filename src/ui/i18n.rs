//! UI texts in Chinese (default) and English.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// Every label the workstation shows.
pub struct Texts {
    pub app_title: &'static str,
    pub volumes: &'static str,
    pub no_volumes: &'static str,
    pub import: &'static str,
    pub import_title: &'static str,
    pub import_path_hint: &'static str,
    pub import_into_new: &'static str,
    pub import_into_current: &'static str,
    pub import_go: &'static str,
    pub up: &'static str,
    pub cancel: &'static str,
    pub close: &'static str,
    pub process: &'static str,
    pub pages: &'static str,
    pub state_imported: &'static str,
    pub state_processing: &'static str,
    pub state_done: &'static str,
    pub state_failed: &'static str,
    pub back_to_grid: &'static str,
    pub fit: &'static str,
    pub prev: &'static str,
    pub next: &'static str,
    pub ocr_text: &'static str,
    pub no_text_yet: &'static str,
    pub low_confidence: &'static str,
    pub show_boxes: &'static str,
    pub drop_hint: &'static str,
    pub task_import: &'static str,
    pub task_process: &'static str,
    pub task_sample: &'static str,
    pub select_volume: &'static str,
    pub switch_lang: &'static str,
    pub error: &'static str,
    pub page: &'static str,
    pub source: &'static str,
    pub confidence: &'static str,
    pub rotate_left: &'static str,
    pub rotate_right: &'static str,
    pub mark_blank: &'static str,
    pub unmark_blank: &'static str,
    pub auto: &'static str,
    pub original: &'static str,
    pub blank: &'static str,
    pub flag_low_dpi: &'static str,
    pub flag_too_dark: &'static str,
    pub flag_low_contrast: &'static str,
    pub flag_blurred: &'static str,
    pub flag_skew_residual: &'static str,
    pub flag_cut_content: &'static str,
    pub flag_edge_ink: &'static str,
    pub decided_by_clerk: &'static str,
    pub skew: &'static str,
    pub screen_capture: &'static str,
    pub screen_index: &'static str,
    pub screen_search: &'static str,
    pub documents: &'static str,
    pub merge_up: &'static str,
    pub split_here: &'static str,
    pub next_doubtful: &'static str,
    pub contents: &'static str,
    pub volume_fields: &'static str,
    pub document_fields: &'static str,
    pub not_indexed: &'static str,
    pub findings: &'static str,
    pub confirmed: &'static str,
    pub kind: &'static str,
    pub undo_correction: &'static str,
    pub search_hint: &'static str,
    pub search_go: &'static str,
    pub no_hits: &'static str,
    pub field_hit: &'static str,
    pub col_seq: &'static str,
    pub col_doc_no: &'static str,
    pub col_responsible: &'static str,
    pub col_title: &'static str,
    pub col_date: &'static str,
    pub col_pages: &'static str,
    pub col_remark: &'static str,
    pub enter_confirms: &'static str,
    pub screen_package: &'static str,
    pub screen_settings: &'static str,
    pub screen_review: &'static str,
    pub package_out: &'static str,
    pub package_go: &'static str,
    pub package_force: &'static str,
    pub package_state_ready: &'static str,
    pub package_state_unprocessed: &'static str,
    pub package_state_unindexed: &'static str,
    pub package_state_no_code: &'static str,
    pub package_state_packed: &'static str,
    pub outbox: &'static str,
    pub verify_again: &'static str,
    pub report: &'static str,
    pub passed: &'static str,
    pub failed: &'static str,
    pub kept: &'static str,
    pub task_package: &'static str,
    pub select_all: &'static str,
    pub select_none: &'static str,
}

/// A `static`, not a `const`: `cap` and `field` tell the language by this
/// table's address, and a `const` has none of its own (each use may be a copy).
pub static ZH: Texts = Texts {
    app_title: "案卷 · 电子档案工作站",
    volumes: "案卷",
    no_volumes: "还没有案卷。点击“导入…”或把文件拖到窗口里。",
    import: "导入…",
    import_title: "导入扫描件",
    import_path_hint: "文件或文件夹路径",
    import_into_new: "新建案卷",
    import_into_current: "加入当前案卷",
    import_go: "导入",
    up: "上一级",
    cancel: "取消",
    close: "关闭",
    process: "处理",
    pages: "页",
    state_imported: "已导入",
    state_processing: "处理中",
    state_done: "已完成",
    state_failed: "失败",
    back_to_grid: "返回缩略图",
    fit: "适合窗口",
    prev: "上一页",
    next: "下一页",
    ocr_text: "识别文字",
    no_text_yet: "尚未识别",
    low_confidence: "低置信度",
    show_boxes: "显示文字框",
    drop_hint: "松开以导入",
    task_import: "导入",
    task_process: "处理",
    task_sample: "准备示例案卷",
    select_volume: "请在左侧选择一个案卷",
    switch_lang: "English",
    error: "错误",
    page: "第{}页",
    source: "来源",
    confidence: "置信度",
    rotate_left: "向左转",
    rotate_right: "向右转",
    mark_blank: "标为空白页",
    unmark_blank: "取消空白页",
    auto: "恢复自动",
    original: "原图",
    blank: "空白页",
    flag_low_dpi: "分辨率低",
    flag_too_dark: "过暗",
    flag_low_contrast: "对比度低",
    flag_blurred: "模糊",
    flag_skew_residual: "歪斜",
    flag_cut_content: "内容被裁切",
    flag_edge_ink: "边缘有笔画",
    decided_by_clerk: "人工调整",
    skew: "纠偏",
    screen_capture: "采集",
    screen_index: "著录",
    screen_search: "检索",
    documents: "卷内文件",
    merge_up: "与上一件合并",
    split_here: "从此页拆分",
    next_doubtful: "下一个存疑",
    contents: "卷内目录",
    volume_fields: "案卷著录项",
    document_fields: "文件著录项",
    not_indexed: "尚未著录：案卷处理完成后自动著录。",
    findings: "发现的问题",
    confirmed: "已确认",
    kind: "类别",
    undo_correction: "恢复自动",
    search_hint: "检索词（一两个字也可以）",
    search_go: "检索",
    no_hits: "没有找到",
    field_hit: "著录项",
    col_seq: "序号",
    col_doc_no: "文号",
    col_responsible: "责任者",
    col_title: "题名",
    col_date: "日期",
    col_pages: "页号",
    col_remark: "备注",
    enter_confirms: "Enter 确认并跳到下一项，Tab 切换，F2 下一个存疑",
    screen_package: "打包",
    screen_settings: "设置",
    screen_review: "质检",
    package_out: "输出文件夹",
    package_go: "打包所选案卷",
    package_force: "重新打包已有的",
    package_state_ready: "可打包",
    package_state_unprocessed: "未处理完",
    package_state_unindexed: "未著录",
    package_state_no_code: "无档号",
    package_state_packed: "已打包",
    outbox: "已打包（待交付）",
    verify_again: "重新检测",
    report: "四性检测报告",
    passed: "通过",
    failed: "未通过",
    kept: "已有有效包，未重打",
    task_package: "打包",
    select_all: "全选",
    select_none: "全不选",
};

pub static EN: Texts = Texts {
    app_title: "anjuan · case-file workstation",
    volumes: "Volumes",
    no_volumes: "No volumes yet. Click “Import…” or drop files on the window.",
    import: "Import…",
    import_title: "Import scans",
    import_path_hint: "file or folder path",
    import_into_new: "New volume",
    import_into_current: "Add to current volume",
    import_go: "Import",
    up: "Up",
    cancel: "Cancel",
    close: "Close",
    process: "Process",
    pages: "pages",
    state_imported: "imported",
    state_processing: "processing",
    state_done: "done",
    state_failed: "failed",
    back_to_grid: "Back to thumbnails",
    fit: "Fit",
    prev: "Previous",
    next: "Next",
    ocr_text: "OCR text",
    no_text_yet: "not read yet",
    low_confidence: "low confidence",
    show_boxes: "Show line boxes",
    drop_hint: "Drop to import",
    task_import: "Import",
    task_process: "Process",
    task_sample: "Preparing the sample volume",
    select_volume: "Choose a volume on the left",
    switch_lang: "中文",
    error: "Error",
    page: "page {}",
    source: "source",
    confidence: "confidence",
    rotate_left: "Turn left",
    rotate_right: "Turn right",
    mark_blank: "Mark blank",
    unmark_blank: "Not blank",
    auto: "Automatic",
    original: "Original",
    blank: "blank",
    flag_low_dpi: "low dpi",
    flag_too_dark: "too dark",
    flag_low_contrast: "low contrast",
    flag_blurred: "blurred",
    flag_skew_residual: "skewed",
    flag_cut_content: "cut off",
    flag_edge_ink: "ink at edge",
    decided_by_clerk: "set by clerk",
    skew: "deskew",
    screen_capture: "Capture",
    screen_index: "Indexing",
    screen_search: "Search",
    documents: "Documents",
    merge_up: "Merge with previous",
    split_here: "Split at this page",
    next_doubtful: "Next doubtful",
    contents: "Contents list",
    volume_fields: "Volume fields",
    document_fields: "Document fields",
    not_indexed: "Not indexed yet: indexing runs when every page is processed.",
    findings: "Findings",
    confirmed: "confirmed",
    kind: "Kind",
    undo_correction: "Automatic",
    search_hint: "search terms (one or two characters work)",
    search_go: "Search",
    no_hits: "Nothing found",
    field_hit: "field",
    col_seq: "No.",
    col_doc_no: "Doc no.",
    col_responsible: "Responsible",
    col_title: "Title",
    col_date: "Date",
    col_pages: "Pages",
    col_remark: "Remark",
    enter_confirms: "Enter confirms and moves on, Tab moves, F2 jumps to the next doubtful value",
    screen_package: "Package",
    screen_settings: "Settings",
    screen_review: "Review",
    package_out: "Outbox folder",
    package_go: "Pack selected volumes",
    package_force: "Pack again if present",
    package_state_ready: "ready",
    package_state_unprocessed: "not processed",
    package_state_unindexed: "not indexed",
    package_state_no_code: "no archival code",
    package_state_packed: "packed",
    outbox: "Outbox",
    verify_again: "Check again",
    report: "Four-property report",
    passed: "passed",
    failed: "failed",
    kept: "valid package kept",
    task_package: "Packaging",
    select_all: "Select all",
    select_none: "Select none",
};

impl Lang {
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }
}

impl Texts {
    /// The interface speaks Chinese.
    pub fn is_chinese(&self) -> bool {
        std::ptr::eq(self, &ZH)
    }

    pub fn state(&self, s: crate::model::PageState) -> &'static str {
        use crate::model::PageState::*;
        match s {
            Imported => self.state_imported,
            Processing => self.state_processing,
            Done => self.state_done,
            Failed => self.state_failed,
        }
    }
    /// The label of a quality flag code.
    pub fn flag(&self, code: &str) -> String {
        match code {
            "low_dpi" => self.flag_low_dpi.into(),
            "too_dark" => self.flag_too_dark.into(),
            "low_contrast" => self.flag_low_contrast.into(),
            "blurred" => self.flag_blurred.into(),
            "skew_residual" => self.flag_skew_residual.into(),
            "cut_content" => self.flag_cut_content.into(),
            "edge_ink" => self.flag_edge_ink.into(),
            other => other.into(),
        }
    }

    /// The line of `n` findings of one code: the quality flag's name with the
    /// number of pages, else the first message with the count.
    pub fn finding_group(&self, code: &str, n: usize, first: &str) -> String {
        let zh = self.is_chinese();
        let flag = self.flag(code);
        match (flag != code, zh) {
            (true, true) => format!("{n} 页{flag}"),
            (true, false) => format!("{n} pages: {flag}"),
            (false, true) => format!("{first}（共 {n} 处）"),
            (false, false) => format!("{} ({n} in all)", finding_title_en(code).unwrap_or(first)),
        }
    }

    /// A finding in the interface's language. Review writes its messages in
    /// Chinese (they go into the packages); in English a finding is said from its
    /// code, with its page and the dates its message names. A code this table
    /// does not know (a bureau's own rule) keeps its Chinese words.
    pub fn finding_message(&self, f: &crate::model::Finding) -> String {
        if self.is_chinese() {
            return f.message.clone();
        }
        let code = f.code.as_str();
        if code == crate::review::MARK_CODE {
            // The reviewer's own words stay as written.
            return f.message.replacen("质检标记", "Reviewer mark", 1);
        }
        let what = match code {
            "page_failed" => "failed: rescan it or retry".to_string(),
            _ if self.flag(code) != code => self.flag(code),
            _ => match finding_title_en(code) {
                Some(title) => title.to_string(),
                None => return f.message.clone(),
            },
        };
        let mut out = match f.page {
            Some(p) => format!("Scanned page {p}: {what}"),
            None => what,
        };
        let dates = iso_dates(&f.message);
        if !dates.is_empty() {
            out.push_str(&format!(" ({})", dates.join(", ")));
        }
        if f.message.contains("日期存疑") {
            out.push_str(" — a date is doubtful: check it before confirming");
        }
        out
    }

    /// The score's headline: 「评查 87.5 分 · 合格」.
    pub fn score_line(
        &self,
        score: &crate::review::scoring::Score,
        sheet: &crate::review::scoring::ScoreSheet,
    ) -> String {
        if self.is_chinese() {
            format!("评查 {} 分 · {}", score.total, score.grade)
        } else {
            format!(
                "Score {} · {}",
                score.total,
                self.on_sheet(sheet, &score.grade)
            )
        }
    }

    /// A grade, category or item of the score sheet in the interface's
    /// language (the sheet's Chinese when it gives no English).
    pub fn on_sheet<'a>(
        &self,
        sheet: &'a crate::review::scoring::ScoreSheet,
        name: &'a str,
    ) -> &'a str {
        if self.is_chinese() {
            name
        } else {
            sheet.english(name).unwrap_or(name)
        }
    }

    /// "N hits in M volumes".
    pub fn hit_count(&self, hits: usize, volumes: usize) -> String {
        if self.is_chinese() {
            format!("共 {hits} 处，{volumes} 卷")
        } else {
            format!("{hits} hit(s) in {volumes} volume(s)")
        }
    }

    /// Why a volume cannot be packed, in a few words.
    pub fn not_ready(&self, why: &crate::package::ready::NotReady) -> &'static str {
        use crate::package::ready::NotReady;
        match why {
            NotReady::Empty => self.rev("empty_volume"),
            NotReady::Unprocessed { .. } => self.package_state_unprocessed,
            NotReady::NotIndexed => self.package_state_unindexed,
            NotReady::NoArchivalCode => self.package_state_no_code,
            NotReady::MalformedArchivalCode(_) => self.rev("malformed_code"),
            NotReady::DuplicateArchivalCode { .. } => self.rev("duplicate_code"),
            NotReady::Returned { .. } => self.rev("returned"),
            NotReady::DoubleEntryOpen(_) => self.rev("double_entry_open"),
            NotReady::NotApproved => self.rev("not_approved"),
            NotReady::ApprovalOutdated { .. } => self.rev("approval_outdated"),
        }
    }

    /// The label of a volume or document field (its name in the standard).
    pub fn field(&self, name: &str) -> &'static str {
        let zh = self.is_chinese();
        let (z, e) = crate::model::index::volume_field(name)
            .or_else(|| {
                crate::model::index::DOCUMENT_FIELD_TABLE
                    .iter()
                    .find(|f| f.key == name)
            })
            .map_or(("?", "?"), |f| (f.zh, f.en));
        if zh { z } else { e }
    }

    /// Labels of the 质检 screen.
    pub fn rev(&self, key: &str) -> &'static str {
        let zh = self.is_chinese();
        let (z, e) = match key {
            "no_findings" => ("未发现问题", "Nothing found"),
            "not_reviewed" => ("尚未质检", "Not reviewed yet"),
            "approved" => ("已批准", "Approved"),
            "empty_volume" => ("无页面", "no pages"),
            "malformed_code" => ("档号格式不对", "malformed archival code"),
            "duplicate_code" => ("档号重复", "duplicate archival code"),
            "returned" => ("已退回", "Returned"),
            "not_approved" => ("未经质检批准", "not approved by review"),
            "double_entry_open" => ("一稿双录未完成", "double keying not done"),
            "approval_outdated" => ("批准后有改动，须重新质检", "changed since its approval"),
            "outdated" => (
                "批准后案卷又有改动，请重新质检",
                "The volume changed since; review it again",
            ),
            "defect" => ("缺陷", "Defect"),
            "severity" => ("等级", "Severity"),
            "error" => ("错误", "Error"),
            "warning" => ("警告", "Warning"),
            "mark_page" => ("标记当前页", "Mark this page"),
            "mark_volume" => ("标记整卷", "Mark the volume"),
            "whole_volume" => ("整卷", "Volume"),
            "resolve" => ("已处理", "Mended"),
            "approve" => ("批准", "Approve"),
            "open_marks" => ("还有未处理的缺陷标记", "Defect marks are still open"),
            "open_errors" => (
                "仍有错误级问题未解决，确认批准须写明理由",
                "Errors are still open; approving anyway needs a reason",
            ),
            "approve_reason" => ("批准理由", "Reason to approve"),
            "veto" => ("一票否决", "Veto"),
            "write_sheet" => ("生成评查表", "Write score sheet"),
            "write_sheet_hint" => (
                "A4 PDF，写入主目录下的「评查表」文件夹",
                "A4 PDF, into the home's 评查表 folder",
            ),
            "reviewer" => ("评查员", "reviewer"),
            "score_item" => ("评查项目", "Item"),
            "score_points" => ("分值", "Points"),
            "score_reason" => ("调整理由", "Reason"),
            "deduct" => ("扣分", "Deduct"),
            "give_back" => ("加回", "Give back"),
            "approve_anyway" => ("仍然批准", "Approve anyway"),
            "cancel" => ("取消", "Cancel"),
            "history" => ("质检记录", "Review history"),
            "marked" => ("标记", "Marked"),
            "resolved" => ("已解决", "Resolved"),
            "reason" => ("退回原因", "Reason"),
            "return" => ("退回", "Return"),
            "pick_finding" => (
                "点击左侧的问题查看其页面",
                "Click a finding on the left to see its page",
            ),
            _ => ("?", "?"),
        };
        if zh { z } else { e }
    }

    /// Labels of the 设置 screen.
    pub fn set(&self, key: &str) -> &'static str {
        let zh = self.is_chinese();
        let (z, e) = match key {
            "title" => ("档号设置", "Archival code settings"),
            "hint" => (
                "档号由这些设置和案卷的年度、保管期限、案卷号组成（DA/T 13）。保存后，各案卷的档号随之更新。",
                "A volume's archival code is made of these settings and its year, retention and number (DA/T 13). Saving updates every volume's code.",
            ),
            "category_code" => ("门类代码", "Category code"),
            "retention" => ("默认保管期限", "Default retention"),
            "template" => ("档号模板", "Code template"),
            "example" => ("示例", "Example"),
            "no_fonds" => (
                "未填全宗号：无法按模板生成档号；封面未印档号的案卷没有档号，不能打包",
                "No fonds code: no code can be made from the template; volumes whose cover shows no archival code get none and cannot be packed",
            ),
            "gate" => ("打包", "Packing"),
            "require_approval" => (
                "须经质检批准（批准后未再改动）才能打包",
                "Only volumes approved by review (and unchanged since) can be packed",
            ),
            "require_double_entry" => (
                "须完成一稿双录（关键著录项二次录入一致或已裁定）才能打包",
                "Only volumes whose decisive fields were keyed twice and agree (or were settled) can be packed",
            ),
            "save" => ("保存设置", "Save settings"),
            "revert" => ("撤销改动", "Undo changes"),
            "saved" => (
                "设置已保存，正在更新各案卷的档号",
                "Settings saved; updating the volumes' archival codes",
            ),
            "language" => ("界面语言", "Interface language"),
            "permanent" => ("永久", "permanent"),
            "years30" => ("30 年", "30 years"),
            "years10" => ("10 年", "10 years"),
            _ => ("?", "?"),
        };
        if zh { z } else { e }
    }

    /// A volume's stage in the volume list.
    pub fn stage(&self, stage: crate::ops::overview::Stage) -> &'static str {
        use crate::ops::overview::Stage;
        let zh = self.is_chinese();
        let (z, e) = match stage {
            Stage::Capture => ("采集中", "In capture"),
            Stage::Indexing => ("待质检", "To review"),
            Stage::Returned => ("被退回", "Sent back"),
            Stage::Approved => ("待打包", "To pack"),
            Stage::Packed => ("已打包", "Packed"),
            Stage::Uploaded => ("已上传", "Uploaded"),
        };
        if zh { z } else { e }
    }

    /// Words of the whole workstation: who is working.
    pub fn word(&self, key: &str) -> &'static str {
        let zh = self.is_chinese();
        let (z, e) = match key {
            "operator" => ("操作员", "Operator"),
            "claim_free" => ("无人认领", "not claimed"),
            "claim" => ("认领", "Claim"),
            "claim_mine" => ("由您认领", "claimed by you"),
            "claim_release" => ("释放", "Release"),
            "claim_held_by" => ("已认领：", "claimed by"),
            "claim_read_only" => ("您的修改将被拒绝", "your edits will be refused"),
            "claim_take_over" => ("接管", "Take over"),
            "switch_operator" => (
                "换人：以后的操作记在谁名下",
                "Switch: who later work is recorded for",
            ),
            "who_works" => ("谁在工作？", "Who is working?"),
            "operator_name" => ("姓名", "Name"),
            "start_work" => ("开始工作", "Start work"),
            "filter" => ("筛选", "Filter"),
            "path" => ("路径", "Path"),
            "page_image" => ("页面图像", "Page image"),
            "screen_stats" => ("统计", "Statistics"),
            "handover" => ("生成移交登记表", "Handover register"),
            "upload" => ("上传", "Upload"),
            "upload_hint" => (
                "把发件箱中检测通过的包上传到平台的对象存储（设置 bureau.json 的 upload）；已在平台上的不再发送，中断后再点继续",
                "Upload the outbox's passed packages to the platform's object storage (bureau.json `upload`); what is there already is not sent again; after a break, click again to resume",
            ),
            "uploaded" => ("已上传", "Uploaded"),
            "already_uploaded" => ("平台上已有，未重发", "Already there, not sent"),
            "handover_hint" => (
                "重新检测已通过的包，生成移交接收登记表（PDF、XLSX），写入输出文件夹的「移交登记」",
                "Checks the passed packages again and writes the register (PDF, XLSX) into the outbox's 移交登记 folder",
            ),
            "stats_by" => ("分组", "Group by"),
            "stats_recount" => ("重新统计", "Count again"),
            "stats_volumes" => ("案卷", "Volumes"),
            "stats_decisions" => ("处罚决定", "Decisions"),
            "stats_fines" => ("罚款", "Fines"),
            "stats_confiscated" => ("没收", "Confiscated"),
            "stats_penalties" => ("罚没金额", "Fines and confiscations"),
            "stats_days" => (
                "立案至决定（中位/P90 日）",
                "Filing to decision (median/p90 days)",
            ),
            "stats_category" => ("处罚类别（按最重处罚计一宗）", "Cases by heaviest penalty"),
            "stats_duration" => ("办案时长（日）", "Days from filing to decision"),
            "stats_grades" => ("评查等级", "Score grades"),
            "stats_stages" => ("各环节案卷", "Volumes by stage"),
            "stats_findings" => ("发现的问题", "Findings by code"),
            "stats_none" => ("无数据", "No data"),
            "stats_pick" => (
                "点击柱形或其名称，列出其案卷",
                "Click a bar or its name to list its volumes",
            ),
            "evidence_box" => ("证据框", "Evidence box"),
            "report_area" => ("检测报告区", "Report area"),
            "results" => ("检索结果", "Results"),
            "query" => ("检索词", "Search for"),
            "thumb_size" => ("缩略图大小", "Thumbnail size"),
            "all_kinds" => ("全部类别", "All kinds"),
            "corrected" => ("处理后", "Corrected"),
            "tab_form" => ("著录项", "Fields"),
            "tab_contents" => ("卷内目录", "Contents"),
            "tab_double_entry" => ("双录", "Double keying"),
            "double_entry" => ("一稿双录", "Double keying"),
            "double_entry_hint" => (
                "关键著录项由另一位档案员对照页面再录一遍，第一录不显示；不一致的由第三人裁定。无此项请填“无”。",
                "Another clerk keys the decisive fields again from the page, without seeing the first keying; a third person settles disagreements. Type 无 for none.",
            ),
            "submit_second" => ("提交双录", "Submit second keying"),
            "de_pending" => ("待双录", "to key"),
            "de_match" => ("一致", "agrees"),
            "de_mismatch" => ("不一致", "differs"),
            "de_settled" => ("已裁定", "settled"),
            "settle_heading" => ("裁定（第三人）", "Settle (a third person)"),
            "settle_wait" => (
                "不一致项须由两位录入人以外的第三人裁定。",
                "Disagreements are settled by someone other than the two keyers.",
            ),
            "first_keying" => ("第一录", "First"),
            "second_keying" => ("第二录", "Second"),
            "machine" => ("自动", "machine"),
            "take_first" => ("取第一录", "Take first"),
            "take_second" => ("取第二录", "Take second"),
            "settle" => ("裁定", "Settle"),
            "settled_value" => ("裁定值", "Settled value"),
            "keying_error_rate" => ("著录差错率", "Keying error rate"),
            "zoom_hint" => (
                "滚轮缩放，拖动平移；100% 为原始像素",
                "Wheel zooms, drag pans; 100% is the scan's own pixels",
            ),
            "one_to_one" => ("原始像素大小", "The scan's own pixels"),
            "filter_hint" => (
                "档号、题名、当事人（Ctrl+F）",
                "Code, title, party (Ctrl+F)",
            ),
            "stage" => ("状态", "Stage"),
            "year" => ("年度", "Year"),
            "order" => ("排序", "Order"),
            "all_stages" => ("全部", "All"),
            "all_years" => ("全部年度", "All years"),
            "order_imported" => ("按导入顺序", "As imported"),
            "order_code" => ("按档号", "By archival code"),
            "order_party" => ("按当事人", "By party"),
            "order_findings" => ("按问题数", "By open findings"),
            "order_stage" => ("按进度", "By stage"),
            _ => ("?", "?"),
        };
        if zh { z } else { e }
    }

    /// Labels of the 采集 screen's page tools and the scan dialog.
    pub fn cap(&self, key: &str) -> &'static str {
        let zh = self.is_chinese();
        let (z, e) = match key {
            "scan" => ("扫描…", "Scan…"),
            "scan_title" => ("扫描", "Scan"),
            "scan_go" => ("开始扫描", "Start scanning"),
            "scanner" => ("扫描仪", "Scanner"),
            "finding_scanners" => ("正在查找扫描仪…", "Looking for scanners…"),
            "no_scanner" => ("未找到扫描仪", "No scanner found"),
            "source" => ("纸张来源", "Paper source"),
            "flatbed" => ("平板", "Flatbed"),
            "adf" => ("进纸器（单面）", "Feeder (front)"),
            "duplex" => ("进纸器（双面）", "Feeder (both sides)"),
            "resolution" => ("分辨率 (dpi)", "Resolution (dpi)"),
            "low_resolution" => (
                "低于 300 dpi：DA/T 31 要求 OCR 用 300 dpi 以上",
                "Below 300 dpi: DA/T 31 asks for 300 dpi for OCR",
            ),
            "mode" => ("色彩", "Colour"),
            "color" => ("彩色", "Colour"),
            "gray" => ("灰度", "Grey"),
            "lineart" => ("黑白", "Black and white"),
            "into_new" => ("扫入新案卷", "Into a new volume"),
            "into_current" => ("扫入当前案卷", "Into the current volume"),
            "insert_file" => ("插入文件…", "Insert file…"),
            "insert_scan" => ("插入扫描…", "Insert scan…"),
            "replace_file" => ("用文件替换…", "Replace with file…"),
            "rescan" => ("重扫此页…", "Rescan page…"),
            "delete" => ("删除", "Delete"),
            "trash" => ("回收站", "Trash"),
            "restore" => ("恢复", "Restore"),
            "restore_all" => ("全部恢复", "Restore all"),
            "trash_empty" => ("回收站是空的", "The trash is empty"),
            "was_page" => ("原第 {} 页", "was page {}"),
            "select_all" => ("全选", "Select all"),
            "select_none" => ("取消选择", "Select none"),
            "selected" => ("已选 {} 页", "{} selected"),
            "selection_hint" => (
                "Ctrl+单击多选，Shift+单击连选，拖动排序",
                "Ctrl+click to pick, Shift+click for a run, drag to reorder",
            ),
            "place_before" => ("插入到第 {} 页之前", "Insert before page {}"),
            "place_replace" => ("替换第 {} 页", "Replace page {}"),
            "place_go" => ("放入", "Put in"),
            "skew_ccw" => ("纠偏 −0.5°", "Straighten −0.5°"),
            "skew_cw" => ("纠偏 +0.5°", "Straighten +0.5°"),
            "skew_hint" => (
                "逆时针 / 顺时针再转 0.5°",
                "Turn 0.5° more counter-clockwise / clockwise",
            ),
            "no_skew" => ("不纠偏", "Do not straighten"),
            "strip_hint" => (
                "页序：把【件号拖到某页，该件即从此页开始；拖到另一件号上即合并",
                "Pages: drag a 【 mark onto a page to start that document there; onto another mark to merge",
            ),
            "boundary_hint" => (
                "拖动以移动本件的起始页",
                "Drag to move where this document starts",
            ),
            "auto_skew" => ("自动纠偏", "Straighten automatically"),
            "original_hint" => ("显示扫描原图（O）", "Show the scans as they came (O)"),
            _ => ("?", "?"),
        };
        if zh { z } else { e }
    }

    pub fn page_n(&self, n: u32) -> String {
        self.page.replace("{}", &n.to_string())
    }
}

/// What each finding code means, in English (the Chinese is the message itself).
fn finding_title_en(code: &str) -> Option<&'static str> {
    Some(match code {
        "MISSING_FILING_APPROVAL" => "The file lacks its filing approval (立案审批表; art. 54)",
        "MISSING_DECISION" => "The file lacks a penalty decision (or a decision not to punish)",
        "MISSING_PRIOR_NOTICE" => "The file lacks the prior notice to the party (art. 44, 62)",
        "MISSING_SERVICE_RECEIPT" => "No service receipt for the decision (art. 61)",
        "MISSING_CLOSING_APPROVAL" => "The file lacks its closing approval (结案审批表)",
        "DECISION_LACKS_REMEDIES" => {
            "The decision does not tell the party of review and lawsuit (art. 59)"
        }
        "DECISION_LACKS_LEGAL_BASIS" => "The decision does not state its legal basis (art. 59)",
        "DECISION_BEFORE_FILING" => "Decided before the case was filed",
        "DECISION_OVER_90_DAYS" => {
            "Decided after the period from filing, without an approved extension (art. 60)"
        }
        "CLOSED_BEFORE_DECISION" => "Closed before the decision",
        "NOTICE_AFTER_DECISION" => "The prior notice is dated after the decision (art. 44, 62)",
        "DECISION_WITHIN_DEFENSE_PERIOD" => {
            "Decided before the party's period to state, defend or ask for a hearing ran out (art. 44, 45, 64)"
        }
        "SERVICE_LATE" => "The decision was served late (art. 61)",
        "PAYMENT_LATE" => "The fine was paid late (art. 67, 72)",
        "MISSING_CONTENTS" => "The file lacks its contents list (卷内目录)",
        "MISSING_NOTES_SHEET" => "The file lacks its notes sheet (备考表)",
        "AMOUNT_WORDS_MISMATCH" => "An amount in words differs from its figures",
        "DECISION_NO_MISMATCH" => "The service receipt names another decision number",
        "PARTY_NAME_MISMATCH" => "A document names another party",
        "OFFICERS_MISSING" => {
            "A record shows fewer than two officers with certificates (art. 42, 55)"
        }
        "LEGAL_REVIEW_MISSING" => "No legal review before a decision that needs one (art. 58)",
        "LEGAL_REVIEW_AFTER_DECISION" => "The legal review is dated after the decision (art. 58)",
        "HEARING_NOT_OFFERED" => "The party was not told of the right to a hearing (art. 63)",
        "FILING_LATE" => "Filed later than the period after the inspection",
        "page_no_mismatch" => "its page-number stamp is out of sequence with its neighbours",
        "page_without_number" => {
            "no page number between numbered pages: a blank back or an inserted page?"
        }
        "page_no_missing" => {
            "A page number between two stamps is on no scanned page: a page missing?"
        }
        "page_no_counted" => "page numbers counted in order where no stamp was read",
        "contents_count_mismatch" => "The contents list and the documents found differ in number",
        "contents_pages_mismatch" => "A contents row's pages differ from its document's",
        "contents_date_mismatch" => "A contents row's date differs from its document's",
        "stated_count_mismatch" => {
            "the stated number of items or pages differs from what was found"
        }
        "archival_code_duplicate" => "The archival code is already used by another volume",
        "archival_code_incomplete" => {
            "No archival code: the fonds code or the year is missing (set the fonds code in Settings)"
        }
        "party_id_invalid" => "the party's code fails its check character",
        "not_indexed" => {
            "Not catalogued yet (pages still unprocessed): documents and deadlines unchecked"
        }
        _ => return None,
    })
}

/// The `YYYY-MM-DD` dates a message names, in order.
fn iso_dates(message: &str) -> Vec<&str> {
    let b = message.as_bytes();
    (0..b.len().saturating_sub(9))
        .filter(|&i| {
            let d = |k: usize| b[i + k].is_ascii_digit();
            (i == 0 || !b[i - 1].is_ascii_digit())
                && (0..4).all(d)
                && b[i + 4] == b'-'
                && d(5)
                && d(6)
                && b[i + 7] == b'-'
                && d(8)
                && d(9)
                && b.get(i + 10).is_none_or(|c| !c.is_ascii_digit())
        })
        .map(|i| &message[i..i + 10])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_speaks_its_own_language() {
        let zh = Lang::Zh.texts();
        let en = Lang::En.texts();
        assert_eq!(zh.cap("scan"), "扫描…");
        assert_eq!(en.cap("scan"), "Scan…");
        assert_eq!(zh.cap("skew_cw"), "纠偏 +0.5°");
        assert_ne!(zh.field("party"), en.field("party"));
        assert_eq!(
            (zh.word("operator"), en.word("operator")),
            ("操作员", "Operator")
        );
        let low = crate::model::Finding {
            code: "low_dpi".into(),
            severity: crate::model::Severity::Warning,
            message: "第 3 张扫描页：分辨率低于 300 dpi（DA/T 31）".into(),
            page: Some(3),
            document: None,
            bbox: None,
        };
        assert_eq!(zh.finding_message(&low), low.message);
        assert_eq!(en.finding_message(&low), "Scanned page 3: low dpi");
        // Statutory findings are said from their code, with the dates they name.
        let late = crate::model::Finding::new(
            "DECISION_BEFORE_FILING",
            crate::model::Severity::Warning,
            "决定日期 2021-04-01 早于立案日期 2021-04-20。日期存疑，请核对后确认",
        );
        assert_eq!(
            en.finding_message(&late),
            "Decided before the case was filed (2021-04-01, 2021-04-20) — a date is doubtful: check it before confirming"
        );
        assert_eq!(zh.finding_message(&late), late.message);
        // A bureau's own rule keeps its words.
        let own =
            crate::model::Finding::new("LOCAL_RULE", crate::model::Severity::Info, "本局规定");
        assert_eq!(en.finding_message(&own), "本局规定");
        assert_eq!(
            iso_dates("2021-04-012021-05-01 x 12021-01-01"),
            Vec::<&str>::new()
        );
        assert_eq!(iso_dates("at 2021-04-01"), ["2021-04-01"]);
        // Every code the shipped rules file raises is said in English.
        let rules = crate::review::ReviewRules::builtin();
        for code in rules
            .mentions
            .iter()
            .map(|m| &m.code)
            .chain(rules.required.iter().map(|r| &r.code))
            .chain(rules.formal.checks.iter().map(|c| &c.code))
        {
            assert!(finding_title_en(code).is_some(), "{code} has no English");
        }
    }
}
