import { describe, expect, it } from 'vitest'
import { activeDue, dueRowClass, dueTagType, effectiveDueState, statusTagType } from '../../src/utils/due'

const base = { sign_due: '2026-11-20T17:00:00+08:00', handle_due: '2026-11-30T23:59:59+08:00', follow_up_due: '2026-12-02T23:59:59+08:00' }
const at = (s: string) => Date.parse(s)

describe('activeDue', () => {
  it('takes the clock that runs in the status', () => {
    expect(activeDue({ ...base, status: 'dispatched' })).toBe(base.sign_due)
    expect(activeDue({ ...base, status: 'in_progress' })).toBe(base.handle_due)
    expect(activeDue({ ...base, status: 'resolved' })).toBe(base.follow_up_due)
  })
  it('has no clock before dispatch and after closing', () => {
    for (const status of ['registered', 'accepted', 'closed', 'rejected', 'merged']) expect(activeDue({ ...base, status })).toBeNull()
  })
})

describe('effectiveDueState', () => {
  it('keeps the server state while the due instant is ahead', () => {
    expect(effectiveDueState({ ...base, status: 'in_progress', due_state: 'near' }, at('2026-11-29T10:00:00+08:00'))).toBe('near')
    expect(effectiveDueState({ ...base, status: 'in_progress', due_state: 'normal' }, at('2026-11-21T10:00:00+08:00'))).toBe('normal')
  })
  it('turns overdue once the due instant has passed, whatever the server said when the page loaded', () => {
    expect(effectiveDueState({ ...base, status: 'in_progress', due_state: 'near' }, at('2026-12-01T00:00:01+08:00'))).toBe('overdue')
    expect(effectiveDueState({ ...base, status: 'dispatched', due_state: 'normal' }, at('2026-11-20T17:00:01+08:00'))).toBe('overdue')
  })
  it('is not overdue exactly at the due instant', () => {
    expect(effectiveDueState({ ...base, status: 'dispatched', due_state: 'near' }, at('2026-11-20T17:00:00+08:00'))).toBe('near')
  })
  it('has no state without a running clock', () => {
    expect(effectiveDueState({ ...base, status: 'closed', due_state: null }, at('2027-01-01T00:00:00+08:00'))).toBeNull()
  })
})

describe('colours', () => {
  it('marks 临期 yellow and 超期 red', () => {
    expect(dueRowClass('near')).toBe('row-near')
    expect(dueRowClass('overdue')).toBe('row-overdue')
    expect(dueRowClass('normal')).toBe('')
    expect(dueRowClass(null)).toBe('')
    expect(dueTagType('overdue')).toBe('danger')
    expect(dueTagType('near')).toBe('warning')
  })
  it('gives every status a tag type', () => {
    expect(statusTagType('registered')).toBe('warning')
    expect(statusTagType('in_progress')).toBe('primary')
    expect(statusTagType('closed')).toBe('success')
    expect(statusTagType('rejected')).toBe('danger')
    expect(statusTagType('merged')).toBe('info')
  })
})
