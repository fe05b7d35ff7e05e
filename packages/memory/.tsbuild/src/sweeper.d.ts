/**
 * Runs `sweep` every `intervalMs` on a timer that never keeps the process alive. Returns a stop
 * function. `intervalMs` 0 disables it.
 */
export declare function startSweeper(intervalMs: number, sweep: () => void): () => void;
//# sourceMappingURL=sweeper.d.ts.map