// Staff sign-in: reached by holding the header of the start screen (app.ts). The staff number
// and PIN are typed on the number keypad; the engine answers one way for a wrong PIN and an
// unknown number, and says when an account is locked.

import type { Screen } from '../../app/router'
import { input } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import { keypad, pinField, typedPin } from './keypad'

const TARGETS: Record<string, string> = { staff_number: 'staff-number', pin: 'staff-pin' }

export const staffSignIn: Screen = {
  id: 'staff-sign-in',
  // Nobody is signed in yet: a screen of the visitor's mode, which Back leaves for the start.
  modes: ['visitor'],
  back: 'start',
  title: (ctx) => ctx.t('staff.sign_in.heading'),
  render(ctx) {
    return html`<form data-form="staff-sign-in" novalidate>
      ${errorSummary(ctx, (field) => TARGETS[field] ?? null)}
      <h1 class="govuk-heading-xl">${ctx.t('staff.sign_in.heading')}</h1>
      <p class="govuk-body-l">${ctx.t('staff.sign_in.lead')}</p>
      ${input({
        id: 'staff-number',
        name: 'staff-number',
        label: { text: ctx.t('staff.number'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('staff.number.hint') },
        value: ctx.desk.staffNumber,
        classes: 'govuk-input--width-10 kiosk-input--digits',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'staff_number')),
        ...keypad(10),
      })}
      ${input({
        id: 'staff-pin',
        name: 'staff-pin',
        label: { text: ctx.t('staff.pin'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('staff.pin.hint') },
        classes: 'govuk-input--width-10 kiosk-input--digits',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'pin')),
        ...pinField(),
      })}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('staff.sign_in'))}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    if (field.name === 'staff-number') ctx.desk.staffNumber = field.value
  },
  async submit(ctx) {
    const answer = await ctx.call('staff_sign_in', { staff_number: ctx.desk.staffNumber, pin: typedPin('staff-pin') })
    if (answer) ctx.signIn(answer)
  },
  errorTarget: (_, field) => TARGETS[field] ?? null,
}
