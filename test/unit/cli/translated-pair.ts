import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `count` points spread over a 80 × 60 × 40 mm box and their copy moved by (3, −2, 1) mm, as `a.csv` (moving) and
 * `b.csv` (fixed) in `dir`: OT must match each point to its own copy.
 */
export function writeTranslatedPair(dir: string, count: number): { moving: string; fixed: string } {
  const a = ['x,y,z'];
  const b = ['x,y,z'];
  for (let i = 0; i < count; i++) {
    const p = [40 * Math.sin(i * 1.3), 30 * Math.cos(i * 0.7), 20 * Math.sin(i * 0.31 + 1)];
    a.push(p.join(','));
    b.push([p[0] + 3, p[1] - 2, p[2] + 1].join(','));
  }
  const [moving, fixed] = [join(dir, 'a.csv'), join(dir, 'b.csv')];
  writeFileSync(moving, a.join('\n'));
  writeFileSync(fixed, b.join('\n'));
  return { moving, fixed };
}
