//! The central service over HTTP, against a real database: SQLite by default, PostgreSQL
//! under scripts/with-postgres.sh. One test binary, so the suite compiles once.

mod arrivals;
mod booking_writes;
mod bookings;
#[path = "../common/mod.rs"]
mod common;
mod details;
mod enrolment;
mod escrow;
mod event_times;
mod group_commit;
mod helpers;
mod operations;
mod postgres_tls;
mod reception;
mod refusals;
mod requests;
mod retention;
mod sessions;
mod staff;
mod sync;
