// Step 2: who is visiting, picked from the prisoner's list where the prison keeps one, or typed.

import type { Ctx, Screen } from '../../app/router'
import { emptyDate, emptyVisitor, isoDate, type VisitorDraft } from '../../app/state'
import { dateInput, errorMessages, input } from '../../components/govuk'
import { classes, html } from '../../components/html'
import { actionButton, backButton, continueButton, errorSummary, errorsAt, errorOptions, questionHeading } from '../../components/kiosk'
import { chosenSession, contactName, dateItems, party, questionTarget, visitorLabel, visitorName } from './journey'
import { typing } from './prisoner'

/** A visitor's first or last name, typed with the letter keyboard. */
function nameField(ctx: Ctx, i: number, which: 'first' | 'last') {
  const v = ctx.journey.visitors[i]
  return input({
    id: `visitor-${i}-${which}-name`,
    name: `visitor-${i}-${which}-name`,
    label: { text: ctx.t(which === 'first' ? 'visitors.first_name' : 'visitors.last_name'), classes: 'govuk-label--s' },
    value: which === 'first' ? v.firstName : v.lastName,
    classes: 'govuk-input--width-20',
    errorMessage: errorOptions(ctx, errorsAt(ctx, `visitors[${i}].${which}_name`)),
    ...typing('letters', 50),
  })
}

function visitorCard(ctx: Ctx, i: number) {
  const v = ctx.journey.visitors[i]
  const personErrors = errorsAt(ctx, `visitors[${i}]`)
  const anyError = personErrors.length > 0 || ctx.view.errors.some((e) => e.field?.startsWith(`visitors[${i}].`))
  const remove =
    ctx.journey.visitors.length > 1
      ? actionButton(ctx.t('button.remove'), 'remove', {
          classes: 'govuk-button--secondary kiosk-remove',
          data: { index: String(i) },
          label: ctx.t('visitors.remove_label', { name: visitorName(ctx, i) }),
        })
      : ''
  const body = v.contactId
    ? html`<p class="govuk-body-l kiosk-visitor__name">${contactName(ctx.journey, v.contactId)}</p>
       <p class="govuk-hint">${ctx.t('visitors.from_list')}</p>`
    : html`${nameField(ctx, i, 'first')}
       ${nameField(ctx, i, 'last')}
       ${dateInput({
         id: `visitor-${i}-dob`,
         namePrefix: `visitor-${i}-dob`,
         fieldset: { legend: { text: ctx.t('visitors.dob'), classes: 'govuk-fieldset__legend--s' } },
         hint: { text: ctx.t('dob.hint') },
         errorMessage: errorOptions(ctx, errorsAt(ctx, `visitors[${i}].date_of_birth`)),
         items: dateItems(ctx, v.dob),
       })}`
  return html`<div class="${classes('kiosk-visitor govuk-form-group', anyError && 'govuk-form-group--error')}" data-visitor="${i}">
    <div class="kiosk-visitor__head">
      <h2 class="govuk-heading-m" id="visitor-${i}-heading" tabindex="-1">${visitorLabel(ctx, i)}</h2>
      ${remove}
    </div>
    ${errorMessages(`visitor-${i}`, errorOptions(ctx, personErrors))}
    ${body}
  </div>`
}

export const visitors: Screen = {
  id: 'visitors',
  modes: ['visitor', 'helper'],
  back: 'prisoner',
  title: (ctx) => ctx.t('visitors.heading'),
  render(ctx) {
    const j = ctx.journey
    const limits = ctx.info?.party
    const full = j.visitors.length >= (limits?.max_visitors ?? 6)
    const picked = new Set(j.visitors.map((v) => v.contactId).filter(Boolean))
    const unpicked = (j.contacts ?? []).filter((c) => !picked.has(c.id))
    const list =
      j.contacts && !full && unpicked.length > 0
        ? html`<div class="kiosk-contacts">
            <h2 class="govuk-heading-m">${ctx.t('visitors.list.heading')}</h2>
            <p class="govuk-hint">${ctx.t('visitors.list.hint')}</p>
            <div class="kiosk-contacts__list">
              ${unpicked.map((c) =>
                actionButton(ctx.t('visitors.list.add', { name: c.name }), 'pick', {
                  classes: 'govuk-button--secondary kiosk-contact',
                  data: { id: c.id },
                }),
              )}
            </div>
          </div>`
        : ''
    const partyErrors = errorsAt(ctx, 'visitors')
    const addTyped = full
      ? html`<p class="govuk-body">${ctx.t('visitors.full')}</p>`
      : actionButton(ctx.t(j.contacts ? 'visitors.add_typed.list' : 'visitors.add_typed'), 'add', { classes: 'govuk-button--secondary' })
    return html`<form data-form="visitors" novalidate>
      ${errorSummary(ctx, questionTarget)}
      ${questionHeading(ctx, 2, ctx.t('visitors.heading'), { id: 'visitors-heading' })}
      ${limits
        ? html`<p class="govuk-body-l">${ctx.t('visitors.limits', {
            max_visitors: limits.max_visitors,
            max_adults: limits.max_adults,
            adult_age: limits.adult_age,
            lead_age: limits.lead_visitor_age,
          })}</p>`
        : ''}
      ${partyErrors.length
        ? html`<div class="govuk-form-group govuk-form-group--error">${errorMessages('visitors', errorOptions(ctx, partyErrors))}</div>`
        : ''}
      <div class="kiosk-visitors">${j.visitors.map((_, i) => visitorCard(ctx, i))}</div>
      ${list}
      <div class="govuk-button-group">${addTyped}</div>
      <div class="govuk-button-group">${continueButton(ctx)}${backButton(ctx)}</div>
    </form>`
  },
  actions: {
    pick(ctx, control) {
      const j = ctx.journey
      const blank = j.visitors.findIndex((v) => !v.contactId && !v.firstName && !v.lastName && !isoDate(v.dob))
      const picked: VisitorDraft = { contactId: control.dataset.id ?? '', firstName: '', lastName: '', dob: emptyDate() }
      if (blank >= 0) j.visitors[blank] = picked
      else j.visitors.push(picked)
      ctx.render({ id: `visitor-${blank >= 0 ? blank : j.visitors.length - 1}-heading` })
    },
    add(ctx) {
      ctx.journey.visitors.push(emptyVisitor())
      ctx.render({ id: `visitor-${ctx.journey.visitors.length - 1}-first-name` })
    },
    remove(ctx, control) {
      ctx.journey.visitors.splice(Number(control.dataset.index), 1)
      // Errors point at visitors by position: after a removal they would point at the wrong one.
      ctx.view.errors = []
      ctx.render({ id: 'visitors-heading' })
    },
  },
  input(ctx, field) {
    const m = /^visitor-(\d+)-(first-name|last-name|dob-day|dob-month|dob-year)$/.exec(field.name)
    const v = m ? ctx.journey.visitors[Number(m[1])] : undefined
    if (!m || !v) return
    const value = field.value
    if (m[2] === 'first-name') v.firstName = value
    else if (m[2] === 'last-name') v.lastName = value
    else if (m[2] === 'dob-day') v.dob.day = value
    else if (m[2] === 'dob-month') v.dob.month = value
    else v.dob.year = value
  },
  submit: submitVisitors,
  errorTarget: (_, field) => questionTarget(field),
}

/** Checks the party, then fetches the times it can book. */
export async function submitVisitors(ctx: Ctx): Promise<void> {
  const j = ctx.journey
  const checked = await ctx.call('check_visitors', party(j))
  if (!checked) return
  j.visitorNames = checked.visitors
  const sessions = await ctx.call('available_sessions', party(j))
  if (!sessions) return
  const before = chosenSession(j)
  j.sessions = sessions
  const stillThere = sessions.days.some((d) => d.sessions.some((s) => s.id === j.sessionId))
  if (j.changing && stillThere) return ctx.go('check')
  if (!stillThere && before) {
    // The visitors changed and the time they had chosen is no longer offered (a visitor banned
    // until after it, say): say so, rather than leave the visitor to notice it has gone.
    j.sessionId = ''
    j.droppedSession = { date: before.date, start: before.session.start, end: before.session.end }
    return ctx.go('time', 'notice')
  }
  if (!stillThere) j.sessionId = ''
  ctx.go('time')
}
