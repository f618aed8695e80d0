//! What every page's `<head>` loads of the bundle: the stylesheet, and a
//! small script that loads the islands' wasm after the page is usable.
//!
//! In place of leptos' `HashedStylesheet` and `HydrationScripts`, for two
//! reasons (#29): they read `hash.txt` from disk on every request (here the
//! names are resolved once per process), and `HydrationScripts` preloads
//! the wasm at high priority on every page, where on a slow phone link it
//! competed with the page itself, also on the login page, which has nothing
//! for it to do. The loader (`loader.js`) fetches it at low priority after
//! the `load` event, and not at all where no island has work.

use std::sync::OnceLock;

use leptos::prelude::*;

/// The bundle's file names under `/pkg`, with their content hashes in a
/// release build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleNames {
    pub css: String,
    pub js: String,
    pub wasm: String,
}

impl BundleNames {
    /// From cargo-leptos' `hash.txt` (`css: …`, `js: …`, `wasm: …` lines),
    /// or the plain names when the files are not hashed.
    pub fn new(output_name: &str, hashes: Option<&str>) -> Self {
        let hash = |kind: &str| {
            hashes
                .into_iter()
                .flat_map(str::lines)
                .filter_map(|line| line.trim().split_once(':'))
                .find(|(file, _)| *file == kind)
                .map(|(_, hash)| format!(".{}", hash.trim()))
                .unwrap_or_default()
        };
        // cargo-leptos names the wasm after the crate's output name; a
        // wasm-bindgen build outside it adds `_bg`.
        let wasm_suffix = if hashes.is_none() && option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            "_bg"
        } else {
            ""
        };
        Self {
            css: format!("{output_name}{}.css", hash("css")),
            js: format!("{output_name}{}.js", hash("js")),
            wasm: format!("{output_name}{wasm_suffix}{}.wasm", hash("wasm")),
        }
    }

    /// Read where leptos looks for it: beside the binary.
    fn read(options: &LeptosOptions) -> Self {
        let hashes = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()
            })
            .flatten();
        Self::new(&options.output_name, hashes.as_deref())
    }
}

/// What every page's head holds of the bundle, made once per process: the
/// stylesheet's path and the loader script with the bundle's paths in it.
struct Head {
    stylesheet: String,
    loader: String,
}

impl Head {
    fn of(options: &LeptosOptions) -> &'static Self {
        static HEAD: OnceLock<Head> = OnceLock::new();
        HEAD.get_or_init(|| {
            let names = BundleNames::read(options);
            let pkg = format!("/{}", options.site_pkg_dir);
            Head {
                stylesheet: format!("{pkg}/{}", names.css),
                loader: format!(
                    "{}({:?}, {:?});",
                    include_str!("loader.js").trim_end(),
                    format!("{pkg}/{}", names.js),
                    format!("{pkg}/{}", names.wasm),
                ),
            }
        })
    }
}

/// The stylesheet link and the wasm loader.
#[component]
pub fn BundleHead(options: LeptosOptions) -> impl IntoView {
    let head = Head::of(&options);
    view! {
        <link rel="stylesheet" id="leptos" href=head.stylesheet.as_str() />
        <script type="module" nonce=leptos::nonce::use_nonce()>{head.loader.as_str()}</script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_come_from_the_hash_file() {
        let names = BundleNames::new("evse-dashboard", Some("js: AbC\nwasm: dEf\ncss: GhI\n"));
        assert_eq!(names.js, "evse-dashboard.AbC.js");
        assert_eq!(names.wasm, "evse-dashboard.dEf.wasm");
        assert_eq!(names.css, "evse-dashboard.GhI.css");
    }
}
