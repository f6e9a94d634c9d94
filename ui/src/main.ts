// The kiosk page: the app (app/) over the screens (screens/), talking to the engine through
// backend.ts. Everything else is in those modules; see ui/README.md for the map.

import './styles.scss'
import { App } from './app/app'
import { screens } from './screens'

const idle = Number(new URLSearchParams(location.search).get('idle'))
new App({
  root: document.getElementById('app') as HTMLElement,
  screens,
  idleOverrideSeconds: idle > 0 ? idle : undefined,
}).start()
