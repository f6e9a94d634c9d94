// Step 4: check your answers, each with a way to change it, then book.

import type { Ctx, Screen, ScreenId } from '../../app/router'
import { errorMessages, summaryList, type SummaryRow } from '../../components/govuk'
import { html, join } from '../../components/html'
import { backButton, continueButton, errorSummary, errorOptions, questionHeading } from '../../components/kiosk'
import type { Key } from '../../i18n'
import { formatDay, formatTime } from '../../i18n'
import { bookingRequest, contactInput, contactLines, errorsOnDetails, requestMethod, supportWords } from './details'
import { chosenSession, displayDate, party, visitorLabel, visitorName } from './journey'
import { submitVisitors } from './visitors'

/** The answers' screens a Change link may go back to. */
const CHANGEABLE: readonly ScreenId[] = ['helper-who', 'prisoner', 'visitors', 'time', 'contact', 'support']

function row(key: string, value: string | readonly string[], change?: { screen: ScreenId; hidden: Key; target?: string; ctx: Ctx }): SummaryRow {
  return {
    key: { text: key },
    value: typeof value === 'string' ? { text: value } : { html: join(value, html`<br>`) },
    actions: change
      ? {
          items: [
            {
              text: change.ctx.t('button.change'),
              visuallyHiddenText: change.ctx.t(change.hidden),
              classes: 'kiosk-link-button',
              attributes: { 'data-action': 'change', 'data-screen': change.screen, 'data-target': change.target },
            },
          ],
        }
      : undefined,
  }
}

/** A check-answers heading, with the errors the engine found in that section under it. */
function section(ctx: Ctx, id: string, title: Key, belongs: (field: string) => boolean) {
  const errors = ctx.view.errors.filter((e) => e.field && belongs(e.field))
  const heading = html`<h2 class="govuk-heading-m" id="${id}" tabindex="-1">${ctx.t(title)}</h2>`
  return errors.length
    ? html`<div class="govuk-form-group govuk-form-group--error govuk-!-margin-bottom-4">${heading}${errorMessages(id, errorOptions(ctx, errors))}</div>`
    : heading
}

/** Errors here are about answers given on earlier screens: they point at this screen's sections. */
function sectionOf(field: string): string {
  if (field === 'request_method' || field.startsWith('main_contact') || field.startsWith('support')) return 'check-about'
  if (field.startsWith('prisoner')) return 'check-prisoner'
  if (field.startsWith('visitors')) return 'check-visitors'
  return 'session-group'
}

export const check: Screen = {
  id: 'check',
  modes: ['visitor', 'helper'],
  back: (ctx) => (ctx.mode === 'helper' ? 'support' : 'time'),
  title: (ctx) => ctx.t('check.heading'),
  render(ctx) {
    const j = ctx.journey
    const chosen = chosenSession(j)
    const names = j.visitors.map((_, i) => {
      const named = j.visitorNames[i]
      const name = named ? `${named.first_name} ${named.last_name}` : visitorName(ctx, i)
      return row(visitorLabel(ctx, i), name, { screen: 'visitors', hidden: 'check.change.visitor', ctx })
    })
    const visit = chosen
      ? [
          row(ctx.t('check.date'), formatDay(ctx.lang, chosen.date), { screen: 'time', hidden: 'check.change.date', ctx }),
          row(ctx.t('check.time'), ctx.t('time.range', { start: formatTime(ctx.lang, chosen.session.start), end: formatTime(ctx.lang, chosen.session.end) }), {
            screen: 'time',
            hidden: 'check.change.time',
            ctx,
          }),
          row(ctx.t('check.kind'), ctx.t(chosen.session.kind === 'closed' ? 'check.kind.closed' : 'check.kind.open')),
        ]
      : []
    const method = requestMethod(j)
    const contact = contactInput(j)
    const needs = supportWords(ctx, j.support.needs, j.support.other)
    return html`<form data-form="check" novalidate>
      ${errorSummary(ctx, sectionOf)}
      ${questionHeading(ctx, 4, ctx.t('check.heading'))}
      ${section(ctx, 'check-prisoner', 'check.prisoner', (f) => f.startsWith('prisoner'))}
      ${summaryList({
        classes: 'govuk-!-margin-bottom-9',
        rows: [
          row(ctx.t('prisoner.number'), j.prisoner.number.toUpperCase(), { screen: 'prisoner', hidden: 'check.change.number', target: 'prisoner-number', ctx }),
          row(ctx.t('prisoner.dob'), displayDate(ctx, j.prisoner.dob), { screen: 'prisoner', hidden: 'check.change.dob', target: 'prisoner-dob-day', ctx }),
          row(ctx.t('prisoner.surname'), j.prisoner.surname, { screen: 'prisoner', hidden: 'check.change.surname', target: 'prisoner-surname', ctx }),
        ],
      })}
      ${section(ctx, 'check-visitors', 'check.visitors', (f) => f.startsWith('visitors'))}
      ${summaryList({ classes: 'govuk-!-margin-bottom-9', rows: names })}
      ${section(ctx, 'session-group', 'check.visit', (f) => f === 'session')}
      ${summaryList({ classes: 'govuk-!-margin-bottom-9', rows: visit })}
      ${section(ctx, 'check-about', 'check.about', (f) => sectionOf(f) === 'check-about')}
      ${summaryList({
        classes: 'govuk-!-margin-bottom-9',
        rows: [
          ...(ctx.mode === 'helper'
            ? [row(ctx.t('check.for'), method ? ctx.t(`method.${method}` as Key) : '', { screen: 'helper-who', hidden: 'check.change.for', ctx })]
            : []),
          row(ctx.t('check.contact'), contact ? contactLines(ctx, contact) : ctx.t('check.contact.none'), { screen: 'contact', hidden: 'check.change.contact', ctx }),
          row(ctx.t('check.support'), needs.length ? needs : ctx.t('check.support.none'), { screen: 'support', hidden: 'check.change.support', ctx }),
        ],
      })}
      <h2 class="govuk-heading-m">${ctx.t('check.confirm.heading')}</h2>
      <p class="govuk-body">${ctx.t('check.confirm.body')}</p>
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('check.book'))}${backButton(ctx)}</div>
    </form>`
  },
  actions: {
    change(ctx, control) {
      const screen = CHANGEABLE.find((s) => s === control.dataset.screen)
      if (!screen) return
      ctx.journey.changing = true
      // Like every new screen, the question takes the focus, so a screen reader starts with the
      // step and the question; the answer being changed is brought into view under it.
      ctx.go(screen)
      const answer = control.dataset.target ? document.getElementById(control.dataset.target) : null
      answer?.scrollIntoView({ block: 'nearest' })
    },
  },
  async submit(ctx) {
    const j = ctx.journey
    if (!ctx.info) return
    const request = bookingRequest(ctx, ctx.info.prison.code)
    // Errors about the contact or the support are shown on their own screens, by their fields.
    const confirmation =
      ctx.mode === 'helper'
        ? await ctx.staffCall('helper_book', { request }, errorsOnDetails(ctx))
        : await ctx.call('book', request, errorsOnDetails(ctx))
    if (!confirmation) return
    const named = confirmation.details.booked_by
    if (named && ctx.session) ctx.session.organisation = named.organisation
    j.confirmation = confirmation
    j.changing = false
    j.printed = 'none'
    ctx.go('done')
  },
  errorTarget: (_, field) => sectionOf(field),
}

/** After a change from check answers: re-check what follows, and return there if it all holds. */
export async function afterChange(ctx: Ctx): Promise<void> {
  const checked = await ctx.call('check_visitors', party(ctx.journey), 'visitors')
  if (!checked) return
  ctx.journey.visitorNames = checked.visitors
  return submitVisitors(ctx)
}
