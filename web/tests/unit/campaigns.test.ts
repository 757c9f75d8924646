import { describe, expect, it } from 'vitest'
import { headlineParams, isRunning, progressOf, ratePercent, shanghaiDate, visitBody, visitFieldPlace } from '../../src/utils/campaigns'
import type { VisitForm } from '../../src/utils/campaigns'
import { canSee } from '../../src/utils/perm'

const form = (over: Partial<VisitForm> = {}): VisitForm => ({
  mode: 'new', subjectId: '', kind: 'household', name: ' 张三 ', address: ' 金桥社区1号 ', contact: '', visitedAt: '2026-11-20', found: ' 无异常 ', problems: [], ...over,
})

describe('campaigns', () => {
  it('shows rates as percents', () => {
    expect(ratePercent(0.1667)).toBe('16.7%')
    expect(ratePercent(0.75)).toBe('75%')
    expect(ratePercent(1)).toBe('100%')
    expect(ratePercent(null)).toBe('—')
    expect(ratePercent(undefined)).toBe('—')
  })
  it('draws progress against target, clamped, 0 without a target', () => {
    expect(progressOf(79, 120)).toBe(65.8)
    expect(progressOf(150, 120)).toBe(100)
    expect(progressOf(3, 0)).toBe(0)
  })
  it('fills the headline from the totals', () => {
    const p = headlineParams({ visits: 10, households: 340, households_target: 1440, enterprises: 44, enterprises_target: 180, problems: 12, solved: 2, solved_rate: 0.1667, overdue: 1 })
    expect(p).toEqual({ households: 340, enterprises: 44, problems: 12, solved: 2, rate: '16.7%', overdue: 1 })
  })
  it("knows Shanghai's day and whether a campaign runs", () => {
    expect(shanghaiDate(new Date('2026-12-05T17:00:00Z'))).toBe('2026-12-06')
    expect(shanghaiDate(new Date('2026-12-05T15:59:00Z'))).toBe('2026-12-05')
    expect(isRunning({ starts_on: '2026-10-07', ends_on: '2027-01-05' }, '2026-12-06')).toBe(true)
    expect(isRunning({ starts_on: '2026-10-07', ends_on: '2027-01-05' }, '2027-01-05')).toBe(true)
    expect(isRunning({ starts_on: '2026-10-07', ends_on: '2027-01-05' }, '2027-01-06')).toBe(false)
  })
  it('builds the visit as the server takes it', () => {
    expect(visitBody(form())).toEqual({ found: '无异常', visited_at: '2026-11-20', subject: { kind: 'household', name: '张三', address: '金桥社区1号' } })
    expect(visitBody(form({ mode: 'registry', subjectId: 'abc', contact: '139' }))).toEqual({ found: '无异常', visited_at: '2026-11-20', subject_id: 'abc' })
    const b = visitBody(form({ contact: ' 13700000000 ', problems: [{ title: ' 灯坏了 ', description: ' 楼道灯 ', phone: '' }, { title: 'a', description: 'b', phone: ' 139 ' }] }))
    expect(b.subject).toEqual({ kind: 'household', name: '张三', address: '金桥社区1号', contact: '13700000000' })
    expect(b.problems).toEqual([{ title: '灯坏了', description: '楼道灯' }, { title: 'a', description: 'b', phone: '139' }])
  })
  it("places the server's refusals on the form", () => {
    expect(visitFieldPlace('visited_at')).toEqual({ key: 'visitedAt', row: null })
    expect(visitFieldPlace('subject')).toEqual({ key: 'subject', row: null })
    expect(visitFieldPlace('subject.name')).toEqual({ key: 'name', row: null })
    expect(visitFieldPlace('problems[2]')).toEqual({ key: 'problem', row: 2 })
    expect(visitFieldPlace('reporter.phone')).toEqual({ key: 'problem', row: null })
    expect(visitFieldPlace('found')).toEqual({ key: 'found', row: null })
    expect(visitFieldPlace('something_else')).toBeNull()
    expect(visitFieldPlace(undefined)).toBeNull()
  })
  it('shows the campaigns to every staff role', () => {
    for (const r of ['clerk', 'dispatcher', 'handler', 'unit_lead', 'supervisor', 'leader', 'admin']) expect(canSee(r, 'campaigns'), r).toBe(true)
    expect(canSee('citizen', 'campaigns')).toBe(false)
  })
})
