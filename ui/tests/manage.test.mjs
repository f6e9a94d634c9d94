// "Already booked? Check, reprint or cancel", as a visitor uses it, in English and in Welsh: a
// booking found by its reference and the lead visitor's date of birth (a typo and a wrong pair
// each get their own message, the wrong pair never saying which part), the slip reprinted (no
// printer in these tests: the page says so), the visit cancelled. Every new screen is checked
// with axe-core and screenshotted at both kiosk sizes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  openIn,
  expectScreen,
  expectAccessible,
  expectTouchTargets,
  expectErrors,
  shoot,
  fillDate,
  continueOn,
  tapAndWait,
  typeOnScreen,
  useKiosks,
  checkAndClose,
  i18n,
  mistyped,
} from './harness.mjs'
import { api } from './staff-harness.mjs'

const rig = useKiosks({ en: { prison: 'CDF' }, cy: { prison: 'CDF' } })

const PM = 'CDF-SAT-PM/2026-11-28'
const SIAN_DOB = '1992-03-14'

/** Books Rhys's visit with Siân as lead visitor over the engine's API; its reference. */
async function booked(kiosk) {
  const answer = await api(kiosk, 'book', {
    prison: 'CDF',
    prisoner: { number: 'A1234BC', date_of_birth: '1990-05-05', surname: 'Evans' },
    visitors: [{ first_name: 'Siân', last_name: 'Evans', date_of_birth: SIAN_DOB }],
    session: PM,
  })
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return answer.body.reference
}


async function closeKeyboard(page) {
  if (await page.locator('#keyboard:not([hidden])').count()) await page.click('#keyboard [data-key=Done]')
}

async function find(page, reference, dob) {
  await page.fill('#manage-reference', reference)
  if (dob) await fillDate(page, 'manage-dob', dob)
  else for (const part of ['day', 'month', 'year']) await page.fill(`#manage-dob-${part}`, '')
  await closeKeyboard(page)
  await continueOn(page)
}

const t = (lang, key, params) => i18n.t(lang, key, params)

for (const lang of ['en', 'cy']) {
  test(`a visitor finds, reprints and cancels their booking (${lang})`, async () => {
    const kiosk = rig[lang]
    const reference = await booked(kiosk)
    const page = await openIn(rig.browser, kiosk, lang)
    const manage = page.locator('[data-action=manage]')
    assert.equal((await manage.innerText()).trim(), t(lang, 'start.manage'))
    await expectAccessible(page, `start with the way in (${lang})`)
    await shoot(page, `${lang}-manage-0-start`)
    await tapAndWait(page, '[data-action=manage]')
    await expectScreen(page, 'manage-find')
    assert.equal(await page.locator('h1').innerText(), t(lang, 'manage.find.heading'))
    await expectAccessible(page, `manage-find (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-manage-1-find`)

    // Nothing typed: each field says what it needs.
    await find(page, '', '')
    await expectErrors(page, [t(lang, 'err.reference_wrong_length'), t(lang, 'err.date_of_birth_invalid')])
    await expectAccessible(page, `manage-find with errors (${lang})`)
    await shoot(page, `${lang}-manage-2-find-errors`)

    // A typo: the check character catches it, on the reference.
    await find(page, mistyped(reference), SIAN_DOB)
    await expectErrors(page, [t(lang, 'err.reference_check_failed')])
    assert.equal(await page.locator('#manage-reference-error').count(), 1, 'the error is at the reference field')

    // A wrong date of birth: one message that never says which part was wrong (the engine's
    // tests show a reference of nobody's gets the very same answer).
    await find(page, reference, '1992-03-15')
    await expectErrors(page, [t(lang, 'err.booking_not_matched')])
    assert.deepEqual(await page.locator('main .govuk-error-message').allInnerTexts(), [], 'no field is blamed')
    await shoot(page, `${lang}-manage-3-not-matched`)

    // The right pair, the reference typed on the on-screen keyboard.
    await page.fill('#manage-reference', '')
    await typeOnScreen(page, '#manage-reference', reference.replace('-', ''))
    await fillDate(page, 'manage-dob', SIAN_DOB)
    await closeKeyboard(page)
    await continueOn(page)
    await expectScreen(page, 'manage-visit')
    const details = await page.locator('.govuk-summary-list').innerText()
    assert.ok(details.includes(reference), details)
    assert.ok(details.includes('Siân E.'), details)
    assert.ok(!details.includes('Evans'), 'no surnames beyond an initial')
    assert.ok(!details.includes('1992'), 'no dates of birth')
    await expectAccessible(page, `manage-visit (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-manage-4-visit`)

    // Reprint: this kiosk has no printer, and the page says so.
    await tapAndWait(page, '[data-action=print]')
    const problem = await page.locator('#print-result').innerText()
    assert.ok(problem.toLowerCase().includes(t(lang, 'staff.printer.printer_not_configured').toLowerCase()), problem)
    await expectAccessible(page, `manage-visit print problem (${lang})`)
    await shoot(page, `${lang}-manage-5-print-problem`)

    await tapAndWait(page, '[data-action=cancel]')
    await expectScreen(page, 'manage-cancel')
    assert.equal(await page.locator('h1').innerText(), t(lang, 'manage.cancel.heading'))
    await expectAccessible(page, `manage-cancel (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-manage-6-confirm`)
    // "No" goes back to the visit, untouched.
    await tapAndWait(page, 'main [data-action=back]')
    await expectScreen(page, 'manage-visit')
    await tapAndWait(page, '[data-action=cancel]')
    await tapAndWait(page, '[data-action=confirm]')
    await expectScreen(page, 'manage-cancelled')
    assert.equal((await page.locator('.govuk-panel__title').innerText()).trim(), t(lang, 'manage.cancelled.heading'))
    const slip = await page.locator('#print-result').innerText()
    assert.ok(slip.toLowerCase().includes(t(lang, 'staff.printer.printer_not_configured').toLowerCase()), slip)
    await expectAccessible(page, `manage-cancelled (${lang})`)
    await shoot(page, `${lang}-manage-7-cancelled`)

    // The engine holds it cancelled, and the table is free for someone else.
    const after = await api(kiosk, 'visitor_find_booking', { reference, date_of_birth: SIAN_DOB })
    assert.equal(after.status, 200)
    assert.equal(after.body.status, 'cancelled')
    assert.equal(after.body.can_cancel, false)

    await tapAndWait(page, '[data-action=finish]')
    await expectScreen(page, 'start')
    // Finish forgets what was typed.
    await tapAndWait(page, '[data-action=manage]')
    assert.equal(await page.locator('#manage-reference').inputValue(), '')
    assert.equal(await page.locator('#manage-dob-year').inputValue(), '')
    await checkAndClose(page)
  })
}

test('idle: a visitor who walks away from their visit is wiped back to the start', async () => {
  // A store of its own: the other tests' bookings of this session are theirs.
  const kiosk = await rig.startKiosk({ prison: 'CDF' })
  const reference = await booked(kiosk)
  const page = await openIn(rig.browser, kiosk, 'en', { query: '?idle=6' })
  await tapAndWait(page, '[data-action=manage]')
  await find(page, reference, SIAN_DOB)
  await expectScreen(page, 'manage-visit')
  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  await page.click('[data-action=idle-restart]')
  await expectScreen(page, 'start')
  const html = await page.evaluate(() => document.documentElement.outerHTML)
  for (const personal of [reference, 'Siân', '1992']) assert.ok(!html.includes(personal), `${personal} still in the page`)
  await tapAndWait(page, '[data-action=manage]')
  assert.equal(await page.locator('#manage-reference').inputValue(), '')
  await checkAndClose(page)
})

test('slow-down: after many wrong lookups at this kiosk, each lookup waits, and the page waits with it', async () => {
  // A kiosk of its own with a short policy (kiosk-web's test options): slowed after 3 wrong
  // lookups, by 1.5 s each, instead of 20 and 5 s.
  const kiosk = await rig.startKiosk({ prison: 'CDF', lookupFailuresBeforeSlowing: 3, lookupSlowDownMs: 1500 })
  const reference = await booked(kiosk)
  const page = await openIn(rig.browser, kiosk, 'en')
  await tapAndWait(page, '[data-action=manage]')
  const timed = async (dob) => {
    const started = Date.now()
    await find(page, reference, dob)
    return Date.now() - started
  }
  // Before the slow-down: wrong pairs answer at once, each with the one message.
  for (let i = 0; i < 3; i += 1) {
    const ms = await timed('1992-03-15')
    assert.ok(ms < 1500, `wrong lookup ${i + 1} took ${ms} ms before any slow-down`)
    await expectErrors(page, [t('en', 'err.booking_not_matched')])
  }
  // Now every lookup waits, a wrong one and the right one alike (the pause comes before the
  // store is read, so it says nothing about the pair), and Continue stays disabled meanwhile.
  const started = Date.now()
  await page.fill('#manage-reference', reference)
  await fillDate(page, 'manage-dob', '1992-03-16')
  await closeKeyboard(page)
  const before = await page.locator('main').getAttribute('data-render')
  await page.click('main button[type=submit]')
  assert.equal(await page.locator('main button[type=submit]').isDisabled(), true, 'Continue is disabled while the lookup waits')
  await page.waitForFunction((n) => document.querySelector('main')?.dataset.render !== n, before)
  const slowed = Date.now() - started
  assert.ok(slowed >= 1500, `a wrong lookup after the slow-down took ${slowed} ms`)
  await expectErrors(page, [t('en', 'err.booking_not_matched')])
  const right = await timed(SIAN_DOB)
  assert.ok(right >= 1500, `the right pair after the slow-down took ${right} ms`)
  await expectScreen(page, 'manage-visit')
  await checkAndClose(page)
})
