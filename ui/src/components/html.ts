// Markup is made in one way only: the `html` template tag. Every value put into a template is
// escaped unless it is markup this module made, so a name typed by a visitor or a message from
// the engine can never become markup, and no screen escapes anything by hand.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c])
}

// Only this module can make an Html: the literal parts of a template are code, not data.
let make: (markup: string) => Html

/** Markup that is safe to put in the page: made by `html` from code, never from a value. */
export class Html {
  readonly #markup: string

  private constructor(markup: string) {
    this.#markup = markup
  }

  static {
    make = (markup) => new Html(markup)
  }

  toString(): string {
    return this.#markup
  }
}

/** What may go into a template: markup, text (escaped), numbers, nothing, or a list of these. */
export type Content = Html | string | number | null | undefined | false | readonly Content[]

function render(value: Content): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof Html) return value.toString()
  if (Array.isArray(value)) return value.map(render).join('')
  return escape(String(value))
}

export function html(strings: TemplateStringsArray, ...values: Content[]): Html {
  let out = strings[0]
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]
  })
  return make(out)
}

/** Text as markup: escaped. */
export function text(value: string): Html {
  return html`${value}`
}

/** Several pieces with a separator between them (`<br>` between address lines, say). */
export function join(items: readonly Content[], separator: Content): Html {
  return html`${items.flatMap((item, i) => (i === 0 ? [item] : [separator, item]))}`
}

export type AttributeValue = string | number | boolean | null | undefined

/**
 * Attributes as GOV.UK's `govukAttributes` renders them: ` name="value"`, escaped; `true` gives
 * the bare name and `false`, `null` or `undefined` leave the attribute out.
 */
export function attributes(attrs: Readonly<Record<string, AttributeValue>> | undefined): Html {
  if (!attrs) return html``
  const parts: Html[] = []
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (!/^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/.test(name)) throw new Error(`not an attribute name: ${name}`)
    parts.push(value === true ? make(` ${name}`) : html`${make(` ${name}="`)}${String(value)}"`)
  }
  return html`${parts}`
}

/** Class names, leaving out the empty ones. */
export function classes(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(' ')
}
