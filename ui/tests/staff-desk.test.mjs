// Reception's and supervisors' screens against the real engine: today's visits with arrivals,
// find a booking, its page, cancel, requests and review, kiosk health, staff accounts; role
// limits in the page and in the engine; each screen in English and Welsh with axe-core and
// screenshots; the audit entries each action writes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RHYS, VIEWPORTS, expectScreen, expectAccessible, expectTouchTargets, expectErrors, shoot, tapAndWait, useKiosks, checkAndClose, i18n, mistyped } from './harness.mjs'
import { readyStaff, api, atStaffHome, auditSoon, bookOne, kioskctl, showDayOf } from './staff-harness.mjs'

const rig = useKiosks()
const GWEN = { number: '2001', name: 'Gwen Morgan', role: 'reception', pin: '493817' }
const DAFYDD = { number: '1001', name: 'Dafydd Rees', role: 'supervisor', pin: '750396' }
const t = (lang, key, params) => i18n.t(lang, key, params)

async function setUp() {
  const kiosk = await rig.startKiosk({ prison: 'CDF' })
  await readyStaff(kiosk, GWEN)
  await readyStaff(kiosk, DAFYDD)
  const visit = await bookOne(kiosk)
  return { kiosk, visit }
}

/** A visit today (kiosk-web's clock: Wednesday 25 November), booked with kioskctl four days before. */
function bookToday(kiosk) {
  const request = {
    prison: 'CDF',
    prisoner: { number: RHYS.number, date_of_birth: RHYS.dob, surname: RHYS.surname },
    visitors: [{ contact_id: 'C000001', first_name: '', last_name: '', date_of_birth: '' }],
    session: 'CDF-WED-AM/2026-11-25',
  }
  const booked = JSON.parse(kioskctl(kiosk, ['book'], { input: JSON.stringify(request), now: '2026-11-21T10:00:00Z' }))
  assert.equal(booked.status, 'booked', JSON.stringify(booked))
  return { reference: booked.reference, date: '2026-11-25' }
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

for (const lang of ['en', 'cy']) {
  test(`reception (${lang}): today's visits and an arrival, find, the booking's page, cancel with a reason`, async () => {
    const { kiosk, visit } = await setUp()
    const today = bookToday(kiosk)
    const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin, { lang })
    // Reception's tasks, and not a supervisor's.
    const tasks = await page.locator('[data-action=task]').allInnerTexts()
    assert.deepEqual(tasks.map((s) => s.trim()), ['staff.task.today', 'staff.task.find', 'staff.task.review', 'staff.task.health'].map((k) => t(lang, k)))
    await look(page, '3-home-reception', lang)

    await openTask(page, 'staff-today')
    await look(page, '7-today', lang)
    // Today's visit: its visitors are marked arrived.
    const counts = page.locator('.kiosk-counts').filter({ has: page.locator('li') }).first()
    assert.match(await page.locator('main').innerText(), new RegExp(t(lang, 'staff.today.arrived_count', { arrived: 0, n: 1 })))
    await tapAndWait(page, `[data-action=attendance][data-reference="${today.reference}"][data-attendance=arrived]`)
    assert.match(await page.locator('main').innerText(), new RegExp(t(lang, 'staff.today.arrived_count', { arrived: 1, n: 1 })))
    assert.ok(await counts.isVisible())
    await look(page, '7-today-visits', lang)
    // On a portrait kiosk the visits' table fits the screen: nothing runs off its right edge.
    await page.setViewportSize(VIEWPORTS.portrait)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a portrait screen`)
    const buttons = await page.locator('.kiosk-visits [data-action=attendance]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))
    assert.ok(buttons.length > 0 && buttons.every((r) => r <= 1080), `${buttons}`)
    await page.setViewportSize(VIEWPORTS.landscape)
    // The day's list and its passes go to the printer; this kiosk has none, and staff read why.
    for (const what of ['list', 'passes']) {
      await tapAndWait(page, `[data-action=print-day][data-what=${what}]`)
      await expectErrors(page, [i18n.errorMessage(lang, { code: 'staff_print_failed', params: { reason: t(lang, 'staff.printer.printer_not_configured') } })])
    }
    // Another day, typed on the keypad's boxes: Saturday's visit, whose arrivals are marked that
    // day, not before, so its row offers none.
    await showDayOf(page, visit.date)
    const row = page.locator('tr', { hasText: visit.reference })
    assert.match(await row.innerText(), /Siân Evans/)
    assert.match(await row.innerText(), /Rhys Evans \(A1234BC\)/)
    // One adult and no children, in the words of the language.
    assert.match(await row.innerText(), new RegExp(lang === 'en' ? '1 adult, no children' : '1 oedolyn, dim plant'))
    assert.equal(await page.locator('[data-action=attendance]').count(), 0, 'no arrivals offered before the visit\'s day')
    // A date that is not one: the page says so.
    await page.fill('#day-date-day', '31')
    await page.fill('#day-date-month', '2')
    await page.fill('#day-date-year', '2027')
    await tapAndWait(page, '[data-action=show-day]')
    await expectErrors(page, [i18n.errorMessage(lang, { code: 'staff_date_invalid', field: 'date' })])
    await tapAndWait(page, 'main [data-action=back]')
    await expectScreen(page, 'staff-home')

    await openTask(page, 'staff-find')
    await page.fill('#find-query', mistyped(visit.reference).replace('-', ''))
    await tapAndWait(page, 'main button[type=submit]')
    assert.ok(await page.locator('.govuk-error-summary').isVisible(), 'a mistyped reference is caught')
    await page.fill('#find-query', 'Evans')
    await tapAndWait(page, 'main button[type=submit]')
    assert.match(await page.locator('main').innerText(), new RegExp(visit.reference))
    await look(page, '8-find', lang)
    await tapAndWait(page, `[data-action=view][data-reference="${visit.reference}"]`)
    await expectScreen(page, 'staff-booking')
    assert.match(await page.locator('h1').innerText(), new RegExp(visit.reference))
    await look(page, '9-booking', lang)

    await tapAndWait(page, '[data-action=cancel]')
    await expectScreen(page, 'staff-cancel')
    await look(page, '10-cancel', lang)
    await page.click('label[for=cancel-reason]')
    await page.waitForSelector('#cancel-how')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [i18n.errorMessage(lang, { code: 'cancel_how_required', field: 'how' })])
    await look(page, '10-cancel-error', lang)
    await page.click('label[for=cancel-how-2]')
    await page.fill('#cancel-note', 'Rang to say the car broke down')
    assert.match(await page.locator('#cancel-note-info').innerText(), new RegExp(t(lang, 'staff.cancel.note.count', { n: 512 - 30 })))
    await tapAndWait(page, 'main button[type=submit]')
    await expectScreen(page, 'staff-booking')
    assert.match(await page.locator('#booking-note').innerText(), new RegExp(t(lang, 'staff.cancel.done')))
    assert.match(await page.locator('.govuk-summary-list').innerText(), new RegExp(t(lang, 'staff.status.cancelled')))
    // Who cancelled, by name, with their number beside it: on the page and in its history.
    assert.ok((await page.locator('.govuk-summary-list').innerText()).includes('Gwen Morgan (2001)'))
    assert.ok((await page.locator('main table').innerText()).includes(t(lang, 'staff.history.by', { by: 'Gwen Morgan (2001)' })))
    assert.equal(await page.locator('[data-action=cancel]').count(), 0)
    await look(page, '9-booking-cancelled', lang)

    await tapAndWait(page, '[data-action=sign-out]')
    await expectScreen(page, 'start')
    const entries = await auditSoon(kiosk, 1)
    for (const action of ['arrival 2001', 'search 2001', 'view 2001', 'cancel 2001', 'sign_out 2001']) assert.ok(entries.includes(action), `${action} not in ${entries}`)
    await checkAndClose(page)
  })
}

for (const lang of ['en', 'cy']) {
  test(`requests and review, kiosk health (${lang}); staff accounts for a supervisor only`, async () => {
    const { kiosk } = await setUp()
    const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin, { lang })
    await openTask(page, 'staff-review')
    await look(page, '11-review', lang)
    await tapAndWait(page, 'main [data-action=back]')
    await openTask(page, 'staff-health')
    assert.match(await page.locator('.govuk-summary-list').innerText(), new RegExp(t(lang, 'staff.printer.printer_not_configured')))
    await look(page, '12-health', lang)
    await tapAndWait(page, '[data-action=test-print]')
    await expectErrors(page, [i18n.errorMessage(lang, { code: 'staff_print_failed', params: { reason: t(lang, 'staff.printer.printer_not_configured') } })])
    await tapAndWait(page, '[data-action=sign-out]')
    await checkAndClose(page)

    // A supervisor sees staff accounts, and can unlock, disable, reset.
    const sup = await atStaffHome(rig.browser, kiosk, DAFYDD.number, DAFYDD.pin, { lang })
    await openTask(sup, 'staff-accounts')
    assert.match(await sup.locator('main').innerText(), /Gwen Morgan/)
    await look(sup, '13-accounts', lang)
    await tapAndWait(sup, '[data-action=account][data-change=reset_pin][data-number="2001"]')
    assert.match(await sup.locator('#account-note').innerText(), /\d{6}/)
    await look(sup, '13-accounts-reset', lang)
    await tapAndWait(sup, '[data-action=sign-out]')
    await checkAndClose(sup)
  })
}

test('roles in the engine: a reception token calling a supervisor command is refused with not_allowed', async () => {
  const { kiosk } = await setUp()
  const reception = await api(kiosk, 'staff_sign_in', { staff_number: GWEN.number, pin: GWEN.pin })
  for (const [command, body] of [
    ['staff_accounts', {}],
    ['staff_account_change', { action: 'unlock', staff_number: DAFYDD.number }],
  ]) {
    const answer = await api(kiosk, command, { token: reception.body.token, ...body })
    assert.equal(answer.status, 422, command)
    assert.deepEqual(answer.body.errors.map((e) => e.code), ['not_allowed'], command)
  }
  await api(kiosk, 'staff_sign_out', { token: reception.body.token })
})

for (const lang of ['en', 'cy']) {
  test(`move a visit (${lang}): another session for the same visitors, the new booking's page, the old one cancelled`, async () => {
    const { kiosk, visit } = await setUp()
    const today = bookToday(kiosk)
    const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin, { lang })
    await openTask(page, 'staff-find')
    await page.fill('#find-query', visit.reference)
    await tapAndWait(page, 'main button[type=submit]')
    await tapAndWait(page, `[data-action=view][data-reference="${visit.reference}"]`)
    await expectScreen(page, 'staff-booking')
    await tapAndWait(page, '[data-action=move]')
    await expectScreen(page, 'staff-move')
    // The visitor's time screen's choice, the visit's own session left out.
    const offered = await page.locator('input[name=session]').evaluateAll((inputs) => inputs.map((i) => i.value))
    assert.ok(offered.length > 1, `${offered}`)
    assert.ok(!offered.includes(visit.session), `${visit.session} offered again`)
    await look(page, '18-move', lang)
    // Nothing chosen: the page says so, at the radios.
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [i18n.errorMessage(lang, { code: 'session_required', field: 'session' })])
    await look(page, '18-move-error', lang)
    await page.click('label[for=session-group]')
    await tapAndWait(page, 'main button[type=submit]')
    await expectScreen(page, 'staff-booking')
    const heading = await page.locator('h1').innerText()
    const moved = /([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(heading)?.[1]
    assert.ok(moved && moved !== visit.reference, heading)
    assert.match(await page.locator('#booking-note').innerText(), new RegExp(t(lang, 'staff.move.done', { from: visit.reference }).replace(/[.;]/g, '.')))
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'booking-note')
    const summary = await page.locator('.govuk-summary-list').innerText()
    assert.match(summary, /Siân Evans/)
    assert.match(summary, /Rhys Evans \(A1234BC\)/)
    assert.ok(!summary.includes(t(lang, 'staff.status.cancelled')), summary)
    await look(page, '18-moved', lang)
    // The slip for the new visit: this kiosk has no printer, and staff read why.
    await tapAndWait(page, '#booking-note [data-action=reprint]')
    await expectErrors(page, [i18n.errorMessage(lang, { code: 'staff_print_failed', params: { reason: t(lang, 'staff.printer.printer_not_configured') } })])

    // The old visit: cancelled, and it cannot move again.
    await tapAndWait(page, 'main [data-action=back]')
    await page.fill('#find-query', visit.reference)
    await tapAndWait(page, 'main button[type=submit]')
    await tapAndWait(page, `[data-action=view][data-reference="${visit.reference}"]`)
    const old = await page.locator('.govuk-summary-list').innerText()
    assert.match(old, new RegExp(t(lang, 'staff.status.cancelled')))
    assert.match(old, new RegExp(t(lang, 'staff.reason.details_changed')))
    assert.equal(await page.locator('[data-action=move]').count(), 0)
    assert.equal(await page.locator('[data-action=cancel]').count(), 0)
    await look(page, '18-moved-old', lang)

    // A move the engine refuses after the screen was drawn: its message, GOV.UK style, and the
    // visit stays where it is.
    await tapAndWait(page, 'main [data-action=back]')
    await page.fill('#find-query', moved)
    await tapAndWait(page, 'main button[type=submit]')
    await tapAndWait(page, `[data-action=view][data-reference="${moved}"]`)
    await tapAndWait(page, '[data-action=move]')
    await expectScreen(page, 'staff-move')
    const other = await api(kiosk, 'staff_sign_in', { staff_number: DAFYDD.number, pin: DAFYDD.pin })
    const cancelled = await api(kiosk, 'staff_cancel', { token: other.body.token, reference: moved, reason: 'administrative_error', print_slip: false, lang })
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body))
    await page.click('label[for=session-group]')
    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [i18n.errorMessage(lang, { code: 'booking_not_live' })])
    await expectScreen(page, 'staff-move')

    // The engine's own refusals, with their messages in both languages.
    const fresh = await bookOne(kiosk)
    const same = await api(kiosk, 'staff_move', { token: other.body.token, reference: fresh.reference, session: fresh.session })
    assert.equal(same.status, 422)
    assert.deepEqual(same.body.errors.map((e) => e.code), ['move_same_session'])
    await api(kiosk, 'staff_sign_out', { token: other.body.token })
    for (const code of ['move_same_session', 'prisoner_not_held', 'visitor_unknown', 'move_visitor_not_on_list']) {
      const message = i18n.errorMessage(lang, { code })
      assert.notEqual(message, t(lang, 'err.kiosk_unavailable'), code)
    }

    await tapAndWait(page, '[data-action=sign-out]')
    const entries = await auditSoon(kiosk, 1)
    assert.ok(entries.includes('cancel 2001'), entries.join(', '))
    await checkAndClose(page)
  })
}
