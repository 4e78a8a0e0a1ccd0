/**
 * One error hierarchy for both adapters. Every error the SDK throws is an AvolveError with a stable
 * `code` (what went wrong, for programs), a message that says what to do (for people), whether a
 * retry can succeed (`retryable`), and the original driver or HTTP error as `cause`.
 */

import type { AvolveErrorCode } from './codes.js'

/**
 * Where an error came from, for logs and for deciding what a caller can do about it: what every
 * error class's constructor takes (a test double of the SDK can throw the real classes).
 *
 * @example
 * ```ts
 * import { InsufficientBalanceError } from '@avolve/db'
 *
 * const error = new InsufficientBalanceError({ code: 'insufficient_balance', message: 'insufficient balance', sqlstate: 'VT006' })
 * error.retryable // false
 * ```
 */
export interface AvolveErrorInit {
  code: AvolveErrorCode
  message: string
  retryable?: boolean
  /** The SQLSTATE, when the database raised it. */
  sqlstate?: string
  /** The HTTP status, when the error came back over HTTP (supabase-js). */
  status?: number
  details?: string
  hint?: string
  cause?: unknown
}

/** Where an error keeps the names of its classes: a registered symbol, the same in every copy of the package. */
const KINDS = Symbol.for('@avolve/db.error-kinds')

/**
 * The base class of every error the SDK throws, from either adapter: a stable `code` (the database's
 * error name or the SDK's own, see {@link AvolveErrorCode}), a message for people, whether a retry can
 * succeed, and the driver's or HTTP error as `cause`. Test for it with {@link isAvolveError}, which
 * also recognises errors from a second copy of the package.
 *
 * @example
 * ```ts
 * import { isAvolveError } from '@avolve/db'
 *
 * try {
 *   await me.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '30' })
 * } catch (e) {
 *   if (!isAvolveError(e)) throw e
 *   console.error(e.toJSON()) // { name: 'InsufficientBalanceError', code: 'insufficient_balance', retryable: false, sqlstate: 'VT006', … }
 * }
 * ```
 */
export class AvolveError extends Error {
  override name = 'AvolveError'
  /** The class's name as {@link isAvolveError} compares it: stable under minifiers, shared by every copy. */
  static readonly kind: string = 'AvolveError'
  /** Stable, machine-readable: the database's error name (`insufficient_balance`) or the SDK's own. */
  readonly code: AvolveErrorCode
  readonly retryable: boolean
  readonly sqlstate: string | undefined
  readonly status: number | undefined
  readonly details: string | undefined
  readonly hint: string | undefined

  constructor(init: AvolveErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.retryable = init.retryable ?? false
    this.sqlstate = init.sqlstate
    this.status = init.status
    this.details = init.details
    this.hint = init.hint
  }

  /** This error's class names, most specific first (what {@link isAvolveError} reads). */
  get [KINDS](): readonly string[] {
    const kinds: string[] = []
    for (let proto = Object.getPrototypeOf(this); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
      const ctor = proto.constructor as { kind?: unknown }
      if (Object.hasOwn(ctor, 'kind') && typeof ctor.kind === 'string') kinds.push(ctor.kind)
    }
    return kinds
  }

  /** A plain object for logs and JSON responses (no cause, no stack). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, sqlstate: this.sqlstate, status: this.status, details: this.details, hint: this.hint }
  }
}

/**
 * One problem with an input: where (`path`) and what.
 *
 * @example
 * ```ts
 * import { isAvolveError, ValidationError } from '@avolve/db'
 *
 * try {
 *   await me.tokens.transfer({ to: 'bob', tokenType: 'GEN', amount: '1' })
 * } catch (e) {
 *   if (isAvolveError(e, ValidationError)) e.issues // [{ path: ['to'], message: 'expected a UUID like …', code: 'invalid_format' }]
 * }
 * ```
 */
export interface ValidationIssue {
  path: ReadonlyArray<string | number>
  message: string
  code?: string
}

/**
 * The input was refused, by the SDK's schemas before any request (`validation_failed`, with `issues`)
 * or by the database (`invalid_amount`, `unknown_token_type`, …).
 *
 * @example
 * ```ts
 * import { isAvolveError, ValidationError } from '@avolve/db'
 *
 * try {
 *   await me.consent.record('terms_of_service', [])
 * } catch (e) {
 *   if (isAvolveError(e, ValidationError)) e.message // 'invalid consent: terms: consent needs at least one term'
 * }
 * ```
 */
export class ValidationError extends AvolveError {
  override name = 'ValidationError'
  static override readonly kind: string = 'ValidationError'
  readonly issues: readonly ValidationIssue[]
  constructor(init: AvolveErrorInit & { issues?: readonly ValidationIssue[] }) {
    super(init)
    this.issues = init.issues ?? []
  }
}

/**
 * No user is signed in, or the token is invalid or expired (`invalid_token`, `token_expired`,
 * `not_authenticated`): sign in (again) and retry.
 *
 * @example
 * ```ts
 * import { isAvolveError, NotAuthenticatedError } from '@avolve/db'
 *
 * try {
 *   const me = await db.asUser(accessToken)
 * } catch (e) {
 *   if (isAvolveError(e, NotAuthenticatedError)) return new Response(null, { status: 401 })
 *   throw e
 * }
 * ```
 */
export class NotAuthenticatedError extends AvolveError {
  override name = 'NotAuthenticatedError'
  static override readonly kind: string = 'NotAuthenticatedError'
}

/**
 * The signed-in user may not do this (someone else's account, or a service-role action):
 * `permission_denied`.
 *
 * @example
 * ```ts
 * import { isAvolveError, PermissionDeniedError } from '@avolve/db'
 *
 * const refused = await me.tokens.transfer(input).catch((e) => isAvolveError(e, PermissionDeniedError))
 * ```
 */
export class PermissionDeniedError extends AvolveError {
  override name = 'PermissionDeniedError'
  static override readonly kind: string = 'PermissionDeniedError'
}

/**
 * What the call names does not exist, or is not the caller's to see (`consent_not_found`,
 * `unknown_user`).
 *
 * @example
 * ```ts
 * import { isAvolveError, NotFoundError } from '@avolve/db'
 *
 * try {
 *   await me.consent.updateStatus(someoneElsesRecordId, 'withdrawn')
 * } catch (e) {
 *   if (isAvolveError(e, NotFoundError)) e.code // 'consent_not_found'
 * }
 * ```
 */
export class NotFoundError extends AvolveError {
  override name = 'NotFoundError'
  static override readonly kind: string = 'NotFoundError'
}

/**
 * The sender's balance is lower than the amount (`insufficient_balance`). Nothing moved.
 *
 * @example
 * ```ts
 * import { InsufficientBalanceError, isAvolveError } from '@avolve/db'
 *
 * try {
 *   await me.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '1000000' })
 * } catch (e) {
 *   if (isAvolveError(e, InsufficientBalanceError)) showMessage('Not enough GEN')
 *   else throw e
 * }
 * ```
 */
export class InsufficientBalanceError extends AvolveError {
  override name = 'InsufficientBalanceError'
  static override readonly kind: string = 'InsufficientBalanceError'
}

/**
 * The idempotency key was used before for a different request (`idempotency_conflict`); `fields`
 * names the arguments that differ. The first request's outcome stands.
 *
 * @example
 * ```ts
 * import { IdempotencyConflictError, isAvolveError } from '@avolve/db'
 *
 * await me.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '5', idempotencyKey: key })
 * try {
 *   await me.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '6', idempotencyKey: key })
 * } catch (e) {
 *   if (isAvolveError(e, IdempotencyConflictError)) e.fields // ['amount']
 * }
 * ```
 */
export class IdempotencyConflictError extends AvolveError {
  override name = 'IdempotencyConflictError'
  static override readonly kind: string = 'IdempotencyConflictError'
  readonly fields: readonly string[]
  constructor(init: AvolveErrorInit & { fields?: readonly string[] }) {
    super(init)
    this.fields = init.fields ?? []
  }
}

/**
 * A record cannot move to that state from the one it has: a consent record's status (`invalid_transition`; the
 * allowed moves are `consentStatusTransitions`), or a hold already resolved (`hold_resolved`) or expired (`hold_expired`).
 *
 * @example
 * ```ts
 * import { InvalidTransitionError, isAvolveError } from '@avolve/db'
 *
 * await me.consent.updateStatus(record.id, 'withdrawn')
 * const again = await me.consent.updateStatus(record.id, 'approved').catch((e) => isAvolveError(e, InvalidTransitionError)) // true
 * ```
 */
export class InvalidTransitionError extends AvolveError {
  override name = 'InvalidTransitionError'
  static override readonly kind: string = 'InvalidTransitionError'
}

/**
 * A write broke a rule of the schema that no SDK call can break (append-only tables, constraints):
 * seen by code that writes to the tables directly.
 *
 * @example
 * ```ts
 * import { ConstraintViolationError, isAvolveError } from '@avolve/db'
 *
 * if (isAvolveError(error, ConstraintViolationError)) report(error.code, error.sqlstate) // e.g. 'ledger_append_only', 'VT009'
 * ```
 */
export class ConstraintViolationError extends AvolveError {
  override name = 'ConstraintViolationError'
  static override readonly kind: string = 'ConstraintViolationError'
}

/**
 * A failure that may pass: a lost connection, a serialization failure, a deadlock, a timeout, an
 * exhausted pool, an unreachable server. `retryable` is true. The SDK has retried already where it
 * was safe; `outcomeUnknown` is true when the request may have been applied (the connection broke
 * during commit) — retry it with the same idempotency key.
 *
 * @example
 * ```ts
 * import { isAvolveError, TransientError } from '@avolve/db'
 *
 * const input = { to: bobId, tokenType: 'GEN', amount: '5', idempotencyKey: crypto.randomUUID() } as const
 * try {
 *   await me.tokens.transfer(input)
 * } catch (e) {
 *   // Safe to send again: the key makes a transfer that did commit return its first result.
 *   if (isAvolveError(e, TransientError)) await me.tokens.transfer(input)
 *   else throw e
 * }
 * ```
 */
export class TransientError extends AvolveError {
  override name = 'TransientError'
  static override readonly kind: string = 'TransientError'
  readonly outcomeUnknown: boolean
  constructor(init: AvolveErrorInit & { outcomeUnknown?: boolean }) {
    super({ ...init, retryable: init.retryable ?? true })
    this.outcomeUnknown = init.outcomeUnknown ?? false
  }
}

/**
 * An error the SDK has no meaning for (`unexpected`, `database_error`). It is never reported as a
 * validation error; its `cause` holds the original.
 *
 * @example
 * ```ts
 * import { isAvolveError, UnexpectedError } from '@avolve/db'
 *
 * if (isAvolveError(error, UnexpectedError)) logger.error(error.toJSON(), error.cause)
 * ```
 */
export class UnexpectedError extends AvolveError {
  override name = 'UnexpectedError'
  static override readonly kind: string = 'UnexpectedError'
}

/**
 * A class of the hierarchy, as {@link isAvolveError} takes it.
 *
 * @example
 * ```ts
 * import { isAvolveError, NotFoundError, PermissionDeniedError, type AvolveErrorClass } from '@avolve/db'
 *
 * const hidden: AvolveErrorClass[] = [NotFoundError, PermissionDeniedError]
 * const status = (e: unknown) => (hidden.some((c) => isAvolveError(e, c)) ? 404 : 500)
 * ```
 */
export type AvolveErrorClass<E extends AvolveError = AvolveError> = (abstract new (...args: never[]) => E) & { readonly kind: string }

/**
 * Whether `error` is an {@link AvolveError} (of class `kind`, when given), also when it was thrown by
 * another copy of this package: an app that loads both the ESM and the CJS build, or two versions,
 * gets `false` from `instanceof` across the copies, but not from this guard, which compares the
 * classes' names through a registered symbol.
 *
 * @example
 * ```ts
 * import { isAvolveError, InsufficientBalanceError } from '@avolve/db'
 * try {
 *   await scope.tokens.transfer({ to: bobId, tokenType: 'GEN', amount: '30' })
 * } catch (e) {
 *   if (isAvolveError(e, InsufficientBalanceError)) showMessage('Not enough GEN') // e is typed
 *   else if (isAvolveError(e) && e.retryable) scheduleRetry(e.code)
 *   else throw e
 * }
 * ```
 */
export function isAvolveError(error: unknown): error is AvolveError
export function isAvolveError<E extends AvolveError>(error: unknown, kind: AvolveErrorClass<E>): error is E
export function isAvolveError(error: unknown, kind: AvolveErrorClass = AvolveError): boolean {
  if (typeof error !== 'object' || error === null) return false
  const kinds = (error as { [KINDS]?: unknown })[KINDS]
  return Array.isArray(kinds) && kinds.includes(kind.kind)
}
