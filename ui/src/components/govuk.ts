// GOV.UK Frontend's components, made in one place. Each function takes the same options as the
// component's Nunjucks macro (the subset the kiosk uses, typed) and gives the same markup:
// tests/components.test.mjs renders govuk-frontend's own fixtures through these functions and
// compares the result with the fixtures' HTML. Text options are escaped; markup goes in only as
// Html, from the `html` tag.
//
// Where the kiosk needs more than a macro offers, the option is marked "Kiosk:" below.

import { attributes, classes, html, type AttributeValue, type Content, type Html } from './html'

export type Attributes = Readonly<Record<string, AttributeValue>>

/** A macro's `text` or `html` option: `html` wins when both are given, as in the macros. */
export interface TextOrHtml {
  text?: string
  html?: Html
}

function content(p: TextOrHtml): Content {
  return p.html ?? p.text
}

// ---------------------------------------------------------------- small parts

export interface ButtonOptions extends TextOrHtml {
  type?: 'submit' | 'button'
  id?: string
  name?: string
  value?: string
  classes?: string
  attributes?: Attributes
  disabled?: boolean
  isStartButton?: boolean
  preventDoubleClick?: boolean
}

const START_ICON = html`<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
    <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>
  </svg>`

export function button(p: ButtonOptions): Html {
  const label = p.html && p.isStartButton ? html`<span>${p.html}</span>` : content(p)
  return html`<button type="${p.type ?? 'submit'}"${attributes({
    value: p.value,
    name: p.name,
    disabled: p.disabled,
    'aria-disabled': p.disabled ? 'true' : undefined,
    'data-prevent-double-click': p.preventDoubleClick === undefined ? undefined : String(p.preventDoubleClick),
  })} class="${classes('govuk-button', p.classes, p.isStartButton && 'govuk-button--start')}" data-module="govuk-button"${attributes(p.attributes)}${attributes({ id: p.id })}>
  ${label}
  ${p.isStartButton ? START_ICON : ''}
</button>`
}

export interface LabelOptions extends TextOrHtml {
  for?: string
  classes?: string
  attributes?: Attributes
  isPageHeading?: boolean
}

export function label(p: LabelOptions): Html {
  if (!p.html && !p.text) return html``
  const labelHtml = html`<label class="${classes('govuk-label', p.classes)}"${attributes(p.attributes)}${attributes({ for: p.for })}>
  ${content(p)}
</label>`
  return p.isPageHeading ? html`<h1 class="govuk-label-wrapper">${labelHtml}</h1>` : labelHtml
}

export interface HintOptions extends TextOrHtml {
  id?: string
  classes?: string
  attributes?: Attributes
}

export function hint(p: HintOptions): Html {
  return html`<div${attributes({ id: p.id })} class="${classes('govuk-hint', p.classes)}"${attributes(p.attributes)}>
  ${content(p)}
</div>`
}

export interface ErrorMessageOptions extends TextOrHtml {
  id?: string
  classes?: string
  attributes?: Attributes
  /** Read out before the message ("Error"); the macro adds the colon. False for none. */
  visuallyHiddenText?: string | false
}

export function errorMessage(p: ErrorMessageOptions): Html {
  const hidden = p.visuallyHiddenText === undefined ? 'Error' : p.visuallyHiddenText
  return html`<p${attributes({ id: p.id })} class="${classes('govuk-error-message', p.classes)}"${attributes(p.attributes)}>
  ${hidden ? html`<span class="govuk-visually-hidden">${hidden}:</span> ` : ''}${content(p)}
</p>`
}

/**
 * Kiosk: a field can carry several errors from the engine (each is in the error summary too),
 * so `errorMessage` may be a list. The first keeps the macro's id (`<id>-error`), the others are
 * `<id>-error-1`, `<id>-error-2`...
 */
export type FieldErrors = ErrorMessageOptions | readonly ErrorMessageOptions[] | false | undefined

function errorList(errors: FieldErrors): readonly ErrorMessageOptions[] {
  if (!errors) return []
  return Array.isArray(errors) ? errors : [errors as ErrorMessageOptions]
}

/** The error messages of a field, with the ids its control's aria-describedby lists. */
function fieldErrors(id: string, errors: FieldErrors): { markup: Html; ids: string[] } {
  const list = errorList(errors)
  const ids = list.map((_, i) => `${id}-error${i ? `-${i}` : ''}`)
  return { markup: html`${list.map((e, i) => errorMessage({ ...e, id: ids[i] }))}`, ids }
}

/**
 * Kiosk: the error messages of something that is not one of these components (a visitor, the
 * whole party, the list of times), with the ids a component would give them.
 */
export function errorMessages(id: string, errors: FieldErrors): Html {
  return fieldErrors(id, errors).markup
}

export interface FormGroupOptions {
  classes?: string
  attributes?: Attributes
}

function describedBy(...ids: (string | undefined)[]): string | undefined {
  const all = ids.filter(Boolean).join(' ').trim()
  return all || undefined
}

// ---------------------------------------------------------------- text input

export interface InputOptions {
  id?: string
  name: string
  type?: string
  value?: string
  label: LabelOptions
  hint?: HintOptions
  errorMessage?: FieldErrors
  classes?: string
  describedBy?: string
  autocomplete?: string
  autocapitalize?: string
  spellcheck?: boolean
  inputmode?: string
  pattern?: string
  disabled?: boolean
  formGroup?: FormGroupOptions
  attributes?: Attributes
}

function inputElement(p: InputOptions, id: string, className: string, ariaDescribedBy: string | undefined): Html {
  return html`<input${attributes({
    class: className,
    id,
    name: p.name,
    type: p.type || 'text',
    spellcheck: p.spellcheck === undefined ? undefined : String(p.spellcheck),
    value: p.value,
    disabled: p.disabled,
    'aria-describedby': ariaDescribedBy,
    autocomplete: p.autocomplete,
    autocapitalize: p.autocapitalize,
    pattern: p.pattern,
    inputmode: p.inputmode,
  })}${attributes(p.attributes)}>`
}

export function input(p: InputOptions): Html {
  const id = p.id ?? p.name
  const errors = fieldErrors(id, p.errorMessage)
  const hasError = errors.ids.length > 0
  const hintId = p.hint ? `${id}-hint` : undefined
  const className = classes('govuk-input', p.classes, hasError && 'govuk-input--error')
  return html`<div class="${classes('govuk-form-group', hasError && 'govuk-form-group--error', p.formGroup?.classes)}"${attributes(p.formGroup?.attributes)}>
  ${label({ ...p.label, for: id })}
  ${p.hint ? hint({ ...p.hint, id: hintId }) : ''}
  ${errors.markup}
  ${inputElement(p, id, className, describedBy(p.describedBy, hintId, ...errors.ids))}
</div>`
}

// ---------------------------------------------------------------- fieldset and date input

export interface LegendOptions extends TextOrHtml {
  classes?: string
  isPageHeading?: boolean
}

export interface FieldsetOptions {
  describedBy?: string
  classes?: string
  role?: string
  attributes?: Attributes
  legend?: LegendOptions
  html?: Html
}

export function fieldset(p: FieldsetOptions): Html {
  const legend = p.legend && (p.legend.html || p.legend.text)
    ? html`<legend class="${classes('govuk-fieldset__legend', p.legend.classes)}">
    ${p.legend.isPageHeading ? html`<h1 class="govuk-fieldset__heading">${content(p.legend)}</h1>` : content(p.legend)}
  </legend>`
    : ''
  return html`<fieldset class="${classes('govuk-fieldset', p.classes)}"${attributes({ role: p.role, 'aria-describedby': p.describedBy })}${attributes(p.attributes)}>
  ${legend}
  ${p.html ?? ''}
</fieldset>`
}

export interface DateItem {
  name: 'day' | 'month' | 'year'
  label?: string
  id?: string
  value?: string
  classes?: string
  inputmode?: string
  autocomplete?: string
  pattern?: string
  attributes?: Attributes
}

export interface DateInputOptions {
  id: string
  namePrefix?: string
  items: readonly DateItem[]
  hint?: HintOptions
  errorMessage?: FieldErrors
  fieldset?: Omit<FieldsetOptions, 'html' | 'role'>
  formGroup?: FormGroupOptions
  classes?: string
  attributes?: Attributes
}

export function dateInput(p: DateInputOptions): Html {
  const errors = fieldErrors(p.id, p.errorMessage)
  const hasError = errors.ids.length > 0
  const hintId = p.hint ? `${p.id}-hint` : undefined
  const prefix = p.namePrefix ? `${p.namePrefix}-` : ''
  // An item can carry the error alone (its classes say so); otherwise an error marks them all.
  const itemError = (item: DateItem) => !!item.classes?.includes('govuk-input--error')
  const anyItemError = p.items.some(itemError)
  const items = p.items.map((item) => {
    const width = item.classes?.includes('govuk-input--width-') ? '' : `govuk-input--width-${item.name === 'year' ? 4 : 2}`
    const marked = !itemError(item) && hasError && !anyItemError
    const itemClasses = classes(marked && 'govuk-input--error', width, item.classes)
    return html`<div class="govuk-date-input__item">
    ${input({
      label: { text: item.label ?? item.name.charAt(0).toUpperCase() + item.name.slice(1), classes: 'govuk-date-input__label' },
      id: item.id ?? `${p.id}-${item.name}`,
      classes: classes('govuk-date-input__input', itemClasses),
      name: prefix + item.name,
      value: item.value,
      type: 'text',
      inputmode: item.inputmode ?? 'numeric',
      autocomplete: item.autocomplete,
      pattern: item.pattern,
      attributes: item.attributes,
    })}
  </div>`
  })
  const inner = html`${p.hint ? hint({ ...p.hint, id: hintId }) : ''}
  ${errors.markup}
  <div class="${classes('govuk-date-input', p.classes)}"${attributes(p.attributes)}${attributes({ id: p.id })}>
    ${items}
  </div>`
  return html`<div class="${classes('govuk-form-group', hasError && 'govuk-form-group--error', p.formGroup?.classes)}"${attributes(p.formGroup?.attributes)}>
  ${p.fieldset
    ? fieldset({ ...p.fieldset, describedBy: describedBy(p.fieldset.describedBy, hintId, ...errors.ids), role: 'group', html: inner })
    : inner}
</div>`
}

// ---------------------------------------------------------------- radios

export interface RadioItem extends TextOrHtml {
  value: string
  id?: string
  checked?: boolean
  disabled?: boolean
  hint?: HintOptions
  label?: { classes?: string; attributes?: Attributes }
  attributes?: Attributes
}

export interface RadiosOptions {
  name: string
  idPrefix?: string
  items: readonly RadioItem[]
  value?: string
  hint?: HintOptions
  errorMessage?: FieldErrors
  fieldset?: Omit<FieldsetOptions, 'html'>
  formGroup?: FormGroupOptions
  classes?: string
  attributes?: Attributes
}

export function radios(p: RadiosOptions): Html {
  const idPrefix = p.idPrefix ?? p.name
  const errors = fieldErrors(idPrefix, p.errorMessage)
  const hasError = errors.ids.length > 0
  const hintId = p.hint ? `${idPrefix}-hint` : undefined
  const items = p.items.map((item, i) => {
    // The first id has no number, so the error summary can link to it (as the macro does).
    const id = item.id ?? (i === 0 ? idPrefix : `${idPrefix}-${i + 1}`)
    const checked = item.checked ?? (p.value !== undefined && item.value === p.value)
    const hasHint = !!(item.hint && (item.hint.text || item.hint.html))
    const itemHintId = `${id}-item-hint`
    return html`<div class="govuk-radios__item">
      <input class="govuk-radios__input" id="${id}" name="${p.name}" type="radio" value="${item.value}"${attributes({
        checked,
        disabled: item.disabled,
        'aria-describedby': hasHint ? itemHintId : undefined,
      })}${attributes(item.attributes)}>
      ${label({ ...item, classes: classes('govuk-radios__label', item.label?.classes), attributes: item.label?.attributes, for: id })}
      ${hasHint && item.hint ? hint({ ...item.hint, id: itemHintId, classes: classes('govuk-radios__hint', item.hint.classes) }) : ''}
    </div>`
  })
  const inner = html`${p.hint ? hint({ ...p.hint, id: hintId }) : ''}
  ${errors.markup}
  <div class="${classes('govuk-radios', p.classes)}"${attributes(p.attributes)} data-module="govuk-radios">
    ${items}
  </div>`
  return html`<div class="${classes('govuk-form-group', hasError && 'govuk-form-group--error', p.formGroup?.classes)}"${attributes(p.formGroup?.attributes)}>
  ${p.fieldset ? fieldset({ ...p.fieldset, describedBy: describedBy(p.fieldset.describedBy, hintId, ...errors.ids), html: inner }) : inner}
</div>`
}

// ---------------------------------------------------------------- checkboxes

export interface CheckboxItem extends TextOrHtml {
  value: string
  id?: string
  checked?: boolean
  hint?: HintOptions
  attributes?: Attributes
}

export interface CheckboxesOptions {
  name: string
  idPrefix?: string
  items: readonly CheckboxItem[]
  hint?: HintOptions
  errorMessage?: FieldErrors
  fieldset?: Omit<FieldsetOptions, 'html'>
  classes?: string
}

/** GOV.UK checkboxes, as the macro draws them (without conditional reveals or "none" items). */
export function checkboxes(p: CheckboxesOptions): Html {
  const idPrefix = p.idPrefix ?? p.name
  const errors = fieldErrors(idPrefix, p.errorMessage)
  const hasError = errors.ids.length > 0
  const hintId = p.hint ? `${idPrefix}-hint` : undefined
  const items = p.items.map((item, i) => {
    const id = item.id ?? (i === 0 ? idPrefix : `${idPrefix}-${i + 1}`)
    const hasHint = !!(item.hint && (item.hint.text || item.hint.html))
    const itemHintId = `${id}-item-hint`
    return html`<div class="govuk-checkboxes__item">
      <input class="govuk-checkboxes__input" id="${id}" name="${p.name}" type="checkbox" value="${item.value}"${attributes({
        checked: item.checked,
        'aria-describedby': hasHint ? itemHintId : undefined,
      })}${attributes(item.attributes)}>
      ${label({ ...item, classes: 'govuk-checkboxes__label', for: id })}
      ${hasHint && item.hint ? hint({ ...item.hint, id: itemHintId, classes: classes('govuk-checkboxes__hint', item.hint.classes) }) : ''}
    </div>`
  })
  const inner = html`${p.hint ? hint({ ...p.hint, id: hintId }) : ''}
  ${errors.markup}
  <div class="${classes('govuk-checkboxes', p.classes)}" data-module="govuk-checkboxes">
    ${items}
  </div>`
  return html`<div class="${classes('govuk-form-group', hasError && 'govuk-form-group--error')}">
  ${p.fieldset ? fieldset({ ...p.fieldset, describedBy: describedBy(p.fieldset.describedBy, hintId, ...errors.ids), html: inner }) : inner}
</div>`
}

// ---------------------------------------------------------------- error summary

export interface ErrorSummaryItem extends TextOrHtml {
  href?: string
  attributes?: Attributes
}

export interface ErrorSummaryOptions {
  titleText: string
  descriptionText?: string
  errorList?: readonly ErrorSummaryItem[]
  classes?: string
  attributes?: Attributes
}

export function errorSummary(p: ErrorSummaryOptions): Html {
  const list = p.errorList ?? []
  return html`<div class="${classes('govuk-error-summary', p.classes)}"${attributes(p.attributes)} data-module="govuk-error-summary">
  <div role="alert">
    <h2 class="govuk-error-summary__title">
      ${p.titleText}
    </h2>
    <div class="govuk-error-summary__body">
      ${p.descriptionText ? html`<p>
        ${p.descriptionText}
      </p>` : ''}
      ${list.length
        ? html`<ul class="govuk-list govuk-error-summary__list">
        ${list.map((item) =>
          item.href
            ? html`<li>
            <a href="${item.href}"${attributes(item.attributes)}>${content(item)}</a>
          </li>`
            : html`<li>
            ${content(item)}
          </li>`,
        )}
        </ul>`
        : ''}
    </div>
  </div>
</div>`
}

// ---------------------------------------------------------------- summary list

export interface SummaryAction {
  text: string
  /** Kiosk: without `href` the action is a button, for a screen change that is not a page load. */
  href?: string
  visuallyHiddenText?: string
  classes?: string
  attributes?: Attributes
}

export interface SummaryRow {
  key: TextOrHtml & { classes?: string }
  value: TextOrHtml & { classes?: string }
  actions?: { items: readonly SummaryAction[]; classes?: string }
  classes?: string
}

export interface SummaryListOptions {
  rows: readonly SummaryRow[]
  classes?: string
  attributes?: Attributes
}

function summaryAction(a: SummaryAction): Html {
  const hidden = a.visuallyHiddenText ? html`<span class="govuk-visually-hidden"> ${a.visuallyHiddenText}</span>` : ''
  return a.href
    ? html`<a class="${classes('govuk-link', a.classes)}" href="${a.href}"${attributes(a.attributes)}>${a.text}${hidden}</a>`
    : html`<button type="button" class="${classes('govuk-link', a.classes)}"${attributes(a.attributes)}>${a.text}${hidden}</button>`
}

export function summaryList(p: SummaryListOptions): Html {
  const anyActions = p.rows.some((row) => (row.actions?.items.length ?? 0) > 0)
  const rows = p.rows.map((row) => {
    const actions = row.actions?.items ?? []
    return html`<div class="${classes('govuk-summary-list__row', anyActions && actions.length === 0 && 'govuk-summary-list__row--no-actions', row.classes)}">
    <dt class="${classes('govuk-summary-list__key', row.key.classes)}">
      ${content(row.key)}
    </dt>
    <dd class="${classes('govuk-summary-list__value', row.value.classes)}">
      ${content(row.value)}
    </dd>
    ${actions.length
      ? html`<dd class="${classes('govuk-summary-list__actions', row.actions?.classes)}">
      ${actions.length === 1
        ? summaryAction(actions[0])
        : html`<ul class="govuk-summary-list__actions-list">
        ${actions.map((a) => html`<li class="govuk-summary-list__actions-list-item">${summaryAction(a)}</li>`)}
      </ul>`}
    </dd>`
      : ''}
  </div>`
  })
  return html`<dl class="${classes('govuk-summary-list', p.classes)}"${attributes(p.attributes)}>
  ${rows}
</dl>`
}

// ---------------------------------------------------------------- panels, banners and text

export interface PanelOptions extends TextOrHtml {
  titleText: string
  headingLevel?: 1 | 2 | 3 | 4 | 5 | 6
  classes?: string
  attributes?: Attributes
}

export function panel(p: PanelOptions): Html {
  const level = p.headingLevel ?? 1
  const title = html`${headingOpen(level, 'govuk-panel__title')}
    ${p.titleText}
  ${headingClose(level)}`
  const body = p.html || p.text ? html`<div class="govuk-panel__body">
    ${content(p)}
  </div>` : ''
  // The confirmation panel unless the classes ask for the interruption one.
  const variant = p.classes?.includes('govuk-panel--interruption') ? '' : 'govuk-panel--confirmation'
  return html`<div class="${classes('govuk-panel', variant, p.classes)}"${attributes(p.attributes)}>
  ${title}
  ${body}
</div>`
}

const HEADINGS = {
  open: [html`<h1`, html`<h2`, html`<h3`, html`<h4`, html`<h5`, html`<h6`],
  close: [html`</h1>`, html`</h2>`, html`</h3>`, html`</h4>`, html`</h5>`, html`</h6>`],
}

function headingOpen(level: number, className: string, attrs?: Attributes): Html {
  return html`${HEADINGS.open[level - 1]} class="${className}"${attributes(attrs)}>`
}

function headingClose(level: number): Html {
  return HEADINGS.close[level - 1]
}

export interface NotificationBannerOptions extends TextOrHtml {
  titleText: string
  titleId?: string
  titleHeadingLevel?: 1 | 2 | 3 | 4 | 5 | 6
  /** `region` by default; `alert` for the outcome of what the user just did. */
  role?: 'region' | 'alert'
  type?: 'success'
  classes?: string
  attributes?: Attributes
}

export function notificationBanner(p: NotificationBannerOptions): Html {
  const titleId = p.titleId || 'govuk-notification-banner-title'
  const role = p.role ?? (p.type === 'success' ? 'alert' : 'region')
  const level = p.titleHeadingLevel ?? 2
  const body = p.html ?? (p.text ? html`<p class="govuk-notification-banner__heading">
      ${p.text}
    </p>` : '')
  return html`<div class="${classes('govuk-notification-banner', p.type === 'success' && 'govuk-notification-banner--success', p.classes)}" role="${role}" aria-labelledby="${titleId}" data-module="govuk-notification-banner"${attributes(p.attributes)}>
  <div class="govuk-notification-banner__header">
    ${headingOpen(level, 'govuk-notification-banner__title', { id: titleId })}
      ${p.titleText}
    ${headingClose(level)}
  </div>
  <div class="govuk-notification-banner__content">
    ${body}
  </div>
</div>`
}

export interface InsetTextOptions extends TextOrHtml {
  id?: string
  classes?: string
  attributes?: Attributes
}

export function insetText(p: InsetTextOptions): Html {
  return html`<div${attributes({ id: p.id })} class="${classes('govuk-inset-text', p.classes)}"${attributes(p.attributes)}>
  ${content(p)}
</div>`
}

export interface WarningTextOptions extends TextOrHtml {
  /** Read out in place of the "!" icon: "Warning" in the page's language. */
  iconFallbackText: string
  classes?: string
  attributes?: Attributes
}

export function warningText(p: WarningTextOptions): Html {
  return html`<div class="${classes('govuk-warning-text', p.classes)}"${attributes(p.attributes)}>
  <span class="govuk-warning-text__icon" aria-hidden="true">!</span>
  <strong class="govuk-warning-text__text">
    <span class="govuk-visually-hidden">${p.iconFallbackText}</span>
    ${content(p)}
  </strong>
</div>`
}

export interface TagOptions extends TextOrHtml {
  classes?: string
  attributes?: Attributes
}

export function tag(p: TagOptions): Html {
  return html`<strong class="${classes('govuk-tag', p.classes)}"${attributes(p.attributes)}>
  ${content(p)}
</strong>`
}
