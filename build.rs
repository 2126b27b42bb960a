//! Generates the translation functions from `locales/*.json` at build time
//! (see `src/i18n.rs`): one function per key, taking the language, and for
//! a text with `{{ name }}` places, a struct naming the values to fill in.
//! So a missing or misspelt key or value is a compile error, not a blank.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The languages, in the order of the app's `Locale` enum.
const LOCALES: [&str; 2] = ["zh", "en"];

/// A text cut at its `{{ name }}` places: literal parts and value names.
enum Piece {
    Text(String),
    Value(String),
}

fn pieces(text: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push(Piece::Text(rest[..start].to_string()));
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed {{{{ in {text:?}"))?;
        let name = after[..end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad value name {name:?} in {text:?}"));
        }
        out.push(Piece::Value(name.to_string()));
        rest = &after[end + 2..];
    }
    out.push(Piece::Text(rest.to_string()));
    Ok(out)
}

fn names(pieces: &[Piece]) -> BTreeSet<String> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Value(n) => Some(n.clone()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// The Rust expression for one language's text.
fn expression(pieces: &[Piece]) -> String {
    if pieces.len() == 1 {
        if let Piece::Text(t) = &pieces[0] {
            return format!("{t:?}");
        }
    }
    let mut format = String::new();
    let mut values = String::new();
    for p in pieces {
        match p {
            Piece::Text(t) => format.push_str(&t.replace('{', "{{").replace('}', "}}")),
            Piece::Value(n) => {
                format.push_str("{}");
                write!(values, ", a.{n}").unwrap();
            }
        }
    }
    format!("format!({format:?}{values})")
}

fn load(locale: &str) -> Result<BTreeMap<String, String>, Box<dyn Error>> {
    let path = format!("locales/{locale}.json");
    println!("cargo::rerun-if-changed={path}");
    let text = std::fs::read_to_string(&path)?;
    let map: BTreeMap<String, String> =
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    Ok(map)
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let texts: Vec<BTreeMap<String, String>> =
        LOCALES.iter().map(|l| load(l)).collect::<Result<_, _>>()?;
    let keys: BTreeSet<&String> = texts.iter().flat_map(|t| t.keys()).collect();
    let mut fns = String::new();
    let mut args = String::new();
    for key in keys {
        if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("key {key:?} is not a Rust name").into());
        }
        let mut cut = Vec::new();
        for (locale, t) in LOCALES.iter().zip(&texts) {
            let text = t
                .get(key)
                .ok_or_else(|| format!("locales/{locale}.json has no {key:?}"))?;
            cut.push(pieces(text)?);
        }
        let wanted = names(&cut[0]);
        for (locale, p) in LOCALES.iter().zip(&cut) {
            if names(p) != wanted {
                return Err(format!(
                    "{key:?}: locales/{locale}.json fills in {:?}, {}.json {wanted:?}",
                    names(p),
                    LOCALES[0]
                )
                .into());
            }
        }
        let arms: String = LOCALES
            .iter()
            .zip(&cut)
            .map(|(l, p)| format!("super::Locale::{l} => {},", expression(p)))
            .collect();
        if wanted.is_empty() {
            writeln!(
                fns,
                "pub fn {key}(l: super::Locale) -> &'static str {{ match l {{ {arms} }} }}"
            )?;
        } else {
            let fields: String = wanted
                .iter()
                .map(|n| format!("pub {n}: &'a dyn std::fmt::Display,"))
                .collect();
            writeln!(args, "pub struct {key}<'a> {{ {fields} }}")?;
            writeln!(
                fns,
                "pub fn {key}(l: super::Locale, a: args::{key}<'_>) -> String {{ match l {{ {arms} }} }}"
            )?;
        }
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?);
    std::fs::write(
        out.join("i18n_keys.rs"),
        format!("{fns}\n/// The values each text fills in.\npub mod args {{\n{args}}}\n"),
    )?;
    Ok(())
}
