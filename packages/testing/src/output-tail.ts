import type { Readable } from 'node:stream';

const DEFAULT_MAX_CHARS = 8_000;

/**
 * Keeps the last few KB a child process printed, to put in error messages: a server that fails to
 * start says why on stdout/stderr, and without it the error would only say "timed out".
 */
export class OutputTail {
  private text = '';

  /** @param maxChars - how much of the end of the output to keep. */
  constructor(private readonly maxChars: number = DEFAULT_MAX_CHARS) {}

  /**
   * Reads a stream into the tail. Reading also matters on its own: a child blocks once the pipe
   * buffer of an unread stdout or stderr is full.
   */
  follow(stream: Readable | null | undefined): void {
    if (!stream) return;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.append(chunk));
  }

  /** Adds text at the end, dropping the oldest characters beyond the limit. */
  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.maxChars) this.text = this.text.slice(-this.maxChars);
  }

  /** The kept output, or a placeholder when there was none. */
  toString(): string {
    const trimmed = this.text.trim();
    return trimmed === '' ? '(no output)' : trimmed;
  }
}
