// Shared by the browser tests: a real kiosk-web process on a fresh SQLite store with the demo
// data, Debian's Chromium driven by playwright-core, screenshots and axe-core.

import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { before, after } from 'node:test'
import { chromium } from 'playwright-core'
import { build } from 'esbuild'
import { pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const uiDir = resolve(here, '..')
export const repoDir = resolve(uiDir, '..')
export const distDir = join(uiDir, 'dist')
export const shotsDir = join(uiDir, 'test-output', 'screenshots')

/** The demo data's "now": ages and the booking window (27 Nov to 23 Dec 2026) are worked out for it. */
export const NOW = '2026-11-25T10:00:00Z'

export const VIEWPORTS = {
  landscape: { width: 1280, height: 800 },
  portrait: { width: 1080, height: 1920 },
}

function kioskWebBinary() {
  if (process.env.KIOSK_WEB_BIN) return process.env.KIOSK_WEB_BIN
  const target = process.env.CARGO_TARGET_DIR ?? join(repoDir, 'target')
  return join(target, 'debug', 'kiosk-web')
}

/** The kiosk's own command-line tool, to look in the store behind the page. */
export function kioskctlBinary() {
  if (process.env.KIOSKCTL_BIN) return process.env.KIOSKCTL_BIN
  return join(dirname(kioskWebBinary()), 'kioskctl')
}

/** Starts kiosk-web for one prison on a free port with a new store; resolves once it listens. */
export async function startKiosk({ prison = 'CDF', now = NOW, idleTimeout, lookupSlowDownMs, lookupFailuresBeforeSlowing, kioskToml } = {}) {
  assert.ok(existsSync(join(distDir, 'index.html')), 'build the UI first: npm run build')
  const bin = kioskWebBinary()
  assert.ok(existsSync(bin), `kiosk-web not built at ${bin}: cargo build -p visit-kiosk-web`)
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-web-test-'))
  const args = ['--db', join(dir, 'kiosk.db'), '--prison', prison, '--port', '0', '--ui', distDir, '--init-demo']
  if (now) args.push('--now', now)
  if (idleTimeout) args.push('--idle-timeout', String(idleTimeout))
  if (lookupSlowDownMs !== undefined) args.push('--lookup-slow-down-ms', String(lookupSlowDownMs))
  if (lookupFailuresBeforeSlowing !== undefined) args.push('--lookup-failures-before-slowing', String(lookupFailuresBeforeSlowing))
  if (kioskToml !== undefined) {
    // The app's configuration file; kiosk-web takes its [screen] night blanking.
    writeFileSync(join(dir, 'kiosk.toml'), kioskToml)
    args.push('--config', join(dir, 'kiosk.toml'))
  }
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const url = await new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`kiosk-web did not start: ${stderr}`)), 20_000)
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolvePromise(m[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`kiosk-web exited with ${code}: ${stderr}`))
    })
  })
  return {
    url,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * What a test file's tests share: the browser and one kiosk-web per entry of `kiosks` (a name
 * and its startKiosk options), started side by side before the tests and stopped after them.
 * The fields of the answer (`browser`, and each kiosk by its name) are set once the tests run;
 * `startKiosk` starts one more, for a test that needs a store of its own, stopped with the rest.
 */
export function useKiosks(kiosks = {}) {
  const names = Object.keys(kiosks)
  const extra = []
  const rig = {
    browser: undefined,
    async startKiosk(options) {
      const kiosk = await startKiosk(options)
      extra.push(kiosk)
      return kiosk
    },
  }
  before(async () => {
    const [browser, ...started] = await Promise.all([launchBrowser(), ...names.map((name) => startKiosk(kiosks[name]))])
    rig.browser = browser
    for (const [i, name] of names.entries()) rig[name] = started[i]
  })
  after(async () => {
    await rig.browser?.close()
    await Promise.all([...names.map((name) => rig[name]?.stop()), ...extra.map((k) => k.stop())])
  })
  return rig
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/**
 * Opens the kiosk page. Every request that leaves the kiosk-web origin fails the test: the UI
 * must be self-contained (no fonts or scripts from the network).
 */
export async function openKiosk(browser, kiosk, { viewport = VIEWPORTS.landscape, query = '' } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, hasTouch: true })
  const page = await context.newPage()
  const outside = []
  const origin = new URL(kiosk.url).origin
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) outside.push(r.url())
  })
  const consoleErrors = []
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  await page.goto(kiosk.url + query)
  await page.waitForSelector('main[data-screen=start] h1')
  await page.waitForFunction(() => document.querySelector('.kiosk-header__prison') !== null)
  page.kioskChecks = () => {
    assert.deepEqual(outside, [], 'the page fetched something from outside the kiosk')
    // 422 answers are expected (they carry the errors); nothing else may go wrong.
    const unexpected = consoleErrors.filter((e) => !/status of 422/.test(e))
    assert.deepEqual(unexpected, [], 'errors in the page console')
  }
  return page
}

/** The page's own checks (nothing fetched from outside, no errors in the console), then closes it. */
export async function checkAndClose(page) {
  page.kioskChecks()
  await page.context().close()
}

/** Opens the kiosk page and, for `cy`, switches it to Welsh. */
export async function openIn(browser, kiosk, lang = 'en', options = {}) {
  const page = await openKiosk(browser, kiosk, options)
  if (lang === 'cy') await page.click('[data-action=lang]')
  return page
}

/** Taps a control that changes the screen, and waits until the page has drawn the new one. */
export async function tapAndWait(page, selector) {
  const before = await page.locator('main').getAttribute('data-render')
  await page.click(selector)
  await page.waitForFunction((n) => document.querySelector('main')?.dataset.render !== n, before)
}

/** A new page in `lang` (and `options` for openKiosk), started: on the prisoner step. */
export async function atPrisonerStep(browser, kiosk, { lang = 'en', ...options } = {}) {
  const page = await openIn(browser, kiosk, lang, options)
  await tapAndWait(page, '[data-action=start]')
  await expectScreen(page, 'prisoner')
  return page
}

/**
 * A new page on the visitors step, `prisoner` entered. With `closeKeyboard`, the visitor taps
 * Done on the on-screen keyboard before Continue, as the screens tests do.
 */
export async function atVisitorsStep(browser, kiosk, prisoner, { closeKeyboard = false, ...options } = {}) {
  const page = await atPrisonerStep(browser, kiosk, options)
  await fillPrisoner(page, prisoner)
  if (closeKeyboard) await page.click('#keyboard [data-key=Done]')
  await continueOn(page)
  await expectScreen(page, 'visitors')
  return page
}

/** A new page on the time step: `prisoner` entered and the contact `contactId` picked. */
export async function atTimeStep(browser, kiosk, prisoner, contactId, options = {}) {
  const page = await atVisitorsStep(browser, kiosk, prisoner, options)
  await page.click(`[data-action=pick][data-id=${contactId}]`)
  await continueOn(page)
  await expectScreen(page, 'time')
  return page
}

export async function screen(page) {
  return page.locator('main').getAttribute('data-screen')
}

export async function expectScreen(page, name) {
  await page.waitForSelector(`main[data-screen=${name}]`)
}

/** The UI's translation tables, bundled from TypeScript so tests can read them. */
export async function loadI18n() {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-i18n-'))
  const out = join(dir, 'i18n.mjs')
  await build({ entryPoints: [join(uiDir, 'src', 'i18n.ts')], bundle: true, format: 'esm', outfile: out, logLevel: 'silent' })
  const module = await import(pathToFileURL(out).href)
  rmSync(dir, { recursive: true, force: true })
  return module
}

/** The UI's translation tables (`t`, `formatDate`, `formatDay`, `tables`), loaded once. */
export const i18n = await loadI18n()

/** Whether `text` is one of the language's error messages, whatever its parameters. */
function isErrorMessage(lang, text) {
  return Object.entries(i18n.tables[lang])
    .filter(([key]) => key.startsWith('err.'))
    .some(([, template]) => {
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{\w+\\\}|\{\w+\}/g, '.+')
      return new RegExp(`^${pattern}$`).test(text)
    })
}

/**
 * Waits until the page shows the error summary with these messages (in order), then switches
 * language and back: every error must read as a Welsh message too, in the summary and inline.
 */
export async function expectErrors(page, messages) {
  const summary = page.locator('.govuk-error-summary')
  await summary.waitFor()
  const items = await summary.locator('li').allInnerTexts()
  assert.deepEqual(items.map((s) => s.trim()), messages)
  // GOV.UK: the summary takes the focus, and the title says there is an error.
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')), true)
  assert.match(await page.title(), /^(Error|Gwall): /)
  const lang = await page.evaluate(() => document.documentElement.lang)
  const other = lang === 'en' ? 'cy' : 'en'
  await page.click('[data-action=lang]')
  const translated = (await summary.locator('li').allInnerTexts()).map((s) => s.trim())
  assert.equal(translated.length, messages.length)
  for (const [i, text] of translated.entries()) {
    assert.notEqual(text, messages[i], `not translated: ${text}`)
    assert.ok(isErrorMessage(other, text), `not a ${other} error message: ${text}`)
  }
  for (const text of await inlineErrors(page)) assert.ok(isErrorMessage(other, text), `inline, not ${other}: ${text}`)
  await page.click('[data-action=lang]')
  assert.deepEqual((await summary.locator('li').allInnerTexts()).map((s) => s.trim()), messages)
}

/** Every inline error message on the page, without the hidden "Error:" prefix. */
export async function inlineErrors(page) {
  // A character count over its limit is styled as an error too (GOV.UK's), but it is a count.
  const texts = await page.locator('main .govuk-error-message:not(.govuk-character-count__message)').allInnerTexts()
  return texts.map((t) => t.replace(/^(Error|Gwall):\s*/, '').trim())
}

/** Screenshots the page at both kiosk sizes, then puts the viewport back. */
export async function shoot(page, name, { fullPage = true } = {}) {
  mkdirSync(shotsDir, { recursive: true })
  const before = page.viewportSize()
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size)
    await page.waitForTimeout(50)
    await page.screenshot({ path: join(shotsDir, `${name}-${label}.png`), fullPage })
  }
  await page.setViewportSize(before)
}

const axePath = join(uiDir, 'node_modules', 'axe-core', 'axe.min.js')

/** Runs axe-core on the page as it is now: WCAG 2.2 A and AA and best practice. */
export async function expectAccessible(page, label) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath })
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    })
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }))
  })
  assert.deepEqual(result, [], `axe violations on ${label}: ${JSON.stringify(result, null, 2)}`)
}

/** Every control a finger must hit is at least 48 by 48 CSS pixels (radios and checkboxes: their label row). */
export async function expectTouchTargets(page) {
  const small = await page.evaluate(() => {
    const found = []
    const targets = document.querySelectorAll('button, a[href], input:not([type=radio]):not([type=checkbox]), .govuk-radios__item, .govuk-checkboxes__item')
    for (const el of targets) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 && r.height === 0) continue
      if (el.closest('.govuk-skip-link')) continue
      if (r.width < 47.5 || r.height < 47.5) {
        found.push(`${el.tagName.toLowerCase()}#${el.id || ''}.${el.className} ${Math.round(r.width)}x${Math.round(r.height)}`)
      }
    }
    return found
  })
  assert.deepEqual(small, [], 'touch targets smaller than 48px')
}

/** Types into a field with the on-screen keyboard only, as a visitor would. */
export async function typeOnScreen(page, selector, text) {
  await page.click(selector)
  await page.waitForSelector('#keyboard:not([hidden])')
  for (const ch of text) {
    const accents = 'âêîôûŵŷáéíóúẃýàèìòùẁỳäëïöüẅÿ'
    if (accents.includes(ch.toLowerCase())) {
      await page.click('#keyboard button[data-key=Accents]')
    }
    if (ch === ' ') {
      await page.click('#keyboard button[data-key=" "]')
      continue
    }
    const key = page.locator(`#keyboard button[data-key="${ch}"]`)
    if ((await key.count()) === 0) {
      // The keyboard shows capitals or small letters: switch case for this one letter.
      await page.click('#keyboard button[data-key=Shift]')
      await page.click(`#keyboard button[data-key="${ch}"]`)
    } else {
      await key.click()
    }
  }
}

export async function fillDate(page, idPrefix, iso) {
  const [y, m, d] = iso.split('-')
  await page.fill(`#${idPrefix}-day`, d)
  await page.fill(`#${idPrefix}-month`, m)
  await page.fill(`#${idPrefix}-year`, y)
}

export async function fillPrisoner(page, { number, dob, surname }) {
  await page.fill('#prisoner-number', number)
  await fillDate(page, 'prisoner-dob', dob)
  await page.fill('#prisoner-surname', surname)
}

/** Taps the screen's main button and waits until the page has drawn the answer. */
export async function continueOn(page) {
  await tapAndWait(page, 'main button[type=submit]')
}

export const RHYS = { number: 'A1234BC', dob: '1990-05-05', surname: 'Evans' }
export const LLYR = { number: 'B2345CD', dob: '1985-01-31', surname: 'ap Gruffudd' }

/**
 * The same reference with its first character changed to another one, so its check character
 * no longer matches. Never "change" a character to a fixed letter: references are scrambled with
 * a key made per run, and a fixed letter is sometimes the one already there (a test that failed
 * about one run in thirty did that).
 */
export function mistyped(reference) {
  const first = reference[0] === '7' ? '8' : '7'
  return first + reference.slice(1)
}
