/**
 * A POSIX ustar archive of in-memory files (regular files only, names under 100 bytes), for
 * one-click downloads of several files without a compression library.
 *
 * @example
 * const tar = ustar([{ name: 'bundle/data.csv', data: Buffer.from('y\n1\n') }], new Date());
 */
export function ustar(
  files: readonly { name: string; data: Buffer }[],
  mtime: Date = new Date(),
): Buffer {
  const blocks: Buffer[] = [];
  const seconds = Math.floor(mtime.getTime() / 1000);
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    if (name.length > 99) throw new Error(`tar: name too long: ${f.name}`);
    const h = Buffer.alloc(512, 0);
    name.copy(h, 0);
    octal(h, 100, 8, 0o644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, f.data.length);
    octal(h, 136, 12, seconds);
    h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
    h.write('0', 156, 'ascii'); // regular file
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    h.write('tiltak', 265, 'ascii');
    h.write('tiltak', 297, 'ascii');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i]!;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(h, f.data);
    const pad = (512 - (f.data.length % 512)) % 512;
    if (pad > 0) blocks.push(Buffer.alloc(pad, 0));
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, 'ascii');
}
