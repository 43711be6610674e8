import { PREFLIGHT_SECTIONS, type PreflightCheck } from './preflightCheck';

export function formatPreflight(checks: readonly PreflightCheck[], header: string): string[] {
  const lines = [header];
  for (const section of PREFLIGHT_SECTIONS) {
    const inSection = checks.filter((item) => item.section === section);
    if (inSection.length === 0) continue;
    lines.push('', section);
    for (const item of inSection) lines.push(`  ${item.ok ? '✅' : '❌'} ${item.name}: ${item.detail}`);
  }
  const passed = checks.filter((item) => item.ok).length;
  lines.push(
    '',
    passed === checks.length
      ? `${passed} of ${checks.length} checks pass: ready to deploy`
      : `${passed} of ${checks.length} checks pass: NOT ready (${checks.length - passed} ❌)`,
  );
  return lines;
}
