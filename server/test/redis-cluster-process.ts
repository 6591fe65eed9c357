import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis-process';

const run = promisify(execFile);

// A store keeps real time even when the suite runs with a moved clock (npm run test:dates).
const realTimeEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME')));

async function startNode(port: number, dir: string): Promise<ChildProcess> {
  const c = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000',
    '--dir', dir,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: realTimeEnv() });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    c.once('error', reject);
    c.once('exit', (code) => reject(new Error(`redis-server (cluster node ${port}) exited (${code}): ${out}`)));
  });
  c.stdout!.resume();
  c.stderr!.resume();
  return c;
}

const cli = (port: number, ...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { env: realTimeEnv() });

/**
 * A private three-master Redis Cluster from the distribution's `redis-server` (no replicas, no
 * persistence, a temporary directory for the nodes' cluster files), created with
 * `redis-cli --cluster create` and ready once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3) {
  const dir = await mkdtemp(join(tmpdir(), 'holdfast-redis-cluster-'));
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) {
    let port = await freePort();
    while (ports.includes(port)) port = await freePort();
    ports.push(port);
  }
  const nodes: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGKILL');
      await exited;
    }));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    nodes.push(...(await Promise.all(ports.map((p) => startNode(p, dir)))));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { env: realTimeEnv() });
    // Every node must agree the slots are covered before a client may rely on its slot map.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const infos = await Promise.all(ports.map((p) => cli(p, 'cluster', 'info').then((r) => r.stdout)));
      if (infos.every((i) => i.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline) throw new Error(`redis cluster not ok after 15 s:\n${infos.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    ports,
    /** REDIS_CLUSTER_NODES for a server. */
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    /** The port of the master that serves `key`'s hash slot (CLUSTER KEYSLOT, then CLUSTER SLOTS). */
    async masterOf(key: string): Promise<number> {
      const slot = Number((await cli(ports[0]!, 'cluster', 'keyslot', key)).stdout.trim());
      const { stdout } = await cli(ports[0]!, '--json', 'cluster', 'slots').catch(() => cli(ports[0]!, 'cluster', 'slots'));
      return ownerIn(stdout, slot);
    },
    stop,
  };
}
export type PrivateRedisCluster = Awaited<ReturnType<typeof startRedisCluster>>;

/** Reads redis-cli's plain CLUSTER SLOTS output: start, end, then each node's ip, port, id. */
function ownerIn(out: string, slot: number): number {
  const trimmed = out.trim();
  if (trimmed.startsWith('[')) {
    const ranges = JSON.parse(trimmed) as [number, number, [string, number, string]][];
    const r = ranges.find(([a, b]) => slot >= a && slot <= b);
    if (r) return Number(r[2][1]);
  } else {
    const lines = trimmed.split('\n').map((l) => l.trim());
    // Groups of 5 lines per range with one node and no replica: start, end, ip, port, id.
    for (let i = 0; i + 3 < lines.length; i += 5) {
      if (slot >= Number(lines[i]) && slot <= Number(lines[i + 1])) return Number(lines[i + 3]);
    }
  }
  throw new Error(`no master owns slot ${slot}: ${out}`);
}
