//! Charging sessions and the monthly report over HTTP (#42): the pages,
//! the two CSV downloads, `/api/v1/sites/{id}/report` and `evse-dashboard
//! report` give the same numbers; bad months and ranges get sentences.

use std::time::Duration;

use evse_dashboard::clemap::simulator::Vehicle;
use evse_dashboard::types::Role;

use crate::api_v1::{answer, app_with_charger, call, token};

#[tokio::test]
async fn a_session_shows_on_its_pages_and_the_report_agrees_everywhere() {
    let (app, sim, charger) = app_with_charger().await;
    let site = app.services.registry.get(charger).await.unwrap().site_id;
    // Three rounds with the car charging, then it leaves.
    let sampler = &app.services.sampler;
    for _ in 0..3 {
        assert!(sampler.tick(chrono::Utc::now()).await.unwrap());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    sim.set_vehicle("evse", Vehicle::None);
    assert!(sampler.tick(chrono::Utc::now()).await.unwrap());
    sampler.roll_up(chrono::Utc::now()).await.unwrap();

    app.create_user("olga", Role::Operator).await;
    app.create_user("vera", Role::Viewer).await;
    let olga = app.login("olga").await;
    let vera = app.login("vera").await;

    let list = app.page(&vera, "/sessions").await;
    assert!(
        list.contains("Bay 1") && list.contains("Unplugged"),
        "{list}"
    );
    let id: i64 = list
        .split("data-session-id=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|id| id.parse().ok())
        .expect("a session row");
    let one = app.page(&vera, &format!("/sessions/{id}")).await;
    assert!(one.contains("Charging session at Bay 1, Plug 1"), "{one}");
    assert!(one.contains("Targets in force"));
    let charger_page = app.page(&vera, &format!("/chargers/{charger}")).await;
    assert!(charger_page.contains(&format!("/sessions/{id}")));
    let site_page = app.page(&vera, &format!("/sites/{site}")).await;
    assert!(site_page.contains("Peak so far") && site_page.contains("/report"));
    let report_page = app.page(&vera, &format!("/sites/{site}/report")).await;
    assert!(report_page.contains("Monthly report") && report_page.contains("Bay 1"));

    // The CSV downloads: operators and admins only.
    let csv = |client: &reqwest::Client, path: &str| {
        let (client, url) = (client.clone(), app.url(path));
        async move {
            let res = client.get(url).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, _) = csv(&vera, &format!("/sites/{site}/report.csv")).await;
    assert_eq!(status, 403, "a viewer exports nothing");
    let (status, report_csv) = csv(&olga, &format!("/sites/{site}/report.csv")).await;
    assert_eq!(status, 200, "{report_csv}");
    let mut lines = report_csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "line,month,site,charger,energy_kwh,under_limit_kwh,sessions,quarters_read,peak_kw,peak_start,hours_at_supply_limit"
        )
    );
    let site_line: Vec<&str> = report_csv
        .lines()
        .find(|l| l.starts_with("site,"))
        .expect("the site's line")
        .split(',')
        .collect();
    let (status, sessions_csv) = csv(&olga, "/sessions/export.csv").await;
    assert_eq!(status, 200);
    assert!(
        sessions_csv
            .lines()
            .any(|l| l.starts_with(&format!("{id},")) && l.contains(",unplugged,")),
        "{sessions_csv}"
    );

    // The API's report is the CSV's.
    let bearer = token(&app, "reports", Role::Viewer).await;
    let (status, _, body) = answer(call(
        &app,
        reqwest::Method::GET,
        &format!("/sites/{site}/report"),
        Some(&bearer),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["energy_kwh"].as_f64().unwrap().to_string(),
        site_line[4]
    );
    assert_eq!(body["sessions"].as_u64().unwrap().to_string(), site_line[6]);
    assert_eq!(body["chargers"][0]["charger_name"], "Bay 1");
    assert!(body["sessions"].as_u64().unwrap() >= 1);

    // The command line prints the same report.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_evse-dashboard"))
        .args(["report", "--site", &site.to_string(), "--csv", "--data-dir"])
        .arg(app.data_dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    let printed_site = printed.lines().find(|l| l.starts_with("site,")).unwrap();
    assert_eq!(printed_site.split(',').nth(4), Some(site_line[4]));
}

#[tokio::test]
async fn bad_months_ranges_and_sites_get_a_sentence() {
    let (app, _sim, charger) = app_with_charger().await;
    let site = app.services.registry.get(charger).await.unwrap().site_id;
    app.create_user("olga", Role::Operator).await;
    let olga = app.login("olga").await;

    let page = app
        .page(&olga, &format!("/sites/{site}/report?month=2099-01"))
        .await;
    assert!(page.contains("That month has not begun yet"), "{page}");
    let page = app
        .page(&olga, &format!("/sites/{site}/report?month=2001-01"))
        .await;
    assert!(page.contains("The history kept starts in"), "{page}");
    let page = app
        .page(&olga, &format!("/sites/{site}/report?month=13"))
        .await;
    assert!(page.contains("is not a month"), "{page}");
    let page = app
        .page(&olga, "/sessions?from=2024-01-01&to=2026-01-01")
        .await;
    assert!(page.contains("at most 400 days apart"), "{page}");

    let res = olga
        .get(app.url("/sessions/export.csv?from=2024-01-01&to=2026-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("at most 400 days apart"));
    let res = olga
        .get(app.url("/sites/999999/report.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);

    let bearer = token(&app, "reports", Role::Viewer).await;
    let get = |path: String| call(&app, reqwest::Method::GET, &path, Some(&bearer));
    let (status, kind, body) = answer(get(format!("/sites/{site}/report?month=2099-01"))).await;
    assert_eq!(status, 422, "{body}");
    assert!(kind.starts_with("application/problem+json"));
    assert!(
        body["detail"].as_str().unwrap().contains("not begun"),
        "{body}"
    );
    let (status, _, _) = answer(get("/sites/999999/report".into())).await;
    assert_eq!(status, 404);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_evse-dashboard"))
        .args([
            "report",
            "--site",
            &site.to_string(),
            "--month",
            "2099-13",
            "--data-dir",
        ])
        .arg(app.data_dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a month"));
}
