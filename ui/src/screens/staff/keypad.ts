// What the staff screens share: fields typed on the number keypad, PIN fields that keep their
// digits out of the page's state, and the staff header of each screen.

import type { Ctx } from '../../app/router'
import { html, type Html } from '../../components/html'

/** A field typed with the on-screen number keypad, never the system's keyboard. */
export function keypad(maxLength: number) {
  return {
    inputmode: 'none',
    autocomplete: 'off',
    spellcheck: false,
    attributes: { 'data-keyboard': 'numeric', maxlength: maxLength },
  }
}

/** A PIN field: masked, typed on the keypad, never given a value when it is drawn. */
export function pinField(maxLength = 12) {
  return { type: 'password', ...keypad(maxLength) }
}

/**
 * What is typed in a PIN field now. PINs are read from the field when the form is sent and
 * never kept in the state: drawing the screen again (an error, a new language) empties the
 * field, so no PIN is ever written into the page's markup.
 */
export function typedPin(id: string): string {
  const el = document.getElementById(id)
  return el instanceof HTMLInputElement ? el.value : ''
}

/** A staff screen's heading: the screen's name, with the staff area as its caption. */
export function staffHeading(ctx: Ctx, words: string): Html {
  return html`<h1 class="govuk-heading-xl"><span class="govuk-caption-l">${ctx.t('staff.area')}</span> ${words}</h1>`
}
