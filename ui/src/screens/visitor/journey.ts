// What the visitor's screens share: the journey's answers as the engine's requests, the names
// shown for visitors, and where an error about a field points on each question screen.

import type { Ctx } from '../../app/router'
import { isoDate, type DateParts, type Journey } from '../../app/state'
import type { PrisonerInput, SessionOption, VisitorInput } from '../../generated/engine'
import { formatDate } from '../../i18n'

export function prisonerInput(j: Journey): PrisonerInput {
  return { number: j.prisoner.number, date_of_birth: isoDate(j.prisoner.dob), surname: j.prisoner.surname }
}

export function visitorInputs(j: Journey): VisitorInput[] {
  return j.visitors.map((v) =>
    v.contactId
      ? { contact_id: v.contactId, first_name: '', last_name: '', date_of_birth: '' }
      : { first_name: v.firstName, last_name: v.lastName, date_of_birth: isoDate(v.dob) },
  )
}

export function party(j: Journey): { prisoner: PrisonerInput; visitors: VisitorInput[] } {
  return { prisoner: prisonerInput(j), visitors: visitorInputs(j) }
}

export function contactName(j: Journey, id: string): string {
  const c = j.contacts?.find((c) => c.id === id)
  return c ? c.name : ''
}

export function visitorLabel(ctx: Ctx, i: number): string {
  return i === 0 ? ctx.t('visitors.lead') : ctx.t('visitors.n', { n: i + 1 })
}

/** The visitor's name as far as the page knows it, else "Visitor 2". */
export function visitorName(ctx: Ctx, i: number): string {
  const v = ctx.journey.visitors[i]
  if (v.contactId) return contactName(ctx.journey, v.contactId)
  const typed = `${v.firstName} ${v.lastName}`.trim()
  return typed || visitorLabel(ctx, i)
}

export function displayDate(ctx: Ctx, d: DateParts): string {
  const iso = isoDate(d)
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? formatDate(ctx.lang, iso) : `${d.day} ${d.month} ${d.year}`
}

export function chosenSession(j: Journey): { date: string; session: SessionOption } | null {
  for (const day of j.sessions?.days ?? []) {
    const s = day.sessions.find((s) => s.id === j.sessionId)
    if (s) return { date: day.date, session: s }
  }
  return null
}

/** The element an error about `field` points at on the question screens. */
export function questionTarget(field: string): string | null {
  const fixed: Record<string, string> = {
    'prisoner.number': 'prisoner-number',
    'prisoner.date_of_birth': 'prisoner-dob-day',
    'prisoner.surname': 'prisoner-surname',
    visitors: 'visitors-heading',
    session: 'session-group',
  }
  if (fixed[field]) return fixed[field]
  const m = /^visitors\[(\d+)\](?:\.(first_name|last_name|date_of_birth))?$/.exec(field)
  if (!m) return null
  const part = m[2] === 'first_name' ? 'first-name' : m[2] === 'last_name' ? 'last-name' : m[2] === 'date_of_birth' ? 'dob-day' : 'heading'
  return `visitor-${m[1]}-${part}`
}

/** The three boxes of a date, as the date input's items, typed with the number keypad. */
export function dateItems(ctx: Ctx, value: DateParts) {
  const item = (name: 'day' | 'month' | 'year', label: 'dob.day' | 'dob.month' | 'dob.year', max: number) => ({
    name,
    label: ctx.t(label),
    value: value[name],
    inputmode: 'none',
    autocomplete: 'off',
    attributes: { 'data-keyboard': 'numeric', maxlength: max },
  })
  return [item('day', 'dob.day', 2), item('month', 'dob.month', 2), item('year', 'dob.year', 4)]
}
