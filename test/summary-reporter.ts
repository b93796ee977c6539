// Prints the plain closing line "N passed, N failed" (CI reads it) after vitest's own report,
// preceded by one line per failed test with the first line of its error.
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0, failed = 0, skipped = 0;
    const lines: string[] = [];
    for (const m of testModules)
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state === 'passed') passed++;
        else if (r.state === 'failed') {
          failed++;
          lines.push(`FAILED ${m.moduleId.replace(/^.*\/test\//, 'test/')} > ${t.fullName}: ${(r.errors?.[0]?.message ?? '').split('\n')[0]}`);
        } else skipped++;
      }
    process.stdout.write(`\n${lines.join('\n')}${lines.length ? '\n' : ''}Tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
