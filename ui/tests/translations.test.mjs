// The translation tables: every error code the engine can send has a message in English and
// in Welsh, both tables have the same keys and placeholders, and dates and times read right.

import { test, before } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { uiDir, repoDir } from './harness.mjs'

let i18n

before(async () => {
  // The tables are TypeScript: bundle them to a module node can import.
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-i18n-'))
  const out = join(dir, 'i18n.mjs')
  await build({ entryPoints: [join(uiDir, 'src', 'i18n.ts')], bundle: true, format: 'esm', outfile: out, logLevel: 'silent' })
  i18n = await import(pathToFileURL(out).href)
  rmSync(dir, { recursive: true, force: true })
})

/** The stable codes a Rust `fn code` returns, read from its source. */
function codesIn(path, fnName) {
  const src = readFileSync(join(repoDir, path), 'utf8')
  const start = src.indexOf(`fn ${fnName}(`)
  assert.ok(start >= 0, `${fnName} in ${path}`)
  const body = src.slice(start, src.indexOf('\n    }\n', start))
  return [...body.matchAll(/=> "([a-z_]+)"/g)].map((m) => m[1])
}

test('every rule the engine checks has its own message in both languages', () => {
  const ruleCodes = codesIn('crates/domain/src/error.rs', 'code')
  assert.ok(ruleCodes.length >= 25, `found ${ruleCodes.length} rule codes`)
  const printCodes = codesIn('crates/kiosk/src/printing.rs', 'code')
  assert.ok(printCodes.includes('printer_not_configured') && printCodes.includes('out_of_paper'), `${printCodes}`)
  const uiCodes = ['kiosk_unavailable', 'session_required']
  for (const code of [...ruleCodes, ...printCodes, ...uiCodes]) {
    for (const lang of ['en', 'cy']) {
      assert.ok(`err.${code}` in i18n.tables[lang], `${lang} has no message for ${code}`)
    }
  }
})

test('every staff sign-in and PIN code has its message in both languages, worded per field', () => {
  const staffCodes = codesIn('crates/kiosk/src/staff/mod.rs', 'code').filter((c) => !c.startsWith('staff_account') && c !== 'staff_managed_by_central' && c !== 'internal_error')
  const ruleCodes = codesIn('crates/domain/src/staff.rs', 'code').filter((c) => c.startsWith('pin_') || c === 'staff_number_invalid')
  assert.ok(staffCodes.includes('account_locked') && ruleCodes.includes('pin_too_simple'), `${staffCodes} ${ruleCodes}`)
  const pageCodes = ['pin_confirm_required', 'pin_confirm_mismatch', 'staff_mode_unavailable']
  for (const code of [...staffCodes, ...ruleCodes, ...pageCodes]) {
    for (const lang of ['en', 'cy']) assert.ok(`err.${code}` in i18n.tables[lang], `${lang} has no message for ${code}`)
  }
  const { errorMessage } = i18n
  // The same code says which PIN: the one typed to sign in, or the new one.
  assert.equal(errorMessage('en', { code: 'pin_wrong_length', field: 'pin' }), 'Enter your PIN: 6 to 12 digits')
  assert.equal(errorMessage('en', { code: 'pin_wrong_length', field: 'new_pin' }), 'Your new PIN must be 6 to 12 digits')
  // A lock's end is an instant: shown as the prison's time (GMT in November, BST in June).
  assert.match(errorMessage('en', { code: 'account_locked', params: { until: '2026-11-25T10:15:00+00:00' } }), /after 10:15am,/)
  assert.match(errorMessage('cy', { code: 'account_locked', params: { until: '2026-06-25T13:15:00Z' } }), /ar ôl 2:15yp,/)
})

test('errors about the kiosk itself send the visitor to staff, never show the code', () => {
  const kioskCodes = codesIn('crates/kiosk/src/error.rs', 'code')
  assert.ok(kioskCodes.includes('store_unavailable'))
  for (const code of [...kioskCodes, 'bad_request', 'unknown_command', 'something_new']) {
    for (const lang of ['en', 'cy']) {
      const message = i18n.errorMessage(lang, { code })
      assert.ok(!message.includes(code) && !message.includes('_'), `${lang} ${code}: ${message}`)
      assert.ok(message.length > 20)
    }
  }
})

test('both tables have the same keys and the same placeholders, and Welsh is not English', () => {
  const { en, cy } = i18n.tables
  assert.deepEqual(Object.keys(cy).sort(), Object.keys(en).sort())
  const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
  // "PIN" and "Staff" are the same words in Welsh; three keys are only punctuation around values;
  // a language for messages is named in itself ("English", "Cymraeg"), as the header's switch is.
  const sameOnPurpose = new Set(['keyboard.accents', 'keyboard.letters', 'staff.pin', 'staff.area', 'staff.today.session', 'staff.accounts.action.label', 'staff.party', 'contact.language.en', 'contact.language.cy'])
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(cy[key]), placeholders(en[key]), key)
    if (!sameOnPurpose.has(key)) assert.notEqual(cy[key], en[key], `${key} is not translated`)
  }
})

test('messages are worded per field and carry their details', () => {
  const { errorMessage } = i18n
  assert.equal(errorMessage('en', { code: 'name_empty', field: 'prisoner.surname' }), 'Enter the prisoner’s surname')
  assert.equal(errorMessage('cy', { code: 'name_empty', field: 'visitors[2].first_name' }), 'Rhowch enw cyntaf yr ymwelydd')
  assert.equal(errorMessage('en', { code: 'too_many_adults', field: 'visitors', params: { max: '3' } }), 'No more than 3 adults can visit. Remove a visitor')
  // A ban's end date is never shown to a visitor, whatever reaches the page.
  assert.equal(
    errorMessage('cy', { code: 'visitor_banned', field: 'visitors[1]', params: { until: '2027-06-30' } }),
    'Ni all y person hwn ymweld ar y dyddiadau y gallwch eu trefnu. Gofynnwch i aelod o staff am help',
  )
})

test('dates and times in GOV.UK style, in both languages', () => {
  const { formatDay, formatDate, formatTime } = i18n
  assert.equal(formatDay('en', '2026-12-01'), 'Tuesday 1 December 2026')
  assert.equal(formatDay('cy', '2026-12-01'), 'Dydd Mawrth 1 Rhagfyr 2026')
  assert.equal(formatDay('cy', '2026-11-28', false), 'Dydd Sadwrn 28 Tachwedd')
  assert.equal(formatDate('cy', '1990-05-05'), '5 Mai 1990')
  assert.equal(formatTime('en', '14:00'), '2pm')
  assert.equal(formatTime('en', '09:30'), '9:30am')
  assert.equal(formatTime('en', '12:00'), 'midday')
  assert.equal(formatTime('cy', '14:30'), '2:30yp')
  assert.equal(formatTime('cy', '09:30'), '9:30yb')
  assert.equal(formatTime('cy', '12:00'), 'hanner dydd')
})

test('counts take the form their number needs, in English and in Welsh', () => {
  const { t } = i18n
  assert.equal(t('en', 'staff.party', { adults: t('en', 'staff.adults', { n: 1 }), children: t('en', 'staff.children', { n: 2 }) }), '1 adult, 2 children')
  assert.equal(t('en', 'staff.party', { adults: t('en', 'staff.adults', { n: 2 }), children: t('en', 'staff.children', { n: 0 }) }), '2 adults, no children')
  // Welsh: the singular after a number, and "dim" for none.
  assert.equal(t('cy', 'staff.party', { adults: t('cy', 'staff.adults', { n: 3 }), children: t('cy', 'staff.children', { n: 0 }) }), '3 oedolyn, dim plant')
  assert.equal(t('cy', 'staff.children', { n: 1 }), '1 plentyn')
  assert.equal(t('en', 'staff.cancel.note.count', { n: 1 }), 'You have 1 character remaining')
  assert.equal(t('en', 'idle.staff.body', { n: 1 }), 'To keep visitors’ details private, you will be signed out in 1 second.')
  assert.equal(t('en', 'staff.today.arrived_count', { arrived: 0, n: 1 }), '0 of 1 visit arrived')
  assert.equal(t('en', 'staff.close.in_review', { n: 0 }), 'No visits were booked.')
  assert.equal(t('en', 'staff.close.in_review', { n: 2 }), '2 booked visits are now in Requests and review.')
})

test('an instant reads as the prison’s wall clock: GMT in winter, BST in summer', () => {
  const { prisonDateTime } = i18n
  assert.equal(prisonDateTime('en', '2026-11-25T10:00:00Z'), 'Wednesday 25 November 2026, 10am')
  assert.equal(prisonDateTime('en', '2026-06-25T13:15:00+00:00'), 'Thursday 25 June 2026, 2:15pm')
  // Late in the evening in UTC is the next day in London in summer.
  assert.equal(prisonDateTime('cy', '2026-06-25T23:30:00Z'), 'Dydd Gwener 26 Mehefin 2026, 12:30yb')
})

test('sessions, closures and accounts: every code has a message in both languages, with its numbers', () => {
  const { errorMessage } = i18n
  const syncCodes = codesIn('crates/kiosk/src/sync/mod.rs', 'code').filter((c) => ['not_enrolled', 'central_unreachable', 'tables_below_booked'].includes(c))
  assert.equal(syncCodes.length, 3, `${syncCodes}`)
  const staffValueCodes = codesIn('crates/protocol/src/staff.rs', 'code').filter((c) => c !== 'pin_hash_invalid')
  const page = ['closure_reason_invalid', 'closure_target_required', 'closure_target_conflict', 'staff_tables_invalid', 'staff_session_already_closed', 'staff_account_exists', 'staff_account_not_found', 'staff_managed_by_central', 'role_unknown', 'date_invalid']
  for (const code of [...syncCodes, ...staffValueCodes, ...page]) {
    for (const lang of ['en', 'cy']) assert.ok(`err.${code}` in i18n.tables[lang], `${lang} has no message for ${code}`)
  }
  const below = { code: 'tables_below_booked', field: 'tables', params: { booked: '7', held: '2', min: '9' } }
  assert.equal(errorMessage('en', below), '7 tables are booked and 2 held for offline bookings. Enter 9 or more')
  assert.match(errorMessage('cy', below), /Mae 7 bwrdd .* 2 .* Rhowch 9 neu fwy/)
  // On the add form the number is theirs, not yours.
  assert.equal(errorMessage('en', { code: 'staff_number_invalid', field: 'account_number' }), 'Enter their staff number: 4 to 10 digits')
  assert.equal(errorMessage('en', { code: 'staff_number_invalid', field: 'staff_number' }), 'Enter your staff number: 4 to 10 digits')
})

test('moving a visit: every code the engine sends from a move has a message in both languages, none sending staff to staff', () => {
  const src = readFileSync(join(repoDir, 'crates/kiosk/src/journey/move_visit.rs'), 'utf8')
  const codes = [...src.matchAll(/UiErrors::page\("([a-z_]+)"\)/g)].map((m) => m[1])
  for (const code of ['move_same_session', 'prisoner_not_held', 'visitor_unknown', 'booking_not_live']) assert.ok(codes.includes(code), `${code} not in ${codes}`)
  // A booking rule's code can come back too: staff read those the page rewords for them.
  for (const code of [...new Set(codes), 'visitor_not_on_list']) {
    const shown = i18n.STAFF_CODES[code] ?? code
    for (const lang of ['en', 'cy']) {
      assert.ok(`err.${shown}` in i18n.tables[lang], `${lang} has no message for ${shown}`)
      assert.doesNotMatch(i18n.errorMessage(lang, { code: shown }), /member of staff|aelod o staff|ask staff|staff for help/i, `${lang} ${code}`)
    }
  }
})

test('reception desk: every code a desk refusal sends has a message in both languages; a visit’s day reads as a date', () => {
  const codes = codesIn('crates/kiosk/src/desk/mod.rs', 'code')
  for (const code of ['booking_not_live', 'attendance_before_visit_day', 'booking_arrived']) assert.ok(codes.includes(code), `${code} not in ${codes}`)
  for (const code of codes) {
    const shown = i18n.STAFF_CODES[code] ?? code
    for (const lang of ['en', 'cy']) assert.ok(`err.${shown}` in i18n.tables[lang], `${lang} has no message for ${shown}`)
  }
  const early = { code: 'attendance_before_visit_day', params: { date: '2026-11-28' } }
  assert.equal(i18n.errorMessage('en', early), 'This visit is on 28 November 2026. Mark who came on the day of the visit')
  assert.match(i18n.errorMessage('cy', early), /^Mae’r ymweliad hwn ar 28 Tachwedd 2026\./)
})

/**
 * The refusals (`EventRefusal`, as their wire codes) central's reception.rs gives in the function
 * `from`, read up to the function `to` that follows it.
 */
function refusalsIn(from, to) {
  const src = readFileSync(join(repoDir, 'crates/central/src/service/reception.rs'), 'utf8')
  const start = src.indexOf(`pub(super) async fn ${from}`)
  const end = src.indexOf(`pub(super) async fn ${to}`)
  assert.ok(start > 0 && end > start, `${from} is no longer where this test reads it`)
  const snake = (name) => name.replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase())
  return [...new Set([...src.slice(start, end).matchAll(/EventRefusal::([A-Za-z]+)/g)].map((m) => snake(m[1])))]
}

test('review queue: every refusal central sends back with a cancelled visit reads as a reason in both languages', () => {
  const refusals = refusalsIn('apply_booking_cancelled', 'apply_visit_attendance')
  for (const code of ['booking_arrived', 'actor_not_allowed', 'visit_day_passed']) assert.ok(refusals.includes(code), `${code} not in ${refusals}`)
  // A payload that does not parse, or a booking central does not hold: no visit comes back to
  // put in the queue.
  for (const code of refusals.filter((c) => !['invalid_payload', 'booking_not_found'].includes(c))) {
    for (const lang of ['en', 'cy']) assert.ok(`staff.review.cancellation_refused:${code}` in i18n.tables[lang], `${lang} has no review reason for ${code}`)
  }
})

test('visit history: every refusal central sends back for an arrival reads as a reason in both languages', () => {
  const refusals = refusalsIn('apply_visit_attendance', 'apply_review_resolved')
  for (const code of ['attendance_before_visit_day', 'actor_not_allowed', 'booking_not_live']) assert.ok(refusals.includes(code), `${code} not in ${refusals}`)
  // A payload that does not parse is a kiosk's fault, not a reason staff can act on.
  for (const code of [...refusals.filter((c) => c !== 'invalid_payload'), 'booking_not_found']) {
    for (const lang of ['en', 'cy']) assert.ok(`staff.arrival_refused.${code}` in i18n.tables[lang], `${lang} has no reason for ${code}`)
  }
  for (const lang of ['en', 'cy']) assert.ok('staff.history.arrival_refused' in i18n.tables[lang])
})
