// The figures of 风险预警, counted one way for every page that shows them (the risk queue's level counts, the cockpit's
// risk panel): alerts not closed, by level and by area.
import type { RiskAlert } from '../api/types'

export const RISK_LEVELS = ['red', 'orange', 'yellow', 'blue'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]
/** The levels' colours, the same on every page and chart. */
export const RISK_COLORS: Record<string, string> = { red: '#d03050', orange: '#f0a020', yellow: '#e6c229', blue: '#4c8bf5' }

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

/** The week of a report: the seven days ending on `to` (`YYYY-MM-DD`, Asia/Shanghai). */
export function weekOf(to: string): { from: string; to: string } {
  const d = new Date(`${to}T00:00:00+08:00`)
  d.setUTCDate(d.getUTCDate() - 6)
  const from = new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
  return { from, to }
}

/** Alerts raised and closed within the days `from`..`to` (dates of the center's local times). */
export function weekCounts(alerts: RiskAlert[], from: string, to: string): { raised: number; closed: number } {
  const inWeek = (s: string | null) => !!s && s.slice(0, 10) >= from && s.slice(0, 10) <= to
  return {
    raised: alerts.filter((a) => inWeek(a.created_at)).length,
    closed: alerts.filter((a) => inWeek(a.closed_at)).length,
  }
}

/**
 * An alert's one-line summary in the UI's language: the server writes it in Chinese (for the record and the printed
 * report); in English it is said again from the evidence.
 */
export function summaryIn(a: RiskAlert, english: boolean): string {
  if (!english) return a.summary
  const e = a.evidence ?? {}
  switch (a.kind) {
    case 'repeat_caller':
      return `One caller, ${e.cases} times in ${e.window_days} days${e.language_rising ? ', in ever harsher words' : ''}`
    case 'cluster':
      return e.object ? `${e.reporters} people about “${e.object}”` : `${e.reporters} people report one problem (${e.category})`
    case 'language':
      return `High-risk wording in case ${e.number}`
    case 'history': {
      const what = e.object ? `“${e.object}”` : 'this caller'
      const failed = (e.failed_mediations ?? []).length
      return `New requests about ${what} after ${failed ? `${failed} failed mediation(s)` : ''}${failed && e.earlier ? ' and ' : ''}${e.earlier ? `${e.earlier} badly handled case(s)` : ''}`
    }
    default:
      return a.summary
  }
}
