/**
 * The box's last log lines, for a diagnostics job: a pino stream that keeps the newest lines in
 * memory with only their time, level, part and message. The fields are dropped: the project's
 * rule is that logs hold nothing private, and a bundle that leaves the box keeps to the fixed
 * English sentences on top of that.
 */
export interface TailLine {
  time: string;
  level: number;
  part: string | null;
  msg: string;
}

export class LogTail {
  private lines: TailLine[] = [];
  constructor(private readonly keep = 50) {}

  /** pino's destination interface. */
  write(line: string): void {
    let o: { time?: unknown; level?: unknown; part?: unknown; msg?: unknown };
    try {
      o = JSON.parse(line);
    } catch {
      return;
    }
    this.lines.push({
      time: typeof o.time === 'number' ? new Date(o.time).toISOString() : '',
      level: typeof o.level === 'number' ? o.level : 0,
      part: typeof o.part === 'string' ? o.part.slice(0, 40) : null,
      msg: typeof o.msg === 'string' ? o.msg.slice(0, 200) : '',
    });
    if (this.lines.length > this.keep) this.lines.splice(0, this.lines.length - this.keep);
  }

  last(n = this.keep): TailLine[] {
    return this.lines.slice(-n);
  }
}
