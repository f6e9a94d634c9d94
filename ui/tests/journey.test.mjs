// The whole journey, as a visitor walks it, in English and in Welsh: every screen screenshotted
// at both kiosk sizes and checked with axe-core.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import {
  openKiosk,
  expectScreen,
  expectAccessible,
  expectTouchTargets,
  shoot,
  fillPrisoner,
  fillDate,
  continueOn,
  typeOnScreen,
  RHYS,
  kioskctlBinary,
  useKiosks,
  checkAndClose,
} from './harness.mjs'

const rig = useKiosks({ kiosk: { prison: 'CDF' } })

test('a visitor books a visit in English, picking people from the contact list', async () => {
  const page = await openKiosk(rig.browser, rig.kiosk)
  assert.equal(await page.locator('h1').innerText(), 'Book a visit at HMP Cardiff')
  await expectAccessible(page, 'start (en)')
  await expectTouchTargets(page)
  await shoot(page, 'en-1-start')
  await page.click('[data-action=help]')
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /Staff there can help you book/)
  await expectAccessible(page, 'start with help (en)')
  await shoot(page, 'en-1-start-help')
  await page.click('[data-action=help-close]')

  await page.click('[data-action=start]')
  await expectScreen(page, 'prisoner')
  await expectAccessible(page, 'prisoner (en)')
  await fillPrisoner(page, RHYS)
  await page.click('#prisoner-surname')
  await page.waitForSelector('#keyboard:not([hidden])')
  await expectTouchTargets(page)
  await shoot(page, 'en-2-prisoner-keyboard')
  await page.click('#prisoner-dob-day')
  await shoot(page, 'en-2-prisoner-keypad')
  await page.click('#keyboard [data-key=Done]')
  await continueOn(page)

  await expectScreen(page, 'visitors')
  await expectAccessible(page, 'visitors (en)')
  await shoot(page, 'en-3-visitors-empty')
  await page.click('[data-action=pick][data-id=C000001]')
  await page.click('[data-action=pick][data-id=C000002]')
  assert.deepEqual(await page.locator('.kiosk-visitor__name').allInnerTexts(), ['Siân E.', 'Megan E.'])
  await expectAccessible(page, 'visitors picked (en)')
  await expectTouchTargets(page)
  await shoot(page, 'en-3-visitors')
  await continueOn(page)

  await expectScreen(page, 'time')
  await expectAccessible(page, 'time (en)')
  await expectTouchTargets(page)
  await shoot(page, 'en-4-time')
  // As the screen shows it: Continue stays at the bottom while the list scrolls.
  await shoot(page, 'en-4-time-screen', { fullPage: false })
  const firstDay = await page.locator('.kiosk-day legend').first().innerText()
  assert.equal(firstDay, 'Saturday 28 November')
  await page.click('label[for=session-group]')
  await continueOn(page)

  await expectScreen(page, 'check')
  await expectAccessible(page, 'check (en)')
  await expectTouchTargets(page)
  await shoot(page, 'en-5-check')
  const values = await page.locator('.govuk-summary-list__value').allInnerTexts()
  assert.deepEqual(values.slice(0, 5), ['A1234BC', '5 May 1990', 'Evans', 'Siân Evans', 'Megan Evans'])
  assert.equal(values[5], 'Saturday 28 November 2026')
  await continueOn(page)

  await expectScreen(page, 'done')
  const reference = await page.locator('#reference').innerText()
  assert.match(reference, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/)
  assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Visit booked')
  // The booking is in the kiosk's SQLite store, with its outbox event, as kioskctl sees it.
  const db = join(rig.kiosk.dir, 'kiosk.db')
  const shown = execFileSync(kioskctlBinary(), ['show', reference, '--db', db], { encoding: 'utf8' })
  assert.match(shown, new RegExp(reference.replace('-', '-?')))
  const outbox = execFileSync(kioskctlBinary(), ['outbox', '--db', db], { encoding: 'utf8' })
  assert.match(outbox, /booking_created/)
  await expectAccessible(page, 'confirmation (en)')
  await expectTouchTargets(page)
  await shoot(page, 'en-6-confirmation')

  // This kiosk has no printer set up: the visitor is told in plain words that the booking is
  // saved, given the reference again, and the booking stays on screen for a reprint.
  await page.click('[data-action=print]')
  await page.waitForSelector('#print-error')
  const printError = await page.locator('#print-error').innerText()
  assert.match(printError, /Your booking is saved, but this kiosk has no printer set up/)
  assert.ok(printError.includes(reference), printError)
  assert.doesNotMatch(printError, /printer_not_configured/)
  assert.equal(await page.locator('#reference').innerText(), reference)
  assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Visit booked')
  // Print slip can be pressed again (a reprint): it tries again and the booking is still shown.
  await page.click('[data-action=print]')
  await page.waitForSelector('#print-error')
  assert.match(await page.locator('#print-error').innerText(), /no printer set up/)
  assert.equal(await page.locator('#reference').innerText(), reference)
  await expectAccessible(page, 'confirmation print error (en)')
  await shoot(page, 'en-6-confirmation-print-error')

  await page.click('[data-action=finish]')
  await expectScreen(page, 'start')
  assert.equal(await page.evaluate((ref) => document.body.innerText.includes(ref), reference), false)
  await checkAndClose(page)
})

test('mae ymwelydd yn trefnu ymweliad yn Gymraeg, gan deipio ar y bysellfwrdd ar y sgrin', async () => {
  const page = await openKiosk(rig.browser, rig.kiosk, { viewport: { width: 1080, height: 1920 } })
  await page.click('[data-action=lang]')
  assert.equal(await page.locator('h1').innerText(), 'Trefnu ymweliad â CEF Caerdydd')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'cy')
  await expectAccessible(page, 'start (cy)')
  await shoot(page, 'cy-1-start')

  await page.click('[data-action=start]')
  await expectScreen(page, 'prisoner')
  assert.equal(await page.locator('h1').innerText(), 'Cam 1 o 4\nPwy ydych chi’n ymweld â nhw?')
  // Everything typed with the on-screen keyboard and keypad, Welsh letters included.
  await typeOnScreen(page, '#prisoner-number', 'B2345CD')
  await typeOnScreen(page, '#prisoner-dob-day', '31')
  await typeOnScreen(page, '#prisoner-dob-month', '01')
  await typeOnScreen(page, '#prisoner-dob-year', '1985')
  await typeOnScreen(page, '#prisoner-surname', 'ap Gruffudd')
  assert.equal(await page.inputValue('#prisoner-surname'), 'ap Gruffudd')
  await expectAccessible(page, 'prisoner with keyboard (cy)')
  await shoot(page, 'cy-2-prisoner-keyboard')
  await page.click('#keyboard [data-key=Done]')
  await continueOn(page)

  await expectScreen(page, 'visitors')
  assert.equal(await page.locator('h1').innerText(), 'Cam 2 o 4\nPwy sy’n ymweld?')
  // Ffion typed in (she is on the list, so her typed details match), Ioan picked.
  await typeOnScreen(page, '#visitor-0-first-name', 'Ffion')
  await typeOnScreen(page, '#visitor-0-last-name', 'ap Gruffudd')
  await fillDate(page, 'visitor-0-dob', '1987-09-09')
  await page.click('[data-action=pick][data-id=C000006]')
  await expectAccessible(page, 'visitors (cy)')
  await shoot(page, 'cy-3-visitors')
  await continueOn(page)

  await expectScreen(page, 'time')
  assert.equal(await page.locator('h1').innerText(), 'Cam 3 o 4\nDewis amser')
  assert.equal(await page.locator('.kiosk-day legend').first().innerText(), 'Dydd Sadwrn 28 Tachwedd')
  assert.match(await page.locator('label[for=session-group]').innerText(), /^9:30yb tan 11:30yb$/)
  await expectAccessible(page, 'time (cy)')
  await shoot(page, 'cy-4-time')
  await page.click('label[for=session-1]')
  await continueOn(page)

  await expectScreen(page, 'check')
  assert.equal(await page.locator('h1').innerText(), 'Cam 4 o 4\nGwirio eich atebion')
  const values = await page.locator('.govuk-summary-list__value').allInnerTexts()
  assert.deepEqual(values.slice(0, 5), ['B2345CD', '31 Ionawr 1985', 'ap Gruffudd', 'Ffion ap Gruffudd', 'Ioan ap Gruffudd'])
  await expectAccessible(page, 'check (cy)')
  await shoot(page, 'cy-5-check')
  await continueOn(page)

  await expectScreen(page, 'done')
  assert.equal(await page.locator('.govuk-panel__title').innerText(), 'Ymweliad wedi’i drefnu')
  assert.match(await page.locator('main').innerText(), /Cyrhaeddwch erbyn/)
  await expectAccessible(page, 'confirmation (cy)')
  await shoot(page, 'cy-6-confirmation')
  await page.click('[data-action=print]')
  await page.waitForSelector('#print-error')
  const printErrorCy = await page.locator('#print-error').innerText()
  assert.match(printErrorCy, /Mae eich archeb wedi’i chadw, ond nid oes argraffydd wedi’i osod/)
  assert.ok(printErrorCy.includes(await page.locator('#reference').innerText()), printErrorCy)
  await page.click('[data-action=finish]')
  await expectScreen(page, 'start')
  // A full reset goes back to English for the next visitor.
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  await checkAndClose(page)
})

test('high contrast and bigger text are readable and accessible', async () => {
  const page = await openKiosk(rig.browser, rig.kiosk)
  await page.click('[data-action=contrast]')
  await page.click('[data-action=text-size]')
  assert.equal(await page.locator('[data-action=contrast]').getAttribute('aria-pressed'), 'true')
  assert.equal(await page.locator('[data-action=text-size]').getAttribute('aria-pressed'), 'true')
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize))
  assert.ok(size > 60, `heading font size ${size}`)
  await expectAccessible(page, 'start high contrast')
  await shoot(page, 'en-1-start-contrast-large')
  await page.click('[data-action=start]')
  await fillPrisoner(page, { number: 'nope', dob: '2099-01-01', surname: '' })
  await continueOn(page)
  await page.waitForSelector('.govuk-error-summary')
  await expectAccessible(page, 'prisoner errors high contrast')
  await shoot(page, 'en-2-prisoner-errors-contrast-large')
  await checkAndClose(page)
})
