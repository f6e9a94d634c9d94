// A supervisor's Kiosk settings against the real engine, in English and Welsh with axe-core and
// screenshots: the printer as the machine's CUPS answers (queues, or why there are none shown
// plainly), a queue the machine does not have refused on its field, enrolment's two blank fields,
// an address typed on the on-screen keyboard for a central that does not answer; and role limits
// in the page and in the engine. The kiosk-web here is not enrolled, and CUPS may not be running:
// the test compares the page with what the engine answers a second supervisor, whatever that is.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { expectScreen, expectAccessible, expectTouchTargets, expectErrors, shoot, tapAndWait, typeOnScreen, useKiosks, checkAndClose, i18n } from './harness.mjs'
import { readyStaff, api, atStaffHome, auditSoon, kioskctl } from './staff-harness.mjs'

const rig = useKiosks()
const GWEN = { number: '2001', name: 'Gwen Morgan', role: 'reception', pin: '493817' }
const DAFYDD = { number: '1001', name: 'Dafydd Rees', role: 'supervisor', pin: '750396' }
const OWAIN = { number: '1002', name: 'Owain Price', role: 'supervisor', pin: '860427' }
const t = (lang, key, params) => i18n.t(lang, key, params)
const msg = (lang, code, field, params = {}) => i18n.errorMessage(lang, { code, field, params })

async function setUp() {
  const kiosk = await rig.startKiosk({ prison: 'CDF' })
  await readyStaff(kiosk, GWEN)
  await readyStaff(kiosk, DAFYDD)
  await readyStaff(kiosk, OWAIN)
  return kiosk
}

/** A second supervisor's view of the same kiosk, over the API: what the page must show. */
async function asOwain(kiosk, command, body = {}) {
  const signedIn = await api(kiosk, 'staff_sign_in', { staff_number: OWAIN.number, pin: OWAIN.pin })
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body))
  const answer = await api(kiosk, command, { token: signedIn.body.token, ...body })
  await api(kiosk, 'staff_sign_out', { token: signedIn.body.token })
  return answer
}

async function openSettings(page) {
  await tapAndWait(page, '[data-action=task][data-screen=staff-settings]')
  await expectScreen(page, 'staff-settings')
}

async function look(page, name, lang) {
  await expectAccessible(page, `${name} (${lang})`)
  await expectTouchTargets(page)
  await shoot(page, `staff-${lang}-${name}`)
}

/** The words the page must use for the machine's queues when it shows no radios of them. */
function queuesWords(lang, settings) {
  if (!settings.queues_error) return t(lang, 'staff.settings.queues_none')
  const key = `staff.settings.queues_error.${settings.queues_error}`
  return key in i18n.tables[lang] ? t(lang, key) : t(lang, 'staff.settings.queues_error', { code: settings.queues_error })
}

const mainText = (page) => page.locator('main').innerText()

for (const lang of ['en', 'cy']) {
  test(`kiosk settings (${lang}): the printer as CUPS answers, a missing queue refused on its field, enrolment's errors`, async () => {
    const kiosk = await setUp()
    const page = await atStaffHome(rig.browser, kiosk, DAFYDD.number, DAFYDD.pin, { lang })
    await openSettings(page)
    assert.match(await page.locator('h1').innerText(), new RegExp(`${t(lang, 'staff.settings.heading')}$`))

    // The machine's queues as the engine sees them: radios of them, or why there are none.
    const seen = await asOwain(kiosk, 'staff_settings')
    assert.equal(seen.status, 200, JSON.stringify(seen.body))
    const summary = await page.locator('.govuk-summary-list').first().innerText()
    assert.match(summary, new RegExp(t(lang, 'staff.settings.queue.none')))
    if (seen.body.queues.length) {
      const labels = (await page.locator('input[name=settings-queue] + label').allInnerTexts()).map((s) => s.trim())
      assert.deepEqual(labels, seen.body.queues)
      assert.equal(await page.locator('#settings-queues-problem').count(), 0)
    } else {
      assert.equal((await page.locator('#settings-queues-problem').innerText()).trim(), queuesWords(lang, seen.body))
      // Nothing to choose, so nothing to save.
      assert.equal(await page.locator('[data-action=save-printer]').count(), 0)
    }
    // Not enrolled: central's address and the code to type, nothing about an enrolment.
    assert.match(await mainText(page), new RegExp(t(lang, 'staff.settings.alone')))
    assert.equal(await page.locator('#settings-central-url[data-keyboard=url]').count(), 1)
    assert.equal(await page.locator('#settings-code[data-keyboard=alnum]').count(), 1)
    await look(page, '16-settings', lang)

    // A queue this machine does not have (set with kioskctl, or removed since): still shown and
    // chosen, and saving it is refused on the queue with the engine's reason.
    kioskctl(kiosk, ['printer', '--queue', 'Gone-Printer', '--paper', 'a4'])
    await tapAndWait(page, 'main [data-action=back]')
    await openSettings(page)
    const gone = page.locator('.govuk-radios__item', { has: page.locator('input[value=Gone-Printer]') })
    assert.match(await gone.innerText(), new RegExp(t(lang, 'staff.settings.queue.not_here')))
    assert.equal(await page.locator('input[value=Gone-Printer]').isChecked(), true)
    assert.equal(await page.locator('input[name=settings-paper][value=a4]').isChecked(), true)
    await page.click('label[for=settings-paper]')
    const refused = await asOwain(kiosk, 'staff_set_printer', { queue: 'Gone-Printer', paper: 'receipt' })
    assert.equal(refused.status, 422, JSON.stringify(refused.body))
    assert.deepEqual(refused.body.errors.map((e) => e.field), ['queue'])
    const code = refused.body.errors[0].code
    await tapAndWait(page, '[data-action=save-printer]')
    await expectErrors(page, [msg(lang, code, 'queue')])
    assert.equal((await page.locator('#settings-queue-error').innerText()).replace(/^(Error|Gwall):\s*/, '').trim(), msg(lang, code, 'queue'))
    // The summary's link goes to the queue's first radio.
    assert.equal(await page.locator('.govuk-error-summary a').getAttribute('href'), '#settings-queue')
    // The receipt roll chosen stays chosen; the setting itself did not change.
    assert.equal(await page.locator('input[name=settings-paper][value=receipt]').isChecked(), true)
    assert.equal(JSON.parse(kioskctl(kiosk, ['printer'])).paper, 'a4')
    await look(page, '16-settings-queue-error', lang)

    // Enrol with both fields blank: both are named, each on its field.
    await tapAndWait(page, '[data-action=enrol]')
    await expectErrors(page, [msg(lang, 'central_url_required', 'central_url'), msg(lang, 'enrolment_code_required', 'code')])
    assert.equal(await page.locator('#settings-central-url-error').count(), 1)
    assert.equal(await page.locator('#settings-code-error').count(), 1)
    await look(page, '16-settings-enrol-error', lang)

    // An address typed on the on-screen keyboard, for a central that is not there: refused for
    // the whole page, the address kept to try again, the code not kept in the page.
    await typeOnScreen(page, '#settings-central-url', 'http://127.0.0.1:9')
    await page.click('#keyboard button[data-key=Next]')
    await typeOnScreen(page, '#settings-code', 'ABCD')
    await page.click('#keyboard button[data-key=Done]')
    await tapAndWait(page, '[data-action=enrol]')
    await expectErrors(page, [msg(lang, 'central_unreachable')])
    assert.equal(await page.locator('#settings-central-url').inputValue(), 'http://127.0.0.1:9')
    assert.equal(await page.locator('#settings-code').inputValue(), '')
    assert.doesNotMatch(await page.content(), /value="ABCD"/)
    await expectScreen(page, 'staff-settings')

    await tapAndWait(page, '[data-action=sign-out]')
    await expectScreen(page, 'start')
    const entries = await auditSoon(kiosk, 1)
    assert.ok(entries.includes('settings 1001'), `the enrolment attempt is audited: ${entries}`)
    await checkAndClose(page)
  })
}

test('reception has no Kiosk settings, and the engine refuses its token with not_allowed', async () => {
  const kiosk = await setUp()
  const page = await atStaffHome(rig.browser, kiosk, GWEN.number, GWEN.pin)
  assert.equal(await page.locator('[data-action=task][data-screen=staff-settings]').count(), 0)
  await tapAndWait(page, '[data-action=sign-out]')
  await checkAndClose(page)

  const reception = await api(kiosk, 'staff_sign_in', { staff_number: GWEN.number, pin: GWEN.pin })
  for (const [command, body] of [
    ['staff_settings', {}],
    ['staff_set_printer', { queue: 'Gone-Printer', paper: 'a4' }],
    ['staff_enrol', { central_url: 'http://127.0.0.1:9', code: 'ABCD' }],
  ]) {
    const answer = await api(kiosk, command, { token: reception.body.token, ...body })
    assert.equal(answer.status, 422, command)
    assert.deepEqual(answer.body.errors.map((e) => e.code), ['not_allowed'], command)
  }
  await api(kiosk, 'staff_sign_out', { token: reception.body.token })
  // Nothing was set by the refused calls.
  assert.equal(JSON.parse(kioskctl(kiosk, ['printer'])), null)
})
