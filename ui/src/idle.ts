// The idle timer: a kiosk left alone must not keep a visitor's details on screen. After
// `timeout` seconds without a touch the journey is wiped; for the last part of that time an
// "Are you still there?" warning counts down.

export interface IdleHandlers {
  warn(secondsLeft: number): void
  tick(secondsLeft: number): void
  reset(): void
}

export class IdleTimer {
  private handlers: IdleHandlers
  private timeoutMs = 90_000
  private warnMs = 30_000
  private last = Date.now()
  private warned = false
  private active: () => boolean = () => false
  private interval: number | undefined

  constructor(handlers: IdleHandlers) {
    this.handlers = handlers
  }

  /** Starts counting: `timeoutSeconds` in all, the warning shown for the last third (at most 30 s). */
  configure(timeoutSeconds: number, active: () => boolean): void {
    this.timeoutMs = Math.max(2, timeoutSeconds) * 1000
    this.warnMs = Math.min(30_000, Math.max(1000, Math.floor(this.timeoutMs / 3000) * 1000))
    this.active = active
    this.poke()
    if (this.interval === undefined) this.interval = window.setInterval(() => this.check(), 250)
  }

  /** Someone touched the screen. */
  poke(): void {
    this.last = Date.now()
    this.warned = false
  }

  stop(): void {
    this.warned = false
    this.last = Date.now()
  }

  private check(): void {
    if (!this.active()) {
      this.last = Date.now()
      return
    }
    const idleMs = Date.now() - this.last
    const leftSeconds = Math.max(0, Math.ceil((this.timeoutMs - idleMs) / 1000))
    if (idleMs >= this.timeoutMs) {
      this.warned = false
      this.handlers.reset()
    } else if (idleMs >= this.timeoutMs - this.warnMs) {
      if (!this.warned) {
        this.warned = true
        this.handlers.warn(leftSeconds)
      } else {
        this.handlers.tick(leftSeconds)
      }
    }
  }
}
