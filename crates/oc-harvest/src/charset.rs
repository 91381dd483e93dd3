//! Bytes to text whatever the charset says. UTF-8 is taken when the bytes
//! are valid UTF-8 (a declaration saying otherwise is then wrong); otherwise
//! the HTTP `charset`, then the XML declaration, then Windows-1252 (a
//! superset of Latin-1 that decodes every byte) decide. The XML
//! declaration of the result says UTF-8, so that parsers do not decode
//! twice.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

fn label_in(s: &str, key: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    let i = lower.find(key)? + key.len();
    let rest = lower[i..].trim_start().strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let label: String =
        rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')).collect();
    (!label.is_empty()).then_some(label)
}

/// Decodes `bytes`; `content_type` is the HTTP header, when there was one.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            if let Some((enc, _)) = Encoding::for_bom(bytes) {
                enc.decode_with_bom_removal(bytes).0.into_owned()
            } else {
                let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
                let declared = content_type
                    .and_then(|c| label_in(c, "charset"))
                    .or_else(|| {
                        head.starts_with("<?xml")
                            .then(|| label_in(&head[..head.find("?>").unwrap_or(head.len())], "encoding"))
                            .flatten()
                    })
                    .and_then(|l| Encoding::for_label(l.as_bytes()))
                    .filter(|e| *e != UTF_8);
                declared.unwrap_or(WINDOWS_1252).decode_without_bom_handling(bytes).0.into_owned()
            }
        }
    };
    utf8_declaration(text)
}

/// Rewrites the encoding of an XML declaration as UTF-8.
fn utf8_declaration(text: String) -> String {
    let trimmed = text.trim_start();
    if !trimmed.starts_with("<?xml") {
        return text;
    }
    let Some(end) = trimmed.find("?>") else { return text };
    let decl = &trimmed[..end];
    let Some(i) = decl.to_ascii_lowercase().find("encoding") else { return text };
    let offset = text.len() - trimmed.len();
    let rest = &decl[i..];
    // encoding = "label"
    let Some(q1) = rest.find(['"', '\'']) else { return text };
    let quote = rest.as_bytes()[q1] as char;
    let Some(q2) = rest[q1 + 1..].find(quote) else { return text };
    let start = offset + i;
    let stop = offset + i + q1 + 1 + q2 + 1;
    format!("{}encoding=\"UTF-8\"{}", &text[..start], &text[stop..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        // Latin-1 bytes, declared.
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Coll\xe9ctivit\xe9s</t>";
        assert_eq!(decode(latin1, None), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>Colléctivités</t>");
        // Latin-1 bytes, declared nowhere: Windows-1252 (œ is 0x9C there).
        assert_eq!(decode(b"<t>c\x9cur \xe0</t>", None), "<t>cœur à</t>");
        // UTF-8 bytes wrongly declared as Latin-1: the bytes win.
        let wrong = "<?xml version='1.0' encoding='iso-8859-1'?><t>Île-de-France</t>";
        assert_eq!(
            decode(wrong.as_bytes(), Some("text/xml; charset=iso-8859-1")),
            "<?xml version='1.0' encoding=\"UTF-8\"?><t>Île-de-France</t>"
        );
        // The HTTP charset, without declaration.
        assert_eq!(decode(b"{\"t\":\"\xe9\"}", Some("application/json; charset=ISO-8859-15")), "{\"t\":\"é\"}");
        // A BOM.
        assert_eq!(decode(b"\xEF\xBB\xBF<t/>", None), "<t/>");
        assert_eq!(decode(b"\xFF\xFE<\x00t\x00/\x00>\x00", None), "<t/>");
    }
}
