import { describe, expect, it } from 'vitest'
import { articleActions, articleStatusType, categoryPath, daysLeft, excerpt, intakeQuery, mayReview, mayWriteKnowledge, reviewDue } from '../../src/utils/knowledge'
import zh from '../../src/i18n/zh'
import en from '../../src/i18n/en'

describe('knowledge articles', () => {
  it('offers the review actions the server allows in each status', () => {
    expect(articleActions({ status: 'draft' })).toEqual(['publish', 'reject'])
    expect(articleActions({ status: 'proposed' })).toEqual(['publish', 'reject'])
    expect(articleActions({ status: 'published' })).toEqual(['renew', 'retire'])
    expect(articleActions({ status: 'retired' })).toEqual(['publish'])
    expect(articleActions({})).toEqual([])
  })
  it('lets administrators, supervisors and the owning unit lead review', () => {
    const a = { unit: 'cgj' }
    expect(mayReview({ role: 'admin', unit: 'x' }, a)).toBe(true)
    expect(mayReview({ role: 'supervisor', unit: 'x' }, a)).toBe(true)
    expect(mayReview({ role: 'unit_lead', unit: 'cgj' }, a)).toBe(true)
    expect(mayReview({ role: 'unit_lead', unit: 'sjj' }, a)).toBe(false)
    expect(mayReview({ role: 'clerk', unit: 'cgj' }, a)).toBe(false)
    expect(mayReview(null, a)).toBe(false)
    expect(mayWriteKnowledge('clerk')).toBe(true)
    expect(mayWriteKnowledge('leader')).toBe(false)
  })
  it('tags statuses, expiry first', () => {
    expect(articleStatusType('published')).toBe('success')
    expect(articleStatusType('published', true)).toBe('danger')
    expect(articleStatusType('proposed')).toBe('warning')
  })
  it('counts days to the end of validity and sees a review due', () => {
    expect(daysLeft({ valid_until: '2026-03-10' }, '2026-03-01')).toBe(9)
    expect(daysLeft({ valid_until: '2026-02-27' }, '2026-03-01')).toBe(-2)
    expect(daysLeft({ valid_until: null }, '2026-03-01')).toBeNull()
    expect(reviewDue({ review_at: '2026-03-01' }, '2026-03-01')).toBe(true)
    expect(reviewDue({ review_at: '2026-03-02' }, '2026-03-01')).toBe(false)
    expect(reviewDue({ review_at: null }, '2026-03-01')).toBe(false)
  })
  it('searches for the title and the start of the description, within the server limit', () => {
    expect(intakeQuery('', ' ')).toBe('')
    expect(intakeQuery('a', '')).toBe('')
    expect(intakeQuery('居住证', '怎么  办理\n需要什么材料')).toBe('居住证 怎么 办理 需要什么材料')
    expect(intakeQuery('问'.repeat(50), '答'.repeat(200)).length).toBeLessThanOrEqual(100)
  })
  it('excerpts an answer around the first shared pair of characters', () => {
    const text = '一二三四五六七八九十'.repeat(5) + '居住证办理需要身份证和租房合同' + '甲乙丙丁'.repeat(10)
    const e = excerpt(text, '办理居住证', 20)
    expect(e).toContain('居住证')
    expect(e.startsWith('…')).toBe(true)
    expect(excerpt('短答复', '任何', 20)).toBe('短答复')
    expect(excerpt(text, '毫无关系', 10)).toBe(`${text.slice(0, 10)}…`)
    expect(excerpt('The residence permit needs an ID card and a lease contract, nothing else here', 'lease', 20)).toContain('lease')
  })
  it('turns a category into the cascader path', () => {
    expect(categoryPath('城市管理/市容环境')).toEqual(['城市管理', '城市管理/市容环境'])
    expect(categoryPath('其他')).toEqual([])
    expect(categoryPath(null)).toEqual([])
  })
  it('labels every status and action in both languages', () => {
    for (const m of [zh, en] as unknown as { knowledge: Record<string, Record<string, string>> }[]) {
      for (const s of ['draft', 'proposed', 'published', 'retired']) expect(m.knowledge.statuses[s]).toBeTruthy()
      for (const a of ['publish', 'reject', 'retire', 'renew']) {
        expect(m.knowledge.actions[a]).toBeTruthy()
        expect(m.knowledge.done[a]).toBeTruthy()
        expect(m.knowledge.confirm[a]).toBeTruthy()
      }
    }
  })
})

describe('intake searches', () => {
  it('searches the whole text and each clause cut into pairs at empty words', async () => {
    const { intakeQueries } = await import('../../src/utils/knowledge')
    const qs = intakeQueries('咨询居住证办理', '来电人刚从外地来本区工作，想问居住证怎么办理，需要住满多久')
    expect(qs[0]).toBe('咨询居住证办理 来电人刚从外地来本区工作，想问居住证怎么办理，需要住满多久')
    expect(qs).toContain('居住 办理')
    expect(qs).toContain('居住证 办理')
    expect(qs.length).toBeLessThanOrEqual(4)
    expect(intakeQueries('', '')).toEqual([])
    expect(intakeQueries('', '就医备案怎么办')).toContain('就医 备案')
    expect(intakeQueries('', 'ETC card lost').some((q) => q.includes('ETC'))).toBe(true)
  })
  it('ranks what more searches found first', async () => {
    const { mergeResults } = await import('../../src/utils/knowledge')
    const a = { id: 'a' }
    const b = { id: 'b' }
    const c = { id: 'c' }
    expect(mergeResults([[a], [b, c], [c]]).map((x) => x.id)).toEqual(['c', 'a', 'b'])
    expect(mergeResults([[a, b, c]], 2).map((x) => x.id)).toEqual(['a', 'b'])
    expect(mergeResults([])).toEqual([])
  })
})
