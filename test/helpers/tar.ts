/**
 * Small tar archives for tests, written here (no system tar: the image's build stage runs the
 * unit tests with busybox), from name → content: ustar, GNU (long names as 'L' entries) or POSIX
 * (long names in PAX headers), optionally gzip-compressed.
 */
import { gzipSync } from 'node:zlib';

type Format = 'gnu' | 'posix' | 'ustar';

function header(name: string, size: number, type: string, link = '', format: Format = 'ustar', prefix = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(link, 157, 'utf8');
  if (format === 'gnu') h.write('ustar  \0', 257, 'latin1');
  else {
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
    h.write(prefix, 345, 'utf8');
  }
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

const padded = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

function entry(name: string, data: Buffer, type: string, link: string, format: Format): Buffer[] {
  if (Buffer.byteLength(name) <= 100) return [header(name, data.length, type, link, format), padded(data)];
  if (format === 'gnu') {
    const long = Buffer.from(name + '\0');
    return [header('././@LongLink', long.length, 'L', '', 'gnu'), padded(long), header(name.slice(0, 100), data.length, type, link, 'gnu'), padded(data)];
  }
  if (format === 'posix') {
    const body = ` path=${name}\n`;
    let len = body.length;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    const pax = Buffer.from(`${len}${body}`);
    return [header('PaxHeader', pax.length, 'x'), padded(pax), header(name.slice(-100), data.length, type, link), padded(data)];
  }
  const cut = name.lastIndexOf('/', 155);
  return [header(name.slice(cut + 1), data.length, type, link, 'ustar', name.slice(0, cut)), padded(data)];
}

export function tarOf(files: Readonly<Record<string, string | { symlink: string }>>, options: { format?: Format; gzip?: boolean } = {}): Buffer {
  const format = options.format ?? 'gnu';
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') parts.push(...entry(name, Buffer.from(content), '0', '', format));
    else parts.push(...entry(name, Buffer.alloc(0), '2', content.symlink, format));
  }
  const tar = Buffer.concat([...parts, Buffer.alloc(1024)]);
  return options.gzip ? gzipSync(tar) : tar;
}
