// What a helper's booking records reaches reception's screens: the day's list flags the support
// the visitors need, and the booking's page says who booked it and how it was asked for, the
// main contact and the support, in English and Welsh, with axe-core and screenshots.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expectAccessible, expectTouchTargets, shoot, tapAndWait, useKiosks, expectScreen, i18n, RHYS } from './harness.mjs'
import { readyStaff, api, atStaffHome, kioskctl, showDayOf } from './staff-harness.mjs'

const rig = useKiosks()
const GWEN = { number: '2001', name: 'Gwen Morgan', role: 'reception', pin: '493817' }
const CAI = { number: '3001', pin: '581604' }
const t = (lang, key, params) => i18n.t(lang, key, params)

/** A helper who has chosen their PIN, then their booking for Rhys on Siân's behalf: its reference and date. */
async function helpersBooking(kiosk) {
  kioskctl(kiosk, ['staff', 'add', '--prison', 'CDF', '--number', CAI.number, '--name', 'Cai Morgan', '--role', 'helper',
    '--organisation', 'Visitor Centre Trust', '--expires-on', '2027-06-30', '--pin-stdin'], { input: '470215\n' })
  const first = await api(kiosk, 'staff_sign_in', { staff_number: CAI.number, pin: '470215' })
  assert.equal(first.status, 200, JSON.stringify(first.body))
  const token = first.body.token
  assert.equal((await api(kiosk, 'staff_change_pin', { token, new_pin: CAI.pin })).status, 200)
  const party = { prisoner: { number: RHYS.number, date_of_birth: RHYS.dob, surname: RHYS.surname }, visitors: [{ contact_id: 'C000001', first_name: '', last_name: '', date_of_birth: '' }] }
  const choice = await api(kiosk, 'available_sessions', party)
  const day = choice.body.days[0]
  const booked = await api(kiosk, 'helper_book', {
    token,
    request: {
      prison: 'CDF',
      ...party,
      session: day.sessions[0].id,
      request_method: 'by_prisoner',
      main_contact: { name: 'Siân Evans', phone: '07911 123456', email: 'sian@example.org', language: 'cy' },
      support: { needs: ['wheelchair', 'other'], other: 'A seat near the door' },
    },
  })
  assert.equal(booked.status, 200, JSON.stringify(booked.body))
  await api(kiosk, 'staff_sign_out', { token })
  return { reference: booked.body.reference, date: day.date }
}

for (const lang of ['en', 'cy']) {
  test(`reception (${lang}) sees who booked a visit for someone, its main contact and the support needed`, async () => {
    const kiosk = await rig.startKiosk({ prison: 'CDF' })
    await readyStaff(kiosk, GWEN)
    const visit = await helpersBooking(kiosk)
    const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin, { lang })
    await tapAndWait(page, '[data-action=task][data-screen=staff-today]')
    await showDayOf(page, visit.date)
    const row = page.locator('tr', { hasText: visit.reference })
    const support = `${t(lang, 'support.wheelchair')}; ${t(lang, 'support.other')}: A seat near the door`
    assert.match(await row.innerText(), new RegExp(t(lang, 'staff.support.tag')))
    assert.ok((await row.innerText()).includes(support), await row.innerText())
    await expectAccessible(page, `today with support (${lang})`)
    await shoot(page, `staff-${lang}-7-today-support`)

    await tapAndWait(page, `[data-action=view][data-reference="${visit.reference}"]`)
    await expectScreen(page, 'staff-booking')
    const main = await page.locator('main').innerText()
    for (const expected of [
      t(lang, 'staff.booking.booked_by.value', { name: 'Cai Morgan', organisation: 'Visitor Centre Trust' }),
      t(lang, 'method.by_prisoner'),
      'Siân Evans',
      '07911 123456',
      'sian@example.org',
      t(lang, 'contact.language.cy'),
      // The booking page lists the needs a line each.
      ...support.split('; '),
    ]) {
      assert.ok(main.includes(expected), `missing ${expected} in ${main}`)
    }
    await expectAccessible(page, `booking page with details (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `staff-${lang}-8-booking-details`)
  })
}
