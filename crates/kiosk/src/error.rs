use domain::Violations;

/// Errors from the kiosk engine. Each has a stable `code()` that a UI translates.
#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    /// The request broke one or more booking rules; nothing was written.
    #[error("{0}")]
    Rejected(Violations),
    #[error("no prison with code {0} in this kiosk's store")]
    UnknownPrison(String),
    #[error("no booking with reference {0}")]
    BookingNotFound(String),
    #[error("the kiosk store has not been set up: run `kioskctl init`")]
    NotInitialised,
    #[error("the kiosk store is already set up")]
    AlreadyInitialised,
    #[error("the store holds a value it cannot read: {0}")]
    Corrupt(String),
    #[error("bad data set: {0}")]
    Dataset(#[from] domain::dataset::DatasetError),
    #[error(transparent)]
    Issue(#[from] domain::reference::IssueError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A value the engine made could not be written as JSON: a bug, not bad input.
    #[error("cannot encode {0}")]
    Encode(String),
    /// The store has a migration this binary does not know: it was written by a newer version.
    /// Nothing was written to it.
    #[error(
        "the kiosk store was written by a newer visit-kiosk (migration {0}, unknown to this version \
         {version}): upgrade visit-kiosk, or restore a backup made by this version; the store was \
         left untouched",
        version = env!("CARGO_PKG_VERSION")
    )]
    StoreTooNew(i64),
    /// Another process holds the store in a way that forbids this (a restore while the app runs,
    /// or opening while a restore replaces it).
    #[error("{0}")]
    StoreInUse(String),
    /// A backup's destination already exists: a backup never overwrites.
    #[error("{0} already exists: a backup never overwrites a file")]
    BackupExists(String),
    /// A file given to restore is not a sound kiosk store this binary can use.
    #[error("{0}")]
    BadBackup(String),
    /// Reading or writing a backup or the store's files failed.
    #[error("{0}")]
    StoreFile(String),
    /// The store's folder or files could not be made private to this user.
    #[error("store file permissions: {0}")]
    Permissions(String),
}

impl KioskError {
    pub fn code(&self) -> &'static str {
        match self {
            KioskError::Rejected(v) => v.first().code(),
            KioskError::UnknownPrison(_) => "unknown_prison",
            KioskError::BookingNotFound(_) => "booking_not_found",
            KioskError::NotInitialised => "not_initialised",
            KioskError::AlreadyInitialised => "already_initialised",
            KioskError::Corrupt(_) => "store_corrupt",
            KioskError::Dataset(_) => "bad_dataset",
            KioskError::Issue(_) => "references_exhausted",
            KioskError::Database(_) | KioskError::Migrate(_) => "store_unavailable",
            KioskError::Encode(_) => "internal_error",
            KioskError::Permissions(_) | KioskError::StoreFile(_) => "store_unavailable",
            KioskError::StoreTooNew(_) => "store_too_new",
            KioskError::StoreInUse(_) => "store_in_use",
            KioskError::BackupExists(_) => "file_exists",
            KioskError::BadBackup(_) => "backup_invalid",
        }
    }
}

/// A prison code that cannot be one names no prison in the store.
impl From<domain::PrisonCodeError> for KioskError {
    fn from(e: domain::PrisonCodeError) -> Self {
        KioskError::UnknownPrison(e.0)
    }
}

impl From<Violations> for KioskError {
    fn from(v: Violations) -> Self {
        KioskError::Rejected(v)
    }
}

pub type Result<T, E = KioskError> = std::result::Result<T, E>;
