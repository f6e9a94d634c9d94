// Modes and screens. The kiosk serves three kinds of user, each in a mode of its own:
// - visitor: a member of the public booking for themselves (nobody signed in);
// - staff: reception staff and supervisors, signed in (issue 10);
// - helper: an assisted-digital helper booking for someone else, signed in (issue 11).
// A screen says which modes it belongs to; the router never draws a screen outside the mode of
// whoever is signed in, and a mode with no screens cannot be entered. The engine checks roles
// on every command as well: the page is never the only guard.

import type { Html } from '../components/html'
import type { Command, Commands, KioskInfo, StaffSignedIn, UiError } from '../generated/engine'
import type { Key, Lang } from '../i18n'
import type { Desk, Journey, SignedIn, View } from './state'

export type Mode = 'visitor' | 'staff' | 'helper'

/** The mode a session puts the kiosk in. */
export function modeOf(session: SignedIn | null): Mode {
  if (!session) return 'visitor'
  return session.role === 'helper' ? 'helper' : 'staff'
}

/** Every screen, by the name `main[data-screen]` carries (the tests find screens by it). */
export type ScreenId =
  | 'start' | 'prisoner' | 'visitors' | 'time' | 'check' | 'done'
  | 'manage-find' | 'manage-visit' | 'manage-cancel' | 'manage-cancelled'
  | 'staff-sign-in' | 'staff-pin' | 'staff-home' | 'staff-today' | 'staff-find' | 'staff-booking' | 'staff-cancel' | 'staff-move'
  | 'staff-review' | 'staff-health' | 'staff-accounts' | 'staff-account-add'
  | 'staff-sessions' | 'staff-session-close' | 'staff-session-tables'
  | 'staff-settings'
  | 'helper-home' | 'helper-who' | 'contact' | 'support'

/** The commands that act for a signed-in person: their request carries the session's token. */
export type TokenCommand = { [C in Command]: Commands[C]['request'] extends { token: string } ? C : never }[Command]

/** A token command's request as a screen writes it: the app adds the token. */
export type WithoutToken<C extends TokenCommand> = Omit<Commands[C]['request'], 'token'>

/** Where the focus goes once a screen is drawn. */
export type Focus = 'heading' | 'errors' | 'notice' | 'keep' | { id: string }

/** The app as a screen sees it: the state to read and change, and what it can ask of the app. */
export interface Ctx {
  readonly journey: Journey
  readonly session: SignedIn | null
  readonly desk: Desk
  readonly view: View
  readonly info: KioskInfo | null
  readonly lang: Lang
  /** Who is using the kiosk: a visitor, staff, or a helper booking for someone else. */
  readonly mode: Mode
  readonly screen: ScreenId
  t(key: Key, params?: Record<string, string | number>): string
  /** Draws another screen of the current mode, clearing the errors of this one. */
  go(screen: ScreenId, focus?: Focus): void
  /** Draws the current screen again from the state. */
  render(focus?: Focus): void
  /**
   * Runs a command with Continue disabled. On failure the errors are shown (on `errorsOn`, or
   * the screen on show) and the answer is undefined; an answer that arrives after a reset is
   * dropped (undefined too).
   */
  call<C extends Command>(command: C, request: Commands[C]['request'], errorsOn?: ErrorsOn): Promise<Commands[C]['answer'] | undefined>
  /** Shows errors from the engine (or the page's own) on a screen: the one on show by default. */
  showErrors(errors: UiError[], on?: ScreenId): void
  /** A check that stays true until the next reset: for work that outlives a screen. */
  stillCurrent(): () => boolean
  /** Clears everything (journey, session, view) back to the start. */
  reset(): void
  /** The staff tasks the signed-in role may do, in order (none for a visitor). */
  tasks(): readonly Screen[]
  /** Someone signed in: keeps the token out of the state, and opens their first screen. */
  signIn(answer: StaffSignedIn): void
  /** Ends the staff session (engine and page) and goes back to the start, in this language. */
  signOut(): Promise<void>
  /**
   * A staff command with the session's token added. Like `call`; besides, an answer saying the
   * session has ended (not_signed_in, session_expired) ends the staff mode at once.
   */
  staffCall<C extends TokenCommand>(command: C, request: WithoutToken<C>, errorsOn?: ErrorsOn): Promise<Commands[C]['answer'] | undefined>
  /**
   * A helper's "Book another visit": a new journey, nothing of the last visitor left in the
   * page (answers, fields, errors, answers still on their way), the helper still signed in.
   */
  bookAnother(): void
}

/** Where a command's errors are shown: a screen, or the screen that owns the fields they are about. */
export type ErrorsOn = ScreenId | ((errors: readonly UiError[]) => ScreenId | undefined)

export type Action = (ctx: Ctx, control: HTMLElement, event: Event) => void | Promise<void>

export interface Screen {
  id: ScreenId
  /** The modes this screen is drawn in. */
  modes: readonly Mode[]
  /** Where a mode starts: its first screen, and where the idle timer stops counting. */
  home?: boolean
  /** The page title: the screen's heading in the visitor's language. */
  title(ctx: Ctx): string
  render(ctx: Ctx): Html
  /** Where Back goes (in some screens, it depends on the mode). */
  back?: ScreenId | ((ctx: Ctx) => ScreenId)
  /** Fetches what the screen shows, each time it is opened (it is drawn first, then again). */
  load?(ctx: Ctx): Promise<void>
  /** What a tap on a control with `data-action="<name>"` does on this screen. */
  actions?: Readonly<Record<string, Action>>
  /** The screen's form was sent (its main button). */
  submit?(ctx: Ctx): void | Promise<void>
  /** A field of the screen changed: the screen keeps the value in the state. */
  input?(ctx: Ctx, field: HTMLInputElement | HTMLTextAreaElement): void
  /** The element an error's field points at, for the error summary's links. */
  errorTarget?(ctx: Ctx, field: string): string | null
  /** A staff task: offered on the staff home to a role the engine gives `permission`. */
  task?: { permission: string; label: Key; order: number; open?(ctx: Ctx): Promise<void> }
}

/** The screens, by id, as registered at start-up. */
export class Registry {
  readonly #screens = new Map<ScreenId, Screen>()

  constructor(screens: readonly Screen[]) {
    for (const screen of screens) {
      if (this.#screens.has(screen.id)) throw new Error(`screen ${screen.id} registered twice`)
      this.#screens.set(screen.id, screen)
    }
  }

  /** The screen if it belongs to the mode, else undefined: a visitor never reaches a staff screen. */
  get(id: string, mode: Mode): Screen | undefined {
    const screen = this.#screens.get(id as ScreenId)
    return screen && screen.modes.includes(mode) ? screen : undefined
  }

  /** The staff tasks the permissions allow, in their order on the staff home. */
  tasks(may: readonly string[]): Screen[] {
    return [...this.#screens.values()]
      .filter((s) => s.task && may.includes(s.task.permission))
      .sort((a, b) => (a.task?.order ?? 0) - (b.task?.order ?? 0))
  }

  /** Where a mode starts; undefined for a mode with no screens yet. */
  home(mode: Mode): Screen | undefined {
    return [...this.#screens.values()].find((s) => s.home && s.modes.includes(mode))
  }
}
