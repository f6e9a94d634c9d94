// The on-screen keyboard and number keypad: a kiosk has no physical keyboard. Inputs ask for a
// layout with data-keyboard="letters" | "alnum" | "numeric" | "url" | "phone" | "email" | "text". Keys never take the focus (their
// mousedown is cancelled), so the caret stays in the field being typed into.

import { t, type Lang } from '../i18n'

type Layout = 'letters' | 'alnum' | 'numeric' | 'url' | 'phone' | 'email' | 'text'
const LAYOUTS: readonly Layout[] = ['letters', 'alnum', 'numeric', 'url', 'phone', 'email', 'text']
/** What the keys type into: a text field, or a text area (a staff note). */
export type TextField = HTMLInputElement | HTMLTextAreaElement
type Mode = 'letters' | 'accents'

const LETTER_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm']
// Welsh needs the circumflex most (â ê î ô û ŵ ŷ); the others appear in Welsh and in names.
const ACCENT_ROWS = ['âêîôûŵŷ', 'áéíóúẃý', 'àèìòùẁỳ', 'äëïöüẅÿ']
const DIGITS = '1234567890'
// A web address (central's, typed once by a supervisor) needs these besides letters and digits.
const URL_MARKS = [':', '/', '.', '-']
// An email address (a main contact's) needs these.
const EMAIL_MARKS = ['@', '.', '-', '_']
// Free text (what other support a visitor needs): sentences, not just names.
const TEXT_MARKS = ['.', ',', '(', ')', '/', '?']

export class OnScreenKeyboard {
  private panel: HTMLElement
  private target: TextField | null = null
  private mode: Mode = 'letters'
  private shiftOnce = false
  private lang: Lang = 'en'

  constructor(panel: HTMLElement) {
    this.panel = panel
    // Cancel mousedown so the focused field keeps the focus and its caret.
    panel.addEventListener('mousedown', (e) => e.preventDefault())
    panel.addEventListener('click', (e) => {
      const key = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-key]')
      if (key) this.press(key.dataset.key ?? '')
    })
    // The case shown follows the text (a capital at the start of each part of a name), so
    // redraw when the field changes by any means.
    document.addEventListener('input', (e) => {
      if (e.target === this.target && !this.panel.hidden) this.draw()
    })
    document.addEventListener('focusin', (e) => {
      const el = e.target as HTMLElement
      if ((el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && el.dataset.keyboard) this.attach(el)
    })
    // Turning the screen, or a new text size, changes both the page and the keyboard.
    window.addEventListener('resize', () => this.reveal('resize'))
  }

  setLang(lang: Lang): void {
    this.lang = lang
    this.panel.setAttribute('aria-label', t(lang, 'keyboard.label'))
    if (this.target) this.draw()
  }

  get visible(): boolean {
    return !this.panel.hidden
  }

  hide(): void {
    this.target = null
    this.panel.hidden = true
    this.panel.innerHTML = ''
    document.body.classList.remove('kiosk-keyboard-open')
    document.body.style.removeProperty('--kiosk-keyboard-height')
  }

  /** The field the keys type into, while the keyboard is open. */
  get field(): TextField | null {
    return this.panel.hidden ? null : this.target
  }

  private attach(input: TextField): void {
    this.target = input
    this.mode = 'letters'
    this.shiftOnce = false
    this.panel.hidden = false
    document.body.classList.add('kiosk-keyboard-open')
    this.draw()
  }

  /**
   * Scrolls the page so the field being typed in, with its label where there is room, sits in
   * the part of the screen the keyboard leaves free (WCAG 2.2 SC 2.4.11, Focus Not Obscured).
   * The keyboard's height depends on the layout, the text size and the screen, so it is measured
   * every time rather than assumed; the page is padded by that height so even the last field on
   * it can scroll up above the keys. The scroll is the smallest that does it, so moving from
   * field to field does not make the page jump about; after the screen turns or the keyboard
   * changes size the page scrolls back as far as it can with the field still in view, so a
   * screen with more room shows more of the page above the field.
   */
  reveal(after: 'focus' | 'resize' = 'focus'): void {
    const input = this.field
    if (!input || !input.isConnected) return
    const keysTop = this.panel.getBoundingClientRect().top
    document.body.style.setProperty('--kiosk-keyboard-height', `${window.innerHeight - keysTop}px`)
    const margin = Math.min(24, keysTop / 20)
    const free = { top: margin, bottom: keysTop - margin }
    const box = input.getBoundingClientRect()
    // A date's three boxes go with their question; any other field with its label and hint.
    const group = input.closest('fieldset') ?? input.closest('.govuk-form-group') ?? input
    const context = group.getBoundingClientRect()
    const top = Math.min(context.top, box.top)
    const bottom = Math.max(context.bottom, box.bottom)
    let delta = 0
    if (bottom - top <= free.bottom - free.top) {
      if (top < free.top) delta = top - free.top
      else if (bottom > free.bottom || after === 'resize') delta = bottom - free.bottom
    } else if (box.top < free.top || box.bottom > free.bottom) {
      // Not room for the question too: the field itself at the bottom of the free part, with as
      // much of its label above it as fits.
      delta = Math.max(box.bottom - free.bottom, box.top - free.top)
    }
    if (delta !== 0) window.scrollBy({ top: delta, behavior: 'instant' })
  }

  private layout(): Layout {
    const l = this.target?.dataset.keyboard
    return LAYOUTS.find((x) => x === l) ?? 'letters'
  }

  /** Names start with a capital, and so does each part after a space, hyphen or apostrophe. */
  private autoCapital(): boolean {
    const el = this.target
    const layout = this.layout()
    if (!el || (layout !== 'letters' && layout !== 'text')) return false
    const before = el.value.slice(0, el.selectionStart ?? el.value.length)
    // A sentence starts with a capital; a name has one at the start of each part.
    if (layout === 'text') return before.trim() === '' || /[.?!]\s+$/.test(before)
    return before === '' || /[\s-]$/.test(before)
  }

  /** Capitals where expected (prisoner numbers, the start of a name); Shift flips the next letter. */
  private upper(): boolean {
    const expected = this.layout() === 'alnum' || this.autoCapital()
    return expected !== this.shiftOnce
  }

  private key(key: string, label: string, extra = '', aria?: string, pressed?: boolean): string {
    const labelAttr = aria ? ` aria-label="${aria}"` : ''
    const pressedAttr = pressed === undefined ? '' : ` aria-pressed="${pressed}"`
    const value = key.replace(/"/g, '&quot;')
    return `<button type="button" class="kiosk-key ${extra}" data-key="${value}"${labelAttr}${pressedAttr}>${label}</button>`
  }

  /**
   * Every layout is a bar (Next, Done) over rows of keys. Nothing is positioned on top of the
   * rows: with Bigger text and long Welsh labels each key keeps its own place, and a row that
   * would be wider than the screen shrinks its keys instead of running off the edge.
   */
  private draw(): void {
    const layout = this.layout()
    const rows: string[] = []
    const deleteWord = t(this.lang, 'keyboard.backspace')
    const backspace =
      layout === 'numeric' || layout === 'phone'
        ? this.key('Backspace', '⌫', 'kiosk-key--action', deleteWord)
        : this.key('Backspace', `<span aria-hidden="true">⌫ </span>${deleteWord}`, 'kiosk-key--action kiosk-key--wide')
    if (layout === 'numeric' || layout === 'phone') {
      for (const row of ['123', '456', '789']) rows.push([...row].map((d) => this.key(d, d)).join(''))
      // Like a telephone keypad: 0 under 8, delete to its right; a phone number's + to its left.
      const left = layout === 'phone' ? this.key('+', '+', '', t(this.lang, 'keyboard.plus')) : '<span class="kiosk-key kiosk-key--gap" aria-hidden="true"></span>'
      rows.push(`${left}${this.key('0', '0')}${backspace}`)
      if (layout === 'phone') rows.push(this.key(' ', t(this.lang, 'keyboard.space'), 'kiosk-key--space'))
      this.panel.className = `kiosk-keyboard kiosk-keyboard--numeric kiosk-keyboard--${layout}`
    } else {
      const upper = this.upper()
      if (layout !== 'letters') rows.push([...DIGITS].map((d) => this.key(d, d)).join(''))
      const accents = layout === 'letters' || layout === 'text'
      const letterRows = this.mode === 'accents' && accents ? ACCENT_ROWS : LETTER_ROWS
      letterRows.forEach((row, i) => {
        const keys = [...row]
          .map((c) => {
            const ch = upper ? c.toUpperCase() : c
            return this.key(ch, ch)
          })
          .join('')
        // Delete at the end of the last row of letters, where a physical keyboard has it.
        rows.push(i === letterRows.length - 1 ? keys + backspace : keys)
      })
      const marks = layout === 'url' ? URL_MARKS : layout === 'email' ? EMAIL_MARKS : layout === 'text' ? TEXT_MARKS : []
      if (marks.length) rows.push(marks.map((c) => this.key(c, c, '', c === '-' ? t(this.lang, 'keyboard.hyphen') : undefined)).join(''))
      if (accents) {
        rows.push(
          [
            this.key('Shift', `<span aria-hidden="true">⇧ </span>${t(this.lang, 'keyboard.shift')}`, 'kiosk-key--action kiosk-key--wide', undefined, this.shiftOnce),
            this.mode === 'accents'
              ? this.key('Letters', t(this.lang, 'keyboard.letters'), 'kiosk-key--action kiosk-key--wide', undefined, true)
              : this.key('Accents', t(this.lang, 'keyboard.accents'), 'kiosk-key--action kiosk-key--wide'),
            this.key('-', '-', '', t(this.lang, 'keyboard.hyphen')),
            this.key("'", '’', '', t(this.lang, 'keyboard.apostrophe')),
            this.key(' ', t(this.lang, 'keyboard.space'), 'kiosk-key--space'),
          ].join(''),
        )
      }
      this.panel.className = `kiosk-keyboard kiosk-keyboard--${layout}`
    }
    this.panel.setAttribute('aria-label', t(this.lang, 'keyboard.label'))
    const bar = `<div class="kiosk-keyboard__bar">${this.key('Next', t(this.lang, 'keyboard.next'), 'kiosk-key--action kiosk-key--bar')}${this.key(
      'Done',
      t(this.lang, 'keyboard.done'),
      'kiosk-key--done kiosk-key--bar',
    )}</div>`
    this.panel.innerHTML = `<div class="kiosk-keyboard__inner">${bar}${rows
      .map((r) => `<div class="kiosk-keyboard__row">${r}</div>`)
      .join('')}</div>`
    // A layout can be taller than the one before it (the accents have a row more).
    this.reveal()
  }

  private press(key: string): void {
    const el = this.target
    if (!el || !el.isConnected) {
      this.hide()
      return
    }
    switch (key) {
      case 'Shift':
        this.shiftOnce = !this.shiftOnce
        break
      case 'Accents':
        this.mode = 'accents'
        break
      case 'Letters':
        this.mode = 'letters'
        break
      case 'Backspace': {
        const start = el.selectionStart ?? el.value.length
        const end = el.selectionEnd ?? start
        if (start !== end) el.setRangeText('', start, end, 'end')
        else if (start > 0) el.setRangeText('', start - 1, start, 'end')
        this.changed(el)
        break
      }
      case 'Next':
        this.next(el)
        return
      case 'Done':
        el.blur()
        this.hide()
        return
      default: {
        if (el.maxLength > 0 && el.value.length >= el.maxLength) return
        const start = el.selectionStart ?? el.value.length
        const end = el.selectionEnd ?? start
        el.setRangeText(key, start, end, 'end')
        this.shiftOnce = false
        // An accent is usually one letter: go back to the plain letters after it.
        if (this.mode === 'accents') this.mode = 'letters'
        this.changed(el)
      }
    }
    this.draw()
  }

  private changed(el: TextField): void {
    el.dispatchEvent(new Event('input', { bubbles: true }))
  }

  /** Moves to the next field that uses the keyboard, or closes the keyboard after the last. */
  private next(el: TextField): void {
    const fields = [...document.querySelectorAll<TextField>('input[data-keyboard], textarea[data-keyboard]')]
    const after = fields[fields.indexOf(el) + 1]
    if (after) after.focus()
    else {
      el.blur()
      this.hide()
    }
  }
}
