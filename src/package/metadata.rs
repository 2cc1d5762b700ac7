//! `volume.xml` (described by `schemas/volume.xsd`) from the same data as
//! `volume.json` (`schemas/volume.schema.json`): one element per JSON key, absent
//! when the value is unknown.

use quick_xml::escape::escape;

use crate::model::VolumeJson;
use crate::model::index::VOLUME_FIELDS;

pub const XML_NAMESPACE: &str = "urn:anjuan:volume:1";

fn el(out: &mut String, indent: usize, name: &str, value: Option<String>) {
    if let Some(v) = value {
        out.push_str(&" ".repeat(indent));
        out.push_str(&format!("<{name}>{}</{name}>\n", escape(v.as_str())));
    }
}

fn num<T: ToString>(v: Option<T>) -> Option<String> {
    v.map(|v| v.to_string())
}

/// A JSON value as XML text: numbers without a needless `.0`; null is absent.
fn xml_value(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        other => Some(other.to_string()),
    }
}

pub fn volume_xml(v: &VolumeJson) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<volume xmlns=\"{XML_NAMESPACE}\" schema_version=\"1\">\n"
    ));
    el(&mut x, 2, "id", Some(v.id.clone()));
    // The volume fields from the one table, valued as in volume.json.
    let json = serde_json::to_value(v).unwrap_or_default();
    for f in VOLUME_FIELDS {
        el(&mut x, 2, f.key, json.get(f.key).and_then(xml_value));
    }
    el(&mut x, 2, "item_count", num(v.item_count));
    el(&mut x, 2, "page_count", num(v.page_count));
    el(&mut x, 2, "status", Some(v.status.to_string()));
    x.push_str("  <documents>\n");
    for d in &v.documents {
        x.push_str("    <document>\n");
        el(&mut x, 6, "seq", num(Some(d.seq)));
        el(&mut x, 6, "kind", Some(d.kind.clone()));
        el(&mut x, 6, "title", d.title.clone());
        el(&mut x, 6, "doc_no", d.doc_no.clone());
        el(&mut x, 6, "responsible", d.responsible.clone());
        el(&mut x, 6, "date", d.date.clone());
        el(&mut x, 6, "first_page", num(Some(d.first_page)));
        el(&mut x, 6, "last_page", num(Some(d.last_page)));
        el(&mut x, 6, "page_no_from", num(d.page_no_from));
        el(&mut x, 6, "page_no_to", num(d.page_no_to));
        x.push_str("    </document>\n");
    }
    x.push_str("  </documents>\n  <pages>\n");
    for p in &v.pages {
        x.push_str("    <page>\n");
        el(&mut x, 6, "seq", num(Some(p.seq)));
        el(&mut x, 6, "source", Some(p.source.clone()));
        el(&mut x, 6, "source_page", num(Some(p.source_page)));
        el(&mut x, 6, "document", num(p.document));
        el(&mut x, 6, "page_no", num(p.page_no));
        el(&mut x, 6, "rotation", num(p.rotation));
        el(&mut x, 6, "skew_deg", num(p.skew_deg));
        el(&mut x, 6, "blank", num(p.blank));
        el(&mut x, 6, "dpi", num(p.dpi));
        el(&mut x, 6, "color_mode", p.color_mode.clone());
        x.push_str("      <flags>\n");
        for f in &p.flags {
            el(&mut x, 8, "flag", Some(f.clone()));
        }
        x.push_str("      </flags>\n");
        el(&mut x, 6, "ocr_confidence", num(p.ocr_confidence));
        el(&mut x, 6, "text", p.text.clone());
        x.push_str("    </page>\n");
    }
    x.push_str("  </pages>\n</volume>\n");
    x
}

/// Reads back the few values `verify` compares with `volume.json`: the 档号 and
/// the numbers of documents and pages. Errors say where the XML is malformed.
pub fn xml_summary(xml: &[u8]) -> Result<(Option<String>, usize, usize), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let (mut code, mut docs, mut pages) = (None, 0, 0);
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.len() == 2 && name == "document" {
                    docs += 1;
                }
                if path.len() == 2 && name == "page" {
                    pages += 1;
                }
                path.push(name);
            }
            Ok(Event::End(_)) => {
                path.pop();
            }
            Ok(Event::Text(t)) if path.len() == 2 && path[1] == "archival_code" => {
                code = Some(
                    t.xml_content()
                        .map_err(|e| format!("volume.xml: {e}"))?
                        .into_owned(),
                );
            }
            Ok(Event::Eof) => break,
            Err(e) => {
                return Err(format!(
                    "volume.xml is not well-formed at byte {}: {e}",
                    reader.error_position()
                ));
            }
            _ => {}
        }
        buf.clear();
    }
    if path.is_empty() {
        Ok((code, docs, pages))
    } else {
        Err("volume.xml ends inside an element".into())
    }
}
