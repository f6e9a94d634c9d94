// Every word the visitor sees, in English and Welsh. Error codes from the engine are translated
// here (never shown as they arrive); a code may have a message per field ("name_empty" says
// which name), falling back to the code's own message.

export type Lang = 'en' | 'cy'

const en = {
  'app.title': 'Book a prison visit',
  'skip.main': 'Skip to main content',
  'lang.switch': 'Cymraeg',
  'lang.switch.label': 'Change language',
  'a11y.bigger_text': 'Bigger text',
  'a11y.high_contrast': 'High contrast',
  'caption.step': 'Step {n} of 4',
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
  warning: 'Warning',

  'idle.heading': 'Are you still there?',
  'idle.body': 'To keep your details private, this screen will clear in {n} seconds.',
  'idle.stay': 'Yes, I am still here',
  'idle.restart': 'Start again',

  'keyboard.label': 'On-screen keyboard',
  'keyboard.shift': 'Capitals',
  'keyboard.accents': 'â ê ŵ',
  'keyboard.letters': 'abc',
  'keyboard.space': 'Space',
  'keyboard.hyphen': 'Hyphen',
  'keyboard.apostrophe': 'Apostrophe',
  'keyboard.backspace': 'Delete',
  'keyboard.next': 'Next',
  'keyboard.done': 'Done',

  // Staff at the kiosk (issue 10): reception staff and supervisors, signed in with a PIN.
  'staff.area': 'Staff',
  'staff.done': 'Done',
  'staff.sign_in.heading': 'Staff sign in',
  'staff.sign_in.lead': 'For visitor centre staff only. Visitors: press Back to book a visit.',
  'staff.number': 'Staff number',
  'staff.number.hint': '4 to 10 digits, on your staff badge',
  'staff.pin': 'PIN',
  'staff.pin.hint': '6 to 12 digits',
  'staff.sign_in': 'Sign in',
  'staff.sign_out': 'Sign out',
  'staff.signed_in_as': 'Signed in as {name} ({role})',
  'staff.role.reception': 'Reception',
  'staff.role.supervisor': 'Supervisor',
  'staff.role.helper': 'Helper',
  'staff.pin_change.heading': 'Choose a new PIN',
  'staff.pin_change.required': 'You must choose a new PIN before you can carry on. Only you should know it.',
  'staff.pin_change.current': 'Current PIN',
  'staff.pin_change.new': 'New PIN',
  'staff.pin_change.new.hint':
    '6 to 12 digits. Not one digit repeated, a run like 123456 or a pattern like 121212',
  'staff.pin_change.confirm': 'New PIN again',
  'staff.pin_change.save': 'Save new PIN',
  'staff.pin_change.done': 'Your new PIN is saved. Use it next time you sign in.',
  'staff.home.heading': 'Staff home',
  'staff.home.who': 'Staff number {number}, {role}',
  'staff.home.tasks': 'What do you want to do?',
  'staff.home.none': 'There is nothing else for your role on this kiosk yet.',
  'staff.home.change_pin': 'Change your PIN',
  'staff.ended.signed_out': 'You have been signed out. Sign in again to carry on.',
  'staff.ended.expired': 'You were signed out because the kiosk was not used for a while. Sign in again to carry on.',
  'staff.ended.title': 'Signed out',
  'idle.staff.body': 'To keep visitors’ details private, you will be signed out in {n} seconds.',
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
  'err.visitor_banned': 'This person cannot visit until after {until}',
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
}

export type Key = keyof typeof en

const cy: Record<Key, string> = {
  'app.title': 'Trefnu ymweliad â charchar',
  'skip.main': 'Neidio i’r prif gynnwys',
  'lang.switch': 'English',
  'lang.switch.label': 'Newid iaith',
  'a11y.bigger_text': 'Testun mwy',
  'a11y.high_contrast': 'Cyferbyniad uchel',
  'caption.step': 'Cam {n} o 4',
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
  warning: 'Rhybudd',

  'idle.heading': 'Ydych chi dal yma?',
  'idle.body': 'Er mwyn cadw eich manylion yn breifat, bydd y sgrin hon yn clirio mewn {n} eiliad.',
  'idle.stay': 'Ydw, rydw i dal yma',
  'idle.restart': 'Dechrau eto',

  'keyboard.label': 'Bysellfwrdd ar y sgrin',
  'keyboard.shift': 'Priflythrennau',
  'keyboard.accents': 'â ê ŵ',
  'keyboard.letters': 'abc',
  'keyboard.space': 'Bwlch',
  'keyboard.hyphen': 'Cysylltnod',
  'keyboard.apostrophe': 'Collnod',
  'keyboard.backspace': 'Dileu',
  'keyboard.next': 'Nesaf',
  'keyboard.done': 'Wedi gorffen',

  'staff.area': 'Staff',
  'staff.done': 'Wedi’i wneud',
  'staff.sign_in.heading': 'Mewngofnodi staff',
  'staff.sign_in.lead': 'Ar gyfer staff y ganolfan ymwelwyr yn unig. Ymwelwyr: pwyswch Yn ôl i drefnu ymweliad.',
  'staff.number': 'Rhif staff',
  'staff.number.hint': '4 i 10 digid, ar eich bathodyn staff',
  'staff.pin': 'PIN',
  'staff.pin.hint': '6 i 12 digid',
  'staff.sign_in': 'Mewngofnodi',
  'staff.sign_out': 'Allgofnodi',
  'staff.signed_in_as': 'Wedi mewngofnodi fel {name} ({role})',
  'staff.role.reception': 'Derbynfa',
  'staff.role.supervisor': 'Goruchwyliwr',
  'staff.role.helper': 'Cynorthwyydd',
  'staff.pin_change.heading': 'Dewis PIN newydd',
  'staff.pin_change.required': 'Rhaid i chi ddewis PIN newydd cyn y gallwch barhau. Dim ond chi ddylai ei wybod.',
  'staff.pin_change.current': 'PIN presennol',
  'staff.pin_change.new': 'PIN newydd',
  'staff.pin_change.new.hint':
    '6 i 12 digid. Nid un digid wedi’i ailadrodd, rhes fel 123456 na phatrwm fel 121212',
  'staff.pin_change.confirm': 'PIN newydd eto',
  'staff.pin_change.save': 'Cadw’r PIN newydd',
  'staff.pin_change.done': 'Mae eich PIN newydd wedi’i gadw. Defnyddiwch ef y tro nesaf y byddwch yn mewngofnodi.',
  'staff.home.heading': 'Hafan staff',
  'staff.home.who': 'Rhif staff {number}, {role}',
  'staff.home.tasks': 'Beth ydych chi eisiau ei wneud?',
  'staff.home.none': 'Does dim byd arall ar gyfer eich rôl ar y ciosg hwn eto.',
  'staff.home.change_pin': 'Newid eich PIN',
  'staff.ended.signed_out': 'Rydych wedi cael eich allgofnodi. Mewngofnodwch eto i barhau.',
  'staff.ended.expired': 'Cawsoch eich allgofnodi am nad oedd y ciosg wedi cael ei ddefnyddio ers tro. Mewngofnodwch eto i barhau.',
  'staff.ended.title': 'Wedi allgofnodi',
  'idle.staff.body': 'Er mwyn cadw manylion ymwelwyr yn breifat, byddwch yn cael eich allgofnodi mewn {n} eiliad.',
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
  'err.visitor_banned': 'Ni all y person hwn ymweld tan ar ôl {until}',
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
}

export const tables: Record<Lang, Record<Key, string>> = { en, cy }

export function t(lang: Lang, key: Key, params: Record<string, string | number> = {}): string {
  const text = tables[lang][key] ?? en[key]
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
  const kind = fieldKind(error.field)
  const specific = kind ? (`err.${error.code}.${kind}` as Key) : null
  if (specific && specific in en) return t(lang, specific, params)
  const general = `err.${error.code}` as Key
  if (general in en) return t(lang, general, params)
  return t(lang, 'err.kiosk_unavailable')
}
