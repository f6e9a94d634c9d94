// Find a booking by its reference (the check character catches a typing mistake and the
// engine says so), a prisoner number or a visitor's surname.

import type { Screen } from '../../app/router'
import { input } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import { openBooking, visitList } from './desk'
import { staffHeading } from './keypad'

export const staffFind: Screen = {
  id: 'staff-find',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'find_bookings', label: 'staff.task.find', order: 2 },
  title: (ctx) => ctx.t('staff.find.heading'),
  render(ctx) {
    const found = ctx.desk.found
    const results = found
      ? found.visits.length
        ? html`<h2 class="govuk-heading-m" id="found">${ctx.t('staff.find.count', { n: found.visits.length })}</h2>
            ${visitList(ctx, found.visits)}
            ${found.more ? html`<p class="govuk-body">${ctx.t('staff.find.more')}</p>` : ''}`
        : html`<p class="govuk-body-l" id="found">${ctx.t('staff.find.none')}</p>`
      : ''
    return html`<form data-form="staff-find" novalidate>
      ${errorSummary(ctx, (f) => (f === 'query' || f === 'reference' ? 'find-query' : null))}
      ${staffHeading(ctx, ctx.t('staff.find.heading'))}
      ${input({
        id: 'find-query',
        name: 'find-query',
        label: { text: ctx.t('staff.find.query'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('staff.find.hint') },
        value: ctx.desk.query,
        classes: 'govuk-input--width-20 kiosk-input--upper',
        errorMessage: errorOptions(ctx, [...errorsAt(ctx, 'query'), ...errorsAt(ctx, 'reference')]),
        inputmode: 'none',
        autocomplete: 'off',
        spellcheck: false,
        attributes: { 'data-keyboard': 'alnum', maxlength: 50 },
      })}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('staff.find.search'))}${backButton(ctx)}</div>
    </form>
    ${results}`
  },
  input(ctx, field) {
    if (field.name === 'find-query') ctx.desk.query = field.value
  },
  async submit(ctx) {
    const found = await ctx.staffCall('staff_find', { query: ctx.desk.query })
    if (!found) return
    ctx.desk.found = found
    ctx.render({ id: 'found' })
  },
  actions: {
    view: (ctx, control) => openBooking(ctx, control.dataset.reference ?? '', 'staff-find'),
  },
}
