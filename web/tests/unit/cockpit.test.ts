import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'
import type { Cockpit, Rate, UnitMetrics } from '../../src/api/types'
import { kpis, overdueBars, periodText, rateFormula, rateRows, rateText, unitFilter } from '../../src/utils/cockpit'
import type { Translate } from '../../src/utils/cockpit'

function translator(locale: 'zh-CN' | 'en'): Translate {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zh, en } })
  return (k, p) => i18n.global.t(k, p ?? {})
}
const tz = translator('zh-CN')
const te = translator('en')

const r = (numerator: number, denominator: number): Rate => ({ numerator, denominator, rate: denominator ? Math.round((numerator / denominator) * 10000) / 10000 : null })
function metrics(unit: string, name: string, over: Partial<UnitMetrics> = {}): UnitMetrics {
  return {
    unit,
    name,
    sign_on_time: r(19, 20),
    handle_on_time: r(123, 130),
    overdue: 7,
    return_rate: r(1, 20),
    reopen_rate: r(2, 130),
    extension_rate: r(3, 20),
    satisfaction: r(27, 29),
    resolution: r(25, 29),
    unreachable: 2,
    avg_handling_days: 3.5,
    ...over,
  }
}
const cockpit: Cockpit = {
  from: '2026-10-01T00:00:00+08:00',
  to: '2026-12-31T23:59:59+08:00',
  metrics_period: '2026-10..2026-12',
  unit: 'district',
  unit_name: '临江区社会治理中心',
  total: 412,
  by_day: [],
  by_category: [],
  by_street: [],
  rates: metrics('district', '临江区社会治理中心'),
  unit_rates: [],
  overdue_now: 25,
  overdue_top: [
    { unit: 'cgj', name: '城管局', count: 12 },
    { unit: 'hbj', name: '环保局', count: 8 },
  ],
  overdue_other: 5,
  satisfaction: [],
}

describe('cockpit figures', () => {
  it('names each figure as the unit metrics do and shows its numerator and denominator', () => {
    expect(rateFormula('handle_on_time', r(123, 130), tz)).toBe('按时办结率 = 期内按时办结 123 ÷ 期内办结 130')
    expect(rateFormula('sign_on_time', r(19, 20), tz)).toBe('按时签收率 = 期内按时签收 19 ÷ 期内派单 20')
    expect(rateFormula('satisfaction', r(27, 29), tz)).toBe('满意率 = 回访满意（含基本满意） 27 ÷ 回访已评价 29')
    expect(rateFormula('handle_on_time', r(0, 0), tz)).toContain('本期无可计算的件数')
    expect(rateFormula('handle_on_time', r(123, 130), te)).toBe('On-time resolution rate = resolved on time in the period 123 ÷ resolved in the period 130')
  })

  it('gives the six cards in order, each value from the answer and a formula on hover', () => {
    const cards = kpis(cockpit, tz)
    expect(cards.map((c) => c.label)).toEqual(['受理量', '按时签收率', '按时办结率', '满意率', '当前超期', '无法回访'])
    expect(cards.map((c) => c.value)).toEqual(['412', '95.0%', '94.6%', '93.1%', '25', '2'])
    expect(cards[0].formula).toBe('受理量 = 2026-10-01 至 2026-12-31 登记的诉求 412 件')
    expect(cards[4].formula).toContain('工作台「超期」')
    for (const c of cards) expect(c.formula, c.key).toContain(c.label)
    // A rate with nothing to divide is a dash, not 0% or 100%.
    const none = kpis({ ...cockpit, rates: metrics('x', 'x', { satisfaction: r(0, 0) }) }, tz)
    expect(none[3].value).toBe('—')
  })

  it('draws the overdue bars so that they add up to the card', () => {
    const bars = overdueBars(cockpit, '其他单位')
    expect(bars.map((b) => b.name)).toEqual(['城管局', '环保局', '其他单位'])
    expect(bars.reduce((s, b) => s + b.count, 0)).toBe(cockpit.overdue_now)
    expect(overdueBars({ ...cockpit, overdue_other: 0 }, '其他单位')).toHaveLength(2)
  })

  it('lists the units below that had anything to rate, busiest first', () => {
    const rows = rateRows([
      metrics('a', 'A', { sign_on_time: r(1, 2), handle_on_time: r(1, 1), satisfaction: r(0, 0) }),
      metrics('idle', 'Idle', { sign_on_time: r(0, 0), handle_on_time: r(0, 0), satisfaction: r(0, 0) }),
      metrics('b', 'B'),
    ])
    expect(rows.map((x) => x.unit)).toEqual(['b', 'a'])
    expect(rateText(r(19, 20))).toBe('95.0%（19 ÷ 20）')
    expect(rateText(r(0, 0))).toBe('—（0 ÷ 0）')
  })

  it('writes the period of the rates and filters a center by its region', () => {
    expect(periodText('2026-10..2026-12', tz)).toBe('2026-10 至 2026-12')
    expect(periodText('2026-11', tz)).toBe('2026-11')
    expect(periodText('2026-10..2026-12', te)).toBe('2026-10 to 2026-12')
    const units = [
      { code: 'st01', kind: 'hub', region: '330101001' },
      { code: 'cgj', kind: 'department', region: '330101' },
    ]
    expect(unitFilter('st01', units)).toEqual({ region: '330101001' })
    expect(unitFilter('cgj', units)).toEqual({ unit: 'cgj' })
    expect(unitFilter(undefined, units)).toEqual({})
  })
})
