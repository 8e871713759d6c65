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
static MIGRATIONS: &[(i64, &str, &str)] = &[(1, "initial", include_str!("../migrations/0001_initial.sql"))];

/// Opens the database (`database_url`, or `<data_dir>/tokhai.sqlite`) and runs the migrations.
pub async fn open(database_url: Option<&str>, data_dir: &Path) -> Result<Db, DbError> {
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
    let engine = if url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let max = if engine == "SQLite" { 4 } else { 10 };
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .connect(&url)
        .await
        .map_err(|source| DbError::Connect { engine, source })?;
    if engine == "SQLite" {
        // Readers do not block the writer; the setting stays with the file (sqlx already waits
        // up to 5 s on a busy database).
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&pool)
            .await
            .map_err(|source| DbError::Connect { engine, source })?;
    }
    migrator().run(&pool).await?;
    Ok(pool)
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
