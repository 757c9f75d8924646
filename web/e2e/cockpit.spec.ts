// The leaders' cockpit: charts for a period and a unit, each clicking through to the cases behind it; its figures are
// the workbench's and the unit metrics' (one formula each), named the same and explained on hover.
import { test, expect, login } from './fixtures'
import { apiGet, pageToken } from './api'
import type { Page } from '@playwright/test'
import type { Cockpit, UnitMetrics } from '../src/api/types'

const kpiValue = async (page: Page, key: string) => (await page.getByTestId(`kpi-${key}`).locator('.kpi-value').textContent())!.trim()
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`)

/** Opens the cockpit and returns the answer the page drew from. */
async function openCockpit(page: Page): Promise<Cockpit> {
  // Off the app first, so that the answer awaited is the one this visit draws from (not one still on its way to the
  // page being left).
  await page.goto('about:blank')
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/stats/cockpit') && r.status() === 200)
  await page.goto('/cockpit')
  const data = (await (await answer).json()) as Cockpit
  await expect(page.getByTestId('kpi-total')).toBeVisible()
  return data
}

test('the cockpit drills down to the case list', async ({ page }) => {
  await login(page, 'leader')
  await expect(page).toHaveURL(/\/cockpit/)
  await expect(page.getByTestId('kpi-total')).toBeVisible()
  const total = Number(await kpiValue(page, 'total'))
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

  // Back to the cockpit; the 受理量 card lists the whole period.
  await page.goBack()
  await page.getByTestId('kpi-total').click()
  await expect(page).toHaveURL(/\/\?.*from=/)
  await expect(page.getByTestId('pagination')).toContainText(`${total}`)
})

test('the cockpit for one unit', async ({ page }) => {
  await login(page, 'leader')
  // Clocks keep running between the card and the list: try again until one reading of each agrees.
  await expect(async () => {
    await page.goto('/cockpit')
    await page.getByTestId('cockpit-unit').first().click()
    await page.keyboard.type('城管局')
    await page.locator('.el-tree-node__content:visible', { hasText: /^城管局$/ }).first().click()
    await expect(page.getByTestId('metrics-period')).toContainText('城管局')
    const overdue = Number(await kpiValue(page, 'overdue_now'))
    await page.getByTestId('kpi-overdue_now').click()
    await expect(page).toHaveURL(/unit=cgj/)
    await expect(page).toHaveURL(/tab=overdue/)
    // The list behind the card is as long as the card says.
    await expect(page.getByTestId('pagination').locator('.el-pagination__total')).toHaveText(`共 ${overdue} 条`, { timeout: 5_000 })
  }).toPass({ timeout: 60_000 })
})

test("the cockpit's 当前超期 is the workbench's 超期 for the same user, and its bars add up to it", async ({ page }) => {
  await login(page, 'leader')
  // Clocks keep running while the test reads both pages: read them again until one reading of each agrees (a real
  // difference in the formulas never does).
  await expect(async () => {
    const data = await openCockpit(page)
    const card = Number(await kpiValue(page, 'overdue_now'))
    expect(card).toBe(data.overdue_now)
    // The chart's caption: the ten units, the rest, and their sum — the card.
    await expect(page.getByTestId('overdue-sum')).toHaveText(new RegExp(`= 当前超期 ${card} 件$`))
    const top = data.overdue_top.reduce((s, r) => s + r.count, 0)
    expect(top + data.overdue_other).toBe(card)
    await page.goto('/')
    const badge = page.getByTestId('queue-overdue').locator('.el-badge__content')
    await expect(badge).toBeVisible()
    expect(Number((await badge.textContent())!.trim())).toBe(card)
  }).toPass({ timeout: 60_000 })

  // The card clicks through to that list.
  await page.goto('/cockpit')
  await page.getByTestId('kpi-overdue_now').click()
  await expect(page).toHaveURL(/tab=overdue/)
  await expect(page.getByTestId('queue-tabs').locator('.el-tabs__item.is-active')).toContainText('超期')
})

test('the cockpit rates are the unit metrics of the same period and unit, explained on hover', async ({ page }) => {
  await login(page, 'leader')
  const data = await openCockpit(page)
  // The default period holds this month (in the center's time zone).
  const thisMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date())
  expect(data.metrics_period.split('..').pop()).toBe(thisMonth)
  await expect(page.getByTestId('cockpit-range').locator('input').last()).toHaveValue(thisMonth)
  const [first, last] = data.metrics_period.split('..')
  await expect(page.getByTestId('metrics-period')).toContainText(`${first} 至 ${last}`)
  await expect(page.getByTestId('metrics-period')).toContainText(data.unit_name)

  // The unit metrics, asked for with the page's own token, for the period and unit the page shows.
  const token = await pageToken(page)
  const m = await apiGet<{ units: UnitMetrics[] }>(page.request, token, `/metrics/units?period=${data.metrics_period}&unit=${data.unit}`)
  const row = m.units.find((u) => u.unit === data.unit)!
  expect(row, 'the unit metrics row of the cockpit unit').toBeTruthy()
  expect(row.satisfaction.denominator, 'rated follow-ups in the period').toBeGreaterThan(0)
  expect(await kpiValue(page, 'satisfaction')).toBe(pct(row.satisfaction.rate))
  expect(await kpiValue(page, 'handle_on_time')).toBe(pct(row.handle_on_time.rate))
  expect(await kpiValue(page, 'sign_on_time')).toBe(pct(row.sign_on_time.rate))
  expect(await kpiValue(page, 'unreachable')).toBe(String(row.unreachable))

  // Hovering a card names its formula with the numbers.
  await page.getByTestId('kpi-handle_on_time').hover()
  const tip = page.locator('.el-popper:visible', { hasText: '按时办结率 =' })
  await expect(tip).toBeVisible()
  await expect(tip).toHaveText(`按时办结率 = 期内按时办结 ${row.handle_on_time.numerator} ÷ 期内办结 ${row.handle_on_time.denominator}`)
  await page.getByTestId('kpi-satisfaction').hover()
  await expect(page.locator('.el-popper:visible', { hasText: '满意率 =' })).toHaveText(
    `满意率 = 回访满意（含基本满意） ${row.satisfaction.numerator} ÷ 回访已评价 ${row.satisfaction.denominator}`,
  )
  await page.getByTestId('kpi-overdue_now').hover()
  await expect(page.locator('.el-popper:visible', { hasText: '当前超期 =' })).toContainText('工作台「超期」')

  // Each month of the satisfaction chart is that month's unit metric (not 100% by construction).
  for (const month of data.satisfaction) {
    const mm = await apiGet<{ units: UnitMetrics[] }>(page.request, token, `/metrics/units?period=${month.month}&unit=${data.unit}`)
    const s = mm.units.find((u) => u.unit === data.unit)!.satisfaction
    expect([month.satisfied, month.rated], month.month).toEqual([s.numerator, s.denominator])
  }
})
