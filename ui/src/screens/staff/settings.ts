// Kiosk settings, for supervisors: the CUPS queue slips print on and its paper, chosen from the
// queues this machine has; and enrolling a kiosk that works alone with central. The engine
// checks the role, that the queue exists, and the enrolment itself.

import type { Ctx, Screen } from '../../app/router'
import type { SettingsDraft } from '../../app/state'
import { input, insetText, notificationBanner, radios, summaryList, warningText } from '../../components/govuk'
import { html } from '../../components/html'
import { actionButton, backButton, errorOptions, errorSummary, errorsAt } from '../../components/kiosk'
import type { KioskSettings } from '../../generated/engine'
import { tables, type Key } from '../../i18n'
import { staffHeading } from './keypad'

/** Where each field's error summary link goes (a radio group: its first radio). */
const TARGETS: Record<string, string> = {
  queue: 'settings-queue',
  paper: 'settings-paper',
  central_url: 'settings-central-url',
  code: 'settings-code',
}

const PAPERS = ['receipt', 'a4'] as const

function draft(answer: KioskSettings, note: SettingsDraft['note'] = null, centralUrl = ''): SettingsDraft {
  return { answer, queue: answer.queue ?? '', paper: answer.paper ?? 'receipt', centralUrl, note }
}

async function showSettings(ctx: Ctx): Promise<void> {
  const answer = await ctx.staffCall('staff_settings', {})
  if (!answer) return
  ctx.desk.settings = draft(answer)
  ctx.go('staff-settings')
}

/** Why the machine's queues cannot be listed, in words staff can act on. */
function queuesProblem(ctx: Ctx, code: string): string {
  const key = `staff.settings.queues_error.${code}`
  return key in tables.en ? ctx.t(key as Key) : ctx.t('staff.settings.queues_error', { code })
}

function printerSection(ctx: Ctx, s: SettingsDraft) {
  const a = s.answer
  const paperWords = (p: string) => ctx.t(p === 'a4' ? 'staff.settings.paper.a4' : 'staff.settings.paper.receipt')
  const current = summaryList({
    rows: [
      { key: { text: ctx.t('staff.settings.queue.current') }, value: { text: a.queue ?? ctx.t('staff.settings.queue.none') } },
      { key: { text: ctx.t('staff.settings.paper.current') }, value: { text: a.paper ? paperWords(a.paper) : ctx.t('staff.settings.queue.none') } },
    ],
  })
  // The queue set now stays a choice even when this machine no longer has it (it was removed,
  // or CUPS cannot be asked): the supervisor sees it, and the engine says what is wrong with it.
  const choices = [...a.queues]
  if (a.queue && !choices.includes(a.queue)) choices.push(a.queue)
  const problem = a.queues_error
    ? insetText({ id: 'settings-queues-problem', text: queuesProblem(ctx, a.queues_error) })
    : a.queues.length === 0
      ? insetText({ id: 'settings-queues-problem', text: ctx.t('staff.settings.queues_none') })
      : ''
  const form = choices.length
    ? html`<form data-form="staff-settings" novalidate>
        ${radios({
          name: 'settings-queue',
          idPrefix: 'settings-queue',
          fieldset: { legend: { text: ctx.t('staff.settings.queue'), classes: 'govuk-fieldset__legend--m' } },
          hint: { text: ctx.t('staff.settings.queue.hint') },
          errorMessage: errorOptions(ctx, errorsAt(ctx, 'queue')),
          items: choices.map((q) => ({
            value: q,
            text: q,
            checked: s.queue === q,
            hint: a.queues.includes(q) ? undefined : { text: ctx.t('staff.settings.queue.not_here') },
          })),
        })}
        ${radios({
          name: 'settings-paper',
          idPrefix: 'settings-paper',
          fieldset: { legend: { text: ctx.t('staff.settings.paper'), classes: 'govuk-fieldset__legend--m' } },
          errorMessage: errorOptions(ctx, errorsAt(ctx, 'paper')),
          items: PAPERS.map((p) => ({ value: p, text: paperWords(p), checked: s.paper === p })),
        })}
        <div class="govuk-button-group">${actionButton(ctx.t('staff.settings.save'), 'save-printer')}</div>
      </form>`
    : ''
  return html`<h2 class="govuk-heading-l">${ctx.t('staff.settings.printer')}</h2>
    ${current}${problem}${form}`
}

function enrolmentSection(ctx: Ctx, s: SettingsDraft) {
  const a = s.answer
  if (a.enrolled) {
    return html`<h2 class="govuk-heading-l">${ctx.t('staff.settings.enrolment')}</h2>
      ${summaryList({
        rows: [
          { key: { text: ctx.t('staff.settings.enrolled') }, value: { text: ctx.t('staff.yes') } },
          { key: { text: ctx.t('staff.settings.central') }, value: { text: a.central_url ?? '' } },
          { key: { text: ctx.t('staff.settings.kiosk_id') }, value: { text: a.kiosk_id ?? '' } },
          { key: { text: ctx.t('staff.settings.prisons') }, value: { text: a.prisons.join(', ') } },
        ],
      })}`
  }
  return html`<h2 class="govuk-heading-l">${ctx.t('staff.settings.enrolment')}</h2>
    <p class="govuk-body-l">${ctx.t('staff.settings.alone')}</p>
    ${warningText({ text: ctx.t('staff.settings.enrol.warning'), iconFallbackText: ctx.t('staff.warning') })}
    ${input({
      id: 'settings-central-url',
      name: 'settings-central-url',
      value: s.centralUrl,
      label: { text: ctx.t('staff.settings.central_url'), classes: 'govuk-label--m' },
      hint: { text: ctx.t('staff.settings.central_url.hint') },
      errorMessage: errorOptions(ctx, errorsAt(ctx, 'central_url')),
      inputmode: 'none',
      autocomplete: 'off',
      spellcheck: false,
      attributes: { 'data-keyboard': 'url', maxlength: 200 },
    })}
    ${input({
      id: 'settings-code',
      name: 'settings-code',
      // Never given a value when drawn: a one-time code is read from the field when sent.
      classes: 'govuk-input--width-20',
      label: { text: ctx.t('staff.settings.code'), classes: 'govuk-label--m' },
      hint: { text: ctx.t('staff.settings.code.hint') },
      errorMessage: errorOptions(ctx, errorsAt(ctx, 'code')),
      inputmode: 'none',
      autocomplete: 'off',
      spellcheck: false,
      attributes: { 'data-keyboard': 'alnum', maxlength: 24 },
    })}
    <div class="govuk-button-group">${actionButton(ctx.t('staff.settings.enrol'), 'enrol')}</div>`
}

export const staffSettings: Screen = {
  id: 'staff-settings',
  modes: ['staff'],
  back: 'staff-home',
  task: { permission: 'printer_settings', label: 'staff.task.settings', order: 7, open: showSettings },
  title: (ctx) => ctx.t('staff.settings.heading'),
  render(ctx) {
    const s = ctx.desk.settings
    if (!s) return html``
    const paper = s.answer.paper === 'a4' ? 'staff.settings.paper.a4' : 'staff.settings.paper.receipt'
    const note = s.note
      ? notificationBanner({
          type: 'success',
          titleText: ctx.t('staff.done'),
          titleId: 'settings-note-title',
          attributes: { id: 'settings-note', tabindex: '-1' },
          text:
            s.note === 'printer'
              ? ctx.t('staff.settings.saved', { queue: s.answer.queue ?? '', paper: ctx.t(paper) })
              : ctx.t('staff.settings.enrolled_now', { central: s.answer.central_url ?? '' }),
        })
      : ''
    return html`${note}${errorSummary(ctx, (f) => TARGETS[f] ?? null)}
      ${staffHeading(ctx, ctx.t('staff.settings.heading'))}
      ${printerSection(ctx, s)}
      <hr class="govuk-section-break govuk-section-break--l govuk-section-break--visible">
      ${enrolmentSection(ctx, s)}
      <div class="govuk-button-group">${backButton(ctx)}</div>`
  },
  input(ctx, field) {
    const s = ctx.desk.settings
    if (!s) return
    if (field.name === 'settings-queue') s.queue = field.value
    else if (field.name === 'settings-paper') s.paper = field.value
    else if (field.name === 'settings-central-url') s.centralUrl = field.value
  },
  errorTarget: (_, field) => TARGETS[field] ?? null,
  actions: {
    'save-printer': async (ctx) => {
      const s = ctx.desk.settings
      if (!s || ctx.view.busy) return
      const paper = s.paper === 'a4' ? 'a4' : 'receipt'
      const answer = await ctx.staffCall('staff_set_printer', { queue: s.queue, paper })
      if (!answer) return
      ctx.desk.settings = draft(answer, 'printer', s.centralUrl)
      ctx.render({ id: 'settings-note' })
    },
    enrol: async (ctx) => {
      const s = ctx.desk.settings
      if (!s || ctx.view.busy) return
      const codeField = document.getElementById('settings-code')
      const code = codeField instanceof HTMLInputElement ? codeField.value : ''
      const done = await ctx.staffCall('staff_enrol', { central_url: s.centralUrl, code })
      if (!done) return
      // Central's staff accounts replace this kiosk's own: when this one has gone, the call
      // answers not_signed_in and the kiosk goes back to its start screen.
      const answer = await ctx.staffCall('staff_settings', {})
      if (!answer) return
      ctx.desk.settings = draft(answer, 'enrolled')
      ctx.render({ id: 'settings-note' })
    },
  },
}
