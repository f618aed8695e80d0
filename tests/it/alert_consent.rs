//! Nobody is mailed without agreeing (#37), through a real SMTP server:
//! a user's own address gets its confirmation mail and nothing else until
//! the link in it is followed; every alert mail then carries RFC 8058's
//! one-click unsubscribe, and its link ends the subscription. Both are
//! audited as the mailbox's holder.

use std::time::Duration;

use chrono::Utc;
use evse_dashboard::alerts::{AlertError, Followed, NewEmail, links};
use evse_dashboard::auth::Users;
use evse_dashboard::secret::Password;
use evse_dashboard::types::{AuditAction, LinkPurpose, Role};
use evse_dashboard::vault::{TokenKey, Vault};

use crate::alert_mail::{Sink, dispatcher};
use crate::alerts::{alerts_of, bay, offline};
use crate::fixtures::{World, actor};

/// A mail as a person reads it: quoted-printable's soft line breaks and
/// folded headers undone.
fn plain(mail: &str) -> String {
    mail.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("\r\n ", " ")
        .replace("\n ", " ")
}

#[tokio::test]
async fn an_own_address_gets_only_its_confirmation_until_confirmed_then_a_way_out() {
    let sink = Sink::start().await;
    let world = World::new(vec![], Duration::from_millis(400)).await;
    let users = Users::new(world.db().clone(), world.audit.clone());
    let password = Password::new("correct horse battery staple");
    let olga = users.create("olga", &password, Role::Viewer).await.unwrap();
    let alerts = alerts_of(&world, &Vault::new(TokenKey::generate()));
    let subs = &alerts.subscriptions;
    let new = NewEmail {
        address: "olga@example.com",
        user_id: Some(olga.id),
        ..NewEmail::default()
    };
    let mine = subs.add_email(&actor("olga"), &new).await.unwrap();
    assert!(!mine.confirmed, "a user's own address waits");
    let dispatcher = dispatcher(&alerts, Some(sink.mailer()));
    dispatcher.ask_to_confirm(&mine, "olga").await.unwrap();

    // Before confirmation: no alert is queued, no test goes.
    let now = Utc::now();
    assert_eq!(
        alerts
            .raise(offline(bay(1, 1)), now)
            .await
            .unwrap()
            .queued(),
        0
    );
    let tested = dispatcher.test(&actor("admin"), mine.id).await.unwrap();
    assert!(tested.result.unwrap_err().contains("not confirmed"));
    let mails = sink.mails(1).await;
    assert_eq!(mails.len(), 1, "only the confirmation mail");
    let confirm = links::token(world.audit.key(), LinkPurpose::Confirm, mine.id);
    let link = format!(
        "https://dash.example.com/alerts/confirm/{}/{confirm}",
        mine.id
    );
    assert!(plain(&mails[0]).contains(&link), "{}", mails[0]);
    assert!(
        !mails[0].contains("List-Unsubscribe"),
        "nothing to leave yet: {}",
        mails[0]
    );

    // A wrong or another purpose's token confirms nothing.
    let unsubscribe = links::token(world.audit.key(), LinkPurpose::Unsubscribe, mine.id);
    for wrong in ["0".repeat(32), unsubscribe.clone()] {
        assert!(matches!(
            subs.confirm(mine.id, &wrong).await,
            Err(AlertError::NotFound(_))
        ));
    }
    let page = subs
        .link_view(LinkPurpose::Confirm, mine.id, &confirm)
        .await
        .unwrap();
    assert_eq!(
        (page.receiver.as_str(), page.confirmed),
        ("olga@example.com", false)
    );
    assert_eq!(
        subs.confirm(mine.id, &confirm).await.unwrap(),
        Followed::Done
    );
    assert_eq!(
        subs.confirm(mine.id, &confirm).await.unwrap(),
        Followed::AlreadyDone
    );

    // Confirmed: the alert goes, with RFC 8058's headers and a link.
    assert_eq!(
        alerts
            .raise(offline(bay(2, 1)), now)
            .await
            .unwrap()
            .queued(),
        1
    );
    assert_eq!(dispatcher.round(now).await.unwrap(), 1);
    let mails = sink.mails(2).await;
    let alert = mails
        .iter()
        .map(|m| plain(m))
        .find(|m| m.contains("charger_offline"))
        .expect("the alert mail");
    let stop = format!(
        "https://dash.example.com/alerts/unsubscribe/{}/{unsubscribe}",
        mine.id
    );
    assert!(
        alert.contains(&format!("List-Unsubscribe: <{stop}/one-click>")),
        "{alert}"
    );
    assert!(
        alert.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{alert}"
    );
    assert!(alert.contains(&format!("stop: {stop}")), "{alert}");

    // One click ends it; a second click says so; no alert is queued then.
    assert_eq!(
        subs.unsubscribe(mine.id, &unsubscribe).await.unwrap(),
        Followed::Done
    );
    assert_eq!(
        subs.unsubscribe(mine.id, &unsubscribe).await.unwrap(),
        Followed::AlreadyDone
    );
    assert_eq!(
        alerts
            .raise(offline(bay(3, 1)), now)
            .await
            .unwrap()
            .queued(),
        0
    );
    let page = subs
        .link_view(LinkPurpose::Unsubscribe, mine.id, &unsubscribe)
        .await
        .unwrap();
    assert!(page.ended && page.confirmed);

    let rows: Vec<(String, String)> = evse_dashboard::on_db!(world.db(), pool => sqlx::query_as(
        "SELECT action, actor FROM audit_events WHERE actor = $1 ORDER BY id",
    )
    .bind("mail:recipient")
    .fetch_all(pool)
    .await
    .unwrap());
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    let confirmed: &str = AuditAction::AlertSubscriptionConfirmed.into();
    let removed: &str = AuditAction::AlertSubscriptionRemoved.into();
    assert_eq!(actions, [confirmed, removed]);
}
