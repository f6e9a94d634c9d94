// Kiosk health: enrolment, the last successful sync and its age, changes and requests waiting,
// the last error, the printer, versions and free disk; Sync now and a test print.

import type { Ctx, Screen } from '../../app/router'
import { notificationBanner, summaryList } from '../../components/govuk'
import { html } from '../../components/html'
import { actionButton, backButton, errorSummary } from '../../components/kiosk'
import { prisonDateTime } from '../../i18n'
import { printerWords, staffPrintErrors } from './desk'
import { staffHeading } from './keypad'

async function showHealth(ctx: Ctx): Promise<void> {
  const health = await ctx.staffCall('staff_health', {})
  if (!health) return
  ctx.desk.health = health
  ctx.desk.healthNote = null
  ctx.go('staff-health')
}

export const staffHealth: Screen = {
  id: 'staff-health',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'kiosk_health', label: 'staff.task.health', order: 4, open: showHealth },
  title: (ctx) => ctx.t('staff.health.heading'),
  render(ctx) {
    const h = ctx.desk.health
    if (!h) return html``
    const yesNo = (b: boolean) => ctx.t(b ? 'staff.yes' : 'staff.no')
    const lastSync = h.last_sync
      ? ctx.t('staff.health.ago', { when: prisonDateTime(ctx.lang, h.last_sync), n: Math.round(Number(h.last_sync_age_seconds ?? 0) / 60) })
      : ctx.t('staff.health.never')
    const rows = [
      { key: { text: ctx.t('staff.health.enrolled') }, value: { text: yesNo(h.enrolled) } },
      ...(h.central_url ? [{ key: { text: ctx.t('staff.health.central') }, value: { text: h.central_url } }] : []),
      { key: { text: ctx.t('staff.health.last_sync') }, value: { text: lastSync } },
      { key: { text: ctx.t('staff.health.last_error') }, value: { text: h.last_error ?? ctx.t('staff.health.none') } },
      { key: { text: ctx.t('staff.health.events') }, value: { text: String(h.events_waiting) } },
      { key: { text: ctx.t('staff.health.requests') }, value: { text: String(h.requests_waiting) } },
      { key: { text: ctx.t('staff.health.printer') }, value: { text: printerWords(ctx, h.printer.state) } },
      { key: { text: ctx.t('staff.health.printer_queue') }, value: { text: h.printer.queue ?? ctx.t('staff.health.none') } },
      { key: { text: ctx.t('staff.health.versions') }, value: { text: `${h.app_version} / ${String(h.store_version)}` } },
      ...(h.free_disk_bytes !== undefined ? [{ key: { text: ctx.t('staff.health.disk') }, value: { text: ctx.t('staff.health.disk_value', { gb: (Number(h.free_disk_bytes) / 1e9).toFixed(1) }) } }] : []),
    ]
    const note = ctx.desk.healthNote
      ? notificationBanner({ type: 'success', titleText: ctx.t('staff.done'), titleId: 'health-note-title', attributes: { id: 'health-note', tabindex: '-1' }, text: ctx.t(ctx.desk.healthNote === 'synced' ? 'staff.health.synced' : 'staff.health.printed') })
      : ''
    return html`${note}${errorSummary(ctx)}
      ${staffHeading(ctx, ctx.t('staff.health.heading'))}
      ${summaryList({ rows })}
      <div class="govuk-button-group">
        ${actionButton(ctx.t('staff.health.sync'), 'sync')}
        ${actionButton(ctx.t('staff.health.test_print'), 'test-print', { classes: 'govuk-button--secondary' })}
        ${backButton(ctx)}
      </div>`
  },
  actions: {
    sync: async (ctx) => {
      const health = await ctx.staffCall('staff_sync_now', {})
      if (!health) return
      ctx.desk.health = health
      ctx.desk.healthNote = 'synced'
      ctx.render({ id: 'health-note' })
    },
    'test-print': async (ctx) => {
      const done = await ctx.staffCall('staff_test_print', {})
      if (!done) return staffPrintErrors(ctx)
      ctx.desk.healthNote = 'printed'
      ctx.render({ id: 'health-note' })
    },
  },
}
