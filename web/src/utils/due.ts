import type { CaseView, DueState } from '../api/types'

/** The due instant of the clock that runs in the case's status (sign-for, handling or follow-up). */
export function activeDue(c: Pick<CaseView, 'status' | 'sign_due' | 'handle_due' | 'follow_up_due'>): string | null {
  switch (c.status) {
    case 'dispatched':
      return c.sign_due
    case 'in_progress':
      return c.handle_due
    case 'resolved':
      return c.follow_up_due
    default:
      return null
  }
}

/**
 * The due state the UI shows. The server computes `due_state` with the policy's near-due share; when the
 * page has been open a while a clock may have run out since, so a past due instant is overdue whatever the
 * server said.
 */
export function effectiveDueState(c: Pick<CaseView, 'status' | 'sign_due' | 'handle_due' | 'follow_up_due' | 'due_state'>, now: number = Date.now()): DueState {
  const due = activeDue(c)
  if (!due) return c.due_state ?? null
  const t = Date.parse(due)
  if (!Number.isNaN(t) && now > t) return 'overdue'
  return c.due_state ?? 'normal'
}

/** The table row class: 临期 yellow, 超期 red (RuoYi convention). */
export function dueRowClass(state: DueState): string {
  if (state === 'overdue') return 'row-overdue'
  if (state === 'near') return 'row-near'
  return ''
}

/** The Element Plus tag type of a due state. */
export function dueTagType(state: DueState): 'danger' | 'warning' | 'success' | 'info' {
  if (state === 'overdue') return 'danger'
  if (state === 'near') return 'warning'
  if (state === 'normal') return 'success'
  return 'info'
}

/** The tag type of a case status. */
export function statusTagType(status: string): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  switch (status) {
    case 'registered':
    case 'accepted':
      return 'warning'
    case 'dispatched':
    case 'in_progress':
      return 'primary'
    case 'resolved':
    case 'closed':
      return 'success'
    case 'rejected':
      return 'danger'
    default:
      return 'info'
  }
}
