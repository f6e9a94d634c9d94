// The start screen: what the visitor will need, and the way in. Staff get to their sign-in by
// holding the header (app.ts); when a staff session has just ended, this screen says so once.

import type { Screen } from '../../app/router'
import { button, notificationBanner } from '../../components/govuk'
import { html } from '../../components/html'
import { actionButton } from '../../components/kiosk'

export const start: Screen = {
  id: 'start',
  modes: ['visitor'],
  home: true,
  title: (ctx) => ctx.t('start.book'),
  render(ctx) {
    const prison = ctx.info?.prison.name[ctx.lang] ?? ''
    const help = ctx.view.helpShown
      ? notificationBanner({
          titleText: ctx.t('start.help'),
          titleId: 'help-title',
          html: html`<p class="govuk-notification-banner__heading" id="help-heading" tabindex="-1">${ctx.t('help.heading')}</p>
            <p class="govuk-body">${ctx.t('help.body')}</p>
            ${actionButton(ctx.t('help.close'), 'help-close', { classes: 'govuk-button--secondary' })}`,
        })
      : ''
    const notice = ctx.view.notice
      ? notificationBanner({
          titleText: ctx.t('staff.ended.title'),
          titleId: 'notice-title',
          role: 'alert',
          attributes: { tabindex: '-1' },
          text: ctx.t(ctx.view.notice === 'expired' ? 'staff.ended.expired' : 'staff.ended.signed_out'),
        })
      : ''
    return html`${notice}${help}
      <h1 class="govuk-heading-xl">${ctx.t('start.heading', { prison })}</h1>
      <p class="govuk-body-l">${ctx.t('start.lead')}</p>
      <p class="govuk-body-l">${ctx.t('start.need')}</p>
      <ul class="govuk-list govuk-list--bullet govuk-body-l">
        <li>${ctx.t('start.need.prisoner')}</li>
        <li>${ctx.t('start.need.visitors')}</li>
      </ul>
      <div class="kiosk-start-actions">
        ${button({ text: ctx.t('start.book'), type: 'button', isStartButton: true, classes: 'kiosk-button-xl', attributes: { 'data-action': 'start' } })}
        ${actionButton(ctx.t('start.help'), 'help', { classes: 'govuk-button--secondary' })}
      </div>
      <p class="govuk-body-l">${actionButton(ctx.t('start.manage'), 'manage', { classes: 'govuk-button--secondary' })}</p>`
  },
  actions: {
    start: (ctx) => ctx.go('prisoner'),
    manage: (ctx) => ctx.go('manage-find'),
    help: (ctx) => {
      ctx.view.helpShown = true
      ctx.render({ id: 'help-heading' })
    },
    'help-close': (ctx) => {
      ctx.view.helpShown = false
      ctx.render()
    },
  },
}
