// Step 1: the prisoner's number, date of birth and surname, checked by the engine.

import type { Ctx, Screen } from '../../app/router'
import { emptyVisitor } from '../../app/state'
import { dateInput, input } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorSummary, errorsAt, errorOptions, questionHeading } from '../../components/kiosk'
import { afterChange } from './check'
import { dateItems, prisonerInput, questionTarget } from './journey'

export const prisoner: Screen = {
  id: 'prisoner',
  modes: ['visitor', 'helper'],
  back: (ctx) => (ctx.mode === 'helper' ? 'helper-who' : 'start'),
  title: (ctx) => ctx.t('prisoner.heading'),
  render(ctx) {
    const p = ctx.journey.prisoner
    return html`<form data-form="prisoner" novalidate>
      ${errorSummary(ctx, questionTarget)}
      ${questionHeading(ctx, 1, ctx.t('prisoner.heading'))}
      ${input({
        id: 'prisoner-number',
        name: 'prisoner-number',
        label: { text: ctx.t('prisoner.number'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('prisoner.number.hint') },
        value: p.number,
        classes: 'govuk-input--width-10 kiosk-input--upper',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'prisoner.number')),
        ...typing('alnum', 7),
      })}
      ${dateInput({
        id: 'prisoner-dob',
        namePrefix: 'prisoner-dob',
        fieldset: { legend: { text: ctx.t('prisoner.dob'), classes: 'govuk-fieldset__legend--m' } },
        hint: { text: ctx.t('dob.hint') },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'prisoner.date_of_birth')),
        items: dateItems(ctx, p.dob),
      })}
      ${input({
        id: 'prisoner-surname',
        name: 'prisoner-surname',
        label: { text: ctx.t('prisoner.surname'), classes: 'govuk-label--m' },
        value: p.surname,
        classes: 'govuk-input--width-20',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'prisoner.surname')),
        ...typing('letters', 50),
      })}
      <div class="govuk-button-group">${continueButton(ctx)}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const p = ctx.journey.prisoner
    const set: Record<string, (value: string) => void> = {
      'prisoner-number': (v) => (p.number = v),
      'prisoner-dob-day': (v) => (p.dob.day = v),
      'prisoner-dob-month': (v) => (p.dob.month = v),
      'prisoner-dob-year': (v) => (p.dob.year = v),
      'prisoner-surname': (v) => (p.surname = v),
    }
    set[field.name]?.(field.value)
  },
  submit: submitPrisoner,
  errorTarget: (_, field) => questionTarget(field),
}

/** A text field typed with the on-screen keyboard, never the system's. */
export function typing(keyboard: 'letters' | 'alnum', maxLength: number) {
  return {
    inputmode: 'none',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: false,
    attributes: { 'data-keyboard': keyboard, maxlength: maxLength },
  }
}

async function submitPrisoner(ctx: Ctx): Promise<void> {
  const j = ctx.journey
  const checked = await ctx.call('check_prisoner', prisonerInput(j))
  if (!checked) return
  const listChanged = JSON.stringify(checked.contacts ?? null) !== JSON.stringify(j.contacts)
  j.contacts = checked.contacts ?? null
  j.prisoner.number = checked.prisoner_number
  if (listChanged) {
    // Another prisoner's list: people picked from the old one no longer apply.
    j.visitors = j.visitors.filter((v) => !v.contactId)
    if (j.visitors.length === 0) j.visitors = [emptyVisitor()]
  }
  if (j.changing) return afterChange(ctx)
  ctx.go('visitors')
}
