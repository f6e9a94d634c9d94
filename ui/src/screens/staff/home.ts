// The staff home: who is signed in, and the screens their role may use (each staff screen
// registers itself as a task with the permission it needs; the engine checks again on every
// command).

import type { Screen } from '../../app/router'
import { notificationBanner } from '../../components/govuk'
import { html } from '../../components/html'
import { actionButton } from '../../components/kiosk'

export const staffHome: Screen = {
  id: 'staff-home',
  modes: ['staff'],
  home: true,
  title: (ctx) => ctx.t('staff.home.heading'),
  render(ctx) {
    const who = ctx.session
    if (!who) return html``
    const tasks = ctx.tasks()
    const changed = ctx.desk.pinChanged
      ? notificationBanner({ type: 'success', titleText: ctx.t('staff.done'), titleId: 'pin-changed-title', text: ctx.t('staff.pin_change.done') })
      : ''
    return html`${changed}
      <h1 class="govuk-heading-xl"><span class="govuk-caption-l">${who.name}</span> ${ctx.t('staff.home.heading')}</h1>
      <p class="govuk-body-l">${ctx.t('staff.home.who', { number: who.staffNumber, role: ctx.t(`staff.role.${who.role}`) })}</p>
      <h2 class="govuk-heading-l">${ctx.t('staff.home.tasks')}</h2>
      ${tasks.length
        ? html`<ul class="govuk-list kiosk-tasks">${tasks.map(
            (s) => html`<li>${actionButton(ctx.t(s.task?.label ?? 'staff.home.heading'), 'task', { classes: 'kiosk-button-xl kiosk-task', data: { screen: s.id } })}</li>`,
          )}</ul>`
        : html`<p class="govuk-body-l">${ctx.t('staff.home.none')}</p>`}
      <div class="govuk-button-group">${actionButton(ctx.t('staff.home.change_pin'), 'change-pin', { classes: 'govuk-button--secondary' })}</div>`
  },
  actions: {
    task: (ctx, control) => {
      const screen = ctx.tasks().find((s) => s.id === control.dataset.screen)
      if (!screen) return undefined
      ctx.desk.pinChanged = false
      // A task that shows the engine's data asks for it first, then draws itself.
      if (screen.task?.open) return screen.task.open(ctx)
      ctx.go(screen.id)
      return undefined
    },
    'change-pin': (ctx) => {
      ctx.desk.pinChanged = false
      ctx.go('staff-pin')
    },
  },
}
