// The district's boundaries (GET /map/regions), fetched once per session and registered with ECharts as the map every
// map component draws: the streets as regions (the district outline is drawn as a line by the components).
import * as echarts from 'echarts/core'
import { mapApi } from '../../api/map'
import type { RegionCollection } from '../../api/map'
import { GEO_MAP, streetFeatures } from '../../utils/map'

export { GEO_MAP as MAP_NAME } from '../../utils/map'

let regionsP: Promise<RegionCollection> | null = null

export function loadRegions(): Promise<RegionCollection> {
  regionsP ??= mapApi.regions().then((fc) => {
    echarts.registerMap(GEO_MAP, { type: 'FeatureCollection', features: streetFeatures(fc) } as unknown as Parameters<typeof echarts.registerMap>[1])
    return fc
  })
  regionsP.catch(() => (regionsP = null))
  return regionsP
}

/** After an admin uploads new boundaries: the next map fetches them again. */
export function forgetRegions() {
  regionsP = null
}
