// 知识库 (issue 23): a clerk answers a call directly from the knowledge base found as she types; a reviewer publishes a
// proposed article; the public FAQ on a phone finds published articles only.
import { test, expect, login, pickRegion, pickOption, freshPhone, expectStatus, expectMessage, apiAs } from './fixtures'
import type { Article } from '../src/api/knowledge'

const PERMIT = '居住证怎么办理？需要住多久？'

test('a clerk answers a call directly from the knowledge base', async ({ page }) => {
  const api = await apiAs(page, 'clerk')
  const [article] = ((await api('GET', `/knowledge?q=${encodeURIComponent('居住证怎么办理')}`)) as Article[]).filter((a) => a.question === PERMIT)
  expect(article, 'the demo has the 居住证 article').toBeTruthy()
  const usesBefore = article.uses ?? 0

  await login(page, 'clerk')
  await page.getByTestId('menu-intake').click()
  await page.getByLabel('诉求人').fill('周女士')
  await page.getByLabel('联系电话').fill(freshPhone())
  await pickRegion(page, 'in-region', '金桥社区')
  await page.getByLabel('详细地址').fill('临江区临江街道金桥社区滨江路 12 号')
  await pickOption(page, 'in-nature', '咨询')
  // As she types, the knowledge base answers in the side panel.
  await page.getByTestId('in-title').fill('咨询居住证办理')
  await page.getByLabel('诉求内容').fill('来电人刚从外地来本区工作，想问居住证怎么办理，需要住满多久，要带什么材料。')
  const match = page.getByTestId('kb-panel').getByTestId('kb-match').filter({ hasText: PERMIT })
  await expect(match).toBeVisible()

  await match.getByTestId('kb-use').click()
  await expectMessage(page, /已依据知识库直接办结/, 'success')
  await expect(page).toHaveURL(/\/cases\//)
  await expectStatus(page, 'resolved')
  await expect(page.getByTestId('case-info')).toContainText(article.answer.slice(0, 20))

  // The article counts the use and lists the case.
  const after = (await api('GET', `/knowledge/${article.id}`)) as Article
  expect(after.uses).toBe(usesBefore + 1)
  const number = (await page.getByTestId('case-number').textContent())!.trim()
  const uses = (await api('GET', `/knowledge/${article.id}/uses`)) as { number: string }[]
  expect(uses.map((u) => u.number)).toContain(number)
})

test('the knowledge page searches as one types and a reviewer publishes a proposed article', async ({ page }) => {
  await login(page, 'admin')
  await page.getByTestId('menu-knowledge').click()
  await expect(page.getByTestId('kb-table').getByTestId('kb-row').first()).toBeVisible()
  // Live search: no button to press.
  await page.getByTestId('kb-q').fill('居住证')
  await expect(page.getByTestId('kb-table').getByTestId('kb-row').filter({ hasText: PERMIT })).toBeVisible()

  // The proposed article, reviewed and published.
  await page.getByTestId('kb-q').fill('')
  await pickOption(page, 'kb-status', '待审核')
  const row = page.getByTestId('kb-table').getByTestId('kb-row').filter({ hasText: '高校毕业生' })
  await expect(row).toBeVisible()
  await row.click()
  const drawer = page.getByTestId('kb-drawer')
  await expect(drawer.getByTestId('kb-d-status')).toHaveAttribute('data-status', 'proposed')
  await drawer.getByTestId('kb-act-publish').click()
  await page.getByTestId('kb-action-submit').click()
  await expectMessage(page, '已发布', 'success')
  await expect(drawer.getByTestId('kb-d-status')).toHaveAttribute('data-status', 'published')
  // A published article offers renewal and retirement, not publishing again.
  await expect(drawer.getByTestId('kb-act-publish')).toHaveCount(0)
  await expect(drawer.getByTestId('kb-act-retire')).toBeVisible()
})

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })

  test('the portal FAQ finds published articles only', async ({ page }) => {
    await page.goto('/portal')
    await page.getByTestId('portal-faq-link').click()
    await expect(page).toHaveURL(/\/portal\/faq/)
    await expect(page.getByTestId('faq-item').first()).toBeVisible()
    await page.getByTestId('faq-q').fill('居住证')
    const item = page.getByTestId('faq-item').filter({ hasText: PERMIT })
    await expect(item).toBeVisible()
    await item.getByTestId('faq-question').click()
    await expect(item.getByTestId('faq-answer')).toBeVisible()
    await expect(item.getByTestId('faq-answer')).toBeInViewport()
    // Nothing wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    // A draft is not public.
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/portal/knowledge') && decodeURIComponent(r.url()).includes('上小学'))
    await page.getByTestId('faq-q').fill('外地户籍孩子上小学')
    await answered
    await expect(page.getByTestId('faq-count')).toBeVisible()
    await expect(page.getByTestId('faq-item').filter({ hasText: '外地户籍孩子在本区上小学需要什么条件' })).toHaveCount(0)
  })
})
