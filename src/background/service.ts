/**
 * Work a runtime runs beside its main job (the Temporal worker, the HTTP server): loops over the inbox,
 * the email outbox, the invoice mirror, usage upkeep. The runtime starts them in order and stops them in
 * reverse; each is safe to run in any number of processes at once (claims are leased, writes idempotent).
 */
export interface BackgroundService {
  /** Kebab-case, as it appears in logs and in a runtime's `services` selection. */
  readonly name: string;
  start(): void;
  /** Stops; resolves once the work in flight has finished. */
  stop(): Promise<void>;
}
