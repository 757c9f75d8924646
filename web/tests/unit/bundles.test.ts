import { describe, expect, it } from 'vitest'
import type { BundleField, BundleMaterial, BundleTemplate } from '../../src/api/types'
import {
  checkField,
  checkForm,
  dateOk,
  depths,
  flowColumns,
  formFieldOf,
  formPayload,
  groupTemplates,
  idCardOk,
  materialState,
  missingMaterials,
  phoneOk,
  taskActions,
  waitingFor,
  withinUnit,
} from '../../src/utils/bundles'

describe('idCardOk', () => {
  it('accepts 18 digits with the right check character', () => {
    expect(idCardOk('11010519491231002X')).toBe(true)
    expect(idCardOk('11010519491231002x')).toBe(true)
    expect(idCardOk('110105194912310038')).toBe(true)
    expect(idCardOk(' 110105194912310038 ')).toBe(true)
  })
  it('refuses a wrong check character, a wrong length or letters', () => {
    expect(idCardOk('110105194912310021')).toBe(false)
    expect(idCardOk('11010519491231003')).toBe(false)
    expect(idCardOk('1101051949123100381')).toBe(false)
    expect(idCardOk('11010519491231X038')).toBe(false)
    expect(idCardOk('')).toBe(false)
  })
})

describe('phoneOk and dateOk', () => {
  it('takes 7 to 15 digits with - + and spaces', () => {
    expect(phoneOk('13800001234')).toBe(true)
    expect(phoneOk('0571-8888 1234')).toBe(true)
    expect(phoneOk('+86 138 0000 1234')).toBe(true)
    expect(phoneOk('123456')).toBe(false)
    expect(phoneOk('1380000123a')).toBe(false)
    expect(phoneOk('1234567890123456')).toBe(false)
  })
  it('takes real calendar dates only', () => {
    expect(dateOk('2026-02-28')).toBe(true)
    expect(dateOk('2024-02-29')).toBe(true)
    expect(dateOk('2026-02-29')).toBe(false)
    expect(dateOk('2026-2-1')).toBe(false)
  })
})

const fields: BundleField[] = [
  { name: 'company_name', label: '企业名称', type: 'text', required: true },
  { name: 'company_type', label: '企业类型', type: 'choice', required: true, options: ['有限责任公司', '合伙企业'] },
  { name: 'capital', label: '注册资本', type: 'number', required: true },
  { name: 'id', label: '身份证', type: 'id_card', required: true },
  { name: 'phone', label: '电话', type: 'phone', required: false },
  { name: 'since', label: '日期', type: 'date', required: false },
]

describe('checkForm', () => {
  it('names each field with a problem', () => {
    expect(checkForm(fields, {})).toEqual({ company_name: 'required', company_type: 'required', capital: 'required', id: 'required' })
    expect(
      checkForm(fields, { company_name: '  ', company_type: '个体', capital: 'abc', id: '110105194912310021', phone: '12', since: '2026-13-01' }),
    ).toEqual({ company_name: 'required', company_type: 'choice', capital: 'number', id: 'id_card', phone: 'phone', since: 'date' })
  })
  it('passes a good form and optional empty fields', () => {
    expect(checkForm(fields, { company_name: '禾田', company_type: '合伙企业', capital: 0, id: '11010519491231002x' })).toEqual({})
  })
  it('refuses over-long text and a NaN number', () => {
    expect(checkField(fields[0], 'a'.repeat(501))).toBe('tooLong')
    expect(checkField(fields[2], Number.NaN)).toBe('required')
  })
  it('builds the payload: trimmed, numbers as numbers, empties left out, X upper-case', () => {
    expect(formPayload(fields, { company_name: ' 禾田 ', company_type: '合伙企业', capital: '50', id: '11010519491231002x', phone: '', since: null })).toEqual({
      company_name: '禾田',
      company_type: '合伙企业',
      capital: 50,
      id: '11010519491231002X',
    })
  })
})

describe('materials', () => {
  const list: BundleMaterial[] = [
    { code: 'a', name: 'A', required: true, deferrable: false },
    { code: 'b', name: 'B', required: true, deferrable: true },
    { code: 'c', name: 'C', required: false, deferrable: false },
  ]
  it('splits the missing required ones into blocking and deferrable', () => {
    expect(missingMaterials(list, [])).toEqual({ blocking: [list[0]], deferred: [list[1]] })
    expect(missingMaterials(list, ['a', 'b'])).toEqual({ blocking: [], deferred: [] })
  })
  it('tells a material state on an application', () => {
    expect(materialState('a', ['a'], ['b'])).toBe('given')
    expect(materialState('b', ['a'], ['b'])).toBe('deferred')
    expect(materialState('c', ['a'], ['b'])).toBe('missing')
  })
})

describe('flow', () => {
  const birth = [
    { matter: 'birth_certificate', name: '出生医学证明', status: 'approved' as const, depends_on: [] },
    { matter: 'vaccination_cert', name: '预防接种证', status: 'pending' as const, depends_on: [] },
    { matter: 'hukou', name: '户口登记', status: 'pending' as const, depends_on: ['birth_certificate'] },
    { matter: 'insurance', name: '医保参保', status: 'waiting' as const, depends_on: ['hukou'] },
    { matter: 'card', name: '社保卡', status: 'waiting' as const, depends_on: ['hukou', 'vaccination_cert'] },
    { matter: 'maternity', name: '生育报销', status: 'pending' as const, depends_on: ['birth_certificate'] },
  ]
  it('lays the matters out in columns by dependency depth', () => {
    expect(flowColumns(birth).map((c) => c.map((t) => t.matter))).toEqual([['birth_certificate', 'vaccination_cert'], ['hukou', 'maternity'], ['insurance', 'card']])
  })
  it('survives a cycle and unknown dependencies', () => {
    const d = depths([
      { code: 'a', depends_on: ['b'] },
      { code: 'b', depends_on: ['a'] },
      { code: 'c', depends_on: ['zzz', 'c'] },
    ])
    expect(d.get('c')).toBe(0)
    expect([d.get('a'), d.get('b')].sort()).toEqual([1, 2])
  })
  it('names what a task still waits for', () => {
    expect(waitingFor(birth[4], birth)).toEqual(['户口登记', '预防接种证'])
    expect(waitingFor(birth[2], birth)).toEqual([])
  })
})

describe('taskActions', () => {
  const units = [
    { code: 'scjgj', parent: '330188' },
    { code: 'scjgj_ks', parent: 'scjgj' },
    { code: '330188', parent: null },
  ]
  it('lets the task unit, and units below it, act by status', () => {
    expect(taskActions({ status: 'pending', unit: 'scjgj' }, { role: 'handler', unit: 'scjgj' }, units)).toEqual(['accept', 'request_correction', 'refuse'])
    expect(taskActions({ status: 'accepted', unit: 'scjgj' }, { role: 'unit_lead', unit: 'scjgj_ks' }, units)).toEqual(['approve', 'request_correction', 'refuse'])
    expect(taskActions({ status: 'waiting', unit: 'scjgj' }, { role: 'handler', unit: 'scjgj' }, units)).toEqual([])
    expect(taskActions({ status: 'pending', unit: 'scjgj' }, { role: 'handler', unit: 'gaj' }, units)).toEqual([])
  })
  it('lets the window hand in a correction, and nobody act without a user', () => {
    expect(taskActions({ status: 'correction', unit: 'gaj' }, { role: 'clerk', unit: '330188' }, units)).toEqual(['resubmit'])
    expect(taskActions({ status: 'correction', unit: 'gaj' }, { role: 'supervisor', unit: '330188' }, units)).toEqual([])
    expect(taskActions({ status: 'pending', unit: 'gaj' }, null, units)).toEqual([])
    expect(withinUnit('scjgj', '330188', units)).toBe(true)
    expect(withinUnit('330188', 'scjgj', units)).toBe(false)
  })
})

describe('groupTemplates and formFieldOf', () => {
  const tpl = (code: string, kind: 'personal' | 'enterprise', stage: string) => ({ code, name: code, kind, stage, matters: [] }) as unknown as BundleTemplate
  it('groups personal then enterprise, stages in the order of a life', () => {
    const g = groupTemplates([tpl('close', 'enterprise', '清算注销'), tpl('death', 'personal', '身后'), tpl('open', 'enterprise', '企业开办'), tpl('birth', 'personal', '出生'), tpl('birth2', 'personal', '出生')])
    expect(g.map((x) => x.kind)).toEqual(['personal', 'enterprise'])
    expect(g[0].stages.map((s) => [s.stage, s.templates.map((t) => t.code)])).toEqual([
      ['出生', ['birth', 'birth2']],
      ['身后', ['death']],
    ])
    expect(g[1].stages.map((s) => s.stage)).toEqual(['企业开办', '清算注销'])
  })
  it('reads a form field out of a server field path', () => {
    expect(formFieldOf('form.legal_rep_id_card')).toBe('legal_rep_id_card')
    expect(formFieldOf('materials')).toBeNull()
    expect(formFieldOf(undefined)).toBeNull()
  })
})
