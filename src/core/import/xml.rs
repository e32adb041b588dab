//! What the two OFAC XML parsers share: decoding the file with a precise error, and small
//! accessors over roxmltree nodes matched by local name (namespaces ignored).

use super::record::Record;
use roxmltree::{Document, Node};

/// What one OFAC XML file yields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub parties: Vec<Record>,
    /// Records left out, as (line, reason).
    pub rejected: Vec<(usize, String)>,
    /// The record count the file declares (SDN.XML `publshInformation/Record_Count`); the
    /// advanced XML declares none.
    pub declared_count: Option<usize>,
    /// The publication date as `YYYY-MM-DD` (`Publish_Date`, `DateOfIssue`); empty if absent.
    pub issued: String,
}

/// The file as text (a leading byte-order mark dropped), or where it stops being UTF-8.
pub fn text(bytes: &[u8]) -> Result<&str, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let line = 1 + bytes[..offset].iter().filter(|b| **b == b'\n').count();
        format!("not UTF-8: invalid byte at line {line} (byte offset {offset})")
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The parsed document whose root element must be `root`, or a whole-file error saying where.
pub fn document<'i>(text: &'i str, root: &str, format: &str) -> Result<Document<'i>, String> {
    let doc = Document::parse(text).map_err(|e| xml_error(text, &e))?;
    let found = doc.root_element().tag_name().name();
    if found != root {
        return Err(format!(
            "root element is <{found}>, expected <{root}> ({format})"
        ));
    }
    Ok(doc)
}

fn xml_error(text: &str, error: &roxmltree::Error) -> String {
    use roxmltree::Error::{UnclosedRootNode, UnexpectedEndOfStream};
    if matches!(error, UnexpectedEndOfStream | UnclosedRootNode) {
        // roxmltree reports these at 1:1; the problem is where the text stops.
        let row = 1 + text.matches('\n').count();
        let col = 1 + text.rsplit('\n').next().unwrap_or_default().chars().count();
        return format!("not well-formed XML at {row}:{col}: {error} (the file is cut short)");
    }
    let pos = error.pos();
    let message = error.to_string();
    let message = message
        .strip_suffix(&format!(" at {pos}"))
        .unwrap_or(&message);
    format!("not well-formed XML at {pos}: {message}")
}

/// The 1-based line where `node` starts.
pub fn line_of(doc: &Document, node: Node) -> usize {
    doc.text_pos_at(node.range().start).row as usize
}

pub fn is(node: Node, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name
}

pub fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is(*n, name))
}

pub fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |n| is(*n, name))
}

pub fn trimmed<'a>(node: Node<'a, '_>) -> &'a str {
    node.text().unwrap_or_default().trim()
}

/// The trimmed text of the `name` child, empty when there is none.
pub fn text_of<'a>(node: Node<'a, '_>, name: &str) -> &'a str {
    child(node, name).map(trimmed).unwrap_or_default()
}

pub fn push_nonempty(list: &mut Vec<String>, text: &str) {
    if !text.is_empty() {
        list.push(text.to_string());
    }
}
