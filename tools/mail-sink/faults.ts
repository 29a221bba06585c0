/** SMTP failure injection: the next N messages are refused with the given reply after DATA. */
export interface FaultState {
  rejectNext: number;
  code: number;
  message: string;
}

export class FaultSwitch {
  private state: FaultState = { rejectNext: 0, code: 451, message: 'Temporary failure injected by the mail sink' };

  set(update: Partial<FaultState>): FaultState {
    this.state = { ...this.state, ...update };
    return this.current();
  }

  current(): FaultState {
    return { ...this.state };
  }

  /** Consumes one rejection if armed; the error carries the SMTP reply code smtp-server sends back. */
  takeRejection(): (Error & { responseCode: number }) | null {
    if (this.state.rejectNext <= 0) return null;
    this.state.rejectNext -= 1;
    return Object.assign(new Error(this.state.message), { responseCode: this.state.code });
  }
}
