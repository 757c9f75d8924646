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
  const box = (await chart.boundingBox())!
  const slot = (box.width - 40 - 16) / 12
  await page.mouse.click(box.x + 40 + slot / 2, box.y + box.height - 70)
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
  await page.getByTestId('cockpit-unit').click()
  await page.locator('.el-tree-select__popper:visible, .el-select-dropdown:visible').getByText('城管局', { exact: true }).first().click()
  await expect(page.getByTestId('kpi-total')).toBeVisible()
  await page.getByTestId('kpi-overdue').click()
  await expect(page).toHaveURL(/unit=cgj/)
  await expect(page).toHaveURL(/due=overdue/)
})
