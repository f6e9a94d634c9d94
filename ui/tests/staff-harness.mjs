// Shared by the staff tests: accounts made with the real `kioskctl staff`, sign-in through the
// page (the long press on the header, the keypad), direct calls of the engine's commands over
// HTTP, and the kiosk's audit log as kioskctl prints it.

import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import assert from 'node:assert/strict'
import { kioskctlBinary, expectScreen, tapAndWait, openIn, NOW, RHYS } from './harness.mjs'

export const dbOf = (kiosk) => join(kiosk.dir, 'kiosk.db')

/** `kioskctl --db <store> <args>` on kiosk-web's fixed clock (or `now`), its standard output. */
export function kioskctl(kiosk, args, { input, now = NOW } = {}) {
  return execFileSync(kioskctlBinary(), ['--db', dbOf(kiosk), '--now', now, ...args], { encoding: 'utf8', input })
}

/**
 * Adds an account with a one-time PIN, as an operator does: it must choose a new PIN first. A
 * helper's account has an organisation and a last day.
 */
export function addStaff(kiosk, { number, name, role, pin, organisation, expiresOn }) {
  const helper = organisation ? ['--organisation', organisation, '--expires-on', expiresOn ?? '2027-06-30'] : []
  kioskctl(kiosk, ['staff', 'add', '--prison', 'CDF', '--number', number, '--name', name, '--role', role, ...helper, '--pin-stdin'], { input: `${pin}\n` })
}

/** POST /api/<command>: the status and the JSON answer. */
export async function api(kiosk, command, body) {
  const response = await fetch(new URL(`api/${command}`, kiosk.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

/**
 * An account that has already chosen its own PIN (signed in once over the API, changed the
 * one-time PIN, signed out), so a test can go straight to the staff home.
 */
export async function readyStaff(kiosk, { number, name, role, pin, organisation }) {
  const oneTime = '470215'
  addStaff(kiosk, { number, name, role, pin: oneTime, organisation })
  const signedIn = await api(kiosk, 'staff_sign_in', { staff_number: number, pin: oneTime })
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body))
  const changed = await api(kiosk, 'staff_change_pin', { token: signedIn.body.token, new_pin: pin })
  assert.equal(changed.status, 200, JSON.stringify(changed.body))
  await api(kiosk, 'staff_sign_out', { token: signedIn.body.token })
}

/** Holds the pointer down on an element for `ms`, as a finger would. */
export async function longPress(page, selector, ms) {
  // The header is drawn again as a staff session ends: wait for the one on show (a box of a
  // header being replaced is null, which failed the sign-out test now and then).
  const target = page.locator(selector)
  await target.waitFor({ state: 'visible' })
  const box = await target.boundingBox()
  await page.mouse.move(box.x + 8, box.y + box.height / 2)
  await page.mouse.down()
  await page.waitForTimeout(ms)
  await page.mouse.up()
}

/** From the start screen to the staff sign-in: the header held for two seconds and more. */
export async function openSignIn(page) {
  await longPress(page, '.kiosk-header__service', 2300)
  await expectScreen(page, 'staff-sign-in')
}

/** Types digits with the on-screen number keypad into a field, as staff do. */
export async function typeDigits(page, selector, digits) {
  await page.click(selector)
  await page.waitForSelector('#keyboard.kiosk-keyboard--numeric:not([hidden])')
  for (const d of digits) await page.click(`#keyboard button[data-key="${d}"]`)
}

/** Fills the sign-in form and sends it; resolves once the answer is drawn. */
export async function signInWith(page, number, pin) {
  await page.fill('#staff-number', number)
  await page.fill('#staff-pin', pin)
  await tapAndWait(page, 'main button[type=submit]')
}

/** A new page, in `lang`, signed in as `number` (an account that has chosen its PIN): on the staff home. */
export async function atStaffHome(browser, kiosk, number, pin, { lang = 'en', ...options } = {}) {
  const page = await openIn(browser, kiosk, lang, options)
  await openSignIn(page)
  await signInWith(page, number, pin)
  await expectScreen(page, 'staff-home')
  return page
}

/** The kiosk's audit log, oldest first, as `kioskctl audit` prints it. */
export function audit(kiosk) {
  return JSON.parse(kioskctl(kiosk, ['audit']))
}

/**
 * The audit log's entries as "action staff_number" once it has `count` of them: a sign-out is
 * sent after the page has already gone back to the start, so it lands a moment later.
 */
export async function auditSoon(kiosk, count) {
  const brief = () => audit(kiosk).map((e) => [e.action, e.staff_number].filter(Boolean).join(' '))
  for (let i = 0; i < 40; i += 1) {
    const entries = brief()
    if (entries.length >= count) return entries
    await new Promise((r) => setTimeout(r, 100))
  }
  return brief()
}

/** Everything in the page a person or a script could read: markup (no scripts), title, storage. */
export async function pageLeftovers(page) {
  return page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true)
    copy.querySelectorAll('script').forEach((s) => s.remove())
    return {
      html: copy.outerHTML + document.title,
      local: localStorage.length,
      session: sessionStorage.length,
      cookies: document.cookie,
    }
  })
}

/** Books Rhys Evans's visit with Siân (on his list) at the first time offered; its reference and date. */
export async function bookOne(kiosk) {
  const party = { prisoner: { number: RHYS.number, date_of_birth: RHYS.dob, surname: RHYS.surname }, visitors: [{ contact_id: 'C000001', first_name: '', last_name: '', date_of_birth: '' }] }
  const choice = await api(kiosk, 'available_sessions', party)
  assert.equal(choice.status, 200, JSON.stringify(choice.body))
  const day = choice.body.days[0]
  const booked = await api(kiosk, 'book', { prison: 'CDF', ...party, session: day.sessions[0].id })
  assert.equal(booked.status, 200, JSON.stringify(booked.body))
  return { reference: booked.body.reference, date: day.date, session: day.sessions[0].id }
}

/** On the staff-today screen: types `date` (YYYY-MM-DD) on the keypad's three boxes and shows that day's visits. */
export async function showDayOf(page, date) {
  const [y, m, d] = date.split('-')
  await page.fill('#day-date-day', d)
  await page.fill('#day-date-month', m)
  await page.fill('#day-date-year', y)
  await tapAndWait(page, '[data-action=show-day]')
}
