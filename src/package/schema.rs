//! The package metadata and reports checked against the project's own schemas
//! (`schemas/volume.schema.json`, `schemas/volume.xsd`, `schemas/process.schema.json`,
//! `schemas/review.schema.json`), which are compiled into
//! the binary so that `verify` on the receiving side needs no other file and no
//! network: JSON Schema 2020-12 through `jsonschema`, XSD through libxml2.

use std::sync::{Mutex, OnceLock};

/// The JSON Schema of `volume.json` (and of `show --json`).
pub const VOLUME_JSON_SCHEMA: &str = include_str!("../../schemas/volume.schema.json");
/// The XML Schema of `volume.xml`.
pub const VOLUME_XSD: &str = include_str!("../../schemas/volume.xsd");

/// At most this many problems are reported per file; the first ones say enough.
const MAX_PROBLEMS: usize = 8;

/// The JSON Schema of `process.json` (made from `records::ProcessRecord`).
pub const PROCESS_JSON_SCHEMA: &str = include_str!("../../schemas/process.schema.json");
/// The JSON Schema of `review.json` (made from `records::ReviewRecord`).
pub const REVIEW_JSON_SCHEMA: &str = include_str!("../../schemas/review.schema.json");

/// The JSON documents of a package that have a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonDocument {
    Volume,
    Process,
    Review,
}

impl JsonDocument {
    fn schema(self) -> (&'static str, &'static str) {
        match self {
            JsonDocument::Volume => ("volume.schema.json", VOLUME_JSON_SCHEMA),
            JsonDocument::Process => ("process.schema.json", PROCESS_JSON_SCHEMA),
            JsonDocument::Review => ("review.schema.json", REVIEW_JSON_SCHEMA),
        }
    }

    /// Problems of a document against its JSON Schema (empty when it conforms).
    pub fn problems(self, bytes: &[u8]) -> Vec<String> {
        type Compiled = OnceLock<Result<jsonschema::Validator, String>>;
        static VALIDATORS: [Compiled; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let (file, text) = self.schema();
        let validator = VALIDATORS[self as usize].get_or_init(|| {
            let schema: serde_json::Value =
                serde_json::from_str(text).map_err(|e| e.to_string())?;
            jsonschema::validator_for(&schema).map_err(|e| e.to_string())
        });
        let validator = match validator {
            Ok(v) => v,
            Err(e) => return vec![format!("{file} does not compile: {e}")],
        };
        let instance: serde_json::Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => return vec![format!("not JSON: {e}")],
        };
        validator
            .iter_errors(&instance)
            .take(MAX_PROBLEMS)
            .map(|e| {
                let at = e.instance_path().to_string();
                format!("{} {e}", if at.is_empty() { "/" } else { &at })
            })
            .collect()
    }
}

/// Problems of a `volume.json` against the JSON Schema (empty when it conforms).
pub fn volume_json_problems(bytes: &[u8]) -> Vec<String> {
    JsonDocument::Volume.problems(bytes)
}

/// Problems of a `volume.xml` against the XML Schema (empty when it conforms).
pub fn volume_xml_problems(bytes: &[u8]) -> Vec<String> {
    use libxml::parser::{Parser, ParserOptions};
    use libxml::schemas::{SchemaParserContext, SchemaValidationContext};

    // libxml2's schema code is not documented as thread-safe: one validation at a time.
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return vec![format!("not UTF-8: {e}")],
    };
    // Strict (no recovery), and never fetch anything a package names.
    let options = ParserOptions {
        recover: false,
        no_net: true,
        ..Default::default()
    };
    let doc = match Parser::default().parse_string_with_options(text, options) {
        Ok(d) => d,
        Err(e) => return vec![format!("not well-formed XML: {e:?}")],
    };
    let mut parser = SchemaParserContext::from_buffer(VOLUME_XSD);
    let mut validator = match SchemaValidationContext::from_parser(&mut parser) {
        Ok(v) => v,
        Err(errors) => {
            return vec![format!(
                "volume.xsd does not compile: {}",
                messages(&errors).join("; ")
            )];
        }
    };
    match validator.validate_document(&doc) {
        Ok(()) => vec![],
        Err(errors) => messages(&errors),
    }
}

fn messages(errors: &[libxml::error::StructuredError]) -> Vec<String> {
    let mut out: Vec<String> = errors
        .iter()
        .take(MAX_PROBLEMS)
        .map(|e| {
            let msg = e.message.as_deref().unwrap_or("invalid").trim().to_string();
            match e.line {
                Some(line) => format!("line {line}: {msg}"),
                None => msg,
            }
        })
        .collect();
    if out.is_empty() {
        out.push("does not conform".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemas_compile_and_reject_garbage() {
        let json = volume_json_problems(br#"{"id": "x"}"#);
        assert!(!json.is_empty());
        assert!(
            !json.iter().any(|p| p.contains("does not compile")),
            "{json:?}"
        );
        let xml =
            volume_xml_problems(b"<volume xmlns=\"urn:anjuan:volume:1\"><nonsense/></volume>");
        assert!(!xml.is_empty());
        assert!(
            !xml.iter().any(|p| p.contains("does not compile")),
            "{xml:?}"
        );
        assert!(
            volume_xml_problems(b"<unclosed>")
                .iter()
                .any(|p| p.contains("well-formed"))
        );
        assert!(
            volume_json_problems(b"{")
                .iter()
                .any(|p| p.contains("not JSON"))
        );
    }
}
