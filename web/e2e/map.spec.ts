// 地图 (issue 23): a leader clicks a hotspot on the cockpit's map through to its cases; the workbench's map groups cases
// into clusters that open the same way and the case page shows its point; intake picks a point and finds its street.
import { test, expect, login, apiAs } from './fixtures'
import type { Locator, Page } from '@playwright/test'
import type { RegionCollection } from '../src/api/map'

type Chart = {
  getOption(): { series: { id?: string; data: { value: number[] }[] }[] }
  convertToPixel(f: object, v: number[]): number[]
}

/** Where a layer's first item is drawn, in page pixels (the chart is reachable from its element, see GeoChart.vue). */
async function itemPixel(chart: Locator, seriesId: string, index = 0): Promise<{ x: number; y: number; count: number }> {
  await expect
    .poll(() => chart.evaluate((el, id) => ((el as HTMLElement & { __chart?: Chart }).__chart?.getOption().series.find((s) => s.id === id)?.data.length ?? 0), seriesId))
    .toBeGreaterThan(index)
  const [x, y, count] = await chart.evaluate(
    (el, [id, i]) => {
      const c = (el as HTMLElement & { __chart: Chart }).__chart
      const v = c.getOption().series.find((s) => s.id === id)!.data[i as number].value
      const [px, py] = c.convertToPixel({ geoIndex: 0 }, [v[0], v[1]])
      return [px, py, v[2]]
    },
    [seriesId, index] as const,
  )
  const box = (await chart.boundingBox())!
  return { x: box.x + x, y: box.y + y, count }
}

/** A page pixel of a geographic point on a map chart. */
async function geoPixel(chart: Locator, lon: number, lat: number) {
  const [x, y] = await chart.evaluate((el, p) => (el as HTMLElement & { __chart: Chart }).__chart.convertToPixel({ geoIndex: 0 }, p), [lon, lat])
  const box = (await chart.boundingBox())!
  return { x: box.x + x, y: box.y + y }
}

async function drawerLeadsToCase(page: Page, expected: number) {
  const drawer = page.getByTestId('map-drawer')
  await expect(drawer).toBeVisible()
  const links = drawer.getByTestId('map-case-link')
  await expect(links.first()).toBeVisible()
  await expect(links).toHaveCount(Math.min(expected, 200))
  const id = await links.first().getAttribute('data-id')
  const number = (await links.first().textContent())!.trim()
  await links.first().click()
  await expect(page).toHaveURL(new RegExp(`/cases/${id}`))
  await expect(page.getByTestId('case-number')).toHaveText(number)
}

test('a leader clicks a hotspot on the cockpit map through to its cases', async ({ page }) => {
  await login(page, 'leader')
  await expect(page).toHaveURL(/\/cockpit/)
  const panel = page.getByTestId('cockpit-map')
  await panel.scrollIntoViewIfNeeded()
  await expect(panel.getByTestId('map-total')).toBeVisible()
  expect(Number(await panel.getByTestId('map-total').getAttribute('data-points'))).toBeGreaterThan(0)
  // The heat layer's hotspots: click the busiest one where it is drawn.
  await expect(panel.getByTestId('map-hotspots')).toBeVisible()
  const chart = panel.getByTestId('map-chart')
  await page.waitForTimeout(500) // the canvas settles
  const hot = await itemPixel(chart, 'hotspots')
  await page.mouse.click(hot.x, hot.y)
  await expect(page.getByTestId('map-drawer')).toContainText('热点')
  await drawerLeadsToCase(page, hot.count)
  // The case has its point on the case page.
  await expect(page.getByTestId('case-map')).toBeVisible()
})

test('the workbench map: clusters open their cases, a street lists its own', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.getByTestId('wb-map-toggle').click()
  const map = page.getByTestId('wb-map')
  await expect(map.getByTestId('map-total')).toBeVisible()
  const chart = map.getByTestId('map-chart')
  await page.waitForTimeout(500)
  const cluster = await itemPixel(chart, 'clusters')
  expect(cluster.count).toBeGreaterThan(1)
  await page.mouse.click(cluster.x, cluster.y)
  await drawerLeadsToCase(page, cluster.count)

  // Back: a street's count opens the street's cases.
  await page.goBack()
  await expect(map.getByTestId('map-streets')).toBeVisible()
  const street = map.getByTestId('map-streets').getByRole('button').first()
  const count = Number((await street.textContent())!.trim().split(/\s+/).pop())
  await street.click()
  await expect(page.getByTestId('map-drawer').getByTestId('map-case-link').first()).toBeVisible()
  expect(await page.getByTestId('map-drawer').getByTestId('map-case-link').count()).toBeLessThanOrEqual(Math.min(count, 200))
})

test('intake picks a point on the map and finds its street', async ({ page }) => {
  const api = await apiAs(page, 'clerk')
  const fc = (await api('GET', '/map/regions')) as RegionCollection
  const street = fc.features.find((f) => f.properties.level === 'street')!
  const ring = (street.geometry.type === 'Polygon' ? street.geometry.coordinates[0] : (street.geometry.coordinates as number[][][][])[0][0]) as number[][]
  // A point inside the street: the mean of its vertices, checked with the server.
  const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length
  const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length
  const located = (await api('GET', `/map/locate?lat=${lat}&lon=${lon}`)) as { code: string; name: string }

  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  await page.getByTestId('in-pick-point').click()
  const dialog = page.getByTestId('in-picker-dialog')
  const chart = dialog.getByTestId('map-picker-chart')
  await expect(chart).toBeVisible()
  await page.waitForTimeout(500)

  // Outside the district (the chart's corner): refused with a warning.
  const box = (await chart.boundingBox())!
  await page.mouse.click(box.x + 3, box.y + 3)
  await expect(dialog.getByTestId('map-picker-status')).toHaveAttribute('data-type', 'warning')
  await expect(dialog.getByTestId('map-picker-status')).toContainText('不在本区范围内')

  const at = await geoPixel(chart, lon, lat)
  await page.mouse.click(at.x, at.y)
  await expect(dialog.getByTestId('map-picker-status')).toHaveAttribute('data-type', 'success')
  await expect(dialog.getByTestId('map-picker-status')).toContainText(located.name)
  await dialog.getByTestId('in-picker-done').click()
  await expect(page.getByTestId('in-point')).toBeVisible()
  await expect(page.getByTestId('in-region').locator('input')).toHaveValue(new RegExp(located.name))
})
