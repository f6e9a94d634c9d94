// Staff accounts, for supervisors: every account with its role and state; add one (accountAdd.ts),
// unlock, disable or enable, reset a PIN (the one-time PIN is shown once). The engine checks the role again.

import type { Ctx, Screen } from '../../app/router'
import { notificationBanner } from '../../components/govuk'
import { html, join } from '../../components/html'
import { actionButton, backButton, errorSummary } from '../../components/kiosk'
import type { AccountRow } from '../../generated/engine'
import { formatDate, formatTime, prisonTime, type Key } from '../../i18n'
import { table } from './desk'
import { openAddAccount } from './accountAdd'
import { staffHeading } from './keypad'

async function showAccounts(ctx: Ctx): Promise<void> {
  const answer = await ctx.staffCall('staff_accounts', {})
  if (!answer) return
  ctx.desk.accounts = answer.accounts
  ctx.desk.accountChanged = null
  ctx.go('staff-accounts')
}

function state(ctx: Ctx, a: AccountRow) {
  const parts: string[] = [ctx.t(a.disabled ? 'staff.accounts.disabled' : 'staff.accounts.active')]
  if (a.locked_until) parts.push(ctx.t('staff.accounts.locked', { time: formatTime(ctx.lang, prisonTime(a.locked_until) ?? '') }))
  if (a.must_change_pin) parts.push(ctx.t('staff.accounts.new_pin_due'))
  if (a.organisation) parts.push(a.organisation)
  if (a.expires_on) parts.push(ctx.t('staff.accounts.until', { date: formatDate(ctx.lang, a.expires_on) }))
  // One fact a line: a helper's organisation and end date read apart from the account's state.
  return join(parts, html`<br>`)
}

function buttons(ctx: Ctx, a: AccountRow) {
  const b = (action: string, words: Key) =>
    actionButton(ctx.t(words), 'account', {
      classes: 'govuk-button--secondary',
      data: { change: action, number: a.staff_number },
      label: ctx.t('staff.accounts.action.label', { action: ctx.t(words), name: a.name }),
    })
  // Nobody disables or resets themselves here: they would be locked out of the screen they use.
  if (a.staff_number === ctx.session?.staffNumber) return ''
  return html`${a.locked_until ? b('unlock', 'staff.accounts.unlock') : ''}${a.disabled ? b('enable', 'staff.accounts.enable') : b('disable', 'staff.accounts.disable')}${b('reset_pin', 'staff.accounts.reset_pin')}`
}

export const staffAccounts: Screen = {
  id: 'staff-accounts',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'manage_staff', label: 'staff.task.accounts', order: 6, open: showAccounts },
  title: (ctx) => ctx.t('staff.accounts.heading'),
  render(ctx) {
    const accounts = ctx.desk.accounts ?? []
    const changed = ctx.desk.accountChanged
    const note = changed
      ? notificationBanner({
          type: 'success',
          titleText: ctx.t('staff.done'),
          titleId: 'account-note-title',
          attributes: { id: 'account-note', tabindex: '-1' },
          text: changed.one_time_pin
            ? ctx.t('staff.accounts.one_time_pin', { name: changed.account.name, pin: changed.one_time_pin })
            : ctx.t('staff.accounts.changed', { name: changed.account.name }),
        })
      : ''
    return html`${note}${errorSummary(ctx)}
      ${staffHeading(ctx, ctx.t('staff.accounts.heading'))}
      <div class="govuk-button-group">${actionButton(ctx.t('staff.accounts.add.open'), 'add')}${backButton(ctx)}</div>
      ${table(
        '',
        [ctx.t('staff.accounts.name'), ctx.t('staff.accounts.number'), ctx.t('staff.accounts.role'), ctx.t('staff.accounts.state'), ctx.t('staff.col.actions')],
        accounts.map((a) => [a.name, a.staff_number, ctx.t(`staff.role.${a.role}`), state(ctx, a), html`<div class="kiosk-row-actions">${buttons(ctx, a)}</div>`]),
        'kiosk-visits',
      )}
      <div class="govuk-button-group">${backButton(ctx)}</div>`
  },
  actions: {
    add: (ctx) => {
      // A one-time PIN on show is not shown again when this screen comes back.
      ctx.desk.accountChanged = null
      openAddAccount(ctx)
    },
    account: async (ctx, control) => {
      const action = control.dataset.change ?? ''
      const changed = await ctx.staffCall('staff_account_change', { action, staff_number: control.dataset.number ?? '' })
      if (!changed) return
      const list = await ctx.staffCall('staff_accounts', {})
      if (list) ctx.desk.accounts = list.accounts
      ctx.desk.accountChanged = changed
      ctx.render({ id: 'account-note' })
    },
  },
}
