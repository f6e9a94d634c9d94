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
  // "PIN" and "Staff" are the same words in Welsh; two keys are only punctuation around values.
  const sameOnPurpose = new Set(['keyboard.accents', 'keyboard.letters', 'staff.pin', 'staff.area', 'staff.today.session', 'staff.accounts.action.label'])
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
  assert.equal(
    errorMessage('cy', { code: 'visitor_banned', field: 'visitors[1]', params: { until: '2027-06-30' } }),
    'Ni all y person hwn ymweld tan ar ôl 30 Mehefin 2027',
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
