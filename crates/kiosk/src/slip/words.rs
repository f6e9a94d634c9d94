//! What a slip says, in the visitor's language: dates and times in words and the wording of
//! every line. Where each line goes is `layout.rs`'s job.

use super::Language;
use crate::store::{BookingStatus, BookingView, Prison};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc, Weekday};
use domain::{AdditionalSupport, SupportNeed, VisitKind};

pub(super) fn day_name(day: Weekday, lang: Language) -> &'static str {
    use Weekday::*;
    match lang {
        Language::English => match day {
            Mon => "Monday",
            Tue => "Tuesday",
            Wed => "Wednesday",
            Thu => "Thursday",
            Fri => "Friday",
            Sat => "Saturday",
            Sun => "Sunday",
        },
        Language::Welsh => match day {
            Mon => "Dydd Llun",
            Tue => "Dydd Mawrth",
            Wed => "Dydd Mercher",
            Thu => "Dydd Iau",
            Fri => "Dydd Gwener",
            Sat => "Dydd Sadwrn",
            Sun => "Dydd Sul",
        },
    }
}

pub(super) fn month_name(month: u32, lang: Language) -> &'static str {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const CY: [&str; 12] = [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ];
    let names = match lang {
        Language::English => &EN,
        Language::Welsh => &CY,
    };
    names[(month.clamp(1, 12) - 1) as usize]
}

/// "28 November 2026" / "28 Tachwedd 2026".
pub fn date_in_words(date: NaiveDate, lang: Language) -> String {
    format!(
        "{} {} {}",
        date.day(),
        month_name(date.month(), lang),
        date.year()
    )
}

/// "Saturday 28 November 2026" / "Dydd Sadwrn 28 Tachwedd 2026".
pub fn day_and_date_in_words(date: NaiveDate, lang: Language) -> String {
    format!("{} {}", day_name(date.weekday(), lang), date_in_words(date, lang))
}

/// "2:00pm" / "2:00yp": the 12-hour clock people read on GOV.UK letters (Welsh: yb = y bore,
/// yp = y prynhawn).
pub fn time_in_words(time: NaiveTime, lang: Language) -> String {
    let (pm, hour) = time.hour12();
    let suffix = match (lang, pm) {
        (Language::English, false) => "am",
        (Language::English, true) => "pm",
        (Language::Welsh, false) => "yb",
        (Language::Welsh, true) => "yp",
    };
    format!("{hour}:{:02}{suffix}", time.minute())
}

/// "Saturday 28 November 2026, 2:00pm to 4:00pm".
pub fn visit_time_in_words(date: NaiveDate, start: NaiveTime, end: NaiveTime, lang: Language) -> String {
    let to = match lang {
        Language::English => "to",
        Language::Welsh => "i",
    };
    format!(
        "{}, {} {to} {}",
        day_and_date_in_words(date, lang),
        time_in_words(start, lang),
        time_in_words(end, lang)
    )
}

/// The prisoner as a slip shows them: initial and surname only ("R. Evans"), because a slip left
/// on a bus should not name someone in prison.
pub fn prisoner_on_slip(first_name: &str, last_name: &str) -> String {
    match first_name.trim().chars().next() {
        Some(initial) => format!("{}. {}", initial.to_uppercase(), last_name.trim()),
        None => last_name.trim().to_string(),
    }
}

/// Everything a slip says, in one language, before it is laid out.
pub(super) struct Wording {
    pub(super) prison_name: String,
    pub(super) prison_address: String,
    pub(super) status: String,
    /// Whether the visit will happen as things stand (confirmed or requested): only then does
    /// the slip tell people when to arrive, what to bring and how to cancel.
    pub(super) live: bool,
    pub(super) confirmed: bool,
    pub(super) reference_label: &'static str,
    pub(super) reference: String,
    pub(super) show_slip: &'static str,
    pub(super) when_label: &'static str,
    pub(super) when: String,
    pub(super) arrive_label: &'static str,
    pub(super) arrive: String,
    pub(super) arrive_why: String,
    pub(super) room_label: &'static str,
    pub(super) room: String,
    pub(super) visiting_label: &'static str,
    pub(super) visiting: String,
    pub(super) visitors_label: &'static str,
    pub(super) visitors: Vec<String>,
    /// The support the visitors need, so the officer at the gate sees it.
    pub(super) support: Option<(&'static str, String)>,
    /// "Booked for you by <helper>, <organisation>".
    pub(super) booked_by: Option<String>,
    pub(super) next: Option<(&'static str, &'static str)>,
    pub(super) bring: (&'static str, String),
    pub(super) cancel: (&'static str, &'static str),
    /// When it was booked and when this copy was printed (a reprint shows both).
    pub(super) footer: [String; 2],
}

pub(super) fn wording(booking: &BookingView, prison: &Prison, lang: Language, now: DateTime<Utc>) -> Wording {
    let en = lang == Language::English;
    let pick = |english: &'static str, welsh: &'static str| if en { english } else { welsh };
    let tz = prison.rules.timezone();
    let (arrive_at, _) = booking
        .start
        .overflowing_sub_signed(chrono::Duration::minutes(i64::from(prison.arrive_minutes_before)));
    let status = match booking.status {
        BookingStatus::Booked => pick("Confirmed", "Wedi'i gadarnhau"),
        BookingStatus::Requested => pick("Request: not yet confirmed", "Cais: heb ei gadarnhau eto"),
        BookingStatus::Rejected => pick(
            "Not accepted: this visit will not take place",
            "Heb ei dderbyn: ni fydd yr ymweliad hwn yn digwydd",
        ),
        BookingStatus::Cancelled => pick(
            "Cancelled: this visit will not take place",
            "Wedi'i ganslo: ni fydd yr ymweliad hwn yn digwydd",
        ),
        BookingStatus::Withdrawn => pick(
            "Withdrawn: this visit will not take place",
            "Wedi'i dynnu'n ôl: ni fydd yr ymweliad hwn yn digwydd",
        ),
    };
    let live = matches!(booking.status, BookingStatus::Booked | BookingStatus::Requested);
    let kind = match (booking.kind, en) {
        (VisitKind::Open, true) => "open visit",
        (VisitKind::Closed, true) => "closed visit (through a screen)",
        (VisitKind::Open, false) => "ymweliad agored",
        (VisitKind::Closed, false) => "ymweliad caeedig (drwy sgrin)",
    };
    let minutes = prison.arrive_minutes_before;
    let adult_age = prison.rules.party().adult_age();
    let stamp = |at: DateTime<Utc>| {
        let local = at.with_timezone(&tz);
        format!(
            "{}, {}",
            date_in_words(local.date_naive(), lang),
            time_in_words(local.time(), lang)
        )
    };
    Wording {
        prison_name: if en {
            prison.name.clone()
        } else {
            prison.name_cy.clone()
        },
        prison_address: if en { &prison.address } else { &prison.address_cy }.join(", "),
        status: status.to_string(),
        live,
        confirmed: booking.status == BookingStatus::Booked,
        reference_label: pick("Booking reference", "Cyfeirnod archebu"),
        reference: booking.reference.to_string(),
        show_slip: pick(
            "Show this slip when you arrive.",
            "Dangoswch y slip hwn pan fyddwch yn cyrraedd.",
        ),
        when_label: pick("Date and time", "Dyddiad ac amser"),
        when: visit_time_in_words(booking.date, booking.start, booking.end, lang),
        arrive_label: pick("Arrive by", "Cyrhaeddwch erbyn"),
        arrive: time_in_words(arrive_at, lang),
        arrive_why: if en {
            format!("{minutes} minutes before the visit, to allow time for security checks.")
        } else {
            format!("{minutes} munud cyn yr ymweliad, i roi amser ar gyfer gwiriadau diogelwch.")
        },
        room_label: pick("Room", "Ystafell"),
        room: format!("{}, {kind}", booking.room),
        visiting_label: pick("Visiting", "Ymweld â"),
        visiting: prisoner_on_slip(&booking.prisoner_first_name, &booking.prisoner_last_name),
        visitors_label: pick("Visitors", "Ymwelwyr"),
        visitors: booking
            .visitors
            .iter()
            .map(|v| format!("{} {}", v.first_name.trim(), v.last_name.trim()))
            .collect(),
        support: support_in_words(&booking.details.support, lang)
            .map(|needs| (pick("Support needed", "Cymorth sydd ei angen"), needs)),
        booked_by: booking.details.booked_by.as_ref().map(|b| {
            if en {
                format!("Booked for you by {}, {}", b.name, b.organisation)
            } else {
                format!("Archebwyd ar eich rhan gan {}, {}", b.name, b.organisation)
            }
        }),
        next: (booking.status == BookingStatus::Requested).then_some(if en {
            (
                "What happens next",
                "The prison has not confirmed this visit yet. Staff will check it and decide soon. \
                     Before you travel, ask at the visitors' centre or phone the prison with your \
                     reference to make sure it is confirmed.",
            )
        } else {
            (
                "Beth sy'n digwydd nesaf",
                "Nid yw'r carchar wedi cadarnhau'r ymweliad hwn eto. Bydd staff yn ei wirio ac yn \
                     penderfynu cyn bo hir. Cyn i chi deithio, gofynnwch yn y ganolfan ymwelwyr neu \
                     ffoniwch y carchar gyda'ch cyfeirnod i wneud yn siŵr ei fod wedi'i gadarnhau.",
            )
        }),
        bring: if en {
            (
                "What to bring",
                format!(
                    "Every visitor aged {adult_age} or over must bring photo ID, such as a passport or \
                     driving licence. Without it you cannot go in."
                ),
            )
        } else {
            (
                "Beth i ddod gyda chi",
                format!(
                    "Rhaid i bob ymwelydd {adult_age} oed neu hŷn ddod â dogfen adnabod â llun, fel \
                     pasbort neu drwydded yrru. Hebddi, ni allwch fynd i mewn."
                ),
            )
        },
        cancel: if en {
            (
                "How to cancel",
                "Use this kiosk or ask staff at the visitors' centre, and give your booking reference. \
                 Please cancel if you cannot come, so another family can have the table.",
            )
        } else {
            (
                "Sut i ganslo",
                "Defnyddiwch y ciosg hwn neu gofynnwch i staff y ganolfan ymwelwyr, a rhowch eich \
                 cyfeirnod archebu. Canslwch os na allwch ddod, er mwyn i deulu arall gael y bwrdd.",
            )
        },
        footer: if en {
            [
                format!("Booked {}", stamp(booking.created_at)),
                format!("Printed {}", stamp(now)),
            ]
        } else {
            [
                format!("Archebwyd {}", stamp(booking.created_at)),
                format!("Argraffwyd {}", stamp(now)),
            ]
        },
    }
}

/// The support needed, as a sentence: "Wheelchair access; hearing loop; other: a seat near the
/// door". `None` when none was asked for.
pub(crate) fn support_in_words(support: &AdditionalSupport, lang: Language) -> Option<String> {
    let en = lang == Language::English;
    let words: Vec<String> = support
        .needs()
        .map(|n| match (n, en) {
            (SupportNeed::Wheelchair, true) => "Wheelchair access".to_string(),
            (SupportNeed::Wheelchair, false) => "Mynediad i gadair olwyn".to_string(),
            (SupportNeed::HearingLoop, true) => "Hearing loop".to_string(),
            (SupportNeed::HearingLoop, false) => "Dolen sain".to_string(),
            (SupportNeed::SomeoneToHelp, true) => "Someone to help".to_string(),
            (SupportNeed::SomeoneToHelp, false) => "Rhywun i helpu".to_string(),
            (SupportNeed::Other, _) => format!(
                "{}: {}",
                if en { "Other" } else { "Arall" },
                support.other().unwrap_or_default()
            ),
        })
        .collect();
    (!words.is_empty()).then(|| words.join("; "))
}
