//! The login session: what it holds (a user id and when they logged in)
//! and how it turns back into a user. Also used by the server's page
//! middleware and CSV export, so there is one definition of "logged in".

use evse_dashboard::services::Services;
use evse_dashboard::types::User;
use tower_sessions::Session;

/// Session keys; the session holds nothing else.
const USER_ID: &str = "user_id";
const LOGGED_IN_AT: &str = "logged_in_at";
/// The user's session epoch at login: a password, role or status change
/// bumps it, which ends this session.
const EPOCH: &str = "epoch";

pub type SessionError = Box<dyn std::error::Error + Send + Sync>;

/// The user the page middleware found for this request, put into the
/// request's extensions, so the page's header and its data sections do
/// not each read the same user again (measured: one page read it 3-4 times).
#[derive(Debug, Clone)]
pub struct RequestUser(pub User);

/// The user a session belongs to, if the session is still good. A session
/// whose user is gone, disabled or too old is flushed for good.
pub async fn user_of(session: &Session, services: &Services) -> Result<Option<User>, SessionError> {
    let user_id: Option<i64> = session.get(USER_ID).await?;
    let logged_in_at: Option<i64> = session.get(LOGGED_IN_AT).await?;
    let epoch: Option<i64> = session.get(EPOCH).await?;
    let (Some(user_id), Some(logged_in_at), Some(epoch)) = (user_id, logged_in_at, epoch) else {
        return Ok(None);
    };
    let logged_in_at = chrono::DateTime::from_timestamp(logged_in_at, 0).unwrap_or_default();
    let user = services
        .users
        .session_user(user_id, logged_in_at, epoch)
        .await?;
    if user.is_none() {
        session.flush().await?;
    }
    Ok(user)
}

/// Starts a session for `user` under a fresh id (no fixation).
pub async fn start(
    session: &Session,
    services: &Services,
    user: &User,
) -> Result<(), SessionError> {
    let epoch = services
        .users
        .session_epoch(user.id)
        .await?
        .unwrap_or_default();
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await?;
    session.insert(EPOCH, epoch).await?;
    session
        .insert(LOGGED_IN_AT, chrono::Utc::now().timestamp())
        .await?;
    Ok(())
}

/// Ends the session on the server, not just the cookie.
pub async fn end(session: &Session) -> Result<(), SessionError> {
    Ok(session.flush().await?)
}
