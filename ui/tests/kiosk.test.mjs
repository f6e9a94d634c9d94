// Kiosk behaviour: answers kept when going back and changing, the on-screen keyboard, the idle
// warning and full reset, and the lock-down (no context menu, no selecting text on controls).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  openKiosk,
  expectScreen,
  expectAccessible,
  shoot,
  fillDate,
  continueOn,
  typeOnScreen,
  useKiosks,
  checkAndClose,
  atVisitorsStep,
  RHYS,
} from './harness.mjs'

const rig = useKiosks({
  kiosk: { prison: 'CDF' },
  // The idle timeout as the kiosk's configuration sets it (kiosk_info), not the URL.
  shortIdleKiosk: { prison: 'CDF', idleTimeout: 6 },
})

test('going back and changing answers never loses what was entered', async () => {
  const page = await atVisitorsStep(rig.browser, rig.kiosk, RHYS)
  await page.click('[data-action=pick][data-id=C000001]')
  await page.click('[data-action=add]')
  await page.fill('#visitor-1-first-name', 'Megan')
  await page.fill('#visitor-1-last-name', 'Evans')
  await fillDate(page, 'visitor-1-dob', '2015-08-20')

  // Back to the prisoner: everything is still there, and so are the visitors after it.
  await page.click('[data-action=back]')
  await expectScreen(page, 'prisoner')
  assert.equal(await page.inputValue('#prisoner-number'), 'A1234BC')
  assert.equal(await page.inputValue('#prisoner-dob-day'), '05')
  assert.equal(await page.inputValue('#prisoner-surname'), 'Evans')
  await continueOn(page)
  await expectScreen(page, 'visitors')
  assert.deepEqual(await page.locator('.kiosk-visitor__name').allInnerTexts(), ['Siân E.'])
  assert.equal(await page.inputValue('#visitor-1-first-name'), 'Megan')
  assert.equal(await page.inputValue('#visitor-1-dob-year'), '2015')

  await continueOn(page)
  await expectScreen(page, 'time')
  await page.click('label[for=session-2]')
  const chosen = await page.inputValue('#session-2')
  await page.click('[data-action=back]')
  await expectScreen(page, 'visitors')
  await continueOn(page)
  await expectScreen(page, 'time')
  assert.equal(await page.locator('input[name=session]:checked').inputValue(), chosen)
  await continueOn(page)
  await expectScreen(page, 'check')

  // Change the visitors from check answers: Continue comes straight back, time kept.
  await page.click('[data-action=change][data-screen=visitors] >> nth=0')
  await expectScreen(page, 'visitors')
  await page.fill('#visitor-1-first-name', 'megan')
  await continueOn(page)
  await expectScreen(page, 'check')
  const values = await page.locator('.govuk-summary-list__value').allInnerTexts()
  assert.equal(values[4], 'megan Evans')

  // Change the surname: the question has the focus (screens.test.mjs), the surname is on the
  // screen, and Continue returns to check answers.
  await page.click('[data-action=change][data-target=prisoner-surname]')
  await expectScreen(page, 'prisoner')
  assert.ok(await page.locator('#prisoner-surname').isVisible())
  assert.equal(await page.inputValue('#prisoner-surname'), 'Evans')
  await continueOn(page)
  await expectScreen(page, 'check')
  await checkAndClose(page)
})

test('the on-screen keyboard types Welsh letters, hyphens and apostrophes, and deletes', async () => {
  const page = await openKiosk(rig.browser, rig.kiosk)
  await page.click('[data-action=start]')
  await typeOnScreen(page, '#prisoner-surname', 'Llŷr')
  assert.equal(await page.inputValue('#prisoner-surname'), 'Llŷr')
  await page.fill('#prisoner-surname', '')
  await typeOnScreen(page, '#prisoner-surname', "O'Connor-Jones")
  assert.equal(await page.inputValue('#prisoner-surname'), "O'Connor-Jones")
  await page.click('#keyboard [data-key=Backspace]')
  await page.click('#keyboard [data-key=Backspace]')
  assert.equal(await page.inputValue('#prisoner-surname'), "O'Connor-Jon")
  // Every accented vowel Welsh uses with the circumflex is there.
  await page.click('#keyboard [data-key=Accents]')
  for (const ch of ['â', 'ê', 'î', 'ô', 'û', 'ŵ', 'ŷ']) {
    assert.equal(await page.locator(`#keyboard [data-key="${ch}"]`).count(), 1, ch)
  }
  await expectAccessible(page, 'keyboard accents')
  await shoot(page, 'en-2-keyboard-accents')
  // The keypad for dates has digits only; Next moves on through the fields.
  await page.click('#prisoner-dob-day')
  assert.equal(await page.locator('#keyboard [data-key=a]').count(), 0)
  await page.click('#keyboard [data-key="2"]')
  await page.click('#keyboard [data-key="7"]')
  await page.click('#keyboard [data-key=Next]')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'prisoner-dob-month')
  assert.equal(await page.inputValue('#prisoner-dob-day'), '27')
  // The keys never take the focus from the field.
  await page.click('#keyboard [data-key="3"]')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'prisoner-dob-month')
  await page.click('#keyboard [data-key=Done]')
  assert.equal(await page.locator('#keyboard').isHidden(), true)
  await checkAndClose(page)
})

test('idle: a warning, “I am still here” keeps the answers, then a full reset', async () => {
  const page = await atVisitorsStep(rig.browser, rig.kiosk, RHYS, { lang: 'cy', query: '?idle=9' })
  await page.click('[data-action=pick][data-id=C000001]')

  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  assert.equal(await page.locator('#idle-heading').innerText(), 'Ydych chi dal yma?')
  await expectAccessible(page, 'idle warning (cy)')
  await shoot(page, 'cy-idle-warning')
  await page.click('[data-action=idle-stay]')
  assert.equal(await page.locator('#idle-dialog').evaluate((d) => d.open), false)
  assert.deepEqual(await page.locator('.kiosk-visitor__name').allInnerTexts(), ['Siân E.'])

  // Left alone again: the warning, then everything is wiped, back to English.
  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  await expectScreen(page, 'start')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  // Everything in the page but scripts (axe-core, injected by this test, holds digits).
  const html = await page.evaluate(() => {
    const copy = document.documentElement.cloneNode(true)
    copy.querySelectorAll('script').forEach((s) => s.remove())
    return copy.outerHTML + document.title
  })
  for (const personal of ['A1234BC', 'Evans', 'Siân', '1990']) {
    const at = html.indexOf(personal)
    assert.equal(at, -1, `${personal} still in the page: …${html.slice(Math.max(0, at - 80), at + 40)}…`)
  }
  // Nothing is remembered for the next visitor either.
  await page.click('[data-action=start]')
  assert.equal(await page.inputValue('#prisoner-number'), '')
  await page.click('[data-action=back]')
  assert.equal(await page.locator('#idle-dialog').evaluate((d) => d.open), false)
  await checkAndClose(page)
})

test('idle: the timeout from the kiosk configuration resets the journey', async () => {
  const page = await openKiosk(rig.browser, rig.shortIdleKiosk)
  await page.click('[data-action=start]')
  await page.fill('#prisoner-number', 'A1234BC')
  await page.waitForSelector('#idle-dialog[open]', { timeout: 10_000 })
  assert.equal(await page.locator('#idle-heading').innerText(), 'Are you still there?')
  await page.click('[data-action=idle-restart]')
  await expectScreen(page, 'start')
  assert.ok(!(await page.evaluate(() => document.documentElement.outerHTML)).includes('A1234BC'))
  await checkAndClose(page)
})

test('lock-down: no context menu, no selecting text on controls, touch-sized controls', async () => {
  const page = await openKiosk(rig.browser, rig.kiosk)
  const menuAllowed = await page.evaluate(() =>
    document.querySelector('h1').dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true })),
  )
  assert.equal(menuAllowed, false, 'the context menu must be cancelled')
  const selectable = await page.evaluate(() =>
    [...document.querySelectorAll('button, h1, label, p')].filter((el) => getComputedStyle(el).userSelect !== 'none').length,
  )
  assert.equal(selectable, 0)
  // A plugged-in keyboard's ways out are stopped before anything sees them; plain typing is not.
  const stopped = await page.evaluate(() =>
    [
      { key: 'r', ctrlKey: true },
      { key: 'ArrowLeft', altKey: true },
      { key: 'F4', altKey: true },
      { key: 'w', ctrlKey: true },
      { key: 'p', ctrlKey: true },
      { key: 'q', metaKey: true },
      { key: 'F5' },
      { key: 'F11' },
      { key: 'F12' },
      { key: 'BrowserBack' },
      { key: 'a' },
      { key: 'Enter' },
      { key: 'Backspace' },
    ].map((init) => {
      let reachedPage = false
      const listen = () => (reachedPage = true)
      document.addEventListener('keydown', listen)
      const event = new KeyboardEvent('keydown', { ...init, bubbles: true, cancelable: true })
      document.body.dispatchEvent(event)
      document.removeEventListener('keydown', listen)
      return [init.key + (init.ctrlKey ? '+ctrl' : '') + (init.altKey ? '+alt' : '') + (init.metaKey ? '+meta' : ''), event.defaultPrevented, reachedPage]
    }),
  )
  for (const [key, prevented, reached] of stopped) {
    const escape = !['a', 'Enter', 'Backspace'].includes(key)
    assert.equal(prevented, escape, `${key} prevented`)
    assert.equal(reached, !escape, `${key} reached the page's handlers`)
  }
  // Inputs stay editable and selectable for the caret.
  await page.click('[data-action=start]')
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('#prisoner-number')).userSelect), 'text')
  await checkAndClose(page)
})

test('a page whose script never starts shows its own words in English and Welsh, not a blank or the browser’s', async () => {
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true })
  const page = await context.newPage()
  // The app's script fails to load; the page and its styles still come.
  await page.route(/\.js(\?|$)/, (route) => route.abort())
  await page.goto(rig.kiosk.url)
  const fallback = page.locator('main.kiosk-fallback')
  await fallback.waitFor({ state: 'attached' })
  // Not at once: a normal start replaces it before anyone could read it.
  assert.equal(await fallback.evaluate((el) => getComputedStyle(el).visibility), 'hidden')
  await page.waitForFunction(() => getComputedStyle(document.querySelector('main.kiosk-fallback')).visibility === 'visible', null, { timeout: 10_000 })
  const text = await fallback.innerText()
  for (const words of ['Sorry, this kiosk is not working', 'Please ask reception staff for help.', 'Mae’n ddrwg gennym, nid yw’r ciosg hwn yn gweithio', 'Gofynnwch i staff y dderbynfa am help.'])
    assert.ok(text.includes(words), `${words} in ${text}`)
  assert.equal(await page.locator('main.kiosk-fallback [lang=cy]').count(), 1)
  await expectAccessible(page, 'page that never started')
  await shoot(page, 'fallback-page-never-started')
  await context.close()

  // A page that starts never shows it.
  const started = await openKiosk(rig.browser, rig.kiosk)
  assert.equal(await started.locator('.kiosk-fallback').count(), 0)
  await checkAndClose(started)
})
