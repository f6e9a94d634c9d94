// Choose a new PIN: required at a first sign-in and after a reset (the app shows nothing else
// until it is done, and the engine refuses every other staff command), or chosen from the staff
// home (then the current PIN is asked for). That the two new PINs match is the page's own check.

import type { Screen } from '../../app/router'
import { input } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import { pinField, staffHeading, typedPin } from './keypad'

const TARGETS: Record<string, string> = { current_pin: 'current-pin', new_pin: 'new-pin', confirm_pin: 'confirm-pin' }

export const staffPin: Screen = {
  id: 'staff-pin',
  // Helpers sign in like staff and choose their own PIN the same way.
  modes: ['staff', 'helper'],
  back: 'staff-home',
  title: (ctx) => ctx.t('staff.pin_change.heading'),
  render(ctx) {
    const required = ctx.session?.mustChangePin ?? false
    const field = (id: string, name: string, label: string, hint?: string) =>
      input({
        id,
        name: id,
        label: { text: label, classes: 'govuk-label--m' },
        hint: hint ? { text: hint } : undefined,
        classes: 'govuk-input--width-10 kiosk-input--digits',
        errorMessage: errorOptions(ctx, errorsAt(ctx, name)),
        ...pinField(),
      })
    return html`<form data-form="staff-pin" novalidate>
      ${errorSummary(ctx, (f) => TARGETS[f] ?? null)}
      ${staffHeading(ctx, ctx.t('staff.pin_change.heading'))}
      ${required ? html`<p class="govuk-body-l">${ctx.t('staff.pin_change.required')}</p>` : field('current-pin', 'current_pin', ctx.t('staff.pin_change.current'))}
      ${field('new-pin', 'new_pin', ctx.t('staff.pin_change.new'), ctx.t('staff.pin_change.new.hint'))}
      ${field('confirm-pin', 'confirm_pin', ctx.t('staff.pin_change.confirm'))}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('staff.pin_change.save'))}${required ? '' : backButton(ctx)}</div>
    </form>`
  },
  async submit(ctx) {
    const session = ctx.session
    if (!session) return
    const newPin = typedPin('new-pin')
    const confirm = typedPin('confirm-pin')
    if (newPin && confirm !== newPin) {
      ctx.showErrors([{ code: confirm ? 'pin_confirm_mismatch' : 'pin_confirm_required', field: 'confirm_pin', params: {} }])
      return
    }
    const current = typedPin('current-pin')
    const request = session.mustChangePin || !current ? { new_pin: newPin } : { current_pin: current, new_pin: newPin }
    const done = await ctx.staffCall('staff_change_pin', request)
    if (!done) return
    session.mustChangePin = false
    ctx.desk.pinChanged = true
    // The mode's home: the staff home, or a helper's.
    ctx.go('staff-home')
  },
  errorTarget: (_, field) => TARGETS[field] ?? null,
}
