//! `volume.xml` (described by `schemas/volume.xsd`) from the same data as
//! `volume.json` (`schemas/volume.schema.json`): one element per JSON key, absent
//! when the value is unknown.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::model::VolumeJson;
use crate::model::index::VOLUME_FIELDS;

pub const XML_NAMESPACE: &str = "urn:anjuan:volume:1";

type Xml = Writer<Vec<u8>>;

/// `<name>value</name>`, or nothing when the value is unknown.
fn el(w: &mut Xml, name: &str, value: Option<String>) -> io::Result<()> {
    if let Some(v) = value {
        w.create_element(name)
            .write_text_content(BytesText::new(&v))?;
    }
    Ok(())
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
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to memory cannot fail.
    write_volume(&mut w, v).expect("writing XML to memory");
    let mut out = String::from_utf8(w.into_inner()).expect("the writer writes UTF-8");
    out.push('\n');
    out
}

fn write_volume(w: &mut Xml, v: &VolumeJson) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("volume")
        .with_attribute(("xmlns", XML_NAMESPACE))
        .with_attribute(("schema_version", "1"))
        .write_inner_content(|w| {
            el(w, "id", Some(v.id.clone()))?;
            // The volume fields from the one table, valued as in volume.json.
            let json = serde_json::to_value(v).unwrap_or_default();
            for f in VOLUME_FIELDS {
                el(w, f.key, json.get(f.key).and_then(xml_value))?;
            }
            el(w, "item_count", num(v.item_count))?;
            el(w, "page_count", num(v.page_count))?;
            el(w, "status", Some(v.status.to_string()))?;
            w.create_element("documents").write_inner_content(|w| {
                for d in &v.documents {
                    w.create_element("document").write_inner_content(|w| {
                        el(w, "seq", num(Some(d.seq)))?;
                        el(w, "kind", Some(d.kind.clone()))?;
                        el(w, "title", d.title.clone())?;
                        el(w, "doc_no", d.doc_no.clone())?;
                        el(w, "responsible", d.responsible.clone())?;
                        el(w, "date", d.date.clone())?;
                        el(w, "first_page", num(Some(d.first_page)))?;
                        el(w, "last_page", num(Some(d.last_page)))?;
                        el(w, "page_no_from", num(d.page_no_from))?;
                        el(w, "page_no_to", num(d.page_no_to))
                    })?;
                }
                Ok(())
            })?;
            w.create_element("pages").write_inner_content(|w| {
                for p in &v.pages {
                    w.create_element("page").write_inner_content(|w| {
                        el(w, "seq", num(Some(p.seq)))?;
                        el(w, "source", Some(p.source.clone()))?;
                        el(w, "source_page", num(Some(p.source_page)))?;
                        el(w, "document", num(p.document))?;
                        el(w, "page_no", num(p.page_no))?;
                        el(w, "rotation", num(p.rotation))?;
                        el(w, "skew_deg", num(p.skew_deg))?;
                        el(w, "blank", num(p.blank))?;
                        el(w, "dpi", num(p.dpi))?;
                        el(w, "color_mode", p.color_mode.clone())?;
                        w.create_element("flags").write_inner_content(|w| {
                            for f in &p.flags {
                                el(w, "flag", Some(f.clone()))?;
                            }
                            Ok(())
                        })?;
                        el(w, "ocr_confidence", num(p.ocr_confidence))?;
                        el(w, "text", p.text.clone())
                    })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PageJson;

    /// Text that XML must escape comes back as written, the file conforms to the
    /// XSD, and `verify` reads back what it compares.
    #[test]
    fn volume_xml_escapes_conforms_and_reads_back() {
        let page = PageJson {
            seq: 1,
            source: "a&b.tif".into(),
            source_page: 1,
            document: None,
            page_no: Some(1),
            rotation: Some(0),
            skew_deg: None,
            blank: Some(false),
            dpi: Some(300),
            color_mode: None,
            flags: vec![],
            ocr_confidence: None,
            text: Some("第一行 <当事人> & \"某\"\n第二行".into()),
        };
        let volume = VolumeJson {
            id: "V0001".into(),
            archival_code: Some("J1-XZCF·2024-D30-0001".into()),
            party: Some("某某 <公司> & 店".into()),
            fine_amount: Some(1000.0),
            pages: vec![page],
            ..Default::default()
        };
        let xml = volume_xml(&volume);
        assert!(
            xml.contains("<party>某某 &lt;公司&gt; &amp; 店</party>"),
            "{xml}"
        );
        assert!(xml.contains("<fine_amount>1000</fine_amount>"), "{xml}");
        let problems = crate::package::schema::volume_xml_problems(xml.as_bytes());
        assert!(problems.is_empty(), "{problems:?}\n{xml}");
        let (code, documents, pages) = xml_summary(xml.as_bytes()).unwrap();
        assert_eq!(code.as_deref(), Some("J1-XZCF·2024-D30-0001"));
        assert_eq!((documents, pages), (0, 1));
    }
}
