// The confirmation: the reference, the visit, what to bring; print the slip, or finish.

import type { Ctx, Screen } from '../../app/router'
import { errorSummary, panel, summaryList, warningText } from '../../components/govuk'
import { html, join } from '../../components/html'
import { actionButton } from '../../components/kiosk'
import type { UiError } from '../../generated/engine'
import { errorMessage, formatDay, formatTime } from '../../i18n'
import { call, errorsOf } from '../../backend'
import { detailsRows } from './details'

function printMessage(ctx: Ctx) {
  const printed = ctx.journey.printed
  if (printed === 'ok') return html`<div class="govuk-inset-text" role="status">${ctx.t('done.printed')}</div>`
  if (printed === 'error')
    return errorSummary({
      titleText: ctx.t('error.summary_title'),
      descriptionText: ctx.view.errors.map((e) => errorMessage(ctx.lang, e)).join('. '),
      attributes: { tabindex: '-1', id: 'print-error' },
    })
  return ''
}

export const done: Screen = {
  id: 'done',
  modes: ['visitor', 'helper'],
  title: (ctx) => ctx.t('done.booked'),
  render(ctx) {
    const c = ctx.journey.confirmation
    if (!c) return html``
    const requested = c.status === 'requested'
    const lang = ctx.lang
    const range = ctx.t('time.range', { start: formatTime(lang, c.start), end: formatTime(lang, c.end) })
    const by = c.details.booked_by
    const helper = ctx.mode === 'helper'
    // A helper books another visit and stays signed in; a visitor finishes, which resets the kiosk.
    const next = helper
      ? actionButton(ctx.t('done.another'), 'another', { classes: 'govuk-button--secondary kiosk-button-xl' })
      : actionButton(ctx.t('done.finish'), 'finish', { classes: 'govuk-button--secondary kiosk-button-xl' })
    const details = detailsRows(ctx, c.details).map((r) => ({ key: { text: r.key }, value: { html: join(r.lines, html`<br>`) } }))
    return html`${panel({
        titleText: ctx.t(requested ? 'done.requested' : 'done.booked'),
        html: html`${ctx.t('done.reference')}<br><strong class="kiosk-reference" id="reference">${c.reference}</strong>`,
      })}
      ${by ? html`<p class="govuk-body-l" id="booked-by">${ctx.t('done.booked_by', { name: by.name, organisation: by.organisation })}</p>` : ''}
      ${requested ? warningText({ text: ctx.t('done.requested.body'), iconFallbackText: ctx.t('warning') }) : ''}
      ${printMessage(ctx)}
      <div class="govuk-button-group">
        ${actionButton(ctx.t('done.print'), 'print', { classes: 'kiosk-button-xl' })}
        ${next}
      </div>
      <h2 class="govuk-heading-l">${ctx.t('done.details')}</h2>
      ${summaryList({
        rows: [
          { key: { text: ctx.t('check.date') }, value: { text: formatDay(lang, c.date) } },
          { key: { text: ctx.t('check.time') }, value: { text: range } },
          { key: { text: ctx.t('done.arrive') }, value: { html: html`<strong>${formatTime(lang, c.arrive_by)}</strong>` } },
          { key: { text: ctx.t('done.room') }, value: { text: c.room } },
          { key: { text: ctx.t('done.prison') }, value: { html: join([c.prison.name[lang], ...c.prison.address[lang]], html`<br>`) } },
          { key: { text: ctx.t('check.kind') }, value: { text: ctx.t(c.kind === 'closed' ? 'check.kind.closed' : 'check.kind.open') } },
          { key: { text: ctx.t('check.visitors') }, value: { html: join(c.visitors.map((v) => `${v.first_name} ${v.last_name}`), html`<br>`) } },
          ...details,
        ],
      })}
      <h2 class="govuk-heading-l">${ctx.t('done.arrive.heading')}</h2>
      <p class="govuk-body-l">${ctx.t('done.arrive.body', { time: formatTime(lang, c.arrive_by) })}</p>
      <h2 class="govuk-heading-l">${ctx.t('done.bring.heading')}</h2>
      <ul class="govuk-list govuk-list--bullet govuk-body-l">
        <li>${ctx.t('done.bring.id')}</li>
        <li>${ctx.t('done.bring.reference')}</li>
        <li>${ctx.t('done.bring.nothing')}</li>
      </ul>`
  },
  actions: {
    print: printSlip,
    finish: (ctx) => ctx.reset(),
    another: (ctx) => ctx.bookAnother(),
  },
}

/** Prints the slip in the language on screen, so it reads the same as the confirmation. */
async function printSlip(ctx: Ctx): Promise<void> {
  const c = ctx.journey.confirmation
  if (!c) return
  const still = ctx.stillCurrent()
  let errors: UiError[] = []
  try {
    // Not through ctx.call: a printing failure is shown in the confirmation, not as a form error.
    await call('print_slip', { reference: c.reference, lang: ctx.lang })
  } catch (e) {
    errors = errorsOf(e)
  }
  if (!still()) return
  ctx.journey.printed = errors.length ? 'error' : 'ok'
  // Printing messages repeat the reference, so the visitor has it even if they miss the panel.
  ctx.view.errors = errors.map((err) => ({ ...err, params: { reference: c.reference, ...err.params } }))
  ctx.render({ id: errors.length ? 'print-error' : 'reference' })
}
