/** One line of the deployment checklist's final verification. */
export interface PreflightCheck {
  readonly section: PreflightSection;
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed (❌), or what was seen (✅). */
  readonly detail: string;
}

export const PREFLIGHT_SECTIONS = ['database', 'code', 'operations'] as const;
export type PreflightSection = (typeof PREFLIGHT_SECTIONS)[number];

/** A check's own verdict: `ok` with what was seen, or a failure with the reason. */
export type Verdict = { readonly ok: boolean; readonly detail: string };

export const pass = (detail: string): Verdict => ({ ok: true, detail });
export const fail = (detail: string): Verdict => ({ ok: false, detail });

/** Runs one check; a throw is a ❌ with its message (never a crash of the whole checklist). */
export async function check(
  section: PreflightSection,
  name: string,
  run: () => Promise<Verdict> | Verdict,
): Promise<PreflightCheck> {
  try {
    const verdict = await run();
    return { section, name, ...verdict };
  } catch (error) {
    return { section, name, ok: false, detail: (error as Error).message ?? String(error) };
  }
}
