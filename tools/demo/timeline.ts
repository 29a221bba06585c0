const COLORS = [36, 35, 33, 32, 34, 31] as const;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface TimelineOptions {
  write: (text: string) => void;
  color: boolean;
  /** Redraw a transient status line (spinner + steps in flight); only on a terminal. */
  live: boolean;
}

/** Stripe time as the timeline shows it: the organization's test clock, to the minute, UTC. */
export function stripeTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The demo's output: one numbered line per finished step, `[done/total]`, with the organization's Stripe time;
 * on a terminal a spinner line below names the steps still running, so a wait on Temporal's clock never looks hung.
 */
export class Timeline {
  private total = 0;
  private finished = 0;
  private readonly running = new Map<number, string>();
  private nextRunId = 0;
  private frame = 0;
  private ticker: NodeJS.Timeout | null = null;
  private readonly orgColors = new Map<string, number>();

  constructor(private readonly opts: TimelineOptions) {}

  begin(total: number): void {
    this.total = total;
    if (this.opts.live) this.ticker = setInterval(() => this.redraw(), 120);
  }

  end(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.clearStatus();
  }

  /** Marks a step as in flight; returns the function that records it as done with what changed. */
  start(org: string, title: string): (at: number, outcome: string) => void {
    const id = this.nextRunId++;
    this.running.set(id, `${org}: ${title}`);
    return (at, outcome) => {
      this.running.delete(id);
      this.finished++;
      const width = String(this.total).length;
      const counter = `[${String(this.finished).padStart(width)}/${this.total}]`;
      this.print(`${this.dim(counter)} ${this.dim(stripeTime(at))}  ${this.paint(org, org.padEnd(9))} ${outcome}`);
    };
  }

  /** A line outside the numbered steps (a chapter skipped and why, a heading). */
  note(text: string): void {
    this.print(text);
  }

  bold(text: string): string {
    return this.opts.color ? `\x1b[1m${text}\x1b[0m` : text;
  }

  dim(text: string): string {
    return this.opts.color ? `\x1b[2m${text}\x1b[0m` : text;
  }

  paint(org: string, text: string): string {
    if (!this.opts.color) return text;
    if (!this.orgColors.has(org)) this.orgColors.set(org, COLORS[this.orgColors.size % COLORS.length] ?? 36);
    return `\x1b[${this.orgColors.get(org)}m${text}\x1b[0m`;
  }

  private print(line: string): void {
    this.clearStatus();
    this.opts.write(`${line}\n`);
    this.redraw();
  }

  private clearStatus(): void {
    if (this.opts.live) this.opts.write('\r\x1b[2K');
  }

  private redraw(): void {
    if (!this.opts.live || this.running.size === 0) return;
    this.frame = (this.frame + 1) % SPINNER.length;
    const columns = process.stdout.columns || 100;
    const status = `${SPINNER[this.frame]} ${this.finished}/${this.total} · ${[...this.running.values()].join(' · ')}`;
    this.opts.write(`\r\x1b[2K${this.dim(status.slice(0, columns - 1))}`);
  }
}
