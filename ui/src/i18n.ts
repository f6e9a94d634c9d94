// Every word the visitor sees, in English and Welsh. Error codes from the engine are translated
// here (never shown as they arrive); a code may have a message per field ("name_empty" says
// which name), falling back to the code's own message.

import { helperCy, helperEn } from './i18n/helper'
import { staffCy, staffEn } from './i18n/staff'

export type Lang = 'en' | 'cy'

const en = {
  'app.title': 'Book a prison visit',
  'skip.main': 'Skip to main content',
  'lang.switch': 'Cymraeg',
  'lang.switch.label': 'Change language',
  'a11y.bigger_text': 'Bigger text',
  'a11y.high_contrast': 'High contrast',
  'caption.step': 'Step {n} of {total}',
  'button.continue': 'Continue',
  'button.back': 'Back',
  'button.change': 'Change',
  'button.remove': 'Remove',
  'error.summary_title': 'There is a problem',
  'error.prefix': 'Error',
  'error.title_prefix': 'Error: ',
  loading: 'Please wait…',

  'start.heading': 'Book a visit at {prison}',
  'start.lead': 'Book your next visit here. It takes about 5 minutes.',
  'start.need': 'You will need:',
  'start.need.prisoner': 'the prisoner’s number, date of birth and surname',
  'start.need.visitors': 'the name and date of birth of everyone who is visiting',
  'start.book': 'Book a visit',
  'start.help': 'Get help from staff',
  'start.manage': 'Already booked? Check, reprint or cancel',
  'help.heading': 'Ask a member of staff',
  'help.body': 'Go to the visitor centre desk. Staff there can help you book, or book the visit for you.',
  'help.close': 'Close',

  'prisoner.heading': 'Who are you visiting?',
  'prisoner.number': 'Prisoner number',
  'prisoner.number.hint': 'For example, A1234BC. It is on letters from the prisoner.',
  'prisoner.dob': 'Prisoner’s date of birth',
  'prisoner.surname': 'Prisoner’s surname',
  'dob.hint': 'For example, 27 3 1985',
  'dob.day': 'Day',
  'dob.month': 'Month',
  'dob.year': 'Year',

  'visitors.heading': 'Who is visiting?',
  'visitors.limits':
    'Up to {max_visitors} people can visit, with no more than {max_adults} aged {adult_age} or over. The first person is the lead visitor and must be {lead_age} or over.',
  'visitors.lead': 'Lead visitor',
  'visitors.n': 'Visitor {n}',
  'visitors.first_name': 'First name',
  'visitors.last_name': 'Last name',
  'visitors.dob': 'Date of birth',
  'visitors.from_list': 'From the prisoner’s list of visitors',
  'visitors.list.heading': 'People on the prisoner’s visitor list',
  'visitors.list.hint': 'Touch a name to add that person.',
  'visitors.list.add': 'Add {name}',
  'visitors.add_typed': 'Add someone else',
  'visitors.add_typed.list': 'Type in someone’s details',
  'visitors.full': 'You have added the most visitors allowed.',
  'visitors.remove_label': 'Remove {name}',

  'time.heading': 'Choose a time',
  'time.intro': 'These are the visit times you can book between {first} and {last}.',
  'time.intro.one': 'These are the visit times you can book on {date}.',
  'notice.important': 'Important',
  'time.dropped.heading': 'The time you chose cannot be booked for these visitors',
  'time.dropped.when': 'You chose {day}, {time}.',
  'time.dropped.body': 'Choose another time.',
  'time.closed':
    'The prisoner can only have closed visits at the moment, so only closed visit times are shown.',
  'time.none.heading': 'There are no visit times you can book',
  'time.none.body':
    'Every visit time in the next few weeks is full or cannot be booked for this prisoner and these visitors. Ask a member of staff at the desk for help.',
  'time.none.restart_body': 'Or start again: this clears your details from the screen for the next person.',
  'time.none.restart': 'Start again',
  'time.range': '{start} to {end}',
  'time.arrive': 'Arrive by {time}',
  'time.tables.one': '1 table left',
  'time.tables.many': '{n} tables left',
  'time.closed_tag': 'Closed visit',

  'check.heading': 'Check your answers',
  'check.prisoner': 'Prisoner',
  'check.visitors': 'Visitors',
  'check.visit': 'Visit',
  'check.date': 'Date',
  'check.time': 'Time',
  'check.kind': 'Type of visit',
  'check.kind.open': 'Open visit',
  'check.kind.closed': 'Closed visit',
  'check.change.number': 'prisoner number',
  'check.change.dob': 'prisoner’s date of birth',
  'check.change.surname': 'prisoner’s surname',
  'check.change.visitor': 'visitors',
  'check.change.date': 'date',
  'check.change.time': 'time',
  'check.confirm.heading': 'Now book your visit',
  'check.confirm.body': 'By booking this visit you confirm that these details are correct.',
  'check.book': 'Book visit',

  'done.booked': 'Visit booked',
  'done.requested': 'Visit requested',
  'done.requested.body':
    'The prison will confirm this visit. Ask staff at the desk if you do not hear back before the visit.',
  'done.reference': 'Your booking reference',
  'done.details': 'Your visit',
  'done.prison': 'Prison',
  'done.arrive': 'Arrive by',
  'done.room': 'Where',
  'done.bring.heading': 'What to bring',
  'done.bring.id': 'photo ID for each visitor aged 18 or over, such as a passport or driving licence',
  'done.bring.reference': 'your booking reference or printed slip',
  'done.bring.nothing': 'as little as possible: phones and bags go in lockers at the visitor centre',
  'done.arrive.heading': 'When to arrive',
  'done.arrive.body': 'Arrive by {time}. You need time to go through security before the visit starts.',
  'done.print': 'Print slip',
  'done.printed': 'Your slip is printing.',
  'done.finish': 'Finish',

  'manage.find.heading': 'Check, reprint or cancel a booking',
  'manage.find.lead': 'Enter your booking reference and the date of birth of the lead visitor: the first visitor named on the booking.',
  'manage.find.reference': 'Booking reference',
  'manage.find.reference.hint': 'It has 8 letters and numbers, like ABCD-EFGH. It is on your slip.',
  'manage.find.dob': 'Lead visitor’s date of birth',
  'manage.find.dob.hint': 'For example, 27 3 1985',
  'manage.find.submit': 'Find booking',
  'manage.visit.heading': 'Your visit',
  'manage.reference': 'Booking reference',
  'manage.status': 'Status',
  'manage.status.booked': 'Booked',
  'manage.status.requested': 'Requested',
  'manage.status.cancelled': 'Cancelled',
  'manage.status.rejected': 'Not booked',
  'manage.cancel': 'Cancel this visit',
  'manage.print.failed': 'Your slip did not print: {problem}. Ask a member of staff to print it for you.',
  'manage.cancel.heading': 'Are you sure you want to cancel this visit?',
  'manage.cancel.warning': 'You cannot undo this. The table will be free for someone else to book.',
  'manage.cancel.confirm': 'Yes, cancel this visit',
  'manage.cancel.keep': 'No, keep this visit',
  'manage.cancelled.heading': 'Visit cancelled',
  'manage.cancelled.printed': 'Your cancellation slip is printing.',
  'manage.cancelled.not_printed': 'Your visit is cancelled, but the cancellation slip did not print: {problem}. Ask a member of staff if you need a slip.',
  'manage.cancelled.body': 'The prison has been told. You can book another visit at any time.',
  warning: 'Warning',

  'idle.heading': 'Are you still there?',
  'idle.body': 'To keep your details private, this screen will clear in {n} seconds.',
  'idle.body.one': 'To keep your details private, this screen will clear in 1 second.',
  'idle.stay': 'Yes, I am still here',
  'idle.restart': 'Start again',

  'keyboard.label': 'On-screen keyboard',
  'keyboard.shift': 'Capitals',
  'keyboard.accents': 'â ê ŵ',
  'keyboard.letters': 'abc',
  'keyboard.space': 'Space',
  'keyboard.hyphen': 'Hyphen',
  'keyboard.plus': 'Plus',
  'keyboard.apostrophe': 'Apostrophe',
  'keyboard.backspace': 'Delete',
  'keyboard.next': 'Next',
  'keyboard.done': 'Done',

  // Staff at the kiosk (issue 10): reception staff and supervisors, signed in with a PIN.
  'err.central_url_required': 'Enter central’s address',
  'err.enrolment_code_required': 'Enter the one-time enrolment code',
  'err.enrolment_code_invalid': 'The enrolment code is not right, or it has been used or has expired. Ask central’s operator for a new one',
  'err.already_enrolled': 'This kiosk is already enrolled with central',
  'err.has_local_bookings': 'This kiosk already has bookings of its own, so it cannot be enrolled. Ask IT support to enrol a fresh kiosk',
  'err.central_protocol': 'Central answered in a way this kiosk does not understand. Check the address, or ask IT support',
  'err.printer_missing.queue': 'That printer is not on this kiosk. Choose one of the kiosk’s printers',
  'err.invalid_printer_queue.queue': 'Choose a printer',
  'err.printer_offline.queue': 'The print service (CUPS) is not running, so the printer cannot be checked. Ask IT support',
  'err.printer_disabled.queue': 'The print service (CUPS) could not check the printer. Ask IT support',
  'err.print_failed.queue': 'The print service (CUPS) could not check the printer. Ask IT support',
  'idle.staff.body': 'To keep visitors’ details private, you will be signed out in {n} seconds.',
  'idle.staff.body.one': 'To keep visitors’ details private, you will be signed out in 1 second.',
  'idle.staff.stay': 'Stay signed in',

  // Errors from the engine, by code, then by code and field.
  'err.prisoner_number_invalid': 'Enter a prisoner number in the right format, like A1234BC',
  'err.name_empty': 'Enter a name',
  'err.name_empty.prisoner_surname': 'Enter the prisoner’s surname',
  'err.name_empty.first_name': 'Enter the visitor’s first name',
  'err.name_empty.last_name': 'Enter the visitor’s last name',
  'err.name_too_long': 'Name must be 50 letters or fewer',
  'err.name_invalid_characters': 'Name must only include letters, spaces, hyphens and apostrophes',
  'err.date_of_birth_invalid': 'Enter a real date of birth, like 27 3 1985',
  'err.date_of_birth_in_future': 'Date of birth must be in the past',
  'err.date_of_birth_too_old': 'Check the year of birth',
  'err.prisoner_not_found':
    'We could not find a prisoner with these details. Check the prisoner number, date of birth and surname',
  'err.no_visitors': 'Add at least one visitor',
  'err.too_many_visitors': 'No more than {max} people can visit',
  'err.too_many_adults': 'No more than {max} adults can visit. Remove a visitor',
  'err.too_many_children': 'No more than {max} children can visit. Remove a visitor',
  'err.lead_visitor_under_age': 'The lead visitor must be 18 or over. Put an adult first',
  'err.no_adult_visitor': 'At least one visitor must be 18 or over',
  'err.duplicate_visitor': 'This person is already on the list of visitors',
  'err.visitor_not_on_list':
    'This person is not on the prisoner’s list of visitors. Check their name and date of birth, or ask staff for help',
  'err.visitor_banned': 'This person cannot visit on the dates you can book. Ask a member of staff for help',
  'err.session_not_found': 'That visit time cannot be booked. Choose another time',
  'err.session_required': 'Choose a visit time',
  'err.session_closed': 'That visit time has been cancelled. Choose another time',
  'err.session_too_soon': 'Visits must be booked at least {min_days} days ahead. Choose a later time',
  'err.session_too_far_ahead': 'Visits can only be booked up to {max_days} days ahead. Choose an earlier time',
  'err.session_full': 'That visit time is now full. Choose another time',
  'err.closed_visit_required': 'The prisoner can only have closed visits. Choose a closed visit time',
  'err.no_visiting_order':
    'The prisoner has no visiting orders left, so a visit cannot be booked now. The prisoner can ask for a visiting order in the prison',
  'err.weekly_limit_reached':
    'The prisoner already has {limit} visits booked that week. Choose a time in another week',
  'err.duplicate_visit': 'The prisoner already has a visit at that time. Choose another time',
  'err.reference_wrong_length': 'A booking reference has 8 letters and numbers, like ABCD-EFGH',
  'err.reference_invalid_character': 'Check the booking reference: it has a letter or number that is not used',
  'err.reference_check_failed': 'Check the booking reference for a typing mistake',
  'err.booking_not_found': 'We could not find that booking. Ask a member of staff for help',
  'err.kiosk_unavailable': 'Something went wrong with this kiosk. Ask a member of staff for help',
  // Staff sign-in and PIN errors, by code, then by code and field.
  'err.staff_number_invalid': 'Enter your staff number: 4 to 10 digits',
  'err.pin_wrong_length': 'A PIN is 6 to 12 digits',
  'err.pin_wrong_length.pin': 'Enter your PIN: 6 to 12 digits',
  'err.pin_wrong_length.new_pin': 'Your new PIN must be 6 to 12 digits',
  'err.pin_wrong_length.current_pin': 'Enter your current PIN: 6 to 12 digits',
  'err.pin_not_digits': 'A PIN must only include the numbers 0 to 9',
  'err.pin_not_digits.new_pin': 'Your new PIN must only include the numbers 0 to 9',
  'err.pin_too_simple': 'That PIN is too easy to guess',
  'err.pin_too_simple.pin': 'Check your PIN: a PIN is never one digit repeated or a run like 123456',
  'err.pin_too_simple.new_pin': 'Choose a PIN that is harder to guess: not one digit repeated, a run like 123456 or a pattern like 121212',
  'err.sign_in_failed': 'The staff number or PIN is not right. Check them and try again',
  'err.account_locked':
    'This account is locked after too many wrong PINs. Try again after {until}, or ask a supervisor to unlock it',
  'err.current_pin_required': 'Enter your current PIN',
  'err.pin_incorrect': 'Your current PIN is not right',
  'err.pin_unchanged': 'Your new PIN must be different from the PIN you have now',
  'err.pin_confirm_required': 'Enter your new PIN again',
  'err.pin_confirm_mismatch': 'The two new PINs are not the same. Enter your new PIN again',
  'err.not_signed_in': 'You are not signed in. Sign in again',
  'err.session_expired': 'You were signed out because the kiosk was not used for a while. Sign in again',
  'err.pin_change_required': 'Choose a new PIN before you do anything else',
  'err.not_allowed': 'Your role cannot do this. Ask a supervisor',
  'err.staff_mode_unavailable': 'This account cannot be used on this kiosk yet. Ask a supervisor',
  'err.search_invalid': 'Enter a booking reference, a prisoner number or at least 2 letters of a surname',
  'err.booking_not_live': 'This booking is already cancelled or refused',
  'err.booking_arrived': 'The visitors have arrived for this visit, so it cannot be cancelled or moved',
  'err.attendance_before_visit_day': 'This visit is on {date}. Mark who came on the day of the visit',
  'err.booking_not_matched': 'We could not find a booking with that reference and date of birth. Check both, or ask a member of staff for help',
  'err.booking_cannot_check':
    'This booking was made somewhere else and we cannot check it right now. Try again in a few minutes, or ask a member of staff for help',
  'err.booking_not_cancellable': 'This visit cannot be cancelled here: it is already cancelled or over. Ask a member of staff for help',
  'err.move_same_session': 'The visit is already in that session. Choose another session',
  'err.prisoner_not_held': 'The prisoner is no longer held here, so this visit cannot be moved. Cancel it instead',
  'err.visitor_unknown': 'Central has not sent the details of this visit’s visitors, so it cannot be moved here. Cancel it, or book a new visit with the visitors',
  'err.move_visitor_not_on_list': 'A visitor is no longer on the prisoner’s list of visitors, so the visit cannot be moved. Cancel it and tell the visitor',
  'err.staff_booking_not_found': 'There is no booking with that reference on this kiosk',
  'err.nothing_to_review': 'There is nothing to review on this booking',
  'err.cancel_reason_invalid': 'Choose why the booking is cancelled',
  'err.cancel_how_required': 'Choose how the visitor asked to cancel',
  'err.cancel_how_invalid': 'Choose how the visitor asked to cancel',
  'err.note_too_long': 'The note must be {max} characters or fewer',
  'err.note_invalid_characters': 'The note has characters that cannot be saved',
  'err.staff_date_invalid': 'Enter a real date, like 27 11 2026',
  'err.staff_print_failed': 'The slip did not print: {reason}',
  'err.not_enrolled': 'This kiosk is not enrolled with central, so it cannot do this. Enrol the kiosk first',
  'err.central_unreachable': 'Central cannot be reached now, so nothing has been changed. Check the kiosk’s network (Kiosk health), then try again',
  'err.tables_below_booked': '{booked} tables are booked and {held} held for offline bookings. Enter {min} or more',
  'err.staff_tables_invalid': 'Enter the number of tables as a whole number, like 12',
  'err.closure_reason_invalid': 'Choose why it is closing',
  'err.closure_target_required': 'Choose a session or a day to close',
  'err.closure_target_conflict': 'Choose a session or a day to close, not both',
  'err.staff_session_already_closed': 'That session is already closed',
  'err.staff_number_invalid.account_number': 'Enter their staff number: 4 to 10 digits',
  'err.name_empty.account_name': 'Enter their full name',
  'err.staff_account_exists': 'There is already an account with this staff number',
  'err.staff_account_not_found': 'There is no account with this staff number',
  'err.staff_managed_by_central': 'Central manages this kiosk’s staff accounts. Change them there',
  'err.role_unknown': 'Choose a role',
  'err.organisation_invalid': 'The organisation must be 100 characters or fewer',
  'err.helper_needs_organisation_and_expiry': 'A helper’s account needs an organisation and the date it ends',
  'err.helper_needs_organisation_and_expiry.organisation': 'Enter the helper’s organisation',
  'err.helper_needs_organisation_and_expiry.expires_on': 'Enter the date the helper’s account ends',
  'err.date_invalid': 'Enter a real date, like 27 11 2027',
  'err.expiry_out_of_range': 'The account must end between today and a year from today',
  'err.only_helpers_expire': 'Only a helper’s account has an organisation and an end date',
  // Printing errors: the booking is already saved, so each one says so, repeats the reference
  // and sends the visitor to staff for a reprint.
  'err.printer_not_configured':
    'Your booking is saved, but this kiosk has no printer set up. Your booking reference is {reference}. Ask a member of staff to print your slip',
  'err.invalid_printer_queue':
    'Your booking is saved, but the printer is not set up correctly. Your booking reference is {reference}. Ask a member of staff to print your slip',
  'err.printer_missing': 'Your booking is saved, but the printer cannot be found. Your booking reference is {reference}. Ask a member of staff to print your slip',
  'err.printer_disabled': 'Your booking is saved, but the printer is switched off. Your booking reference is {reference}. Ask a member of staff to print your slip',
  'err.printer_offline': 'Your booking is saved, but the printer is not working. Your booking reference is {reference}. Ask a member of staff to print your slip',
  'err.out_of_paper':
    'Your booking is saved, but the printer has run out of paper. Your booking reference is {reference}. Ask a member of staff to add paper, then press Print slip again',
  'err.print_failed':
    'Your booking is saved, but your slip did not print. Your booking reference is {reference}. Press Print slip to try again, or ask a member of staff for help',
  ...staffEn,
  ...helperEn,
}

export type Key = keyof typeof en

const cy: Record<Key, string> = {
  'app.title': 'Trefnu ymweliad â charchar',
  'skip.main': 'Neidio i’r prif gynnwys',
  'lang.switch': 'English',
  'lang.switch.label': 'Newid iaith',
  'a11y.bigger_text': 'Testun mwy',
  'a11y.high_contrast': 'Cyferbyniad uchel',
  'caption.step': 'Cam {n} o {total}',
  'button.continue': 'Parhau',
  'button.back': 'Yn ôl',
  'button.change': 'Newid',
  'button.remove': 'Tynnu',
  'error.summary_title': 'Mae problem wedi codi',
  'error.prefix': 'Gwall',
  'error.title_prefix': 'Gwall: ',
  loading: 'Arhoswch funud…',

  'start.heading': 'Trefnu ymweliad â {prison}',
  'start.lead': 'Trefnwch eich ymweliad nesaf yma. Mae’n cymryd tua 5 munud.',
  'start.need': 'Bydd angen y canlynol arnoch chi:',
  'start.need.prisoner': 'rhif, dyddiad geni a chyfenw’r carcharor',
  'start.need.visitors': 'enw a dyddiad geni pawb sy’n ymweld',
  'start.book': 'Trefnu ymweliad',
  'start.help': 'Cael help gan staff',
  'start.manage': 'Wedi trefnu’n barod? Gwirio, ailargraffu neu ganslo',
  'help.heading': 'Gofynnwch i aelod o staff',
  'help.body': 'Ewch at ddesg y ganolfan ymwelwyr. Gall y staff yno eich helpu i drefnu, neu drefnu’r ymweliad ar eich rhan.',
  'help.close': 'Cau',

  'prisoner.heading': 'Pwy ydych chi’n ymweld â nhw?',
  'prisoner.number': 'Rhif y carcharor',
  'prisoner.number.hint': 'Er enghraifft, A1234BC. Mae ar lythyrau gan y carcharor.',
  'prisoner.dob': 'Dyddiad geni’r carcharor',
  'prisoner.surname': 'Cyfenw’r carcharor',
  'dob.hint': 'Er enghraifft, 27 3 1985',
  'dob.day': 'Diwrnod',
  'dob.month': 'Mis',
  'dob.year': 'Blwyddyn',

  'visitors.heading': 'Pwy sy’n ymweld?',
  'visitors.limits':
    'Gall hyd at {max_visitors} o bobl ymweld, gyda dim mwy na {max_adults} yn {adult_age} oed neu’n hŷn. Y person cyntaf yw’r prif ymwelydd, a rhaid iddo fod yn {lead_age} oed neu’n hŷn.',
  'visitors.lead': 'Prif ymwelydd',
  'visitors.n': 'Ymwelydd {n}',
  'visitors.first_name': 'Enw cyntaf',
  'visitors.last_name': 'Cyfenw',
  'visitors.dob': 'Dyddiad geni',
  'visitors.from_list': 'O restr ymwelwyr y carcharor',
  'visitors.list.heading': 'Pobl ar restr ymwelwyr y carcharor',
  'visitors.list.hint': 'Cyffyrddwch ag enw i ychwanegu’r person hwnnw.',
  'visitors.list.add': 'Ychwanegu {name}',
  'visitors.add_typed': 'Ychwanegu rhywun arall',
  'visitors.add_typed.list': 'Teipio manylion rhywun',
  'visitors.full': 'Rydych wedi ychwanegu’r nifer mwyaf o ymwelwyr a ganiateir.',
  'visitors.remove_label': 'Tynnu {name}',

  'time.heading': 'Dewis amser',
  'time.intro': 'Dyma’r amseroedd ymweld y gallwch eu trefnu rhwng {first} a {last}.',
  'time.intro.one': 'Dyma’r amseroedd ymweld y gallwch eu trefnu ar {date}.',
  'notice.important': 'Pwysig',
  'time.dropped.heading': 'Ni ellir trefnu’r amser a ddewisoch ar gyfer yr ymwelwyr hyn',
  'time.dropped.when': 'Roeddech wedi dewis {day}, {time}.',
  'time.dropped.body': 'Dewiswch amser arall.',
  'time.closed':
    'Dim ond ymweliadau caeedig y gall y carcharor eu cael ar hyn o bryd, felly dim ond amseroedd ymweliadau caeedig a ddangosir.',
  'time.none.heading': 'Does dim amseroedd ymweld y gallwch eu trefnu',
  'time.none.body':
    'Mae pob amser ymweld yn yr wythnosau nesaf yn llawn, neu ni ellir ei drefnu ar gyfer y carcharor hwn a’r ymwelwyr hyn. Gofynnwch i aelod o staff wrth y ddesg am help.',
  'time.none.restart_body': 'Neu dechreuwch eto: mae hyn yn clirio eich manylion o’r sgrin ar gyfer y person nesaf.',
  'time.none.restart': 'Dechrau eto',
  'time.range': '{start} tan {end}',
  'time.arrive': 'Cyrraedd erbyn {time}',
  'time.tables.one': '1 bwrdd ar ôl',
  'time.tables.many': '{n} bwrdd ar ôl',
  'time.closed_tag': 'Ymweliad caeedig',

  'check.heading': 'Gwirio eich atebion',
  'check.prisoner': 'Carcharor',
  'check.visitors': 'Ymwelwyr',
  'check.visit': 'Ymweliad',
  'check.date': 'Dyddiad',
  'check.time': 'Amser',
  'check.kind': 'Math o ymweliad',
  'check.kind.open': 'Ymweliad agored',
  'check.kind.closed': 'Ymweliad caeedig',
  'check.change.number': 'rhif y carcharor',
  'check.change.dob': 'dyddiad geni’r carcharor',
  'check.change.surname': 'cyfenw’r carcharor',
  'check.change.visitor': 'ymwelwyr',
  'check.change.date': 'dyddiad',
  'check.change.time': 'amser',
  'check.confirm.heading': 'Nawr trefnwch eich ymweliad',
  'check.confirm.body': 'Drwy drefnu’r ymweliad hwn rydych yn cadarnhau bod y manylion hyn yn gywir.',
  'check.book': 'Trefnu’r ymweliad',

  'done.booked': 'Ymweliad wedi’i drefnu',
  'done.requested': 'Cais am ymweliad wedi’i wneud',
  'done.requested.body':
    'Bydd y carchar yn cadarnhau’r ymweliad hwn. Gofynnwch i’r staff wrth y ddesg os na fyddwch yn clywed cyn yr ymweliad.',
  'done.reference': 'Cyfeirnod eich archeb',
  'done.details': 'Eich ymweliad',
  'done.prison': 'Carchar',
  'done.arrive': 'Cyrraedd erbyn',
  'done.room': 'Ble',
  'done.bring.heading': 'Beth i ddod gyda chi',
  'done.bring.id': 'dogfen adnabod â llun ar gyfer pob ymwelydd 18 oed neu’n hŷn, fel pasbort neu drwydded yrru',
  'done.bring.reference': 'cyfeirnod eich archeb neu’r slip wedi’i argraffu',
  'done.bring.nothing': 'cyn lleied â phosibl: mae ffonau a bagiau’n mynd i loceri yn y ganolfan ymwelwyr',
  'done.arrive.heading': 'Pryd i gyrraedd',
  'done.arrive.body': 'Cyrhaeddwch erbyn {time}. Mae angen amser i fynd drwy’r gwiriadau diogelwch cyn i’r ymweliad ddechrau.',
  'done.print': 'Argraffu slip',
  'done.printed': 'Mae eich slip yn argraffu.',
  'done.finish': 'Gorffen',

  'manage.find.heading': 'Gwirio, ailargraffu neu ganslo archeb',
  'manage.find.lead': 'Rhowch gyfeirnod eich archeb a dyddiad geni’r prif ymwelydd: yr ymwelydd cyntaf a enwir ar yr archeb.',
  'manage.find.reference': 'Cyfeirnod yr archeb',
  'manage.find.reference.hint': 'Mae ganddo 8 llythyren a rhif, fel ABCD-EFGH. Mae ar eich slip.',
  'manage.find.dob': 'Dyddiad geni’r prif ymwelydd',
  'manage.find.dob.hint': 'Er enghraifft, 27 3 1985',
  'manage.find.submit': 'Dod o hyd i’r archeb',
  'manage.visit.heading': 'Eich ymweliad',
  'manage.reference': 'Cyfeirnod yr archeb',
  'manage.status': 'Statws',
  'manage.status.booked': 'Wedi’i drefnu',
  'manage.status.requested': 'Cais wedi’i wneud',
  'manage.status.cancelled': 'Wedi’i ganslo',
  'manage.status.rejected': 'Heb ei drefnu',
  'manage.cancel': 'Canslo’r ymweliad hwn',
  'manage.print.failed': 'Nid yw eich slip wedi argraffu: {problem}. Gofynnwch i aelod o staff ei argraffu i chi.',
  'manage.cancel.heading': 'Ydych chi’n siŵr eich bod eisiau canslo’r ymweliad hwn?',
  'manage.cancel.warning': 'Nid oes modd dadwneud hyn. Bydd y bwrdd ar gael i rywun arall ei drefnu.',
  'manage.cancel.confirm': 'Ydw, canslo’r ymweliad hwn',
  'manage.cancel.keep': 'Na, cadw’r ymweliad hwn',
  'manage.cancelled.heading': 'Ymweliad wedi’i ganslo',
  'manage.cancelled.printed': 'Mae eich slip canslo yn argraffu.',
  'manage.cancelled.not_printed': 'Mae eich ymweliad wedi’i ganslo, ond nid yw’r slip canslo wedi argraffu: {problem}. Gofynnwch i aelod o staff os oes angen slip arnoch chi.',
  'manage.cancelled.body': 'Mae’r carchar wedi cael gwybod. Gallwch drefnu ymweliad arall unrhyw bryd.',
  warning: 'Rhybudd',

  'idle.heading': 'Ydych chi dal yma?',
  'idle.body': 'Er mwyn cadw eich manylion yn breifat, bydd y sgrin hon yn clirio mewn {n} eiliad.',
  'idle.body.one': 'Er mwyn cadw eich manylion yn breifat, bydd y sgrin hon yn clirio mewn 1 eiliad.',
  'idle.stay': 'Ydw, rydw i dal yma',
  'idle.restart': 'Dechrau eto',

  'keyboard.label': 'Bysellfwrdd ar y sgrin',
  'keyboard.shift': 'Priflythrennau',
  'keyboard.accents': 'â ê ŵ',
  'keyboard.letters': 'abc',
  'keyboard.space': 'Bwlch',
  'keyboard.hyphen': 'Cysylltnod',
  'keyboard.plus': 'Plws',
  'keyboard.apostrophe': 'Collnod',
  'keyboard.backspace': 'Dileu',
  'keyboard.next': 'Nesaf',
  'keyboard.done': 'Wedi gorffen',

  'err.central_url_required': 'Rhowch gyfeiriad y canol',
  'err.enrolment_code_required': 'Rhowch y cod cofrestru untro',
  'err.enrolment_code_invalid': 'Nid yw’r cod cofrestru’n gywir, neu mae wedi’i ddefnyddio neu wedi dod i ben. Gofynnwch i weithredwr y canol am un newydd',
  'err.already_enrolled': 'Mae’r ciosg hwn eisoes wedi cofrestru â’r canol',
  'err.has_local_bookings': 'Mae gan y ciosg hwn archebion ei hun yn barod, felly nid oes modd ei gofrestru. Gofynnwch i’r tîm cymorth TG gofrestru ciosg newydd',
  'err.central_protocol': 'Atebodd y canol mewn ffordd nad yw’r ciosg hwn yn ei deall. Gwiriwch y cyfeiriad, neu gofynnwch i’r tîm cymorth TG',
  'err.printer_missing.queue': 'Nid yw’r argraffydd hwnnw ar y ciosg hwn. Dewiswch un o argraffwyr y ciosg',
  'err.invalid_printer_queue.queue': 'Dewiswch argraffydd',
  'err.printer_offline.queue': 'Nid yw’r gwasanaeth argraffu (CUPS) yn rhedeg, felly nid oes modd gwirio’r argraffydd. Gofynnwch i’r tîm cymorth TG',
  'err.printer_disabled.queue': 'Ni allai’r gwasanaeth argraffu (CUPS) wirio’r argraffydd. Gofynnwch i’r tîm cymorth TG',
  'err.print_failed.queue': 'Ni allai’r gwasanaeth argraffu (CUPS) wirio’r argraffydd. Gofynnwch i’r tîm cymorth TG',
  'idle.staff.body': 'Er mwyn cadw manylion ymwelwyr yn breifat, byddwch yn cael eich allgofnodi mewn {n} eiliad.',
  'idle.staff.body.one': 'Er mwyn cadw manylion ymwelwyr yn breifat, byddwch yn cael eich allgofnodi mewn 1 eiliad.',
  'idle.staff.stay': 'Aros wedi mewngofnodi',

  'err.prisoner_number_invalid': 'Rhowch rif carcharor yn y fformat cywir, fel A1234BC',
  'err.name_empty': 'Rhowch enw',
  'err.name_empty.prisoner_surname': 'Rhowch gyfenw’r carcharor',
  'err.name_empty.first_name': 'Rhowch enw cyntaf yr ymwelydd',
  'err.name_empty.last_name': 'Rhowch gyfenw’r ymwelydd',
  'err.name_too_long': 'Rhaid i’r enw fod yn 50 llythyren neu lai',
  'err.name_invalid_characters': 'Rhaid i’r enw gynnwys llythrennau, bylchau, cysylltnodau a chollnodau yn unig',
  'err.date_of_birth_invalid': 'Rhowch ddyddiad geni go iawn, fel 27 3 1985',
  'err.date_of_birth_in_future': 'Rhaid i’r dyddiad geni fod yn y gorffennol',
  'err.date_of_birth_too_old': 'Gwiriwch y flwyddyn geni',
  'err.prisoner_not_found':
    'Nid oedd modd dod o hyd i garcharor gyda’r manylion hyn. Gwiriwch rif y carcharor, y dyddiad geni a’r cyfenw',
  'err.no_visitors': 'Ychwanegwch o leiaf un ymwelydd',
  'err.too_many_visitors': 'Ni all mwy na {max} o bobl ymweld',
  'err.too_many_adults': 'Ni all mwy na {max} oedolyn ymweld. Tynnwch ymwelydd',
  'err.too_many_children': 'Ni all mwy na {max} plentyn ymweld. Tynnwch ymwelydd',
  'err.lead_visitor_under_age': 'Rhaid i’r prif ymwelydd fod yn 18 oed neu’n hŷn. Rhowch oedolyn yn gyntaf',
  'err.no_adult_visitor': 'Rhaid i o leiaf un ymwelydd fod yn 18 oed neu’n hŷn',
  'err.duplicate_visitor': 'Mae’r person hwn eisoes ar y rhestr ymwelwyr',
  'err.visitor_not_on_list':
    'Nid yw’r person hwn ar restr ymwelwyr y carcharor. Gwiriwch ei enw a’i ddyddiad geni, neu gofynnwch i’r staff am help',
  'err.visitor_banned': 'Ni all y person hwn ymweld ar y dyddiadau y gallwch eu trefnu. Gofynnwch i aelod o staff am help',
  'err.session_not_found': 'Ni ellir trefnu’r amser ymweld hwnnw. Dewiswch amser arall',
  'err.session_required': 'Dewiswch amser ymweld',
  'err.session_closed': 'Mae’r amser ymweld hwnnw wedi’i ganslo. Dewiswch amser arall',
  'err.session_too_soon': 'Rhaid trefnu ymweliadau o leiaf {min_days} diwrnod ymlaen llaw. Dewiswch amser hwyrach',
  'err.session_too_far_ahead': 'Dim ond hyd at {max_days} diwrnod ymlaen llaw y gellir trefnu ymweliadau. Dewiswch amser cynharach',
  'err.session_full': 'Mae’r amser ymweld hwnnw’n llawn erbyn hyn. Dewiswch amser arall',
  'err.closed_visit_required': 'Dim ond ymweliadau caeedig y gall y carcharor eu cael. Dewiswch amser ymweliad caeedig',
  'err.no_visiting_order':
    'Nid oes gan y carcharor unrhyw orchmynion ymweld ar ôl, felly ni ellir trefnu ymweliad nawr. Gall y carcharor ofyn am orchymyn ymweld yn y carchar',
  'err.weekly_limit_reached':
    'Mae gan y carcharor {limit} ymweliad wedi’u trefnu’r wythnos honno yn barod. Dewiswch amser mewn wythnos arall',
  'err.duplicate_visit': 'Mae gan y carcharor ymweliad ar yr amser hwnnw yn barod. Dewiswch amser arall',
  'err.reference_wrong_length': 'Mae gan gyfeirnod archeb 8 llythyren a rhif, fel ABCD-EFGH',
  'err.reference_invalid_character': 'Gwiriwch gyfeirnod yr archeb: mae ynddo lythyren neu rif nad yw’n cael ei ddefnyddio',
  'err.reference_check_failed': 'Gwiriwch gyfeirnod yr archeb am gamgymeriad teipio',
  'err.booking_not_found': 'Nid oedd modd dod o hyd i’r archeb honno. Gofynnwch i aelod o staff am help',
  'err.kiosk_unavailable': 'Aeth rhywbeth o’i le gyda’r ciosg hwn. Gofynnwch i aelod o staff am help',
  'err.staff_number_invalid': 'Rhowch eich rhif staff: 4 i 10 digid',
  'err.pin_wrong_length': 'Mae PIN yn 6 i 12 digid',
  'err.pin_wrong_length.pin': 'Rhowch eich PIN: 6 i 12 digid',
  'err.pin_wrong_length.new_pin': 'Rhaid i’ch PIN newydd fod yn 6 i 12 digid',
  'err.pin_wrong_length.current_pin': 'Rhowch eich PIN presennol: 6 i 12 digid',
  'err.pin_not_digits': 'Rhaid i PIN gynnwys y rhifau 0 i 9 yn unig',
  'err.pin_not_digits.new_pin': 'Rhaid i’ch PIN newydd gynnwys y rhifau 0 i 9 yn unig',
  'err.pin_too_simple': 'Mae’r PIN hwnnw’n rhy hawdd i’w ddyfalu',
  'err.pin_too_simple.pin': 'Gwiriwch eich PIN: nid yw PIN byth yn un digid wedi’i ailadrodd nac yn rhes fel 123456',
  'err.pin_too_simple.new_pin': 'Dewiswch PIN sy’n anoddach i’w ddyfalu: nid un digid wedi’i ailadrodd, rhes fel 123456 na phatrwm fel 121212',
  'err.sign_in_failed': 'Nid yw’r rhif staff na’r PIN yn gywir. Gwiriwch nhw a rhowch gynnig arall arni',
  'err.account_locked':
    'Mae’r cyfrif hwn wedi’i gloi ar ôl gormod o PINau anghywir. Rhowch gynnig arall arni ar ôl {until}, neu gofynnwch i oruchwyliwr ei ddatgloi',
  'err.current_pin_required': 'Rhowch eich PIN presennol',
  'err.pin_incorrect': 'Nid yw eich PIN presennol yn gywir',
  'err.pin_unchanged': 'Rhaid i’ch PIN newydd fod yn wahanol i’r PIN sydd gennych nawr',
  'err.pin_confirm_required': 'Rhowch eich PIN newydd eto',
  'err.pin_confirm_mismatch': 'Nid yw’r ddau PIN newydd yr un fath. Rhowch eich PIN newydd eto',
  'err.not_signed_in': 'Nid ydych wedi mewngofnodi. Mewngofnodwch eto',
  'err.session_expired': 'Cawsoch eich allgofnodi am nad oedd y ciosg wedi cael ei ddefnyddio ers tro. Mewngofnodwch eto',
  'err.pin_change_required': 'Dewiswch PIN newydd cyn gwneud unrhyw beth arall',
  'err.not_allowed': 'Ni all eich rôl wneud hyn. Gofynnwch i oruchwyliwr',
  'err.staff_mode_unavailable': 'Nid oes modd defnyddio’r cyfrif hwn ar y ciosg hwn eto. Gofynnwch i oruchwyliwr',
  'err.search_invalid': 'Rhowch gyfeirnod archeb, rhif carcharor neu o leiaf 2 lythyren o gyfenw',
  'err.booking_not_live': 'Mae’r archeb hon eisoes wedi’i chanslo neu ei gwrthod',
  'err.booking_arrived': 'Mae’r ymwelwyr wedi cyrraedd ar gyfer yr ymweliad hwn, felly nid oes modd ei ganslo na’i symud',
  'err.attendance_before_visit_day': 'Mae’r ymweliad hwn ar {date}. Nodwch pwy ddaeth ar ddiwrnod yr ymweliad',
  'err.booking_not_matched': 'Nid oedd modd dod o hyd i archeb gyda’r cyfeirnod a’r dyddiad geni hynny. Gwiriwch y ddau, neu gofynnwch i aelod o staff am help',
  'err.booking_cannot_check':
    'Cafodd yr archeb hon ei gwneud rywle arall ac ni allwn ei gwirio ar hyn o bryd. Rhowch gynnig arall arni ymhen ychydig funudau, neu gofynnwch i aelod o staff am help',
  'err.booking_not_cancellable': 'Nid oes modd canslo’r ymweliad hwn yma: mae eisoes wedi’i ganslo neu wedi bod. Gofynnwch i aelod o staff am help',
  'err.move_same_session': 'Mae’r ymweliad eisoes yn y sesiwn honno. Dewiswch sesiwn arall',
  'err.prisoner_not_held': 'Nid yw’r carcharor yn cael ei gadw yma mwyach, felly ni ellir symud yr ymweliad hwn. Canslwch ef yn lle hynny',
  'err.visitor_unknown': 'Nid yw’r system ganolog wedi anfon manylion ymwelwyr yr ymweliad hwn, felly ni ellir ei symud yma. Canslwch ef, neu trefnwch ymweliad newydd gyda’r ymwelwyr',
  'err.move_visitor_not_on_list': 'Nid yw un o’r ymwelwyr ar restr ymwelwyr y carcharor mwyach, felly ni ellir symud yr ymweliad. Canslwch ef a dywedwch wrth yr ymwelydd',
  'err.staff_booking_not_found': 'Does dim archeb gyda’r cyfeirnod hwnnw ar y ciosg hwn',
  'err.nothing_to_review': 'Does dim i’w adolygu ar yr archeb hon',
  'err.cancel_reason_invalid': 'Dewiswch pam mae’r archeb yn cael ei chanslo',
  'err.cancel_how_required': 'Dewiswch sut gofynnodd yr ymwelydd am ganslo',
  'err.cancel_how_invalid': 'Dewiswch sut gofynnodd yr ymwelydd am ganslo',
  'err.note_too_long': 'Rhaid i’r nodyn fod yn {max} nod neu lai',
  'err.note_invalid_characters': 'Mae gan y nodyn nodau na ellir eu cadw',
  'err.staff_date_invalid': 'Rhowch ddyddiad go iawn, fel 27 11 2026',
  'err.staff_print_failed': 'Nid yw’r slip wedi argraffu: {reason}',
  'err.not_enrolled': 'Nid yw’r ciosg hwn wedi’i gofrestru gyda’r system ganolog, felly ni all wneud hyn. Cofrestrwch y ciosg yn gyntaf',
  'err.central_unreachable': 'Nid oes modd cysylltu â’r system ganolog nawr, felly nid oes dim wedi newid. Gwiriwch rwydwaith y ciosg (Iechyd y ciosg), yna rhowch gynnig arall arni',
  'err.tables_below_booked': 'Mae {booked} bwrdd wedi’u harchebu a {held} wedi’u cadw ar gyfer archebion all-lein. Rhowch {min} neu fwy',
  'err.staff_tables_invalid': 'Rhowch nifer y byrddau fel rhif cyfan, fel 12',
  'err.closure_reason_invalid': 'Dewiswch pam mae’n cau',
  'err.closure_target_required': 'Dewiswch sesiwn neu ddiwrnod i’w gau',
  'err.closure_target_conflict': 'Dewiswch sesiwn neu ddiwrnod i’w gau, nid y ddau',
  'err.staff_session_already_closed': 'Mae’r sesiwn honno ar gau yn barod',
  'err.staff_number_invalid.account_number': 'Rhowch eu rhif staff: 4 i 10 digid',
  'err.name_empty.account_name': 'Rhowch eu henw llawn',
  'err.staff_account_exists': 'Mae cyfrif gyda’r rhif staff hwn yn barod',
  'err.staff_account_not_found': 'Nid oes cyfrif gyda’r rhif staff hwn',
  'err.staff_managed_by_central': 'Y system ganolog sy’n rheoli cyfrifon staff y ciosg hwn. Newidiwch nhw yno',
  'err.role_unknown': 'Dewiswch rôl',
  'err.organisation_invalid': 'Rhaid i’r sefydliad fod yn 100 nod neu lai',
  'err.helper_needs_organisation_and_expiry': 'Mae angen sefydliad a dyddiad gorffen ar gyfrif cynorthwyydd',
  'err.helper_needs_organisation_and_expiry.organisation': 'Rhowch sefydliad y cynorthwyydd',
  'err.helper_needs_organisation_and_expiry.expires_on': 'Rhowch y dyddiad y mae cyfrif y cynorthwyydd yn dod i ben',
  'err.date_invalid': 'Rhowch ddyddiad go iawn, fel 27 11 2027',
  'err.expiry_out_of_range': 'Rhaid i’r cyfrif ddod i ben rhwng heddiw a blwyddyn o heddiw',
  'err.only_helpers_expire': 'Dim ond cyfrif cynorthwyydd sydd â sefydliad a dyddiad gorffen',
  'err.printer_not_configured':
    'Mae eich archeb wedi’i chadw, ond nid oes argraffydd wedi’i osod ar gyfer y ciosg hwn. Cyfeirnod eich archeb yw {reference}. Gofynnwch i aelod o staff argraffu eich slip',
  'err.invalid_printer_queue':
    'Mae eich archeb wedi’i chadw, ond nid yw’r argraffydd wedi’i osod yn gywir. Cyfeirnod eich archeb yw {reference}. Gofynnwch i aelod o staff argraffu eich slip',
  'err.printer_missing':
    'Mae eich archeb wedi’i chadw, ond nid oes modd dod o hyd i’r argraffydd. Cyfeirnod eich archeb yw {reference}. Gofynnwch i aelod o staff argraffu eich slip',
  'err.printer_disabled': 'Mae eich archeb wedi’i chadw, ond mae’r argraffydd wedi’i ddiffodd. Cyfeirnod eich archeb yw {reference}. Gofynnwch i aelod o staff argraffu eich slip',
  'err.printer_offline': 'Mae eich archeb wedi’i chadw, ond nid yw’r argraffydd yn gweithio. Cyfeirnod eich archeb yw {reference}. Gofynnwch i aelod o staff argraffu eich slip',
  'err.out_of_paper':
    'Mae eich archeb wedi’i chadw, ond nid oes papur ar ôl yn yr argraffydd. Cyfeirnod eich archeb yw {reference}. Gofynnwch i aelod o staff roi papur ynddo, yna pwyswch Argraffu slip eto',
  'err.print_failed':
    'Mae eich archeb wedi’i chadw, ond nid yw eich slip wedi argraffu. Cyfeirnod eich archeb yw {reference}. Pwyswch Argraffu slip i roi cynnig arall arni, neu gofynnwch i aelod o staff am help',
  ...staffCy,
  ...helperCy,
}

export const tables: Record<Lang, Record<Key, string>> = { en, cy }

const plurals: Record<Lang, Intl.PluralRules> = { en: new Intl.PluralRules('en'), cy: new Intl.PluralRules('cy') }

/**
 * The words for `key`. A count `n` among the params picks the form its number needs: `key.zero`
 * for none ("no visits", Welsh "dim plant") where the table has one, else the form the
 * language's plural rules pick (`key.one`, ...) where the table has it, else `key` itself.
 */
export function t(lang: Lang, key: Key, params: Record<string, string | number> = {}): string {
  const n = params.n
  const table: Record<string, string> = tables[lang]
  const form = typeof n === 'number' ? [...(n === 0 ? ['zero'] : []), plurals[lang].select(n)].map((c) => `${key}.${c}`).find((k) => k in table) : undefined
  const text = (form && table[form]) || tables[lang][key] || en[key]
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

const MONTHS: Record<Lang, string[]> = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  cy: ['Ionawr', 'Chwefror', 'Mawrth', 'Ebrill', 'Mai', 'Mehefin', 'Gorffennaf', 'Awst', 'Medi', 'Hydref', 'Tachwedd', 'Rhagfyr'],
}

// Sunday first, as Date.getUTCDay() counts.
const WEEKDAYS: Record<Lang, string[]> = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  cy: ['Dydd Sul', 'Dydd Llun', 'Dydd Mawrth', 'Dydd Mercher', 'Dydd Iau', 'Dydd Gwener', 'Dydd Sadwrn'],
}

function parseIsoDate(iso: string): { y: number; m: number; d: number; weekday: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!match) return null
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  // Calendar arithmetic only, in UTC, so the browser's time zone cannot shift the day.
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  return { y, m, d, weekday }
}

/** "Tuesday 1 December 2026" / "Dydd Mawrth 1 Rhagfyr 2026" (without the year if asked). */
export function formatDay(lang: Lang, iso: string, withYear = true): string {
  const p = parseIsoDate(iso)
  if (!p) return iso
  const date = `${WEEKDAYS[lang][p.weekday]} ${p.d} ${MONTHS[lang][p.m - 1]}`
  return withYear ? `${date} ${p.y}` : date
}

/** "5 May 1990" / "5 Mai 1990". */
export function formatDate(lang: Lang, iso: string): string {
  const p = parseIsoDate(iso)
  if (!p) return iso
  return `${p.d} ${MONTHS[lang][p.m - 1]} ${p.y}`
}

/** GOV.UK style times: "2pm", "9:30am", "midday"; Welsh "2yp", "9:30yb", "hanner dydd". */
export function formatTime(lang: Lang, hhmm: string): string {
  const match = /^(\d{2}):(\d{2})/.exec(hhmm)
  if (!match) return hhmm
  const h = Number(match[1])
  const m = Number(match[2])
  if (h === 12 && m === 0) return lang === 'cy' ? 'hanner dydd' : 'midday'
  if (h === 0 && m === 0) return lang === 'cy' ? 'hanner nos' : 'midnight'
  const hour12 = h % 12 === 0 ? 12 : h % 12
  const suffix = h < 12 ? (lang === 'cy' ? 'yb' : 'am') : lang === 'cy' ? 'yp' : 'pm'
  return m === 0 ? `${hour12}${suffix}` : `${hour12}:${String(m).padStart(2, '0')}${suffix}`
}

/** Which field-specific message key a field path selects: "visitors[1].first_name" -> "first_name". */
function fieldKind(field: string | null | undefined): string | null {
  if (!field) return null
  if (field === 'prisoner.surname') return 'prisoner_surname'
  const last = /\.(\w+)$/.exec(field)
  if (last) return last[1]
  // A field of a flat form (the staff screens' "pin", "new_pin") is its own kind.
  return /^\w+$/.test(field) ? field : null
}

/**
 * The prison's wall-clock time ("HH:MM") of an instant the engine sends as RFC 3339: a lock's
 * end, say. The prison is in England or Wales, whatever the browser's own time zone.
 */
export function prisonTime(instant: string): string | null {
  const at = new Date(instant)
  if (Number.isNaN(at.getTime())) return null
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('hour')}:${part('minute')}`
}

/**
 * An instant the engine sends (RFC 3339) as the prison's wall clock: "Wednesday 25 November 2026,
 * 10am" (a sync, a history entry), whatever the browser's own time zone.
 */
export function prisonDateTime(lang: Lang, instant: string): string {
  const at = new Date(instant)
  if (Number.isNaN(at.getTime())) return instant
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at)
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${formatDay(lang, `${part('year')}-${part('month')}-${part('day')}`)}, ${formatTime(lang, `${part('hour')}:${part('minute')}`)}`
}

/**
 * Codes whose message is written for the visitor at the kiosk ("ask a member of staff") and
 * would speak to the wrong person on a staff screen: the code whose message staff read instead.
 */
export const STAFF_CODES: Readonly<Record<string, string>> = {
  visitor_not_on_list: 'move_visitor_not_on_list',
  booking_not_found: 'staff_booking_not_found',
}

/** The message for an engine error, with its parameters formatted for the language. */
export function errorMessage(
  lang: Lang,
  error: { code: string; field?: string | null; params?: Record<string, string> },
): string {
  const params: Record<string, string> = { ...(error.params ?? {}) }
  if (params.until) {
    // A date ("2027-06-30": a ban's end) or an instant (a lock's end): the day, or the time.
    const time = params.until.includes('T') ? prisonTime(params.until) : null
    params.until = time ? formatTime(lang, time) : formatDate(lang, params.until)
  }
  // The day of a visit ("2026-11-28"), in the language's words.
  if (params.date) params.date = formatDate(lang, params.date)
  const kind = fieldKind(error.field)
  const specific = kind ? (`err.${error.code}.${kind}` as Key) : null
  if (specific && specific in en) return t(lang, specific, params)
  const general = `err.${error.code}` as Key
  if (general in en) return t(lang, general, params)
  return t(lang, 'err.kiosk_unavailable')
}
