//! The commands the web front end may call. Each is a one-line adapter over `kiosk::journey`:
//! the rules, the store and the error codes all live there, so the same functions serve the
//! browser dev server and its tests. Failures reach the page as `{ "errors": [{ "code", "field",
//! "params" }] }` with stable codes, never as SQL or file paths.
//!
//! Arguments come from `invoke(command, { request })`: Tauri matches the object's keys to the
//! parameter names below.

use chrono::Utc;
use domain::{BookingRequest, PrisonerInput};
// Every request and answer type of the journey, as the functions below name them.
use kiosk::journey::*;
use tauri::State;

#[tauri::command]
pub async fn kiosk_info(journey: State<'_, Journey>) -> UiResult<KioskInfo> {
    journey.kiosk_info(Utc::now()).await
}

#[tauri::command]
pub async fn journey_ended(journey: State<'_, Journey>, webview: tauri::Webview) -> UiResult<JourneyEnded> {
    crate::web_process::renew_when_due(journey.journey_ended(), &webview)
}

#[tauri::command]
pub async fn check_prisoner(
    journey: State<'_, Journey>,
    request: PrisonerInput,
) -> UiResult<PrisonerChecked> {
    journey.check_prisoner(&request, Utc::now()).await
}

#[tauri::command]
pub async fn check_visitors(journey: State<'_, Journey>, request: PartyRequest) -> UiResult<PartyChecked> {
    journey.check_visitors(&request, Utc::now()).await
}

#[tauri::command]
pub async fn available_sessions(
    journey: State<'_, Journey>,
    request: PartyRequest,
) -> UiResult<SessionChoice> {
    journey.available_sessions(&request, Utc::now()).await
}

#[tauri::command]
pub async fn book(journey: State<'_, Journey>, request: BookingRequest) -> UiResult<BookingConfirmation> {
    journey.book(&request, Utc::now()).await
}

#[tauri::command]
pub async fn print_slip(journey: State<'_, Journey>, request: SlipRequest) -> UiResult<SlipPrinted> {
    journey.print_slip(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_sign_in(
    journey: State<'_, Journey>,
    request: StaffSignInRequest,
) -> UiResult<StaffSignedIn> {
    journey.staff_sign_in(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_sign_out(journey: State<'_, Journey>, request: StaffToken) -> UiResult<Done> {
    journey.staff_sign_out(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_change_pin(journey: State<'_, Journey>, request: ChangePinRequest) -> UiResult<Done> {
    journey.staff_change_pin(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_today(journey: State<'_, Journey>, request: DayRequest) -> UiResult<DayVisits> {
    journey.staff_today(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_mark_arrival(journey: State<'_, Journey>, request: ArrivalRequest) -> UiResult<VisitRow> {
    journey.staff_mark_arrival(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_find(journey: State<'_, Journey>, request: FindRequest) -> UiResult<FoundVisits> {
    journey.staff_find(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_booking(journey: State<'_, Journey>, request: VisitRequest) -> UiResult<BookingPage> {
    journey.staff_booking(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_reprint(journey: State<'_, Journey>, request: ReprintRequest) -> UiResult<SlipPrinted> {
    journey.staff_reprint(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_cancel(journey: State<'_, Journey>, request: CancelRequest) -> UiResult<Cancelled> {
    journey.staff_cancel(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_review_queue(journey: State<'_, Journey>, request: StaffToken) -> UiResult<ReviewQueue> {
    journey.staff_review_queue(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_resolve(journey: State<'_, Journey>, request: ResolveRequest) -> UiResult<VisitRow> {
    journey.staff_resolve(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_health(journey: State<'_, Journey>, request: StaffToken) -> UiResult<KioskHealth> {
    journey.staff_health(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_sync_now(journey: State<'_, Journey>, request: StaffToken) -> UiResult<KioskHealth> {
    journey.staff_sync_now(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_test_print(journey: State<'_, Journey>, request: StaffToken) -> UiResult<Done> {
    journey.staff_test_print(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_accounts(journey: State<'_, Journey>, request: StaffToken) -> UiResult<StaffAccounts> {
    journey.staff_accounts(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_account_change(
    journey: State<'_, Journey>,
    request: AccountChangeRequest,
) -> UiResult<AccountChangedAnswer> {
    journey.staff_account_change(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_sessions(journey: State<'_, Journey>, request: StaffToken) -> UiResult<SessionsOverview> {
    journey.staff_sessions(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_close(
    journey: State<'_, Journey>,
    request: CloseSessionsRequest,
) -> UiResult<SessionsClosed> {
    journey.staff_close(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_set_tables(journey: State<'_, Journey>, request: SetTablesRequest) -> UiResult<TablesSet> {
    journey.staff_set_tables(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_print_day(journey: State<'_, Journey>, request: PrintDayRequest) -> UiResult<DayPrinted> {
    journey.staff_print_day(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_move_options(
    journey: State<'_, Journey>,
    request: VisitRequest,
) -> UiResult<SessionChoice> {
    journey.staff_move_options(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_move(journey: State<'_, Journey>, request: MoveRequest) -> UiResult<Moved> {
    journey.staff_move(&request, Utc::now()).await
}

#[tauri::command]
pub async fn visitor_find_booking(
    journey: State<'_, Journey>,
    request: FindBookingRequest,
) -> UiResult<ManagedBooking> {
    journey.visitor_find_booking(&request, Utc::now()).await
}

#[tauri::command]
pub async fn visitor_reprint(
    journey: State<'_, Journey>,
    request: ManageBookingRequest,
) -> UiResult<SlipPrinted> {
    journey.visitor_reprint(&request, Utc::now()).await
}

#[tauri::command]
pub async fn visitor_cancel_booking(
    journey: State<'_, Journey>,
    request: ManageBookingRequest,
) -> UiResult<VisitorCancelled> {
    journey.visitor_cancel_booking(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_settings(journey: State<'_, Journey>, request: StaffToken) -> UiResult<KioskSettings> {
    journey.staff_settings(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_set_printer(
    journey: State<'_, Journey>,
    request: PrinterRequest,
) -> UiResult<KioskSettings> {
    journey.staff_set_printer(&request, Utc::now()).await
}

#[tauri::command]
pub async fn staff_enrol(journey: State<'_, Journey>, request: EnrolRequest) -> UiResult<Done> {
    journey.staff_enrol(&request, Utc::now()).await
}

#[tauri::command]
pub async fn helper_book(
    journey: State<'_, Journey>,
    request: HelperBookRequest,
) -> UiResult<BookingConfirmation> {
    journey.helper_book(&request, Utc::now()).await
}

#[tauri::command]
pub async fn helper_bookings(journey: State<'_, Journey>, request: StaffToken) -> UiResult<HelperBookings> {
    journey.helper_bookings(&request, Utc::now()).await
}

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        kiosk_info,
        journey_ended,
        check_prisoner,
        check_visitors,
        available_sessions,
        book,
        print_slip,
        staff_sign_in,
        staff_sign_out,
        staff_change_pin,
        staff_today,
        staff_mark_arrival,
        staff_find,
        staff_booking,
        staff_reprint,
        staff_cancel,
        staff_review_queue,
        staff_resolve,
        staff_health,
        staff_sync_now,
        staff_test_print,
        staff_accounts,
        staff_account_change,
        staff_sessions,
        staff_close,
        staff_set_tables,
        staff_print_day,
        staff_move_options,
        staff_move,
        visitor_find_booking,
        visitor_reprint,
        visitor_cancel_booking,
        staff_settings,
        staff_set_printer,
        staff_enrol,
        helper_book,
        helper_bookings
    ]
}
