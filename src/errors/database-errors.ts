import { databaseErrorCodes, type DatabaseErrorName } from '../generated/error-codes.js'
import type { SdkErrorCode } from './codes.js'
import {
  type AvolveError,
  ConstraintViolationError,
  IdempotencyConflictError,
  InsufficientBalanceError,
  InvalidTransitionError,
  NotAuthenticatedError,
  NotFoundError,
  PermissionDeniedError,
  TransientError,
  UnexpectedError,
  ValidationError,
  type AvolveErrorInit,
} from './avolve-error.js'

/** A constructor of one of the SDK's error classes. */
export type ErrorClass = new (init: AvolveErrorInit) => AvolveError

/**
 * The class of every error the database functions raise. Keyed by the generated list, so adding a
 * code to private.error_codes without deciding its class here fails to compile.
 */
export const errorClassByName = {
  permission_denied: PermissionDeniedError,
  missing_argument: ValidationError,
  not_authenticated: NotAuthenticatedError,
  unknown_user: NotFoundError,
  unknown_interaction_type: ValidationError,
  invalid_terms: ValidationError,
  consent_not_found: NotFoundError,
  invalid_transition: InvalidTransitionError,
  invalid_status: ValidationError,
  consent_immutable: ConstraintViolationError,
  history_append_only: ConstraintViolationError,
  unknown_token_type: ValidationError,
  token_not_transferable: ValidationError,
  invalid_amount: ValidationError,
  amount_precision: ValidationError,
  self_transfer: ValidationError,
  insufficient_balance: InsufficientBalanceError,
  idempotency_conflict: IdempotencyConflictError,
  invalid_memo: ValidationError,
  ledger_append_only: ConstraintViolationError,
  invalid_token_hierarchy: ConstraintViolationError,
  balance_limit_exceeded: ValidationError,
  account_has_history: ConstraintViolationError,
  invalid_batch: ValidationError,
  hold_not_found: NotFoundError,
  hold_resolved: InvalidTransitionError,
  hold_expired: InvalidTransitionError,
  invalid_expiry: ValidationError,
} as const satisfies Record<DatabaseErrorName, ErrorClass>

const nameBySqlState = new Map<string, DatabaseErrorName>(databaseErrorCodes.map((e) => [e.sqlstate, e.name]))

/** What PostgreSQL standard SQLSTATEs mean to an SDK user. Matched exactly first, then by class. */
const standardCodes: Record<string, { cls: ErrorClass; code: SdkErrorCode; hint: string }> = {
  '40001': { cls: TransientError, code: 'serialization_failure', hint: 'the transaction conflicted with another one; retry it' },
  '40P01': { cls: TransientError, code: 'deadlock_detected', hint: 'the transaction was chosen to break a deadlock; retry it' },
  '55P03': { cls: TransientError, code: 'lock_timeout', hint: 'a row stayed locked longer than lock_timeout; retry later' },
  '57014': { cls: TransientError, code: 'statement_timeout', hint: 'the statement ran longer than statement_timeout; retry later or narrow the request' },
  '57P01': { cls: TransientError, code: 'connection_lost', hint: 'the server ended the connection; retry' },
  '57P02': { cls: TransientError, code: 'connection_lost', hint: 'the server ended the connection; retry' },
  '57P03': { cls: TransientError, code: 'server_starting', hint: 'the server is not accepting connections yet; retry shortly' },
  '53300': { cls: TransientError, code: 'too_many_connections', hint: 'the server has no free connection slot; retry, or lower the pool size' },
  '23505': { cls: ConstraintViolationError, code: 'unique_violation', hint: 'a row with this key exists already' },
  '23503': { cls: ConstraintViolationError, code: 'foreign_key_violation', hint: 'the row refers to a row that does not exist, or is still referred to' },
  '23514': { cls: ConstraintViolationError, code: 'check_violation', hint: 'a value is outside what the schema allows' },
  '23502': { cls: ConstraintViolationError, code: 'not_null_violation', hint: 'a required value is missing' },
  '42883': { cls: UnexpectedError, code: 'schema_mismatch', hint: 'the database lacks a function the SDK calls: apply the migrations this SDK version ships' },
  '42P01': { cls: UnexpectedError, code: 'schema_mismatch', hint: 'the database lacks a table the SDK reads: apply the migrations this SDK version ships' },
  '28P01': { cls: UnexpectedError, code: 'database_login_failed', hint: "the database refused the connection string's user or password" },
  '3D000': { cls: UnexpectedError, code: 'database_not_found', hint: 'the connection string names a database that does not exist' },
}
const standardClasses: Record<string, { cls: ErrorClass; code: SdkErrorCode; hint: string }> = {
  '08': { cls: TransientError, code: 'connection_lost', hint: 'the connection to the database failed; retry' },
  '53': { cls: TransientError, code: 'insufficient_resources', hint: 'the server is short of resources; retry later' },
  '22': { cls: ValidationError, code: 'invalid_input', hint: 'a value has the wrong form for its type' },
  '23': { cls: ConstraintViolationError, code: 'constraint_violation', hint: 'the write breaks a rule of the schema' },
  '40': { cls: TransientError, code: 'transaction_rollback', hint: 'the transaction was rolled back; retry it' },
}

/** The fields of a database error, however it arrived (pg driver, or PostgREST's JSON body). */
export interface DatabaseErrorFields {
  sqlstate: string
  message: string
  details?: string | null | undefined
  hint?: string | null | undefined
  status?: number
  cause: unknown
}

/** SDK-facing names of the SQL arguments named in an idempotency conflict's detail. */
const argumentNames: Record<string, string> = {
  p_from_user_id: 'from',
  p_to_user_id: 'to',
  p_token_type: 'tokenType',
  p_amount: 'amount',
  p_memo: 'memo',
  kind: 'kind',
}

function sentence(message: string, details: string | undefined, hint: string | undefined): string {
  return `${message}${details ? ` (${details})` : ''}${hint ? `: ${hint}` : ''}`
}

/** What a database error means, decided without constructing anything: the class and its fields. */
export interface ErrorMeaning {
  cls: ErrorClass
  init: AvolveErrorInit & { fields?: string[] }
}

/** Classifies a database error by SQLSTATE: the Avolve list first, then standard codes, then classes. */
export function classifyDatabaseError(fields: DatabaseErrorFields): ErrorMeaning {
  const details = fields.details || undefined
  const hint = fields.hint || undefined
  const name = nameBySqlState.get(fields.sqlstate)
  if (name) {
    const init: ErrorMeaning['init'] = {
      code: name,
      message: sentence(fields.message, details, hint),
      sqlstate: fields.sqlstate,
      status: fields.status,
      details,
      hint,
      cause: fields.cause,
    }
    if (name === 'idempotency_conflict' && details) {
      init.fields = (details.split(':')[1] ?? '')
        .split(',')
        .map((f) => argumentNames[f.trim()] ?? f.trim())
        .filter(Boolean)
    }
    return { cls: errorClassByName[name] as ErrorClass, init }
  }
  const known = standardCodes[fields.sqlstate] ?? standardClasses[fields.sqlstate.slice(0, 2)]
  return {
    cls: known?.cls ?? UnexpectedError,
    init: {
      code: known?.code ?? 'database_error',
      message: sentence(fields.message, details, known?.hint ?? hint),
      sqlstate: fields.sqlstate,
      status: fields.status,
      details,
      hint,
      cause: fields.cause,
    },
  }
}

/** The typed error for a database error (see classifyDatabaseError). */
export function errorFromDatabase(fields: DatabaseErrorFields): AvolveError {
  const { cls, init } = classifyDatabaseError(fields)
  return new cls(init)
}
