// The main contact (issue 11): who the prison tells if the visit changes. One of the party or
// someone else, a UK phone number, an email address if they like, and the language for
// messages. A helper booking for someone who is not there must give one; anyone else may.

import type { Ctx, Screen } from '../../app/router'
import { input, radios } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorsAt, errorSummary, stepCaption } from '../../components/kiosk'
import { typing } from './prisoner'

function target(ctx: Ctx, field: string): string | null {
  const fixed: Record<string, string> = {
    'main_contact.name': ctx.journey.contact.pick === 'other' ? 'contact-name' : 'contact-pick',
    'main_contact.phone': 'contact-phone',
    'main_contact.email': 'contact-email',
    'main_contact.language': 'contact-language',
  }
  return fixed[field] ?? null
}

function lead(ctx: Ctx): string {
  if (ctx.mode !== 'helper') return ctx.t('contact.lead.optional')
  return ctx.journey.forWhom.who === 'away' ? ctx.t('contact.lead.required') : ctx.t('contact.lead.optional.helper')
}

export const contact: Screen = {
  id: 'contact',
  modes: ['visitor', 'helper'],
  back: (ctx) => (ctx.mode === 'helper' && !ctx.journey.changing ? 'time' : 'check'),
  title: (ctx) => ctx.t('contact.heading'),
  render(ctx) {
    const c = ctx.journey.contact
    const other = c.pick === 'other'
    const nameErrors = errorOptions(ctx, errorsAt(ctx, 'main_contact.name'))
    const party = ctx.journey.visitorNames.map((v, i) => ({ value: `visitor-${i}`, text: `${v.first_name} ${v.last_name}` }))
    return html`<form data-form="contact" novalidate>
      ${errorSummary(ctx, (field) => target(ctx, field))}
      <h1 class="govuk-heading-xl">${ctx.mode === 'helper' ? html`<span class="govuk-caption-l">${stepCaption(ctx, 5)}</span> ` : ''}${ctx.t('contact.heading')}</h1>
      <p class="govuk-body-l" id="contact-lead">${lead(ctx)}</p>
      ${radios({
        name: 'contact-pick',
        idPrefix: 'contact-pick',
        value: c.pick,
        fieldset: { legend: { text: ctx.t('contact.name'), classes: 'govuk-fieldset__legend--m' } },
        errorMessage: other ? undefined : nameErrors,
        items: [...party, { value: 'other', text: ctx.t('contact.other') }],
      })}
      ${other
        ? input({
            id: 'contact-name',
            name: 'contact-name',
            label: { text: ctx.t('contact.other_name'), classes: 'govuk-label--s' },
            value: c.name,
            classes: 'govuk-input--width-20',
            formGroup: { classes: 'kiosk-conditional' },
            errorMessage: nameErrors,
            ...typing('letters', 50),
          })
        : ''}
      ${input({
        id: 'contact-phone',
        name: 'contact-phone',
        label: { text: ctx.t('contact.phone'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('contact.phone.hint') },
        value: c.phone,
        classes: 'govuk-input--width-20 kiosk-input--digits',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'main_contact.phone')),
        inputmode: 'none',
        autocomplete: 'off',
        spellcheck: false,
        attributes: { 'data-keyboard': 'phone', maxlength: 20 },
      })}
      ${input({
        id: 'contact-email',
        name: 'contact-email',
        label: { text: ctx.t('contact.email'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('contact.email.hint') },
        value: c.email,
        classes: 'govuk-input--width-30',
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'main_contact.email')),
        inputmode: 'none',
        autocomplete: 'off',
        autocapitalize: 'off',
        spellcheck: false,
        attributes: { 'data-keyboard': 'email', maxlength: 254 },
      })}
      ${radios({
        name: 'contact-language',
        idPrefix: 'contact-language',
        value: c.language,
        classes: 'govuk-radios--inline',
        fieldset: { legend: { text: ctx.t('contact.language'), classes: 'govuk-fieldset__legend--m' } },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'main_contact.language')),
        items: [
          // Each language named in itself, as the header's switch is.
          { value: 'en', text: ctx.t('contact.language.en'), label: { attributes: { lang: 'en' } } },
          { value: 'cy', text: ctx.t('contact.language.cy'), label: { attributes: { lang: 'cy' } } },
        ],
      })}
      <div class="govuk-button-group">${continueButton(ctx)}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const c = ctx.journey.contact
    if (field.name === 'contact-pick' && field instanceof HTMLInputElement && field.checked) {
      const was = c.pick
      c.pick = field.value
      // "Someone else" shows the name field (and a listed visitor hides it): drawn again.
      if ((was === 'other') !== (c.pick === 'other')) ctx.render({ id: field.id })
    } else if (field.name === 'contact-language' && field instanceof HTMLInputElement && field.checked) {
      c.language = field.value === 'cy' ? 'cy' : 'en'
    } else if (field.name === 'contact-name') c.name = field.value
    else if (field.name === 'contact-phone') c.phone = field.value
    else if (field.name === 'contact-email') c.email = field.value
  },
  submit(ctx) {
    // The engine checks the contact with the booking; errors come back here, next to their fields.
    const j = ctx.journey
    ctx.go(ctx.mode === 'helper' && !j.changing ? 'support' : 'check')
  },
  errorTarget: (ctx, field) => target(ctx, field),
}
