//! The simple formatting organisers may use in product descriptions:
//! paragraphs (separated by a blank line), `**bold**` and `- ` lists.
//!
//! The stored text is raw; [`parse`] turns it into blocks of plain text
//! runs that the app renders as text nodes. Nothing here ever produces
//! markup, so whatever was typed (`<script>`, `onerror=`) stays text.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Inline {
    Text(String),
    Bold(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "items", rename_all = "snake_case")]
pub enum Block {
    /// Lines of one paragraph are joined with a space.
    Paragraph(Vec<Inline>),
    /// One entry per `- ` item.
    List(Vec<Vec<Inline>>),
}

/// Splits `text` into paragraphs and lists. A list item is a line that
/// starts with `- ` (after leading spaces); consecutive items form one
/// list. Blank lines end a paragraph or a list.
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut items: Vec<Vec<Inline>> = Vec::new();
    let flush_para = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inlines(&para.join(" "))));
            para.clear();
        }
    };
    let flush_list = |items: &mut Vec<Vec<Inline>>, blocks: &mut Vec<Block>| {
        if !items.is_empty() {
            blocks.push(Block::List(std::mem::take(items)));
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            flush_para(&mut para, &mut blocks);
            flush_list(&mut items, &mut blocks);
        } else if let Some(item) = trimmed.strip_prefix("- ") {
            flush_para(&mut para, &mut blocks);
            items.push(inlines(item.trim()));
        } else {
            flush_list(&mut items, &mut blocks);
            para.push(trimmed);
        }
    }
    flush_para(&mut para, &mut blocks);
    flush_list(&mut items, &mut blocks);
    blocks
}

/// `**bold**` runs and plain text between them. An unmatched `**` is text.
pub fn inlines(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("**") {
        let after = &rest[start + 2..];
        let Some(len) = after.find("**") else { break };
        if len == 0 {
            // "****": nothing to make bold; keep it as text.
            push_text(&mut out, &rest[..start + 4]);
            rest = &after[2..];
            continue;
        }
        push_text(&mut out, &rest[..start]);
        out.push(Inline::Bold(after[..len].to_owned()));
        rest = &after[len + 2..];
    }
    push_text(&mut out, rest);
    out
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else {
        out.push(Inline::Text(s.to_owned()));
    }
}

/// The text of the blocks without formatting, e.g. for a short summary.
pub fn plain_text(blocks: &[Block]) -> String {
    let run = |i: &Inline| match i {
        Inline::Text(t) | Inline::Bold(t) => t.clone(),
    };
    blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph(v) => v.iter().map(run).collect::<String>(),
            Block::List(items) => items
                .iter()
                .map(|v| v.iter().map(run).collect::<String>())
                .collect::<Vec<_>>()
                .join("\n"),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Inline::{Bold, Text};

    fn t(s: &str) -> Inline {
        Text(s.into())
    }

    #[test]
    fn paragraphs_bold_and_lists() {
        let blocks = parse(
            "Free-range **eggs** from the hill.\nCollected daily.\n\n- brown shells\n- **30** per box\n\nLast line",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    t("Free-range "),
                    Bold("eggs".into()),
                    t(" from the hill. Collected daily.")
                ]),
                Block::List(vec![
                    vec![t("brown shells")],
                    vec![Bold("30".into()), t(" per box")]
                ]),
                Block::Paragraph(vec![t("Last line")]),
            ]
        );
    }

    #[test]
    fn a_list_right_after_a_paragraph_line_starts_a_list() {
        let blocks = parse("Includes:\n- walnuts\n- chestnuts\nThanks");
        assert_eq!(blocks.len(), 3);
        assert!(matches!(&blocks[1], Block::List(items) if items.len() == 2));
    }

    #[test]
    fn unmatched_and_empty_markers_stay_text() {
        assert_eq!(inlines("a ** b"), vec![t("a ** b")]);
        assert_eq!(inlines("****x"), vec![t("****x")]);
        assert_eq!(inlines("**a**b**"), vec![Bold("a".into()), t("b**")]);
        assert_eq!(parse(""), vec![]);
        assert_eq!(parse("\n\n  \n"), vec![]);
    }

    #[test]
    fn markup_payloads_come_out_as_plain_text() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "**<b onmouseover=alert(1)>x</b>**",
            "- <svg onload=alert(1)>",
            "\"><script>document.cookie</script>",
        ];
        for p in payloads {
            let blocks = parse(p);
            // Every character typed is still there, as text: nothing was
            // interpreted or dropped, and there is no markup type to render.
            let text = plain_text(&blocks);
            let expected = p.replace("**", "").trim_start_matches("- ").to_owned();
            assert_eq!(text, expected, "{p}");
            assert!(text.contains('<'), "{p}");
        }
        assert_eq!(
            parse("<script>alert('x')</script>"),
            vec![Block::Paragraph(vec![t("<script>alert('x')</script>")])]
        );
        assert_eq!(
            parse("<img src=x onerror=alert(1)>"),
            vec![Block::Paragraph(vec![t("<img src=x onerror=alert(1)>")])]
        );
    }

    #[test]
    fn blocks_serialize_as_tagged_json() {
        let json = serde_json::to_string(&parse("**a** b\n\n- c")).unwrap();
        assert_eq!(
            json,
            r#"[{"kind":"paragraph","items":[{"kind":"bold","text":"a"},{"kind":"text","text":" b"}]},{"kind":"list","items":[[{"kind":"text","text":"c"}]]}]"#
        );
    }
}
