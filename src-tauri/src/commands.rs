//! The commands the web front end may call. Each is a one-line adapter over `kiosk::journey`:
//! the rules, the store and the error codes all live there, so the same functions serve the
//! browser dev server and its tests. Failures reach the page as `{ "errors": [{ "code", "field",
//! "params" }] }` with stable codes, never as SQL or file paths.
//!
//! Arguments come from `invoke(command, { request })`: Tauri matches the object's keys to the
//! parameter names below.

use chrono::Utc;
use domain::{BookingRequest, PrisonerInput};
use kiosk::journey::{
    BookingConfirmation, Journey, KioskInfo, PartyChecked, PartyRequest, PrisonerChecked, SessionChoice,
    SlipPrinted, SlipRequest, UiResult,
};
use tauri::State;

#[tauri::command]
pub async fn kiosk_info(journey: State<'_, Journey>) -> UiResult<KioskInfo> {
    journey.kiosk_info(Utc::now()).await
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

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        kiosk_info,
        check_prisoner,
        check_visitors,
        available_sessions,
        book,
        print_slip
    ]
}
