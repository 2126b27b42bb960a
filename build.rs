//! Generates the typed translation module from `locales/*.json` at build
//! time, so a missing or misspelt key is a compile error, not a blank.

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("i18n");
    // Chinese first: it is the default when the browser asks for neither.
    // Display interpolation lets t_string! fill in values such as prices.
    let options = ParseOptions::default().interpolate_display(true);
    let cfg = Config::new("zh")?.add_locale("en")?.parse_options(options);
    let infos = TranslationsInfos::parse(cfg)?;
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    infos.generate_i18n_module(out)?;
    Ok(())
}
