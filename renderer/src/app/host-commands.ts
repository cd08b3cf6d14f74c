/** The host's menu commands (desktop app): open, open results, export, apply, register, cancel, and view toggles. */
import type { HostCommand } from '../../../main/service/api.ts';
import type { AppActions } from './actions.ts';
import { byId } from './dom.ts';

export async function runHostCommand(app: AppActions, command: HostCommand): Promise<void> {
  switch (command.type) {
    case 'open':
      return app.open(command.role, { path: command.path });
    case 'open-results':
      return app.openResults(command.path);
    case 'export':
      return app.export(command.kind, command.format);
    case 'apply':
      return app.applyToFile({ path: command.path });
    case 'register':
      return app.register();
    case 'cancel':
      return app.cancelAll();
    case 'view':
      if (command.action === 'reset-camera') app.scene.view.resetCamera();
      else if (command.action === 'toggle-split') byId<HTMLInputElement>('split-view').click();
      else byId('slices').hidden = !byId('slices').hidden;
      return;
  }
}
