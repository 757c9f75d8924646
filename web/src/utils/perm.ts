// What each role sees in the menu (RuoYi's menu permissions). The server checks every action again.

export type MenuKey = 'workbench' | 'intake' | 'dispatch' | 'ledger' | 'cockpit' | 'risk' | 'mediation' | 'boards' | 'programs' | 'campaigns' | 'bundles' | 'approvals' | 'knowledge' | 'notifications' | 'admin'

const MENUS: Record<string, MenuKey[]> = {
  // 走访台账导入: the roles the server lets import (crates/app/src/ledger.rs).
  // 重点工作: every staff role reads the programs (crates/app/src/programs.rs); the office and lead units act.
  // 走访活动: every staff role reads the campaigns (crates/app/src/campaigns.rs); cadres of taking-part units record visits.
  // 红黄黑榜: every staff role reads the published boards (crates/app/src/boards.rs); a unit sees its own draft entry.
  // 知识库: every staff role searches it (crates/app/src/knowledge.rs); writing and review are checked there.
  // 一件事: the window takes applications, departments handle their tasks (crates/app/src/bundles.rs); 工程审批: staff read,
  // the window registers and submits stages, departments review (crates/app/src/approvals.rs).
  clerk: ['workbench', 'intake', 'ledger', 'boards', 'programs', 'campaigns', 'bundles', 'approvals', 'knowledge', 'notifications'],
  // 风险预警: the roles the server lets read alerts (crates/app/src/risk.rs); supervisors and leaders act.
  // 矛盾调解: the roles the server lets read mediations (crates/app/src/mediation.rs); leaders only read.
  dispatcher: ['workbench', 'intake', 'dispatch', 'ledger', 'cockpit', 'risk', 'mediation', 'boards', 'programs', 'campaigns', 'bundles', 'approvals', 'knowledge', 'notifications'],
  handler: ['workbench', 'mediation', 'boards', 'programs', 'campaigns', 'bundles', 'approvals', 'knowledge', 'notifications'],
  unit_lead: ['workbench', 'cockpit', 'mediation', 'boards', 'programs', 'campaigns', 'bundles', 'approvals', 'knowledge', 'notifications'],
  supervisor: ['workbench', 'cockpit', 'risk', 'mediation', 'boards', 'programs', 'campaigns', 'bundles', 'approvals', 'knowledge', 'notifications'],
  leader: ['cockpit', 'workbench', 'risk', 'mediation', 'boards', 'programs', 'campaigns', 'bundles', 'approvals', 'knowledge', 'notifications'],
  admin: ['workbench', 'cockpit', 'risk', 'ledger', 'boards', 'programs', 'campaigns', 'admin', 'bundles', 'approvals', 'knowledge', 'notifications'],
}

export function menusFor(role: string | null | undefined): MenuKey[] {
  return MENUS[role ?? ''] ?? ['workbench']
}

export function canSee(role: string | null | undefined, menu: MenuKey): boolean {
  return menusFor(role).includes(menu)
}

/** The page a role lands on after signing in. */
export function homeFor(role: string | null | undefined): string {
  switch (role) {
    case 'leader':
      return '/cockpit'
    default:
      return '/'
  }
}

/** Batch actions the workbench offers, by the action each takes. */
export const BATCH_ACTIONS = ['accept', 'sign', 'urge'] as const
