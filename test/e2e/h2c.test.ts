/**
 * BuildKit's HTTP/2 endpoints through sockgate, against the real engine: POST /session and
 * POST /grpc switch to h2c (101) and then speak HTTP/2 over the hijacked connection. The docker
 * CLI here has no buildx plugin, so the exchange is driven byte by byte: after the 101, the
 * engine opens /session as the HTTP/2 client (it sends the connection preface), and answers
 * /grpc as the HTTP/2 server (its SETTINGS frame after the client's preface).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_ALL_POLICY, type SockgateProcess, startSockgateWithPolicy } from '../helpers/engine.js';

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const EMPTY_SETTINGS = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
let gate: SockgateProcess;

beforeAll(async () => {
  gate = await startSockgateWithPolicy(ALLOW_ALL_POLICY);
});
afterAll(async () => {
  await gate?.stop();
});

/** Send an h2c upgrade request, optionally some bytes after the 101, and collect what comes back for `ms`. */
function h2c(path: string, afterSwitch: Buffer | null, ms = 1500): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect({ path: gate.socketPath });
    const chunks: Buffer[] = [];
    let switched = false;
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (!switched && Buffer.concat(chunks).includes('\r\n\r\n')) {
        switched = true;
        if (afterSwitch) s.write(afterSwitch);
      }
    });
    s.on('error', reject);
    s.write(
      `POST ${path} HTTP/1.1\r\nHost: d\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n` +
        'X-Docker-Expose-Session-Uuid: sockgate-e2e\r\nX-Docker-Expose-Session-Name: sockgate-e2e\r\nX-Docker-Expose-Session-Sharedkey: k\r\n' +
        'Content-Length: 0\r\n\r\n',
    );
    setTimeout(() => {
      s.destroy();
      resolve(Buffer.concat(chunks));
    }, ms);
  });
}

describe('h2c upgrades used by BuildKit', () => {
  it('POST /session switches to h2c and the engine opens HTTP/2 over the spliced connection', async () => {
    const got = await h2c('/v1.41/session', null);
    const text = got.toString('latin1');
    expect(text.startsWith('HTTP/1.1 101 ')).toBe(true);
    expect(text.toLowerCase()).toContain('upgrade: h2c');
    expect(text.slice(text.indexOf('\r\n\r\n') + 4).startsWith(PREFACE)).toBe(true);
  });

  it('POST /grpc switches to h2c and the engine answers the client preface with its SETTINGS', async () => {
    const got = await h2c('/v1.41/grpc', Buffer.concat([Buffer.from(PREFACE, 'latin1'), EMPTY_SETTINGS]));
    const head = got.indexOf('\r\n\r\n');
    expect(got.subarray(0, head).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    const frames = got.subarray(head + 4);
    // An HTTP/2 frame header: 3-byte length, then the type; 0x04 is SETTINGS.
    expect(frames.length).toBeGreaterThanOrEqual(9);
    expect(frames[3]).toBe(0x04);
  });
});
