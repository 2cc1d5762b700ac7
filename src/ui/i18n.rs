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
    pub decided_by_clerk: &'static str,
    pub skew: &'static str,
}

pub const ZH: Texts = Texts {
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
    decided_by_clerk: "人工调整",
    skew: "纠偏",
};

pub const EN: Texts = Texts {
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
    decided_by_clerk: "set by clerk",
    skew: "deskew",
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
            other => other.into(),
        }
    }

    pub fn page_n(&self, n: u32) -> String {
        self.page.replace("{}", &n.to_string())
    }
}
