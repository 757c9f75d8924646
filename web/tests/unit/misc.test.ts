import { describe, expect, it } from 'vitest'
import { toQueryString } from '../../src/api/http'
import { drillQuery, monthRange, rate, toPercent } from '../../src/utils/cockpit'
import { fmtTime, pct, validPhone } from '../../src/utils/format'

describe('toQueryString', () => {
  it('joins lists with commas and drops empty values', () => {
    expect(toQueryString({ status: ['accepted', 'registered'], q: '占道 经营', unit: '', page: 2, x: undefined, y: null, z: [] })).toBe(
      '?status=accepted%2Cregistered&q=%E5%8D%A0%E9%81%93+%E7%BB%8F%E8%90%A5&page=2',
    )
    expect(toQueryString({})).toBe('')
  })
})

describe('cockpit helpers', () => {
  it('spans a whole month, leap years included', () => {
    expect(monthRange('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' })
    expect(monthRange('2026-11')).toEqual({ from: '2026-11-01', to: '2026-11-30' })
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01', to: '2026-12-31' })
  })
  it('narrows the period and unit by what was clicked', () => {
    expect(drillQuery({ from: '2026-09-01', to: '2026-09-30', unit: undefined }, { unit: 'cgj', due: 'overdue' })).toEqual({
      from: '2026-09-01',
      to: '2026-09-30',
      unit: 'cgj',
      due: 'overdue',
    })
  })
  it('computes rates without dividing by zero', () => {
    expect(rate(1, 4)).toBe(0.25)
    expect(rate(0, 0)).toBeNull()
    expect(toPercent(0.9565)).toBe(95.7)
    expect(toPercent(1)).toBe(100)
    expect(pct(0.9565)).toBe('95.7%')
    expect(pct(null)).toBe('—')
  })
})

describe('format', () => {
  it('shows server instants as local date and minute', () => {
    expect(fmtTime('2026-11-26T09:30:00+08:00')).toBe('2026-11-26 09:30')
    expect(fmtTime(null)).toBe('')
  })
  it('checks phones as the server does', () => {
    expect(validPhone('13800001111')).toBe(true)
    expect(validPhone('0571-8888 1234')).toBe(true)
    expect(validPhone('1234')).toBe(false)
    expect(validPhone('138abc01111')).toBe(false)
  })
})
