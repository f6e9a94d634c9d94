//! The commands the UI may call, named once, with what each takes and answers.
//!
//! Every other list of commands is checked against [`Command::ALL`]: `kiosk-web` routes by
//! [`Command::parse`] and a `match` the compiler holds to every variant; the UI's TypeScript
//! (`ui/src/generated/engine.ts`) is generated from it (`tests/ui_types.rs` fails when that file
//! is stale); and `kiosk-web/tests/commands.rs` fails when the Tauri shell's handler, its build
//! script or its capability file lacks a command or has one too many.

use super::{
    AccountChangeRequest, AccountChangedAnswer, ArrivalRequest, BookingConfirmation, BookingPage,
    CancelRequest, Cancelled, ChangePinRequest, CloseSessionsRequest, DayPrinted, DayRequest, DayVisits,
    Done, EnrolRequest, FindBookingRequest, FindRequest, FoundVisits, HelperBookRequest, HelperBookings,
    JourneyEnded, KioskHealth, KioskInfo, KioskSettings, ManageBookingRequest, ManagedBooking, MoveRequest,
    Moved, PartyChecked, PartyRequest, PrintDayRequest, PrinterRequest, PrisonerChecked, ReprintRequest,
    ResolveRequest, ReviewQueue, SessionChoice, SessionsClosed, SessionsOverview, SetTablesRequest,
    SlipPrinted, SlipRequest, StaffAccounts, StaffSignInRequest, StaffSignedIn, StaffToken, TablesSet,
    VisitRequest, VisitRow, VisitorCancelled,
};
use domain::{BookingRequest, PrisonerInput};

macro_rules! commands {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $request:ty => $answer:ty; )*) => {
        /// A command of the kiosk engine, one per method of [`super::Journey`] the UI calls.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Command {
            /// Every command, in the order the UI's generated types list them.
            pub const ALL: &'static [Command] = &[$(Command::$variant),*];

            /// The command's one name: the Tauri command, the `kiosk-web` route
            /// (`POST /api/<name>`) and the key of the UI's `Commands` type.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Command::$variant => $name,)*
                }
            }

            /// The TypeScript names of what the command takes and what it answers (`null` for
            /// no argument).
            pub fn typescript(self, cfg: &ts_rs::Config) -> (String, String) {
                match self {
                    $(Command::$variant => (
                        <$request as ts_rs::TS>::name(cfg),
                        <$answer as ts_rs::TS>::name(cfg),
                    ),)*
                }
            }

            /// Visits every type the commands take and answer, to generate the UI's types.
            pub fn visit_types(visitor: &mut impl ts_rs::TypeVisitor) {
                $( visitor.visit::<$request>(); visitor.visit::<$answer>(); )*
            }
        }
    };
}

commands! {
    /// The prison, its rules and the idle timeout: what the start screen needs.
    KioskInfo = "kiosk_info", () => KioskInfo;
    /// A visitor's journey ended (Finish or the idle reset): the page may be renewed.
    JourneyEnded = "journey_ended", () => JourneyEnded;
    /// Identifies the prisoner; answers with the contact list where the prison keeps one.
    CheckPrisoner = "check_prisoner", PrisonerInput => PrisonerChecked;
    /// Checks the party against the prison's rules.
    CheckVisitors = "check_visitors", PartyRequest => PartyChecked;
    /// The visit times this party could book, by day.
    AvailableSessions = "available_sessions", PartyRequest => SessionChoice;
    /// Books the visit.
    Book = "book", BookingRequest => BookingConfirmation;
    /// Prints the booking's slip on the kiosk's printer.
    PrintSlip = "print_slip", SlipRequest => SlipPrinted;
    /// Signs a member of staff in with their staff number and PIN.
    StaffSignIn = "staff_sign_in", StaffSignInRequest => StaffSignedIn;
    /// Ends a staff session.
    StaffSignOut = "staff_sign_out", StaffToken => Done;
    /// Chooses a new PIN.
    StaffChangePin = "staff_change_pin", ChangePinRequest => Done;
    /// The sessions and visits of a day (reception).
    StaffToday = "staff_today", DayRequest => DayVisits;
    /// Marks a visit's visitors arrived or not.
    StaffMarkArrival = "staff_mark_arrival", ArrivalRequest => VisitRow;
    /// Finds visits by reference, prisoner number or surname.
    StaffFind = "staff_find", FindRequest => FoundVisits;
    /// A visit's page: visitors, status, how it was made, its history.
    StaffBooking = "staff_booking", VisitRequest => BookingPage;
    /// Prints a visit's slip again, on the roll or on A4.
    StaffReprint = "staff_reprint", ReprintRequest => SlipPrinted;
    /// Cancels a visit for a reason, with a note, printing a cancellation slip if asked.
    StaffCancel = "staff_cancel", CancelRequest => Cancelled;
    /// Prints the day's list or its visit passes on A4.
    StaffPrintDay = "staff_print_day", PrintDayRequest => DayPrinted;
    /// Visits waiting for central, refused by it, or hit by a closure.
    StaffReviewQueue = "staff_review_queue", StaffToken => ReviewQueue;
    /// The sessions a visit's party could move to.
    StaffMoveOptions = "staff_move_options", VisitRequest => SessionChoice;
    /// Moves a visit to another session: books the new one, cancels the old, closes its review.
    StaffMove = "staff_move", MoveRequest => Moved;
    /// Closes a visit's review: the visitor has been told.
    StaffResolve = "staff_resolve", ResolveRequest => VisitRow;
    /// The kiosk's health: sync, waiting changes, printer, versions, disk.
    StaffHealth = "staff_health", StaffToken => KioskHealth;
    /// A sync round now, then the kiosk's health.
    StaffSyncNow = "staff_sync_now", StaffToken => KioskHealth;
    /// A test page on the kiosk's printer.
    StaffTestPrint = "staff_test_print", StaffToken => Done;
    /// The kiosk's printer and enrolment (supervisor).
    StaffSettings = "staff_settings", StaffToken => KioskSettings;
    /// Sets the CUPS queue and paper slips print on (supervisor).
    StaffSetPrinter = "staff_set_printer", PrinterRequest => KioskSettings;
    /// Enrols a kiosk that works alone with central (supervisor).
    StaffEnrol = "staff_enrol", EnrolRequest => Done;
    /// The prison's staff accounts (supervisor).
    StaffAccounts = "staff_accounts", StaffToken => StaffAccounts;
    /// Adds, disables, enables, unlocks an account or resets its PIN (supervisor).
    StaffAccountChange = "staff_account_change", AccountChangeRequest => AccountChangedAnswer;
    /// The coming four weeks' sessions with tables booked of capacity (supervisor).
    StaffSessions = "staff_sessions", StaffToken => SessionsOverview;
    /// Closes a session or a whole day at central (supervisor; online only).
    StaffClose = "staff_close", CloseSessionsRequest => SessionsClosed;
    /// Changes a session date's tables of one kind at central (supervisor; online only).
    StaffSetTables = "staff_set_tables", SetTablesRequest => TablesSet;
    /// A visitor finds their booking by its reference and the lead visitor's date of birth.
    VisitorFindBooking = "visitor_find_booking", FindBookingRequest => ManagedBooking;
    /// A visitor reprints their slip (the pair checked again).
    VisitorReprint = "visitor_reprint", ManageBookingRequest => SlipPrinted;
    /// A visitor cancels their visit and gets a cancellation slip (the pair checked again).
    VisitorCancelBooking = "visitor_cancel_booking", ManageBookingRequest => VisitorCancelled;
    /// Books on someone's behalf, as the signed-in helper.
    HelperBook = "helper_book", HelperBookRequest => BookingConfirmation;
    /// The visits the signed-in helper booked today.
    HelperBookings = "helper_bookings", StaffToken => HelperBookings;
}

impl Command {
    /// The command with this name, if there is one.
    pub fn parse(name: &str) -> Option<Command> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::Command;

    #[test]
    fn names_are_unique_and_parse_back() {
        assert!(!Command::ALL.is_empty());
        for (i, c) in Command::ALL.iter().enumerate() {
            assert_eq!(Command::parse(c.name()), Some(*c));
            assert!(!Command::ALL[..i].iter().any(|o| o.name() == c.name()), "{c:?}");
            // Tauri command names and routes are snake_case identifiers.
            assert!(
                c.name().chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'),
                "{c:?}"
            );
        }
        assert_eq!(Command::parse("drop_tables"), None);
        assert_eq!(Command::parse("Book"), None);
    }
}
