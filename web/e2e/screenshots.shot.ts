// Screenshots of the main pages for docs/screenshots (run by scripts/screenshots.sh, not part of the e2e suite).
import { test, expect, login } from './fixtures'
import type { Page } from '@playwright/test'

const OUT = process.env.SCREENSHOT_DIR ?? '../docs/screenshots'

async function shot(page: Page, name: string) {
  await page.waitForLoadState('networkidle')
  await page.waitForTimeout(600) // chart and transition animations
  await page.screenshot({ path: `${OUT}/${name}.png`, fullPage: false })
}

test('workbench', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.goto('/')
  await expect(page.getByTestId('case-table')).toBeVisible()
  await expect(page.getByTestId('case-link').first()).toBeVisible()
  await shot(page, 'workbench')
})

test('case detail', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.goto('/?tab=in_progress')
  await page.getByTestId('case-link').first().click()
  await expect(page.getByTestId('timeline')).toBeVisible()
  await shot(page, 'case-detail')
})

test('intake', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.goto('/intake')
  await page.getByTestId('in-name').fill('王先生')
  await page.getByTestId('in-phone').fill('13800001111')
  await page.getByTestId('in-address').fill('临江区临江街道滨江路 88 号')
  await page.getByTestId('in-region').click()
  await page.getByTestId('in-region').locator('input').first().fill('金桥社区')
  await page.locator('.el-cascader__suggestion-item:visible').first().click()
  await page.getByTestId('in-description').fill('小区门口每天晚上有人占道经营卖烧烤，油烟和噪音很大，影响居民休息，希望城管部门处理。')
  await expect(page.getByTestId('triage-category')).toBeVisible()
  await shot(page, 'intake')
})

test('dispatch desk', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.goto('/dispatch')
  await expect(page.getByTestId('dispatch-table')).toBeVisible()
  await shot(page, 'dispatch')
})

test('cockpit', async ({ page }) => {
  await login(page, 'leader')
  await page.goto('/cockpit')
  await expect(page.getByTestId('chart-volume')).toBeVisible()
  await shot(page, 'cockpit')
})

test('portal on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/portal')
  await expect(page.getByTestId('portal-form')).toBeVisible()
  await shot(page, 'portal')
})

test('workbench in English', async ({ page }) => {
  await login(page, 'handler', 'en')
  await page.goto('/')
  await expect(page.getByTestId('case-table')).toBeVisible()
  await shot(page, 'workbench-en')
})

test('case detail with the resolve dialog', async ({ page }) => {
  await login(page, 'handler')
  await page.goto('/?tab=in_progress')
  await page.getByTestId('case-link').first().click()
  await page.getByTestId('act-resolve').click()
  await page.getByRole('dialog').getByTestId('action-submit').click()
  await expect(page.getByRole('dialog').getByText('答复内容为必填项')).toBeVisible()
  await shot(page, 'action-dialog')
})

test('portal tracking on a phone', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.goto('/?tab=resolved')
  await page.getByTestId('case-link').first().click()
  const number = (await page.getByTestId('case-number').textContent())!.trim()
  const phone = (await page.getByTestId('case-info').getByText(/^1\d{10}$/).first().textContent())!.trim()
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/portal')
  await page.getByRole('tab', { name: '进度查询' }).click()
  await page.getByTestId('t-number').fill(number)
  await page.getByTestId('t-phone').fill(phone)
  await page.getByTestId('t-submit').click()
  await expect(page.getByTestId('track-result')).toBeVisible()
  await shot(page, 'portal-track')
})

test('admin org tree', async ({ page }) => {
  await login(page, 'admin')
  await page.goto('/admin/org')
  await expect(page.getByTestId('org-tree')).toBeVisible()
  await shot(page, 'admin-org')
})

test('admin time limits with the rule dialog', async ({ page }) => {
  await login(page, 'admin')
  await page.goto('/admin/policies')
  await page.getByTestId('policy-edit-1').click()
  await expect(page.getByRole('dialog')).toBeVisible()
  await shot(page, 'admin-policies')
})

test('admin routing catalogue', async ({ page }) => {
  await login(page, 'admin')
  await page.goto('/admin/taxonomy')
  await expect(page.getByTestId('catalogue-table')).toBeVisible()
  await page.getByTestId('catalogue-table').scrollIntoViewIfNeeded()
  await shot(page, 'admin-catalogue')
})

test('ledger import, checked only', async ({ page }) => {
  await login(page, 'clerk')
  await page.goto('/ledger')
  const csv = [
    '走访对象,对象类型,走访日期,走访人,问题描述,地址,区划代码,问题分类,联系电话',
    '王建国,住户,2026-11-02,李明,小区东门路灯损坏两周无人修,临江区东湖街道金桥社区金桥花园东门,330188002001,城市管理/市容环境,13800001234',
    '钱进,企业,2026-11-03,李明,厂区门口道路坑洼，大货车进出困难,临江区东湖街道金桥社区文昌路 18 号,330188002001,,13800005678',
    '赵六,住户,2026-11-40,李明,楼道堆放杂物,临江区某处,999,城市管理/市容环境,',
  ].join('\r\n')
  await page.getByTestId('ledger-file').setInputFiles({ name: '走访台账.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByTestId('ledger-dry-run').click()
  await page.getByTestId('ledger-submit').click()
  await expect(page.getByTestId('ledger-rows')).toBeVisible()
  await shot(page, 'ledger-import')
})

test('notifications', async ({ page }) => {
  await login(page, 'handler')
  await page.goto('/notifications')
  await expect(page.getByTestId('notifications')).toBeVisible()
  await shot(page, 'notifications')
})

test('受理回执 (print)', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.goto('/?tab=in_progress')
  const href = await page.getByTestId('case-link').first().getAttribute('href')
  await page.goto(`/print/receipt/${href!.split('/').pop()}`)
  await expect(page.getByText('受理回执').first()).toBeVisible()
  await shot(page, 'print-receipt')
})

test('portal place picker on a phone', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/portal')
  await page.getByTestId('p-region').click()
  await expect(page.locator('.el-select-dropdown:visible').first()).toBeVisible()
  await shot(page, 'portal-places')
})
