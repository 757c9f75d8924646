import { describe, expect, it } from 'vitest'
import type { Mediation, Unit } from '../../src/api/types'
import { actionsFor, daysLeft, hubsUnder, judicialDueOf, judicialWindow, mediationTagType, nextDeadline, splitNames, todayCenter, DAY_MS } from '../../src/utils/mediation'
import { riskSettingUnit, RISK_SETTING_GROUPS } from '../../src/utils/riskSettings'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'

const at = (s: string) => Date.parse(s)

function med(over: Partial<Mediation> = {}): Mediation {
  return {
    id: '0190',
    case_id: 'c1',
    case_number: '2026-000001',
    alert_id: null,
    org_unit: 's1',
    org_unit_name: '临江街道',
    status: 'mediating',
    status_label: '调解中',
    summary: '楼上漏水',
    mediators: ['调解员 张'],
    parties: [
      { role: 'applicant', name: '王先生', phone: '138****2222', representative: null },
      { role: 'respondent', name: '李女士', phone: null, representative: '李女士之子' },
    ],
    sessions: [],
    agreement: null,
    judicial: null,
    route: null,
    termination: null,
    follow_ups: [],
    judicial_due: null,
    judicial_days_left: null,
    performance_due: null,
    version: 1,
    created_at: '2026-11-20T09:00:00+08:00',
    updated_at: '2026-11-20T09:00:00+08:00',
    ...over,
  }
}

const written = (effective: string, due: string | null) =>
  med({
    status: 'agreed',
    agreement: { form: 'written', terms: '赔偿 3000 元', effective_at: effective, performance_due: '2026-12-15T23:59:59+08:00' },
    judicial_due: due,
    performance_due: '2026-12-15T23:59:59+08:00',
  })

describe('the 司法确认 window (人民调解法 Art. 33)', () => {
  it('ends 30 days after the agreement took effect', () => {
    expect(judicialDueOf('2026-11-24T00:00:00+08:00')).toBe('2026-12-24T00:00:00+08:00')
    expect(judicialDueOf(null)).toBeNull()
  })
  it('counts whole days left as the server does, negative once past', () => {
    const due = '2026-12-24T00:00:00+08:00'
    // Signed today at 10:00: 29 whole days and some hours left.
    expect(daysLeft(due, at('2026-11-24T10:00:00+08:00'))).toBe(29)
    expect(daysLeft(due, at('2026-12-23T23:00:00+08:00'))).toBe(0)
    expect(daysLeft(due, at('2026-12-26T01:00:00+08:00'))).toBe(-3)
  })
  it('is open, then near (the last 7 days), then overdue; applied once the parties applied', () => {
    const m = written('2026-11-24T00:00:00+08:00', '2026-12-24T00:00:00+08:00')
    expect(judicialWindow(m, at('2026-11-24T10:00:00+08:00'))).toEqual({ state: 'open', due: '2026-12-24T00:00:00+08:00', daysLeft: 29 })
    expect(judicialWindow(m, at('2026-12-19T10:00:00+08:00')).state).toBe('warn')
    const late = judicialWindow(m, at('2026-12-26T10:00:00+08:00'))
    expect(late.state).toBe('overdue')
    expect(late.daysLeft).toBeLessThan(0)
    const applied = { ...m, judicial: { applied_at: '2026-12-01T00:00:00+08:00', result: null }, judicial_due: null }
    expect(judicialWindow(applied, at('2026-12-26T10:00:00+08:00'))).toEqual({ state: 'applied', due: '2026-12-24T00:00:00+08:00', daysLeft: null })
  })
  it('does not run for an oral agreement or before an agreement', () => {
    const oral = med({ status: 'agreed', agreement: { form: 'oral', terms: 'x', effective_at: '2026-11-24T00:00:00+08:00', performance_due: '2026-12-01T23:59:59+08:00' } })
    expect(judicialWindow(oral, 0).state).toBe('none')
    expect(judicialWindow(med(), 0).state).toBe('none')
  })
})

describe('the steps a mediation allows', () => {
  const now = at('2026-11-25T10:00:00+08:00')
  it('follows the status', () => {
    expect(actionsFor(med({ status: 'applied' }), now)).toEqual(['accept', 'terminate'])
    expect(actionsFor(med({ status: 'mediating' }), now)).toEqual(['session', 'agree', 'fail', 'terminate'])
    for (const s of ['failed', 'terminated', 'closed'] as const) expect(actionsFor(med({ status: s }), now)).toEqual([])
  })
  it('offers 司法确认 while the window runs, and for recording the court\'s result', () => {
    const m = written('2026-11-24T00:00:00+08:00', '2026-12-24T00:00:00+08:00')
    expect(actionsFor(m, now)).toEqual(['judicial', 'follow_up'])
    expect(actionsFor(m, at('2027-01-10T00:00:00+08:00'))).toEqual(['follow_up'])
    expect(actionsFor({ ...m, judicial: { applied_at: '2026-12-01T00:00:00+08:00', result: null }, judicial_due: null }, now)).toEqual(['judicial', 'follow_up'])
    expect(actionsFor({ ...m, judicial: { applied_at: '2026-12-01T00:00:00+08:00', result: 'confirmed' }, judicial_due: null }, now)).toEqual(['follow_up'])
    const oral = { ...m, agreement: { ...m.agreement!, form: 'oral' as const }, judicial_due: null }
    expect(actionsFor(oral, now)).toEqual(['follow_up'])
  })
})

describe('the next deadline of the list', () => {
  const units = [
    { unit: 'cgj', unit_name: '城管局', commitment: '修复楼顶防水', deadline: '2026-12-01T23:59:59+08:00' },
    { unit: 'zjj', unit_name: '住建局', commitment: '督促物业', deadline: '2026-11-28T23:59:59+08:00' },
  ]
  const session = { at: '2026-11-24T10:00:00+08:00', place: '调解室', attendees: ['王先生'], record: 'r', units }
  it('is the earliest commitment at the table while mediating', () => {
    const d = nextDeadline(med({ sessions: [session] }), at('2026-11-25T00:00:00+08:00'))
    expect(d).toEqual({ kind: 'commitment', at: '2026-11-28T23:59:59+08:00', overdue: false, unit: '住建局' })
    expect(nextDeadline(med({ sessions: [session] }), at('2026-11-30T00:00:00+08:00'))?.overdue).toBe(true)
  })
  it('is the 司法确认 window or the performance after an agreement, commitments past left out', () => {
    const m = { ...written('2026-11-24T00:00:00+08:00', '2026-12-24T00:00:00+08:00'), sessions: [session] }
    expect(nextDeadline(m, at('2026-12-05T00:00:00+08:00'))).toMatchObject({ kind: 'performance', overdue: false })
    // An overdue performance comes first.
    expect(nextDeadline(m, at('2026-12-20T00:00:00+08:00'))).toMatchObject({ kind: 'performance', overdue: true })
    const later = { ...m, performance_due: '2027-01-31T23:59:59+08:00' }
    expect(nextDeadline(later, at('2026-12-20T00:00:00+08:00'))).toMatchObject({ kind: 'judicial', overdue: false })
    expect(nextDeadline(later, at('2026-12-30T00:00:00+08:00'))).toMatchObject({ kind: 'judicial', overdue: true })
    expect(nextDeadline({ ...later, judicial: { applied_at: '2026-12-01T00:00:00+08:00', result: null } }, at('2026-12-30T00:00:00+08:00'))).toMatchObject({ kind: 'performance', overdue: false })
  })
  it('is none once the mediation ended', () => {
    expect(nextDeadline(med({ status: 'failed', sessions: [session] }), 0)).toBeNull()
  })
})

describe('helpers', () => {
  it('splits names typed on one line', () => {
    expect(splitNames('王先生、李女士，调解员 张, 城管局 刘；\n')).toEqual(['王先生', '李女士', '调解员 张', '城管局 刘'])
    expect(splitNames('  ')).toEqual([])
  })
  it('gives today in the center\'s time zone', () => {
    expect(todayCenter(at('2026-11-24T23:30:00+08:00'))).toBe('2026-11-24')
    expect(todayCenter(at('2026-11-24T23:30:00+08:00') + DAY_MS)).toBe('2026-11-25')
  })
  it('lists the hubs in service at a unit and below', () => {
    const u = (code: string, parent: string | null, kind: 'hub' | 'department' = 'hub', disabled = false) =>
      ({ code, name: code, level: 'street', level_label: '', kind, kind_label: '', parent, region: code, disabled }) as Unit
    const units = [u('c1', 's1'), u('d', null), u('s1', 'd'), u('s2', 'd'), u('cgj', 'd', 'department'), u('c2', 's1', 'hub', true)]
    expect(hubsUnder(units, 's1').map((x) => x.code)).toEqual(['c1', 's1'])
    expect(hubsUnder(units, 'd').map((x) => x.code).sort()).toEqual(['c1', 'd', 's1', 's2'])
    expect(hubsUnder(units, null)).toEqual([])
  })
  it('colours each status and labels it in both languages', () => {
    expect(mediationTagType('failed')).toBe('danger')
    expect(mediationTagType('agreed')).toBe('success')
    for (const s of ['applied', 'mediating', 'agreed', 'failed', 'terminated', 'closed']) {
      expect(zh.mediation.statuses[s]).toBeTruthy()
      expect(en.mediation.statuses[s]).toBeTruthy()
    }
  })
  it('gives each risk setting its unit and a label', () => {
    expect(riskSettingUnit('repeat_window_days')).toBe('days')
    expect(riskSettingUnit('burst_window_hours')).toBe('hours')
    expect(riskSettingUnit('cluster_red')).toBe('people')
    expect(riskSettingUnit('repeat_min_cases')).toBe('cases')
    expect(riskSettingUnit('similarity')).toBe('share')
    for (const k of RISK_SETTING_GROUPS.flatMap((g) => g.fields)) {
      expect(zh.riskSettings.fields[k], k).toBeTruthy()
      expect(en.riskSettings.fields[k], k).toBeTruthy()
    }
  })
})
