// The visitor's screens as a screen-reader user and a Welsh speaker meet them, each screen
// against the real kiosk-web.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  expectScreen,
  expectAccessible,
  expectTouchTargets,
  shoot,
  fillPrisoner,
  continueOn,
  useKiosks,
  checkAndClose,
  openIn,
  tapAndWait,
  atVisitorsStep,
  atTimeStep,
  i18n,
  RHYS,
} from './harness.mjs'

const rig = useKiosks()

/** A kiosk with a store of its own, so what one test books cannot change what another is offered. */
function newKiosk(prison) {
  return rig.startKiosk({ prison })
}

/** Francis Ó Briain at Birmingham: Dermot, on his list, is banned until 10 December 2026. */
const FRANCIS = { number: 'G0179HP', dob: '1969-07-29', surname: 'Ó Briain' }

/**
 * What is wrong with the focus on a new screen: its heading should have the focus, say the step
 * where the screen is a step, and be on the screen, with the keyboard closed (no field took the
 * focus behind the visitor's back).
 */
async function headingFocusProblems(page, { screen, step, lang, where }) {
  await expectScreen(page, screen)
  const seen = await page.evaluate(() => {
    const el = document.activeElement
    const r = el.getBoundingClientRect()
    return {
      tag: el.tagName.toLowerCase(),
      inMain: !!el.closest('main'),
      text: el.innerText.replace(/\s+/g, ' ').trim(),
      inView: r.top >= 0 && r.bottom <= innerHeight,
      keyboard: !document.getElementById('keyboard').hidden,
    }
  })
  const caption = step ? i18n.t(lang, 'caption.step', { n: step, total: 4 }) : ''
  const ok = seen.tag === 'h1' && seen.inMain && seen.inView && !seen.keyboard && (!step || seen.text.startsWith(caption + ' '))
  return ok ? [] : [`${where}: ${JSON.stringify(seen)}${step ? ` (the heading should start with "${caption}")` : ''}`]
}

async function expectHeadingFocused(page, expected) {
  assert.deepEqual(await headingFocusProblems(page, expected), [])
}

for (const lang of ['en', 'cy']) {
  test(`every change of screen puts the focus on the new screen's heading (${lang})`, async () => {
    const page = await openIn(rig.browser, await newKiosk('CDF'), lang)
    const problems = []
    const at = async (screen, step, where) => problems.push(...(await headingFocusProblems(page, { screen, step, lang, where })))

    await tapAndWait(page, '[data-action=start]')
    await at('prisoner', 1, 'Book a visit')
    await tapAndWait(page, '[data-action=back]')
    await at('start', null, 'Back from the prisoner')
    await tapAndWait(page, '[data-action=start]')
    await fillPrisoner(page, RHYS)
    await page.click('#keyboard [data-key=Done]')
    await continueOn(page)
    await at('visitors', 2, 'Continue from the prisoner')
    await tapAndWait(page, '[data-action=back]')
    await at('prisoner', 1, 'Back from the visitors')
    await continueOn(page)
    await at('visitors', 2, 'Continue from the prisoner again')
    await page.click('[data-action=pick][data-id=C000001]')
    await continueOn(page)
    await at('time', 3, 'Continue from the visitors')
    await tapAndWait(page, '[data-action=back]')
    await at('visitors', 2, 'Back from the time')
    await continueOn(page)
    await at('time', 3, 'Continue from the visitors again')
    await page.click('label[for=session-group]')
    await continueOn(page)
    await at('check', 4, 'Continue from the time')

    // Every Change link, and Continue back to check answers after it.
    const changes = [
      ['[data-action=change][data-target=prisoner-number]', 'prisoner', 1],
      ['[data-action=change][data-target=prisoner-dob-day]', 'prisoner', 1],
      ['[data-action=change][data-target=prisoner-surname]', 'prisoner', 1],
      ['[data-action=change][data-screen=visitors]', 'visitors', 2],
      ['[data-action=change][data-screen=time] >> nth=0', 'time', 3],
      ['[data-action=change][data-screen=time] >> nth=1', 'time', 3],
    ]
    for (const [link, screen, step] of changes) {
      await tapAndWait(page, link)
      await at(screen, step, `Change (${link})`)
      await continueOn(page)
      await at('check', 4, `Continue after Change (${link})`)
    }
    await tapAndWait(page, '[data-action=back]')
    await at('time', 3, 'Back from check answers')
    await continueOn(page)
    await continueOn(page)
    await at('done', null, 'Book visit')
    await tapAndWait(page, '[data-action=finish]')
    await at('start', null, 'Finish')
    assert.deepEqual(problems, [], `focus not on the new screen's heading:\n${problems.join('\n')}`)
    await checkAndClose(page)
  })
}

/** Every English message in the tables as a pattern (placeholders match anything). */
function englishPatterns() {
  const { en, cy } = i18n.tables
  const patterns = Object.entries(en)
    .filter(([key, text]) => cy[key] !== text)
    .map(([, text]) => '^' + text.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+') + '$')
  // Page furniture that is not in the tables (or was not), and English dates.
  patterns.push('^Skip to main content$', '^Keyboard$', '^On-screen keyboard$')
  patterns.push('\\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\\b')
  patterns.push('\\b(January|February|March|April|June|July|August|September|October|November|December)\\b')
  patterns.push('\\b\\d{1,2}(:\\d{2})?(am|pm)\\b')
  return patterns
}

/** Every piece of text in the page a visitor or a screen reader can meet, that is English. */
async function englishOnScreen(page, patterns) {
  return page.evaluate((patterns) => {
    const res = patterns.map((p) => new RegExp(p))
    const texts = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    while (walker.nextNode()) {
      const node = walker.currentNode
      if (node.parentElement?.closest('script, style')) continue
      const text = node.textContent.replace(/\s+/g, ' ').trim()
      if (text) texts.push(text)
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
      for (const name of ['aria-label', 'title', 'alt', 'placeholder']) {
        const value = el.getAttribute(name)
        if (value) texts.push(value.trim())
      }
    }
    texts.push(document.title)
    return texts.filter((t) => res.some((re) => re.test(t)))
  }, patterns)
}

test('Welsh screens have no English on them, the skip link included', async () => {
  const patterns = englishPatterns()
  const page = await openIn(rig.browser, await newKiosk('CDF'), 'cy')
  const found = []
  const look = async (where) => {
    for (const text of await englishOnScreen(page, patterns)) found.push(`${where}: ${text}`)
  }
  // The skip link is the first thing a keyboard or switch user meets.
  const skip = (await page.locator('.govuk-skip-link').textContent()).trim()
  if (skip !== 'Neidio i’r prif gynnwys') found.push(`skip link: ${skip}`)
  await page.focus('.govuk-skip-link')
  await shoot(page, 'cy-1-start-skip-link', { fullPage: false })
  await page.keyboard.press('Enter')
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main')
  await look('start')
  await page.click('[data-action=help]')
  await look('start, help')
  await page.click('[data-action=help-close]')

  await tapAndWait(page, '[data-action=start]')
  await look('prisoner')
  for (const field of ['#prisoner-number', '#prisoner-dob-day', '#prisoner-surname']) {
    await page.click(field)
    await look(`prisoner, keyboard for ${field}`)
  }
  await page.click('#keyboard [data-key=Accents]')
  await look('prisoner, accents')
  await page.click('#keyboard [data-key=Done]')
  await continueOn(page)
  await look('prisoner, errors')
  await fillPrisoner(page, RHYS)
  await page.click('#keyboard [data-key=Done]')
  await continueOn(page)
  await look('visitors')
  await page.click('[data-action=pick][data-id=C000001]')
  await continueOn(page)
  await look('time')
  await page.click('label[for=session-group]')
  await continueOn(page)
  await look('check')
  await continueOn(page)
  await expectScreen(page, 'done')
  await look('confirmation')
  await page.click('[data-action=print]')
  await page.waitForSelector('#print-error')
  await look('confirmation, print error')
  assert.deepEqual(found, [], `English on Welsh screens:\n${found.join('\n')}`)
  await checkAndClose(page)
})

test('the time screen says which times are offered, from the first one offered', async () => {
  const cardiff = await newKiosk('CDF')
  for (const lang of ['en', 'cy']) {
    const page = await atTimeStep(rig.browser, cardiff, RHYS, 'C000001', { lang, closeKeyboard: true })
    // The booking window opens on Friday 27 November, but the first time offered is on Saturday
    // the 28th; the last is on Wednesday 23 December.
    assert.match(await page.locator('.kiosk-day legend').first().innerText(), /28 (November|Tachwedd)$/)
    const intro = await page.locator('main h1 + p').innerText()
    assert.equal(intro, i18n.t(lang, 'time.intro', { first: i18n.formatDate(lang, '2026-11-28'), last: i18n.formatDate(lang, '2026-12-23') }))
    await checkAndClose(page)
  }
})

for (const lang of ['en', 'cy']) {
  test(`a change of visitors that rules out the chosen time says so (${lang})`, async () => {
    const page = await atTimeStep(rig.browser, await newKiosk('BMI'), FRANCIS, 'C000057', { lang, closeKeyboard: true })
    // Birmingham needs one day's notice: the first time is on Thursday 26 November.
    const firstDay = await page.locator('.kiosk-day legend').first().innerText()
    assert.match(firstDay, /26 (November|Tachwedd)$/)
    await page.click('label[for=session-group]')
    const chosenTime = await page.locator('label[for=session-group]').innerText()
    await continueOn(page)
    await expectScreen(page, 'check')

    // Dermot joins the visit; he is banned until 10 December, so the 26 November time is gone.
    await tapAndWait(page, '[data-action=change][data-screen=visitors]')
    await page.click('[data-action=pick][data-id=C000063]')
    await continueOn(page)
    await expectScreen(page, 'time')
    const banner = page.locator('main .govuk-notification-banner')
    assert.equal(await banner.count(), 1, 'the time screen should say the chosen time was dropped')
    const text = (await banner.innerText()).replace(/\s+/g, ' ')
    assert.ok(text.includes(i18n.t(lang, 'notice.important')), text)
    assert.ok(text.includes(i18n.t(lang, 'time.dropped.heading')), text)
    const when = i18n.t(lang, 'time.dropped.when', { day: i18n.formatDay(lang, '2026-11-26'), time: chosenTime.trim() })
    assert.ok(text.includes(when), `${text} should include ${when}`)
    // GOV.UK: a banner about what the visitor just did takes the focus, so it is read out first.
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('govuk-notification-banner')), true)
    assert.equal(await page.locator('input[name=session]:checked').count(), 0)
    // The times offered now start after the ban, and the intro says so; the last is on Tuesday
    // 22 December (Birmingham has no visits on Wednesdays, the window's last day).
    assert.match(await page.locator('.kiosk-day legend').first().innerText(), /11 (December|Rhagfyr)$/)
    assert.match(await page.locator('.kiosk-day legend').last().innerText(), /22 (December|Rhagfyr)$/)
    const intro = await page.locator('main h1 + p').innerText()
    assert.equal(intro, i18n.t(lang, 'time.intro', { first: i18n.formatDate(lang, '2026-12-11'), last: i18n.formatDate(lang, '2026-12-22') }))
    await expectAccessible(page, `time dropped (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-4-time-dropped`)
    // The other language says the same.
    await page.click('[data-action=lang]')
    const other = lang === 'en' ? 'cy' : 'en'
    assert.ok((await banner.innerText()).includes(i18n.t(other, 'time.dropped.heading')))

    // A new time: back to check answers, and the note has gone when the time is changed again.
    await page.click('label[for=session-group]')
    await continueOn(page)
    await expectScreen(page, 'check')
    await tapAndWait(page, '[data-action=change][data-screen=time] >> nth=0')
    assert.equal(await page.locator('main .govuk-notification-banner').count(), 0)
    await checkAndClose(page)
  })
}

test('when no time can be booked, the visitor can start again', async () => {
  const cardiff = await newKiosk('CDF')
  for (const lang of ['en', 'cy']) {
    const page = await atVisitorsStep(rig.browser, cardiff, RHYS, { lang, closeKeyboard: true })
    await page.click('[data-action=pick][data-id=C000001]')
    // As in errors.test.mjs: the demo data cannot give an empty answer without filling every session.
    await page.route('**/api/available_sessions', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ days: [], first_date: '2026-11-27', last_date: '2026-12-23' }) }),
    )
    await continueOn(page)
    await expectScreen(page, 'time')
    assert.ok((await page.locator('h1').innerText()).endsWith(i18n.t(lang, 'time.none.heading')))
    const restart = page.locator('main [data-action=finish]')
    assert.equal(await restart.count(), 1, 'no way to start again')
    assert.equal((await restart.innerText()).trim(), i18n.t(lang, 'time.none.restart'))
    await expectAccessible(page, `no times (${lang})`)
    await expectTouchTargets(page)
    await shoot(page, `${lang}-4-time-none-start-again`)
    await tapAndWait(page, 'main [data-action=finish]')
    await expectHeadingFocused(page, { screen: 'start', lang: 'en', where: 'Start again' })
    // Everything the visitor typed is gone, and the next visitor starts in English.
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
    const html = await page.evaluate(() => document.body.outerHTML)
    for (const personal of ['A1234BC', 'Evans', 'Siân', '1990']) assert.ok(!html.includes(personal), personal)
    await tapAndWait(page, '[data-action=start]')
    assert.equal(await page.inputValue('#prisoner-number'), '')
    await checkAndClose(page)
  }
})

/** Books Rhys and Siân into the first session whose id starts with `template`, and returns the confirmation's rows. */
async function bookInto(kiosk, lang, template) {
  const page = await atTimeStep(rig.browser, kiosk, RHYS, 'C000001', { lang, closeKeyboard: true })
  const id = await page.locator(`input[name=session][value^="${template}/"]`).first().getAttribute('id')
  await page.click(`label[for=${id}]`)
  await continueOn(page)
  await continueOn(page)
  await expectScreen(page, 'done')
  const rows = await page.locator('main .govuk-summary-list__row').evaluateAll((els) =>
    els.map((r) => [r.querySelector('dt').innerText.trim(), r.querySelector('dd').innerText.trim()]),
  )
  return { page, rows: Object.fromEntries(rows) }
}

test('the confirmation says which room the visit is in', async () => {
  const cardiff = await newKiosk('CDF')
  const family = await bookInto(cardiff, 'en', 'CDF-FRI-EVE')
  assert.equal(family.rows.Where, 'Family room', JSON.stringify(family.rows))
  await expectAccessible(family.page, 'confirmation with room')
  await shoot(family.page, 'en-6-confirmation-family-room')
  await checkAndClose(family.page)

  const hall = await bookInto(cardiff, 'cy', 'CDF-SAT-AM')
  assert.equal(hall.rows[i18n.t('cy', 'done.room')], 'Visits hall', JSON.stringify(hall.rows))
  await checkAndClose(hall.page)
})
