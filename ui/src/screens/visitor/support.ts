// Additional support (issue 11): what the visitors need at the visit, ticked, and for anything
// else what it is, up to 512 characters with GOV.UK's character count.

import type { Ctx, Screen } from '../../app/router'
import { checkboxes, errorMessages } from '../../components/govuk'
import { classes, html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorsAt, errorSummary, stepCaption } from '../../components/kiosk'
import { SUPPORT_NEEDS } from './details'

/** The engine's SUPPORT_TEXT_MAX_CHARS. */
const OTHER_MAX = 512

const TARGETS: Record<string, string> = { 'support.needs': 'support-needs', 'support.other': 'support-other' }

function countWords(ctx: Ctx, text: string): { words: string; over: boolean } {
  const left = OTHER_MAX - [...text].length
  return left >= 0 ? { words: ctx.t('support.count', { n: left }), over: false } : { words: ctx.t('support.over', { n: -left }), over: true }
}

/** "Something else": a textarea with GOV.UK's character count, kept up to date as it is typed. */
function otherField(ctx: Ctx) {
  const id = 'support-other'
  const value = ctx.journey.support.other
  const count = countWords(ctx, value)
  const errors = errorsAt(ctx, 'support.other')
  return html`<div class="${classes('govuk-form-group', 'govuk-character-count', 'kiosk-conditional', errors.length > 0 && 'govuk-form-group--error')}" data-module="govuk-character-count" data-maxlength="${OTHER_MAX}">
    <label class="govuk-label govuk-label--s" for="${id}">${ctx.t('support.other_details')}</label>
    ${errorMessages(id, errorOptions(ctx, errors))}
    <textarea class="${classes('govuk-textarea', 'govuk-js-character-count', (errors.length > 0 || count.over) && 'govuk-textarea--error')}" id="${id}" name="${id}" rows="4" inputmode="none" autocomplete="off" spellcheck="false" data-keyboard="text" aria-describedby="${id}-info${errors.length ? ` ${id}-error` : ''}">${value}</textarea>
    <div id="${id}-info" class="${classes(count.over ? 'govuk-error-message' : 'govuk-hint', 'govuk-character-count__message')}" aria-live="polite">${count.words}</div>
  </div>`
}

export const support: Screen = {
  id: 'support',
  modes: ['visitor', 'helper'],
  back: (ctx) => (ctx.mode === 'helper' && !ctx.journey.changing ? 'contact' : 'check'),
  title: (ctx) => ctx.t('support.heading'),
  render(ctx) {
    const s = ctx.journey.support
    const caption = ctx.mode === 'helper' ? html`<span class="govuk-caption-l">${stepCaption(ctx, 6)}</span> ` : ''
    return html`<form data-form="support" novalidate>
      ${errorSummary(ctx, (field) => TARGETS[field] ?? null)}
      ${checkboxes({
        name: 'support-needs',
        idPrefix: 'support-needs',
        hint: { text: ctx.t('support.hint') },
        fieldset: { legend: { html: html`${caption}${ctx.t('support.heading')}`, isPageHeading: true, classes: 'govuk-fieldset__legend--xl' } },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'support.needs')),
        items: SUPPORT_NEEDS.map((n) => ({ value: n, text: ctx.t(`support.${n}`), checked: s.needs.includes(n) })),
      })}
      ${s.needs.includes('other') ? otherField(ctx) : ''}
      <div class="govuk-button-group">${continueButton(ctx)}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const s = ctx.journey.support
    if (field.name === 'support-needs' && field instanceof HTMLInputElement) {
      const rest = s.needs.filter((n) => n !== field.value)
      // Kept in the list's order, whatever order they were ticked in.
      s.needs = SUPPORT_NEEDS.filter((n) => (n === field.value ? field.checked : rest.includes(n)))
      if (field.value === 'other') ctx.render({ id: field.id })
    } else if (field.name === 'support-other') {
      s.other = field.value
      const info = document.getElementById('support-other-info')
      if (!info) return
      const count = countWords(ctx, field.value)
      info.textContent = count.words
      // As GOV.UK's character count: an error's colour, not a hint's, once over the limit.
      info.classList.toggle('govuk-error-message', count.over)
      info.classList.toggle('govuk-hint', !count.over)
    }
  },
  submit(ctx) {
    ctx.go('check')
  },
  errorTarget: (_, field) => TARGETS[field] ?? null,
}
