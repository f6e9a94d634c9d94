// The kiosk page: its furniture (skip link, header, main, keyboard, idle warning), the state,
// and the loop that draws the current screen from the state. Screens (screens/) draw and
// handle their own controls; this file routes taps, typing and forms to them, and keeps the
// things every screen shares: language, display switches, focus, errors, reset.

import { BackendError, call, errorsOf } from '../backend'
import { errorSummary } from '../components/kiosk'
import { html } from '../components/html'
import type { Command, Commands, KioskInfo, StaffSignedIn, UiError } from '../generated/engine'
import { t, type Key, type Lang } from '../i18n'
import { IdleWatch, type IdleWords } from '../kiosk/idle'
import { OnScreenKeyboard } from '../kiosk/keyboard'
import { NightScreen } from '../kiosk/night'
import { lockDown } from '../kiosk/lockdown'
import { modeOf, type Action, type ErrorsOn, type Ctx, type Focus, type Mode, type Registry, type Screen, type ScreenId, type TokenCommand, type WithoutToken } from './router'
import { freshDesk, freshJourney, freshView, type Desk, type Journey, type SignedIn, type StartNotice, type View } from './state'
import { dropToken, heldToken, holdToken } from './token'

/** How long the header of the start screen is held to open the staff sign-in. */
const LONG_PRESS_MS = 2000

/** Answers that say the staff session is over, whatever the command was. */
const SESSION_ENDED: Readonly<Record<string, StartNotice>> = { not_signed_in: 'signed_out', session_expired: 'expired' }

/** Ends the engine's side of a session; the page has already forgotten it, so failures do not matter. */
function signOutInEngine(token: string | null): void {
  if (token) void call('staff_sign_out', { token }).catch(() => undefined)
}

export interface AppOptions {
  root: HTMLElement
  screens: Registry
  /** `?idle=SECONDS` in the address: a shorter idle timeout, for tests and demonstrations. */
  idleOverrideSeconds?: number
}

export class App implements Ctx {
  journey: Journey = freshJourney()
  session: SignedIn | null = null
  desk: Desk = freshDesk()
  view: View = freshView()
  info: KioskInfo | null = null
  screen: ScreenId

  private readonly screens: Registry
  private readonly idleOverride: number | undefined
  /** Bumped by every reset, so an answer that arrives after a reset is dropped. */
  private generation = 0
  private renders = 0
  private readonly skipLink: HTMLElement
  private readonly header: HTMLElement
  private readonly main: HTMLElement
  private readonly keyboard: OnScreenKeyboard
  private readonly idle: IdleWatch
  private readonly night: NightScreen
  private pressTimer: number | undefined

  constructor(options: AppOptions) {
    this.screens = options.screens
    this.idleOverride = options.idleOverrideSeconds
    this.screen = this.homeOf('visitor').id
    const root = options.root
    root.innerHTML = html`
      <a href="#main" class="govuk-skip-link" data-action="skip"></a>
      <header class="kiosk-header" role="banner"></header>
      <div class="govuk-width-container kiosk-container">
        <main class="govuk-main-wrapper" id="main" role="main" tabindex="-1"></main>
      </div>
      <div id="keyboard" class="kiosk-keyboard" role="region" hidden></div>
      <dialog id="idle-dialog" class="kiosk-dialog" aria-labelledby="idle-heading" aria-describedby="idle-body"></dialog>
      <div id="night" class="kiosk-night" aria-hidden="true" hidden></div>`.toString()
    this.skipLink = root.querySelector('.govuk-skip-link') as HTMLElement
    this.header = root.querySelector('header') as HTMLElement
    this.main = root.querySelector('main') as HTMLElement
    this.keyboard = new OnScreenKeyboard(root.querySelector('#keyboard') as HTMLElement)
    this.idle = new IdleWatch({
      dialog: root.querySelector('#idle-dialog') as HTMLDialogElement,
      t: (key, params) => this.t(key, params),
      words: () => this.idleWords(),
      beforeWarning: () => this.keyboard.hide(),
      reset: () => this.reset(),
    })
    this.night = new NightScreen(root.querySelector('#night') as HTMLElement, {
      idleSeconds: () => this.idleSeconds() ?? 90,
      inUse: () => this.idleActive(),
      ask: async () => (await call('kiosk_info', null)).screen_dark,
    })
    lockDown()
    this.watchLongPress()
    root.addEventListener('click', (e) => this.onClick(e))
    root.addEventListener('input', (e) => this.onInput(e))
    root.addEventListener('change', (e) => this.onInput(e))
    root.addEventListener('submit', (e) => this.onSubmit(e))
  }

  start(): void {
    this.render()
    void this.loadInfo()
  }

  // ---------------------------------------------------------------- Ctx

  get lang(): Lang {
    return this.view.lang
  }

  get mode(): Mode {
    return modeOf(this.session)
  }

  t(key: Key, params: Record<string, string | number> = {}): string {
    return t(this.view.lang, key, params)
  }

  go(id: ScreenId, focus: Focus = 'heading'): void {
    const screen = this.current(id)
    this.screen = screen.id
    this.view.errors = []
    this.view.helpShown = false
    this.view.notice = null
    // A note about a dropped time is for the screen it was shown on, not for ever after.
    if (focus !== 'notice') this.journey.droppedSession = null
    this.render(focus)
    if (screen.load) void screen.load(this)
  }

  render(focus: Focus = 'heading'): void {
    const screen = this.current(this.screen)
    this.screen = screen.id
    const root = document.documentElement
    root.lang = this.view.lang
    root.classList.toggle('kiosk-large-text', this.view.display.largeText)
    root.classList.toggle('kiosk-high-contrast', this.view.display.highContrast)
    // The page's own furniture is in the visitor's language too, not only the screens.
    this.skipLink.textContent = this.t('skip.main')
    this.header.innerHTML = this.headerHtml().toString()
    this.main.innerHTML = screen.render(this).toString()
    this.main.dataset.screen = screen.id
    this.main.dataset.mode = this.mode
    // Tests wait for this to change after a tap, instead of guessing how long an answer takes.
    this.renders += 1
    this.main.dataset.render = String(this.renders)
    document.title = (this.view.errors.length ? this.t('error.title_prefix') : '') + `${screen.title(this)} - ${this.t('app.title')}`
    this.keyboard.setLang(this.view.lang)
    this.placeFocus(focus)
  }

  async call<C extends Command>(
    command: C,
    request: Commands[C]['request'],
    errorsOn?: ErrorsOn,
  ): Promise<Commands[C]['answer'] | undefined> {
    const mine = this.generation
    this.view.busy = true
    this.main.querySelectorAll('button[type=submit]').forEach((b) => b.setAttribute('disabled', ''))
    try {
      const answer = await call(command, request)
      return mine === this.generation ? answer : undefined
    } catch (e) {
      if (mine === this.generation) {
        this.view.busy = false
        const errors = errorsOf(e)
        const ended = this.session ? errors.map((x) => SESSION_ENDED[x.code]).find(Boolean) : undefined
        // The engine ended the session (idle there, the account disabled, the app restarted):
        // nothing more of it may stay on screen.
        if (ended) this.reset({ lang: this.view.lang, notice: ended })
        else this.showErrors(errors, typeof errorsOn === 'function' ? errorsOn(errors) : errorsOn)
      }
      return undefined
    } finally {
      if (mine === this.generation) this.view.busy = false
    }
  }

  showErrors(errors: UiError[], on?: ScreenId): void {
    if (on) this.screen = this.current(on).id
    this.view.errors = errors
    this.render('errors')
  }

  stillCurrent(): () => boolean {
    const mine = this.generation
    return () => mine === this.generation
  }

  staffCall<C extends TokenCommand>(command: C, request: WithoutToken<C>, errorsOn?: ErrorsOn): Promise<Commands[C]['answer'] | undefined> {
    const token = heldToken()
    if (!token) {
      this.reset({ lang: this.view.lang, notice: 'signed_out' })
      return Promise.resolve(undefined)
    }
    return this.call(command, { ...request, token } as unknown as Commands[C]['request'], errorsOn)
  }

  /**
   * Clears every screen and every piece of personal data in the page, back to the start, and
   * ends any staff session in the engine too. By default the language and display go back to
   * their defaults (a timeout, Finish); Sign out keeps the language of the person standing there.
   */
  reset(options: { lang?: Lang; notice?: StartNotice } = {}): void {
    this.generation += 1
    this.idle.clear()
    this.keyboard.hide()
    signOutInEngine(dropToken())
    this.journey = freshJourney()
    this.session = null
    this.desk = freshDesk()
    this.view = freshView()
    if (options.lang) this.view.lang = options.lang
    this.view.notice = options.notice ?? null
    this.screen = this.homeOf('visitor').id
    this.main.innerHTML = ''
    this.configureIdle()
    this.render(options.notice ? 'notice' : 'heading')
    void this.loadInfo()
    // Finish and the idle reset end a journey: the engine counts them, and the app renews the
    // page's web process behind the start screen when one is due (journey/renewal.rs).
    if (!options.lang && !options.notice) void call('journey_ended', null).catch(() => undefined)
  }

  signIn(answer: StaffSignedIn): void {
    holdToken(answer.token)
    this.session = {
      role: answer.role,
      staffNumber: answer.staff_number,
      name: answer.name,
      may: answer.may,
      mustChangePin: answer.must_change_pin,
      idleSeconds: answer.idle_timeout_seconds,
      ...(answer.organisation ? { organisation: answer.organisation } : {}),
    }
    // What was typed to sign in is no longer needed.
    this.desk = freshDesk()
    if (!this.screens.home(this.mode)) {
      // A role whose mode has no screens on this kiosk: it may not use it.
      this.forgetSession()
      this.showErrors([{ code: 'staff_mode_unavailable', params: {} }], 'staff-sign-in')
      return
    }
    this.configureIdle()
    this.go(this.homeOf(this.mode).id)
  }

  bookAnother(): void {
    // Answers still on their way belong to the last visitor: dropped, like a reset's.
    this.generation += 1
    this.keyboard.hide()
    this.journey = freshJourney()
    this.view.errors = []
    this.view.busy = false
    this.view.helpShown = false
    this.main.innerHTML = ''
    this.go('helper-who')
  }

  signOut(): Promise<void> {
    this.reset({ lang: this.view.lang })
    return Promise.resolve()
  }

  tasks(): readonly Screen[] {
    return this.session ? this.screens.tasks(this.session.may) : []
  }

  // ---------------------------------------------------------------- routing

  /** The screen if the current mode has it, else the mode's home: nothing outside the mode is drawn. */
  private current(id: ScreenId): Screen {
    // A new PIN before anything else: the engine refuses every other staff command until then.
    const wanted: ScreenId = this.session?.mustChangePin ? 'staff-pin' : id
    const found = this.screens.get(wanted, this.mode) ?? this.screens.home(this.mode)
    if (found) return found
    // A session whose mode has no screens may see nothing: signed out, back to the public start.
    this.forgetSession()
    return this.homeOf('visitor')
  }

  /** Forgets who is signed in, in the page and in the engine. */
  private forgetSession(): void {
    this.session = null
    signOutInEngine(dropToken())
  }

  /** The idle timeout of whoever is using the kiosk: the visitor's, or the staff session's. */
  private configureIdle(): void {
    const seconds = this.idleSeconds()
    if (seconds) this.idle.configure(seconds, () => this.idleActive())
  }

  private idleSeconds(): number | undefined {
    const own = this.session?.idleSeconds ?? this.info?.idle_timeout_seconds
    return this.idleOverride && this.idleOverride > 0 ? this.idleOverride : own
  }

  private idleWords(): IdleWords {
    return this.session
      ? { body: 'idle.staff.body', stay: 'idle.staff.stay', restart: 'staff.sign_out' }
      : { body: 'idle.body', stay: 'idle.stay', restart: 'idle.restart' }
  }

  /**
   * The discreet way into staff mode: holding the header of the visitor's start screen for two
   * seconds (its buttons excepted). A tap, a scroll or lifting the finger early does nothing.
   */
  private watchLongPress(): void {
    const cancel = () => {
      window.clearTimeout(this.pressTimer)
      this.pressTimer = undefined
    }
    this.header.addEventListener('pointerdown', (e) => {
      cancel()
      if (this.mode !== 'visitor' || this.screen !== this.homeOf('visitor').id) return
      if ((e.target as HTMLElement).closest('button, a')) return
      this.pressTimer = window.setTimeout(() => {
        this.pressTimer = undefined
        this.go('staff-sign-in')
      }, LONG_PRESS_MS)
    })
    for (const type of ['pointerup', 'pointercancel', 'pointerleave'] as const) this.header.addEventListener(type, cancel)
  }

  private homeOf(mode: Mode): Screen {
    const home = this.screens.home(mode)
    if (!home) throw new Error(`no home screen for ${mode}`)
    return home
  }

  /** Whether there is anything on screen worth protecting with the idle timer. */
  private idleActive(): boolean {
    const home = this.screens.home(this.mode)
    return this.session !== null || this.screen !== home?.id || this.view.lang !== 'en' || this.view.helpShown || this.view.notice !== null
  }

  // ---------------------------------------------------------------- events

  /** What every screen has: the header's switches, Back, the skip link and error summary links. */
  private readonly shared: Readonly<Record<string, Action>> = {
    lang: () => {
      this.view.lang = this.view.lang === 'en' ? 'cy' : 'en'
      this.switched('lang')
      this.idle.poke()
    },
    'text-size': () => {
      this.view.display.largeText = !this.view.display.largeText
      this.switched('text-size')
    },
    contrast: () => {
      this.view.display.highContrast = !this.view.display.highContrast
      this.switched('contrast')
    },
    back: () => {
      const to = this.current(this.screen).back
      const back = typeof to === 'function' ? to(this) : to
      if (!back) return
      this.journey.changing = false
      this.go(back)
    },
    focus: (_, control, event) => {
      event.preventDefault()
      const target = document.getElementById(control.dataset.target ?? '')
      if (target) {
        target.scrollIntoView({ block: 'center' })
        target.focus()
      }
    },
    skip: (_, __, event) => {
      event.preventDefault()
      this.main.focus()
    },
    'sign-out': () => this.signOut(),
  }

  /**
   * Draws the screen again after a header switch (language, text size, contrast). Someone who
   * was typing (the keyboard open on a field: a date on Today, a name) goes back to that field,
   * drawn anew in the new language or size, with the keyboard; anyone else stays on the switch.
   */
  private switched(action: 'lang' | 'text-size' | 'contrast'): void {
    const typing = this.keyboard.field?.id
    this.render('keep')
    const field = typing ? document.getElementById(typing) : null
    if ((field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) && field.dataset.keyboard) {
      field.focus({ preventScroll: true })
      // Typing carries on after what was typed, not before it.
      field.setSelectionRange(field.value.length, field.value.length)
      this.keyboard.reveal()
    } else {
      this.keyboard.hide()
      this.header.querySelector<HTMLElement>(`[data-action=${action}]`)?.focus()
    }
  }

  private onClick(e: Event): void {
    const control = (e.target as HTMLElement).closest<HTMLElement>('[data-action]')
    if (!control) return
    const name = control.dataset.action ?? ''
    const screen = this.current(this.screen)
    const action = screen.actions?.[name] ?? this.shared[name]
    if (!action) {
      console.error(`no action ${name} on screen ${screen.id}`)
      return
    }
    void action(this, control, e)
  }

  private onInput(e: Event): void {
    const field = e.target
    if (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) this.current(this.screen).input?.(this, field)
  }

  private onSubmit(e: Event): void {
    e.preventDefault()
    if (this.view.busy) return
    const screen = this.current(this.screen)
    // Only the form of the screen on show: a stale form cannot act on another screen's state.
    if ((e.target as HTMLElement).dataset.form !== screen.id) return
    void screen.submit?.(this)
  }

  // ---------------------------------------------------------------- drawing

  private headerHtml() {
    const other: Lang = this.view.lang === 'en' ? 'cy' : 'en'
    const prison = this.info?.prison.name[this.view.lang]
    const who = this.session
    // Who is signed in, and the way out, on every staff screen.
    const staff = who
      ? html`<div class="kiosk-header__staff"><div class="kiosk-header__inner">
          <span class="kiosk-header__who">${this.t('staff.signed_in_as', { name: who.name, role: this.t(`staff.role.${who.role}`) })}</span>
          <button type="button" class="kiosk-tool kiosk-tool--sign-out" data-action="sign-out">${this.t('staff.sign_out')}</button>
        </div></div>`
      : ''
    return html`<div class="kiosk-header__inner">
      <div class="kiosk-header__title">
        <span class="kiosk-header__service">${this.t('app.title')}</span>
        ${prison ? html`<span class="kiosk-header__prison">${prison}</span>` : ''}
      </div>
      <div class="kiosk-header__tools">
        <button type="button" class="kiosk-tool" data-action="lang"><span class="govuk-visually-hidden">${this.t('lang.switch.label')}: </span><span lang="${other}">${this.t('lang.switch')}</span></button>
        <button type="button" class="kiosk-tool" data-action="text-size" aria-pressed="${String(this.view.display.largeText)}">${this.t('a11y.bigger_text')}</button>
        <button type="button" class="kiosk-tool" data-action="contrast" aria-pressed="${String(this.view.display.highContrast)}">${this.t('a11y.high_contrast')}</button>
      </div>
    </div>${staff}`
  }

  private placeFocus(focus: Focus): void {
    const keyboard = this.keyboard
    if (focus === 'keep') {
      // The field the keyboard typed into was drawn again (a new language or text size), and the
      // switch that did it has the focus now: close the keyboard rather than type into nothing.
      if (keyboard.field && !keyboard.field.isConnected) keyboard.hide()
      return
    }
    keyboard.hide()
    let target: HTMLElement | null = null
    if (focus === 'errors') target = this.main.querySelector('.govuk-error-summary')
    else if (focus === 'notice') target = this.main.querySelector('.govuk-notification-banner')
    else if (focus !== 'heading') target = document.getElementById(focus.id)
    target ??= this.main.querySelector('h1')
    if (target) {
      if (!target.hasAttribute('tabindex') && !/^(INPUT|BUTTON|A|SELECT|TEXTAREA)$/.test(target.tagName)) target.setAttribute('tabindex', '-1')
      target.focus({ preventScroll: true })
      if (keyboard.field === target) {
        // A field that opened the keyboard: it is placed above the keys, not in the middle of a
        // screen the keys half cover.
        keyboard.reveal()
      } else {
        // The error summary belongs at the top; anything else (the reference after printing, say)
        // is centred, so the heading above it stays in view.
        target.scrollIntoView({ block: focus === 'errors' || focus === 'notice' ? 'start' : 'center' })
      }
    }
    if (focus === 'heading') window.scrollTo(0, 0)
  }

  private async loadInfo(): Promise<void> {
    const still = this.stillCurrent()
    try {
      const info = await call('kiosk_info', null)
      if (!still()) return
      this.info = info
      this.configureIdle()
      this.night.update(info.screen_dark)
      const home = this.screen === this.screens.home(this.mode)?.id
      this.render(home ? (this.view.notice ? 'notice' : 'heading') : 'keep')
    } catch (e) {
      if (!still()) return
      this.view.errors = e instanceof BackendError ? e.errors : errorsOf(e)
      this.main.innerHTML = errorSummary(this).toString()
    }
  }
}
