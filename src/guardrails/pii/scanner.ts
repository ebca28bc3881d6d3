/** Reports one finding of the scanner's entity: UTF-16 offsets, [start, end). */
export type Emit = (start: number, end: number) => void;

/** Finds one entity: every candidate it reports is at most `maxLength` characters long. */
export interface EntityScanner {
  readonly maxLength: number;
  scan(text: string, emit: Emit): void;
}

