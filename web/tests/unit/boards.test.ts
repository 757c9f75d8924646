import { describe, expect, it } from 'vitest'
import type { BoardEntry, BoardHistory } from '../../src/api/types'
import { METRIC_CASES, BOARD_METRICS, allEntries, canAppeal, historySeries, isWithin, listCounts, periodOptions, previousMonth, ratePct, ruleField, scoreText, splitEntries } from '../../src/utils/boards'

const e = (unit: string, rank: number | null, score: number | null, board: BoardEntry['board']): BoardEntry => ({
  unit,
  unit_name: unit.toUpperCase(),
  rank,
  score,
  board,
  reasons: [],
  sample: 30,
  metrics: { sign_on_time: 0.9 },
})

describe('boards', () => {
  it('splits a group into its three lists and the rest, each by rank, the unranked last', () => {
    const s = splitEntries([e('u', null, 80, null), e('b', 5, 50, 'black'), e('r2', 2, 95, 'red'), e('y', 4, 70, 'yellow'), e('r1', 1, 99, 'red'), e('n', 3, 88, null), e('z', null, null, null)])
    expect(s.red.map((x) => x.unit)).toEqual(['r1', 'r2'])
    expect(s.yellow.map((x) => x.unit)).toEqual(['y'])
    expect(s.black.map((x) => x.unit)).toEqual(['b'])
    expect(s.rest.map((x) => x.unit)).toEqual(['n', 'u', 'z'])
  })
  it('keeps ties together and counts the lists of a board', () => {
    const groups = [
      { name: 'A', entries: [e('a2', 1, 90, 'red'), e('a1', 1, 90, 'red'), e('a3', 3, 40, 'black')] },
      { name: 'B', entries: [e('b1', 1, 70, 'yellow')] },
    ]
    expect(splitEntries(groups[0].entries).red.map((x) => x.unit)).toEqual(['a1', 'a2'])
    expect(listCounts(groups)).toEqual({ red: 2, yellow: 1, black: 1 })
    expect(allEntries(groups).map((x) => x.group)).toEqual(['A', 'A', 'A', 'B'])
  })
  it('formats rates and scores', () => {
    expect(ratePct(0.9565)).toBe('95.7%')
    expect(ratePct(1)).toBe('100.0%')
    expect(ratePct(0)).toBe('0.0%')
    expect(ratePct(null)).toBe('—')
    expect(ratePct(undefined)).toBe('—')
    expect(scoreText(87.5)).toBe('87.50')
    expect(scoreText(null)).toBe('—')
  })
  it('names the cases behind every metric a board may weigh', () => {
    for (const m of BOARD_METRICS) expect(METRIC_CASES[m], m).toBeTruthy()
    expect(METRIC_CASES.sign_on_time).toEqual({ num: 'signed_on_time', den: 'dispatched' })
  })
  it('lists the months newest first, each once, only months', () => {
    expect(periodOptions(['2026-10', '2026-11'], '2026-11', '2026-12', '', null, 'x')).toEqual(['2026-12', '2026-11', '2026-10'])
    expect(previousMonth('2026-01')).toBe('2025-12')
    expect(previousMonth('2026-12')).toBe('2026-11')
  })
  it('lets a unit appeal only its own subtree, and only in the roles the server allows', () => {
    const units = [
      { code: 'd', parent: null },
      { code: 'cgj', parent: 'd' },
      { code: 'cgj1', parent: 'cgj' },
      { code: 'sjj', parent: 'd' },
    ]
    expect(isWithin('cgj1', 'cgj', units)).toBe(true)
    expect(isWithin('sjj', 'cgj', units)).toBe(false)
    expect(canAppeal({ role: 'unit_lead', unit: 'cgj' }, 'cgj', units)).toBe(true)
    expect(canAppeal({ role: 'unit_lead', unit: 'cgj' }, 'sjj', units)).toBe(false)
    expect(canAppeal({ role: 'handler', unit: 'cgj' }, 'cgj', units)).toBe(false)
    expect(canAppeal({ role: 'admin', unit: 'd' }, 'cgj', units)).toBe(false)
    expect(canAppeal(null, 'cgj', units)).toBe(false)
  })
  it('charts a unit history by month', () => {
    const h: BoardHistory = {
      unit: 'cgj',
      unit_name: '城管局',
      red: 1,
      yellow: 0,
      black: 1,
      months: [
        { period: '2026-09', version: 1, group: 'A', group_index: 0, rank: 1, score: 95, board: 'red', reasons: [] },
        { period: '2026-10', version: 2, group: 'A', group_index: 0, rank: null, score: null, board: null, reasons: [] },
        { period: '2026-11', version: 1, group: 'A', group_index: 0, rank: 9, score: 40, board: 'black', reasons: [] },
      ],
    }
    expect(historySeries(h)).toEqual({ periods: ['2026-09', '2026-10', '2026-11'], scores: [95, null, 40], ranks: [1, null, 9], lists: ['red', null, 'black'] })
  })
  it('reads the field of a rules refusal', () => {
    expect(ruleField('metrics[0].weight')).toEqual({ section: 'metrics', index: 0, key: 'weight' })
    expect(ruleField('groups[2]')).toEqual({ section: 'groups', index: 2, key: null })
    expect(ruleField('target')).toEqual({ section: 'target', index: null, key: null })
    expect(ruleField(undefined)).toBeNull()
  })
})
