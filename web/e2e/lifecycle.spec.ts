// The whole loop through the pages: portal → accept → dispatch → sign → resolve → unsatisfied follow-up (reopens)
// → resolve again → the citizen rates satisfied on the portal → closed; the citizen sees each status, and a handler
// of another street cannot open the case.
import { test, expect, login, logout, openCase, act, expectStatus, citizenSees, pickPlace, freshPhone, allowConsoleError, confirmBox, expectMessage } from './fixtures'
import type { Page } from '@playwright/test'

/** The administrator turns 智能分拨's auto-dispatch on or off on its settings page. */
async function setAutoDispatch(page: Page, on: boolean) {
  await login(page, 'admin')
  await page.getByTestId('menu-admin').click()
  await page.getByTestId('menu-admin-triage').click()
  await expect(page).toHaveURL(/\/admin\/triage/)
  // The form appears once the settings are read; a refusal is shown in place instead: name it.
  const form = page.getByTestId('triage-settings')
  const refusal = page.locator('.el-alert--error')
  await expect(form.or(refusal).first()).toBeVisible()
  if (!(await form.isVisible())) throw new Error(`the settings did not load: ${await refusal.first().textContent()}`)
  const sw = form.getByRole('switch')
  if ((await sw.isChecked()) !== on) await page.getByTestId('triage-settings').locator('.el-switch').click()
  await expect(sw).toBeChecked({ checked: on })
  await page.getByTestId('triage-save').click()
  await expectMessage(page, '已保存', 'success')
  await logout(page)
}

async function submitOnPortal(page: Page, phone: string, description: string): Promise<string> {
  await page.goto('/portal')
  await page.getByLabel('您的称呼').fill('周女士')
  await page.getByTestId('p-phone').fill(phone)
  await pickPlace(page, 'p-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区文昌路 18 号门口')
  await page.getByTestId('p-nature').getByText('投诉').click()
  await page.getByLabel('问题描述').fill(description)
  await page.getByTestId('p-submit').click()
  await expect(page.getByTestId('portal-receipt')).toBeVisible()
  const number = (await page.getByTestId('receipt-number').textContent())!.trim()
  expect(number).toMatch(/^\d{4}-\d{6}$/)
  return number
}

const STALLS = '文昌路 18 号门口每天傍晚有流动摊贩占道经营卖水果，人行道被堵，希望城管处理。'

test('a request goes round the whole loop', async ({ page }) => {
  test.setTimeout(300_000)
  const phone = freshPhone()
  let number = ''
  let caseUrl = ''

  await test.step('the administrator turns auto-dispatch off, so people handle the case', async () => {
    await setAutoDispatch(page, false)
  })

  await test.step('a citizen submits on the portal', async () => {
    number = await submitOnPortal(page, phone, STALLS)
    await page.getByTestId('receipt-track').click()
    await expect(page.getByTestId('track-status')).toHaveAttribute('data-status', 'registered')
  })

  await test.step('the clerk accepts', async () => {
    await login(page, 'clerk')
    await openCase(page, number)
    caseUrl = page.url()
    await expectStatus(page, 'registered')
    await act(page, 'accept', async (d) => d.getByTestId('opinion').fill('诉求清楚，予以受理'))
    await expectStatus(page, 'accepted')
    await logout(page)
    await citizenSees(page, number, phone, 'accepted')
  })

  await test.step('the dispatcher dispatches from the dispatch desk', async () => {
    await login(page, 'dispatcher')
    await page.getByTestId('menu-dispatch').click()
    await page.getByTestId('desk-q').fill(number)
    await page.getByTestId('desk-search').click()
    const row = page.getByTestId('dispatch-table').locator('tr', { has: page.getByTestId('dispatch-case').filter({ hasText: number }) })
    await expect(row).toHaveCount(1)
    await row.getByTestId('desk-unit').click()
    await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: /^城管局$/ }).first().click()
    await row.getByTestId('desk-opinion').fill('请今日内到场处理')
    await row.getByTestId('desk-send').click()
    // The dispatcher confirms where the case goes.
    await expect(page.locator('.el-message-box')).toContainText('将派往：城管局')
    await confirmBox(page)
    await expectMessage(page, `${number} 已派至 城管局`, 'success')
    await logout(page)
    await citizenSees(page, number, phone, 'dispatched')
  })

  await test.step('the handler signs for it and resolves it', async () => {
    await login(page, 'handler')
    await openCase(page, number)
    await expectStatus(page, 'dispatched')
    await act(page, 'sign')
    await expectStatus(page, 'in_progress')
    // The reply is required: the dialog says so in place and does not submit.
    await page.getByTestId('act-resolve').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog.getByText('答复内容为必填项')).toBeVisible()
    await dialog.getByTestId('reply').fill('已安排执法中队到现场劝离摊贩，并纳入日常巡查。')
    await dialog.getByTestId('action-submit').click()
    await expect(dialog).toBeHidden()
    await expectStatus(page, 'resolved')
    await logout(page)
    await citizenSees(page, number, phone, 'resolved')
  })

  await test.step('the follow-up finds the citizen unsatisfied: the case is handled again', async () => {
    await login(page, 'clerk')
    await openCase(page, number)
    await act(page, 'follow_up', async (d) => {
      await d.getByTestId('satisfaction-unsatisfied').click()
      await d.getByTestId('resolved-no').click()
      await d.getByTestId('opinion').fill('群众反映摊贩傍晚又回来了')
    })
    await expectStatus(page, 'in_progress')
    await expect(page.getByTestId('timeline').locator('[data-action="follow_up"]')).toHaveCount(1)
    await logout(page)
    await citizenSees(page, number, phone, 'in_progress')
  })

  await test.step('the handler resolves again', async () => {
    await login(page, 'handler')
    await openCase(page, number)
    await act(page, 'resolve', async (d) => d.getByTestId('reply').fill('已在傍晚时段增派巡查，摊贩已不再占道。'))
    await expectStatus(page, 'resolved')
    await logout(page)
  })

  await test.step('the citizen rates the outcome satisfied on the portal: closed', async () => {
    await citizenSees(page, number, phone, 'resolved')
    const form = page.getByTestId('rate-form')
    await form.getByTestId('r-satisfied').click()
    await form.getByTestId('r-resolved-yes').click()
    await form.getByTestId('r-submit').click()
    await expect(page.getByTestId('rated')).toBeVisible()
    await expect(page.getByTestId('track-status')).toHaveAttribute('data-status', 'closed')
  })

  await test.step('the timeline shows every step', async () => {
    await login(page, 'dispatcher')
    await openCase(page, number)
    await expectStatus(page, 'closed')
    const actions = await page.getByTestId('timeline').locator('[data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')))
    expect(actions).toEqual(['register', 'accept', 'dispatch', 'sign', 'resolve', 'follow_up', 'resolve', 'follow_up'])
    await logout(page)
  })

  await test.step('a handler of another street cannot open the case', async () => {
    await login(page, 'street2_handler')
    allowConsoleError(page, /status of 404/)
    await page.goto(caseUrl)
    await expect(page.getByTestId('case-not-found')).toBeVisible()
    await expect(page.getByTestId('case-actions')).toHaveCount(0)
    await page.getByTestId('menu-workbench').click()
    await page.getByTestId('f-number').fill(number)
    await page.getByTestId('f-search').click()
    await expect(page.getByTestId('case-table').getByText('暂无数据')).toBeVisible()
  })
})

test('with auto-dispatch on, a confident web request goes straight to the unit', async ({ page }) => {
  await setAutoDispatch(page, true)
  const phone = freshPhone()
  const number = await submitOnPortal(page, phone, STALLS)
  await citizenSees(page, number, phone, 'dispatched')
  await expect(page.getByTestId('track-result')).toContainText('城管局')
})
