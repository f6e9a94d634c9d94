// Add a staff account, for supervisors: staff number, name, role, and for a helper the
// organisation and the date the account ends. The engine makes a one-time PIN, shown once on
// the accounts screen; the person chooses their own at their first sign-in.

import type { Ctx, Screen } from '../../app/router'
import { freshNewAccount, isoDate } from '../../app/state'
import { dateInput, input, radios } from '../../components/govuk'
import { html } from '../../components/html'
import { backButton, continueButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { UiError } from '../../generated/engine'
import { keypad, staffHeading } from './keypad'

const ROLES = ['reception', 'supervisor', 'helper'] as const

/**
 * The engine names the fields as its request does; on this form they are the new person's, so
 * "staff_number" and "name" are renamed: their messages say "their", not "your".
 */
const FIELDS: Record<string, string> = { staff_number: 'account_number', name: 'account_name' }
const TARGETS: Record<string, string> = {
  account_number: 'account-number',
  account_name: 'account-name',
  role: 'account-role',
  organisation: 'account-organisation',
  expires_on: 'account-expires-day',
}

export function openAddAccount(ctx: Ctx): void {
  ctx.desk.newAccount = freshNewAccount()
  ctx.go('staff-account-add')
}

export const staffAccountAdd: Screen = {
  id: 'staff-account-add',
  modes: ['staff'],
  back: 'staff-accounts',
  title: (ctx) => ctx.t('staff.accounts.add.heading'),
  render(ctx) {
    const a = ctx.desk.newAccount
    const helper =
      a.role === 'helper'
        ? html`<div class="govuk-radios__conditional kiosk-conditional">
            ${input({
              id: 'account-organisation',
              name: 'account-organisation',
              value: a.organisation,
              label: { text: ctx.t('staff.accounts.add.organisation'), classes: 'govuk-label--s' },
              errorMessage: errorOptions(ctx, errorsAt(ctx, 'organisation')),
              inputmode: 'none',
              autocomplete: 'off',
              spellcheck: false,
              attributes: { 'data-keyboard': 'letters', maxlength: 100 },
            })}
            ${dateInput({
              id: 'account-expires',
              namePrefix: 'account-expires',
              fieldset: { legend: { text: ctx.t('staff.accounts.add.expires'), classes: 'govuk-fieldset__legend--s' } },
              hint: { text: ctx.t('staff.accounts.add.expires.hint') },
              errorMessage: errorOptions(ctx, errorsAt(ctx, 'expires_on')),
              items: (['day', 'month', 'year'] as const).map((name) => ({
                name,
                label: ctx.t(name === 'day' ? 'dob.day' : name === 'month' ? 'dob.month' : 'dob.year'),
                value: a.expires[name],
                inputmode: 'none',
                autocomplete: 'off',
                attributes: { 'data-keyboard': 'numeric', maxlength: name === 'year' ? 4 : 2 },
              })),
            })}
          </div>`
        : ''
    return html`<form data-form="staff-account-add" novalidate>
      ${errorSummary(ctx, (f) => TARGETS[f] ?? null)}
      ${staffHeading(ctx, ctx.t('staff.accounts.add.heading'))}
      <p class="govuk-body-l">${ctx.t('staff.accounts.add.lead')}</p>
      ${input({
        id: 'account-number',
        name: 'account-number',
        value: a.number,
        classes: 'govuk-input--width-10',
        label: { text: ctx.t('staff.number'), classes: 'govuk-label--m' },
        hint: { text: ctx.t('staff.accounts.add.number.hint') },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'account_number')),
        ...keypad(10),
      })}
      ${input({
        id: 'account-name',
        name: 'account-name',
        value: a.name,
        label: { text: ctx.t('staff.accounts.add.name'), classes: 'govuk-label--m' },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'account_name')),
        inputmode: 'none',
        autocomplete: 'off',
        spellcheck: false,
        attributes: { 'data-keyboard': 'letters', maxlength: 50 },
      })}
      ${radios({
        name: 'account-role',
        idPrefix: 'account-role',
        fieldset: { legend: { text: ctx.t('staff.accounts.add.role'), classes: 'govuk-fieldset__legend--m' } },
        errorMessage: errorOptions(ctx, errorsAt(ctx, 'role')),
        items: ROLES.map((r) => ({ value: r, text: ctx.t(`staff.role.${r}`), hint: { text: ctx.t(`staff.accounts.add.role.${r}`) }, checked: a.role === r })),
      })}
      ${helper}
      <div class="govuk-button-group">${continueButton(ctx, ctx.t('staff.accounts.add'))}${backButton(ctx)}</div>
    </form>`
  },
  input(ctx, field) {
    const a = ctx.desk.newAccount
    const date = /^account-expires-(day|month|year)$/.exec(field.name)
    if (field.name === 'account-number') a.number = field.value
    else if (field.name === 'account-name') a.name = field.value
    else if (field.name === 'account-organisation') a.organisation = field.value
    else if (date) a.expires[date[1] as 'day' | 'month' | 'year'] = field.value
    else if (field.name === 'account-role') {
      a.role = field.value
      // A helper's organisation and end date appear (or go) with the role.
      ctx.render({ id: field.id })
    }
  },
  errorTarget: (_, field) => TARGETS[field] ?? null,
  async submit(ctx) {
    const a = ctx.desk.newAccount
    const helper = a.role === 'helper'
    const changed = await ctx.staffCall('staff_account_change', {
      action: 'add',
      staff_number: a.number,
      name: a.name,
      role: a.role,
      ...(helper ? { organisation: a.organisation, expires_on: isoDate(a.expires) } : {}),
    })
    if (!changed) {
      const errors = ctx.view.errors
      if (errors.some((e) => e.field && e.field in FIELDS)) ctx.showErrors(errors.map((e): UiError => (e.field && e.field in FIELDS ? { ...e, field: FIELDS[e.field] } : e)))
      return
    }
    const list = await ctx.staffCall('staff_accounts', {})
    if (list) ctx.desk.accounts = list.accounts
    ctx.desk.accountChanged = changed
    ctx.desk.newAccount = freshNewAccount()
    ctx.go('staff-accounts', { id: 'account-note' })
  },
}
