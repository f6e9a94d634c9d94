//! Every staff command refuses without a signed-in session, and for a role that may not use
//! it: an exhaustive match over the engine's commands, so a new command must say what it needs.

mod common;

use common::*;
use domain::{BookingRequest, Permission, Role};
use kiosk::booking::book;
use kiosk::journey::{
    ArrivalRequest, CancelRequest, ChangePinRequest, Command, DayRequest, FindRequest, HelperBookRequest,
    Journey, ResolveRequest, StaffToken, UiErrors, VisitRequest,
};
use kiosk_test_support::{now, rhys_request};
use protocol::Attendance;

/// Calls a staff command with `token` and the least it takes, answering the error codes;
/// `None` for the commands that need no session. A new command fails to compile here until it
/// says which it is.
async fn call(j: &Journey, command: Command, token: &str, reference: &str) -> Option<Result<(), UiErrors>> {
    let t = || token.to_string();
    let r = || reference.to_string();
    let now = now();
    Some(match command {
        Command::KioskInfo
        | Command::JourneyEnded
        | Command::CheckPrisoner
        | Command::CheckVisitors
        | Command::AvailableSessions
        | Command::Book
        | Command::PrintSlip
        | Command::StaffSignIn
        | Command::StaffSignOut
        | Command::VisitorFindBooking
        | Command::VisitorReprint
        | Command::VisitorCancelBooking => return None,
        Command::StaffChangePin => j
            .staff_change_pin(
                &ChangePinRequest {
                    token: t(),
                    current_pin: Some(OWN_PIN.into()),
                    new_pin: "640218".into(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffToday => j
            .staff_today(
                &DayRequest {
                    token: t(),
                    date: None,
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffMarkArrival => j
            .staff_mark_arrival(
                &ArrivalRequest {
                    token: t(),
                    reference: r(),
                    attendance: Attendance::Arrived,
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffFind => j
            .staff_find(
                &FindRequest {
                    token: t(),
                    query: "Evans".into(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffBooking => j
            .staff_booking(
                &VisitRequest {
                    token: t(),
                    reference: r(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffReprint => j
            .staff_reprint(
                &kiosk::journey::ReprintRequest {
                    token: t(),
                    reference: r(),
                    lang: Default::default(),
                    paper: None,
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffCancel => j
            .staff_cancel(
                &CancelRequest {
                    token: t(),
                    reference: r(),
                    reason: "administrative_error".into(),
                    how: None,
                    note: None,
                    print_slip: false,
                    lang: Default::default(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffReviewQueue => j
            .staff_review_queue(&StaffToken { token: t() }, now)
            .await
            .map(drop),
        Command::StaffHealth => j.staff_health(&StaffToken { token: t() }, now).await.map(drop),
        Command::StaffSyncNow => j.staff_sync_now(&StaffToken { token: t() }, now).await.map(drop),
        Command::StaffTestPrint => j
            .staff_test_print(&StaffToken { token: t() }, now)
            .await
            .map(drop),
        Command::StaffMoveOptions => j
            .staff_move_options(
                &VisitRequest {
                    token: t(),
                    reference: r(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffMove => j
            .staff_move(
                &kiosk::journey::MoveRequest {
                    token: t(),
                    reference: r(),
                    session: "CDF-SAT-AM/2026-11-28".into(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffSettings => j.staff_settings(&StaffToken { token: t() }, now).await.map(drop),
        Command::StaffSetPrinter => j
            .staff_set_printer(
                &kiosk::journey::PrinterRequest {
                    token: t(),
                    queue: "no-such-queue".into(),
                    paper: kiosk::slip::Paper::A4,
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffEnrol => j
            .staff_enrol(
                &kiosk::journey::EnrolRequest {
                    token: t(),
                    central_url: String::new(),
                    code: String::new(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffPrintDay => j
            .staff_print_day(
                &kiosk::journey::PrintDayRequest {
                    token: t(),
                    date: None,
                    what: kiosk::desk::DaySheet::List,
                    lang: Default::default(),
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffSessions => j.staff_sessions(&StaffToken { token: t() }, now).await.map(drop),
        Command::StaffClose => j
            .staff_close(
                &kiosk::journey::CloseSessionsRequest {
                    token: t(),
                    session: Some(PM.into()),
                    date: None,
                    reason: "lockdown".into(),
                    note: None,
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffSetTables => j
            .staff_set_tables(
                &kiosk::journey::SetTablesRequest {
                    token: t(),
                    session: PM.into(),
                    kind: domain::VisitKind::Open,
                    tables: 30,
                    note: None,
                },
                now,
            )
            .await
            .map(drop),
        Command::StaffAccounts => j.staff_accounts(&StaffToken { token: t() }, now).await.map(drop),
        Command::StaffAccountChange => j
            .staff_account_change(
                &kiosk::journey::AccountChangeRequest {
                    token: t(),
                    action: "unlock".into(),
                    staff_number: "1002".into(),
                    name: None,
                    role: None,
                    organisation: None,
                    expires_on: None,
                },
                now,
            )
            .await
            .map(drop),
        Command::HelperBook => j
            .helper_book(
                &HelperBookRequest {
                    token: t(),
                    request: BookingRequest {
                        request_method: Some("phone".into()),
                        ..rhys_request(PM)
                    },
                },
                now,
            )
            .await
            .map(drop),
        Command::HelperBookings => j.helper_bookings(&StaffToken { token: t() }, now).await.map(drop),
        Command::StaffResolve => j
            .staff_resolve(
                &ResolveRequest {
                    token: t(),
                    reference: r(),
                    note: None,
                },
                now,
            )
            .await
            .map(drop),
    })
}

/// The permission each staff command needs, so a role's refusals can be predicted.
fn needs(command: Command) -> Option<Permission> {
    Some(match command {
        Command::StaffToday | Command::StaffPrintDay => Permission::TodaysVisits,
        Command::StaffMarkArrival => Permission::MarkArrivals,
        Command::StaffFind | Command::StaffBooking => Permission::FindBookings,
        Command::StaffReprint => Permission::ReprintSlips,
        Command::StaffSettings | Command::StaffSetPrinter => Permission::PrinterSettings,
        Command::StaffEnrol => Permission::EnrolmentSettings,
        Command::StaffMoveOptions | Command::StaffMove => Permission::CancelBookings,
        Command::StaffCancel => Permission::CancelBookings,
        Command::StaffReviewQueue | Command::StaffResolve => Permission::ReviewQueue,
        Command::StaffHealth | Command::StaffSyncNow | Command::StaffTestPrint => Permission::KioskHealth,
        Command::StaffAccounts | Command::StaffAccountChange => Permission::ManageStaff,
        Command::StaffSessions | Command::StaffClose => Permission::CloseSessions,
        Command::StaffSetTables => Permission::ChangeTables,
        Command::HelperBook => Permission::BookOnBehalf,
        Command::HelperBookings => Permission::OwnBookingsToday,
        _ => return None,
    })
}

#[tokio::test]
async fn every_staff_command_refuses_without_a_session_and_for_a_role_that_may_not_use_it() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();
    let helper = signed_in(&j, "1003").await;
    let reception = signed_in(&j, "1002").await;
    let supervisor = signed_in(&j, "1001").await;
    let mut checked = 0;
    for command in Command::ALL {
        let Some(nobody) = call(&j, *command, "0123456789abcdef0123456789abcdef", &reference).await else {
            continue;
        };
        checked += 1;
        assert_eq!(code(nobody.unwrap_err()), "not_signed_in", "{command:?}");
        let Some(permission) = needs(*command) else {
            continue;
        };
        for (token, role) in [
            (&helper, Role::Helper),
            (&reception, Role::Reception),
            (&supervisor, Role::Supervisor),
        ] {
            if role.may(permission) {
                continue;
            }
            let refused = call(&j, *command, token, &reference).await.unwrap();
            assert_eq!(
                code(refused.unwrap_err()),
                "not_allowed",
                "{command:?} as {role:?}"
            );
        }
    }
    assert!(checked >= 23, "{checked}");
    // Refused commands changed nothing.
    assert_eq!(
        store.booking(&visit.reference).await.unwrap().status,
        kiosk::BookingStatus::Booked
    );
}
