//! Storage through sqlx: SQLite in the data directory by default, PostgreSQL when configured.

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::AnyPool;
use std::borrow::Cow;
use std::path::Path;

/// The database pool, whichever engine is behind it.
pub type Db = AnyPool;

/// A storage problem at start-up.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// Directory.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error("cannot open the {engine} database: {source}")]
    Connect {
        /// `SQLite` or `PostgreSQL`.
        engine: &'static str,
        /// Underlying error.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The schema migrations, embedded in the binary; the SQL is portable between both engines.
static MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "intake_timings",
        include_str!("../migrations/0002_intake_timings.sql"),
    ),
    (3, "row_prefills", include_str!("../migrations/0003_row_prefills.sql")),
    (4, "uploads", include_str!("../migrations/0004_uploads.sql")),
    (5, "login_method", include_str!("../migrations/0005_login_method.sql")),
    (
        6,
        "timings_subject",
        include_str!("../migrations/0006_timings_subject.sql"),
    ),
    (7, "decisions", include_str!("../migrations/0007_decisions.sql")),
    (8, "logins", include_str!("../migrations/0008_logins.sql")),
    (
        9,
        "timings_login_method",
        include_str!("../migrations/0009_timings_login_method.sql"),
    ),
    (10, "due_at", include_str!("../migrations/0010_due_at.sql")),
];

/// The pools: `db` for everything, `writer` for the hot inserts (dossiers, timings, ratings).
pub struct Pools {
    /// The main pool (migrations, sessions, reads).
    pub db: Db,
    /// One connection on SQLite, which writes one transaction at a time anyway: writers queue in
    /// the pool instead of sleeping in SQLite's busy handler. The main pool on PostgreSQL.
    pub writer: Db,
}

/// Opens the database (`database_url`, or `<data_dir>/tokhai.sqlite`) and runs the migrations.
pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Pools, DbError> {
    sqlx::any::install_default_drivers();
    let url = match database_url {
        Some(url) => url.to_owned(),
        None => {
            std::fs::create_dir_all(data_dir).map_err(|source| DbError::DataDir {
                path: data_dir.display().to_string(),
                source,
            })?;
            format!("sqlite://{}?mode=rwc", data_dir.join("tokhai.sqlite").display())
        }
    };
    if !url.starts_with("sqlite:") {
        let db = pool(&url, 10, false).await?;
        migrator().run(&db).await?;
        return Ok(Pools { writer: db.clone(), db });
    }
    // Readers do not block the writer in WAL mode; 4 connections keep two cores busy.
    let db = pool(&url, 4, true).await?;
    migrator().run(&db).await?;
    let writer = pool(&url, 1, true).await?;
    Ok(Pools { db, writer })
}

async fn pool(url: &str, max: u32, sqlite: bool) -> Result<Db, DbError> {
    let engine = if sqlite { "SQLite" } else { "PostgreSQL" };
    AnyPoolOptions::new()
        .max_connections(max)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL: readers do not block the writer. NORMAL: no sync at each commit, only at
                    // checkpoints; a crash of the server loses nothing, a power cut may lose the last commits.
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(|source| DbError::Connect { engine, source })
}

fn migrator() -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

/// Whether the pool talks to PostgreSQL.
pub fn is_postgres(db: &Db) -> bool {
    db.connect_options().database_url.scheme().starts_with("postgres")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_run() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort_unstable();
        let run: Vec<String> = MIGRATIONS
            .iter()
            .map(|(version, name, _)| format!("{version:04}_{name}.sql"))
            .collect();
        assert_eq!(
            files, run,
            "a migration file the server never runs, or one run without its file"
        );
    }
}
