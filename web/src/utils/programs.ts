// 重点工作 (issue 21, item 2): pure helpers of the program pages — the traffic lights' colours and order, percent
// formatting, the ledger line, milestones late or on time, who may act (the program office, the lead unit) and where
// a server's refusal of a milestone row belongs (`milestones[0].planned_percent` → row 0, field planned_percent).
import type { ProgramItem, ProgramLedger, ProgramLight, ProgramMilestone, ProgramReport, Unit } from '../api/types'

export const PROGRAM_KINDS = ['key_project', 'livelihood', 'rectification'] as const
export const PROGRAM_LIGHTS: ProgramLight[] = ['red', 'yellow', 'on_plan', 'done']

/** The lights' colours: 红 red, 黄 amber, 绿 (按计划) green, 已完成 blue. */
export const LIGHT_COLORS: Record<ProgramLight, string> = { red: '#d93026', yellow: '#e6a23c', on_plan: '#67c23a', done: '#409eff' }

/** Element Plus tag types of the lights. */
export function lightTagType(light: string): 'danger' | 'warning' | 'success' | 'primary' | 'info' {
  switch (light) {
    case 'red':
      return 'danger'
    case 'yellow':
      return 'warning'
    case 'on_plan':
      return 'success'
    case 'done':
      return 'primary'
    default:
      return 'info'
  }
}

export function lightColor(light: string): string {
  return LIGHT_COLORS[light as ProgramLight] ?? '#909399'
}

/** The i18n key of a light's label (`programs.lights.red` …). */
export function lightKey(light: string): string {
  return (PROGRAM_LIGHTS as string[]).includes(light) ? `programs.lights.${light}` : 'programs.lights.unknown'
}

/** Worst first: red, yellow, on plan, done; then by the item's number. */
export function byUrgency(a: Pick<ProgramItem, 'light' | 'seq'>, b: Pick<ProgramItem, 'light' | 'seq'>): number {
  const i = (l: string) => {
    const n = (PROGRAM_LIGHTS as string[]).indexOf(l)
    return n < 0 ? PROGRAM_LIGHTS.length : n
  }
  return i(a.light) - i(b.light) || a.seq - b.seq
}

/** A percent as shown: `72%`, `56.7%` (one decimal at most), `—` when there is none. */
export function fmtPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  const r = Math.round(v * 10) / 10
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)}%`
}

/** A percent for a progress bar: clamped to 0–100, whole numbers or one decimal. */
export function barPercent(v: number | null | undefined): number {
  if (v === null || v === undefined || !Number.isFinite(v)) return 0
  return Math.min(100, Math.max(0, Math.round(v * 10) / 10))
}

/** The progress bar's status by light: red exception, yellow warning, done success, otherwise plain. */
export function barStatus(light: string): '' | 'exception' | 'warning' | 'success' {
  return light === 'red' ? 'exception' : light === 'yellow' ? 'warning' : light === 'done' ? 'success' : ''
}

/** The share of items done, 0–100 (0 for an empty program). */
export function donePercent(l: Pick<ProgramLedger, 'items' | 'done'>): number {
  return l.items ? Math.round((l.done / l.items) * 1000) / 10 : 0
}

/** The ledger's counts by light, in the order shown (green = on plan). */
export function ledgerCounts(l: ProgramLedger): { light: ProgramLight; n: number }[] {
  return [
    { light: 'on_plan', n: l.on_plan },
    { light: 'yellow', n: l.yellow },
    { light: 'red', n: l.red },
    { light: 'done', n: l.done },
  ]
}

export type MilestoneState = 'done' | 'late_done' | 'late' | 'pending'

/**
 * A milestone today (`YYYY-MM-DD`): done on time, done late (its actual date after the planned one), late (not done
 * and the planned date has passed) or still ahead.
 */
export function milestoneState(m: Pick<ProgramMilestone, 'planned' | 'actual'>, today: string): MilestoneState {
  if (m.actual) return m.actual > m.planned ? 'late_done' : 'done'
  return m.planned < today ? 'late' : 'pending'
}

/** Whether a milestone shows red: late, done or not. */
export function milestoneLate(m: Pick<ProgramMilestone, 'planned' | 'actual'>, today: string): boolean {
  const s = milestoneState(m, today)
  return s === 'late' || s === 'late_done'
}

/** el-steps' status of a milestone. */
export function stepStatus(m: Pick<ProgramMilestone, 'planned' | 'actual'>, today: string): 'success' | 'error' | 'wait' | 'finish' {
  switch (milestoneState(m, today)) {
    case 'done':
      return 'success'
    case 'late_done':
      return 'finish'
    case 'late':
      return 'error'
    default:
      return 'wait'
  }
}

/** The index of the first milestone not done (el-steps' active step); the count when all are done. */
export function activeStep(ms: Pick<ProgramMilestone, 'actual'>[]): number {
  const i = ms.findIndex((m) => !m.actual)
  return i < 0 ? ms.length : i
}

/** Tag type of a report's status: 待审核 warning, 已通过 success, 已退回 danger. */
export function reportTagType(status: ProgramReport['status'] | string): 'warning' | 'success' | 'danger' | 'info' {
  return status === 'pending' ? 'warning' : status === 'approved' ? 'success' : status === 'rejected' ? 'danger' : 'info'
}

/** The reports pending review. */
export function pendingReports(item: Pick<ProgramItem, 'reports'>): ProgramReport[] {
  return (item.reports ?? []).filter((r) => r.status === 'pending')
}

/**
 * Where a server's 422 about an item belongs: `milestones[2].planned` → `{ row: 2, key: 'planned' }`; a top-level
 * field (`name`, `lead_unit`) → `{ row: null, key }`.
 */
export function fieldPlace(field: string | undefined | null): { row: number | null; key: string } | null {
  if (!field) return null
  const m = /^(?:milestones|milestones_done)\[(\d+)\]\.(\w+)$/.exec(field)
  if (m) return { row: Number(m[1]), key: m[2] }
  return { row: null, key: field }
}

/** The district's centre: the hub with no parent (the program office sits there). */
export function districtHub(units: Unit[]): Unit | undefined {
  return units.find((u) => u.kind === 'hub' && !u.parent) ?? units.find((u) => u.level === 'district' && u.kind === 'hub')
}

/** Whether `unit` is `ancestor` or below it in the org tree. */
export function isWithin(units: Unit[], ancestor: string, unit: string | null | undefined): boolean {
  if (!unit) return false
  const parent = new Map(units.map((u) => [u.code, u.parent]))
  let cur: string | null | undefined = unit
  for (let guard = 0; cur && guard < 64; guard++) {
    if (cur === ancestor) return true
    cur = parent.get(cur)
  }
  return false
}

interface Who {
  role: string
  unit: string | null
}

/** The program office as the server has it: administrators; supervisors and leaders of the district's centre. */
export function isProgramOffice(user: Who | null | undefined, units: Unit[]): boolean {
  if (!user) return false
  if (user.role === 'admin') return true
  return (user.role === 'supervisor' || user.role === 'leader') && !!user.unit && user.unit === districtHub(units)?.code
}

/** Roles offered the office's buttons (the server refuses the others with 403, which the page shows). */
export function offersOffice(role: string | null | undefined): boolean {
  return role === 'admin' || role === 'supervisor' || role === 'leader'
}

/** Whether the user may report an item's progress: staff (not clerks) of the lead unit or below it. */
export function canReport(user: Who | null | undefined, lead: string, units: Unit[]): boolean {
  if (!user || user.role === 'clerk' || user.role === 'citizen') return false
  return isWithin(units, lead, user.unit)
}

export interface MilestoneRow {
  name: string
  planned: string
  planned_percent: number | null
}

/**
 * A new item's milestone rows as the server takes them, every row in its place (names trimmed): the server's
 * `milestones[n]` must name the row shown as n.
 */
export function milestonesBody(rows: MilestoneRow[]): { name: string; planned: string; planned_percent: number | null }[] {
  return rows.map((r) => ({ name: r.name.trim(), planned: r.planned, planned_percent: r.planned_percent }))
}

/**
 * A server's 422 message without the field it names (`字段 milestones[1].planned_percent：应在 0 到 100 之间` → `应在
 * 0 到 100 之间`, `field percent: must be 0 to 100` → `must be 0 to 100`): shown beside that field, the name is noise.
 */
export function fieldMessage(message: string, field: string | undefined | null): string {
  if (!field) return message
  for (const prefix of [`字段 ${field}：`, `field ${field}: `]) if (message.startsWith(prefix)) return message.slice(prefix.length) || message
  return message
}
