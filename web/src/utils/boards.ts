// 红黄黑榜 (issue 21): pure helpers of the board pages — the lists of a group, the rates as percentages, the cases
// behind a metric, who may appeal, the periods to pick from, a unit's history as a chart.
import type { BoardEntry, BoardGroup, BoardHistory, BoardList } from '../api/types'

export const BOARD_LISTS: BoardList[] = ['red', 'yellow', 'black']

/** The lists' colours: 红榜 red, 黄榜 amber, 黑榜 near-black. */
export const BOARD_COLORS: Record<BoardList, string> = { red: '#d93026', yellow: '#e6a23c', black: '#303133' }

/** The metric names a board may weigh, in the server's order (crates/boards: METRICS). */
export const BOARD_METRICS = ['sign_on_time', 'handle_on_time', 'satisfaction', 'resolution', 'return_rate', 'reopen_rate', 'extension_rate'] as const
/** Metrics from the key programs and the visit campaigns (no case list behind them: the program and campaign pages are). */
export const INSTRUMENT_METRICS = ['program_progress', 'visit_coverage', 'visit_solved'] as const

/** Rates where lower is better (counted as 1 − rate in the score). */
export const LOWER_IS_BETTER = new Set(['return_rate', 'reopen_rate', 'extension_rate'])

export interface SplitGroup {
  red: BoardEntry[]
  yellow: BoardEntry[]
  black: BoardEntry[]
  /** Ranked but on no list, then the unranked (sample too small): by rank, the unranked last. */
  rest: BoardEntry[]
}

const byRank = (a: BoardEntry, b: BoardEntry) =>
  (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || (b.score ?? -1) - (a.score ?? -1) || a.unit.localeCompare(b.unit)

/** A group's entries on its three lists and the rest, each by rank. */
export function splitEntries(entries: BoardEntry[]): SplitGroup {
  const out: SplitGroup = { red: [], yellow: [], black: [], rest: [] }
  for (const e of [...entries].sort(byRank)) {
    if (e.board === 'red' || e.board === 'yellow' || e.board === 'black') out[e.board].push(e)
    else out.rest.push(e)
  }
  return out
}

/** Every entry of a board, with its group's name. */
export function allEntries(groups: BoardGroup[]): (BoardEntry & { group: string })[] {
  return groups.flatMap((g) => g.entries.map((e) => ({ ...e, group: g.name })))
}

/** How many units of a board are on each list. */
export function listCounts(groups: BoardGroup[]): Record<BoardList, number> {
  const c: Record<BoardList, number> = { red: 0, yellow: 0, black: 0 }
  for (const e of allEntries(groups)) if (e.board) c[e.board] += 1
  return c
}

/** A rate (0.9565) as `95.7%`; `—` when there is nothing to divide. */
export function ratePct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return `${(v * 100).toFixed(1)}%`
}

/** A score (0–100, two decimals) as `87.50`; `—` when the unit has none. */
export function scoreText(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(2)
}

/**
 * The cases behind a board metric, as `GET /metrics/units/{unit}/cases?metric=` names them: the numerator's cases
 * (a rate's "misses" are among its denominator's cases).
 */
export const METRIC_CASES: Record<string, { num: string; den: string }> = {
  sign_on_time: { num: 'signed_on_time', den: 'dispatched' },
  handle_on_time: { num: 'resolved_on_time', den: 'resolved' },
  satisfaction: { num: 'satisfied', den: 'rated' },
  resolution: { num: 'solved', den: 'rated' },
  return_rate: { num: 'returned', den: 'dispatched' },
  reopen_rate: { num: 'reopened', den: 'resolved' },
  extension_rate: { num: 'extensions', den: 'signed' },
}

/** The months to pick from: the published ones and the one shown (e.g. a draft's), newest first, each once. */
export function periodOptions(published: string[], ...more: (string | null | undefined)[]): string[] {
  const all = new Set<string>([...published, ...more.filter((p): p is string => !!p && /^\d{4}-\d{2}$/.test(p))])
  return [...all].sort().reverse()
}

/** `2026-12` → `2026-11`: the month before. */
export function previousMonth(period: string): string {
  const [y, m] = period.split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 2, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
}

/** The roles that may appeal a unit's entry (for their own unit and those below it), as the server has it. */
const APPEAL_ROLES = new Set(['unit_lead', 'dispatcher', 'supervisor', 'leader'])

/** Whether `unit` is `root` or below it in the org tree. */
export function isWithin(unit: string, root: string, units: { code: string; parent: string | null }[]): boolean {
  const parent = new Map(units.map((u) => [u.code, u.parent]))
  let cur: string | null | undefined = unit
  for (let i = 0; cur && i < 64; i++) {
    if (cur === root) return true
    cur = parent.get(cur)
  }
  return false
}

/** Whether the user may appeal this unit's entry: a unit's lead, dispatcher, supervisor or leader, for its own subtree. */
export function canAppeal(user: { role: string; unit?: string | null } | null | undefined, unit: string, units: { code: string; parent: string | null }[]): boolean {
  if (!user || !APPEAL_ROLES.has(user.role) || !user.unit) return false
  return isWithin(unit, user.unit, units)
}

/** The series of a unit's history chart: per month its score and rank, and the list it was on. */
export function historySeries(h: BoardHistory): { periods: string[]; scores: (number | null)[]; ranks: (number | null)[]; lists: (BoardList | null)[] } {
  return {
    periods: h.months.map((m) => m.period),
    scores: h.months.map((m) => m.score),
    ranks: h.months.map((m) => m.rank),
    lists: h.months.map((m) => m.board),
  }
}

/** The field of a rules refusal (`metrics[0].weight`) as its parts: the section, the row, the field. */
export function ruleField(field: string | undefined): { section: string; index: number | null; key: string | null } | null {
  if (!field) return null
  const m = /^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$/.exec(field)
  if (!m) return { section: field, index: null, key: null }
  return { section: m[1], index: m[2] === undefined ? null : Number(m[2]), key: m[3] ?? null }
}
