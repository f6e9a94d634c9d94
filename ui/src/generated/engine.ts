// Generated from the kiosk engine's Rust types (crates/kiosk/src/journey.rs and the domain
// types it uses) by crates/kiosk/tests/ui_types.rs with ts-rs. Do not edit: change the Rust
// types, then `npm --prefix ui run types`. CI fails when this file is stale.

/**
 * `staff_account_change`: `action` is `add`, `disable`, `enable`, `unlock` or `reset_pin`;
 * `name`, `role` (and for a helper `organisation` and `expires_on`) only for `add`.
 */
export type AccountChangeRequest = { token: string, action: string, staff_number: string, name?: string, role?: string, organisation?: string, expires_on?: string, };

export type AccountChangedAnswer = { account: AccountRow, 
/**
 * For `add` and `reset_pin`: the one-time PIN to give the person, shown once.
 */
one_time_pin?: string, };

export type AccountRow = { staff_number: string, name: string, role: "reception" | "supervisor" | "helper", must_change_pin: boolean, disabled: boolean, organisation?: string, expires_on?: string, 
/**
 * Locked after too many wrong PINs, until then.
 */
locked_until?: string, };

/**
 * `staff_mark_arrival`
 */
export type ArrivalRequest = { token: string, reference: string, attendance: "arrived" | "did_not_arrive", };

/**
 * A text in both of the kiosk's languages.
 */
export type Bilingual<T> = { en: T, cy: T, };

/**
 * The helper who actioned a booking, as the kiosk's engine fills it in.
 */
export type BookedByInput = { staff_number: string, name: string, organisation: string, };

export type BookedByView = { name: string, organisation: string, };

/**
 * Answer to `book`: what the confirmation screen shows. Visitors' dates of birth are left out
 * on purpose: the page needs only names.
 */
export type BookingConfirmation = { 
/**
 * As printed: `ABCD-EFGH`.
 */
reference: string, status: string, prisoner_number: string, date: string, start: string, end: string, arrive_by: string, room: string, kind: VisitKind, visitors: Array<VisitorName>, prison: PrisonInfo, 
/**
 * How it was asked for, who booked it, its main contact and support, as recorded.
 */
details: DetailsView, };

/**
 * `staff_booking`: a visit's page.
 */
export type BookingPage = { visit: VisitRow, end: string, room: string, visitors: Array<VisitorRow>, 
/**
 * Why the visit is rejected or cancelled (a code).
 */
status_reason?: string, 
/**
 * The staff number of who cancelled it.
 */
cancelled_by?: string, 
/**
 * Their name, when this kiosk holds the account of that number at its prison.
 */
cancelled_by_name?: string, 
/**
 * `this_kiosk`, `this_kiosk_online` or `elsewhere`.
 */
made: string, history: Array<HistoryRow>, can_cancel: boolean, can_mark_arrival: boolean, };

/**
 * A booking request as it arrives from a form or a script: nothing trusted yet.
 */
export type BookingRequest = { prison: string, prisoner: PrisonerInput, visitors: Array<VisitorInput>, session: string, 
/**
 * How the visit was asked for (`in_person`, `phone`, `by_prisoner`, `email`, `letter`,
 * `website`): a helper's booking only.
 */
request_method?: string | null, 
/**
 * The helper who booked: filled in by the kiosk's engine from the signed-in session, never
 * taken from the page.
 */
booked_by?: BookedByInput | null, 
/**
 * Who the prison tells if the visit changes; required when the visitor is not there.
 */
main_contact?: MainContactInput | null, support?: SupportInput | null, };

/**
 * `staff_cancel`
 */
export type CancelRequest = { token: string, reference: string, 
/**
 * `visitor_cancelled`, `establishment_cancelled`, `prisoner_cancelled`, `details_changed`,
 * `administrative_error`
 */
reason: string, 
/**
 * For `visitor_cancelled`: `in_person`, `phone`, `email` or `website`.
 */
how?: string, note?: string, 
/**
 * Print a cancellation slip, for a visitor who is here.
 */
print_slip: boolean, lang: Language, };

export type Cancelled = { page: BookingPage, 
/**
 * Whether the cancellation slip printed, when one was asked for.
 */
printed: boolean, 
/**
 * Why it did not print (a code): the cancellation stands either way.
 */
print_error?: string, };

/**
 * `staff_change_pin`: the current PIN is not asked for right after a first sign-in or a reset.
 */
export type ChangePinRequest = { token: string, current_pin?: string, new_pin: string, };

/**
 * `staff_close`: one session (`session`) or every session of a date (`date`), one of the two.
 */
export type CloseSessionsRequest = { token: string, session?: string, date?: string, 
/**
 * `lockdown`, `staff_shortage`, `maintenance` or `other`
 */
reason: string, note?: string, };

/**
 * Someone on the prisoner's approved list, as the visitors screen offers them: first name and
 * last initial ("Siân E."), enough for a family to know its own, too little for a stranger who
 * knows a prisoner's details to learn who visits them. Dates of birth and bans stay in the
 * store: picking by id is enough.
 */
export type ContactChoice = { id: string, name: string, };

export type ContactView = { name: string, 
/**
 * As a UK caller dials it: `07911 123456`.
 */
phone: string, email?: string, 
/**
 * `en` or `cy`
 */
language: string, };

export type DayPrinted = { date: string, 
/**
 * Visits on the sheet.
 */
visits: number, };

/**
 * `staff_today`: the visits of a day, today when `date` is absent.
 */
export type DayRequest = { token: string, date?: string, };

export type DaySessionView = { 
/**
 * `TEMPLATE/YYYY-MM-DD`
 */
id: string, start: string, end: string, room: string, 
/**
 * Why the session is closed that day; absent when it is open.
 */
closed_reason?: string, 
/**
 * Tables taken of each kind of visit (open, closed), of the session's capacity.
 */
tables: Array<TablesUsed>, 
/**
 * Live visits in the session, and how many of them were marked arrived.
 */
expected: number, arrived: number, visits: Array<VisitRow>, };

export type DayVisits = { date: string, 
/**
 * The prison's date now, for the page's "today" button.
 */
today: string, sessions: Array<DaySessionView>, };

/**
 * A booking's details as the screens show them; codes for the page to translate.
 */
export type DetailsView = { 
/**
 * `in_person`, `phone`, `by_prisoner`, `email`, `letter`, `website`
 */
request_method?: string, booked_by?: BookedByView, main_contact?: ContactView, 
/**
 * `wheelchair`, `hearing_loop`, `someone_to_help`, `other`
 */
support: Array<string>, 
/**
 * What "other" support is needed.
 */
support_other?: string, };

/**
 * An answer with nothing to say but that it worked.
 */
export type Done = { done: boolean, };

/**
 * `staff_enrol`: central's address and the one-time enrolment code its operator gave.
 */
export type EnrolRequest = { token: string, central_url: string, code: string, };

/**
 * `visitor_find_booking`: the reference and the lead visitor's date of birth, `YYYY-MM-DD`.
 */
export type FindBookingRequest = { reference: string, date_of_birth: string, };

/**
 * `staff_find`: a reference, a prisoner number or a visitor's surname.
 */
export type FindRequest = { token: string, query: string, };

export type FoundVisits = { 
/**
 * How the query was read: `reference`, `prisoner_number` or `surname`.
 */
searched_by: string, visits: Array<VisitRow>, 
/**
 * More matched than the page lists: type more to narrow it.
 */
more: boolean, };

/**
 * `helper_book`: the helper's session and the booking as the journey built it.
 */
export type HelperBookRequest = { token: string, request: BookingRequest, };

/**
 * `helper_bookings`: the visits this helper booked on this kiosk today.
 */
export type HelperBookings = { visits: Array<VisitRow>, };

export type HistoryRow = { at: string, 
/**
 * `made`, `synced`, `refused`, `arrival_refused`, `cancelled`, `arrival`, `printed`,
 * `reviewed`, `cancelled_elsewhere`
 */
kind: string, 
/**
 * The staff number of who did it.
 */
by?: string, 
/**
 * Their name, when this kiosk holds the account of that number at its prison.
 */
by_name?: string, detail?: string, };

/**
 * `journey_ended`'s answer.
 */
export type JourneyEnded = { 
/**
 * This journey was the last before the page's web process is renewed.
 */
renew_page: boolean, };

export type KioskHealth = { enrolled: boolean, central_url?: string, 
/**
 * The last round that reached central, and how long ago.
 */
last_sync?: string, last_sync_age_seconds?: bigint, 
/**
 * Why the last round failed, when it did.
 */
last_error?: string, 
/**
 * Changes made here that central has not heard of yet.
 */
events_waiting: bigint, 
/**
 * Visits recorded as requests, waiting for central's decision.
 */
requests_waiting: bigint, printer: PrinterHealth, app_version: string, store_version: bigint, free_disk_bytes?: number, };

/**
 * Answer to `kiosk_info`: what the start screen and the idle timer need.
 */
export type KioskInfo = { prison: PrisonInfo, party: PartyLimits, has_contact_list: boolean, idle_timeout_seconds: number, arrive_minutes_before: number, 
/**
 * The prison's local date: the UI shows dates relative to it, never to the browser's clock.
 */
today: string, first_bookable_date: string, last_bookable_date: string, 
/**
 * Night blanking (`[screen]` in kiosk.toml): the prison's local time is in the dark hours,
 * so the start screen, left alone, shows black until a touch. Asked again by the page
 * while nobody uses it.
 */
screen_dark: boolean, };

export type KioskSettings = { 
/**
 * The queue slips print on, and its paper; absent when none is set.
 */
queue?: string, paper?: "receipt" | "a4", 
/**
 * The CUPS queues on this machine; empty when CUPS cannot be asked (`queues_error` says why).
 */
queues: Array<string>, queues_error?: string, enrolled: boolean, central_url?: string, kiosk_id?: string, prisons: Array<string>, };

/**
 * The language a slip is printed in: the one the visitor chose at the kiosk.
 */
export type Language = "en" | "cy";

/**
 * The main contact as typed.
 */
export type MainContactInput = { 
/**
 * A listed visitor's name or someone else's: first name and surname.
 */
name: string, 
/**
 * A UK number, as typed (`07911 123456`, `+44 7911 123456`).
 */
phone: string, 
/**
 * Optional.
 */
email: string, 
/**
 * `en` or `cy`.
 */
language: string, };

/**
 * `visitor_cancel_booking` and `visitor_reprint`: the pair again, and the slip's language.
 */
export type ManageBookingRequest = { reference: string, date_of_birth: string, lang: Language, };

/**
 * A visit as its visitor may see it: no dates of birth, no surnames beyond an initial.
 */
export type ManagedBooking = { reference: string, 
/**
 * `requested`, `booked`, `rejected`, `cancelled`, `withdrawn`
 */
status: string, date: string, start: string, end: string, arrive_by: string, room: string, kind: "open" | "closed", 
/**
 * First name and the initial of the last name: "Siân E.".
 */
visitors: Array<string>, 
/**
 * Still booked (or requested) and not in the past.
 */
can_cancel: boolean, prison: PrisonInfo, };

/**
 * `staff_move`: the visit and the session to move it to (`TEMPLATE/YYYY-MM-DD`).
 */
export type MoveRequest = { token: string, reference: string, session: string, };

export type Moved = { 
/**
 * The old visit's reference, now cancelled (or still refused) and out of the review queue.
 */
from: string, 
/**
 * The new visit, as a visitor's confirmation shows it.
 */
to: BookingConfirmation, };

/**
 * Answer to `check_visitors`: the party with picked contacts' names filled in, for the
 * check-your-answers screen.
 */
export type PartyChecked = { visitors: Array<VisitorName>, };

/**
 * The party limits the visitors screen explains and enforces in its "add visitor" button.
 */
export type PartyLimits = { max_visitors: number, max_adults: number, max_children: number, 
/**
 * Visitors this old or older count as adults for seating.
 */
adult_age: number, 
/**
 * The lead visitor must be this old, whatever `adult_age` is.
 */
lead_visitor_age: number, };

/**
 * The arguments of `check_visitors` and `available_sessions`: the prisoner again (the backend
 * trusts nothing the page remembers) and the party.
 */
export type PartyRequest = { prisoner: PrisonerInput, visitors: Array<VisitorInput>, };

/**
 * `staff_print_day`: the day's list or its visit passes, on A4.
 */
export type PrintDayRequest = { token: string, 
/**
 * Today when absent.
 */
date?: string, what: "list" | "passes", lang: Language, };

export type PrinterHealth = { queue?: string, paper?: string, 
/**
 * `ready`, or the printer's fault as a code (`printer_not_configured`, `printer_offline`...).
 */
state: string, };

/**
 * `staff_set_printer`
 */
export type PrinterRequest = { token: string, queue: string, paper: "receipt" | "a4", };

export type PrisonInfo = { code: string, name: Bilingual<string>, address: Bilingual<Array<string>>, };

/**
 * Answer to `check_prisoner`. `contacts` is absent where the prison keeps no approved list
 * (anyone may then be typed in).
 */
export type PrisonerChecked = { prisoner_number: string, contacts?: Array<ContactChoice> | null, };

export type PrisonerInput = { number: string, date_of_birth: string, surname: string, };

/**
 * `staff_reprint`: the slip again, on the kiosk's roll or on A4.
 */
export type ReprintRequest = { token: string, reference: string, lang: Language, 
/**
 * `receipt` (the kiosk's 80 mm roll) or `a4`; the printer's own paper when absent.
 */
paper?: "receipt" | "a4", };

/**
 * `staff_resolve`: the visitor has been told.
 */
export type ResolveRequest = { token: string, reference: string, note?: string, };

/**
 * `staff_review_queue`
 */
export type ReviewQueue = { visits: Array<VisitRow>, };

/**
 * Answer to `available_sessions`: bookable sessions grouped by day, earliest first. Empty
 * `days` means nothing can be booked in the window; the UI says so in plain words.
 */
export type SessionChoice = { days: Array<SessionDay>, first_date: string, last_date: string, };

export type SessionDay = { date: string, sessions: Array<SessionOption>, };

/**
 * One session the visitors can choose, with times as `HH:MM` in the prison's local time.
 */
export type SessionOption = { id: string, start: string, end: string, arrive_by: string, room: string, 
/**
 * The kind of table this prisoner needs on that date: closed under a restriction.
 */
kind: VisitKind, tables_left: number, };

export type SessionSummary = { 
/**
 * `TEMPLATE/YYYY-MM-DD`
 */
id: string, date: string, start: string, end: string, room: string, 
/**
 * Why the session is closed; absent when it is open.
 */
closed_reason?: string, tables: Array<SessionTablesRow>, };

/**
 * One kind of table of a session.
 */
export type SessionTablesRow = { kind: "open" | "closed", 
/**
 * Live visits known here (this kiosk's and those pulled from central).
 */
booked: number, 
/**
 * Tables held in kiosks' shares for offline bookings, as central last said.
 */
held: number, 
/**
 * The tables the session has: a supervisor's number when changed, else the template's.
 */
capacity: number, template_capacity: number, };

/**
 * What a closure closed, and the visits it put in the review queue.
 */
export type SessionsClosed = { date: string, 
/**
 * The sessions closed (`TEMPLATE/YYYY-MM-DD`), in time order.
 */
sessions: Array<string>, reason: string, 
/**
 * References of the visits booked into them, now in the review queue.
 */
in_review: Array<string>, };

/**
 * `staff_sessions`: the sessions of the coming four weeks, today's first.
 */
export type SessionsOverview = { from: string, to: string, sessions: Array<SessionSummary>, };

/**
 * `staff_set_tables`: a session date's tables of one kind, never fewer than are taken.
 */
export type SetTablesRequest = { token: string, session: string, kind: "open" | "closed", tables: number, note?: string, };

/**
 * Answer to `print_slip` when the slip has gone to the printer. The reference is echoed so
 * the confirmation screen can keep showing it; the CUPS job id goes to the log, not the visitor.
 */
export type SlipPrinted = { reference: string, lang: Language, };

/**
 * The argument of `print_slip`.
 */
export type SlipRequest = { reference: string, 
/**
 * The language the visitor is using, so the slip matches the screen. Older callers that
 * send no language get English.
 */
lang: Language, };

export type StaffAccounts = { accounts: Array<AccountRow>, };

/**
 * `staff_sign_in`: a staff number and PIN typed on the keypad.
 */
export type StaffSignInRequest = { staff_number: string, pin: string, };

/**
 * What the page may show of who is signed in. `may` lists the permissions of the role, so the
 * page offers only screens the engine would allow; the engine checks again on every command.
 */
export type StaffSignedIn = { token: string, staff_number: string, name: string, role: "reception" | "supervisor" | "helper", 
/**
 * Choose a new PIN before anything else (a first sign-in, or after a reset).
 */
must_change_pin: boolean, 
/**
 * Signed out after this long without a touch.
 */
idle_timeout_seconds: number, may: Array<string>, 
/**
 * A helper's organisation, for the helper's home and "Booked for you by ...".
 */
organisation?: string, };

/**
 * Any staff command that needs only the session.
 */
export type StaffToken = { token: string, };

/**
 * Additional support as ticked.
 */
export type SupportInput = { 
/**
 * `wheelchair`, `hearing_loop`, `someone_to_help`, `other`
 */
needs: Array<string>, 
/**
 * What is needed, when `other` is ticked.
 */
other: string, };

export type TablesSet = { session: string, kind: "open" | "closed", tables: number, template_tables: number, 
/**
 * Booked, and held in kiosks' shares, at central now.
 */
booked: number, held: number, };

export type TablesUsed = { kind: "open" | "closed", used: number, capacity: number, };

/**
 * One error as the UI receives it: a stable code to translate, the form field it belongs to
 * (`visitors[0].date_of_birth`; absent for errors about the whole page) and the values the
 * translated message needs (`{"max": "3"}`).
 */
export type UiError = { code: string, field?: string | null, params: { [key in string]: string }, };

/**
 * What every command answers on failure: `{ "errors": [ ... ] }`, in the order of the form's
 * fields, never empty.
 */
export type UiErrors = { errors: Array<UiError>, };

/**
 * Whether a visit happens across an open table or in a closed room behind a screen.
 */
export type VisitKind = "open" | "closed";

/**
 * A command about one visit.
 */
export type VisitRequest = { token: string, reference: string, };

/**
 * One visit in a list.
 */
export type VisitRow = { reference: string, 
/**
 * `requested`, `booked`, `rejected`, `cancelled`, `withdrawn`
 */
status: string, date: string, start: string, kind: "open" | "closed", lead_visitor: string, 
/**
 * Absent when the prisoner has left this prison's roll.
 */
prisoner_name?: string, prisoner_number: string, adults: number, children: number, attendance?: "arrived" | "did_not_arrive", 
/**
 * Why staff should look at it; absent when there is nothing to review.
 */
review?: string, 
/**
 * Booked on this kiosk (its slip is held here in full).
 */
made_here: boolean, 
/**
 * The helper who booked it, its main contact and the support its visitors need.
 */
details: DetailsView, };

/**
 * `visitor_cancel_booking`: the visit as it is now, and whether the cancellation slip printed.
 */
export type VisitorCancelled = { booking: ManagedBooking, printed: boolean, 
/**
 * Why the slip did not print (a code): the cancellation stands either way.
 */
print_error?: string, };

export type VisitorInput = { 
/**
 * Set when the visitor was picked from the prisoner's contact list: the names and date of
 * birth then come from the list, not from what was typed.
 */
contact_id?: string | null, first_name: string, last_name: string, date_of_birth: string, };

export type VisitorName = { first_name: string, last_name: string, };

export type VisitorRow = { first_name: string, last_name: string, date_of_birth?: string, adult: boolean, };

/** Every command of the engine (kiosk::journey::Command): what it takes and what it answers. */
export type Commands = {
  kiosk_info: { request: null; answer: KioskInfo };
  journey_ended: { request: null; answer: JourneyEnded };
  check_prisoner: { request: PrisonerInput; answer: PrisonerChecked };
  check_visitors: { request: PartyRequest; answer: PartyChecked };
  available_sessions: { request: PartyRequest; answer: SessionChoice };
  book: { request: BookingRequest; answer: BookingConfirmation };
  print_slip: { request: SlipRequest; answer: SlipPrinted };
  staff_sign_in: { request: StaffSignInRequest; answer: StaffSignedIn };
  staff_sign_out: { request: StaffToken; answer: Done };
  staff_change_pin: { request: ChangePinRequest; answer: Done };
  staff_today: { request: DayRequest; answer: DayVisits };
  staff_mark_arrival: { request: ArrivalRequest; answer: VisitRow };
  staff_find: { request: FindRequest; answer: FoundVisits };
  staff_booking: { request: VisitRequest; answer: BookingPage };
  staff_reprint: { request: ReprintRequest; answer: SlipPrinted };
  staff_cancel: { request: CancelRequest; answer: Cancelled };
  staff_print_day: { request: PrintDayRequest; answer: DayPrinted };
  staff_review_queue: { request: StaffToken; answer: ReviewQueue };
  staff_move_options: { request: VisitRequest; answer: SessionChoice };
  staff_move: { request: MoveRequest; answer: Moved };
  staff_resolve: { request: ResolveRequest; answer: VisitRow };
  staff_health: { request: StaffToken; answer: KioskHealth };
  staff_sync_now: { request: StaffToken; answer: KioskHealth };
  staff_test_print: { request: StaffToken; answer: Done };
  staff_settings: { request: StaffToken; answer: KioskSettings };
  staff_set_printer: { request: PrinterRequest; answer: KioskSettings };
  staff_enrol: { request: EnrolRequest; answer: Done };
  staff_accounts: { request: StaffToken; answer: StaffAccounts };
  staff_account_change: { request: AccountChangeRequest; answer: AccountChangedAnswer };
  staff_sessions: { request: StaffToken; answer: SessionsOverview };
  staff_close: { request: CloseSessionsRequest; answer: SessionsClosed };
  staff_set_tables: { request: SetTablesRequest; answer: TablesSet };
  visitor_find_booking: { request: FindBookingRequest; answer: ManagedBooking };
  visitor_reprint: { request: ManageBookingRequest; answer: SlipPrinted };
  visitor_cancel_booking: { request: ManageBookingRequest; answer: VisitorCancelled };
  helper_book: { request: HelperBookRequest; answer: BookingConfirmation };
  helper_bookings: { request: StaffToken; answer: HelperBookings };
};

export type Command = keyof Commands;
