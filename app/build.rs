//! Generates the `i18n` module from `locales/*.json` (what leptos_i18n's
//! `load_locales!` does), with one option that macro cannot set:
//! `interpolate_display`, so `td_string!(l, key, name = value)` yields a
//! `String`. The parser and code generator are leptos_i18n's own crates;
//! `leptos_i18n_build` would bring ICU's data exporter along for nothing.

use std::path::PathBuf;

use leptos_i18n_parser::parse_locales::{cfg_file::ConfigFile, options::Config, parse_locales};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("i18n.rs");

    let mut dir = manifest_dir.clone();
    let cfg_file =
        ConfigFile::new(&mut dir).unwrap_or_else(|e| panic!("[package.metadata.leptos-i18n]: {e}"));
    let mut cfg: Config = cfg_file.into();
    cfg.options = std::mem::take(&mut cfg.options).interpolate_display(true);

    let parsed = parse_locales(Some(manifest_dir), cfg).unwrap_or_else(|e| panic!("locales: {e}"));
    for path in parsed.tracked_files.iter().flatten() {
        println!("cargo::rerun-if-changed={path}");
    }
    println!("cargo::rerun-if-changed=Cargo.toml");
    for warning in parsed.diag.warnings().iter() {
        println!("cargo::warning={warning}");
    }
    // Errors (a missing key, a bad value) stop the build.
    let errors = parsed.diag.errors();
    if !errors.is_empty() {
        for error in errors.iter() {
            println!("cargo::error={error}");
        }
        std::process::exit(1);
    }
    let code = leptos_i18n_codegen::gen_code(&parsed, None, false, None, false)
        .unwrap_or_else(|e| panic!("i18n codegen: {e}"));
    std::fs::write(&out, code.to_string()).expect("write i18n.rs to OUT_DIR");
}
