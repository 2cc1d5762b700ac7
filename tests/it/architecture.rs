//! The layers point one way (lib.rs, "Layers"): read from the `crate::` paths of
//! every source file, so a new import that points up fails here, not in review.

use std::collections::BTreeSet;
use std::path::Path;

const BASE: &[&str] = &[
    "model",
    "catalogue",
    "store",
    "jobs",
    "home",
    "fsutil",
    "fonts",
    "vendor",
    "text",
    "print",
];
/// The stages in pipeline order: each may use the ones before it, never after.
const STAGES: &[&str] = &["capture", "imaging", "ocr", "indexing", "review", "package"];
const APPLICATION: &[&str] = &["ops", "bench"];
const FRONT_ENDS: &[&str] = &["cli", "ui"];

/// The top-level modules a piece of Rust source names through `crate::…`,
/// including every name of a `crate::{a, b::c}` group. Comments are skipped.
fn crate_modules(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The group up to its matching brace; its top-level items.
            let (mut depth, mut item, mut end) = (0, String::new(), group.len());
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        end = i;
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(head(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            out.insert(head(&item));
            rest = &group[end..];
        } else {
            out.insert(head(rest));
        }
    }
    out.remove("");
    out
}

fn head(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The modules `module` may use, besides itself.
fn allowed(module: &str) -> Option<Vec<&'static str>> {
    let mut ok: Vec<&str> = BASE.to_vec();
    if BASE.contains(&module) {
        return Some(ok);
    }
    if let Some(i) = STAGES.iter().position(|s| *s == module) {
        ok.extend(&STAGES[..i]);
        return Some(ok);
    }
    ok.extend(STAGES);
    ok.extend(APPLICATION);
    if APPLICATION.contains(&module) {
        return Some(ok);
    }
    if FRONT_ENDS.contains(&module) {
        return Some(ok);
    }
    None
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_module_reader_sees_groups_and_paths() {
    let m = crate_modules(
        "use crate::model::{A, B};\nuse crate::{store::Store, jobs::{self, X}};\n// crate::ui\nlet x = crate::text::clean(s);",
    );
    assert_eq!(
        m.into_iter().collect::<Vec<_>>(),
        ["jobs", "model", "store", "text"]
    );
}

#[test]
fn no_stage_imports_a_stage_after_it_and_the_base_imports_no_stage() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let known: BTreeSet<&str> = BASE
        .iter()
        .chain(STAGES)
        .chain(APPLICATION)
        .chain(FRONT_ENDS)
        .copied()
        .collect();
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        seen.insert(module.clone());
        let allowed = allowed(&module).unwrap_or_else(|| {
            panic!("src/{module} is in no layer: add it to the lists above and to lib.rs")
        });
        let source = std::fs::read_to_string(file).unwrap();
        for used in crate_modules(&source) {
            if used != module && known.contains(used.as_str()) && !allowed.contains(&used.as_str())
            {
                wrong.push(format!("{} uses crate::{used}", rel.display()));
            }
        }
    }
    assert!(seen.len() >= known.len() - 1, "modules seen: {seen:?}");
    assert!(
        wrong.is_empty(),
        "layers point the wrong way:\n{}",
        wrong.join("\n")
    );
}
