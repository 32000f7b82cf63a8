#!/usr/bin/env node
// build.cjs - build the native addon (bootcase.cc + the VMM's loader, vmm/loader) with the host
// compiler, cached by a hash of its inputs: native/build/bootcase-<hash>.node.
//
// Runs at `npm install` (package.json "install") and on demand from harness/native/addon.ts,
// so a changed loader source is rebuilt before the harness uses it. No node-gyp: one g++ and
// one gcc call per file against Node's own headers (node_api.h) and node-addon-api's.
//
//   node native/build.cjs          build if missing, print the path
//   node native/build.cjs --force  build again
// CommonJS on purpose: the harness loads it synchronously (require) from source or compiled JS.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
/** Builds go beside the sources; an installed package in a read-only node_modules uses the cache. */
const OUTS = [join(ROOT, 'native', 'build'), join(process.env.BOOTCASE_CACHE || join(require('node:os').homedir(), '.cache', 'bootcase'), 'native')];
const C_SRCS = ['native/facts.c', 'vmm/loader/loader.c', 'vmm/loader/elf.c', 'vmm/loader/linux.c'];
const CXX_SRCS = ['native/bootcase.cc'];
const HEADERS = ['native/facts.h', 'vmm/loader/loader.h', 'vmm/loader/dtb.h', 'vmm/include/layout.h', 'vmm/include/sbi-ids.h', 'vmm/include/faults.h'];
const INCLUDES = ['native', 'vmm/loader', 'vmm/include'].map((d) => `-I${join(ROOT, d)}`);

class AddonBuildError extends Error {
  name = 'AddonBuildError';
}

function nodeAddonApiDir() {
  try {
    return dirname(require.resolve('node-addon-api/package.json', { paths: [ROOT] }));
  } catch {
    throw new AddonBuildError('native addon: the npm package node-addon-api is missing; run `npm install` in ' + ROOT);
  }
}

/** Node's C headers (node_api.h): next to this node, or Debian's /usr/include/node. */
function nodeHeaderDir() {
  const dirs = process.env.BOOTCASE_NODE_INCLUDE ? [process.env.BOOTCASE_NODE_INCLUDE] : [resolve(process.execPath, '../../include/node'), '/usr/include/node'];
  const found = dirs.find((d) => existsSync(join(d, 'node_api.h')));
  if (found) return found;
  throw new AddonBuildError(
    `native addon: Node's C headers (node_api.h) are not in ${dirs.join(' or ')}. On Debian they come with ` +
      `the nodejs package from NodeSource, or with libnode-dev for Debian's own nodejs: apt-get install libnode-dev ` +
      `(or set BOOTCASE_NODE_INCLUDE to the directory that holds node_api.h)`,
  );
}

/** The hash of everything the .node depends on: sources, headers, flags, Node's N-API level. */
function addonHash() {
  const h = createHash('sha256');
  for (const f of [...C_SRCS, ...CXX_SRCS, ...HEADERS, 'native/build.cjs']) h.update(f).update(readFileSync(join(ROOT, f)));
  h.update(`${process.platform}-${process.arch}-napi${process.versions.napi}`);
  return h.digest('hex').slice(0, 16);
}

function run(tool, pkg, args) {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') {
    throw new AddonBuildError(`native addon: no ${tool} on PATH; install the Debian package ${pkg} (apt-get install ${pkg}), or name another compiler in ${pkg === 'g++' ? 'CXX' : 'CC'}`);
  }
  if (r.error) throw new AddonBuildError(`native addon: ${tool}: ${r.error.message}`);
  if (r.status !== 0) throw new AddonBuildError(`native addon: ${tool} ${args.join(' ')} failed (status ${r.status}):\n${r.stderr}`);
}

function writable(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Build the addon unless the current inputs' build exists; returns its path. */
function buildAddon({ force = false, quiet = false } = {}) {
  const name = `bootcase-${addonHash()}.node`;
  const found = OUTS.map((d) => join(d, name)).find((f) => existsSync(f));
  if (!force && found) return found;
  const OUT = OUTS.find(writable);
  if (!OUT) throw new AddonBuildError(`native addon: none of ${OUTS.join(', ')} is writable`);
  const target = join(OUT, name);
  const cc = process.env.CC || 'gcc';
  const cxx = process.env.CXX || 'g++';
  // everything it needs, named before anything is compiled
  run(cc, 'gcc', ['--version']);
  run(cxx, 'g++', ['--version']);
  const napi = nodeHeaderDir();
  const api = nodeAddonApiDir();
  if (!quiet) process.stderr.write(`bootcase: building the native addon (the VMM's loader for the harness) into ${target}\n`);
  // a private directory, then one rename: parallel test workers never see half a file
  const tmp = mkdtempSync(join(OUT, '.tmp-'));
  try {
    const objs = [];
    for (const src of C_SRCS) {
      const obj = join(tmp, `${src.replace(/\W/g, '_')}.o`);
      run(cc, 'gcc', ['-O2', '-fPIC', '-Wall', '-Wextra', '-std=gnu11', '-D_GNU_SOURCE', ...INCLUDES, '-c', join(ROOT, src), '-o', obj]);
      objs.push(obj);
    }
    for (const src of CXX_SRCS) {
      const obj = join(tmp, `${src.replace(/\W/g, '_')}.o`);
      run(cxx, 'g++', ['-O2', '-fPIC', '-Wall', '-std=c++17', '-fexceptions', '-DNAPI_CPP_EXCEPTIONS', '-DNAPI_VERSION=8', `-I${napi}`, `-I${api}`, ...INCLUDES, '-c', join(ROOT, src), '-o', obj]);
      objs.push(obj);
    }
    const out = join(tmp, 'bootcase.node');
    run(cxx, 'g++', ['-shared', '-o', out, ...objs]);
    renameSync(out, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of readdirSync(OUT)) if (/^bootcase-[0-9a-f]{16}\.node$/.test(f) && join(OUT, f) !== target) rmSync(join(OUT, f), { force: true });
  return target;
}

module.exports = { AddonBuildError, addonHash, buildAddon };

if (require.main === module) {
  try {
    console.log(buildAddon({ force: process.argv.includes('--force') }));
  } catch (e) {
    console.error(e instanceof AddonBuildError ? e.message : e);
    process.exit(1);
  }
}
