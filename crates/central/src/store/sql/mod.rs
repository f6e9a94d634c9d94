//! The SQL both databases share. SQLite accepts PostgreSQL's `$1` placeholders, and the two
//! schemas use types that sqlx maps to the same Rust types (BIGINT/INTEGER to i64, DATE/TEXT to
//! NaiveDate, ...), so each statement is written once.
//!
//! One file per concern, each a small macro implementing one of the store's traits
//! (`ReferenceTx`, `CapacityTx`, ...) for a backend's transaction type: `sqlite.rs` and
//! `postgres.rs` expand each one, so every query is checked against that backend's concrete
//! types, and a compiler error names the concern's file. The macros hold only statements and
//! their binds; reading rows into the store's types is done by ordinary functions in
//! `store/rows.rs`. What differs between the databases is passed in, visibly, where each
//! backend expands the macros:
//!
//! - `lock`: the row-locking suffix (` FOR UPDATE` on PostgreSQL; nothing on SQLite, where the
//!   whole write transaction already holds the database's write lock),
//! - `newer`: how a row's change mark compares with a pull cursor (see the migrations),
//! - `mark`, `horizon`, `next_reference`: the change mark of this transaction, the next pull
//!   cursor, and central's next reference sequence number.
//!
//! A macro rather than generic code because sqlx's statements are typed by database: a function
//! generic over both would carry a bound for every type bound or read, in every signature.

pub(crate) mod audit;
pub(crate) mod bookings;
pub(crate) mod capacity;
pub(crate) mod checks;
pub(crate) mod common;
pub(crate) mod idempotency;
pub(crate) mod kiosks;
pub(crate) mod pull;
pub(crate) mod reference;
pub(crate) mod retention;
pub(crate) mod staff;

/// Values a batch read binds in one statement at most: well inside both databases' limits on
/// a statement's parameters.
pub(crate) const VALUES_A_STATEMENT: usize = 500;

/// `$first, $first+1, ...`: `n` placeholders for an `IN (...)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_on_from_the_first() {
        assert_eq!(super::placeholders(2, 3), "$2, $3, $4");
        assert_eq!(super::placeholders(1, 1), "$1");
        assert_eq!(super::placeholders(1, 0), "");
    }
}
