/** A small JSON client for the running service's routes, with the ops key and a timeout per request. */
export interface ServiceAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

export class ServiceClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 5_000,
  ) {}

  get hasKey(): boolean {
    return this.apiKey !== undefined;
  }

  async request(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<ServiceAnswer> {
    const headers: Record<string, string> = { accept: 'application/json, text/plain' };
    if (this.apiKey !== undefined) headers['authorization'] = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new Error(`${method} ${path}: no answer from ${this.baseUrl} (${cause})`);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON (e.g. /metrics): keep the text.
    }
    return { status: response.status, body: parsed, text };
  }
}

/** The `{ error: { code, message } }` of an error answer, as one line. */
export function describeAnswer(answer: ServiceAnswer): string {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (error && typeof error === 'object')
    return `HTTP ${answer.status} ${String(error.code)}: ${String(error.message)}`;
  return `HTTP ${answer.status}`;
}
