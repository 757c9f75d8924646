// The printed forms (受理回执, 不予受理告知单, 工单打印) are documents handed to citizens and filed: they are always in
// Chinese, whatever the UI's language, with dates and time limits written as such documents write them.
import type { EventView, Limit } from '../api/types'
import zh from '../i18n/zh'

/** `2026-12-05T09:30:00+08:00` → `2026年12月5日 09:30` (the server gives the center's local time). */
export function cnDateTime(s: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(s ?? '')
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}` : ''
}

/** `2026-12-05…` → `2026年12月5日`. */
export function cnDate(s: string | null | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s ?? '')
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : ''
}

/** A time limit as a receipt states it: `5 个工作日`, `4 个工作小时`, `2 小时`, `3 天`. */
export function cnLimit(l: Limit | null | undefined): string {
  if (!l) return '—'
  const n = l.value
  switch (l.unit) {
    case 'working_days':
      return `${n} 个工作日`
    case 'working_minutes':
      return n % 60 === 0 ? `${n / 60} 个工作小时` : `${n} 个工作分钟`
    case 'minutes':
      if (n % 1440 === 0) return `${n / 1440} 天`
      return n % 60 === 0 ? `${n / 60} 小时` : `${n} 分钟`
    default:
      return String(n)
  }
}

/** What a timeline step carried, in Chinese: the unit dispatched to, the reason, the reply, the rating… */
export function eventDetailZh(e: EventView, unitName: (code: string) => string, label: (kind: 'outcome' | 'satisfaction', code: string) => string): string {
  const d = e.data ?? {}
  const f = zh.form
  const parts: string[] = []
  if (typeof d.unit === 'string' && e.action === 'dispatch') parts.push(`${f.unit}：${unitName(d.unit)}`)
  if (Array.isArray(d.co_units) && d.co_units.length) parts.push(`${f.coUnits}：${(d.co_units as string[]).map(unitName).join('、')}`)
  if (typeof d.reason === 'string') parts.push(`${f.reason}：${d.reason}`)
  if (typeof d.reply === 'string') parts.push(`${f.reply}：${d.reply}`)
  if (typeof d.outcome === 'string') parts.push(`${f.outcome}：${label('outcome', d.outcome)}`)
  if (typeof d.satisfaction === 'string') parts.push(`${f.satisfaction}：${label('satisfaction', d.satisfaction)}`)
  if (typeof d.resolved === 'boolean') parts.push(`${f.resolved}：${d.resolved ? '是' : '否'}`)
  if (typeof d.working_days === 'number') parts.push(`${f.workingDays}：${d.working_days}`)
  if (typeof d.approve === 'boolean') parts.push(d.approve ? zh.detail.approve : zh.detail.deny)
  if (typeof d.to === 'string') parts.push(`${f.escalateTo}：${unitName(d.to)}`)
  return parts.join('；')
}
