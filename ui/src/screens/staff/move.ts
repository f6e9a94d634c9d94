// Move a visit to another session: the sessions its prisoner and visitors could be booked into
// (the visitor's own time screen, drawn the same way, the visit's own session left out), then
// the engine books the new visit by the same rules as any booking and cancels the old one. A
// booking rule that fails leaves the old visit as it was, and the page says why.

import type { Ctx, Screen } from '../../app/router'
import { errorMessages, summaryList } from '../../components/govuk'
import { classes, html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { VisitRow } from '../../generated/engine'
import { formatDay, formatTime, STAFF_CODES } from '../../i18n'
import { sessionDays } from '../visitor/time'
import { prisonerText } from './desk'
import { staffHeading } from './keypad'

/** The statuses a visit can be moved from; the engine checks it again. */
const MOVABLE = ['booked', 'requested', 'rejected']

/** Whether to offer a move: the role may cancel (a move cancels the old visit) and the visit can move. */
export function mayMove(ctx: Ctx, v: VisitRow): boolean {
  // A visit its visitors came to took place: moving it would make a second one.
  return MOVABLE.includes(v.status) && v.attendance !== 'arrived' && (ctx.session?.may.includes('cancel_bookings') ?? false)
}

/** Asks the engine which sessions `visit` could move to, and opens the move screen. */
export async function openMove(ctx: Ctx, visit: VisitRow, from: 'staff-booking' | 'staff-review'): Promise<void> {
  const choice = await ctx.staffCall('staff_move_options', { reference: visit.reference })
  if (!choice) return staffWording(ctx)
  ctx.desk.move = { visit, from, choice, session: '' }
  ctx.go('staff-move')
}

/** The engine's errors on show, in the words meant for staff (see STAFF_CODES). */
function staffWording(ctx: Ctx): void {
  const errors = ctx.view.errors
  if (!errors.some((e) => e.code in STAFF_CODES)) return
  ctx.showErrors(errors.map((e) => (e.code in STAFF_CODES ? { ...e, code: STAFF_CODES[e.code] } : e)))
}

const target = (field: string) => (field === 'session' ? 'session-group' : null)

export const staffMove: Screen = {
  id: 'staff-move',
  modes: ['staff'],
  title: (ctx) => ctx.t('staff.move.heading', { reference: ctx.desk.move?.visit.reference ?? '' }),
  render(ctx: Ctx) {
    const move = ctx.desk.move
    if (!move) return html``
    const v = move.visit
    const when = `${formatDay(ctx.lang, v.date)}${v.start ? `, ${formatTime(ctx.lang, v.start)}` : ''}`
    const summary = summaryList({
      rows: [
        { key: { text: ctx.t('staff.move.booked_for') }, value: { text: when } },
        { key: { text: ctx.t('staff.booking.prisoner') }, value: { text: prisonerText(ctx, v) } },
        { key: { text: ctx.t('staff.col.lead') }, value: { text: v.lead_visitor } },
      ],
    })
    const heading = staffHeading(ctx, ctx.t('staff.move.heading', { reference: v.reference }))
    if (move.choice.days.length === 0) {
      return html`${errorSummary(ctx)}${heading}${summary}
        <p class="govuk-body-l">${ctx.t('staff.move.none')}</p>
        <div class="govuk-button-group">${backButton(ctx)}</div>`
    }
    const sessionErrors = errorsAt(ctx, 'session')
    return html`<form data-form="staff-move" novalidate>
      ${errorSummary(ctx, target)}
      ${heading}
      ${summary}
      <p class="govuk-body">${ctx.t('staff.move.intro', { reference: v.reference })}</p>
      <h2 class="govuk-heading-m">${ctx.t('staff.move.choose')}</h2>
      <div class="${classes('govuk-form-group', sessionErrors.length > 0 && 'govuk-form-group--error')}">
        ${errorMessages('session', errorOptions(ctx, sessionErrors))}
        <div class="kiosk-days">${sessionDays(ctx, move.choice, move.session)}</div>
      </div>
      <div class="govuk-button-group kiosk-sticky-actions">${continueButton(ctx, ctx.t('staff.move.confirm'))}${backButton(ctx)}</div>
    </form>`
  },
  actions: {
    back: (ctx) => ctx.go(ctx.desk.move?.from ?? 'staff-home'),
  },
  input(ctx, field) {
    const move = ctx.desk.move
    if (move && field.name === 'session' && field instanceof HTMLInputElement && field.checked) move.session = field.value
  },
  async submit(ctx) {
    const move = ctx.desk.move
    if (!move) return
    if (!move.session) {
      ctx.showErrors([{ code: 'session_required', field: 'session', params: {} }])
      return
    }
    const moved = await ctx.staffCall('staff_move', { reference: move.visit.reference, session: move.session })
    if (!moved) return staffWording(ctx)
    const page = await ctx.staffCall('staff_booking', { reference: moved.to.reference })
    if (!page) return
    // The old visit has left the queue: a Back to it shows the queue as it is now.
    if (ctx.desk.review) {
      const queue = await ctx.staffCall('staff_review_queue', {})
      if (queue) ctx.desk.review = queue.visits
    }
    ctx.desk.booking = page
    if (move.from === 'staff-review') ctx.desk.bookingFrom = 'staff-review'
    ctx.desk.bookingNote = 'moved'
    ctx.desk.movedFrom = { reference: moved.from, refused: move.visit.status === 'rejected' }
    ctx.desk.slipResult = null
    ctx.desk.move = null
    ctx.go('staff-booking', { id: 'booking-note' })
  },
  errorTarget: (_, field) => target(field),
}
