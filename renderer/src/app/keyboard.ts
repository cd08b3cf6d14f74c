/** Keys: Ctrl+Enter registers, Escape cancels the running jobs; on the 3D view, arrows pan, + and − zoom, R resets. */
import type { AppActions } from './actions.ts';
import { byId } from './dom.ts';

export function wireKeyboard(app: AppActions): void {
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      void app.register();
    } else if (e.key === 'Escape' && app.jobsRunning && !byId<HTMLDialogElement>('about').open) {
      e.preventDefault();
      void app.cancelAll();
    }
  });
  const view = byId('view3d');
  view.addEventListener('keydown', (e) => {
    const moves: Record<string, [number, number, number]> = {
      ArrowLeft: [-10, 0, 1],
      ArrowRight: [10, 0, 1],
      ArrowUp: [0, 10, 1],
      ArrowDown: [0, -10, 1],
      '+': [0, 0, 1.15],
      '=': [0, 0, 1.15],
      '-': [0, 0, 1 / 1.15],
    };
    if (e.key === 'r' || e.key === 'R') app.scene.view.resetCamera();
    else if (moves[e.key]) app.scene.view.nudgeCamera(...moves[e.key]);
    else return;
    e.preventDefault();
  });
}
