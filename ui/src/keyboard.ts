// The on-screen keyboard and number keypad: a kiosk has no physical keyboard. Inputs ask for a
// layout with data-keyboard="letters" | "alnum" | "numeric". Keys never take the focus (their
// mousedown is cancelled), so the caret stays in the field being typed into.

import { t, type Lang } from './i18n'

type Layout = 'letters' | 'alnum' | 'numeric'
type Mode = 'letters' | 'accents'

const LETTER_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm']
// Welsh needs the circumflex most (â ê î ô û ŵ ŷ); the others appear in Welsh and in names.
const ACCENT_ROWS = ['âêîôûŵŷ', 'áéíóúẃý', 'àèìòùẁỳ', 'äëïöüẅÿ']
const DIGITS = '1234567890'

export class OnScreenKeyboard {
  private panel: HTMLElement
  private target: HTMLInputElement | null = null
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
      if (el instanceof HTMLInputElement && el.dataset.keyboard) this.attach(el)
    })
  }

  setLang(lang: Lang): void {
    this.lang = lang
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
  }

  private attach(input: HTMLInputElement): void {
    this.target = input
    this.mode = 'letters'
    this.shiftOnce = false
    this.panel.hidden = false
    document.body.classList.add('kiosk-keyboard-open')
    this.draw()
    // Keep the field in view above the keyboard.
    input.scrollIntoView({ block: 'center' })
  }

  private layout(): Layout {
    const l = this.target?.dataset.keyboard
    return l === 'numeric' || l === 'alnum' ? l : 'letters'
  }

  /** Names start with a capital, and so does each part after a space, hyphen or apostrophe. */
  private autoCapital(): boolean {
    const el = this.target
    if (!el || this.layout() !== 'letters') return false
    const before = el.value.slice(0, el.selectionStart ?? el.value.length)
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
      layout === 'numeric'
        ? this.key('Backspace', '⌫', 'kiosk-key--action', deleteWord)
        : this.key('Backspace', `<span aria-hidden="true">⌫ </span>${deleteWord}`, 'kiosk-key--action kiosk-key--wide')
    if (layout === 'numeric') {
      for (const row of ['123', '456', '789']) rows.push([...row].map((d) => this.key(d, d)).join(''))
      // Like a telephone keypad: 0 under 8, delete to its right.
      rows.push(`<span class="kiosk-key kiosk-key--gap" aria-hidden="true"></span>${this.key('0', '0')}${backspace}`)
      this.panel.className = 'kiosk-keyboard kiosk-keyboard--numeric'
    } else {
      const upper = this.upper()
      if (layout === 'alnum') rows.push([...DIGITS].map((d) => this.key(d, d)).join(''))
      const letterRows = this.mode === 'accents' && layout === 'letters' ? ACCENT_ROWS : LETTER_ROWS
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
      if (layout === 'letters') {
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

  private changed(el: HTMLInputElement): void {
    el.dispatchEvent(new Event('input', { bubbles: true }))
  }

  /** Moves to the next field that uses the keyboard, or closes the keyboard after the last. */
  private next(el: HTMLInputElement): void {
    const fields = [...document.querySelectorAll<HTMLInputElement>('input[data-keyboard]')]
    const after = fields[fields.indexOf(el) + 1]
    if (after) after.focus()
    else {
      el.blur()
      this.hide()
    }
  }
}
