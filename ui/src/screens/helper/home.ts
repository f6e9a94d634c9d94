// A helper's home (issue 11): who they are, the way to book a visit for someone, and the visits
// they booked on this kiosk today. A helper's session reaches no staff screen: the router draws
// only helper-mode screens, and the engine allows a helper only `book_on_behalf` and
// `own_bookings_today`.

import type { Ctx, Screen } from '../../app/router'
import { html } from '../../components/html'
import { actionButton } from '../../components/kiosk'
import { formatDate, formatTime } from '../../i18n'
import { prisonerText, statusTag, table } from '../staff/desk'

function bookings(ctx: Ctx) {
  const visits = ctx.desk.helperVisits
  if (visits === null) return html`<p class="govuk-body-l" role="status">${ctx.t('helper.home.loading')}</p>`
  if (visits.length === 0) return html`<p class="govuk-body-l" id="helper-bookings-none">${ctx.t('helper.home.none')}</p>`
  return table(
    ctx.t('helper.home.caption'),
    [ctx.t('staff.col.reference'), ctx.t('staff.col.when'), ctx.t('staff.col.prisoner'), ctx.t('staff.col.lead'), ctx.t('staff.col.status')],
    visits.map((v) => [
      v.reference,
      `${formatDate(ctx.lang, v.date)}${v.start ? ', ' + formatTime(ctx.lang, v.start) : ''}`,
      prisonerText(ctx, v),
      v.lead_visitor,
      statusTag(ctx, v.status),
    ]),
    'kiosk-visits kiosk-helper-bookings',
  )
}

export const helperHome: Screen = {
  id: 'helper-home',
  modes: ['helper'],
  home: true,
  title: (ctx) => ctx.session?.name ?? ctx.t('helper.area'),
  render(ctx) {
    const who = ctx.session
    if (!who) return html``
    const caption = who.organisation ?? ctx.t('helper.area')
    return html`<h1 class="govuk-heading-xl"><span class="govuk-caption-l">${caption}</span> ${who.name}</h1>
      <p class="govuk-body-l">${ctx.t('helper.home.lead')}</p>
      <div class="govuk-button-group">
        ${actionButton(ctx.t('helper.home.book'), 'book', { classes: 'kiosk-button-xl' })}
      </div>
      <h2 class="govuk-heading-l govuk-!-margin-top-6" id="helper-bookings">${ctx.t('helper.home.today')}</h2>
      ${bookings(ctx)}`
  },
  actions: {
    book: (ctx) => ctx.go('helper-who'),
  },
  async load(ctx) {
    ctx.desk.helperVisits = null
    const answer = await ctx.staffCall('helper_bookings', {})
    if (!answer) return
    ctx.desk.helperVisits = answer.visits
    if (ctx.screen === 'helper-home') ctx.render('keep')
  },
}
