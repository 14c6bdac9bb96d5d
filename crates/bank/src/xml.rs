//! A small element tree over quick-xml, built one subtree at a time so that
//! a statement with 100,000 entries never sits in memory as one tree.
//! Elements are named by local name; namespaces are read by hand at the root.
//! Names and text borrow from the input where they can: a statement of
//! 100,000 entries has millions of elements.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

#[derive(Debug, Default)]
pub(crate) struct Node<'a> {
    pub name: Cow<'a, str>,
    /// Namespace prefix as written (`""` for none).
    pub prefix: Cow<'a, str>,
    pub attrs: Vec<(String, String)>,
    /// The element's own text; text that is only white space before any
    /// other is left out (every reader trims it).
    pub text: Cow<'a, str>,
    pub children: Vec<Node<'a>>,
    /// Byte offset of the start tag, for line numbers in messages.
    pub pos: usize,
}

impl<'a> Node<'a> {
    pub fn child(&self, name: &str) -> Option<&Node<'a>> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Node<'a>> + 's {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn path(&self, path: &[&str]) -> Option<&Node<'a>> {
        let mut n = self;
        for p in path {
            n = n.child(p)?;
        }
        Some(n)
    }

    /// Trimmed text of the element at `path`; `None` when absent or empty.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.path(path)
            .map(|n| n.text.as_ref().trim())
            .filter(|t| !t.is_empty())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) struct XmlReader<'a> {
    reader: Reader<&'a [u8]>,
    input: &'a str,
    /// Line counting resumes from the last position asked for, so asking for
    /// the line of each entry in order costs one pass over the file.
    line_cursor: std::cell::Cell<(usize, usize)>,
}

/// A start tag just read: its node (without children yet) and whether it
/// was empty (`<a/>`).
pub(crate) struct Start<'a> {
    pub node: Node<'a>,
    pub empty: bool,
}

impl<'a> XmlReader<'a> {
    pub fn new(input: &'a str) -> XmlReader<'a> {
        let mut reader = Reader::from_str(input);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        XmlReader {
            reader,
            input,
            line_cursor: std::cell::Cell::new((0, 1)),
        }
    }

    /// Line (from 1) of a byte offset.
    pub fn line_of(&self, pos: usize) -> usize {
        let pos = pos.min(self.input.len());
        let (from, line) = self.line_cursor.get();
        let found = if pos >= from {
            line + count_newlines(&self.input.as_bytes()[from..pos])
        } else {
            1 + count_newlines(&self.input.as_bytes()[..pos])
        };
        self.line_cursor.set((pos, found));
        found
    }

    fn pos(&self) -> usize {
        usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
    }

    fn error(&self, e: impl std::fmt::Display) -> String {
        let pos = usize::try_from(self.reader.error_position()).unwrap_or(0);
        format!("not well-formed XML at line {}: {e}", self.line_of(pos))
    }

    fn start_node(&self, e: &BytesStart<'_>, pos: usize) -> Result<Node<'a>, String> {
        let qname = e.name();
        let (prefix, local) = qname
            .as_ref()
            .split_once(':')
            .unwrap_or(("", qname.as_ref()));
        let (prefix, name) = (self.in_input(prefix), self.in_input(local));
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| self.error(err))?;
            let key = a.key.as_ref().to_owned();
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.error(err))?;
            attrs.push((key, value.into_owned()));
        }
        Ok(Node {
            name,
            prefix,
            attrs,
            text: Cow::Borrowed(""),
            children: Vec::new(),
            pos,
        })
    }

    /// `part` (of an event just read) as a slice of the input when it is
    /// one, as it is for an event the reader borrowed: no allocation.
    fn in_input(&self, part: &str) -> Cow<'a, str> {
        let start = (part.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        match self.input.get(start..start.wrapping_add(part.len())) {
            Some(s) if std::ptr::eq(s.as_ptr(), part.as_ptr()) => Cow::Borrowed(s),
            _ => Cow::Owned(part.to_owned()),
        }
    }

    /// The next child start tag inside the current element, or `None` at
    /// the current element's end tag (or the end of the document). Text
    /// between children is skipped.
    pub fn next_child(&mut self) -> Result<Option<Start<'a>>, String> {
        loop {
            let pos = self.pos();
            let event = self.reader.read_event().map_err(|e| self.error(e))?;
            match event {
                Event::Start(e) => {
                    return Ok(Some(Start {
                        node: self.start_node(&e, pos)?,
                        empty: false,
                    }));
                }
                Event::Empty(e) => {
                    return Ok(Some(Start {
                        node: self.start_node(&e, pos)?,
                        empty: true,
                    }));
                }
                Event::End(_) | Event::Eof => return Ok(None),
                _ => {}
            }
        }
    }

    /// Reads the rest of the element `start` into a tree.
    pub fn subtree(&mut self, start: Start<'a>) -> Result<Node<'a>, String> {
        if start.empty {
            return Ok(start.node);
        }
        let mut stack: Vec<Node<'a>> = vec![start.node];
        loop {
            let pos = self.pos();
            let event = self.reader.read_event().map_err(|e| self.error(e))?;
            let top = stack.len() - 1;
            match event {
                Event::Start(e) => {
                    let node = self.start_node(&e, pos)?;
                    stack.push(node);
                }
                Event::Empty(e) => {
                    let node = self.start_node(&e, pos)?;
                    stack[top].children.push(node);
                }
                Event::Text(t) => append(&mut stack[top].text, t.xml10_content()),
                Event::CData(t) => append(&mut stack[top].text, t.into_inner()),
                Event::GeneralRef(r) => {
                    let name = r.into_inner();
                    let resolved = resolve_entity(&name)
                        .ok_or_else(|| self.error(format!("unknown entity &{name};")))?;
                    stack[top].text.to_mut().push(resolved);
                }
                Event::End(_) => {
                    let done = stack.pop().unwrap_or_default();
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => return Ok(done),
                    }
                }
                Event::Eof => return Err(self.error("unexpected end of file")),
                _ => {}
            }
        }
    }

    /// Skips the rest of the element `start`.
    pub fn skip(&mut self, start: Start) -> Result<(), String> {
        if start.empty {
            return Ok(());
        }
        let mut depth = 1usize;
        loop {
            match self.reader.read_event().map_err(|e| self.error(e))? {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Event::Eof => return Err(self.error("unexpected end of file")),
                _ => {}
            }
        }
    }
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Adds text read to an element's text: the first piece is kept as
/// borrowed; white space before any other text is dropped (every reader
/// trims), so the white space between child elements costs nothing.
fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        if !more.trim().is_empty() {
            *text = more;
        }
    } else {
        text.to_mut().push_str(&more);
    }
}

fn resolve_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Escapes text for an XML element or attribute value.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
