//! `Idempotency-Key` across two instances on one PostgreSQL: a repeat sent
//! to the other instance gets the first answer, and two sent at once to
//! both make one call to CLEMAP.

use evse_dashboard::types::Role;
use reqwest::Method;

use super::{answer, call, token};
use crate::instances::{station, two_instances};

#[tokio::test]
async fn a_key_holds_across_instances() {
    let spec = station("evse-across");
    let (a, b, sim) = two_instances(vec![spec.clone()]).await;
    let id = a.register(&spec, "Bay 1", 32).await;
    let ops = token(&a, "bms", Role::Operator).await;
    let path = format!("/chargers/{id}/target");
    let send = |app, key: &'static str| {
        call(app, Method::POST, &path, Some(&ops))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(r#"{"current": 10, "duration": 600}"#)
    };
    let posts = || sim.requests().iter().filter(|r| r.method == "POST").count();

    let first = answer(send(&a, "one")).await;
    assert_eq!(first.0, 201, "{}", first.2);
    let repeat = answer(send(&b, "one")).await;
    assert_eq!(repeat, first, "the other instance answers the first answer");
    assert_eq!(posts(), 1);

    let (x, y) = tokio::join!(answer(send(&a, "two")), answer(send(&b, "two")));
    let statuses = [x.0, y.0];
    assert!(statuses.contains(&201), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| [201, 409].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(
        posts(),
        2,
        "one call for key two, whichever instance took it"
    );
}
