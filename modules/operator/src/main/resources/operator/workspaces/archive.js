// The archive Job of a box being destroyed (WorkspaceBackupResources.archiveJob), run with node -e:
// argv: <workspace dir> <temporary file> <presigned PUT URL>. Writes the workspace as a gzipped
// POSIX tar (long names in pax headers; `tar xzf` reads it) to the temporary file, then PUTs it
// with its Content-Length (S3 refuses a chunked upload to a presigned URL). No workspace: nothing
// is uploaded, so an older archive of the customer is kept.
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [root, out, url] = process.argv.slice(1);

function octal(h, off, len, value) {
  h.write(value.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}
function header(name, mode, size, type, link, mtime) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, mode & 0o7777);
  octal(h, 108, 8, 1000);
  octal(h, 116, 8, 1000);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.floor(mtime));
  h.fill(32, 148, 156);
  h.write(type, 156, 1, 'latin1');
  if (link) h.write(link, 157, 100, 'utf8');
  h.write('ustar\0' + '00', 257, 8, 'latin1');
  h.write('node', 265, 32, 'latin1');
  h.write('node', 297, 32, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}
function paxRecord(key, value) {
  const s = ' ' + key + '=' + value + '\n';
  const n = Buffer.byteLength(s);
  let d = 1;
  while (String(n + d).length > d) d++;
  return (n + d) + s;
}
function padding(size) {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

async function main() {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    console.log('workspace-archive: no workspace at ' + root + ': nothing to archive');
    return;
  }
  const gzip = zlib.createGzip({ level: 6 });
  const sink = fs.createWriteStream(out);
  const done = new Promise((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
    gzip.on('error', reject);
  });
  gzip.pipe(sink);
  const put = async (buf) => {
    if (!gzip.write(buf)) await new Promise((r) => gzip.once('drain', r));
  };
  let files = 0, bytes = 0;
  async function entry(rel, st, type, link) {
    const size = type === '0' ? st.size : 0;
    if (Buffer.byteLength(rel) > 100 || Buffer.byteLength(link || '') > 100) {
      const pax = Buffer.from(paxRecord('path', rel) + (link ? paxRecord('linkpath', link) : ''));
      await put(header('PaxHeader/' + path.basename(rel).slice(0, 80), 0o644, pax.length, 'x', '', st.mtimeMs / 1000));
      await put(pax);
      await put(padding(pax.length));
    }
    await put(header(rel.slice(0, 100), st.mode, size, type, link ? link.slice(0, 100) : '', st.mtimeMs / 1000));
  }
  async function walk(dir, prefix) {
    const names = fs.readdirSync(dir).sort();
    for (const name of names) {
      const full = path.join(dir, name), rel = prefix + name;
      const st = fs.lstatSync(full);
      if (st.isDirectory()) {
        await entry(rel + '/', st, '5');
        await walk(full, rel + '/');
      } else if (st.isSymbolicLink()) {
        await entry(rel, st, '2', fs.readlinkSync(full));
      } else if (st.isFile()) {
        await entry(rel, st, '0');
        // Exactly the size in the header, even if the file changed since.
        let left = st.size;
        if (left > 0) {
          for await (const chunk of fs.createReadStream(full, { start: 0, end: st.size - 1 })) {
            const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
            left -= part.length;
            await put(part);
          }
        }
        if (left > 0) await put(Buffer.alloc(left));
        await put(padding(st.size));
        files++;
        bytes += st.size;
      }
    }
  }
  await walk(root, '');
  await put(Buffer.alloc(1024));
  gzip.end();
  await done;
  const size = fs.statSync(out).size;
  console.log('workspace-archive: ' + files + ' files, ' + bytes + ' bytes, ' + size + ' compressed');
  const client = require(url.startsWith('https:') ? 'https' : 'http');
  const status = await new Promise((resolve, reject) => {
    const req = client.request(url, { method: 'PUT', headers: { 'content-length': size, 'content-type': 'application/gzip' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { if (body.length < 2000) body += c; });
      res.on('end', () => resolve(res.statusCode + (res.statusCode >= 300 ? ' ' + body : '')));
    });
    req.on('error', reject);
    req.setTimeout(120000, () => req.destroy(new Error('no answer from the store in 120 s')));
    fs.createReadStream(out).on('error', reject).pipe(req);
  });
  if (!String(status).startsWith('2')) {
    throw new Error('the store answered ' + status);
  }
  console.log('workspace-archive: uploaded');
}

main().catch((e) => {
  console.error('workspace-archive: failed: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
