//! Fresh, empty PostgreSQL databases for tests and benchmarks, each its own
//! (they run in parallel on one server), created through an admin URL.

use sqlx::Connection;

use super::DatabaseUrl;

/// Creates `evse_<random>` on the server `admin` points at and returns
/// its URL.
pub async fn postgres(admin: &str) -> Result<DatabaseUrl, sqlx::Error> {
    let name = format!("evse_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let server = base
        .strip_suffix('/')
        .unwrap_or(base)
        .rsplit_once('/')
        .filter(|(server, _)| server.contains("://") && !server.ends_with('/'))
        .map_or(base, |(server, _)| server);
    Ok(format!("{server}/{name}{query}")
        .parse()
        .expect("a postgres URL stays one"))
}
