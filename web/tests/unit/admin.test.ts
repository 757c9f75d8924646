import { describe, expect, it } from 'vitest'
import { formatWorkingHours, ledgerFormat, parseCsv, parseWorkingHours, rowError, ruleError, RULE_FIELD_PROPS } from '../../src/utils/admin'
import { canSee } from '../../src/utils/perm'

describe('working hours', () => {
  it('round-trips the default hours', () => {
    const p = [
      { start: 510, end: 720 },
      { start: 810, end: 1050 },
    ]
    expect(formatWorkingHours(p)).toBe('08:30-12:00, 13:30-17:30')
    expect(parseWorkingHours('08:30-12:00, 13:30-17:30')).toEqual(p)
    expect(parseWorkingHours('8:30–12:00、13:30~17:30')).toEqual(p)
  })
  it('refuses what the server refuses: empty, reversed, overlapping, out of the day', () => {
    expect(parseWorkingHours('')).toBeNull()
    expect(parseWorkingHours('12:00-08:30')).toBeNull()
    expect(parseWorkingHours('08:00-12:00, 11:00-13:00')).toBeNull()
    expect(parseWorkingHours('13:30-17:30, 08:30-12:00')).toBeNull()
    expect(parseWorkingHours('20:00-25:00')).toBeNull()
    expect(parseWorkingHours('08:61-09:00')).toBeNull()
    expect(parseWorkingHours('morning')).toBeNull()
  })
})

describe('time-limit rule errors', () => {
  it('reads the rule and field of `rules[i].field`', () => {
    expect(ruleError('rules[3].category')).toEqual({ rule: 3, field: 'category' })
    expect(ruleError('rules[0].clocks.handle')).toEqual({ rule: 0, field: 'clocks.handle' })
    expect(ruleError('policy')).toBeNull()
    expect(ruleError('[3].unit')).toBeNull()
    expect(ruleError(undefined)).toBeNull()
  })
  it('maps every field the server names to a form item of the rule dialog', () => {
    expect(RULE_FIELD_PROPS[ruleError('rules[1].clocks.handle')!.field]).toBe('handle.value')
    expect(RULE_FIELD_PROPS.region).toBe('region')
  })
})

describe('catalogue row errors', () => {
  it('reads the row and field of `[i].field`', () => {
    expect(rowError('[3].unit')).toEqual({ row: 3, field: 'unit' })
    expect(rowError('[0].category')).toEqual({ row: 0, field: 'category' })
    expect(rowError('body')).toBeNull()
    expect(rowError(undefined)).toBeNull()
  })
})

describe('ledger files', () => {
  it('knows the format by the name', () => {
    expect(ledgerFormat('台账.XLSX')).toBe('xlsx')
    expect(ledgerFormat('ledger.csv')).toBe('csv')
    expect(ledgerFormat('ledger.xls')).toBeNull()
    expect(ledgerFormat('ledger.pdf')).toBeNull()
  })
  it('parses CSV as the server numbers its rows: quotes, CRLF, BOM, blank lines skipped', () => {
    const text = '\ufeff走访对象,问题描述\r\n王建国,"路灯坏了，""两周""没人修"\r\n\r\n李四,"两行\n描述"\n,,\n'
    expect(parseCsv(text)).toEqual([['走访对象', '问题描述'], ['王建国', '路灯坏了，"两周"没人修'], ['李四', '两行\n描述'], ['', '', '']])
    expect(parseCsv('a,b')).toEqual([['a', 'b']])
    expect(parseCsv('')).toEqual([])
  })
})

describe('menu permissions', () => {
  it('offers 风险预警 to the roles the server lets read alerts', () => {
    for (const r of ['dispatcher', 'supervisor', 'leader', 'admin']) expect(canSee(r, 'risk'), r).toBe(true)
    for (const r of ['clerk', 'handler', 'unit_lead', 'citizen']) expect(canSee(r, 'risk'), r).toBe(false)
  })
  it('offers the ledger import to the roles the server lets import', () => {
    for (const r of ['clerk', 'dispatcher', 'admin']) expect(canSee(r, 'ledger'), r).toBe(true)
    for (const r of ['handler', 'unit_lead', 'supervisor', 'leader', 'citizen']) expect(canSee(r, 'ledger'), r).toBe(false)
  })
})
