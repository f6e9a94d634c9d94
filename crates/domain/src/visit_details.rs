//! What a booking records beside the visit itself: how it was asked for and who actioned it
//! (an assisted-digital helper booking on someone's behalf), the main contact the prison tells
//! if the visit changes, and any additional support the visitors need at the gate.
//!
//! As in the HMPPS staff service, every booking may carry these; a helper's booking must say
//! how it was requested, and one made for someone who is not there must name a main contact.

use crate::error::{Field, RuleError, Violation, Violations};
use crate::person::PersonName;
use crate::staff::StaffNumber;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// How a booking was asked for, from a fixed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestMethod {
    /// The visitor is at the kiosk with the helper.
    InPerson,
    /// The visitor is on the phone to the helper.
    Phone,
    /// The prisoner asked for the visit.
    ByPrisoner,
    Email,
    Letter,
    /// Through GOV.UK.
    Website,
}

impl RequestMethod {
    pub const ALL: [RequestMethod; 6] = [
        RequestMethod::InPerson,
        RequestMethod::Phone,
        RequestMethod::ByPrisoner,
        RequestMethod::Email,
        RequestMethod::Letter,
        RequestMethod::Website,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestMethod::InPerson => "in_person",
            RequestMethod::Phone => "phone",
            RequestMethod::ByPrisoner => "by_prisoner",
            RequestMethod::Email => "email",
            RequestMethod::Letter => "letter",
            RequestMethod::Website => "website",
        }
    }

    pub fn parse(s: &str) -> Result<Self, RuleError> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or(RuleError::RequestMethodUnknown)
    }

    /// Whether the visitor can answer for themselves now (here, or on the phone). When they
    /// cannot, the prison needs a main contact to reach them.
    pub fn visitor_present(self) -> bool {
        matches!(self, RequestMethod::InPerson | RequestMethod::Phone)
    }
}

/// A UK phone number (the +44 numbering plan, Crown dependencies included), valid by
/// libphonenumber's metadata and kept in E.164 form (`+447911123456`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UkPhone(String);

impl UkPhone {
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let typed = input.trim();
        if typed.is_empty() {
            return Err(RuleError::PhoneEmpty);
        }
        if typed.chars().count() > 30 {
            return Err(RuleError::PhoneInvalid);
        }
        let number = phonenumber::parse(Some(phonenumber::country::Id::GB), typed)
            .map_err(|_| RuleError::PhoneInvalid)?;
        if number.code().value() != 44 || !phonenumber::is_valid(&number) {
            return Err(RuleError::PhoneInvalid);
        }
        Ok(Self(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// `+447911123456`
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// As a UK caller dials it: `07911 123456`.
    pub fn national(&self) -> String {
        phonenumber::parse(None, &self.0)
            .map(|n| n.format().mode(phonenumber::Mode::National).to_string())
            .unwrap_or_else(|_| self.0.clone())
    }
}

/// An email address of a plausible shape: one `@`, something before it, a domain with a dot
/// after it, no spaces, at most 254 characters. Whether it reaches anyone only sending tells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let s = input.trim();
        let Some((local, domain)) = s.split_once('@') else {
            return Err(RuleError::EmailInvalid);
        };
        let label_ok = |l: &str| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        };
        let ok = s.chars().count() <= 254
            && !local.is_empty()
            && local.chars().count() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
            && domain.contains('.')
            && domain.split('.').all(label_ok);
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(RuleError::EmailInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The language the prison writes to the main contact in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageLanguage {
    En,
    Cy,
}

impl MessageLanguage {
    pub fn parse(s: &str) -> Result<Self, RuleError> {
        match s.trim() {
            "en" => Ok(MessageLanguage::En),
            "cy" => Ok(MessageLanguage::Cy),
            _ => Err(RuleError::LanguageUnknown),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageLanguage::En => "en",
            MessageLanguage::Cy => "cy",
        }
    }
}

/// Who the prison contacts about the visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MainContact {
    pub name: PersonName,
    pub phone: UkPhone,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    pub language: MessageLanguage,
}

/// Help the visitors need at the prison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportNeed {
    Wheelchair,
    HearingLoop,
    SomeoneToHelp,
    Other,
}

impl SupportNeed {
    pub const ALL: [SupportNeed; 4] = [
        SupportNeed::Wheelchair,
        SupportNeed::HearingLoop,
        SupportNeed::SomeoneToHelp,
        SupportNeed::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportNeed::Wheelchair => "wheelchair",
            SupportNeed::HearingLoop => "hearing_loop",
            SupportNeed::SomeoneToHelp => "someone_to_help",
            SupportNeed::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, RuleError> {
        Self::ALL
            .into_iter()
            .find(|n| n.as_str() == s.trim())
            .ok_or(RuleError::SupportUnknown)
    }
}

pub const SUPPORT_TEXT_MAX_CHARS: usize = 512;

/// The needs ticked, and for "other" what is needed (1 to 512 characters, line breaks allowed,
/// no other control characters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdditionalSupport {
    needs: BTreeSet<SupportNeed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    other: Option<String>,
}

impl AdditionalSupport {
    pub fn needs(&self) -> impl Iterator<Item = SupportNeed> + '_ {
        self.needs.iter().copied()
    }

    /// What "other" says, when it was ticked.
    pub fn other(&self) -> Option<&str> {
        self.other.as_deref()
    }

    pub fn is_empty(&self) -> bool {
        self.needs.is_empty()
    }
}

/// The helper who actioned a booking, as the kiosk's signed-in session names them: the request
/// never chooses this, the engine fills it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookedBy {
    pub staff_number: StaffNumber,
    pub name: PersonName,
    pub organisation: String,
}

/// Everything of a request beyond the visit, parsed. Stored and sent as JSON in the request's
/// own shape (`{"request_method":"letter","main_contact":{"phone":"+447911123456",..}}`), and
/// parsed again on the way in, so a stored record is as trusted as a new request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VisitDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_method: Option<RequestMethod>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booked_by: Option<BookedBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_contact: Option<MainContact>,
    #[serde(skip_serializing_if = "AdditionalSupport::is_empty")]
    pub support: AdditionalSupport,
}

impl VisitDetails {
    /// Nothing recorded beyond the visit: a visitor's own booking with no contact or support.
    pub fn is_empty(&self) -> bool {
        self.request_method.is_none()
            && self.booked_by.is_none()
            && self.main_contact.is_none()
            && self.support.is_empty()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitDetailsInput {
    #[serde(default)]
    request_method: Option<String>,
    #[serde(default)]
    booked_by: Option<BookedByInput>,
    #[serde(default)]
    main_contact: Option<MainContactInput>,
    #[serde(default)]
    support: Option<SupportInput>,
}

impl<'de> Deserialize<'de> for VisitDetails {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let input = VisitDetailsInput::deserialize(d)?;
        parse_details(
            input.request_method.as_deref(),
            input.booked_by.as_ref(),
            input.main_contact.as_ref(),
            input.support.as_ref(),
        )
        .map_err(serde::de::Error::custom)
    }
}

/// The main contact as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MainContactInput {
    /// A listed visitor's name or someone else's: first name and surname.
    #[serde(default)]
    pub name: String,
    /// A UK number, as typed (`07911 123456`, `+44 7911 123456`).
    #[serde(default)]
    pub phone: String,
    /// Optional.
    #[serde(default)]
    pub email: String,
    /// `en` or `cy`.
    #[serde(default)]
    pub language: String,
}

/// Additional support as ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupportInput {
    /// `wheelchair`, `hearing_loop`, `someone_to_help`, `other`
    #[serde(default)]
    pub needs: Vec<String>,
    /// What is needed, when `other` is ticked.
    #[serde(default)]
    pub other: String,
}

/// The helper who actioned a booking, as the kiosk's engine fills it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookedByInput {
    pub staff_number: String,
    pub name: String,
    pub organisation: String,
}

fn push<T>(v: &mut Vec<Violation>, field: Field, r: Result<T, RuleError>) -> Option<T> {
    r.map_err(|e| v.push(e.at(field))).ok()
}

impl MainContactInput {
    fn parse(&self, v: &mut Vec<Violation>) -> Option<MainContact> {
        let name = push(v, Field::MainContactName, PersonName::parse(&self.name));
        let phone = push(v, Field::MainContactPhone, UkPhone::parse(&self.phone));
        let email = if self.email.trim().is_empty() {
            Some(None)
        } else {
            push(v, Field::MainContactEmail, EmailAddress::parse(&self.email)).map(Some)
        };
        let language = push(
            v,
            Field::MainContactLanguage,
            MessageLanguage::parse(&self.language),
        );
        Some(MainContact {
            name: name?,
            phone: phone?,
            email: email?,
            language: language?,
        })
    }
}

impl SupportInput {
    fn parse(&self, v: &mut Vec<Violation>) -> Option<AdditionalSupport> {
        let before = v.len();
        let mut needs = BTreeSet::new();
        for n in &self.needs {
            if let Some(n) = push(v, Field::SupportNeeds, SupportNeed::parse(n)) {
                needs.insert(n);
            }
        }
        let text = self.other.trim();
        let other = if needs.contains(&SupportNeed::Other) {
            if text.is_empty() {
                v.push(RuleError::SupportOtherEmpty.at(Field::SupportOther));
            } else if text.chars().count() > SUPPORT_TEXT_MAX_CHARS {
                v.push(RuleError::SupportOtherTooLong.at(Field::SupportOther));
            } else if text.chars().any(|c| c.is_control() && c != '\n') {
                v.push(RuleError::SupportOtherInvalidCharacters.at(Field::SupportOther));
            }
            Some(text.to_string())
        } else {
            // Text left behind when "other" was unticked is not part of the booking.
            None
        };
        (v.len() == before).then_some(AdditionalSupport { needs, other })
    }
}

impl BookedByInput {
    fn parse(&self, v: &mut Vec<Violation>) -> Option<BookedBy> {
        let staff_number = StaffNumber::parse(&self.staff_number)
            .map_err(|_| v.push(RuleError::BookedByInvalid.at(Field::BookedBy)))
            .ok();
        let name = PersonName::parse(&self.name)
            .map_err(|_| v.push(RuleError::BookedByInvalid.at(Field::BookedBy)))
            .ok();
        let org = self.organisation.trim();
        let org_ok = !org.is_empty() && org.chars().count() <= 100 && !org.chars().any(char::is_control);
        if !org_ok {
            v.push(RuleError::BookedByInvalid.at(Field::BookedBy));
        }
        Some(BookedBy {
            staff_number: staff_number?,
            name: name?,
            organisation: org_ok.then(|| org.to_string())?,
        })
    }
}

/// Parses the details of a request and checks they fit together: a helper's booking says how
/// it was requested, and one for a visitor who is not there names a main contact.
pub fn parse_details(
    request_method: Option<&str>,
    booked_by: Option<&BookedByInput>,
    main_contact: Option<&MainContactInput>,
    support: Option<&SupportInput>,
) -> Result<VisitDetails, Violations> {
    let mut v = Vec::new();
    let method = request_method.and_then(|m| push(&mut v, Field::RequestMethod, RequestMethod::parse(m)));
    let booked_by = booked_by.and_then(|b| b.parse(&mut v));
    if booked_by.is_some() && request_method.is_none() {
        v.push(RuleError::RequestMethodRequired.at(Field::RequestMethod));
    }
    let main_contact = main_contact.and_then(|c| c.parse(&mut v));
    if main_contact.is_none()
        && method.is_some_and(|m| !m.visitor_present())
        && v.iter().all(|x| !x.field.is_main_contact())
    {
        v.push(RuleError::MainContactRequired.at(Field::MainContactName));
    }
    let support = support.and_then(|s| s.parse(&mut v)).unwrap_or_default();
    match Violations::from_vec(v) {
        Some(violations) => Err(violations),
        None => Ok(VisitDetails {
            request_method: method,
            booked_by,
            main_contact,
            support,
        }),
    }
}

impl fmt::Display for RequestMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, phone: &str, email: &str, language: &str) -> MainContactInput {
        MainContactInput {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
            language: language.into(),
        }
    }

    fn helper() -> BookedByInput {
        BookedByInput {
            staff_number: "1003".into(),
            name: "Cai Morgan".into(),
            organisation: "PACT".into(),
        }
    }

    fn codes(r: Result<VisitDetails, Violations>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|v| {
                v.into_vec()
                    .into_iter()
                    .map(|x| (x.field.to_string(), x.code()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn uk_phone_numbers_are_normalised_and_others_refused() {
        for (typed, e164) in [
            ("07911 123456", "+447911123456"),
            ("+44 7911 123456", "+447911123456"),
            ("(029) 2087 2087", "+442920872087"),
            ("0044 20 7946 0018", "+442079460018"),
        ] {
            assert_eq!(UkPhone::parse(typed).unwrap().e164(), e164, "{typed}");
        }
        assert_eq!(UkPhone::parse("07911123456").unwrap().national(), "07911 123456");
        assert_eq!(UkPhone::parse("  "), Err(RuleError::PhoneEmpty));
        for bad in [
            "12345",
            "0800 123",
            "+1 202 555 0143",
            "+33 1 42 68 53 00",
            "abc",
            "07911 12345",
            &"0".repeat(40),
        ] {
            assert_eq!(UkPhone::parse(bad), Err(RuleError::PhoneInvalid), "{bad}");
        }
    }

    #[test]
    fn email_addresses_of_a_plausible_shape() {
        assert!(EmailAddress::parse(" sian.jones@example.org.uk ").is_ok());
        for bad in [
            "sian",
            "@example.org",
            "sian@",
            "sian@example",
            "si an@example.org",
            "a@b@c.org",
            "sian@-x.org",
        ] {
            assert_eq!(EmailAddress::parse(bad), Err(RuleError::EmailInvalid), "{bad}");
        }
    }

    #[test]
    fn a_booking_for_someone_not_there_needs_a_main_contact() {
        for method in ["by_prisoner", "email", "letter", "website"] {
            assert_eq!(
                codes(parse_details(Some(method), Some(&helper()), None, None)),
                vec![("main_contact.name".to_string(), "main_contact_required")],
                "{method}"
            );
        }
        for method in ["in_person", "phone"] {
            assert!(parse_details(Some(method), Some(&helper()), None, None).is_ok());
        }
        let ok = parse_details(
            Some("letter"),
            Some(&helper()),
            Some(&contact("Siân Jones", "07911 123456", "", "cy")),
            None,
        )
        .unwrap();
        let c = ok.main_contact.unwrap();
        assert_eq!(
            (c.phone.e164(), c.language, c.email),
            ("+447911123456", MessageLanguage::Cy, None)
        );
        assert_eq!(ok.request_method, Some(RequestMethod::Letter));
        assert_eq!(ok.booked_by.unwrap().organisation, "PACT");
    }

    #[test]
    fn every_bad_contact_field_is_named() {
        assert_eq!(
            codes(parse_details(
                Some("email"),
                Some(&helper()),
                Some(&contact("", "12345", "nope", "fr")),
                None
            )),
            vec![
                ("main_contact.name".to_string(), "name_empty"),
                ("main_contact.phone".to_string(), "phone_invalid"),
                ("main_contact.email".to_string(), "email_invalid"),
                ("main_contact.language".to_string(), "language_unknown"),
            ]
        );
        // A helper must say how the booking was asked for, from the list.
        assert_eq!(
            codes(parse_details(None, Some(&helper()), None, None)),
            vec![("request_method".to_string(), "request_method_required")]
        );
        assert_eq!(
            codes(parse_details(Some("pigeon"), None, None, None)),
            vec![("request_method".to_string(), "request_method_unknown")]
        );
    }

    #[test]
    fn support_other_needs_words_and_at_most_512_characters() {
        let support = |needs: &[&str], other: &str| SupportInput {
            needs: needs.iter().map(|s| s.to_string()).collect(),
            other: other.into(),
        };
        let ok = parse_details(
            None,
            None,
            None,
            Some(&support(
                &["hearing_loop", "wheelchair", "wheelchair"],
                "left over",
            )),
        )
        .unwrap()
        .support;
        assert_eq!(
            ok.needs().collect::<Vec<_>>(),
            [SupportNeed::Wheelchair, SupportNeed::HearingLoop]
        );
        assert_eq!(ok.other(), None);
        let other = parse_details(None, None, None, Some(&support(&["other"], &"é".repeat(512)))).unwrap();
        assert_eq!(other.support.other().map(|s| s.chars().count()), Some(512));
        for (input, code) in [
            (support(&["other"], " "), "support_other_empty"),
            (support(&["other"], &"a".repeat(513)), "support_other_too_long"),
            (
                support(&["other"], "tab\there"),
                "support_other_invalid_characters",
            ),
        ] {
            assert_eq!(
                codes(parse_details(None, None, None, Some(&input))),
                vec![("support.other".to_string(), code)]
            );
        }
        assert_eq!(
            codes(parse_details(None, None, None, Some(&support(&["jetpack"], "")))),
            vec![("support.needs".to_string(), "support_unknown")]
        );
    }

    #[test]
    fn details_round_trip_through_json_and_are_parsed_again_on_the_way_in() {
        let details = parse_details(
            Some("by_prisoner"),
            Some(&helper()),
            Some(&contact("Siân Jones", "07911 123456", "sian@example.org", "cy")),
            Some(&SupportInput {
                needs: vec!["other".into(), "wheelchair".into()],
                other: "Guide dog".into(),
            }),
        )
        .unwrap();
        let json = serde_json::to_string(&details).unwrap();
        assert!(json.contains(r#""phone":"+447911123456""#), "{json}");
        assert_eq!(serde_json::from_str::<VisitDetails>(&json).unwrap(), details);
        assert_eq!(serde_json::to_string(&VisitDetails::default()).unwrap(), "{}");
        assert!(serde_json::from_str::<VisitDetails>("{}").unwrap().is_empty());
        let tampered = json.replace("+447911123456", "+15551234");
        assert!(serde_json::from_str::<VisitDetails>(&tampered).is_err());
    }

    #[test]
    fn the_helper_is_checked_too() {
        let bad = BookedByInput {
            staff_number: "12".into(),
            name: "Cai".into(),
            organisation: "".into(),
        };
        assert_eq!(
            codes(parse_details(Some("phone"), Some(&bad), None, None)),
            vec![
                ("booked_by".to_string(), "booked_by_invalid"),
                ("booked_by".to_string(), "booked_by_invalid")
            ]
        );
    }
}
