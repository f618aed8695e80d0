use evse_dashboard::audit::{AuditLog, Event};
use evse_dashboard::auth::Users;
use evse_dashboard::secret::Password;
use evse_dashboard::types::AuditAction;

use super::{CommandResult, cli_actor, open_backend, read_new_password, said};
use crate::cli::{DataArgs, UserCommand};
use crate::data_dir;

async fn users(data: &DataArgs) -> Result<(Users, AuditLog), data_dir::BackendError> {
    let (audit, _) = open_backend(data).await?;
    Ok((Users::new(audit.db().clone(), audit.clone()), audit))
}

async fn audited(audit: &AuditLog, action: AuditAction, subject: String) {
    let event = Event::of(action, &Ok(())).about(subject);
    audit.record_or_log(&cli_actor(), event).await;
}

pub async fn run(command: UserCommand) -> CommandResult {
    match command {
        UserCommand::Add {
            username,
            role,
            data,
        } => {
            let (users, pool) = users(&data).await?;
            evse_dashboard::auth::check_username(&username).map_err(|i| said(i.into()))?;
            let password = Password::new(read_new_password()?);
            let user = users
                .create(&username, &password, role)
                .await
                .map_err(|e| said(e.problem()))?;
            let subject = format!("{} ({role})", user.username);
            audited(&pool, AuditAction::UserCreated, subject).await;
            println!("created user {} with role {role}", user.username);
        }
        UserCommand::Passwd { username, data } => {
            let (users, pool) = users(&data).await?;
            let user = users
                .by_name(&username)
                .await
                .map_err(|e| said(e.problem()))?;
            users
                .set_password(user.id, &Password::new(read_new_password()?))
                .await
                .map_err(|e| said(e.problem()))?;
            audited(&pool, AuditAction::PasswordReset, user.username.clone()).await;
            println!("changed the password of {}", user.username);
        }
        UserCommand::Disable { username, data } => set_disabled(&username, &data, true).await?,
        UserCommand::Enable { username, data } => set_disabled(&username, &data, false).await?,
        UserCommand::List(data) => {
            let (users, _) = users(&data).await?;
            let list = users.list().await?;
            if list.is_empty() {
                println!(
                    "no users; create the first admin with `evse-dashboard user add NAME --role admin`"
                );
            }
            for u in list {
                println!(
                    "{:<24} {:<9} {:<9} last login {}",
                    u.username,
                    u.role.as_str(),
                    if u.disabled { "disabled" } else { "active" },
                    u.last_login_at.map_or_else(
                        || "never".into(),
                        |t| t.format("%Y-%m-%d %H:%M UTC").to_string()
                    )
                );
            }
        }
    }
    Ok(())
}

async fn set_disabled(username: &str, data: &DataArgs, disabled: bool) -> CommandResult {
    let (users, pool) = users(data).await?;
    let user = users
        .by_name(username)
        .await
        .map_err(|e| said(e.problem()))?;
    users.set_disabled(user.id, disabled).await?;
    let (action, done) = if disabled {
        (AuditAction::UserDisabled, "disabled")
    } else {
        (AuditAction::UserEnabled, "enabled")
    };
    audited(&pool, action, user.username.clone()).await;
    println!("{done} {}", user.username);
    Ok(())
}
