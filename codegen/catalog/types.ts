import type { ApiRole } from '../../src/api-roles.js'

/** A column or argument type as the catalog describes it. */
export interface PgType {
  /** Schema of the type (pg_catalog for built-ins). */
  schema: string
  /** Type name (`uuid`, `numeric`, `consent_status`); for arrays, the element's name. */
  name: string
  /** `e` enum, `b` base, `d` domain, `c` composite, `p` pseudo (void, trigger). */
  kind: string
  array: boolean
}

export interface Column {
  name: string
  type: PgType
  nullable: boolean
  hasDefault: boolean
  identity: '' | 'a' | 'd'
  generated: boolean
}

export interface Relationship {
  foreignKeyName: string
  columns: string[]
  isOneToOne: boolean
  referencedRelation: string
  referencedColumns: string[]
}

export interface Relation {
  schema: string
  name: string
  /** `r` table, `v` view, `m` materialized view, `p` partitioned table, `f` foreign table. */
  kind: string
  comment: string | null
  columns: Column[]
  /** Foreign keys to relations of the same schema (the only ones PostgREST can embed). */
  relationships: Relationship[]
  /** Columns whose check constraint is `col = any (array[...])`, with the allowed literals. */
  allowedValues: Record<string, Array<string | number>>
}

export interface FunctionArg {
  name: string
  type: PgType
  hasDefault: boolean
}

export interface RpcFunction {
  schema: string
  name: string
  args: FunctionArg[]
  returns: PgType
  returnsSet: boolean
  volatility: 'immutable' | 'stable' | 'volatile'
  executableBy: ApiRole[]
  comment: string | null
}

export interface EnumType {
  schema: string
  name: string
  values: string[]
}

export interface ErrorCode {
  sqlstate: string
  name: string
  message: string
  hint: string
}

/** Everything codegen reads from a migrated database. */
export interface Catalog {
  relations: Relation[]
  functions: RpcFunction[]
  enums: EnumType[]
  errorCodes: ErrorCode[]
  /** Rows of the lookup tables named in codegen/config.ts, keyed by table name. */
  lookupRows: Record<string, Array<Record<string, unknown>>>
}
