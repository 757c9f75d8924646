// The action dialogs of the case detail: extension asked and approved, a duplicate merged by its number (with the
// error shown in place for a wrong number), and the admin's user form.
import { test, expect, login, logout, openCase, act, expectStatus, pickRegion, freshPhone, allowConsoleError } from './fixtures'
import type { Page } from '@playwright/test'

async function intake(page: Page, mode: 'in-register' | 'in-dispatch', phone: string, text: string): Promise<string> {
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('诉求人').fill('赵先生')
  await page.getByLabel('联系电话').fill(phone)
  await pickRegion(page, 'in-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区滨江路 120 号')
  await page.getByLabel('诉求内容').fill(text)
  await expect(page.getByTestId('triage-department')).toBeVisible()
  await page.getByTestId(mode).click()
  await expect(page).toHaveURL(/\/cases\//)
  return (await page.getByTestId('case-number').textContent())!.trim()
}

const TEXT = '滨江路 120 号旁的人行道上长期有人占道经营摆摊，晚上还有烧烤油烟，希望城管部门依法处理。'

test('a handler asks for an extension and the dispatcher approves it', async ({ page }) => {
  await login(page, 'dispatcher')
  const number = await intake(page, 'in-dispatch', freshPhone(), TEXT)
  await expectStatus(page, 'dispatched')
  await logout(page)

  await login(page, 'handler')
  await openCase(page, number)
  await act(page, 'sign')
  await act(page, 'request_extension', async (d) => {
    await d.getByTestId('ext-days').locator('input').fill('3')
    await d.getByTestId('reason').fill('需协调市场监管部门联合执法，申请延期 3 个工作日')
  })
  await expect(page.getByTestId('case-info')).toContainText('申请延期 3 个工作日')
  await expect(page.getByTestId('act-request_extension')).toHaveCount(0)
  await logout(page)

  await login(page, 'dispatcher')
  await openCase(page, number)
  await act(page, 'decide_extension', async (d) => {
    await expect(d).toContainText('申请延期 3 个工作日')
    await d.getByTestId('approve').getByText('批准', { exact: true }).click()
  })
  await expect(page.getByTestId('timeline').locator('[data-action="decide_extension"]')).toContainText('批准')
  await expect(page.getByTestId('case-info')).not.toContainText('待审批延期')
})

test('the dispatcher merges a duplicate into the main case by its number', async ({ page }) => {
  const phone = freshPhone()
  await login(page, 'dispatcher')
  const main = await intake(page, 'in-register', phone, TEXT)
  const dup = await intake(page, 'in-register', phone, TEXT)
  await expectStatus(page, 'registered')

  // A wrong number is reported under the field, and nothing changes.
  await page.getByTestId('act-merge').click()
  const dialog = page.getByRole('dialog')
  await dialog.getByTestId('merge-into').fill('2026-999999')
  await dialog.getByTestId('action-submit').click()
  await expect(dialog.getByText('找不到编号为 2026-999999 的工单')).toBeVisible()
  await dialog.getByTestId('merge-into').fill(main)
  await dialog.getByTestId('action-submit').click()
  await expect(dialog).toBeHidden()
  await expectStatus(page, 'merged')

  await openCase(page, main)
  await page.getByRole('tab', { name: '关联工单' }).click()
  await expect(page.getByTestId('related-merged')).toContainText(dup)
})

test('the administrator creates a user who can then sign in', async ({ page }) => {
  const username = `e2e_${Date.now().toString(36)}`
  await login(page, 'admin')
  await page.getByTestId('menu-admin').click()
  await page.getByRole('menuitem', { name: '组织机构' }).click()
  await expect(page.getByTestId('org-tree')).toContainText('城管局')
  await page.getByRole('tab', { name: '用户管理' }).click()
  await expect(page.getByTestId('user-table')).toContainText('dispatcher')
  await page.getByTestId('add-user').click()
  const dialog = page.getByRole('dialog')
  await dialog.getByLabel('用户名').fill(username)
  await dialog.getByLabel('姓名').fill('测试承办人')
  await dialog.getByLabel('初始密码').fill('short')
  await dialog.getByRole('button', { name: '确定' }).click()
  await expect(dialog.getByText('密码至少 12 位')).toBeVisible()
  // Long enough, but common: the server's password policy refuses it, shown at the field.
  allowConsoleError(page, /status of 422/)
  await dialog.getByLabel('初始密码').fill('password1234')
  await dialog.getByRole('button', { name: '确定' }).click()
  await expect(dialog.getByText('常见或过于简单')).toBeVisible()
  const password = 'west lake in light rain'
  await dialog.getByLabel('初始密码').fill(password)
  await dialog.getByRole('button', { name: '确定' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('user-table')).toContainText(username)
  await logout(page)
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登 录' }).click()
  await expect(page.getByTestId('user-menu')).toContainText('测试承办人')
})
