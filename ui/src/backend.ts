// The one way the UI reaches the kiosk engine. Inside the Tauri app it invokes the app's
// commands; in a plain browser (tests, development) it POSTs the same JSON to kiosk-web's
// /api/<command>. Both answer with the same value, or with { errors: [...] } on failure.
//
// The commands and their types are not written here: they come from the engine's Rust types,
// generated into generated/engine.ts, so a command the engine does not have cannot be called.

import type { Command, Commands, UiError } from './generated/engine'

export type { Command, Commands, UiError }

/** A command refused: the codes go to the translation tables, never to the screen as they are. */
export class BackendError extends Error {
  readonly errors: UiError[]
  constructor(errors: UiError[]) {
    super(errors.map((e) => e.code).join(', '))
    this.errors = errors
  }
}

/** The page's own error for anything that is the kiosk's fault, not the visitor's. */
export const KIOSK_UNAVAILABLE: UiError = { code: 'kiosk_unavailable', params: {} }

/** The errors a failed call carries, whatever failed. */
export function errorsOf(e: unknown): UiError[] {
  return e instanceof BackendError ? e.errors : [KIOSK_UNAVAILABLE]
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
    const errors = (value as { errors: unknown[] }).errors
      .filter((e): e is UiError => !!e && typeof e === 'object' && typeof (e as UiError).code === 'string')
      .map((e) => ({ ...e, params: e.params ?? {} }))
    if (errors.length > 0) return errors
  }
  // Anything else (a crashed command, no network) is the kiosk's fault, not the visitor's.
  return [KIOSK_UNAVAILABLE]
}

export function isTauri(): boolean {
  return tauriInvoke() !== undefined
}

/**
 * Runs a command. Tauri: `invoke(command, { request })` (no arguments where the request is
 * null). Browser: `POST /api/<command>` with the request as the JSON body.
 */
export async function call<C extends Command>(command: C, request: Commands[C]['request']): Promise<Commands[C]['answer']> {
  const invoke = tauriInvoke()
  if (invoke) {
    try {
      const answer = request === null ? await invoke(command) : await invoke(command, { request })
      return answer as Commands[C]['answer']
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
    throw new BackendError([KIOSK_UNAVAILABLE])
  }
  const body: unknown = await response.json().catch(() => null)
  if (!response.ok) throw new BackendError(asErrors(body))
  return body as Commands[C]['answer']
}
