// 人民调解 (issue 20, item 5): what the pages compute from a mediation the server gives — which steps its status
// allows, the 30-day window to apply for 司法确认 (人民调解法 Art. 33), the next deadline of the list, names typed as
// one line. Pure: no Vue, no requests.
import type { Mediation, MediationStatus, Unit } from '../api/types'

export const DAY_MS = 86_400_000
/** 人民调解法 Art. 33: within 30 days of a written agreement taking effect. */
export const JUDICIAL_DAYS = 30
/** The list's `due=judicial` finds windows ending within this many days (the server's rule). */
export const JUDICIAL_WARN_DAYS = 7

export const MEDIATION_STATUSES: MediationStatus[] = ['applied', 'mediating', 'agreed', 'failed', 'terminated', 'closed']
export const PARTY_ROLES = ['applicant', 'respondent', 'third_party'] as const
export const ROUTES = ['arbitration', 'litigation', 'petition', 'other_org'] as const
export const MEDIATION_ACTIONS = ['accept', 'session', 'agree', 'judicial', 'fail', 'terminate', 'follow_up'] as const
export type MediationAction = (typeof MEDIATION_ACTIONS)[number]

/** The roles the server lets register and act on mediations (crates/app/src/mediation.rs `may_mediate`). */
export const MEDIATING_ROLES = ['dispatcher', 'supervisor', 'unit_lead', 'handler']
/** …and those who may read them (leaders too). */
export const MEDIATION_READERS = [...MEDIATING_ROLES, 'leader']

export const mayMediate = (role: string | null | undefined) => MEDIATING_ROLES.includes(role ?? '')

/** An instant of the server (`2026-12-24T23:59:59+08:00`) as epoch ms; NaN when there is none. */
export function ms(s: string | null | undefined): number {
  return s ? Date.parse(s) : Number.NaN
}

/** Whole days from `now` to `due`, rounded down as the server counts (`judicial_days_left`): negative once past. */
export function daysLeft(due: string, now: number): number {
  return Math.floor((ms(due) - now) / DAY_MS)
}

export type JudicialState = 'none' | 'open' | 'warn' | 'overdue' | 'applied'

export interface JudicialWindow {
  state: JudicialState
  /** The end of the window (from the server, or 30 days after the agreement took effect). */
  due: string | null
  /** Whole days left (negative: days past). Null when there is no window running. */
  daysLeft: number | null
}

/**
 * The 司法确认 window of a mediation: none for an oral agreement or no agreement; `applied` once the parties applied;
 * otherwise open, `warn` in its last 7 days (as the list's `due=judicial` finds it), `overdue` after it ended.
 */
export function judicialWindow(m: Pick<Mediation, 'agreement' | 'judicial' | 'judicial_due'>, now: number): JudicialWindow {
  if (!m.agreement || m.agreement.form !== 'written') return { state: 'none', due: null, daysLeft: null }
  const due = m.judicial_due ?? judicialDueOf(m.agreement.effective_at)
  if (m.judicial) return { state: 'applied', due, daysLeft: null }
  if (!due) return { state: 'none', due: null, daysLeft: null }
  const left = daysLeft(due, now)
  if (ms(due) < now) return { state: 'overdue', due, daysLeft: left }
  if (ms(due) <= now + JUDICIAL_WARN_DAYS * DAY_MS) return { state: 'warn', due, daysLeft: left }
  return { state: 'open', due, daysLeft: left }
}

/** The end of the 30-day window after an agreement took effect (`…T…+08:00` in, the same offset out). */
export function judicialDueOf(effective: string | null | undefined): string | null {
  const t = ms(effective)
  if (Number.isNaN(t)) return null
  // Written in the center's time (UTC+8), as the server writes instants.
  const d = new Date(t + JUDICIAL_DAYS * DAY_MS + 8 * 3600_000)
  return `${d.toISOString().slice(0, 19)}+08:00`
}

/** Whether an action fits the mediation's status (the server checks again). */
export function actionsFor(m: Pick<Mediation, 'status' | 'agreement' | 'judicial' | 'judicial_due'>, now: number): MediationAction[] {
  switch (m.status) {
    case 'applied':
      return ['accept', 'terminate']
    case 'mediating':
      return ['session', 'agree', 'fail', 'terminate']
    case 'agreed': {
      const out: MediationAction[] = []
      const w = judicialWindow(m, now)
      // Applying is possible while the window runs; a result can be recorded after the application.
      if (w.state === 'open' || w.state === 'warn' || (w.state === 'applied' && !m.judicial?.result)) out.push('judicial')
      out.push('follow_up')
      return out
    }
    default:
      return []
  }
}

export type DeadlineKind = 'judicial' | 'performance' | 'commitment'

export interface NextDeadline {
  kind: DeadlineKind
  at: string
  overdue: boolean
  /** The unit that committed (for a commitment). */
  unit?: string
}

/**
 * The deadline a mediation under way must meet next: the 司法确认 window, the agreement's performance, or a unit's
 * commitment at the table — the earliest, an overdue one first. None for a mediation that has ended.
 */
export function nextDeadline(m: Mediation, now: number): NextDeadline | null {
  if (!['applied', 'mediating', 'agreed'].includes(m.status)) return null
  const all: NextDeadline[] = []
  const push = (kind: DeadlineKind, at: string | null | undefined, unit?: string) => {
    if (at && !Number.isNaN(ms(at))) all.push({ kind, at, overdue: ms(at) < now, unit })
  }
  if (m.status === 'agreed') {
    if (!m.judicial) push('judicial', m.judicial_due)
    push('performance', m.performance_due)
  }
  for (const s of m.sessions ?? []) for (const u of s.units ?? []) push('commitment', u.deadline, u.unit_name)
  // A unit's commitment met long ago is not chased once the agreement stands: keep the ones not yet past, unless
  // all are past (then the earliest, overdue).
  all.sort((a, b) => ms(a.at) - ms(b.at))
  if (m.status === 'agreed') {
    const ahead = all.filter((d) => d.kind !== 'commitment' || !d.overdue)
    return ahead[0] ?? null
  }
  return all[0] ?? null
}

/** Names typed on one line (`王先生、李女士，调解员 张`) as a list: split at 、，,;； and line breaks. */
export function splitNames(s: string): string[] {
  return s
    .split(/[、，,;；\n]+/)
    .map((x) => x.trim())
    .filter(Boolean)
}

/** `YYYY-MM-DD` of today in the center's time zone (Asia/Shanghai). */
export function todayCenter(now: number = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10)
}

/** The parties of a role, in the order given. */
export const partiesOf = (m: Pick<Mediation, 'parties'>, role: string) => (m.parties ?? []).filter((p) => p.role === role)

/** The hubs in service at `root` and below (the mediation committees a user of `root` may name). */
export function hubsUnder(units: Unit[], root: string | null | undefined): Unit[] {
  if (!root) return []
  const under = new Set([root])
  // The org list is flat with parents: widen until nothing is added (any order of the list).
  let grew = true
  while (grew) {
    grew = false
    for (const u of units) if (u.parent && under.has(u.parent) && !under.has(u.code)) {
      under.add(u.code)
      grew = true
    }
  }
  return units.filter((u) => under.has(u.code) && u.kind === 'hub' && !u.disabled)
}

/** A status's tag colour: under way blue, agreed and closed green, failed red, terminated grey. */
export function mediationTagType(status: string): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  switch (status) {
    case 'applied':
      return 'warning'
    case 'mediating':
      return 'primary'
    case 'agreed':
    case 'closed':
      return 'success'
    case 'failed':
      return 'danger'
    default:
      return 'info'
  }
}
