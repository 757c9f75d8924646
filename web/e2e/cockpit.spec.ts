// The leaders' cockpit: charts for a period and a unit, each clicking through to the cases behind it.
import { test, expect, login } from './fixtures'

test('the cockpit drills down to the case list', async ({ page }) => {
  await login(page, 'leader')
  await expect(page).toHaveURL(/\/cockpit/)
  await expect(page.getByTestId('kpi-total')).toBeVisible()
  const total = Number((await page.getByTestId('kpi-total').locator('.kpi-value').textContent())!.trim())
  expect(total).toBeGreaterThan(0)

  // The streets chart: bars sorted from the busiest; click the first one.
  const chart = page.getByTestId('chart-street')
  await chart.scrollIntoViewIfNeeded()
  await page.waitForTimeout(800) // the bars grow in
  // Where the first bar is drawn: the middle of its height, in the chart's pixels.
  const [x, y] = await chart.evaluate((el) => {
    const c = (el as HTMLElement & { __chart: { getOption(): { series: { data: number[] }[] }; convertToPixel(f: object, v: number[]): number[] } }).__chart
    return c.convertToPixel({ seriesIndex: 0 }, [0, c.getOption().series[0].data[0] / 2])
  })
  const box = (await chart.boundingBox())!
  await page.mouse.click(box.x + x, box.y + y)
  await expect(page).toHaveURL(/region=\d+/)
  await expect(page).toHaveURL(/from=\d{4}-\d{2}-\d{2}/)
  await expect(page.getByTestId('case-table').getByTestId('case-link').first()).toBeVisible()

  // Back to the cockpit; the total tile lists the whole period.
  await page.goBack()
  await page.getByTestId('kpi-total').click()
  await expect(page).toHaveURL(/\/\?.*from=/)
  await expect(page.getByTestId('pagination')).toContainText(`${total}`)
})

test('the cockpit for one unit', async ({ page }) => {
  await login(page, 'leader')
  await page.getByTestId('cockpit-unit').first().click()
  await page.keyboard.type('城管局')
  await page.locator('.el-tree-node__content:visible', { hasText: /^城管局$/ }).first().click()
  await expect(page.getByTestId('kpi-total')).toBeVisible()
  await page.getByTestId('kpi-overdue').click()
  await expect(page).toHaveURL(/unit=cgj/)
  await expect(page).toHaveURL(/due=overdue/)
})
