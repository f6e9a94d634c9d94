// What the page holds, in parts that live and die differently:
// - the visitor's journey: everything typed, picked or answered on the way to a booking;
// - the signed-in session: who is using the kiosk when it is not a member of the public
//   (reception staff, an assisted-digital helper); its token is not here but in app/token.ts;
// - the desk: what the staff screens typed and were answered (the staff number being typed,
//   a day's visits, a booking found);
// - the view: language, display switches, the errors on screen, whether a call is running.
// A reset (Finish, Start again, the idle timeout, Sign out) replaces them all whole.

import type { AccountChangedAnswer, AccountRow, BookingConfirmation, BookingPage, ContactChoice, DayVisits, FoundVisits, KioskHealth, KioskSettings, ManagedBooking, SessionChoice, SessionsClosed, SessionsOverview, TablesSet, UiError, VisitRow, VisitorCancelled, VisitorName } from '../generated/engine'
import type { Lang } from '../i18n'

export interface DateParts {
  day: string
  month: string
  year: string
}

export interface VisitorDraft {
  /** Set when the visitor was picked from the prisoner's list: the engine fills in the rest. */
  contactId?: string
  firstName: string
  lastName: string
  dob: DateParts
}

/** The visitor's booking, as far as it has got. */
export interface Journey {
  prisoner: { number: string; dob: DateParts; surname: string }
  /** The prisoner's approved visitors, where the prison keeps a list. */
  contacts: ContactChoice[] | null
  visitors: VisitorDraft[]
  /** The party's names as the engine resolved them (picked contacts filled in). */
  visitorNames: VisitorName[]
  sessions: SessionChoice | null
  sessionId: string
  confirmation: BookingConfirmation | null
  /** Set by a "Change" link: Continue then goes straight back to the check answers screen. */
  changing: boolean
  /** The time the visitor had chosen, when a change of visitors means it cannot be booked now. */
  droppedSession: { date: string; start: string; end: string } | null
  printed: 'none' | 'ok' | 'error'
  /** "Already booked?": a visitor checking, reprinting or cancelling a booking they made. */
  manage: ManageDraft
  /** A helper's booking: who the visit is for and how they asked (issue 11). */
  forWhom: ForWhom
  /** Who the prison tells if the visit changes: required when the visitor is not there. */
  contact: ContactDraft
  /** Additional support the visitors need. */
  support: SupportDraft
}

/** How the visitor asked a helper to book: there with them, on the phone, or not there (and how). */
export interface ForWhom {
  who: '' | 'in_person' | 'phone' | 'away'
  how: '' | 'by_prisoner' | 'email' | 'letter' | 'website'
}

/**
 * The main contact as chosen: one of the party (`visitor-<i>`, by position in the engine's
 * resolved names) or someone else (`other`, with a typed name).
 */
export interface ContactDraft {
  pick: string
  name: string
  phone: string
  email: string
  language: '' | 'en' | 'cy'
}

export interface SupportDraft {
  needs: string[]
  other: string
}

export const freshContact = (): ContactDraft => ({ pick: '', name: '', phone: '', email: '', language: '' })

/**
 * A booking being managed: the reference and lead visitor's date of birth as typed (sent again
 * with every command: the engine checks the pair each time), what the engine found, and what
 * was done to it.
 */
export interface ManageDraft {
  reference: string
  dob: DateParts
  found: ManagedBooking | null
  /** The last reprint: printing, or why not (a code). */
  printed: { ok: true } | { ok: false; code: string } | null
  cancelled: VisitorCancelled | null
}

export const freshManage = (): ManageDraft => ({ reference: '', dob: emptyDate(), found: null, printed: null, cancelled: null })

/** What a signed-in person may do; the engine checks it on every command, the page only follows. */
export type Role = 'reception' | 'supervisor' | 'helper'

/** Someone signed in on the kiosk. Never in storage: only in this page's memory until a reset. */
export interface SignedIn {
  role: Role
  staffNumber: string
  name: string
  /** A helper's organisation, for "Booked for you by ...". */
  organisation?: string
  /** The permissions the engine listed at sign-in: the page offers only these screens. */
  may: readonly string[]
  /** A first sign-in or one after a reset: a new PIN before anything else. */
  mustChangePin: boolean
  /** Signed out after this long without a touch. */
  idleSeconds: number
}

/** The staff screens' state: nothing of it survives a sign-out. */
export interface Desk {
  /** The staff number as typed on the sign-in screen (PINs are never kept: see signIn.ts). */
  staffNumber: string
  /** The PIN was just changed: the staff home says so once. */
  pinChanged: boolean
  /** A helper's home: the visits they booked on this kiosk today (null until the engine answers). */
  helperVisits: VisitRow[] | null
  /** Today (or another day): the sessions and their visits, and the date typed to go to. */
  day: DayVisits | null
  dayInput: DateParts
  /** The day's list or its visit passes just went to the printer. */
  dayPrinted: { what: 'list' | 'passes'; visits: number } | null
  /** Find a booking: what was typed, what was found. */
  query: string
  found: FoundVisits | null
  /** One booking's page, where it was opened from, and what was just done to it. */
  booking: BookingPage | null
  bookingFrom: 'staff-find' | 'staff-today' | 'staff-review'
  bookingNote: 'cancelled' | 'printed' | 'moved' | null
  /** The visit just moved from (the page on show is the new visit's), and whether central had refused it. */
  movedFrom: { reference: string; refused: boolean } | null
  /** After a cancellation with a slip asked for: whether it printed, or why not (a code). */
  slipResult: { printed: boolean; error?: string } | null
  /** The cancel form. */
  cancel: { reason: string; how: string; note: string; slip: string }
  review: VisitRow[] | null
  /** Moving a visit: the visit, where Back goes, the sessions its party can have, the one chosen. */
  move: { visit: VisitRow; from: 'staff-booking' | 'staff-review'; choice: SessionChoice; session: string } | null
  health: KioskHealth | null
  healthNote: 'synced' | 'printed' | null
  accounts: AccountRow[] | null
  /** An account just changed; a one-time PIN is shown once, here. */
  accountChanged: AccountChangedAnswer | null
  /** The add-an-account form, as typed (the one-time PIN comes back in `accountChanged`). */
  newAccount: NewAccountDraft
  /** A supervisor's Sessions screen: the coming four weeks, and what was just done to them. */
  sessions: SessionsOverview | null
  sessionsNote: { closed: SessionsClosed } | { tables: TablesSet } | null
  /** The closure form: one session (its id) or a whole day, why, and a note. */
  closing: { session?: string; date: string; reason: string; note: string }
  /** The tables form: a session date, which kind of table, how many (as typed), and a note. */
  tablesEdit: { session: string; kind: 'open' | 'closed'; tables: string; note: string }
  /** A supervisor's kiosk settings (settings.ts): the engine's answer and the forms as chosen. */
  settings: SettingsDraft | null
}

/**
 * The settings screen: the printer as chosen, central's address as typed, and what was just
 * done. The enrolment code is not here: like a PIN it is read from its field when sent.
 */
export interface SettingsDraft {
  answer: KioskSettings
  queue: string
  paper: string
  centralUrl: string
  note: 'printer' | 'enrolled' | null
}

export interface NewAccountDraft {
  number: string
  name: string
  role: string
  organisation: string
  expires: DateParts
}

/** What the start screen says after a staff session ended. */
export type StartNotice = 'signed_out' | 'expired'

export interface Display {
  largeText: boolean
  highContrast: boolean
}

export interface View {
  lang: Lang
  display: Display
  /** The engine's (or the page's own) errors about what is on screen now. */
  errors: UiError[]
  /** A command is running: Continue is disabled until it answers. */
  busy: boolean
  helpShown: boolean
  /** Why a staff session just ended, said once on the start screen. */
  notice: StartNotice | null
}

export const emptyDate = (): DateParts => ({ day: '', month: '', year: '' })
export const emptyVisitor = (): VisitorDraft => ({ firstName: '', lastName: '', dob: emptyDate() })

export function freshJourney(): Journey {
  return {
    prisoner: { number: '', dob: emptyDate(), surname: '' },
    contacts: null,
    visitors: [emptyVisitor()],
    visitorNames: [],
    sessions: null,
    sessionId: '',
    confirmation: null,
    changing: false,
    droppedSession: null,
    printed: 'none',
    manage: freshManage(),
    forWhom: { who: '', how: '' },
    contact: freshContact(),
    support: { needs: [], other: '' },
  }
}

export function freshView(): View {
  return { lang: 'en', display: { largeText: false, highContrast: false }, errors: [], busy: false, helpShown: false, notice: null }
}

export function freshDesk(): Desk {
  return {
    staffNumber: '',
    pinChanged: false,
    helperVisits: null,
    day: null,
    dayInput: emptyDate(),
    dayPrinted: null,
    query: '',
    found: null,
    booking: null,
    bookingFrom: 'staff-find',
    bookingNote: null,
    movedFrom: null,
    slipResult: null,
    cancel: { reason: '', how: '', note: '', slip: 'no' },
    review: null,
    move: null,
    health: null,
    healthNote: null,
    accounts: null,
    accountChanged: null,
    newAccount: freshNewAccount(),
    sessions: null,
    sessionsNote: null,
    closing: { date: '', reason: '', note: '' },
    tablesEdit: { session: '', kind: 'open', tables: '', note: '' },
    settings: null,
  }
}

export function freshNewAccount(): NewAccountDraft {
  return { number: '', name: '', role: '', organisation: '', expires: emptyDate() }
}

/** "YYYY-MM-DD" from the three boxes, as typed (the engine says what is wrong with it). */
export function isoDate(d: DateParts): string {
  const day = d.day.trim()
  const month = d.month.trim()
  const year = d.year.trim()
  if (!day && !month && !year) return ''
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
}
