// Cancel a booking: the reason (and, for a visitor's own cancellation, how they asked), a note
// of up to 512 characters with GOV.UK's character count, and a cancellation slip for a visitor
// who is here. The engine frees the table at once and queues the cancellation for central.

import type { Screen } from '../../app/router'
import { radios } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { Key } from '../../i18n'
import { noteField, showNoteCount } from './desk'
import { staffHeading } from './keypad'

const REASONS = ['visitor_cancelled', 'establishment_cancelled', 'prisoner_cancelled', 'details_changed', 'administrative_error']
const HOWS = ['in_person', 'phone', 'email', 'website']
const TARGETS: Record<string, string> = { reason: 'cancel-reason', how: 'cancel-how', note: 'cancel-note' }

export const staffCancel: Screen = {
  id: 'staff-cancel',
  modes: ['staff'],
  back: 'staff-booking',
  title: (ctx) => ctx.t('staff.cancel.heading', { reference: ctx.desk.booking?.visit.reference ?? '' }),
  render(ctx) {
    const page = ctx.desk.booking
    if (!page) return html``
    const c = ctx.desk.cancel
    const how =
      c.reason === 'visitor_cancelled'
        ? html`<div class="govuk-radios__conditional kiosk-conditional">${radios({
            name: 'cancel-how',
            idPrefix: 'cancel-how',
            fieldset: { legend: { text: ctx.t('staff.cancel.how'), classes: 'govuk-fieldset__legend--s' } },
            errorMessage: errorOptions(ctx, errorsAt(ctx, 'how')),
            items: HOWS.map((h) => ({ value: h, text: ctx.t(`staff.how.${h}` as Key), checked: c.how === h })),
          })}</div>`
        : ''
    return html`<form data-form="staff-cancel" novalidate>
      ${errorSummary(ctx, (f) => TARGETS[f] ?? null)}
      ${staffHeading(ctx, ctx.t('staff.cancel.heading', { reference: page.visit.reference }))}
      ${radios({
        name: 'cancel-reason',
        idPrefix: 'cancel-reason',
        fieldset: { legend: { text: ctx.t('staff.cancel.reason'), classes: 'govuk-fieldset__legend--m' } },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'reason')),
        items: REASONS.map((r) => ({ value: r, text: ctx.t(`staff.reason.${r}` as Key), checked: c.reason === r })),
      })}
      ${how}
      ${noteField(ctx, 'cancel-note', c.note)}
      ${radios({
        name: 'cancel-slip',
        idPrefix: 'cancel-slip',
        classes: 'govuk-radios--inline',
        fieldset: { legend: { text: ctx.t('staff.cancel.slip'), classes: 'govuk-fieldset__legend--m' } },
        items: [
          { value: 'yes', text: ctx.t('staff.yes'), checked: c.slip === 'yes' },
          { value: 'no', text: ctx.t('staff.no'), checked: c.slip !== 'yes' },
        ],
      })}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('staff.cancel.confirm'))}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const c = ctx.desk.cancel
    if (field.name === 'cancel-reason') {
      c.reason = field.value
      // The question about how they asked appears (or goes) with the reason.
      ctx.render({ id: field.id })
    } else if (field.name === 'cancel-how') c.how = field.value
    else if (field.name === 'cancel-slip') c.slip = field.value
    else if (field.name === 'cancel-note') {
      c.note = field.value
      showNoteCount(ctx, 'cancel-note', c.note)
    }
  },
  async submit(ctx) {
    const page = ctx.desk.booking
    if (!page) return
    const c = ctx.desk.cancel
    const answer = await ctx.staffCall('staff_cancel', {
      reference: page.visit.reference,
      reason: c.reason,
      ...(c.reason === 'visitor_cancelled' && c.how ? { how: c.how } : {}),
      ...(c.note.trim() ? { note: c.note } : {}),
      print_slip: c.slip === 'yes',
      lang: ctx.lang,
    })
    if (!answer) return
    ctx.desk.booking = answer.page
    ctx.desk.bookingNote = 'cancelled'
    ctx.desk.slipResult = c.slip === 'yes' ? { printed: answer.printed, error: answer.print_error } : null
    ctx.go('staff-booking', { id: 'booking-note' })
  },
}
