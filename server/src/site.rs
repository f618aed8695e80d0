//! Where the compiled site (wasm, js, css, public assets) lives, and the
//! Leptos options that point at it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

/// The name cargo-leptos gives the bundle: `pkg/evse-dashboard.{js,wasm,css}`.
pub const OUTPUT_NAME: &str = "evse-dashboard";

/// Finds the site directory: the explicit choice, else the one cargo-leptos
/// announces, else `site` beside the executable (a copied release), else
/// `target/site` (a checkout).
pub fn resolve_site_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_owned();
    }
    if let Some(dir) = std::env::var_os("LEPTOS_SITE_ROOT") {
        return PathBuf::from(dir);
    }
    if let Some(beside_exe) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("site")))
        .filter(|dir| dir.join("pkg").is_dir())
    {
        return beside_exe;
    }
    PathBuf::from("target/site")
}

/// cargo-leptos (`hash-files`) writes the bundle's content hashes to this
/// file beside the server binary, where Leptos looks for it to name the
/// files in each page. A debug build or a test binary has none: plain names.
const HASH_FILE: &str = "hash.txt";

fn hashed_bundle() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE).is_file()))
        .unwrap_or(false)
}

pub fn leptos_options(site_dir: &Path, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .hash_files(hashed_bundle())
        .hash_file(std::sync::Arc::from(HASH_FILE))
        .site_root(site_dir.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}
