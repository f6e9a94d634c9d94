// One booking's page: its visit, visitors, status and how it was made, its history; reprint the
// slip on the kiosk's roll or on A4, mark an arrival, or cancel it.

import type { Ctx, Screen } from '../../app/router'
import { notificationBanner, summaryList } from '../../components/govuk'
import { html, join } from '../../components/html'
import { actionButton, backButton, errorSummary } from '../../components/kiosk'
import { formatDay, formatTime, prisonDateTime, tables, type Key } from '../../i18n'
import { detailRows, printerWords, prisonerText, staffPrintErrors, statusTag, table } from './desk'
import { staffHeading } from './keypad'
import { mayMove, openMove } from './move'

/** A word for a code the engine sends, if the page has one; the code itself never shows. */
function word(ctx: Ctx, prefix: string, code: string, fallback: Key): string {
  const key = `${prefix}.${code}`
  return key in tables.en ? ctx.t(key as Key) : ctx.t(fallback)
}

/**
 * A history entry's detail: a code (where it was made, a reason, an arrival) in words where the
 * page has them, in brackets; anything else (a note) as it is.
 */
function detailWords(ctx: Ctx, kind: string, detail: string | undefined): string {
  if (!detail) return ''
  if (detail === 'arrived' || detail === 'did_not_arrive') return `(${ctx.t(`staff.${detail}`)})`
  const keys = kind === 'arrival_refused' ? [`staff.arrival_refused.${detail}`] : [`staff.made.${detail}`, `staff.reason.${detail}`]
  for (const key of keys) {
    if (key in tables.en) return `(${ctx.t(key as Key)})`
  }
  return detail
}

function note(ctx: Ctx) {
  const n = ctx.desk.bookingNote
  if (!n) return ''
  const slip = n === 'cancelled' ? ctx.desk.slipResult : null
  const moved = n === 'moved' ? ctx.desk.movedFrom : null
  const reference = ctx.desk.booking?.visit.reference ?? ''
  const heading = moved
    ? ctx.t(moved.refused ? 'staff.move.done.refused' : 'staff.move.done', { from: moved.reference })
    : ctx.t(n === 'cancelled' ? 'staff.cancel.done' : 'staff.reprint.done')
  return notificationBanner({
    type: 'success',
    titleText: ctx.t('staff.done'),
    titleId: 'booking-note-title',
    attributes: { id: 'booking-note', tabindex: '-1' },
    html: html`<p class="govuk-notification-banner__heading">${heading}</p>
      ${moved ? actionButton(ctx.t('staff.move.print'), 'reprint', { data: { paper: 'receipt' }, label: ctx.t('staff.move.print.label', { reference }) }) : ''}
      ${slip ? html`<p class="govuk-body">${slip.printed ? ctx.t('staff.cancel.printed') : ctx.t('staff.cancel.not_printed', { reason: printerWords(ctx, slip.error ?? 'print_failed') })}</p>` : ''}`,
  })
}

/** A staff member as colleagues know them, their number beside the name (as the audit log keeps it). */
function staffMember(number: string, name?: string): string {
  return name ? `${name} (${number})` : number
}

export const staffBooking: Screen = {
  id: 'staff-booking',
  modes: ['staff'],
  title: (ctx) => ctx.t('staff.booking.heading', { reference: ctx.desk.booking?.visit.reference ?? '' }),
  render(ctx) {
    const page = ctx.desk.booking
    if (!page) return html``
    const v = page.visit
    const lang = ctx.lang
    const when = `${formatDay(lang, v.date)}, ${ctx.t('time.range', { start: formatTime(lang, v.start), end: formatTime(lang, page.end) })}`
    const rows = [
      { key: { text: ctx.t('staff.booking.status') }, value: { html: statusTag(ctx, v.status) } },
      ...(page.status_reason ? [{ key: { text: ctx.t('staff.booking.reason') }, value: { text: word(ctx, 'staff.reason', page.status_reason, 'staff.review.rejected') } }] : []),
      ...(page.cancelled_by ? [{ key: { text: ctx.t('staff.booking.cancelled_by') }, value: { text: staffMember(page.cancelled_by, page.cancelled_by_name) } }] : []),
      { key: { text: ctx.t('staff.booking.when') }, value: { text: when } },
      { key: { text: ctx.t('staff.booking.room') }, value: { text: page.room } },
      { key: { text: ctx.t('staff.booking.kind') }, value: { text: ctx.t(v.kind === 'closed' ? 'check.kind.closed' : 'check.kind.open') } },
      { key: { text: ctx.t('staff.booking.prisoner') }, value: { text: prisonerText(ctx, v) } },
      {
        key: { text: ctx.t('staff.booking.visitors') },
        value: { html: join(page.visitors.map((p) => `${p.first_name} ${p.last_name} (${ctx.t(p.adult ? 'staff.booking.adult' : 'staff.booking.child')})`), html`<br>`) },
      },
      ...detailRows(ctx, v.details),
      { key: { text: ctx.t('staff.booking.made') }, value: { text: word(ctx, 'staff.made', page.made, 'staff.made.elsewhere') } },
      ...(v.attendance ? [{ key: { text: ctx.t('staff.booking.attendance') }, value: { text: ctx.t(v.attendance === 'arrived' ? 'staff.arrived' : 'staff.did_not_arrive') } }] : []),
    ]
    const history = table(
      ctx.t('staff.booking.history'),
      [ctx.t('staff.col.when'), ctx.t('staff.col.status')],
      page.history.map((h) => {
        return [prisonDateTime(lang, h.at), [word(ctx, 'staff.history', h.kind, 'staff.history.reviewed'), h.by ? ctx.t('staff.history.by', { by: staffMember(h.by, h.by_name) }) : '', detailWords(ctx, h.kind, h.detail)].filter(Boolean).join(' ')]
      }),
    )
    return html`${note(ctx)}${errorSummary(ctx)}
      ${staffHeading(ctx, ctx.t('staff.booking.heading', { reference: v.reference }))}
      ${summaryList({ rows })}
      <div class="govuk-button-group">
        ${v.made_here ? actionButton(ctx.t('staff.reprint.receipt'), 'reprint', { classes: 'govuk-button--secondary', data: { paper: 'receipt' } }) : ''}
        ${v.made_here ? actionButton(ctx.t('staff.reprint.a4'), 'reprint', { classes: 'govuk-button--secondary', data: { paper: 'a4' } }) : ''}
        ${page.can_mark_arrival ? actionButton(ctx.t('staff.arrived'), 'attendance', { classes: 'govuk-button--secondary', data: { attendance: 'arrived' } }) : ''}
        ${page.can_mark_arrival ? actionButton(ctx.t('staff.did_not_arrive'), 'attendance', { classes: 'govuk-button--secondary', data: { attendance: 'did_not_arrive' } }) : ''}
        ${mayMove(ctx, v) ? actionButton(ctx.t('staff.move.button'), 'move', { classes: 'govuk-button--secondary' }) : ''}
        ${page.can_cancel ? actionButton(ctx.t('staff.cancel.button'), 'cancel', { classes: 'govuk-button--warning' }) : ''}
        ${backButton(ctx)}
      </div>
      ${history}`
  },
  actions: {
    back: (ctx) => ctx.go(ctx.desk.bookingFrom),
    reprint: async (ctx, control) => {
      const page = ctx.desk.booking
      if (!page) return
      const paper = control.dataset.paper === 'a4' ? 'a4' : 'receipt'
      const printed = await ctx.staffCall('staff_reprint', { reference: page.visit.reference, lang: ctx.lang, paper })
      if (!printed) return staffPrintErrors(ctx)
      ctx.desk.bookingNote = 'printed'
      ctx.desk.slipResult = null
      ctx.render({ id: 'booking-note' })
    },
    attendance: async (ctx, control) => {
      const page = ctx.desk.booking
      if (!page) return
      const attendance = control.dataset.attendance === 'arrived' ? 'arrived' : 'did_not_arrive'
      const row = await ctx.staffCall('staff_mark_arrival', { reference: page.visit.reference, attendance })
      if (!row) return
      const fresh = await ctx.staffCall('staff_booking', { reference: row.reference })
      if (fresh) ctx.desk.booking = fresh
      ctx.render('keep')
    },
    move: async (ctx) => {
      const page = ctx.desk.booking
      if (page) await openMove(ctx, page.visit, 'staff-booking')
    },
    cancel: (ctx) => {
      ctx.desk.cancel = { reason: '', how: '', note: '', slip: 'no' }
      ctx.go('staff-cancel')
    },
  },
}

