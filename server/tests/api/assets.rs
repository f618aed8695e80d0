//! The bundle under /pkg: precompressed siblings chosen by Accept-Encoding,
//! a year of caching only for content-hashed names, and pages compressed
//! on the fly.

use crate::helpers::spawn_app_with;

const HASHED: &str = "evse-dashboard.0123456789abcdef.wasm";

/// A site directory as `cargo leptos build --release --precompress` with
/// `hash-files` leaves it, with contents that tell the variants apart.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(pkg.join(HASHED), b"raw wasm").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.br")), b"brotli wasm").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.gz")), b"gzip wasm").unwrap();
    std::fs::write(pkg.join("evse-dashboard.css"), b"body{}").unwrap();
    dir
}

#[tokio::test]
async fn hashed_bundle_files_are_served_precompressed_and_immutable() {
    let site = site();
    let dir = site.path().to_owned();
    let app = spawn_app_with(move |c| c.site_dir = dir).await;
    let url = app.url(&format!("/pkg/{HASHED}"));

    let br = app
        .client
        .get(&url)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli wasm");

    let gzip = app
        .client
        .get(&url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(gzip.bytes().await.unwrap().as_ref(), b"gzip wasm");

    let plain = app.client.get(&url).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"raw wasm");
}

#[tokio::test]
async fn unhashed_names_are_revalidated_not_cached_for_good() {
    let site = site();
    let dir = site.path().to_owned();
    let app = spawn_app_with(move |c| c.site_dir = dir).await;
    let res = app
        .client
        .get(app.url("/pkg/evse-dashboard.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn pages_are_compressed_on_the_fly() {
    let app = crate::helpers::spawn_app().await;
    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // gzip, also where the browser offers brotli: brotli's encoder was a
    // quarter to a third of a page's CPU (#29) for pages 5 % smaller.
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
}
