// A public touchscreen is not a browser: no context menu (WebKitGTK offers Back and Reload in
// it), no dragging links or images out, no selecting text on controls (styles.scss). Inputs
// stay selectable so the caret can move.
//
// A keyboard plugged into the kiosk must not be a way out either: every key with Ctrl, Alt or
// Meta held (reload, back, print, close, find, zoom) and every function key (F5, F11, F12) is
// stopped before anything else sees it. Plain typing still reaches the focused field; the
// on-screen keyboard types by setting values, not by key events, so nothing of it is stopped.

/** Whether a key press is one a kiosk must not act on. */
export function isEscapeKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey'>): boolean {
  return e.ctrlKey || e.altKey || e.metaKey || /^F\d{1,2}$/.test(e.key) || e.key === 'BrowserBack' || e.key === 'BrowserForward' || e.key === 'BrowserRefresh'
}

export function lockDown(doc: Document = document): void {
  doc.addEventListener('contextmenu', (e) => e.preventDefault())
  doc.addEventListener('dragstart', (e) => e.preventDefault())
  const stop = (e: KeyboardEvent): void => {
    if (!isEscapeKey(e)) return
    e.preventDefault()
    e.stopImmediatePropagation()
  }
  // Capture phase on the window: before the page's own handlers and the browser's defaults.
  const win = doc.defaultView
  if (win) {
    win.addEventListener('keydown', stop, { capture: true })
    win.addEventListener('keyup', stop, { capture: true })
  }
}
