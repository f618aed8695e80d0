//! Unit tests of the client's URL building and base-URL rules.

use super::*;

#[test]
fn urls_escape_ids_into_single_segments() {
    let client = ClemapClient::new(ClientConfig::new("https://cloud.example:3032/")).unwrap();
    let url = client.url(&EvseAddress::new("edge 1/../x", "uuid?a=b"), "status");
    assert_eq!(
        url.as_str(),
        "https://cloud.example:3032/edgedevices/edge%201%2F..%2Fx/evses/uuid%3Fa=b/status"
    );
}

#[test]
fn a_base_path_is_kept() {
    let client = ClemapClient::new(ClientConfig::new("http://127.0.0.1:9/api")).unwrap();
    let url = client.url(&EvseAddress::new("e", "u"), "currentsettings");
    assert_eq!(
        url.as_str(),
        "http://127.0.0.1:9/api/edgedevices/e/evses/u/currentsettings"
    );
}

#[test]
fn plain_http_is_only_for_this_machine_unless_allowed() {
    for url in [
        "http://127.0.0.1:9",
        "http://[::1]:9",
        "http://localhost:3032",
        "https://cloud.clemap.com:3032",
    ] {
        assert!(ClemapClient::new(ClientConfig::new(url)).is_ok(), "{url}");
    }
    let remote = ClemapClient::new(ClientConfig::new("http://cloud.clemap.com:3032"));
    assert!(matches!(remote, Err(ClientBuildError::PlainHttp { .. })));
    let mut allowed = ClientConfig::new("http://10.0.0.5:3032");
    allowed.allow_plain_http = true;
    assert!(ClemapClient::new(allowed).is_ok());
}

#[test]
fn bad_base_urls_are_refused() {
    for url in ["", "cloud.clemap.com", "ftp://x", "mailto:a@b"] {
        assert!(ClemapClient::new(ClientConfig::new(url)).is_err(), "{url}");
    }
}
