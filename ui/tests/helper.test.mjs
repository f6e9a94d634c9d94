// An assisted-digital helper (issue 11), in English and Welsh, on a real kiosk-web: signed in by
// the long press, books for someone on the phone and for someone who is not there (a main
// contact required: the error by its field, fixed, booked), a bad phone number and an
// over-long support text refused by the engine and shown by their fields, the booking's details
// as the engine answers them (confirmation, the helper's list, helper_bookings), no way into a
// staff screen or command, and "Book another visit" leaving nothing of the visitor before. Every
// new screen is checked with axe-core and screenshotted at both kiosk sizes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  openIn,
  expectScreen,
  expectAccessible,
  expectTouchTargets,
  expectErrors,
  inlineErrors,
  shoot,
  continueOn,
  tapAndWait,
  typeOnScreen,
  fillPrisoner,
  useKiosks,
  checkAndClose,
  i18n,
  RHYS,
} from './harness.mjs'
import { addStaff, readyStaff, openSignIn, signInWith, typeDigits, pageLeftovers } from './staff-harness.mjs'

const rig = useKiosks({ en: { prison: 'CDF' }, cy: { prison: 'CDF' } })

const HELPER = { number: '3001', name: 'Cai Morgan', role: 'helper', pin: '590317', organisation: 'Visitor Centre Trust' }
const t = (lang, key, params) => i18n.t(lang, key, params)
const msg = (lang, code, field) => i18n.errorMessage(lang, { code, field })

const ready = new Set()
async function helperAccount(kiosk) {
  if (ready.has(kiosk)) return
  await readyStaff(kiosk, HELPER)
  ready.add(kiosk)
}

/** A new page in `lang`, the helper signed in by the long press: on the helper's home. */
async function atHelperHome(kiosk, lang) {
  await helperAccount(kiosk)
  const page = await openIn(rig.browser, kiosk, lang)
  await openSignIn(page)
  await signInWith(page, HELPER.number, HELPER.pin)
  await expectScreen(page, 'helper-home')
  return page
}

async function closeKeyboard(page) {
  if (await page.locator('#keyboard:not([hidden])').count()) await page.click('#keyboard [data-key=Done]')
}

/** Nothing of a staff screen in the page: no staff screen, task or staff-only control drawn. */
async function expectNoStaffWay(page) {
  const found = await page.evaluate(() =>
    [...document.querySelectorAll('[data-screen^="staff"], [data-action=task], [data-action=change-pin]')].map((e) => e.outerHTML.slice(0, 80)),
  )
  assert.deepEqual(found, [], 'a helper is offered a staff screen')
  assert.equal(await page.locator('main').getAttribute('data-mode'), 'helper')
}

// Each test books another prisoner's visit, so no booking runs into another test's (a duplicate visit).
const LLOYD = { number: 'A0411MN', dob: '1981-04-03', surname: 'Reid' }
const HARRY = { number: 'A2925AU', dob: '1995-11-01', surname: 'Clarke' }

/** From "Who is this visit for?" to the contact screen: the prisoner, one visitor from their list, the first time. */
async function throughTheVisit(page, prisoner = RHYS, contactId = 'C000001') {
  await continueOn(page)
  await expectScreen(page, 'prisoner')
  await fillPrisoner(page, prisoner)
  await closeKeyboard(page)
  await continueOn(page)
  await expectScreen(page, 'visitors')
  await page.click(`[data-action=pick][data-id=${contactId}]`)
  await continueOn(page)
  await expectScreen(page, 'time')
  await page.click('label[for=session-group]')
  await continueOn(page)
  await expectScreen(page, 'contact')
}

/** Signs in over the page's own backend (the way the page reaches the engine) and runs a command. */
async function throughPage(page, command, body) {
  return page.evaluate(
    async ({ command, body, who }) => {
      const post = async (c, b) => {
        const r = await fetch(`/api/${c}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) })
        return { status: r.status, body: await r.json() }
      }
      const signedIn = await post('staff_sign_in', { staff_number: who.number, pin: who.pin })
      const answer = await post(command, { token: signedIn.body.token, ...body })
      await post('staff_sign_out', { token: signedIn.body.token })
      return answer
    },
    { command, body, who: HELPER },
  )
}

const summaryText = (page) => page.locator('main .govuk-summary-list').allInnerTexts().then((all) => all.join('\n'))

for (const lang of ['en', 'cy']) {
  test(`a helper books for someone on the phone; Book another visit leaves nothing of them (${lang})`, async () => {
    const kiosk = rig[lang]
    const page = await atHelperHome(kiosk, lang)
    assert.match(await page.locator('h1').innerText(), /Cai Morgan/)
    // The organisation is named from the sign-in, before any booking.
    assert.match(await page.locator('h1').innerText(), /Visitor Centre Trust/)
    await page.waitForSelector('#helper-bookings-none')
    await expectNoStaffWay(page)
    await expectAccessible(page, `helper-home (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-helper-1-home`)

    await tapAndWait(page, '[data-action=book]')
    await expectScreen(page, 'helper-who')
    await expectNoStaffWay(page)
    await continueOn(page)
    await expectErrors(page, [msg(lang, 'request_method_required', 'request_method')])
    assert.deepEqual(await inlineErrors(page), [msg(lang, 'request_method_required', 'request_method')])
    await page.click('label[for=who-2]')
    await expectAccessible(page, `helper-who (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-helper-2-who`)
    await throughTheVisit(page)

    // On the phone: the contact is optional, and says so.
    assert.equal(await page.locator('#contact-lead').innerText(), t(lang, 'contact.lead.optional.helper'))
    await page.click('label[for=contact-pick]')
    // The phone keypad has + and a space; the email keyboard @ . - _.
    await typeDigits(page, '#contact-phone', '07911')
    await page.click('#keyboard button[data-key=" "]')
    for (const d of '123456') await page.click(`#keyboard button[data-key="${d}"]`)
    assert.equal(await page.locator('#contact-phone').inputValue(), '07911 123456')
    await shoot(page, `${lang}-helper-3-contact-phone-keypad`, { fullPage: false })
    await typeOnScreen(page, '#contact-email', 'sian_e@example.org')
    assert.equal(await page.locator('#contact-email').inputValue(), 'sian_e@example.org')
    await shoot(page, `${lang}-helper-3-contact-typing`, { fullPage: false })
    await closeKeyboard(page)
    await page.click('label[for=contact-language-2]')
    await expectAccessible(page, `contact (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-helper-3-contact`)
    await continueOn(page)

    await expectScreen(page, 'support')
    await page.click('label[for=support-needs]')
    await tapAndWait(page, 'label[for=support-needs-4]')
    await page.fill('#support-other', 'A seat near the door')
    assert.equal(await page.locator('#support-other-info').innerText(), t(lang, 'support.count', { n: 492 }))
    await closeKeyboard(page)
    await expectAccessible(page, `support (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-helper-4-support`)
    await continueOn(page)

    await expectScreen(page, 'check')
    const check = await summaryText(page)
    for (const shown of [t(lang, 'method.phone'), 'Siân Evans', '07911 123456', 'sian_e@example.org', t(lang, 'support.wheelchair'), 'A seat near the door'])
      assert.ok(check.includes(shown), `check answers: ${shown} in ${check}`)
    await expectAccessible(page, `check, helper (${lang})`)
    await shoot(page, `${lang}-helper-5-check`)
    await continueOn(page)

    await expectScreen(page, 'done')
    const reference = (await page.locator('#reference').innerText()).trim()
    assert.equal(await page.locator('#booked-by').innerText(), t(lang, 'done.booked_by', { name: 'Cai Morgan', organisation: 'Visitor Centre Trust' }))
    const done = await summaryText(page)
    for (const shown of [t(lang, 'method.phone'), '07911 123456', t(lang, 'contact.language.cy'), t(lang, 'support.wheelchair'), `${t(lang, 'support.other')}: A seat near the door`])
      assert.ok(done.includes(shown), `confirmation: ${shown} in ${done}`)
    await expectNoStaffWay(page)
    await expectAccessible(page, `done, helper (${lang})`)
    await shoot(page, `${lang}-helper-6-done`)
    // The slip prints as a visitor's does (no printer in these tests: the page says so).
    await tapAndWait(page, '[data-action=print]')
    await page.waitForSelector('#print-error')

    // The engine keeps the details: the helper's own list says so, over the page's backend.
    const mine = await throughPage(page, 'helper_bookings', {})
    assert.equal(mine.status, 200, JSON.stringify(mine.body))
    const row = mine.body.visits.find((v) => v.reference === reference)
    assert.deepEqual(row.details, {
      request_method: 'phone',
      booked_by: { name: 'Cai Morgan', organisation: 'Visitor Centre Trust' },
      main_contact: { name: 'Siân Evans', phone: '07911 123456', email: 'sian_e@example.org', language: 'cy' },
      support: ['wheelchair', 'other'],
      support_other: 'A seat near the door',
    })

    // Book another visit: the helper stays signed in, and nothing of Siân or Rhys is left.
    await tapAndWait(page, '[data-action=another]')
    await expectScreen(page, 'helper-who')
    const left = await pageLeftovers(page)
    for (const trace of [reference, 'Siân', 'Evans', 'A1234BC', '07911', 'sian_e', 'A seat near the door', 'govuk-error'])
      assert.ok(!left.html.includes(trace), `${trace} still in the page`)
    assert.equal(await page.locator('input:checked').count(), 0)
    await tapAndWait(page, '[data-action=back]')
    await expectScreen(page, 'helper-home')
    // The helper's list has the booking.
    await page.waitForSelector('.kiosk-helper-bookings')
    const list = await page.locator('.kiosk-helper-bookings tbody').innerText()
    for (const shown of [reference, 'Siân Evans', 'Rhys Evans (A1234BC)', t(lang, 'staff.status.booked')]) assert.ok(list.includes(shown), `${shown} in ${list}`)
    assert.match(await page.locator('h1').innerText(), /Visitor Centre Trust/)
    await expectAccessible(page, `helper-home with a booking (${lang})`)
    await shoot(page, `${lang}-helper-7-home-booked`)

    // The journey itself is new: every screen of it starts empty.
    await tapAndWait(page, '[data-action=book]')
    assert.equal(await page.locator('input:checked').count(), 0)
    await page.click('label[for=who-2]')
    await continueOn(page)
    await expectScreen(page, 'prisoner')
    for (const id of ['prisoner-number', 'prisoner-dob-day', 'prisoner-dob-month', 'prisoner-dob-year', 'prisoner-surname'])
      assert.equal(await page.locator(`#${id}`).inputValue(), '', id)
    await fillPrisoner(page, RHYS)
    await closeKeyboard(page)
    await continueOn(page)
    await expectScreen(page, 'visitors')
    assert.equal(await page.locator('.kiosk-visitor__name').count(), 0, 'no visitor picked')
    await page.click('[data-action=pick][data-id=C000001]')
    await continueOn(page)
    await expectScreen(page, 'time')
    assert.equal(await page.locator('input[name=session]:checked').count(), 0)
    await page.click('label[for=session-group]')
    await continueOn(page)
    await expectScreen(page, 'contact')
    assert.equal(await page.locator('input:checked').count(), 0)
    assert.equal(await page.locator('#contact-phone').inputValue(), '')
    assert.equal(await page.locator('#contact-email').inputValue(), '')
    await continueOn(page)
    await expectScreen(page, 'support')
    assert.equal(await page.locator('input:checked').count(), 0)
    await continueOn(page)
    await expectScreen(page, 'check')
    const fresh = await summaryText(page)
    assert.ok(fresh.includes(t(lang, 'check.contact.none')) && fresh.includes(t(lang, 'check.support.none')), fresh)
    await checkAndClose(page)
  })

  test(`a helper books for someone not here: contact required, a bad phone and long support text refused, then booked (${lang})`, async () => {
    const kiosk = rig[lang]
    const page = await atHelperHome(kiosk, lang)
    await tapAndWait(page, '[data-action=book]')
    await tapAndWait(page, 'label[for=who-3]')
    // Not here: how they asked is the next question.
    await continueOn(page)
    await expectErrors(page, [msg(lang, 'request_method_how_required', 'request_method_how')])
    await page.click('label[for=who-how-2]')
    await expectAccessible(page, `helper-who, not here (${lang})`)
    await shoot(page, `${lang}-helper-8-who-away`)
    await throughTheVisit(page, LLOYD, 'C000012')
    assert.equal(await page.locator('#contact-lead').innerText(), t(lang, 'contact.lead.required'))
    // No contact: the engine refuses the booking, and the error is by the contact's name.
    await continueOn(page)
    await expectScreen(page, 'support')
    assert.ok((await page.locator('h1').innerText()).includes(t(lang, 'caption.step', { n: 6, total: 7 })))
    await continueOn(page)
    await expectScreen(page, 'check')
    // A helper's journey has seven steps: who it is for, the visitor's four, contact and support.
    assert.ok((await page.locator('h1').innerText()).includes(t(lang, 'caption.step', { n: 7, total: 7 })))
    await continueOn(page)
    await expectScreen(page, 'contact')
    const required = msg(lang, 'main_contact_required', 'main_contact.name')
    await expectErrors(page, [required])
    assert.deepEqual(await inlineErrors(page), [required])
    assert.equal(await page.locator('#contact-pick-error').count(), 1, 'the error is at the name question')
    await expectAccessible(page, `contact, required (${lang})`)
    await shoot(page, `${lang}-helper-9-contact-required`)

    // Someone else, typed, with a number that is not a UK one.
    await tapAndWait(page, 'label[for=contact-pick-2]')
    await typeOnScreen(page, '#contact-name', 'Ffion Rees')
    await closeKeyboard(page)
    await page.fill('#contact-phone', '+1 202 555 0143')
    await page.click('label[for=contact-language]')
    await continueOn(page)
    // Changing from check answers: Continue goes back there.
    await expectScreen(page, 'check')
    await continueOn(page)
    await expectScreen(page, 'contact')
    await expectErrors(page, [msg(lang, 'phone_invalid', 'main_contact.phone')])
    assert.equal(await page.locator('#contact-phone-error').count(), 1)
    assert.equal(await page.locator('#contact-name').inputValue(), 'Ffion Rees')
    await shoot(page, `${lang}-helper-10-phone-invalid`)
    await page.fill('#contact-phone', '029 2087 2087')
    await continueOn(page)

    // Support: something else, too long.
    await expectScreen(page, 'check')
    await tapAndWait(page, '[data-action=change][data-screen=support]')
    await expectScreen(page, 'support')
    await tapAndWait(page, 'label[for=support-needs-4]')
    await page.fill('#support-other', 'a'.repeat(513))
    assert.equal(await page.locator('#support-other-info').innerText(), t(lang, 'support.over', { n: 1 }))
    await continueOn(page)
    await expectScreen(page, 'check')
    await continueOn(page)
    await expectScreen(page, 'support')
    await expectErrors(page, [msg(lang, 'support_other_too_long', 'support.other')])
    assert.equal(await page.locator('#support-other-error').count(), 1)
    await expectAccessible(page, `support, too long (${lang})`)
    await shoot(page, `${lang}-helper-11-support-too-long`)
    await page.fill('#support-other', 'A ramp')
    await continueOn(page)
    await expectScreen(page, 'check')
    await continueOn(page)

    await expectScreen(page, 'done')
    const reference = (await page.locator('#reference').innerText()).trim()
    const done = await summaryText(page)
    for (const shown of [t(lang, 'method.email'), 'Ffion Rees', '029 2087 2087', t(lang, 'contact.language.en'), `${t(lang, 'support.other')}: A ramp`])
      assert.ok(done.includes(shown), `confirmation: ${shown} in ${done}`)
    const mine = await throughPage(page, 'helper_bookings', {})
    const row = mine.body.visits.find((v) => v.reference === reference)
    assert.equal(row.details.request_method, 'email')
    const c = row.details.main_contact
    assert.deepEqual([c.name, c.phone, c.email ?? '', c.language], ['Ffion Rees', '029 2087 2087', '', 'en'])
    await checkAndClose(page)
  })

  test(`a helper cannot reach a staff screen or command (${lang})`, async () => {
    const kiosk = rig[lang]
    const page = await atHelperHome(kiosk, lang)
    await expectNoStaffWay(page)
    // The engine refuses staff commands with a helper's session, whatever the page does.
    for (const [command, body] of [['staff_today', {}], ['staff_find', { query: 'Evans' }], ['staff_accounts', {}]]) {
      const answer = await throughPage(page, command, body)
      assert.equal(answer.status, 422, `${command}: ${JSON.stringify(answer.body)}`)
      assert.deepEqual(answer.body.errors.map((e) => e.code), ['not_allowed'], command)
    }
    // The header's long press opens nothing while signed in; Sign out goes to the public start.
    assert.equal(await page.locator('[data-action=sign-out]').count(), 1)
    await tapAndWait(page, '[data-action=sign-out]')
    await expectScreen(page, 'start')
    assert.equal(await page.locator('main').getAttribute('data-mode'), 'visitor')
    await checkAndClose(page)
  })

  test(`a visitor booking for themselves gives a main contact and support (${lang})`, async () => {
    const kiosk = rig[lang]
    const page = await openIn(rig.browser, kiosk, lang)
    await tapAndWait(page, '[data-action=start]')
    await fillPrisoner(page, HARRY)
    await closeKeyboard(page)
    await continueOn(page)
    await page.click('[data-action=pick][data-id=C000034]')
    await continueOn(page)
    await expectScreen(page, 'time')
    await page.click('label[for=session-group]')
    await continueOn(page)
    // A visitor goes straight to check answers, where the contact and support are offered.
    await expectScreen(page, 'check')
    assert.ok((await summaryText(page)).includes(t(lang, 'check.contact.none')))
    assert.ok(!(await summaryText(page)).includes(t(lang, 'check.for')), 'no request method for a visitor')
    await tapAndWait(page, '[data-action=change][data-screen=contact]')
    await expectScreen(page, 'contact')
    assert.equal(await page.locator('#contact-lead').innerText(), t(lang, 'contact.lead.optional'))
    await expectAccessible(page, `contact, visitor (${lang})`)
    await shoot(page, `${lang}-visitor-contact`)
    await page.click('label[for=contact-pick]')
    await page.fill('#contact-phone', '07911 123456')
    await page.click('label[for=contact-language-2]')
    await continueOn(page)
    await expectScreen(page, 'check')
    await tapAndWait(page, '[data-action=change][data-screen=support]')
    await expectScreen(page, 'support')
    await expectAccessible(page, `support, visitor (${lang})`)
    await shoot(page, `${lang}-visitor-support`)
    await page.click('label[for=support-needs-2]')
    await continueOn(page)
    await expectScreen(page, 'check')
    await expectAccessible(page, `check with contact and support, visitor (${lang})`)
    await continueOn(page)
    await expectScreen(page, 'done')
    assert.equal(await page.locator('#booked-by').count(), 0)
    const done = await summaryText(page)
    for (const shown of ['07911 123456', t(lang, 'support.hearing_loop'), t(lang, 'contact.language.cy')]) assert.ok(done.includes(shown), `${shown} in ${done}`)
    assert.ok(!done.includes(t(lang, 'check.for')), 'no request method for a visitor')
    await expectAccessible(page, `done with contact and support, visitor (${lang})`)
    await shoot(page, `${lang}-visitor-done-details`)
    await checkAndClose(page)
  })
}

test('idle: a helper who walks away mid-booking is signed out, and nothing of the visitor is left', async () => {
  const kiosk = rig.en
  await helperAccount(kiosk)
  const page = await openIn(rig.browser, kiosk, 'en', { query: '?idle=6' })
  await openSignIn(page)
  await signInWith(page, HELPER.number, HELPER.pin)
  await expectScreen(page, 'helper-home')
  await tapAndWait(page, '[data-action=book]')
  await page.click('label[for=who-2]')
  await throughTheVisit(page)
  await page.fill('#contact-phone', '07911 123456')
  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  assert.equal(await page.locator('#idle-dialog [data-action=idle-restart]').innerText(), t('en', 'staff.sign_out'))
  // Nobody answers: signed out, back at the public start.
  await page.waitForSelector('main[data-screen=start]', { timeout: 10_000 })
  assert.equal(await page.locator('main').getAttribute('data-mode'), 'visitor')
  const left = await pageLeftovers(page)
  for (const trace of ['Siân', 'A1234BC', '07911', 'Cai Morgan']) assert.ok(!left.html.includes(trace), `${trace} still in the page`)
  await checkAndClose(page)
})

for (const lang of ['en', 'cy']) {
  test(`a helper's first sign-in chooses a PIN of their own, then reaches the helper's home (${lang})`, async () => {
    const kiosk = rig[lang]
    const number = lang === 'en' ? '3101' : '3102'
    addStaff(kiosk, { number, name: 'Dewi Rees', role: 'helper', pin: '470215', organisation: 'Visitor Centre Trust' })
    const page = await openIn(rig.browser, kiosk, lang)
    await openSignIn(page)
    await signInWith(page, number, '470215')
    await expectScreen(page, 'staff-pin')
    await expectAccessible(page, `helper's first PIN (${lang})`)
    await page.fill('#new-pin', '581604')
    await page.fill('#confirm-pin', '581604')
    await closeKeyboard(page)
    await continueOn(page)
    await expectScreen(page, 'helper-home')
    assert.match(await page.locator('h1').innerText(), /Dewi Rees/)
    await checkAndClose(page)
  })
}
