//! `kioskctl staff ...`: staff accounts on a kiosk that works alone (an enrolled kiosk takes its
//! accounts from central and refuses these commands).

use crate::{fail, failure, print_json};
use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Subcommand;
use domain::{NewPin, PersonName, Role, SignInPolicy, StaffNumber};
use kiosk::Store;
use kiosk::staff::accounts::{AccountChange, NewAccount};
use protocol::Organisation;
use serde_json::json;
use std::process::ExitCode;

/// Which account: the prison and the staff number.
#[derive(clap::Args)]
pub(crate) struct StaffAccountArgs {
    #[arg(long)]
    prison: String,
    /// The staff number (4 to 10 digits)
    #[arg(long, value_parser = parse_staff_number)]
    number: StaffNumber,
}

#[derive(Subcommand)]
pub(crate) enum StaffCommand {
    /// Add an account with a one-time PIN (printed once, or read from stdin with --pin-stdin)
    /// that the person changes at their first sign-in
    Add {
        #[command(flatten)]
        account: StaffAccountArgs,
        #[arg(long, value_parser = parse_staff_name)]
        name: PersonName,
        /// reception, supervisor or helper
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Helpers only: who they work for
        #[arg(long, value_parser = parse_organisation)]
        organisation: Option<Organisation>,
        /// Helpers only: the last day they may sign in, at most a year ahead (YYYY-MM-DD)
        #[arg(long)]
        expires_on: Option<NaiveDate>,
        /// Read the one-time PIN from standard input instead of making one up
        #[arg(long)]
        pin_stdin: bool,
    },
    /// List a prison's accounts (never their PIN hashes), with any lock
    List {
        #[arg(long)]
        prison: String,
    },
    /// Stop an account signing in
    Disable {
        #[command(flatten)]
        account: StaffAccountArgs,
    },
    /// Let a disabled account sign in again
    Enable {
        #[command(flatten)]
        account: StaffAccountArgs,
    },
    /// Clear the wrong PINs that locked an account
    Unlock {
        #[command(flatten)]
        account: StaffAccountArgs,
    },
    /// Set a new one-time PIN (printed once, or read with --pin-stdin) and unlock the account
    Reset {
        #[command(flatten)]
        account: StaffAccountArgs,
        #[arg(long)]
        pin_stdin: bool,
    },
}

fn parse_staff_number(s: &str) -> Result<StaffNumber, String> {
    StaffNumber::parse(s).map_err(|e| e.to_string())
}

fn parse_staff_name(s: &str) -> Result<PersonName, String> {
    PersonName::parse(s).map_err(|e| format!("{e} (letters, spaces, hyphens and apostrophes)"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

fn parse_organisation(s: &str) -> Result<Organisation, String> {
    Organisation::parse(s).map_err(|e| e.to_string())
}

/// The one-time PIN an operator gives on standard input (one line), if asked to read one.
fn pin_from_stdin(read: bool) -> Result<Option<NewPin>> {
    if !read {
        return Ok(None);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .with_context(|| failure("invalid_request", "cannot read the PIN on stdin"))?;
    let pin = NewPin::parse(&line).map_err(|e| fail(e.code(), format!("the PIN on stdin: {e}")))?;
    Ok(Some(pin))
}

/// Runs one staff command on the store.
pub(crate) async fn run(store: &Store, command: StaffCommand, now: DateTime<Utc>) -> Result<ExitCode> {
    let (prison, change, pin, status) = match command {
        StaffCommand::List { prison } => {
            let accounts =
                kiosk::staff::accounts::list(store, &prison, &SignInPolicy::default(), now).await?;
            print_json(&json!(accounts));
            store.close().await;
            return Ok(ExitCode::SUCCESS);
        }
        StaffCommand::Add {
            account,
            name,
            role,
            organisation,
            expires_on,
            pin_stdin,
        } => {
            let new = NewAccount {
                number: account.number,
                name,
                role,
                organisation,
                expires_on,
            };
            (
                account.prison,
                AccountChange::Add(new),
                pin_from_stdin(pin_stdin)?,
                "added",
            )
        }
        StaffCommand::Disable { account } => (
            account.prison,
            AccountChange::Disable(account.number),
            None,
            "disabled",
        ),
        StaffCommand::Enable { account } => (
            account.prison,
            AccountChange::Enable(account.number),
            None,
            "enabled",
        ),
        StaffCommand::Unlock { account } => (
            account.prison,
            AccountChange::Unlock(account.number),
            None,
            "unlocked",
        ),
        StaffCommand::Reset { account, pin_stdin } => (
            account.prison,
            AccountChange::ResetPin(account.number),
            pin_from_stdin(pin_stdin)?,
            "pin_reset",
        ),
    };
    let changed = kiosk::staff::accounts::change_as_operator(store, &prison, &change, pin, now).await?;
    print_json(
        &json!({ "status": status, "account": changed.account, "one_time_pin": changed.one_time_pin }),
    );
    if changed.one_time_pin.is_some() {
        eprintln!("kioskctl: the one-time PIN is not shown again; it must be changed at the first sign-in");
    }
    Ok(ExitCode::SUCCESS)
}
