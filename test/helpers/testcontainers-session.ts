/**
 * One testcontainers-node session, run as its own process by test/e2e/node-clients.test.ts:
 * `node --import tsx test/helpers/testcontainers-session.ts '<json spec>'`.
 *
 * testcontainers keeps its container-runtime client (and the DOCKER_HOST it read) in module state
 * for the life of the process, with no API to reset it; a fresh process per sockgate socket is
 * how a user's test run meets it, so each profile gets one. The environment (DOCKER_HOST,
 * TESTCONTAINERS_*) is set by the caller. Prints one JSON line: what each step returned, or the
 * step that failed and its error.
 */
import type { Readable } from 'node:stream';
import { GenericContainer, Wait, type ImagePullPolicy } from 'testcontainers';

interface Spec {
  readonly image: string;
  /** a container name (withName), or none */
  readonly name?: string;
  readonly labels: Record<string, string>;
}

export interface SessionReport {
  id?: string;
  name?: string;
  exec?: { output: string; stdout: string; stderr: string; exitCode: number };
  logs?: string;
  stopped?: boolean;
  failedStep?: string;
  error?: { message: string; statusCode?: number; stack?: string };
}

/** The image is local: never pull (testcontainers' default pulls only a missing image; this says so outright). */
const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const report: SessionReport = {};
let step = 'start';
try {
  let definition = new GenericContainer(spec.image).withLabels(spec.labels);
  if (spec.name !== undefined) definition = definition.withName(spec.name);
  const container = await definition
    .withCommand(['sh', '-c', 'echo ready; sleep 300'])
    .withWaitStrategy(Wait.forLogMessage('ready'))
    .withStartupTimeout(20_000)
    .withPullPolicy(NEVER_PULL)
    .start();
  report.id = container.getId();
  report.name = container.getName();

  step = 'exec';
  report.exec = await container.exec(['echo', 'x']);

  step = 'logs';
  const logs: Readable = await container.logs();
  report.logs = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      logs.destroy();
      resolve(text);
    }, 5_000);
    logs.on('data', (d: Buffer | string) => {
      text += d.toString();
      if (text.includes('ready')) {
        clearTimeout(timer);
        logs.destroy();
        resolve(text);
      }
    });
    logs.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });

  step = 'stop';
  await container.stop();
  report.stopped = true;
} catch (err) {
  const e = err as { message?: unknown; statusCode?: unknown; stack?: unknown };
  report.failedStep = step;
  report.error = {
    message: String(e.message ?? err),
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    ...(typeof e.stack === 'string' ? { stack: e.stack } : {}),
  };
}
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
