import { describe, expect, it } from 'vitest'
import type { Unit } from '../../src/api/types'
import {
  LIGHT_COLORS, activeStep, barPercent, barStatus, byUrgency, canReport, districtHub, donePercent, fieldPlace, fmtPercent, isProgramOffice,
  fieldMessage, isWithin, ledgerCounts, lightColor, lightKey, lightTagType, milestoneLate, milestoneState, milestonesBody, offersOffice, pendingReports,
  reportTagType, stepStatus,
} from '../../src/utils/programs'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'

const unit = (code: string, parent: string | null, kind: Unit['kind'] = 'hub', level: Unit['level'] = 'street'): Unit => ({
  code,
  name: code,
  level,
  level_label: '',
  kind,
  kind_label: '',
  parent,
  region: code,
})
const units = [unit('qz', null, 'hub', 'district'), unit('cgj', 'qz', 'department', 'district'), unit('cgj1', 'cgj', 'department', 'district'), unit('lj', 'qz'), unit('jq', 'lj', 'hub', 'community')]

describe('programs: lights', () => {
  it('colours and labels each light, red and yellow as danger and warning', () => {
    expect(lightTagType('red')).toBe('danger')
    expect(lightTagType('yellow')).toBe('warning')
    expect(lightTagType('on_plan')).toBe('success')
    expect(lightTagType('done')).toBe('primary')
    expect(lightTagType('whatever')).toBe('info')
    expect(lightColor('red')).toBe(LIGHT_COLORS.red)
    expect(lightColor('nope')).toBe('#909399')
    expect(lightKey('yellow')).toBe('programs.lights.yellow')
    expect(lightKey('nope')).toBe('programs.lights.unknown')
    for (const l of ['red', 'yellow', 'on_plan', 'done', 'unknown']) {
      expect((zh.programs.lights as Record<string, string>)[l]).toBeTruthy()
      expect((en.programs.lights as Record<string, string>)[l]).toBeTruthy()
    }
  })
  it('lists the worst first, then by number', () => {
    const items = [
      { light: 'done' as const, seq: 1 },
      { light: 'on_plan' as const, seq: 2 },
      { light: 'red' as const, seq: 5 },
      { light: 'yellow' as const, seq: 3 },
      { light: 'red' as const, seq: 4 },
    ]
    expect([...items].sort(byUrgency).map((i) => i.seq)).toEqual([4, 5, 3, 2, 1])
  })
  it('shows the bar by light', () => {
    expect(barStatus('red')).toBe('exception')
    expect(barStatus('yellow')).toBe('warning')
    expect(barStatus('done')).toBe('success')
    expect(barStatus('on_plan')).toBe('')
  })
})

describe('programs: figures', () => {
  it('formats percents with one decimal at most', () => {
    expect(fmtPercent(72)).toBe('72%')
    expect(fmtPercent(56.666)).toBe('56.7%')
    expect(fmtPercent(0)).toBe('0%')
    expect(fmtPercent(99.96)).toBe('100%')
    expect(fmtPercent(null)).toBe('—')
    expect(fmtPercent(Number.NaN)).toBe('—')
  })
  it('clamps a bar to 0–100', () => {
    expect(barPercent(120)).toBe(100)
    expect(barPercent(-3)).toBe(0)
    expect(barPercent(33.333)).toBe(33.3)
    expect(barPercent(undefined)).toBe(0)
  })
  it('counts the ledger: done of total, and the lights in order green, yellow, red, done', () => {
    const l = { items: 217, done: 214, on_plan: 1, yellow: 1, red: 1, reports_pending: 2 }
    expect(donePercent(l)).toBe(98.6)
    expect(donePercent({ items: 0, done: 0 })).toBe(0)
    expect(ledgerCounts(l).map((c) => [c.light, c.n])).toEqual([
      ['on_plan', 1],
      ['yellow', 1],
      ['red', 1],
      ['done', 214],
    ])
  })
  it('writes the ledger line in both languages', async () => {
    const { createI18n } = await import('vue-i18n')
    const i = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zh, en } })
    expect(i.global.t('programs.ledger', { n: 217, done: 214 }, 217)).toBe('共 217 项，已完成 214 项')
    expect(i.global.t('programs.ledger', { n: 1, done: 0 }, 1)).toBe('共 1 项，已完成 0 项')
    i.global.locale.value = 'en'
    expect(i.global.t('programs.ledger', { n: 217, done: 214 }, 217)).toBe('217 items, 214 done')
    expect(i.global.t('programs.ledger', { n: 1, done: 0 }, 1)).toBe('1 item, 0 done')
    expect(i.global.t('programs.pending', { n: 1 }, 1)).toBe('1 report to review')
    expect(i.global.t('programs.lateDaysN', { n: 3 }, 3)).toBe('3 days')
  })
})

describe('programs: milestones and reports', () => {
  const today = '2026-12-06'
  it('tells a milestone done, done late, late or ahead', () => {
    expect(milestoneState({ planned: '2026-12-01', actual: '2026-11-30' }, today)).toBe('done')
    expect(milestoneState({ planned: '2026-12-01', actual: '2026-12-01' }, today)).toBe('done')
    expect(milestoneState({ planned: '2026-12-01', actual: '2026-12-03' }, today)).toBe('late_done')
    expect(milestoneState({ planned: '2026-12-05', actual: null }, today)).toBe('late')
    expect(milestoneState({ planned: '2026-12-06', actual: null }, today)).toBe('pending')
    expect(milestoneLate({ planned: '2026-12-05', actual: null }, today)).toBe(true)
    expect(milestoneLate({ planned: '2026-12-01', actual: '2026-12-03' }, today)).toBe(true)
    expect(milestoneLate({ planned: '2026-12-30', actual: null }, today)).toBe(false)
    expect(stepStatus({ planned: '2026-12-05', actual: null }, today)).toBe('error')
    expect(stepStatus({ planned: '2026-12-01', actual: '2026-11-30' }, today)).toBe('success')
    expect(stepStatus({ planned: '2026-12-30', actual: null }, today)).toBe('wait')
  })
  it('points the steps at the first milestone not done', () => {
    expect(activeStep([{ actual: '2026-01-01' }, { actual: null }, { actual: null }])).toBe(1)
    expect(activeStep([{ actual: '2026-01-01' }])).toBe(1)
    expect(activeStep([])).toBe(0)
  })
  it('tags report statuses and finds the pending ones', () => {
    expect(reportTagType('pending')).toBe('warning')
    expect(reportTagType('approved')).toBe('success')
    expect(reportTagType('rejected')).toBe('danger')
    const r = (n: number, status: 'pending' | 'approved' | 'rejected') => ({ n, at: '', by: '', unit: null, percent: 0, text: '', milestones_done: [], status, review: null })
    expect(pendingReports({ reports: [r(1, 'approved'), r(2, 'pending'), r(3, 'rejected')] }).map((x) => x.n)).toEqual([2])
  })
  it('places a server refusal on its milestone row', () => {
    expect(fieldPlace('milestones[0].planned_percent')).toEqual({ row: 0, key: 'planned_percent' })
    expect(fieldPlace('milestones[12].planned')).toEqual({ row: 12, key: 'planned' })
    expect(fieldPlace('milestones_done[1].date')).toEqual({ row: 1, key: 'date' })
    expect(fieldPlace('lead_unit')).toEqual({ row: null, key: 'lead_unit' })
    expect(fieldPlace(undefined)).toBeNull()
  })
  it("drops the field's name from a message shown beside that field", () => {
    expect(fieldMessage('字段 milestones[1].planned_percent：应在 0 到 100 之间', 'milestones[1].planned_percent')).toBe('应在 0 到 100 之间')
    expect(fieldMessage('field percent: must be 0 to 100', 'percent')).toBe('must be 0 to 100')
    expect(fieldMessage('字段 name：必填', 'text')).toBe('字段 name：必填')
    expect(fieldMessage('refused', undefined)).toBe('refused')
  })
  it('sends every milestone row in its place, so the server names the row shown', () => {
    expect(
      milestonesBody([
        { name: ' 开工 ', planned: '2026-12-01', planned_percent: 0 },
        { name: '', planned: '', planned_percent: null },
        { name: '竣工', planned: '2027-06-30', planned_percent: 120 },
      ]),
    ).toEqual([
      { name: '开工', planned: '2026-12-01', planned_percent: 0 },
      { name: '', planned: '', planned_percent: null },
      { name: '竣工', planned: '2027-06-30', planned_percent: 120 },
    ])
  })
})

describe('programs: who may act', () => {
  it('finds the district centre and the units within', () => {
    expect(districtHub(units)?.code).toBe('qz')
    expect(isWithin(units, 'cgj', 'cgj')).toBe(true)
    expect(isWithin(units, 'cgj', 'cgj1')).toBe(true)
    expect(isWithin(units, 'cgj', 'lj')).toBe(false)
    expect(isWithin(units, 'cgj', null)).toBe(false)
  })
  it('knows the program office as the server does', () => {
    expect(isProgramOffice({ role: 'admin', unit: 'lj' }, units)).toBe(true)
    expect(isProgramOffice({ role: 'supervisor', unit: 'qz' }, units)).toBe(true)
    expect(isProgramOffice({ role: 'leader', unit: 'qz' }, units)).toBe(true)
    expect(isProgramOffice({ role: 'supervisor', unit: 'lj' }, units)).toBe(false)
    expect(isProgramOffice({ role: 'dispatcher', unit: 'qz' }, units)).toBe(false)
    expect(isProgramOffice(null, units)).toBe(false)
    for (const r of ['admin', 'supervisor', 'leader']) expect(offersOffice(r), r).toBe(true)
    for (const r of ['clerk', 'dispatcher', 'handler', 'unit_lead', undefined]) expect(offersOffice(r), String(r)).toBe(false)
  })
  it('lets the lead unit and the units below it report, clerks not', () => {
    expect(canReport({ role: 'handler', unit: 'cgj' }, 'cgj', units)).toBe(true)
    expect(canReport({ role: 'unit_lead', unit: 'cgj1' }, 'cgj', units)).toBe(true)
    expect(canReport({ role: 'handler', unit: 'jq' }, 'cgj', units)).toBe(false)
    expect(canReport({ role: 'clerk', unit: 'cgj' }, 'cgj', units)).toBe(false)
    expect(canReport(null, 'cgj', units)).toBe(false)
  })
})
