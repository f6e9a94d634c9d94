// Night blanking: in the hours kiosk.toml's [screen] sets, the start screen left alone goes
// black. The engine decides whether it is night (kiosk_info's screen_dark, from its own clock in
// the prison's time); the page only asks again while nobody uses it. A touch wakes the screen
// for the usual idle timeout, and that first touch does nothing else.

export interface NightOptions {
  /** The idle timeout in seconds: how long a touch keeps the screen lit. */
  idleSeconds(): number
  /** Whether someone is using the kiosk (a journey, a staff session): never dark then. */
  inUse(): boolean
  /** Asks the engine whether it is night now. */
  ask(): Promise<boolean>
}

/** The black cover over the page, and when to show it. */
export class NightScreen {
  private last = Date.now()
  private night = false
  private interval: number | undefined

  constructor(private readonly cover: HTMLElement, private readonly options: NightOptions) {
    for (const type of ['pointerdown', 'keydown', 'touchstart', 'wheel'] as const) {
      document.addEventListener(
        type,
        (e) => {
          this.last = Date.now()
          if (!this.cover.hidden) {
            // Waking is all the first touch does: it must not press what is under the cover.
            this.cover.hidden = true
            e.preventDefault()
            e.stopPropagation()
          }
        },
        { capture: true, passive: false },
      )
    }
  }

  /** The engine's latest answer; starts asking again every so often. */
  update(night: boolean): void {
    this.night = night
    this.apply()
    if (this.interval === undefined) {
      const every = Math.min(15, Math.max(2, this.options.idleSeconds())) * 1000
      this.interval = window.setInterval(() => void this.check(), every)
    }
  }

  private async check(): Promise<void> {
    if (this.options.inUse()) return
    try {
      this.night = await this.options.ask()
    } catch {
      // The engine did not answer: keep the last answer.
    }
    this.apply()
  }

  private apply(): void {
    const quiet = Date.now() - this.last >= this.options.idleSeconds() * 1000
    if (this.night && quiet && !this.options.inUse()) this.cover.hidden = false
    else if (!this.night || this.options.inUse()) this.cover.hidden = true
  }
}
