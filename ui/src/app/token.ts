// The signed-in session's token: in this module's variable and nowhere else. Never in
// localStorage, sessionStorage, a cookie, the state the screens draw from or the DOM, so that
// nothing a page script, a screenshot or the next person at the kiosk can read holds it. It
// goes with every staff command (App.staffCall) and is dropped on sign-out, idle and reset.

let token: string | null = null

export function holdToken(value: string): void {
  token = value
}

export function heldToken(): string | null {
  return token
}

/** Forgets the token, and gives it back once (for the sign-out command). */
export function dropToken(): string | null {
  const was = token
  token = null
  return was
}
