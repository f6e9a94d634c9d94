// The on-screen keyboard at a touchscreen: in both languages, at both text sizes and in both
// orientations, the field being typed in is never behind the keys (WCAG 2.2 SC 2.4.11, which
// axe does not test), every key is on the screen and clear of the others, and a finger can type.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { useKiosks, checkAndClose, openIn, expectScreen, shoot, fillPrisoner, continueOn, VIEWPORTS, RHYS } from './harness.mjs'

const rig = useKiosks({ kiosk: { prison: 'CDF' }, birmingham: { prison: 'BMI' } })

/** Every way the kiosk can be set up for a visitor: orientation, language, text size. */
const SETUPS = Object.entries(VIEWPORTS).flatMap(([orientation, viewport]) =>
  ['en', 'cy'].flatMap((lang) => [false, true].map((large) => ({ orientation, viewport, lang, large }))),
)

const label = (s) => `${s.orientation} ${s.lang}${s.large ? ' bigger text' : ''}`

async function openAs(kiosk, setup) {
  const page = await openIn(rig.browser, kiosk, setup.lang, { viewport: setup.viewport })
  if (setup.large) await page.click('[data-action=text-size]')
  return page
}

/** Lets the page finish laying out (and scrolling) after a tap. */
async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
}

/** Presses a key as the keyboard's own handler sees it; whether a finger can reach it is tested below. */
async function pressKey(page, key) {
  await page.locator(`#keyboard button[data-key="${key}"]`).dispatchEvent('click')
  await settle(page)
}

async function closeKeyboard(page) {
  if (await page.locator('#keyboard').isVisible()) await pressKey(page, 'Done')
}

/**
 * How much of the focused field can be seen: the fraction of its box inside the screen and above
 * the keyboard, and how many of five points on it (the corners and the middle) a finger would
 * touch the field at, rather than something drawn over it.
 */
async function focusedField(page) {
  await settle(page)
  return page.evaluate(() => {
    const el = document.activeElement
    const panel = document.getElementById('keyboard')
    if (!(el instanceof HTMLInputElement)) return { id: el?.id || el?.tagName, fraction: 0, covered: 5, layout: 'none' }
    const layout = panel.hidden ? 'closed' : panel.className.replace(/.*kiosk-keyboard--(\w+).*/, '$1')
    const r = el.getBoundingClientRect()
    const keysTop = panel.hidden ? innerHeight : panel.getBoundingClientRect().top
    const visibleHeight = Math.max(0, Math.min(r.bottom, keysTop, innerHeight) - Math.max(r.top, 0))
    const visibleWidth = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0))
    const fraction = Math.round(((visibleHeight * visibleWidth) / (r.width * r.height)) * 1000) / 1000
    const points = [
      [r.left + 3, r.top + 3],
      [r.right - 3, r.top + 3],
      [r.left + 3, r.bottom - 3],
      [r.right - 3, r.bottom - 3],
      [(r.left + r.right) / 2, (r.top + r.bottom) / 2],
    ]
    const covered = points.filter(([x, y]) => document.elementFromPoint(x, y) !== el).length
    return { id: el.id, fraction, covered, layout }
  })
}

/** Records the focused field unless it is wholly visible above the open keyboard. */
async function check(page, problems, where, expected) {
  const seen = await focusedField(page)
  const ok = seen.id === expected.id && seen.layout === expected.layout && seen.fraction === 1 && seen.covered === 0
  if (!ok) problems.push(`${where}: ${expected.id} (${expected.layout}) -> ${JSON.stringify(seen)}`)
}

/**
 * Taps each field in turn (the keyboard closed in between), then the accents for letter fields;
 * with `shots`, screenshots each at both kiosk sizes as the visitor sees it.
 */
async function tapEachField(page, problems, where, ids, shots) {
  for (const id of ids) {
    await closeKeyboard(page)
    await page.click(`#${id}`)
    await page.waitForSelector('#keyboard:not([hidden])')
    const kind = await page.getAttribute(`#${id}`, 'data-keyboard')
    await check(page, problems, `${where}, tapped`, { id, layout: kind })
    if (shots) await shoot(page, `${shots}-${id}`, { fullPage: false })
    if (kind === 'letters') {
      await pressKey(page, 'Accents')
      await check(page, problems, `${where}, accents`, { id, layout: 'letters' })
      if (shots) await shoot(page, `${shots}-${id}-accents`, { fullPage: false })
      // Typing an accented letter goes back to the plain letters: still in view.
      await page.locator('#keyboard .kiosk-keyboard__row button').first().dispatchEvent('click')
      await check(page, problems, `${where}, after an accent`, { id, layout: 'letters' })
      await pressKey(page, 'Backspace')
    }
  }
}

/** Moves through the fields with the keyboard's Next key from the first one. */
async function nextThroughFields(page, problems, where, ids) {
  await closeKeyboard(page)
  await page.click(`#${ids[0]}`)
  for (const [i, id] of ids.entries()) {
    if (i > 0) await pressKey(page, 'Next')
    const kind = await page.getAttribute(`#${id}`, 'data-keyboard')
    await check(page, problems, `${where}, Next`, { id, layout: kind })
  }
}

const PRISONER_FIELDS = ['prisoner-number', 'prisoner-dob-day', 'prisoner-dob-month', 'prisoner-dob-year', 'prisoner-surname']
const visitorFields = (i) => ['first-name', 'last-name', 'dob-day', 'dob-month', 'dob-year'].map((f) => `visitor-${i}-${f}`)

test('the field being typed in is always wholly visible above the keyboard', async () => {
  const problems = []
  for (const setup of SETUPS) {
    const where = label(setup)
    const page = await openAs(rig.kiosk, setup)
    await page.click('[data-action=start]')
    await expectScreen(page, 'prisoner')
    // Screenshots with Bigger text, the keyboard open (shoot() takes both orientations).
    const shots = setup.large && setup.orientation === 'landscape' ? `${setup.lang}-keyboard-large` : undefined
    await tapEachField(page, problems, `${where} prisoner`, PRISONER_FIELDS, shots)
    await nextThroughFields(page, problems, `${where} prisoner`, PRISONER_FIELDS)

    await closeKeyboard(page)
    await fillPrisoner(page, RHYS)
    await closeKeyboard(page)
    await continueOn(page)
    await expectScreen(page, 'visitors')
    // "Type in someone's details" puts the focus straight into the new visitor's first name.
    await page.click('[data-action=add]')
    await page.waitForSelector('#keyboard:not([hidden])')
    await check(page, problems, `${where} visitors, added`, { id: 'visitor-1-first-name', layout: 'letters' })
    await tapEachField(page, problems, `${where} visitors`, [...visitorFields(0), ...visitorFields(1)], shots)
    await nextThroughFields(page, problems, `${where} visitors`, [...visitorFields(0), ...visitorFields(1)])

    // Turning the screen with the keyboard open.
    await closeKeyboard(page)
    await page.click('#visitor-1-last-name')
    const other = setup.orientation === 'landscape' ? VIEWPORTS.portrait : VIEWPORTS.landscape
    await page.setViewportSize(other)
    await check(page, problems, `${where} visitors, turned`, { id: 'visitor-1-last-name', layout: 'letters' })
    await checkAndClose(page)
  }
  assert.deepEqual(problems, [], `fields hidden by the keyboard:\n${problems.join('\n')}`)
})

/** Every key on the keyboard as it is now: label, box, and whether its words fit inside it. */
async function keys(page) {
  await settle(page)
  return page.locator('#keyboard button').evaluateAll((buttons) =>
    buttons.map((b) => {
      const r = b.getBoundingClientRect()
      return {
        key: b.dataset.key,
        left: r.left,
        top: r.top,
        right: r.right,
        bottom: r.bottom,
        clipped: b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1,
      }
    }),
  )
}

function layoutProblems(all, viewport) {
  const problems = []
  for (const k of all) {
    if (k.left < 0 || k.top < 0 || k.right > viewport.width || k.bottom > viewport.height) {
      problems.push(`${k.key} off the screen ${JSON.stringify([k.left, k.top, k.right, k.bottom].map(Math.round))}`)
    }
    if (k.right - k.left < 47.5 || k.bottom - k.top < 47.5) problems.push(`${k.key} smaller than 48px`)
    if (k.clipped) problems.push(`${k.key}: its label does not fit`)
  }
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left)
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
      if (w > 0.5 && h > 0.5) problems.push(`${a.key} overlaps ${b.key}`)
    }
  }
  return problems
}

test('every key is on the screen, a finger wide, and clear of every other key', async () => {
  const problems = []
  for (const setup of SETUPS) {
    const page = await openAs(rig.kiosk, setup)
    await page.click('[data-action=start]')
    for (const [layout, field, accents] of [
      ['letters', 'prisoner-surname', false],
      ['accents', 'prisoner-surname', true],
      ['digits and letters', 'prisoner-number', false],
      ['digits', 'prisoner-dob-day', false],
    ]) {
      await closeKeyboard(page)
      await page.click(`#${field}`)
      await page.waitForSelector('#keyboard:not([hidden])')
      if (accents) await pressKey(page, 'Accents')
      for (const p of layoutProblems(await keys(page), setup.viewport)) problems.push(`${label(setup)} ${layout}: ${p}`)
    }
    await checkAndClose(page)
  }
  assert.deepEqual(problems, [], `keyboard layout:\n${problems.join('\n')}`)
})

/** A finger on the middle of a key: whatever is drawn there is what gets pressed. */
async function tap(page, selector) {
  const box = await page.locator(selector).boundingBox({ timeout: 2000 })
  assert.ok(box, `${selector} is not on the screen`)
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2)
  await settle(page)
}

/** Types by tapping keys, switching to capitals or accents for a letter when the keyboard needs it. */
async function tapOut(page, text) {
  for (const ch of text) {
    const accents = 'âêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿ'
    assert.equal(await page.locator('#keyboard').isVisible(), true, `the keyboard closed before ${ch} of ${text}`)
    if (accents.includes(ch.toLowerCase())) await tap(page, '#keyboard [data-key=Accents]')
    const key = `#keyboard button[data-key="${ch}"]`
    if ((await page.locator(key).count()) === 0) await tap(page, '#keyboard [data-key=Shift]')
    await tap(page, key)
  }
}

test('ymwelydd â thestun mwy ar sgrin portread yn teipio G0179HP drwy gyffwrdd â’r bysellau', async () => {
  // A Welsh visitor, Bigger text, portrait: prisoner number, date of birth and surname typed
  // with a finger on the keys alone.
  const page = await openAs(rig.birmingham, { viewport: VIEWPORTS.portrait, lang: 'cy', large: true })
  await tap(page, '[data-action=start]')
  await expectScreen(page, 'prisoner')
  await tap(page, '#prisoner-number')
  await tapOut(page, 'G0179HP')
  assert.equal(await page.inputValue('#prisoner-number'), 'G0179HP')
  await shoot(page, 'cy-2-prisoner-number-keyboard-large', { fullPage: false })
  await tap(page, '#keyboard [data-key=Next]')
  await tapOut(page, '29')
  await tap(page, '#keyboard [data-key=Next]')
  await tapOut(page, '07')
  await tap(page, '#keyboard [data-key=Next]')
  await tapOut(page, '1969')
  await tap(page, '#keyboard [data-key=Next]')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'prisoner-surname')
  await tapOut(page, 'Ó Briain')
  assert.equal(await page.inputValue('#prisoner-surname'), 'Ó Briain')
  await shoot(page, 'cy-2-prisoner-surname-keyboard-large', { fullPage: false })
  await tap(page, '#keyboard [data-key=Done]')
  assert.equal(await page.locator('#keyboard').isVisible(), false)
  const before = await page.locator('main').getAttribute('data-render')
  await tap(page, 'main button[type=submit]')
  await page.waitForFunction((n) => document.querySelector('main')?.dataset.render !== n, before)
  await expectScreen(page, 'visitors')
  assert.ok(await page.locator('[data-action=pick][data-id=C000057]').isVisible())
  await checkAndClose(page)
})
