import { describe, expect, it } from 'vitest'
import { cnDate, cnDateTime, cnLimit } from '../../src/utils/print'

describe('printed forms', () => {
  it('write dates and time limits as a Chinese form does', () => {
    expect(cnDateTime('2026-12-05T09:30:00+08:00')).toBe('2026年12月5日 09:30')
    expect(cnDate('2026-01-09T23:59:00+08:00')).toBe('2026年1月9日')
    expect(cnDateTime(null)).toBe('')
    expect(cnLimit({ unit: 'working_days', value: 5 })).toBe('5 个工作日')
    expect(cnLimit({ unit: 'working_minutes', value: 240 })).toBe('4 个工作小时')
    expect(cnLimit({ unit: 'working_minutes', value: 90 })).toBe('90 个工作分钟')
    expect(cnLimit({ unit: 'minutes', value: 120 })).toBe('2 小时')
    expect(cnLimit({ unit: 'minutes', value: 2880 })).toBe('2 天')
    expect(cnLimit(null)).toBe('—')
  })
})
