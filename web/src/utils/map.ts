// 地图 (issue 23, item 3): the pure part of the district map — the boundaries' extent, grid clustering of case points by
// zoom, hotspots, the heat layer's data, which street a point lies in (a fallback for /map/locate), and the filter's
// query. No ECharts here: unit tests (tests/unit/map.test.ts) run it in node.
import type { MapPoint, Position, RegionCollection, RegionFeature } from '../api/map'

/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number]

/** Every ring of a feature's polygon(s): outer rings first in each polygon, then its holes. */
export function polygonsOf(f: RegionFeature): Position[][][] {
  const g = f.geometry
  if (!g) return []
  if (g.type === 'Polygon') return [g.coordinates as Position[][]]
  if (g.type === 'MultiPolygon') return g.coordinates as Position[][][]
  return []
}

/** The extent of the features (null when there are no coordinates). */
export function geoBounds(fc: RegionCollection | null | undefined): Bounds | null {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const f of fc?.features ?? [])
    for (const poly of polygonsOf(f))
      for (const ring of poly)
        for (const p of ring) {
          const [lon, lat] = p
          if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue
          if (lon < w) w = lon
          if (lon > e) e = lon
          if (lat < s) s = lat
          if (lat > n) n = lat
        }
  return Number.isFinite(w) ? [w, s, e, n] : null
}

/** The features the map draws as regions (the streets); the district outline is drawn as a line around them. */
export function streetFeatures(fc: RegionCollection | null | undefined): RegionFeature[] {
  const all = fc?.features ?? []
  const streets = all.filter((f) => f.properties?.level !== 'district')
  return streets.length ? streets : all
}

/** The district outline's rings, as lines to draw (empty when the data has no outline). */
export function outlineRings(fc: RegionCollection | null | undefined): Position[][] {
  const out: Position[][] = []
  for (const f of fc?.features ?? []) if (f.properties?.level === 'district') for (const poly of polygonsOf(f)) out.push(...poly)
  return out
}

/**
 * The side of a clustering cell in degrees at a zoom: the district's larger side cut in `divisions` cells at zoom 1,
 * halved with every doubling of the zoom. Zoom is quantised to powers of √2, so roaming a little does not regroup.
 */
export function cellSize(bounds: Bounds | null, zoom: number, divisions = 20): number {
  const span = bounds ? Math.max(bounds[2] - bounds[0], bounds[3] - bounds[1]) : 0.2
  const z = Math.max(1, zoom || 1)
  const q = Math.pow(Math.SQRT2, Math.floor(Math.log(z) / Math.log(Math.SQRT2) + 1e-9))
  return (span > 0 ? span : 0.2) / divisions / q
}

export interface Cluster<P extends { lat: number; lon: number } = MapPoint> {
  /** The grid cell, stable for a cell size: `ix:iy`. */
  key: string
  /** The members' mean position. */
  lon: number
  lat: number
  count: number
  points: P[]
}

/**
 * Grid clustering: points in the same cell (of side `cell` degrees, anchored at 0°,0°) become one cluster at their
 * mean position; then clusters whose centres are closer than a cell are merged, largest first, so a dense place cut
 * by a cell border is still one cluster. Points without usable coordinates are left out. Largest clusters first; ties
 * by key, so the order is stable.
 */
export function clusterPoints<P extends { lat: number; lon: number }>(points: P[], cell: number, merge = true): Cluster<P>[] {
  const size = cell > 0 ? cell : 0.01
  const cells = new Map<string, { sx: number; sy: number; points: P[] }>()
  for (const p of points) {
    if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon)) continue
    const key = `${Math.floor(p.lon / size)}:${Math.floor(p.lat / size)}`
    let c = cells.get(key)
    if (!c) {
      c = { sx: 0, sy: 0, points: [] }
      cells.set(key, c)
    }
    c.sx += p.lon
    c.sy += p.lat
    c.points.push(p)
  }
  const grid: Cluster<P>[] = []
  for (const [key, c] of cells) grid.push({ key, lon: c.sx / c.points.length, lat: c.sy / c.points.length, count: c.points.length, points: c.points })
  const order = (a: Cluster<P>, b: Cluster<P>) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  grid.sort(order)
  if (!merge) return grid
  // Merge into the nearest kept cluster within a cell's distance (kept clusters indexed by cell for the search).
  const kept: Cluster<P>[] = []
  const index = new Map<string, Cluster<P>[]>()
  const at = (lon: number, lat: number) => [Math.floor(lon / size), Math.floor(lat / size)]
  for (const c of grid) {
    const [ix, iy] = at(c.lon, c.lat)
    let best: Cluster<P> | null = null
    let bestD = size * size
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (const k of index.get(`${ix + dx}:${iy + dy}`) ?? []) {
          const d = (k.lon - c.lon) ** 2 + (k.lat - c.lat) ** 2
          if (d < bestD) [best, bestD] = [k, d]
        }
    if (best) {
      // The kept cluster stays where it is indexed: its centre moves, its cell in the index does not.
      const n = best.count + c.count
      best.lon = (best.lon * best.count + c.lon * c.count) / n
      best.lat = (best.lat * best.count + c.lat * c.count) / n
      best.count = n
      best.points = best.points.concat(c.points)
    } else {
      const k = { ...c }
      kept.push(k)
      const key = `${ix}:${iy}`
      index.set(key, [...(index.get(key) ?? []), k])
    }
  }
  return kept.sort(order)
}

/** The busiest clusters (at least `min` cases each), at most `n`: the hotspots a leader clicks. */
export function hotspots<P extends { lat: number; lon: number }>(clusters: Cluster<P>[], n = 5, min = 3): Cluster<P>[] {
  return clusters.filter((c) => c.count >= min).slice(0, n)
}

/** A cluster's symbol size in pixels: grows with the square root of its count, within [min, max]. */
export function clusterSymbolSize(count: number, min = 10, max = 46): number {
  if (count <= 1) return min
  return Math.min(max, Math.round(min + 4 * Math.sqrt(count)))
}

/** The heat layer's data: one `[lon, lat, 1]` per point with coordinates. */
export function heatData(points: { lat: number; lon: number }[]): [number, number, number][] {
  return points.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon)).map((p) => [p.lon, p.lat, 1])
}

/** The heat layer's top of scale: more points, more of them to make a place red (1 to 5). */
export function heatMax(points: number): number {
  return Math.min(5, Math.max(1, Math.round(Math.sqrt(points) / 6)))
}

/** Whether [lon, lat] is inside a ring (ray casting; on the edge counts as either). */
export function inRing(lon: number, lat: number, ring: Position[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Whether [lon, lat] is inside a feature: inside an outer ring and outside that polygon's holes. */
export function inFeature(lon: number, lat: number, f: RegionFeature): boolean {
  return polygonsOf(f).some((poly) => poly.length > 0 && inRing(lon, lat, poly[0]) && !poly.slice(1).some((hole) => inRing(lon, lat, hole)))
}

/** The street containing a point, from the boundaries the page already has (null outside them all). */
export function locateLocal(fc: RegionCollection | null | undefined, lat: number, lon: number): { code: string; name: string } | null {
  for (const f of fc?.features ?? []) {
    if (f.properties?.level === 'district') continue
    if (inFeature(lon, lat, f)) return { code: String(f.properties.code), name: String(f.properties.name) }
  }
  return null
}

/** Coordinates as people read them: 6 decimals, latitude first. */
export function fmtLatLon(lat: number, lon: number): string {
  return `${lat.toFixed(6)}, ${lon.toFixed(6)}`
}

export interface MapFilters {
  range: [string, string] | null
  status: string[]
  category: string
  nature: string
  street: string
}

export const emptyMapFilters = (): MapFilters => ({ range: null, status: [], category: '', nature: '', street: '' })

/** GET /map/cases's query from the filter bar, empty values left out. */
export function mapQuery(f: MapFilters): Record<string, string | undefined> {
  return {
    from: f.range?.[0] || undefined,
    to: f.range?.[1] || undefined,
    status: f.status.length ? f.status.join(',') : undefined,
    category: f.category || undefined,
    nature: f.nature || undefined,
    street: f.street || undefined,
  }
}

/** A point's colour by where its case stands: open (orange), finished (green), set aside (grey). */
export function statusColor(status: string): string {
  if (['resolved', 'closed'].includes(status)) return '#67c23a'
  if (['rejected', 'merged'].includes(status)) return '#909399'
  return '#e6a23c'
}

/** A cluster's colour by its size: blue for a few, red for a hotspot. */
export function clusterColor(count: number): string {
  if (count >= 30) return '#d03050'
  if (count >= 10) return '#f56c6c'
  if (count >= 3) return '#e6a23c'
  return '#409eff'
}

/** The name the boundaries are registered under with ECharts (components/map/regions.ts). */
export const GEO_MAP = 'ow-district'

/**
 * The `geo` component drawing the streets (names as labels) with the right aspect for the district's latitude, and
 * the tooltip; the view is the whole district unless a centre and zoom are given.
 */
export function geoBaseOption(
  fc: RegionCollection,
  opts: { roam?: boolean; labels?: boolean; center?: [number, number]; zoom?: number; tooltip?: unknown } = {},
): Record<string, unknown> {
  const b = geoBounds(fc)
  const midLat = b ? (b[1] + b[3]) / 2 : 30
  return {
    animation: false,
    tooltip: opts.tooltip ?? { trigger: 'item', confine: true },
    geo: {
      map: GEO_MAP,
      roam: opts.roam ?? true,
      scaleLimit: { min: 0.8, max: 16 },
      aspectScale: Math.cos((midLat * Math.PI) / 180),
      layoutCenter: ['50%', '50%'],
      layoutSize: '96%',
      ...(opts.center ? { center: opts.center } : {}),
      ...(opts.zoom ? { zoom: opts.zoom } : {}),
      label: { show: opts.labels ?? true, fontSize: 11, color: '#4a5568' },
      itemStyle: { areaColor: '#eef3fb', borderColor: '#7a9cc6', borderWidth: 1 },
      emphasis: { label: { show: true, color: '#1f3b66' }, itemStyle: { areaColor: '#d9e6f8' } },
      select: { disabled: true },
      tooltip: { show: false },
    },
  }
}

/** The district outline as a line layer (silent: it takes no clicks). */
export function outlineSeries(fc: RegionCollection): Record<string, unknown> {
  return {
    id: 'outline',
    type: 'lines',
    coordinateSystem: 'geo',
    polyline: true,
    silent: true,
    z: 1,
    lineStyle: { color: '#1f5fbf', width: 2, opacity: 0.9 },
    data: outlineRings(fc).map((coords) => ({ coords })),
  }
}

/** A point picked on the map, with the street it is in (null outside the district). */
export interface Picked {
  lat: number
  lon: number
  street: { code: string; name: string } | null
}
