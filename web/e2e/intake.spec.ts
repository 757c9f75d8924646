// 一窗受理: triage suggestions and possible duplicates appear as the clerk types; the dispatcher registers, accepts
// and dispatches in one step.
import { test, expect, login, pickRegion, freshPhone, expectStatus } from './fixtures'

const TEXT = '小区门口每天晚上有人占道经营卖烧烤，油烟和噪音很大，影响居民休息，希望城管部门处理。'

test('the clerk gets triage suggestions and duplicate warnings while typing, then registers', async ({ page }) => {
  const phone = freshPhone()
  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  // Keyboard and labels: every field is reachable by its label.
  await page.getByLabel('诉求人').fill('陈先生')
  await page.getByLabel('联系电话').fill(phone)
  await pickRegion(page, 'in-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区滨江路 88 号')
  await page.getByLabel('诉求内容').fill(TEXT)

  const panel = page.getByTestId('triage-panel')
  await expect(panel.getByTestId('triage-category')).toHaveText('城市管理/占道经营')
  await expect(panel.getByTestId('triage-department')).toHaveText('城管局')
  await expect(panel.getByTestId('triage-risk')).toBeVisible()
  // The suggestion fills the category the clerk can still change.
  await expect(page.getByTestId('in-category').locator('input')).toHaveValue(/占道经营/)

  await page.getByTestId('in-register').click()
  await expect(page).toHaveURL(/\/cases\//)
  await expectStatus(page, 'registered')
  const first = (await page.getByTestId('case-number').textContent())!.trim()

  // The same caller again: the earlier case shows up as a possible duplicate.
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('诉求人').fill('陈先生')
  await page.getByLabel('联系电话').fill(phone)
  await expect(page.getByTestId('duplicates-panel').getByText(first)).toBeVisible()
})

test('a request with risk language is flagged while the clerk types', async ({ page }) => {
  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('诉求内容').fill('工地拖欠我们三个月工资，老板一直不给，再不解决我们二十多个工友就去区政府门口拉横幅，还要找记者曝光')
  await expect(page.getByTestId('triage-category')).toHaveText('劳动社保/拖欠工资')
  await expect(page.getByTestId('triage-risk')).toHaveText('高')
  await expect(page.getByTestId('triage-signals')).toContainText('聚集风险')
  await expect(page.getByTestId('triage-signals')).toContainText('媒体曝光')
  // …with the phrases that weighed.
  await expect(page.getByTestId('triage-reasons')).toContainText('依据：')
  await expect(page.getByTestId('triage-reasons')).toContainText('拉横幅')
})

test('a clerk is told in place what is missing or wrong', async ({ page }) => {
  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('联系电话').fill('12ab')
  await page.getByTestId('in-register').click()
  await expect(page.getByText('诉求人为必填项')).toBeVisible()
  await expect(page.getByText('电话号码格式不正确')).toBeVisible()
  await expect(page.getByText('诉求内容为必填项')).toBeVisible()
  await expect(page).toHaveURL(/\/intake$/)
})

test('the dispatcher registers, accepts and dispatches in one step', async ({ page }) => {
  await login(page, 'dispatcher')
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('诉求人').fill('林女士')
  await page.getByLabel('联系电话').fill(freshPhone())
  await pickRegion(page, 'in-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区滨江路 90 号')
  await page.getByLabel('诉求内容').fill(TEXT)
  await expect(page.getByTestId('triage-department')).toHaveText('城管局')
  await expect(page.getByTestId('in-unit').first()).toContainText('城管局')
  await page.getByTestId('in-dispatch').click()
  await expect(page).toHaveURL(/\/cases\//)
  await expectStatus(page, 'dispatched')
  await expect(page.getByTestId('case-unit')).toHaveText('城管局')
})
