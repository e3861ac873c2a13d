// The restore init container of a box's gateway pod (WorkspaceBackupResources.restoreContainer),
// run with node -e: argv: <workspace dir> <file holding the presigned GET URL>. Only when the
// workspace is absent or empty: GETs the customer's archive and unpacks it into a staging directory
// beside the workspace, renamed into place once complete (a crash half-way leaves no half
// workspace). 404 (or 403: a missing object to a key without ListBucket, or an expired URL): no
// archive, the box starts fresh. Network errors and 5xx are retried 5 times over about a minute,
// then the box starts fresh too: a storage outage must not keep a customer's new box from starting
// (the archive stays in the bucket for a restore by hand). Exits 0 in every one of these cases.
const fs = require('fs'), path = require('path'), zlib = require('zlib');
const [root, urlFile] = process.argv.slice(1);
const staging = path.join(path.dirname(root), '.workspace-restore');
const log = (m) => console.log('workspace-restore: ' + m);

function str(h, off, len) {
  const end = h.indexOf(0, off);
  return h.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}
function num(h, off, len) {
  const s = str(h, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}
function safe(name) {
  const n = path.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/+$/, '');
  if (!n || n === '.' || n.startsWith('/') || n === '..' || n.startsWith('../')) return null;
  return n;
}

// Unpacks a gzipped tar stream into dir: directories, files and (last) symlinks.
async function extract(stream, dir) {
  let buf = Buffer.alloc(0), cur = null, pax = {}, longName = null, longLink = null;
  const links = [], dirs = [];
  const finish = (e) => {
    if (e.fd !== undefined) {
      fs.closeSync(e.fd);
      fs.utimesSync(e.target, e.mtime, e.mtime);
    } else if (e.type === 'x') {
      // Records are "<length in bytes> key=value\n": walk the bytes, not the characters.
      const bytes = Buffer.concat(e.parts);
      let i = 0;
      while (i < bytes.length) {
        const sp = bytes.indexOf(32, i), len = parseInt(bytes.toString('latin1', i, sp), 10);
        if (!(len > 0)) break;
        const rec = bytes.toString('utf8', sp + 1, i + len - 1), eq = rec.indexOf('=');
        pax[rec.slice(0, eq)] = rec.slice(eq + 1);
        i += len;
      }
    } else if (e.type === 'L') {
      longName = Buffer.concat(e.parts).toString('utf8').replace(/\0+$/, '');
    } else if (e.type === 'K') {
      longLink = Buffer.concat(e.parts).toString('utf8').replace(/\0+$/, '');
    }
  };
  for await (const chunk of stream) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (cur) {
        const n = Math.min(buf.length, cur.total - cur.pos);
        const data = Math.max(0, Math.min(n, cur.size - cur.pos));
        if (data > 0) {
          if (cur.fd !== undefined) fs.writeSync(cur.fd, buf, 0, data);
          else if (cur.parts) cur.parts.push(Buffer.from(buf.subarray(0, data)));
        }
        cur.pos += n;
        buf = buf.subarray(n);
        if (cur.pos < cur.total) break;
        finish(cur);
        cur = null;
        continue;
      }
      if (buf.length < 512) break;
      const h = buf.subarray(0, 512);
      buf = buf.subarray(512);
      if (h.every((b) => b === 0)) continue;
      const type = String.fromCharCode(h[156] || 48);
      const size = num(h, 124, 12);
      const e = { type, size, pos: 0, total: size + ((512 - (size % 512)) % 512) };
      if (type === 'x' || type === 'L' || type === 'K') {
        e.parts = [];
      } else if (type === 'g') {
        // global pax header: nothing we use
      } else {
        const prefix = str(h, 257, 6).startsWith('ustar') ? str(h, 345, 155) : '';
        let name = pax.path || longName || (prefix ? prefix + '/' : '') + str(h, 0, 100);
        const link = pax.linkpath || longLink || str(h, 157, 100);
        pax = {};
        longName = longLink = null;
        const rel = safe(name);
        const mode = num(h, 100, 8) & 0o777;
        const mtime = num(h, 136, 12);
        if (rel === null) {
          if (name.replace(/^(\.\/)+/, '').replace(/\/+$/, '') !== '' && name !== '.') log('skipped ' + name);
        } else if (type === '5') {
          fs.mkdirSync(path.join(dir, rel), { recursive: true });
          dirs.push([path.join(dir, rel), mode | 0o700, mtime]);
        } else if (type === '0' || type === '7') {
          const target = path.join(dir, rel);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          e.fd = fs.openSync(target, 'w', mode | 0o600);
          e.target = target;
          e.mtime = mtime;
        } else if (type === '2') {
          links.push([link, path.join(dir, rel)]);
        } else {
          log('skipped ' + name + ' (entry type ' + type + ')');
        }
      }
      if (e.total > 0) cur = e;
      else finish(e);
    }
  }
  if (cur) throw new Error('the archive ends in the middle of an entry');
  for (const [link, at] of links) {
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(link, at);
  }
  for (const [d, mode, mtime] of dirs.reverse()) {
    fs.chmodSync(d, mode);
    fs.utimesSync(d, mtime, mtime);
  }
}

function get(url) {
  const client = require(url.startsWith('https:') ? 'https' : 'http');
  return new Promise((resolve, reject) => {
    const req = client.get(url, (res) => resolve(res));
    req.on('error', reject);
    req.setTimeout(60000, () => req.destroy(new Error('no answer from the store in 60 s')));
  });
}

async function main() {
  if (fs.existsSync(root) && fs.readdirSync(root).length > 0) {
    log('the workspace is there: nothing to restore');
    return;
  }
  const url = fs.readFileSync(urlFile, 'utf8').trim();
  const delays = [2, 4, 8, 16, 30];
  for (let attempt = 1; ; attempt++) {
    let problem;
    try {
      fs.rmSync(staging, { recursive: true, force: true });
      const res = await get(url);
      if (res.statusCode === 404 || res.statusCode === 403) {
        res.resume();
        log(res.statusCode === 404
          ? 'no archive of this customer: starting with a new workspace'
          : '403 from the store (no archive, or an expired or refused URL): starting with a new workspace');
        return;
      }
      if (res.statusCode === 200) {
        fs.mkdirSync(staging, { recursive: true });
        await extract(res.pipe(zlib.createGunzip()), staging);
        fs.rmSync(root, { recursive: true, force: true });
        fs.renameSync(staging, root);
        log('restored the workspace from the customer\'s archive');
        return;
      }
      res.resume();
      problem = 'the store answered ' + res.statusCode;
      if (res.statusCode < 500 && res.statusCode !== 429) attempt = delays.length + 1;
    } catch (e) {
      problem = e && e.message ? e.message : String(e);
    }
    if (attempt > delays.length) {
      fs.rmSync(staging, { recursive: true, force: true });
      log('GAVE UP, starting with a new workspace: ' + problem + ' (the archive, if any, is left in the store)');
      return;
    }
    log(problem + '; retrying in ' + delays[attempt - 1] + ' s');
    await new Promise((r) => setTimeout(r, delays[attempt - 1] * 1000));
  }
}

main().catch((e) => {
  log('GAVE UP, starting with a new workspace: ' + (e && e.message ? e.message : e));
  try { fs.rmSync(staging, { recursive: true, force: true }); } catch (ignored) {}
});
