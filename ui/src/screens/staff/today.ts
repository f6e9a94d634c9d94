// Today's visits (or another day's): the sessions in order with their room, tables used of
// each kind, and every visit, with Arrived and Did not arrive; the day's list and its visit
// passes printed on A4. A mark updates the session's
// counts at once from the engine's answer.

import type { Ctx, Screen } from '../../app/router'
import { isoDate } from '../../app/state'
import { dateInput, notificationBanner, tag } from '../../components/govuk'
import { html } from '../../components/html'
import { actionButton, backButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { DaySessionView, VisitRow } from '../../generated/engine'
import { formatDay, formatTime } from '../../i18n'
import { openBooking, partyText, prisonerText, staffPrintErrors, statusTag, supportText, table } from './desk'
import { staffHeading } from './keypad'

/** Shows the visits of `date` (the prison's today when absent). */
async function showDay(ctx: Ctx, date?: string): Promise<void> {
  const day = await ctx.staffCall('staff_today', date ? { date } : {})
  if (!day) return
  ctx.desk.day = day
  ctx.desk.dayPrinted = null
  ctx.go('staff-today')
}

/** A day before or after an ISO date, by the calendar (no time zones involved). */
function shift(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/** The three boxes as a real date, or null: the page's own check before asking the engine. */
function typedDate(parts: { day: string; month: string; year: string }): string | null {
  const iso = isoDate(parts)
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return y >= 2000 && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? iso : null
}

function arrivalButtons(ctx: Ctx, v: VisitRow) {
  if (v.status !== 'booked' && v.status !== 'requested') return ''
  // Who came is marked on the visit's day or after it, never before (the engine refuses too).
  const day = ctx.desk.day
  if (day && day.date > day.today) return ''
  const mark = (attendance: 'arrived' | 'did_not_arrive') =>
    actionButton(ctx.t(attendance === 'arrived' ? 'staff.arrived' : 'staff.did_not_arrive'), 'attendance', {
      classes: v.attendance === attendance ? 'kiosk-pressed' : 'govuk-button--secondary',
      data: { reference: v.reference, attendance },
      label: ctx.t(attendance === 'arrived' ? 'staff.arrived.label' : 'staff.did_not_arrive.label', { reference: v.reference }),
    })
  return html`${mark('arrived')}${mark('did_not_arrive')}`
}

function sessionBlock(ctx: Ctx, s: DaySessionView) {
  const time = ctx.t('time.range', { start: formatTime(ctx.lang, s.start), end: formatTime(ctx.lang, s.end) })
  const tables = s.tables.map((tb) =>
    html`<li>${ctx.t('staff.today.tables', { kind: ctx.t(tb.kind === 'closed' ? 'staff.kind.closed' : 'staff.kind.open'), used: tb.used, n: tb.capacity })}</li>`,
  )
  const visits = s.visits.length
    ? table(
        '',
        [ctx.t('staff.col.reference'), ctx.t('staff.col.lead'), ctx.t('staff.col.prisoner'), ctx.t('staff.col.party'), ctx.t('staff.col.status'), ctx.t('staff.col.actions')],
        s.visits.map((v) => [
          html`<button type="button" class="kiosk-link-button kiosk-row-reference" data-action="view" data-reference="${v.reference}" aria-label="${ctx.t('staff.view.label', { reference: v.reference })}">${v.reference}</button>`,
          v.details.support.length
            ? html`${v.lead_visitor}<br>${tag({ text: ctx.t('staff.support.tag'), classes: 'govuk-tag--yellow kiosk-tag' })} ${supportText(ctx, v.details)}`
            : v.lead_visitor,
          prisonerText(ctx, v),
          partyText(ctx, v),
          html`${statusTag(ctx, v.status)}${v.attendance ? html` ${tag({ text: ctx.t(v.attendance === 'arrived' ? 'staff.arrived' : 'staff.did_not_arrive'), classes: 'govuk-tag--blue kiosk-tag' })}` : ''}`,
          html`<div class="kiosk-row-actions">${arrivalButtons(ctx, v)}</div>`,
        ]),
        'kiosk-visits',
      )
    : html`<p class="govuk-body">${ctx.t('staff.today.no_visits')}</p>`
  return html`<section class="kiosk-session" aria-labelledby="session-${s.id.replace(/\W/g, '-')}">
    <h2 class="govuk-heading-l" id="session-${s.id.replace(/\W/g, '-')}">${ctx.t('staff.today.session', { time, room: s.room })}</h2>
    ${s.closed_reason ? html`<p class="govuk-body">${tag({ text: ctx.t('staff.today.closed', { reason: s.closed_reason }), classes: 'govuk-tag--red kiosk-tag' })}</p>` : ''}
    <ul class="govuk-list govuk-body-l kiosk-counts" data-session="${s.id}">${tables}${s.expected ? html`<li>${ctx.t('staff.today.arrived_count', { arrived: s.arrived, n: s.expected })}</li>` : ''}</ul>
    ${visits}
  </section>`
}

export const staffToday: Screen = {
  id: 'staff-today',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'todays_visits', label: 'staff.task.today', order: 1, open: (ctx) => showDay(ctx) },
  title: (ctx) => ctx.t('staff.today.heading', { date: ctx.desk.day ? formatDay(ctx.lang, ctx.desk.day.date) : '' }),
  render(ctx) {
    const day = ctx.desk.day
    if (!day) return html``
    const printed = ctx.desk.dayPrinted
    const note = printed
      ? notificationBanner({
          type: 'success',
          titleText: ctx.t('staff.done'),
          titleId: 'day-note-title',
          attributes: { id: 'day-note', tabindex: '-1' },
          text: ctx.t(printed.what === 'list' ? 'staff.today.list_printing' : 'staff.today.passes_printing', { n: printed.visits }),
        })
      : ''
    return html`${note}${errorSummary(ctx, (f) => (f === 'date' ? 'day-date-day' : null))}
      ${staffHeading(ctx, ctx.t('staff.today.heading', { date: formatDay(ctx.lang, day.date) }))}
      <div class="govuk-button-group">
        ${actionButton(ctx.t('staff.today.print_list'), 'print-day', { classes: 'govuk-button--secondary', data: { what: 'list' } })}
        ${actionButton(ctx.t('staff.today.print_passes'), 'print-day', { classes: 'govuk-button--secondary', data: { what: 'passes' } })}
      </div>
      <div class="govuk-button-group">
        ${actionButton(ctx.t('staff.today.previous'), 'previous', { classes: 'govuk-button--secondary' })}
        ${day.date === day.today ? '' : actionButton(ctx.t('staff.today.today'), 'today', { classes: 'govuk-button--secondary' })}
        ${actionButton(ctx.t('staff.today.next'), 'next', { classes: 'govuk-button--secondary' })}
        ${backButton(ctx)}
      </div>
      ${day.sessions.length ? day.sessions.map((s) => sessionBlock(ctx, s)) : html`<p class="govuk-body-l">${ctx.t('staff.today.none')}</p>`}
      <form data-form="staff-today" novalidate class="kiosk-other-day">
        ${dateInput({
          id: 'day-date',
          namePrefix: 'day-date',
          fieldset: { legend: { text: ctx.t('staff.today.other'), classes: 'govuk-fieldset__legend--m' } },
          hint: { text: ctx.t('staff.today.hint') },
          errorMessage: errorOptions(ctx, errorsAt(ctx, 'date')),
          items: (['day', 'month', 'year'] as const).map((name) => ({
            name,
            label: ctx.t(name === 'day' ? 'dob.day' : name === 'month' ? 'dob.month' : 'dob.year'),
            value: ctx.desk.dayInput[name],
            inputmode: 'none',
            autocomplete: 'off',
            attributes: { 'data-keyboard': 'numeric', maxlength: name === 'year' ? 4 : 2 },
          })),
        })}
        ${actionButton(ctx.t('staff.today.show'), 'show-day', { classes: 'govuk-button--secondary' })}
      </form>`
  },
  input(ctx, field) {
    const m = /^day-date-(day|month|year)$/.exec(field.name)
    if (m) ctx.desk.dayInput[m[1] as 'day' | 'month' | 'year'] = field.value
  },
  submit: (ctx) => showTyped(ctx),
  actions: {
    previous: (ctx) => showDay(ctx, shift(ctx.desk.day?.date ?? '', -1)),
    next: (ctx) => showDay(ctx, shift(ctx.desk.day?.date ?? '', 1)),
    today: (ctx) => showDay(ctx),
    'print-day': async (ctx, control) => {
      const day = ctx.desk.day
      if (!day) return
      const what = control.dataset.what === 'passes' ? 'passes' : 'list'
      const printed = await ctx.staffCall('staff_print_day', { date: day.date, what, lang: ctx.lang })
      if (!printed) return staffPrintErrors(ctx)
      ctx.desk.dayPrinted = { what, visits: printed.visits }
      ctx.render({ id: 'day-note' })
    },
    'show-day': (ctx) => showTyped(ctx),
    view: (ctx, control) => openBooking(ctx, control.dataset.reference ?? '', 'staff-today'),
    attendance: async (ctx, control) => {
      const reference = control.dataset.reference ?? ''
      const attendance = control.dataset.attendance === 'arrived' ? 'arrived' : 'did_not_arrive'
      const row = await ctx.staffCall('staff_mark_arrival', { reference, attendance })
      const day = ctx.desk.day
      if (!row || !day) return
      // The session's counts follow from its visits as they are now.
      for (const s of day.sessions) {
        const i = s.visits.findIndex((v) => v.reference === row.reference)
        if (i < 0) continue
        s.visits[i] = row
        s.arrived = s.visits.filter((v) => v.attendance === 'arrived' && (v.status === 'booked' || v.status === 'requested')).length
      }
      ctx.render('keep')
      document.querySelector<HTMLElement>(`[data-action=attendance][data-reference="${reference}"][data-attendance="${attendance}"]`)?.focus()
    },
  },
}

async function showTyped(ctx: Ctx): Promise<void> {
  const date = typedDate(ctx.desk.dayInput)
  if (!date) {
    ctx.showErrors([{ code: 'staff_date_invalid', field: 'date', params: {} }])
    return
  }
  ctx.desk.dayInput = { day: '', month: '', year: '' }
  await showDay(ctx, date)
}
