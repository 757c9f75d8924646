import { describe, expect, it } from 'vitest'
import { emptyFilters, filtersFromRoute, filtersToQuery, filtersToRoute, queueQuery, queuesFor } from '../../src/utils/filters'

describe('filtersToQuery', () => {
  it('sends the last level of the cascaders and leaves empty values out', () => {
    const f = { ...emptyFilters(), region: ['330188001', '330188001002'], category: ['城市管理', '城市管理/占道经营'], status: ['in_progress', 'dispatched'], q: '  噪音 ' }
    expect(filtersToQuery(f)).toMatchObject({ region: '330188001002', category: '城市管理/占道经营', status: ['in_progress', 'dispatched'], q: '噪音' })
    expect(filtersToQuery(emptyFilters()).from).toBeUndefined()
  })
  it('lets the queue tab narrow the list over the bar', () => {
    const f = { ...emptyFilters(), status: ['closed'] }
    expect(filtersToQuery(f, 'dispatched').status).toBe('dispatched')
    expect(filtersToQuery(f, 'overdue')).toMatchObject({ due: 'overdue', status: ['closed'] })
    expect(queueQuery('all')).toEqual({})
  })
})

describe('case numbers in the keywords', () => {
  it('looks a typed case number up as the number', () => {
    expect(filtersToQuery({ ...emptyFilters(), q: ' 2026-000123 ' })).toMatchObject({ number: '2026-000123', q: undefined })
    expect(filtersToQuery({ ...emptyFilters(), q: '2026 占道' })).toMatchObject({ q: '2026 占道', number: undefined })
  })
})

describe('route round trip', () => {
  it('reads a cockpit drill-down and writes the same query back', () => {
    const rq = { from: '2026-09-01', to: '2026-09-30', category: '城市管理/占道经营', unit: 'cgj', due: 'overdue', status: 'closed,resolved' }
    const f = filtersFromRoute(rq)
    expect(f.range).toEqual(['2026-09-01', '2026-09-30'])
    expect(f.category).toEqual(['城市管理', '城市管理/占道经营'])
    expect(f.status).toEqual(['closed', 'resolved'])
    expect(filtersToRoute(f)).toEqual(rq)
  })
  it('accepts a single bound of the period', () => {
    expect(filtersFromRoute({ from: '2026-03-05' }).range).toEqual(['2026-03-05', '2026-03-05'])
  })
  it('maps a region code to its cascader path', () => {
    const f = filtersFromRoute({ region: '330188001002' }, (c) => [c.slice(0, 9), c])
    expect(f.region).toEqual(['330188001', '330188001002'])
  })
})

describe('queuesFor', () => {
  it('shows handlers the queues they work from', () => {
    expect(queuesFor('handler')).toEqual(['all', 'dispatched', 'in_progress', 'near', 'overdue'])
    expect(queuesFor('dispatcher')).toContain('accepted')
  })
})
