import { describe, expect, it } from 'vitest'
import {
  cellSize, clusterColor, clusterPoints, clusterSymbolSize, emptyMapFilters, geoBaseOption, geoBounds, heatData, hotspots, inFeature, locateLocal, mapQuery, outlineRings,
  outlineSeries, streetFeatures,
} from '../../src/utils/map'
import type { RegionCollection, RegionFeature } from '../../src/api/map'

const square = (code: string, name: string, w: number, s: number, e: number, n: number, level = 'street'): RegionFeature => ({
  type: 'Feature',
  properties: { code, name, level },
  geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
})
// Two streets side by side and the district around them; the east street has a hole (a lake of another district).
const east = square('330102002', '东街道', 120.1, 30.0, 120.2, 30.1)
;(east.geometry.coordinates as number[][][]).push([[120.14, 30.04], [120.16, 30.04], [120.16, 30.06], [120.14, 30.06], [120.14, 30.04]])
const fc: RegionCollection = {
  type: 'FeatureCollection',
  features: [square('330102', '示范区', 120.0, 30.0, 120.2, 30.1, 'district'), square('330102001', '西街道', 120.0, 30.0, 120.1, 30.1), east],
}

describe('map boundaries', () => {
  it('finds the extent of every ring', () => {
    expect(geoBounds(fc)).toEqual([120.0, 30.0, 120.2, 30.1])
    expect(geoBounds(null)).toBeNull()
    expect(geoBounds({ type: 'FeatureCollection', features: [] })).toBeNull()
  })
  it('draws the streets as regions and the district as its outline', () => {
    expect(streetFeatures(fc).map((f) => f.properties.code)).toEqual(['330102001', '330102002'])
    expect(outlineRings(fc)).toHaveLength(1)
    expect((outlineSeries(fc).data as unknown[]).length).toBe(1)
    // Only an outline: it is the one region.
    const only: RegionCollection = { type: 'FeatureCollection', features: [fc.features[0]] }
    expect(streetFeatures(only)).toHaveLength(1)
  })
  it('locates a point in its street, not in a hole, not outside', () => {
    expect(locateLocal(fc, 30.05, 120.05)).toEqual({ code: '330102001', name: '西街道' })
    expect(locateLocal(fc, 30.02, 120.18)).toEqual({ code: '330102002', name: '东街道' })
    expect(locateLocal(fc, 30.05, 120.15)).toBeNull() // in the hole
    expect(locateLocal(fc, 31, 121)).toBeNull()
    expect(inFeature(120.15, 30.05, east)).toBe(false)
  })
  it('handles multipolygons', () => {
    const multi: RegionFeature = {
      type: 'Feature',
      properties: { code: 'x', name: '飞地', level: 'street' },
      geometry: { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]] },
    }
    expect(inFeature(5.5, 5.5, multi)).toBe(true)
    expect(inFeature(3, 3, multi)).toBe(false)
  })
  it('sets the aspect for the latitude and keeps a given view', () => {
    const o = geoBaseOption(fc, { center: [120.1, 30.05], zoom: 3 }) as { geo: { aspectScale: number; center: number[]; zoom: number; map: string } }
    expect(o.geo.aspectScale).toBeCloseTo(Math.cos((30.05 * Math.PI) / 180), 6)
    expect(o.geo.center).toEqual([120.1, 30.05])
    expect(o.geo.zoom).toBe(3)
    expect(o.geo.map).toBe('ow-district')
  })
})

describe('clustering', () => {
  const pts = [
    { id: 'a', lat: 30.001, lon: 120.001 },
    { id: 'b', lat: 30.002, lon: 120.002 },
    { id: 'c', lat: 30.003, lon: 120.004 },
    { id: 'd', lat: 30.09, lon: 120.19 },
    { id: 'e', lat: Number.NaN, lon: 120 },
  ]
  it('groups the points of a cell at their mean, largest first, without unusable points', () => {
    const cs = clusterPoints(pts, 0.01)
    expect(cs.map((c) => c.count)).toEqual([3, 1])
    expect(cs[0].lat).toBeCloseTo(30.002, 6)
    expect(cs[0].lon).toBeCloseTo(120.00233, 4)
    expect(cs[0].points.map((p) => p.id)).toEqual(['a', 'b', 'c'])
    expect(cs.reduce((n, c) => n + c.count, 0)).toBe(4)
  })
  it('merges a dense place cut by a cell border into one cluster', () => {
    const border = [
      { lat: 30.0049, lon: 120.0099 },
      { lat: 30.0051, lon: 120.0101 },
      { lat: 30.005, lon: 120.0098 },
      { lat: 30.005, lon: 120.0102 },
    ]
    expect(clusterPoints(border, 0.01, false)).toHaveLength(2)
    const merged = clusterPoints(border, 0.01)
    expect(merged).toHaveLength(1)
    expect(merged[0].count).toBe(4)
    expect(merged[0].lon).toBeCloseTo(120.01, 6)
    // Far apart stays apart.
    expect(clusterPoints([...border, { lat: 30.5, lon: 120.5 }], 0.01)).toHaveLength(2)
  })
  it('splits clusters when the cells get smaller', () => {
    expect(clusterPoints(pts, 0.002).length).toBeGreaterThan(clusterPoints(pts, 0.01).length)
    expect(clusterPoints(pts, 1)).toHaveLength(1)
  })
  it('halves the cell with every doubling of the zoom, in steps', () => {
    const b = geoBounds(fc)
    expect(cellSize(b, 1)).toBeCloseTo(0.2 / 20, 9)
    expect(cellSize(b, 2)).toBeCloseTo(0.2 / 40, 9)
    expect(cellSize(b, 4)).toBeCloseTo(0.2 / 80, 9)
    // Roaming a little does not regroup: 1 and 1.3 give the same cell; zoom below 1 counts as 1.
    expect(cellSize(b, 1.3)).toBe(cellSize(b, 1))
    expect(cellSize(b, 0.5)).toBe(cellSize(b, 1))
    expect(cellSize(null, 1)).toBeGreaterThan(0)
  })
  it('names the busiest clusters hotspots', () => {
    const cs = clusterPoints(pts, 0.01)
    expect(hotspots(cs, 5, 3).map((c) => c.count)).toEqual([3])
    expect(hotspots(cs, 5, 1)).toHaveLength(2)
    expect(hotspots(cs, 1, 1)).toHaveLength(1)
  })
  it('sizes and colours clusters by count', () => {
    expect(clusterSymbolSize(1)).toBe(10)
    expect(clusterSymbolSize(4)).toBeGreaterThan(clusterSymbolSize(2))
    expect(clusterSymbolSize(100000)).toBe(46)
    expect(clusterColor(1)).not.toBe(clusterColor(50))
  })
  it('gives the heat layer one weight per usable point', () => {
    expect(heatData(pts)).toEqual([
      [120.001, 30.001, 1],
      [120.002, 30.002, 1],
      [120.004, 30.003, 1],
      [120.19, 30.09, 1],
    ])
  })
})

describe('map filters', () => {
  it('leaves empty values out of the query', () => {
    expect(mapQuery(emptyMapFilters())).toEqual({ from: undefined, to: undefined, status: undefined, category: undefined, nature: undefined, street: undefined })
    expect(mapQuery({ range: ['2026-01-01', '2026-01-31'], status: ['registered', 'accepted'], category: '城市管理', nature: 'complaint', street: '' })).toEqual({
      from: '2026-01-01',
      to: '2026-01-31',
      status: 'registered,accepted',
      category: '城市管理',
      nature: 'complaint',
      street: undefined,
    })
  })
})

describe('heat scale', () => {
  it('needs more cases for red as there are more cases', async () => {
    const { heatMax } = await import('../../src/utils/map')
    expect(heatMax(0)).toBe(1)
    expect(heatMax(44)).toBe(1)
    expect(heatMax(300)).toBe(3)
    expect(heatMax(5000)).toBe(5)
  })
})
