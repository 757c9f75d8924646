import { describe, expect, it } from 'vitest'
import { activeByArea, activeByLevel } from '../../src/utils/risk'
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
