import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { commandTarget, countCommands, makeStep } from './make-step.js';

describe('make as a build step', () => {
  test("counts the commands make -n lists that a real run prints: not make's lines, not the silent mkdir -p", () => {
    const dry = ['make: Entering directory', 'mkdir -p build/core/', 'riscv64-linux-gnu-gcc -O2 -c core/vm.c -o build/core/vm.o', 'riscv64-linux-gnu-gcc -static -o build/vmm build/core/vm.o', "make[1]: Nothing to be done for 'all'.", ''].join('\n');
    expect(countCommands(dry)).toBe(2);
    expect(commandTarget('riscv64-linux-gnu-gcc -O2 -c core/vm.c -o build/core/vm.o -MMD')).toBe('build/core/vm.o');
    expect(commandTarget('sh mk/layers.sh')).toBe('sh mk/layers.sh');
  }, 30_000);

  test('runs what is out of date, nothing when all is current, and fails with make\'s output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-make-'));
    writeFileSync(join(dir, 'Makefile'), 'all: a b\na b:\n\techo made $@ > $@\nbad:\n\techo broken; false\n');
    const lines: string[] = [];
    await makeStep('step', ['-C', dir], (l) => lines.push(l));
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('made a\n');
    await makeStep('step', ['-C', dir], (l) => lines.push(l)); // current: make is not even run
    await expect(makeStep('step', ['-C', dir, 'bad'], (l) => lines.push(l))).rejects.toThrow(/make -C .* bad failed \(exit 2\):\n(.|\n)*broken/);
    expect(lines).toEqual([]); // each step took far less than 15 s
  }, 30_000);
});
