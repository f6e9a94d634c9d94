// Night blanking ([screen] in kiosk.toml): in the dark hours the start screen, left alone, goes
// black; a touch wakes it for the idle timeout, without pressing what is under it; a kiosk in
// use never goes dark; and outside the dark hours nothing changes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { openKiosk, expectScreen, useKiosks, checkAndClose, shoot } from './harness.mjs'

const NIGHT = '[screen]\nblank_from = "21:00"\nblank_until = "07:00"\n'

const rig = useKiosks({
  // 22:00 in Cardiff (GMT in November): night.
  night: { prison: 'CDF', now: '2026-11-25T22:00:00Z', idleTimeout: 10, kioskToml: NIGHT },
  // 10:00: day, the same configuration.
  day: { prison: 'CDF', now: '2026-11-25T10:00:00Z', idleTimeout: 10, kioskToml: NIGHT },
})

const coverShown = (page) => page.evaluate(() => !document.querySelector('#night').hidden)

async function waitForCover(page, shown, withinMs) {
  await page.waitForFunction((want) => !document.querySelector('#night').hidden === want, shown, { timeout: withinMs })
}

test('at night the idle start screen goes black and a touch wakes it for the idle timeout', async () => {
  const page = await openKiosk(rig.browser, rig.night)
  try {
    // Lit at first: someone may have just walked up (the page counts from its load).
    assert.equal(await coverShown(page), false)
    await waitForCover(page, true, 25_000)
    const box = await page.evaluate(() => {
      const r = document.querySelector('#night').getBoundingClientRect()
      return { w: r.width, h: r.height, bg: getComputedStyle(document.querySelector('#night')).backgroundColor }
    })
    assert.deepEqual(box, { w: 1280, h: 800, bg: 'rgb(0, 0, 0)' })
    await shoot(page, 'night-dark')

    // A touch where the start button is: the screen wakes, and the start screen is still there.
    const start = page.locator('main [data-action=start]')
    const at = await start.boundingBox()
    await page.mouse.click(at.x + at.width / 2, at.y + at.height / 2)
    assert.equal(await coverShown(page), false)
    await expectScreen(page, 'start')

    // Left alone again: dark again after the idle timeout, not before.
    await page.waitForTimeout(4_000)
    assert.equal(await coverShown(page), false, 'dark again before the idle timeout')
    await waitForCover(page, true, 25_000)
  } finally {
    await checkAndClose(page)
  }
})

test('in the day the start screen never goes black', async () => {
  const page = await openKiosk(rig.browser, rig.day)
  try {
    await page.waitForTimeout(13_000)
    assert.equal(await coverShown(page), false)
  } finally {
    await checkAndClose(page)
  }
})
