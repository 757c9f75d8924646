import { describe, expect, it } from 'vitest'
import { activeByArea, activeByLevel, summaryIn, weekCounts, weekOf } from '../../src/utils/risk'
import type { RiskAlert } from '../../src/api/types'

const alert = (level: RiskAlert['level'], status: RiskAlert['status'], region_name: string) =>
  ({ level, status, region_name, region: region_name }) as unknown as RiskAlert

describe('risk figures', () => {
  const alerts = [
    alert('red', 'open', '临江街道'),
    alert('red', 'closed', '临江街道'),
    alert('orange', 'acknowledged', '金桥社区'),
    alert('yellow', 'open', '临江街道'),
    alert('yellow', 'open', '金桥社区'),
    alert('yellow', 'open', '金桥社区'),
  ]
  it('counts alerts not closed, by level', () => {
    expect(activeByLevel(alerts)).toEqual({ red: 1, orange: 1, yellow: 3, blue: 0 })
  })
  it('counts them by area, the busiest first, adding up to the level counts', () => {
    const areas = activeByArea(alerts)
    expect(areas.map((a) => [a.area, a.total])).toEqual([
      ['金桥社区', 3],
      ['临江街道', 2],
    ])
    expect(areas[1].counts).toEqual({ red: 1, orange: 0, yellow: 1, blue: 0 })
    expect(areas.reduce((n, a) => n + a.total, 0)).toBe(5)
  })
})

describe('the weekly report', () => {
  it('covers the seven days ending on its date', () => {
    expect(weekOf('2026-12-06')).toEqual({ from: '2026-11-30', to: '2026-12-06' })
    expect(weekOf('2026-03-01')).toEqual({ from: '2026-02-23', to: '2026-03-01' })
  })
  it("counts what was raised and closed in the week, by the center's local dates", () => {
    const a = (created_at: string, closed_at: string | null) => ({ created_at, closed_at }) as unknown as RiskAlert
    const alerts = [a('2026-11-29T23:59:00+08:00', null), a('2026-11-30T00:01:00+08:00', '2026-12-06T23:00:00+08:00'), a('2026-12-07T08:00:00+08:00', null)]
    expect(weekCounts(alerts, '2026-11-30', '2026-12-06')).toEqual({ raised: 1, closed: 1 })
  })
})

describe('an alert said in English', () => {
  const a = (kind: string, evidence: Record<string, unknown>) => ({ kind, evidence, summary: '中文摘要' }) as unknown as RiskAlert
  it('keeps the Chinese summary in Chinese and says it again from the evidence in English', () => {
    expect(summaryIn(a('cluster', { object: '宏达电子厂', reporters: 7 }), false)).toBe('中文摘要')
    expect(summaryIn(a('cluster', { object: '宏达电子厂', reporters: 7 }), true)).toBe('7 people about “宏达电子厂”')
    expect(summaryIn(a('repeat_caller', { cases: 6, window_days: 7, language_rising: true }), true)).toBe(
      'One caller, 6 times in 7 days, in ever harsher words',
    )
    expect(summaryIn(a('language', { number: '2026-000123' }), true)).toBe('High-risk wording in case 2026-000123')
  })
})
