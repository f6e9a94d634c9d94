// A supervisor's Sessions screen: the coming four weeks with the tables booked of each session's
// capacity, closing a session or a whole day with a reason, and changing a session date's tables.
// Closures and tables are central's to make: the engine asks central at once and refuses with
// central_unreachable (offline) or not_enrolled, never queueing them; the page shows why.

import type { Ctx, Screen } from '../../app/router'
import { input, notificationBanner, radios, tag, warningText } from '../../components/govuk'
import { html } from '../../components/html'
import { actionButton, backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { SessionSummary, SessionTablesRow, UiError } from '../../generated/engine'
import { formatDay, formatTime, tables as words, type Key } from '../../i18n'
import { noteField, showNoteCount, table } from './desk'
import { keypad, staffHeading } from './keypad'

const CLOSURE_REASONS = ['lockdown', 'staff_shortage', 'maintenance', 'other'] as const
const CLOSE_TARGETS: Record<string, string> = { reason: 'close-reason', note: 'close-note' }
const TABLES_TARGETS: Record<string, string> = { kind: 'tables-kind', tables: 'tables-count', note: 'tables-note' }

/** Asks the engine for the four weeks, then draws them (with `focus`, a note just made, say). */
async function loadSessions(ctx: Ctx): Promise<boolean> {
  const overview = await ctx.staffCall('staff_sessions', {})
  if (!overview) return false
  ctx.desk.sessions = overview
  return true
}

async function showSessions(ctx: Ctx): Promise<void> {
  if (!(await loadSessions(ctx))) return
  ctx.desk.sessionsNote = null
  ctx.go('staff-sessions')
}

function find(ctx: Ctx, id: string): SessionSummary | undefined {
  return ctx.desk.sessions?.sessions.find((s) => s.id === id)
}

/** "9:30am to 11:30am": a session in the table. */
function timeOf(ctx: Ctx, s: SessionSummary): string {
  return ctx.t('time.range', { start: formatTime(ctx.lang, s.start), end: formatTime(ctx.lang, s.end) })
}

/** "9:30am": a session named in a sentence ("the session at 9:30am on ..."). */
function startOf(ctx: Ctx, s: SessionSummary): string {
  return formatTime(ctx.lang, s.start)
}

/** A closure's reason: the words for one of the four codes, or what central was told otherwise. */
export function closureWords(ctx: Ctx, reason: string): string {
  const key = `staff.closure.${reason}`
  return key in words.en ? ctx.t(key as Key) : reason
}

function kindWords(ctx: Ctx, kind: 'open' | 'closed'): string {
  return ctx.t(kind === 'closed' ? 'staff.kind.closed' : 'staff.kind.open')
}

function tablesCell(ctx: Ctx, row: SessionTablesRow) {
  const extra = [
    row.held > 0 ? ctx.t('staff.sessions.held', { n: row.held }) : '',
    row.capacity !== row.template_capacity ? ctx.t('staff.sessions.usually', { n: row.template_capacity }) : '',
  ].filter(Boolean)
  const main = ctx.t('staff.sessions.booked', { kind: kindWords(ctx, row.kind), booked: row.booked, n: row.capacity })
  return extra.length ? `${main} (${extra.join(', ')})` : main
}

function sessionRow(ctx: Ctx, s: SessionSummary) {
  const date = formatDay(ctx.lang, s.date)
  const time = startOf(ctx, s)
  const status = s.closed_reason
    ? tag({ text: ctx.t('staff.sessions.closed', { reason: closureWords(ctx, s.closed_reason) }), classes: 'govuk-tag--red kiosk-tag' })
    : tag({ text: ctx.t('staff.sessions.open'), classes: 'govuk-tag--green kiosk-tag' })
  const actions = html`<div class="kiosk-row-actions">
    ${s.closed_reason ? '' : actionButton(ctx.t('staff.sessions.close'), 'close', { classes: 'govuk-button--secondary', data: { session: s.id }, label: ctx.t('staff.sessions.close.label', { time, date }) })}
    ${s.tables.length ? actionButton(ctx.t('staff.sessions.tables'), 'tables', { classes: 'govuk-button--secondary', data: { session: s.id }, label: ctx.t('staff.sessions.tables.label', { time, date }) }) : ''}
  </div>`
  return [timeOf(ctx, s), s.room, html`<ul class="govuk-list kiosk-tight-list">${s.tables.map((row) => html`<li>${tablesCell(ctx, row)}</li>`)}</ul>`, status, actions]
}

/** The sessions of each date under the date's heading, with a button to close the whole day. */
function days(ctx: Ctx) {
  const all = ctx.desk.sessions?.sessions ?? []
  const dates = [...new Set(all.map((s) => s.date))]
  return dates.map((date) => {
    const sessions = all.filter((s) => s.date === date)
    const day = formatDay(ctx.lang, date)
    const anyOpen = sessions.some((s) => !s.closed_reason)
    return html`<section class="kiosk-session-day" aria-labelledby="day-${date}">
      <div class="kiosk-day-head">
        <h2 class="govuk-heading-m" id="day-${date}">${day}</h2>
        ${anyOpen && sessions.length > 1 ? actionButton(ctx.t('staff.sessions.close_day'), 'close-day', { classes: 'govuk-button--secondary', data: { date }, label: ctx.t('staff.sessions.close_day.label', { date: day }) }) : ''}
      </div>
      ${table('', [ctx.t('staff.col.time'), ctx.t('staff.col.room'), ctx.t('staff.col.tables'), ctx.t('staff.col.status'), ctx.t('staff.col.actions')], sessions.map((s) => sessionRow(ctx, s)), 'kiosk-visits kiosk-sessions-table')}
    </section>`
  })
}

function note(ctx: Ctx) {
  const n = ctx.desk.sessionsNote
  if (!n) return ''
  let text: string
  if ('closed' in n) {
    const c = n.closed
    // A single session closed as such (not a day that had only one) is named by its time.
    const one = ctx.desk.closing.session ? find(ctx, ctx.desk.closing.session) : undefined
    const done = one
      ? ctx.t('staff.close.done.session', { time: startOf(ctx, one), date: formatDay(ctx.lang, c.date) })
      : ctx.t('staff.close.done.day', { date: formatDay(ctx.lang, c.date) })
    text = `${done} ${ctx.t('staff.close.in_review', { n: c.in_review.length })}`
  } else {
    const s = find(ctx, n.tables.session)
    text = ctx.t('staff.tables.done', {
      kind: ctx.t(n.tables.kind === 'closed' ? 'staff.tables.kind.closed' : 'staff.tables.kind.open'),
      time: s ? startOf(ctx, s) : '',
      date: s ? formatDay(ctx.lang, s.date) : '',
      n: n.tables.tables,
    })
  }
  return notificationBanner({ type: 'success', titleText: ctx.t('staff.done'), titleId: 'sessions-note-title', attributes: { id: 'sessions-note', tabindex: '-1' }, text })
}

/** Central's "already closed" speaks of a visit time to a visitor; a supervisor reads of the session. */
function closeErrors(ctx: Ctx): void {
  const errors = ctx.view.errors
  if (!errors.some((e) => e.code === 'session_closed')) return
  ctx.showErrors(errors.map((e): UiError => (e.code === 'session_closed' ? { code: 'staff_session_already_closed', params: {} } : e)))
}

export const staffSessions: Screen = {
  id: 'staff-sessions',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'close_sessions', label: 'staff.task.sessions', order: 5, open: showSessions },
  title: (ctx) => ctx.t('staff.sessions.heading'),
  render(ctx) {
    const overview = ctx.desk.sessions
    if (!overview) return html``
    return html`${note(ctx)}${errorSummary(ctx)}
      ${staffHeading(ctx, ctx.t('staff.sessions.heading'))}
      <p class="govuk-body-l">${ctx.t('staff.sessions.lead', { from: formatDay(ctx.lang, overview.from), to: formatDay(ctx.lang, overview.to) })}</p>
      <div class="govuk-button-group">${backButton(ctx)}</div>
      ${overview.sessions.length ? days(ctx) : html`<p class="govuk-body-l">${ctx.t('staff.sessions.none')}</p>`}
      <div class="govuk-button-group">${backButton(ctx)}</div>`
  },
  actions: {
    close: (ctx, control) => {
      const s = find(ctx, control.dataset.session ?? '')
      if (!s) return
      ctx.desk.closing = { session: s.id, date: s.date, reason: '', note: '' }
      ctx.go('staff-session-close')
    },
    'close-day': (ctx, control) => {
      ctx.desk.closing = { date: control.dataset.date ?? '', reason: '', note: '' }
      ctx.go('staff-session-close')
    },
    tables: (ctx, control) => {
      const s = find(ctx, control.dataset.session ?? '')
      const first = s?.tables[0]
      if (!s || !first) return
      ctx.desk.tablesEdit = { session: s.id, kind: first.kind, tables: String(first.capacity), note: '' }
      ctx.go('staff-session-tables')
    },
  },
}

export const staffSessionClose: Screen = {
  id: 'staff-session-close',
  modes: ['staff'],
  back: 'staff-sessions',
  title: (ctx) => closeHeading(ctx),
  render(ctx) {
    const c = ctx.desk.closing
    const one = c.session ? find(ctx, c.session) : undefined
    // The sessions this closes, so nobody closes a day without seeing what is in it.
    const closing = (ctx.desk.sessions?.sessions ?? []).filter((s) => (c.session ? s.id === c.session : s.date === c.date && !s.closed_reason))
    const booked = closing.flatMap((s) => s.tables).reduce((sum, row) => sum + row.booked, 0)
    return html`<form data-form="staff-session-close" novalidate>
      ${errorSummary(ctx, (f) => CLOSE_TARGETS[f] ?? null)}
      ${staffHeading(ctx, closeHeading(ctx))}
      <ul class="govuk-list govuk-list--bullet govuk-body-l">${closing.map((s) => html`<li>${timeOf(ctx, s)}, ${s.room}</li>`)}</ul>
      ${warningText({ iconFallbackText: ctx.t('staff.warning'), text: `${ctx.t('staff.close.booked', { n: booked })} ${ctx.t('staff.close.warning')}` })}
      ${radios({
        name: 'close-reason',
        idPrefix: 'close-reason',
        fieldset: { legend: { text: ctx.t('staff.close.reason'), classes: 'govuk-fieldset__legend--m' } },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'reason')),
        items: CLOSURE_REASONS.map((r) => ({ value: r, text: ctx.t(`staff.close.reason.${r}`), checked: c.reason === r })),
      })}
      ${noteField(ctx, 'close-note', c.note)}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t(one ? 'staff.close.confirm.session' : 'staff.close.confirm.day'))}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const c = ctx.desk.closing
    if (field.name === 'close-reason') c.reason = field.value
    else if (field.name === 'close-note') {
      c.note = field.value
      showNoteCount(ctx, 'close-note', c.note)
    }
  },
  errorTarget: (_, field) => CLOSE_TARGETS[field] ?? null,
  async submit(ctx) {
    const c = ctx.desk.closing
    const closed = await ctx.staffCall('staff_close', {
      ...(c.session ? { session: c.session } : { date: c.date }),
      reason: c.reason,
      ...(c.note.trim() ? { note: c.note } : {}),
    })
    if (!closed) return closeErrors(ctx)
    if (!(await loadSessions(ctx))) return
    ctx.desk.sessionsNote = { closed }
    ctx.go('staff-sessions', { id: 'sessions-note' })
  },
}

function closeHeading(ctx: Ctx): string {
  const c = ctx.desk.closing
  const one = c.session ? find(ctx, c.session) : undefined
  const date = formatDay(ctx.lang, c.date)
  return one ? ctx.t('staff.close.heading.session', { time: startOf(ctx, one), date }) : ctx.t('staff.close.heading.day', { date })
}

function tablesHeading(ctx: Ctx): string {
  const s = find(ctx, ctx.desk.tablesEdit.session)
  return s ? ctx.t('staff.tables.heading', { time: startOf(ctx, s), date: formatDay(ctx.lang, s.date) }) : ''
}

export const staffSessionTables: Screen = {
  id: 'staff-session-tables',
  modes: ['staff'],
  back: 'staff-sessions',
  title: (ctx) => tablesHeading(ctx),
  render(ctx) {
    const edit = ctx.desk.tablesEdit
    const s = find(ctx, edit.session)
    const row = s?.tables.find((r) => r.kind === edit.kind)
    if (!s || !row) return html``
    const kindText = (k: 'open' | 'closed') => ctx.t(k === 'closed' ? 'staff.tables.kind.closed' : 'staff.tables.kind.open')
    const kinds =
      s.tables.length > 1
        ? radios({
            name: 'tables-kind',
            idPrefix: 'tables-kind',
            classes: 'govuk-radios--inline',
            fieldset: { legend: { text: ctx.t('staff.tables.kind'), classes: 'govuk-fieldset__legend--m' } },
            errorMessage: errorOptions(ctx, errorsAt(ctx, 'kind')),
            items: s.tables.map((r) => ({ value: r.kind, text: kindText(r.kind), checked: r.kind === edit.kind })),
          })
        : html`<p class="govuk-body-l">${kindText(row.kind)}</p>`
    return html`<form data-form="staff-session-tables" novalidate>
      ${errorSummary(ctx, (f) => TABLES_TARGETS[f] ?? null)}
      ${staffHeading(ctx, tablesHeading(ctx))}
      <p class="govuk-body-l">${s.room}</p>
      ${kinds}
      ${input({
        id: 'tables-count',
        name: 'tables-count',
        value: edit.tables,
        classes: 'govuk-input--width-3',
        label: { text: ctx.t('staff.tables.count'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('staff.tables.count.hint', { booked: row.booked, held: row.held, min: row.booked + row.held, usual: row.template_capacity }) },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'tables')),
        ...keypad(3),
      })}
      ${noteField(ctx, 'tables-note', edit.note)}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('staff.tables.save'))}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const edit = ctx.desk.tablesEdit
    if (field.name === 'tables-kind') {
      const row = find(ctx, edit.session)?.tables.find((r) => r.kind === field.value)
      if (!row) return
      // The number shown is the chosen kind's.
      edit.kind = row.kind
      edit.tables = String(row.capacity)
      ctx.render({ id: field.id })
    } else if (field.name === 'tables-count') edit.tables = field.value
    else if (field.name === 'tables-note') {
      edit.note = field.value
      showNoteCount(ctx, 'tables-note', edit.note)
    }
  },
  errorTarget: (_, field) => TABLES_TARGETS[field] ?? null,
  async submit(ctx) {
    const edit = ctx.desk.tablesEdit
    const typed = edit.tables.trim()
    // The engine takes a number: anything else is the page's to refuse, on the field.
    if (!/^\d{1,3}$/.test(typed)) {
      ctx.showErrors([{ code: 'staff_tables_invalid', field: 'tables', params: {} }])
      return
    }
    const set = await ctx.staffCall('staff_set_tables', {
      session: edit.session,
      kind: edit.kind,
      tables: Number(typed),
      ...(edit.note.trim() ? { note: edit.note } : {}),
    })
    if (!set) return
    if (!(await loadSessions(ctx))) return
    ctx.desk.sessionsNote = { tables: set }
    ctx.go('staff-sessions', { id: 'sessions-note' })
  },
}
