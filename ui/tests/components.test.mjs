// The GOV.UK components module against govuk-frontend's own fixtures: every fixture whose
// options the module supports is rendered through it and must give the fixture's HTML (the
// output of the component's Nunjucks macro), compared as DOM trees in Chromium. So the screens
// get GOV.UK's markup without running Nunjucks, and an upgrade of govuk-frontend that changes a
// component's markup fails here.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { uiDir, launchBrowser } from './harness.mjs'

let govuk
let markup
let browser
let page

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-components-'))
  // One bundle for both modules, so the fixtures' markup and the components share one Html class.
  await build({
    stdin: { contents: "export * as govuk from './govuk'\nexport * as markup from './html'", resolveDir: join(uiDir, 'src', 'components'), loader: 'ts' },
    bundle: true,
    format: 'esm',
    outfile: join(dir, 'components.mjs'),
    logLevel: 'silent',
  })
  ;({ govuk, markup } = await import(pathToFileURL(join(dir, 'components.mjs')).href))
  rmSync(dir, { recursive: true, force: true })
  browser = await launchBrowser()
  page = await (await browser.newContext()).newPage()
})

after(async () => {
  await browser?.close()
})

function fixtures(component) {
  const path = join(uiDir, 'node_modules', 'govuk-frontend', 'dist', 'govuk', 'components', component, 'fixtures.json')
  return JSON.parse(readFileSync(path, 'utf8')).fixtures
}

/** A fixture's `html` option is markup the macro trusts; the module takes markup only as Html. */
function trusted(source) {
  return markup.html(Object.assign([source], { raw: [source] }))
}

const TEXT = { text: 'string', html: 'html' }
const ATTRS = { attributes: 'attributes' }
const HINT = { ...TEXT, id: 'string', classes: 'string', ...ATTRS }
const ERROR = { ...TEXT, id: 'string', classes: 'string', visuallyHiddenText: 'string|false', ...ATTRS }
const LABEL = { ...TEXT, classes: 'string', isPageHeading: 'boolean', for: 'string', ...ATTRS }
const LEGEND = { ...TEXT, classes: 'string', isPageHeading: 'boolean' }
const FIELDSET = { describedBy: 'string', classes: 'string', role: 'string', legend: LEGEND, html: 'html', ...ATTRS }
const FORM_GROUP = { classes: 'string', ...ATTRS }

/** The options each function takes, as the macro names them: a fixture using anything else is skipped. */
const SUPPORTED = {
  button: {
    fn: 'button',
    options: { ...TEXT, type: 'string', id: 'string', name: 'string', value: 'string', classes: 'string', disabled: 'boolean', isStartButton: 'boolean', preventDoubleClick: 'boolean', ...ATTRS },
  },
  label: { fn: 'label', options: LABEL },
  hint: { fn: 'hint', options: HINT },
  'error-message': { fn: 'errorMessage', options: ERROR },
  input: {
    fn: 'input',
    options: {
      id: 'string', name: 'string', type: 'string', value: 'string', label: LABEL, hint: HINT, errorMessage: ERROR, classes: 'string',
      describedBy: 'string', autocomplete: 'string', autocapitalize: 'string', spellcheck: 'boolean', inputmode: 'string',
      pattern: 'string', disabled: 'boolean', formGroup: FORM_GROUP, ...ATTRS,
    },
  },
  fieldset: { fn: 'fieldset', options: FIELDSET },
  'date-input': {
    fn: 'dateInput',
    required: ['items'],
    options: {
      id: 'string', namePrefix: 'string', hint: HINT, errorMessage: ERROR, fieldset: FIELDSET, formGroup: FORM_GROUP, classes: 'string', ...ATTRS,
      items: [{ name: 'day|month|year', label: 'string', id: 'string', value: 'string', classes: 'string', inputmode: 'string', autocomplete: 'string', pattern: 'string', ...ATTRS }],
    },
  },
  radios: {
    fn: 'radios',
    options: {
      name: 'string', idPrefix: 'string', value: 'string', hint: HINT, errorMessage: ERROR, fieldset: FIELDSET, formGroup: FORM_GROUP, classes: 'string', ...ATTRS,
      items: [{ ...TEXT, value: 'string', id: 'string', checked: 'boolean', disabled: 'boolean', hint: HINT, label: { classes: 'string', ...ATTRS }, ...ATTRS }],
    },
  },
  'error-summary': {
    fn: 'errorSummary',
    options: { titleText: 'string', descriptionText: 'string', classes: 'string', ...ATTRS, errorList: [{ ...TEXT, href: 'string', ...ATTRS }] },
  },
  'summary-list': {
    fn: 'summaryList',
    options: {
      classes: 'string', ...ATTRS,
      rows: [{
        classes: 'string',
        key: { ...TEXT, classes: 'string' },
        value: { ...TEXT, classes: 'string' },
        actions: { classes: 'string', items: [{ text: 'string', href: 'string', visuallyHiddenText: 'string', classes: 'string', ...ATTRS }] },
      }],
    },
  },
  panel: { fn: 'panel', required: ['titleText'], options: { ...TEXT, titleText: 'string', headingLevel: 'number', classes: 'string', ...ATTRS } },
  'notification-banner': {
    fn: 'notificationBanner',
    options: { ...TEXT, titleText: 'string', titleId: 'string', titleHeadingLevel: 'number', role: 'string', type: 'string', classes: 'string', ...ATTRS },
    // The kiosk always gives the title in the visitor's language; the macro's defaults are English.
    defaults: (o) => ({ titleText: o.type === 'success' ? 'Success' : 'Important', ...o }),
  },
  'inset-text': { fn: 'insetText', options: { ...TEXT, id: 'string', classes: 'string', ...ATTRS } },
  'warning-text': {
    fn: 'warningText',
    options: { ...TEXT, iconFallbackText: 'string', classes: 'string', ...ATTRS },
    defaults: (o) => ({ iconFallbackText: 'Warning', ...o }),
  },
  tag: { fn: 'tag', options: { ...TEXT, classes: 'string', ...ATTRS } },
}

/**
 * The options as the module takes them (`html` strings as Html), or the reason the fixture is
 * outside what the module supports.
 */
function adapt(value, spec, path) {
  if (Array.isArray(spec)) {
    if (!Array.isArray(value)) return { skip: `${path} is not a list` }
    const out = []
    for (const [i, item] of value.entries()) {
      // The macros skip falsy items but count them (radio ids): the kiosk never passes one.
      if (!item) return { skip: `${path}[${i}] is empty` }
      const r = adapt(item, spec[0], `${path}[${i}]`)
      if (r.skip) return r
      out.push(r.value)
    }
    return { value: out }
  }
  if (typeof spec === 'object') {
    if (value === false || value === undefined || value === null) return { value: undefined }
    if (typeof value !== 'object') return { skip: `${path} is not an object` }
    const out = {}
    for (const [key, v] of Object.entries(value)) {
      if (!(key in spec)) return { skip: `${path}.${key}` }
      const r = adapt(v, spec[key], `${path}.${key}`)
      if (r.skip) return r
      if (r.value !== undefined) out[key] = r.value
    }
    return { value: out }
  }
  if (spec === 'html') return typeof value === 'string' ? { value: trusted(value) } : { skip: `${path} is not a string` }
  if (spec === 'attributes') {
    const plain = value && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number')
    return plain ? { value } : { skip: `${path} has attribute options` }
  }
  if (spec === 'string|false') return typeof value === 'string' || value === false ? { value } : { skip: `${path}` }
  if (spec === 'day|month|year') return ['day', 'month', 'year'].includes(value) ? { value } : { skip: `${path} = ${value}` }
  return typeof value === spec ? { value } : { skip: `${path} is a ${typeof value}` }
}

/** Both pieces of HTML as one canonical string: sorted attributes and classes, whitespace collapsed. */
async function canonical(pieces) {
  return page.evaluate((pieces) => {
    // Whitespace as a browser shows it: runs are one space, none at the start or end of an
    // element, none between elements where it is all there is.
    function children(node) {
      const parts = [...(node.content ?? node).childNodes].map(walk).filter((s) => s.trim() !== '')
      if (parts.length) {
        parts[0] = parts[0].replace(/^ /, '')
        parts[parts.length - 1] = parts[parts.length - 1].replace(/ $/, '')
      }
      return parts.join('')
    }
    function walk(node) {
      if (node.nodeType === Node.TEXT_NODE) return node.textContent.replace(/\s+/g, ' ')
      if (node.nodeType !== Node.ELEMENT_NODE) return ''
      const attrs = [...node.attributes]
        .map((a) => [a.name, a.name === 'class' ? a.value.split(/\s+/).filter(Boolean).sort().join(' ') : a.value])
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ` ${name}="${value}"`)
        .join('')
      const tag = node.localName
      return `<${tag}${attrs}>${children(node)}</${tag}>`
    }
    return pieces.map((source) => {
      const template = document.createElement('template')
      template.innerHTML = source
      return children(template)
    })
  }, pieces)
}

for (const [component, spec] of Object.entries(SUPPORTED)) {
  test(`${component}: the module gives the macro's markup for govuk-frontend's fixtures`, async () => {
    const compared = []
    const skipped = []
    for (const fixture of fixtures(component)) {
      // Required here, optional in the macro (which falls back to defaults the kiosk never uses).
      const missing = (spec.required ?? []).filter((k) => !fixture.options[k] || fixture.options[k].length === 0)
      const adapted = missing.length ? { skip: `needs ${missing}` } : adapt(fixture.options, spec.options, 'options')
      if (adapted.skip) {
        skipped.push(`${fixture.name}: ${adapted.skip}`)
        continue
      }
      const options = spec.defaults ? spec.defaults(adapted.value) : adapted.value
      const ours = govuk[spec.fn](options).toString()
      const [got, want] = await canonical([ours, fixture.html])
      assert.equal(got, want, `${component} fixture "${fixture.name}"`)
      compared.push(fixture.name)
    }
    // A test that compared nothing would prove nothing: most fixtures must be in reach.
    assert.ok(compared.length >= 3, `${component}: only ${compared.length} fixtures compared; skipped:\n${skipped.join('\n')}`)
    if (process.env.SHOW_SKIPPED) console.log(`${component}: ${compared.length} compared, skipped:\n  ${skipped.join('\n  ')}`)
  })
}

test('values are escaped wherever they go; markup goes in only as Html', () => {
  const evil = '<img src=x onerror=alert(1)>"\'&'
  const out = govuk
    .input({ name: 'n', id: 'n', value: evil, label: { text: evil }, hint: { text: evil }, errorMessage: { text: evil }, attributes: { 'data-x': evil } })
    .toString()
  assert.ok(!out.includes('<img'), out)
  assert.equal(out.split('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;').length - 1, 5, out)
  assert.throws(() => govuk.button({ text: 'x', attributes: { 'onclick="x"': 'y' } }), /not an attribute name/)
  // A string is never markup, even where the option is called html.
  assert.ok(!govuk.insetText({ html: '<b>bold</b>' }).toString().includes('<b>'))
})
