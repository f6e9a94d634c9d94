// The one way the UI reaches the kiosk engine. Inside the Tauri app it invokes the app's
// commands; in a plain browser (tests, development) it POSTs the same JSON to kiosk-web's
// /api/<command>. Both answer with the same value, or with { errors: [...] } on failure.

export interface UiError {
  code: string
  field?: string | null
  params?: Record<string, string>
}

export interface Bilingual<T> {
  en: T
  cy: T
}

export interface PrisonInfo {
  code: string
  name: Bilingual<string>
  address: Bilingual<string[]>
}

export interface KioskInfo {
  prison: PrisonInfo
  party: {
    max_visitors: number
    max_adults: number
    max_children: number
    adult_age: number
    lead_visitor_age: number
  }
  has_contact_list: boolean
  idle_timeout_seconds: number
  arrive_minutes_before: number
  today: string
  first_bookable_date: string
  last_bookable_date: string
}

export interface PrisonerInput {
  number: string
  date_of_birth: string
  surname: string
}

export interface VisitorInput {
  contact_id?: string
  first_name: string
  last_name: string
  date_of_birth: string
}

export interface ContactChoice {
  id: string
  first_name: string
  last_name: string
}

export interface PrisonerChecked {
  prisoner_number: string
  contacts?: ContactChoice[] | null
}

export interface VisitorName {
  first_name: string
  last_name: string
}

export interface PartyChecked {
  visitors: VisitorName[]
}

export type VisitKind = 'open' | 'closed'

export interface SessionOption {
  id: string
  start: string
  end: string
  arrive_by: string
  room: string
  kind: VisitKind
  tables_left: number
}

export interface SessionChoice {
  days: { date: string; sessions: SessionOption[] }[]
  first_date: string
  last_date: string
}

export interface BookingConfirmation {
  reference: string
  status: string
  prisoner_number: string
  date: string
  start: string
  end: string
  arrive_by: string
  room: string
  kind: VisitKind
  visitors: VisitorName[]
  prison: PrisonInfo
}

export interface PartyRequest {
  prisoner: PrisonerInput
  visitors: VisitorInput[]
}

export interface BookingRequest extends PartyRequest {
  prison: string
  session: string
}

/// Every command, its argument and its answer.
interface Commands {
  kiosk_info: [null, KioskInfo]
  check_prisoner: [PrisonerInput, PrisonerChecked]
  check_visitors: [PartyRequest, PartyChecked]
  available_sessions: [PartyRequest, SessionChoice]
  book: [BookingRequest, BookingConfirmation]
  print_slip: [{ reference: string; lang: 'en' | 'cy' }, { reference: string; lang: 'en' | 'cy' }]
}

export type Command = keyof Commands

/** A command refused: the codes go to the translation tables, never to the screen as they are. */
export class BackendError extends Error {
  readonly errors: UiError[]
  constructor(errors: UiError[]) {
    super(errors.map((e) => e.code).join(', '))
    this.errors = errors
  }
}

type Invoke = (command: string, args?: Record<string, unknown>) => Promise<unknown>

interface TauriWindow {
  __TAURI__?: { core?: { invoke?: Invoke } }
  __TAURI_INTERNALS__?: { invoke?: Invoke }
}

function tauriInvoke(): Invoke | undefined {
  const w = window as unknown as TauriWindow
  return w.__TAURI__?.core?.invoke ?? w.__TAURI_INTERNALS__?.invoke
}

function asErrors(value: unknown): UiError[] {
  if (value && typeof value === 'object' && Array.isArray((value as { errors?: unknown }).errors)) {
    const errors = (value as { errors: unknown[] }).errors.filter(
      (e): e is UiError => !!e && typeof e === 'object' && typeof (e as UiError).code === 'string',
    )
    if (errors.length > 0) return errors
  }
  // Anything else (a crashed command, no network) is the kiosk's fault, not the visitor's.
  return [{ code: 'kiosk_unavailable' }]
}

export function isTauri(): boolean {
  return tauriInvoke() !== undefined
}

/**
 * Runs a command. Tauri: `invoke(command, { request })` (no arguments for kiosk_info).
 * Browser: `POST /api/<command>` with the request as the JSON body.
 */
export async function call<C extends Command>(command: C, request: Commands[C][0]): Promise<Commands[C][1]> {
  const invoke = tauriInvoke()
  if (invoke) {
    try {
      const answer = request === null ? await invoke(command) : await invoke(command, { request })
      return answer as Commands[C][1]
    } catch (e) {
      throw new BackendError(asErrors(e))
    }
  }
  let response: Response
  try {
    response = await fetch('/api/' + command, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request ?? {}),
    })
  } catch {
    throw new BackendError([{ code: 'kiosk_unavailable' }])
  }
  const body: unknown = await response.json().catch(() => null)
  if (!response.ok) throw new BackendError(asErrors(body))
  return body as Commands[C][1]
}
