import { describe, expect, it } from 'vitest'
import type { Unit } from '../../src/api/types'
import { ancestorHubs, categoryOptions, dispatchTargets, placeGroups, publicName, regionOptions, regionPath, unitTree } from '../../src/utils/tree'

const u = (code: string, kind: Unit['kind'], level: Unit['level'], parent: string | null, region = code): Unit => ({
  code,
  name: `n${code}`,
  kind,
  level,
  parent,
  region,
  kind_label: '',
  level_label: '',
})
const units: Unit[] = [
  u('330188', 'hub', 'district', null),
  u('cgj', 'department', 'district', '330188', '330188'),
  u('sfj', 'department', 'district', '330188', '330188'),
  u('330188001', 'hub', 'street', '330188'),
  u('330188001001', 'hub', 'community', '330188001'),
  u('330188002', 'hub', 'street', '330188'),
  u('330188002001', 'hub', 'community', '330188002'),
]

describe('org tree', () => {
  it('nests units under their parents', () => {
    const t = unitTree(units)
    expect(t).toHaveLength(1)
    expect(t[0].children!.map((c) => c.value)).toEqual(['cgj', 'sfj', '330188001', '330188002'])
  })
  it('builds the region cascader from hubs only, starting at the streets', () => {
    const r = regionOptions(units)
    expect(r.map((o) => o.value)).toEqual(['330188001', '330188002'])
    expect(r[0].children!.map((o) => o.value)).toEqual(['330188001001'])
    expect(regionPath(r, '330188002001')).toEqual(['330188002', '330188002001'])
    expect(regionPath(r, 'nowhere')).toEqual([])
  })
  it('finds the hubs a case may be escalated to', () => {
    expect(ancestorHubs(units, '330188001001').map((x) => x.code)).toEqual(['330188001', '330188'])
    expect(ancestorHubs(units, '330188')).toEqual([])
  })
  it('offers the departments and the units below the hub for dispatch', () => {
    expect(dispatchTargets(units, '330188001').map((x) => x.code)).toEqual(['cgj', 'sfj', '330188001001'])
    expect(dispatchTargets(units, '330188').map((x) => x.code)).toContain('330188002001')
  })
  it('leaves units out of service (停用) out of the dispatch targets', () => {
    const off = units.map((u) => (u.code === 'sfj' ? { ...u, disabled: true } : u))
    expect(dispatchTargets(off, '330188001').map((x) => x.code)).toEqual(['cgj', '330188001001'])
  })
})

describe('categoryOptions', () => {
  it('groups 二级 under 一级 with full paths as values', () => {
    const o = categoryOptions([
      { category: '城市管理/占道经营', top: '城市管理', sub: '占道经营', unit: 'cgj', unit_name: '城管局' },
      { category: '城市管理/违章搭建', top: '城市管理', sub: '违章搭建', unit: 'cgj', unit_name: '城管局' },
      { category: '邻里纠纷/相邻关系', top: '', sub: '', unit: 'sfj', unit_name: '司法局' },
    ])
    expect(o.map((x) => x.value)).toEqual(['城市管理', '邻里纠纷'])
    expect(o[0].children!.map((x) => x.value)).toEqual(['城市管理/占道经营', '城市管理/违章搭建'])
    expect(o[1].children![0].value).toBe('邻里纠纷/相邻关系')
  })
})

describe('the portal\'s places', () => {
  it('names streets as people do and groups communities under them', () => {
    expect(publicName('临江街道社会治理中心')).toBe('临江街道')
    expect(publicName('临江区社会治理综合服务中心')).toBe('临江区')
    expect(publicName('金桥社区')).toBe('金桥社区')
    const g = placeGroups(units, '不确定具体社区')
    expect(g.every((x) => !x.label.includes('中心'))).toBe(true)
    expect(g[0].options[0].label).toContain('不确定具体社区')
    expect(g.flatMap((x) => x.options).some((o) => o.value === '330188001001')).toBe(true)
  })
})
