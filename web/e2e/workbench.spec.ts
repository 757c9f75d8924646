// The workbench: queue tabs, the filter bar, 临期/超期 colours, column settings and Excel export.
import { test, expect, login, pickOption } from './fixtures'

test('filters narrow the list and the export downloads the same filter', async ({ page }) => {
  await login(page, 'dispatcher')
  const table = page.getByTestId('case-table')
  await expect(table.getByTestId('case-link').first()).toBeVisible()

  // Status filter: every row shown is 办理中.
  await pickOption(page, 'f-status', '办理中')
  await page.keyboard.press('Escape')
  await page.getByTestId('f-search').click()
  await expect(page).toHaveURL(/status=in_progress/)
  await expect(table.getByTestId('status-tag').first()).toHaveAttribute('data-status', 'in_progress')
  const statuses = await table.getByTestId('status-tag').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))
  expect(statuses.length).toBeGreaterThan(0)
  expect(new Set(statuses)).toEqual(new Set(['in_progress']))

  // Excel export of the current filter: a real file download.
  await page.getByTestId('export').click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()])
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/)
  const path = await download.path()
  expect(path).toBeTruthy()

  // Reset brings every status back.
  await page.getByTestId('f-reset').click()
  await expect(page).not.toHaveURL(/status=/)
})

test('the overdue queue is coloured red and counted on its tab', async ({ page }) => {
  await login(page, 'dispatcher')
  const tab = page.getByTestId('queue-overdue')
  await expect(tab.locator('.el-badge__content')).toHaveText(/\d+/)
  await tab.click()
  await expect(page).toHaveURL(/tab=overdue/)
  const row = page.getByTestId('case-table').locator('tr.row-overdue').first()
  await expect(row).toBeVisible()
  await expect(row.locator('[data-due-state="overdue"]')).toBeVisible()
})

test('columns can be hidden and the choice is kept', async ({ page }) => {
  await login(page, 'handler')
  const header = page.getByTestId('case-table').locator('thead')
  await expect(header.getByText('诉求分类')).toBeVisible()
  await page.getByTestId('column-settings').click()
  await page.locator('.el-popover:visible').getByText('诉求分类').click()
  await expect(header.getByText('诉求分类')).toHaveCount(0)
  await page.reload()
  await expect(page.getByTestId('case-table').locator('thead').getByText('诉求分类')).toHaveCount(0)
  await page.getByTestId('column-settings').click()
  await page.locator('.el-popover:visible').getByText('诉求分类').click()
  await expect(page.getByTestId('case-table').locator('thead').getByText('诉求分类')).toBeVisible()
})

test('a supervisor urges several overdue cases at once', async ({ page }) => {
  await login(page, 'supervisor')
  await page.getByTestId('queue-overdue').click()
  const rows = page.getByTestId('case-table').locator('.el-table__body tr')
  await expect(rows.first()).toBeVisible()
  await rows.nth(0).locator('.el-checkbox').click()
  await rows.nth(1).locator('.el-checkbox').click()
  await page.getByTestId('batch-urge').click()
  await expect(page.getByText('2 件成功，0 件失败')).toBeVisible()
})
