// What each role sees in the menu (RuoYi's menu permissions). The server checks every action again.

export type MenuKey = 'workbench' | 'intake' | 'dispatch' | 'ledger' | 'cockpit' | 'notifications' | 'admin'

const MENUS: Record<string, MenuKey[]> = {
  // 走访台账导入: the roles the server lets import (crates/app/src/ledger.rs).
  clerk: ['workbench', 'intake', 'ledger', 'notifications'],
  dispatcher: ['workbench', 'intake', 'dispatch', 'ledger', 'cockpit', 'notifications'],
  handler: ['workbench', 'notifications'],
  unit_lead: ['workbench', 'cockpit', 'notifications'],
  supervisor: ['workbench', 'cockpit', 'notifications'],
  leader: ['cockpit', 'workbench', 'notifications'],
  admin: ['workbench', 'cockpit', 'ledger', 'admin', 'notifications'],
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
