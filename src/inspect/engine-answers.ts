/**
 * What the engine's answers say about the objects a request acts on or names, as facts: the
 * container, volume or network as inspect or list answers describe it, and the outcome of each
 * lookup sockgate makes (proxy/resolve-target.ts). Both the side that asks the engine (proxy/)
 * and the side that decides on the answer (gate.ts, policy/) read these shapes, so they live
 * here in the pure layer both may import. Pure.
 */

import { obj, str, stringMap } from '../json-view.js';
import type { ObjectKind, ObjectRef } from './references.js';

/** sockgate's reserved labels (io.sockgate.owner, …): no client may set one, and an image carrying one is refused */
export const RESERVED_LABEL_PREFIX = 'io.sockgate.';

/** The container a request acts on, as the engine reported it when sockgate resolved it. */
export interface TargetFacts {
  readonly id: string;
  /** without the leading "/" */
  readonly name: string;
  /** Config.Image: the image as the container was created from it */
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** the image id the container runs (inspect `Image`, list `ImageID`), when the engine said */
  readonly imageId?: string;
}

/** Facts of a volume or network as the engine reports it (inspect or list entry). */
export interface ObjectFacts extends TargetFacts {
  readonly kind: ObjectKind;
}

/** A container as the engine's inspect answer describes it, or null without a valid id. */
export function containerFromInspect(answer: unknown): TargetFacts | null {
  const c = obj(answer);
  const config = obj(c['Config']);
  const id = str(c['Id']);
  if (!/^[0-9a-f]{64}$/.test(id)) return null;
  return { id, name: str(c['Name']).replace(/^\//, ''), image: str(config['Image']), labels: stringMap(config['Labels']), imageId: str(c['Image']) };
}

/** A container's own name in a list entry: the one of `Names` that is not a link alias ("/a/b"). */
function primaryName(names: unknown): string {
  const list = Array.isArray(names) ? names.map(str) : [];
  const own = list.find((n) => n.lastIndexOf('/') === 0) ?? list[0] ?? '';
  return own.replace(/^\//, '');
}

/** A GET /containers/json entry as target facts. */
export function containerListEntry(entry: unknown): TargetFacts {
  const e = obj(entry);
  return { id: str(e['Id']), name: primaryName(e['Names']), image: str(e['Image']), labels: stringMap(e['Labels']), imageId: str(e['ImageID']) };
}

/** A volume or network as the engine describes it (inspect or list entry); a volume's id is its name. */
export function objectFromAnswer(kind: 'volume' | 'network', answer: unknown): ObjectFacts {
  const o = obj(answer);
  const name = str(o['Name']);
  return { kind, id: kind === 'network' ? str(o['Id']) : name, name, image: '', labels: stringMap(o['Labels']) };
}

/** The container a request acts on, as the engine resolved it, or why it could not be looked up. */
export type ResolvedTarget = { readonly ok: true; readonly facts: TargetFacts } | { readonly ok: false; readonly reason: string };

/** An object named by a request, as the engine reported it, or why it could not be looked up. */
export type ResolvedRef = { readonly ok: true; readonly ref: ObjectRef; readonly facts: ObjectFacts } | { readonly ok: false; readonly ref: ObjectRef; readonly reason: string };

/** The image a container create names, as the engine resolved it: missing, its labels and ONBUILD triggers, or why it could not be looked up. */
export type ResolvedImage =
  | { readonly ok: true; readonly exists: false }
  | { readonly ok: true; readonly exists: true; readonly labels: Readonly<Record<string, string>>; readonly onBuild?: readonly string[] }
  | { readonly ok: false; readonly reason: string };
