import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';

/*
 * Where webhooks may go. An endpoint's host is resolved when each delivery connects, and every
 * address it resolves to must be public: loopback, private (RFC 1918), link-local (cloud metadata
 * at 169.254.169.254), unique-local, carrier-grade NAT, multicast and unspecified addresses are
 * refused unless configuration names their range (WEBHOOK_ALLOW_NETWORKS; tests allow loopback).
 * Checking at connect time, in the socket's own lookup, means a DNS answer that changes between
 * a check and the connection (rebinding) cannot slip through.
 */

export class ForbiddenAddressError extends Error {
  readonly code = 'EFORBIDDENADDRESS';
  constructor(readonly address: string, readonly range: string) {
    super(`${address} is a ${range} address: webhooks go to public addresses only`);
  }
}

/** The range of an address that is not public and not allowed, or null when it may be reached. */
export function forbiddenRange(address: string, allow: readonly string[]): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  let ip = ipaddr.parse(address);
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it is.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range === 'unicast') return null;
  return allow.includes(range) ? null : range;
}

/** A `lookup` for net/http that resolves like the system and refuses forbidden addresses. */
export function guardedLookup(allow: readonly string[]) {
  return (hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const range = forbiddenRange(a.address, allow);
        if (range) return callback(new ForbiddenAddressError(a.address, range), '');
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
