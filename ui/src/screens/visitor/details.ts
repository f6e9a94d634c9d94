// What a booking says besides the visit itself (issue 11): how it was asked for, its main
// contact and the support its visitors need, as the engine's request and as the screens show
// them. A helper answers all three; a visitor booking for themselves may give the last two.

import type { Ctx, ScreenId } from '../../app/router'
import type { Journey } from '../../app/state'
import type { BookingRequest, DetailsView, MainContactInput, SupportInput, UiError } from '../../generated/engine'
import type { Key } from '../../i18n'
import { prisonerInput, visitorInputs } from './journey'

/** How the visit was asked for, as the engine names it; null until the helper has said. */
export function requestMethod(j: Journey): string | null {
  const { who, how } = j.forWhom
  if (who === 'away') return how || null
  return who || null
}

/** The main contact's name as chosen: one of the party, or the name typed for someone else. */
export function contactName(j: Journey): string {
  const pick = j.contact.pick
  if (pick === 'other') return j.contact.name
  const m = /^visitor-(\d+)$/.exec(pick)
  const named = m ? j.visitorNames[Number(m[1])] : undefined
  return named ? `${named.first_name} ${named.last_name}` : ''
}

/** The main contact to send: none when nothing was given (the engine says when one is needed). */
export function contactInput(j: Journey): MainContactInput | null {
  const c = j.contact
  if (!c.pick && !c.name.trim() && !c.phone.trim() && !c.email.trim() && !c.language) return null
  return { name: contactName(j), phone: c.phone, email: c.email, language: c.language }
}

export function supportInput(j: Journey): SupportInput | null {
  const needs = j.support.needs
  if (needs.length === 0) return null
  return { needs: [...needs], other: needs.includes('other') ? j.support.other : '' }
}

/** The booking as the journey built it; a helper's says how it was asked for too. */
export function bookingRequest(ctx: Ctx, prison: string): BookingRequest {
  const j = ctx.journey
  const request: BookingRequest = {
    prison,
    prisoner: prisonerInput(j),
    visitors: visitorInputs(j),
    session: j.sessionId,
    main_contact: contactInput(j),
    support: supportInput(j),
  }
  if (ctx.mode === 'helper') request.request_method = requestMethod(j)
  return request
}

/** The screen that asks for a field of these details, or null for the visit's own fields. */
export function detailsScreen(field: string): ScreenId | null {
  if (field === 'request_method') return 'helper-who'
  if (field.startsWith('main_contact')) return 'contact'
  if (field.startsWith('support')) return 'support'
  return null
}

/**
 * Where a booking's errors go: errors about the details are shown on the screen that asks for
 * them, next to their field, and Continue there comes back to check answers.
 */
export function errorsOnDetails(ctx: Ctx): (errors: readonly UiError[]) => ScreenId | undefined {
  return (errors) => {
    const screen = errors.map((e) => (e.field ? detailsScreen(e.field) : null)).find(Boolean)
    if (!screen) return undefined
    ctx.journey.changing = true
    return screen
  }
}

export const SUPPORT_NEEDS = ['wheelchair', 'hearing_loop', 'someone_to_help', 'other'] as const

/** The support as words: each need, and what "other" is. */
export function supportWords(ctx: Ctx, needs: readonly string[], other: string | undefined): string[] {
  return needs.map((n) => (n === 'other' && other ? `${ctx.t('support.other')}: ${other}` : ctx.t(`support.${n}` as Key)))
}

/** The main contact as lines: name, phone, email, language. */
export function contactLines(ctx: Ctx, c: { name: string; phone: string; email?: string | null; language: string }): string[] {
  const language = c.language === 'cy' || c.language === 'en' ? ctx.t(`contact.language.${c.language}`) : ''
  return [c.name, c.phone, c.email ?? '', language].filter(Boolean)
}

/** What the engine recorded, as summary rows: how it was asked for, the contact, the support. */
export function detailsRows(ctx: Ctx, d: DetailsView): { key: string; lines: string[] }[] {
  const rows: { key: string; lines: string[] }[] = []
  if (d.request_method) rows.push({ key: ctx.t('check.for'), lines: [ctx.t(`method.${d.request_method}` as Key)] })
  if (d.main_contact) rows.push({ key: ctx.t('check.contact'), lines: contactLines(ctx, d.main_contact) })
  if (d.support.length) rows.push({ key: ctx.t('check.support'), lines: supportWords(ctx, d.support, d.support_other) })
  return rows
}
