import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

interface Link {
  client: Socket;
  upstream: Socket;
  /** Client → server bytes held back while this link is stalled. */
  held: Buffer[];
  stalled: boolean;
  /** Being cut by deliverLateAndCut: the upstream finishes alone, replies are lost. */
  cutting: boolean;
  /** Watchers of what this link's client sends (see waitFor). */
  watchers: Array<(chunk: Buffer) => boolean>;
}

/**
 * A TCP proxy (127.0.0.1) in front of a store that a test can stall: a stalled link keeps its
 * sockets open but forwards nothing (requests are held back in order; replies wait in the
 * kernel), like a frozen network path. New links open stalled while the proxy is.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const links = new Set<Link>();
  let stalledAll = false;
  let trap: ((chunk: Buffer) => boolean) | undefined;
  let trapped: ((l: Link) => void) | undefined;

  const pauseLink = (l: Link) => {
    l.stalled = true;
    l.upstream.pause();
  };
  const resumeLink = (l: Link) => {
    l.stalled = false;
    for (const b of l.held.splice(0)) l.upstream.write(b);
    l.upstream.resume();
  };

  const server = createServer((client) => {
    const upstream = createConnection(target);
    const l: Link = { client, upstream, held: [], stalled: false, cutting: false, watchers: [] };
    links.add(l);
    if (stalledAll) pauseLink(l);
    const drop = () => {
      if (l.cutting) return;
      links.delete(l);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => {
      l.watchers = l.watchers.filter((w) => !w(chunk));
      if (!l.stalled && trap?.(chunk)) {
        trap = undefined;
        pauseLink(l);
        trapped?.(l);
      }
      if (l.stalled) l.held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!l.cutting && !client.destroyed) client.write(chunk);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;

  return {
    port,
    /** Every link, and every new one, stops forwarding. */
    stall() {
      stalledAll = true;
      for (const l of links) pauseLink(l);
    },
    /** Everything held back goes on, in order. */
    resume() {
      stalledAll = false;
      for (const l of links) resumeLink(l);
    },
    /**
     * Stalls the first link whose client sends a chunk matching `match` (that chunk included);
     * resolves with a handle that can, later, deliver just that chunk and then cut the link, so
     * the request arrives late and whatever the client sent after it is lost.
     */
    stallOn(match: (chunk: Buffer) => boolean) {
      return new Promise<{ deliverLateAndCut(): Promise<void>; waitFor(pattern: RegExp): Promise<string> }>((resolve) => {
        trap = match;
        trapped = (l) => {
          trapped = undefined;
          resolve({
            async deliverLateAndCut() {
              l.cutting = true;
              const first = l.held.shift();
              l.held.length = 0;
              l.upstream.resume();
              const closed = once(l.upstream, 'close');
              l.upstream.end(first ?? Buffer.alloc(0));
              await closed;
              links.delete(l);
              l.client.destroy();
            },
            /** The first match of `pattern` in what this link's client sends from now on. */
            waitFor(pattern: RegExp) {
              return new Promise<string>((found) => {
                l.watchers.push((chunk) => {
                  const m = pattern.exec(chunk.toString('latin1'));
                  if (m) found(m[0]);
                  return m !== null;
                });
              });
            },
          });
        };
      });
    },
    async close() {
      for (const l of links) {
        l.client.destroy();
        l.upstream.destroy();
      }
      server.close();
      await once(server, 'close');
    },
  };
}
export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;
