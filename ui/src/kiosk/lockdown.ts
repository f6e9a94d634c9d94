// A public touchscreen is not a browser: no context menu (WebKitGTK offers Back and Reload in
// it), no dragging links or images out, no selecting text on controls (styles.scss). Inputs
// stay selectable so the caret can move.

export function lockDown(doc: Document = document): void {
  doc.addEventListener('contextmenu', (e) => e.preventDefault())
  doc.addEventListener('dragstart', (e) => e.preventDefault())
}
