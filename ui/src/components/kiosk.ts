// The kiosk's own pieces, made from GOV.UK's: the question heading with its step, the
// Continue and Back buttons, and the engine's errors as GOV.UK error messages and summary.

import type { Ctx } from '../app/router'
import type { UiError } from '../generated/engine'
import { errorMessage as errorWords } from '../i18n'
import { button, errorSummary as govukErrorSummary, type ErrorMessageOptions } from './govuk'
import { html, type Content, type Html } from './html'

/** The messages of the errors about one field, for a component's `errorMessage` option. */
export function errorOptions(ctx: Ctx, errors: readonly UiError[]): ErrorMessageOptions[] {
  return errors.map((e) => ({ text: errorWords(ctx.lang, e), visuallyHiddenText: ctx.t('error.prefix') }))
}

/** The errors on screen that are about exactly this field. */
export function errorsAt(ctx: Ctx, field: string): UiError[] {
  return ctx.view.errors.filter((e) => e.field === field)
}

/**
 * GOV.UK's error summary of every error on screen, each linked to the element `target` names
 * for its field (page-level errors are not links). It takes the focus when it appears.
 */
export function errorSummary(ctx: Ctx, target: (field: string) => string | null = () => null): Html | '' {
  if (ctx.view.errors.length === 0) return ''
  return govukErrorSummary({
    titleText: ctx.t('error.summary_title'),
    attributes: { tabindex: '-1' },
    errorList: ctx.view.errors.map((e) => {
      const id = e.field ? target(e.field) : null
      const text = errorWords(ctx.lang, e)
      return id ? { text, href: `#${id}`, attributes: { 'data-action': 'focus', 'data-target': id } } : { text }
    }),
  })
}

/**
 * A question screen's heading, with its step inside it (GOV.UK's caption-in-heading pattern):
 * the heading takes the focus when the screen opens, and a screen reader reads "Step 1 of 4"
 * with the question.
 */
export function questionHeading(ctx: Ctx, step: number, words: Content, attrs: { id?: string } = {}): Html {
  const id = attrs.id ? html` id="${attrs.id}" tabindex="-1"` : ''
  const n = ctx.mode === 'helper' ? (HELPER_STEPS[step] ?? step) : step
  return html`<h1 class="govuk-heading-xl"${id}><span class="govuk-caption-l">${stepCaption(ctx, n)}</span> ${words}</h1>`
}

/**
 * The visitor's four steps as a helper's seven number them: who the visit is for (1), then the
 * prisoner, visitors and time (2 to 4), the main contact (5), support (6) and check answers (7).
 */
const HELPER_STEPS: Record<number, number> = { 1: 2, 2: 3, 3: 4, 4: 7 }

/** "Step 2 of 4", or of the helper's seven. */
export function stepCaption(ctx: Ctx, n: number): string {
  return ctx.t('caption.step', { n, total: ctx.mode === 'helper' ? 7 : 4 })
}

export function continueButton(ctx: Ctx, words = ctx.t('button.continue')): Html {
  return button({ text: words, disabled: ctx.view.busy })
}

export function backButton(ctx: Ctx): Html {
  return button({ text: ctx.t('button.back'), type: 'button', classes: 'govuk-button--secondary kiosk-back', attributes: { 'data-action': 'back' } })
}

/** A button that runs one of the screen's actions. */
export function actionButton(words: string, action: string, options: { classes?: string; data?: Record<string, string>; label?: string } = {}): Html {
  const data = Object.fromEntries(Object.entries(options.data ?? {}).map(([k, v]) => [`data-${k}`, v]))
  return button({ text: words, type: 'button', classes: options.classes, attributes: { 'data-action': action, ...data, 'aria-label': options.label } })
}
