export const CONNECTION_KINDS = ['SSH', 'WINRM', 'LOCAL'] as const
export type ConnectionKind = (typeof CONNECTION_KINDS)[number]

/** Port used when the caller gives none: SSH 22, WinRM over HTTPS 5986, LOCAL has no port. */
export const DEFAULT_PORTS: Readonly<Record<ConnectionKind, number | null>> = { SSH: 22, WINRM: 5986, LOCAL: null }

export interface RegisterTarget {
  readonly type: 'RegisterTarget'
  readonly targetId: string
  readonly name: string
  readonly address: string
  readonly port?: number | null
  readonly connection: ConnectionKind
  readonly credentialId?: string | null
  readonly tags?: ReadonlyArray<string>
  readonly attributes?: Readonly<Record<string, string>>
  readonly at: string
}
/**
 * Omitted fields stay as they are. `port: null` means "the default for the connection"; changing
 * the connection moves a default port along with it (22 → 5986) but keeps a custom one.
 * `attributes` replaces the whole map.
 */
export interface UpdateTarget {
  readonly type: 'UpdateTarget'
  readonly targetId: string
  readonly name?: string
  readonly address?: string
  readonly port?: number | null
  readonly connection?: ConnectionKind
  readonly attributes?: Readonly<Record<string, string>>
  /**
   * The name the caller saw (and reserved or released names against): when the target is no
   * longer so named, the update is refused rather than decided on a stale name.
   */
  readonly expectedName?: string
  readonly at: string
}
export interface TagTarget {
  readonly type: 'TagTarget'
  readonly targetId: string
  readonly tags: ReadonlyArray<string>
  readonly at: string
}
export interface UntagTarget {
  readonly type: 'UntagTarget'
  readonly targetId: string
  readonly tags: ReadonlyArray<string>
  readonly at: string
}
/** `credentialId: null` unassigns. Whether the credential exists and fits is checked by the caller. */
export interface AssignCredential {
  readonly type: 'AssignCredential'
  readonly targetId: string
  readonly credentialId: string | null
  readonly at: string
}
/** `hostKey` is `<algorithm> SHA256:<fingerprint>`; `replace` accepts a deliberately changed key. */
export interface PinHostKey {
  readonly type: 'PinHostKey'
  readonly targetId: string
  readonly hostKey: string
  readonly replace?: boolean
  readonly at: string
}
export interface RemoveTarget {
  readonly type: 'RemoveTarget'
  readonly targetId: string
  readonly at: string
}

export type TargetCommand = RegisterTarget | UpdateTarget | TagTarget | UntagTarget | AssignCredential | PinHostKey | RemoveTarget
