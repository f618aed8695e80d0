//! Where the database is: a data directory (SQLite, the default) or a URL.
//! A URL may carry a password, so it is a secret: `Debug` and `Display`
//! show it with the password replaced, and only [`DatabaseUrl::expose`]
//! hands the real text to the driver.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

use super::Backend;

#[derive(Debug, Clone)]
pub enum Location {
    /// `evse-dashboard.sqlite3` inside this directory.
    DataDir(PathBuf),
    Url(DatabaseUrl),
}

#[derive(Clone)]
pub struct DatabaseUrl {
    backend: Backend,
    url: SecretString,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the database URL must start with sqlite:// or postgres:// (postgresql://), e.g. \
     postgres://evse@db.example/evse"
)]
pub struct UnknownScheme;

impl FromStr for DatabaseUrl {
    type Err = UnknownScheme;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let url = url.trim();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(UnknownScheme);
        };
        Ok(Self {
            backend,
            url: url.into(),
        })
    }
}

impl DatabaseUrl {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL as the driver needs it, password included.
    pub fn expose(&self) -> &str {
        self.url.expose_secret()
    }

    /// The file of a `sqlite://PATH` (or `sqlite:PATH`) URL, without options.
    pub fn sqlite_path(&self) -> Option<String> {
        let rest = self.expose().strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        Some(rest.split('?').next().unwrap_or(rest).to_owned())
    }
}

/// The URL with any password replaced by `***`.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.expose();
        let Some((scheme, rest)) = url.split_once("://") else {
            return f.write_str(url);
        };
        let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        let authority = match authority.rsplit_once('@') {
            Some((user_info, host)) => match user_info.split_once(':') {
                Some((user, _password)) => format!("{user}:***@{host}"),
                None => authority.to_owned(),
            },
            None => authority.to_owned(),
        };
        // A password may also come as a query parameter.
        let tail = match tail.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => pair.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => tail.to_owned(),
        };
        write!(f, "{scheme}://{authority}{tail}")
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_never_shows() {
        for (url, shown) in [
            (
                "postgres://evse:s3cret@db.example:5432/evse?sslmode=require",
                "postgres://evse:***@db.example:5432/evse?sslmode=require",
            ),
            (
                "postgresql://evse@db/evse?password=s3cret&application_name=x",
                "postgresql://evse@db/evse?password=***&application_name=x",
            ),
            (
                "sqlite:///var/lib/evse/dash.db",
                "sqlite:///var/lib/evse/dash.db",
            ),
        ] {
            let parsed: DatabaseUrl = url.parse().unwrap();
            assert_eq!(parsed.to_string(), shown);
            assert!(!format!("{parsed:?}").contains("s3cret"));
            assert_eq!(parsed.expose(), url);
        }
    }

    #[test]
    fn the_scheme_picks_the_backend() {
        let pg: DatabaseUrl = "postgres://localhost/evse".parse().unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        let lite: DatabaseUrl = "sqlite://data/x.db?mode=rwc".parse().unwrap();
        assert_eq!(lite.backend(), Backend::Sqlite);
        assert_eq!(lite.sqlite_path().as_deref(), Some("data/x.db"));
        assert_eq!(
            "mysql://x".parse::<DatabaseUrl>().unwrap_err(),
            UnknownScheme
        );
    }
}
