//! A person's address is theirs (#37): the audit row of a subscription
//! shows its address whole to admins and to whoever made it, and masked
//! to everyone else, on the page, in `/api/v1/audit` and in the CSV.

use app::server_fns::alerts::AddMyAlert;
use app::server_fns::audit::AuditPageCall;
use evse_dashboard::types::{AuditAction, AuditFilter, AuditPage, Role};

use crate::api_v1::{call, token};
use crate::helpers::{ok, spawn_app};

fn subjects(page: &AuditPage) -> Vec<String> {
    page.entries
        .iter()
        .filter(|e| e.action == AuditAction::AlertSubscriptionAdded)
        .filter_map(|e| e.subject.clone())
        .collect()
}

#[tokio::test]
async fn an_address_is_whole_only_for_its_owner_and_admins() {
    let app = spawn_app().await;
    for (name, role) in [
        ("olga", Role::Viewer),
        ("vera", Role::Viewer),
        ("otto", Role::Operator),
        ("ada", Role::Admin),
    ] {
        app.create_user(name, role).await;
    }
    let olga = app.login("olga").await;
    // No mail server here: added, and its confirmation mail refused.
    let _ = app
        .call_fn(
            &olga,
            AddMyAlert {
                address: "olga@example.com".into(),
                events: Vec::new(),
                sites: Vec::new(),
                quiet_from: String::new(),
                quiet_until: String::new(),
            },
        )
        .await;
    let filter = AuditFilter {
        action: Some(AuditAction::AlertSubscriptionAdded),
        ..Default::default()
    };
    let page_for = |client| {
        let filter = filter.clone();
        let app = &app;
        async move {
            let page: AuditPage = ok(app
                .call_fn(
                    &client,
                    AuditPageCall {
                        filter,
                        before: None,
                    },
                )
                .await)
            .await;
            subjects(&page)
        }
    };
    assert_eq!(page_for(olga.clone()).await, ["olga@example.com"]);
    assert_eq!(page_for(app.login("ada").await).await, ["olga@example.com"]);
    assert_eq!(page_for(app.login("vera").await).await, ["o…@example.com"]);

    for (role, shown) in [
        (Role::Viewer, "o…@example.com"),
        (Role::Admin, "olga@example.com"),
    ] {
        let secret = token(&app, &format!("t-{role}"), role).await;
        let res = call(
            &app,
            reqwest::Method::GET,
            "/audit?action=alert_subscription_added",
            Some(&secret),
        )
        .send()
        .await
        .unwrap();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["events"][0]["subject"], shown, "{role}");
    }

    let otto = app.login("otto").await;
    let csv = otto
        .get(app.url("/audit/export.csv?action=alert_subscription_added"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("o…@example.com"), "{csv}");
    assert!(!csv.contains("olga@example.com"), "{csv}");
}
