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
  /** the value, read as a path inside a container (joined to "/" and cleaned, as the engine does), is one of these or under one */
  readonly pathPrefix?: readonly string[];
  /** the value is an image reference on one of these registries ("docker.io", "ghcr.io", "host:port"), as the engine reads the reference */
  readonly registry?: readonly string[];
  /** true: the value names another container (`container:<name or id>`, however the name is spelled), as the engine reads a namespace mode; false: it does not */
  readonly containerRef?: boolean;
}

export type BodyScalar = string | number | boolean | null;

/**
 * A condition on one field of the request body, as the engine decodes it. `path` is dotted,
 * with the engine's JSON field names (`HostConfig.Privileged`); inside `any`/`all`/`none` it is
 * relative to each element ('' = the element itself). Exactly one matcher or quantifier is set,
 * except that `gte` and `lte` may be combined.
 */
export interface BodyConditionDocument {
  readonly path: string;
  readonly equals?: BodyScalar;
  readonly oneOf?: readonly BodyScalar[];
  readonly glob?: string;
  /** true: the field is set (not absent/null, false, "" or 0, not an empty list or map); false: not set */
  readonly exists?: boolean;
  /** true: absent or null (Go's nil); false: present, even as an empty list */
  readonly isNull?: boolean;
  readonly gte?: number;
  readonly lte?: number;
  /** a host path (absolute, compared after cleaning) equal to or under one of these */
  readonly pathPrefix?: readonly string[];
  /** true: a string naming another container (`container:<name or id>`), as the engine reads a namespace mode; false: anything else */
  readonly containerRef?: boolean;
  readonly any?: readonly BodyConditionDocument[];
  readonly all?: readonly BodyConditionDocument[];
  readonly none?: readonly BodyConditionDocument[];
}

/**
 * Conditions on the container a request acts on (resolved through the engine): its name (without
 * the leading "/"), its image as configured, and its labels. All must hold.
 */
export interface TargetConditionsDocument {
  readonly name?: ValueMatcherDocument;
  readonly image?: ValueMatcherDocument;
  readonly labels?: Readonly<Record<string, ValueMatcherDocument>>;
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
  /**
   * allow rules: the body fields a client may set (dotted, `*` for list elements and map values);
   * every other field must hold its default. Only with `endpoints` that sockgate decodes.
   */
  readonly fields?: readonly string[];
  /** conditions on the decoded request body; all must hold. Only with `endpoints` that sockgate decodes. */
  readonly body?: readonly BodyConditionDocument[];
  /**
   * allow rules on images.build: what the Dockerfile of the uploaded context may make the engine
   * fetch (images only from these registries, no ADD of a URL), checked as the context streams
   */
  readonly dockerfile?: { readonly registries: readonly string[] };
  /** conditions on the container the request acts on. Only with `endpoints` that act on one. */
  readonly target?: TargetConditionsDocument;
}

/** enforce: denials are answered; audit (learn mode): every policy denial is forwarded and recorded as `wouldBe` */
export type PolicyMode = 'enforce' | 'audit';

export interface PolicyDocument {
  readonly version: 1;
  readonly name?: string;
  readonly description?: string;
  /** enforce (default) or audit: see PolicyMode */
  readonly mode?: PolicyMode;
  /** what happens when no rule matches; deny unless the author says otherwise */
  readonly default: Effect;
  readonly rules: readonly RuleDocument[];
  /**
   * What the client may see: with `containers`, only containers matching these conditions exist
   * for it (lists are filtered, events of other containers are dropped, any request naming
   * another container is answered 404 like the engine's "No such container").
   */
  readonly scope?: { readonly containers: TargetConditionsDocument };
  /**
   * Ownership mode: containers, volumes and networks this profile creates get the owner label
   * (io.sockgate.owner=<profile name>, set by sockgate), and the profile sees and acts only on
   * objects carrying its own owner label.
   */
  readonly ownership?: boolean;
  /** fields removed from the engine's answers: dotted paths, per endpoint */
  readonly redact?: readonly { readonly endpoints: readonly string[]; readonly fields: readonly string[] }[];
}
