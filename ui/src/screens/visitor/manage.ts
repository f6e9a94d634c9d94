// "Already booked? Check, reprint or cancel": a visitor finds their booking by its reference and
// the lead visitor's date of birth, sees the visit, prints the slip again or cancels the visit.
// Nothing here is trusted by the engine: every command sends the pair again and is checked again.

import type { Ctx, Screen } from '../../app/router'
import { isoDate } from '../../app/state'
import { button, dateInput, input, panel, summaryList, tag, warningText } from '../../components/govuk'
import { html, join } from '../../components/html'
import { actionButton, backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { ManagedBooking, UiError } from '../../generated/engine'
import { formatDay, formatTime, tables, type Key } from '../../i18n'
import { call, errorsOf } from '../../backend'
import { dateItems } from './journey'
import { typing } from './prisoner'

function fieldTarget(field: string): string | null {
  if (field === 'reference') return 'manage-reference'
  if (field === 'date_of_birth') return 'manage-dob-day'
  return null
}

/** The pair as the engine takes it, with the slip's language. */
function pair(ctx: Ctx) {
  const m = ctx.journey.manage
  return { reference: m.reference, date_of_birth: isoDate(m.dob), lang: ctx.lang }
}

/** The printer's problem in words, for a visitor: what went wrong, and to ask staff. */
function printProblem(ctx: Ctx, code: string): string {
  const problem = ctx.t(isPrinterCode(code) ? (`staff.printer.${code}` as Key) : 'staff.printer.print_failed')
  // It follows a colon in the middle of a sentence.
  return problem.charAt(0).toLowerCase() + problem.slice(1)
}

/** Whether an error code is the printer's (the booking itself is fine). */
function isPrinterCode(code: string): boolean {
  return code !== 'ready' && `staff.printer.${code}` in tables.en
}

function statusTag(ctx: Ctx, b: ManagedBooking) {
  const words: Record<string, Key> = {
    booked: 'manage.status.booked',
    requested: 'manage.status.requested',
    cancelled: 'manage.status.cancelled',
    rejected: 'manage.status.rejected',
    withdrawn: 'manage.status.cancelled',
  }
  const colour = b.status === 'booked' ? 'govuk-tag--green' : b.status === 'requested' ? 'govuk-tag--yellow' : 'govuk-tag--grey'
  return tag({ text: ctx.t(words[b.status] ?? 'manage.status.cancelled'), classes: colour })
}

function visitRows(ctx: Ctx, b: ManagedBooking, withStatus: boolean, withReference = true) {
  const lang = ctx.lang
  const range = ctx.t('time.range', { start: formatTime(lang, b.start), end: formatTime(lang, b.end) })
  const live = b.status === 'booked' || b.status === 'requested'
  return [
    ...(withReference ? [{ key: { text: ctx.t('manage.reference') }, value: { html: html`<strong>${b.reference}</strong>` } }] : []),
    ...(withStatus ? [{ key: { text: ctx.t('manage.status') }, value: { html: statusTag(ctx, b) } }] : []),
    { key: { text: ctx.t('check.date') }, value: { text: formatDay(lang, b.date) } },
    { key: { text: ctx.t('check.time') }, value: { text: range } },
    ...(live && b.arrive_by ? [{ key: { text: ctx.t('done.arrive') }, value: { text: formatTime(lang, b.arrive_by) } }] : []),
    { key: { text: ctx.t('done.room') }, value: { text: b.room } },
    { key: { text: ctx.t('done.prison') }, value: { text: b.prison.name[lang] } },
    { key: { text: ctx.t('check.visitors') }, value: { html: join(b.visitors, html`<br>`) } },
  ]
}

export const manageFind: Screen = {
  id: 'manage-find',
  modes: ['visitor'],
  back: 'start',
  title: (ctx) => ctx.t('manage.find.heading'),
  render(ctx) {
    const m = ctx.journey.manage
    return html`<form data-form="manage-find" novalidate>
      ${errorSummary(ctx, fieldTarget)}
      <h1 class="govuk-heading-xl">${ctx.t('manage.find.heading')}</h1>
      <p class="govuk-body-l">${ctx.t('manage.find.lead')}</p>
      ${input({
        id: 'manage-reference',
        name: 'manage-reference',
        label: { text: ctx.t('manage.find.reference'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('manage.find.reference.hint') },
        value: m.reference,
        classes: 'govuk-input--width-10 kiosk-input--upper',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'reference')),
        ...typing('alnum', 9),
      })}
      ${dateInput({
        id: 'manage-dob',
        namePrefix: 'manage-dob',
        fieldset: { legend: { text: ctx.t('manage.find.dob'), classes: 'govuk-fieldset__legend--m' } },
        hint: { text: ctx.t('manage.find.dob.hint') },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'date_of_birth')),
        items: dateItems(ctx, m.dob),
      })}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('manage.find.submit'))}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const m = ctx.journey.manage
    const set: Record<string, (value: string) => void> = {
      'manage-reference': (v) => (m.reference = v),
      'manage-dob-day': (v) => (m.dob.day = v),
      'manage-dob-month': (v) => (m.dob.month = v),
      'manage-dob-year': (v) => (m.dob.year = v),
    }
    set[field.name]?.(field.value)
  },
  async submit(ctx) {
    const { reference, date_of_birth } = pair(ctx)
    const found = await ctx.call('visitor_find_booking', { reference, date_of_birth })
    if (!found) return
    const m = ctx.journey.manage
    m.found = found
    m.printed = null
    m.cancelled = null
    ctx.go('manage-visit')
  },
  errorTarget: (_, field) => fieldTarget(field),
}

function printMessage(ctx: Ctx) {
  const printed = ctx.journey.manage.printed
  if (!printed) return ''
  if (printed.ok) return html`<div class="govuk-inset-text" role="status" id="print-result" tabindex="-1">${ctx.t('done.printed')}</div>`
  return warningText({
    text: ctx.t('manage.print.failed', { problem: printProblem(ctx, printed.code) }),
    iconFallbackText: ctx.t('warning'),
    attributes: { id: 'print-result', tabindex: '-1', role: 'alert' },
  })
}

export const manageVisit: Screen = {
  id: 'manage-visit',
  modes: ['visitor'],
  back: 'manage-find',
  title: (ctx) => ctx.t('manage.visit.heading'),
  render(ctx) {
    const b = ctx.journey.manage.found
    if (!b) return html``
    const cancel = b.can_cancel
      ? button({ text: ctx.t('manage.cancel'), type: 'button', classes: 'govuk-button--warning', attributes: { 'data-action': 'cancel' } })
      : ''
    return html`${errorSummary(ctx)}
      <h1 class="govuk-heading-xl">${ctx.t('manage.visit.heading')}</h1>
      ${summaryList({ rows: visitRows(ctx, b, true) })}
      ${printMessage(ctx)}
      <div class="govuk-button-group">
        ${actionButton(ctx.t('done.print'), 'print')}
        ${cancel}
        ${actionButton(ctx.t('done.finish'), 'finish', { classes: 'govuk-button--secondary' })}
      </div>`
  },
  actions: {
    print: reprint,
    cancel: (ctx) => ctx.go('manage-cancel'),
    finish: (ctx) => ctx.reset(),
  },
}

/** Prints the slip in the language on screen; a printer problem is shown, not a form error. */
async function reprint(ctx: Ctx): Promise<void> {
  const still = ctx.stillCurrent()
  let errors: UiError[] = []
  try {
    await call('visitor_reprint', pair(ctx))
  } catch (e) {
    errors = errorsOf(e)
  }
  if (!still()) return
  const code = errors[0]?.code
  if (code && !isPrinterCode(code)) {
    // Not the printer: the pair no longer matches, say; shown like any other error.
    ctx.showErrors(errors)
    return
  }
  ctx.journey.manage.printed = code ? { ok: false, code } : { ok: true }
  ctx.render({ id: 'print-result' })
}

export const manageCancel: Screen = {
  id: 'manage-cancel',
  modes: ['visitor'],
  back: 'manage-visit',
  title: (ctx) => ctx.t('manage.cancel.heading'),
  render(ctx) {
    const b = ctx.journey.manage.found
    if (!b) return html``
    return html`${errorSummary(ctx)}
      <h1 class="govuk-heading-xl">${ctx.t('manage.cancel.heading')}</h1>
      ${summaryList({ rows: visitRows(ctx, b, false) })}
      ${warningText({ text: ctx.t('manage.cancel.warning'), iconFallbackText: ctx.t('warning') })}
      <div class="govuk-button-group">
        ${button({ text: ctx.t('manage.cancel.confirm'), type: 'button', classes: 'govuk-button--warning', disabled: ctx.view.busy, attributes: { 'data-action': 'confirm' } })}
        ${actionButton(ctx.t('manage.cancel.keep'), 'back', { classes: 'govuk-button--secondary' })}
      </div>`
  },
  actions: {
    confirm: async (ctx) => {
      const cancelled = await ctx.call('visitor_cancel_booking', pair(ctx))
      if (!cancelled) return
      ctx.journey.manage.cancelled = cancelled
      ctx.journey.manage.found = cancelled.booking
      ctx.go('manage-cancelled')
    },
  },
}

export const manageCancelled: Screen = {
  id: 'manage-cancelled',
  modes: ['visitor'],
  title: (ctx) => ctx.t('manage.cancelled.heading'),
  render(ctx) {
    const c = ctx.journey.manage.cancelled
    if (!c) return html``
    const slip = c.printed
      ? html`<div class="govuk-inset-text" role="status">${ctx.t('manage.cancelled.printed')}</div>`
      : warningText({
          text: ctx.t('manage.cancelled.not_printed', { problem: printProblem(ctx, c.print_error ?? 'print_failed') }),
          iconFallbackText: ctx.t('warning'),
          attributes: { id: 'print-result' },
        })
    return html`${panel({
        titleText: ctx.t('manage.cancelled.heading'),
        html: html`${ctx.t('manage.reference')}<br><strong class="kiosk-reference">${c.booking.reference}</strong>`,
      })}
      ${slip}
      <p class="govuk-body-l">${ctx.t('manage.cancelled.body')}</p>
      ${summaryList({ rows: visitRows(ctx, c.booking, false, false) })}
      <div class="govuk-button-group">${actionButton(ctx.t('done.finish'), 'finish')}</div>`
  },
  actions: {
    finish: (ctx) => ctx.reset(),
  },
}
