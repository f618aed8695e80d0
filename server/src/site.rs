//! Where the compiled site (wasm, js, css, public assets) lives, and the
//! Leptos options that point at it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use leptos::config::LeptosOptions;

/// The name cargo-leptos gives the bundle: `pkg/evse-dashboard.{js,wasm,css}`.
pub const OUTPUT_NAME: &str = "evse-dashboard";

/// Where an installed package keeps the site, relative to the directory of
/// the executable (`/usr/bin` → `/usr/share/evse-dashboard/site`).
const INSTALLED_SITE: &str = "../share/evse-dashboard/site";

/// Finds the site directory: the explicit choice, else the one cargo-leptos
/// announces, else `site` beside the executable (a copied release), else
/// the installed package's, else `target/site` (a checkout).
pub fn resolve_site_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_owned();
    }
    if let Some(dir) = std::env::var_os("LEPTOS_SITE_ROOT") {
        return PathBuf::from(dir);
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_owned));
    for beside in ["site", INSTALLED_SITE] {
        if let Some(dir) = exe_dir
            .as_ref()
            .map(|exe_dir| exe_dir.join(beside))
            .filter(|dir| dir.join("pkg").is_dir())
        {
            return dir;
        }
    }
    PathBuf::from("target/site")
}

/// cargo-leptos (`hash-files`) writes the bundle's content hashes to this
/// file beside the server binary, where Leptos looks for it to name the
/// files in each page; an installed package keeps it in the site directory
/// instead (nothing but programs belongs in `/usr/bin`). A debug build or a
/// test binary has none: plain names.
const HASH_FILE: &str = "hash.txt";

/// The hash file to use, as Leptos reads it (joined to the executable's
/// directory, so an absolute path stands for itself); `None`: plain names.
fn hash_file(site_dir: &Path) -> Option<PathBuf> {
    let beside_exe = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)));
    let in_site = std::path::absolute(site_dir.join(HASH_FILE)).ok();
    [beside_exe, in_site]
        .into_iter()
        .flatten()
        .find(|f| f.is_file())
}

pub fn leptos_options(site_dir: &Path, addr: SocketAddr) -> LeptosOptions {
    let hash_file = hash_file(site_dir);
    LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .hash_files(hash_file.is_some())
        .hash_file(std::sync::Arc::from(
            hash_file.map_or(HASH_FILE.into(), |f| f.to_string_lossy().into_owned()),
        ))
        .site_root(site_dir.to_string_lossy().as_ref())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}
