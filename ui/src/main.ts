// The visitor's journey: start, prisoner, visitors, time, check answers, confirmation.
//
// All state lives in one object that a reset replaces whole; screens are re-rendered from it,
// so going back never loses what was typed. The engine checks everything: this page only
// collects answers and translates the engine's error codes.

import './styles.scss'
import { call, errorsOf } from './backend'
import type {
  BookingConfirmation,
  ContactChoice,
  KioskInfo,
  PrisonerInput,
  SessionChoice,
  UiError,
  VisitorInput,
  VisitorName,
} from './generated/engine'
import { errorMessage, formatDate, formatDay, formatTime, t, type Key, type Lang } from './i18n'
import { OnScreenKeyboard } from './keyboard'
import { IdleTimer } from './idle'

type Screen = 'start' | 'prisoner' | 'visitors' | 'time' | 'check' | 'done'

interface DateParts {
  day: string
  month: string
  year: string
}

interface VisitorDraft {
  contactId?: string
  firstName: string
  lastName: string
  dob: DateParts
}

interface State {
  screen: Screen
  lang: Lang
  prisoner: { number: string; dob: DateParts; surname: string }
  contacts: ContactChoice[] | null
  visitors: VisitorDraft[]
  visitorNames: VisitorName[]
  sessions: SessionChoice | null
  sessionId: string
  confirmation: BookingConfirmation | null
  errors: UiError[]
  /** Set by a "Change" link: Continue then goes straight back to the check answers screen. */
  changing: boolean
  busy: boolean
  helpShown: boolean
  /** The time the visitor had chosen, when a change of visitors means it cannot be booked now. */
  droppedSession: { date: string; start: string; end: string } | null
  printed: 'none' | 'ok' | 'error'
}

const emptyDate = (): DateParts => ({ day: '', month: '', year: '' })
const emptyVisitor = (): VisitorDraft => ({ firstName: '', lastName: '', dob: emptyDate() })

function freshState(): State {
  return {
    screen: 'start',
    lang: 'en',
    prisoner: { number: '', dob: emptyDate(), surname: '' },
    contacts: null,
    visitors: [emptyVisitor()],
    visitorNames: [],
    sessions: null,
    sessionId: '',
    confirmation: null,
    errors: [],
    changing: false,
    busy: false,
    helpShown: false,
    droppedSession: null,
    printed: 'none',
  }
}

let state: State = freshState()
let info: KioskInfo | null = null
/** Bumped by every reset, so an answer that arrives after a reset is dropped. */
let generation = 0
let renders = 0

const root = document.getElementById('app') as HTMLElement
root.innerHTML = `
  <a href="#main" class="govuk-skip-link" data-action="skip"></a>
  <header class="kiosk-header" role="banner"></header>
  <div class="govuk-width-container kiosk-container">
    <main class="govuk-main-wrapper" id="main" role="main" tabindex="-1"></main>
  </div>
  <div id="keyboard" class="kiosk-keyboard" role="region" hidden></div>
  <dialog id="idle-dialog" class="kiosk-dialog" aria-labelledby="idle-heading" aria-describedby="idle-body"></dialog>`
const skipLink = root.querySelector('.govuk-skip-link') as HTMLElement
const header = root.querySelector('header') as HTMLElement
const main = root.querySelector('main') as HTMLElement
const dialog = root.querySelector('#idle-dialog') as HTMLDialogElement
const keyboard = new OnScreenKeyboard(root.querySelector('#keyboard') as HTMLElement)

const params = new URLSearchParams(location.search)
const idleOverride = Number(params.get('idle'))

const idle = new IdleTimer({
  warn: (secondsLeft) => showIdleWarning(secondsLeft),
  tick: (secondsLeft) => updateIdleWarning(secondsLeft),
  reset: () => resetAll(),
})

// ---------------------------------------------------------------- helpers

const tr = (key: Key, p: Record<string, string | number> = {}) => t(state.lang, key, p)

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function isoDate(d: DateParts): string {
  const day = d.day.trim()
  const month = d.month.trim()
  const year = d.year.trim()
  if (!day && !month && !year) return ''
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
}

function displayDate(d: DateParts): string {
  const iso = isoDate(d)
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? formatDate(state.lang, iso) : `${d.day} ${d.month} ${d.year}`
}

function prisonerInput(): PrisonerInput {
  return {
    number: state.prisoner.number,
    date_of_birth: isoDate(state.prisoner.dob),
    surname: state.prisoner.surname,
  }
}

function visitorInputs(): VisitorInput[] {
  return state.visitors.map((v) =>
    v.contactId
      ? { contact_id: v.contactId, first_name: '', last_name: '', date_of_birth: '' }
      : { first_name: v.firstName, last_name: v.lastName, date_of_birth: isoDate(v.dob) },
  )
}

function contactName(id: string): string {
  const c = state.contacts?.find((c) => c.id === id)
  return c ? `${c.first_name} ${c.last_name}` : ''
}

function visitorLabel(i: number): string {
  return i === 0 ? tr('visitors.lead') : tr('visitors.n', { n: i + 1 })
}

function visitorName(i: number): string {
  const v = state.visitors[i]
  if (v.contactId) return contactName(v.contactId)
  const typed = `${v.firstName} ${v.lastName}`.trim()
  return typed || visitorLabel(i)
}

/** The element an error's field points at, for the summary's link and the inline message. */
function fieldTarget(field: string | null | undefined): string | null {
  if (!field) return null
  // On check answers the fields are not on screen: point at their section instead.
  if (state.screen === 'check') {
    if (field.startsWith('prisoner')) return 'check-prisoner'
    if (field.startsWith('visitors')) return 'check-visitors'
    return 'session-group'
  }
  const map: Record<string, string> = {
    'prisoner.number': 'prisoner-number',
    'prisoner.date_of_birth': 'prisoner-dob-day',
    'prisoner.surname': 'prisoner-surname',
    visitors: 'visitors-heading',
    session: 'session-group',
  }
  if (map[field]) return map[field]
  const m = /^visitors\[(\d+)\](?:\.(first_name|last_name|date_of_birth))?$/.exec(field)
  if (!m) return null
  const part = m[2] === 'first_name' ? 'first-name' : m[2] === 'last_name' ? 'last-name' : m[2] === 'date_of_birth' ? 'dob-day' : 'heading'
  return `visitor-${m[1]}-${part}`
}

function errorsFor(field: string): UiError[] {
  return state.errors.filter((e) => e.field === field)
}

function errorMessageHtml(id: string, errors: UiError[]): string {
  if (errors.length === 0) return ''
  return errors
    .map(
      (e, i) =>
        `<p class="govuk-error-message" id="${id}-error${i ? '-' + i : ''}"><span class="govuk-visually-hidden">${tr('error.prefix')}</span> ${esc(errorMessage(state.lang, e))}</p>`,
    )
    .join('')
}

function describedBy(id: string, errors: UiError[], hint?: string): string {
  const ids = [hint, ...errors.map((_, i) => `${id}-error${i ? '-' + i : ''}`)].filter(Boolean)
  return ids.length ? ` aria-describedby="${ids.join(' ')}"` : ''
}

function errorSummary(): string {
  if (state.errors.length === 0) return ''
  const items = state.errors
    .map((e) => {
      const target = fieldTarget(e.field)
      const text = esc(errorMessage(state.lang, e))
      return target ? `<li><a href="#${target}" data-action="focus" data-target="${target}">${text}</a></li>` : `<li>${text}</li>`
    })
    .join('')
  return `<div class="govuk-error-summary" data-module="govuk-error-summary" tabindex="-1">
    <div role="alert">
      <h2 class="govuk-error-summary__title">${tr('error.summary_title')}</h2>
      <div class="govuk-error-summary__body"><ul class="govuk-list govuk-error-summary__list">${items}</ul></div>
    </div>
  </div>`
}

function textInput(opts: {
  id: string
  label: string
  value: string
  bind: string
  field: string
  keyboard: 'letters' | 'alnum' | 'numeric'
  hint?: string
  width?: string
  maxLength?: number
  labelClass?: string
}): string {
  const errors = errorsFor(opts.field)
  const hintId = opts.hint ? `${opts.id}-hint` : undefined
  return `<div class="govuk-form-group${errors.length ? ' govuk-form-group--error' : ''}">
    <label class="govuk-label ${opts.labelClass ?? 'govuk-label--m'}" for="${opts.id}">${esc(opts.label)}</label>
    ${opts.hint ? `<div class="govuk-hint" id="${hintId}">${esc(opts.hint)}</div>` : ''}
    ${errorMessageHtml(opts.id, errors)}
    <input class="govuk-input ${opts.width ?? ''}${errors.length ? ' govuk-input--error' : ''}" id="${opts.id}" name="${opts.id}" type="text"
      value="${esc(opts.value)}" data-bind="${opts.bind}" data-keyboard="${opts.keyboard}" inputmode="none"
      autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="${opts.maxLength ?? 50}"${describedBy(opts.id, errors, hintId)}>
  </div>`
}

function dateInput(opts: { id: string; legend: string; value: DateParts; bind: string; field: string; legendClass?: string }): string {
  const errors = errorsFor(opts.field)
  const hintId = `${opts.id}-hint`
  const part = (name: 'day' | 'month' | 'year', label: Key, width: string, max: number) => `
    <div class="govuk-date-input__item">
      <div class="govuk-form-group">
        <label class="govuk-label govuk-date-input__label" for="${opts.id}-${name}">${tr(label)}</label>
        <input class="govuk-input govuk-date-input__input ${width}${errors.length ? ' govuk-input--error' : ''}" id="${opts.id}-${name}"
          name="${opts.id}-${name}" type="text" value="${esc(opts.value[name])}" data-bind="${opts.bind}.${name}" data-keyboard="numeric"
          inputmode="none" autocomplete="off" maxlength="${max}">
      </div>
    </div>`
  return `<div class="govuk-form-group${errors.length ? ' govuk-form-group--error' : ''}">
    <fieldset class="govuk-fieldset" role="group"${describedBy(opts.id, errors, hintId)}>
      <legend class="govuk-fieldset__legend ${opts.legendClass ?? 'govuk-fieldset__legend--m'}">${esc(opts.legend)}</legend>
      <div class="govuk-hint" id="${hintId}">${tr('dob.hint')}</div>
      ${errorMessageHtml(opts.id, errors)}
      <div class="govuk-date-input" id="${opts.id}">
        ${part('day', 'dob.day', 'govuk-input--width-2', 2)}
        ${part('month', 'dob.month', 'govuk-input--width-2', 2)}
        ${part('year', 'dob.year', 'govuk-input--width-4', 4)}
      </div>
    </fieldset>
  </div>`
}

/**
 * A question screen's heading, with its step inside it (GOV.UK's caption-in-heading pattern):
 * the heading takes the focus when the screen opens, and a screen reader reads "Step 1 of 4"
 * with the question.
 */
function questionHeading(step: number, text: string, attrs = ''): string {
  return `<h1 class="govuk-heading-xl"${attrs}><span class="govuk-caption-l">${tr('caption.step', { n: step })}</span> ${text}</h1>`
}

function backButton(): string {
  return `<button type="button" class="govuk-button govuk-button--secondary kiosk-back" data-action="back">${tr('button.back')}</button>`
}

function continueButton(label: Key = 'button.continue'): string {
  return `<button type="submit" class="govuk-button" data-module="govuk-button"${state.busy ? ' disabled aria-disabled="true"' : ''}>${tr(label)}</button>`
}

// ---------------------------------------------------------------- screens

function headerHtml(): string {
  const large = document.documentElement.classList.contains('kiosk-large-text')
  const contrast = document.documentElement.classList.contains('kiosk-high-contrast')
  const prisonName = info ? (state.lang === 'cy' ? info.prison.name.cy : info.prison.name.en) : ''
  const other: Lang = state.lang === 'en' ? 'cy' : 'en'
  return `<div class="kiosk-header__inner">
      <div class="kiosk-header__title">
        <span class="kiosk-header__service">${tr('app.title')}</span>
        ${prisonName ? `<span class="kiosk-header__prison">${esc(prisonName)}</span>` : ''}
      </div>
      <div class="kiosk-header__tools">
        <button type="button" class="kiosk-tool" data-action="lang"><span class="govuk-visually-hidden">${tr('lang.switch.label')}: </span><span lang="${other}">${tr('lang.switch')}</span></button>
        <button type="button" class="kiosk-tool" data-action="text-size" aria-pressed="${large}">${tr('a11y.bigger_text')}</button>
        <button type="button" class="kiosk-tool" data-action="contrast" aria-pressed="${contrast}">${tr('a11y.high_contrast')}</button>
      </div>
    </div>`
}

function startScreen(): string {
  const name = info ? (state.lang === 'cy' ? info.prison.name.cy : info.prison.name.en) : ''
  const help = state.helpShown
    ? `<div class="govuk-notification-banner" role="region" aria-labelledby="help-title" data-module="govuk-notification-banner">
        <div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="help-title">${tr('start.help')}</h2></div>
        <div class="govuk-notification-banner__content">
          <p class="govuk-notification-banner__heading" id="help-heading" tabindex="-1">${tr('help.heading')}</p>
          <p class="govuk-body">${tr('help.body')}</p>
          <button type="button" class="govuk-button govuk-button--secondary" data-action="help-close">${tr('help.close')}</button>
        </div>
      </div>`
    : ''
  return `${help}
    <h1 class="govuk-heading-xl">${esc(tr('start.heading', { prison: name }))}</h1>
    <p class="govuk-body-l">${tr('start.lead')}</p>
    <p class="govuk-body-l">${tr('start.need')}</p>
    <ul class="govuk-list govuk-list--bullet govuk-body-l">
      <li>${tr('start.need.prisoner')}</li>
      <li>${tr('start.need.visitors')}</li>
    </ul>
    <div class="kiosk-start-actions">
      <button type="button" class="govuk-button govuk-button--start kiosk-button-xl" data-action="start">
        ${tr('start.book')}
        <svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
        </svg>
      </button>
      <button type="button" class="govuk-button govuk-button--secondary" data-action="help">${tr('start.help')}</button>
    </div>`
}

function prisonerScreen(): string {
  return `<form data-form="prisoner" novalidate>
    ${errorSummary()}
    ${questionHeading(1, tr('prisoner.heading'))}
    ${textInput({ id: 'prisoner-number', label: tr('prisoner.number'), hint: tr('prisoner.number.hint'), value: state.prisoner.number, bind: 'prisoner.number', field: 'prisoner.number', keyboard: 'alnum', width: 'govuk-input--width-10 kiosk-input--upper', maxLength: 7 })}
    ${dateInput({ id: 'prisoner-dob', legend: tr('prisoner.dob'), value: state.prisoner.dob, bind: 'prisoner.dob', field: 'prisoner.date_of_birth' })}
    ${textInput({ id: 'prisoner-surname', label: tr('prisoner.surname'), value: state.prisoner.surname, bind: 'prisoner.surname', field: 'prisoner.surname', keyboard: 'letters', width: 'govuk-input--width-20' })}
    <div class="govuk-button-group">${continueButton()}${backButton()}</div>
  </form>`
}

function visitorCard(i: number): string {
  const v = state.visitors[i]
  const personErrors = errorsFor(`visitors[${i}]`)
  const anyError =
    personErrors.length > 0 || state.errors.some((e) => e.field?.startsWith(`visitors[${i}].`))
  const canRemove = state.visitors.length > 1
  const remove = canRemove
    ? `<button type="button" class="govuk-button govuk-button--secondary kiosk-remove" data-action="remove" data-index="${i}"
         aria-label="${esc(tr('visitors.remove_label', { name: visitorName(i) }))}">${tr('button.remove')}</button>`
    : ''
  const body = v.contactId
    ? `<p class="govuk-body-l kiosk-visitor__name">${esc(contactName(v.contactId))}</p>
       <p class="govuk-hint">${tr('visitors.from_list')}</p>`
    : `${textInput({ id: `visitor-${i}-first-name`, label: tr('visitors.first_name'), value: v.firstName, bind: `visitors.${i}.firstName`, field: `visitors[${i}].first_name`, keyboard: 'letters', width: 'govuk-input--width-20', labelClass: 'govuk-label--s' })}
       ${textInput({ id: `visitor-${i}-last-name`, label: tr('visitors.last_name'), value: v.lastName, bind: `visitors.${i}.lastName`, field: `visitors[${i}].last_name`, keyboard: 'letters', width: 'govuk-input--width-20', labelClass: 'govuk-label--s' })}
       ${dateInput({ id: `visitor-${i}-dob`, legend: tr('visitors.dob'), value: v.dob, bind: `visitors.${i}.dob`, field: `visitors[${i}].date_of_birth`, legendClass: 'govuk-fieldset__legend--s' })}`
  return `<div class="kiosk-visitor govuk-form-group${anyError ? ' govuk-form-group--error' : ''}" data-visitor="${i}">
    <div class="kiosk-visitor__head">
      <h2 class="govuk-heading-m" id="visitor-${i}-heading" tabindex="-1">${visitorLabel(i)}</h2>
      ${remove}
    </div>
    ${errorMessageHtml(`visitor-${i}`, personErrors)}
    ${body}
  </div>`
}

function visitorsScreen(): string {
  const party = info?.party
  const limits = party
    ? `<p class="govuk-body-l">${esc(tr('visitors.limits', { max_visitors: party.max_visitors, max_adults: party.max_adults, adult_age: party.adult_age, lead_age: party.lead_visitor_age }))}</p>`
    : ''
  const full = state.visitors.length >= (party?.max_visitors ?? 6)
  const picked = new Set(state.visitors.map((v) => v.contactId).filter(Boolean))
  const unpicked = (state.contacts ?? []).filter((c) => !picked.has(c.id))
  const list =
    state.contacts && !full && unpicked.length > 0
      ? `<div class="kiosk-contacts">
          <h2 class="govuk-heading-m">${tr('visitors.list.heading')}</h2>
          <p class="govuk-hint">${tr('visitors.list.hint')}</p>
          <div class="kiosk-contacts__list">
            ${unpicked
              .map(
                (c) =>
                  `<button type="button" class="govuk-button govuk-button--secondary kiosk-contact" data-action="pick" data-id="${esc(c.id)}">${esc(tr('visitors.list.add', { name: `${c.first_name} ${c.last_name}` }))}</button>`,
              )
              .join('')}
          </div>
        </div>`
      : ''
  const partyErrors = errorsFor('visitors')
  const addTyped = full
    ? `<p class="govuk-body">${tr('visitors.full')}</p>`
    : `<button type="button" class="govuk-button govuk-button--secondary" data-action="add">${tr(state.contacts ? 'visitors.add_typed.list' : 'visitors.add_typed')}</button>`
  return `<form data-form="visitors" novalidate>
    ${errorSummary()}
    ${questionHeading(2, tr('visitors.heading'), ' id="visitors-heading" tabindex="-1"')}
    ${limits}
    ${partyErrors.length ? `<div class="govuk-form-group govuk-form-group--error">${errorMessageHtml('visitors', partyErrors)}</div>` : ''}
    <div class="kiosk-visitors">${state.visitors.map((_, i) => visitorCard(i)).join('')}</div>
    ${list}
    <div class="govuk-button-group">${addTyped}</div>
    <div class="govuk-button-group">${continueButton()}${backButton()}</div>
  </form>`
}

/** GOV.UK's notification banner: the time chosen earlier cannot be booked for these visitors. */
function droppedSessionBanner(): string {
  const d = state.droppedSession
  if (!d) return ''
  const when = tr('time.dropped.when', {
    day: formatDay(state.lang, d.date),
    time: tr('time.range', { start: formatTime(state.lang, d.start), end: formatTime(state.lang, d.end) }),
  })
  // role="alert" and the focus, as GOV.UK's banner does for the outcome of what the user just did.
  return `<div class="govuk-notification-banner" role="alert" aria-labelledby="time-dropped-title" data-module="govuk-notification-banner" tabindex="-1" id="time-dropped">
    <div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="time-dropped-title">${tr('notice.important')}</h2></div>
    <div class="govuk-notification-banner__content">
      <p class="govuk-notification-banner__heading">${tr('time.dropped.heading')}</p>
      <p class="govuk-body-l">${esc(when)} ${tr('time.dropped.body')}</p>
    </div>
  </div>`
}

function timeScreen(): string {
  const choice = state.sessions
  const sessionErrors = errorsFor('session')
  if (!choice || choice.days.length === 0) {
    return `${errorSummary()}
      ${questionHeading(3, tr('time.none.heading'))}
      <p class="govuk-body-l">${tr('time.none.body')}</p>
      <p class="govuk-body-l">${tr('time.none.restart_body')}</p>
      <div class="govuk-button-group">
        <button type="button" class="govuk-button" data-action="finish">${tr('time.none.restart')}</button>
        <button type="button" class="govuk-button govuk-button--secondary" data-action="help-staff">${tr('start.help')}</button>
        ${backButton()}
      </div>
      ${state.helpShown ? `<div class="govuk-inset-text" id="help-heading" tabindex="-1">${tr('help.body')}</div>` : ''}`
  }
  const anyClosed = choice.days.some((d) => d.sessions.some((s) => s.kind === 'closed'))
  let n = 0
  const days = choice.days
    .map((day) => {
      const radios = day.sessions
        .map((s) => {
          const id = n === 0 ? 'session-group' : `session-${n}`
          n += 1
          const tables = s.tables_left === 1 ? tr('time.tables.one') : tr('time.tables.many', { n: s.tables_left })
          const closedTag = s.kind === 'closed' ? `<strong class="govuk-tag govuk-tag--yellow kiosk-tag">${tr('time.closed_tag')}</strong><br>` : ''
          return `<div class="govuk-radios__item">
            <input class="govuk-radios__input" id="${id}" name="session" type="radio" value="${esc(s.id)}"${state.sessionId === s.id ? ' checked' : ''} aria-describedby="${id}-hint">
            <label class="govuk-label govuk-radios__label" for="${id}">${esc(tr('time.range', { start: formatTime(state.lang, s.start), end: formatTime(state.lang, s.end) }))}</label>
            <div id="${id}-hint" class="govuk-hint govuk-radios__hint">${closedTag}${esc(tr('time.arrive', { time: formatTime(state.lang, s.arrive_by) }))}<br>${esc(tables)}</div>
          </div>`
        })
        .join('')
      return `<div class="kiosk-day">
        <fieldset class="govuk-fieldset">
          <legend class="govuk-fieldset__legend govuk-fieldset__legend--m">${esc(formatDay(state.lang, day.date, false))}</legend>
          <div class="govuk-radios" data-module="govuk-radios">${radios}</div>
        </fieldset>
      </div>`
    })
    .join('')
  // The times actually offered, which can start weeks into the booking window (a visitor's ban
  // ending, say), not the window itself.
  const first = choice.days[0].date
  const last = choice.days[choice.days.length - 1].date
  const intro =
    first === last
      ? tr('time.intro.one', { date: formatDate(state.lang, first) })
      : tr('time.intro', { first: formatDate(state.lang, first), last: formatDate(state.lang, last) })
  return `<form data-form="time" novalidate>
    ${errorSummary()}
    ${droppedSessionBanner()}
    ${questionHeading(3, tr('time.heading'))}
    <p class="govuk-body-l">${esc(intro)}</p>
    ${anyClosed ? `<div class="govuk-inset-text">${tr('time.closed')}</div>` : ''}
    <div class="govuk-form-group${sessionErrors.length ? ' govuk-form-group--error' : ''}">
      ${errorMessageHtml('session', sessionErrors)}
      <div class="kiosk-days">${days}</div>
    </div>
    <div class="govuk-button-group kiosk-sticky-actions">${continueButton()}${backButton()}</div>
  </form>`
}

function chosenSession() {
  for (const day of state.sessions?.days ?? []) {
    const s = day.sessions.find((s) => s.id === state.sessionId)
    if (s) return { date: day.date, session: s }
  }
  return null
}

function summaryRow(key: string, value: string, change?: { screen: Screen; hidden: Key; target?: string }): string {
  const action = change
    ? `<dd class="govuk-summary-list__actions">
        <button type="button" class="govuk-link kiosk-link-button" data-action="change" data-screen="${change.screen}"${change.target ? ` data-target="${change.target}"` : ''}>
          ${tr('button.change')}<span class="govuk-visually-hidden"> ${tr(change.hidden)}</span></button></dd>`
    : ''
  return `<div class="govuk-summary-list__row${change ? '' : ' govuk-summary-list__row--no-actions'}">
    <dt class="govuk-summary-list__key">${esc(key)}</dt>
    <dd class="govuk-summary-list__value">${value}</dd>
    ${action}
  </div>`
}

/** A check-answers heading, with the errors the engine found in that section under it. */
function checkSection(id: string, title: Key, belongs: (field: string) => boolean): string {
  const errors = state.errors.filter((e) => e.field && belongs(e.field))
  const heading = `<h2 class="govuk-heading-m" id="${id}" tabindex="-1">${tr(title)}</h2>`
  return errors.length
    ? `<div class="govuk-form-group govuk-form-group--error govuk-!-margin-bottom-4">${heading}${errorMessageHtml(id, errors)}</div>`
    : heading
}

function checkScreen(): string {
  const chosen = chosenSession()
  const visitors = state.visitors
    .map((_, i) => summaryRow(visitorLabel(i), esc(state.visitorNames[i] ? `${state.visitorNames[i].first_name} ${state.visitorNames[i].last_name}` : visitorName(i)), { screen: 'visitors', hidden: 'check.change.visitor' }))
    .join('')
  const visit = chosen
    ? summaryRow(tr('check.date'), esc(formatDay(state.lang, chosen.date)), { screen: 'time', hidden: 'check.change.date' }) +
      summaryRow(tr('check.time'), esc(tr('time.range', { start: formatTime(state.lang, chosen.session.start), end: formatTime(state.lang, chosen.session.end) })), { screen: 'time', hidden: 'check.change.time' }) +
      summaryRow(tr('check.kind'), tr(chosen.session.kind === 'closed' ? 'check.kind.closed' : 'check.kind.open'))
    : ''
  return `<form data-form="check" novalidate>
    ${errorSummary()}
    ${questionHeading(4, tr('check.heading'))}
    ${checkSection('check-prisoner', 'check.prisoner', (f) => f.startsWith('prisoner'))}
    <dl class="govuk-summary-list govuk-!-margin-bottom-9">
      ${summaryRow(tr('prisoner.number'), esc(state.prisoner.number.toUpperCase()), { screen: 'prisoner', hidden: 'check.change.number', target: 'prisoner-number' })}
      ${summaryRow(tr('prisoner.dob'), esc(displayDate(state.prisoner.dob)), { screen: 'prisoner', hidden: 'check.change.dob', target: 'prisoner-dob-day' })}
      ${summaryRow(tr('prisoner.surname'), esc(state.prisoner.surname), { screen: 'prisoner', hidden: 'check.change.surname', target: 'prisoner-surname' })}
    </dl>
    ${checkSection('check-visitors', 'check.visitors', (f) => f.startsWith('visitors'))}
    <dl class="govuk-summary-list govuk-!-margin-bottom-9">${visitors}</dl>
    ${checkSection('session-group', 'check.visit', (f) => f === 'session')}
    <dl class="govuk-summary-list govuk-!-margin-bottom-9">${visit}</dl>
    <h2 class="govuk-heading-m">${tr('check.confirm.heading')}</h2>
    <p class="govuk-body">${tr('check.confirm.body')}</p>
    <div class="govuk-button-group">${continueButton('check.book')}${backButton()}</div>
  </form>`
}

function doneScreen(): string {
  const c = state.confirmation
  if (!c) return ''
  const requested = c.status === 'requested'
  const printMessage =
    state.printed === 'ok'
      ? `<div class="govuk-inset-text" role="status">${tr('done.printed')}</div>`
      : state.printed === 'error'
        ? `<div class="govuk-error-summary" tabindex="-1" id="print-error"><div role="alert"><h2 class="govuk-error-summary__title">${tr('error.summary_title')}</h2>
            <div class="govuk-error-summary__body"><p class="govuk-body">${esc(state.errors.map((e) => errorMessage(state.lang, e)).join('. '))}</p></div></div></div>`
        : ''
  const prison = state.lang === 'cy' ? c.prison.name.cy : c.prison.name.en
  const address = state.lang === 'cy' ? c.prison.address.cy : c.prison.address.en
  return `<div class="govuk-panel govuk-panel--confirmation">
      <h1 class="govuk-panel__title">${tr(requested ? 'done.requested' : 'done.booked')}</h1>
      <div class="govuk-panel__body">${tr('done.reference')}<br><strong class="kiosk-reference" id="reference">${esc(c.reference)}</strong></div>
    </div>
    ${requested ? `<div class="govuk-warning-text"><span class="govuk-warning-text__icon" aria-hidden="true">!</span><strong class="govuk-warning-text__text">${tr('done.requested.body')}</strong></div>` : ''}
    ${printMessage}
    <div class="govuk-button-group">
      <button type="button" class="govuk-button kiosk-button-xl" data-action="print">${tr('done.print')}</button>
      <button type="button" class="govuk-button govuk-button--secondary kiosk-button-xl" data-action="finish">${tr('done.finish')}</button>
    </div>
    <h2 class="govuk-heading-l">${tr('done.details')}</h2>
    <dl class="govuk-summary-list">
      ${summaryRow(tr('check.date'), esc(formatDay(state.lang, c.date)))}
      ${summaryRow(tr('check.time'), esc(tr('time.range', { start: formatTime(state.lang, c.start), end: formatTime(state.lang, c.end) })))}
      ${summaryRow(tr('done.arrive'), `<strong>${esc(formatTime(state.lang, c.arrive_by))}</strong>`)}
      ${summaryRow(tr('done.room'), esc(c.room))}
      ${summaryRow(tr('done.prison'), [prison, ...address].map(esc).join('<br>'))}
      ${summaryRow(tr('check.kind'), tr(c.kind === 'closed' ? 'check.kind.closed' : 'check.kind.open'))}
      ${summaryRow(tr('check.visitors'), c.visitors.map((v) => esc(`${v.first_name} ${v.last_name}`)).join('<br>'))}
    </dl>
    <h2 class="govuk-heading-l">${tr('done.arrive.heading')}</h2>
    <p class="govuk-body-l">${esc(tr('done.arrive.body', { time: formatTime(state.lang, c.arrive_by) }))}</p>
    <h2 class="govuk-heading-l">${tr('done.bring.heading')}</h2>
    <ul class="govuk-list govuk-list--bullet govuk-body-l">
      <li>${tr('done.bring.id')}</li>
      <li>${tr('done.bring.reference')}</li>
      <li>${tr('done.bring.nothing')}</li>
    </ul>`
}

const SCREENS: Record<Screen, () => string> = {
  start: startScreen,
  prisoner: prisonerScreen,
  visitors: visitorsScreen,
  time: timeScreen,
  check: checkScreen,
  done: doneScreen,
}

const TITLES: Record<Screen, Key> = {
  start: 'start.book',
  prisoner: 'prisoner.heading',
  visitors: 'visitors.heading',
  time: 'time.heading',
  check: 'check.heading',
  done: 'done.booked',
}

type Focus = 'heading' | 'errors' | 'notice' | 'keep' | { id: string }

function render(focus: Focus = 'heading'): void {
  document.documentElement.lang = state.lang
  // The page's own furniture is in the visitor's language too, not only the screens.
  skipLink.textContent = tr('skip.main')
  header.innerHTML = headerHtml()
  main.innerHTML = SCREENS[state.screen]()
  main.dataset.screen = state.screen
  // Tests wait for this to change after a tap, instead of guessing how long an answer takes.
  renders += 1
  main.dataset.render = String(renders)
  const title = `${tr(TITLES[state.screen])} - ${tr('app.title')}`
  document.title = (state.errors.length ? tr('error.title_prefix') : '') + title
  keyboard.setLang(state.lang)
  if (focus === 'keep') {
    // The field the keyboard typed into was drawn again (a new language or text size), and the
    // switch that did it has the focus now: close the keyboard rather than type into nothing.
    if (keyboard.field && !keyboard.field.isConnected) keyboard.hide()
    return
  }
  keyboard.hide()
  let target: HTMLElement | null = null
  if (focus === 'errors') target = main.querySelector('.govuk-error-summary')
  else if (focus === 'notice') target = main.querySelector('.govuk-notification-banner')
  else if (focus !== 'heading') target = document.getElementById(focus.id)
  target ??= main.querySelector('h1')
  if (target) {
    if (!target.hasAttribute('tabindex') && !/^(INPUT|BUTTON|A|SELECT|TEXTAREA)$/.test(target.tagName)) target.setAttribute('tabindex', '-1')
    target.focus({ preventScroll: true })
    if (keyboard.field === target) {
      // A field that opened the keyboard: it is placed above the keys, not in the middle of a
      // screen the keys half cover.
      keyboard.reveal()
    } else {
      // The error summary belongs at the top; anything else (the reference after printing, say)
      // is centred, so the heading above it stays in view.
      target.scrollIntoView({ block: focus === 'errors' || focus === 'notice' ? 'start' : 'center' })
    }
  }
  if (focus === 'heading') window.scrollTo(0, 0)
}

// ---------------------------------------------------------------- actions

function go(screen: Screen, focus: Focus = 'heading'): void {
  state.screen = screen
  state.errors = []
  state.helpShown = false
  // The note about a dropped time is for the screen it was shown on, not for ever after.
  if (focus !== 'notice') state.droppedSession = null
  render(focus)
}

function showErrors(e: unknown): void {
  state.errors = errorsOf(e)
  render('errors')
}

/** Runs a backend call with the Continue button disabled; drops the answer if a reset came first. */
async function busy<T>(work: () => Promise<T>): Promise<T | undefined> {
  const mine = generation
  state.busy = true
  main.querySelectorAll('button[type=submit]').forEach((b) => b.setAttribute('disabled', ''))
  try {
    const result = await work()
    return mine === generation ? result : undefined
  } catch (e) {
    if (mine === generation) {
      state.busy = false
      showErrors(e)
    }
    return undefined
  } finally {
    if (mine === generation) state.busy = false
  }
}

async function submitPrisoner(): Promise<void> {
  const checked = await busy(() => call('check_prisoner', prisonerInput()))
  if (!checked) return
  const listChanged = JSON.stringify(checked.contacts ?? null) !== JSON.stringify(state.contacts)
  state.contacts = checked.contacts ?? null
  state.prisoner.number = checked.prisoner_number
  if (listChanged) {
    // Another prisoner's list: people picked from the old one no longer apply.
    state.visitors = state.visitors.filter((v) => !v.contactId)
    if (state.visitors.length === 0) state.visitors = [emptyVisitor()]
  }
  if (state.changing) return continueToCheck()
  go('visitors')
}

async function submitVisitors(): Promise<void> {
  const checked = await busy(() => call('check_visitors', { prisoner: prisonerInput(), visitors: visitorInputs() }))
  if (!checked) return
  state.visitorNames = checked.visitors
  const sessions = await busy(() => call('available_sessions', { prisoner: prisonerInput(), visitors: visitorInputs() }))
  if (!sessions) return
  const before = chosenSession()
  state.sessions = sessions
  const stillThere = sessions.days.some((d) => d.sessions.some((s) => s.id === state.sessionId))
  if (state.changing && stillThere) return go('check')
  if (!stillThere && before) {
    // The visitors changed and the time they had chosen is no longer offered (a visitor banned
    // until after it, say): say so, rather than leave the visitor to notice it has gone.
    state.sessionId = ''
    state.droppedSession = { date: before.date, start: before.session.start, end: before.session.end }
    return go('time', 'notice')
  }
  if (!stillThere) state.sessionId = ''
  go('time')
}

/** After a change from check answers: re-check what follows, and return there if it all holds. */
async function continueToCheck(): Promise<void> {
  const party = { prisoner: prisonerInput(), visitors: visitorInputs() }
  try {
    const checked = await call('check_visitors', party)
    state.visitorNames = checked.visitors
  } catch (e) {
    state.screen = 'visitors'
    return showErrors(e)
  }
  return submitVisitors()
}

function submitTime(): void {
  if (!state.sessionId) {
    state.errors = [{ code: 'session_required', field: 'session', params: {} }]
    render('errors')
    return
  }
  go('check')
}

async function submitBooking(): Promise<void> {
  if (!info) return
  const request = {
    prison: info.prison.code,
    prisoner: prisonerInput(),
    visitors: visitorInputs(),
    session: state.sessionId,
  }
  const confirmation = await busy(() => call('book', request))
  if (!confirmation) return
  state.confirmation = confirmation
  state.changing = false
  state.printed = 'none'
  go('done')
}

async function printSlip(): Promise<void> {
  const c = state.confirmation
  if (!c) return
  const mine = generation
  try {
    // The slip is printed in the language on screen, so it reads the same as the confirmation.
    await call('print_slip', { reference: c.reference, lang: state.lang })
    if (mine !== generation) return
    state.printed = 'ok'
    state.errors = []
  } catch (e) {
    if (mine !== generation) return
    state.printed = 'error'
    const errors = errorsOf(e)
    // Printing messages repeat the reference, so the visitor has it even if they miss the panel.
    state.errors = errors.map((err) => ({ ...err, params: { reference: c.reference, ...(err.params ?? {}) } }))
  }
  render({ id: state.printed === 'error' ? 'print-error' : 'reference' })
}

const BACK: Record<Screen, Screen> = {
  start: 'start',
  prisoner: 'start',
  visitors: 'prisoner',
  time: 'visitors',
  check: 'time',
  done: 'done',
}

function setBound(path: string, value: string): void {
  const parts = path.split('.')
  // prisoner.number | prisoner.surname | prisoner.dob.day | visitors.<i>.<field>[.<part>]
  let obj: Record<string, unknown> = state as unknown as Record<string, unknown>
  for (const p of parts.slice(0, -1)) obj = obj[p] as Record<string, unknown>
  obj[parts[parts.length - 1]] = value
}

root.addEventListener('input', (e) => {
  const el = e.target as HTMLInputElement
  if (el.dataset.bind) setBound(el.dataset.bind, el.value)
  if (el.name === 'session') state.sessionId = el.value
})

root.addEventListener('change', (e) => {
  const el = e.target as HTMLInputElement
  if (el.name === 'session') state.sessionId = el.value
})

root.addEventListener('submit', (e) => {
  e.preventDefault()
  if (state.busy) return
  const form = (e.target as HTMLElement).dataset.form
  if (form === 'prisoner') void submitPrisoner()
  else if (form === 'visitors') void submitVisitors()
  else if (form === 'time') submitTime()
  else if (form === 'check') void submitBooking()
})

root.addEventListener('click', (e) => {
  const el = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')
  if (!el) return
  const action = el.dataset.action
  switch (action) {
    case 'start':
      go('prisoner')
      break
    case 'help':
    case 'help-staff':
      state.helpShown = true
      render({ id: 'help-heading' })
      break
    case 'help-close':
      state.helpShown = false
      render()
      break
    case 'back':
      state.changing = false
      go(BACK[state.screen])
      break
    case 'lang':
      state.lang = state.lang === 'en' ? 'cy' : 'en'
      render('keep')
      idle.poke()
      ;(header.querySelector('[data-action=lang]') as HTMLElement | null)?.focus()
      break
    case 'text-size':
      document.documentElement.classList.toggle('kiosk-large-text')
      render('keep')
      ;(header.querySelector('[data-action=text-size]') as HTMLElement | null)?.focus()
      break
    case 'contrast':
      document.documentElement.classList.toggle('kiosk-high-contrast')
      render('keep')
      ;(header.querySelector('[data-action=contrast]') as HTMLElement | null)?.focus()
      break
    case 'focus': {
      e.preventDefault()
      const target = document.getElementById(el.dataset.target ?? '')
      if (target) {
        target.scrollIntoView({ block: 'center' })
        target.focus()
      }
      break
    }
    case 'skip':
      e.preventDefault()
      main.focus()
      break
    case 'pick': {
      const id = el.dataset.id ?? ''
      const blank = state.visitors.findIndex((v) => !v.contactId && !v.firstName && !v.lastName && !isoDate(v.dob))
      const picked: VisitorDraft = { contactId: id, firstName: '', lastName: '', dob: emptyDate() }
      if (blank >= 0) state.visitors[blank] = picked
      else state.visitors.push(picked)
      render({ id: `visitor-${blank >= 0 ? blank : state.visitors.length - 1}-heading` })
      break
    }
    case 'add':
      state.visitors.push(emptyVisitor())
      render({ id: `visitor-${state.visitors.length - 1}-first-name` })
      break
    case 'remove': {
      const i = Number(el.dataset.index)
      state.visitors.splice(i, 1)
      // Errors point at visitors by position: after a removal they would point at the wrong one.
      state.errors = []
      render({ id: 'visitors-heading' })
      break
    }
    case 'change': {
      state.changing = true
      // Like every new screen, the question takes the focus, so a screen reader starts with the
      // step and the question; the answer being changed is brought into view under it.
      go(el.dataset.screen as Screen)
      const answer = el.dataset.target ? document.getElementById(el.dataset.target) : null
      answer?.scrollIntoView({ block: 'nearest' })
      break
    }
    case 'print':
      void printSlip()
      break
    case 'finish':
      resetAll()
      break
    case 'idle-stay':
      dialog.close()
      idle.poke()
      break
    case 'idle-restart':
      resetAll()
      break
  }
})

// ---------------------------------------------------------------- kiosk lock-down and idle

document.addEventListener('contextmenu', (e) => e.preventDefault())
// Pinch zoom and drag-selection are not wanted on a touchscreen kiosk.
document.addEventListener('dragstart', (e) => e.preventDefault())
for (const type of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'] as const) {
  document.addEventListener(
    type,
    () => {
      // While the warning is up only its buttons count, so a stray touch cannot keep a
      // stranger's details on screen.
      if (!dialog.open) idle.poke()
    },
    { passive: true, capture: true },
  )
}

function idleDialogHtml(secondsLeft: number): string {
  return `<h2 class="govuk-heading-l" id="idle-heading">${tr('idle.heading')}</h2>
    <p class="govuk-body-l" id="idle-body">${esc(tr('idle.body', { n: secondsLeft }))}</p>
    <div class="govuk-button-group">
      <button type="button" class="govuk-button kiosk-button-xl" data-action="idle-stay">${tr('idle.stay')}</button>
      <button type="button" class="govuk-button govuk-button--secondary" data-action="idle-restart">${tr('idle.restart')}</button>
    </div>`
}

function showIdleWarning(secondsLeft: number): void {
  keyboard.hide()
  dialog.innerHTML = idleDialogHtml(secondsLeft)
  if (!dialog.open) dialog.showModal()
  ;(dialog.querySelector('[data-action=idle-stay]') as HTMLElement | null)?.focus()
}

function updateIdleWarning(secondsLeft: number): void {
  const body = dialog.querySelector('#idle-body')
  if (body) body.textContent = tr('idle.body', { n: secondsLeft })
}

/** Clears every screen and every piece of personal data in the page, back to the start. */
function resetAll(): void {
  generation += 1
  if (dialog.open) dialog.close()
  dialog.innerHTML = ''
  keyboard.hide()
  state = freshState()
  document.documentElement.classList.remove('kiosk-large-text', 'kiosk-high-contrast')
  main.innerHTML = ''
  idle.stop()
  render()
  void loadInfo()
}

function idleActive(): boolean {
  return state.screen !== 'start' || state.lang !== 'en' || state.helpShown
}

async function loadInfo(): Promise<void> {
  const mine = generation
  try {
    info = await call('kiosk_info', null)
    if (mine !== generation) return
    const seconds = idleOverride > 0 ? idleOverride : info.idle_timeout_seconds
    idle.configure(seconds, idleActive)
    render(state.screen === 'start' ? 'heading' : 'keep')
  } catch (e) {
    if (mine !== generation) return
    state.errors = errorsOf(e)
    main.innerHTML = `${errorSummary()}`
  }
}

render()
void loadInfo()
