/**
 * The policy file as written (PolicyDocument), after schema validation but before compilation.
 * The schema is closed: load.ts refuses any key not named here.
 */

export type Effect = 'allow' | 'deny';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
export type PolicyMethod = (typeof HTTP_METHODS)[number];

/** A condition on one query parameter. Exactly one matcher key is set. */
export interface ValueMatcherDocument {
  /** the value is exactly this string */
  readonly equals?: string;
  /** the value is one of these strings */
  readonly oneOf?: readonly string[];
  /** the value matches this glob (same options as path globs) */
  readonly glob?: string;
  /** true: the parameter is present (with any value); false: it is absent */
  readonly exists?: boolean;
  /** the engine's boolean reading of the value (httputils.BoolValue) is this */
  readonly truthy?: boolean;
}

export interface RuleDocument {
  readonly id: string;
  readonly effect: Effect;
  readonly description?: string;
  /** HTTP methods; absent = any method */
  readonly methods?: readonly PolicyMethod[];
  /** globs over the decoded, version-less path */
  readonly paths?: readonly string[];
  /** endpoint ids or id globs such as `containers.*` */
  readonly endpoints?: readonly string[];
  /** conditions on query parameters, by parameter name; all must hold */
  readonly query?: Readonly<Record<string, ValueMatcherDocument>>;
}

export interface PolicyDocument {
  readonly version: 1;
  readonly name?: string;
  readonly description?: string;
  /** what happens when no rule matches; deny unless the author says otherwise */
  readonly default: Effect;
  readonly rules: readonly RuleDocument[];
}

/** Where a value came from, for error messages: file, JSON pointer, line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly pointer: string;
  readonly line: number;
  readonly col: number;
}

export interface PolicyProblem extends SourceLocation {
  readonly message: string;
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message} (at ${p.pointer || '/'})`;
}
