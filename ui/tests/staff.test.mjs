// Staff at the kiosk: the way in (a long press on the start screen's header), sign-in on the
// keypad in English and Welsh, the first PIN change, every sign-in and PIN error, the lockout
// and its unlock, sign-out, the idle sign-out leaving nothing behind, a session the engine has
// ended, and the audit entries each of those writes. Real kiosk-web, real engine, real kioskctl.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  openIn,
  openKiosk,
  expectScreen,
  expectAccessible,
  expectTouchTargets,
  expectErrors,
  inlineErrors,
  shoot,
  tapAndWait,
  useKiosks,
  checkAndClose,
  i18n,
} from './harness.mjs'
import { addStaff, readyStaff, api, longPress, openSignIn, typeDigits, signInWith, atStaffHome, audit, auditSoon, kioskctl, pageLeftovers } from './staff-harness.mjs'

const rig = useKiosks()

const GWEN = { number: '2001', name: 'Gwen Morgan', role: 'reception', pin: '493817' }
const DAFYDD = { number: '1001', name: 'Dafydd Rees', role: 'supervisor', pin: '750396' }

/**
 * A kiosk with a store of its own: wrong PINs count towards a kiosk-wide slow-down, and every
 * test's audit entries are its own.
 */
const newKiosk = (options = {}) => rig.startKiosk({ prison: 'CDF', ...options })

const t = (lang, key, params) => i18n.t(lang, key, params)
const msg = (lang, code, field, params) => i18n.errorMessage(lang, { code, field, params })

test('a tap or a short press on the header does nothing; two seconds open staff sign-in, Back returns', async () => {
  const kiosk = await newKiosk()
  const page = await openKiosk(rig.browser, kiosk)
  await page.click('.kiosk-header__service')
  await longPress(page, '.kiosk-header__service', 700)
  await page.waitForTimeout(1800)
  await expectScreen(page, 'start')
  // Held on one of the header's buttons: that is the button, not the way in.
  await longPress(page, '[data-action=contrast]', 2300)
  await expectScreen(page, 'start')
  await page.click('[data-action=contrast]')

  await openSignIn(page)
  assert.equal(await page.locator('h1').innerText(), 'Staff sign in')
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1')
  // The PIN is masked; both fields take the number keypad, not the system's keyboard.
  assert.equal(await page.getAttribute('#staff-pin', 'type'), 'password')
  for (const id of ['#staff-number', '#staff-pin']) {
    assert.equal(await page.getAttribute(id, 'data-keyboard'), 'numeric')
    assert.equal(await page.getAttribute(id, 'inputmode'), 'none')
  }
  await expectAccessible(page, 'staff sign-in (en)')
  await expectTouchTargets(page)
  await shoot(page, 'staff-en-1-sign-in')
  await page.click('#staff-number')
  await shoot(page, 'staff-en-1-sign-in-keypad', { fullPage: false })
  await tapAndWait(page, '[data-action=back]')
  await expectScreen(page, 'start')
  // Nothing staff-like is reachable from a visitor's screen: the header press works on the start only.
  await tapAndWait(page, '[data-action=start]')
  await longPress(page, '.kiosk-header__service', 2300)
  await expectScreen(page, 'prisoner')
  await checkAndClose(page)
})

for (const lang of ['en', 'cy']) {
  test(`first sign-in (${lang}): keypad, a new PIN chosen, the staff home, sign out to the start in ${lang}`, async () => {
    const kiosk = await newKiosk()
    addStaff(kiosk, { ...GWEN, pin: '470215' })
    const page = await openIn(rig.browser, kiosk, lang)
    await openSignIn(page)
    assert.equal(await page.locator('h1').innerText(), t(lang, 'staff.sign_in.heading'))
    await typeDigits(page, '#staff-number', GWEN.number)
    await page.click('#keyboard [data-key=Next]')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'staff-pin')
    for (const d of '470215') await page.click(`#keyboard button[data-key="${d}"]`)
    assert.equal(await page.inputValue('#staff-pin'), '470215')
    await page.click('#keyboard [data-key=Done]')
    await tapAndWait(page, 'main button[type=submit]')

    // A one-time PIN: choose a new one before anything else, without the current PIN.
    await expectScreen(page, 'staff-pin')
    assert.match(await page.locator('h1').innerText(), new RegExp(t(lang, 'staff.pin_change.heading')))
    assert.equal(await page.locator('#current-pin').count(), 0)
    assert.equal(await page.locator('main [data-action=back]').count(), 0)
    assert.equal(await page.locator('.kiosk-header__who').innerText(), t(lang, 'staff.signed_in_as', { name: GWEN.name, role: t(lang, 'staff.role.reception') }))
    await expectAccessible(page, `choose a new PIN, required (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `staff-${lang}-2-first-pin`)
    await typeDigits(page, '#new-pin', GWEN.pin)
    await page.click('#keyboard [data-key=Next]')
    for (const d of GWEN.pin) await page.click(`#keyboard button[data-key="${d}"]`)
    await page.click('#keyboard [data-key=Done]')
    await tapAndWait(page, 'main button[type=submit]')

    await expectScreen(page, 'staff-home')
    assert.match(await page.locator('.govuk-notification-banner--success').innerText(), new RegExp(t(lang, 'staff.pin_change.done')))
    const body = await page.locator('main').innerText()
    assert.ok(body.includes(GWEN.name), body)
    assert.ok(body.includes(t(lang, 'staff.home.who', { number: GWEN.number, role: t(lang, 'staff.role.reception') })), body)
    await expectAccessible(page, `staff home (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `staff-${lang}-3-home`)

    // Sign out: the visitor's start screen, still in the language on screen, nothing of Gwen left.
    await tapAndWait(page, '[data-action=sign-out]')
    await expectScreen(page, 'start')
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang)
    const left = await pageLeftovers(page)
    for (const personal of [GWEN.name, 'Gwen', GWEN.number]) assert.ok(!left.html.includes(personal), `${personal} still in the page`)
    assert.equal(left.local + left.session, 0)
    assert.equal(left.cookies, '')

    // The new PIN works; the one-time PIN does not.
    await openSignIn(page)
    await signInWith(page, GWEN.number, '470215')
    await expectErrors(page, [msg(lang, 'sign_in_failed')])
    await signInWith(page, GWEN.number, GWEN.pin)
    await expectScreen(page, 'staff-home')
    await tapAndWait(page, '[data-action=sign-out]')

    // Every step in the kiosk's audit log, with no PIN in it.
    const expected = ['account_change', 'sign_in 2001', 'pin_changed 2001', 'sign_out 2001', 'sign_in_failed 2001', 'sign_in 2001', 'sign_out 2001']
    assert.deepEqual(await auditSoon(kiosk, expected.length), expected)
    const raw = JSON.stringify(audit(kiosk))
    for (const pin of ['470215', GWEN.pin]) assert.ok(!raw.includes(pin), 'a PIN in the audit log')
    await checkAndClose(page)
  })
}

for (const lang of ['en', 'cy']) {
  test(`sign-in errors (${lang}): summary and field, in both languages, the PIN field emptied`, async () => {
    const kiosk = await newKiosk()
    await readyStaff(kiosk, GWEN)
    const page = await openIn(rig.browser, kiosk, lang)
    await openSignIn(page)

    await tapAndWait(page, 'main button[type=submit]')
    await expectErrors(page, [msg(lang, 'staff_number_invalid', 'staff_number')])
    assert.deepEqual(await inlineErrors(page), [msg(lang, 'staff_number_invalid', 'staff_number')])
    await expectAccessible(page, `sign-in error (${lang})`)
    await shoot(page, `staff-${lang}-1-sign-in-error`)
    // The summary's link takes the focus to the field.
    await page.click('.govuk-error-summary a')
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'staff-number')

    await signInWith(page, GWEN.number, '1234')
    await expectErrors(page, [msg(lang, 'pin_wrong_length', 'pin')])
    assert.deepEqual(await inlineErrors(page), [msg(lang, 'pin_wrong_length', 'pin')])
    assert.equal(await page.inputValue('#staff-pin'), '', 'the PIN is not drawn back into the page')
    assert.equal(await page.inputValue('#staff-number'), GWEN.number)

    // The keypad types only digits; anything else that reaches the field is refused by the engine.
    await signInWith(page, GWEN.number, '49381a')
    await expectErrors(page, [msg(lang, 'pin_not_digits', 'pin')])

    // A wrong PIN and an unknown number: the same words, which never say whether the number exists.
    await signInWith(page, GWEN.number, '111112')
    await expectErrors(page, [msg(lang, 'sign_in_failed')])
    await signInWith(page, '99999', GWEN.pin)
    await expectErrors(page, [msg(lang, 'sign_in_failed')])
    assert.equal(msg(lang, 'sign_in_failed').includes('99999'), false)
    assert.deepEqual(await inlineErrors(page), [])
    await checkAndClose(page)
  })
}

for (const lang of ['en', 'cy']) {
  test(`choosing a PIN (${lang}): every error, then a change from the staff home with the current PIN`, async () => {
    const kiosk = await newKiosk()
    addStaff(kiosk, { ...DAFYDD, pin: '470215' })
    const page = await openIn(rig.browser, kiosk, lang)
    await openSignIn(page)
    await signInWith(page, DAFYDD.number, '470215')
    await expectScreen(page, 'staff-pin')
    const choose = async (pins) => {
      for (const [id, value] of Object.entries(pins)) await page.fill(`#${id}`, value)
      await tapAndWait(page, 'main button[type=submit]')
    }
    // The page's own check: the two new PINs must be the same.
    await choose({ 'new-pin': '750396', 'confirm-pin': '750397' })
    await expectErrors(page, [msg(lang, 'pin_confirm_mismatch', 'confirm_pin')])
    assert.deepEqual(await inlineErrors(page), [msg(lang, 'pin_confirm_mismatch', 'confirm_pin')])
    await expectAccessible(page, `choose a PIN, error (${lang})`)
    await shoot(page, `staff-${lang}-2-first-pin-error`)
    await choose({ 'new-pin': '750396' })
    await expectErrors(page, [msg(lang, 'pin_confirm_required', 'confirm_pin')])
    // The engine's rules.
    await choose({ 'new-pin': '123456', 'confirm-pin': '123456' })
    await expectErrors(page, [msg(lang, 'pin_too_simple', 'new_pin')])
    assert.deepEqual(await inlineErrors(page), [msg(lang, 'pin_too_simple', 'new_pin')])
    await choose({ 'new-pin': '75039', 'confirm-pin': '75039' })
    await expectErrors(page, [msg(lang, 'pin_wrong_length', 'new_pin')])
    await choose({ 'new-pin': '470215', 'confirm-pin': '470215' })
    await expectErrors(page, [msg(lang, 'pin_unchanged', 'new_pin')])
    // Nothing else can be reached until a PIN is chosen: Back and the home lead here again.
    assert.equal(await page.locator('main [data-action=back]').count(), 0)
    await choose({ 'new-pin': DAFYDD.pin, 'confirm-pin': DAFYDD.pin })
    await expectScreen(page, 'staff-home')

    // From the staff home, a change needs the current PIN.
    await tapAndWait(page, '[data-action=change-pin]')
    await expectScreen(page, 'staff-pin')
    assert.equal(await page.locator('#current-pin').getAttribute('type'), 'password')
    await expectAccessible(page, `change your PIN (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `staff-${lang}-4-change-pin`)
    await choose({ 'new-pin': '602814', 'confirm-pin': '602814' })
    await expectErrors(page, [msg(lang, 'current_pin_required', 'current_pin')])
    assert.deepEqual(await inlineErrors(page), [msg(lang, 'current_pin_required', 'current_pin')])
    await choose({ 'current-pin': '470215', 'new-pin': '602814', 'confirm-pin': '602814' })
    await expectErrors(page, [msg(lang, 'pin_incorrect', 'current_pin')])
    await tapAndWait(page, 'main [data-action=back]')
    await expectScreen(page, 'staff-home')
    await tapAndWait(page, '[data-action=change-pin]')
    await choose({ 'current-pin': DAFYDD.pin, 'new-pin': '602814', 'confirm-pin': '602814' })
    await expectScreen(page, 'staff-home')
    assert.ok(await page.locator('.govuk-notification-banner--success').isVisible())
    await tapAndWait(page, '[data-action=sign-out]')
    await expectScreen(page, 'start')
    const signIn = await api(kiosk, 'staff_sign_in', { staff_number: DAFYDD.number, pin: '602814' })
    assert.equal(signIn.status, 200)
    await api(kiosk, 'staff_sign_out', { token: signIn.body.token })
    await checkAndClose(page)
  })
}

test('five wrong PINs lock the account, with the time it unlocks; kioskctl staff unlock lets it in again', async () => {
  const kiosk = await newKiosk()
  await readyStaff(kiosk, GWEN)
  const page = await openIn(rig.browser, kiosk, 'en')
  await openSignIn(page)
  for (let i = 0; i < 5; i += 1) {
    await signInWith(page, GWEN.number, '111112')
    await expectErrors(page, [msg('en', 'sign_in_failed')])
  }
  // Locked now, for 15 minutes from the last wrong PIN (kiosk-web's clock is 10am GMT): even the right PIN.
  await signInWith(page, GWEN.number, GWEN.pin)
  const locked = 'This account is locked after too many wrong PINs. Try again after 10:15am, or ask a supervisor to unlock it'
  await expectErrors(page, [locked])
  await page.click('[data-action=lang]')
  assert.deepEqual(await page.locator('.govuk-error-summary li').allInnerTexts(), [msg('cy', 'account_locked', null, { until: '2026-11-25T10:15:00+00:00' })])
  assert.match((await page.locator('.govuk-error-summary li').allInnerTexts())[0], /ar ôl 10:15yb,/)
  await expectAccessible(page, 'account locked (cy)')
  await shoot(page, 'staff-cy-1-sign-in-locked')
  await page.click('[data-action=lang]')

  const listed = JSON.parse(kioskctl(kiosk, ['staff', 'list', '--prison', 'CDF']))
  assert.ok(JSON.stringify(listed).includes('locked'), JSON.stringify(listed))
  // A second later than kiosk-web's fixed clock: wrong PINs typed in the same second as an
  // unlock would still count, and kiosk-web's clock never moves on.
  kioskctl(kiosk, ['staff', 'unlock', '--prison', 'CDF', '--number', GWEN.number], { now: '2026-11-25T10:00:01Z' })
  await signInWith(page, GWEN.number, GWEN.pin)
  await expectScreen(page, 'staff-home')
  await tapAndWait(page, '[data-action=sign-out]')
  const entries = await auditSoon(kiosk, 1)
  assert.equal(entries.filter((e) => e === 'sign_in_failed 2001').length, 6, entries.join('\n'))
  await checkAndClose(page)
})

test('idle: a staff warning, then signed out to the start with nothing of the session left anywhere', async () => {
  const kiosk = await newKiosk()
  await readyStaff(kiosk, GWEN)
  const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin, { lang: 'cy', query: '?idle=6' })
  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  assert.equal(await page.locator('#idle-heading').innerText(), t('cy', 'idle.heading'))
  assert.match(await page.locator('#idle-body').innerText(), /allgofnodi mewn \d+ eiliad/)
  assert.equal(await page.locator('#idle-dialog [data-action=idle-restart]').innerText(), t('cy', 'staff.sign_out'))
  await expectAccessible(page, 'staff idle warning (cy)')
  await shoot(page, 'staff-cy-5-idle-warning')
  await page.click('[data-action=idle-stay]')
  await expectScreen(page, 'staff-home')

  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  await page.waitForSelector('main[data-screen=start]', { timeout: 10_000 })
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  const left = await pageLeftovers(page)
  for (const personal of [GWEN.name, 'Gwen', 'Morgan', GWEN.number, t('cy', 'staff.sign_out'), t('en', 'staff.sign_out')]) {
    const at = left.html.indexOf(personal)
    assert.equal(at, -1, `${personal} still in the page: …${left.html.slice(Math.max(0, at - 80), at + 40)}…`)
  }
  assert.deepEqual([left.local, left.session, left.cookies], [0, 0, ''])
  // The engine's session is over too: the page signed it out.
  const entries = await auditSoon(kiosk, 5)
  assert.equal(entries.at(-1), 'sign_out 2001', entries.join('\n'))
  await checkAndClose(page)
})

for (const lang of ['en', 'cy']) {
  test(`a session the engine has ended (${lang}): the next command ends the staff mode, with a plain message`, async () => {
    const kiosk = await newKiosk()
    addStaff(kiosk, { ...GWEN, pin: '470215' })
    const page = await openIn(rig.browser, kiosk, lang)
    await openSignIn(page)
    await signInWith(page, GWEN.number, '470215')
    await expectScreen(page, 'staff-pin')
    // A supervisor disables the account while it is signed in: the engine ends its session.
    kioskctl(kiosk, ['staff', 'disable', '--prison', 'CDF', '--number', GWEN.number])
    await page.fill('#new-pin', GWEN.pin)
    await page.fill('#confirm-pin', GWEN.pin)
    await tapAndWait(page, 'main button[type=submit]')
    await expectScreen(page, 'start')
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang)
    const banner = page.locator('.govuk-notification-banner')
    assert.match(await banner.innerText(), new RegExp(t(lang, 'staff.ended.signed_out')))
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('govuk-notification-banner')), true)
    assert.equal(await page.locator('.govuk-error-summary').count(), 0)
    const left = await pageLeftovers(page)
    assert.ok(!left.html.includes(GWEN.name) && !left.html.includes(GWEN.number))
    await expectAccessible(page, `start after the session ended (${lang})`)
    await shoot(page, `staff-${lang}-6-session-ended`)
    // Said once: the next screen and back no longer show it.
    await tapAndWait(page, '[data-action=start]')
    await tapAndWait(page, '[data-action=back]')
    assert.equal(await page.locator('.govuk-notification-banner').count(), 0)
    await checkAndClose(page)
  })
}

test('roles: the engine lists what each may do; a command without a live session is refused', async () => {
  const kiosk = await newKiosk()
  await readyStaff(kiosk, GWEN)
  await readyStaff(kiosk, DAFYDD)
  const reception = await api(kiosk, 'staff_sign_in', { staff_number: GWEN.number, pin: GWEN.pin })
  const supervisor = await api(kiosk, 'staff_sign_in', { staff_number: DAFYDD.number, pin: DAFYDD.pin })
  assert.equal(reception.body.role, 'reception')
  assert.ok(!reception.body.may.includes('manage_staff') && !reception.body.may.includes('close_sessions'), reception.body.may.join())
  assert.ok(supervisor.body.may.includes('manage_staff') && supervisor.body.may.includes('close_sessions'), supervisor.body.may.join())
  // The token is not a page's to keep: after sign-out it is worth nothing.
  await api(kiosk, 'staff_sign_out', { token: reception.body.token })
  const after = await api(kiosk, 'staff_change_pin', { token: reception.body.token, new_pin: '602814' })
  assert.equal(after.status, 422)
  assert.deepEqual(after.body.errors.map((e) => e.code), ['not_signed_in'])
  await api(kiosk, 'staff_sign_out', { token: supervisor.body.token })
})
