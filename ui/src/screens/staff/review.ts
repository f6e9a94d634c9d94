// Requests and review: requests waiting for central, visits central refused, visits to look
// at again; open one, or mark that the visitor has been told.

import type { Ctx, Screen } from '../../app/router'
import { html } from '../../components/html'
import { actionButton, backButton, errorSummary } from '../../components/kiosk'
import type { VisitRow } from '../../generated/engine'
import { tables, type Key } from '../../i18n'
import { openBooking, visitList } from './desk'
import { staffHeading } from './keypad'
import { mayMove, openMove } from './move'

async function showReview(ctx: Ctx): Promise<void> {
  const queue = await ctx.staffCall('staff_review_queue', {})
  if (!queue) return
  ctx.desk.review = queue.visits
  ctx.go('staff-review')
}

function why(ctx: Ctx, v: VisitRow): string {
  const code = v.review ?? ''
  const key = `staff.review.${code}`
  if (key in tables.en) return ctx.t(key as Key)
  if (v.status === 'rejected') return ctx.t('staff.review.rejected')
  return ctx.t('staff.review.other', { code: code.replace(/_/g, ' ') })
}

export const staffReview: Screen = {
  id: 'staff-review',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'review_queue', label: 'staff.task.review', order: 3, open: showReview },
  title: (ctx) => ctx.t('staff.review.heading'),
  render(ctx) {
    const visits = ctx.desk.review ?? []
    return html`${errorSummary(ctx)}
      ${staffHeading(ctx, ctx.t('staff.review.heading'))}
      ${visits.length
        ? visitList(ctx, visits, (v) =>
            html`<span class="govuk-body kiosk-why">${why(ctx, v)}</span>${v.status === 'rejected'
              ? actionButton(ctx.t('staff.review.told'), 'told', { classes: 'govuk-button--secondary', data: { reference: v.reference }, label: ctx.t('staff.review.told.label', { reference: v.reference }) })
              : ''}${mayMove(ctx, v)
              ? actionButton(ctx.t('staff.move.button'), 'move', { classes: 'govuk-button--secondary', data: { reference: v.reference }, label: ctx.t('staff.move.button.label', { reference: v.reference }) })
              : ''}`,
          )
        : html`<p class="govuk-body-l">${ctx.t('staff.review.none')}</p>`}
      <div class="govuk-button-group">${backButton(ctx)}</div>`
  },
  actions: {
    view: (ctx, control) => openBooking(ctx, control.dataset.reference ?? '', 'staff-review'),
    move: async (ctx, control) => {
      const visit = ctx.desk.review?.find((v) => v.reference === control.dataset.reference)
      if (visit) await openMove(ctx, visit, 'staff-review')
    },
    told: async (ctx, control) => {
      const row = await ctx.staffCall('staff_resolve', { reference: control.dataset.reference ?? '' })
      if (!row) return
      await showReview(ctx)
    },
  },
}
