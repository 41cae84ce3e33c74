/** A traced function did something a graph cannot reproduce (a readback, a JS-drawn random value, …). */
export class TraceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceError';
  }
}
