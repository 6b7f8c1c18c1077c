/** Loopback only unless configured: a link open to any address would take traffic from anyone. */
export const DEFAULT_ALLOW_LIST: readonly string[] = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * Peer addresses allowed to connect (http-and-events.md: "the TCP link is protected by its peer
 * allow-list"). Exact addresses; an IPv4 address also matches its IPv4-mapped IPv6 form, since a
 * dual-stack socket reports `::ffff:10.0.0.1` for `10.0.0.1`.
 */
export class AllowList {
  private readonly addresses: ReadonlySet<string>;

  constructor(addresses: readonly string[]) {
    const normalised = new Set<string>();
    for (const address of addresses) normalised.add(normalise(address));
    this.addresses = normalised;
  }

  allows(address: string | undefined): boolean {
    return address !== undefined && this.addresses.has(normalise(address));
  }
}

function normalise(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith(IPV4_MAPPED_PREFIX) && lower.includes('.') ? lower.slice(IPV4_MAPPED_PREFIX.length) : lower;
}
