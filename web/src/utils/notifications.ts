// How the notifications page shows a notification: its kind as a coloured tag, a digest's deadlines as local times.

/** The kinds the server sends (crates/app/src/notify.rs `kind`). */
export const NOTIFICATION_KINDS = [
  'dispatched',
  'recalled',
  'returned',
  'reopened',
  'extension_requested',
  'extension_decided',
  'escalated',
  'urged',
  'supervised',
  'deadline_digest',
  'urge',
  'supervise',
  'high_risk',
] as const

export type TagType = 'primary' | 'success' | 'warning' | 'danger' | 'info'

/** The tag colour of a kind: red for what went wrong, orange for what presses, blue for new work. */
export function kindTag(kind: string): TagType {
  switch (kind) {
    case 'returned':
    case 'reopened':
    case 'high_risk':
    case 'supervise':
    case 'supervised':
      return 'danger'
    case 'urge':
    case 'urged':
    case 'extension_requested':
    case 'deadline_digest':
    case 'escalated':
      return 'warning'
    case 'extension_decided':
      return 'success'
    case 'recalled':
      return 'info'
    default:
      return 'primary'
  }
}

const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** An instant in epoch milliseconds as the center's local time, `2026-12-05 17:30`. */
export function fmtEpoch(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return ''
  const parts = Object.fromEntries(shanghai.formatToParts(new Date(ms)).map((p) => [p.type, p.value]))
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}
