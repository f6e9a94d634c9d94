// What reception's screens share: a visit's status as a tag, the table of visits, opening a
// booking's page, and the printer's state in words.

import type { Ctx } from '../../app/router'
import { errorMessages, tag } from '../../components/govuk'
import { classes, html, join, type Content, type Html } from '../../components/html'
import { actionButton, errorOptions, errorsAt } from '../../components/kiosk'
import type { DetailsView, VisitRow } from '../../generated/engine'
import { formatDate, formatTime, tables, type Key } from '../../i18n'
import { detailsRows, supportWords } from '../visitor/details'

const STATUS_TAGS: Record<string, string> = {
  requested: 'govuk-tag--yellow',
  booked: 'govuk-tag--green',
  rejected: 'govuk-tag--red',
  cancelled: 'govuk-tag--grey',
  withdrawn: 'govuk-tag--grey',
}

export function statusTag(ctx: Ctx, status: string): Html {
  const key = `staff.status.${status}` as Key
  return tag({ text: ctx.t(key), classes: `${STATUS_TAGS[status] ?? 'govuk-tag--grey'} kiosk-tag` })
}

export function prisonerText(ctx: Ctx, v: VisitRow): string {
  return `${v.prisoner_name ?? ctx.t('staff.prisoner_left')} (${v.prisoner_number})`
}

/** "1 adult, 2 children" / "2 oedolyn, dim plant". */
export function partyText(ctx: Ctx, v: VisitRow): string {
  return ctx.t('staff.party', { adults: ctx.t('staff.adults', { n: v.adults }), children: ctx.t('staff.children', { n: v.children }) })
}

/** The printer's state, or a printing failure, in words. */
export function printerWords(ctx: Ctx, code: string): string {
  const key = `staff.printer.${code}`
  return key in tables.en ? ctx.t(key as Key) : ctx.t('staff.printer.print_failed')
}

/** GOV.UK's table: a caption, a head row and body rows of cells (markup already made). */
export function table(caption: Content, head: readonly string[], rows: readonly Content[][], classes = ''): Html {
  return html`<table class="govuk-table ${classes}">
    ${caption ? html`<caption class="govuk-table__caption govuk-table__caption--m">${caption}</caption>` : ''}
    <thead class="govuk-table__head"><tr class="govuk-table__row">${head.map((h) => html`<th scope="col" class="govuk-table__header">${h}</th>`)}</tr></thead>
    <tbody class="govuk-table__body">${rows.map(
      (cells) => html`<tr class="govuk-table__row">${cells.map((c, i) => (i === 0 ? html`<th scope="row" class="govuk-table__header">${c}</th>` : html`<td class="govuk-table__cell">${c}</td>`))}</tr>`,
    )}</tbody>
  </table>`
}

/** A list of visits found or waiting: each with its date and a button to its page. */
export function visitList(ctx: Ctx, visits: readonly VisitRow[], extra?: (v: VisitRow) => Content): Html {
  return table(
    '',
    [ctx.t('staff.col.reference'), ctx.t('staff.col.when'), ctx.t('staff.col.lead'), ctx.t('staff.col.prisoner'), ctx.t('staff.col.status'), ctx.t('staff.col.actions')],
    visits.map((v) => [
      v.reference,
      `${formatDate(ctx.lang, v.date)}${v.start ? ', ' + formatTime(ctx.lang, v.start) : ''}`,
      v.lead_visitor,
      prisonerText(ctx, v),
      statusTag(ctx, v.status),
      html`<div class="kiosk-row-actions">${actionButton(ctx.t('staff.view'), 'view', {
        classes: 'govuk-button--secondary',
        data: { reference: v.reference },
        label: ctx.t('staff.view.label', { reference: v.reference }),
      })}${extra ? extra(v) : ''}</div>`,
    ]),
    'kiosk-visits',
  )
}

/** Opens a booking's page from `from` (where its Back goes). */
export async function openBooking(ctx: Ctx, reference: string, from: 'staff-find' | 'staff-today' | 'staff-review'): Promise<void> {
  const page = await ctx.staffCall('staff_booking', { reference })
  if (!page) return
  ctx.desk.booking = page
  ctx.desk.bookingFrom = from
  ctx.desk.bookingNote = null
  ctx.go('staff-booking')
}

const PRINT_CODES = ['printer_not_configured', 'invalid_printer_queue', 'printer_missing', 'printer_disabled', 'printer_offline', 'out_of_paper', 'print_failed']

/**
 * A printing failure on a staff screen: the visitor's messages ("your booking is saved, ask a
 * member of staff") would speak to the wrong person, so staff read what is wrong with the printer.
 */
export function staffPrintErrors(ctx: Ctx): void {
  const errors = ctx.view.errors
  if (!errors.some((e) => PRINT_CODES.includes(e.code))) return
  ctx.showErrors(errors.map((e) => (PRINT_CODES.includes(e.code) ? { code: 'staff_print_failed', params: { reason: printerWords(ctx, e.code) } } : e)))
}

/** How long a staff note may be: the engine's StaffNote. */
const NOTE_MAX = 512

function noteCountWords(ctx: Ctx, note: string): { words: string; over: boolean } {
  const left = NOTE_MAX - [...note].length
  return left >= 0 ? { words: ctx.t('staff.cancel.note.count', { n: left }), over: false } : { words: ctx.t('staff.cancel.note.over', { n: -left }), over: true }
}

/**
 * An optional note of up to 512 characters, with GOV.UK's character count (kept up to date by
 * `showNoteCount` as it is typed) and its errors from the engine (field "note").
 */
export function noteField(ctx: Ctx, id: string, value: string): Html {
  const count = noteCountWords(ctx, value)
  const errors = errorsAt(ctx, 'note')
  const shown = errorMessages(id, errorOptions(ctx, errors))
  return html`<div class="${classes('govuk-form-group', 'govuk-character-count', errors.length > 0 && 'govuk-form-group--error')}" data-module="govuk-character-count" data-maxlength="${NOTE_MAX}">
    <label class="govuk-label govuk-label--m" for="${id}">${ctx.t('staff.cancel.note')}</label>
    <div class="govuk-hint" id="${id}-hint">${ctx.t('staff.cancel.note.hint')}</div>
    ${shown}
    <textarea class="${classes('govuk-textarea', 'govuk-js-character-count', (errors.length > 0 || count.over) && 'govuk-textarea--error')}" id="${id}" name="${id}" rows="4" inputmode="none" autocomplete="off" spellcheck="false" data-keyboard="letters" aria-describedby="${id}-info ${id}-hint${errors.length ? ` ${id}-error` : ''}">${value}</textarea>
    <div id="${id}-info" class="${classes('govuk-hint', 'govuk-character-count__message', count.over && 'govuk-error-message')}" aria-live="polite">${count.words}</div>
  </div>`
}

/** The character count under a note, as typed (the field itself is not drawn again). */
export function showNoteCount(ctx: Ctx, id: string, value: string): void {
  const info = document.getElementById(`${id}-info`)
  if (!info) return
  const count = noteCountWords(ctx, value)
  info.textContent = count.words
  info.classList.toggle('govuk-error-message', count.over)
}

/** The support a visit's visitors need, in words: "Wheelchair access; Something else: a seat by the door". */
export function supportText(ctx: Ctx, d: DetailsView): string {
  return supportWords(ctx, d.support, d.support_other).join('; ')
}

/** A booking page's rows for who booked it, then how it was asked for, its contact and support. */
export function detailRows(ctx: Ctx, d: DetailsView) {
  return [
    ...(d.booked_by ? [{ key: { text: ctx.t('staff.booking.booked_by') }, value: { text: ctx.t('staff.booking.booked_by.value', { name: d.booked_by.name, organisation: d.booked_by.organisation }) } }] : []),
    ...detailsRows(ctx, d).map((r) => ({ key: { text: r.key }, value: { html: join(r.lines, html`<br>`) } })),
  ]
}
