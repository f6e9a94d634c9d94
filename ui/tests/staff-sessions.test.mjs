// A supervisor's Sessions screen and the add-an-account form against the real engine, in English
// and Welsh with axe-core and screenshots; role limits in the page and in the engine; a sign-out
// from every staff screen. The kiosk-web here is not enrolled with central, so closing a session
// or changing its tables is refused with not_enrolled, and the page says so; the online path
// (central answering, tables_below_booked) is the engine's scenario test
// (tests/scenarios/tests/sessions.rs).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expectScreen, expectAccessible, expectTouchTargets, expectErrors, shoot, tapAndWait, useKiosks, checkAndClose, fillDate, i18n } from './harness.mjs'
import { readyStaff, api, atStaffHome, auditSoon, bookOne, openSignIn, signInWith, pageLeftovers } from './staff-harness.mjs'

const rig = useKiosks()
const GWEN = { number: '2001', name: 'Gwen Morgan', role: 'reception', pin: '493817' }
const DAFYDD = { number: '1001', name: 'Dafydd Rees', role: 'supervisor', pin: '750396' }
const t = (lang, key, params) => i18n.t(lang, key, params)
const msg = (lang, code, field, params = {}) => i18n.errorMessage(lang, { code, field, params })

async function setUp() {
  const kiosk = await rig.startKiosk({ prison: 'CDF' })
  await readyStaff(kiosk, GWEN)
  await readyStaff(kiosk, DAFYDD)
  const visit = await bookOne(kiosk)
  return { kiosk, visit }
}

async function openTask(page, screen) {
  await tapAndWait(page, `[data-action=task][data-screen=${screen}]`)
  await expectScreen(page, screen)
}

async function look(page, name, lang) {
  await expectAccessible(page, `${name} (${lang})`)
  await expectTouchTargets(page)
  await shoot(page, `staff-${lang}-${name}`)
}

const mainText = (page) => page.locator('main').innerText()

for (const lang of ['en', 'cy']) {
  test(`sessions (${lang}): four weeks with booked of capacity, a closure and a table change refused plainly when the kiosk is not enrolled`, async () => {
    const { kiosk, visit } = await setUp()
    const page = await atStaffHome(rig.browser, kiosk, DAFYDD.number, DAFYDD.pin, { lang })
    await openTask(page, 'staff-sessions')
    assert.match(await mainText(page), new RegExp(t(lang, 'staff.sessions.lead', { from: i18n.formatDay(lang, '2026-11-25'), to: i18n.formatDay(lang, '2026-12-22') })))
    // The booked visit counts in its session: one of its open tables.
    const booked = page.locator('tr', { has: page.locator(`[data-action=close][data-session="${visit.session}"]`) })
    assert.match(await booked.innerText(), new RegExp(t(lang, 'staff.sessions.booked', { kind: t(lang, 'staff.kind.open'), booked: 1, n: 20 })))
    // The demo's closed session says why, and offers no Close.
    const closed = page.locator('tr', { hasText: 'Staff training' })
    assert.match(await closed.innerText(), new RegExp(t(lang, 'staff.sessions.closed', { reason: 'Staff training' })))
    assert.equal(await closed.locator('[data-action=close]').count(), 0)
    await look(page, '14-sessions', lang)

    // Close one session: a reason is needed, then central is needed.
    await tapAndWait(page, `[data-action=close][data-session="${visit.session}"]`)
    await expectScreen(page, 'staff-session-close')
    assert.match(await page.locator('.govuk-warning-text').innerText(), new RegExp(t(lang, 'staff.close.booked', { n: 1 })))
    await look(page, '15-session-close', lang)
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'closure_reason_invalid', 'reason')])
    assert.deepEqual(await page.locator('#close-reason-error').count(), 1, 'the error is on the reason')
    await page.click('label[for=close-reason]')
    await page.fill('#close-note', 'Search of the wing')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'not_enrolled')])
    // What was chosen and typed is still there to try again.
    assert.equal(await page.locator('#close-reason').isChecked(), true)
    assert.equal(await page.locator('#close-note').inputValue(), 'Search of the wing')
    await look(page, '15-session-close-refused', lang)
    await tapAndWait(page, 'main [data-action=back]')
    await expectScreen(page, 'staff-sessions')

    // A whole day.
    await tapAndWait(page, `[data-action=close-day][data-date="${visit.date}"]`)
    await expectScreen(page, 'staff-session-close')
    assert.match(await page.locator('h1').innerText(), new RegExp(t(lang, 'staff.close.heading.day', { date: i18n.formatDay(lang, visit.date) })))
    await page.click('label[for=close-reason-2]')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'not_enrolled')])
    await tapAndWait(page, 'main [data-action=back]')

    // A session's tables: a number, and the booked ones in the hint.
    await tapAndWait(page, `[data-action=tables][data-session="${visit.session}"]`)
    await expectScreen(page, 'staff-session-tables')
    assert.equal(await page.locator('#tables-count').inputValue(), '20')
    assert.match(await page.locator('#tables-count-hint').innerText(), new RegExp(t(lang, 'staff.tables.count.hint', { booked: 1, held: 0, min: 1, usual: 20 })))
    await look(page, '16-session-tables', lang)
    // The closed visit tables: their own number.
    await page.click('label[for=tables-kind-2]')
    await page.waitForFunction(() => document.querySelector('#tables-count')?.value === '2')
    await page.fill('#tables-count', 'lots')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'staff_tables_invalid', 'tables')])
    assert.equal(await page.locator('#tables-count-error').count(), 1, 'the error is on the number')
    await page.fill('#tables-count', '3')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'not_enrolled')])
    await look(page, '16-session-tables-refused', lang)

    await tapAndWait(page, '[data-action=sign-out]')
    await expectScreen(page, 'start')
    const entries = await auditSoon(kiosk, 1)
    // Nothing was closed or changed, so nothing of the kind is audited.
    assert.ok(!entries.some((e) => /^(closure|tables_changed)/.test(e)), entries.join(', '))
    await checkAndClose(page)
  })
}

test('sessions are a supervisor’s: reception has no such task, and the engine refuses its token', async () => {
  const { kiosk, visit } = await setUp()
  const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin)
  assert.equal(await page.locator('[data-action=task][data-screen=staff-sessions]').count(), 0)
  await tapAndWait(page, '[data-action=sign-out]')
  await checkAndClose(page)
  const reception = await api(kiosk, 'staff_sign_in', { staff_number: GWEN.number, pin: GWEN.pin })
  for (const [command, body] of [
    ['staff_sessions', {}],
    ['staff_close', { session: visit.session, reason: 'lockdown' }],
    ['staff_set_tables', { session: visit.session, kind: 'open', tables: 30 }],
    ['staff_account_change', { action: 'add', staff_number: '3001', name: 'Nia Jones', role: 'supervisor' }],
  ]) {
    const answer = await api(kiosk, command, { token: reception.body.token, ...body })
    assert.equal(answer.status, 422, command)
    assert.deepEqual(answer.body.errors.map((e) => e.code), ['not_allowed'], command)
  }
  await api(kiosk, 'staff_sign_out', { token: reception.body.token })
})

for (const lang of ['en', 'cy']) {
  test(`add an account (${lang}): errors on their fields, a helper's organisation and end date, the one-time PIN shown once`, async () => {
    const { kiosk } = await setUp()
    const page = await atStaffHome(rig.browser, kiosk, DAFYDD.number, DAFYDD.pin, { lang })
    await openTask(page, 'staff-accounts')
    await tapAndWait(page, '[data-action=add]')
    await expectScreen(page, 'staff-account-add')
    await look(page, '17-account-add', lang)
    // The engine checks the number first, on its own.
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'staff_number_invalid', 'account_number')])
    assert.equal(await page.locator('#account-number-error').count(), 1)
    await page.fill('#account-number', '2001')
    await page.fill('#account-name', 'Nia Jones')
    await page.click('label[for=account-role]')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'staff_account_exists', 'account_number')])
    // Then every other field at once.
    await page.fill('#account-number', '3001')
    await page.fill('#account-name', '')
    await page.click('label[for=account-role-3]')
    await page.waitForSelector('#account-organisation')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [
      msg(lang, 'name_empty', 'account_name'),
      msg(lang, 'helper_needs_organisation_and_expiry', 'organisation'),
      msg(lang, 'helper_needs_organisation_and_expiry', 'expires_on'),
    ])
    await look(page, '17-account-add-errors', lang)
    await page.fill('#account-name', 'Nia Jones')
    await page.fill('#account-organisation', 'PACT')
    await fillDate(page, 'account-expires', '2027-12-31')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'expiry_out_of_range', 'expires_on')])
    await fillDate(page, 'account-expires', '2027-06-01')
    await tapAndWait(page, 'main button[type=submit]')
    await expectScreen(page, 'staff-accounts')
    const note = await page.locator('#account-note').innerText()
    const pin = /\b(\d{6,12})\b/.exec(note)?.[1]
    assert.ok(pin, `no one-time PIN in ${note}`)
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'account-note')
    const row = await page.locator('tr', { hasText: 'Nia Jones' }).innerText()
    assert.match(row, /3001/)
    assert.match(row, /PACT/)
    assert.match(row, new RegExp(t(lang, 'staff.accounts.until', { date: i18n.formatDate(lang, '2027-06-01') })))
    await look(page, '13-accounts-added', lang)
    // Shown once: back on the list after leaving, the PIN is gone.
    await tapAndWait(page, '[data-action=add]')
    await tapAndWait(page, 'main [data-action=back]')
    await expectScreen(page, 'staff-accounts')
    assert.ok(!(await mainText(page)).includes(pin), 'the one-time PIN is shown again')
    await tapAndWait(page, '[data-action=sign-out]')
    await checkAndClose(page)
    // The PIN works once, and asks for a new one.
    const first = await api(kiosk, 'staff_sign_in', { staff_number: '3001', pin })
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.equal(first.body.must_change_pin, true)
    const entries = await auditSoon(kiosk, 1)
    assert.ok(entries.includes('account_change 1001'), entries.join(', '))
  })
}

test('sign out from every staff screen: back to the start with nothing of the session left', async () => {
  const { kiosk, visit } = await setUp()
  // The way to each screen from the staff home, as taps.
  const routes = {
    'staff-home': [],
    'staff-pin': ['[data-action=change-pin]'],
    'staff-today': ['[data-action=task][data-screen=staff-today]'],
    'staff-find': ['[data-action=task][data-screen=staff-find]'],
    'staff-booking': ['[data-action=task][data-screen=staff-review]', `[data-action=view][data-reference="${visit.reference}"]`],
    'staff-cancel': ['[data-action=task][data-screen=staff-review]', `[data-action=view][data-reference="${visit.reference}"]`, '[data-action=cancel]'],
    'staff-move': ['[data-action=task][data-screen=staff-review]', `[data-action=view][data-reference="${visit.reference}"]`, '[data-action=move]'],
    'staff-review': ['[data-action=task][data-screen=staff-review]'],
    'staff-health': ['[data-action=task][data-screen=staff-health]'],
    'staff-sessions': ['[data-action=task][data-screen=staff-sessions]'],
    'staff-session-close': ['[data-action=task][data-screen=staff-sessions]', `[data-action=close][data-session="${visit.session}"]`],
    'staff-session-tables': ['[data-action=task][data-screen=staff-sessions]', `[data-action=tables][data-session="${visit.session}"]`],
    'staff-accounts': ['[data-action=task][data-screen=staff-accounts]'],
    'staff-account-add': ['[data-action=task][data-screen=staff-accounts]', '[data-action=add]'],
    'staff-settings': ['[data-action=task][data-screen=staff-settings]'],
  }
  const page = await atStaffHome(rig.browser, kiosk, DAFYDD.number, DAFYDD.pin)
  // The requested visit is in the review queue only when it waits for central: find it instead.
  const review = await api(kiosk, 'staff_sign_in', { staff_number: DAFYDD.number, pin: DAFYDD.pin })
  const queue = await api(kiosk, 'staff_review', { token: review.body.token })
  await api(kiosk, 'staff_sign_out', { token: review.body.token })
  const inQueue = queue.status === 200 && JSON.stringify(queue.body).includes(visit.reference)
  if (!inQueue) {
    for (const screen of ['staff-booking', 'staff-cancel', 'staff-move']) {
      routes[screen] = ['[data-action=task][data-screen=staff-today]', `[data-action=view][data-reference="${visit.reference}"]`, ...routes[screen].slice(2)]
    }
  }
  let first = true
  for (const [screen, taps] of Object.entries(routes)) {
    if (!first) {
      await openSignIn(page)
      await signInWith(page, DAFYDD.number, DAFYDD.pin)
      await expectScreen(page, 'staff-home')
    }
    first = false
    for (const tap of taps) {
      if (screen === 'staff-booking' || screen === 'staff-cancel' || screen === 'staff-move') {
        // Today shows the prison's today: the booked visit is on another day.
        if (tap.includes('view') && !inQueue) await showDay(page, visit.date)
      }
      await tapAndWait(page, tap)
    }
    await expectScreen(page, screen)
    await tapAndWait(page, 'header [data-action=sign-out]')
    await expectScreen(page, 'start')
    const left = await pageLeftovers(page)
    for (const personal of [DAFYDD.name, 'Dafydd', DAFYDD.number, visit.reference]) assert.ok(!left.html.includes(personal), `${personal} still in the page after signing out of ${screen}`)
    assert.equal(left.local + left.session, 0, screen)
  }
  const entries = await auditSoon(kiosk, 1)
  assert.ok(entries.filter((e) => e === 'sign_out 1001').length >= Object.keys(routes).length, entries.join(', '))
  await checkAndClose(page)
})

async function showDay(page, iso) {
  await fillDate(page, 'day-date', iso)
  await tapAndWait(page, '[data-action=show-day]')
}

test('a language or text-size switch on Today: someone typing a date goes back to the box, with the keypad; anyone else stays on the switch', async () => {
  const { kiosk } = await setUp()
  const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin)
  await openTask(page, 'staff-today')
  await page.click('#day-date-day')
  await page.click('#keyboard button[data-key="2"]')
  await page.click('[data-action=lang]')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'day-date-day')
  assert.equal(await page.locator('#day-date-day').inputValue(), '2')
  assert.equal(await page.locator('#keyboard').isVisible(), true)
  assert.equal(await page.locator('html').getAttribute('lang'), 'cy')
  await page.click('#keyboard button[data-key="8"]')
  assert.equal(await page.locator('#day-date-day').inputValue(), '28')
  await page.click('[data-action=text-size]')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'day-date-day')
  // Done closes the keypad; a switch then keeps the focus itself.
  await page.click('#keyboard button[data-key="Done"]')
  await page.click('[data-action=text-size]')
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.action), 'text-size')
  assert.equal(await page.locator('#keyboard').isVisible(), false)
  await tapAndWait(page, '[data-action=sign-out]')
  await checkAndClose(page)
})
