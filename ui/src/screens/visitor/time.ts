// Step 3: the visit times this party can book, by day.

import type { Ctx, Screen } from '../../app/router'
import { errorMessages, insetText, notificationBanner, radios, tag } from '../../components/govuk'
import { classes, html, type Html } from '../../components/html'
import { actionButton, backButton, continueButton, errorSummary, errorsAt, errorOptions, questionHeading } from '../../components/kiosk'
import type { SessionChoice } from '../../generated/engine'
import { formatDate, formatDay, formatTime } from '../../i18n'
import { questionTarget } from './journey'

/** GOV.UK's notification banner: the time chosen earlier cannot be booked for these visitors. */
function droppedSessionBanner(ctx: Ctx) {
  const d = ctx.journey.droppedSession
  if (!d) return ''
  const when = ctx.t('time.dropped.when', {
    day: formatDay(ctx.lang, d.date),
    time: ctx.t('time.range', { start: formatTime(ctx.lang, d.start), end: formatTime(ctx.lang, d.end) }),
  })
  // role="alert" and the focus, as GOV.UK's banner does for the outcome of what the user just did.
  return notificationBanner({
    titleText: ctx.t('notice.important'),
    titleId: 'time-dropped-title',
    role: 'alert',
    attributes: { tabindex: '-1', id: 'time-dropped' },
    html: html`<p class="govuk-notification-banner__heading">${ctx.t('time.dropped.heading')}</p>
      <p class="govuk-body-l">${when} ${ctx.t('time.dropped.body')}</p>`,
  })
}

function noTimes(ctx: Ctx) {
  return html`${errorSummary(ctx, questionTarget)}
    ${questionHeading(ctx, 3, ctx.t('time.none.heading'))}
    <p class="govuk-body-l">${ctx.t('time.none.body')}</p>
    <p class="govuk-body-l">${ctx.t('time.none.restart_body')}</p>
    <div class="govuk-button-group">
      ${actionButton(ctx.t('time.none.restart'), 'finish')}
      ${actionButton(ctx.t('start.help'), 'help-staff', { classes: 'govuk-button--secondary' })}
      ${backButton(ctx)}
    </div>
    ${ctx.view.helpShown ? insetText({ id: 'help-heading', attributes: { tabindex: '-1' }, text: ctx.t('help.body') }) : ''}`
}

/**
 * The sessions of `choice` as GOV.UK radios, one group per day under one name (`session`): the
 * visitor's time screen and staff moving a visit draw the same choice the same way. Ids run on
 * from day to day, and the first (`session-group`) is the one the error summary links to.
 */
export function sessionDays(ctx: Ctx, choice: SessionChoice, checked: string): Html {
  let n = 0
  return html`${choice.days.map((day) => {
    const items = day.sessions.map((s) => {
      const id = n === 0 ? 'session-group' : `session-${n}`
      n += 1
      const tables = s.tables_left === 1 ? ctx.t('time.tables.one') : ctx.t('time.tables.many', { n: s.tables_left })
      const closedTag = s.kind === 'closed' ? html`${tag({ text: ctx.t('time.closed_tag'), classes: 'govuk-tag--yellow kiosk-tag' })}<br>` : ''
      return {
        id,
        value: s.id,
        checked: checked === s.id,
        text: ctx.t('time.range', { start: formatTime(ctx.lang, s.start), end: formatTime(ctx.lang, s.end) }),
        hint: { html: html`${closedTag}${ctx.t('time.arrive', { time: formatTime(ctx.lang, s.arrive_by) })}<br>${tables}` },
      }
    })
    return html`<div class="kiosk-day">
      ${radios({
        name: 'session',
        items,
        fieldset: { legend: { text: formatDay(ctx.lang, day.date, false), classes: 'govuk-fieldset__legend--m' } },
      })}
    </div>`
  })}`
}

export const time: Screen = {
  id: 'time',
  modes: ['visitor', 'helper'],
  back: 'visitors',
  title: (ctx) => ctx.t('time.heading'),
  render(ctx) {
    const choice = ctx.journey.sessions
    if (!choice || choice.days.length === 0) return noTimes(ctx)
    const sessionErrors = errorsAt(ctx, 'session')
    const anyClosed = choice.days.some((d) => d.sessions.some((s) => s.kind === 'closed'))
    const days = sessionDays(ctx, choice, ctx.journey.sessionId)
    // The times actually offered, which can start weeks into the booking window (a visitor's ban
    // ending, say), not the window itself.
    const first = choice.days[0].date
    const last = choice.days[choice.days.length - 1].date
    const intro =
      first === last
        ? ctx.t('time.intro.one', { date: formatDate(ctx.lang, first) })
        : ctx.t('time.intro', { first: formatDate(ctx.lang, first), last: formatDate(ctx.lang, last) })
    return html`<form data-form="time" novalidate>
      ${errorSummary(ctx, questionTarget)}
      ${droppedSessionBanner(ctx)}
      ${questionHeading(ctx, 3, ctx.t('time.heading'))}
      <p class="govuk-body-l">${intro}</p>
      ${anyClosed ? insetText({ text: ctx.t('time.closed') }) : ''}
      <div class="${classes('govuk-form-group', sessionErrors.length > 0 && 'govuk-form-group--error')}">
        ${errorMessages('session', errorOptions(ctx, sessionErrors))}
        <div class="kiosk-days">${days}</div>
      </div>
      <div class="govuk-button-group kiosk-sticky-actions">${continueButton(ctx)}${backButton(ctx)}</div>
    </form>`
  },
  actions: {
    finish: (ctx) => ctx.reset(),
    'help-staff': (ctx) => {
      ctx.view.helpShown = true
      ctx.render({ id: 'help-heading' })
    },
  },
  input(ctx, field) {
    if (field.name === 'session' && field instanceof HTMLInputElement && field.checked) ctx.journey.sessionId = field.value
  },
  submit(ctx) {
    if (!ctx.journey.sessionId) {
      ctx.showErrors([{ code: 'session_required', field: 'session', params: {} }])
      return
    }
    // A helper goes on to the main contact and support; a visitor is offered them on check answers.
    ctx.go(ctx.mode === 'helper' && !ctx.journey.changing ? 'contact' : 'check')
  },
  errorTarget: (_, field) => questionTarget(field),
}
