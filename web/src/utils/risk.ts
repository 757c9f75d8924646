// The figures of 风险预警, counted one way for every page that shows them (the risk queue's level counts, the cockpit's
// risk panel): alerts not closed, by level and by area.
import type { RiskAlert } from '../api/types'

export const RISK_LEVELS = ['red', 'orange', 'yellow', 'blue'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]

const active = (alerts: RiskAlert[]) => alerts.filter((a) => a.status !== 'closed')

/** Alerts not closed, by level. */
export function activeByLevel(alerts: RiskAlert[]): Record<RiskLevel, number> {
  const out: Record<RiskLevel, number> = { red: 0, orange: 0, yellow: 0, blue: 0 }
  for (const a of active(alerts)) if (a.level in out) out[a.level] += 1
  return out
}

/** Alerts not closed, by area (the hub of the alert's region) and level, the busiest area first. */
export function activeByArea(alerts: RiskAlert[]): { area: string; counts: Record<RiskLevel, number>; total: number }[] {
  const areas = new Map<string, Record<RiskLevel, number>>()
  for (const a of active(alerts)) {
    const key = a.region_name || a.region
    const c = areas.get(key) ?? { red: 0, orange: 0, yellow: 0, blue: 0 }
    if (a.level in c) c[a.level] += 1
    areas.set(key, c)
  }
  return [...areas.entries()]
    .map(([area, counts]) => ({ area, counts, total: RISK_LEVELS.reduce((n, l) => n + counts[l], 0) }))
    .sort((a, b) => b.total - a.total || a.area.localeCompare(b.area))
}
