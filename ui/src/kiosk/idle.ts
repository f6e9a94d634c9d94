// The idle timer: a kiosk left alone must not keep anyone's details on screen. After `timeout`
// seconds without a touch the page is wiped (the visitor's journey and any signed-in session);
// for the last part of that time an "Are you still there?" warning counts down.

import { html } from '../components/html'
import { button } from '../components/govuk'
import type { Key } from '../i18n'

type Translate = (key: Key, params?: Record<string, string | number>) => string

/** The warning's words: a visitor's screen clears, a member of staff is signed out. */
export interface IdleWords {
  body: Key
  stay: Key
  restart: Key
}

export interface IdleOptions {
  dialog: HTMLDialogElement
  t: Translate
  words(): IdleWords
  /** Just before the warning opens (the on-screen keyboard closes, say). */
  beforeWarning(): void
  /** Time is up, or the person asked to start again. */
  reset(): void
}

/** Counts time without a touch; only while `active` says there is something to protect. */
export class IdleTimer {
  private timeoutMs = 90_000
  private warnMs = 30_000
  private last = Date.now()
  private warned = false
  private active: () => boolean = () => false
  private interval: number | undefined

  constructor(private readonly onWarn: (secondsLeft: number) => void, private readonly onTick: (secondsLeft: number) => void, private readonly onTimeout: () => void) {}

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

  private check(): void {
    if (!this.active()) {
      this.last = Date.now()
      return
    }
    const idleMs = Date.now() - this.last
    const leftSeconds = Math.max(0, Math.ceil((this.timeoutMs - idleMs) / 1000))
    if (idleMs >= this.timeoutMs) {
      this.warned = false
      this.onTimeout()
    } else if (idleMs >= this.timeoutMs - this.warnMs) {
      if (!this.warned) {
        this.warned = true
        this.onWarn(leftSeconds)
      } else {
        this.onTick(leftSeconds)
      }
    }
  }
}

/** The timer with its warning dialog, fed by every touch, key and scroll on the page. */
export class IdleWatch {
  private readonly timer: IdleTimer
  private readonly options: IdleOptions

  constructor(options: IdleOptions) {
    this.options = options
    this.timer = new IdleTimer(
      (left) => this.warn(left),
      (left) => this.tick(left),
      () => options.reset(),
    )
    const { dialog } = options
    for (const type of ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'] as const) {
      document.addEventListener(
        type,
        () => {
          // While the warning is up only its buttons count, so a stray touch cannot keep a
          // stranger's details on screen.
          if (!dialog.open) this.timer.poke()
        },
        { passive: true, capture: true },
      )
    }
    dialog.addEventListener('click', (e) => {
      const action = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')?.dataset.action
      if (action === 'idle-stay') {
        dialog.close()
        this.timer.poke()
      } else if (action === 'idle-restart') {
        options.reset()
      }
      // The page's own controls are not in the dialog: nothing for them to do with this tap.
      e.stopPropagation()
    })
  }

  configure(timeoutSeconds: number, active: () => boolean): void {
    this.timer.configure(timeoutSeconds, active)
  }

  /** Someone acted through the page (a new language, say): the count starts again. */
  poke(): void {
    this.timer.poke()
  }

  /** A reset: no warning left open, and the count starts from now. */
  clear(): void {
    const { dialog } = this.options
    if (dialog.open) dialog.close()
    dialog.innerHTML = ''
    this.timer.poke()
  }

  private warn(secondsLeft: number): void {
    const { dialog, t } = this.options
    const words = this.options.words()
    this.options.beforeWarning()
    dialog.innerHTML = html`<h2 class="govuk-heading-l" id="idle-heading">${t('idle.heading')}</h2>
      <p class="govuk-body-l" id="idle-body">${t(words.body, { n: secondsLeft })}</p>
      <div class="govuk-button-group">
        ${button({ text: t(words.stay), type: 'button', classes: 'kiosk-button-xl', attributes: { 'data-action': 'idle-stay' } })}
        ${button({ text: t(words.restart), type: 'button', classes: 'govuk-button--secondary', attributes: { 'data-action': 'idle-restart' } })}
      </div>`.toString()
    if (!dialog.open) dialog.showModal()
    dialog.querySelector<HTMLElement>('[data-action=idle-stay]')?.focus()
  }

  private tick(secondsLeft: number): void {
    const body = this.options.dialog.querySelector('#idle-body')
    if (body) body.textContent = this.options.t(this.options.words().body, { n: secondsLeft })
  }
}
