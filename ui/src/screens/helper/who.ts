// A helper's first question (issue 11): who the visit is for. Here with the helper, on the
// phone, or not here, and then how they asked for it; the engine records it as the booking's
// request method and, for someone not here, asks for a main contact.

import type { Ctx, Screen } from '../../app/router'
import type { ForWhom } from '../../app/state'
import { radios } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorsAt, errorSummary, stepCaption } from '../../components/kiosk'

const TARGETS: Record<string, string> = { request_method: 'who', request_method_how: 'who-how' }

export const helperWho: Screen = {
  id: 'helper-who',
  modes: ['helper'],
  back: (ctx) => (ctx.journey.changing ? 'check' : 'helper-home'),
  title: (ctx) => ctx.t('who.heading'),
  render(ctx) {
    const f = ctx.journey.forWhom
    const how =
      f.who === 'away'
        ? radios({
            name: 'who-how',
            idPrefix: 'who-how',
            value: f.how,
            fieldset: { legend: { text: ctx.t('who.how'), classes: 'govuk-fieldset__legend--m' } },
            errorMessage: errorOptions(ctx, errorsAt(ctx, 'request_method_how')),
            items: (['by_prisoner', 'email', 'letter', 'website'] as const).map((m) => ({ value: m, text: ctx.t(`who.how.${m}`) })),
          })
        : ''
    return html`<form data-form="helper-who" novalidate>
      ${errorSummary(ctx, (field) => TARGETS[field] ?? null)}
      ${radios({
        name: 'who',
        idPrefix: 'who',
        value: f.who,
        hint: { text: ctx.t('who.hint') },
        fieldset: {
          legend: {
            html: html`<span class="govuk-caption-l">${stepCaption(ctx, 1)}</span> ${ctx.t('who.heading')}`,
            isPageHeading: true,
            classes: 'govuk-fieldset__legend--xl',
          },
        },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'request_method')),
        items: (['in_person', 'phone', 'away'] as const).map((w) => ({ value: w, text: ctx.t(`who.${w}`) })),
      })}
      ${how}
      <div class="govuk-button-group">${continueButton(ctx)}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    if (!(field instanceof HTMLInputElement) || !field.checked) return
    const f = ctx.journey.forWhom
    if (field.name === 'who') {
      f.who = field.value as ForWhom['who']
      // The second question appears (or goes) with "not here": drawn again, the choice keeps the focus.
      ctx.render({ id: field.id })
    } else if (field.name === 'who-how') f.how = field.value as ForWhom['how']
  },
  submit(ctx: Ctx) {
    const f = ctx.journey.forWhom
    // Which radio is picked is the page's own question, as the time screen's is: the engine
    // checks the method again when the visit is booked.
    if (!f.who) return ctx.showErrors([{ code: 'request_method_required', field: 'request_method', params: {} }])
    if (f.who === 'away' && !f.how) return ctx.showErrors([{ code: 'request_method_how_required', field: 'request_method_how', params: {} }])
    ctx.go(ctx.journey.changing ? 'check' : 'prisoner')
  },
  errorTarget: (_, field) => TARGETS[field] ?? null,
}
