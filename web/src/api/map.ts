// 地图 (issue 23, item 3): the district's streets as GeoJSON, case points with the usual filters, a point's street.
// Contract: /work/notes/issue23-plan.md.
import { get } from './http'
import type { Query } from './http'

export type Position = number[]
export interface Geometry {
  type: 'Polygon' | 'MultiPolygon'
  coordinates: Position[][] | Position[][][]
}
export interface RegionFeature {
  type: 'Feature'
  properties: { code: string; name: string; level: 'street' | 'district' | string; [k: string]: unknown }
  geometry: Geometry
}
export interface RegionCollection {
  type: 'FeatureCollection'
  features: RegionFeature[]
}

export interface MapPoint {
  id: string
  number: string
  title: string
  lat: number
  lon: number
  status: string
  urgency: string
  street: string | null
}
export interface MapCases {
  total: number
  truncated: boolean
  points: MapPoint[]
  streets: { code: string; name: string; count: number }[]
}

export const mapApi = {
  regions: () => get<RegionCollection>('/map/regions'),
  cases: (q: Query) => get<MapCases>('/map/cases', q),
  locate: (lat: number, lon: number) => get<{ code: string; name: string }>('/map/locate', { lat, lon }),
  config: () => get<{ tile_url: string | null }>('/map/config'),
}
